//! Making a new DKIM key, for `jobping dkim-keygen`.

use std::fmt;

use ed25519_dalek::pkcs8::EncodePrivateKey as _;
use rsa::RsaPrivateKey;
use rsa::pkcs1::{EncodeRsaPrivateKey as _, LineEnding};
use rsa::rand_core::{OsRng, RngCore as _};

use super::{DkimKey, KeyInner};

/// Which kind of key to make.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyAlgorithm {
    /// RSA, 2048 bits: what every receiver verifies.
    Rsa2048,
    /// Ed25519 (RFC 8463): small and fast, but not every receiver verifies it yet, so
    /// it is best published beside an RSA key rather than instead of one.
    Ed25519,
}

/// A new key: the private half to save, and the DNS TXT value that publishes the public
/// half. Its `Debug` leaves the private key out.
#[derive(Clone)]
pub struct GeneratedKey {
    /// The file to point `JOBPING_DKIM_KEY` at: PKCS#1 PEM for RSA, PKCS#8 PEM for
    /// Ed25519 (both as openssl writes them, and both read by [`DkimKey::parse`]).
    pub private_pem: String,
    /// The TXT value for `<selector>._domainkey.<domain>`, as [`DkimKey::dns_value`].
    pub dns_value: String,
}

impl fmt::Debug for GeneratedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GeneratedKey")
            .field("private_pem", &"<redacted>")
            .field("dns_value", &self.dns_value)
            .finish()
    }
}

/// Makes a new key from the operating system's random source. An RSA key takes a
/// second or so.
///
/// # Panics
/// When the operating system has no random source to give, which leaves nothing to do.
pub fn generate(algorithm: KeyAlgorithm) -> GeneratedKey {
    let (key, private_pem) = match algorithm {
        KeyAlgorithm::Rsa2048 => {
            let key = RsaPrivateKey::new(&mut OsRng, 2048).expect("the OS random source works");
            let pem = key
                .to_pkcs1_pem(LineEnding::LF)
                .expect("an RSA key always encodes as PKCS#1");
            (KeyInner::Rsa(key), pem.to_string())
        }
        KeyAlgorithm::Ed25519 => {
            let mut seed = [0u8; 32];
            OsRng.fill_bytes(&mut seed);
            let key = ed25519_dalek::SigningKey::from_bytes(&seed);
            let pem = key
                .to_pkcs8_pem(LineEnding::LF)
                .expect("an Ed25519 key always encodes as PKCS#8");
            (KeyInner::Ed25519(key), pem.to_string())
        }
    };
    let dns_value = DkimKey { inner: key }.dns_value();
    GeneratedKey {
        private_pem,
        dns_value,
    }
}
