//! Links inside a digest: `/c` (our click redirect to the job) and `/feedback` (thumbs
//! up or down, then optional reasons). Both are signed for one subscriber, job and
//! delivery; a vote is idempotent (the latest wins) and only shapes that person's emails.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum_extra::extract::Form;
use jobping_store::{DeliveryItem, StoreError, Vote};
use serde::Deserialize;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{PageError, bad_link, render};
use crate::journey::JourneyError;
use crate::state::AppState;
use crate::tokens::Purpose;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/c", get(click))
        .route("/feedback", get(vote).post(reason))
}

/// The reasons a thumbs down may give.
const REASONS: &[&str] = &[
    "wrong_place",
    "too_senior",
    "not_my_field",
    "not_interested_in_company",
];

#[derive(Template)]
#[template(path = "feedback.html")]
struct FeedbackPage {
    up: bool,
    title: String,
    company: String,
    token: String,
    reason_saved: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TokenInput {
    token: String,
    reason: Option<String>,
}

/// A link's subscriber, job, delivery and (for feedback) vote, checked against the
/// stored delivery: the job must be one that delivery sent to that subscriber.
struct Target {
    subscriber: Uuid,
    delivery: Uuid,
    item: DeliveryItem,
    vote: Option<Vote>,
}

async fn target(state: &AppState, token: &str, purpose: Purpose) -> Result<Option<Target>, JourneyError> {
    let Ok(claims) = state.signer.verify(token, purpose, OffsetDateTime::now_utc()) else {
        return Ok(None);
    };
    let mut parts = claims.extra.split('.');
    let (Some(job), Some(delivery)) = (parts.next(), parts.next()) else {
        return Ok(None);
    };
    let vote = match (purpose, parts.next()) {
        (Purpose::Feedback, Some("up")) => Some(Vote::Up),
        (Purpose::Feedback, Some("down")) => Some(Vote::Down),
        (Purpose::Click, None) => None,
        _ => return Ok(None),
    };
    let (Ok(job_id), Ok(delivery)) = (job.parse::<i64>(), Uuid::try_parse(delivery)) else {
        return Ok(None);
    };
    let stored = match state.store.delivery(delivery).await {
        Ok(stored) => stored,
        Err(StoreError::NotFound) => return Ok(None),
        Err(err) => return Err(err.into()),
    };
    if stored.subscriber.id != claims.subscriber {
        return Ok(None);
    }
    Ok(stored
        .items
        .into_iter()
        .find(|item| item.job_id == job_id)
        .map(|item| Target {
            subscriber: claims.subscriber,
            delivery,
            item,
            vote,
        }))
}

#[derive(Debug, Deserialize)]
struct TokenQuery {
    #[serde(default)]
    token: String,
}

/// Records the click and sends the browser on to the job (a stored URL, never one from
/// the request, so this is no open redirect).
async fn click(
    State(state): State<AppState>,
    Query(query): Query<TokenQuery>,
) -> Result<Response, PageError> {
    let Some(target) = target(&state, &query.token, Purpose::Click).await? else {
        return Ok(bad_link());
    };
    state
        .store
        .record_click(
            target.subscriber,
            target.item.job_id,
            Some(target.delivery),
            OffsetDateTime::now_utc(),
        )
        .await
        .map_err(JourneyError::from)?;
    let destination = target
        .item
        .job
        .apply_url
        .clone()
        .unwrap_or(target.item.url.clone());
    let mut response = StatusCode::SEE_OTHER.into_response();
    match HeaderValue::from_str(&destination) {
        Ok(location) => {
            response.headers_mut().insert(header::LOCATION, location);
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            Ok(response)
        }
        Err(_) => Ok(bad_link()),
    }
}

/// Records a thumbs up or down from the email link, and offers reasons for a down.
async fn vote(State(state): State<AppState>, Query(query): Query<TokenQuery>) -> Result<Response, PageError> {
    record(&state, query.token, None).await
}

/// The optional reason for a thumbs down.
async fn reason(State(state): State<AppState>, Form(input): Form<TokenInput>) -> Result<Response, PageError> {
    let reason = input.reason.filter(|r| REASONS.contains(&r.as_str()));
    record(&state, input.token, reason).await
}

async fn record(state: &AppState, token: String, reason: Option<String>) -> Result<Response, PageError> {
    let Some(target) = target(state, &token, Purpose::Feedback).await? else {
        return Ok(bad_link());
    };
    let vote = target.vote.unwrap_or(Vote::Up);
    state
        .store
        .record_vote(
            target.subscriber,
            target.item.job_id,
            Some(target.delivery),
            vote,
            reason.as_deref(),
            OffsetDateTime::now_utc(),
        )
        .await
        .map_err(JourneyError::from)?;
    let page = FeedbackPage {
        up: vote == Vote::Up,
        title: target.item.job.title.clone(),
        company: target.item.job.company.clone(),
        token,
        reason_saved: reason.is_some(),
    };
    Ok(render(&page, StatusCode::OK, true))
}
