//! Where the rate limits apply: the client's address for every request, the paths limited
//! as a whole (the admin API and console per client), webhook requests whose signature
//! does not verify (per client; the webhooks ask after checking), and the forms that make
//! JobPing send email (per client and per target address). The subscriber API is limited
//! per subscriber and tier in its token extractor. Client addresses are counted by
//! [`limit_key`]: IPv6 by its network prefix.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use jobping_core::EmailAddress;

use super::problem::Problem;
use crate::limits::{ClientIp, UNAVAILABLE_RETRY_AFTER, Unavailable, Verdict, client_ip, limit_key};
use crate::state::AppState;

/// Why a request may not go on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Limited(Verdict),
    /// The shared limiter is down: refused rather than let through (fail closed).
    Unavailable,
}

impl From<Unavailable> for Refusal {
    fn from(_: Unavailable) -> Self {
        Self::Unavailable
    }
}

impl Refusal {
    /// A problem+json answer: 429 with the limit's headers, or 503.
    pub fn problem(&self, what: &str) -> Response {
        match self {
            Self::Limited(verdict) => {
                let mut response = Problem::new(StatusCode::TOO_MANY_REQUESTS)
                    .detail(format!(
                        "Too many requests: {what} is limited to {}. Try again in {} second(s).",
                        verdict.policy(),
                        verdict.retry_after_secs()
                    ))
                    .into_response();
                verdict.write_headers(response.headers_mut());
                response
            }
            Self::Unavailable => unavailable(
                Problem::new(StatusCode::SERVICE_UNAVAILABLE)
                    .detail("JobPing cannot check its rate limits just now, so this is refused for a moment. Please try again shortly.")
                    .into_response(),
            ),
        }
    }
}

/// Adds `Retry-After` to a 503 made because the limiter is down.
pub fn unavailable(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(UNAVAILABLE_RETRY_AFTER));
    response
}

/// Finds the client's address once per request (the socket's peer, or what a trusted
/// proxy says) and leaves it in the request's extensions.
pub async fn client_address(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |info| info.0.ip());
    let ip = client_ip(peer, request.headers(), &state.settings.limits.trusted_proxies);
    request.extensions_mut().insert(ClientIp(ip));
    next.run(request).await
}

/// Limits whole paths: the admin API and console, per client. Webhooks are not limited
/// here: a signed event must never wait behind someone else's traffic, so they check the
/// signature first and then ask [`unsigned_webhook`].
pub async fn paths(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let limits = &state.settings.limits;
    let path = request.uri().path();
    if !(path == "/admin" || path.starts_with("/admin/") || path.starts_with("/api/v1/admin")) {
        return next.run(request).await;
    }
    let ip = request
        .extensions()
        .get::<ClientIp>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0);
    let what = "the admin area";
    let key = limit_key(ip, limits.ipv6_prefix);
    match state.limits.check("admin", &key, limits.admin).await {
        Ok(verdict) if verdict.allowed() => {
            let mut response = next.run(request).await;
            verdict.write_headers(response.headers_mut());
            response
        }
        Ok(verdict) => Refusal::Limited(verdict).problem(what),
        Err(down) => Refusal::from(down).problem(what),
    }
}

/// Answers a request to webhook `source` whose signature did not verify: `refused` (the
/// 4xx saying why) while this client has allowance left for such requests, 429 after.
/// Each client counts on its own, so no one can use up another's allowance, and events
/// that verify are never counted.
pub async fn unsigned_webhook(state: &AppState, source: &str, client: IpAddr, refused: Response) -> Response {
    let limits = &state.settings.limits;
    let key = format!("{source}:{}", limit_key(client, limits.ipv6_prefix));
    let what = "this webhook, for requests without a valid signature,";
    match state.limits.check("webhook_unsigned", &key, limits.webhook).await {
        Ok(verdict) if verdict.allowed() => {
            let mut refused = refused;
            verdict.write_headers(refused.headers_mut());
            refused
        }
        Ok(verdict) => Refusal::Limited(verdict).problem(what),
        Err(down) => Refusal::from(down).problem(what),
    }
}

/// Counts one submission of a form that sends email: per client address, and per target
/// address when there is one (so a stranger's inbox cannot be flooded from many
/// networks).
pub async fn form(state: &AppState, ip: IpAddr, address: Option<&str>) -> Result<(), Refusal> {
    let limits = &state.settings.limits;
    let verdict = state
        .limits
        .check("form_ip", &limit_key(ip, limits.ipv6_prefix), limits.form_ip)
        .await?;
    if !verdict.allowed() {
        return Err(Refusal::Limited(verdict));
    }
    if let Some(address) = address.and_then(|a| EmailAddress::parse(a).ok()) {
        let verdict = state
            .limits
            .check("form_address", &address.hashed(), limits.form_address)
            .await?;
        if !verdict.allowed() {
            return Err(Refusal::Limited(verdict));
        }
    }
    Ok(())
}
