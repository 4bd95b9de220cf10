//! Self-test of the lab: two FRR VTEPs (zebra + bgpd) over kernel VXLAN and
//! bridges exchange EVPN type-2 and type-3 routes over iBGP, and the hosts
//! behind them ping each other over IPv4 and IPv6. Afterwards nothing the
//! test made is left.

use std::path::Path;
use std::time::{Duration, Instant};

use vtepd_lab::topo::{unnumbered_evpn_frr, EvpnBgpConf, L2Segment, L2SegmentSpec};
use vtepd_lab::{Lab, Result, Veth};

const T: Duration = Duration::from_secs(30);

#[test]
fn frr_evpn_two_vteps() -> Result<()> {
    let started = Instant::now();
    let lab = Lab::new()?;
    let mut pids = Vec::new();
    let mut namespaces = Vec::new();
    {
        let v1 = lab.netns("vtep1")?;
        let v2 = lab.netns("vtep2")?;
        let _underlay = Veth::pair(&v1, "u0", &v2, "u0")
            .addrs_a(&["10.0.0.1/24"])
            .addrs_b(&["10.0.0.2/24"])
            .create()?;
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
        namespaces.extend([&v1, &v2, h1, h2].map(|n| n.name().to_owned()));
        let conf = |name: &str, me: &str, peer: &str| {
            EvpnBgpConf {
                hostname: name,
                router_id: me,
                neighbors: &[(peer, "internal")],
                ..Default::default()
            }
            .render()
        };
        let frr1 = v1.frr(
            "hostname vtep1\n",
            Some(&conf("vtep1", "10.0.0.1", "10.0.0.2")),
        )?;
        let frr2 = v2.frr(
            "hostname vtep2\n",
            Some(&conf("vtep2", "10.0.0.2", "10.0.0.1")),
        )?;
        pids.extend(frr1.pids());
        pids.extend(frr2.pids());
        assert_eq!(pids.len(), 4, "zebra and bgpd per VTEP");

        frr1.wait_established("10.0.0.2", T)?;
        frr2.wait_established("10.0.0.1", T)?;
        println!("established after {:?}", started.elapsed());

        // Type-3 (inclusive multicast) routes both ways.
        frr1.wait_evpn_route("type-3 of vtep2", T, |_, p| p == "[3]:[0]:[32]:[10.0.0.2]")?;
        frr2.wait_evpn_route("type-3 of vtep1", T, |_, p| p == "[3]:[0]:[32]:[10.0.0.1]")?;

        // Hosts ping each other; the VTEPs learn their MACs and advertise
        // type-2 routes.
        h1.wait_ping("192.168.100.2", T)?;
        h2.wait_ping("192.168.100.1", T)?;
        frr1.wait_evpn_route("type-2 of h2", T, |_, p| {
            p.starts_with("[2]:[0]:[48]:[02:00:00:00:01:02]")
        })?;
        frr2.wait_evpn_route("type-2 of h1", T, |_, p| {
            p.starts_with("[2]:[0]:[48]:[02:00:00:00:01:01]")
        })?;
        h1.wait_ping("fd00:100::2", T)?;
        h2.wait_ping("fd00:100::1", T)?;
        println!("pings after {:?}", started.elapsed());

        // The routes are in the JSON both ways, with the right RDs' VTEPs.
        let routes1 = frr1.evpn_routes()?;
        assert!(routes1.iter().any(|(_, p)| p == "[3]:[0]:[32]:[10.0.0.1]"));
        assert!(routes1.iter().any(|(_, p)| p == "[3]:[0]:[32]:[10.0.0.2]"));
        assert!(routes1.iter().any(|(rd, p)| rd.starts_with("10.0.0.2:")
            && p.starts_with("[2]:[0]:[48]:[02:00:00:00:01:02]")));
        let routes2 = frr2.evpn_routes()?;
        assert!(routes2.iter().any(|(rd, p)| rd.starts_with("10.0.0.1:")
            && p.starts_with("[2]:[0]:[48]:[02:00:00:00:01:01]")));

        // zebra installed the remote MACs and the flood entry in the kernel.
        for (vtep, remote_mac, remote_ip) in [
            (&v1, "02:00:00:00:01:02", "10.0.0.2"),
            (&v2, "02:00:00:00:01:01", "10.0.0.1"),
        ] {
            let fdb = vtep.fdb(Some("vxlan100"))?;
            assert!(
                fdb.lines().any(|l| l.starts_with(remote_mac)
                    && l.contains(&format!("dst {remote_ip}"))
                    && l.contains("extern_learn")),
                "no extern_learn entry for {remote_mac} in:\n{fdb}"
            );
            assert!(
                fdb.lines().any(|l| l.starts_with("00:00:00:00:00:00")
                    && l.contains(&format!("dst {remote_ip}"))),
                "no flood entry to {remote_ip} in:\n{fdb}"
            );
        }
        println!("checks done after {:?}", started.elapsed());
    }
    // Everything dropped: nothing of ours may be left.
    assert!(
        lab.live_namespaces().is_empty(),
        "left: {:?}",
        lab.live_namespaces()
    );
    let listed = vtepd_lab::run::<&str>("ip", &["netns", "list"])?;
    for ns in &namespaces {
        assert!(!listed.contains(ns.as_str()), "{ns} still exists");
        assert!(
            !Path::new("/etc/frr").join(ns).exists(),
            "/etc/frr/{ns} left"
        );
        assert!(
            !Path::new("/var/run/frr").join(ns).exists(),
            "/var/run/frr/{ns} left"
        );
    }
    for pid in pids {
        assert!(
            !Path::new(&format!("/proc/{pid}")).exists(),
            "FRR pid {pid} still running"
        );
    }
    println!("total {:?}", started.elapsed());
    assert!(started.elapsed() < Duration::from_secs(60));
    Ok(())
}

