//! Invariant checks shared by the fuzz targets in `fuzz_targets/`.
//!
//! Each `check_*` function takes bytes at one layer, and, when the wire crate
//! accepts them, asserts what the crate's contract promises (lib.rs of
//! `vtepd-wire`): the owned repr re-emits the same header bytes, the lengths
//! the view reports add up to the buffer, checksums that `emit`/`fill_*`
//! write verify, and incremental checksum updates (RFC 1624) agree with a
//! full recomputation. A failed assertion is a finding, like a panic.
//!
//! The functions return what the next layer needs, so `wire_frame` chains
//! them into a whole receive-path decode.
//!
//! Input layouts (the seeds in `fuzz/seeds/TARGET/` follow them):
//!
//! - most targets: the header's bytes, from its first byte;
//! - `wire_udp`: one family byte (even: IPv4, odd: IPv6), the source and
//!   destination addresses (4+4 or 16+16 bytes), then the datagram, so the
//!   pseudo-header checksum of a captured datagram verifies;
//! - `wire_icmpv6`, `wire_ndp`: source and destination IPv6 addresses
//!   (16+16 bytes), then the ICMPv6 message.

use core::net::{Ipv4Addr, Ipv6Addr};

use vtepd_wire::arp::{ArpOperation, ArpPacket, ArpRepr};
use vtepd_wire::checksum;
use vtepd_wire::ethernet::{EtherType, EthernetAddress, EthernetFrame, EthernetRepr};
use vtepd_wire::gre::{GrePacket, GreRepr};
use vtepd_wire::icmpv4::{Icmpv4Packet, Icmpv4Repr};
use vtepd_wire::icmpv6::{Icmpv6Packet, Icmpv6Repr};
use vtepd_wire::ip::IpProtocol;
use vtepd_wire::ipv4::{ChecksumDelta, Ipv4Packet, Ipv4Repr};
use vtepd_wire::ipv6::{
    self, ExtHeader, Ipv6FragmentHeader, Ipv6FragmentRepr, Ipv6OptionIter, Ipv6Packet, Ipv6Repr,
};
use vtepd_wire::mpls::{MplsPacket, MplsRepr, MAX_DEPTH};
use vtepd_wire::ndp::{self, NdiscFrame, NdiscOption, NdiscPacket, NdiscRepr};
use vtepd_wire::udp::{Ipv6ZeroChecksum, UdpPacket, UdpRepr};
use vtepd_wire::vxlan::{VxlanPacket, VxlanRepr, VXLAN_PORT};
use vtepd_wire::Error;

/// Two Internet checksums are interchangeable: equal, or the two encodings
/// of one's-complement zero (0x0000 and 0xffff). A header whose other words
/// sum to 0xffff verifies with either, and `fill_checksum` picks one.
pub fn same_checksum(a: u16, b: u16) -> bool {
    a == b || (a == 0 && b == 0xffff) || (a == 0xffff && b == 0)
}

fn be16(b: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([b[at], b[at + 1]])
}

/// Assert that re-emitted header bytes equal the original, except that the
/// 16-bit checksum at `ck` (if any) may use the other encoding of zero.
pub fn assert_same_bytes(what: &str, emitted: &[u8], original: &[u8], ck: Option<usize>) {
    assert_eq!(emitted.len(), original.len(), "{what}: emitted length");
    match ck {
        None => assert_eq!(emitted, original, "{what}: re-emitted bytes"),
        Some(at) => {
            assert_eq!(
                emitted[..at],
                original[..at],
                "{what}: bytes before checksum"
            );
            assert_eq!(
                emitted[at + 2..],
                original[at + 2..],
                "{what}: bytes after checksum"
            );
            let (e, o) = (be16(emitted, at), be16(original, at));
            assert!(
                same_checksum(e, o),
                "{what}: checksum {e:#06x} re-emitted, {o:#06x} received"
            );
        }
    }
}

/// Split `data` into (source, destination, rest) IPv6 addresses.
pub fn split_v6_addrs(data: &[u8]) -> Option<(Ipv6Addr, Ipv6Addr, &[u8])> {
    let src: [u8; 16] = data.get(..16)?.try_into().ok()?;
    let dst: [u8; 16] = data.get(16..32)?.try_into().ok()?;
    Some((Ipv6Addr::from(src), Ipv6Addr::from(dst), &data[32..]))
}

// ---------------------------------------------------------------- Ethernet

/// Ethernet II + 802.1Q. Returns the repr and the header length.
pub fn check_ethernet(data: &[u8]) -> Option<(EthernetRepr, usize)> {
    let frame = EthernetFrame::new_checked(data).ok()?;
    let repr = EthernetRepr::parse(&frame).expect("a checked frame always parses");
    let hl = frame.header_len();
    assert_eq!(repr.buffer_len(), hl, "ethernet: header length");
    assert_eq!(hl + frame.payload().len(), data.len(), "ethernet: lengths");
    let mut out = vec![0u8; hl];
    repr.emit(&mut EthernetFrame::new_unchecked(&mut out[..]))
        .expect("buffer_len bytes are enough");
    assert_same_bytes("ethernet", &out, &data[..hl], None);
    Some((repr, hl))
}

// --------------------------------------------------------------------- ARP

