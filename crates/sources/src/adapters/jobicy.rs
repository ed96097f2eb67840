//! Jobicy API: `GET /api/v2/remote-jobs?count=50`. Off by default: its terms forbid
//! passing its listings on to other job services or alerts.

use serde_json::Value;
use url::Url;

use super::json::{self, number, push_unique, raw, required, text};
use super::request::{RequestSettings, api_url};
use super::{Ctx, Page, ParseError, dates};

pub(super) fn first_url(base: &Url, s: &RequestSettings) -> Url {
    let mut url = api_url(base, &["api", "v2", "remote-jobs"]);
    let count = s.page_size.unwrap_or(50).clamp(1, 100);
    url.query_pairs_mut().append_pair("count", &count.to_string());
    url
}

pub(super) fn parse(ctx: &Ctx, body: &[u8]) -> Result<Page, ParseError> {
    let root = json::body(ctx, body)?;
    let jobs = json::items(ctx, &root, "/jobs")?;
    Ok(json::read_all(jobs, |job| read(ctx, job)))
}

fn read(ctx: &Ctx, job: &Value) -> Result<jobping_core::RawPosting, String> {
    let mut p = ctx.posting(required(job, "/id", "id")?, required(job, "/jobTitle", "title")?);
    p.company = text(job, "/companyName").unwrap_or_default();
    p.url = text(job, "/url").unwrap_or_default();
    push_unique(&mut p.locations, text(job, "/jobGeo"));
    p.remote = Some(true);
    p.department = json::texts(job, "/jobIndustry", None).into_iter().next();
    p.employment_type = {
        let types = json::texts(job, "/jobType", None);
        (!types.is_empty()).then(|| types.join(", "))
    };
    p.seniority = text(job, "/jobLevel");
    p.description_html = raw(job, "/jobDescription");
    p.description_text = text(job, "/jobExcerpt");
    p.posted_at = text(job, "/pubDate").and_then(|s| dates::parse(&s));
    let (min, max) = (number(job, "/annualSalaryMin"), number(job, "/annualSalaryMax"));
    let currency = if min.is_some() || max.is_some() {
        text(job, "/salaryCurrency")
    } else {
        None
    };
    let period = (min.is_some() || max.is_some()).then(|| "year".to_owned());
    p.salary = json::salary(min, max, currency, period, None);
    Ok(p)
}
