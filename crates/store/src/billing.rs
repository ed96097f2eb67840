//! Billing through Stripe: what a verified event may change, decided once for both
//! backends. The tier moves only here (and when a past_due grace runs out), always with
//! an audit entry, in the same transaction that keeps the event's id.

use std::str::FromStr;
use std::time::Duration;

use jobping_core::Tier;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::NewTask;

/// A Stripe subscription's status, named as Stripe names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscriptionStatus {
    Active,
    Trialing,
    PastDue,
    Canceled,
    Unpaid,
    Incomplete,
    IncompleteExpired,
    Paused,
}

/// A status Stripe does not know (of a newer API version).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a Stripe subscription status")]
pub struct UnknownStatus(pub String);

impl SubscriptionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Trialing => "trialing",
            Self::PastDue => "past_due",
            Self::Canceled => "canceled",
            Self::Unpaid => "unpaid",
            Self::Incomplete => "incomplete",
            Self::IncompleteExpired => "incomplete_expired",
            Self::Paused => "paused",
        }
    }

    /// Stripe never moves a subscription on from these: a later-arriving event about the
    /// same subscription is older news.
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Canceled | Self::IncompleteExpired)
    }

    /// Whether this status can keep a subscriber on premium.
    pub fn grants_premium(self) -> bool {
        matches!(self, Self::Active | Self::Trialing | Self::PastDue)
    }

    /// The tier this status gives at `now`: active and trialing are premium, past_due is
    /// premium until `past_due_since + grace`, everything else is free.
    pub fn tier(self, past_due_since: Option<OffsetDateTime>, grace: Duration, now: OffsetDateTime) -> Tier {
        match self {
            Self::Active | Self::Trialing => Tier::Premium,
            Self::PastDue => match past_due_since {
                Some(since) if now < since + grace => Tier::Premium,
                _ => Tier::Free,
            },
            _ => Tier::Free,
        }
    }
}

impl FromStr for SubscriptionStatus {
    type Err = UnknownStatus;

    fn from_str(text: &str) -> Result<Self, UnknownStatus> {
        [
            Self::Active,
            Self::Trialing,
            Self::PastDue,
            Self::Canceled,
            Self::Unpaid,
            Self::Incomplete,
            Self::IncompleteExpired,
            Self::Paused,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
        .ok_or_else(|| UnknownStatus(text.to_owned()))
    }
}

/// What is kept about one subscriber's Stripe customer and subscription (also part of
/// their data export).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BillingAccount {
    pub subscriber: Uuid,
    pub customer_id: Option<String>,
    pub subscription_id: Option<String>,
    /// The subscription's status as of `last_event_at`; `None` before any is known.
    #[serde(serialize_with = "status_text")]
    pub status: Option<SubscriptionStatus>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub current_period_end: Option<OffsetDateTime>,
    /// When the subscription went past_due (kept while it stays so).
    #[serde(with = "time::serde::rfc3339::option")]
    pub past_due_since: Option<OffsetDateTime>,
    /// Stripe's `created` of the newest event applied to the state: older ones are stale.
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_event_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

fn status_text<S: serde::Serializer>(status: &Option<SubscriptionStatus>, out: S) -> Result<S::Ok, S::Error> {
    match status {
        Some(status) => out.serialize_str(status.as_str()),
        None => out.serialize_none(),
    }
}

/// What a verified Stripe event says about the subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BillingChange {
    /// Nothing about the state: the event is only kept (and the customer linked).
    Record,
    /// The subscription's state as of the event.
    Subscription {
        id: String,
        status: SubscriptionStatus,
        current_period_end: Option<OffsetDateTime>,
    },
    /// An invoice of this subscription was paid: past_due or unpaid becomes active.
    InvoicePaid { subscription: String },
}

