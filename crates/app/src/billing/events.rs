//! Reading a Stripe event (already verified) into what it means for JobPing. Payloads
//! follow the webhook endpoint's API version, not ours, so both the older shapes
//! (`current_period_end` on the subscription, `subscription` on the invoice) and the
//! newer ones (on the subscription's items; under the invoice's `parent`) are read.

use std::str::FromStr;

use jobping_store::{BillingChange, SubscriptionStatus};
use serde_json::Value;
use time::OffsetDateTime;
use uuid::Uuid;

/// What an event asks of JobPing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub id: String,
    pub kind: String,
    pub created: OffsetDateTime,
    /// The subscriber our metadata names, when it does.
    pub subscriber: Option<Uuid>,
    pub customer: Option<String>,
    pub change: BillingChange,
    /// An invoice payment failed: the subscriber is told (the invoice id, to tell once).
    pub payment_failed: Option<String>,
}

/// How the endpoint treats an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handling {
    Apply(Notice),
    /// A type JobPing does not act on: answered 200 and not kept.
    Ignore {
        id: String,
        kind: String,
    },
}

/// What is wrong with a body; named so Stripe's dashboard shows why it was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    #[error("the body is not JSON: {0}")]
    NotJson(String),
    #[error("the event has no `{0}`")]
    Missing(&'static str),
    #[error("`{0}` has the wrong type")]
    WrongType(&'static str),
}

/// The event types that change anything.
pub const HANDLED: &[&str] = &[
    "checkout.session.completed",
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "invoice.paid",
    "invoice.payment_failed",
];

pub fn read(body: &[u8]) -> Result<Handling, EventError> {
    let event: Value = serde_json::from_slice(body).map_err(|err| EventError::NotJson(err.to_string()))?;
    if !event.is_object() {
        return Err(EventError::WrongType("event"));
    }
    let id = text(&event, "id")?.ok_or(EventError::Missing("id"))?;
    let kind = text(&event, "type")?.ok_or(EventError::Missing("type"))?;
    if !HANDLED.contains(&kind.as_str()) {
        return Ok(Handling::Ignore { id, kind });
    }
    let created = match event.get("created") {
        None | Some(Value::Null) => return Err(EventError::Missing("created")),
        Some(value) => value
            .as_i64()
            .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
            .ok_or(EventError::WrongType("created"))?,
    };
    let object = event
        .get("data")
        .and_then(|data| data.get("object"))
        .ok_or(EventError::Missing("data.object"))?;
    if !object.is_object() {
        return Err(EventError::WrongType("data.object"));
    }
    let customer = reference(object, "customer")?;
    let mut notice = Notice {
        id,
        kind: kind.clone(),
        created,
        subscriber: subscriber_in(object.get("metadata")),
        customer,
        change: BillingChange::Record,
        payment_failed: None,
    };
    match kind.as_str() {
        "checkout.session.completed" => {
            notice.subscriber = notice.subscriber.or_else(|| {
                object
                    .get("client_reference_id")
                    .and_then(Value::as_str)
                    .and_then(uuid)
            });
            let paid = matches!(
                object.get("payment_status").and_then(Value::as_str),
                Some("paid" | "no_payment_required")
            );
            let subscription_mode = object.get("mode").and_then(Value::as_str) == Some("subscription");
            if let (true, true, Some(subscription)) =
                (paid, subscription_mode, reference(object, "subscription")?)
            {
                notice.change = BillingChange::Subscription {
                    id: subscription,
                    status: SubscriptionStatus::Active,
                    current_period_end: None,
                };
            }
        }
        "customer.subscription.created"
        | "customer.subscription.updated"
        | "customer.subscription.deleted" => {
            let id = text(object, "id")?.ok_or(EventError::Missing("data.object.id"))?;
            let raw = text(object, "status")?.ok_or(EventError::Missing("data.object.status"))?;
            let status = if kind == "customer.subscription.deleted" {
                Some(SubscriptionStatus::Canceled)
            } else {
                SubscriptionStatus::from_str(&raw).ok()
            };
            match status {
                Some(status) => {
                    notice.change = BillingChange::Subscription {
                        id,
                        status,
                        current_period_end: period_end(object),
                    }
                }
                // A status newer than our pinned version: kept, acted on by nothing.
                None => tracing::warn!(status = %raw, "a Stripe subscription status JobPing does not know"),
            }
        }
        "invoice.paid" | "invoice.payment_failed" => {
            let parent = object.get("parent").and_then(|p| p.get("subscription_details"));
            let details = object.get("subscription_details").or(parent);
            notice.subscriber = notice
                .subscriber
                .or_else(|| subscriber_in(details.and_then(|d| d.get("metadata"))));
            let subscription = match reference(object, "subscription")? {
                Some(id) => Some(id),
                None => match parent {
                    Some(parent) => reference(parent, "subscription")?,
                    None => None,
                },
            };
            if kind == "invoice.paid" {
                if let Some(subscription) = subscription {
                    notice.change = BillingChange::InvoicePaid { subscription };
                }
            } else {
                notice.payment_failed = Some(text(object, "id")?.unwrap_or_else(|| notice.id.clone()));
            }
        }
        _ => {}
    }
    Ok(Handling::Apply(notice))
}

/// A string field; `None` when absent or null.
fn text(object: &Value, key: &'static str) -> Result<Option<String>, EventError> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if !s.is_empty() => Ok(Some(s.clone())),
        Some(Value::String(_)) => Ok(None),
        Some(_) => Err(EventError::WrongType(key)),
    }
}

