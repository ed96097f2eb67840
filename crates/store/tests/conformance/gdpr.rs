//! GDPR access and erasure, and the purge of signups never confirmed.

use jobping_core::SubscriberStatus;
use jobping_store::testing::TestDb;
use jobping_store::{NewTask, StoreError, SuppressionReason, TaskStatus, store_test};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::journey::{active, deliver_one_job, rows_of, signup};
use crate::{audit_key, secs, t0};

// ---- GDPR access ----

store_test!(
    the_export_holds_everything_stored_about_the_subscriber,
    |db: TestDb| async move {
        let store = db.store().await;
        let subscriber = active(&store, "Ada@example.com").await;
        let delivery = Uuid::now_v7();
        let job_id = deliver_one_job(&store, subscriber.id, delivery).await;
        let export = store.export_subscriber(subscriber.id).await.unwrap();

        assert_eq!(export.subscriber.id, subscriber.id);
        assert_eq!(export.subscriber.email.as_str(), "Ada@example.com");
        assert_eq!(export.subscriber.status, SubscriberStatus::Active);
        assert_eq!(export.preferences, Some(json!({ "cities": ["berlin"] })));
        assert_eq!(export.consents.len(), 2);
        assert_eq!(export.deliveries.len(), 1);
        let sent = &export.deliveries[0];
        assert_eq!(
            (sent.id, sent.kind.as_str(), sent.period.as_str()),
            (delivery, "digest", "2026-W48-thu")
        );
        assert_eq!(
            (sent.status.as_str(), sent.sent_at),
            ("sent", Some(t0() + secs(60)))
        );
        assert_eq!(sent.items.len(), 1);
        let item = &sent.items[0];
        assert_eq!((item.job_id, item.position, item.score), (job_id, 0, 87.5));
        assert_eq!(item.reasons, json!(["city", "career_path"]));
        assert_eq!(
            (item.title.as_str(), item.company.as_str()),
            ("Graduate Data Analyst", "Brightpath")
        );
        assert_eq!(item.url, "https://greenhouse.example/brightpath/1");
        assert_eq!(export.feedback.len(), 1);
        let vote = &export.feedback[0];
        assert_eq!((vote.job_id, vote.kind.as_str()), (Some(job_id), "up"));
        assert_eq!(vote.reason.as_deref(), Some("great fit"));

        let document = serde_json::to_value(&export).unwrap();
        assert_eq!(document["subscriber"]["email"], "Ada@example.com");
        assert_eq!(document["subscriber"]["created_at"], "2026-11-25T09:00:00Z");
        assert_eq!(document["subscriber"]["unsubscribed_at"], Value::Null);
        assert_eq!(document["consents"][0]["purpose"], "privacy");
        assert_eq!(document["deliveries"][0]["items"][0]["score"], 87.5);
        assert_eq!(document["feedback"][0]["created_at"], "2026-11-25T09:01:00Z");
    }
);

store_test!(
    the_export_of_an_unknown_id_is_not_found,
    |db: TestDb| async move {
        let store = db.store().await;
        let err = store.export_subscriber(Uuid::now_v7()).await.unwrap_err();
        assert!(matches!(err, StoreError::NotFound), "{err:?}");
    }
);

// ---- GDPR erasure ----

store_test!(
    erasure_removes_the_subscriber_its_data_and_only_its_own_tasks,
    |db: TestDb| async move {
        let store = db.store().await;
        let ada = active(&store, "ada@example.com").await;
        let bob = active(&store, "bob@example.com").await;
        deliver_one_job(&store, ada.id, Uuid::now_v7()).await;
        let about =
            |id: Uuid| NewTask::new("email", json!({ "subscriber_id": id, "email": "welcome" }), t0());
        let lease = |at| store.claim_task("w1", at + secs(60), at);

        let running = store.enqueue(&about(ada.id)).await.unwrap().unwrap();
        lease(t0()).await.unwrap().unwrap();
        let dead = store.enqueue(&about(ada.id)).await.unwrap().unwrap();
        let claimed = lease(t0()).await.unwrap().unwrap();
        store
            .fail_task(&claimed, "no such mailbox", None, t0())
            .await
            .unwrap();
        let queued = store.enqueue(&about(ada.id)).await.unwrap().unwrap();
        let bobs = store.enqueue(&about(bob.id)).await.unwrap().unwrap();
        let nobodys = store
            .enqueue(&NewTask::new("scrape", json!({ "source": "greenhouse" }), t0()))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(store.task(dead).await.unwrap().status, TaskStatus::Dead);

        let deleted = store
            .delete_subscriber(ada.id, "subscriber", &audit_key(), t0() + secs(60))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(deleted.email_hash, ada.email.hashed());
        assert!(!deleted.was_unsubscribed);
        assert_eq!(deleted.tasks_removed, 3);

        let err = store.subscriber(ada.id).await.unwrap_err();
        assert!(matches!(err, StoreError::NotFound), "{err:?}");
        for table in [
            "preferences",
            "consents",
            "deliveries",
            "delivery_items",
            "feedback",
        ] {
            assert_eq!(rows_of(&db, table, ada.id).await, 0, "{table}");
        }
        for task in [running, dead, queued] {
            let err = store.task(task).await.unwrap_err();
            assert!(matches!(err, StoreError::NotFound), "task {task}: {err:?}");
        }
        assert_eq!(store.task(bobs).await.unwrap().status, TaskStatus::Pending);
        assert_eq!(store.task(nobodys).await.unwrap().status, TaskStatus::Pending);
        assert_eq!(store.subscriber(bob.id).await.unwrap(), bob);
        assert_eq!(rows_of(&db, "consents", bob.id).await, 2);

        let audit = store.recent_audit(10).await.unwrap();
        assert_eq!(audit.len(), 1);
        let entry = &audit[0];
        assert_eq!(
            (entry.actor.as_str(), entry.action.as_str()),
            ("subscriber", "subscriber.deleted")
        );
        assert_eq!(entry.at, t0() + secs(60));
        // Keyed, so that a guessed address hashed with plain SHA-256 finds nothing.
        assert_eq!(entry.target_hash, Some(ada.email.audit_hash(&audit_key())));
        assert_ne!(entry.target_hash, Some(ada.email.hashed()));
        assert_eq!(entry.detail, json!({ "tasks_removed": 3 }));
        let written = serde_json::to_string(entry).unwrap();
        assert!(
            !written.contains("ada@") && !written.contains("example.com"),
            "{written}"
        );
        assert_eq!(store.suppression(&ada.email).await.unwrap(), None);

        let again = store
            .delete_subscriber(ada.id, "subscriber", &audit_key(), t0() + secs(120))
            .await
            .unwrap();
        assert_eq!(again, None);
        assert_eq!(
            store.recent_audit(10).await.unwrap().len(),
            1,
            "nothing more is audited"
        );
    }
);

