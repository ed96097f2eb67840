//! Adapter tests: each source against a payload written here with the real API's shape
//! and quirks (fictional European companies), plus requests, paging and properties
//! that hold for any input.

mod aggregators;
mod company_boards;
mod feeds;
mod properties;
mod requests;
mod teamtailor;
mod workplaces;

use jobping_core::RawPosting;
use jobping_sources::adapters::{Page, SourceKind, parse};
use time::{Date, Month, OffsetDateTime, Time, UtcOffset};
use url::Url;

/// A payload from `tests/fixtures/<kind>/<name>`.
fn fixture(kind: SourceKind, name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{kind}/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"))
}

fn url(text: &str) -> Url {
    Url::parse(text).expect("a valid test URL")
}

/// Parses a fixture as if fetched from `page_url`, which must succeed.
fn page_of(kind: SourceKind, board: &str, name: &str, page_url: &str) -> Page {
    parse(kind, board, &fixture(kind, name), &url(page_url)).expect("the fixture parses")
}

/// The posting with this external id.
fn posting<'p>(page: &'p Page, id: &str) -> &'p RawPosting {
    page.postings
        .iter()
        .find(|p| p.external_id == id)
        .unwrap_or_else(|| {
            panic!(
                "no posting {id} in {:?}",
                page.postings.iter().map(|p| &p.external_id).collect::<Vec<_>>()
            )
        })
}

fn at(y: i32, m: u8, d: u8, h: u8, mi: u8, s: u8, offset_hours: i8) -> OffsetDateTime {
    let month = Month::try_from(m).expect("a month");
    let date = Date::from_calendar_date(y, month, d).expect("a date");
    let offset = UtcOffset::from_hms(offset_hours, 0, 0).expect("an offset");
    date.with_time(Time::from_hms(h, mi, s).expect("a time"))
        .assume_offset(offset)
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// The skip reasons with their item positions.
fn skips(page: &Page) -> Vec<(usize, &str)> {
    page.skipped
        .iter()
        .map(|s| (s.index, s.reason.as_str()))
        .collect()
}
