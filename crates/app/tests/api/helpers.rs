//! `spawn_app()` and friends.

use std::collections::HashMap;
use std::time::Duration;

use jobping::worker::TaskRegistry;
use jobping::{AppState, Application, Settings};
use jobping_store::Backend;
use jobping_store::testing::TestDb;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// A running app and what a test needs to talk to it.
pub struct TestApp {
    pub address: String,
    /// Where `/metrics` is served when it has a listener of its own.
    pub metrics_address: Option<String>,
    pub client: reqwest::Client,
    pub state: AppState,
    pub cancel: CancellationToken,
    pub handle: Option<JoinHandle<anyhow::Result<()>>>,
    pub db: TestDb,
    /// Holds the outbox (`outbox/`) and any settings file.
    pub dir: tempfile::TempDir,
}

/// An email the app wrote to its outbox, parsed.
#[derive(Debug, Clone)]
pub struct SentEmail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub raw: String,
}

impl SentEmail {
    /// The token in the first link to `path` (e.g. `/verify`) in the text part.
    pub fn token_for(&self, path: &str) -> String {
        let pattern = format!(r"{}\?token=([A-Za-z0-9_\-.]+)", regex::escape(path));
        let re = regex::Regex::new(&pattern).unwrap();
        re.captures(&self.text)
            .unwrap_or_else(|| panic!("no {path} link in:\n{}", self.text))[1]
            .to_owned()
    }

    /// A header's value, unfolded.
    pub fn header(&self, name: &str) -> Option<String> {
        let message = mail_parser::MessageParser::default().parse(self.raw.as_bytes())?;
        message
            .header_raw(name)
            .map(|v| v.split_whitespace().collect::<Vec<_>>().join(" "))
    }
}

