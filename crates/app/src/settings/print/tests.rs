use std::io::Write;

use super::*;
use crate::settings::SettingsError;

fn load(toml: &str) -> Result<Settings, SettingsError> {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(toml.as_bytes()).unwrap();
    Settings::load(Some(file.path()), &|_| None)
}

/// Every key a settings file takes, each set to something other than its default
/// (`every_printed_value_differs_from_its_default` keeps it so).
fn everything_set(dkim_key: &std::path::Path) -> String {
    format!(
        r#"
database_url = "postgres://app:pg-password@db.internal:5433/jobping?sslpassword=pg-query-password"
redis_url = "redis://:redis-password@cache.internal:6380/2"
bind = "[::1]:9090"
base_url = "https://jobs.example.org/jobping"
secret = "0123456789abcdef0123456789abcdef-secret"
secret_previous = ["older-older-older-older-older-older-1", "older-older-older-older-older-older-2"]
metrics_bind = "127.0.0.1:9100"

[mail]
transport = "smtps://mailer:smtp-password@smtp.example.org:465"
from = "JobPing <hello@example.org>"
dkim_key = "{dkim_key}"
dkim_selector = "s2026"
resend_api_key = "re_resend_key"
resend_base_url = "http://relay:resend-url-password@127.0.0.1:9999"
resend_webhook_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

[admin]
key = "admin-key-admin-key-admin-key"

[stripe]
secret_key = "sk_test_stripe"
webhook_secret = "whsec_stripe"
price_monthly = "price_123"
price_amount = "9.5"
price_currency = "gbp"
price_interval = "year"
past_due_grace_days = 5
base_url = "http://stripe-url-key@127.0.0.1:9998"

[http]
body_limit_bytes = 4096
request_timeout_seconds = 12

[queue]
concurrency = 2
max_attempts = 7
lease_seconds = 60
poll_interval_ms = 250
backoff_base_seconds = 3
backoff_max_seconds = 600
keep_done_hours = 24
keep_dead_days = 9

[signup]
link_interval_minutes = 5
per_ip_per_hour = 7
purge_unverified_days = 3

[limits]
api_free = "11/15m"
api_premium = "51/15m"
form_address = "6/1h"
webhook = "601/1m"
admin = "121/1m"
trusted_proxies = ["10.0.0.0/8"]
ipv6_prefix = 56
key_prefix = "jp:"

[delivery]
free_days = ["mon"]
premium_days = ["tue", "thu"]
hour = 7
free_jobs = 3
premium_jobs = 4
grace_hours = 6
empty_before_note = 2
paused = true
paused_tiers = ["premium"]

[schedules]
housekeeping = "0 0 4 * * *"
deliver = ""
billing_grace = "off"

[scraping]
contact_url = "https://bot:contact-url-token@example.org/bot"
min_host_delay_ms = 10
max_response_bytes = 2048
request_timeout_seconds = 9
inactive_after_days = 14
schedule = "0 0 5 * * *"

[matching]
limit = 7
min_score = 30
max_per_company = 1
max_job_age_days = 20
diversity_penalty = 2.5

[matching.weights]
career_path = 20.0
relevance = 30.0
level = 10.0
freshness = 5.0
location = 12.0
sponsorship = 8.0
salary = 4.0
feedback = 6.5

[rerank]
enabled = true
mode = "chat"
base_url = "http://user:rerank-password@127.0.0.1:9997/v1"
model = "small-ranker"
api_key = "sk-rerank-secret"
timeout_ms = 900
max_candidates = 20
failure_threshold = 5
cooldown_seconds = 30

[[sources]]
kind = "greenhouse"
boards = ["acme", "globex"]
base_url = "http://feed:source-url-password@127.0.0.1:9000/?app_key=source-url-key"
max_pages = 3

[[sources]]
kind = "lever"
boards = ["initech"]
eu = true
enabled = false

[[sources]]
kind = "adzuna"
boards = ["gb"]
keywords = "graduate"
location = "London"
page_size = 20
app_id = "adzuna-id"
api_key = "adzuna-secret"
schedule = "off"

[sources.query]
sort_by = "date"
access_token = "source-query-token"
"#,
        dkim_key = dkim_key.display()
    )
}

