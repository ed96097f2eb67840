//! Delivering digests: due subscribers get one digest per slot, never the same job
//! twice, links in it record clicks and votes, kill switches hold, and provider events
//! suppress addresses.

use base64::Engine;
use hmac::{KeyInit, Mac};
use jobping::commands::send_due;
use jobping::delivery::{self, Prepared, SendOutcome};
use jobping_core::normalize::normalize;
use jobping_core::{EmailAddress, RawPosting, SubscriberStatus, Taxonomy};
use jobping_store::SuppressionReason;
use reqwest::StatusCode;
use reqwest::header::LOCATION;
use time::OffsetDateTime;

use crate::app_test;
use crate::helpers::{Options, TestApp};

const WEBHOOK_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// Every day at midnight local time, with a grace of a day: a slot is always open.
pub(crate) fn always_due() -> Options {
    Options {
        env: vec![
            ("JOBPING_DELIVERY_FREE_DAYS", "mon,tue,wed,thu,fri,sat,sun".into()),
            (
                "JOBPING_DELIVERY_PREMIUM_DAYS",
                "mon,tue,wed,thu,fri,sat,sun".into(),
            ),
            ("JOBPING_DELIVERY_HOUR", "0".into()),
            ("JOBPING_DELIVERY_GRACE_HOURS", "25".into()),
            ("JOBPING_DELIVERY_FREE_JOBS", "2".into()),
            ("RESEND_WEBHOOK_SECRET", WEBHOOK_SECRET.into()),
        ],
        ..Options::default()
    }
}

fn posting(id: &str, title: &str, company: &str, description: &str) -> RawPosting {
    RawPosting {
        source: "greenhouse".into(),
        board: "test".into(),
        external_id: id.into(),
        title: title.into(),
        company: company.into(),
        url: format!("https://boards.example/{id}"),
        locations: vec!["Berlin, Germany".into()],
        workplace: Some("hybrid".into()),
        description_text: Some(description.into()),
        posted_at: Some(OffsetDateTime::now_utc() - time::Duration::days(1)),
        ..RawPosting::default()
    }
}

/// Three graduate data jobs in Berlin from three companies.
pub(crate) async fn store_jobs(app: &TestApp) {
    let now = OffsetDateTime::now_utc();
    let raw = [
        posting(
            "1",
            "Graduate Data Analyst",
            "Brightpath",
            "Graduate programme. SQL and Python.",
        ),
        posting(
            "2",
            "Junior Data Analyst",
            "Nordwind",
            "Entry-level role for graduates. SQL.",
        ),
        posting(
            "3",
            "Graduate BI Analyst",
            "Fjordpay",
            "Graduate role in analytics with SQL and Python.",
        ),
    ];
    let jobs: Vec<_> = raw
        .iter()
        .map(|r| normalize(r, Taxonomy::embedded(), now).unwrap())
        .collect();
    app.state.store.upsert_jobs(&jobs, now).await.unwrap();
    app.state.job_index.invalidate().await;
}

async fn subscriber(app: &TestApp, email: &str) -> jobping_store::Subscriber {
    app.state
        .store
        .subscriber_by_email(&EmailAddress::parse(email).unwrap())
        .await
        .unwrap()
        .unwrap()
}

pub(crate) fn digests(app: &TestApp, email: &str) -> Vec<crate::helpers::SentEmail> {
    app.emails_to(email)
        .into_iter()
        .filter(|e| e.header("X-JobPing-Kind").as_deref() == Some("digest"))
        .collect()
}

app_test!(
    a_due_subscriber_gets_one_digest_and_a_second_round_sends_nothing,
    always_due,
    |app: TestApp| async move {
        store_jobs(&app).await;
        app.signed_up_and_confirmed("ada@example.com").await;
        app.drain().await;

        let first = send_due::run(&app.state, false, chrono::Utc::now())
            .await
            .unwrap();
        assert_eq!(first.sent, 1, "{first:?}");
        // Two jobs per email in these settings: the welcome email took the first two, and
        // a job is never emailed twice, so the digest holds the third.
        assert_eq!(first.jobs, 1, "{first:?}");
        let sent = digests(&app, "ada@example.com");
        assert_eq!(sent.len(), 1);
        assert!(sent[0].subject.contains("1 new job"), "{}", sent[0].subject);
        assert!(
            sent[0].text.contains("/c?token="),
            "apply links go through our redirect"
        );
        assert!(sent[0].text.contains("/feedback?token="));
        assert_eq!(
            sent[0].header("List-Unsubscribe-Post").as_deref(),
            Some("List-Unsubscribe=One-Click")
        );

        let second = send_due::run(&app.state, false, chrono::Utc::now())
            .await
            .unwrap();
        assert_eq!(second.due, 0, "{second:?}");
        app.drain().await;
        assert_eq!(
            digests(&app, "ada@example.com").len(),
            1,
            "the queued send task sends nothing more"
        );

        // The next slot repeats nothing: with no new job it is skipped, not padded.
        let next = delivery::prepare(
            &app.state,
            subscriber(&app, "ada@example.com").await.id,
            "next-slot",
        )
        .await
        .unwrap();
        assert_eq!(next, Prepared::Skipped);
    }
);

