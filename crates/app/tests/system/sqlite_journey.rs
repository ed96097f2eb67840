//! The whole journey on the embedded defaults (SQLite, file outbox, in-process limiter),
//! with nothing configured but the boards to read: scrape, list, sign up two ways,
//! confirm, welcome, a digest round, a click, a thumbs down, one-click unsubscribe,
//! export and deletion.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, LOCATION, SET_COOKIE};
use serde_json::json;

use crate::boards::{BLOCKED_BOARD, Boards, SCRAPED};
use crate::harness::{Site, client, eventually, free_port};
use crate::mail::{Email, to_of_kind};

/// A Thursday in December, inside the free subscribers' 08:00 slot in Berlin (UTC+1).
pub const THURSDAY_SLOT: &str = "2026-12-10T07:30:00Z";
/// The same slot a week later.
const NEXT_THURSDAY_SLOT: &str = "2026-12-17T07:30:00Z";

/// Preferences the fixture boards have several matches for (see `match_shows_…`).
pub fn preferences() -> serde_json::Value {
    json!({
        "cities": ["berlin", "london", "manchester"],
        "career_paths": ["data", "tech"],
        "entry_levels": ["graduate", "entry", "internship"],
        "experience": "none",
        "work_environments": ["office", "hybrid", "remote"],
        "visa": "eu_uk",
        "languages": ["en", "de"]
    })
}

/// The same preferences as the signup page's form fields.
pub fn signup_form(email: &str) -> Vec<(&'static str, String)> {
    vec![
        ("email", email.to_owned()),
        ("cities", "berlin".into()),
        ("cities", "london".into()),
        ("cities", "manchester".into()),
        ("career_paths", "data".into()),
        ("career_paths", "tech".into()),
        ("entry_levels", "graduate".into()),
        ("entry_levels", "entry".into()),
        ("entry_levels", "internship".into()),
        ("experience", "none".into()),
        ("work_environments", "office".into()),
        ("work_environments", "hybrid".into()),
        ("work_environments", "remote".into()),
        ("visa", "eu_uk".into()),
        ("languages", "en".into()),
        ("languages", "de".into()),
        ("consent", "yes".into()),
    ]
}

/// A site with the loopback boards configured, fake Adzuna and Reed keys, and no
/// politeness delay between requests to the one loopback host.
pub fn site_with_boards(boards: &Boards) -> Site {
    let mut site = Site::empty();
    site.toml(&boards.sources_toml());
    site.env("ADZUNA_APP_ID", "system-test-app")
        .env("ADZUNA_APP_KEY", "system-test-key")
        .env("REED_API_KEY", "system-test-reed-key")
        .env("JOBPING_SCRAPE_MIN_HOST_DELAY_MS", "0");
    site
}

/// Waits for an email of `kind` to `address` in the outbox.
async fn outbox_email(site: &Site, address: &str, kind: &str) -> Email {
    eventually(
        &format!("a {kind} email to {address} in the outbox"),
        Duration::from_secs(20),
        || async {
            let emails = site.outbox();
            to_of_kind(&emails, address, kind).last().map(|e| (*e).clone())
        },
    )
    .await
}

