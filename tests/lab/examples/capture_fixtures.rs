//! Capture the packet fixtures of the `vtepd-wire` crate from real kernel
//! traffic in a namespace lab.
//!
//! Regenerate (as root, with the lab's packages and `ethtool` installed)
//! with:
//!
//! ```text
//! CARGO_TARGET_DIR=/work/target-lab cargo run -p vtepd-lab --example capture_fixtures
//! ```
//!
//! It writes into `crates/wire/fixtures/` (or the directory given as the
//! first argument). Each file is a classic little-endian pcap with link type
//! Ethernet and a handful of frames, timestamps normalised to 0 s + i µs so
//! a re-run only changes what the kernel changes (IP IDs, checksums, VXLAN
//! source ports). `crates/wire/fixtures/README.md` describes each file.
//!
//! Topology (kernel only, no control plane; static VXLAN flood entries):
//!
//! ```text
//!  h1 (eth0 192.168.100.1 fd00:100::1)          h2 (eth0 .2 ::2)
//!     (eth1 192.168.200.1)                          (eth1 .2)
//!       |            |                                |        |
//!  vtep1: br100 (vxlan100, IPv4 underlay)      vtep2: br100 ...
//!         br200 (vxlan200, IPv6 underlay)             br200 ...
//!       u0 10.0.0.1 fd00::1  ------------------  u0 10.0.0.2 fd00::2
//! ```
//!
//! zebra (FRR) runs in h1 only to send router advertisements on eth0.

use std::path::{Path, PathBuf};
use std::time::Duration;

use vtepd_lab::{pcap, Capture, Lab, Netns, Result, Veth, Vxlan};

const T: Duration = Duration::from_secs(20);

// --- minimal, bounds-checked frame inspection for selecting frames ---

fn ethertype(f: &[u8]) -> Option<u16> {
    Some(u16::from_be_bytes(f.get(12..14)?.try_into().ok()?))
}

/// (IP protocol / next header, L4 offset) of an untagged IPv4/IPv6 frame at
/// `l3` (no IPv6 extension headers followed).
fn l4(f: &[u8], l3: usize, ethertype: u16) -> Option<(u8, usize)> {
    match ethertype {
        0x0800 => {
            let ihl = usize::from(f.get(l3)? & 0x0f) * 4;
            Some((*f.get(l3 + 9)?, l3 + ihl))
        }
        0x86dd => Some((*f.get(l3 + 6)?, l3 + 40)),
        _ => None,
    }
}

/// The inner Ethernet frame of a VXLAN-in-UDP frame (IPv4 or IPv6 outer).
fn vxlan_inner(f: &[u8]) -> Option<&[u8]> {
    let (proto, off) = l4(f, 14, ethertype(f)?)?;
    if proto != 17 || f.get(off + 2..off + 4)? != 4789u16.to_be_bytes() {
        return None;
    }
    f.get(off + 16..)
}

/// Is `f` an ICMP (v4) or ICMPv6 frame of one of `types`?
fn is_icmp(f: &[u8], types: &[u8]) -> bool {
    let Some(et) = ethertype(f) else { return false };
    match l4(f, 14, et) {
        Some((1, off)) if et == 0x0800 => f.get(off).is_some_and(|t| types.contains(t)),
        Some((58, off)) => f.get(off).is_some_and(|t| types.contains(t)),
        _ => false,
    }
}

fn arp_op(f: &[u8]) -> Option<u16> {
    (ethertype(f)? == 0x0806).then_some(())?;
    Some(u16::from_be_bytes(f.get(20..22)?.try_into().ok()?))
}

/// Run `action` while capturing on `at` = (namespace, interface, tcpdump
/// filter), wait until `select` picks `want` frames from what was captured,
/// and save those frames as `name`.
fn fixture(
    out: &Path,
    name: &str,
    at: (&Netns, &str, &str),
    action: impl FnOnce() -> Result<()>,
    want: usize,
    select: impl Fn(&[Vec<u8>]) -> Vec<Vec<u8>>,
) -> Result<()> {
    let (ns, ifname, filter) = at;
    let cap: Capture = ns.capture(ifname, filter, None)?;
    action()?;
    cap.wait_frames(&format!("{want} frames for {name}"), T, |f| {
        select(f).len() >= want
    })?;
    let frames: Vec<Vec<u8>> = select(&cap.frames()?).into_iter().take(want).collect();
    drop(cap);
    pcap::write(out.join(name), &frames)?;
    println!("{name}: {} frames", frames.len());
    Ok(())
}

