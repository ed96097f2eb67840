//! When to try a request again, and how long to wait first.

use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, RETRY_AFTER};

use super::FetchError;

/// A failed attempt, with the server's `Retry-After` when it sent one we honour.
#[derive(Debug)]
pub(crate) struct Failed {
    pub(crate) error: FetchError,
    pub(crate) retry_after: Option<Duration>,
}

impl From<FetchError> for Failed {
    fn from(error: FetchError) -> Self {
        Self {
            error,
            retry_after: None,
        }
    }
}

/// Timeouts, connection trouble, 408, 429 and the gateway errors are worth another
/// try; any other 4xx or 5xx will answer the same way again.
pub(crate) fn is_retryable(error: &FetchError) -> bool {
    match error {
        FetchError::Timeout { .. } | FetchError::Network { .. } => true,
        FetchError::Status { status, .. } => matches!(status, 408 | 429 | 502 | 503 | 504),
        _ => false,
    }
}

/// `Retry-After` as delay-seconds or an HTTP date, read only on 429 and 503.
pub(crate) fn retry_after(status: u16, headers: &HeaderMap) -> Option<Duration> {
    if !matches!(status, 429 | 503) {
        return None;
    }
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(SystemTime::now()).unwrap_or(Duration::ZERO))
}

/// Exponential backoff from `base` (attempt 0 waits about `base`), capped, with up to a
/// quarter of jitter so that workers that failed together do not retry together.
pub(crate) fn backoff(base: Duration, attempt: u32, cap: Duration) -> Duration {
    let exponential = base.saturating_mul(2u32.saturating_pow(attempt.min(16)));
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let jitter = exponential.mul_f64(f64::from(nanos % 250) / 1000.0);
    (exponential + jitter).min(cap)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn retry_after_is_read_as_seconds_or_as_an_http_date_on_429_and_503_only() {
        assert_eq!(retry_after(429, &headers("7")), Some(Duration::from_secs(7)));
        let later = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(30));
        let wait = retry_after(503, &headers(&later)).unwrap();
        assert!(
            wait > Duration::from_secs(25) && wait <= Duration::from_secs(30),
            "{wait:?}"
        );
        assert_eq!(
            retry_after(503, &headers("Wed, 21 Oct 2015 07:28:00 GMT")),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after(502, &headers("7")), None);
        assert_eq!(retry_after(429, &headers("soon")), None);
    }

    #[test]
    fn only_transient_failures_are_retried() {
        let status = |status| FetchError::Status {
            status,
            url: String::new(),
        };
        for code in [408, 429, 502, 503, 504] {
            assert!(is_retryable(&status(code)), "{code}");
        }
        for code in [400, 401, 403, 404, 410, 500] {
            assert!(!is_retryable(&status(code)), "{code}");
        }
        assert!(!is_retryable(&FetchError::TooLarge {
            limit: 1,
            url: String::new()
        }));
    }

    #[test]
    fn backoff_grows_and_stays_under_the_cap() {
        let base = Duration::from_millis(100);
        let first = backoff(base, 0, Duration::from_secs(60));
        let third = backoff(base, 2, Duration::from_secs(60));
        assert!(first >= base && first < base * 2, "{first:?}");
        assert!(third >= base * 4, "{third:?}");
        assert_eq!(backoff(base, 30, Duration::from_secs(5)), Duration::from_secs(5));
    }
}
