#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::Parser;
use jobping::cli::{self, Cli};
use jobping::{Settings, telemetry};

fn main() -> ExitCode {
    // Every HTTPS client in the process (job boards, Stripe, Resend, the re-ranker)
    // is built without a TLS provider of its own; this is the one install, before any
    // of them exists. Without it reqwest panics when the first client is built.
    jobping::install_tls_provider();
    let cli = Cli::parse();
    // Settings are checked before anything starts, so a bad one stops us before a port
    // is bound or a database touched.
    let settings = match Settings::load(cli.config.as_deref(), &|name| std::env::var(name).ok()) {
        Ok(settings) => settings,
        Err(err) => {
            eprintln!("jobping: invalid setting: {err}");
            return ExitCode::from(2);
        }
    };
    telemetry::init_tracing();
    telemetry::log_panics();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("jobping: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(cli::run(cli.command, settings)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(error = format!("{err:#}"), "jobping stopped with an error");
            eprintln!("jobping: {err:#}");
            ExitCode::FAILURE
        }
    }
}
