//! Scraping end to end: boards served on loopback, through fetch, parse, normalize and
//! upsert, on both backends.

use jobping::commands::scrape;
use jobping::ingest::RunStatus;
use jobping_store::Backend;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::{Options, spawn_app};

fn fixture(relative: &str) -> Vec<u8> {
    let path = format!(
        "{}/../sources/tests/fixtures/{relative}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|err| panic!("{path}: {err}"))
}

async fn board_server(robots: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/robots.txt"))
        .respond_with(ResponseTemplate::new(200).set_body_string(robots))
        .mount(&server)
        .await;
    server
}

fn options(open: &MockServer, closed: &MockServer) -> Options {
    let toml = format!(
        r#"
[[sources]]
kind = "greenhouse"
boards = ["fjordpay"]
base_url = "{open}"

[[sources]]
kind = "lever"
boards = ["helsinki-labs"]
base_url = "{closed}"
"#,
        open = open.uri(),
        closed = closed.uri()
    );
    Options {
        env: vec![("JOBPING_SCRAPE_MIN_HOST_DELAY_MS", "0".into())],
        toml: Some(toml),
        ..Options::default()
    }
}

async fn scraping_stores_every_valid_posting_once_and_obeys_robots(backend: Backend) {
    let open = board_server("User-agent: *\nAllow: /\n").await;
    Mock::given(method("GET"))
        .and(path("/v1/boards/fjordpay/jobs"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(fixture("greenhouse/fjordpay-content.json")))
        .mount(&open)
        .await;
    let closed = board_server("User-agent: JobPingBot\nDisallow: /v0/postings/\n").await;
    Mock::given(method("GET"))
        .and(path("/v0/postings/helsinki-labs"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(fixture("lever/helsinki-labs-eu.json")))
        .expect(0)
        .mount(&closed)
        .await;
    let Some(app) = spawn_app(backend, options(&open, &closed)).await else {
        return;
    };

    let reports = scrape::run(&app.state, &[], false).await.unwrap();
    let greenhouse = reports
        .iter()
        .find(|r| r.source == "greenhouse:fjordpay")
        .unwrap();
    assert_eq!(greenhouse.status, RunStatus::Ok, "{greenhouse:?}");
    assert_eq!(
        (greenhouse.fetched, greenhouse.new, greenhouse.skipped),
        (4, 2, 2)
    );
    let lever = reports
        .iter()
        .find(|r| r.source == "lever:helsinki-labs")
        .unwrap();
    assert_eq!(
        (lever.status, lever.blocked, lever.new),
        (RunStatus::Blocked, 1, 0)
    );

    let jobs = app.state.store.jobs(true).await.unwrap();
    assert_eq!(jobs.len(), 2);
    let analyst = jobs
        .iter()
        .find(|j| j.job.title == "Graduate Data Analyst")
        .unwrap();
    assert_eq!(analyst.job.locations[0].city.as_deref(), Some("london"));
    assert!(analyst.job.level.is_early_career());

    // Too soon for the board's minimum poll interval: left alone.
    let early = scrape::run(&app.state, &["greenhouse".to_owned()], false)
        .await
        .unwrap();
    assert_eq!(early[0].status, RunStatus::TooSoon);
    // Forced, a second round finds the same postings: nothing new, nothing duplicated.
    let again = scrape::run(&app.state, &["greenhouse".to_owned()], true)
        .await
        .unwrap();
    assert_eq!((again[0].new, again[0].updated), (0, 0));
    assert_eq!(app.state.store.jobs(true).await.unwrap().len(), 2);
    let statuses = app.state.store.source_statuses().await.unwrap();
    let blocked = statuses
        .iter()
        .find(|s| s.state.name == "lever:helsinki-labs")
        .unwrap();
    assert!(
        blocked
            .state
            .last_error
            .as_deref()
            .unwrap()
            .contains("robots.txt")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scraping_stores_every_valid_posting_once_and_obeys_robots_on_sqlite() {
    scraping_stores_every_valid_posting_once_and_obeys_robots(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scraping_stores_every_valid_posting_once_and_obeys_robots_on_postgres() {
    scraping_stores_every_valid_posting_once_and_obeys_robots(Backend::Postgres).await;
}

#[tokio::test]
async fn scraping_an_unknown_kind_is_refused_with_its_name() {
    let open = board_server("").await;
    let closed = board_server("").await;
    let app = spawn_app(Backend::Sqlite, options(&open, &closed)).await.unwrap();
    let err = scrape::run(&app.state, &["monster".to_owned()], false)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("`monster`"), "{err}");
}
