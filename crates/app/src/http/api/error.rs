//! What can go wrong in an API call, and its one mapping to problem documents.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::http::problem::{FieldError, Problem};
use crate::journey::JourneyError;

/// The one detail for every token that cannot be used: it never says which check failed.
const BAD_TOKEN: &str = "The token is invalid or has expired. Ask for a new link with POST /api/v1/links.";

/// Why an API call did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request could not be read (400, 413, 415), perhaps naming a field.
    #[error("the request could not be read: {detail}")]
    Unreadable {
        status: StatusCode,
        detail: String,
        errors: Vec<FieldError>,
    },
    /// Fields are wrong (422); each is named by its path in the request body.
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    /// No token was sent where one is needed.
    #[error("no token")]
    NoToken,
    /// The token is invalid, expired, used, for another purpose, or its subscriber is
    /// gone. One answer for all, on purpose.
    #[error("bad token")]
    BadToken,
    /// Over a rate limit, or the shared limiter is down (503).
    #[error("refused by a rate limit")]
    Limited(crate::http::limit::Refusal, &'static str),
    /// The stored data no longer passes the checks (e.g. the vocabulary changed).
    #[error("conflict: {detail}")]
    Conflict { detail: String, errors: Vec<FieldError> },
    /// An outside service (Stripe) failed; nothing was changed (502).
    #[error("upstream: {0}")]
    Upstream(String),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl ApiError {
    /// A 400 naming one query parameter or field.
    pub fn bad_field(field: &str, message: impl Into<String>) -> Self {
        Self::Unreadable {
            status: StatusCode::BAD_REQUEST,
            detail: format!("`{field}` is not valid."),
            errors: vec![FieldError {
                field: field.to_owned(),
                message: message.into(),
            }],
        }
    }

    /// Journey field errors, each field named with `prefix` (the path of the object
    /// that was checked inside the request body, or "" for the body itself).
    pub fn invalid(errors: Vec<jobping_core::FieldError>, prefix: &str) -> Self {
        Self::Invalid(fields(errors, prefix))
    }
}

/// Core field errors as the problem document lists them, under `prefix`.
pub fn fields(errors: Vec<jobping_core::FieldError>, prefix: &str) -> Vec<FieldError> {
    errors
        .into_iter()
        .map(|e| FieldError {
            field: if prefix.is_empty() {
                e.field
            } else {
                format!("{prefix}.{}", e.field)
            },
            message: e.message,
        })
        .collect()
}

impl From<JourneyError> for ApiError {
    fn from(err: JourneyError) -> Self {
        match err {
            JourneyError::Invalid(errors) => Self::invalid(errors, ""),
            JourneyError::BadLink => Self::BadToken,
            JourneyError::Upstream(message) => Self::Upstream(message),
            JourneyError::Unexpected(err) => Self::Unexpected(err),
        }
    }
}

impl From<jobping_store::StoreError> for ApiError {
    fn from(err: jobping_store::StoreError) -> Self {
        Self::Unexpected(err.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            Self::Unreadable {
                status,
                detail,
                errors,
            } => Problem {
                errors,
                ..Problem::new(status).detail(detail)
            }
            .into_response(),
            Self::Invalid(errors) => Problem {
                errors,
                ..Problem::new(StatusCode::UNPROCESSABLE_ENTITY)
                    .detail("Some fields are not valid: each is named in `errors`.")
            }
            .into_response(),
            Self::NoToken => unauthorized(
                "This needs a token: send `Authorization: Bearer <token>`.",
                r#"Bearer realm="jobping""#,
            ),
            Self::BadToken => unauthorized(BAD_TOKEN, r#"Bearer realm="jobping", error="invalid_token""#),
            Self::Limited(refusal, what) => refusal.problem(what),
            Self::Conflict { detail, errors } => Problem {
                errors,
                ..Problem::new(StatusCode::CONFLICT).detail(detail)
            }
            .into_response(),
            Self::Upstream(message) => Problem::new(StatusCode::BAD_GATEWAY)
                .detail(message)
                .into_response(),
            Self::Unexpected(err) => crate::http::problem::failure(&err, "an API call"),
        }
    }
}

fn unauthorized(detail: &str, challenge: &'static str) -> Response {
    let mut response = Problem::new(StatusCode::UNAUTHORIZED)
        .detail(detail)
        .into_response();
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(challenge));
    response
}
