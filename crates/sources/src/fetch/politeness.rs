//! Per-host politeness: a minimum delay between request starts and a cap on requests in
//! flight, behind one trait with an in-process and a Redis implementation.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;
use url::Url;

use super::FetchError;
use super::error::redact_url;

/// The politeness unit: scheme, host and port, as robots.txt is scoped (RFC 9309).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HostKey(String);

impl HostKey {
    /// The key for the URL's origin, or an error for URLs without a host.
    pub fn of(url: &Url) -> Result<Self, FetchError> {
        let invalid = |reason: &str| FetchError::InvalidUrl {
            url: redact_url(url),
            reason: reason.into(),
        };
        if !matches!(url.scheme(), "http" | "https") {
            return Err(invalid("only http and https are fetched"));
        }
        let host = url.host_str().ok_or_else(|| invalid("the URL has no host"))?;
        let port = url
            .port_or_known_default()
            .ok_or_else(|| invalid("the URL has no port"))?;
        Ok(Self(format!(
            "{}://{}:{port}",
            url.scheme(),
            host.to_ascii_lowercase()
        )))
    }

    /// The key as text, e.g. `https://boards-api.greenhouse.io:443`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Held while a request to the host is in flight; dropping it frees the slot.
#[derive(Debug)]
pub struct HostPermit {
    _slot: OwnedSemaphorePermit,
}

impl HostPermit {
    /// A permit that frees its semaphore slot when dropped (for other implementations).
    pub fn new(slot: OwnedSemaphorePermit) -> Self {
        Self { _slot: slot }
    }
}

/// Decides when a request to a host may start. `acquire` returns once the request may
/// start now; the caller holds the permit until the response body is read.
#[async_trait]
pub trait Politeness: Send + Sync {
    /// Waits for a free slot on the host and for the host's next start time, spacing
    /// starts at least `min_delay` apart.
    async fn acquire(&self, host: &HostKey, min_delay: Duration) -> Result<HostPermit, FetchError>;

    /// Pushes the host's next start at least `wait` from now (the host sent
    /// `Retry-After`), for every caller sharing this budget.
    async fn hold_off(&self, host: &HostKey, wait: Duration) -> Result<(), FetchError>;
}

/// Per-host semaphores shared by both implementations: concurrency is capped in each
/// process (see [`super::RedisPoliteness`] for why not across processes).
#[derive(Debug)]
pub(crate) struct Slots {
    max_concurrency: usize,
    hosts: Mutex<HashMap<HostKey, Arc<HostState>>>,
}

#[derive(Debug)]
pub(crate) struct HostState {
    slots: Arc<Semaphore>,
    next_start: tokio::sync::Mutex<Option<Instant>>,
}

impl Slots {
    pub(crate) fn new(max_concurrency: usize) -> Self {
        Self {
            max_concurrency: max_concurrency.max(1),
            hosts: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn host(&self, host: &HostKey) -> Arc<HostState> {
        let mut hosts = self.hosts.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        hosts
            .entry(host.clone())
            .or_insert_with(|| {
                Arc::new(HostState {
                    slots: Arc::new(Semaphore::new(self.max_concurrency)),
                    next_start: tokio::sync::Mutex::new(None),
                })
            })
            .clone()
    }
}

impl HostState {
    pub(crate) async fn slot(&self) -> HostPermit {
        let slot = self
            .slots
            .clone()
            .acquire_owned()
            .await
            .expect("the host semaphore is never closed");
        HostPermit { _slot: slot }
    }
}

/// In-process politeness: right for one process (the default without `REDIS_URL`).
#[derive(Debug)]
pub struct LocalPoliteness {
    slots: Slots,
}

impl LocalPoliteness {
    /// At most `max_concurrency` requests in flight per host.
    pub fn new(max_concurrency: usize) -> Self {
        Self {
            slots: Slots::new(max_concurrency),
        }
    }
}

#[async_trait]
impl Politeness for LocalPoliteness {
    async fn acquire(&self, host: &HostKey, min_delay: Duration) -> Result<HostPermit, FetchError> {
        let state = self.slots.host(host);
        // The slot first: reserving a start time and then queueing for a slot would
        // waste the reserved time.
        let permit = state.slot().await;
        let start = {
            let mut next = state.next_start.lock().await;
            let now = Instant::now();
            let start = next.map_or(now, |next| next.max(now));
            *next = Some(start + min_delay);
            start
        };
        tokio::time::sleep_until(start).await;
        Ok(permit)
    }

    async fn hold_off(&self, host: &HostKey, wait: Duration) -> Result<(), FetchError> {
        let state = self.slots.host(host);
        let mut next = state.next_start.lock().await;
        let until = Instant::now() + wait;
        *next = Some(next.map_or(until, |next| next.max(until)));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_keys_include_scheme_and_default_port_and_ignore_case() {
        let a = HostKey::of(&Url::parse("https://Example.COM/jobs").unwrap()).unwrap();
        let b = HostKey::of(&Url::parse("https://example.com:443/other?q=1").unwrap()).unwrap();
        let c = HostKey::of(&Url::parse("http://example.com/jobs").unwrap()).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.as_str(), "https://example.com:443");
    }

    #[test]
    fn urls_that_are_not_http_cannot_be_fetched() {
        let err = HostKey::of(&Url::parse("ftp://example.com/x").unwrap()).unwrap_err();
        assert!(matches!(err, FetchError::InvalidUrl { .. }), "{err}");
    }
}
