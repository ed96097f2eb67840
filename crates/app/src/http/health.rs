//! Liveness (`/health`) and readiness (`/ready`). Anyone may ask whether the service is
//! ready; which dependency is down, the queue and the schedules are for operators (an
//! admin key with `read`, or the metrics listener).

use std::collections::BTreeMap;
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use jobping_store::QueueStats;
use serde::Serialize;
use time::OffsetDateTime;
use tokio::time::Instant;

use super::operator_read::{ReadAccess, read_access};
use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/ready", get(ready))
}

/// The process is up and answering; says nothing about its dependencies.
async fn health() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

#[derive(Serialize)]
struct Readiness {
    status: &'static str,
    checks: Checks,
}

#[derive(Serialize)]
struct Checks {
    database: Dependency,
    #[serde(skip_serializing_if = "Option::is_none")]
    redis: Option<Dependency>,
    queue: QueueCheck,
    schedules: BTreeMap<String, ScheduleCheck>,
}

#[derive(Serialize)]
struct Dependency {
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    backend: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    latency_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

impl Dependency {
    fn up(backend: Option<&'static str>, latency: Duration) -> Self {
        Self {
            status: "up",
            backend,
            latency_ms: Some(latency_ms(latency)),
            error: None,
        }
    }

    fn down(backend: Option<&'static str>, error: impl Into<String>) -> Self {
        Self {
            status: "down",
            backend,
            latency_ms: None,
            error: Some(error.into()),
        }
    }
}

#[derive(Serialize)]
struct QueueCheck {
    status: &'static str,
    #[serde(flatten)]
    stats: Option<QueueStats>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

#[derive(Serialize)]
struct ScheduleCheck {
    cron: String,
    enabled: bool,
    #[serde(with = "time::serde::rfc3339::option")]
    last_fired_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    last_success_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    last_failure_at: Option<OffsetDateTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_error: Option<String>,
}

/// The whole of `/ready` answers within this, whatever is down: a load balancer's probe
/// gives up after a few seconds, and the pool alone would wait 10 s per query for a
/// database it cannot reach.
const BUDGET: Duration = Duration::from_secs(2);

/// Why a check found its dependency down.
enum Failure {
    /// No answer before the budget ran out.
    TimedOut,
    Failed(anyhow::Error),
}

impl Failure {
    /// The reason shown to whoever reads `/ready`: never the internal details, which
    /// are logged instead.
    fn reason(&self, what: &str) -> String {
        match self {
            Self::TimedOut => format!("the {what} check got no answer within {} s", BUDGET.as_secs()),
            Self::Failed(_) => format!("the {what} check failed (the log has the cause)"),
        }
    }

