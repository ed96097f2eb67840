//! Building the first page's request for a board, from settings that are data.

use std::fmt;

use url::Url;

pub use crate::fetch::BasicAuth;

use super::kind::{Boards, KeyKind, SourceKind};

/// Search settings and keys for the sources that take them.
#[derive(Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct RequestSettings {
    /// Use Lever's EU host (`api.eu.lever.co`) when no base URL is given.
    pub eu: bool,
    /// Search words (Adzuna `what`, Reed `keywords`).
    pub keywords: Option<String>,
    /// Search location (Adzuna `where`, Reed `locationName`).
    pub location: Option<String>,
    /// Results per page where the API lets us choose.
    pub page_size: Option<u32>,
    /// Adzuna's `app_id`.
    pub app_id: Option<String>,
    /// Adzuna's `app_key` or Reed's API key.
    pub api_key: Option<String>,
    /// More query pairs, added as given (The Muse `level`, `location`…).
    pub query: Vec<(String, String)>,
}

impl fmt::Debug for RequestSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestSettings")
            .field("eu", &self.eu)
            .field("keywords", &self.keywords)
            .field("location", &self.location)
            .field("page_size", &self.page_size)
            .field("app_id", &self.app_id.as_ref().map(|_| "<redacted>"))
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("query", &self.query)
            .finish()
    }
}

/// What to fetch first; later pages come from [`super::Page::next`] with the same auth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub url: Url,
    pub basic_auth: Option<BasicAuth>,
}

/// A board or setting that cannot make a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    #[error("{kind}: board {board:?} is not a valid {what}")]
    InvalidBoard {
        kind: SourceKind,
        board: String,
        what: &'static str,
    },
    #[error("{kind}: the setting {setting} is required")]
    MissingSetting { kind: SourceKind, setting: &'static str },
    #[error("{kind}: base URL {url:?} cannot be used")]
    InvalidBaseUrl { kind: SourceKind, url: String },
}

impl SourceKind {
    /// The API base for a board when no `base_url` is configured.
    pub fn default_base_url(self, board: &str, settings: &RequestSettings) -> Result<Url, RequestError> {
        let info = self.info();
        let template = match info.eu_base_url {
            Some(eu) if settings.eu => eu,
            _ => info.default_base_url,
        };
        if self == SourceKind::JsonLd {
            return page_url(self, board);
        }
        let text = if template.contains("{board}") {
            template.replace("{board}", &host_label(self, board)?)
        } else {
            template.to_owned()
        };
        Url::parse(&text).map_err(|_| RequestError::InvalidBaseUrl {
            kind: self,
            url: text,
        })
    }

    /// The first page's request for `board`; `base_url` replaces only the scheme and host.
    pub fn first_request(
        self,
        base_url: Option<&Url>,
        board: &str,
        settings: &RequestSettings,
    ) -> Result<PageRequest, RequestError> {
        let base = match base_url {
            Some(url) => url.clone(),
            None => self.default_base_url(board, settings)?,
        };
        if base.cannot_be_a_base() || base.host().is_none() {
            return Err(RequestError::InvalidBaseUrl {
                kind: self,
                url: base.to_string(),
            });
        }
        let url = super::first_url(self, &base, board, settings)?;
        Ok(PageRequest {
            url,
            basic_auth: self.basic_auth(settings)?,
        })
    }

    /// The Basic credentials every page of this source needs, if any.
    pub fn basic_auth(self, settings: &RequestSettings) -> Result<Option<BasicAuth>, RequestError> {
        match self.info().keys {
            KeyKind::BasicAuthKey => {
                let key = settings.api_key.clone().filter(|k| !k.is_empty());
                let key = key.ok_or(RequestError::MissingSetting {
                    kind: self,
                    setting: "api_key",
                })?;
                Ok(Some(BasicAuth {
                    username: key,
                    password: None,
                }))
            }
            _ => Ok(None),
        }
    }
}

/// `base` with `segments` appended to its own path (a mirror may live under a prefix).
pub(crate) fn api_url(base: &Url, segments: &[&str]) -> Url {
    let mut url = base.clone();
    url.set_query(None);
    url.set_fragment(None);
    if let Ok(mut path) = url.path_segments_mut() {
        path.pop_if_empty();
        path.extend(segments);
    }
    url
}

/// A board token for a URL path: letters, digits, `-`, `_`, `.`.
pub(crate) fn token(kind: SourceKind, board: &str) -> Result<String, RequestError> {
    let ok = !board.is_empty()
        && board != "."
        && board != ".."
        && board
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(board.to_owned())
    } else {
        Err(RequestError::InvalidBoard {
            kind,
            board: board.to_owned(),
            what: "board token",
        })
    }
}

fn host_label(kind: SourceKind, board: &str) -> Result<String, RequestError> {
    let ok = !board.is_empty()
        && board.len() <= 63
        && !board.starts_with('-')
        && board.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if ok {
        Ok(board.to_ascii_lowercase())
    } else {
        Err(RequestError::InvalidBoard {
            kind,
            board: board.to_owned(),
            what: "company sub-domain",
        })
    }
}

/// A `jsonld` board is a page URL, http or https only.
pub(crate) fn page_url(kind: SourceKind, board: &str) -> Result<Url, RequestError> {
    match Url::parse(board) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => Ok(url),
        _ => Err(RequestError::InvalidBoard {
            kind,
            board: board.to_owned(),
            what: "page URL",
        }),
    }
}

/// Checks the board against what the source expects, for sources that take one.
pub(crate) fn board_for(kind: SourceKind, board: &str) -> Result<String, RequestError> {
    match kind.info().boards {
        Boards::Token => token(kind, board),
        Boards::Country => {
            if board.len() == 2 && board.chars().all(|c| c.is_ascii_alphabetic()) {
                Ok(board.to_ascii_lowercase())
            } else {
                Err(RequestError::InvalidBoard {
                    kind,
                    board: board.to_owned(),
                    what: "country code",
                })
            }
        }
        Boards::Host => host_label(kind, board),
        Boards::None | Boards::PageUrl => Ok(board.to_owned()),
    }
}

/// `url` moved onto `origin`'s scheme, host and port: a next link the board wrote with
/// its own host must still reach the configured base (a mirror, a test server).
pub(crate) fn rebase(url: &Url, origin: &Url) -> Option<Url> {
    let mut out = url.clone();
    out.set_scheme(origin.scheme()).ok()?;
    out.set_host(origin.host_str()).ok()?;
    out.set_port(origin.port()).ok()?;
    Some(out)
}
