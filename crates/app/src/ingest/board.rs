//! One board's scrape: fetch every page, parse, normalize, upsert, record the run.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use anyhow::Context;
use jobping_core::normalize::{normalize, posting_hash};
use jobping_core::{Job, Taxonomy};
use jobping_sources::adapters::{Crawl, parse};
use jobping_sources::fetch::{FetchError, Fetched, RequestOptions, Validators};
use jobping_store::{SourceRun, UpsertSummary};
use serde::Serialize;
use time::OffsetDateTime;

use crate::settings::SourceSetting;
use crate::state::AppState;

/// How a board's run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Ok,
    /// The board answered 304: nothing changed since the last run.
    NotModified,
    /// robots.txt disallows the board's path: nothing was fetched.
    Blocked,
    Failed,
    /// Polled too recently for the source's minimum interval: not fetched.
    TooSoon,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::NotModified => "not_modified",
            Self::Blocked => "blocked",
            Self::Failed => "failed",
            Self::TooSoon => "too_soon",
        }
    }
}

/// What one board's run did.
#[derive(Debug, Clone, Serialize)]
pub struct BoardReport {
    pub source: String,
    pub status: RunStatus,
    /// Postings read off the board's pages (valid or not).
    pub fetched: usize,
    pub new: u64,
    pub updated: u64,
    /// Postings the board sent exactly as last time: marked seen without being read again.
    pub unchanged: u64,
    /// Postings skipped as invalid (by the adapter or by normalization).
    pub skipped: usize,
    /// Pages robots.txt did not let us fetch.
    pub blocked: usize,
    pub error: Option<String>,
    pub duration: Duration,
}

impl BoardReport {
    fn new(source: String) -> Self {
        Self {
            source,
            status: RunStatus::Ok,
            fetched: 0,
            new: 0,
            updated: 0,
            unchanged: 0,
            skipped: 0,
            blocked: 0,
            error: None,
            duration: Duration::ZERO,
        }
    }

    /// A board whose run ended in `error` before it could report anything else.
    pub fn failed(source: String, error: String, duration: Duration) -> Self {
        Self {
            status: RunStatus::Failed,
            error: Some(error),
            duration,
            ..Self::new(source)
        }
    }
}

/// The name a board's runs are recorded under: `greenhouse:acme`, or the kind alone.
pub fn source_name(source: &SourceSetting, board: &str) -> String {
    if board.is_empty() {
        source.kind.as_str().to_owned()
    } else {
        format!("{}:{board}", source.kind)
    }
}

/// Upserts are written in batches of this many jobs: one transaction each.
const BATCH: usize = 1_000;

/// Scrapes one board of `source`. `force` skips the minimum-interval check (an
/// operator's `jobping scrape`). A board's failure is recorded and reported, never
/// raised. A store failure is raised (so that a queued scrape is retried), after it is
/// recorded on the source when the store still takes that.
#[tracing::instrument(skip_all, fields(source = %source_name(source, board)))]
pub async fn scrape_board(
    state: &AppState,
    source: &SourceSetting,
    board: &str,
    force: bool,
) -> anyhow::Result<BoardReport> {
    let name = source_name(source, board);
    let started_at = OffsetDateTime::now_utc();
    let result = scrape(state, source, board, force, &name, started_at).await;
    if let Err(err) = &result {
        let failed = SourceRun {
            name: name.clone(),
            kind: source.kind.as_str().to_owned(),
            started_at,
            finished_at: OffsetDateTime::now_utc(),
            status: RunStatus::Failed.as_str().to_owned(),
            fetched: 0,
            inserted: 0,
            updated: 0,
            skipped: 0,
            error: Some(format!("{err:#}")),
            etag: None,
            last_modified: None,
        };
        if let Err(also) = state.store.record_source_run(&failed).await {
            tracing::warn!(
                error = format!("{also:#}"),
                "the failed run could not be recorded"
            );
        }
        metrics::counter!("jobping_scrape_runs_total", "source" => source.kind.as_str(), "status" => "failed")
            .increment(1);
    }
    result
}

