//! ARP and ND suppression: a bounded table of IP → MAC bindings per bridge
//! domain, and local answers to ARP requests and IPv6 Neighbor
//! Solicitations for known bindings, so they are not flooded.
//!
//! # Bindings
//!
//! A binding is learnt by **snooping** ([`SuppressTable::snoop`]): the sender
//! of an ARP request or reply (not an ARP probe from 0.0.0.0), the target
//! and Target Link-Layer Address of a Neighbor Advertisement, and the source
//! and Source Link-Layer Address of a Neighbor Solicitation (not from `::`).
//! Or it is installed by the control plane (EVPN type-2 MAC+IP routes) or
//! the operator. The precedence is the MAC table's (static, then control
//! plane, then learnt): learning never replaces an installed binding,
//! learnt and installed bindings have separate limits (a flood of
//! gratuitous ARPs cannot evict the control plane's bindings), and learnt
//! bindings age. Changes are queued as [`BindingEvent`]s (bounded, with a
//! resync flag on overflow, like [`crate::MacTable`]).
//!
//! # Answers
//!
//! [`SuppressTable::answer`] looks at a frame that a local port sent to a
//! group address (broadcast or multicast; unicast requests are for
//! reachability checks and go to their owner):
//!
//! - an ARP request (not gratuitous) for a known IPv4 address: writes an ARP
//!   reply from the binding's MAC to the requester, with the request's VLAN
//!   tags;
//! - a Neighbor Solicitation (valid per RFC 4861 §7.1.1) for a known IPv6
//!   address: writes the Neighbor Advertisement (flags S and O, R for router
//!   bindings; to all-nodes without S for duplicate address detection) with
//!   a Target Link-Layer Address option.
//!
//! A request whose sender MAC is the binding's own MAC (a host checking its
//! own address) is not answered. Anything not answered is forwarded as
//! usual (flooded if unknown). No padding to 60 bytes is added; TAP, VXLAN
//! and NIC drivers do not need it.

use core::net::IpAddr;
use core::time::Duration;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, VecDeque};

use vtepd_wire::arp::{ArpOperation, ArpPacket, ArpRepr};
use vtepd_wire::ndp::{answer_solicit, NdiscFrame, NdiscRepr};
use vtepd_wire::{EtherType, EthernetAddress, EthernetFrame, EthernetRepr};

use crate::mac_table::{InstallError, LearnError};
use crate::time::Timestamp;

/// Who created a binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BindingKind {
    /// Snooped from ARP or ND traffic.
    Learnt,
    /// Configured by the operator.
    Static,
    /// Installed by the control plane (EVPN type-2 MAC+IP).
    ControlPlane,
}

/// One IP → MAC binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Binding {
    /// The MAC that owns the address.
    pub mac: EthernetAddress,
    /// Who created the binding.
    pub kind: BindingKind,
    /// The owner is a router (IPv6: the R flag of answers).
    pub router: bool,
    /// Last time the binding was seen or installed.
    pub last_seen: Timestamp,
}

/// A binding change for the control plane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BindingEvent {
    /// A new binding was snooped.
    Learnt {
        /// The address.
        ip: IpAddr,
        /// Its MAC.
        mac: EthernetAddress,
    },
    /// A snooped binding now points at another MAC.
    Changed {
        /// The address.
        ip: IpAddr,
        /// The previous MAC.
        from: EthernetAddress,
        /// The new MAC.
        to: EthernetAddress,
    },
    /// A snooped binding aged out.
    Aged {
        /// The address.
        ip: IpAddr,
        /// Its MAC.
        mac: EthernetAddress,
    },
}

/// Limits and timers of a suppression table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SuppressConfig {
    /// Most snooped bindings.
    pub learn_limit: usize,
    /// Most static plus control-plane bindings.
    pub install_limit: usize,
    /// Aging time of snooped bindings; `None` disables aging.
    pub age: Option<Duration>,
    /// Most queued events.
    pub event_limit: usize,
}

