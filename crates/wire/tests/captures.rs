//! Every frame of every capture in `crates/wire/fixtures/` (kernel traffic
//! recorded by the lab, see the README there) decodes completely with this
//! crate, every header re-emits from its repr to the captured bytes, and
//! each file shows the facts its README states.

mod common;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use vtepd_wire::arp::{ArpOperation, ArpPacket, ArpRepr};
use vtepd_wire::ethernet::{EtherType, EthernetAddress, EthernetFrame, EthernetRepr};
use vtepd_wire::icmpv4::{self, Icmpv4Packet, Icmpv4Repr};
use vtepd_wire::icmpv6::{DstUnreachable, Icmpv6Packet, Icmpv6Repr};
use vtepd_wire::ip::IpProtocol;
use vtepd_wire::ipv4::{Ipv4Packet, Ipv4Repr};
use vtepd_wire::ipv6::{self, Ipv6FragmentRepr, Ipv6Packet, Ipv6Repr};
use vtepd_wire::ndp::{self, NdiscFrame, NdiscOption, NdiscRepr};
use vtepd_wire::udp::{Ipv6ZeroChecksum, UdpPacket, UdpRepr};
use vtepd_wire::vxlan::{VxlanPacket, VxlanRepr, VXLAN_PORT};

// ------------------------------------------------------------------ decode

/// An ICMPv4 message, summarised (the repr borrows its packet view).
#[derive(Debug, Clone, PartialEq)]
struct Icmp4 {
    msg_type: u8,
    code: u8,
    /// Identifier and sequence number of an echo.
    echo: Option<(u16, u16)>,
    /// Echo data or the invoking datagram.
    data: Vec<u8>,
}

#[derive(Debug)]
enum Upper<'a> {
    Udp {
        repr: UdpRepr,
        checksum: u16,
        payload: &'a [u8],
        /// VNI and inner frame when the datagram is VXLAN.
        vxlan: Option<(VxlanRepr, Box<Frame<'a>>)>,
    },
    Icmpv4(Icmp4),
    Icmpv6(Icmpv6Repr<'a>),
    /// A fragment of a larger datagram: its data.
    Fragment(&'a [u8]),
}

#[derive(Debug)]
enum Net<'a> {
    Arp(ArpRepr),
    Ipv4 {
        repr: Ipv4Repr,
        header_len: usize,
        upper: Upper<'a>,
    },
    Ipv6 {
        repr: Ipv6Repr,
        fragment: Option<Ipv6FragmentRepr>,
        upper: Upper<'a>,
    },
}

#[derive(Debug)]
struct Frame<'a> {
    eth: EthernetRepr,
    net: Net<'a>,
    /// Bytes after the network layer's declared length.
    padding: usize,
}

/// Re-emit `emitted` header bytes must equal the captured ones exactly (the
/// kernel writes canonical checksums, so no zero-encoding slack is needed).
fn same(what: &str, emitted: &[u8], captured: &[u8]) {
    assert_eq!(emitted, captured, "{what}: re-emitted header differs");
}

/// Decode a whole frame: every layer must parse (checksums verified) and
/// re-emit to the captured bytes. Panics with `ctx` otherwise.
fn decode<'a>(ctx: &str, frame: &'a [u8]) -> Frame<'a> {
    let f = EthernetFrame::new_checked(frame).unwrap_or_else(|e| panic!("{ctx}: ethernet {e}"));
    let eth = EthernetRepr::parse(&f).unwrap();
    let hl = f.header_len();
    let mut out = vec![0u8; eth.buffer_len()];
    eth.emit(&mut EthernetFrame::new_unchecked(&mut out[..]))
        .unwrap();
    same(&format!("{ctx}: ethernet"), &out, &frame[..hl]);
    let payload = &frame[hl..];
    let (net, used) = match eth.ethertype {
        EtherType::Arp => {
            let p = ArpPacket::new_checked(payload).unwrap_or_else(|e| panic!("{ctx}: arp {e}"));
            let r = ArpRepr::parse(&p).unwrap();
            let mut out = [0u8; 28];
            r.emit(&mut ArpPacket::new_unchecked(&mut out[..])).unwrap();
            same(&format!("{ctx}: arp"), &out, &payload[..28]);
            (Net::Arp(r), 28)
        }
        EtherType::Ipv4 => decode_ipv4(ctx, payload),
        EtherType::Ipv6 => decode_ipv6(ctx, payload),
        t => panic!("{ctx}: unexpected EtherType {t:?}"),
    };
    Frame {
        eth,
        net,
        padding: payload.len() - used,
    }
}

