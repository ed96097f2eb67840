//! The DNS records a sending domain needs (SPF, DKIM, DMARC), for `jobping dns-records`.
//!
//! SPF is `v=spf1 a mx ~all`: the hosts the domain's A and MX records name may send for
//! it, which covers JobPing sending from its own server. An `include:` is added only
//! for a relay this module recognises by its SMTP host name (Gmail, Microsoft 365,
//! Amazon SES, SendGrid, Mailgun, Postmark, SparkPost, Mailjet), because an `include:`
//! of a domain that publishes no SPF record makes the whole record fail (permerror):
//! for any other relay the purpose line says to add the `include:` its documentation
//! gives. `~all` (soft fail) rather than `-all`, so a forgotten sender is reported by
//! DMARC rather than lost while the records settle. Resend needs none of it at the
//! domain itself: it sends from a `send.` subdomain whose records it lists.

/// One record to publish.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnsRecord {
    /// The full name, e.g. `jobping._domainkey.example.com`.
    pub name: String,
    /// The record type: always `TXT` here.
    pub kind: &'static str,
    /// The value as one string, as DNS dashboards take it.
    pub value: String,
    /// What the record is for and what to do next, in a sentence or two.
    pub purpose: String,
}

// The longest string one TXT character-string holds (RFC 1035 §3.3).
const MAX_TXT_STRING: usize = 255;

impl DnsRecord {
    /// The value as a zone file writes it: quoted strings of at most 255 bytes each
    /// (`"v=DKIM1; k=rsa; p=MIIB…" "…rest"`), which resolvers join back into one.
    pub fn value_zone_file(&self) -> String {
        let mut strings = Vec::new();
        let mut rest = self.value.as_str();
        while !rest.is_empty() {
            let mut end = rest.len().min(MAX_TXT_STRING);
            while !rest.is_char_boundary(end) {
                end -= 1;
            }
            let (chunk, tail) = rest.split_at(end);
            strings.push(format!(
                "\"{}\"",
                chunk.replace('\\', "\\\\").replace('"', "\\\"")
            ));
            rest = tail;
        }
        if strings.is_empty() {
            return "\"\"".to_owned();
        }
        strings.join(" ")
    }
}

/// The SPF, DKIM and DMARC records for `domain`: DKIM with `key`'s public half at
/// `<selector>._domainkey.<domain>` (or a note that no key is configured), SPF with an
/// `include:` when `smtp_host` is a relay this module knows (see the module docs).
pub fn records(
    domain: &str,
    selector: &str,
    key: Option<&crate::DkimKey>,
    smtp_host: Option<&str>,
) -> Vec<DnsRecord> {
    let domain = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    vec![
        spf(&domain, smtp_host),
        dkim(&domain, selector, key),
        dmarc(&domain),
    ]
}

fn spf(domain: &str, smtp_host: Option<&str>) -> DnsRecord {
    let relay = smtp_host.map(|host| host.trim().trim_end_matches('.').to_ascii_lowercase());
    let include = relay.as_deref().and_then(known_include);
    let value = match include {
        Some(include) => format!("v=spf1 a mx include:{include} ~all"),
        None => "v=spf1 a mx ~all".to_owned(),
    };
    let mut purpose = "SPF: which servers may send mail for the domain (here the hosts its A and MX \
                       records name). If the domain already has a `v=spf1` record, merge these terms \
                       into it: a domain may have only one."
        .to_owned();
    match (relay.as_deref(), include) {
        (Some(host), Some(include)) => {
            purpose.push_str(&format!(
                " `include:{include}` lets your relay {host} send for it."
            ));
        }
        (Some(host), None) if !is_local(host) => purpose.push_str(&format!(
            " Mail goes through {host}: add the `include:` its documentation gives, before `~all`."
        )),
        _ => {}
    }
    DnsRecord {
        name: domain.to_owned(),
        kind: "TXT",
        value,
        purpose,
    }
}