fn dkim_key() -> tempfile::NamedTempFile {
    let mut key = tempfile::NamedTempFile::new().unwrap();
    key.write_all(b"-----BEGIN PRIVATE KEY-----\n").unwrap();
    key
}

/// What the settings hold, every field, apart from the file they came from. (Secrets
/// show in `Debug` only as set or not; `print_shown` holds their values.)
fn debug(settings: &Settings) -> String {
    let mut settings = settings.clone();
    settings.file = None;
    format!("{settings:#?}")
}

fn shown(settings: &Settings) -> toml::Table {
    to_toml(settings, Secrets::Shown).parse().unwrap()
}

#[test]
fn the_printed_settings_load_back_as_the_same_settings() {
    let key = dkim_key();
    let settings = load(&everything_set(key.path())).unwrap();
    let printed = to_toml(&settings, Secrets::Shown);
    let again = load(&printed).unwrap_or_else(|err| panic!("{err}\n{printed}"));
    // A field `jobping config` leaves out comes back as its default, not as set.
    assert_eq!(debug(&again), debug(&settings), "{printed}");
    assert_eq!(shown(&again), shown(&settings));
}

#[test]
fn the_defaults_load_back_as_the_defaults() {
    let settings = Settings::defaults();
    let printed = to_toml(&settings, Secrets::Shown);
    let again = load(&printed).unwrap_or_else(|err| panic!("{err}\n{printed}"));
    assert_eq!(debug(&again), debug(&settings), "{printed}");
}

/// Every value under `table`, by its dotted key; arrays count as one value.
fn leaves(table: &toml::Table) -> Vec<(String, toml::Value)> {
    let mut out = Vec::new();
    for (key, value) in table {
        match value {
            toml::Value::Table(inner) => {
                out.extend(leaves(inner).into_iter().map(|(k, v)| (format!("{key}.{k}"), v)))
            }
            value => out.push((key.clone(), value.clone())),
        }
    }
    out
}

/// Keeps `everything_set` complete: a key printed at its default value would not show
/// that it is read back.
#[test]
fn every_printed_value_differs_from_its_default() {
    let key = dkim_key();
    let set = leaves(&shown(&load(&everything_set(key.path())).unwrap()));
    let defaults = leaves(&shown(&Settings::defaults()));
    let same: Vec<&String> = set
        .iter()
        .filter(|leaf| defaults.contains(leaf))
        .map(|(key, _)| key)
        .collect();
    assert!(same.is_empty(), "set these in everything_set: {same:?}");
}

#[test]
fn redacting_hides_every_secret_but_keeps_every_key() {
    let key = dkim_key();
    let settings = load(&everything_set(key.path())).unwrap();
    let redacted = settings.redacted_toml();
    for secret in [
        "pg-password",
        "redis-password",
        "-secret",
        "older-older",
        "smtp-password",
        "re_resend",
        "MfKQ9r8",
        "admin-key",
        "sk_test",
        "whsec_stripe",
        "rerank-password",
        "adzuna-id",
        "pg-query-password",
        "resend-url-password",
        "stripe-url-key",
        "contact-url-token",
        "source-url-password",
        "source-url-key",
        "source-query-token",
    ] {
        assert!(!redacted.contains(secret), "{secret} leaked:\n{redacted}");
    }
    let keys = |table: &toml::Table| -> Vec<String> { leaves(table).into_iter().map(|(k, _)| k).collect() };
    let redacted: toml::Table = redacted.parse().unwrap();
    assert_eq!(keys(&redacted), keys(&shown(&settings)));
}

#[test]
fn a_source_that_does_not_run_says_why_in_a_comment() {
    let printed = Settings::defaults().redacted_toml();
    let why = printed
        .lines()
        .find(|line| line.starts_with("# adzuna does not run:"))
        .unwrap_or_else(|| panic!("{printed}"));
    assert!(why.contains("ADZUNA_APP_KEY"), "{why}");
    let parsed: toml::Table = printed.parse().unwrap();
    assert!(parsed["sources"].as_array().is_some_and(|s| s.len() > 3));
}
