//! The PostgreSQL store: for several processes and machines on one database.
//!
//! Claims use `FOR UPDATE SKIP LOCKED`, so concurrent workers never wait on or share a
//! task; multi-step writes are single statements with data-modifying CTEs where they can
//! be, to keep round trips (and lock time) short.

use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use async_trait::async_trait;
use jobping_core::{EmailAddress, SubscriberStatus, Tier};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::{Connection, PgPool, Row};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::DbContext;
use crate::model::LEASE_EXPIRED_ERROR;
use crate::{AdminKey, NewAdminKey};
use crate::{
    AuditEntry, Backend, BillingAccount, BillingOutcome, ClaimedTask, DeletedSubscriber, DeliveryCandidate,
    DeliveryKind, DeliveryStats, DeliveryToSend, EmailEvent, FailOutcome, NewAuditEntry, NewConsent,
    NewDelivery, NewSignup, NewTask, QueueStats, RecordOutcome, Result, ScheduleStatus, SignupOutcome,
    SourceRun, SourceState, SourceStatus, Store, StoreError, StoredJob, StripeEvent, Subscriber,
    SubscriberExport, SubscriberHistory, SuppressionReason, Switch, Task, TaskId, TaskStatus, UpsertSummary,
    VerifyOutcome, Vote,
};

mod billing;
mod delivery;
mod export;
mod feedback;
mod jobs;
mod journey;
mod operators;

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
        .acquire_timeout(Duration::from_secs(10))
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

