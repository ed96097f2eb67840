//! The PostgreSQL store: for several processes and machines on one database.
//!
//! Claims use `FOR UPDATE SKIP LOCKED`, so concurrent workers never wait on or share a
//! task; multi-step writes are single statements with data-modifying CTEs where they can
//! be, to keep round trips (and lock time) short.

use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use async_trait::async_trait;
use jobping_core::{AuditKey, EmailAddress, SubscriberStatus, Tier};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::{Connection, PgPool, Row};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::DbContext;
use crate::{AdminKey, NewAdminKey};
use crate::{
    AuditEntry, Backend, BillingAccount, BillingOutcome, ClaimedTask, DeletedSubscriber, DeliveryCandidate,
    DeliveryKind, DeliveryStats, DeliveryToSend, EmailEvent, FailOutcome, NewAuditEntry, NewConsent,
    NewDelivery, NewSignup, NewTask, QueueStats, RecordOutcome, Result, ScheduleStatus, SignupOutcome,
    SourceRun, SourceState, SourceStatus, Store, StoredJob, StripeEvent, Subscriber, SubscriberExport,
    SubscriberHistory, SuppressionReason, Switch, Task, TaskId, UpsertSummary, VerifyOutcome, Vote,
};

mod billing;
mod delivery;
mod export;
mod feedback;
mod jobs;
mod journey;
mod operators;
mod queue;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Runs of one batch of jobs when a concurrent batch makes PostgreSQL abort it.
const UPSERT_ATTEMPTS: u32 = 4;

/// A pooled connection idle for longer than this is pinged before it is used again.
const IDLE_BEFORE_PING: Duration = Duration::from_secs(1);

/// The PostgreSQL implementation of [`Store`].
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
    /// For claiming, completing and failing tasks only: its commits do not wait for the
    /// WAL flush (`synchronous_commit = off`). A crash may lose the last fraction of a
    /// second of those commits, which only means a task runs again: the queue is
    /// at-least-once anyway. Enqueues and everything else stay fully durable.
    lease_pool: PgPool,
}

/// sqlx checks every connection as it goes back to the pool; pinging it again as it
/// comes out is one more round trip on every call. Only a connection that sat idle for a
/// while (and may have been cut meanwhile) is pinged before use.
fn pool_options(max: u32) -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(max)
        .acquire_timeout(Duration::from_secs(3))
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for >= IDLE_BEFORE_PING {
                    conn.ping().await?;
                }
                Ok(true)
            })
        })
}

impl PgStore {
    /// Connects to the database a `postgres://` URL names and migrates it.
    pub async fn connect(url: &str) -> Result<Self> {
        let options = PgConnectOptions::from_str(url).context("parsing the PostgreSQL URL")?;
        let pool = pool_options(16)
            .connect_with(options.clone())
            .await
            .context("connecting to PostgreSQL")?;
        let lease_pool = pool_options(8)
            .connect_with(options.options([("synchronous_commit", "off")]))
            .await
            .context("connecting to PostgreSQL")?;
        let store = Self { pool, lease_pool };
        store.migrate().await?;
        Ok(store)
    }
}

fn subscriber_from_row(row: &PgRow) -> Result<Subscriber> {
    let read = "reading a subscriber";
    let email: String = row.try_get("email").db(read)?;
    let status: String = row.try_get("status").db(read)?;
    let tier: String = row.try_get("tier").db(read)?;
    Ok(Subscriber {
        id: row.try_get("id").db(read)?,
        email: EmailAddress::parse(&email).context("stored email does not parse")?,
        status: SubscriberStatus::from_str(&status).context("stored subscriber status")?,
        tier: Tier::from_str(&tier).context("stored tier")?,
        timezone: row.try_get("timezone").db(read)?,
        created_at: row.try_get("created_at").db(read)?,
        updated_at: row.try_get("updated_at").db(read)?,
        verified_at: row.try_get("verified_at").db(read)?,
        unsubscribed_at: row.try_get("unsubscribed_at").db(read)?,
        empty_digests: u32::try_from(row.try_get::<i32, _>("empty_digests").db(read)?)
            .context("stored empty digest count")?,
        wider_note_sent_at: row.try_get("wider_note_sent_at").db(read)?,
    })
}

#[async_trait]
impl Store for PgStore {
    fn backend(&self) -> Backend {
        Backend::Postgres
    }

    async fn migrate(&self) -> Result<()> {
        // sqlx holds an advisory lock while migrating, so processes starting together
        // take turns.
        MIGRATOR
            .run(&self.pool)
            .await
            .context("applying the PostgreSQL migrations")?;
        Ok(())
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .db("pinging PostgreSQL")?;
        Ok(())
    }

