//! Raw strings to checked settings, each error naming its setting.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use url::Url;

use crate::limits::{Cidr, Quota};

use super::file::FileSettings;
use super::{
    DeliverySettings, HttpSettings, LimitSettings, Lookup, MailSettings, Origin, PriceDisplay, QueueSettings,
    Raw, SCHEDULABLE_JOBS, ScheduleSetting, Secret, Settings, SettingsError, SignupSettings, StripeSettings,
};

const DEFAULT_DATABASE_URL: &str = "sqlite://jobping.db";
const DEFAULT_BIND: &str = "127.0.0.1:8080";
const DEFAULT_BASE_URL: &str = "http://127.0.0.1:8080";
const DEFAULT_MAIL_FROM: &str = "JobPing <jobs@localhost>";
const DEFAULT_DKIM_SELECTOR: &str = "jobping";
const DEFAULT_RESEND_BASE_URL: &str = "https://api.resend.com";
const DEFAULT_STRIPE_BASE_URL: &str = "https://api.stripe.com";

/// How mail leaves JobPing.
#[derive(Clone, PartialEq, Eq)]
pub enum MailTransport {
    /// `.eml` files in a folder: the default, for a pilot or development.
    File(PathBuf),
    /// SMTP (`smtp://`, STARTTLS when offered) or SMTPS (`smtps://`); the URL may hold
    /// credentials and is never printed whole.
    Smtp(Url),
    /// Resend's HTTP API (needs `RESEND_API_KEY`).
    Resend,
}

// Debug by hand: an SMTP URL may carry a password.
impl std::fmt::Debug for MailTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::File(path) => write!(f, "File({})", path.display()),
            Self::Smtp(url) => write!(
                f,
                "Smtp({}://{})",
                url.scheme(),
                url.host_str().unwrap_or_default()
            ),
            Self::Resend => f.write_str("Resend"),
        }
    }
}

