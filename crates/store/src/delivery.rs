//! The values of delivering the job emails: the outbox a delivery round writes, what the
//! sender reads back, the subscriber's feedback and the provider's events.

use std::collections::HashSet;

use serde::Serialize;
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{StoreError, Subscriber};

jobping_core::text_enum! {
    /// What an email is for; the `deliveries` table's kinds.
    DeliveryKind, "delivery kind" {
        /// The first email after confirming the address.
        Welcome => "welcome",
        /// The jobs of one slot of the subscriber's cadence.
        Digest => "digest",
        /// A note about the service, such as "widen your preferences".
        Notice => "notice",
    }
}

jobping_core::text_enum! {
    /// A thumbs up or down on a job; the `feedback` table's vote kinds.
    Vote, "vote" {
        Up => "up",
        Down => "down",
    }
}

/// A subscriber a delivery round may email, with their preferences.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryCandidate {
    pub subscriber: Subscriber,
    pub preferences: serde_json::Value,
}

/// What a subscriber has been sent and how they voted: the matching engine's context.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SubscriberHistory {
    /// Every job in any of their deliveries (sent or not: a job goes into one delivery
    /// per subscriber, ever), oldest delivery first.
    pub sent_job_ids: Vec<i64>,
    /// Their votes, oldest first.
    pub votes: Vec<(i64, Vote)>,
    /// The company of each job in `sent_job_ids`, with its delivery's `created_at`.
    pub sent_companies: Vec<(String, OffsetDateTime)>,
}

/// A job chosen for a delivery, with why.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDeliveryItem {
    pub job_id: i64,
    /// Its place in the email, from 0.
    pub position: u32,
    /// The match score, 0 to 100.
    pub score: f32,
    pub reasons: Vec<String>,
}

/// A delivery to record, with its items: the outbox entry of one email.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDelivery {
    pub id: Uuid,
    pub subscriber: Uuid,
    pub kind: DeliveryKind,
    /// The slot it fills, e.g. `2026-W48-thu`: one delivery per subscriber, kind and slot.
    pub period: String,
    pub items: Vec<NewDeliveryItem>,
    /// `Some` records the slot as skipped (with this reason) and must come with no items.
    pub skip_reason: Option<String>,
    pub created_at: OffsetDateTime,
}

/// What recording a delivery did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordOutcome {
    /// The delivery, its items and its task were written.
    Recorded,
    /// This subscriber's slot was filled already: nothing was written.
    AlreadyRecorded,
}

/// A job in a stored delivery, with the job itself for rendering.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryItem {
    pub job_id: i64,
    pub position: u32,
    pub score: f32,
    pub reasons: Vec<String>,
    pub job: jobping_core::Job,
    /// The job's posting.
    pub url: String,
}

/// A stored delivery with its subscriber and items (in position order), for sending.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryToSend {
    pub id: Uuid,
    pub subscriber: Subscriber,
    pub kind: DeliveryKind,
    pub period: String,
    /// `pending`, `sent`, `skipped` or `failed`.
    pub status: String,
    pub items: Vec<DeliveryItem>,
    pub created_at: OffsetDateTime,
    pub sent_at: Option<OffsetDateTime>,
}

/// What [`Store::claim_delivery_send`](crate::Store::claim_delivery_send) found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendClaim {
    /// The caller alone may hand the delivery to the mailer, until the time it gave.
    Claimed,
    /// Already sent: nothing to do.
    Sent,
    /// Another owner holds a live claim (it is sending, or died and its claim has not
    /// run out yet).
    Held { owner: String, until: OffsetDateTime },
    /// Skipped or failed for good: never to be sent.
    Closed,
}

/// An event the email provider reported through its webhook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailEvent {
    /// The provider's id for the event: a replay carries the same one.
    pub event_id: String,
    /// The provider's event type, e.g. `email.bounced`.
    pub kind: String,
    /// The recipient's [`jobping_core::EmailAddress::hashed`], never the address.
    pub email_hash: Option<String>,
    pub provider_message_id: Option<String>,
    pub occurred_at: OffsetDateTime,
    pub received_at: OffsetDateTime,
}

/// Delivery counts for operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct DeliveryStats {
    pub sent: u64,
    pub skipped: u64,
    pub failed: u64,
    pub pending: u64,
    /// Jobs in those deliveries.
    pub items: u64,
    pub clicks: u64,
    pub votes_up: u64,
    pub votes_down: u64,
}

impl DeliveryStats {
    /// Builds the stats from per-status delivery counts, the item count and per-kind
    /// feedback counts, as the backends read them.
    pub(crate) fn from_counts(statuses: &[(String, i64)], items: i64, feedback: &[(String, i64)]) -> Self {
        let count = |counts: &[(String, i64)], name: &str| {
            counts
                .iter()
                .find(|(key, _)| key == name)
                .map_or(0, |(_, n)| u64::try_from(*n).unwrap_or(0))
        };
        Self {
            sent: count(statuses, "sent"),
            skipped: count(statuses, "skipped"),
            failed: count(statuses, "failed"),
            pending: count(statuses, "pending"),
            items: u64::try_from(items).unwrap_or(0),
            clicks: count(feedback, "click"),
            votes_up: count(feedback, "up"),
            votes_down: count(feedback, "down"),
        }
    }
}

