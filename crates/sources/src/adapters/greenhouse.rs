//! Greenhouse job board API: `GET /v1/boards/{board}/jobs?content=true`, one page with
//! every job. `content` is HTML-entity-escaped (`&lt;div&gt;`) and is passed on as is.

use serde_json::Value;
use url::Url;

use super::json::{self, push_unique, raw, required, text};
use super::request::api_url;
use super::{Ctx, Page, ParseError, dates};

pub(super) fn first_url(base: &Url, board: &str) -> Url {
    let mut url = api_url(base, &["v1", "boards", board, "jobs"]);
    url.query_pairs_mut().append_pair("content", "true");
    url
}

pub(super) fn parse(ctx: &Ctx, body: &[u8]) -> Result<Page, ParseError> {
    let root = json::body(ctx, body)?;
    let jobs = json::items(ctx, &root, "/jobs")?;
    Ok(json::read_all(jobs, |job| read(ctx, job)))
}

fn read(ctx: &Ctx, job: &Value) -> Result<jobping_core::RawPosting, String> {
    let mut p = ctx.posting(required(job, "/id", "id")?, required(job, "/title", "title")?);
    p.company = text(job, "/company_name").unwrap_or_else(|| ctx.board.to_owned());
    p.url = text(job, "/absolute_url").unwrap_or_default();
    push_unique(&mut p.locations, text(job, "/location/name"));
    for office in job.get("offices").and_then(Value::as_array).into_iter().flatten() {
        push_unique(
            &mut p.locations,
            text(office, "/location").or_else(|| text(office, "/name")),
        );
    }
    p.department = json::texts(job, "/departments", Some("name")).into_iter().next();
    p.employment_type = metadata(job, "Employment Type");
    p.workplace = WORKPLACE_FIELDS.iter().find_map(|name| metadata(job, name));
    p.description_html = raw(job, "/content");
    p.posted_at = text(job, "/first_published").and_then(|s| dates::parse(&s));
    p.valid_through = text(job, "/application_deadline").and_then(|s| dates::parse(&s));
    p.language = text(job, "/language");
    Ok(p)
}

/// Names companies give the custom field that says how a job is worked: Greenhouse
/// has no field of its own for it, so each board names its own.
const WORKPLACE_FIELDS: &[&str] = &[
    "Location Type",
    "Workplace Type",
    "Workplace",
    "Work Location Type",
    "Remote Type",
    "Remote Status",
    "Work Arrangement",
    "Work Model",
];

/// A custom field's value by its name, in any case; values may be text, lists or null.
fn metadata(job: &Value, name: &str) -> Option<String> {
    let fields = job.get("metadata")?.as_array()?;
    let field = fields.iter().find(|f| {
        f.get("name")
            .and_then(Value::as_str)
            .is_some_and(|n| n.trim().eq_ignore_ascii_case(name))
    })?;
    let values = json::texts(field, "/value", None);
    (!values.is_empty()).then(|| values.join(", "))
}
