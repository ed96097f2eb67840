//! Operator access: admin keys and their scopes, who an operator is, the audit trail
//! of what they do, and the kill switches they flip. The admin API and the `/admin`
//! console both come through here.
//!
//! A key looks like `jpk_<43 base64url characters>` (32 random bytes); only its SHA-256
//! is stored. `JOBPING_ADMIN_KEY`, when set, is a bootstrap key with every scope.

pub mod keys;
pub mod switches;

use jobping_store::NewAuditEntry;
use time::OffsetDateTime;
use uuid::Uuid;

pub use self::keys::{AuthError, authenticate, create_key, generate_key, hash_key, session_operator};
use crate::state::AppState;

/// What an admin key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    /// Statistics, queue and source health, switches and the audit log.
    Read,
    /// Flip switches and trigger scrape and delivery rounds.
    Write,
    /// Look a subscriber up by email address (personal data; every look-up is audited).
    Subscribers,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Scope::Read, Scope::Write, Scope::Subscribers];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
            Self::Subscribers => "subscribers",
        }
    }

    /// The scope a name stands for, or an error that lists the known ones.
    pub fn parse(name: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == name.trim())
            .ok_or_else(|| format!("unknown scope `{name}`: use read, write or subscribers"))
    }
}

/// The key id the bootstrap key (`JOBPING_ADMIN_KEY`) signs sessions with.
pub const BOOTSTRAP_ID: Uuid = Uuid::nil();
/// The bootstrap key's name in the audit log.
pub const BOOTSTRAP_NAME: &str = "bootstrap";

/// An authenticated operator: the key they presented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operator {
    pub key_id: Uuid,
    pub name: String,
    pub scopes: Vec<Scope>,
}

impl Operator {
    pub fn can(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope)
    }

    /// How the audit log names them.
    pub fn actor(&self) -> String {
        format!("admin:{}", self.name)
    }
}

/// Whether the admin API is on: a bootstrap key is set or a key has been created.
pub async fn enabled(state: &AppState) -> anyhow::Result<bool> {
    if state.settings.admin_key.is_some() {
        return Ok(true);
    }
    Ok(!state.store.admin_keys().await?.is_empty())
}

/// Appends an operator's action to the audit log. `target_hash` is a keyed hash (an
/// email address's [`crate::tokens::Signer::audit_hash`]), never the address.
pub async fn audit(
    state: &AppState,
    operator: &Operator,
    action: &str,
    target_hash: Option<String>,
    detail: serde_json::Value,
) -> anyhow::Result<()> {
    state
        .store
        .append_audit(&NewAuditEntry {
            at: OffsetDateTime::now_utc(),
            actor: operator.actor(),
            action: action.to_owned(),
            target_hash,
            detail,
        })
        .await?;
    Ok(())
}
