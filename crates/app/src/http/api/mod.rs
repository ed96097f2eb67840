//! The subscriber JSON API under `/api/v1`, described by the OpenAPI document at
//! `/api/v1/openapi.json`: one module per resource, translating HTTP to the same journey
//! calls the pages make. Errors are problem documents; nothing here is cached.

mod auth;
mod body;
mod error;
mod export;
mod links;
mod matches;
mod me;
mod openapi;
mod preferences;
mod schema;
mod subscribers;
mod tokens;

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use tower_http::set_header::SetResponseHeaderLayer;

pub use self::openapi::ApiDoc;
use super::problem::Problem;
use crate::state::AppState;

/// Every `/api/v1` route of the subscriber API.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(subscribers::router())
        .merge(links::router())
        .merge(me::router())
        .merge(export::router())
        .merge(preferences::router())
        .merge(matches::router())
        .merge(tokens::router())
        .merge(openapi::router())
        // Unknown addresses under the API get the site's 404 problem, uncached like the rest.
        .route("/api/v1/{*rest}", any(super::problem::not_found))
        .layer(axum::middleware::map_response(method_not_allowed))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
}

/// axum answers a known path with the wrong method with an empty 405: give it a problem
/// document too, keeping its `Allow` header.
async fn method_not_allowed(response: Response) -> Response {
    if response.status() != StatusCode::METHOD_NOT_ALLOWED
        || response.headers().contains_key(header::CONTENT_TYPE)
    {
        return response;
    }
    let (parts, _) = response.into_parts();
    let mut problem = Problem::new(StatusCode::METHOD_NOT_ALLOWED)
        .detail("This address does not take that method: `Allow` lists the ones it takes.")
        .into_response();
    if let Some(allow) = parts.headers.get(header::ALLOW) {
        problem.headers_mut().insert(header::ALLOW, allow.clone());
    }
    problem
}
