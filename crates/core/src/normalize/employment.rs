//! The contract a posting offers, from the board's employment-type field and, for the
//! kinds a title names outright (Werkstudent, internship, apprenticeship), the title.

use super::words::has_word;
use crate::EmploymentType;

/// Reads the board's field ("Full-time", "FULL_TIME", "Vollzeit", "INTERN, FULL_TIME"),
/// then lets the title name a more specific kind: a "Werkstudent" job listed as
/// "Teilzeit" is a working-student job.
pub(crate) fn employment_type(field: Option<&str>, title: &str) -> EmploymentType {
    // A title that says "Vollzeit/Teilzeit" or "Part Time" speaks when the field is silent.
    let stated = match field.map_or(EmploymentType::Unknown, read) {
        EmploymentType::Unknown => read(title),
        stated => stated,
    };
    let from_title = specific(&title.to_lowercase());
    match (stated, from_title) {
        (
            EmploymentType::FullTime
            | EmploymentType::PartTime
            | EmploymentType::Unknown
            | EmploymentType::Internship,
            Some(EmploymentType::WorkingStudent),
        ) => EmploymentType::WorkingStudent,
        (EmploymentType::FullTime | EmploymentType::PartTime | EmploymentType::Unknown, Some(kind)) => kind,
        (stated, _) => stated,
    }
}

/// One employment-type field. When a field lists several ("INTERN, FULL_TIME"), the
/// most specific kind wins: an internship is full-time too, but the internship is the
/// news. Full-time is checked before part-time so "full-or-part-time" reads full-time.
fn read(field: &str) -> EmploymentType {
    let text = field.to_lowercase().replace(['_', '-'], " ");
    if let Some(kind) = specific(&text) {
        return kind;
    }
    let any = |words: &[&str]| words.iter().any(|w| has_word(&text, w));
    if any(&[
        "contract",
        "contractor",
        "freelance",
        "freelancer",
        "freiberuflich",
        "self employed",
        "b2b",
    ]) {
        EmploymentType::Contract
    } else if any(&[
        "temporary",
        "temp",
        "befristet",
        "fixed term",
        "seasonal",
        "interim",
        "cdd",
        "aushilfe",
    ]) {
        EmploymentType::Temporary
    } else if any(&[
        "full time",
        "fulltime",
        "vollzeit",
        "permanent",
        "regular",
        "festanstellung",
        "cdi",
        "fulltime permanent",
        "full or part time",
    ]) {
        EmploymentType::FullTime
    } else if any(&[
        "part time",
        "parttime",
        "teilzeit",
        "minijob",
        "mini job",
        "temps partiel",
    ]) {
        EmploymentType::PartTime
    } else {
        EmploymentType::Unknown
    }
}

/// The kinds a title or field names outright.
fn specific(text: &str) -> Option<EmploymentType> {
    let any = |words: &[&str]| words.iter().any(|w| has_word(text, w));
    if any(&[
        "werkstudent",
        "werkstudentin",
        "werkstudierende",
        "working student",
        "student job",
        "studentenjob",
    ]) {
        Some(EmploymentType::WorkingStudent)
    } else if any(&[
        "intern",
        "internship",
        "interns",
        "praktikum",
        "pflichtpraktikum",
        "praktikant",
        "praktikantin",
        "stagiaire",
        "placement year",
        "industrial placement",
    ]) || is_french_stage(text)
    {
        Some(EmploymentType::Internship)
    } else if any(&[
        "apprentice",
        "apprenticeship",
        "ausbildung",
        "azubi",
        "alternance",
        "apprenti",
        "lehrstelle",
    ]) {
        Some(EmploymentType::Apprenticeship)
    } else {
        None
    }
}

/// "Stage" is French for internship ("Stage - Assistant RH", "Assistant marketing (stage)",
/// "Stage de fin d'études") but English for a platform or a phase ("Early-stage",
/// "Stage Manager"), so it counts only at the start of a title, in brackets, or followed
/// by a French preposition.
pub(crate) fn is_french_stage(text: &str) -> bool {
    static STAGE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"(?i)(?:^\s*stage(?-u:\b)|[(\[]\s*stage\s*[)\]]|(?:^|[\s|/])stage\s+(?:en|de|d['’]|chez|au|à|pour|alterné|\d)(?-u:\b)|\s[-–]\s*stage\s*$)",
        )
        .expect("valid regex")
    });
    const ENGLISH_AFTER: &[&str] = &[
        "manager",
        "hand",
        "door",
        "designer",
        "crew",
        "technician",
        "management",
        "gate",
    ];
    STAGE.is_match(text)
        && !ENGLISH_AFTER
            .iter()
            .any(|w| text.to_lowercase().contains(&format!("stage {w}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn board_spellings_of_employment_types_are_read() {
        for (field, expected) in [
            ("Full-time", EmploymentType::FullTime),
            ("FULL_TIME", EmploymentType::FullTime),
            ("full_time", EmploymentType::FullTime),
            ("Vollzeit", EmploymentType::FullTime),
            ("fulltime_permanent", EmploymentType::FullTime),
            ("full-or-part-time", EmploymentType::FullTime),
            ("Teilzeit", EmploymentType::PartTime),
            ("part-time", EmploymentType::PartTime),
            ("Contract", EmploymentType::Contract),
            ("Freelance", EmploymentType::Contract),
            ("temporary", EmploymentType::Temporary),
            ("befristet", EmploymentType::Temporary),
            ("unbefristet, Vollzeit", EmploymentType::FullTime),
            ("intern", EmploymentType::Internship),
            ("INTERN, FULL_TIME", EmploymentType::Internship),
            ("Werkstudent", EmploymentType::WorkingStudent),
            ("apprenticeship", EmploymentType::Apprenticeship),
            ("Ausbildung", EmploymentType::Apprenticeship),
            ("Scholarship", EmploymentType::Unknown),
        ] {
            assert_eq!(employment_type(Some(field), "Analyst"), expected, "{field}");
        }
    }

    #[test]
    fn a_title_naming_a_working_student_job_outranks_a_generic_field() {
        assert_eq!(
            employment_type(Some("Teilzeit"), "Werkstudent*in (w/m/d) im Bereich Finance"),
            EmploymentType::WorkingStudent
        );
        assert_eq!(
            employment_type(None, "Pflichtpraktikum Marketing (m/f/x)"),
            EmploymentType::Internship
        );
        assert_eq!(
            employment_type(Some("Contract"), "Software Engineer, Internship"),
            EmploymentType::Contract
        );
        assert_eq!(employment_type(None, "Internal Auditor"), EmploymentType::Unknown);
        assert_eq!(
            employment_type(None, "Part Time Receptionist"),
            EmploymentType::PartTime
        );
        assert_eq!(
            employment_type(None, "Data Scientist (m/w/d) - Vollzeit/Teilzeit"),
            EmploymentType::FullTime
        );
        assert_eq!(
            employment_type(None, "Early-stage Startup Analyst"),
            EmploymentType::Unknown
        );
        assert_eq!(employment_type(None, "Stage Manager"), EmploymentType::Unknown);
        assert_eq!(
            employment_type(None, "Stage - Assistant(e) RH H/F"),
            EmploymentType::Internship
        );
        assert_eq!(
            employment_type(None, "Assistant marketing (stage)"),
            EmploymentType::Internship
        );
    }
}