/// A verified Stripe event to apply.
#[derive(Debug, Clone)]
pub struct StripeEvent {
    /// `evt_…`: kept once, so a replay changes nothing.
    pub event_id: String,
    /// The event's `type`.
    pub kind: String,
    /// Stripe's `created`: orders events that arrive out of order.
    pub created: OffsetDateTime,
    pub received_at: OffsetDateTime,
    /// Whom it concerns, when the event says (metadata); else found by `customer_id`.
    pub subscriber: Option<Uuid>,
    pub customer_id: Option<String>,
    pub change: BillingChange,
    /// How long past_due keeps premium.
    pub grace: Duration,
    /// Queued with the event when it concerns a known subscriber (an email).
    pub task: Option<NewTask>,
}

/// What applying an event did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BillingOutcome {
    /// The event id was seen before: nothing changed.
    Replay,
    /// Kept. `subscriber` is whom it concerned (if known and still there); `stale` when
    /// the state already reflected a newer event, so this one changed nothing.
    Recorded { subscriber: Option<Uuid>, stale: bool },
    /// The state changed; the tier before and after (equal when only the state moved).
    Applied {
        subscriber: Uuid,
        tier_before: Tier,
        tier_after: Tier,
    },
}

/// The part of an account an event decides.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct AccountState {
    pub customer_id: Option<String>,
    pub subscription_id: Option<String>,
    pub status: Option<SubscriptionStatus>,
    pub current_period_end: Option<OffsetDateTime>,
    pub past_due_since: Option<OffsetDateTime>,
    pub last_event_at: Option<OffsetDateTime>,
}

impl From<&BillingAccount> for AccountState {
    fn from(account: &BillingAccount) -> Self {
        Self {
            customer_id: account.customer_id.clone(),
            subscription_id: account.subscription_id.clone(),
            status: account.status,
            current_period_end: account.current_period_end,
            past_due_since: account.past_due_since,
            last_event_at: account.last_event_at,
        }
    }
}

/// The state after `event`, or `None` when the event is stale (the state reflects newer
/// news). A `Record` links the customer and leaves the subscription state alone.
pub(crate) fn decide(current: &AccountState, event: &StripeEvent) -> Option<AccountState> {
    let mut next = current.clone();
    if next.customer_id.is_none() {
        next.customer_id.clone_from(&event.customer_id);
    }
    let newer = current.last_event_at.is_none_or(|last| event.created >= last);
    match &event.change {
        BillingChange::Record => Some(next),
        BillingChange::Subscription {
            id,
            status,
            current_period_end,
        } => {
            let same = current.subscription_id.as_deref() == Some(id.as_str());
            if same && current.status.is_some_and(SubscriptionStatus::is_terminal) {
                return None;
            }
            // News that an older subscription ended must not end the one that replaced it.
            if !same
                && current.subscription_id.is_some()
                && !status.grants_premium()
                && current.status.is_some_and(SubscriptionStatus::grants_premium)
            {
                return None;
            }
            if !newer {
                return None;
            }
            next.past_due_since = match (*status, current.status) {
                (SubscriptionStatus::PastDue, Some(SubscriptionStatus::PastDue)) if same => {
                    current.past_due_since.or(Some(event.created))
                }
                (SubscriptionStatus::PastDue, _) => Some(event.created),
                _ => None,
            };
            next.subscription_id = Some(id.clone());
            next.status = Some(*status);
            next.current_period_end =
                current_period_end.or(if same { current.current_period_end } else { None });
            next.last_event_at = Some(event.created);
            Some(next)
        }
        BillingChange::InvoicePaid { subscription } => {
            let recovers = current.subscription_id.as_deref() == Some(subscription.as_str())
                && matches!(
                    current.status,
                    Some(SubscriptionStatus::PastDue | SubscriptionStatus::Unpaid)
                );
            if recovers && newer {
                next.status = Some(SubscriptionStatus::Active);
                next.past_due_since = None;
                next.last_event_at = Some(event.created);
            }
            Some(next)
        }
    }
}

