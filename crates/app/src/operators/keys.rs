//! Admin keys: making them, checking a presented one, and the console's session token.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jobping_store::{AdminKey, NewAdminKey, StoreError};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{BOOTSTRAP_ID, BOOTSTRAP_NAME, Operator, Scope};
use crate::state::AppState;
use crate::tokens::Purpose;

/// Every generated key starts with this, so a leaked one is easy to recognise.
pub const KEY_PREFIX: &str = "jpk_";

/// Why a request is not let in as an operator.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error(
        "the admin API is disabled: set JOBPING_ADMIN_KEY or create a key with `jobping admin-key create`"
    )]
    Disabled,
    #[error("the admin key is missing, unknown or revoked")]
    Unauthenticated,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<StoreError> for AuthError {
    fn from(err: StoreError) -> Self {
        Self::Unexpected(err.into())
    }
}

/// A new random key: `jpk_` and 32 random bytes in base64url.
pub fn generate_key() -> String {
    let bytes: [u8; 32] = rand::random();
    format!("{KEY_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// Lowercase hex SHA-256 of a key: what the store keeps.
pub fn hash_key(key: &str) -> String {
    Sha256::digest(key.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Makes and keeps a key; returns the key (shown once) and what was stored.
/// [`StoreError::Conflict`] when the name is taken.
pub async fn create_key(
    state: &AppState,
    name: &str,
    scopes: &[Scope],
    now: OffsetDateTime,
) -> Result<(String, AdminKey), StoreError> {
    let key = generate_key();
    let mut scopes: Vec<Scope> = scopes.to_vec();
    scopes.sort();
    scopes.dedup();
    let stored = state
        .store
        .create_admin_key(&NewAdminKey {
            id: Uuid::now_v7(),
            name: name.to_owned(),
            key_hash: hash_key(&key),
            scopes: scopes.iter().map(|s| s.as_str().to_owned()).collect(),
            created_at: now,
        })
        .await?;
    Ok((key, stored))
}

fn bootstrap() -> Operator {
    Operator {
        key_id: BOOTSTRAP_ID,
        name: BOOTSTRAP_NAME.to_owned(),
        scopes: Scope::ALL.to_vec(),
    }
}

fn operator_of(key: &AdminKey) -> Operator {
    Operator {
        key_id: key.id,
        name: key.name.clone(),
        // A scope this build does not know is ignored rather than refused.
        scopes: key.scopes.iter().filter_map(|s| Scope::parse(s).ok()).collect(),
    }
}

/// Equal in constant time: both sides are hashed first, so their lengths agree.
fn same_secret(a: &str, b: &str) -> bool {
    Sha256::digest(a.as_bytes())
        .ct_eq(&Sha256::digest(b.as_bytes()))
        .into()
}

/// The operator a presented key (from a header or the login form) belongs to; notes the
/// key's use.
pub async fn authenticate(
    state: &AppState,
    presented: Option<&str>,
    now: OffsetDateTime,
) -> Result<Operator, AuthError> {
    let presented = presented
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 256);
    if let Some(key) = presented {
        if let Some(bootstrap_key) = &state.settings.admin_key
            && same_secret(key, bootstrap_key.expose())
        {
            return Ok(bootstrap());
        }
        if key.starts_with(KEY_PREFIX) {
            let hash = hash_key(key);
            if let Some(stored) = state.store.admin_key_by_hash(&hash).await?
                && bool::from(stored.key_hash.as_bytes().ct_eq(hash.as_bytes()))
                && stored.revoked_at.is_none()
            {
                state.store.touch_admin_key(stored.id, now).await?;
                return Ok(operator_of(&stored));
            }
        }
    }
    if super::enabled(state).await? {
        Err(AuthError::Unauthenticated)
    } else {
        Err(AuthError::Disabled)
    }
}

/// What binds a bootstrap session to the bootstrap key: a prefix of its hash, so that
/// changing `JOBPING_ADMIN_KEY` ends every session it opened.
fn bootstrap_binding(state: &AppState) -> Option<String> {
    state
        .settings
        .admin_key
        .as_ref()
        .map(|key| hash_key(&format!("session:{}", key.expose()))[..16].to_owned())
}

/// A signed session token for the console, bound to the operator's key.
pub fn session_token(state: &AppState, operator: &Operator, now: OffsetDateTime) -> String {
    let extra = if operator.key_id == BOOTSTRAP_ID {
        bootstrap_binding(state).unwrap_or_default()
    } else {
        String::new()
    };
    state.signer.sign_with(
        Purpose::AdminSession,
        operator.key_id,
        &extra,
        now + Purpose::AdminSession.lifetime(),
    )
}

/// The operator a console session token stands for, while their key is still valid.
pub async fn session_operator(
    state: &AppState,
    token: &str,
    now: OffsetDateTime,
) -> Result<Option<Operator>, AuthError> {
    let Ok(claims) = state.signer.verify(token, Purpose::AdminSession, now) else {
        return Ok(None);
    };
    if claims.subscriber == BOOTSTRAP_ID {
        let bound = bootstrap_binding(state)
            .is_some_and(|binding| bool::from(binding.as_bytes().ct_eq(claims.extra.as_bytes())));
        return Ok(bound.then(bootstrap));
    }
    match state.store.admin_key(claims.subscriber).await? {
        Some(key) if key.revoked_at.is_none() => Ok(Some(operator_of(&key))),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_key_is_prefixed_random_and_hashes_to_64_hex_characters() {
        let (a, b) = (generate_key(), generate_key());
        assert!(a.starts_with(KEY_PREFIX) && a.len() == KEY_PREFIX.len() + 43);
        assert_ne!(a, b);
        let hash = hash_key(&a);
        assert_eq!(hash.len(), 64);
        assert!(
            hash.chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert_ne!(hash, hash_key(&b));
    }

    #[test]
    fn secrets_compare_equal_only_when_identical() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
    }
}
