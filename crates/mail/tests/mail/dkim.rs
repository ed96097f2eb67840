//! DKIM: keys read in every accepted format, and signatures checked by an independent
//! verifier (mail-auth), fed the published TXT record through its DNS cache.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;

use jobping_mail::dkim::{self, DkimKey, DkimKeyError, DkimSettings, KeyAlgorithm};
use jobping_mail::{MailError, Mailer, MailerConfig, OutgoingEmail, TransportConfig};
use mail_auth::common::parse::TxtRecordParser;
use mail_auth::common::verify::DomainKey;
use mail_auth::dkim::DkimError;
use mail_auth::hickory_resolver::config::{ResolverConfig, ResolverOpts};
use mail_auth::{AuthenticatedMessage, DkimResult, MessageAuthenticator, Parameters, ResolverCache, Txt};

use crate::helpers::{FROM, email};

const SELECTOR: &str = "jobping";
const RSA_PKCS1: &str = include_str!("keys/rsa2048.pkcs1.pem");
const RSA_PKCS8: &str = include_str!("keys/rsa2048.pkcs8.pem");
const RSA_SPKI: &str = include_str!("keys/rsa2048.spki.b64");
const RSA_1024: &str = include_str!("keys/rsa1024.pkcs1.pem");
const ED25519_PKCS8: &str = include_str!("keys/ed25519.pkcs8.pem");
const ED25519_PUBLIC: &str = include_str!("keys/ed25519.pub.b64");
const ED25519_SEED: &str = include_str!("keys/ed25519.seed");
const EC: &str = include_str!("keys/ec.pem");

fn key_file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/mail/keys")
        .join(name)
}

/// A TXT cache holding one published record, so the verifier asks no real DNS.
struct PublishedTxt(Mutex<HashMap<Box<str>, Txt>>);

impl PublishedTxt {
    fn dkim(dns_value: &str) -> Self {
        let key = DomainKey::parse(dns_value.as_bytes()).expect("mail-auth reads our TXT value");
        let name: Box<str> = format!("{SELECTOR}._domainkey.jobping.example.").into();
        Self(Mutex::new(HashMap::from([(name, Txt::from(key))])))
    }
}

impl ResolverCache<Box<str>, Txt> for PublishedTxt {
    fn get<Q>(&self, name: &Q) -> Option<Txt>
    where
        Box<str>: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.0.lock().unwrap().get(name).cloned()
    }

    fn remove<Q>(&self, name: &Q) -> Option<Txt>
    where
        Box<str>: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.0.lock().unwrap().remove(name)
    }

    fn insert(&self, key: Box<str>, value: Txt, _valid_until: Instant) {
        self.0.lock().unwrap().insert(key, value);
    }
}

/// What mail-auth makes of each DKIM signature in `raw`, given the published record.
async fn verify(raw: &[u8], dns_value: &str) -> Vec<DkimResult> {
    let txt = PublishedTxt::dkim(dns_value);
    // No name servers: a lookup that missed the cache would fail, not leave the machine.
    let authenticator = MessageAuthenticator::new(
        ResolverConfig::from_parts(None, vec![], vec![]),
        ResolverOpts::default(),
    )
    .unwrap();
    let message = AuthenticatedMessage::parse(raw).expect("a parseable message");
    authenticator
        .verify_dkim(Parameters::new(&message).with_txt_cache(&txt))
        .await
        .into_iter()
        .map(|output| output.result().clone())
        .collect()
}

fn signing_mailer(dir: &std::path::Path, key: DkimKey) -> Mailer {
    Mailer::new(
        MailerConfig::new(TransportConfig::File(dir.to_owned()), FROM).with_dkim(DkimSettings {
            selector: SELECTOR.into(),
            key,
        }),
    )
    .unwrap()
}

