//! Rate limits. One question, "may this key do one more thing of this class?", answered
//! by GCRA either in the process (governor) or, when `REDIS_URL` is set, by an atomic Lua
//! script on the Redis server's clock, so every process shares one count. When Redis is
//! configured but unreachable the answer is "unavailable" and callers refuse (503):
//! limits fail closed.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use governor::RateLimiter;
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;

use crate::redis::RedisProbe;

mod address;

pub use address::{Cidr, ClientIp, client_ip, limit_key, parse_forwarded};

/// How many requests a key may make per period, all of which may come at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Quota {
    pub limit: u32,
    pub period: Duration,
}

impl Quota {
    pub const fn new(limit: u32, period: Duration) -> Self {
        Self { limit, period }
    }

    /// The time one request "costs": the period spread over the limit.
    fn interval(&self) -> Duration {
        self.period / self.limit.max(1)
    }

    /// "10/15m" (as settings write it).
    pub fn describe(&self) -> String {
        let secs = self.period.as_secs();
        let period = match secs {
            s if s % 86_400 == 0 => format!("{}d", s / 86_400),
            s if s % 3_600 == 0 => format!("{}h", s / 3_600),
            s if s % 60 == 0 => format!("{}m", s / 60),
            s => format!("{s}s"),
        };
        format!("{}/{period}", self.limit)
    }
}

/// The answer for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    pub limit: u32,
    /// The period the limit counts over.
    pub period: Duration,
    /// Requests left right now.
    pub remaining: u32,
    /// Until the key's allowance is whole again.
    pub reset: Duration,
    /// `Some` when refused: how long until one more is allowed.
    pub retry_after: Option<Duration>,
}

impl Verdict {
    pub fn allowed(&self) -> bool {
        self.retry_after.is_none()
    }

    /// "10 requests every 15 minutes".
    pub fn policy(&self) -> String {
        let secs = self.period.as_secs();
        let (n, unit) = match secs {
            s if s % 86_400 == 0 => (s / 86_400, "day"),
            s if s % 3_600 == 0 => (s / 3_600, "hour"),
            s if s % 60 == 0 => (s / 60, "minute"),
            s => (s, "second"),
        };
        let every = if n == 1 {
            unit.to_owned()
        } else {
            format!("{n} {unit}s")
        };
        format!("{} requests every {every}", self.limit)
    }

    /// Seconds to wait, rounded up, at least 1.
    pub fn retry_after_secs(&self) -> u64 {
        self.retry_after.map_or(0, |d| ceil_secs(d).max(1))
    }

    /// `RateLimit-Limit`, `-Remaining`, `-Reset` (seconds), and `Retry-After` when refused.
    pub fn write_headers(&self, headers: &mut HeaderMap) {
        let mut put = |name: &'static str, value: u64| {
            headers.insert(HeaderName::from_static(name), HeaderValue::from(value));
        };
        put("ratelimit-limit", u64::from(self.limit));
        put("ratelimit-remaining", u64::from(self.remaining));
        put("ratelimit-reset", ceil_secs(self.reset));
        if self.retry_after.is_some() {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(self.retry_after_secs()));
        }
    }
}

fn ceil_secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

/// The shared limiter (Redis) could not be asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the shared rate limiter (Redis) cannot be reached")]
pub struct Unavailable;

/// How long a client is told to wait when the limiter is unavailable.
pub const UNAVAILABLE_RETRY_AFTER: u64 = 5;

type Keyed = RateLimiter<String, DefaultKeyedStateStore<String>, DefaultClock, StateInformationMiddleware>;

/// GCRA on the Redis server's clock. KEYS[1]: the key. ARGV[1]: the interval and ARGV[2]:
/// the burst, in microseconds and requests. Returns {allowed, remaining, reset_us,
/// retry_us}. The stored value is the theoretical arrival time, expiring when it passes.
const GCRA: &str = r"
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000000 + tonumber(now_parts[2])
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tolerance = interval * burst
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + interval
local allow_at = new_tat - tolerance
if now < allow_at then
  local remaining = math.floor((tolerance - (tat - now)) / interval)
  if remaining < 0 then remaining = 0 end
  return {0, remaining, tat - now, allow_at - now}
end
redis.call('SET', KEYS[1], string.format('%d', new_tat), 'PX', math.ceil((new_tat - now) / 1000) + 1)
local remaining = math.floor((tolerance - (new_tat - now)) / interval)
return {1, remaining, new_tat - now, 0}
";

struct Shared {
    probe: Arc<RedisProbe>,
    script: redis::Script,
    prefix: String,
}

/// Rate limits for this process: in-process, or shared through Redis.
pub struct Limiter {
    shared: Option<Shared>,
    local: Mutex<HashMap<(&'static str, Quota), Arc<Keyed>>>,
    clock: DefaultClock,
    checks: AtomicU64,
}

impl Limiter {
    /// Counts in this process only.
    pub fn in_process() -> Self {
        Self {
            shared: None,
            local: Mutex::new(HashMap::new()),
            clock: DefaultClock::default(),
            checks: AtomicU64::new(0),
        }
    }

    /// Counts in Redis, under keys that start with `prefix`.
    pub fn redis(probe: Arc<RedisProbe>, prefix: &str) -> Self {
        Self {
            shared: Some(Shared {
                probe,
                script: redis::Script::new(GCRA),
                prefix: prefix.to_owned(),
            }),
            ..Self::in_process()
        }
    }

