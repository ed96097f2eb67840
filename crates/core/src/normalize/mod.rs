//! Normalization: a RawPosting becomes a Job.
//!
//! One pure function, [`normalize`], between what a source adapter read off a board and
//! what JobPing stores and matches. A posting without a title, company, URL or id is
//! rejected; every other field is best effort and says "unknown" (`None`, `Unknown`,
//! empty) rather than guessing.

mod career;
mod city_part;
mod cues;
mod deadline;
mod employment;
mod encoding;
mod experience;
mod fingerprint;
mod language;
mod level;
mod location;
mod plain_html;
#[cfg(test)]
mod plain_html_tests;
mod postcode;
mod region;
mod salary;
mod stated_place;
mod text;
mod towns;
mod visa;
mod words;
mod work_mode;
mod work_mode_phrases;
#[cfg(test)]
mod work_mode_tests;

#[cfg(test)]
mod level_tests;
#[cfg(test)]
mod location_tests;
#[cfg(test)]
mod salary_tests;
#[cfg(test)]
mod tests;

use time::{Duration, OffsetDateTime};

pub(crate) use career::CareerKeywords;
pub use fingerprint::fingerprint;
pub(crate) use fingerprint::fnv1a_64;

use crate::posting::RawPosting;
use crate::taxonomy::Taxonomy;
use crate::{Job, WorkEnvironment};

/// Why a posting cannot be used at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejected {
    #[error("the posting has no title")]
    MissingTitle,
    #[error("the posting has no company")]
    MissingCompany,
    #[error("the posting has no URL")]
    MissingUrl,
    #[error("the posting has no id from its source")]
    MissingExternalId,
    #[error("the posting's URL is not http(s): `{0}`")]
    UnsupportedUrl(String),
}

/// Bump when `normalize` reads the same posting differently, so that every posting is
/// normalized afresh on its board's next scrape rather than skipped as unchanged.
const NORMALIZATION_REVISION: u32 = 5;

/// A stable hash of what a board sent for one posting and of what reads it (this
/// crate's version, [`NORMALIZATION_REVISION`] and the taxonomy). A re-scrape that
/// finds a posting's hash unchanged knows normalizing it again would give the same job.
///
/// The fields are hashed as they are, each framed by its length, rather than as JSON:
/// escaping kilobytes of HTML for JSON cost more than the hashing itself.
pub fn posting_hash(raw: &RawPosting, taxonomy: &Taxonomy) -> String {
    let mut hash = PostingHasher(xxhash_rust::xxh3::Xxh3::new());
    hash.text(env!("CARGO_PKG_VERSION"));
    hash.0.update(&NORMALIZATION_REVISION.to_le_bytes());
    hash.0.update(&taxonomy.revision().to_le_bytes());
    // Every field named, none skipped with `..`: a field added to RawPosting does not
    // compile here until it is hashed too.
    let RawPosting {
        source,
        board,
        external_id,
        title,
        company,
        url,
        apply_url,
        locations,
        countries,
        board_country,
        remote,
        workplace,
        department,
        employment_type,
        seniority,
        description_html,
        description_text,
        salary,
        posted_at,
        valid_through,
        language,
        tags,
    } = raw;
    for text in [source, board, external_id, title, company, url] {
        hash.text(text);
    }
    hash.optional(apply_url.as_deref());
    hash.texts(locations);
    hash.texts(countries);
    hash.tag(remote.map_or(0, |remote| 1 + u8::from(remote)));
    for text in [
        board_country,
        workplace,
        department,
        employment_type,
        seniority,
        description_html,
        description_text,
    ] {
        hash.optional(text.as_deref());
    }
    match salary {
        None => hash.tag(0),
        Some(crate::posting::RawSalary {
            min,
            max,
            currency,
            period,
            text,
        }) => {
            hash.tag(1);
            for amount in [min, max] {
                hash.tag(u8::from(amount.is_some()));
                hash.0.update(&amount.unwrap_or_default().to_bits().to_le_bytes());
            }
            for text in [currency, period, text] {
                hash.optional(text.as_deref());
            }
        }
    }
    for at in [posted_at, valid_through] {
        hash.tag(u8::from(at.is_some()));
        let nanos = at.map_or(0, |at| at.unix_timestamp_nanos());
        hash.0.update(&nanos.to_le_bytes());
    }
    hash.optional(language.as_deref());
    hash.texts(tags);
    hex(hash.0.digest())
}

/// Feeds a posting's fields to XXH3 so that no two postings feed the same bytes: each
/// text is preceded by its length, each optional or list by a tag or count.
struct PostingHasher(xxhash_rust::xxh3::Xxh3);

impl PostingHasher {
    fn tag(&mut self, tag: u8) {
        self.0.update(&[tag]);
    }

    fn text(&mut self, text: &str) {
        self.0.update(&(text.len() as u64).to_le_bytes());
        self.0.update(text.as_bytes());
    }

    fn optional(&mut self, text: Option<&str>) {
        match text {
            None => self.tag(0),
            Some(text) => {
                self.tag(1);
                self.text(text);
            }
        }
    }

    fn texts(&mut self, texts: &[String]) {
        self.0.update(&(texts.len() as u64).to_le_bytes());
        for text in texts {
            self.text(text);
        }
    }
}

/// A stable 64-bit hash of some content, as 16 hex digits: XXH3, which is fixed by its
/// specification and reads kilobytes in well under a microsecond (FNV-1a, used for
/// the short fingerprint keys, costs several microseconds a posting here).
pub fn content_hash(bytes: &[u8]) -> String {
    hex(xxhash_rust::xxh3::xxh3_64(bytes))
}

