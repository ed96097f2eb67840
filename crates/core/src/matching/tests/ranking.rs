use serde_json::json;

use super::support::{ctx, job, now, prefs, taxonomy};
use crate::matching::{Feedback, IndexedJob, JobIndex, Label, Match, MatchConfig, Vote, rank};
use crate::{CareerPath, JobLevel, Preferences};

fn ranked(prefs: &Preferences, jobs: Vec<IndexedJob>, config: &MatchConfig) -> Vec<Match> {
    rank(prefs, &JobIndex::new(jobs), &ctx(), config, taxonomy())
}

#[test]
fn labels_follow_the_score_bands() {
    assert_eq!(Label::for_score(100), Label::Excellent);
    assert_eq!(Label::for_score(80), Label::Excellent);
    assert_eq!(Label::for_score(79), Label::Good);
    assert_eq!(Label::for_score(60), Label::Good);
    assert_eq!(Label::for_score(59), Label::Fair);
}

#[test]
fn a_well_fitting_job_scores_well_and_an_off_path_one_is_not_sent() {
    let fit = job(
        1,
        json!({"salary": {"min": 45000.0, "max": 55000.0, "currency": "EUR", "period": "year",
        "annual_min": 45000.0, "annual_max": 55000.0}, "visa": "sponsors"}),
    );
    let off = job(
        2,
        json!({"title": "Graduate Sales Representative", "career_paths": ["sales"],
        "description_text": "Call customers and close deals."}),
    );
    let matches = ranked(&prefs(json!({})), vec![fit, off], &MatchConfig::default());
    assert_eq!(matches.len(), 1, "{matches:?}");
    assert_eq!(matches[0].job_id, 1);
    assert!(matches[0].score >= 80, "{matches:?}");
    assert_eq!(matches[0].label, Label::for_score(matches[0].score));
}

#[test]
fn reasons_are_short_and_true() {
    let fit = job(
        1,
        json!({"visa": "sponsors", "salary": {"min": 45000.0, "max": 55000.0, "currency": "EUR",
        "period": "year", "annual_min": 45000.0, "annual_max": 55000.0}}),
    );
    let reasons = &ranked(&prefs(json!({})), vec![fit], &MatchConfig::default())[0].reasons;
    for expected in [
        "Graduate programme in Berlin",
        "Data & analytics",
        "Matches your skills: sql, python",
        "English-speaking team",
        "Sponsors visas",
        "Salary €45k–55k",
        "Posted 2 days ago",
    ] {
        assert!(
            reasons.iter().any(|r| r == expected),
            "missing {expected:?} in {reasons:?}"
        );
    }
    let plain = job(
        1,
        json!({"description_language": null, "description_text": "Dashboards."}),
    );
    let reasons = &ranked(&prefs(json!({})), vec![plain], &MatchConfig::default())[0].reasons;
    for absent in ["Sponsors visas", "English-speaking team"] {
        assert!(!reasons.iter().any(|r| r == absent), "{absent:?} in {reasons:?}");
    }
    assert!(
        !reasons
            .iter()
            .any(|r| r.starts_with("Salary") || r.starts_with("Matches your skills"))
    );
}

#[test]
fn at_most_two_jobs_per_company_and_cities_are_spread() {
    let p = prefs(json!({"cities": ["berlin", "munich"]}));
    let mut jobs: Vec<IndexedJob> = (1..=4).map(|id| job(id, json!({}))).collect();
    jobs.extend((5..=8).map(|id| {
        job(
            id,
            json!({"company": format!("Other {id}"), "title": "Data Analyst", "level": "entry",
            "locations": [{"city": "munich", "country": "DE", "raw": "München"}]}),
        )
    }));
    let matches = ranked(&p, jobs, &MatchConfig::default());
    assert_eq!(matches.len(), 5);
    assert!(
        matches.iter().filter(|m| m.job_id <= 4).count() <= 2,
        "{matches:?}"
    );
    assert!(matches.iter().any(|m| m.job_id >= 5));
    assert!(matches.iter().any(|m| m.job_id <= 4));
}

fn vote(vote: Vote, company: &str) -> Feedback {
    Feedback {
        vote,
        company: company.to_owned(),
        career_paths: vec![CareerPath::Data],
        level: JobLevel::Graduate,
        title: "Graduate Data Analyst".to_owned(),
    }
}

