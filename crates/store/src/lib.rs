//! JobPing's storage: one business-level [`Store`] trait and its two implementations,
//! SQLite (the zero-setup default) and PostgreSQL (for several processes and machines).
//!
//! No SQL lives outside this crate. The backend is chosen once, from the database URL's
//! scheme, by [`connect`]; callers hold an `Arc<dyn Store>` and never learn which it is.
#![forbid(unsafe_code)]

mod billing;
mod delivery;
mod error;
mod jobs;
mod journey;
mod model;
mod operators;
mod postgres;
mod sqlite;
#[cfg(feature = "testing")]
pub mod testing;

use std::sync::Arc;

use async_trait::async_trait;
use jobping_core::{AuditKey, EmailAddress};
use time::OffsetDateTime;
use uuid::Uuid;

pub use billing::{
    BillingAccount, BillingChange, BillingOutcome, StripeEvent, SubscriptionStatus, UnknownStatus,
};
pub use delivery::{
    DeliveryCandidate, DeliveryItem, DeliveryKind, DeliveryStats, DeliveryToSend, EmailEvent, NewDelivery,
    NewDeliveryItem, RecordOutcome, SendClaim, SubscriberHistory, Vote,
};
pub use error::{StoreError, is_unavailable};
pub use jobs::{StoredJob, UpsertSummary};
pub use journey::{
    Consent, ConsentPurpose, DeletedSubscriber, ExportedDelivery, ExportedFeedback, ExportedItem,
    ExportedSubscriber, NewConsent, NewSignup, SignupOutcome, SubscriberExport, SuppressionReason,
    VerifyOutcome,
};
pub use model::*;
pub use operators::{AdminKey, DayCount, NamedCount, NewAdminKey, OperatorStats, SubscriberCount};
pub use postgres::PgStore;
pub use sqlite::SqliteStore;

/// What every store call returns.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which database a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend a database URL names, from its scheme alone.
    pub fn from_url(url: &str) -> Option<Self> {
        let scheme = url.split_once(':')?.0.to_ascii_lowercase();
        match scheme.as_str() {
            "sqlite" => Some(Self::Sqlite),
            "postgres" | "postgresql" => Some(Self::Postgres),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }
}

/// Opens the store a database URL names and brings its schema up to date.
pub async fn connect(url: &str) -> Result<Arc<dyn Store>> {
    match Backend::from_url(url) {
        Some(Backend::Sqlite) => Ok(Arc::new(SqliteStore::connect(url).await?)),
        Some(Backend::Postgres) => Ok(Arc::new(PgStore::connect(url).await?)),
        None => Err(StoreError::Unexpected(anyhow::anyhow!(
            "database URL must start with sqlite:// or postgres://"
        ))),
    }
}

/// The database file a `sqlite:` URL names, as SQLite will open it; `None` for an
/// in-memory database or another backend.
pub fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    if Backend::from_url(url) != Some(Backend::Sqlite)
        || url.contains(":memory:")
        || url.contains("mode=memory")
    {
        return None;
    }
    SqliteStore::file(url)
}