impl Default for SuppressConfig {
    /// 4096 snooped, 4096 installed, 300 s aging, 1024 events.
    fn default() -> Self {
        SuppressConfig {
            learn_limit: 4096,
            install_limit: 4096,
            age: Some(Duration::from_secs(300)),
            event_limit: 1024,
        }
    }
}

/// Counters of a suppression table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SuppressCounters {
    /// ARP requests answered.
    pub arp_replies: u64,
    /// Neighbor Solicitations answered.
    pub nd_replies: u64,
    /// Requests for unknown addresses (forwarded).
    pub misses: u64,
    /// Requests not answered because the sender owns the address.
    pub own_address: u64,
    /// Snooped bindings refused because the table was full.
    pub learn_refused_full: u64,
    /// Snooped bindings that conflict with an installed one (kept).
    pub pinned_conflicts: u64,
    /// Snooped bindings removed by aging.
    pub aged: u64,
    /// Events dropped because the queue was full.
    pub events_lost: u64,
}

/// What [`SuppressTable::answer`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// A reply of this many bytes was written; do not forward the request.
    Reply(usize),
    /// Not an answerable request (or no binding): forward the frame.
    Forward,
}

/// The bounded IP → MAC table of one domain (see the module docs).
#[derive(Debug)]
pub struct SuppressTable {
    cfg: SuppressConfig,
    map: HashMap<IpAddr, Binding>,
    learnt: usize,
    installed: usize,
    events: VecDeque<BindingEvent>,
    resync: bool,
    counters: SuppressCounters,
}

impl SuppressTable {
    /// An empty table with its memory allocated up front.
    pub fn new(cfg: SuppressConfig) -> SuppressTable {
        SuppressTable {
            cfg,
            map: HashMap::with_capacity(cfg.learn_limit.saturating_add(cfg.install_limit)),
            learnt: 0,
            installed: 0,
            events: VecDeque::with_capacity(cfg.event_limit),
            resync: false,
            counters: SuppressCounters::default(),
        }
    }

    /// The binding for `ip`.
    pub fn lookup(&self, ip: &IpAddr) -> Option<&Binding> {
        self.map.get(ip)
    }

    /// Learn that `ip` is at `mac` (snooped). Never allocates.
    pub fn learn(
        &mut self,
        now: Timestamp,
        ip: IpAddr,
        mac: EthernetAddress,
    ) -> Result<(), LearnError> {
        if !mac.is_unicast() || !is_bindable(ip) {
            return Err(LearnError::BadSource);
        }
        match self.map.get_mut(&ip) {
            Some(b) if b.kind == BindingKind::Learnt => {
                b.last_seen = now;
                if b.mac != mac {
                    let from = b.mac;
                    b.mac = mac;
                    self.push_event(BindingEvent::Changed { ip, from, to: mac });
                }
                Ok(())
            }
            Some(b) => {
                if b.mac != mac {
                    self.counters.pinned_conflicts += 1;
                }
                Ok(())
            }
            None => {
                if self.learnt >= self.cfg.learn_limit {
                    self.counters.learn_refused_full += 1;
                    return Err(LearnError::TableFull);
                }
                self.map.insert(
                    ip,
                    Binding {
                        mac,
                        kind: BindingKind::Learnt,
                        router: false,
                        last_seen: now,
                    },
                );
                self.learnt += 1;
                self.push_event(BindingEvent::Learnt { ip, mac });
                Ok(())
            }
        }
    }

    /// Install a control-plane binding (replaces a learnt or control-plane
    /// one; not a static one).
    pub fn install(
        &mut self,
        now: Timestamp,
        ip: IpAddr,
        mac: EthernetAddress,
        router: bool,
    ) -> Result<Option<Binding>, InstallError> {
        self.install_kind(now, ip, mac, router, BindingKind::ControlPlane)
    }

