//! The effective settings as TOML, for `jobping config`: every field of `Settings`, with
//! every secret redacted, and every credential inside a URL too (`redact::url`, for
//! every URL printed). Apart from the redacted secrets the output is itself a settings
//! file that loads the same settings (tested).

mod redact;
mod sources;

use toml::{Table, Value};

use super::{
    DeliverySettings, HttpSettings, LimitSettings, MailSettings, MailTransport, PriceDisplay, QueueSettings,
    ScheduleSetting, ScrapingSettings, Secret, Settings, SignupSettings, StripeSettings,
};
use crate::delivery::cadence::Cadence;

const REDACTED: &str = "[redacted]";

/// Whether secrets are written out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Secrets {
    /// For people: secrets redacted, and unset ones noted (`[not set]`).
    Redacted,
    /// Only for the round-trip test: secrets as they are, unset ones left out.
    #[cfg_attr(not(test), allow(dead_code))]
    Shown,
}

impl Secrets {
    fn secret(self, value: &str) -> Value {
        match self {
            Self::Redacted => REDACTED.into(),
            Self::Shown => value.into(),
        }
    }

    /// A setting that may be unset; `unset` says so to people.
    fn optional(self, value: Option<&str>, unset: &str) -> Option<Value> {
        match (value, self) {
            (Some(value), _) => Some(self.secret(value)),
            (None, Self::Redacted) => Some(unset.into()),
            (None, Self::Shown) => None,
        }
    }

    /// Every URL is printed through this, so none shows a credential.
    fn url(self, raw: &str) -> Value {
        match self {
            Self::Redacted => redact::url(raw).into(),
            Self::Shown => raw.into(),
        }
    }
}

pub(super) fn redacted_toml(settings: &Settings) -> String {
    to_toml(settings, Secrets::Redacted)
}

pub(super) fn to_toml(settings: &Settings, secrets: Secrets) -> String {
    // Every field is named, so that a new one cannot be left out of `jobping config`
    // without the compiler saying so.
    let Settings {
        file,
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
    } = settings;
    let mut root = Table::new();
    root.insert("database_url".into(), secrets.url(database_url.expose()));
    if let Some(redis) = redis_url {
        root.insert("redis_url".into(), secrets.url(redis.expose()));
    }
    root.insert("bind".into(), bind.to_string().into());
    root.insert("base_url".into(), secrets.url(base_url.as_str()));
    insert(
        &mut root,
        "secret",
        secrets.optional(exposed(secret), "[generated and kept in the store]"),
    );
    if !previous_secrets.is_empty() {
        let list = previous_secrets.iter().map(|s| secrets.secret(s.expose()));
        root.insert("secret_previous".into(), Value::Array(list.collect()));
    }
    if let Some(metrics) = metrics_bind {
        root.insert("metrics_bind".into(), metrics.to_string().into());
    }
    root.insert("mail".into(), mail_table(mail, secrets).into());
    let mut admin = Table::new();
    insert(
        &mut admin,
        "key",
        secrets.optional(exposed(admin_key), "[not set: admin API disabled]"),
    );
    root.insert("admin".into(), admin.into());
    root.insert("stripe".into(), stripe_table(stripe, secrets).into());
    root.insert("limits".into(), limits_table(limits).into());
    root.insert("http".into(), http_table(http).into());
    root.insert("queue".into(), queue_table(queue).into());
    root.insert("schedules".into(), schedules_table(schedules).into());
    root.insert("scraping".into(), scraping_table(scraping, secrets).into());
    root.insert("signup".into(), signup_table(signup).into());
    root.insert("delivery".into(), delivery_table(delivery).into());
    root.insert("matching".into(), serialized(matching));
    let mut rerank_table = match serialized(rerank) {
        Value::Table(table) => table,
        _ => Table::new(),
    };
    rerank_table.insert("base_url".into(), secrets.url(rerank.base_url.as_str()));
    insert(
        &mut rerank_table,
        "api_key",
        secrets.optional(rerank.api_key.as_deref(), "[not set]"),
    );
    root.insert("rerank".into(), rerank_table.into());

    let mut text = match file {
        Some(path) => format!(
            "# settings file: {}, overlaid by the environment\n",
            path.display()
        ),
        None => "# no settings file: embedded defaults overlaid by the environment\n".to_owned(),
    };
    text += &toml::to_string(&root).unwrap_or_default();
    for source in sources {
        text += &sources::source_toml(source, secrets);
    }
    text
}

