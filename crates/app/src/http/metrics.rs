//! `/metrics` in Prometheus text format.

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use time::OffsetDateTime;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/metrics", get(render))
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
