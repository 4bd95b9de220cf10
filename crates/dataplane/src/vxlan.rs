//! VXLAN encapsulation and decapsulation on byte buffers (RFC 7348).
//!
//! # The UDP-socket path
//!
//! The underlay is a UDP socket, so the kernel writes the outer IP and UDP
//! headers. Encapsulation only puts the 8-byte VXLAN header in front of the
//! inner frame, **in place**: the caller receives the inner frame at an
//! offset of at least [`VXLAN_HEADER_LEN`] bytes into its buffer (the
//! headroom), and [`encap`] writes the header into the headroom and returns
//! the byte range that is the UDP payload. A flooded frame is encapsulated
//! once and the same bytes are sent to every VTEP of the flood list.
//!
//! [`decap`] checks a received UDP payload: the header is complete
//! ([`DropReason::VxlanTruncated`]), the I flag is set
//! ([`DropReason::VxlanBadFlags`]; reserved bits are ignored as RFC 7348 §5
//! says), and the inner frame is [`crate::MIN_FRAME_LEN`] to
//! [`crate::MAX_FRAME_LEN`] bytes ([`DropReason::Runt`],
//! [`DropReason::Oversized`]). Whether the VNI is served is the switch's
//! question ([`crate::Switch`], [`DropReason::UnknownVni`]).
//!
//! # Entropy
//!
//! RFC 7348 §5 recommends a UDP source port computed from a hash of the
//! inner frame's headers, in the dynamic range 49152–65535, so that
//! underlay ECMP spreads flows while keeping each flow on one path.
//! [`VxlanConfig::source_port`] hashes the inner MACs and EtherType and,
//! for IPv4/IPv6, the addresses, protocol and TCP/UDP/SCTP ports (ports only
//! for unfragmented IPv4, so that every fragment of a datagram hashes the
//! same). VLAN tags are skipped. The hash is not cryptographic; a per-node
//! [`VxlanConfig::hash_seed`] keeps two VTEPs from picking identical ports.

use core::ops::Range;

use vtepd_wire::vxlan::{Vni, VxlanPacket, VxlanRepr, VXLAN_PORT};
use vtepd_wire::{EtherType, EthernetFrame};

use crate::stats::DropReason;
use crate::{MAX_FRAME_LEN, MIN_FRAME_LEN};

/// Length of the VXLAN header: the least headroom [`encap`] needs.
pub const VXLAN_HEADER_LEN: usize = 8;

/// The default UDP source-port range (RFC 7348 §5: the IANA dynamic range).
pub const DEFAULT_SOURCE_PORTS: (u16, u16) = (49152, 65535);

/// A configuration value was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The source port range is empty (`min > max`) or contains port 0.
    #[error("invalid UDP source port range {0}..={1}")]
    BadPortRange(u16, u16),
    /// The destination port is 0.
    #[error("UDP destination port 0")]
    BadDestinationPort,
}

/// VXLAN encapsulation settings of a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VxlanConfig {
    dst_port: u16,
    src_min: u16,
    src_max: u16,
    /// Mixed into the flow hash.
    pub hash_seed: u64,
}

impl Default for VxlanConfig {
    /// Destination port 4789, source ports 49152–65535, seed 0.
    fn default() -> Self {
        VxlanConfig {
            dst_port: VXLAN_PORT,
            src_min: DEFAULT_SOURCE_PORTS.0,
            src_max: DEFAULT_SOURCE_PORTS.1,
            hash_seed: 0,
        }
    }
}

impl VxlanConfig {
    /// A configuration with the given ports.
    pub fn new(dst_port: u16, src_ports: (u16, u16), hash_seed: u64) -> Result<Self, ConfigError> {
        if dst_port == 0 {
            return Err(ConfigError::BadDestinationPort);
        }
        let (lo, hi) = src_ports;
        if lo == 0 || lo > hi {
            return Err(ConfigError::BadPortRange(lo, hi));
        }
        Ok(VxlanConfig {
            dst_port,
            src_min: lo,
            src_max: hi,
            hash_seed,
        })
    }

