//! How long a failed task waits before its next attempt.

use std::time::Duration;

/// Exponential backoff with "equal jitter": attempt `n` waits between half and all of
/// `base * 2^(n-1)`, capped at `max`, so retries spread out instead of arriving together.
/// `jitter` is a number in `[0, 1)`.
pub fn retry_delay(attempt: u32, base: Duration, max: Duration, jitter: f64) -> Duration {
    let exponent = attempt.saturating_sub(1).min(32);
    let full = base.saturating_mul(1u32 << exponent.min(31)).min(max);
    let half = full / 2;
    half + half.mul_f64(jitter.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: Duration = Duration::from_secs(10);
    const MAX: Duration = Duration::from_secs(3_600);

    #[test]
    fn each_attempt_waits_about_twice_as_long_as_the_one_before() {
        assert_eq!(retry_delay(1, BASE, MAX, 0.0), Duration::from_secs(5));
        assert_eq!(retry_delay(1, BASE, MAX, 1.0), Duration::from_secs(10));
        assert_eq!(retry_delay(2, BASE, MAX, 0.0), Duration::from_secs(10));
        assert_eq!(retry_delay(3, BASE, MAX, 0.0), Duration::from_secs(20));
        assert_eq!(retry_delay(4, BASE, MAX, 0.5), Duration::from_secs(60));
    }

    #[test]
    fn the_delay_never_passes_the_cap_even_for_absurd_attempt_counts() {
        for attempt in [10, 31, 32, 100, u32::MAX] {
            let delay = retry_delay(attempt, BASE, MAX, 0.999);
            assert!(delay <= MAX && delay >= MAX / 2, "{attempt}: {delay:?}");
        }
    }

    #[test]
    fn jitter_outside_the_unit_interval_is_clamped() {
        assert_eq!(retry_delay(1, BASE, MAX, -3.0), Duration::from_secs(5));
        assert_eq!(retry_delay(1, BASE, MAX, 7.0), Duration::from_secs(10));
    }
}
