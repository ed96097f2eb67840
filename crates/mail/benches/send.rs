//! Sending throughput: personalised digests rendered, DKIM-signed (RSA-2048) and sent over
//! SMTP to the loopback sink, with a bounded number of sends in flight.
//!
//! `bench/mail` runs it; tune with MAIL_BENCH_EMAILS (10000), MAIL_BENCH_IN_FLIGHT (16)
//! and MAIL_BENCH_JOBS (5 per digest). It prints the time split: render; build, sign and
//! send; and the same send without DKIM, whose difference is the cost of signing, while
//! the unsigned run is the ceiling this transport and the sink allow.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use jobping_core::EmailAddress;
use jobping_mail::dkim::{self, DkimKey, DkimSettings, KeyAlgorithm};
use jobping_mail::templates::{self, DigestEmail, DigestJob, JobLine};
use jobping_mail::testing::SmtpSink;
use jobping_mail::{ListUnsubscribe, Mailer, MailerConfig, OutgoingEmail, TransportConfig};
use url::Url;

const FROM: &str = "JobPing <jobs@jobping.example>";
const TARGET_PER_SECOND: f64 = 500.0;

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn link(path: &str, subscriber: usize, extra: &str) -> Url {
    // Tokens about as long as the app's signed ones.
    Url::parse(&format!(
        "https://jobping.example/{path}?token=s{subscriber:06}.{extra}.{}",
        "x".repeat(64)
    ))
    .expect("a valid URL")
}

/// The digest for subscriber `n`: `jobs` distinct jobs with per-subscriber links.
fn digest_for(n: usize, jobs: usize) -> OutgoingEmail {
    let cities = ["Berlin", "Amsterdam", "Dublin", "Paris", "Lisbon"];
    let jobs: Vec<DigestJob> = (0..jobs)
        .map(|j| DigestJob {
            line: JobLine {
                title: format!("Graduate Analyst {j} (m/w/d) – team {}", n % 97),
                company: format!("Company {} GmbH", (n * 7 + j) % 500),
                place: cities[(n + j) % cities.len()].to_owned(),
                why: vec![
                    "Graduate role".into(),
                    "English-speaking team".into(),
                    "Visa sponsorship".into(),
                ],
                salary: j.is_multiple_of(2).then(|| "€45,000–52,000 a year".to_owned()),
                posted: Some(format!("{} days ago", j + 1)),
                apply_url: link("c", n, &format!("job{j}")),
            },
            thumbs_up_url: link("feedback", n, &format!("job{j}.up")),
            thumbs_down_url: link("feedback", n, &format!("job{j}.down")),
        })
        .collect();
    let unsubscribe_url = link("unsubscribe", n, "u");
    let rendered = templates::digest(DigestEmail {
        subject: format!("{} new jobs for you in {}", jobs.len(), cities[n % cities.len()]),
        intro: format!(
            "Hi subscriber {n}, here are the newest jobs that fit what you told us. Each passed every one of your rules."
        ),
        jobs,
        premium_note: (!n.is_multiple_of(3))
            .then(|| "Want more? Premium sends 15 jobs a week, on Monday, Wednesday and Friday.".to_owned()),
        attribution: vec!["Some jobs via Arbeitnow.".into()],
        manage_url: link("preferences", n, "m"),
        unsubscribe_url: unsubscribe_url.clone(),
    });
    let to = EmailAddress::parse(&format!("subscriber{n}@example.com")).expect("a valid address");
    rendered.into_outgoing(
        uuid::Uuid::now_v7(),
        to,
        Some(ListUnsubscribe {
            url: unsubscribe_url,
            mailto: None,
        }),
    )
}

/// Sends every email with at most `in_flight` sends at once; the time it took.
async fn send_all(mailer: &Mailer, emails: Arc<Vec<OutgoingEmail>>, in_flight: usize) -> Duration {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..in_flight {
        let (mailer, emails, next) = (mailer.clone(), emails.clone(), next.clone());
        workers.spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(email) = emails.get(i) else { break };
                mailer.send(email).await.expect("the sink accepts every email");
            }
        });
    }
    while let Some(done) = workers.join_next().await {
        done.expect("a send worker panicked");
    }
    started.elapsed()
}

fn per_second(n: usize, took: Duration) -> f64 {
    n as f64 / took.as_secs_f64()
}

#[tokio::main]
async fn main() {
    let n = setting("MAIL_BENCH_EMAILS", 10_000);
    let in_flight = setting("MAIL_BENCH_IN_FLIGHT", 16).max(1);
    let jobs = setting("MAIL_BENCH_JOBS", 5);
    println!(
        "mail send benchmark: {n} digests of {jobs} jobs, {in_flight} in flight, SMTP to a loopback sink, {} cores",
        std::thread::available_parallelism().map_or(1, |p| p.get())
    );

    let started = Instant::now();
    let generated = dkim::generate(KeyAlgorithm::Rsa2048);
    let key = DkimKey::parse(&generated.private_pem).expect("a generated key loads");
    println!(
        "  RSA-2048 key generated in {:.2} s",
        started.elapsed().as_secs_f64()
    );

    let started = Instant::now();
    let emails: Arc<Vec<OutgoingEmail>> = Arc::new((0..n).map(|i| digest_for(i, jobs)).collect());
    let render = started.elapsed();
    let average_html = emails.iter().map(|e| e.html.len()).sum::<usize>() / n.max(1);
    println!(
        "  render:              {:>7.2} s  {:>8.0} emails/s  (HTML {:.1} KiB on average)",
        render.as_secs_f64(),
        per_second(n, render),
        average_html as f64 / 1024.0
    );

    let sink = SmtpSink::start().await.expect("the sink starts");
    let signing = Mailer::new(
        MailerConfig::new(TransportConfig::Smtp(sink.url()), FROM).with_dkim(DkimSettings {
            selector: "bench".into(),
            key,
        }),
    )
    .expect("the mailer builds");
    let signed = send_all(&signing, emails.clone(), in_flight).await;
    let received = sink.messages();
    assert_eq!(received.len(), n, "the sink received every email");
    assert!(
        received
            .iter()
            .all(|m| m.data.windows(15).any(|w| w == b"DKIM-Signature:")),
        "every email is signed"
    );
    drop(received);
    println!(
        "  build, sign, send:   {:>7.2} s  {:>8.0} emails/s",
        signed.as_secs_f64(),
        per_second(n, signed)
    );

    let plain_sink = SmtpSink::start().await.expect("the sink starts");
    let plain = Mailer::new(MailerConfig::new(TransportConfig::Smtp(plain_sink.url()), FROM))
        .expect("the mailer builds");
    let unsigned = send_all(&plain, emails.clone(), in_flight).await;
    assert_eq!(plain_sink.messages().len(), n);
    println!(
        "  build, send unsigned:{:>7.2} s  {:>8.0} emails/s  (the transport and sink ceiling)",
        unsigned.as_secs_f64(),
        per_second(n, unsigned)
    );
    let signing_cost = signed.saturating_sub(unsigned);
    println!(
        "  signing:             {:>7.2} s  {:>8.2} ms of wall time per email",
        signing_cost.as_secs_f64(),
        signing_cost.as_secs_f64() * 1000.0 / n.max(1) as f64
    );

    let total = render + signed;
    let rate = per_second(n, total);
    println!(
        "  total (render + signed send): {:.2} s, {:.0} emails/s — target {TARGET_PER_SECOND:.0}: {}",
        total.as_secs_f64(),
        rate,
        if rate >= TARGET_PER_SECOND {
            "met"
        } else {
            "MISSED"
        }
    );
}
