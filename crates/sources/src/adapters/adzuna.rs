//! Adzuna search API: `GET /v1/api/jobs/{country}/search/{page}?app_id=…&app_key=…`,
//! paged by the page number in the path against `count`. A salary with
//! `salary_is_predicted` "1" is Adzuna's estimate, not the employer's: it is dropped.

use serde_json::Value;
use url::Url;

use super::json::{self, number, push_unique, raw, required, text};
use super::kind::SourceKind;
use super::request::{RequestError, RequestSettings, api_url};
use super::{Ctx, Page, ParseError, dates};

const PAGE_SIZE: u32 = 50;

pub(super) fn first_url(base: &Url, country: &str, s: &RequestSettings) -> Result<Url, RequestError> {
    let missing = |setting| RequestError::MissingSetting {
        kind: SourceKind::Adzuna,
        setting,
    };
    let app_id = s
        .app_id
        .as_deref()
        .filter(|v| !v.is_empty())
        .ok_or(missing("app_id"))?;
    let app_key = s
        .api_key
        .as_deref()
        .filter(|v| !v.is_empty())
        .ok_or(missing("app_key"))?;
    let mut url = api_url(base, &["v1", "api", "jobs", country, "search", "1"]);
    let per_page = s.page_size.unwrap_or(PAGE_SIZE).clamp(1, PAGE_SIZE);
    let mut query = url.query_pairs_mut();
    query
        .append_pair("app_id", app_id)
        .append_pair("app_key", app_key);
    query.append_pair("results_per_page", &per_page.to_string());
    if let Some(what) = &s.keywords {
        query.append_pair("what", what);
    }
    if let Some(place) = &s.location {
        query.append_pair("where", place);
    }
    query.append_pair("content-type", "application/json");
    drop(query);
    Ok(url)
}

pub(super) fn parse(ctx: &Ctx, body: &[u8]) -> Result<Page, ParseError> {
    let root = json::body(ctx, body)?;
    if let Some(why) = text(&root, "/exception").or_else(|| text(&root, "/display")) {
        return Err(ctx.error(format!("the API answered an error: {why}")));
    }
    let jobs = json::items(ctx, &root, "/results")?;
    let mut page = json::read_all(jobs, |job| read(ctx, job));
    page.next = next_page(ctx, &root, jobs.len());
    Ok(page)
}

/// The same URL with the path's last segment (the page number) plus one.
fn next_page(ctx: &Ctx, root: &Value, on_page: usize) -> Option<Url> {
    let current: u64 = ctx.page_url.path_segments()?.next_back()?.parse().ok()?;
    let per_page = ctx
        .query("results_per_page")
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(10);
    let total = number(root, "/count")? as u64;
    if on_page == 0 || current.saturating_mul(per_page) >= total {
        return None;
    }
    let mut url = ctx.page_url.clone();
    url.path_segments_mut()
        .ok()?
        .pop()
        .push(&(current + 1).to_string());
    Some(url)
}

/// The board's place name followed by the areas of `location.area` it leaves out, most
/// specific first: "Montreuil, Bobigny" is in "Seine-Saint-Denis, Ile-de-France,
/// France", and the department says whether a commune is one of our cities' suburbs.
fn place(job: &Value) -> Option<String> {
    let display = text(job, "/location/display_name");
    let mut names: Vec<String> = display
        .iter()
        .flat_map(|d| d.split(','))
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
        .collect();
    for area in json::texts(job, "/location/area", None).into_iter().rev() {
        if !names.iter().any(|n| n.eq_ignore_ascii_case(area.trim())) {
            names.push(area.trim().to_owned());
        }
    }
    (!names.is_empty()).then(|| names.join(", ")).or(display)
}

fn read(ctx: &Ctx, job: &Value) -> Result<jobping_core::RawPosting, String> {
    let mut p = ctx.posting(required(job, "/id", "id")?, required(job, "/title", "title")?);
    p.company = text(job, "/company/display_name").unwrap_or_default();
    p.url = text(job, "/redirect_url").unwrap_or_default();
    push_unique(&mut p.locations, place(job));
    push_unique(&mut p.countries, text(job, "/location/area/0"));
    // Each search covers the one country of its board ("gb", "fr").
    p.board_country = Some(ctx.board.trim().to_ascii_uppercase())
        .filter(|c| c.len() == 2 && c.chars().all(|c| c.is_ascii_alphabetic()));
    p.employment_type = {
        let parts: Vec<String> = ["/contract_time", "/contract_type"]
            .iter()
            .filter_map(|k| text(job, k))
            .collect();
        (!parts.is_empty()).then(|| parts.join(", "))
    };
    p.department = text(job, "/category/label");
    p.description_text = raw(job, "/description");
    p.posted_at = text(job, "/created").and_then(|s| dates::parse(&s));
    let predicted = text(job, "/salary_is_predicted").is_some_and(|v| v == "1");
    if !predicted {
        p.salary = json::salary(
            number(job, "/salary_min"),
            number(job, "/salary_max"),
            None,
            None,
            None,
        );
    }
    Ok(p)
}
