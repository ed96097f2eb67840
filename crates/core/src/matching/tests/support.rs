//! Builders for test subscribers and jobs.

use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

use crate::matching::{IndexedJob, SubscriberContext};
use crate::{Job, Preferences, RawPreferences, Taxonomy};

pub fn now() -> OffsetDateTime {
    time::macros::datetime!(2026-11-20 12:00 UTC)
}

pub fn taxonomy() -> &'static Taxonomy {
    Taxonomy::embedded()
}

pub fn ctx() -> SubscriberContext {
    SubscriberContext::fresh(now())
}

/// A data graduate in Berlin who needs sponsorship, with `changes` applied.
pub fn prefs(changes: Value) -> Preferences {
    let mut raw = json!({
        "cities": ["berlin"],
        "career_paths": ["data"],
        "roles": ["Data Analyst"],
        "entry_levels": ["graduate", "entry"],
        "experience": "none",
        "work_environments": ["office", "hybrid", "remote"],
        "visa": "sponsorship",
        "languages": ["en"],
        "skills": ["sql", "python"],
    });
    for (key, value) in changes.as_object().expect("an object of changes") {
        raw[key] = value.clone();
    }
    let raw: RawPreferences = serde_json::from_value(raw).expect("raw preferences");
    Preferences::parse(&raw, taxonomy()).expect("valid preferences")
}

/// A graduate data analyst job in Berlin posted two days ago, with `changes` applied.
pub fn job(id: i64, changes: Value) -> IndexedJob {
    let mut raw = json!({
        "source": "test", "board": "test", "external_id": format!("t-{id}"),
        "title": "Graduate Data Analyst", "company": "Acme GmbH", "url": "https://example.com/j",
        "apply_url": null,
        "locations": [{"city": "berlin", "country": "DE", "raw": "Berlin, Germany"}],
        "work_environment": "hybrid", "remote_scope": {"kind": "not_remote"}, "level": "graduate",
        "min_years_experience": null, "career_paths": ["data"], "department": null, "visa": "unknown",
        "languages_required": [], "description_language": "en", "salary": null, "employment_type": "full_time",
        "posted_at": "2026-11-18T12:00:00Z", "valid_through": null,
        "description_text": "Join our analytics team: SQL, Python and dashboards for our customers.",
        "description_html": "", "fingerprint": format!("f-{id}"),
    });
    for (key, value) in changes.as_object().expect("an object of changes") {
        raw[key] = value.clone();
    }
    let job: Job = serde_json::from_value(raw).expect("a job");
    IndexedJob {
        id,
        job,
        first_seen_at: now() - Duration::days(2),
        active: true,
    }
}
