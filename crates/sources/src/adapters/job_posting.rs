//! One schema.org `JobPosting` object read into a [`RawPosting`], wherever it was found:
//! a career page's JSON-LD (`jsonld`) or the `_jobposting` of a Teamtailor JSON Feed item.
//! Values may be text or objects (`hiringOrganization`, `addressCountry`), one or many
//! (`jobLocation`, `employmentType`), numbers or strings holding them (`baseSalary`).

use jobping_core::{RawPosting, RawSalary};
use serde_json::Value;

use super::json::{self, as_text, number, push_unique, raw, text};
use super::{Ctx, dates};

/// A posting from a `JobPosting` found on `ctx.page_url`: the id is its `identifier`,
/// else its `url`, else the page and title; a posting without a `url` is the page.
pub(super) fn read(ctx: &Ctx, job: &Value) -> Result<RawPosting, String> {
    let title = text(job, "/title")
        .or_else(|| text(job, "/name"))
        .ok_or("missing title (title)")?;
    let url = text(job, "/url");
    let id = identifier(job.get("identifier"))
        .or_else(|| url.clone())
        .unwrap_or_else(|| format!("{}#{title}", ctx.page_url));
    let mut p = ctx.posting(id, title);
    p.url = url.unwrap_or_else(|| ctx.page_url.to_string());
    fill(&mut p, job);
    Ok(p)
}

/// Everything the `JobPosting` says except the id, title and URL, which the caller
/// decides: company, places, workplace, employment type, text, dates, pay, tags.
pub(super) fn fill(p: &mut RawPosting, job: &Value) {
    p.company = name(job.get("hiringOrganization")).unwrap_or_default();
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
}

/// Whether `@type` (a string or an array) says `JobPosting`.
pub(super) fn is_job_posting(value: &Value) -> bool {
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

/// The id in an `identifier`: text, a number, or a `PropertyValue`'s `value`.
pub(super) fn identifier(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::Array(items) => items.iter().find_map(|v| identifier(Some(v))),
        Value::Object(_) => text(value?, "/value"),
        other => as_text(other),
    }
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

fn salary(job: &Value) -> Option<RawSalary> {
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
