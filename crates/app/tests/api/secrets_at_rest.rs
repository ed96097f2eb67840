//! What JobPing leaves on disk: the database, its WAL, the generated signing secret and
//! the outbox are the operator's alone, and a copy of the database alone cannot forge
//! links.

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use jobping::tokens::{Purpose, Signer};
use jobping_core::EmailAddress;
use jobping_store::Backend;
use jobping_store::testing::TestDb;
use time::OffsetDateTime;

use crate::helpers::{Options, spawn_app_on};

/// A file's permission bits in octal, as `ls -l` and `chmod` speak of them.
fn mode(path: &Path) -> String {
    let mode = std::fs::metadata(path)
        .unwrap_or_else(|err| panic!("{}: {err}", path.display()))
        .permissions()
        .mode();
    format!("{:o}", mode & 0o777)
}

/// `jobping serve` in `dir` under the common umask 022, as a shell would start it.
fn serve(dir: &Path) -> std::process::Child {
    Command::new("sh")
        .args([
            "-c",
            "umask 022 && exec \"$0\" serve",
            env!("CARGO_BIN_EXE_jobping"),
        ])
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("JOBPING_BIND", "127.0.0.1:0")
        .env("JOBPING_SCHEDULE_SCRAPE", "off")
        .env("JOBPING_QUEUE_POLL_INTERVAL_MS", "100")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap()
}

fn wait_for_address(child: &mut std::process::Child) -> String {
    let stderr = child.stderr.take().unwrap();
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = sender.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        if let Ok(line) = receiver.recv_timeout(Duration::from_millis(100)) {
            if let Ok(log) = serde_json::from_str::<serde_json::Value>(&line)
                && log["message"] == "serving"
                && let Some(address) = log["address"].as_str()
            {
                return address.to_owned();
            }
            seen.push(line);
        }
    }
    panic!("no `serving` line in:\n{}", seen.join("\n"));
}

async fn stop(child: &mut std::process::Child) {
    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "{status}");
            return;
        }
        assert!(Instant::now() < deadline, "serve did not stop on SIGTERM");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_fresh_start_keeps_the_database_secret_and_outbox_private_and_no_secret_in_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = serve(dir.path());
    let address = wait_for_address(&mut child);

    let signup = serde_json::json!({
        "email": "ada@example.com",
        "consent": true,
        "marketing": false,
        "preferences": {
            "cities": ["berlin"], "career_paths": ["data"], "roles": ["Data Analyst"],
            "entry_levels": ["graduate"], "experience": "none", "work_environments": ["office"],
            "visa": "sponsorship", "languages": ["en"], "skills": [], "keywords": [],
            "excluded_companies": [], "start_date": "2026-09-01"
        }
    });
    let answer = crate::helpers::client()
        .post(format!("http://{address}/api/v1/subscribers"))
        .json(&signup)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 202, "{}", answer.text().await.unwrap());
    let outbox = dir.path().join("outbox");
    let deadline = Instant::now() + Duration::from_secs(30);
    let email = loop {
        let found = std::fs::read_dir(&outbox)
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|x| x == "eml"));
        if let Some(path) = found {
            break path;
        }
        assert!(
            Instant::now() < deadline,
            "no confirmation email in {}",
            outbox.display()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };

    let db = dir.path().join("jobping.db");
    let secret = dir.path().join("jobping.secret");
    assert_eq!(mode(&db), "600", "jobping.db");
    assert_eq!(mode(&secret), "600", "jobping.secret");
    for side in ["jobping.db-wal", "jobping.db-shm"] {
        let path = dir.path().join(side);
        assert!(path.exists(), "{side} exists while serving");
        assert_eq!(mode(&path), "600", "{side}");
    }
    assert_eq!(mode(&outbox), "700", "outbox/");
    assert_eq!(mode(&email), "600", "{}", email.display());
    stop(&mut child).await;

    let kept = std::fs::read_to_string(&secret).unwrap();
    assert!(kept.trim().len() >= 32, "a generated secret: {kept:?}");
    let store = jobping_store::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    assert_eq!(store.secret("token_signing").await.unwrap(), None);
    assert_eq!(
        store
            .secret_or_insert("token_signing", "probe", OffsetDateTime::now_utc())
            .await
            .unwrap(),
        ("probe".to_owned(), true),
        "no secret row at all"
    );
}

#[tokio::test]
async fn a_secret_kept_in_the_database_moves_to_its_file_and_older_links_still_verify() {
    let db = TestDb::new(Backend::Sqlite).await.unwrap();
    let store = db.store().await;
    let now = OffsetDateTime::now_utc();
    let (old, _) = store
        .secret_or_insert("token_signing", "a-secret-an-older-release-generated", now)
        .await
        .unwrap();
    let ada = store
        .insert_subscriber(&EmailAddress::parse("ada@example.com").unwrap(), now)
        .await
        .unwrap();
    let token = Signer::new(&old, &[]).sign(Purpose::Manage, ada.id, now);
    drop(store);

    let folder = jobping_store::sqlite_file(&db.url)
        .unwrap()
        .parent()
        .unwrap()
        .to_owned();
    let app = spawn_app_on(db, Options::default()).await;
    let file = folder.join("jobping.secret");
    assert_eq!(std::fs::read_to_string(&file).unwrap().trim(), old);
    assert_eq!(mode(&file), "600");
    assert_eq!(app.state.store.secret("token_signing").await.unwrap(), None);
    let claims = app
        .state
        .signer
        .verify(&token, Purpose::Manage, OffsetDateTime::now_utc())
        .expect("a link signed before the move still verifies");
    assert_eq!(claims.subscriber, ada.id);

    // A restart reads the file: the same secret, the same audit key.
    let hash = app.state.signer.audit_hash(&ada.email);
    let options = Options {
        env: vec![("DATABASE_URL", app.db.url.clone())],
        ..Options::default()
    };
    let again = spawn_app_on(TestDb::sqlite(), options).await;
    assert_eq!(again.state.signer.audit_hash(&ada.email), hash);
}

#[tokio::test]
async fn with_jobping_secret_set_no_secret_file_is_written_and_a_stored_one_is_left_alone() {
    let db = TestDb::new(Backend::Sqlite).await.unwrap();
    let store = db.store().await;
    store
        .secret_or_insert("token_signing", "older", OffsetDateTime::now_utc())
        .await
        .unwrap();
    drop(store);
    let folder = jobping_store::sqlite_file(&db.url)
        .unwrap()
        .parent()
        .unwrap()
        .to_owned();
    let options = Options {
        env: vec![("JOBPING_SECRET", "a-secret-the-operator-set-0123456789".into())],
        ..Options::default()
    };
    let app = spawn_app_on(db, options).await;
    assert!(!folder.join("jobping.secret").exists());
    assert_eq!(
        app.state.store.secret("token_signing").await.unwrap().as_deref(),
        Some("older")
    );
}