/// ARP for Ethernet/IPv4. Returns the repr.
pub fn check_arp(data: &[u8]) -> Option<ArpRepr> {
    let packet = ArpPacket::new_checked(data).ok()?;
    let repr = ArpRepr::parse(&packet).expect("a checked ARP packet parses");
    let len = ArpPacket::<&[u8]>::LEN;
    assert_eq!(repr.buffer_len(), len, "arp: length");
    let mut out = vec![0u8; len];
    repr.emit(&mut ArpPacket::new_unchecked(&mut out[..]))
        .expect("28 bytes are enough");
    assert_same_bytes("arp", &out, &data[..len], None);

    // ARP suppression: the reply frame answers exactly this request.
    let mac = EthernetAddress([0x02, 0, 0, 0, 0xaa, 0x01]);
    let mut frame = [0u8; 64];
    match repr.emit_reply_frame(mac, &mut frame) {
        Ok(n) => {
            assert_eq!(repr.operation, ArpOperation::Request);
            assert_eq!(
                n,
                EthernetFrame::<&[u8]>::HEADER_LEN + len,
                "arp reply length"
            );
            let f = EthernetFrame::new_checked(&frame[..n]).expect("reply frame");
            assert_eq!(f.ethertype(), EtherType::Arp);
            assert_eq!(f.dst_addr(), repr.source_hardware_addr);
            assert_eq!(f.src_addr(), mac);
            let reply = ArpRepr::parse(&ArpPacket::new_checked(f.payload()).expect("reply"))
                .expect("reply parses");
            assert_eq!(reply.operation, ArpOperation::Reply);
            assert_eq!(reply.source_hardware_addr, mac);
            assert_eq!(reply.source_protocol_addr, repr.target_protocol_addr);
            assert_eq!(reply.target_hardware_addr, repr.source_hardware_addr);
            assert_eq!(reply.target_protocol_addr, repr.source_protocol_addr);
            // In place gives the same bytes.
            let mut inplace = data[..len].to_vec();
            ArpPacket::new_checked(&mut inplace[..])
                .expect("checked")
                .reply_in_place(mac)
                .expect("a request is answered in place");
            assert_eq!(&inplace[..], f.payload(), "arp: in-place reply");
        }
        Err(e) => {
            assert_ne!(
                repr.operation,
                ArpOperation::Request,
                "request not answered: {e:?}"
            );
            assert_eq!(e, Error::Unsupported);
        }
    }
    Some(repr)
}

// -------------------------------------------------------------------- IPv4

/// What an accepted IPv4 header tells the next layer.
#[derive(Debug, Clone, Copy)]
pub struct Ipv4Info {
    /// The parsed header.
    pub repr: Ipv4Repr,
    /// Header length (options included).
    pub header_len: usize,
    /// Total Length.
    pub total_len: usize,
}

/// IPv4 header. Returns the header when it parses as received (checksum
/// included). A header that fails only its checksum is also checked once
/// more with a freshly filled checksum, so the fuzzer reaches the rest.
pub fn check_ipv4(data: &[u8]) -> Option<Ipv4Info> {
    let info = ipv4_once(data);
    if info.is_none() {
        if let Ok(p) = Ipv4Packet::new_checked(data) {
            if !p.verify_checksum() {
                let mut fixed = data[..p.total_len()].to_vec();
                Ipv4Packet::new_unchecked(&mut fixed[..]).fill_checksum();
                let again = Ipv4Repr::parse(&Ipv4Packet::new_checked(&fixed[..]).unwrap());
                assert_ne!(again, Err(Error::BadChecksum), "ipv4: filled checksum");
                ipv4_once(&fixed);
            }
        }
    }
    info
}

fn ipv4_once(data: &[u8]) -> Option<Ipv4Info> {
    let packet = Ipv4Packet::new_checked(data).ok()?;
    let (hl, total) = (packet.header_len(), packet.total_len());
    assert!(
        (20..=60).contains(&hl) && hl <= total && total <= data.len(),
        "ipv4: lengths"
    );
    assert_eq!(packet.header().len(), hl);
    assert_eq!(packet.options().len(), hl - 20);
    assert_eq!(hl + packet.payload().len(), total, "ipv4: header + payload");

    // The option walk stays inside the options area.
    let mut used = 0usize;
    let mut bad = false;
    for o in packet.option_iter() {
        match o {
            Ok(o) => used += if o.kind == 1 { 1 } else { 2 + o.data.len() },
            Err(_) => bad = true,
        }
    }
    assert!(used <= hl - 20, "ipv4: options walk past the header");

    let repr = match Ipv4Repr::parse(&packet) {
        Ok(r) => r,
        Err(Error::BadChecksum) => {
            assert!(!packet.verify_checksum());
            return None;
        }
        Err(e) => {
            assert!(
                matches!(e, Error::BadFlags | Error::BadOption),
                "ipv4: unexpected error {e:?}"
            );
            assert!(
                e != Error::BadOption || bad,
                "ipv4: BadOption but the walk was clean"
            );
            return None;
        }
    };
    assert!(!bad, "ipv4: parsed despite a bad option");
    assert!(packet.verify_checksum());
    assert_eq!(repr.buffer_len(), hl, "ipv4: buffer_len");
    assert_eq!(repr.total_len(), total, "ipv4: total_len");
    assert_eq!(repr.payload_len, total - hl);

    // Re-emit the header over a copy of the packet: same bytes, and it
    // parses back to the same repr.
    let mut copy = data[..total].to_vec();
    repr.emit(&mut Ipv4Packet::new_unchecked(&mut copy[..]))
        .expect("a parsed header emits");
    assert_same_bytes("ipv4", &copy[..hl], &data[..hl], Some(10));
    let again = Ipv4Packet::new_checked(&copy[..]).expect("re-emitted header checks");
    assert_eq!(Ipv4Repr::parse(&again), Ok(repr), "ipv4: parse(emit(x))");

    // Forwarding: RFC 1624 TTL decrement equals a full recomputation.
    let mut fwd = copy.clone();
    let mut p = Ipv4Packet::new_unchecked(&mut fwd[..]);
    match p.decrement_ttl() {
        Some(ttl) => {
            assert_eq!(ttl, repr.ttl - 1);
            assert!(p.verify_checksum(), "ipv4: checksum after TTL decrement");
            let inc = p.checksum();
            p.fill_checksum();
            assert!(same_checksum(inc, p.checksum()), "ipv4: incremental TTL");
        }
        None => assert!(repr.ttl <= 1),
    }

    // NAT: rewrite both addresses; the header still verifies and the delta
    // moves a transport checksum over the old pseudo-header to the new one.
    let mut nat = copy.clone();
    let mut p = Ipv4Packet::new_unchecked(&mut nat[..]);
    let new_src = Ipv4Addr::from(u32::from(repr.src_addr).rotate_left(8) ^ 0x0a00_0001);
    let new_dst = Ipv4Addr::from(!u32::from(repr.dst_addr));
    let d = p
        .rewrite_src_addr(new_src)
        .combine(p.rewrite_dst_addr(new_dst));
    assert!(p.verify_checksum(), "ipv4: checksum after NAT rewrite");
    assert_eq!((p.src_addr(), p.dst_addr()), (new_src, new_dst));
    let old_pseudo = checksum::pseudo_header_v4(repr.src_addr, repr.dst_addr, IpProtocol::Udp, 8);
    let new_pseudo = checksum::pseudo_header_v4(new_src, new_dst, IpProtocol::Udp, 8);
    let old_ck = !checksum::fold(old_pseudo);
    assert!(
        same_checksum(d.apply(old_ck), !checksum::fold(new_pseudo)),
        "ipv4: NAT checksum delta"
    );

    Some(Ipv4Info {
        repr,
        header_len: hl,
        total_len: total,
    })
}

