//! Where rendered messages go.

mod file;
mod smtp;

pub(crate) use file::FileTransport;
pub(crate) use smtp::{SmtpTransport, redacted};
