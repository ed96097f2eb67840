use std::time::{Duration, Instant};

use jobping_store::Backend;
use jobping_store::testing::TestDb;
use serde_json::Value;

use crate::app_test;
use crate::forwarder::Forwarder;
use crate::helpers::{Options, TestApp, spawn_app_on};

/// However a dependency fails, `/ready` answers within this: a load balancer's probe
/// gives up after a few seconds.
const PROBE_PATIENCE: Duration = Duration::from_secs(3);

/// The bootstrap admin key these tests configure to read `/ready`'s details and `/metrics`.
pub const OPERATOR_KEY: &str = "health-tests-bootstrap-admin-key-0123456789";

/// Test options with the bootstrap admin key added to `env`.
pub fn with_operator_key(env: Vec<(&'static str, String)>) -> Options {
    let mut env = env;
    env.push(("JOBPING_ADMIN_KEY", OPERATOR_KEY.into()));
    Options {
        env,
        ..Options::default()
    }
}

fn operator_key() -> Options {
    with_operator_key(Vec::new())
}

impl TestApp {
    /// `GET path` as an operator (the bootstrap key, which has every scope).
    pub async fn get_as_operator(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .bearer_auth(OPERATOR_KEY)
            .send()
            .await
            .expect("the request is answered")
    }
}

app_test!(
    health_answers_ok_with_security_headers_and_a_request_id,
    |app: TestApp| async move {
        let response = app.get("/health").await;
        assert_eq!(response.status(), 200);
        let headers = response.headers().clone();
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["x-frame-options"], "DENY");
        assert!(
            headers["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("frame-ancestors 'none'")
        );
        assert!(!headers["x-request-id"].is_empty());
        let permissions = headers["permissions-policy"].to_str().unwrap();
        for feature in ["camera=()", "microphone=()", "geolocation=()", "payment=()"] {
            assert!(permissions.contains(feature), "{permissions}");
        }
        assert!(
            headers.get("strict-transport-security").is_none(),
            "no HSTS on a plain-http base URL"
        );
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["status"], "ok");
    }
);

app_test!(
    every_answer_carries_the_permissions_policy_even_an_error,
    |app: TestApp| async move {
        for path in ["/", "/signup", "/no/such/page", "/api/v1/openapi.json"] {
            let response = app.get(path).await;
            assert!(
                response.headers()["permissions-policy"]
                    .to_str()
                    .unwrap()
                    .contains("camera=()"),
                "{path}"
            );
        }
    }
);

app_test!(
    a_request_id_sent_by_the_client_is_echoed,
    |app: TestApp| async move {
        let response = app
            .client
            .get(format!("{}/health", app.address))
            .header("x-request-id", "trace-me-42")
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["x-request-id"], "trace-me-42");
    }
);

app_test!(
    ready_names_the_database_the_queue_and_each_schedule,
    operator_key,
    |app: TestApp| async move {
        let response = app.get_as_operator("/ready").await;
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["status"], "ready");
        let backend = app.state.store.backend().as_str();
        assert_eq!(body["checks"]["database"]["status"], "up");
        assert_eq!(body["checks"]["database"]["backend"], backend);
        assert_eq!(body["checks"]["queue"]["pending"], 0);
        assert!(body["checks"]["queue"].get("oldest_due_age_seconds").is_some());
        assert_eq!(body["checks"]["schedules"]["housekeeping"]["enabled"], true);
        assert!(body["checks"].get("redis").is_none(), "Redis is not configured");
    }
);

fn with_live_redis() -> Options {
    with_operator_key(vec![("REDIS_URL", "redis://127.0.0.1:6379".into())])
}

app_test!(
    ready_checks_redis_when_it_is_configured,
    with_live_redis,
    |app: TestApp| async move {
        let response = app.get_as_operator("/ready").await;
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["checks"]["redis"]["status"], "up", "{body}");
    }
);

fn with_dead_redis() -> Options {
    // Nothing listens on port 1.
    with_operator_key(vec![("REDIS_URL", "redis://127.0.0.1:1".into())])
}

