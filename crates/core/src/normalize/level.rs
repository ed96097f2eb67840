//! How senior a job is, from the strongest evidence to the weakest: the title, the
//! board's seniority field, the employment type, then the description.

use std::sync::LazyLock;

use regex::Regex;

use super::cues;
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
///
/// Two or more years asked is not early-career, whatever the title says ("Junior
/// Consultant, 3+ years"). A board's level field is weighed against the description:
/// when they disagree, nothing is known.
pub(crate) fn job_level(input: &LevelInput<'_>) -> JobLevel {
    let title = input.title.to_lowercase();
    let years_rule_out = input.min_years.is_some_and(|y| y >= 2);
    if let Some(level) = from_title(&title) {
        return match level {
            JobLevel::Graduate | JobLevel::Entry | JobLevel::Junior if years_rule_out => {
                from_years(input.min_years.unwrap_or(2))
            }
            level => level,
        };
    }
    let experienced = years_rule_out || cues::asks_for_experience(input.description);
    let beginner = cues::beginner_level(input.description);
    let beginners = beginner.is_some();
    if let Some(level) = input.seniority.and_then(from_field) {
        let disagrees = if level.is_early_career() {
            experienced && !beginners
        } else {
            beginners && !experienced
        };
        return if disagrees { JobLevel::Unknown } else { level };
    }
    match input.employment {
        EmploymentType::Internship | EmploymentType::WorkingStudent => return JobLevel::Internship,
        EmploymentType::Apprenticeship => return JobLevel::Entry,
        _ => {}
    }
    if let Some(years) = input.min_years {
        return from_years(years);
    }
    match (beginner, experienced) {
        (Some(level), false) => level,
        (None, true) => JobLevel::Mid,
        // "Whether you are starting out or an expert": open to both, so unknown.
        (Some(JobLevel::Junior), true) => JobLevel::Mid,
        (Some(_), true) => JobLevel::Unknown,
        // "Account Manager", "Marketing Manager" name a role rather than a rank, but one
        // that is seldom a first job: with nothing else said, mid-level.
        (None, false) if has_word(&title, "manager") || has_word(&title, "managerin") => JobLevel::Mid,
        (None, false) => JobLevel::Unknown,
    }
}

fn any(text: &str, words: &[&str]) -> bool {
    words.iter().any(|w| has_word(text, w))
}

