//! The subscriber's journey on SQLite: signup, confirmation, unsubscription, consent,
//! erasure and single-use tokens (the GDPR export is in `export.rs`). A write of several
//! rows is one `BEGIN IMMEDIATE` transaction on the writer connection.

use std::str::FromStr;

use anyhow::Context;
use jobping_core::{AuditKey, EmailAddress, SubscriberStatus};
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{SqliteStore, begin_write, insert_audit, subscriber_from_row, upsert_preferences, us};
use crate::error::DbContext;
use crate::journey::{DELETED_ACTION, SUPPRESS, link_cutoff};
use crate::{
    DeletedSubscriber, NewAuditEntry, NewConsent, NewSignup, Result, SignupOutcome, StoreError,
    SuppressionReason, VerifyOutcome,
};

impl SqliteStore {
    pub(super) async fn signup_impl(&self, signup: &NewSignup) -> Result<SignupOutcome> {
        let mut writer = self.write().await?;
        let mut tx = begin_write(&mut writer).await?;
        let inserted = sqlx::query(
            "INSERT INTO subscribers (id, email, timezone, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
             ON CONFLICT (lower(email)) DO NOTHING
             RETURNING id, email, status, tier, timezone, created_at, updated_at, verified_at,
                 unsubscribed_at, empty_digests, wider_note_sent_at",
        )
        .bind(signup.id.to_string())
        .bind(signup.email.as_str())
        .bind(&signup.timezone)
        .bind(us(signup.now))
        .fetch_optional(&mut *tx)
        .await
        .db("inserting a signup")?;
        let outcome = match inserted {
            Some(row) => SignupOutcome {
                subscriber: subscriber_from_row(&row)?,
                created: true,
                status_before: None,
            },
            None => {
                let row = sqlx::query(
                    "SELECT id, email, status, tier, timezone, created_at, updated_at, verified_at,
                            unsubscribed_at, empty_digests, wider_note_sent_at
                     FROM subscribers WHERE lower(email) = lower($1)",
                )
                .bind(signup.email.as_str())
                .fetch_one(&mut *tx)
                .await
                .db("reading a signup's subscriber")?;
                let known = subscriber_from_row(&row)?;
                if known.status != SubscriberStatus::Pending {
                    tx.rollback().await.db("ending a signup that changed nothing")?;
                    return Ok(SignupOutcome {
                        status_before: Some(known.status),
                        subscriber: known,
                        created: false,
                    });
                }
                let row = sqlx::query(
                    "UPDATE subscribers SET timezone = $2, updated_at = $3 WHERE id = $1
                     RETURNING id, email, status, tier, timezone, created_at, updated_at, verified_at,
                         unsubscribed_at, empty_digests, wider_note_sent_at",
                )
                .bind(known.id.to_string())
                .bind(&signup.timezone)
                .bind(us(signup.now))
                .fetch_one(&mut *tx)
                .await
                .db("updating a pending signup")?;
                sqlx::query("DELETE FROM consents WHERE subscriber_id = $1")
                    .bind(known.id.to_string())
                    .execute(&mut *tx)
                    .await
                    .db("replacing a pending signup's consents")?;
                SignupOutcome {
                    subscriber: subscriber_from_row(&row)?,
                    created: false,
                    status_before: Some(SubscriberStatus::Pending),
                }
            }
        };
        let id = outcome.subscriber.id;
        upsert_preferences(&mut *tx, id, &signup.preferences, &signup.fingerprint, signup.now).await?;
        for consent in &signup.consents {
            insert_consent(&mut *tx, id, consent, signup.now).await?;
        }
        tx.commit().await.db("committing a signup")?;
        Ok(outcome)
    }

    pub(super) async fn claim_link_email_impl(
        &self,
        subscriber: Uuid,
        min_interval: std::time::Duration,
        now: OffsetDateTime,
    ) -> Result<bool> {
        let mut writer = self.write().await?;
        let claimed = sqlx::query(
            "UPDATE subscribers SET link_sent_at = $2
             WHERE id = $1 AND (link_sent_at IS NULL OR link_sent_at <= $3)",
        )
        .bind(subscriber.to_string())
        .bind(us(now))
        .bind(us(link_cutoff(now, min_interval)))
        .execute(&mut *writer)
        .await
        .db("claiming a link email")?
        .rows_affected()
            == 1;
        if !claimed {
            ensure_exists(&mut *writer, subscriber).await?;
        }
        Ok(claimed)
    }

