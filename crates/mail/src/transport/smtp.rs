//! SMTP through lettre's pooled async transport.

use std::fmt;
use std::time::Duration;

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use percent_encoding::percent_decode_str;
use url::{Host, Url};

use crate::{MailError, SendError};

const SUBMISSION_PORT: u16 = 587;
const SUBMISSIONS_PORT: u16 = 465;
// Long enough for a slow relay, short enough that a stuck one frees the worker.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);

/// One pool of SMTP connections, built once and shared by clones.
#[derive(Clone)]
pub(crate) struct SmtpTransport {
    inner: AsyncSmtpTransport<Tokio1Executor>,
    // For Debug and errors: scheme, host and port only.
    endpoint: String,
}

// By hand: lettre's Debug would reach the credentials.
impl fmt::Debug for SmtpTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpTransport")
            .field("endpoint", &self.endpoint)
            .finish()
    }
}

impl SmtpTransport {
    /// Reads the URL (see `TransportConfig::Smtp`) and builds the pool; connects lazily.
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
        let (tls, default_port) = match (scheme, tls_mode.as_deref()) {
            ("smtp", None | Some("opportunistic")) => {
                (Tls::Opportunistic(tls_parameters()?), SUBMISSION_PORT)
            }
            ("smtp", Some("required")) => (Tls::Required(tls_parameters()?), SUBMISSION_PORT),
            ("smtp", Some("none")) => (Tls::None, SUBMISSION_PORT),
            ("smtp", Some(other)) => {
                return Err(invalid(format!(
                    "`tls={other}` is not understood: leave it out (STARTTLS when offered), \
                     or use tls=required or tls=none"
                )));
            }
            (_, None) => (Tls::Wrapper(tls_parameters()?), SUBMISSIONS_PORT),
            (_, Some(_)) => {
                return Err(invalid(
                    "smtps:// always uses TLS; remove the `tls` parameter".into(),
                ));
            }
        };

        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(url.port().unwrap_or(default_port))
            .tls(tls)
            .timeout(Some(COMMAND_TIMEOUT));
        if let Some(credentials) = credentials(url).map_err(invalid)? {
            builder = builder.credentials(credentials);
        }
        // lettre's pool spawns its idle-connection reaper at once, and panics without a runtime.
        tokio::runtime::Handle::try_current().map_err(|_| MailError::NoRuntime)?;
        Ok(Self {
            inner: builder.build(),
            endpoint: redacted(url),
        })
    }

    pub(crate) async fn deliver(&self, message: Message) -> Result<(), SendError> {
        match self.inner.send(message).await {
            Ok(_) => Ok(()),
            Err(err) if err.is_permanent() => Err(SendError::Permanent(format!(
                "{} refused the email: {err}",
                self.endpoint
            ))),
            // 4xx replies, refused or dropped connections, timeouts, TLS trouble: a later
            // attempt may get through.
            Err(err) => Err(SendError::Transient(format!("{}: {err}", self.endpoint))),
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
