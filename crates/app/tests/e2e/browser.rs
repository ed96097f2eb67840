//! Headless Chromium through chromedriver: one driver process per test, killed with its
//! browser when the test ends, however it ends.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use axum::http::Method;
use fantoccini::elements::Element;
use fantoccini::error::CmdError;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use url::Url;

/// A phone: the width every page must work at.
pub const WIDTH: u32 = 375;
pub const HEIGHT: u32 = 812;

/// How long a page may take to show what a step waits for.
const WAIT: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(25);

/// A browser session and the chromedriver behind it.
pub struct Browser {
    pub client: Client,
    // Dropped after `client`: killing the driver's process group ends Chromium too.
    _driver: Driver,
}

struct Driver {
    child: Child,
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The driver leads its own process group, which holds the browser it started:
        // end them all, so no Chromium outlives a failed test.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A Chrome DevTools command, through chromedriver's `goog/cdp/execute`.
#[derive(Debug)]
struct Cdp {
    method: &'static str,
    params: serde_json::Value,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(&self, base: &Url, session: Option<&str>) -> Result<Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &Url) -> (Method, Option<String>) {
        let body = json!({ "cmd": self.method, "params": self.params });
        (Method::POST, Some(body.to_string()))
    }
}

fn chromedriver() -> Option<PathBuf> {
    let path = std::env::var_os("CHROMEDRIVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromedriver"));
    path.exists().then_some(path)
}

fn chromium() -> String {
    std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port on loopback")
        .port()
}

impl Driver {
    /// Starts chromedriver and waits until it answers; retries on a port taken meanwhile.
    async fn start(path: &PathBuf) -> (Self, String) {
        let http = crate::helpers::client();
        for _ in 0..3 {
            let port = free_port();
            let child = Command::new(path)
                .arg(format!("--port={port}"))
                .arg("--log-level=SEVERE")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .process_group(0)
                .spawn()
                .unwrap_or_else(|err| panic!("cannot start {}: {err}", path.display()));
            let mut driver = Driver { child };
            let url = format!("http://127.0.0.1:{port}");
            let deadline = tokio::time::Instant::now() + WAIT;
            while tokio::time::Instant::now() < deadline {
                if driver.child.try_wait().ok().flatten().is_some() {
                    break;
                }
                let ready = match http.get(format!("{url}/status")).send().await {
                    Ok(response) => response
                        .json::<serde_json::Value>()
                        .await
                        .is_ok_and(|status| status["value"]["ready"] == true),
                    Err(_) => false,
                };
                if ready {
                    return (driver, url);
                }
                tokio::time::sleep(POLL).await;
            }
        }
        panic!("chromedriver at {} did not start", path.display());
    }
}

