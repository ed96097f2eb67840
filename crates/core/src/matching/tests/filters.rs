use serde_json::json;
use time::Duration;

use super::support::{ctx, job, now, prefs, taxonomy};
use crate::Preferences;
use crate::matching::{IndexedJob, MatchConfig, Violation, violations};

fn broken(prefs: &Preferences, job: &IndexedJob) -> Vec<Violation> {
    violations(prefs, job, &ctx(), &MatchConfig::default(), taxonomy())
}

#[test]
fn a_job_in_the_subscribers_city_breaks_nothing() {
    assert_eq!(broken(&prefs(json!({})), &job(1, json!({}))), vec![]);
}

#[test]
fn a_job_in_another_city_is_out() {
    let paris = job(
        1,
        json!({"locations": [{"city": "paris", "country": "FR", "raw": "Paris"}]}),
    );
    assert_eq!(broken(&prefs(json!({})), &paris), vec![Violation::Location]);
}

#[test]
fn remote_jobs_pass_only_from_countries_the_visa_allows() {
    let remote = |scope: serde_json::Value| {
        job(
            1,
            json!({"work_environment": "remote", "remote_scope": scope,
            "locations": [{"city": null, "country": "PL", "raw": "Remote"}]}),
        )
    };
    let eu = prefs(json!({"visa": "eu"}));
    let uk = prefs(json!({"visa": "uk"}));
    let sponsored = prefs(json!({}));
    let poland = remote(json!({"kind": "countries", "countries": ["PL"]}));
    assert_eq!(broken(&eu, &poland), vec![]);
    assert_eq!(broken(&uk, &poland), vec![Violation::Location]);
    // Sponsorship: only the countries of their chosen cities (Berlin: Germany).
    assert_eq!(broken(&sponsored, &poland), vec![Violation::Location]);
    assert_eq!(
        broken(
            &sponsored,
            &remote(json!({"kind": "countries", "countries": ["DE"]}))
        ),
        vec![]
    );
    assert_eq!(broken(&uk, &remote(json!({"kind": "anywhere"}))), vec![]);
    // Unknown scope: judged by the job's own location country.
    assert_eq!(broken(&eu, &remote(json!({"kind": "unknown"}))), vec![]);
    assert_eq!(
        broken(&uk, &remote(json!({"kind": "unknown"}))),
        vec![Violation::Location]
    );
}

#[test]
fn a_job_that_does_not_say_how_it_is_worked_counts_as_office_work() {
    let remote_only = prefs(json!({"work_environments": ["remote"]}));
    assert_eq!(
        broken(&remote_only, &job(1, json!({"work_environment": null}))),
        vec![Violation::WorkEnvironment]
    );
    let office = prefs(json!({"work_environments": ["office"]}));
    assert_eq!(
        broken(&office, &job(1, json!({"work_environment": null}))),
        vec![]
    );
}

#[test]
fn senior_roles_and_three_year_asks_are_out_for_beginners_but_not_for_experienced() {
    let beginner = prefs(json!({}));
    let experienced = prefs(json!({"experience": "3y+"}));
    for level in ["mid", "senior", "lead", "manager"] {
        assert_eq!(
            broken(&beginner, &job(1, json!({"level": level}))),
            vec![Violation::Level],
            "{level}"
        );
    }
    assert_eq!(broken(&experienced, &job(1, json!({"level": "senior"}))), vec![]);
    assert_eq!(
        broken(&beginner, &job(1, json!({"min_years_experience": 3}))),
        vec![Violation::Level]
    );
    // One year above the subscriber's own is tolerated; two is not.
    assert_eq!(
        broken(&beginner, &job(1, json!({"min_years_experience": 1}))),
        vec![]
    );
    assert_eq!(
        broken(&beginner, &job(1, json!({"min_years_experience": 2}))),
        vec![Violation::Level]
    );
}

#[test]
fn an_unknown_level_is_out_only_when_the_title_signals_seniority() {
    let p = prefs(json!({}));
    assert_eq!(
        broken(&p, &job(1, json!({"level": "unknown", "title": "Data Analyst"}))),
        vec![]
    );
    let senior = job(1, json!({"level": "unknown", "title": "Sr. Data Analyst"}));
    assert_eq!(broken(&p, &senior), vec![Violation::Level]);
}

#[test]
fn internships_go_only_to_those_who_want_them() {
    let intern = job(1, json!({"level": "internship", "employment_type": "internship"}));
    assert_eq!(broken(&prefs(json!({})), &intern), vec![Violation::Level]);
    assert_eq!(
        broken(&prefs(json!({"entry_levels": ["internship"]})), &intern),
        vec![]
    );
    assert_eq!(
        broken(&prefs(json!({"entry_levels": ["unsure"]})), &intern),
        vec![]
    );
    let werkstudent = job(
        1,
        json!({"level": "unknown", "employment_type": "working_student"}),
    );
    assert_eq!(broken(&prefs(json!({})), &werkstudent), vec![Violation::Level]);
}

