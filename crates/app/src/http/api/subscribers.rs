//! `/api/v1/subscribers`: signing up, and confirming the address with the emailed token.

use axum::extract::{Extension, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::body::JsonBody;
use super::error::{ApiError, fields};
use super::schema::{Accepted, PreferencesBody};
use crate::journey::{self, Confirmed, SignupRequest};
use crate::limits::ClientIp;
use crate::state::AppState;
use crate::tokens::Purpose;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/subscribers", post(sign_up))
        .route("/api/v1/subscribers/verify", post(verify))
}

/// A signup.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignupBody {
    /// The address to send jobs to.
    #[serde(default)]
    #[schema(required = true, format = Email, example = "ada@example.com")]
    email: String,
    #[serde(default)]
    #[schema(required = true)]
    preferences: PreferencesBody,
    /// Accepts the privacy notice: must be `true`.
    #[serde(default)]
    #[schema(required = true, example = true)]
    consent: bool,
    /// Opts in to occasional product news (optional, separate from the job emails).
    #[serde(default)]
    marketing: bool,
}

/// What signing up answers, whatever the address's state.
pub const SIGNUP_ACCEPTED: Accepted = Accepted {
    status: "accepted",
    detail: "If this address can receive email, a confirmation link is on its way.",
};

/// Signs up an address: a confirmation link is emailed.
///
/// Answers the same whether the address is new, pending, subscribed or unsubscribed,
/// so nobody learns who subscribes. Every wrong field is named at once, by its path in
/// the body (`email`, `consent`, `preferences.cities[1]`). Valid signups are limited per
/// client address.
#[utoipa::path(
    post,
    path = "/api/v1/subscribers",
    tag = "subscribers",
    operation_id = "sign_up",
    request_body(content = SignupBody, content_type = "application/json"),
    responses(
        (status = 202, description = "Accepted: the link is emailed if the address can receive email", body = Accepted,
            example = json!({"status": "accepted", "detail": SIGNUP_ACCEPTED.detail})),
        (status = 400, response = super::schema::BadRequest),
        (status = 413, response = super::schema::TooLarge),
        (status = 415, response = super::schema::NotJson),
        (status = 422, response = super::schema::Invalid),
        (status = 429, response = super::schema::TooMany),
        (status = 500, response = super::schema::Internal),
    )
)]
#[tracing::instrument(skip_all)]
async fn sign_up(
    State(state): State<AppState>,
    Extension(ClientIp(client)): Extension<ClientIp>,
    JsonBody(body): JsonBody<SignupBody>,
) -> Result<impl IntoResponse, ApiError> {
    let request = SignupRequest {
        email: body.email,
        preferences: body.preferences.into(),
        consent: body.consent,
        marketing: body.marketing,
    };
    // A request with mistakes costs nothing: only a valid signup counts against the limit.
    journey::check_signup(&request).map_err(|errors| ApiError::Invalid(signup_fields(errors)))?;
    crate::http::limit::form(&state, client, Some(&request.email))
        .await
        .map_err(|refusal| ApiError::Limited(refusal, "signing up"))?;
    journey::signup(&state, request).await.map_err(|err| match err {
        journey::JourneyError::Invalid(errors) => ApiError::Invalid(signup_fields(errors)),
        other => other.into(),
    })?;
    Ok((StatusCode::ACCEPTED, Json(SIGNUP_ACCEPTED)))
}

/// Names a signup's field errors by their path in the body: the preferences' fields are
/// under `preferences`.
fn signup_fields(errors: Vec<jobping_core::FieldError>) -> Vec<crate::http::problem::FieldError> {
    let (top, preferences): (Vec<_>, Vec<_>) = errors
        .into_iter()
        .partition(|e| matches!(e.field.as_str(), "email" | "consent" | "marketing"));
    let mut named = fields(top, "");
    named.extend(fields(preferences, "preferences"));
    named
}

/// The token from a confirmation email.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyBody {
    /// The `token` of the `/verify?token=…` link in the confirmation email.
    token: String,
}

/// A confirmed address, with a manage token for the `/api/v1/me` endpoints.
#[derive(Debug, Serialize, ToSchema)]
pub struct Verified {
    /// The subscriber's status now: `active`.
    #[schema(example = "active")]
    status: &'static str,
    /// Always `now`: an address confirmed before answers 409 instead.
    #[schema(example = "now")]
    confirmed: ConfirmedSchema,
    /// A fresh manage token (30 days), for `Authorization: Bearer …`.
    manage_token: String,
    #[serde(with = "time::serde::rfc3339")]
    manage_token_expires_at: OffsetDateTime,
}

/// When the address was confirmed: by this request.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = Confirmed)]
enum ConfirmedSchema {
    Now,
}

/// What a confirmation token used again answers, in a 409 problem document.
pub const ALREADY_CONFIRMED: &str = "This address was already confirmed. A confirmation token works once and grants nothing after that: ask for a manage link with POST /api/v1/links.";

/// Confirms an address with the token from its confirmation email.
///
/// The first confirmation sends a welcome email and answers with a fresh manage token:
/// confirming proves the address. Once the address is confirmed, a confirmation token
/// (this one again, or another) answers 409 with no token, so a token left in browser
/// history or a forwarded email opens nothing; the owner asks for a manage link with
/// `POST /api/v1/links`. An invalid, expired or used token for an address that is not
/// active, or one made for another purpose, gets one 401 whatever the reason.
#[utoipa::path(
    post,
    path = "/api/v1/subscribers/verify",
    tag = "subscribers",
    operation_id = "verify",
    request_body(content = VerifyBody, content_type = "application/json"),
    responses(
        (status = 200, description = "Confirmed by this request", body = Verified),
        (status = 400, response = super::schema::BadRequest),
        (status = 401, response = super::schema::Unauthorized),
        (status = 409, description = "The address was already confirmed: nothing is granted, no token is returned; ask for a manage link with POST /api/v1/links",
            body = super::schema::ProblemSchema, content_type = "application/problem+json"),
        (status = 415, response = super::schema::NotJson),
        (status = 422, response = super::schema::Invalid),
        (status = 500, response = super::schema::Internal),
    )
)]
#[tracing::instrument(skip_all)]
async fn verify(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<VerifyBody>,
) -> Result<Json<Verified>, ApiError> {
    let subscriber = match journey::verify(&state, &body.token).await? {
        Confirmed::Now(subscriber) => subscriber,
        Confirmed::Already => {
            return Err(ApiError::Conflict {
                detail: ALREADY_CONFIRMED.to_owned(),
                errors: Vec::new(),
            });
        }
    };
    let (manage_token, manage_token_expires_at) =
        super::tokens::issue(&state, Purpose::Manage, subscriber.id);
    Ok(Json(Verified {
        status: subscriber.status.as_str(),
        confirmed: ConfirmedSchema::Now,
        manage_token,
        manage_token_expires_at,
    }))
}