    async fn secret_or_insert(
        &self,
        name: &str,
        candidate: &str,
        now: OffsetDateTime,
    ) -> Result<(String, bool)> {
        let inserted = sqlx::query(
            "INSERT INTO secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(candidate)
        .bind(now)
        .execute(&self.pool)
        .await
        .db("keeping a secret")?
        .rows_affected()
            == 1;
        let value: String = sqlx::query_scalar("SELECT value FROM secrets WHERE name = $1")
            .bind(name)
            .fetch_one(&self.pool)
            .await
            .db("reading a secret")?;
        Ok((value, inserted))
    }

    async fn secret(&self, name: &str) -> Result<Option<String>> {
        sqlx::query_scalar("SELECT value FROM secrets WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await
            .db("reading a secret")
    }

    async fn delete_secret(&self, name: &str) -> Result<bool> {
        let deleted = sqlx::query("DELETE FROM secrets WHERE name = $1")
            .bind(name)
            .execute(&self.pool)
            .await
            .db("forgetting a secret")?
            .rows_affected();
        Ok(deleted > 0)
    }

    async fn switch(&self, name: &str) -> Result<Option<bool>> {
        sqlx::query_scalar("SELECT enabled FROM switches WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await
            .db("reading a switch")
    }

    async fn set_switch(&self, name: &str, enabled: bool, by: &str, now: OffsetDateTime) -> Result<()> {
        sqlx::query(
            "INSERT INTO switches (name, enabled, updated_at, updated_by) VALUES ($1, $2, $3, $4)
             ON CONFLICT (name) DO UPDATE SET enabled = excluded.enabled,
                 updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        )
        .bind(name)
        .bind(enabled)
        .bind(now)
        .bind(by)
        .execute(&self.pool)
        .await
        .db("setting a switch")?;
        Ok(())
    }

    async fn switches(&self) -> Result<Vec<Switch>> {
        let rows = sqlx::query("SELECT name, enabled, updated_at, updated_by FROM switches ORDER BY name")
            .fetch_all(&self.pool)
            .await
            .db("listing switches")?;
        rows.iter()
            .map(|row| {
                Ok(Switch {
                    name: row.try_get("name").db("reading a switch")?,
                    enabled: row.try_get("enabled").db("reading a switch")?,
                    updated_at: row.try_get("updated_at").db("reading a switch")?,
                    updated_by: row.try_get("updated_by").db("reading a switch")?,
                })
            })
            .collect()
    }

    async fn insert_subscriber(&self, email: &EmailAddress, now: OffsetDateTime) -> Result<Subscriber> {
        let row = sqlx::query(
            "INSERT INTO subscribers (id, email, created_at, updated_at) VALUES ($1, $2, $3, $3)
             RETURNING id, email, status, tier, timezone, created_at, updated_at, verified_at,
                 unsubscribed_at, empty_digests, wider_note_sent_at",
        )
        .bind(Uuid::now_v7())
        .bind(email.as_str())
        .bind(now)
        .fetch_one(&self.pool)
        .await
        .db("inserting a subscriber")?;
        subscriber_from_row(&row)
    }

    async fn subscriber_by_email(&self, email: &EmailAddress) -> Result<Option<Subscriber>> {
        let row = sqlx::query(
            "SELECT id, email, status, tier, timezone, created_at, updated_at, verified_at,
                    unsubscribed_at, empty_digests, wider_note_sent_at
             FROM subscribers WHERE lower(email) = lower($1)",
        )
        .bind(email.as_str())
        .fetch_optional(&self.pool)
        .await
        .db("looking up a subscriber by email")?;
        row.as_ref().map(subscriber_from_row).transpose()
    }

    async fn subscriber(&self, id: Uuid) -> Result<Subscriber> {
        let row = sqlx::query(
            "SELECT id, email, status, tier, timezone, created_at, updated_at, verified_at,
                    unsubscribed_at, empty_digests, wider_note_sent_at
             FROM subscribers WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&self.pool)
        .await
        .db("reading a subscriber")?;
        subscriber_from_row(&row)
    }

    async fn save_preferences(
        &self,
        subscriber: Uuid,
        preferences: &serde_json::Value,
        fingerprint: &str,
        now: OffsetDateTime,
    ) -> Result<()> {
        upsert_preferences(&self.pool, subscriber, preferences, fingerprint, now).await
    }

    async fn preferences(&self, subscriber: Uuid) -> Result<Option<serde_json::Value>> {
        sqlx::query_scalar("SELECT data FROM preferences WHERE subscriber_id = $1")
            .bind(subscriber)
            .fetch_optional(&self.pool)
            .await
            .db("reading preferences")
    }

    async fn signup(&self, signup: &NewSignup) -> Result<SignupOutcome> {
        self.signup_impl(signup).await
    }

    async fn claim_link_email(
        &self,
        subscriber: Uuid,
        min_interval: Duration,
        now: OffsetDateTime,
    ) -> Result<bool> {
        self.claim_link_email_impl(subscriber, min_interval, now).await
    }

    async fn verify_subscriber(&self, id: Uuid, now: OffsetDateTime) -> Result<VerifyOutcome> {
        self.verify_subscriber_impl(id, now).await
    }

    async fn unsubscribe(&self, id: Uuid, now: OffsetDateTime) -> Result<bool> {
        self.unsubscribe_impl(id, now).await
    }

    async fn suppression(&self, email: &EmailAddress) -> Result<Option<SuppressionReason>> {
        self.suppression_impl(email).await
    }

    async fn record_consent(
        &self,
        subscriber: Uuid,
        consent: &NewConsent,
        now: OffsetDateTime,
    ) -> Result<()> {
        self.record_consent_impl(subscriber, consent, now).await
    }

    async fn export_subscriber(&self, id: Uuid) -> Result<SubscriberExport> {
        self.export_subscriber_impl(id).await
    }

    async fn delete_subscriber(
        &self,
        id: Uuid,
        actor: &str,
        audit: &AuditKey,
        now: OffsetDateTime,
    ) -> Result<Option<DeletedSubscriber>> {
        self.delete_subscriber_impl(id, actor, audit, now).await
    }

    async fn purge_unverified(&self, created_before: OffsetDateTime) -> Result<u64> {
        self.purge_unverified_impl(created_before).await
    }

    async fn use_token(
        &self,
        token_hash: &str,
        purpose: &str,
        expires_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<bool> {
        self.use_token_impl(token_hash, purpose, expires_at, now).await
    }

    async fn purge_used_tokens(&self, before: OffsetDateTime) -> Result<u64> {
        self.purge_used_tokens_impl(before).await
    }

    async fn delivery_candidates(&self, after: Option<Uuid>, limit: u32) -> Result<Vec<DeliveryCandidate>> {
        self.delivery_candidates_impl(after, limit).await
    }

    async fn has_delivery(&self, subscriber: Uuid, kind: DeliveryKind, period: &str) -> Result<bool> {
        self.has_delivery_impl(subscriber, kind, period).await
    }

    async fn subscriber_history(&self, subscriber: Uuid) -> Result<SubscriberHistory> {
        self.subscriber_history_impl(subscriber).await
    }

    async fn record_delivery(
        &self,
        delivery: &NewDelivery,
        send_task: Option<&NewTask>,
    ) -> Result<RecordOutcome> {
        self.record_delivery_impl(delivery, send_task).await
    }

    async fn delivery(&self, id: Uuid) -> Result<DeliveryToSend> {
        self.delivery_impl(id).await
    }

    async fn mark_delivery_sent(
        &self,
        id: Uuid,
        provider_message_id: &str,
        now: OffsetDateTime,
    ) -> Result<bool> {
        self.mark_delivery_sent_impl(id, provider_message_id, now).await
    }

    async fn claim_delivery_send(
        &self,
        id: Uuid,
        owner: &str,
        locked_until: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<crate::SendClaim> {
        self.claim_delivery_send_impl(id, owner, locked_until, now).await
    }

    async fn release_delivery_send(&self, id: Uuid, owner: &str) -> Result<()> {
        self.release_delivery_send_impl(id, owner).await
    }

    async fn mark_delivery_failed(&self, id: Uuid, error: &str, now: OffsetDateTime) -> Result<()> {
        self.mark_delivery_failed_impl(id, error, now).await
    }

    async fn record_vote(
        &self,
        subscriber: Uuid,
        job_id: i64,
        delivery: Option<Uuid>,
        vote: Vote,
        reason: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<()> {
        self.record_vote_impl(subscriber, job_id, delivery, vote, reason, now)
            .await
    }

    async fn record_click(
        &self,
        subscriber: Uuid,
        job_id: i64,
        delivery: Option<Uuid>,
        now: OffsetDateTime,
    ) -> Result<()> {
        self.record_click_impl(subscriber, job_id, delivery, now).await
    }

    async fn record_email_event(&self, event: &EmailEvent) -> Result<bool> {
        self.record_email_event_impl(event).await
    }

    async fn suppress(&self, email_hash: &str, reason: SuppressionReason, now: OffsetDateTime) -> Result<()> {
        self.suppress_impl(email_hash, reason, now).await
    }

    async fn mark_wider_note_sent(&self, subscriber: Uuid, now: OffsetDateTime) -> Result<()> {
        self.mark_wider_note_sent_impl(subscriber, now).await
    }

    async fn delivery_stats(&self, since: OffsetDateTime) -> Result<DeliveryStats> {
        self.delivery_stats_impl(since).await
    }

    async fn billing_account(&self, subscriber: Uuid) -> Result<Option<BillingAccount>> {
        self.billing_account_impl(subscriber).await
    }

    async fn subscriber_by_customer(&self, customer_id: &str) -> Result<Option<Uuid>> {
        self.subscriber_by_customer_impl(customer_id).await
    }

    async fn apply_stripe_event(&self, event: &StripeEvent, audit: &AuditKey) -> Result<BillingOutcome> {
        self.apply_stripe_event_impl(event, audit).await
    }

    async fn expire_past_due(
        &self,
        past_due_since_before: OffsetDateTime,
        audit: &AuditKey,
        now: OffsetDateTime,
    ) -> Result<Vec<Uuid>> {
        self.expire_past_due_impl(past_due_since_before, audit, now).await
    }

    async fn append_audit(&self, entry: &NewAuditEntry) -> Result<()> {
        insert_audit(&self.pool, entry).await
    }

    async fn recent_audit(&self, limit: u32) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "SELECT id, at, actor, action, target_hash, detail FROM audit_log ORDER BY at DESC, id DESC LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .db("reading the audit log")?;
        rows.iter()
            .map(|row| {
                let read = "reading an audit entry";
                Ok(AuditEntry {
                    id: row.try_get("id").db(read)?,
                    at: row.try_get("at").db(read)?,
                    actor: row.try_get("actor").db(read)?,
                    action: row.try_get("action").db(read)?,
                    target_hash: row.try_get("target_hash").db(read)?,
                    detail: row.try_get("detail").db(read)?,
                })
            })
            .collect()
    }

    async fn enqueue(&self, task: &NewTask) -> Result<Option<TaskId>> {
        self.enqueue_impl(task).await
    }

    async fn claim_task(
        &self,
        worker: &str,
        locked_until: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<Option<ClaimedTask>> {
        self.claim_task_impl(worker, locked_until, now).await
    }

    async fn complete_task(&self, task: &ClaimedTask, now: OffsetDateTime) -> Result<()> {
        self.complete_task_impl(task, now).await
    }

    async fn fail_task(
        &self,
        task: &ClaimedTask,
        error: &str,
        retry_at: Option<OffsetDateTime>,
        now: OffsetDateTime,
    ) -> Result<FailOutcome> {
        self.fail_task_impl(task, error, retry_at, now).await
    }

    async fn renew_task_lease(
        &self,
        task: &ClaimedTask,
        locked_until: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<bool> {
        self.renew_task_lease_impl(task, locked_until, now).await
    }

    async fn release_task(&self, task: &ClaimedTask, reason: &str, now: OffsetDateTime) -> Result<bool> {
        self.release_task_impl(task, reason, now).await
    }

    async fn task(&self, id: TaskId) -> Result<Task> {
        self.task_impl(id).await
    }

    async fn queue_stats(&self, now: OffsetDateTime) -> Result<QueueStats> {
        self.queue_stats_impl(now).await
    }

    async fn purge_finished_tasks(
        &self,
        done_before: OffsetDateTime,
        dead_before: OffsetDateTime,
    ) -> Result<u64> {
        self.purge_finished_tasks_impl(done_before, dead_before).await
    }

    async fn fire_schedule(&self, name: &str, fire_at: OffsetDateTime, task: &NewTask) -> Result<bool> {
        self.fire_schedule_impl(name, fire_at, task).await
    }

    async fn schedules(&self) -> Result<Vec<ScheduleStatus>> {
        self.schedules_impl().await
    }

    async fn upsert_jobs(&self, jobs: &[jobping_core::Job], now: OffsetDateTime) -> Result<UpsertSummary> {
        self.upsert_jobs_again_after_deadlocks(jobs, None, now).await
    }

    async fn upsert_scraped_jobs(
        &self,
        jobs: &[jobping_core::Job],
        posting_hashes: &[String],
        now: OffsetDateTime,
    ) -> Result<UpsertSummary> {
        self.upsert_jobs_again_after_deadlocks(jobs, Some(posting_hashes), now)
            .await
    }

    async fn touch_source_jobs(&self, source: &str, board: &str, now: OffsetDateTime) -> Result<u64> {
        self.touch_source_jobs_impl(source, board, now).await
    }

    async fn seen_unchanged(
        &self,
        source: &str,
        board: &str,
        postings: &[(String, String)],
        now: OffsetDateTime,
    ) -> Result<Vec<String>> {
        self.seen_unchanged_impl(source, board, postings, now).await
    }

    async fn deactivate_stale_jobs(
        &self,
        not_seen_since: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<u64> {
        self.deactivate_stale_jobs_impl(not_seen_since, now).await
    }

    async fn jobs(&self, active_only: bool) -> Result<Vec<StoredJob>> {
        self.jobs_impl(active_only).await
    }

    async fn source_state(&self, name: &str) -> Result<Option<SourceState>> {
        self.source_state_impl(name).await
    }

    async fn record_source_run(&self, run: &SourceRun) -> Result<()> {
        self.record_source_run_impl(run).await
    }

    async fn source_statuses(&self) -> Result<Vec<SourceStatus>> {
        self.source_statuses_impl().await
    }

    async fn create_admin_key(&self, key: &NewAdminKey) -> Result<AdminKey> {
        self.create_admin_key_impl(key).await
    }

    async fn admin_key_by_hash(&self, key_hash: &str) -> Result<Option<AdminKey>> {
        self.admin_key_by_hash_impl(key_hash).await
    }

    async fn admin_key(&self, id: Uuid) -> Result<Option<AdminKey>> {
        self.admin_key_impl(id).await
    }

    async fn admin_keys(&self) -> Result<Vec<AdminKey>> {
        self.admin_keys_impl().await
    }

    async fn revoke_admin_key(&self, id: Uuid, now: OffsetDateTime) -> Result<bool> {
        self.revoke_admin_key_impl(id, now).await
    }

    async fn touch_admin_key(&self, id: Uuid, now: OffsetDateTime) -> Result<()> {
        self.touch_admin_key_impl(id, now).await
    }

    async fn audit_page(&self, before: Option<i64>, limit: u32) -> Result<Vec<AuditEntry>> {
        self.audit_page_impl(before, limit).await
    }

    async fn sent_deliveries(&self, subscriber: Uuid) -> Result<u64> {
        self.sent_deliveries_impl(subscriber).await
    }

    async fn operator_stats(&self, now: OffsetDateTime) -> Result<crate::OperatorStats> {
        self.operator_stats_impl(now).await
    }
}

async fn enqueue<'e>(executor: impl sqlx::PgExecutor<'e>, task: &NewTask) -> Result<Option<TaskId>> {
    sqlx::query_scalar(
        "INSERT INTO tasks (kind, payload, unique_key, schedule, max_attempts, run_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6, $6)
         ON CONFLICT (unique_key) DO NOTHING
         RETURNING id",
    )
    .bind(&task.kind)
    .bind(&task.payload)
    .bind(&task.unique_key)
    .bind(&task.schedule)
    .bind(i32::try_from(task.max_attempts.max(1)).unwrap_or(i32::MAX))
    .bind(task.run_at)
    .fetch_optional(executor)
    .await
    .db("queueing a task")
}

async fn insert_audit<'e>(executor: impl sqlx::PgExecutor<'e>, entry: &NewAuditEntry) -> Result<()> {
    sqlx::query("INSERT INTO audit_log (at, actor, action, target_hash, detail) VALUES ($1, $2, $3, $4, $5)")
        .bind(entry.at)
        .bind(&entry.actor)
        .bind(&entry.action)
        .bind(&entry.target_hash)
        .bind(&entry.detail)
        .execute(executor)
        .await
        .db("appending to the audit log")?;
    Ok(())
}

async fn upsert_preferences<'e>(
    executor: impl sqlx::PgExecutor<'e>,
    subscriber: Uuid,
    preferences: &serde_json::Value,
    fingerprint: &str,
    now: OffsetDateTime,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO preferences (subscriber_id, data, fingerprint, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (subscriber_id) DO UPDATE SET data = EXCLUDED.data,
             fingerprint = EXCLUDED.fingerprint, updated_at = EXCLUDED.updated_at",
    )
    .bind(subscriber)
    .bind(preferences)
    .bind(fingerprint)
    .bind(now)
    .execute(executor)
    .await
    .db("saving preferences")?;
    Ok(())
}