    /// Whether counts are shared through Redis.
    pub fn is_shared(&self) -> bool {
        self.shared.is_some()
    }

    /// Counts one request of `class` by `key` against `quota`.
    pub async fn check(&self, class: &'static str, key: &str, quota: Quota) -> Result<Verdict, Unavailable> {
        let verdict = match &self.shared {
            Some(shared) => self.check_redis(shared, class, key, quota).await?,
            None => self.check_local(class, key, quota),
        };
        if !verdict.allowed() {
            metrics::counter!("jobping_rate_limited_total", "class" => class).increment(1);
        }
        Ok(verdict)
    }

    fn check_local(&self, class: &'static str, key: &str, quota: Quota) -> Verdict {
        let limit = NonZeroU32::new(quota.limit).unwrap_or(NonZeroU32::MIN);
        let limiter = {
            let mut local = self
                .local
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            local
                .entry((class, quota))
                .or_insert_with(|| {
                    let per = governor::Quota::with_period(quota.interval().max(Duration::from_nanos(1)))
                        .unwrap_or_else(|| governor::Quota::per_second(limit))
                        .allow_burst(limit);
                    Arc::new(RateLimiter::keyed(per).with_middleware::<StateInformationMiddleware>())
                })
                .clone()
        };
        // Forget idle keys now and then, so the table does not grow without bound.
        if self.checks.fetch_add(1, Ordering::Relaxed) % 4096 == 4095 {
            limiter.retain_recent();
        }
        let key = key.to_owned();
        match limiter.check_key(&key) {
            Ok(snapshot) => {
                let remaining = snapshot.remaining_burst_capacity();
                Verdict {
                    limit: quota.limit,
                    period: quota.period,
                    remaining,
                    reset: quota.interval() * (quota.limit.saturating_sub(remaining)),
                    retry_after: None,
                }
            }
            Err(not_until) => {
                let wait = not_until.wait_time_from(self.clock.now());
                Verdict {
                    limit: quota.limit,
                    period: quota.period,
                    remaining: 0,
                    reset: quota.period,
                    retry_after: Some(wait.max(Duration::from_millis(1))),
                }
            }
        }
    }

    async fn check_redis(
        &self,
        shared: &Shared,
        class: &'static str,
        key: &str,
        quota: Quota,
    ) -> Result<Verdict, Unavailable> {
        let mut connection = shared.probe.connection().await.map_err(|err| {
            tracing::warn!(error = format!("{err:#}"), "rate limiter: Redis unreachable");
            Unavailable
        })?;
        let interval = quota.interval().as_micros().max(1) as u64;
        let reply: redis::RedisResult<(i64, i64, i64, i64)> = tokio::time::timeout(
            Duration::from_secs(1),
            shared
                .script
                .key(format!("{}{class}:{key}", shared.prefix))
                .arg(interval)
                .arg(quota.limit.max(1))
                .invoke_async(&mut connection),
        )
        .await
        .unwrap_or_else(|_| Err(redis::RedisError::from((redis::ErrorKind::Io, "timed out"))));
        let (allowed, remaining, reset_us, retry_us) = reply.map_err(|err| {
            tracing::warn!(error = %err, "rate limiter: Redis did not answer");
            Unavailable
        })?;
        let micros = |n: i64| Duration::from_micros(n.max(0) as u64);
        Ok(Verdict {
            limit: quota.limit,
            period: quota.period,
            remaining: remaining.clamp(0, i64::from(u32::MAX)) as u32,
            reset: micros(reset_us),
            retry_after: (allowed == 0).then(|| micros(retry_us).max(Duration::from_millis(1))),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const Q: Quota = Quota::new(3, Duration::from_secs(3_600));

    #[tokio::test]
    async fn a_key_past_its_limit_is_told_how_long_to_wait_and_others_are_not_affected() {
        let limits = Limiter::in_process();
        for left in [2, 1, 0] {
            let verdict = limits.check("form_ip", "192.0.2.1", Q).await.unwrap();
            assert!(verdict.allowed());
            assert_eq!(verdict.remaining, left);
        }
        let refused = limits.check("form_ip", "192.0.2.1", Q).await.unwrap();
        let wait = refused.retry_after.unwrap();
        assert!(
            wait > Duration::from_secs(1_100) && wait <= Duration::from_secs(1_200),
            "{wait:?}"
        );
        assert_eq!(refused.retry_after_secs(), ceil_secs(wait));
        assert!(limits.check("form_ip", "192.0.2.2", Q).await.unwrap().allowed());
        // Another class keeps its own count.
        assert!(limits.check("api", "192.0.2.1", Q).await.unwrap().allowed());
    }

    #[test]
    fn refusals_carry_the_ratelimit_headers() {
        let verdict = Verdict {
            limit: 10,
            period: Duration::from_secs(900),
            remaining: 0,
            reset: Duration::from_millis(89_100),
            retry_after: Some(Duration::from_millis(1_500)),
        };
        let mut headers = HeaderMap::new();
        verdict.write_headers(&mut headers);
        assert_eq!(headers["ratelimit-limit"], "10");
        assert_eq!(headers["ratelimit-remaining"], "0");
        assert_eq!(headers["ratelimit-reset"], "90");
        assert_eq!(headers["retry-after"], "2");
    }

    #[test]
    fn quotas_describe_themselves_as_settings_write_them() {
        assert_eq!(Quota::new(10, Duration::from_secs(900)).describe(), "10/15m");
        assert_eq!(Quota::new(20, Duration::from_secs(3_600)).describe(), "20/1h");
    }
}