fn mail_table(mail: &MailSettings, secrets: Secrets) -> Table {
    let MailSettings {
        transport,
        from,
        dkim_key,
        dkim_selector,
        resend_api_key,
        resend_base_url,
        resend_webhook_secret,
    } = mail;
    let mut table = Table::new();
    let transport = match transport {
        MailTransport::File(path) => format!("file://{}", path.display()).into(),
        MailTransport::Smtp(url) => secrets.url(url.as_str()),
        MailTransport::Resend => "resend://".into(),
    };
    table.insert("transport".into(), transport);
    table.insert("from".into(), from.as_str().into());
    if let Some(key) = dkim_key {
        table.insert("dkim_key".into(), key.display().to_string().into());
    }
    table.insert("dkim_selector".into(), dkim_selector.as_str().into());
    insert(
        &mut table,
        "resend_api_key",
        secrets.optional(exposed(resend_api_key), "[not set]"),
    );
    table.insert("resend_base_url".into(), secrets.url(resend_base_url.as_str()));
    insert(
        &mut table,
        "resend_webhook_secret",
        secrets.optional(exposed(resend_webhook_secret), "[not set: email events refused]"),
    );
    table
}

fn stripe_table(stripe: &StripeSettings, secrets: Secrets) -> Table {
    let StripeSettings {
        secret_key,
        webhook_secret,
        price_monthly,
        price: PriceDisplay {
            amount_minor,
            currency,
            interval,
        },
        past_due_grace,
        base_url,
    } = stripe;
    let mut table = Table::new();
    insert(
        &mut table,
        "secret_key",
        secrets.optional(exposed(secret_key), "[not set: billing disabled]"),
    );
    insert(
        &mut table,
        "webhook_secret",
        secrets.optional(exposed(webhook_secret), "[not set]"),
    );
    // Not a secret: only its absence is noted the same way.
    let price_monthly = match (price_monthly, secrets) {
        (Some(price), _) => Some(price.as_str().into()),
        (None, Secrets::Redacted) => Some("[not set]".into()),
        (None, Secrets::Shown) => None,
    };
    insert(&mut table, "price_monthly", price_monthly);
    table.insert(
        "price_amount".into(),
        format!("{}.{:02}", amount_minor / 100, amount_minor % 100).into(),
    );
    table.insert("price_currency".into(), currency.as_str().into());
    table.insert("price_interval".into(), interval.as_str().into());
    table.insert(
        "past_due_grace_days".into(),
        int(past_due_grace.as_secs() / 86_400),
    );
    table.insert("base_url".into(), secrets.url(base_url.as_str()));
    table
}

fn limits_table(limits: &LimitSettings) -> Table {
    let LimitSettings {
        api_free,
        api_premium,
        // From `signup.per_ip_per_hour`, printed there.
        form_ip: _,
        form_address,
        webhook,
        admin,
        trusted_proxies,
        ipv6_prefix,
        key_prefix,
    } = limits;
    let mut table = Table::new();
    for (key, quota) in [
        ("api_free", api_free),
        ("api_premium", api_premium),
        ("form_address", form_address),
        ("webhook", webhook),
        ("admin", admin),
    ] {
        table.insert(key.into(), quota.describe().into());
    }
    let proxies = trusted_proxies.iter().map(|cidr| cidr.to_string().into());
    table.insert("trusted_proxies".into(), Value::Array(proxies.collect()));
    table.insert("ipv6_prefix".into(), int(u64::from(*ipv6_prefix)));
    table.insert("key_prefix".into(), key_prefix.as_str().into());
    table
}

fn http_table(http: &HttpSettings) -> Table {
    let HttpSettings {
        body_limit_bytes,
        request_timeout,
    } = http;
    let mut table = Table::new();
    table.insert("body_limit_bytes".into(), int(*body_limit_bytes as u64));
    table.insert("request_timeout_seconds".into(), int(request_timeout.as_secs()));
    table
}

