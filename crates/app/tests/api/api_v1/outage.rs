//! The database going away under a running app: a clear 503 with `Retry-After`, fast.

use std::time::{Duration, Instant};

use jobping_store::Backend;
use jobping_store::testing::TestDb;
use reqwest::StatusCode;

use super::signup;
use crate::forwarder::Forwarder;
use crate::helpers::{Options, spawn_app_on};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signup_while_the_database_is_down_answers_503_with_retry_after_quickly() {
    let Some(db) = TestDb::new(Backend::Postgres).await else {
        return;
    };
    let (mut forwarder, through) = Forwarder::in_front_of(&db.url).await;
    let options = Options {
        env: vec![("DATABASE_URL", through)],
        ..Options::default()
    };
    let app = spawn_app_on(db, options).await;
    forwarder.cut().await;

    let started = Instant::now();
    let response = app
        .client
        .post(format!("{}/api/v1/subscribers", app.address))
        .json(&signup("ada@example.com"))
        .send()
        .await
        .unwrap();
    let took = started.elapsed();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(took < Duration::from_secs(6), "answered after {took:?}");
    assert!(
        response.headers().get("retry-after").is_some(),
        "{:?}",
        response.headers()
    );
    let body: serde_json::Value = response.json().await.unwrap();
    assert!(
        body["detail"].as_str().unwrap_or_default().contains("database"),
        "{body}"
    );
}
