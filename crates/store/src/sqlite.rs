//! The SQLite store: the zero-setup default for one machine.
//!
//! Writes go through one connection that callers take turns on, so this process's
//! writers queue in order instead of sleeping in SQLite's busy handler; reads use a pool
//! of their own.
//! Times are stored as INTEGER microseconds since the epoch.

use std::ops::{Deref, DerefMut};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use async_trait::async_trait;
use jobping_core::{AuditKey, EmailAddress, SubscriberStatus, Tier};
use sqlx::pool::PoolConnection;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{ConnectOptions, Connection, Row, Sqlite, SqliteConnection, SqlitePool};
use time::OffsetDateTime;
use tokio::sync::{Mutex, MutexGuard};
use uuid::Uuid;

use crate::error::DbContext;
use crate::{AdminKey, NewAdminKey};
use crate::{
    AuditEntry, Backend, BillingAccount, BillingOutcome, ClaimedTask, DeletedSubscriber, DeliveryCandidate,
    DeliveryKind, DeliveryStats, DeliveryToSend, EmailEvent, FailOutcome, NewAuditEntry, NewConsent,
    NewDelivery, NewSignup, NewTask, QueueStats, RecordOutcome, Result, ScheduleStatus, SignupOutcome,
    SourceRun, SourceState, SourceStatus, Store, StoreError, StoredJob, StripeEvent, Subscriber,
    SubscriberExport, SubscriberHistory, SuppressionReason, Switch, Task, TaskId, UpsertSummary,
    VerifyOutcome, Vote,
};

mod billing;
mod checkpoint;
mod delivery;
mod export;
mod feedback;
mod files;
mod jobs;
mod journey;
mod operators;
mod queue;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// How long a call waits for its turn on the writer before giving up.
const WRITER_WAIT: Duration = Duration::from_secs(30);

/// The SQLite implementation of [`Store`].
#[derive(Debug, Clone)]
pub struct SqliteStore {
    /// The one connection that writes. A mutex rather than a pool of one: a pool hands
    /// its connection over through a spawned task and pings it on every return, and
    /// those round trips to the connection's thread cost more than most statements.
    writer: Arc<Mutex<SqliteConnection>>,
    /// Read-only connections; `None` for an in-memory database, which only the writer's
    /// connection can see.
    reader: Option<SqlitePool>,
}

/// A connection to read with: pooled, or the writer's for an in-memory database.
enum ReadConn<'a> {
    Pooled(PoolConnection<Sqlite>),
    Writer(MutexGuard<'a, SqliteConnection>),
}

impl Deref for ReadConn<'_> {
    type Target = SqliteConnection;

    fn deref(&self) -> &SqliteConnection {
        match self {
            Self::Pooled(conn) => conn,
            Self::Writer(conn) => conn,
        }
    }
}