    /// Install a static binding (replaces any).
    pub fn install_static(
        &mut self,
        now: Timestamp,
        ip: IpAddr,
        mac: EthernetAddress,
        router: bool,
    ) -> Result<Option<Binding>, InstallError> {
        self.install_kind(now, ip, mac, router, BindingKind::Static)
    }

    fn install_kind(
        &mut self,
        now: Timestamp,
        ip: IpAddr,
        mac: EthernetAddress,
        router: bool,
        kind: BindingKind,
    ) -> Result<Option<Binding>, InstallError> {
        if !mac.is_unicast() || !is_bindable(ip) {
            return Err(InstallError::BadMac);
        }
        let new = Binding {
            mac,
            kind,
            router,
            last_seen: now,
        };
        let full = self.installed >= self.cfg.install_limit;
        match self.map.entry(ip) {
            Entry::Occupied(mut o) => {
                let old = *o.get();
                if old.kind == BindingKind::Static && kind != BindingKind::Static {
                    return Err(InstallError::StaticPresent);
                }
                if old.kind == BindingKind::Learnt {
                    if full {
                        return Err(InstallError::TableFull);
                    }
                    self.learnt -= 1;
                    self.installed += 1;
                }
                o.insert(new);
                Ok(Some(old))
            }
            Entry::Vacant(v) => {
                if full {
                    return Err(InstallError::TableFull);
                }
                v.insert(new);
                self.installed += 1;
                Ok(None)
            }
        }
    }

    /// Remove a control-plane binding (a withdrawal); others are kept.
    pub fn withdraw(&mut self, ip: &IpAddr) -> Option<Binding> {
        match self.map.get(ip) {
            Some(b) if b.kind == BindingKind::ControlPlane => self.remove(ip),
            _ => None,
        }
    }

    /// Remove any binding for `ip`.
    pub fn remove(&mut self, ip: &IpAddr) -> Option<Binding> {
        let b = self.map.remove(ip)?;
        if b.kind == BindingKind::Learnt {
            self.learnt -= 1;
        } else {
            self.installed -= 1;
        }
        Some(b)
    }

    /// Remove snooped bindings not seen for the aging time. Returns how many.
    pub fn expire(&mut self, now: Timestamp) -> usize {
        let Some(age) = self.cfg.age else {
            return 0;
        };
        let mut removed = 0usize;
        let mut lost = 0u64;
        let (events, limit) = (&mut self.events, self.cfg.event_limit);
        self.map.retain(|ip, b| {
            if b.kind == BindingKind::Learnt && now.saturating_since(b.last_seen) >= age {
                removed += 1;
                if events.len() < limit {
                    events.push_back(BindingEvent::Aged {
                        ip: *ip,
                        mac: b.mac,
                    });
                } else {
                    lost += 1;
                }
                false
            } else {
                true
            }
        });
        self.learnt -= removed;
        self.counters.aged += removed as u64;
        self.note_lost(lost);
        removed
    }

    /// The next queued event.
    pub fn poll_event(&mut self) -> Option<BindingEvent> {
        self.events.pop_front()
    }

    /// Whether events were lost since the last call (and clear the flag).
    pub fn take_resync(&mut self) -> bool {
        core::mem::take(&mut self.resync)
    }

