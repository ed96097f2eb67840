//! Billing: verified Stripe events move a subscriber's tier, once, in order, audited.

use std::sync::Arc;
use std::time::Duration;

use jobping_core::Tier;
use jobping_store::testing::TestDb;
use jobping_store::{
    BillingChange, BillingOutcome, NewTask, Store, StripeEvent, SubscriptionStatus, store_test,
};
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::journey::active;
use crate::{audit_key, secs, t0};

const GRACE: Duration = Duration::from_secs(3 * 86_400);

fn subscription_event(
    id: &str,
    subscriber: Option<Uuid>,
    status: SubscriptionStatus,
    created: OffsetDateTime,
) -> StripeEvent {
    StripeEvent {
        event_id: id.into(),
        kind: "customer.subscription.updated".into(),
        created,
        received_at: created + secs(1),
        subscriber,
        customer_id: Some("cus_Q1xY".into()),
        change: BillingChange::Subscription {
            id: "sub_1Abc".into(),
            status,
            current_period_end: Some(created + time::Duration::days(30)),
        },
        grace: GRACE,
        task: None,
    }
}

async fn tier_of(store: &Arc<dyn Store>, id: Uuid) -> Tier {
    store.subscriber(id).await.unwrap().tier
}

store_test!(
    an_active_subscription_makes_premium_and_the_change_is_audited,
    |db: TestDb| async move {
        let store = db.store().await;
        let ada = active(&store, "ada@example.com").await;
        let outcome = store
            .apply_stripe_event(
                &subscription_event("evt_1", Some(ada.id), SubscriptionStatus::Active, t0()),
                &audit_key(),
            )
            .await
            .unwrap();
        assert_eq!(
            outcome,
            BillingOutcome::Applied {
                subscriber: ada.id,
                tier_before: Tier::Free,
                tier_after: Tier::Premium
            }
        );
        assert_eq!(tier_of(&store, ada.id).await, Tier::Premium);
        let account = store.billing_account(ada.id).await.unwrap().unwrap();
        assert_eq!(account.customer_id.as_deref(), Some("cus_Q1xY"));
        assert_eq!(account.subscription_id.as_deref(), Some("sub_1Abc"));
        assert_eq!(account.status, Some(SubscriptionStatus::Active));
        assert_eq!(account.current_period_end, Some(t0() + time::Duration::days(30)));
        assert_eq!(account.last_event_at, Some(t0()));
        assert_eq!(
            store.subscriber_by_customer("cus_Q1xY").await.unwrap(),
            Some(ada.id)
        );
        let export = serde_json::to_value(store.export_subscriber(ada.id).await.unwrap()).unwrap();
        assert_eq!(export["billing"]["customer_id"], "cus_Q1xY");
        assert_eq!(export["billing"]["status"], "active");
        assert_eq!(export["billing"]["last_event_at"], "2026-11-25T09:00:00Z");

        let audit = store.recent_audit(10).await.unwrap();
        let change = audit.iter().find(|e| e.action == "tier_changed").unwrap();
        assert_eq!(change.actor, "stripe");
        assert_eq!(change.target_hash, Some(ada.email.audit_hash(&audit_key())));
        assert_ne!(change.target_hash, Some(ada.email.hashed()));
        assert_eq!(change.detail["from"], "free");
        assert_eq!(change.detail["to"], "premium");
        assert_eq!(change.detail["event_id"], "evt_1");
    }
);

