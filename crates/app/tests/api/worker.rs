use std::time::Duration;

use async_trait::async_trait;
use jobping::AppState;
use jobping::worker::{
    Outcome, TaskError, TaskHandler, TaskRegistry, try_execute_task, try_execute_task_until,
};
use jobping_store::{ClaimedTask, NewTask, TaskStatus};
use serde_json::json;
use time::OffsetDateTime;
use tokio_util::sync::CancellationToken;

use crate::app_test;
use crate::helpers::{Options, TestApp, eventually};

struct Flaky;
#[async_trait]
impl TaskHandler for Flaky {
    async fn run(&self, _: &AppState, _: &ClaimedTask) -> Result<(), TaskError> {
        Err(TaskError::Retry(anyhow::anyhow!("the board answered 503")))
    }
}

struct Broken;
#[async_trait]
impl TaskHandler for Broken {
    async fn run(&self, _: &AppState, _: &ClaimedTask) -> Result<(), TaskError> {
        Err(TaskError::Permanent(anyhow::anyhow!(
            "the payload names no subscriber"
        )))
    }
}

struct Panicky;
#[async_trait]
impl TaskHandler for Panicky {
    async fn run(&self, _: &AppState, _: &ClaimedTask) -> Result<(), TaskError> {
        let empty: Vec<u8> = Vec::new();
        let _ = empty[usize::from(empty.is_empty())];
        Ok(())
    }
}

/// Notes in the store when it starts and when it finishes, so a test can watch it.
struct Slow;
#[async_trait]
impl TaskHandler for Slow {
    async fn run(&self, state: &AppState, _: &ClaimedTask) -> Result<(), TaskError> {
        let now = OffsetDateTime::now_utc();
        state
            .store
            .set_switch("test.slow.started", true, "test", now)
            .await
            .map_err(anyhow::Error::from)?;
        tokio::time::sleep(Duration::from_millis(400)).await;
        state
            .store
            .set_switch("test.slow.finished", true, "test", now)
            .await
            .map_err(anyhow::Error::from)?;
        Ok(())
    }
}

/// Sleeps for the payload's `ms`.
struct Sleepy;
#[async_trait]
impl TaskHandler for Sleepy {
    async fn run(&self, _: &AppState, task: &ClaimedTask) -> Result<(), TaskError> {
        let ms = task.payload["ms"].as_u64().unwrap_or(0);
        tokio::time::sleep(Duration::from_millis(ms)).await;
        Ok(())
    }
}

fn test_tasks() -> TaskRegistry {
    let mut tasks = TaskRegistry::builtin();
    tasks
        .register("flaky", Flaky)
        .register("broken", Broken)
        .register("panicky", Panicky)
        .register("slow", Slow)
        .register("sleepy", Sleepy);
    tasks
}

fn options() -> Options {
    Options {
        env: vec![("JOBPING_QUEUE_BACKOFF_BASE_SECONDS", "60".into())],
        tasks: test_tasks(),
        toml: None,
        worker: false,
    }
}

fn options_with_worker() -> Options {
    Options {
        env: vec![
            ("JOBPING_QUEUE_POLL_INTERVAL_MS", "20".into()),
            ("JOBPING_QUEUE_CONCURRENCY", "2".into()),
        ],
        tasks: test_tasks(),
        toml: None,
        worker: true,
    }
}

async fn enqueue(app: &TestApp, kind: &str) -> i64 {
    let task = NewTask::new(kind, json!({}), OffsetDateTime::now_utc());
    app.state.store.enqueue(&task).await.unwrap().unwrap()
}

app_test!(
    a_failed_attempt_is_retried_after_a_backoff,
    options,
    |app: TestApp| async move {
        let id = enqueue(&app, "flaky").await;
        let before = OffsetDateTime::now_utc();
        let run = try_execute_task(&app.state, "test").await.unwrap().unwrap();
        let Outcome::Retry(at) = run.outcome else {
            panic!("expected a retry, got {:?}", run.outcome)
        };
        // Attempt 1 with a 60 s base waits between 30 and 60 s.
        let wait = (at - before).whole_seconds();
        assert!((29..=61).contains(&wait), "waits {wait} s");
        let task = app.state.store.task(id).await.unwrap();
        assert_eq!((task.status, task.attempts), (TaskStatus::Pending, 1));
        assert!(task.last_error.unwrap().contains("503"));
        assert!(
            try_execute_task(&app.state, "test").await.unwrap().is_none(),
            "not due again yet"
        );
    }
);

app_test!(
    a_permanent_failure_kills_the_task_at_once,
    options,
    |app: TestApp| async move {
        let id = enqueue(&app, "broken").await;
        let run = try_execute_task(&app.state, "test").await.unwrap().unwrap();
        assert_eq!(run.outcome, Outcome::Dead);
        let task = app.state.store.task(id).await.unwrap();
        assert_eq!(task.status, TaskStatus::Dead);
        assert_eq!(
            task.last_error.as_deref(),
            Some("the payload names no subscriber")
        );
    }
);

