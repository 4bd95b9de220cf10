//! A bridge domain: one VNI's Ethernet segment, its local ports, its flood
//! list and its MAC table, and the forwarding decision for each frame.
//!
//! # Forwarding
//!
//! - A frame from a **local port** ([`BridgeDomain::from_port`]): its source
//!   is learnt at that port; a known unicast destination goes to its port
//!   ([`Forward::Local`]) or VTEP ([`Forward::Remote`]); broadcast, multicast
//!   and unknown unicast are flooded to every other local port and, by
//!   ingress replication, to every VTEP of the flood list
//!   ([`Forward::Flood`]). A destination on the ingress port is dropped
//!   ([`DropReason::SamePort`]).
//! - A frame from the **overlay** (already decapsulated,
//!   [`BridgeDomain::from_overlay`]): its source is learnt at the sending
//!   VTEP if the domain learns on decapsulated traffic
//!   ([`BridgeConfig::learn_remote`]); it goes to a known local port or is
//!   flooded to the local ports only. **Split horizon**: nothing from the
//!   overlay is sent back into it; a destination known to be remote is
//!   dropped ([`DropReason::SplitHorizon`]).
//!
//! Every frame is counted once in [`VniStats`] (received, and either
//! forwarded or dropped by reason) and, for local ports, in [`PortStats`].
//! Forwarding counters count what the bridge *decided* to send, one per
//! copy.
//!
//! # No allocation
//!
//! The decision functions never allocate: a flood decision borrows the
//! domain's port and VTEP lists ([`Flood`]). Port and flood-list changes are
//! control-plane operations and may allocate.
//!
//! # Frame limits
//!
//! Frames shorter than an Ethernet header ([`crate::MIN_FRAME_LEN`]) or longer
//! than [`crate::MAX_FRAME_LEN`] are dropped. Only the two MAC addresses are
//! read; VLAN tags and payload are opaque here.

use core::net::IpAddr;

use vtepd_wire::EthernetAddress;

use crate::mac_table::{Destination, LearnError, MacEvent, MacTable, MacTableConfig, PortId};
use crate::stats::{Counter, DropReason, PortStats, VniStats};
use crate::suppress::{Answer, SuppressConfig, SuppressTable};
use crate::time::Timestamp;
use crate::{MAX_FRAME_LEN, MIN_FRAME_LEN};

/// What to do with a frame whose new source MAC cannot be learnt because the
/// table is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TableFullPolicy {
    /// Drop it ([`DropReason::TableFull`]): a MAC flood stays on its port.
    #[default]
    Drop,
    /// Forward it without learning (a plain learning bridge's behaviour).
    Forward,
}

/// Configuration of a bridge domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BridgeConfig {
    /// The MAC table's limits and aging time.
    pub mac: MacTableConfig,
    /// Learn source MACs of decapsulated frames at their sending VTEP
    /// (data-plane learning, for static VXLAN without EVPN). With EVPN the
    /// control plane installs remote MACs and this is off.
    pub learn_remote: bool,
    /// What to do with frames from new sources once the table is full.
    pub table_full: TableFullPolicy,
    /// ARP/ND suppression; `None` turns it off.
    pub suppress: Option<SuppressConfig>,
}

impl Default for BridgeConfig {
    fn default() -> Self {
        BridgeConfig {
            mac: MacTableConfig::default(),
            learn_remote: false,
            table_full: TableFullPolicy::Drop,
            suppress: None,
        }
    }
}

/// Where a frame goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forward<'a> {
    /// Out of one local port.
    Local(PortId),
    /// Encapsulated to one remote VTEP.
    Remote(IpAddr),
    /// To several local ports and/or remote VTEPs.
    Flood(Flood<'a>),
    /// An ARP/ND request was answered: send the first `len` bytes of the
    /// caller's reply buffer out of `port` (the ingress port); the request
    /// itself goes nowhere.
    Reply {
        /// The port the request came from.
        port: PortId,
        /// Length of the reply frame.
        len: usize,
    },
    /// Nowhere; counted under the reason.
    Drop(DropReason),
}

/// A flood set: local ports (minus the ingress port) and remote VTEPs,
/// borrowed from the bridge domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flood<'a> {
    ports: &'a [PortId],
    except: Option<PortId>,
    vteps: &'a [IpAddr],
}

impl<'a> Flood<'a> {
    /// The local ports to send a copy out of (the ingress port excluded).
    pub fn local_ports(&self) -> impl Iterator<Item = PortId> + 'a {
        let except = self.except;
        self.ports
            .iter()
            .copied()
            .filter(move |p| Some(*p) != except)
    }

    /// The remote VTEPs to send an encapsulated copy to (empty for frames
    /// from the overlay: split horizon).
    pub fn remote_vteps(&self) -> &'a [IpAddr] {
        self.vteps
    }

    /// Number of local copies.
    pub fn local_count(&self) -> usize {
        self.local_ports().count()
    }

    /// Whether there is nowhere to send a copy.
    pub fn is_empty(&self) -> bool {
        self.local_count() == 0 && self.vteps.is_empty()
    }
}

