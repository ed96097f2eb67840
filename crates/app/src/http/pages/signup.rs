//! `/signup` (the form, and its post) and `/verify` (the emailed confirmation link).

use askama::Template;
use axum::Router;
use axum::extract::{Extension, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum_extra::extract::{CookieJar, Form};
use jobping_core::{RawPreferences, Tier};
use serde::Deserialize;

use super::form::{PrefsForm, PrefsInput};
use super::{Message, PageError, bad_link, render, session, too_many};
use crate::delivery::cadence::Rhythm;
use crate::journey::{self, Confirmed, JourneyError, SignupRequest};
use crate::limits::ClientIp;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/signup", get(form).post(submit))
        .route("/verify", get(confirm_page).post(confirm))
}

#[derive(Template)]
#[template(path = "signup.html")]
struct SignupPage {
    email: String,
    form: PrefsForm,
    consent: bool,
    marketing: bool,
    /// The free plan's days: "Thursday".
    days: String,
}

#[derive(Template)]
#[template(path = "check_email.html")]
pub(super) struct CheckEmail {
    pub email: String,
}

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage {
    token: String,
}

/// New subscribers start on the free plan: the signup page promises its days.
fn free_days(state: &AppState) -> String {
    Rhythm::of(&state.settings.delivery, Tier::Free).days()
}

async fn form(State(state): State<AppState>) -> Response {
    let page = SignupPage {
        email: String::new(),
        form: PrefsForm::new(&RawPreferences::default(), &[], false),
        consent: false,
        marketing: false,
        days: free_days(&state),
    };
    render(&page, StatusCode::OK, false)
}

async fn submit(
    State(state): State<AppState>,
    Extension(ClientIp(client)): Extension<ClientIp>,
    input: Result<Form<PrefsInput>, axum_extra::extract::FormRejection>,
) -> Result<Response, PageError> {
    let Ok(Form(input)) = input else {
        return Ok(Message::new(
            "We could not read that form",
            &["Please go back to the signup page and send it again."],
        )
        .action("/signup", "Back to the signup form")
        .respond(StatusCode::BAD_REQUEST));
    };
    let raw = input.to_raw();
    let request = SignupRequest {
        email: input.email.clone(),
        preferences: raw.clone(),
        consent: input.consent.is_some(),
        marketing: input.marketing.is_some(),
    };
    // A form with mistakes costs nothing: only a valid signup counts against the limit.
    if let Err(errors) = journey::check_signup(&request) {
        let page = SignupPage {
            email: input.email,
            form: PrefsForm::new(&raw, &errors, false),
            consent: request.consent,
            marketing: request.marketing,
            days: free_days(&state),
        };
        return Ok(render(&page, StatusCode::UNPROCESSABLE_ENTITY, true));
    }
    if let Err(refusal) = crate::http::limit::form(&state, client, Some(&request.email)).await {
        return Ok(too_many(refusal));
    }
    let email = request.email.trim().to_owned();
    journey::signup(&state, request).await?;
    Ok(render(&CheckEmail { email }, StatusCode::OK, true))
}

#[derive(Debug, Deserialize)]
struct TokenQuery {
    #[serde(default)]
    token: String,
}

/// The emailed link opens a page with one button: mail scanners that follow links do
/// not confirm anyone, and the link is spent only by the person's click.
async fn confirm_page(Query(query): Query<TokenQuery>) -> Response {
    if query.token.is_empty() {
        return bad_link();
    }
    render(&VerifyPage { token: query.token }, StatusCode::OK, true)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TokenForm {
    token: String,
}

async fn confirm(
    State(state): State<AppState>,
    jar: CookieJar,
    Form(form): Form<TokenForm>,
) -> Result<Response, PageError> {
    let subscriber = match journey::verify(&state, &form.token).await {
        Ok(Confirmed::Now(subscriber)) => subscriber,
        Ok(Confirmed::Already) => return Ok(already_confirmed()),
        Err(JourneyError::BadLink) => return Ok(bad_link()),
        Err(err) => return Err(err.into()),
    };
    let jar = session::start(&state, jar, subscriber.id);
    let after = format!(
        "After that, your jobs email arrives {}.",
        Rhythm::of(&state.settings.delivery, subscriber.tier).every()
    );
    let page = Message::new(
        "Welcome to JobPing!",
        &[
            "Your address is confirmed. A welcome email with your first matches is on its way.",
            &after,
            "You can fine-tune what we send at any time.",
        ],
    )
    .action("/preferences", "Review my preferences");
    Ok((jar, page.respond(StatusCode::OK)).into_response())
}

/// A confirmation link used again: it says so and signs no one in, since whoever holds
/// an old link (browser history, a forwarded email) need not own the address. The
/// owner gets a fresh manage link by email instead.
fn already_confirmed() -> Response {
    Message::new(
        "Already confirmed",
        &[
            "This address was confirmed before: your job emails are on their way.",
            "A confirmation link works once. To change your preferences or manage your account, ask for a link and we will email it to you.",
        ],
    )
    .action("/account/link", "Email me a link")
    .respond(StatusCode::OK)
}
