//! The admin JSON API under `/api/v1/admin`: `Authorization: Bearer <admin key>`.
//! Missing, unknown or revoked key: 401; a key without the scope: 403; no key
//! configured at all: 503. Every change and every subscriber look-up is audited.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use jobping_core::EmailAddress;
use jobping_store::NewTask;
use serde::Deserialize;
use serde_json::json;
use time::OffsetDateTime;
use utoipa::OpenApi;

use crate::http::problem::{FieldError, Problem};
use crate::operators::{self, AuthError, Operator, Scope, switches};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/admin/stats", get(stats))
        .route("/api/v1/admin/switches", get(list_switches))
        .route("/api/v1/admin/switches/{name}", put(set_switch))
        .route("/api/v1/admin/rounds/scrape", post(trigger_scrape))
        .route("/api/v1/admin/rounds/delivery", post(trigger_delivery))
        .route("/api/v1/admin/subscribers", get(look_up))
        .route("/api/v1/admin/audit", get(audit_log))
}

/// Why an admin call did not succeed.
#[derive(Debug)]
pub(super) enum AdminError {
    Auth(AuthError),
    Forbidden(Scope),
    Invalid(Vec<FieldError>),
    NotFound(&'static str),
    Unexpected(anyhow::Error),
}

impl From<AuthError> for AdminError {
    fn from(err: AuthError) -> Self {
        match err {
            AuthError::Unexpected(err) => Self::Unexpected(err),
            other => Self::Auth(other),
        }
    }
}

fn unexpected(err: impl Into<anyhow::Error>) -> AdminError {
    AdminError::Unexpected(err.into())
}

fn invalid(field: &str, message: impl Into<String>) -> AdminError {
    AdminError::Invalid(vec![FieldError {
        field: field.to_owned(),
        message: message.into(),
    }])
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        match self {
            Self::Auth(AuthError::Disabled) => Problem::new(StatusCode::SERVICE_UNAVAILABLE)
                .detail(
                    "The admin API is disabled: set JOBPING_ADMIN_KEY or create a key with `jobping admin-key create`.",
                )
                .into_response(),
            Self::Auth(_) => {
                let mut response = Problem::new(StatusCode::UNAUTHORIZED)
                    .detail("Send a valid admin key as `Authorization: Bearer <key>`; this one is missing, unknown or revoked.")
                    .into_response();
                response
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
                response
            }
            Self::Forbidden(scope) => Problem::new(StatusCode::FORBIDDEN)
                .detail(format!("This admin key lacks the `{}` scope.", scope.as_str()))
                .into_response(),
            Self::Invalid(errors) => {
                let mut problem = Problem::new(StatusCode::UNPROCESSABLE_ENTITY).detail("Some fields are wrong.");
                problem.errors = errors;
                problem.into_response()
            }
            Self::NotFound(what) => Problem::new(StatusCode::NOT_FOUND).detail(what).into_response(),
            Self::Unexpected(err) => crate::http::problem::failure(&err, "an admin API call"),
        }
    }
}

/// A request from an authenticated operator (scope checked by the handler).
pub(super) struct AdminAuth(pub Operator);

impl FromRequestParts<AppState> for AdminAuth {
    type Rejection = AdminError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AdminError> {
        let presented = crate::http::operator_read::presented_key(&parts.headers);
        let operator = operators::authenticate(state, presented, OffsetDateTime::now_utc()).await?;
        Ok(Self(operator))
    }
}

impl AdminAuth {
    fn require(self, scope: Scope) -> Result<Operator, AdminError> {
        if self.0.can(scope) {
            Ok(self.0)
        } else {
            Err(AdminError::Forbidden(scope))
        }
    }
}

/// The dashboard's figures, with the queue, the sources and the switches.
#[utoipa::path(get, path = "/api/v1/admin/stats", tag = "admin", security(("bearer" = [])),
    responses((status = 200, description = "Counts over the last 30 days, queue, sources and switches"),
        (status = 401, description = "No valid admin key"), (status = 403, description = "Lacks the `read` scope")))]
