//! Which addresses the crawler may connect to. The check runs on the address actually
//! connected to (through the DNS resolver hook and on IP-literal hosts), not on URL text,
//! so no spelling of a private address gets through.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use ipnet::IpNet;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

#[derive(Debug, Clone, Default)]
pub struct NetPolicy {
    allow_private: bool,
    allowed_ranges: Vec<IpNet>,
}

/// Why an address was refused, shown to users as part of a page's error line.
#[derive(Debug, Clone, thiserror::Error)]
#[error("refused to connect to {addr} ({kind} address; see --allow-private-networks)")]
pub struct Refused {
    pub addr: IpAddr,
    pub kind: &'static str,
}

impl NetPolicy {
    pub fn new(allow_private: bool, allowed_ranges: Vec<IpNet>) -> Self {
        NetPolicy {
            allow_private,
            allowed_ranges,
        }
    }

    pub fn check_ip(&self, addr: IpAddr) -> Result<(), Refused> {
        if self.allow_private || self.allowed_ranges.iter().any(|net| net.contains(&addr)) {
            return Ok(());
        }
        match non_public_kind(addr) {
            Some(kind) => Err(Refused { addr, kind }),
            None => Ok(()),
        }
    }

    /// Checks a URL whose host is an IP literal (the resolver never sees those). Hosts
    /// that are names pass here and are checked when resolved.
    pub fn check_url(&self, url: &Url) -> Result<(), Refused> {
        match url.host() {
            Some(Host::Ipv4(v4)) => self.check_ip(IpAddr::V4(v4)),
            Some(Host::Ipv6(v6)) => self.check_ip(IpAddr::V6(v6)),
            _ => Ok(()),
        }
    }
}

/// The class of a non-public address, or `None` for a public one.
pub fn non_public_kind(addr: IpAddr) -> Option<&'static str> {
    match addr {
        IpAddr::V4(v4) => v4_kind(v4),
        IpAddr::V6(v6) => v6_kind(v6),
    }
}

fn v4_kind(v4: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = v4.octets();
    if v4.is_loopback() {
        Some("loopback")
    } else if v4.is_private() {
        Some("private")
    } else if v4.is_link_local() {
        Some("link-local")
    } else if a == 100 && (64..128).contains(&b) {
        Some("shared (CGNAT)")
    } else if v4.is_unspecified() || a == 0 {
        Some("unspecified")
    } else if v4.is_multicast() || v4.is_broadcast() || a >= 240 {
        Some("multicast or reserved")
    } else if a == 198 && (b == 18 || b == 19) {
        // 198.18.0.0/15, for benchmarking interconnects (RFC 2544).
        Some("benchmarking")
    } else if a == 192 && b == 0 && c == 0 {
        // 192.0.0.0/24: protocol assignments such as NAT64 discovery and DS-Lite.
        Some("IETF protocol assignment")
    } else if matches!((a, b, c), (192, 0, 2) | (198, 51, 100) | (203, 0, 113)) {
        Some("documentation (TEST-NET)")
    } else {
        None
    }
}

fn v6_kind(v6: Ipv6Addr) -> Option<&'static str> {
    let segments = v6.segments();
    let first = segments[0];
    // The last 32 bits as an IPv4 address, for the translations that put it there.
    let low_v4 = || Ipv4Addr::from((u128::from(v6) & 0xffff_ffff) as u32);
    if v6.is_loopback() {
        Some("loopback")
    } else if v6.is_unspecified() {
        Some("unspecified")
    } else if let Some(v4) = v6.to_ipv4_mapped() {
        v4_kind(v4)
    } else if segments[..6] == [0; 6] {
        // IPv4-compatible (::a.b.c.d), deprecated but still routed to that IPv4 host.
        v4_kind(low_v4())
    } else if segments[..4] == [0; 4] && segments[4] == 0xffff && segments[5] == 0 {
        // SIIT IPv4-translated (::ffff:0:a.b.c.d, RFC 2765).
        v4_kind(low_v4())
    } else if (first & 0xfe00) == 0xfc00 {
        Some("private")
    } else if (first & 0xffc0) == 0xfe80 {
        Some("link-local")
    } else if (first & 0xffc0) == 0xfec0 {
        Some("site-local")
    } else if v6.is_multicast() {
        Some("multicast or reserved")
    } else if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        // NAT64 well-known prefix (RFC 6052): a translator reaches the embedded IPv4. A
        // public one is a real site behind DNS64; a private one is a way in.
        v4_kind(low_v4()).map(|_| "NAT64 translation of a non-public")
    } else if segments[..3] == [0x64, 0xff9b, 1] {
        // NAT64 local-use prefix (RFC 8215): always a site's own translator.
        Some("local-use NAT64")
    } else if first == 0x2002 {
        // 6to4 (RFC 3056): the IPv4 of the tunnel end in bits 16..48.
        let embedded = Ipv4Addr::from((u32::from(segments[1]) << 16) | u32::from(segments[2]));
        v4_kind(embedded).map(|_| "6to4 tunnel to a non-public")
    } else if first == 0x2001 && segments[1] == 0 {
        // Teredo (RFC 4380): a tunnel through the embedded (and obfuscated) IPv4 of a
        // NAT. Long retired, and no documentation is served through it: refused whole.
        Some("Teredo tunnel")
    } else if first == 0x2001 && segments[1] == 0x0db8 {
        Some("documentation")
    } else if segments[..4] == [0x100, 0, 0, 0] {
        Some("discard-only")
    } else {
        None
    }
}

