//! What comes back from the job emails: the subscriber's history and feedback, the
//! provider's events and suppressions, the operators' counts, and erasure and export of
//! it all.

use jobping_store::testing::TestDb;
use jobping_store::{DeliveryStats, EmailEvent, SuppressionReason, Vote, store_test};
use serde_json::json;
use uuid::Uuid;

use crate::delivery::{digest, is_not_found, jobs, send_task, skipped, tasks};
use crate::journey::{active, email, rows_of};
use crate::{audit_key, secs, t0};

// ---- history and feedback ----

store_test!(
    the_history_lists_the_jobs_sent_their_companies_and_the_votes,
    |db: TestDb| async move {
        let store = db.store().await;
        let ada = active(&store, "ada@example.com").await;
        let bob = active(&store, "bob@example.com").await;
        let ids = jobs(&store, 4).await;
        let (monday, thursday) = (t0(), t0() + secs(3 * 86_400));
        let later = digest(ada.id, "2026-W48-thu", &ids[2..3], thursday);
        store.record_delivery(&later, None).await.unwrap();
        store
            .record_delivery(&digest(ada.id, "2026-W48-mon", &ids[..2], monday), None)
            .await
            .unwrap();
        store
            .record_delivery(&digest(bob.id, "2026-W48-mon", &ids[3..], monday), None)
            .await
            .unwrap();
        store
            .record_vote(ada.id, ids[0], None, Vote::Down, Some("too_senior"), thursday)
            .await
            .unwrap();
        store
            .record_vote(ada.id, ids[2], Some(later.id), Vote::Up, None, thursday + secs(1))
            .await
            .unwrap();
        store.record_click(ada.id, ids[1], None, thursday).await.unwrap();

        let history = store.subscriber_history(ada.id).await.unwrap();
        assert_eq!(history.sent_job_ids, [ids[0], ids[1], ids[2]]);
        assert_eq!(history.votes, [(ids[0], Vote::Down), (ids[2], Vote::Up)]);
        assert_eq!(
            history.sent_companies,
            [
                ("Company 0".to_owned(), monday),
                ("Company 1".to_owned(), monday),
                ("Company 2".to_owned(), thursday)
            ]
        );
        let nobody = store.subscriber_history(Uuid::now_v7()).await.unwrap();
        assert!(nobody.sent_job_ids.is_empty() && nobody.votes.is_empty());
    }
);

store_test!(
    the_latest_vote_wins_and_keeps_or_replaces_its_reason,
    |db: TestDb| async move {
        let store = db.store().await;
        let ada = active(&store, "ada@example.com").await;
        let ids = jobs(&store, 2).await;
        let job = ids[0];
        let vote = |vote, reason, at| store.record_vote(ada.id, job, None, vote, reason, at);
        let feedback = || async {
            let export = store.export_subscriber(ada.id).await.unwrap();
            export
                .feedback
                .into_iter()
                .map(|f| (f.kind, f.reason, f.created_at))
                .collect::<Vec<_>>()
        };

        vote(Vote::Up, None, t0()).await.unwrap();
        vote(Vote::Down, None, t0() + secs(1)).await.unwrap();
        assert_eq!(feedback().await, [("down".into(), None, t0() + secs(1))]);

        vote(Vote::Down, Some("too_senior"), t0() + secs(2))
            .await
            .unwrap();
        vote(Vote::Down, None, t0() + secs(3)).await.unwrap();
        assert_eq!(
            feedback().await,
            [("down".into(), Some("too_senior".into()), t0() + secs(2))],
            "the same vote again keeps its reason and its time"
        );
        vote(Vote::Down, Some("wrong_place"), t0() + secs(4))
            .await
            .unwrap();
        assert_eq!(
            feedback().await,
            [("down".into(), Some("wrong_place".into()), t0() + secs(4))]
        );
        vote(Vote::Up, None, t0() + secs(5)).await.unwrap();
        assert_eq!(feedback().await, [("up".into(), None, t0() + secs(5))]);
        assert_eq!(
            store.subscriber_history(ada.id).await.unwrap().votes,
            [(job, Vote::Up)]
        );

        assert!(is_not_found(
            store
                .record_vote(ada.id, 424_242, None, Vote::Up, None, t0())
                .await
        ));
        assert!(is_not_found(
            store
                .record_vote(Uuid::now_v7(), job, None, Vote::Up, None, t0())
                .await
        ));
        assert!(is_not_found(
            store
                .record_vote(ada.id, ids[1], Some(Uuid::now_v7()), Vote::Up, None, t0())
                .await
        ));
    }
);

