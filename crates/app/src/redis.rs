//! The Redis connection, when `REDIS_URL` is set. Later features (shared rate limits,
//! per-host scraping budgets) use it; here it is checked for readiness.

use std::time::{Duration, Instant};

use anyhow::Context;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::sync::Mutex;

/// A lazily connected Redis handle that reconnects by itself once Redis is back.
pub struct RedisProbe {
    client: redis::Client,
    manager: Mutex<Option<ConnectionManager>>,
}

const TIMEOUT: Duration = Duration::from_secs(1);

impl RedisProbe {
    /// Checks the URL; connects on first use, so a Redis that is down at start does not
    /// stop the process (readiness reports it instead).
    pub fn new(url: &str) -> anyhow::Result<Self> {
        let client = redis::Client::open(url).context("opening the Redis client")?;
        Ok(Self {
            client,
            manager: Mutex::new(None),
        })
    }

    /// A connection, made on first use.
    pub async fn connection(&self) -> anyhow::Result<ConnectionManager> {
        let mut guard = self.manager.lock().await;
        if let Some(manager) = guard.as_ref() {
            return Ok(manager.clone());
        }
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(TIMEOUT))
            .set_response_timeout(Some(TIMEOUT))
            .set_number_of_retries(1);
        let manager = tokio::time::timeout(
            TIMEOUT * 3,
            self.client.get_connection_manager_with_config(config),
        )
        .await
        .context("connecting to Redis timed out")?
        .context("connecting to Redis")?;
        *guard = Some(manager.clone());
        Ok(manager)
    }

    /// Round-trip time of a PING.
    pub async fn ping(&self) -> anyhow::Result<Duration> {
        let started = Instant::now();
        let mut connection = self.connection().await?;
        let reply: String = tokio::time::timeout(TIMEOUT, redis::cmd("PING").query_async(&mut connection))
            .await
            .context("Redis did not answer PING in time")?
            .context("Redis PING")?;
        anyhow::ensure!(reply == "PONG", "Redis answered PING with {reply:?}");
        Ok(started.elapsed())
    }
}
