//! Ashby posting API: `GET /posting-api/job-board/{board}?includeCompensation=true`,
//! one page. `isRemote` and `workplaceType` may disagree (true with "Hybrid"): both kept.

use serde_json::Value;
use url::Url;

use super::json::{self, boolean, number, push_unique, raw, required, text};
use super::request::api_url;
use super::{Ctx, Page, ParseError, dates};

pub(super) fn first_url(base: &Url, board: &str) -> Url {
    let mut url = api_url(base, &["posting-api", "job-board", board]);
    url.query_pairs_mut().append_pair("includeCompensation", "true");
    url
}

pub(super) fn parse(ctx: &Ctx, body: &[u8]) -> Result<Page, ParseError> {
    let root = json::body(ctx, body)?;
    let jobs = json::items(ctx, &root, "/jobs")?;
    Ok(json::read_all(jobs, |job| read(ctx, job)))
}

fn read(ctx: &Ctx, job: &Value) -> Result<jobping_core::RawPosting, String> {
    if boolean(job, "/isListed") == Some(false) {
        return Err("not listed on the public board (isListed false)".to_owned());
    }
    let mut p = ctx.posting(required(job, "/id", "id")?, required(job, "/title", "title")?);
    p.company = ctx.board.to_owned();
    p.url = text(job, "/jobUrl").unwrap_or_default();
    p.apply_url = text(job, "/applyUrl");
    push_unique(&mut p.locations, text(job, "/location"));
    push_unique(
        &mut p.countries,
        text(job, "/address/postalAddress/addressCountry"),
    );
    for place in job
        .get("secondaryLocations")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        push_unique(&mut p.locations, text(place, "/location"));
        push_unique(
            &mut p.countries,
            text(place, "/address/postalAddress/addressCountry"),
        );
    }
    p.remote = boolean(job, "/isRemote");
    p.workplace = text(job, "/workplaceType");
    p.department = text(job, "/department");
    push_unique(&mut p.tags, text(job, "/team"));
    p.employment_type = text(job, "/employmentType");
    p.description_html = raw(job, "/descriptionHtml");
    p.description_text = raw(job, "/descriptionPlain");
    p.posted_at = text(job, "/publishedAt").and_then(|s| dates::parse(&s));
    p.salary = salary(job);
    Ok(p)
}

/// The first salary component, with the board's own summary as text.
fn salary(job: &Value) -> Option<jobping_core::RawSalary> {
    let components = json::at(job, "/compensation/summaryComponents").and_then(Value::as_array);
    let pay = components
        .into_iter()
        .flatten()
        .find(|c| text(c, "/compensationType").is_some_and(|t| t.eq_ignore_ascii_case("salary")));
    let summary = text(job, "/compensation/scrapeableCompensationSalarySummary")
        .or_else(|| text(job, "/compensation/compensationTierSummary"));
    match pay {
        Some(c) => json::salary(
            number(c, "/minValue"),
            number(c, "/maxValue"),
            text(c, "/currencyCode"),
            text(c, "/interval"),
            summary,
        ),
        None => json::salary(None, None, None, None, summary),
    }
}
