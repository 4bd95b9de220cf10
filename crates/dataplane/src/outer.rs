//! Outer IPv4/IPv6 and UDP headers for the raw-socket underlay path.
//!
//! The UDP-socket path lets the kernel write these headers. A raw or
//! AF_PACKET backend writes them itself: after [`crate::vxlan::encap`] put
//! the VXLAN header in front of the inner frame, [`write_outer`] puts the
//! UDP header and the IP header in front of that, again into the caller's
//! headroom ([`OUTER_V4_LEN`] or [`OUTER_V6_LEN`] bytes, so at most
//! [`MAX_HEADROOM`] with the VXLAN header). For ingress replication the
//! driver calls [`write_outer`] once per VTEP on the same buffer; only the
//! headers are rewritten.
//!
//! On receive, [`parse_outer`] checks an IP packet and returns the UDP
//! payload for [`crate::vxlan::decap`] and the sending VTEP's address.
//!
//! # Policies (RFC 7348 §4.3, §5; RFC 6935/6936; RFC 6438)
//!
//! - **DF bit** (IPv4 outer): [`DfPolicy::Set`], [`DfPolicy::Unset`] (the
//!   default) or [`DfPolicy::Inherit`]: the inner IPv4 header's DF, set for
//!   an inner IPv6 packet (routers never fragment IPv6, so its outer packet
//!   should not be fragmented either), unset for anything else.
//! - **UDP checksum**: over IPv4 it may be zero (no checksum), the default,
//!   as RFC 7348 §5 allows; over IPv6 it is computed unless the node is
//!   configured for zero-checksum tunnels (RFC 6935/6936), and on receive a
//!   zero checksum over IPv6 is accepted only under the same setting.
//! - **IPv6 flow label**: derived from the UDP source port, so from the
//!   inner flow hash (RFC 6438), never zero.
//! - Outer IPv4 fragments are refused on receive
//!   ([`DropReason::BadOuterHeader`]); reassembly is the fragment crate's
//!   job and happens before this.

use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use core::ops::Range;

use vtepd_wire::ipv4::{Ipv4Packet, Ipv4Repr};
use vtepd_wire::ipv6::{Ipv6Packet, Ipv6Repr};
use vtepd_wire::udp::{Ipv6ZeroChecksum, UdpPacket, UdpRepr};
use vtepd_wire::{EtherType, EthernetFrame, IpProtocol};

use crate::stats::DropReason;
use crate::vxlan::VXLAN_HEADER_LEN;

/// Bytes of outer IPv4 (no options) and UDP header.
pub const OUTER_V4_LEN: usize = 20 + 8;
/// Bytes of outer IPv6 (no extension headers) and UDP header.
pub const OUTER_V6_LEN: usize = 40 + 8;
/// The most headroom encapsulation needs in front of an inner frame: IPv6,
/// UDP and VXLAN headers.
pub const MAX_HEADROOM: usize = OUTER_V6_LEN + VXLAN_HEADER_LEN;

/// The outer IPv4 DF bit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DfPolicy {
    /// Always set.
    Set,
    /// Never set (the default; matches Linux VXLAN's default).
    #[default]
    Unset,
    /// From the inner packet (see the module docs).
    Inherit,
}

/// How outer headers are written and checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OuterConfig {
    /// IPv4 TTL / IPv6 hop limit.
    pub ttl: u8,
    /// DSCP of the outer header (0..=63).
    pub dscp: u8,
    /// DF bit policy for IPv4.
    pub df: DfPolicy,
    /// Compute the UDP checksum over IPv4 (otherwise send zero).
    pub udp_checksum_v4: bool,
    /// Send and accept a zero UDP checksum over IPv6 (RFC 6935/6936).
    pub zero_checksum_v6: bool,
    /// Verify UDP checksums on receive (IPv4 header checksums are always
    /// verified).
    pub verify_udp_checksum: bool,
}

impl Default for OuterConfig {
    /// TTL 64, DSCP 0, DF unset, no UDP checksum over IPv4, computed and
    /// required over IPv6, verified on receive.
    fn default() -> Self {
        OuterConfig {
            ttl: 64,
            dscp: 0,
            df: DfPolicy::Unset,
            udp_checksum_v4: false,
            zero_checksum_v6: false,
            verify_udp_checksum: true,
        }
    }
}