fn queue_table(queue: &QueueSettings) -> Table {
    let QueueSettings {
        concurrency,
        max_attempts,
        lease,
        poll_interval,
        backoff_base,
        backoff_max,
        keep_done,
        keep_dead,
    } = queue;
    let mut table = Table::new();
    table.insert("concurrency".into(), int(*concurrency as u64));
    table.insert("max_attempts".into(), int(u64::from(*max_attempts)));
    table.insert("lease_seconds".into(), int(lease.as_secs()));
    table.insert("poll_interval_ms".into(), int(poll_interval.as_millis() as u64));
    table.insert("backoff_base_seconds".into(), int(backoff_base.as_secs()));
    table.insert("backoff_max_seconds".into(), int(backoff_max.as_secs()));
    table.insert("keep_done_hours".into(), int(keep_done.as_secs() / 3_600));
    table.insert("keep_dead_days".into(), int(keep_dead.as_secs() / 86_400));
    table
}

fn schedules_table(schedules: &[ScheduleSetting]) -> Table {
    schedules
        .iter()
        .map(
            |ScheduleSetting {
                 name,
                 expression,
                 schedule: _,
             }| (name.clone(), expression.as_str().into()),
        )
        .collect()
}

fn scraping_table(scraping: &ScrapingSettings, secrets: Secrets) -> Table {
    let ScrapingSettings {
        contact_url,
        min_host_delay,
        max_response_bytes,
        request_timeout,
        inactive_after,
    } = scraping;
    let mut table = Table::new();
    table.insert("contact_url".into(), secrets.url(contact_url.as_str()));
    table.insert("min_host_delay_ms".into(), int(min_host_delay.as_millis() as u64));
    table.insert("max_response_bytes".into(), int(*max_response_bytes));
    table.insert("request_timeout_seconds".into(), int(request_timeout.as_secs()));
    table.insert(
        "inactive_after_days".into(),
        int(inactive_after.as_secs() / 86_400),
    );
    table
}

fn signup_table(signup: &SignupSettings) -> Table {
    let SignupSettings {
        link_interval,
        per_ip_per_hour,
        purge_unverified_after,
    } = signup;
    let mut table = Table::new();
    table.insert("link_interval_minutes".into(), int(link_interval.as_secs() / 60));
    table.insert("per_ip_per_hour".into(), int(u64::from(*per_ip_per_hour)));
    table.insert(
        "purge_unverified_days".into(),
        int(purge_unverified_after.as_secs() / 86_400),
    );
    table
}

fn delivery_table(delivery: &DeliverySettings) -> Table {
    let DeliverySettings {
        free: Cadence {
            days: free_days,
            hour,
        },
        // One `delivery.hour` sets both tiers' hour.
        premium: Cadence {
            days: premium_days,
            hour: _,
        },
        free_jobs,
        premium_jobs,
        grace,
        empty_before_note,
        paused,
        paused_tiers,
    } = delivery;
    let days = |days: &[chrono::Weekday]| {
        Value::Array(days.iter().map(|d| d.to_string().to_lowercase().into()).collect())
    };
    let mut table = Table::new();
    table.insert("free_days".into(), days(free_days));
    table.insert("premium_days".into(), days(premium_days));
    table.insert("hour".into(), int(u64::from(*hour)));
    table.insert("free_jobs".into(), int(*free_jobs as u64));
    table.insert("premium_jobs".into(), int(*premium_jobs as u64));
    table.insert("grace_hours".into(), int(grace.as_secs() / 3_600));
    table.insert("empty_before_note".into(), int(u64::from(*empty_before_note)));
    table.insert("paused".into(), (*paused).into());
    let tiers = paused_tiers.iter().map(|t| t.as_str().into());
    table.insert("paused_tiers".into(), Value::Array(tiers.collect()));
    table
}

fn insert(table: &mut Table, key: &str, value: Option<Value>) {
    if let Some(value) = value {
        table.insert(key.into(), value);
    }
}

fn exposed(secret: &Option<Secret>) -> Option<&str> {
    secret.as_ref().map(Secret::expose)
}

/// A section whose type derives `Serialize`, so it is printed whole by construction.
fn serialized(value: &impl serde::Serialize) -> Value {
    Value::try_from(value).unwrap_or_else(|err| format!("[cannot be printed: {err}]").into())
}

fn int(n: u64) -> Value {
    Value::Integer(i64::try_from(n).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests;
