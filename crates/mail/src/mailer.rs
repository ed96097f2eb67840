//! The mailer: configuration, errors, and `send`.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use lettre::message::Mailbox;
use tracing::instrument;
use url::Url;

use crate::dkim::DkimSettings;
use crate::dkim::signer::Signer;
use crate::email::OutgoingEmail;
use crate::mime;
use crate::transport::{FileTransport, ResendTransport, SmtpTransport, redacted};

/// How the mailer is set up.
#[derive(Clone, Debug)]
pub struct MailerConfig {
    /// Where mail goes.
    pub transport: TransportConfig,
    /// The sender, `Name <address>` or a bare address, e.g. `JobPing <jobs@localhost>`.
    pub from: String,
    /// DKIM-sign with this key for the From address's domain; file and SMTP transports
    /// only (Resend signs with the key it keeps for the domain).
    pub dkim: Option<DkimSettings>,
}

impl MailerConfig {
    /// A configuration without DKIM signing.
    pub fn new(transport: TransportConfig, from: impl Into<String>) -> Self {
        Self {
            transport,
            from: from.into(),
            dkim: None,
        }
    }

    /// The same, DKIM-signed with `dkim`.
    pub fn with_dkim(mut self, dkim: DkimSettings) -> Self {
        self.dkim = Some(dkim);
        self
    }
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
    /// Resend's HTTP API: `POST {base_url}/emails` with the API key as a Bearer token and
    /// the email id as the `Idempotency-Key`. Needs a rustls crypto provider installed
    /// in the process (`rustls::crypto::ring::default_provider().install_default()`).
    Resend {
        /// `https://api.resend.com` in production; a local stand-in in tests.
        base_url: Url,
        /// `re_…`; never shown by `Debug` or in errors.
        api_key: String,
    },
}

// By hand: an SMTP URL may carry a password, and Resend needs an API key.
impl fmt::Debug for TransportConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::File(dir) => write!(f, "File({})", dir.display()),
            Self::Smtp(url) => write!(f, "Smtp({})", redacted(url)),
            Self::Resend { base_url, .. } => f
                .debug_struct("Resend")
                .field("base_url", &base_url.as_str())
                .field("api_key", &"<redacted>")
                .finish(),
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
    /// The DKIM selector is not a DNS label.
    #[error("the DKIM selector `{0}` must be DNS labels (letters, digits and hyphens, separated by dots)")]
    InvalidDkimSelector(String),
    /// lettre would not take the DKIM key (it was read fine, so this is a bug).
    #[error("the DKIM key could not be set up for signing: {0}")]
    InvalidDkimKey(String),
    /// The Resend settings are not usable (the API key is never shown).
    #[error("the Resend settings are not usable: {0}")]
    InvalidResend(String),
    /// No rustls crypto provider is installed, so no HTTPS client can be built.
    #[error(
        "the Resend transport needs a TLS crypto provider: install one at start with \
         `rustls::crypto::ring::default_provider().install_default()`"
    )]
    NoTlsProvider,
}

/// An email that the transport accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sent {
    /// The Message-ID header as written, `<id@from-domain>`; for Resend, the id Resend
    /// gave the email (its webhooks name the email by it).
    pub message_id: String,
}

/// Why an email was not sent. The app retries `Transient` with backoff and gives up on
/// `Permanent` (and suppresses the address when the server said it does not exist).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Worth retrying later: SMTP 4xx, HTTP 429 or 5xx, no connection, a timeout, a
    /// failed file write.
    #[error("transient send failure: {0}")]
    Transient(String),
    /// Retrying the same email will fail the same way: SMTP 5xx, HTTP 4xx, an unusable
    /// message.
    #[error("permanent send failure: {0}")]
    Permanent(String),
}

impl SendError {
    /// Whether a later retry may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Transient(_))
    }
}

/// Renders emails into MIME, DKIM-signs them when configured, and hands them to the
/// configured transport. Cheap to clone: clones share the SMTP connection pool, the HTTP
/// client and the signing key.
#[derive(Clone, Debug)]
pub struct Mailer {
    from: Mailbox,
    transport: Transport,
    signer: Option<Arc<Signer>>,
}

#[derive(Clone, Debug)]
enum Transport {
    File(FileTransport),
    Smtp(SmtpTransport),
    Resend(ResendTransport),
}

impl Mailer {
    /// Checks the sender, sets up DKIM signing, and builds the transport. For SMTP that
    /// is the connection pool, which needs a Tokio runtime; no connection is opened until
    /// the first send.
    pub fn new(config: MailerConfig) -> Result<Self, MailError> {
        let from: Mailbox = config.from.parse().map_err(|err| MailError::InvalidFrom {
            from: config.from.clone(),
            reason: format!("{err}"),
        })?;
        let transport = match config.transport {
            TransportConfig::File(dir) => Transport::File(FileTransport::new(dir)),
            TransportConfig::Smtp(url) => Transport::Smtp(SmtpTransport::new(&url)?),
            TransportConfig::Resend { base_url, api_key } => {
                Transport::Resend(ResendTransport::new(&base_url, &api_key)?)
            }
        };
        let signer = match (&config.dkim, &transport) {
            (Some(_), Transport::Resend(_)) => {
                tracing::info!("the DKIM key is not used: Resend signs with the key it keeps for the domain");
                None
            }
            (Some(dkim), _) => Some(Arc::new(Signer::new(dkim, from.email.domain())?)),
            (None, _) => None,
        };
        Ok(Self {
            from,
            transport,
            signer,
        })
    }

    /// The domain of the sender's address: the Message-ID's right-hand side, and the
    /// domain that DKIM will sign for.
    pub fn from_domain(&self) -> &str {
        self.from.email.domain()
    }

    /// Whether emails leave DKIM-signed by this mailer.
    pub fn signs_dkim(&self) -> bool {
        self.signer.is_some()
    }

    /// Renders the MIME message (multipart/alternative text + html, UTF-8, Message-ID on
    /// the from-address domain, Date, the List-Unsubscribe headers when set), signs it,
    /// and hands it to the transport; Resend gets the parts as JSON instead.
    #[instrument(skip_all, fields(email_id = %email.id, kind = email.kind.as_str(), to = %email.to.masked()))]
    pub async fn send(&self, email: &OutgoingEmail) -> Result<Sent, SendError> {
        let result = match &self.transport {
            Transport::File(file) => {
                let message = self.message(email)?;
                file.deliver(email.id, &message)
                    .await
                    .map(|()| self.message_id(email))
            }
            Transport::Smtp(smtp) => {
                let message = self.message(email)?;
                smtp.deliver(message).await.map(|()| self.message_id(email))
            }
            Transport::Resend(resend) => resend.deliver(email, &self.from).await,
        };
        match &result {
            Ok(message_id) => tracing::info!(%message_id, "email sent"),
            Err(err) => tracing::warn!(error = %err, "email not sent"),
        }
        result.map(|message_id| Sent { message_id })
    }

    /// The MIME message, signed when a key is configured.
    fn message(&self, email: &OutgoingEmail) -> Result<lettre::Message, SendError> {
        let mut message = mime::build(email, &self.from)?;
        if let Some(signer) = &self.signer {
            signer.sign(&mut message);
        }
        Ok(message)
    }

    fn message_id(&self, email: &OutgoingEmail) -> String {
        mime::message_id(email.id, self.from_domain())
    }
}
