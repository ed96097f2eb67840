//! What can go wrong while fetching, worded for an operator, with secrets kept out.

use std::error::Error as _;
use std::fmt::Write as _;

use url::Url;

use super::address::PrivateAnswer;

/// Why a fetch did not produce a response. URLs in it are already redacted.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// robots.txt (or its absence through a server error) forbids the URL for our agent.
    #[error("blocked by robots.txt: {url}")]
    BlockedByRobots { url: String },
    /// The server answered with a status we do not accept, after any retries.
    #[error("HTTP {status} from {url}")]
    Status { status: u16, url: String },
    /// The body (or robots.txt) passed the configured size cap while streaming.
    #[error("response from {url} is larger than the {limit}-byte limit")]
    TooLarge { limit: u64, url: String },
    /// Connecting or the whole request took longer than configured, after any retries.
    #[error("timed out fetching {url}")]
    Timeout { url: String },
    /// A connection or protocol failure, after any retries.
    #[error("network error fetching {url}: {message}")]
    Network { url: String, message: String },
    /// The shared per-host budget lives in Redis and Redis did not answer, so we do not
    /// fetch at all rather than risk hammering the host.
    #[error("Redis is unavailable for the per-host politeness budget, not fetching from {host}: {message}")]
    RedisUnavailable { host: String, message: String },
    /// The URL redirected more times than we follow.
    #[error("too many redirects from {url}")]
    TooManyRedirects { url: String },
    /// The HTTP client could not be built (TLS provider missing, bad settings).
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
    /// A board configured on a public host redirected to a non-public address; the
    /// redirect was not followed.
    #[error("refused a redirect to a private address {address} (from {url})")]
    PrivateRedirect { address: String, url: String },
    /// A board configured on a public host has a name that resolves only to non-public
    /// addresses; nothing was sent.
    #[error("refused to fetch {url}: {reason}")]
    PrivateAddress { url: String, reason: PrivateAnswer },
    /// The URL cannot be fetched at all (not http(s), no host).
    #[error("cannot fetch {url}: {reason}")]
    InvalidUrl { url: String, reason: String },
}

impl FetchError {
    /// True when the error came from robots.txt, so callers can count "blocked" apart.
    pub fn is_blocked_by_robots(&self) -> bool {
        matches!(self, Self::BlockedByRobots { .. })
    }

    /// True when the fetch was refused for leading to a non-public address.
    pub fn is_private_address(&self) -> bool {
        matches!(self, Self::PrivateRedirect { .. } | Self::PrivateAddress { .. })
    }

    /// Classifies a reqwest error without its URL (reqwest prints the full URL, secrets
    /// and all), keeping the readable cause chain.
    pub(crate) fn from_reqwest(err: reqwest::Error, url: &Url) -> Self {
        let url = redact_url(url);
        if err.is_timeout() {
            return Self::Timeout { url };
        }
        let err = err.without_url();
        let mut message = err.to_string();
        let mut source = err.source();
        while let Some(cause) = source {
            // The resolver refused the name: say so, and do not retry it as a network error.
            if let Some(answer) = cause.downcast_ref::<PrivateAnswer>() {
                return Self::PrivateAddress {
                    url,
                    reason: answer.clone(),
                };
            }
            let _ = write!(message, ": {cause}");
            source = cause.source();
        }
        Self::Network { url, message }
    }
}

/// Query parameter names whose values are secrets (Adzuna `app_key`, `api_key`, tokens).
fn is_secret_param(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    [
        "key",
        "token",
        "secret",
        "password",
        "passwd",
        "signature",
        "auth",
    ]
    .iter()
    .any(|word| name.contains(word))
}

/// The URL as text that is safe to log: secret query values and any password in the
/// user-info are replaced with `REDACTED`.
pub fn redact_url(url: &Url) -> String {
    let mut safe = url.clone();
    if safe.password().is_some() {
        let _ = safe.set_password(Some("REDACTED"));
    }
    if url.query().is_some() {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(name, value)| {
                let value = if is_secret_param(&name) {
                    "REDACTED".into()
                } else {
                    value.into_owned()
                };
                (name.into_owned(), value)
            })
            .collect();
        safe.query_pairs_mut().clear().extend_pairs(pairs);
    }
    safe.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_query_values_and_passwords_are_redacted_but_the_rest_is_kept() {
        let url =
            Url::parse("https://u:pw@api.adzuna.com/v1/jobs?app_id=42&app_key=s3cr3t&what=data&API_KEY=x")
                .unwrap();
        let text = redact_url(&url);
        assert!(
            !text.contains("s3cr3t") && !text.contains("pw@") && !text.contains("=x"),
            "{text}"
        );
        assert!(text.contains("app_id=42") && text.contains("what=data"), "{text}");
    }
}
