//! `/api/v1/webhooks/stripe`: Stripe's events, verified on the raw body before anything
//! is read. Each event id is kept once (a replay changes nothing); an event older than
//! what the subscription already reflects changes nothing; unknown types are answered
//! 200 and ignored; a body that cannot be read is 400 and changes nothing.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Extension, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use jobping_store::BillingOutcome;
use serde_json::json;
use time::OffsetDateTime;

use super::problem::Problem;
use crate::billing::events::{self, Handling};
use crate::billing::{self, signature};
use crate::http::limit;
use crate::limits::ClientIp;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/webhooks/stripe", post(stripe_event))
}

async fn stripe_event(
    State(state): State<AppState>,
    Extension(ClientIp(client)): Extension<ClientIp>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(secret) = state
        .settings
        .stripe
        .webhook_secret
        .as_ref()
        .filter(|_| state.stripe.is_some())
    else {
        let off = Problem::new(StatusCode::SERVICE_UNAVAILABLE)
            .detail("Billing is off: STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET and STRIPE_PRICE_MONTHLY are not set.")
            .into_response();
        return limit::unsigned_webhook(&state, "stripe", client, off).await;
    };
    let now = OffsetDateTime::now_utc();
    let header = headers.get("stripe-signature").and_then(|v| v.to_str().ok());
    if let Err(err) = signature::verify(secret.expose(), header, &body, now) {
        tracing::warn!(error = %err, "refused a Stripe webhook");
        metrics::counter!("jobping_stripe_events_total", "outcome" => "refused").increment(1);
        let refused = Problem::new(StatusCode::BAD_REQUEST)
            .detail(err.to_string())
            .into_response();
        return limit::unsigned_webhook(&state, "stripe", client, refused).await;
    }
    let notice = match events::read(&body) {
        Ok(Handling::Apply(notice)) => notice,
        Ok(Handling::Ignore { id, kind }) => {
            tracing::debug!(event = %id, kind = %kind, "a Stripe event JobPing does not act on");
            return answer("ignored");
        }
        Err(err) => {
            metrics::counter!("jobping_stripe_events_total", "outcome" => "malformed").increment(1);
            return Problem::new(StatusCode::BAD_REQUEST)
                .detail(format!("the body is not a Stripe event JobPing can read: {err}"))
                .into_response();
        }
    };
    let (id, kind) = (notice.id.clone(), notice.kind.clone());
    match billing::apply(&state, notice, now).await {
        Ok(outcome) => {
            let status = match outcome {
                BillingOutcome::Replay => "replay",
                BillingOutcome::Recorded { stale: true, .. } => "stale",
                BillingOutcome::Recorded { subscriber: None, .. } => "unknown_customer",
                BillingOutcome::Recorded { .. } => "recorded",
                BillingOutcome::Applied {
                    tier_before,
                    tier_after,
                    ..
                } if tier_before != tier_after => {
                    tracing::info!(
                        event = %id,
                        kind = %kind,
                        from = tier_before.as_str(),
                        to = tier_after.as_str(),
                        "tier changed by Stripe"
                    );
                    "tier_changed"
                }
                BillingOutcome::Applied { .. } => "applied",
            };
            metrics::counter!("jobping_stripe_events_total", "outcome" => status).increment(1);
            answer(status)
        }
        Err(err) => {
            // Stripe retries on a 5xx: nothing was kept, so the retry is applied fresh.
            tracing::error!(error = format!("{err:#}"), event = %id, "a Stripe webhook failed");
            Problem::new(StatusCode::SERVICE_UNAVAILABLE)
                .detail(
                    "The event could not be stored just now; nothing was changed. Stripe will send it again.",
                )
                .into_response()
        }
    }
}

fn answer(status: &'static str) -> Response {
    (StatusCode::OK, axum::Json(json!({ "status": status }))).into_response()
}
