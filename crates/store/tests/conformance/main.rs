//! One conformance suite: every `Store` behaviour, run against SQLite and PostgreSQL.

mod audit;
mod billing;
mod delivery;
mod feedback;
mod gdpr;
mod jobs;
mod journey;
mod leases;
mod operators;
mod queue;
mod schedules;
mod secrets;
mod send_claims;
mod subscribers;

use time::OffsetDateTime;

/// A fixed, whole-microsecond instant, so times round-trip exactly on both backends.
pub fn t0() -> OffsetDateTime {
    time::macros::datetime!(2026-11-25 09:00:00 UTC)
}

/// The key audit entries hash addresses under in these tests.
pub fn audit_key() -> jobping_core::AuditKey {
    jobping_core::AuditKey::derive(b"conformance secret")
}

pub fn secs(n: i64) -> time::Duration {
    time::Duration::seconds(n)
}