#[test]
fn a_thumbs_down_lowers_similar_jobs_and_a_thumbs_up_raises_them_within_bounds() {
    let p = prefs(json!({}));
    let index = JobIndex::new(vec![job(1, json!({}))]);
    let config = MatchConfig::default();
    let score = |feedback: Vec<Feedback>| {
        let mut c = ctx();
        c.feedback = feedback;
        rank(&p, &index, &c, &config, taxonomy())
            .first()
            .map_or(0, |m| m.score)
    };
    let neutral = score(vec![]);
    let down = score(vec![vote(Vote::Down, "ACME")]);
    let up = score(vec![vote(Vote::Up, "acme gmbh")]);
    assert!(down < neutral && neutral < up, "{down} {neutral} {up}");
    assert!(f32::from(neutral - down) <= config.weights.feedback + 0.5);
    let many_downs = score(vec![vote(Vote::Down, "Acme"); 20]);
    assert!(f32::from(neutral.saturating_sub(many_downs)) <= config.weights.feedback + 0.5);
}

#[test]
fn a_german_posting_matches_an_english_role_word_by_its_german_stem() {
    let p = prefs(
        json!({"languages": ["en", "de"], "roles": ["Softwareentwickler"], "career_paths": ["tech"],
        "skills": []}),
    );
    let german = job(
        1,
        json!({"title": "Softwareentwicklerin (m/w/d)", "career_paths": ["tech"], "level": "entry",
        "description_language": "de", "description_text": "Wir suchen Softwareentwickler für unsere Teams."}),
    );
    let other = job(
        2,
        json!({"title": "Buchhalter", "career_paths": ["tech"], "level": "entry",
        "description_language": "de", "description_text": "Buchhaltung und Abschlüsse."}),
    );
    let matches = ranked(&p, vec![other, german], &MatchConfig::default());
    assert_eq!(matches.first().map(|m| m.job_id), Some(1), "{matches:?}");
}

#[test]
fn fresher_jobs_score_higher_and_say_when_they_were_posted() {
    let p = prefs(json!({}));
    let today = job(1, json!({"posted_at": "2026-11-20T08:00:00Z"}));
    let older = job(
        2,
        json!({"posted_at": "2026-11-05T08:00:00Z", "company": "Other"}),
    );
    let matches = ranked(&p, vec![older, today], &MatchConfig::default());
    assert_eq!(matches[0].job_id, 1);
    assert!(matches[0].score > matches[1].score);
    assert!(matches[0].reasons.contains(&"Posted today".to_owned()));
    assert!(
        matches[1].reasons.contains(&"Posted 15 days ago".to_owned()),
        "{:?}",
        matches[1].reasons
    );
    let _ = now();
}

#[test]
fn monthly_salaries_are_shown_as_posted_with_their_period() {
    let intern = job(
        1,
        json!({"level": "internship", "employment_type": "internship", "salary": {"min": 1200.0,
        "max": 1800.0, "currency": "EUR", "period": "month", "annual_min": 14400.0, "annual_max": 21600.0}}),
    );
    let p = prefs(json!({"entry_levels": ["internship"]}));
    let reasons = &ranked(&p, vec![intern], &MatchConfig::default())[0].reasons;
    assert_eq!(reasons[0], "Internship in Berlin");
    assert!(
        reasons.contains(&"Salary €1,200–1,800 a month".to_owned()),
        "{reasons:?}"
    );
}

#[test]
fn the_config_loads_from_settings_with_defaults_for_what_is_left_out() {
    let config: MatchConfig =
        serde_json::from_value(json!({"limit": 15, "weights": {"salary": 0.0}})).unwrap();
    assert_eq!(config.limit, 15);
    assert_eq!(config.max_per_company, 2);
    assert_eq!(config.min_score, 40);
    assert_eq!(config.max_job_age_days, 30);
    assert_eq!(config.weights.salary, 0.0);
    assert_eq!(config.weights.relevance, MatchConfig::default().weights.relevance);
}

#[test]
fn a_single_city_subscriber_is_not_pushed_towards_remote_jobs_for_variety() {
    let p = prefs(json!({}));
    let mut jobs: Vec<IndexedJob> = (1..=5)
        .map(|id| job(id, json!({"company": format!("Berlin {id}")})))
        .collect();
    jobs.push(job(
        9,
        json!({"company": "Far", "work_environment": "remote", "remote_scope": {"kind": "anywhere"},
        "locations": [{"city": null, "country": "DE", "raw": "Remote"}]}),
    ));
    let matches = ranked(&p, jobs, &MatchConfig::default());
    assert!(matches.iter().all(|m| m.job_id != 9), "{matches:?}");
}
