//! `/api/v1/links`: "email me a link" for anyone who lost theirs.

use axum::extract::{Extension, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::post;
use axum::{Json, Router};
use jobping_core::EmailAddress;
use serde::Deserialize;
use utoipa::ToSchema;

use super::body::JsonBody;
use super::error::ApiError;
use super::schema::Accepted;
use crate::http::problem::FieldError;
use crate::journey;
use crate::limits::ClientIp;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/links", post(request_link))
}

/// The address to email a link to.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkBody {
    #[schema(format = Email, example = "ada@example.com")]
    email: String,
}

/// What asking for a link answers, whatever the address.
pub const LINK_ACCEPTED: Accepted = Accepted {
    status: "accepted",
    detail: "If this address belongs to a subscriber, a link is on its way.",
};

/// Emails a link to an address's owner.
///
/// A subscribed address gets a manage link (its `token` is a manage token for the
/// `/api/v1/me` endpoints); one that is still pending gets its confirmation link again.
/// Answers the same for every address. Limited per client address.
#[utoipa::path(
    post,
    path = "/api/v1/links",
    tag = "subscribers",
    operation_id = "request_link",
    request_body(content = LinkBody, content_type = "application/json"),
    responses(
        (status = 202, description = "Accepted: a link is emailed if the address belongs to a subscriber", body = Accepted,
            example = json!({"status": "accepted", "detail": LINK_ACCEPTED.detail})),
        (status = 400, response = super::schema::BadRequest),
        (status = 415, response = super::schema::NotJson),
        (status = 422, response = super::schema::Invalid),
        (status = 429, response = super::schema::TooMany),
        (status = 500, response = super::schema::Internal),
    )
)]
#[tracing::instrument(skip_all)]
async fn request_link(
    State(state): State<AppState>,
    Extension(ClientIp(client)): Extension<ClientIp>,
    JsonBody(body): JsonBody<LinkBody>,
) -> Result<impl IntoResponse, ApiError> {
    // A malformed address costs nothing: only a valid request counts against the limit.
    if let Err(err) = EmailAddress::parse(&body.email) {
        return Err(ApiError::Invalid(vec![FieldError {
            field: "email".to_owned(),
            message: err.to_string(),
        }]));
    }
    crate::http::limit::form(&state, client, Some(&body.email))
        .await
        .map_err(|refusal| ApiError::Limited(refusal, "asking for links"))?;
    journey::request_link(&state, &body.email).await?;
    Ok((StatusCode::ACCEPTED, Json(LINK_ACCEPTED)))
}
