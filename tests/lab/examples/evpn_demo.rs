//! The README's demo: vtepd VTEPs and an FRR VTEP in one EVPN overlay.
//!
//! Two vtepd VTEPs (user-space VXLAN over AF_PACKET ports, their own BGP
//! speaker) and one FRR 8.4 VTEP (zebra + bgpd over kernel VXLAN and a
//! bridge), a host behind each, share VNI 100. FRR is the route reflector;
//! nothing but addresses and neighbours is configured: RDs and RTs are
//! derived on both sides. The demo shows `vtepd show` output and FRR's
//! `show bgp l2vpn evpn`, pings between all hosts (IPv4 and IPv6) while
//! capturing the underlay at vtepd-1, writes the capture to the second
//! argument and tears everything down (also on failure).
//!
//! ```text
//!        hf .1                 h1 .2                   h2 .3      192.168.100.0/24
//!         |                     |                       |        fd00:100::/64
//!   frr: br100+vxlan100    vtepd-1: hv0 (AF_PACKET)  vtepd-2: hv0
//!   FRR RR 10.0.0.1        10.0.0.2                   10.0.0.3
//!         \_____________________|_______________________/
//!                     underlay switch (ns "ul")
//! ```
//!
//! Run (as root): `cargo run -p vtepd-lab --example evpn_demo -- VTEPD_BIN out.pcap`

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use vtepd_lab::topo::{EvpnBgpConf, L2Segment, L2SegmentSpec};
use vtepd_lab::{pcap, Lab, Netns, ProcessSpec, Result, Veth};

const T: Duration = Duration::from_secs(30);

fn banner(s: &str) {
    println!("\n==== {s}");
}

fn vtepd_conf(rid: &str, socket: &str) -> String {
    format!(
        r#"[bgp]
router-id = "{rid}"
asn = 65000
listen = ["{rid}:179"]

[control]
socket = "{socket}"

[underlay]
local-ip = "{rid}"

[[neighbor]]
address = "10.0.0.1"
remote-as = "internal"
hold-time = 9
connect-retry = 1

[[vni]]
vni = 100
interfaces = ["hv0"]
"#
    )
}