    /// Every binding.
    pub fn iter(&self) -> impl Iterator<Item = (&IpAddr, &Binding)> + '_ {
        self.map.iter()
    }

    /// Number of bindings.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether there are no bindings.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Number of snooped bindings.
    pub fn learnt_len(&self) -> usize {
        self.learnt
    }

    /// A snapshot of the counters.
    pub fn counters(&self) -> SuppressCounters {
        self.counters
    }

    fn push_event(&mut self, ev: BindingEvent) {
        if self.events.len() < self.cfg.event_limit {
            self.events.push_back(ev);
        } else {
            self.note_lost(1);
        }
    }

    fn note_lost(&mut self, lost: u64) {
        if lost > 0 {
            self.counters.events_lost += lost;
            self.resync = true;
        }
    }

    /// Learn bindings from an ARP or ND frame, if it is one. Returns whether
    /// the frame was ARP or ND. Invalid messages teach nothing. Never
    /// allocates.
    pub fn snoop(&mut self, now: Timestamp, frame: &[u8]) -> bool {
        let Ok(eth) = EthernetFrame::new_checked(frame) else {
            return false;
        };
        match eth.ethertype() {
            EtherType::Arp => {
                let Ok(arp) = ArpPacket::new_checked(eth.payload()) else {
                    return true;
                };
                let Ok(r) = ArpRepr::parse(&arp) else {
                    return true;
                };
                let is_op = matches!(r.operation, ArpOperation::Request | ArpOperation::Reply);
                if is_op && !r.source_protocol_addr.is_unspecified() {
                    let _ = self.learn(
                        now,
                        IpAddr::V4(r.source_protocol_addr),
                        r.source_hardware_addr,
                    );
                }
                true
            }
            EtherType::Ipv6 => {
                let Ok(nd) = NdiscFrame::parse(frame) else {
                    return false;
                };
                match nd.ndisc {
                    NdiscRepr::NeighborAdvert {
                        target_addr,
                        options,
                        ..
                    } => {
                        let mac = options.target_lladdr().unwrap_or(nd.eth.src_addr);
                        let _ = self.learn(now, IpAddr::V6(target_addr), mac);
                    }
                    NdiscRepr::NeighborSolicit { options, .. } => {
                        if let Some(mac) = options.source_lladdr() {
                            if !nd.ip.src_addr.is_unspecified() {
                                let _ = self.learn(now, IpAddr::V6(nd.ip.src_addr), mac);
                            }
                        }
                    }
                    _ => {}
                }
                true
            }
            _ => false,
        }
    }

    /// Answer an ARP request or Neighbor Solicitation for a known binding
    /// by writing the reply frame into `out` (see the module docs). Never
    /// allocates, never panics; a reply that does not fit `out` is not
    /// written ([`Answer::Forward`]).
    pub fn answer(&mut self, frame: &[u8], out: &mut [u8]) -> Answer {
        let Ok(eth) = EthernetFrame::new_checked(frame) else {
            return Answer::Forward;
        };
        if !eth.dst_addr().is_multicast() {
            return Answer::Forward;
        }
        match eth.ethertype() {
            EtherType::Arp => self.answer_arp(&eth, out),
            EtherType::Ipv6 => self.answer_nd(frame, out),
            _ => Answer::Forward,
        }
    }

    fn answer_arp(&mut self, eth: &EthernetFrame<&[u8]>, out: &mut [u8]) -> Answer {
        let Ok(arp) = ArpPacket::new_checked(eth.payload()) else {
            return Answer::Forward;
        };
        let Ok(req) = ArpRepr::parse(&arp) else {
            return Answer::Forward;
        };
        if req.operation != ArpOperation::Request || req.is_gratuitous() {
            return Answer::Forward;
        }
        let Some(b) = self.lookup_for(
            IpAddr::V4(req.target_protocol_addr),
            req.source_hardware_addr,
        ) else {
            return Answer::Forward;
        };
        let Ok(reply) = req.reply(b.mac) else {
            return Answer::Forward;
        };
        let Ok(hdr) = EthernetRepr::parse(eth) else {
            return Answer::Forward;
        };
        let out_eth = EthernetRepr {
            src_addr: b.mac,
            dst_addr: hdr.src_addr,
            ..hdr
        };
        let hl = out_eth.buffer_len();
        let total = hl + reply.buffer_len();
        let Some(out) = out.get_mut(..total) else {
            return Answer::Forward;
        };
        let (h, body) = out.split_at_mut(hl);
        if out_eth.emit(&mut EthernetFrame::new_unchecked(h)).is_err()
            || reply.emit(&mut ArpPacket::new_unchecked(body)).is_err()
        {
            return Answer::Forward;
        }
        self.counters.arp_replies += 1;
        Answer::Reply(total)
    }

    fn answer_nd(&mut self, frame: &[u8], out: &mut [u8]) -> Answer {
        let Ok(ns) = NdiscFrame::parse(frame) else {
            return Answer::Forward;
        };
        let NdiscRepr::NeighborSolicit { target_addr, .. } = ns.ndisc else {
            return Answer::Forward;
        };
        let Some(b) = self.lookup_for(IpAddr::V6(target_addr), ns.eth.src_addr) else {
            return Answer::Forward;
        };
        match answer_solicit(&ns, b.mac, b.router, out) {
            Ok(n) => {
                self.counters.nd_replies += 1;
                Answer::Reply(n)
            }
            Err(_) => Answer::Forward,
        }
    }

    /// The binding to answer with, counting misses and own-address checks.
    fn lookup_for(&mut self, ip: IpAddr, requester: EthernetAddress) -> Option<Binding> {
        match self.map.get(&ip) {
            None => {
                self.counters.misses += 1;
                None
            }
            Some(b) if b.mac == requester => {
                self.counters.own_address += 1;
                None
            }
            Some(b) => Some(*b),
        }
    }
}