/// One VNI's bridge domain (see the module docs).
#[derive(Debug)]
pub struct BridgeDomain {
    cfg: BridgeConfig,
    ports: Vec<PortId>,
    /// Parallel to `ports`.
    port_stats: Vec<PortStats>,
    flood: Vec<IpAddr>,
    macs: MacTable,
    suppress: Option<SuppressTable>,
    stats: VniStats,
}

impl BridgeDomain {
    /// An empty domain: no ports, empty flood list, empty MAC table (with
    /// its memory allocated).
    pub fn new(cfg: BridgeConfig) -> BridgeDomain {
        BridgeDomain {
            cfg,
            ports: Vec::new(),
            port_stats: Vec::new(),
            flood: Vec::new(),
            macs: MacTable::new(cfg.mac),
            suppress: cfg.suppress.map(SuppressTable::new),
            stats: VniStats::default(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &BridgeConfig {
        &self.cfg
    }

    // ----- control plane -----

    /// Add a local port. Returns false if it was already there.
    pub fn add_port(&mut self, port: PortId) -> bool {
        if self.ports.contains(&port) {
            return false;
        }
        self.ports.push(port);
        self.port_stats.push(PortStats::default());
        true
    }

    /// Remove a local port and flush the MACs learnt on it (reported as
    /// [`MacEvent::Flushed`]). Returns the port's final counters.
    pub fn remove_port(&mut self, port: PortId) -> Option<PortStats> {
        let i = self.ports.iter().position(|p| *p == port)?;
        self.ports.remove(i);
        let st = self.port_stats.remove(i);
        self.macs.flush_port(port);
        Some(st)
    }

    /// The local ports.
    pub fn ports(&self) -> &[PortId] {
        &self.ports
    }

    /// Replace the flood list (ingress replication; EVPN type-3 routes).
    /// Duplicates are removed. VTEPs that left the list keep their
    /// installed MACs; use [`remove_flood_vtep`](Self::remove_flood_vtep)
    /// to also flush learnt ones.
    pub fn set_flood_list(&mut self, vteps: &[IpAddr]) {
        self.flood.clear();
        for v in vteps {
            if !self.flood.contains(v) {
                self.flood.push(*v);
            }
        }
    }

    /// Add one VTEP to the flood list. Returns false if it was there.
    pub fn add_flood_vtep(&mut self, vtep: IpAddr) -> bool {
        if self.flood.contains(&vtep) {
            return false;
        }
        self.flood.push(vtep);
        true
    }

    /// Remove one VTEP from the flood list and flush the MACs learnt behind
    /// it. Returns false if it was not in the list.
    pub fn remove_flood_vtep(&mut self, vtep: IpAddr) -> bool {
        let Some(i) = self.flood.iter().position(|v| *v == vtep) else {
            return false;
        };
        self.flood.remove(i);
        self.macs.flush_remote(vtep);
        true
    }

    /// The flood list.
    pub fn flood_list(&self) -> &[IpAddr] {
        &self.flood
    }

    /// Turn data-plane learning on decapsulated traffic on or off.
    pub fn set_learn_remote(&mut self, on: bool) {
        self.cfg.learn_remote = on;
    }

    /// The MAC table (lookups, iteration).
    pub fn macs(&self) -> &MacTable {
        &self.macs
    }

    /// The MAC table, for installs, withdrawals and aging.
    pub fn macs_mut(&mut self) -> &mut MacTable {
        &mut self.macs
    }

    /// The ARP/ND suppression table, if suppression is on.
    pub fn suppress(&self) -> Option<&SuppressTable> {
        self.suppress.as_ref()
    }

    /// The ARP/ND suppression table, for installs and withdrawals.
    pub fn suppress_mut(&mut self) -> Option<&mut SuppressTable> {
        self.suppress.as_mut()
    }

    /// Age out learnt MACs and snooped bindings. Returns how many MACs.
    pub fn expire(&mut self, now: Timestamp) -> usize {
        if let Some(s) = self.suppress.as_mut() {
            s.expire(now);
        }
        self.macs.expire(now)
    }

    /// The next MAC table event for the control plane.
    pub fn poll_event(&mut self) -> Option<MacEvent> {
        self.macs.poll_event()
    }

    /// A snapshot of the domain's counters.
    pub fn stats(&self) -> VniStats {
        self.stats
    }

    /// The domain's counters, for the I/O side (e.g. encapsulation drops).
    pub fn stats_mut(&mut self) -> &mut VniStats {
        &mut self.stats
    }

    /// A snapshot of one port's counters.
    pub fn port_stats(&self, port: PortId) -> Option<PortStats> {
        let i = self.ports.iter().position(|p| *p == port)?;
        self.port_stats.get(i).copied()
    }

    /// One port's counters, for the I/O side.
    pub fn port_stats_mut(&mut self, port: PortId) -> Option<&mut PortStats> {
        let i = self.ports.iter().position(|p| *p == port)?;
        self.port_stats.get_mut(i)
    }

    // ----- data plane -----

    /// Decide where a frame received on local port `port` goes, learning its
    /// source (and snooping ARP/ND if suppression is on). Never answers
    /// requests; see [`from_port_with_reply`](Self::from_port_with_reply).
    /// Never allocates.
    pub fn from_port(&mut self, now: Timestamp, port: PortId, frame: &[u8]) -> Forward<'_> {
        self.handle_port_frame(now, port, frame, frame.len(), None)
    }

    /// [`from_port`](Self::from_port) for a frame of `wire_len` bytes of
    /// which only the first ones, `headers` (Ethernet header and on), are
    /// at hand: a segment of a TCP super-frame cut without copying its
    /// payload. Counters count `wire_len`. Never allocates.
    pub fn from_port_headers(
        &mut self,
        now: Timestamp,
        port: PortId,
        headers: &[u8],
        wire_len: usize,
    ) -> Forward<'_> {
        self.handle_port_frame(now, port, headers, wire_len, None)
    }

    /// [`from_port`](Self::from_port), and if suppression is on and the
    /// frame is an ARP request or Neighbor Solicitation for a known binding,
    /// write the answer into `reply` and return [`Forward::Reply`]. A
    /// buffer of [`crate::suppress::MAX_REPLY_LEN`] bytes always suffices.
    /// Never allocates.
    pub fn from_port_with_reply(
        &mut self,
        now: Timestamp,
        port: PortId,
        frame: &[u8],
        reply: &mut [u8],
    ) -> Forward<'_> {
        self.handle_port_frame(now, port, frame, frame.len(), Some(reply))
    }