#[test]
fn sponsorship_seekers_never_get_jobs_that_refuse_sponsorship() {
    let p = prefs(json!({}));
    for signal in ["no_sponsorship", "right_to_work_required"] {
        assert_eq!(
            broken(&p, &job(1, json!({"visa": signal}))),
            vec![Violation::Visa],
            "{signal}"
        );
    }
    assert_eq!(broken(&p, &job(1, json!({"visa": "sponsors"}))), vec![]);
}

#[test]
fn citizens_never_get_right_to_work_jobs_outside_their_area() {
    let rtw = json!({"visa": "right_to_work_required"});
    let uk = prefs(json!({"visa": "uk"}));
    assert_eq!(broken(&uk, &job(1, rtw.clone())), vec![Violation::Visa]);
    let eu = prefs(json!({"visa": "eu", "cities": ["london"]}));
    let london = job(
        1,
        json!({"visa": "right_to_work_required",
        "locations": [{"city": "london", "country": "GB", "raw": "London"}]}),
    );
    assert_eq!(broken(&eu, &london), vec![Violation::Visa]);
    assert_eq!(
        broken(&prefs(json!({"visa": "eu_uk", "cities": ["london"]})), &london),
        vec![]
    );
    assert_eq!(broken(&prefs(json!({"visa": "eu"})), &job(1, rtw)), vec![]);
}

#[test]
fn jobs_needing_or_written_in_another_language_are_out() {
    let english = prefs(json!({}));
    assert_eq!(
        broken(&english, &job(1, json!({"languages_required": ["de"]}))),
        vec![Violation::Language]
    );
    assert_eq!(
        broken(&english, &job(1, json!({"description_language": "de"}))),
        vec![Violation::Language]
    );
    let both = prefs(json!({"languages": ["en", "de"]}));
    assert_eq!(
        broken(
            &both,
            &job(
                1,
                json!({"description_language": "de", "languages_required": ["de"]})
            )
        ),
        vec![]
    );
}

#[test]
fn excluded_companies_match_whatever_the_case_and_legal_form() {
    let p = prefs(json!({"excluded_companies": ["ACME"]}));
    assert_eq!(
        broken(&p, &job(1, json!({"company": "Acme GmbH"}))),
        vec![Violation::ExcludedCompany]
    );
    assert_eq!(broken(&p, &job(1, json!({"company": "Acmeworks"}))), vec![]);
}

#[test]
fn inactive_expired_old_and_already_sent_jobs_are_out() {
    let p = prefs(json!({}));
    let mut inactive = job(1, json!({}));
    inactive.active = false;
    assert_eq!(broken(&p, &inactive), vec![Violation::Inactive]);
    assert_eq!(
        broken(&p, &job(1, json!({"valid_through": "2026-11-19T00:00:00Z"}))),
        vec![Violation::Expired]
    );
    assert_eq!(
        broken(&p, &job(1, json!({"posted_at": "2026-10-01T00:00:00Z"}))),
        vec![Violation::TooOld]
    );
    let mut undated = job(1, json!({"posted_at": null}));
    undated.first_seen_at = now() - Duration::days(31);
    assert_eq!(broken(&p, &undated), vec![Violation::TooOld]);
    let mut sent = ctx();
    sent.already_sent.insert(1);
    assert_eq!(
        violations(&p, &job(1, json!({})), &sent, &MatchConfig::default(), taxonomy()),
        vec![Violation::AlreadySent]
    );
}

#[test]
fn a_remote_job_limited_to_other_countries_is_out_even_when_based_in_their_city() {
    let gb_only = job(
        1,
        json!({"work_environment": "remote",
        "remote_scope": {"kind": "countries", "countries": ["GB"]}}),
    );
    assert_eq!(
        broken(&prefs(json!({"visa": "eu"})), &gb_only),
        vec![Violation::Location]
    );
    // A UK citizen who chose Berlin may take remote work limited to Germany, as they may an office job there.
    let de_only = job(
        1,
        json!({"work_environment": "remote", "remote_scope": {"kind": "countries", "countries": ["DE"]},
        "locations": [{"city": null, "country": "DE", "raw": "Remote"}]}),
    );
    assert_eq!(broken(&prefs(json!({"visa": "uk"})), &de_only), vec![]);
}

#[test]
fn a_salary_floor_excludes_only_jobs_that_state_less_in_its_currency() {
    let p = prefs(json!({"salary_floor": "40.000 eur"}));
    let paying = |currency: &str, min: f64, max: Option<f64>| {
        job(
            1,
            json!({"salary": {"min": min, "max": max, "currency": currency, "period": "year",
                "annual_min": min, "annual_max": max}}),
        )
    };
    assert_eq!(
        broken(&p, &paying("EUR", 30_000.0, Some(36_000.0))),
        vec![Violation::Salary]
    );
    assert_eq!(
        broken(&p, &paying("EUR", 30_000.0, None)),
        vec![Violation::Salary]
    );
    // The top of the range reaches the floor.
    assert_eq!(broken(&p, &paying("EUR", 35_000.0, Some(40_000.0))), vec![]);
    // Another currency, or no salary at all: not judged.
    assert_eq!(broken(&p, &paying("GBP", 20_000.0, Some(25_000.0))), vec![]);
    assert_eq!(broken(&p, &job(1, json!({}))), vec![]);
    assert_eq!(broken(&prefs(json!({})), &paying("EUR", 10_000.0, None)), vec![]);
}
