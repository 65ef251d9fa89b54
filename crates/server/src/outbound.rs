//! Where the server may send webhooks: public addresses only. Loopback, private, shared,
//! link-local (with the cloud metadata address `169.254.169.254`), unique-local, multicast,
//! unspecified, documentation and reserved ranges are refused — in any spelling the URL
//! standard reads as one (`2130706433`, `0x7f.1`, `0`, `[::ffff:127.0.0.1]`) — unless the
//! operator allows a network with `--webhook-allowed-networks`.
//!
//! A URL is checked when an endpoint is added (its host resolved then; a name that does not
//! resolve yet is accepted, since every delivery checks again) and at every delivery: the
//! client resolves names through [`Guarded`], which drops refused addresses, and connects to
//! what it answered — there is no second lookup for DNS to change in between.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use ipnet::IpNet;

/// How long a registration waits for its host to resolve.
pub const LOOKUP_TIMEOUT: Duration = Duration::from_secs(5);
/// Most networks the operator may allow.
pub const ALLOWED_NETWORKS_MAX: usize = 64;

/// The refused ranges, each with the words that name it in a refusal.
const REFUSED_V4: &[(&str, &str)] = &[
    ("0.0.0.0/8", "an unspecified (\"this network\") address"),
    ("10.0.0.0/8", "a private address"),
    ("100.64.0.0/10", "a shared (carrier-grade NAT) address"),
    ("127.0.0.0/8", "a loopback address"),
    ("169.254.0.0/16", "a link-local (cloud metadata) address"),
    ("172.16.0.0/12", "a private address"),
    ("192.0.0.0/24", "a reserved (IETF protocol) address"),
    ("192.0.2.0/24", "a documentation address"),
    ("192.88.99.0/24", "a reserved (6to4 relay) address"),
    ("192.168.0.0/16", "a private address"),
    ("198.18.0.0/15", "a benchmarking address"),
    ("198.51.100.0/24", "a documentation address"),
    ("203.0.113.0/24", "a documentation address"),
    ("224.0.0.0/4", "a multicast address"),
    ("240.0.0.0/4", "a reserved address"),
];

const REFUSED_V6: &[(&str, &str)] = &[
    ("::/128", "an unspecified address"),
    ("::1/128", "a loopback address"),
    ("::/96", "a reserved (IPv4-compatible) address"),
    ("100::/64", "a reserved (discard) address"),
    ("2001:db8::/32", "a documentation address"),
    ("fc00::/7", "a unique-local (private) address"),
    ("fe80::/10", "a link-local address"),
    ("fec0::/10", "a site-local (private) address"),
    ("ff00::/8", "a multicast address"),
];

/// Why the range of `ip` is refused, or `None` for a public address. An IPv6 address that
/// carries an IPv4 one (mapped `::ffff:a.b.c.d`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`) is
/// judged by the address it carries.
pub fn refused_range(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => find(REFUSED_V4, IpAddr::V4(v4)),
        IpAddr::V6(v6) => match carried_v4(v6) {
            Some(v4) => find(REFUSED_V4, IpAddr::V4(v4)),
            None => find(REFUSED_V6, IpAddr::V6(v6)),
        },
    }
}

