use std::collections::HashSet;

use jobping_store::testing::TestDb;
use jobping_store::{FailOutcome, NewTask, StoreError, TaskStatus, store_test};
use serde_json::json;

use crate::{secs, t0};

fn task(kind: &str) -> NewTask {
    NewTask::new(kind, json!({ "kind": kind }), t0())
}

store_test!(
    an_enqueued_task_is_pending_with_its_payload,
    |db: TestDb| async move {
        let store = db.store().await;
        let id = store
            .enqueue(&task("scrape").max_attempts(3))
            .await
            .unwrap()
            .unwrap();
        let stored = store.task(id).await.unwrap();
        assert_eq!(stored.kind, "scrape");
        assert_eq!(stored.payload, json!({ "kind": "scrape" }));
        assert_eq!(stored.status, TaskStatus::Pending);
        assert_eq!((stored.attempts, stored.max_attempts), (0, 3));
        assert_eq!(stored.run_at, t0());
    }
);

store_test!(
    a_second_enqueue_with_the_same_unique_key_is_a_no_op,
    |db: TestDb| async move {
        let store = db.store().await;
        let first = store
            .enqueue(&task("digest").unique_key("digest:2026-11-26"))
            .await
            .unwrap();
        let again = store
            .enqueue(&task("digest").unique_key("digest:2026-11-26"))
            .await
            .unwrap();
        let other = store
            .enqueue(&task("digest").unique_key("digest:2026-11-27"))
            .await
            .unwrap();
        assert!(first.is_some());
        assert_eq!(again, None);
        assert!(other.is_some());
        assert_eq!(store.queue_stats(t0()).await.unwrap().pending, 2);
    }
);

store_test!(
    claims_take_the_oldest_due_task_and_leave_future_ones,
    |db: TestDb| async move {
        let store = db.store().await;
        let later = store
            .enqueue(&NewTask::new("b", json!({}), t0() + secs(60)))
            .await
            .unwrap()
            .unwrap();
        let older = store
            .enqueue(&NewTask::new("a", json!({}), t0() - secs(60)))
            .await
            .unwrap()
            .unwrap();
        let now = store.enqueue(&task("c")).await.unwrap().unwrap();
        let claim = |at| store.claim_task("w1", at + secs(30), at);
        assert_eq!(claim(t0()).await.unwrap().unwrap().id, older);
        assert_eq!(claim(t0()).await.unwrap().unwrap().id, now);
        assert_eq!(claim(t0()).await.unwrap(), None, "the future task is not due yet");
        let due_later = claim(t0() + secs(61)).await.unwrap().unwrap();
        assert_eq!((due_later.id, due_later.attempt), (later, 1));
    }
);

store_test!(
    a_completed_task_is_done_and_cannot_be_completed_twice,
    |db: TestDb| async move {
        let store = db.store().await;
        let id = store.enqueue(&task("x")).await.unwrap().unwrap();
        let claimed = store
            .claim_task("w1", t0() + secs(30), t0())
            .await
            .unwrap()
            .unwrap();
        store.complete_task(&claimed, t0() + secs(1)).await.unwrap();
        let done = store.task(id).await.unwrap();
        assert_eq!(done.status, TaskStatus::Done);
        assert_eq!(done.finished_at, Some(t0() + secs(1)));
        assert_eq!(done.locked_until, None);
        let err = store.complete_task(&claimed, t0() + secs(2)).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
        assert_eq!(
            store
                .claim_task("w1", t0() + secs(90), t0() + secs(60))
                .await
                .unwrap(),
            None
        );
    }
);

store_test!(
    a_failed_attempt_waits_for_its_retry_time_and_keeps_the_error,
    |db: TestDb| async move {
        let store = db.store().await;
        let id = store.enqueue(&task("x")).await.unwrap().unwrap();
        let claimed = store
            .claim_task("w1", t0() + secs(30), t0())
            .await
            .unwrap()
            .unwrap();
        let outcome = store
            .fail_task(&claimed, "board answered 503", Some(t0() + secs(20)), t0())
            .await
            .unwrap();
        assert_eq!(outcome, FailOutcome::Retry(t0() + secs(20)));
        let waiting = store.task(id).await.unwrap();
        assert_eq!(waiting.status, TaskStatus::Pending);
        assert_eq!(waiting.attempts, 1);
        assert_eq!(waiting.last_error.as_deref(), Some("board answered 503"));
        assert_eq!(
            store
                .claim_task("w1", t0() + secs(49), t0() + secs(19))
                .await
                .unwrap(),
            None
        );
        let again = store
            .claim_task("w1", t0() + secs(50), t0() + secs(20))
            .await
            .unwrap()
            .unwrap();
        assert_eq!((again.id, again.attempt), (id, 2));
    }
);

