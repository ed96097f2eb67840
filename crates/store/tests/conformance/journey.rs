//! The subscriber's web journey: signup, link throttling, confirmation, unsubscription,
//! consent and single-use tokens. The GDPR export and erasure are in `gdpr.rs`.

use std::sync::Arc;
use std::time::Duration;

use jobping_core::{EmailAddress, SubscriberStatus};
use jobping_store::testing::TestDb;
use jobping_store::{
    ConsentPurpose, DeliveryKind, NewConsent, NewDelivery, NewDeliveryItem, NewSignup, RecordOutcome, Store,
    StoreError, Subscriber, SuppressionReason, VerifyOutcome, Vote, store_test,
};
use serde_json::{Value, json};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::jobs::job;
use crate::{secs, t0};

const HOUR: Duration = Duration::from_secs(3600);

pub fn email(address: &str) -> EmailAddress {
    EmailAddress::parse(address).unwrap()
}

pub fn consent(purpose: ConsentPurpose, granted: bool, version: &str) -> NewConsent {
    NewConsent {
        purpose,
        granted,
        policy_version: version.into(),
    }
}

pub fn signup(address: &str, preferences: Value, marketing: bool, now: OffsetDateTime) -> NewSignup {
    NewSignup {
        id: Uuid::now_v7(),
        email: email(address),
        fingerprint: format!("fp-{preferences}"),
        preferences,
        consents: vec![
            consent(ConsentPurpose::Privacy, true, "2026-11"),
            consent(ConsentPurpose::Marketing, marketing, "2026-11"),
        ],
        timezone: "Europe/Berlin".into(),
        now,
    }
}

/// A subscriber who signed up at `t0` and confirmed their address.
pub async fn active(store: &Arc<dyn Store>, address: &str) -> Subscriber {
    let outcome = store
        .signup(&signup(address, json!({ "cities": ["berlin"] }), false, t0()))
        .await
        .unwrap();
    let id = outcome.subscriber.id;
    assert_eq!(
        store.verify_subscriber(id, t0()).await.unwrap(),
        VerifyOutcome::Verified
    );
    store.subscriber(id).await.unwrap()
}

/// Rows of `table` that belong to `subscriber`.
pub async fn rows_of(db: &TestDb, table: &str, subscriber: Uuid) -> i64 {
    db.count(&format!(
        "SELECT COUNT(*) FROM {table} WHERE subscriber_id = '{subscriber}'"
    ))
    .await
}

/// A sent digest with one job in it and a vote on that job, written through the store.
/// Returns the job's id.
pub async fn deliver_one_job(store: &Arc<dyn Store>, subscriber: Uuid, delivery: Uuid) -> i64 {
    let posting = job(
        "greenhouse",
        "brightpath",
        "1",
        "Graduate Data Analyst",
        "Brightpath",
        "Berlin",
    );
    store.upsert_jobs(&[posting], t0()).await.unwrap();
    let job_id = store.jobs(false).await.unwrap()[0].id;
    let at = t0() + secs(60);
    let digest = NewDelivery {
        id: delivery,
        subscriber,
        kind: DeliveryKind::Digest,
        period: "2026-W48-thu".into(),
        items: vec![NewDeliveryItem {
            job_id,
            position: 0,
            score: 87.5,
            reasons: vec!["city".into(), "career_path".into()],
        }],
        skip_reason: None,
        created_at: at,
    };
    assert_eq!(
        store.record_delivery(&digest, None).await.unwrap(),
        RecordOutcome::Recorded
    );
    assert!(store.mark_delivery_sent(delivery, "msg-1", at).await.unwrap());
    store
        .record_vote(
            subscriber,
            job_id,
            Some(delivery),
            Vote::Up,
            Some("great fit"),
            at,
        )
        .await
        .unwrap();
    job_id
}

// ---- signup ----

store_test!(
    signup_of_a_new_address_creates_a_pending_subscriber_with_preferences_and_consents,
    |db: TestDb| async move {
        let store = db.store().await;
        let preferences = json!({ "cities": ["berlin"], "career_paths": ["data"] });
        let request = signup("ada@example.com", preferences.clone(), true, t0());
        let outcome = store.signup(&request).await.unwrap();
        assert!(outcome.created);
        assert_eq!(outcome.status_before, None);
        let subscriber = &outcome.subscriber;
        assert_eq!(subscriber.id, request.id);
        assert_eq!(subscriber.status, SubscriberStatus::Pending);
        assert_eq!(subscriber.timezone, "Europe/Berlin");
        assert_eq!((subscriber.created_at, subscriber.verified_at), (t0(), None));
        assert_eq!(store.subscriber(request.id).await.unwrap(), *subscriber);
        assert_eq!(store.preferences(request.id).await.unwrap(), Some(preferences));
        let consents = store.export_subscriber(request.id).await.unwrap().consents;
        let recorded: Vec<_> = consents
            .iter()
            .map(|c| (c.purpose, c.granted, c.recorded_at))
            .collect();
        assert_eq!(
            recorded,
            [
                (ConsentPurpose::Privacy, true, t0()),
                (ConsentPurpose::Marketing, true, t0())
            ]
        );
    }
);