/// Sends `email` through a signing file mailer and returns the bytes written.
async fn signed(key: DkimKey, email: &OutgoingEmail) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let mailer = signing_mailer(dir.path(), key);
    assert!(mailer.signs_dkim());
    mailer.send(email).await.unwrap();
    std::fs::read(dir.path().join(format!("{}.eml", email.id))).unwrap()
}

/// Replaces the first occurrence of `from` in the message.
fn altered(raw: &[u8], from: &str, to: &str) -> Vec<u8> {
    let text = String::from_utf8(raw.to_vec()).unwrap();
    assert!(text.contains(from), "the message has no `{from}`:\n{text}");
    text.replacen(from, to, 1).into_bytes()
}

#[tokio::test]
async fn an_rsa_2048_signature_passes_an_independent_verifier() {
    let key = DkimKey::parse(RSA_PKCS1).unwrap();
    let raw = signed(key.clone(), &email()).await;

    assert_eq!(verify(&raw, &key.dns_value()).await, vec![DkimResult::Pass]);
}

#[tokio::test]
async fn an_ed25519_signature_passes_an_independent_verifier() {
    let key = DkimKey::parse(ED25519_PKCS8).unwrap();
    let raw = signed(key.clone(), &email()).await;

    assert_eq!(verify(&raw, &key.dns_value()).await, vec![DkimResult::Pass]);
}

#[tokio::test]
async fn a_full_digest_with_long_quoted_printable_lines_arrives_intact_and_passes() {
    let key = DkimKey::parse(RSA_PKCS1).unwrap();
    let jobs = (0..5)
        .map(|n| {
            crate::templates::job(
                &format!("Graduate Analyst {n} (m/w/d) – Zürich"),
                "Société Générale",
            )
        })
        .collect();
    let rendered = crate::digest_templates::digest_with(jobs, true);
    let email = OutgoingEmail {
        subject: rendered.subject.clone(),
        text: rendered.text.clone(),
        html: rendered.html.clone(),
        ..email()
    };

    let raw = signed(key.clone(), &email).await;

    assert_eq!(verify(&raw, &key.dns_value()).await, vec![DkimResult::Pass]);
    let message = crate::helpers::parse(&raw);
    // Line ends travel as CRLF.
    let unix = |part: &str| part.replace("\r\n", "\n").trim_end().to_owned();
    assert!(
        unix(&message.body_html(0).unwrap()) == unix(&rendered.html),
        "the HTML changed"
    );
    assert!(
        unix(&message.body_text(0).unwrap()) == unix(&rendered.text),
        "the text changed"
    );
}

#[tokio::test]
async fn an_email_without_list_unsubscribe_is_signed_and_passes_too() {
    let key = DkimKey::parse(ED25519_SEED).unwrap();
    let email = OutgoingEmail {
        list_unsubscribe: None,
        ..email()
    };
    let raw = signed(key.clone(), &email).await;

    assert_eq!(verify(&raw, &key.dns_value()).await, vec![DkimResult::Pass]);
}

#[tokio::test]
async fn an_altered_body_no_longer_passes() {
    let key = DkimKey::parse(RSA_PKCS1).unwrap();
    let raw = signed(key.clone(), &email()).await;
    // The HTML part is all ASCII in quoted-printable: change a word of it.
    let tampered = altered(&raw, "Hallo Ada", "Hallo Eve");

    assert_eq!(
        verify(&tampered, &key.dns_value()).await,
        // mail-auth files a body-hash mismatch under "neutral" rather than "fail";
        // either way the signature no longer vouches for the email.
        vec![DkimResult::Neutral(mail_auth::Error::Dkim(
            DkimError::FailedBodyHashMatch
        ))]
    );
}

#[tokio::test]
async fn an_altered_subject_fails() {
    let key = DkimKey::parse(RSA_PKCS8).unwrap();
    let email = OutgoingEmail {
        subject: "Three new jobs in Berlin".into(),
        ..email()
    };
    let raw = signed(key.clone(), &email).await;
    let tampered = altered(&raw, "Subject: Three new jobs", "Subject: Four new jobs");

    let results = verify(&tampered, &key.dns_value()).await;
    assert!(matches!(results.as_slice(), [DkimResult::Fail(_)]), "{results:?}");
}

