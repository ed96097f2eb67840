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

/// The fixture with the "Graduate Data Analyst" posting's description edited.
fn with_edited_analyst() -> Vec<u8> {
    let mut board: serde_json::Value =
        serde_json::from_slice(&fixture("greenhouse/fjordpay-content.json")).unwrap();
    let analyst = board["jobs"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|job| job["title"] == "Graduate Data Analyst")
        .unwrap();
    let content = analyst["content"].as_str().unwrap().to_owned();
    analyst["content"] = format!("{content}&lt;p&gt;Now hiring in Manchester too.&lt;/p&gt;").into();
    serde_json::to_vec(&board).unwrap()
}

async fn a_rescrape_reads_only_what_the_board_changed(backend: Backend) {
    let open = board_server("User-agent: *\nAllow: /\n").await;
    Mock::given(method("GET"))
        .and(path("/v1/boards/fjordpay/jobs"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(fixture("greenhouse/fjordpay-content.json")))
        .mount(&open)
        .await;
    let closed = board_server("User-agent: *\nDisallow: /\n").await;
    let Some(app) = spawn_app(backend, options(&open, &closed)).await else {
        return;
    };
    let greenhouse = ["greenhouse".to_owned()];
    let first = scrape::run(&app.state, &greenhouse, true).await.unwrap();
    assert_eq!((first[0].new, first[0].unchanged), (2, 0), "{first:?}");
    let seen_first = app.state.store.jobs(true).await.unwrap();

    // The same body again: both postings are only marked seen, invalid ones still counted.
    let again = scrape::run(&app.state, &greenhouse, true).await.unwrap();
    assert_eq!(
        (
            again[0].new,
            again[0].updated,
            again[0].unchanged,
            again[0].skipped
        ),
        (0, 0, 2, 2),
        "{again:?}"
    );
    let seen_again = app.state.store.jobs(true).await.unwrap();
    for (before, after) in seen_first.iter().zip(&seen_again) {
        assert_eq!(before.job, after.job);
        assert!(after.last_seen_at > before.last_seen_at);
    }

    // One posting edited on the board: that one is read again and updated.
    open.reset().await;
    Mock::given(method("GET"))
        .and(path("/v1/boards/fjordpay/jobs"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(with_edited_analyst()))
        .mount(&open)
        .await;
    let edited = scrape::run(&app.state, &greenhouse, true).await.unwrap();
    assert_eq!(
        (edited[0].new, edited[0].updated, edited[0].unchanged),
        (0, 1, 1),
        "{edited:?}"
    );
    let jobs = app.state.store.jobs(true).await.unwrap();
    let analyst = jobs
        .iter()
        .find(|j| j.job.title == "Graduate Data Analyst")
        .unwrap();
    assert!(analyst.job.description_text.contains("Manchester too"));
    // And once stored, the edit is itself unchanged next time.
    let settled = scrape::run(&app.state, &greenhouse, true).await.unwrap();
    assert_eq!((settled[0].updated, settled[0].unchanged), (0, 2), "{settled:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rescrape_reads_only_what_the_board_changed_on_sqlite() {
    a_rescrape_reads_only_what_the_board_changed(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rescrape_reads_only_what_the_board_changed_on_postgres() {
    a_rescrape_reads_only_what_the_board_changed(Backend::Postgres).await;
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

/// A trigger that makes the database refuse every posting of one source: a real
/// database error in the middle of one board's run.
fn refuse_postings_of(backend: Backend, kind: &str) -> String {
    match backend {
        Backend::Sqlite => format!(
            "CREATE TRIGGER refuse_{kind} BEFORE INSERT ON job_sources WHEN NEW.source = '{kind}'
             BEGIN SELECT RAISE(ABORT, 'the disk is full'); END;"
        ),
        Backend::Postgres => format!(
            "CREATE FUNCTION refuse_{kind}() RETURNS trigger LANGUAGE plpgsql AS
             $$ BEGIN RAISE EXCEPTION 'the disk is full'; END $$;
             CREATE TRIGGER refuse_{kind} BEFORE INSERT ON job_sources FOR EACH ROW
             WHEN (NEW.source = '{kind}') EXECUTE FUNCTION refuse_{kind}();"
        ),
    }
}

async fn a_database_error_fails_that_board_and_the_others_carry_on(backend: Backend) {
    let open = board_server("User-agent: *\nAllow: /\n").await;
    Mock::given(method("GET"))
        .and(path("/v1/boards/fjordpay/jobs"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(fixture("greenhouse/fjordpay-content.json")))
        .mount(&open)
        .await;
    let also_open = board_server("User-agent: *\nAllow: /\n").await;
    Mock::given(method("GET"))
        .and(path("/v0/postings/helsinki-labs"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(fixture("lever/helsinki-labs-eu.json")))
        .mount(&also_open)
        .await;
    let Some(app) = spawn_app(backend, options(&open, &also_open)).await else {
        return;
    };
    app.db.execute(&refuse_postings_of(backend, "lever")).await;

    let reports = scrape::run(&app.state, &[], true)
        .await
        .expect("one board's database error does not end the run");
    let lever = reports
        .iter()
        .find(|r| r.source == "lever:helsinki-labs")
        .unwrap();
    assert_eq!(lever.status, RunStatus::Failed, "{lever:?}");
    let error = lever.error.as_deref().unwrap();
    assert!(
        error.contains("saving the board's jobs") && error.contains("the disk is full"),
        "{error}"
    );
    let greenhouse = reports
        .iter()
        .find(|r| r.source == "greenhouse:fjordpay")
        .unwrap();
    assert_eq!(
        (greenhouse.status, greenhouse.new),
        (RunStatus::Ok, 2),
        "{greenhouse:?}"
    );
    assert_eq!(app.state.store.jobs(true).await.unwrap().len(), 2);

    // The failure is on the source's status, where `jobping sources` shows it.
    let statuses = app.state.store.source_statuses().await.unwrap();
    let failed = statuses
        .iter()
        .find(|s| s.state.name == "lever:helsinki-labs")
        .expect("the failed run is recorded");
    assert!(
        failed
            .state
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("the disk is full")),
        "{failed:?}"
    );
    assert!(failed.state.last_success_at.is_none(), "{failed:?}");
    assert_eq!(
        failed.last_run.as_ref().map(|run| run.status.as_str()),
        Some("failed")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_error_fails_that_board_and_the_others_carry_on_on_sqlite() {
    a_database_error_fails_that_board_and_the_others_carry_on(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_error_fails_that_board_and_the_others_carry_on_on_postgres() {
    a_database_error_fails_that_board_and_the_others_carry_on(Backend::Postgres).await;
}
