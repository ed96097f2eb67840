//! Where a job is: each location string to a taxonomy city and country, the way of
//! working (office, hybrid, remote) and, for remote jobs, from which countries.

use std::sync::LazyLock;

use regex::Regex;

use super::city_part::{city_part, postcode_city, postcode_country, puts_part_elsewhere};
use super::encoding::repair_mojibake;
use super::postcode::uk_postcode;
use super::region::{Region, region, subdivision_country};
use super::text::collapse_spaces;
use super::towns::town_country;
use super::work_mode::{Said, work_mode};
use crate::posting::RawPosting;
use crate::taxonomy::Taxonomy;
use crate::{JobLocation, RemoteScope, WorkEnvironment};

/// Where a posting is, read from its locations, hints and title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Placement {
    pub locations: Vec<JobLocation>,
    pub work_environment: Option<WorkEnvironment>,
    pub remote_scope: RemoteScope,
}

/// One place within a location string ("Remote - Germany" of "Remote - Germany | Berlin").
#[derive(Debug, Default)]
struct Part {
    location: Option<JobLocation>,
    mode: Option<WorkEnvironment>,
    region: Option<Region>,
}

/// Words that say how the work is done rather than where, removed before the place is
/// looked up ("Hybrid (Amsterdam)", "Canada (Remote)", "Remote-Friendly (Travel-Required)").
static MODE_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?-u:\b)(?:100\s*%\s*)?(?:fully\s+|full\s+)?(?:remote(?:[- ](?:friendly|first|only|possible|ok))?|hybrid|home[- ]?office|on[- ]?site|in[- ]office|office[- ]based|travel[- ]required|work from home|wfh)(?-u:\b)",
    )
    .expect("valid regex")
});

/// A remote or hybrid note in a title: only after a separator or in brackets
/// ("… - remote", "| 100% Remote possible", "(Hybrid)", "- EMEA Remote"), so that a
/// "Hybrid Cloud Engineer" or "Remote Sensing Analyst" is not taken for one.
static TITLE_MODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:[-–|(/,:]\s*)(?:([\p{L}&]+)\s+)?(?:100\s*%\s*|fully\s+)?(remote|hybrid)(?-u:\b)|(?-u:\b)(home[- ]?office)(?-u:\b)",
    )
    .expect("valid regex")
});

/// Reads the posting's places and way of working (from its description too). Nothing is guessed: a posting that
/// does not say how the work is done has no work environment.
pub(crate) fn place(raw: &RawPosting, title: &str, description: &str, taxonomy: &Taxonomy) -> Placement {
    let mut hinted: Vec<String> = Vec::new();
    for hint in &raw.countries {
        if let Some(country) = taxonomy.country_named(hint.trim()) {
            push_unique(&mut hinted, country.code.clone());
        }
    }

    let mut parts: Vec<Part> = Vec::new();
    for location in &raw.locations {
        let location = repair_mojibake(location);
        parts.extend(split_locations(&location).map(|part| read_part(part, taxonomy)));
    }
    let title_part = read_title(title, taxonomy);

    let locations = collect_locations(&parts, &hinted, raw, taxonomy);
    let environment = work_environment(raw, &parts, &title_part, description);
    let remote_scope = match environment {
        Some(WorkEnvironment::Remote) => remote_scope(&parts, &title_part, &hinted, &locations),
        _ => RemoteScope::NotRemote,
    };
    Placement {
        locations,
        work_environment: environment,
        remote_scope,
    }
}

