//! Past one machine: PostgreSQL and Redis, two `serve --no-worker` and two `worker`
//! processes. The journey across them, a worker killed mid-round, Redis and then
//! PostgreSQL going away and coming back.

use std::time::Duration;

use jobping_mail::testing::SmtpSink;
use jobping_store::testing::TestDb;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, LOCATION};
use serde_json::json;

use crate::boards::Boards;
use crate::double_send::{
    ADMIN_KEY, SUBSCRIBERS, address, assert_every_due_digest_accounted_for, configure, digest_counts,
    nothing_left_to_send, sign_up_and_confirm, wait_for_kind,
};
use crate::harness::{Proc, Site, client, eventually};
use crate::mail::Email;
use crate::services::{Postgres, Redis, SlowRelay};
use crate::sqlite_journey::{THURSDAY_SLOT, preferences, signup_form, site_with_boards};

/// The public address the servers sit behind (a load balancer's), which browsers send
/// as their `Origin`.
const PUBLIC_URL: &str = "http://jobping.test";

/// The PostgreSQL database and Redis of one test, or `None` when PostgreSQL is not
/// there (outside CI the test is then skipped, as the project's other tests do).
async fn backends() -> Option<(TestDb, Redis)> {
    let db = TestDb::postgres().await?;
    let redis = Redis::start().await?;
    Some((db, redis))
}

/// Two servers and two workers on one PostgreSQL database and one Redis.
struct Fleet {
    servers: Vec<Proc>,
    bases: Vec<String>,
    workers: Vec<Proc>,
}

impl Fleet {
    async fn start(site: &Site) -> Self {
        let mut servers = vec![
            site.spawn(&["serve", "--no-worker"]),
            site.spawn(&["serve", "--no-worker"]),
        ];
        let mut bases = Vec::new();
        for server in &mut servers {
            bases.push(server.serving().await);
        }
        let mut workers = vec![site.spawn(&["worker"]), site.spawn(&["worker"])];
        for worker in &mut workers {
            worker
                .wait_for_message("worker started", Duration::from_secs(30))
                .await;
        }
        Self {
            servers,
            bases,
            workers,
        }
    }

    /// SIGTERM to every process; each must exit 0 within 30 s.
    async fn stop(mut self) {
        for process in self.workers.iter_mut().chain(self.servers.iter_mut()) {
            let status = process.terminate(Duration::from_secs(30)).await;
            assert!(status.success(), "{} stopped with {status}", process.label);
        }
    }
}

