//! The README's demo: the lab's reference EVPN topology, shown working.
//!
//! Two FRR 8.4 VTEPs (zebra + bgpd over kernel VXLAN and bridges) exchange
//! EVPN type-2 and type-3 routes over iBGP; a host namespace behind each pings
//! the other over IPv4 and IPv6 while the underlay is captured. The demo prints
//! what a network engineer would look at (FRR's EVPN tables, the kernel FDB)
//! and writes the underlay capture to the path given as the first argument,
//! which `scripts/demo` then decodes with `vtepd decode`. Everything is torn
//! down at the end, also on failure.
//!
//! ```text
//!   h1 192.168.100.1/24 fd00:100::1/64        h2 192.168.100.2/24 fd00:100::2/64
//!        |                                         |
//!   vtep1: br100 + vxlan100 (VNI 100)         vtep2: br100 + vxlan100
//!        FRR AS 65000, router-id 10.0.0.1          FRR AS 65000, router-id 10.0.0.2
//!   u0 10.0.0.1/24 ------- iBGP l2vpn evpn ------- u0 10.0.0.2/24
//! ```
//!
//! Run (as root): `cargo run -p vtepd-lab --example demo -- /tmp/underlay.pcap`

use std::path::PathBuf;
use std::time::{Duration, Instant};

use vtepd_lab::topo::{EvpnBgpConf, L2Segment, L2SegmentSpec};
use vtepd_lab::{pcap, Lab, Result, Veth};

const T: Duration = Duration::from_secs(30);

fn banner(s: &str) {
    println!("\n==== {s}");
}

fn main() -> Result<()> {
    let out: PathBuf = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("underlay.pcap"));
    let started = Instant::now();
    let lab = Lab::new()?;
    let v1 = lab.netns("vtep1")?;
    let v2 = lab.netns("vtep2")?;
    let _underlay = Veth::pair(&v1, "u0", &v2, "u0")
        .addrs_a(&["10.0.0.1/24"])
        .addrs_b(&["10.0.0.2/24"])
        .create()?;
    // Checksums on the captured underlay are final only without TX offload.
    v1.disable_tx_offload("u0")?;
    v2.disable_tx_offload("u0")?;
    let mut segs = Vec::new();
    for (vtep, n) in [(&v1, 1), (&v2, 2)] {
        segs.push(L2Segment::create(
            &lab,
            vtep,
            &L2SegmentSpec {
                vni: 100,
                local: format!("10.0.0.{n}").parse()?,
                underlay_dev: Some("u0"),
                mtu: 1450,
                host_name: &format!("h{n}"),
                host_mac: &format!("02:00:00:00:01:0{n}"),
                host_addrs: &[&format!("192.168.100.{n}/24"), &format!("fd00:100::{n}/64")],
                static_remotes: &[],
            },
        )?);
    }
    let (h1, h2) = (&segs[0].host, &segs[1].host);
    let conf = |name: &str, me: &str, peer: &str| {
        EvpnBgpConf {
            hostname: name,
            router_id: me,
            neighbors: &[(peer, "internal")],
            ..Default::default()
        }
        .render()
    };
    banner("starting FRR (zebra + bgpd) in vtep1 and vtep2");
    let frr1 = v1.frr(
        "hostname vtep1\n",
        Some(&conf("vtep1", "10.0.0.1", "10.0.0.2")),
    )?;
    let frr2 = v2.frr(
        "hostname vtep2\n",
        Some(&conf("vtep2", "10.0.0.2", "10.0.0.1")),
    )?;
    frr1.wait_established("10.0.0.2", T)?;
    frr2.wait_established("10.0.0.1", T)?;
    println!("iBGP session up after {:.1?}", started.elapsed());

    let capture = v1.capture("u0", "udp port 4789", None)?;
    banner("h1 pings h2 over the overlay (IPv4 and IPv6)");
    h1.wait_ping("192.168.100.2", T)?;
    h1.wait_ping("fd00:100::2", T)?;
    h2.wait_ping("192.168.100.1", T)?;
    h2.wait_ping("fd00:100::1", T)?;
    println!(
        "{}",
        h1.exec("ping", &["-c", "3", "-i", "0.2", "192.168.100.2"])?
    );
    println!(
        "{}",
        h1.exec("ping", &["-c", "3", "-i", "0.2", "fd00:100::2"])?
    );
    frr1.wait_evpn_route("type-2 of h2", T, |_, p| {
        p.starts_with("[2]:[0]:[48]:[02:00:00:00:01:02]")
    })?;
    frr2.wait_evpn_route("type-2 of h1", T, |_, p| {
        p.starts_with("[2]:[0]:[48]:[02:00:00:00:01:01]")
    })?;

    banner("vtep1: show bgp summary");
    println!("{}", frr1.vtysh(&["show bgp summary"])?);
    banner("vtep1: show bgp l2vpn evpn route");
    println!("{}", frr1.vtysh(&["show bgp l2vpn evpn route"])?);
    banner("vtep1: show evpn mac vni 100");
    println!("{}", frr1.vtysh(&["show evpn mac vni 100"])?);
    banner("vtep1: bridge fdb show dev vxlan100 (kernel, installed by zebra)");
    println!("{}", v1.fdb(Some("vxlan100"))?);

    let records = capture.stop()?;
    pcap::write_records(&out, &records)?;
    banner(&format!(
        "captured {} VXLAN frames on vtep1's underlay into {}",
        records.len(),
        out.display()
    ));
    if records.is_empty() {
        anyhow::bail!("no VXLAN traffic was captured on the underlay");
    }
    println!(
        "topology up, routes exchanged and traffic checked in {:.1?}; tearing down",
        started.elapsed()
    );
    Ok(())
}
