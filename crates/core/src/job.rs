//! A normalized job: every field interpreted against the taxonomy, and `Unknown` (or
//! `None`) wherever the posting does not say.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::text_enum;
use crate::vocab::{CareerPath, WorkEnvironment};

text_enum! {
    /// How senior a job is.
    JobLevel, "job level" {
        Internship => "internship",
        /// A graduate programme or trainee scheme.
        Graduate => "graduate",
        Entry => "entry",
        Junior => "junior",
        Mid => "mid",
        Senior => "senior",
        Lead => "lead",
        Manager => "manager",
        Unknown => "unknown",
    }
}

impl JobLevel {
    /// Internships, graduate programmes, entry-level and junior roles.
    pub fn is_early_career(self) -> bool {
        matches!(
            self,
            Self::Internship | Self::Graduate | Self::Entry | Self::Junior
        )
    }
}

text_enum! {
    /// What a posting says about visas.
    VisaSignal, "visa signal" {
        /// The employer sponsors work visas.
        Sponsors => "sponsors",
        /// The employer says it does not sponsor.
        NoSponsorship => "no_sponsorship",
        /// Applicants must already have the right to work.
        RightToWorkRequired => "right_to_work_required",
        Unknown => "unknown",
    }
}

text_enum! {
    /// The contract a posting offers.
    EmploymentType, "employment type" {
        FullTime => "full_time",
        PartTime => "part_time",
        Contract => "contract",
        Temporary => "temporary",
        Internship => "internship",
        /// A German-style working-student job (Werkstudent) alongside studies.
        WorkingStudent => "working_student",
        Apprenticeship => "apprenticeship",
        Unknown => "unknown",
    }
}

text_enum! {
    /// The period a salary figure is paid for.
    SalaryPeriod, "salary period" {
        Hour => "hour",
        Day => "day",
        Week => "week",
        Month => "month",
        Year => "year",
    }
}

/// Pay, checked: `min <= max`, a known currency and period, and the yearly equivalent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Salary {
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// ISO 4217 code ("EUR", "GBP").
    pub currency: String,
    pub period: SalaryPeriod,
    pub annual_min: Option<f64>,
    pub annual_max: Option<f64>,
}

/// One place a job is in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobLocation {
    /// A taxonomy city slug, when the place is one of ours.
    pub city: Option<String>,
    /// ISO 3166-1 alpha-2 country code, when known.
    pub country: Option<String>,
    /// The board's own words for it.
    pub raw: String,
}

/// Where a remote job may be done from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "countries", rename_all = "snake_case")]
pub enum RemoteScope {
    /// Not a remote job.
    NotRemote,
    /// Remote from anywhere.
    Anywhere,
    /// Remote from these countries (ISO 3166-1 alpha-2).
    Countries(Vec<String>),
    /// Remote, but the posting does not say from where.
    Unknown,
}

/// A normalized posting, ready to store and match.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    pub source: String,
    pub board: String,
    pub external_id: String,
    pub title: String,
    pub company: String,
    pub url: String,
    pub apply_url: Option<String>,
    pub locations: Vec<JobLocation>,
    /// `None` when the posting does not say how the work is done.
    pub work_environment: Option<WorkEnvironment>,
    pub remote_scope: RemoteScope,
    pub level: JobLevel,
    /// The fewest years of experience the posting asks for, when it says.
    pub min_years_experience: Option<u8>,
    /// Paths the job fits, best first; empty when none is clear.
    pub career_paths: Vec<CareerPath>,
    pub department: Option<String>,
    pub visa: VisaSignal,
    /// Languages the posting requires (ISO 639-1), besides the one it is written in.
    pub languages_required: Vec<String>,
    /// The language the description is written in (ISO 639-1), when detectable.
    pub description_language: Option<String>,
    pub salary: Option<Salary>,
    pub employment_type: EmploymentType,
    #[serde(with = "time::serde::rfc3339::option")]
    pub posted_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub valid_through: Option<OffsetDateTime>,
    /// The description as plain text.
    pub description_text: String,
    /// The description as sanitized HTML, safe to show.
    pub description_html: String,
    /// Cross-source identity: normalized company, title and city.
    pub fingerprint: String,
}
