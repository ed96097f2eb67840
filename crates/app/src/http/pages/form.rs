//! The preferences form, shared by `/signup` and `/preferences`: the choices from the
//! vocabulary and the taxonomy, what the person entered, and each field's message.

use jobping_core::FieldError;
use jobping_core::{CareerPath, EntryLevel, Experience, Visa, WorkEnvironment};
use jobping_core::{RawPreferences, Taxonomy};
use serde::Deserialize;

/// One checkbox or option.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

/// The form's fields as the browser posts them (repeated keys for checkboxes,
/// comma-separated text for free lists). The signup form adds the address and consents.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PrefsInput {
    pub email: String,
    pub consent: Option<String>,
    pub marketing: Option<String>,
    pub cities: Vec<String>,
    pub career_paths: Vec<String>,
    pub roles: String,
    pub entry_levels: Vec<String>,
    pub experience: String,
    pub work_environments: Vec<String>,
    pub visa: String,
    pub languages: Vec<String>,
    pub skills: String,
    pub keywords: String,
    pub excluded_companies: String,
    pub start_date: String,
    pub salary_floor: String,
}

impl PrefsInput {
    /// The raw preferences this input stands for.
    pub fn to_raw(&self) -> RawPreferences {
        let list = |text: &str| -> Vec<String> {
            text.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        };
        let one = |text: &str| Some(text.trim().to_owned()).filter(|t| !t.is_empty());
        RawPreferences {
            cities: self.cities.clone(),
            career_paths: self.career_paths.clone(),
            roles: list(&self.roles),
            entry_levels: self.entry_levels.clone(),
            experience: one(&self.experience),
            work_environments: self.work_environments.clone(),
            visa: one(&self.visa),
            languages: self.languages.clone(),
            skills: list(&self.skills),
            keywords: list(&self.keywords),
            excluded_companies: list(&self.excluded_companies),
            start_date: one(&self.start_date),
            salary_floor: one(&self.salary_floor),
        }
    }
}

/// The form as a template shows it.
pub struct PrefsForm {
    /// (field, message), the field without any `[index]`, in form order.
    pub errors: Vec<(String, String)>,
    pub cities: Vec<Choice>,
    pub career_paths: Vec<Choice>,
    pub entry_levels: Vec<Choice>,
    pub experience: Vec<Choice>,
    pub work_environments: Vec<Choice>,
    pub visa: Vec<Choice>,
    pub languages: Vec<Choice>,
    pub roles: String,
    pub skills: String,
    pub keywords: String,
    pub excluded_companies: String,
    pub start_date: String,
    pub salary_floor: String,
    /// Company exclusions and the salary floor are premium filters.
    pub show_exclusions: bool,
}

const FIELD_ORDER: &[(&str, &str)] = &[
    ("email", "Email address"),
    ("cities", "Cities"),
    ("career_paths", "Career path"),
    ("roles", "Roles"),
    ("entry_levels", "Kind of first step"),
    ("experience", "Work experience"),
    ("work_environments", "Ways of working"),
    ("visa", "Right to work"),
    ("languages", "Languages"),
    ("start_date", "Start date"),
    ("skills", "Skills"),
    ("keywords", "Keywords"),
    ("excluded_companies", "Companies to leave out"),
    ("salary_floor", "Lowest yearly salary"),
    ("consent", "Consent"),
];

fn choices<T: Copy>(
    all: &[T],
    value: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> String,
    chosen: &[String],
) -> Vec<Choice> {
    all.iter()
        .map(|item| {
            let value = value(*item);
            Choice {
                value: value.to_owned(),
                label: label(*item),
                checked: chosen.iter().any(|c| c.trim().eq_ignore_ascii_case(value)),
            }
        })
        .collect()
}

impl PrefsForm {
    /// The form showing `raw`, with `errors` beside their fields.
    pub fn new(raw: &RawPreferences, errors: &[FieldError], show_exclusions: bool) -> Self {
        let taxonomy = Taxonomy::embedded();
        let mut cities: Vec<Choice> = taxonomy
            .cities
            .iter()
            .map(|city| Choice {
                value: city.slug.clone(),
                label: city.name.clone(),
                checked: raw
                    .cities
                    .iter()
                    .any(|c| c.trim().eq_ignore_ascii_case(&city.slug)),
            })
            .collect();
        cities.sort_by(|a, b| a.label.cmp(&b.label));
        let languages = taxonomy
            .languages
            .iter()
            .map(|language| Choice {
                value: language.code.clone(),
                label: language.name.clone(),
                checked: raw
                    .languages
                    .iter()
                    .any(|c| c.trim().eq_ignore_ascii_case(&language.code)),
            })
            .collect();
        let single = |value: &Option<String>| value.iter().cloned().collect::<Vec<_>>();
        Self {
            errors: ordered_errors(errors),
            cities,
            career_paths: choices(
                CareerPath::ALL,
                CareerPath::as_str,
                |p| taxonomy.career_path(p).name.clone(),
                &raw.career_paths,
            ),
            entry_levels: choices(
                EntryLevel::ALL,
                EntryLevel::as_str,
                entry_label,
                &raw.entry_levels,
            ),
            experience: choices(
                Experience::ALL,
                Experience::as_str,
                experience_label,
                &single(&raw.experience),
            ),
            work_environments: choices(
                WorkEnvironment::ALL,
                WorkEnvironment::as_str,
                work_label,
                &raw.work_environments,
            ),
            visa: choices(Visa::ALL, Visa::as_str, visa_label, &single(&raw.visa)),
            languages,
            roles: raw.roles.join(", "),
            skills: raw.skills.join(", "),
            keywords: raw.keywords.join(", "),
            excluded_companies: raw.excluded_companies.join(", "),
            start_date: raw.start_date.clone().unwrap_or_default(),
            salary_floor: raw.salary_floor.clone().unwrap_or_default(),
            show_exclusions,
        }
    }