fn find(table: &[(&str, &'static str)], ip: IpAddr) -> Option<&'static str> {
    table.iter().find_map(|(net, why)| {
        let net: IpNet = net.parse().expect("the refused ranges are CIDRs");
        net.contains(&ip).then_some(*why)
    })
}

/// The IPv4 address an IPv6 one stands for, where it stands for one.
fn carried_v4(v6: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = v6.segments();
    let from = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    match s {
        [0, 0, 0, 0, 0, 0xffff, hi, lo] | [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => Some(from(hi, lo)),
        [0x2002, hi, lo, ..] => Some(from(hi, lo)),
        _ => None,
    }
}

/// The networks the operator allows despite their range (`--webhook-allowed-networks`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowedNetworks(Vec<IpNet>);

impl FromStr for AllowedNetworks {
    type Err = String;

    /// Comma-separated CIDRs (`127.0.0.0/8, 10.1.0.0/16`); a bare address is its own /32 or
    /// /128; empty allows nothing.
    fn from_str(text: &str) -> Result<Self, String> {
        let mut networks = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let net = part
                .parse::<IpNet>()
                .or_else(|_| part.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| {
                    format!("{part:?} is not a network; write it as a CIDR such as 127.0.0.0/8 or fd00::/8")
                })?;
            networks.push(net);
        }
        if networks.len() > ALLOWED_NETWORKS_MAX {
            return Err(format!(
                "at most {ALLOWED_NETWORKS_MAX} networks may be allowed"
            ));
        }
        Ok(AllowedNetworks(networks))
    }
}

/// Why a destination is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{host} is {why}; webhooks go only to public addresses (an operator may allow a network with --webhook-allowed-networks)")]
pub struct Refused {
    /// The address, as text.
    pub host: String,
    pub why: &'static str,
}

/// The destinations webhooks may reach.
#[derive(Debug, Clone, Default)]
pub struct Destinations {
    allowed: AllowedNetworks,
}

impl Destinations {
    pub fn new(allowed: AllowedNetworks) -> Self {
        Destinations { allowed }
    }

    /// Whether `ip` may be reached.
    pub fn check(&self, ip: IpAddr) -> Result<(), Refused> {
        if self.allowed.0.iter().any(|net| net.contains(&ip)) {
            return Ok(());
        }
        match refused_range(ip) {
            Some(why) => Err(Refused {
                host: ip.to_string(),
                why,
            }),
            None => Ok(()),
        }
    }

    /// The host of `url` as the client reads it: an address (whatever its spelling) is
    /// checked at once; a name is `Ok(Some(name))`, to be resolved.
    pub fn check_literal(&self, url: &str) -> Result<Option<String>, Refused> {
        let parsed = reqwest::Url::parse(url).map_err(|_| Refused {
            host: url.to_owned(),
            why: "not a URL the client can read",
        })?;
        match parsed.host() {
            Some(url::Host::Ipv4(v4)) => self.check(IpAddr::V4(v4)).map(|()| None),
            Some(url::Host::Ipv6(v6)) => self.check(IpAddr::V6(v6)).map(|()| None),
            Some(url::Host::Domain(name)) => Ok(Some(name.to_owned())),
            None => Err(Refused {
                host: url.to_owned(),
                why: "a URL without a host",
            }),
        }
    }

    /// At registration: the URL's address, or every address its name resolves to now, must be
    /// allowed. A name that does not resolve (yet) passes: each delivery checks again.
    pub async fn check_url(&self, url: &str) -> Result<(), Refused> {
        let Some(name) = self.check_literal(url)? else {
            return Ok(());
        };
        let lookup = tokio::net::lookup_host((name.as_str(), 443));
        let Ok(Ok(addresses)) = tokio::time::timeout(LOOKUP_TIMEOUT, lookup).await else {
            return Ok(());
        };
        for address in addresses {
            self.check(address.ip()).map_err(|refused| Refused {
                host: format!("{name} ({})", refused.host),
                ..refused
            })?;
        }
        Ok(())
    }
}

/// The webhook client's resolver: the system's lookup, less every refused address; a name left
/// with none fails to resolve, naming why.
#[derive(Debug, Clone)]
pub struct Guarded(pub Arc<Destinations>);

impl reqwest::dns::Resolve for Guarded {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let destinations = self.0.clone();
        let name = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((name.as_str(), 0)).await?.collect();
            let (allowed, refused): (Vec<SocketAddr>, Vec<SocketAddr>) = found
                .into_iter()
                .partition(|address| destinations.check(address.ip()).is_ok());
            if let (true, Some(first)) = (allowed.is_empty(), refused.first()) {
                let refusal = destinations
                    .check(first.ip())
                    .expect_err("partitioned as refused");
                let refusal = Refused {
                    host: format!("{name} ({})", refusal.host),
                    ..refusal
                };
                return Err(Box::new(refusal) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(allowed.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_of_an_internal_address_is_refused() {
        let open = Destinations::default();
        let refused = [
            "http://127.0.0.1/x",
            "http://2130706433/x",
            "http://017700000001/x",
            "http://0x7f.1/x",
            "http://127.1/x",
            "http://0/x",
            "http://0.0.0.0:8080/x",
            "http://[::1]/x",
            "http://[::ffff:127.0.0.1]/x",
            "http://[::ffff:7f00:1]/x",
            "http://[64:ff9b::a9fe:a9fe]/x",
            "http://[2002:c0a8:0101::1]/x",
            "http://[::]/x",
            "http://169.254.169.254/latest/meta-data",
            "http://10.1.2.3/x",
            "http://172.31.255.255/x",
            "http://192.168.1.1/x",
            "http://100.100.100.200/x",
            "http://[fd00:ec2::254]/x",
            "http://[fe80::1]/x",
            "http://224.0.0.1/x",
            "http://255.255.255.255/x",
            "https://user:pw@127.0.0.1/x",
        ];
        for url in refused {
            assert!(open.check_literal(url).is_err(), "{url} passed");
        }
        let public = [
            ("https://8.8.8.8/x", None),
            ("https://[2606:4700::1111]/x", None),
            ("https://hooks.example.com/x", Some("hooks.example.com")),
            ("http://172.32.0.1/x", None),
        ];
        for (url, name) in public {
            assert_eq!(
                open.check_literal(url),
                Ok(name.map(str::to_owned)),
                "{url}"
            );
        }
    }

    #[test]
    fn allowed_networks_open_only_themselves() {
        let allowed: AllowedNetworks = " 127.0.0.0/8, ::1 ,".parse().unwrap();
        let local = Destinations::new(allowed);
        assert_eq!(local.check_literal("http://127.0.0.2:9/x"), Ok(None));
        assert_eq!(local.check_literal("http://[::1]/x"), Ok(None));
        let refusal = local.check_literal("http://10.0.0.1/x").unwrap_err();
        assert_eq!(refusal.why, "a private address");
        assert!(refusal.to_string().contains("--webhook-allowed-networks"));
        for bad in ["127.0.0.0/33", "localhost", "10.0.0.0/8;"] {
            assert!(bad.parse::<AllowedNetworks>().is_err(), "{bad}");
        }
        assert_eq!(
            "".parse::<AllowedNetworks>(),
            Ok(AllowedNetworks::default())
        );
    }
}
