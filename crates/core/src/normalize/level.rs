//! How senior a job is, from the strongest evidence to the weakest: the title, the
//! board's seniority field, the employment type, then the description.

use std::sync::LazyLock;

use regex::Regex;

use super::employment::is_french_stage;
use super::words::has_word;
use crate::{EmploymentType, JobLevel};

/// The evidence for a level.
pub(crate) struct LevelInput<'a> {
    pub title: &'a str,
    pub seniority: Option<&'a str>,
    pub employment: EmploymentType,
    pub description: &'a str,
    pub min_years: Option<u8>,
}

/// The job's level; `Unknown` when nothing says.
pub(crate) fn job_level(input: &LevelInput<'_>) -> JobLevel {
    let title = input.title.to_lowercase();
    if let Some(level) = from_title(&title) {
        return level;
    }
    if let Some(level) = input.seniority.and_then(from_field) {
        return level;
    }
    match input.employment {
        EmploymentType::Internship | EmploymentType::WorkingStudent => return JobLevel::Internship,
        EmploymentType::Apprenticeship => return JobLevel::Entry,
        _ => {}
    }
    if let Some(level) = from_description(&input.description.to_lowercase()) {
        return level;
    }
    if let Some(level) = input.min_years.map(from_years) {
        return level;
    }
    // "Account Manager", "Product Manager", "Social Media Manager" name a role, not a
    // rank: with no other word about seniority they are mid-level jobs.
    if has_word(&title, "manager") || has_word(&title, "managerin") {
        return JobLevel::Mid;
    }
    JobLevel::Unknown
}

fn any(text: &str, words: &[&str]) -> bool {
    words.iter().any(|w| has_word(text, w))
}

/// Title words, in order of precedence. Each rule notes the false friend it avoids.
fn from_title(title: &str) -> Option<JobLevel> {
    // Heads, directors and chiefs first: "Head of Graduate Recruitment" is not a
    // graduate job. "Associate Director" is a director. Only people-management
    // "managers" count here: "Engineering Manager" leads engineers, while "Account
    // Manager" or "Product Manager" is a role title (handled at the end as Mid).
    if any(
        title,
        &[
            "head of",
            "director",
            "directeur",
            "directrice",
            "vp",
            "vice president",
            "chief",
            "cto",
            "cfo",
            "ceo",
            "coo",
            "cmo",
            "geschäftsführer",
            "geschäftsführerin",
            "abteilungsleiter",
            "abteilungsleitung",
            "bereichsleiter",
            "engineering manager",
            "manager, engineering",
            "people manager",
            "team manager",
            "general manager",
            "managing director",
            "country manager",
            "manager of",
            "leiter",
            "leiterin",
            "leitung",
        ],
    ) || title.trim_start().starts_with("manager,")
    {
        return Some(JobLevel::Manager);
    }
    // "Internal", "International" never match: words are whole ("intern" ≠ "internal").
    if any(
        title,
        &[
            "intern",
            "internship",
            "interns",
            "praktikum",
            "pflichtpraktikum",
            "praktikant",
            "praktikantin",
            "werkstudent",
            "werkstudentin",
            "werkstudierende",
            "working student",
            "stagiaire",
            "summer analyst",
            "placement year",
            "industrial placement",
        ],
    ) || is_french_stage(title)
    {
        return Some(JobLevel::Internship);
    }
    if any(
        title,
        &[
            "graduate",
            "graduates",
            "grad",
            "new grad",
            "trainee",
            "traineeship",
            "traineeprogramm",
            "absolvent",
            "absolventen",
            "absolventin",
            "graduate scheme",
            "graduate programme",
            "graduate program",
            "jeune diplômé",
            "jeune diplome",
            "management trainee",
            "fellowship",
        ],
    ) {
        return Some(JobLevel::Graduate);
    }
    // "Lead Generation" is a marketing activity, not a rank; "leadership" never matches
    // "lead". "Staff" is a rank only for engineers and scientists: a "Staff Accountant"
    // is an entry-level accounting job in US usage.
    static LEAD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?-u:\b)(?:lead|principal|teamleiter|teamleiterin|teamleitung|team lead|team leader|tech lead|staff\+? (?:software |ml |machine learning |data |security |backend |frontend |product |research )?(?:engineer|developer|scientist|designer|architect))(?-u:\b)")
            .expect("valid regex")
    });
    if LEAD
        .find_iter(title)
        .any(|m| !title[m.end()..].trim_start().starts_with("gen"))
    {
        return Some(JobLevel::Lead);
    }
    // "(Senior)" or "(Junior)" in brackets opens the job to two levels; we report the
    // lower end because the job accepts it: "(Senior) Accountant" is Mid,
    // "(Junior) Project Manager" is Junior.
    if title.contains("(senior)") || title.contains("(sr.)") {
        return Some(JobLevel::Mid);
    }
    // "Senior Living", "senior care": the word describes the customers, not the rank.
    static SENIOR: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?-u:\b)(?:senior|sr\.?|snr)(?:\s|$|[^\p{L}])").expect("valid regex"));
    static SENIOR_CUSTOMERS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?-u:\b)seniors?\s+(?:living|care|citizens?|homes?|housing|residences?|communit(?:y|ies)|services)(?-u:\b)",
        )
        .expect("valid regex")
    });
    if SENIOR.is_match(title) && !SENIOR_CUSTOMERS.is_match(title) {
        return Some(JobLevel::Senior);
    }
    if any(
        title,
        &[
            "entry level",
            "entry-level",
            "berufseinsteiger",
            "berufseinsteigerin",
            "einsteiger",
            "apprentice",
            "apprenticeship",
            "ausbildung",
            "azubi",
        ],
    ) {
        return Some(JobLevel::Entry);
    }
    // "Associate Product Manager" is a junior rank; "Associate Director" was handled above.
    // Grade numerals ("Engineer II", "Analyst III - Angular") stand after the role,
    // before the end or a separator.
    static GRADE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\s(i{1,3}|iv)\s*(?:$|[-–,(|/])").expect("valid regex"));
    let grade = GRADE.captures(title).map(|c| c[1].len());
    if any(
        title,
        &["junior", "jr", "jr.", "associate", "(junior)", "einsteiger"],
    ) || grade == Some(1)
    {
        return Some(JobLevel::Junior);
    }
    if any(title, &["mid-level", "mid level", "medior", "intermediate"]) || grade == Some(2) {
        return Some(JobLevel::Mid);
    }
    if grade.is_some_and(|g| g >= 3) {
        return Some(JobLevel::Senior);
    }
    None
}