pub(super) fn settings(
    file: FileSettings,
    file_path: Option<PathBuf>,
    lookup: &Lookup<'_>,
) -> Result<Settings, SettingsError> {
    let database_url = lookup
        .get("DATABASE_URL", "database_url", file.database_url)
        .map(|raw| database_url(&raw))
        .transpose()?
        .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
    let database_url = Secret::new(database_url);
    let redis_url = lookup
        .get("REDIS_URL", "redis_url", file.redis_url)
        .map(|raw| redis_url(&raw).map(Secret::new))
        .transpose()?;
    let bind = socket_addr(lookup.get("JOBPING_BIND", "bind", file.bind))?
        .unwrap_or_else(|| DEFAULT_BIND.parse().expect("valid default"));
    let metrics_bind = socket_addr(lookup.get("JOBPING_METRICS_BIND", "metrics_bind", file.metrics_bind))?;
    let base_url = lookup
        .get("JOBPING_BASE_URL", "base_url", file.base_url)
        .map(|raw| http_url(&raw))
        .transpose()?
        .unwrap_or_else(|| Url::parse(DEFAULT_BASE_URL).expect("valid default"));
    let secret = lookup
        .get("JOBPING_SECRET", "secret", file.secret)
        .map(|raw| long_secret(&raw, 32, "openssl rand -base64 48"))
        .transpose()?;
    let previous_secrets = match (lookup.env_value("JOBPING_SECRET_PREVIOUS"), file.secret_previous) {
        (Some(list), _) => previous_secrets(
            list.split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty()),
            || Origin::Env("JOBPING_SECRET_PREVIOUS"),
        )?,
        (None, Some(list)) => previous_secrets(list.into_iter(), || Origin::File {
            key: "secret_previous",
            path: lookup.path.clone(),
        })?,
        (None, None) => Vec::new(),
    };
    let admin_key = lookup
        .get("JOBPING_ADMIN_KEY", "admin.key", file.admin.key)
        .map(|raw| long_secret(&raw, 24, "openssl rand -hex 24"))
        .transpose()?;

    let resend_api_key = lookup.get("RESEND_API_KEY", "mail.resend_api_key", file.mail.resend_api_key);
    let transport = match lookup.get("JOBPING_MAIL", "mail.transport", file.mail.transport) {
        Some(raw) => mail_transport(&raw, resend_api_key.is_some())?,
        None => MailTransport::File(PathBuf::from("outbox")),
    };
    let mail = MailSettings {
        transport,
        from: lookup
            .get("JOBPING_MAIL_FROM", "mail.from", file.mail.from)
            .map(|raw| sender(&raw))
            .transpose()?
            .unwrap_or_else(|| DEFAULT_MAIL_FROM.to_owned()),
        dkim_key: lookup
            .get("JOBPING_DKIM_KEY", "mail.dkim_key", file.mail.dkim_key)
            .map(|raw| existing_file(&raw))
            .transpose()?,
        dkim_selector: lookup
            .get(
                "JOBPING_DKIM_SELECTOR",
                "mail.dkim_selector",
                file.mail.dkim_selector,
            )
            .map(|raw| dns_label(&raw))
            .transpose()?
            .unwrap_or_else(|| DEFAULT_DKIM_SELECTOR.to_owned()),
        resend_api_key: resend_api_key.map(|raw| Secret::new(raw.value)),
        resend_base_url: base_url_or(
            lookup.get(
                "JOBPING_RESEND_BASE_URL",
                "mail.resend_base_url",
                file.mail.resend_base_url,
            ),
            DEFAULT_RESEND_BASE_URL,
        )?,
        resend_webhook_secret: lookup
            .get(
                "RESEND_WEBHOOK_SECRET",
                "mail.resend_webhook_secret",
                file.mail.resend_webhook_secret,
            )
            .map(|raw| webhook_secret(&raw))
            .transpose()?,
    };

    let stripe = stripe(lookup, file.stripe)?;
    let http = HttpSettings {
        body_limit_bytes: lookup.number(
            "JOBPING_BODY_LIMIT_BYTES",
            "http.body_limit_bytes",
            file.http.body_limit_bytes,
            256 * 1024,
            (1024, 64 * 1024 * 1024),
        )? as usize,
        request_timeout: Duration::from_secs(lookup.number(
            "JOBPING_REQUEST_TIMEOUT_SECONDS",
            "http.request_timeout_seconds",
            file.http.request_timeout_seconds,
            30,
            (1, 600),
        )?),
    };
    let signup = SignupSettings {
        link_interval: Duration::from_secs(
            60 * lookup.number(
                "JOBPING_SIGNUP_LINK_INTERVAL_MINUTES",
                "signup.link_interval_minutes",
                file.signup.link_interval_minutes,
                10,
                (0, 24 * 60),
            )?,
        ),
        per_ip_per_hour: lookup.number(
            "JOBPING_SIGNUP_PER_IP_PER_HOUR",
            "signup.per_ip_per_hour",
            file.signup.per_ip_per_hour,
            20,
            (1, 10_000_000),
        )? as u32,
        purge_unverified_after: Duration::from_secs(
            86_400
                * lookup.number(
                    "JOBPING_PURGE_UNVERIFIED_DAYS",
                    "signup.purge_unverified_days",
                    file.signup.purge_unverified_days,
                    7,
                    (1, 365),
                )?,
        ),
    };
    let limits = limits(lookup, file.limits, &signup)?;
    let delivery = delivery(lookup, file.delivery)?;
    let q = file.queue;
    let queue = QueueSettings {
        concurrency: lookup.number(
            "JOBPING_QUEUE_CONCURRENCY",
            "queue.concurrency",
            q.concurrency,
            4,
            (1, 256),
        )? as usize,
        max_attempts: lookup.number(
            "JOBPING_QUEUE_MAX_ATTEMPTS",
            "queue.max_attempts",
            q.max_attempts,
            5,
            (1, 100),
        )? as u32,
        lease: Duration::from_secs(lookup.number(
            "JOBPING_QUEUE_LEASE_SECONDS",
            "queue.lease_seconds",
            q.lease_seconds,
            30,
            (5, 86_400),
        )?),
        poll_interval: Duration::from_millis(lookup.number(
            "JOBPING_QUEUE_POLL_INTERVAL_MS",
            "queue.poll_interval_ms",
            q.poll_interval_ms,
            1_000,
            (10, 60_000),
        )?),
        backoff_base: Duration::from_secs(lookup.number(
            "JOBPING_QUEUE_BACKOFF_BASE_SECONDS",
            "queue.backoff_base_seconds",
            q.backoff_base_seconds,
            10,
            (1, 3_600),
        )?),
        backoff_max: Duration::from_secs(lookup.number(
            "JOBPING_QUEUE_BACKOFF_MAX_SECONDS",
            "queue.backoff_max_seconds",
            q.backoff_max_seconds,
            3_600,
            (1, 7 * 86_400),
        )?),
        keep_done: Duration::from_secs(
            3_600
                * lookup.number(
                    "JOBPING_QUEUE_KEEP_DONE_HOURS",
                    "queue.keep_done_hours",
                    q.keep_done_hours,
                    72,
                    (1, 24 * 365),
                )?,
        ),
        keep_dead: Duration::from_secs(
            86_400
                * lookup.number(
                    "JOBPING_QUEUE_KEEP_DEAD_DAYS",
                    "queue.keep_dead_days",
                    q.keep_dead_days,
                    30,
                    (1, 3_650),
                )?,
        ),
    };
    let schedules = schedules(lookup, file.schedules)?;
    let scrape_schedule = lookup
        .get(
            "JOBPING_SCHEDULE_SCRAPE",
            "scraping.schedule",
            file.scraping.schedule.clone(),
        )
        .map(|raw| raw.value);
    let scraping = super::sources::scraping(lookup, file.scraping, &base_url)?;
    let matching = file.matching;
    let mut rerank = file.rerank;
    if let Some(key) = lookup.env_value("JOBPING_RERANK_API_KEY") {
        rerank.api_key = Some(key);
    }
    if let Some(raw) = lookup.get("JOBPING_RERANK_ENABLED", "rerank.enabled", None) {
        rerank.enabled = match raw.value.as_str() {
            "true" | "1" | "yes" => true,
            "false" | "0" | "no" => false,
            other => return Err(raw.invalid(format!("`{other}` is not true or false"))),
        };
    }
    rerank.validate().map_err(|problem| SettingsError::Invalid {
        setting: "[rerank]".to_owned(),
        problem,
    })?;
    let sources = super::sources::sources(lookup, file.sources, scrape_schedule)?;
    Ok(Settings {
        file: file_path,
        database_url,
        redis_url,
        bind,
        base_url,
        secret,
        previous_secrets,
        metrics_bind,
        mail,
        admin_key,
        stripe,
        http,
        queue,
        signup,
        limits,
        delivery,
        schedules,
        scraping,
        sources,
        matching,
        rerank,
    })
}

