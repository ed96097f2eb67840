//! Deliverability tooling: `jobping dkim-keygen`, `jobping dns-records` and
//! `jobping doctor`, which says plainly what is missing before mail goes out.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use jobping_mail::dkim::{self, DkimKey, KeyAlgorithm};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use super::{dns, table};
use crate::settings::{MailTransport, Settings};

/// The domain of the sender address (`JobPing <jobs@example.com>` → `example.com`).
pub fn sender_domain(settings: &Settings) -> String {
    settings.mail.from_domain()
}

/// Makes a DKIM key: writes the private key to `out` (never over an existing file) and
/// prints the DNS record to publish.
pub fn dkim_keygen(settings: &Settings, algorithm: KeyAlgorithm, out: &Path) -> anyhow::Result<()> {
    let key = dkim::generate(algorithm);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(out)
        .with_context(|| {
            format!(
                "creating {} (an existing key is never overwritten)",
                out.display()
            )
        })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    file.write_all(key.private_pem.as_bytes())?;
    let domain = sender_domain(settings);
    println!(
        "Wrote the private key to {} (readable by you only).",
        out.display()
    );
    println!("Point JOBPING_DKIM_KEY at it, then publish this TXT record:\n");
    println!(
        "{}._domainkey.{domain}  TXT  \"{}\"",
        settings.mail.dkim_selector, key.dns_value
    );
    Ok(())
}

fn configured_key(settings: &Settings) -> anyhow::Result<Option<DkimKey>> {
    settings
        .mail
        .dkim_key
        .as_deref()
        .map(|path| DkimKey::from_pem_file(path).map_err(anyhow::Error::from))
        .transpose()
}

/// Prints the SPF, DKIM and DMARC records the sending domain needs.
pub fn dns_records(settings: &Settings) -> anyhow::Result<()> {
    let key = configured_key(settings)?;
    let smtp_host = match &settings.mail.transport {
        MailTransport::Smtp(url) => url.host_str().map(str::to_owned),
        _ => None,
    };
    let records = jobping_mail::dns::records(
        &sender_domain(settings),
        &settings.mail.dkim_selector,
        key.as_ref(),
        smtp_host.as_deref(),
    );
    let rows: Vec<Vec<String>> = records
        .iter()
        .map(|r| vec![r.name.clone(), r.kind.to_owned(), r.value.clone()])
        .collect();
    print!("{}", table(&["name", "type", "value"], &rows));
    println!();
    for record in &records {
        println!("{}: {}", record.name, record.purpose);
    }
    Ok(())
}

/// One check's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Ok,
    Warn,
    Fail,
}

/// What `doctor` found, check by check.
#[derive(Debug, Clone)]
pub struct Finding {
    pub check: String,
    pub verdict: Verdict,
    pub detail: String,
}

fn finding(check: &str, verdict: Verdict, detail: impl Into<String>) -> Finding {
    Finding {
        check: check.to_owned(),
        verdict,
        detail: detail.into(),
    }
}

/// Checks DNS records, the DKIM key, the mail transport and the public URL; prints one
/// line per check. Fails when anything needed for delivery is missing.
/// `dns_server` overrides the name server (`None`: `JOBPING_DNS_SERVER`, else
/// /etc/resolv.conf).
pub async fn doctor(
    settings: &Settings,
    dns_server: Option<std::net::SocketAddr>,
) -> anyhow::Result<Vec<Finding>> {
    let mut findings = Vec::new();
    let domain = sender_domain(settings);
    if domain.is_empty() || domain == "localhost" || domain.ends_with(".local") {
        findings.push(finding(
            "sender",
            Verdict::Fail,
            format!(
                "JOBPING_MAIL_FROM uses `{domain}`: mail from it will not be delivered; use your own domain"
            ),
        ));
    } else {
        findings.push(finding("sender", Verdict::Ok, format!("sending as {domain}")));
    }

    let key = match configured_key(settings) {
        Ok(Some(key)) => {
            findings.push(finding("dkim key", Verdict::Ok, "the key loads"));
            Some(key)
        }
        Ok(None) => {
            findings.push(finding(
                "dkim key",
                Verdict::Fail,
                "JOBPING_DKIM_KEY is not set: mail goes out unsigned (make one with `jobping dkim-keygen`)",
            ));
            None
        }
        Err(err) => {
            findings.push(finding("dkim key", Verdict::Fail, format!("{err:#}")));
            None
        }
    };

    match dns_server.map_or_else(dns::default_server, Ok) {
        Err(err) => findings.push(finding("dns", Verdict::Fail, format!("{err:#}"))),
        Ok(server) => {
            findings.extend(dns_checks(server, &domain, &settings.mail.dkim_selector, key.as_ref()).await)
        }
    }

    findings.push(transport_check(settings).await);

    if settings.base_url.scheme() == "https" {
        findings.push(finding(
            "links",
            Verdict::Ok,
            format!("links point to {}", settings.base_url),
        ));
    } else {
        findings.push(finding(
            "links",
            Verdict::Warn,
            format!(
                "JOBPING_BASE_URL is {}: links in emails should be https for one-click unsubscribe",
                settings.base_url
            ),
        ));
    }

    let rows: Vec<Vec<String>> = findings
        .iter()
        .map(|f| {
            let verdict = match f.verdict {
                Verdict::Ok => "ok",
                Verdict::Warn => "warn",
                Verdict::Fail => "MISSING",
            };
            vec![verdict.to_owned(), f.check.clone(), f.detail.clone()]
        })
        .collect();
    print!("{}", table(&["", "check", "detail"], &rows));
    Ok(findings)
}

