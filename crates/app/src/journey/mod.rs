//! The subscriber's journey, shared by the pages and the JSON API: signup, confirmation,
//! preferences, unsubscribe, export and deletion. Handlers translate HTTP into these
//! calls and their errors back into pages or problem documents; nothing here knows HTTP.

pub mod email;
pub mod matches;

use jobping_core::FieldError;
use jobping_core::{EmailAddress, Preferences, RawPreferences, SubscriberStatus, Taxonomy, Tier};
use jobping_store::{
    ConsentPurpose, NewAuditEntry, NewConsent, NewSignup, StoreError, Subscriber, SubscriberExport,
    SuppressionReason, VerifyOutcome,
};
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

pub use self::email::EmailTask;
use crate::limits::Quota;
use crate::state::AppState;
use crate::tokens::{Claims, Purpose};

/// The version of the privacy notice a consent refers to (the date it last changed).
pub const POLICY_VERSION: &str = "2026-12-03";

/// What a person asks for when they sign up.
#[derive(Debug, Clone, Default)]
pub struct SignupRequest {
    pub email: String,
    pub preferences: RawPreferences,
    /// Accepted the privacy notice (required).
    pub consent: bool,
    /// Opted in to occasional product news (optional, separate).
    pub marketing: bool,
}

/// Why a journey step did not happen.
#[derive(Debug, thiserror::Error)]
pub enum JourneyError {
    /// The input is wrong; each bad field is named.
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    /// The link or token is invalid, expired, already used, made for another purpose,
    /// or its subscriber no longer exists. One answer for all, on purpose.
    #[error("this link is invalid or has expired")]
    BadLink,
    /// An outside service (Stripe) could not do its part; nothing was changed. The
    /// message is for the person and says what to do.
    #[error("{0}")]
    Upstream(String),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<StoreError> for JourneyError {
    fn from(err: StoreError) -> Self {
        Self::Unexpected(err.into())
    }
}

/// How a confirmation link went.
#[derive(Debug, Clone)]
pub enum Confirmed {
    /// This link confirmed the address just now; the welcome email is on its way. Only
    /// this outcome may sign the person in or hand them a manage token.
    Now(Subscriber),
    /// The address had been confirmed before, by this link or another one. The link
    /// grants nothing: one left in browser history or a forwarded email must not open
    /// the account, so there is no subscriber here to open it with.
    Already,
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// Checks a signup's fields, naming every bad one (the address, each preference and the
/// consent together, so a form shows them all at once).
pub fn check_signup(request: &SignupRequest) -> Result<(EmailAddress, Preferences), Vec<FieldError>> {
    let mut errors = Vec::new();
    let email = EmailAddress::parse(&request.email)
        .map_err(|err| errors.push(FieldError::new("email", err.to_string())))
        .ok();
    let preferences = Preferences::parse(&request.preferences, Taxonomy::embedded())
        .map_err(|mut bad| errors.append(&mut bad))
        .ok();
    if !request.preferences.excluded_companies.is_empty() {
        errors.push(premium_only());
    }
    if request.preferences.salary_floor.is_some() {
        errors.push(premium_floor());
    }
    if !request.consent {
        errors.push(FieldError::new(
            "consent",
            "please accept the privacy notice: we cannot email you without it",
        ));
    }
    match (email, preferences) {
        (Some(email), Some(preferences)) if errors.is_empty() => Ok((email, preferences)),
        _ => Err(errors),
    }
}

fn premium_only() -> FieldError {
    FieldError::new(
        "excluded_companies",
        "leaving out companies is a premium feature: leave this empty on the free plan",
    )
}

fn premium_floor() -> FieldError {
    FieldError::new(
        "salary_floor",
        "a salary floor is a premium feature: leave this empty on the free plan",
    )
}

/// Records a signup and emails the address: a confirmation link for a new or pending
/// address, a "you are already subscribed" note with a manage link for an active one.
/// Answers the same whatever the address's state, so nobody learns who subscribes, and
/// sends at most one link email per address per `signup.link_interval`.
pub async fn signup(state: &AppState, request: SignupRequest) -> Result<(), JourneyError> {
    let (email, preferences) = check_signup(&request).map_err(JourneyError::Invalid)?;
    let now = now();
    if let Some(reason) = state.store.suppression(&email).await? {
        // A bounced or complaining address is never written to again. A person who
        // unsubscribed may come back: they get a confirmation link like anyone new.
        if !matches!(reason, SuppressionReason::Unsubscribed) {
            tracing::info!(email = %email.masked(), "signup for a suppressed address: nothing sent");
            return Ok(());
        }
    }
    let consents = vec![
        NewConsent {
            purpose: ConsentPurpose::Privacy,
            granted: true,
            policy_version: POLICY_VERSION.to_owned(),
        },
        NewConsent {
            purpose: ConsentPurpose::Marketing,
            granted: request.marketing,
            policy_version: POLICY_VERSION.to_owned(),
        },
    ];
    let outcome = state
        .store
        .signup(&NewSignup {
            id: Uuid::now_v7(),
            email,
            preferences: serde_json::to_value(preferences.to_raw()).map_err(anyhow::Error::from)?,
            fingerprint: fingerprint(&preferences),
            consents,
            timezone: timezone_for(&preferences).to_owned(),
            now,
        })
        .await?;
    let subscriber = &outcome.subscriber;
    let email = match subscriber.status {
        SubscriberStatus::Active => EmailTask::AlreadySubscribed,
        SubscriberStatus::Pending | SubscriberStatus::Unsubscribed => EmailTask::Verify,
    };
    if state
        .store
        .claim_link_email(subscriber.id, state.settings.signup.link_interval, now)
        .await?
        && mailbox_allows(state, &subscriber.email).await
    {
        email::enqueue(state, subscriber.id, email, now).await?;
    } else {
        tracing::info!(subscriber = %subscriber.id, "a link was emailed recently: not sending another");
    }
    Ok(())
}

/// Link emails one mailbox may receive per `signup.link_interval`, however its address is
/// spelled ("a+1@", "a+2@", "a.b@gmail.com" and "ab@gmail.com" are one inbox).
const MAILBOX_LINKS: u32 = 3;

/// Whether another link email may go to this address's mailbox now, so that nobody can
/// flood one inbox by signing it up under many spellings. Counted in the rate limiter
/// (Redis when shared) under a hash of the mailbox, never the address; when the limiter
/// is down the per-address claim alone applies.
async fn mailbox_allows(state: &AppState, email: &EmailAddress) -> bool {
    let interval = state.settings.signup.link_interval;
    if interval.is_zero() {
        return true;
    }
    let key =
        EmailAddress::parse(&email.mailbox()).map_or_else(|_| email.hashed(), |mailbox| mailbox.hashed());
    match state
        .limits
        .check("link_mailbox", &key, Quota::new(MAILBOX_LINKS, interval))
        .await
    {
        Ok(verdict) if verdict.allowed() => true,
        Ok(_) => {
            tracing::info!(email = %email.masked(), "this mailbox was sent links recently under other spellings: not sending another");
            false
        }
        Err(_) => true,
    }
}

/// Emails a manage link to an address if it belongs to an active subscriber (a pending
/// one gets its confirmation link again). Answers the same for every address.
pub async fn request_link(state: &AppState, address: &str) -> Result<(), JourneyError> {
    let email = EmailAddress::parse(address)
        .map_err(|err| JourneyError::Invalid(vec![FieldError::new("email", err.to_string())]))?;
    let Some(subscriber) = state.store.subscriber_by_email(&email).await? else {
        return Ok(());
    };
    let task = match subscriber.status {
        SubscriberStatus::Active => EmailTask::ManageLink,
        SubscriberStatus::Pending => EmailTask::Verify,
        SubscriberStatus::Unsubscribed => return Ok(()),
    };
    let now = now();
    if state
        .store
        .claim_link_email(subscriber.id, state.settings.signup.link_interval, now)
        .await?
        && mailbox_allows(state, &email).await
    {
        email::enqueue(state, subscriber.id, task, now).await?;
    }
    Ok(())
}

/// Checks a token for `purpose` and returns its subscriber, who must still exist.
/// Single-use tokens are not spent here; see [`spend`].
pub async fn authorize(
    state: &AppState,
    token: &str,
    purpose: Purpose,
) -> Result<(Claims, Subscriber), JourneyError> {
    let claims = state
        .signer
        .verify(token, purpose, now())
        .map_err(|_| JourneyError::BadLink)?;
    match state.store.subscriber(claims.subscriber).await {
        Ok(subscriber) => Ok((claims, subscriber)),
        Err(StoreError::NotFound) => Err(JourneyError::BadLink),
        Err(err) => Err(err.into()),
    }
}

/// Spends a single-use token: true the first time it is presented.
pub async fn spend(state: &AppState, claims: &Claims) -> Result<bool, JourneyError> {
    Ok(state
        .store
        .use_token(
            &claims.token_hash,
            claims.purpose.as_str(),
            claims.expires_at,
            now(),
        )
        .await?)
}

/// Confirms an address from its emailed link; the first confirmation sends the welcome
/// email. A link already used for an address that is now active says so kindly, and
/// grants nothing (see [`Confirmed::Already`]).
pub async fn verify(state: &AppState, token: &str) -> Result<Confirmed, JourneyError> {
    let (claims, subscriber) = authorize(state, token, Purpose::Verify).await?;
    if !spend(state, &claims).await? {
        return match subscriber.status {
            SubscriberStatus::Active => Ok(Confirmed::Already),
            _ => Err(JourneyError::BadLink),
        };
    }
    let now = now();
    match state.store.verify_subscriber(subscriber.id, now).await {
        Ok(VerifyOutcome::Verified) => {
            // The welcome is a delivery: its first matches are recorded, never sent again.
            crate::delivery::prepare_welcome(state, subscriber.id).await?;
            audit(state, "subscriber.verified", &subscriber, json!({})).await?;
        }
        Ok(VerifyOutcome::AlreadyActive) => return Ok(Confirmed::Already),
        Err(StoreError::NotFound) => return Err(JourneyError::BadLink),
        Err(err) => return Err(err.into()),
    }
    Ok(Confirmed::Now(state.store.subscriber(subscriber.id).await?))
}

/// A subscriber's stored preferences, in the raw shape forms and the API use.
pub async fn preferences(state: &AppState, subscriber: Uuid) -> Result<RawPreferences, JourneyError> {
    let stored = state.store.preferences(subscriber).await?;
    Ok(stored
        .and_then(|value| serde_json::from_value(value).ok())
        .unwrap_or_default())
}

/// Replaces a subscriber's preferences; the change is confirmed by email.
pub async fn update_preferences(
    state: &AppState,
    subscriber: &Subscriber,
    raw: &RawPreferences,
) -> Result<Preferences, JourneyError> {
    let mut errors = Preferences::parse(raw, Taxonomy::embedded())
        .err()
        .unwrap_or_default();
    if subscriber.tier != Tier::Premium && (!raw.excluded_companies.is_empty() || raw.salary_floor.is_some())
    {
        // Premium filters kept from a premium past may be sent back unchanged; new ones not.
        let stored = preferences(state, subscriber.id).await?;
        if raw.excluded_companies != stored.excluded_companies {
            errors.push(premium_only());
        }
        if raw.salary_floor.is_some() && raw.salary_floor != stored.salary_floor {
            errors.push(premium_floor());
        }
    }
    if !errors.is_empty() {
        return Err(JourneyError::Invalid(errors));
    }
    let preferences = Preferences::parse(raw, Taxonomy::embedded()).map_err(JourneyError::Invalid)?;
    let now = now();
    state
        .store
        .save_preferences(
            subscriber.id,
            &serde_json::to_value(preferences.to_raw()).map_err(anyhow::Error::from)?,
            &fingerprint(&preferences),
            now,
        )
        .await?;
    if subscriber.status == SubscriberStatus::Active {
        email::enqueue(state, subscriber.id, EmailTask::PreferencesChanged, now).await?;
    }
    Ok(preferences)
}

/// Unsubscribes; true when the subscriber was subscribed until now.
pub async fn unsubscribe(state: &AppState, subscriber: &Subscriber) -> Result<bool, JourneyError> {
    match state.store.unsubscribe(subscriber.id, now()).await {
        Ok(changed) => {
            if changed {
                audit(state, "subscriber.unsubscribed", subscriber, json!({})).await?;
            }
            Ok(changed)
        }
        Err(StoreError::NotFound) => Err(JourneyError::BadLink),
        Err(err) => Err(err.into()),
    }
}

/// Everything stored about a subscriber (GDPR access); the export is audited.
pub async fn export(state: &AppState, subscriber: &Subscriber) -> Result<SubscriberExport, JourneyError> {
    let export = match state.store.export_subscriber(subscriber.id).await {
        Ok(export) => export,
        Err(StoreError::NotFound) => return Err(JourneyError::BadLink),
        Err(err) => return Err(err.into()),
    };
    audit(state, "subscriber.exported", subscriber, json!({})).await?;
    Ok(export)
}

/// Erases a subscriber everywhere (the store also removes their queued tasks and writes
/// an audit entry without the address), then tells them it is done.
pub async fn delete(state: &AppState, subscriber: &Subscriber) -> Result<(), JourneyError> {
    cancel_premium(state, subscriber).await?;
    let deleted = state
        .store
        .delete_subscriber(subscriber.id, "subscriber", state.signer.audit_key(), now())
        .await?;
    if deleted.is_some() {
        // The notice goes straight out: a queued task would keep the address in the
        // database after the erasure. It is best effort, and only logged if it fails.
        email::send_account_deleted(state, subscriber.email.clone());
    }
    Ok(())
}

/// Erasing an account must not leave Stripe charging for it: a live subscription is
/// cancelled first, and if Stripe cannot be reached nothing is erased yet.
async fn cancel_premium(state: &AppState, subscriber: &Subscriber) -> Result<(), JourneyError> {
    let Some(account) = state.store.billing_account(subscriber.id).await? else {
        return Ok(());
    };
    let live = account.status.is_some_and(|status| !status.is_terminal());
    let (Some(subscription), true) = (&account.subscription_id, live) else {
        return Ok(());
    };
    let Some(stripe) = &state.stripe else {
        tracing::warn!("erasing a subscriber with a live Stripe subscription while billing is off");
        return Ok(());
    };
    stripe.cancel_subscription(subscription).await.map_err(|err| {
        tracing::warn!(error = %err, "could not cancel a subscription before erasure");
        JourneyError::Upstream(
            "We could not cancel your Premium subscription with our payment provider, so nothing was deleted yet. Please try again in a few minutes.".into(),
        )
    })
}

/// The preferences' fingerprint as the store keeps it.
fn fingerprint(preferences: &Preferences) -> String {
    format!(
        "{:016x}",
        jobping_core::matching::preference_fingerprint(preferences)
    )
}

async fn audit(
    state: &AppState,
    action: &str,
    subscriber: &Subscriber,
    detail: serde_json::Value,
) -> Result<(), JourneyError> {
    state
        .store
        .append_audit(&NewAuditEntry {
            at: now(),
            actor: "subscriber".to_owned(),
            action: action.to_owned(),
            target_hash: Some(state.signer.audit_hash(&subscriber.email)),
            detail,
        })
        .await?;
    Ok(())
}

/// The time zone of a subscriber's first city: their emails arrive by its clock.
pub fn timezone_for(preferences: &Preferences) -> &'static str {
    let taxonomy = Taxonomy::embedded();
    let country = preferences
        .cities()
        .first()
        .and_then(|slug| taxonomy.city(slug))
        .map(|city| city.country.as_str());
    match country {
        Some("IE") => "Europe/Dublin",
        Some("GB") => "Europe/London",
        Some("FR") => "Europe/Paris",
        Some("NL") => "Europe/Amsterdam",
        Some("BE") => "Europe/Brussels",
        Some("ES") => "Europe/Madrid",
        Some("DE") => "Europe/Berlin",
        Some("CH") => "Europe/Zurich",
        Some("IT") => "Europe/Rome",
        Some("SE") => "Europe/Stockholm",
        Some("DK") => "Europe/Copenhagen",
        Some("AT") => "Europe/Vienna",
        Some("CZ") => "Europe/Prague",
        Some("PL") => "Europe/Warsaw",
        _ => "Europe/London",
    }
}
