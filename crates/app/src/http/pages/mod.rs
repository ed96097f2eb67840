//! Server-rendered pages: usable without JavaScript, one module per resource. What they
//! share lives here: rendering, the error page, the preferences form and the session.

mod account;
mod billing;
mod feedback;
mod form;
mod info;
mod preferences;
mod session;
mod signup;
mod unsubscribe;

use std::sync::LazyLock;

use askama::Template;
use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

pub use self::form::PrefsForm;
use crate::journey::JourneyError;
use crate::state::AppState;

const STYLESHEET: &str = include_str!("../../../static/app.css");

/// Changes whenever the stylesheet does, so it can be cached for a year.
pub fn asset_version() -> &'static str {
    static VERSION: LazyLock<String> = LazyLock::new(|| {
        // FNV-1a: tiny, stable across builds, and plenty to tell two stylesheets apart.
        let hash = STYLESHEET.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        });
        format!("{hash:016x}")
    });
    &VERSION
}

/// Every page route.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/static/app.css", get(stylesheet))
        .merge(info::router())
        .merge(signup::router())
        .merge(preferences::router())
        .merge(unsubscribe::router())
        .merge(account::router())
        .merge(billing::router())
        .merge(feedback::router())
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        STYLESHEET,
    )
        .into_response()
}

/// A rendered page. Pages about one person are never cached by anyone.
pub(crate) fn render(template: &impl Template, status: StatusCode, private: bool) -> Response {
    match template.render() {
        Ok(html) => {
            let mut response = (status, axum::response::Html(html)).into_response();
            if private {
                response
                    .headers_mut()
                    .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            }
            response
        }
        Err(err) => {
            tracing::error!(error = %err, "a page failed to render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side.",
            )
                .into_response()
        }
    }
}

/// A page with a title, some paragraphs and at most one button.
#[derive(Template)]
#[template(path = "message.html")]
pub(crate) struct Message {
    pub title: String,
    pub paragraphs: Vec<String>,
    pub action: Option<(String, String)>,
}

impl Message {
    pub fn new(title: &str, paragraphs: &[&str]) -> Self {
        Self {
            title: title.to_owned(),
            paragraphs: paragraphs.iter().map(|p| (*p).to_owned()).collect(),
            action: None,
        }
    }

    pub fn action(mut self, href: &str, label: &str) -> Self {
        self.action = Some((href.to_owned(), label.to_owned()));
        self
    }

    pub fn respond(&self, status: StatusCode) -> Response {
        render(self, status, true)
    }
}

/// A page with a title, some paragraphs and one button that posts a form (with hidden
/// `fields`): for anything that changes state, which a link must never do.
#[derive(Template)]
#[template(path = "confirm.html")]
pub(crate) struct Confirm {
    pub title: String,
    pub paragraphs: Vec<String>,
    pub action: String,
    pub fields: Vec<(String, String)>,
    pub button: String,
    pub cancel: String,
}

impl Confirm {
    pub fn respond(&self, status: StatusCode) -> Response {
        render(self, status, true)
    }
}

/// A journey error as a page: a friendly explanation, never internal details.
pub(crate) struct PageError(pub JourneyError);

impl From<JourneyError> for PageError {
    fn from(err: JourneyError) -> Self {
        Self(err)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self.0 {
            JourneyError::BadLink => bad_link(),
            JourneyError::Invalid(errors) => {
                let lines: Vec<String> = errors
                    .iter()
                    .map(|e| format!("{}: {}", e.field, e.message))
                    .collect();
                let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
                Message::new("Please check what you entered", &refs).respond(StatusCode::UNPROCESSABLE_ENTITY)
            }
            JourneyError::Upstream(message) => Message::new(
                "We could not reach our payment provider",
                &[message.as_str(), "Nothing was charged or changed."],
            )
            .respond(StatusCode::BAD_GATEWAY),
            JourneyError::Unexpected(err) if jobping_store::is_unavailable(&err) => {
                tracing::warn!(
                    error = format!("{err:#}"),
                    "a page failed: the database is unavailable"
                );
                crate::http::problem::unavailable_response(
                    Message::new(
                        "We cannot reach our database just now",
                        &["Nothing was changed. Please try again in a minute."],
                    )
                    .respond(StatusCode::SERVICE_UNAVAILABLE),
                )
            }
            JourneyError::Unexpected(err) => {
                tracing::error!(error = format!("{err:#}"), "a page failed");
                Message::new(
                    "Something went wrong on our side",
                    &["It has been logged and we will look into it. Please try again in a few minutes."],
                )
                .respond(StatusCode::INTERNAL_SERVER_ERROR)
            }
        }
    }
}

/// The one answer for every link that cannot be used: it never says which check failed.
pub(crate) fn bad_link() -> Response {
    Message::new(
        "This link has expired or is not valid",
        &[
            "Links in JobPing emails are personal and expire: confirmation links after 24 hours, and each works once.",
            "Ask for a new one and it will arrive in a minute.",
        ],
    )
    .action("/account/link", "Email me a new link")
    .respond(StatusCode::BAD_REQUEST)
}

/// The answer when a client sent too many forms, or the limits cannot be checked.
pub(crate) fn too_many(refusal: crate::http::limit::Refusal) -> Response {
    let crate::http::limit::Refusal::Limited(verdict) = refusal else {
        return crate::http::limit::unavailable(
            Message::new(
                "Please try again in a moment",
                &["JobPing cannot check its limits just now, so forms are paused for a few seconds. Nothing was sent."],
            )
            .respond(StatusCode::SERVICE_UNAVAILABLE),
        );
    };
    let wait = verdict.retry_after.unwrap_or_default();
    let minutes = wait.as_secs().div_ceil(60).max(1);
    let text = format!("Please try again in {minutes} minute(s).");
    let mut response = Message::new(
        "Too many requests from your network",
        &[
            "To protect people's inboxes we limit how often a form can be sent.",
            &text,
        ],
    )
    .respond(StatusCode::TOO_MANY_REQUESTS);
    verdict.write_headers(response.headers_mut());
    response
}