    fn log(&self, what: &str) {
        match self {
            Self::TimedOut => {
                tracing::warn!(
                    budget_s = BUDGET.as_secs(),
                    "readiness: the {what} check timed out"
                )
            }
            Self::Failed(err) => {
                tracing::warn!(error = format!("{err:#}"), "readiness: the {what} check failed")
            }
        }
    }
}

/// Runs one check, giving up at `deadline`.
async fn within<T, E: Into<anyhow::Error>>(
    deadline: Instant,
    check: impl Future<Output = Result<T, E>>,
) -> Result<T, Failure> {
    match tokio::time::timeout_at(deadline, check).await {
        Ok(result) => result.map_err(|err| Failure::Failed(err.into())),
        Err(_) => Err(Failure::TimedOut),
    }
}

fn latency_ms(elapsed: Duration) -> f64 {
    (elapsed.as_secs_f64() * 1e5).round() / 100.0
}

async fn database_check(state: &AppState, deadline: Instant) -> Dependency {
    let backend = Some(state.store.backend().as_str());
    let started = Instant::now();
    match within(deadline, state.store.ping()).await {
        Ok(()) => Dependency::up(backend, started.elapsed()),
        Err(failure) => {
            failure.log("database");
            Dependency::down(backend, failure.reason("database"))
        }
    }
}

async fn redis_check(state: &AppState, deadline: Instant) -> Option<Dependency> {
    let redis = state.redis.as_ref()?;
    Some(match within(deadline, redis.ping()).await {
        Ok(latency) => Dependency::up(None, latency),
        Err(failure) => {
            failure.log("Redis");
            // Redis's own message, as before: refused, timed out or refused our password.
            let reason = match &failure {
                Failure::Failed(err) => format!("{err:#}"),
                Failure::TimedOut => failure.reason("Redis"),
            };
            Dependency::down(None, reason)
        }
    })
}

/// What `/ready` says to anyone: ready or not, nothing about why.
#[derive(Serialize)]
struct Status {
    status: &'static str,
}

fn status_word(healthy: bool) -> (StatusCode, &'static str) {
    if healthy {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "not_ready")
    }
}

/// `/ready` on the main listener: the bare status, or the details for a request with an
/// admin key that may read. A key that cannot be checked (the database is away) gets the
/// bare status: a probe must still hear "not ready" in time.
async fn ready(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let deadline = Instant::now() + BUDGET;
    if headers.contains_key(header::AUTHORIZATION) {
        match tokio::time::timeout_at(deadline, read_access(&state, &headers, "/ready's details")).await {
            Ok(ReadAccess::Granted) => return in_full(&state, deadline).await,
            Ok(ReadAccess::Refused(response)) => return response,
            Ok(ReadAccess::Unchecked(_)) | Err(_) => {}
        }
    }
    let (database, redis) = tokio::join!(database_check(&state, deadline), redis_check(&state, deadline));
    let healthy = database.status == "up" && redis.as_ref().is_none_or(|r| r.status == "up");
    let (status, word) = status_word(healthy);
    (status, Json(Status { status: word })).into_response()
}

/// `/ready` with every dependency's details, for the metrics listener.
pub(super) async fn ready_in_full(State(state): State<AppState>) -> Response {
    in_full(&state, Instant::now() + BUDGET).await
}

/// Ready when the database (and Redis, when configured) answers; 503 otherwise, with
/// one entry per dependency so an operator sees which. Every check runs at once, each
/// bounded by the same deadline.
async fn in_full(state: &AppState, deadline: Instant) -> Response {
    let now = OffsetDateTime::now_utc();
    let (database, redis, queue, history) = tokio::join!(
        database_check(state, deadline),
        redis_check(state, deadline),
        within(deadline, state.store.queue_stats(now)),
        within(deadline, state.store.schedules()),
    );
    let queue = match queue {
        Ok(stats) => QueueCheck {
            status: "up",
            stats: Some(stats),
            error: None,
        },
        Err(failure) => QueueCheck {
            status: "unknown",
            stats: None,
            error: Some(failure.reason("queue")),
        },
    };
    // Without the history each schedule is still listed, with no last run.
    let history = history.unwrap_or_default();
    let jobs = state
        .settings
        .schedules
        .iter()
        .map(|s| (s.name.clone(), s.expression.clone(), s.schedule.is_some()));
    // Each enabled source kind scrapes on its own schedule, fired as `scrape:KIND`.
    let scrapes = state.settings.sources.iter().filter(|s| s.enabled).map(|s| {
        (
            format!("scrape:{}", s.kind),
            s.schedule_expression.clone(),
            s.schedule.is_some(),
        )
    });
    let schedules = jobs
        .chain(scrapes)
        .map(|(name, cron, enabled)| {
            let past = history.iter().find(|h| h.name == name);
            let check = ScheduleCheck {
                cron,
                enabled,
                last_fired_at: past.and_then(|p| p.last_fired_at),
                last_success_at: past.and_then(|p| p.last_success_at),
                last_failure_at: past.and_then(|p| p.last_failure_at),
                last_error: past.and_then(|p| p.last_error.clone()),
            };
            (name, check)
        })
        .collect();
    let healthy = database.status == "up" && redis.as_ref().is_none_or(|r| r.status == "up");
    let (status, word) = status_word(healthy);
    let body = Readiness {
        status: word,
        checks: Checks {
            database,
            redis,
            queue,
            schedules,
        },
    };
    (status, Json(body)).into_response()
}
