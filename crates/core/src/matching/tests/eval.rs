//! The labelled evaluation set (data/eval): the engine never sends a job that breaks
//! a hard rule, by its own filters or by the independent judgments.

use std::collections::HashMap;

use serde::Deserialize;

use crate::matching::{IndexedJob, JobIndex, MatchConfig, SubscriberContext, rank, violations};
use crate::{Preferences, RawPreferences, Taxonomy};

#[derive(Deserialize)]
struct Profile {
    id: String,
    preferences: RawPreferences,
}

fn read(name: &str) -> String {
    let path = format!("{}/data/eval/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

struct Set {
    profiles: Vec<Profile>,
    jobs: Vec<IndexedJob>,
    grades: HashMap<(String, i64), u8>,
    now: time::OffsetDateTime,
}

fn load() -> Set {
    let meta: serde_json::Value = serde_json::from_str(&read("meta.json")).unwrap();
    let now = meta["now"].as_str().unwrap();
    let grades = read("judgments.csv")
        .lines()
        .skip(1)
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            (
                (cells[0].to_owned(), cells[1].parse().unwrap()),
                cells[2].parse().unwrap(),
            )
        })
        .collect();
    Set {
        profiles: serde_json::from_str(&read("profiles.json")).unwrap(),
        jobs: serde_json::from_str(&read("jobs.json")).unwrap(),
        grades,
        now: time::OffsetDateTime::parse(now, &time::format_description::well_known::Rfc3339).unwrap(),
    }
}

#[test]
fn no_profile_in_the_evaluation_set_gets_a_job_that_breaks_a_hard_rule() {
    let taxonomy = Taxonomy::embedded();
    let Set {
        profiles,
        jobs,
        grades,
        now,
    } = load();
    assert!(profiles.len() >= 20 && jobs.len() >= 300);
    assert_eq!(grades.len(), profiles.len() * jobs.len());
    let by_id: HashMap<i64, &IndexedJob> = jobs.iter().map(|j| (j.id, j)).collect();
    let index = JobIndex::new(jobs.clone());
    let config = MatchConfig {
        limit: 15,
        ..MatchConfig::default()
    };
    let ctx = SubscriberContext::fresh(now);
    let mut sent = 0;
    for profile in &profiles {
        let prefs = Preferences::parse(&profile.preferences, taxonomy).expect(&profile.id);
        for m in rank(&prefs, &index, &ctx, &config, taxonomy) {
            let job = by_id[&m.job_id];
            assert_eq!(
                violations(&prefs, job, &ctx, &config, taxonomy),
                vec![],
                "{} got {}",
                profile.id,
                m.job_id
            );
            let grade = grades[&(profile.id.clone(), m.job_id)];
            assert!(
                grade > 0,
                "{} got job {} judged 0: {:?}",
                profile.id,
                m.job_id,
                job.job.title
            );
            assert!(!m.reasons.is_empty());
            sent += 1;
        }
    }
    assert!(sent >= profiles.len() * 2, "the engine sends something: {sent}");
}

#[test]
fn the_engines_filters_agree_with_the_independent_judgments_on_every_pair() {
    let taxonomy = Taxonomy::embedded();
    let Set {
        profiles,
        jobs,
        grades,
        now,
    } = load();
    let ctx = SubscriberContext::fresh(now);
    let config = MatchConfig::default();
    let mut disagreements = Vec::new();
    for profile in &profiles {
        let prefs = Preferences::parse(&profile.preferences, taxonomy).unwrap();
        for job in &jobs {
            let broken = violations(&prefs, job, &ctx, &config, taxonomy);
            let grade = grades[&(profile.id.clone(), job.id)];
            if broken.is_empty() != (grade > 0) {
                disagreements.push(format!(
                    "{} job {}: grade {grade}, engine {broken:?}",
                    profile.id, job.id
                ));
            }
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} disagreements:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}