/// How to start a test app.
pub struct Options {
    pub env: Vec<(&'static str, String)>,
    /// A `jobping.toml` to load, for settings only the file can hold (`[[sources]]`).
    pub toml: Option<String>,
    pub tasks: TaskRegistry,
    pub worker: bool,
}

impl Default for Options {
    fn default() -> Self {
        // No worker by default: tests drain the queue themselves with `try_execute_task`.
        Self {
            env: Vec::new(),
            toml: None,
            tasks: TaskRegistry::builtin(),
            worker: false,
        }
    }
}

pub fn client() -> reqwest::Client {
    jobping::install_tls_provider();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Test settings: a fresh database, port 0, mail into a temporary folder, `env`, and a
/// settings file holding `toml` when given.
pub fn settings_with_file(
    db: &TestDb,
    dir: &tempfile::TempDir,
    env: &[(&'static str, String)],
    toml: Option<&str>,
) -> Settings {
    let mut vars: HashMap<&str, String> = HashMap::new();
    vars.insert("DATABASE_URL", db.url.clone());
    vars.insert("JOBPING_BIND", "127.0.0.1:0".into());
    // Scheduled scrapes would fire in the hour after 06:00, 13:00 and 18:00 UTC and
    // reach for the internet; tests that scrape say so.
    vars.insert("JOBPING_SCHEDULE_SCRAPE", "off".into());
    // Likewise the delivery round: tests that deliver run it themselves.
    vars.insert("JOBPING_SCHEDULE_DELIVER", "off".into());
    // Billing grace runs hourly; tests that need it call its task.
    vars.insert("JOBPING_SCHEDULE_BILLING_GRACE", "off".into());
    // Tests make many requests as one subscriber from one address; tests of the limits
    // set their own. Each app keeps its own Redis keys, unless a test shares them.
    vars.insert("JOBPING_LIMIT_API_FREE", "100000/15m".into());
    vars.insert("JOBPING_LIMIT_API_PREMIUM", "100000/15m".into());
    vars.insert("JOBPING_LIMIT_FORM_ADDRESS", "100000/1h".into());
    vars.insert(
        "JOBPING_LIMIT_KEY_PREFIX",
        format!("test:{}:", uuid::Uuid::now_v7()),
    );
    vars.insert(
        "JOBPING_MAIL",
        format!("file://{}", dir.path().join("outbox").display()),
    );
    for (key, value) in env {
        vars.insert(key, value.clone());
    }
    let file = toml.map(|text| {
        let path = dir.path().join("jobping.toml");
        std::fs::write(&path, text).unwrap();
        path
    });
    Settings::load(file.as_deref(), &|name| vars.get(name).cloned()).expect("test settings are valid")
}

/// Starts the app on `backend`; `None` when PostgreSQL is unavailable outside CI.
pub async fn spawn_app(backend: Backend, options: Options) -> Option<TestApp> {
    let db = TestDb::new(backend).await?;
    Some(spawn_app_on(db, options).await)
}

/// Starts the app on a database the test made (`DATABASE_URL` in `options.env` wins, for
/// a test that reaches it another way).
pub async fn spawn_app_on(db: TestDb, options: Options) -> TestApp {
    jobping::telemetry::init_tracing();
    // As `main` does, before the app builds its HTTPS clients (Stripe, Resend, rerank).
    jobping::install_tls_provider();
    let dir = tempfile::tempdir().unwrap();
    let settings = settings_with_file(&db, &dir, &options.env, options.toml.as_deref());
    let app = Application::build(settings, options.tasks, options.worker)
        .await
        .expect("the app builds");
    let address = format!("http://{}", app.local_addr());
    let metrics_address = app.metrics_addr().map(|addr| format!("http://{addr}"));
    let state = app.state().clone();
    let cancel = CancellationToken::new();
    let handle = tokio::spawn(app.run_until(cancel.clone()));
    TestApp {
        address,
        metrics_address,
        client: client(),
        state,
        cancel,
        handle: Some(handle),
        db,
        dir,
    }
}

impl TestApp {
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("the request is answered")
    }

    /// Runs queued tasks until none is due (bounded, so a test cannot spin forever).
    pub async fn drain(&self) -> usize {
        let mut ran = 0;
        while ran < 1000 {
            match jobping::worker::try_execute_task(&self.state, "test")
                .await
                .unwrap()
            {
                Some(_) => ran += 1,
                None => break,
            }
        }
        ran
    }

    /// The emails in the outbox, oldest first.
    pub fn emails(&self) -> Vec<SentEmail> {
        let folder = self.dir.path().join("outbox");
        let Ok(entries) = std::fs::read_dir(&folder) else {
            return Vec::new();
        };
        let mut files: Vec<(std::time::SystemTime, std::path::PathBuf)> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .map(|p| (std::fs::metadata(&p).and_then(|m| m.modified()).unwrap(), p))
            .collect();
        files.sort();
        files
            .into_iter()
            .map(|(_, path)| {
                let raw = std::fs::read_to_string(&path).unwrap();
                let message = mail_parser::MessageParser::default()
                    .parse(raw.as_bytes())
                    .expect("the outbox holds parseable mail");
                SentEmail {
                    to: message
                        .to()
                        .and_then(|a| a.first())
                        .and_then(|a| a.address())
                        .unwrap_or_default()
                        .to_owned(),
                    subject: message.subject().unwrap_or_default().to_owned(),
                    text: message.body_text(0).map(|t| t.into_owned()).unwrap_or_default(),
                    html: message.body_html(0).map(|t| t.into_owned()).unwrap_or_default(),
                    raw: raw.clone(),
                }
            })
            .collect()
    }

    /// The emails sent to `address`.
    pub fn emails_to(&self, address: &str) -> Vec<SentEmail> {
        self.emails()
            .into_iter()
            .filter(|e| e.to.eq_ignore_ascii_case(address))
            .collect()
    }

    /// Stops the app and waits for it to finish what it was doing.
    pub async fn shutdown(&mut self) -> anyhow::Result<()> {
        self.cancel.cancel();
        match self.handle.take() {
            Some(handle) => tokio::time::timeout(Duration::from_secs(20), handle).await??,
            None => Ok(()),
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

/// Polls `check` until it is true or `limit` passes; no fixed sleeps.
pub async fn eventually<F, Fut>(limit: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + limit;
    while tokio::time::Instant::now() < deadline {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    false
}

/// Runs an app test once per backend: `app_test!(name, |app: TestApp| async move { … })`.
#[macro_export]
macro_rules! app_test {
    ($name:ident, $body:expr) => {
        $crate::app_test!($name, $crate::helpers::Options::default, $body);
    };
    ($name:ident, $options:expr, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::helpers::spawn_app(jobping_store::Backend::Sqlite, ($options)())
                    .await
                    .unwrap();
                ($body)(app).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) =
                    $crate::helpers::spawn_app(jobping_store::Backend::Postgres, ($options)()).await
                {
                    ($body)(app).await;
                }
            }
        }
    };
}
