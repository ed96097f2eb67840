//! Stripe's webhook signature: `Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>…]`,
//! where each `v1` is HMAC-SHA256 of `<t>.<raw body>` under the endpoint's signing
//! secret (the whole `whsec_…` string, as bytes). Several `v1` values appear while a
//! secret is being rolled; any one matching is enough.

use hmac::{KeyInit, Mac};
use sha2::Sha256;
use time::OffsetDateTime;

/// How far the signed timestamp may be from our clock, either way.
pub const TOLERANCE_SECONDS: u64 = 300;

/// Why a webhook request is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the Stripe-Signature header is missing")]
    Missing,
    #[error("the Stripe-Signature header has no `t=` timestamp in Unix seconds")]
    BadTimestamp,
    #[error("the Stripe-Signature header has no `v1=` signature")]
    NoSignature,
    #[error("the signed timestamp is more than five minutes away from now")]
    Stale,
    #[error("no v1 signature in Stripe-Signature matches the body")]
    Mismatch,
}

/// Checks `header` (the Stripe-Signature value, `None` when absent) over the raw `body`.
pub fn verify(
    secret: &str,
    header: Option<&str>,
    body: &[u8],
    now: OffsetDateTime,
) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => timestamp = Some(value),
            Some(("v1", value)) => signatures.push(value),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::BadTimestamp)?;
    let seconds: i64 = timestamp.parse().map_err(|_| SignatureError::BadTimestamp)?;
    if signatures.is_empty() {
        return Err(SignatureError::NoSignature);
    }
    // `abs_diff`: a subtraction would overflow for timestamps near i64::MIN or MAX.
    if now.unix_timestamp().abs_diff(seconds) > TOLERANCE_SECONDS {
        return Err(SignatureError::Stale);
    }
    let matches = signatures.iter().filter_map(|hex| decode_hex(hex)).any(|given| {
        let Ok(mut mac) = <hmac::Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()) else {
            return false;
        };
        mac.update(timestamp.as_bytes());
        mac.update(b".");
        mac.update(body);
        // Constant time: the comparison does not stop at the first differing byte.
        mac.verify_slice(&given).is_ok()
    });
    if matches {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// Lower- or upper-case hex as bytes; `None` for anything else.
fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| {
            text.get(i..i + 2)
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
        })
        .collect()
}

/// The header Stripe would send for `body` at `timestamp` (tests and the local CLI).
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = <hmac::Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    format!("t={timestamp},v1={hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_4f1c2a9be07d4e8e9c1b55aa0d3f7e21";

    fn now() -> OffsetDateTime {
        time::macros::datetime!(2026-12-03 10:00 UTC)
    }

    #[test]
    fn a_signature_made_the_stripe_way_verifies_among_several() {
        let body = br#"{"id":"evt_1","type":"invoice.paid"}"#;
        let real = sign(SECRET, now().unix_timestamp(), body);
        let (t, v1) = real.split_once(',').unwrap();
        let header = format!("{t},v1={},{v1},v0=6ffbb59b2300aae63f2720", "ab".repeat(32));
        assert_eq!(verify(SECRET, Some(&header), body, now()), Ok(()));
    }

    #[test]
    fn tampering_a_wrong_secret_or_a_stale_timestamp_is_refused() {
        let body = br#"{"id":"evt_1","type":"invoice.paid"}"#;
        let header = sign(SECRET, now().unix_timestamp(), body);
        assert_eq!(
            verify(
                SECRET,
                Some(&header),
                br#"{"id":"evt_1","type":"invoice.paid "}"#,
                now()
            ),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify("whsec_not_ours", Some(&header), body, now()),
            Err(SignatureError::Mismatch)
        );
        let old = sign(SECRET, now().unix_timestamp() - 301, body);
        assert_eq!(
            verify(SECRET, Some(&old), body, now()),
            Err(SignatureError::Stale)
        );
        let edge = sign(SECRET, now().unix_timestamp() - 300, body);
        assert_eq!(verify(SECRET, Some(&edge), body, now()), Ok(()));
        let future = sign(SECRET, now().unix_timestamp() + 301, body);
        assert_eq!(
            verify(SECRET, Some(&future), body, now()),
            Err(SignatureError::Stale)
        );
    }

    #[test]
    fn timestamps_at_the_ends_of_i64_are_stale_not_a_panic() {
        let body = br#"{"id":"evt_1","type":"invoice.paid"}"#;
        for extreme in [i64::MIN, i64::MAX] {
            let header = sign(SECRET, extreme, body);
            assert_eq!(
                verify(SECRET, Some(&header), body, now()),
                Err(SignatureError::Stale),
                "{extreme}"
            );
        }
    }

    #[test]
    fn a_header_that_is_missing_or_malformed_is_named() {
        assert_eq!(verify(SECRET, None, b"{}", now()), Err(SignatureError::Missing));
        assert_eq!(
            verify(SECRET, Some("v1=abcd"), b"{}", now()),
            Err(SignatureError::BadTimestamp)
        );
        assert_eq!(
            verify(SECRET, Some("t=yesterday,v1=abcd"), b"{}", now()),
            Err(SignatureError::BadTimestamp)
        );
        assert_eq!(
            verify(
                SECRET,
                Some(&format!("t={}", now().unix_timestamp())),
                b"{}",
                now()
            ),
            Err(SignatureError::NoSignature)
        );
        let not_hex = format!("t={},v1=zz", now().unix_timestamp());
        assert_eq!(
            verify(SECRET, Some(&not_hex), b"{}", now()),
            Err(SignatureError::Mismatch)
        );
    }
}
