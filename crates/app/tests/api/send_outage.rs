//! The database going away between the mail server's acceptance and "marked sent": the
//! mark is retried while the send claim holds, so nothing is sent twice.

use std::time::{Duration, Instant};

use jobping::delivery::{self, Prepared, RoundReport, SendOutcome};
use jobping_mail::testing::SmtpSink;
use jobping_store::Backend;
use jobping_store::testing::TestDb;

use crate::delivery::{always_due, store_jobs};
use crate::forwarder::Forwarder;
use crate::helpers::spawn_app_on;
use crate::journey::signup_form;

/// How long the database stays away once the digest reached the mail server: the
/// 30-second outage the at-most-one-duplicate promise is made for.
const OUTAGE: Duration = Duration::from_secs(30);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_outage_after_the_mail_server_accepted_sends_nothing_twice() {
    let Some(db) = TestDb::new(Backend::Postgres).await else {
        return;
    };
    let sink = SmtpSink::start().await.unwrap();
    let (mut forwarder, through) = Forwarder::in_front_of(&db.url).await;
    let mut options = always_due();
    options.env.push(("DATABASE_URL", through));
    options.env.push(("JOBPING_MAIL", sink.url().to_string()));
    let app = spawn_app_on(db, options).await;

    store_jobs(&app).await;
    let response = app.post_form("/signup", &signup_form("grace@example.com")).await;
    assert_eq!(response.status(), 200);
    app.drain().await;
    let confirmation = sink.wait_for(1, Duration::from_secs(10)).await;
    let text = mail_parser::MessageParser::default()
        .parse(&confirmation[0].data)
        .and_then(|m| m.body_text(0).map(|t| t.into_owned()))
        .unwrap();
    let token = regex::Regex::new(r"/verify\?token=([A-Za-z0-9_\-.]+)")
        .unwrap()
        .captures(&text)
        .expect("a confirmation link")[1]
        .to_owned();
    let response = app.post_form("/verify", &[("token", token)]).await;
    assert_eq!(response.status(), 200);
    app.drain().await;
    let before = sink.messages().len();
    assert_eq!(before, 2, "the confirmation and welcome emails went out");

    let mut report = RoundReport::default();
    let due = delivery::due(&app.state, chrono::Utc::now(), &mut report)
        .await
        .unwrap();
    assert_eq!(due.len(), 1, "{report:?}");
    let Prepared::Recorded { delivery: id, .. } =
        delivery::prepare(&app.state, due[0].subscriber.id, &due[0].period)
            .await
            .unwrap()
    else {
        panic!("the digest was not recorded");
    };

    // The moment the digest reaches the mail server, the database goes away for a while.
    let outage = tokio::spawn(async move {
        sink.wait_for(before + 1, Duration::from_secs(20)).await;
        forwarder.cut().await;
        tokio::time::sleep(OUTAGE).await;
        forwarder.restore().await;
        (sink, forwarder)
    });
    let started = Instant::now();
    let outcome = delivery::send(&app.state, id, "worker-under-test").await;
    let (sink, _forwarder) = outage.await.unwrap();
    assert_eq!(outcome.unwrap(), SendOutcome::Sent);
    assert!(
        started.elapsed() >= OUTAGE,
        "marked sent only once the database was back ({:?})",
        started.elapsed()
    );

    // The queued send task (a retry, another worker) finds it sent.
    app.drain().await;
    let stored = app.state.store.delivery(id).await.unwrap();
    assert!(stored.sent_at.is_some());
    let to_grace: Vec<_> = sink
        .messages()
        .into_iter()
        .filter(|m| m.text().contains("X-JobPing-Kind: digest"))
        .collect();
    assert_eq!(to_grace.len(), 1, "the digest reached the mail server once");
}
