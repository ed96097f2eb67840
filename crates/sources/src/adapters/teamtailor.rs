//! Teamtailor RSS feed: `GET https://{company}.teamtailor.com/jobs.rss`, one RSS 2.0
//! document. Locations and department sit in Teamtailor's `tt:` namespace.

use jobping_core::RawPosting;
use url::Url;

use super::request::api_url;
use super::xml::{self, Node};
use super::{Ctx, Page, ParseError, Skipped, dates, json};

pub(super) fn first_url(base: &Url) -> Url {
    api_url(base, &["jobs.rss"])
}

pub(super) fn parse(ctx: &Ctx, body: &[u8]) -> Result<Page, ParseError> {
    let root = xml::parse(body).map_err(|e| ctx.error(e))?;
    let channel = match (root.name.as_str(), root.child("channel")) {
        ("rss", Some(channel)) => channel,
        _ => return Err(ctx.error(format!("expected an RSS <rss><channel>, found <{}>", root.name))),
    };
    let mut page = Page::default();
    for (index, item) in channel.all("item").enumerate() {
        match read(ctx, item) {
            Ok(p) => page.postings.push(p),
            Err(reason) => page.skipped.push(Skipped { index, reason }),
        }
    }
    Ok(page)
}

fn read(ctx: &Ctx, item: &Node) -> Result<RawPosting, String> {
    let link = item.text_of("link");
    let id = item
        .text_of("guid")
        .or_else(|| link.clone())
        .ok_or("missing id (<guid> or <link>)")?;
    let title = item.text_of("title").ok_or("missing title (<title>)")?;
    let mut p = ctx.posting(id, title);
    p.company = ctx.board.to_owned();
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
    p.department = item.text_of("department");
    p.employment_type = item.text_of("employmentType");
    p.description_html = item.text_of("description");
    p.posted_at = item.text_of("pubDate").and_then(|s| dates::parse(&s));
    Ok(p)
}
