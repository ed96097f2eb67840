//! The worker: claims tasks from the store's queue, runs their handlers, and completes
//! them or schedules a retry with backoff. Any number of workers in any number of
//! processes can share one database; the store makes each claim exclusive.

mod backoff;
mod housekeeping;

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use futures::FutureExt;
use jobping_store::{ClaimedTask, FailOutcome, StoreError};
use time::OffsetDateTime;
use tokio_util::sync::CancellationToken;

pub use self::backoff::retry_delay;
use crate::state::AppState;

/// Why a task's attempt failed, and so whether it is worth another.
#[derive(Debug, thiserror::Error)]
pub enum TaskError {
    /// Worth trying again later (a timeout, a 503, a lock).
    #[error(transparent)]
    Retry(anyhow::Error),
    /// Worth trying again, but not before this time (something else holds the work).
    #[error("{1}")]
    RetryAt(OffsetDateTime, anyhow::Error),
    /// Will never succeed (a payload that does not parse): the task dies at once.
    #[error(transparent)]
    Permanent(anyhow::Error),
}

impl From<anyhow::Error> for TaskError {
    fn from(err: anyhow::Error) -> Self {
        Self::Retry(err)
    }
}

/// Runs one kind of task.
#[async_trait]
pub trait TaskHandler: Send + Sync + 'static {
    async fn run(&self, state: &AppState, task: &ClaimedTask) -> Result<(), TaskError>;
}

/// Task kinds and their handlers.
#[derive(Clone, Default)]
pub struct TaskRegistry {
    handlers: HashMap<String, Arc<dyn TaskHandler>>,
}

impl TaskRegistry {
    /// The handlers JobPing ships with.
    pub fn builtin() -> Self {
        let mut registry = Self::default();
        registry.register("housekeeping", housekeeping::Housekeeping);
        registry.register(crate::billing::GRACE_TASK, crate::billing::BillingGrace);
        registry.register("scrape", crate::ingest::ScrapeSource);
        registry.register("scrape_board", crate::ingest::ScrapeBoard);
        registry.register(crate::journey::email::TASK_KIND, crate::journey::email::SendEmail);
        registry.register(crate::delivery::ROUND, crate::delivery::DeliveryRound);
        registry.register(crate::delivery::PREPARE, crate::delivery::PrepareDigest);
        registry.register(crate::delivery::SEND, crate::delivery::SendDelivery);
        registry
    }

    /// Adds (or replaces) the handler for `kind`.
    pub fn register(&mut self, kind: impl Into<String>, handler: impl TaskHandler) -> &mut Self {
        self.handlers.insert(kind.into(), Arc::new(handler));
        self
    }

    fn get(&self, kind: &str) -> Option<Arc<dyn TaskHandler>> {
        self.handlers.get(kind).cloned()
    }
}

/// What became of one claimed task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Done,
    Retry(OffsetDateTime),
    Dead,
    /// The lease expired while the handler ran; another worker owns the task now.
    LeaseLost,
    /// Abandoned at shutdown and put back in the queue, the attempt not counted.
    Released,
}

impl Outcome {
    fn label(&self) -> &'static str {
        match self {
            Self::Done => "done",
            Self::Retry(_) => "retry",
            Self::Dead => "dead",
            Self::LeaseLost => "lease_lost",
            Self::Released => "released",
        }
    }
}

/// One task run by [`try_execute_task`].
#[derive(Debug, Clone)]
pub struct TaskRun {
    pub task: ClaimedTask,
    pub outcome: Outcome,
}

/// How long a worker lets the task in hand run on after shutdown was asked for, before
/// it abandons the task (releasing it to the queue, attempt not counted): well inside
/// the 30 seconds a service manager gives before SIGKILL.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(20);

/// The longest any one task may run, however often its lease is renewed: a handler
/// stuck on something that never answers must not hold a worker for ever.
const MAX_TASK_RUN: Duration = Duration::from_secs(30 * 60);

