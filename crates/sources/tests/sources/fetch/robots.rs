//! robots.txt per RFC 9309.

use std::time::Duration;

use jobping_sources::fetch::{FetchConfig, FetchError};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::{ArrivalLog, fast_config, fetcher, server_with_robots, url};

#[tokio::test]
async fn a_path_disallowed_by_robots_is_blocked_and_never_requested() {
    let server = server_with_robots(200, "User-agent: *\nDisallow: /private\n").await;
    Mock::given(path("/private/jobs"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;

    let err = fetcher(fast_config())
        .get(&url(&server, "/private/jobs"), None)
        .await
        .unwrap_err();

    assert!(matches!(err, FetchError::BlockedByRobots { .. }), "{err}");
    assert!(err.is_blocked_by_robots());
}

#[tokio::test]
async fn our_own_robots_group_is_the_one_that_applies() {
    let txt = "User-agent: *\nDisallow: /\n\nUser-agent: JobPingBot\nAllow: /jobs\nDisallow: /\n";
    let server = server_with_robots(200, txt).await;
    Mock::given(path("/jobs"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let fetcher = fetcher(fast_config());

    assert!(fetcher.get(&url(&server, "/jobs"), None).await.is_ok());
    let err = fetcher.get(&url(&server, "/admin"), None).await.unwrap_err();
    assert!(err.is_blocked_by_robots(), "{err}");
}

#[tokio::test]
async fn a_missing_robots_file_allows_everything() {
    let server = server_with_robots(404, "not found").await;
    Mock::given(path("/jobs"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;

    let fetched = fetcher(fast_config()).get(&url(&server, "/jobs"), None).await;

    assert!(fetched.is_ok(), "{fetched:?}");
}

#[tokio::test]
async fn a_robots_file_failing_with_a_server_error_blocks_the_whole_host() {
    let server = server_with_robots(500, "oops").await;
    Mock::given(path("/jobs"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;

    let err = fetcher(fast_config())
        .get(&url(&server, "/jobs"), None)
        .await
        .unwrap_err();

    assert!(err.is_blocked_by_robots(), "{err}");
}

#[tokio::test]
async fn an_unreachable_host_is_blocked_rather_than_hammered() {
    // wiremock pools its servers, so a dropped one may still answer: use a port that
    // was free a moment ago and has nothing listening now.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dead = url::Url::parse(&format!("http://127.0.0.1:{port}/jobs")).unwrap();

    let err = fetcher(fast_config()).get(&dead, None).await.unwrap_err();

    assert!(err.is_blocked_by_robots(), "{err}");
}

#[tokio::test]
async fn robots_txt_is_fetched_once_per_host_and_then_cached() {
    let server = MockServer::start().await;
    Mock::given(path("/robots.txt"))
        .respond_with(ResponseTemplate::new(200).set_body_string("User-agent: *\nAllow: /\n"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/jobs"))
        .respond_with(ResponseTemplate::new(200))
        .expect(3)
        .mount(&server)
        .await;
    let fetcher = fetcher(fast_config());

    for _ in 0..3 {
        fetcher.get(&url(&server, "/jobs"), None).await.unwrap();
    }
}

#[tokio::test]
async fn crawl_delay_raises_the_spacing_between_requests_to_the_host() {
    let server = server_with_robots(200, "User-agent: *\nCrawl-delay: 0.3\n").await;
    let log = ArrivalLog::default();
    Mock::given(method("GET"))
        .and(path("/jobs"))
        .respond_with(log.clone())
        .mount(&server)
        .await;
    let fetcher = fetcher(FetchConfig {
        min_delay: Duration::from_millis(10),
        ..fast_config()
    });

    for _ in 0..3 {
        fetcher.get(&url(&server, "/jobs"), None).await.unwrap();
    }

    let gaps = log.gaps();
    assert_eq!(gaps.len(), 2);
    assert!(
        gaps.iter().all(|gap| *gap >= Duration::from_millis(280)),
        "{gaps:?}"
    );
}

#[tokio::test]
async fn a_huge_robots_file_is_read_up_to_the_cap_and_the_rest_ignored() {
    let txt = format!(
        "User-agent: *\nDisallow: /early\n#{}\nDisallow: /late\n",
        "x".repeat(4096)
    );
    let server = server_with_robots(200, &txt).await;
    Mock::given(path("/late"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let fetcher = fetcher(FetchConfig {
        max_robots_bytes: 1024,
        ..fast_config()
    });

    let early = fetcher.get(&url(&server, "/early"), None).await.unwrap_err();
    let late = fetcher.get(&url(&server, "/late"), None).await;

    assert!(early.is_blocked_by_robots(), "{early}");
    assert!(late.is_ok(), "{late:?}");
}
