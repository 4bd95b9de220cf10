//! `vtepd decode`: print every layer of captured frames as vtepd's own
//! `wire` crate sees them (Ethernet, 802.1Q, ARP, IPv4, IPv6 with extension
//! headers, UDP, ICMP, ND, VXLAN, GRE, MPLS). A malformed layer is printed
//! with the error that stopped the decoder; nothing here panics on input.

use std::fmt::Write as _;
use std::net::{Ipv4Addr, Ipv6Addr};

use vtepd_wire::{
    ndp, ArpPacket, ArpRepr, EtherType, EthernetFrame, GrePacket, Icmpv4Packet, Icmpv6Message,
    Icmpv6Packet, IpProtocol, Ipv4Packet, Ipv6Packet, MplsPacket, NdiscPacket, UdpPacket,
    VxlanPacket, VXLAN_PORT,
};

/// Deepest nesting followed (VXLAN in VXLAN in GRE ...), so that a crafted
/// frame cannot recurse without bound.
const MAX_DEPTH: usize = 8;

/// Decode one Ethernet frame into indented lines, one per layer.
pub fn frame(data: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    ethernet(data, 0, &mut out);
    out
}

fn push(out: &mut Vec<String>, depth: usize, line: String) {
    out.push(format!("{}{}", "  ".repeat(depth), line));
}

fn ethernet(data: &[u8], depth: usize, out: &mut Vec<String>) {
    if depth > MAX_DEPTH {
        push(out, depth, "(nesting too deep, stopped)".into());
        return;
    }
    let f = match EthernetFrame::new_checked(data) {
        Ok(f) => f,
        Err(e) => return push(out, depth, format!("ethernet: {e} ({} bytes)", data.len())),
    };
    let mut line = format!("ethernet {} > {}", f.src_addr(), f.dst_addr());
    for i in 0..f.tag_count() {
        if let Some(t) = f.tag(i) {
            let _ = write!(line, " vlan {} (pcp {})", t.vid, t.pcp);
        }
    }
    let _ = write!(line, " type {:?}, {} bytes", f.ethertype(), data.len());
    push(out, depth, line);
    ethertype(f.ethertype(), f.payload(), depth + 1, out);
}

fn ethertype(t: EtherType, payload: &[u8], depth: usize, out: &mut Vec<String>) {
    match t {
        EtherType::Ipv4 => ipv4(payload, depth, out),
        EtherType::Ipv6 => ipv6(payload, depth, out),
        EtherType::Arp => arp(payload, depth, out),
        EtherType::Mpls => mpls(payload, depth, out),
        EtherType::TransparentEthernet => ethernet(payload, depth, out),
        other => push(
            out,
            depth,
            format!("payload {:?}: {} bytes", other, payload.len()),
        ),
    }
}

fn arp(data: &[u8], depth: usize, out: &mut Vec<String>) {
    let repr = ArpPacket::new_checked(data).and_then(|p| ArpRepr::parse(&p));
    match repr {
        Ok(r) => {
            let line = match r.operation {
                vtepd_wire::ArpOperation::Request => format!(
                    "arp request who-has {} tell {} ({})",
                    r.target_protocol_addr, r.source_protocol_addr, r.source_hardware_addr
                ),
                vtepd_wire::ArpOperation::Reply => format!(
                    "arp reply {} is-at {} (to {} {})",
                    r.source_protocol_addr,
                    r.source_hardware_addr,
                    r.target_protocol_addr,
                    r.target_hardware_addr
                ),
                vtepd_wire::ArpOperation::Unknown(op) => format!("arp operation {op}"),
            };
            push(out, depth, line)
        }
        Err(e) => push(out, depth, format!("arp: {e}")),
    }
}

