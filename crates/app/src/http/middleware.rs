//! The layers around every route: request ids, tracing, metrics, limits, timeouts,
//! compression, security headers, errors explained, and a panic guard.

use std::any::Any;
use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

use super::problem::Problem;
use crate::settings::Settings;
use tower_http::csrf::CsrfLayer;

use crate::state::AppState;

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'";

/// Nothing JobPing serves needs these browser features, so no page (or anything injected
/// into one) may ask for them.
const PERMISSIONS_POLICY: &str =
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()";

/// Wraps the routes in the shared middleware.
pub(super) fn stack(routes: Router<AppState>, settings: &Settings) -> Router<AppState> {
    let x_request_id = HeaderName::from_static("x-request-id");
    // Cross-site form posts are refused (Sec-Fetch-Site / Origin, as browsers send them);
    // clients that send neither, such as mail apps' one-click unsubscribe and API
    // clients with tokens, pass. The public origin is trusted behind a proxy.
    let origin = settings.base_url.origin().ascii_serialization();
    let csrf = CsrfLayer::new()
        .add_trusted_origin(&origin)
        .unwrap_or_else(|_| CsrfLayer::new());
    let routes = routes.layer(csrf);
    let mut routes = routes.layer(
        ServiceBuilder::new()
            .layer(SetSensitiveRequestHeadersLayer::new([
                header::AUTHORIZATION,
                header::COOKIE,
            ]))
            .layer(SetRequestIdLayer::new(x_request_id.clone(), MakeRequestUuid))
            .layer(
                TraceLayer::new_for_http()
                    .make_span_with(request_span)
                    .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
            )
            .layer(PropagateRequestIdLayer::new(x_request_id))
            .layer(header_layer(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
            .layer(header_layer(header::X_FRAME_OPTIONS, "DENY"))
            .layer(header_layer(header::REFERRER_POLICY, "no-referrer"))
            .layer(header_layer(header::CONTENT_SECURITY_POLICY, CSP))
            .layer(header_layer(
                HeaderName::from_static("cross-origin-opener-policy"),
                "same-origin",
            ))
            .layer(header_layer(
                HeaderName::from_static("permissions-policy"),
                PERMISSIONS_POLICY,
            ))
            .layer(CompressionLayer::new())
            // Inside compression (it reads plain bodies) and outside everything that
            // answers with a bare status or plain text: timeout, body limit, CSRF.
            .layer(axum::middleware::from_fn_with_state(
                settings.http.body_limit_bytes,
                super::explain::errors,
            ))
            .layer(TimeoutLayer::with_status_code(
                StatusCode::SERVICE_UNAVAILABLE,
                settings.http.request_timeout,
            ))
            .layer(RequestBodyLimitLayer::new(settings.http.body_limit_bytes))
            .layer(CatchPanicLayer::custom(panic_response)),
    );
    // Browsers only honour HSTS over https, and sending it over http would be a lie.
    if settings.base_url.scheme() == "https" {
        routes = routes.layer(header_layer(
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        ));
    }
    routes
}

fn header_layer(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}

/// The span for one request: method, the matched route (never the raw path, which may
/// carry tokens) and the request id.
fn request_span(request: &Request<Body>) -> tracing::Span {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str);
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    tracing::info_span!("request", method = %request.method(), route, request_id)
}

/// Counts requests by route, method and status, and times them.
pub(super) async fn record_metrics(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let method = request.method().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("jobping_http_requests_total", "route" => route.clone(), "method" => method.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("jobping_http_request_duration_seconds", "route" => route, "method" => method)
        .record(started.elapsed().as_secs_f64());
    response
}

fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    tracing::error!(panic = %message, "a request handler panicked");
    Problem::internal().into_response()
}