impl NewDelivery {
    /// The status this delivery is stored with.
    pub(crate) fn status(&self) -> &'static str {
        if self.skip_reason.is_some() {
            "skipped"
        } else {
            "pending"
        }
    }

    /// How this delivery moves the subscriber's streak of empty digests: `Some(true)`
    /// adds one (a skipped digest), `Some(false)` resets it (a digest with jobs).
    pub(crate) fn empty_digest(&self) -> Option<bool> {
        match self.kind {
            DeliveryKind::Digest if self.skip_reason.is_some() => Some(true),
            DeliveryKind::Digest if !self.items.is_empty() => Some(false),
            _ => None,
        }
    }

    /// The items as one JSON array, the shape both backends read a batch in.
    pub(crate) fn items_json(&self) -> serde_json::Value {
        self.items
            .iter()
            .map(|item| {
                json!({
                    "job_id": item.job_id,
                    "position": item.position,
                    "score": item.score,
                    "reasons": item.reasons,
                })
            })
            .collect()
    }

    /// Refuses a delivery that contradicts itself: a skipped one with items.
    pub(crate) fn check(&self) -> Result<(), StoreError> {
        if self.skip_reason.is_some() && !self.items.is_empty() {
            return Err(anyhow::anyhow!(
                "delivery {} is skipped but carries {} items",
                self.id,
                self.items.len()
            )
            .into());
        }
        Ok(())
    }
}

/// The conflict a delivery meets when one of its jobs was already emailed to the
/// subscriber (or two of its items share a job or a position).
pub(crate) fn item_conflict(delivery: &NewDelivery) -> StoreError {
    StoreError::Conflict(format!(
        "delivery {} repeats a job already in one of subscriber {}'s deliveries (or repeats a job or position of its own)",
        delivery.id, delivery.subscriber
    ))
}

/// Keeps the candidates whose address hash is not in `suppressed`, at most `limit` in all.
pub(crate) fn unsuppressed(
    page: Vec<DeliveryCandidate>,
    suppressed: &HashSet<String>,
    out: &mut Vec<DeliveryCandidate>,
    limit: usize,
) {
    for candidate in page {
        if out.len() == limit {
            return;
        }
        if !suppressed.contains(&candidate.subscriber.email.hashed()) {
            out.push(candidate);
        }
    }
}

/// Reads a stored item's reasons (a JSON array of strings).
pub(crate) fn reasons_from_json(value: serde_json::Value) -> Result<Vec<String>, StoreError> {
    serde_json::from_value(value)
        .map_err(|err| anyhow::anyhow!("stored delivery item reasons do not parse: {err}").into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest(items: usize, skip: bool) -> NewDelivery {
        NewDelivery {
            id: Uuid::nil(),
            subscriber: Uuid::nil(),
            kind: DeliveryKind::Digest,
            period: "2026-W48-thu".into(),
            items: (0..items)
                .map(|i| NewDeliveryItem {
                    job_id: i as i64,
                    position: i as u32,
                    score: 50.0,
                    reasons: vec!["city".into()],
                })
                .collect(),
            skip_reason: skip.then(|| "no matches".into()),
            created_at: OffsetDateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn a_skipped_digest_lengthens_the_streak_and_one_with_jobs_ends_it() {
        assert_eq!(digest(0, true).empty_digest(), Some(true));
        assert_eq!(digest(2, false).empty_digest(), Some(false));
        assert_eq!(digest(0, false).empty_digest(), None);
        let welcome = NewDelivery {
            kind: DeliveryKind::Welcome,
            ..digest(0, true)
        };
        assert_eq!(welcome.empty_digest(), None);
    }

    #[test]
    fn a_skipped_delivery_with_items_is_refused() {
        assert!(digest(0, true).check().is_ok());
        assert!(digest(1, false).check().is_ok());
        assert!(digest(1, true).check().is_err());
    }

    #[test]
    fn stats_take_their_counts_by_name() {
        let stats = DeliveryStats::from_counts(
            &[("sent".into(), 3), ("failed".into(), 1)],
            7,
            &[("click".into(), 4), ("down".into(), 2)],
        );
        assert_eq!(
            stats,
            DeliveryStats {
                sent: 3,
                failed: 1,
                items: 7,
                clicks: 4,
                votes_down: 2,
                ..DeliveryStats::default()
            }
        );
    }

    #[test]
    fn kinds_and_votes_use_the_tables_text() {
        assert_eq!(DeliveryKind::Digest.as_str(), "digest");
        assert_eq!("down".parse::<Vote>().unwrap(), Vote::Down);
    }
}
