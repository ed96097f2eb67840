//! Who a request comes from, as the rate limits count it: the socket's peer, or what
//! trusted proxies say; written one way (an IPv4 client seen through IPv6 is IPv4), and
//! keyed so that one client cannot pose as many (IPv6 by its network prefix).

use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use axum::http::HeaderMap;

/// An address or a network in CIDR form (`10.0.0.0/8`, `::1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl Cidr {
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.prefix)).unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(self.prefix)).unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl std::str::FromStr for Cidr {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let (address, prefix) = text.split_once('/').unwrap_or((text, ""));
        let network: IpAddr = address
            .parse()
            .map_err(|_| format!("`{text}` is not an IP address or a CIDR network"))?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = if prefix.is_empty() {
            max
        } else {
            prefix
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("`{text}` has a prefix length that is not 0 to {max}"))?
        };
        // Addresses are compared as IPv4 when they are IPv4-mapped, so networks are too.
        let cidr = match network {
            IpAddr::V6(v6) if prefix >= 96 => match v6.to_ipv4_mapped() {
                Some(v4) => Self {
                    network: IpAddr::V4(v4),
                    prefix: prefix - 96,
                },
                None => Self { network, prefix },
            },
            _ => Self { network, prefix },
        };
        Ok(cidr)
    }
}

impl std::fmt::Display for Cidr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

/// One `X-Forwarded-For` entry as an address: `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1`,
/// `[2001:db8::1]` or `[2001:db8::1]:443`, IPv4-mapped IPv6 as IPv4. `None` for anything
/// else (`unknown`, an RFC 7239 obfuscated name, an empty entry).
pub fn parse_forwarded(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    let ip = entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|socket| socket.ip()))
        .or_else(|| {
            let inner = entry.strip_prefix('[')?.strip_suffix(']')?;
            inner.parse::<Ipv6Addr>().ok().map(IpAddr::V6)
        })?;
    Some(ip.to_canonical())
}

/// The client's address: the socket's peer, unless that peer is a trusted proxy; then
/// `X-Forwarded-For` read from the right, each entry believed only while the hop that
/// wrote it (the one to its right) is trusted: the first entry that is not a trusted
/// proxy is the client. An entry that cannot be read stops the walk, since the client may
/// have written everything to its left; the trusted hop that wrote it counts as the
/// client then, so a forged header never dodges a limit.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[Cidr]) -> IpAddr {
    let peer = peer.to_canonical();
    let is_trusted = |ip: IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(peer) {
        return peer;
    }
    let mut chain: Vec<Option<IpAddr>> = Vec::new();
    for value in headers.get_all("x-forwarded-for") {
        match value.to_str() {
            Ok(text) => chain.extend(text.split(',').map(parse_forwarded)),
            // Not text: its entries cannot be told apart, so it counts as one unreadable.
            Err(_) => chain.push(None),
        }
    }
    let mut client = peer;
    for entry in chain.into_iter().rev() {
        let Some(ip) = entry else { break };
        client = ip;
        if !is_trusted(ip) {
            break;
        }
    }
    client
}

/// The key a client address is counted under: IPv4 as it is, IPv6 by its first
/// `ipv6_prefix` bits (`2001:db8:1:2::/64`), since one home or server is usually given a
/// whole /64 and could otherwise take a fresh allowance per address.
pub fn limit_key(ip: IpAddr, ipv6_prefix: u8) -> String {
    match ip.to_canonical() {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let bits = u32::from(ipv6_prefix.min(128));
            let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
            format!("{}/{bits}", Ipv6Addr::from(u128::from(v6) & mask))
        }
    }
}

