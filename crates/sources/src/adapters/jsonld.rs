//! schema.org `JobPosting` in any HTML page's JSON-LD: blocks may hold one object, an
//! array, or an `@graph`; `@type` may be a string or an array; the script type may be
//! entity-encoded (`application/ld&#x2B;json`). A block that is not valid JSON is
//! counted in `skipped` (index = the block's position, reason naming the block) and the
//! other blocks still read; a `JobPosting` without a title is skipped with its position
//! among the page's postings.

use std::borrow::Cow;

use jobping_core::RawPosting;
use scraper::{Html, Selector};
use serde_json::Value;
use url::Url;

use super::html_scripts;
use super::json::{self, as_text, number, push_unique, raw, text};
use super::kind::SourceKind;
use super::request::{RequestError, page_url, rebase};
use super::{Ctx, Page, ParseError, Skipped, dates};

/// The page itself, moved onto `base` when a base URL is configured.
pub(super) fn first_url(base: &Url, board: &str) -> Result<Url, RequestError> {
    let page = page_url(SourceKind::JsonLd, board)?;
    rebase(&page, base).ok_or(RequestError::InvalidBaseUrl {
        kind: SourceKind::JsonLd,
        url: base.to_string(),
    })
}

pub(super) fn parse(ctx: &Ctx, body: &[u8]) -> Result<Page, ParseError> {
    let html = String::from_utf8_lossy(body);
    let mut page = Page::default();
    let mut values = Vec::new();
    for (index, source) in blocks(ctx, &html)?.iter().enumerate() {
        match serde_json::from_str::<Value>(source.trim()) {
            Ok(value) => values.push(value),
            Err(e) => page.skipped.push(Skipped {
                index,
                reason: format!("JSON-LD block {index} is not valid JSON ({e})"),
            }),
        }
    }
    let mut found = Vec::new();
    values.iter().for_each(|value| collect(value, &mut found));
    for (index, posting) in found.into_iter().enumerate() {
        match read(ctx, posting) {
            Ok(p) => page.postings.push(p),
            Err(reason) => page.skipped.push(Skipped {
                index,
                reason: format!("JobPosting {index}: {reason}"),
            }),
        }
    }
    Ok(page)
}

/// The content of each `application/ld+json` script, in page order: found by the
/// scanner where it can be sure, else by parsing the whole page.
fn blocks<'h>(ctx: &Ctx, html: &'h str) -> Result<Vec<Cow<'h, str>>, ParseError> {
    let is_json_ld = |kind: &str| kind.trim().eq_ignore_ascii_case("application/ld+json");
    if let Some(scripts) = html_scripts::scripts(html) {
        return Ok(scripts
            .into_iter()
            .filter(|script| script.kind.is_some_and(is_json_ld))
            .map(|script| script.content)
            .collect());
    }
    let document = Html::parse_document(html);
    let scripts = Selector::parse("script").map_err(|e| ctx.error(format!("selector: {e}")))?;
    Ok(document
        .select(&scripts)
        .filter(|script| script.value().attr("type").is_some_and(is_json_ld))
        .map(|script| Cow::Owned(script.text().collect()))
        .collect())
}

/// Every object typed `JobPosting`, wherever it sits in the block.
fn collect<'v>(value: &'v Value, out: &mut Vec<&'v Value>) {
    match value {
        Value::Array(items) => items.iter().for_each(|v| collect(v, out)),
        Value::Object(map) => {
            if is_job_posting(value) {
                out.push(value);
            } else {
                map.values().for_each(|v| collect(v, out));
            }
        }
        _ => {}
    }
}

fn is_job_posting(value: &Value) -> bool {
    let is = |t: &Value| {
        t.as_str()
            .is_some_and(|s| s.trim().trim_start_matches("schema:") == "JobPosting")
    };
    match value.get("@type") {
        Some(Value::Array(types)) => types.iter().any(is),
        Some(t) => is(t),
        None => false,
    }
}

fn read(ctx: &Ctx, job: &Value) -> Result<RawPosting, String> {
    let title = text(job, "/title")
        .or_else(|| text(job, "/name"))
        .ok_or("missing title (title)")?;
    let url = text(job, "/url");
    let id = identifier(job.get("identifier"))
        .or_else(|| url.clone())
        .unwrap_or_else(|| format!("{}#{title}", ctx.page_url));
    let mut p = ctx.posting(id, title);
    p.company = name(job.get("hiringOrganization")).unwrap_or_default();
    p.url = url.unwrap_or_else(|| ctx.page_url.to_string());
    for place in one_or_many(job.get("jobLocation")) {
        let address = place.get("address").unwrap_or(place);
        push_unique(&mut p.locations, address_text(address));
        push_unique(&mut p.countries, name(address.get("addressCountry")));
    }
    for area in one_or_many(job.get("applicantLocationRequirements")) {
        push_unique(&mut p.countries, name(Some(area)));
    }
    p.workplace = text(job, "/jobLocationType");
    if p.workplace
        .as_deref()
        .is_some_and(|w| w.eq_ignore_ascii_case("TELECOMMUTE"))
    {
        p.remote = Some(true);
    }
    let types = json::texts(job, "/employmentType", None);
    p.employment_type = (!types.is_empty()).then(|| types.join(", "));
    p.seniority = text(job, "/experienceRequirements");
    p.description_html = raw(job, "/description");
    p.posted_at = text(job, "/datePosted").and_then(|s| dates::parse(&s));
    p.valid_through = text(job, "/validThrough").and_then(|s| dates::parse(&s));
    p.language = text(job, "/inLanguage");
    p.tags = json::texts(job, "/occupationalCategory", None);
    for industry in json::texts(job, "/industry", None) {
        push_unique(&mut p.tags, Some(industry));
    }
    p.salary = salary(job);
    Ok(p)
}

fn one_or_many(value: Option<&Value>) -> Vec<&Value> {
    match value {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(v @ Value::Object(_)) => vec![v],
        _ => Vec::new(),
    }
}

/// A name given as text or as an object with `name`.
fn name(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::Array(items) => items.iter().find_map(|v| name(Some(v))),
        Value::Object(_) => text(value?, "/name"),
        other => as_text(other),
    }
}

fn identifier(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::Array(items) => items.iter().find_map(|v| identifier(Some(v))),
        Value::Object(_) => text(value?, "/value"),
        other => as_text(other),
    }
}

/// "Locality, Region, Country" from a PostalAddress, or an address given as text.
fn address_text(address: &Value) -> Option<String> {
    if let Some(line) = as_text(address) {
        return Some(line);
    }
    let country = name(address.get("addressCountry"));
    let parts: Vec<String> = [
        text(address, "/addressLocality"),
        text(address, "/addressRegion"),
        country,
    ]
    .into_iter()
    .flatten()
    .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

fn salary(job: &Value) -> Option<jobping_core::RawSalary> {
    let base = job.get("baseSalary")?;
    let value = base.get("value");
    let (min, max, unit) = match value {
        Some(Value::Object(_)) => {
            let v = value?;
            let exact = number(v, "/value");
            (
                number(v, "/minValue").or(exact),
                number(v, "/maxValue").or(exact),
                text(v, "/unitText"),
            )
        }
        Some(_) => (
            number(base, "/value"),
            number(base, "/value"),
            text(base, "/unitText"),
        ),
        None => (
            number(base, "/minValue"),
            number(base, "/maxValue"),
            text(base, "/unitText"),
        ),
    };
    if min.is_none() && max.is_none() {
        return None;
    }
    let currency = text(base, "/currency").or_else(|| text(job, "/salaryCurrency"));
    json::salary(min, max, currency, unit, None)
}