    /// The UDP destination port of encapsulated packets (and the port the
    /// underlay socket listens on).
    pub fn dst_port(&self) -> u16 {
        self.dst_port
    }

    /// The source port range, inclusive.
    pub fn source_ports(&self) -> (u16, u16) {
        (self.src_min, self.src_max)
    }

    /// The UDP source port for an inner frame: its flow hash mapped into the
    /// configured range. Never allocates; any input is accepted.
    pub fn source_port(&self, inner: &[u8]) -> u16 {
        let span = u32::from(self.src_max - self.src_min) + 1;
        let h = flow_hash(inner, self.hash_seed);
        // Multiply-shift maps the hash onto 0..span without a division.
        let off = ((u64::from(h) * u64::from(span)) >> 32) as u32;
        // off < span <= 65536, and src_min + off <= src_max.
        self.src_min.saturating_add(off as u16)
    }
}

/// A decapsulated frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decapsulated<'a> {
    /// The VNI from the VXLAN header.
    pub vni: Vni,
    /// The inner Ethernet frame (no FCS).
    pub frame: &'a [u8],
}

/// Check a VXLAN UDP payload and return its VNI and inner frame. Never
/// allocates, never panics.
pub fn decap(udp_payload: &[u8]) -> Result<Decapsulated<'_>, DropReason> {
    let pkt = VxlanPacket::new_checked(udp_payload).map_err(|_| DropReason::VxlanTruncated)?;
    let repr = VxlanRepr::parse(&pkt).map_err(|_| DropReason::VxlanBadFlags)?;
    let frame = udp_payload
        .get(VXLAN_HEADER_LEN..)
        .ok_or(DropReason::VxlanTruncated)?;
    check_frame_len(frame.len())?;
    Ok(Decapsulated {
        vni: repr.vni,
        frame,
    })
}

/// Encapsulate in place. `buf[frame.clone()]` holds the inner frame and at
/// least [`VXLAN_HEADER_LEN`] bytes of headroom precede it; the VXLAN header
/// for `vni` is written into the headroom. Returns the range of the UDP
/// payload (header plus frame). Never allocates, never panics.
pub fn encap(buf: &mut [u8], frame: Range<usize>, vni: Vni) -> Result<Range<usize>, DropReason> {
    if frame.start > frame.end || frame.end > buf.len() {
        return Err(DropReason::NoBufferRoom);
    }
    check_frame_len(frame.end - frame.start)?;
    let start = frame
        .start
        .checked_sub(VXLAN_HEADER_LEN)
        .ok_or(DropReason::NoBufferRoom)?;
    let hdr = buf
        .get_mut(start..frame.start)
        .ok_or(DropReason::NoBufferRoom)?;
    VxlanRepr { vni }
        .emit(&mut VxlanPacket::new_unchecked(hdr))
        .map_err(|_| DropReason::NoBufferRoom)?;
    Ok(start..frame.end)
}

/// ECN codepoint: not ECN-capable transport (RFC 3168).
pub const ECN_NOT_ECT: u8 = 0;
/// ECN codepoint ECT(1).
pub const ECN_ECT1: u8 = 1;
/// ECN codepoint ECT(0).
pub const ECN_ECT0: u8 = 2;
/// ECN codepoint CE (congestion experienced).
pub const ECN_CE: u8 = 3;

/// Where an untagged inner frame's IP traffic-class byte is, and whether
/// it is IPv4 (`None`: not IP).
fn ip_tos_at(frame: &[u8]) -> Option<(bool, usize)> {
    match frame.get(12..14)? {
        [0x08, 0x00] if frame.get(14)? >> 4 == 4 => Some((true, 15)),
        [0x86, 0xdd] if frame.get(14)? >> 4 == 6 => Some((false, 14)),
        _ => None,
    }
}

/// The ECN field of an untagged inner IPv4/IPv6 frame, for the outer
/// header (RFC 6040 §4.1, normal mode: the encapsulator copies it);
/// [`ECN_NOT_ECT`] for anything else.
pub fn inner_ecn(frame: &[u8]) -> u8 {
    match ip_tos_at(frame) {
        Some((true, at)) => frame.get(at).map_or(0, |b| b & 3),
        Some((false, at)) => match frame.get(at..at + 2) {
            Some(b) => ((b[0] & 0x0f) << 4 | b[1] >> 4) & 3,
            None => 0,
        },
        None => ECN_NOT_ECT,
    }
}

