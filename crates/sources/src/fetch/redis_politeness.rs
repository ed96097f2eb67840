//! Politeness shared by every worker process through Redis.
//!
//! The start-time budget lives in Redis: one atomic Lua script reads the server's clock
//! (`TIME`, so workers' clocks never matter), reserves the host's next start and answers
//! how long the caller must wait. Concurrency is capped per process with a semaphore and
//! deliberately not in Redis: a Redis counter leaks slots whenever a worker dies
//! mid-request (it needs an expiry longer than the slowest request, during which the
//! host looks busy), while the shared start spacing already bounds requests in flight
//! across all processes to `request_timeout / min_delay`.

use std::time::Duration;

use async_trait::async_trait;
use redis::Script;
use redis::aio::ConnectionManager;

use super::FetchError;
use super::politeness::{HostKey, HostPermit, Politeness, Slots};

/// KEYS[1]: the host's next allowed start, in microseconds of the Redis clock.
/// ARGV[1]: the minimum delay between starts, in microseconds.
/// Returns the microseconds the caller must wait before starting.
const RESERVE_START: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local start = now
local next_start = tonumber(redis.call('GET', KEYS[1]))
if next_start and next_start > now then start = next_start end
local expire_ms = math.ceil((start + interval - now) / 1000) + 1000
redis.call('SET', KEYS[1], string.format('%.0f', start + interval), 'PX', expire_ms)
return start - now
";

/// KEYS[1]: as above. ARGV[1]: microseconds from now before which nobody may start.
const HOLD_OFF: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local wait = tonumber(ARGV[1])
local next_start = tonumber(redis.call('GET', KEYS[1]))
if not next_start or next_start < now + wait then
  redis.call('SET', KEYS[1], string.format('%.0f', now + wait), 'PX', math.ceil(wait / 1000) + 1000)
end
return 0
";

/// How long one Redis round trip may take before the fetch is refused.
const REDIS_TIMEOUT: Duration = Duration::from_secs(2);

/// Politeness shared across processes through Redis; fails closed when Redis is down.
pub struct RedisPoliteness {
    redis: ConnectionManager,
    prefix: String,
    reserve_start: Script,
    hold_off: Script,
    slots: Slots,
}

impl std::fmt::Debug for RedisPoliteness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisPoliteness")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

impl RedisPoliteness {
    /// Keys are `{prefix}:fetch:host:{scheme://host:port}`; at most `max_concurrency`
    /// requests per host are in flight in this process.
    pub fn new(redis: ConnectionManager, prefix: impl Into<String>, max_concurrency: usize) -> Self {
        Self {
            redis,
            prefix: prefix.into(),
            reserve_start: Script::new(RESERVE_START),
            hold_off: Script::new(HOLD_OFF),
            slots: Slots::new(max_concurrency),
        }
    }

    fn key(&self, host: &HostKey) -> String {
        format!("{}:fetch:host:{}", self.prefix, host.as_str())
    }

    /// Runs one of the scripts on the host's key; its answer is in microseconds.
    async fn run(&self, script: &Script, host: &HostKey, micros: Duration) -> Result<Duration, FetchError> {
        let micros = u64::try_from(micros.as_micros()).unwrap_or(u64::MAX);
        let mut redis = self.redis.clone();
        let call = async {
            script
                .key(self.key(host))
                .arg(micros)
                .invoke_async::<i64>(&mut redis)
                .await
        };
        let message = match tokio::time::timeout(REDIS_TIMEOUT, call).await {
            Ok(Ok(wait)) => return Ok(Duration::from_micros(wait.max(0).unsigned_abs())),
            Ok(Err(err)) => err.to_string(),
            Err(_) => format!("no answer within {REDIS_TIMEOUT:?}"),
        };
        tracing::warn!(host = host.as_str(), %message, "Redis unavailable: not fetching");
        Err(FetchError::RedisUnavailable {
            host: host.as_str().to_owned(),
            message,
        })
    }
}

#[async_trait]
impl Politeness for RedisPoliteness {
    async fn acquire(&self, host: &HostKey, min_delay: Duration) -> Result<HostPermit, FetchError> {
        let permit = self.slots.host(host).slot().await;
        let wait = self.run(&self.reserve_start, host, min_delay).await?;
        tokio::time::sleep(wait).await;
        Ok(permit)
    }

    async fn hold_off(&self, host: &HostKey, wait: Duration) -> Result<(), FetchError> {
        self.run(&self.hold_off, host, wait).await.map(drop)
    }
}
