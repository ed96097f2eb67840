//! Signing in to the `/admin` console: failed attempts are audited, without the key.

use reqwest::StatusCode;

use crate::app_test;
use crate::helpers::{Options, TestApp};

const BOOTSTRAP: &str = "bootstrap-key-for-console-tests-0123456789";

fn with_admin_key() -> Options {
    Options {
        env: vec![("JOBPING_ADMIN_KEY", BOOTSTRAP.into())],
        ..Options::default()
    }
}

app_test!(
    a_console_sign_in_with_a_wrong_key_is_audited_with_the_client_but_never_the_key,
    with_admin_key,
    |app: TestApp| async move {
        let wrong = "jpk_a-guess-that-must-never-be-stored";
        let refused = app
            .client
            .post(format!("{}/admin/login", app.address))
            .form(&[("key", wrong)])
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);

        let entries = app.state.store.audit_page(None, 10).await.unwrap();
        let failed = entries
            .iter()
            .find(|e| e.action == "admin.login_failed")
            .unwrap_or_else(|| panic!("no failed sign-in in {entries:?}"));
        assert_eq!(failed.actor, "admin:unknown");
        assert_eq!(failed.detail["client"], "127.0.0.1", "{:?}", failed.detail);
        assert_eq!(failed.target_hash, None);
        let logged = format!("{entries:?}");
        assert!(
            !logged.contains("a-guess"),
            "the presented key is never kept: {logged}"
        );

        // A successful sign-in is not counted as a failure.
        let signed_in = app
            .client
            .post(format!("{}/admin/login", app.address))
            .form(&[("key", BOOTSTRAP)])
            .send()
            .await
            .unwrap();
        assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
        let entries = app.state.store.audit_page(None, 10).await.unwrap();
        assert_eq!(
            entries
                .iter()
                .filter(|e| e.action == "admin.login_failed")
                .count(),
            1
        );
        assert!(entries.iter().any(|e| e.action == "admin.login"));
    }
);
