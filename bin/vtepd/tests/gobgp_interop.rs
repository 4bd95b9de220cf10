//! vtepd ↔ gobgpd (GoBGP 3.10): session with l2vpn-evpn, ipv4/ipv6 unicast
//! and vpnv4; every EVPN route type and VPNv4 injected with the gobgp CLI
//! arrives in vtepd with every field; vtepd's originated routes arrive in
//! GoBGP with the same fields; withdrawals both ways; GoBGP's re-advertisement after softresetout.

mod common;

use std::time::{Duration, Instant};

use common::{Vtepd, T};
use vtepd_lab::serde_json::Value;
use vtepd_lab::topo::{GobgpdConf, Pair};
use vtepd_lab::{Lab, Result};

/// GoBGP at 10.0.0.2, iBGP with vtepd at 10.0.0.1 in every family vtepd
/// speaks.
fn gobgpd_conf() -> String {
    GobgpdConf::new(65000, "10.0.0.2")
        .neighbor(
            "10.0.0.1",
            65000,
            &[
                "l2vpn-evpn",
                "ipv4-unicast",
                "ipv6-unicast",
                "l3vpn-ipv4-unicast",
            ],
        )
        .render()
}

const VTEPD: &str = r#"
[bgp]
router-id = "10.0.0.1"
asn = 65000
listen = ["10.0.0.1:179"]

[control]
socket = "@SOCKET@"

[[neighbor]]
address = "10.0.0.2"
remote-as = "internal"
address-families = ["l2vpn-evpn", "ipv4-unicast", "ipv6-unicast", "ipv4-vpn"]
hold-time = 9
connect-retry = 1

[[vni]]
vni = 100

[[vni]]
vni = 4000
kind = "l3"
router-mac = "02:00:00:00:01:ff"

[[originate]]
type = "evpn-mac-ip"
vni = 100
mac = "02:00:00:00:01:01"
ip = "192.168.100.11"
mobility-seq = 3

[[originate]]
type = "evpn-prefix"
l3vni = 4000
prefix = "10.70.0.0/24"

[[originate]]
type = "vpnv4"
rd = "65000:7"
rt = ["65000:7"]
label = 1000
prefix = "10.80.0.0/24"

[[originate]]
type = "ipv4-unicast"
prefix = "10.90.0.0/24"

[[originate]]
type = "ipv6-unicast"
prefix = "fd00:90::/64"
"#;

fn find(paths: &[Value], pred: impl Fn(&Value) -> bool) -> Option<&Value> {
    paths.iter().find(|p| pred(p))
}

