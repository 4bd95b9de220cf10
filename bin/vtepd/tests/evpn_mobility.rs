//! MAC mobility (RFC 7432 §15) between vtepd and FRR: host A has a veth
//! to each VTEP (same MAC; its address, and so its traffic, on one at a
//! time; IPv6 off in A so the idle link stays silent). A moves from vtepd to the FRR
//! VTEP and back; both sides converge to the new location with increasing
//! sequence numbers, traffic resumes, and the convergence time is printed.

mod common;
mod evpn_common;

use std::time::Instant;

use common::{Vtepd, T};
use evpn_common::{frr_mac, frr_vtep, vtepd_conf, vtepd_mac};
use vtepd_lab::{Lab, Netns, Result, Veth};

const A_MAC: &str = "02:00:00:00:02:02";
const B_MAC: &str = "02:00:00:00:01:01";

/// Make `up` A's live interface: the address moves there. The old link
/// stays up (A's MAC stays in the old VTEP's tables until the mobility
/// procedure moves it; a link-down would flush and withdraw it first).
fn attach(ha: &Netns, up: &str, down: &str) -> Result<()> {
    ha.ip(&["addr", "flush", "dev", down])?;
    ha.ip(&["neigh", "flush", "all"])?;
    ha.ip(&["addr", "add", "192.168.100.2/24", "dev", up])?;
    ha.ip(&["link", "set", up, "up"])?;
    Ok(())
}

/// A talks (pings B every 50 ms) in the background, so the VTEPs see it
/// at its new place while the test watches their tables.
fn chatter(ha: &Netns) -> Result<std::process::Child> {
    Ok(ha
        .command("ping")
        .args(["-n", "-q", "-i", "0.05", "-w", "20", "192.168.100.1"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()?)
}

#[test]
fn evpn_mobility() -> Result<()> {
    let started = Instant::now();
    let lab = Lab::new()?;
    let f = lab.netns("f")?;
    let v = lab.netns("v")?;
    let _u = Veth::pair(&f, "u0", &v, "u0")
        .addrs_a(&["10.0.0.1/24"])
        .addrs_b(&["10.0.0.2/24"])
        .create()?;
    let fv = frr_vtep(
        &lab,
        &f,
        "10.0.0.1",
        "hb",
        B_MAC,
        &["192.168.100.1/24"],
        &[("10.0.0.2", "internal")],
        "",
    )?;
    let ha = lab.netns("ha")?;
    ha.sysctl("net.ipv6.conf.all.disable_ipv6", "1")?;
    ha.sysctl("net.ipv6.conf.default.disable_ipv6", "1")?;
    let _to_v = Veth::pair(&v, "hv0", &ha, "eth0")
        .mtu(1450)
        .mac_b(A_MAC)
        .addrs_b(&["192.168.100.2/24"])
        .create()?;
    let _to_f = Veth::pair(&f, "ha1", &ha, "eth1")
        .mtu(1450)
        .mac_b(A_MAC)
        .create()?;
    fv.seg.bridge.add_port("ha1")?;
    ha.disable_tx_offload("eth0")?;
    ha.disable_tx_offload("eth1")?;
    let vtepd = Vtepd::start(
        &lab,
        &v,
        "vtepd",
        &vtepd_conf("10.0.0.2", &[("10.0.0.1", false)], "hv0"),
    )?;
    vtepd.wait_established(&lab, "10.0.0.1")?;
    ha.wait_ping("192.168.100.1", T)?;
    lab.wait_until(T, "FRR to see A behind vtepd", || {
        Ok::<bool, anyhow::Error>(frr_mac(&fv.frr, A_MAC)?["remoteVtep"] == "10.0.0.2")
    })?;

    // Move 1: A to the FRR VTEP.
    let t0 = Instant::now();
    attach(&ha, "eth1", "eth0")?;
    let mut talk = chatter(&ha)?;
    lab.wait_until(T, "A local on FRR and remote on vtepd", || {
        let fm = frr_mac(&fv.frr, A_MAC)?;
        let vm = vtepd_mac(&vtepd, A_MAC)?;
        Ok::<bool, anyhow::Error>(
            fm["type"] == "local"
                && vm.is_some_and(|m| m["type"] == "remote" && m["remote-vtep"] == "10.0.0.1"),
        )
    })?;
    let move1 = t0.elapsed();
    let _ = talk.kill();
    let _ = talk.wait();
    ha.wait_ping("192.168.100.1", T)?;
    let fm = frr_mac(&fv.frr, A_MAC)?;
    let seq1 = fm["localSequence"].as_u64().unwrap_or(0);
    let vseq1 = vtepd_mac(&vtepd, A_MAC)?.map_or(0, |m| m["seq"].as_u64().unwrap_or(0));
    println!("move to FRR converged in {move1:?}: FRR local seq {seq1}, vtepd sees seq {vseq1}");
    assert!(seq1 >= 1, "FRR did not raise the sequence: {fm}");
    assert_eq!(vseq1, seq1);

    // Move 2: back to vtepd; vtepd must outrank with a higher sequence.
    let t1 = Instant::now();
    attach(&ha, "eth0", "eth1")?;
    let mut talk2 = chatter(&ha)?;
    lab.wait_until(T, "A local on vtepd and remote on FRR", || {
        let fm = frr_mac(&fv.frr, A_MAC)?;
        let vm = vtepd_mac(&vtepd, A_MAC)?;
        Ok::<bool, anyhow::Error>(
            fm["type"] == "remote"
                && fm["remoteVtep"] == "10.0.0.2"
                && vm.is_some_and(|m| m["type"] == "local"),
        )
    })?;
    let move2 = t1.elapsed();
    let _ = talk2.kill();
    let _ = talk2.wait();
    ha.wait_ping("192.168.100.1", T)?;
    let vseq2 = vtepd_mac(&vtepd, A_MAC)?.map_or(0, |m| m["seq"].as_u64().unwrap_or(0));
    let fm = frr_mac(&fv.frr, A_MAC)?;
    println!("move back to vtepd converged in {move2:?}: vtepd local seq {vseq2}, FRR {fm}");
    assert_eq!(vseq2, seq1 + 1, "vtepd must advertise remote seq + 1");
    assert_eq!(fm["remoteSequence"].as_u64(), Some(vseq2));
    // Traffic both ways after the moves.
    fv.seg.host.wait_ping("192.168.100.2", T)?;
    let d = vtepd.show(&["evpn", "vni", "100"])?;
    assert!(d["vnis"][0]["moves"].as_u64() >= Some(2), "{d}");
    println!("evpn_mobility took {:?}", started.elapsed());
    Ok(())
}
