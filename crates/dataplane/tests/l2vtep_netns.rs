//! Netns interop of the user-space L2 VTEP (`vtepd-l2`, static
//! configuration, no BGP) with the Linux kernel's VXLAN + bridge, with
//! itself, and in a three-VTEP flood list.
//!
//! Topology shared by every test: an underlay namespace `ul` with a bridge
//! `ul0` (MTU 9100) and one veth to each VTEP namespace (`u0`, addresses
//! 10.0.0.N/24); each VTEP namespace has one host namespace behind it
//! (host `hN`, 192.168.100.N/24 and fd00:100::N/64, MAC 02:00:00:00:00:0N,
//! MTU 9000). Run as root; the lab's preflight names what is missing.

use std::net::IpAddr;
use std::time::Duration;

use vtepd_lab::{Lab, Netns, Process, ProcessSpec, Result, Veth};

const L2: &str = env!("CARGO_BIN_EXE_vtepd-l2");
const WAIT: Duration = Duration::from_secs(15);

fn vtep_ip(n: u8) -> String {
    format!("10.0.0.{n}")
}
/// VTEP `n`'s underlay address in the chosen family.
fn vtep_addr(n: u8, v6: bool) -> String {
    if v6 {
        format!("fd00:77::{n}")
    } else {
        vtep_ip(n)
    }
}
fn host_ip(n: u8) -> String {
    format!("192.168.100.{n}")
}
fn host_ip6(n: u8) -> String {
    format!("fd00:100::{n}")
}
fn host_mac(n: u8) -> String {
    format!("02:00:00:00:00:0{n}")
}

/// The underlay: a bridge namespace and one VTEP namespace per index.
struct Underlay {
    _ul: Netns,
    _links: Vec<Veth>,
}

fn underlay(lab: &Lab, vteps: &[(u8, &Netns)]) -> Result<Underlay> {
    let ul = lab.netns("ul")?;
    ul.ip(&[
        "link",
        "add",
        "ul0",
        "mtu",
        "9100",
        "type",
        "bridge",
        "stp_state",
        "0",
    ])?;
    ul.link_up("ul0")?;
    let mut links = Vec::new();
    for (n, ns) in vteps {
        let port = format!("p{n}");
        let v = Veth::pair(&ul, &port, ns, "u0")
            .mtu(9100)
            .addrs_b(&[
                &format!("{}/24", vtep_ip(*n)),
                &format!("{}/64", vtep_addr(*n, true)),
            ])
            .create()?;
        ul.ip(&["link", "set", "dev", &port, "master", "ul0", "up"])?;
        links.push(v);
    }
    Ok(Underlay {
        _ul: ul,
        _links: links,
    })
}

/// Host `n` behind VTEP namespace `vtep` on a veth (`hN` in the host,
/// `h` in the VTEP).
fn host_on_veth(vtep: &Netns, host: &Netns, n: u8) -> Result<Veth> {
    Veth::pair(host, "eth0", vtep, "h")
        .mtu(9000)
        .mac_a(&host_mac(n))
        .addrs_a(&[
            &format!("{}/24", host_ip(n)),
            &format!("{}/64", host_ip6(n)),
        ])
        .create()
}

