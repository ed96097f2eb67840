//! Putting a process together: store, secret, listeners, worker and scheduler, and
//! taking it apart again on shutdown.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use jobping_mail::{DkimKey, DkimSettings, Mailer, MailerConfig, TransportConfig};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::limits::Limiter;
use crate::redis::RedisProbe;
use crate::scheduler::Scheduler;
use crate::settings::{MailTransport, Secret, Settings};
use crate::state::AppState;
use crate::tokens::Signer;
use crate::worker::{self, TaskRegistry};
use crate::{http, telemetry};

mod secret;

/// Opens the store (applying migrations), settles the signing secret and prepares the
/// mail folder: everything both `serve` and `worker` need.
pub async fn prepare(settings: Settings, tasks: TaskRegistry) -> anyhow::Result<AppState> {
    let store = jobping_store::connect(settings.database_url.expose())
        .await
        .context("opening the database (DATABASE_URL)")?;
    tracing::info!(backend = store.backend().as_str(), "database ready");

    let signing_secret = match &settings.secret {
        Some(secret) => secret.clone(),
        None => {
            let backend = store.backend();
            match secret::path_for(settings.database_url.expose(), backend) {
                None if backend == jobping_store::Backend::Postgres => secret::shared(store.as_ref()).await?,
                path => secret::settle(store.as_ref(), path.as_deref())
                    .await
                    .context("keeping the token-signing secret")?,
            }
        }
    };

    if let MailTransport::File(folder) = &settings.mail.transport
        && !folder.exists()
    {
        create_private_folder(folder)
            .with_context(|| format!("creating the mail folder {}", folder.display()))?;
    }
    if settings.mail.dkim_key.is_none() {
        tracing::warn!("JOBPING_DKIM_KEY is not set: outgoing mail will not be DKIM-signed");
    }
    let previous: Vec<&str> = settings.previous_secrets.iter().map(Secret::expose).collect();
    let signer = Signer::new(signing_secret.expose(), &previous);
    let mailer = Mailer::new(mail_config(&settings)?).context("setting up outgoing mail (JOBPING_MAIL)")?;
    let redis = match &settings.redis_url {
        Some(url) => Some(Arc::new(RedisProbe::new(url.expose()).context("REDIS_URL")?)),
        None => None,
    };
    // With Redis, every process shares one count; without, each counts its own.
    let limits = match &redis {
        Some(probe) => Limiter::redis(probe.clone(), &settings.limits.key_prefix),
        None => Limiter::in_process(),
    };
    let settings_stripe = settings.stripe.clone();
    Ok(AppState {
        store,
        settings: Arc::new(settings),
        redis,
        metrics: telemetry::prometheus(),
        tasks: Arc::new(tasks),
        signing_secret: Arc::new(signing_secret),
        signer: Arc::new(signer),
        mailer: Arc::new(mailer),
        limits: Arc::new(limits),
        job_index: Arc::new(crate::delivery::JobIndexCache::new(Duration::from_secs(300))),
        fetcher: Arc::default(),
        stripe: crate::billing::Stripe::from_settings(&settings_stripe)
            .context("setting up Stripe")?
            .map(Arc::new),
    })
}

/// Creates a folder (and missing parents) readable by JobPing's user alone (0700): the
/// outbox holds emails whose links work for weeks.
fn create_private_folder(folder: &std::path::Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(folder)?;
    #[cfg(unix)]
    std::fs::set_permissions(folder, std::os::unix::fs::PermissionsExt::from_mode(0o700))?;
    Ok(())
}

