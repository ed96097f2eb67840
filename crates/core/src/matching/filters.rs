//! Hard filters: a job that breaks any of these is never sent.
//!
//! Conservative choices, where the posting is vague:
//! - a job that does not say how it is worked counts as office work;
//! - a remote job counts by its scope: anywhere passes; a country list must name a
//!   country the subscriber may work in or a country of one of their cities (this holds
//!   even for a remote job based in one of their cities); an unknown scope passes only
//!   when one of the job's own location countries is one they may work in;
//! - experience: a job asking for more than one year beyond the subscriber's (rounded
//!   down) years is out, and so is any job asking for 3+ years from someone with less;
//! - an `unknown` level is out for subscribers under 3 years when the title or the
//!   experience asked for signals seniority;
//! - student-visa holders are treated like sponsorship seekers;
//! - "no sponsorship" is read as "right to work required" for UK and EU citizens outside
//!   their area, since either way they could not take the job.

use std::collections::HashSet;

use crate::job::{EmploymentType, Job, JobLevel, RemoteScope, VisaSignal};
use crate::preferences::Preferences;
use crate::taxonomy::Taxonomy;
use crate::vocab::{EntryLevel, Visa, WorkEnvironment};

use super::places::{self, Bits};
use super::text::words;
use super::{IndexedJob, MatchConfig, SubscriberContext};

/// One hard rule a job breaks for a subscriber.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Violation {
    Inactive,
    /// `valid_through` has passed.
    Expired,
    /// Posted (or first seen) longer ago than the configured maximum.
    TooOld,
    AlreadySent,
    ExcludedCompany,
    /// Not in one of the subscriber's cities, nor remote from a country they may work in.
    Location,
    WorkEnvironment,
    /// Too senior, asks for too much experience, or an unwanted internship.
    Level,
    /// Says it does not sponsor, or needs a right to work the subscriber lacks.
    Visa,
    /// Requires, or is written in, a language the subscriber does not work in.
    Language,
    /// States a yearly pay below the subscriber's floor, in the floor's currency.
    Salary,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Inactive => "the job is no longer active",
            Self::Expired => "the job's closing date has passed",
            Self::TooOld => "the job is older than the maximum age",
            Self::AlreadySent => "the job was already sent",
            Self::ExcludedCompany => "the company is excluded",
            Self::Location => "not in the subscriber's cities, nor remote from where they may work",
            Self::WorkEnvironment => "a way of working the subscriber does not accept",
            Self::Level => "too senior, too much experience asked, or an unwanted internship",
            Self::Visa => "no sponsorship, or a right to work the subscriber lacks",
            Self::Language => "requires or is written in a language the subscriber does not speak",
            Self::Salary => "pays less than the subscriber's salary floor",
        })
    }
}

/// Every hard rule `job` breaks for this subscriber; empty means it may be sent.
pub fn violations(
    prefs: &Preferences,
    job: &IndexedJob,
    ctx: &SubscriberContext,
    config: &MatchConfig,
    taxonomy: &Taxonomy,
) -> Vec<Violation> {
    let subscriber = Subscriber::new(prefs, taxonomy);
    let facts = JobFacts::of(&job.job, taxonomy);
    let mut out = profile_violations(&subscriber, job, &facts);
    out.extend(context_violations(job, ctx, config));
    out
}

/// The rules that depend only on the preferences and the job (cacheable per job-set).
pub(crate) fn profile_violations(sub: &Subscriber, job: &IndexedJob, facts: &JobFacts) -> Vec<Violation> {
    let j = &job.job;
    [
        (!job.active, Violation::Inactive),
        (sub.excludes(&facts.company), Violation::ExcludedCompany),
        (!location_ok(sub, j, facts), Violation::Location),
        (!work_environment_ok(sub, j), Violation::WorkEnvironment),
        (!level_ok(sub, j, facts.seniority_signal), Violation::Level),
        (!visa_ok(sub, j, facts), Violation::Visa),
        (!language_ok(sub, facts), Violation::Language),
        (!salary_ok(sub, j), Violation::Salary),
    ]
    .into_iter()
    .filter_map(|(broken, v)| broken.then_some(v))
    .collect()
}

/// The same rules as [`profile_violations`], stopping at the first broken one.
pub(crate) fn profile_eligible(sub: &Subscriber, job: &IndexedJob, facts: &JobFacts) -> bool {
    let j = &job.job;
    job.active
        && work_environment_ok(sub, j)
        && level_ok(sub, j, facts.seniority_signal)
        && language_ok(sub, facts)
        && visa_ok(sub, j, facts)
        && location_ok(sub, j, facts)
        && !sub.excludes(&facts.company)
        && salary_ok(sub, j)
}

