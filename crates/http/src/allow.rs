//! Which hosts an HTTP Task may reach.
//!
//! With an allow-list (`[http] allowed_hosts`, `fluxo server --http-allow-host`), a request,
//! each redirect hop and each OAuth token request goes only to a listed host; a listed host is
//! reached at whatever address it resolves to, since the operator named it.
//!
//! Without one, Fluxo does what AWS's public HTTP Task does, reaching public hosts only ("HTTP
//! Task currently only supports public domain names", Step Functions developer guide, "Call
//! HTTPS APIs in Step Functions workflows"): every address a name resolves to must be public
//! (no loopback, private, link-local such as the cloud metadata address 169.254.169.254,
//! carrier-grade NAT, unique-local, multicast or unspecified address), checked by the resolver
//! itself so that a name cannot resolve to a public address when checked and a private one when
//! connected to. A self-hosted server usually sits beside services that must not be reachable
//! from definitions sent over the API; an operator who wants a local service lists it.

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::Url;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// One entry of the allow-list: `host`, `host:port`, `*.domain` (any subdomain of `domain`,
/// not `domain` itself), an IPv4 address or a bracketed IPv6 one (`[::1]:8080`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostRule {
    host: String,
    wildcard: bool,
    port: Option<u16>,
}

impl HostRule {
    /// Parses an entry; the message says what is wrong with it.
    pub fn parse(text: &str) -> Result<HostRule, String> {
        let text = text.trim().to_ascii_lowercase();
        let invalid = || format!("'{text}' is not a host, host:port or *.domain");
        if text.is_empty() || text.contains('/') || text.contains('@') {
            return Err(invalid());
        }
        let (wildcard, rest) = match text.strip_prefix("*.") {
            Some(rest) => (true, rest.to_string()),
            None => (false, text.clone()),
        };
        // Let the URL parser normalise the host (IDNA, IPv6 brackets) and read the port.
        let url = Url::parse(&format!("http://{rest}/")).map_err(|_| invalid())?;
        let host = url.host_str().ok_or_else(invalid)?.to_string();
        if host.contains('*') || (wildcard && host.parse::<IpAddr>().is_ok()) {
            return Err(invalid());
        }
        // The port as written: the URL parser forgets a scheme's default one (`host:80`), which
        // would then match every port.
        let written = match rest.rsplit_once(':') {
            Some((before, port))
                if !port.is_empty()
                    && port.bytes().all(|b| b.is_ascii_digit())
                    && (!before.starts_with('[') || before.ends_with(']')) =>
            {
                Some(port.parse::<u16>().map_err(|_| invalid())?)
            }
            _ => None,
        };
        Ok(HostRule {
            host,
            wildcard,
            port: written.or(url.port()),
        })
    }

    /// Whether this rule admits `url`'s host and port (a scheme's default port when none is
    /// written).
    pub(crate) fn admits(&self, url: &Url) -> bool {
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        self.matches(&host, url.port_or_known_default())
    }

    fn matches(&self, host: &str, port: Option<u16>) -> bool {
        if self.port.is_some() && self.port != port {
            return false;
        }
        match self.wildcard {
            false => host == self.host,
            true => host
                .strip_suffix(self.host.as_str())
                .is_some_and(|prefix| prefix.ends_with('.') && prefix.len() > 1),
        }
    }
}

/// Why a URL may not be reached.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("The host {0} is not in this Fluxo's HTTP allow-list ([http] allowed_hosts in fluxo.toml, or fluxo server --http-allow-host)")]
    NotListed(String),
    #[error(
        "The address {0} is not public; without an HTTP allow-list Fluxo reaches public hosts only"
    )]
    NotPublic(String),
    #[error("Only http and https URLs can be called, not {0}")]
    Scheme(String),
}

/// The host policy: an allow-list, or public hosts only.
#[derive(Debug, Clone)]
pub struct HostPolicy {
    allowed: Option<Vec<HostRule>>,
}

impl HostPolicy {
    pub fn new(allowed: Option<Vec<HostRule>>) -> Self {
        HostPolicy { allowed }
    }

    /// Whether addresses are checked when names resolve (no allow-list).
    pub fn public_only(&self) -> bool {
        self.allowed.is_none()
    }

    /// Checks one URL (a request or a redirect hop) before it is sent.
    pub fn check(&self, url: &Url) -> Result<(), Refusal> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Refusal::Scheme(url.scheme().to_string()));
        }
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        match &self.allowed {
            Some(rules) => {
                let port = url.port_or_known_default();
                let listed = rules.iter().any(|rule| rule.matches(&host, port));
                listed.then_some(()).ok_or(Refusal::NotListed(host))
            }
            None => {
                // A literal address never reaches the resolver: check it here.
                let literal = host.trim_start_matches('[').trim_end_matches(']');
                match literal.parse::<IpAddr>() {
                    Ok(ip) if !is_public(ip) => Err(Refusal::NotPublic(ip.to_string())),
                    _ => Ok(()),
                }
            }
        }
    }
}

