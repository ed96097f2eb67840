//! `send-due` run by an operator while the background workers are also running: every
//! digest is acknowledged by the SMTP server exactly once, never by both.

use std::collections::BTreeMap;
use std::time::Duration;

use jobping_mail::testing::SmtpSink;
use jobping_store::testing::TestDb;
use reqwest::StatusCode;
use serde_json::json;

use crate::boards::Boards;
use crate::harness::{Proc, Site, client, eventually};
use crate::mail::Email;
use crate::sqlite_journey::{THURSDAY_SLOT, preferences, site_with_boards};

/// The bootstrap admin key every multi-process site has (for rounds and statistics).
pub const ADMIN_KEY: &str = "system-test-bootstrap-admin-key-0123456789";

/// How many subscribers a round delivers to.
pub const SUBSCRIBERS: usize = 32;

/// Settings every multi-process test shares: mail to the sink, no scheduled rounds (the
/// tests run them), a quick queue, signups not limited per client address.
pub fn configure(site: &mut Site, sink: &SmtpSink) {
    site.env("JOBPING_MAIL", sink.url().to_string())
        .env("JOBPING_SECRET", "system-tests-secret-0123456789-abcdefgh")
        .env("JOBPING_ADMIN_KEY", ADMIN_KEY)
        .env("JOBPING_SCHEDULE_DELIVER", "off")
        .env("JOBPING_SCHEDULE_HOUSEKEEPING", "off")
        .env("JOBPING_QUEUE_POLL_INTERVAL_MS", "50")
        .env("JOBPING_SIGNUP_PER_IP_PER_HOUR", "10000")
        // Two jobs a mail, so the welcome email leaves matches for the digest.
        .env("JOBPING_DELIVERY_FREE_JOBS", "2")
        .env("JOBPING_BIND", "127.0.0.1:0");
}

pub fn address(n: usize) -> String {
    format!("subscriber{n:02}@example.com")
}

/// The sink's messages of `kind`.
pub fn of_kind(sink: &SmtpSink, kind: &str) -> Vec<Email> {
    sink.messages()
        .iter()
        .map(Email::from_sink)
        .filter(|e| e.kind() == kind)
        .collect()
}

/// Waits for at least `n` messages of `kind` at the sink.
pub async fn wait_for_kind(sink: &SmtpSink, kind: &str, n: usize, limit: Duration) -> Vec<Email> {
    eventually(
        &format!("{n} `{kind}` emails at the SMTP sink"),
        limit,
        || async {
            let found = of_kind(sink, kind);
            (found.len() >= n).then_some(found)
        },
    )
    .await
}

