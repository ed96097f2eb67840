//! The sources crate's integration tests: adapters against recorded-shape payloads,
//! fetching against servers on loopback.

mod adapters;
mod evaluation;
mod fetch;