/// The distinct places of all parts, plus the hinted countries no part names.
fn collect_locations(
    parts: &[Part],
    hinted: &[String],
    raw: &RawPosting,
    taxonomy: &Taxonomy,
) -> Vec<JobLocation> {
    // The country a town named without one is in: the single country given apart from
    // the locations, else the one the board covers. A region ("UK&I", "EMEA") is no
    // town and stays as it is.
    let country_of_towns = match hinted {
        [only] => Some(only),
        _ => raw.board_country.as_ref(),
    };
    let mut locations: Vec<JobLocation> = Vec::new();
    for part in parts {
        let Some(location) = &part.location else {
            continue;
        };
        let unplaced = location.city.is_none() && location.country.is_none();
        let same = |l: &JobLocation| {
            if unplaced {
                l.raw == location.raw
            } else {
                l.city == location.city && l.country == location.country
            }
        };
        if locations.iter().any(same) {
            continue;
        }
        let mut location = location.clone();
        if unplaced && part.region.is_none() {
            location.country = country_of_towns.cloned();
        }
        locations.push(location);
    }
    // A single country given apart from the locations says where an unplaced region is.
    if let [only] = hinted {
        for location in locations
            .iter_mut()
            .filter(|l| l.country.is_none() && l.city.is_none())
        {
            location.country = Some(only.clone());
        }
    }
    for code in hinted {
        if !locations.iter().any(|l| l.country.as_ref() == Some(code)) {
            let raw_hint = raw
                .countries
                .iter()
                .find(|h| taxonomy.country_named(h.trim()).is_some_and(|c| &c.code == code));
            locations.push(JobLocation {
                city: None,
                country: Some(code.clone()),
                raw: raw_hint.cloned().unwrap_or_default(),
            });
        }
    }
    locations
}

/// The way of working, strongest evidence first: the board's workplace field, a
/// hybrid or remote note in a location, what the description plainly says, the remote
/// flag, a note in the title, an on-site note in a location, and last what the
/// description says in passing. A remote flag is often a board's blanket default
/// (every job of a remote-jobs board has it), so a description that plainly says
/// hybrid or on-site outranks it. A `remote: false` is often a default too, so it does
/// not overrule a title that says "- Remote (Germany)"; on its own it says only "not
/// remote", which is not "in an office", so it sets nothing.
fn work_environment(
    raw: &RawPosting,
    parts: &[Part],
    title: &Part,
    description: &str,
) -> Option<WorkEnvironment> {
    let any_mode = |mode: WorkEnvironment| parts.iter().any(|p| p.mode == Some(mode)).then_some(mode);
    let board = raw
        .workplace
        .as_deref()
        .and_then(workplace)
        .or(any_mode(WorkEnvironment::Hybrid))
        .or(any_mode(WorkEnvironment::Remote));
    if board.is_some() {
        return board;
    }
    let said = work_mode(description);
    said.and_then(Said::plainly)
        .or((raw.remote == Some(true)).then_some(WorkEnvironment::Remote))
        .or(title.mode)
        .or(any_mode(WorkEnvironment::Office))
        .or(said.map(Said::mode))
}

/// For a remote job: countries named by regions, hints and the locations themselves;
/// `Anywhere` only when a region says so and nothing narrows it.
fn remote_scope(parts: &[Part], title: &Part, hinted: &[String], locations: &[JobLocation]) -> RemoteScope {
    let mut countries: Vec<String> = Vec::new();
    let mut anywhere = false;
    for region in parts.iter().chain([title]).filter_map(|p| p.region.as_ref()) {
        match region {
            Region::Anywhere => anywhere = true,
            Region::Countries(codes) => codes.iter().for_each(|c| push_unique(&mut countries, c.clone())),
        }
    }
    hinted.iter().for_each(|c| push_unique(&mut countries, c.clone()));
    locations
        .iter()
        .filter_map(|l| l.country.clone())
        .for_each(|c| push_unique(&mut countries, c));
    match (countries.is_empty(), anywhere) {
        (false, _) => RemoteScope::Countries(countries),
        (true, true) => RemoteScope::Anywhere,
        (true, false) => RemoteScope::Unknown,
    }
}

/// The board's workplace field ("hybrid", "onsite", "ON_SITE", "unspecified").
fn workplace(text: &str) -> Option<WorkEnvironment> {
    let text = text.trim().to_lowercase().replace(['_', '-', ' '], "");
    match text.as_str() {
        "remote" | "fullyremote" | "remoteonly" | "telecommute" => Some(WorkEnvironment::Remote),
        "hybrid" | "flexible" => Some(WorkEnvironment::Hybrid),
        "onsite" | "office" | "inoffice" | "officebased" | "inperson" => Some(WorkEnvironment::Office),
        _ => None,
    }
}

