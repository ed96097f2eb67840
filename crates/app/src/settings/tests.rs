use std::collections::HashMap;
use std::io::Write;

use super::*;

fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    move |name| map.get(name).cloned()
}

fn load(vars: &[(&str, &str)]) -> Result<Settings, SettingsError> {
    Settings::load(None, &env(vars))
}

fn load_file(toml: &str, vars: &[(&str, &str)]) -> Result<Settings, SettingsError> {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(toml.as_bytes()).unwrap();
    Settings::load(Some(file.path()), &env(vars))
}

fn problem_for(result: Result<Settings, SettingsError>) -> (String, String) {
    match result.unwrap_err() {
        SettingsError::Invalid { setting, problem } => (setting, problem),
        other => panic!("expected an invalid setting, got {other}"),
    }
}

#[test]
fn with_nothing_set_the_embedded_defaults_apply() {
    let settings = load(&[]).unwrap();
    assert_eq!(settings.database_url.expose(), "sqlite://jobping.db");
    assert_eq!(settings.bind.to_string(), "127.0.0.1:8080");
    assert_eq!(settings.base_url.as_str(), "http://127.0.0.1:8080/");
    assert_eq!(settings.mail.transport, MailTransport::File("outbox".into()));
    assert_eq!(settings.mail.from, "JobPing <jobs@localhost>");
    assert!(settings.redis_url.is_none() && settings.secret.is_none() && settings.admin_key.is_none());
    assert!(!settings.billing_enabled());
    assert_eq!(settings.schedules[0].name, "housekeeping");
    assert!(settings.schedules[0].schedule.is_some());
}

#[test]
fn the_environment_overrides_the_file() {
    let settings = load_file(
        "bind = \"127.0.0.1:9000\"\nbase_url = \"https://jobping.example/\"\n[queue]\nconcurrency = 8\n",
        &[("JOBPING_BIND", "0.0.0.0:7000")],
    )
    .unwrap();
    assert_eq!(settings.bind.to_string(), "0.0.0.0:7000");
    assert_eq!(settings.base_url.as_str(), "https://jobping.example/");
    assert_eq!(settings.queue.concurrency, 8);
}

#[test]
fn a_nonsense_bind_address_names_the_variable() {
    let (setting, problem) = problem_for(load(&[("JOBPING_BIND", "nonsense")]));
    assert_eq!(setting, "JOBPING_BIND");
    assert!(
        problem.contains("`nonsense` is not an IP address and port"),
        "{problem}"
    );
}

#[test]
fn a_bad_value_in_the_file_names_the_key_and_the_file() {
    let (setting, problem) = problem_for(load_file("bind = \"localhost\"\n", &[]));
    assert!(setting.starts_with("`bind` in "), "{setting}");
    assert!(problem.contains("localhost"), "{problem}");
}

#[test]
fn an_unknown_database_scheme_is_rejected() {
    let (setting, problem) = problem_for(load(&[("DATABASE_URL", "mysql://root@localhost/jobs")]));
    assert_eq!(setting, "DATABASE_URL");
    assert!(problem.contains("unknown database scheme `mysql`"), "{problem}");
    let (_, problem) = problem_for(load(&[("DATABASE_URL", "jobping.db")]));
    assert!(problem.contains("not a URL"), "{problem}");
}

#[test]
fn an_unknown_mail_transport_and_a_resend_without_key_are_rejected() {
    let (setting, problem) = problem_for(load(&[("JOBPING_MAIL", "carrier-pigeon://coop")]));
    assert_eq!(setting, "JOBPING_MAIL");
    assert!(
        problem.contains("unknown mail transport `carrier-pigeon`"),
        "{problem}"
    );
    let (_, problem) = problem_for(load(&[("JOBPING_MAIL", "resend://")]));
    assert!(problem.contains("RESEND_API_KEY"), "{problem}");
    let ok = load(&[("JOBPING_MAIL", "resend://"), ("RESEND_API_KEY", "re_123")]).unwrap();
    assert_eq!(ok.mail.transport, MailTransport::Resend);
    let smtp = load(&[("JOBPING_MAIL", "smtps://user:pw@smtp.example.com:465")]).unwrap();
    assert!(matches!(smtp.mail.transport, MailTransport::Smtp(_)));
}

#[test]
fn malformed_toml_and_unknown_keys_are_rejected_with_the_key_named() {
    match load_file("bind = \n", &[]).unwrap_err() {
        SettingsError::File { reason, .. } => assert!(reason.contains("line 1"), "{reason}"),
        other => panic!("{other}"),
    }
    match load_file("bnid = \"127.0.0.1:1\"\n", &[]).unwrap_err() {
        SettingsError::File { reason, .. } => assert!(reason.contains("unknown field `bnid`"), "{reason}"),
        other => panic!("{other}"),
    }
    match load_file("[queue]\nconcurrency = \"many\"\n", &[]).unwrap_err() {
        SettingsError::File { reason, .. } => assert!(reason.contains("concurrency"), "{reason}"),
        other => panic!("{other}"),
    }
}

