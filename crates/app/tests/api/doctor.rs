//! `jobping doctor` against a name server and an SMTP server of our own on loopback.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use jobping::commands::mail_tools::{Verdict, doctor};
use jobping_mail::dkim::{DkimKey, KeyAlgorithm, generate};
use jobping_mail::testing::SmtpSink;
use tokio::net::UdpSocket;

/// A tiny authoritative name server: answers TXT questions from `records`, NXDOMAIN
/// for anything else.
async fn name_server(records: HashMap<String, Vec<String>>) -> SocketAddr {
    let socket = Arc::new(UdpSocket::bind("127.0.0.1:0").await.unwrap());
    let address = socket.local_addr().unwrap();
    tokio::spawn(async move {
        let mut buf = vec![0u8; 1500];
        loop {
            let Ok((len, peer)) = socket.recv_from(&mut buf).await else {
                return;
            };
            let query = &buf[..len];
            // The question's name: labels from byte 12 to the zero length.
            let mut at = 12;
            let mut labels = Vec::new();
            while query[at] != 0 {
                let n = query[at] as usize;
                labels.push(String::from_utf8_lossy(&query[at + 1..at + 1 + n]).into_owned());
                at += 1 + n;
            }
            let question_end = at + 5;
            let name = labels.join(".");
            let mut answer = query[..question_end].to_vec();
            answer[2] = 0x81;
            let texts = records.get(&name);
            answer[3] = if texts.is_some() { 0x80 } else { 0x83 };
            let texts = texts.cloned().unwrap_or_default();
            answer[7] = texts.len() as u8;
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
            let _ = socket.send_to(&answer, peer).await;
        }
    });
    address
}

fn settings(dir: &tempfile::TempDir, smtp: &str, key_path: Option<&std::path::Path>) -> jobping::Settings {
    let mut vars: HashMap<&str, String> = HashMap::new();
    vars.insert("JOBPING_MAIL_FROM", "JobPing <jobs@jobping.example>".into());
    vars.insert("JOBPING_MAIL", smtp.into());
    vars.insert("JOBPING_BASE_URL", "https://jobping.example".into());
    vars.insert(
        "DATABASE_URL",
        format!("sqlite://{}", dir.path().join("db").display()),
    );
    if let Some(path) = key_path {
        vars.insert("JOBPING_DKIM_KEY", path.display().to_string());
    }
    jobping::Settings::load(None, &|name| vars.get(name).cloned()).unwrap()
}

fn verdict(findings: &[jobping::commands::mail_tools::Finding], check: &str) -> Verdict {
    findings
        .iter()
        .find(|f| f.check == check)
        .unwrap_or_else(|| panic!("no {check} check"))
        .verdict
}

#[tokio::test]
async fn doctor_says_what_is_missing_and_passes_once_it_is_published() {
    let dir = tempfile::tempdir().unwrap();
    let key = generate(KeyAlgorithm::Rsa2048);
    let key_path = dir.path().join("dkim.pem");
    std::fs::write(&key_path, &key.private_pem).unwrap();
    let sink = SmtpSink::start().await.unwrap();
    let settings = settings(&dir, sink.url().as_str(), Some(&key_path));

    // Only SPF is published: DKIM and DMARC are named as missing.
    let mut records = HashMap::new();
    records.insert("jobping.example".to_owned(), vec!["v=spf1 a mx ~all".to_owned()]);
    let server = name_server(records.clone()).await;
    let findings = doctor(&settings, Some(server)).await.unwrap();
    assert_eq!(verdict(&findings, "spf"), Verdict::Ok);
    assert_eq!(verdict(&findings, "dkim record"), Verdict::Fail);
    assert_eq!(verdict(&findings, "dmarc"), Verdict::Fail);
    assert_eq!(verdict(&findings, "dkim key"), Verdict::Ok);
    // The loopback sink offers no STARTTLS, and doctor says so.
    assert_eq!(verdict(&findings, "transport"), Verdict::Fail);

    // A DKIM record for another key is caught.
    let other = generate(KeyAlgorithm::Rsa2048);
    records.insert(
        "jobping._domainkey.jobping.example".into(),
        vec![other.dns_value.clone()],
    );
    let server = name_server(records.clone()).await;
    let findings = doctor(&settings, Some(server)).await.unwrap();
    assert_eq!(verdict(&findings, "dkim record"), Verdict::Fail);

    let loaded = DkimKey::from_pem_file(&key_path).unwrap();
    records.insert(
        "jobping._domainkey.jobping.example".into(),
        vec![loaded.dns_value()],
    );
    records.insert(
        "_dmarc.jobping.example".into(),
        vec!["v=DMARC1; p=none; rua=mailto:dmarc-reports@jobping.example".into()],
    );
    let server = name_server(records).await;
    let findings = doctor(&settings, Some(server)).await.unwrap();
    for check in ["sender", "dkim key", "spf", "dkim record", "dmarc", "links"] {
        assert_eq!(verdict(&findings, check), Verdict::Ok, "{check}: {findings:?}");
    }
}

#[tokio::test]
async fn doctor_names_a_sender_on_localhost_and_an_unsigned_setup() {
    let dir = tempfile::tempdir().unwrap();
    let mut vars: HashMap<&str, String> = HashMap::new();
    vars.insert(
        "DATABASE_URL",
        format!("sqlite://{}", dir.path().join("db").display()),
    );
    let settings = jobping::Settings::load(None, &|name| vars.get(name).cloned()).unwrap();
    let server = name_server(HashMap::new()).await;
    let findings = doctor(&settings, Some(server)).await.unwrap();
    assert_eq!(verdict(&findings, "sender"), Verdict::Fail);
    assert_eq!(verdict(&findings, "dkim key"), Verdict::Fail);
    assert_eq!(verdict(&findings, "links"), Verdict::Warn);
    assert_eq!(verdict(&findings, "transport"), Verdict::Warn);
}
