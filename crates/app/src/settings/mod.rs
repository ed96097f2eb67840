//! Settings: `jobping.toml` (optional) overlaid by environment variables, checked once
//! at start. A bad setting stops start-up with an error that names it, before any port
//! is bound.

mod file;
mod parse;
mod print;
mod sources;

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use url::Url;

use self::file::FileSettings;
pub use self::parse::MailTransport;
pub use self::sources::{DEFAULT_SCRAPE_SCHEDULE, ScrapingSettings, SourceSetting};

/// The settings file read when no other is named.
pub const DEFAULT_FILE: &str = "jobping.toml";

/// A job that runs on a cron schedule.
#[derive(Debug, Clone, Copy)]
pub struct SchedulableJob {
    /// The job's name: its task kind and its key under `[schedules]`.
    pub name: &'static str,
    /// Its key in the settings file.
    pub file_key: &'static str,
    /// The environment variable that overrides its schedule.
    pub env: &'static str,
    /// Its cron expression unless told otherwise (seconds first, UTC).
    pub default: &'static str,
}

/// Every job that can be scheduled. Setting a schedule to `""` or `"off"` disables it.
pub const SCHEDULABLE_JOBS: &[SchedulableJob] = &[
    SchedulableJob {
        name: "housekeeping",
        file_key: "schedules.housekeeping",
        env: "JOBPING_SCHEDULE_HOUSEKEEPING",
        default: "0 17 3 * * *",
    },
    // The delivery round looks for subscribers whose local send time has come; each
    // subscriber's own clock decides, so the round runs often.
    SchedulableJob {
        name: "deliver",
        file_key: "schedules.deliver",
        env: "JOBPING_SCHEDULE_DELIVER",
        default: "0 */15 * * * *",
    },
    // Ends premium for subscriptions past_due for longer than the grace period.
    SchedulableJob {
        name: "billing_grace",
        file_key: "schedules.billing_grace",
        env: "JOBPING_SCHEDULE_BILLING_GRACE",
        default: "0 7 * * * *",
    },
];

/// A value that must never be printed or logged.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// Everything JobPing is told by its operator, checked.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The settings file that was read, if any.
    pub file: Option<PathBuf>,
    /// May hold a password, so it is kept as a secret.
    pub database_url: Secret,
    pub redis_url: Option<Secret>,
    pub bind: SocketAddr,
    /// Where links in emails point, without a trailing slash.
    pub base_url: Url,
    /// The token-signing secret; `None` means one is generated and kept in the store.
    pub secret: Option<Secret>,
    /// Earlier signing secrets: links they signed keep working until they expire.
    pub previous_secrets: Vec<Secret>,
    /// A separate listener for `/metrics` and `/ready`'s details; `None` serves `/metrics`
    /// on the main listener, to an admin key with `read`.
    pub metrics_bind: Option<SocketAddr>,
    pub mail: MailSettings,
    pub admin_key: Option<Secret>,
    pub stripe: StripeSettings,
    pub http: HttpSettings,
    pub queue: QueueSettings,
    pub signup: SignupSettings,
    pub limits: LimitSettings,
    pub delivery: DeliverySettings,
    pub schedules: Vec<ScheduleSetting>,
    pub scraping: ScrapingSettings,
    pub sources: Vec<SourceSetting>,
    /// Matching weights and limits, from `[matching]`.
    pub matching: jobping_core::matching::MatchConfig,
    /// Optional re-ranking of matches, from `[rerank]` (key: `JOBPING_RERANK_API_KEY`).
    pub rerank: crate::rerank::RerankSettings,
}

#[derive(Debug, Clone)]
pub struct MailSettings {
    pub transport: MailTransport,
    pub from: String,
    pub dkim_key: Option<PathBuf>,
    pub dkim_selector: String,
    pub resend_api_key: Option<Secret>,
    pub resend_base_url: Url,
    /// Verifies Resend's (Svix-signed) webhook events; `whsec_…`.
    pub resend_webhook_secret: Option<Secret>,
}

impl MailSettings {
    /// The sender's bare address (`JobPing <jobs@example.com>` → `jobs@example.com`).
    pub fn from_address(&self) -> &str {
        let from = self.from.as_str();
        match (from.find('<'), from.rfind('>')) {
            (Some(start), Some(end)) if start < end => from[start + 1..end].trim(),
            _ => from.trim(),
        }
    }

