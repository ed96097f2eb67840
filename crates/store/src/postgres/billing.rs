//! Billing on PostgreSQL: Stripe events applied in one transaction that locks the
//! subscriber's row, so events about one subscriber apply one at a time across
//! processes; and the end of past_due grace periods.

use std::str::FromStr;

use anyhow::Context;
use jobping_core::{AuditKey, Tier};
use sqlx::Row;
use sqlx::postgres::PgRow;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{PgStore, enqueue, insert_audit, subscriber_from_row};
use crate::billing::{AccountState, decide, tier_change_detail};
use crate::error::DbContext;
use crate::{BillingAccount, BillingOutcome, NewAuditEntry, Result, StripeEvent, SubscriptionStatus};

const ACCOUNT: &str = "SELECT subscriber_id, customer_id, subscription_id, status, current_period_end,
        past_due_since, last_event_at, updated_at
    FROM billing_accounts WHERE subscriber_id = $1";

const BY_CUSTOMER: &str = "SELECT subscriber_id FROM billing_accounts WHERE customer_id = $1
    ORDER BY updated_at DESC LIMIT 1";

fn account_from_row(row: &PgRow) -> Result<BillingAccount> {
    let read = "reading a billing account";
    let status: Option<String> = row.try_get("status").db(read)?;
    Ok(BillingAccount {
        subscriber: row.try_get("subscriber_id").db(read)?,
        customer_id: row.try_get("customer_id").db(read)?,
        subscription_id: row.try_get("subscription_id").db(read)?,
        status: status
            .map(|s| SubscriptionStatus::from_str(&s))
            .transpose()
            .context("stored subscription status")?,
        current_period_end: row.try_get("current_period_end").db(read)?,
        past_due_since: row.try_get("past_due_since").db(read)?,
        last_event_at: row.try_get("last_event_at").db(read)?,
        updated_at: row.try_get("updated_at").db(read)?,
    })
}

impl PgStore {
    pub(super) async fn billing_account_impl(&self, subscriber: Uuid) -> Result<Option<BillingAccount>> {
        let row = sqlx::query(ACCOUNT)
            .bind(subscriber)
            .fetch_optional(&self.pool)
            .await
            .db("reading a billing account")?;
        row.as_ref().map(account_from_row).transpose()
    }

    pub(super) async fn subscriber_by_customer_impl(&self, customer_id: &str) -> Result<Option<Uuid>> {
        sqlx::query_scalar(BY_CUSTOMER)
            .bind(customer_id)
            .fetch_optional(&self.pool)
            .await
            .db("finding a Stripe customer's subscriber")
    }

    pub(super) async fn apply_stripe_event_impl(
        &self,
        event: &StripeEvent,
        audit: &AuditKey,
    ) -> Result<BillingOutcome> {
        let mut tx = self.pool.begin().await.db("beginning a Stripe event")?;
        // A concurrent insert of the same id waits for this one and then finds it: a
        // replay racing the original applies once.
        let kept = sqlx::query(
            "INSERT INTO stripe_events (event_id, kind, created, received_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (event_id) DO NOTHING",
        )
        .bind(&event.event_id)
        .bind(&event.kind)
        .bind(event.created)
        .bind(event.received_at)
        .execute(&mut *tx)
        .await
        .db("keeping a Stripe event")?;
        if kept.rows_affected() == 0 {
            return Ok(BillingOutcome::Replay);
        }
        let subscriber_id: Option<Uuid> = match (event.subscriber, &event.customer_id) {
            (Some(id), _) => Some(id),
            (None, Some(customer)) => sqlx::query_scalar(BY_CUSTOMER)
                .bind(customer)
                .fetch_optional(&mut *tx)
                .await
                .db("finding a Stripe customer's subscriber")?,
            (None, None) => None,
        };
        let subscriber = match subscriber_id {
            // The row lock orders concurrent events about one subscriber.
            Some(id) => sqlx::query(
                "SELECT id, email, status, tier, timezone, created_at, updated_at, verified_at,
                        unsubscribed_at, empty_digests, wider_note_sent_at
                 FROM subscribers WHERE id = $1 FOR UPDATE",
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
        let current = sqlx::query(ACCOUNT)
            .bind(subscriber.id)
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
             ON CONFLICT (subscriber_id) DO UPDATE SET customer_id = EXCLUDED.customer_id,
                 subscription_id = EXCLUDED.subscription_id, status = EXCLUDED.status,
                 current_period_end = EXCLUDED.current_period_end,
                 past_due_since = EXCLUDED.past_due_since, last_event_at = EXCLUDED.last_event_at,
                 updated_at = EXCLUDED.updated_at",
        )
        .bind(subscriber.id)
        .bind(&next.customer_id)
        .bind(&next.subscription_id)
        .bind(next.status.map(SubscriptionStatus::as_str))
        .bind(next.current_period_end)
        .bind(next.past_due_since)
        .bind(next.last_event_at)
        .bind(event.received_at)
        .execute(&mut *tx)
        .await
        .db("saving a billing account")?;
        let tier_before = subscriber.tier;
        let tier_after = next.status.map_or(tier_before, |status| {
            status.tier(next.past_due_since, event.grace, event.received_at)
        });
        if tier_after != tier_before {
            sqlx::query("UPDATE subscribers SET tier = $2, updated_at = $3 WHERE id = $1")
                .bind(subscriber.id)
                .bind(tier_after.as_str())
                .bind(event.received_at)
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
        let mut tx = self.pool.begin().await.db("beginning the end of grace periods")?;
        let rows: Vec<(Uuid, String, Option<String>, Option<OffsetDateTime>)> = sqlx::query_as(
            "UPDATE subscribers s SET tier = 'free', updated_at = $2
             FROM billing_accounts b
             WHERE b.subscriber_id = s.id AND s.tier = 'premium'
                 AND b.status = 'past_due' AND b.past_due_since < $1
             RETURNING s.id, s.email, b.subscription_id, b.past_due_since",
        )
        .bind(past_due_since_before)
        .bind(now)
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
                        "past_due_since": since.map(|t| t.unix_timestamp()),
                    }),
                },
            )
            .await?;
            out.push(id);
        }
        tx.commit().await.db("committing the end of grace periods")?;
        Ok(out)
    }
}
