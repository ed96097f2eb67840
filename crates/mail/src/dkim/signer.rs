//! One lettre `DkimConfig` per mailer, built when the mailer is.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use lettre::Message;
use lettre::message::dkim::{
    DkimCanonicalization, DkimCanonicalizationType, DkimConfig, DkimSigningAlgorithm, DkimSigningKey,
};
use lettre::message::header::HeaderName;
use rsa::pkcs1::{EncodeRsaPrivateKey as _, LineEnding};

use super::{DkimSettings, KeyInner};
use crate::MailError;

/// The headers the signature covers. List-Unsubscribe and its one-click partner are in,
/// as Gmail and Yahoo require for bulk mail; a header absent from an email (a
/// confirmation has no List-Unsubscribe) is signed as empty (RFC 6376 §5.4), so nobody
/// can add it on the way either.
pub(crate) const SIGNED_HEADERS: [&str; 9] = [
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "MIME-Version",
    "Content-Type",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
];

/// Signs messages for one domain with one key.
pub(crate) struct Signer {
    config: DkimConfig,
    selector: String,
    domain: String,
}

// By hand: lettre's Debug would reach the key.
impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("selector", &self.selector)
            .field("domain", &self.domain)
            .finish()
    }
}

impl Signer {
    /// Checks the selector and hands the key to lettre, for `d=<domain>`.
    pub(crate) fn new(settings: &DkimSettings, domain: &str) -> Result<Self, MailError> {
        check_selector(&settings.selector)?;
        // lettre reads RSA keys as PKCS#1 PEM and Ed25519 keys as a base64 seed, whatever
        // format the operator's file used.
        let (text, algorithm) = match &settings.key.inner {
            KeyInner::Rsa(key) => (
                key.to_pkcs1_pem(LineEnding::LF)
                    .map_err(|err| MailError::InvalidDkimKey(err.to_string()))?
                    .to_string(),
                DkimSigningAlgorithm::Rsa,
            ),
            KeyInner::Ed25519(key) => (BASE64.encode(key.to_bytes()), DkimSigningAlgorithm::Ed25519),
        };
        let key = DkimSigningKey::new(&text, algorithm)
            .map_err(|err| MailError::InvalidDkimKey(err.to_string()))?;
        let config = DkimConfig::new(
            settings.selector.clone(),
            domain.to_owned(),
            key,
            SIGNED_HEADERS
                .iter()
                .map(|name| HeaderName::new_from_ascii_str(name))
                .collect(),
            // Relaxed headers survive a relay that refolds them; relaxed body survives
            // trailing-space and blank-line changes.
            DkimCanonicalization {
                header: DkimCanonicalizationType::Relaxed,
                body: DkimCanonicalizationType::Relaxed,
            },
        );
        Ok(Self {
            config,
            selector: settings.selector.clone(),
            domain: domain.to_owned(),
        })
    }

    /// Adds the `DKIM-Signature` header.
    pub(crate) fn sign(&self, message: &mut Message) {
        message.sign(&self.config);
    }
}

/// A selector is one or more DNS labels: letters, digits and hyphens, dot-separated.
fn check_selector(selector: &str) -> Result<(), MailError> {
    let label_ok = |label: &str| {
        !label.is_empty()
            && label.len() <= 63
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    if selector.split('.').all(label_ok) {
        Ok(())
    } else {
        Err(MailError::InvalidDkimSelector(selector.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_are_dns_labels() {
        for good in ["jobping", "2026-11", "s1.mail"] {
            assert!(check_selector(good).is_ok(), "{good}");
        }
        for bad in ["", "has space", "semi;colon", "-lead", "a..b", "ümlaut"] {
            assert!(check_selector(bad).is_err(), "{bad}");
        }
    }
}
