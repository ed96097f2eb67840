//! Ingestion: fetch a board's pages politely, parse them with the source's adapter,
//! normalize each posting and upsert the batch. Sources fetch and parse; this module is
//! where their output meets the store.

mod board;
mod tasks;

use std::sync::Arc;

use jobping_sources::fetch::{FetchConfig, Fetcher};

pub use self::board::{BoardReport, RunStatus, scrape_board, source_name};
pub use self::tasks::{ScrapeBoard, ScrapeSource, enqueue_source};
use crate::settings::Settings;

/// The User-Agent token robots.txt rules are matched against.
pub const ROBOTS_TOKEN: &str = "JobPingBot";

/// Builds the one shared fetcher from the settings, with per-host budgets in Redis when
/// Redis is configured (so that every worker process shares them).
pub async fn fetcher(
    settings: &Settings,
    redis: Option<&crate::redis::RedisProbe>,
) -> anyhow::Result<Arc<Fetcher>> {
    let scraping = &settings.scraping;
    let config = FetchConfig {
        robots_token: ROBOTS_TOKEN.to_owned(),
        contact_url: scraping.contact_url.to_string(),
        request_timeout: scraping.request_timeout,
        max_response_bytes: scraping.max_response_bytes,
        min_delay: scraping.min_host_delay,
        ..FetchConfig::default()
    };
    let fetcher = match redis {
        Some(redis) => Fetcher::with_redis(config, redis.connection().await?, "jobping")?,
        None => Fetcher::new(config)?,
    };
    Ok(Arc::new(fetcher))
}
