//! `/api/v1/webhooks/email`: Resend's delivery events, signed the Svix way. A hard
//! bounce or a complaint puts the address on the suppression list, so nothing more is
//! sent to it; every event id is kept once, so a replay changes nothing.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Extension, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{KeyInit, Mac};
use jobping_core::EmailAddress;
use jobping_store::{EmailEvent, SuppressionReason};
use serde::Deserialize;
use serde_json::json;
use sha2::Sha256;
use time::OffsetDateTime;

use super::problem::Problem;
use crate::http::limit;
use crate::limits::ClientIp;
use crate::state::AppState;

/// How far a signed timestamp may be from our clock.
const TOLERANCE_SECONDS: u64 = 300;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/webhooks/email", post(email_event))
}

/// Why a webhook request is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the {0} header is missing")]
    Missing(&'static str),
    #[error("svix-timestamp is not a Unix time in seconds")]
    BadTimestamp,
    #[error("svix-timestamp is more than five minutes away from now")]
    Stale,
    #[error("no signature in svix-signature matches the body")]
    Mismatch,
}

/// Checks a Svix signature: HMAC-SHA256 over `id.timestamp.body` under the secret's
/// decoded bytes, any of the space-separated `v1,<base64>` values matching, compared in
/// constant time, with the timestamp within five minutes.
pub fn verify_svix(
    secret: &str,
    headers: &HeaderMap,
    body: &[u8],
    now: OffsetDateTime,
) -> Result<(), SignatureError> {
    let header = |name: &'static str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .ok_or(SignatureError::Missing(name))
    };
    let id = header("svix-id")?;
    let timestamp = header("svix-timestamp")?;
    let signatures = header("svix-signature")?;
    let seconds: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| SignatureError::BadTimestamp)?;
    // `abs_diff`: a subtraction would overflow for timestamps near i64::MIN or MAX.
    if now.unix_timestamp().abs_diff(seconds) > TOLERANCE_SECONDS {
        return Err(SignatureError::Stale);
    }
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap_or(secret))
        .map_err(|_| SignatureError::Mismatch)?;
    let matches = signatures
        .split_whitespace()
        .filter_map(|entry| entry.strip_prefix("v1,"))
        .filter_map(|b64| STANDARD.decode(b64).ok())
        .any(|given| {
            let mut mac = <hmac::Hmac<Sha256> as KeyInit>::new_from_slice(&key).expect("any key length");
            mac.update(id.as_bytes());
            mac.update(b".");
            mac.update(timestamp.trim().as_bytes());
            mac.update(b".");
            mac.update(body);
            mac.verify_slice(&given).is_ok()
        });
    if matches {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

#[derive(Debug, Deserialize)]
struct Event {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default, with = "time::serde::rfc3339::option")]
    created_at: Option<OffsetDateTime>,
    #[serde(default)]
    data: EventData,
}

#[derive(Debug, Default, Deserialize)]
struct EventData {
    email_id: Option<String>,
    #[serde(default)]
    to: Vec<String>,
    bounce: Option<Bounce>,
}

#[derive(Debug, Deserialize)]
struct Bounce {
    #[serde(rename = "type")]
    kind: Option<String>,
}

async fn email_event(
    State(state): State<AppState>,
    Extension(ClientIp(client)): Extension<ClientIp>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(secret) = &state.settings.mail.resend_webhook_secret else {
        let off = Problem::new(StatusCode::SERVICE_UNAVAILABLE)
            .detail("Email events are not accepted: RESEND_WEBHOOK_SECRET is not set.")
            .into_response();
        return limit::unsigned_webhook(&state, "email", client, off).await;
    };
    let now = OffsetDateTime::now_utc();
    if let Err(err) = verify_svix(secret.expose(), &headers, &body, now) {
        tracing::warn!(error = %err, "refused an email webhook");
        let refused = Problem::new(StatusCode::UNAUTHORIZED)
            .detail(err.to_string())
            .into_response();
        return limit::unsigned_webhook(&state, "email", client, refused).await;
    }
    let event: Event = match serde_json::from_slice(&body) {
        Ok(event) => event,
        Err(err) => {
            return Problem::new(StatusCode::BAD_REQUEST)
                .detail(format!("the event is not a Resend event: {err}"))
                .into_response();
        }
    };
    match handle(&state, &headers, event, now).await {
        Ok(status) => (StatusCode::OK, axum::Json(json!({ "status": status }))).into_response(),
        Err(err) => crate::http::problem::failure(&err, "an email webhook"),
    }
}

