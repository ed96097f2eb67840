//! The values of the subscriber's web journey: signup, confirmation, unsubscription,
//! consent, and the GDPR export and erasure.

use std::collections::HashMap;

use jobping_core::{EmailAddress, SubscriberStatus, Tier};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::Subscriber;

jobping_core::text_enum! {
    /// What a subscriber consents to (or declines); the `consents` table's purposes.
    ConsentPurpose, "consent purpose" {
        /// The privacy policy: required to sign up.
        Privacy => "privacy",
        /// News and offers beyond the job emails: optional.
        Marketing => "marketing",
    }
}

jobping_core::text_enum! {
    /// Why an address must not be emailed; the `suppressions` table's reasons.
    SuppressionReason, "suppression reason" {
        /// The subscriber asked to stop; confirming the address again lifts it.
        Unsubscribed => "unsubscribed",
        /// The provider reported a hard bounce.
        Bounced => "bounced",
        /// The recipient marked an email as spam.
        Complained => "complained",
        /// The subscriber's data was erased.
        Deleted => "deleted",
    }
}

/// Puts an address on the suppression list unless a reason as strong is there already:
/// bounced and complained are final, unsubscribed beats deleted (so an unsubscription
/// never turns a bounce into something confirming the address again would lift). The
/// same text runs on both backends.
///
/// Binds: $1 email hash, $2 reason, $3 now.
pub(crate) const SUPPRESS: &str = "INSERT INTO suppressions (email_hash, reason, created_at) VALUES ($1, $2, $3)
    ON CONFLICT (email_hash) DO UPDATE SET reason = excluded.reason, created_at = excluded.created_at
    WHERE CASE suppressions.reason WHEN 'bounced' THEN 2 WHEN 'complained' THEN 2 WHEN 'unsubscribed' THEN 1 ELSE 0 END
        < CASE excluded.reason WHEN 'bounced' THEN 2 WHEN 'complained' THEN 2 WHEN 'unsubscribed' THEN 1 ELSE 0 END";

/// A consent to record: a purpose granted or declined under a policy version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewConsent {
    pub purpose: ConsentPurpose,
    pub granted: bool,
    pub policy_version: String,
}

/// A consent as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Consent {
    pub purpose: ConsentPurpose,
    pub granted: bool,
    pub policy_version: String,
    #[serde(with = "time::serde::rfc3339")]
    pub recorded_at: OffsetDateTime,
}

/// A signup from the web form or the API, already checked.
#[derive(Debug, Clone)]
pub struct NewSignup {
    /// Used only when the address is new.
    pub id: Uuid,
    pub email: EmailAddress,
    pub preferences: serde_json::Value,
    /// The preferences' fingerprint, as [`crate::Store::save_preferences`] takes it.
    pub fingerprint: String,
    pub consents: Vec<NewConsent>,
    pub timezone: String,
    pub now: OffsetDateTime,
}

/// What a signup did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignupOutcome {
    /// The subscriber as it stands after the signup.
    pub subscriber: Subscriber,
    /// Whether the address was new.
    pub created: bool,
    /// The subscriber's status before the signup; `None` when the address was new.
    pub status_before: Option<SubscriberStatus>,
}

/// What confirming an address did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifyOutcome {
    /// The subscriber was pending (or unsubscribed) and is now active.
    Verified,
    /// The subscriber was active already: nothing changed.
    AlreadyActive,
}

/// Everything stored about one subscriber (GDPR access), in the shape it is handed over.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubscriberExport {
    pub subscriber: ExportedSubscriber,
    pub preferences: Option<serde_json::Value>,
    /// Oldest first.
    pub consents: Vec<Consent>,
    /// Oldest first.
    pub deliveries: Vec<ExportedDelivery>,
    /// Oldest first.
    pub feedback: Vec<ExportedFeedback>,
    /// Their Stripe customer and subscription, if they ever bought premium.
    pub billing: Option<crate::BillingAccount>,
}

/// The subscriber row, as exported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportedSubscriber {
    pub id: Uuid,
    /// Exported as written: the export goes to the address's owner.
    #[serde(serialize_with = "serialize_email")]
    pub email: EmailAddress,
    pub status: SubscriberStatus,
    pub tier: Tier,
    pub timezone: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub verified_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub unsubscribed_at: Option<OffsetDateTime>,
}

