//! The browser session a manage link opens: a cookie holding a short-lived signed token
//! of its own purpose, so the link's token leaves the address bar at once.

use axum::http::{HeaderMap, header};
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

/// Whether a request came from another site, so that it must not sign anyone in by
/// itself (login CSRF). Browsers say so in `Sec-Fetch-Site`: only `same-origin` and
/// `none` (typed, bookmarked, or opened from a mail app) count as ours; `same-site` is a
/// sibling host, which may not be ours. Without it, an `Origin` or `Referer` naming
/// another origin does.
pub fn from_another_site(state: &AppState, headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        let site = site.to_str().unwrap_or_default().trim();
        return !(site.eq_ignore_ascii_case("same-origin") || site.eq_ignore_ascii_case("none"));
    }
    let own = state.settings.base_url.origin();
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    [header::ORIGIN, header::REFERER]
        .into_iter()
        .filter_map(|name| headers.get(name))
        .any(|value| {
            let Some(url) = value.to_str().ok().and_then(|v| url::Url::parse(v).ok()) else {
                // `Origin: null` (a sandboxed or privacy-hidden page) or something
                // unreadable: not shown to be ours.
                return true;
            };
            let authority = url.host_str().map(|h| match url.port() {
                Some(port) => format!("{h}:{port}"),
                None => h.to_owned(),
            });
            url.origin() != own && authority.as_deref() != host
        })
}
