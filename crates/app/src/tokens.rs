//! Signed, expiring, purpose-bound tokens: what every link in an email carries instead
//! of a password.
//!
//! A token is `<payload>.<mac>`, both base64url. The payload names the purpose, the
//! subscriber, the expiry and a random nonce; the MAC is HMAC-SHA256 under a key derived
//! from the signing secret *and the purpose*, so a token made for one purpose cannot be
//! presented for another even if its payload were edited. Verification accepts the
//! current secret and any previous ones (rotation keeps recent links working).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{KeyInit, Mac};
use jobping_core::{AuditKey, EmailAddress};
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

type HmacSha256 = hmac::Hmac<Sha256>;

const VERSION: &str = "v1";

/// What a token may be used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Confirms an address after signup (single use).
    Verify,
    /// Opens the preferences and account pages; read and change preferences over the API.
    Manage,
    /// One-click unsubscribe (RFC 8058).
    Unsubscribe,
    /// Downloads everything stored about the subscriber.
    Export,
    /// Erases the account (single use).
    Delete,
    /// The browser session made from a manage link (a cookie).
    Session,
    /// A click through our redirect to a job (names the job and delivery).
    Click,
    /// A thumbs up or down on a job (names the job, delivery and vote).
    Feedback,
    /// Opens Stripe's customer portal from an email about a payment.
    Billing,
    /// An operator's `/admin` console session (a cookie); names the admin key's id.
    AdminSession,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Verify => "verify",
            Self::Manage => "manage",
            Self::Unsubscribe => "unsubscribe",
            Self::Export => "export",
            Self::Delete => "delete",
            Self::Session => "session",
            Self::Click => "click",
            Self::Feedback => "feedback",
            Self::Billing => "billing",
            Self::AdminSession => "admin_session",
        }
    }

    fn parse(raw: &str) -> Option<Self> {
        [
            Self::Verify,
            Self::Manage,
            Self::Unsubscribe,
            Self::Export,
            Self::Delete,
            Self::Session,
            Self::Click,
            Self::Feedback,
            Self::Billing,
            Self::AdminSession,
        ]
        .into_iter()
        .find(|p| p.as_str() == raw)
    }

    /// How long a token of this purpose lives.
    pub fn lifetime(self) -> Duration {
        match self {
            Self::Verify => Duration::hours(24),
            Self::Manage => Duration::days(30),
            // Unsubscribe links in old emails must keep working.
            Self::Unsubscribe => Duration::days(365),
            Self::Export | Self::Delete => Duration::minutes(30),
            Self::Session => Duration::hours(2),
            // Links in a digest keep working for as long as the job might.
            Self::Click | Self::Feedback => Duration::days(90),
            // Stripe retries a failed payment for a few weeks.
            Self::Billing => Duration::days(21),
            // A working day at the console; revoking the key ends it sooner.
            Self::AdminSession => Duration::hours(12),
        }
    }

    /// Whether a token of this purpose works only once.
    pub fn single_use(self) -> bool {
        matches!(self, Self::Verify | Self::Delete)
    }
}

/// A token that passed verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    pub purpose: Purpose,
    pub subscriber: Uuid,
    pub expires_at: OffsetDateTime,
    /// What else the token names (a job and a delivery), or empty.
    pub extra: String,
    /// SHA-256 of the whole token, to remember single-use tokens without keeping them.
    pub token_hash: String,
}

/// Why a token is refused. Callers show one message for all of them: a person is told
/// the link is invalid or expired, never which check failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the token is malformed")]
    Malformed,
    #[error("the token's signature does not match")]
    BadSignature,
    #[error("the token was made for another purpose")]
    WrongPurpose,
    #[error("the token has expired")]
    Expired,
}

/// Signs and checks tokens.
#[derive(Clone)]
pub struct Signer {
    current: Vec<u8>,
    previous: Vec<Vec<u8>>,
    audit: AuditKey,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer([redacted])")
    }
}

