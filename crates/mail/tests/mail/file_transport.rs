use jobping_mail::{OutgoingEmail, SendError};
use mail_parser::MimeHeaders;

use crate::helpers::{email, file_mailer, files_in, parse};

#[tokio::test]
async fn a_sent_email_is_written_as_a_parseable_eml_named_after_its_id() {
    let dir = tempfile::tempdir().unwrap();
    let mailer = file_mailer(dir.path());
    let email = email();

    let sent = mailer.send(&email).await.unwrap();

    assert_eq!(sent.message_id, format!("<{}@jobping.example>", email.id));
    let raw = std::fs::read(dir.path().join(format!("{}.eml", email.id))).unwrap();
    let message = parse(&raw);
    assert_eq!(message.subject(), Some("Bienvenue à JobPing – Zürich"));
    assert_eq!(
        message.message_id(),
        Some(format!("{}@jobping.example", email.id).as_str())
    );
    assert!(message.date().is_some(), "a Date header");
    assert_eq!(
        message.from().unwrap().first().unwrap().address(),
        Some("jobs@jobping.example")
    );
    assert_eq!(
        message.to().unwrap().first().unwrap().address(),
        Some("ada@example.com")
    );
    assert_eq!(message.text_body_count(), 1);
    assert_eq!(message.html_body_count(), 1);
    assert_eq!(message.body_text(0).unwrap().trim_end(), email.text.trim_end());
    assert_eq!(message.body_html(0).unwrap().trim_end(), email.html);
    assert_eq!(
        message.header_raw("X-JobPing-Kind").map(str::trim),
        Some("welcome")
    );
    let content_type = message.content_type().unwrap();
    assert_eq!(
        (content_type.ctype(), content_type.subtype()),
        ("multipart", Some("alternative"))
    );
}

#[tokio::test]
async fn list_unsubscribe_headers_are_written_when_set() {
    let dir = tempfile::tempdir().unwrap();
    let email = email();

    file_mailer(dir.path()).send(&email).await.unwrap();

    let raw = std::fs::read(dir.path().join(format!("{}.eml", email.id))).unwrap();
    let message = parse(&raw);
    // Long headers may be folded; unfolded they read as one line.
    assert_eq!(
        message
            .header_raw("List-Unsubscribe")
            .map(|raw| raw.replace("\r\n ", " ").trim().to_owned())
            .as_deref(),
        Some("<https://jobping.example/unsubscribe?token=abc>, <mailto:unsubscribe@jobping.example>")
    );
    assert_eq!(
        message.header_raw("List-Unsubscribe-Post").map(str::trim),
        Some("List-Unsubscribe=One-Click")
    );
}

#[tokio::test]
async fn list_unsubscribe_headers_are_absent_when_not_set() {
    let dir = tempfile::tempdir().unwrap();
    let email = OutgoingEmail {
        list_unsubscribe: None,
        ..email()
    };

    file_mailer(dir.path()).send(&email).await.unwrap();

    let raw = std::fs::read(dir.path().join(format!("{}.eml", email.id))).unwrap();
    let message = parse(&raw);
    assert_eq!(message.header_raw("List-Unsubscribe"), None);
    assert_eq!(message.header_raw("List-Unsubscribe-Post"), None);
}

#[tokio::test]
async fn resending_the_same_id_leaves_one_file_and_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let mailer = file_mailer(dir.path());
    let first = email();
    let retry = OutgoingEmail {
        subject: "Second attempt".into(),
        ..first.clone()
    };

    mailer.send(&first).await.unwrap();
    mailer.send(&retry).await.unwrap();

    assert_eq!(files_in(dir.path()), vec![format!("{}.eml", first.id)]);
    let raw = std::fs::read(dir.path().join(format!("{}.eml", first.id))).unwrap();
    assert_eq!(
        parse(&raw).subject(),
        Some("Second attempt"),
        "the retry replaced the file"
    );
}

#[tokio::test]
async fn a_missing_folder_is_created() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = dir.path().join("outbox").join("nested");
    let email = email();

    file_mailer(&outbox).send(&email).await.unwrap();

    assert_eq!(files_in(&outbox), vec![format!("{}.eml", email.id)]);
}

#[tokio::test]
async fn a_folder_that_cannot_be_written_is_a_transient_error() {
    let dir = tempfile::tempdir().unwrap();
    let not_a_folder = dir.path().join("outbox");
    std::fs::write(&not_a_folder, b"a file where the folder should be").unwrap();

    let err = file_mailer(&not_a_folder).send(&email()).await.unwrap_err();

    assert!(matches!(err, SendError::Transient(_)), "{err:?}");
    assert!(err.to_string().contains("outbox"), "names the path: {err}");
}

#[tokio::test]
async fn a_mailto_that_would_break_the_header_is_refused_for_good() {
    let dir = tempfile::tempdir().unwrap();
    let mut email = email();
    email.list_unsubscribe.as_mut().unwrap().mailto = Some("evil>, <https://evil.example".into());

    let err = file_mailer(dir.path()).send(&email).await.unwrap_err();

    assert!(matches!(err, SendError::Permanent(_)), "{err:?}");
    assert!(files_in(dir.path()).is_empty());
}
