//! Delivering the job emails on SQLite: candidates, the outbox of deliveries and their
//! items, and the sender's bookkeeping (feedback and provider events are in `feedback.rs`).

use std::collections::HashSet;
use std::str::FromStr;

use anyhow::Context;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    SqliteStore, begin_write, enqueue, from_us, json_from_text, opt_from_us, subscriber_from_row, us,
};
use crate::delivery::{item_conflict, reasons_from_json, unsuppressed};
use crate::error::DbContext;
use crate::model::clip_error;
use crate::{
    DeliveryCandidate, DeliveryItem, DeliveryKind, DeliveryToSend, NewDelivery, NewTask, RecordOutcome,
    Result, StoreError, SubscriberHistory, Vote,
};

impl SqliteStore {
    pub(super) async fn delivery_candidates_impl(
        &self,
        after: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<DeliveryCandidate>> {
        let page_size = i64::from(limit);
        let limit = limit as usize;
        let mut out = Vec::new();
        let mut reader = self.read().await?;
        let mut cursor = after.map(|id| id.to_string());
        // Suppressions are kept by address hash, which SQL cannot compute: read a page,
        // drop the suppressed, and read on until the page is full or the list ends, so
        // that an empty page means the end.
        while out.len() < limit {
            let rows = sqlx::query(
                "SELECT s.id, s.email, s.status, s.tier, s.timezone, s.created_at, s.updated_at,
                        s.verified_at, s.unsubscribed_at, s.empty_digests, s.wider_note_sent_at,
                        p.data AS preferences
                 FROM subscribers s JOIN preferences p ON p.subscriber_id = s.id
                 WHERE s.status = 'active' AND ($1 IS NULL OR s.id > $1)
                 ORDER BY s.id LIMIT $2",
            )
            .bind(&cursor)
            .bind(page_size)
            .fetch_all(&mut *reader)
            .await
            .db("listing delivery candidates")?;
            let full = rows.len() == limit;
            let page = rows.iter().map(candidate_from_row).collect::<Result<Vec<_>>>()?;
            let Some(last) = page.last() else { break };
            cursor = Some(last.subscriber.id.to_string());
            let hashes: Vec<String> = page.iter().map(|c| c.subscriber.email.hashed()).collect();
            let suppressed: HashSet<String> = sqlx::query_scalar(
                "SELECT email_hash FROM suppressions WHERE email_hash IN (SELECT value FROM json_each($1))",
            )
            .bind(serde_json::to_string(&hashes).context("listing address hashes")?)
            .fetch_all(&mut *reader)
            .await
            .db("looking up suppressed candidates")?
            .into_iter()
            .collect();
            unsuppressed(page, &suppressed, &mut out, limit);
            if !full {
                break;
            }
        }
        Ok(out)
    }

    pub(super) async fn has_delivery_impl(
        &self,
        subscriber: Uuid,
        kind: DeliveryKind,
        period: &str,
    ) -> Result<bool> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM deliveries WHERE subscriber_id = $1 AND kind = $2 AND period = $3",
        )
        .bind(subscriber.to_string())
        .bind(kind.as_str())
        .bind(period)
        .fetch_optional(&mut *self.read().await?)
        .await
        .db("looking up a delivery")?;
        Ok(found.is_some())
    }

    pub(super) async fn subscriber_history_impl(&self, subscriber: Uuid) -> Result<SubscriberHistory> {
        let key = subscriber.to_string();
        let mut reader = self.read().await?;
        let sent: Vec<(i64, String, i64)> = sqlx::query_as(
            "SELECT i.job_id, j.company, d.created_at
             FROM delivery_items i
             JOIN deliveries d ON d.id = i.delivery_id
             JOIN jobs j ON j.id = i.job_id
             WHERE i.subscriber_id = $1 ORDER BY d.created_at, d.id, i.position",
        )
        .bind(&key)
        .fetch_all(&mut *reader)
        .await
        .db("reading the jobs sent to a subscriber")?;
        let votes: Vec<(i64, String)> = sqlx::query_as(
            "SELECT job_id, kind FROM feedback
             WHERE subscriber_id = $1 AND kind IN ('up', 'down') AND job_id IS NOT NULL
             ORDER BY created_at, id",
        )
        .bind(&key)
        .fetch_all(&mut *reader)
        .await
        .db("reading a subscriber's votes")?;
        let mut history = SubscriberHistory::default();
        for (job_id, company, created_at) in sent {
            history.sent_job_ids.push(job_id);
            history.sent_companies.push((company, from_us(created_at)?));
        }
        for (job_id, kind) in votes {
            history
                .votes
                .push((job_id, Vote::from_str(&kind).context("stored vote")?));
        }
        Ok(history)
    }

    pub(super) async fn record_delivery_impl(
        &self,
        delivery: &NewDelivery,
        send_task: Option<&NewTask>,
    ) -> Result<RecordOutcome> {
        delivery.check()?;
        let subscriber = delivery.subscriber.to_string();
        let mut writer = self.write().await?;
        let mut tx = begin_write(&mut writer).await?;
        let inserted = sqlx::query(
            "INSERT INTO deliveries (id, subscriber_id, kind, period, status, created_at, skip_reason)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (subscriber_id, kind, period) DO NOTHING",
        )
        .bind(delivery.id.to_string())
        .bind(&subscriber)
        .bind(delivery.kind.as_str())
        .bind(&delivery.period)
        .bind(delivery.status())
        .bind(us(delivery.created_at))
        .bind(&delivery.skip_reason)
        .execute(&mut *tx)
        .await
        .db_refs("recording a delivery")?
        .rows_affected()
            == 1;
        if !inserted {
            tx.rollback().await.db("ending a delivery already recorded")?;
            return Ok(RecordOutcome::AlreadyRecorded);
        }
        if !delivery.items.is_empty() {
            sqlx::query(
                "INSERT INTO delivery_items (delivery_id, subscriber_id, job_id, position, score, reasons)
                 SELECT $1, $2, value ->> 'job_id', value ->> 'position', value ->> 'score',
                        value -> 'reasons'
                 FROM json_each($3)",
            )
            .bind(delivery.id.to_string())
            .bind(&subscriber)
            .bind(delivery.items_json().to_string())
            .execute(&mut *tx)
            .await
            .map_err(|err| match &err {
                sqlx::Error::Database(db) if db.is_unique_violation() => item_conflict(delivery),
                _ => StoreError::from_sqlx_refs(err, "recording a delivery's jobs"),
            })?;
        }
        if let Some(empty) = delivery.empty_digest() {
            sqlx::query(
                "UPDATE subscribers SET empty_digests = CASE WHEN $2 THEN empty_digests + 1 ELSE 0 END
                 WHERE id = $1",
            )
            .bind(&subscriber)
            .bind(empty)
            .execute(&mut *tx)
            .await
            .db("counting empty digests")?;
        }
        if let Some(task) = send_task {
            enqueue(&mut *tx, task).await?;
        }
        tx.commit().await.db("committing a delivery")?;
        Ok(RecordOutcome::Recorded)
    }

    pub(super) async fn delivery_impl(&self, id: Uuid) -> Result<DeliveryToSend> {
        let key = id.to_string();
        let mut reader = self.read().await?;
        let row = sqlx::query(
            "SELECT d.kind AS delivery_kind, d.period, d.status AS delivery_status,
                    d.created_at AS delivery_created_at, d.sent_at,
                    s.id, s.email, s.status, s.tier, s.timezone, s.created_at, s.updated_at,
                    s.verified_at, s.unsubscribed_at, s.empty_digests, s.wider_note_sent_at
             FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id
             WHERE d.id = $1",
        )
        .bind(&key)
        .fetch_one(&mut *reader)
        .await
        .db("reading a delivery")?;
        let items = sqlx::query(
            "SELECT i.job_id, i.position, i.score, i.reasons, j.data, j.url
             FROM delivery_items i JOIN jobs j ON j.id = i.job_id
             WHERE i.delivery_id = $1 ORDER BY i.position",
        )
        .bind(&key)
        .fetch_all(&mut *reader)
        .await
        .db("reading a delivery's jobs")?;
        let read = "reading a delivery";
        let kind: String = row.try_get("delivery_kind").db(read)?;
        Ok(DeliveryToSend {
            id,
            subscriber: subscriber_from_row(&row)?,
            kind: DeliveryKind::from_str(&kind).context("stored delivery kind")?,
            period: row.try_get("period").db(read)?,
            status: row.try_get("delivery_status").db(read)?,
            items: items.iter().map(item_from_row).collect::<Result<_>>()?,
            created_at: from_us(row.try_get("delivery_created_at").db(read)?)?,
            sent_at: opt_from_us(row.try_get("sent_at").db(read)?)?,
        })
    }

    pub(super) async fn mark_delivery_sent_impl(
        &self,
        id: Uuid,
        provider_message_id: &str,
        now: OffsetDateTime,
    ) -> Result<bool> {
        let mut writer = self.write().await?;
        let marked = sqlx::query(
            "UPDATE deliveries SET status = 'sent', sent_at = $3, provider_message_id = $2
             WHERE id = $1 AND status IN ('pending', 'failed')",
        )
        .bind(id.to_string())
        .bind(provider_message_id)
        .bind(us(now))
        .execute(&mut *writer)
        .await
        .db("marking a delivery sent")?
        .rows_affected()
            == 1;
        if !marked {
            delivery_exists(&mut writer, id).await?;
        }
        Ok(marked)
    }

    pub(super) async fn claim_delivery_send_impl(
        &self,
        id: Uuid,
        owner: &str,
        locked_until: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<crate::SendClaim> {
        let mut writer = self.write().await?;
        // One conditional update: only a pending delivery with no live claim (or the
        // caller's own) changes hands, so of several callers exactly one wins.
        let claimed = sqlx::query(
            "UPDATE deliveries SET send_owner = $2, send_locked_until = $3
             WHERE id = $1 AND status = 'pending'
                 AND (send_locked_until IS NULL OR send_locked_until <= $4 OR send_owner = $2)",
        )
        .bind(id.to_string())
        .bind(owner)
        .bind(us(locked_until))
        .bind(us(now))
        .execute(&mut *writer)
        .await
        .db("claiming a delivery's send")?
        .rows_affected()
            == 1;
        if claimed {
            return Ok(crate::SendClaim::Claimed);
        }
        let row = sqlx::query("SELECT status, send_owner, send_locked_until FROM deliveries WHERE id = $1")
            .bind(id.to_string())
            .fetch_one(&mut *writer)
            .await
            .db("reading a delivery's send claim")?;
        let read = "reading a delivery's send claim";
        let status: String = row.try_get("status").db(read)?;
        let owner: Option<String> = row.try_get("send_owner").db(read)?;
        let until: Option<OffsetDateTime> = opt_from_us(row.try_get("send_locked_until").db(read)?)?;
        Ok(match (status.as_str(), owner, until) {
            ("sent", _, _) => crate::SendClaim::Sent,
            ("pending", Some(owner), Some(until)) => crate::SendClaim::Held { owner, until },
            // Pending with no claim: it was released between the two statements.
            ("pending", _, _) => crate::SendClaim::Held {
                owner: String::new(),
                until: now,
            },
            _ => crate::SendClaim::Closed,
        })
    }

    pub(super) async fn release_delivery_send_impl(&self, id: Uuid, owner: &str) -> Result<()> {
        sqlx::query(
            "UPDATE deliveries SET send_owner = NULL, send_locked_until = NULL
             WHERE id = $1 AND send_owner = $2 AND status = 'pending'",
        )
        .bind(id.to_string())
        .bind(owner)
        .execute(&mut *self.write().await?)
        .await
        .db("releasing a delivery's send claim")?;
        Ok(())
    }

    pub(super) async fn mark_delivery_failed_impl(
        &self,
        id: Uuid,
        error: &str,
        now: OffsetDateTime,
    ) -> Result<()> {
        let mut writer = self.write().await?;
        let marked = sqlx::query(
            "UPDATE deliveries SET status = 'failed', last_error = $2, failed_at = $3
             WHERE id = $1 AND status IN ('pending', 'failed')",
        )
        .bind(id.to_string())
        .bind(clip_error(error))
        .bind(us(now))
        .execute(&mut *writer)
        .await
        .db("marking a delivery failed")?
        .rows_affected()
            == 1;
        if !marked {
            delivery_exists(&mut writer, id).await?;
        }
        Ok(())
    }

    pub(super) async fn mark_wider_note_sent_impl(
        &self,
        subscriber: Uuid,
        now: OffsetDateTime,
    ) -> Result<()> {
        let marked =
            sqlx::query("UPDATE subscribers SET wider_note_sent_at = $2, empty_digests = 0 WHERE id = $1")
                .bind(subscriber.to_string())
                .bind(us(now))
                .execute(&mut *self.write().await?)
                .await
                .db("noting the wider-preferences email")?;
        if marked.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}

fn candidate_from_row(row: &SqliteRow) -> Result<DeliveryCandidate> {
    let preferences: String = row.try_get("preferences").db("reading a delivery candidate")?;
    Ok(DeliveryCandidate {
        subscriber: subscriber_from_row(row)?,
        preferences: json_from_text(&preferences)?,
    })
}

fn item_from_row(row: &SqliteRow) -> Result<DeliveryItem> {
    let read = "reading a delivery's job";
    let reasons: String = row.try_get("reasons").db(read)?;
    let data: String = row.try_get("data").db(read)?;
    Ok(DeliveryItem {
        job_id: row.try_get("job_id").db(read)?,
        position: u32::try_from(row.try_get::<i64, _>("position").db(read)?)
            .context("stored item position")?,
        score: row.try_get::<f64, _>("score").db(read)? as f32,
        reasons: reasons_from_json(json_from_text(&reasons)?)?,
        job: serde_json::from_str(&data).context("a stored job does not parse")?,
        url: row.try_get("url").db(read)?,
    })
}

/// [`StoreError::NotFound`] unless the delivery exists.
async fn delivery_exists(conn: &mut sqlx::SqliteConnection, id: Uuid) -> Result<()> {
    sqlx::query_scalar::<_, i64>("SELECT 1 FROM deliveries WHERE id = $1")
        .bind(id.to_string())
        .fetch_one(conn)
        .await
        .db("checking a delivery exists")?;
    Ok(())
}