#[tokio::test]
async fn an_added_list_unsubscribe_header_fails_the_signature() {
    let key = DkimKey::parse(ED25519_PKCS8).unwrap();
    let email = OutgoingEmail {
        list_unsubscribe: None,
        ..email()
    };
    let raw = signed(key.clone(), &email).await;
    let injected = altered(
        &raw,
        "Subject:",
        "List-Unsubscribe: <https://evil.example/>\r\nSubject:",
    );

    let results = verify(&injected, &key.dns_value()).await;
    assert!(matches!(results.as_slice(), [DkimResult::Fail(_)]), "{results:?}");
}

#[tokio::test]
async fn the_signature_covers_the_one_click_unsubscribe_headers() {
    let raw = signed(DkimKey::parse(RSA_PKCS1).unwrap(), &email()).await;
    let message = crate::helpers::parse(&raw);
    let signature = message
        .header_raw("DKIM-Signature")
        .expect("a DKIM-Signature header")
        .split_whitespace()
        .collect::<String>();

    for tag in [
        "v=1",
        "a=rsa-sha256",
        "d=jobping.example",
        "s=jobping",
        "c=relaxed/relaxed",
    ] {
        assert!(signature.contains(tag), "lacks {tag}: {signature}");
    }
    let h = signature
        .split(';')
        .find_map(|tag| tag.strip_prefix("h="))
        .unwrap()
        .to_ascii_lowercase();
    let signed: Vec<&str> = h.split(':').collect();
    for header in [
        "from",
        "to",
        "subject",
        "date",
        "message-id",
        "mime-version",
        "content-type",
        "list-unsubscribe",
        "list-unsubscribe-post",
    ] {
        assert!(signed.contains(&header), "h= lacks {header}: {h}");
    }
}

#[tokio::test]
async fn without_a_key_nothing_is_signed() {
    let dir = tempfile::tempdir().unwrap();
    let mailer = crate::helpers::file_mailer(dir.path());
    let email = email();

    mailer.send(&email).await.unwrap();

    assert!(!mailer.signs_dkim());
    let raw = std::fs::read(dir.path().join(format!("{}.eml", email.id))).unwrap();
    assert_eq!(crate::helpers::parse(&raw).header_raw("DKIM-Signature"), None);
}

#[test]
fn a_selector_that_is_not_a_dns_label_is_rejected_naming_it() {
    let err = Mailer::new(
        MailerConfig::new(TransportConfig::File("outbox".into()), FROM).with_dkim(DkimSettings {
            selector: "job ping".into(),
            key: DkimKey::parse(ED25519_SEED).unwrap(),
        }),
    )
    .unwrap_err();

    assert!(matches!(err, MailError::InvalidDkimSelector(_)), "{err:?}");
    assert!(err.to_string().contains("`job ping`"), "{err}");
}

#[test]
fn pkcs1_and_pkcs8_files_of_one_rsa_key_publish_the_same_record_as_openssl() {
    let pkcs1 = DkimKey::from_pem_file(key_file("rsa2048.pkcs1.pem")).unwrap();
    let pkcs8 = DkimKey::from_pem_file(key_file("rsa2048.pkcs8.pem")).unwrap();

    let expected = format!("v=DKIM1; k=rsa; p={}", RSA_SPKI.trim());
    assert_eq!(pkcs1.dns_value(), expected);
    assert_eq!(pkcs8.dns_value(), expected);
    assert_eq!(pkcs1.algorithm(), "rsa");
}