app_test!(
    a_dry_run_writes_and_sends_nothing,
    always_due,
    |app: TestApp| async move {
        store_jobs(&app).await;
        app.signed_up_and_confirmed("grace@example.com").await;
        app.drain().await;
        let dry = send_due::run(&app.state, true, chrono::Utc::now()).await.unwrap();
        assert_eq!((dry.due, dry.sent), (1, 1), "{dry:?}");
        assert!(digests(&app, "grace@example.com").is_empty());
        let real = send_due::run(&app.state, false, chrono::Utc::now())
            .await
            .unwrap();
        assert_eq!(real.sent, 1, "the dry run left the slot open");
    }
);

app_test!(
    a_crash_between_recording_and_sending_neither_loses_nor_repeats,
    always_due,
    |app: TestApp| async move {
        store_jobs(&app).await;
        app.signed_up_and_confirmed("linus@example.com").await;
        app.drain().await;
        let id = subscriber(&app, "linus@example.com").await.id;
        // The round and preparation ran, then the process died before sending.
        let report = delivery::run_round(&app.state, chrono::Utc::now()).await.unwrap();
        assert_eq!(report.queued, 1);
        let prepared = app.drain().await;
        assert!(prepared >= 2, "prepare, then the send task it queued");
        assert_eq!(digests(&app, "linus@example.com").len(), 1);
        // A second round finds the slot filled; a repeated send finds it sent.
        assert_eq!(
            delivery::run_round(&app.state, chrono::Utc::now())
                .await
                .unwrap()
                .queued,
            0
        );
        let export = app.state.store.export_subscriber(id).await.unwrap();
        let delivery_id = export.deliveries[0].id;
        assert_eq!(
            delivery::send(&app.state, delivery_id, "test").await.unwrap(),
            SendOutcome::AlreadySent
        );
        // Rendered again for a retry, the email is the same bytes (Resend's idempotency
        // key refuses a different body under the same key).
        let stored = app.state.store.delivery(delivery_id).await.unwrap();
        let once = delivery::send::render(&app.state, &stored).unwrap();
        let twice = delivery::send::render(&app.state, &stored).unwrap();
        assert_eq!(
            (once.id, &once.text, &once.html),
            (twice.id, &twice.text, &twice.html)
        );
        assert_eq!(digests(&app, "linus@example.com").len(), 1);
    }
);

app_test!(
    the_sending_switch_holds_digests_until_it_is_turned_back_on,
    always_due,
    |app: TestApp| async move {
        store_jobs(&app).await;
        app.signed_up_and_confirmed("mary@example.com").await;
        app.drain().await;
        let now = OffsetDateTime::now_utc();
        app.state
            .store
            .set_switch("sending:free", false, "test", now)
            .await
            .unwrap();
        let report = send_due::run(&app.state, false, chrono::Utc::now())
            .await
            .unwrap();
        assert_eq!((report.due, report.paused), (0, 1), "{report:?}");
        assert!(digests(&app, "mary@example.com").is_empty());
        app.state
            .store
            .set_switch("sending:free", true, "test", now)
            .await
            .unwrap();
        assert_eq!(
            send_due::run(&app.state, false, chrono::Utc::now())
                .await
                .unwrap()
                .sent,
            1
        );
    }
);

app_test!(
    clicks_and_votes_from_a_digest_are_recorded_for_that_subscriber,
    always_due,
    |app: TestApp| async move {
        store_jobs(&app).await;
        app.signed_up_and_confirmed("alan@example.com").await;
        app.drain().await;
        send_due::run(&app.state, false, chrono::Utc::now())
            .await
            .unwrap();
        let digest = digests(&app, "alan@example.com").pop().unwrap();

        let click = digest.token_for("/c");
        let response = app.get(&format!("/c?token={click}")).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert!(
            response.headers()[LOCATION]
                .to_str()
                .unwrap()
                .starts_with("https://boards.example/")
        );

        let vote = digest.token_for("/feedback");
        let page = app.get(&format!("/feedback?token={vote}")).await;
        assert_eq!(page.status(), StatusCode::OK);
        // Voting twice is one vote.
        app.get(&format!("/feedback?token={vote}")).await;
        let id = subscriber(&app, "alan@example.com").await.id;
        let history = app.state.store.subscriber_history(id).await.unwrap();
        assert_eq!(history.votes.len(), 1);
        let export = app.state.store.export_subscriber(id).await.unwrap();
        assert!(
            export.feedback.iter().any(|f| f.kind == "click"),
            "{:?}",
            export.feedback
        );

        // A vote token opens no click, and an edited one opens nothing.
        assert_eq!(
            app.get(&format!("/c?token={vote}")).await.status(),
            StatusCode::BAD_REQUEST
        );
        let tampered = format!("{}x", &vote[..vote.len() - 1]);
        assert_eq!(
            app.get(&format!("/feedback?token={tampered}")).await.status(),
            StatusCode::BAD_REQUEST
        );
    }
);

