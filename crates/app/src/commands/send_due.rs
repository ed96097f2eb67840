//! `jobping send-due [--dry-run]`: one delivery round now, with a progress bar on a
//! terminal and a summary. Without `--dry-run` each due digest is prepared (recorded
//! with its send task, as the scheduled round would) and sent at once, through the same
//! send claim as the workers': when a worker running beside us claims it first, the
//! worker sends it and we count it; otherwise the queued send task finds it sent and
//! does nothing. A second run finds nothing due.

use std::io::IsTerminal;

use chrono::{DateTime, Utc};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use super::table;
use crate::delivery::{Prepared, RoundReport, SendOutcome, due, plan, prepare, send};
use crate::state::AppState;
use crate::worker::TaskError;

/// What one `send-due` did.
#[derive(Debug, Default, Clone, Serialize, PartialEq, Eq)]
pub struct SendDueReport {
    pub considered: u64,
    pub due: u64,
    pub paused: u64,
    pub sent: u64,
    /// Due, but nothing scored high enough: recorded as skipped (or would be).
    pub skipped: u64,
    /// Recorded, but not sent now (a transient failure: the queue retries it).
    pub retrying: u64,
    /// Recorded, and a running worker claimed it first: the worker sends it.
    pub by_worker: u64,
    pub failed: u64,
    /// Jobs in the digests sent (or that would be).
    pub jobs: u64,
}

/// Runs one round as of `now` (the real time, or `--as-of`); with `dry_run`, only says
/// what would go out.
pub async fn run(state: &AppState, dry_run: bool, now: DateTime<Utc>) -> anyhow::Result<SendDueReport> {
    let mut round = RoundReport::default();
    let due = due(state, now, &mut round).await?;
    let mut report = SendDueReport {
        considered: round.considered,
        due: due.len() as u64,
        paused: round.paused,
        ..SendDueReport::default()
    };
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::new(due.len() as u64);
        bar.set_style(
            ProgressStyle::with_template("{bar:30} {pos}/{len} digests {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    });
    let mut rows = Vec::new();
    // This run's name on the deliveries it claims: workers running beside it claim the
    // same deliveries' send tasks, and exactly one of us sends each.
    let owner = format!(
        "send-due:{}:{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    );
    for item in &due {
        if dry_run {
            if let Some((subscriber, matches)) = plan(state, item.subscriber.id).await? {
                if matches.is_empty() {
                    report.skipped += 1;
                } else {
                    report.jobs += matches.len() as u64;
                    report.sent += 1;
                }
                rows.push(vec![
                    subscriber.email.masked(),
                    subscriber.tier.as_str().to_owned(),
                    item.period.clone(),
                    matches.len().to_string(),
                ]);
            }
        } else {
            match prepare(state, item.subscriber.id, &item.period).await? {
                Prepared::Recorded { delivery, jobs } => match send(state, delivery, &owner).await {
                    Ok(SendOutcome::Sent | SendOutcome::AlreadySent) => {
                        report.sent += 1;
                        report.jobs += jobs as u64;
                    }
                    // A worker claimed it first and is sending it.
                    Ok(SendOutcome::Held(_)) => report.by_worker += 1,
                    Ok(SendOutcome::Dropped(_)) | Err(TaskError::Permanent(_)) => report.failed += 1,
                    Err(TaskError::Retry(err) | TaskError::RetryAt(_, err)) => {
                        tracing::warn!(
                            error = format!("{err:#}"),
                            "a digest will be retried by the queue"
                        );
                        report.retrying += 1;
                    }
                },
                Prepared::Skipped => report.skipped += 1,
                Prepared::Nothing => {}
            }
        }
        if let Some(bar) = &bar {
            bar.inc(1);
        }
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if dry_run && !rows.is_empty() {
        print!("{}", table(&["subscriber", "tier", "slot", "jobs"], &rows));
    }
    let verb = if dry_run { "would send" } else { "sent" };
    println!(
        "{} subscriber(s) considered, {} due, {} paused: {verb} {} digest(s) with {} job(s); {} skipped (nothing fit){}",
        report.considered,
        report.due,
        report.paused,
        report.sent,
        report.jobs,
        report.skipped,
        if dry_run {
            String::new()
        } else {
            format!(
                ", {} being sent by a running worker, {} failed, {} left to the queue's retries",
                report.by_worker, report.failed, report.retrying
            )
        }
    );
    Ok(report)
}
