//! `jobping sources`: each configured source board's status and terms.

use serde_json::json;
use time::OffsetDateTime;

use super::{ago, table};
use crate::ingest::source_name;
use crate::state::AppState;

/// Prints every configured board: enabled or why not, last run and success, counts,
/// last error, and the source's terms.
pub async fn run(state: &AppState, as_json: bool) -> anyhow::Result<()> {
    let statuses = state.store.source_statuses().await?;
    let now = OffsetDateTime::now_utc();
    let mut rows = Vec::new();
    let mut objects = Vec::new();
    for source in &state.settings.sources {
        let info = source.kind.info();
        for board in source.board_list() {
            let name = source_name(source, &board);
            let status = statuses.iter().find(|s| s.state.name == name);
            let run = status.and_then(|s| s.last_run.as_ref());
            let enabled = if source.enabled {
                "yes".to_owned()
            } else {
                format!("no: {}", source.disabled_reason.as_deref().unwrap_or("disabled"))
            };
            rows.push(vec![
                name.clone(),
                enabled,
                ago(status.and_then(|s| s.state.last_polled_at), now),
                ago(status.and_then(|s| s.state.last_success_at), now),
                run.map_or_else(String::new, |r| r.status.clone()),
                run.map_or_else(String::new, |r| {
                    format!("{}/{}/{}/{}", r.fetched, r.inserted, r.updated, r.skipped)
                }),
                status.map_or(0, |s| s.active_jobs).to_string(),
                status
                    .and_then(|s| s.state.last_error.clone())
                    .unwrap_or_default(),
            ]);
            objects.push(json!({
                "source": name,
                "kind": source.kind.as_str(),
                "board": board,
                "enabled": source.enabled,
                "disabled_reason": source.disabled_reason,
                "last_polled_at": status.and_then(|s| s.state.last_polled_at).map(|t| t.to_string()),
                "last_success_at": status.and_then(|s| s.state.last_success_at).map(|t| t.to_string()),
                "last_status": run.map(|r| r.status.clone()),
                "fetched": run.map(|r| r.fetched),
                "new": run.map(|r| r.inserted),
                "updated": run.map(|r| r.updated),
                "skipped": run.map(|r| r.skipped),
                "active_jobs": status.map_or(0, |s| s.active_jobs),
                "last_error": status.and_then(|s| s.state.last_error.clone()),
                "min_poll_interval_seconds": info.min_poll_interval.as_secs(),
                "attribution": info.attribution,
            }));
        }
    }
    if as_json {
        for object in objects {
            println!("{object}");
        }
        return Ok(());
    }
    print!(
        "{}",
        table(
            &[
                "source",
                "enabled",
                "last run",
                "last success",
                "status",
                "fetched/new/updated/skipped",
                "active jobs",
                "last error"
            ],
            &rows
        )
    );
    println!("\nTerms:");
    let mut seen = Vec::new();
    for source in &state.settings.sources {
        if seen.contains(&source.kind) {
            continue;
        }
        seen.push(source.kind);
        let info = source.kind.info();
        let off = info
            .disabled_reason
            .map(|r| format!(" Off by default: {r}"))
            .unwrap_or_default();
        println!(
            "  {}: at most every {} min. Attribution: {}{off}",
            info.name,
            info.min_poll_interval.as_secs() / 60,
            info.attribution
        );
    }
    Ok(())
}