store_test!(
    a_task_is_dead_after_its_last_attempt_and_keeps_the_last_error,
    |db: TestDb| async move {
        let store = db.store().await;
        let id = store.enqueue(&task("x").max_attempts(2)).await.unwrap().unwrap();
        let first = store
            .claim_task("w1", t0() + secs(30), t0())
            .await
            .unwrap()
            .unwrap();
        store
            .fail_task(&first, "timeout", Some(t0()), t0())
            .await
            .unwrap();
        let second = store
            .claim_task("w1", t0() + secs(30), t0())
            .await
            .unwrap()
            .unwrap();
        let outcome = store
            .fail_task(&second, "timeout again", Some(t0() + secs(5)), t0() + secs(1))
            .await
            .unwrap();
        assert_eq!(outcome, FailOutcome::Dead);
        let dead = store.task(id).await.unwrap();
        assert_eq!(dead.status, TaskStatus::Dead);
        assert_eq!(dead.attempts, 2);
        assert_eq!(dead.last_error.as_deref(), Some("timeout again"));
        assert_eq!(dead.finished_at, Some(t0() + secs(1)));
        assert_eq!(
            store
                .claim_task("w1", t0() + secs(90), t0() + secs(60))
                .await
                .unwrap(),
            None
        );
        assert_eq!(store.queue_stats(t0() + secs(60)).await.unwrap().dead, 1);
    }
);

store_test!(a_permanent_failure_is_dead_at_once, |db: TestDb| async move {
    let store = db.store().await;
    let id = store.enqueue(&task("x").max_attempts(5)).await.unwrap().unwrap();
    let claimed = store
        .claim_task("w1", t0() + secs(30), t0())
        .await
        .unwrap()
        .unwrap();
    let outcome = store
        .fail_task(&claimed, "payload is not a subscriber id", None, t0())
        .await
        .unwrap();
    assert_eq!(outcome, FailOutcome::Dead);
    assert_eq!(store.task(id).await.unwrap().status, TaskStatus::Dead);
});

store_test!(
    a_task_whose_worker_vanished_runs_again_after_its_lease_expires,
    |db: TestDb| async move {
        let store = db.store().await;
        let id = store.enqueue(&task("x")).await.unwrap().unwrap();
        let lost = store
            .claim_task("w1", t0() + secs(30), t0())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            store
                .claim_task("w2", t0() + secs(40), t0() + secs(10))
                .await
                .unwrap(),
            None,
            "still leased"
        );
        let rescued = store
            .claim_task("w2", t0() + secs(61), t0() + secs(31))
            .await
            .unwrap()
            .unwrap();
        assert_eq!((rescued.id, rescued.attempt), (id, 2));
        assert_ne!(rescued.lease, lost.lease);
        let err = store.complete_task(&lost, t0() + secs(32)).await.unwrap_err();
        assert!(
            matches!(err, StoreError::Conflict(_)),
            "the vanished worker's late completion is refused: {err:?}"
        );
        let err = store
            .fail_task(&lost, "late", Some(t0()), t0() + secs(32))
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
        store.complete_task(&rescued, t0() + secs(33)).await.unwrap();
        assert_eq!(store.task(id).await.unwrap().status, TaskStatus::Done);
    }
);

store_test!(
    a_lease_that_expires_on_the_last_attempt_leaves_the_task_dead,
    |db: TestDb| async move {
        let store = db.store().await;
        let id = store.enqueue(&task("x").max_attempts(1)).await.unwrap().unwrap();
        store
            .claim_task("w1", t0() + secs(30), t0())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            store
                .claim_task("w2", t0() + secs(91), t0() + secs(31))
                .await
                .unwrap(),
            None
        );
        let dead = store.task(id).await.unwrap();
        assert_eq!(dead.status, TaskStatus::Dead);
        assert!(dead.last_error.unwrap().contains("lease expired"));
    }
);

