//! Operator access: admin keys (hashes only), the paged audit log and the dashboard's counts.

use jobping_core::CareerPath;
use jobping_store::testing::TestDb;
use jobping_store::{EmailEvent, NewAdminKey, NewAuditEntry, StoreError, Vote, store_test};
use serde_json::json;
use uuid::Uuid;

use crate::delivery::digest;
use crate::jobs::job;
use crate::journey::{active, signup};
use crate::{secs, t0};

fn new_key(name: &str, hash_char: char, scopes: &[&str]) -> NewAdminKey {
    NewAdminKey {
        id: Uuid::now_v7(),
        name: name.into(),
        key_hash: hash_char.to_string().repeat(64),
        scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
        created_at: t0(),
    }
}

store_test!(
    an_admin_key_is_found_by_its_hash_listed_used_and_revoked,
    |db: TestDb| async move {
        let store = db.store().await;
        let ops = store
            .create_admin_key(&new_key("ops", 'a', &["read", "write"]))
            .await
            .unwrap();
        assert_eq!(ops.scopes, vec!["read", "write"]);
        assert_eq!(ops.created_at, t0());
        assert!(ops.last_used_at.is_none() && ops.revoked_at.is_none());
        let viewer = store
            .create_admin_key(&new_key("viewer", 'b', &["read"]))
            .await
            .unwrap();

        let found = store.admin_key_by_hash(&"a".repeat(64)).await.unwrap().unwrap();
        assert_eq!(found, ops);
        assert!(store.admin_key_by_hash(&"c".repeat(64)).await.unwrap().is_none());
        assert_eq!(store.admin_key(viewer.id).await.unwrap().unwrap().name, "viewer");
        assert!(store.admin_key(Uuid::now_v7()).await.unwrap().is_none());

        store.touch_admin_key(ops.id, t0() + secs(60)).await.unwrap();
        let touched = store.admin_key(ops.id).await.unwrap().unwrap();
        assert_eq!(touched.last_used_at, Some(t0() + secs(60)));

        assert!(store.revoke_admin_key(viewer.id, t0() + secs(120)).await.unwrap());
        assert!(!store.revoke_admin_key(viewer.id, t0() + secs(180)).await.unwrap());
        let listed = store.admin_keys().await.unwrap();
        let names: Vec<&str> = listed.iter().map(|k| k.name.as_str()).collect();
        assert_eq!(names, ["ops", "viewer"]);
        assert_eq!(listed[1].revoked_at, Some(t0() + secs(120)));
        assert!(listed[0].revoked_at.is_none());
        assert!(matches!(
            store.revoke_admin_key(Uuid::now_v7(), t0()).await,
            Err(StoreError::NotFound)
        ));
    }
);

store_test!(
    a_second_admin_key_with_a_taken_name_is_a_conflict,
    |db: TestDb| async move {
        let store = db.store().await;
        store
            .create_admin_key(&new_key("ops", 'a', &["read"]))
            .await
            .unwrap();
        let again = store.create_admin_key(&new_key("ops", 'b', &["read"])).await;
        assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
        assert_eq!(store.admin_keys().await.unwrap().len(), 1);
    }
);

store_test!(the_audit_log_pages_newest_first_by_id, |db: TestDb| async move {
    let store = db.store().await;
    for i in 0..5 {
        store
            .append_audit(&NewAuditEntry {
                at: t0() + secs(i),
                actor: "admin:ops".into(),
                action: format!("action.{i}"),
                target_hash: None,
                detail: json!({}),
            })
            .await
            .unwrap();
    }
    let first = store.audit_page(None, 2).await.unwrap();
    let actions: Vec<&str> = first.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["action.4", "action.3"]);
    let second = store.audit_page(Some(first[1].id), 2).await.unwrap();
    let actions: Vec<&str> = second.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["action.2", "action.1"]);
    let last = store.audit_page(Some(second[1].id), 2).await.unwrap();
    assert_eq!(last.len(), 1);
});