/// The mail crate's configuration from the settings.
fn mail_config(settings: &Settings) -> anyhow::Result<MailerConfig> {
    let transport = match &settings.mail.transport {
        MailTransport::File(folder) => TransportConfig::File(folder.clone()),
        MailTransport::Smtp(url) => TransportConfig::Smtp(url.clone()),
        MailTransport::Resend => TransportConfig::Resend {
            base_url: settings.mail.resend_base_url.clone(),
            api_key: settings
                .mail
                .resend_api_key
                .as_ref()
                .context("resend:// needs RESEND_API_KEY")?
                .expose()
                .to_owned(),
        },
    };
    let dkim = match &settings.mail.dkim_key {
        Some(path) => Some(DkimSettings {
            selector: settings.mail.dkim_selector.clone(),
            key: DkimKey::from_pem_file(path).context("JOBPING_DKIM_KEY")?,
        }),
        None => None,
    };
    Ok(MailerConfig {
        transport,
        from: settings.mail.from.clone(),
        dkim,
    })
}

/// A bound, ready-to-run `serve` process.
pub struct Application {
    state: AppState,
    listener: TcpListener,
    metrics_listener: Option<TcpListener>,
    with_worker: bool,
}

impl Application {
    /// Prepares the state and binds the listeners (port 0 picks a free port).
    pub async fn build(settings: Settings, tasks: TaskRegistry, with_worker: bool) -> anyhow::Result<Self> {
        let state = prepare(settings, tasks).await?;
        let bind = state.settings.bind;
        let listener = TcpListener::bind(bind)
            .await
            .with_context(|| format!("listening on {bind} (JOBPING_BIND)"))?;
        let metrics_listener = match state.settings.metrics_bind {
            Some(addr) => Some(
                TcpListener::bind(addr)
                    .await
                    .with_context(|| format!("listening on {addr} (JOBPING_METRICS_BIND)"))?,
            ),
            None => None,
        };
        Ok(Self {
            state,
            listener,
            metrics_listener,
            with_worker,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_listener.as_ref().and_then(|l| l.local_addr().ok())
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `cancel` fires, then stops taking requests, lets the ones in flight
    /// and the tasks in hand finish, and returns.
    pub async fn run_until(self, cancel: CancellationToken) -> anyhow::Result<()> {
        let address = self.local_addr();
        let background = TaskTracker::new();
        if self.with_worker {
            spawn_worker_and_scheduler(&background, &self.state, &cancel);
        }
        background.spawn(metrics_upkeep(self.state.clone(), cancel.clone()));
        if let Some(listener) = self.metrics_listener {
            let metrics_app = http::metrics::router().with_state(self.state.clone());
            background.spawn(http::serve::serve(listener, metrics_app, cancel.clone()));
        }
        tracing::info!(%address, worker = self.with_worker, "serving");
        let app = http::router(self.state.clone());
        http::serve::serve(self.listener, app, cancel.clone()).await;
        cancel.cancel();
        background.close();
        background.wait().await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// `jobping worker`: the worker and scheduler without HTTP.
pub async fn run_worker(state: AppState, cancel: CancellationToken) {
    let background = TaskTracker::new();
    spawn_worker_and_scheduler(&background, &state, &cancel);
    background.spawn(metrics_upkeep(state, cancel));
    background.close();
    background.wait().await;
}

fn spawn_worker_and_scheduler(background: &TaskTracker, state: &AppState, cancel: &CancellationToken) {
    background.spawn(worker::run(state.clone(), cancel.clone()));
    background.spawn(Scheduler::new(state.store.clone(), &state.settings).run(cancel.clone()));
}

/// The Prometheus exporter needs its histograms drained now and then.
async fn metrics_upkeep(state: AppState, cancel: CancellationToken) {
    loop {
        tokio::select! {
            () = cancel.cancelled() => break,
            () = tokio::time::sleep(Duration::from_secs(10)) => state.metrics.run_upkeep(),
        }
    }
}

/// Cancels `cancel` on SIGINT (Ctrl-C) or SIGTERM.
pub fn cancel_on_signal(cancel: CancellationToken) {
    tokio::spawn(async move {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        let terminate = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut signal) => {
                    signal.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let terminate = std::future::pending::<()>();
        tokio::select! {
            _ = ctrl_c => {}
            () = terminate => {}
        }
        tracing::info!("shutdown requested: finishing requests and tasks in hand");
        cancel.cancel();
    });
}
