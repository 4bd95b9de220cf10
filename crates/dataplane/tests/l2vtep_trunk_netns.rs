//! Netns test of 802.1Q trunks on the user-space L2 VTEP (`vtepd-l2`):
//! one trunk carries two VLANs, each mapped to its own VNI, towards a Linux
//! kernel VTEP with one VXLAN device and one bridge per VNI.
//!
//! This kernel has neither the 8021q module nor bridge VLAN filtering, so
//! the VLANs are made by a second `vtepd-l2` acting as an access switch
//! (two access ports, one trunk, no overlay). The two trunks are TAP
//! devices joined by a plain kernel bridge, which carries tagged frames
//! transparently (TAP reads carry the tag inline; AF_PACKET would hand it
//! over as metadata).
//!
//! ```text
//!  ha1 192.168.10.1 ─ a1 ┐  sw: vtepd-l2 "switch": --vni 10 --port a1 --trunk tap:taps@10
//!  ha2 192.168.20.1 ─ a2 ┘      --vni 20 --port a2 --trunk tap:taps@20
//!                               br0 = taps + tapa   (tagged 10 / 20)
//!  va: vtepd-l2 --vni 100 --trunk tap:tapa@10 --vni 200 --trunk tap:tapa@20 (tapa moved to sw)
//!   |  u0 10.0.0.1 ─── ul (bridge) ─── u0 10.0.0.2
//!  vb: kernel vxlan100 + br100 <- h1 (veth to hb1: 192.168.10.2)
//!      kernel vxlan200 + br200 <- h2 (veth to hb2: 192.168.20.2)
//! ```
//!
//! Each VLAN's host pings its own VNI's remote host across the overlay,
//! and the kernel bridges learn each VLAN's MAC only in that VLAN's VNI.
//! Run as root; the lab's preflight names what is missing.

use std::net::IpAddr;
use std::time::Duration;

use vtepd_lab::{Lab, Netns, Process, ProcessSpec, Result, Veth};

const L2: &str = env!("CARGO_BIN_EXE_vtepd-l2");
const WAIT: Duration = Duration::from_secs(15);

/// (VLAN, VNI) pairs of the trunk.
const VLANS: [(u16, u32); 2] = [(10, 100), (20, 200)];

fn host_mac(vlan: u16, n: u8) -> String {
    format!("02:00:00:00:{vlan}:0{n}")
}
fn host_ip(vlan: u16, n: u8) -> String {
    format!("192.168.{vlan}.{n}")
}

/// Start vtepd-l2 in `ns` with `args` and wait until it runs.
fn vtepd(ns: &Netns, name: &str, args: &[String]) -> Result<Process> {
    let mut p = ns.spawn(ProcessSpec::new(name, L2).args(args))?;
    ns.lab_handle().wait_until(WAIT, "vtepd-l2 to start", || {
        if !p.is_running() {
            anyhow::bail!("vtepd-l2 {name} exited: {}", p.log());
        }
        Ok(p.log().contains("vtepd-l2: running"))
    })?;
    Ok(p)
}

fn strings(a: &[&str]) -> Vec<String> {
    a.iter().map(|s| s.to_string()).collect()
}

/// The kernel VTEP for `vni` in `vb`: `vxlanVNI` (nolearning, static flood
/// entry to 10.0.0.1) and bridge `brVNI` with the host veth `port`.
fn kernel_vni(vb: &Netns, vni: u32, port: &str) -> Result<()> {
    let vx = format!("vxlan{vni}");
    let br = format!("br{vni}");
    let id = vni.to_string();
    vb.ip(&[
        "link",
        "add",
        &vx,
        "type",
        "vxlan",
        "id",
        &id,
        "dstport",
        "4789",
        "local",
        "10.0.0.2",
        "nolearning",
        "dev",
        "u0",
    ])?;
    vb.ip(&["link", "add", &br, "type", "bridge", "stp_state", "0"])?;
    vb.ip(&["link", "set", "dev", &vx, "master", &br, "up"])?;
    vb.ip(&["link", "set", "dev", port, "master", &br, "up"])?;
    vb.link_up(&br)?;
    let ip: IpAddr = "10.0.0.1".parse()?;
    vb.fdb_append("00:00:00:00:00:00", &vx, ip)?;
    Ok(())
}

#[test]
fn trunk_vlans_map_to_their_vnis() -> Result<()> {
    trunk_test(false)
}

/// The same with the VTEP's trunk an AF_PACKET port on a veth (the kernel
/// hands received tags over as `PACKET_AUXDATA`; vtepd puts them back).
#[test]
fn packet_trunk_vlans_map_to_their_vnis() -> Result<()> {
    trunk_test(true)
}

