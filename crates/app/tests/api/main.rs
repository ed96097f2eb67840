//! The app's integration tests: the real app on port 0 against a fresh database.

mod admin;
mod api_v1;
mod billing;
mod cli;
mod client_addresses;
mod console_login;
mod delivery;
mod doctor;
mod forwarder;
mod health;
mod helpers;
mod ingest;
mod journey;
mod limits;
mod matching;
mod plans;
mod rerank;
mod scheduler;
mod secrets_at_rest;
mod send_outage;
mod serving;
mod webhook_limits;
mod worker;
