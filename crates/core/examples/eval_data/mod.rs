//! Loads the labelled evaluation set in `data/eval` (shared by the eval example and the
//! matching benchmark).

use std::collections::HashMap;

use jobping_core::matching::IndexedJob;
use jobping_core::{Preferences, RawPreferences, Taxonomy};
use serde::Deserialize;
use time::OffsetDateTime;

#[derive(Deserialize)]
struct Profile {
    id: String,
    preferences: RawPreferences,
}

/// Profiles, jobs, the 0-3 judgment of every pair, and the set's clock.
pub struct EvalSet {
    pub profiles: Vec<(String, RawPreferences, Preferences)>,
    pub jobs: Vec<IndexedJob>,
    pub grades: HashMap<(String, i64), u8>,
    pub now: OffsetDateTime,
}

fn read(name: &str) -> String {
    let path = format!("{}/data/eval/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"))
}

impl EvalSet {
    pub fn load(taxonomy: &Taxonomy) -> Self {
        let profiles: Vec<Profile> = serde_json::from_str(&read("profiles.json")).expect("profiles.json");
        let jobs: Vec<IndexedJob> = serde_json::from_str(&read("jobs.json")).expect("jobs.json");
        let meta: serde_json::Value = serde_json::from_str(&read("meta.json")).expect("meta.json");
        let now = meta["now"].as_str().expect("meta.json: now");
        let now = OffsetDateTime::parse(now, &time::format_description::well_known::Rfc3339).expect("now");
        let grades = read("judgments.csv")
            .lines()
            .skip(1)
            .map(|line| {
                let cells: Vec<&str> = line.split(',').collect();
                (
                    (cells[0].to_owned(), cells[1].parse().expect("job id")),
                    cells[2].parse().expect("grade"),
                )
            })
            .collect();
        let profiles = profiles
            .into_iter()
            .map(|p| {
                let prefs = Preferences::parse(&p.preferences, taxonomy)
                    .unwrap_or_else(|e| panic!("{}: {e:?}", p.id));
                (p.id, p.preferences, prefs)
            })
            .collect();
        Self {
            profiles,
            jobs,
            grades,
            now,
        }
    }
}