fn trunk_test(packet_trunk: bool) -> Result<()> {
    let lab = Lab::new()?;
    let ul = lab.netns("ul")?;
    let va = lab.netns("va")?;
    let vb = lab.netns("vb")?;
    let sw = lab.netns("sw")?;
    let ha1 = lab.netns("ha1")?;
    let ha2 = lab.netns("ha2")?;
    let hb1 = lab.netns("hb1")?;
    let hb2 = lab.netns("hb2")?;

    // Underlay.
    ul.ip(&["link", "add", "ul0", "type", "bridge", "stp_state", "0"])?;
    ul.link_up("ul0")?;
    let mut links = Vec::new();
    for (n, ns) in [(1u8, &va), (2, &vb)] {
        let port = format!("p{n}");
        links.push(
            Veth::pair(&ul, &port, ns, "u0")
                .addrs_b(&[&format!("10.0.0.{n}/24")])
                .create()?,
        );
        ul.ip(&["link", "set", "dev", &port, "master", "ul0", "up"])?;
    }

    // Kernel side: one host per VNI.
    vb.disable_tx_offload("u0")?;
    for ((vlan, vni), (hb, port)) in VLANS.iter().zip([(&hb1, "h1"), (&hb2, "h2")]) {
        links.push(
            Veth::pair(hb, "eth0", &vb, port)
                .mac_a(&host_mac(*vlan, 2))
                .addrs_a(&[&format!("{}/24", host_ip(*vlan, 2))])
                .create()?,
        );
        kernel_vni(&vb, *vni, port)?;
    }

    // The VTEP: one trunk (TAP `tapa`), moved into the switch namespace.
    // No IPv6 on the TAP either: fewer of the kernel's own untagged
    // frames on the trunk.
    for k in ["all", "default"] {
        va.sysctl(&format!("net.ipv6.conf.{k}.disable_ipv6"), "1")?;
    }
    let mut args = strings(&["--local", "10.0.0.1", "--stats-every", "1"]);
    // An AF_PACKET trunk: veth `trk` whose peer `tapa` joins the switch's
    // bridge in place of the TAP.
    let trunk = if packet_trunk {
        links.push(Veth::pair(&va, "trk", &sw, "tapa").create()?);
        "packet:trk"
    } else {
        "tap:tapa"
    };
    for (vlan, vni) in VLANS {
        args.extend(strings(&["--vni", &vni.to_string()]));
        args.extend(strings(&["--trunk", &format!("{trunk}@{vlan}")]));
        args.extend(strings(&["--remote", "10.0.0.2"]));
    }
    let p = vtepd(&va, "vtepd-l2-vtep", &args)?;

    // The access switch: no IPv6 on its own interfaces (nothing untagged
    // of its own on the trunk), hosts on access ports, a trunk TAP.
    for k in ["all", "default"] {
        sw.sysctl(&format!("net.ipv6.conf.{k}.disable_ipv6"), "1")?;
    }
    sw.link_up("lo")?;
    for ((vlan, _), (ha, port)) in VLANS.iter().zip([(&ha1, "a1"), (&ha2, "a2")]) {
        links.push(
            Veth::pair(ha, "eth0", &sw, port)
                .mac_a(&host_mac(*vlan, 1))
                .addrs_a(&[&format!("{}/24", host_ip(*vlan, 1))])
                .create()?,
        );
    }
    let mut args = strings(&["--local", "127.0.0.1", "--stats-every", "1"]);
    for ((vlan, _), port) in VLANS.iter().zip(["a1", "a2"]) {
        args.extend(strings(&["--vni", &vlan.to_string(), "--port", port]));
        args.extend(strings(&["--trunk", &format!("tap:taps@{vlan}")]));
    }
    let s = vtepd(&sw, "vtepd-l2-switch", &args)?;
    if !packet_trunk {
        va.ip(&["link", "set", "dev", "tapa", "netns", sw.name()])?;
    }
    sw.ip(&["link", "add", "br0", "type", "bridge", "stp_state", "0"])?;
    for t in ["tapa", "taps"] {
        sw.ip(&["link", "set", "dev", t, "master", "br0", "up"])?;
    }
    sw.link_up("br0")?;

    // Each VLAN reaches its own VNI's host, both ways.
    for ((vlan, _), (ha, hb)) in VLANS.iter().zip([(&ha1, &hb1), (&ha2, &hb2)]) {
        ha.wait_ping(&host_ip(*vlan, 2), WAIT)?;
        hb.wait_ping(&host_ip(*vlan, 1), WAIT)?;
        let neigh = ha.ip(&["neigh", "show", &host_ip(*vlan, 2)])?;
        assert!(
            neigh.contains(&host_mac(*vlan, 2)),
            "no ARP entry for the VLAN {vlan} host: {neigh}"
        );
    }

    // The kernel bridges learnt each VLAN's MAC behind their VXLAN port,
    // and only in that VLAN's VNI.
    for (vlan, vni) in VLANS {
        let fdb = vb.fdb(Some(&format!("vxlan{vni}")))?;
        assert!(
            fdb.contains(&host_mac(vlan, 1)),
            "VNI {vni} did not learn the VLAN {vlan} host: {fdb}"
        );
        for (other, _) in VLANS.iter().filter(|(v, _)| *v != vlan) {
            assert!(
                !fdb.contains(&host_mac(*other, 1)),
                "VNI {vni} learnt the VLAN {other} host: {fdb}"
            );
        }
    }

    // vtepd learnt each remote host in its own VNI (MAC events), and
    // dropped nothing for VLAN reasons.
    lab.wait_until(WAIT, "vtepd to report learning both remote hosts", || {
        let log = p.log();
        Ok::<bool, anyhow::Error>(VLANS.iter().all(|(vlan, vni)| {
            log.lines().any(|l| {
                l.starts_with(&format!("event vni={vni} "))
                    && l.contains(&format!("mac: {}", host_mac(*vlan, 2)))
            })
        }))
    })?;
    for (proc, who) in [(&p, "VTEP"), (&s, "switch")] {
        // A counter line printed after the traffic above.
        let seen = proc.log().matches("stats underlay=").count();
        lab.wait_until(WAIT, "a fresh stats line", || {
            Ok::<bool, anyhow::Error>(proc.log().matches("stats underlay=").count() > seen)
        })?;
        // (Untagged frames the switch namespace's kernel sends on the
        // bridge itself, IGMP reports, are rightly dropped as
        // vlan-unmapped; nothing is ever a tagged frame out of place.)
        let log = proc.log();
        assert!(
            !log.contains("vlan-tagged"),
            "{who}: tagged frames dropped: {log}"
        );
    }
    drop(links);
    Ok(())
}