// -------------------------------------------------------------------- IPv6

/// What an accepted IPv6 packet tells the next layer.
#[derive(Debug, Clone, Copy)]
pub struct Ipv6Info {
    /// The fixed header.
    pub repr: Ipv6Repr,
    /// The end of the extension-header chain.
    pub upper: ipv6::UpperLayer,
    /// 40 + payload length.
    pub total_len: usize,
}

/// IPv6 fixed header, extension-header walk and Fragment header.
pub fn check_ipv6(data: &[u8]) -> Option<Ipv6Info> {
    // Any 8 bytes also exercise the Fragment header alone.
    if let Ok(h) = Ipv6FragmentHeader::new_checked(data) {
        check_fragment_header(&data[..8], &h);
    }
    let packet = Ipv6Packet::new_checked(data).ok()?;
    let repr = Ipv6Repr::parse(&packet).expect("a checked IPv6 packet parses");
    let total = packet.total_len();
    assert_eq!(total, 40 + repr.payload_len, "ipv6: total length");
    assert!(total <= data.len());
    assert_eq!(packet.payload().len(), repr.payload_len, "ipv6: payload");
    assert_eq!(repr.buffer_len(), 40);
    let mut out = [0u8; 40];
    repr.emit(&mut Ipv6Packet::new_unchecked(&mut out[..]))
        .expect("a parsed header emits");
    assert_same_bytes("ipv6", &out, &data[..40], None);

    // Walk the chain by hand and compare with upper_layer().
    let mut end = 40usize;
    let mut count = 0usize;
    let mut walk_err = None;
    let mut frag = None;
    for h in packet.ext_headers() {
        match h {
            Ok(h) => {
                check_ext_header(data, &h, end);
                end = h.offset + h.data.len();
                assert!(end <= total, "ipv6: extension header past the payload");
                count += 1;
                assert!(count <= ipv6::MAX_EXT_HEADERS);
                if let Some(f) = h.fragment() {
                    frag = Some((h.offset, f));
                }
            }
            Err(e) => walk_err = Some(e),
        }
    }
    let upper = match packet.upper_layer() {
        Ok(u) => {
            assert_eq!(walk_err, None, "ipv6: walk failed but upper_layer did not");
            assert_eq!(u.offset, end, "ipv6: upper-layer offset");
            assert_eq!(u.fragment, frag, "ipv6: fragment header");
            assert!(u.offset <= total);
            u
        }
        Err(e) => {
            assert_eq!(Some(e), walk_err, "ipv6: upper_layer error");
            return None;
        }
    };
    match packet.unfragmentable_part() {
        Ok(u) => {
            assert!(
                frag.is_none(),
                "ipv6: a fragment has no unfragmentable part"
            );
            assert!(
                40 <= u.len && u.len <= upper.offset,
                "ipv6: unfragmentable length"
            );
            assert!(u.next_header_field < u.len);
            assert_eq!(data[u.next_header_field], u8::from(u.next_header));
        }
        Err(e) => assert!(frag.is_some() && e == Error::Unsupported),
    }

    let mut fwd = data[..total].to_vec();
    let mut p = Ipv6Packet::new_unchecked(&mut fwd[..]);
    match p.decrement_hop_limit() {
        Some(h) => assert_eq!(h, repr.hop_limit - 1),
        None => assert!(repr.hop_limit <= 1),
    }
    Some(Ipv6Info {
        repr,
        upper,
        total_len: total,
    })
}

fn check_ext_header(data: &[u8], h: &ExtHeader<'_>, expect_at: usize) {
    assert_eq!(
        h.offset, expect_at,
        "ipv6: extension headers are contiguous"
    );
    assert!(
        h.data.len() >= 8 && h.data.len() % 8 == 0,
        "ipv6: header length"
    );
    assert_eq!(&data[h.offset..h.offset + h.data.len()], h.data);
    assert_eq!(h.data[0], u8::from(h.next_header));
    if matches!(h.kind, IpProtocol::HopByHop | IpProtocol::Ipv6Opts) {
        let body = h.body();
        let mut used = 0usize;
        for o in Ipv6OptionIter::new(body) {
            let Ok(o) = o else { break };
            used += match o {
                ipv6::Ipv6Option::Pad1 => 1,
                ipv6::Ipv6Option::PadN(n) => 2 + usize::from(n),
                ipv6::Ipv6Option::RouterAlert(_) => 4,
                ipv6::Ipv6Option::Unknown(_, d) => 2 + d.len(),
            };
        }
        assert!(used <= body.len(), "ipv6: options walk past the header");
    }
    if h.kind == IpProtocol::Ipv6Frag {
        assert_eq!(h.data.len(), 8);
        let f = h.fragment().expect("a Fragment header");
        let mut out = [0u8; 8];
        f.emit_into(&mut out).expect("8 bytes");
        assert_same_bytes("ipv6 fragment", &out, h.data, None);
    }
}

fn check_fragment_header(bytes: &[u8], h: &Ipv6FragmentHeader<&[u8]>) {
    let f = Ipv6FragmentRepr::parse(h);
    assert_eq!(f.buffer_len(), 8);
    let mut out = [0u8; 8];
    f.emit(&mut Ipv6FragmentHeader::new_unchecked(&mut out[..]))
        .expect("offset is 13 bits");
    assert_same_bytes("ipv6 fragment", &out, bytes, None);
    // A header built from the byte offset has the same fields, reserved
    // fields zero.
    let built = Ipv6FragmentRepr::new(f.next_header, f.byte_offset(), f.more_frags, f.ident)
        .expect("a 13-bit offset in 8-octet units");
    assert_eq!(
        (
            built.frag_offset,
            built.more_frags,
            built.ident,
            built.next_header
        ),
        (f.frag_offset, f.more_frags, f.ident, f.next_header)
    );
    assert_eq!(built.is_atomic(), f.is_atomic());
}