/// A kernel VTEP: `vxlan100` (nolearning, static flood entries to
/// `remotes`) and the host veth `h` in bridge `br100` (bridge learning on,
/// so the FDB shows remote hosts).
///
/// The kernel VTEP's underlay veth gets `tx off`: otherwise the kernel
/// leaves the inner TCP/UDP checksums partial inside the VXLAN payload and
/// lets the veth carry the offload metadata across namespaces (a real wire
/// never would). vtepd reads the payload from a UDP socket, where that
/// metadata does not exist, and would forward frames with unfinished
/// checksums. With `tx off` the kernel finishes them, as it must before a
/// physical NIC without tunnel offloads.
fn kernel_vtep(ns: &Netns, n: u8, remotes: &[u8], v6: bool) -> Result<()> {
    let local = vtep_addr(n, v6);
    ns.disable_tx_offload("u0")?;
    ns.ip(&[
        "link",
        "add",
        "vxlan100",
        "mtu",
        "9000",
        "type",
        "vxlan",
        "id",
        "100",
        "dstport",
        "4789",
        "local",
        &local,
        "nolearning",
        "dev",
        "u0",
    ])?;
    ns.ip(&[
        "link",
        "add",
        "br100",
        "mtu",
        "9000",
        "type",
        "bridge",
        "stp_state",
        "0",
    ])?;
    ns.ip(&["link", "set", "dev", "vxlan100", "master", "br100", "up"])?;
    ns.ip(&["link", "set", "dev", "h", "master", "br100", "up"])?;
    ns.link_up("br100")?;
    for r in remotes {
        let ip: IpAddr = vtep_addr(*r, v6).parse()?;
        ns.fdb_append("00:00:00:00:00:00", "vxlan100", ip)?;
    }
    Ok(())
}

/// Start `vtepd-l2` in `ns` as VTEP `n` with ports `ports` and flood list
/// `remotes`, and wait until it runs.
fn l2vtep(ns: &Netns, n: u8, ports: &[&str], remotes: &[u8], v6: bool) -> Result<Process> {
    let mut args: Vec<String> = vec![
        "--local".into(),
        vtep_addr(n, v6),
        "--stats-every".into(),
        "1".into(),
        "--vni".into(),
        "100".into(),
    ];
    for p in ports {
        args.push("--port".into());
        args.push((*p).into());
    }
    for r in remotes {
        args.push("--remote".into());
        args.push(vtep_addr(*r, v6));
    }
    let mut p = ns.spawn(ProcessSpec::new(&format!("vtepd-l2-{n}"), L2).args(&args))?;
    let lab = ns.lab_handle();
    lab.wait_until(WAIT, "vtepd-l2 to start", || {
        if !p.is_running() {
            anyhow::bail!("vtepd-l2 exited: {}", p.log());
        }
        Ok(p.log().contains("vtepd-l2: running"))
    })?;
    Ok(p)
}

fn ping_ok(from: &Netns, args: &[&str]) -> Result<String> {
    from.exec("ping", args)
}

/// Every check between host `a` (behind vtepd) and host `b`.
fn check_pair(ha: &Netns, a: u8, hb: &Netns, b: u8) -> Result<()> {
    ha.wait_ping(&host_ip(b), WAIT)?;
    hb.wait_ping(&host_ip(a), WAIT)?;
    ha.wait_ping(&host_ip6(b), WAIT)?;
    hb.wait_ping(&host_ip6(a), WAIT)?;
    // ARP crossed: A knows B's MAC.
    let neigh = ha.ip(&["neigh", "show", &host_ip(b)])?;
    assert!(
        neigh.contains(&host_mac(b)),
        "host {a} has no ARP entry for host {b}: {neigh}"
    );
    // A 9000-byte IP packet (9014-byte inner frame), DF set, both ways.
    for (from, to) in [(ha, b), (hb, a)] {
        let out = ping_ok(
            from,
            &["-c", "2", "-W", "2", "-M", "do", "-s", "8972", &host_ip(to)],
        )?;
        assert!(out.contains("8980 bytes from"), "jumbo ping failed: {out}");
    }
    Ok(())
}

/// A broadcast from host `a` reaches every host in `others`.
fn check_broadcast(ha: &Netns, others: &[(&Netns, u8)]) -> Result<()> {
    for (h, _) in others {
        h.sysctl("net.ipv4.icmp_echo_ignore_broadcasts", "0")?;
    }
    let out = ha
        .command("ping")
        .args(["-b", "-c", "3", "-W", "2", "-n", "192.168.100.255"])
        .output()?;
    let text = String::from_utf8_lossy(&out.stdout);
    for (_, n) in others {
        assert!(
            text.contains(&format!("from {}", host_ip(*n))),
            "broadcast ping got no answer from host {n}: {text}"
        );
    }
    Ok(())
}