    /// Count `frames` more frames (`bytes` in all) from local port `port`
    /// that went where `outcome` says, without deciding again: the rest of
    /// a super-frame's segments, whose headers equal the first's, after
    /// [`from_port_headers`](Self::from_port_headers) decided for the first
    /// (the counters end up as if each had been decided). Never allocates.
    pub fn count_port_frames(&mut self, port: PortId, outcome: Outcome, frames: u64, bytes: u64) {
        let n = Counter {
            packets: frames,
            bytes,
        };
        let Some(pi) = self.ports.iter().position(|p| *p == port) else {
            self.stats.drops.add_n(DropReason::UnknownPort, frames);
            return;
        };
        if let Some(ps) = self.port_stats.get_mut(pi) {
            match outcome {
                Outcome::Drop(r) => ps.drops.add_n(r, frames),
                _ => ps.rx.merge(&n),
            }
        }
        let stats = &mut self.stats;
        match outcome {
            Outcome::Drop(r) => stats.drops.add_n(r, frames),
            Outcome::Local(p) => {
                stats.rx_local.merge(&n);
                stats.tx_local.merge(&n);
                if let Some(i) = self.ports.iter().position(|x| *x == p) {
                    if let Some(ps) = self.port_stats.get_mut(i) {
                        ps.tx.merge(&n);
                    }
                }
            }
            Outcome::Remote => {
                stats.rx_local.merge(&n);
                stats.tx_overlay.merge(&n);
            }
            Outcome::Flood => {
                stats.rx_local.merge(&n);
                stats.flooded.merge(&n);
                for (p, ps) in self.ports.iter().zip(self.port_stats.iter_mut()) {
                    if *p != port {
                        stats.tx_local.merge(&n);
                        ps.tx.merge(&n);
                    }
                }
                for _ in self.flood.iter() {
                    stats.tx_overlay.merge(&n);
                }
            }
        }
    }

