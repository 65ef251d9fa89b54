//! Throttling of failed sign-ins, per client address.
//!
//! Each wrong app key or token counts against the address it came from (IPv6 addresses by their
//! /64 network, which one machine usually holds whole). After [`AuthThrottle::failures_max`]
//! failures within a minute, every request from that address that presents credentials — right
//! or wrong, so the answer tells nothing about the guess — is answered 429 with `Retry-After`
//! until the minute that began with its first failure is over. Other addresses are not slowed.
//!
//! Counts are kept in memory, per process: several servers behind one address each count on
//! their own. Behind a reverse proxy every client has the proxy's address, so a proxy should do
//! its own throttling (or the limit be raised with `--auth-failures-per-minute`).

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Arc, Mutex};

/// How long failures are counted from the first one, in microseconds.
pub const WINDOW_US: i64 = 60_000_000;
/// Most addresses tracked at once; beyond it, addresses whose minute is over are forgotten first.
pub const ADDRESSES_MAX: usize = 100_000;
/// The default of `--auth-failures-per-minute`.
pub const FAILURES_MAX_DEFAULT: u32 = 20;

/// Failed authentications per address, shared by every clone.
#[derive(Clone, Debug)]
pub struct AuthThrottle {
    /// Failures within a window after which an address is refused (0: never).
    failures_max: u32,
    counts: Arc<Mutex<HashMap<IpAddr, Failures>>>,
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    since_us: i64,
    count: u32,
}

/// An address that must wait this many whole seconds before trying again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttled {
    pub retry_after_seconds: u32,
}

impl Default for AuthThrottle {
    fn default() -> Self {
        AuthThrottle::new(FAILURES_MAX_DEFAULT)
    }
}

impl AuthThrottle {
    /// Refuses an address after `failures_max` failures within a minute; 0 turns this off.
    pub fn new(failures_max: u32) -> AuthThrottle {
        AuthThrottle {
            failures_max,
            counts: Arc::default(),
        }
    }

    /// `Err` while `peer` has used up its failures (`None`: an in-process request without a
    /// peer, counted as one address of its own).
    pub fn check(&self, peer: Option<IpAddr>, now_us: i64) -> Result<(), Throttled> {
        if self.failures_max == 0 {
            return Ok(());
        }
        let counts = self.counts.lock().expect("throttle lock");
        match counts.get(&bucket(peer)) {
            Some(f) if f.count >= self.failures_max && now_us < f.since_us + WINDOW_US => {
                let wait_us = f.since_us + WINDOW_US - now_us;
                let seconds = (wait_us + 999_999) / 1_000_000;
                Err(Throttled {
                    retry_after_seconds: u32::try_from(seconds.max(1)).unwrap_or(u32::MAX),
                })
            }
            _ => Ok(()),
        }
    }

    /// Counts a failed authentication from `peer`.
    pub fn record_failure(&self, peer: Option<IpAddr>, now_us: i64) {
        if self.failures_max == 0 {
            return;
        }
        let mut counts = self.counts.lock().expect("throttle lock");
        let key = bucket(peer);
        if counts.len() >= ADDRESSES_MAX && !counts.contains_key(&key) {
            counts.retain(|_, f| now_us < f.since_us + WINDOW_US);
            if counts.len() >= ADDRESSES_MAX {
                tracing::warn!(
                    "{ADDRESSES_MAX} addresses failed to sign in within a minute; not counting more"
                );
                return;
            }
        }
        let entry = counts.entry(key).or_insert(Failures {
            since_us: now_us,
            count: 0,
        });
        if now_us >= entry.since_us + WINDOW_US {
            *entry = Failures {
                since_us: now_us,
                count: 0,
            };
        }
        entry.count = entry.count.saturating_add(1);
        if entry.count == self.failures_max {
            tracing::warn!(address = %key, "too many failed sign-ins: throttled for a minute");
        }
    }
}

/// The address failures are counted under: IPv4 as it is, IPv6 by its /64 network (IPv4-mapped
/// IPv6 as the IPv4 address).
fn bucket(peer: Option<IpAddr>) -> IpAddr {
    match peer {
        None => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
        Some(IpAddr::V4(v4)) => IpAddr::V4(v4),
        Some(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: i64 = 1_000_000;

    fn ip(text: &str) -> Option<IpAddr> {
        Some(text.parse().unwrap())
    }

    #[test]
    fn refuses_an_address_after_its_failures_until_the_minute_is_over() {
        let throttle = AuthThrottle::new(3);
        let t0 = 1_000 * SECOND;
        for i in 0..3 {
            assert_eq!(throttle.check(ip("127.0.0.1"), t0 + i), Ok(()));
            throttle.record_failure(ip("127.0.0.1"), t0 + i);
        }
        assert_eq!(
            throttle.check(ip("127.0.0.1"), t0 + 10 * SECOND),
            Err(Throttled {
                retry_after_seconds: 50
            })
        );
        assert_eq!(
            throttle.check(ip("127.0.0.1"), t0 + 59 * SECOND + SECOND / 2),
            Err(Throttled {
                retry_after_seconds: 1
            })
        );
        // Another address is not slowed.
        assert_eq!(throttle.check(ip("127.0.0.2"), t0 + 10 * SECOND), Ok(()));
        // The minute is over: the address starts afresh.
        assert_eq!(throttle.check(ip("127.0.0.1"), t0 + 60 * SECOND), Ok(()));
        throttle.record_failure(ip("127.0.0.1"), t0 + 60 * SECOND);
        assert_eq!(throttle.check(ip("127.0.0.1"), t0 + 61 * SECOND), Ok(()));
    }

    #[test]
    fn ipv6_counts_by_network_and_mapped_ipv4_as_ipv4() {
        let throttle = AuthThrottle::new(2);
        throttle.record_failure(ip("2001:db8:1:2::1"), 0);
        throttle.record_failure(ip("2001:db8:1:2:ffff::9"), 0);
        assert!(throttle.check(ip("2001:db8:1:2::77"), SECOND).is_err());
        assert!(throttle.check(ip("2001:db8:1:3::1"), SECOND).is_ok());
        throttle.record_failure(ip("::ffff:127.0.0.9"), 0);
        throttle.record_failure(ip("127.0.0.9"), 0);
        assert!(throttle.check(ip("127.0.0.9"), SECOND).is_err());
    }

    #[test]
    fn zero_turns_it_off() {
        let throttle = AuthThrottle::new(0);
        for _ in 0..100 {
            throttle.record_failure(None, 0);
        }
        assert_eq!(throttle.check(None, 0), Ok(()));
    }
}
