//! `jobping jobs list`: the stored jobs, normalized, filtered.

use std::str::FromStr;

use jobping_core::CareerPath;
use jobping_store::StoredJob;
use serde_json::{Value, json};

use super::table;
use crate::state::AppState;

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub city: Option<String>,
    pub career_path: Option<String>,
    pub early_career: bool,
    /// Include inactive jobs too.
    pub all: bool,
}

/// Prints the jobs that pass `filter`: one JSON object per line with `json`, else a table.
pub async fn list(state: &AppState, filter: &Filter, as_json: bool) -> anyhow::Result<usize> {
    let path = filter
        .career_path
        .as_deref()
        .map(|p| {
            CareerPath::from_str(p).map_err(|_| {
                let known: Vec<&str> = CareerPath::ALL.iter().map(|c| c.as_str()).collect();
                anyhow::anyhow!(
                    "--career-path: unknown career path `{p}`; known: {}",
                    known.join(", ")
                )
            })
        })
        .transpose()?;
    if let Some(city) = &filter.city {
        anyhow::ensure!(
            jobping_core::Taxonomy::embedded().city(city).is_some(),
            "--city: `{city}` is not a city slug JobPing knows (e.g. berlin, london, munich)"
        );
    }
    let jobs = state.store.jobs(!filter.all).await?;
    let chosen: Vec<&StoredJob> = jobs
        .iter()
        .filter(|s| {
            filter
                .city
                .as_ref()
                .is_none_or(|c| s.job.locations.iter().any(|l| l.city.as_ref() == Some(c)))
        })
        .filter(|s| path.is_none_or(|p| s.job.career_paths.contains(&p)))
        .filter(|s| !filter.early_career || s.job.level.is_early_career())
        .collect();
    if as_json {
        for stored in &chosen {
            println!("{}", as_json_line(stored));
        }
    } else {
        let rows: Vec<Vec<String>> = chosen
            .iter()
            .map(|s| {
                let j = &s.job;
                let cities: Vec<&str> = j.locations.iter().filter_map(|l| l.city.as_deref()).collect();
                vec![
                    s.id.to_string(),
                    j.title.clone(),
                    j.company.clone(),
                    cities.join(", "),
                    j.work_environment.map_or("?", |w| w.as_str()).to_owned(),
                    j.level.as_str().to_owned(),
                    j.career_paths
                        .iter()
                        .map(|p| p.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                ]
            })
            .collect();
        print!(
            "{}",
            table(
                &["id", "title", "company", "cities", "work", "level", "paths"],
                &rows
            )
        );
        println!("{} job(s)", chosen.len());
    }
    Ok(chosen.len())
}

fn as_json_line(stored: &StoredJob) -> Value {
    let mut object = serde_json::to_value(&stored.job).unwrap_or_else(|_| json!({}));
    if let Value::Object(map) = &mut object {
        map.insert("id".into(), stored.id.into());
        map.insert("active".into(), stored.active.into());
        map.insert("urls".into(), json!(stored.urls));
        map.insert("first_seen_at".into(), stored.first_seen_at.to_string().into());
        map.insert("last_seen_at".into(), stored.last_seen_at.to_string().into());
    }
    object
}