fn ipv4(data: &[u8], depth: usize, out: &mut Vec<String>) {
    let p = match Ipv4Packet::new_checked(data) {
        Ok(p) => p,
        Err(e) => return push(out, depth, format!("ipv4: {e}")),
    };
    let csum = if p.verify_checksum() { "ok" } else { "BAD" };
    let mut line = format!(
        "ipv4 {} > {} proto {:?} ttl {} len {} id {:#06x} checksum {csum}",
        p.src_addr(),
        p.dst_addr(),
        p.protocol(),
        p.ttl(),
        p.total_len(),
        p.ident()
    );
    if p.dont_frag() {
        line.push_str(" DF");
    }
    if p.is_fragment() {
        let _ = write!(
            line,
            " fragment offset {}{}",
            u32::from(p.frag_offset()),
            if p.more_frags() { " MF" } else { "" }
        );
    }
    push(out, depth, line);
    if p.is_fragment() && p.frag_offset() != 0 {
        push(
            out,
            depth + 1,
            format!("fragment data: {} bytes", p.payload().len()),
        );
        return;
    }
    let (src, dst) = (p.src_addr(), p.dst_addr());
    l4(
        p.protocol(),
        p.payload(),
        Addrs::V4(src, dst),
        depth + 1,
        out,
    );
}

fn ipv6(data: &[u8], depth: usize, out: &mut Vec<String>) {
    let p = match Ipv6Packet::new_checked(data) {
        Ok(p) => p,
        Err(e) => return push(out, depth, format!("ipv6: {e}")),
    };
    push(
        out,
        depth,
        format!(
            "ipv6 {} > {} next {:?} hop limit {} payload {} flow {:#07x}",
            p.src_addr(),
            p.dst_addr(),
            p.next_header(),
            p.hop_limit(),
            p.payload_len(),
            p.flow_label()
        ),
    );
    for h in p.ext_headers() {
        match h {
            Ok(h) => {
                let mut line = format!(
                    "ext header {:?} at {} ({} bytes)",
                    h.kind,
                    h.offset,
                    h.data.len()
                );
                if let Some(f) = h.fragment() {
                    let _ = write!(
                        line,
                        ": id {:#x} offset {}{}",
                        f.ident,
                        f.byte_offset(),
                        if f.more_frags { " M" } else { "" }
                    );
                }
                push(out, depth + 1, line);
            }
            Err(e) => return push(out, depth + 1, format!("extension headers: {e}")),
        }
    }
    let upper = match p.upper_layer() {
        Ok(u) => u,
        Err(e) => return push(out, depth + 1, format!("extension headers: {e}")),
    };
    let body = p.packet().get(upper.offset..).unwrap_or(&[]);
    if upper.is_later_fragment() {
        push(
            out,
            depth + 1,
            format!("fragment data: {} bytes", body.len()),
        );
        return;
    }
    l4(
        upper.protocol,
        body,
        Addrs::V6(p.src_addr(), p.dst_addr()),
        depth + 1,
        out,
    );
}

#[derive(Clone, Copy)]
enum Addrs {
    V4(Ipv4Addr, Ipv4Addr),
    V6(Ipv6Addr, Ipv6Addr),
}

fn l4(proto: IpProtocol, data: &[u8], addrs: Addrs, depth: usize, out: &mut Vec<String>) {
    match proto {
        IpProtocol::Udp => udp(data, addrs, depth, out),
        IpProtocol::Icmp => icmpv4(data, depth, out),
        IpProtocol::Icmpv6 => match addrs {
            Addrs::V6(s, d) => icmpv6(data, s, d, depth, out),
            Addrs::V4(..) => push(out, depth, "icmpv6 inside IPv4: not decoded".into()),
        },
        IpProtocol::Gre => gre(data, depth, out),
        other => push(out, depth, format!("{:?}: {} bytes", other, data.len())),
    }
}

