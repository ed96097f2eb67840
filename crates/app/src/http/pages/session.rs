//! The browser session a manage link opens: a cookie holding a short-lived signed token
//! of its own purpose, so the link's token leaves the address bar at once.

use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use jobping_store::{StoreError, Subscriber};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::state::AppState;
use crate::tokens::Purpose;

/// The session cookie's name.
pub const COOKIE: &str = "jobping_session";

/// The subscriber this browser is signed in as, if the session is valid and they exist.
pub async fn current(state: &AppState, jar: &CookieJar) -> Result<Option<Subscriber>, StoreError> {
    let Some(cookie) = jar.get(COOKIE) else {
        return Ok(None);
    };
    let Ok(claims) = state
        .signer
        .verify(cookie.value(), Purpose::Session, OffsetDateTime::now_utc())
    else {
        return Ok(None);
    };
    match state.store.subscriber(claims.subscriber).await {
        Ok(subscriber) => Ok(Some(subscriber)),
        Err(StoreError::NotFound) => Ok(None),
        Err(err) => Err(err),
    }
}

/// Signs this browser in as `subscriber`.
pub fn start(state: &AppState, jar: CookieJar, subscriber: Uuid) -> CookieJar {
    let token = state
        .signer
        .sign(Purpose::Session, subscriber, OffsetDateTime::now_utc());
    let cookie = Cookie::build((COOKIE, token))
        .path("/")
        .http_only(true)
        // Lax: the cookie must survive the redirect that follows a click in a mail app;
        // cross-site form posts are refused by the CSRF layer.
        .same_site(SameSite::Lax)
        .secure(state.settings.base_url.scheme() == "https")
        .max_age(time::Duration::seconds(
            Purpose::Session.lifetime().whole_seconds(),
        ))
        .build();
    jar.add(cookie)
}

/// Signs this browser out.
pub fn end(jar: CookieJar) -> CookieJar {
    jar.remove(Cookie::build(COOKIE).path("/").build())
}