    pub fn has_error(&self, field: &str) -> bool {
        self.errors.iter().any(|(f, _)| f == field)
    }

    /// The field's messages, joined.
    pub fn error(&self, field: &str) -> Option<String> {
        let messages: Vec<&str> = self
            .errors
            .iter()
            .filter(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
            .collect();
        (!messages.is_empty()).then(|| messages.join("; "))
    }

    /// A field's name as the form labels it.
    pub fn label_of(&self, field: &str) -> &'static str {
        FIELD_ORDER
            .iter()
            .find(|(f, _)| *f == field)
            .map_or("This field", |(_, label)| label)
    }
}

/// Errors keyed by their field (`cities[1]` belongs to `cities`), in the form's order.
fn ordered_errors(errors: &[FieldError]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = errors
        .iter()
        .map(|e| {
            let field = e.field.split('[').next().unwrap_or(&e.field).to_owned();
            (field, e.message.clone())
        })
        .collect();
    out.sort_by_key(|(field, _)| {
        FIELD_ORDER
            .iter()
            .position(|(f, _)| f == field)
            .unwrap_or(usize::MAX)
    });
    out
}

fn entry_label(level: EntryLevel) -> String {
    match level {
        EntryLevel::Internship => "Internship",
        EntryLevel::Graduate => "Graduate programme",
        EntryLevel::Entry => "Entry-level job",
        EntryLevel::Unsure => "Not sure yet",
    }
    .to_owned()
}

fn experience_label(experience: Experience) -> String {
    match experience {
        Experience::None => "None yet",
        Experience::SixMonths => "About 6 months",
        Experience::OneYear => "About 1 year",
        Experience::OneToTwoYears => "1 to 2 years",
        Experience::TwoYears => "2 years",
        Experience::ThreePlusYears => "3 years or more",
    }
    .to_owned()
}

fn work_label(environment: WorkEnvironment) -> String {
    match environment {
        WorkEnvironment::Office => "In the office",
        WorkEnvironment::Hybrid => "Hybrid",
        WorkEnvironment::Remote => "Remote",
    }
    .to_owned()
}

fn visa_label(visa: Visa) -> String {
    match visa {
        Visa::Eu => "EU/EEA or Swiss citizen",
        Visa::EuUk => "EU and UK citizen",
        Visa::Uk => "UK citizen",
        Visa::Sponsorship => "I need visa sponsorship",
        Visa::Student => "I am on a student visa",
    }
    .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comma_lists_are_split_and_trimmed_and_empty_text_is_absent() {
        let input = PrefsInput {
            roles: " Data Analyst ,, BI Analyst ".to_owned(),
            experience: "  ".to_owned(),
            ..PrefsInput::default()
        };
        let raw = input.to_raw();
        assert_eq!(raw.roles, vec!["Data Analyst", "BI Analyst"]);
        assert_eq!(raw.experience, None);
        assert!(raw.skills.is_empty());
    }

    #[test]
    fn errors_are_grouped_by_field_in_form_order() {
        let errors = vec![
            FieldError::new("consent", "required"),
            FieldError::new("cities[1]", "`atlantis` is not a city JobPing covers"),
            FieldError::new("email", "bad"),
        ];
        let form = PrefsForm::new(&RawPreferences::default(), &errors, false);
        let fields: Vec<&str> = form.errors.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, vec!["email", "cities", "consent"]);
        assert!(form.has_error("cities"));
        assert_eq!(form.label_of("visa"), "Right to work");
    }

    #[test]
    fn chosen_values_are_checked() {
        let raw = RawPreferences {
            cities: vec!["berlin".into()],
            visa: Some("eu".into()),
            ..RawPreferences::default()
        };
        let form = PrefsForm::new(&raw, &[], false);
        assert!(form.cities.iter().any(|c| c.value == "berlin" && c.checked));
        assert_eq!(form.cities.iter().filter(|c| c.checked).count(), 1);
        assert!(form.visa.iter().any(|c| c.value == "eu" && c.checked));
    }
}
