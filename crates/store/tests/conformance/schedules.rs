use jobping_store::testing::TestDb;
use jobping_store::{NewTask, store_test};
use serde_json::json;

use crate::{secs, t0};

fn firing(name: &str, at: time::OffsetDateTime) -> NewTask {
    NewTask::new(name, json!({}), at)
        .unique_key(format!("{name}:{at}"))
        .schedule(name)
}

store_test!(
    a_firing_is_claimed_once_and_a_later_one_again,
    |db: TestDb| async move {
        let store = db.store().await;
        assert!(
            store
                .fire_schedule("scrape", t0(), &firing("scrape", t0()))
                .await
                .unwrap()
        );
        assert!(
            !store
                .fire_schedule("scrape", t0(), &firing("scrape", t0()))
                .await
                .unwrap()
        );
        assert!(
            !store
                .fire_schedule("scrape", t0() - secs(3600), &firing("scrape", t0() - secs(3600)))
                .await
                .unwrap(),
            "an older firing is never run after a newer one"
        );
        assert!(
            store
                .fire_schedule("scrape", t0() + secs(3600), &firing("scrape", t0() + secs(3600)))
                .await
                .unwrap()
        );
        assert_eq!(store.queue_stats(t0() + secs(3600)).await.unwrap().pending, 2);
        let schedules = store.schedules().await.unwrap();
        assert_eq!(schedules.len(), 1);
        assert_eq!(schedules[0].last_fired_at, Some(t0() + secs(3600)));
    }
);

store_test!(
    two_processes_firing_one_schedule_at_once_queue_one_task,
    |db: TestDb| async move {
        for round in 0..5 {
            let at = t0() + secs(60 * round);
            let (a, b) = (db.store().await, db.store().await);
            let task = firing("digest", at);
            let (left, right) = tokio::join!(
                a.fire_schedule("digest", at, &task),
                b.fire_schedule("digest", at, &task)
            );
            let (left, right) = (left.unwrap(), right.unwrap());
            assert!(
                left ^ right,
                "round {round}: exactly one process fires ({left}, {right})"
            );
        }
        let store = db.store().await;
        assert_eq!(store.queue_stats(t0() + secs(600)).await.unwrap().pending, 5);
    }
);

store_test!(
    a_scheduled_task_reports_its_success_and_failure_to_its_schedule,
    |db: TestDb| async move {
        let store = db.store().await;
        store
            .fire_schedule("scrape", t0(), &firing("scrape", t0()))
            .await
            .unwrap();
        let claimed = store
            .claim_task("w", t0() + secs(30), t0())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(claimed.schedule.as_deref(), Some("scrape"));
        store
            .fail_task(&claimed, "robots.txt said no", Some(t0() + secs(1)), t0())
            .await
            .unwrap();
        let after_failure = store.schedules().await.unwrap().remove(0);
        assert_eq!(after_failure.last_failure_at, Some(t0()));
        assert_eq!(after_failure.last_error.as_deref(), Some("robots.txt said no"));
        assert_eq!(after_failure.last_success_at, None);
        let retried = store
            .claim_task("w", t0() + secs(40), t0() + secs(2))
            .await
            .unwrap()
            .unwrap();
        store.complete_task(&retried, t0() + secs(3)).await.unwrap();
        assert_eq!(
            store.schedules().await.unwrap()[0].last_success_at,
            Some(t0() + secs(3))
        );
    }
);
