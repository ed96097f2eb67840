//! Ingest throughput: parse + normalize + dedup + upsert of 100,000 postings from
//! recorded-shape payloads, on SQLite and PostgreSQL, then a re-scrape of the same
//! payloads (everything unchanged).
//!
//! Parsing and normalizing run on `INGEST_BENCH_THREADS` threads (default 2, one per
//! core here) while `INGEST_BENCH_WRITERS` tasks (default 4, the boards `jobping
//! scrape` works on at once) upsert the batches they have finished, 1,000 jobs per
//! transaction, as `scrape_board` does. As there, each page's postings are hashed first
//! and those stored unchanged are only marked seen, not normalized again; upserted
//! postings are stored with their hashes. Payload generation is not measured.
//!
//! Tune with INGEST_BENCH_POSTINGS, INGEST_BENCH_THREADS, INGEST_BENCH_WRITERS and INGEST_BENCH_PARAGRAPHS (the
//! length of descriptions: 6 sections, about 3 kB, by default; 0 for short ones).
//! PostgreSQL comes from TEST_DATABASE_URL (default: the local server's `test` database).
#![forbid(unsafe_code)]

#[path = "ingest/payloads.rs"]
mod payloads;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
// Linked for its global allocator, so the benchmark allocates as `jobping` does.
use jobping as _;
use jobping_core::normalize::{normalize, posting_hash};
use jobping_core::{Job, Taxonomy};
use jobping_sources::adapters::parse;
use jobping_store::testing::TestDb;
use jobping_store::{Backend, Store, UpsertSummary};
use payloads::Payload;
use time::OffsetDateTime;
use tokio::sync::mpsc;

/// Jobs per upsert transaction, as in `ingest::board`.
const BATCH: usize = 1_000;

fn main() -> anyhow::Result<()> {
    let postings = env_usize("INGEST_BENCH_POSTINGS", 100_000)?;
    let threads = env_usize("INGEST_BENCH_THREADS", 2)?.max(1);
    let writers = env_usize("INGEST_BENCH_WRITERS", 4)?.max(1);
    let paragraphs = env_usize("INGEST_BENCH_PARAGRAPHS", 6)?;
    let payloads = Arc::new(payloads::pages(postings, paragraphs));
    let bytes: usize = payloads.iter().map(|p| p.body.len()).sum();
    println!(
        "ingest: {} pages, {:.1} MB of payloads ({paragraphs} description sections), {} cores, {threads} parse/normalize threads, \
         {writers} upserting tasks, batches of {BATCH}",
        payloads.len(),
        bytes as f64 / 1e6,
        std::thread::available_parallelism().map_or(1, |n| n.get()),
    );
    // Build the taxonomy before any clock starts, as the app does at its first scrape.
    Taxonomy::embedded();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the runtime")?;
    runtime.block_on(async {
        for backend in [Backend::Sqlite, Backend::Postgres] {
            let Some(db) = TestDb::new(backend).await else {
                println!("{:<8} skipped: database unreachable", backend.as_str());
                continue;
            };
            let store = db.store().await;
            let now = OffsetDateTime::now_utc();
            for (name, at) in [("first pass", now), ("re-scrape", now + time::Duration::hours(1))] {
                if name == "re-scrape" && backend == Backend::Postgres {
                    // Scrapes are hours apart, and autovacuum analyzes a table that has
                    // grown by a tenth within a minute: the re-scrape plans with the
                    // statistics it would have, not those of the empty tables.
                    db.execute("ANALYZE").await;
                }
                let figures = ingest(&store, &payloads, threads, writers, at).await?;
                println!("{:<8} {name:<10} {figures}", backend.as_str());
            }
        }
        anyhow::Ok(())
    })
}

/// What one pass over every payload did and how long it took.
#[derive(Default)]
struct Figures {
    wall: Duration,
    /// CPU time of the whole process (every thread, user and system) during the pass;
    /// steadier than the wall time on a shared machine.
    cpu: Duration,
    postings: usize,
    rejected: usize,
    /// Summed over the worker threads, so parse + normalize can exceed the wall time.
    parse: Duration,
    normalize: Duration,
    /// Time spent inside `upsert_scraped_jobs`, summed over the upserting tasks.
    upsert: Duration,
    /// Postings found stored unchanged (marked seen in the parse threads).
    skipped_unchanged: u64,
    summary: UpsertSummary,
}

impl std::fmt::Display for Figures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let secs = self.wall.as_secs_f64();
        let s = &self.summary;
        write!(
            f,
            "{} postings in {secs:.2} s = {:.0} postings/s ({:.0} µs of CPU each) | parse + unchanged look-up {:.2} s, normalize {:.2} s \
             (CPU, all threads), upsert {:.2} s | new {}, merged {}, updated {}, unchanged {} (not normalized again: {}), rejected {}",
            self.postings,
            self.postings as f64 / secs,
            self.cpu.as_secs_f64() * 1e6 / self.postings.max(1) as f64,
            self.parse.as_secs_f64(),
            self.normalize.as_secs_f64(),
            self.upsert.as_secs_f64(),
            s.inserted,
            s.merged,
            s.updated,
            s.unchanged + self.skipped_unchanged,
            self.skipped_unchanged,
            self.rejected,
        )
    }
}

