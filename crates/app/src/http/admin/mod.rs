//! Operator access over HTTP: the admin JSON API under `/api/v1/admin` (bearer admin
//! keys) and the `/admin` console (a session cookie made from a key). Nothing here is
//! ever cached.

mod api;
mod charts;
mod console;

use axum::Router;
use axum::http::{HeaderValue, header};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::state::AppState;

/// Every admin route, API and console.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(api::router())
        .merge(console::router())
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
}

pub use self::api::{AdminApiDoc, SwitchChange, TriggerScrape};
