//! `jobping match`: what the next email would hold for a subscriber or a preferences
//! file, with scores and reasons. Nothing is sent or recorded.

use std::path::Path;

use jobping_core::matching::{IndexedJob, JobIndex, Match, SubscriberContext, rank};
use jobping_core::{EmailAddress, Preferences, RawPreferences, Taxonomy};
use serde_json::json;
use time::OffsetDateTime;

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
    let stored = state.store.jobs(true).await?;
    let jobs: Vec<IndexedJob> = stored
        .into_iter()
        .map(|s| IndexedJob {
            id: s.id,
            job: s.job,
            first_seen_at: s.first_seen_at,
            active: s.active,
        })
        .collect();
    let taxonomy = Taxonomy::embedded();
    let index = JobIndex::with_taxonomy(jobs, taxonomy);
    let mut config = state.settings.matching.clone();
    if let Some(limit) = limit {
        config.limit = limit;
    }
    // Deliveries and feedback join this context once emails are sent.
    let context = SubscriberContext::fresh(OffsetDateTime::now_utc());
    let mut matches = rank(&prefs, &index, &context, &config, taxonomy);
    if state.settings.rerank.enabled {
        // Re-ranking only reorders what passed the hard filters, and falls back to the
        // built-in order on any trouble.
        let reranker = crate::rerank::Reranker::new(state.settings.rerank.clone())?;
        let candidates = matches
            .iter()
            .filter_map(|m| index.get(m.job_id).map(|job| (m.clone(), job)))
            .collect();
        matches = reranker.rerank(&prefs, candidates).await;
    }
    if as_json {
        let documents: Vec<_> = matches
            .iter()
            .filter_map(|m| index.get(m.job_id).map(|job| (m, job)))
            .map(|(m, job)| {
                json!({
                    "job_id": m.job_id,
                    "score": m.score,
                    "label": m.label.as_str(),
                    "reasons": m.reasons,
                    "job": job.job,
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&documents)?);
    } else {
        let rows: Vec<Vec<String>> = matches
            .iter()
            .filter_map(|m| index.get(m.job_id).map(|job| (m, job)))
            .map(|(m, job)| {
                vec![
                    m.score.to_string(),
                    m.label.as_str().to_owned(),
                    format!("{} · {}", job.job.title, job.job.company),
                    m.reasons.join(" · "),
                ]
            })
            .collect();
        print!("{}", table(&["score", "label", "job", "why"], &rows));
        println!("{} match(es) among {} active job(s).", matches.len(), index.len());
    }
    Ok(matches)
}