    pub(super) async fn verify_subscriber_impl(
        &self,
        id: Uuid,
        now: OffsetDateTime,
    ) -> Result<VerifyOutcome> {
        let mut writer = self.write().await?;
        let mut tx = begin_write(&mut writer).await?;
        let email: Option<String> = sqlx::query_scalar(
            "UPDATE subscribers SET status = 'active', verified_at = COALESCE(verified_at, $2),
                 unsubscribed_at = NULL, updated_at = $2
             WHERE id = $1 AND status <> 'active'
             RETURNING email",
        )
        .bind(id.to_string())
        .bind(us(now))
        .fetch_optional(&mut *tx)
        .await
        .db("verifying a subscriber")?;
        let Some(email) = email else {
            ensure_exists(&mut *tx, id).await?;
            return Ok(VerifyOutcome::AlreadyActive);
        };
        sqlx::query("DELETE FROM suppressions WHERE email_hash = $1 AND reason = 'unsubscribed'")
            .bind(stored_email(&email)?.hashed())
            .execute(&mut *tx)
            .await
            .db("lifting an unsubscription")?;
        tx.commit().await.db("committing a verification")?;
        Ok(VerifyOutcome::Verified)
    }

    pub(super) async fn unsubscribe_impl(&self, id: Uuid, now: OffsetDateTime) -> Result<bool> {
        let mut writer = self.write().await?;
        let mut tx = begin_write(&mut writer).await?;
        let email: Option<String> = sqlx::query_scalar(
            "UPDATE subscribers SET status = 'unsubscribed', unsubscribed_at = $2, updated_at = $2
             WHERE id = $1 AND status <> 'unsubscribed'
             RETURNING email",
        )
        .bind(id.to_string())
        .bind(us(now))
        .fetch_optional(&mut *tx)
        .await
        .db("unsubscribing")?;
        let Some(email) = email else {
            ensure_exists(&mut *tx, id).await?;
            return Ok(false);
        };
        sqlx::query(SUPPRESS)
            .bind(stored_email(&email)?.hashed())
            .bind(SuppressionReason::Unsubscribed.as_str())
            .bind(us(now))
            .execute(&mut *tx)
            .await
            .db("suppressing an unsubscribed address")?;
        tx.commit().await.db("committing an unsubscription")?;
        Ok(true)
    }

    pub(super) async fn suppression_impl(&self, email: &EmailAddress) -> Result<Option<SuppressionReason>> {
        let reason: Option<String> =
            sqlx::query_scalar("SELECT reason FROM suppressions WHERE email_hash = $1")
                .bind(email.hashed())
                .fetch_optional(&mut *self.read().await?)
                .await
                .db("looking up a suppression")?;
        reason
            .map(|reason| SuppressionReason::from_str(&reason).context("stored suppression reason"))
            .transpose()
            .map_err(StoreError::from)
    }

    pub(super) async fn record_consent_impl(
        &self,
        subscriber: Uuid,
        consent: &NewConsent,
        now: OffsetDateTime,
    ) -> Result<()> {
        insert_consent(&mut *self.write().await?, subscriber, consent, now).await
    }

    pub(super) async fn delete_subscriber_impl(
        &self,
        id: Uuid,
        actor: &str,
        audit: &AuditKey,
        now: OffsetDateTime,
    ) -> Result<Option<DeletedSubscriber>> {
        let key = id.to_string();
        let mut writer = self.write().await?;
        let mut tx = begin_write(&mut writer).await?;
        let known: Option<(String, String)> =
            sqlx::query_as("SELECT email, status FROM subscribers WHERE id = $1")
                .bind(&key)
                .fetch_optional(&mut *tx)
                .await
                .db("reading a subscriber to erase")?;
        let Some((email, status)) = known else {
            tx.rollback().await.db("ending an erasure of nobody")?;
            return Ok(None);
        };
        let email = stored_email(&email)?;
        let email_hash = email.hashed();
        let was_unsubscribed = status == SubscriberStatus::Unsubscribed.as_str();
        let tasks_removed =
            sqlx::query("DELETE FROM tasks WHERE json_extract(payload, '$.subscriber_id') = $1")
                .bind(&key)
                .execute(&mut *tx)
                .await
                .db("erasing a subscriber's tasks")?
                .rows_affected();
        // Preferences, consents, deliveries, their items and feedback go by ON DELETE CASCADE.
        sqlx::query("DELETE FROM subscribers WHERE id = $1")
            .bind(&key)
            .execute(&mut *tx)
            .await
            .db("erasing a subscriber")?;
        if was_unsubscribed {
            sqlx::query(SUPPRESS)
                .bind(&email_hash)
                .bind(SuppressionReason::Unsubscribed.as_str())
                .bind(us(now))
                .execute(&mut *tx)
                .await
                .db("keeping an erased address suppressed")?;
        }
        let entry = NewAuditEntry {
            at: now,
            actor: actor.to_owned(),
            action: DELETED_ACTION.to_owned(),
            target_hash: Some(email.audit_hash(audit)),
            detail: json!({ "tasks_removed": tasks_removed }),
        };
        insert_audit(&mut *tx, &entry).await?;
        tx.commit().await.db("committing an erasure")?;
        Ok(Some(DeletedSubscriber {
            email_hash,
            was_unsubscribed,
            tasks_removed,
        }))
    }

