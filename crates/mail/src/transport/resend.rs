//! Resend's HTTP API: one `POST /emails` per email.
//!
//! Redirects are not followed: Resend's API never sends one, and following it would
//! let an answer point the client, API key and email and all, at an address inside the
//! operator's network. A 3xx fails the send, naming where it pointed.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use lettre::message::Mailbox;
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, HeaderValue};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::email::OutgoingEmail;
use crate::mime::check_mailto;
use crate::{MailError, SendError};

// Long enough for a slow answer, short enough that a stuck request frees the worker.
const TIMEOUT: Duration = Duration::from_secs(30);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
// An error body is quoted in the error up to this many characters.
const MAX_QUOTED: usize = 300;

/// A client for one Resend account.
#[derive(Clone)]
pub(crate) struct ResendTransport {
    client: reqwest::Client,
    endpoint: Url,
    authorization: Arc<HeaderValue>,
}

// By hand: the authorization header holds the API key.
impl fmt::Debug for ResendTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResendTransport")
            .field("endpoint", &self.endpoint.as_str())
            .finish()
    }
}

/// The request body of `POST /emails`.
#[derive(Serialize)]
struct SendEmail<'a> {
    from: String,
    to: [&'a str; 1],
    subject: &'a str,
    html: &'a str,
    text: &'a str,
    headers: Headers<'a>,
}

#[derive(Serialize)]
struct Headers<'a> {
    #[serde(rename = "List-Unsubscribe", skip_serializing_if = "Option::is_none")]
    list_unsubscribe: Option<String>,
    #[serde(rename = "List-Unsubscribe-Post", skip_serializing_if = "Option::is_none")]
    list_unsubscribe_post: Option<&'static str>,
    #[serde(rename = "X-JobPing-Kind")]
    kind: &'a str,
    // RFC 3834, as on the SMTP path: tells auto-responders (out-of-office) not to answer.
    #[serde(rename = "Auto-Submitted")]
    auto_submitted: &'static str,
}

#[derive(Deserialize)]
struct Accepted {
    id: String,
}

/// Resend's error body: `{"statusCode":422,"name":"validation_error","message":"…"}`.
#[derive(Deserialize)]
struct Refusal {
    name: Option<String>,
    message: Option<String>,
}

