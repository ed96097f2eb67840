//! The database going away under a running app: a clear 503 with `Retry-After`, fast.

use std::time::{Duration, Instant};

use jobping_store::Backend;
use jobping_store::testing::TestDb;
use reqwest::StatusCode;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

use super::signup;
use crate::helpers::{Options, spawn_app_on};

/// A TCP forwarder in front of PostgreSQL that can be cut: every open connection closes
/// and new ones are refused, as when the database server goes down.
struct Cuttable {
    port: u16,
    tasks: JoinSet<()>,
}

impl Cuttable {
    async fn start(target: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let target = target.to_owned();
        let mut tasks = JoinSet::new();
        tasks.spawn(async move {
            let mut connections = JoinSet::new();
            while let Ok((mut client, _)) = listener.accept().await {
                let target = target.clone();
                connections.spawn(async move {
                    if let Ok(mut upstream) = TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
                    }
                });
            }
        });
        Self { port, tasks }
    }

    /// Closes every connection and the listener.
    async fn cut(&mut self) {
        self.tasks.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signup_while_the_database_is_down_answers_503_with_retry_after_quickly() {
    let Some(db) = TestDb::new(Backend::Postgres).await else {
        return;
    };
    let url = url::Url::parse(&db.url).unwrap();
    let target = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap_or(5432));
    let mut forwarder = Cuttable::start(&target).await;
    let mut through = url.clone();
    through.set_port(Some(forwarder.port)).unwrap();
    let options = Options {
        env: vec![("DATABASE_URL", through.to_string())],
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
