//! Reading operator figures outside the admin API (`/metrics` and `/ready`'s details on
//! the main listener): the same bearer admin key with the `read` scope, refused the same
//! way (401 or 403, problem+json).

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use time::OffsetDateTime;

use super::problem::Problem;
use crate::operators::{self, AuthError, Scope};
use crate::state::AppState;

/// What a request's bearer key lets it read.
pub(super) enum ReadAccess {
    Granted,
    /// The answer to give: no valid key (401) or a key without `read` (403).
    Refused(Response),
    /// The key could not be checked (the database is away).
    Unchecked(anyhow::Error),
}

/// The key in `Authorization: Bearer <key>`, if any.
pub(super) fn presented_key(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, key)| key.trim())
}

/// Whether the request carries an admin key with the `read` scope.
pub(super) async fn read_access(state: &AppState, headers: &HeaderMap, what: &str) -> ReadAccess {
    match operators::authenticate(state, presented_key(headers), OffsetDateTime::now_utc()).await {
        Ok(operator) if operator.can(Scope::Read) => ReadAccess::Granted,
        Ok(_) => ReadAccess::Refused(
            Problem::new(StatusCode::FORBIDDEN)
                .detail(format!(
                    "{what} needs an admin key with the `read` scope; this one lacks it."
                ))
                .into_response(),
        ),
        Err(AuthError::Unexpected(err)) => ReadAccess::Unchecked(err),
        Err(AuthError::Unauthenticated | AuthError::Disabled) => {
            let mut response = Problem::new(StatusCode::UNAUTHORIZED)
                .detail(format!(
                    "{what} needs an admin key with the `read` scope, sent as `Authorization: Bearer <key>`; \
                     this request has none, or an unknown or revoked one."
                ))
                .into_response();
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            ReadAccess::Refused(response)
        }
    }
}
