//! Errors made by layers and extractors rather than by handlers (a body over the limit,
//! a cross-site form refused by the CSRF layer, the wrong content type, a path that is
//! not UTF-8, a method a route does not take, a timeout) come out as a bare status or
//! plain text. This turns each into `application/problem+json` with a `detail` naming
//! what is wrong, or, for a browser asking for a page, a page in the site's style.

use axum::body::to_bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_http::csrf::ProtectionError;

use super::pages::Message;
use super::problem::Problem;

/// The most of a plain-text error body read to quote it back.
const QUOTED_BODY_LIMIT: usize = 4096;

/// What the request said that the explanation needs.
struct Asked {
    method: Method,
    content_type: Option<String>,
    wants_page: bool,
}

impl Asked {
    fn of(request: &Request) -> Self {
        let headers = request.headers();
        let text = |name| {
            headers
                .get(name)
                .and_then(|v: &axum::http::HeaderValue| v.to_str().ok())
                .map(str::to_owned)
        };
        Self {
            method: request.method().clone(),
            content_type: text(header::CONTENT_TYPE),
            // Browsers ask for text/html on every navigation and form post; API clients
            // ask for JSON or anything.
            wants_page: text(header::ACCEPT).is_some_and(|accept| accept.contains("text/html")),
        }
    }
}

/// Explains an error response that does not explain itself. `body_limit` is the
/// configured request body limit, to name it in a 413.
pub(super) async fn errors(State(body_limit): State<usize>, request: Request, next: Next) -> Response {
    let asked = Asked::of(&request);
    let response = next.run(request).await;
    if !needs_explaining(&response) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = match to_bytes(body, QUOTED_BODY_LIMIT).await {
        Ok(bytes) => String::from_utf8_lossy(&bytes).trim().to_owned(),
        Err(_) => String::new(),
    };
    let cross_site = parts.extensions.get::<ProtectionError>().is_some();
    let (title, detail) = explanation(parts.status, cross_site, &text, &asked, body_limit);
    let mut explained = if asked.wants_page {
        page(parts.status, title, &detail, cross_site)
    } else {
        Problem::new(parts.status).detail(detail).into_response()
    };
    keep_headers(&parts.headers, explained.headers_mut());
    explained
}

/// An error with no body, or plain text: nothing a client can rely on.
fn needs_explaining(response: &Response) -> bool {
    if !(response.status().is_client_error() || response.status().is_server_error()) {
        return false;
    }
    match response.headers().get(header::CONTENT_TYPE) {
        None => true,
        Some(kind) => kind.to_str().is_ok_and(|kind| kind.starts_with("text/plain")),
    }
}

/// A title and a detail for `status`, quoting the layer's own words when it had any.
fn explanation(
    status: StatusCode,
    cross_site: bool,
    text: &str,
    asked: &Asked,
    body_limit: usize,
) -> (&'static str, String) {
    match status {
        StatusCode::FORBIDDEN if cross_site => (
            "This form came from another site",
            "Cross-site form submissions are refused: this request was sent from a page on another site \
             (Sec-Fetch-Site or Origin said so). Open JobPing itself and send the form from there."
                .to_owned(),
        ),
        StatusCode::PAYLOAD_TOO_LARGE => (
            "That was too much to send",
            format!("The request body is larger than the {body_limit} bytes this server accepts."),
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            let sent = asked.content_type.as_deref().map_or_else(
                || "This request had no Content-Type.".to_owned(),
                |kind| format!("This request's Content-Type was `{kind}`."),
            );
            let expected = if text.is_empty() {
                "This route does not take that kind of body.".to_owned()
            } else {
                sentence(text)
            };
            ("We could not read that form", format!("{expected} {sent}"))
        }
        StatusCode::BAD_REQUEST if text.contains("UTF-8") => (
            "This address is not valid",
            format!(
                "The address has a part that is not valid UTF-8 text once percent-decoded ({}).",
                text.trim_start_matches("Invalid URL: ")
            ),
        ),
        StatusCode::METHOD_NOT_ALLOWED => (
            "This address does not take that",
            format!("This address does not take {} requests.", asked.method),
        ),
        StatusCode::SERVICE_UNAVAILABLE if text.is_empty() => (
            "That took too long",
            "The request took too long to answer and was stopped. Nothing more will happen; please try again."
                .to_owned(),
        ),
        _ if !text.is_empty() => ("Something was wrong with that request", sentence(text)),
        _ => (
            "Something was wrong with that request",
            status.canonical_reason().unwrap_or("Error").to_owned() + ".",
        ),
    }
}

/// `text` as a sentence: a full stop at the end.
fn sentence(text: &str) -> String {
    if text.ends_with('.') {
        text.to_owned()
    } else {
        format!("{text}.")
    }
}

fn page(status: StatusCode, title: &str, detail: &str, cross_site: bool) -> Response {
    let message = Message::new(title, &[detail]);
    let message = if cross_site {
        message.action("/", "Go to JobPing")
    } else {
        message
    };
    message.respond(status)
}

/// Headers the original answer carried that still hold: `Allow` on a 405, `Retry-After`
/// on a 503.
fn keep_headers(from: &HeaderMap, to: &mut HeaderMap) {
    for name in [header::ALLOW, header::RETRY_AFTER] {
        if let Some(value) = from.get(&name) {
            to.insert(name, value.clone());
        }
    }
}
