//! The HTTP side: routes (one module per resource) and the middleware every request
//! passes through.

pub mod admin;
pub mod api;
mod explain;
mod health;
pub mod limit;
pub mod metrics;
mod middleware;
mod operator_read;
pub mod pages;
pub mod problem;
pub mod serve;
mod stripe;
pub mod webhooks;

use axum::Router;
use axum::extract::DefaultBodyLimit;

use crate::state::AppState;

/// Every route, with the middleware stack. `/metrics` is for operators: here behind an
/// admin key with `read`, or left out when it has a listener of its own.
pub fn router(state: AppState) -> Router {
    let mut routes = Router::new()
        .merge(health::router())
        .merge(pages::router())
        .merge(webhooks::router())
        .merge(stripe::router())
        .merge(admin::router())
        .merge(api::router());
    if state.settings.metrics_bind.is_none() {
        routes = routes.merge(metrics::guarded_router());
    }
    let routes = routes
        .fallback(problem::not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), limit::paths))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            limit::client_address,
        ))
        .layer(axum::middleware::from_fn(middleware::record_metrics))
        .layer(DefaultBodyLimit::max(state.settings.http.body_limit_bytes));
    middleware::stack(routes, &state.settings).with_state(state)
}
