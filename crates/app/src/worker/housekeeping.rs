//! The daily tidy-up: finished tasks are kept for a while for operators, then removed;
//! jobs not seen for a while, or past their closing date, stop being offered; signups
//! never confirmed are erased; spent single-use tokens past their expiry are forgotten.

use async_trait::async_trait;
use jobping_store::ClaimedTask;
use time::OffsetDateTime;

use super::{TaskError, TaskHandler};
use crate::state::AppState;

pub(super) struct Housekeeping;

#[async_trait]
impl TaskHandler for Housekeeping {
    async fn run(&self, state: &AppState, _task: &ClaimedTask) -> Result<(), TaskError> {
        let queue = &state.settings.queue;
        let now = OffsetDateTime::now_utc();
        let purged = state
            .store
            .purge_finished_tasks(now - queue.keep_done, now - queue.keep_dead)
            .await
            .map_err(anyhow::Error::from)?;
        let inactive = state
            .store
            .deactivate_stale_jobs(now - state.settings.scraping.inactive_after, now)
            .await
            .map_err(anyhow::Error::from)?;
        let unverified = state
            .store
            .purge_unverified(now - state.settings.signup.purge_unverified_after)
            .await
            .map_err(anyhow::Error::from)?;
        let tokens = state
            .store
            .purge_used_tokens(now)
            .await
            .map_err(anyhow::Error::from)?;
        tracing::info!(
            purged,
            inactive,
            unverified,
            tokens,
            "housekeeping removed old finished tasks, stale jobs, unconfirmed signups and spent tokens"
        );
        Ok(())
    }
}
