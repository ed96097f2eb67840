use std::fmt;
use std::fmt::Write as _;

use hmac::{KeyInit, Mac};
use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;

type HmacSha256 = hmac::Hmac<Sha256>;

/// The key audit entries hash addresses under: HMAC-SHA256 of the label
/// `jobping audit v1` under the token-signing secret. It is not the signing secret
/// itself, and without it a guessed address cannot be hashed and looked for in the
/// audit log. It changes when the secret is rotated; entries written before then simply
/// no longer match new ones.
#[derive(Clone)]
pub struct AuditKey([u8; 32]);

impl AuditKey {
    /// The audit key that belongs to a token-signing secret.
    pub fn derive(signing_secret: &[u8]) -> Self {
        let mut mac =
            <HmacSha256 as KeyInit>::new_from_slice(signing_secret).expect("HMAC takes any key length");
        mac.update(b"jobping audit v1");
        Self(mac.finalize().into_bytes().into())
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(64), |mut hex, byte| {
        let _ = write!(hex, "{byte:02x}");
        hex
    })
}

impl fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuditKey([redacted])")
    }
}

/// An email address that has passed JobPing's checks: one `@`, a plausible local part
/// and a domain with a dot, at most 254 characters. The domain is lower-cased; the local
/// part keeps its case (it is the mailbox owner's), but uniqueness ignores case.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

/// Why a string is not an acceptable email address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("an email address is required")]
    Empty,
    #[error("an email address is at most 254 characters")]
    TooLong,
    #[error("an email address needs exactly one @ with text on both sides")]
    Shape,
    #[error("the part before the @ contains a character that is not allowed")]
    LocalPart,
    #[error("the part after the @ is not a valid domain")]
    Domain,
}

impl EmailAddress {
    /// Parses and normalizes an address typed by a person: surrounding spaces dropped,
    /// Unicode in compatibility form (NFKC: a full-width "ａ" is "a"), and an
    /// internationalized domain written in ASCII ("bücher.example" is
    /// "xn--bcher-kva.example"), so that one mailbox has one spelling.
    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        let normalized: String = raw.nfkc().collect();
        let raw = normalized.trim();
        if raw.is_empty() {
            return Err(EmailError::Empty);
        }
        if raw.len() > 254 {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = raw.split_once('@').ok_or(EmailError::Shape)?;
        if local.is_empty() || domain.is_empty() || domain.contains('@') {
            return Err(EmailError::Shape);
        }
        if local.len() > 64
            || !local.chars().all(is_local_char)
            || local.starts_with('.')
            || local.ends_with('.')
            || local.contains("..")
        {
            return Err(EmailError::LocalPart);
        }
        let domain = idna::domain_to_ascii(domain).map_err(|_| EmailError::Domain)?;
        if !is_domain(&domain) {
            return Err(EmailError::Domain);
        }
        Ok(Self(format!("{local}@{domain}")))
    }

    /// The address as it will be written on an envelope.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form used for uniqueness and look-ups: the whole address lower-cased.
    pub fn canonical(&self) -> String {
        self.0.to_lowercase()
    }

    /// What the suppression list and email events keep instead of the address (hex
    /// SHA-256 of `canonical`): unkeyed, so that a suppression keeps matching across
    /// restarts and secret rotations. Audit entries use [`Self::audit_hash`].
    pub fn hashed(&self) -> String {
        hex(&Sha256::digest(self.canonical().as_bytes()))
    }

    /// What an audit entry keeps instead of the address: hex HMAC-SHA256 of `canonical`
    /// under `key`, so only someone holding the key can tell whose entry it is.
    pub fn audit_hash(&self, key: &AuditKey) -> String {
        let mut mac = <HmacSha256 as KeyInit>::new_from_slice(&key.0).expect("HMAC takes any key length");
        mac.update(self.canonical().as_bytes());
        hex(&mac.finalize().into_bytes())
    }

    /// The mailbox an address delivers to, for limits that must not be dodged by
    /// spelling one inbox many ways: lower-cased, without a "+tag" (sub-addressing, which
    /// most providers deliver to the same inbox), and for Gmail without the dots that
    /// Gmail ignores ("J.Doe+jobs@googlemail.com" is "jdoe@gmail.com"). Never used to
    /// send: the subscriber's own spelling is kept for that.
    pub fn mailbox(&self) -> String {
        let canonical = self.canonical();
        let (local, domain) = canonical.split_once('@').unwrap_or((&canonical, ""));
        let local = local.split_once('+').map_or(local, |(base, _)| base);
        match domain {
            "gmail.com" | "googlemail.com" => format!("{}@gmail.com", local.replace('.', "")),
            _ => format!("{local}@{domain}"),
        }
    }

    /// A masked form safe for logs and traces: `a***@example.com`.
    pub fn masked(&self) -> String {
        let (local, domain) = self.0.split_once('@').unwrap_or(("", &self.0));
        let first: String = local.chars().take(1).collect();
        format!("{first}***@{domain}")
    }
}