fn decode_ipv4<'a>(ctx: &str, b: &'a [u8]) -> (Net<'a>, usize) {
    let p = Ipv4Packet::new_checked(b).unwrap_or_else(|e| panic!("{ctx}: ipv4 {e}"));
    let repr = Ipv4Repr::parse(&p).unwrap_or_else(|e| panic!("{ctx}: ipv4 {e}"));
    assert!(p.verify_checksum(), "{ctx}: IPv4 header checksum");
    let (hl, total) = (p.header_len(), p.total_len());
    assert_eq!(repr.total_len(), total);
    let mut out = b[..total].to_vec();
    repr.emit(&mut Ipv4Packet::new_unchecked(&mut out[..]))
        .unwrap();
    same(&format!("{ctx}: ipv4"), &out[..hl], &b[..hl]);
    let body = &b[hl..total];
    let upper = if repr.more_frags || repr.frag_offset != 0 {
        Upper::Fragment(body)
    } else {
        match repr.protocol {
            IpProtocol::Udp => decode_udp(
                ctx,
                body,
                |u| u.verify_checksum_v4(repr.src_addr, repr.dst_addr),
                |u| u.fill_checksum_v4(repr.src_addr, repr.dst_addr),
            ),
            IpProtocol::Icmp => Upper::Icmpv4(decode_icmpv4(ctx, body)),
            p => panic!("{ctx}: unexpected protocol {p:?}"),
        }
    };
    (
        Net::Ipv4 {
            repr,
            header_len: hl,
            upper,
        },
        total,
    )
}

fn decode_icmpv4(ctx: &str, msg: &[u8]) -> Icmp4 {
    let p = Icmpv4Packet::new_checked(msg).unwrap_or_else(|e| panic!("{ctx}: icmpv4 {e}"));
    let r = Icmpv4Repr::parse(&p).unwrap_or_else(|e| panic!("{ctx}: icmpv4 {e}"));
    assert!(p.verify_checksum(), "{ctx}: ICMP checksum");
    let mut out = vec![0u8; r.buffer_len()];
    r.emit(&mut Icmpv4Packet::new_unchecked(&mut out[..]))
        .unwrap();
    same(&format!("{ctx}: icmpv4"), &out, msg);
    let (msg_type, code) = r.type_code();
    let echo = match r {
        Icmpv4Repr::EchoRequest { ident, seq_no, .. }
        | Icmpv4Repr::EchoReply { ident, seq_no, .. } => Some((ident, seq_no)),
        _ => None,
    };
    Icmp4 {
        msg_type,
        code,
        echo,
        data: msg[8..].to_vec(),
    }
}

fn decode_ipv6<'a>(ctx: &str, b: &'a [u8]) -> (Net<'a>, usize) {
    let p = Ipv6Packet::new_checked(b).unwrap_or_else(|e| panic!("{ctx}: ipv6 {e}"));
    let repr = Ipv6Repr::parse(&p).unwrap();
    let total = p.total_len();
    let mut out = [0u8; 40];
    repr.emit(&mut Ipv6Packet::new_unchecked(&mut out[..]))
        .unwrap();
    same(&format!("{ctx}: ipv6"), &out, &b[..40]);
    let upper = p
        .upper_layer()
        .unwrap_or_else(|e| panic!("{ctx}: ipv6 chain {e}"));
    let fragment = upper.fragment.map(|(at, f)| {
        let mut out = [0u8; 8];
        f.emit_into(&mut out).unwrap();
        same(&format!("{ctx}: fragment header"), &out, &b[at..at + 8]);
        f
    });
    let body = &b[upper.offset..total];
    let (src, dst) = (repr.src_addr, repr.dst_addr);
    let up = if fragment.is_some_and(|f| !f.is_atomic()) {
        Upper::Fragment(body)
    } else {
        match upper.protocol {
            IpProtocol::Udp => decode_udp(
                ctx,
                body,
                |u| u.verify_checksum_v6(src, dst, Ipv6ZeroChecksum::Reject),
                |u| u.fill_checksum_v6(src, dst),
            ),
            IpProtocol::Icmpv6 => Upper::Icmpv6(decode_icmpv6(ctx, src, dst, body)),
            p => panic!("{ctx}: unexpected next header {p:?}"),
        }
    };
    (
        Net::Ipv6 {
            repr,
            fragment,
            upper: up,
        },
        total,
    )
}

