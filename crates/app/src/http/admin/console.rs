//! The `/admin` console: a login form taking an admin key, then a dashboard. The session
//! is a cookie holding a signed, expiring token bound to the key, so revoking the key
//! (or changing `JOBPING_ADMIN_KEY`) ends it. Forms are guarded like every other form
//! (the CSRF layer refuses cross-site posts) and the cookie is `SameSite=Strict`.

use std::net::IpAddr;

use anyhow::Context as _;
use askama::Template;
use axum::Extension;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use jobping_store::{NewAuditEntry, OperatorStats, QueueStats, SourceStatus};
use serde::Deserialize;
use serde_json::json;
use time::OffsetDateTime;

use super::api::{AdminError, apply_switch};
use super::charts;
use crate::http::pages::{Message, render};
use crate::limits::{ClientIp, limit_key};
use crate::operators::{self, AuthError, Operator, Scope, switches};
use crate::state::AppState;
use crate::tokens::Purpose;

/// The console session cookie's name.
pub const COOKIE: &str = "jobping_admin";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(show))
        .route("/admin/login", post(login))
        .route("/admin/logout", post(logout))
        .route("/admin/switches", post(flip))
}

#[derive(Template)]
#[template(path = "admin_login.html")]
struct LoginPage {
    error: Option<String>,
}

fn login_page(status: StatusCode, error: Option<&str>) -> Response {
    render(
        &LoginPage {
            error: error.map(str::to_owned),
        },
        status,
        true,
    )
}

/// The operator this browser's console session stands for, if it is still valid.
async fn current(state: &AppState, jar: &CookieJar) -> Result<Option<Operator>, AuthError> {
    match jar.get(COOKIE) {
        Some(cookie) => operators::session_operator(state, cookie.value(), OffsetDateTime::now_utc()).await,
        None => Ok(None),
    }
}

fn failed(err: impl Into<anyhow::Error>) -> Response {
    AdminError::Unexpected(err.into()).into_response()
}

async fn show(State(state): State<AppState>, jar: CookieJar) -> Response {
    match current(&state, &jar).await {
        // The dashboard is statistics and the audit log: reading, as in the API.
        Ok(Some(operator)) if !operator.can(Scope::Read) => lacks_read(&operator),
        Ok(Some(operator)) => match dashboard(&state, &operator).await {
            Ok(page) => render(&page, StatusCode::OK, true),
            Err(err) => failed(err),
        },
        Ok(None) => match operators::enabled(&state).await {
            Ok(true) => login_page(StatusCode::OK, None),
            Ok(false) => login_page(
                StatusCode::SERVICE_UNAVAILABLE,
                Some(
                    "The admin console is disabled: set JOBPING_ADMIN_KEY or create a key with `jobping admin-key create`.",
                ),
            ),
            Err(err) => failed(err),
        },
        Err(err) => failed(anyhow::anyhow!(err)),
    }
}

/// The console for a key that may not read: a page saying so, with the sign-in form to
/// use another key.
fn lacks_read(operator: &Operator) -> Response {
    render(
        &LoginPage {
            error: Some(format!(
                "The key \u{201c}{}\u{201d} lacks the read scope, which the console needs to show statistics and the audit log. Sign in with a key that has it.",
                operator.name
            )),
        },
        StatusCode::FORBIDDEN,
        true,
    )
}

#[derive(Deserialize)]
struct LoginForm {
    key: String,
}

