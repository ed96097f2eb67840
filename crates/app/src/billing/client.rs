//! Stripe's REST API, the three calls JobPing makes: start a Checkout Session, open the
//! customer portal, cancel a subscription. Requests are form-encoded with the secret key
//! as a bearer token, a pinned `Stripe-Version` and an `Idempotency-Key`, so a retried
//! request never makes a second session or subscription.

use std::time::Duration;

use serde::Deserialize;
use url::Url;
use uuid::Uuid;

use crate::settings::{Secret, StripeSettings};

/// The API version every request is made with (webhook payloads follow the endpoint's
/// version, so the event reader accepts the newer shapes too).
pub const STRIPE_VERSION: &str = "2024-06-20";

/// Attempts per request when Stripe cannot be reached or answers 429/5xx.
const ATTEMPTS: u32 = 3;

/// Why a Stripe call failed. The message is safe to log and never holds the key.
#[derive(Debug, thiserror::Error)]
pub enum StripeError {
    #[error("Stripe could not be reached: {0}")]
    Unreachable(String),
    /// Stripe answered with its error object.
    #[error("Stripe refused the request ({status}, {kind}): {message}")]
    Refused {
        status: u16,
        kind: String,
        message: String,
    },
    #[error("Stripe's answer was not understood: {0}")]
    Unexpected(String),
}

/// A Stripe client for one account and one price.
pub struct Stripe {
    client: reqwest::Client,
    base_url: Url,
    secret_key: Secret,
    price: String,
}

/// What a Checkout Session is made for.
pub struct CheckoutRequest<'a> {
    pub subscriber: Uuid,
    pub email: &'a str,
    /// The customer from an earlier subscription, so Stripe keeps one customer per person.
    pub customer: Option<&'a str>,
    pub success_url: &'a Url,
    pub cancel_url: &'a Url,
    /// Two submits of the same checkout (a double click) get the same session.
    pub idempotency_key: &'a str,
}

#[derive(Deserialize)]
struct SessionAnswer {
    url: Option<String>,
}

#[derive(Deserialize)]
struct ErrorAnswer {
    error: ErrorObject,
}

#[derive(Deserialize)]
struct ErrorObject {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    code: Option<String>,
}