impl Browser {
    /// A fresh headless Chromium at phone width; `None` (with a note) when chromedriver
    /// is not installed outside CI. In CI a missing driver fails the test.
    pub async fn start() -> Option<Self> {
        let Some(path) = chromedriver() else {
            if std::env::var_os("CI").is_some() {
                panic!("CI needs chromedriver: apt-get install -y chromium chromium-driver");
            }
            eprintln!(
                "skipped: no chromedriver (install Debian's chromium and chromium-driver, \
                 or set CHROMEDRIVER)"
            );
            return None;
        };
        let (driver, url) = Driver::start(&path).await;
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": chromium(),
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                    // No scrollbar drawn over the screenshots.
                    "--hide-scrollbars",
                    // Chromium widens this to its 500 px minimum; see `emulate`.
                    format!("--window-size={WIDTH},{HEIGHT}"),
                ],
            }),
        );
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&url)
            .await
            .expect("chromedriver opens a Chromium session");
        let browser = Browser {
            client,
            _driver: driver,
        };
        // Chromium keeps a desktop window at least 500 px wide, so the phone's screen is
        // emulated: 375 CSS px, `<meta name="viewport">` honoured, overlay scrollbars.
        browser.emulate(HEIGHT).await;
        let width = browser.script("return screen.width").await;
        assert_eq!(width, json!(WIDTH), "the screen is a phone's");
        Some(browser)
    }

    /// Ends the session (Chromium quits) and then the driver.
    pub async fn close(self) {
        let Browser { client, _driver } = self;
        let _ = client.close().await;
    }

    /// Shows pages on a phone screen `WIDTH` wide and `height` tall.
    pub async fn emulate(&self, height: u32) {
        let metrics = json!({
            "width": WIDTH,
            "height": height,
            "deviceScaleFactor": 1,
            "mobile": true,
        });
        self.client
            .issue_cmd(Cdp {
                method: "Emulation.setDeviceMetricsOverride",
                params: metrics,
            })
            .await
            .expect("Chromium emulates a phone screen");
    }

    pub async fn open(&self, url: &str) {
        self.client
            .goto(url)
            .await
            .unwrap_or_else(|err| panic!("cannot open {url}: {err}"));
    }

    /// The page's path and query, e.g. `/preferences?saved=1`.
    pub async fn location(&self) -> String {
        let url = self.client.current_url().await.expect("a current URL");
        match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        }
    }

    /// Runs `script` in the page and returns what it returns.
    pub async fn script(&self, script: &str) -> serde_json::Value {
        self.client
            .execute(script, Vec::new())
            .await
            .unwrap_or_else(|err| panic!("the script failed: {err}\n{script}"))
    }

    /// Waits for an element; a timeout fails the test naming the page it was on.
    pub async fn wait_for(&self, locator: Locator<'_>) -> Element {
        match self
            .client
            .wait()
            .at_most(WAIT)
            .every(POLL)
            .for_element(locator)
            .await
        {
            Ok(element) => element,
            Err(CmdError::WaitTimeout) => {
                let heading = self
                    .script("return document.querySelector('h1')?.textContent ?? ''")
                    .await;
                panic!(
                    "waited {WAIT:?} for {locator:?} on {} (heading {heading})",
                    self.location().await
                )
            }
            Err(err) => panic!("waiting for {locator:?}: {err}"),
        }
    }

    pub async fn css(&self, selector: &str) -> Element {
        self.wait_for(Locator::Css(selector)).await
    }

    /// Waits until the page's `<h1>` reads `text`: the sign that a step has arrived.
    pub async fn heading(&self, text: &str) {
        let xpath = format!("//h1[normalize-space()=\"{text}\"]");
        self.wait_for(Locator::XPath(&xpath)).await;
    }

    pub async fn click(&self, selector: &str) {
        self.css(selector)
            .await
            .click()
            .await
            .unwrap_or_else(|err| panic!("cannot click {selector}: {err}"));
    }

    /// Follows the link whose text is `text`.
    pub async fn follow(&self, text: &str) {
        self.wait_for(Locator::LinkText(text))
            .await
            .click()
            .await
            .unwrap_or_else(|err| panic!("cannot follow {text}: {err}"));
    }

    /// Replaces the text in the field `selector`.
    pub async fn type_into(&self, selector: &str, text: &str) {
        let field = self.css(selector).await;
        field.clear().await.expect("the field clears");
        field.send_keys(text).await.expect("the field takes keys");
    }

    /// Ticks (or clears) the checkbox `name` = `value`, whatever state it was in.
    pub async fn tick(&self, name: &str, value: &str, on: bool) {
        let selector = format!(r#"input[type=checkbox][name="{name}"][value="{value}"]"#);
        let checkbox = self.css(&selector).await;
        if checkbox.is_selected().await.expect("a checkbox state") != on {
            checkbox
                .click()
                .await
                .unwrap_or_else(|err| panic!("cannot click {selector}: {err}"));
        }
    }

    pub async fn ticked(&self, name: &str, value: &str) -> bool {
        let selector = format!(r#"input[type=checkbox][name="{name}"][value="{value}"]"#);
        self.css(&selector)
            .await
            .is_selected()
            .await
            .expect("a checkbox state")
    }

    pub async fn choose(&self, select: &str, value: &str) {
        self.css(select)
            .await
            .select_by_value(value)
            .await
            .unwrap_or_else(|err| panic!("cannot choose {value} in {select}: {err}"));
    }
}
