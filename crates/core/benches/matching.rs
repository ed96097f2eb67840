//! A full matching round: 10,000 subscribers over 100,000 active jobs, synthesized from
//! the evaluation set's vocabulary with a seeded generator. Prints the index build time,
//! the round's total time, per-subscriber p50 and p99, and peak memory (VmHWM).
//!
//! `cargo bench -p jobping-core --bench matching` (optional arguments: jobs subscribers).

// The benchmark reads the profiles and jobs, not the judgments.
#[allow(dead_code)]
#[path = "../examples/eval_data/mod.rs"]
mod eval_data;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use jobping_core::matching::{Feedback, IndexedJob, JobIndex, MatchConfig, SubscriberContext, Vote, rank};
use jobping_core::{CareerPath, JobLevel, Preferences, RawPreferences, Taxonomy};

/// splitmix64: small, seeded, good enough to spread synthetic data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() % 10_000) as f64 / 10_000.0 < p
    }
}

fn synth_jobs(set: &eval_data::EvalSet, taxonomy: &Taxonomy, count: usize, rng: &mut Rng) -> Vec<IndexedJob> {
    let paths: Vec<CareerPath> = CareerPath::ALL
        .iter()
        .copied()
        .filter(|p| *p != CareerPath::Unsure)
        .collect();
    (0..count)
        .map(|i| {
            let mut job = rng.pick(&set.jobs).clone();
            job.id = i as i64 + 1;
            job.active = true;
            let city = rng.pick(&taxonomy.cities);
            for location in &mut job.job.locations {
                location.country = Some(city.country.clone());
                if location.city.is_some() {
                    location.city = Some(city.slug.clone());
                }
            }
            job.job.level = *rng.pick(JobLevel::ALL);
            if rng.chance(0.5) {
                job.job.career_paths = vec![*rng.pick(&paths)];
            }
            job.job.company = format!("{} {}", job.job.company, rng.below(3_000));
            let age = Duration::from_secs(rng.below(35 * 86_400) as u64);
            job.job.posted_at = Some(set.now - age);
            job.first_seen_at = set.now - age;
            job.job.valid_through = None;
            job
        })
        .collect()
}

fn synth_subscribers(
    set: &eval_data::EvalSet,
    taxonomy: &Taxonomy,
    count: usize,
    rng: &mut Rng,
) -> Vec<Preferences> {
    let slugs: Vec<&str> = taxonomy.cities.iter().map(|c| c.slug.as_str()).collect();
    let paths = [
        "strategy",
        "finance",
        "sales",
        "marketing",
        "data",
        "operations",
        "product",
        "tech",
        "sustainability",
    ];
    let levels = ["internship", "graduate", "entry", "unsure"];
    let (experience, visas) = (
        ["none", "6m", "1y", "1-2y", "2y", "3y+"],
        ["eu", "eu_uk", "uk", "sponsorship", "student"],
    );
    let to_strings = |v: Vec<&str>| v.into_iter().map(str::to_owned).collect::<Vec<_>>();
    (0..count)
        .map(|_| {
            let (_, template, _) = rng.pick(&set.profiles);
            let mut raw: RawPreferences = template.clone();
            let mut cities: Vec<&str> = (0..1 + rng.below(3)).map(|_| *rng.pick(&slugs)).collect();
            cities.sort_unstable();
            cities.dedup();
            raw.cities = to_strings(cities);
            let mut chosen: Vec<&str> = (0..1 + rng.below(2)).map(|_| *rng.pick(&paths)).collect();
            chosen.sort_unstable();
            chosen.dedup();
            raw.career_paths = to_strings(chosen);
            raw.entry_levels = to_strings(vec![*rng.pick(&levels)]);
            raw.experience = Some(rng.pick(&experience).to_string());
            raw.visa = Some(rng.pick(&visas).to_string());
            raw.languages = to_strings(if rng.chance(0.5) {
                vec!["en"]
            } else {
                vec!["en", "de", "fr"]
            });
            raw.work_environments = to_strings(vec!["office", "hybrid", "remote"]);
            Preferences::parse(&raw, taxonomy).expect("synthetic preferences are valid")
        })
        .collect()
}

