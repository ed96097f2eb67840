//! One job index per process, shared by every digest a worker prepares and rebuilt when
//! it is a few minutes old (jobs change a few times a day; ranking needs no fresher).

use std::sync::Arc;
use std::time::{Duration, Instant};

use jobping_core::Taxonomy;
use jobping_core::matching::{IndexedJob, JobIndex};
use jobping_store::Store;
use tokio::sync::Mutex;

/// The active jobs, indexed for matching, cached for `max_age`.
pub struct JobIndexCache {
    max_age: Duration,
    current: Mutex<Option<(Instant, Arc<JobIndex>)>>,
}

impl JobIndexCache {
    pub fn new(max_age: Duration) -> Self {
        Self {
            max_age,
            current: Mutex::new(None),
        }
    }

    /// The index, rebuilt from the store when missing or stale. One caller rebuilds while
    /// the others wait for it, so a round does not load the jobs once per subscriber.
    pub async fn get(&self, store: &dyn Store) -> anyhow::Result<Arc<JobIndex>> {
        let mut current = self.current.lock().await;
        if let Some((built, index)) = current.as_ref()
            && built.elapsed() < self.max_age
        {
            return Ok(index.clone());
        }
        let jobs: Vec<IndexedJob> = store
            .jobs(true)
            .await?
            .into_iter()
            .map(|s| IndexedJob {
                id: s.id,
                job: s.job,
                first_seen_at: s.first_seen_at,
                active: s.active,
            })
            .collect();
        let index = Arc::new(JobIndex::with_taxonomy(jobs, Taxonomy::embedded()));
        *current = Some((Instant::now(), index.clone()));
        Ok(index)
    }

    /// Forgets the index, so the next caller rebuilds it (after a scrape, in tests).
    pub async fn invalidate(&self) {
        *self.current.lock().await = None;
    }
}