store_test!(clicks_are_counted_freely, |db: TestDb| async move {
    let store = db.store().await;
    let ada = active(&store, "ada@example.com").await;
    let ids = jobs(&store, 1).await;
    let delivery = digest(ada.id, "2026-W48-thu", &ids, t0());
    store.record_delivery(&delivery, None).await.unwrap();
    for i in 0..3 {
        store
            .record_click(ada.id, ids[0], Some(delivery.id), t0() + secs(i))
            .await
            .unwrap();
    }
    store
        .record_vote(ada.id, ids[0], Some(delivery.id), Vote::Up, None, t0())
        .await
        .unwrap();
    let feedback = store.export_subscriber(ada.id).await.unwrap().feedback;
    let clicks = feedback.iter().filter(|f| f.kind == "click").count();
    assert_eq!((clicks, feedback.len()), (3, 4));
    assert!(is_not_found(
        store.record_click(ada.id, 424_242, None, t0()).await
    ));
});

// ---- provider events and suppressions ----

store_test!(
    a_provider_event_is_kept_once_and_its_replay_ignored,
    |db: TestDb| async move {
        let store = db.store().await;
        let event = EmailEvent {
            event_id: "evt_1".into(),
            kind: "email.bounced".into(),
            email_hash: Some(email("ada@example.com").hashed()),
            provider_message_id: Some("msg-1".into()),
            occurred_at: t0(),
            received_at: t0() + secs(1),
        };
        assert!(store.record_email_event(&event).await.unwrap());
        let replay = EmailEvent {
            received_at: t0() + secs(60),
            ..event.clone()
        };
        assert!(!store.record_email_event(&replay).await.unwrap());
        let other = EmailEvent {
            event_id: "evt_2".into(),
            email_hash: None,
            provider_message_id: None,
            ..event
        };
        assert!(store.record_email_event(&other).await.unwrap());
        assert_eq!(db.count("SELECT COUNT(*) FROM email_events").await, 2);
    }
);

store_test!(
    a_bounce_or_complaint_overrides_an_unsubscription_and_nothing_overrides_them,
    |db: TestDb| async move {
        let store = db.store().await;
        use SuppressionReason::{Bounced, Complained, Unsubscribed};
        let (ada, bob) = (email("ada@example.com"), email("bob@example.com"));

        store.suppress(&ada.hashed(), Unsubscribed, t0()).await.unwrap();
        assert_eq!(store.suppression(&ada).await.unwrap(), Some(Unsubscribed));
        store.suppress(&ada.hashed(), Bounced, t0()).await.unwrap();
        assert_eq!(store.suppression(&ada).await.unwrap(), Some(Bounced));
        store.suppress(&ada.hashed(), Unsubscribed, t0()).await.unwrap();
        store.suppress(&ada.hashed(), Complained, t0()).await.unwrap();
        assert_eq!(store.suppression(&ada).await.unwrap(), Some(Bounced));

        store.suppress(&bob.hashed(), Complained, t0()).await.unwrap();
        store.suppress(&bob.hashed(), Bounced, t0()).await.unwrap();
        store.suppress(&bob.hashed(), Unsubscribed, t0()).await.unwrap();
        assert_eq!(store.suppression(&bob).await.unwrap(), Some(Complained));
        assert_eq!(store.suppression(&email("eve@example.com")).await.unwrap(), None);
    }
);

// ---- operators' counts ----

