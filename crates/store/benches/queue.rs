//! Task-queue throughput: the full cycle enqueue → claim → complete, with several
//! concurrent workers sharing one store (as one process with a worker pool would), on
//! SQLite and on PostgreSQL.
//!
//! Each backend gets a fresh database from `TestDb`. After a warm-up, a few timed rounds
//! run; each worker repeats the cycle until the round's time is up. The figure printed
//! is the median round's rate in tasks per second, with the per-task latency (one whole
//! cycle, as one worker sees it) over all timed rounds.
//!
//! Run with `bench/queue` or `cargo bench -p jobping-store --bench queue`. Knobs, from the
//! environment: `QUEUE_BENCH_WORKERS` (default 4), `QUEUE_BENCH_ROUNDS` (5),
//! `QUEUE_BENCH_ROUND_SECS` (2), `QUEUE_BENCH_WARMUP_SECS` (1) and `QUEUE_BENCH_BACKENDS`
//! (`sqlite,postgres`). PostgreSQL comes from `TEST_DATABASE_URL` (default: the local
//! server) and is skipped with a note when it cannot be reached, unless `CI` is set.
//!
//! The figures move a lot with whatever else the machine is doing (PostgreSQL waits on
//! its WAL flush at every commit, SQLite on hand-offs between threads): compare runs made
//! on an otherwise idle machine.

use std::sync::Arc;
use std::time::{Duration, Instant};

use jobping_store::testing::TestDb;
use jobping_store::{Backend, NewTask, Store};
use serde_json::json;
use time::OffsetDateTime;

/// How long a claimed task's lease lasts: far longer than any cycle here, so no task is
/// ever requeued during the run.
const LEASE: time::Duration = time::Duration::minutes(5);

struct Settings {
    backends: Vec<Backend>,
    workers: usize,
    rounds: usize,
    round: Duration,
    warmup: Duration,
}

impl Settings {
    fn from_env() -> Self {
        fn var<T: std::str::FromStr>(name: &str, default: T) -> T {
            match std::env::var(name) {
                Ok(text) => text
                    .parse()
                    .unwrap_or_else(|_| panic!("{name}={text:?} is not a valid number")),
                Err(_) => default,
            }
        }
        let backends = std::env::var("QUEUE_BENCH_BACKENDS").unwrap_or_else(|_| "sqlite,postgres".into());
        let backends = backends
            .split(',')
            .filter(|name| !name.trim().is_empty())
            .map(|name| {
                Backend::from_url(&format!("{}:", name.trim()))
                    .unwrap_or_else(|| panic!("QUEUE_BENCH_BACKENDS: unknown backend {name:?}"))
            })
            .collect();
        Self {
            backends,
            workers: var("QUEUE_BENCH_WORKERS", 4usize).max(1),
            rounds: var("QUEUE_BENCH_ROUNDS", 5usize).max(1),
            round: Duration::from_secs_f64(var("QUEUE_BENCH_ROUND_SECS", 2.0f64)),
            warmup: Duration::from_secs_f64(var("QUEUE_BENCH_WARMUP_SECS", 1.0f64)),
        }
    }
}

/// How long one cycle and each of its calls took.
#[derive(Clone, Copy)]
struct Cycle {
    total: Duration,
    enqueue: Duration,
    /// Including any retries while nothing was claimable.
    claim: Duration,
    complete: Duration,
}

/// What one worker did in one round.
#[derive(Default)]
struct WorkerRun {
    cycles: Vec<Cycle>,
    /// Claims that found nothing to take (another worker held or had just taken the due
    /// tasks this one could see); the worker tried again.
    empty_claims: u64,
}

/// What all workers did in one round.
struct Round {
    tasks: usize,
    elapsed: Duration,
    cycles: Vec<Cycle>,
    empty_claims: u64,
}

impl Round {
    fn rate(&self) -> f64 {
        self.tasks as f64 / self.elapsed.as_secs_f64()
    }
}

/// One worker: enqueue a task, claim the oldest due one (retrying while none is visible),
/// complete it; again until `deadline`.
async fn worker(store: Arc<dyn Store>, name: String, deadline: Instant) -> WorkerRun {
    let mut run = WorkerRun::default();
    let mut seq = 0u64;
    while Instant::now() < deadline {
        let start = Instant::now();
        let now = OffsetDateTime::now_utc();
        let task = NewTask::new("bench", json!({ "worker": name, "seq": seq }), now);
        store
            .enqueue(&task)
            .await
            .expect("enqueueing a task")
            .expect("a task without a unique key is always queued");
        let enqueued = Instant::now();
        let claimed = loop {
            let now = OffsetDateTime::now_utc();
            match store
                .claim_task(&name, now + LEASE, now)
                .await
                .expect("claiming a task")
            {
                Some(claimed) => break claimed,
                None => {
                    run.empty_claims += 1;
                    tokio::task::yield_now().await;
                }
            }
        };
        let claimed_at = Instant::now();
        store
            .complete_task(&claimed, OffsetDateTime::now_utc())
            .await
            .expect("completing a task");
        let end = Instant::now();
        run.cycles.push(Cycle {
            total: end - start,
            enqueue: enqueued - start,
            claim: claimed_at - enqueued,
            complete: end - claimed_at,
        });
        seq += 1;
    }
    run
}

