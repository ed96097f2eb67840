//! Delivering the digests. Three queued steps, so any number of workers share the work
//! and a crash between steps loses and repeats nothing:
//!
//! 1. `deliver` (the scheduled round): finds subscribers whose local send time has come
//!    and queues one `prepare_digest` per subscriber and slot (a unique task key);
//! 2. `prepare_digest`: ranks the jobs and writes the delivery, its items and the
//!    `send_delivery` task in one transaction (the outbox); a slot is written once, and a
//!    job is never written twice for one subscriber (database constraints);
//! 3. `send_delivery`: claims the delivery's send (one owner at a time, with a lease:
//!    workers, `jobping send-due` and retries all go through the claim), renders and
//!    sends, then marks the delivery sent, retrying that mark while the claim holds. The
//!    email's id is the delivery's id: Resend drops a repeat by its idempotency key, the
//!    file outbox overwrites the same file, and SMTP may at worst repeat one email if the
//!    process dies (or the database stays away past the claim) between handing it over
//!    and marking it sent.

pub mod cadence;
mod index;
pub mod prepare;
mod round;
pub mod send;

use jobping_core::Tier;

pub use self::index::JobIndexCache;
pub use self::prepare::{PrepareDigest, Prepared, plan, prepare, prepare_welcome};
pub use self::round::{DeliveryRound, Due, RoundReport, due, run_round};
pub use self::send::{SendDelivery, SendOutcome, send};
use crate::settings::DeliverySettings;
use crate::state::AppState;

/// The scheduled round's task kind (and schedule name).
pub const ROUND: &str = "deliver";
/// One subscriber's digest for one slot.
pub const PREPARE: &str = "prepare_digest";
/// Sending one recorded delivery.
pub const SEND: &str = "send_delivery";

/// The operator switch that pauses all sending, and the one per tier (`sending:free`).
pub const SENDING_SWITCH: &str = "sending";

/// How long a delivery's send claim holds: long enough to send and to keep retrying
/// the "sent" mark through a database outage of a minute or more, short enough that a
/// sender that died is replaced within minutes. Four task leases, at least a minute.
pub fn send_claim_lease(queue: &crate::settings::QueueSettings) -> std::time::Duration {
    (queue.lease * 4).max(std::time::Duration::from_secs(60))
}

/// The cadence and size of a tier's digests.
pub fn cadence_for(settings: &DeliverySettings, tier: Tier) -> (&cadence::Cadence, usize) {
    match tier {
        Tier::Free => (&settings.free, settings.free_jobs),
        Tier::Premium => (&settings.premium, settings.premium_jobs),
    }
}

/// Whether sending to `tier` is paused, by the settings or by an operator switch.
pub async fn sending_paused(state: &AppState, tier: Tier) -> anyhow::Result<bool> {
    let settings = &state.settings.delivery;
    if settings.paused || settings.paused_tiers.contains(&tier) {
        return Ok(true);
    }
    let all = state.store.switch(SENDING_SWITCH).await?;
    let one = state
        .store
        .switch(&format!("{SENDING_SWITCH}:{}", tier.as_str()))
        .await?;
    Ok(all == Some(false) || one == Some(false))
}
