//! The Resend transport against a local stand-in that speaks Resend's API.

use jobping_mail::dkim::{DkimKey, DkimSettings};
use jobping_mail::{Mailer, MailerConfig, OutgoingEmail, SendError, TransportConfig};
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::{FROM, email, url};

const API_KEY: &str = "re_test_5ecret";
const ACCEPTED: &str = r#"{"id":"49a3999c-0ce1-4ea6-ab68-afcd6dc2e794"}"#;

fn resend_mailer(base_url: &str) -> Mailer {
    // reqwest is built without a default crypto provider; the app installs ring at start.
    let _ = rustls::crypto::ring::default_provider().install_default();
    Mailer::new(MailerConfig::new(
        TransportConfig::Resend {
            base_url: url(base_url),
            api_key: API_KEY.into(),
        },
        FROM,
    ))
    .unwrap()
}

fn refusal(status: u16, name: &str, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({
        "statusCode": status,
        "name": name,
        "message": message,
    }))
}

/// Sends `email()` to a server that answers every request with `response`.
async fn send_answered_with(response: ResponseTemplate) -> Result<String, SendError> {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/emails"))
        .respond_with(response)
        .mount(&server)
        .await;
    resend_mailer(&server.uri())
        .send(&email())
        .await
        .map(|sent| sent.message_id)
}

#[tokio::test]
async fn an_email_is_posted_with_the_key_an_idempotency_key_and_its_parts_as_json() {
    let server = MockServer::start().await;
    let email = email();
    Mock::given(method("POST"))
        .and(path("/emails"))
        .and(header("Authorization", format!("Bearer {API_KEY}").as_str()))
        .and(header("Idempotency-Key", email.id.to_string().as_str()))
        .and(header("Content-Type", "application/json"))
        .and(body_json(json!({
            "from": "JobPing <jobs@jobping.example>",
            "to": ["ada@example.com"],
            "subject": "Bienvenue à JobPing – Zürich",
            "html": email.html,
            "text": email.text,
            "headers": {
                "List-Unsubscribe": "<https://jobping.example/unsubscribe?token=abc>, <mailto:unsubscribe@jobping.example>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "X-JobPing-Kind": "welcome",
                "Auto-Submitted": "auto-generated",
            },
        })))
        .respond_with(ResponseTemplate::new(200).set_body_raw(ACCEPTED, "application/json"))
        .expect(1)
        .mount(&server)
        .await;

    let sent = resend_mailer(&server.uri()).send(&email).await.unwrap();

    assert_eq!(sent.message_id, "49a3999c-0ce1-4ea6-ab68-afcd6dc2e794");
}

#[tokio::test]
async fn an_email_without_unsubscribe_headers_sends_none() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/emails"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(ACCEPTED, "application/json"))
        .mount(&server)
        .await;
    let email = OutgoingEmail {
        list_unsubscribe: None,
        ..email()
    };

    resend_mailer(&server.uri()).send(&email).await.unwrap();

    let requests = server.received_requests().await.unwrap();
    let body: serde_json::Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(
        body["headers"],
        json!({"X-JobPing-Kind": "welcome", "Auto-Submitted": "auto-generated"})
    );
}