#[test]
fn a_missing_named_file_is_an_error() {
    let err = Settings::load(Some(std::path::Path::new("/nonexistent/jobping.toml")), &env(&[])).unwrap_err();
    assert!(matches!(err, SettingsError::Read { .. }), "{err}");
}

#[test]
fn numbers_out_of_range_are_rejected() {
    let (setting, problem) = problem_for(load(&[("JOBPING_QUEUE_CONCURRENCY", "0")]));
    assert_eq!(setting, "JOBPING_QUEUE_CONCURRENCY");
    assert!(problem.contains("out of range"), "{problem}");
    let (_, problem) = problem_for(load(&[("JOBPING_QUEUE_MAX_ATTEMPTS", "three")]));
    assert!(problem.contains("not a whole number"), "{problem}");
}

#[test]
fn short_secrets_are_rejected_without_echoing_them() {
    let (setting, problem) = problem_for(load(&[("JOBPING_SECRET", "hunter2")]));
    assert_eq!(setting, "JOBPING_SECRET");
    assert!(!problem.contains("hunter2"), "{problem}");
}

#[test]
fn stripe_settings_come_all_together_or_not_at_all() {
    let (_, problem) = problem_for(load(&[("STRIPE_SECRET_KEY", "sk_test_123")]));
    assert!(
        problem.contains("STRIPE_WEBHOOK_SECRET") && problem.contains("STRIPE_PRICE_MONTHLY"),
        "{problem}"
    );
    let on = load(&[
        ("STRIPE_SECRET_KEY", "sk_test_123"),
        ("STRIPE_WEBHOOK_SECRET", "whsec_123"),
        ("STRIPE_PRICE_MONTHLY", "price_123"),
    ])
    .unwrap();
    assert!(on.billing_enabled());
}

#[test]
fn schedules_can_be_changed_disabled_or_misspelt() {
    let off = load_file("[schedules]\nhousekeeping = \"\"\n", &[]).unwrap();
    assert!(off.schedules[0].schedule.is_none());
    let hourly = load(&[("JOBPING_SCHEDULE_HOUSEKEEPING", "0 0 * * * *")]).unwrap();
    assert_eq!(hourly.schedules[0].expression, "0 0 * * * *");
    let (setting, problem) = problem_for(load(&[("JOBPING_SCHEDULE_HOUSEKEEPING", "every day")]));
    assert_eq!(setting, "JOBPING_SCHEDULE_HOUSEKEEPING");
    assert!(problem.contains("not a cron expression"), "{problem}");
    let (setting, problem) = problem_for(load_file("[schedules]\nhousekeepin = \"0 0 * * * *\"\n", &[]));
    assert!(setting.contains("schedules.housekeepin"), "{setting}");
    assert!(problem.contains("housekeeping"), "{problem}");
}

#[test]
fn the_printed_settings_redact_every_secret_and_url_password() {
    let settings = load(&[
        ("DATABASE_URL", "postgres://app:pg-password@db.internal/jobping"),
        ("REDIS_URL", "redis://:redis-password@cache.internal:6379"),
        ("JOBPING_SECRET", "0123456789abcdef0123456789abcdef-secret"),
        ("JOBPING_ADMIN_KEY", "admin-key-admin-key-admin-key"),
        (
            "JOBPING_MAIL",
            "smtps://mailer:smtp-password@smtp.example.com:465",
        ),
        ("RESEND_API_KEY", "re_resend_key"),
        ("STRIPE_SECRET_KEY", "sk_live_stripe"),
        ("STRIPE_WEBHOOK_SECRET", "whsec_stripe"),
        ("STRIPE_PRICE_MONTHLY", "price_123"),
    ])
    .unwrap();
    let printed = settings.redacted_toml();
    for secret in [
        "pg-password",
        "redis-password",
        "-secret",
        "admin-key",
        "smtp-password",
        "re_resend",
        "sk_live",
        "whsec_",
    ] {
        assert!(!printed.contains(secret), "{secret} leaked:\n{printed}");
    }
    assert!(printed.contains("db.internal"), "{printed}");
    assert!(printed.contains("price_123"), "{printed}");
    let debug = format!("{settings:?}");
    for secret in ["pg-password", "redis-password", "smtp-password", "sk_live"] {
        assert!(!debug.contains(secret), "{secret} leaked in Debug");
    }
}

