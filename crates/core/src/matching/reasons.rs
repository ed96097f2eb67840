//! Reasons a person can read, each one true of the job: built from the job's facts and
//! the taxonomy's display names, never from the score alone.

use crate::job::{Job, JobLevel, RemoteScope, Salary, SalaryPeriod, VisaSignal};
use crate::taxonomy::Taxonomy;
use crate::vocab::{CareerPath, WorkEnvironment};

use super::filters::{Subscriber, is_internship};
use super::index::Entry;
use super::score::Query;

/// Reasons for one chosen job, most telling first.
pub(crate) fn reasons(
    sub: &Subscriber,
    query: &Query,
    entry: &Entry,
    age_days: f64,
    liked: bool,
    taxonomy: &Taxonomy,
) -> Vec<String> {
    let job = &entry.job.job;
    let mut out = vec![format!("{} {}", kind(job), place(sub, job, taxonomy))];
    let path = job
        .career_paths
        .iter()
        .find(|p| sub.prefs.career_paths().contains(p))
        .or_else(|| {
            job.career_paths
                .first()
                .filter(|_| sub.prefs.career_paths().contains(&CareerPath::Unsure))
        });
    if let Some(path) = path {
        out.push(taxonomy.career_path(*path).name.clone());
    }
    let skills = query.matched_skills(&entry.doc);
    if !skills.is_empty() {
        out.push(format!("Matches your skills: {}", skills.join(", ")));
    }
    if job.description_language.as_deref() == Some("en") && job.languages_required.iter().all(|l| l == "en") {
        out.push("English-speaking team".to_owned());
    }
    if job.visa == VisaSignal::Sponsors {
        out.push("Sponsors visas".to_owned());
    }
    if let Some(salary) = job.salary.as_ref().and_then(salary_text) {
        out.push(salary);
    }
    out.push(posted(age_days, job.posted_at.is_some()));
    if liked {
        out.push("Like jobs you rated up".to_owned());
    }
    out
}

fn kind(job: &Job) -> &'static str {
    if is_internship(job) {
        return "Internship";
    }
    match job.level {
        JobLevel::Graduate => "Graduate programme",
        JobLevel::Entry => "Entry-level role",
        JobLevel::Junior => "Junior role",
        JobLevel::Mid => "Mid-level role",
        JobLevel::Senior => "Senior role",
        JobLevel::Lead => "Lead role",
        JobLevel::Manager => "Manager role",
        JobLevel::Internship | JobLevel::Unknown => "Role",
    }
}

/// "in Berlin", "remote from Germany", "remote from anywhere".
fn place(sub: &Subscriber, job: &Job, taxonomy: &Taxonomy) -> String {
    let city = job
        .locations
        .iter()
        .filter_map(|l| l.city.as_deref())
        .find(|c| sub.prefs.cities().iter().any(|s| s == c));
    if let Some(city) = city.and_then(|c| taxonomy.city(c)) {
        let remote = if job.work_environment == Some(WorkEnvironment::Remote) {
            " (remote)"
        } else {
            ""
        };
        return format!("in {}{remote}", city.name);
    }
    let countries: Vec<String> = match &job.remote_scope {
        RemoteScope::Anywhere => return "remote from anywhere".to_owned(),
        RemoteScope::Countries(list) => list.clone(),
        _ => job.locations.iter().filter_map(|l| l.country.clone()).collect(),
    };
    let names: Vec<String> = countries
        .iter()
        .filter(|c| sub.allowed_countries.contains(&c.to_ascii_uppercase()))
        .map(|c| {
            taxonomy
                .country_named(c)
                .map_or_else(|| c.clone(), |c| c.name.clone())
        })
        .collect();
    match names.as_slice() {
        [] => "remote".to_owned(),
        [one] => format!("remote from {one}"),
        [first, second] => format!("remote from {first} or {second}"),
        [first, ..] => format!("remote from {first} and {} more countries", names.len() - 1),
    }
}

fn symbol(currency: &str) -> String {
    match currency {
        "EUR" => "€".to_owned(),
        "GBP" => "£".to_owned(),
        "USD" => "$".to_owned(),
        other => format!("{other} "),
    }
}

fn amount(value: f64, period: SalaryPeriod) -> String {
    if value >= 10_000.0 {
        format!("{}k", (value / 1000.0).round())
    } else if period == SalaryPeriod::Hour || value < 100.0 {
        format!("{value:.2}").trim_end_matches(".00").to_owned()
    } else {
        grouped(value.round() as u64)
    }
}

/// 1200 -> "1,200".
fn grouped(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// "Salary €45k–55k", "Salary £2,100 a month" style, from the posting's own figures.
fn salary_text(salary: &Salary) -> Option<String> {
    let sym = symbol(&salary.currency);
    let figures = match (salary.min, salary.max) {
        (Some(min), Some(max)) if (max - min).abs() < f64::EPSILON => {
            format!("{sym}{}", amount(min, salary.period))
        }
        (Some(min), Some(max)) => {
            format!(
                "{sym}{}–{}",
                amount(min, salary.period),
                amount(max, salary.period)
            )
        }
        (Some(min), None) => format!("from {sym}{}", amount(min, salary.period)),
        (None, Some(max)) => format!("up to {sym}{}", amount(max, salary.period)),
        (None, None) => return None,
    };
    let period = match salary.period {
        SalaryPeriod::Year => "",
        SalaryPeriod::Month => " a month",
        SalaryPeriod::Week => " a week",
        SalaryPeriod::Day => " a day",
        SalaryPeriod::Hour => " an hour",
    };
    Some(format!("Salary {figures}{period}"))
}

/// "Posted 2 days ago"; "Found …" when the posting gives no date and we count from
/// when we first saw it.
fn posted(age_days: f64, dated: bool) -> String {
    let verb = if dated { "Posted" } else { "Found" };
    match age_days.floor() as u64 {
        0 => format!("{verb} today"),
        1 => format!("{verb} yesterday"),
        days => format!("{verb} {days} days ago"),
    }
}