fn decode_icmpv6<'a>(ctx: &str, src: Ipv6Addr, dst: Ipv6Addr, msg: &'a [u8]) -> Icmpv6Repr<'a> {
    let p = Icmpv6Packet::new_checked(msg).unwrap_or_else(|e| panic!("{ctx}: icmpv6 {e}"));
    assert!(p.verify_checksum(src, dst), "{ctx}: ICMPv6 checksum");
    let r = Icmpv6Repr::parse(src, dst, &p).unwrap_or_else(|e| panic!("{ctx}: icmpv6 {e}"));
    let mut out = vec![0u8; r.buffer_len()];
    r.emit(src, dst, &mut Icmpv6Packet::new_unchecked(&mut out[..]))
        .unwrap();
    same(&format!("{ctx}: icmpv6"), &out, msg);
    r
}

fn decode_udp<'a>(
    ctx: &str,
    b: &'a [u8],
    verify: impl Fn(&UdpPacket<&[u8]>) -> bool,
    fill: impl Fn(&mut UdpPacket<&mut [u8]>),
) -> Upper<'a> {
    let u = UdpPacket::new_checked(b).unwrap_or_else(|e| panic!("{ctx}: udp {e}"));
    let repr = UdpRepr::parse(&u).unwrap();
    assert_eq!(repr.total_len(), b.len(), "{ctx}: UDP length = IP payload");
    assert!(verify(&u), "{ctx}: UDP checksum");
    let checksum = u.checksum();
    // Re-emit header + data and fill the checksum: the captured datagram.
    let mut out = vec![0u8; repr.total_len()];
    repr.emit(&mut UdpPacket::new_unchecked(&mut out[..]))
        .unwrap();
    out[8..].copy_from_slice(u.payload());
    if checksum != 0 {
        fill(&mut UdpPacket::new_unchecked(&mut out[..]));
    }
    same(&format!("{ctx}: udp"), &out, b);
    let payload = &b[8..];
    let vxlan = (repr.dst_port == VXLAN_PORT).then(|| {
        let v = VxlanPacket::new_checked(payload).unwrap_or_else(|e| panic!("{ctx}: vxlan {e}"));
        assert!(
            !v.reserved_bits_set(),
            "{ctx}: Linux sends zero reserved bits"
        );
        let r = VxlanRepr::parse(&v).unwrap();
        let mut out = [0u8; 8];
        r.emit(&mut VxlanPacket::new_unchecked(&mut out[..]))
            .unwrap();
        same(&format!("{ctx}: vxlan"), &out, &payload[..8]);
        let inner = decode(&format!("{ctx} inner"), &payload[8..]);
        (r, Box::new(inner))
    });
    Upper::Udp {
        repr,
        checksum,
        payload,
        vxlan,
    }
}

/// The pair `(a, b)` as (source, destination) of a frame: as given for a
/// request, swapped for a reply.
fn toward<T>(request: bool, (a, b): (T, T)) -> (T, T) {
    if request {
        (a, b)
    } else {
        (b, a)
    }
}

fn frames(name: &str) -> Vec<Vec<u8>> {
    common::fixture(name).frames
}

fn mac(s: &str) -> EthernetAddress {
    s.parse().unwrap()
}

fn v4(s: &str) -> Ipv4Addr {
    s.parse().unwrap()
}

