//! The fuzz seeds in `fuzz/seeds/TARGET/` are cut from the captured
//! fixtures at each target's layer (see `fuzz/src/lib.rs` for the input
//! layouts). This test recomputes them and fails if a committed seed is
//! missing or differs, so the seeds follow the fixtures.
//!
//! Regenerate after changing the fixtures:
//!
//! ```sh
//! VTEPD_WRITE_SEEDS=1 cargo test -p vtepd-wire --test fuzz_seeds
//! ```
//!
//! GRE and MPLS have no capture (this kernel has neither), so their seeds
//! are built with the crate's own emitters around captured payloads; that
//! is said in their file names (`built_*`). `wire_frame` also gets built
//! MPLS-over-Ethernet and GRE-over-IPv4 (MPLS and Ethernet inside) frames.

mod common;

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};

use vtepd_wire::ethernet::{EtherType, EthernetFrame, EthernetRepr, MAX_TAGS};
use vtepd_wire::gre::{GrePacket, GreRepr};
use vtepd_wire::ip::IpProtocol;
use vtepd_wire::ipv4::{Ipv4Packet, Ipv4Repr};
use vtepd_wire::ipv6::Ipv6Packet;
use vtepd_wire::mpls::{MplsLabel, MplsRepr};
use vtepd_wire::udp::UdpPacket;
use vtepd_wire::vxlan::VXLAN_PORT;

/// target -> seed name -> bytes.
type Seeds = BTreeMap<&'static str, BTreeMap<String, Vec<u8>>>;

fn add(seeds: &mut Seeds, target: &'static str, name: String, bytes: Vec<u8>) {
    let prev = seeds.entry(target).or_default().insert(name.clone(), bytes);
    assert!(prev.is_none(), "{target}/{name} twice");
}

fn v6_prefixed(src: Ipv6Addr, dst: Ipv6Addr, msg: &[u8]) -> Vec<u8> {
    let mut v = src.octets().to_vec();
    v.extend_from_slice(&dst.octets());
    v.extend_from_slice(msg);
    v
}

fn udp_v4_input(src: Ipv4Addr, dst: Ipv4Addr, dgram: &[u8]) -> Vec<u8> {
    let mut v = vec![0u8];
    v.extend_from_slice(&src.octets());
    v.extend_from_slice(&dst.octets());
    v.extend_from_slice(dgram);
    v
}

fn udp_v6_input(src: Ipv6Addr, dst: Ipv6Addr, dgram: &[u8]) -> Vec<u8> {
    let mut v = vec![1u8];
    v.extend_from_slice(&v6_prefixed(src, dst, dgram));
    v
}

/// The fragments of one datagram: (byte offset, data).
type Parts = Vec<(usize, Vec<u8>)>;

/// Fragments waiting for reassembly, by identification.
#[derive(Default)]
struct Frags {
    v4: BTreeMap<u16, (Ipv4Addr, Ipv4Addr, Parts)>,
    v6: BTreeMap<u32, (Ipv6Addr, Ipv6Addr, Parts)>,
}

fn join(mut parts: Parts) -> Vec<u8> {
    parts.sort_by_key(|p| p.0);
    let mut out = Vec::new();
    for (off, d) in parts {
        assert_eq!(off, out.len(), "fragments are contiguous");
        out.extend_from_slice(&d);
    }
    out
}