fn task_from_row(row: &PgRow) -> Result<Task> {
    let read = "reading a task";
    let status: String = row.try_get("status").db(read)?;
    Ok(Task {
        id: row.try_get("id").db(read)?,
        kind: row.try_get("kind").db(read)?,
        payload: row.try_get("payload").db(read)?,
        unique_key: row.try_get("unique_key").db(read)?,
        schedule: row.try_get("schedule").db(read)?,
        status: TaskStatus::parse(&status)?,
        attempts: row.try_get::<i32, _>("attempts").db(read)? as u32,
        max_attempts: row.try_get::<i32, _>("max_attempts").db(read)? as u32,
        run_at: row.try_get("run_at").db(read)?,
        locked_until: row.try_get("locked_until").db(read)?,
        last_error: row.try_get("last_error").db(read)?,
        created_at: row.try_get("created_at").db(read)?,
        finished_at: row.try_get("finished_at").db(read)?,
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
        now: OffsetDateTime,
    ) -> Result<Option<DeletedSubscriber>> {
        self.delete_subscriber_impl(id, actor, now).await
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

    async fn apply_stripe_event(&self, event: &StripeEvent) -> Result<BillingOutcome> {
        self.apply_stripe_event_impl(event).await
    }

    async fn expire_past_due(
        &self,
        past_due_since_before: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<Vec<Uuid>> {
        self.expire_past_due_impl(past_due_since_before, now).await
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
        enqueue(&self.pool, task).await
    }

    async fn claim_task(
        &self,
        worker: &str,
        locked_until: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<Option<ClaimedTask>> {
        let lease = Uuid::new_v4();
        let row = sqlx::query(CLAIM)
            .bind(now)
            .bind(lease)
            .bind(worker)
            .bind(locked_until)
            .bind(LEASE_EXPIRED_ERROR)
            .fetch_optional(&self.lease_pool)
            .await
            .db("claiming a task")?;
        let Some(row) = row else { return Ok(None) };
        let read = "reading a claimed task";
        Ok(Some(ClaimedTask {
            id: row.try_get("id").db(read)?,
            kind: row.try_get("kind").db(read)?,
            payload: row.try_get("payload").db(read)?,
            schedule: row.try_get("schedule").db(read)?,
            attempt: row.try_get::<i32, _>("attempts").db(read)? as u32,
            max_attempts: row.try_get::<i32, _>("max_attempts").db(read)? as u32,
            lease,
        }))
    }

    async fn complete_task(&self, task: &ClaimedTask, now: OffsetDateTime) -> Result<()> {
        let done: i64 = sqlx::query_scalar(
            "WITH done AS (
                 UPDATE tasks SET status = 'done', finished_at = $3, updated_at = $3,
                     lease = NULL, locked_by = NULL, locked_until = NULL
                 WHERE id = $1 AND lease = $2 AND status = 'running'
                 RETURNING schedule
             ), success AS (
                 UPDATE schedules SET last_success_at = $3 WHERE name IN (SELECT schedule FROM done)
             )
             SELECT COUNT(*) FROM done",
        )
        .bind(task.id)
        .bind(task.lease)
        .bind(now)
        .fetch_one(&self.lease_pool)
        .await
        .db("completing a task")?;
        if done == 0 {
            return Err(StoreError::lease_lost(task));
        }
        Ok(())
    }

    async fn fail_task(
        &self,
        task: &ClaimedTask,
        error: &str,
        retry_at: Option<OffsetDateTime>,
        now: OffsetDateTime,
    ) -> Result<FailOutcome> {
        let status: Option<String> = sqlx::query_scalar(
            "WITH failed AS (
                 UPDATE tasks SET
                     status = CASE WHEN $4::timestamptz IS NULL OR attempts >= max_attempts
                         THEN 'dead' ELSE 'pending' END,
                     run_at = CASE WHEN $4::timestamptz IS NULL OR attempts >= max_attempts
                         THEN run_at ELSE $4 END,
                     finished_at = CASE WHEN $4::timestamptz IS NULL OR attempts >= max_attempts
                         THEN $5 ELSE NULL END,
                     last_error = $3, updated_at = $5, lease = NULL, locked_by = NULL, locked_until = NULL
                 WHERE id = $1 AND lease = $2 AND status = 'running'
                 RETURNING status, schedule
             ), failure AS (
                 UPDATE schedules SET last_failure_at = $5, last_error = $3
                 WHERE name IN (SELECT schedule FROM failed)
             )
             SELECT status FROM failed",
        )
        .bind(task.id)
        .bind(task.lease)
        .bind(crate::model::clip_error(error))
        .bind(retry_at)
        .bind(now)
        .fetch_optional(&self.lease_pool)
        .await
        .db("recording a failed attempt")?;
        match status.as_deref() {
            None => Err(StoreError::lease_lost(task)),
            Some("pending") => Ok(retry_at.map_or(FailOutcome::Dead, FailOutcome::Retry)),
            Some(_) => Ok(FailOutcome::Dead),
        }
    }

    async fn task(&self, id: TaskId) -> Result<Task> {
        let row = sqlx::query(
            "SELECT id, kind, payload, unique_key, schedule, status, attempts, max_attempts, run_at,
                    locked_until, last_error, created_at, finished_at
             FROM tasks WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&self.pool)
        .await
        .db("reading a task")?;
        task_from_row(&row)
    }

    async fn queue_stats(&self, now: OffsetDateTime) -> Result<QueueStats> {
        let counts: Vec<(String, i64)> = sqlx::query_as(
            "SELECT status, COUNT(*) FROM tasks WHERE status IN ('pending', 'running', 'dead') GROUP BY status",
        )
        .fetch_all(&self.pool)
        .await
        .db("counting tasks")?;
        let (due, oldest): (i64, Option<OffsetDateTime>) = sqlx::query_as(
            "SELECT COUNT(*), MIN(run_at) FROM tasks WHERE status = 'pending' AND run_at <= $1",
        )
        .bind(now)
        .fetch_one(&self.pool)
        .await
        .db("measuring the queue's wait")?;
        Ok(crate::model::queue_stats(&counts, due, oldest, now))
    }

    async fn purge_finished_tasks(
        &self,
        done_before: OffsetDateTime,
        dead_before: OffsetDateTime,
    ) -> Result<u64> {
        let result = sqlx::query(
            "DELETE FROM tasks WHERE (status = 'done' AND finished_at < $1) OR (status = 'dead' AND finished_at < $2)",
        )
        .bind(done_before)
        .bind(dead_before)
        .execute(&self.pool)
        .await
        .db("purging finished tasks")?;
        Ok(result.rows_affected())
    }

    async fn fire_schedule(&self, name: &str, fire_at: OffsetDateTime, task: &NewTask) -> Result<bool> {
        let mut tx = self.pool.begin().await.db("beginning a schedule's firing")?;
        sqlx::query("INSERT INTO schedules (name) VALUES ($1) ON CONFLICT (name) DO NOTHING")
            .bind(name)
            .execute(&mut *tx)
            .await
            .db("registering a schedule")?;
        // Under READ COMMITTED a second process blocks on this row, then re-checks the
        // condition against the first one's committed firing and updates nothing.
        let claimed = sqlx::query(
            "UPDATE schedules SET last_fired_at = $2 WHERE name = $1 AND (last_fired_at IS NULL OR last_fired_at < $2)",
        )
        .bind(name)
        .bind(fire_at)
        .execute(&mut *tx)
        .await
        .db("claiming a schedule's firing")?
        .rows_affected()
            == 1;
        if claimed {
            enqueue(&mut *tx, task).await?;
        }
        tx.commit().await.db("committing a schedule's firing")?;
        Ok(claimed)
    }

    async fn schedules(&self) -> Result<Vec<ScheduleStatus>> {
        let rows = sqlx::query(
            "SELECT name, last_fired_at, last_success_at, last_failure_at, last_error FROM schedules ORDER BY name",
        )
        .fetch_all(&self.pool)
        .await
        .db("listing schedules")?;
        rows.iter()
            .map(|row| {
                let read = "reading a schedule";
                Ok(ScheduleStatus {
                    name: row.try_get("name").db(read)?,
                    last_fired_at: row.try_get("last_fired_at").db(read)?,
                    last_success_at: row.try_get("last_success_at").db(read)?,
                    last_failure_at: row.try_get("last_failure_at").db(read)?,
                    last_error: row.try_get("last_error").db(read)?,
                })
            })
            .collect()
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

/// Claims the oldest due task, in one statement (one round trip) that also deals with
/// expired leases first: running tasks whose lease ran out go back to the queue, or die if
/// that was their last attempt (and the schedule that fired them notes the failure).
///
/// It does what requeueing and then claiming would, in two statements: a requeued task is
/// due at `now`, so the claim takes the oldest of the oldest pending task and the requeued
/// ones; a requeued task claimed at once is updated once, by `claimed`, and keeps what the
/// requeue would have left on it (`run_at`, `last_error`). Rows another process holds are
/// skipped, not waited for.
///
/// Binds: $1 now, $2 lease, $3 worker, $4 locked_until, $5 the lease-expired error.
const CLAIM: &str = "WITH expired AS (
        SELECT id, attempts >= max_attempts AS exhausted FROM tasks
        WHERE status = 'running' AND locked_until < $1
        FOR UPDATE SKIP LOCKED
    ), due AS (
        SELECT id, run_at FROM tasks
        WHERE status = 'pending' AND run_at <= $1
        ORDER BY run_at, id LIMIT 1
        FOR UPDATE SKIP LOCKED
    ), pick AS MATERIALIZED (
        SELECT id FROM (
            SELECT id, run_at FROM due
            UNION ALL
            SELECT id, $1::timestamptz FROM expired WHERE NOT exhausted
        ) candidates
        ORDER BY run_at, id LIMIT 1
    ), requeued AS (
        UPDATE tasks SET
            status = CASE WHEN expired.exhausted THEN 'dead' ELSE 'pending' END,
            finished_at = CASE WHEN expired.exhausted THEN $1 ELSE NULL END,
            run_at = $1, updated_at = $1, lease = NULL, locked_by = NULL, locked_until = NULL,
            last_error = $5
        FROM expired
        WHERE tasks.id = expired.id AND tasks.id NOT IN (SELECT id FROM pick)
        RETURNING tasks.schedule, tasks.status
    ), failure AS (
        UPDATE schedules SET last_failure_at = $1, last_error = $5
        WHERE name IN (SELECT schedule FROM requeued WHERE status = 'dead')
    ), claimed AS (
        UPDATE tasks SET status = 'running', attempts = attempts + 1, lease = $2, locked_by = $3,
            locked_until = $4, updated_at = $1,
            run_at = CASE WHEN status = 'running' THEN $1 ELSE run_at END,
            last_error = CASE WHEN status = 'running' THEN $5 ELSE last_error END
        WHERE id IN (SELECT id FROM pick)
        RETURNING id, kind, payload, schedule, attempts, max_attempts
    )
    SELECT id, kind, payload, schedule, attempts, max_attempts FROM claimed";

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