/// A board's seniority field ("Entry-level", "associate", "mid_senior_level",
/// "professional / experienced", "berufserfahren", "teamleitung", "student").
fn from_field(field: &str) -> Option<JobLevel> {
    let text = field.to_lowercase().replace(['_', '-'], " ");
    let level = if any(
        &text,
        &["intern", "internship", "student", "praktikum", "werkstudent"],
    ) {
        JobLevel::Internship
    } else if any(&text, &["graduate", "trainee", "new grad"]) {
        JobLevel::Graduate
    } else if any(
        &text,
        &[
            "entry",
            "entry level",
            "no experience",
            "einsteiger",
            "berufseinsteiger",
            "beginner",
        ],
    ) {
        JobLevel::Entry
    } else if any(&text, &["junior", "associate"]) {
        JobLevel::Junior
    } else if any(
        &text,
        &[
            "director",
            "executive",
            "head",
            "vp",
            "manager",
            "teamleitung",
            "management",
        ],
    ) {
        JobLevel::Manager
    } else if any(&text, &["lead", "principal", "staff"]) {
        JobLevel::Lead
    } else if any(
        &text,
        &[
            "mid",
            "mid level",
            "mid senior level",
            "experienced",
            "professional",
            "berufserfahren",
            "intermediate",
        ],
    ) {
        JobLevel::Mid
    } else if any(&text, &["senior", "expert"]) {
        JobLevel::Senior
    } else {
        return None;
    };
    Some(level)
}

/// Phrases in a description that open a job to beginners.
fn from_description(text: &str) -> Option<JobLevel> {
    static BEGINNERS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?-u:\b)(?:no (?:prior |previous |professional )?experience (?:is )?(?:required|needed|necessary)|recent graduates?|new graduates?|keine berufserfahrung (?:erforderlich|notwendig|nötig)|berufseinsteiger(?:innen)?(?-u:\b)|(?:ideal|perfect) (?:first|entry)[- ]level)")
            .expect("valid regex")
    });
    BEGINNERS.is_match(text).then_some(JobLevel::Entry)
}

/// Asked-for years as a level: none is entry, a year or two junior, five or more senior.
fn from_years(years: u8) -> JobLevel {
    match years {
        0 => JobLevel::Entry,
        1 | 2 => JobLevel::Junior,
        3 | 4 => JobLevel::Mid,
        _ => JobLevel::Senior,
    }
}