async fn handle(
    state: &AppState,
    headers: &HeaderMap,
    event: Event,
    now: OffsetDateTime,
) -> anyhow::Result<&'static str> {
    let id = headers
        .get("svix-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let address = event.data.to.first().and_then(|to| EmailAddress::parse(to).ok());
    let fresh = state
        .store
        .record_email_event(&EmailEvent {
            event_id: id,
            kind: event.kind.clone(),
            email_hash: address.as_ref().map(EmailAddress::hashed),
            provider_message_id: event.data.email_id.clone(),
            occurred_at: event.created_at.unwrap_or(now),
            received_at: now,
        })
        .await?;
    if !fresh {
        return Ok("replay");
    }
    metrics::counter!("jobping_email_events_total", "kind" => event.kind.clone()).increment(1);
    let suppression = match event.kind.as_str() {
        "email.bounced" => {
            // A soft bounce (a full mailbox) is left to the next attempt.
            let hard = event
                .data
                .bounce
                .as_ref()
                .and_then(|b| b.kind.as_deref())
                .is_none_or(|kind| {
                    kind.eq_ignore_ascii_case("permanent") || kind.eq_ignore_ascii_case("hard")
                });
            hard.then_some(SuppressionReason::Bounced)
        }
        "email.complained" => Some(SuppressionReason::Complained),
        _ => None,
    };
    match (suppression, address) {
        (Some(reason), Some(address)) => {
            state.store.suppress(&address.hashed(), reason, now).await?;
            tracing::info!(email = %address.masked(), reason = reason.as_str(), "address suppressed");
            Ok("suppressed")
        }
        _ => Ok("recorded"),
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    fn signed(id: &str, timestamp: i64, body: &[u8], secret: &str) -> HeaderMap {
        let key = STANDARD.decode(secret.strip_prefix("whsec_").unwrap()).unwrap();
        let mut mac = <hmac::Hmac<Sha256> as KeyInit>::new_from_slice(&key).unwrap();
        mac.update(format!("{id}.{timestamp}.").as_bytes());
        mac.update(body);
        let signature = STANDARD.encode(mac.finalize().into_bytes());
        let mut headers = HeaderMap::new();
        headers.insert("svix-id", HeaderValue::from_str(id).unwrap());
        headers.insert(
            "svix-timestamp",
            HeaderValue::from_str(&timestamp.to_string()).unwrap(),
        );
        headers.insert(
            "svix-signature",
            HeaderValue::from_str(&format!("v1,bm90IGl0 v1,{signature}")).unwrap(),
        );
        headers
    }

    fn now() -> OffsetDateTime {
        time::macros::datetime!(2026-12-03 10:00 UTC)
    }

    #[test]
    fn a_signature_made_the_svix_way_verifies_among_several() {
        let body = br#"{"type":"email.delivered"}"#;
        let headers = signed("msg_1", now().unix_timestamp(), body, SECRET);
        assert_eq!(verify_svix(SECRET, &headers, body, now()), Ok(()));
    }

    #[test]
    fn a_tampered_body_a_wrong_secret_or_a_stale_timestamp_is_refused() {
        let body = br#"{"type":"email.delivered"}"#;
        let headers = signed("msg_1", now().unix_timestamp(), body, SECRET);
        assert_eq!(
            verify_svix(SECRET, &headers, br#"{"type":"email.bounced"}"#, now()),
            Err(SignatureError::Mismatch)
        );
        let other = "whsec_c2VjcmV0LXRoYXQtaXMtbm90LW91cnMtMTIz";
        assert_eq!(
            verify_svix(other, &headers, body, now()),
            Err(SignatureError::Mismatch)
        );
        let old = signed("msg_1", now().unix_timestamp() - 301, body, SECRET);
        assert_eq!(verify_svix(SECRET, &old, body, now()), Err(SignatureError::Stale));
        let future = signed("msg_1", now().unix_timestamp() + 301, body, SECRET);
        assert_eq!(
            verify_svix(SECRET, &future, body, now()),
            Err(SignatureError::Stale)
        );
    }

    #[test]
    fn timestamps_at_the_ends_of_i64_are_stale_not_a_panic() {
        let body = br#"{"type":"email.delivered"}"#;
        for extreme in [i64::MIN, i64::MAX] {
            let headers = signed("msg_1", extreme, body, SECRET);
            assert_eq!(
                verify_svix(SECRET, &headers, body, now()),
                Err(SignatureError::Stale),
                "{extreme}"
            );
        }
    }

    #[test]
    fn missing_headers_are_named() {
        assert_eq!(
            verify_svix(SECRET, &HeaderMap::new(), b"{}", now()),
            Err(SignatureError::Missing("svix-id"))
        );
    }
}
