//! The committed wire fixtures parse with the lab's pcap reader and hold
//! the frames their README promises (counts and EtherTypes).

use std::path::Path;

use vtepd_lab::pcap;

fn frames(name: &str) -> Vec<Vec<u8>> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../crates/wire/fixtures")
        .join(name);
    pcap::read(&p).unwrap_or_else(|e| panic!("{}: {e:#}", p.display()))
}

fn ethertype(f: &[u8]) -> u16 {
    u16::from_be_bytes([f[12], f[13]])
}

#[test]
fn fixtures_have_the_documented_frames() {
    for (name, count, et) in [
        ("vxlan_ipv4_icmp.pcap", 4, 0x0800),
        ("vxlan_ipv6.pcap", 4, 0x86dd),
        ("arp.pcap", 2, 0x0806),
        ("ndp.pcap", 3, 0x86dd),
        ("frag_ipv4.pcap", 6, 0x0800),
        ("frag_ipv6.pcap", 6, 0x86dd),
        ("udp_ipv4.pcap", 2, 0x0800),
        ("udp_ipv6.pcap", 2, 0x86dd),
    ] {
        let fs = frames(name);
        assert_eq!(fs.len(), count, "{name}");
        for f in &fs {
            assert!(f.len() >= 42, "{name}: runt frame");
            assert_eq!(ethertype(f), et, "{name}");
        }
    }
    // VXLAN over IPv4: UDP destination port 4789, VNI 100 in bytes 4..7 of
    // the VXLAN header, inner EtherType IPv4.
    for f in frames("vxlan_ipv4_icmp.pcap") {
        assert_eq!(f.len(), 148);
        assert_eq!(&f[36..38], &4789u16.to_be_bytes());
        assert_eq!(f[42], 0x08);
        assert_eq!(&f[46..49], &[0, 0, 100]);
        assert_eq!(ethertype(&f[50..]), 0x0800);
    }
    // ND: NS, NA, RA in that order (ICMPv6 types at 14 + 40).
    let nd: Vec<u8> = frames("ndp.pcap").iter().map(|f| f[54]).collect();
    assert_eq!(nd, vec![135, 136, 134]);
}
