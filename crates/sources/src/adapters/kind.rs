//! The source kinds and what is known about each: hosts, keys, terms, politeness.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// One adapter, named as in `[[sources]] kind = "…"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// Greenhouse job board API (`boards-api.greenhouse.io`).
    Greenhouse,
    /// Lever postings API, US or EU host.
    Lever,
    /// Ashby posting API.
    Ashby,
    /// Workable widget API.
    Workable,
    /// SmartRecruiters posting API, paged by offset.
    SmartRecruiters,
    /// Recruitee careers API on the company's sub-domain.
    Recruitee,
    /// Personio XML feed on the company's sub-domain.
    Personio,
    /// Teamtailor RSS feed on the company's sub-domain.
    Teamtailor,
    /// Remote OK's public API (attribution required).
    RemoteOk,
    /// Arbeitnow job board API, paged by `links.next`.
    Arbeitnow,
    /// Himalayas jobs API, paged by offset.
    Himalayas,
    /// The Muse public API, paged by page number.
    TheMuse,
    /// Adzuna search API (needs `app_id` and `app_key`).
    Adzuna,
    /// Reed search API (needs a key).
    Reed,
    /// schema.org `JobPosting` JSON-LD in any career page.
    JsonLd,
    /// Remotive API: off by default, its terms forbid this use.
    Remotive,
    /// Jobicy API: off by default, its terms forbid this use.
    Jobicy,
}

/// What a source's `boards` entries name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Boards {
    /// An aggregator: no boards.
    None,
    /// A board token or company slug in the API path.
    Token,
    /// The company's sub-domain: the host names the company.
    Host,
    /// A country code (Adzuna's `gb`, `de`…).
    Country,
    /// Full page URLs (`jsonld`).
    PageUrl,
}

/// Which keys a source needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    None,
    /// Adzuna: `app_id` and `app_key` query parameters.
    AppIdAndKey,
    /// Reed: HTTP Basic with the key as user and an empty password.
    BasicAuthKey,
}

/// Static facts about one source.
#[derive(Debug, Clone, Copy)]
pub struct SourceInfo {
    pub kind: SourceKind,
    /// A human name for operators ("The Muse").
    pub name: &'static str,
    /// Scheme and host of the API; `{board}` stands for the company's sub-domain.
    pub default_base_url: &'static str,
    /// Lever's EU host, used with the `eu` board option.
    pub eu_base_url: Option<&'static str>,
    pub boards: Boards,
    pub keys: KeyKind,
    pub enabled_by_default: bool,
    /// Why the source is off by default, shown by `jobping sources`.
    pub disabled_reason: Option<&'static str>,
    /// Never poll one board more often than this.
    pub min_poll_interval: Duration,
    /// How to credit the source wherever its postings are shown.
    pub attribution: &'static str,
    /// Default cap on pages fetched per board and run.
    pub max_pages: u32,
}

const HOUR: Duration = Duration::from_secs(3600);
const COMPANY_BOARD: Duration = Duration::from_secs(3 * 3600);
const NO_ATTRIBUTION: &str = "None required for a company's own public job board; link to the posting.";
const FORBIDS: &str = "Its terms forbid redistributing its listings in other job services or alerts.";

const fn info(kind: SourceKind, name: &'static str, base: &'static str, boards: Boards) -> SourceInfo {
    SourceInfo {
        kind,
        name,
        default_base_url: base,
        eu_base_url: None,
        boards,
        keys: KeyKind::None,
        enabled_by_default: true,
        disabled_reason: None,
        min_poll_interval: COMPANY_BOARD,
        attribution: NO_ATTRIBUTION,
        max_pages: 1,
    }
}

impl SourceKind {
    /// Every kind, in the order `jobping sources` lists them.
    pub const ALL: [SourceKind; 17] = [
        Self::Greenhouse,
        Self::Lever,
        Self::Ashby,
        Self::Workable,
        Self::SmartRecruiters,
        Self::Recruitee,
        Self::Personio,
        Self::Teamtailor,
        Self::RemoteOk,
        Self::Arbeitnow,
        Self::Himalayas,
        Self::TheMuse,
        Self::Adzuna,
        Self::Reed,
        Self::JsonLd,
        Self::Remotive,
        Self::Jobicy,
    ];

