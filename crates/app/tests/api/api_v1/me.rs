//! The manage token's endpoints: who am I, preferences, matches and tokens, and the
//! 401 every one of them gives a token that cannot be used.

use jobping::tokens::Purpose;
use jobping_core::normalize::normalize;
use jobping_core::{RawPosting, SubscriberStatus, Taxonomy};
use reqwest::header::CACHE_CONTROL;
use reqwest::{Method, StatusCode};
use serde_json::json;
use time::OffsetDateTime;

use super::preferences;
use crate::app_test;
use crate::helpers::TestApp;

app_test!(
    every_authenticated_endpoint_refuses_a_missing_garbled_or_wrong_token_with_a_bearer_challenge,
    |app: TestApp| async move {
        let manage = app.api_subscriber("ada@example.com").await;
        let id = app.stored("ada@example.com").await.unwrap().id;
        let now = OffsetDateTime::now_utc();
        let verify = app.state.signer.sign(Purpose::Verify, id, now);
        let expired = app
            .state
            .signer
            .sign_until(Purpose::Manage, id, now - time::Duration::seconds(1));
        let endpoints = [
            (Method::GET, "/api/v1/me", None),
            (Method::GET, "/api/v1/me/preferences", None),
            (Method::PUT, "/api/v1/me/preferences", Some(preferences())),
            (Method::GET, "/api/v1/me/matches", None),
            (
                Method::POST,
                "/api/v1/me/tokens",
                Some(json!({"purpose": "export"})),
            ),
            (Method::GET, "/api/v1/me/export", None),
            (Method::POST, "/api/v1/me/unsubscribe", None),
            (Method::DELETE, "/api/v1/me", None),
        ];
        for (method, path, body) in endpoints {
            let missing = app.api(method.clone(), path, None, body.clone()).await;
            missing.assert_unauthorized();
            for token in [verify.as_str(), expired.as_str(), "not.a-token", "Ünïcode"] {
                let answer = app.api(method.clone(), path, Some(token), body.clone()).await;
                answer.assert_unauthorized();
                assert_eq!(answer.header(CACHE_CONTROL), "no-store");
            }
            // A scheme other than Bearer is no token at all.
            let basic = app
                .client
                .request(method.clone(), format!("{}{path}", app.address))
                .header("authorization", format!("Basic {manage}"))
                .send()
                .await
                .unwrap();
            assert_eq!(basic.status(), StatusCode::UNAUTHORIZED, "{method} {path}");
        }
        assert_eq!(
            app.stored("ada@example.com").await.unwrap().status,
            SubscriberStatus::Active,
            "nothing changed"
        );
    }
);

app_test!(
    preferences_are_read_and_replaced_with_the_manage_token,
    |app: TestApp| async move {
        let manage = app.api_subscriber("mary@example.com").await;
        let read = app
            .api(Method::GET, "/api/v1/me/preferences", Some(&manage), None)
            .await;
        assert_eq!(read.status, StatusCode::OK);
        assert_eq!(read.body, preferences());
        assert_eq!(read.header(CACHE_CONTROL), "no-store");

        let mut changed = preferences();
        changed["cities"] = json!(["Vienna"]);
        changed["languages"] = json!(["en", "DE"]);
        let saved = app
            .api(
                Method::PUT,
                "/api/v1/me/preferences",
                Some(&manage),
                Some(changed),
            )
            .await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
        assert_eq!(saved.body["cities"], json!(["vienna"]), "stored normalized");
        assert_eq!(saved.body["languages"], json!(["en", "de"]));
        let read = app
            .api(Method::GET, "/api/v1/me/preferences", Some(&manage), None)
            .await;
        assert_eq!(read.body, saved.body);
    }
);

app_test!(
    bad_preferences_are_refused_with_every_field_named_and_nothing_changes,
    |app: TestApp| async move {
        let manage = app.api_subscriber("mary@example.com").await;
        let mut bad = preferences();
        bad["cities"] = json!(["berlin", "atlantis", "paris", "rome"]);
        bad["visa"] = json!("martian");
        bad["start_date"] = json!("soon");
        let answer = app
            .api(Method::PUT, "/api/v1/me/preferences", Some(&manage), Some(bad))
            .await;
        answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
        let fields = answer.fields();
        for field in ["cities[1]", "cities", "visa", "start_date"] {
            assert!(fields.iter().any(|f| f == field), "{field} not in {fields:?}");
        }
        let mut unknown = preferences();
        unknown["tier"] = json!("premium");
        let answer = app
            .api(
                Method::PUT,
                "/api/v1/me/preferences",
                Some(&manage),
                Some(unknown),
            )
            .await;
        answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(answer.fields(), vec!["tier"]);
        let answer = app
            .api_raw(
                Method::PUT,
                "/api/v1/me/preferences",
                Some(&manage),
                Some("application/json"),
                Some("{\"cities\": [".into()),
            )
            .await;
        answer.assert_problem(StatusCode::BAD_REQUEST);

        let read = app
            .api(Method::GET, "/api/v1/me/preferences", Some(&manage), None)
            .await;
        assert_eq!(read.body, preferences(), "nothing changed");
    }
);

app_test!(
    a_free_subscriber_cannot_leave_out_companies,
    |app: TestApp| async move {
        let manage = app.api_subscriber("mary@example.com").await;
        let mut excluding = preferences();
        excluding["excluded_companies"] = json!(["Initech"]);
        let answer = app
            .api(
                Method::PUT,
                "/api/v1/me/preferences",
                Some(&manage),
                Some(excluding),
            )
            .await;
        answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(answer.fields(), vec!["excluded_companies"]);
        let read = app
            .api(Method::GET, "/api/v1/me/preferences", Some(&manage), None)
            .await;
        assert_eq!(read.body["excluded_companies"], json!([]));
    }
);