/// A DNS resolver that drops refused addresses and fails when none is left, so reqwest
/// can only connect where the policy allows.
pub struct PolicyResolver {
    pub policy: Arc<NetPolicy>,
}

impl Resolve for PolicyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy.clone();
        Box::pin(async move {
            let host = name.as_str().to_string();
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let mut refused = None;
            let allowed: Vec<SocketAddr> = found
                .into_iter()
                .filter(|addr| match policy.check_ip(addr.ip()) {
                    Ok(()) => true,
                    Err(err) => {
                        refused.get_or_insert(err);
                        false
                    }
                })
                .collect();
            if allowed.is_empty() {
                let err: Box<dyn std::error::Error + Send + Sync> = match refused {
                    Some(refused) => Box::new(refused),
                    None => format!("no address found for {host}").into(),
                };
                return Err(err);
            }
            let addrs: Addrs = Box::new(allowed.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(text: &str) -> bool {
        let url = Url::parse(text).expect("url");
        NetPolicy::default().check_url(&url).is_err()
    }

    #[test]
    fn every_spelling_of_a_private_literal_is_refused() {
        for text in [
            "http://127.0.0.1/",
            "http://2130706433/",
            "http://0x7f.0.0.1/",
            "http://127.1/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::1]/",
            "http://0.0.0.0/",
            "http://10.1.2.3/",
            "http://172.16.0.1/",
            "http://192.168.1.1/",
            "http://169.254.169.254/latest/meta-data/",
            "http://100.64.0.1/",
            "http://[fc00::1]/",
            "http://[fe80::1]/",
            "http://224.0.0.1/",
        ] {
            assert!(refused(text), "{text} should be refused");
        }
        assert!(!refused("http://93.184.216.34/"));
        assert!(!refused("http://[2606:2800:220:1:248:1893:25c8:1946]/"));
        assert!(!refused("http://docs.example.com/"));
    }

    #[test]
    fn reserved_ipv4_ranges_are_refused() {
        for text in [
            "http://198.18.0.1/",
            "http://198.19.255.254/",
            "http://192.0.0.8/",
            "http://192.0.0.170/",
            "http://100.64.0.1/",
            "http://100.127.255.254/",
            "http://240.0.0.1/",
            "http://255.255.255.254/",
            "http://192.0.2.10/",
            "http://198.51.100.7/",
            "http://203.0.113.9/",
        ] {
            assert!(refused(text), "{text} should be refused");
        }
        for text in [
            "http://198.17.255.255/",
            "http://198.20.0.1/",
            "http://192.0.1.1/",
            "http://100.63.255.255/",
            "http://100.128.0.1/",
            "http://8.8.8.8/",
        ] {
            assert!(!refused(text), "{text} should be allowed");
        }
    }

    #[test]
    fn ipv6_translations_of_private_ipv4_are_refused() {
        for text in [
            // NAT64, well-known prefix (RFC 6052): the IPv4 in the last 32 bits.
            "http://[64:ff9b::127.0.0.1]/",
            "http://[64:ff9b::7f00:1]/",
            "http://[64:ff9b::a00:1]/",
            "http://[64:ff9b::c0a8:101]/",
            "http://[64:ff9b::a9fe:a9fe]/",
            "http://[64:ff9b::6440:1]/",
            // NAT64, local-use prefix (RFC 8215): a site's own translator.
            "http://[64:ff9b:1::a00:1]/",
            "http://[64:ff9b:1:ffff::5db8:d822]/",
            // 6to4 (RFC 3056): the IPv4 in bits 16..48.
            "http://[2002:7f00:1::]/",
            "http://[2002:a00:1::1]/",
            "http://[2002:c0a8:101:0:0:0:0:1]/",
            "http://[2002:a9fe:a9fe::]/",
            // Teredo (RFC 4380): the client's IPv4, inverted, in the last 32 bits.
            "http://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/",
            "http://[2001:0:5db8:d822::1]/",
            // SIIT IPv4-translated (RFC 2765) and IPv4-compatible spellings.
            "http://[::ffff:0:7f00:1]/",
            "http://[::127.0.0.1]/",
            "http://[::a00:1]/",
            // Deprecated site-local and the discard-only prefix.
            "http://[fec0::1]/",
            "http://[100::1]/",
            "http://[2001:db8::1]/",
        ] {
            assert!(refused(text), "{text} should be refused");
        }
        for text in [
            // The same translations of a public address reach a public host.
            "http://[64:ff9b::5db8:d822]/",
            "http://[64:ff9b::93.184.216.34]/",
            "http://[2002:5db8:d822::1]/",
        ] {
            assert!(!refused(text), "{text} should be allowed");
        }
        // The resolver path sees the same rule.
        let policy = NetPolicy::default();
        let nat64: IpAddr = "64:ff9b::10.1.2.3".parse().expect("ip");
        let err = policy.check_ip(nat64).expect_err("refused");
        assert!(err.to_string().contains("NAT64"), "{err}");
    }

    #[test]
    fn flags_open_everything_or_exactly_one_range() {
        let all = NetPolicy::new(true, vec![]);
        assert!(all.check_ip("127.0.0.1".parse().expect("ip")).is_ok());
        let one = NetPolicy::new(false, vec!["10.0.0.0/24".parse().expect("net")]);
        assert!(one.check_ip("10.0.0.7".parse().expect("ip")).is_ok());
        assert!(one.check_ip("10.0.1.7".parse().expect("ip")).is_err());
    }
}