/// A job passes unless it states its yearly pay in the floor's currency and even its top
/// figure is below the floor.
fn salary_ok(sub: &Subscriber, job: &Job) -> bool {
    let (Some(floor), Some(salary)) = (sub.prefs.salary_floor(), job.salary.as_ref()) else {
        return true;
    };
    if !salary.currency.eq_ignore_ascii_case(&floor.currency) {
        return true;
    }
    salary
        .annual_max
        .or(salary.annual_min)
        .is_none_or(|top| top >= f64::from(floor.annual))
}

/// The rules that depend on time and on the subscriber's history.
pub(crate) fn context_violations(
    job: &IndexedJob,
    ctx: &SubscriberContext,
    config: &MatchConfig,
) -> Vec<Violation> {
    let mut out = Vec::new();
    if job.job.valid_through.is_some_and(|t| t < ctx.now) {
        out.push(Violation::Expired);
    }
    if age_days(job, ctx.now) > f64::from(config.max_job_age_days) {
        out.push(Violation::TooOld);
    }
    if ctx.already_sent.contains(&job.id) {
        out.push(Violation::AlreadySent);
    }
    out
}

/// Days since the job was posted, or first seen when the posting has no date.
pub(crate) fn age_days(job: &IndexedJob, now: time::OffsetDateTime) -> f64 {
    let since = job.job.posted_at.unwrap_or(job.first_seen_at);
    ((now - since).as_seconds_f64() / 86_400.0).max(0.0)
}

/// Preferences prepared for many jobs: sets and derived countries computed once.
#[derive(Debug)]
pub(crate) struct Subscriber<'a> {
    pub prefs: &'a Preferences,
    /// Countries (ISO codes) the subscriber may work in, for remote jobs.
    pub allowed_countries: HashSet<String>,
    /// Countries of the subscriber's chosen cities.
    pub home_countries: HashSet<String>,
    /// The same three as bits (see [`places`]).
    pub(crate) city_bits: Bits,
    pub allowed_bits: Bits,
    pub home_bits: Bits,
    britain_bit: Bits,
    excluded: HashSet<String>,
    pub years: u8,
    pub wants_internship: bool,
    languages: u128,
}

impl<'a> Subscriber<'a> {
    pub(crate) fn new(prefs: &'a Preferences, taxonomy: &Taxonomy) -> Self {
        let city_countries = || {
            prefs
                .cities()
                .iter()
                .filter_map(|c| taxonomy.city(c))
                .map(|c| c.country.clone())
        };
        let eu = || taxonomy.countries.iter().filter(|c| c.eu).map(|c| c.code.clone());
        let allowed_countries = match prefs.visa() {
            Visa::Eu => eu().collect(),
            Visa::EuUk => eu().chain(["GB".to_owned()]).collect(),
            Visa::Uk => HashSet::from(["GB".to_owned()]),
            Visa::Sponsorship | Visa::Student => city_countries().collect(),
        };
        Self {
            prefs,
            allowed_countries: allowed_countries.clone(),
            home_countries: city_countries().collect(),
            city_bits: places::known(places::all(prefs.cities().iter().map(String::as_str), |c| {
                places::city(c, taxonomy)
            })),
            allowed_bits: places::known(places::all(allowed_countries.iter().map(String::as_str), |c| {
                places::country(c, taxonomy)
            })),
            home_bits: places::known(places::all(
                city_countries().collect::<Vec<_>>().iter().map(String::as_str),
                |c| places::country(c, taxonomy),
            )),
            britain_bit: places::country("GB", taxonomy),
            excluded: prefs
                .excluded_companies()
                .iter()
                .map(|c| normalize_company(c))
                .collect(),
            years: prefs.experience().years(),
            // The last bit stands for languages the taxonomy does not know: never spoken.
            languages: prefs
                .languages()
                .iter()
                .fold(0, |bits, code| bits | language_bit(code, taxonomy))
                & !(1 << 127),
            wants_internship: prefs
                .entry_levels()
                .iter()
                .any(|l| matches!(l, EntryLevel::Internship | EntryLevel::Unsure)),
        }
    }

    fn excludes(&self, company: &str) -> bool {
        !self.excluded.is_empty() && self.excluded.contains(company)
    }
}

/// Facts about a job the rules need, derived once (the index keeps them).
#[derive(Debug, Clone)]
pub(crate) struct JobFacts {
    pub company: String,
    /// Country of each location (given, or the taxonomy city's), upper-case.
    pub countries: Vec<String>,
    pub seniority_signal: bool,
    /// Bits of the job's location cities, location countries and remote-scope list.
    pub city_bits: Bits,
    pub country_bits: Bits,
    pub scope_bits: Bits,
    /// Languages the job needs: those it requires and the one it is written in.
    pub languages: u128,
}