async fn scrape(
    state: &AppState,
    source: &SourceSetting,
    board: &str,
    force: bool,
    name: &str,
    started_at: OffsetDateTime,
) -> anyhow::Result<BoardReport> {
    let started = Instant::now();
    let previous = state
        .store
        .source_state(name)
        .await
        .context("reading the board's last run")?;
    let min_interval = source.kind.info().min_poll_interval;
    let mut report = BoardReport::new(name.to_owned());
    if let Some(last) = previous.as_ref().and_then(|p| p.last_polled_at)
        && !force
        && started_at < last + min_interval
    {
        report.status = RunStatus::TooSoon;
        return Ok(report);
    }

    let validators = previous.as_ref().map(|p| Validators {
        etag: p.etag.clone(),
        last_modified: p.last_modified.clone(),
    });
    let Harvest {
        jobs,
        hashes,
        unchanged,
        validators: new_validators,
    } = fetch_all(state, source, board, validators.as_ref(), &mut report).await?;
    let now = OffsetDateTime::now_utc();
    if report.status == RunStatus::NotModified {
        // Nothing changed, but everything is still there: keep it fresh.
        state
            .store
            .touch_source_jobs(source.kind.as_str(), board, now)
            .await
            .context("marking the board's jobs seen")?;
    }
    let mut summary = UpsertSummary {
        unchanged,
        ..UpsertSummary::default()
    };
    for (batch, hashes) in jobs.chunks(BATCH).zip(hashes.chunks(BATCH)) {
        summary += state
            .store
            .upsert_scraped_jobs(batch, hashes, now)
            .await
            .context("saving the board's jobs")?;
    }
    if summary.inserted + summary.updated > 0 {
        // This process ranks the new jobs from its next match on.
        state.job_index.invalidate().await;
    }
    report.new = summary.inserted;
    report.updated = summary.updated;
    report.unchanged = summary.unchanged;
    report.duration = started.elapsed();
    let (etag, last_modified) = match new_validators {
        Some(v) => (v.etag, v.last_modified),
        None => (None, None),
    };
    state
        .store
        .record_source_run(&SourceRun {
            name: name.to_owned(),
            kind: source.kind.as_str().to_owned(),
            started_at,
            finished_at: now,
            status: report.status.as_str().to_owned(),
            fetched: report.fetched as u64,
            inserted: summary.inserted,
            updated: summary.updated,
            skipped: report.skipped as u64,
            error: report.error.clone(),
            etag,
            last_modified,
        })
        .await
        .context("recording the board's run")?;
    record_metrics(source, &report, &summary);
    Ok(report)
}

/// What a board's pages held.
struct Harvest {
    /// The postings new or changed since they were last read, normalized.
    jobs: Vec<Job>,
    /// Their posting hashes, in the same order, stored with them.
    hashes: Vec<String>,
    /// Postings already stored exactly as the board sent them: marked seen, not read.
    unchanged: u64,
    /// The first page's validators, for the next run's conditional request.
    validators: Option<Validators>,
}

