//! Operator access: the admin API's keys and scopes, kill switches that stop their work,
//! the audit trail, the `/admin` console and the `admin-key` command.

use jobping::operators::{self, Scope};
use jobping_core::EmailAddress;
use reqwest::StatusCode;
use reqwest::header::{CACHE_CONTROL, LOCATION, SET_COOKIE};
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::app_test;
use crate::delivery::{always_due, digests, store_jobs};
use crate::helpers::{Options, TestApp};

const BOOTSTRAP: &str = "bootstrap-key-for-tests-0123456789";

fn with_admin_key() -> Options {
    Options {
        env: vec![("JOBPING_ADMIN_KEY", BOOTSTRAP.into())],
        ..Options::default()
    }
}

fn due_with_admin_key() -> Options {
    let mut options = always_due();
    options.env.push(("JOBPING_ADMIN_KEY", BOOTSTRAP.into()));
    options
}

impl TestApp {
    async fn admin(
        &self,
        method: reqwest::Method,
        path: &str,
        key: Option<&str>,
        body: Option<Value>,
    ) -> reqwest::Response {
        let mut request = self.client.request(method, format!("{}{path}", self.address));
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.expect("the request is answered")
    }

    async fn key(&self, name: &str, scopes: &[Scope]) -> String {
        operators::create_key(&self.state, name, scopes, OffsetDateTime::now_utc())
            .await
            .unwrap()
            .0
    }

    async fn audit_actions(&self) -> Vec<(String, String, Option<String>)> {
        self.state
            .store
            .audit_page(None, 100)
            .await
            .unwrap()
            .into_iter()
            .map(|e| (e.actor, e.action, e.target_hash))
            .collect()
    }
}

async fn problem(response: reqwest::Response) -> (StatusCode, String, Value) {
    let status = response.status();
    let kind = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, kind, response.json().await.unwrap())
}