fn v6(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

// ------------------------------------------------------------------- tests

#[test]
fn every_frame_of_every_capture_decodes_and_reemits() {
    let expected = [
        ("arp.pcap", 2),
        ("frag_ipv4.pcap", 6),
        ("frag_ipv6.pcap", 6),
        ("ndp.pcap", 3),
        ("udp_ipv4.pcap", 2),
        ("udp_ipv6.pcap", 2),
        ("vxlan_ipv4_icmp.pcap", 4),
        ("vxlan_ipv6.pcap", 4),
    ];
    let names = common::fixture_names();
    for (name, count) in expected {
        assert!(names.iter().any(|n| n == name), "fixture {name} missing");
        assert_eq!(frames(name).len(), count, "{name}: frame count");
    }
    // Every capture in the directory, including any added later.
    for name in &names {
        let fs = frames(name);
        assert!(!fs.is_empty(), "{name}: no frames");
        for (i, f) in fs.iter().enumerate() {
            let d = decode(&format!("{name}#{i}"), f);
            // Captured at the sender side of a veth: no Ethernet padding.
            assert_eq!(d.padding, 0, "{name}#{i}: padding");
            assert!(d.eth.src_addr.is_unicast(), "{name}#{i}: source MAC");
        }
    }
}

/// The IPv4 header and ICMP message of the inner frame of VXLAN frame `#i`.
fn inner_icmpv4(i: usize, inner: Frame<'_>) -> (Ipv4Repr, Icmp4) {
    let Net::Ipv4 {
        repr,
        upper: Upper::Icmpv4(icmp),
        ..
    } = inner.net
    else {
        panic!("#{i}: inner is not IPv4 ICMP")
    };
    (repr, icmp)
}

#[test]
fn vxlan_ipv4_icmp() {
    let fs = frames("vxlan_ipv4_icmp.pcap");
    let mut echo_ident = None;
    for (i, f) in fs.iter().enumerate() {
        assert_eq!(f.len(), 148, "#{i}: outer frame length");
        let d = decode("vxlan_ipv4_icmp", f);
        let request = i % 2 == 0;
        let (s, t) = toward(
            request,
            (mac("02:00:00:00:00:01"), mac("02:00:00:00:00:02")),
        );
        assert_eq!((d.eth.src_addr, d.eth.dst_addr), (s, t), "#{i}: outer MACs");
        assert_eq!(d.eth.tag_count(), 0);
        let Net::Ipv4 {
            repr: ip,
            header_len,
            upper,
        } = d.net
        else {
            panic!("#{i}: outer is not IPv4")
        };
        let (s, t) = toward(request, (v4("10.0.0.1"), v4("10.0.0.2")));
        assert_eq!((ip.src_addr, ip.dst_addr), (s, t), "#{i}: VTEP addresses");
        assert_eq!(ip.protocol, IpProtocol::Udp);
        assert_eq!(header_len, 20);
        assert_eq!(ip.total_len(), 134);
        assert!(!ip.more_frags && ip.frag_offset == 0);
        let Upper::Udp {
            repr: udp,
            checksum,
            vxlan,
            payload,
        } = upper
        else {
            panic!("#{i}: not UDP")
        };
        assert_eq!(udp.dst_port, VXLAN_PORT, "#{i}: UDP destination port");
        assert_eq!(udp.dst_port, 4789);
        assert_eq!(udp.total_len(), 114);
        assert_ne!(checksum, 0, "#{i}: README: outer UDP checksum non-zero");
        assert_eq!(payload[0], 0x08, "#{i}: VXLAN flags");
        let (vx, inner) = vxlan.expect("VXLAN");
        assert_eq!(vx.vni.get(), 100, "#{i}: VNI");
        // 14 + 20 + 8 + 8 outer bytes, then the inner frame.
        assert_eq!(14 + 20 + 8 + 8 + 98, f.len());
        let (s, t) = toward(
            request,
            (mac("02:00:00:00:01:01"), mac("02:00:00:00:01:02")),
        );
        assert_eq!(
            (inner.eth.src_addr, inner.eth.dst_addr),
            (s, t),
            "#{i}: inner MACs"
        );
        let (iip, icmp) = inner_icmpv4(i, *inner);
        let (s, t) = toward(request, (v4("192.168.100.1"), v4("192.168.100.2")));
        assert_eq!((iip.src_addr, iip.dst_addr), (s, t), "#{i}: host addresses");
        assert_eq!(iip.total_len(), 84);
        let want = if request {
            icmpv4::TYPE_ECHO_REQUEST
        } else {
            icmpv4::TYPE_ECHO_REPLY
        };
        assert_eq!((icmp.msg_type, icmp.code), (want, 0), "#{i}: ICMP type");
        let (ident, seq) = icmp.echo.expect("echo");
        assert_eq!(seq as usize, i / 2 + 1, "#{i}: sequence number");
        assert_eq!(*echo_ident.get_or_insert(ident), ident, "#{i}: one ping");
        // 56 data bytes after the 8-byte ICMP header (ping's default).
        assert_eq!(icmp.data.len(), 56, "#{i}: echo data");
    }
    // Each reply carries its request's data.
    let data = |i: usize| {
        let d = decode("", &fs[i]);
        match d.net {
            Net::Ipv4 {
                upper:
                    Upper::Udp {
                        vxlan: Some((_, inner)),
                        ..
                    },
                ..
            } => inner_icmpv4(i, *inner).1.data,
            _ => unreachable!(),
        }
    };
    assert_eq!(data(0), data(1));
    assert_eq!(data(2), data(3));
}

#[test]
fn vxlan_ipv6() {
    for (i, f) in frames("vxlan_ipv6.pcap").iter().enumerate() {
        assert_eq!(f.len(), 168, "#{i}: outer frame length");
        let d = decode("vxlan_ipv6", f);
        let request = i % 2 == 0;
        let Net::Ipv6 {
            repr: ip,
            fragment,
            upper,
        } = d.net
        else {
            panic!("#{i}: outer is not IPv6")
        };
        let (s, t) = toward(request, (v6("fd00::1"), v6("fd00::2")));
        assert_eq!((ip.src_addr, ip.dst_addr), (s, t), "#{i}: VTEP addresses");
        assert_eq!(
            ip.next_header,
            IpProtocol::Udp,
            "#{i}: no extension headers"
        );
        assert_eq!(ip.payload_len, 114);
        assert!(fragment.is_none());
        let Upper::Udp {
            repr: udp,
            checksum,
            vxlan,
            ..
        } = upper
        else {
            panic!("#{i}: not UDP")
        };
        assert_eq!(udp.dst_port, 4789);
        // Mandatory over IPv6 here (verified under Reject in decode).
        assert_ne!(checksum, 0, "#{i}: UDP checksum present");
        let (vx, inner) = vxlan.expect("VXLAN");
        assert_eq!(vx.vni.get(), 200, "#{i}: VNI");
        let (iip, icmp) = inner_icmpv4(i, *inner);
        let (s, t) = toward(request, (v4("192.168.200.1"), v4("192.168.200.2")));
        assert_eq!((iip.src_addr, iip.dst_addr), (s, t));
        let want = if request { 8 } else { 0 };
        assert_eq!(icmp.msg_type, want, "#{i}: echo request/reply");
        assert_eq!(icmp.echo.map(|e| e.1), Some(i as u16 / 2 + 1));
    }
}

#[test]
fn arp_request_then_reply() {
    let fs = frames("arp.pcap");
    let h1 = mac("02:00:00:00:01:01");
    let h2 = mac("02:00:00:00:01:02");
    let d = decode("arp#0", &fs[0]);
    assert_eq!(fs[0].len(), 42);
    assert_eq!(
        (d.eth.src_addr, d.eth.dst_addr),
        (h1, EthernetAddress::BROADCAST)
    );
    let Net::Arp(req) = d.net else {
        panic!("not ARP")
    };
    assert_eq!(
        req,
        ArpRepr::request(h1, v4("192.168.100.1"), v4("192.168.100.2")),
        "who-has 192.168.100.2 tell 192.168.100.1"
    );
    let d = decode("arp#1", &fs[1]);
    assert_eq!(fs[1].len(), 42);
    assert_eq!((d.eth.src_addr, d.eth.dst_addr), (h2, h1), "unicast reply");
    let Net::Arp(rep) = d.net else {
        panic!("not ARP")
    };
    assert_eq!(rep.operation, ArpOperation::Reply);
    assert_eq!(rep.source_hardware_addr, h2, "192.168.100.2 is-at h2");
    assert_eq!(rep.source_protocol_addr, v4("192.168.100.2"));
    assert_eq!(rep.target_hardware_addr, h1);
    assert_eq!(rep.target_protocol_addr, v4("192.168.100.1"));
    // ARP suppression answers exactly as the kernel did, byte for byte.
    assert_eq!(req.reply(h2), Ok(rep));
    let mut out = [0u8; 64];
    let n = req.emit_reply_frame(h2, &mut out).unwrap();
    assert_eq!(&out[..n], &fs[1][..], "suppression reply = kernel reply");
    let mut inplace = fs[0][14..].to_vec();
    ArpPacket::new_checked(&mut inplace[..])
        .unwrap()
        .reply_in_place(h2)
        .unwrap();
    assert_eq!(&inplace[..], &fs[1][14..]);
}

#[test]
fn ndp_solicit_advert_router_advert() {
    let fs = frames("ndp.pcap");
    let h1 = mac("02:00:00:00:01:01");
    let h2 = mac("02:00:00:00:01:02");
    let h1_ip = v6("fd00:100::1");
    let h2_ip = v6("fd00:100::ff:fe00:102");
    let ip = |i: usize| {
        let d = decode("ndp", &fs[i]);
        match d.net {
            Net::Ipv6 {
                repr,
                fragment: None,
                upper: Upper::Icmpv6(Icmpv6Repr::Ndisc(n)),
            } => (d.eth, repr, n),
            other => panic!("ndp#{i}: not ND: {other:?}"),
        }
    };

    // Neighbor Solicitation h2 -> solicited-node group of h1's address.
    let (eth, ns_ip, ns) = ip(0);
    assert_eq!((eth.src_addr, eth.dst_addr), (h2, mac("33:33:ff:00:00:01")));
    assert_eq!(
        eth.dst_addr,
        EthernetAddress::from_ipv6_multicast(ns_ip.dst_addr)
    );
    assert_eq!(
        (ns_ip.src_addr, ns_ip.dst_addr),
        (h2_ip, v6("ff02::1:ff00:1"))
    );
    assert_eq!(ns_ip.dst_addr, ipv6::solicited_node(h1_ip));
    assert_eq!(ns_ip.hop_limit, 255);
    let NdiscRepr::NeighborSolicit {
        target_addr,
        options,
        reserved,
    } = ns
    else {
        panic!("not an NS: {ns:?}")
    };
    assert_eq!((target_addr, reserved), (h1_ip, 0));
    assert_eq!(options.source_lladdr(), Some(h2));
    assert_eq!(options.iter().count(), 1);

    // Neighbor Advertisement h1 -> h2: S and O, not R, target LL option.
    let (eth, na_ip, na) = ip(1);
    assert_eq!((eth.src_addr, eth.dst_addr), (h1, h2));
    assert_eq!((na_ip.src_addr, na_ip.dst_addr), (h1_ip, h2_ip));
    assert_eq!(na_ip.hop_limit, 255);
    let NdiscRepr::NeighborAdvert {
        flags,
        target_addr,
        options,
    } = na
    else {
        panic!("not an NA: {na:?}")
    };
    assert_eq!(target_addr, h1_ip);
    assert!(flags.solicited() && flags.override_() && !flags.router());
    assert_eq!(options.target_lladdr(), Some(h1));
    // ND suppression answers this NS with the kernel's NA, byte for byte.
    let ns_frame = NdiscFrame::parse(&fs[0]).unwrap();
    let mut out = [0u8; 128];
    let n = ndp::answer_solicit(&ns_frame, h1, false, &mut out).unwrap();
    assert_eq!(&out[..n], &fs[1][..], "suppression NA = kernel NA");

    // Router Advertisement from zebra, link-local -> all-nodes.
    let (eth, ra_ip, ra) = ip(2);
    assert_eq!((eth.src_addr, eth.dst_addr), (h1, mac("33:33:00:00:00:01")));
    assert_eq!(ra_ip.src_addr, v6("fe80::ff:fe00:101"));
    assert_eq!(ra_ip.src_addr, ipv6::link_local_from_mac(h1));
    assert_eq!(ra_ip.dst_addr, ipv6::LINK_LOCAL_ALL_NODES);
    assert_eq!(ra_ip.hop_limit, 255);
    let NdiscRepr::RouterAdvert {
        cur_hop_limit,
        flags,
        router_lifetime,
        reachable_time,
        retrans_timer,
        options,
    } = ra
    else {
        panic!("not an RA: {ra:?}")
    };
    assert_eq!(cur_hop_limit, 64);
    assert!(!flags.managed() && !flags.other());
    assert_eq!((router_lifetime, reachable_time, retrans_timer), (3, 0, 0));
    assert_eq!(options.source_lladdr(), Some(h1));
    let prefixes: Vec<_> = options.prefixes().collect();
    assert_eq!(prefixes.len(), 1);
    let p = prefixes[0];
    assert_eq!((p.prefix, p.prefix_len), (v6("fd00:100::"), 64));
    assert!(p.flags.on_link() && p.flags.autonomous());
    assert_eq!(
        (p.valid_lifetime, p.preferred_lifetime),
        (2_592_000, 604_800)
    );
    // Options in wire order: prefix information, then source LL address.
    let kinds: Vec<u8> = options.iter().map(|o| o.option_type()).collect();
    assert_eq!(kinds, [3, 1]);
    assert!(matches!(
        options.iter().last(),
        Some(NdiscOption::SourceLinkLayerAddr(m)) if m == h1
    ));
}

/// The fragments of one datagram, as (fragment offset in bytes, more
/// fragments, IP length, data).
struct Frag {
    offset: usize,
    more: bool,
    ip_len: usize,
    data: Vec<u8>,
}

fn reassemble(frags: &[Frag]) -> Vec<u8> {
    let mut out = Vec::new();
    for (k, f) in frags.iter().enumerate() {
        assert_eq!(
            f.offset,
            out.len(),
            "fragment {k} starts where the last ended"
        );
        assert_eq!(f.more, k + 1 < frags.len(), "fragment {k}: MF/M");
        out.extend_from_slice(&f.data);
    }
    out
}

/// One reassembled datagram of a fragmentation capture.
struct Datagram<A> {
    /// Source and destination.
    addrs: (A, A),
    /// Fragment offsets in bytes.
    offsets: Vec<usize>,
    /// IP lengths of the fragments (total length / payload length).
    lens: Vec<usize>,
    /// The reassembled upper-layer message.
    msg: Vec<u8>,
}

/// The datagrams of `frag_ipv4.pcap` / `frag_ipv6.pcap`: a request and its
/// reply, three fragments each. `fragment` checks one frame and returns its
/// identification, addresses and fragment; every fragment of a datagram
/// must carry the same identification, and the fragments must reassemble.
fn fragmented<A: Copy>(
    fs: &[Vec<u8>],
    fragment: impl Fn(&[u8]) -> (u32, (A, A), Frag),
) -> Vec<Datagram<A>> {
    let mut datagrams = Vec::new();
    for half in fs.chunks(3) {
        let mut ident = None;
        let mut parts = Vec::new();
        let mut addrs = None;
        for f in half {
            let (id, a, part) = fragment(f);
            assert_eq!(*ident.get_or_insert(id), id, "one datagram");
            addrs = Some(a);
            parts.push(part);
        }
        datagrams.push(Datagram {
            addrs: addrs.unwrap(),
            offsets: parts.iter().map(|p| p.offset).collect(),
            lens: parts.iter().map(|p| p.ip_len).collect(),
            msg: reassemble(&parts),
        });
    }
    datagrams
}

#[test]
fn frag_ipv4_offsets_and_lengths_add_up() {
    let fs = frames("frag_ipv4.pcap");
    let datagrams = fragmented(&fs, |f| {
        let d = decode("frag_ipv4", f);
        let Net::Ipv4 {
            repr,
            header_len,
            upper: Upper::Fragment(data),
        } = d.net
        else {
            panic!("not an IPv4 fragment")
        };
        assert_eq!(repr.protocol, IpProtocol::Icmp);
        assert!(!repr.dont_frag);
        assert_eq!(header_len, 20);
        let part = Frag {
            offset: usize::from(repr.frag_offset),
            more: repr.more_frags,
            ip_len: repr.total_len(),
            data: data.to_vec(),
        };
        (u32::from(repr.ident), (repr.src_addr, repr.dst_addr), part)
    });
    for d in &datagrams {
        assert_eq!(d.offsets, [0, 1424, 2848]);
        assert_eq!(d.lens, [1444, 1444, 180]);
        // MTU 1450 on h1 eth0: 1444 is the largest multiple-of-8 payload.
        assert!(d.lens.iter().all(|&l| l <= 1450));
        assert_eq!(d.msg.len(), 8 + 3000, "ICMP header + ping -s 3000");
    }
    let h1 = v4("192.168.100.1");
    let h2 = v4("192.168.100.2");
    assert_eq!(datagrams[0].addrs, (h1, h2));
    assert_eq!(datagrams[1].addrs, (h2, h1));
    // The reassembled messages verify and are an echo request and its reply.
    let req = decode_icmpv4("reassembled request", &datagrams[0].msg);
    let rep = decode_icmpv4("reassembled reply", &datagrams[1].msg);
    assert_eq!((req.msg_type, rep.msg_type), (8, 0));
    assert_eq!(req.echo, rep.echo);
    assert_eq!(req.data.len(), 3000);
    assert_eq!(req.data, rep.data);
}

#[test]
fn frag_ipv6_offsets_and_lengths_add_up() {
    let fs = frames("frag_ipv6.pcap");
    let msgs = fragmented(&fs, |f| {
        let d = decode("frag_ipv6", f);
        let Net::Ipv6 {
            repr,
            fragment: Some(frag),
            upper: Upper::Fragment(data),
        } = d.net
        else {
            panic!("not an IPv6 fragment")
        };
        assert_eq!(
            repr.next_header,
            IpProtocol::Ipv6Frag,
            "Fragment header first"
        );
        assert_eq!(frag.next_header, IpProtocol::Icmpv6);
        assert_eq!((frag.reserved, frag.res), (0, 0));
        assert_eq!(data.len() + 8, repr.payload_len, "fragment header + data");
        let part = Frag {
            offset: frag.byte_offset(),
            more: frag.more_frags,
            ip_len: repr.payload_len,
            data: data.to_vec(),
        };
        (frag.ident, (repr.src_addr, repr.dst_addr), part)
    });
    for d in &msgs {
        assert_eq!(d.offsets, [0, 1400, 2800]);
        assert_eq!(d.lens, [1408, 1408, 216], "payload lengths");
        assert_eq!(d.msg.len(), 8 + 3000, "ICMPv6 header + ping -s 3000");
    }
    let (h1, h2) = (v6("fd00:100::1"), v6("fd00:100::2"));
    assert_eq!(msgs[0].addrs, (h1, h2));
    assert_eq!(msgs[1].addrs, (h2, h1));
    let [(s0, d0), (s1, d1)] = [msgs[0].addrs, msgs[1].addrs];
    let req = decode_icmpv6("reassembled request", s0, d0, &msgs[0].msg);
    let rep = decode_icmpv6("reassembled reply", s1, d1, &msgs[1].msg);
    match (req, rep) {
        (
            Icmpv6Repr::EchoRequest {
                ident: a,
                seq_no: sa,
                data: da,
            },
            Icmpv6Repr::EchoReply {
                ident: b,
                seq_no: sb,
                data: db,
            },
        ) => {
            assert_eq!((a, sa), (b, sb));
            assert_eq!(da.len(), 3000);
            assert_eq!(da, db);
        }
        other => panic!("not an echo pair: {other:?}"),
    }
}

/// The source and destination addresses and the upper layer of an IPv4
/// or IPv6 packet.
fn ip_upper<'a>(ctx: &str, net: Net<'a>) -> (IpAddr, IpAddr, Upper<'a>) {
    match net {
        Net::Ipv4 { repr, upper, .. } => (repr.src_addr.into(), repr.dst_addr.into(), upper),
        Net::Ipv6 { repr, upper, .. } => (repr.src_addr.into(), repr.dst_addr.into(), upper),
        Net::Arp(_) => panic!("{ctx}: not IP"),
    }
}