app_test!(
    ready_is_503_when_configured_redis_is_down,
    with_dead_redis,
    |app: TestApp| async move {
        let bare = app.get("/ready").await;
        assert_eq!(bare.status(), 503);
        let bare: Value = bare.json().await.unwrap();
        assert_eq!(
            bare,
            serde_json::json!({"status": "not_ready"}),
            "nothing about why"
        );
        let response = app.get_as_operator("/ready").await;
        assert_eq!(response.status(), 503);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["status"], "not_ready");
        assert_eq!(body["checks"]["redis"]["status"], "down");
        assert_eq!(body["checks"]["database"]["status"], "up");
        assert_eq!(
            app.get("/health").await.status(),
            200,
            "liveness does not depend on Redis"
        );
    }
);

app_test!(
    metrics_are_prometheus_text_with_requests_and_queue_depth,
    operator_key,
    |app: TestApp| async move {
        assert_eq!(app.get("/health").await.status(), 200);
        let response = app.get_as_operator("/metrics").await;
        assert_eq!(response.status(), 200);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/plain")
        );
        let text = response.text().await.unwrap();
        assert!(
            text.contains("# TYPE jobping_http_requests_total counter"),
            "{text}"
        );
        assert!(
            text.contains(r#"jobping_http_requests_total{route="/health",method="GET",status="200"}"#),
            "{text}"
        );
        assert!(
            text.contains("# TYPE jobping_http_request_duration_seconds histogram"),
            "{text}"
        );
        assert!(text.contains(r#"jobping_queue_tasks{state="pending"}"#), "{text}");
    }
);

app_test!(
    an_unknown_route_is_a_problem_json_404,
    |app: TestApp| async move {
        let response = app.get("/no/such/page?token=secret").await;
        assert_eq!(response.status(), 404);
        assert_eq!(response.headers()["content-type"], "application/problem+json");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["status"], 404);
        assert_eq!(body["title"], "Not Found");
    }
);

fn with_separate_metrics_listener() -> Options {
    with_operator_key(vec![("JOBPING_METRICS_BIND", "127.0.0.1:0".into())])
}

app_test!(
    with_a_metrics_listener_metrics_move_off_the_main_one,
    with_separate_metrics_listener,
    |app: TestApp| async move {
        assert_eq!(app.get("/metrics").await.status(), 404);
        assert_eq!(
            app.get_as_operator("/metrics").await.status(),
            404,
            "not on the main listener, even for an operator"
        );
        let metrics = app.metrics_address.clone().expect("a metrics listener");
        let text = app
            .client
            .get(format!("{metrics}/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(text.contains("jobping_queue_tasks"), "{text}");

        // The metrics listener is the operator's: /ready there has the details.
        let ready: Value = app
            .client
            .get(format!("{metrics}/ready"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(ready["checks"]["database"]["status"], "up", "{ready}");
        let public: Value = app.get("/ready").await.json().await.unwrap();
        assert_eq!(public, serde_json::json!({"status": "ready"}));
    }
);

app_test!(
    ready_tells_anyone_only_whether_the_service_is_ready,
    operator_key,
    |app: TestApp| async move {
        let response = app.get("/ready").await;
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body, serde_json::json!({"status": "ready"}), "no details: {body}");
    }
);

app_test!(
    ready_details_need_an_admin_key_that_may_read,
    operator_key,
    |app: TestApp| async move {
        let wrong = app
            .client
            .get(format!("{}/ready", app.address))
            .bearer_auth("jpk_not-a-key")
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), 401);
        assert_eq!(wrong.headers()["content-type"], "application/problem+json");

        let writer = jobping::operators::create_key(
            &app.state,
            "writer",
            &[jobping::operators::Scope::Write],
            time::OffsetDateTime::now_utc(),
        )
        .await
        .unwrap()
        .0;
        let lacking = app
            .client
            .get(format!("{}/ready", app.address))
            .bearer_auth(&writer)
            .send()
            .await
            .unwrap();
        assert_eq!(lacking.status(), 403);
        let body: Value = lacking.json().await.unwrap();
        assert!(body["detail"].as_str().unwrap().contains("`read`"), "{body}");
    }
);

app_test!(
    metrics_on_the_main_listener_need_an_admin_key_that_may_read,
    operator_key,
    |app: TestApp| async move {
        let anonymous = app.get("/metrics").await;
        assert_eq!(anonymous.status(), 401);
        assert_eq!(anonymous.headers()["content-type"], "application/problem+json");
        assert_eq!(anonymous.headers()["www-authenticate"], "Bearer");
        let body: Value = anonymous.json().await.unwrap();
        assert!(
            body["detail"].as_str().unwrap().contains("Authorization: Bearer"),
            "{body}"
        );

        let writer = jobping::operators::create_key(
            &app.state,
            "writer",
            &[jobping::operators::Scope::Write],
            time::OffsetDateTime::now_utc(),
        )
        .await
        .unwrap()
        .0;
        let lacking = app
            .client
            .get(format!("{}/metrics", app.address))
            .bearer_auth(&writer)
            .send()
            .await
            .unwrap();
        assert_eq!(lacking.status(), 403);
        assert_eq!(lacking.headers()["content-type"], "application/problem+json");

        let reader = jobping::operators::create_key(
            &app.state,
            "reader",
            &[jobping::operators::Scope::Read],
            time::OffsetDateTime::now_utc(),
        )
        .await
        .unwrap()
        .0;
        let allowed = app
            .client
            .get(format!("{}/metrics", app.address))
            .bearer_auth(&reader)
            .send()
            .await
            .unwrap();
        assert_eq!(allowed.status(), 200);
        assert!(allowed.text().await.unwrap().contains("# TYPE"));
    }
);

app_test!(
    without_any_admin_key_metrics_on_the_main_listener_are_refused,
    |app: TestApp| async move {
        let response = app.get("/metrics").await;
        assert_eq!(response.status(), 401);
        assert_eq!(response.headers()["content-type"], "application/problem+json");
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ready_is_503_and_names_the_database_when_it_is_gone() {
    let Some(mut app) = crate::helpers::spawn_app(jobping_store::Backend::Postgres, operator_key()).await
    else {
        return;
    };
    assert_eq!(app.get("/ready").await.status(), 200);
    app.db.drop_database_now();
    let started = Instant::now();
    let response = app.get_as_operator("/ready").await;
    assert!(started.elapsed() < PROBE_PATIENCE, "{:?}", started.elapsed());
    assert_eq!(response.status(), 503);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["checks"]["database"]["status"], "down", "{body}");
    assert_eq!(body["checks"]["database"]["backend"], "postgres");
    assert_eq!(
        app.get("/health").await.status(),
        200,
        "the process itself is alive"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ready_is_503_within_3_s_when_the_database_stops_answering() {
    let Some(db) = TestDb::new(Backend::Postgres).await else {
        return;
    };
    let (forwarder, through) = Forwarder::in_front_of(&db.url).await;
    let options = with_operator_key(vec![("DATABASE_URL", through)]);
    let app = spawn_app_on(db, options).await;
    assert_eq!(app.get("/ready").await.status(), 200);

    forwarder.stall();
    let started = Instant::now();
    let response = app.get_as_operator("/ready").await;
    let elapsed = started.elapsed();
    assert_eq!(response.status(), 503);
    assert!(elapsed < PROBE_PATIENCE, "/ready took {elapsed:?}");
    let body: Value = response.json().await.unwrap();
    let database = &body["checks"]["database"];
    assert_eq!(database["status"], "down", "{body}");
    assert!(
        database["error"]
            .as_str()
            .is_some_and(|e| e.contains("no answer within")),
        "{body}"
    );
    assert_eq!(body["checks"]["queue"]["status"], "unknown", "{body}");
    assert!(body["checks"]["queue"]["error"].is_string(), "{body}");
}
