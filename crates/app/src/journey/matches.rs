//! Ranking the active jobs for one set of preferences: shared by `jobping match`, the
//! API's matches and the welcome email.

use jobping_core::matching::{Match, SubscriberContext, rank};
use jobping_core::{Job, Preferences, Taxonomy};
use time::OffsetDateTime;

use crate::state::AppState;

/// A match with the job it points to.
#[derive(Debug, Clone)]
pub struct RankedJob {
    pub matched: Match,
    pub job: Job,
    pub first_seen_at: OffsetDateTime,
}

/// The best `limit` active jobs for `preferences` (the configured limit when `None`),
/// re-ranked when re-ranking is on. The index is the process's shared one (see
/// `delivery::JobIndexCache`), not rebuilt per call.
pub async fn rank_for(
    state: &AppState,
    preferences: &Preferences,
    limit: Option<usize>,
) -> anyhow::Result<(Vec<RankedJob>, usize)> {
    let index = state.job_index.get(state.store.as_ref()).await?;
    let taxonomy = Taxonomy::embedded();
    let mut config = state.settings.matching.clone();
    if let Some(limit) = limit {
        config.limit = limit;
    }
    // Deliveries and feedback join this context once emails are sent.
    let context = SubscriberContext::fresh(OffsetDateTime::now_utc());
    let mut matches = rank(preferences, &index, &context, &config, taxonomy);
    if state.settings.rerank.enabled && !crate::operators::switches::reranking_paused(state).await? {
        // Re-ranking only reorders what passed the hard filters, and falls back to the
        // built-in order on any trouble.
        let reranker = crate::rerank::Reranker::new(state.settings.rerank.clone())?;
        let candidates = matches
            .iter()
            .filter_map(|m| index.get(m.job_id).map(|job| (m.clone(), job)))
            .collect();
        matches = reranker.rerank(preferences, candidates).await;
    }
    let ranked = matches
        .into_iter()
        .filter_map(|m| {
            index.get(m.job_id).map(|job| RankedJob {
                job: job.job.clone(),
                first_seen_at: job.first_seen_at,
                matched: m,
            })
        })
        .collect();
    Ok((ranked, index.len()))
}
