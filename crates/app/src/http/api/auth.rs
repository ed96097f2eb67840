//! `Authorization: Bearer <token>`: the signed, purpose-bound tokens from email links,
//! as an extractor that names the purposes an endpoint accepts.

use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use jobping_core::Tier;
use jobping_store::Subscriber;
use time::OffsetDateTime;

use super::error::ApiError;
use crate::http::limit::Refusal;
use crate::journey;
use crate::state::AppState;
use crate::tokens::{Claims, Purpose};

/// The purposes of token an endpoint accepts.
pub trait Accepts {
    const PURPOSES: &'static [Purpose];
}

/// A manage token: reads and changes the subscriber's own data.
pub struct ManageToken;
/// An export token: downloads everything stored (30 minutes).
pub struct ExportToken;
/// A delete token: erases the account (30 minutes, single use).
pub struct DeleteToken;
/// The unsubscribe token from an email, or a manage token.
pub struct UnsubscribeToken;

impl Accepts for ManageToken {
    const PURPOSES: &'static [Purpose] = &[Purpose::Manage];
}
impl Accepts for ExportToken {
    const PURPOSES: &'static [Purpose] = &[Purpose::Export];
}
impl Accepts for DeleteToken {
    const PURPOSES: &'static [Purpose] = &[Purpose::Delete];
}
impl Accepts for UnsubscribeToken {
    const PURPOSES: &'static [Purpose] = &[Purpose::Unsubscribe, Purpose::Manage];
}

/// A request carrying a valid token of one of `P`'s purposes, for a subscriber who still
/// exists. Single-use tokens are not spent here (see [`journey::spend`]).
pub struct Authorized<P> {
    pub claims: Claims,
    pub subscriber: Subscriber,
    purpose: PhantomData<P>,
}

impl<P: Accepts> FromRequestParts<AppState> for Authorized<P> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(parts)?;
        let now = OffsetDateTime::now_utc();
        // The signature says which purpose the token was made for: the subscriber is
        // then looked up once.
        let purpose = P::PURPOSES
            .iter()
            .copied()
            .find(|purpose| state.signer.verify(token, *purpose, now).is_ok())
            .ok_or(ApiError::BadToken)?;
        let (claims, subscriber) = journey::authorize(state, token, purpose).await?;
        // Each subscriber's API use is limited by their tier.
        let limits = &state.settings.limits;
        let quota = match subscriber.tier {
            Tier::Free => limits.api_free,
            Tier::Premium => limits.api_premium,
        };
        let verdict = state
            .limits
            .check("api", &subscriber.id.to_string(), quota)
            .await
            .map_err(|down| ApiError::Limited(down.into(), "your API use"))?;
        if !verdict.allowed() {
            return Err(ApiError::Limited(Refusal::Limited(verdict), "your API use"));
        }
        Ok(Self {
            claims,
            subscriber,
            purpose: PhantomData,
        })
    }
}

/// The token of an `Authorization: Bearer` header (the scheme in any case).
fn bearer(parts: &Parts) -> Result<&str, ApiError> {
    let value = parts
        .headers
        .get(header::AUTHORIZATION)
        .ok_or(ApiError::NoToken)?
        .to_str()
        .map_err(|_| ApiError::BadToken)?;
    let (scheme, token) = value.trim().split_once(' ').ok_or(ApiError::NoToken)?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Err(ApiError::NoToken);
    }
    Ok(token)
}
