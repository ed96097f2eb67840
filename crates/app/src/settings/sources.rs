//! `[[sources]]` and `[scraping]`: which boards JobPing reads, and how politely.

use std::str::FromStr;
use std::time::Duration;

use jobping_sources::adapters::{Boards, KeyKind, RequestSettings, SourceKind};
use url::Url;

use super::file::{FileScraping, FileSource};
use super::{Lookup, SettingsError};

/// The list used when the settings name no sources.
const DEFAULT_SOURCES: &str = include_str!("../../data/default_sources.toml");

/// Scrape at 06:00, 13:00 and 18:00 UTC unless a source says otherwise.
pub const DEFAULT_SCRAPE_SCHEDULE: &str = "0 0 6,13,18 * * *";

/// One configured source: a kind and the boards to read from it.
#[derive(Debug, Clone)]
pub struct SourceSetting {
    pub kind: SourceKind,
    pub boards: Vec<String>,
    pub base_url: Option<Url>,
    pub enabled: bool,
    /// Why the source does not run, when it does not.
    pub disabled_reason: Option<String>,
    pub schedule_expression: String,
    pub schedule: Option<cron::Schedule>,
    pub request: RequestSettings,
    pub max_pages: u32,
}

impl SourceSetting {
    /// Whether the settings switch the source on. It may still not run, waiting for
    /// its keys.
    pub fn switched_on(&self) -> bool {
        let request = &self.request;
        let waiting = missing_keys(
            self.kind.info().keys,
            request.app_id.as_deref(),
            request.api_key.as_deref(),
        );
        self.enabled || (waiting.is_some() && self.disabled_reason.as_deref() == waiting)
    }

    /// The boards to fetch, one per task; aggregators have one unnamed board.
    pub fn board_list(&self) -> Vec<String> {
        if self.boards.is_empty() {
            vec![String::new()]
        } else {
            self.boards.clone()
        }
    }
}

