//! What every handler and worker step can reach.

use std::sync::Arc;

use jobping_sources::fetch::Fetcher;
use jobping_store::Store;
use metrics_exporter_prometheus::PrometheusHandle;
use tokio::sync::OnceCell;

use jobping_mail::Mailer;

use crate::limits::Limiter;
use crate::redis::RedisProbe;
use crate::settings::{Secret, Settings};
use crate::tokens::Signer;
use crate::worker::TaskRegistry;

/// Shared, cheaply cloned state of one running JobPing process.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub settings: Arc<Settings>,
    pub redis: Option<Arc<RedisProbe>>,
    pub metrics: PrometheusHandle,
    pub tasks: Arc<TaskRegistry>,
    /// The key that signs every token in every email link.
    pub signing_secret: Arc<Secret>,
    /// Signs and checks the tokens in links (current secret and previous ones).
    pub signer: Arc<Signer>,
    /// Renders and sends email through the configured transport.
    pub mailer: Arc<Mailer>,
    /// The active jobs, indexed for matching, shared by every digest this process prepares.
    pub job_index: Arc<crate::delivery::JobIndexCache>,
    /// Rate limits: in this process, or shared through Redis.
    pub limits: Arc<Limiter>,
    /// The one shared fetcher, made on first use (so a Redis that is down at start
    /// does not stop the process).
    pub fetcher: Arc<OnceCell<Arc<Fetcher>>>,
    /// Stripe's API, when billing is on.
    pub stripe: Option<Arc<crate::billing::Stripe>>,
}

impl AppState {
    /// The shared fetcher: robots.txt cache and per-host budgets live in it.
    pub async fn fetcher(&self) -> anyhow::Result<Arc<Fetcher>> {
        self.fetcher
            .get_or_try_init(|| crate::ingest::fetcher(&self.settings, self.redis.as_deref()))
            .await
            .cloned()
    }
}
