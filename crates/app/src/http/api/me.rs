//! `/api/v1/me`: the token's own subscriber. No endpoint takes a subscriber's id or
//! address: the token alone says whose data it is.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use super::auth::{Authorized, DeleteToken, ManageToken, UnsubscribeToken};
use super::error::ApiError;
use crate::journey;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/me", get(show).delete(delete))
        .route("/api/v1/me/unsubscribe", post(unsubscribe))
}

/// The subscriber.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    id: Uuid,
    #[schema(format = Email, example = "ada@example.com")]
    email: String,
    /// `pending`, `active` or `unsubscribed`.
    #[schema(example = "active")]
    status: &'static str,
    /// `free` or `premium`.
    #[schema(example = "free")]
    tier: &'static str,
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
    /// When the address was confirmed; `null` while pending.
    #[serde(with = "time::serde::rfc3339::option")]
    verified_at: Option<OffsetDateTime>,
}

/// The manage token's subscriber.
#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "me",
    operation_id = "me",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The subscriber", body = Me),
        (status = 401, response = super::schema::Unauthorized),
        (status = 500, response = super::schema::Internal),
    )
)]
#[tracing::instrument(skip_all)]
async fn show(auth: Authorized<ManageToken>) -> Json<Me> {
    let subscriber = auth.subscriber;
    Json(Me {
        id: subscriber.id,
        email: subscriber.email.as_str().to_owned(),
        status: subscriber.status.as_str(),
        tier: subscriber.tier.as_str(),
        created_at: subscriber.created_at,
        verified_at: subscriber.verified_at,
    })
}

/// The answer to unsubscribing.
#[derive(Debug, Serialize, ToSchema)]
pub struct Unsubscribed {
    /// Always `unsubscribed`.
    #[schema(example = "unsubscribed")]
    status: &'static str,
}

/// Unsubscribes, with the unsubscribe token from any email or a manage token. Doing it
/// again is fine. The address goes on the suppression list; signing up again brings it
/// back.
#[utoipa::path(
    post,
    path = "/api/v1/me/unsubscribe",
    tag = "me",
    operation_id = "unsubscribe",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Unsubscribed", body = Unsubscribed),
        (status = 401, response = super::schema::Unauthorized),
        (status = 500, response = super::schema::Internal),
    )
)]
#[tracing::instrument(skip_all)]
async fn unsubscribe(
    State(state): State<AppState>,
    auth: Authorized<UnsubscribeToken>,
) -> Result<Json<Unsubscribed>, ApiError> {
    journey::unsubscribe(&state, &auth.subscriber).await?;
    Ok(Json(Unsubscribed {
        status: "unsubscribed",
    }))
}

/// Erases the account everywhere, with a delete token from `POST /api/v1/me/tokens`.
///
/// A delete token works once. Afterwards every token of the subscriber gets 401, and a
/// short notice goes to the address.
#[utoipa::path(
    delete,
    path = "/api/v1/me",
    tag = "me",
    operation_id = "delete",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, response = super::schema::Unauthorized),
        (status = 500, response = super::schema::Internal),
    )
)]
#[tracing::instrument(skip_all)]
async fn delete(
    State(state): State<AppState>,
    auth: Authorized<DeleteToken>,
) -> Result<StatusCode, ApiError> {
    if !journey::spend(&state, &auth.claims).await? {
        return Err(ApiError::BadToken);
    }
    journey::delete(&state, &auth.subscriber).await?;
    Ok(StatusCode::NO_CONTENT)
}
