//! Liveness (`/health`) and readiness (`/ready`).

use std::collections::BTreeMap;
use std::time::Instant;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use jobping_store::QueueStats;
use serde::Serialize;
use time::OffsetDateTime;

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
    fn up(backend: Option<&'static str>, started: Instant) -> Self {
        let latency_ms = Some((started.elapsed().as_secs_f64() * 1e3 * 100.0).round() / 100.0);
        Self {
            status: "up",
            backend,
            latency_ms,
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

/// Ready when the database (and Redis, when configured) answers; 503 otherwise, with
/// one entry per dependency so an operator sees which.
async fn ready(State(state): State<AppState>) -> Response {
    let backend = Some(state.store.backend().as_str());
    let started = Instant::now();
    // A load balancer's probe gives up after a few seconds; answer before it does.
    let ping = tokio::time::timeout(std::time::Duration::from_secs(2), state.store.ping()).await;
    let database = match ping
        .map_err(|_| anyhow::anyhow!("timed out after 2 s"))
        .and_then(|r| r.map_err(anyhow::Error::from))
    {
        Ok(()) => Dependency::up(backend, started),
        Err(err) => {
            tracing::warn!(error = format!("{err:#}"), "readiness: database check failed");
            Dependency::down(backend, "the database did not answer")
        }
    };
    let redis = match &state.redis {
        None => None,
        Some(redis) => Some(match redis.ping().await {
            Ok(latency) => Dependency {
                latency_ms: Some((latency.as_secs_f64() * 1e5).round() / 100.0),
                ..Dependency::up(None, Instant::now())
            },
            Err(err) => {
                tracing::warn!(error = format!("{err:#}"), "readiness: Redis check failed");
                Dependency::down(None, format!("{err:#}"))
            }
        }),
    };
    let now = OffsetDateTime::now_utc();
    let queue = match state.store.queue_stats(now).await {
        Ok(stats) => QueueCheck {
            status: "up",
            stats: Some(stats),
        },
        Err(_) => QueueCheck {
            status: "unknown",
            stats: None,
        },
    };
    let history = state.store.schedules().await.unwrap_or_default();
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
    let body = Readiness {
        status: if healthy { "ready" } else { "unavailable" },
        checks: Checks {
            database,
            redis,
            queue,
            schedules,
        },
    };
    let status = if healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}