async fn dns_checks(
    server: std::net::SocketAddr,
    domain: &str,
    selector: &str,
    key: Option<&DkimKey>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let lookup = |name: String| async move { dns::txt(server, &name).await };
    match lookup(domain.to_owned()).await {
        Ok(records) => match records.iter().find(|r| r.starts_with("v=spf1")) {
            Some(spf) => out.push(finding("spf", Verdict::Ok, spf.clone())),
            None => out.push(finding(
                "spf",
                Verdict::Fail,
                format!("no SPF record at {domain}: see `jobping dns-records`"),
            )),
        },
        Err(err) => out.push(finding(
            "spf",
            Verdict::Fail,
            format!("looking up {domain}: {err:#}"),
        )),
    }
    let dkim_name = format!("{selector}._domainkey.{domain}");
    match lookup(dkim_name.clone()).await {
        Ok(records) => {
            let published = records.iter().find(|r| r.contains("v=DKIM1") || r.contains("p="));
            match (published, key) {
                (None, _) => out.push(finding(
                    "dkim record",
                    Verdict::Fail,
                    format!("no DKIM record at {dkim_name}"),
                )),
                (Some(record), Some(key)) if !same_public_key(record, &key.dns_value()) => out.push(finding(
                    "dkim record",
                    Verdict::Fail,
                    format!("the record at {dkim_name} does not match JOBPING_DKIM_KEY"),
                )),
                (Some(_), _) => out.push(finding(
                    "dkim record",
                    Verdict::Ok,
                    format!("published at {dkim_name}"),
                )),
            }
        }
        Err(err) => out.push(finding(
            "dkim record",
            Verdict::Fail,
            format!("looking up {dkim_name}: {err:#}"),
        )),
    }
    let dmarc_name = format!("_dmarc.{domain}");
    match lookup(dmarc_name.clone()).await {
        Ok(records) => match records.iter().find(|r| r.starts_with("v=DMARC1")) {
            Some(dmarc) => out.push(finding("dmarc", Verdict::Ok, dmarc.clone())),
            None => out.push(finding(
                "dmarc",
                Verdict::Fail,
                format!("no DMARC record at {dmarc_name}"),
            )),
        },
        Err(err) => out.push(finding(
            "dmarc",
            Verdict::Fail,
            format!("looking up {dmarc_name}: {err:#}"),
        )),
    }
    out
}

/// Whether two DKIM TXT values carry the same public key (`p=`), whatever the spacing.
fn same_public_key(published: &str, expected: &str) -> bool {
    let p = |text: &str| {
        text.split(';')
            .map(|part| part.trim())
            .find_map(|part| part.strip_prefix("p="))
            .map(|v| v.split_whitespace().collect::<String>())
    };
    p(published).is_some() && p(published) == p(expected)
}

async fn transport_check(settings: &Settings) -> Finding {
    match &settings.mail.transport {
        MailTransport::File(folder) => finding(
            "transport",
            Verdict::Warn,
            format!(
                "mail is written to files in {} and not sent: set JOBPING_MAIL to smtp:// or resend://",
                folder.display()
            ),
        ),
        MailTransport::Resend if settings.mail.resend_api_key.is_some() => {
            finding("transport", Verdict::Ok, "Resend, with an API key")
        }
        MailTransport::Resend => finding("transport", Verdict::Fail, "resend:// without RESEND_API_KEY"),
        MailTransport::Smtp(url) => {
            let host = url.host_str().unwrap_or_default().to_owned();
            let implicit_tls = url.scheme() == "smtps";
            let port = url.port().unwrap_or(if implicit_tls { 465 } else { 587 });
            match tokio::time::timeout(Duration::from_secs(10), smtp_probe(&host, port, implicit_tls)).await {
                Ok(Ok(detail)) => finding("transport", Verdict::Ok, detail),
                Ok(Err(err)) => finding("transport", Verdict::Fail, format!("{host}:{port}: {err:#}")),
                Err(_) => finding(
                    "transport",
                    Verdict::Fail,
                    format!("{host}:{port}: no answer in 10 s"),
                ),
            }
        }
    }
}

/// Connects, reads the greeting and the EHLO answer, and says whether TLS is on offer.
async fn smtp_probe(host: &str, port: u16, implicit_tls: bool) -> anyhow::Result<String> {
    let stream = TcpStream::connect((host, port)).await.context("connecting")?;
    if implicit_tls {
        return Ok(format!(
            "{host}:{port} accepts connections (TLS from the first byte)"
        ));
    }
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    let greeting = lines
        .next_line()
        .await?
        .context("the server closed the connection")?;
    anyhow::ensure!(greeting.starts_with("220"), "unexpected greeting: {greeting}");
    write.write_all(b"EHLO jobping-doctor\r\n").await?;
    let mut starttls = false;
    loop {
        let line = lines
            .next_line()
            .await?
            .context("the server closed the connection")?;
        anyhow::ensure!(line.starts_with("250"), "EHLO refused: {line}");
        starttls |= line[4..].trim().eq_ignore_ascii_case("STARTTLS");
        if line.as_bytes().get(3) == Some(&b' ') {
            break;
        }
    }
    let _ = write.write_all(b"QUIT\r\n").await;
    if starttls {
        Ok(format!("{host}:{port} answers and offers STARTTLS"))
    } else {
        anyhow::bail!("{host}:{port} answers but offers no STARTTLS: mail would travel unencrypted")
    }
}