#[test]
fn l2vtep_interops_with_kernel_vxlan() -> Result<()> {
    let lab = Lab::new()?;
    let va = lab.netns("va")?;
    let vb = lab.netns("vb")?;
    let ha = lab.netns("ha")?;
    let hb = lab.netns("hb")?;
    let _ul = underlay(&lab, &[(1, &va), (2, &vb)])?;
    let _la = host_on_veth(&va, &ha, 1)?;
    let _lb = host_on_veth(&vb, &hb, 2)?;
    kernel_vtep(&vb, 2, &[1], false)?;
    let p = l2vtep(&va, 1, &["h"], &[2], false)?;

    check_pair(&ha, 1, &hb, 2)?;
    check_broadcast(&ha, &[(&hb, 2)])?;
    check_broadcast(&hb, &[(&ha, 1)])?;

    // The kernel bridge learnt host A's MAC behind its VXLAN port.
    let fdb = vb.fdb(Some("vxlan100"))?;
    assert!(
        fdb.contains(&host_mac(1)),
        "kernel FDB did not learn host A: {fdb}"
    );
    // TCP both ways: vtepd sends UDP GSO trains of segmented super-frames
    // to the kernel VTEP and coalesces what the kernel sends.
    let _srv = hb.spawn(ProcessSpec::new("iperf3-b", "iperf3").args(&["-s", "-B", &host_ip(2)]))?;
    std::thread::sleep(Duration::from_millis(500));
    for rev in [false, true] {
        iperf_tcp(&ha, 2, rev)?;
    }

    // RFC 7348 §5 source-port entropy: four TCP flows leave vtepd from
    // several UDP source ports of the dynamic range (and the kernel VTEP
    // takes them all: the transfer completes). The flows negotiate ECN:
    // their data segments are ECT(0), and so are the outer headers (RFC
    // 6040).
    ha.exec("sysctl", &["-qw", "net.ipv4.tcp_ecn=1"])?;
    let cap = vb.capture(
        "u0",
        &format!("udp dst port 4789 and src host {}", vtep_ip(1)),
        None,
    )?;
    let ip = host_ip(2);
    let out = ha.exec("iperf3", &["-c", ip.as_str(), "-t", "2", "-P", "4", "-J"])?;
    let v: vtepd_lab::serde_json::Value = vtepd_lab::serde_json::from_str(&out)?;
    let bytes = v["end"]["sum_received"]["bytes"].as_f64().unwrap_or(0.0);
    assert!(bytes > 1_000_000.0, "iperf3 -P 4 moved only {bytes} bytes");
    let frames = cap.stop()?;
    let ect0 = frames
        .iter()
        .filter(|r| r.data.get(15).is_some_and(|t| t & 3 == 2))
        .count();
    assert!(ect0 > 100, "only {ect0} outer packets carry ECT(0)");
    let mut ports: Vec<u16> = frames
        .iter()
        .filter_map(|r| udp_source_port(&r.data))
        .collect();
    let seen = ports.len();
    ports.sort_unstable();
    ports.dedup();
    assert!(seen > 100, "captured only {seen} VXLAN packets from vtepd");
    assert!(
        ports.len() >= 2 && ports.iter().all(|p| *p >= 49152),
        "outer source ports of four flows: {ports:?}"
    );

    // And vtepd learnt host B behind the kernel VTEP.
    lab.wait_until(WAIT, "vtepd to report learning host B", || {
        Ok::<bool, anyhow::Error>(p.log().contains(&format!("mac: {}", host_mac(2))))
    })?;
    Ok(())
}

