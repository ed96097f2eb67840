use jobping_store::store_test;
use jobping_store::testing::TestDb;

use crate::{secs, t0};

store_test!(
    a_secret_is_kept_once_and_never_replaced,
    |db: TestDb| async move {
        let store = db.store().await;
        let (kept, inserted) = store.secret_or_insert("token", "first", t0()).await.unwrap();
        assert_eq!((kept.as_str(), inserted), ("first", true));
        let (kept, inserted) = store.secret_or_insert("token", "second", t0()).await.unwrap();
        assert_eq!((kept.as_str(), inserted), ("first", false));
    }
);

store_test!(
    a_secret_generated_by_two_processes_at_once_is_the_same_for_both,
    |db: TestDb| async move {
        let (a, b) = (db.store().await, db.store().await);
        let (left, right) = tokio::join!(
            a.secret_or_insert("token", "from-a", t0()),
            b.secret_or_insert("token", "from-b", t0())
        );
        let (left, right) = (left.unwrap(), right.unwrap());
        assert_eq!(left.0, right.0);
        assert!(
            left.1 ^ right.1,
            "exactly one of them inserted: {left:?} {right:?}"
        );
    }
);

store_test!(
    a_secret_can_be_read_and_deleted_once_it_is_kept_elsewhere,
    |db: TestDb| async move {
        let store = db.store().await;
        assert_eq!(store.secret("token").await.unwrap(), None);
        assert!(!store.delete_secret("token").await.unwrap());
        store.secret_or_insert("token", "first", t0()).await.unwrap();
        store.secret_or_insert("other", "kept", t0()).await.unwrap();
        assert_eq!(store.secret("token").await.unwrap().as_deref(), Some("first"));
        assert!(store.delete_secret("token").await.unwrap());
        assert_eq!(store.secret("token").await.unwrap(), None);
        assert!(!store.delete_secret("token").await.unwrap());
        assert_eq!(store.secret("other").await.unwrap().as_deref(), Some("kept"));
        // Once deleted, a new value can be kept under the name again.
        let (kept, inserted) = store.secret_or_insert("token", "second", t0()).await.unwrap();
        assert_eq!((kept.as_str(), inserted), ("second", true));
    }
);

store_test!(
    switches_are_unset_until_set_and_remember_who_set_them,
    |db: TestDb| async move {
        let store = db.store().await;
        assert_eq!(store.switch("sending.paused").await.unwrap(), None);
        store
            .set_switch("sending.paused", true, "admin:ops", t0())
            .await
            .unwrap();
        store
            .set_switch("sending.paused", false, "admin:night", t0() + secs(5))
            .await
            .unwrap();
        store
            .set_switch("scraping.paused", true, "admin:ops", t0())
            .await
            .unwrap();
        assert_eq!(store.switch("sending.paused").await.unwrap(), Some(false));
        let all = store.switches().await.unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[1].name, "sending.paused");
        assert_eq!(all[1].updated_by, "admin:night");
        assert_eq!(all[1].updated_at, t0() + secs(5));
    }
);
