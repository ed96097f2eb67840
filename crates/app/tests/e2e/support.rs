//! The app under test, the links its emails carry, and the quick ways (plain HTTP) to
//! reach the point where a browser journey starts.

use jobping_core::EmailAddress;
use jobping_store::{Backend, Subscriber};
use reqwest::StatusCode;
use url::Url;

use crate::helpers::{Options, SentEmail, TestApp};

/// The app on SQLite: these tests are about the pages; the store has its own tests on
/// both backends. `JOBPING_BASE_URL` stays unset, so links name the default address
/// and [`link_in`] points them at this app.
pub async fn spawn() -> TestApp {
    crate::helpers::spawn_app(Backend::Sqlite, Options::default())
        .await
        .expect("SQLite is always available")
}

/// The first link to `path` in the email's text part, aimed at the running app.
pub fn link_in(app: &TestApp, email: &SentEmail, path: &str) -> String {
    let found = regex::Regex::new(r#"https?://[^\s<>"]+"#)
        .unwrap()
        .find_iter(&email.text)
        .filter_map(|m| Url::parse(m.as_str()).ok())
        .find(|url| url.path() == path)
        .unwrap_or_else(|| panic!("no {path} link in {:?}:\n{}", email.subject, email.text));
    let app_url = Url::parse(&app.address).unwrap();
    let mut link = found;
    link.set_scheme(app_url.scheme()).unwrap();
    link.set_host(app_url.host_str()).unwrap();
    link.set_port(app_url.port()).unwrap();
    link.to_string()
}

/// The newest email to `address` whose text links to `path`.
pub fn last_email_linking(app: &TestApp, address: &str, path: &str) -> SentEmail {
    let needle = format!("{path}?token=");
    app.emails_to(address)
        .into_iter()
        .rev()
        .find(|email| email.text.contains(&needle))
        .unwrap_or_else(|| panic!("no email to {address} links to {path}"))
}

pub async fn subscriber(app: &TestApp, address: &str) -> Option<Subscriber> {
    app.state
        .store
        .subscriber_by_email(&EmailAddress::parse(address).unwrap())
        .await
        .unwrap()
}

/// The cities stored for the subscriber, sorted.
pub async fn stored_cities(app: &TestApp, subscriber: &Subscriber) -> Vec<String> {
    let stored = app
        .state
        .store
        .preferences(subscriber.id)
        .await
        .unwrap()
        .expect("stored preferences");
    let mut cities: Vec<String> = serde_json::from_value(stored["cities"].clone()).unwrap();
    cities.sort();
    cities
}

/// A valid signup, as the browser form would post it.
fn signup_form(address: &str) -> Vec<(&'static str, String)> {
    [
        ("email", address),
        ("cities", "berlin"),
        ("cities", "amsterdam"),
        ("career_paths", "data"),
        ("entry_levels", "graduate"),
        ("experience", "none"),
        ("work_environments", "hybrid"),
        ("visa", "eu"),
        ("languages", "en"),
        ("consent", "yes"),
    ]
    .into_iter()
    .map(|(key, value)| (key, value.to_owned()))
    .collect()
}

async fn post_form(app: &TestApp, path: &str, form: &[(&str, String)]) -> reqwest::Response {
    app.client
        .post(format!("{}{path}", app.address))
        .form(form)
        .send()
        .await
        .expect("the app answers")
}

/// Signs `address` up over HTTP and sends the verification email.
pub async fn signed_up(app: &TestApp, address: &str) {
    let response = post_form(app, "/signup", &signup_form(address)).await;
    assert_eq!(response.status(), StatusCode::OK, "the signup is taken");
    app.drain().await;
}

/// Signs `address` up and confirms it over HTTP, then sends the welcome email (whose
/// text links to preferences and to unsubscribe).
pub async fn confirmed(app: &TestApp, address: &str) -> Subscriber {
    signed_up(app, address).await;
    let verification = last_email_linking(app, address, "/verify");
    let token = verification.token_for("/verify");
    let response = post_form(app, "/verify", &[("token", token)]).await;
    assert_eq!(response.status(), StatusCode::OK, "the address is confirmed");
    app.drain().await;
    subscriber(app, address).await.expect("a subscriber")
}
