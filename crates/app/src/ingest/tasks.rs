//! Scrapes through the queue: a source's schedule queues one `scrape` task, which queues
//! one `scrape_board` task per board, so that several workers share the boards.

use async_trait::async_trait;
use jobping_store::{ClaimedTask, NewTask};
use serde::Deserialize;
use serde_json::json;
use time::OffsetDateTime;

use super::board::{RunStatus, scrape_board, source_name};
use crate::operators::switches::scraping_paused;
use crate::settings::SourceSetting;
use crate::state::AppState;
use crate::worker::{TaskError, TaskHandler};

#[derive(Deserialize)]
struct ScrapePayload {
    kind: Option<String>,
    fire_at: Option<String>,
}

#[derive(Deserialize)]
struct BoardPayload {
    kind: String,
    board: String,
}

/// Queues a `scrape_board` task for each enabled board of `source`; the unique key
/// makes a second queueing for the same `round` a no-op.
pub async fn enqueue_source(state: &AppState, source: &SourceSetting, round: &str) -> anyhow::Result<usize> {
    let mut queued = 0;
    for board in source.board_list() {
        let key = format!("scrape_board:{}:{round}", source_name(source, &board));
        let task = NewTask::new(
            "scrape_board",
            json!({ "kind": source.kind.as_str(), "board": board }),
            OffsetDateTime::now_utc(),
        )
        .unique_key(key)
        .max_attempts(state.settings.queue.max_attempts);
        if state.store.enqueue(&task).await?.is_some() {
            queued += 1;
        }
    }
    Ok(queued)
}

/// `scrape`: fans a scheduled firing out into board tasks (all enabled sources, or the
/// one the payload names).
pub struct ScrapeSource;

#[async_trait]
impl TaskHandler for ScrapeSource {
    async fn run(&self, state: &AppState, task: &ClaimedTask) -> Result<(), TaskError> {
        let payload: ScrapePayload = serde_json::from_value(task.payload.clone())
            .map_err(|err| TaskError::Permanent(anyhow::anyhow!("scrape payload: {err}")))?;
        let round = payload.fire_at.unwrap_or_else(|| task.id.to_string());
        for source in state.settings.sources.iter().filter(|s| s.enabled) {
            if payload
                .kind
                .as_deref()
                .is_some_and(|kind| kind != source.kind.as_str())
            {
                continue;
            }
            if scraping_paused(state, source.kind.as_str()).await? {
                tracing::info!(source = %source.kind, "scraping is switched off; nothing queued");
                continue;
            }
            enqueue_source(state, source, &round).await?;
        }
        Ok(())
    }
}

/// `scrape_board`: one board's scrape. Its outcome (even a failure) is recorded on the
/// source; the fetcher has already retried what was worth retrying.
pub struct ScrapeBoard;

#[async_trait]
impl TaskHandler for ScrapeBoard {
    async fn run(&self, state: &AppState, task: &ClaimedTask) -> Result<(), TaskError> {
        let payload: BoardPayload = serde_json::from_value(task.payload.clone())
            .map_err(|err| TaskError::Permanent(anyhow::anyhow!("scrape_board payload: {err}")))?;
        let source = state
            .settings
            .sources
            .iter()
            .find(|s| s.kind.as_str() == payload.kind && s.board_list().contains(&payload.board))
            .ok_or_else(|| {
                TaskError::Permanent(anyhow::anyhow!(
                    "no configured source {}:{}",
                    payload.kind,
                    payload.board
                ))
            })?;
        // Checked again here: the switch may have been turned off after the round queued this.
        if scraping_paused(state, &payload.kind).await? {
            tracing::info!(source = %payload.kind, board = %payload.board, "scraping is switched off; board skipped");
            return Ok(());
        }
        let report = scrape_board(state, source, &payload.board, false).await?;
        if report.status == RunStatus::Failed {
            tracing::warn!(source = %report.source, error = ?report.error, "scrape failed");
        }
        Ok(())
    }
}