async fn login(
    State(state): State<AppState>,
    client: Option<Extension<ClientIp>>,
    jar: CookieJar,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return login_page(StatusCode::BAD_REQUEST, Some("Enter your admin key."));
    };
    let now = OffsetDateTime::now_utc();
    match operators::authenticate(&state, Some(&form.key), now).await {
        Ok(operator) => {
            if let Err(err) = operators::audit(&state, &operator, "admin.login", None, json!({})).await {
                return failed(err);
            }
            let token = operators::keys::session_token(&state, &operator, now);
            let cookie = Cookie::build((COOKIE, token))
                .path("/admin")
                .http_only(true)
                .same_site(SameSite::Strict)
                .secure(state.settings.base_url.scheme() == "https")
                .max_age(time::Duration::seconds(
                    Purpose::AdminSession.lifetime().whole_seconds(),
                ))
                .build();
            (jar.add(cookie), Redirect::to("/admin")).into_response()
        }
        Err(AuthError::Disabled) => login_page(
            StatusCode::SERVICE_UNAVAILABLE,
            Some(
                "The admin console is disabled: set JOBPING_ADMIN_KEY or create a key with `jobping admin-key create`.",
            ),
        ),
        Err(AuthError::Unauthenticated) => {
            if let Err(err) = audit_failed_login(&state, client.map(|c| c.0.0), now).await {
                return failed(err);
            }
            login_page(
                StatusCode::UNAUTHORIZED,
                Some("That key is not valid: it is unknown or has been revoked."),
            )
        }
        Err(AuthError::Unexpected(err)) => failed(err),
    }
}

/// Records a sign-in with a key that is not valid, so guessing shows in the audit log:
/// who tried is unknown, so the client's network (as the rate limits count it) stands
/// in, and the presented key is never kept.
async fn audit_failed_login(
    state: &AppState,
    client: Option<IpAddr>,
    now: OffsetDateTime,
) -> anyhow::Result<()> {
    let network = client.map(|ip| limit_key(ip, state.settings.limits.ipv6_prefix));
    state
        .store
        .append_audit(&NewAuditEntry {
            at: now,
            actor: "admin:unknown".to_owned(),
            action: "admin.login_failed".to_owned(),
            target_hash: None,
            detail: json!({ "client": network }),
        })
        .await
        .context("recording a failed console sign-in")?;
    Ok(())
}

async fn logout(jar: CookieJar) -> Response {
    (
        jar.remove(Cookie::build(COOKIE).path("/admin").build()),
        Redirect::to("/admin"),
    )
        .into_response()
}

#[derive(Deserialize)]
struct FlipForm {
    name: String,
    enabled: String,
}

async fn flip(
    State(state): State<AppState>,
    jar: CookieJar,
    form: Result<Form<FlipForm>, FormRejection>,
) -> Response {
    let operator = match current(&state, &jar).await {
        Ok(Some(operator)) => operator,
        Ok(None) => {
            return login_page(
                StatusCode::UNAUTHORIZED,
                Some("Your session has ended: sign in again."),
            );
        }
        Err(err) => return failed(anyhow::anyhow!(err)),
    };
    if !operator.can(Scope::Write) {
        return AdminError::Forbidden(Scope::Write).into_response();
    }
    let not_changed = |status: StatusCode, why: &str| {
        Message::new("The switch was not changed", &[why])
            .action("/admin#switches", "Back to the dashboard")
            .respond(status)
    };
    let Ok(Form(form)) = form else {
        return not_changed(
            StatusCode::BAD_REQUEST,
            "The form needs a switch name and enabled=on or off.",
        );
    };
    if let Err(err) = switches::validate(&form.name) {
        return not_changed(StatusCode::UNPROCESSABLE_ENTITY, &err);
    }
    let enabled = match form.enabled.as_str() {
        "on" => true,
        "off" => false,
        _ => return not_changed(StatusCode::UNPROCESSABLE_ENTITY, "enabled must be on or off."),
    };
    match apply_switch(&state, &operator, &form.name, enabled).await {
        Ok(()) => Redirect::to("/admin#switches").into_response(),
        Err(err) => err.into_response(),
    }
}

/// A named figure for a table row.
struct Row {
    name: String,
    count: u64,
}

struct SourceRow {
    name: String,
    status: String,
    last_success: String,
    error: String,
    active_jobs: u64,
}