fn udp(data: &[u8], addrs: Addrs, depth: usize, out: &mut Vec<String>) {
    let p = match UdpPacket::new_checked(data) {
        Ok(p) => p,
        Err(e) => return push(out, depth, format!("udp: {e}")),
    };
    let csum = if p.checksum() == 0 {
        "none"
    } else {
        let ok = match addrs {
            Addrs::V4(s, d) => p.verify_checksum_v4(s, d),
            Addrs::V6(s, d) => p.verify_checksum_v6(s, d, vtepd_wire::Ipv6ZeroChecksum::Accept),
        };
        if ok {
            "ok"
        } else {
            "BAD"
        }
    };
    push(
        out,
        depth,
        format!(
            "udp {} > {} len {} checksum {csum}",
            p.src_port(),
            p.dst_port(),
            p.len()
        ),
    );
    if p.dst_port() == VXLAN_PORT {
        vxlan(p.payload(), depth + 1, out);
    }
}

fn vxlan(data: &[u8], depth: usize, out: &mut Vec<String>) {
    let p = match VxlanPacket::new_checked(data) {
        Ok(p) => p,
        Err(e) => return push(out, depth, format!("vxlan: {e}")),
    };
    push(
        out,
        depth,
        format!(
            "vxlan vni {} flags {:#04x}{}",
            p.vni().get(),
            p.flags(),
            if p.i_flag() {
                ""
            } else {
                " (I flag clear: invalid)"
            }
        ),
    );
    if p.i_flag() {
        ethernet(p.payload(), depth + 1, out);
    }
}

fn icmpv4(data: &[u8], depth: usize, out: &mut Vec<String>) {
    match Icmpv4Packet::new_checked(data) {
        Ok(p) => {
            let csum = if p.verify_checksum() { "ok" } else { "BAD" };
            let mut line = format!(
                "icmp type {} code {} checksum {csum}",
                p.msg_type(),
                p.msg_code()
            );
            match p.msg_type() {
                0 | 8 => {
                    let _ = write!(
                        line,
                        " echo {} id {} seq {}",
                        if p.msg_type() == 8 {
                            "request"
                        } else {
                            "reply"
                        },
                        p.echo_ident(),
                        p.echo_seq_no()
                    );
                }
                3 if p.msg_code() == 4 => {
                    let _ = write!(line, " fragmentation needed, mtu {}", p.next_hop_mtu());
                }
                _ => {}
            }
            push(out, depth, line);
        }
        Err(e) => push(out, depth, format!("icmp: {e}")),
    }
}

fn icmpv6(data: &[u8], src: Ipv6Addr, dst: Ipv6Addr, depth: usize, out: &mut Vec<String>) {
    let p = match Icmpv6Packet::new_checked(data) {
        Ok(p) => p,
        Err(e) => return push(out, depth, format!("icmpv6: {e}")),
    };
    let csum = if p.verify_checksum(src, dst) {
        "ok"
    } else {
        "BAD"
    };
    let ty = p.msg_type();
    let mut line = format!("icmpv6 {:?} code {} checksum {csum}", ty, p.msg_code());
    match ty {
        Icmpv6Message::EchoRequest | Icmpv6Message::EchoReply => {
            let _ = write!(line, " id {} seq {}", p.echo_ident(), p.echo_seq_no());
        }
        Icmpv6Message::PacketTooBig => {
            let _ = write!(line, " mtu {}", p.mtu());
        }
        _ => {}
    }
    push(out, depth, line);
    if matches!(
        ty,
        Icmpv6Message::RouterSolicit
            | Icmpv6Message::RouterAdvert
            | Icmpv6Message::NeighborSolicit
            | Icmpv6Message::NeighborAdvert
    ) {
        match NdiscPacket::new_checked(data) {
            Ok(n) => {
                let mut line = String::from("nd");
                if matches!(
                    ty,
                    Icmpv6Message::NeighborSolicit | Icmpv6Message::NeighborAdvert
                ) {
                    let _ = write!(line, " target {}", n.target_addr());
                }
                if matches!(ty, Icmpv6Message::NeighborAdvert) {
                    let f = n.neighbor_flags();
                    let _ = write!(
                        line,
                        " flags [{}{}{}]",
                        if f.router() { "R" } else { "" },
                        if f.solicited() { "S" } else { "" },
                        if f.override_() { "O" } else { "" }
                    );
                }
                if matches!(ty, Icmpv6Message::RouterAdvert) {
                    let _ = write!(
                        line,
                        " lifetime {}s flags {:?}",
                        n.router_lifetime(),
                        n.router_flags()
                    );
                }
                push(out, depth + 1, line);
                for o in n.option_iter() {
                    match o {
                        Ok(o) => push(out, depth + 2, format!("option {o:?}")),
                        Err(e) => {
                            push(out, depth + 2, format!("options: {e}"));
                            break;
                        }
                    }
                }
            }
            Err(e) => push(out, depth + 1, format!("nd: {e}")),
        }
    }
    let _ = ndp::parse_ipv6; // the full-frame validator is used by the dataplane
}

