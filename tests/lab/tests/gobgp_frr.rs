//! Self-test of the lab: GoBGP peers with an FRR VTEP over iBGP l2vpn/evpn,
//! injects type-2, type-3 and type-5 routes, and FRR accepts and installs
//! all three; FRR's own type-3 and type-5 reach GoBGP.

use std::time::{Duration, Instant};

use vtepd_lab::serde_json::Value;
use vtepd_lab::topo::{EvpnBgpConf, GobgpdConf, Pair};
use vtepd_lab::{Lab, Result, Vxlan};

const T: Duration = Duration::from_secs(30);

const ZEBRA: &str = "hostname frr
vni 4000
!
";

/// Every NLRI string in GoBGP's `global rib -a evpn -j` (a map from prefix
/// string to paths).
fn gobgp_prefixes(v: &Value) -> Vec<String> {
    v.as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

#[test]
fn gobgp_injects_evpn_routes_into_frr() -> Result<()> {
    let started = Instant::now();
    let lab = Lab::new()?;
    let underlay = Pair::create(&lab, "frr", "gobgp")?;
    let (fns, gns) = (&underlay.a, &underlay.b);
    let br100 = fns.bridge("br100", None)?;
    let _vx100 = Vxlan::builder("vxlan100", 100, "10.0.0.1".parse()?)
        .dev("u0")
        .bridge("br100")
        .create(fns)?;
    let _br4000 = fns.bridge("br4000", None)?;
    let _vx4000 = Vxlan::builder("vxlan4000", 4000, "10.0.0.1".parse()?)
        .dev("u0")
        .bridge("br4000")
        .create(fns)?;
    let _ = &br100;

    let bgpd = EvpnBgpConf {
        neighbors: &[("10.0.0.2", "65000")],
        advertise_ipv4: true,
        ipv4_networks: &["10.50.0.0/24"],
        ..Default::default()
    }
    .render();
    let frr = fns.frr(ZEBRA, Some(&bgpd))?;
    let gobgp = gns.gobgpd(
        &GobgpdConf::new(65000, "10.0.0.2")
            .neighbor("10.0.0.1", 65000, &["l2vpn-evpn"])
            .render(),
    )?;
    frr.wait_established("10.0.0.2", T)?;
    gobgp.wait_established("10.0.0.1", T)?;
    println!("established after {:?}", started.elapsed());

    let rd = "10.0.0.2:100";
    let add = |args: &str| -> Result<()> {
        let mut a = vec!["global", "rib", "-a", "evpn", "add"];
        a.extend(args.split_whitespace());
        gobgp.cli(&a).map(drop)
    };
    add(&format!(
        "macadv 02:00:00:00:02:01 192.168.100.20 esi 0 etag 0 label 100 rd {rd} rt 65000:100 encap vxlan nexthop 10.0.0.2"
    ))?;
    add(&format!(
        "multicast 10.0.0.2 etag 0 rd {rd} rt 65000:100 encap vxlan pmsi ingress-repl 100 10.0.0.2 nexthop 10.0.0.2"
    ))?;
    add("prefix 10.60.0.0/24 gw 0.0.0.0 esi 0 etag 0 label 4000 rd 10.0.0.2:4000 rt 65000:4000 encap vxlan router-mac 02:00:00:00:02:ff nexthop 10.0.0.2")?;

    // GoBGP holds what it injected.
    let local = gobgp_prefixes(&gobgp.rib_json("evpn")?);
    assert_eq!(
        local.iter().filter(|p| p.contains("10.0.0.2:")).count(),
        3,
        "GoBGP RIB: {local:?}"
    );

    // FRR accepted all three, under GoBGP's RDs.
    frr.wait_evpn_route("type-2 from GoBGP", T, |r, p| {
        r == rd && p.starts_with("[2]:[0]:[48]:[02:00:00:00:02:01]") && p.contains("192.168.100.20")
    })?;
    frr.wait_evpn_route("type-3 from GoBGP", T, |r, p| {
        r == rd && p == "[3]:[0]:[32]:[10.0.0.2]"
    })?;
    frr.wait_evpn_route("type-5 from GoBGP", T, |r, p| {
        r == "10.0.0.2:4000" && p.starts_with("[5]:") && p.contains("10.60.0.0")
    })?;

    // The route details in FRR's JSON: the type-5 route carries the router
    // MAC and the L3 VNI label.
    let v = frr.vtysh_json("show bgp l2vpn evpn route rd 10.0.0.2:4000 json")?;
    let text = v.to_string();
    assert!(
        text.contains("02:00:00:00:02:ff"),
        "router MAC missing: {text}"
    );
    assert!(text.contains("65000:4000"), "RT missing: {text}");

    // zebra installed them: remote MAC and flood entry in the FDB, the
    // prefix via the remote VTEP on the L3VNI bridge.
    lab.wait_until(T, "FDB entries from GoBGP's routes", || -> Result<bool> {
        let fdb = fns.fdb(Some("vxlan100"))?;
        Ok(fdb.lines().any(|l| {
            l.starts_with("02:00:00:00:02:01")
                && l.contains("dst 10.0.0.2")
                && l.contains("extern_learn")
        }) && fdb
            .lines()
            .any(|l| l.starts_with("00:00:00:00:00:00") && l.contains("dst 10.0.0.2")))
    })?;
    fns.wait_route("10.60.0.0/24", T)?;
    let route = fns.ip(&["route", "show", "10.60.0.0/24"])?;
    assert!(
        route.contains("via 10.0.0.2") && route.contains("br4000") && route.contains("onlink"),
        "{route}"
    );

    // The other direction: FRR's type-3 for VNI 100 and type-5 for its
    // network reach GoBGP.
    gobgp.wait_rib("evpn", "FRR's type-3 and type-5 in GoBGP", T, |v| {
        let ps = gobgp_prefixes(v);
        ps.iter()
            .any(|p| p.contains("[type:multicast]") && p.contains("10.0.0.1"))
            && ps
                .iter()
                .any(|p| p.contains("[type:Prefix]") && p.contains("10.50.0.0"))
    })?;

    println!(
        "GoBGP EVPN RIB: {:#?}",
        gobgp_prefixes(&gobgp.rib_json("evpn")?)
    );
    println!("FRR EVPN routes: {:#?}", frr.evpn_routes()?);

    // Withdraw the type-2 route; FRR drops it.
    gobgp.del_macadv("02:00:00:00:02:01", "192.168.100.20", 100, rd)?;
    lab.wait_until(T, "type-2 withdrawn in FRR", || -> Result<bool> {
        Ok(!frr
            .evpn_routes()?
            .iter()
            .any(|(_, p)| p.contains("02:00:00:00:02:01")))
    })?;

    println!("total {:?}", started.elapsed());
    assert!(started.elapsed() < Duration::from_secs(60));
    Ok(())
}