/// Claims one due task and runs it to an outcome; `None` when nothing is due. Public so
/// that tests (and one-shot commands) can drain the queue without a running worker.
pub async fn try_execute_task(state: &AppState, worker: &str) -> anyhow::Result<Option<TaskRun>> {
    try_execute_task_until(state, worker, &CancellationToken::new()).await
}

/// As [`try_execute_task`], but when `abandon` fires while the handler runs, the handler
/// is dropped and the task released back to the queue ([`Outcome::Released`]).
#[tracing::instrument(skip_all, fields(worker = worker, task_id, kind, attempt))]
pub async fn try_execute_task_until(
    state: &AppState,
    worker: &str,
    abandon: &CancellationToken,
) -> anyhow::Result<Option<TaskRun>> {
    let queue = &state.settings.queue;
    let now = OffsetDateTime::now_utc();
    let Some(task) = state.store.claim_task(worker, now + queue.lease, now).await? else {
        return Ok(None);
    };
    let span = tracing::Span::current();
    span.record("task_id", task.id);
    span.record("kind", task.kind.as_str());
    span.record("attempt", task.attempt);

    let started = Instant::now();
    let result = match state.tasks.get(&task.kind) {
        None => Err(TaskError::Permanent(anyhow::anyhow!(
            "no handler for task kind `{}`",
            task.kind
        ))),
        Some(handler) => match run_with_heartbeat(state, &task, handler.as_ref(), abandon).await {
            Ran::Finished(result) => result,
            Ran::Abandoned => {
                let released = state
                    .store
                    .release_task(&task, "abandoned at shutdown", OffsetDateTime::now_utc())
                    .await?;
                tracing::warn!(
                    released,
                    "shutting down: the task in hand was released to the queue"
                );
                return Ok(Some(record_outcome(task, Outcome::Released, started)));
            }
        },
    };
    let outcome = finish(state, &task, result).await?;
    Ok(Some(record_outcome(task, outcome, started)))
}

fn record_outcome(task: ClaimedTask, outcome: Outcome, started: Instant) -> TaskRun {
    metrics::counter!("jobping_queue_tasks_total", "kind" => task.kind.clone(), "outcome" => outcome.label())
        .increment(1);
    metrics::histogram!("jobping_queue_task_duration_seconds", "kind" => task.kind.clone())
        .record(started.elapsed().as_secs_f64());
    TaskRun { task, outcome }
}

/// How a handler's run ended.
enum Ran {
    Finished(Result<(), TaskError>),
    /// Shutdown could wait no longer: the handler was stopped.
    Abandoned,
}

/// Runs the handler while renewing the task's lease every third of it, so a long task
/// keeps its claim and a dead worker's task is free again within one lease. A panic in
/// the handler is caught and becomes a failed attempt with the panic's message.
///
/// A lease found lost (the database was away longer than the lease and another worker
/// took the task) does not stop the handler: it may be between handing an email over
/// and recording it, and stopping it there would make a repeat. It finishes, and its
/// result is not recorded ([`Outcome::LeaseLost`]).
async fn run_with_heartbeat(
    state: &AppState,
    task: &ClaimedTask,
    handler: &dyn TaskHandler,
    abandon: &CancellationToken,
) -> Ran {
    let lease = state.settings.queue.lease;
    let run = AssertUnwindSafe(handler.run(state, task)).catch_unwind();
    tokio::pin!(run);
    let deadline = tokio::time::sleep(MAX_TASK_RUN);
    tokio::pin!(deadline);
    let mut beat = tokio::time::interval_at(tokio::time::Instant::now() + lease / 3, lease / 3);
    beat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut renewing = true;
    loop {
        tokio::select! {
            finished = &mut run => {
                return Ran::Finished(match finished {
                    Ok(result) => result,
                    Err(panic) => {
                        let message = crate::telemetry::panic_message(&*panic);
                        tracing::error!(panic = %message, "a task's handler panicked");
                        Err(TaskError::Retry(anyhow::anyhow!("handler panicked: {message}")))
                    }
                });
            }
            () = &mut deadline => {
                return Ran::Finished(Err(TaskError::Retry(anyhow::anyhow!(
                    "timed out after {} minutes", MAX_TASK_RUN.as_secs() / 60
                ))));
            }
            () = abandon.cancelled() => return Ran::Abandoned,
            _ = beat.tick(), if renewing => {
                let now = OffsetDateTime::now_utc();
                match state.store.renew_task_lease(task, now + lease, now).await {
                    Ok(true) => {}
                    Ok(false) => {
                        tracing::warn!("the task's lease was lost while it ran; another worker may run it too");
                        renewing = false;
                    }
                    // The database is away: keep working; if it stays away the lease runs
                    // out and the task is retried, which every handler allows for.
                    Err(err) => tracing::warn!(error = format!("{err:#}"), "could not renew a task's lease"),
                }
            }
        }
    }
}

