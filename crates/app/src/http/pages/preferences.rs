//! `/preferences`: opened by a manage link from any email (which starts a session and
//! leaves the address bar clean), then read and saved within that session. A link that
//! arrives from another site asks before signing in, and signing out is a form: neither
//! a link on someone else's page can do.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::{CookieJar, Form, FormRejection};
use jobping_core::Tier;
use jobping_store::Subscriber;
use serde::Deserialize;

use super::form::{PrefsForm, PrefsInput};
use super::{Confirm, Message, PageError, bad_link, render, session};
use crate::journey::{self, JourneyError};
use crate::state::AppState;
use crate::tokens::Purpose;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/preferences", get(show).post(save))
        .route("/preferences/open", post(open))
        .route("/signout", get(sign_out_page).post(sign_out))
}

#[derive(Template)]
#[template(path = "preferences.html")]
struct PreferencesPage {
    email: String,
    form: PrefsForm,
    saved: bool,
}

#[derive(Debug, Deserialize)]
struct LinkQuery {
    token: Option<String>,
    saved: Option<String>,
}

/// Without a session: the page that asks for a new link.
fn signed_out() -> Response {
    Message::new(
        "Open your link first",
        &["To change your preferences, open the link at the bottom of any JobPing email. Lost it? We can send a new one."],
    )
    .action("/account/link", "Email me a link")
    .respond(StatusCode::UNAUTHORIZED)
}

async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    jar: CookieJar,
    Query(query): Query<LinkQuery>,
) -> Result<Response, PageError> {
    if let Some(token) = query.token {
        // A manage link: start a session and drop the token from the address bar. From
        // another site it could be someone else's link, sending this browser into their
        // account: ask first.
        return match journey::authorize(&state, &token, Purpose::Manage).await {
            Ok((_, subscriber)) if session::from_another_site(&state, &headers) => {
                Ok(confirm_open(&token, &subscriber))
            }
            Ok((_, subscriber)) => {
                let jar = session::start(&state, jar, subscriber.id);
                Ok((jar, Redirect::to("/preferences")).into_response())
            }
            Err(JourneyError::BadLink) => Ok(bad_link()),
            Err(err) => Err(err.into()),
        };
    }
    let Some(subscriber) = session::current(&state, &jar).await.map_err(JourneyError::from)? else {
        return Ok(signed_out());
    };
    let raw = journey::preferences(&state, subscriber.id).await?;
    let page = PreferencesPage {
        email: subscriber.email.to_string(),
        form: PrefsForm::new(&raw, &[], shows_exclusions(&subscriber)),
        saved: query.saved.is_some(),
    };
    Ok(render(&page, StatusCode::OK, true))
}

async fn save(
    State(state): State<AppState>,
    jar: CookieJar,
    input: Result<Form<PrefsInput>, axum_extra::extract::FormRejection>,
) -> Result<Response, PageError> {
    let Some(subscriber) = session::current(&state, &jar).await.map_err(JourneyError::from)? else {
        return Ok(signed_out());
    };
    let Ok(Form(input)) = input else {
        return Ok(
            Message::new("We could not read that form", &["Please send it again."])
                .action("/preferences", "Back to my preferences")
                .respond(StatusCode::BAD_REQUEST),
        );
    };
    let mut raw = input.to_raw();
    if !shows_exclusions(&subscriber) {
        // A free subscriber's form has no premium fields: keep what is stored.
        let stored = journey::preferences(&state, subscriber.id).await?;
        raw.excluded_companies = stored.excluded_companies;
        raw.salary_floor = stored.salary_floor;
    }
    match journey::update_preferences(&state, &subscriber, &raw).await {
        Ok(_) => Ok(Redirect::to("/preferences?saved=1").into_response()),
        Err(JourneyError::Invalid(errors)) => {
            let page = PreferencesPage {
                email: subscriber.email.to_string(),
                form: PrefsForm::new(&raw, &errors, shows_exclusions(&subscriber)),
                saved: false,
            };
            Ok(render(&page, StatusCode::UNPROCESSABLE_ENTITY, true))
        }
        Err(err) => Err(err.into()),
    }
}

/// Company exclusions are a premium filter.
fn shows_exclusions(subscriber: &Subscriber) -> bool {
    subscriber.tier == Tier::Premium
}

/// The page a manage link from another site shows: whose preferences it opens, and a
/// button that posts the token (a cross-site post is refused by the CSRF layer).
fn confirm_open(token: &str, subscriber: &Subscriber) -> Response {
    Confirm {
        title: "Open your preferences?".to_owned(),
        paragraphs: vec![
            format!(
                "This link signs this browser in to the JobPing preferences of {}.",
                subscriber.email
            ),
            "It was opened from another website. If that is not your address, or you did not mean to open it, close this page: nothing has changed.".to_owned(),
        ],
        action: "/preferences/open".to_owned(),
        fields: vec![("token".to_owned(), token.to_owned())],
        button: "Open my preferences".to_owned(),
        cancel: "Not now".to_owned(),
    }
    .respond(StatusCode::OK)
}

#[derive(Deserialize)]
struct OpenForm {
    token: String,
}

/// The confirmation's button: the manage token, posted from our own page.
async fn open(
    State(state): State<AppState>,
    jar: CookieJar,
    form: Result<Form<OpenForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Ok(Form(form)) = form else {
        return Ok(bad_link());
    };
    match journey::authorize(&state, &form.token, Purpose::Manage).await {
        Ok((_, subscriber)) => {
            let jar = session::start(&state, jar, subscriber.id);
            Ok((jar, Redirect::to("/preferences")).into_response())
        }
        Err(JourneyError::BadLink) => Ok(bad_link()),
        Err(err) => Err(err.into()),
    }
}

/// `GET /signout` changes nothing: it offers the button.
async fn sign_out_page() -> Response {
    Confirm {
        title: "Sign out?".to_owned(),
        paragraphs: vec!["This browser will no longer have access to your preferences until you open a link from one of your JobPing emails again.".to_owned()],
        action: "/signout".to_owned(),
        fields: Vec::new(),
        button: "Sign out".to_owned(),
        cancel: "Stay signed in".to_owned(),
    }
    .respond(StatusCode::OK)
}

async fn sign_out(jar: CookieJar) -> Response {
    let jar = session::end(jar);
    (
        jar,
        Message::new(
            "Signed out",
            &["This browser no longer has access to your preferences."],
        )
        .action("/", "Back to JobPing")
        .respond(StatusCode::OK),
    )
        .into_response()
}