fn limits(
    lookup: &Lookup<'_>,
    file: super::file::FileLimits,
    signup: &SignupSettings,
) -> Result<LimitSettings, SettingsError> {
    let quota =
        |env: &'static str, key: &'static str, value: Option<String>, default: (u32, u64)| match lookup
            .get(env, key, value)
        {
            None => Ok(Quota::new(default.0, Duration::from_secs(default.1))),
            Some(raw) => parse_quota(&raw.value).map_err(|problem| raw.invalid(problem)),
        };
    let trusted_proxies = match lookup.get(
        "JOBPING_TRUSTED_PROXIES",
        "limits.trusted_proxies",
        file.trusted_proxies.map(|list| list.join(",")),
    ) {
        None => Vec::new(),
        Some(raw) => raw
            .value
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| p.parse::<Cidr>().map_err(|problem| raw.invalid(problem)))
            .collect::<Result<_, _>>()?,
    };
    Ok(LimitSettings {
        api_free: quota(
            "JOBPING_LIMIT_API_FREE",
            "limits.api_free",
            file.api_free,
            (10, 900),
        )?,
        api_premium: quota(
            "JOBPING_LIMIT_API_PREMIUM",
            "limits.api_premium",
            file.api_premium,
            (50, 900),
        )?,
        form_ip: Quota::new(signup.per_ip_per_hour, Duration::from_secs(3_600)),
        form_address: quota(
            "JOBPING_LIMIT_FORM_ADDRESS",
            "limits.form_address",
            file.form_address,
            (5, 3_600),
        )?,
        webhook: quota("JOBPING_LIMIT_WEBHOOK", "limits.webhook", file.webhook, (60, 60))?,
        admin: quota("JOBPING_LIMIT_ADMIN", "limits.admin", file.admin, (120, 60))?,
        trusted_proxies,
        ipv6_prefix: lookup.number(
            "JOBPING_LIMIT_IPV6_PREFIX",
            "limits.ipv6_prefix",
            file.ipv6_prefix,
            64,
            (1, 128),
        )? as u8,
        key_prefix: lookup
            .get("JOBPING_LIMIT_KEY_PREFIX", "limits.key_prefix", file.key_prefix)
            .map_or_else(|| "jobping:rl:".to_owned(), |raw| raw.value),
    })
}

