//! Mixed EVPN VTEPs: host A behind vtepd (AF_PACKET on a veth), host B
//! behind FRR 8.4 + kernel VXLAN. A and B ping over IPv4 and IPv6; FRR's
//! `show evpn mac vni 100` lists A as remote at vtepd's tunnel address;
//! `vtepd show evpn mac vni 100` lists B; vtepd's ARP suppression answers
//! for B (a MAC/IP route from FRR) without flooding the request.

mod common;

use std::time::{Duration, Instant};

use common::{Vtepd, T};
use vtepd_lab::serde_json::Value;
use vtepd_lab::topo::{EvpnBgpConf, L2Segment, L2SegmentSpec};
use vtepd_lab::{Lab, Result, Veth};

pub const A_MAC: &str = "02:00:00:00:02:02";
pub const B_MAC: &str = "02:00:00:00:01:01";

fn vtepd_conf() -> &'static str {
    r#"
[bgp]
router-id = "10.0.0.2"
asn = 65000
listen = ["10.0.0.2:179"]

[control]
socket = "@SOCKET@"

[underlay]
local-ip = "10.0.0.2"

[[neighbor]]
address = "10.0.0.1"
remote-as = "internal"
hold-time = 9
connect-retry = 1

[[vni]]
vni = 100
interfaces = ["hv0"]
"#
}

fn vni_counter(v: &Vtepd, name: &str) -> Result<u64> {
    let s = v.show(&["interfaces"])?;
    s["vnis"]
        .as_array()
        .and_then(|l| l.iter().find(|x| x["vni"] == 100))
        .and_then(|x| x[name]["packets"].as_u64())
        .ok_or_else(|| anyhow::anyhow!("no counter {name} in {s}"))
}

fn vtepd_mac(v: &Vtepd, mac: &str) -> Result<Option<Value>> {
    let s = v.show(&["evpn", "mac", "vni", "100"])?;
    Ok(s["vnis"][0]["macs"]
        .as_array()
        .and_then(|l| l.iter().find(|m| m["mac"] == mac).cloned()))
}

