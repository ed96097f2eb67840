//! The scheduler: turns cron schedules into queued tasks. Every process may run one;
//! each firing is claimed in the store by exactly one of them.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use jobping_store::{NewTask, Store};
use time::OffsetDateTime;
use tokio_util::sync::CancellationToken;

use crate::settings::Settings;

/// How far back a missed firing is still made up for (say, every process was down at
/// 06:00 and one starts at 06:20). Older misses are skipped: the next firing will come.
const CATCH_UP: Duration = Duration::from_secs(3_600);

/// The longest the scheduler sleeps between looks, so that a clock jump or a slow
/// start is noticed.
const MAX_SLEEP: Duration = Duration::from_secs(30);

/// One enabled schedule: what it queues when it fires.
struct ScheduledJob {
    name: String,
    schedule: cron::Schedule,
    task_kind: String,
    payload: serde_json::Map<String, serde_json::Value>,
}

/// The enabled schedules and the store they fire into.
pub struct Scheduler {
    store: Arc<dyn Store>,
    jobs: Vec<ScheduledJob>,
    max_attempts: u32,
}

impl Scheduler {
    /// The jobs' schedules and each enabled source's scrape schedule (`scrape:KIND`).
    pub fn new(store: Arc<dyn Store>, settings: &Settings) -> Self {
        let mut jobs: Vec<ScheduledJob> = settings
            .schedules
            .iter()
            .filter_map(|s| {
                s.schedule.clone().map(|schedule| ScheduledJob {
                    name: s.name.clone(),
                    schedule,
                    task_kind: s.name.clone(),
                    payload: serde_json::Map::new(),
                })
            })
            .collect();
        for source in settings.sources.iter().filter(|s| s.enabled) {
            let name = format!("scrape:{}", source.kind);
            if let Some(schedule) = &source.schedule
                && !jobs.iter().any(|job| job.name == name)
            {
                let mut payload = serde_json::Map::new();
                payload.insert("kind".into(), source.kind.as_str().into());
                jobs.push(ScheduledJob {
                    name,
                    schedule: schedule.clone(),
                    task_kind: "scrape".into(),
                    payload,
                });
            }
        }
        Self {
            store,
            jobs,
            max_attempts: settings.queue.max_attempts,
        }
    }

    /// The names of the enabled schedules.
    pub fn names(&self) -> Vec<String> {
        self.jobs.iter().map(|job| job.name.clone()).collect()
    }

    /// Fires every schedule whose latest firing time (at most [`CATCH_UP`] ago) has not
    /// been claimed yet; returns the names of the ones this call fired.
    pub async fn tick(&self, now: OffsetDateTime) -> anyhow::Result<Vec<String>> {
        let mut fired = Vec::new();
        for job in &self.jobs {
            let name = &job.name;
            let Some(fire_at) = latest_firing(&job.schedule, now, CATCH_UP) else {
                continue;
            };
            let fire_text = fire_at.format(&time::format_description::well_known::Rfc3339)?;
            let mut payload = job.payload.clone();
            payload.insert("fire_at".into(), fire_text.clone().into());
            let task = NewTask::new(job.task_kind.clone(), serde_json::Value::Object(payload), fire_at)
                .unique_key(format!("{name}:{fire_text}"))
                .schedule(name.clone())
                .max_attempts(self.max_attempts);
            if self.store.fire_schedule(name, fire_at, &task).await? {
                tracing::info!(schedule = %name, fire_at = %fire_text, "schedule fired");
                metrics::counter!("jobping_scheduler_firings_total", "schedule" => name.clone()).increment(1);
                fired.push(name.clone());
            }
        }
        Ok(fired)
    }

    /// How long until the next firing of any schedule, at most [`MAX_SLEEP`].
    fn sleep_from(&self, now: OffsetDateTime) -> Duration {
        let now = to_chrono(now);
        self.jobs
            .iter()
            .filter_map(|job| job.schedule.after(&now).next())
            .map(|next| (next - now).to_std().unwrap_or_default())
            .min()
            .unwrap_or(MAX_SLEEP)
            .min(MAX_SLEEP)
    }

    /// Ticks at each firing time until `cancel` fires.
    pub async fn run(self, cancel: CancellationToken) {
        if self.jobs.is_empty() {
            tracing::info!("no schedules enabled; the scheduler is idle");
            return;
        }
        loop {
            let now = OffsetDateTime::now_utc();
            if let Err(err) = self.tick(now).await {
                tracing::error!(
                    error = format!("{err:#}"),
                    "the scheduler could not reach the store"
                );
            }
            // Wake just after the firing time, so that `latest_firing` sees it.
            let sleep = self.sleep_from(OffsetDateTime::now_utc()) + Duration::from_millis(20);
            tokio::select! {
                () = cancel.cancelled() => break,
                () = tokio::time::sleep(sleep) => {}
            }
        }
    }
}

fn to_chrono(at: OffsetDateTime) -> DateTime<Utc> {
    DateTime::from_timestamp_nanos(i64::try_from(at.unix_timestamp_nanos()).unwrap_or(i64::MAX))
}

fn from_chrono(at: DateTime<Utc>) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(at.timestamp_nanos_opt().unwrap_or(0)))
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// The most recent firing of `schedule` at or before `now`, if it is within `window`.
pub fn latest_firing(
    schedule: &cron::Schedule,
    now: OffsetDateTime,
    window: Duration,
) -> Option<OffsetDateTime> {
    let now = to_chrono(now);
    let since = now - chrono::Duration::from_std(window).ok()?;
    schedule
        .after(&since)
        .take_while(|at| *at <= now)
        .last()
        .map(from_chrono)
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use time::macros::datetime;

    use super::*;

    #[test]
    fn the_latest_firing_is_the_last_one_not_after_now() {
        let thrice_daily = cron::Schedule::from_str("0 0 6,13,18 * * *").unwrap();
        let hour = Duration::from_secs(3_600);
        assert_eq!(
            latest_firing(&thrice_daily, datetime!(2026-11-25 13:20 UTC), hour),
            Some(datetime!(2026-11-25 13:00 UTC))
        );
        assert_eq!(
            latest_firing(&thrice_daily, datetime!(2026-11-25 13:00 UTC), hour),
            Some(datetime!(2026-11-25 13:00 UTC)),
            "a firing exactly now counts"
        );
        assert_eq!(
            latest_firing(&thrice_daily, datetime!(2026-11-25 15:00 UTC), hour),
            None,
            "too long ago"
        );
    }
}
