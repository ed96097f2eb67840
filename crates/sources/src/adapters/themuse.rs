//! The Muse public API: `GET /api/public/jobs?page=0`, paged by `page` against
//! `page_count`. Filters (`level`, `location`, `category`) come as extra query pairs.

use serde_json::Value;
use url::Url;

use super::json::{self, number, raw, required, text};
use super::request::{RequestSettings, api_url};
use super::{Ctx, Page, ParseError, dates};

pub(super) fn first_url(base: &Url, _s: &RequestSettings) -> Url {
    let mut url = api_url(base, &["api", "public", "jobs"]);
    url.query_pairs_mut().append_pair("page", "0");
    url
}

pub(super) fn parse(ctx: &Ctx, body: &[u8]) -> Result<Page, ParseError> {
    let root = json::body(ctx, body)?;
    let jobs = json::items(ctx, &root, "/results")?;
    let mut page = json::read_all(jobs, |job| read(ctx, job));
    let from_url = ctx.query("page").and_then(|v| v.parse::<f64>().ok());
    let current = number(&root, "/page").or(from_url).unwrap_or(0.0);
    let count = number(&root, "/page_count").unwrap_or(0.0);
    if !jobs.is_empty() && current + 1.0 < count {
        page.next = Some(ctx.with_query("page", &((current + 1.0) as u64).to_string()));
    }
    Ok(page)
}

fn read(ctx: &Ctx, job: &Value) -> Result<jobping_core::RawPosting, String> {
    let mut p = ctx.posting(required(job, "/id", "id")?, required(job, "/name", "title")?);
    p.company = text(job, "/company/name").unwrap_or_default();
    p.url = text(job, "/refs/landing_page").unwrap_or_default();
    p.locations = json::texts(job, "/locations", Some("name"));
    p.department = json::texts(job, "/categories", Some("name")).into_iter().next();
    let levels = json::texts(job, "/levels", Some("name"));
    p.seniority = (!levels.is_empty()).then(|| levels.join(", "));
    p.description_html = raw(job, "/contents");
    p.posted_at = text(job, "/publication_date").and_then(|s| dates::parse(&s));
    p.tags = json::texts(job, "/tags", Some("name"));
    Ok(p)
}