/// A folder for the fleet: the boards, PostgreSQL, Redis, and mail to `mail` (the sink,
/// or a relay in front of it).
fn site_on(db: &TestDb, redis: &Redis, boards: &Boards, sink: &SmtpSink, mail: &str) -> Site {
    let mut site = site_with_boards(boards);
    configure(&mut site, sink);
    site.env("DATABASE_URL", &db.url)
        .env("REDIS_URL", redis.url())
        .env("JOBPING_MAIL", mail)
        // The shortest lease: a killed worker's task runs again within seconds, and its
        // delivery's send claim (four leases, at least a minute) runs out within the test.
        .env("JOBPING_QUEUE_LEASE_SECONDS", "5");
    site
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_journey_runs_on_postgres_and_redis_across_two_servers_and_two_workers() {
    let Some((db, redis)) = backends().await else {
        return;
    };
    let boards = Boards::start().await;
    let sink = SmtpSink::start().await.unwrap();
    let mut site = site_on(&db, &redis, &boards, &sink, sink.url().as_str());
    site.env("JOBPING_BASE_URL", PUBLIC_URL);
    let scrape = site.ok(&["scrape"]).await;
    assert!(scrape.stdout.contains("greenhouse:fjordpay"), "{scrape}");
    let fleet = Fleet::start(&site).await;
    let (a, b) = (fleet.bases[0].clone(), fleet.bases[1].clone());
    let http = client();
    for base in [&a, &b] {
        let ready: serde_json::Value = http
            .get(format!("{base}/ready"))
            .bearer_auth(ADMIN_KEY)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(ready["checks"]["database"]["backend"], "postgres", "{ready}");
        assert_eq!(ready["checks"]["redis"]["status"], "up", "{ready}");
    }

    // Signed up on one server, confirmed on the other; the workers send the emails.
    let who = "ada@example.com";
    let accepted = http
        .post(format!("{a}/api/v1/subscribers"))
        .json(&json!({"email": who, "preferences": preferences(), "consent": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), StatusCode::ACCEPTED);
    let verify = wait_for_kind(&sink, "verify", 1, Duration::from_secs(30)).await;
    let verified: serde_json::Value = http
        .post(format!("{b}/api/v1/subscribers/verify"))
        .json(&json!({"token": verify[0].token_for("/verify")}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let manage = verified["manage_token"]
        .as_str()
        .unwrap_or_else(|| panic!("{verified}"))
        .to_owned();
    let welcome = wait_for_kind(&sink, "welcome", 1, Duration::from_secs(30)).await;
    assert!(
        welcome[0].text.contains("Your first matches"),
        "{}",
        welcome[0].text
    );

    // And through the pages: the form posted to one server, the link confirmed on the
    // other, as a browser behind the load balancer would.
    let reader = "grace@example.com";
    let submitted = http
        .post(format!("{b}/signup"))
        .header("origin", PUBLIC_URL)
        .form(&signup_form(reader))
        .send()
        .await
        .unwrap();
    assert_eq!(submitted.status(), StatusCode::OK);
    let verify = wait_for_kind(&sink, "verify", 2, Duration::from_secs(30)).await;
    let link = verify.iter().find(|e| e.to == reader).expect("the reader's link");
    let token = link.token_for("/verify");
    let button = http
        .get(format!("{a}/verify?token={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(button.status(), StatusCode::OK);
    let confirmed = http
        .post(format!("{a}/verify"))
        .header("origin", PUBLIC_URL)
        .form(&[("token", token)])
        .send()
        .await
        .unwrap();
    assert_eq!(confirmed.status(), StatusCode::OK);
    wait_for_kind(&sink, "welcome", 2, Duration::from_secs(30)).await;

    let round = site.ok(&["send-due", "--as-of", THURSDAY_SLOT]).await;
    assert_every_due_digest_accounted_for(&round, 2);
    let digests = wait_for_kind(&sink, "digest", 2, Duration::from_secs(30)).await;
    let digest: &Email = digests.iter().find(|e| e.to == who).expect("ada's digest");

    let click = http
        .get(format!("{a}/c?token={}", digest.token_for("/c")))
        .send()
        .await
        .unwrap();
    assert_eq!(click.status(), StatusCode::SEE_OTHER);
    assert!(click.headers().contains_key(LOCATION));
    let down = http
        .get(format!("{b}/feedback?token={}", digest.thumbs_down_token()))
        .send()
        .await
        .unwrap();
    assert_eq!(down.status(), StatusCode::OK);
    let unsubscribed = http
        .post(format!(
            "{a}/unsubscribe?token={}",
            digest.token_for("/unsubscribe")
        ))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(unsubscribed.status(), StatusCode::OK);

    let token = |purpose: &'static str| {
        let request = http
            .post(format!("{b}/api/v1/me/tokens"))
            .bearer_auth(&manage)
            .json(&json!({"purpose": purpose}));
        async move {
            let body: serde_json::Value = request.send().await.unwrap().json().await.unwrap();
            body["token"]
                .as_str()
                .unwrap_or_else(|| panic!("{body}"))
                .to_owned()
        }
    };
    let export: serde_json::Value = http
        .get(format!("{b}/api/v1/me/export"))
        .bearer_auth(token("export").await)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(export["subscriber"]["email"], who, "{export}");
    assert_eq!(export["subscriber"]["status"], "unsubscribed", "{export}");
    let feedback = export["feedback"].to_string();
    assert!(
        feedback.contains("click") && feedback.contains("down"),
        "{export:#}"
    );
    let deleted = http
        .delete(format!("{a}/api/v1/me"))
        .bearer_auth(token("delete").await)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        db.count("SELECT COUNT(*) FROM subscribers").await,
        1,
        "nothing of the deleted subscriber is left, and the other is still there"
    );
    fleet.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_killed_mid_round_loses_no_digest_and_repeats_at_most_those_in_hand() {
    let Some((db, redis)) = backends().await else {
        return;
    };
    let boards = Boards::start().await;
    let sink = SmtpSink::start().await.unwrap();
    // Every reply 30 ms late: a round of digests takes seconds, not milliseconds.
    let relay = SlowRelay::start(sink.addr(), Duration::from_millis(30)).await;
    let mut site = site_on(&db, &redis, &boards, &sink, &relay.url());
    // Always due, whatever the day and hour: the round is queued with the real clock.
    site.env("JOBPING_DELIVERY_FREE_DAYS", "mon,tue,wed,thu,fri,sat,sun")
        .env("JOBPING_DELIVERY_HOUR", "0")
        .env("JOBPING_DELIVERY_GRACE_HOURS", "25")
        .env("JOBPING_QUEUE_CONCURRENCY", "2");
    site.ok(&["scrape"]).await;
    let mut fleet = Fleet::start(&site).await;
    sign_up_and_confirm(&fleet.bases, &sink, SUBSCRIBERS).await;

    let http = client();
    let queued = http
        .post(format!("{}/api/v1/admin/rounds/delivery", fleet.bases[0]))
        .bearer_auth(ADMIN_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(queued.status(), StatusCode::ACCEPTED);
    // Mid-round: some digests are out, most are not.
    wait_for_kind(&sink, "digest", 3, Duration::from_secs(60)).await;
    fleet.workers[0].kill9();
    let at_kill = digest_counts(&sink).len();
    assert!(
        at_kill < SUBSCRIBERS,
        "the round was over before the kill ({at_kill} digests): the test proves nothing"
    );

    wait_for_kind(&sink, "digest", SUBSCRIBERS, Duration::from_secs(90)).await;
    nothing_left_to_send(&fleet.bases[1]).await;
    let counts = digest_counts(&sink);
    let mut recipients: Vec<&str> = counts.values().map(|(to, _)| to.as_str()).collect();
    recipients.sort_unstable();
    recipients.dedup();
    let expected: Vec<String> = (0..SUBSCRIBERS).map(address).collect();
    assert_eq!(recipients, expected, "every due digest arrived");
    assert_eq!(
        counts.len(),
        SUBSCRIBERS,
        "one digest (one Message-ID) per subscriber"
    );
    // The documented exception: a send the killed worker had in hand when it died may
    // reach the SMTP server again when its task is retried, once.
    let repeated: Vec<_> = counts.iter().filter(|(_, (_, n))| *n > 1).collect();
    eprintln!(
        "{at_kill} of {SUBSCRIBERS} digests were out at the kill; {} arrived twice",
        repeated.len()
    );
    assert!(
        repeated.iter().all(|(_, (_, n))| *n == 2),
        "a digest arrived more than twice: {repeated:?}"
    );
    assert!(
        repeated.len() <= 2,
        "more repeats ({}) than sends the killed worker could hold (its concurrency, 2): {repeated:?}",
        repeated.len()
    );
    fleet.workers.remove(0);
    fleet.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_redis_stopped_limited_endpoints_answer_503_and_recover_without_a_restart() {
    let Some((db, mut redis)) = backends().await else {
        return;
    };
    let sink = SmtpSink::start().await.unwrap();
    let mut site = Site::empty();
    configure(&mut site, &sink);
    site.env("DATABASE_URL", &db.url).env("REDIS_URL", redis.url());
    let mut servers = vec![
        site.spawn(&["serve", "--no-worker"]),
        site.spawn(&["serve", "--no-worker"]),
    ];
    let mut bases = Vec::new();
    for server in &mut servers {
        bases.push(server.serving().await);
    }
    let http = client();
    let sign_up = |base: &str, n: usize| {
        http.post(format!("{base}/api/v1/subscribers"))
            .json(
                &json!({"email": format!("r{n}@example.com"), "preferences": preferences(), "consent": true}),
            )
            .send()
    };
    for base in &bases {
        assert_eq!(sign_up(base, 0).await.unwrap().status(), StatusCode::ACCEPTED);
    }

    redis.stop().await;
    for (i, base) in bases.iter().enumerate() {
        let refused = sign_up(base, 10 + i).await.unwrap();
        assert_eq!(
            refused.status(),
            StatusCode::SERVICE_UNAVAILABLE,
            "fail closed while Redis is down"
        );
        assert!(refused.headers().contains_key("retry-after"));
        let ready = http
            .get(format!("{base}/ready"))
            .bearer_auth(ADMIN_KEY)
            .send()
            .await
            .unwrap();
        assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
        let ready: serde_json::Value = ready.json().await.unwrap();
        assert_eq!(ready["checks"]["redis"]["status"], "down", "{ready}");
        let landing = http.get(format!("{base}/")).send().await.unwrap();
        assert_eq!(
            landing.status(),
            StatusCode::OK,
            "pages that send nothing keep working"
        );
    }

    redis.run().await;
    for (i, base) in bases.iter().enumerate() {
        eventually(
            "signups accepted again once Redis is back",
            Duration::from_secs(30),
            || async { (sign_up(base, 20 + i).await.ok()?.status() == StatusCode::ACCEPTED).then_some(()) },
        )
        .await;
        let ready = http.get(format!("{base}/ready")).send().await.unwrap();
        assert_eq!(ready.status(), StatusCode::OK);
    }
    for server in &mut servers {
        let status = server.terminate(Duration::from_secs(30)).await;
        assert!(
            status.success(),
            "{} was still the first process and stopped with {status}",
            server.label
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_postgres_stopped_ready_says_so_and_serve_and_worker_recover_when_it_returns() {
    let Some(mut postgres) = Postgres::start().await else {
        return;
    };
    let sink = SmtpSink::start().await.unwrap();
    let mut site = Site::empty();
    configure(&mut site, &sink);
    site.env("DATABASE_URL", postgres.url());
    let mut serve = site.spawn(&["serve", "--no-worker"]);
    let base = serve.serving().await;
    let mut worker = site.spawn(&["worker"]);
    worker
        .wait_for_message("worker started", Duration::from_secs(30))
        .await;
    let http = client();
    let ready = |http: &reqwest::Client| {
        let request = http.get(format!("{base}/ready")).bearer_auth(ADMIN_KEY);
        async move {
            let response = request.send().await.ok()?;
            let status = response.status();
            Some((status, response.json::<serde_json::Value>().await.ok()?))
        }
    };
    assert_eq!(ready(&http).await.unwrap().0, StatusCode::OK);

    postgres.stop().await;
    let (_, body) = eventually(
        "/ready to say the database is down",
        Duration::from_secs(30),
        || async {
            ready(&http)
                .await
                .filter(|(status, _)| *status == StatusCode::SERVICE_UNAVAILABLE)
        },
    )
    .await;
    assert_eq!(body["checks"]["database"]["status"], "down", "{body}");
    // Requests that need the database: 503 with Retry-After within a few seconds,
    // never a 500 (README: connections are waited for 3 s).
    let asked = std::time::Instant::now();
    let refused = http
        .post(format!("{base}/api/v1/subscribers"))
        .json(&json!({"email": "pat@example.com", "preferences": preferences(), "consent": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        refused.headers().contains_key("retry-after"),
        "{:?}",
        refused.headers()
    );
    assert!(
        asked.elapsed() < Duration::from_secs(6),
        "answered after {:?}",
        asked.elapsed()
    );
    let asked = std::time::Instant::now();
    let ready_down = http.get(format!("{base}/ready")).send().await.unwrap();
    assert_eq!(ready_down.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        asked.elapsed() < Duration::from_secs(4),
        "/ready answers within 3 s whatever is down: {:?}",
        asked.elapsed()
    );

    postgres.run().await;
    eventually("/ready to recover", Duration::from_secs(30), || async {
        ready(&http).await.filter(|(status, _)| *status == StatusCode::OK)
    })
    .await;
    let accepted = http
        .post(format!("{base}/api/v1/subscribers"))
        .json(&json!({"email": "pat@example.com", "preferences": preferences(), "consent": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), StatusCode::ACCEPTED);
    let verify = wait_for_kind(&sink, "verify", 1, Duration::from_secs(30)).await;
    assert_eq!(verify[0].to, "pat@example.com", "the worker works again");

    for process in [&mut worker, &mut serve] {
        let status = process.terminate(Duration::from_secs(30)).await;
        assert!(status.success(), "{} stopped with {status}", process.label);
    }
}
