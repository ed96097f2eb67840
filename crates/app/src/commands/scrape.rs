//! `jobping scrape`: one round now, with progress on a terminal and a closing table.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use futures::StreamExt;
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use time::OffsetDateTime;

use super::table;
use crate::ingest::{BoardReport, RunStatus, scrape_board, source_name};
use crate::settings::SourceSetting;
use crate::state::AppState;

/// Boards fetched at once; per-host politeness still applies inside the fetcher.
const PARALLEL_BOARDS: usize = 4;

/// Scrapes every enabled source (or only those of `kinds`) now and prints a summary.
/// Boards polled more recently than their source's minimum interval are left alone
/// (`too_soon`) unless `force`. A board that fails, even for a database error, is a
/// `failed` row; the others carry on.
pub async fn run(state: &AppState, kinds: &[String], force: bool) -> anyhow::Result<Vec<BoardReport>> {
    for kind in kinds {
        anyhow::ensure!(
            state.settings.sources.iter().any(|s| s.kind.as_str() == kind),
            "no source of kind `{kind}` is configured; `jobping sources` lists them"
        );
    }
    let chosen: Vec<&SourceSetting> = state
        .settings
        .sources
        .iter()
        .filter(|s| kinds.is_empty() || kinds.iter().any(|k| k == s.kind.as_str()))
        .collect();
    for source in chosen.iter().filter(|s| !s.enabled) {
        eprintln!(
            "skipping {}: {}",
            source.kind,
            source.disabled_reason.as_deref().unwrap_or("disabled")
        );
    }
    let boards: Vec<(&SourceSetting, String)> = chosen
        .iter()
        .filter(|s| s.enabled)
        .flat_map(|s| s.board_list().into_iter().map(move |b| (*s, b)))
        .collect();

    let progress = std::io::stderr().is_terminal().then(MultiProgress::new);
    let style = ProgressStyle::with_template("{spinner} {prefix:30} {msg}")
        .unwrap_or_else(|_| ProgressStyle::default_spinner());
    let mut done: Vec<BoardReport> = futures::stream::iter(boards)
        .map(|(source, board)| {
            let bar = progress.as_ref().map(|multi| {
                let bar = multi.add(ProgressBar::new_spinner().with_style(style.clone()));
                bar.set_prefix(source_name(source, &board));
                bar.set_message("fetching…");
                bar.enable_steady_tick(Duration::from_millis(120));
                bar
            });
            async move {
                let started = Instant::now();
                let report = match scrape_board(state, source, &board, force).await {
                    Ok(report) => report,
                    // The store failed this board (and recorded it on the source when
                    // it could): the other boards carry on.
                    Err(err) => BoardReport::failed(
                        source_name(source, &board),
                        format!("{err:#}"),
                        started.elapsed(),
                    ),
                };
                if let Some(bar) = bar {
                    match &report.error {
                        Some(error) if report.status == RunStatus::Failed => {
                            bar.finish_with_message(format!("error: {error}"));
                        }
                        _ => bar.finish_with_message(format!(
                            "{} · {} new · {} updated",
                            report.status.as_str(),
                            report.new,
                            report.updated
                        )),
                    }
                }
                report
            }
        })
        .buffer_unordered(PARALLEL_BOARDS)
        .collect()
        .await;
    done.sort_by(|a, b| a.source.cmp(&b.source));
    print!("{}", summary_table(&done));

    let now = OffsetDateTime::now_utc();
    let days = state.settings.scraping.inactive_after.as_secs() / 86_400;
    match state
        .store
        .deactivate_stale_jobs(now - state.settings.scraping.inactive_after, now)
        .await
    {
        Ok(stale) => {
            println!("{stale} job(s) not seen for {days} days or past their closing date are now inactive.");
        }
        // The boards' results stand; the next round retires what this one could not.
        Err(err) => eprintln!("stale jobs were not retired this time: {err:#}"),
    }
    Ok(done)
}

fn summary_table(reports: &[BoardReport]) -> String {
    let rows: Vec<Vec<String>> = reports
        .iter()
        .map(|r| {
            vec![
                r.source.clone(),
                r.status.as_str().to_owned(),
                r.fetched.to_string(),
                r.new.to_string(),
                r.updated.to_string(),
                r.unchanged.to_string(),
                r.skipped.to_string(),
                r.blocked.to_string(),
                r.error.clone().unwrap_or_default(),
                format!("{:.1} s", r.duration.as_secs_f64()),
            ]
        })
        .collect();
    let mut totals = vec!["total".to_owned(), String::new()];
    for column in [
        |r: &BoardReport| r.fetched as u64,
        |r: &BoardReport| r.new,
        |r: &BoardReport| r.updated,
        |r: &BoardReport| r.unchanged,
        |r: &BoardReport| r.skipped as u64,
        |r: &BoardReport| r.blocked as u64,
    ] {
        totals.push(reports.iter().map(column).sum::<u64>().to_string());
    }
    totals.push(format!(
        "{} with errors",
        reports.iter().filter(|r| r.error.is_some()).count()
    ));
    totals.push(format!(
        "{:.1} s",
        reports
            .iter()
            .map(|r| r.duration.as_secs_f64())
            .fold(0.0, f64::max)
    ));
    let mut all = rows;
    all.push(totals);
    table(
        &[
            "source",
            "status",
            "fetched",
            "new",
            "updated",
            "unchanged",
            "skipped",
            "blocked",
            "errors",
            "duration",
        ],
        &all,
    )
}