fn is_local_char(c: char) -> bool {
    c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c)
}

fn is_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && !tld.chars().all(|c| c.is_ascii_digit()))
}

impl AsRef<str> for EmailAddress {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

// Debug masks the address so that a stray `{:?}` never puts it in a log.
impl fmt::Debug for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EmailAddress({})", self.masked())
    }
}

impl TryFrom<&str> for EmailAddress {
    type Error = EmailError;
    fn try_from(value: &str) -> Result<Self, Self::Error> {
        Self::parse(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_addresses_parse_and_the_domain_is_lower_cased() {
        let email = EmailAddress::parse("  Ada.Lovelace+jobs@Example.CO.UK ").unwrap();
        assert_eq!(email.as_str(), "Ada.Lovelace+jobs@example.co.uk");
        assert_eq!(email.canonical(), "ada.lovelace+jobs@example.co.uk");
    }

    #[test]
    fn one_mailbox_has_one_spelling() {
        // Full-width letters and the ideographic full stop fold under NFKC.
        let wide = EmailAddress::parse("ａｄａ@ｅｘａｍｐｌｅ．com").unwrap();
        assert_eq!(wide.as_str(), "ada@example.com");
        // An internationalized domain is kept in its ASCII (punycode) form.
        let idn = EmailAddress::parse("Ada@Bücher.Example").unwrap();
        assert_eq!(idn.as_str(), "Ada@xn--bcher-kva.example");
        assert_eq!(
            EmailAddress::parse("ada@xn--bcher-kva.example")
                .unwrap()
                .canonical(),
            idn.canonical()
        );
    }

    #[test]
    fn the_mailbox_ignores_tags_case_and_gmail_dots() {
        let mailbox = |a: &str| EmailAddress::parse(a).unwrap().mailbox();
        assert_eq!(mailbox("J.Doe+jobs@googlemail.com"), "jdoe@gmail.com");
        assert_eq!(mailbox("jdoe@gmail.com"), "jdoe@gmail.com");
        assert_eq!(mailbox("Ada.Lovelace+x@Example.com"), "ada.lovelace@example.com");
        assert_ne!(
            mailbox("ada.l@example.com"),
            mailbox("adal@example.com"),
            "dots matter outside Gmail"
        );
    }

    #[test]
    fn malformed_addresses_are_rejected_with_the_reason() {
        let cases = [
            ("", EmailError::Empty),
            ("   ", EmailError::Empty),
            ("no-at-sign.example.com", EmailError::Shape),
            ("@example.com", EmailError::Shape),
            ("ada@", EmailError::Shape),
            ("a@b@example.com", EmailError::Shape),
            ("ada lovelace@example.com", EmailError::LocalPart),
            (".ada@example.com", EmailError::LocalPart),
            ("ada..l@example.com", EmailError::LocalPart),
            ("ada@localhost", EmailError::Domain),
            ("ada@-example.com", EmailError::Domain),
            ("ada@example..com", EmailError::Domain),
            ("ada@10.0.0.1", EmailError::Domain),
        ];
        for (raw, expected) in cases {
            assert_eq!(EmailAddress::parse(raw), Err(expected), "{raw:?}");
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert_eq!(EmailAddress::parse(&long), Err(EmailError::TooLong));
    }

    #[test]
    fn the_hash_is_the_hex_sha256_of_the_canonical_form_whatever_the_case() {
        let email = EmailAddress::parse("Ada@Example.com").unwrap();
        // printf 'ada@example.com' | sha256sum
        assert_eq!(
            email.hashed(),
            "b5fc85e55755f9e0d030a10ab4429b6b2944855f9a0d60077fe832becbc41d72"
        );
        assert_eq!(
            EmailAddress::parse("ADA@example.com").unwrap().hashed(),
            email.hashed()
        );
        assert_ne!(
            EmailAddress::parse("bob@example.com").unwrap().hashed(),
            email.hashed()
        );
    }

    #[test]
    fn the_audit_hash_is_keyed_stable_under_one_secret_and_not_the_plain_hash() {
        let email = EmailAddress::parse("Ada@Example.com").unwrap();
        let key = AuditKey::derive(b"secret one");
        let audit = email.audit_hash(&key);
        assert_ne!(audit, email.hashed());
        assert_eq!(audit.len(), 64);
        assert_eq!(
            EmailAddress::parse("ada@example.com").unwrap().audit_hash(&key),
            audit
        );
        assert_eq!(email.audit_hash(&AuditKey::derive(b"secret one")), audit);
        assert_ne!(email.audit_hash(&AuditKey::derive(b"secret two")), audit);
    }

    #[test]
    fn debug_output_masks_the_mailbox() {
        let email = EmailAddress::parse("grace@example.com").unwrap();
        assert_eq!(format!("{email:?}"), "EmailAddress(g***@example.com)");
        assert_eq!(email.masked(), "g***@example.com");
    }
}
