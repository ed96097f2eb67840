//! A subscriber's preferences: one shape for the signup form, the API, `jobping match
//! --preferences` and the data export. Built only by [`Preferences::parse`], which
//! checks every field against the vocabulary and the taxonomy and names each bad one.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::taxonomy::Taxonomy;
use crate::vocab::{CareerPath, EntryLevel, Experience, Visa, WorkEnvironment};

/// One field that failed validation, named as the client sent it (`cities[1]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Preferences as received: every value still text.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawPreferences {
    pub cities: Vec<String>,
    pub career_paths: Vec<String>,
    pub roles: Vec<String>,
    pub entry_levels: Vec<String>,
    pub experience: Option<String>,
    pub work_environments: Vec<String>,
    pub visa: Option<String>,
    pub languages: Vec<String>,
    pub skills: Vec<String>,
    pub keywords: Vec<String>,
    pub excluded_companies: Vec<String>,
    pub start_date: Option<String>,
    /// The least a job may pay a year, as "30000 EUR" (premium).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub salary_floor: Option<String>,
}

/// Checked preferences.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Preferences {
    cities: Vec<String>,
    career_paths: Vec<CareerPath>,
    roles: Vec<String>,
    entry_levels: Vec<EntryLevel>,
    experience: Experience,
    work_environments: Vec<WorkEnvironment>,
    visa: Visa,
    languages: Vec<String>,
    skills: Vec<String>,
    keywords: Vec<String>,
    excluded_companies: Vec<String>,
    #[serde(serialize_with = "serialize_date")]
    start_date: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    salary_floor: Option<SalaryFloor>,
}

/// The least a job may pay a year, in one currency. Only a job that states its pay in
/// that currency can fall below it: one without a salary, or in another currency, is
/// not judged (no exchange rates are guessed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SalaryFloor {
    pub annual: u32,
    /// ISO 4217, upper case.
    pub currency: String,
}

impl SalaryFloor {
    /// "30000 EUR", "30,000 eur", "30.000 EUR", "EUR 30000".
    fn parse(text: &str) -> Result<Self, String> {
        let bad = || format!("`{text}` is not a yearly amount and currency like 30000 EUR");
        let parts: Vec<&str> = text.split_whitespace().collect();
        let is_code = |p: &str| p.len() == 3 && p.chars().all(|c| c.is_ascii_alphabetic());
        let (amount, currency) = match parts.as_slice() {
            [amount, code] if is_code(code) => (*amount, *code),
            [code, amount] if is_code(code) => (*amount, *code),
            _ => return Err(bad()),
        };
        let digits: String = amount
            .chars()
            .filter(|c| !matches!(c, ',' | '.' | '\'' | '_'))
            .collect();
        if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(bad());
        }
        let annual: u32 = digits.parse().map_err(|_| bad())?;
        if !(1_000..=1_000_000).contains(&annual) {
            return Err(format!(
                "a yearly salary floor must be between 1000 and 1000000, not {annual}"
            ));
        }
        Ok(Self {
            annual,
            currency: currency.to_ascii_uppercase(),
        })
    }
}

/// Written as it is read: "30000 EUR".
impl Serialize for SalaryFloor {
    fn serialize<S: serde::Serializer>(&self, out: S) -> Result<S::Ok, S::Error> {
        out.collect_str(self)
    }
}

impl std::fmt::Display for SalaryFloor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.annual, self.currency)
    }
}

const DATE: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

fn serialize_date<S: serde::Serializer>(date: &Option<Date>, serializer: S) -> Result<S::Ok, S::Error> {
    match date {
        Some(date) => serializer.serialize_str(&date.format(DATE).map_err(serde::ser::Error::custom)?),
        None => serializer.serialize_none(),
    }
}

/// Collects errors field by field, so a form shows them all at once.
struct Check {
    errors: Vec<FieldError>,
}

impl Check {
    fn fail(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, message));
    }

    /// Parses each entry with `parse`, requiring between `min` and `max` distinct ones.
    fn list<T: PartialEq>(
        &mut self,
        field: &str,
        values: &[String],
        (min, max): (usize, usize),
        mut parse: impl FnMut(&str) -> Result<T, String>,
    ) -> Vec<T> {
        let mut out = Vec::new();
        for (i, value) in values.iter().enumerate() {
            match parse(value.trim()) {
                Ok(item) if out.contains(&item) => self.fail(format!("{field}[{i}]"), "is listed twice"),
                Ok(item) => out.push(item),
                Err(message) => self.fail(format!("{field}[{i}]"), message),
            }
        }
        if values.len() < min || values.len() > max {
            let message = match (min, max) {
                (0, max) => format!("choose at most {max}"),
                (min, usize::MAX) => format!("choose at least {min}"),
                (min, max) if min == max => format!("choose exactly {min}"),
                (min, max) => format!("choose between {min} and {max}"),
            };
            self.fail(field, message);
        }
        out
    }

    /// Free-text entries: trimmed, non-empty, at most `max_len` characters, at most `max`.
    fn texts(&mut self, field: &str, values: &[String], max: usize, max_len: usize) -> Vec<String> {
        self.list(field, values, (0, max), |text| {
            let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
            if text.is_empty() {
                Err("must not be empty".to_owned())
            } else if text.chars().count() > max_len {
                Err(format!("must be at most {max_len} characters"))
            } else {
                Ok(text)
            }
        })
    }

    fn one<T>(
        &mut self,
        field: &str,
        value: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        match value.map(str::trim).filter(|v| !v.is_empty()) {
            None => {
                self.fail(field, "is required");
                None
            }
            Some(text) => parse(text).map_err(|message| self.fail(field, message)).ok(),
        }
    }
}