impl DerefMut for ReadConn<'_> {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        match self {
            Self::Pooled(conn) => conn,
            Self::Writer(conn) => conn,
        }
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the database file a `sqlite://` URL names and migrates it.
    pub async fn connect(url: &str) -> Result<Self> {
        let options = SqliteConnectOptions::from_str(url)
            .with_context(|| format!("parsing the SQLite URL {url:?}"))?
            .create_if_missing(true)
            // Pages of 16 KiB, not 4: a job row (its data holds the description as text
            // and as HTML) runs to 7-8 kB, which on 4 KiB pages spills into a chain of
            // overflow pages, each its own WAL frame and write. Bigger pages make every
            // small transaction write bigger frames, so this is a compromise, measured
            // on 2 cores against 4 KiB: ingest first pass +13% (32 KiB: +20%), signups
            // flat out -38% (32 KiB: -55%), queue tasks -14% (32 KiB: -25%). Only a new
            // database takes a page size; an existing one keeps its own.
            .page_size(16 * 1024)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        if !in_memory {
            files::prepare(options.get_filename())?;
        }
        // The writer keeps up to 64 MiB of pages rather than SQLite's 2 MiB: a batch of
        // upserts looks up and inserts keys all over the jobs' and links' indexes, and
        // with the default cache it reads those pages back from the OS again and again
        // (ingest first pass +7%, measured on 2 cores). The cache grows only as pages
        // are used; readers keep the default.
        let writer = options
            .clone()
            .pragma("cache_size", "-65536")
            // Checkpoints are the checkpointer's (below); the writer's own is a backstop.
            .pragma(
                "wal_autocheckpoint",
                checkpoint::WRITER_THRESHOLD_PAGES.to_string(),
            )
            .connect()
            .await
            .with_context(|| format!("opening the SQLite database {url:?}"))?;
        let reader = if in_memory {
            // Each connection to an in-memory database would see a database of its own.
            None
        } else {
            // No ping before each acquire: the connection is in this process and cannot
            // be hung up on, and the ping is one more round trip to its thread.
            let pool = SqlitePoolOptions::new()
                .max_connections(4)
                .test_before_acquire(false)
                .connect_with(options.clone().read_only(true))
                .await
                .with_context(|| format!("opening the SQLite database {url:?} for reading"))?;
            Some(pool)
        };
        let store = Self {
            writer: Arc::new(Mutex::new(writer)),
            reader,
        };
        store.migrate().await?;
        if !in_memory {
            // The WAL and shared-memory files exist by now; SQLite made them with the
            // database's mode, but that mode met the umask on the way.
            files::restrict(options.get_filename())?;
            checkpoint::start(options, Arc::downgrade(&store.writer)).await;
        }
        Ok(store)
    }

    /// The file a `sqlite:` URL names.
    pub(crate) fn file(url: &str) -> Option<std::path::PathBuf> {
        let options = SqliteConnectOptions::from_str(url).ok()?;
        Some(options.get_filename().to_path_buf())
    }

    /// This process's turn on the writer connection; callers are served in order.
    async fn write(&self) -> Result<MutexGuard<'_, SqliteConnection>> {
        tokio::time::timeout(WRITER_WAIT, self.writer.lock())
            .await
            .map_err(|_| {
                StoreError::from(anyhow::anyhow!(
                    "waited {WRITER_WAIT:?} for the SQLite writer connection"
                ))
            })
    }

    /// A connection to read with.
    async fn read(&self) -> Result<ReadConn<'_>> {
        match &self.reader {
            Some(pool) => Ok(ReadConn::Pooled(
                pool.acquire().await.db("acquiring a reading connection")?,
            )),
            None => Ok(ReadConn::Writer(self.write().await?)),
        }
    }
}

/// Starts a write transaction that takes SQLite's write lock at once, so it never fails
/// half-way on a lock upgrade.
async fn begin_write(writer: &mut SqliteConnection) -> Result<sqlx::Transaction<'_, Sqlite>> {
    writer
        .begin_with("BEGIN IMMEDIATE")
        .await
        .db("beginning a write transaction")
}

/// Microseconds since the Unix epoch: how SQLite keeps a time.
fn us(at: OffsetDateTime) -> i64 {
    (at.unix_timestamp_nanos() / 1_000) as i64
}

fn from_us(value: i64) -> Result<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(value) * 1_000)
        .map_err(|err| anyhow::anyhow!("stored time {value} is out of range: {err}").into())
}

fn opt_from_us(value: Option<i64>) -> Result<Option<OffsetDateTime>> {
    value.map(from_us).transpose()
}

fn json_text(value: &serde_json::Value) -> String {
    value.to_string()
}

fn json_from_text(text: &str) -> Result<serde_json::Value> {
    serde_json::from_str(text)
        .context("stored JSON does not parse")
        .map_err(StoreError::from)
}

