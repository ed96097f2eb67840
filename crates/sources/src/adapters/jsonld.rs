//! schema.org `JobPosting` in any HTML page's JSON-LD: blocks may hold one object, an
//! array, or an `@graph`; `@type` may be a string or an array; the script type may be
//! entity-encoded (`application/ld&#x2B;json`). A block that is not valid JSON is
//! counted in `skipped` (index = the block's position, reason naming the block) and the
//! other blocks still read; a `JobPosting` without a title is skipped with its position
//! among the page's postings.

use std::borrow::Cow;

use scraper::{Html, Selector};
use serde_json::Value;
use url::Url;

use super::kind::SourceKind;
use super::request::{RequestError, page_url, rebase};
use super::{Ctx, Page, ParseError, Skipped, html_scripts, job_posting};

/// The page itself, moved onto `base` when a base URL is configured.
pub(super) fn first_url(base: &Url, board: &str) -> Result<Url, RequestError> {
    let page = page_url(SourceKind::JsonLd, board)?;
    rebase(&page, base).ok_or(RequestError::InvalidBaseUrl {
        kind: SourceKind::JsonLd,
        url: base.to_string(),
    })
}

pub(super) fn parse(ctx: &Ctx, body: &[u8]) -> Result<Page, ParseError> {
    let html = String::from_utf8_lossy(body);
    let mut page = Page::default();
    let mut values = Vec::new();
    for (index, source) in blocks(ctx, &html)?.iter().enumerate() {
        match serde_json::from_str::<Value>(source.trim()) {
            Ok(value) => values.push(value),
            Err(e) => page.skipped.push(Skipped {
                index,
                reason: format!("JSON-LD block {index} is not valid JSON ({e})"),
            }),
        }
    }
    let mut found = Vec::new();
    values.iter().for_each(|value| collect(value, &mut found));
    for (index, posting) in found.into_iter().enumerate() {
        match job_posting::read(ctx, posting) {
            Ok(p) => page.postings.push(p),
            Err(reason) => page.skipped.push(Skipped {
                index,
                reason: format!("JobPosting {index}: {reason}"),
            }),
        }
    }
    Ok(page)
}

/// The content of each `application/ld+json` script, in page order: found by the
/// scanner where it can be sure, else by parsing the whole page.
fn blocks<'h>(ctx: &Ctx, html: &'h str) -> Result<Vec<Cow<'h, str>>, ParseError> {
    let is_json_ld = |kind: &str| kind.trim().eq_ignore_ascii_case("application/ld+json");
    if let Some(scripts) = html_scripts::scripts(html) {
        return Ok(scripts
            .into_iter()
            .filter(|script| script.kind.is_some_and(is_json_ld))
            .map(|script| script.content)
            .collect());
    }
    let document = Html::parse_document(html);
    let scripts = Selector::parse("script").map_err(|e| ctx.error(format!("selector: {e}")))?;
    Ok(document
        .select(&scripts)
        .filter(|script| script.value().attr("type").is_some_and(is_json_ld))
        .map(|script| Cow::Owned(script.text().collect()))
        .collect())
}

/// Every object typed `JobPosting`, wherever it sits in the block.
fn collect<'v>(value: &'v Value, out: &mut Vec<&'v Value>) {
    match value {
        Value::Array(items) => items.iter().for_each(|v| collect(v, out)),
        Value::Object(map) => {
            if job_posting::is_job_posting(value) {
                out.push(value);
            } else {
                map.values().for_each(|v| collect(v, out));
            }
        }
        _ => {}
    }
}
