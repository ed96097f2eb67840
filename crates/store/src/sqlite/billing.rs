//! Billing on SQLite: Stripe events applied in one write transaction (the writer lock
//! makes them one at a time), and the end of past_due grace periods.

use std::str::FromStr;

use anyhow::Context;
use jobping_core::{AuditKey, Tier};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{SqliteStore, begin_write, enqueue, from_us, insert_audit, opt_from_us, subscriber_from_row, us};
use crate::billing::{AccountState, decide, tier_change_detail};
use crate::error::DbContext;
use crate::{BillingAccount, BillingOutcome, NewAuditEntry, Result, StripeEvent, SubscriptionStatus};

const ACCOUNT: &str = "SELECT subscriber_id, customer_id, subscription_id, status, current_period_end,
        past_due_since, last_event_at, updated_at
    FROM billing_accounts WHERE subscriber_id = $1";

fn account_from_row(row: &SqliteRow) -> Result<BillingAccount> {
    let read = "reading a billing account";
    let id: String = row.try_get("subscriber_id").db(read)?;
    let status: Option<String> = row.try_get("status").db(read)?;
    Ok(BillingAccount {
        subscriber: Uuid::parse_str(&id).context("stored subscriber id is not a UUID")?,
        customer_id: row.try_get("customer_id").db(read)?,
        subscription_id: row.try_get("subscription_id").db(read)?,
        status: status
            .map(|s| SubscriptionStatus::from_str(&s))
            .transpose()
            .context("stored subscription status")?,
        current_period_end: opt_from_us(row.try_get("current_period_end").db(read)?)?,
        past_due_since: opt_from_us(row.try_get("past_due_since").db(read)?)?,
        last_event_at: opt_from_us(row.try_get("last_event_at").db(read)?)?,
        updated_at: from_us(row.try_get("updated_at").db(read)?)?,
    })
}

impl SqliteStore {
    pub(super) async fn billing_account_impl(&self, subscriber: Uuid) -> Result<Option<BillingAccount>> {
        let row = sqlx::query(ACCOUNT)
            .bind(subscriber.to_string())
            .fetch_optional(&mut *self.read().await?)
            .await
            .db("reading a billing account")?;
        row.as_ref().map(account_from_row).transpose()
    }

    pub(super) async fn subscriber_by_customer_impl(&self, customer_id: &str) -> Result<Option<Uuid>> {
        let id: Option<String> = sqlx::query_scalar(
            "SELECT subscriber_id FROM billing_accounts WHERE customer_id = $1
             ORDER BY updated_at DESC LIMIT 1",
        )
        .bind(customer_id)
        .fetch_optional(&mut *self.read().await?)
        .await
        .db("finding a Stripe customer's subscriber")?;
        id.map(|id| Uuid::parse_str(&id).context("stored subscriber id is not a UUID"))
            .transpose()
            .map_err(Into::into)
    }