store_test!(
    a_second_signup_while_pending_replaces_preferences_consents_and_timezone,
    |db: TestDb| async move {
        let store = db.store().await;
        let first = store
            .signup(&signup(
                "ada@example.com",
                json!({ "cities": ["berlin"] }),
                true,
                t0(),
            ))
            .await
            .unwrap();
        let mut again = signup(
            "ada@example.com",
            json!({ "cities": ["paris"] }),
            false,
            t0() + secs(60),
        );
        again.timezone = "Europe/Paris".into();
        let second = store.signup(&again).await.unwrap();
        assert!(!second.created);
        assert_eq!(second.status_before, Some(SubscriberStatus::Pending));
        assert_eq!(second.subscriber.id, first.subscriber.id, "the first id is kept");
        assert_eq!(second.subscriber.timezone, "Europe/Paris");
        assert_eq!(second.subscriber.created_at, t0());
        let id = first.subscriber.id;
        assert_eq!(
            store.preferences(id).await.unwrap(),
            Some(json!({ "cities": ["paris"] }))
        );
        let consents = store.export_subscriber(id).await.unwrap().consents;
        let recorded: Vec<_> = consents
            .iter()
            .map(|c| (c.purpose, c.granted, c.recorded_at))
            .collect();
        assert_eq!(
            recorded,
            [
                (ConsentPurpose::Privacy, true, t0() + secs(60)),
                (ConsentPurpose::Marketing, false, t0() + secs(60))
            ]
        );
    }
);

store_test!(
    signup_of_an_active_subscriber_changes_nothing,
    |db: TestDb| async move {
        let store = db.store().await;
        let subscriber = active(&store, "ada@example.com").await;
        let mut intruder = signup(
            "ada@example.com",
            json!({ "cities": ["paris"] }),
            true,
            t0() + secs(60),
        );
        intruder.timezone = "Europe/Paris".into();
        let outcome = store.signup(&intruder).await.unwrap();
        assert!(!outcome.created);
        assert_eq!(outcome.status_before, Some(SubscriberStatus::Active));
        assert_eq!(outcome.subscriber, subscriber);
        assert_eq!(store.subscriber(subscriber.id).await.unwrap(), subscriber);
        assert_eq!(
            store.preferences(subscriber.id).await.unwrap(),
            Some(json!({ "cities": ["berlin"] }))
        );
        let consents = store.export_subscriber(subscriber.id).await.unwrap().consents;
        assert_eq!(consents.len(), 2);
        assert!(consents.iter().all(|c| c.recorded_at == t0()));
        assert!(
            !consents[1].granted,
            "the marketing consent was not granted by a stranger"
        );
    }
);

store_test!(
    signup_of_an_unsubscribed_subscriber_changes_nothing,
    |db: TestDb| async move {
        let store = db.store().await;
        let subscriber = active(&store, "ada@example.com").await;
        assert!(store.unsubscribe(subscriber.id, t0() + secs(10)).await.unwrap());
        let before = store.subscriber(subscriber.id).await.unwrap();
        let outcome = store
            .signup(&signup(
                "ada@example.com",
                json!({ "cities": ["paris"] }),
                true,
                t0() + secs(60),
            ))
            .await
            .unwrap();
        assert!(!outcome.created);
        assert_eq!(outcome.status_before, Some(SubscriberStatus::Unsubscribed));
        assert_eq!(outcome.subscriber, before);
        assert_eq!(store.subscriber(subscriber.id).await.unwrap(), before);
        assert_eq!(
            store.preferences(subscriber.id).await.unwrap(),
            Some(json!({ "cities": ["berlin"] }))
        );
        assert_eq!(
            store
                .export_subscriber(subscriber.id)
                .await
                .unwrap()
                .consents
                .len(),
            2
        );
    }
);

store_test!(signup_ignores_the_case_of_the_address, |db: TestDb| async move {
    let store = db.store().await;
    let first = store
        .signup(&signup(
            "Ada@Example.com",
            json!({ "cities": ["berlin"] }),
            false,
            t0(),
        ))
        .await
        .unwrap();
    let shouted = store
        .signup(&signup(
            "ADA@EXAMPLE.COM",
            json!({ "cities": ["paris"] }),
            false,
            t0(),
        ))
        .await
        .unwrap();
    assert!(!shouted.created);
    assert_eq!(shouted.subscriber.id, first.subscriber.id);
    assert_eq!(
        shouted.subscriber.email.as_str(),
        "Ada@example.com",
        "the first spelling is kept"
    );
    assert_eq!(
        store.preferences(first.subscriber.id).await.unwrap(),
        Some(json!({ "cities": ["paris"] }))
    );
});

