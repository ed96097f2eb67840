//! Signing up, confirming, and asking for a lost link: every way to get them wrong.

use jobping::tokens::Purpose;
use reqwest::header::{CACHE_CONTROL, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::signup;
use crate::app_test;
use crate::helpers::{Options, TestApp};
use jobping_core::SubscriberStatus;

app_test!(
    a_signup_is_accepted_and_the_confirmation_link_is_emailed,
    |app: TestApp| async move {
        let answer = app
            .api(
                Method::POST,
                "/api/v1/subscribers",
                None,
                Some(signup("ada@example.com")),
            )
            .await;
        assert_eq!(answer.status, StatusCode::ACCEPTED);
        assert_eq!(
            answer.body,
            json!({"status": "accepted", "detail": "If this address can receive email, a confirmation link is on its way."})
        );
        assert_eq!(answer.header(CACHE_CONTROL), "no-store");
        assert_eq!(
            app.stored("ada@example.com").await.unwrap().status,
            SubscriberStatus::Pending
        );
        app.drain().await;
        let emails = app.emails_to("ada@example.com");
        assert_eq!(emails.len(), 1, "{emails:?}");
        assert!(!emails[0].token_for("/verify").is_empty());
    }
);

/// A bad signup: what it is, its content type and body, the status it gets, and the
/// field named.
type BadSignup = (
    &'static str,
    Option<&'static str>,
    String,
    StatusCode,
    Option<&'static str>,
);

app_test!(
    a_signup_with_bad_input_gets_the_right_4xx_naming_what_is_wrong,
    |app: TestApp| async move {
        let with = |change: &dyn Fn(&mut Value)| {
            let mut body = signup("bad@example.com");
            change(&mut body);
            body.to_string()
        };
        let cases: Vec<BadSignup> = vec![
            (
                "bad email",
                Some("application/json"),
                with(&|b| b["email"] = json!("not-an-address")),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("email"),
            ),
            (
                "unknown city",
                Some("application/json"),
                with(&|b| b["preferences"]["cities"] = json!(["berlin", "atlantis"])),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("preferences.cities[1]"),
            ),
            (
                "four cities",
                Some("application/json"),
                with(&|b| b["preferences"]["cities"] = json!(["berlin", "london", "paris", "madrid"])),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("preferences.cities"),
            ),
            (
                "missing consent",
                Some("application/json"),
                with(&|b| {
                    b.as_object_mut().unwrap().remove("consent");
                }),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("consent"),
            ),
            (
                "consent refused",
                Some("application/json"),
                with(&|b| b["consent"] = json!(false)),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("consent"),
            ),
            (
                "unknown field",
                Some("application/json"),
                with(&|b| b["tier"] = json!("premium")),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("tier"),
            ),
            (
                "unknown preference field",
                Some("application/json"),
                with(&|b| b["preferences"]["salary"] = json!(90000)),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("preferences.salary"),
            ),
            (
                "consent of the wrong type",
                Some("application/json"),
                with(&|b| b["consent"] = json!("yes")),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("consent"),
            ),
            (
                "cities as a string",
                Some("application/json"),
                with(&|b| b["preferences"]["cities"] = json!("berlin")),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("preferences.cities"),
            ),
            (
                "a city of the wrong type",
                Some("application/json"),
                with(&|b| b["preferences"]["cities"] = json!(["berlin", 7])),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("preferences.cities[1]"),
            ),
            (
                "excluded companies at signup",
                Some("application/json"),
                with(&|b| b["preferences"]["excluded_companies"] = json!(["Initech"])),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("preferences.excluded_companies"),
            ),
            (
                "malformed JSON",
                Some("application/json"),
                r#"{"email": "bad@example.com", "consent": tru"#.to_owned(),
                StatusCode::BAD_REQUEST,
                None,
            ),
            (
                "an array, not an object",
                Some("application/json"),
                "[1, 2]".to_owned(),
                StatusCode::BAD_REQUEST,
                None,
            ),
            (
                "wrong content type",
                Some("application/x-www-form-urlencoded"),
                "email=bad%40example.com&consent=yes".to_owned(),
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                None,
            ),
            (
                "no content type",
                None,
                signup("bad@example.com").to_string(),
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                None,
            ),
            (
                "empty body",
                Some("application/json"),
                String::new(),
                StatusCode::BAD_REQUEST,
                None,
            ),
        ];
        for (case, content_type, body, status, field) in cases {
            let answer = app
                .api_raw(
                    Method::POST,
                    "/api/v1/subscribers",
                    None,
                    content_type,
                    Some(body),
                )
                .await;
            assert_eq!(answer.status, status, "{case}: {}", answer.body);
            answer.assert_problem(status);
            if let Some(field) = field {
                assert!(
                    answer.fields().iter().any(|f| f == field),
                    "{case}: {field} is not named in {}",
                    answer.body
                );
                assert!(
                    answer.body["errors"][0]["message"]
                        .as_str()
                        .is_some_and(|m| !m.is_empty()),
                    "{case}"
                );
            }
        }
        assert!(app.stored("bad@example.com").await.is_none(), "nothing is stored");
        app.drain().await;
        assert!(app.emails().is_empty(), "nothing is sent");
    }
);

app_test!(
    a_signup_names_every_bad_field_at_once,
    |app: TestApp| async move {
        let body = json!({
            "email": "nope",
            "preferences": {"cities": ["atlantis"], "career_paths": ["data"], "visa": "martian"},
            "consent": false
        });
        let answer = app
            .api(Method::POST, "/api/v1/subscribers", None, Some(body))
            .await;
        answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
        let fields = answer.fields();
        for field in [
            "email",
            "consent",
            "preferences.cities[0]",
            "preferences.visa",
            "preferences.experience",
            "preferences.entry_levels",
            "preferences.work_environments",
            "preferences.languages",
        ] {
            assert!(fields.iter().any(|f| f == field), "{field} not in {fields:?}");
        }
    }
);

app_test!(
    a_signup_answers_the_same_for_a_new_pending_active_or_unsubscribed_address,
    |app: TestApp| async move {
        let first = app
            .api(
                Method::POST,
                "/api/v1/subscribers",
                None,
                Some(signup("grace@example.com")),
            )
            .await;
        let pending = app
            .api(
                Method::POST,
                "/api/v1/subscribers",
                None,
                Some(signup("grace@example.com")),
            )
            .await;
        let manage = app.api_subscriber("linus@example.com").await;
        let active = app
            .api(
                Method::POST,
                "/api/v1/subscribers",
                None,
                Some(signup("linus@example.com")),
            )
            .await;
        let unsubscribed_manage = app.api_subscriber("mary@example.com").await;
        let done = app
            .api(
                Method::POST,
                "/api/v1/me/unsubscribe",
                Some(&unsubscribed_manage),
                None,
            )
            .await;
        assert_eq!(done.status, StatusCode::OK);
        let unsubscribed = app
            .api(
                Method::POST,
                "/api/v1/subscribers",
                None,
                Some(signup("mary@example.com")),
            )
            .await;
        for answer in [&pending, &active, &unsubscribed] {
            assert_eq!(answer.status, first.status);
            assert_eq!(answer.body, first.body);
        }
        app.drain().await;
        assert_eq!(
            app.emails_to("grace@example.com").len(),
            1,
            "one link per interval"
        );
        // The signup of a known address changes nothing stored.
        let me = app.api(Method::GET, "/api/v1/me", Some(&manage), None).await;
        assert_eq!(me.body["status"], "active");
    }
);

app_test!(
    the_emailed_token_confirms_and_returns_a_manage_token_once_and_then_grants_nothing,
    |app: TestApp| async move {
        let token = app.api_signup("ada@example.com").await;
        let answer = app
            .api(
                Method::POST,
                "/api/v1/subscribers/verify",
                None,
                Some(json!({ "token": token })),
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        assert_eq!(answer.body["status"], "active");
        assert_eq!(answer.body["confirmed"], "now");
        assert_eq!(answer.header(CACHE_CONTROL), "no-store");
        let expires = OffsetDateTime::parse(
            answer.body["manage_token_expires_at"].as_str().unwrap(),
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap();
        let lifetime = expires - OffsetDateTime::now_utc();
        assert!(
            lifetime > time::Duration::days(29) && lifetime <= time::Duration::days(30),
            "{lifetime}"
        );
        let manage = answer.body["manage_token"].as_str().unwrap().to_owned();
        let me = app.api(Method::GET, "/api/v1/me", Some(&manage), None).await;
        assert_eq!(me.status, StatusCode::OK);
        assert_eq!(me.body["email"], "ada@example.com");
        assert_eq!(me.body["status"], "active");
        assert_eq!(me.body["tier"], "free");
        assert!(me.body["verified_at"].is_string());
        assert!(me.body["created_at"].is_string());
        assert!(me.body["id"].is_string());

        let again = app
            .api(
                Method::POST,
                "/api/v1/subscribers/verify",
                None,
                Some(json!({ "token": token })),
            )
            .await;
        // A spent token in a forwarded email must not mint a manage token again.
        again.assert_problem(StatusCode::CONFLICT);
        assert!(again.body.get("manage_token").is_none(), "{}", again.body);
        let detail = again.body["detail"].as_str().unwrap();
        assert!(
            detail.contains("already confirmed") && detail.contains("POST /api/v1/links"),
            "{detail}"
        );
        // Nor does another confirmation token for an address already confirmed.
        let id = app.stored("ada@example.com").await.unwrap().id;
        let unspent = app
            .state
            .signer
            .sign(Purpose::Verify, id, OffsetDateTime::now_utc());
        let other = app
            .api(
                Method::POST,
                "/api/v1/subscribers/verify",
                None,
                Some(json!({ "token": unspent })),
            )
            .await;
        other.assert_problem(StatusCode::CONFLICT);
        assert!(other.body.get("manage_token").is_none(), "{}", other.body);

        app.drain().await;
        let emails = app.emails_to("ada@example.com");
        assert_eq!(emails.len(), 2, "confirmation, then one welcome: {emails:?}");
    }
);

app_test!(
    confirming_with_a_token_that_cannot_be_used_gets_one_401_whatever_the_reason,
    |app: TestApp| async move {
        let verify = app.api_signup("eve@example.com").await;
        let id = app.stored("eve@example.com").await.unwrap().id;
        let now = OffsetDateTime::now_utc();
        let manage = app.state.signer.sign(Purpose::Manage, id, now);
        let expired = app
            .state
            .signer
            .sign_until(Purpose::Verify, id, now - time::Duration::minutes(1));
        let tampered = format!("{verify}x");
        let mut details = Vec::new();
        for token in [
            manage.as_str(),
            expired.as_str(),
            tampered.as_str(),
            "garbage",
            "",
        ] {
            let answer = app
                .api(
                    Method::POST,
                    "/api/v1/subscribers/verify",
                    None,
                    Some(json!({ "token": token })),
                )
                .await;
            answer.assert_unauthorized();
            details.push(answer.body["detail"].clone());
        }
        details.dedup();
        assert_eq!(details.len(), 1, "one detail for every reason: {details:?}");
        assert_eq!(
            app.stored("eve@example.com").await.unwrap().status,
            SubscriberStatus::Pending
        );
        let missing = app
            .api(Method::POST, "/api/v1/subscribers/verify", None, Some(json!({})))
            .await;
        missing.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(missing.fields(), vec!["token"]);
    }
);

fn links_every_time() -> Options {
    Options {
        env: vec![("JOBPING_SIGNUP_LINK_INTERVAL_MINUTES", "0".into())],
        ..Options::default()
    }
}

app_test!(
    a_lost_link_is_emailed_and_the_answer_is_the_same_for_every_address,
    links_every_time,
    |app: TestApp| async move {
        app.api_subscriber("ada@example.com").await;
        app.drain().await;
        let before = app.emails_to("ada@example.com").len();
        let known = app
            .api(
                Method::POST,
                "/api/v1/links",
                None,
                Some(json!({"email": "ada@example.com"})),
            )
            .await;
        let unknown = app
            .api(
                Method::POST,
                "/api/v1/links",
                None,
                Some(json!({"email": "nobody@example.com"})),
            )
            .await;
        assert_eq!(known.status, StatusCode::ACCEPTED);
        assert_eq!(known.body, unknown.body);
        assert_eq!(known.status, unknown.status);
        app.drain().await;
        assert!(app.emails_to("nobody@example.com").is_empty());
        let emails = app.emails_to("ada@example.com");
        assert_eq!(emails.len(), before + 1);
        // The emailed manage link's token opens the API.
        let manage = emails.last().unwrap().token_for("/preferences");
        let me = app.api(Method::GET, "/api/v1/me", Some(&manage), None).await;
        assert_eq!(me.body["email"], "ada@example.com");

        let bad = app
            .api(
                Method::POST,
                "/api/v1/links",
                None,
                Some(json!({"email": "not-an-address"})),
            )
            .await;
        bad.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(bad.fields(), vec!["email"]);
        let unknown_field = app
            .api(
                Method::POST,
                "/api/v1/links",
                None,
                Some(json!({"email": "ada@example.com", "purpose": "delete"})),
            )
            .await;
        unknown_field.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(unknown_field.fields(), vec!["purpose"]);
    }
);

fn two_per_hour() -> Options {
    Options {
        env: vec![("JOBPING_SIGNUP_PER_IP_PER_HOUR", "2".into())],
        ..Options::default()
    }
}

app_test!(
    signups_and_link_requests_from_one_address_are_limited_and_mistakes_do_not_count,
    two_per_hour,
    |app: TestApp| async move {
        for _ in 0..3 {
            let bad = app
                .api(
                    Method::POST,
                    "/api/v1/subscribers",
                    None,
                    Some(json!({"email": "nope"})),
                )
                .await;
            assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        }
        for n in 0..2 {
            let answer = app
                .api(
                    Method::POST,
                    "/api/v1/subscribers",
                    None,
                    Some(signup(&format!("p{n}@example.com"))),
                )
                .await;
            assert_eq!(answer.status, StatusCode::ACCEPTED);
        }
        let limited = app
            .api(
                Method::POST,
                "/api/v1/subscribers",
                None,
                Some(signup("p3@example.com")),
            )
            .await;
        limited.assert_problem(StatusCode::TOO_MANY_REQUESTS);
        let wait: u64 = limited.header(RETRY_AFTER).parse().unwrap();
        assert!(wait > 0);
        assert!(app.stored("p3@example.com").await.is_none());

        let link = app
            .api(
                Method::POST,
                "/api/v1/links",
                None,
                Some(json!({"email": "p0@example.com"})),
            )
            .await;
        link.assert_problem(StatusCode::TOO_MANY_REQUESTS);
        assert!(!link.header(RETRY_AFTER).is_empty());
    }
);
