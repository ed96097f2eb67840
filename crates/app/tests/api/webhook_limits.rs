//! Webhooks check signatures before any limit: requests without a valid signature are
//! limited per client address (and source), so no amount of someone else's traffic makes
//! a correctly signed Stripe or Resend event wait; extreme timestamps are refused, not a
//! panic.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{KeyInit, Mac};
use jobping::billing::signature;
use reqwest::StatusCode;
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::helpers::{Options, TestApp};
use crate::limiter_test;
use crate::limits::{assert_limited, header, options};

const STRIPE_SECRET: &str = "whsec_9d2f61c0a4be4c3b8e7a55f01c6d2e93";
const RESEND_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const NOT_OURS: &str = "whsec_c2VjcmV0LXRoYXQtaXMtbm90LW91cnMtMTIz";

/// Both webhooks on, behind a trusted proxy (the test client) so that each request can
/// come from the address it names, with three unsigned requests a minute per client.
fn webhooks_on() -> Options {
    options(&[
        ("STRIPE_SECRET_KEY", "sk_test_51Jobping0000fictional"),
        ("STRIPE_WEBHOOK_SECRET", STRIPE_SECRET),
        ("STRIPE_PRICE_MONTHLY", "price_1QpremiumMonthly"),
        // Never called: the events here change nothing at Stripe.
        ("JOBPING_STRIPE_BASE_URL", "http://127.0.0.1:9"),
        ("RESEND_WEBHOOK_SECRET", RESEND_SECRET),
        ("JOBPING_TRUSTED_PROXIES", "127.0.0.1/32, ::1"),
        ("JOBPING_LIMIT_WEBHOOK", "3/1m"),
    ])
}

fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

fn svix_headers(id: &str, at: &str, body: &str, secret: &str) -> Vec<(&'static str, String)> {
    let key = STANDARD.decode(secret.strip_prefix("whsec_").unwrap()).unwrap();
    let mut mac = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{at}.{body}").as_bytes());
    let signature = STANDARD.encode(mac.finalize().into_bytes());
    vec![
        ("svix-id", id.to_owned()),
        ("svix-timestamp", at.to_owned()),
        ("svix-signature", format!("v1,{signature}")),
    ]
}

impl TestApp {
    /// Posts `body` to `/api/v1/webhooks/{source}` from `client`, with `headers`.
    async fn webhook(
        &self,
        source: &str,
        client: &str,
        headers: &[(&'static str, String)],
        body: &str,
    ) -> reqwest::Response {
        let mut request = self
            .client
            .post(format!("{}/api/v1/webhooks/{source}", self.address))
            .header("content-type", "application/json")
            .header("x-forwarded-for", client)
            .body(body.to_owned());
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        request.send().await.unwrap()
    }
}

fn stripe_event(id: &str) -> String {
    json!({ "id": id, "object": "event", "type": "customer.created", "created": now(),
            "data": { "object": { "id": "cus_QfictionalAda", "object": "customer" } } })
    .to_string()
}

/// Unsigned and badly signed requests alternately, `per_client` from each of `clients`.
async fn flood(app: &TestApp, source: &str, clients: &[String], per_client: usize, refused: StatusCode) {
    let body = if source == "stripe" {
        stripe_event("evt_forged")
    } else {
        r#"{"type":"email.complained","data":{"to":["kim@example.com"]}}"#.to_owned()
    };
    for client in clients {
        for n in 0..per_client {
            let headers = match (source, n % 2) {
                (_, 0) => Vec::new(),
                ("stripe", _) => vec![(
                    "stripe-signature",
                    signature::sign(NOT_OURS, now(), body.as_bytes()),
                )],
                _ => svix_headers("msg_forged", &now().to_string(), &body, NOT_OURS),
            };
            let answer = app.webhook(source, client, &headers, &body).await;
            if n < 3 {
                assert_eq!(answer.status(), refused, "request {n} from {client}");
                assert_eq!(header(&answer, "ratelimit-limit"), "3");
            } else {
                assert_limited(answer, "3").await;
            }
        }
    }
}

fn clients(range: std::ops::Range<u8>) -> Vec<String> {
    range.map(|n| format!("203.0.113.{n}")).collect()
}

limiter_test!(
    unsigned_stripe_traffic_never_makes_a_signed_event_wait,
    webhooks_on,
    |app: TestApp| async move {
        flood(&app, "stripe", &clients(1..6), 5, StatusCode::BAD_REQUEST).await;
        // Another client is not refused for their traffic.
        let other = app.webhook("stripe", "203.0.113.200", &[], "{}").await;
        assert_eq!(other.status(), StatusCode::BAD_REQUEST);
        // A signed event gets through, even from an address that is over its limit.
        for (n, client) in ["198.51.100.77", "203.0.113.1"].into_iter().enumerate() {
            let body = stripe_event(&format!("evt_signed_{n}"));
            let signed = vec![(
                "stripe-signature",
                signature::sign(STRIPE_SECRET, now(), body.as_bytes()),
            )];
            let answer = app.webhook("stripe", client, &signed, &body).await;
            assert_eq!(answer.status(), StatusCode::OK, "from {client}");
            assert_eq!(answer.json::<Value>().await.unwrap()["status"], "ignored");
        }
    }
);

limiter_test!(
    unsigned_email_events_never_make_a_signed_event_wait,
    webhooks_on,
    |app: TestApp| async move {
        flood(&app, "email", &clients(1..6), 5, StatusCode::UNAUTHORIZED).await;
        // Each source counts apart: the same client's Stripe allowance is whole.
        let stripe = app.webhook("stripe", "203.0.113.1", &[], "{}").await;
        assert_eq!(stripe.status(), StatusCode::BAD_REQUEST);
        let body = r#"{"type":"email.delivered","data":{"email_id":"4ef9a417","to":["kim@example.com"]}}"#;
        for (n, client) in ["198.51.100.77", "203.0.113.1"].into_iter().enumerate() {
            let headers = svix_headers(
                &format!("msg_signed_{n}"),
                &now().to_string(),
                body,
                RESEND_SECRET,
            );
            let answer = app.webhook("email", client, &headers, body).await;
            assert_eq!(answer.status(), StatusCode::OK, "from {client}");
            assert_eq!(answer.json::<Value>().await.unwrap()["status"], "recorded");
        }
    }
);

limiter_test!(
    webhook_timestamps_at_the_ends_of_i64_are_refused_not_a_panic,
    webhooks_on,
    |app: TestApp| async move {
        let body = stripe_event("evt_extreme");
        for extreme in [i64::MIN, i64::MAX] {
            let stripe = vec![(
                "stripe-signature",
                signature::sign(STRIPE_SECRET, extreme, body.as_bytes()),
            )];
            let answer = app.webhook("stripe", "198.51.100.1", &stripe, &body).await;
            assert_eq!(answer.status(), StatusCode::BAD_REQUEST, "t={extreme}");
            let problem: Value = answer.json().await.unwrap();
            assert!(
                problem["detail"].as_str().unwrap().contains("five minutes"),
                "{problem}"
            );
            // The email webhook answers every signature refusal 401, as it always has.
            let svix = svix_headers("msg_extreme", &extreme.to_string(), &body, RESEND_SECRET);
            let answer = app.webhook("email", "198.51.100.2", &svix, &body).await;
            assert_eq!(answer.status(), StatusCode::UNAUTHORIZED, "t={extreme}");
            let problem: Value = answer.json().await.unwrap();
            assert!(
                problem["detail"].as_str().unwrap().contains("five minutes"),
                "{problem}"
            );
        }
    }
);