app_test!(
    without_any_admin_key_the_admin_api_says_it_is_disabled,
    |app: TestApp| async move {
        let (status, kind, body) = problem(
            app.admin(reqwest::Method::GET, "/api/v1/admin/stats", Some("jpk_x"), None)
                .await,
        )
        .await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(kind, "application/problem+json");
        assert!(
            body["detail"].as_str().unwrap().contains("admin API is disabled"),
            "{body}"
        );
        let console = app.get("/admin").await;
        assert_eq!(console.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(console.text().await.unwrap().contains("disabled"));
    }
);

app_test!(
    admin_routes_answer_by_key_and_scope,
    with_admin_key,
    |app: TestApp| async move {
        use reqwest::Method;
        let reader = app.key("dashboards", &[Scope::Read]).await;
        let stats = "/api/v1/admin/stats";

        for key in [
            None,
            Some("wrong"),
            Some("jpk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
        ] {
            let (status, kind, _) = problem(app.admin(Method::GET, stats, key, None).await).await;
            assert_eq!(
                (status, kind.as_str()),
                (StatusCode::UNAUTHORIZED, "application/problem+json"),
                "{key:?}"
            );
        }

        let ok = app.admin(Method::GET, stats, Some(&reader), None).await;
        assert_eq!(ok.status(), StatusCode::OK);
        assert_eq!(ok.headers()[CACHE_CONTROL], "no-store");
        let body: Value = ok.json().await.unwrap();
        assert!(
            body["stats"]["subscribers"].is_array() && body["queue"]["dead"].is_u64(),
            "{body}"
        );
        let listed = app.state.store.admin_keys().await.unwrap();
        assert!(listed[0].last_used_at.is_some(), "a use is noted");

        // Read only: no switch flips, no look-ups.
        let flip = app
            .admin(
                Method::PUT,
                "/api/v1/admin/switches/sending",
                Some(&reader),
                Some(json!({ "enabled": false })),
            )
            .await;
        let (status, _, body) = problem(flip).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(body["detail"].as_str().unwrap().contains("`write`"), "{body}");
        let look = app
            .admin(
                Method::GET,
                "/api/v1/admin/subscribers?email=a%40example.com",
                Some(&reader),
                None,
            )
            .await;
        assert_eq!(look.status(), StatusCode::FORBIDDEN);
        assert_eq!(app.state.store.switch("sending").await.unwrap(), None);

        // The bootstrap key may do everything; a bad switch name is a 422 naming it.
        let bad = app
            .admin(
                Method::PUT,
                "/api/v1/admin/switches/sendin",
                Some(BOOTSTRAP),
                Some(json!({ "enabled": false })),
            )
            .await;
        let (status, _, body) = problem(bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["errors"][0]["field"], "name", "{body}");
        let audit = app
            .admin(Method::GET, "/api/v1/admin/audit?limit=5", Some(BOOTSTRAP), None)
            .await;
        assert_eq!(audit.status(), StatusCode::OK);
        let paging = app
            .admin(Method::GET, "/api/v1/admin/audit?limit=0", Some(BOOTSTRAP), None)
            .await;
        assert_eq!(paging.status(), StatusCode::UNPROCESSABLE_ENTITY);

        // Revoked: the key stops working at once.
        let id = listed[0].id;
        assert!(
            app.state
                .store
                .revoke_admin_key(id, OffsetDateTime::now_utc())
                .await
                .unwrap()
        );
        let revoked = app.admin(Method::GET, stats, Some(&reader), None).await;
        assert_eq!(revoked.status(), StatusCode::UNAUTHORIZED);

        let document: Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
        assert!(document["paths"]["/api/v1/admin/switches/{name}"]["put"].is_object());
    }
);

app_test!(
    switching_sending_off_through_the_api_stops_the_delivery_round_and_is_audited,
    due_with_admin_key,
    |app: TestApp| async move {
        use reqwest::Method;
        store_jobs(&app).await;
        app.signed_up_and_confirmed("ada@example.com").await;
        app.drain().await;
        let operator = app.key("night-shift", &[Scope::Read, Scope::Write]).await;

        let off = app
            .admin(
                Method::PUT,
                "/api/v1/admin/switches/sending",
                Some(&operator),
                Some(json!({ "enabled": false })),
            )
            .await;
        assert_eq!(off.status(), StatusCode::OK);
        let round = app
            .admin(
                Method::POST,
                "/api/v1/admin/rounds/delivery",
                Some(&operator),
                None,
            )
            .await;
        assert_eq!(round.status(), StatusCode::ACCEPTED);
        app.drain().await;
        assert!(digests(&app, "ada@example.com").is_empty(), "sending is off");

        let switches: Value = app
            .admin(Method::GET, "/api/v1/admin/switches", Some(&operator), None)
            .await
            .json()
            .await
            .unwrap();
        let sending = switches["switches"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == "sending")
            .unwrap();
        assert_eq!(
            (sending["enabled"].clone(), sending["updated_by"].clone()),
            (json!(false), json!("admin:night-shift"))
        );

        let on = app
            .admin(
                Method::PUT,
                "/api/v1/admin/switches/sending",
                Some(&operator),
                Some(json!({ "enabled": true })),
            )
            .await;
        assert_eq!(on.status(), StatusCode::OK);
        app.admin(
            Method::POST,
            "/api/v1/admin/rounds/delivery",
            Some(&operator),
            None,
        )
        .await;
        app.drain().await;
        assert_eq!(digests(&app, "ada@example.com").len(), 1, "sending is back on");

        let actions = app.audit_actions().await;
        let by_operator: Vec<&str> = actions
            .iter()
            .filter(|(actor, _, _)| actor == "admin:night-shift")
            .map(|(_, action, _)| action.as_str())
            .collect();
        assert_eq!(
            by_operator,
            [
                "admin.delivery_triggered",
                "admin.switch_set",
                "admin.delivery_triggered",
                "admin.switch_set"
            ]
        );
    }
);

app_test!(
    a_switched_off_source_is_not_scraped,
    || {
        Options {
        env: vec![
            ("JOBPING_ADMIN_KEY", BOOTSTRAP.into()),
            ("JOBPING_SCRAPE_MIN_HOST_DELAY_MS", "0".into()),
        ],
        // Nothing listens on port 9: were the board fetched, its run would be recorded as failed.
        toml: Some("[[sources]]\nkind = \"greenhouse\"\nboards = [\"fjordpay\"]\nbase_url = \"http://127.0.0.1:9\"\n".into()),
        ..Options::default()
    }
    },
    |app: TestApp| async move {
        use reqwest::Method;
        let off = app
            .admin(
                Method::PUT,
                "/api/v1/admin/switches/scraping:greenhouse",
                Some(BOOTSTRAP),
                Some(json!({ "enabled": false })),
            )
            .await;
        assert_eq!(off.status(), StatusCode::OK);
        let round = app
            .admin(
                Method::POST,
                "/api/v1/admin/rounds/scrape",
                Some(BOOTSTRAP),
                Some(json!({ "source": "greenhouse" })),
            )
            .await;
        assert_eq!(round.status(), StatusCode::ACCEPTED);
        app.drain().await;
        assert!(
            app.state.store.source_statuses().await.unwrap().is_empty(),
            "nothing was fetched"
        );

        let unknown = app
            .admin(
                Method::POST,
                "/api/v1/admin/rounds/scrape",
                Some(BOOTSTRAP),
                Some(json!({ "source": "lever" })),
            )
            .await;
        assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let garbled = app
            .client
            .post(format!("{}/api/v1/admin/rounds/scrape", app.address))
            .bearer_auth(BOOTSTRAP)
            .header("content-type", "application/json")
            .body("{not json")
            .send()
            .await
            .unwrap();
        let (status, kind, _) = problem(garbled).await;
        assert_eq!(
            (status, kind.as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, "application/problem+json")
        );

        // Back on, the round reaches the board (and records its failure to connect).
        app.admin(
            Method::PUT,
            "/api/v1/admin/switches/scraping:greenhouse",
            Some(BOOTSTRAP),
            Some(json!({ "enabled": true })),
        )
        .await;
        app.admin(Method::POST, "/api/v1/admin/rounds/scrape", Some(BOOTSTRAP), None)
            .await;
        app.drain().await;
        assert_eq!(app.state.store.source_statuses().await.unwrap().len(), 1);
    }
);

app_test!(
    a_subscriber_look_up_answers_and_is_audited_with_the_address_hash_only,
    with_admin_key,
    |app: TestApp| async move {
        use reqwest::Method;
        app.signed_up_and_confirmed("grace@example.com").await;
        let support = app.key("support", &[Scope::Subscribers]).await;
        let found = app
            .admin(
                Method::GET,
                "/api/v1/admin/subscribers?email=Grace%40Example.com",
                Some(&support),
                None,
            )
            .await;
        assert_eq!(found.status(), StatusCode::OK);
        let body: Value = found.json().await.unwrap();
        assert_eq!(
            (body["status"].clone(), body["tier"].clone()),
            (json!("active"), json!("free")),
            "{body}"
        );
        assert!(
            body["verified_at"].is_string() && body["deliveries_sent"].is_u64(),
            "{body}"
        );

        let missing = app
            .admin(
                Method::GET,
                "/api/v1/admin/subscribers?email=nobody%40example.com",
                Some(&support),
                None,
            )
            .await;
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
        let bad = app
            .admin(
                Method::GET,
                "/api/v1/admin/subscribers?email=not-an-address",
                Some(&support),
                None,
            )
            .await;
        let (status, _, body) = problem(bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["errors"][0]["field"], "email");

        let grace = EmailAddress::parse("grace@example.com").unwrap();
        let hash = app.state.signer.audit_hash(&grace);
        assert_ne!(hash, grace.hashed(), "audit entries keep a keyed hash");
        let lookups: Vec<_> = app
            .audit_actions()
            .await
            .into_iter()
            .filter(|(_, action, _)| action == "admin.subscriber_lookup")
            .collect();
        assert_eq!(lookups.len(), 2, "both look-ups are audited");
        assert_eq!(
            lookups[1],
            (
                "admin:support".into(),
                "admin.subscriber_lookup".into(),
                Some(hash)
            )
        );
        let log = serde_json::to_string(&app.state.store.audit_page(None, 100).await.unwrap()).unwrap();
        assert!(
            !log.contains("grace@") && !log.contains("nobody@"),
            "no address in the audit log"
        );
    }
);

/// The console's session cookie from a login answer.
fn session_cookie(response: &reqwest::Response) -> String {
    let set = response.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict"),
        "{set}"
    );
    set.split(';').next().unwrap().to_owned()
}

app_test!(
    the_console_signs_in_with_a_key_shows_the_figures_and_ends_with_the_key,
    due_with_admin_key,
    |app: TestApp| async move {
        store_jobs(&app).await;
        app.signed_up_and_confirmed("ada@example.com").await;
        app.drain().await;
        let key = app.key("console", &[Scope::Read, Scope::Write]).await;

        let login = app.get("/admin").await;
        assert_eq!(login.status(), StatusCode::OK);
        assert_eq!(login.headers()[CACHE_CONTROL], "no-store");
        assert!(login.text().await.unwrap().contains("name=\"key\""));

        let refused = app
            .client
            .post(format!("{}/admin/login", app.address))
            .form(&[("key", "jpk_wrong")])
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
        assert!(refused.headers().get(SET_COOKIE).is_none());

        let signed_in = app
            .client
            .post(format!("{}/admin/login", app.address))
            .form(&[("key", key.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
        assert_eq!(signed_in.headers()[LOCATION], "/admin");
        let cookie = session_cookie(&signed_in);

        let page = app
            .client
            .get(format!("{}/admin", app.address))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        assert_eq!(page.headers()[CACHE_CONTROL], "no-store");
        let html = page.text().await.unwrap();
        assert!(
            html.contains("Admin dashboard") && html.contains("<svg"),
            "the dashboard"
        );
        assert!(
            html.contains("<td>active</td><td>free</td><td>1</td>"),
            "subscribers by status and tier"
        );
        assert!(html.contains("3 active jobs"), "jobs");
        assert!(html.contains("greenhouse"), "jobs by source");
        assert!(html.contains("admin.login"), "the audit log shows the login");

        // A switch flipped from the console is set and audited.
        let flipped = app
            .client
            .post(format!("{}/admin/switches", app.address))
            .header("cookie", &cookie)
            .form(&[("name", "reranking"), ("enabled", "off")])
            .send()
            .await
            .unwrap();
        assert_eq!(flipped.status(), StatusCode::SEE_OTHER);
        assert_eq!(app.state.store.switch("reranking").await.unwrap(), Some(false));
        let unknown = app
            .client
            .post(format!("{}/admin/switches", app.address))
            .header("cookie", &cookie)
            .form(&[("name", "everything"), ("enabled", "off")])
            .send()
            .await
            .unwrap();
        assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            unknown
                .text()
                .await
                .unwrap()
                .contains("unknown switch `everything`")
        );
        assert!(
            app.audit_actions()
                .await
                .iter()
                .any(|(actor, action, _)| actor == "admin:console" && action == "admin.switch_set")
        );

        // Revoking the key ends the session.
        let id = app.state.store.admin_keys().await.unwrap()[0].id;
        app.state
            .store
            .revoke_admin_key(id, OffsetDateTime::now_utc())
            .await
            .unwrap();
        let after = app
            .client
            .get(format!("{}/admin", app.address))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        let html = after.text().await.unwrap();
        assert!(
            !html.contains("Admin dashboard") && html.contains("name=\"key\""),
            "back to the sign-in form"
        );
    }
);

app_test!(
    a_key_without_the_read_scope_gets_a_403_page_not_the_console,
    with_admin_key,
    |app: TestApp| async move {
        let writer = app.key("switcher", &[Scope::Write]).await;
        let signed_in = app
            .client
            .post(format!("{}/admin/login", app.address))
            .form(&[("key", writer.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
        let cookie = session_cookie(&signed_in);

        let page = app
            .client
            .get(format!("{}/admin", app.address))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::FORBIDDEN);
        assert_eq!(page.headers()[CACHE_CONTROL], "no-store");
        assert!(
            page.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let html = page.text().await.unwrap();
        assert!(html.contains("lacks the read scope"), "says why: {html}");
        assert!(
            !html.contains("Admin dashboard") && !html.contains("admin.login"),
            "neither the figures nor the audit log: {html}"
        );

        // The API answers the same key as before: 403 problem+json for reading.
        let (status, kind, body) = problem(
            app.admin(reqwest::Method::GET, "/api/v1/admin/stats", Some(&writer), None)
                .await,
        )
        .await;
        assert_eq!(
            (status, kind.as_str()),
            (StatusCode::FORBIDDEN, "application/problem+json")
        );
        assert!(body["detail"].as_str().unwrap().contains("`read`"), "{body}");
    }
);

#[tokio::test]
async fn the_admin_key_command_creates_lists_and_revokes_keys() {
    use std::process::Command;
    let dir = tempfile::tempdir().unwrap();
    let db = jobping_store::testing::TestDb::sqlite();
    let run = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_jobping"))
            .current_dir(dir.path())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATABASE_URL", &db.url)
            .env("JOBPING_SECRET", "a-secret-for-tests-a-secret-for-tests")
            .args(args)
            .output()
            .unwrap();
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (ok, out, err) = run(&[
        "admin-key",
        "create",
        "--name",
        "ops",
        "--scope",
        "read",
        "--scope",
        "write",
    ]);
    assert!(ok, "{err}");
    let key = out
        .lines()
        .find(|l| l.starts_with("jpk_"))
        .expect("the key is printed")
        .to_owned();
    assert!(out.contains("read, write"), "{out}");

    let (ok, _, err) = run(&["admin-key", "create", "--name", "ops"]);
    assert!(!ok && err.contains("already exists"), "{err}");
    let (ok, _, err) = run(&["admin-key", "create", "--name", "x", "--scope", "root"]);
    assert!(!ok && err.contains("unknown scope `root`"), "{err}");

    let (ok, out, _) = run(&["admin-key", "list"]);
    assert!(ok && out.contains("ops") && out.contains("read,write"), "{out}");
    assert!(!out.contains(&key), "the key is never listed");

    let (ok, out, err) = run(&["admin-key", "revoke", "ops"]);
    assert!(ok && out.contains("Revoked"), "{out}{err}");
    let (ok, out, _) = run(&["admin-key", "list", "--json"]);
    let listed: Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert!(ok && listed["revoked_at"].is_string(), "{out}");
    let (ok, _, err) = run(&["admin-key", "revoke", "nobody"]);
    assert!(!ok && err.contains("`nobody`"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_switched_off_reranking_calls_no_model_and_keeps_the_built_in_order() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    let options = Options {
        toml: Some(format!(
            "[rerank]\nenabled = true\nmode = \"chat\"\nbase_url = \"{}/v1\"\nmodel = \"test-model\"\n",
            server.uri()
        )),
        ..Options::default()
    };
    let app = crate::helpers::spawn_app(jobping_store::Backend::Sqlite, options)
        .await
        .unwrap();
    store_jobs(&app).await;
    let preferences = crate::rerank::preferences();

    app.state
        .store
        .set_switch("reranking", false, "admin:test", OffsetDateTime::now_utc())
        .await
        .unwrap();
    let (off, _) = jobping::journey::matches::rank_for(&app.state, &preferences, None)
        .await
        .unwrap();
    assert!(off.len() >= 2, "enough jobs to re-rank");
    assert!(
        server.received_requests().await.unwrap().is_empty(),
        "no call while switched off"
    );

    app.state
        .store
        .set_switch("reranking", true, "admin:test", OffsetDateTime::now_utc())
        .await
        .unwrap();
    jobping::journey::matches::rank_for(&app.state, &preferences, None)
        .await
        .unwrap();
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        1,
        "switched on, the model is asked"
    );
}
