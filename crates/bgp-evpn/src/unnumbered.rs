//! Unnumbered peer discovery, sans-IO: when to send IPv6 Router
//! Advertisements on a BGP interface, and which link-local address the peer
//! at the other end has.
//!
//! A neighbour named by interface has no configured address. Both ends send
//! Router Advertisements (RFC 4861 §6.2) to all-nodes on the link; the source
//! of the peer's RA is the peer's link-local address, the address the BGP
//! session runs on (with the interface as scope). An incoming TCP connection
//! from a link-local source on the interface teaches the same thing.
//!
//! The learnt address expires when the router lifetime of the last RA runs
//! out without a fresh RA (an address learnt from a connection does not
//! expire by itself). A different source replaces the learnt address.
//!
//! # Contract
//!
//! The driver calls [`Discovery::handle_timeout`] at [`Discovery::poll_timeout`]
//! (sending an RA when it says so), feeds received RAs with
//! [`Discovery::handle_advert`] and accepted connections with
//! [`Discovery::handle_connection`], and reacts to the [`PeerChange`]s these
//! return. Nothing here reads a clock or touches a socket.

use std::net::Ipv6Addr;
use std::time::Duration;

use crate::session::Timestamp;

/// How often to advertise and what lifetime to put in the RAs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiscoveryConfig {
    /// Interval between unsolicited RAs.
    pub interval: Duration,
    /// Router Lifetime in our RAs, in seconds (non-zero: FRR, like RFC 8950
    /// deployments, expects a router on the link).
    pub router_lifetime: u16,
}

impl Default for DiscoveryConfig {
    /// FRR's unnumbered defaults scaled down: an RA every 3 s, lifetime 30 s.
    fn default() -> Self {
        DiscoveryConfig {
            interval: Duration::from_secs(3),
            router_lifetime: 30,
        }
    }
}

/// A change of the peer's address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeerChange {
    /// The peer is (now) at this link-local address.
    Learnt(Ipv6Addr),
    /// The learnt address expired (no RA within its router lifetime).
    Lost(Ipv6Addr),
}

/// Discovery state of one interface.
#[derive(Debug, Clone)]
pub struct Discovery {
    cfg: DiscoveryConfig,
    next_advert: Timestamp,
    peer: Option<Ipv6Addr>,
    /// `None`: learnt from a connection (no expiry).
    expires: Option<Timestamp>,
    adverts_sent: u64,
    adverts_received: u64,
}

/// True for fe80::/10.
pub fn is_link_local(a: Ipv6Addr) -> bool {
    a.segments().first().is_some_and(|s| s & 0xffc0 == 0xfe80)
}

impl Discovery {
    /// Start at `now`: the first RA is due immediately.
    pub fn new(cfg: DiscoveryConfig, now: Timestamp) -> Discovery {
        Discovery {
            cfg,
            next_advert: now,
            peer: None,
            expires: None,
            adverts_sent: 0,
            adverts_received: 0,
        }
    }

    /// The peer's link-local address, if known.
    pub fn peer(&self) -> Option<Ipv6Addr> {
        self.peer
    }

    /// The Router Lifetime to put in our RAs.
    pub fn router_lifetime(&self) -> u16 {
        self.cfg.router_lifetime
    }

    /// RAs sent and received so far.
    pub fn counters(&self) -> (u64, u64) {
        (self.adverts_sent, self.adverts_received)
    }

    /// The next deadline: an RA to send or the learnt address to expire.
    pub fn poll_timeout(&self) -> Timestamp {
        match self.expires {
            Some(e) if e < self.next_advert => e,
            _ => self.next_advert,
        }
    }

    /// Time passed. Returns whether to send an RA now, and a change if the
    /// learnt address expired.
    pub fn handle_timeout(&mut self, now: Timestamp) -> (bool, Option<PeerChange>) {
        let mut change = None;
        if let (Some(e), Some(p)) = (self.expires, self.peer) {
            if now >= e {
                self.peer = None;
                self.expires = None;
                change = Some(PeerChange::Lost(p));
            }
        }
        let send = now >= self.next_advert;
        if send {
            self.adverts_sent += 1;
            self.next_advert = Timestamp(now.0 + self.cfg.interval);
        }
        (send, change)
    }

    /// The peer solicited an RA (a Router Solicitation): answer soon.
    pub fn handle_solicit(&mut self, now: Timestamp) {
        if self.next_advert > now {
            self.next_advert = now;
        }
    }

