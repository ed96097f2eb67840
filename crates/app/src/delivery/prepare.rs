//! Preparing one digest: rank, then write the delivery, its items and its send task in
//! one transaction. A digest never pads: below the minimum score it holds fewer jobs, or
//! is recorded as skipped with the reason.

use std::collections::HashSet;

use async_trait::async_trait;
use jobping_core::matching::{Feedback, Match, SubscriberContext, Vote, rank};
use jobping_core::{Preferences, RawPreferences, SubscriberStatus, Taxonomy};
use jobping_store::{
    ClaimedTask, DeliveryKind, NewDelivery, NewDeliveryItem, NewTask, RecordOutcome, StoreError, Subscriber,
};
use serde::Deserialize;
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{SEND, cadence_for};
use crate::journey::EmailTask;
use crate::state::AppState;
use crate::worker::{TaskError, TaskHandler};

/// Why a digest was skipped, as recorded.
pub const NOTHING_FITS: &str = "no new job scored above the minimum for these preferences";

#[derive(Debug, Deserialize)]
struct Payload {
    subscriber_id: Uuid,
    period: String,
}

/// What preparing a digest did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prepared {
    /// Recorded with this many jobs; its send task is queued.
    Recorded { delivery: Uuid, jobs: usize },
    /// Recorded as skipped (nothing fit).
    Skipped,
    /// The slot already had its delivery, or the subscriber is gone or inactive.
    Nothing,
}

/// The jobs one subscriber's next digest would hold, best first (empty: nothing fits);
/// `None` when the subscriber is gone, inactive, or has preferences that no longer parse.
pub async fn plan(state: &AppState, subscriber: Uuid) -> anyhow::Result<Option<(Subscriber, Vec<Match>)>> {
    let subscriber = match state.store.subscriber(subscriber).await {
        Ok(s) if s.status == SubscriberStatus::Active => s,
        Ok(_) | Err(StoreError::NotFound) => return Ok(None),
        Err(err) => return Err(err.into()),
    };
    let Some(preferences) = preferences_of(state, &subscriber).await? else {
        tracing::warn!(subscriber = %subscriber.id, "stored preferences do not parse: no digest");
        return Ok(None);
    };
    let index = state.job_index.get(state.store.as_ref()).await?;
    let history = state.store.subscriber_history(subscriber.id).await?;
    let context = SubscriberContext {
        already_sent: history.sent_job_ids.iter().copied().collect::<HashSet<_>>(),
        feedback: history
            .votes
            .iter()
            .filter_map(|(job_id, vote)| {
                let job = &index.get(*job_id)?.job;
                Some(Feedback {
                    vote: match vote {
                        jobping_store::Vote::Up => Vote::Up,
                        jobping_store::Vote::Down => Vote::Down,
                    },
                    company: job.company.clone(),
                    career_paths: job.career_paths.clone(),
                    level: job.level,
                    title: job.title.clone(),
                })
            })
            .collect(),
        now: OffsetDateTime::now_utc(),
    };
    let (_, per_email) = cadence_for(&state.settings.delivery, subscriber.tier);
    let mut config = state.settings.matching.clone();
    config.limit = per_email;
    let matches = rank(&preferences, &index, &context, &config, Taxonomy::embedded());
    Ok(Some((subscriber, matches)))
}

/// The period of the one welcome delivery each subscriber gets.
pub const WELCOME_PERIOD: &str = "welcome";

/// Prepares one subscriber's digest for `period`.
pub async fn prepare(state: &AppState, subscriber: Uuid, period: &str) -> anyhow::Result<Prepared> {
    record(state, subscriber, DeliveryKind::Digest, period).await
}

/// Prepares the welcome email with the first matches. It is a delivery like a digest,
/// so its jobs are never sent again; it goes out even when nothing fits yet.
pub async fn prepare_welcome(state: &AppState, subscriber: Uuid) -> anyhow::Result<Prepared> {
    record(state, subscriber, DeliveryKind::Welcome, WELCOME_PERIOD).await
}

async fn record(
    state: &AppState,
    subscriber: Uuid,
    kind: DeliveryKind,
    period: &str,
) -> anyhow::Result<Prepared> {
    let Some((subscriber, matches)) = plan(state, subscriber).await? else {
        return Ok(Prepared::Nothing);
    };
    let now = OffsetDateTime::now_utc();
    let id = Uuid::now_v7();
    let skipped = matches.is_empty() && kind == DeliveryKind::Digest;
    let delivery = NewDelivery {
        id,
        subscriber: subscriber.id,
        kind,
        period: period.to_owned(),
        items: matches
            .iter()
            .enumerate()
            .map(|(position, m)| NewDeliveryItem {
                job_id: m.job_id,
                position: position as u32,
                score: f32::from(m.score),
                reasons: m.reasons.clone(),
            })
            .collect(),
        skip_reason: skipped.then(|| NOTHING_FITS.to_owned()),
        created_at: now,
    };
    let send = NewTask::new(
        SEND,
        json!({"subscriber_id": subscriber.id, "delivery_id": id}),
        now,
    );
    let outcome = state
        .store
        .record_delivery(&delivery, (!skipped).then_some(&send))
        .await?;
    if outcome == RecordOutcome::AlreadyRecorded {
        return Ok(Prepared::Nothing);
    }
    if !skipped {
        metrics::counter!("jobping_delivery_prepared_total", "result" => "recorded").increment(1);
        return Ok(Prepared::Recorded {
            delivery: id,
            jobs: matches.len(),
        });
    }
    metrics::counter!("jobping_delivery_prepared_total", "result" => "skipped").increment(1);
    // `subscriber` was read before this skip was counted.
    if subscriber.empty_digests + 1 >= state.settings.delivery.empty_before_note {
        crate::journey::email::enqueue(state, subscriber.id, EmailTask::WiderPreferences, now).await?;
        state.store.mark_wider_note_sent(subscriber.id, now).await?;
    }
    Ok(Prepared::Skipped)
}

async fn preferences_of(state: &AppState, subscriber: &Subscriber) -> anyhow::Result<Option<Preferences>> {
    let stored = state.store.preferences(subscriber.id).await?;
    Ok(stored
        .and_then(|value| serde_json::from_value::<RawPreferences>(value).ok())
        .map(|raw| for_tier(raw, subscriber.tier))
        .and_then(|raw| Preferences::parse(&raw, Taxonomy::embedded()).ok()))
}

/// The preferences as the tier allows them: companies left out and the salary floor are
/// premium filters, so they are kept (for when premium returns) but not applied on the
/// free plan.
pub fn for_tier(mut raw: RawPreferences, tier: jobping_core::Tier) -> RawPreferences {
    if tier == jobping_core::Tier::Free {
        raw.excluded_companies.clear();
        raw.salary_floor = None;
    }
    raw
}

/// The `prepare_digest` task.
pub struct PrepareDigest;

#[async_trait]
impl TaskHandler for PrepareDigest {
    async fn run(&self, state: &AppState, task: &ClaimedTask) -> Result<(), TaskError> {
        let payload: Payload = serde_json::from_value(task.payload.clone())
            .map_err(|err| TaskError::Permanent(anyhow::anyhow!("not a prepare_digest payload: {err}")))?;
        match prepare(state, payload.subscriber_id, &payload.period).await {
            Ok(prepared) => {
                tracing::info!(?prepared, period = %payload.period, "digest prepared");
                Ok(())
            }
            Err(err) => Err(TaskError::Retry(err)),
        }
    }
}
