//! Every operator command once, as an operator runs it.

use std::collections::HashMap;
use std::time::Duration;

use jobping_mail::testing::SmtpSink;
use jobping_store::testing::TestDb;
use reqwest::StatusCode;

use crate::boards::Boards;
use crate::dns::NameServer;
use crate::harness::{Site, client, eventually};
use crate::mail::to_of_kind;
use crate::sqlite_journey::{preferences, site_with_boards};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_brings_a_new_sqlite_file_and_a_new_postgres_database_up_to_date() {
    let site = Site::empty();
    let run = site.ok(&["migrate"]).await;
    assert!(
        run.stdout.contains("The sqlite database schema is up to date."),
        "{run}"
    );
    assert!(site.path().join("jobping.db").exists());
    let again = site.ok(&["migrate"]).await;
    assert!(
        again.stdout.contains("up to date"),
        "a second run is a no-op: {again}"
    );

    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let mut site = Site::empty();
    site.env("DATABASE_URL", &db.url);
    let run = site.ok(&["migrate"]).await;
    assert!(
        run.stdout.contains("The postgres database schema is up to date."),
        "{run}"
    );
    let tables = db
        .count("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'")
        .await;
    assert!(tables >= 20, "the schema's tables exist: {tables}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_prints_the_effective_settings_and_no_secret() {
    let mut site = Site::empty();
    let secrets = [
        ("JOBPING_SECRET", "token-secret-0123456789-abcdefghijklmnop"),
        (
            "JOBPING_SECRET_PREVIOUS",
            "previous-secret-0123456789-abcdefghijk",
        ),
        ("JOBPING_ADMIN_KEY", "bootstrap-admin-key-0123456789"),
        ("STRIPE_SECRET_KEY", "sk_test_stripesecret0123456789"),
        ("STRIPE_WEBHOOK_SECRET", "whsec_stripewebhook0123456789"),
        ("RESEND_API_KEY", "re_resendkey0123456789"),
        (
            "RESEND_WEBHOOK_SECRET",
            "whsec_c3lzdGVtLXRlc3Qtd2ViaG9vay1zZWNyZXQ=",
        ),
        ("ADZUNA_APP_KEY", "adzuna-key-0123456789"),
        ("REED_API_KEY", "reed-key-0123456789"),
        ("JOBPING_RERANK_API_KEY", "sk-rerank-0123456789"),
    ];
    for (name, value) in secrets {
        site.env(name, value);
    }
    site.env("STRIPE_PRICE_MONTHLY", "price_123")
        .env("ADZUNA_APP_ID", "adzuna-app")
        .env(
            "DATABASE_URL",
            "postgres://jobping:db-password-0123@db.internal:5432/jobping",
        )
        .env("REDIS_URL", "redis://:redis-password-0123@cache.internal:6379/0")
        .env(
            "JOBPING_MAIL",
            "smtp://mailer:smtp-password-0123@smtp.internal:587",
        )
        .env("JOBPING_BIND", "127.0.0.1:9191");
    let run = site.ok(&["config"]).await;
    assert!(run.stdout.contains("127.0.0.1:9191"), "{run}");
    assert!(run.stdout.contains("db.internal"), "{run}");
    assert!(run.stdout.contains("smtp.internal"), "{run}");
    assert!(
        run.stdout.contains("[redacted]"),
        "secrets are shown as set, redacted: {run}"
    );
    let mut leaked: Vec<&str> = secrets.iter().map(|(_, v)| *v).collect();
    leaked.extend(["db-password-0123", "redis-password-0123", "smtp-password-0123"]);
    for secret in leaked {
        assert!(
            !run.stdout.contains(secret) && !run.stderr.contains(secret),
            "`{secret}` printed:\n{run}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn match_shows_scored_jobs_for_a_preferences_file_and_sends_nothing() {
    let boards = Boards::start().await;
    let site = site_with_boards(&boards);
    site.ok(&["scrape"]).await;
    let file = site.path().join("prefs.json");
    std::fs::write(&file, preferences().to_string()).unwrap();
    let file = file.display().to_string();

    let run = site.ok(&["match", "--preferences", &file, "--json"]).await;
    let value: serde_json::Value = serde_json::from_str(&run.stdout)
        .or_else(|_| {
            // One object per line is as good as one document.
            let lines: Vec<serde_json::Value> = run.json_lines();
            Ok::<_, serde_json::Error>(serde_json::Value::Array(lines))
        })
        .unwrap();
    let text = value.to_string();
    assert!(
        text.contains("Graduate Data Analyst"),
        "the fixture boards' graduate data job matches:\n{run}"
    );
    assert!(text.contains("score"), "with scores:\n{run}");
    let table = site.ok(&["match", "--preferences", &file, "--limit", "3"]).await;
    assert!(table.stdout.contains("Graduate Data Analyst"), "{table}");
    assert!(site.outbox().is_empty(), "nothing is sent");
    let unknown = site.run(&["match", "--email", "nobody@example.com"]).await;
    assert!(!unknown.status.success(), "{unknown}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dkim_keygen_writes_a_private_key_once_and_prints_its_record() {
    let mut site = Site::empty();
    site.env("JOBPING_MAIL_FROM", "JobPing <jobs@jobping.example>");
    let run = site.ok(&["dkim-keygen", "--out", "dkim.pem"]).await;
    let key_path = site.path().join("dkim.pem");
    let pem = std::fs::read_to_string(&key_path).unwrap();
    assert!(pem.contains("PRIVATE KEY"), "{pem}");
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "readable by the owner only");
    }
    assert!(
        run.stdout
            .contains("jobping._domainkey.jobping.example  TXT  \"v=DKIM1; k=rsa; p="),
        "{run}"
    );
    let twice = site.run(&["dkim-keygen", "--out", "dkim.pem"]).await;
    assert!(!twice.status.success(), "never over an existing key: {twice}");
    assert_eq!(std::fs::read_to_string(&key_path).unwrap(), pem);

    let ed = site
        .ok(&["dkim-keygen", "--algorithm", "ed25519", "--out", "ed.pem"])
        .await;
    assert!(ed.stdout.contains("k=ed25519"), "{ed}");
}

/// The (name, value) TXT rows of `jobping dns-records`' table.
fn dns_rows(stdout: &str) -> Vec<(String, String)> {
    stdout
        .lines()
        .filter_map(|line| line.split_once("  TXT  "))
        .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dns_records_and_doctor_agree_once_the_records_are_published() {
    let sink = SmtpSink::start().await.unwrap();
    let mut site = Site::empty();
    site.env("JOBPING_MAIL_FROM", "JobPing <jobs@jobping.example>")
        .env("JOBPING_BASE_URL", "https://jobping.example");
    site.ok(&["dkim-keygen", "--out", "dkim.pem"]).await;
    site.env(
        "JOBPING_DKIM_KEY",
        site.path().join("dkim.pem").display().to_string(),
    );

    let printed = site.ok(&["dns-records"]).await;
    let rows = dns_rows(&printed.stdout);
    let names: Vec<&str> = rows.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "jobping.example",
            "jobping._domainkey.jobping.example",
            "_dmarc.jobping.example"
        ],
        "{printed}"
    );
    assert!(rows[0].1.starts_with("v=spf1"), "{printed}");
    assert!(rows[1].1.starts_with("v=DKIM1"), "{printed}");
    assert!(rows[2].1.starts_with("v=DMARC1"), "{printed}");

    // Nothing published yet, and a relay without STARTTLS: doctor names each and fails.
    let empty = NameServer::start(HashMap::new()).await;
    site.env("JOBPING_DNS_SERVER", empty.addr.to_string())
        .env("JOBPING_MAIL", sink.url().to_string());
    let missing = site.run(&["doctor"]).await;
    assert_eq!(missing.status.code(), Some(1), "{missing}");
    for check in ["spf", "dkim record", "dmarc", "transport"] {
        assert!(
            missing
                .stdout
                .lines()
                .any(|l| l.starts_with("MISSING") && l.contains(check)),
            "{check} is not named as missing:\n{missing}"
        );
    }

    // The records exactly as dns-records printed them, and a relay on implicit TLS.
    let records: HashMap<String, Vec<String>> = rows.into_iter().map(|(n, v)| (n, vec![v])).collect();
    let published = NameServer::start(records).await;
    site.env("JOBPING_DNS_SERVER", published.addr.to_string())
        .env("JOBPING_MAIL", format!("smtps://{}", sink.addr()));
    let healthy = site.run(&["doctor"]).await;
    assert!(healthy.status.success(), "{healthy}");
    assert!(!healthy.stdout.contains("MISSING"), "{healthy}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_keys_are_created_listed_and_revoked_and_serve_honours_each_at_once() {
    let mut site = Site::empty();
    site.env("JOBPING_BIND", "127.0.0.1:0");
    let mut serve = site.spawn(&["serve"]);
    let base = serve.serving().await;
    let http = client();
    let stats = |key: Option<String>| {
        let request = http.get(format!("{base}/api/v1/admin/stats"));
        let request = match key {
            Some(key) => request.bearer_auth(key),
            None => request,
        };
        async move { request.send().await.unwrap().status() }
    };
    assert_eq!(
        stats(None).await,
        StatusCode::SERVICE_UNAVAILABLE,
        "no key yet: the admin API is off"
    );

    let created = site
        .ok(&[
            "admin-key",
            "create",
            "--name",
            "ops",
            "--scope",
            "read",
            "--scope",
            "write",
        ])
        .await;
    let key = created
        .stdout
        .lines()
        .find(|l| l.starts_with("jpk_"))
        .unwrap_or_else(|| panic!("no key printed:\n{created}"))
        .trim()
        .to_owned();
    let duplicate = site.run(&["admin-key", "create", "--name", "ops"]).await;
    assert!(!duplicate.status.success(), "{duplicate}");

    let listed = site.ok(&["admin-key", "list", "--json"]).await;
    assert!(!listed.stdout.contains(&key), "the key itself is never listed");
    let keys = listed.json_lines();
    assert_eq!(keys.len(), 1, "{listed}");
    assert_eq!(keys[0]["name"], "ops");
    let scopes = keys[0]["scopes"].to_string();
    assert!(scopes.contains("read") && scopes.contains("write"), "{scopes}");
    let table = site.ok(&["admin-key", "list"]).await;
    assert!(table.stdout.contains("ops"), "{table}");

    // The running server takes the key made by another process, and a stranger's not.
    assert_eq!(stats(Some(key.clone())).await, StatusCode::OK);
    assert_eq!(
        stats(Some("jpk_not-a-key-at-all-0000000000".into())).await,
        StatusCode::UNAUTHORIZED
    );

    let revoked = site.ok(&["admin-key", "revoke", "ops"]).await;
    assert!(revoked.stdout.contains("Revoked admin key `ops`."), "{revoked}");
    assert_eq!(
        stats(Some(key.clone())).await,
        StatusCode::UNAUTHORIZED,
        "a revoked key stops working at once"
    );
    let listed = site.ok(&["admin-key", "list", "--json"]).await.json_lines();
    assert!(!listed[0]["revoked_at"].is_null(), "{listed:?}");
    let unknown = site.run(&["admin-key", "revoke", "nobody"]).await;
    assert!(!unknown.status.success(), "{unknown}");

    let status = serve.terminate(Duration::from_secs(30)).await;
    assert!(status.success(), "{status}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_beside_serve_no_worker_does_the_background_work_and_stops_on_sigterm() {
    let mut site = Site::empty();
    site.env("JOBPING_BIND", "127.0.0.1:0")
        .env("JOBPING_QUEUE_POLL_INTERVAL_MS", "100");
    let mut serve = site.spawn(&["serve", "--no-worker"]);
    let base = serve.serving().await;
    let line = serve.wait_for_message("serving", Duration::from_secs(1)).await;
    assert_eq!(line["worker"], false, "{line}");

    let http = client();
    let accepted = http
        .post(format!("{base}/api/v1/subscribers"))
        .json(&serde_json::json!({
            "email": "lin@example.com", "preferences": preferences(), "consent": true
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), StatusCode::ACCEPTED);

    let mut worker = site.spawn(&["worker"]);
    worker
        .wait_for_message("worker started", Duration::from_secs(30))
        .await;
    eventually(
        "the worker sends the confirmation email",
        Duration::from_secs(20),
        || async { (!to_of_kind(&site.outbox(), "lin@example.com", "verify").is_empty()).then_some(()) },
    )
    .await;

    let stopped = worker.terminate(Duration::from_secs(30)).await;
    assert!(stopped.success(), "worker stopped with {stopped}");
    let stopped = serve.terminate(Duration::from_secs(30)).await;
    assert!(stopped.success(), "serve stopped with {stopped}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scrape_leaves_a_board_polled_just_now_alone_unless_forced_and_then_finds_it_unchanged() {
    let boards = Boards::start().await;
    let site = site_with_boards(&boards);
    let first = site.ok(&["scrape", "--source", "greenhouse"]).await;
    let row = |run: &crate::harness::Run| {
        run.stdout
            .lines()
            .find(|l| l.starts_with("greenhouse:fjordpay "))
            .unwrap_or_else(|| panic!("no greenhouse row:\n{run}"))
            .split_whitespace()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    // source, status, fetched, new, updated, unchanged, …
    assert_eq!(row(&first)[1..4], ["ok", "4", "2"], "{first}");
    assert!(
        !first.stdout.contains("lever:"),
        "only the kind asked for: {first}"
    );
    let soon = site.ok(&["scrape", "--source", "greenhouse"]).await;
    assert_eq!(row(&soon)[1], "too_soon", "{soon}");
    let forced = site.ok(&["scrape", "--source", "greenhouse", "--force"]).await;
    let forced_row = row(&forced);
    assert_eq!(
        forced_row[3..6],
        ["0", "0", "2"],
        "nothing new, nothing updated: {forced}"
    );
    let jobs = site.ok(&["jobs", "list", "--json"]).await.json_lines();
    assert_eq!(jobs.len(), 2, "no duplicates: {jobs:#?}");
}

/// Adzuna as a scraper re-wrapped it (`{"metadata", "jobs"}`), fictional companies.
const RECORDED_ADZUNA: &str = r#"{"metadata": {"search_term": "data"}, "jobs": [
 {"id": "7001", "title": "Alternance - Data Analyst (H/F)", "company": {"display_name": "Lisière Analytique"},
  "location": {"area": ["France", "Ile-de-France", "Hauts-de-Seine", "Nanterre"], "display_name": "Nanterre, Hauts-de-Seine"},
  "description": "Rejoignez-nous en alternance pour 24 mois. Travail en hybride, deux jours sur site…",
  "redirect_url": "https://www.adzuna.fr/details/7001", "created": "2025-06-01T10:00:00Z"},
 {"id": "7002", "title": "Data Engineer confirmé (F/H)", "company": {"display_name": "Lisière Analytique"},
  "location": {"area": ["France", "Auvergne-Rhône-Alpes", "Lyon"], "display_name": "Lyon, Rhône"},
  "description": "Vous justifiez d'une expérience de 5 ans en data engineering…",
  "redirect_url": "https://www.adzuna.fr/details/7002", "created": "2025-06-01T10:00:00Z"}
]}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eval_normalizer_measures_recorded_payloads_and_says_plainly_when_they_are_absent() {
    let site = Site::empty();
    // In an empty folder the default (../shared/fixtures/real-2) is absent: a plain
    // message and a failed exit, no panic.
    let absent = site.run(&["eval-normalizer"]).await;
    assert!(!absent.status.success(), "{absent}");
    assert!(
        absent
            .stderr
            .contains("no recorded payloads at ../shared/fixtures/real-2"),
        "{absent}"
    );

    std::fs::create_dir_all(site.path().join("payloads/adzuna")).unwrap();
    std::fs::write(
        site.path().join("payloads/adzuna/fr-search.json"),
        RECORDED_ADZUNA,
    )
    .unwrap();
    std::fs::create_dir_all(site.path().join("labels")).unwrap();
    std::fs::write(
        site.path().join("labels/mine.tsv"),
        "key\tlevel\tearly\tpaths\tcities\tcountries\twork\tvisa\tlanguages\tdeadline\n\
         adzuna/fr-search.json#0\tentry\tyes\tdata\tparis\tFR\thybrid\tunknown\t-\t-\n\
         adzuna/fr-search.json#1\tsenior\tno\tdata|tech\t-\tFR\tunknown\tunknown\t-\t-\n",
    )
    .unwrap();
    let run = site
        .ok(&[
            "eval-normalizer",
            "payloads",
            "--labels",
            "labels",
            "--mistakes",
            "city",
        ])
        .await;
    assert!(
        run.stdout
            .contains("measured on 2 labelled real postings (1 files in payloads"),
        "{run}"
    );
    let row = |field: &str| {
        run.stdout
            .lines()
            .find(|l| l.starts_with(field))
            .unwrap_or_else(|| panic!("no {field} row: {run}"))
            .to_owned()
    };
    assert!(row("early-career ").ends_with("2         2      1.000"), "{run}");
    assert!(row("country").ends_with("2         2      1.000"), "{run}");
    assert!(row("early-career  yes").contains("1.000      1.000"), "{run}");
}