store_test!(
    a_replayed_event_changes_nothing_even_after_newer_news,
    |db: TestDb| async move {
        let store = db.store().await;
        let ada = active(&store, "ada@example.com").await;
        let first = subscription_event("evt_1", Some(ada.id), SubscriptionStatus::Active, t0());
        store.apply_stripe_event(&first, &audit_key()).await.unwrap();
        let canceled = subscription_event(
            "evt_2",
            Some(ada.id),
            SubscriptionStatus::Canceled,
            t0() + secs(60),
        );
        store.apply_stripe_event(&canceled, &audit_key()).await.unwrap();
        assert_eq!(tier_of(&store, ada.id).await, Tier::Free);

        assert_eq!(
            store.apply_stripe_event(&first, &audit_key()).await.unwrap(),
            BillingOutcome::Replay
        );
        assert_eq!(tier_of(&store, ada.id).await, Tier::Free);
        let changes = store
            .recent_audit(10)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.action == "tier_changed")
            .count();
        assert_eq!(changes, 2);
    }
);

store_test!(a_late_update_does_not_undo_a_deletion, |db: TestDb| async move {
    let store = db.store().await;
    let ada = active(&store, "ada@example.com").await;
    store
        .apply_stripe_event(
            &subscription_event("evt_1", Some(ada.id), SubscriptionStatus::Active, t0()),
            &audit_key(),
        )
        .await
        .unwrap();
    let mut deleted = subscription_event(
        "evt_3",
        Some(ada.id),
        SubscriptionStatus::Canceled,
        t0() + secs(120),
    );
    deleted.kind = "customer.subscription.deleted".into();
    store.apply_stripe_event(&deleted, &audit_key()).await.unwrap();
    // Sent before the deletion, delivered after it.
    let late = subscription_event("evt_2", Some(ada.id), SubscriptionStatus::Active, t0() + secs(60));
    assert_eq!(
        store.apply_stripe_event(&late, &audit_key()).await.unwrap(),
        BillingOutcome::Recorded {
            subscriber: Some(ada.id),
            stale: true
        }
    );
    assert_eq!(tier_of(&store, ada.id).await, Tier::Free);
    let account = store.billing_account(ada.id).await.unwrap().unwrap();
    assert_eq!(account.status, Some(SubscriptionStatus::Canceled));
    assert_eq!(account.last_event_at, Some(t0() + secs(120)));
});

store_test!(
    an_event_without_metadata_finds_its_subscriber_by_customer,
    |db: TestDb| async move {
        let store = db.store().await;
        let ada = active(&store, "ada@example.com").await;
        store
            .apply_stripe_event(
                &subscription_event("evt_1", Some(ada.id), SubscriptionStatus::Active, t0()),
                &audit_key(),
            )
            .await
            .unwrap();
        let failed = StripeEvent {
            event_id: "evt_2".into(),
            kind: "invoice.payment_failed".into(),
            created: t0() + secs(60),
            received_at: t0() + secs(61),
            subscriber: None,
            customer_id: Some("cus_Q1xY".into()),
            change: BillingChange::Record,
            grace: GRACE,
            task: Some(NewTask::new(
                "email.payment_failed",
                json!({ "subscriber": ada.id }),
                t0() + secs(61),
            )),
        };
        assert_eq!(
            store.apply_stripe_event(&failed, &audit_key()).await.unwrap(),
            BillingOutcome::Applied {
                subscriber: ada.id,
                tier_before: Tier::Premium,
                tier_after: Tier::Premium
            }
        );
        assert_eq!(
            db.count("SELECT COUNT(*) FROM tasks WHERE kind = 'email.payment_failed'")
                .await,
            1
        );

        // An unknown customer: the event is kept, nothing else happens.
        let stranger = StripeEvent {
            event_id: "evt_3".into(),
            customer_id: Some("cus_unknown".into()),
            ..failed.clone()
        };
        assert_eq!(
            store.apply_stripe_event(&stranger, &audit_key()).await.unwrap(),
            BillingOutcome::Recorded {
                subscriber: None,
                stale: false
            }
        );
        assert_eq!(
            db.count("SELECT COUNT(*) FROM tasks WHERE kind = 'email.payment_failed'")
                .await,
            1
        );
        assert_eq!(db.count("SELECT COUNT(*) FROM stripe_events").await, 3);
    }
);

