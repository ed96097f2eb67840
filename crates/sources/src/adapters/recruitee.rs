//! Recruitee careers API: `GET https://{company}.recruitee.com/api/offers/`, one page.
//! Salary numbers come as strings ("75000", "95.00") or nulls.

use serde_json::Value;
use url::Url;

use super::json::{self, boolean, number, push_unique, raw, required, text};
use super::request::api_url;
use super::{Ctx, Page, ParseError, dates};

pub(super) fn first_url(base: &Url) -> Url {
    api_url(base, &["api", "offers", ""])
}

pub(super) fn parse(ctx: &Ctx, body: &[u8]) -> Result<Page, ParseError> {
    let root = json::body(ctx, body)?;
    let offers = json::items(ctx, &root, "/offers")?;
    Ok(json::read_all(offers, |offer| read(ctx, offer)))
}

fn read(ctx: &Ctx, offer: &Value) -> Result<jobping_core::RawPosting, String> {
    if text(offer, "/status").is_some_and(|s| s != "published") {
        return Err("not published".to_owned());
    }
    let mut p = ctx.posting(required(offer, "/id", "id")?, required(offer, "/title", "title")?);
    p.company = text(offer, "/company_name").unwrap_or_else(|| ctx.board.to_owned());
    p.url = text(offer, "/careers_url").unwrap_or_default();
    p.apply_url = text(offer, "/careers_apply_url");
    push_unique(&mut p.locations, text(offer, "/location"));
    for place in offer
        .get("locations")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let parts: Vec<String> = ["/city", "/state", "/country"]
            .iter()
            .filter_map(|k| text(place, k))
            .collect();
        if !parts.is_empty() && !p.locations.iter().any(|l| l == &parts.join(", ")) {
            push_unique(&mut p.locations, Some(parts.join(", ")));
        }
        push_unique(&mut p.countries, text(place, "/country_code"));
    }
    push_unique(&mut p.countries, text(offer, "/country_code"));
    p.remote = boolean(offer, "/remote");
    p.workplace = workplace(offer);
    p.department = text(offer, "/department");
    p.employment_type = text(offer, "/employment_type_code");
    p.seniority = text(offer, "/experience_code");
    p.description_html = join(raw(offer, "/description"), raw(offer, "/requirements"));
    p.posted_at = text(offer, "/published_at").and_then(|s| dates::parse(&s));
    p.valid_through = text(offer, "/close_at").and_then(|s| dates::parse(&s));
    p.tags = json::texts(offer, "/tags", None);
    p.salary = json::salary(
        number(offer, "/salary/min"),
        number(offer, "/salary/max"),
        text(offer, "/salary/currency"),
        text(offer, "/salary/period"),
        None,
    );
    Ok(p)
}

/// Recruitee's three flags are the ways of working an offer accepts, several at once: a
/// job open to full remote work (`remote`, with or without `hybrid`) is remote; one
/// that also wants people on site, or is `hybrid`, is a mix; `on_site` alone is the
/// office.
fn workplace(offer: &Value) -> Option<String> {
    let flag = |name: &str| boolean(offer, &format!("/{name}")) == Some(true);
    let workplace = match (flag("remote"), flag("hybrid"), flag("on_site")) {
        (true, _, false) => "remote",
        (true, _, true) | (false, true, _) => "hybrid",
        (false, false, true) => "on_site",
        (false, false, false) => return None,
    };
    Some(workplace.to_owned())
}

fn join(a: Option<String>, b: Option<String>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) => Some(format!("{a}\n{b}")),
        (a, b) => a.or(b),
    }
}
