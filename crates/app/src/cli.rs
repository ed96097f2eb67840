//! The `jobping` command line. Each subcommand is a function here; later ones (`scrape`,
//! `match`, `send-due`, …) join `Command` and `run`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use tokio_util::sync::CancellationToken;

use crate::commands;
use crate::ingest::RunStatus;
use crate::settings::Settings;
use crate::startup::{self, Application};
use crate::worker::TaskRegistry;

/// JobPing: early-career job alerts, in one binary.
#[derive(Debug, Parser)]
#[command(name = "jobping", version, about)]
pub struct Cli {
    /// Settings file (TOML); by default `jobping.toml` in the working folder, if present.
    #[arg(long, env = "JOBPING_CONFIG", global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web pages, API and webhooks, with the worker and scheduler unless told not to.
    Serve {
        /// Only serve HTTP; run `jobping worker` elsewhere for background work.
        #[arg(long)]
        no_worker: bool,
    },
    /// Run the worker and scheduler only (for scaling out).
    Worker,
    /// Bring the database schema up to date, then exit.
    Migrate,
    /// Print the effective settings, with every secret redacted.
    Config,
    /// Scrape every enabled source now (or only the kinds named) and print a summary.
    Scrape {
        /// Only this source kind (repeatable), e.g. `--source greenhouse`.
        #[arg(long = "source", value_name = "KIND")]
        sources: Vec<String>,
        /// Fetch even boards polled more recently than their source's minimum interval.
        #[arg(long)]
        force: bool,
    },
    /// Show each source board's status: enabled, last run and success, counts, last error, terms.
    Sources {
        /// One JSON object per line.
        #[arg(long)]
        json: bool,
    },
    /// Show what the next email would hold (scores and reasons), without sending anything.
    #[command(group = clap::ArgGroup::new("whose").required(true).args(["email", "preferences"]))]
    Match {
        /// A subscriber's address: their stored preferences.
        #[arg(long)]
        email: Option<String>,
        /// A preferences file (JSON, the shape in DESIGN.md).
        #[arg(long, value_name = "FILE")]
        preferences: Option<PathBuf>,
        /// How many jobs to show (default: the matching limit).
        #[arg(long)]
        limit: Option<usize>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Run one delivery round now: prepare and send every digest that is due.
    SendDue {
        /// Only show who is due and how many jobs each would get; write and send nothing.
        #[arg(long)]
        dry_run: bool,
        /// Run the round as if it were this moment (RFC 3339, e.g.
        /// `2026-12-10T08:00:00Z`): whose slot is open is judged at that time.
        #[arg(long, value_name = "RFC3339", value_parser = parse_as_of)]
        as_of: Option<chrono::DateTime<chrono::Utc>>,
    },
    /// Make a DKIM signing key and print the DNS record to publish.
    DkimKeygen {
        /// `rsa` (2048 bits, understood everywhere) or `ed25519`.
        #[arg(long, default_value = "rsa")]
        algorithm: String,
        /// Where to write the private key (never over an existing file).
        #[arg(long, value_name = "FILE", default_value = "dkim.pem")]
        out: PathBuf,
    },
    /// Print the SPF, DKIM and DMARC records the sending domain needs.
    DnsRecords,
    /// Check DNS records, the DKIM key, the mail transport and the public URL.
    Doctor,
    /// Measure the normalizer on recorded real postings against the hand labels.
    EvalNormalizer {
        /// The recorded payloads, one subfolder per source kind (default:
        /// `../shared/fixtures/real-2`).
        #[arg(value_name = "DIR")]
        payloads: Option<PathBuf>,
        /// Read the labels from this folder's `*.tsv` instead of the shipped ones.
        #[arg(long, value_name = "DIR")]
        labels: Option<PathBuf>,
        /// Also list every posting this field gets wrong (e.g. `--mistakes city`).
        #[arg(long, value_name = "FIELD")]
        mistakes: Option<String>,
    },
    /// Stored jobs.
    Jobs {
        #[command(subcommand)]
        command: JobsCommand,
    },
    /// Operators' admin API keys: create (printed once), list, revoke.
    AdminKey {
        #[command(subcommand)]
        command: AdminKeyCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum AdminKeyCommand {
    /// Creates a key and prints it once.
    Create {
        /// A name for the key, shown in the audit log (`admin:NAME`).
        #[arg(long)]
        name: String,
        /// What the key may do: read, write, subscribers (repeat, or comma-separated).
        /// Default: read.
        #[arg(long = "scope", value_name = "SCOPE")]
        scopes: Vec<String>,
    },
    /// Lists the keys: names, scopes and times, never the keys.
    List {
        /// One JSON object per key.
        #[arg(long)]
        json: bool,
    },
    /// Revokes a key by name or id; it stops working at once, console sessions too.
    Revoke {
        #[arg(value_name = "NAME-OR-ID")]
        key: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum JobsCommand {
    /// List stored jobs, normalized.
    List {
        /// Only jobs in this city (a slug such as `berlin`).
        #[arg(long)]
        city: Option<String>,
        /// Only jobs on this career path (e.g. `data`).
        #[arg(long)]
        career_path: Option<String>,
        /// Only internships, graduate, entry-level and junior jobs.
        #[arg(long)]
        early_career: bool,
        /// Include inactive jobs.
        #[arg(long)]
        all: bool,
        /// One JSON object per line.
        #[arg(long)]
        json: bool,
    },
}

/// `--as-of`: an RFC 3339 time, with its offset, as UTC.
fn parse_as_of(value: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    chrono::DateTime::parse_from_rfc3339(value)
        .map(|time| time.with_timezone(&chrono::Utc))
        .map_err(|err| format!("`{value}` is not an RFC 3339 time such as 2026-12-10T08:00:00Z ({err})"))
}

/// Runs one command to its end.
pub async fn run(command: Command, settings: Settings) -> anyhow::Result<()> {
    match command {
        Command::Serve { no_worker } => {
            let app = Application::build(settings, TaskRegistry::builtin(), !no_worker).await?;
            let cancel = CancellationToken::new();
            startup::cancel_on_signal(cancel.clone());
            app.run_until(cancel).await
        }
        Command::Worker => {
            let state = startup::prepare(settings, TaskRegistry::builtin()).await?;
            let cancel = CancellationToken::new();
            startup::cancel_on_signal(cancel.clone());
            startup::run_worker(state, cancel).await;
            Ok(())
        }
        Command::Migrate => {
            let store = jobping_store::connect(settings.database_url.expose()).await?;
            println!("The {} database schema is up to date.", store.backend().as_str());
            Ok(())
        }
        Command::Config => {
            print!("{}", settings.redacted_toml());
            Ok(())
        }
        Command::Scrape { sources, force } => {
            let state = startup::prepare(settings, TaskRegistry::builtin()).await?;
            let reports = commands::scrape::run(&state, &sources, force).await?;
            // A run where every board failed is a failed command, for scripts and cron.
            let all_failed = !reports.is_empty() && reports.iter().all(|r| r.status == RunStatus::Failed);
            anyhow::ensure!(!all_failed, "every source failed");
            Ok(())
        }
        Command::Sources { json } => {
            let state = startup::prepare(settings, TaskRegistry::builtin()).await?;
            commands::sources::run(&state, json).await
        }
        Command::Match {
            email,
            preferences,
            limit,
            json,
        } => {
            let target = match (email, preferences) {
                (Some(email), _) => commands::matches::Target::Email(email),
                (None, Some(path)) => commands::matches::Target::PreferencesFile(path),
                (None, None) => anyhow::bail!("give --email or --preferences"),
            };
            let state = startup::prepare(settings, TaskRegistry::builtin()).await?;
            commands::matches::run(&state, &target, limit, json)
                .await
                .map(|_| ())
        }
        Command::SendDue { dry_run, as_of } => {
            let state = startup::prepare(settings, TaskRegistry::builtin()).await?;
            let as_of = as_of.unwrap_or_else(chrono::Utc::now);
            commands::send_due::run(&state, dry_run, as_of).await.map(|_| ())
        }
        Command::DkimKeygen { algorithm, out } => {
            let algorithm = match algorithm.as_str() {
                "rsa" => jobping_mail::dkim::KeyAlgorithm::Rsa2048,
                "ed25519" => jobping_mail::dkim::KeyAlgorithm::Ed25519,
                other => anyhow::bail!("--algorithm: `{other}` is not rsa or ed25519"),
            };
            commands::mail_tools::dkim_keygen(&settings, algorithm, &out)
        }
        Command::DnsRecords => commands::mail_tools::dns_records(&settings),
        Command::Doctor => {
            let findings = commands::mail_tools::doctor(&settings, None).await?;
            let missing = findings
                .iter()
                .filter(|f| f.verdict == commands::mail_tools::Verdict::Fail)
                .count();
            anyhow::ensure!(
                missing == 0,
                "{missing} thing(s) missing before mail can be delivered well"
            );
            Ok(())
        }
        Command::EvalNormalizer {
            payloads,
            labels,
            mistakes,
        } => {
            let report = jobping_sources::evaluation::run(&jobping_sources::evaluation::Options {
                payloads,
                labels,
                mistakes,
            })?;
            print!("{report}");
            Ok(())
        }
        Command::Jobs {
            command:
                JobsCommand::List {
                    city,
                    career_path,
                    early_career,
                    all,
                    json,
                },
        } => {
            let state = startup::prepare(settings, TaskRegistry::builtin()).await?;
            let filter = commands::jobs::Filter {
                city,
                career_path,
                early_career,
                all,
            };
            commands::jobs::list(&state, &filter, json).await.map(|_| ())
        }
        Command::AdminKey { command } => {
            let state = startup::prepare(settings, TaskRegistry::builtin()).await?;
            match command {
                AdminKeyCommand::Create { name, scopes } => {
                    commands::admin_key::create(&state, &name, &scopes)
                        .await
                        .map(|_| ())
                }
                AdminKeyCommand::List { json } => commands::admin_key::list(&state, json).await,
                AdminKeyCommand::Revoke { key } => commands::admin_key::revoke(&state, &key).await,
            }
        }
    }
}
