//! A small DNS TXT client over UDP, for `jobping doctor`: one question, one answer, no
//! cache. The name server is `JOBPING_DNS_SERVER` when set (tests point it at loopback),
//! else the first `nameserver` in /etc/resolv.conf.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context, bail};
use tokio::net::UdpSocket;

const TXT: u16 = 16;

/// The name server to ask.
pub fn default_server() -> anyhow::Result<SocketAddr> {
    if let Ok(server) = std::env::var("JOBPING_DNS_SERVER") {
        return server
            .parse()
            .with_context(|| format!("JOBPING_DNS_SERVER: `{server}` is not an address like 1.1.1.1:53"));
    }
    let conf = std::fs::read_to_string("/etc/resolv.conf").context("reading /etc/resolv.conf")?;
    conf.lines()
        .filter_map(|line| line.trim().strip_prefix("nameserver"))
        .filter_map(|ip| ip.trim().parse::<std::net::IpAddr>().ok())
        .map(|ip| SocketAddr::new(ip, 53))
        .next()
        .context("no nameserver in /etc/resolv.conf")
}

/// The TXT records at `name`, each as its strings joined (as DKIM and SPF read them).
pub async fn txt(server: SocketAddr, name: &str) -> anyhow::Result<Vec<String>> {
    let id: u16 = rand::random();
    let query = encode_query(id, name)?;
    let socket = UdpSocket::bind(if server.is_ipv4() { "0.0.0.0:0" } else { "[::]:0" }).await?;
    socket.connect(server).await?;
    let mut buf = vec![0u8; 4096];
    for _ in 0..2 {
        socket.send(&query).await?;
        match tokio::time::timeout(Duration::from_secs(3), socket.recv(&mut buf)).await {
            Ok(read) => {
                let len = read?;
                return decode_txt(id, &buf[..len]);
            }
            Err(_) => continue,
        }
    }
    bail!("no answer from the name server {server}")
}

/// A standard query for `name`'s TXT records, recursion desired.
pub fn encode_query(id: u16, name: &str) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(32 + name.len());
    out.extend_from_slice(&id.to_be_bytes());
    out.extend_from_slice(&[0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
    for label in name.trim_end_matches('.').split('.') {
        anyhow::ensure!(
            !label.is_empty() && label.len() < 64,
            "`{name}` is not a valid domain name"
        );
        out.push(label.len() as u8);
        out.extend_from_slice(label.as_bytes());
    }
    out.push(0);
    out.extend_from_slice(&TXT.to_be_bytes());
    out.extend_from_slice(&1u16.to_be_bytes());
    Ok(out)
}

/// The TXT strings of a response to query `id`; an NXDOMAIN or empty answer is none.
pub fn decode_txt(id: u16, packet: &[u8]) -> anyhow::Result<Vec<String>> {
    let short = || anyhow::anyhow!("the DNS answer is cut short");
    let u16_at = |at: usize| -> anyhow::Result<u16> {
        Ok(u16::from_be_bytes([
            *packet.get(at).ok_or_else(short)?,
            *packet.get(at + 1).ok_or_else(short)?,
        ]))
    };
    anyhow::ensure!(u16_at(0)? == id, "the DNS answer is for another question");
    let rcode = u16_at(2)? & 0x000f;
    match rcode {
        0 => {}
        3 => return Ok(Vec::new()),
        other => bail!("the name server answered with error code {other}"),
    }
    let questions = u16_at(4)?;
    let answers = u16_at(6)?;
    let mut at = 12;
    for _ in 0..questions {
        at = skip_name(packet, at)? + 4;
    }
    let mut out = Vec::new();
    for _ in 0..answers {
        at = skip_name(packet, at)?;
        let kind = u16_at(at)?;
        let len = usize::from(u16_at(at + 8)?);
        let data = packet.get(at + 10..at + 10 + len).ok_or_else(short)?;
        at += 10 + len;
        if kind != TXT {
            continue;
        }
        let mut text = String::new();
        let mut i = 0;
        while i < data.len() {
            let n = usize::from(data[i]);
            let part = data.get(i + 1..i + 1 + n).ok_or_else(short)?;
            text.push_str(&String::from_utf8_lossy(part));
            i += 1 + n;
        }
        out.push(text);
    }
    Ok(out)
}

/// The offset after a (possibly compressed) name.
fn skip_name(packet: &[u8], mut at: usize) -> anyhow::Result<usize> {
    loop {
        let len = *packet.get(at).context("the DNS answer is cut short")?;
        match len {
            0 => return Ok(at + 1),
            l if l & 0xc0 == 0xc0 => return Ok(at + 2),
            l => at += 1 + usize::from(l),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An answer as a name server would send it, with a compressed name.
    fn answer(id: u16, name: &str, texts: &[&[&str]]) -> Vec<u8> {
        let mut packet = encode_query(id, name).unwrap();
        packet[2] = 0x81;
        packet[3] = 0x80;
        packet[7] = texts.len() as u8;
        for strings in texts {
            packet.extend_from_slice(&[0xc0, 12]);
            packet.extend_from_slice(&TXT.to_be_bytes());
            packet.extend_from_slice(&1u16.to_be_bytes());
            packet.extend_from_slice(&300u32.to_be_bytes());
            let data: Vec<u8> = strings
                .iter()
                .flat_map(|s| std::iter::once(s.len() as u8).chain(s.bytes()))
                .collect();
            packet.extend_from_slice(&(data.len() as u16).to_be_bytes());
            packet.extend_from_slice(&data);
        }
        packet
    }

    #[test]
    fn a_txt_answer_split_in_strings_is_joined() {
        let packet = answer(
            7,
            "jobping._domainkey.example.com",
            &[&["v=DKIM1; k=rsa; ", "p=MIIB"], &["other"]],
        );
        assert_eq!(
            decode_txt(7, &packet).unwrap(),
            vec!["v=DKIM1; k=rsa; p=MIIB".to_owned(), "other".to_owned()]
        );
    }

    #[test]
    fn an_answer_to_another_question_or_cut_short_is_an_error_never_a_panic() {
        let packet = answer(7, "example.com", &[&["v=spf1 -all"]]);
        assert!(decode_txt(8, &packet).is_err());
        for cut in 0..packet.len() - 1 {
            let _ = decode_txt(7, &packet[..cut]);
        }
    }

    #[test]
    fn nxdomain_is_no_records() {
        let mut packet = answer(7, "missing.example.com", &[]);
        packet[3] = 0x83;
        assert_eq!(decode_txt(7, &packet).unwrap(), Vec::<String>::new());
    }
}
