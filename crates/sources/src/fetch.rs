//! Polite fetching: robots.txt, per-host politeness, retries, conditional requests.
//!
//! Every source adapter fetches through one [`Fetcher`], which for each URL:
//! checks robots.txt for the origin (RFC 9309, cached), waits for the host's politeness
//! budget (in-process, or in Redis so that several workers share it), sends the request
//! with our identifying User-Agent and any validators, reads the body up to a cap while
//! streaming, and retries transient failures with backoff, honouring `Retry-After`.
//! Redirects are followed by hand, one hop at a time, so that every hop is checked
//! against its own robots.txt and spends its own host's budget.
//!
//! A URL on a public host stays on public addresses: a redirect to a loopback, private,
//! link-local or otherwise non-public address is refused, and so is a DNS answer of one
//! (see [`address`]). A URL configured on a non-public address (a test server, a LAN
//! mirror) may go anywhere.
//!
//! Errors and logs carry URLs through [`redact_url`], so API keys in query strings
//! (Adzuna's `app_key`) never reach them; Basic credentials are never logged.
//!
//! The process must install a rustls crypto provider before building a [`Fetcher`]
//! (`rustls::crypto::ring::default_provider().install_default()`), or reqwest panics.

pub mod address;
mod body;
mod error;
mod politeness;
mod redis_politeness;
mod request;
mod retry;
mod robots;

use std::sync::Arc;
use std::time::Duration;

use std::net::SocketAddr;

use redis::aio::ConnectionManager;
use url::Url;

pub use error::{FetchError, redact_url};
pub use politeness::{HostKey, HostPermit, LocalPoliteness, Politeness};
pub use redis_politeness::RedisPoliteness;

use address::{PublicResolver, Reach};
use request::Step;
use robots::RobotsCache;

/// Hops followed for one fetch, as browsers and RFC 9309 (at least five) allow.
const MAX_REDIRECTS: usize = 5;

/// How the fetcher behaves; every field is an operator setting.
#[derive(Debug, Clone)]
pub struct FetchConfig {
    /// The product token in User-Agent and the name matched in robots.txt groups.
    pub robots_token: String,
    /// A page saying who runs the crawler and how to reach them, sent in User-Agent.
    pub contact_url: String,
    /// The whole request, body included.
    pub request_timeout: Duration,
    /// Establishing the TCP and TLS connection.
    pub connect_timeout: Duration,
    /// Bodies past this many bytes are refused while streaming.
    pub max_response_bytes: u64,
    /// robots.txt files are cut at this many bytes (RFC 9309: at least 500 KiB).
    pub max_robots_bytes: u64,
    /// Minimum time between request starts to one host.
    pub min_delay: Duration,
    /// A robots.txt Crawl-delay raises `min_delay` up to this.
    pub max_crawl_delay: Duration,
    /// Requests in flight to one host (per process, see [`RedisPoliteness`]).
    pub max_concurrency: usize,
    /// Tries after the first one, for transient failures only.
    pub max_retries: u32,
    /// The first backoff; it doubles on each retry.
    pub retry_base_delay: Duration,
    /// The longest `Retry-After` we wait for; a server asking for more is given up on.
    pub max_retry_after: Duration,
    /// How long a fetched (or 4xx) robots.txt is trusted.
    pub robots_cache_ttl: Duration,
    /// How long an unreachable (5xx, network error) robots.txt blocks the host before
    /// it is asked for again.
    pub robots_error_ttl: Duration,
    /// Names sent to a fixed address instead of asking DNS, as curl's `--resolve` does
    /// (tests, mirrors without DNS). A pin says where a name lives, not that it is
    /// private: a board configured by that name still may not redirect to private
    /// addresses.
    pub pinned_hosts: Vec<(String, SocketAddr)>,
}

impl Default for FetchConfig {
    fn default() -> Self {
        Self {
            robots_token: "JobPingBot".into(),
            contact_url: "http://127.0.0.1:8080/about/bot".into(),
            request_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            max_response_bytes: 20 * 1024 * 1024,
            max_robots_bytes: 512 * 1024,
            min_delay: Duration::from_secs(1),
            max_crawl_delay: Duration::from_secs(60),
            max_concurrency: 2,
            max_retries: 3,
            retry_base_delay: Duration::from_millis(500),
            max_retry_after: Duration::from_secs(120),
            robots_cache_ttl: Duration::from_secs(24 * 60 * 60),
            robots_error_ttl: Duration::from_secs(10 * 60),
            pinned_hosts: Vec::new(),
        }
    }
}

impl FetchConfig {
    /// e.g. `JobPingBot/0.1.0 (+https://jobping.example/bot)`.
    pub fn user_agent(&self) -> String {
        format!(
            "{}/{} (+{})",
            self.robots_token,
            env!("CARGO_PKG_VERSION"),
            self.contact_url
        )
    }
}

/// Validators from an earlier response, for a conditional request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// HTTP Basic credentials (Reed: the API key as user name, no password).
#[derive(Clone, PartialEq, Eq)]
pub struct BasicAuth {
    pub username: String,
    pub password: Option<String>,
}

impl std::fmt::Debug for BasicAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BasicAuth(REDACTED)")
    }
}