app_test!(
    an_unsubscribe_between_preparing_and_sending_drops_the_digest,
    always_due,
    |app: TestApp| async move {
        store_jobs(&app).await;
        app.signed_up_and_confirmed("kim@example.com").await;
        app.drain().await;
        let id = subscriber(&app, "kim@example.com").await.id;
        let Prepared::Recorded { delivery, .. } = delivery::prepare(&app.state, id, "slot").await.unwrap()
        else {
            panic!("a digest was expected");
        };
        app.state
            .store
            .unsubscribe(id, OffsetDateTime::now_utc())
            .await
            .unwrap();
        let outcome = delivery::send(&app.state, delivery, "test").await.unwrap();
        assert!(matches!(outcome, SendOutcome::Dropped(_)), "{outcome:?}");
        assert!(digests(&app, "kim@example.com").is_empty());
    }
);

fn svix_headers(id: &str, body: &str, secret: &str, at: i64) -> Vec<(&'static str, String)> {
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let mut mac = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{at}.{body}").as_bytes());
    let signature = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    vec![
        ("svix-id", id.to_owned()),
        ("svix-timestamp", at.to_string()),
        ("svix-signature", format!("v1,{signature}")),
    ]
}

impl TestApp {
    async fn post_webhook(&self, headers: &[(&'static str, String)], body: &str) -> reqwest::Response {
        let mut request = self
            .client
            .post(format!("{}/api/v1/webhooks/email", self.address))
            .header("content-type", "application/json")
            .body(body.to_owned());
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        request.send().await.unwrap()
    }
}

app_test!(
    a_signed_hard_bounce_suppresses_the_address_and_replays_change_nothing,
    always_due,
    |app: TestApp| async move {
        store_jobs(&app).await;
        app.signed_up_and_confirmed("joan@example.com").await;
        app.drain().await;
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let body = r#"{"type":"email.bounced","created_at":"2026-12-03T10:00:00.000Z","data":{"email_id":"4ef9a417-02e9-4d39-ad75-9611e0fcc33c","from":"JobPing <jobs@localhost>","to":["joan@example.com"],"subject":"2 new jobs","bounce":{"message":"The recipient's mailbox does not exist.","subType":"General","type":"Permanent"}}}"#;

        let forged = app
            .post_webhook(
                &svix_headers("msg_1", body, "whsec_c2VjcmV0LXRoYXQtaXMtbm90LW91cnMtMTIz", now),
                body,
            )
            .await;
        assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
        let stale = app
            .post_webhook(&svix_headers("msg_1", body, WEBHOOK_SECRET, now - 600), body)
            .await;
        assert_eq!(stale.status(), StatusCode::UNAUTHORIZED);
        let tampered_body = body.replace("joan@", "someone@");
        let tampered = app
            .post_webhook(&svix_headers("msg_1", body, WEBHOOK_SECRET, now), &tampered_body)
            .await;
        assert_eq!(tampered.status(), StatusCode::UNAUTHORIZED);
        let email = EmailAddress::parse("joan@example.com").unwrap();
        assert_eq!(app.state.store.suppression(&email).await.unwrap(), None);

        let accepted = app
            .post_webhook(&svix_headers("msg_1", body, WEBHOOK_SECRET, now), body)
            .await;
        assert_eq!(accepted.status(), StatusCode::OK);
        assert_eq!(
            accepted.json::<serde_json::Value>().await.unwrap()["status"],
            "suppressed"
        );
        assert_eq!(
            app.state.store.suppression(&email).await.unwrap(),
            Some(SuppressionReason::Bounced)
        );
        let replay = app
            .post_webhook(&svix_headers("msg_1", body, WEBHOOK_SECRET, now), body)
            .await;
        assert_eq!(
            replay.json::<serde_json::Value>().await.unwrap()["status"],
            "replay"
        );

        let malformed = app
            .post_webhook(
                &svix_headers("msg_2", "{not json", WEBHOOK_SECRET, now),
                "{not json",
            )
            .await;
        assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);

        // Nothing more is sent to a bounced address.
        let report = send_due::run(&app.state, false, chrono::Utc::now())
            .await
            .unwrap();
        assert_eq!(report.sent, 0, "{report:?}");
        assert!(digests(&app, "joan@example.com").is_empty());
        assert_eq!(
            subscriber(&app, "joan@example.com").await.status,
            SubscriberStatus::Active
        );
    }
);
