//! The subscriber JSON API under `/api/v1`, as a client with only HTTP and an inbox
//! would use it: signup, the emailed token, the manage token, and every way to get it
//! wrong.

use jobping::tokens::Purpose;
use jobping_core::normalize::normalize;
use jobping_core::{EmailAddress, RawPosting, SubscriberStatus, Taxonomy};
use jobping_store::StoreError;
use reqwest::header::{CACHE_CONTROL, CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::app_test;
use crate::helpers::{Options, TestApp};

/// Valid preferences in DESIGN.md's shape.
fn preferences() -> Value {
    json!({
        "cities": ["berlin", "london"],
        "career_paths": ["data"],
        "roles": ["Data Analyst"],
        "entry_levels": ["graduate", "entry"],
        "experience": "none",
        "work_environments": ["office", "hybrid", "remote"],
        "visa": "sponsorship",
        "languages": ["en"],
        "skills": ["sql", "python"],
        "keywords": [],
        "excluded_companies": [],
        "start_date": "2026-09-01"
    })
}

fn signup(email: &str) -> Value {
    json!({"email": email, "preferences": preferences(), "consent": true, "marketing": false})
}

/// An API answer: status, headers and the body as JSON (`Null` when empty or not JSON).
struct Answer {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

impl Answer {
    fn header(&self, name: impl reqwest::header::AsHeaderName) -> &str {
        self.headers.get(name).map_or("", |v| v.to_str().unwrap_or(""))
    }

    /// The fields a problem document names.
    fn fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .map(|e| e["field"].as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Asserts this is a problem document with `status`.
    fn assert_problem(&self, status: StatusCode) {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(
            self.header(CONTENT_TYPE),
            "application/problem+json",
            "{}",
            self.body
        );
        assert_eq!(self.body["status"], status.as_u16(), "{}", self.body);
        assert!(
            self.body["detail"].as_str().is_some_and(|d| !d.is_empty()),
            "{}",
            self.body
        );
    }

    /// Asserts a 401 with a Bearer challenge.
    fn assert_unauthorized(&self) {
        self.assert_problem(StatusCode::UNAUTHORIZED);
        assert!(
            self.header(WWW_AUTHENTICATE).starts_with("Bearer"),
            "{:?}",
            self.headers
        );
    }
}

impl TestApp {
    /// Sends `body` (raw, with `content_type`) with an optional bearer token.
    async fn api_raw(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        content_type: Option<&str>,
        body: Option<String>,
    ) -> Answer {
        let mut request = self.client.request(method, format!("{}{path}", self.address));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(content_type) = content_type {
            request = request.header(CONTENT_TYPE, content_type);
        }
        if let Some(body) = body {
            request = request.body(body);
        }
        let response = request.send().await.expect("the request is answered");
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        Answer {
            status,
            headers,
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
        }
    }

    async fn api(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> Answer {
        let content_type = body.as_ref().map(|_| "application/json");
        self.api_raw(method, path, token, content_type, body.map(|b| b.to_string()))
            .await
    }

    /// Signs up over the API and returns the confirmation token from the email.
    async fn api_signup(&self, email: &str) -> String {
        let answer = self
            .api(Method::POST, "/api/v1/subscribers", None, Some(signup(email)))
            .await;
        assert_eq!(answer.status, StatusCode::ACCEPTED, "{}", answer.body);
        self.drain().await;
        self.emails_to(email)
            .last()
            .expect("a confirmation email")
            .token_for("/verify")
    }

    /// Signs up and confirms over the API; returns the manage token.
    async fn api_subscriber(&self, email: &str) -> String {
        let token = self.api_signup(email).await;
        let answer = self
            .api(
                Method::POST,
                "/api/v1/subscribers/verify",
                None,
                Some(json!({ "token": token })),
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        answer.body["manage_token"].as_str().unwrap().to_owned()
    }

    /// A token of `purpose` made with the manage token, through the API.
    async fn api_token(&self, manage: &str, purpose: &str) -> String {
        let answer = self
            .api(
                Method::POST,
                "/api/v1/me/tokens",
                Some(manage),
                Some(json!({ "purpose": purpose })),
            )
            .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        answer.body["token"].as_str().unwrap().to_owned()
    }

    async fn stored(&self, email: &str) -> Option<jobping_store::Subscriber> {
        self.state
            .store
            .subscriber_by_email(&EmailAddress::parse(email).unwrap())
            .await
            .unwrap()
    }
}

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

app_test!(
    a_signup_with_bad_input_gets_the_right_4xx_naming_what_is_wrong,
    |app: TestApp| async move {
        let with = |change: &dyn Fn(&mut Value)| {
            let mut body = signup("bad@example.com");
            change(&mut body);
            body.to_string()
        };
        let cases: Vec<(&str, Option<&str>, String, StatusCode, Option<&str>)> = vec![
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
    the_emailed_token_confirms_and_returns_a_manage_token_and_a_second_time_says_already,
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
        assert_eq!(again.status, StatusCode::OK);
        assert_eq!(again.body["confirmed"], "already");
        assert!(again.body["manage_token"].is_string());

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

app_test!(
    the_openapi_document_describes_every_path_method_and_problem,
    |app: TestApp| async move {
        let answer = app.api(Method::GET, "/api/v1/openapi.json", None, None).await;
        assert_eq!(answer.status, StatusCode::OK);
        assert!(answer.header(CONTENT_TYPE).starts_with("application/json"));
        assert_eq!(answer.header(CACHE_CONTROL), "no-store");
        let doc = answer.body;
        assert!(
            doc["openapi"].as_str().unwrap().starts_with("3.1"),
            "{}",
            doc["openapi"]
        );
        let expected = [
            ("/api/v1/subscribers", "post", false),
            ("/api/v1/subscribers/verify", "post", false),
            ("/api/v1/links", "post", false),
            ("/api/v1/me", "get", true),
            ("/api/v1/me", "delete", true),
            ("/api/v1/me/preferences", "get", true),
            ("/api/v1/me/preferences", "put", true),
            ("/api/v1/me/matches", "get", true),
            ("/api/v1/me/tokens", "post", true),
            ("/api/v1/me/export", "get", true),
            ("/api/v1/me/unsubscribe", "post", true),
            ("/api/v1/openapi.json", "get", false),
        ];
        for (path, method, secured) in expected {
            let operation = &doc["paths"][path][method];
            assert!(operation.is_object(), "{method} {path} is missing");
            assert!(operation["responses"].is_object(), "{method} {path}");
            if secured {
                assert_eq!(operation["security"], json!([{"bearer": []}]), "{method} {path}");
                assert!(
                    operation["responses"]["401"]["$ref"].is_string(),
                    "{method} {path} lists its 401"
                );
            }
            if method == "post" && path != "/api/v1/me/unsubscribe" || method == "put" {
                assert!(
                    operation["requestBody"]["content"]["application/json"]["schema"].is_object(),
                    "{method} {path} has a JSON body"
                );
                assert!(operation["responses"]["422"].is_object(), "{method} {path}");
            }
        }
        let paths = doc["paths"].as_object().unwrap().len();
        assert_eq!(paths, 10, "no path left undocumented or unexpected");
        assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
        assert_eq!(doc["components"]["securitySchemes"]["bearer"]["type"], "http");
        assert!(
            doc["components"]["responses"]["Invalid"]["content"]["application/problem+json"].is_object(),
            "{}",
            doc["components"]["responses"]
        );
        assert!(
            doc["components"]["responses"]["TooMany"]["headers"]["Retry-After"].is_object(),
            "429 names Retry-After"
        );
        assert!(doc["components"]["responses"]["Unauthorized"]["headers"]["WWW-Authenticate"].is_object());
        for schema in [
            "Problem",
            "FieldError",
            "Preferences",
            "SignupBody",
            "Verified",
            "MatchItem",
        ] {
            assert!(
                doc["components"]["schemas"][schema].is_object(),
                "{schema} is described"
            );
        }
        let preferences = &doc["components"]["schemas"]["Preferences"]["properties"];
        for field in preferences_fields() {
            assert!(preferences[field.as_str()].is_object(), "Preferences.{field}");
        }
        assert_eq!(
            doc["components"]["schemas"]["SignupBody"]["additionalProperties"],
            json!(false),
            "unknown fields are refused"
        );
    }
);

fn preferences_fields() -> Vec<String> {
    preferences().as_object().unwrap().keys().cloned().collect()
}

app_test!(
    a_wrong_method_or_unknown_path_under_the_api_is_a_problem_document,
    |app: TestApp| async move {
        let answer = app.api(Method::GET, "/api/v1/subscribers", None, None).await;
        answer.assert_problem(StatusCode::METHOD_NOT_ALLOWED);
        assert!(answer.header("allow").contains("POST"), "{:?}", answer.headers);
        let answer = app.api(Method::GET, "/api/v1/nothing-here", None, None).await;
        answer.assert_problem(StatusCode::NOT_FOUND);
    }
);
