//! `/api/v1/me/tokens`: short-lived tokens for the weightier steps (export, delete),
//! made with a manage token, as the account page makes its links.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use super::auth::{Authorized, ManageToken};
use super::body::JsonBody;
use super::error::ApiError;
use crate::state::AppState;
use crate::tokens::Purpose;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/me/tokens", post(create))
}

/// A token for `purpose` and `subscriber`, and when it expires (to the second, as the
/// token holds it).
pub fn issue(state: &AppState, purpose: Purpose, subscriber: Uuid) -> (String, OffsetDateTime) {
    let now = OffsetDateTime::now_utc();
    let expires_at = (now + purpose.lifetime())
        .replace_nanosecond(0)
        .unwrap_or(now + purpose.lifetime());
    (
        state.signer.sign_until(purpose, subscriber, expires_at),
        expires_at,
    )
}

/// What a token may be used for.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TokenPurpose {
    /// `GET /api/v1/me/export` (30 minutes).
    Export,
    /// `DELETE /api/v1/me` (30 minutes, once).
    Delete,
}

impl From<TokenPurpose> for Purpose {
    fn from(purpose: TokenPurpose) -> Self {
        match purpose {
            TokenPurpose::Export => Self::Export,
            TokenPurpose::Delete => Self::Delete,
        }
    }
}

/// Which token to make.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    purpose: TokenPurpose,
}

/// A new token.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedToken {
    /// For `Authorization: Bearer …`.
    token: String,
    purpose: TokenPurpose,
    #[serde(with = "time::serde::rfc3339")]
    expires_at: OffsetDateTime,
}

/// Makes an export or delete token for the manage token's subscriber.
///
/// Any other purpose is a 422 naming `purpose`.
#[utoipa::path(
    post,
    path = "/api/v1/me/tokens",
    tag = "me",
    operation_id = "create_token",
    security(("bearer" = [])),
    request_body(content = TokenRequest, content_type = "application/json"),
    responses(
        (status = 201, description = "The token", body = IssuedToken),
        (status = 400, response = super::schema::BadRequest),
        (status = 401, response = super::schema::Unauthorized),
        (status = 415, response = super::schema::NotJson),
        (status = 422, response = super::schema::Invalid),
        (status = 500, response = super::schema::Internal),
    )
)]
#[tracing::instrument(skip_all)]
async fn create(
    State(state): State<AppState>,
    auth: Authorized<ManageToken>,
    JsonBody(body): JsonBody<TokenRequest>,
) -> Result<(StatusCode, Json<IssuedToken>), ApiError> {
    let (token, expires_at) = issue(&state, body.purpose.into(), auth.subscriber.id);
    Ok((
        StatusCode::CREATED,
        Json(IssuedToken {
            token,
            purpose: body.purpose,
            expires_at,
        }),
    ))
}
