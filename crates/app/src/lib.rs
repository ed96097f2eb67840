//! JobPing's application: HTTP routes, the worker and scheduler, and the CLI, wired to
//! the store. `main.rs` only parses the command line and calls in here.
#![forbid(unsafe_code)]

pub mod billing;
pub mod cli;
pub mod commands;
pub mod delivery;
pub mod http;
pub mod ingest;
pub mod journey;
pub mod limits;
pub mod operators;
pub mod redis;
pub mod rerank;
pub mod scheduler;
pub mod settings;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod tokens;
pub mod worker;

/// Every binary linking the application allocates with mimalloc: parsing and
/// normalizing postings makes and drops millions of short strings on several threads,
/// where glibc's malloc cost about a sixth of all instructions (`bench/ingest`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Installs ring as the process's rustls crypto provider. `main` calls it first thing;
/// tests that build the application in-process call it themselves. A second call (or
/// one after another part installed the same provider) changes nothing.
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

pub use settings::Settings;
pub use startup::Application;
pub use state::AppState;