/// Fetches and parses every page and normalizes what changed. Only a store failure is
/// an error; a board's failure is recorded in `report`.
async fn fetch_all(
    state: &AppState,
    source: &SourceSetting,
    board: &str,
    validators: Option<&Validators>,
    report: &mut BoardReport,
) -> anyhow::Result<Harvest> {
    let mut fetched = Harvest {
        jobs: Vec::new(),
        hashes: Vec::new(),
        unchanged: 0,
        validators: None,
    };
    let request = match source
        .kind
        .first_request(source.base_url.as_ref(), board, &source.request)
    {
        Ok(request) => request,
        Err(err) => {
            report.status = RunStatus::Failed;
            report.error = Some(err.to_string());
            return Ok(fetched);
        }
    };
    let fetcher = match state.fetcher().await {
        Ok(fetcher) => fetcher,
        Err(err) => {
            report.status = RunStatus::Failed;
            report.error = Some(format!("{err:#}"));
            return Ok(fetched);
        }
    };
    let taxonomy = Taxonomy::embedded();
    let mut crawl = Crawl::new(&request.url, source.max_pages);
    let mut url = Some(request.url.clone());
    let mut first = true;
    while let Some(page_url) = url.take() {
        let options = RequestOptions {
            validators: if first { validators } else { None },
            basic_auth: request.basic_auth.as_ref(),
            accept: None,
        };
        let body = match fetcher.get_with(&page_url, options).await {
            Ok(Fetched::NotModified) => {
                report.status = RunStatus::NotModified;
                fetched.validators = validators.cloned();
                break;
            }
            Ok(body @ Fetched::Body { .. }) => {
                if first {
                    fetched.validators = body.validators();
                }
                match body {
                    Fetched::Body { bytes, .. } => bytes,
                    Fetched::NotModified => unreachable!("matched above"),
                }
            }
            Err(FetchError::BlockedByRobots { .. }) => {
                report.blocked += 1;
                report.status = RunStatus::Blocked;
                report.error = Some(format!(
                    "robots.txt disallows {}",
                    jobping_sources::fetch::redact_url(&page_url)
                ));
                break;
            }
            Err(err) => {
                report.status = RunStatus::Failed;
                report.error = Some(err.to_string());
                break;
            }
        };
        first = false;
        let page = match parse(source.kind, board, &body, &page_url) {
            Ok(page) => page,
            Err(err) => {
                report.status = RunStatus::Failed;
                report.error = Some(err.to_string());
                break;
            }
        };
        report.fetched += page.postings.len() + page.skipped.len();
        report.skipped += page.skipped.len();
        let now = OffsetDateTime::now_utc();
        // A posting the board sends exactly as last time would normalize to the same job:
        // it is only marked seen. Normalizing is most of a scrape's work.
        let hashes: Vec<(String, String)> = page
            .postings
            .iter()
            .map(|raw| (raw.external_id.trim().to_owned(), posting_hash(raw, taxonomy)))
            .collect();
        let unchanged: HashSet<String> = state
            .store
            .seen_unchanged(source.kind.as_str(), board.trim(), &hashes, now)
            .await
            .context("finding the postings already stored")?
            .into_iter()
            .collect();
        fetched.unchanged += unchanged.len() as u64;
        url = crawl.next(&page);
        // Normalizing a page is a few milliseconds of CPU per hundred postings: off the
        // async workers, which serve requests meanwhile.
        let postings = page.postings;
        let span = tracing::Span::current();
        let (jobs, rejected) = tokio::task::spawn_blocking(move || {
            let _entered = span.enter();
            let mut jobs = Vec::with_capacity(postings.len());
            let mut rejected = 0;
            for (raw, hash) in postings.iter().zip(hashes) {
                if unchanged.contains(&hash.0) {
                    continue;
                }
                match normalize(raw, taxonomy, now) {
                    Ok(job) => jobs.push((job, hash)),
                    Err(reason) => {
                        tracing::debug!(%reason, "posting skipped");
                        rejected += 1;
                    }
                }
            }
            (jobs, rejected)
        })
        .await
        .context("normalizing a page")?;
        report.skipped += rejected;
        for (job, hash) in jobs {
            fetched.jobs.push(job);
            fetched.hashes.push(hash.1);
        }
    }
    Ok(fetched)
}

fn record_metrics(source: &SourceSetting, report: &BoardReport, summary: &UpsertSummary) {
    let kind = source.kind.as_str();
    metrics::counter!("jobping_scrape_runs_total", "source" => kind, "status" => report.status.as_str())
        .increment(1);
    for (outcome, count) in [
        ("new", summary.inserted),
        ("updated", summary.updated),
        ("unchanged", summary.unchanged),
        ("skipped", report.skipped as u64),
    ] {
        metrics::counter!("jobping_scrape_postings_total", "source" => kind, "outcome" => outcome)
            .increment(count);
    }
    metrics::histogram!("jobping_scrape_duration_seconds", "source" => kind)
        .record(report.duration.as_secs_f64());
}
