//! `/metrics` in Prometheus text format, and the metrics listener's routes.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use time::OffsetDateTime;

use super::operator_read::{ReadAccess, read_access};
use crate::state::AppState;

/// The metrics listener (`JOBPING_METRICS_BIND`), reachable only where the operator
/// binds it: `/metrics`, and `/ready` with every dependency's details.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/metrics", get(render))
        .route("/ready", get(super::health::ready_in_full))
}

/// `/metrics` on the main, public listener: only for an admin key with `read`.
pub(super) fn guarded_router() -> Router<AppState> {
    Router::new().route("/metrics", get(render_for_operators))
}

async fn render_for_operators(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match read_access(&state, &headers, "/metrics").await {
        ReadAccess::Granted => render(State(state)).await.into_response(),
        ReadAccess::Refused(response) => response,
        ReadAccess::Unchecked(err) => super::problem::failure(&err, "checking the admin key for /metrics"),
    }
}

/// Refreshes the queue gauges from the store, then renders every metric.
async fn render(State(state): State<AppState>) -> impl IntoResponse {
    match state.store.queue_stats(OffsetDateTime::now_utc()).await {
        Ok(stats) => {
            for (label, count) in [
                ("pending", stats.pending),
                ("due", stats.due),
                ("running", stats.running),
                ("dead", stats.dead),
            ] {
                metrics::gauge!("jobping_queue_tasks", "state" => label).set(count as f64);
            }
            metrics::gauge!("jobping_queue_oldest_due_age_seconds")
                .set(stats.oldest_due_age_seconds.unwrap_or(0.0));
        }
        Err(err) => tracing::warn!(
            error = format!("{err:#}"),
            "metrics: could not read the queue's depth"
        ),
    }
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        state.metrics.render(),
    )
}