fn keys(v: &Value) -> Vec<String> {
    v.as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

#[test]
fn gobgp_interop() -> Result<()> {
    let started = Instant::now();
    let lab = Lab::new()?;
    let pair = Pair::create(&lab, "v", "g")?;
    let (vns, gns) = (&pair.a, &pair.b);
    let mut vtepd = Vtepd::start(&lab, vns, "vtepd", VTEPD)?;
    let gobgp = gns.gobgpd(&gobgpd_conf())?;
    gobgp.wait_established("10.0.0.1", T)?;
    vtepd.wait_established(&lab, "10.0.0.2")?;
    let peer = vtepd.peer("10.0.0.2")?;
    let fams = peer["families"].to_string();
    for f in ["l2vpn-evpn", "ipv4-unicast", "ipv6-unicast", "ipv4-vpn"] {
        assert!(fams.contains(f), "family {f} not negotiated: {peer}");
    }
    println!("established after {:?}", started.elapsed());
    println!("{}", vtepd.show_text(&["bgp", "summary"])?);

    // --- GoBGP -> vtepd: every EVPN route type and VPNv4 ----------------
    let rd = "10.0.0.2:100";
    let add = |fam: &str, args: &str| -> Result<()> {
        let mut a = vec!["global", "rib", "-a", fam, "add"];
        a.extend(args.split_whitespace());
        let out = gobgp.cli(&a)?;
        println!("gobgp {}: {out}", a.join(" "));
        Ok(())
    };
    add("evpn", &format!("a-d esi ARBITRARY 11:22:33:44:55:66:77:88:99 etag 10 label 200 rd {rd} rt 65000:100 encap vxlan esi-label 300 nexthop 10.0.0.2"))?;
    add("evpn", &format!("macadv 02:00:00:00:02:01 192.168.100.20 esi 0 etag 0 label 100 rd {rd} rt 65000:100 encap vxlan nexthop 10.0.0.2"))?;
    add("evpn", &format!("multicast 10.0.0.2 etag 0 rd {rd} rt 65000:100 encap vxlan pmsi ingress-repl 100 10.0.0.2 nexthop 10.0.0.2"))?;
    add("evpn", &format!("esi 10.0.0.2 esi ARBITRARY 11:22:33:44:55:66:77:88:99 rd {rd} rt 65000:100 encap vxlan nexthop 10.0.0.2"))?;
    add("evpn", "prefix 10.60.0.0/24 gw 0.0.0.0 esi 0 etag 0 label 4000 rd 10.0.0.2:4000 rt 65000:4000 encap vxlan router-mac 02:00:00:00:02:ff nexthop 10.0.0.2")?;
    add(
        "vpnv4",
        "10.61.0.0/24 label 2000 rd 65000:61 rt 65000:61 nexthop 10.0.0.2",
    )?;
    add("ipv4", "10.62.0.0/24 nexthop 10.0.0.2 med 20")?;
    add("ipv6", "fd00:62::/64 nexthop fd00::2")?;

    lab.wait_until(T, "GoBGP's EVPN routes in vtepd", || -> Result<bool> {
        let ps = vtepd.paths(&["bgp", "evpn", "route"])?;
        let from_g = ps.iter().filter(|p| p["source"] == "10.0.0.2").count();
        Ok(from_g >= 5)
    })?;
    let ps = vtepd.paths(&["bgp", "evpn", "route"])?;
    let g = |t: u64| {
        find(&ps, |p| p["source"] == "10.0.0.2" && p["route-type"] == t)
            .cloned()
            .unwrap_or_else(|| panic!("no type-{t} route from GoBGP in {ps:#?}"))
    };
    // Type 1.
    let t1 = g(1);
    assert_eq!(t1["rd"], rd);
    assert_eq!(t1["esi"], "00:11:22:33:44:55:66:77:88:99");
    assert_eq!(t1["ethernet-tag"], 10);
    assert_eq!(t1["label"]["vni"], 200);
    assert!(t1["esi-label"]["single-active"].is_boolean(), "{t1}");
    assert_eq!(t1["esi-label"]["label"]["vni"], 300, "{t1}");
    assert_eq!(t1["route-targets"][0], "65000:100");
    // Type 2.
    let t2 = g(2);
    assert_eq!(t2["rd"], rd);
    assert_eq!(t2["mac"], "02:00:00:00:02:01");
    assert_eq!(t2["ip"], "192.168.100.20");
    assert_eq!(t2["esi"], "00:00:00:00:00:00:00:00:00:00");
    assert_eq!(t2["ethernet-tag"], 0);
    assert_eq!(t2["vni"], 100);
    assert_eq!(t2["route-targets"][0], "65000:100");
    assert_eq!(t2["encapsulation"], "vxlan");
    // The gobgp CLI cannot attach MAC mobility (no such option in 3.10);
    // the other direction checks it.
    assert_eq!(t2["next-hop"], "10.0.0.2");
    assert!(t2["origin"].is_string(), "{t2}");
    assert_eq!(t2["local-pref"], 100);
    assert_eq!(t2["best"], true);
    // Type 3.
    let t3 = g(3);
    assert_eq!(t3["originator-ip"], "10.0.0.2");
    assert_eq!(t3["pmsi"]["tunnel-type"], "ingress-replication");
    assert_eq!(t3["pmsi"]["vni"], 100);
    assert_eq!(t3["pmsi"]["tunnel-id"], "10.0.0.2");
    // Type 4.
    let t4 = g(4);
    assert_eq!(t4["esi"], "00:11:22:33:44:55:66:77:88:99");
    assert_eq!(t4["originator-ip"], "10.0.0.2");
    // Type 5.
    let t5 = g(5);
    assert_eq!(t5["rd"], "10.0.0.2:4000");
    assert_eq!(t5["ip-prefix"], "10.60.0.0/24");
    assert_eq!(t5["gateway"], "0.0.0.0");
    assert_eq!(t5["vni"], 4000);
    assert_eq!(t5["router-mac"], "02:00:00:00:02:ff");
    assert_eq!(t5["route-targets"][0], "65000:4000");
    // Filters.
    let only2 = vtepd.paths(&["bgp", "evpn", "route", "type", "2"])?;
    assert!(
        only2.iter().all(|p| p["route-type"] == 2) && only2.len() >= 2,
        "{only2:#?}"
    );
    let vni100 = vtepd.paths(&["bgp", "evpn", "route", "vni", "100"])?;
    assert!(
        vni100.iter().any(|p| p["mac"] == "02:00:00:00:02:01"),
        "{vni100:#?}"
    );
    assert!(!vni100.iter().any(|p| p["route-type"] == 5), "{vni100:#?}");
    // VPNv4.
    lab.wait_until(T, "GoBGP's VPNv4 route in vtepd", || -> Result<bool> {
        Ok(vtepd
            .paths(&["bgp", "vpnv4"])?
            .iter()
            .any(|p| p["source"] == "10.0.0.2"))
    })?;
    let vp = vtepd.paths(&["bgp", "vpnv4"])?;
    let v4 = find(&vp, |p| p["source"] == "10.0.0.2")
        .cloned()
        .unwrap_or_default();
    assert_eq!(v4["rd"], "65000:61");
    assert_eq!(v4["network"], "10.61.0.0/24");
    assert_eq!(v4["label"], 2000);
    assert_eq!(v4["route-targets"][0], "65000:61");
    assert_eq!(v4["next-hop"], "10.0.0.2");
    // IPv4 and IPv6 unicast.
    lab.wait_until(T, "GoBGP's unicast routes in vtepd", || -> Result<bool> {
        Ok(vtepd
            .paths(&["bgp", "ipv4"])?
            .iter()
            .any(|p| p["network"] == "10.62.0.0/24")
            && vtepd
                .paths(&["bgp", "ipv6"])?
                .iter()
                .any(|p| p["network"] == "fd00:62::/64"))
    })?;
    let p4 = vtepd.paths(&["bgp", "ipv4"])?;
    let p4 = find(&p4, |p| p["network"] == "10.62.0.0/24")
        .cloned()
        .unwrap_or_default();
    assert_eq!(p4["next-hop"], "10.0.0.2");
    assert_eq!(p4["med"], 20);
    let p6 = vtepd.paths(&["bgp", "ipv6"])?;
    let p6 = find(&p6, |p| p["network"] == "fd00:62::/64")
        .cloned()
        .unwrap_or_default();
    assert_eq!(p6["next-hop"], "fd00::2");
    println!("{}", vtepd.show_text(&["bgp", "evpn", "route"])?);
    println!("{}", vtepd.show_text(&["bgp", "ipv4"])?);

    // --- vtepd -> GoBGP -------------------------------------------------
    gobgp.wait_rib("evpn", "vtepd's EVPN routes in GoBGP", T, |v| {
        let ks = keys(v);
        ks.iter().any(|k| k.contains("02:00:00:00:01:01"))
            && ks
                .iter()
                .any(|k| k.contains("[type:multicast]") && k.contains("10.0.0.1"))
            && ks.iter().any(|k| k.contains("10.70.0.0"))
    })?;
    let ev = gobgp.rib_json("evpn")?;
    let text = ev.to_string();
    println!("GoBGP EVPN RIB: {text}");
    // The key carries the RD and NLRI fields, the value the attributes.
    let entry = |needle: &str| -> String {
        ev.as_object()
            .and_then(|o| o.iter().find(|(k, _)| k.contains(needle)))
            .map(|(k, v)| format!("{k} {v}"))
            .unwrap_or_else(|| panic!("{needle} not in {text}"))
    };
    let m = entry("02:00:00:00:01:01");
    for want in [
        "10.0.0.1:1",
        "192.168.100.11",
        "65000:100",
        "\"sequence\":3",
        "\"nexthop\":\"10.0.0.1\"",
        "\"labels\":[100]",
    ] {
        assert!(m.contains(want), "type-2 in GoBGP lacks {want}: {m}");
    }
    let mc = entry("[type:multicast][rd:10.0.0.1:1]");
    assert!(
        mc.contains("10.0.0.1:1") && mc.contains("65000:100"),
        "{mc}"
    );
    assert!(
        mc.contains("\"tunnel-type\":6")
            && mc.contains("\"tunnel-id\":\"10.0.0.1\"")
            && mc.contains("\"label\":100"),
        "PMSI: {mc}"
    );
    let p5 = entry("10.70.0.0");
    for want in [
        "10.0.0.1:2",
        "02:00:00:00:01:ff",
        "\"label\":4000",
        "65000:4000",
        "\"gateway\":\"0.0.0.0\"",
    ] {
        assert!(p5.contains(want), "type-5 in GoBGP lacks {want}: {p5}");
    }
    gobgp.wait_rib("vpnv4", "vtepd's VPNv4 route in GoBGP", T, |v| {
        v.to_string().contains("10.80.0.0")
    })?;
    let vp = gobgp.rib_json("vpnv4")?.to_string();
    assert!(vp.contains("65000:7") && vp.contains("1000"), "{vp}");
    gobgp.wait_rib("ipv4", "vtepd's IPv4 route in GoBGP", T, |v| {
        v.to_string().contains("10.90.0.0/24")
    })?;
    gobgp.wait_rib("ipv6", "vtepd's IPv6 route in GoBGP", T, |v| {
        v.to_string().contains("fd00:90::/64")
    })?;

    // Route refresh: `gobgp neighbor ADDR softresetin` re-reads GoBGP's
    // own Adj-RIB-In and sends no ROUTE-REFRESH (seen in vtepd's log), so
    // the ROUTE-REFRESH handling is checked by the hostile_peer test's raw
    // peer. `softresetout` makes GoBGP re-send everything: vtepd must take
    // the duplicates without change.
    let count = vtepd.peer("10.0.0.2")?["prefixes-received"].clone();
    gobgp.cli(&["neighbor", "10.0.0.1", "softresetout", "-a", "evpn"])?;
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(vtepd.peer("10.0.0.2")?["prefixes-received"], count);

    // --- two paths for one route: best + why the other lost ------------
    // GoBGP advertises vtepd's MAC/IP under vtepd's RD. GoBGP treats it as
    // a MAC move (RFC 7432 §15) and attaches MAC mobility sequence 4, one
    // above vtepd's 3, so GoBGP's path wins in vtepd by sequence number.
    add("evpn", "macadv 02:00:00:00:01:01 192.168.100.11 esi 0 etag 0 label 100 rd 10.0.0.1:1 rt 65000:100 encap vxlan nexthop 10.0.0.2")?;
    lab.wait_until(T, "second path for vtepd's type-2", || -> Result<bool> {
        Ok(vtepd
            .paths(&["bgp", "evpn", "route", "type", "2"])?
            .iter()
            .filter(|p| p["mac"] == "02:00:00:00:01:01")
            .count()
            == 2)
    })?;
    let ps = vtepd.paths(&["bgp", "evpn", "route", "type", "2"])?;
    let local = find(&ps, |p| {
        p["mac"] == "02:00:00:00:01:01" && p["source"] == "local"
    })
    .cloned()
    .unwrap_or_default();
    let moved = find(&ps, |p| {
        p["mac"] == "02:00:00:00:01:01" && p["source"] == "10.0.0.2"
    })
    .cloned()
    .unwrap_or_default();
    assert_eq!(moved["mac-mobility"]["sequence"], 4, "{moved}");
    assert_eq!(moved["best"], true, "{moved}");
    assert!(moved["why-lost"].is_null(), "{moved}");
    assert_eq!(local["best"], false, "{local}");
    assert_eq!(
        local["why-lost"], "lower MAC mobility sequence number",
        "{local}"
    );
    gobgp.del_macadv("02:00:00:00:01:01", "192.168.100.11", 100, "10.0.0.1:1")?;
    lab.wait_until(T, "vtepd's own type-2 best again", || -> Result<bool> {
        Ok(vtepd
            .paths(&["bgp", "evpn", "route", "type", "2"])?
            .iter()
            .any(|p| {
                p["mac"] == "02:00:00:00:01:01" && p["source"] == "local" && p["best"] == true
            }))
    })?;

    // --- withdrawal GoBGP -> vtepd --------------------------------------
    gobgp.del_macadv("02:00:00:00:02:01", "192.168.100.20", 100, rd)?;
    lab.wait_until(T, "type-2 withdrawn in vtepd", || -> Result<bool> {
        Ok(!vtepd
            .paths(&["bgp", "evpn", "route"])?
            .iter()
            .any(|p| p["mac"] == "02:00:00:00:02:01"))
    })?;

    // --- withdrawal vtepd -> GoBGP: SIGTERM closes with Cease 6/2 --------
    let status = vtepd.process.stop_with("TERM", Duration::from_secs(5))?;
    assert!(status.success(), "vtepd exit after SIGTERM: {status:?}");
    assert!(vtepd.process.log().contains("vtepd stopped"));
    gobgp.wait_rib("evpn", "vtepd's routes gone from GoBGP", T, |v| {
        !keys(v).iter().any(|k| k.contains("10.0.0.1:"))
    })?;
    let n = gobgp.cli_json(&["neighbor", "10.0.0.1"])?.to_string();
    println!("GoBGP neighbor after SIGTERM: {n}");
    println!("total {:?}", started.elapsed());
    assert!(started.elapsed() < Duration::from_secs(60));
    Ok(())
}