/// The two frames of `udp_ipv4.pcap` / `udp_ipv6.pcap` (`name`): frame 0 is
/// a UDP datagram from `h1` to `h2` port 9999 carrying `hello-vtepd` with a
/// non-zero checksum, frame 1 comes back from `h2` to `h1`. Returns the IP
/// packet frame 0 sent and the upper layer of frame 1.
fn udp_then_reply<'a>(
    name: &str,
    fs: &'a [Vec<u8>],
    h1: IpAddr,
    h2: IpAddr,
) -> (&'a [u8], Upper<'a>) {
    let ctx = format!("{name}#0");
    let (src, dst, upper) = ip_upper(&ctx, decode(&ctx, &fs[0]).net);
    let Upper::Udp {
        repr,
        checksum,
        payload,
        vxlan: None,
    } = upper
    else {
        panic!("{ctx}: not UDP")
    };
    assert_eq!((src, dst), (h1, h2), "{ctx}: addresses");
    assert_eq!(repr.dst_port, 9999);
    assert_eq!(payload, b"hello-vtepd");
    assert_ne!(checksum, 0, "{ctx}: UDP checksum present");
    let ctx = format!("{name}#1");
    let (src, dst, reply) = ip_upper(&ctx, decode(&ctx, &fs[1]).net);
    assert_eq!((src, dst), (h2, h1), "{ctx}: addresses");
    (&fs[0][14..], reply)
}

