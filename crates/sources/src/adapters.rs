//! Source adapters: one file per board. Each turns one fetched page into the board's
//! own words ([`RawPosting`]) and says where the next page is; fetching is elsewhere.
//!
//! Everything a caller needs is data: [`SourceKind::info`] for hosts, keys, terms and
//! politeness, [`SourceKind::first_request`] for the first page, [`parse`] for each
//! page, and [`Crawl`] to follow `next` links under a page cap.

use jobping_core::RawPosting;
use url::Url;

mod dates;
mod html_scripts;
mod job_posting;
mod json;
mod kind;
mod request;
mod xml;

mod adzuna;
mod arbeitnow;
mod ashby;
mod greenhouse;
mod himalayas;
mod jobicy;
mod jsonld;
mod lever;
mod personio;
mod recruitee;
mod reed;
mod remoteok;
mod remotive;
mod smartrecruiters;
mod teamtailor;
mod themuse;
mod workable;

pub use kind::{Boards, KeyKind, SourceInfo, SourceKind, UnknownSourceKind};
pub use request::{BasicAuth, PageRequest, RequestError, RequestSettings};

/// What one fetched page held.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    pub postings: Vec<RawPosting>,
    /// Items in the page that were not valid postings, with why.
    pub skipped: Vec<Skipped>,
    /// The next page to fetch, if the board says there is one.
    pub next: Option<Url>,
}

/// One item of a page that was not read as a posting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Position of the item in the page's list.
    pub index: usize,
    pub reason: String,
}

/// A page that is not the shape the source sends at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind}: {problem}")]
pub struct ParseError {
    pub kind: SourceKind,
    pub problem: String,
}

/// Reads one page of `kind` for `board`, fetched from `page_url`.
pub fn parse(kind: SourceKind, board: &str, body: &[u8], page_url: &Url) -> Result<Page, ParseError> {
    let ctx = Ctx {
        kind,
        board,
        page_url,
    };
    match kind {
        SourceKind::Greenhouse => greenhouse::parse(&ctx, body),
        SourceKind::Lever => lever::parse(&ctx, body),
        SourceKind::Ashby => ashby::parse(&ctx, body),
        SourceKind::Workable => workable::parse(&ctx, body),
        SourceKind::SmartRecruiters => smartrecruiters::parse(&ctx, body),
        SourceKind::Recruitee => recruitee::parse(&ctx, body),
        SourceKind::Personio => personio::parse(&ctx, body),
        SourceKind::Teamtailor => teamtailor::parse(&ctx, body),
        SourceKind::RemoteOk => remoteok::parse(&ctx, body),
        SourceKind::Arbeitnow => arbeitnow::parse(&ctx, body),
        SourceKind::Himalayas => himalayas::parse(&ctx, body),
        SourceKind::TheMuse => themuse::parse(&ctx, body),
        SourceKind::Adzuna => adzuna::parse(&ctx, body),
        SourceKind::Reed => reed::parse(&ctx, body),
        SourceKind::JsonLd => jsonld::parse(&ctx, body),
        SourceKind::Remotive => remotive::parse(&ctx, body),
        SourceKind::Jobicy => jobicy::parse(&ctx, body),
    }
}

fn first_url(kind: SourceKind, base: &Url, board: &str, s: &RequestSettings) -> Result<Url, RequestError> {
    let board = request::board_for(kind, board)?;
    let mut url = match kind {
        SourceKind::Greenhouse => greenhouse::first_url(base, &board),
        SourceKind::Lever => lever::first_url(base, &board),
        SourceKind::Ashby => ashby::first_url(base, &board),
        SourceKind::Workable => workable::first_url(base, &board),
        SourceKind::SmartRecruiters => smartrecruiters::first_url(base, &board, s),
        SourceKind::Recruitee => recruitee::first_url(base),
        SourceKind::Personio => personio::first_url(base),
        SourceKind::Teamtailor => teamtailor::first_url(base),
        SourceKind::RemoteOk => remoteok::first_url(base),
        SourceKind::Arbeitnow => arbeitnow::first_url(base, s),
        SourceKind::Himalayas => himalayas::first_url(base, s),
        SourceKind::TheMuse => themuse::first_url(base, s),
        SourceKind::Adzuna => adzuna::first_url(base, &board, s)?,
        SourceKind::Reed => reed::first_url(base, s),
        SourceKind::JsonLd => jsonld::first_url(base, &board)?,
        SourceKind::Remotive => remotive::first_url(base, s),
        SourceKind::Jobicy => jobicy::first_url(base, s),
    };
    if !s.query.is_empty() {
        url.query_pairs_mut().extend_pairs(&s.query);
    }
    Ok(url)
}

/// Follows `next` links for one board: never past `max_pages`, never to a page already
/// fetched, never off the first page's host.
#[derive(Debug, Clone)]
pub struct Crawl {
    max_pages: u32,
    seen: Vec<Url>,
}

impl Crawl {
    /// Starts a crawl at `first`, fetching at most `max_pages` pages (at least one).
    pub fn new(first: &Url, max_pages: u32) -> Self {
        Self {
            max_pages: max_pages.max(1),
            seen: vec![first.clone()],
        }
    }

    /// The page to fetch after `page`, if the cap and the board allow one.
    pub fn next(&mut self, page: &Page) -> Option<Url> {
        let next = page.next.as_ref()?;
        let same_origin = self
            .seen
            .first()
            .is_some_and(|first| first.origin() == next.origin());
        if self.seen.len() >= self.max_pages as usize || !same_origin || self.seen.contains(next) {
            return None;
        }
        self.seen.push(next.clone());
        Some(next.clone())
    }

    /// Pages handed out so far, the first included.
    pub fn pages(&self) -> usize {
        self.seen.len()
    }
}

/// What every adapter knows while reading a page.
pub(crate) struct Ctx<'a> {
    kind: SourceKind,
    board: &'a str,
    page_url: &'a Url,
}

impl Ctx<'_> {
    fn error(&self, problem: impl Into<String>) -> ParseError {
        ParseError {
            kind: self.kind,
            problem: problem.into(),
        }
    }

    /// A posting with the source, board, id and title filled in.
    fn posting(&self, external_id: String, title: String) -> RawPosting {
        RawPosting {
            source: self.kind.as_str().to_owned(),
            board: self.board.to_owned(),
            external_id,
            title,
            ..RawPosting::default()
        }
    }

    /// `link` resolved against the page and rebased onto the page's origin.
    fn same_host(&self, link: &str) -> Option<Url> {
        let url = self.page_url.join(link).ok()?;
        request::rebase(&url, self.page_url)
    }

    /// The page URL with query parameter `key` set to `value`.
    fn with_query(&self, key: &str, value: &str) -> Url {
        with_query(self.page_url, key, value)
    }

    /// The value of the page URL's query parameter `key`.
    fn query(&self, key: &str) -> Option<String> {
        self.page_url
            .query_pairs()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.into_owned())
    }
}

/// `url` with query parameter `key` set to `value`, other pairs kept in order.
pub(crate) fn with_query(url: &Url, key: &str, value: &str) -> Url {
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != key)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut out = url.clone();
    out.query_pairs_mut()
        .clear()
        .extend_pairs(pairs)
        .append_pair(key, value);
    out
}