/// The outer addresses of one encapsulated packet (both of one family).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OuterAddrs {
    /// IPv4 underlay.
    V4 {
        /// Local VTEP address.
        src: Ipv4Addr,
        /// Remote VTEP address.
        dst: Ipv4Addr,
    },
    /// IPv6 underlay.
    V6 {
        /// Local VTEP address.
        src: Ipv6Addr,
        /// Remote VTEP address.
        dst: Ipv6Addr,
    },
}

impl OuterAddrs {
    /// Pair two addresses; `None` if their families differ.
    pub fn new(src: IpAddr, dst: IpAddr) -> Option<OuterAddrs> {
        match (src, dst) {
            (IpAddr::V4(src), IpAddr::V4(dst)) => Some(OuterAddrs::V4 { src, dst }),
            (IpAddr::V6(src), IpAddr::V6(dst)) => Some(OuterAddrs::V6 { src, dst }),
            _ => None,
        }
    }

    /// Bytes of outer IP and UDP header.
    pub fn header_len(&self) -> usize {
        match self {
            OuterAddrs::V4 { .. } => OUTER_V4_LEN,
            OuterAddrs::V6 { .. } => OUTER_V6_LEN,
        }
    }
}

/// The per-packet values of the outer headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outer {
    /// Addresses.
    pub addrs: OuterAddrs,
    /// UDP source port (from [`crate::VxlanConfig::source_port`]).
    pub src_port: u16,
    /// UDP destination port (from [`crate::VxlanConfig::dst_port`]).
    pub dst_port: u16,
    /// IPv4 Identification (a per-worker counter; ignored for IPv6).
    pub ident: u16,
}

/// Write UDP and IP headers in front of the VXLAN UDP payload
/// `buf[payload]`, into the headroom before it. Returns the range of the
/// whole IP packet. Never allocates, never panics.
///
/// [`DropReason::NoBufferRoom`] if the headroom is too small or the range is
/// not inside `buf`; [`DropReason::Oversized`] if the packet would exceed
/// 65535 bytes (IPv4 Total Length / IPv6 Payload Length).
pub fn write_outer(
    buf: &mut [u8],
    payload: Range<usize>,
    outer: &Outer,
    cfg: &OuterConfig,
) -> Result<Range<usize>, DropReason> {
    if payload.start > payload.end || payload.end > buf.len() {
        return Err(DropReason::NoBufferRoom);
    }
    let start = payload
        .start
        .checked_sub(outer.addrs.header_len())
        .ok_or(DropReason::NoBufferRoom)?;
    let udp_start = payload.start - 8;
    let udp_repr = UdpRepr {
        src_port: outer.src_port,
        dst_port: outer.dst_port,
        payload_len: payload.end - payload.start,
    };
    if udp_repr.total_len() > usize::from(u16::MAX) {
        return Err(DropReason::Oversized);
    }
    let df = match cfg.df {
        DfPolicy::Set => true,
        DfPolicy::Unset => false,
        DfPolicy::Inherit => inner_wants_df(buf.get(payload.start..payload.end).unwrap_or(&[])),
    };
    let udp_buf = buf
        .get_mut(udp_start..payload.end)
        .ok_or(DropReason::NoBufferRoom)?;
    let mut udp = UdpPacket::new_unchecked(udp_buf);
    udp_repr
        .emit(&mut udp)
        .map_err(|_| DropReason::NoBufferRoom)?;
    match outer.addrs {
        OuterAddrs::V4 { src, dst } => {
            if cfg.udp_checksum_v4 {
                udp.fill_checksum_v4(src, dst);
            }
            let ip = Ipv4Repr {
                dscp: cfg.dscp & 0x3f,
                ident: outer.ident,
                dont_frag: df,
                ..Ipv4Repr::new(src, dst, IpProtocol::Udp, udp_repr.total_len(), cfg.ttl)
            };
            if ip.total_len() > usize::from(u16::MAX) {
                return Err(DropReason::Oversized);
            }
            let ip_buf = buf
                .get_mut(start..payload.end)
                .ok_or(DropReason::NoBufferRoom)?;
            ip.emit(&mut Ipv4Packet::new_unchecked(ip_buf))
                .map_err(|_| DropReason::Oversized)?;
        }
        OuterAddrs::V6 { src, dst } => {
            if !cfg.zero_checksum_v6 {
                udp.fill_checksum_v6(src, dst);
            }
            let ip = Ipv6Repr {
                src_addr: src,
                dst_addr: dst,
                next_header: IpProtocol::Udp,
                payload_len: udp_repr.total_len(),
                hop_limit: cfg.ttl,
                traffic_class: (cfg.dscp & 0x3f) << 2,
                flow_label: flow_label(outer.src_port),
            };
            let ip_buf = buf
                .get_mut(start..payload.end)
                .ok_or(DropReason::NoBufferRoom)?;
            ip.emit(&mut Ipv6Packet::new_unchecked(ip_buf))
                .map_err(|_| DropReason::Oversized)?;
        }
    }
    Ok(start..payload.end)
}