async fn stats(State(state): State<AppState>, auth: AdminAuth) -> Result<Response, AdminError> {
    auth.require(Scope::Read)?;
    let now = OffsetDateTime::now_utc();
    let figures = state.store.operator_stats(now).await.map_err(unexpected)?;
    let queue = state.store.queue_stats(now).await.map_err(unexpected)?;
    let sources = state.store.source_statuses().await.map_err(unexpected)?;
    let switches = switches::list(&state).await.map_err(unexpected)?;
    let sources: Vec<_> = sources
        .iter()
        .map(|s| {
            json!({
                "name": s.state.name,
                "kind": s.state.kind,
                "last_polled_at": s.state.last_polled_at.map(|t| t.unix_timestamp()),
                "last_success_at": s.state.last_success_at.map(|t| t.unix_timestamp()),
                "last_error": s.state.last_error,
                "last_status": s.last_run.as_ref().map(|r| r.status.clone()),
                "active_jobs": s.active_jobs,
            })
        })
        .collect();
    Ok(Json(json!({
        "stats": figures,
        "rates": {
            "matches_per_email": figures.matches_per_email(),
            "click_through": figures.click_through_rate(),
            "thumbs_up": figures.thumbs_up_rate(),
        },
        "queue": {
            "pending": queue.pending,
            "due": queue.due,
            "running": queue.running,
            "dead": queue.dead,
            "oldest_due_age_seconds": queue.oldest_due_age_seconds,
        },
        "sources": sources,
        "switches": switches,
    }))
    .into_response())
}

/// Every kill switch and its state (on unless switched off).
#[utoipa::path(get, path = "/api/v1/admin/switches", tag = "admin", security(("bearer" = [])),
    responses((status = 200, description = "The switches"), (status = 401, description = "No valid admin key")))]
async fn list_switches(State(state): State<AppState>, auth: AdminAuth) -> Result<Response, AdminError> {
    auth.require(Scope::Read)?;
    let switches = switches::list(&state).await.map_err(unexpected)?;
    Ok(Json(json!({ "switches": switches })).into_response())
}

/// `{"enabled": false}` switches work off.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SwitchChange {
    pub enabled: bool,
}

/// Turns a switch on or off (audited as `admin.switch_set`).
#[utoipa::path(put, path = "/api/v1/admin/switches/{name}", tag = "admin", security(("bearer" = [])),
    params(("name" = String, Path, description = "sending, sending:<tier>, scraping, scraping:<source kind> or reranking")),
    request_body = SwitchChange,
    responses((status = 200, description = "The switch as set"), (status = 403, description = "Lacks the `write` scope"),
        (status = 422, description = "Unknown switch or bad body")))]
async fn set_switch(
    State(state): State<AppState>,
    auth: AdminAuth,
    Path(name): Path<String>,
    body: Result<Json<SwitchChange>, JsonRejection>,
) -> Result<Response, AdminError> {
    let operator = auth.require(Scope::Write)?;
    switches::validate(&name).map_err(|err| invalid("name", err))?;
    let Json(change) = body.map_err(|err| invalid("enabled", err.body_text()))?;
    apply_switch(&state, &operator, &name, change.enabled).await?;
    Ok(Json(json!({ "name": name, "enabled": change.enabled })).into_response())
}

/// Sets a switch and audits it; shared with the console's form.
pub(super) async fn apply_switch(
    state: &AppState,
    operator: &Operator,
    name: &str,
    enabled: bool,
) -> Result<(), AdminError> {
    state
        .store
        .set_switch(name, enabled, &operator.actor(), OffsetDateTime::now_utc())
        .await
        .map_err(unexpected)?;
    operators::audit(
        state,
        operator,
        "admin.switch_set",
        None,
        json!({ "switch": name, "enabled": enabled }),
    )
    .await
    .map_err(unexpected)?;
    tracing::info!(switch = %name, enabled, actor = %operator.actor(), "switch set");
    Ok(())
}

/// `{"source": "greenhouse"}` scrapes one source kind; no body or `{}` scrapes all.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct TriggerScrape {
    pub source: Option<String>,
}

/// Queues a scrape round, as the schedule would (audited as `admin.scrape_triggered`).
#[utoipa::path(post, path = "/api/v1/admin/rounds/scrape", tag = "admin", security(("bearer" = [])),
    request_body = TriggerScrape,
    responses((status = 202, description = "Queued; the answer names the task"), (status = 403, description = "Lacks the `write` scope"),
        (status = 422, description = "No such source configured")))]
async fn trigger_scrape(
    State(state): State<AppState>,
    auth: AdminAuth,
    body: Result<Option<Json<TriggerScrape>>, JsonRejection>,
) -> Result<Response, AdminError> {
    let operator = auth.require(Scope::Write)?;
    let body = body.map_err(|err| invalid("source", err.body_text()))?;
    let request = body.map(|Json(b)| b).unwrap_or_default();
    if let Some(kind) = &request.source
        && !state.settings.sources.iter().any(|s| s.kind.as_str() == kind)
    {
        return Err(invalid(
            "source",
            format!("no source of kind `{kind}` is configured"),
        ));
    }
    let task = NewTask::new(
        "scrape",
        json!({ "kind": request.source }),
        OffsetDateTime::now_utc(),
    )
    .max_attempts(state.settings.queue.max_attempts);
    let id = state.store.enqueue(&task).await.map_err(unexpected)?;
    operators::audit(
        &state,
        &operator,
        "admin.scrape_triggered",
        None,
        json!({ "source": request.source }),
    )
    .await
    .map_err(unexpected)?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "task_id": id, "kind": "scrape" })),
    )
        .into_response())
}

