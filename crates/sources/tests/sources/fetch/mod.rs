//! Fetch tests: robots.txt, politeness (in-process and Redis), retries, bodies and
//! conditional requests, all against servers on loopback and the real Redis.

mod politeness;
mod private_addresses;
mod redirects;
mod requests;
mod retries;
mod robots;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use jobping_sources::fetch::{FetchConfig, Fetcher};
use redis::aio::ConnectionManager;
use tokio::time::Instant;
use url::Url;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// reqwest needs a process-wide crypto provider; installing twice is harmless.
fn install_crypto() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Small delays so the suite stays fast while every behaviour is still visible.
fn fast_config() -> FetchConfig {
    FetchConfig {
        min_delay: Duration::from_millis(10),
        retry_base_delay: Duration::from_millis(20),
        max_retries: 2,
        request_timeout: Duration::from_secs(5),
        connect_timeout: Duration::from_secs(2),
        ..FetchConfig::default()
    }
}

fn fetcher(config: FetchConfig) -> Fetcher {
    install_crypto();
    Fetcher::new(config).expect("the fetcher builds")
}

/// A server whose robots.txt answers with the given status and body.
async fn server_with_robots(status: u16, body: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/robots.txt"))
        .respond_with(ResponseTemplate::new(status).set_body_string(body))
        .mount(&server)
        .await;
    server
}

fn url(server: &MockServer, path_and_query: &str) -> Url {
    Url::parse(&format!("{}{path_and_query}", server.uri())).unwrap()
}

/// Answers 200 and notes when each request arrived, to measure spacing server-side.
#[derive(Clone, Default)]
struct ArrivalLog {
    arrivals: Arc<Mutex<Vec<Instant>>>,
}

impl ArrivalLog {
    fn gaps(&self) -> Vec<Duration> {
        let arrivals = self.arrivals.lock().unwrap();
        arrivals.windows(2).map(|pair| pair[1] - pair[0]).collect()
    }
}

impl Respond for ArrivalLog {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        self.arrivals.lock().unwrap().push(Instant::now());
        ResponseTemplate::new(200).set_body_string("ok")
    }
}

/// A key prefix no other test (or earlier run) uses.
fn unique_prefix() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "jobping-test:{}:{nanos}:{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

async fn redis() -> ConnectionManager {
    let client = redis::Client::open("redis://127.0.0.1:6379").unwrap();
    ConnectionManager::new(client)
        .await
        .expect("Redis runs on 127.0.0.1:6379")
}