impl Signer {
    /// A signer that signs with `current` and also accepts tokens signed with `previous`.
    pub fn new(current: &str, previous: &[&str]) -> Self {
        Self {
            current: current.as_bytes().to_vec(),
            previous: previous.iter().map(|s| s.as_bytes().to_vec()).collect(),
            audit: AuditKey::derive(current.as_bytes()),
        }
    }

    /// The key audit entries hash addresses under, derived from the current secret (so
    /// it rotates with it; older entries then no longer match newer ones).
    pub fn audit_key(&self) -> &AuditKey {
        &self.audit
    }

    /// What an audit entry keeps instead of `email`.
    pub fn audit_hash(&self, email: &EmailAddress) -> String {
        email.audit_hash(&self.audit)
    }

    /// A token for `purpose` and `subscriber`, valid for the purpose's lifetime from `now`.
    pub fn sign(&self, purpose: Purpose, subscriber: Uuid, now: OffsetDateTime) -> String {
        self.sign_until(purpose, subscriber, now + purpose.lifetime())
    }

    /// A token that expires at `expires_at`.
    pub fn sign_until(&self, purpose: Purpose, subscriber: Uuid, expires_at: OffsetDateTime) -> String {
        self.sign_with(purpose, subscriber, "", expires_at)
    }

    /// A token that also names `extra` (no `|` in it), e.g. a job and a delivery.
    pub fn sign_with(
        &self,
        purpose: Purpose,
        subscriber: Uuid,
        extra: &str,
        expires_at: OffsetDateTime,
    ) -> String {
        self.sign_nonce(purpose, subscriber, extra, expires_at, rand::random())
    }

    /// The same token every time for the same inputs and `seed`: an email rendered again
    /// for a retry is then byte for byte the one first handed over (a provider's
    /// idempotency key refuses a different body under the same key).
    pub fn sign_stable(
        &self,
        purpose: Purpose,
        subscriber: Uuid,
        extra: &str,
        expires_at: OffsetDateTime,
        seed: &str,
    ) -> String {
        let digest = Sha256::digest(seed.as_bytes());
        let mut nonce = [0u8; 9];
        nonce.copy_from_slice(&digest[..9]);
        self.sign_nonce(purpose, subscriber, extra, expires_at, nonce)
    }

    fn sign_nonce(
        &self,
        purpose: Purpose,
        subscriber: Uuid,
        extra: &str,
        expires_at: OffsetDateTime,
        nonce: [u8; 9],
    ) -> String {
        debug_assert!(!extra.contains('|'), "a token's extra part holds no `|`");
        let mut payload = format!(
            "{VERSION}|{}|{}|{}|{}",
            purpose.as_str(),
            subscriber.simple(),
            expires_at.unix_timestamp(),
            URL_SAFE_NO_PAD.encode(nonce)
        );
        if !extra.is_empty() {
            payload.push('|');
            payload.push_str(extra);
        }
        let mac = mac(&self.current, purpose, payload.as_bytes())
            .finalize()
            .into_bytes();
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(payload),
            URL_SAFE_NO_PAD.encode(mac)
        )
    }

    /// Checks a token for `expected` at `now`: well formed, signed by a known secret for
    /// that purpose, and not expired.
    pub fn verify(&self, token: &str, expected: Purpose, now: OffsetDateTime) -> Result<Claims, TokenError> {
        let token = token.trim();
        if token.len() > 512 {
            return Err(TokenError::Malformed);
        }
        let (payload_b64, mac_b64) = token.split_once('.').ok_or(TokenError::Malformed)?;
        let payload = URL_SAFE_NO_PAD
            .decode(payload_b64)
            .map_err(|_| TokenError::Malformed)?;
        let given_mac = URL_SAFE_NO_PAD
            .decode(mac_b64)
            .map_err(|_| TokenError::Malformed)?;
        let text = std::str::from_utf8(&payload).map_err(|_| TokenError::Malformed)?;
        let mut parts = text.split('|');
        let (Some(VERSION), Some(purpose), Some(subscriber), Some(expires), Some(_nonce), extra, None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(TokenError::Malformed);
        };
        let extra = extra.unwrap_or_default().to_owned();
        let purpose = Purpose::parse(purpose).ok_or(TokenError::Malformed)?;
        let subscriber = Uuid::try_parse(subscriber).map_err(|_| TokenError::Malformed)?;
        let expires_at = expires
            .parse::<i64>()
            .ok()
            .and_then(|secs| OffsetDateTime::from_unix_timestamp(secs).ok())
            .ok_or(TokenError::Malformed)?;
        // The MAC is checked under the *expected* purpose's key, so a token for another
        // purpose fails here even before its stated purpose is compared.
        let signed = std::iter::once(&self.current)
            .chain(&self.previous)
            .any(|key| mac(key, expected, &payload).verify_slice(&given_mac).is_ok());
        if !signed {
            return Err(if purpose == expected {
                TokenError::BadSignature
            } else {
                TokenError::WrongPurpose
            });
        }
        if purpose != expected {
            return Err(TokenError::WrongPurpose);
        }
        if expires_at <= now {
            return Err(TokenError::Expired);
        }
        Ok(Claims {
            purpose,
            subscriber,
            expires_at,
            extra,
            token_hash: hex(&Sha256::digest(token.as_bytes())),
        })
    }
}