/// "10/15m": a count and a period in s, m, h or d.
fn parse_quota(text: &str) -> Result<Quota, String> {
    let bad = || format!("`{text}` is not a limit like 10/15m (a count, `/`, a period in s, m, h or d)");
    let (count, period) = text.split_once('/').ok_or_else(bad)?;
    let count: u32 = count.trim().parse().map_err(|_| bad())?;
    let period = period.trim();
    let split = period.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (amount, unit) = period.split_at(split);
    let amount: u64 = if amount.is_empty() {
        1
    } else {
        amount.parse().map_err(|_| bad())?
    };
    let unit_secs = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        _ => return Err(bad()),
    };
    let secs = amount.checked_mul(unit_secs).ok_or_else(bad)?;
    if count == 0 || count > 1_000_000 || secs == 0 || secs > 7 * 86_400 {
        return Err(format!(
            "`{text}` must allow 1 to 1000000 requests over at most 7 days"
        ));
    }
    Ok(Quota::new(count, Duration::from_secs(secs)))
}

fn database_url(raw: &Raw) -> Result<String, SettingsError> {
    let scheme = raw
        .value
        .split_once("://")
        .map(|(scheme, _)| scheme.to_ascii_lowercase());
    match scheme.as_deref() {
        Some("sqlite") => Ok(raw.value.clone()),
        Some("postgres" | "postgresql") => {
            Url::parse(&raw.value)
                .map_err(|err| raw.invalid(format!("not a valid PostgreSQL URL: {err}")))?;
            Ok(raw.value.clone())
        }
        Some(other) => Err(raw.invalid(format!(
            "unknown database scheme `{other}`: use sqlite://FILE or postgres://USER@HOST/DATABASE"
        ))),
        None => Err(raw.invalid("not a URL: use sqlite://FILE or postgres://USER@HOST/DATABASE")),
    }
}

fn redis_url(raw: &Raw) -> Result<String, SettingsError> {
    let url = Url::parse(&raw.value).map_err(|err| raw.invalid(format!("not a valid URL: {err}")))?;
    match url.scheme() {
        "redis" | "rediss" if url.host_str().is_some_and(|h| !h.is_empty()) => Ok(raw.value.clone()),
        "redis" | "rediss" => Err(raw.invalid("the URL names no host: use redis://HOST:PORT")),
        other => Err(raw.invalid(format!(
            "unknown scheme `{other}`: use redis://HOST:PORT or rediss://HOST:PORT"
        ))),
    }
}

fn socket_addr(raw: Option<Raw>) -> Result<Option<SocketAddr>, SettingsError> {
    raw.map(|raw| {
        SocketAddr::from_str(&raw.value).map_err(|_| {
            raw.invalid(format!(
                "`{}` is not an IP address and port such as 127.0.0.1:8080 or [::]:8080",
                raw.value
            ))
        })
    })
    .transpose()
}