#[test]
fn without_sources_the_shipped_list_applies_and_keyed_sources_wait_for_their_keys() {
    let settings = load(&[]).unwrap();
    let kinds: Vec<&str> = settings.sources.iter().map(|s| s.kind.as_str()).collect();
    assert!(
        kinds.contains(&"greenhouse") && kinds.contains(&"remoteok"),
        "{kinds:?}"
    );
    let adzuna = settings
        .sources
        .iter()
        .find(|s| s.kind.as_str() == "adzuna")
        .unwrap();
    assert!(!adzuna.enabled);
    assert!(
        adzuna
            .disabled_reason
            .as_deref()
            .unwrap()
            .contains("ADZUNA_APP_KEY")
    );
    let remotive = settings
        .sources
        .iter()
        .find(|s| s.kind.as_str() == "remotive")
        .unwrap();
    assert!(!remotive.enabled && remotive.disabled_reason.as_deref().unwrap().contains("terms"));
    let keyed = load(&[("ADZUNA_APP_ID", "id"), ("ADZUNA_APP_KEY", "adzuna-secret")]).unwrap();
    let adzuna = keyed
        .sources
        .iter()
        .find(|s| s.kind.as_str() == "adzuna")
        .unwrap();
    assert!(adzuna.enabled);
    assert!(!keyed.redacted_toml().contains("adzuna-secret"));
}

#[test]
fn sources_in_the_file_replace_the_shipped_list_and_bad_entries_are_named() {
    let settings = load_file(
        "[[sources]]\nkind = \"greenhouse\"\nboards = [\"acme\"]\nbase_url = \"http://127.0.0.1:9000\"\n",
        &[],
    )
    .unwrap();
    assert_eq!(settings.sources.len(), 1);
    assert_eq!(
        settings.sources[0].base_url.as_ref().unwrap().as_str(),
        "http://127.0.0.1:9000/"
    );
    let (setting, problem) = problem_for(load_file("[[sources]]\nkind = \"monster\"\n", &[]));
    assert!(setting.contains("sources[0].kind"), "{setting}");
    assert!(problem.contains("unknown source kind `monster`"), "{problem}");
    let (setting, problem) = problem_for(load_file(
        "[[sources]]\nkind = \"remoteok\"\nboards = [\"x\"]\n",
        &[],
    ));
    assert!(
        setting.contains("sources[0].boards") && problem.contains("takes no boards"),
        "{setting}: {problem}"
    );
    let (_, problem) = problem_for(load_file("[[sources]]\nkind = \"lever\"\n", &[]));
    assert!(problem.contains("needs at least one board"), "{problem}");
}

#[test]
fn rerank_is_off_by_default_and_an_enabled_one_needs_a_model() {
    assert!(!load(&[]).unwrap().rerank.enabled);
    let (setting, problem) = problem_for(load_file("[rerank]\nenabled = true\n", &[]));
    assert_eq!(setting, "[rerank]");
    assert!(problem.contains("model"), "{problem}");
    let on = load_file(
        "[rerank]\nenabled = true\nmodel = \"small-embedder\"\nbase_url = \"http://127.0.0.1:9999/v1\"\n",
        &[("JOBPING_RERANK_API_KEY", "sk-rerank-secret")],
    )
    .unwrap();
    assert_eq!(on.rerank.api_key.as_deref(), Some("sk-rerank-secret"));
    assert!(!on.redacted_toml().contains("sk-rerank-secret"));
    match load_file("[rerank]\nenabeld = true\n", &[]).unwrap_err() {
        SettingsError::File { reason, .. } => assert!(reason.contains("enabeld"), "{reason}"),
        other => panic!("{other}"),
    }
}

#[test]
fn previous_secrets_are_read_from_the_environment_and_a_short_one_is_named() {
    let long_a = "a".repeat(40);
    let long_b = "b".repeat(40);
    let list = format!("{long_a}, {long_b}");
    let settings = load(&[("JOBPING_SECRET_PREVIOUS", &list)]).unwrap();
    assert_eq!(settings.previous_secrets.len(), 2);
    assert_eq!(settings.previous_secrets[1].expose(), long_b);
    let printed = settings.redacted_toml();
    assert!(!printed.contains(&long_a), "previous secrets are redacted");

    let (setting, problem) = problem_for(load(&[("JOBPING_SECRET_PREVIOUS", "short")]));
    assert_eq!(setting, "JOBPING_SECRET_PREVIOUS");
    assert!(problem.contains("at least 32"), "{problem}");
}