/// All workers at once, for `length`.
async fn round(store: &Arc<dyn Store>, workers: usize, length: Duration) -> Round {
    let start = Instant::now();
    let deadline = start + length;
    let handles: Vec<_> = (0..workers)
        .map(|i| tokio::spawn(worker(Arc::clone(store), format!("bench-worker-{i}"), deadline)))
        .collect();
    let mut cycles = Vec::new();
    let mut empty_claims = 0;
    for handle in handles {
        let run = handle.await.expect("a worker panicked");
        cycles.extend(run.cycles);
        empty_claims += run.empty_claims;
    }
    let elapsed = start.elapsed();
    Round {
        tasks: cycles.len(),
        elapsed,
        cycles,
        empty_claims,
    }
}

/// The value at quantile `q` (0..=1) of one part of the cycles, in milliseconds.
fn quantile_ms(cycles: &[Cycle], part: impl Fn(&Cycle) -> Duration, q: f64) -> f64 {
    let mut values: Vec<Duration> = cycles.iter().map(part).collect();
    if values.is_empty() {
        return 0.0;
    }
    values.sort_unstable();
    let index = ((values.len() - 1) as f64 * q).round() as usize;
    values[index].as_secs_f64() * 1_000.0
}

/// Benchmarks one backend; its median rate, or `None` when it was skipped.
async fn bench(backend: Backend, settings: &Settings) -> Option<f64> {
    let label = backend.as_str();
    let Some(db) = TestDb::new(backend).await else {
        println!("queue/{label}: skipped, PostgreSQL is unreachable (set TEST_DATABASE_URL)");
        return None;
    };
    // One store, shared by every worker, as in one process.
    let store = db.store().await;

    round(&store, settings.workers, settings.warmup).await;

    let mut rounds = Vec::with_capacity(settings.rounds);
    for i in 1..=settings.rounds {
        let result = round(&store, settings.workers, settings.round).await;
        println!(
            "queue/{label}: round {i}/{}: {} tasks in {:.2} s = {:.0} tasks/s ({} empty claims)",
            settings.rounds,
            result.tasks,
            result.elapsed.as_secs_f64(),
            result.rate(),
            result.empty_claims,
        );
        rounds.push(result);
    }

    let mut rates: Vec<f64> = rounds.iter().map(Round::rate).collect();
    rates.sort_by(f64::total_cmp);
    let median_rate = rates[rates.len() / 2];
    let cycles: Vec<Cycle> = rounds.iter().flat_map(|r| r.cycles.iter().copied()).collect();
    println!(
        "queue/{label}: latency per call, p50: enqueue {:.2} ms, claim {:.2} ms, complete {:.2} ms",
        quantile_ms(&cycles, |c| c.enqueue, 0.5),
        quantile_ms(&cycles, |c| c.claim, 0.5),
        quantile_ms(&cycles, |c| c.complete, 0.5),
    );
    println!(
        "queue/{label}: {median_rate:.0} tasks/s (median of {} rounds, min {:.0}, max {:.0}), {} workers; \
         latency per task (enqueue+claim+complete): p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms",
        rates.len(),
        rates[0],
        rates[rates.len() - 1],
        settings.workers,
        quantile_ms(&cycles, |c| c.total, 0.50),
        quantile_ms(&cycles, |c| c.total, 0.95),
        quantile_ms(&cycles, |c| c.total, 0.99),
    );

    // The store's pools go first; dropping `db` then drops a PostgreSQL database.
    drop(store);
    drop(db);
    Some(median_rate)
}

fn main() {
    // `cargo bench` passes `--bench` (and any filter); this harness takes no arguments.
    let settings = Settings::from_env();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("building the tokio runtime");
    let results = runtime.block_on(async {
        let mut results = Vec::new();
        for &backend in &settings.backends {
            results.push((backend, bench(backend, &settings).await));
        }
        results
    });
    let summary: Vec<String> = results
        .iter()
        .map(|(backend, rate)| match rate {
            Some(rate) => format!("{} {rate:.0} tasks/s", backend.as_str()),
            None => format!("{} skipped", backend.as_str()),
        })
        .collect();
    println!(
        "queue: enqueue+claim+complete with {} workers: {}",
        settings.workers,
        summary.join(", ")
    );
}
