//! Personio XML feed: `GET https://{company}.jobs.personio.de/xml`, one
//! `<workzag-jobs>` document of `<position>`s with CDATA descriptions.

use jobping_core::RawPosting;
use url::Url;

use super::request::api_url;
use super::xml::{self, Node};
use super::{Ctx, Page, ParseError, Skipped, dates, json};

/// The feed; a `language` query pair in the settings picks its language.
pub(super) fn first_url(base: &Url) -> Url {
    api_url(base, &["xml"])
}

pub(super) fn parse(ctx: &Ctx, body: &[u8]) -> Result<Page, ParseError> {
    let root = xml::parse(body).map_err(|e| ctx.error(e))?;
    if root.name != "workzag-jobs" {
        return Err(ctx.error(format!("expected <workzag-jobs>, found <{}>", root.name)));
    }
    let mut page = Page::default();
    for (index, position) in root.all("position").enumerate() {
        match read(ctx, position) {
            Ok(p) => page.postings.push(p),
            Err(reason) => page.skipped.push(Skipped { index, reason }),
        }
    }
    Ok(page)
}

fn read(ctx: &Ctx, pos: &Node) -> Result<RawPosting, String> {
    let id = pos.text_of("id").ok_or("missing id (<id>)")?;
    let title = pos.text_of("name").ok_or("missing title (<name>)")?;
    let mut p = ctx.posting(id, title);
    p.company = pos.text_of("subcompany").unwrap_or_else(|| ctx.board.to_owned());
    let host = ctx.page_url.host_str().unwrap_or_default();
    p.url = format!("{}://{host}/job/{}", ctx.page_url.scheme(), p.external_id);
    json::push_unique(&mut p.locations, pos.text_of("office"));
    if let Some(more) = pos.child("additionalOffices") {
        for office in more.all("office") {
            json::push_unique(&mut p.locations, office.trimmed());
        }
    }
    p.department = pos.text_of("department");
    p.employment_type = pos.text_of("employmentType");
    p.seniority = pos.text_of("seniority");
    json::push_unique(&mut p.tags, pos.text_of("schedule"));
    json::push_unique(&mut p.tags, pos.text_of("recruitingCategory"));
    json::push_unique(&mut p.tags, pos.text_of("yearsOfExperience"));
    json::push_unique(&mut p.tags, pos.text_of("occupationCategory"));
    for keyword in pos.text_of("keywords").unwrap_or_default().split(',') {
        json::push_unique(
            &mut p.tags,
            Some(keyword.trim().to_owned()).filter(|k| !k.is_empty()),
        );
    }
    p.description_html = description(pos);
    p.posted_at = pos.text_of("createdAt").and_then(|s| dates::parse(&s));
    if let Some(pay) = pos.child("salaryInformation") {
        let num = |name: &str| pay.text_of(name).and_then(|v| v.parse::<f64>().ok());
        p.salary = json::salary(
            num("min"),
            num("max"),
            pay.text_of("currencyCode")
                .or_else(|| pay.text_of("currencySymbol")),
            pay.text_of("type"),
            None,
        );
    }
    Ok(p)
}

/// Each titled part as `<h3>name</h3>` and its HTML, in feed order.
fn description(pos: &Node) -> Option<String> {
    let parts: Vec<String> = pos
        .child("jobDescriptions")?
        .all("jobDescription")
        .filter_map(|d| {
            let value = d.text_of("value")?;
            Some(match d.text_of("name") {
                Some(name) => format!("<h3>{name}</h3>\n{value}"),
                None => value,
            })
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join("\n"))
}