store_test!(
    erasure_keeps_an_unsubscribed_addresss_suppression_and_no_other,
    |db: TestDb| async move {
        let store = db.store().await;
        let gone = active(&store, "ada@example.com").await;
        store.unsubscribe(gone.id, t0() + secs(10)).await.unwrap();
        let deleted = store
            .delete_subscriber(gone.id, "operator", &audit_key(), t0() + secs(20))
            .await
            .unwrap()
            .unwrap();
        assert!(deleted.was_unsubscribed);
        assert_eq!(
            store.suppression(&gone.email).await.unwrap(),
            Some(SuppressionReason::Unsubscribed)
        );

        let pending = store
            .signup(&signup("bob@example.com", json!({}), false, t0()))
            .await
            .unwrap()
            .subscriber;
        let deleted = store
            .delete_subscriber(pending.id, "operator", &audit_key(), t0() + secs(20))
            .await
            .unwrap()
            .unwrap();
        assert!(!deleted.was_unsubscribed);
        assert_eq!(store.suppression(&pending.email).await.unwrap(), None);

        // A bounce recorded for an active subscriber stays as it was.
        let bouncing = active(&store, "eve@example.com").await;
        let hash = bouncing.email.hashed();
        let at = db.time_literal(t0());
        db.execute(&format!(
            "INSERT INTO suppressions (email_hash, reason, created_at) VALUES ('{hash}', 'bounced', {at})"
        ))
        .await;
        store
            .delete_subscriber(bouncing.id, "operator", &audit_key(), t0() + secs(20))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            store.suppression(&bouncing.email).await.unwrap(),
            Some(SuppressionReason::Bounced)
        );
    }
);

// ---- unverified signups ----

store_test!(
    purging_removes_only_old_never_verified_pending_subscribers_and_their_queued_tasks,
    |db: TestDb| async move {
        let store = db.store().await;
        let day = 86_400;
        let old = store
            .signup(&signup("old@example.com", json!({}), false, t0()))
            .await
            .unwrap()
            .subscriber;
        let recent = store
            .signup(&signup(
                "recent@example.com",
                json!({}),
                false,
                t0() + secs(2 * day),
            ))
            .await
            .unwrap()
            .subscriber;
        let confirmed = active(&store, "confirmed@example.com").await;
        let left = store
            .signup(&signup("left@example.com", json!({}), false, t0()))
            .await
            .unwrap()
            .subscriber;
        store.unsubscribe(left.id, t0()).await.unwrap();
        let about = |id: Uuid| NewTask::new("email", json!({ "subscriber_id": id }), t0() + secs(3 * day));
        let olds = store.enqueue(&about(old.id)).await.unwrap().unwrap();
        let recents = store.enqueue(&about(recent.id)).await.unwrap().unwrap();

        assert_eq!(store.purge_unverified(t0() + secs(day)).await.unwrap(), 1);
        let err = store.subscriber(old.id).await.unwrap_err();
        assert!(matches!(err, StoreError::NotFound), "{err:?}");
        assert!(matches!(store.task(olds).await, Err(StoreError::NotFound)));
        for kept in [recent.id, confirmed.id, left.id] {
            store.subscriber(kept).await.unwrap();
        }
        assert_eq!(store.task(recents).await.unwrap().status, TaskStatus::Pending);
        assert_eq!(store.purge_unverified(t0() + secs(day)).await.unwrap(), 0);
    }
);
