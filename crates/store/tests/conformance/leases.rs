//! What a claim does with tasks whose lease expired: requeued (or dead) first, then the
//! oldest due task claimed, as if requeueing and claiming were two steps.

use jobping_store::testing::TestDb;
use jobping_store::{NewTask, TaskStatus, store_test};
use serde_json::json;

use crate::{secs, t0};

fn task_at(kind: &str, at: time::OffsetDateTime) -> NewTask {
    NewTask::new(kind, json!({}), at)
}

store_test!(
    a_task_claimed_again_after_its_lease_expired_keeps_the_lease_error,
    |db: TestDb| async move {
        let store = db.store().await;
        let id = store.enqueue(&task_at("x", t0())).await.unwrap().unwrap();
        store
            .claim_task("w1", t0() + secs(30), t0())
            .await
            .unwrap()
            .unwrap();
        let rescued = store
            .claim_task("w2", t0() + secs(61), t0() + secs(31))
            .await
            .unwrap()
            .unwrap();
        assert_eq!((rescued.id, rescued.attempt), (id, 2));
        let stored = store.task(id).await.unwrap();
        assert_eq!(stored.status, TaskStatus::Running);
        assert_eq!(stored.run_at, t0() + secs(31), "requeued as due at the rescue");
        assert_eq!(stored.locked_until, Some(t0() + secs(61)));
        assert_eq!(stored.finished_at, None);
        assert!(stored.last_error.unwrap().contains("lease expired"));
    }
);

store_test!(
    a_requeued_task_waits_behind_tasks_that_were_due_before_it,
    |db: TestDb| async move {
        let store = db.store().await;
        let lost = store.enqueue(&task_at("lost", t0())).await.unwrap().unwrap();
        store
            .claim_task("w1", t0() + secs(30), t0())
            .await
            .unwrap()
            .unwrap();
        let earlier = store
            .enqueue(&task_at("earlier", t0() + secs(10)))
            .await
            .unwrap()
            .unwrap();
        // Due at the very time of the rescue, but queued after the lost task.
        let same_time = store
            .enqueue(&task_at("same-time", t0() + secs(31)))
            .await
            .unwrap()
            .unwrap();
        let at = t0() + secs(31);
        let mut order = Vec::new();
        while let Some(claimed) = store.claim_task("w2", at + secs(30), at).await.unwrap() {
            order.push(claimed.id);
        }
        assert_eq!(order, [earlier, lost, same_time]);
    }
);

store_test!(
    every_expired_task_is_requeued_even_when_one_is_claimed,
    |db: TestDb| async move {
        let store = db.store().await;
        let a = store.enqueue(&task_at("a", t0())).await.unwrap().unwrap();
        let b = store.enqueue(&task_at("b", t0())).await.unwrap().unwrap();
        for _ in 0..2 {
            store
                .claim_task("w1", t0() + secs(30), t0())
                .await
                .unwrap()
                .unwrap();
        }
        let rescued = store
            .claim_task("w2", t0() + secs(61), t0() + secs(31))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(rescued.id, a);
        let waiting = store.task(b).await.unwrap();
        assert_eq!(waiting.status, TaskStatus::Pending);
        assert_eq!(waiting.locked_until, None);
        assert_eq!(waiting.run_at, t0() + secs(31));
        assert!(waiting.last_error.unwrap().contains("lease expired"));
        let stats = store.queue_stats(t0() + secs(31)).await.unwrap();
        assert_eq!((stats.pending, stats.running), (1, 1));
    }
);

store_test!(
    a_scheduled_task_dying_of_an_expired_lease_reports_the_failure_to_its_schedule,
    |db: TestDb| async move {
        let store = db.store().await;
        let firing = task_at("scrape", t0())
            .unique_key("scrape:t0")
            .schedule("scrape")
            .max_attempts(1);
        assert!(store.fire_schedule("scrape", t0(), &firing).await.unwrap());
        let other = store.enqueue(&task_at("other", t0())).await.unwrap().unwrap();
        let claimed = store
            .claim_task("w1", t0() + secs(30), t0())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(claimed.schedule.as_deref(), Some("scrape"));
        // The expired scheduled task dies; the claim takes the other one.
        let next = store
            .claim_task("w2", t0() + secs(91), t0() + secs(31))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(next.id, other);
        let dead = store.task(claimed.id).await.unwrap();
        assert_eq!(dead.status, TaskStatus::Dead);
        assert_eq!(dead.finished_at, Some(t0() + secs(31)));
        let schedule = store.schedules().await.unwrap().remove(0);
        assert_eq!(schedule.last_failure_at, Some(t0() + secs(31)));
        assert!(schedule.last_error.unwrap().contains("lease expired"));
        assert_eq!(schedule.last_success_at, None);
    }
);
