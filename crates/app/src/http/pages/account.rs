//! `/account`: the subscriber's data (download it, delete it), and the form that emails
//! a fresh link to anyone who lost theirs.

use askama::Template;
use axum::Router;
use axum::extract::{Extension, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum_extra::extract::{CookieJar, Form};
use jobping_core::{SubscriberStatus, Tier};
use serde::Deserialize;
use time::OffsetDateTime;

use super::signup::CheckEmail;
use super::{Message, PageError, bad_link, render, session, too_many};
use crate::delivery::cadence::Rhythm;
use crate::journey::{self, JourneyError};
use crate::limits::ClientIp;
use crate::state::AppState;
use crate::tokens::Purpose;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account", get(account))
        .route("/account/link", get(link_form).post(send_link))
        .route("/account/export", get(export))
        .route("/account/delete", get(delete_page).post(delete))
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    email: String,
    status: &'static str,
    tier: String,
    since: String,
    subscribed: bool,
    unsubscribe_href: String,
    export_href: String,
    delete_href: &'static str,
    /// What the billing section offers: nothing (billing off), upgrade, or manage.
    billing: Billing,
    price: String,
    /// What premium sends, for the upgrade offer.
    premium: Rhythm,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Billing {
    Off,
    Upgrade,
    Manage,
}

#[derive(Template)]
#[template(path = "request_link.html")]
struct RequestLink {
    title: &'static str,
    intro: &'static str,
    email: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "delete.html")]
struct DeletePage {
    email: String,
    token: String,
    unsubscribe_href: String,
}

fn request_link_page(email: String, error: Option<String>, status: StatusCode) -> Response {
    let page = RequestLink {
        title: "Get a link to your account",
        intro: "JobPing has no passwords. Enter your address and we will email you a link that opens your preferences and account.",
        email,
        error,
    };
    render(&page, status, true)
}

async fn account(State(state): State<AppState>, jar: CookieJar) -> Result<Response, PageError> {
    let Some(subscriber) = session::current(&state, &jar).await.map_err(JourneyError::from)? else {
        return Ok(request_link_page(String::new(), None, StatusCode::OK));
    };
    let now = OffsetDateTime::now_utc();
    let token = |purpose| state.signer.sign(purpose, subscriber.id, now);
    let billing = if state.stripe.is_none() {
        Billing::Off
    } else if subscriber.tier == Tier::Premium
        || state
            .store
            .billing_account(subscriber.id)
            .await
            .map_err(JourneyError::from)?
            .is_some_and(|account| account.status.is_some_and(|s| !s.is_terminal()))
    {
        Billing::Manage
    } else {
        Billing::Upgrade
    };
    let page = AccountPage {
        email: subscriber.email.to_string(),
        status: match subscriber.status {
            SubscriberStatus::Pending => "Waiting for you to confirm your address",
            SubscriberStatus::Active => "Subscribed",
            SubscriberStatus::Unsubscribed => "Unsubscribed: we send you nothing",
        },
        tier: {
            let weekly = Rhythm::of(&state.settings.delivery, subscriber.tier).jobs_per_week();
            match subscriber.tier {
                Tier::Free => format!("Free: {weekly} jobs a week"),
                Tier::Premium => format!("Premium: {weekly} jobs a week"),
            }
        },
        since: subscriber.created_at.date().to_string(),
        subscribed: subscriber.status == SubscriberStatus::Active,
        unsubscribe_href: format!("/unsubscribe?token={}", token(Purpose::Unsubscribe)),
        export_href: format!("/account/export?token={}", token(Purpose::Export)),
        delete_href: "/account/delete",
        billing,
        price: state.settings.stripe.price.label(),
        premium: Rhythm::of(&state.settings.delivery, Tier::Premium),
    };
    Ok(render(&page, StatusCode::OK, true))
}

async fn link_form() -> Response {
    request_link_page(String::new(), None, StatusCode::OK)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct EmailForm {
    email: String,
}

async fn send_link(
    State(state): State<AppState>,
    Extension(ClientIp(client)): Extension<ClientIp>,
    Form(form): Form<EmailForm>,
) -> Result<Response, PageError> {
    if let Err(err) = jobping_core::EmailAddress::parse(&form.email) {
        return Ok(request_link_page(
            form.email,
            Some(err.to_string()),
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    }
    if let Err(refusal) = crate::http::limit::form(&state, client, Some(&form.email)).await {
        return Ok(too_many(refusal));
    }
    journey::request_link(&state, &form.email).await?;
    Ok(render(
        &CheckEmail {
            email: form.email.trim().to_owned(),
        },
        StatusCode::OK,
        true,
    ))
}

#[derive(Debug, Deserialize)]
struct TokenQuery {
    #[serde(default)]
    token: String,
}

/// Everything stored about the subscriber, as a JSON download.
async fn export(
    State(state): State<AppState>,
    Query(query): Query<TokenQuery>,
) -> Result<Response, PageError> {
    let subscriber = match journey::authorize(&state, &query.token, Purpose::Export).await {
        Ok((_, subscriber)) => subscriber,
        Err(JourneyError::BadLink) => return Ok(bad_link()),
        Err(err) => return Err(err.into()),
    };
    let export = journey::export(&state, &subscriber).await?;
    let body = serde_json::to_vec_pretty(&export).map_err(|err| JourneyError::Unexpected(err.into()))?;
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"jobping-my-data.json\""),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

async fn delete_page(State(state): State<AppState>, jar: CookieJar) -> Result<Response, PageError> {
    let Some(subscriber) = session::current(&state, &jar).await.map_err(JourneyError::from)? else {
        return Ok(request_link_page(String::new(), None, StatusCode::UNAUTHORIZED));
    };
    let now = OffsetDateTime::now_utc();
    let page = DeletePage {
        email: subscriber.email.to_string(),
        token: state.signer.sign(Purpose::Delete, subscriber.id, now),
        unsubscribe_href: format!(
            "/unsubscribe?token={}",
            state.signer.sign(Purpose::Unsubscribe, subscriber.id, now)
        ),
    };
    Ok(render(&page, StatusCode::OK, true))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TokenForm {
    token: String,
}

async fn delete(
    State(state): State<AppState>,
    jar: CookieJar,
    Form(form): Form<TokenForm>,
) -> Result<Response, PageError> {
    let (claims, subscriber) = match journey::authorize(&state, &form.token, Purpose::Delete).await {
        Ok(found) => found,
        Err(JourneyError::BadLink) => return Ok(bad_link()),
        Err(err) => return Err(err.into()),
    };
    if !journey::spend(&state, &claims).await? {
        return Ok(bad_link());
    }
    journey::delete(&state, &subscriber).await?;
    let jar = session::end(jar);
    let page = Message::new(
        "Your account is deleted",
        &[
            "We erased your address, preferences, consents, the jobs we sent you and your feedback.",
            "A short confirmation is on its way to your inbox; it is the last email you will get from us.",
        ],
    )
    .action("/", "Back to JobPing");
    Ok((jar, page.respond(StatusCode::OK)).into_response())
}