fn session_cookie(response: &reqwest::Response) -> String {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("jobping_session="))
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_journey_runs_on_sqlite_with_nothing_configured_but_the_boards() {
    let boards = Boards::start().await;
    let mut site = site_with_boards(&boards);
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    site.env("JOBPING_BIND", format!("127.0.0.1:{port}"))
        .env("JOBPING_BASE_URL", &base);
    let http = client();

    // serve starts on the embedded defaults.
    let mut serve = site.spawn(&["serve"]);
    let address = serve.serving().await;
    assert_eq!(address, base);
    assert!(
        site.path().join("jobping.db").exists(),
        "SQLite in the working folder"
    );
    assert!(
        serve.log().iter().any(|l| l.contains("token-signing secret")),
        "the generated secret is announced: {:?}",
        serve.log()
    );
    let health = http.get(format!("{base}/health")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    let ready: serde_json::Value = http
        .get(format!("{base}/ready"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // Nothing configured, no admin key: anyone may ask whether it is ready, no more.
    assert_eq!(ready, serde_json::json!({"status": "ready"}));

    // scrape: every adapter kind, robots.txt obeyed, a table, exit 0.
    let scrape = site.ok(&["scrape"]).await;
    for row in SCRAPED {
        let line = scrape
            .stdout
            .lines()
            .find(|l| {
                l.split_whitespace()
                    .next()
                    .is_some_and(|name| name == *row || name.starts_with(&format!("{row}:")))
            })
            .unwrap_or_else(|| panic!("no `{row}` row in the table:\n{scrape}"));
        assert!(line.contains(" ok "), "{row} did not scrape ok: {line}\n{scrape}");
    }
    let blocked = scrape
        .stdout
        .lines()
        .find(|l| l.starts_with(&format!("greenhouse:{BLOCKED_BOARD}")))
        .unwrap_or_else(|| panic!("no row for the blocked board:\n{scrape}"));
    assert!(blocked.contains("blocked"), "{blocked}");
    let requested = boards.requested_paths().await;
    assert!(requested.iter().any(|p| p == "/robots.txt"), "{requested:?}");
    assert!(
        !requested.iter().any(|p| p.contains(BLOCKED_BOARD)),
        "a board robots.txt disallows was fetched: {requested:?}"
    );

    // sources and jobs list show what came in.
    let new_total: usize = scrape
        .stdout
        .lines()
        .find(|l| l.starts_with("total "))
        .and_then(|l| l.split_whitespace().nth(2))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no total row:\n{scrape}"));
    let sources = site.ok(&["sources", "--json"]).await.json_lines();
    for row in SCRAPED {
        let source = sources
            .iter()
            .find(|s| {
                s["source"]
                    .as_str()
                    .is_some_and(|name| name == *row || name.starts_with(&format!("{row}:")))
            })
            .unwrap_or_else(|| panic!("`{row}` missing from sources: {sources:#?}"));
        assert_eq!(source["last_status"], "ok", "{source}");
        assert!(source["active_jobs"].as_u64() > Some(0), "{source}");
    }
    let sealed = sources
        .iter()
        .find(|s| s["board"] == BLOCKED_BOARD)
        .expect("the blocked board is listed");
    assert_eq!(sealed["last_status"], "blocked", "{sealed}");
    assert_eq!(sealed["active_jobs"], 0, "{sealed}");
    let jobs = site.ok(&["jobs", "list", "--json"]).await.json_lines();
    assert_eq!(jobs.len(), new_total, "every new job is listed once");
    let companies: std::collections::BTreeSet<&str> =
        jobs.iter().filter_map(|j| j["company"].as_str()).collect();
    assert!(companies.len() >= 15, "jobs from every board: {companies:?}");
    assert!(
        jobs.iter()
            .any(|j| j["title"] == "Graduate Data Analyst" && j["source"] == "greenhouse"),
        "{jobs:#?}"
    );

    let in_london = site
        .ok(&["jobs", "list", "--city", "london", "--json"])
        .await
        .json_lines();
    assert!(
        !in_london.is_empty() && in_london.len() < jobs.len(),
        "{in_london:#?}"
    );
    for job in &in_london {
        assert!(job["locations"].to_string().contains("\"london\""), "{job}");
    }
    let table = site
        .ok(&["jobs", "list", "--career-path", "data", "--early-career"])
        .await;
    assert!(table.stdout.contains("Graduate Data Analyst"), "{table}");
    assert!(!table.stdout.contains("Werkstudent Marketing"), "{table}");

    // Signup over the API …
    let api_address = "ada@example.com";
    let accepted = http
        .post(format!("{base}/api/v1/subscribers"))
        .json(&json!({"email": api_address, "preferences": preferences(), "consent": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), StatusCode::ACCEPTED);
    // … and through the pages, as a browser without JavaScript.
    let form_page = http.get(format!("{base}/signup")).send().await.unwrap();
    assert_eq!(form_page.status(), StatusCode::OK);
    let page_address = "grace@example.com";
    let submitted = http
        .post(format!("{base}/signup"))
        .header("origin", &base)
        .form(&signup_form(page_address))
        .send()
        .await
        .unwrap();
    assert_eq!(submitted.status(), StatusCode::OK);
    assert!(submitted.text().await.unwrap().contains("Check your email"));

    // The confirmation emails land in the outbox; both are confirmed.
    let api_verify = outbox_email(&site, api_address, "verify").await;
    let verified: serde_json::Value = {
        let response = http
            .post(format!("{base}/api/v1/subscribers/verify"))
            .json(&json!({"token": api_verify.token_for("/verify")}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    };
    assert_eq!(verified["status"], "active", "{verified}");
    let manage = verified["manage_token"].as_str().unwrap().to_owned();

    let page_verify = outbox_email(&site, page_address, "verify").await;
    let token = page_verify.token_for("/verify");
    let button = http
        .get(format!("{base}/verify?token={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(button.status(), StatusCode::OK);
    let confirmed = http
        .post(format!("{base}/verify"))
        .header("origin", &base)
        .form(&[("token", token)])
        .send()
        .await
        .unwrap();
    assert_eq!(confirmed.status(), StatusCode::OK);
    let cookie = session_cookie(&confirmed);

    // The welcome emails carry the first matches.
    for address in [api_address, page_address] {
        let welcome = outbox_email(&site, address, "welcome").await;
        assert!(welcome.text.contains("Your first matches"), "{}", welcome.text);
        assert!(welcome.text.contains("Apply: "), "{}", welcome.text);
    }

    // A dry run says who would get what, and sends nothing.
    let dry = site
        .ok(&["send-due", "--dry-run", "--as-of", THURSDAY_SLOT])
        .await;
    assert!(dry.stdout.contains("would send 2 digest(s)"), "{dry}");
    assert!(
        dry.stdout.contains("a***@example.com") && !dry.stdout.contains(api_address),
        "addresses are masked: {dry}"
    );
    assert!(
        to_of_kind(&site.outbox(), api_address, "digest").is_empty(),
        "a dry run sends nothing"
    );

    // A digest round for a slot that is due sends each of them one digest.
    let round = site.ok(&["send-due", "--as-of", THURSDAY_SLOT]).await;
    assert!(
        round.stdout.contains("2 due") && round.stdout.contains("sent 2 digest(s)"),
        "{round}"
    );
    let again = site.ok(&["send-due", "--as-of", THURSDAY_SLOT]).await;
    assert!(
        again.stdout.contains("0 due"),
        "a second run sends nothing: {again}"
    );
    let digest = outbox_email(&site, api_address, "digest").await;
    assert_eq!(
        to_of_kind(&site.outbox(), api_address, "digest").len(),
        1,
        "one digest per slot"
    );
    outbox_email(&site, page_address, "digest").await;

    // A click goes through /c to the job, and a thumbs down is recorded.
    let click = http
        .get(format!("{base}/c?token={}", digest.token_for("/c")))
        .send()
        .await
        .unwrap();
    assert_eq!(click.status(), StatusCode::SEE_OTHER);
    let target = click.headers()[LOCATION].to_str().unwrap().to_owned();
    assert!(target.starts_with("https://"), "{target}");
    let down = http
        .get(format!("{base}/feedback?token={}", digest.thumbs_down_token()))
        .send()
        .await
        .unwrap();
    assert_eq!(down.status(), StatusCode::OK);

    // One-click unsubscribe, as a mail app sends it (RFC 8058): no cookie, no origin.
    let list_unsubscribe = digest.header("List-Unsubscribe").expect("List-Unsubscribe");
    let unsubscribe_token = regex::Regex::new(r"/unsubscribe\?token=([A-Za-z0-9_\-.]+)")
        .unwrap()
        .captures(&list_unsubscribe)
        .expect("an unsubscribe URL")[1]
        .to_owned();
    let unsubscribed = http
        .post(format!("{base}/unsubscribe?token={unsubscribe_token}"))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(unsubscribed.status(), StatusCode::OK);
    let me: serde_json::Value = http
        .get(format!("{base}/api/v1/me"))
        .bearer_auth(&manage)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["status"], "unsubscribed", "{me}");

    // The next week's slot: nothing for the address that left.
    let next = site.ok(&["send-due", "--as-of", NEXT_THURSDAY_SLOT]).await;
    assert!(
        next.stdout.contains("1 due"),
        "only the subscriber who stayed: {next}"
    );
    assert_eq!(
        to_of_kind(&site.outbox(), api_address, "digest").len(),
        1,
        "nothing more after unsubscribing"
    );

    // Export over the API holds the click and the vote.
    let export_token = api_token(&http, &base, &manage, "export").await;
    let export = http
        .get(format!("{base}/api/v1/me/export"))
        .bearer_auth(&export_token)
        .send()
        .await
        .unwrap();
    assert_eq!(export.status(), StatusCode::OK);
    let export: serde_json::Value = export.json().await.unwrap();
    assert_eq!(export["subscriber"]["email"], api_address, "{export}");
    let feedback = export["feedback"].to_string();
    assert!(feedback.contains("click"), "{export:#}");
    assert!(feedback.contains("down"), "{export:#}");

    // Deletion over the API: the manage token opens nothing afterwards.
    let delete_token = api_token(&http, &base, &manage, "delete").await;
    let deleted = http
        .delete(format!("{base}/api/v1/me"))
        .bearer_auth(&delete_token)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let gone = http
        .get(format!("{base}/api/v1/me"))
        .bearer_auth(&manage)
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), StatusCode::UNAUTHORIZED);

    // Export and deletion through the pages, with the session the confirmation opened.
    let account = http
        .get(format!("{base}/account"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let export_href = regex::Regex::new(r#"href="(/account/export\?token=[^"]+)""#)
        .unwrap()
        .captures(&account)
        .unwrap_or_else(|| panic!("no export link on /account:\n{account}"))[1]
        .replace("&amp;", "&");
    let download = http.get(format!("{base}{export_href}")).send().await.unwrap();
    assert_eq!(download.status(), StatusCode::OK);
    let download: serde_json::Value = download.json().await.unwrap();
    assert_eq!(download["subscriber"]["email"], page_address);
    let delete_page = http
        .get(format!("{base}/account/delete"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let delete_form_token = regex::Regex::new(r#"name="token" value="([^"]+)""#)
        .unwrap()
        .captures(&delete_page)
        .unwrap_or_else(|| panic!("no delete form:\n{delete_page}"))[1]
        .to_owned();
    let erased = http
        .post(format!("{base}/account/delete"))
        .header("cookie", &cookie)
        .header("origin", &base)
        .form(&[("token", delete_form_token)])
        .send()
        .await
        .unwrap();
    assert_eq!(erased.status(), StatusCode::OK);
    outbox_email(&site, page_address, "account_deleted").await;
    let after = http
        .get(format!("{base}/preferences"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), StatusCode::UNAUTHORIZED);

    let status = serve.terminate(Duration::from_secs(30)).await;
    assert!(status.success(), "serve stopped with {status}");
}

/// A short-lived export or delete token made with a manage token.
async fn api_token(http: &reqwest::Client, base: &str, manage: &str, purpose: &str) -> String {
    let response = http
        .post(format!("{base}/api/v1/me/tokens"))
        .bearer_auth(manage)
        .json(&json!({"purpose": purpose}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED, "{purpose}");
    let body: serde_json::Value = response.json().await.unwrap();
    body["token"].as_str().unwrap().to_owned()
}
