use jobping_store::testing::TestDb;
use jobping_store::{NewAuditEntry, store_test};
use serde_json::json;

use crate::{secs, t0};

store_test!(
    the_audit_log_reads_newest_first_with_its_detail,
    |db: TestDb| async move {
        let store = db.store().await;
        for (i, action) in ["tier.change", "export", "delete"].iter().enumerate() {
            store
                .append_audit(&NewAuditEntry {
                    at: t0() + secs(i as i64),
                    actor: "system".into(),
                    action: (*action).into(),
                    target_hash: Some(format!("hash{i}")),
                    detail: json!({ "n": i }),
                })
                .await
                .unwrap();
        }
        let recent = store.recent_audit(2).await.unwrap();
        assert_eq!(recent.len(), 2);
        assert_eq!(recent[0].action, "delete");
        assert_eq!(recent[0].detail, json!({ "n": 2 }));
        assert_eq!(recent[0].at, t0() + secs(2));
        assert_eq!(recent[1].target_hash.as_deref(), Some("hash1"));
    }
);
