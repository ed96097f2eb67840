//! Teamtailor career sites serve the same jobs twice, and a body may be either:
//!
//! - `GET https://{company}.teamtailor.com/jobs.rss`, RSS 2.0 with Teamtailor's `tt:`
//!   namespace: city and country, department, and `remoteStatus` (`none`, `hybrid`,
//!   `fully`), the only remote marker Teamtailor publishes. The first page is this feed.
//! - `GET https://{company}.teamtailor.com/jobs.json`, JSON Feed 1.1 whose items carry a
//!   schema.org `JobPosting` under `_jobposting` (country codes, `validThrough`,
//!   `baseSalary`) and whose `next_url` names the next page. No remote marker: a
//!   `fully` remote job reads there as an office address.
//!
//! A body starting with `{` is the JSON Feed. Both feeds give the job's UUID as its id
//! (`<guid>`, the item's `id`), so a board reads as the same postings either way.

use jobping_core::RawPosting;
use serde_json::Value;
use url::Url;

use super::json::{self, raw, text};
use super::request::{api_url, rebase};
use super::xml::{self, Node};
use super::{Ctx, Page, ParseError, Skipped, dates, job_posting};

pub(super) fn first_url(base: &Url) -> Url {
    api_url(base, &["jobs.rss"])
}

pub(super) fn parse(ctx: &Ctx, body: &[u8]) -> Result<Page, ParseError> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => parse_json_feed(ctx, body),
        _ => parse_rss(ctx, body),
    }
}

fn parse_rss(ctx: &Ctx, body: &[u8]) -> Result<Page, ParseError> {
    let root = xml::parse(body).map_err(|e| ctx.error(e))?;
    let channel = match (root.name.as_str(), root.child("channel")) {
        ("rss", Some(channel)) => channel,
        _ => return Err(ctx.error(format!("expected an RSS <rss><channel>, found <{}>", root.name))),
    };
    // The channel is titled with the company's name, as the JSON Feed is.
    let company = channel.text_of("title");
    let mut page = Page::default();
    for (index, item) in channel.all("item").enumerate() {
        match read_rss(ctx, company.as_deref(), item) {
            Ok(p) => page.postings.push(p),
            Err(reason) => page.skipped.push(Skipped { index, reason }),
        }
    }
    Ok(page)
}

fn read_rss(ctx: &Ctx, company: Option<&str>, item: &Node) -> Result<RawPosting, String> {
    let link = item.text_of("link");
    let id = item
        .text_of("guid")
        .or_else(|| link.clone())
        .ok_or("missing id (<guid> or <link>)")?;
    let title = item.text_of("title").ok_or("missing title (<title>)")?;
    let mut p = ctx.posting(id, title);
    p.company = company.unwrap_or(ctx.board).to_owned();
    p.url = link.unwrap_or_default();
    if let Some(locations) = item.child("locations") {
        for place in locations.all("location") {
            // The name is an office label ("Stockholm HQ"); city and country say where.
            let parts: Vec<String> = ["city", "country"]
                .iter()
                .filter_map(|k| place.text_of(k))
                .collect();
            let named = (!parts.is_empty())
                .then(|| parts.join(", "))
                .or_else(|| place.text_of("name"));
            json::push_unique(&mut p.locations, named);
            json::push_unique(&mut p.countries, place.text_of("country"));
        }
    }
    p.workplace = item.text_of("remoteStatus");
    // Teamtailor's words: `fully` remote, `none` for no remote work; `hybrid` is read
    // as a workplace by the normalizer, and `temporary` (remote for now) says neither.
    p.remote = match p.workplace.as_deref().map(str::to_ascii_lowercase).as_deref() {
        Some("fully") => Some(true),
        Some("none") => Some(false),
        _ => None,
    };
    p.department = item.text_of("department");
    p.employment_type = item.text_of("employmentType");
    p.description_html = item.text_of("description");
    p.posted_at = item.text_of("pubDate").and_then(|s| dates::parse(&s));
    Ok(p)
}

fn parse_json_feed(ctx: &Ctx, body: &[u8]) -> Result<Page, ParseError> {
    let root = json::body(ctx, body)?;
    let items = json::items(ctx, &root, "/items")?;
    let company = text(&root, "/title");
    let mut page = json::read_all(items, |item| read_json(ctx, company.as_deref(), item));
    if !items.is_empty() {
        page.next = next_page(ctx, &root);
    }
    Ok(page)
}

/// An item's own fields come first (its `id` is the RSS `<guid>`); its `JobPosting`
/// fills in the rest, and the feed's title names the company when the posting does not.
fn read_json(ctx: &Ctx, company: Option<&str>, item: &Value) -> Result<RawPosting, String> {
    let job = item.get("_jobposting").filter(|j| j.is_object());
    let id = text(item, "/id")
        .or_else(|| job.and_then(|j| job_posting::identifier(j.get("identifier"))))
        .or_else(|| text(item, "/url"))
        .ok_or("missing id (/id)")?;
    let title = text(item, "/title")
        .or_else(|| job.and_then(|j| text(j, "/title")))
        .ok_or("missing title (/title)")?;
    let mut p = ctx.posting(id, title);
    if let Some(job) = job {
        job_posting::fill(&mut p, job);
    }
    if p.company.is_empty() {
        p.company = company.unwrap_or(ctx.board).to_owned();
    }
    p.url = text(item, "/url")
        .or_else(|| job.and_then(|j| text(j, "/url")))
        .unwrap_or_default();
    p.description_html = raw(item, "/content_html").or(p.description_html.take());
    p.description_text = raw(item, "/content_text");
    if let Some(published) = text(item, "/date_published").and_then(|s| dates::parse(&s)) {
        p.posted_at = Some(published);
    }
    Ok(p)
}

/// `next_url` when it stays on this board: on the page's own host or the host the feed
/// names as its own (`feed_url`), moved onto the page's origin so that a mirror or a
/// test server keeps answering. A link to any other host is not followed.
fn next_page(ctx: &Ctx, root: &Value) -> Option<Url> {
    let next = ctx.page_url.join(&text(root, "/next_url")?).ok()?;
    let feed_host = text(root, "/feed_url")
        .and_then(|feed| Url::parse(&feed).ok())
        .and_then(|feed| feed.host_str().map(str::to_ascii_lowercase));
    let host = next.host_str()?.to_ascii_lowercase();
    let ours = ctx.page_url.host_str() == Some(host.as_str()) || feed_host.as_deref() == Some(host.as_str());
    ours.then(|| rebase(&next, ctx.page_url)).flatten()
}
