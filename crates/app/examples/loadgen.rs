//! An open-loop load generator for `bench/web`: `--clients` connections that together
//! offer `--rate` requests per second, each client starting at a random offset so there
//! is no opening burst, and each request sent at its scheduled time whether or not the
//! server kept up (so a slow server shows as latency, not as a lower offered load).
//!
//! `cargo run --release -p jobping --example loadgen -- --url http://127.0.0.1:8080 \
//!     --path /signup --signup --rate 500 --clients 200 --seconds 20`

use std::time::{Duration, Instant};

struct Args {
    url: String,
    path: String,
    signup: bool,
    rate: f64,
    clients: usize,
    seconds: u64,
}

fn args() -> Args {
    let mut args = Args {
        url: "http://127.0.0.1:8080".into(),
        path: "/".into(),
        signup: false,
        rate: 500.0,
        clients: 200,
        seconds: 20,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--url" => args.url = value(),
            "--path" => args.path = value(),
            "--signup" => args.signup = true,
            "--rate" => args.rate = value().parse().expect("--rate is a number"),
            "--clients" => args.clients = value().parse().expect("--clients is a number"),
            "--seconds" => args.seconds = value().parse().expect("--seconds is a number"),
            other => panic!("unknown flag {other}"),
        }
    }
    args
}

fn signup_body(run: u64, client: usize, n: u64) -> String {
    format!(
        "email=load-{run}-{client}-{n}%40example.com&cities=berlin&cities=amsterdam&career_paths=data\
         &roles=Data+Analyst&entry_levels=graduate&entry_levels=entry&experience=none\
         &work_environments=hybrid&work_environments=remote&visa=eu&languages=en&languages=de\
         &skills=sql%2C+python&start_date=2026-09-01&consent=yes"
    )
}

#[tokio::main]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let args = args();
    let interval = Duration::from_secs_f64(args.clients as f64 / args.rate);
    let run = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let start = Instant::now() + Duration::from_millis(200);
    let end = start + Duration::from_secs(args.seconds);
    let mut tasks = Vec::new();
    for client in 0..args.clients {
        let url = format!("{}{}", args.url, args.path);
        let signup = args.signup;
        let offset = interval.mul_f64(rand::random::<f64>());
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::builder()
                .pool_max_idle_per_host(1)
                .http1_only()
                .build()
                .unwrap();
            let mut latencies = Vec::new();
            let mut errors = 0u64;
            let mut next = start + offset;
            let mut n = 0u64;
            while next < end {
                tokio::time::sleep_until(next.into()).await;
                let sent = Instant::now();
                let request = if signup {
                    http.post(&url)
                        .header("content-type", "application/x-www-form-urlencoded")
                        .body(signup_body(run, client, n))
                } else {
                    http.get(&url)
                };
                match request.send().await {
                    Ok(response) if response.status().is_success() => {
                        let _ = response.bytes().await;
                        latencies.push(sent.elapsed());
                    }
                    _ => errors += 1,
                }
                n += 1;
                next += interval;
            }
            (latencies, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for task in tasks {
        let (latencies, failed) = task.await.unwrap();
        all.extend(latencies);
        errors += failed;
    }
    all.sort();
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    println!(
        "{:.1} req/s answered, p50 {:.2}ms, p99 {:.2}ms, max {:.2}ms, {} errors ({} clients offering {}/s for {}s)",
        all.len() as f64 / args.seconds as f64,
        pct(0.50),
        pct(0.99),
        all.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0),
        errors,
        args.clients,
        args.rate,
        args.seconds
    );
}
