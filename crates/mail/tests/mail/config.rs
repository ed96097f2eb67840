use std::path::PathBuf;

use jobping_mail::{MailError, Mailer, MailerConfig, TransportConfig};

use crate::helpers::{FROM, url};

fn smtp(raw: &str) -> Result<Mailer, MailError> {
    Mailer::new(MailerConfig::new(TransportConfig::Smtp(url(raw)), FROM))
}

#[test]
fn a_sender_that_is_not_a_mailbox_is_rejected_naming_it() {
    let config = MailerConfig::new(
        TransportConfig::File(PathBuf::from("outbox")),
        "JobPing jobs at example",
    );

    let err = Mailer::new(config).unwrap_err();

    assert!(matches!(err, MailError::InvalidFrom { .. }), "{err:?}");
    let message = err.to_string();
    assert!(
        message.contains("from") && message.contains("`JobPing jobs at example`"),
        "{message}"
    );
}

#[test]
fn an_unsupported_url_scheme_is_rejected_naming_it() {
    let err = smtp("http://mail.example.com").unwrap_err();

    assert!(
        matches!(&err, MailError::UnsupportedScheme(scheme) if scheme == "http"),
        "{err:?}"
    );
    assert!(err.to_string().contains("`http`"), "{err}");
}

#[test]
fn an_unknown_tls_mode_or_parameter_is_rejected_naming_it() {
    let err = smtp("smtp://mail.example.com?tls=maybe").unwrap_err();
    assert!(err.to_string().contains("tls=maybe"), "{err}");

    let err = smtp("smtp://mail.example.com?starttls=yes").unwrap_err();
    assert!(err.to_string().contains("`starttls`"), "{err}");

    let err = smtp("smtps://mail.example.com?tls=none").unwrap_err();
    assert!(err.to_string().contains("smtps://"), "{err}");
}

#[test]
fn an_smtp_url_without_a_host_is_rejected() {
    let err = smtp("smtp:relay").unwrap_err();

    assert!(err.to_string().contains("no host"), "{err}");
}

#[tokio::test]
async fn errors_and_debug_output_never_show_the_smtp_password() {
    let err = smtp("smtp://mailer:hunter2@mail.example.com:2525/path").unwrap_err();
    assert!(!format!("{err} {err:?}").contains("hunter2"), "{err:?}");
    assert!(err.to_string().contains("smtp://mail.example.com:2525"), "{err}");

    let config = MailerConfig::new(
        TransportConfig::Smtp(url("smtps://mailer:hunter2@mail.example.com")),
        FROM,
    );
    assert!(!format!("{config:?}").contains("hunter2"));
    let mailer = Mailer::new(config).unwrap();
    assert!(!format!("{mailer:?}").contains("hunter2"));
}

#[tokio::test]
async fn every_supported_smtp_form_builds_without_connecting() {
    for raw in [
        "smtp://mail.example.com",
        "smtp://mail.example.com:2525?tls=required",
        "smtp://127.0.0.1:2525?tls=none",
        "smtp://[::1]:2525?tls=none",
        "smtps://user:secret@mail.example.com",
    ] {
        assert!(smtp(raw).is_ok(), "{raw}");
    }
}

#[test]
fn from_domain_is_the_domain_of_the_sender_address() {
    let mailer = Mailer::new(MailerConfig::new(
        TransportConfig::File(PathBuf::from("outbox")),
        "JobPing <jobs@localhost>",
    ))
    .unwrap();

    assert_eq!(mailer.from_domain(), "localhost");
}

#[test]
fn an_smtp_mailer_outside_a_tokio_runtime_is_an_error_not_a_panic() {
    let err = smtp("smtp://mail.example.com").unwrap_err();

    assert!(matches!(err, MailError::NoRuntime), "{err:?}");
}