async fn finish(
    state: &AppState,
    task: &ClaimedTask,
    result: Result<(), TaskError>,
) -> anyhow::Result<Outcome> {
    let now = OffsetDateTime::now_utc();
    let stored = match result {
        Ok(()) => state.store.complete_task(task, now).await.map(|()| Outcome::Done),
        Err(err) => {
            let (message, retry_at) = match &err {
                TaskError::Retry(cause) => {
                    let q = &state.settings.queue;
                    let delay =
                        retry_delay(task.attempt, q.backoff_base, q.backoff_max, rand::random::<f64>());
                    (format!("{cause:#}"), Some(now + delay))
                }
                TaskError::RetryAt(at, cause) => (format!("{cause:#}"), Some((*at).max(now))),
                TaskError::Permanent(cause) => (format!("{cause:#}"), None),
            };
            let outcome = state.store.fail_task(task, &message, retry_at, now).await;
            match &outcome {
                Ok(FailOutcome::Dead) => tracing::error!(error = %message, "task failed for good"),
                Ok(FailOutcome::Retry(at)) => {
                    tracing::warn!(error = %message, retry_at = %at, "task failed; will retry")
                }
                Err(_) => {}
            }
            outcome.map(|outcome| match outcome {
                FailOutcome::Retry(at) => Outcome::Retry(at),
                FailOutcome::Dead => Outcome::Dead,
            })
        }
    };
    match stored {
        Ok(outcome) => Ok(outcome),
        Err(StoreError::Conflict(reason)) => {
            tracing::warn!(%reason, "task finished after its lease expired; its result was not recorded");
            Ok(Outcome::LeaseLost)
        }
        Err(err) => Err(err.into()),
    }
}

/// Runs `settings.queue.concurrency` worker loops until `cancel` fires; each finishes the
/// task in hand before it stops.
pub async fn run(state: AppState, cancel: CancellationToken) {
    let id = format!(
        "{}-{}",
        std::process::id(),
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );
    let loops = (0..state.settings.queue.concurrency).map(|n| {
        let (state, cancel, name) = (state.clone(), cancel.clone(), format!("{id}-{n}"));
        tokio::spawn(async move { worker_loop(state, cancel, name).await })
    });
    let loops: Vec<_> = loops.collect();
    tracing::info!(workers = loops.len(), "worker started");
    for handle in loops {
        let _ = handle.await;
    }
    tracing::info!("worker stopped");
}

async fn worker_loop(state: AppState, cancel: CancellationToken, name: String) {
    let idle = state.settings.queue.poll_interval;
    // Fires SHUTDOWN_GRACE after `cancel`: the task in hand gets that long to finish.
    let abandon = CancellationToken::new();
    let grace = {
        let (cancel, abandon) = (cancel.clone(), abandon.clone());
        tokio::spawn(async move {
            cancel.cancelled().await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
            abandon.cancel();
        })
    };
    while !cancel.is_cancelled() {
        match try_execute_task_until(&state, &name, &abandon).await {
            Ok(Some(_)) => continue,
            Ok(None) => {}
            Err(err) => tracing::error!(error = format!("{err:#}"), "the worker could not reach the queue"),
        }
        tokio::select! {
            () = cancel.cancelled() => break,
            () = tokio::time::sleep(idle) => {}
        }
    }
    grace.abort();
}
