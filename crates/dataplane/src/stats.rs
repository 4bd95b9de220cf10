//! Counters per port and per VNI: packets, bytes, and drops by reason.
//!
//! The counters are plain `u64` fields owned by the one worker that updates
//! them (no atomics, so they work the same on 32-bit MIPS/ARM). Readers get
//! a snapshot by copying the struct ([`PortStats`] and [`VniStats`] are
//! `Copy`); the daemon sums the snapshots of its workers.
//!
//! Counters wrap on overflow (they are monotone modulo 2⁶⁴, like SNMP
//! Counter64), so an update can never panic.

use core::fmt;

/// Why the dataplane dropped a frame. Small and `Copy`: it is counted, never
/// logged per packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DropReason {
    /// Shorter than an Ethernet header (14 bytes).
    Runt,
    /// Longer than the largest inner frame the dataplane accepts
    /// ([`crate::MAX_FRAME_LEN`]).
    Oversized,
    /// The source MAC is multicast, broadcast or all zeros.
    BadSourceMac,
    /// The source MAC is new and the MAC table's learnt part is full.
    TableFull,
    /// The destination is on the port the frame came in on.
    SamePort,
    /// A frame from the overlay whose destination is back in the overlay
    /// (split horizon).
    SplitHorizon,
    /// The ingress port is not a port of this bridge domain.
    UnknownPort,
    /// The VXLAN header names a VNI no bridge domain serves.
    UnknownVni,
    /// The VXLAN header (or the outer headers) is cut short.
    VxlanTruncated,
    /// The VXLAN flags are wrong (the I bit is not set).
    VxlanBadFlags,
    /// The outer IP/UDP headers are malformed (raw-socket path only).
    BadOuterHeader,
    /// The caller's buffer has too little headroom or room for the result.
    NoBufferRoom,
    /// Flooding was needed but the domain has nowhere to flood to.
    NoFloodTargets,
    /// An 802.1Q-tagged frame where none is expected: on an access port,
    /// or a trunk port's frame given to a receive path that cannot strip
    /// the tag ([`crate::Switch::receive_port`]).
    VlanTagged,
    /// A frame on a trunk port that is untagged, or tagged with a VLAN the
    /// trunk does not map to a VNI.
    VlanUnmapped,
    /// The outer header says congestion (ECN CE) and the inner IP packet
    /// cannot carry it (Not-ECT): RFC 6040 §4.2 drops it.
    EcnNotEct,
}

impl DropReason {
    /// Number of reasons (the length of [`DropCounters`]'s array).
    pub const COUNT: usize = 16;

    /// Every reason, in index order.
    pub const ALL: [DropReason; DropReason::COUNT] = [
        DropReason::Runt,
        DropReason::Oversized,
        DropReason::BadSourceMac,
        DropReason::TableFull,
        DropReason::SamePort,
        DropReason::SplitHorizon,
        DropReason::UnknownPort,
        DropReason::UnknownVni,
        DropReason::VxlanTruncated,
        DropReason::VxlanBadFlags,
        DropReason::BadOuterHeader,
        DropReason::NoBufferRoom,
        DropReason::NoFloodTargets,
        DropReason::VlanTagged,
        DropReason::VlanUnmapped,
        DropReason::EcnNotEct,
    ];

    /// The reason's index in [`DropReason::ALL`].
    pub const fn index(self) -> usize {
        match self {
            DropReason::Runt => 0,
            DropReason::Oversized => 1,
            DropReason::BadSourceMac => 2,
            DropReason::TableFull => 3,
            DropReason::SamePort => 4,
            DropReason::SplitHorizon => 5,
            DropReason::UnknownPort => 6,
            DropReason::UnknownVni => 7,
            DropReason::VxlanTruncated => 8,
            DropReason::VxlanBadFlags => 9,
            DropReason::BadOuterHeader => 10,
            DropReason::NoBufferRoom => 11,
            DropReason::NoFloodTargets => 12,
            DropReason::VlanTagged => 13,
            DropReason::VlanUnmapped => 14,
            DropReason::EcnNotEct => 15,
        }
    }

    /// A short stable name for `show` output and metrics.
    pub const fn name(self) -> &'static str {
        match self {
            DropReason::Runt => "runt",
            DropReason::Oversized => "oversized",
            DropReason::BadSourceMac => "bad-source-mac",
            DropReason::TableFull => "mac-table-full",
            DropReason::SamePort => "same-port",
            DropReason::SplitHorizon => "split-horizon",
            DropReason::UnknownPort => "unknown-port",
            DropReason::UnknownVni => "unknown-vni",
            DropReason::VxlanTruncated => "vxlan-truncated",
            DropReason::VxlanBadFlags => "vxlan-bad-flags",
            DropReason::BadOuterHeader => "bad-outer-header",
            DropReason::NoBufferRoom => "no-buffer-room",
            DropReason::NoFloodTargets => "no-flood-targets",
            DropReason::VlanTagged => "vlan-tagged",
            DropReason::VlanUnmapped => "vlan-unmapped",
            DropReason::EcnNotEct => "ecn-ce-not-ect",
        }
    }
}

