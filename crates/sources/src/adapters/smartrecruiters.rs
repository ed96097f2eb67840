//! SmartRecruiters posting API: `GET /v1/companies/{board}/postings?limit=100&offset=0`,
//! paged by `offset`/`limit` against `totalFound`. The list has no descriptions.

use serde_json::Value;
use url::Url;

use super::json::{self, boolean, push_unique, required, text};
use super::request::{RequestSettings, api_url};
use super::{Ctx, Page, ParseError, dates};

const PAGE_SIZE: u32 = 100;

pub(super) fn first_url(base: &Url, board: &str, s: &RequestSettings) -> Url {
    let mut url = api_url(base, &["v1", "companies", board, "postings"]);
    let limit = s.page_size.unwrap_or(PAGE_SIZE).clamp(1, PAGE_SIZE);
    url.query_pairs_mut()
        .append_pair("limit", &limit.to_string())
        .append_pair("offset", "0");
    url
}

pub(super) fn parse(ctx: &Ctx, body: &[u8]) -> Result<Page, ParseError> {
    let root = json::body(ctx, body)?;
    let jobs = json::items(ctx, &root, "/content")?;
    let mut page = json::read_all(jobs, |job| read(ctx, job));
    page.next = json::next_offset_page(ctx, &root, jobs.len(), "/totalFound", json::Step::Limit);
    Ok(page)
}

fn read(ctx: &Ctx, job: &Value) -> Result<jobping_core::RawPosting, String> {
    let mut p = ctx.posting(required(job, "/id", "id")?, required(job, "/name", "title")?);
    p.company = text(job, "/company/name").unwrap_or_else(|| ctx.board.to_owned());
    let identifier = text(job, "/company/identifier").unwrap_or_else(|| ctx.board.to_owned());
    p.url = format!("https://jobs.smartrecruiters.com/{identifier}/{}", p.external_id);
    push_unique(
        &mut p.locations,
        text(job, "/location/fullLocation").or_else(|| city_country(job)),
    );
    push_unique(&mut p.countries, text(job, "/location/country"));
    p.remote = boolean(job, "/location/remote");
    p.workplace = workplace(job);
    p.department = text(job, "/department/label");
    p.employment_type = text(job, "/typeOfEmployment/label");
    p.seniority = text(job, "/experienceLevel/label").or_else(|| text(job, "/experienceLevel/id"));
    push_unique(&mut p.tags, text(job, "/function/label"));
    push_unique(&mut p.tags, text(job, "/industry/label"));
    p.posted_at = text(job, "/releasedDate").and_then(|s| dates::parse(&s));
    p.language = text(job, "/language/code");
    Ok(p)
}

/// The location's `remote` and `hybrid` flags: SmartRecruiters asks for one of on-site,
/// hybrid or remote, so both flags false is on-site. An older payload without the
/// `hybrid` flag says only "remote" or "not remote", which is not "on-site".
fn workplace(job: &Value) -> Option<String> {
    let workplace = match (boolean(job, "/location/remote"), boolean(job, "/location/hybrid")) {
        (_, Some(true)) => "hybrid",
        (Some(true), _) => "remote",
        (Some(false), Some(false)) => "onsite",
        _ => return None,
    };
    Some(workplace.to_owned())
}

fn city_country(job: &Value) -> Option<String> {
    let parts: Vec<String> = ["/location/city", "/location/region", "/location/country"]
        .iter()
        .filter_map(|k| text(job, k))
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}