/// RFC 6040 §4.2 decapsulation of the ECN field: combine the outer
/// header's `outer` codepoint into the inner IP header in place (outer CE
/// makes an ECN-capable inner packet CE, outer ECT(1) turns inner ECT(0)
/// into ECT(1); the IPv4 header checksum is updated). An inner Not-ECT
/// packet under an outer CE must be dropped ([`DropReason::EcnNotEct`]).
/// Non-IP frames pass unchanged. Never allocates.
pub fn decap_ecn(frame: &mut [u8], outer: u8) -> Result<(), DropReason> {
    let outer = outer & 3;
    if outer != ECN_CE && outer != ECN_ECT1 {
        return Ok(());
    }
    let Some((v4, at)) = ip_tos_at(frame) else {
        return Ok(());
    };
    let inner = inner_ecn(frame);
    let new = match (outer, inner) {
        (ECN_CE, ECN_NOT_ECT) => return Err(DropReason::EcnNotEct),
        (ECN_CE, _) => ECN_CE,
        (ECN_ECT1, ECN_ECT0) => ECN_ECT1,
        _ => return Ok(()),
    };
    if new == inner {
        return Ok(());
    }
    if v4 {
        let ihl = usize::from(frame.get(14).map_or(0, |b| b & 0x0f)) * 4;
        if ihl < 20 || frame.len() < 14 + ihl {
            return Ok(());
        }
        frame[at] = (frame[at] & !3) | new;
        frame[24] = 0;
        frame[25] = 0;
        let c = vtepd_wire::checksum::checksum(&frame[14..14 + ihl]);
        frame[24..26].copy_from_slice(&c.to_be_bytes());
    } else if let Some(b) = frame.get_mut(at + 1) {
        // The ECN bits are the low two of the traffic class: bits 4-5 of
        // the second byte.
        *b = (*b & !0x30) | (new << 4);
    }
    Ok(())
}

pub(crate) fn check_frame_len(len: usize) -> Result<(), DropReason> {
    if len < MIN_FRAME_LEN {
        Err(DropReason::Runt)
    } else if len > MAX_FRAME_LEN {
        Err(DropReason::Oversized)
    } else {
        Ok(())
    }
}

/// A small non-cryptographic mixing hash over fixed-size words.
struct FlowHasher(u64);

impl FlowHasher {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;

    #[inline]
    fn word(&mut self, w: u64) {
        self.0 = (self.0 ^ w).wrapping_mul(Self::K);
        self.0 ^= self.0 >> 29;
    }

    #[inline]
    fn bytes(&mut self, b: &[u8]) {
        let mut chunks = b.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.word(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            if let Some(d) = w.get_mut(..rest.len()) {
                d.copy_from_slice(rest);
            }
            // Tag the length so that trailing zeros are not ambiguous.
            self.word(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 59));
        }
    }

    fn finish(mut self) -> u32 {
        self.0 ^= self.0 >> 32;
        self.0 = self.0.wrapping_mul(Self::K);
        (self.0 >> 32) as u32
    }
}

/// The flow hash of an inner frame (see the module docs). Any input is
/// accepted: what cannot be parsed is hashed as far as it goes.
pub fn flow_hash(inner: &[u8], seed: u64) -> u32 {
    let mut h = FlowHasher(seed ^ 0x5bd1_e995_0000_0001);
    let Ok(eth) = EthernetFrame::new_checked(inner) else {
        h.bytes(inner.get(..14).unwrap_or(inner));
        return h.finish();
    };
    h.bytes(inner.get(..12).unwrap_or(&[]));
    let et = eth.ethertype();
    h.word(u64::from(u16::from(et)));
    let l3 = eth.payload();
    match et {
        EtherType::Ipv4 => hash_ipv4(&mut h, l3),
        EtherType::Ipv6 => hash_ipv6(&mut h, l3),
        _ => {}
    }
    h.finish()
}

