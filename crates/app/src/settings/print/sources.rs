//! `[[sources]]` for `jobping config`.

use jobping_sources::adapters::RequestSettings;
use toml::{Table, Value};

use super::{Secrets, int, redact};
use crate::settings::SourceSetting;

/// One `[[sources]]` entry, after a comment saying why it does not run, if it does not.
pub(super) fn source_toml(source: &SourceSetting, secrets: Secrets) -> String {
    let SourceSetting {
        kind,
        boards,
        base_url,
        // `switched_on` is what a settings file can say.
        enabled: _,
        disabled_reason,
        schedule_expression,
        schedule: _,
        request:
            RequestSettings {
                eu,
                keywords,
                location,
                page_size,
                app_id,
                api_key,
                query,
            },
        max_pages,
    } = source;
    let mut table = Table::new();
    table.insert("kind".into(), kind.as_str().into());
    if !boards.is_empty() {
        let boards = boards.iter().map(|b| b.as_str().into());
        table.insert("boards".into(), Value::Array(boards.collect()));
    }
    if let Some(base) = base_url {
        table.insert("base_url".into(), secrets.url(base.as_str()));
    }
    // What the settings say; the comment above says when it still does not run.
    table.insert("enabled".into(), source.switched_on().into());
    table.insert("schedule".into(), schedule_expression.as_str().into());
    if *eu {
        table.insert("eu".into(), true.into());
    }
    if let Some(keywords) = keywords {
        table.insert("keywords".into(), keywords.as_str().into());
    }
    if let Some(location) = location {
        table.insert("location".into(), location.as_str().into());
    }
    if let Some(size) = page_size {
        table.insert("page_size".into(), int(u64::from(*size)));
    }
    table.insert("max_pages".into(), int(u64::from(*max_pages)));
    if let Some(id) = app_id {
        table.insert("app_id".into(), secrets.secret(id));
    }
    if let Some(key) = api_key {
        table.insert("api_key".into(), secrets.secret(key));
    }
    if !query.is_empty() {
        // Added to every request's URL: a credential among them is one in a URL.
        let pairs = query.iter().map(|(k, v)| {
            let value = if redact::is_credential(k) {
                secrets.secret(v)
            } else {
                v.as_str().into()
            };
            (k.clone(), value)
        });
        table.insert("query".into(), Value::Table(pairs.collect()));
    }
    let mut wrapper = Table::new();
    wrapper.insert("sources".into(), Value::Array(vec![table.into()]));
    let comment = match disabled_reason {
        Some(reason) => format!("\n# {kind} does not run: {}", reason.replace('\n', " ")),
        None => String::new(),
    };
    format!("{comment}\n{}", toml::to_string(&wrapper).unwrap_or_default())
}
