//! Where rendered messages go.

mod file;
mod resend;
mod smtp;

pub(crate) use file::FileTransport;
pub(crate) use resend::ResendTransport;
pub(crate) use smtp::{SmtpTransport, redacted};
