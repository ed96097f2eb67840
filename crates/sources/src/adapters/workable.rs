//! Workable widget API: `GET /api/v1/widget/accounts/{board}?details=true`, one page.
//! The account `name` is the company; dates are plain days ("2026-08-05").

use serde_json::Value;
use url::Url;

use super::json::{self, boolean, push_unique, raw, required, text};
use super::request::api_url;
use super::{Ctx, Page, ParseError, dates};

pub(super) fn first_url(base: &Url, board: &str) -> Url {
    let mut url = api_url(base, &["api", "v1", "widget", "accounts", board]);
    url.query_pairs_mut().append_pair("details", "true");
    url
}

pub(super) fn parse(ctx: &Ctx, body: &[u8]) -> Result<Page, ParseError> {
    let root = json::body(ctx, body)?;
    let jobs = json::items(ctx, &root, "/jobs")?;
    let company = text(&root, "/name").unwrap_or_else(|| ctx.board.to_owned());
    Ok(json::read_all(jobs, |job| read(ctx, job, &company)))
}

fn read(ctx: &Ctx, job: &Value, company: &str) -> Result<jobping_core::RawPosting, String> {
    let mut p = ctx.posting(
        required(job, "/shortcode", "shortcode")?,
        required(job, "/title", "title")?,
    );
    p.company = company.to_owned();
    p.url = text(job, "/url")
        .or_else(|| text(job, "/shortlink"))
        .unwrap_or_default();
    p.apply_url = text(job, "/application_url");
    let places = job
        .get("locations")
        .and_then(Value::as_array)
        .filter(|l| !l.is_empty());
    match places {
        Some(places) => {
            for place in places {
                push_unique(
                    &mut p.locations,
                    place_text(place, "/city", "/region", "/country"),
                );
                push_unique(
                    &mut p.countries,
                    text(place, "/countryCode").or_else(|| text(place, "/country")),
                );
            }
        }
        None => {
            push_unique(&mut p.locations, place_text(job, "/city", "/state", "/country"));
            push_unique(&mut p.countries, text(job, "/country"));
        }
    }
    p.remote = boolean(job, "/telecommuting");
    p.department = text(job, "/department");
    p.employment_type = text(job, "/employment_type");
    p.seniority = text(job, "/experience");
    push_unique(&mut p.tags, text(job, "/function"));
    push_unique(&mut p.tags, text(job, "/industry"));
    p.description_html = raw(job, "/description");
    p.posted_at = text(job, "/published_on")
        .or_else(|| text(job, "/created_at"))
        .and_then(|s| dates::parse(&s));
    Ok(p)
}

/// "City, Region, Country" from the parts that are not blank.
fn place_text(v: &Value, city: &str, region: &str, country: &str) -> Option<String> {
    let parts: Vec<String> = [city, region, country]
        .iter()
        .filter_map(|k| text(v, k))
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}