impl JobFacts {
    pub(crate) fn of(job: &Job, taxonomy: &Taxonomy) -> Self {
        let countries: Vec<String> = job
            .locations
            .iter()
            .filter_map(|l| {
                l.country.clone().or_else(|| {
                    l.city
                        .as_deref()
                        .and_then(|c| taxonomy.city(c))
                        .map(|c| c.country.clone())
                })
            })
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let scope: &[String] = match &job.remote_scope {
            RemoteScope::Countries(list) => list,
            _ => &[],
        };
        Self {
            city_bits: places::all(
                job.locations.iter().map(|l| l.city.as_deref().unwrap_or("")),
                |c| places::city(c, taxonomy),
            ),
            country_bits: places::all(countries.iter().map(String::as_str), |c| {
                places::country(c, taxonomy)
            }),
            scope_bits: places::all(scope.iter().map(String::as_str), |c| places::country(c, taxonomy)),
            company: normalize_company(&job.company),
            countries,
            seniority_signal: seniority_signal(job),
            languages: job
                .languages_required
                .iter()
                .chain(&job.description_language)
                .fold(0, |bits, code| bits | language_bit(code, taxonomy)),
        }
    }
}

const LEGAL_FORMS: &[&str] = &[
    "gmbh", "ag", "ltd", "limited", "inc", "plc", "llc", "sa", "sas", "bv", "nv", "se", "srl", "spa", "ab",
    "as", "aps", "kg", "co", "corp", "sarl", "oy", "zoo", "sp",
];

/// A company name for comparison: lower case, words only, legal forms dropped.
pub(crate) fn normalize_company(name: &str) -> String {
    let all: Vec<String> = name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let kept: Vec<&str> = all
        .iter()
        .map(String::as_str)
        .filter(|w| !LEGAL_FORMS.contains(w))
        .collect();
    if kept.is_empty() {
        all.join(" ")
    } else {
        kept.join(" ")
    }
}

const SENIOR_WORDS: &[&str] = &[
    "senior",
    "sr",
    "lead",
    "principal",
    "staff",
    "head",
    "director",
    "manager",
    "vp",
    "chief",
    "leiter",
    "architect",
];

/// Whether a job's title or experience asked for says it is not for beginners.
fn seniority_signal(job: &Job) -> bool {
    job.min_years_experience.is_some_and(|y| y >= 3)
        || words(&job.title).any(|w| SENIOR_WORDS.contains(&w.as_str()))
}

fn location_ok(sub: &Subscriber, job: &Job, facts: &JobFacts) -> bool {
    let remote = job.work_environment == Some(WorkEnvironment::Remote);
    if let (true, RemoteScope::Countries(_)) = (remote, &job.remote_scope) {
        // An explicit list decides, even for a job based in one of their cities.
        return facts.scope_bits & (sub.allowed_bits | sub.home_bits) != 0;
    }
    facts.city_bits & sub.city_bits != 0
        || remote
            && match &job.remote_scope {
                RemoteScope::Anywhere => true,
                _ => facts.country_bits & sub.allowed_bits != 0,
            }
}

fn work_environment_ok(sub: &Subscriber, job: &Job) -> bool {
    sub.prefs
        .work_environments()
        .contains(&job.work_environment.unwrap_or(WorkEnvironment::Office))
}

pub(crate) fn is_internship(job: &Job) -> bool {
    job.level == JobLevel::Internship
        || matches!(
            job.employment_type,
            EmploymentType::Internship | EmploymentType::WorkingStudent
        )
}

fn level_ok(sub: &Subscriber, job: &Job, seniority_signal: bool) -> bool {
    let junior = sub.years < 3;
    if is_internship(job) && !sub.wants_internship {
        return false;
    }
    let level_fits = match job.level {
        JobLevel::Mid | JobLevel::Senior | JobLevel::Lead | JobLevel::Manager => !junior,
        JobLevel::Unknown => !(junior && seniority_signal),
        _ => true,
    };
    let experience_fits = job
        .min_years_experience
        .is_none_or(|m| m <= sub.years + 1 && !(junior && m >= 3));
    level_fits && experience_fits
}

fn visa_ok(sub: &Subscriber, job: &Job, facts: &JobFacts) -> bool {
    let closed = matches!(
        job.visa,
        VisaSignal::NoSponsorship | VisaSignal::RightToWorkRequired
    );
    if !closed {
        return true;
    }
    match sub.prefs.visa() {
        Visa::Sponsorship | Visa::Student => false,
        Visa::EuUk => true,
        Visa::Uk => facts.country_bits & !sub.britain_bit == 0,
        Visa::Eu => facts.country_bits & !sub.allowed_bits == 0,
    }
}

fn language_ok(sub: &Subscriber, facts: &JobFacts) -> bool {
    facts.languages & !sub.languages == 0
}

/// One bit per taxonomy language (by position); a code the taxonomy does not know gets
/// the last bit, which no subscriber has, so a job needing it is never sent.
fn language_bit(code: &str, taxonomy: &Taxonomy) -> u128 {
    let code = code.to_ascii_lowercase();
    let position = taxonomy
        .languages
        .iter()
        .position(|l| l.code == code)
        .unwrap_or(127)
        .min(127);
    1 << position
}