// --------------------------------------------------------------------- UDP

/// The IP addresses a datagram travels between (its pseudo-header).
#[derive(Debug, Clone, Copy)]
pub enum Addrs {
    /// IPv4 source and destination.
    V4(Ipv4Addr, Ipv4Addr),
    /// IPv6 source and destination.
    V6(Ipv6Addr, Ipv6Addr),
}

/// Split the `wire_udp` input layout into addresses and datagram.
pub fn split_udp_input(data: &[u8]) -> Option<(Addrs, &[u8])> {
    let (&family, rest) = data.split_first()?;
    if family % 2 == 0 {
        let s: [u8; 4] = rest.get(..4)?.try_into().ok()?;
        let d: [u8; 4] = rest.get(4..8)?.try_into().ok()?;
        Some((Addrs::V4(s.into(), d.into()), &rest[8..]))
    } else {
        let (s, d, dgram) = split_v6_addrs(rest)?;
        Some((Addrs::V6(s, d), dgram))
    }
}

/// A UDP datagram between `addrs`. Returns the repr and whether the received
/// checksum verifies (a zero checksum over IPv6 counts as not verified).
pub fn check_udp(addrs: Addrs, data: &[u8]) -> Option<(UdpRepr, bool)> {
    let packet = UdpPacket::new_checked(data).ok()?;
    let len = usize::from(packet.len());
    assert!(8 <= len && len <= data.len(), "udp: length");
    assert_eq!(8 + packet.payload().len(), len, "udp: header + payload");
    let repr = UdpRepr::parse(&packet).expect("a checked datagram parses");
    assert_eq!(repr.total_len(), len);
    let verified = match addrs {
        Addrs::V4(s, d) => {
            let ok = packet.verify_checksum_v4(s, d);
            assert_eq!(UdpRepr::parse_v4(&packet, s, d).is_ok(), ok);
            ok
        }
        Addrs::V6(s, d) => {
            let ok = packet.verify_checksum_v6(s, d, Ipv6ZeroChecksum::Reject);
            assert_eq!(
                UdpRepr::parse_v6(&packet, s, d, Ipv6ZeroChecksum::Reject).is_ok(),
                ok
            );
            if packet.checksum() == 0 {
                assert!(packet.verify_checksum_v6(s, d, Ipv6ZeroChecksum::Accept));
            }
            ok
        }
    };

    // Emit the header, copy the data, fill the checksum: it verifies, is
    // never zero, matches a received checksum that verified, and any
    // single-byte change is caught.
    let mut out = vec![0u8; len];
    repr.emit(&mut UdpPacket::new_unchecked(&mut out[..]))
        .expect("a parsed header emits");
    assert_eq!(out[..6], data[..6], "udp: re-emitted ports and length");
    assert_eq!(out[6..8], [0, 0], "udp: emit leaves the checksum zero");
    out[8..].copy_from_slice(packet.payload());
    let mut p = UdpPacket::new_unchecked(&mut out[..]);
    let received = packet.checksum();
    match addrs {
        Addrs::V4(s, d) => {
            p.fill_checksum_v4(s, d);
            assert!(p.verify_checksum_v4(s, d), "udp: filled v4 checksum");
        }
        Addrs::V6(s, d) => {
            p.fill_checksum_v6(s, d);
            assert!(p.verify_checksum_v6(s, d, Ipv6ZeroChecksum::Reject));
        }
    }
    let filled = p.checksum();
    assert_ne!(filled, 0, "udp: a computed zero is sent as 0xffff");
    if verified && received != 0 {
        assert!(same_checksum(filled, received), "udp: checksum differs");
    }
    // (Byte 0, a port byte: flipping a checksum byte could make it zero,
    // which over IPv4 means "no checksum".)
    let at = 0;
    out[at] ^= 0x01;
    let p = UdpPacket::new_unchecked(&out[..]);
    let still = match addrs {
        Addrs::V4(s, d) => p.verify_checksum_v4(s, d),
        Addrs::V6(s, d) => p.verify_checksum_v6(s, d, Ipv6ZeroChecksum::Reject),
    };
    assert!(!still, "udp: a changed byte went unnoticed");
    out[at] ^= 0x01;

    // NAT over IPv4: apply the delta of an address rewrite.
    if let Addrs::V4(s, d) = addrs {
        let new_src = Ipv4Addr::from(u32::from(s) ^ 0x0102_0304);
        let mut p = UdpPacket::new_unchecked(&mut out[..]);
        p.apply_checksum_delta(ChecksumDelta::from_addrs(s, new_src));
        assert!(p.verify_checksum_v4(new_src, d), "udp: NAT delta");
    }
    Some((repr, verified))
}

// ------------------------------------------------------------------ ICMPv4

/// An ICMPv4 message (the whole IPv4 payload). A message that fails only its
/// checksum is checked again with the checksum filled. Returns the type and
/// code of a message that parses as received.
pub fn check_icmpv4(data: &[u8]) -> Option<(u8, u8)> {
    let packet = Icmpv4Packet::new_checked(data).ok()?;
    match Icmpv4Repr::parse(&packet) {
        Ok(r) => {
            icmpv4_repr(data, &r);
            Some(r.type_code())
        }
        Err(e) => {
            assert_eq!(e, Error::BadChecksum, "icmpv4: unexpected error");
            assert!(!packet.verify_checksum());
            let mut fixed = data.to_vec();
            Icmpv4Packet::new_unchecked(&mut fixed[..]).fill_checksum();
            let p = Icmpv4Packet::new_checked(&fixed[..]).expect("same length");
            let r = Icmpv4Repr::parse(&p).expect("a filled checksum verifies");
            icmpv4_repr(&fixed, &r);
            None
        }
    }
}