/// Per-call extras for [`Fetcher::get_with`].
#[derive(Debug, Clone, Copy, Default)]
pub struct RequestOptions<'a> {
    pub validators: Option<&'a Validators>,
    pub basic_auth: Option<&'a BasicAuth>,
    /// The `Accept` header, e.g. `application/json`.
    pub accept: Option<&'a str>,
}

/// A successful fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    /// 304: what we hold is current.
    NotModified,
    Body {
        status: u16,
        bytes: Vec<u8>,
        content_type: Option<String>,
        etag: Option<String>,
        last_modified: Option<String>,
        /// The URL after redirects.
        final_url: Url,
    },
}

impl Fetched {
    /// The validators to send next time, if the server gave any.
    pub fn validators(&self) -> Option<Validators> {
        match self {
            Self::Body {
                etag, last_modified, ..
            } if etag.is_some() || last_modified.is_some() => Some(Validators {
                etag: etag.clone(),
                last_modified: last_modified.clone(),
            }),
            _ => None,
        }
    }
}

/// The one HTTP client every source shares, with robots.txt and politeness built in.
pub struct Fetcher {
    /// For URLs configured on non-public addresses: the system resolver as it is.
    client: reqwest::Client,
    /// For everything else: non-public DNS answers are dropped.
    public_client: reqwest::Client,
    config: FetchConfig,
    politeness: Arc<dyn Politeness>,
    robots: RobotsCache,
}

impl std::fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fetcher")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Fetcher {
    /// A fetcher with in-process politeness (one process).
    pub fn new(config: FetchConfig) -> Result<Self, FetchError> {
        let politeness = Arc::new(LocalPoliteness::new(config.max_concurrency));
        Self::with_politeness(config, politeness)
    }

    /// A fetcher whose per-host start budget lives in Redis under `key_prefix`, shared
    /// by every process using the same prefix.
    pub fn with_redis(
        config: FetchConfig,
        redis: ConnectionManager,
        key_prefix: impl Into<String>,
    ) -> Result<Self, FetchError> {
        let politeness = Arc::new(RedisPoliteness::new(redis, key_prefix, config.max_concurrency));
        Self::with_politeness(config, politeness)
    }

    /// A fetcher with any politeness implementation.
    pub fn with_politeness(config: FetchConfig, politeness: Arc<dyn Politeness>) -> Result<Self, FetchError> {
        let builder = || {
            let mut builder = reqwest::Client::builder()
                .user_agent(config.user_agent())
                .timeout(config.request_timeout)
                .connect_timeout(config.connect_timeout)
                .redirect(reqwest::redirect::Policy::none());
            for (name, addr) in &config.pinned_hosts {
                builder = builder.resolve(name, *addr);
            }
            builder
        };
        let build_error = |err: reqwest::Error| FetchError::Client(err.to_string());
        let client = builder().build().map_err(build_error)?;
        let public_client = builder()
            .dns_resolver(PublicResolver)
            .build()
            .map_err(build_error)?;
        Ok(Self {
            client,
            public_client,
            config,
            politeness,
            robots: RobotsCache::default(),
        })
    }

    /// The client for a fetch with this reach.
    pub(crate) fn client(&self, reach: Reach) -> &reqwest::Client {
        match reach {
            Reach::Anywhere => &self.client,
            Reach::PublicOnly => &self.public_client,
        }
    }

    /// The settings this fetcher runs with.
    pub fn config(&self) -> &FetchConfig {
        &self.config
    }

    /// GET the URL politely, conditionally when validators are given.
    pub async fn get(&self, url: &Url, validators: Option<&Validators>) -> Result<Fetched, FetchError> {
        self.get_with(
            url,
            RequestOptions {
                validators,
                ..RequestOptions::default()
            },
        )
        .await
    }

    /// GET the URL politely, with per-call extras such as Basic auth. Redirects are
    /// followed here, hop by hop, so each hop is checked against its own robots.txt and
    /// waits for its own host's budget. A URL on a public host is never redirected to a
    /// non-public address (see [`address`]).
    #[tracing::instrument(skip_all, fields(url = %redact_url(url)))]
    pub async fn get_with(&self, url: &Url, options: RequestOptions<'_>) -> Result<Fetched, FetchError> {
        let origin = HostKey::of(url)?;
        let reach = Reach::of_configured(url);
        let mut options = options;
        let mut current = url.clone();
        for _ in 0..=MAX_REDIRECTS {
            match self.get_one(&current, options, reach).await? {
                Step::Done(fetched) => return Ok(fetched),
                Step::Redirect(next) => {
                    if let Some(address) = reach.refuses(&next) {
                        tracing::warn!(from = %redact_url(&current), %address, "refused a redirect to a private address");
                        return Err(FetchError::PrivateRedirect {
                            address,
                            url: redact_url(&current),
                        });
                    }
                    // Credentials belong to the origin they were given for.
                    if HostKey::of(&next)? != origin {
                        options.basic_auth = None;
                    }
                    tracing::debug!(to = %redact_url(&next), "following a redirect");
                    current = next;
                }
            }
        }
        Err(FetchError::TooManyRedirects { url: redact_url(url) })
    }
}