/// Title words, in order of precedence. Each rule notes the false friend it avoids.
fn from_title(title: &str) -> Option<JobLevel> {
    // Heads, directors and chiefs first: "Head of Graduate Recruitment" is not a
    // graduate job. "Associate Director" is a director. Only people-management
    // "managers" count here: "Engineering Manager" leads engineers, while "Account
    // Manager" or "Product Manager" is a role title, judged by what else is said.
    // "Responsable" (French and Spanish) is the person in charge; German compounds
    // in "-leiter" (Betriebsleiter, Regionalleiter) lead a unit; a Teamleiter is a lead.
    static LEITER: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\p{L}{3,}(?:leiter|leiterin|leitung)\b").expect("valid regex"));
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
            "responsable",
        ],
    ) || title.trim_start().starts_with("manager,")
        || LEITER.find_iter(title).any(|m| !m.as_str().starts_with("team"))
    {
        return Some(JobLevel::Manager);
    }
    // An early-career word that names the people the job serves, not its own level:
    // "Graduate Recruiter", "Apprenticeship Coordinator", "Ausbilder", "Trainer".
    if about_others(title) {
        return Some(JobLevel::Mid);
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
            "abschlussarbeit",
            "thesis",
            "becario",
            "becaria",
            "prácticas",
            "tirocinio",
            "tirocinante",
            "stagista",
            "stagiair",
            "afstudeerstage",
            "stażysta",
            "stażystka",
            "praktykant",
            "praktykantka",
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
    // Apprenticeships and work-study, whatever the contract field says ("Data Analyst -
    // En alternance" listed as a fixed-term contract).
    if any(
        title,
        &[
            "apprentice",
            "apprenticeship",
            "ausbildung",
            "azubi",
            "auszubildende",
            "auszubildender",
            "alternance",
            "alternant",
            "alternante",
            "alternant(e)",
            "apprenti",
            "apprentie",
            "apprentissage",
            "contrat de professionnalisation",
            "duales studium",
            "dualer student",
            "duale studentin",
            "dual study",
            "entry level",
            "entry-level",
            "berufseinsteiger",
            "berufseinsteigerin",
            "berufseinstieg",
            "einsteiger",
            "quereinsteiger",
            "quereinsteigerin",
        ],
    ) {
        return Some(JobLevel::Entry);
    }
    // "Lead Generation" is a marketing activity, not a rank; "leadership" never matches
    // "lead". "Staff" is a rank only for engineers and scientists: a "Staff Accountant"
    // is an entry-level accounting job in US usage.
    static LEAD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?-u:\b)(?:lead|leader|principal|teamleiter|teamleiterin|teamleitung|team lead|team leader|tech lead|staff\+? (?:software |ml |machine learning |data |security |backend |frontend |product |research )?(?:engineer|developer|scientist|designer|architect))(?-u:\b)")
            .expect("valid regex")
    });
    if LEAD
        .find_iter(title)
        .any(|m| !title[m.end()..].trim_start().starts_with("gen"))
    {
        return Some(JobLevel::Lead);
    }
    // "(Senior) X" or "(Junior) X" in brackets opens the job to two levels; we report the
    // lower end because the job accepts it: "(Senior) Accountant" is Mid,
    // "(Junior) Project Manager" is Junior.
    if title.contains("(senior)") || title.contains("(sr.)") {
        return Some(JobLevel::Mid);
    }
    // "Senior Living", "senior care": the word describes the customers, not the rank.
    static SENIOR: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?:^|[^\p{L}])(?:senior|sénior|sr\.?|snr)(?:\s|$|[^\p{L}])").expect("valid regex")
    });
    static SENIOR_CUSTOMERS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?-u:\b)seniors?\s+(?:living|care|citizens?|homes?|housing|residences?|communit(?:y|ies)|services)(?-u:\b)",
        )
        .expect("valid regex")
    });
    if SENIOR.is_match(title) && !SENIOR_CUSTOMERS.is_match(title) {
        return Some(JobLevel::Senior);
    }
    // Experts and architects are hired for experience ("Data Expert", "Architecte
    // Data"); "Expert-comptable" is a qualified accountant.
    if any(
        title,
        &[
            "expert",
            "experte",
            "expertin",
            "architect",
            "architecte",
            "architekt",
            "architektin",
            "arquitecto",
        ],
    ) {
        return Some(JobLevel::Senior);
    }
    // "Associate Product Manager", "Associate Consultant" are junior ranks; a "Sales
    // Associate" or "Store Associate" names a role, and "Associate Manager" is a
    // consulting grade above the entry ranks.
    static ASSOCIATE_RANK: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?-u:\b)associate\s+\p{L}").expect("valid regex"));
    if title.contains("associate manager") {
        return Some(JobLevel::Mid);
    }
    // Grade numerals ("Engineer II", "Analyst III - Angular") stand after the role,
    // before the end or a separator.
    static GRADE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\s(i{1,3}|iv)\s*(?:$|[-–,(|/])").expect("valid regex"));
    let grade = GRADE.captures(title).map(|c| c[1].len());
    if any(
        title,
        &["junior", "jr", "jr.", "(junior)", "młodszy", "młodsza", "junior-"],
    ) || ASSOCIATE_RANK.is_match(title)
        || grade == Some(1)
    {
        return Some(JobLevel::Junior);
    }
    if any(
        title,
        &[
            "mid-level",
            "mid level",
            "medior",
            "intermediate",
            "confirmé",
            "confirmée",
            "confirmé(e)",
            "confirmé.e",
            "expérimenté",
            "expérimentée",
            "expérimenté(e)",
            "experimentado",
            "experimentada",
            "erfahrener",
            "erfahrene",
            "qualified",
            "meister",
            "meisterin",
        ],
    ) || grade == Some(2)
    {
        return Some(JobLevel::Mid);
    }
    if grade.is_some_and(|g| g >= 3) {
        return Some(JobLevel::Senior);
    }
    None
}

/// Whether the title's early-career word names the people the job works for: it
/// recruits, trains, coordinates or mentors interns, graduates or apprentices.
fn about_others(title: &str) -> bool {
    static ABOUT_OTHERS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(concat!(
            r"(?-u:\b)(?:",
            r"(?:graduates?|interns?|internships?|trainees?|apprentices?|apprenticeships?|early careers?|campus|students?|azubis?|auszubildenden?|alternants?|alternance|stagiaires?)\s+(?:recruit\w*|talent\w*|programs?\s+(?:manager|coordinator|lead)|programmes?\s+(?:manager|coordinator|lead)|coordinator|trainer|mentor|tutor|assessor|advisor|adviser|officer|partner|development)",
            r"|(?:recruiter|recruitment|recruiting|coordinator|trainer|mentor|tutor|assessor)\s+(?:for\s+|of\s+|-\s+|–\s+|\(\s*)?(?:graduates?|interns?|apprentices?|apprenticeships?|trainees?|early careers?|students?)",
            r"|ausbilder\w*|praxisanleiter\w*|trainer|trainerin|assessor|mentor|mentorat|mentoring|formateur|formatrice|tuteur",
            r")(?-u:\b)",
        ))
        .expect("valid regex")
    });
    ABOUT_OTHERS.is_match(title)
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

/// Asked-for years as a level: none is entry, one junior, two to four mid, five or more
/// senior.
fn from_years(years: u8) -> JobLevel {
    match years {
        0 => JobLevel::Entry,
        1 => JobLevel::Junior,
        2..=4 => JobLevel::Mid,
        _ => JobLevel::Senior,
    }
}