fn posting(id: &str, title: &str, location: &str, description: &str) -> RawPosting {
    RawPosting {
        source: "greenhouse".into(),
        board: "test".into(),
        external_id: id.into(),
        title: title.into(),
        company: "Brightpath".into(),
        url: format!("https://boards.example/{id}"),
        locations: vec![location.into()],
        description_text: Some(description.into()),
        posted_at: Some(OffsetDateTime::now_utc() - time::Duration::days(2)),
        ..RawPosting::default()
    }
}

async fn store_jobs(app: &TestApp) {
    let now = OffsetDateTime::now_utc();
    let raw = [
        posting(
            "1",
            "Graduate Data Analyst",
            "Berlin, Germany",
            "Join our graduate programme. SQL and Python. We offer visa sponsorship. English-speaking team.",
        ),
        posting(
            "2",
            "Junior Data Analyst",
            "London, UK",
            "Entry-level role for graduates with SQL. Visa sponsorship available. English-speaking team.",
        ),
        posting(
            "3",
            "Senior Data Engineer",
            "Berlin, Germany",
            "At least 6 years of experience with Spark. English-speaking team.",
        ),
    ];
    let jobs: Vec<_> = raw
        .iter()
        .map(|r| normalize(r, Taxonomy::embedded(), now).unwrap())
        .collect();
    app.state.store.upsert_jobs(&jobs, now).await.unwrap();
    app.state.job_index.invalidate().await;
}

app_test!(
    matches_rank_the_stored_jobs_for_the_subscribers_preferences,
    |app: TestApp| async move {
        store_jobs(&app).await;
        let manage = app.api_subscriber("ada@example.com").await;
        let answer = app
            .api(Method::GET, "/api/v1/me/matches", Some(&manage), None)
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        let matches = answer.body.as_array().unwrap();
        assert!(!matches.is_empty(), "{}", answer.body);
        let first = &matches[0];
        assert_eq!(first["title"], "Graduate Data Analyst", "{}", answer.body);
        assert_eq!(first["company"], "Brightpath");
        assert_eq!(first["place"], "Berlin");
        assert_eq!(first["url"], "https://boards.example/1");
        assert!(first["job_id"].is_i64());
        assert!(first["score"].as_u64().is_some_and(|s| s <= 100));
        assert!(["excellent", "good", "fair"].contains(&first["label"].as_str().unwrap()));
        assert!(first["reasons"].as_array().is_some_and(|r| !r.is_empty()));
        assert!(first["posted_at"].is_string());
        assert!(first.get("salary").is_some());
        let titles: Vec<&str> = matches.iter().filter_map(|m| m["title"].as_str()).collect();
        assert!(
            !titles.contains(&"Senior Data Engineer"),
            "too senior: {titles:?}"
        );
        let scores: Vec<u64> = matches.iter().filter_map(|m| m["score"].as_u64()).collect();
        assert!(scores.windows(2).all(|w| w[0] >= w[1]), "best first: {scores:?}");

        let one = app
            .api(Method::GET, "/api/v1/me/matches?limit=1", Some(&manage), None)
            .await;
        assert_eq!(one.status, StatusCode::OK);
        assert_eq!(one.body.as_array().unwrap().len(), 1);
        assert_eq!(one.body[0], matches[0]);

        for bad in ["0", "51", "-1", "ten", "", "1.5"] {
            let answer = app
                .api(
                    Method::GET,
                    &format!("/api/v1/me/matches?limit={bad}"),
                    Some(&manage),
                    None,
                )
                .await;
            answer.assert_problem(StatusCode::BAD_REQUEST);
            assert_eq!(answer.fields(), vec!["limit"], "limit={bad}");
        }
    }
);

app_test!(
    the_manage_token_makes_export_and_delete_tokens_and_nothing_else,
    |app: TestApp| async move {
        let manage = app.api_subscriber("ada@example.com").await;
        for purpose in ["export", "delete"] {
            let answer = app
                .api(
                    Method::POST,
                    "/api/v1/me/tokens",
                    Some(&manage),
                    Some(json!({ "purpose": purpose })),
                )
                .await;
            assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
            assert_eq!(answer.body["purpose"], purpose);
            assert!(answer.body["token"].as_str().is_some_and(|t| !t.is_empty()));
            let expires = OffsetDateTime::parse(
                answer.body["expires_at"].as_str().unwrap(),
                &time::format_description::well_known::Rfc3339,
            )
            .unwrap();
            let lifetime = expires - OffsetDateTime::now_utc();
            assert!(
                lifetime > time::Duration::minutes(29) && lifetime <= time::Duration::minutes(30),
                "{lifetime}"
            );
        }
        for purpose in [json!("manage"), json!("session"), json!("unsubscribe"), json!(7)] {
            let answer = app
                .api(
                    Method::POST,
                    "/api/v1/me/tokens",
                    Some(&manage),
                    Some(json!({ "purpose": purpose })),
                )
                .await;
            answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
            assert_eq!(answer.fields(), vec!["purpose"], "{purpose}");
        }
        // An export token cannot make more tokens.
        let export = app.api_token(&manage, "export").await;
        let answer = app
            .api(
                Method::POST,
                "/api/v1/me/tokens",
                Some(&export),
                Some(json!({"purpose": "delete"})),
            )
            .await;
        answer.assert_unauthorized();
    }
);