store_test!(
    two_concurrent_signups_of_a_new_address_make_one_subscriber,
    |db: TestDb| async move {
        let (a, b) = (db.store().await, db.store().await);
        for round in 0..5 {
            let address = format!("ada{round}@example.com");
            let berlin = signup(&address, json!({ "cities": ["berlin"] }), false, t0());
            let paris = signup(&address, json!({ "cities": ["paris"] }), false, t0());
            let (first, second) = tokio::join!(a.signup(&berlin), b.signup(&paris));
            let (first, second) = (first.unwrap(), second.unwrap());
            assert_eq!(first.subscriber.id, second.subscriber.id, "round {round}");
            assert_eq!(
                u8::from(first.created) + u8::from(second.created),
                1,
                "round {round}"
            );
            let id = first.subscriber.id;
            assert_eq!(
                rows_of(&db, "consents", id).await,
                2,
                "round {round}: the later signup replaced them"
            );
        }
    }
);

// ---- link throttling ----

store_test!(
    a_link_email_is_claimed_at_most_once_per_interval,
    |db: TestDb| async move {
        let store = db.store().await;
        let id = store
            .signup(&signup("ada@example.com", json!({}), false, t0()))
            .await
            .unwrap()
            .subscriber
            .id;
        assert!(store.claim_link_email(id, HOUR, t0()).await.unwrap());
        assert!(!store.claim_link_email(id, HOUR, t0() + secs(60)).await.unwrap());
        assert!(!store.claim_link_email(id, HOUR, t0() + secs(3599)).await.unwrap());
        assert!(store.claim_link_email(id, HOUR, t0() + secs(3600)).await.unwrap());
        assert!(
            !store.claim_link_email(id, HOUR, t0() + secs(3601)).await.unwrap(),
            "the interval runs from the last claim"
        );
        let err = store
            .claim_link_email(Uuid::now_v7(), HOUR, t0())
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::NotFound), "{err:?}");
    }
);

store_test!(
    of_two_concurrent_link_claims_exactly_one_wins,
    |db: TestDb| async move {
        // Two stores, as two processes would have.
        let (a, b) = (db.store().await, db.store().await);
        let id = a
            .signup(&signup("ada@example.com", json!({}), false, t0()))
            .await
            .unwrap()
            .subscriber
            .id;
        for round in 0..5 {
            let now = t0() + secs(7200 * round);
            let (first, second) = tokio::join!(
                a.claim_link_email(id, HOUR, now),
                b.claim_link_email(id, HOUR, now)
            );
            let wins = [first.unwrap(), second.unwrap()];
            assert_eq!(
                wins.iter().filter(|won| **won).count(),
                1,
                "round {round}: {wins:?}"
            );
        }
    }
);

// ---- confirmation and unsubscription ----

store_test!(
    verifying_a_pending_subscriber_activates_it_once,
    |db: TestDb| async move {
        let store = db.store().await;
        let id = store
            .signup(&signup("ada@example.com", json!({}), false, t0()))
            .await
            .unwrap()
            .subscriber
            .id;
        let at = t0() + secs(60);
        assert_eq!(
            store.verify_subscriber(id, at).await.unwrap(),
            VerifyOutcome::Verified
        );
        let verified = store.subscriber(id).await.unwrap();
        assert_eq!(verified.status, SubscriberStatus::Active);
        assert_eq!(verified.verified_at, Some(at));
        assert_eq!(
            store.verify_subscriber(id, at + secs(60)).await.unwrap(),
            VerifyOutcome::AlreadyActive
        );
        assert_eq!(store.subscriber(id).await.unwrap(), verified, "nothing changed");
        let err = store.verify_subscriber(Uuid::now_v7(), at).await.unwrap_err();
        assert!(matches!(err, StoreError::NotFound), "{err:?}");
    }
);