    fn handle_port_frame(
        &mut self,
        now: Timestamp,
        port: PortId,
        frame: &[u8],
        len: usize,
        reply: Option<&mut [u8]>,
    ) -> Forward<'_> {
        let Some(pi) = self.ports.iter().position(|p| *p == port) else {
            self.stats.drops.add(DropReason::UnknownPort);
            return Forward::Drop(DropReason::UnknownPort);
        };
        let mut decision = self.decide_from_port(now, port, frame, reply);
        // The ingress port is one of `ports`: nowhere to flood if it is the
        // only one and there are no VTEPs.
        if decision == Decision::Flood && self.ports.len() <= 1 && self.flood.is_empty() {
            decision = Decision::Drop(DropReason::NoFloodTargets);
        }
        let stats = &mut self.stats;
        if let Some(ps) = self.port_stats.get_mut(pi) {
            match decision {
                Decision::Drop(r) => ps.drops.add(r),
                _ => ps.rx.add(len),
            }
        }
        match decision {
            Decision::Drop(r) => {
                stats.drops.add(r);
                Forward::Drop(r)
            }
            Decision::Local(p) => {
                stats.rx_local.add(len);
                stats.tx_local.add(len);
                count_port_tx(&self.ports, &mut self.port_stats, p, len);
                Forward::Local(p)
            }
            Decision::Remote(v) => {
                stats.rx_local.add(len);
                stats.tx_overlay.add(len);
                Forward::Remote(v)
            }
            Decision::Reply(n) => {
                stats.rx_local.add(len);
                stats.suppressed.add(len);
                stats.tx_local.add(n);
                count_port_tx(&self.ports, &mut self.port_stats, port, n);
                Forward::Reply { port, len: n }
            }
            Decision::Flood => {
                stats.rx_local.add(len);
                stats.flooded.add(len);
                for (p, ps) in self.ports.iter().zip(self.port_stats.iter_mut()) {
                    if *p != port {
                        stats.tx_local.add(len);
                        ps.tx.add(len);
                    }
                }
                for _ in self.flood.iter() {
                    stats.tx_overlay.add(len);
                }
                Forward::Flood(Flood {
                    ports: &self.ports,
                    except: Some(port),
                    vteps: &self.flood,
                })
            }
        }
    }

    fn decide_from_port(
        &mut self,
        now: Timestamp,
        port: PortId,
        frame: &[u8],
        reply: Option<&mut [u8]>,
    ) -> Decision {
        let (dst, src) = match addresses(frame) {
            Ok(a) => a,
            Err(r) => return Decision::Drop(r),
        };
        match self.macs.learn(now, src, Destination::Local(port)) {
            Ok(_) => {}
            Err(LearnError::BadSource) => return Decision::Drop(DropReason::BadSourceMac),
            Err(LearnError::TableFull) => {
                if self.cfg.table_full == TableFullPolicy::Drop {
                    return Decision::Drop(DropReason::TableFull);
                }
            }
        }
        if let Some(sup) = self.suppress.as_mut() {
            sup.snoop(now, frame);
            if let (Some(out), true) = (reply, dst.is_multicast()) {
                if let Answer::Reply(n) = sup.answer(frame, out) {
                    return Decision::Reply(n);
                }
            }
        }
        if dst.is_multicast() {
            return Decision::Flood;
        }
        match self.macs.lookup(&dst) {
            Some(Destination::Local(p)) if p == port => Decision::Drop(DropReason::SamePort),
            Some(Destination::Local(p)) => Decision::Local(p),
            Some(Destination::Remote(v)) => Decision::Remote(v),
            None => Decision::Flood,
        }
    }

    /// Decide where a decapsulated frame from remote VTEP `vtep` goes,
    /// learning its source if the domain learns remote MACs. Never floods
    /// back into the overlay. Never allocates.
    pub fn from_overlay(&mut self, now: Timestamp, vtep: IpAddr, frame: &[u8]) -> Forward<'_> {
        let mut decision = self.decide_from_overlay(now, vtep, frame);
        if decision == Decision::Flood && self.ports.is_empty() {
            decision = Decision::Drop(DropReason::NoFloodTargets);
        }
        let len = frame.len();
        let stats = &mut self.stats;
        match decision {
            Decision::Drop(r) => {
                stats.drops.add(r);
                Forward::Drop(r)
            }
            Decision::Local(p) => {
                stats.rx_overlay.add(len);
                stats.tx_local.add(len);
                count_port_tx(&self.ports, &mut self.port_stats, p, len);
                Forward::Local(p)
            }
            Decision::Remote(_) | Decision::Reply(_) => {
                // decide_from_overlay never returns these; keep split
                // horizon even if it did.
                stats.drops.add(DropReason::SplitHorizon);
                Forward::Drop(DropReason::SplitHorizon)
            }
            Decision::Flood => {
                stats.rx_overlay.add(len);
                stats.flooded.add(len);
                for ps in self.port_stats.iter_mut() {
                    stats.tx_local.add(len);
                    ps.tx.add(len);
                }
                Forward::Flood(Flood {
                    ports: &self.ports,
                    except: None,
                    vteps: &[],
                })
            }
        }
    }

    fn decide_from_overlay(&mut self, now: Timestamp, vtep: IpAddr, frame: &[u8]) -> Decision {
        let (dst, src) = match addresses(frame) {
            Ok(a) => a,
            Err(r) => return Decision::Drop(r),
        };
        if !src.is_unicast() {
            return Decision::Drop(DropReason::BadSourceMac);
        }
        if self.cfg.learn_remote {
            if let Err(LearnError::TableFull) = self.macs.learn(now, src, Destination::Remote(vtep))
            {
                if self.cfg.table_full == TableFullPolicy::Drop {
                    return Decision::Drop(DropReason::TableFull);
                }
            }
        }
        if dst.is_multicast() {
            return Decision::Flood;
        }
        match self.macs.lookup(&dst) {
            Some(Destination::Local(p)) if self.ports.contains(&p) => Decision::Local(p),
            // A stale local entry for a removed port: flood locally.
            Some(Destination::Local(_)) => Decision::Flood,
            Some(Destination::Remote(_)) => Decision::Drop(DropReason::SplitHorizon),
            None => Decision::Flood,
        }
    }
}

/// The decision before it borrows the domain's lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decision {
    Local(PortId),
    Remote(IpAddr),
    Reply(usize),
    Flood,
    Drop(DropReason),
}