/// An HMAC keyed for one purpose: HMAC(secret, "jobping-token:<purpose>").
fn mac(secret: &[u8], purpose: Purpose, payload: &[u8]) -> HmacSha256 {
    let mut derive = <HmacSha256 as KeyInit>::new_from_slice(secret).expect("HMAC takes any key length");
    derive.update(b"jobping-token:");
    derive.update(purpose.as_str().as_bytes());
    let key = derive.finalize().into_bytes();
    let mut mac = <HmacSha256 as KeyInit>::new_from_slice(&key).expect("HMAC takes any key length");
    mac.update(payload);
    mac
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> OffsetDateTime {
        time::macros::datetime!(2026-12-03 10:00 UTC)
    }

    fn signer() -> Signer {
        Signer::new("a-current-secret-that-is-long-enough-000", &[])
    }

    #[test]
    fn a_token_verifies_for_its_purpose_and_names_its_subscriber() {
        let id = Uuid::now_v7();
        let token = signer().sign(Purpose::Manage, id, now());
        let claims = signer().verify(&token, Purpose::Manage, now()).unwrap();
        assert_eq!(claims.subscriber, id);
        assert_eq!(claims.purpose, Purpose::Manage);
        assert_eq!(
            claims.expires_at.unix_timestamp(),
            (now() + Duration::days(30)).unix_timestamp()
        );
        assert_eq!(claims.token_hash.len(), 64);
    }

    #[test]
    fn a_token_made_for_another_purpose_is_refused() {
        let token = signer().sign(Purpose::Unsubscribe, Uuid::now_v7(), now());
        for other in [Purpose::Manage, Purpose::Export, Purpose::Delete, Purpose::Verify] {
            assert_eq!(
                signer().verify(&token, other, now()),
                Err(TokenError::WrongPurpose)
            );
        }
    }

    #[test]
    fn editing_the_stated_purpose_does_not_help() {
        let token = signer().sign(Purpose::Unsubscribe, Uuid::now_v7(), now());
        let (payload, mac) = token.split_once('.').unwrap();
        let text = String::from_utf8(URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
        let forged = format!(
            "{}.{mac}",
            URL_SAFE_NO_PAD.encode(text.replace("|unsubscribe|", "|manage|"))
        );
        assert_eq!(
            signer().verify(&forged, Purpose::Manage, now()),
            Err(TokenError::BadSignature)
        );
    }

    #[test]
    fn another_subscriber_cannot_be_substituted() {
        let token = signer().sign(Purpose::Manage, Uuid::now_v7(), now());
        let (payload, mac) = token.split_once('.').unwrap();
        let text = String::from_utf8(URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
        let mut parts: Vec<&str> = text.split('|').collect();
        let victim = Uuid::now_v7().simple().to_string();
        parts[2] = &victim;
        let forged = format!("{}.{mac}", URL_SAFE_NO_PAD.encode(parts.join("|")));
        assert_eq!(
            signer().verify(&forged, Purpose::Manage, now()),
            Err(TokenError::BadSignature)
        );
    }

    #[test]
    fn an_expired_token_is_refused() {
        let token = signer().sign(Purpose::Verify, Uuid::now_v7(), now());
        let later = now() + Duration::hours(24);
        assert_eq!(
            signer().verify(&token, Purpose::Verify, later),
            Err(TokenError::Expired)
        );
        assert!(
            signer()
                .verify(&token, Purpose::Verify, later - Duration::seconds(1))
                .is_ok()
        );
    }

    #[test]
    fn a_token_signed_with_another_secret_is_refused() {
        let stranger = Signer::new("somebody-elses-secret-that-is-long-enough", &[]);
        let token = stranger.sign(Purpose::Manage, Uuid::now_v7(), now());
        assert_eq!(
            signer().verify(&token, Purpose::Manage, now()),
            Err(TokenError::BadSignature)
        );
    }

    #[test]
    fn rotation_keeps_links_signed_with_the_previous_secret_working() {
        let old = Signer::new("the-old-secret-that-is-long-enough-00000", &[]);
        let token = old.sign(Purpose::Manage, Uuid::now_v7(), now());
        let rotated = Signer::new(
            "the-new-secret-that-is-long-enough-00000",
            &["the-old-secret-that-is-long-enough-00000"],
        );
        assert!(rotated.verify(&token, Purpose::Manage, now()).is_ok());
        let fresh = rotated.sign(Purpose::Manage, Uuid::now_v7(), now());
        assert_eq!(
            old.verify(&fresh, Purpose::Manage, now()),
            Err(TokenError::BadSignature)
        );
    }

    #[test]
    fn garbage_is_malformed_and_never_panics() {
        for junk in [
            "",
            ".",
            "abc",
            "a.b",
            "djE.AAAA",
            "%%%.###",
            &"x".repeat(2000),
            "djF8bWFuYWdlfHh8MXwx.AAAA",
        ] {
            assert_eq!(
                signer().verify(junk, Purpose::Manage, now()),
                Err(TokenError::Malformed),
                "{junk}"
            );
        }
    }

    #[test]
    fn a_token_can_name_more_and_that_part_is_signed_too() {
        let id = Uuid::now_v7();
        let token = signer().sign_with(Purpose::Feedback, id, "42.up", now() + Duration::days(1));
        let claims = signer().verify(&token, Purpose::Feedback, now()).unwrap();
        assert_eq!(claims.extra, "42.up");
        let (payload, mac) = token.split_once('.').unwrap();
        let text = String::from_utf8(URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
        let forged = format!(
            "{}.{mac}",
            URL_SAFE_NO_PAD.encode(text.replace("42.up", "42.down"))
        );
        assert_eq!(
            signer().verify(&forged, Purpose::Feedback, now()),
            Err(TokenError::BadSignature)
        );
        assert_eq!(
            signer().verify(&token, Purpose::Click, now()),
            Err(TokenError::WrongPurpose)
        );
    }

    #[test]
    fn a_stable_token_is_the_same_for_the_same_seed_and_still_verifies() {
        let id = Uuid::now_v7();
        let until = now() + Duration::days(1);
        let a = signer().sign_stable(Purpose::Click, id, "1.x", until, "seed");
        let b = signer().sign_stable(Purpose::Click, id, "1.x", until, "seed");
        let c = signer().sign_stable(Purpose::Click, id, "1.x", until, "other");
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(signer().verify(&a, Purpose::Click, now()).unwrap().extra, "1.x");
    }

    #[test]
    fn two_tokens_for_the_same_subscriber_differ() {
        let id = Uuid::now_v7();
        assert_ne!(
            signer().sign(Purpose::Verify, id, now()),
            signer().sign(Purpose::Verify, id, now())
        );
    }
}
