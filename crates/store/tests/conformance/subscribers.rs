use jobping_core::{EmailAddress, SubscriberStatus, Tier};
use jobping_store::testing::TestDb;
use jobping_store::{StoreError, store_test};

use crate::t0;

store_test!(a_new_subscriber_is_pending_and_free, |db: TestDb| async move {
    let store = db.store().await;
    let email = EmailAddress::parse("ada@example.com").unwrap();
    let created = store.insert_subscriber(&email, t0()).await.unwrap();
    assert_eq!(created.status, SubscriberStatus::Pending);
    assert_eq!(created.tier, Tier::Free);
    assert_eq!(created.created_at, t0());
    assert_eq!(created.verified_at, None);
    assert_eq!(store.subscriber(created.id).await.unwrap(), created);
});

store_test!(an_address_is_unique_whatever_its_case, |db: TestDb| async move {
    let store = db.store().await;
    let first = EmailAddress::parse("Grace.Hopper@example.com").unwrap();
    store.insert_subscriber(&first, t0()).await.unwrap();
    let shouted = EmailAddress::parse("GRACE.HOPPER@EXAMPLE.COM").unwrap();
    let err = store.insert_subscriber(&shouted, t0()).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
});

store_test!(look_up_by_email_ignores_case, |db: TestDb| async move {
    let store = db.store().await;
    let email = EmailAddress::parse("Linus@Example.com").unwrap();
    let created = store.insert_subscriber(&email, t0()).await.unwrap();
    let lower = EmailAddress::parse("linus@example.com").unwrap();
    let found = store.subscriber_by_email(&lower).await.unwrap().unwrap();
    assert_eq!(found.id, created.id);
    assert_eq!(found.email.as_str(), "Linus@example.com");
    let stranger = EmailAddress::parse("nobody@example.com").unwrap();
    assert!(store.subscriber_by_email(&stranger).await.unwrap().is_none());
});

store_test!(an_unknown_subscriber_id_is_not_found, |db: TestDb| async move {
    let store = db.store().await;
    let err = store.subscriber(uuid::Uuid::now_v7()).await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound), "{err:?}");
});

store_test!(
    preferences_are_saved_replaced_and_read_back,
    |db: TestDb| async move {
        let store = db.store().await;
        let email = EmailAddress::parse("ines@example.com").unwrap();
        let subscriber = store.insert_subscriber(&email, t0()).await.unwrap();
        assert_eq!(store.preferences(subscriber.id).await.unwrap(), None);
        let first = serde_json::json!({ "cities": ["berlin"], "career_paths": ["data"] });
        store
            .save_preferences(subscriber.id, &first, "fp1", t0())
            .await
            .unwrap();
        let second = serde_json::json!({ "cities": ["paris", "madrid"], "career_paths": ["product"] });
        store
            .save_preferences(subscriber.id, &second, "fp2", t0())
            .await
            .unwrap();
        assert_eq!(store.preferences(subscriber.id).await.unwrap(), Some(second));
    }
);

store_test!(preferences_need_an_existing_subscriber, |db: TestDb| async move {
    let store = db.store().await;
    let orphan = store
        .save_preferences(uuid::Uuid::now_v7(), &serde_json::json!({}), "fp", t0())
        .await;
    assert!(orphan.is_err(), "the foreign key refuses preferences for nobody");
});