fn is_port_protocol(p: u8) -> bool {
    // TCP, UDP, SCTP, UDP-Lite: the first 4 bytes are source and
    // destination ports.
    matches!(p, 6 | 17 | 132 | 136)
}

fn hash_ipv4(h: &mut FlowHasher, ip: &[u8]) {
    let (Some(&vihl), Some(frag), Some(&proto), Some(addrs)) =
        (ip.first(), ip.get(6..8), ip.get(9), ip.get(12..20))
    else {
        return;
    };
    if vihl >> 4 != 4 {
        return;
    }
    h.bytes(addrs);
    h.word(u64::from(proto));
    let more_fragments = frag.first().is_some_and(|b| b & 0x20 != 0);
    let offset_nonzero = u16::from_be_bytes([
        frag.first().copied().unwrap_or(0) & 0x1f,
        frag.get(1).copied().unwrap_or(0),
    ]) != 0;
    if more_fragments || offset_nonzero || !is_port_protocol(proto) {
        return;
    }
    let ihl = usize::from(vihl & 0x0f) * 4;
    if let Some(ports) = ip.get(ihl..ihl + 4) {
        h.bytes(ports);
    }
}

fn hash_ipv6(h: &mut FlowHasher, ip: &[u8]) {
    let (Some(&v), Some(&nh), Some(addrs)) = (ip.first(), ip.get(6), ip.get(8..40)) else {
        return;
    };
    if v >> 4 != 6 {
        return;
    }
    h.bytes(addrs);
    h.word(u64::from(nh));
    // Only a transport header right after the fixed header is looked at.
    if is_port_protocol(nh) {
        if let Some(ports) = ip.get(40..44) {
            h.bytes(ports);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inner_v4_udp(sport: u16, dport: u16) -> Vec<u8> {
        let mut f = vec![
            0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00, // Ethernet
            0x45, 0, 0, 28, 0, 0, 0x40, 0, 64, 17, 0, 0, // IPv4, DF, UDP
            10, 0, 0, 1, 10, 0, 0, 2,
        ];
        f.extend_from_slice(&sport.to_be_bytes());
        f.extend_from_slice(&dport.to_be_bytes());
        f.extend_from_slice(&[0, 8, 0, 0]);
        f.resize(60, 0);
        f
    }

    /// RFC 6040: the inner ECN field is read for the outer header, and
    /// an outer CE / ECT(1) is folded back in on decapsulation.
    #[test]
    fn ecn_copy_and_decapsulation() {
        let mut v4 = inner_v4_udp(1000, 53);
        v4[15] = 0xb8 | ECN_ECT0; // DSCP EF, ECT(0)
        assert_eq!(inner_ecn(&v4), ECN_ECT0);
        // Outer Not-ECT / ECT(0): unchanged.
        let before = v4.clone();
        decap_ecn(&mut v4, ECN_NOT_ECT).unwrap();
        decap_ecn(&mut v4, ECN_ECT0).unwrap();
        assert_eq!(v4, before);
        // Outer CE: inner CE, DSCP kept, header checksum valid.
        decap_ecn(&mut v4, 0xfc | ECN_CE).unwrap();
        assert_eq!(v4[15], 0xb8 | ECN_CE);
        assert!(vtepd_wire::checksum::verify(&v4[14..34]));
        // Outer ECT(1) turns ECT(0) into ECT(1).
        let mut e = inner_v4_udp(1, 2);
        e[15] = ECN_ECT0;
        decap_ecn(&mut e, ECN_ECT1).unwrap();
        assert_eq!(inner_ecn(&e), ECN_ECT1);
        assert!(vtepd_wire::checksum::verify(&e[14..34]));
        // Not-ECT under CE is dropped.
        let mut n = inner_v4_udp(1, 2);
        assert_eq!(decap_ecn(&mut n, ECN_CE), Err(DropReason::EcnNotEct));

        // IPv6: traffic class 0x2e (ECN bits ECT(0)) across bytes 14-15.
        let mut v6 = vec![0u8; 14 + 40];
        v6[12..14].copy_from_slice(&[0x86, 0xdd]);
        v6[14] = 0x60 | 0x02;
        v6[15] = 0xe0 | 0x05; // traffic class 0x2e, flow label high bits 5
        assert_eq!(inner_ecn(&v6), ECN_ECT0);
        decap_ecn(&mut v6, ECN_CE).unwrap();
        assert_eq!(inner_ecn(&v6), ECN_CE);
        assert_eq!((v6[14], v6[15]), (0x62, 0xf5));
        // Non-IP and runts: nothing read, nothing changed.
        let mut arp = vec![0u8; 42];
        arp[12..14].copy_from_slice(&[0x08, 0x06]);
        assert_eq!(inner_ecn(&arp), ECN_NOT_ECT);
        decap_ecn(&mut arp, ECN_CE).unwrap();
        assert_eq!(inner_ecn(&[0u8; 5]), ECN_NOT_ECT);
        let mut short = v4[..16].to_vec();
        assert_eq!(decap_ecn(&mut short, ECN_CE), Ok(()));
    }

    #[test]
    fn encap_decap_round_trip() {
        let inner = inner_v4_udp(1000, 53);
        let mut buf = vec![0xeeu8; 64 + inner.len()];
        buf[64..].copy_from_slice(&inner);
        let vni = Vni::new(100).unwrap();
        let r = encap(&mut buf, 64..64 + inner.len(), vni).unwrap();
        assert_eq!(r, 56..64 + inner.len());
        assert_eq!(&buf[56..64], &[0x08, 0, 0, 0, 0, 0, 0x64, 0]);
        let d = decap(&buf[r]).unwrap();
        assert_eq!(d.vni, vni);
        assert_eq!(d.frame, &inner[..]);
    }

    #[test]
    fn encap_needs_headroom_and_valid_frame() {
        let vni = Vni::new(1).unwrap();
        let mut buf = vec![0u8; 100];
        assert_eq!(encap(&mut buf, 7..67, vni), Err(DropReason::NoBufferRoom));
        assert_eq!(encap(&mut buf, 8..101, vni), Err(DropReason::NoBufferRoom));
        #[allow(clippy::reversed_empty_ranges)]
        let backwards = 20..10;
        assert_eq!(
            encap(&mut buf, backwards, vni),
            Err(DropReason::NoBufferRoom)
        );
        assert_eq!(encap(&mut buf, 8..21, vni), Err(DropReason::Runt));
        let mut big = vec![0u8; 8 + MAX_FRAME_LEN + 1];
        assert_eq!(
            encap(&mut big, 8..8 + MAX_FRAME_LEN + 1, vni),
            Err(DropReason::Oversized)
        );
        assert_eq!(
            encap(&mut big, 8..8 + MAX_FRAME_LEN, vni),
            Ok(0..8 + MAX_FRAME_LEN)
        );
    }

    #[test]
    fn decap_rejects_bad_input() {
        let good = {
            let mut v = vec![0x08, 0, 0, 0, 0, 0, 0x64, 0];
            v.extend_from_slice(&inner_v4_udp(1, 2));
            v
        };
        for n in 0..8 {
            assert_eq!(decap(&good[..n]), Err(DropReason::VxlanTruncated));
        }
        assert_eq!(decap(&good[..8 + 13]), Err(DropReason::Runt));
        assert!(decap(&good[..8 + 14]).is_ok());
        let mut bad = good.clone();
        bad[0] = 0;
        assert_eq!(decap(&bad), Err(DropReason::VxlanBadFlags));
        bad[0] = 0x80;
        assert_eq!(decap(&bad), Err(DropReason::VxlanBadFlags));
        // Reserved bits are ignored.
        let mut res = good.clone();
        res[0] = 0x0c;
        res[2] = 0xff;
        res[7] = 1;
        assert_eq!(decap(&res).unwrap().vni.get(), 100);
        let mut huge = good.clone();
        huge.resize(8 + MAX_FRAME_LEN + 1, 0);
        assert_eq!(decap(&huge), Err(DropReason::Oversized));
        huge.truncate(8 + MAX_FRAME_LEN);
        assert!(decap(&huge).is_ok());
    }

    #[test]
    fn source_port_in_range_and_flow_stable() {
        let cfg = VxlanConfig::default();
        let a = inner_v4_udp(40000, 53);
        let p = cfg.source_port(&a);
        assert!(p >= 49152);
        assert_eq!(cfg.source_port(&a), p);
        // Payload bytes beyond the ports do not change the hash.
        let mut a2 = a.clone();
        a2[50] ^= 0xff;
        assert_eq!(cfg.source_port(&a2), p);
        // Many flows spread over the range: 2000 uniform draws from 16384
        // ports give about 16384 * (1 - e^(-2000/16384)) = 1883 distinct.
        let mut seen = std::collections::HashSet::new();
        for s in 0..2000u16 {
            seen.insert(cfg.source_port(&inner_v4_udp(s, 53)));
        }
        assert!(seen.len() > 1840, "only {} distinct ports", seen.len());
        // A narrow range is respected, including a single port.
        let narrow = VxlanConfig::new(4789, (5000, 5003), 7).unwrap();
        for s in 0..200u16 {
            let p = narrow.source_port(&inner_v4_udp(s, 53));
            assert!((5000..=5003).contains(&p));
        }
        let one = VxlanConfig::new(4789, (65535, 65535), 7).unwrap();
        assert_eq!(one.source_port(&a), 65535);
        assert_eq!(
            VxlanConfig::new(4789, (10, 9), 0),
            Err(ConfigError::BadPortRange(10, 9))
        );
        assert_eq!(
            VxlanConfig::new(4789, (0, 9), 0),
            Err(ConfigError::BadPortRange(0, 9))
        );
        assert_eq!(
            VxlanConfig::new(0, DEFAULT_SOURCE_PORTS, 0),
            Err(ConfigError::BadDestinationPort)
        );
    }

    #[test]
    fn ipv4_fragments_hash_without_ports() {
        let mut first = inner_v4_udp(1111, 53);
        first[20] = 0x20; // MF
        let mut other = inner_v4_udp(2222, 53);
        other[20] = 0x00;
        other[21] = 0x10; // offset 16
        assert_eq!(flow_hash(&first, 0), flow_hash(&other, 0));
        assert_ne!(
            flow_hash(&inner_v4_udp(1111, 53), 0),
            flow_hash(&inner_v4_udp(2222, 53), 0)
        );
    }

    #[test]
    fn ipv6_and_tagged_frames_hash_ports() {
        let v6 = |sport: u16| {
            let mut f = vec![
                0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x81, 0, 0, 100, 0x86, 0xdd,
            ];
            f.extend_from_slice(&[0x60, 0, 0, 0, 0, 8, 6, 64]);
            f.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8]);
            f.extend_from_slice(&[0; 11]);
            f.push(1);
            f.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8]);
            f.extend_from_slice(&[0; 11]);
            f.push(2);
            f.extend_from_slice(&sport.to_be_bytes());
            f.extend_from_slice(&[0, 80, 0, 0, 0, 0]);
            f
        };
        assert_ne!(flow_hash(&v6(1), 0), flow_hash(&v6(2), 0));
        assert_eq!(flow_hash(&v6(1), 0), flow_hash(&v6(1), 0));
        assert_ne!(flow_hash(&v6(1), 0), flow_hash(&v6(1), 1));
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_input_never_panics(data in proptest::collection::vec(0u8.., 0..128), lo in 1u16.., span in 0u16..) {
            let hi = lo.saturating_add(span);
            let cfg = VxlanConfig::new(4789, (lo, hi), 3).unwrap();
            let p = cfg.source_port(&data);
            proptest::prop_assert!(p >= lo && p <= hi);
            if let Ok(d) = decap(&data) {
                proptest::prop_assert_eq!(d.frame.len() + 8, data.len());
                // Re-encapsulating gives back the header with reserved bits
                // zeroed and the same inner frame.
                let mut buf = data.clone();
                let r = encap(&mut buf, 8..data.len(), d.vni).unwrap();
                proptest::prop_assert_eq!(decap(&buf[r]).unwrap(), d);
            }
        }
    }
}