/// Queues a delivery round, as the schedule would (audited as `admin.delivery_triggered`).
#[utoipa::path(post, path = "/api/v1/admin/rounds/delivery", tag = "admin", security(("bearer" = [])),
    responses((status = 202, description = "Queued; the answer names the task"), (status = 403, description = "Lacks the `write` scope")))]
async fn trigger_delivery(State(state): State<AppState>, auth: AdminAuth) -> Result<Response, AdminError> {
    let operator = auth.require(Scope::Write)?;
    let task = NewTask::new(crate::delivery::ROUND, json!({}), OffsetDateTime::now_utc())
        .max_attempts(state.settings.queue.max_attempts);
    let id = state.store.enqueue(&task).await.map_err(unexpected)?;
    operators::audit(&state, &operator, "admin.delivery_triggered", None, json!({}))
        .await
        .map_err(unexpected)?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "task_id": id, "kind": crate::delivery::ROUND })),
    )
        .into_response())
}

#[derive(Debug, Deserialize)]
struct LookUp {
    email: Option<String>,
}

/// A subscriber by email address: status, tier, times and emails sent. Every look-up is
/// audited as `admin.subscriber_lookup`, with the address's hash only.
#[utoipa::path(get, path = "/api/v1/admin/subscribers", tag = "admin", security(("bearer" = [])),
    params(("email" = String, Query, description = "The address to look up")),
    responses((status = 200, description = "The subscriber"), (status = 403, description = "Lacks the `subscribers` scope"),
        (status = 404, description = "No subscriber has this address"), (status = 400, description = "No or a bad address")))]
async fn look_up(
    State(state): State<AppState>,
    auth: AdminAuth,
    query: Result<Query<LookUp>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, AdminError> {
    let operator = auth.require(Scope::Subscribers)?;
    let raw = query.ok().and_then(|Query(q)| q.email).unwrap_or_default();
    let email = EmailAddress::parse(raw.trim()).map_err(|err| invalid("email", err.to_string()))?;
    let found = state
        .store
        .subscriber_by_email(&email)
        .await
        .map_err(unexpected)?;
    operators::audit(
        &state,
        &operator,
        "admin.subscriber_lookup",
        Some(state.signer.audit_hash(&email)),
        json!({ "found": found.is_some() }),
    )
    .await
    .map_err(unexpected)?;
    let Some(subscriber) = found else {
        return Err(AdminError::NotFound("No subscriber has this address."));
    };
    let sent = state
        .store
        .sent_deliveries(subscriber.id)
        .await
        .map_err(unexpected)?;
    let rfc = |t: Option<OffsetDateTime>| {
        t.and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
    };
    Ok(Json(json!({
        "id": subscriber.id,
        "status": subscriber.status.as_str(),
        "tier": subscriber.tier.as_str(),
        "created_at": rfc(Some(subscriber.created_at)),
        "verified_at": rfc(subscriber.verified_at),
        "unsubscribed_at": rfc(subscriber.unsubscribed_at),
        "deliveries_sent": sent,
    }))
    .into_response())
}

#[derive(Debug, Deserialize)]
struct AuditQuery {
    before: Option<i64>,
    limit: Option<u32>,
}

/// The audit log, newest first, a page at a time: pass `next_before` as `before`.
#[utoipa::path(get, path = "/api/v1/admin/audit", tag = "admin", security(("bearer" = [])),
    params(("before" = Option<i64>, Query, description = "Entries older than this id"),
        ("limit" = Option<u32>, Query, description = "1 to 200, default 50")),
    responses((status = 200, description = "A page of entries and `next_before`"), (status = 400, description = "Bad paging")))]
async fn audit_log(
    State(state): State<AppState>,
    auth: AdminAuth,
    query: Result<Query<AuditQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, AdminError> {
    auth.require(Scope::Read)?;
    let Query(query) = query.map_err(|err| invalid("before", err.body_text()))?;
    let limit = query.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(invalid("limit", "must be 1 to 200"));
    }
    let entries = state
        .store
        .audit_page(query.before, limit)
        .await
        .map_err(unexpected)?;
    let next_before = (entries.len() == limit as usize)
        .then(|| entries.last().map(|e| e.id))
        .flatten();
    Ok(Json(json!({ "entries": entries, "next_before": next_before })).into_response())
}

/// The admin part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    paths(stats, list_switches, set_switch, trigger_scrape, trigger_delivery, look_up, audit_log),
    components(schemas(SwitchChange, TriggerScrape)),
    tags((name = "admin", description = "Operators: `Authorization: Bearer <admin key>`. Scopes: read, write, subscribers."))
)]
pub struct AdminApiDoc;
