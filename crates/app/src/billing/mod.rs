//! Premium through Stripe. People pay on Stripe's pages (Checkout, the customer portal);
//! JobPing learns what happened only from signed webhook events, and only those move a
//! subscriber's tier (see the store's `apply_stripe_event`, which also audits it). No
//! form or API body can set a tier.

mod client;
pub mod events;
pub mod signature;

use async_trait::async_trait;
use jobping_store::{BillingOutcome, ClaimedTask, StripeEvent};
use time::OffsetDateTime;

pub use self::client::{CheckoutRequest, STRIPE_VERSION, Stripe, StripeError};
use self::events::Notice;
use crate::journey::email::{self, EmailTask};
use crate::state::AppState;
use crate::worker::{TaskError, TaskHandler};

/// The scheduled job (and task kind) that ends past_due grace periods.
pub const GRACE_TASK: &str = "billing_grace";

/// Applies a verified event: the subscriber it concerns is found by our metadata or by
/// the Stripe customer; a failed payment queues the email in the same transaction.
pub async fn apply(state: &AppState, notice: Notice, now: OffsetDateTime) -> anyhow::Result<BillingOutcome> {
    let subscriber = match (notice.subscriber, &notice.customer) {
        (Some(id), _) => Some(id),
        (None, Some(customer)) => state.store.subscriber_by_customer(customer).await?,
        (None, None) => None,
    };
    let task = match (&notice.payment_failed, subscriber) {
        (Some(invoice), Some(subscriber)) => {
            let mut task = email::task(subscriber, EmailTask::PaymentFailed, now)?;
            // Stripe reports each failed retry of an invoice: the subscriber hears once.
            task.unique_key = Some(format!("email:payment_failed:{invoice}"));
            Some(task)
        }
        _ => None,
    };
    let event = StripeEvent {
        event_id: notice.id,
        kind: notice.kind,
        created: notice.created,
        received_at: now,
        subscriber,
        customer_id: notice.customer,
        change: notice.change,
        grace: state.settings.stripe.past_due_grace,
        task,
    };
    Ok(state
        .store
        .apply_stripe_event(&event, state.signer.audit_key())
        .await?)
}

/// The `billing_grace` task: subscribers past_due for longer than the grace become free.
pub struct BillingGrace;

#[async_trait]
impl TaskHandler for BillingGrace {
    async fn run(&self, state: &AppState, _task: &ClaimedTask) -> Result<(), TaskError> {
        let now = OffsetDateTime::now_utc();
        let grace = time::Duration::try_from(state.settings.stripe.past_due_grace)
            .map_err(|err| TaskError::Permanent(err.into()))?;
        let expired = state
            .store
            .expire_past_due(now - grace, state.signer.audit_key(), now)
            .await
            .map_err(|err| TaskError::Retry(err.into()))?;
        if !expired.is_empty() {
            tracing::info!(count = expired.len(), "past_due grace ended: back to free");
        }
        Ok(())
    }
}
