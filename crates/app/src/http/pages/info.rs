//! Pages that are the same for everyone: landing, pricing, privacy, terms. Rendered once
//! and served from memory, so they stay fast under load.

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bytes::Bytes;
use jobping_core::Tier;
use tokio::sync::OnceCell;

use super::render;
use crate::delivery::cadence::Rhythm;
use crate::journey::POLICY_VERSION;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "landing.html")]
struct Landing {
    plans: Plans,
}

#[derive(Template)]
#[template(path = "pricing.html")]
struct Pricing {
    plans: Plans,
}

/// What `plans.html` shows, from the delivery and billing settings.
struct Plans {
    free: Rhythm,
    premium: Rhythm,
    premium_price: String,
    billing_enabled: bool,
}

impl Plans {
    fn new(state: &AppState) -> Self {
        Self {
            free: Rhythm::of(&state.settings.delivery, Tier::Free),
            premium: Rhythm::of(&state.settings.delivery, Tier::Premium),
            premium_price: premium_price(state),
            billing_enabled: state.settings.billing_enabled(),
        }
    }
}

#[derive(Template)]
#[template(path = "privacy.html")]
struct Privacy {
    policy_version: &'static str,
    contact: String,
    purge_days: u64,
    task_days: u64,
}

#[derive(Template)]
#[template(path = "terms.html")]
struct Terms {
    policy_version: &'static str,
    contact: String,
}

/// The four pages, rendered on first use.
#[derive(Default)]
pub struct StaticPages {
    landing: OnceCell<Bytes>,
    pricing: OnceCell<Bytes>,
    privacy: OnceCell<Bytes>,
    terms: OnceCell<Bytes>,
}

pub fn router() -> Router<AppState> {
    let pages = Arc::new(StaticPages::default());
    Router::new()
        .route("/", get(landing))
        .route("/pricing", get(pricing))
        .route("/privacy", get(privacy))
        .route("/terms", get(terms))
        .layer(axum::Extension(pages))
}

type Pages = axum::Extension<Arc<StaticPages>>;

fn premium_price(state: &AppState) -> String {
    if state.settings.billing_enabled() {
        state.settings.stripe.price.label()
    } else {
        "Coming soon".to_owned()
    }
}

/// The address people may write to: the sender's.
fn contact(state: &AppState) -> String {
    state.settings.mail.from_address().to_owned()
}

async fn cached(cell: &OnceCell<Bytes>, make: impl FnOnce() -> Response) -> Response {
    let body = cell
        .get_or_init(|| async {
            let response = make();
            match axum::body::to_bytes(response.into_body(), 1 << 20).await {
                Ok(bytes) => bytes,
                Err(_) => Bytes::from_static(b"Something went wrong on our side."),
            }
        })
        .await
        .clone();
    let mut response = (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        body,
    )
        .into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    response
}

async fn landing(State(state): State<AppState>, pages: Pages) -> Response {
    cached(&pages.landing, || {
        render(
            &Landing {
                plans: Plans::new(&state),
            },
            StatusCode::OK,
            false,
        )
    })
    .await
}

async fn pricing(State(state): State<AppState>, pages: Pages) -> Response {
    cached(&pages.pricing, || {
        render(
            &Pricing {
                plans: Plans::new(&state),
            },
            StatusCode::OK,
            false,
        )
    })
    .await
}

async fn privacy(State(state): State<AppState>, pages: Pages) -> Response {
    cached(&pages.privacy, || {
        render(
            &Privacy {
                policy_version: POLICY_VERSION,
                contact: contact(&state),
                purge_days: state.settings.signup.purge_unverified_after.as_secs() / 86_400,
                task_days: state.settings.queue.keep_done.as_secs().div_ceil(86_400),
            },
            StatusCode::OK,
            false,
        )
    })
    .await
}

async fn terms(State(state): State<AppState>, pages: Pages) -> Response {
    cached(&pages.terms, || {
        render(
            &Terms {
                policy_version: POLICY_VERSION,
                contact: contact(&state),
            },
            StatusCode::OK,
            false,
        )
    })
    .await
}