store_test!(
    past_due_keeps_premium_until_the_grace_runs_out,
    |db: TestDb| async move {
        let store = db.store().await;
        let ada = active(&store, "ada@example.com").await;
        let bob = active(&store, "bob@example.com").await;
        for (n, who) in [(1, ada.id), (2, bob.id)] {
            let mut event =
                subscription_event(&format!("evt_a{n}"), Some(who), SubscriptionStatus::Active, t0());
            event.customer_id = Some(format!("cus_{n}"));
            store.apply_stripe_event(&event, &audit_key()).await.unwrap();
        }
        let mut past_due = subscription_event(
            "evt_b1",
            Some(ada.id),
            SubscriptionStatus::PastDue,
            t0() + time::Duration::days(1),
        );
        past_due.customer_id = Some("cus_1".into());
        store.apply_stripe_event(&past_due, &audit_key()).await.unwrap();
        assert_eq!(tier_of(&store, ada.id).await, Tier::Premium);
        let account = store.billing_account(ada.id).await.unwrap().unwrap();
        assert_eq!(account.past_due_since, Some(t0() + time::Duration::days(1)));

        // Two days in: still within the grace.
        let expired = store
            .expire_past_due(
                t0() - time::Duration::days(2),
                &audit_key(),
                t0() + time::Duration::days(3),
            )
            .await
            .unwrap();
        assert!(expired.is_empty());
        // Four days in: the grace (3 days from day 1) ran out.
        let now = t0() + time::Duration::days(4) + secs(1);
        let expired = store
            .expire_past_due(now - time::Duration::days(3), &audit_key(), now)
            .await
            .unwrap();
        assert_eq!(expired, vec![ada.id]);
        assert_eq!(tier_of(&store, ada.id).await, Tier::Free);
        assert_eq!(tier_of(&store, bob.id).await, Tier::Premium);
        let audit = store.recent_audit(1).await.unwrap();
        assert_eq!(audit[0].action, "tier_changed");
        assert_eq!(audit[0].detail["reason"], "past_due grace ended");
        // Once free, a second sweep finds nobody.
        assert!(
            store
                .expire_past_due(now, &audit_key(), now)
                .await
                .unwrap()
                .is_empty()
        );

        // The invoice is paid at last: premium again.
        let paid = StripeEvent {
            event_id: "evt_c1".into(),
            kind: "invoice.paid".into(),
            created: now + secs(10),
            received_at: now + secs(11),
            subscriber: None,
            customer_id: Some("cus_1".into()),
            change: BillingChange::InvoicePaid {
                subscription: "sub_1Abc".into(),
            },
            grace: GRACE,
            task: None,
        };
        assert_eq!(
            store.apply_stripe_event(&paid, &audit_key()).await.unwrap(),
            BillingOutcome::Applied {
                subscriber: ada.id,
                tier_before: Tier::Free,
                tier_after: Tier::Premium
            }
        );
    }
);

store_test!(
    erasing_a_subscriber_erases_their_billing_account,
    |db: TestDb| async move {
        let store = db.store().await;
        let ada = active(&store, "ada@example.com").await;
        store
            .apply_stripe_event(
                &subscription_event("evt_1", Some(ada.id), SubscriptionStatus::Active, t0()),
                &audit_key(),
            )
            .await
            .unwrap();
        store
            .delete_subscriber(ada.id, "subscriber", &audit_key(), t0() + secs(5))
            .await
            .unwrap();
        assert_eq!(db.count("SELECT COUNT(*) FROM billing_accounts").await, 0);
        assert_eq!(store.subscriber_by_customer("cus_Q1xY").await.unwrap(), None);
        // A later event about the erased customer is kept and changes nothing.
        let late = subscription_event("evt_2", None, SubscriptionStatus::Canceled, t0() + secs(60));
        assert_eq!(
            store.apply_stripe_event(&late, &audit_key()).await.unwrap(),
            BillingOutcome::Recorded {
                subscriber: None,
                stale: false
            }
        );
    }
);