fn dkim(domain: &str, selector: &str, key: Option<&crate::DkimKey>) -> DnsRecord {
    let name = format!("{selector}._domainkey.{domain}");
    match key {
        Some(key) => DnsRecord {
            name,
            kind: "TXT",
            value: key.dns_value(),
            purpose: format!(
                "DKIM: the public half of the signing key ({}), so receivers can check that mail \
                 from {domain} is really from you and unchanged. Many DNS dashboards take the \
                 value as it is; a zone file needs it split into quoted strings.",
                key.algorithm()
            ),
        },
        None => DnsRecord {
            name,
            kind: "TXT",
            value: "(no DKIM key configured yet)".to_owned(),
            purpose: "DKIM: no key is configured, so mail goes out unsigned and DMARC can only rely on \
                      SPF. Make a key with `jobping dkim-keygen`, point JOBPING_DKIM_KEY at it, and \
                      run this again for the value to publish."
                .to_owned(),
        },
    }
}

fn dmarc(domain: &str) -> DnsRecord {
    DnsRecord {
        name: format!("_dmarc.{domain}"),
        kind: "TXT",
        value: format!("v=DMARC1; p=none; rua=mailto:dmarc-reports@{domain}; adkim=s; aspf=r"),
        purpose: format!(
            "DMARC: what receivers do with mail that fails SPF and DKIM, and where they send daily \
             reports (dmarc-reports@{domain}: make sure that mailbox exists). p=none only \
             collects reports to start; once they show all your mail passing, tighten to \
             p=quarantine (later p=reject). adkim=s because JobPing signs as {domain} itself; \
             aspf=r because relays bounce through their own subdomains."
        ),
    }
}

/// The SPF `include:` of relays whose SMTP host names are well known.
fn known_include(host: &str) -> Option<&'static str> {
    const RELAYS: [(&str, &str); 9] = [
        ("smtp.gmail.com", "_spf.google.com"),
        ("smtp-relay.gmail.com", "_spf.google.com"),
        ("smtp.office365.com", "spf.protection.outlook.com"),
        (".amazonaws.com", "amazonses.com"),
        (".sendgrid.net", "sendgrid.net"),
        (".mailgun.org", "mailgun.org"),
        (".postmarkapp.com", "spf.mtasv.net"),
        (".sparkpostmail.com", "sparkpostmail.com"),
        (".mailjet.com", "spf.mailjet.com"),
    ];
    RELAYS.iter().find_map(|(pattern, include)| {
        let matches = match pattern.strip_prefix('.') {
            // `.example.com`: the domain itself or any host under it.
            Some(parent) => host == parent || host.ends_with(pattern),
            None => host == *pattern,
        };
        // SES's SMTP hosts are `email-smtp.<region>.amazonaws.com`, not any AWS host.
        let ses_ok = *pattern != ".amazonaws.com" || host.starts_with("email-smtp.");
        (matches && ses_ok).then_some(*include)
    })
}

/// A relay on this machine sends from the domain's own address, which `a` covers.
fn is_local(host: &str) -> bool {
    host == "localhost"
        || host.ends_with(".localhost")
        || host
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_relays_get_their_include_and_others_none() {
        assert_eq!(
            known_include("email-smtp.eu-west-1.amazonaws.com"),
            Some("amazonses.com")
        );
        assert_eq!(known_include("ec2-1-2-3-4.compute.amazonaws.com"), None);
        assert_eq!(known_include("smtp.sendgrid.net"), Some("sendgrid.net"));
        assert_eq!(known_include("smtp.eu.mailgun.org"), Some("mailgun.org"));
        assert_eq!(known_include("mail.example.com"), None);
        assert_eq!(known_include("notsendgrid.net"), None);
    }

    #[test]
    fn loopback_relays_are_local() {
        for host in ["localhost", "127.0.0.1", "[::1]"] {
            assert!(is_local(host), "{host}");
        }
        assert!(!is_local("mail.example.com"));
    }
}