/// Cut one frame into per-layer seeds. `inner` is set for the frame inside
/// a VXLAN packet.
fn cut(seeds: &mut Seeds, frags: &mut Frags, tag: &str, frame: &[u8], inner: bool) {
    let eth = EthernetFrame::new_checked(frame).expect("fixture frame");
    let payload = &frame[eth.header_len()..];
    match eth.ethertype() {
        EtherType::Arp => add(seeds, "wire_arp", tag.to_string(), payload.to_vec()),
        EtherType::Ipv4 => {
            let ip = Ipv4Packet::new_checked(payload).expect("fixture IPv4");
            add(seeds, "wire_ipv4", tag.to_string(), payload.to_vec());
            let (s, d) = (ip.src_addr(), ip.dst_addr());
            let body = ip.payload();
            if ip.more_frags() || ip.frag_offset() != 0 {
                let e = frags.v4.entry(ip.ident()).or_insert((s, d, Vec::new()));
                e.2.push((usize::from(ip.frag_offset()), body.to_vec()));
                return;
            }
            match ip.protocol() {
                IpProtocol::Udp => {
                    add(seeds, "wire_udp", tag.to_string(), udp_v4_input(s, d, body));
                    let udp = UdpPacket::new_checked(body).expect("fixture UDP");
                    if udp.dst_port() == VXLAN_PORT && !inner {
                        let vx = udp.payload();
                        add(seeds, "wire_vxlan", tag.to_string(), vx.to_vec());
                        cut(seeds, frags, &format!("{tag}_inner"), &vx[8..], true);
                    }
                }
                IpProtocol::Icmp => {
                    add(seeds, "wire_icmpv4", tag.to_string(), body.to_vec());
                    // An ICMP error quotes an IPv4 header.
                    if body[0] == 3 || body[0] == 11 {
                        add(
                            seeds,
                            "wire_ipv4",
                            format!("{tag}_quoted"),
                            body[8..].to_vec(),
                        );
                    }
                }
                p => panic!("{tag}: unexpected protocol {p:?}"),
            }
        }
        EtherType::Ipv6 => {
            let ip = Ipv6Packet::new_checked(payload).expect("fixture IPv6");
            add(seeds, "wire_ipv6", tag.to_string(), payload.to_vec());
            let (s, d) = (ip.src_addr(), ip.dst_addr());
            let upper = ip.upper_layer().expect("fixture extension headers");
            let body = &payload[upper.offset..ip.total_len()];
            if let Some((_, f)) = upper.fragment {
                let e = frags.v6.entry(f.ident).or_insert((s, d, Vec::new()));
                e.2.push((f.byte_offset(), body.to_vec()));
                return;
            }
            match upper.protocol {
                IpProtocol::Udp => {
                    add(seeds, "wire_udp", tag.to_string(), udp_v6_input(s, d, body));
                    let udp = UdpPacket::new_checked(body).expect("fixture UDP");
                    if udp.dst_port() == VXLAN_PORT && !inner {
                        let vx = udp.payload();
                        add(seeds, "wire_vxlan", tag.to_string(), vx.to_vec());
                        cut(seeds, frags, &format!("{tag}_inner"), &vx[8..], true);
                    }
                }
                IpProtocol::Icmpv6 => {
                    add(
                        seeds,
                        "wire_icmpv6",
                        tag.to_string(),
                        v6_prefixed(s, d, body),
                    );
                    if (133..=136).contains(&body[0]) {
                        add(seeds, "wire_ndp", tag.to_string(), v6_prefixed(s, d, body));
                    }
                    if body[0] < 128 {
                        add(
                            seeds,
                            "wire_ipv6",
                            format!("{tag}_quoted"),
                            body[8..].to_vec(),
                        );
                    }
                }
                p => panic!("{tag}: unexpected next header {p:?}"),
            }
        }
        t => panic!("{tag}: unexpected EtherType {t:?}"),
    }
}

fn gre(repr: GreRepr, payload: &[u8]) -> Vec<u8> {
    let hl = repr.buffer_len();
    let mut b = vec![0u8; hl + payload.len()];
    let mut p = GrePacket::new_unchecked(&mut b[..]);
    repr.emit(&mut p).expect("GRE header");
    p.payload_mut().copy_from_slice(payload);
    p.fill_checksum();
    b
}

fn built_gre(seeds: &mut Seeds, name: &str, repr: GreRepr, payload: &[u8]) {
    add(
        seeds,
        "wire_gre",
        format!("built_{name}"),
        gre(repr, payload),
    );
}

/// An MPLS stack (labels top first, TTL 64) in front of `payload`.
fn mpls(labels: &[u32], payload: &[u8]) -> Vec<u8> {
    let entries: Vec<MplsRepr> = labels
        .iter()
        .map(|&l| MplsRepr {
            label: MplsLabel::new(l).expect("20-bit label"),
            tc: 0,
            bottom: false,
            ttl: 64,
        })
        .collect();
    let mut b = vec![0u8; 4 * labels.len() + payload.len()];
    let n = MplsRepr::emit_stack(&entries, &mut b).expect("stack");
    b[n..].copy_from_slice(payload);
    b
}

/// An untagged Ethernet frame (the fixtures' underlay MACs) around
/// `payload`.
fn ethernet(ethertype: EtherType, payload: &[u8]) -> Vec<u8> {
    let repr = EthernetRepr {
        src_addr: "02:00:00:00:00:01".parse().unwrap(),
        dst_addr: "02:00:00:00:00:02".parse().unwrap(),
        tags: [None; MAX_TAGS],
        ethertype,
    };
    let mut b = vec![0u8; 14 + payload.len()];
    repr.emit(&mut EthernetFrame::new_unchecked(&mut b[..]))
        .expect("header");
    b[14..].copy_from_slice(payload);
    b
}

/// An IPv4 packet 10.0.0.1 -> 10.0.0.2 carrying GRE.
fn ipv4_gre(gre: &[u8]) -> Vec<u8> {
    let repr = Ipv4Repr::new(
        Ipv4Addr::new(10, 0, 0, 1),
        Ipv4Addr::new(10, 0, 0, 2),
        IpProtocol::Gre,
        gre.len(),
        64,
    );
    let mut b = vec![0u8; repr.total_len()];
    repr.emit(&mut Ipv4Packet::new_unchecked(&mut b[..]))
        .expect("header");
    b[20..].copy_from_slice(gre);
    b
}

