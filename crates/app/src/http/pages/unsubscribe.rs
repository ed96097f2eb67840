//! `/unsubscribe`: the page behind the link in every email, and the RFC 8058 one-click
//! `POST` that mail apps send on their own (no cookie, no form token, just the link).

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

use super::{PageError, bad_link, render};
use crate::journey::{self, JourneyError};
use crate::state::AppState;
use crate::tokens::Purpose;

pub fn router() -> Router<AppState> {
    Router::new().route("/unsubscribe", get(page).post(one_click))
}

#[derive(Template)]
#[template(path = "unsubscribe.html")]
struct UnsubscribePage {
    token: String,
    done: bool,
}

#[derive(Debug, Deserialize)]
struct TokenQuery {
    #[serde(default)]
    token: String,
}

/// Shows a button (link scanners must not unsubscribe anyone by following the link).
async fn page(State(state): State<AppState>, Query(query): Query<TokenQuery>) -> Result<Response, PageError> {
    match journey::authorize(&state, &query.token, Purpose::Unsubscribe).await {
        Ok(_) => Ok(render(
            &UnsubscribePage {
                token: query.token,
                done: false,
            },
            StatusCode::OK,
            true,
        )),
        Err(JourneyError::BadLink) => Ok(bad_link()),
        Err(err) => Err(err.into()),
    }
}

/// Unsubscribes: from the page's button, or from a mail app's one-click request
/// (`List-Unsubscribe=One-Click` in the body). Doing it twice is fine.
async fn one_click(
    State(state): State<AppState>,
    Query(query): Query<TokenQuery>,
) -> Result<Response, PageError> {
    let subscriber = match journey::authorize(&state, &query.token, Purpose::Unsubscribe).await {
        Ok((_, subscriber)) => subscriber,
        Err(JourneyError::BadLink) => return Ok(bad_link()),
        Err(err) => return Err(err.into()),
    };
    journey::unsubscribe(&state, &subscriber).await?;
    Ok(render(
        &UnsubscribePage {
            token: String::new(),
            done: true,
        },
        StatusCode::OK,
        true,
    ))
}
