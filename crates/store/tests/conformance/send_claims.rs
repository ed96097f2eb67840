//! Claiming a delivery's send and renewing or releasing a task's lease: the two
//! compare-and-set steps that keep any number of senders from sending one email twice.

use std::sync::Arc;

use jobping_store::testing::TestDb;
use jobping_store::{SendClaim, Store, StoreError, TaskStatus, store_test};
use serde_json::json;
use uuid::Uuid;

use crate::delivery::{digest, jobs, skipped};
use crate::journey::active;
use crate::{secs, t0};

/// A pending digest for a fresh subscriber; its id.
async fn pending(store: &Arc<dyn Store>) -> Uuid {
    let ada = active(store, "ada@example.com").await;
    let ids = jobs(store, 1).await;
    let delivery = digest(ada.id, "2026-W50-thu", &ids, t0());
    store.record_delivery(&delivery, None).await.unwrap();
    delivery.id
}

store_test!(
    of_two_senders_only_the_first_claims_a_delivery_until_its_claim_runs_out,
    |db: TestDb| async move {
        let store = db.store().await;
        let id = pending(&store).await;
        let until = t0() + secs(120);
        assert_eq!(
            store
                .claim_delivery_send(id, "worker-a", until, t0())
                .await
                .unwrap(),
            SendClaim::Claimed
        );
        assert_eq!(
            store
                .claim_delivery_send(id, "send-due", t0() + secs(200), t0() + secs(1))
                .await
                .unwrap(),
            SendClaim::Held {
                owner: "worker-a".into(),
                until
            }
        );
        // The owner may claim again (extending); once the claim ran out, anyone may.
        assert_eq!(
            store
                .claim_delivery_send(id, "worker-a", t0() + secs(150), t0() + secs(2))
                .await
                .unwrap(),
            SendClaim::Claimed
        );
        assert_eq!(
            store
                .claim_delivery_send(id, "send-due", t0() + secs(300), t0() + secs(150))
                .await
                .unwrap(),
            SendClaim::Claimed
        );
    }
);

store_test!(
    a_sent_delivery_cannot_be_claimed_and_says_so,
    |db: TestDb| async move {
        let store = db.store().await;
        let id = pending(&store).await;
        store
            .claim_delivery_send(id, "worker-a", t0() + secs(60), t0())
            .await
            .unwrap();
        assert!(
            store
                .mark_delivery_sent(id, "msg-1", t0() + secs(1))
                .await
                .unwrap()
        );
        // Even after the claim ran out.
        assert_eq!(
            store
                .claim_delivery_send(id, "worker-b", t0() + secs(500), t0() + secs(400))
                .await
                .unwrap(),
            SendClaim::Sent
        );
    }
);

store_test!(
    a_released_claim_is_free_at_once_but_only_its_owner_can_release_it,
    |db: TestDb| async move {
        let store = db.store().await;
        let id = pending(&store).await;
        let until = t0() + secs(60);
        store
            .claim_delivery_send(id, "worker-a", until, t0())
            .await
            .unwrap();
        store.release_delivery_send(id, "worker-b").await.unwrap();
        assert!(matches!(
            store
                .claim_delivery_send(id, "worker-b", until, t0())
                .await
                .unwrap(),
            SendClaim::Held { .. }
        ));
        store.release_delivery_send(id, "worker-a").await.unwrap();
        assert_eq!(
            store
                .claim_delivery_send(id, "worker-b", until, t0())
                .await
                .unwrap(),
            SendClaim::Claimed
        );
    }
);

store_test!(
    skipped_and_failed_deliveries_are_closed_and_unknown_ones_not_found,
    |db: TestDb| async move {
        let store = db.store().await;
        let id = pending(&store).await;
        store
            .mark_delivery_failed(id, "550 no such user", t0())
            .await
            .unwrap();
        assert_eq!(
            store
                .claim_delivery_send(id, "w", t0() + secs(60), t0())
                .await
                .unwrap(),
            SendClaim::Closed
        );
        let ada = store
            .subscriber(store.delivery(id).await.unwrap().subscriber.id)
            .await
            .unwrap();
        let skip = skipped(ada.id, "2026-W51-thu", t0());
        store.record_delivery(&skip, None).await.unwrap();
        assert_eq!(
            store
                .claim_delivery_send(skip.id, "w", t0() + secs(60), t0())
                .await
                .unwrap(),
            SendClaim::Closed
        );
        assert!(matches!(
            store
                .claim_delivery_send(Uuid::now_v7(), "w", t0() + secs(60), t0())
                .await,
            Err(StoreError::NotFound)
        ));
    }
);

store_test!(
    many_concurrent_claimants_get_exactly_one_claim,
    |db: TestDb| async move {
        let store = db.store().await;
        let id = pending(&store).await;
        let claims = (0..16).map(|n| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .claim_delivery_send(id, &format!("sender-{n}"), t0() + secs(60), t0())
                    .await
                    .unwrap()
            })
        });
        let mut won = 0;
        for claim in claims {
            if claim.await.unwrap() == SendClaim::Claimed {
                won += 1;
            }
        }
        assert_eq!(won, 1);
    }
);

store_test!(
    a_renewed_lease_outlives_its_first_expiry_and_a_lost_one_cannot_be_renewed,
    |db: TestDb| async move {
        let store = db.store().await;
        let id = store
            .enqueue(&jobping_store::NewTask::new("x", json!({}), t0()))
            .await
            .unwrap()
            .unwrap();
        let claimed = store
            .claim_task("w1", t0() + secs(30), t0())
            .await
            .unwrap()
            .unwrap();
        assert!(
            store
                .renew_task_lease(&claimed, t0() + secs(50), t0() + secs(20))
                .await
                .unwrap()
        );
        assert_eq!(
            store
                .claim_task("w2", t0() + secs(70), t0() + secs(40))
                .await
                .unwrap(),
            None,
            "renewed past the first expiry"
        );
        let taken = store
            .claim_task("w2", t0() + secs(90), t0() + secs(60))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(taken.id, id);
        assert!(
            !store
                .renew_task_lease(&claimed, t0() + secs(100), t0() + secs(61))
                .await
                .unwrap(),
            "the first worker's lease is gone"
        );
        store.complete_task(&taken, t0() + secs(62)).await.unwrap();
    }
);

store_test!(
    a_released_task_is_due_at_once_without_the_attempt_counted,
    |db: TestDb| async move {
        let store = db.store().await;
        let id = store
            .enqueue(&jobping_store::NewTask::new("x", json!({}), t0()))
            .await
            .unwrap()
            .unwrap();
        let claimed = store
            .claim_task("w1", t0() + secs(30), t0())
            .await
            .unwrap()
            .unwrap();
        assert!(
            store
                .release_task(&claimed, "abandoned at shutdown", t0() + secs(5))
                .await
                .unwrap()
        );
        let task = store.task(id).await.unwrap();
        assert_eq!((task.status, task.attempts), (TaskStatus::Pending, 0));
        assert_eq!(task.last_error.as_deref(), Some("abandoned at shutdown"));
        assert!(
            !store
                .release_task(&claimed, "again", t0() + secs(6))
                .await
                .unwrap(),
            "a lease is released once"
        );
        let again = store
            .claim_task("w2", t0() + secs(40), t0() + secs(5))
            .await
            .unwrap()
            .unwrap();
        assert_eq!((again.id, again.attempt), (id, 1));
    }
);