/// A 20-bit non-zero flow label spread from the source port.
fn flow_label(src_port: u16) -> u32 {
    let h = u32::from(src_port).wrapping_mul(0x9e37_79b1);
    let l = (h >> 12) & 0x000f_ffff;
    if l == 0 {
        1
    } else {
        l
    }
}

/// DF inheritance: look at the inner frame after the VXLAN header.
fn inner_wants_df(vxlan_payload: &[u8]) -> bool {
    let Some(inner) = vxlan_payload.get(VXLAN_HEADER_LEN..) else {
        return false;
    };
    let Ok(eth) = EthernetFrame::new_checked(inner) else {
        return false;
    };
    match eth.ethertype() {
        EtherType::Ipv4 => eth.payload().get(6).is_some_and(|flags| flags & 0x40 != 0),
        EtherType::Ipv6 => true,
        _ => false,
    }
}

/// A received outer packet: who sent it and the VXLAN UDP payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OuterRx<'a> {
    /// The sending VTEP.
    pub src: IpAddr,
    /// The address it was sent to (one of ours).
    pub dst: IpAddr,
    /// UDP source port.
    pub src_port: u16,
    /// UDP destination port.
    pub dst_port: u16,
    /// The UDP payload (VXLAN header and inner frame).
    pub udp_payload: &'a [u8],
}

