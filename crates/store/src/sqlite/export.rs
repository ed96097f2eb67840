//! The GDPR export on SQLite: everything stored about one subscriber, read in one
//! transaction so that the parts agree with each other.

use std::str::FromStr;

use anyhow::Context;
use sqlx::{Connection, Row};
use uuid::Uuid;

use super::{SqliteStore, from_us, json_from_text, opt_from_us, subscriber_from_row};
use crate::error::DbContext;
use crate::journey::attach_items;
use crate::{
    Consent, ConsentPurpose, ExportedDelivery, ExportedFeedback, ExportedItem, Result, SubscriberExport,
};

impl SqliteStore {
    pub(super) async fn export_subscriber_impl(&self, id: Uuid) -> Result<SubscriberExport> {
        // Read first, outside the snapshot below, so the export holds one connection at a time.
        let billing = self.billing_account_impl(id).await?;
        let mut reader = self.read().await?;
        // One read transaction: a snapshot, so the parts agree with each other.
        let mut tx = reader.begin().await.db("beginning an export")?;
        let key = id.to_string();
        let row = sqlx::query(
            "SELECT id, email, status, tier, timezone, created_at, updated_at, verified_at,
                    unsubscribed_at, empty_digests, wider_note_sent_at
             FROM subscribers WHERE id = $1",
        )
        .bind(&key)
        .fetch_one(&mut *tx)
        .await
        .db("exporting a subscriber")?;
        let subscriber = subscriber_from_row(&row)?;
        let preferences: Option<String> =
            sqlx::query_scalar("SELECT data FROM preferences WHERE subscriber_id = $1")
                .bind(&key)
                .fetch_optional(&mut *tx)
                .await
                .db("exporting preferences")?;
        let consents = sqlx::query(
            "SELECT purpose, granted, policy_version, recorded_at FROM consents
             WHERE subscriber_id = $1 ORDER BY recorded_at, id",
        )
        .bind(&key)
        .fetch_all(&mut *tx)
        .await
        .db("exporting consents")?;
        let deliveries = sqlx::query(
            "SELECT id, kind, period, status, created_at, sent_at FROM deliveries
             WHERE subscriber_id = $1 ORDER BY created_at, id",
        )
        .bind(&key)
        .fetch_all(&mut *tx)
        .await
        .db("exporting deliveries")?;
        let items = sqlx::query(
            "SELECT i.delivery_id, i.job_id, i.position, i.score, i.reasons, j.title, j.company, j.url
             FROM delivery_items i
             JOIN deliveries d ON d.id = i.delivery_id
             JOIN jobs j ON j.id = i.job_id
             WHERE d.subscriber_id = $1 ORDER BY i.delivery_id, i.position",
        )
        .bind(&key)
        .fetch_all(&mut *tx)
        .await
        .db("exporting delivery items")?;
        let feedback = sqlx::query(
            "SELECT job_id, kind, reason, created_at FROM feedback
             WHERE subscriber_id = $1 ORDER BY created_at, id",
        )
        .bind(&key)
        .fetch_all(&mut *tx)
        .await
        .db("exporting feedback")?;
        tx.commit().await.db("ending an export")?;

        let mut deliveries = deliveries
            .iter()
            .map(|row| {
                let read = "reading an exported delivery";
                let id: String = row.try_get("id").db(read)?;
                Ok(ExportedDelivery {
                    id: Uuid::parse_str(&id).context("stored delivery id is not a UUID")?,
                    kind: row.try_get("kind").db(read)?,
                    period: row.try_get("period").db(read)?,
                    status: row.try_get("status").db(read)?,
                    created_at: from_us(row.try_get("created_at").db(read)?)?,
                    sent_at: opt_from_us(row.try_get("sent_at").db(read)?)?,
                    items: Vec::new(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let items = items
            .iter()
            .map(|row| {
                let read = "reading an exported delivery item";
                let delivery: String = row.try_get("delivery_id").db(read)?;
                let reasons: String = row.try_get("reasons").db(read)?;
                let item = ExportedItem {
                    job_id: row.try_get("job_id").db(read)?,
                    position: u32::try_from(row.try_get::<i64, _>("position").db(read)?)
                        .context("stored item position")?,
                    score: row.try_get::<f64, _>("score").db(read)? as f32,
                    reasons: json_from_text(&reasons)?,
                    title: row.try_get("title").db(read)?,
                    company: row.try_get("company").db(read)?,
                    url: row.try_get("url").db(read)?,
                };
                Ok((
                    Uuid::parse_str(&delivery).context("stored delivery id is not a UUID")?,
                    item,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        attach_items(&mut deliveries, items);
        Ok(SubscriberExport {
            billing,
            subscriber: subscriber.into(),
            preferences: preferences.as_deref().map(json_from_text).transpose()?,
            consents: consents
                .iter()
                .map(|row| {
                    let read = "reading an exported consent";
                    let purpose: String = row.try_get("purpose").db(read)?;
                    Ok(Consent {
                        purpose: ConsentPurpose::from_str(&purpose).context("stored consent purpose")?,
                        granted: row.try_get("granted").db(read)?,
                        policy_version: row.try_get("policy_version").db(read)?,
                        recorded_at: from_us(row.try_get("recorded_at").db(read)?)?,
                    })
                })
                .collect::<Result<_>>()?,
            deliveries,
            feedback: feedback
                .iter()
                .map(|row| {
                    let read = "reading exported feedback";
                    Ok(ExportedFeedback {
                        job_id: row.try_get("job_id").db(read)?,
                        kind: row.try_get("kind").db(read)?,
                        reason: row.try_get("reason").db(read)?,
                        created_at: from_us(row.try_get("created_at").db(read)?)?,
                    })
                })
                .collect::<Result<_>>()?,
        })
    }
}
