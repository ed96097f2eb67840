//! `/api/v1/me/matches`: the jobs that fit the subscriber's preferences best right now.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use jobping_core::{Preferences, Taxonomy};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

use super::auth::{Authorized, ManageToken};
use super::error::{ApiError, fields};
use crate::journey::email::{place, salary_text};
use crate::journey::{self, matches::RankedJob};
use crate::state::AppState;

/// How many matches a call returns at most, and by default.
const MAX_LIMIT: usize = 50;
const DEFAULT_LIMIT: usize = 10;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/me/matches", get(list))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MatchesQuery {
    /// How many matches to return: 1 to 50 (default 10).
    #[param(value_type = Option<u8>, minimum = 1, maximum = 50)]
    limit: Option<String>,
}

/// A job that fits, and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct MatchItem {
    job_id: i64,
    /// 0 to 100.
    #[schema(maximum = 100)]
    score: u8,
    /// `excellent` (80 and above), `good` (60 to 79) or `fair`.
    #[schema(example = "excellent")]
    label: &'static str,
    /// Short reasons it fits, e.g. "Graduate programme in Berlin".
    reasons: Vec<String>,
    title: String,
    company: String,
    /// Where: "Berlin", "Berlin or Remote (DE)", "Remote (anywhere)".
    place: String,
    /// The yearly salary when known, e.g. "EUR 40,000–50,000 a year".
    salary: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    posted_at: Option<OffsetDateTime>,
    /// Where to apply.
    url: String,
}

impl From<RankedJob> for MatchItem {
    fn from(ranked: RankedJob) -> Self {
        let RankedJob { matched, job, .. } = ranked;
        Self {
            job_id: matched.job_id,
            score: matched.score,
            label: matched.label.as_str(),
            reasons: matched.reasons,
            place: place(&job),
            salary: job.salary.as_ref().and_then(salary_text),
            posted_at: job.posted_at,
            url: job.apply_url.clone().unwrap_or_else(|| job.url.clone()),
            title: job.title,
            company: job.company,
        }
    }
}

/// The active jobs that fit the subscriber's preferences best, best first.
///
/// Ranked as the emails rank them (hard filters, then score), but without regard to
/// what was already sent.
#[utoipa::path(
    get,
    path = "/api/v1/me/matches",
    tag = "me",
    operation_id = "matches",
    security(("bearer" = [])),
    params(MatchesQuery),
    responses(
        (status = 200, description = "The matches, best first", body = [MatchItem]),
        (status = 400, response = super::schema::BadRequest),
        (status = 401, response = super::schema::Unauthorized),
        (status = 409, description = "The stored preferences no longer pass the checks (each field is named): replace them with PUT /api/v1/me/preferences",
            body = super::schema::ProblemSchema, content_type = "application/problem+json"),
        (status = 500, response = super::schema::Internal),
    )
)]
#[tracing::instrument(skip_all)]
async fn list(
    State(state): State<AppState>,
    auth: Authorized<ManageToken>,
    query: Result<Query<MatchesQuery>, QueryRejection>,
) -> Result<Json<Vec<MatchItem>>, ApiError> {
    let limit = limit(query)?;
    let raw = journey::preferences(&state, auth.subscriber.id).await?;
    let raw = crate::delivery::prepare::for_tier(raw, auth.subscriber.tier);
    let preferences = Preferences::parse(&raw, Taxonomy::embedded()).map_err(|errors| ApiError::Conflict {
        detail: "Your stored preferences need updating before jobs can be matched: replace them with PUT /api/v1/me/preferences.".to_owned(),
        errors: fields(errors, ""),
    })?;
    let (ranked, _) = journey::matches::rank_for(&state, &preferences, Some(limit)).await?;
    Ok(Json(ranked.into_iter().map(MatchItem::from).collect()))
}

fn limit(query: Result<Query<MatchesQuery>, QueryRejection>) -> Result<usize, ApiError> {
    let message = || format!("must be a whole number from 1 to {MAX_LIMIT}");
    let Ok(Query(query)) = query else {
        return Err(ApiError::bad_field("limit", message()));
    };
    match query.limit.as_deref().map(str::trim) {
        None => Ok(DEFAULT_LIMIT),
        Some(text) => text
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| ApiError::bad_field("limit", message())),
    }
}