    /// The sending domain, lower-cased.
    pub fn from_domain(&self) -> String {
        self.from_address()
            .rsplit('@')
            .next()
            .unwrap_or_default()
            .to_lowercase()
    }
}

/// Billing is on only when the key, the webhook secret and the price are all set.
#[derive(Debug, Clone)]
pub struct StripeSettings {
    pub secret_key: Option<Secret>,
    pub webhook_secret: Option<Secret>,
    pub price_monthly: Option<String>,
    /// What `/pricing` shows for the price: it must match the Stripe price.
    pub price: PriceDisplay,
    /// How long a past_due subscription keeps premium while Stripe retries the card.
    pub past_due_grace: Duration,
    pub base_url: Url,
}

/// The premium price as people see it: an amount in minor units (cents), an ISO 4217
/// currency and a billing interval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceDisplay {
    pub amount_minor: u64,
    pub currency: String,
    pub interval: String,
}

impl PriceDisplay {
    /// "€4.99 / month", "£5.00 / month", "49.00 SEK / year".
    pub fn label(&self) -> String {
        let figures = format!("{}.{:02}", self.amount_minor / 100, self.amount_minor % 100);
        let symbol = match self.currency.as_str() {
            "EUR" => Some("€"),
            "GBP" => Some("£"),
            "USD" => Some("$"),
            _ => None,
        };
        match symbol {
            Some(symbol) => format!("{symbol}{figures} / {}", self.interval),
            None => format!("{figures} {} / {}", self.currency, self.interval),
        }
    }
}

#[derive(Debug, Clone)]
pub struct HttpSettings {
    pub body_limit_bytes: usize,
    pub request_timeout: Duration,
}

/// When digests go out and how many jobs they hold, per tier.
#[derive(Debug, Clone)]
pub struct DeliverySettings {
    pub free: crate::delivery::cadence::Cadence,
    pub premium: crate::delivery::cadence::Cadence,
    /// Jobs in one free and one premium digest.
    pub free_jobs: usize,
    pub premium_jobs: usize,
    /// A slot missed for longer than this (the service was down) is skipped.
    pub grace: Duration,
    /// Empty digests in a row before the "widen your preferences" note.
    pub empty_before_note: u32,
    /// Stop all sending, or one tier's, until switched back (also an operator switch).
    pub paused: bool,
    pub paused_tiers: Vec<jobping_core::Tier>,
}

/// Rate limits (see `crate::limits`); the per-address form limit is in `signup`.
#[derive(Debug, Clone)]
pub struct LimitSettings {
    /// The subscriber API (`/api/v1/me…`), per subscriber, by tier.
    pub api_free: crate::limits::Quota,
    pub api_premium: crate::limits::Quota,
    /// Forms that send email, per client address (from `signup.per_ip_per_hour`).
    pub form_ip: crate::limits::Quota,
    /// The same forms, per target email address.
    pub form_address: crate::limits::Quota,
    /// Webhook requests without a valid signature, per client address and source.
    pub webhook: crate::limits::Quota,
    /// The admin API and console, per client address.
    pub admin: crate::limits::Quota,
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<crate::limits::Cidr>,
    /// How many leading bits of an IPv6 client address make one client (1 to 128).
    pub ipv6_prefix: u8,
    /// Prefix of the limiter's Redis keys.
    pub key_prefix: String,
}

/// Limits on signups and on the emails a form can make us send.
#[derive(Debug, Clone)]
pub struct SignupSettings {
    /// At most one link email (verification or manage link) per address in this time.
    pub link_interval: Duration,
    /// Signup and link requests one client address may make per hour.
    pub per_ip_per_hour: u32,
    /// Signups never confirmed are erased after this long.
    pub purge_unverified_after: Duration,
}

#[derive(Debug, Clone)]
pub struct QueueSettings {
    /// Tasks one worker process runs at once.
    pub concurrency: usize,
    pub max_attempts: u32,
    /// How long a claim holds before another worker may take the task over; a running
    /// task's worker renews it every third of this (a heartbeat).
    pub lease: Duration,
    pub poll_interval: Duration,
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    pub keep_done: Duration,
    pub keep_dead: Duration,
}