fn icmpv4_repr(data: &[u8], r: &Icmpv4Repr<'_>) {
    assert_eq!(r.buffer_len(), data.len(), "icmpv4: length");
    assert_eq!(r.type_code(), (data[0], data[1]));
    let mut out = vec![0u8; r.buffer_len()];
    r.emit(&mut Icmpv4Packet::new_unchecked(&mut out[..]))
        .expect("buffer_len bytes");
    assert_same_bytes("icmpv4", &out, data, Some(2));
    let again = Icmpv4Packet::new_checked(&out[..]).expect("8 bytes");
    assert_eq!(
        Icmpv4Repr::parse(&again).as_ref(),
        Ok(r),
        "icmpv4: parse(emit(x))"
    );

    // Echo: the in-place reply (incremental checksum) equals the emitted
    // reply (full checksum).
    if let Ok(reply) = r.echo_reply() {
        let mut inplace = data.to_vec();
        Icmpv4Packet::new_unchecked(&mut inplace[..])
            .echo_reply_in_place()
            .expect("an echo request");
        let mut full = vec![0u8; reply.buffer_len()];
        reply
            .emit(&mut Icmpv4Packet::new_unchecked(&mut full[..]))
            .expect("buffer_len bytes");
        assert_same_bytes("icmpv4 echo reply", &inplace, &full, Some(2));
        assert!(Icmpv4Packet::new_unchecked(&inplace[..]).verify_checksum());
    }
}

// ------------------------------------------------------------ ICMPv6 / ND

/// An ICMPv6 message from `src` to `dst` (the whole IPv6 upper-layer
/// payload). A message that fails only its checksum is checked again with
/// the checksum filled.
pub fn check_icmpv6<'a>(src: Ipv6Addr, dst: Ipv6Addr, data: &'a [u8]) -> Option<Icmpv6Repr<'a>> {
    let packet = Icmpv6Packet::new_checked(data).ok()?;
    match icmpv6_once(src, dst, data) {
        Ok(r) => Some(r),
        Err(Error::BadChecksum) => {
            assert!(!packet.verify_checksum(src, dst));
            let mut fixed = data.to_vec();
            Icmpv6Packet::new_unchecked(&mut fixed[..]).fill_checksum(src, dst);
            let again = icmpv6_once(src, dst, &fixed);
            assert_ne!(
                again.err(),
                Some(Error::BadChecksum),
                "icmpv6: filled checksum"
            );
            None
        }
        Err(_) => None,
    }
}

fn icmpv6_once(src: Ipv6Addr, dst: Ipv6Addr, data: &[u8]) -> Result<Icmpv6Repr<'_>, Error> {
    let packet = Icmpv6Packet::new_checked(data)?;
    let r = Icmpv6Repr::parse(src, dst, &packet)?;
    assert!(packet.verify_checksum(src, dst));
    assert_eq!(r.buffer_len(), data.len(), "icmpv6: length");
    assert_eq!(u8::from(r.msg_type()), data[0]);
    let mut out = vec![0u8; r.buffer_len()];
    r.emit(src, dst, &mut Icmpv6Packet::new_unchecked(&mut out[..]))
        .expect("buffer_len bytes");
    assert_same_bytes("icmpv6", &out, data, Some(2));
    let again = Icmpv6Packet::new_checked(&out[..]).expect("8 bytes");
    let re = Icmpv6Repr::parse(src, dst, &again).expect("re-emitted message parses");
    assert_eq!(re, r, "icmpv6: parse(emit(x))");
    if let Icmpv6Repr::Ndisc(n) = r {
        check_ndisc_repr(src, dst, data, &n);
    }
    Ok(r)
}

/// A Neighbor Discovery message from `src` to `dst`, with the same
/// filled-checksum retry as [`check_icmpv6`].
pub fn check_ndp<'a>(src: Ipv6Addr, dst: Ipv6Addr, data: &'a [u8]) -> Option<NdiscRepr<'a>> {
    let packet = NdiscPacket::new_checked(data).ok()?;
    match NdiscRepr::parse(src, dst, &packet) {
        Ok(n) => {
            check_ndisc_repr(src, dst, data, &n);
            Some(n)
        }
        Err(Error::BadChecksum) => {
            assert!(!packet.verify_checksum(src, dst));
            let mut fixed = data.to_vec();
            NdiscPacket::new_unchecked(&mut fixed[..]).fill_checksum(src, dst);
            let p = NdiscPacket::new_checked(&fixed[..]).expect("same length");
            match NdiscRepr::parse(src, dst, &p) {
                Ok(n) => check_ndisc_repr(src, dst, &fixed, &n),
                Err(e) => assert_ne!(e, Error::BadChecksum, "ndp: filled checksum"),
            }
            None
        }
        Err(_) => {
            // The option walk explains option errors.
            None
        }
    }
}