    pub(super) async fn purge_unverified_impl(&self, created_before: OffsetDateTime) -> Result<u64> {
        let mut writer = self.write().await?;
        let mut tx = begin_write(&mut writer).await?;
        sqlx::query(
            "DELETE FROM tasks WHERE status = 'pending' AND json_extract(payload, '$.subscriber_id') IN
                 (SELECT id FROM subscribers
                  WHERE status = 'pending' AND verified_at IS NULL AND created_at < $1)",
        )
        .bind(us(created_before))
        .execute(&mut *tx)
        .await
        .db("purging unverified subscribers' tasks")?;
        let purged = sqlx::query(
            "DELETE FROM subscribers WHERE status = 'pending' AND verified_at IS NULL AND created_at < $1",
        )
        .bind(us(created_before))
        .execute(&mut *tx)
        .await
        .db("purging unverified subscribers")?
        .rows_affected();
        tx.commit()
            .await
            .db("committing a purge of unverified subscribers")?;
        Ok(purged)
    }

    pub(super) async fn use_token_impl(
        &self,
        token_hash: &str,
        purpose: &str,
        expires_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<bool> {
        let used = sqlx::query(
            "INSERT INTO used_tokens (token_hash, purpose, expires_at, used_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (token_hash) DO NOTHING",
        )
        .bind(token_hash)
        .bind(purpose)
        .bind(us(expires_at))
        .bind(us(now))
        .execute(&mut *self.write().await?)
        .await
        .db("using a token")?;
        Ok(used.rows_affected() == 1)
    }

    pub(super) async fn purge_used_tokens_impl(&self, before: OffsetDateTime) -> Result<u64> {
        let purged = sqlx::query("DELETE FROM used_tokens WHERE expires_at < $1")
            .bind(us(before))
            .execute(&mut *self.write().await?)
            .await
            .db("purging used tokens")?;
        Ok(purged.rows_affected())
    }
}

/// Appends a consent; [`StoreError::NotFound`] when the subscriber does not exist.
async fn insert_consent<'e>(
    executor: impl sqlx::SqliteExecutor<'e>,
    subscriber: Uuid,
    consent: &NewConsent,
    now: OffsetDateTime,
) -> Result<()> {
    let inserted = sqlx::query(
        "INSERT INTO consents (subscriber_id, purpose, granted, policy_version, recorded_at)
         SELECT $1, $2, $3, $4, $5 WHERE EXISTS (SELECT 1 FROM subscribers WHERE id = $1)",
    )
    .bind(subscriber.to_string())
    .bind(consent.purpose.as_str())
    .bind(consent.granted)
    .bind(&consent.policy_version)
    .bind(us(now))
    .execute(executor)
    .await
    .db("recording a consent")?;
    if inserted.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// [`StoreError::NotFound`] unless the subscriber exists.
async fn ensure_exists<'e>(executor: impl sqlx::SqliteExecutor<'e>, subscriber: Uuid) -> Result<()> {
    sqlx::query_scalar::<_, i64>("SELECT 1 FROM subscribers WHERE id = $1")
        .bind(subscriber.to_string())
        .fetch_one(executor)
        .await
        .db("checking a subscriber exists")?;
    Ok(())
}

fn stored_email(email: &str) -> Result<EmailAddress> {
    EmailAddress::parse(email)
        .context("stored email does not parse")
        .map_err(StoreError::from)
}
