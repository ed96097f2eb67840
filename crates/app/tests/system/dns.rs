//! A tiny authoritative name server on loopback UDP for `jobping doctor`: TXT answers
//! from a table, NXDOMAIN for any other name. It stops when dropped.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::UdpSocket;
use tokio::task::JoinHandle;

pub struct NameServer {
    pub addr: SocketAddr,
    task: JoinHandle<()>,
}

impl Drop for NameServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl NameServer {
    /// Serves `records` (name -> TXT strings).
    pub async fn start(records: HashMap<String, Vec<String>>) -> Self {
        let socket = Arc::new(UdpSocket::bind("127.0.0.1:0").await.expect("a UDP port"));
        let addr = socket.local_addr().expect("its address");
        let task = tokio::spawn(async move {
            let mut buf = vec![0u8; 1500];
            while let Ok((len, peer)) = socket.recv_from(&mut buf).await {
                if let Some(answer) = answer(&buf[..len], &records) {
                    let _ = socket.send_to(&answer, peer).await;
                }
            }
        });
        Self { addr, task }
    }
}

fn answer(query: &[u8], records: &HashMap<String, Vec<String>>) -> Option<Vec<u8>> {
    // The question's name: labels from byte 12 to the zero length.
    let mut at = 12;
    let mut labels = Vec::new();
    while *query.get(at)? != 0 {
        let n = query[at] as usize;
        labels.push(String::from_utf8_lossy(query.get(at + 1..at + 1 + n)?).to_ascii_lowercase());
        at += 1 + n;
    }
    let question_end = at + 5;
    let name = labels.join(".");
    let mut answer = query.get(..question_end)?.to_vec();
    answer[2] = 0x81;
    let texts = records.get(&name);
    answer[3] = if texts.is_some() { 0x80 } else { 0x83 };
    let texts = texts.cloned().unwrap_or_default();
    answer[6] = 0;
    answer[7] = texts.len() as u8;
    // No authority or additional records (a resolver's EDNS OPT is not echoed).
    answer[8..12].fill(0);
    for text in texts {
        answer.extend_from_slice(&[0xc0, 12, 0, 16, 0, 1, 0, 0, 1, 44]);
        let data: Vec<u8> = text
            .as_bytes()
            .chunks(255)
            .flat_map(|chunk| std::iter::once(chunk.len() as u8).chain(chunk.iter().copied()))
            .collect();
        answer.extend_from_slice(&(data.len() as u16).to_be_bytes());
        answer.extend_from_slice(&data);
    }
    Some(answer)
}