impl ResendTransport {
    /// Checks the settings and builds the HTTP client; connects on the first send.
    pub(crate) fn new(base_url: &Url, api_key: &str) -> Result<Self, MailError> {
        if !matches!(base_url.scheme(), "https" | "http") || base_url.cannot_be_a_base() {
            return Err(MailError::InvalidResend(format!(
                "the base URL `{base_url}` must be an http(s) URL such as https://api.resend.com"
            )));
        }
        let mut endpoint = base_url.clone();
        endpoint.set_query(None);
        endpoint
            .path_segments_mut()
            .expect("an http(s) URL has a path")
            .pop_if_empty()
            .push("emails");
        if api_key.trim().is_empty() {
            return Err(MailError::InvalidResend("the API key is empty".into()));
        }
        let mut authorization = HeaderValue::from_str(&format!("Bearer {}", api_key.trim()))
            .map_err(|_| MailError::InvalidResend("the API key has characters no header can carry".into()))?;
        authorization.set_sensitive(true);
        // reqwest panics when no provider is installed; say so as an error instead.
        if rustls::crypto::CryptoProvider::get_default().is_none() {
            return Err(MailError::NoTlsProvider);
        }
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            .user_agent(concat!("jobping-mail/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|err| MailError::InvalidResend(format!("the HTTP client could not be built: {err}")))?;
        Ok(Self {
            client,
            endpoint,
            authorization: Arc::new(authorization),
        })
    }

    /// Sends one email; the id Resend gave it on success.
    pub(crate) async fn deliver(&self, email: &OutgoingEmail, from: &Mailbox) -> Result<String, SendError> {
        let list_unsubscribe = match &email.list_unsubscribe {
            Some(unsubscribe) => {
                if let Some(mailto) = &unsubscribe.mailto {
                    check_mailto(mailto)?;
                }
                Some(unsubscribe.header_value())
            }
            None => None,
        };
        let body = SendEmail {
            from: from.to_string(),
            to: [email.to.as_str()],
            subject: &email.subject,
            html: &email.html,
            text: &email.text,
            headers: Headers {
                list_unsubscribe_post: list_unsubscribe.as_ref().map(|_| "List-Unsubscribe=One-Click"),
                list_unsubscribe,
                kind: email.kind.as_str(),
                auto_submitted: "auto-generated",
            },
        };
        let response = self
            .client
            .post(self.endpoint.clone())
            .header(AUTHORIZATION, self.authorization.as_ref().clone())
            // The email id: a retry of the same email is the same request to Resend,
            // which sends it once (keys are kept for 24 hours).
            .header("Idempotency-Key", email.id.to_string())
            .json(&body)
            .send()
            .await
            .map_err(|err| SendError::Transient(format!("Resend could not be reached: {err}")))?;
        let status = response.status();
        if status.is_redirection() {
            return Err(redirected(status, response.headers()));
        }
        let text = response
            .text()
            .await
            .map_err(|err| SendError::Transient(format!("Resend's answer was cut off ({status}): {err}")))?;
        if status.is_success() {
            return serde_json::from_str::<Accepted>(&text)
                .map(|accepted| accepted.id)
                // Retrying is safe: the idempotency key makes Resend answer as before.
                .map_err(|_| {
                    SendError::Transient(format!(
                        "Resend accepted the email ({status}) but sent no id: {}",
                        quote(&text)
                    ))
                });
        }
        Err(refused(status, &text))
    }
}

/// 429 and 5xx may pass; other 4xx will not. Resend's 409 comes in two kinds: a request
/// with the same key still running (retry later) and the same key with another payload
/// (retrying is useless).
fn refused(status: StatusCode, text: &str) -> SendError {
    let refusal = serde_json::from_str::<Refusal>(text).ok();
    let name = refusal.as_ref().and_then(|r| r.name.as_deref());
    let detail = match (name, refusal.as_ref().and_then(|r| r.message.as_deref())) {
        (Some(name), Some(message)) => format!("{name}: {message}"),
        (None, Some(message)) => message.to_owned(),
        (Some(name), None) => name.to_owned(),
        (None, None) => quote(text),
    };
    let summary = format!("Resend refused the email ({status}): {detail}");
    let transient = status == StatusCode::TOO_MANY_REQUESTS
        || status.is_server_error()
        || (status == StatusCode::CONFLICT && name == Some("concurrent_idempotent_requests"));
    if transient {
        SendError::Transient(summary)
    } else {
        SendError::Permanent(summary)
    }
}

/// A 3xx is the base URL's fault (a proxy, `http` for `https`), not the email's, so it is
/// transient: the email waits for the operator to fix the setting rather than dying.
fn redirected(status: StatusCode, headers: &reqwest::header::HeaderMap) -> SendError {
    let target = headers
        .get(reqwest::header::LOCATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| Url::parse(value).ok())
        .and_then(|url| url.host_str().map(str::to_owned))
        .map_or_else(String::new, |host| format!(" to {host}"));
    SendError::Transient(format!(
        "Resend's base URL answered with a redirect ({status}){target}, which is not followed; \
         check the base URL"
    ))
}

/// A body for an error message: trimmed, cut short, `(empty)` when there is none.
fn quote(text: &str) -> String {
    let text = text.trim();
    if text.is_empty() {
        return "(empty)".to_owned();
    }
    match text.char_indices().nth(MAX_QUOTED) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_endpoint_is_the_base_url_with_emails_appended() {
        let _ = rustls::crypto::ring::default_provider().install_default();
        for (base, endpoint) in [
            ("https://api.resend.com", "https://api.resend.com/emails"),
            ("https://api.resend.com/", "https://api.resend.com/emails"),
            (
                "http://127.0.0.1:9/proxy/resend",
                "http://127.0.0.1:9/proxy/resend/emails",
            ),
        ] {
            let transport = ResendTransport::new(&Url::parse(base).unwrap(), "re_test").unwrap();
            assert_eq!(transport.endpoint.as_str(), endpoint);
        }
    }

    #[tokio::test]
    async fn a_redirect_is_a_transient_failure_and_is_not_followed() {
        use wiremock::matchers::any;
        use wiremock::{Mock, MockServer, ResponseTemplate};

        let _ = rustls::crypto::ring::default_provider().install_default();
        let elsewhere = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"id":"stolen"}"#))
            .mount(&elsewhere)
            .await;
        let resend = MockServer::start().await;
        for status in [301, 307, 308] {
            Mock::given(any())
                .respond_with(
                    ResponseTemplate::new(status)
                        .insert_header("Location", format!("{}/emails", elsewhere.uri())),
                )
                .up_to_n_times(1)
                .mount(&resend)
                .await;
        }
        let transport = ResendTransport::new(&Url::parse(&resend.uri()).unwrap(), "re_test").unwrap();
        let email = OutgoingEmail {
            id: uuid::Uuid::now_v7(),
            to: jobping_core::EmailAddress::parse("ada@example.com").unwrap(),
            kind: crate::EmailKind::Welcome,
            subject: "Hello".into(),
            text: "Hello".into(),
            html: "<p>Hello</p>".into(),
            list_unsubscribe: None,
        };
        let from: Mailbox = "JobPing <jobs@jobping.example>".parse().unwrap();

        for _ in 0..3 {
            let err = transport.deliver(&email, &from).await.unwrap_err();
            let SendError::Transient(message) = &err else {
                panic!("expected a transient failure, got {err:?}")
            };
            assert!(
                message.contains("redirect") && message.contains("not followed"),
                "{message}"
            );
            assert!(message.contains("to 127.0.0.1"), "{message}");
        }
        assert_eq!(elsewhere.received_requests().await.unwrap().len(), 0);
    }

    #[test]
    fn a_long_error_body_is_cut_short() {
        let quoted = quote(&"x".repeat(1000));
        assert_eq!(quoted.chars().count(), MAX_QUOTED + 1);
        assert_eq!(quote("  "), "(empty)");
    }
}