fn count_port_tx(ports: &[PortId], stats: &mut [PortStats], port: PortId, len: usize) {
    if let Some(i) = ports.iter().position(|p| *p == port) {
        if let Some(ps) = stats.get_mut(i) {
            ps.tx.add(len);
        }
    }
}

/// Where a frame went, without the borrows of [`Forward`] (for
/// [`BridgeDomain::count_port_frames`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Dropped.
    Drop(DropReason),
    /// To one local port.
    Local(PortId),
    /// To one remote VTEP.
    Remote,
    /// Flooded.
    Flood,
}

impl Forward<'_> {
    /// The decision without its borrows (`None` for a suppression reply,
    /// which is never repeated).
    pub fn outcome(&self) -> Option<Outcome> {
        match self {
            Forward::Drop(r) => Some(Outcome::Drop(*r)),
            Forward::Local(p) => Some(Outcome::Local(*p)),
            Forward::Remote(_) => Some(Outcome::Remote),
            Forward::Flood(_) => Some(Outcome::Flood),
            Forward::Reply { .. } => None,
        }
    }
}

/// The destination and source MACs of a frame within the accepted length
/// range.
pub(crate) fn addresses(frame: &[u8]) -> Result<(EthernetAddress, EthernetAddress), DropReason> {
    if frame.len() < MIN_FRAME_LEN {
        return Err(DropReason::Runt);
    }
    if frame.len() > MAX_FRAME_LEN {
        return Err(DropReason::Oversized);
    }
    let dst = frame.get(0..6).and_then(EthernetAddress::from_bytes);
    let src = frame.get(6..12).and_then(EthernetAddress::from_bytes);
    match (dst, src) {
        (Some(d), Some(s)) => Ok((d, s)),
        _ => Err(DropReason::Runt),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mac_table::{EntryKind, MacEvent};
    use core::net::{Ipv4Addr, Ipv6Addr};
    use core::time::Duration;

    fn mac(n: u8) -> EthernetAddress {
        EthernetAddress([0x02, 0, 0, 0, 0, n])
    }
    fn frame(dst: EthernetAddress, src: EthernetAddress) -> Vec<u8> {
        let mut f = Vec::new();
        f.extend_from_slice(&dst.0);
        f.extend_from_slice(&src.0);
        f.extend_from_slice(&[0x08, 0x00]);
        f.extend_from_slice(&[0u8; 46]);
        f
    }
    fn v4(n: u8) -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(192, 0, 2, n))
    }
    fn v6(n: u16) -> IpAddr {
        IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, n))
    }
    const P1: PortId = PortId(1);
    const P2: PortId = PortId(2);
    const P3: PortId = PortId(3);
    fn now(ms: u64) -> Timestamp {
        Timestamp(ms)
    }

    fn domain() -> BridgeDomain {
        let mut d = BridgeDomain::new(BridgeConfig::default());
        d.add_port(P1);
        d.add_port(P2);
        d.add_port(P3);
        d.set_flood_list(&[v4(1), v6(2), v4(1)]);
        d
    }

    fn flood_sets(f: Forward<'_>) -> (Vec<PortId>, Vec<IpAddr>) {
        match f {
            Forward::Flood(fl) => (fl.local_ports().collect(), fl.remote_vteps().to_vec()),
            other => panic!("expected flood, got {other:?}"),
        }
    }

    #[test]
    fn unknown_unicast_floods_everywhere_but_ingress() {
        let mut d = domain();
        assert_eq!(d.flood_list(), &[v4(1), v6(2)]);
        let f = frame(mac(9), mac(1));
        let (ports, vteps) = flood_sets(d.from_port(now(0), P1, &f));
        assert_eq!(ports, vec![P2, P3]);
        assert_eq!(vteps, vec![v4(1), v6(2)]);
        let st = d.stats();
        assert_eq!(st.flooded.packets, 1);
        assert_eq!(st.tx_local.packets, 2);
        assert_eq!(st.tx_overlay.packets, 2);
        assert_eq!(d.port_stats(P1).unwrap().rx.packets, 1);
        assert_eq!(d.port_stats(P2).unwrap().tx.packets, 1);
        assert_eq!(d.port_stats(P1).unwrap().tx.packets, 0);
    }

    /// A segment known by its headers only is decided like the whole
    /// frame and counted with its wire length.
    #[test]
    fn headers_only_frames_count_their_wire_length() {
        let mut d = domain();
        d.macs_mut()
            .install(now(0), mac(7), Destination::Remote(v4(1)))
            .unwrap();
        let f = frame(mac(7), mac(1));
        assert_eq!(
            d.from_port_headers(now(0), P1, &f[..54], 1500),
            Forward::Remote(v4(1))
        );
        let st = d.stats();
        assert_eq!((st.rx_local.packets, st.rx_local.bytes), (1, 1500));
        assert_eq!((st.tx_overlay.packets, st.tx_overlay.bytes), (1, 1500));
        assert_eq!(d.port_stats(P1).unwrap().rx.bytes, 1500);
        // It learnt the source as a whole frame would.
        assert_eq!(
            d.from_port(now(1), P2, &frame(mac(1), mac(2))),
            Forward::Local(P1)
        );
    }

    /// Deciding once and counting the rest leaves the same counters as
    /// deciding for every frame (remote, local, flood and drop).
    #[test]
    fn counting_repeats_equals_deciding_each() {
        let setup = || {
            let mut d = domain();
            d.macs_mut()
                .install(now(0), mac(7), Destination::Remote(v4(1)))
                .unwrap();
            d.from_port(now(0), P2, &frame(EthernetAddress::BROADCAST, mac(2)));
            d
        };
        for dst in [mac(7), mac(2), mac(9), mac(1)] {
            let f = frame(dst, mac(1));
            let (mut each, mut once) = (setup(), setup());
            for _ in 0..5 {
                each.from_port_headers(now(1), P1, &f, 1000);
            }
            let o = once
                .from_port_headers(now(1), P1, &f, 1000)
                .outcome()
                .unwrap();
            once.count_port_frames(P1, o, 4, 4000);
            assert_eq!(each.stats(), once.stats(), "to {dst}");
            for p in [P1, P2, P3] {
                assert_eq!(
                    each.port_stats(p),
                    once.port_stats(p),
                    "to {dst} port {p:?}"
                );
            }
        }
    }

    #[test]
    fn broadcast_and_multicast_flood() {
        let mut d = domain();
        let b = frame(EthernetAddress::BROADCAST, mac(1));
        assert_eq!(flood_sets(d.from_port(now(0), P2, &b)).0, vec![P1, P3]);
        let m = frame(EthernetAddress([0x33, 0x33, 0, 0, 0, 1]), mac(1));
        // mac(1) moved to P3.
        assert_eq!(flood_sets(d.from_port(now(1), P3, &m)).0, vec![P1, P2]);
    }

    #[test]
    fn learning_then_unicast_forwarding() {
        let mut d = domain();
        d.from_port(now(0), P1, &frame(EthernetAddress::BROADCAST, mac(1)));
        d.from_port(now(0), P2, &frame(EthernetAddress::BROADCAST, mac(2)));
        assert_eq!(
            d.from_port(now(1), P2, &frame(mac(1), mac(2))),
            Forward::Local(P1)
        );
        assert_eq!(
            d.from_port(now(1), P1, &frame(mac(2), mac(1))),
            Forward::Local(P2)
        );
        // Destination on the ingress port.
        d.from_port(now(1), P1, &frame(EthernetAddress::BROADCAST, mac(3)));
        assert_eq!(
            d.from_port(now(2), P1, &frame(mac(3), mac(1))),
            Forward::Drop(DropReason::SamePort)
        );
        assert_eq!(d.port_stats(P1).unwrap().drops.get(DropReason::SamePort), 1);
        // Control-plane MAC behind a VTEP.
        d.macs_mut()
            .install(now(2), mac(7), Destination::Remote(v6(2)))
            .unwrap();
        assert_eq!(
            d.from_port(now(3), P1, &frame(mac(7), mac(1))),
            Forward::Remote(v6(2))
        );
        let ev: Vec<_> = core::iter::from_fn(|| d.poll_event()).collect();
        assert_eq!(ev.len(), 3);
        assert!(ev.iter().all(|e| matches!(
            e,
            MacEvent::Learnt {
                kind: EntryKind::LearntLocal,
                ..
            }
        )));
    }

    #[test]
    fn moves_follow_the_host() {
        let mut d = domain();
        d.from_port(now(0), P1, &frame(EthernetAddress::BROADCAST, mac(1)));
        d.from_port(now(1), P3, &frame(EthernetAddress::BROADCAST, mac(1)));
        assert_eq!(
            d.from_port(now(2), P2, &frame(mac(1), mac(2))),
            Forward::Local(P3)
        );
        assert_eq!(d.macs().counters().moves, 1);
    }

    #[test]
    fn overlay_split_horizon() {
        let mut d = domain();
        // Unknown and broadcast from the overlay: local ports only.
        let (ports, vteps) = flood_sets(d.from_overlay(now(0), v4(1), &frame(mac(9), mac(50))));
        assert_eq!(ports, vec![P1, P2, P3]);
        assert!(vteps.is_empty());
        let (_, vteps) =
            flood_sets(d.from_overlay(now(0), v4(1), &frame(EthernetAddress::BROADCAST, mac(50))));
        assert!(vteps.is_empty());
        // A destination known behind another VTEP is not sent back out.
        d.macs_mut()
            .install(now(0), mac(60), Destination::Remote(v6(2)))
            .unwrap();
        assert_eq!(
            d.from_overlay(now(1), v4(1), &frame(mac(60), mac(50))),
            Forward::Drop(DropReason::SplitHorizon)
        );
        // No learning by default.
        assert_eq!(d.macs().lookup(&mac(50)), None);
        // Known local destination.
        d.from_port(now(1), P2, &frame(EthernetAddress::BROADCAST, mac(2)));
        assert_eq!(
            d.from_overlay(now(2), v4(1), &frame(mac(2), mac(50))),
            Forward::Local(P2)
        );
        assert_eq!(d.stats().rx_overlay.packets, 3);
        assert_eq!(d.stats().drops.get(DropReason::SplitHorizon), 1);
    }

    #[test]
    fn remote_learning_when_enabled() {
        let mut d = domain();
        d.set_learn_remote(true);
        d.from_overlay(now(0), v4(1), &frame(EthernetAddress::BROADCAST, mac(50)));
        assert_eq!(d.macs().lookup(&mac(50)), Some(Destination::Remote(v4(1))));
        assert_eq!(
            d.from_port(now(1), P1, &frame(mac(50), mac(1))),
            Forward::Remote(v4(1))
        );
        // The host moves behind another VTEP.
        d.from_overlay(now(2), v6(2), &frame(EthernetAddress::BROADCAST, mac(50)));
        assert_eq!(
            d.from_port(now(3), P1, &frame(mac(50), mac(1))),
            Forward::Remote(v6(2))
        );
        // Removing the VTEP flushes what was learnt behind it.
        assert!(d.remove_flood_vtep(v6(2)));
        assert_eq!(d.macs().lookup(&mac(50)), None);
        assert_eq!(d.flood_list(), &[v4(1)]);
    }

    #[test]
    fn bad_frames_dropped_and_counted() {
        let mut d = domain();
        let f = frame(mac(2), mac(1));
        assert_eq!(
            d.from_port(now(0), P1, &f[..13]),
            Forward::Drop(DropReason::Runt)
        );
        let big = vec![0x02u8; MAX_FRAME_LEN + 1];
        assert_eq!(
            d.from_port(now(0), P1, &big),
            Forward::Drop(DropReason::Oversized)
        );
        for src in [EthernetAddress::BROADCAST, EthernetAddress::ZERO] {
            assert_eq!(
                d.from_port(now(0), P1, &frame(mac(2), src)),
                Forward::Drop(DropReason::BadSourceMac)
            );
            assert_eq!(
                d.from_overlay(now(0), v4(1), &frame(mac(2), src)),
                Forward::Drop(DropReason::BadSourceMac)
            );
        }
        assert_eq!(
            d.from_port(now(0), PortId(99), &f),
            Forward::Drop(DropReason::UnknownPort)
        );
        let st = d.stats();
        assert_eq!(st.drops.get(DropReason::Runt), 1);
        assert_eq!(st.drops.get(DropReason::Oversized), 1);
        assert_eq!(st.drops.get(DropReason::BadSourceMac), 4);
        assert_eq!(st.drops.get(DropReason::UnknownPort), 1);
        assert_eq!(st.rx_local.packets, 0);
        assert_eq!(d.port_stats(P1).unwrap().drops.total(), 4);
        assert_eq!(d.port_stats(P1).unwrap().rx.packets, 0);
        assert!(d.macs().is_empty());
        // Exactly 9216 bytes is accepted.
        let mut jumbo = vec![0u8; MAX_FRAME_LEN];
        jumbo[..12].copy_from_slice(&frame(mac(2), mac(1))[..12]);
        assert!(matches!(d.from_port(now(0), P1, &jumbo), Forward::Flood(_)));
    }

    #[test]
    fn mac_flood_past_limit() {
        let mut d = BridgeDomain::new(BridgeConfig {
            mac: MacTableConfig {
                learn_limit: 16,
                install_limit: 4,
                age: Some(Duration::from_secs(300)),
                event_limit: 64,
            },
            ..BridgeConfig::default()
        });
        d.add_port(P1);
        d.add_port(P2);
        d.set_flood_list(&[v4(1)]);
        d.macs_mut()
            .install(now(0), mac(200), Destination::Remote(v4(1)))
            .unwrap();
        d.from_port(now(0), P2, &frame(EthernetAddress::BROADCAST, mac(201)));
        for i in 0..10_000u32 {
            let b = i.to_be_bytes();
            let src = EthernetAddress([0x0a, 0xbb, b[0], b[1], b[2], b[3]]);
            d.from_port(now(1), P1, &frame(EthernetAddress::BROADCAST, src));
        }
        assert_eq!(d.macs().learnt_len(), 16);
        assert_eq!(d.stats().drops.get(DropReason::TableFull), 10_000 - 15);
        assert_eq!(d.macs().counters().learn_refused_full, 10_000 - 15);
        // Existing and installed entries still work.
        assert_eq!(
            d.from_port(
                now(2),
                P1,
                &frame(mac(200), EthernetAddress([0x0a, 0xbb, 0, 0, 0, 0]))
            ),
            Forward::Remote(v4(1))
        );
        assert_eq!(
            d.from_port(
                now(2),
                P1,
                &frame(mac(201), EthernetAddress([0x0a, 0xbb, 0, 0, 0, 1]))
            ),
            Forward::Local(P2)
        );
        // With the forwarding policy the frames pass unlearnt.
        d.cfg.table_full = TableFullPolicy::Forward;
        let stranger = frame(mac(201), mac(250));
        assert_eq!(d.from_port(now(3), P1, &stranger), Forward::Local(P2));
        assert_eq!(d.macs().lookup(&mac(250)), None);
    }

    #[test]
    fn aging_through_the_domain() {
        let mut d = domain();
        d.from_port(now(0), P1, &frame(EthernetAddress::BROADCAST, mac(1)));
        d.poll_event();
        assert_eq!(d.expire(now(299_999)), 0);
        assert_eq!(d.expire(now(300_000)), 1);
        assert!(matches!(d.poll_event(), Some(MacEvent::Aged { .. })));
        assert!(matches!(
            d.from_port(now(300_001), P2, &frame(mac(1), mac(2))),
            Forward::Flood(_)
        ));
    }

    #[test]
    fn port_removal_and_empty_flood() {
        let mut d = BridgeDomain::new(BridgeConfig::default());
        d.add_port(P1);
        assert!(!d.add_port(P1));
        // A lone port with no VTEPs: nowhere to flood.
        assert_eq!(
            d.from_port(now(0), P1, &frame(EthernetAddress::BROADCAST, mac(1))),
            Forward::Drop(DropReason::NoFloodTargets)
        );
        assert_eq!(d.port_stats(P1).unwrap().rx.packets, 0);
        assert_eq!(
            d.port_stats(P1)
                .unwrap()
                .drops
                .get(DropReason::NoFloodTargets),
            1
        );
        d.add_port(P2);
        d.from_port(now(0), P2, &frame(EthernetAddress::BROADCAST, mac(2)));
        assert!(d.remove_port(P2).is_some());
        assert_eq!(d.macs().lookup(&mac(2)), None);
        assert!(d.remove_port(P2).is_none());
        assert_eq!(d.ports(), &[P1]);
    }

    #[test]
    fn arp_suppression_through_the_domain() {
        use crate::suppress::{SuppressConfig, MAX_REPLY_LEN};
        let mut d = BridgeDomain::new(BridgeConfig {
            suppress: Some(SuppressConfig::default()),
            ..BridgeConfig::default()
        });
        d.add_port(P1);
        d.add_port(P2);
        d.set_flood_list(&[v4(1)]);
        let ip_b = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2));
        d.suppress_mut()
            .unwrap()
            .install(now(0), ip_b, mac(2), false)
            .unwrap();
        // Request from mac(1) (10.0.0.1) for 10.0.0.2.
        let mut req = vec![0xff; 6];
        req.extend_from_slice(&mac(1).0);
        req.extend_from_slice(&[0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 1]);
        req.extend_from_slice(&mac(1).0);
        req.extend_from_slice(&[10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0, 0, 2]);
        let mut out = [0u8; MAX_REPLY_LEN];
        assert_eq!(
            d.from_port_with_reply(now(1), P1, &req, &mut out),
            Forward::Reply { port: P1, len: 42 }
        );
        assert_eq!(&out[..6], &mac(1).0);
        assert_eq!(&out[6..12], &mac(2).0);
        // The requester was learnt (MAC and binding).
        assert_eq!(d.macs().lookup(&mac(1)), Some(Destination::Local(P1)));
        assert_eq!(
            d.suppress()
                .unwrap()
                .lookup(&IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)))
                .unwrap()
                .mac,
            mac(1)
        );
        // Without a reply buffer, or for an unknown target: flooded.
        assert!(matches!(d.from_port(now(2), P1, &req), Forward::Flood(_)));
        let mut unknown = req.clone();
        unknown[41] = 99;
        assert!(matches!(
            d.from_port_with_reply(now(3), P1, &unknown, &mut out),
            Forward::Flood(_)
        ));
        let st = d.stats();
        assert_eq!(st.suppressed.packets, 1);
        assert_eq!(st.flooded.packets, 2);
        assert_eq!(d.port_stats(P1).unwrap().tx.bytes, 42);
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_frames_never_panic(
            frames in proptest::collection::vec((0u8..4, proptest::collection::vec(0u8.., 0..80)), 0..64)
        ) {
            let mut d = domain();
            d.set_learn_remote(true);
            for (i, (src, f)) in frames.iter().enumerate() {
                let t = now(i as u64 * 1000);
                let fw = if *src == 0 {
                    d.from_overlay(t, v4(1), f)
                } else {
                    d.from_port(t, PortId(u16::from(*src)), f)
                };
                if let Forward::Flood(fl) = fw {
                    proptest::prop_assert!(!fl.is_empty());
                    if *src == 0 {
                        proptest::prop_assert!(fl.remote_vteps().is_empty());
                    } else {
                        proptest::prop_assert!(fl.local_ports().all(|p| p.0 != u16::from(*src)));
                    }
                }
                d.expire(t);
            }
            let st = d.stats();
            proptest::prop_assert_eq!(
                st.rx_local.packets + st.rx_overlay.packets + st.drops.total(),
                frames.len() as u64
            );
        }
    }
}