/// Addresses a binding may be for: unicast, specified.
fn is_bindable(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(a) => !(a.is_unspecified() || a.is_broadcast() || a.is_multicast()),
        IpAddr::V6(a) => !(a.is_unspecified() || a.is_multicast()),
    }
}

/// The longest reply [`SuppressTable::answer`] writes: a Neighbor
/// Advertisement with a Target Link-Layer Address option and two VLAN tags
/// (14 + 8 + 40 + 24 + 8 bytes).
pub const MAX_REPLY_LEN: usize = 94;

#[cfg(test)]
mod tests {
    use super::*;
    use core::net::{Ipv4Addr, Ipv6Addr};
    use vtepd_wire::checksum;
    use vtepd_wire::IpProtocol;

    const HOST_A: EthernetAddress = EthernetAddress([0x02, 0xaa, 0, 0, 0, 1]);
    const HOST_B: EthernetAddress = EthernetAddress([0x02, 0xbb, 0, 0, 0, 2]);
    const IP_A: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
    const IP_B: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);
    const V6_A: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0xa);
    const V6_B: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0xb);
    const T0: Timestamp = Timestamp(0);

    fn table() -> SuppressTable {
        SuppressTable::new(SuppressConfig {
            learn_limit: 4,
            install_limit: 2,
            age: Some(Duration::from_secs(60)),
            event_limit: 16,
        })
    }

    /// An ARP request from A (10.0.0.1) for 10.0.0.2, bytes by hand
    /// (RFC 826 layout), optionally with an 802.1Q tag for VLAN 100.
    fn arp_request(tagged: bool) -> Vec<u8> {
        let mut f = vec![0xff; 6];
        f.extend_from_slice(&HOST_A.0);
        if tagged {
            f.extend_from_slice(&[0x81, 0x00, 0x00, 0x64]);
        }
        f.extend_from_slice(&[0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 1]);
        f.extend_from_slice(&HOST_A.0);
        f.extend_from_slice(&[10, 0, 0, 1]);
        f.extend_from_slice(&[0; 6]);
        f.extend_from_slice(&[10, 0, 0, 2]);
        f
    }

    /// The reply B would send, bytes by hand.
    fn arp_reply_expected(tagged: bool) -> Vec<u8> {
        let mut f = HOST_A.0.to_vec();
        f.extend_from_slice(&HOST_B.0);
        if tagged {
            f.extend_from_slice(&[0x81, 0x00, 0x00, 0x64]);
        }
        f.extend_from_slice(&[0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 2]);
        f.extend_from_slice(&HOST_B.0);
        f.extend_from_slice(&[10, 0, 0, 2]);
        f.extend_from_slice(&HOST_A.0);
        f.extend_from_slice(&[10, 0, 0, 1]);
        f
    }

    #[test]
    fn arp_reply_byte_exact() {
        for tagged in [false, true] {
            let mut t = table();
            t.install(T0, IpAddr::V4(IP_B), HOST_B, false).unwrap();
            let mut out = [0u8; 128];
            let n = match t.answer(&arp_request(tagged), &mut out) {
                Answer::Reply(n) => n,
                Answer::Forward => panic!("not answered"),
            };
            assert_eq!(&out[..n], &arp_reply_expected(tagged)[..]);
        }
    }

    #[test]
    fn arp_unknown_gratuitous_own_and_short_buffer_are_forwarded() {
        let mut t = table();
        let mut out = [0u8; 128];
        assert_eq!(t.answer(&arp_request(false), &mut out), Answer::Forward);
        assert_eq!(t.counters().misses, 1);
        // Own address: A asks for 10.0.0.2 but the binding says A.
        t.install(T0, IpAddr::V4(IP_B), HOST_A, false).unwrap();
        assert_eq!(t.answer(&arp_request(false), &mut out), Answer::Forward);
        assert_eq!(t.counters().own_address, 1);
        t.install(T0, IpAddr::V4(IP_B), HOST_B, false).unwrap();
        // Gratuitous (target = sender address).
        let mut g = arp_request(false);
        g[38..42].copy_from_slice(&[10, 0, 0, 1]);
        t.install(T0, IpAddr::V4(IP_A), HOST_B, false).unwrap();
        assert_eq!(t.answer(&g, &mut out), Answer::Forward);
        // Unicast request (reachability check) goes to its owner.
        let mut u = arp_request(false);
        u[..6].copy_from_slice(&HOST_B.0);
        assert_eq!(t.answer(&u, &mut out), Answer::Forward);
        // Reply does not fit.
        assert_eq!(
            t.answer(&arp_request(false), &mut out[..41]),
            Answer::Forward
        );
        assert_eq!(
            t.answer(&arp_request(false), &mut out[..42]),
            Answer::Reply(42)
        );
        assert_eq!(t.counters().arp_replies, 1);
    }

    /// A Neighbor Solicitation from A for B, to B's solicited-node group,
    /// with a Source Link-Layer Address option: bytes by hand (RFC 4861
    /// §4.3), checksum over the RFC 8200 §8.1 pseudo-header.
    fn ns_from_a(src: Ipv6Addr) -> Vec<u8> {
        let snm = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 1, 0xff00, 0x000b);
        let mut icmp = vec![135, 0, 0, 0, 0, 0, 0, 0];
        icmp.extend_from_slice(&V6_B.octets());
        if !src.is_unspecified() {
            icmp.extend_from_slice(&[1, 1]);
            icmp.extend_from_slice(&HOST_A.0);
        }
        let c = !checksum::fold(
            checksum::pseudo_header_v6(src, snm, IpProtocol::Icmpv6, icmp.len() as u32)
                + checksum::sum(&icmp),
        );
        icmp[2..4].copy_from_slice(&c.to_be_bytes());
        let mut f = vec![0x33, 0x33, 0xff, 0, 0, 0x0b];
        f.extend_from_slice(&HOST_A.0);
        f.extend_from_slice(&[0x86, 0xdd, 0x60, 0, 0, 0, 0, icmp.len() as u8, 58, 255]);
        f.extend_from_slice(&src.octets());
        f.extend_from_slice(&snm.octets());
        f.extend_from_slice(&icmp);
        f
    }

    /// The advertisement B would send: S and O (and R) flags, TLLA option.
    fn na_expected(router: bool, dad: bool) -> Vec<u8> {
        let all_nodes = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);
        let dst = if dad { all_nodes } else { V6_A };
        let flags = (if router { 0x80 } else { 0 }) | (if dad { 0 } else { 0x40 }) | 0x20;
        let mut icmp = vec![136, 0, 0, 0, flags, 0, 0, 0];
        icmp.extend_from_slice(&V6_B.octets());
        icmp.extend_from_slice(&[2, 1]);
        icmp.extend_from_slice(&HOST_B.0);
        let c = !checksum::fold(
            checksum::pseudo_header_v6(V6_B, dst, IpProtocol::Icmpv6, icmp.len() as u32)
                + checksum::sum(&icmp),
        );
        icmp[2..4].copy_from_slice(&c.to_be_bytes());
        let mut f = if dad {
            vec![0x33, 0x33, 0, 0, 0, 1]
        } else {
            HOST_A.0.to_vec()
        };
        f.extend_from_slice(&HOST_B.0);
        f.extend_from_slice(&[0x86, 0xdd, 0x60, 0, 0, 0, 0, icmp.len() as u8, 58, 255]);
        f.extend_from_slice(&V6_B.octets());
        f.extend_from_slice(&dst.octets());
        f.extend_from_slice(&icmp);
        f
    }

    #[test]
    fn nd_reply_byte_exact() {
        for router in [false, true] {
            let mut t = table();
            t.install(T0, IpAddr::V6(V6_B), HOST_B, router).unwrap();
            let mut out = [0u8; MAX_REPLY_LEN];
            let n = match t.answer(&ns_from_a(V6_A), &mut out) {
                Answer::Reply(n) => n,
                Answer::Forward => panic!("not answered"),
            };
            assert_eq!(n, 86);
            assert_eq!(&out[..n], &na_expected(router, false)[..]);
        }
        // Duplicate address detection: to all-nodes, no S flag.
        let mut t = table();
        t.install(T0, IpAddr::V6(V6_B), HOST_B, false).unwrap();
        let mut out = [0u8; MAX_REPLY_LEN];
        let Answer::Reply(n) = t.answer(&ns_from_a(Ipv6Addr::UNSPECIFIED), &mut out) else {
            panic!("DAD not answered");
        };
        assert_eq!(&out[..n], &na_expected(false, true)[..]);
        assert_eq!(t.counters().nd_replies, 1);
    }

    #[test]
    fn nd_bad_checksum_or_unknown_forwarded() {
        let mut t = table();
        let mut out = [0u8; MAX_REPLY_LEN];
        assert_eq!(t.answer(&ns_from_a(V6_A), &mut out), Answer::Forward);
        assert_eq!(t.counters().misses, 1);
        t.install(T0, IpAddr::V6(V6_B), HOST_B, false).unwrap();
        let mut bad = ns_from_a(V6_A);
        let last = bad.len() - 1;
        bad[last] ^= 1;
        assert_eq!(t.answer(&bad, &mut out), Answer::Forward);
        assert_eq!(t.counters().nd_replies, 0);
    }

    #[test]
    fn snooping_arp_and_nd() {
        let mut t = table();
        assert!(t.snoop(T0, &arp_request(true)));
        assert_eq!(t.lookup(&IpAddr::V4(IP_A)).unwrap().mac, HOST_A);
        // An ARP probe (sender 0.0.0.0) teaches nothing.
        let mut probe = arp_request(false);
        probe[22..28].copy_from_slice(&HOST_B.0);
        probe[28..32].copy_from_slice(&[0, 0, 0, 0]);
        assert!(t.snoop(T0, &probe));
        assert_eq!(t.len(), 1);
        // NS with SLLA teaches the solicitor's binding.
        assert!(t.snoop(T0, &ns_from_a(V6_A)));
        assert_eq!(t.lookup(&IpAddr::V6(V6_A)).unwrap().mac, HOST_A);
        // The NA teaches the target's.
        assert!(t.snoop(T0, &na_expected(false, false)));
        assert_eq!(t.lookup(&IpAddr::V6(V6_B)).unwrap().mac, HOST_B);
        // Not ARP/ND.
        let mut other = arp_request(false);
        other[12] = 0x08;
        other[13] = 0x00;
        assert!(!t.snoop(T0, &other));
        let ev: Vec<_> = core::iter::from_fn(|| t.poll_event()).collect();
        assert_eq!(ev.len(), 3);
        assert_eq!(
            ev[0],
            BindingEvent::Learnt {
                ip: IpAddr::V4(IP_A),
                mac: HOST_A
            }
        );
    }

    #[test]
    fn precedence_limits_aging() {
        let mut t = table();
        t.install(T0, IpAddr::V4(IP_B), HOST_B, false).unwrap();
        // Snooping a conflicting binding keeps the installed one.
        t.learn(T0, IpAddr::V4(IP_B), HOST_A).unwrap();
        assert_eq!(t.lookup(&IpAddr::V4(IP_B)).unwrap().mac, HOST_B);
        assert_eq!(t.counters().pinned_conflicts, 1);
        // Learnt part fills at 4; installed has its own room.
        for i in 0..10u8 {
            let _ = t.learn(T0, IpAddr::V4(Ipv4Addr::new(10, 1, 0, i)), HOST_A);
        }
        assert_eq!(t.learnt_len(), 4);
        assert_eq!(t.counters().learn_refused_full, 6);
        t.install(T0, IpAddr::V4(IP_A), HOST_A, false).unwrap();
        assert_eq!(
            t.install(T0, IpAddr::V6(V6_A), HOST_A, false),
            Err(InstallError::TableFull)
        );
        // A learnt binding changes MAC.
        t.learn(
            Timestamp(10),
            IpAddr::V4(Ipv4Addr::new(10, 1, 0, 0)),
            HOST_B,
        )
        .unwrap();
        while t.poll_event().is_some() {}
        assert_eq!(t.expire(Timestamp(59_999)), 0);
        assert_eq!(t.expire(Timestamp(60_000)), 3);
        assert_eq!(t.expire(Timestamp(60_010)), 1);
        assert_eq!(t.len(), 2);
        assert!(matches!(t.poll_event(), Some(BindingEvent::Aged { .. })));
        // Static beats control plane.
        t.install_static(T0, IpAddr::V4(IP_B), HOST_A, false)
            .unwrap();
        assert_eq!(
            t.install(T0, IpAddr::V4(IP_B), HOST_B, false),
            Err(InstallError::StaticPresent)
        );
        assert!(t.withdraw(&IpAddr::V4(IP_B)).is_none());
        assert!(t.withdraw(&IpAddr::V4(IP_A)).is_some());
        // Bad addresses.
        for ip in [
            IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            IpAddr::V4(Ipv4Addr::BROADCAST),
            IpAddr::V6(Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1)),
        ] {
            assert_eq!(t.learn(T0, ip, HOST_A), Err(LearnError::BadSource));
        }
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_frames_never_panic(data in proptest::collection::vec(0u8.., 0..120), kind in 0u8..3) {
            let mut t = table();
            t.install(T0, IpAddr::V4(IP_B), HOST_B, false).unwrap();
            t.install(T0, IpAddr::V6(V6_B), HOST_B, false).unwrap();
            let mut f = data;
            // Often make it look like ARP or IPv6 to a group address.
            if f.len() >= 14 && kind > 0 {
                f[0] = 0xff;
                f[12] = if kind == 1 { 0x08 } else { 0x86 };
                f[13] = if kind == 1 { 0x06 } else { 0xdd };
            }
            t.snoop(T0, &f);
            let mut out = [0u8; MAX_REPLY_LEN];
            if let Answer::Reply(n) = t.answer(&f, &mut out) {
                proptest::prop_assert!(n <= MAX_REPLY_LEN);
                proptest::prop_assert_eq!(&out[6..12], &HOST_B.0);
            }
        }
    }
}