store_test!(
    delivery_stats_count_recent_deliveries_their_jobs_and_feedback,
    |db: TestDb| async move {
        let store = db.store().await;
        let ada = active(&store, "ada@example.com").await;
        let ids = jobs(&store, 6).await;
        let since = t0() + secs(3600);
        let old = digest(ada.id, "2026-W46-thu", &ids[..1], t0());
        store.record_delivery(&old, None).await.unwrap();
        store.mark_delivery_sent(old.id, "msg-0", t0()).await.unwrap();
        store
            .record_click(ada.id, ids[0], Some(old.id), t0())
            .await
            .unwrap();

        let at = since + secs(60);
        let sent = digest(ada.id, "2026-W47-thu", &ids[1..3], at);
        let failed = digest(ada.id, "2026-W48-thu", &ids[3..4], at);
        let pending = digest(ada.id, "2026-W49-thu", &ids[4..6], at);
        for delivery in [&sent, &failed, &pending] {
            store.record_delivery(delivery, None).await.unwrap();
        }
        store
            .record_delivery(&skipped(ada.id, "2026-W50-thu", at), None)
            .await
            .unwrap();
        store.mark_delivery_sent(sent.id, "msg-1", at).await.unwrap();
        store.mark_delivery_failed(failed.id, "boom", at).await.unwrap();
        for _ in 0..2 {
            store
                .record_click(ada.id, ids[1], Some(sent.id), at)
                .await
                .unwrap();
        }
        store
            .record_vote(ada.id, ids[1], Some(sent.id), Vote::Up, None, at)
            .await
            .unwrap();
        store
            .record_vote(ada.id, ids[2], Some(sent.id), Vote::Down, None, at)
            .await
            .unwrap();
        store
            .record_vote(ada.id, ids[0], Some(old.id), Vote::Down, None, at)
            .await
            .unwrap();

        assert_eq!(
            store.delivery_stats(since).await.unwrap(),
            DeliveryStats {
                sent: 1,
                skipped: 1,
                failed: 1,
                pending: 1,
                items: 5,
                clicks: 2,
                votes_up: 1,
                votes_down: 2,
            }
        );
        let all = store.delivery_stats(t0()).await.unwrap();
        assert_eq!((all.sent, all.items, all.clicks), (2, 6, 3));
    }
);

// ---- erasure ----

store_test!(
    erasing_a_subscriber_removes_their_deliveries_jobs_sent_and_feedback,
    |db: TestDb| async move {
        let store = db.store().await;
        let ada = active(&store, "ada@example.com").await;
        let bob = active(&store, "bob@example.com").await;
        let ids = jobs(&store, 2).await;
        for subscriber in [ada.id, bob.id] {
            let delivery = digest(subscriber, "2026-W48-thu", &ids, t0());
            store
                .record_delivery(&delivery, Some(&send_task(&delivery)))
                .await
                .unwrap();
            store
                .record_vote(
                    subscriber,
                    ids[0],
                    Some(delivery.id),
                    Vote::Down,
                    Some("wrong_place"),
                    t0(),
                )
                .await
                .unwrap();
            store
                .record_click(subscriber, ids[1], Some(delivery.id), t0())
                .await
                .unwrap();
        }
        let erased = store
            .delete_subscriber(ada.id, "subscriber", &audit_key(), t0() + secs(60))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(erased.tasks_removed, 1, "the send task named them");
        for table in ["deliveries", "delivery_items", "feedback"] {
            assert_eq!(rows_of(&db, table, ada.id).await, 0, "{table}");
        }
        assert_eq!(rows_of(&db, "deliveries", bob.id).await, 1);
        assert_eq!(rows_of(&db, "delivery_items", bob.id).await, 2);
        assert_eq!(rows_of(&db, "feedback", bob.id).await, 2);
        assert_eq!(tasks(&db).await, 1);
    }
);

store_test!(
    the_export_holds_the_deliveries_and_feedback_recorded_through_the_store,
    |db: TestDb| async move {
        let store = db.store().await;
        let ada = active(&store, "ada@example.com").await;
        let ids = jobs(&store, 2).await;
        let delivery = digest(ada.id, "2026-W48-thu", &ids, t0());
        store.record_delivery(&delivery, None).await.unwrap();
        store
            .record_vote(
                ada.id,
                ids[1],
                Some(delivery.id),
                Vote::Down,
                Some("not_my_field"),
                t0() + secs(1),
            )
            .await
            .unwrap();
        store
            .record_click(ada.id, ids[0], Some(delivery.id), t0() + secs(2))
            .await
            .unwrap();
        let export = store.export_subscriber(ada.id).await.unwrap();
        assert_eq!(export.deliveries.len(), 1);
        let exported = &export.deliveries[0];
        assert_eq!((exported.id, exported.status.as_str()), (delivery.id, "pending"));
        let items: Vec<_> = exported.items.iter().map(|i| (i.job_id, i.position)).collect();
        assert_eq!(items, [(ids[0], 0), (ids[1], 1)]);
        assert_eq!(exported.items[1].reasons, json!(["city", "reason 1"]));
        let feedback: Vec<_> = export
            .feedback
            .iter()
            .map(|f| (f.job_id, f.kind.as_str(), f.reason.as_deref()))
            .collect();
        assert_eq!(
            feedback,
            [
                (Some(ids[1]), "down", Some("not_my_field")),
                (Some(ids[0]), "click", None)
            ]
        );
    }
);
