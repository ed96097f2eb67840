//! Paying for premium: the buttons on `/account` start a Stripe Checkout Session or open
//! the customer portal (303 to Stripe's page); a link in a "payment failed" email opens
//! the portal too. Nothing here changes a tier: only Stripe's signed events do.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_extra::extract::{CookieJar, Form};
use jobping_core::Tier;
use jobping_store::Subscriber;
use serde::Deserialize;
use time::OffsetDateTime;
use url::Url;

use super::{Message, PageError, bad_link, render, session};
use crate::billing::{CheckoutRequest, Stripe};
use crate::delivery::cadence::Rhythm;
use crate::journey::{self, JourneyError};
use crate::state::AppState;
use crate::tokens::Purpose;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/billing/checkout", post(checkout))
        .route("/billing/portal", get(portal_page).post(portal))
        .route("/billing/success", get(success))
}

#[derive(Template)]
#[template(path = "billing_portal.html")]
struct PortalPage {
    token: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TokenForm {
    token: String,
}

/// The 503 every billing route answers while billing is off.
fn billing_off() -> Response {
    Message::new(
        "Premium is not available yet",
        &["Everyone is on the free plan for now; nothing can be bought or charged."],
    )
    .action("/pricing", "See the plans")
    .respond(StatusCode::SERVICE_UNAVAILABLE)
}

fn signed_out() -> Response {
    Message::new(
        "Please open your account first",
        &["JobPing has no passwords: we email you a link that signs you in for two hours."],
    )
    .action("/account/link", "Email me a link")
    .respond(StatusCode::UNAUTHORIZED)
}

fn see_other(url: &Url) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(location) = HeaderValue::from_str(url.as_str()) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn upstream(err: crate::billing::StripeError) -> PageError {
    tracing::warn!(error = %err, "a Stripe call failed");
    PageError(JourneyError::Upstream(
        "Our payment provider did not answer as expected. Please try again in a few minutes.".into(),
    ))
}

fn page_url(state: &AppState, path: &str) -> Url {
    let mut url = state.settings.base_url.clone();
    url.set_path(path);
    url
}

/// Starts a Checkout Session for the signed-in subscriber. Premium subscribers go to the
/// portal instead, so nobody pays twice.
async fn checkout(State(state): State<AppState>, jar: CookieJar) -> Result<Response, PageError> {
    let Some(stripe) = state.stripe.clone() else {
        return Ok(billing_off());
    };
    let Some(subscriber) = session::current(&state, &jar).await.map_err(JourneyError::from)? else {
        return Ok(signed_out());
    };
    if subscriber.tier == Tier::Premium {
        return open_portal(&state, &stripe, &subscriber).await;
    }
    let account = state
        .store
        .billing_account(subscriber.id)
        .await
        .map_err(JourneyError::from)?;
    let now = OffsetDateTime::now_utc();
    let mut success_url = page_url(&state, "/billing/success");
    success_url.set_query(Some("session_id={CHECKOUT_SESSION_ID}"));
    let cancel_url = page_url(&state, "/account");
    // One session per subscriber per ten minutes: a double click lands on the same one.
    let idempotency_key = format!("checkout:{}:{}", subscriber.id, now.unix_timestamp() / 600);
    let url = stripe
        .checkout(&CheckoutRequest {
            subscriber: subscriber.id,
            email: subscriber.email.as_str(),
            customer: account.as_ref().and_then(|a| a.customer_id.as_deref()),
            success_url: &success_url,
            cancel_url: &cancel_url,
            idempotency_key: &idempotency_key,
        })
        .await
        .map_err(upstream)?;
    tracing::info!(subscriber = %subscriber.id, "checkout started");
    Ok(see_other(&url))
}

async fn open_portal(
    state: &AppState,
    stripe: &Stripe,
    subscriber: &Subscriber,
) -> Result<Response, PageError> {
    let account = state
        .store
        .billing_account(subscriber.id)
        .await
        .map_err(JourneyError::from)?;
    let Some(customer) = account.and_then(|a| a.customer_id) else {
        return Ok(Message::new(
            "There is no subscription to manage",
            &["You have not bought Premium with this address, so there is nothing to change or cancel."],
        )
        .action("/account", "Back to my account")
        .respond(StatusCode::NOT_FOUND));
    };
    let url = stripe
        .portal(&customer, &page_url(state, "/account"))
        .await
        .map_err(upstream)?;
    Ok(see_other(&url))
}

/// The page a "payment failed" email links to: one button, so a mail scanner that
/// follows links opens nothing at Stripe.
async fn portal_page(
    State(state): State<AppState>,
    Query(query): Query<TokenForm>,
) -> Result<Response, PageError> {
    if state.stripe.is_none() {
        return Ok(billing_off());
    }
    match journey::authorize(&state, &query.token, Purpose::Billing).await {
        Ok(_) => Ok(render(&PortalPage { token: query.token }, StatusCode::OK, true)),
        Err(JourneyError::BadLink) => Ok(bad_link()),
        Err(err) => Err(err.into()),
    }
}

/// Opens the customer portal for the signed-in subscriber, or the one a billing link
/// names.
async fn portal(
    State(state): State<AppState>,
    jar: CookieJar,
    Form(form): Form<TokenForm>,
) -> Result<Response, PageError> {
    let Some(stripe) = state.stripe.clone() else {
        return Ok(billing_off());
    };
    let subscriber = if form.token.is_empty() {
        match session::current(&state, &jar).await.map_err(JourneyError::from)? {
            Some(subscriber) => subscriber,
            None => return Ok(signed_out()),
        }
    } else {
        match journey::authorize(&state, &form.token, Purpose::Billing).await {
            Ok((_, subscriber)) => subscriber,
            Err(JourneyError::BadLink) => return Ok(bad_link()),
            Err(err) => return Err(err.into()),
        }
    };
    open_portal(&state, &stripe, &subscriber).await
}

async fn success(State(state): State<AppState>) -> Response {
    if state.stripe.is_none() {
        return billing_off();
    }
    let premium = Rhythm::of(&state.settings.delivery, Tier::Premium);
    let from_next = format!(
        "From your next email you get {}, and you can leave out companies in your preferences.",
        premium.summary()
    );
    Message::new(
        "Thank you: Premium is on its way",
        &[
            "Your plan changes to Premium as soon as Stripe confirms the payment, usually within a minute.",
            &from_next,
        ],
    )
    .action("/account", "See my account")
    .respond(StatusCode::OK)
}
