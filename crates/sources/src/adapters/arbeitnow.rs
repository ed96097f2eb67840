//! Arbeitnow job board API: `GET /api/job-board-api`, paged by `links.next`
//! (`?page=2`). `created_at` is epoch seconds; the terms ask for a link back.

use serde_json::Value;
use url::Url;

use super::json::{self, boolean, number, push_unique, raw, required, text};
use super::request::{RequestSettings, api_url};
use super::{Ctx, Page, ParseError, dates};

pub(super) fn first_url(base: &Url, _s: &RequestSettings) -> Url {
    api_url(base, &["api", "job-board-api"])
}

pub(super) fn parse(ctx: &Ctx, body: &[u8]) -> Result<Page, ParseError> {
    let root = json::body(ctx, body)?;
    let jobs = json::items(ctx, &root, "/data")?;
    let mut page = json::read_all(jobs, |job| read(ctx, job));
    if !jobs.is_empty() {
        page.next = text(&root, "/links/next").and_then(|next| ctx.same_host(&next));
    }
    Ok(page)
}

fn read(ctx: &Ctx, job: &Value) -> Result<jobping_core::RawPosting, String> {
    let mut p = ctx.posting(required(job, "/slug", "slug")?, required(job, "/title", "title")?);
    p.company = text(job, "/company_name").unwrap_or_default();
    p.url = text(job, "/url").unwrap_or_default();
    push_unique(&mut p.locations, text(job, "/location"));
    // A German board: a town it names without a country is in Germany.
    p.board_country = Some("DE".to_owned());
    p.remote = boolean(job, "/remote");
    p.employment_type = {
        let types = json::texts(job, "/job_types", None);
        (!types.is_empty()).then(|| types.join(", "))
    };
    p.description_html = raw(job, "/description");
    p.posted_at = number(job, "/created_at").and_then(dates::epoch_seconds);
    p.tags = json::texts(job, "/tags", None);
    Ok(p)
}
