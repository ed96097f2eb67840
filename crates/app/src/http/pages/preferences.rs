//! `/preferences`: opened by a manage link from any email (which starts a session and
//! leaves the address bar clean), then read and saved within that session.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum_extra::extract::{CookieJar, Form};
use jobping_core::Tier;
use jobping_store::Subscriber;
use serde::Deserialize;

use super::form::{PrefsForm, PrefsInput};
use super::{Message, PageError, bad_link, render, session};
use crate::journey::{self, JourneyError};
use crate::state::AppState;
use crate::tokens::Purpose;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/preferences", get(show).post(save))
        .route("/signout", get(sign_out))
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
    jar: CookieJar,
    Query(query): Query<LinkQuery>,
) -> Result<Response, PageError> {
    if let Some(token) = query.token {
        // A manage link: start a session and drop the token from the address bar.
        return match journey::authorize(&state, &token, Purpose::Manage).await {
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