fn check_ndisc_repr(src: Ipv6Addr, dst: Ipv6Addr, data: &[u8], n: &NdiscRepr<'_>) {
    assert_eq!(n.buffer_len(), data.len(), "ndp: length");
    // The options tile the options area exactly.
    let opts = n.options();
    let fixed = data.len() - opts.buffer_len();
    assert!(matches!(fixed, 8 | 16 | 24), "ndp: fixed part {fixed}");
    let mut at = fixed;
    for o in opts.iter() {
        let len = o.buffer_len();
        assert!(len >= 8 && len % 8 == 0, "ndp: option length");
        assert_eq!(data[at], o.option_type());
        assert_eq!(usize::from(data[at + 1]) * 8, len);
        let mut one = vec![0u8; len];
        assert_eq!(o.emit(&mut one), Ok(len));
        assert_same_bytes("ndp option", &one, &data[at..at + len], None);
        if let NdiscOption::SourceLinkLayerAddr(_) = o {
            assert!(opts.source_lladdr().is_some());
        }
        at += len;
    }
    assert_eq!(at, data.len(), "ndp: options end with the message");

    let mut out = vec![0u8; n.buffer_len()];
    n.emit(src, dst, &mut NdiscPacket::new_unchecked(&mut out[..]))
        .expect("buffer_len bytes");
    assert_same_bytes("ndp", &out, data, Some(2));
    let p = NdiscPacket::new_checked(&out[..]).expect("fixed part");
    assert_eq!(
        NdiscRepr::parse(src, dst, &p).as_ref(),
        Ok(n),
        "ndp: parse(emit(x))"
    );

    // As a whole frame (hop limit 255, no extension headers): emit, parse
    // back, and answer a solicitation.
    let mac = EthernetAddress([0x02, 0, 0, 0, 0x0a, 0x0b]);
    let frame = NdiscFrame::new(mac, EthernetAddress::BROADCAST, src, dst, *n);
    let mut buf = vec![0u8; frame.buffer_len()];
    assert_eq!(frame.emit(&mut buf), Ok(buf.len()), "ndp: frame emit");
    let parsed = NdiscFrame::parse(&buf).expect("an emitted ND frame parses");
    assert_eq!(parsed, frame, "ndp: frame round trip");
    let (ip, nd) = ndp::parse_ipv6(&buf[14..]).expect("IPv6 + ND");
    assert_eq!((ip, nd), (frame.ip, frame.ndisc));
    // A multicast source never parses (RFC 4291 §2.7), so every NS here
    // must be answerable with an NA the parser accepts.
    assert!(
        !src.is_multicast(),
        "ndp: NS from a multicast source parsed"
    );
    if let NdiscRepr::NeighborSolicit { target_addr, .. } = *n {
        let ours = EthernetAddress([0x02, 0, 0, 0, 0x0c, 0x0d]);
        let mut reply = [0u8; 128];
        let len = ndp::answer_solicit(&parsed, ours, false, &mut reply).expect("NS answered");
        let na = NdiscFrame::parse(&reply[..len]).expect("the answer parses");
        assert_eq!(na.ip.src_addr, target_addr);
        assert_eq!(na.eth.src_addr, ours);
        match na.ndisc {
            NdiscRepr::NeighborAdvert {
                flags,
                target_addr: t,
                options,
            } => {
                assert_eq!(t, target_addr);
                assert!(flags.override_());
                assert_eq!(flags.solicited(), !src.is_unspecified());
                assert_eq!(options.target_lladdr(), Some(ours));
            }
            other => panic!("ndp: answer is not an NA: {other:?}"),
        }
    }
}

// ------------------------------------------------------------------- VXLAN

/// A VXLAN header and what follows. Returns the repr and the inner frame.
pub fn check_vxlan(data: &[u8]) -> Option<(VxlanRepr, &[u8])> {
    let packet = VxlanPacket::new_checked(data).ok()?;
    assert_eq!(8 + packet.payload().len(), data.len(), "vxlan: lengths");
    let repr = match VxlanRepr::parse(&packet) {
        Ok(r) => r,
        Err(e) => {
            assert_eq!(e, Error::BadFlags);
            assert!(!packet.i_flag());
            return None;
        }
    };
    assert_eq!(repr.vni.get(), packet.vni_word() >> 8);
    assert_eq!(repr.buffer_len(), 8);
    let mut out = [0u8; 8];
    repr.emit(&mut VxlanPacket::new_unchecked(&mut out[..]))
        .expect("8 bytes");
    if packet.reserved_bits_set() {
        // Reserved bits are ignored on receipt and sent as zero.
        let mut cleared = [0u8; 8];
        cleared.copy_from_slice(&data[..8]);
        VxlanPacket::new_unchecked(&mut cleared[..]).clear_reserved();
        assert_same_bytes("vxlan (reserved cleared)", &out, &cleared, None);
        assert_ne!(&out[..], &data[..8]);
    } else {
        assert_same_bytes("vxlan", &out, &data[..8], None);
    }
    Some((repr, &data[8..]))
}

// --------------------------------------------------------------------- GRE

/// A GRE header and its payload (the whole IP payload, since the checksum
/// covers it). A packet that fails only its checksum is checked again with
/// the checksum filled.
pub fn check_gre(data: &[u8]) -> Option<(GreRepr, usize)> {
    let packet = GrePacket::new_checked(data).ok()?;
    let hl = packet.header_len();
    assert!(
        hl <= data.len() && hl % 4 == 0 && (4..=16).contains(&hl),
        "gre: header length"
    );
    assert_eq!(hl + packet.payload().len(), data.len(), "gre: lengths");
    match GreRepr::parse(&packet) {
        Ok(r) => {
            gre_repr(data, &r, hl, packet.reserved_bits_set());
            Some((r, hl))
        }
        Err(Error::BadChecksum) => {
            assert!(packet.checksum_present() && !packet.verify_checksum());
            let mut fixed = data.to_vec();
            GrePacket::new_unchecked(&mut fixed[..]).fill_checksum();
            let p = GrePacket::new_checked(&fixed[..]).expect("same header");
            let r = GreRepr::parse(&p).expect("a filled checksum verifies");
            gre_repr(&fixed, &r, hl, p.reserved_bits_set());
            None
        }
        Err(e) => {
            assert!(
                matches!(e, Error::BadFlags | Error::BadVersion),
                "gre: {e:?}"
            );
            None
        }
    }
}

fn gre_repr(data: &[u8], r: &GreRepr, hl: usize, reserved: bool) {
    assert_eq!(r.buffer_len(), hl, "gre: buffer_len");
    // Emit over a copy of the packet, fill the checksum if present.
    let mut out = data.to_vec();
    r.emit(&mut GrePacket::new_unchecked(&mut out[..]))
        .expect("header fits");
    let mut p = GrePacket::new_unchecked(&mut out[..]);
    if r.checksum {
        p.fill_checksum();
        assert!(p.verify_checksum(), "gre: filled checksum");
    }
    let again = GrePacket::new_checked(&out[..]).expect("re-emitted header checks");
    assert_eq!(GreRepr::parse(&again), Ok(*r), "gre: parse(emit(x))");
    assert!(
        !again.reserved_bits_set(),
        "gre: emit writes reserved bits as zero"
    );
    if !reserved {
        let ck = if r.checksum { Some(4) } else { None };
        assert_same_bytes("gre", &out[..hl], &data[..hl], ck);
    }
}

// -------------------------------------------------------------------- MPLS