/// The audit detail of a tier change made by an event.
pub(crate) fn tier_change_detail(
    event: &StripeEvent,
    state: &AccountState,
    from: Tier,
    to: Tier,
) -> serde_json::Value {
    serde_json::json!({
        "from": from.as_str(),
        "to": to.as_str(),
        "event_id": event.event_id,
        "event_type": event.kind,
        "status": state.status.map(SubscriptionStatus::as_str),
        "subscription": state.subscription_id,
    })
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    fn event(change: BillingChange, created: OffsetDateTime) -> StripeEvent {
        StripeEvent {
            event_id: "evt_1".into(),
            kind: "customer.subscription.updated".into(),
            created,
            received_at: created,
            subscriber: None,
            customer_id: Some("cus_1".into()),
            change,
            grace: Duration::from_secs(3 * 86_400),
            task: None,
        }
    }

    fn sub(id: &str, status: SubscriptionStatus) -> BillingChange {
        BillingChange::Subscription {
            id: id.into(),
            status,
            current_period_end: None,
        }
    }

    const T: OffsetDateTime = datetime!(2026-12-01 10:00 UTC);

    #[test]
    fn past_due_keeps_premium_only_during_the_grace() {
        let grace = Duration::from_secs(86_400);
        let past_due = SubscriptionStatus::PastDue;
        assert_eq!(
            past_due.tier(Some(T), grace, T + time::Duration::hours(23)),
            Tier::Premium
        );
        assert_eq!(
            past_due.tier(Some(T), grace, T + time::Duration::hours(24)),
            Tier::Free
        );
        assert_eq!(SubscriptionStatus::Unpaid.tier(None, grace, T), Tier::Free);
        assert_eq!(SubscriptionStatus::Trialing.tier(None, grace, T), Tier::Premium);
    }

    #[test]
    fn an_older_event_or_news_after_cancellation_is_stale() {
        let canceled = decide(
            &AccountState::default(),
            &event(sub("sub_1", SubscriptionStatus::Canceled), T),
        )
        .unwrap();
        let late = event(
            sub("sub_1", SubscriptionStatus::Active),
            T - time::Duration::seconds(5),
        );
        assert_eq!(decide(&canceled, &late), None);
        let same_second = event(sub("sub_1", SubscriptionStatus::Active), T);
        assert_eq!(decide(&canceled, &same_second), None);
    }

    #[test]
    fn past_due_since_is_kept_while_the_subscription_stays_past_due() {
        let first = decide(
            &AccountState::default(),
            &event(sub("sub_1", SubscriptionStatus::PastDue), T),
        )
        .unwrap();
        let again = decide(
            &first,
            &event(
                sub("sub_1", SubscriptionStatus::PastDue),
                T + time::Duration::days(1),
            ),
        )
        .unwrap();
        assert_eq!(again.past_due_since, Some(T));
    }

    #[test]
    fn the_end_of_an_older_subscription_leaves_the_newer_one_alone() {
        let current = decide(
            &AccountState::default(),
            &event(sub("sub_2", SubscriptionStatus::Active), T),
        )
        .unwrap();
        let old_ended = event(
            sub("sub_1", SubscriptionStatus::Canceled),
            T + time::Duration::minutes(1),
        );
        assert_eq!(decide(&current, &old_ended), None);
    }

    #[test]
    fn a_paid_invoice_ends_past_due() {
        let past_due = decide(
            &AccountState::default(),
            &event(sub("sub_1", SubscriptionStatus::PastDue), T),
        )
        .unwrap();
        let paid = event(
            BillingChange::InvoicePaid {
                subscription: "sub_1".into(),
            },
            T + time::Duration::hours(1),
        );
        let next = decide(&past_due, &paid).unwrap();
        assert_eq!(next.status, Some(SubscriptionStatus::Active));
        assert_eq!(next.past_due_since, None);
    }
}
