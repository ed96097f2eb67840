//! Remote OK API: `GET /api`, one array whose element 0 is the legal notice (the terms:
//! link back and name Remote OK as the source). Unknown salaries are 0.

use serde_json::Value;
use url::Url;

use super::json::{self, number, push_unique, raw, required, text};
use super::request::api_url;
use super::{Ctx, Page, ParseError, dates};

pub(super) fn first_url(base: &Url) -> Url {
    api_url(base, &["api"])
}

pub(super) fn parse(ctx: &Ctx, body: &[u8]) -> Result<Page, ParseError> {
    let root = json::body(ctx, body)?;
    let items = json::items(ctx, &root, "")?;
    let notice = items
        .first()
        .is_some_and(|first| first.get("legal").is_some() && first.get("id").is_none());
    let jobs = if notice { &items[1..] } else { items };
    let mut page = json::read_all(jobs, |job| read(ctx, job));
    if notice {
        page.skipped.iter_mut().for_each(|s| s.index += 1);
    }
    Ok(page)
}

fn read(ctx: &Ctx, job: &Value) -> Result<jobping_core::RawPosting, String> {
    let mut p = ctx.posting(required(job, "/id", "id")?, required(job, "/position", "title")?);
    p.company = text(job, "/company").unwrap_or_default();
    p.url = text(job, "/url").unwrap_or_default();
    p.apply_url = text(job, "/apply_url");
    push_unique(&mut p.locations, text(job, "/location"));
    p.remote = Some(true);
    p.description_html = raw(job, "/description");
    p.posted_at = number(job, "/epoch")
        .and_then(dates::epoch_seconds)
        .or_else(|| text(job, "/date").and_then(|s| dates::parse(&s)));
    p.tags = json::texts(job, "/tags", None);
    p.salary = json::salary(
        number(job, "/salary_min"),
        number(job, "/salary_max"),
        None,
        None,
        None,
    );
    Ok(p)
}