fn gre(data: &[u8], depth: usize, out: &mut Vec<String>) {
    match GrePacket::new_checked(data) {
        Ok(p) => {
            push(out, depth, format!("gre protocol {:?}", p.protocol_type()));
            ethertype(p.protocol_type(), p.payload(), depth + 1, out);
        }
        Err(e) => push(out, depth, format!("gre: {e}")),
    }
}

fn mpls(data: &[u8], depth: usize, out: &mut Vec<String>) {
    match MplsPacket::new_checked(data) {
        Ok(p) => push(out, depth, format!("mpls {p:?}")),
        Err(e) => push(out, depth, format!("mpls: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!(
            "{}/../../crates/wire/fixtures/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn decodes_captured_vxlan_to_the_inner_icmp() {
        let file = fixture("vxlan_ipv4_icmp.pcap");
        let recs = crate::pcap::records(&file).unwrap();
        assert_eq!(recs.len(), 4);
        let lines = frame(recs[0].data);
        let text = lines.join("\n");
        assert!(text.contains("udp "), "{text}");
        assert!(text.contains("> 4789"), "{text}");
        assert!(text.contains("vxlan vni 100"), "{text}");
        assert!(
            text.contains("icmp type 8 code 0 checksum ok echo request"),
            "{text}"
        );
        assert!(!text.contains("BAD"), "{text}");
        // The inner Ethernet is nested under VXLAN.
        assert!(
            lines.iter().any(|l| l.starts_with("        ethernet ")),
            "{text}"
        );
    }

    #[test]
    fn decodes_nd_and_fragments() {
        let file = fixture("ndp.pcap");
        let text: Vec<String> = crate::pcap::records(&file)
            .unwrap()
            .iter()
            .flat_map(|r| frame(r.data))
            .collect();
        let text = text.join("\n");
        assert!(text.contains("NeighborSolicit"), "{text}");
        assert!(text.contains("RouterAdvert"), "{text}");
        let file = fixture("frag_ipv6.pcap");
        let text: Vec<String> = crate::pcap::records(&file)
            .unwrap()
            .iter()
            .flat_map(|r| frame(r.data))
            .collect();
        let text = text.join("\n");
        assert!(text.contains("Ipv6Frag"), "{text}");
        assert!(text.contains("fragment data"), "{text}");
    }

    #[test]
    fn every_truncation_of_every_fixture_decodes_without_panic() {
        for name in [
            "vxlan_ipv4_icmp.pcap",
            "vxlan_ipv6.pcap",
            "arp.pcap",
            "ndp.pcap",
            "frag_ipv4.pcap",
        ] {
            let file = fixture(name);
            for r in crate::pcap::records(&file).unwrap() {
                for n in 0..=r.data.len() {
                    let lines = frame(&r.data[..n]);
                    assert!(!lines.is_empty());
                }
            }
        }
    }
}
