//! Delivering the job emails: candidates, the outbox of deliveries and sending. What comes
//! back (feedback, provider events, suppressions) is in `feedback.rs`.

use std::sync::Arc;

use jobping_store::testing::TestDb;
use jobping_store::{
    DeliveryKind, NewDelivery, NewDeliveryItem, NewTask, RecordOutcome, Store, StoreError, SuppressionReason,
    store_test,
};
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::jobs::job;
use crate::journey::{active, email, rows_of, signup};
use crate::{secs, t0};

/// `n` stored jobs, each at a company of its own (`Company 0`, `Company 1`, …); their ids.
pub async fn jobs(store: &Arc<dyn Store>, n: usize) -> Vec<i64> {
    let batch: Vec<_> = (0..n)
        .map(|i| {
            job(
                "greenhouse",
                "board",
                &i.to_string(),
                &format!("Graduate Analyst {i}"),
                &format!("Company {i}"),
                "Berlin",
            )
        })
        .collect();
    store.upsert_jobs(&batch, t0()).await.unwrap();
    let stored = store.jobs(false).await.unwrap();
    batch
        .iter()
        .map(|posting| {
            stored
                .iter()
                .find(|s| s.job.external_id == posting.external_id)
                .unwrap()
                .id
        })
        .collect()
}

/// A digest for `period` carrying `job_ids` in that order, created at `at`.
pub fn digest(subscriber: Uuid, period: &str, job_ids: &[i64], at: OffsetDateTime) -> NewDelivery {
    NewDelivery {
        id: Uuid::now_v7(),
        subscriber,
        kind: DeliveryKind::Digest,
        period: period.into(),
        items: job_ids
            .iter()
            .enumerate()
            .map(|(i, &job_id)| NewDeliveryItem {
                job_id,
                position: i as u32,
                score: 90.0 - i as f32,
                reasons: vec!["city".into(), format!("reason {i}")],
            })
            .collect(),
        skip_reason: None,
        created_at: at,
    }
}

pub fn skipped(subscriber: Uuid, period: &str, at: OffsetDateTime) -> NewDelivery {
    NewDelivery {
        skip_reason: Some("no matching jobs".into()),
        ..digest(subscriber, period, &[], at)
    }
}

pub fn send_task(delivery: &NewDelivery) -> NewTask {
    NewTask::new(
        "send_delivery",
        json!({ "subscriber_id": delivery.subscriber, "delivery_id": delivery.id }),
        delivery.created_at,
    )
    .unique_key(format!("send:{}", delivery.id))
}

pub async fn tasks(db: &TestDb) -> i64 {
    db.count("SELECT COUNT(*) FROM tasks").await
}

pub fn is_not_found<T: std::fmt::Debug>(result: Result<T, StoreError>) -> bool {
    matches!(result, Err(StoreError::NotFound))
}

// ---- candidates ----

store_test!(
    candidates_are_active_subscribers_with_preferences_whose_address_is_not_suppressed,
    |db: TestDb| async move {
        let store = db.store().await;
        let ada = active(&store, "ada@example.com").await;
        store
            .signup(&signup("pending@example.com", json!({}), false, t0()))
            .await
            .unwrap();
        let gone = active(&store, "gone@example.com").await;
        store.unsubscribe(gone.id, t0()).await.unwrap();
        let bouncing = active(&store, "bouncing@example.com").await;
        store
            .suppress(&bouncing.email.hashed(), SuppressionReason::Bounced, t0())
            .await
            .unwrap();
        let bare = store
            .insert_subscriber(&email("bare@example.com"), t0())
            .await
            .unwrap();
        store.verify_subscriber(bare.id, t0()).await.unwrap();

        let candidates = store.delivery_candidates(None, 100).await.unwrap();
        let ids: Vec<Uuid> = candidates.iter().map(|c| c.subscriber.id).collect();
        assert_eq!(ids, [ada.id]);
        assert_eq!(candidates[0].subscriber, ada);
        assert_eq!(candidates[0].preferences, json!({ "cities": ["berlin"] }));
    }
);

