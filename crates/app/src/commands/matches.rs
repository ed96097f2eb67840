//! `jobping match`: what the next email would hold for a subscriber or a preferences
//! file, with scores and reasons. Nothing is sent or recorded.

use std::path::Path;

use jobping_core::matching::Match;
use jobping_core::{EmailAddress, Preferences, RawPreferences, Taxonomy};
use serde_json::json;

use super::table;
use crate::state::AppState;

/// Whose matches to show.
#[derive(Debug, Clone)]
pub enum Target {
    Email(String),
    PreferencesFile(std::path::PathBuf),
}

/// Reads and checks a preferences file (the DESIGN.md shape), naming every bad field.
pub fn preferences_from_file(path: &Path) -> anyhow::Result<Preferences> {
    let text =
        std::fs::read_to_string(path).map_err(|err| anyhow::anyhow!("reading {}: {err}", path.display()))?;
    let raw: RawPreferences = serde_json::from_str(&text)
        .map_err(|err| anyhow::anyhow!("{} is not a preferences document: {err}", path.display()))?;
    Preferences::parse(&raw, Taxonomy::embedded()).map_err(|errors| {
        let lines: Vec<String> = errors
            .iter()
            .map(|e| format!("  {}: {}", e.field, e.message))
            .collect();
        anyhow::anyhow!(
            "{} has invalid preferences:\n{}",
            path.display(),
            lines.join("\n")
        )
    })
}

async fn preferences_of(state: &AppState, address: &str) -> anyhow::Result<Preferences> {
    let email = EmailAddress::parse(address).map_err(|err| anyhow::anyhow!("--email: {err}"))?;
    let subscriber = state
        .store
        .subscriber_by_email(&email)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no subscriber with the address {}", email.masked()))?;
    let stored = state
        .store
        .preferences(subscriber.id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("{} has no preferences stored", email.masked()))?;
    let raw: RawPreferences = serde_json::from_value(stored)?;
    Preferences::parse(&raw, Taxonomy::embedded())
        .map_err(|errors| anyhow::anyhow!("the stored preferences no longer parse: {errors:?}"))
}

/// Ranks the active jobs for the target and prints them.
pub async fn run(
    state: &AppState,
    target: &Target,
    limit: Option<usize>,
    as_json: bool,
) -> anyhow::Result<Vec<Match>> {
    let prefs = match target {
        Target::Email(address) => preferences_of(state, address).await?,
        Target::PreferencesFile(path) => preferences_from_file(path)?,
    };
    let (ranked, total) = crate::journey::matches::rank_for(state, &prefs, limit).await?;
    if as_json {
        let documents: Vec<_> = ranked
            .iter()
            .map(|r| {
                json!({
                    "job_id": r.matched.job_id,
                    "score": r.matched.score,
                    "label": r.matched.label.as_str(),
                    "reasons": r.matched.reasons,
                    "job": r.job,
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&documents)?);
    } else {
        let rows: Vec<Vec<String>> = ranked
            .iter()
            .map(|r| {
                vec![
                    r.matched.score.to_string(),
                    r.matched.label.as_str().to_owned(),
                    format!("{} · {}", r.job.title, r.job.company),
                    r.matched.reasons.join(" · "),
                ]
            })
            .collect();
        print!("{}", table(&["score", "label", "job", "why"], &rows));
        println!("{} match(es) among {total} active job(s).", ranked.len());
    }
    Ok(ranked.into_iter().map(|r| r.matched).collect())
}