/// BGP unnumbered between two FRR VTEPs over a veth with only IPv6
/// link-local addresses: the VTEP loopbacks travel as IPv4 routes with IPv6
/// next hops (RFC 8950), EVPN routes cross the same eBGP session, and the
/// hosts ping.
#[test]
fn frr_unnumbered_evpn() -> Result<()> {
    let started = Instant::now();
    let lab = Lab::new()?;
    let v1 = lab.netns("vtep1")?;
    let v2 = lab.netns("vtep2")?;
    let _underlay = Veth::pair(&v1, "u0", &v2, "u0").create()?;
    let ll2 = v2.link_local("u0")?;
    let mut segs = Vec::new();
    let mut frrs = Vec::new();
    for (vtep, n) in [(&v1, 1u8), (&v2, 2)] {
        let lo = format!("10.255.0.{n}");
        vtep.lo_addr(&format!("{lo}/32"))?.persist();
        segs.push(L2Segment::create(
            &lab,
            vtep,
            &L2SegmentSpec {
                vni: 100,
                local: lo.parse()?,
                underlay_dev: None,
                mtu: 1450,
                host_name: &format!("h{n}"),
                host_mac: &format!("02:00:00:00:01:0{n}"),
                host_addrs: &[&format!("192.168.100.{n}/24"), &format!("fd00:100::{n}/64")],
                static_remotes: &[],
            },
        )?);
        frrs.push(unnumbered_evpn_frr(vtep, n, &lo)?);
    }
    frrs[0].wait_established("u0", T)?;
    frrs[1].wait_established("u0", T)?;
    v1.wait_route("10.255.0.2/32", T)?;
    let route = v1.ip(&["route", "show", "10.255.0.2/32"])?;
    assert!(
        route.contains(&format!("via inet6 {ll2}")) && route.contains("dev u0"),
        "{route}"
    );
    frrs[0].wait_evpn_route("type-3 of vtep2", T, |_, p| {
        p == "[3]:[0]:[32]:[10.255.0.2]"
    })?;
    frrs[1].wait_evpn_route("type-3 of vtep1", T, |_, p| {
        p == "[3]:[0]:[32]:[10.255.0.1]"
    })?;
    let (h1, h2) = (&segs[0].host, &segs[1].host);
    h1.wait_ping("192.168.100.2", T)?;
    h2.wait_ping("fd00:100::1", T)?;
    println!("frr_unnumbered_evpn: {:?}", started.elapsed());
    assert!(started.elapsed() < Duration::from_secs(60));
    Ok(())
}