/// Everything JobPing keeps, in the words of the business.
///
/// Methods that depend on the time take `now` from the caller, so that behaviour in time
/// (backoff, lease expiry, schedules) is testable without waiting.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Which database this is.
    fn backend(&self) -> Backend;

    /// Applies any migrations not yet applied. [`connect`] already does this.
    async fn migrate(&self) -> Result<()>;

    /// A cheap round trip, for readiness checks.
    async fn ping(&self) -> Result<()>;

    // ---- secrets and switches ----

    /// Keeps `candidate` under `name` unless a value is already kept; returns the kept
    /// value and whether it was `candidate` (first call) or an older one.
    async fn secret_or_insert(
        &self,
        name: &str,
        candidate: &str,
        now: OffsetDateTime,
    ) -> Result<(String, bool)>;

    /// The value kept under `name`, if any.
    async fn secret(&self, name: &str) -> Result<Option<String>>;

    /// Forgets the value kept under `name` (once it is kept elsewhere); returns whether
    /// there was one.
    async fn delete_secret(&self, name: &str) -> Result<bool>;

    /// An operator switch's state, `None` when it was never set.
    async fn switch(&self, name: &str) -> Result<Option<bool>>;

    /// Sets an operator switch and notes who did it.
    async fn set_switch(&self, name: &str, enabled: bool, by: &str, now: OffsetDateTime) -> Result<()>;

    /// Every switch that has been set, by name.
    async fn switches(&self) -> Result<Vec<Switch>>;

    // ---- subscribers ----

    /// Creates a pending free subscriber; [`StoreError::Conflict`] when the address is
    /// already known, whatever its case.
    async fn insert_subscriber(&self, email: &EmailAddress, now: OffsetDateTime) -> Result<Subscriber>;

    /// The subscriber with this address, compared without regard to case.
    async fn subscriber_by_email(&self, email: &EmailAddress) -> Result<Option<Subscriber>>;

    /// The subscriber with this id, or [`StoreError::NotFound`].
    async fn subscriber(&self, id: Uuid) -> Result<Subscriber>;

    /// Stores a subscriber's preferences (the DESIGN.md shape, already checked) and
    /// their fingerprint, replacing any earlier ones.
    async fn save_preferences(
        &self,
        subscriber: Uuid,
        preferences: &serde_json::Value,
        fingerprint: &str,
        now: OffsetDateTime,
    ) -> Result<()>;

    /// A subscriber's stored preferences, if any.
    async fn preferences(&self, subscriber: Uuid) -> Result<Option<serde_json::Value>>;

    // ---- the subscriber's journey: signup, confirmation, unsubscription, GDPR ----

    /// Records a signup. A new address: a pending subscriber with its preferences and
    /// consents. An address still pending: its preferences, consents and timezone are
    /// replaced (nothing is confirmed yet; the confirm link goes to the address's owner).
    /// An active or unsubscribed subscriber: nothing is changed (no one may change another
    /// person's data by knowing the address).
    async fn signup(&self, signup: &NewSignup) -> Result<SignupOutcome>;

    /// Claims the right to email this subscriber a link: true (and `link_sent_at = now`)
    /// when none was sent since `now - min_interval`, false otherwise; atomic across
    /// processes. Unknown id: [`StoreError::NotFound`].
    async fn claim_link_email(
        &self,
        subscriber: Uuid,
        min_interval: std::time::Duration,
        now: OffsetDateTime,
    ) -> Result<bool>;

    /// Confirms an address: a pending or unsubscribed subscriber becomes active (and an
    /// `unsubscribed` suppression of the address is lifted); an active one is left alone.
    /// Unknown id: [`StoreError::NotFound`].
    async fn verify_subscriber(&self, id: Uuid, now: OffsetDateTime) -> Result<VerifyOutcome>;

    /// Unsubscribes and suppresses the address as `unsubscribed` (a bounce or complaint
    /// already recorded is kept); false when already unsubscribed. Unknown id:
    /// [`StoreError::NotFound`].
    async fn unsubscribe(&self, id: Uuid, now: OffsetDateTime) -> Result<bool>;

    /// Why an address must not be emailed, if it must not.
    async fn suppression(&self, email: &EmailAddress) -> Result<Option<SuppressionReason>>;

    /// Appends a consent record (consents are a history: never updated). Unknown
    /// subscriber: [`StoreError::NotFound`].
    async fn record_consent(&self, subscriber: Uuid, consent: &NewConsent, now: OffsetDateTime)
    -> Result<()>;

    /// Everything stored about one subscriber (GDPR access). Unknown id:
    /// [`StoreError::NotFound`].
    async fn export_subscriber(&self, id: Uuid) -> Result<SubscriberExport>;

    /// Erases a subscriber everywhere (GDPR erasure) in one transaction: every task that
    /// names them (whatever its state), their row and all that hangs off it. A suppression is kept
    /// only if they had unsubscribed; the audit entry keeps only the address's
    /// [`EmailAddress::audit_hash`] under `audit`.
    /// `None` when the id is unknown (erasing twice is not an error).
    async fn delete_subscriber(
        &self,
        id: Uuid,
        actor: &str,
        audit: &AuditKey,
        now: OffsetDateTime,
    ) -> Result<Option<DeletedSubscriber>>;

    /// Deletes pending subscribers never verified and created before `created_before`,
    /// with their queued tasks; returns how many subscribers.
    async fn purge_unverified(&self, created_before: OffsetDateTime) -> Result<u64>;

    /// Marks a single-use token used: true the first time, false if it was already used.
    async fn use_token(
        &self,
        token_hash: &str,
        purpose: &str,
        expires_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<bool>;

    /// Forgets used tokens that expired before `before` (they can no longer be presented
    /// anyway); returns how many.
    async fn purge_used_tokens(&self, before: OffsetDateTime) -> Result<u64>;

    // ---- delivering the job emails ----

    /// Active subscribers with preferences whose address is not suppressed, in id order
    /// after `after`, at most `limit` (a delivery round pages through them; an empty page
    /// is the end).
    async fn delivery_candidates(&self, after: Option<Uuid>, limit: u32) -> Result<Vec<DeliveryCandidate>>;

    /// Whether a delivery of this kind already exists for this period.
    async fn has_delivery(&self, subscriber: Uuid, kind: DeliveryKind, period: &str) -> Result<bool>;

    /// What the subscriber has been sent and how they voted: the matching engine's context.
    async fn subscriber_history(&self, subscriber: Uuid) -> Result<SubscriberHistory>;

    /// Writes a delivery, its items and (when given) the task that will send it, in one
    /// transaction: the outbox. A second call for the same (subscriber, kind, period)
    /// changes nothing and answers [`RecordOutcome::AlreadyRecorded`] (the task is not
    /// queued again). An item whose job was already emailed to this subscriber makes the
    /// whole call fail with [`StoreError::Conflict`] and write nothing. A skipped digest
    /// adds one to the subscriber's `empty_digests`; a digest with items resets it to 0.
    /// Unknown subscriber or job: [`StoreError::NotFound`].
    async fn record_delivery(
        &self,
        delivery: &NewDelivery,
        send_task: Option<&NewTask>,
    ) -> Result<RecordOutcome>;

    /// A delivery with its subscriber and items, for rendering and sending. Unknown id:
    /// [`StoreError::NotFound`].
    async fn delivery(&self, id: Uuid) -> Result<DeliveryToSend>;

    /// Marks a pending (or failed) delivery sent, with the provider's message id.
    /// Idempotent: a delivery already sent stays as it was and answers false, as does a
    /// skipped one. Unknown id: [`StoreError::NotFound`].
    async fn mark_delivery_sent(
        &self,
        id: Uuid,
        provider_message_id: &str,
        now: OffsetDateTime,
    ) -> Result<bool>;

    /// Claims the sending of a pending delivery for `owner` until `locked_until`: one
    /// compare-and-set, so of any number of processes asking at once exactly one gets
    /// [`SendClaim::Claimed`]. The same owner may claim again (to extend); a claim whose
    /// time has run out may be taken by anyone. Unknown id: [`StoreError::NotFound`].
    async fn claim_delivery_send(
        &self,
        id: Uuid,
        owner: &str,
        locked_until: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<SendClaim>;

    /// Gives up `owner`'s claim on sending a delivery (after a failure worth retrying),
    /// so the next attempt need not wait for it to run out. Another owner's claim is left
    /// alone.
    async fn release_delivery_send(&self, id: Uuid, owner: &str) -> Result<()>;

    /// Marks a delivery failed for good, with the error (a transient failure is the
    /// queue's business, not this); a sent or skipped delivery is left alone. Unknown id:
    /// [`StoreError::NotFound`].
    async fn mark_delivery_failed(&self, id: Uuid, error: &str, now: OffsetDateTime) -> Result<()>;

    /// Records a thumbs up or down: one vote per subscriber and job, the latest wins. A
    /// reason given (`wrong_place`, `too_senior`, `not_my_field`,
    /// `not_interested_in_company`) replaces the previous one; the same vote again without
    /// one keeps it, a changed vote drops it. Idempotent (a vote that changes nothing
    /// writes and checks nothing). Unknown subscriber, job or delivery:
    /// [`StoreError::NotFound`].
    async fn record_vote(
        &self,
        subscriber: Uuid,
        job_id: i64,
        delivery: Option<Uuid>,
        vote: Vote,
        reason: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<()>;

    /// Records a click through our redirect (counted freely). Unknown subscriber, job or
    /// delivery: [`StoreError::NotFound`].
    async fn record_click(
        &self,
        subscriber: Uuid,
        job_id: i64,
        delivery: Option<Uuid>,
        now: OffsetDateTime,
    ) -> Result<()>;

    /// Keeps a provider event once: false when this event id was seen before (a replay).
    async fn record_email_event(&self, event: &EmailEvent) -> Result<bool>;

    /// Puts an address hash on the suppression list: bounced and complained override
    /// unsubscribed; nothing overrides them.
    async fn suppress(&self, email_hash: &str, reason: SuppressionReason, now: OffsetDateTime) -> Result<()>;

    /// Notes that the "widen your preferences" email went out (and resets
    /// `empty_digests`). Unknown id: [`StoreError::NotFound`].
    async fn mark_wider_note_sent(&self, subscriber: Uuid, now: OffsetDateTime) -> Result<()>;

    /// Counts for operators: deliveries created since `since` by status, their items, and
    /// the clicks and votes given since then.
    async fn delivery_stats(&self, since: OffsetDateTime) -> Result<DeliveryStats>;

    // ---- billing ----

    /// What is kept about a subscriber's Stripe customer and subscription, if anything.
    async fn billing_account(&self, subscriber: Uuid) -> Result<Option<BillingAccount>>;

    /// The subscriber a Stripe customer belongs to, if one is linked.
    async fn subscriber_by_customer(&self, customer_id: &str) -> Result<Option<Uuid>>;

    /// Applies a verified Stripe event in one transaction: keeps its id ([`BillingOutcome::Replay`]
    /// when seen before, and then nothing else happens), links the customer, moves the
    /// subscription state unless the state already reflects a newer event (out-of-order
    /// delivery), sets the tier the state gives, appends a `tier_changed` audit entry
    /// (actor `stripe`) when the tier moves, and queues `event.task`. The subscriber is
    /// `event.subscriber`, else the one linked to `event.customer_id`; with neither (or
    /// erased) the event is only kept. The audit entry hashes the address under `audit`.
    async fn apply_stripe_event(&self, event: &StripeEvent, audit: &AuditKey) -> Result<BillingOutcome>;

    /// Premium subscribers whose subscription has been past_due since before
    /// `past_due_since_before` (their grace ran out) become free, each with an audit
    /// entry (the address hashed under `audit`), in one transaction; returns who.
    async fn expire_past_due(
        &self,
        past_due_since_before: OffsetDateTime,
        audit: &AuditKey,
        now: OffsetDateTime,
    ) -> Result<Vec<Uuid>>;

    // ---- audit log ----

    /// Appends an entry to the audit log.
    async fn append_audit(&self, entry: &NewAuditEntry) -> Result<()>;

    /// The newest audit entries first.
    async fn recent_audit(&self, limit: u32) -> Result<Vec<AuditEntry>>;

    // ---- operators ----

    /// Keeps a new admin key (its hash only); [`StoreError::Conflict`] when the name or
    /// the hash is taken.
    async fn create_admin_key(&self, key: &NewAdminKey) -> Result<AdminKey>;

    /// The key with this hash, revoked or not.
    async fn admin_key_by_hash(&self, key_hash: &str) -> Result<Option<AdminKey>>;

    /// The key with this id, revoked or not.
    async fn admin_key(&self, id: Uuid) -> Result<Option<AdminKey>>;

    /// Every admin key, oldest first.
    async fn admin_keys(&self) -> Result<Vec<AdminKey>>;

    /// Revokes a key: true the first time, false when it already was. Unknown id:
    /// [`StoreError::NotFound`].
    async fn revoke_admin_key(&self, id: Uuid, now: OffsetDateTime) -> Result<bool>;

    /// Notes that a key was just used.
    async fn touch_admin_key(&self, id: Uuid, now: OffsetDateTime) -> Result<()>;

    /// A page of the audit log, newest first: entries older (by id) than `before`, if given.
    async fn audit_page(&self, before: Option<i64>, limit: u32) -> Result<Vec<AuditEntry>>;

    /// How many job emails a subscriber has been sent.
    async fn sent_deliveries(&self, subscriber: Uuid) -> Result<u64>;

    /// The admin dashboard's counts, in a few queries (see [`OperatorStats`]).
    async fn operator_stats(&self, now: OffsetDateTime) -> Result<OperatorStats>;

    // ---- task queue ----

    /// Queues a task. With a unique key already present, nothing is queued and `None`
    /// is returned.
    async fn enqueue(&self, task: &NewTask) -> Result<Option<TaskId>>;

    /// Claims the oldest due task for `worker` until `locked_until`. A running task whose
    /// lease has expired (its worker died) is claimable again; one that has used all its
    /// attempts is moved to `dead` instead.
    async fn claim_task(
        &self,
        worker: &str,
        locked_until: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<Option<ClaimedTask>>;

    /// Marks a claimed task done. [`StoreError::Conflict`] when the lease was lost
    /// (it expired and another worker claimed the task).
    async fn complete_task(&self, task: &ClaimedTask, now: OffsetDateTime) -> Result<()>;

    /// Records a failed attempt: the task runs again at `retry_at`, or is dead when it
    /// has used all its attempts or `retry_at` is `None` (the failure is permanent).
    /// [`StoreError::Conflict`] when the lease was lost.
    async fn fail_task(
        &self,
        task: &ClaimedTask,
        error: &str,
        retry_at: Option<OffsetDateTime>,
        now: OffsetDateTime,
    ) -> Result<FailOutcome>;

    /// Extends a running task's lease to `locked_until` while its handler works (the
    /// worker's heartbeat); false when the lease was lost (it ran out and the task was
    /// requeued or claimed by another worker).
    async fn renew_task_lease(
        &self,
        task: &ClaimedTask,
        locked_until: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<bool>;

    /// Puts a claimed task back in the queue, due at once, without counting the attempt
    /// (a worker shutting down abandons it); `reason` is kept as its last error. False
    /// when the lease was already lost.
    async fn release_task(&self, task: &ClaimedTask, reason: &str, now: OffsetDateTime) -> Result<bool>;

    /// A task as it stands, or [`StoreError::NotFound`].
    async fn task(&self, id: TaskId) -> Result<Task>;

    /// Counts by state and the age of the oldest due task.
    async fn queue_stats(&self, now: OffsetDateTime) -> Result<QueueStats>;

    /// Deletes done tasks finished before `done_before` and dead ones finished before
    /// `dead_before` (dead tasks are kept longer, for operators); returns how many.
    async fn purge_finished_tasks(
        &self,
        done_before: OffsetDateTime,
        dead_before: OffsetDateTime,
    ) -> Result<u64>;

    // ---- schedules ----

    /// Claims the firing of schedule `name` at `fire_at` and queues `task` for it, in
    /// one transaction. Returns false when this firing (or a later one) was already
    /// claimed, by this process or another.
    async fn fire_schedule(&self, name: &str, fire_at: OffsetDateTime, task: &NewTask) -> Result<bool>;

    /// Each schedule's last firing, success and failure.
    async fn schedules(&self) -> Result<Vec<ScheduleStatus>>;

    // ---- jobs ----

    /// Stores a batch of normalized jobs seen at `now`, atomically: a known posting is
    /// updated (or only marked seen when unchanged), a posting that is an active job
    /// from another source is linked to it, anything else is inserted.
    async fn upsert_jobs(&self, jobs: &[jobping_core::Job], now: OffsetDateTime) -> Result<UpsertSummary>;

    /// Marks every job linked to a source board as seen at `now` (the board answered
    /// "not modified"); returns how many links were touched.
    async fn touch_source_jobs(&self, source: &str, board: &str, now: OffsetDateTime) -> Result<u64>;

    /// Of a board's postings, given as (external id, posting hash), those stored with
    /// the same hash whose job is still active, or closed past its valid-through date:
    /// each is marked seen at `now` and its id returned, so a re-scrape need not
    /// normalize it again. A job retired as stale is never among them.
    async fn seen_unchanged(
        &self,
        source: &str,
        board: &str,
        postings: &[(String, String)],
        now: OffsetDateTime,
    ) -> Result<Vec<String>>;

    /// Stores a batch as [`upsert_jobs`](Self::upsert_jobs) does, and records with each
    /// posting's link the hash of what its board sent (`posting_hashes[i]` is
    /// `jobs[i]`'s), by which [`seen_unchanged`](Self::seen_unchanged) knows it next
    /// time. One statement writes both: recording the hashes apart cost a second write
    /// of every link. `upsert_jobs` leaves a link's recorded hash as it was.
    async fn upsert_scraped_jobs(
        &self,
        jobs: &[jobping_core::Job],
        posting_hashes: &[String],
        now: OffsetDateTime,
    ) -> Result<UpsertSummary>;

    /// Deactivates active jobs last seen before `not_seen_since` or whose valid-through
    /// date is past; returns how many.
    async fn deactivate_stale_jobs(&self, not_seen_since: OffsetDateTime, now: OffsetDateTime)
    -> Result<u64>;

    /// Stored jobs, oldest first; only active ones when `active_only`.
    async fn jobs(&self, active_only: bool) -> Result<Vec<StoredJob>>;

    // ---- sources ----

    /// What is remembered about a source, if it ever ran.
    async fn source_state(&self, name: &str) -> Result<Option<SourceState>>;

    /// Records a run and updates the source's state (last poll, success, error and the
    /// validators for the next conditional request).
    async fn record_source_run(&self, run: &SourceRun) -> Result<()>;

    /// Every source that ever ran, by name, with its latest run and active job count.
    async fn source_statuses(&self) -> Result<Vec<SourceStatus>>;
}
