use serde_json::json;

use super::support::{ctx, job, prefs, taxonomy};
use crate::matching::{JobIndex, MatchCache, MatchConfig, preference_fingerprint, rank, rank_cached};
use crate::{CareerPath, JobLevel};

#[test]
fn candidates_come_only_from_the_subscribers_cities_and_allowed_remote_jobs() {
    let index = JobIndex::new(vec![
        job(1, json!({})),
        job(
            2,
            json!({"locations": [{"city": "paris", "country": "FR", "raw": "Paris"}]}),
        ),
        job(
            3,
            json!({"work_environment": "remote", "remote_scope": {"kind": "countries", "countries": ["DE"]},
            "locations": [{"city": null, "country": "DE", "raw": "Remote"}]}),
        ),
        job(
            4,
            json!({"work_environment": "remote", "remote_scope": {"kind": "countries", "countries": ["GB"]},
            "locations": [{"city": null, "country": "GB", "raw": "Remote"}]}),
        ),
        job(5, json!({"career_paths": ["sales"]})),
    ]);
    let mut ids = index.candidates(&prefs(json!({})), taxonomy());
    ids.sort();
    assert_eq!(ids, vec![1, 3]);
    assert_eq!(index.ids_with_path(CareerPath::Sales), vec![5]);
    assert_eq!(index.ids_with_level(JobLevel::Graduate).len(), 5);
}

#[test]
fn upserts_and_removals_update_the_lists_and_bump_the_version() {
    let p = prefs(json!({}));
    let mut index = JobIndex::new(vec![job(1, json!({}))]);
    let v1 = index.version();
    index.upsert(job(2, json!({})));
    assert!(index.version() > v1);
    assert_eq!(index.candidates(&p, taxonomy()).len(), 2);
    // Moving a job to another city takes it off Berlin's list.
    index.upsert(job(
        2,
        json!({"locations": [{"city": "paris", "country": "FR", "raw": "Paris"}]}),
    ));
    assert_eq!(index.candidates(&p, taxonomy()), vec![1]);
    assert_eq!(index.len(), 2);
    let v2 = index.version();
    assert!(index.remove(1).is_some());
    assert!(index.remove(1).is_none());
    assert!(index.version() > v2);
    assert!(index.candidates(&p, taxonomy()).is_empty());
    assert!(rank(&p, &index, &ctx(), &MatchConfig::default(), taxonomy()).is_empty());
    // A removed slot is reused without mixing up jobs.
    index.upsert(job(3, json!({"title": "Graduate Data Analyst (SQL)"})));
    assert_eq!(index.candidates(&p, taxonomy()), vec![3]);
    assert_eq!(
        index.get(3).map(|j| j.job.title.as_str()),
        Some("Graduate Data Analyst (SQL)")
    );
}

#[test]
fn inactive_jobs_are_on_no_list() {
    let mut inactive = job(1, json!({}));
    inactive.active = false;
    let index = JobIndex::new(vec![inactive]);
    assert!(index.candidates(&prefs(json!({})), taxonomy()).is_empty());
    assert!(index.get(1).is_some());
}

#[test]
fn the_fingerprint_is_stable_and_tells_preferences_apart() {
    let a = prefs(json!({}));
    assert_eq!(
        preference_fingerprint(&a),
        preference_fingerprint(&prefs(json!({})))
    );
    assert_ne!(
        preference_fingerprint(&a),
        preference_fingerprint(&prefs(json!({"cities": ["munich"]})))
    );
}

#[test]
fn cached_results_equal_fresh_ones_and_still_respect_each_subscribers_history() {
    let p = prefs(json!({}));
    let jobs = (1..=4)
        .map(|id| job(id, json!({"company": format!("Company {id}")})))
        .collect();
    let mut index = JobIndex::new(jobs);
    let config = MatchConfig::default();
    let cache = MatchCache::default();
    let fresh = rank(&p, &index, &ctx(), &config, taxonomy());
    assert_eq!(
        rank_cached(&p, &index, &ctx(), &config, taxonomy(), &cache),
        fresh
    );
    assert_eq!(
        rank_cached(&p, &index, &ctx(), &config, taxonomy(), &cache),
        fresh
    );
    assert_eq!(cache.len(), 1);
    let mut sent = ctx();
    sent.already_sent.insert(fresh[0].job_id);
    let again = rank_cached(&p, &index, &sent, &config, taxonomy(), &cache);
    assert!(again.iter().all(|m| m.job_id != fresh[0].job_id));
    assert_eq!(cache.len(), 1);
    // A new job-set version replaces the stale entry and sees the new job.
    index.upsert(job(9, json!({"company": "Newcomer"})));
    let updated = rank_cached(&p, &index, &ctx(), &config, taxonomy(), &cache);
    assert_eq!(cache.len(), 1);
    assert_eq!(updated, rank(&p, &index, &ctx(), &config, taxonomy()));
    assert!(updated.iter().any(|m| m.job_id == 9) || updated.len() == config.limit);
}