/// A job's schedule; `schedule` is `None` when the operator disabled it.
#[derive(Debug, Clone)]
pub struct ScheduleSetting {
    pub name: String,
    pub expression: String,
    pub schedule: Option<cron::Schedule>,
}

/// Why the settings cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("cannot read the settings file {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("the settings file {path} is not valid: {reason}")]
    File { path: String, reason: String },
    #[error("{setting}: {problem}")]
    Invalid { setting: String, problem: String },
}

/// Where a raw value came from, to name it in an error.
#[derive(Debug, Clone)]
enum Origin {
    Env(&'static str),
    File { key: &'static str, path: String },
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Env(name) => f.write_str(name),
            Origin::File { key, path } => write!(f, "`{key}` in {path}"),
        }
    }
}

/// A raw setting and its origin.
struct Raw {
    value: String,
    origin: Origin,
}

impl Raw {
    fn invalid(&self, problem: impl Into<String>) -> SettingsError {
        SettingsError::Invalid {
            setting: self.origin.to_string(),
            problem: problem.into(),
        }
    }
}

/// Looks settings up in the environment first, then in the file.
struct Lookup<'a> {
    env: &'a dyn Fn(&str) -> Option<String>,
    path: String,
}

impl Lookup<'_> {
    /// An environment variable's value, when set and not empty.
    fn env_value(&self, name: &str) -> Option<String> {
        (self.env)(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    /// The value for a setting; empty values count as unset.
    fn get(&self, env: &'static str, key: &'static str, file: Option<String>) -> Option<Raw> {
        if let Some(value) = (self.env)(env).filter(|v| !v.trim().is_empty()) {
            return Some(Raw {
                value: value.trim().to_owned(),
                origin: Origin::Env(env),
            });
        }
        file.filter(|v| !v.trim().is_empty()).map(|value| Raw {
            value: value.trim().to_owned(),
            origin: Origin::File {
                key,
                path: self.path.clone(),
            },
        })
    }

    fn number(
        &self,
        env: &'static str,
        key: &'static str,
        file: Option<u64>,
        default: u64,
        range: (u64, u64),
    ) -> Result<u64, SettingsError> {
        let Some(raw) = self.get(env, key, file.map(|n| n.to_string())) else {
            return Ok(default);
        };
        let number: u64 = raw
            .value
            .parse()
            .map_err(|_| raw.invalid(format!("`{}` is not a whole number", raw.value)))?;
        if number < range.0 || number > range.1 {
            return Err(raw.invalid(format!(
                "{number} is out of range: use {} to {}",
                range.0, range.1
            )));
        }
        Ok(number)
    }
}

impl Settings {
    /// Reads the settings: the file at `path` (which must exist), or `jobping.toml` in
    /// the working folder when it exists, overlaid by the environment `env`.
    pub fn load(path: Option<&Path>, env: &dyn Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let (file, file_path) = read_file(path)?;
        let lookup = Lookup {
            env,
            path: file_path
                .as_ref()
                .map_or_else(|| DEFAULT_FILE.to_owned(), |p| p.display().to_string()),
        };
        parse::settings(file, file_path, &lookup)
    }

    /// The settings with every default and no file or environment: what a bare
    /// `jobping serve` runs on.
    pub fn defaults() -> Self {
        Self::load(None, &|_| None).expect("the embedded defaults are valid")
    }

    /// Settings as TOML with every secret (and every password in a URL) redacted.
    pub fn redacted_toml(&self) -> String {
        print::redacted_toml(self)
    }

    /// Whether billing is configured.
    pub fn billing_enabled(&self) -> bool {
        self.stripe.secret_key.is_some()
    }
}

fn read_file(path: Option<&Path>) -> Result<(FileSettings, Option<PathBuf>), SettingsError> {
    let path = match path {
        Some(path) => path.to_path_buf(),
        None if Path::new(DEFAULT_FILE).exists() => PathBuf::from(DEFAULT_FILE),
        None => return Ok((FileSettings::default(), None)),
    };
    let text = std::fs::read_to_string(&path).map_err(|err| SettingsError::Read {
        path: path.display().to_string(),
        reason: err.to_string(),
    })?;
    let file = toml::from_str(&text).map_err(|err| SettingsError::File {
        path: path.display().to_string(),
        reason: err.to_string(),
    })?;
    Ok((file, Some(path)))
}

#[cfg(test)]
mod tests;