/// An MPLS label stack and its payload. Returns the depth and stack length.
pub fn check_mpls(data: &[u8]) -> Option<(usize, usize)> {
    let packet = MplsPacket::new_checked(data).ok()?;
    let (depth, len) = (packet.depth(), packet.stack_len());
    assert!((1..=MAX_DEPTH).contains(&depth), "mpls: depth");
    assert_eq!(len, 4 * depth, "mpls: stack length");
    assert_eq!(len + packet.payload().len(), data.len(), "mpls: lengths");
    let entries: Vec<MplsRepr> = packet.entries().collect();
    assert_eq!(entries.len(), depth);
    for (i, e) in entries.iter().enumerate() {
        assert_eq!(e.bottom, i + 1 == depth, "mpls: S only on the bottom entry");
        assert!(e.tc <= 7 && e.label.get() <= 0x000f_ffff);
        let raw: [u8; 4] = data[4 * i..4 * i + 4].try_into().expect("4 bytes");
        assert_eq!(e.to_bytes(), raw, "mpls: entry re-encodes");
        assert_eq!(MplsRepr::from_bytes(raw), *e);
        assert_eq!(packet.entry(i), Some(*e));
    }
    assert_eq!(packet.entry(depth), None);
    assert_eq!(MplsRepr::parse(&packet), Ok(entries[0]));
    // The whole stack re-emits to the same bytes.
    let mut out = vec![0u8; len];
    assert_eq!(MplsRepr::emit_stack(&entries, &mut out), Ok(len));
    assert_same_bytes("mpls", &out, &data[..len], None);
    // The top entry alone, and a label-switching TTL decrement.
    let mut one = [0u8; 4];
    entries[0]
        .emit(&mut MplsPacket::new_unchecked(&mut one[..]))
        .expect("4 bytes");
    assert_eq!(one[..], data[..4]);
    let mut fwd = data.to_vec();
    let mut p = MplsPacket::new_checked(&mut fwd[..]).expect("same stack");
    match p.decrement_ttl() {
        Some(ttl) => {
            assert_eq!(ttl, entries[0].ttl - 1);
            assert_eq!(fwd[3], ttl);
            assert_eq!(fwd[..3], data[..3]);
            assert_eq!(fwd[4..], data[4..]);
        }
        None => assert!(entries[0].ttl <= 1),
    }
    Some((depth, len))
}

// ------------------------------------------------------------- whole frame