store_test!(
    verifying_an_unsubscribed_subscriber_reactivates_it_and_lifts_the_suppression,
    |db: TestDb| async move {
        let store = db.store().await;
        let subscriber = active(&store, "ada@example.com").await;
        store.unsubscribe(subscriber.id, t0() + secs(10)).await.unwrap();
        assert_eq!(
            store.suppression(&subscriber.email).await.unwrap(),
            Some(SuppressionReason::Unsubscribed)
        );
        assert_eq!(
            store
                .verify_subscriber(subscriber.id, t0() + secs(20))
                .await
                .unwrap(),
            VerifyOutcome::Verified
        );
        let back = store.subscriber(subscriber.id).await.unwrap();
        assert_eq!(back.status, SubscriberStatus::Active);
        assert_eq!(
            back.verified_at,
            Some(t0()),
            "the first confirmation's time is kept"
        );
        assert_eq!(back.unsubscribed_at, None);
        assert_eq!(store.suppression(&subscriber.email).await.unwrap(), None);
    }
);

store_test!(
    unsubscribing_sets_the_status_and_suppresses_the_address_once,
    |db: TestDb| async move {
        let store = db.store().await;
        let subscriber = active(&store, "Ada@example.com").await;
        let at = t0() + secs(10);
        assert!(store.unsubscribe(subscriber.id, at).await.unwrap());
        let gone = store.subscriber(subscriber.id).await.unwrap();
        assert_eq!(gone.status, SubscriberStatus::Unsubscribed);
        assert_eq!(gone.unsubscribed_at, Some(at));
        assert_eq!(
            store.suppression(&email("ada@EXAMPLE.com")).await.unwrap(),
            Some(SuppressionReason::Unsubscribed),
            "the suppression ignores the address's case"
        );
        assert_eq!(store.suppression(&email("bob@example.com")).await.unwrap(), None);
        assert!(!store.unsubscribe(subscriber.id, at + secs(10)).await.unwrap());
        assert_eq!(
            store.subscriber(subscriber.id).await.unwrap().unsubscribed_at,
            Some(at)
        );
        let err = store.unsubscribe(Uuid::now_v7(), at).await.unwrap_err();
        assert!(matches!(err, StoreError::NotFound), "{err:?}");
    }
);

store_test!(
    unsubscribing_keeps_a_bounce_that_confirming_again_must_not_lift,
    |db: TestDb| async move {
        let store = db.store().await;
        let subscriber = active(&store, "ada@example.com").await;
        let hash = subscriber.email.hashed();
        let at = db.time_literal(t0());
        db.execute(&format!(
            "INSERT INTO suppressions (email_hash, reason, created_at) VALUES ('{hash}', 'bounced', {at})"
        ))
        .await;
        assert!(store.unsubscribe(subscriber.id, t0() + secs(10)).await.unwrap());
        assert_eq!(
            store.suppression(&subscriber.email).await.unwrap(),
            Some(SuppressionReason::Bounced)
        );
        store
            .verify_subscriber(subscriber.id, t0() + secs(20))
            .await
            .unwrap();
        assert_eq!(
            store.suppression(&subscriber.email).await.unwrap(),
            Some(SuppressionReason::Bounced)
        );
    }
);

store_test!(consents_are_appended_as_a_history, |db: TestDb| async move {
    let store = db.store().await;
    let subscriber = active(&store, "ada@example.com").await;
    let withdrawn = consent(ConsentPurpose::Marketing, false, "2026-12");
    store
        .record_consent(subscriber.id, &withdrawn, t0() + secs(60))
        .await
        .unwrap();
    let consents = store.export_subscriber(subscriber.id).await.unwrap().consents;
    assert_eq!(consents.len(), 3, "the earlier consents are kept");
    let last = &consents[2];
    assert_eq!(
        (
            last.purpose,
            last.granted,
            last.policy_version.as_str(),
            last.recorded_at
        ),
        (ConsentPurpose::Marketing, false, "2026-12", t0() + secs(60))
    );
    let err = store
        .record_consent(Uuid::now_v7(), &withdrawn, t0())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound), "{err:?}");
});

// ---- single-use tokens ----

store_test!(
    a_single_use_token_is_used_once_until_it_is_forgotten_after_expiry,
    |db: TestDb| async move {
        let store = db.store().await;
        let (soon, later) = (t0() + secs(3600), t0() + secs(7200));
        assert!(store.use_token("hash-1", "verify", soon, t0()).await.unwrap());
        assert!(
            !store
                .use_token("hash-1", "verify", soon, t0() + secs(1))
                .await
                .unwrap()
        );
        assert!(store.use_token("hash-2", "delete", later, t0()).await.unwrap());

        assert_eq!(store.purge_used_tokens(t0() + secs(5400)).await.unwrap(), 1);
        assert!(
            !store
                .use_token("hash-2", "delete", later, t0() + secs(2))
                .await
                .unwrap(),
            "an unexpired token is remembered"
        );
        assert!(
            store
                .use_token("hash-1", "verify", soon, t0() + secs(3))
                .await
                .unwrap(),
            "an expired token was forgotten"
        );
        assert_eq!(store.purge_used_tokens(t0()).await.unwrap(), 0);
    }
);