app_test!(
    a_panicking_handler_fails_its_attempt_and_the_worker_goes_on,
    options,
    |app: TestApp| async move {
        let id = enqueue(&app, "panicky").await;
        let run = try_execute_task(&app.state, "test").await.unwrap().unwrap();
        assert!(matches!(run.outcome, Outcome::Retry(_)), "{:?}", run.outcome);
        let task = app.state.store.task(id).await.unwrap();
        let error = task.last_error.unwrap();
        assert!(error.contains("handler panicked"), "{error}");
        // The panic's own message, not "a non-text panic".
        assert!(error.contains("index out of bounds"), "{error}");
    }
);

app_test!(
    a_task_of_an_unknown_kind_dies_with_a_clear_error,
    options,
    |app: TestApp| async move {
        let id = enqueue(&app, "teleport").await;
        assert_eq!(
            try_execute_task(&app.state, "test")
                .await
                .unwrap()
                .unwrap()
                .outcome,
            Outcome::Dead
        );
        let task = app.state.store.task(id).await.unwrap();
        assert_eq!(
            task.last_error.as_deref(),
            Some("no handler for task kind `teleport`")
        );
    }
);

app_test!(
    the_running_worker_picks_up_new_tasks,
    options_with_worker,
    |app: TestApp| async move {
        let id = enqueue(&app, "housekeeping").await;
        let store = app.state.store.clone();
        let done = eventually(Duration::from_secs(10), || {
            let store = store.clone();
            async move { store.task(id).await.unwrap().status == TaskStatus::Done }
        })
        .await;
        assert!(done, "the worker ran the task");
    }
);

app_test!(
    on_shutdown_the_worker_finishes_the_task_in_hand,
    options_with_worker,
    |mut app: TestApp| async move {
        let id = enqueue(&app, "slow").await;
        let store = app.state.store.clone();
        let started = eventually(Duration::from_secs(10), || {
            let store = store.clone();
            async move { store.switch("test.slow.started").await.unwrap() == Some(true) }
        })
        .await;
        assert!(started);
        app.shutdown().await.unwrap();
        assert_eq!(
            store.switch("test.slow.finished").await.unwrap(),
            Some(true),
            "the handler ran to its end"
        );
        assert_eq!(store.task(id).await.unwrap().status, TaskStatus::Done);
    }
);

fn short_lease() -> Options {
    Options {
        env: vec![("JOBPING_QUEUE_LEASE_SECONDS", "5".into())],
        tasks: test_tasks(),
        toml: None,
        worker: false,
    }
}

app_test!(
    a_task_running_past_its_lease_keeps_it_by_heartbeat,
    short_lease,
    |app: TestApp| async move {
        let task = NewTask::new("sleepy", json!({"ms": 7_000}), OffsetDateTime::now_utc());
        let id = app.state.store.enqueue(&task).await.unwrap().unwrap();
        let state = app.state.clone();
        let running = tokio::spawn(async move { try_execute_task(&state, "first").await });
        // Past the 5 s lease, the task is still the first worker's.
        tokio::time::sleep(Duration::from_millis(6_000)).await;
        assert!(
            try_execute_task(&app.state, "second").await.unwrap().is_none(),
            "a renewed lease is not up for grabs"
        );
        let run = running.await.unwrap().unwrap().unwrap();
        assert_eq!(run.outcome, Outcome::Done);
        let task = app.state.store.task(id).await.unwrap();
        assert_eq!((task.status, task.attempts), (TaskStatus::Done, 1));
    }
);

app_test!(
    a_task_abandoned_at_shutdown_goes_back_to_the_queue_uncounted,
    options,
    |app: TestApp| async move {
        let task = NewTask::new("sleepy", json!({"ms": 60_000}), OffsetDateTime::now_utc());
        let id = app.state.store.enqueue(&task).await.unwrap().unwrap();
        let abandon = CancellationToken::new();
        let trigger = abandon.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            trigger.cancel();
        });
        let started = std::time::Instant::now();
        let run = try_execute_task_until(&app.state, "leaving", &abandon)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(run.outcome, Outcome::Released);
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
        let task = app.state.store.task(id).await.unwrap();
        assert_eq!((task.status, task.attempts), (TaskStatus::Pending, 0));
        assert_eq!(task.last_error.as_deref(), Some("abandoned at shutdown"));
        let now = OffsetDateTime::now_utc();
        let again = app
            .state
            .store
            .claim_task("next", now + time::Duration::seconds(30), now)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(again.id, id, "due again at once");
    }
);