store_test!(operator_stats_count_a_seeded_store, |db: TestDb| async move {
    let store = db.store().await;
    let ada = active(&store, "ada@example.com").await;
    active(&store, "bob@example.com").await;
    store
        .signup(&signup(
            "cy@example.com",
            json!({ "cities": ["london"] }),
            false,
            t0(),
        ))
        .await
        .unwrap();

    let mut data_job = job("lever", "acme", "9", "Data Analyst", "Acme", "london");
    data_job.career_paths = vec![CareerPath::Data];
    let batch = vec![
        job(
            "greenhouse",
            "board",
            "1",
            "Graduate Analyst 1",
            "Company 1",
            "berlin",
        ),
        job(
            "greenhouse",
            "board",
            "2",
            "Graduate Analyst 2",
            "Company 2",
            "berlin",
        ),
        data_job,
    ];
    store.upsert_jobs(&batch, t0()).await.unwrap();
    let ids: Vec<i64> = store.jobs(true).await.unwrap().iter().map(|j| j.id).collect();
    assert_eq!(ids.len(), 3);

    let sent = digest(ada.id, "2026-W48-mon", &ids[..2], t0());
    store.record_delivery(&sent, None).await.unwrap();
    store
        .mark_delivery_sent(sent.id, "msg-1", t0() + secs(5))
        .await
        .unwrap();
    for (i, kind) in ["email.delivered", "email.bounced", "email.delivered"]
        .iter()
        .enumerate()
    {
        store
            .record_email_event(&EmailEvent {
                event_id: format!("ev{i}"),
                kind: (*kind).into(),
                email_hash: None,
                provider_message_id: Some("msg-1".into()),
                occurred_at: t0() + secs(10),
                received_at: t0() + secs(10),
            })
            .await
            .unwrap();
    }
    store
        .record_click(ada.id, ids[0], Some(sent.id), t0() + secs(20))
        .await
        .unwrap();
    store
        .record_vote(ada.id, ids[0], Some(sent.id), Vote::Up, None, t0() + secs(30))
        .await
        .unwrap();
    store
        .record_vote(ada.id, ids[1], Some(sent.id), Vote::Down, None, t0() + secs(30))
        .await
        .unwrap();

    let stats = store.operator_stats(t0() + secs(86_400)).await.unwrap();
    let subscribers: Vec<(&str, &str, u64)> = stats
        .subscribers
        .iter()
        .map(|c| (c.status.as_str(), c.tier.as_str(), c.count))
        .collect();
    assert_eq!(subscribers, [("active", "free", 2), ("pending", "free", 1)]);
    assert_eq!(stats.signups_per_day.len(), 30);
    assert_eq!(stats.signups_per_day[28].day, t0().date());
    assert_eq!(stats.signups_per_day[28].count, 3);
    assert_eq!(stats.signups_per_day.iter().map(|d| d.count).sum::<u64>(), 3);
    assert_eq!(stats.verifications_per_day[28].count, 2);
    assert_eq!(stats.sent(), 1);
    assert_eq!((stats.delivered, stats.bounced, stats.complained), (2, 1, 0));
    assert_eq!((stats.items_sent, stats.emails_with_items), (2, 1));
    assert_eq!((stats.clicks, stats.votes_up, stats.votes_down), (1, 1, 1));
    assert!((stats.matches_per_email() - 2.0).abs() < 1e-9);
    assert!((stats.click_through_rate() - 0.5).abs() < 1e-9);
    // The digest's scores are 90 and 89.
    assert_eq!(stats.score_bands[9], 1);
    assert_eq!(stats.score_bands[8], 1);
    assert_eq!(stats.score_bands.iter().sum::<u64>(), 2);
    assert_eq!(stats.active_jobs, 3);
    let sources: Vec<(&str, u64)> = stats
        .jobs_by_source
        .iter()
        .map(|c| (c.name.as_str(), c.count))
        .collect();
    assert_eq!(sources, [("greenhouse", 2), ("lever", 1)]);
    let cities: Vec<(&str, u64)> = stats
        .jobs_by_city
        .iter()
        .map(|c| (c.name.as_str(), c.count))
        .collect();
    assert_eq!(cities, [("berlin", 2), ("london", 1)]);
    let paths: Vec<(&str, u64)> = stats
        .jobs_by_career_path
        .iter()
        .map(|c| (c.name.as_str(), c.count))
        .collect();
    assert_eq!(paths, [("data", 1)]);
    assert_eq!(store.sent_deliveries(ada.id).await.unwrap(), 1);

    // A month later the window has moved past all of it, but jobs and people remain.
    let later = store.operator_stats(t0() + secs(86_400 * 40)).await.unwrap();
    assert_eq!(later.sent(), 0);
    assert_eq!(later.signups_per_day.iter().map(|d| d.count).sum::<u64>(), 0);
    assert_eq!(later.active_jobs, 3);
});
