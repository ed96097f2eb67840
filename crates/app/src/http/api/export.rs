//! `/api/v1/me/export`: everything stored about the subscriber (GDPR access).

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use jobping_store::SubscriberExport;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use super::auth::{Authorized, ExportToken};
use super::error::ApiError;
use super::schema::PreferencesBody;
use crate::journey;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/me/export", get(export))
}

/// Everything stored about the subscriber, oldest first in each list.
// The schema of `jobping_store::SubscriberExport`, which knows nothing of OpenAPI.
#[derive(ToSchema)]
#[schema(as = SubscriberExport)]
#[allow(dead_code, reason = "only describes jobping_store::SubscriberExport")]
pub struct ExportSchema {
    subscriber: ExportedSubscriber,
    /// `null` if none were ever stored.
    #[schema(value_type = Option<PreferencesBody>)]
    preferences: Option<PreferencesBody>,
    /// Each consent given or declined.
    consents: Vec<ExportedConsent>,
    /// Each email planned or sent, with the jobs it carried and why.
    deliveries: Vec<ExportedDelivery>,
    /// Each click and thumbs up or down.
    feedback: Vec<ExportedFeedback>,
}

/// The subscriber as stored.
#[derive(ToSchema)]
#[allow(dead_code, reason = "only describes the export")]
struct ExportedSubscriber {
    id: Uuid,
    #[schema(format = Email)]
    email: String,
    /// `pending`, `active` or `unsubscribed`.
    status: String,
    /// `free` or `premium`.
    tier: String,
    /// The time zone emails are timed by, e.g. `Europe/Berlin`.
    timezone: String,
    created_at: OffsetDateTime,
    verified_at: Option<OffsetDateTime>,
    unsubscribed_at: Option<OffsetDateTime>,
}

/// A consent given or declined.
#[derive(ToSchema)]
#[allow(dead_code, reason = "only describes the export")]
struct ExportedConsent {
    /// `privacy` (required to sign up) or `marketing`.
    purpose: String,
    granted: bool,
    /// The version (date) of the privacy notice it refers to.
    policy_version: String,
    recorded_at: OffsetDateTime,
}

/// An email sent (or planned) to the subscriber.
#[derive(ToSchema)]
#[allow(dead_code, reason = "only describes the export")]
struct ExportedDelivery {
    id: Uuid,
    /// `welcome`, `digest` or `notice`.
    kind: String,
    /// The slot it filled, e.g. `2026-W48-thu`.
    period: String,
    /// `pending`, `sent`, `skipped` or `failed`.
    status: String,
    created_at: OffsetDateTime,
    sent_at: Option<OffsetDateTime>,
    /// In the order they appeared in the email.
    items: Vec<ExportedItem>,
}

/// A job in an email, with why it was chosen.
#[derive(ToSchema)]
#[allow(dead_code, reason = "only describes the export")]
struct ExportedItem {
    job_id: i64,
    position: u32,
    score: f32,
    /// The reasons shown beside the job.
    reasons: serde_json::Value,
    title: String,
    company: String,
    url: String,
}

/// A click or a vote.
#[derive(ToSchema)]
#[allow(dead_code, reason = "only describes the export")]
struct ExportedFeedback {
    /// `null` once the job itself was deleted.
    job_id: Option<i64>,
    /// `up`, `down` or `click`.
    kind: String,
    reason: Option<String>,
    created_at: OffsetDateTime,
}

/// Everything stored about the subscriber (GDPR access), with an export token from
/// `POST /api/v1/me/tokens`. The export is audited.
#[utoipa::path(
    get,
    path = "/api/v1/me/export",
    tag = "me",
    operation_id = "export",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Everything stored about the subscriber", body = ExportSchema),
        (status = 401, response = super::schema::Unauthorized),
        (status = 500, response = super::schema::Internal),
    )
)]
#[tracing::instrument(skip_all)]
async fn export(
    State(state): State<AppState>,
    auth: Authorized<ExportToken>,
) -> Result<Json<SubscriberExport>, ApiError> {
    Ok(Json(journey::export(&state, &auth.subscriber).await?))
}