impl From<Subscriber> for ExportedSubscriber {
    fn from(subscriber: Subscriber) -> Self {
        Self {
            id: subscriber.id,
            email: subscriber.email,
            status: subscriber.status,
            tier: subscriber.tier,
            timezone: subscriber.timezone,
            created_at: subscriber.created_at,
            verified_at: subscriber.verified_at,
            unsubscribed_at: subscriber.unsubscribed_at,
        }
    }
}

fn serialize_email<S: serde::Serializer>(email: &EmailAddress, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(email.as_str())
}

/// An email sent (or planned) to the subscriber, with the jobs it carried.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportedDelivery {
    pub id: Uuid,
    /// `welcome`, `digest` or `notice`.
    pub kind: String,
    /// The slot it filled, e.g. `2026-W48-thu`.
    pub period: String,
    /// `pending`, `sent`, `skipped` or `failed`.
    pub status: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub sent_at: Option<OffsetDateTime>,
    /// In the order they appeared in the email.
    pub items: Vec<ExportedItem>,
}

/// A job in a delivery, with why it was chosen.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportedItem {
    pub job_id: i64,
    pub position: u32,
    pub score: f32,
    pub reasons: serde_json::Value,
    pub title: String,
    pub company: String,
    pub url: String,
}

/// A click or a vote the subscriber gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportedFeedback {
    /// `None` once the job itself was deleted.
    pub job_id: Option<i64>,
    /// `up`, `down` or `click`.
    pub kind: String,
    pub reason: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// What erasing a subscriber did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletedSubscriber {
    /// The erased address's [`EmailAddress::hashed`], as the suppression list keeps it
    /// (the audit entry keeps its keyed [`EmailAddress::audit_hash`] instead).
    pub email_hash: String,
    /// Whether the subscriber had unsubscribed (their suppression entry is kept).
    pub was_unsubscribed: bool,
    /// Queued, running and dead tasks about the subscriber that were removed.
    pub tasks_removed: u64,
}

/// The action an erasure's audit entry records.
pub(crate) const DELETED_ACTION: &str = "subscriber.deleted";

/// The time before which a link sent means another may not be sent yet. An interval too
/// long to subtract reaches back to the epoch (no link was ever sent before it).
pub(crate) fn link_cutoff(now: OffsetDateTime, min_interval: std::time::Duration) -> OffsetDateTime {
    time::Duration::try_from(min_interval)
        .ok()
        .and_then(|interval| now.checked_sub(interval))
        .map_or(OffsetDateTime::UNIX_EPOCH, |cutoff| {
            cutoff.max(OffsetDateTime::UNIX_EPOCH)
        })
}

/// Groups delivery items, read in one query, under their deliveries.
pub(crate) fn attach_items(deliveries: &mut [ExportedDelivery], items: Vec<(Uuid, ExportedItem)>) {
    let index: HashMap<Uuid, usize> = deliveries.iter().enumerate().map(|(i, d)| (d.id, i)).collect();
    for (delivery_id, item) in items {
        if let Some(&i) = index.get(&delivery_id) {
            deliveries[i].items.push(item);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn the_link_cutoff_is_now_minus_the_interval_and_never_before_the_epoch() {
        let now = time::macros::datetime!(2026-12-03 12:00:00 UTC);
        assert_eq!(
            link_cutoff(now, Duration::from_secs(3600)),
            time::macros::datetime!(2026-12-03 11:00:00 UTC)
        );
        assert_eq!(link_cutoff(now, Duration::MAX), OffsetDateTime::UNIX_EPOCH);
        assert_eq!(
            link_cutoff(now, Duration::from_secs(100 * 365 * 86_400)),
            OffsetDateTime::UNIX_EPOCH
        );
    }

    #[test]
    fn purposes_and_reasons_use_the_tables_text() {
        assert_eq!(ConsentPurpose::Marketing.as_str(), "marketing");
        assert_eq!(
            "complained".parse::<SuppressionReason>().unwrap(),
            SuppressionReason::Complained
        );
    }
}
