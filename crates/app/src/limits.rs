//! Per-client limits on the forms that make JobPing send email (signup, "email me a
//! link"), so nobody can flood a stranger's inbox or fill the database. In-process for
//! now: each process keeps its own count.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// Limits keyed by client address.
pub struct ClientLimits {
    forms: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
    checks: AtomicU64,
}

impl ClientLimits {
    /// `per_hour` form submissions per client address, all of which may come at once.
    pub fn new(per_hour: u32) -> Self {
        let per_hour = NonZeroU32::new(per_hour).unwrap_or(NonZeroU32::MIN);
        Self {
            forms: RateLimiter::keyed(Quota::per_hour(per_hour).allow_burst(per_hour)),
            clock: DefaultClock::default(),
            checks: AtomicU64::new(0),
        }
    }

    /// Counts one form submission from `client`; `Err` holds how long until the next
    /// one is allowed.
    pub fn form(&self, client: IpAddr) -> Result<(), Duration> {
        // Forget idle clients now and then, so the table does not grow without bound.
        if self.checks.fetch_add(1, Ordering::Relaxed) % 4096 == 4095 {
            self.forms.retain_recent();
        }
        self.forms
            .check_key(&client)
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_past_its_limit_is_told_how_long_to_wait_and_others_are_not_affected() {
        let limits = ClientLimits::new(3);
        let one: IpAddr = "192.0.2.1".parse().unwrap();
        let two: IpAddr = "192.0.2.2".parse().unwrap();
        for _ in 0..3 {
            assert!(limits.form(one).is_ok());
        }
        let wait = limits.form(one).unwrap_err();
        assert!(
            wait > Duration::from_secs(60) && wait <= Duration::from_secs(1200),
            "{wait:?}"
        );
        assert!(limits.form(two).is_ok());
    }
}