#[derive(Template)]
#[template(path = "admin.html")]
struct Dashboard {
    operator: String,
    can_write: bool,
    stats: OperatorStats,
    subscribers: Vec<(String, String, u64)>,
    signups_chart: String,
    signups_total: u64,
    verifications_chart: String,
    verifications_total: u64,
    sent: u64,
    matches_per_email: String,
    click_through: String,
    thumbs_up: String,
    score_chart: String,
    score_rows: Vec<Row>,
    source_chart: String,
    city_chart: String,
    path_chart: String,
    sources: Vec<SourceRow>,
    queue: QueueStats,
    oldest_due: String,
    switches: Vec<switches::SwitchView>,
    audit: Vec<(String, String, String, String)>,
}

fn percent(rate: f64) -> String {
    format!("{:.1}%", rate * 100.0)
}

fn when(at: Option<OffsetDateTime>) -> String {
    at.map(|t| format!("{} {:02}:{:02} UTC", t.date(), t.hour(), t.minute()))
        .unwrap_or_else(|| "never".to_owned())
}

fn pairs(rows: &[jobping_store::NamedCount]) -> Vec<(String, u64)> {
    rows.iter().map(|r| (r.name.clone(), r.count)).collect()
}

fn source_row(status: &SourceStatus) -> SourceRow {
    SourceRow {
        name: status.state.name.clone(),
        status: status
            .last_run
            .as_ref()
            .map_or_else(|| "never ran".to_owned(), |run| run.status.clone()),
        last_success: when(status.state.last_success_at),
        error: status.state.last_error.clone().unwrap_or_default(),
        active_jobs: status.active_jobs,
    }
}

async fn dashboard(state: &AppState, operator: &Operator) -> anyhow::Result<Dashboard> {
    let now = OffsetDateTime::now_utc();
    let stats = state.store.operator_stats(now).await?;
    let queue = state.store.queue_stats(now).await?;
    let sources = state.store.source_statuses().await?;
    let switches = switches::list(state).await?;
    let audit = state.store.audit_page(None, 20).await?;
    let signups: Vec<u64> = stats.signups_per_day.iter().map(|d| d.count).collect();
    let verifications: Vec<u64> = stats.verifications_per_day.iter().map(|d| d.count).collect();
    let score_rows: Vec<Row> = stats
        .score_bands
        .iter()
        .enumerate()
        .map(|(i, n)| Row {
            name: format!("{}–{}", i * 10, if i == 9 { 100 } else { i * 10 + 9 }),
            count: *n,
        })
        .collect();
    let score_pairs: Vec<(String, u64)> = score_rows.iter().map(|r| (r.name.clone(), r.count)).collect();
    Ok(Dashboard {
        operator: operator.name.clone(),
        can_write: operator.can(Scope::Write),
        subscribers: stats
            .subscribers
            .iter()
            .map(|c| (c.status.clone(), c.tier.clone(), c.count))
            .collect(),
        signups_total: signups.iter().sum(),
        signups_chart: charts::columns("Signups per day over the last 30 days", &signups),
        verifications_total: verifications.iter().sum(),
        verifications_chart: charts::columns("Verifications per day over the last 30 days", &verifications),
        sent: stats.sent(),
        matches_per_email: format!("{:.1}", stats.matches_per_email()),
        click_through: percent(stats.click_through_rate()),
        thumbs_up: percent(stats.thumbs_up_rate()),
        score_chart: charts::bars("Scores of emailed jobs, by band", &score_pairs),
        score_rows,
        source_chart: charts::bars("Active jobs by source", &pairs(&stats.jobs_by_source)),
        city_chart: charts::bars("Active jobs by city", &pairs(&stats.jobs_by_city)),
        path_chart: charts::bars("Active jobs by career path", &pairs(&stats.jobs_by_career_path)),
        sources: sources.iter().map(source_row).collect(),
        oldest_due: queue
            .oldest_due_age_seconds
            .map_or_else(|| "none waiting".to_owned(), |s| format!("{s:.0} s")),
        queue,
        switches,
        audit: audit
            .into_iter()
            .map(|e| {
                (
                    when(Some(e.at)),
                    e.actor,
                    e.action,
                    e.target_hash
                        .map(|h| h.chars().take(12).collect())
                        .unwrap_or_default(),
                )
            })
            .collect(),
        stats,
    })
}
