//! The mailer: configuration, errors, and `send`.

use std::fmt;
use std::path::PathBuf;

use lettre::message::Mailbox;
use tracing::instrument;
use url::Url;

use crate::email::OutgoingEmail;
use crate::mime;
use crate::transport::{FileTransport, SmtpTransport, redacted};

/// How the mailer is set up.
#[derive(Clone, Debug)]
pub struct MailerConfig {
    /// Where mail goes.
    pub transport: TransportConfig,
    /// The sender, `Name <address>` or a bare address, e.g. `JobPing <jobs@localhost>`.
    pub from: String,
}

/// Where mail goes.
#[derive(Clone, PartialEq, Eq)]
pub enum TransportConfig {
    /// `.eml` files in this folder (created when missing), named `<id>.eml`: written to a
    /// temporary name and renamed, so a reader never sees half a message, and a retried
    /// send of the same email replaces its file rather than adding one.
    File(PathBuf),
    /// An SMTP server:
    /// - `smtp://host[:port]`: STARTTLS when the server offers it, plain otherwise
    ///   (opportunistic); port 587 by default.
    /// - `smtp://host[:port]?tls=required`: STARTTLS or fail.
    /// - `smtp://host[:port]?tls=none`: never TLS, for a server on loopback in tests.
    /// - `smtps://host[:port]`: TLS from the first byte; port 465 by default.
    ///
    /// `user:password@` in the URL are the credentials, percent-decoded.
    Smtp(Url),
}

// By hand: an SMTP URL may carry a password.
impl fmt::Debug for TransportConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::File(dir) => write!(f, "File({})", dir.display()),
            Self::Smtp(url) => write!(f, "Smtp({})", redacted(url)),
        }
    }
}

/// Why a mailer could not be built from its configuration.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The sender is not a mailbox.
    #[error("the mail sender (from) `{from}` is not a valid mailbox: {reason}")]
    InvalidFrom { from: String, reason: String },
    /// The transport URL's scheme is not one this crate speaks.
    #[error("unsupported mail transport URL scheme `{0}`: use smtp:// or smtps://")]
    UnsupportedScheme(String),
    /// The SMTP URL is malformed (the password is never shown).
    #[error("the SMTP URL {url} is not usable: {reason}")]
    InvalidSmtpUrl { url: String, reason: String },
    /// An SMTP mailer was built outside a Tokio runtime.
    #[error("an SMTP mailer must be built inside a Tokio runtime (its connection pool runs there)")]
    NoRuntime,
}

/// An email that the transport accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sent {
    /// The Message-ID header as written, `<id@from-domain>`.
    pub message_id: String,
}

/// Why an email was not sent. The app retries `Transient` with backoff and gives up on
/// `Permanent` (and suppresses the address when the server said it does not exist).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Worth retrying later: SMTP 4xx, no connection, a timeout, a failed file write.
    #[error("transient send failure: {0}")]
    Transient(String),
    /// Retrying the same email will fail the same way: SMTP 5xx, an unusable message.
    #[error("permanent send failure: {0}")]
    Permanent(String),
}

impl SendError {
    /// Whether a later retry may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Transient(_))
    }
}

/// Renders emails into MIME and hands them to the configured transport. Cheap to clone:
/// clones share the SMTP connection pool.
#[derive(Clone, Debug)]
pub struct Mailer {
    from: Mailbox,
    transport: Transport,
}

#[derive(Clone, Debug)]
enum Transport {
    File(FileTransport),
    Smtp(SmtpTransport),
}

impl Mailer {
    /// Checks the sender and builds the transport. For SMTP that is the connection pool,
    /// which needs a Tokio runtime; no connection is opened until the first send.
    pub fn new(config: MailerConfig) -> Result<Self, MailError> {
        let from: Mailbox = config.from.parse().map_err(|err| MailError::InvalidFrom {
            from: config.from.clone(),
            reason: format!("{err}"),
        })?;
        let transport = match config.transport {
            TransportConfig::File(dir) => Transport::File(FileTransport::new(dir)),
            TransportConfig::Smtp(url) => Transport::Smtp(SmtpTransport::new(&url)?),
        };
        Ok(Self { from, transport })
    }

    /// The domain of the sender's address: the Message-ID's right-hand side, and the
    /// domain that DKIM will sign for.
    pub fn from_domain(&self) -> &str {
        self.from.email.domain()
    }

    /// Renders the MIME message (multipart/alternative text + html, UTF-8, Message-ID on
    /// the from-address domain, Date, the List-Unsubscribe headers when set) and hands it
    /// to the transport.
    #[instrument(skip_all, fields(email_id = %email.id, kind = email.kind.as_str(), to = %email.to.masked()))]
    pub async fn send(&self, email: &OutgoingEmail) -> Result<Sent, SendError> {
        let message = mime::build(email, &self.from)?;
        // DKIM signing goes here, once configured: `message.sign(&dkim)` on a `mut`
        // message. Both transports below write the signed bytes as they are.
        let message_id = mime::message_id(email.id, self.from_domain());
        let result = match &self.transport {
            Transport::File(file) => file.deliver(email.id, &message).await,
            Transport::Smtp(smtp) => smtp.deliver(message).await,
        };
        match &result {
            Ok(()) => tracing::info!(%message_id, "email sent"),
            Err(err) => tracing::warn!(error = %err, "email not sent"),
        }
        result.map(|()| Sent { message_id })
    }
}