/// An id, or an expanded object's id.
fn reference(object: &Value, key: &'static str) -> Result<Option<String>, EventError> {
    match object.get(key) {
        Some(Value::Object(expanded)) => match expanded.get("id") {
            Some(Value::String(id)) => Ok(Some(id.clone())),
            _ => Err(EventError::WrongType(key)),
        },
        _ => text(object, key),
    }
}

fn uuid(text: &str) -> Option<Uuid> {
    Uuid::parse_str(text.trim()).ok()
}

fn subscriber_in(metadata: Option<&Value>) -> Option<Uuid> {
    metadata?.get("subscriber")?.as_str().and_then(uuid)
}

/// The end of the current period: on the subscription (older versions) or on its
/// first item (newer ones).
fn period_end(subscription: &Value) -> Option<OffsetDateTime> {
    subscription
        .get("current_period_end")
        .and_then(Value::as_i64)
        .or_else(|| {
            subscription
                .pointer("/items/data/0/current_period_end")
                .and_then(Value::as_i64)
        })
        .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const ADA: &str = "0193a0c4-7f3e-7b21-9c55-2f4a8e61d0b7";

    fn apply(value: Value) -> Notice {
        match read(value.to_string().as_bytes()).unwrap() {
            Handling::Apply(notice) => notice,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_subscription_update_in_the_older_shape() {
        let notice = apply(json!({
            "id": "evt_1QaZ", "object": "event", "type": "customer.subscription.updated",
            "created": 1_764_756_000, "api_version": "2024-06-20", "livemode": false,
            "data": { "object": {
                "id": "sub_1QaY", "object": "subscription", "customer": "cus_R2x",
                "status": "past_due", "current_period_end": 1_767_348_000,
                "metadata": { "subscriber": ADA }
            }, "previous_attributes": { "status": "active" } }
        }));
        assert_eq!(notice.subscriber, Some(Uuid::parse_str(ADA).unwrap()));
        assert_eq!(notice.customer.as_deref(), Some("cus_R2x"));
        assert_eq!(
            notice.change,
            BillingChange::Subscription {
                id: "sub_1QaY".into(),
                status: SubscriptionStatus::PastDue,
                current_period_end: OffsetDateTime::from_unix_timestamp(1_767_348_000).ok(),
            }
        );
    }

    #[test]
    fn newer_shapes_put_the_period_on_items_and_the_subscription_under_parent() {
        let sub = apply(json!({
            "id": "evt_2", "type": "customer.subscription.created", "created": 1_764_756_000,
            "data": { "object": {
                "id": "sub_2", "customer": { "id": "cus_X", "object": "customer" }, "status": "trialing",
                "items": { "object": "list", "data": [ { "id": "si_1", "current_period_end": 1_767_000_000 } ] }
            } }
        }));
        assert_eq!(sub.customer.as_deref(), Some("cus_X"));
        assert!(matches!(
            sub.change,
            BillingChange::Subscription {
                current_period_end: Some(_),
                ..
            }
        ));
        let paid = apply(json!({
            "id": "evt_3", "type": "invoice.paid", "created": 1_764_756_000,
            "data": { "object": {
                "id": "in_1", "customer": "cus_X",
                "parent": { "type": "subscription_details", "subscription_details": {
                    "subscription": "sub_2", "metadata": { "subscriber": ADA } } }
            } }
        }));
        assert_eq!(
            paid.change,
            BillingChange::InvoicePaid {
                subscription: "sub_2".into()
            }
        );
        assert_eq!(paid.subscriber, Some(Uuid::parse_str(ADA).unwrap()));
    }

    #[test]
    fn a_deletion_is_a_cancellation_and_a_failed_payment_names_its_invoice() {
        let deleted = apply(json!({
            "id": "evt_4", "type": "customer.subscription.deleted", "created": 1_764_756_000,
            "data": { "object": { "id": "sub_2", "customer": "cus_X", "status": "active" } }
        }));
        assert!(matches!(
            deleted.change,
            BillingChange::Subscription {
                status: SubscriptionStatus::Canceled,
                ..
            }
        ));
        let failed = apply(json!({
            "id": "evt_5", "type": "invoice.payment_failed", "created": 1_764_756_000,
            "data": { "object": { "id": "in_9", "customer": "cus_X", "subscription": "sub_2" } }
        }));
        assert_eq!(failed.change, BillingChange::Record);
        assert_eq!(failed.payment_failed.as_deref(), Some("in_9"));
    }

    #[test]
    fn checkout_grants_premium_only_when_paid_in_subscription_mode() {
        let body = |status: &str| {
            json!({
                "id": "evt_6", "type": "checkout.session.completed", "created": 1_764_756_000,
                "data": { "object": {
                    "id": "cs_test_1", "mode": "subscription", "payment_status": status,
                    "client_reference_id": ADA, "customer": "cus_X", "subscription": "sub_3"
                } }
            })
        };
        let paid = apply(body("paid"));
        assert_eq!(paid.subscriber, Some(Uuid::parse_str(ADA).unwrap()));
        assert!(matches!(
            paid.change,
            BillingChange::Subscription {
                status: SubscriptionStatus::Active,
                ..
            }
        ));
        assert_eq!(apply(body("unpaid")).change, BillingChange::Record);
    }

    #[test]
    fn unknown_types_are_ignored_and_malformed_bodies_are_named() {
        assert_eq!(
            read(br#"{"id":"evt_7","type":"customer.created","data":{}}"#).unwrap(),
            Handling::Ignore {
                id: "evt_7".into(),
                kind: "customer.created".into()
            }
        );
        assert!(matches!(read(b"{not json"), Err(EventError::NotJson(_))));
        assert_eq!(read(br#"[1,2]"#), Err(EventError::WrongType("event")));
        assert_eq!(
            read(br#"{"type":"invoice.paid"}"#),
            Err(EventError::Missing("id"))
        );
        assert_eq!(
            read(br#"{"id":"evt_8","type":"invoice.paid","data":{"object":{}}}"#),
            Err(EventError::Missing("created"))
        );
        assert_eq!(
            read(br#"{"id":"evt_8","type":"invoice.paid","created":"soon","data":{"object":{}}}"#),
            Err(EventError::WrongType("created"))
        );
        assert_eq!(
            read(br#"{"id":"evt_8","type":"customer.subscription.updated","created":1,"data":{"object":{"id":"sub_1"}}}"#),
            Err(EventError::Missing("data.object.status"))
        );
        assert_eq!(
            read(br#"{"id":"evt_8","type":"invoice.paid","created":1,"data":{"object":{"customer":42}}}"#),
            Err(EventError::WrongType("customer"))
        );
    }
}