/// One pass: worker threads parse and normalize pages into batches; this task upserts
/// each batch as soon as it is full.
async fn ingest(
    store: &Arc<dyn Store>,
    payloads: &Arc<Vec<Payload>>,
    threads: usize,
    writers: usize,
    now: OffsetDateTime,
) -> anyhow::Result<Figures> {
    let started = Instant::now();
    let cpu_before = process_cpu()?;
    let (tx, rx) = mpsc::channel::<Vec<(Job, String)>>(2 * threads);
    let runtime = tokio::runtime::Handle::current();
    let workers: Vec<_> = (0..threads)
        .map(|worker| {
            let tx = tx.clone();
            let payloads = Arc::clone(payloads);
            let store = Arc::clone(store);
            let runtime = runtime.clone();
            std::thread::spawn(move || prepare(&payloads, worker, threads, now, &store, &runtime, &tx))
        })
        .collect();
    drop(tx);

    // `writers` tasks take the batches as they come, as the boards `jobping scrape`
    // works on at once each upsert their own.
    let rx = Arc::new(tokio::sync::Mutex::new(rx));
    let upserters: Vec<_> = (0..writers)
        .map(|_| {
            let rx = Arc::clone(&rx);
            let store = Arc::clone(store);
            tokio::spawn(async move { upsert(&store, &rx, now).await })
        })
        .collect();
    let mut figures = Figures::default();
    for upserter in upserters {
        let done = upserter.await.context("an upserting task panicked")??;
        figures.summary += done.summary;
        figures.upsert += done.upsert;
    }
    for worker in workers {
        let done = worker
            .join()
            .map_err(|_| anyhow::anyhow!("a worker panicked"))??;
        figures.postings += done.postings;
        figures.rejected += done.rejected;
        figures.parse += done.parse;
        figures.normalize += done.normalize;
        figures.skipped_unchanged += done.skipped_unchanged;
    }
    figures.wall = started.elapsed();
    figures.cpu = process_cpu()?.saturating_sub(cpu_before);
    Ok(figures)
}

/// Upserts batches until the workers are done, with their postings' hashes.
async fn upsert(
    store: &Arc<dyn Store>,
    rx: &tokio::sync::Mutex<mpsc::Receiver<Vec<(Job, String)>>>,
    now: OffsetDateTime,
) -> anyhow::Result<Figures> {
    let mut figures = Figures::default();
    loop {
        let Some(batch) = rx.lock().await.recv().await else {
            return Ok(figures);
        };
        let upserting = Instant::now();
        // As `scrape_board` does: the jobs go to the store as they are, not copied.
        let (jobs, hashes): (Vec<Job>, Vec<String>) = batch.into_iter().unzip();
        figures.summary += store
            .upsert_scraped_jobs(&jobs, &hashes, now)
            .await
            .context("upserting a batch")?;
        figures.upsert += upserting.elapsed();
    }
}

/// Parses and normalizes every `threads`-th page starting at `worker`, sending full
/// batches to the upserting task. Hashing and the unchanged look-up count as parsing.
fn prepare(
    payloads: &[Payload],
    worker: usize,
    threads: usize,
    now: OffsetDateTime,
    store: &Arc<dyn Store>,
    runtime: &tokio::runtime::Handle,
    tx: &mpsc::Sender<Vec<(Job, String)>>,
) -> anyhow::Result<Figures> {
    let taxonomy = Taxonomy::embedded();
    let mut figures = Figures::default();
    let mut batch = Vec::with_capacity(BATCH);
    for payload in payloads.iter().skip(worker).step_by(threads) {
        let parsing = Instant::now();
        let page = parse(payload.kind, &payload.board, &payload.body, &payload.url)
            .with_context(|| format!("parsing {}", payload.url))?;
        figures.postings += page.postings.len() + page.skipped.len();
        figures.rejected += page.skipped.len();
        let hashes: Vec<(String, String)> = page
            .postings
            .iter()
            .map(|raw| (raw.external_id.trim().to_owned(), posting_hash(raw, taxonomy)))
            .collect();
        let unchanged: HashSet<String> = runtime
            .block_on(store.seen_unchanged(payload.kind.as_str(), payload.board.trim(), &hashes, now))
            .context("looking up unchanged postings")?
            .into_iter()
            .collect();
        figures.skipped_unchanged += unchanged.len() as u64;
        figures.parse += parsing.elapsed();

        for (raw, hash) in page.postings.iter().zip(hashes) {
            if unchanged.contains(&hash.0) {
                continue;
            }
            let normalizing = Instant::now();
            let normalized = normalize(raw, taxonomy, now);
            figures.normalize += normalizing.elapsed();
            match normalized {
                Ok(job) => batch.push((job, hash.1)),
                Err(_) => figures.rejected += 1,
            }
            if batch.len() == BATCH {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                tx.blocking_send(full).context("the upserting task stopped")?;
            }
        }
    }
    if !batch.is_empty() {
        tx.blocking_send(batch).context("the upserting task stopped")?;
    }
    Ok(figures)
}

/// CPU time this process has used so far, all threads, from `/proc/self/stat` (user and
/// system time, in clock ticks of 10 ms).
fn process_cpu() -> anyhow::Result<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").context("reading /proc/self/stat")?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    // utime and stime are fields 14 and 15 of the line; field 3, the state, is the first here.
    let ticks = |i: usize| -> anyhow::Result<u64> {
        fields
            .get(i)
            .context("/proc/self/stat is shorter than expected")?
            .parse()
            .context("a CPU time in /proc/self/stat is not a number")
    };
    Ok(Duration::from_millis((ticks(11)? + ticks(12)?) * 10))
}

fn env_usize(name: &str, default: usize) -> anyhow::Result<usize> {
    match std::env::var(name) {
        Ok(value) => value.parse().with_context(|| format!("{name} must be a number")),
        Err(_) => Ok(default),
    }
}
