//! What a source adapter reads off a job board: the posting as the board states it,
//! before any interpretation. Normalization turns it into a [`crate::Job`].

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Pay as the board states it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RawSalary {
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// As given: "EUR", "€", "GBP"…
    pub currency: Option<String>,
    /// As given: "year", "YEAR", "per_month", "hourly"…
    pub period: Option<String>,
    /// Free text when that is all there is ("£30,000 - £35,000 per annum").
    pub text: Option<String>,
}

/// One posting, as read from one source. Every field is the board's own words.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RawPosting {
    /// The adapter: `greenhouse`, `lever`, `jsonld`…
    pub source: String,
    /// The board token, company slug or page URL within the source; empty for
    /// aggregators without boards.
    pub board: String,
    /// The source's own id for the posting, stable across fetches.
    pub external_id: String,
    pub title: String,
    pub company: String,
    /// The posting's public page.
    pub url: String,
    pub apply_url: Option<String>,
    /// Location strings as given ("London, UK", "Remote - Germany", "München").
    pub locations: Vec<String>,
    /// Country hints given apart from locations (codes or names).
    pub countries: Vec<String>,
    /// The one country the board covers (ISO 3166-1 alpha-2), for towns it names
    /// without one: Reed is British, Arbeitnow German, an Adzuna search one country's.
    pub board_country: Option<String>,
    /// An explicit remote flag, when the board has one.
    pub remote: Option<bool>,
    /// The board's workplace type as given ("hybrid", "onsite", "unspecified").
    pub workplace: Option<String>,
    pub department: Option<String>,
    /// As given ("Full-time", "FULL_TIME", "intern", "Werkstudent").
    pub employment_type: Option<String>,
    /// The board's seniority or experience level as given ("Entry-level", "associate").
    pub seniority: Option<String>,
    /// Third-party HTML: untrusted until sanitized.
    pub description_html: Option<String>,
    pub description_text: Option<String>,
    pub salary: Option<RawSalary>,
    pub posted_at: Option<OffsetDateTime>,
    pub valid_through: Option<OffsetDateTime>,
    /// The posting's language when the board says (ISO 639-1 or a name).
    pub language: Option<String>,
    pub tags: Vec<String>,
}
