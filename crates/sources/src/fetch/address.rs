//! Which addresses a fetch may reach. A board configured on a public host must not lead
//! the fetcher into the operator's own network, by a redirect or by a DNS answer: it
//! would turn the board's status in `/admin` and `jobping sources` into a probe of
//! loopback, the LAN and cloud metadata (169.254.169.254). A board configured on a
//! non-public address (a test server, a mirror on the LAN) was put there by the operator
//! and may go anywhere.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

/// Where one fetch may go, decided by the URL it was asked for (the configured one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Only public addresses: every redirect target and DNS answer is checked.
    PublicOnly,
    /// Anywhere: the configured URL is itself on a non-public address.
    Anywhere,
}

impl Reach {
    /// `Anywhere` when the configured URL names a non-public address (an IP literal, or
    /// `localhost`), `PublicOnly` otherwise. A name that merely resolves to a private
    /// address does not count: DNS is what a hostile board controls.
    pub fn of_configured(url: &Url) -> Self {
        if private_host(url).is_some() || is_localhost_name(url) {
            Self::Anywhere
        } else {
            Self::PublicOnly
        }
    }

    /// The target's host when this reach may not go there, as far as the URL alone
    /// tells; names are checked when they are resolved.
    pub fn refuses(self, target: &Url) -> Option<String> {
        match self {
            Self::Anywhere => None,
            Self::PublicOnly => private_host(target),
        }
    }
}

/// The URL's host, when it is an IP address that is not public.
pub fn private_host(url: &Url) -> Option<String> {
    let ip = match url.host()? {
        Host::Ipv4(ip) => IpAddr::V4(ip),
        Host::Ipv6(ip) => IpAddr::V6(ip),
        Host::Domain(_) => return None,
    };
    (!is_public(ip)).then(|| ip.to_string())
}

/// `localhost` and `*.localhost` always mean loopback (RFC 6761).
fn is_localhost_name(url: &Url) -> bool {
    let Some(Host::Domain(name)) = url.host() else {
        return false;
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost" || name.ends_with(".localhost")
}

/// Whether the address is on the public internet: not loopback, private, shared (CGNAT),
/// link-local, unique-local, unspecified, multicast, reserved or for documentation, and
/// not an IPv6 form (mapped, compatible, NAT64, 6to4) of such an IPv4 address.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => is_public_v4(ip),
        IpAddr::V6(ip) => is_public_v6(ip),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    let reserved = a == 0 // "this network", 0.0.0.0 among it
        || a == 10
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || a == 127
        || (a == 169 && b == 254) // link-local, cloud metadata
        || (a == 172 && (16..32).contains(&b))
        || (a == 192 && b == 0 && (c == 0 || c == 2)) // protocol assignments, TEST-NET-1
        || (a == 192 && b == 88 && c == 99) // 6to4 relay anycast
        || (a == 192 && b == 168)
        || (a == 198 && (18..20).contains(&b)) // benchmarking
        || (a == 198 && b == 51 && c == 100) // TEST-NET-2
        || (a == 203 && b == 0 && c == 113) // TEST-NET-3
        || a >= 224; // multicast, reserved, broadcast
    !reserved
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = embedded_v4(ip) {
        return is_public_v4(v4);
    }
    let s = ip.segments();
    let reserved = (s[0] & 0xfe00) == 0xfc00 // unique local
        || (s[0] & 0xffc0) == 0xfe80 // link-local
        || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated, still routed by some)
        || (s[0] & 0xff00) == 0xff00 // multicast
        || s[0] == 0 // the rest of ::/16 (::, ::1 and IPv4 forms are above)
        || (s[0] == 0x0064 && s[1] == 0xff9b) // local-use NAT64 (64:ff9b:1::/48)
        || (s[0] == 0x0100 && s[1..4] == [0, 0, 0]) // discard-only
        || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
        || (s[0] == 0x2001 && s[1] < 0x0200); // protocol assignments, Teredo among them
    !reserved
}

/// The IPv4 address an IPv6 address stands for: IPv4-mapped and -compatible
/// (`::ffff:a.b.c.d`, `::a.b.c.d`), NAT64 (`64:ff9b::a.b.c.d`) and 6to4 (`2002:AABB:CCDD::`).
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let octets = ip.octets();
    let last_four = || Ipv4Addr::new(octets[12], octets[13], octets[14], octets[15]);
    if s[..5] == [0; 5] && (s[5] == 0 || s[5] == 0xffff) {
        return Some(last_four());
    }
    if s[..6] == [0x0064, 0xff9b, 0, 0, 0, 0] {
        return Some(last_four());
    }
    if s[0] == 0x2002 {
        return Some(Ipv4Addr::new(octets[2], octets[3], octets[4], octets[5]));
    }
    None
}

/// A name whose every DNS answer was a non-public address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{host} resolves only to private addresses ({addresses})")]
pub struct PrivateAnswer {
    pub host: String,
    /// The answers, comma-separated.
    pub addresses: String,
}

/// The public answers among `answers`; an error when there were answers and none was
/// public. Mixed answers keep only the public ones, so the connection never lands on a
/// private one.
pub fn public_answers(host: &str, answers: Vec<SocketAddr>) -> Result<Vec<SocketAddr>, PrivateAnswer> {
    let (public, private): (Vec<SocketAddr>, Vec<SocketAddr>) =
        answers.into_iter().partition(|addr| is_public(addr.ip()));
    if public.is_empty() && !private.is_empty() {
        let addresses: Vec<String> = private.iter().map(|addr| addr.ip().to_string()).collect();
        return Err(PrivateAnswer {
            host: host.to_owned(),
            addresses: addresses.join(", "),
        });
    }
    Ok(public)
}

/// The system resolver with non-public answers dropped, for fetches that may only reach
/// public addresses. Checking the answers the connection uses (rather than resolving
/// once more beforehand) leaves no gap for a name to change between check and use.
#[derive(Debug, Clone, Copy, Default)]
pub struct PublicResolver;

impl Resolve for PublicResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let answers: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public = public_answers(&host, answers)?;
            Ok(Box::new(public.into_iter()) as Addrs)
        })
    }
}