/// A 64-bit hash as the 16 hex digits it is stored as.
fn hex(hash: u64) -> String {
    format!("{hash:016x}")
}

/// Interprets a raw posting against the taxonomy. `now` bounds the posting date: a
/// date more than a day in the future is a board's clock or unit error, not a fact, so
/// it is dropped.
pub fn normalize(raw: &RawPosting, taxonomy: &Taxonomy, now: OffsetDateTime) -> Result<Job, Rejected> {
    let Identity {
        title,
        company,
        external_id,
        url,
    } = identity(raw)?;
    let description = text::describe(raw.description_html.as_deref(), raw.description_text.as_deref());
    let mut placement = location::place(raw, &title, &description.text, taxonomy);
    stated_place::add_stated_city(&mut placement.locations, &title, &description.text, taxonomy);
    let department = raw.department.as_deref().map(one_line).filter(|d| !d.is_empty());
    let employment_type = employment::employment_type(raw.employment_type.as_deref(), &title);

    let min_years_experience = raw
        .seniority
        .as_deref()
        .and_then(experience::years_from_field)
        .or_else(|| experience::min_years_experience(&[&description.text]));
    let level = level::job_level(&level::LevelInput {
        title: &title,
        seniority: raw.seniority.as_deref(),
        employment: employment_type,
        description: &description.text,
        min_years: min_years_experience,
    });
    // Lowercased once for the readers that search the title and description by word.
    let (title_folded, text_folded) = (text::Folded::new(&title), text::Folded::new(&description.text));
    let career_paths = career::career_paths(&title_folded, department.as_deref(), &text_folded, taxonomy);
    let visa = visa::job_visa_signal(&title, &description.text);
    let languages_required = language::languages_required(&[&title_folded, &text_folded], taxonomy);
    // The board's own statement first: it costs nothing, while detection is the dearest
    // step of normalization and is only needed when the board is silent.
    let description_language = raw
        .language
        .as_deref()
        .and_then(|l| language::stated_language(l, taxonomy))
        .or_else(|| language::description_language(&description.text));

    let first_country = placement.locations.iter().find_map(|l| l.country.as_deref());
    let salary = salary::salary(raw.salary.as_ref(), &description.text, first_country);

    let place = fingerprint_place(&placement, taxonomy);
    let fingerprint = fingerprint::fingerprint(&company, &title, &place);

    let apply_url = raw
        .apply_url
        .as_deref()
        .map(str::trim)
        .filter(|u| is_web_url(u))
        .map(str::to_owned);
    Ok(Job {
        source: raw.source.trim().to_owned(),
        board: raw.board.trim().to_owned(),
        external_id,
        title,
        company,
        url,
        apply_url,
        locations: placement.locations,
        work_environment: placement.work_environment,
        remote_scope: placement.remote_scope,
        level,
        min_years_experience,
        career_paths,
        department,
        visa,
        languages_required,
        description_language,
        salary,
        employment_type,
        posted_at: raw.posted_at.filter(|at| *at <= now + Duration::days(1)),
        // The board's own field first; a deadline stated in the text otherwise.
        valid_through: raw.valid_through.or_else(|| {
            deadline::stated_deadline(
                &description.text,
                raw.posted_at.filter(|at| *at <= now).unwrap_or(now),
            )
        }),
        description_text: description.text,
        description_html: description.html,
        fingerprint,
    })
}

/// What makes a posting a posting: without any of these it cannot be shown or found again.
struct Identity {
    title: String,
    company: String,
    external_id: String,
    url: String,
}

fn identity(raw: &RawPosting) -> Result<Identity, Rejected> {
    let identity = Identity {
        title: one_line(&raw.title),
        company: one_line(&raw.company),
        external_id: raw.external_id.trim().to_owned(),
        url: raw.url.trim().to_owned(),
    };
    if identity.title.is_empty() {
        Err(Rejected::MissingTitle)
    } else if identity.company.is_empty() {
        Err(Rejected::MissingCompany)
    } else if identity.external_id.is_empty() {
        Err(Rejected::MissingExternalId)
    } else if identity.url.is_empty() {
        Err(Rejected::MissingUrl)
    } else if !is_web_url(&identity.url) {
        Err(Rejected::UnsupportedUrl(identity.url))
    } else {
        Ok(identity)
    }
}

/// The place part of the fingerprint: the first city slug, else the first town that is
/// none of our cities, else the first country code, else "remote" for a remote job,
/// else nothing.
fn fingerprint_place(placement: &location::Placement, taxonomy: &Taxonomy) -> String {
    let locations = &placement.locations;
    locations
        .iter()
        .find_map(|l| l.city.clone())
        .or_else(|| locations.iter().find_map(|l| location::town(l, taxonomy)))
        .or_else(|| {
            locations
                .iter()
                .find_map(|l| l.country.as_deref())
                .map(str::to_lowercase)
        })
        .or_else(|| {
            (placement.work_environment == Some(WorkEnvironment::Remote)).then(|| "remote".to_owned())
        })
        .unwrap_or_default()
}

/// A title or name as one clean line: mojibake repaired, entities decoded ("R&amp;D"),
/// whitespace collapsed.
fn one_line(text: &str) -> String {
    text::collapse_spaces(&encoding::decode_entities(&encoding::repair_mojibake(text)))
}

/// An absolute http(s) URL with a host.
fn is_web_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    rest.is_some_and(|r| {
        r.split(['/', '?', '#'])
            .next()
            .is_some_and(|host| !host.is_empty())
    }) && !url.chars().any(char::is_whitespace)
}