    pub(super) async fn apply_stripe_event_impl(
        &self,
        event: &StripeEvent,
        audit: &AuditKey,
    ) -> Result<BillingOutcome> {
        let mut writer = self.write().await?;
        let mut tx = begin_write(&mut writer).await?;
        let kept = sqlx::query(
            "INSERT INTO stripe_events (event_id, kind, created, received_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (event_id) DO NOTHING",
        )
        .bind(&event.event_id)
        .bind(&event.kind)
        .bind(us(event.created))
        .bind(us(event.received_at))
        .execute(&mut *tx)
        .await
        .db("keeping a Stripe event")?;
        if kept.rows_affected() == 0 {
            return Ok(BillingOutcome::Replay);
        }
        let subscriber_id = match (event.subscriber, &event.customer_id) {
            (Some(id), _) => Some(id.to_string()),
            (None, Some(customer)) => sqlx::query_scalar(
                "SELECT subscriber_id FROM billing_accounts WHERE customer_id = $1
                 ORDER BY updated_at DESC LIMIT 1",
            )
            .bind(customer)
            .fetch_optional(&mut *tx)
            .await
            .db("finding a Stripe customer's subscriber")?,
            (None, None) => None,
        };
        let subscriber = match &subscriber_id {
            Some(id) => sqlx::query(
                "SELECT id, email, status, tier, timezone, created_at, updated_at, verified_at,
                        unsubscribed_at, empty_digests, wider_note_sent_at
                 FROM subscribers WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(&mut *tx)
            .await
            .db("reading a subscriber")?
            .as_ref()
            .map(subscriber_from_row)
            .transpose()?,
            None => None,
        };
        let Some(subscriber) = subscriber else {
            tx.commit().await.db("committing a Stripe event")?;
            return Ok(BillingOutcome::Recorded {
                subscriber: None,
                stale: false,
            });
        };
        let key = subscriber.id.to_string();
        let current = sqlx::query(ACCOUNT)
            .bind(&key)
            .fetch_optional(&mut *tx)
            .await
            .db("reading a billing account")?
            .as_ref()
            .map(account_from_row)
            .transpose()?;
        let current = current.as_ref().map(AccountState::from).unwrap_or_default();
        if let Some(task) = &event.task {
            enqueue(&mut *tx, task).await?;
        }
        let Some(next) = decide(&current, event) else {
            tx.commit().await.db("committing a Stripe event")?;
            return Ok(BillingOutcome::Recorded {
                subscriber: Some(subscriber.id),
                stale: true,
            });
        };
        sqlx::query(
            "INSERT INTO billing_accounts (subscriber_id, customer_id, subscription_id, status,
                 current_period_end, past_due_since, last_event_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (subscriber_id) DO UPDATE SET customer_id = excluded.customer_id,
                 subscription_id = excluded.subscription_id, status = excluded.status,
                 current_period_end = excluded.current_period_end,
                 past_due_since = excluded.past_due_since, last_event_at = excluded.last_event_at,
                 updated_at = excluded.updated_at",
        )
        .bind(&key)
        .bind(&next.customer_id)
        .bind(&next.subscription_id)
        .bind(next.status.map(SubscriptionStatus::as_str))
        .bind(next.current_period_end.map(us))
        .bind(next.past_due_since.map(us))
        .bind(next.last_event_at.map(us))
        .bind(us(event.received_at))
        .execute(&mut *tx)
        .await
        .db("saving a billing account")?;
        let tier_before = subscriber.tier;
        let tier_after = next.status.map_or(tier_before, |status| {
            status.tier(next.past_due_since, event.grace, event.received_at)
        });
        if tier_after != tier_before {
            sqlx::query("UPDATE subscribers SET tier = $2, updated_at = $3 WHERE id = $1")
                .bind(&key)
                .bind(tier_after.as_str())
                .bind(us(event.received_at))
                .execute(&mut *tx)
                .await
                .db("changing a subscriber's tier")?;
            insert_audit(
                &mut *tx,
                &NewAuditEntry {
                    at: event.received_at,
                    actor: "stripe".into(),
                    action: "tier_changed".into(),
                    target_hash: Some(subscriber.email.audit_hash(audit)),
                    detail: tier_change_detail(event, &next, tier_before, tier_after),
                },
            )
            .await?;
        }
        tx.commit().await.db("committing a Stripe event")?;
        Ok(BillingOutcome::Applied {
            subscriber: subscriber.id,
            tier_before,
            tier_after,
        })
    }

    pub(super) async fn expire_past_due_impl(
        &self,
        past_due_since_before: OffsetDateTime,
        audit: &AuditKey,
        now: OffsetDateTime,
    ) -> Result<Vec<Uuid>> {
        let mut writer = self.write().await?;
        let mut tx = begin_write(&mut writer).await?;
        let rows: Vec<(String, String, Option<String>, Option<i64>)> = sqlx::query_as(
            "UPDATE subscribers SET tier = 'free', updated_at = $2
             WHERE tier = 'premium' AND id IN (SELECT subscriber_id FROM billing_accounts
                 WHERE status = 'past_due' AND past_due_since < $1)
             RETURNING id, email,
                 (SELECT subscription_id FROM billing_accounts b WHERE b.subscriber_id = subscribers.id),
                 (SELECT past_due_since FROM billing_accounts b WHERE b.subscriber_id = subscribers.id)",
        )
        .bind(us(past_due_since_before))
        .bind(us(now))
        .fetch_all(&mut *tx)
        .await
        .db("ending past_due grace periods")?;
        let mut out = Vec::with_capacity(rows.len());
        for (id, email, subscription, since) in rows {
            let email = jobping_core::EmailAddress::parse(&email).context("stored email does not parse")?;
            insert_audit(
                &mut *tx,
                &NewAuditEntry {
                    at: now,
                    actor: "stripe".into(),
                    action: "tier_changed".into(),
                    target_hash: Some(email.audit_hash(audit)),
                    detail: serde_json::json!({
                        "from": Tier::Premium.as_str(),
                        "to": Tier::Free.as_str(),
                        "reason": "past_due grace ended",
                        "status": "past_due",
                        "subscription": subscription,
                        "past_due_since": opt_from_us(since)?.map(|t| t.unix_timestamp()),
                    }),
                },
            )
            .await?;
            out.push(Uuid::parse_str(&id).context("stored subscriber id is not a UUID")?);
        }
        tx.commit().await.db("committing the end of grace periods")?;
        Ok(out)
    }
}