/// Splits a string naming several places ("London, UK; Dublin, IE", "UK&I / Northern
/// Europe", "Remote | Berlin"), never on the comma of "City, Country".
fn split_locations(text: &str) -> impl Iterator<Item = &str> {
    static SEPARATORS: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)[;|\n•]|\s+/\s+|\s+(?:or|oder|ou|o)\s+").expect("valid regex"));
    SEPARATORS.split(text).map(str::trim).filter(|p| !p.is_empty())
}

fn read_part(part: &str, taxonomy: &Taxonomy) -> Part {
    let lower = part.to_lowercase();
    let mode = if lower.contains("hybrid") {
        Some(WorkEnvironment::Hybrid)
    } else if MODE_WORDS
        .find_iter(&lower)
        .any(|m| m.as_str().contains("remote") || m.as_str().contains("home"))
    {
        Some(WorkEnvironment::Remote)
    } else if MODE_WORDS.is_match(&lower) {
        Some(WorkEnvironment::Office)
    } else {
        None
    };
    let segments = segments(part);
    if segments.is_empty() {
        return Part {
            mode,
            ..Part::default()
        };
    }
    let joined = segments.join(", ");
    if let Some(found) = region(&joined, taxonomy).or_else(|| {
        (segments.len() == 1)
            .then(|| region(&segments[0], taxonomy))
            .flatten()
    }) {
        let location = JobLocation {
            city: None,
            country: None,
            raw: part.to_owned(),
        };
        return Part {
            location: Some(location),
            mode,
            region: Some(found),
        };
    }
    Part {
        location: Some(resolve(&segments, part, taxonomy)),
        mode,
        region: None,
    }
}

/// The places a text names ("Paris, France", "La Défense / Remote"), for a place a
/// posting states outside its location fields.
pub(crate) fn places_in(text: &str, taxonomy: &Taxonomy) -> Vec<JobLocation> {
    split_locations(text)
        .filter_map(|part| read_part(part, taxonomy).location)
        .collect()
}

/// The place words of one location, ways of working and brackets gone: "Hybrid
/// (Frankfurt, DE)" is ["Frankfurt", "DE"].
fn segments(part: &str) -> Vec<String> {
    static SEGMENT_SPLIT: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r",|\s[-–—]\s|^[-–—]\s|\s[-–—]$").expect("valid regex"));
    let place = MODE_WORDS
        .replace_all(part, ",")
        .replace(['(', ')', '[', ']'], ",");
    SEGMENT_SPLIT
        .split(&place)
        .map(|s| collapse_spaces(s.trim_matches(|c: char| c.is_whitespace() || "-–—:.".contains(c))))
        .filter(|s| !s.is_empty())
        .collect()
}

/// The town a location names when it is none of our cities ("frankfurt" of
/// "Frankfurt, DE"): its first place word, lower-cased, unless that word is a country,
/// a country or state code, or a region. The fingerprint places such a job by it, so
/// that two boards naming one office agree while two offices in one country stay apart.
pub(crate) fn town(location: &JobLocation, taxonomy: &Taxonomy) -> Option<String> {
    if location.city.is_some() {
        return None;
    }
    let raw = repair_mojibake(&location.raw);
    let first = segments(&raw).into_iter().next()?;
    let code_like = first.chars().count() <= 3 && first.chars().all(|c| c.is_ascii_uppercase());
    if code_like || taxonomy.country_named(&first).is_some() || region(&first, taxonomy).is_some() {
        return None;
    }
    Some(first.to_lowercase())
}