/// Check an outer IP packet (from a raw socket: IP header first) carrying
/// VXLAN to `dst_port`, and return its UDP payload. Any failure is
/// [`DropReason::BadOuterHeader`]: truncation, bad version, IPv4 header
/// checksum, IPv4 fragment, a protocol other than UDP (IPv6 extension
/// headers are walked), another destination port, a UDP checksum that does
/// not verify (when asked). Never allocates, never panics.
pub fn parse_outer<'a>(
    packet: &'a [u8],
    dst_port: u16,
    cfg: &OuterConfig,
) -> Result<OuterRx<'a>, DropReason> {
    const BAD: DropReason = DropReason::BadOuterHeader;
    let version = packet.first().map(|b| b >> 4);
    let (src, dst, udp_bytes) = match version {
        Some(4) => {
            let ip = Ipv4Packet::new_checked(packet).map_err(|_| BAD)?;
            let repr = Ipv4Repr::parse(&ip).map_err(|_| BAD)?;
            if repr.protocol != IpProtocol::Udp || ip.is_fragment() {
                return Err(BAD);
            }
            let hl = ip.header_len();
            let total = ip.total_len();
            let udp = packet.get(hl..total).ok_or(BAD)?;
            (IpAddr::V4(repr.src_addr), IpAddr::V4(repr.dst_addr), udp)
        }
        Some(6) => {
            let ip = Ipv6Packet::new_checked(packet).map_err(|_| BAD)?;
            let ul = ip.upper_layer().map_err(|_| BAD)?;
            if ul.protocol != IpProtocol::Udp || ul.fragment.is_some() {
                return Err(BAD);
            }
            let udp = packet.get(ul.offset..ip.total_len()).ok_or(BAD)?;
            (IpAddr::V6(ip.src_addr()), IpAddr::V6(ip.dst_addr()), udp)
        }
        _ => return Err(BAD),
    };
    let udp = UdpPacket::new_checked(udp_bytes).map_err(|_| BAD)?;
    if udp.dst_port() != dst_port {
        return Err(BAD);
    }
    if cfg.verify_udp_checksum {
        let ok = match (src, dst) {
            (IpAddr::V4(s), IpAddr::V4(d)) => udp.verify_checksum_v4(s, d),
            (IpAddr::V6(s), IpAddr::V6(d)) => {
                let zero = if cfg.zero_checksum_v6 {
                    Ipv6ZeroChecksum::Accept
                } else {
                    Ipv6ZeroChecksum::Reject
                };
                udp.verify_checksum_v6(s, d, zero)
            }
            _ => false,
        };
        if !ok {
            return Err(BAD);
        }
    } else if let (IpAddr::V6(_), false, 0) = (src, cfg.zero_checksum_v6, udp.checksum()) {
        // Even unverified, a zero IPv6 checksum needs the tunnel exception.
        return Err(BAD);
    }
    let (src_port, dst_port) = (udp.src_port(), udp.dst_port());
    let len = usize::from(udp.len());
    let udp_payload = udp_bytes.get(8..len).ok_or(BAD)?;
    Ok(OuterRx {
        src,
        dst,
        src_port,
        dst_port,
        udp_payload,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vxlan;
    use vtepd_wire::checksum;
    use vtepd_wire::vxlan::Vni;

    const A4: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 1);
    const B4: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 2);
    const A6: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1);
    const B6: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 2);

    /// A 60-byte inner frame: 02:..:02 <- 02:..:01, IPv4 with DF set.
    fn inner(df: bool) -> Vec<u8> {
        let mut f = vec![
            0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00, 0x45, 0, 0, 46, 0, 0,
        ];
        f.push(if df { 0x40 } else { 0 });
        f.resize(60, 0xab);
        f
    }

    /// Encapsulate `inner` at offset MAX_HEADROOM of a fresh buffer.
    fn encapsulated(inner: &[u8], outer: &Outer, cfg: &OuterConfig) -> (Vec<u8>, Range<usize>) {
        let mut buf = vec![0u8; MAX_HEADROOM + inner.len()];
        buf[MAX_HEADROOM..].copy_from_slice(inner);
        let end = buf.len();
        let p = vxlan::encap(&mut buf, MAX_HEADROOM..end, Vni::new(100).unwrap()).unwrap();
        let r = write_outer(&mut buf, p, outer, cfg).unwrap();
        (buf, r)
    }

    fn outer4() -> Outer {
        Outer {
            addrs: OuterAddrs::V4 { src: A4, dst: B4 },
            src_port: 50000,
            dst_port: 4789,
            ident: 0x1234,
        }
    }

    /// The expected IPv4 + UDP header bytes, built by hand from RFC 791 and
    /// RFC 768.
    #[test]
    fn ipv4_outer_exact_bytes() {
        let cfg = OuterConfig::default();
        let (buf, r) = encapsulated(&inner(true), &outer4(), &cfg);
        assert_eq!(r, (MAX_HEADROOM - 8 - 28)..buf.len());
        let pkt = &buf[r.clone()];
        let total = 20 + 8 + 8 + 60;
        let mut want = vec![
            0x45,
            0x00,
            0,
            total as u8,
            0x12,
            0x34,
            0x00,
            0x00,
            64,
            17,
            0,
            0,
            192,
            0,
            2,
            1,
            192,
            0,
            2,
            2,
        ];
        let c = checksum::checksum(&want);
        want[10..12].copy_from_slice(&c.to_be_bytes());
        want.extend_from_slice(&[0xc3, 0x50, 0x12, 0xb5, 0, 76, 0, 0]);
        want.extend_from_slice(&[0x08, 0, 0, 0, 0, 0, 100, 0]);
        want.extend_from_slice(&inner(true));
        assert_eq!(pkt, &want[..]);
        let rx = parse_outer(pkt, 4789, &cfg).unwrap();
        assert_eq!(rx.src, IpAddr::V4(A4));
        assert_eq!(rx.dst, IpAddr::V4(B4));
        assert_eq!(rx.src_port, 50000);
        let d = vxlan::decap(rx.udp_payload).unwrap();
        assert_eq!(d.frame, &inner(true)[..]);
    }

    #[test]
    fn df_policy_and_udp_checksum_v4() {
        let mut cfg = OuterConfig {
            df: DfPolicy::Inherit,
            udp_checksum_v4: true,
            dscp: 46,
            ..OuterConfig::default()
        };
        for (df_in, want) in [(true, 0x40), (false, 0x00)] {
            let (buf, r) = encapsulated(&inner(df_in), &outer4(), &cfg);
            let pkt = &buf[r];
            assert_eq!(pkt[6], want);
            assert_eq!(pkt[1], 46 << 2);
            assert_ne!(&pkt[26..28], &[0, 0]);
            let ip = Ipv4Packet::new_checked(pkt).unwrap();
            let udp = UdpPacket::new_checked(ip.payload()).unwrap();
            assert!(udp.verify_checksum_v4(A4, B4));
            assert!(parse_outer(pkt, 4789, &cfg).is_ok());
        }
        cfg.df = DfPolicy::Set;
        let (buf, r) = encapsulated(&inner(false), &outer4(), &cfg);
        assert_eq!(buf[r.start + 6], 0x40);
        // A corrupted payload byte fails the UDP checksum.
        let (mut buf, r) = encapsulated(&inner(false), &outer4(), &cfg);
        *buf.last_mut().unwrap() ^= 1;
        assert_eq!(
            parse_outer(&buf[r], 4789, &cfg),
            Err(DropReason::BadOuterHeader)
        );
    }

    #[test]
    fn ipv6_outer_round_trip_and_zero_checksum_policy() {
        let out = Outer {
            addrs: OuterAddrs::new(IpAddr::V6(A6), IpAddr::V6(B6)).unwrap(),
            src_port: 60001,
            dst_port: 4789,
            ident: 0,
        };
        let cfg = OuterConfig::default();
        let (buf, r) = encapsulated(&inner(true), &out, &cfg);
        assert_eq!(r.start, 0);
        let pkt = &buf[r.clone()];
        assert_eq!(pkt[0] >> 4, 6);
        assert_eq!(pkt[6], 17);
        assert_eq!(u16::from_be_bytes([pkt[4], pkt[5]]), 8 + 8 + 60);
        let label = u32::from_be_bytes([0, pkt[1] & 0x0f, pkt[2], pkt[3]]);
        assert_eq!(label, flow_label(60001));
        assert_ne!(label, 0);
        let rx = parse_outer(pkt, 4789, &cfg).unwrap();
        assert_eq!(rx.src, IpAddr::V6(A6));
        assert_eq!(
            vxlan::decap(rx.udp_payload).unwrap().frame,
            &inner(true)[..]
        );

        // Zero-checksum tunnels: sent with zero, accepted only when allowed.
        let zero = OuterConfig {
            zero_checksum_v6: true,
            ..cfg
        };
        let (buf, r) = encapsulated(&inner(true), &out, &zero);
        let pkt = &buf[r];
        assert_eq!(&pkt[46..48], &[0, 0]);
        assert!(parse_outer(pkt, 4789, &zero).is_ok());
        assert_eq!(
            parse_outer(pkt, 4789, &cfg),
            Err(DropReason::BadOuterHeader)
        );
        let unverified = OuterConfig {
            verify_udp_checksum: false,
            ..cfg
        };
        assert_eq!(
            parse_outer(pkt, 4789, &unverified),
            Err(DropReason::BadOuterHeader)
        );
    }

    #[test]
    fn replication_rewrites_only_headers() {
        let cfg = OuterConfig {
            udp_checksum_v4: true,
            ..OuterConfig::default()
        };
        let mut buf = vec![0u8; MAX_HEADROOM + 60];
        buf[MAX_HEADROOM..].copy_from_slice(&inner(false));
        let end = buf.len();
        let p = vxlan::encap(&mut buf, MAX_HEADROOM..end, Vni::new(7).unwrap()).unwrap();
        for last in 2..6u8 {
            let o = Outer {
                addrs: OuterAddrs::V4 {
                    src: A4,
                    dst: Ipv4Addr::new(192, 0, 2, last),
                },
                ..outer4()
            };
            let r = write_outer(&mut buf, p.clone(), &o, &cfg).unwrap();
            let rx = parse_outer(&buf[r], 4789, &cfg).unwrap();
            assert_eq!(rx.dst, IpAddr::V4(Ipv4Addr::new(192, 0, 2, last)));
            assert_eq!(vxlan::decap(rx.udp_payload).unwrap().vni.get(), 7);
        }
    }

    #[test]
    fn write_outer_errors() {
        let cfg = OuterConfig::default();
        let mut buf = vec![0u8; 100];
        assert_eq!(
            write_outer(&mut buf, 27..100, &outer4(), &cfg),
            Err(DropReason::NoBufferRoom)
        );
        assert_eq!(
            write_outer(&mut buf, 28..101, &outer4(), &cfg),
            Err(DropReason::NoBufferRoom)
        );
        assert!(write_outer(&mut buf, 28..100, &outer4(), &cfg).is_ok());
        let mut big = vec![0u8; 28 + 65536];
        assert_eq!(
            write_outer(&mut big, 28..28 + 65536 - 8, &outer4(), &cfg),
            Err(DropReason::Oversized)
        );
        assert_eq!(OuterAddrs::new(IpAddr::V4(A4), IpAddr::V6(B6)), None);
    }

    #[test]
    fn parse_outer_rejects() {
        let cfg = OuterConfig::default();
        let (buf, r) = encapsulated(&inner(true), &outer4(), &cfg);
        let good = buf[r].to_vec();
        assert_eq!(
            parse_outer(&good, 4790, &cfg),
            Err(DropReason::BadOuterHeader)
        );
        for n in [0, 1, 19, 20, 27, good.len() - 1] {
            assert_eq!(
                parse_outer(&good[..n], 4789, &cfg),
                Err(DropReason::BadOuterHeader),
                "len {n}"
            );
        }
        // Header checksum.
        let mut bad = good.clone();
        bad[8] = 1;
        assert_eq!(
            parse_outer(&bad, 4789, &cfg),
            Err(DropReason::BadOuterHeader)
        );
        // A fragment (MF set, checksum fixed).
        let mut frag = good.clone();
        frag[6] = 0x20;
        frag[10] = 0;
        frag[11] = 0;
        let c = checksum::checksum(&frag[..20]);
        frag[10..12].copy_from_slice(&c.to_be_bytes());
        assert_eq!(
            parse_outer(&frag, 4789, &cfg),
            Err(DropReason::BadOuterHeader)
        );
        // Not UDP.
        let mut tcp = good.clone();
        tcp[9] = 6;
        tcp[10] = 0;
        tcp[11] = 0;
        let c = checksum::checksum(&tcp[..20]);
        tcp[10..12].copy_from_slice(&c.to_be_bytes());
        assert_eq!(
            parse_outer(&tcp, 4789, &cfg),
            Err(DropReason::BadOuterHeader)
        );
        // Trailing padding after Total Length is ignored.
        let mut padded = good.clone();
        padded.extend_from_slice(&[0; 10]);
        assert_eq!(
            parse_outer(&padded, 4789, &cfg).unwrap().udp_payload.len(),
            8 + 60
        );
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_packets_never_panic(data in proptest::collection::vec(0u8.., 0..128), v6 in proptest::bool::ANY) {
            let mut d = data;
            if let Some(b) = d.first_mut() {
                *b = (*b & 0x0f) | if v6 { 0x60 } else { 0x40 };
            }
            let cfg = OuterConfig { verify_udp_checksum: false, ..OuterConfig::default() };
            if let Ok(rx) = parse_outer(&d, 4789, &cfg) {
                proptest::prop_assert!(rx.udp_payload.len() + 8 <= d.len());
                let _ = vxlan::decap(rx.udp_payload);
            }
        }

        #[test]
        fn encap_then_parse_round_trips(len in 14usize..200, sport in 1u16.., v6 in proptest::bool::ANY, csum in proptest::bool::ANY) {
            let frame: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let addrs = if v6 {
                OuterAddrs::V6 { src: A6, dst: B6 }
            } else {
                OuterAddrs::V4 { src: A4, dst: B4 }
            };
            let o = Outer { addrs, src_port: sport, dst_port: 4789, ident: 9 };
            let cfg = OuterConfig { udp_checksum_v4: csum, ..OuterConfig::default() };
            let (buf, r) = encapsulated(&frame, &o, &cfg);
            let rx = parse_outer(&buf[r], 4789, &cfg).unwrap();
            proptest::prop_assert_eq!(rx.src_port, sport);
            proptest::prop_assert_eq!(vxlan::decap(rx.udp_payload).unwrap().frame, &frame[..]);
        }
    }
}
