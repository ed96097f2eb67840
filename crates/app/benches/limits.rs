//! The limiter's added latency with 2,000 clients at once: each of 2,000 concurrent
//! tasks (one per connection) asks the limiter about its own key, over and over, and
//! every call is timed. In-process (governor) and through Redis on loopback (the GCRA
//! script). Targets: p99 under 1 ms in-process, under 2 ms with Redis.
//!
//! Each runs twice: paced (every client checks LIMITS_BENCH_RATE times a second, 10 by
//! default: 20,000 checks/s in all, more than the HTTP server serves on 2 cores) and
//! saturated (every client in a closed loop, which measures queueing at the limiter's
//! throughput rather than its added latency at a load).
//!
//! `bench/limits` runs it; LIMITS_BENCH_CLIENTS, LIMITS_BENCH_CHECKS (per client),
//! LIMITS_BENCH_RATE and REDIS_URL (default redis://127.0.0.1:6379) tune it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use jobping::limits::{Limiter, Quota};
use jobping::redis::RedisProbe;

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `rate`: checks per second per client, or 0 for as fast as each client can go (a
/// closed loop that measures the limiter at saturation rather than at a load).
async fn run(name: &str, limiter: Arc<Limiter>, clients: usize, checks: usize, rate: u64) {
    // Enough to be allowed most of the time, small enough that some are refused.
    let quota = Quota::new((checks as u32 * 3 / 4).max(1), Duration::from_secs(900));
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(clients);
    for client in 0..clients {
        let limiter = limiter.clone();
        tasks.push(tokio::spawn(async move {
            let key = format!("198.51.{}.{}", client / 256, client % 256);
            let mut times = Vec::with_capacity(checks);
            let mut refused = 0_usize;
            let mut failed = 0_usize;
            let mut pace = (rate > 0).then(|| {
                let period = Duration::from_micros(1_000_000 / rate);
                // Clients start spread over one period, as connections would.
                let offset = period.mul_f64((client as f64 * 0.618_033_988_7).fract());
                let mut interval = tokio::time::interval_at(tokio::time::Instant::now() + offset, period);
                interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                interval
            });
            for _ in 0..checks {
                if let Some(pace) = pace.as_mut() {
                    pace.tick().await;
                }
                let at = Instant::now();
                match limiter.check("bench", &key, quota).await {
                    Ok(verdict) if !verdict.allowed() => refused += 1,
                    Ok(_) => {}
                    Err(_) => failed += 1,
                }
                times.push(at.elapsed());
            }
            (times, refused, failed)
        }));
    }
    let mut all = Vec::with_capacity(clients * checks);
    let (mut refused, mut failed) = (0, 0);
    for task in tasks {
        let (times, r, f) = task.await.expect("a bench task");
        all.extend(times);
        refused += r;
        failed += f;
    }
    let wall = started.elapsed();
    all.sort();
    let at = |q: f64| all[((all.len() as f64 * q) as usize).min(all.len() - 1)];
    let ms = |d: Duration| d.as_secs_f64() * 1_000.0;
    let load = if rate == 0 {
        "as fast as possible".to_owned()
    } else {
        format!("{rate}/s each, {} checks/s offered", rate * clients as u64)
    };
    println!(
        "{name:<11} {clients} concurrent clients x {checks} checks ({load}): p50 {:.3} ms, p99 {:.3} ms, p99.9 {:.3} ms, max {:.3} ms; {:.0} checks/s; {refused} refused, {failed} failed",
        ms(at(0.50)),
        ms(at(0.99)),
        ms(at(0.999)),
        ms(*all.last().unwrap_or(&Duration::ZERO)),
        all.len() as f64 / wall.as_secs_f64()
    );
}

fn main() {
    let clients = env_number("LIMITS_BENCH_CLIENTS", 2_000);
    let checks = env_number("LIMITS_BENCH_CHECKS", 50);
    let rate = env_number("LIMITS_BENCH_RATE", 10) as u64;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(async {
        for rate in [rate, 0] {
            run(
                "in-process",
                Arc::new(Limiter::in_process()),
                clients,
                checks,
                rate,
            )
            .await;
        }
        let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
        let probe = match RedisProbe::new(&url) {
            Ok(probe) => Arc::new(probe),
            Err(err) => {
                println!("redis       skipped: {err:#}");
                return;
            }
        };
        if let Err(err) = probe.ping().await {
            println!("redis       skipped: Redis at {url} does not answer: {err:#}");
            return;
        }
        for rate in [rate, 0] {
            let prefix = format!("bench:{}:{rate}:", std::process::id());
            run(
                "redis",
                Arc::new(Limiter::redis(probe.clone(), &prefix)),
                clients,
                checks,
                rate,
            )
            .await;
        }
    });
}