fn main() -> Result<()> {
    let out: PathBuf = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../crates/wire/fixtures")
        });
    std::fs::create_dir_all(&out)?;

    let lab = Lab::new()?;
    let v1 = lab.netns("vtep1")?;
    let v2 = lab.netns("vtep2")?;
    let h1 = lab.netns("h1")?;
    let h2 = lab.netns("h2")?;
    let _u = Veth::pair(&v1, "u0", &v2, "u0")
        .mac_a("02:00:00:00:00:01")
        .mac_b("02:00:00:00:00:02")
        .addrs_a(&["10.0.0.1/24", "fd00::1/64"])
        .addrs_b(&["10.0.0.2/24", "fd00::2/64"])
        .create()?;
    let mut keep = Vec::new();
    for (vtep, host, n, other) in [(&v1, &h1, 1, 2), (&v2, &h2, 2, 1)] {
        let br100 = vtep.bridge("br100", None)?;
        let br200 = vtep.bridge("br200", None)?;
        let vx100 = Vxlan::builder("vxlan100", 100, format!("10.0.0.{n}").parse()?)
            .dev("u0")
            .bridge("br100")
            .remote(format!("10.0.0.{other}").parse()?)
            .create(vtep)?;
        let vx200 = Vxlan::builder("vxlan200", 200, format!("fd00::{n}").parse()?)
            .dev("u0")
            .mtu(1430)
            .bridge("br200")
            .remote(format!("fd00::{other}").parse()?)
            .create(vtep)?;
        let e0 = Veth::pair(vtep, "h100", host, "eth0")
            .mtu(1450)
            .mac_b(&format!("02:00:00:00:01:0{n}"))
            .addrs_b(&[&format!("192.168.100.{n}/24"), &format!("fd00:100::{n}/64")])
            .create()?;
        let e1 = Veth::pair(vtep, "h200", host, "eth1")
            .mtu(1430)
            .mac_b(&format!("02:00:00:00:02:0{n}"))
            .addrs_b(&[&format!("192.168.200.{n}/24")])
            .create()?;
        br100.add_port("h100")?;
        br200.add_port("h200")?;
        // Final checksums in the captures (veth offloads them otherwise).
        for ifname in ["u0", "h100", "h200"] {
            vtep.disable_tx_offload(ifname)?;
        }
        for ifname in ["eth0", "eth1"] {
            host.disable_tx_offload(ifname)?;
        }
        keep.push((br100, br200, vx100, vx200, e0, e1));
    }
    h1.wait_ping("192.168.100.2", T)?;
    h1.wait_ping("192.168.200.2", T)?;
    h1.wait_ping("fd00:100::2", T)?;

    // (a) VXLAN over IPv4 and (e) VXLAN over IPv6 (VNI 200, same inner
    // traffic): ICMP echo request/reply, captured on the underlay.
    for (name, filter, target) in [
        (
            "vxlan_ipv4_icmp.pcap",
            "ip and udp port 4789",
            "192.168.100.2",
        ),
        ("vxlan_ipv6.pcap", "ip6 and udp port 4789", "192.168.200.2"),
    ] {
        fixture(
            &out,
            name,
            (&v1, "u0", filter),
            || h1.exec("ping", &["-c2", "-i0.2", "-n", target]).map(drop),
            4,
            |fs| {
                fs.iter()
                    .filter(|f| vxlan_inner(f).is_some_and(|i| is_icmp(i, &[0, 8])))
                    .cloned()
                    .collect()
            },
        )?;
    }

    // (b) ARP request and reply, host side.
    h1.ip(&["neigh", "flush", "dev", "eth0"])?;
    h2.ip(&["neigh", "flush", "dev", "eth0"])?;
    fixture(
        &out,
        "arp.pcap",
        (&h1, "eth0", "arp"),
        || h1.exec("ping", &["-c1", "-n", "192.168.100.2"]).map(drop),
        2,
        |fs| {
            let req = fs.iter().find(|f| arp_op(f) == Some(1));
            let rep = fs.iter().find(|f| arp_op(f) == Some(2));
            match (req, rep) {
                (Some(a), Some(b)) => vec![a.clone(), b.clone()],
                _ => Vec::new(),
            }
        },
    )?;

    // (c) IPv6 ND: NS and NA (address resolution) and an RA from zebra.
    let _zebra = h1.frr(
        "hostname h1\ninterface eth0\n ipv6 nd ra-interval 1\n ipv6 nd prefix fd00:100::/64\n no ipv6 nd suppress-ra\n!\n",
        None,
    )?;
    h1.ip(&["-6", "neigh", "flush", "dev", "eth0"])?;
    h2.ip(&["-6", "neigh", "flush", "dev", "eth0"])?;
    fixture(
        &out,
        "ndp.pcap",
        (&h2, "eth0", "icmp6"),
        || h2.exec("ping", &["-c1", "-n", "fd00:100::1"]).map(drop),
        3,
        |fs| {
            let pick = |t: u8| fs.iter().find(|f| is_icmp(f, &[t])).cloned();
            match (pick(135), pick(136), pick(134)) {
                (Some(ns), Some(na), Some(ra)) => vec![ns, na, ra],
                _ => Vec::new(),
            }
        },
    )?;

    // (d) Fragmented pings: 3000 bytes of ICMP data over a 1450 MTU.
    for (name, filter, target) in [
        (
            "frag_ipv4.pcap",
            "ip and (ip[6:2] & 0x3fff != 0)",
            "192.168.100.2",
        ),
        ("frag_ipv6.pcap", "ip6 and ip6[6] == 44", "fd00:100::2"),
    ] {
        fixture(
            &out,
            name,
            (&h1, "eth0", filter),
            || h1.exec("ping", &["-c1", "-s3000", "-n", target]).map(drop),
            6,
            |fs| fs.to_vec(),
        )?;
    }

    // (f) A UDP datagram to a closed port, and the ICMP port unreachable.
    for (name, filter, target) in [
        (
            "udp_ipv4.pcap",
            "ip and (udp port 9999 or icmp)",
            "192.168.100.2",
        ),
        (
            "udp_ipv6.pcap",
            "ip6 and (udp port 9999 or (icmp6 and ip6[40] == 1))",
            "fd00:100::2",
        ),
    ] {
        let send = format!("echo -n hello-vtepd > /dev/udp/{target}/9999");
        fixture(
            &out,
            name,
            (&h1, "eth0", filter),
            || h1.exec("bash", &["-c", &send]).map(drop),
            2,
            |fs| fs.to_vec(),
        )?;
    }

    println!("fixtures written to {}", out.display());
    Ok(())
}