#[tokio::test]
async fn a_retry_of_the_same_email_carries_the_same_idempotency_key_and_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(refusal(500, "internal_server_error", "Something went wrong"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(ACCEPTED, "application/json"))
        .mount(&server)
        .await;
    let mailer = resend_mailer(&server.uri());
    let email = email();

    let first = mailer.send(&email).await.unwrap_err();
    let retry = mailer.send(&email).await.unwrap();

    assert!(first.is_transient(), "{first:?}");
    assert_eq!(retry.message_id, "49a3999c-0ce1-4ea6-ab68-afcd6dc2e794");
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    let keys: Vec<_> = requests
        .iter()
        .map(|r| {
            r.headers
                .get("Idempotency-Key")
                .unwrap()
                .to_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(keys, vec![email.id.to_string(), email.id.to_string()]);
    assert_eq!(requests[0].body, requests[1].body);

    let other = crate::helpers::email();
    mailer.send(&other).await.unwrap();
    let requests = server.received_requests().await.unwrap();
    assert_eq!(
        requests[2]
            .headers
            .get("Idempotency-Key")
            .unwrap()
            .to_str()
            .unwrap(),
        other.id.to_string(),
        "another email, another key"
    );
}

#[tokio::test]
async fn rate_limits_and_server_errors_are_transient() {
    for response in [
        refusal(
            429,
            "rate_limit_exceeded",
            "Too many requests. You can only make 2 requests per second.",
        )
        .insert_header("Retry-After", "1"),
        refusal(500, "internal_server_error", "An unexpected error occurred."),
        ResponseTemplate::new(502).set_body_string("<html>Bad Gateway</html>"),
        ResponseTemplate::new(503),
        refusal(
            409,
            "concurrent_idempotent_requests",
            "Same idempotency key used while original request is still in progress.",
        ),
    ] {
        let err = send_answered_with(response).await.unwrap_err();
        assert!(matches!(err, SendError::Transient(_)), "{err:?}");
    }
}

#[tokio::test]
async fn client_errors_are_permanent_and_carry_resends_message() {
    for (status, name, message) in [
        (400, "validation_error", "Invalid `to` field."),
        (
            401,
            "missing_api_key",
            "Missing API key in the authorization header.",
        ),
        (403, "invalid_api_key", "API key is invalid."),
        (422, "invalid_parameter", "The `from` domain is not verified."),
        (
            409,
            "invalid_idempotent_request",
            "Same idempotency key used with a different request payload.",
        ),
    ] {
        let err = send_answered_with(refusal(status, name, message))
            .await
            .unwrap_err();

        assert!(matches!(err, SendError::Permanent(_)), "{status}: {err:?}");
        let text = err.to_string();
        assert!(text.contains(&status.to_string()), "{text}");
        assert!(text.contains(name) && text.contains(message), "{text}");
        assert!(!text.contains(API_KEY), "{text}");
    }
}

#[tokio::test]
async fn a_success_without_an_id_is_transient_since_a_retry_is_safe() {
    let err = send_answered_with(ResponseTemplate::new(200).set_body_string("ok"))
        .await
        .unwrap_err();

    assert!(matches!(err, SendError::Transient(_)), "{err:?}");
}

#[tokio::test]
async fn nothing_listening_is_a_transient_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();

    let err = resend_mailer(&format!("http://127.0.0.1:{port}"))
        .send(&email())
        .await
        .unwrap_err();

    assert!(matches!(err, SendError::Transient(_)), "{err:?}");
}

#[tokio::test]
async fn a_base_url_with_a_path_gets_emails_appended() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/proxy/resend/emails"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(ACCEPTED, "application/json"))
        .expect(1)
        .mount(&server)
        .await;

    resend_mailer(&format!("{}/proxy/resend/", server.uri()))
        .send(&email())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_mailto_that_would_break_the_header_is_refused_before_sending() {
    let server = MockServer::start().await;
    let mut email = email();
    email.list_unsubscribe.as_mut().unwrap().mailto = Some("a>, <https://evil.example".into());

    let err = resend_mailer(&server.uri()).send(&email).await.unwrap_err();

    assert!(matches!(err, SendError::Permanent(_)), "{err:?}");
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[test]
fn debug_output_never_shows_the_api_key_and_resend_does_its_own_signing() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let config = MailerConfig::new(
        TransportConfig::Resend {
            base_url: url("https://api.resend.com"),
            api_key: API_KEY.into(),
        },
        FROM,
    )
    .with_dkim(DkimSettings {
        selector: "jobping".into(),
        key: DkimKey::parse(include_str!("keys/ed25519.seed")).unwrap(),
    });

    let mailer = Mailer::new(config.clone()).unwrap();

    let shown = format!("{config:?} {mailer:?}");
    assert!(!shown.contains(API_KEY), "{shown}");
    assert!(shown.contains("api.resend.com"), "{shown}");
    assert!(!mailer.signs_dkim());
}

#[test]
fn an_empty_api_key_or_a_non_http_url_is_refused() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    for (base_url, api_key) in [("https://api.resend.com", " "), ("ftp://api.resend.com", API_KEY)] {
        let err = Mailer::new(MailerConfig::new(
            TransportConfig::Resend {
                base_url: url(base_url),
                api_key: api_key.into(),
            },
            FROM,
        ))
        .unwrap_err();
        assert!(err.to_string().contains("Resend"), "{err}");
    }
}