/// Whether an address is reachable from the public internet (RFC 6890's special-purpose
/// ranges excluded).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => is_public_v4(ip),
        IpAddr::V6(ip) => match ip.to_ipv4_mapped() {
            Some(mapped) => is_public_v4(mapped),
            None => is_public_v6(ip),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && ip.octets()[2] == 0)
        || (a == 198 && (18..20).contains(&b))
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    let first = s[0];
    // Ranges that carry an IPv4 address (NAT64 64:ff9b::/96 and 64:ff9b:1::/48, 6to4
    // 2002::/16, IPv4-compatible ::/96) reach it: judge that address.
    let embedded = |high: u16, low: u16| Ipv4Addr::from((u32::from(high) << 16) | u32::from(low));
    if first == 0x0064 && s[1] == 0xff9b {
        // 64:ff9b::/96 translates to the public address it ends with; 64:ff9b:1::/48 is for
        // local networks.
        return s[2..6].iter().all(|segment| *segment == 0) && is_public_v4(embedded(s[6], s[7]));
    }
    if first == 0x2002 {
        return is_public_v4(embedded(s[1], s[2]));
    }
    if s[..6].iter().all(|segment| *segment == 0) {
        return is_public_v4(embedded(s[6], s[7]));
    }
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || (first & 0xffc0) == 0xfec0
        || (first == 0x2001 && s[1] == 0x0000)
        || (first == 0x2001 && s[1] == 0x0db8))
}

/// The resolver used without an allow-list: the system's, keeping public addresses only.
pub(crate) struct PublicResolver;

impl Resolve for PublicResolver {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let host = name.as_str().to_string();
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = found
                .iter()
                .copied()
                .filter(|addr| is_public(addr.ip()))
                .collect();
            if public.is_empty() && !found.is_empty() {
                let refusal = Refusal::NotPublic(found[0].ip().to_string());
                return Err(Box::new(refusal) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(public.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn a_list_admits_its_hosts_only() {
        let rules = [
            "api.example.com",
            "*.example.org",
            "127.0.0.1:8080",
            "[::1]",
        ]
        .iter()
        .map(|text| HostRule::parse(text).unwrap())
        .collect();
        let policy = HostPolicy::new(Some(rules));
        assert!(policy.check(&url("https://API.example.com/x")).is_ok());
        assert!(policy.check(&url("https://a.b.example.org/")).is_ok());
        assert!(policy.check(&url("https://example.org/")).is_err());
        assert!(policy.check(&url("https://evilexample.org/")).is_err());
        assert!(policy.check(&url("http://127.0.0.1:8080/")).is_ok());
        assert!(policy.check(&url("http://127.0.0.1:8081/")).is_err());
        assert!(policy.check(&url("http://[::1]:9/")).is_ok());
        // A default port written out is that port, not any port.
        let rules = ["internal:80", "[::1]:443"]
            .iter()
            .map(|text| HostRule::parse(text).unwrap())
            .collect();
        let defaults = HostPolicy::new(Some(rules));
        assert!(defaults.check(&url("http://internal/")).is_ok());
        assert!(defaults.check(&url("http://internal:80/")).is_ok());
        assert!(defaults.check(&url("http://internal:2375/")).is_err());
        assert!(defaults.check(&url("https://[::1]/")).is_ok());
        assert!(defaults.check(&url("https://[::1]:6379/")).is_err());
        assert!(policy
            .check(&url("https://api.example.com.evil.net/"))
            .is_err());
        assert!(matches!(
            policy.check(&url("ftp://api.example.com/")),
            Err(Refusal::Scheme(_))
        ));
    }

    #[test]
    fn without_a_list_literal_private_addresses_are_refused() {
        let policy = HostPolicy::new(None);
        for refused in [
            "http://127.0.0.1/",
            "http://169.254.169.254/latest/meta-data",
            "http://10.1.2.3/",
            "http://192.168.0.1/",
            "http://[::1]/",
            "http://[fe80::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://100.64.0.1/",
            "http://0.0.0.0/",
            "http://[64:ff9b::a00:1]/",
            "http://[64:ff9b:1::808:808]/",
            "http://[2002:a00:1::]/",
            "http://[::a00:1]/",
            "http://[fec0::1]/",
            "http://[2001::1]/",
            "http://192.0.0.8/",
            "http://198.18.0.1/",
        ] {
            assert!(policy.check(&url(refused)).is_err(), "{refused}");
        }
        assert!(policy.check(&url("https://93.184.215.14/")).is_ok());
        // An IPv4-carrying IPv6 address is as public as the address it carries.
        assert!(policy.check(&url("https://[64:ff9b::5db8:d70e]/")).is_ok());
        assert!(policy.check(&url("https://[2606:4700::1111]/")).is_ok());
        assert!(policy.check(&url("https://example.com/")).is_ok());
    }

    #[test]
    fn bad_entries_are_refused() {
        for bad in ["", "http://x/", "a/b", "*.1.2.3.4", "user@host", "a*b.com"] {
            assert!(HostRule::parse(bad).is_err(), "{bad}");
        }
    }

    #[tokio::test]
    async fn the_public_resolver_refuses_a_name_of_loopback() {
        let name: Name = "localhost".parse().unwrap();
        assert!(PublicResolver.resolve(name).await.is_err());
    }
}