/// A city and country from the segments of one place ("Paris", "Île-de-France", "France").
fn resolve(segments: &[String], raw: &str, taxonomy: &Taxonomy) -> JobLocation {
    // A city named outright wins over a part of one ("Bobigny") named elsewhere in the
    // place; a part beside a region that puts it elsewhere is a namesake ("Montreuil,
    // Pas-de-Calais").
    let found = segments
        .iter()
        .enumerate()
        .find_map(|(i, s)| taxonomy.city_named(s).map(|c| (i, c)))
        .or_else(|| {
            let (at, city) = segments
                .iter()
                .enumerate()
                .find_map(|(i, s)| city_part(s, taxonomy).map(|c| (i, c)))?;
            let namesake = segments.iter().any(|s| puts_part_elsewhere(city, s));
            Some((at, city)).filter(|_| !namesake)
        });
    let city_at = found.map(|(i, _)| i);
    let mut city = found.map(|(_, c)| c);
    let mut country: Option<String> = None;
    let mut elsewhere = false;
    for (i, segment) in segments.iter().enumerate().rev() {
        if Some(i) == city_at {
            continue;
        }
        let named = taxonomy.country_named(segment).map(|c| c.code.as_str());
        let subdivision = (segment.len() == 2 && segment.chars().all(|c| c.is_ascii_uppercase()))
            .then(|| subdivision_country(segment))
            .flatten();
        let agrees = |code: &str| city.is_some_and(|c| c.country == code);
        match (named, subdivision) {
            (Some(code), _) if agrees(code) => country = Some(code.to_owned()),
            // "DE", "CA", "IN", "IL", "MT": a country code and a state code at once. A city
            // of ours settles it (above); otherwise the reading boards use most wins:
            // "Cologne, DE" is Germany and "San Francisco, CA" California, while "IN"
            // and "IL" are common both ways and stay unknown.
            (Some(code), Some(state)) => {
                elsewhere = city.is_some();
                country = match code {
                    "DE" | "MT" => Some(code.to_owned()),
                    "CA" => Some(state.to_owned()),
                    _ => None,
                };
            }
            (Some(code), None) => {
                elsewhere = city.is_some();
                country = Some(code.to_owned());
            }
            (None, Some(code)) => {
                elsewhere = city.is_some();
                country = Some(code.to_owned());
            }
            (None, None) => continue,
        }
        break;
    }
    // "London, Ontario, CAN" or "Birmingham, AL": a namesake town in another country.
    if elsewhere {
        city = None;
    }
    let mut country = country.or_else(|| city.map(|c| c.country.clone()));
    if city.is_none() && country.is_none() {
        // "EC1A 1BB", "M33 7XS": a UK postcode places the job on its own.
        if let Some(postcode) = segments.iter().find_map(|s| uk_postcode(s)) {
            return JobLocation {
                city: postcode.city,
                country: Some("GB".to_owned()),
                raw: raw.to_owned(),
            };
        }
        // "ul. Zbożowa 4, 70-653 Stettin": a postcode of a shape one country uses;
        // "Koblenz": a town only one country has.
        country = segments
            .iter()
            .find_map(|s| postcode_country(s))
            .or_else(|| segments.iter().find_map(|s| town_country(s)))
            .map(str::to_owned);
    }
    // "Friedrichstraße 10, 10117, Deutschland": a postcode read with its country.
    if city.is_none()
        && !elsewhere
        && let Some(code) = &country
    {
        city = segments.iter().find_map(|s| postcode_city(s, code, taxonomy));
    }
    JobLocation {
        city: city.map(|c| c.slug.clone()),
        country,
        raw: raw.to_owned(),
    }
}

/// A way of working (and a region, as in "EMEA Remote") noted in the title.
fn read_title(title: &str, taxonomy: &Taxonomy) -> Part {
    let Some(caps) = TITLE_MODE.captures(title) else {
        return Part::default();
    };
    let mode = match caps.get(2).map(|m| m.as_str().to_lowercase()) {
        Some(word) if word == "remote" => WorkEnvironment::Remote,
        _ => WorkEnvironment::Hybrid,
    };
    let region = caps.get(1).and_then(|word| {
        region(word.as_str(), taxonomy).or_else(|| {
            taxonomy
                .country_named(word.as_str())
                .map(|c| Region::Countries(vec![c.code.clone()]))
        })
    });
    Part {
        location: None,
        mode: Some(mode),
        region,
    }
}

fn push_unique(list: &mut Vec<String>, item: String) {
    if !list.contains(&item) {
        list.push(item);
    }
}