impl Stripe {
    /// The client, when billing is on (all three Stripe settings present).
    pub fn from_settings(settings: &StripeSettings) -> anyhow::Result<Option<Self>> {
        let (Some(secret_key), Some(price)) = (&settings.secret_key, &settings.price_monthly) else {
            return Ok(None);
        };
        let client = reqwest::Client::builder()
            .user_agent(concat!("JobPing/", env!("CARGO_PKG_VERSION"), " (billing)"))
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(20))
            .build()?;
        Ok(Some(Self {
            client,
            base_url: settings.base_url.clone(),
            secret_key: secret_key.clone(),
            price: price.clone(),
        }))
    }

    /// Starts a Checkout Session in subscription mode; returns the page to send the
    /// person to.
    pub async fn checkout(&self, request: &CheckoutRequest<'_>) -> Result<Url, StripeError> {
        let subscriber = request.subscriber.to_string();
        let mut form: Vec<(&str, &str)> = vec![
            ("mode", "subscription"),
            ("line_items[0][price]", &self.price),
            ("line_items[0][quantity]", "1"),
            ("client_reference_id", &subscriber),
            ("metadata[subscriber]", &subscriber),
            ("subscription_data[metadata][subscriber]", &subscriber),
            ("success_url", request.success_url.as_str()),
            ("cancel_url", request.cancel_url.as_str()),
        ];
        match request.customer {
            Some(customer) => form.push(("customer", customer)),
            None => form.push(("customer_email", request.email)),
        }
        let answer: SessionAnswer = self
            .post("/v1/checkout/sessions", &form, request.idempotency_key)
            .await?;
        session_url(answer)
    }

    /// A customer-portal session where the customer manages or cancels their plan.
    pub async fn portal(&self, customer: &str, return_url: &Url) -> Result<Url, StripeError> {
        let key = format!("portal:{}", Uuid::now_v7());
        let form = [("customer", customer), ("return_url", return_url.as_str())];
        let answer: SessionAnswer = self.post("/v1/billing_portal/sessions", &form, &key).await?;
        session_url(answer)
    }

    /// Cancels a subscription at once (the account is being erased). A subscription
    /// Stripe no longer knows counts as cancelled.
    pub async fn cancel_subscription(&self, subscription: &str) -> Result<(), StripeError> {
        let path = format!("/v1/subscriptions/{}", urlencode(subscription));
        let key = format!("cancel:{subscription}");
        match self
            .send::<serde_json::Value>(reqwest::Method::DELETE, &path, &[], &key)
            .await
        {
            Ok(_) => Ok(()),
            Err(StripeError::Refused { status: 404, .. }) => Ok(()),
            Err(err) => Err(err),
        }
    }

    async fn post<T: for<'de> Deserialize<'de>>(
        &self,
        path: &str,
        form: &[(&str, &str)],
        idempotency_key: &str,
    ) -> Result<T, StripeError> {
        self.send(reqwest::Method::POST, path, form, idempotency_key)
            .await
    }

    async fn send<T: for<'de> Deserialize<'de>>(
        &self,
        method: reqwest::Method,
        path: &str,
        form: &[(&str, &str)],
        idempotency_key: &str,
    ) -> Result<T, StripeError> {
        let mut url = self.base_url.clone();
        url.set_path(path);
        let mut last = StripeError::Unreachable("no attempt made".into());
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(250 * 4_u64.pow(attempt - 1))).await;
            }
            let mut request = self
                .client
                .request(method.clone(), url.clone())
                .bearer_auth(self.secret_key.expose())
                .header("Stripe-Version", STRIPE_VERSION)
                .header("Idempotency-Key", idempotency_key);
            if !form.is_empty() {
                request = request.form(form);
            }
            let response = match request.send().await {
                Ok(response) => response,
                Err(err) => {
                    last = StripeError::Unreachable(without_url(&err));
                    continue;
                }
            };
            let status = response.status();
            let body = match response.bytes().await {
                Ok(body) => body,
                Err(err) => {
                    last = StripeError::Unreachable(without_url(&err));
                    continue;
                }
            };
            if status.is_success() {
                return serde_json::from_slice(&body).map_err(|err| StripeError::Unexpected(err.to_string()));
            }
            let refused = match serde_json::from_slice::<ErrorAnswer>(&body) {
                Ok(answer) => StripeError::Refused {
                    status: status.as_u16(),
                    kind: match answer.error.code {
                        Some(code) => format!("{}/{code}", answer.error.kind),
                        None => answer.error.kind,
                    },
                    message: answer.error.message,
                },
                Err(_) => StripeError::Refused {
                    status: status.as_u16(),
                    kind: "unknown".into(),
                    message: format!("an answer without Stripe's error object ({} bytes)", body.len()),
                },
            };
            // Only rate limits and Stripe's own failures are worth another try; the
            // idempotency key makes the retry safe.
            if status.as_u16() == 429 || status.is_server_error() {
                last = refused;
                continue;
            }
            return Err(refused);
        }
        Err(last)
    }
}

fn session_url(answer: SessionAnswer) -> Result<Url, StripeError> {
    let url = answer
        .url
        .ok_or_else(|| StripeError::Unexpected("the session has no url".into()))?;
    Url::parse(&url).map_err(|err| StripeError::Unexpected(format!("the session url does not parse: {err}")))
}

/// A reqwest error's message, without the URL it may carry.
fn without_url(err: &reqwest::Error) -> String {
    let kind = if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "connection failed"
    } else {
        "request failed"
    };
    format!(
        "{kind}: {}",
        std::error::Error::source(err).map_or_else(String::new, ToString::to_string)
    )
}

/// Stripe ids are `[A-Za-z0-9_]`; anything else is escaped rather than trusted in a path.
fn urlencode(id: &str) -> String {
    id.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'_' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
