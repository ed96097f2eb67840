//! The subscriber's data: export, unsubscribe and deletion, and that a token opens
//! only its own subscriber's data.

use jobping::tokens::Purpose;
use jobping_core::SubscriberStatus;
use jobping_store::StoreError;
use reqwest::header::{CACHE_CONTROL, CONTENT_TYPE};
use reqwest::{Method, StatusCode};
use serde_json::json;
use time::OffsetDateTime;

use super::preferences;
use crate::app_test;
use crate::helpers::TestApp;

app_test!(
    the_export_token_downloads_everything_stored_and_a_manage_token_does_not,
    |app: TestApp| async move {
        let manage = app.api_subscriber("joan@example.com").await;
        let export = app.api_token(&manage, "export").await;
        let answer = app
            .api(Method::GET, "/api/v1/me/export", Some(&export), None)
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        assert_eq!(answer.header(CACHE_CONTROL), "no-store");
        assert!(answer.header(CONTENT_TYPE).starts_with("application/json"));
        assert_eq!(answer.body["subscriber"]["email"], "joan@example.com");
        assert_eq!(answer.body["preferences"]["cities"], json!(["berlin", "london"]));
        let purposes: Vec<&str> = answer.body["consents"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|c| c["purpose"].as_str())
            .collect();
        assert!(
            purposes.contains(&"privacy") && purposes.contains(&"marketing"),
            "{}",
            answer.body
        );

        let refused = app
            .api(Method::GET, "/api/v1/me/export", Some(&manage), None)
            .await;
        refused.assert_unauthorized();
    }
);

app_test!(
    a_token_opens_only_its_own_subscribers_data,
    |app: TestApp| async move {
        let ada = app.api_subscriber("ada@example.com").await;
        let bob = app.api_subscriber("bob@example.com").await;

        let me = app.api(Method::GET, "/api/v1/me", Some(&bob), None).await;
        assert_eq!(me.body["email"], "bob@example.com");

        let mut changed = preferences();
        changed["cities"] = json!(["madrid"]);
        let saved = app
            .api(Method::PUT, "/api/v1/me/preferences", Some(&bob), Some(changed))
            .await;
        assert_eq!(saved.status, StatusCode::OK);
        let adas = app
            .api(Method::GET, "/api/v1/me/preferences", Some(&ada), None)
            .await;
        assert_eq!(
            adas.body["cities"],
            json!(["berlin", "london"]),
            "ada's are untouched"
        );

        let export = app.api_token(&bob, "export").await;
        let exported = app
            .api(Method::GET, "/api/v1/me/export", Some(&export), None)
            .await;
        assert_eq!(exported.body["subscriber"]["email"], "bob@example.com");
        assert!(!exported.body.to_string().contains("ada@example.com"));

        let delete = app.api_token(&bob, "delete").await;
        let deleted = app.api(Method::DELETE, "/api/v1/me", Some(&delete), None).await;
        assert_eq!(deleted.status, StatusCode::NO_CONTENT);
        assert!(app.stored("bob@example.com").await.is_none());
        let ada_me = app.api(Method::GET, "/api/v1/me", Some(&ada), None).await;
        assert_eq!(ada_me.status, StatusCode::OK);
        assert_eq!(ada_me.body["email"], "ada@example.com");
    }
);

app_test!(
    deleting_needs_a_delete_token_which_works_once_and_then_every_token_is_refused,
    |app: TestApp| async move {
        let manage = app.api_subscriber("kim@example.com").await;
        let id = app.stored("kim@example.com").await.unwrap().id;
        let unsubscribe = app
            .state
            .signer
            .sign(Purpose::Unsubscribe, id, OffsetDateTime::now_utc());

        let refused = app.api(Method::DELETE, "/api/v1/me", Some(&manage), None).await;
        refused.assert_unauthorized();
        assert!(app.stored("kim@example.com").await.is_some(), "nothing deleted");

        let delete = app.api_token(&manage, "delete").await;
        let deleted = app.api(Method::DELETE, "/api/v1/me", Some(&delete), None).await;
        assert_eq!(deleted.status, StatusCode::NO_CONTENT);
        assert_eq!(deleted.header(CACHE_CONTROL), "no-store");
        assert!(matches!(
            app.state.store.subscriber(id).await,
            Err(StoreError::NotFound)
        ));

        let again = app.api(Method::DELETE, "/api/v1/me", Some(&delete), None).await;
        again.assert_unauthorized();
        app.api(Method::GET, "/api/v1/me", Some(&manage), None)
            .await
            .assert_unauthorized();
        app.api(Method::GET, "/api/v1/me/preferences", Some(&manage), None)
            .await
            .assert_unauthorized();
        app.api(Method::POST, "/api/v1/me/unsubscribe", Some(&unsubscribe), None)
            .await
            .assert_unauthorized();
        assert!(
            crate::helpers::eventually(std::time::Duration::from_secs(5), || async {
                app.emails_to("kim@example.com")
                    .iter()
                    .any(|e| e.subject.to_lowercase().contains("deleted"))
            })
            .await,
            "the notice goes out"
        );
    }
);

app_test!(
    unsubscribing_puts_the_address_on_the_suppression_list_and_twice_is_fine,
    |app: TestApp| async move {
        let manage = app.api_subscriber("alan@example.com").await;
        app.drain().await;
        let welcome = app.emails_to("alan@example.com").pop().unwrap();
        let header = welcome.header("List-Unsubscribe").unwrap();
        let token = regex::Regex::new(r"token=([A-Za-z0-9_\-.]+)")
            .unwrap()
            .captures(&header)
            .unwrap()[1]
            .to_owned();
        let export = app.api_token(&manage, "export").await;
        app.api(Method::POST, "/api/v1/me/unsubscribe", Some(&export), None)
            .await
            .assert_unauthorized();

        let answer = app
            .api(Method::POST, "/api/v1/me/unsubscribe", Some(&token), None)
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        assert_eq!(answer.body, json!({"status": "unsubscribed"}));
        let subscriber = app.stored("alan@example.com").await.unwrap();
        assert_eq!(subscriber.status, SubscriberStatus::Unsubscribed);
        assert!(
            app.state
                .store
                .suppression(&subscriber.email)
                .await
                .unwrap()
                .is_some(),
            "the address is on the suppression list"
        );
        for token in [&token, &manage] {
            let again = app
                .api(Method::POST, "/api/v1/me/unsubscribe", Some(token), None)
                .await;
            assert_eq!(again.status, StatusCode::OK);
            assert_eq!(again.body["status"], "unsubscribed");
        }
        let me = app.api(Method::GET, "/api/v1/me", Some(&manage), None).await;
        assert_eq!(me.body["status"], "unsubscribed");
    }
);
