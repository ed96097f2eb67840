//! The mail crate's integration tests, one binary.

mod config;
mod digest_templates;
mod dkim;
mod dns;
mod file_transport;
mod helpers;
mod resend;
mod smtp_transport;
mod templates;
