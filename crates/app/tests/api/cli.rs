//! The `jobping` binary itself, run as an operator would.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use jobping_store::testing::TestDb;

fn jobping(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_jobping"));
    command
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    command
}

#[test]
fn a_nonsense_bind_address_stops_serve_with_the_setting_named() {
    let dir = tempfile::tempdir().unwrap();
    let output = jobping(dir.path())
        .arg("serve")
        .env("JOBPING_BIND", "nonsense")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("JOBPING_BIND") && stderr.contains("nonsense"),
        "{stderr}"
    );
    assert!(
        !dir.path().join("jobping.db").exists(),
        "nothing was touched before the settings were checked"
    );
}

#[test]
fn a_malformed_settings_file_stops_start_up_naming_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("jobping.toml"),
        "bind = \"127.0.0.1:0\"\n[queue\n",
    )
    .unwrap();
    let output = jobping(dir.path()).arg("serve").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("jobping.toml") && stderr.contains("line 2"),
        "{stderr}"
    );
}

#[test]
fn config_prints_the_effective_settings_with_secrets_redacted() {
    let dir = tempfile::tempdir().unwrap();
    let output = jobping(dir.path())
        .arg("config")
        .env("JOBPING_SECRET", "a-very-long-secret-that-must-not-be-printed")
        .env(
            "DATABASE_URL",
            "postgres://jobping:db-password@db.internal/jobping",
        )
        .output()
        .unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("bind = \"127.0.0.1:8080\""), "{stdout}");
    assert!(stdout.contains("db.internal"), "{stdout}");
    assert!(
        !stdout.contains("a-very-long-secret") && !stdout.contains("db-password"),
        "{stdout}"
    );
}

#[test]
fn config_redacts_every_credential_in_every_url_it_prints() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("jobping.toml"),
        r#"
[[sources]]
kind = "greenhouse"
boards = ["acme"]
base_url = "http://feed:source-password@127.0.0.1:9000/?app_key=source-app-key&page=2"
"#,
    )
    .unwrap();
    let output = jobping(dir.path())
        .arg("config")
        .env(
            "DATABASE_URL",
            "postgres://db.internal/jobping?user=jobping&password=query-password",
        )
        .env(
            "JOBPING_RESEND_BASE_URL",
            "https://relay:resend-password@resend.internal/",
        )
        .env("JOBPING_CONTACT_URL", "https://bot:contact-token@example.org/bot")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for secret in [
        "query-password",
        "resend-password",
        "contact-token",
        "source-password",
        "source-app-key",
    ] {
        assert!(!stdout.contains(secret), "{secret} printed:\n{stdout}");
    }
    // What is not a credential still shows, so the output stays useful.
    for kept in [
        "db.internal",
        "user=jobping",
        "relay:",
        "resend.internal",
        "example.org/bot",
        "page=2",
    ] {
        assert!(stdout.contains(kept), "{kept} missing:\n{stdout}");
    }
}

#[tokio::test]
async fn migrate_brings_each_backend_up_to_date() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = TestDb::sqlite();
    let mut databases = vec![sqlite];
    databases.extend(TestDb::postgres().await);
    for db in &databases {
        let output = jobping(dir.path())
            .arg("migrate")
            .env("DATABASE_URL", &db.url)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            stdout.contains(&format!(
                "The {} database schema is up to date",
                db.backend().as_str()
            )),
            "{stdout}"
        );
    }
}

const OPERATOR_KEY: &str = "cli-tests-bootstrap-admin-key-0123456789";

#[tokio::test]
async fn serve_in_an_empty_folder_runs_on_the_embedded_defaults_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    // Port 0 rather than 8080, so that tests running side by side never collide.
    let mut child = jobping(dir.path())
        .arg("serve")
        .env("JOBPING_BIND", "127.0.0.1:0")
        // No scheduled scrape of the real boards in the hour after a firing time.
        .env("JOBPING_SCHEDULE_SCRAPE", "off")
        // Only an operator reads /ready's details and /metrics on the main listener.
        .env("JOBPING_ADMIN_KEY", OPERATOR_KEY)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = sender.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut address = None;
    let mut seen = Vec::new();
    while address.is_none() && Instant::now() < deadline {
        if let Ok(line) = receiver.recv_timeout(Duration::from_millis(100)) {
            if let Ok(log) = serde_json::from_str::<serde_json::Value>(&line)
                && log["message"] == "serving"
            {
                address = log["address"].as_str().map(str::to_owned);
            }
            seen.push(line);
        }
    }
    let address = address.unwrap_or_else(|| panic!("no `serving` line in:\n{}", seen.join("\n")));
    assert!(
        seen.iter()
            .any(|l| l.contains("generated a token-signing secret")),
        "{seen:?}"
    );

    let client = crate::helpers::client();
    let health = client
        .get(format!("http://{address}/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    let bare: serde_json::Value = client
        .get(format!("http://{address}/ready"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(bare, serde_json::json!({"status": "ready"}));
    let ready: serde_json::Value = client
        .get(format!("http://{address}/ready"))
        .bearer_auth(OPERATOR_KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready["checks"]["database"]["backend"], "sqlite");
    let metrics = client
        .get(format!("http://{address}/metrics"))
        .bearer_auth(OPERATOR_KEY)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("# TYPE"), "{metrics}");

    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "serve did not stop on SIGTERM");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "{status}");
    assert!(dir.path().join("jobping.db").is_file());
    assert!(dir.path().join("outbox").is_dir());
}