fn context(set: &eval_data::EvalSet, jobs: usize, rng: &mut Rng) -> SubscriberContext {
    let already_sent: HashSet<i64> = (0..20).map(|_| rng.below(jobs) as i64 + 1).collect();
    let feedback = if rng.chance(0.3) {
        (0..3)
            .map(|_| {
                let job = &rng.pick(&set.jobs).job;
                Feedback {
                    vote: if rng.chance(0.5) { Vote::Up } else { Vote::Down },
                    company: job.company.clone(),
                    career_paths: job.career_paths.clone(),
                    level: job.level,
                    title: job.title.clone(),
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    SubscriberContext {
        already_sent,
        feedback,
        now: set.now,
    }
}

/// CPU time this process has used (user + system), from /proc/self/stat; it shows
/// whether other work on the machine stretched the wall-clock figures.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces) start at field 3.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0) // USER_HZ is 100 on Linux
}

fn peak_memory_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let (job_count, subscriber_count) = (
        args.first().copied().unwrap_or(100_000),
        args.get(1).copied().unwrap_or(10_000),
    );
    let taxonomy = Taxonomy::embedded();
    let set = eval_data::EvalSet::load(taxonomy);
    let mut rng = Rng(0x5eed);
    let jobs = synth_jobs(&set, taxonomy, job_count, &mut rng);
    let subscribers = synth_subscribers(&set, taxonomy, subscriber_count, &mut rng);
    let contexts: Vec<SubscriberContext> = (0..subscriber_count)
        .map(|_| context(&set, job_count, &mut rng))
        .collect();

    let started = Instant::now();
    let mut index = JobIndex::new(jobs);
    let build = started.elapsed();
    let config = MatchConfig::default();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let cpu_before = cpu_seconds();
    let started = Instant::now();
    let chunk = subscriber_count.div_ceil(threads);
    let results: Vec<(Vec<Duration>, usize)> = std::thread::scope(|scope| {
        let handles: Vec<_> = subscribers
            .chunks(chunk)
            .zip(contexts.chunks(chunk))
            .map(|(prefs, ctxs)| {
                let (index, config) = (&index, &config);
                scope.spawn(move || {
                    let mut times = Vec::with_capacity(prefs.len());
                    let mut sent = 0;
                    for (p, ctx) in prefs.iter().zip(ctxs) {
                        let one = Instant::now();
                        sent += rank(p, index, ctx, config, taxonomy).len();
                        times.push(one.elapsed());
                    }
                    (times, sent)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a matching thread"))
            .collect()
    });
    let total = started.elapsed();
    let cpu = cpu_seconds()
        .zip(cpu_before)
        .map(|(after, before)| after - before);
    let mut times: Vec<Duration> = results.iter().flat_map(|(t, _)| t.iter().copied()).collect();
    let sent: usize = results.iter().map(|(_, s)| s).sum();
    times.sort_unstable();
    let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    println!("jobs: {job_count}, subscribers: {subscriber_count}, threads: {threads}");
    println!("index build: {:.2} s", build.as_secs_f64());
    println!(
        "round total: {:.2} s ({sent} matches, {:.1} per subscriber)",
        total.as_secs_f64(),
        sent as f64 / subscriber_count as f64
    );
    println!(
        "per subscriber: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        ms(at(0.5)),
        ms(at(0.99)),
        ms(at(1.0))
    );
    if let Some(cpu) = cpu {
        println!("round CPU time: {cpu:.2} s over {threads} threads");
    }
    // Incremental refresh: replace 1,000 jobs (new text, new city) and remove 1,000.
    let changed: Vec<IndexedJob> = (0..1_000)
        .map(|i| {
            let mut job = index.get(i + 1).expect("a synthetic job").clone();
            job.job.title = format!("{} (updated)", job.job.title);
            job.job.locations.rotate_left(1);
            job
        })
        .collect();
    let started = Instant::now();
    for job in changed {
        index.upsert(job);
    }
    for id in 1_001..=2_000 {
        index.remove(id);
    }
    let refresh = started.elapsed();
    println!(
        "refresh: 1,000 upserts + 1,000 removals in {:.1} ms ({:.1} µs each), version {}",
        ms(refresh),
        refresh.as_secs_f64() * 1e6 / 2_000.0,
        index.version()
    );
    match peak_memory_mib() {
        Some(mib) => println!("peak memory (VmHWM): {mib:.0} MiB"),
        None => println!("peak memory: /proc/self/status not readable"),
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