#[test]
fn signup_limits_have_defaults_and_bad_values_are_named() {
    let settings = load(&[]).unwrap();
    assert_eq!(settings.signup.per_ip_per_hour, 20);
    assert_eq!(settings.signup.link_interval.as_secs(), 600);
    assert_eq!(settings.signup.purge_unverified_after.as_secs(), 7 * 86_400);

    let file = load_file("[signup]\nper_ip_per_hour = 0\n", &[]);
    let (setting, problem) = problem_for(file);
    assert!(setting.contains("signup.per_ip_per_hour"), "{setting}");
    assert!(problem.contains("out of range"), "{problem}");

    let (setting, _) = problem_for(load(&[("JOBPING_PURGE_UNVERIFIED_DAYS", "soon")]));
    assert_eq!(setting, "JOBPING_PURGE_UNVERIFIED_DAYS");
}

#[test]
fn the_premium_price_is_shown_to_the_cent_and_bad_prices_are_named() {
    let settings = load_file(
        "[stripe]\nprice_amount = \"12.5\"\nprice_currency = \"gbp\"\nprice_interval = \"year\"\npast_due_grace_days = 5\n",
        &[],
    )
    .unwrap();
    assert_eq!(settings.stripe.price.amount_minor, 1250);
    assert_eq!(settings.stripe.price.label(), "£12.50 / year");
    assert_eq!(
        settings.stripe.past_due_grace,
        std::time::Duration::from_secs(5 * 86_400)
    );
    let defaults = load(&[]).unwrap();
    assert_eq!(defaults.stripe.price.label(), "€4.99 / month");
    let sek = load(&[("STRIPE_PRICE_AMOUNT", "49"), ("STRIPE_PRICE_CURRENCY", "SEK")]).unwrap();
    assert_eq!(sek.stripe.price.label(), "49.00 SEK / month");
    for bad in ["4.999", "-1", "4,99", "1e3", ".5"] {
        let (setting, problem) = problem_for(load(&[("STRIPE_PRICE_AMOUNT", bad)]));
        assert_eq!(setting, "STRIPE_PRICE_AMOUNT");
        assert!(problem.contains("4.99"), "{bad}: {problem}");
    }
    let (setting, _) = problem_for(load(&[("STRIPE_PRICE_CURRENCY", "euro")]));
    assert_eq!(setting, "STRIPE_PRICE_CURRENCY");
    let (setting, problem) = problem_for(load(&[("STRIPE_PRICE_INTERVAL", "fortnight")]));
    assert_eq!(setting, "STRIPE_PRICE_INTERVAL");
    assert!(problem.contains("month"), "{problem}");
}

#[test]
fn rate_limits_read_as_count_over_period_and_bad_ones_are_named() {
    let defaults = load(&[]).unwrap();
    assert_eq!(defaults.limits.api_free.describe(), "10/15m");
    assert_eq!(defaults.limits.api_premium.describe(), "50/15m");
    assert!(defaults.limits.trusted_proxies.is_empty());
    assert_eq!(defaults.limits.webhook.describe(), "60/1m");
    assert_eq!(defaults.limits.ipv6_prefix, 64);
    let set = load_file(
        "[limits]\napi_free = \"20/1h\"\ntrusted_proxies = [\"10.0.0.0/8\", \"::1\"]\nipv6_prefix = 56\n",
        &[("JOBPING_LIMIT_WEBHOOK", "30/30s")],
    )
    .unwrap();
    assert_eq!(set.limits.api_free.describe(), "20/1h");
    assert_eq!(set.limits.webhook.describe(), "30/30s");
    assert_eq!(set.limits.trusted_proxies.len(), 2);
    assert_eq!(set.limits.ipv6_prefix, 56);
    for bad in ["0", "129", "/64"] {
        let (setting, problem) = problem_for(load(&[("JOBPING_LIMIT_IPV6_PREFIX", bad)]));
        assert_eq!(setting, "JOBPING_LIMIT_IPV6_PREFIX", "{bad}");
        assert!(problem.contains(bad), "{bad}: {problem}");
    }
    for bad in ["ten per minute", "0/1m", "5/1w", "5/", "5/0m"] {
        let (setting, problem) = problem_for(load(&[("JOBPING_LIMIT_ADMIN", bad)]));
        assert_eq!(setting, "JOBPING_LIMIT_ADMIN", "{bad}");
        assert!(problem.contains(bad), "{bad}: {problem}");
    }
    let (setting, problem) = problem_for(load(&[("JOBPING_TRUSTED_PROXIES", "10.0.0.0/8, proxy.internal")]));
    assert_eq!(setting, "JOBPING_TRUSTED_PROXIES");
    assert!(problem.contains("proxy.internal"), "{problem}");
}