store_test!(
    paging_through_candidates_returns_each_exactly_once_even_past_a_suppressed_page,
    |db: TestDb| async move {
        let store = db.store().await;
        let mut everyone = Vec::new();
        for i in 0..9 {
            everyone.push(active(&store, &format!("person{i}@example.com")).await);
        }
        everyone.sort_by_key(|s| s.id);
        // Three in a row suppressed: a whole page of two that the store must read past.
        for gone in &everyone[2..5] {
            store
                .suppress(&gone.email.hashed(), SuppressionReason::Complained, t0())
                .await
                .unwrap();
        }
        let expected: Vec<Uuid> = everyone
            .iter()
            .enumerate()
            .filter(|(i, _)| !(2..5).contains(i))
            .map(|(_, s)| s.id)
            .collect();

        let mut seen = Vec::new();
        let mut after = None;
        let mut pages = 0;
        loop {
            let page = store.delivery_candidates(after, 2).await.unwrap();
            assert!(page.len() <= 2, "{page:?}");
            let Some(last) = page.last() else { break };
            after = Some(last.subscriber.id);
            seen.extend(page.iter().map(|c| c.subscriber.id));
            pages += 1;
            assert!(pages < 10, "paging does not end");
        }
        assert_eq!(seen, expected);
        assert_eq!(pages, 3);
        assert!(
            store
                .delivery_candidates(Some(everyone[8].id), 2)
                .await
                .unwrap()
                .is_empty()
        );
    }
);

// ---- recording deliveries: the outbox ----

store_test!(
    recording_a_delivery_writes_it_its_jobs_and_its_send_task_at_once,
    |db: TestDb| async move {
        let store = db.store().await;
        let ada = active(&store, "ada@example.com").await;
        let ids = jobs(&store, 3).await;
        let mut delivery = digest(ada.id, "2026-W48-thu", &ids, t0() + secs(60));
        // Written out of order: read back by position.
        delivery.items.reverse();
        let outcome = store
            .record_delivery(&delivery, Some(&send_task(&delivery)))
            .await
            .unwrap();
        assert_eq!(outcome, RecordOutcome::Recorded);
        assert!(
            store
                .has_delivery(ada.id, DeliveryKind::Digest, "2026-W48-thu")
                .await
                .unwrap()
        );
        assert!(
            !store
                .has_delivery(ada.id, DeliveryKind::Digest, "2026-W49-thu")
                .await
                .unwrap()
        );
        assert!(
            !store
                .has_delivery(ada.id, DeliveryKind::Welcome, "2026-W48-thu")
                .await
                .unwrap()
        );

        let stored = store.delivery(delivery.id).await.unwrap();
        assert_eq!(stored.subscriber, ada);
        assert_eq!(
            (stored.kind, stored.period.as_str(), stored.status.as_str()),
            (DeliveryKind::Digest, "2026-W48-thu", "pending")
        );
        assert_eq!((stored.created_at, stored.sent_at), (t0() + secs(60), None));
        let positions: Vec<(u32, i64)> = stored.items.iter().map(|i| (i.position, i.job_id)).collect();
        assert_eq!(positions, [(0, ids[0]), (1, ids[1]), (2, ids[2])]);
        let first = &stored.items[0];
        assert_eq!(first.score, 90.0);
        assert_eq!(first.reasons, ["city", "reason 0"]);
        assert_eq!(first.job.title, "Graduate Analyst 0");
        assert_eq!(first.job.company, "Company 0");
        assert_eq!(first.url, "https://greenhouse.example/board/0");

        assert_eq!(tasks(&db).await, 1);
        let task = store
            .claim_task("w1", t0() + secs(600), t0() + secs(60))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(task.kind, "send_delivery");
        assert_eq!(task.payload["delivery_id"], json!(delivery.id));
    }
);

store_test!(
    a_second_recording_of_the_same_slot_changes_nothing_and_queues_no_task,
    |db: TestDb| async move {
        let store = db.store().await;
        let ada = active(&store, "ada@example.com").await;
        let ids = jobs(&store, 3).await;
        let first = digest(ada.id, "2026-W48-thu", &ids[..1], t0());
        store
            .record_delivery(&first, Some(&send_task(&first)))
            .await
            .unwrap();

        // A prepare task run twice builds a new delivery (new id, maybe other jobs).
        let again = digest(ada.id, "2026-W48-thu", &ids[1..], t0() + secs(5));
        let outcome = store
            .record_delivery(&again, Some(&send_task(&again)))
            .await
            .unwrap();
        assert_eq!(outcome, RecordOutcome::AlreadyRecorded);
        assert_eq!(tasks(&db).await, 1, "no second send task");
        assert!(is_not_found(store.delivery(again.id).await));
        let kept = store.delivery(first.id).await.unwrap();
        assert_eq!(kept.items.len(), 1);
        assert_eq!(kept.items[0].job_id, ids[0]);
        assert_eq!(rows_of(&db, "delivery_items", ada.id).await, 1);

        let skipped_again = skipped(ada.id, "2026-W48-thu", t0() + secs(10));
        assert_eq!(
            store.record_delivery(&skipped_again, None).await.unwrap(),
            RecordOutcome::AlreadyRecorded
        );
        assert_eq!(
            store.subscriber(ada.id).await.unwrap().empty_digests,
            0,
            "a skip that was not recorded counts for nothing"
        );
    }
);

