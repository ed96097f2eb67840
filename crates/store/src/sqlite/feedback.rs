//! What comes back from the job emails, on SQLite: votes, clicks, the provider's
//! events and the suppressions they lead to, and the operators' counts.

use time::OffsetDateTime;
use uuid::Uuid;

use super::{SqliteStore, us};
use crate::error::DbContext;
use crate::journey::SUPPRESS;
use crate::{DeliveryStats, EmailEvent, Result, SuppressionReason, Vote};

/// Records a vote: a changed vote takes the new reason (or none), the same vote again
/// keeps its reason unless a new one is given, and nothing at all changes (not even the
/// time) when the vote and reason are those already recorded.
///
/// Binds: $1 subscriber, $2 job, $3 delivery, $4 kind, $5 reason, $6 now.
const RECORD_VOTE: &str =
    "INSERT INTO feedback (subscriber_id, job_id, delivery_id, kind, reason, created_at)
    VALUES ($1, $2, $3, $4, $5, $6)
    ON CONFLICT (subscriber_id, job_id) WHERE kind IN ('up', 'down') DO UPDATE SET
        reason = CASE WHEN feedback.kind <> excluded.kind THEN excluded.reason
                      ELSE COALESCE(excluded.reason, feedback.reason) END,
        kind = excluded.kind,
        delivery_id = COALESCE(excluded.delivery_id, feedback.delivery_id),
        created_at = excluded.created_at
    WHERE feedback.kind <> excluded.kind
        OR (excluded.reason IS NOT NULL AND feedback.reason IS NOT excluded.reason)";

impl SqliteStore {
    pub(super) async fn record_vote_impl(
        &self,
        subscriber: Uuid,
        job_id: i64,
        delivery: Option<Uuid>,
        vote: Vote,
        reason: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<()> {
        sqlx::query(RECORD_VOTE)
            .bind(subscriber.to_string())
            .bind(job_id)
            .bind(delivery.map(|id| id.to_string()))
            .bind(vote.as_str())
            .bind(reason)
            .bind(us(now))
            .execute(&mut *self.write().await?)
            .await
            .db_refs("recording a vote")?;
        Ok(())
    }

    pub(super) async fn record_click_impl(
        &self,
        subscriber: Uuid,
        job_id: i64,
        delivery: Option<Uuid>,
        now: OffsetDateTime,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO feedback (subscriber_id, job_id, delivery_id, kind, created_at)
             VALUES ($1, $2, $3, 'click', $4)",
        )
        .bind(subscriber.to_string())
        .bind(job_id)
        .bind(delivery.map(|id| id.to_string()))
        .bind(us(now))
        .execute(&mut *self.write().await?)
        .await
        .db_refs("recording a click")?;
        Ok(())
    }

    pub(super) async fn record_email_event_impl(&self, event: &EmailEvent) -> Result<bool> {
        let kept = sqlx::query(
            "INSERT INTO email_events (event_id, kind, email_hash, provider_message_id, occurred_at, received_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (event_id) DO NOTHING",
        )
        .bind(&event.event_id)
        .bind(&event.kind)
        .bind(&event.email_hash)
        .bind(&event.provider_message_id)
        .bind(us(event.occurred_at))
        .bind(us(event.received_at))
        .execute(&mut *self.write().await?)
        .await
        .db("recording an email event")?;
        Ok(kept.rows_affected() == 1)
    }

    pub(super) async fn suppress_impl(
        &self,
        email_hash: &str,
        reason: SuppressionReason,
        now: OffsetDateTime,
    ) -> Result<()> {
        sqlx::query(SUPPRESS)
            .bind(email_hash)
            .bind(reason.as_str())
            .bind(us(now))
            .execute(&mut *self.write().await?)
            .await
            .db("suppressing an address")?;
        Ok(())
    }

    pub(super) async fn delivery_stats_impl(&self, since: OffsetDateTime) -> Result<DeliveryStats> {
        let since = us(since);
        let mut reader = self.read().await?;
        let statuses: Vec<(String, i64)> =
            sqlx::query_as("SELECT status, COUNT(*) FROM deliveries WHERE created_at >= $1 GROUP BY status")
                .bind(since)
                .fetch_all(&mut *reader)
                .await
                .db("counting deliveries")?;
        let items: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM delivery_items i JOIN deliveries d ON d.id = i.delivery_id
             WHERE d.created_at >= $1",
        )
        .bind(since)
        .fetch_one(&mut *reader)
        .await
        .db("counting delivered jobs")?;
        let feedback: Vec<(String, i64)> =
            sqlx::query_as("SELECT kind, COUNT(*) FROM feedback WHERE created_at >= $1 GROUP BY kind")
                .bind(since)
                .fetch_all(&mut *reader)
                .await
                .db("counting feedback")?;
        Ok(DeliveryStats::from_counts(&statuses, items, &feedback))
    }
}