/// Two hosts behind one vtepd-l2: TCP between them is switched locally,
/// the TSO super-frames handed from one port to the other whole.
#[test]
fn l2vtep_switches_tcp_between_local_ports() -> Result<()> {
    let lab = Lab::new()?;
    let va = lab.netns("va")?;
    let ha = lab.netns("ha")?;
    let hb = lab.netns("hb")?;
    let _ul = underlay(&lab, &[(1, &va)])?;
    let _la = host_on_veth(&va, &ha, 1)?;
    let _lb = Veth::pair(&hb, "eth0", &va, "h2")
        .mtu(9000)
        .mac_a(&host_mac(2))
        .addrs_a(&[
            &format!("{}/24", host_ip(2)),
            &format!("{}/64", host_ip6(2)),
        ])
        .create()?;
    let p = l2vtep(&va, 1, &["h", "h2"], &[], false)?;
    check_pair(&ha, 1, &hb, 2)?;
    let _srv = hb.spawn(ProcessSpec::new("iperf3-b", "iperf3").args(&["-s", "-B", &host_ip(2)]))?;
    std::thread::sleep(Duration::from_millis(500));
    iperf_tcp(&ha, 2, false)?;
    lab.wait_until(WAIT, "super-frames in vtepd's counters", || {
        Ok::<bool, anyhow::Error>(last_counter(&p.log(), "gso_frames") > 0)
    })?;
    Ok(())
}

#[test]
fn l2vtep_on_both_sides_with_tap_and_tcp() -> Result<()> {
    let lab = Lab::new()?;
    let va = lab.netns("va")?;
    let vb = lab.netns("vb")?;
    let ha = lab.netns("ha")?;
    let hb = lab.netns("hb")?;
    let _ul = underlay(&lab, &[(1, &va), (2, &vb)])?;
    let _la = host_on_veth(&va, &ha, 1)?;
    let pa = l2vtep(&va, 1, &["h"], &[2], false)?;
    // Side B: a TAP device, created by vtepd and moved into host B.
    let pb = l2vtep(&vb, 2, &["tap:tapb"], &[1], false)?;
    vb.ip(&["link", "set", "dev", "tapb", "netns", hb.name()])?;
    hb.ip(&["link", "set", "dev", "tapb", "name", "eth0"])?;
    hb.set_mtu("eth0", 9000)?;
    hb.set_mac("eth0", &host_mac(2))?;
    hb.sysctl("net/ipv6/conf/eth0/accept_dad", "0")?;
    hb.add_addr("eth0", &format!("{}/24", host_ip(2)))?;
    hb.add_addr("eth0", &format!("{}/64", host_ip6(2)))?;
    hb.link_up("eth0")?;

    check_pair(&ha, 1, &hb, 2)?;
    check_broadcast(&ha, &[(&hb, 2)])?;

    // TCP both ways: out of the TAP come TSO super-frames, which vtepd
    // segments; iperf3 checks the byte stream.
    let _srv = hb.spawn(ProcessSpec::new("iperf3-b", "iperf3").args(&["-s", "-B", &host_ip(2)]))?;
    let _srv6 =
        ha.spawn(ProcessSpec::new("iperf3-a", "iperf3").args(&["-s", "-B", &host_ip(1)]))?;
    std::thread::sleep(Duration::from_millis(500));
    for (from, to, rev) in [(&ha, 2, false), (&ha, 2, true), (&hb, 1, false)] {
        iperf_tcp(from, to, rev)?;
    }
    // Both offload paths ran on both sides: TSO super-frames from the
    // veth/TAP were segmented, and received segments were coalesced into
    // super-frames for the veth/TAP.
    for (p, side) in [(&pa, "A (veth)"), (&pb, "B (TAP)")] {
        lab.wait_until(
            WAIT,
            &format!("side {side} to report offload counters"),
            || {
                let log = p.log();
                Ok::<bool, anyhow::Error>(
                    last_counter(&log, "gso_frames") > 0
                        && last_counter(&log, "coalesced_frames") > 0,
                )
            },
        )?;
    }
    Ok(())
}