store_test!(
    a_job_already_emailed_makes_the_whole_recording_fail_and_write_nothing,
    |db: TestDb| async move {
        let store = db.store().await;
        let ada = active(&store, "ada@example.com").await;
        let bob = active(&store, "bob@example.com").await;
        let ids = jobs(&store, 2).await;
        let earlier = digest(ada.id, "2026-W48-thu", &ids[..1], t0());
        store
            .record_delivery(&earlier, Some(&send_task(&earlier)))
            .await
            .unwrap();

        let repeat = digest(ada.id, "2026-W49-thu", &[ids[1], ids[0]], t0() + secs(60));
        let err = store
            .record_delivery(&repeat, Some(&send_task(&repeat)))
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
        assert!(
            !store
                .has_delivery(ada.id, DeliveryKind::Digest, "2026-W49-thu")
                .await
                .unwrap()
        );
        assert!(is_not_found(store.delivery(repeat.id).await));
        assert_eq!(rows_of(&db, "delivery_items", ada.id).await, 1);
        assert_eq!(tasks(&db).await, 1, "the failed recording queued nothing");

        // The same job for someone else is fine, and so is the slot with new jobs.
        let for_bob = digest(bob.id, "2026-W49-thu", &ids, t0() + secs(60));
        assert_eq!(
            store.record_delivery(&for_bob, None).await.unwrap(),
            RecordOutcome::Recorded
        );
        let fixed = digest(ada.id, "2026-W49-thu", &ids[1..], t0() + secs(60));
        assert_eq!(
            store.record_delivery(&fixed, None).await.unwrap(),
            RecordOutcome::Recorded
        );
    }
);

store_test!(
    a_delivery_for_an_unknown_subscriber_or_job_is_not_found,
    |db: TestDb| async move {
        let store = db.store().await;
        let ada = active(&store, "ada@example.com").await;
        let nobody = digest(Uuid::now_v7(), "2026-W48-thu", &[], t0());
        assert!(is_not_found(store.record_delivery(&nobody, None).await));
        let no_job = digest(ada.id, "2026-W48-thu", &[424_242], t0());
        assert!(is_not_found(
            store.record_delivery(&no_job, Some(&send_task(&no_job))).await
        ));
        assert_eq!(rows_of(&db, "deliveries", ada.id).await, 0);
        assert_eq!(tasks(&db).await, 0);
    }
);

store_test!(
    of_two_concurrent_recordings_of_one_slot_exactly_one_is_recorded,
    |db: TestDb| async move {
        // Two stores, as two processes would have.
        let (a, b) = (db.store().await, db.store().await);
        let ada = active(&a, "ada@example.com").await;
        let ids = jobs(&a, 5).await;
        for (round, &job_id) in ids.iter().enumerate() {
            let period = format!("2026-W{}-thu", 40 + round);
            let first = digest(ada.id, &period, &[job_id], t0());
            let second = digest(ada.id, &period, &[job_id], t0());
            let (first_task, second_task) = (send_task(&first), send_task(&second));
            let (one, two) = tokio::join!(
                a.record_delivery(&first, Some(&first_task)),
                b.record_delivery(&second, Some(&second_task))
            );
            let outcomes = [one.unwrap(), two.unwrap()];
            assert_eq!(
                outcomes.iter().filter(|o| **o == RecordOutcome::Recorded).count(),
                1,
                "round {round}: {outcomes:?}"
            );
        }
        assert_eq!(rows_of(&db, "deliveries", ada.id).await, 5);
        assert_eq!(rows_of(&db, "delivery_items", ada.id).await, 5);
        assert_eq!(tasks(&db).await, 5);
    }
);

store_test!(
    a_skipped_digest_lengthens_the_empty_streak_and_a_digest_with_jobs_ends_it,
    |db: TestDb| async move {
        let store = db.store().await;
        let ada = active(&store, "ada@example.com").await;
        assert_eq!((ada.empty_digests, ada.wider_note_sent_at), (0, None));
        let ids = jobs(&store, 1).await;
        let first = skipped(ada.id, "2026-W47-thu", t0());
        store.record_delivery(&first, None).await.unwrap();
        store
            .record_delivery(&skipped(ada.id, "2026-W48-thu", t0()), None)
            .await
            .unwrap();
        assert_eq!(store.subscriber(ada.id).await.unwrap().empty_digests, 2);
        let stored = store.delivery(first.id).await.unwrap();
        assert_eq!(stored.status, "skipped");
        assert!(stored.items.is_empty());

        let welcome = NewDelivery {
            kind: DeliveryKind::Welcome,
            ..skipped(ada.id, "welcome", t0())
        };
        store.record_delivery(&welcome, None).await.unwrap();
        assert_eq!(
            store.subscriber(ada.id).await.unwrap().empty_digests,
            2,
            "only digests count"
        );

        store
            .record_delivery(&digest(ada.id, "2026-W49-thu", &ids, t0()), None)
            .await
            .unwrap();
        assert_eq!(store.subscriber(ada.id).await.unwrap().empty_digests, 0);

        store
            .record_delivery(&skipped(ada.id, "2026-W50-thu", t0()), None)
            .await
            .unwrap();
        assert_eq!(store.subscriber(ada.id).await.unwrap().empty_digests, 1);
        store.mark_wider_note_sent(ada.id, t0() + secs(60)).await.unwrap();
        let noted = store.subscriber(ada.id).await.unwrap();
        assert_eq!(
            (noted.empty_digests, noted.wider_note_sent_at),
            (0, Some(t0() + secs(60)))
        );
        assert!(is_not_found(
            store.mark_wider_note_sent(Uuid::now_v7(), t0()).await
        ));
    }
);