store_test!(
    concurrent_claimers_never_get_the_same_task,
    |db: TestDb| async move {
        const TASKS: usize = 120;
        const CLAIMERS: usize = 6;
        let setup = db.store().await;
        for i in 0..TASKS {
            setup.enqueue(&task(&format!("t{i}"))).await.unwrap().unwrap();
        }
        let mut handles = Vec::new();
        for worker in 0..CLAIMERS {
            // A store each, as separate processes would have.
            let store = db.store().await;
            handles.push(tokio::spawn(async move {
                let name = format!("w{worker}");
                let mut got = Vec::new();
                while let Some(claimed) = store.claim_task(&name, t0() + secs(300), t0()).await.unwrap() {
                    store.complete_task(&claimed, t0()).await.unwrap();
                    got.push(claimed.id);
                }
                got
            }));
        }
        let mut seen = HashSet::new();
        let mut total = 0;
        for handle in handles {
            for id in handle.await.unwrap() {
                total += 1;
                assert!(seen.insert(id), "task {id} was claimed twice");
            }
        }
        assert_eq!(total, TASKS);
        let stats = setup.queue_stats(t0()).await.unwrap();
        assert_eq!((stats.pending, stats.running), (0, 0));
    }
);

store_test!(
    queue_stats_count_by_state_and_age_the_oldest_due_task,
    |db: TestDb| async move {
        let store = db.store().await;
        store
            .enqueue(&NewTask::new("old", json!({}), t0() - secs(90)))
            .await
            .unwrap();
        store.enqueue(&task("now")).await.unwrap();
        store
            .enqueue(&NewTask::new("future", json!({}), t0() + secs(600)))
            .await
            .unwrap();
        store
            .enqueue(&NewTask::new("run", json!({}), t0() - secs(500)))
            .await
            .unwrap();
        store
            .claim_task("w1", t0() + secs(30), t0())
            .await
            .unwrap()
            .unwrap();
        let stats = store.queue_stats(t0()).await.unwrap();
        assert_eq!(
            (stats.pending, stats.due, stats.running, stats.dead),
            (3, 2, 1, 0)
        );
        assert_eq!(stats.oldest_due_age_seconds, Some(90.0));
        let empty = TestDb::sqlite();
        let empty = empty.store().await.queue_stats(t0()).await.unwrap();
        assert_eq!(empty.oldest_due_age_seconds, None);
    }
);

store_test!(
    purging_removes_only_tasks_finished_before_their_cutoff,
    |db: TestDb| async move {
        let store = db.store().await;
        for kind in ["a", "b", "c", "d", "e"] {
            store.enqueue(&task(kind).max_attempts(1)).await.unwrap();
        }
        let claim = || store.claim_task("w", t0() + secs(30), t0());
        let old_done = claim().await.unwrap().unwrap();
        store.complete_task(&old_done, t0()).await.unwrap();
        let new_done = claim().await.unwrap().unwrap();
        store.complete_task(&new_done, t0() + secs(100)).await.unwrap();
        let old_dead = claim().await.unwrap().unwrap();
        store.fail_task(&old_dead, "x", None, t0()).await.unwrap();
        let kept_dead = claim().await.unwrap().unwrap();
        store
            .fail_task(&kept_dead, "x", None, t0() + secs(20))
            .await
            .unwrap();
        // Done tasks go after 50 s, dead ones after 10 s in this test.
        assert_eq!(
            store
                .purge_finished_tasks(t0() + secs(50), t0() + secs(10))
                .await
                .unwrap(),
            2
        );
        assert!(matches!(store.task(old_done.id).await, Err(StoreError::NotFound)));
        assert!(matches!(store.task(old_dead.id).await, Err(StoreError::NotFound)));
        assert_eq!(store.task(new_done.id).await.unwrap().status, TaskStatus::Done);
        assert_eq!(store.task(kept_dead.id).await.unwrap().status, TaskStatus::Dead);
        assert_eq!(store.queue_stats(t0()).await.unwrap().pending, 1);
    }
);
