//! SMTP: lettre's client protocol on connections this module opens and pools itself.
//!
//! lettre's own pool (0.11.23) leaves Nagle's algorithm on, and writes the message and
//! its final `.` separately, so every email waits for the server's delayed ACK: 40 ms
//! on Linux, up to 200 ms elsewhere, which capped a connection at about 22 emails a
//! second. This module sets TCP_NODELAY on each connection (lettre#1159 does the same
//! upstream; once a release has it, lettre's pool can come back).

mod stream;

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lettre::Message;
use lettre::transport::smtp::authentication::{Credentials, DEFAULT_MECHANISMS};
use lettre::transport::smtp::client::{AsyncSmtpConnection, AsyncTokioStream, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use percent_encoding::percent_decode_str;
use tokio::net::TcpStream;
use url::{Host, Url};

use crate::{MailError, SendError};

const SUBMISSION_PORT: u16 = 587;
const SUBMISSIONS_PORT: u16 = 465;
// Long enough for a slow relay, short enough that a stuck one frees the worker.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
// A whole transaction: MAIL, RCPT, DATA, the message and the relay's verdict on it.
const SEND_TIMEOUT: Duration = Duration::from_secs(120);
// An idle connection older than this is closed rather than reused, as lettre's pool does.
const MAX_IDLE: Duration = Duration::from_secs(60);
// Idle connections kept for reuse; more may be open while sends are in flight.
const MAX_POOLED: usize = 32;

/// A pool of SMTP connections to one server, shared by clones.
#[derive(Clone)]
pub(crate) struct SmtpTransport {
    inner: Arc<Inner>,
}

struct Inner {
    host: String,
    port: u16,
    security: Security,
    credentials: Option<Credentials>,
    hello: ClientId,
    idle: Mutex<Vec<(AsyncSmtpConnection, Instant)>>,
    // For Debug and errors: scheme, host and port only.
    endpoint: String,
}

enum Security {
    None,
    /// STARTTLS when the server offers it.
    Opportunistic(TlsParameters),
    /// STARTTLS or fail.
    Required(TlsParameters),
    /// TLS from the first byte.
    Implicit(stream::TlsConnector),
}

// By hand: the credentials stay out of logs.
impl fmt::Debug for SmtpTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpTransport")
            .field("endpoint", &self.inner.endpoint)
            .finish()
    }
}

impl SmtpTransport {
    /// Reads the URL (see `TransportConfig::Smtp`) and sets up the pool; connects lazily.
    pub(crate) fn new(url: &Url) -> Result<Self, MailError> {
        let invalid = |reason: String| MailError::InvalidSmtpUrl {
            url: redacted(url),
            reason,
        };
        let scheme = url.scheme();
        if scheme != "smtp" && scheme != "smtps" {
            return Err(MailError::UnsupportedScheme(scheme.to_owned()));
        }
        let host = match url.host() {
            Some(Host::Domain("")) | None => return Err(invalid("it names no host".into())),
            Some(Host::Domain(domain)) => domain.to_owned(),
            Some(Host::Ipv4(ip)) => ip.to_string(),
            Some(Host::Ipv6(ip)) => ip.to_string(),
        };
        if !matches!(url.path(), "" | "/") {
            return Err(invalid(format!(
                "the path `{}` means nothing here; remove it",
                url.path()
            )));
        }
        let mut tls_mode = None;
        for (key, value) in url.query_pairs() {
            match key.as_ref() {
                "tls" => tls_mode = Some(value.into_owned()),
                other => {
                    return Err(invalid(format!(
                        "unknown query parameter `{other}`; only `tls` is understood"
                    )));
                }
            }
        }
        let tls_parameters = || {
            TlsParameters::new(host.clone()).map_err(|err| invalid(format!("TLS could not be set up: {err}")))
        };
        let (security, default_port) = match (scheme, tls_mode.as_deref()) {
            ("smtp", None | Some("opportunistic")) => {
                (Security::Opportunistic(tls_parameters()?), SUBMISSION_PORT)
            }
            ("smtp", Some("required")) => (Security::Required(tls_parameters()?), SUBMISSION_PORT),
            ("smtp", Some("none")) => (Security::None, SUBMISSION_PORT),
            ("smtp", Some(other)) => {
                return Err(invalid(format!(
                    "`tls={other}` is not understood: leave it out (STARTTLS when offered), \
                     or use tls=required or tls=none"
                )));
            }
            (_, None) => (
                Security::Implicit(
                    stream::TlsConnector::new(&host)
                        .map_err(|err| invalid(format!("TLS could not be set up: {err}")))?,
                ),
                SUBMISSIONS_PORT,
            ),
            (_, Some(_)) => {
                return Err(invalid(
                    "smtps:// always uses TLS; remove the `tls` parameter".into(),
                ));
            }
        };
        let credentials = credentials(url).map_err(invalid)?;
        // Connections are opened and used on the runtime that sends; building outside
        // one is a setup mistake best caught at start.
        tokio::runtime::Handle::try_current().map_err(|_| MailError::NoRuntime)?;
        Ok(Self {
            inner: Arc::new(Inner {
                port: url.port().unwrap_or(default_port),
                host,
                security,
                credentials,
                hello: ClientId::default(),
                idle: Mutex::new(Vec::new()),
                endpoint: redacted(url),
            }),
        })
    }

