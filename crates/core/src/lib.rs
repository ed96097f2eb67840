//! JobPing's domain: the types every other crate speaks, with no I/O.
//!
//! Raw input becomes one of these types at the edge (a form, an API body, a row);
//! past the edge, code takes the type and never re-checks it.
#![forbid(unsafe_code)]

mod email;
mod subscriber;

pub use email::{EmailAddress, EmailError};
pub use subscriber::{SubscriberStatus, Tier, UnknownVariant};