impl fmt::Display for DropReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A packet and byte counter pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counter {
    /// Packets (frames).
    pub packets: u64,
    /// Bytes (of the frame as the counter's owner sees it).
    pub bytes: u64,
}

impl Counter {
    /// Count one packet of `len` bytes.
    #[inline]
    pub fn add(&mut self, len: usize) {
        self.packets = self.packets.wrapping_add(1);
        self.bytes = self.bytes.wrapping_add(len as u64);
    }

    /// Add another counter (summing worker snapshots).
    pub fn merge(&mut self, other: &Counter) {
        self.packets = self.packets.wrapping_add(other.packets);
        self.bytes = self.bytes.wrapping_add(other.bytes);
    }
}

/// Drops counted by reason.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct DropCounters([u64; DropReason::COUNT]);

impl DropCounters {
    /// Count one drop.
    #[inline]
    pub fn add(&mut self, reason: DropReason) {
        let slot = &mut self.0[reason.index()];
        *slot = slot.wrapping_add(1);
    }

    /// Count `n` drops.
    #[inline]
    pub fn add_n(&mut self, reason: DropReason, n: u64) {
        let slot = &mut self.0[reason.index()];
        *slot = slot.wrapping_add(n);
    }

    /// Drops for one reason.
    pub fn get(&self, reason: DropReason) -> u64 {
        self.0[reason.index()]
    }

    /// Drops for all reasons together.
    pub fn total(&self) -> u64 {
        self.0.iter().fold(0u64, |a, b| a.wrapping_add(*b))
    }

    /// `(reason, count)` for every reason, zeros included.
    pub fn iter(&self) -> impl Iterator<Item = (DropReason, u64)> + '_ {
        DropReason::ALL.iter().map(move |r| (*r, self.get(*r)))
    }

    /// Add another set of counters.
    pub fn merge(&mut self, other: &DropCounters) {
        for (a, b) in self.0.iter_mut().zip(other.0.iter()) {
            *a = a.wrapping_add(*b);
        }
    }
}

impl fmt::Debug for DropCounters {
    /// Only the non-zero reasons.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(
                self.iter()
                    .filter(|(_, n)| *n != 0)
                    .map(|(r, n)| (r.name(), n)),
            )
            .finish()
    }
}

/// Counters of one local port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PortStats {
    /// Frames received on the port and accepted by the bridge.
    pub rx: Counter,
    /// Frames the bridge decided to send out of the port (the I/O backend
    /// counts them when it has sent them, with [`PortStats::tx`]).
    pub tx: Counter,
    /// Frames received on the port and dropped, by reason.
    pub drops: DropCounters,
}

/// Counters of one VNI (bridge domain).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct VniStats {
    /// Frames received from local ports.
    pub rx_local: Counter,
    /// Frames received from the overlay (after decapsulation; inner bytes).
    pub rx_overlay: Counter,
    /// Frames sent out of local ports (inner bytes, each copy counted).
    pub tx_local: Counter,
    /// Frames sent into the overlay (inner bytes, each replicated copy
    /// counted).
    pub tx_overlay: Counter,
    /// Frames that were flooded (counted once per frame).
    pub flooded: Counter,
    /// ARP requests and neighbour solicitations answered locally.
    pub suppressed: Counter,
    /// Frames dropped, by reason.
    pub drops: DropCounters,
}

impl VniStats {
    /// Add another worker's snapshot.
    pub fn merge(&mut self, o: &VniStats) {
        self.rx_local.merge(&o.rx_local);
        self.rx_overlay.merge(&o.rx_overlay);
        self.tx_local.merge(&o.tx_local);
        self.tx_overlay.merge(&o.tx_overlay);
        self.flooded.merge(&o.flooded);
        self.suppressed.merge(&o.suppressed);
        self.drops.merge(&o.drops);
    }
}

impl PortStats {
    /// Add another worker's snapshot.
    pub fn merge(&mut self, o: &PortStats) {
        self.rx.merge(&o.rx);
        self.tx.merge(&o.tx);
        self.drops.merge(&o.drops);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indices_match_all() {
        for (i, r) in DropReason::ALL.iter().enumerate() {
            assert_eq!(r.index(), i);
        }
        let mut names: Vec<_> = DropReason::ALL.iter().map(|r| r.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), DropReason::COUNT);
    }

    #[test]
    fn counting_and_merging() {
        let mut d = DropCounters::default();
        d.add(DropReason::Runt);
        d.add(DropReason::Runt);
        d.add(DropReason::UnknownVni);
        assert_eq!(d.get(DropReason::Runt), 2);
        assert_eq!(d.total(), 3);
        let mut e = d;
        e.merge(&d);
        assert_eq!(e.get(DropReason::UnknownVni), 2);
        assert_eq!(format!("{d:?}"), r#"{"runt": 2, "unknown-vni": 1}"#);

        let mut c = Counter {
            packets: u64::MAX,
            bytes: u64::MAX - 1,
        };
        c.add(3);
        assert_eq!(
            c,
            Counter {
                packets: 0,
                bytes: 1
            }
        );
        let mut v = VniStats::default();
        v.rx_local.add(60);
        let mut w = v;
        w.merge(&v);
        assert_eq!(
            w.rx_local,
            Counter {
                packets: 2,
                bytes: 120
            }
        );
    }
}