    /// An RA from `src` with `router_lifetime` seconds arrived. RAs from a
    /// source that is not link-local are ignored (RFC 4861 §6.1.2); a zero
    /// lifetime still names the peer (the address is what matters here) and
    /// keeps it for one advertising interval.
    pub fn handle_advert(
        &mut self,
        now: Timestamp,
        src: Ipv6Addr,
        router_lifetime: u16,
    ) -> Option<PeerChange> {
        if !is_link_local(src) {
            return None;
        }
        self.adverts_received += 1;
        let keep = if router_lifetime == 0 {
            self.cfg.interval * 3
        } else {
            Duration::from_secs(u64::from(router_lifetime))
        };
        let fresh = Timestamp(now.0 + keep);
        self.learn(src, Some(fresh))
    }

    /// A TCP connection from `src` (link-local, on this interface) arrived.
    pub fn handle_connection(&mut self, src: Ipv6Addr) -> Option<PeerChange> {
        if !is_link_local(src) {
            return None;
        }
        if self.peer == Some(src) {
            // Already known (maybe from RAs, which keep their expiry).
            return None;
        }
        self.learn(src, None)
    }

    fn learn(&mut self, src: Ipv6Addr, expires: Option<Timestamp>) -> Option<PeerChange> {
        let changed = self.peer != Some(src);
        self.peer = Some(src);
        self.expires = expires;
        changed.then_some(PeerChange::Learnt(src))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: u64) -> Timestamp {
        Timestamp::from_secs(s)
    }

    fn a(s: &str) -> Ipv6Addr {
        s.parse().unwrap()
    }

    #[test]
    fn advertises_at_start_then_every_interval() {
        let mut d = Discovery::new(DiscoveryConfig::default(), t(10));
        assert_eq!(d.poll_timeout(), t(10));
        assert_eq!(d.handle_timeout(t(10)), (true, None));
        assert_eq!(d.poll_timeout(), t(13));
        assert_eq!(d.handle_timeout(t(12)), (false, None));
        assert_eq!(d.handle_timeout(t(13)), (true, None));
        assert_eq!(d.counters(), (2, 0));
        d.handle_solicit(t(14));
        assert_eq!(d.poll_timeout(), t(14));
    }

    #[test]
    fn learns_refreshes_replaces_and_expires() {
        let mut d = Discovery::new(DiscoveryConfig::default(), t(0));
        let _ = d.handle_timeout(t(0));
        // Global sources are not routers on this link for RA purposes.
        assert_eq!(d.handle_advert(t(1), a("2001:db8::1"), 1800), None);
        assert_eq!(
            d.handle_advert(t(1), a("fe80::1"), 30),
            Some(PeerChange::Learnt(a("fe80::1")))
        );
        assert_eq!(d.peer(), Some(a("fe80::1")));
        // A refresh is no change but moves the expiry.
        assert_eq!(d.handle_advert(t(20), a("fe80::1"), 30), None);
        assert_eq!(d.poll_timeout(), t(3));
        // Advertising continues; expiry at 50.
        let mut now = 3;
        while now < 50 {
            assert_eq!(d.handle_timeout(t(now)).1, None);
            now += 3;
        }
        assert_eq!(
            d.handle_timeout(t(50)).1,
            Some(PeerChange::Lost(a("fe80::1")))
        );
        assert_eq!(d.peer(), None);
        // A new peer replaces an old one.
        assert_eq!(
            d.handle_advert(t(60), a("fe80::1"), 30),
            Some(PeerChange::Learnt(a("fe80::1")))
        );
        assert_eq!(
            d.handle_advert(t(61), a("fe80::2"), 30),
            Some(PeerChange::Learnt(a("fe80::2")))
        );
        assert_eq!(d.counters().1, 4);
    }

    #[test]
    fn connection_teaches_without_expiry() {
        let mut d = Discovery::new(DiscoveryConfig::default(), t(0));
        assert_eq!(d.handle_connection(a("::ffff:10.0.0.1")), None);
        assert_eq!(
            d.handle_connection(a("fe80::9")),
            Some(PeerChange::Learnt(a("fe80::9")))
        );
        assert_eq!(d.handle_connection(a("fe80::9")), None);
        for s in 0..1000 {
            assert_eq!(d.handle_timeout(t(s)).1, None);
        }
        assert_eq!(d.peer(), Some(a("fe80::9")));
        // Zero router lifetime: kept for three intervals.
        assert_eq!(
            d.handle_advert(t(1000), a("fe80::7"), 0),
            Some(PeerChange::Learnt(a("fe80::7")))
        );
        assert_eq!(
            d.handle_timeout(t(1009)).1,
            Some(PeerChange::Lost(a("fe80::7")))
        );
    }
}