/// The client address of a request, as [`client_ip`] found it (set by middleware).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn forwarded(chain: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", chain.parse().unwrap());
        headers
    }

    #[test]
    fn cidrs_parse_and_match() {
        let net: Cidr = "10.0.0.0/8".parse().unwrap();
        assert!(net.contains(ip("10.200.3.4")));
        assert!(!net.contains(ip("11.0.0.1")));
        assert!(net.contains(ip("::ffff:10.1.2.3")));
        let one: Cidr = "2001:db8::1".parse().unwrap();
        assert!(one.contains(ip("2001:db8::1")));
        assert!(!one.contains(ip("2001:db8::2")));
        let all: Cidr = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains(ip("203.0.113.9")));
        assert!("10.0.0.0/33".parse::<Cidr>().unwrap_err().contains("prefix"));
        assert!("proxy.internal".parse::<Cidr>().is_err());
    }

    #[test]
    fn an_ipv4_mapped_network_matches_the_ipv4_addresses_in_it() {
        let net: Cidr = "::ffff:10.0.0.0/104".parse().unwrap();
        assert_eq!(net.to_string(), "10.0.0.0/8");
        assert!(net.contains(ip("10.1.2.3")));
        assert!(net.contains(ip("::ffff:10.1.2.3")));
        assert!(!net.contains(ip("11.1.2.3")));
    }

    #[test]
    fn forwarded_entries_parse_with_or_without_a_port_and_mapped_ipv6_is_ipv4() {
        for (entry, expected) in [
            ("198.51.100.9", "198.51.100.9"),
            (" 198.51.100.9 ", "198.51.100.9"),
            ("198.51.100.9:5678", "198.51.100.9"),
            ("2001:db8::1", "2001:db8::1"),
            ("[2001:db8::1]", "2001:db8::1"),
            ("[2001:db8::1]:443", "2001:db8::1"),
            ("::ffff:198.51.100.9", "198.51.100.9"),
            ("[::ffff:198.51.100.9]:80", "198.51.100.9"),
        ] {
            assert_eq!(parse_forwarded(entry), Some(ip(expected)), "{entry}");
        }
        for junk in [
            "unknown",
            "_hidden",
            "",
            "198.51.100.9:",
            "[2001:db8::1",
            "1.2.3.4.5",
            "host:80",
        ] {
            assert_eq!(parse_forwarded(junk), None, "{junk}");
        }
    }

    #[test]
    fn forwarded_for_counts_only_from_a_trusted_proxy() {
        let trusted: Vec<Cidr> = vec!["10.0.0.0/8".parse().unwrap()];
        let headers = forwarded("198.51.100.7, 203.0.113.5, 10.0.0.9");
        let proxy = ip("10.0.0.2");
        let stranger = ip("192.0.2.44");
        // Through our proxies: the right-most address that is not one of them.
        assert_eq!(client_ip(proxy, &headers, &trusted), ip("203.0.113.5"));
        // Straight from the internet: the header is whatever the client wanted.
        assert_eq!(client_ip(stranger, &headers, &trusted), stranger);
        assert_eq!(client_ip(proxy, &HeaderMap::new(), &trusted), proxy);
        assert_eq!(client_ip(proxy, &forwarded("not-an-ip"), &trusted), proxy);
        // Every hop trusted: a request from inside, the left-most address.
        assert_eq!(
            client_ip(proxy, &forwarded("10.1.1.1, 10.0.0.9"), &trusted),
            ip("10.1.1.1")
        );
    }

    #[test]
    fn ports_are_stripped_from_forwarded_entries() {
        let trusted: Vec<Cidr> = vec!["10.0.0.0/8".parse().unwrap()];
        let proxy = ip("10.0.0.2");
        assert_eq!(
            client_ip(proxy, &forwarded("198.51.100.66, 203.0.113.5:5678"), &trusted),
            ip("203.0.113.5")
        );
        assert_eq!(
            client_ip(proxy, &forwarded("198.51.100.66, [2001:db8::1]:443"), &trusted),
            ip("2001:db8::1")
        );
    }

    #[test]
    fn nothing_left_of_an_unreadable_forwarded_entry_is_believed() {
        let trusted: Vec<Cidr> = vec!["10.0.0.0/8".parse().unwrap()];
        let proxy = ip("10.0.0.2");
        // The client wrote 198.51.100.66; the proxy could not name it.
        assert_eq!(
            client_ip(proxy, &forwarded("198.51.100.66, unknown"), &trusted),
            proxy
        );
        // Behind a second trusted hop, that hop is the nearest client known.
        assert_eq!(
            client_ip(proxy, &forwarded("198.51.100.66, unknown, 10.0.0.9"), &trusted),
            ip("10.0.0.9")
        );
        // A client that writes junk itself gains nothing: its real address is to the right.
        assert_eq!(
            client_ip(proxy, &forwarded("unknown, 198.51.100.66, 203.0.113.5"), &trusted),
            ip("203.0.113.5")
        );
        // Several headers are one chain, in order.
        let mut two = HeaderMap::new();
        two.append("x-forwarded-for", "198.51.100.66".parse().unwrap());
        two.append("x-forwarded-for", "garbage".parse().unwrap());
        assert_eq!(client_ip(proxy, &two, &trusted), proxy);
    }

    #[test]
    fn an_ipv4_client_seen_through_ipv6_is_one_client() {
        let trusted: Vec<Cidr> = vec!["10.0.0.0/8".parse().unwrap()];
        assert_eq!(
            client_ip(ip("::ffff:198.51.100.9"), &HeaderMap::new(), &trusted),
            ip("198.51.100.9")
        );
        // A proxy on an IPv6 socket, writing a mapped address.
        assert_eq!(
            client_ip(ip("::ffff:10.0.0.2"), &forwarded("::ffff:198.51.100.9"), &trusted),
            ip("198.51.100.9")
        );
        assert_eq!(
            limit_key(ip("::ffff:198.51.100.9"), 64),
            limit_key(ip("198.51.100.9"), 64)
        );
    }

    #[test]
    fn ipv6_addresses_are_keyed_by_their_prefix_and_ipv4_by_the_address() {
        assert_eq!(limit_key(ip("198.51.100.9"), 64), "198.51.100.9");
        assert_ne!(
            limit_key(ip("198.51.100.9"), 64),
            limit_key(ip("198.51.100.10"), 64)
        );
        let key = limit_key(ip("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), 64);
        assert_eq!(key, "2001:db8:1:2::/64");
        assert_eq!(limit_key(ip("2001:db8:1:2::1"), 64), key);
        assert_ne!(limit_key(ip("2001:db8:1:3::1"), 64), key);
        assert_eq!(limit_key(ip("2001:db8:1:2::1"), 48), "2001:db8:1::/48");
        assert_eq!(limit_key(ip("2001:db8::1"), 128), "2001:db8::1/128");
        assert_eq!(limit_key(ip("2001:db8::1"), 200), "2001:db8::1/128");
    }
}
