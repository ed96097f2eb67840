//! DKIM keys: reading the key the operator configured, making a new one, and the DNS TXT
//! value that publishes its public half. Signing itself is lettre's (`Message::sign`),
//! set up once per mailer in [`signer`].

mod generate;
pub(crate) mod signer;

use std::fmt;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::pkcs8::DecodePrivateKey as _;
use rsa::pkcs1::DecodeRsaPrivateKey as _;
use rsa::pkcs8::EncodePublicKey as _;
use rsa::traits::PublicKeyParts as _;
use rsa::{RsaPrivateKey, RsaPublicKey};

pub use generate::{GeneratedKey, KeyAlgorithm, generate};

/// Receivers such as Gmail ignore or distrust shorter RSA keys (RFC 8301 asks for 2048).
pub const MIN_RSA_BITS: usize = 2048;

// Said in every "not a usable key" error, so the operator knows what to make instead.
const FORMATS: &str = "Use an RSA key of 2048 bits or more as PEM, either PKCS#1 \
(`-----BEGIN RSA PRIVATE KEY-----`) or PKCS#8 (`-----BEGIN PRIVATE KEY-----`, as \
`openssl genrsa 2048` writes it), or an Ed25519 key as PKCS#8 PEM (`openssl genpkey \
-algorithm ed25519`) or as its 32-byte seed in base64; `jobping dkim-keygen` writes one";

/// How the mailer DKIM-signs: the selector names the DNS record
/// (`<selector>._domainkey.<domain>`), and the domain is the From address's.
#[derive(Clone, Debug)]
pub struct DkimSettings {
    /// The DNS label of the key, e.g. `jobping` or `2026-11`.
    pub selector: String,
    /// The private key.
    pub key: DkimKey,
}

/// A DKIM private key, RSA (2048 bits or more) or Ed25519. Its `Debug` shows the
/// algorithm and size only.
#[derive(Clone)]
pub struct DkimKey {
    inner: KeyInner,
}

#[derive(Clone)]
enum KeyInner {
    Rsa(RsaPrivateKey),
    Ed25519(ed25519_dalek::SigningKey),
}

/// Why a DKIM key could not be read. Never shows key material.
#[derive(Debug, thiserror::Error)]
pub enum DkimKeyError {
    /// The file could not be read.
    #[error("could not read the DKIM key file {}: {source}", .path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What the file system said.
        source: std::io::Error,
    },
    /// The text is not a key in a format this crate reads.
    #[error("{origin} is not a usable DKIM key: {reason}. {FORMATS}")]
    Unusable {
        /// "the DKIM key file /etc/jobping/dkim.pem" or "the DKIM key".
        origin: String,
        /// What was wrong with it.
        reason: String,
    },
    /// An RSA key shorter than [`MIN_RSA_BITS`].
    #[error(
        "{origin} holds a {bits}-bit RSA key, and DKIM needs at least {MIN_RSA_BITS} bits \
         (receivers ignore shorter keys): make a new one with `jobping dkim-keygen`"
    )]
    TooShort {
        /// Where the key came from.
        origin: String,
        /// Its modulus size.
        bits: usize,
    },
}

