//! The effective settings as TOML, for `jobping config`: every secret redacted, and so
//! is every password inside a URL.

use toml::{Table, Value};
use url::Url;

use super::{MailTransport, Secret, Settings};

const REDACTED: &str = "[redacted]";

pub(super) fn redacted_toml(settings: &Settings) -> String {
    let mut root = Table::new();
    root.insert(
        "database_url".into(),
        url_without_password(settings.database_url.expose()).into(),
    );
    if let Some(redis) = &settings.redis_url {
        root.insert("redis_url".into(), url_without_password(redis.expose()).into());
    }
    root.insert("bind".into(), settings.bind.to_string().into());
    root.insert("base_url".into(), settings.base_url.as_str().into());
    root.insert(
        "secret".into(),
        secret_or(&settings.secret, "[generated and kept in the store]").into(),
    );
    if !settings.previous_secrets.is_empty() {
        root.insert(
            "secret_previous".into(),
            Value::Array(
                settings
                    .previous_secrets
                    .iter()
                    .map(|_| REDACTED.into())
                    .collect(),
            ),
        );
    }
    if let Some(metrics) = settings.metrics_bind {
        root.insert("metrics_bind".into(), metrics.to_string().into());
    }

    let mail = &settings.mail;
    let mut mail_table = Table::new();
    let transport = match &mail.transport {
        MailTransport::File(path) => format!("file://{}", path.display()),
        MailTransport::Smtp(url) => url_without_password(url.as_str()),
        MailTransport::Resend => "resend://".to_owned(),
    };
    mail_table.insert("transport".into(), transport.into());
    mail_table.insert("from".into(), mail.from.clone().into());
    if let Some(key) = &mail.dkim_key {
        mail_table.insert("dkim_key".into(), key.display().to_string().into());
    }
    mail_table.insert("dkim_selector".into(), mail.dkim_selector.clone().into());
    mail_table.insert(
        "resend_api_key".into(),
        secret_or(&mail.resend_api_key, "[not set]").into(),
    );
    mail_table.insert("resend_base_url".into(), mail.resend_base_url.as_str().into());
    mail_table.insert(
        "resend_webhook_secret".into(),
        secret_or(&mail.resend_webhook_secret, "[not set: email events refused]").into(),
    );
    root.insert("mail".into(), mail_table.into());

    let mut admin = Table::new();
    admin.insert(
        "key".into(),
        secret_or(&settings.admin_key, "[not set: admin API disabled]").into(),
    );
    root.insert("admin".into(), admin.into());

    let stripe = &settings.stripe;
    let mut stripe_table = Table::new();
    stripe_table.insert(
        "secret_key".into(),
        secret_or(&stripe.secret_key, "[not set: billing disabled]").into(),
    );
    stripe_table.insert(
        "webhook_secret".into(),
        secret_or(&stripe.webhook_secret, "[not set]").into(),
    );
    stripe_table.insert(
        "price_monthly".into(),
        stripe
            .price_monthly
            .clone()
            .unwrap_or_else(|| "[not set]".into())
            .into(),
    );
    stripe_table.insert(
        "price_amount".into(),
        format!(
            "{}.{:02}",
            stripe.price.amount_minor / 100,
            stripe.price.amount_minor % 100
        )
        .into(),
    );
    stripe_table.insert("price_currency".into(), stripe.price.currency.clone().into());
    stripe_table.insert("price_interval".into(), stripe.price.interval.clone().into());
    stripe_table.insert(
        "past_due_grace_days".into(),
        int(stripe.past_due_grace.as_secs() / 86_400),
    );
    stripe_table.insert("base_url".into(), stripe.base_url.as_str().into());
    root.insert("stripe".into(), stripe_table.into());

    let limits = &settings.limits;
    let mut limits_table = Table::new();
    for (key, quota) in [
        ("api_free", limits.api_free),
        ("api_premium", limits.api_premium),
        ("form_address", limits.form_address),
        ("webhook", limits.webhook),
        ("admin", limits.admin),
    ] {
        limits_table.insert(key.into(), quota.describe().into());
    }
    limits_table.insert(
        "trusted_proxies".into(),
        toml::Value::Array(
            limits
                .trusted_proxies
                .iter()
                .map(|cidr| cidr.to_string().into())
                .collect(),
        ),
    );
    limits_table.insert("key_prefix".into(), limits.key_prefix.clone().into());
    root.insert("limits".into(), limits_table.into());

    let mut http = Table::new();
    http.insert(
        "body_limit_bytes".into(),
        int(settings.http.body_limit_bytes as u64),
    );
    http.insert(
        "request_timeout_seconds".into(),
        int(settings.http.request_timeout.as_secs()),
    );
    root.insert("http".into(), http.into());

    let q = &settings.queue;
    let mut queue = Table::new();
    queue.insert("concurrency".into(), int(q.concurrency as u64));
    queue.insert("max_attempts".into(), int(u64::from(q.max_attempts)));
    queue.insert("lease_seconds".into(), int(q.lease.as_secs()));
    queue.insert("poll_interval_ms".into(), int(q.poll_interval.as_millis() as u64));
    queue.insert("backoff_base_seconds".into(), int(q.backoff_base.as_secs()));
    queue.insert("backoff_max_seconds".into(), int(q.backoff_max.as_secs()));
    queue.insert("keep_done_hours".into(), int(q.keep_done.as_secs() / 3_600));
    queue.insert("keep_dead_days".into(), int(q.keep_dead.as_secs() / 86_400));
    root.insert("queue".into(), queue.into());

    let mut schedules = Table::new();
    for schedule in &settings.schedules {
        schedules.insert(schedule.name.clone(), schedule.expression.clone().into());
    }
    root.insert("schedules".into(), schedules.into());

    let mut scraping = Table::new();
    let sc = &settings.scraping;
    scraping.insert("contact_url".into(), sc.contact_url.as_str().into());
    scraping.insert(
        "min_host_delay_ms".into(),
        int(sc.min_host_delay.as_millis() as u64),
    );
    scraping.insert("max_response_bytes".into(), int(sc.max_response_bytes));
    scraping.insert(
        "request_timeout_seconds".into(),
        int(sc.request_timeout.as_secs()),
    );
    scraping.insert(
        "inactive_after_days".into(),
        int(sc.inactive_after.as_secs() / 86_400),
    );
    root.insert("scraping".into(), scraping.into());

    let su = &settings.signup;
    let mut signup = Table::new();
    signup.insert(
        "link_interval_minutes".into(),
        int(su.link_interval.as_secs() / 60),
    );
    signup.insert("per_ip_per_hour".into(), int(u64::from(su.per_ip_per_hour)));
    signup.insert(
        "purge_unverified_days".into(),
        int(su.purge_unverified_after.as_secs() / 86_400),
    );
    root.insert("signup".into(), signup.into());

    let de = &settings.delivery;
    let mut delivery = Table::new();
    let days = |days: &[chrono::Weekday]| {
        Value::Array(days.iter().map(|d| d.to_string().to_lowercase().into()).collect())
    };
    delivery.insert("free_days".into(), days(&de.free.days));
    delivery.insert("premium_days".into(), days(&de.premium.days));
    delivery.insert("hour".into(), int(u64::from(de.free.hour)));
    delivery.insert("free_jobs".into(), int(de.free_jobs as u64));
    delivery.insert("premium_jobs".into(), int(de.premium_jobs as u64));
    delivery.insert("grace_hours".into(), int(de.grace.as_secs() / 3_600));
    delivery.insert("empty_before_note".into(), int(u64::from(de.empty_before_note)));
    delivery.insert("paused".into(), de.paused.into());
    delivery.insert(
        "paused_tiers".into(),
        Value::Array(de.paused_tiers.iter().map(|t| t.as_str().into()).collect()),
    );
    root.insert("delivery".into(), delivery.into());

    let rr = &settings.rerank;
    let mut rerank = Table::new();
    rerank.insert("enabled".into(), rr.enabled.into());
    rerank.insert("mode".into(), rr.mode.as_str().into());
    rerank.insert(
        "base_url".into(),
        url_without_password(rr.base_url.as_str()).into(),
    );
    rerank.insert("model".into(), rr.model.as_str().into());
    rerank.insert(
        "api_key".into(),
        if rr.api_key.is_some() {
            REDACTED
        } else {
            "[not set]"
        }
        .into(),
    );
    rerank.insert("timeout_ms".into(), int(rr.timeout_ms));
    root.insert("rerank".into(), rerank.into());

    let sources: Vec<Value> = settings
        .sources
        .iter()
        .map(|source| {
            let mut table = Table::new();
            table.insert("kind".into(), source.kind.as_str().into());
            if !source.boards.is_empty() {
                table.insert(
                    "boards".into(),
                    Value::Array(source.boards.iter().map(|b| b.as_str().into()).collect()),
                );
            }
            if let Some(base) = &source.base_url {
                table.insert("base_url".into(), base.as_str().into());
            }
            table.insert("enabled".into(), source.enabled.into());
            if let Some(reason) = &source.disabled_reason {
                table.insert("disabled_because".into(), reason.as_str().into());
            }
            table.insert("schedule".into(), source.schedule_expression.as_str().into());
            if source.request.app_id.is_some() || source.request.api_key.is_some() {
                table.insert("api_key".into(), REDACTED.into());
            }
            Value::Table(table)
        })
        .collect();
    root.insert("sources".into(), Value::Array(sources));

    let source = match &settings.file {
        Some(path) => format!(
            "# settings file: {}, overlaid by the environment\n",
            path.display()
        ),
        None => "# no settings file: embedded defaults overlaid by the environment\n".to_owned(),
    };
    source + &toml::to_string(&root).unwrap_or_default()
}

fn secret_or(secret: &Option<Secret>, unset: &str) -> String {
    match secret {
        Some(_) => REDACTED.to_owned(),
        None => unset.to_owned(),
    }
}

fn int(n: u64) -> Value {
    Value::Integer(i64::try_from(n).unwrap_or(i64::MAX))
}

/// A URL with its password (if any) replaced; a string that is not a URL is kept only
/// up to its scheme, in case it hides a credential.
fn url_without_password(raw: &str) -> String {
    match Url::parse(raw) {
        Ok(mut url) => {
            if url.password().is_some() {
                let _ = url.set_password(Some(REDACTED));
            }
            url.to_string()
        }
        Err(_) if raw.starts_with("sqlite:") => raw.to_owned(),
        Err(_) => format!("{}://{REDACTED}", raw.split("://").next().unwrap_or("")),
    }
}