/// A 2-second iperf3 TCP run from `from` to host `to` (reversed: `to`
/// sends); at least a megabyte must arrive intact.
fn iperf_tcp(from: &Netns, to: u8, rev: bool) -> Result<()> {
    let ip = host_ip(to);
    let mut args = vec!["-c", ip.as_str(), "-t", "2", "-J"];
    if rev {
        args.push("-R");
    }
    let out = from.exec("iperf3", &args)?;
    let v: vtepd_lab::serde_json::Value = vtepd_lab::serde_json::from_str(&out)?;
    let bytes = v["end"]["sum_received"]["bytes"].as_f64().unwrap_or(0.0);
    assert!(
        bytes > 1_000_000.0,
        "iperf3 to host {to} (reverse {rev}) moved only {bytes} bytes: {out}"
    );
    Ok(())
}

/// The UDP source port of an untagged Ethernet/IPv4/UDP frame.
fn udp_source_port(f: &[u8]) -> Option<u16> {
    if f.get(12..14)? != [0x08, 0x00] || *f.get(23)? != 17 {
        return None;
    }
    let ihl = usize::from(f.get(14)? & 0x0f) * 4;
    let p = f.get(14 + ihl..16 + ihl)?;
    Some(u16::from_be_bytes([p[0], p[1]]))
}

/// The value of `name: N` in the last `stats` line of a vtepd-l2 log.
fn last_counter(log: &str, name: &str) -> u64 {
    let Some(line) = log.lines().rev().find(|l| l.starts_with("stats ")) else {
        return 0;
    };
    let key = format!("{name}: ");
    line.find(&key)
        .map(|i| {
            line[i + key.len()..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
        })
        .and_then(|d| d.parse().ok())
        .unwrap_or(0)
}

#[test]
fn three_vteps_flood_list() -> Result<()> {
    let lab = Lab::new()?;
    let v: Vec<Netns> = (1..=3)
        .map(|i| lab.netns(&format!("v{i}")))
        .collect::<Result<_>>()?;
    let h: Vec<Netns> = (1..=3)
        .map(|i| lab.netns(&format!("h{i}")))
        .collect::<Result<_>>()?;
    let _ul = underlay(&lab, &[(1, &v[0]), (2, &v[1]), (3, &v[2])])?;
    let _links: Vec<Veth> = (0..3)
        .map(|i| host_on_veth(&v[i], &h[i], i as u8 + 1))
        .collect::<Result<_>>()?;
    let _p1 = l2vtep(&v[0], 1, &["h"], &[2, 3], false)?;
    let _p2 = l2vtep(&v[1], 2, &["h"], &[1, 3], false)?;
    kernel_vtep(&v[2], 3, &[1, 2], false)?;

    for (a, b) in [(0usize, 1usize), (0, 2), (1, 2)] {
        check_pair(&h[a], a as u8 + 1, &h[b], b as u8 + 1)?;
    }
    check_broadcast(&h[0], &[(&h[1], 2), (&h[2], 3)])?;
    check_broadcast(&h[2], &[(&h[0], 1), (&h[1], 2)])?;
    Ok(())
}

#[test]
fn ipv6_underlay_l2vtep_with_kernel_vxlan() -> Result<()> {
    let lab = Lab::new()?;
    let va = lab.netns("va")?;
    let vb = lab.netns("vb")?;
    let ha = lab.netns("ha")?;
    let hb = lab.netns("hb")?;
    let _ul = underlay(&lab, &[(1, &va), (2, &vb)])?;
    let _la = host_on_veth(&va, &ha, 1)?;
    let _lb = host_on_veth(&vb, &hb, 2)?;
    kernel_vtep(&vb, 2, &[1], true)?;
    let _p = l2vtep(&va, 1, &["h"], &[2], true)?;

    check_pair(&ha, 1, &hb, 2)?;
    check_broadcast(&ha, &[(&hb, 2)])?;
    let _srv = hb.spawn(ProcessSpec::new("iperf3-b", "iperf3").args(&["-s", "-B", &host_ip(2)]))?;
    std::thread::sleep(Duration::from_millis(500));
    for rev in [false, true] {
        iperf_tcp(&ha, 2, rev)?;
    }
    let fdb = vb.fdb(Some("vxlan100"))?;
    assert!(
        fdb.contains(&host_mac(1)),
        "kernel FDB did not learn host A: {fdb}"
    );
    Ok(())
}
