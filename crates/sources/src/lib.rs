//! JobPing's job sources: one adapter per job board (each turns a payload into
//! [`jobping_core::RawPosting`]s) and the polite fetching they share. Sources fetch and
//! parse; they never write to the store.
#![forbid(unsafe_code)]

pub mod adapters;
pub mod evaluation;
pub mod fetch;
