//! Kill switches: each names a kind of work and, when off, that work stops at its next
//! step. A switch never set is on.
//!
//! - `sending` (and `sending:free`, `sending:premium`): no digest is prepared or sent;
//! - `scraping` (and `scraping:<source kind>`): scrape tasks fetch nothing;
//! - `reranking`: matches keep the built-in order, no call goes out.

use std::str::FromStr;

use jobping_sources::adapters::SourceKind;
use serde::Serialize;

use crate::delivery::SENDING_SWITCH;
use crate::state::AppState;

/// The switch that stops all scraping; `scraping:<kind>` stops one source kind.
pub const SCRAPING_SWITCH: &str = "scraping";
/// The switch that stops re-ranking.
pub const RERANKING_SWITCH: &str = "reranking";

/// A switch as operators see it: its effective state and who last set it.
#[derive(Debug, Clone, Serialize)]
pub struct SwitchView {
    pub name: String,
    pub enabled: bool,
    #[serde(with = "time::serde::rfc3339::option")]
    pub updated_at: Option<time::OffsetDateTime>,
    pub updated_by: Option<String>,
}

/// Whether `name` is a switch something consults; otherwise an error naming the known ones.
pub fn validate(name: &str) -> Result<(), String> {
    let known = match name.split_once(':') {
        None => [SENDING_SWITCH, SCRAPING_SWITCH, RERANKING_SWITCH].contains(&name),
        Some((SENDING_SWITCH, tier)) => jobping_core::Tier::from_str(tier).is_ok(),
        Some((SCRAPING_SWITCH, kind)) => SourceKind::from_str(kind).is_ok(),
        Some(_) => false,
    };
    if known {
        Ok(())
    } else {
        Err(format!(
            "unknown switch `{name}`: use sending, sending:<tier>, scraping, scraping:<source kind> or reranking"
        ))
    }
}

/// The switches worth showing: the general ones, one per tier and one per configured
/// source kind, plus any other that was set.
pub async fn list(state: &AppState) -> anyhow::Result<Vec<SwitchView>> {
    let mut names: Vec<String> = vec![
        SENDING_SWITCH.into(),
        format!("{SENDING_SWITCH}:free"),
        format!("{SENDING_SWITCH}:premium"),
        SCRAPING_SWITCH.into(),
    ];
    for source in &state.settings.sources {
        let name = format!("{SCRAPING_SWITCH}:{}", source.kind.as_str());
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names.push(RERANKING_SWITCH.into());
    let stored = state.store.switches().await?;
    for switch in &stored {
        if !names.contains(&switch.name) {
            names.push(switch.name.clone());
        }
    }
    Ok(names
        .into_iter()
        .map(|name| {
            let set = stored.iter().find(|s| s.name == name);
            SwitchView {
                enabled: set.is_none_or(|s| s.enabled),
                updated_at: set.map(|s| s.updated_at),
                updated_by: set.map(|s| s.updated_by.clone()),
                name,
            }
        })
        .collect())
}

/// Whether scraping `kind` is switched off, altogether or for that kind.
pub async fn scraping_paused(state: &AppState, kind: &str) -> anyhow::Result<bool> {
    let all = state.store.switch(SCRAPING_SWITCH).await?;
    let one = state.store.switch(&format!("{SCRAPING_SWITCH}:{kind}")).await?;
    Ok(all == Some(false) || one == Some(false))
}

/// Whether re-ranking is switched off.
pub async fn reranking_paused(state: &AppState) -> anyhow::Result<bool> {
    Ok(state.store.switch(RERANKING_SWITCH).await? == Some(false))
}

#[cfg(test)]
mod tests {
    use super::validate;

    #[test]
    fn only_switches_something_consults_are_accepted() {
        for name in [
            "sending",
            "sending:free",
            "scraping",
            "scraping:greenhouse",
            "reranking",
        ] {
            assert!(validate(name).is_ok(), "{name}");
        }
        for name in ["", "sendin", "sending:gold", "scraping:nowhere", "reranking:x"] {
            let err = validate(name).unwrap_err();
            assert!(err.contains(&format!("`{name}`")), "{err}");
        }
    }
}