impl DkimKey {
    /// Reads a key file (see [`DkimKey::parse`] for the formats); errors name the file.
    pub fn from_pem_file(path: impl AsRef<Path>) -> Result<Self, DkimKeyError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| DkimKeyError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::parse_from(&text, format!("the DKIM key file {}", path.display()))
    }

    /// Reads a key: RSA as PKCS#1 PEM (`-----BEGIN RSA PRIVATE KEY-----`) or PKCS#8 PEM
    /// (`-----BEGIN PRIVATE KEY-----`), 2048 bits or more; Ed25519 as PKCS#8 PEM or as
    /// the base64 of its 32-byte seed.
    pub fn parse(text: &str) -> Result<Self, DkimKeyError> {
        Self::parse_from(text, "the DKIM key".to_owned())
    }

    fn parse_from(text: &str, origin: String) -> Result<Self, DkimKeyError> {
        let unusable = |reason: String| DkimKeyError::Unusable {
            origin: origin.clone(),
            reason,
        };
        let inner = match pem_block(text) {
            Some(("RSA PRIVATE KEY", block)) => RsaPrivateKey::from_pkcs1_pem(block)
                .map(KeyInner::Rsa)
                .map_err(|err| unusable(format!("its PKCS#1 RSA key does not decode ({err})")))?,
            Some(("PRIVATE KEY", block)) => pkcs8(block).map_err(unusable)?,
            Some(("ENCRYPTED PRIVATE KEY", _)) => {
                return Err(unusable(
                    "it is encrypted with a passphrase; write it out unencrypted \
                     (`openssl pkey -in KEY -out PLAIN`) and keep that file readable by JobPing only"
                        .into(),
                ));
            }
            Some((label, _)) => return Err(unusable(format!("it holds a `{label}`"))),
            None => ed25519_seed(text).map_err(unusable)?,
        };
        if let KeyInner::Rsa(key) = &inner {
            let bits = key.size() * 8;
            if bits < MIN_RSA_BITS {
                return Err(DkimKeyError::TooShort { origin, bits });
            }
            key.validate()
                .map_err(|err| unusable(format!("its RSA numbers are inconsistent ({err})")))?;
        }
        Ok(Self { inner })
    }

    /// The DNS TXT value that publishes this key's public half at
    /// `<selector>._domainkey.<domain>`: `v=DKIM1; k=rsa; p=<base64 SubjectPublicKeyInfo>`
    /// or `v=DKIM1; k=ed25519; p=<base64 of the 32-byte public key>` (RFC 8463).
    pub fn dns_value(&self) -> String {
        match &self.inner {
            KeyInner::Rsa(key) => {
                let public = RsaPublicKey::from(key);
                let der = public
                    .to_public_key_der()
                    .expect("an RSA public key always encodes as DER");
                format!("v=DKIM1; k=rsa; p={}", BASE64.encode(der.as_bytes()))
            }
            KeyInner::Ed25519(key) => format!(
                "v=DKIM1; k=ed25519; p={}",
                BASE64.encode(key.verifying_key().to_bytes())
            ),
        }
    }

    /// `rsa` or `ed25519`, as in the DNS record's `k=` tag.
    pub fn algorithm(&self) -> &'static str {
        match &self.inner {
            KeyInner::Rsa(_) => "rsa",
            KeyInner::Ed25519(_) => "ed25519",
        }
    }
}

impl fmt::Debug for DkimKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner {
            KeyInner::Rsa(key) => write!(f, "DkimKey(rsa, {} bits)", key.size() * 8),
            KeyInner::Ed25519(_) => f.write_str("DkimKey(ed25519)"),
        }
    }
}

/// The label and the whole first PEM block in `text` (a file may carry comments or
/// openssl's "Bag Attributes" around it).
fn pem_block(text: &str) -> Option<(&str, &str)> {
    let start = text.find("-----BEGIN ")?;
    let rest = &text[start + "-----BEGIN ".len()..];
    let label = &rest[..rest.find("-----")?];
    let end_marker = format!("-----END {label}-----");
    let end = text[start..]
        .find(&end_marker)
        .map(|at| start + at + end_marker.len())
        // No END line: hand the rest over and let the decoder say what is wrong.
        .unwrap_or(text.len());
    Some((label, &text[start..end]))
}

/// A PKCS#8 `PRIVATE KEY`: RSA (as `openssl genrsa` writes today) or Ed25519.
fn pkcs8(block: &str) -> Result<KeyInner, String> {
    if let Ok(key) = <RsaPrivateKey as rsa::pkcs8::DecodePrivateKey>::from_pkcs8_pem(block) {
        return Ok(KeyInner::Rsa(key));
    }
    ed25519_dalek::SigningKey::from_pkcs8_pem(block)
        .map(KeyInner::Ed25519)
        .map_err(|_| {
            "it is a PKCS#8 key but neither RSA nor Ed25519 (an EC key, perhaps), or it is damaged".to_owned()
        })
}

/// An Ed25519 key as lettre takes it: the base64 of the 32-byte seed.
fn ed25519_seed(text: &str) -> Result<KeyInner, String> {
    let compact: String = text.split_whitespace().collect();
    if compact.is_empty() {
        return Err("it is empty".into());
    }
    let bytes = BASE64
        .decode(compact.as_bytes())
        .map_err(|_| "it is neither PEM nor base64".to_owned())?;
    let seed: [u8; 32] = bytes.try_into().map_err(|bytes: Vec<u8>| {
        format!(
            "it is base64 of {} bytes, but an Ed25519 seed has 32",
            bytes.len()
        )
    })?;
    Ok(KeyInner::Ed25519(ed25519_dalek::SigningKey::from_bytes(&seed)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_pem_block_is_found_among_other_text() {
        let text = "Bag Attributes\n-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\ntrailer\n";
        assert_eq!(
            pem_block(text),
            Some((
                "PRIVATE KEY",
                "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"
            ))
        );
        assert_eq!(pem_block("no pem here"), None);
    }

    #[test]
    fn a_seed_of_the_wrong_length_says_how_long_it_is() {
        let err = ed25519_seed(&BASE64.encode([7u8; 16])).err().unwrap();
        assert!(err.contains("16 bytes"), "{err}");
    }
}