fn vocabulary<T: std::str::FromStr + Copy>(
    all: &[T],
    name: impl Fn(T) -> &'static str,
) -> impl Fn(&str) -> Result<T, String> {
    move |text| {
        text.to_ascii_lowercase().parse().map_err(|_| {
            let choices: Vec<&str> = all.iter().map(|v| name(*v)).collect();
            format!("`{text}` is not one of: {}", choices.join(", "))
        })
    }
}

impl Preferences {
    /// Checks raw preferences; on failure, every bad field is named.
    pub fn parse(raw: &RawPreferences, taxonomy: &Taxonomy) -> Result<Self, Vec<FieldError>> {
        let mut check = Check { errors: Vec::new() };
        let cities = check.list("cities", &raw.cities, (1, 3), |slug| {
            let slug = slug.to_lowercase();
            match taxonomy.city(&slug).is_some() {
                true => Ok(slug),
                false => Err(format!("`{slug}` is not a city JobPing covers")),
            }
        });
        let career_paths = check.list(
            "career_paths",
            &raw.career_paths,
            (1, 2),
            vocabulary(CareerPath::ALL, CareerPath::as_str),
        );
        let roles = check.texts("roles", &raw.roles, 10, 80);
        let entry_levels = check.list(
            "entry_levels",
            &raw.entry_levels,
            (1, usize::MAX),
            vocabulary(EntryLevel::ALL, EntryLevel::as_str),
        );
        let experience = check.one(
            "experience",
            raw.experience.as_deref(),
            vocabulary(Experience::ALL, Experience::as_str),
        );
        let work_environments = check.list(
            "work_environments",
            &raw.work_environments,
            (1, usize::MAX),
            vocabulary(WorkEnvironment::ALL, WorkEnvironment::as_str),
        );
        let visa = check.one("visa", raw.visa.as_deref(), vocabulary(Visa::ALL, Visa::as_str));
        let languages = check.list("languages", &raw.languages, (1, 10), |code| {
            let code = code.to_ascii_lowercase();
            match taxonomy.language(&code) {
                Some(_) => Ok(code),
                None => Err(format!(
                    "`{code}` is not a language code JobPing knows (use ISO 639-1, like `en`)"
                )),
            }
        });
        let skills = check.texts("skills", &raw.skills, 20, 50);
        let keywords = check.texts("keywords", &raw.keywords, 20, 50);
        let excluded_companies = check.texts("excluded_companies", &raw.excluded_companies, 50, 120);
        let start_date = raw
            .start_date
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .and_then(|text| {
                Date::parse(text, DATE)
                    .map_err(|_| check.fail("start_date", format!("`{text}` is not a date like 2026-09-01")))
                    .ok()
            });
        let salary_floor = raw
            .salary_floor
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .and_then(|text| {
                SalaryFloor::parse(text)
                    .map_err(|message| check.fail("salary_floor", message))
                    .ok()
            });
        match (experience, visa) {
            (Some(experience), Some(visa)) if check.errors.is_empty() => Ok(Self {
                cities,
                career_paths,
                roles,
                entry_levels,
                experience,
                work_environments,
                visa,
                languages,
                skills,
                keywords,
                excluded_companies,
                start_date,
                salary_floor,
            }),
            _ => Err(check.errors),
        }
    }

    /// Back to the raw shape, for export and for re-showing a form.
    pub fn to_raw(&self) -> RawPreferences {
        let texts = |items: &[String]| items.to_vec();
        RawPreferences {
            cities: texts(&self.cities),
            career_paths: self.career_paths.iter().map(|p| p.as_str().to_owned()).collect(),
            roles: texts(&self.roles),
            entry_levels: self.entry_levels.iter().map(|l| l.as_str().to_owned()).collect(),
            experience: Some(self.experience.as_str().to_owned()),
            work_environments: self
                .work_environments
                .iter()
                .map(|w| w.as_str().to_owned())
                .collect(),
            visa: Some(self.visa.as_str().to_owned()),
            languages: texts(&self.languages),
            skills: texts(&self.skills),
            keywords: texts(&self.keywords),
            excluded_companies: texts(&self.excluded_companies),
            start_date: self.start_date.and_then(|d| d.format(DATE).ok()),
            salary_floor: self.salary_floor.as_ref().map(ToString::to_string),
        }
    }

    /// City slugs, 1 to 3.
    pub fn cities(&self) -> &[String] {
        &self.cities
    }
    /// Career paths, 1 or 2.
    pub fn career_paths(&self) -> &[CareerPath] {
        &self.career_paths
    }
    pub fn roles(&self) -> &[String] {
        &self.roles
    }
    pub fn entry_levels(&self) -> &[EntryLevel] {
        &self.entry_levels
    }
    pub fn experience(&self) -> Experience {
        self.experience
    }
    pub fn work_environments(&self) -> &[WorkEnvironment] {
        &self.work_environments
    }
    pub fn visa(&self) -> Visa {
        self.visa
    }
    /// ISO 639-1 codes of the languages the subscriber works in.
    pub fn languages(&self) -> &[String] {
        &self.languages
    }
    pub fn skills(&self) -> &[String] {
        &self.skills
    }
    pub fn keywords(&self) -> &[String] {
        &self.keywords
    }
    pub fn excluded_companies(&self) -> &[String] {
        &self.excluded_companies
    }
    pub fn start_date(&self) -> Option<Date> {
        self.start_date
    }
    pub fn salary_floor(&self) -> Option<&SalaryFloor> {
        self.salary_floor.as_ref()
    }
}

#[cfg(test)]
mod tests;
