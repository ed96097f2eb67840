//! The mail crate's integration tests, one binary.

mod config;
mod file_transport;
mod helpers;
mod smtp_transport;
mod templates;
