//! The values the store takes and gives back.

use jobping_core::{EmailAddress, SubscriberStatus, Tier};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

/// A task's id in the queue.
pub type TaskId = i64;

/// A subscriber as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscriber {
    pub id: Uuid,
    pub email: EmailAddress,
    pub status: SubscriberStatus,
    pub tier: Tier,
    pub timezone: String,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub verified_at: Option<OffsetDateTime>,
    pub unsubscribed_at: Option<OffsetDateTime>,
    /// Digests skipped in a row for want of matching jobs.
    pub empty_digests: u32,
    /// When the "widen your preferences" email last went out.
    pub wider_note_sent_at: Option<OffsetDateTime>,
}

/// An operator switch (a kill switch, a feature toggle).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Switch {
    pub name: String,
    pub enabled: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    pub updated_by: String,
}

/// An audit entry to append: who did what to whom (the target only as a hash).
#[derive(Debug, Clone)]
pub struct NewAuditEntry {
    pub at: OffsetDateTime,
    pub actor: String,
    pub action: String,
    pub target_hash: Option<String>,
    pub detail: serde_json::Value,
}

/// An audit entry as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub actor: String,
    pub action: String,
    pub target_hash: Option<String>,
    pub detail: serde_json::Value,
}

/// A task to queue.
#[derive(Debug, Clone)]
pub struct NewTask {
    pub kind: String,
    pub payload: serde_json::Value,
    /// At most one task with this key exists: a second enqueue is a no-op.
    pub unique_key: Option<String>,
    /// The schedule that fired this task, whose last success it reports.
    pub schedule: Option<String>,
    pub run_at: OffsetDateTime,
    pub max_attempts: u32,
}

impl NewTask {
    /// Attempts a task gets unless told otherwise.
    pub const DEFAULT_MAX_ATTEMPTS: u32 = 5;

    /// A task of `kind` due at `run_at`, with no unique key and the default attempts.
    pub fn new(kind: impl Into<String>, payload: serde_json::Value, run_at: OffsetDateTime) -> Self {
        Self {
            kind: kind.into(),
            payload,
            unique_key: None,
            schedule: None,
            run_at,
            max_attempts: Self::DEFAULT_MAX_ATTEMPTS,
        }
    }

    pub fn unique_key(mut self, key: impl Into<String>) -> Self {
        self.unique_key = Some(key.into());
        self
    }

    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    pub fn schedule(mut self, name: impl Into<String>) -> Self {
        self.schedule = Some(name.into());
        self
    }
}

/// A task claimed by a worker, with the lease that proves the claim.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimedTask {
    pub id: TaskId,
    pub kind: String,
    pub payload: serde_json::Value,
    pub schedule: Option<String>,
    /// This attempt's number, from 1.
    pub attempt: u32,
    pub max_attempts: u32,
    pub lease: Uuid,
}

/// Where a task is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    Pending,
    Running,
    Done,
    Dead,
}

impl TaskStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Running => "running",
            Self::Done => "done",
            Self::Dead => "dead",
        }
    }

    pub(crate) fn parse(text: &str) -> Result<Self, crate::StoreError> {
        match text {
            "pending" => Ok(Self::Pending),
            "running" => Ok(Self::Running),
            "done" => Ok(Self::Done),
            "dead" => Ok(Self::Dead),
            other => Err(anyhow::anyhow!("unknown task status {other:?} in the store").into()),
        }
    }
}

/// A task as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    pub id: TaskId,
    pub kind: String,
    pub payload: serde_json::Value,
    pub unique_key: Option<String>,
    pub schedule: Option<String>,
    pub status: TaskStatus,
    pub attempts: u32,
    pub max_attempts: u32,
    pub run_at: OffsetDateTime,
    pub locked_until: Option<OffsetDateTime>,
    pub last_error: Option<String>,
    pub created_at: OffsetDateTime,
    pub finished_at: Option<OffsetDateTime>,
}

/// What became of a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOutcome {
    /// The task runs again at this time.
    Retry(OffsetDateTime),
    /// All attempts are used; the task is kept, dead, with its last error.
    Dead,
}

/// The queue at a glance.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct QueueStats {
    /// Waiting tasks, due now or later.
    pub pending: u64,
    /// Waiting tasks that are due now.
    pub due: u64,
    pub running: u64,
    pub dead: u64,
    /// How long the oldest due task has waited past its due time, in seconds.
    pub oldest_due_age_seconds: Option<f64>,
}

/// One schedule's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleStatus {
    pub name: String,
    pub last_fired_at: Option<OffsetDateTime>,
    pub last_success_at: Option<OffsetDateTime>,
    pub last_failure_at: Option<OffsetDateTime>,
    pub last_error: Option<String>,
}

/// Errors are kept for operators, not as logs: the first 2,000 characters are plenty.
pub(crate) fn clip_error(error: &str) -> String {
    const MAX: usize = 2_000;
    match error.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &error[..cut]),
        None => error.to_owned(),
    }
}

/// Builds [`QueueStats`] from per-status counts and the oldest due task's due time.
pub(crate) fn queue_stats(
    counts: &[(String, i64)],
    due: i64,
    oldest_due: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> QueueStats {
    let count = |status: &str| {
        counts
            .iter()
            .find(|(name, _)| name == status)
            .map_or(0, |(_, n)| u64::try_from(*n).unwrap_or(0))
    };
    QueueStats {
        pending: count("pending"),
        due: u64::try_from(due).unwrap_or(0),
        running: count("running"),
        dead: count("dead"),
        oldest_due_age_seconds: oldest_due.map(|at| (now - at).as_seconds_f64().max(0.0)),
    }
}

/// The error a task keeps when its worker vanished mid-attempt.
pub(crate) const LEASE_EXPIRED_ERROR: &str =
    "lease expired: the worker stopped before finishing this attempt";

/// One board's scrape, to record on its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceRun {
    /// `kind:board`, or the kind alone for aggregators.
    pub name: String,
    pub kind: String,
    pub started_at: OffsetDateTime,
    pub finished_at: OffsetDateTime,
    /// `ok`, `not_modified`, `blocked` or `failed`.
    pub status: String,
    pub fetched: u64,
    pub inserted: u64,
    pub updated: u64,
    pub skipped: u64,
    pub error: Option<String>,
    /// The first page's validators, for the next conditional request.
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// What the store remembers about a source between runs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SourceState {
    pub name: String,
    pub kind: String,
    pub last_polled_at: Option<OffsetDateTime>,
    pub last_success_at: Option<OffsetDateTime>,
    pub last_error: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// A source's state with its latest run and how many active jobs it lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceStatus {
    pub state: SourceState,
    pub last_run: Option<SourceRun>,
    pub active_jobs: u64,
}
