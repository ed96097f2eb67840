//! robots.txt per RFC 9309: fetched once per origin, cached, and read for our agent.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use robotxt::Robots;
use tokio::time::Instant;
use url::Url;

use super::address::Reach;
use super::body::read_up_to;
use super::politeness::HostKey;
use super::request::location;
use super::{FetchError, Fetcher, MAX_REDIRECTS, redact_url};

/// Rules per origin with the time they stop being fresh. One async lock per origin, so
/// concurrent fetches to a new host request its robots.txt once.
#[derive(Debug, Default)]
pub(crate) struct RobotsCache {
    hosts: Mutex<HashMap<HostKey, Arc<tokio::sync::Mutex<Option<Cached>>>>>,
}

#[derive(Debug)]
struct Cached {
    rules: Arc<Robots>,
    fresh_until: Instant,
}

/// What fetching robots.txt came to, in the terms of RFC 9309 section 2.3.1.
#[derive(Debug)]
enum Outcome {
    Parsed(Robots),
    /// 4xx, or too many redirects: there are no rules, everything is allowed.
    Unavailable,
    /// 5xx, 429 or a network failure: assume everything is disallowed, and ask again
    /// sooner than a normal cache lifetime.
    Unreachable(String),
    /// We could not even ask (the shared politeness budget is down), or asking would
    /// reach a private address: nothing is cached.
    NotAsked(FetchError),
}

impl Fetcher {
    /// The rules for the URL's origin, from the cache or freshly fetched. Fails only
    /// when robots.txt could not be asked for at all.
    pub(crate) async fn robots_for(
        &self,
        host: &HostKey,
        url: &Url,
        reach: Reach,
    ) -> Result<Arc<Robots>, FetchError> {
        let entry = {
            let mut hosts = self
                .robots
                .hosts
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            hosts.entry(host.clone()).or_default().clone()
        };
        let mut cached = entry.lock().await;
        if let Some(hit) = cached.as_ref().filter(|hit| hit.fresh_until > Instant::now()) {
            return Ok(hit.rules.clone());
        }
        let (rules, ttl) = match self.fetch_robots(host, url, reach).await {
            Outcome::Parsed(rules) => (rules, self.config.robots_cache_ttl),
            Outcome::Unavailable => (Robots::allow_all(), self.config.robots_cache_ttl),
            Outcome::Unreachable(reason) => {
                tracing::warn!(host = host.as_str(), %reason, "robots.txt unreachable: disallowing the host for now");
                (Robots::disallow_all(), self.config.robots_error_ttl)
            }
            Outcome::NotAsked(err) => return Err(err),
        };
        let rules = Arc::new(rules);
        *cached = Some(Cached {
            rules: rules.clone(),
            fresh_until: Instant::now() + ttl,
        });
        Ok(rules)
    }

    async fn fetch_robots(&self, host: &HostKey, url: &Url, reach: Reach) -> Outcome {
        let mut robots_url = url.clone();
        robots_url.set_path("/robots.txt");
        robots_url.set_query(None);
        robots_url.set_fragment(None);
        let _ = robots_url.set_username("");
        let _ = robots_url.set_password(None);

        // RFC 9309 asks for at least five redirects; past them the file is unavailable.
        let mut hop_host = host.clone();
        for _ in 0..=MAX_REDIRECTS {
            // Asking for robots.txt is a request to the host like any other.
            let permit = match self.politeness.acquire(&hop_host, self.config.min_delay).await {
                Ok(permit) => permit,
                Err(err) => return Outcome::NotAsked(err),
            };
            let response = match self.client(reach).get(robots_url.clone()).send().await {
                Ok(response) => response,
                Err(err) => {
                    return match FetchError::from_reqwest(err, &robots_url) {
                        // Not the host's robots.txt being down: the board's status says why.
                        refused if refused.is_private_address() => Outcome::NotAsked(refused),
                        err => Outcome::Unreachable(err.to_string()),
                    };
                }
            };
            let status = response.status();
            tracing::debug!(
                host = host.as_str(),
                status = status.as_u16(),
                "fetched robots.txt"
            );
            if status.is_redirection()
                && let Some(next) = location(&robots_url, response.headers())
                && let Ok(next_host) = HostKey::of(&next)
            {
                if let Some(address) = reach.refuses(&next) {
                    return Outcome::NotAsked(FetchError::PrivateRedirect {
                        address,
                        url: redact_url(&robots_url),
                    });
                }
                drop(permit);
                (robots_url, hop_host) = (next, next_host);
                continue;
            }
            return self.read_robots(response, &robots_url).await;
        }
        Outcome::Unavailable
    }

    async fn read_robots(&self, response: reqwest::Response, robots_url: &Url) -> Outcome {
        let status = response.status();
        if status.is_success() {
            // Files past the cap are cut, not refused: RFC 9309 asks crawlers to parse
            // at least 500 KiB and lets them ignore the rest.
            match read_up_to(response, self.config.max_robots_bytes).await {
                Ok((body, cut)) => Outcome::Parsed(Robots::parse(
                    whole_lines(&body, cut),
                    self.config.robots_token.as_str(),
                )),
                Err(err) => Outcome::Unreachable(FetchError::from_reqwest(err, robots_url).to_string()),
            }
        } else if status.as_u16() == 429 || status.is_server_error() {
            Outcome::Unreachable(format!("HTTP {}", status.as_u16()))
        } else if status.is_client_error() {
            Outcome::Unavailable
        } else {
            // 1xx, or a 3xx without a usable Location: no usable answer.
            Outcome::Unreachable(format!("HTTP {}", status.as_u16()))
        }
    }

    /// The start spacing for the host: our own minimum, raised by its Crawl-delay (up to
    /// the configured cap, so one host cannot park a worker for hours).
    pub(crate) fn host_delay(&self, host: &HostKey, rules: &Robots) -> Duration {
        let Some(crawl_delay) = rules.crawl_delay() else {
            return self.config.min_delay;
        };
        if crawl_delay > self.config.max_crawl_delay {
            tracing::warn!(
                host = host.as_str(),
                ?crawl_delay,
                cap = ?self.config.max_crawl_delay,
                "Crawl-delay is above the cap; using the cap"
            );
        }
        self.config
            .min_delay
            .max(crawl_delay.min(self.config.max_crawl_delay))
    }
}

/// A cut file keeps only its whole lines, so a rule is never read half-written.
fn whole_lines(body: &[u8], cut: bool) -> &[u8] {
    if !cut {
        return body;
    }
    body.iter()
        .rposition(|&byte| byte == b'\n')
        .map_or(&[], |end| &body[..=end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_own_group_wins_over_the_wildcard_group() {
        let txt = b"User-agent: *\nDisallow: /\n\nUser-agent: JobPingBot\nAllow: /jobs\nDisallow: /\nCrawl-delay: 2\n";
        let rules = Robots::parse(txt, "JobPingBot");
        assert!(rules.is_url_allowed(&Url::parse("https://e.com/jobs/1").unwrap()));
        assert!(!rules.is_url_allowed(&Url::parse("https://e.com/private").unwrap()));
        assert_eq!(rules.crawl_delay(), Some(Duration::from_secs(2)));
    }

    #[test]
    fn a_cut_file_drops_its_last_partial_line() {
        assert_eq!(
            whole_lines(b"Disallow: /a\nDisallow: /pri", true),
            b"Disallow: /a\n"
        );
        assert_eq!(whole_lines(b"Disallow: /pri", true), b"");
        assert_eq!(whole_lines(b"Disallow: /private", false), b"Disallow: /private");
    }
}
