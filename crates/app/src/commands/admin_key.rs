//! `jobping admin-key create|list|revoke`: the operators' API keys. A key is printed once,
//! when created; only its hash is kept.

use jobping_store::StoreError;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use super::table;
use crate::operators::{self, Scope};
use crate::state::AppState;

/// Creates a key named `name` with `scopes` (`read` when none are given) and prints it.
pub async fn create(state: &AppState, name: &str, scopes: &[String]) -> anyhow::Result<String> {
    let name = name.trim();
    anyhow::ensure!(
        !name.is_empty() && name.chars().count() <= 64,
        "--name must be 1 to 64 characters"
    );
    anyhow::ensure!(
        name.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.@".contains(c)),
        "--name may hold only letters, digits and - _ . @"
    );
    let mut parsed = Vec::new();
    for scope in scopes.iter().flat_map(|s| s.split(',')) {
        parsed.push(Scope::parse(scope).map_err(|err| anyhow::anyhow!("--scope: {err}"))?);
    }
    if parsed.is_empty() {
        parsed.push(Scope::Read);
    }
    let (key, stored) = match operators::create_key(state, name, &parsed, OffsetDateTime::now_utc()).await {
        Ok(made) => made,
        Err(StoreError::Conflict(_)) => anyhow::bail!("an admin key named `{name}` already exists"),
        Err(err) => return Err(err.into()),
    };
    println!(
        "Created admin key `{}` ({}) with scopes: {}",
        stored.name,
        stored.id,
        stored.scopes.join(", ")
    );
    println!("{key}");
    eprintln!("Keep it now: it is not stored and cannot be shown again.");
    Ok(key)
}

/// Lists the keys (never the keys themselves).
pub async fn list(state: &AppState, json: bool) -> anyhow::Result<()> {
    let keys = state.store.admin_keys().await?;
    if json {
        for key in &keys {
            println!("{}", serde_json::to_string(key)?);
        }
        return Ok(());
    }
    if keys.is_empty() {
        println!("No admin keys. Create one with `jobping admin-key create --name NAME --scope read`.");
        return Ok(());
    }
    let when = |at: Option<OffsetDateTime>| {
        at.and_then(|at| at.format(&Rfc3339).ok())
            .unwrap_or_else(|| "-".to_owned())
    };
    let rows: Vec<Vec<String>> = keys
        .iter()
        .map(|key| {
            vec![
                key.name.clone(),
                key.id.to_string(),
                key.scopes.join(","),
                when(Some(key.created_at)),
                when(key.last_used_at),
                when(key.revoked_at),
            ]
        })
        .collect();
    print!(
        "{}",
        table(
            &["NAME", "ID", "SCOPES", "CREATED", "LAST USED", "REVOKED"],
            &rows
        )
    );
    Ok(())
}

/// Revokes the key with this name or id; its console sessions end with it.
pub async fn revoke(state: &AppState, name_or_id: &str) -> anyhow::Result<()> {
    let keys = state.store.admin_keys().await?;
    let wanted = name_or_id.trim();
    let key = keys
        .iter()
        .find(|k| k.name == wanted || Uuid::try_parse(wanted).is_ok_and(|id| id == k.id))
        .ok_or_else(|| {
            anyhow::anyhow!(
                "no admin key is named or has the id `{wanted}`; `jobping admin-key list` shows them"
            )
        })?;
    let now = OffsetDateTime::now_utc();
    if state.store.revoke_admin_key(key.id, now).await? {
        state
            .store
            .append_audit(&jobping_store::NewAuditEntry {
                at: now,
                actor: "cli".to_owned(),
                action: "admin.key_revoked".to_owned(),
                target_hash: None,
                detail: serde_json::json!({ "key": key.name }),
            })
            .await?;
        println!("Revoked admin key `{}`.", key.name);
    } else {
        println!("Admin key `{}` was already revoked.", key.name);
    }
    Ok(())
}
