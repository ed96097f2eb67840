//! Reed search API: `GET /api/1.0/search?resultsToTake=100&resultsToSkip=0` with HTTP
//! Basic (the key as user). Paged by `resultsToSkip` against `totalResults`; dates are
//! dd/mm/yyyy; salaries may be yearly, daily or hourly numbers, or null.

use serde_json::Value;
use url::Url;

use super::json::{self, number, push_unique, raw, required, text};
use super::request::{RequestSettings, api_url};
use super::{Ctx, Page, ParseError, dates};

const PAGE_SIZE: u32 = 100;

pub(super) fn first_url(base: &Url, s: &RequestSettings) -> Url {
    let mut url = api_url(base, &["api", "1.0", "search"]);
    let take = s.page_size.unwrap_or(PAGE_SIZE).clamp(1, PAGE_SIZE);
    let mut query = url.query_pairs_mut();
    if let Some(words) = &s.keywords {
        query.append_pair("keywords", words);
    }
    if let Some(place) = &s.location {
        query.append_pair("locationName", place);
    }
    query
        .append_pair("resultsToTake", &take.to_string())
        .append_pair("resultsToSkip", "0");
    drop(query);
    url
}

pub(super) fn parse(ctx: &Ctx, body: &[u8]) -> Result<Page, ParseError> {
    let root = json::body(ctx, body)?;
    let jobs = json::items(ctx, &root, "/results")?;
    let mut page = json::read_all(jobs, |job| read(ctx, job));
    let skip = ctx
        .query("resultsToSkip")
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0);
    let next = skip.saturating_add(jobs.len() as u64);
    let total = number(&root, "/totalResults").unwrap_or(0.0) as u64;
    if !jobs.is_empty() && next < total {
        page.next = Some(ctx.with_query("resultsToSkip", &next.to_string()));
    }
    Ok(page)
}

fn read(ctx: &Ctx, job: &Value) -> Result<jobping_core::RawPosting, String> {
    let mut p = ctx.posting(
        required(job, "/jobId", "jobId")?,
        required(job, "/jobTitle", "title")?,
    );
    p.company = text(job, "/employerName").unwrap_or_default();
    p.url = text(job, "/jobUrl").unwrap_or_default();
    push_unique(&mut p.locations, text(job, "/locationName"));
    // Reed lists jobs in the United Kingdom only.
    p.board_country = Some("GB".to_owned());
    p.description_html = raw(job, "/jobDescription");
    p.posted_at = text(job, "/date").and_then(|s| dates::day_month_year(&s));
    p.valid_through = text(job, "/expirationDate").and_then(|s| dates::day_month_year(&s));
    let (min, max) = (number(job, "/minimumSalary"), number(job, "/maximumSalary"));
    let currency = if min.is_some() || max.is_some() {
        text(job, "/currency")
    } else {
        None
    };
    p.salary = json::salary(min, max, currency, None, None);
    Ok(p)
}