#[test]
fn udp_ipv4_and_port_unreachable() {
    let fs = frames("udp_ipv4.pcap");
    let (h1, h2) = (v4("192.168.100.1"), v4("192.168.100.2"));
    let (sent, reply) = udp_then_reply("udp_ipv4", &fs, h1.into(), h2.into());
    let Net::Ipv4 { repr: ip, .. } = decode("udp_ipv4#0", &fs[0]).net else {
        panic!("not IPv4")
    };
    assert!(ip.dont_frag, "DF set");
    let Upper::Icmpv4(icmp) = reply else {
        panic!("not ICMP")
    };
    assert_eq!((icmp.msg_type, icmp.code), (3, 3), "port unreachable");
    // The error quotes the whole datagram (it is short), which parses again.
    assert_eq!(icmp.data, sent);
    let quoted = Ipv4Packet::new_checked(&icmp.data[..]).unwrap();
    assert_eq!(Ipv4Repr::parse(&quoted).unwrap().protocol, IpProtocol::Udp);
}

#[test]
fn udp_ipv6_and_port_unreachable() {
    let fs = frames("udp_ipv6.pcap");
    let (h1, h2) = (v6("fd00:100::1"), v6("fd00:100::2"));
    let (sent, reply) = udp_then_reply("udp_ipv6", &fs, h1.into(), h2.into());
    let Upper::Icmpv6(icmp) = reply else {
        panic!("not ICMPv6")
    };
    let Icmpv6Repr::DstUnreachable {
        reason, invoking, ..
    } = icmp
    else {
        panic!("not destination unreachable: {icmp:?}")
    };
    assert_eq!(reason, DstUnreachable::PortUnreachable, "type 1 code 4");
    assert_eq!(invoking, sent, "quotes the whole datagram");
}