store_test!(a_skipped_delivery_with_jobs_is_refused, |db: TestDb| async move {
    let store = db.store().await;
    let ada = active(&store, "ada@example.com").await;
    let ids = jobs(&store, 1).await;
    let contradiction = NewDelivery {
        skip_reason: Some("no matching jobs".into()),
        ..digest(ada.id, "2026-W48-thu", &ids, t0())
    };
    let err = store.record_delivery(&contradiction, None).await.unwrap_err();
    assert!(matches!(err, StoreError::Unexpected(_)), "{err:?}");
    assert_eq!(rows_of(&db, "deliveries", ada.id).await, 0);
});

// ---- sending ----

store_test!(
    a_delivery_of_an_unknown_id_is_not_found,
    |db: TestDb| async move {
        let store = db.store().await;
        assert!(is_not_found(store.delivery(Uuid::now_v7()).await));
        assert!(is_not_found(
            store.mark_delivery_sent(Uuid::now_v7(), "msg", t0()).await
        ));
        assert!(is_not_found(
            store.mark_delivery_failed(Uuid::now_v7(), "boom", t0()).await
        ));
    }
);

store_test!(
    marking_a_delivery_sent_twice_keeps_the_first_message_id,
    |db: TestDb| async move {
        let store = db.store().await;
        let ada = active(&store, "ada@example.com").await;
        let ids = jobs(&store, 1).await;
        let delivery = digest(ada.id, "2026-W48-thu", &ids, t0());
        store.record_delivery(&delivery, None).await.unwrap();
        let at = t0() + secs(60);
        assert!(store.mark_delivery_sent(delivery.id, "msg-1", at).await.unwrap());
        assert!(
            !store
                .mark_delivery_sent(delivery.id, "msg-2", at + secs(60))
                .await
                .unwrap()
        );
        let sent = store.delivery(delivery.id).await.unwrap();
        assert_eq!((sent.status.as_str(), sent.sent_at), ("sent", Some(at)));
        let with = |id: &str| format!("SELECT COUNT(*) FROM deliveries WHERE provider_message_id = '{id}'");
        assert_eq!(db.count(&with("msg-1")).await, 1);
        assert_eq!(db.count(&with("msg-2")).await, 0);

        store
            .mark_delivery_failed(delivery.id, "too late", at + secs(120))
            .await
            .unwrap();
        assert_eq!(
            store.delivery(delivery.id).await.unwrap().status,
            "sent",
            "a sent delivery cannot fail"
        );
    }
);

store_test!(
    a_delivery_that_failed_for_good_keeps_its_error,
    |db: TestDb| async move {
        let store = db.store().await;
        let ada = active(&store, "ada@example.com").await;
        let ids = jobs(&store, 1).await;
        let delivery = digest(ada.id, "2026-W48-thu", &ids, t0());
        store.record_delivery(&delivery, None).await.unwrap();
        store
            .mark_delivery_failed(delivery.id, "422: invalid recipient", t0() + secs(60))
            .await
            .unwrap();
        let failed = store.delivery(delivery.id).await.unwrap();
        assert_eq!((failed.status.as_str(), failed.sent_at), ("failed", None));
        let at = db.time_literal(t0() + secs(60));
        assert_eq!(
            db.count(&format!(
                "SELECT COUNT(*) FROM deliveries
                 WHERE last_error = '422: invalid recipient' AND failed_at = {at}"
            ))
            .await,
            1
        );
        let skip = skipped(ada.id, "2026-W49-thu", t0());
        store.record_delivery(&skip, None).await.unwrap();
        assert!(!store.mark_delivery_sent(skip.id, "msg", t0()).await.unwrap());
        store.mark_delivery_failed(skip.id, "boom", t0()).await.unwrap();
        assert_eq!(store.delivery(skip.id).await.unwrap().status, "skipped");
    }
);