    /// The name used in settings and in `RawPosting::source`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Greenhouse => "greenhouse",
            Self::Lever => "lever",
            Self::Ashby => "ashby",
            Self::Workable => "workable",
            Self::SmartRecruiters => "smartrecruiters",
            Self::Recruitee => "recruitee",
            Self::Personio => "personio",
            Self::Teamtailor => "teamtailor",
            Self::RemoteOk => "remoteok",
            Self::Arbeitnow => "arbeitnow",
            Self::Himalayas => "himalayas",
            Self::TheMuse => "themuse",
            Self::Adzuna => "adzuna",
            Self::Reed => "reed",
            Self::JsonLd => "jsonld",
            Self::Remotive => "remotive",
            Self::Jobicy => "jobicy",
        }
    }

    /// The static facts about this source.
    pub fn info(self) -> SourceInfo {
        use Boards::{Country, Host, None as NoBoards, PageUrl, Token};
        match self {
            Self::Greenhouse => info(self, "Greenhouse", "https://boards-api.greenhouse.io", Token),
            Self::Lever => SourceInfo {
                eu_base_url: Some("https://api.eu.lever.co"),
                ..info(self, "Lever", "https://api.lever.co", Token)
            },
            Self::Ashby => info(self, "Ashby", "https://api.ashbyhq.com", Token),
            Self::Workable => info(self, "Workable", "https://apply.workable.com", Token),
            Self::SmartRecruiters => SourceInfo {
                max_pages: 20,
                ..info(self, "SmartRecruiters", "https://api.smartrecruiters.com", Token)
            },
            Self::Recruitee => info(self, "Recruitee", "https://{board}.recruitee.com", Host),
            Self::Personio => info(self, "Personio", "https://{board}.jobs.personio.de", Host),
            Self::Teamtailor => info(self, "Teamtailor", "https://{board}.teamtailor.com", Host),
            Self::RemoteOk => SourceInfo {
                min_poll_interval: HOUR,
                attribution: "Required: link back (followed, no nofollow) to the job's Remote OK URL and \
                    mention Remote OK as the source; never use the Remote OK logo.",
                ..info(self, "Remote OK", "https://remoteok.com", NoBoards)
            },
            Self::Arbeitnow => SourceInfo {
                min_poll_interval: HOUR,
                max_pages: 10,
                attribution: "Asked: link back to arbeitnow.com; its terms of service apply.",
                ..info(self, "Arbeitnow", "https://www.arbeitnow.com", NoBoards)
            },
            Self::Himalayas => SourceInfo {
                min_poll_interval: HOUR,
                max_pages: 10,
                attribution: "Credit Himalayas and link to the job's Himalayas page; check the provider's terms.",
                ..info(self, "Himalayas", "https://himalayas.app", NoBoards)
            },
            Self::TheMuse => SourceInfo {
                min_poll_interval: HOUR,
                max_pages: 10,
                attribution: "Credit The Muse and link to the job's landing page; check the provider's terms.",
                ..info(self, "The Muse", "https://www.themuse.com", NoBoards)
            },
            Self::Adzuna => SourceInfo {
                keys: KeyKind::AppIdAndKey,
                min_poll_interval: HOUR,
                max_pages: 5,
                attribution: "Show \"Jobs by Adzuna\" and link through the redirect_url; check the provider's terms.",
                ..info(self, "Adzuna", "https://api.adzuna.com", Country)
            },
            Self::Reed => SourceInfo {
                keys: KeyKind::BasicAuthKey,
                min_poll_interval: HOUR,
                max_pages: 5,
                attribution: "Credit Reed.co.uk and link to the jobUrl; check the provider's terms.",
                ..info(self, "Reed", "https://www.reed.co.uk", NoBoards)
            },
            Self::JsonLd => SourceInfo {
                min_poll_interval: Duration::from_secs(6 * 3600),
                ..info(self, "JSON-LD career page", "", PageUrl)
            },
            Self::Remotive => SourceInfo {
                enabled_by_default: false,
                disabled_reason: Some(FORBIDS),
                min_poll_interval: Duration::from_secs(6 * 3600),
                attribution: "Required: mention Remotive as the source and link to the job's Remotive URL.",
                ..info(self, "Remotive", "https://remotive.com", NoBoards)
            },
            Self::Jobicy => SourceInfo {
                enabled_by_default: false,
                disabled_reason: Some(FORBIDS),
                min_poll_interval: Duration::from_secs(6 * 3600),
                attribution: "Required: credit Jobicy and link to the job's Jobicy URL.",
                ..info(self, "Jobicy", "https://jobicy.com", NoBoards)
            },
        }
    }
}

impl fmt::Display for SourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A source kind name that no adapter answers to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown source kind {0:?}")]
pub struct UnknownSourceKind(pub String);

impl FromStr for SourceKind {
    type Err = UnknownSourceKind;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownSourceKind(s.to_owned()))
    }
}