fn expected_seeds() -> Seeds {
    let mut seeds = Seeds::new();
    let mut frags = Frags::default();
    for name in common::fixture_names() {
        let pcap = common::fixture(&name);
        let stem = name.trim_end_matches(".pcap");
        for (i, frame) in pcap.frames.iter().enumerate() {
            let tag = format!("{stem}_{i}");
            add(&mut seeds, "wire_frame", tag.clone(), frame.clone());
            add(
                &mut seeds,
                "wire_ethernet",
                format!("fixture_{tag}"),
                frame.clone(),
            );
            cut(&mut seeds, &mut frags, &tag, frame, false);
        }
    }
    // Reassembled ICMP echoes from the fragment fixtures.
    for (id, (_, _, parts)) in std::mem::take(&mut frags.v4) {
        add(
            &mut seeds,
            "wire_icmpv4",
            format!("reassembled_{id:04x}"),
            join(parts),
        );
    }
    for (id, (s, d, parts)) in std::mem::take(&mut frags.v6) {
        let msg = join(parts);
        add(
            &mut seeds,
            "wire_icmpv6",
            format!("reassembled_{id:08x}"),
            v6_prefixed(s, d, &msg),
        );
    }

    // GRE around captured payloads: IPv4 with no options; Ethernet (TEB) with
    // checksum, key and sequence number; IPv6 with a key.
    let v4 = common::fixture("udp_ipv4.pcap").frames[0][14..].to_vec();
    let eth = common::fixture("arp.pcap").frames[0].clone();
    let v6 = common::fixture("udp_ipv6.pcap").frames[0][14..].to_vec();
    let plain = GreRepr {
        protocol: EtherType::Ipv4,
        checksum: false,
        key: None,
        sequence: None,
    };
    built_gre(&mut seeds, "ipv4", plain, &v4);
    let all = GreRepr {
        protocol: EtherType::TransparentEthernet,
        checksum: true,
        key: Some(100),
        sequence: Some(7),
    };
    built_gre(&mut seeds, "teb_ck_key_seq", all, &eth);
    let keyed = GreRepr {
        protocol: EtherType::Ipv6,
        checksum: false,
        key: Some(0x0102_0304),
        sequence: None,
    };
    built_gre(&mut seeds, "ipv6_key", keyed, &v6);
    let mpls_gre = GreRepr {
        protocol: EtherType::Mpls,
        checksum: false,
        key: None,
        sequence: None,
    };
    built_gre(&mut seeds, "mpls", mpls_gre, &mpls(&[16, 100_000], &v4));

    // MPLS: an L3VPN packet (transport label 16, VPN label 100000, IPv4), an
    // IPv6 Explicit NULL packet, and a deeper stack.
    let l3vpn = mpls(&[16, 100_000], &v4);
    add(
        &mut seeds,
        "wire_mpls",
        "built_l3vpn_ipv4".into(),
        l3vpn.clone(),
    );
    add(
        &mut seeds,
        "wire_mpls",
        "built_explicit_null_ipv6".into(),
        mpls(&[2], &v6),
    );
    add(
        &mut seeds,
        "wire_mpls",
        "built_depth4".into(),
        mpls(&[16, 17, 7, 1234], &v4),
    );

    // Whole frames through the tunnel paths of the receive decoder.
    add(
        &mut seeds,
        "wire_frame",
        "built_mpls_l3vpn".into(),
        ethernet(EtherType::Mpls, &l3vpn),
    );
    let g = gre(mpls_gre, &l3vpn);
    add(
        &mut seeds,
        "wire_frame",
        "built_gre_mpls".into(),
        ethernet(EtherType::Ipv4, &ipv4_gre(&g)),
    );
    let g = gre(all, &eth);
    add(
        &mut seeds,
        "wire_frame",
        "built_gre_teb".into(),
        ethernet(EtherType::Ipv4, &ipv4_gre(&g)),
    );
    seeds
}

fn seeds_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds")
}

#[test]
fn fuzz_seeds_match_the_fixtures() {
    let seeds = expected_seeds();
    // Every parser target has seeds.
    for t in [
        "wire_arp",
        "wire_ethernet",
        "wire_frame",
        "wire_gre",
        "wire_icmpv4",
        "wire_icmpv6",
        "wire_ipv4",
        "wire_ipv6",
        "wire_mpls",
        "wire_ndp",
        "wire_udp",
        "wire_vxlan",
    ] {
        assert!(
            seeds.get(t).is_some_and(|m| !m.is_empty()),
            "no seeds for {t}"
        );
    }
    let write = std::env::var_os("VTEPD_WRITE_SEEDS").is_some();
    let mut stale = Vec::new();
    for (target, files) in &seeds {
        let dir = seeds_dir().join(target);
        if write {
            std::fs::create_dir_all(&dir).expect("create seed dir");
        }
        for (name, bytes) in files {
            let path = dir.join(name);
            if write {
                std::fs::write(&path, bytes).expect("write seed");
            } else if std::fs::read(&path).ok().as_deref() != Some(&bytes[..]) {
                stale.push(format!("{target}/{name}"));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "fuzz seeds missing or stale: {stale:?}; run \
         VTEPD_WRITE_SEEDS=1 cargo test -p vtepd-wire --test fuzz_seeds"
    );
}
