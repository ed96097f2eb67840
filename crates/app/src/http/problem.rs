//! Errors as `application/problem+json` (RFC 9457), with a field list for validation.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// One field that failed validation, named as the client sent it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// A problem document.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

impl Problem {
    /// A problem with the status's own title and no specific type.
    pub fn new(status: StatusCode) -> Self {
        Self {
            kind: "about:blank".to_owned(),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: None,
            errors: Vec::new(),
        }
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// A 500 that tells the client nothing about the inside.
    pub fn internal() -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR)
            .detail("Something went wrong on our side. It has been logged; please try again later.")
    }
}

/// How long a client should wait before trying again when the database is away.
const UNAVAILABLE_RETRY_AFTER_SECONDS: u32 = 5;

/// The answer for a request that failed inside: 503 with `Retry-After` when the database
/// could not be reached (worth retrying shortly), else a 500 that says nothing of the
/// inside. Either way the full cause is logged once, with `what` failed.
pub fn failure(err: &anyhow::Error, what: &'static str) -> Response {
    if jobping_store::is_unavailable(err) {
        tracing::warn!(error = format!("{err:#}"), what, "the database is unavailable");
        unavailable_response(
            Problem::new(StatusCode::SERVICE_UNAVAILABLE)
                .detail("We cannot reach our database just now. Nothing was changed; please try again in a moment.")
                .into_response(),
        )
    } else {
        tracing::error!(error = format!("{err:#}"), what, "a request failed");
        Problem::internal().into_response()
    }
}

/// Adds `Retry-After` to a 503.
pub fn unavailable_response(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::RETRY_AFTER,
        HeaderValue::from(UNAVAILABLE_RETRY_AFTER_SECONDS),
    );
    response
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, axum::Json(&self)).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        response
    }
}

/// The answer for a route that does not exist.
pub async fn not_found() -> Problem {
    Problem::new(StatusCode::NOT_FOUND).detail("There is nothing at this address.")
}
