//! JobPing's emails: [`templates`] turn plain data from the app into subject, text and
//! HTML, and a [`Mailer`] renders an [`OutgoingEmail`] into MIME, DKIM-signs it, and
//! hands it to a transport (`.eml` files in a folder, SMTP, or Resend's HTTP API).
//! [`dkim`] and [`dns`] are the tooling behind it: reading and making keys, and the DNS
//! records a sending domain needs.
//!
//! This crate renders and sends; it never reads the store. The app's workers decide who
//! gets what, sign the links, and record the outcome ([`Sent`] or [`SendError`]).

#![forbid(unsafe_code)]

pub mod dkim;
pub mod dns;
mod email;
mod mailer;
mod mime;
pub mod templates;
#[cfg(feature = "testing")]
pub mod testing;
mod transport;

pub use dkim::{DkimKey, DkimKeyError, DkimSettings};
pub use email::{EmailKind, ListUnsubscribe, OutgoingEmail};
pub use mailer::{MailError, Mailer, MailerConfig, SendError, Sent, TransportConfig};