fn subscriber_from_row(row: &SqliteRow) -> Result<Subscriber> {
    let id: String = row.try_get("id").db("reading a subscriber")?;
    let email: String = row.try_get("email").db("reading a subscriber")?;
    let status: String = row.try_get("status").db("reading a subscriber")?;
    let tier: String = row.try_get("tier").db("reading a subscriber")?;
    Ok(Subscriber {
        id: Uuid::parse_str(&id).context("stored subscriber id is not a UUID")?,
        email: EmailAddress::parse(&email).context("stored email does not parse")?,
        status: SubscriberStatus::from_str(&status).context("stored subscriber status")?,
        tier: Tier::from_str(&tier).context("stored tier")?,
        timezone: row.try_get("timezone").db("reading a subscriber")?,
        created_at: from_us(row.try_get("created_at").db("reading a subscriber")?)?,
        updated_at: from_us(row.try_get("updated_at").db("reading a subscriber")?)?,
        verified_at: opt_from_us(row.try_get("verified_at").db("reading a subscriber")?)?,
        unsubscribed_at: opt_from_us(row.try_get("unsubscribed_at").db("reading a subscriber")?)?,
        empty_digests: u32::try_from(
            row.try_get::<i64, _>("empty_digests")
                .db("reading a subscriber")?,
        )
        .context("stored empty digest count")?,
        wider_note_sent_at: opt_from_us(row.try_get("wider_note_sent_at").db("reading a subscriber")?)?,
    })
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    async fn migrate(&self) -> Result<()> {
        // `run_direct` (no target, skipping nothing) is what `run` does once it has a
        // connection; `run` itself, on a borrowed connection inside an `async_trait`
        // method, trips the compiler's `Send` check ("`Acquire` is not general enough").
        MIGRATOR
            .run_direct(None, &mut *self.write().await?, false)
            .await
            .context("applying the SQLite migrations")?;
        Ok(())
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1")
            .execute(&mut *self.read().await?)
            .await
            .db("pinging SQLite")?;
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
        .bind(us(now))
        .execute(&mut *self.write().await?)
        .await
        .db("keeping a secret")?
        .rows_affected()
            == 1;
        let value: String = sqlx::query_scalar("SELECT value FROM secrets WHERE name = $1")
            .bind(name)
            .fetch_one(&mut *self.write().await?)
            .await
            .db("reading a secret")?;
        Ok((value, inserted))
    }

    async fn secret(&self, name: &str) -> Result<Option<String>> {
        sqlx::query_scalar("SELECT value FROM secrets WHERE name = $1")
            .bind(name)
            .fetch_optional(&mut *self.read().await?)
            .await
            .db("reading a secret")
    }

    async fn delete_secret(&self, name: &str) -> Result<bool> {
        let deleted = sqlx::query("DELETE FROM secrets WHERE name = $1")
            .bind(name)
            .execute(&mut *self.write().await?)
            .await
            .db("forgetting a secret")?
            .rows_affected();
        Ok(deleted > 0)
    }

    async fn switch(&self, name: &str) -> Result<Option<bool>> {
        sqlx::query_scalar("SELECT enabled FROM switches WHERE name = $1")
            .bind(name)
            .fetch_optional(&mut *self.read().await?)
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
        .bind(us(now))
        .bind(by)
        .execute(&mut *self.write().await?)
        .await
        .db("setting a switch")?;
        Ok(())
    }

    async fn switches(&self) -> Result<Vec<Switch>> {
        let rows = sqlx::query("SELECT name, enabled, updated_at, updated_by FROM switches ORDER BY name")
            .fetch_all(&mut *self.read().await?)
            .await
            .db("listing switches")?;
        rows.iter()
            .map(|row| {
                Ok(Switch {
                    name: row.try_get("name").db("reading a switch")?,
                    enabled: row.try_get("enabled").db("reading a switch")?,
                    updated_at: from_us(row.try_get("updated_at").db("reading a switch")?)?,
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
        .bind(Uuid::now_v7().to_string())
        .bind(email.as_str())
        .bind(us(now))
        .fetch_one(&mut *self.write().await?)
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
        .fetch_optional(&mut *self.read().await?)
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
        .bind(id.to_string())
        .fetch_one(&mut *self.read().await?)
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
        upsert_preferences(
            &mut *self.write().await?,
            subscriber,
            preferences,
            fingerprint,
            now,
        )
        .await
    }

    async fn preferences(&self, subscriber: Uuid) -> Result<Option<serde_json::Value>> {
        let mut reader = self.read().await?;
        let data: Option<String> =
            sqlx::query_scalar("SELECT data FROM preferences WHERE subscriber_id = $1")
                .bind(subscriber.to_string())
                .fetch_optional(&mut *reader)
                .await
                .db("reading preferences")?;
        data.as_deref().map(json_from_text).transpose()
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
        insert_audit(&mut *self.write().await?, entry).await
    }

    async fn recent_audit(&self, limit: u32) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "SELECT id, at, actor, action, target_hash, detail FROM audit_log ORDER BY at DESC, id DESC LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&mut *self.read().await?)
        .await
        .db("reading the audit log")?;
        rows.iter()
            .map(|row| {
                let read = "reading an audit entry";
                let detail: String = row.try_get("detail").db(read)?;
                Ok(AuditEntry {
                    id: row.try_get("id").db(read)?,
                    at: from_us(row.try_get("at").db(read)?)?,
                    actor: row.try_get("actor").db(read)?,
                    action: row.try_get("action").db(read)?,
                    target_hash: row.try_get("target_hash").db(read)?,
                    detail: json_from_text(&detail)?,
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
        self.upsert_jobs_impl(jobs, None, now).await
    }

    async fn upsert_scraped_jobs(
        &self,
        jobs: &[jobping_core::Job],
        posting_hashes: &[String],
        now: OffsetDateTime,
    ) -> Result<UpsertSummary> {
        self.upsert_jobs_impl(jobs, Some(posting_hashes), now).await
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

async fn enqueue<'e>(executor: impl sqlx::SqliteExecutor<'e>, task: &NewTask) -> Result<Option<TaskId>> {
    sqlx::query_scalar(
        "INSERT INTO tasks (kind, payload, unique_key, schedule, max_attempts, run_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6, $6)
         ON CONFLICT (unique_key) DO NOTHING
         RETURNING id",
    )
    .bind(&task.kind)
    .bind(json_text(&task.payload))
    .bind(&task.unique_key)
    .bind(&task.schedule)
    .bind(i64::from(task.max_attempts.max(1)))
    .bind(us(task.run_at))
    .fetch_optional(executor)
    .await
    .db("queueing a task")
}

async fn insert_audit<'e>(executor: impl sqlx::SqliteExecutor<'e>, entry: &NewAuditEntry) -> Result<()> {
    sqlx::query("INSERT INTO audit_log (at, actor, action, target_hash, detail) VALUES ($1, $2, $3, $4, $5)")
        .bind(us(entry.at))
        .bind(&entry.actor)
        .bind(&entry.action)
        .bind(&entry.target_hash)
        .bind(json_text(&entry.detail))
        .execute(executor)
        .await
        .db("appending to the audit log")?;
    Ok(())
}

async fn upsert_preferences<'e>(
    executor: impl sqlx::SqliteExecutor<'e>,
    subscriber: Uuid,
    preferences: &serde_json::Value,
    fingerprint: &str,
    now: OffsetDateTime,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO preferences (subscriber_id, data, fingerprint, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (subscriber_id) DO UPDATE SET data = excluded.data,
             fingerprint = excluded.fingerprint, updated_at = excluded.updated_at",
    )
    .bind(subscriber.to_string())
    .bind(json_text(preferences))
    .bind(fingerprint)
    .bind(us(now))
    .execute(executor)
    .await
    .db("saving preferences")?;
    Ok(())
}
