//! The delivery round: who is due now, by their own clock and tier.

use async_trait::async_trait;
use chrono::Utc;
use chrono_tz::Tz;
use jobping_store::{ClaimedTask, DeliveryKind, NewTask, Subscriber};
use serde_json::json;
use time::OffsetDateTime;

use super::cadence::due_slot;
use super::{PREPARE, cadence_for, sending_paused};
use crate::state::AppState;
use crate::worker::{TaskError, TaskHandler};

/// What one round found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RoundReport {
    /// Active subscribers looked at.
    pub considered: u64,
    /// Digests queued for preparation.
    pub queued: u64,
    /// Due, but their tier's sending is paused.
    pub paused: u64,
}

/// A subscriber whose slot is open and not yet filled.
#[derive(Debug, Clone)]
pub struct Due {
    pub subscriber: Subscriber,
    pub period: String,
}

/// Every subscriber with a slot open at `now` and no delivery for it yet; `report`
/// counts who was looked at and who is held back by a pause.
pub async fn due(
    state: &AppState,
    now: chrono::DateTime<Utc>,
    report: &mut RoundReport,
) -> anyhow::Result<Vec<Due>> {
    let settings = &state.settings.delivery;
    let grace = chrono::Duration::from_std(settings.grace)?;
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let page = state.store.delivery_candidates(after, 500).await?;
        let Some(last) = page.last() else { break };
        after = Some(last.subscriber.id);
        for candidate in page {
            report.considered += 1;
            let subscriber = candidate.subscriber;
            let (cadence, _) = cadence_for(settings, subscriber.tier);
            let tz: Tz = subscriber.timezone.parse().unwrap_or(chrono_tz::UTC);
            let Some(slot) = due_slot(cadence, tz, now, grace) else {
                continue;
            };
            if state
                .store
                .has_delivery(subscriber.id, DeliveryKind::Digest, &slot.period)
                .await?
            {
                continue;
            }
            if sending_paused(state, subscriber.tier).await? {
                report.paused += 1;
                continue;
            }
            out.push(Due {
                subscriber,
                period: slot.period,
            });
        }
    }
    Ok(out)
}

/// Queues a `prepare_digest` for every subscriber with a slot open at `now`.
pub async fn run_round(state: &AppState, now: chrono::DateTime<Utc>) -> anyhow::Result<RoundReport> {
    let mut report = RoundReport::default();
    for due in due(state, now, &mut report).await? {
        let mut task = NewTask::new(
            PREPARE,
            json!({"subscriber_id": due.subscriber.id, "period": due.period}),
            OffsetDateTime::now_utc(),
        );
        task.unique_key = Some(format!("digest:{}:{}", due.subscriber.id, due.period));
        if state.store.enqueue(&task).await?.is_some() {
            report.queued += 1;
        }
    }
    metrics::counter!("jobping_delivery_queued_total").increment(report.queued);
    Ok(report)
}

/// The scheduled round.
pub struct DeliveryRound;

#[async_trait]
impl TaskHandler for DeliveryRound {
    async fn run(&self, state: &AppState, _task: &ClaimedTask) -> Result<(), TaskError> {
        let report = run_round(state, Utc::now()).await?;
        tracing::info!(
            considered = report.considered,
            queued = report.queued,
            paused = report.paused,
            "delivery round"
        );
        Ok(())
    }
}
