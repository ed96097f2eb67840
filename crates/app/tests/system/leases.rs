//! Workers and their claims: a worker stops in bounded time on SIGTERM even in the
//! middle of slow work, and a worker that is slow but alive keeps its task: no other
//! worker takes it over and sends the same digest again.

use std::time::Duration;

use jobping_mail::testing::SmtpSink;
use jobping_store::testing::TestDb;
use reqwest::StatusCode;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::boards::Boards;
use crate::double_send::{
    ADMIN_KEY, assert_each_digest_exactly_once, configure, nothing_left_to_send, sign_up_and_confirm,
    wait_for_kind,
};
use crate::harness::{Proc, Site, client, eventually};
use crate::services::SlowRelay;

/// Digests in the slow round: each takes several seconds.
const SLOW_SENDS: usize = 3;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_a_worker_waiting_on_a_slow_board_within_30_seconds() {
    let boards = Boards::start().await;
    // A board that takes two minutes to answer, and a fetch timeout longer than that:
    // only the shutdown can end the task in time.
    Mock::given(method("GET"))
        .and(path("/v1/boards/slowpoke/jobs"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(120)))
        .with_priority(1)
        .mount(&boards.server)
        .await;
    let mut site = Site::empty();
    site.toml(&format!(
        "[[sources]]\nkind = \"greenhouse\"\nboards = [\"slowpoke\"]\nbase_url = \"{}\"\nschedule = \"off\"\n",
        boards.uri()
    ));
    site.env("JOBPING_BIND", "127.0.0.1:0")
        .env("JOBPING_ADMIN_KEY", ADMIN_KEY)
        .env("JOBPING_QUEUE_POLL_INTERVAL_MS", "50")
        .env("JOBPING_SCRAPE_MIN_HOST_DELAY_MS", "0")
        .env("JOBPING_SCRAPE_TIMEOUT_SECONDS", "300");
    let mut serve = site.spawn(&["serve", "--no-worker"]);
    let base = serve.serving().await;
    let mut worker = site.spawn(&["worker"]);
    worker
        .wait_for_message("worker started", Duration::from_secs(30))
        .await;

    let queued = client()
        .post(format!("{base}/api/v1/admin/rounds/scrape"))
        .bearer_auth(ADMIN_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(queued.status(), StatusCode::ACCEPTED);
    eventually(
        "the worker to be waiting on the slow board",
        Duration::from_secs(30),
        || async {
            boards
                .requested_paths()
                .await
                .iter()
                .any(|p| p == "/v1/boards/slowpoke/jobs")
                .then_some(())
        },
    )
    .await;

    let started = std::time::Instant::now();
    let status = worker.terminate(Duration::from_secs(30)).await;
    assert!(
        status.code().is_some(),
        "the worker ended by itself, not by a signal: {status}"
    );
    eprintln!(
        "the worker stopped {:?} after SIGTERM with {status}",
        started.elapsed()
    );
    assert!(serve.terminate(Duration::from_secs(30)).await.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_slower_than_the_lease_is_not_taken_over_and_sent_again_by_another_worker() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let boards = Boards::start().await;
    let sink = SmtpSink::start().await.unwrap();
    let relay = SlowRelay::start(sink.addr(), Duration::ZERO).await;
    let mut site = crate::sqlite_journey::site_with_boards(&boards);
    configure(&mut site, &sink);
    site.env("DATABASE_URL", &db.url)
        .env("JOBPING_MAIL", relay.url())
        // The shortest lease there is: a send that takes longer must keep its claim alive.
        .env("JOBPING_QUEUE_LEASE_SECONDS", "5")
        .env("JOBPING_DELIVERY_FREE_DAYS", "mon,tue,wed,thu,fri,sat,sun")
        .env("JOBPING_DELIVERY_HOUR", "0")
        .env("JOBPING_DELIVERY_GRACE_HOURS", "25");
    site.ok(&["scrape"]).await;
    let mut serve = site.spawn(&["serve", "--no-worker"]);
    let base = serve.serving().await;
    let mut workers: Vec<Proc> = (0..2).map(|_| site.spawn(&["worker"])).collect();
    for worker in &mut workers {
        worker
            .wait_for_message("worker started", Duration::from_secs(30))
            .await;
    }
    sign_up_and_confirm(std::slice::from_ref(&base), &sink, SLOW_SENDS).await;

    // From now on each SMTP reply takes 1.5 s: one digest takes longer than the lease.
    relay.set_delay(Duration::from_millis(1500));
    let queued = client()
        .post(format!("{base}/api/v1/admin/rounds/delivery"))
        .bearer_auth(ADMIN_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(queued.status(), StatusCode::ACCEPTED);
    wait_for_kind(&sink, "digest", SLOW_SENDS, Duration::from_secs(45)).await;
    nothing_left_to_send(&base).await;
    // A second worker that took over a live claim would have sent the same digest again.
    assert_each_digest_exactly_once(&sink, SLOW_SENDS);
    for worker in &mut workers {
        worker.terminate(Duration::from_secs(30)).await;
    }
    serve.terminate(Duration::from_secs(30)).await;
}