/// How JobPing fetches.
#[derive(Debug, Clone)]
pub struct ScrapingSettings {
    /// The page about JobPing's crawler that its User-Agent points to.
    pub contact_url: Url,
    pub min_host_delay: Duration,
    pub max_response_bytes: u64,
    pub request_timeout: Duration,
    /// A job not seen for this long becomes inactive.
    pub inactive_after: Duration,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct DefaultList {
    sources: Vec<FileSource>,
}

pub(super) fn scraping(
    lookup: &Lookup<'_>,
    file: FileScraping,
    base_url: &Url,
) -> Result<ScrapingSettings, SettingsError> {
    let contact_url = match lookup.get("JOBPING_CONTACT_URL", "scraping.contact_url", file.contact_url) {
        Some(raw) => super::parse::http_url(&raw)?,
        None => base_url.clone(),
    };
    Ok(ScrapingSettings {
        contact_url,
        min_host_delay: Duration::from_millis(lookup.number(
            "JOBPING_SCRAPE_MIN_HOST_DELAY_MS",
            "scraping.min_host_delay_ms",
            file.min_host_delay_ms,
            1_000,
            (0, 600_000),
        )?),
        max_response_bytes: lookup.number(
            "JOBPING_SCRAPE_MAX_RESPONSE_BYTES",
            "scraping.max_response_bytes",
            file.max_response_bytes,
            20 * 1024 * 1024,
            (1024, 1024 * 1024 * 1024),
        )?,
        request_timeout: Duration::from_secs(lookup.number(
            "JOBPING_SCRAPE_TIMEOUT_SECONDS",
            "scraping.request_timeout_seconds",
            file.request_timeout_seconds,
            30,
            (1, 600),
        )?),
        inactive_after: Duration::from_secs(
            86_400
                * lookup.number(
                    "JOBPING_JOBS_INACTIVE_AFTER_DAYS",
                    "scraping.inactive_after_days",
                    file.inactive_after_days,
                    7,
                    (1, 365),
                )?,
        ),
    })
}

pub(super) fn sources(
    lookup: &Lookup<'_>,
    file: Option<Vec<FileSource>>,
    default_schedule: Option<String>,
) -> Result<Vec<SourceSetting>, SettingsError> {
    let (entries, origin) = match file {
        Some(entries) => (entries, lookup.path.clone()),
        None => {
            let list: DefaultList =
                toml::from_str(DEFAULT_SOURCES).expect("the shipped source list is valid (tested)");
            (list.sources, "the shipped source list".to_owned())
        }
    };
    let default_schedule = default_schedule.unwrap_or_else(|| DEFAULT_SCRAPE_SCHEDULE.to_owned());
    entries
        .into_iter()
        .enumerate()
        .map(|(i, entry)| source(lookup, entry, i, &origin, &default_schedule))
        .collect()
}

fn source(
    lookup: &Lookup<'_>,
    entry: FileSource,
    index: usize,
    origin: &str,
    default_schedule: &str,
) -> Result<SourceSetting, SettingsError> {
    let invalid = |field: &str, problem: String| SettingsError::Invalid {
        setting: format!("`sources[{index}].{field}` in {origin}"),
        problem,
    };
    let kind = SourceKind::from_str(&entry.kind).map_err(|_| {
        let known: Vec<&str> = SourceKind::ALL.iter().map(|k| k.as_str()).collect();
        invalid(
            "kind",
            format!(
                "unknown source kind `{}`; known kinds: {}",
                entry.kind,
                known.join(", ")
            ),
        )
    })?;
    let info = kind.info();
    let boards: Vec<String> = entry
        .boards
        .into_iter()
        .flatten()
        .chain(entry.urls.into_iter().flatten())
        .collect();
    match (info.boards, boards.is_empty()) {
        (Boards::None, false) => return Err(invalid("boards", format!("{} takes no boards", info.name))),
        (Boards::None, true) => {}
        (_, true) => {
            return Err(invalid(
                "boards",
                format!("{} needs at least one board", info.name),
            ));
        }
        (_, false) => {}
    }
    let base_url = entry
        .base_url
        .map(|text| {
            let parsed = Url::parse(&text)
                .map_err(|err| invalid("base_url", format!("`{text}` is not a URL: {err}")))?;
            match parsed.scheme() {
                "http" | "https" if parsed.host().is_some() => Ok(parsed),
                _ => Err(invalid(
                    "base_url",
                    format!("`{text}` must be an http(s) URL with a host"),
                )),
            }
        })
        .transpose()?;
    let schedule_expression = entry.schedule.unwrap_or_else(|| default_schedule.to_owned());
    let schedule = match schedule_expression.trim() {
        "" | "off" => None,
        text => Some(cron::Schedule::from_str(text).map_err(|err| {
            invalid(
                "schedule",
                format!("`{text}` is not a cron expression (sec min hour day month weekday): {err}"),
            )
        })?),
    };
    let (app_id, api_key) = match info.keys {
        KeyKind::None => (entry.app_id, entry.api_key),
        KeyKind::AppIdAndKey => (
            entry.app_id.or_else(|| lookup.env_value("ADZUNA_APP_ID")),
            entry.api_key.or_else(|| lookup.env_value("ADZUNA_APP_KEY")),
        ),
        KeyKind::BasicAuthKey => (
            entry.app_id,
            entry.api_key.or_else(|| lookup.env_value("REED_API_KEY")),
        ),
    };
    let missing_keys = missing_keys(info.keys, app_id.as_deref(), api_key.as_deref());
    let enabled_setting = entry.enabled.unwrap_or(info.enabled_by_default);
    let disabled_reason = match (enabled_setting, missing_keys) {
        (false, _) => Some(
            info.disabled_reason
                .map_or_else(|| "disabled in the settings".to_owned(), str::to_owned),
        ),
        (true, Some(missing)) => Some(missing.to_owned()),
        (true, None) => None,
    };
    Ok(SourceSetting {
        kind,
        boards,
        base_url,
        enabled: disabled_reason.is_none(),
        disabled_reason,
        schedule_expression,
        schedule,
        request: RequestSettings {
            eu: entry.eu.unwrap_or(false),
            keywords: entry.keywords,
            location: entry.location,
            page_size: entry.page_size,
            app_id,
            api_key,
            query: entry.query.into_iter().collect(),
        },
        max_pages: entry.max_pages.unwrap_or(info.max_pages).clamp(1, 100),
    })
}

/// Why a source that needs keys cannot run, when they are missing.
fn missing_keys(keys: KeyKind, app_id: Option<&str>, api_key: Option<&str>) -> Option<&'static str> {
    match keys {
        KeyKind::None => None,
        KeyKind::AppIdAndKey if app_id.is_none() || api_key.is_none() => {
            Some("needs ADZUNA_APP_ID and ADZUNA_APP_KEY (or app_id and api_key)")
        }
        KeyKind::BasicAuthKey if api_key.is_none() => Some("needs REED_API_KEY (or api_key)"),
        _ => None,
    }
}
