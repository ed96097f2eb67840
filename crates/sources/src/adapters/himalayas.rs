//! Himalayas jobs API: `GET /jobs/api?limit=20&offset=0`, paged by `offset`/`limit`
//! against `totalCount`. Dates are epoch seconds; the `guid` is the job's page.

use serde_json::Value;
use url::Url;

use super::json::{self, number, push_unique, raw, required, text};
use super::request::{RequestSettings, api_url};
use super::{Ctx, Page, ParseError, dates};

const PAGE_SIZE: u32 = 20;

pub(super) fn first_url(base: &Url, s: &RequestSettings) -> Url {
    let mut url = api_url(base, &["jobs", "api"]);
    let limit = s.page_size.unwrap_or(PAGE_SIZE).clamp(1, PAGE_SIZE);
    url.query_pairs_mut()
        .append_pair("limit", &limit.to_string())
        .append_pair("offset", "0");
    url
}

pub(super) fn parse(ctx: &Ctx, body: &[u8]) -> Result<Page, ParseError> {
    let root = json::body(ctx, body)?;
    let jobs = json::items(ctx, &root, "/jobs")?;
    let mut page = json::read_all(jobs, |job| read(job, ctx));
    page.next = json::next_offset_page(ctx, &root, jobs.len(), "/totalCount", json::Step::Received);
    Ok(page)
}

fn read(job: &Value, ctx: &Ctx) -> Result<jobping_core::RawPosting, String> {
    let mut p = ctx.posting(required(job, "/guid", "guid")?, required(job, "/title", "title")?);
    p.company = text(job, "/companyName").unwrap_or_default();
    p.url = text(job, "/guid").unwrap_or_default();
    p.apply_url = text(job, "/applicationLink");
    // Restrictions name countries or regions the remote job is open to, not places.
    p.countries = json::texts(job, "/locationRestrictions", None);
    p.remote = Some(true);
    p.employment_type = text(job, "/employmentType");
    let seniority = json::texts(job, "/seniority", None);
    p.seniority = (!seniority.is_empty()).then(|| seniority.join(", "));
    p.description_html = raw(job, "/description");
    p.description_text = text(job, "/excerpt");
    p.posted_at = number(job, "/pubDate").and_then(dates::epoch_seconds);
    p.valid_through = number(job, "/expiryDate").and_then(dates::epoch_seconds);
    for tag in json::texts(job, "/parentCategories", None)
        .into_iter()
        .chain(json::texts(job, "/categories", None))
    {
        push_unique(&mut p.tags, Some(tag));
    }
    let (min, max) = (number(job, "/minSalary"), number(job, "/maxSalary"));
    let currency = if min.is_some() || max.is_some() {
        text(job, "/currency")
    } else {
        None
    };
    p.salary = json::salary(min, max, currency, None, None);
    Ok(p)
}
