//! The Redis connection, when `REDIS_URL` is set. Later features (shared rate limits,
//! per-host scraping budgets) use it; here it is checked for readiness.

use std::time::{Duration, Instant};

use anyhow::Context;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::sync::OnceCell;

/// A lazily connected Redis handle that reconnects by itself once Redis is back.
pub struct RedisProbe {
    client: redis::Client,
    /// Set by the first successful connection; the manager reconnects by itself after.
    manager: OnceCell<ConnectionManager>,
}

const TIMEOUT: Duration = Duration::from_secs(1);

impl RedisProbe {
    /// Checks the URL; connects on first use, so a Redis that is down at start does not
    /// stop the process (readiness reports it instead).
    pub fn new(url: &str) -> anyhow::Result<Self> {
        let client = redis::Client::open(url).context("opening the Redis client")?;
        Ok(Self {
            client,
            manager: OnceCell::new(),
        })
    }

    /// A connection, made on first use. Once made it is shared without a lock (every
    /// rate-limit check passes here); until then callers wait for one attempt at a time.
    pub async fn connection(&self) -> anyhow::Result<ConnectionManager> {
        let manager = self
            .manager
            .get_or_try_init(|| async {
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(TIMEOUT))
                    .set_response_timeout(Some(TIMEOUT))
                    .set_number_of_retries(1);
                tokio::time::timeout(
                    TIMEOUT * 3,
                    self.client.get_connection_manager_with_config(config),
                )
                .await
                .context("connecting to Redis timed out")?
                .context("connecting to Redis")
            })
            .await?;
        Ok(manager.clone())
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