#[test]
fn evpn_mixed_vtepd_and_frr() -> Result<()> {
    let started = Instant::now();
    let lab = Lab::new()?;
    let f = lab.netns("f")?;
    let v = lab.netns("v")?;
    let _u = Veth::pair(&f, "u0", &v, "u0")
        .addrs_a(&["10.0.0.1/24"])
        .addrs_b(&["10.0.0.2/24"])
        .create()?;
    f.disable_tx_offload("u0")?;
    let seg = L2Segment::create(
        &lab,
        &f,
        &L2SegmentSpec {
            vni: 100,
            local: "10.0.0.1".parse()?,
            underlay_dev: Some("u0"),
            mtu: 1450,
            host_name: "hb",
            host_mac: B_MAC,
            host_addrs: &["192.168.100.1/24", "fd00:100::1/64"],
            static_remotes: &[],
        },
    )?;
    // An address on the bridge (FRR's SVI for the VNI) lets zebra learn
    // B's IP from the kernel's neighbour table and advertise MAC/IP.
    f.add_addr("br100", "192.168.100.254/24")?;
    f.add_addr("br100", "fd00:100::fe/64")?;
    let conf = EvpnBgpConf {
        hostname: "frr",
        router_id: "10.0.0.1",
        neighbors: &[("10.0.0.2", "internal")],
        ..Default::default()
    }
    .render();
    let frr = f.frr("hostname frr\n!\n", Some(&conf))?;

    let ha = lab.netns("ha")?;
    let _hl = Veth::pair(&v, "hv0", &ha, "eth0")
        .mtu(1450)
        .mac_b(A_MAC)
        .addrs_b(&["192.168.100.2/24", "fd00:100::2/64"])
        .create()?;
    ha.disable_tx_offload("eth0")?;
    let vtepd = Vtepd::start(&lab, &v, "vtepd", vtepd_conf())?;
    vtepd.wait_established(&lab, "10.0.0.1")?;
    frr.wait_established("10.0.0.2", T)?;

    // A and B ping over IPv4 and IPv6.
    ha.wait_ping("192.168.100.1", T)?;
    ha.wait_ping("fd00:100::1", T)?;
    seg.host.wait_ping("192.168.100.2", T)?;
    seg.host.wait_ping("fd00:100::2", T)?;

    // FRR lists A as remote behind vtepd's tunnel address.
    lab.wait_until(T, "FRR to list A as remote at 10.0.0.2", || {
        let j = frr.vtysh_json("show evpn mac vni 100 json")?;
        let m = &j["macs"][A_MAC];
        Ok::<bool, anyhow::Error>(m["type"] == "remote" && m["remoteVtep"] == "10.0.0.2")
    })?;
    // vtepd lists B as remote behind FRR's.
    lab.wait_until(T, "vtepd to list B as remote at 10.0.0.1", || {
        Ok::<bool, anyhow::Error>(
            vtepd_mac(&vtepd, B_MAC)?
                .is_some_and(|m| m["type"] == "remote" && m["remote-vtep"] == "10.0.0.1"),
        )
    })?;
    let a = vtepd_mac(&vtepd, A_MAC)?.ok_or_else(|| anyhow::anyhow!("A not local"))?;
    assert_eq!(a["type"], "local");
    assert_eq!(a["interface"], "hv0");
    let text = vtepd.show_text(&["evpn", "mac", "vni", "100"])?;
    println!("{text}");
    assert!(text.contains(B_MAC) && text.contains("10.0.0.1"));

    // B's MAC/IP reaches vtepd's ARP cache once FRR knows B's address.
    f.wait_ping("192.168.100.1", T)?;
    lab.wait_until(T, "vtepd to hold B's MAC/IP binding", || {
        let c = vtepd.show(&["evpn", "arp-cache", "vni", "100"])?;
        Ok::<bool, anyhow::Error>(c["vnis"][0]["entries"].as_array().is_some_and(|l| {
            l.iter()
                .any(|e| e["ip"] == "192.168.100.1" && e["mac"] == B_MAC && e["type"] == "remote")
        }))
    })?;
    // A forgets B; its next ARP request is answered by vtepd, not flooded.
    // B listens for ARP requests from A while A asks.
    std::thread::sleep(Duration::from_millis(1200));
    let sup0 = vni_counter(&vtepd, "suppressed")?;
    let dump = seg
        .host
        .command("timeout")
        .args([
            "4", "tcpdump", "-l", "-n", "-i", "eth0", "arp", "and", "ether", "src", A_MAC,
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    std::thread::sleep(Duration::from_millis(1000));
    ha.ip(&["neigh", "flush", "dev", "eth0"])?;
    assert!(ha.ping("192.168.100.1"), "A to B after the ARP flush");
    let seen = String::from_utf8_lossy(&dump.wait_with_output()?.stdout).into_owned();
    std::thread::sleep(Duration::from_millis(1000));
    let sup1 = vni_counter(&vtepd, "suppressed")?;
    println!("ARP requests answered by vtepd: {sup0} -> {sup1}; ARP from A seen by B: {seen:?}");
    assert!(sup1 > sup0, "the ARP request was not answered by vtepd");
    assert!(
        !seen.contains("Request"),
        "A's ARP request was flooded to B: {seen}"
    );

    // The same for IPv6: B's MAC/IPv6 route, A's neighbour solicitation
    // answered by vtepd.
    f.wait_ping("fd00:100::1", T)?;
    lab.wait_until(T, "vtepd to hold B's MAC/IPv6 binding", || {
        let c = vtepd.show(&["evpn", "arp-cache", "vni", "100"])?;
        Ok::<bool, anyhow::Error>(c["vnis"][0]["entries"].as_array().is_some_and(|l| {
            l.iter()
                .any(|e| e["ip"] == "fd00:100::1" && e["mac"] == B_MAC && e["type"] == "remote")
        }))
    })?;
    std::thread::sleep(Duration::from_millis(700));
    let sup2 = vni_counter(&vtepd, "suppressed")?;
    ha.ip(&["-6", "neigh", "flush", "dev", "eth0"])?;
    assert!(ha.ping("fd00:100::1"), "A to B (IPv6) after the ND flush");
    std::thread::sleep(Duration::from_millis(700));
    let sup3 = vni_counter(&vtepd, "suppressed")?;
    println!("neighbour solicitations answered by vtepd: {sup2} -> {sup3}");
    assert!(sup3 > sup2, "the NS for B was not answered by vtepd");
    println!("{}", vtepd.show_text(&["evpn", "arp-cache"])?);

    // The other show commands answer.
    for w in [&["evpn", "vni"][..], &["vteps"], &["interfaces"]] {
        println!("{}", vtepd.show_text(w)?);
    }
    let vt = vtepd.show(&["vteps"])?;
    assert_eq!(vt["vteps"][0]["vtep"], "10.0.0.1");
    println!("evpn_mixed took {:?}", started.elapsed());
    Ok(())
}
