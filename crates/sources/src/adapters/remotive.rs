//! Remotive API: `GET /api/remote-jobs`. Off by default: its terms forbid passing its
//! listings on to other job services or alerts.

use serde_json::Value;
use url::Url;

use super::json::{self, push_unique, raw, required, text};
use super::request::{RequestSettings, api_url};
use super::{Ctx, Page, ParseError, dates};

pub(super) fn first_url(base: &Url, _s: &RequestSettings) -> Url {
    api_url(base, &["api", "remote-jobs"])
}

pub(super) fn parse(ctx: &Ctx, body: &[u8]) -> Result<Page, ParseError> {
    let root = json::body(ctx, body)?;
    let jobs = json::items(ctx, &root, "/jobs")?;
    Ok(json::read_all(jobs, |job| read(ctx, job)))
}

fn read(ctx: &Ctx, job: &Value) -> Result<jobping_core::RawPosting, String> {
    let mut p = ctx.posting(required(job, "/id", "id")?, required(job, "/title", "title")?);
    p.company = text(job, "/company_name").unwrap_or_default();
    p.url = text(job, "/url").unwrap_or_default();
    push_unique(&mut p.locations, text(job, "/candidate_required_location"));
    p.remote = Some(true);
    p.department = text(job, "/category");
    p.employment_type = text(job, "/job_type");
    p.description_html = raw(job, "/description");
    p.posted_at = text(job, "/publication_date").and_then(|s| dates::parse(&s));
    p.tags = json::texts(job, "/tags", None);
    p.salary = json::salary(None, None, None, None, text(job, "/salary"));
    Ok(p)
}
