//! Per-host politeness, in one process and shared through Redis.

use std::time::Duration;

use jobping_sources::fetch::{FetchConfig, FetchError, Fetcher};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio::time::Instant;
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::{ArrivalLog, fast_config, fetcher, install_crypto, redis, unique_prefix, url};

const MIN_DELAY: Duration = Duration::from_millis(200);
/// Timer and scheduling slack when comparing measured gaps with the minimum.
const SLACK: Duration = Duration::from_millis(20);

/// A server where every path (robots.txt included) is logged and answered 200.
async fn logged_server() -> (MockServer, ArrivalLog) {
    let server = MockServer::start().await;
    let log = ArrivalLog::default();
    Mock::given(wiremock::matchers::any())
        .respond_with(log.clone())
        .mount(&server)
        .await;
    (server, log)
}

#[tokio::test]
async fn two_requests_to_one_host_start_at_least_the_minimum_delay_apart() {
    let (server, log) = logged_server().await;
    let fetcher = fetcher(FetchConfig {
        min_delay: MIN_DELAY,
        ..fast_config()
    });

    fetcher.get(&url(&server, "/a"), None).await.unwrap();
    fetcher.get(&url(&server, "/b"), None).await.unwrap();

    let gaps = log.gaps();
    assert_eq!(gaps.len(), 2, "robots.txt, /a, /b");
    assert!(gaps.iter().all(|gap| *gap + SLACK >= MIN_DELAY), "{gaps:?}");
}

#[tokio::test]
async fn concurrent_requests_to_one_host_wait_for_a_free_slot() {
    let server = super::server_with_robots(404, "").await;
    let slow = ResponseTemplate::new(200).set_delay(Duration::from_millis(200));
    Mock::given(path("/slow"))
        .respond_with(slow)
        .expect(2)
        .mount(&server)
        .await;
    let fetcher = fetcher(FetchConfig {
        max_concurrency: 1,
        min_delay: Duration::ZERO,
        ..fast_config()
    });
    let target = url(&server, "/slow");
    fetcher
        .get(&url(&server, "/warm-up-robots"), None)
        .await
        .unwrap_err();

    let started = Instant::now();
    let (a, b) = tokio::join!(fetcher.get(&target, None), fetcher.get(&target, None));

    assert!(a.is_ok() && b.is_ok());
    assert!(
        started.elapsed() >= Duration::from_millis(400),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn two_fetchers_sharing_redis_share_one_host_budget() {
    install_crypto();
    let (server, log) = logged_server().await;
    let prefix = unique_prefix();
    let config = FetchConfig {
        min_delay: MIN_DELAY,
        ..fast_config()
    };
    let first = Fetcher::with_redis(config.clone(), redis().await, prefix.clone()).unwrap();
    let second = Fetcher::with_redis(config, redis().await, prefix).unwrap();
    let (page_a, page_b) = (url(&server, "/a"), url(&server, "/b"));

    let (a, b) = tokio::join!(first.get(&page_a, None), second.get(&page_b, None));

    assert!(a.is_ok() && b.is_ok());
    // Each fetcher asks for robots.txt once, then its page: four starts, all spaced.
    let gaps = log.gaps();
    assert_eq!(gaps.len(), 3, "{gaps:?}");
    assert!(gaps.iter().all(|gap| *gap + SLACK >= MIN_DELAY), "{gaps:?}");
}

#[tokio::test]
async fn a_retry_after_from_the_host_holds_back_every_fetcher_sharing_redis() {
    install_crypto();
    let server = super::server_with_robots(404, "").await;
    let limited = ResponseTemplate::new(429).insert_header("Retry-After", "1");
    Mock::given(path("/limited"))
        .respond_with(limited)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/other"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let prefix = unique_prefix();
    let config = FetchConfig {
        max_retries: 0,
        ..fast_config()
    };
    let first = Fetcher::with_redis(config.clone(), redis().await, prefix.clone()).unwrap();
    let second = Fetcher::with_redis(config, redis().await, prefix).unwrap();

    let err = first.get(&url(&server, "/limited"), None).await.unwrap_err();
    let told_to_wait = Instant::now();
    second.get(&url(&server, "/other"), None).await.unwrap();

    assert!(matches!(err, FetchError::Status { status: 429, .. }), "{err}");
    assert!(
        told_to_wait.elapsed() + SLACK >= Duration::from_secs(1),
        "{:?}",
        told_to_wait.elapsed()
    );
}

/// A TCP relay to the real Redis that can be cut, to make Redis vanish mid-run.
async fn redis_relay() -> (String, JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("redis://{}", listener.local_addr().unwrap());
    let relay = tokio::spawn(async move {
        let mut links = tokio::task::JoinSet::new();
        while let Ok((mut inbound, _)) = listener.accept().await {
            links.spawn(async move {
                let mut outbound = TcpStream::connect("127.0.0.1:6379").await.unwrap();
                let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
            });
        }
    });
    (address, relay)
}

#[tokio::test]
async fn when_redis_is_unreachable_nothing_is_fetched_and_the_error_says_so() {
    install_crypto();
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let (address, relay) = redis_relay().await;
    let config = ConnectionManagerConfig::new()
        .set_number_of_retries(0)
        .set_connection_timeout(Some(Duration::from_millis(300)))
        .set_response_timeout(Some(Duration::from_millis(300)));
    let client = redis::Client::open(address).unwrap();
    let manager = ConnectionManager::new_with_config(client, config).await.unwrap();
    let fetcher = Fetcher::with_redis(fast_config(), manager, unique_prefix()).unwrap();
    // Cutting the relay drops the listener and every live link (the JoinSet aborts them).
    relay.abort();
    let _ = relay.await;

    let err = fetcher.get(&url(&server, "/jobs"), None).await.unwrap_err();

    assert!(matches!(err, FetchError::RedisUnavailable { .. }), "{err}");
    assert!(err.to_string().contains("Redis"), "{err}");
}
