//! Retries: transient failures are tried again with backoff, honouring Retry-After.

use std::time::Duration;

use jobping_sources::fetch::{FetchConfig, FetchError, Fetched};
use tokio::time::Instant;
use wiremock::matchers::path;
use wiremock::{Mock, ResponseTemplate};

use super::{fast_config, fetcher, server_with_robots, url};

#[tokio::test]
async fn a_429_with_retry_after_is_retried_once_the_wait_is_over() {
    let server = server_with_robots(404, "").await;
    Mock::given(path("/jobs"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/jobs"))
        .respond_with(ResponseTemplate::new(200).set_body_string("jobs"))
        .mount(&server)
        .await;
    let fetcher = fetcher(fast_config());

    let started = Instant::now();
    let fetched = fetcher.get(&url(&server, "/jobs"), None).await.unwrap();

    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert!(
        matches!(fetched, Fetched::Body { status: 200, .. }),
        "{fetched:?}"
    );
}

#[tokio::test]
async fn a_host_failing_with_503_is_given_up_on_after_the_maximum_retries() {
    let server = server_with_robots(404, "").await;
    Mock::given(path("/jobs"))
        .respond_with(ResponseTemplate::new(503))
        .expect(3)
        .mount(&server)
        .await;
    let fetcher = fetcher(FetchConfig {
        max_retries: 2,
        ..fast_config()
    });

    let err = fetcher.get(&url(&server, "/jobs"), None).await.unwrap_err();

    assert!(matches!(err, FetchError::Status { status: 503, .. }), "{err}");
}

#[tokio::test]
async fn a_retry_after_longer_than_the_cap_is_not_waited_for() {
    let server = server_with_robots(404, "").await;
    let busy = ResponseTemplate::new(503).insert_header("Retry-After", "3600");
    Mock::given(path("/jobs"))
        .respond_with(busy)
        .expect(1)
        .mount(&server)
        .await;
    let fetcher = fetcher(FetchConfig {
        max_retry_after: Duration::from_secs(5),
        ..fast_config()
    });

    let started = Instant::now();
    let err = fetcher.get(&url(&server, "/jobs"), None).await.unwrap_err();

    assert!(matches!(err, FetchError::Status { status: 503, .. }), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_404_is_not_retried() {
    let server = server_with_robots(404, "").await;
    Mock::given(path("/gone"))
        .respond_with(ResponseTemplate::new(404))
        .expect(1)
        .mount(&server)
        .await;

    let err = fetcher(fast_config())
        .get(&url(&server, "/gone"), None)
        .await
        .unwrap_err();

    assert!(matches!(err, FetchError::Status { status: 404, .. }), "{err}");
}

#[tokio::test]
async fn a_slow_server_times_out_after_each_retry() {
    let server = server_with_robots(404, "").await;
    let slow = ResponseTemplate::new(200).set_delay(Duration::from_secs(2));
    Mock::given(path("/slow"))
        .respond_with(slow)
        .expect(2)
        .mount(&server)
        .await;
    let config = FetchConfig {
        request_timeout: Duration::from_millis(200),
        max_retries: 1,
        ..fast_config()
    };

    let err = fetcher(config)
        .get(&url(&server, "/slow"), None)
        .await
        .unwrap_err();

    assert!(matches!(err, FetchError::Timeout { .. }), "{err}");
}
