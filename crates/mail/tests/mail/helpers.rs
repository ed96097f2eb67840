//! Shared builders for the tests.

use std::path::Path;
use std::time::Duration;

use jobping_core::EmailAddress;
use jobping_mail::{EmailKind, ListUnsubscribe, Mailer, MailerConfig, OutgoingEmail, TransportConfig};
use url::Url;

pub const FROM: &str = "JobPing <jobs@jobping.example>";
pub const WAIT: Duration = Duration::from_secs(10);

pub fn url(raw: &str) -> Url {
    Url::parse(raw).unwrap()
}

/// An email with UTF-8 in every part and the unsubscribe headers set.
pub fn email() -> OutgoingEmail {
    OutgoingEmail {
        id: uuid::Uuid::now_v7(),
        to: EmailAddress::parse("ada@example.com").unwrap(),
        kind: EmailKind::Welcome,
        subject: "Bienvenue à JobPing – Zürich".into(),
        text: "Hallo Ada, drei Jobs in München für dich. ✓\n".into(),
        html: "<p>Hallo Ada, drei Jobs in München für dich. ✓</p>".into(),
        list_unsubscribe: Some(ListUnsubscribe {
            url: url("https://jobping.example/unsubscribe?token=abc"),
            mailto: Some("unsubscribe@jobping.example".into()),
        }),
    }
}

pub fn file_mailer(dir: &Path) -> Mailer {
    Mailer::new(MailerConfig::new(TransportConfig::File(dir.to_owned()), FROM)).unwrap()
}

pub fn smtp_mailer(url: Url) -> Mailer {
    Mailer::new(MailerConfig::new(TransportConfig::Smtp(url), FROM)).unwrap()
}

pub fn parse(raw: &[u8]) -> mail_parser::Message<'_> {
    mail_parser::MessageParser::default()
        .parse(raw)
        .expect("a parseable message")
}

/// `.eml` and other files in a folder, sorted.
pub fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}
