//! `/api/v1/me/preferences`: reading and replacing the subscriber's preferences.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};

use super::auth::{Authorized, ManageToken};
use super::body::JsonBody;
use super::error::ApiError;
use super::schema::PreferencesBody;
use crate::journey;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/me/preferences", get(show).put(replace))
}

/// The subscriber's preferences.
#[utoipa::path(
    get,
    path = "/api/v1/me/preferences",
    tag = "me",
    operation_id = "preferences",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The stored preferences", body = PreferencesBody),
        (status = 401, response = super::schema::Unauthorized),
        (status = 500, response = super::schema::Internal),
    )
)]
#[tracing::instrument(skip_all)]
async fn show(
    State(state): State<AppState>,
    auth: Authorized<ManageToken>,
) -> Result<Json<PreferencesBody>, ApiError> {
    let raw = journey::preferences(&state, auth.subscriber.id).await?;
    Ok(Json(raw.into()))
}

/// Replaces the subscriber's preferences (the whole object); the change is confirmed by
/// email.
///
/// Every wrong field is named at once by its path in the body (`cities[1]`), and
/// nothing is changed. `excluded_companies` must be empty on the free plan.
#[utoipa::path(
    put,
    path = "/api/v1/me/preferences",
    tag = "me",
    operation_id = "replace_preferences",
    security(("bearer" = [])),
    request_body(content = PreferencesBody, content_type = "application/json"),
    responses(
        (status = 200, description = "Saved: the preferences as stored (normalized)", body = PreferencesBody),
        (status = 400, response = super::schema::BadRequest),
        (status = 401, response = super::schema::Unauthorized),
        (status = 413, response = super::schema::TooLarge),
        (status = 415, response = super::schema::NotJson),
        (status = 422, response = super::schema::Invalid),
        (status = 500, response = super::schema::Internal),
    )
)]
#[tracing::instrument(skip_all)]
async fn replace(
    State(state): State<AppState>,
    auth: Authorized<ManageToken>,
    JsonBody(body): JsonBody<PreferencesBody>,
) -> Result<Json<PreferencesBody>, ApiError> {
    let saved = journey::update_preferences(&state, &auth.subscriber, &body.into()).await?;
    Ok(Json(saved.to_raw().into()))
}