fn show(bin: &str, socket: &str, words: &[&str], json: bool) -> Result<String> {
    let mut c = Command::new(bin);
    c.args(["show", "--socket", socket]);
    if json {
        c.arg("--json");
    }
    let out = c.args(words).output()?;
    anyhow::ensure!(
        out.status.success(),
        "vtepd show {}: {}",
        words.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let bin = args
        .next()
        .ok_or_else(|| anyhow::anyhow!("usage: evpn_demo VTEPD_BIN OUT.pcap"))?;
    let out: PathBuf = args
        .next()
        .map_or_else(|| "underlay.pcap".into(), PathBuf::from);
    let started = Instant::now();
    let lab = Lab::new()?;
    let ul = lab.netns("ul")?;
    let sw = ul.bridge("sw", None)?;
    let f = lab.netns("frr")?;
    let v1 = lab.netns("vtepd1")?;
    let v2 = lab.netns("vtepd2")?;
    let mut links = Vec::new();
    for (i, ns) in [&f, &v1, &v2].into_iter().enumerate() {
        let port = format!("p{}", i + 1);
        links.push(
            Veth::pair(&ul, &port, ns, "u0")
                .addrs_b(&[&format!("10.0.0.{}/24", i + 1)])
                .create()?,
        );
        sw.add_port(&port)?;
        // Final checksums on the wire (and in the capture).
        ns.disable_tx_offload("u0")?;
    }

    banner("FRR VTEP 10.0.0.1 (route reflector) with host hf behind br100/vxlan100");
    let seg = L2Segment::create(
        &lab,
        &f,
        &L2SegmentSpec {
            vni: 100,
            local: "10.0.0.1".parse()?,
            underlay_dev: Some("u0"),
            mtu: 1450,
            host_name: "hf",
            host_mac: "02:00:00:00:01:01",
            host_addrs: &["192.168.100.1/24", "fd00:100::1/64"],
            static_remotes: &[],
        },
    )?;
    let rr = " address-family l2vpn evpn\n  neighbor 10.0.0.2 route-reflector-client\n  \
              neighbor 10.0.0.3 route-reflector-client\n exit-address-family\n";
    let conf = EvpnBgpConf {
        hostname: "frr",
        router_id: "10.0.0.1",
        neighbors: &[("10.0.0.2", "internal"), ("10.0.0.3", "internal")],
        extra: rr,
        ..Default::default()
    }
    .render();
    let frr = f.frr("hostname frr\n!\n", Some(&conf))?;

    let mut hosts: Vec<(Netns, Veth)> = Vec::new();
    let mut vtepds = Vec::new();
    for (n, ns) in [(2, &v1), (3, &v2)] {
        let h = lab.netns(&format!("h{}", n - 1))?;
        let l = Veth::pair(ns, "hv0", &h, "eth0")
            .mtu(1450)
            .mac_b(&format!("02:00:00:00:01:0{n}"))
            .addrs_b(&[&format!("192.168.100.{n}/24"), &format!("fd00:100::{n}/64")])
            .create()?;
        h.disable_tx_offload("eth0")?;
        let rid = format!("10.0.0.{n}");
        let socket = lab.dir().join(format!("vtepd{}.sock", n - 1));
        let socket = socket.to_string_lossy().into_owned();
        let path = lab.dir().join(format!("vtepd{}.toml", n - 1));
        std::fs::write(&path, vtepd_conf(&rid, &socket))?;
        banner(&format!(
            "vtepd-{} at {rid}: config {}",
            n - 1,
            path.display()
        ));
        print!("{}", vtepd_conf(&rid, &socket));
        let p = ns.spawn(ProcessSpec::new(&format!("vtepd{}", n - 1), &bin).args(&[
            "run",
            "-c",
            &path.to_string_lossy(),
        ]))?;
        vtepds.push((p, socket, rid));
        hosts.push((h, l));
    }
    for (_, socket, rid) in &vtepds {
        lab.wait_until(T, &format!("vtepd {rid} established"), || {
            let s = show(&bin, socket, &["bgp", "summary"], true)?;
            Ok::<bool, anyhow::Error>(s.contains("\"Established\""))
        })?;
        frr.wait_established(rid, T)?;
    }
    println!("\nall sessions up after {:.1?}", started.elapsed());
    // Sessions up is not routes in: each VTEP floods to the others only once
    // their type-3 routes are in, and the first ARP needs that.
    for (_, socket, rid) in &vtepds {
        lab.wait_until(
            T,
            &format!("vtepd {rid} floods to both other VTEPs"),
            || {
                let s = show(&bin, socket, &["vteps"], true)?;
                let v: vtepd_lab::serde_json::Value = vtepd_lab::serde_json::from_str(&s)?;
                let flooding = v["vteps"].as_array().map_or(0, |a| {
                    a.iter()
                        .filter(|t| t["flood-vnis"].as_array().is_some_and(|f| !f.is_empty()))
                        .count()
                });
                Ok::<bool, anyhow::Error>(flooding >= 2)
            },
        )?;
    }
    lab.wait_until(T, "FRR floods VNI 100 to both vtepds", || {
        // zebra lists the remote VTEPs of the VNI ("Remote VTEPs for this
        // VNI"); the local one shows as "Local VTEP IP: 10.0.0.1".
        let v = frr.vtysh(&["show evpn vni 100"])?;
        Ok::<bool, anyhow::Error>(v.contains("10.0.0.2") && v.contains("10.0.0.3"))
    })?;
    println!("flood lists complete after {:.1?}", started.elapsed());

    let capture = v1.capture("u0", "udp port 4789", None)?;
    banner("pings between all hosts (IPv4 and IPv6)");
    let all: Vec<&Netns> = std::iter::once(&seg.host)
        .chain(hosts.iter().map(|(h, _)| h))
        .collect();
    for (i, from) in all.iter().enumerate() {
        for j in 0..all.len() {
            if i == j {
                continue;
            }
            for dst in [
                format!("192.168.100.{}", j + 1),
                format!("fd00:100::{}", j + 1),
            ] {
                from.wait_ping(&dst, T)?;
                println!("  {} -> {dst}: ok", from.short_name());
            }
        }
    }
    println!(
        "{}",
        hosts[0]
            .0
            .exec("ping", &["-c", "3", "-i", "0.2", "192.168.100.1"])?
    );

    let (_, s1, _) = &vtepds[0];
    for w in [
        &["bgp", "summary"][..],
        &["evpn", "mac", "vni", "100"],
        &["vteps"],
        &["evpn", "vni"],
        &["bgp", "evpn", "route"],
    ] {
        banner(&format!("vtepd-1: vtepd show {}", w.join(" ")));
        print!("{}", show(&bin, s1, w, false)?);
    }
    banner("frr: show bgp l2vpn evpn");
    println!("{}", frr.vtysh(&["show bgp l2vpn evpn"])?);
    banner("frr: show evpn mac vni 100");
    println!("{}", frr.vtysh(&["show evpn mac vni 100"])?);

    let records = capture.stop()?;
    pcap::write_records(&out, &records)?;
    banner(&format!(
        "captured {} VXLAN frames on vtepd-1's underlay into {}",
        records.len(),
        out.display()
    ));
    anyhow::ensure!(!records.is_empty(), "no VXLAN traffic was captured");
    for (p, _, _) in &mut vtepds {
        let _ = p.stop();
    }
    println!(
        "three VTEPs up, routes exchanged, all hosts reachable in {:.1?}; tearing down",
        started.elapsed()
    );
    Ok(())
}