/// Byte accounting of one decoded frame, layer by layer, outermost first.
#[derive(Debug, Default, Clone)]
pub struct Decoded {
    /// (layer name, header length) for every header decoded.
    pub headers: Vec<(&'static str, usize)>,
    /// Bytes after the innermost header that no decoder looked into
    /// (application data, ICMP bodies, unknown protocols).
    pub data: usize,
    /// Bytes past a declared length (Ethernet padding and similar).
    pub padding: usize,
}

impl Decoded {
    /// Header bytes plus data plus padding.
    pub fn total(&self) -> usize {
        self.headers.iter().map(|h| h.1).sum::<usize>() + self.data + self.padding
    }
}

/// The receive path: Ethernet (+VLAN) then ARP, IPv4, IPv6 or MPLS (then
/// IP); IPv4/IPv6 carry UDP (VXLAN on port 4789), ICMPv4, ICMPv6/ND or GRE
/// (IPv4, IPv6, MPLS or Ethernet inside). Tunnels are decoded one level
/// deep: the inner packet goes through the same path. Every layer runs its own
/// invariant check; the returned accounting always adds up to the frame's
/// length (the caller asserts it).
pub fn decode_frame(data: &[u8], depth: usize, acc: &mut Decoded) {
    let Some((eth, hl)) = check_ethernet(data) else {
        acc.data += data.len();
        return;
    };
    acc.headers.push(("ethernet", hl));
    let payload = &data[hl..];
    match eth.ethertype {
        EtherType::Arp => match check_arp(payload) {
            Some(_) => {
                acc.headers.push(("arp", 28));
                acc.padding += payload.len() - 28;
            }
            None => acc.data += payload.len(),
        },
        EtherType::Ipv4 => decode_ipv4(payload, depth, acc),
        EtherType::Ipv6 => decode_ipv6(payload, depth, acc),
        EtherType::Mpls => decode_mpls(payload, depth, acc),
        _ => acc.data += payload.len(),
    }
}

/// An MPLS stack, then IPv4 or IPv6 by the version nibble (the payload has
/// no type field; an L3VPN label carries IP).
fn decode_mpls(data: &[u8], depth: usize, acc: &mut Decoded) {
    let Some((_, len)) = check_mpls(data) else {
        acc.data += data.len();
        return;
    };
    acc.headers.push(("mpls", len));
    let payload = &data[len..];
    match payload.first().map(|b| b >> 4) {
        Some(4) => decode_ipv4(payload, depth, acc),
        Some(6) => decode_ipv6(payload, depth, acc),
        _ => acc.data += payload.len(),
    }
}

fn decode_ipv4(data: &[u8], depth: usize, acc: &mut Decoded) {
    let Some(ip) = check_ipv4(data) else {
        acc.data += data.len();
        return;
    };
    acc.headers.push(("ipv4", ip.header_len));
    acc.padding += data.len() - ip.total_len;
    let payload = &data[ip.header_len..ip.total_len];
    let r = ip.repr;
    if r.more_frags || r.frag_offset != 0 {
        // A fragment: the upper layer is reassembled elsewhere.
        acc.data += payload.len();
        return;
    }
    let addrs = Addrs::V4(r.src_addr, r.dst_addr);
    match r.protocol {
        IpProtocol::Udp => decode_udp(addrs, payload, depth, acc),
        IpProtocol::Icmp => {
            if check_icmpv4(payload).is_some() {
                acc.headers.push(("icmpv4", 8));
                acc.data += payload.len() - 8;
            } else {
                acc.data += payload.len();
            }
        }
        IpProtocol::Gre => decode_gre(payload, depth, acc),
        _ => acc.data += payload.len(),
    }
}

fn decode_ipv6(data: &[u8], depth: usize, acc: &mut Decoded) {
    let Some(ip) = check_ipv6(data) else {
        acc.data += data.len();
        return;
    };
    let upper = ip.upper;
    acc.headers.push(("ipv6", 40));
    if upper.offset > 40 {
        acc.headers
            .push(("ipv6 extension headers", upper.offset - 40));
    }
    acc.padding += data.len() - ip.total_len;
    let payload = &data[upper.offset..ip.total_len];
    if upper.fragment.is_some_and(|(_, f)| !f.is_atomic()) {
        acc.data += payload.len();
        return;
    }
    let (s, d) = (ip.repr.src_addr, ip.repr.dst_addr);
    match upper.protocol {
        IpProtocol::Udp => decode_udp(Addrs::V6(s, d), payload, depth, acc),
        IpProtocol::Icmpv6 => match check_icmpv6(s, d, payload) {
            Some(Icmpv6Repr::Ndisc(n)) => {
                let opts = n.options().buffer_len();
                acc.headers.push(("ndp", payload.len() - opts));
                acc.headers.push(("ndp options", opts));
            }
            Some(_) => {
                acc.headers.push(("icmpv6", 8));
                acc.data += payload.len() - 8;
            }
            None => acc.data += payload.len(),
        },
        IpProtocol::Gre => decode_gre(payload, depth, acc),
        _ => acc.data += payload.len(),
    }
}

fn decode_udp(addrs: Addrs, data: &[u8], depth: usize, acc: &mut Decoded) {
    let Some((udp, verified)) = check_udp(addrs, data) else {
        acc.data += data.len();
        return;
    };
    acc.headers.push(("udp", 8));
    let len = udp.total_len();
    acc.padding += data.len() - len;
    let payload = &data[8..len];
    // The receive path drops a datagram whose checksum fails (zero is
    // accepted for VXLAN over IPv6, RFC 6935).
    let zero_v6 = matches!(addrs, Addrs::V6(..)) && data[6..8] == [0, 0];
    let ok = verified || zero_v6;
    if ok && udp.dst_port == VXLAN_PORT && depth == 0 {
        if let Some((_, inner)) = check_vxlan(payload) {
            acc.headers.push(("vxlan", 8));
            decode_frame(inner, depth + 1, acc);
            return;
        }
    }
    acc.data += payload.len();
}

/// GRE, then (one tunnel level deep, like VXLAN) IPv4, IPv6, MPLS or an
/// Ethernet frame by its Protocol Type.
fn decode_gre(data: &[u8], depth: usize, acc: &mut Decoded) {
    let Some((gre, hl)) = check_gre(data) else {
        acc.data += data.len();
        return;
    };
    acc.headers.push(("gre", hl));
    let payload = &data[hl..];
    if depth > 0 {
        acc.data += payload.len();
        return;
    }
    match gre.protocol {
        EtherType::Ipv4 => decode_ipv4(payload, depth + 1, acc),
        EtherType::Ipv6 => decode_ipv6(payload, depth + 1, acc),
        EtherType::Mpls => decode_mpls(payload, depth + 1, acc),
        EtherType::TransparentEthernet => decode_frame(payload, depth + 1, acc),
        _ => acc.data += payload.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed(target: &str, name: &str) -> Vec<u8> {
        let p = format!("{}/seeds/{target}/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
    }

    fn layers(frame: &[u8]) -> Vec<&'static str> {
        let mut acc = Decoded::default();
        decode_frame(frame, 0, &mut acc);
        assert_eq!(acc.total(), frame.len());
        acc.headers.iter().map(|h| h.0).collect()
    }

    /// The seeds reach the deepest layers, so the fuzzers start there.
    #[test]
    fn seeds_decode_to_the_innermost_layer() {
        let v4 = [
            "ethernet", "ipv4", "udp", "vxlan", "ethernet", "ipv4", "icmpv4",
        ];
        assert_eq!(layers(&seed("wire_frame", "vxlan_ipv4_icmp_0")), v4);
        let v6 = [
            "ethernet", "ipv6", "udp", "vxlan", "ethernet", "ipv4", "icmpv4",
        ];
        assert_eq!(layers(&seed("wire_frame", "vxlan_ipv6_3")), v6);
        let nd = ["ethernet", "ipv6", "ndp", "ndp options"];
        assert_eq!(layers(&seed("wire_frame", "ndp_2")), nd);
        assert_eq!(layers(&seed("wire_frame", "arp_1")), ["ethernet", "arp"]);
        let mpls = ["ethernet", "mpls", "ipv4", "udp"];
        assert_eq!(layers(&seed("wire_frame", "built_mpls_l3vpn")), mpls);
        let gre_mpls = ["ethernet", "ipv4", "gre", "mpls", "ipv4", "udp"];
        assert_eq!(layers(&seed("wire_frame", "built_gre_mpls")), gre_mpls);
        let gre_teb = ["ethernet", "ipv4", "gre", "ethernet", "arp"];
        assert_eq!(layers(&seed("wire_frame", "built_gre_teb")), gre_teb);
        for n in [
            "built_l3vpn_ipv4",
            "built_explicit_null_ipv6",
            "built_depth4",
        ] {
            assert!(check_mpls(&seed("wire_mpls", n)).is_some(), "{n}");
        }
        let frag = ["ethernet", "ipv6", "ipv6 extension headers"];
        assert_eq!(layers(&seed("wire_frame", "frag_ipv6_1")), frag);
        for (t, n) in [("wire_udp", "vxlan_ipv6_0"), ("wire_udp", "udp_ipv4_0")] {
            let s = seed(t, n);
            let (a, d) = split_udp_input(&s).unwrap();
            assert!(check_udp(a, d).unwrap().1, "{n}: checksum verifies");
        }
        let s = seed("wire_ndp", "ndp_0");
        let (src, dst, m) = split_v6_addrs(&s).unwrap();
        assert!(check_ndp(src, dst, m).is_some());
        assert!(check_icmpv4(&seed("wire_icmpv4", "reassembled_08b5")).is_some());
        let s = seed("wire_icmpv6", "reassembled_2bb8bd58");
        let (src, dst, m) = split_v6_addrs(&s).unwrap();
        assert!(check_icmpv6(src, dst, m).is_some());
        for n in ["built_ipv4", "built_teb_ck_key_seq", "built_ipv6_key"] {
            assert!(check_gre(&seed("wire_gre", n)).is_some(), "{n}");
        }
    }
}
