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
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4_kind(v4),
            None => v6_kind(v6),
        },
    }
}

fn v4_kind(v4: Ipv4Addr) -> Option<&'static str> {
    let [a, b, ..] = v4.octets();
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
    } else {
        None
    }
}

fn v6_kind(v6: Ipv6Addr) -> Option<&'static str> {
    let first = v6.segments()[0];
    if v6.is_loopback() {
        Some("loopback")
    } else if v6.is_unspecified() {
        Some("unspecified")
    } else if (first & 0xfe00) == 0xfc00 {
        Some("private")
    } else if (first & 0xffc0) == 0xfe80 {
        Some("link-local")
    } else if v6.is_multicast() {
        Some("multicast or reserved")
    } else if let Some(v4) = v6.to_ipv4() {
        // IPv4-compatible (::a.b.c.d) spellings reach the same IPv4 host.
        v4_kind(v4).filter(|_| first == 0)
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
    fn flags_open_everything_or_exactly_one_range() {
        let all = NetPolicy::new(true, vec![]);
        assert!(all.check_ip("127.0.0.1".parse().expect("ip")).is_ok());
        let one = NetPolicy::new(false, vec!["10.0.0.0/24".parse().expect("net")]);
        assert!(one.check_ip("10.0.0.7".parse().expect("ip")).is_ok());
        assert!(one.check_ip("10.0.1.7".parse().expect("ip")).is_err());
    }
}