    pub(crate) async fn deliver(&self, message: Message) -> Result<(), SendError> {
        let endpoint = &self.inner.endpoint;
        let envelope = message.envelope().clone();
        let bytes = message.formatted();
        let mut connection = self.checkout().await?;
        match tokio::time::timeout(SEND_TIMEOUT, connection.send(&envelope, &bytes)).await {
            Ok(Ok(_)) => {
                self.checkin(connection);
                Ok(())
            }
            // lettre has closed the connection already (`abort`); it is dropped here.
            Ok(Err(err)) => Err(self.failed(&err)),
            Err(_) => Err(SendError::Transient(format!(
                "{endpoint}: no answer within {} s",
                SEND_TIMEOUT.as_secs()
            ))),
        }
    }

    /// An idle connection that still answers NOOP (the server may have closed it), or a
    /// new one.
    async fn checkout(&self) -> Result<AsyncSmtpConnection, SendError> {
        loop {
            let idle = self.lock_idle().pop();
            let Some((mut connection, since)) = idle else {
                break;
            };
            if since.elapsed() <= MAX_IDLE
                && tokio::time::timeout(CONNECT_TIMEOUT, connection.test_connected())
                    .await
                    .unwrap_or(false)
            {
                return Ok(connection);
            }
        }
        match tokio::time::timeout(CONNECT_TIMEOUT, self.connect()).await {
            Ok(result) => result,
            Err(_) => Err(SendError::Transient(format!(
                "{}: no connection within {} s",
                self.inner.endpoint,
                CONNECT_TIMEOUT.as_secs()
            ))),
        }
    }

    fn checkin(&self, connection: AsyncSmtpConnection) {
        if connection.has_broken() {
            return;
        }
        let mut idle = self.lock_idle();
        if idle.len() < MAX_POOLED {
            idle.push((connection, Instant::now()));
        }
    }

    fn lock_idle(&self) -> std::sync::MutexGuard<'_, Vec<(AsyncSmtpConnection, Instant)>> {
        // A connection list is valid whatever a panicking holder was doing.
        self.inner
            .idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Connects with TCP_NODELAY, greets, secures and authenticates.
    async fn connect(&self) -> Result<AsyncSmtpConnection, SendError> {
        let inner = &self.inner;
        // Refused or unreachable, or a failed TLS handshake: a later attempt may work.
        let unreachable = |err: std::io::Error| SendError::Transient(format!("{}: {err}", inner.endpoint));
        let tcp = TcpStream::connect((inner.host.as_str(), inner.port))
            .await
            .map_err(unreachable)?;
        tcp.set_nodelay(true).map_err(unreachable)?;
        let transport: Box<dyn AsyncTokioStream> = match &inner.security {
            Security::Implicit(connector) => Box::new(connector.connect(tcp).await.map_err(unreachable)?),
            _ => Box::new(tcp),
        };
        let mut connection = AsyncSmtpConnection::connect_with_transport(transport, &inner.hello)
            .await
            .map_err(|err| self.failed(&err))?;
        let secured = match &inner.security {
            Security::Opportunistic(tls) if connection.can_starttls() => {
                connection.starttls(tls.clone(), &inner.hello).await
            }
            Security::Required(tls) => connection.starttls(tls.clone(), &inner.hello).await,
            _ => Ok(()),
        };
        secured.map_err(|err| self.failed(&err))?;
        if let Some(credentials) = &inner.credentials {
            connection
                .auth(DEFAULT_MECHANISMS, credentials)
                .await
                .map_err(|err| self.failed(&err))?;
        }
        Ok(connection)
    }

    /// SMTP 5xx is permanent; 4xx replies, dropped connections and TLS trouble are not.
    fn failed(&self, err: &lettre::transport::smtp::Error) -> SendError {
        let endpoint = &self.inner.endpoint;
        if err.is_permanent() {
            SendError::Permanent(format!("{endpoint} refused the email: {err}"))
        } else {
            SendError::Transient(format!("{endpoint}: {err}"))
        }
    }
}

fn credentials(url: &Url) -> Result<Option<Credentials>, String> {
    let decode = |part: &str, what: &str| {
        percent_decode_str(part)
            .decode_utf8()
            .map(|s| s.into_owned())
            .map_err(|_| format!("the {what} is not UTF-8 once percent-decoded"))
    };
    match (url.username(), url.password()) {
        ("", None) => Ok(None),
        ("", Some(_)) => Err("it has a password but no user name".into()),
        (user, password) => Ok(Some(Credentials::new(
            decode(user, "user name")?,
            decode(password.unwrap_or_default(), "password")?,
        ))),
    }
}

/// The URL without credentials or query, safe for logs and errors: `smtp://host:port`.
pub(crate) fn redacted(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{}://{host}:{port}", url.scheme()),
        None => format!("{}://{host}", url.scheme()),
    }
}
