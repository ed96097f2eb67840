//! Rate limits: per subscriber and tier on the API, per client and address on the forms,
//! per client on webhook requests without a valid signature; shared by processes through
//! Redis, failing closed when Redis is down and recovering by itself.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use jobping_core::Tier;
use jobping_store::{Backend, BillingChange, StripeEvent, SubscriptionStatus};
use reqwest::StatusCode;
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::app_test;
use crate::helpers::{Options, TestApp, eventually, spawn_app};

pub(crate) fn options(env: &[(&'static str, &str)]) -> Options {
    Options {
        env: env.iter().map(|(k, v)| (*k, (*v).to_owned())).collect(),
        ..Options::default()
    }
}

/// Runs a limits test once on the in-process limiter and once through Redis (keys of
/// its own): `limiter_test!(name, options, |app: TestApp| async move { … })`.
#[macro_export]
macro_rules! limiter_test {
    ($name:ident, $options:expr, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn in_process() {
                let app = $crate::helpers::spawn_app(jobping_store::Backend::Sqlite, ($options)())
                    .await
                    .unwrap();
                assert!(!app.state.limits.is_shared());
                ($body)(app).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn redis() {
                let mut options: $crate::helpers::Options = ($options)();
                options
                    .env
                    .push(("REDIS_URL", "redis://127.0.0.1:6379".to_owned()));
                let app = $crate::helpers::spawn_app(jobping_store::Backend::Sqlite, options)
                    .await
                    .unwrap();
                assert!(app.state.limits.is_shared());
                ($body)(app).await;
            }
        }
    };
}

impl TestApp {
    async fn me(&self, token: &str) -> reqwest::Response {
        self.client
            .get(format!("{}/api/v1/me", self.address))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    pub(crate) async fn ask_link(&self, email: &str, forwarded_for: Option<&str>) -> reqwest::Response {
        let mut request = self
            .client
            .post(format!("{}/api/v1/links", self.address))
            .json(&json!({ "email": email }));
        if let Some(chain) = forwarded_for {
            request = request.header("x-forwarded-for", chain);
        }
        request.send().await.unwrap()
    }

    fn manage_token(&self, id: uuid::Uuid) -> String {
        self.state
            .signer
            .sign(jobping::tokens::Purpose::Manage, id, OffsetDateTime::now_utc())
    }
}

pub(crate) fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
        .to_owned()
}

pub(crate) async fn assert_limited(response: reqwest::Response, limit: &str) {
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(header(&response, "content-type"), "application/problem+json");
    assert_eq!(header(&response, "ratelimit-limit"), limit);
    assert_eq!(header(&response, "ratelimit-remaining"), "0");
    let retry: u64 = header(&response, "retry-after").parse().unwrap();
    assert!(retry >= 1);
    let reset: u64 = header(&response, "ratelimit-reset").parse().unwrap();
    assert!(reset >= 1);
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["status"], 429);
    assert!(
        problem["detail"].as_str().unwrap().contains("Try again"),
        "{problem}"
    );
}

fn api_quotas() -> Options {
    options(&[
        ("JOBPING_LIMIT_API_FREE", "3/15m"),
        ("JOBPING_LIMIT_API_PREMIUM", "5/15m"),
    ])
}

app_test!(
    the_subscriber_api_is_limited_per_subscriber_by_tier,
    api_quotas,
    |app: TestApp| async move {
        app.signed_up_and_confirmed("free@example.com").await;
        app.signed_up_and_confirmed("paid@example.com").await;
        let who = |email: &str| {
            let store = app.state.store.clone();
            let email = jobping_core::EmailAddress::parse(email).unwrap();
            async move { store.subscriber_by_email(&email).await.unwrap().unwrap() }
        };
        let free = who("free@example.com").await;
        let paid = who("paid@example.com").await;
        let now = OffsetDateTime::now_utc();
        app.state
            .store
            .apply_stripe_event(
                &StripeEvent {
                    event_id: "evt_limits_1".into(),
                    kind: "customer.subscription.created".into(),
                    created: now,
                    received_at: now,
                    subscriber: Some(paid.id),
                    customer_id: Some("cus_limits".into()),
                    change: BillingChange::Subscription {
                        id: "sub_limits".into(),
                        status: SubscriptionStatus::Active,
                        current_period_end: None,
                    },
                    grace: Duration::from_secs(86_400),
                    task: None,
                },
                app.state.signer.audit_key(),
            )
            .await
            .unwrap();
        assert_eq!(who("paid@example.com").await.tier, Tier::Premium);

        let free_token = app.manage_token(free.id);
        for _ in 0..3 {
            assert_eq!(app.me(&free_token).await.status(), StatusCode::OK);
        }
        assert_limited(app.me(&free_token).await, "3").await;

        // Another subscriber has their own allowance, and premium a larger one.
        let paid_token = app.manage_token(paid.id);
        for _ in 0..5 {
            assert_eq!(app.me(&paid_token).await.status(), StatusCode::OK);
        }
        assert_limited(app.me(&paid_token).await, "5").await;
    }
);

fn small_forms() -> Options {
    options(&[
        ("JOBPING_SIGNUP_PER_IP_PER_HOUR", "4"),
        ("JOBPING_LIMIT_FORM_ADDRESS", "2/1h"),
    ])
}

app_test!(
    forms_are_limited_per_client_and_per_target_address_and_spoofing_does_not_help,
    small_forms,
    |app: TestApp| async move {
        // Two requests for one address, then that address is protected...
        for _ in 0..2 {
            assert_eq!(
                app.ask_link("target@example.com", None).await.status(),
                StatusCode::ACCEPTED
            );
        }
        assert_limited(app.ask_link("target@example.com", None).await, "2").await;
        // ...while this client (whose refused try counted too) has one more for another
        // address, whatever it claims to be.
        assert_eq!(
            app.ask_link("other@example.com", Some("198.51.100.1"))
                .await
                .status(),
            StatusCode::ACCEPTED
        );
        assert_limited(app.ask_link("third@example.com", Some("198.51.100.2")).await, "4").await;
        // A signup form page shows the same refusal to a person.
        let page = app
            .post_form("/signup", &crate::journey::signup_form("fourth@example.com"))
            .await;
        assert_eq!(page.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(page.headers().contains_key("retry-after"));
    }
);

fn behind_a_proxy() -> Options {
    options(&[
        ("JOBPING_SIGNUP_PER_IP_PER_HOUR", "1"),
        ("JOBPING_TRUSTED_PROXIES", "127.0.0.1/32, ::1"),
    ])
}

app_test!(
    behind_a_trusted_proxy_each_forwarded_client_has_its_own_allowance,
    behind_a_proxy,
    |app: TestApp| async move {
        let ok = |chain: &'static str, email: &'static str| {
            let app = &app;
            async move { app.ask_link(email, Some(chain)).await.status() }
        };
        assert_eq!(ok("203.0.113.10", "a@example.com").await, StatusCode::ACCEPTED);
        // The client appended to what it sent: the right-most untrusted entry counts.
        assert_eq!(
            ok("10.9.9.9, 203.0.113.11", "b@example.com").await,
            StatusCode::ACCEPTED
        );
        assert_eq!(
            ok("203.0.113.99, 203.0.113.10", "c@example.com").await,
            StatusCode::TOO_MANY_REQUESTS
        );
    }
);

fn tiny_webhooks() -> Options {
    options(&[("JOBPING_LIMIT_WEBHOOK", "2/1m")])
}

app_test!(
    unsigned_webhook_requests_are_limited_per_client_and_source,
    tiny_webhooks,
    |app: TestApp| async move {
        let post = |path: &'static str| {
            let app = &app;
            async move {
                app.client
                    .post(format!("{}{path}", app.address))
                    .body("{}")
                    .send()
                    .await
                    .unwrap()
            }
        };
        for _ in 0..2 {
            let answered = post("/api/v1/webhooks/email").await;
            assert_ne!(answered.status(), StatusCode::TOO_MANY_REQUESTS);
            assert_eq!(header(&answered, "ratelimit-limit"), "2");
        }
        assert_limited(post("/api/v1/webhooks/email").await, "2").await;
        assert_ne!(
            post("/api/v1/webhooks/stripe").await.status(),
            StatusCode::TOO_MANY_REQUESTS
        );
        // Pages are not limited by it.
        assert_eq!(app.get("/").await.status(), StatusCode::OK);
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_redis_share_one_count() {
    let prefix = format!("test:shared:{}:", uuid::Uuid::now_v7());
    let shared = || Options {
        env: vec![
            ("REDIS_URL", "redis://127.0.0.1:6379".to_owned()),
            ("JOBPING_LIMIT_KEY_PREFIX", prefix.clone()),
            ("JOBPING_SIGNUP_PER_IP_PER_HOUR", "4".to_owned()),
        ],
        ..Options::default()
    };
    let one = spawn_app(Backend::Sqlite, shared()).await.unwrap();
    let two = spawn_app(Backend::Sqlite, shared()).await.unwrap();
    assert!(one.state.limits.is_shared());
    let mut accepted = 0;
    for n in 0..6 {
        let app = if n % 2 == 0 { &one } else { &two };
        let status = app.ask_link(&format!("p{n}@example.com"), None).await.status();
        if status == StatusCode::ACCEPTED {
            accepted += 1;
        } else {
            assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        }
    }
    assert_eq!(accepted, 4, "four in total across both servers, not four each");
}

/// A Redis of this test's own, on a free port, that can be stopped and started.
struct PrivateRedis {
    port: u16,
    child: Option<Child>,
}

impl PrivateRedis {
    fn start(port: u16) -> Self {
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server is installed");
        Self {
            port,
            child: Some(child),
        }
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    async fn answering(&self) -> bool {
        let port = self.port;
        eventually(Duration::from_secs(10), || async move {
            tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok()
        })
        .await
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        self.stop();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_redis_down_limited_endpoints_refuse_and_recover_without_a_restart() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut redis = PrivateRedis::start(port);
    assert!(redis.answering().await, "the private Redis started");
    let app = spawn_app(
        Backend::Sqlite,
        Options {
            env: vec![
                ("REDIS_URL", format!("redis://127.0.0.1:{port}")),
                ("JOBPING_ADMIN_KEY", crate::health::OPERATOR_KEY.into()),
            ],
            ..Options::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        app.ask_link("a@example.com", None).await.status(),
        StatusCode::ACCEPTED
    );

    redis.stop();
    let refused = app.ask_link("b@example.com", None).await;
    assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(header(&refused, "retry-after"), "5");
    assert_eq!(header(&refused, "content-type"), "application/problem+json");
    // Pages that send nothing keep working; readiness says what is wrong.
    assert_eq!(app.get("/").await.status(), StatusCode::OK);
    assert_eq!(app.get("/pricing").await.status(), StatusCode::OK);
    // The details (which dependency is down) are an operator's to read.
    let ready = app.get_as_operator("/ready").await;
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    let ready: Value = ready.json().await.unwrap();
    assert_ne!(ready["checks"]["redis"]["status"], "up", "{ready}");

    let _redis = PrivateRedis::start(port);
    assert!(_redis.answering().await, "the private Redis started again");
    let recovered = eventually(Duration::from_secs(15), || async {
        app.ask_link("c@example.com", None).await.status() == StatusCode::ACCEPTED
    })
    .await;
    assert!(recovered, "the limiter uses Redis again without a restart");
}