#[test]
fn an_ed25519_pkcs8_file_publishes_its_raw_public_key() {
    let key = DkimKey::from_pem_file(key_file("ed25519.pkcs8.pem")).unwrap();

    assert_eq!(
        key.dns_value(),
        format!("v=DKIM1; k=ed25519; p={}", ED25519_PUBLIC.trim())
    );
    assert_eq!(key.algorithm(), "ed25519");
}

#[test]
fn a_key_in_another_format_is_refused_naming_the_file_and_the_formats_that_work() {
    let path = key_file("ec.pem");
    let err = DkimKey::from_pem_file(&path).unwrap_err();

    assert!(matches!(err, DkimKeyError::Unusable { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(message.contains("EC PRIVATE KEY"), "{message}");
    for format in [
        "BEGIN RSA PRIVATE KEY",
        "BEGIN PRIVATE KEY",
        "Ed25519",
        "base64",
        "dkim-keygen",
    ] {
        assert!(message.contains(format), "lacks {format}: {message}");
    }
    assert!(
        !message.contains(EC.lines().nth(1).unwrap()),
        "shows the key: {message}"
    );
}

#[test]
fn garbage_and_an_empty_file_are_refused() {
    for text in [
        "",
        "not a key at all",
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    ] {
        let err = DkimKey::parse(text).unwrap_err();
        assert!(matches!(err, DkimKeyError::Unusable { .. }), "{text}: {err:?}");
        assert!(err.to_string().contains("the DKIM key"), "{err}");
    }
}

#[test]
fn an_rsa_key_under_2048_bits_is_refused() {
    let err = DkimKey::parse(RSA_1024).unwrap_err();

    assert!(
        matches!(err, DkimKeyError::TooShort { bits: 1024, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("1024-bit"), "{err}");
}

#[test]
fn a_missing_file_is_an_error_naming_it() {
    let path = key_file("nowhere.pem");
    let err = DkimKey::from_pem_file(&path).unwrap_err();

    assert!(matches!(err, DkimKeyError::Read { .. }), "{err:?}");
    assert!(err.to_string().contains("nowhere.pem"), "{err}");
}

#[test]
fn debug_output_never_shows_the_key() {
    let key = DkimKey::parse(RSA_PKCS1).unwrap();
    let config = MailerConfig::new(TransportConfig::File("outbox".into()), FROM).with_dkim(DkimSettings {
        selector: SELECTOR.into(),
        key: key.clone(),
    });

    let shown = format!("{key:?} {config:?} {:?}", Mailer::new(config.clone()).unwrap());
    assert!(shown.contains("rsa, 2048 bits"), "{shown}");
    for line in RSA_PKCS1.lines().skip(1).take(3) {
        assert!(!shown.contains(line), "shows the key: {shown}");
    }
}

#[tokio::test]
async fn generated_keys_load_publish_the_same_record_and_sign_mail_that_passes() {
    for algorithm in [KeyAlgorithm::Ed25519, KeyAlgorithm::Rsa2048] {
        let generated = dkim::generate(algorithm);
        let key = DkimKey::parse(&generated.private_pem).unwrap();
        assert_eq!(key.dns_value(), generated.dns_value, "{algorithm:?}");
        assert!(
            !format!("{generated:?}").contains(&generated.private_pem),
            "Debug shows the key"
        );

        let raw = signed(key, &email()).await;
        assert_eq!(
            verify(&raw, &generated.dns_value).await,
            vec![DkimResult::Pass],
            "{algorithm:?}"
        );
    }
    let rsa = dkim::generate(KeyAlgorithm::Rsa2048);
    assert!(rsa.private_pem.starts_with("-----BEGIN RSA PRIVATE KEY-----"));
    assert!(
        rsa.dns_value.starts_with("v=DKIM1; k=rsa; p=MIIBIjAN"),
        "{}",
        rsa.dns_value
    );
    let ed = dkim::generate(KeyAlgorithm::Ed25519);
    assert!(ed.private_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
    assert!(ed.dns_value.starts_with("v=DKIM1; k=ed25519; p="));
}