/// Signs up `count` addresses over the API of the servers in `bases` (in turn),
/// confirms each with its emailed link, and waits for their welcome emails.
pub async fn sign_up_and_confirm(bases: &[String], sink: &SmtpSink, count: usize) {
    let http = client();
    for n in 0..count {
        let base = &bases[n % bases.len()];
        let response = http
            .post(format!("{base}/api/v1/subscribers"))
            .json(&json!({"email": address(n), "preferences": preferences(), "consent": true}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::ACCEPTED, "signup {n}");
    }
    let verify = wait_for_kind(sink, "verify", count, Duration::from_secs(60)).await;
    for (n, email) in verify.iter().enumerate() {
        let base = &bases[n % bases.len()];
        let response = http
            .post(format!("{base}/api/v1/subscribers/verify"))
            .json(&json!({"token": email.token_for("/verify")}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "verify {}", email.to);
    }
    let welcome = wait_for_kind(sink, "welcome", count, Duration::from_secs(60)).await;
    assert!(
        welcome.iter().all(|e| e.text.contains("Your first matches")),
        "every welcome email has matches, so the digest has the rest"
    );
}

/// Waits until nothing is left to send: no task due or running, and no job email still
/// `pending` (every delivery is `sent`, `skipped` or `failed`), as the admin API counts
/// them. A send task that met another process's claim on its delivery is still queued
/// for when that claim runs out (minutes later); it will find the delivery sent and do
/// nothing, so the test need not wait for it.
pub async fn nothing_left_to_send(base: &str) {
    let http = client();
    let deadline = std::time::Instant::now() + Duration::from_secs(90);
    loop {
        let stats: Option<serde_json::Value> = match http
            .get(format!("{base}/api/v1/admin/stats"))
            .bearer_auth(ADMIN_KEY)
            .send()
            .await
        {
            Ok(response) => response.json().await.ok(),
            Err(_) => None,
        };
        if let Some(stats) = &stats {
            let queue = &stats["queue"];
            let pending = stats["stats"]["deliveries"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|d| d["name"] == "pending")
                .filter_map(|d| d["count"].as_u64())
                .sum::<u64>();
            if queue["due"] == 0 && queue["running"] == 0 && pending == 0 {
                return;
            }
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still something to send after 90 s: {stats:?}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// How many times the sink acknowledged each digest's Message-ID.
pub fn digest_counts(sink: &SmtpSink) -> BTreeMap<String, (String, usize)> {
    let mut counts: BTreeMap<String, (String, usize)> = BTreeMap::new();
    for email in of_kind(sink, "digest") {
        counts
            .entry(email.message_id())
            .or_insert_with(|| (email.to.clone(), 0))
            .1 += 1;
    }
    counts
}

/// Each of `count` subscribers got exactly one digest, and no Message-ID was delivered
/// twice.
pub fn assert_each_digest_exactly_once(sink: &SmtpSink, count: usize) {
    let counts = digest_counts(sink);
    let twice: Vec<_> = counts.iter().filter(|(_, (_, n))| *n > 1).collect();
    assert!(
        twice.is_empty(),
        "digests the SMTP server got more than once: {twice:?}"
    );
    let mut recipients: Vec<&str> = counts.values().map(|(to, _)| to.as_str()).collect();
    recipients.sort_unstable();
    let expected: Vec<String> = (0..count).map(address).collect();
    assert_eq!(recipients, expected, "one digest per subscriber");
}

/// `send-due`'s summary: `expected` digests were due, each was sent by it or left to a
/// worker already sending it, and none failed.
pub fn assert_every_due_digest_accounted_for(round: &crate::harness::Run, expected: usize) {
    let summary = regex::Regex::new(
        r"(\d+) due, .*: sent (\d+) digest\(s\).*, (\d+) being sent by a running worker, (\d+) failed",
    )
    .unwrap();
    let numbers: Vec<usize> = summary
        .captures(&round.stdout)
        .unwrap_or_else(|| panic!("no summary line:\n{round}"))
        .iter()
        .skip(1)
        .map(|m| m.unwrap().as_str().parse().unwrap())
        .collect();
    let [due, sent, by_worker, failed] = numbers[..] else {
        unreachable!()
    };
    assert_eq!(due, expected, "{round}");
    assert_eq!(sent + by_worker, expected, "{round}");
    assert_eq!(failed, 0, "{round}");
}

async fn scraped_site(boards: &Boards, sink: &SmtpSink) -> Site {
    let mut site = site_with_boards(boards);
    configure(&mut site, sink);
    site.ok(&["scrape"]).await;
    site
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_due_beside_a_running_serve_sends_each_digest_exactly_once() {
    let boards = Boards::start().await;
    let sink = SmtpSink::start().await.unwrap();
    let site = scraped_site(&boards, &sink).await;
    let mut serve = site.spawn(&["serve"]);
    let base = serve.serving().await;
    sign_up_and_confirm(std::slice::from_ref(&base), &sink, SUBSCRIBERS).await;

    let round = site.ok(&["send-due", "--as-of", THURSDAY_SLOT]).await;
    assert_every_due_digest_accounted_for(&round, SUBSCRIBERS);
    wait_for_kind(&sink, "digest", SUBSCRIBERS, Duration::from_secs(60)).await;
    nothing_left_to_send(&base).await;
    assert_each_digest_exactly_once(&sink, SUBSCRIBERS);
    assert!(serve.terminate(Duration::from_secs(30)).await.success());
}

/// `send-due` beside `serve --no-worker` and two `worker`s, on the database at
/// `database_url` (the folder's SQLite file when `None`).
async fn send_due_beside_two_workers(database_url: Option<&str>) {
    let boards = Boards::start().await;
    let sink = SmtpSink::start().await.unwrap();
    let mut site = site_with_boards(&boards);
    configure(&mut site, &sink);
    if let Some(url) = database_url {
        site.env("DATABASE_URL", url);
    }
    site.ok(&["scrape"]).await;
    let mut serve = site.spawn(&["serve", "--no-worker"]);
    let base = serve.serving().await;
    let mut workers: Vec<Proc> = (0..2).map(|_| site.spawn(&["worker"])).collect();
    for worker in &mut workers {
        worker
            .wait_for_message("worker started", Duration::from_secs(30))
            .await;
    }
    sign_up_and_confirm(std::slice::from_ref(&base), &sink, SUBSCRIBERS).await;

    let round = site.ok(&["send-due", "--as-of", THURSDAY_SLOT]).await;
    assert_every_due_digest_accounted_for(&round, SUBSCRIBERS);
    wait_for_kind(&sink, "digest", SUBSCRIBERS, Duration::from_secs(60)).await;
    nothing_left_to_send(&base).await;
    assert_each_digest_exactly_once(&sink, SUBSCRIBERS);
    for worker in &mut workers {
        assert!(worker.terminate(Duration::from_secs(30)).await.success());
    }
    assert!(serve.terminate(Duration::from_secs(30)).await.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_due_beside_two_workers_on_sqlite_sends_each_digest_exactly_once() {
    send_due_beside_two_workers(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_due_beside_two_workers_on_postgres_sends_each_digest_exactly_once() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    send_due_beside_two_workers(Some(&db.url)).await;
}