pub(super) fn http_url(raw: &Raw) -> Result<Url, SettingsError> {
    let mut url =
        Url::parse(&raw.value).map_err(|err| raw.invalid(format!("`{}` is not a URL: {err}", raw.value)))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(raw.invalid(format!(
            "`{}` must be an http:// or https:// URL with a host",
            raw.value
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(raw.invalid("must not have a query (?…) or fragment (#…)"));
    }
    let trimmed = url.path().trim_end_matches('/').to_owned();
    url.set_path(&trimmed);
    Ok(url)
}

fn base_url_or(raw: Option<Raw>, default: &str) -> Result<Url, SettingsError> {
    raw.map(|raw| http_url(&raw))
        .transpose()
        .map(|url| url.unwrap_or_else(|| Url::parse(default).expect("valid default")))
}

fn long_secret(raw: &Raw, min: usize, suggestion: &str) -> Result<Secret, SettingsError> {
    if raw.value.chars().count() < min {
        return Err(raw.invalid(format!(
            "must be at least {min} characters long (make one with `{suggestion}`)"
        )));
    }
    Ok(Secret::new(raw.value.clone()))
}

fn delivery(lookup: &Lookup<'_>, file: super::file::FileDelivery) -> Result<DeliverySettings, SettingsError> {
    use crate::delivery::cadence::{Cadence, weekday};
    let days = |env: &'static str, key: &'static str, from_file: Option<Vec<String>>, default: &str| {
        let raw = lookup.get(env, key, from_file.map(|days| days.join(",")));
        let text = raw.as_ref().map_or(default, |raw| raw.value.as_str());
        let mut out = Vec::new();
        for day in text.split(',').map(str::trim).filter(|d| !d.is_empty()) {
            let Some(parsed) = weekday(day) else {
                let raw = raw.as_ref().expect("defaults are valid weekdays");
                return Err(raw.invalid(format!("`{day}` is not a weekday (use mon, tue, … sun)")));
            };
            if !out.contains(&parsed) {
                out.push(parsed);
            }
        }
        if out.is_empty() {
            let raw = raw.as_ref().expect("defaults are not empty");
            return Err(raw.invalid("name at least one weekday"));
        }
        Ok(out)
    };
    let hour = lookup.number("JOBPING_DELIVERY_HOUR", "delivery.hour", file.hour, 8, (0, 23))? as u32;
    let paused_tiers = match lookup.get(
        "JOBPING_DELIVERY_PAUSED_TIERS",
        "delivery.paused_tiers",
        file.paused_tiers.map(|tiers| tiers.join(",")),
    ) {
        None => Vec::new(),
        Some(raw) => raw
            .value
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(|t| {
                t.parse::<jobping_core::Tier>()
                    .map_err(|_| raw.invalid(format!("`{t}` is not a tier (free or premium)")))
            })
            .collect::<Result<_, _>>()?,
    };
    let paused = match lookup.get(
        "JOBPING_DELIVERY_PAUSED",
        "delivery.paused",
        file.paused.map(|p| p.to_string()),
    ) {
        None => false,
        Some(raw) => match raw.value.as_str() {
            "true" | "1" | "yes" => true,
            "false" | "0" | "no" => false,
            other => return Err(raw.invalid(format!("`{other}` is not true or false"))),
        },
    };
    Ok(DeliverySettings {
        free: Cadence {
            days: days(
                "JOBPING_DELIVERY_FREE_DAYS",
                "delivery.free_days",
                file.free_days,
                "thu",
            )?,
            hour,
        },
        premium: Cadence {
            days: days(
                "JOBPING_DELIVERY_PREMIUM_DAYS",
                "delivery.premium_days",
                file.premium_days,
                "mon,wed,fri",
            )?,
            hour,
        },
        free_jobs: lookup.number(
            "JOBPING_DELIVERY_FREE_JOBS",
            "delivery.free_jobs",
            file.free_jobs,
            5,
            (1, 50),
        )? as usize,
        premium_jobs: lookup.number(
            "JOBPING_DELIVERY_PREMIUM_JOBS",
            "delivery.premium_jobs",
            file.premium_jobs,
            5,
            (1, 50),
        )? as usize,
        grace: Duration::from_secs(
            3_600
                * lookup.number(
                    "JOBPING_DELIVERY_GRACE_HOURS",
                    "delivery.grace_hours",
                    file.grace_hours,
                    12,
                    (1, 72),
                )?,
        ),
        empty_before_note: lookup.number(
            "JOBPING_DELIVERY_EMPTY_BEFORE_NOTE",
            "delivery.empty_before_note",
            file.empty_before_note,
            3,
            (1, 52),
        )? as u32,
        paused,
        paused_tiers,
    })
}

/// A Svix signing secret: `whsec_` and base64.
fn webhook_secret(raw: &Raw) -> Result<Secret, SettingsError> {
    use base64::Engine;
    let encoded = raw.value.strip_prefix("whsec_").unwrap_or(&raw.value);
    match base64::engine::general_purpose::STANDARD.decode(encoded) {
        Ok(bytes) if bytes.len() >= 16 => Ok(Secret::new(raw.value.clone())),
        _ => {
            Err(raw
                .invalid("is not a webhook signing secret (whsec_ followed by base64, as Resend shows it)"))
        }
    }
}

fn previous_secrets(
    values: impl Iterator<Item = String>,
    origin: impl Fn() -> Origin,
) -> Result<Vec<Secret>, SettingsError> {
    values
        .map(|value| {
            long_secret(
                &Raw {
                    value,
                    origin: origin(),
                },
                32,
                "openssl rand -base64 48",
            )
        })
        .collect()
}

fn mail_transport(raw: &Raw, has_resend_key: bool) -> Result<MailTransport, SettingsError> {
    let (scheme, rest) = raw.value.split_once("://").ok_or_else(|| {
        raw.invalid("not a URL: use file://FOLDER, smtp://HOST:PORT, smtps://HOST:PORT or resend://")
    })?;
    match scheme.to_ascii_lowercase().as_str() {
        "file" if rest.is_empty() => Err(raw.invalid("file:// needs a folder, e.g. file://outbox")),
        "file" => Ok(MailTransport::File(PathBuf::from(rest))),
        "smtp" | "smtps" => {
            let url = Url::parse(&raw.value).map_err(|err| raw.invalid(format!("not a valid SMTP URL: {err}")))?;
            if url.host_str().is_none_or(str::is_empty) {
                return Err(raw.invalid("the SMTP URL names no host"));
            }
            Ok(MailTransport::Smtp(url))
        }
        "resend" if has_resend_key => Ok(MailTransport::Resend),
        "resend" => Err(raw.invalid("resend:// needs RESEND_API_KEY (or mail.resend_api_key) to be set")),
        other => Err(raw.invalid(format!(
            "unknown mail transport `{other}`: use file://FOLDER, smtp://HOST:PORT, smtps://HOST:PORT or resend://"
        ))),
    }
}

/// `Name <address>` or a bare address; no line breaks (they would inject headers).
fn sender(raw: &Raw) -> Result<String, SettingsError> {
    let value = raw.value.as_str();
    if value.contains(['\r', '\n']) {
        return Err(raw.invalid("must be on one line"));
    }
    let address = match (value.find('<'), value.rfind('>')) {
        (Some(open), Some(close)) if open < close && close == value.len() - 1 => &value[open + 1..close],
        (None, None) => value,
        _ => return Err(raw.invalid("write it as `Name <address@domain>` or `address@domain`")),
    };
    match address.split_once('@') {
        Some((local, domain))
            if !local.is_empty() && !domain.is_empty() && !address.contains(char::is_whitespace) =>
        {
            Ok(value.to_owned())
        }
        _ => Err(raw.invalid(format!("`{address}` is not an email address"))),
    }
}

fn existing_file(raw: &Raw) -> Result<PathBuf, SettingsError> {
    let path = PathBuf::from(&raw.value);
    if !path.is_file() {
        return Err(raw.invalid(format!("no such file: {}", path.display())));
    }
    Ok(path)
}

fn dns_label(raw: &Raw) -> Result<String, SettingsError> {
    let ok = raw.value.len() <= 63
        && !raw.value.starts_with('-')
        && raw
            .value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !ok {
        return Err(raw.invalid("must be a DNS label: letters, digits, `-` or `_`, at most 63 characters"));
    }
    Ok(raw.value.clone())
}

fn stripe(lookup: &Lookup<'_>, file: super::file::FileStripe) -> Result<StripeSettings, SettingsError> {
    let secret_key = lookup.get("STRIPE_SECRET_KEY", "stripe.secret_key", file.secret_key);
    let webhook_secret = lookup.get(
        "STRIPE_WEBHOOK_SECRET",
        "stripe.webhook_secret",
        file.webhook_secret,
    );
    let price = lookup.get("STRIPE_PRICE_MONTHLY", "stripe.price_monthly", file.price_monthly);
    let parts = [
        ("STRIPE_SECRET_KEY", &secret_key),
        ("STRIPE_WEBHOOK_SECRET", &webhook_secret),
        ("STRIPE_PRICE_MONTHLY", &price),
    ];
    let set: Vec<&Raw> = parts.iter().filter_map(|(_, raw)| raw.as_ref()).collect();
    if !set.is_empty() && set.len() < parts.len() {
        let missing: Vec<&str> = parts
            .iter()
            .filter(|(_, raw)| raw.is_none())
            .map(|(name, _)| *name)
            .collect();
        return Err(set[0].invalid(format!(
            "billing needs all three Stripe settings; missing: {}",
            missing.join(", ")
        )));
    }
    Ok(StripeSettings {
        secret_key: secret_key.map(|raw| Secret::new(raw.value)),
        webhook_secret: webhook_secret.map(|raw| Secret::new(raw.value)),
        price_monthly: price.map(|raw| raw.value),
        price: PriceDisplay {
            amount_minor: match lookup.get("STRIPE_PRICE_AMOUNT", "stripe.price_amount", file.price_amount) {
                Some(raw) => amount_minor(&raw)?,
                None => 499,
            },
            currency: match lookup.get(
                "STRIPE_PRICE_CURRENCY",
                "stripe.price_currency",
                file.price_currency,
            ) {
                Some(raw) if raw.value.len() == 3 && raw.value.chars().all(|c| c.is_ascii_alphabetic()) => {
                    raw.value.to_ascii_uppercase()
                }
                Some(raw) => return Err(raw.invalid("must be a three-letter ISO 4217 code such as EUR")),
                None => "EUR".to_owned(),
            },
            interval: match lookup.get(
                "STRIPE_PRICE_INTERVAL",
                "stripe.price_interval",
                file.price_interval,
            ) {
                Some(raw) if ["day", "week", "month", "year"].contains(&raw.value.as_str()) => raw.value,
                Some(raw) => return Err(raw.invalid("must be one of day, week, month, year")),
                None => "month".to_owned(),
            },
        },
        past_due_grace: Duration::from_secs(
            86_400
                * lookup.number(
                    "JOBPING_PAST_DUE_GRACE_DAYS",
                    "stripe.past_due_grace_days",
                    file.past_due_grace_days,
                    3,
                    (0, 30),
                )?,
        ),
        base_url: base_url_or(
            lookup.get("JOBPING_STRIPE_BASE_URL", "stripe.base_url", file.base_url),
            DEFAULT_STRIPE_BASE_URL,
        )?,
    })
}

/// "4.99" or "5" as cents; at most two decimals, never negative.
fn amount_minor(raw: &Raw) -> Result<u64, SettingsError> {
    let bad = || raw.invalid(format!("`{}` is not an amount such as 4.99", raw.value));
    let (whole, cents) = raw.value.split_once('.').unwrap_or((&raw.value, ""));
    if whole.is_empty() || !whole.chars().all(|c| c.is_ascii_digit()) || whole.len() > 9 {
        return Err(bad());
    }
    if cents.len() > 2 || !cents.chars().all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    let whole: u64 = whole.parse().map_err(|_| bad())?;
    let cents: u64 = format!("{cents:0<2}").parse().map_err(|_| bad())?;
    Ok(whole * 100 + cents)
}

fn schedules(
    lookup: &Lookup<'_>,
    mut file: std::collections::BTreeMap<String, String>,
) -> Result<Vec<ScheduleSetting>, SettingsError> {
    if let Some(unknown) = file
        .keys()
        .find(|name| !SCHEDULABLE_JOBS.iter().any(|job| job.name == name.as_str()))
    {
        let known: Vec<&str> = SCHEDULABLE_JOBS.iter().map(|job| job.name).collect();
        return Err(SettingsError::Invalid {
            setting: format!("`schedules.{unknown}` in {}", lookup.path),
            problem: format!(
                "no such job; the jobs that can be scheduled are: {}",
                known.join(", ")
            ),
        });
    }
    let mut out = Vec::new();
    for job in SCHEDULABLE_JOBS {
        let from_file = file.remove(job.name);
        // An empty value disables the job, but `get` treats empty as unset: note it first.
        let disabled_in_file = from_file.as_deref().is_some_and(|v| v.trim().is_empty());
        let raw = lookup.get(job.env, job.file_key, from_file);
        let expression = match (&raw, disabled_in_file) {
            (Some(raw), _) => raw.value.clone(),
            (None, true) => String::new(),
            (None, false) => job.default.to_owned(),
        };
        let schedule = match (expression.trim(), &raw) {
            ("" | "off", _) => None,
            (text, Some(raw)) => Some(cron::Schedule::from_str(text).map_err(|err| {
                raw.invalid(format!(
                    "`{text}` is not a cron expression (sec min hour day month weekday): {err}"
                ))
            })?),
            (text, None) => Some(cron::Schedule::from_str(text).expect("default schedules are valid")),
        };
        out.push(ScheduleSetting {
            name: job.name.to_owned(),
            expression,
            schedule,
        });
    }
    Ok(out)
}
