//! Running the `jobping` binary: one-shot commands, and long-running processes that are
//! stopped by signal (and killed when a test fails, so nothing outlives it).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, Once};
use std::time::{Duration, Instant};

/// The binary Cargo built for these tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_jobping");

/// How long a one-shot command may take before the test calls it hung.
const COMMAND_LIMIT: Duration = Duration::from_secs(60);

/// A working folder and the environment every process started in it gets: the same
/// things an operator controls (the folder, `jobping.toml`, environment variables).
pub struct Site {
    pub dir: tempfile::TempDir,
    env: BTreeMap<String, String>,
}

impl Site {
    /// An empty folder with no settings at all.
    pub fn empty() -> Self {
        Self {
            dir: tempfile::tempdir().expect("a temporary folder"),
            env: BTreeMap::new(),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Sets an environment variable for every process started from now on.
    pub fn env(&mut self, name: &str, value: impl Into<String>) -> &mut Self {
        self.env.insert(name.to_owned(), value.into());
        self
    }

    /// Writes `jobping.toml` in the folder.
    pub fn toml(&self, text: &str) {
        std::fs::write(self.path().join("jobping.toml"), text).expect("writing jobping.toml");
    }

    /// A command for the binary in this folder, with only this site's environment.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(BIN);
        command
            .args(args)
            .current_dir(self.path())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs(&self.env)
            .stdin(Stdio::null());
        command
    }

    /// Runs a one-shot command to its end (off the async runtime's threads, so that
    /// servers the test runs on it keep answering).
    pub async fn run(&self, args: &[&str]) -> Run {
        let mut command = self.command(args);
        let label = format!("jobping {}", args.join(" "));
        tokio::task::spawn_blocking(move || run_to_end(&mut command, &label))
            .await
            .expect("the command's thread")
    }

    /// Runs a command that must succeed, and returns it.
    pub async fn ok(&self, args: &[&str]) -> Run {
        let run = self.run(args).await;
        assert!(run.status.success(), "{run}");
        run
    }

    /// Starts a long-running process (`serve`, `worker`).
    pub fn spawn(&self, args: &[&str]) -> Proc {
        self.spawn_with(args, &[])
    }

    /// Starts a long-running process with a few variables of its own on top.
    pub fn spawn_with(&self, args: &[&str], extra: &[(&str, &str)]) -> Proc {
        let mut command = self.command(args);
        command
            .envs(extra.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        Proc::start(command, format!("jobping {}", args.join(" ")))
    }

    /// The emails the file transport wrote under `outbox/`, oldest first.
    pub fn outbox(&self) -> Vec<crate::mail::Email> {
        crate::mail::read_outbox(&self.path().join("outbox"))
    }
}

fn run_to_end(command: &mut Command, label: &str) -> Run {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|err| panic!("starting {label}: {err}"));
    let stdout = child.stdout.take().expect("piped stdout");
    let stderr = child.stderr.take().expect("piped stderr");
    let out = std::thread::spawn(move || std::io::read_to_string(stdout).unwrap_or_default());
    let err = std::thread::spawn(move || std::io::read_to_string(stderr).unwrap_or_default());
    let deadline = Instant::now() + COMMAND_LIMIT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for the command") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{label} did not finish within {COMMAND_LIMIT:?}; stderr:\n{}",
                err.join().unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Run {
        label: label.to_owned(),
        status,
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    }
}

/// A finished one-shot command.
pub struct Run {
    pub label: String,
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The stdout lines parsed as JSON objects (for `--json` output).
    pub fn json_lines(&self) -> Vec<serde_json::Value> {
        self.stdout
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).unwrap_or_else(|err| panic!("{err}: {l}\n{self}")))
            .collect()
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} exited with {}\n--- stdout\n{}\n--- stderr\n{}",
            self.label, self.status, self.stdout, self.stderr
        )
    }
}

/// A running `jobping` process whose stderr (JSON log lines) is collected.
pub struct Proc {
    pub label: String,
    child: Child,
    log: Arc<Mutex<Vec<String>>>,
    exited: Option<ExitStatus>,
}

impl Proc {
    fn start(mut command: Command, label: String) -> Self {
        let mut child = command
            .spawn()
            .unwrap_or_else(|err| panic!("starting {label}: {err}"));
        let log = Arc::new(Mutex::new(Vec::new()));
        let stderr = child.stderr.take().expect("piped stderr");
        let stdout = child.stdout.take().expect("piped stdout");
        for stream in [
            Box::new(stderr) as Box<dyn std::io::Read + Send>,
            Box::new(stdout),
        ] {
            let log = log.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    log.lock().unwrap_or_else(|p| p.into_inner()).push(line);
                }
            });
        }
        Self {
            label,
            child,
            log,
            exited: None,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Every line written so far.
    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The log lines that are JSON objects.
    pub fn json_log(&self) -> Vec<serde_json::Value> {
        self.log()
            .iter()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    /// Waits for a JSON log line with this `message` and returns it.
    pub async fn wait_for_message(&mut self, message: &str, limit: Duration) -> serde_json::Value {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(line) = self
                .json_log()
                .into_iter()
                .find(|l| l["message"] == message || l["fields"]["message"] == message)
            {
                return line;
            }
            if let Some(status) = self.child.try_wait().expect("polling the process") {
                self.exited = Some(status);
                panic!(
                    "{} exited with {status} before logging `{message}`:\n{}",
                    self.label,
                    self.log().join("\n")
                );
            }
            assert!(
                Instant::now() < deadline,
                "{} logged no `{message}` within {limit:?}:\n{}",
                self.label,
                self.log().join("\n")
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// For `serve`: waits for the "serving" line and returns `http://ADDRESS`.
    pub async fn serving(&mut self) -> String {
        let line = self.wait_for_message("serving", Duration::from_secs(30)).await;
        let address = line["address"]
            .as_str()
            .or_else(|| line["fields"]["address"].as_str())
            .unwrap_or_else(|| panic!("no address in {line}"));
        format!("http://{address}")
    }

    /// Sends SIGTERM and waits up to `limit` for the process to exit.
    pub async fn terminate(&mut self, limit: Duration) -> ExitStatus {
        if let Some(status) = self.exited {
            return status;
        }
        let sent = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status()
            .expect("running kill");
        assert!(sent.success(), "kill -TERM {} failed", self.pid());
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().expect("polling the process") {
                self.exited = Some(status);
                return status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!(
                    "{} did not stop within {limit:?} of SIGTERM:\n{}",
                    self.label,
                    self.log().join("\n")
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// SIGKILL: the process gets no chance to finish anything.
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        if let Ok(status) = self.child.wait() {
            self.exited = Some(status);
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        // A failing test shows what each of its processes last said.
        if std::thread::panicking() {
            let log = self.log();
            let tail = &log[log.len().saturating_sub(30)..];
            eprintln!(
                "--- {} (pid {}), last log lines:\n{}",
                self.label,
                self.pid(),
                tail.join("\n")
            );
        }
        if self.exited.is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// An HTTP client that follows no redirects (the tests look at them).
pub fn client() -> reqwest::Client {
    static PROVIDER: Once = Once::new();
    PROVIDER.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("an HTTP client")
}

/// Polls `check` until it returns `Some`, or panics naming `what` after `limit`.
pub async fn eventually<T, F, Fut>(what: &str, limit: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + limit;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(Instant::now() < deadline, "{what}: not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// A free TCP port on loopback (bound and released: good enough for a server the test
/// starts at once).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}
