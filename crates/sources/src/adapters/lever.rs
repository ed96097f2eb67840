//! Lever postings API: `GET /v0/postings/{board}?mode=json` on `api.lever.co` or the EU
//! host `api.eu.lever.co`; one page, a bare array. `createdAt` is epoch milliseconds.

use serde_json::Value;
use url::Url;

use super::json::{self, number, push_unique, raw, required, text};
use super::request::api_url;
use super::{Ctx, Page, ParseError, dates};

pub(super) fn first_url(base: &Url, board: &str) -> Url {
    let mut url = api_url(base, &["v0", "postings", board]);
    url.query_pairs_mut().append_pair("mode", "json");
    url
}

pub(super) fn parse(ctx: &Ctx, body: &[u8]) -> Result<Page, ParseError> {
    let root = json::body(ctx, body)?;
    if root.get("ok") == Some(&Value::Bool(false)) {
        let why = text(&root, "/error").unwrap_or_else(|| "unknown error".to_owned());
        return Err(ctx.error(format!("the API answered an error: {why}")));
    }
    let jobs = json::items(ctx, &root, "")?;
    Ok(json::read_all(jobs, |job| read(ctx, job)))
}

fn read(ctx: &Ctx, job: &Value) -> Result<jobping_core::RawPosting, String> {
    let mut p = ctx.posting(required(job, "/id", "id")?, required(job, "/text", "title")?);
    p.company = ctx.board.to_owned();
    p.url = text(job, "/hostedUrl").unwrap_or_default();
    p.apply_url = text(job, "/applyUrl");
    push_unique(&mut p.locations, text(job, "/categories/location"));
    for place in json::texts(job, "/categories/allLocations", None) {
        push_unique(&mut p.locations, Some(place));
    }
    push_unique(&mut p.countries, text(job, "/country"));
    p.workplace = text(job, "/workplaceType");
    p.department = text(job, "/categories/department");
    push_unique(&mut p.tags, text(job, "/categories/team"));
    p.employment_type = text(job, "/categories/commitment");
    p.description_html = description_html(job);
    p.description_text = join([text(job, "/descriptionPlain"), text(job, "/additionalPlain")]);
    p.posted_at = number(job, "/createdAt").and_then(dates::epoch_millis);
    p.salary = json::salary(
        number(job, "/salaryRange/min"),
        number(job, "/salaryRange/max"),
        text(job, "/salaryRange/currency"),
        text(job, "/salaryRange/interval"),
        text(job, "/salaryDescriptionPlain"),
    );
    Ok(p)
}

/// The posting as Lever shows it: description, each titled list, then the closing part.
fn description_html(job: &Value) -> Option<String> {
    let mut parts = vec![raw(job, "/description")];
    for list in job.get("lists").and_then(Value::as_array).into_iter().flatten() {
        let title = text(list, "/text").unwrap_or_default();
        let content = raw(list, "/content").unwrap_or_default();
        parts.push(Some(format!("<h3>{title}</h3><ul>{content}</ul>")));
    }
    parts.push(raw(job, "/additional"));
    join(parts)
}

fn join(parts: impl IntoIterator<Item = Option<String>>) -> Option<String> {
    let parts: Vec<String> = parts.into_iter().flatten().collect();
    (!parts.is_empty()).then(|| parts.join("\n"))
}
