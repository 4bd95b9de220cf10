//! vtepd ↔ FRR 8.4 over BGP unnumbered: a veth with only IPv6 link-local
//! addresses, FRR `neighbor u0 interface remote-as external|internal`,
//! vtepd `[[neighbor]] interface = "u0"`. Both learn the other's link-local
//! address from router advertisements, the session comes up with the
//! extended next hop capability, each side's VTEP /32 crosses in IPv4
//! unicast with the link-local next hop and lands in both kernels (FRR's
//! zebra on one side, vtepd's rtnetlink route on the other), the VTEP addresses
//! ping each other over it, and the EVPN type-3 routes cross the same
//! session with the IPv4 VTEP addresses as next hops.

mod common;

use std::time::{Duration, Instant};

use common::{Vtepd, T};
use vtepd_lab::topo::{EvpnBgpConf, L2Segment, L2SegmentSpec};
use vtepd_lab::{Lab, Result, Veth};

fn vtepd_conf(asn: u32, remote: &str) -> String {
    vtepd_conf_ports(asn, remote, "")
}

fn vtepd_conf_ports(asn: u32, remote: &str, vni_extra: &str) -> String {
    format!(
        r#"
[bgp]
router-id = "10.255.0.2"
asn = {asn}
listen = ["[::]:179"]

[control]
socket = "@SOCKET@"

[underlay]
local-ip = "10.255.0.2"

[[neighbor]]
interface = "u0"
remote-as = "{remote}"
address-families = ["l2vpn-evpn", "ipv4-unicast"]
hold-time = 9
connect-retry = 1

[[vni]]
vni = 100
{vni_extra}

[[originate]]
type = "ipv4-unicast"
prefix = "10.255.0.2/32"
"#
    )
}

fn unnumbered(frr_as: u32, vtepd_as: u32, remote: &str) -> Result<()> {
    let started = Instant::now();
    let lab = Lab::new()?;
    let f = lab.netns("f")?;
    let v = lab.netns("v")?;
    // No IPv4 and no global IPv6 address on the link.
    let _link = Veth::pair(&f, "u0", &v, "u0").create()?;
    let ll_f = f.link_local("u0")?;
    let ll_v = v.link_local("u0")?;
    f.lo_addr("10.255.0.1/32")?.persist();
    v.lo_addr("10.255.0.2/32")?.persist();
    let _seg = L2Segment::create(
        &lab,
        &f,
        &L2SegmentSpec {
            vni: 100,
            local: "10.255.0.1".parse()?,
            underlay_dev: None,
            mtu: 1450,
            host_name: "h1",
            host_mac: "02:00:00:00:01:01",
            host_addrs: &["192.168.100.1/24"],
            static_remotes: &[],
        },
    )?;
    let zebra = "hostname frr\ninterface u0\n ipv6 nd ra-interval 3\n no ipv6 nd suppress-ra\n!\n";
    let bgpd = EvpnBgpConf {
        hostname: "frr",
        asn: frr_as,
        router_id: "10.255.0.1",
        neighbors: &[("u0", remote)],
        ipv4_unicast: true,
        ipv4_networks: &["10.255.0.1/32"],
        ..Default::default()
    }
    .render();
    let frr = f.frr(zebra, Some(&bgpd))?;
    let vtepd = Vtepd::start(
        &lab,
        &v,
        "vtepd",
        &vtepd_conf(
            vtepd_as,
            if remote == "internal" {
                "internal"
            } else {
                "external"
            },
        ),
    )?;

    frr.wait_established("u0", T)?;
    vtepd.wait_established(&lab, "u0")?;
    let up = started.elapsed();
    let peer = vtepd.peer("u0")?;
    let fams = peer["families"].to_string();
    assert!(
        fams.contains("ipv4-unicast") && fams.contains("l2vpn-evpn"),
        "{peer}"
    );

    // FRR saw the extended next hop capability both ways.
    let n = frr.vtysh_json("show bgp neighbors u0 json")?;
    let caps = n["u0"]["neighborCapabilities"].to_string();
    assert!(
        caps.contains("extendedNexthop"),
        "FRR neighbour capabilities: {caps}"
    );

    // vtepd's /32 in FRR's kernel via vtepd's link-local address, and FRR's
    // /32 in vtepd's namespace via FRR's (installed by vtepd).
    f.wait_route("10.255.0.2/32", T)?;
    let r = f.ip(&["route", "show", "10.255.0.2/32"])?;
    assert!(
        r.contains(&format!("via inet6 {ll_v}")) && r.contains("dev u0"),
        "FRR side: {r}"
    );
    v.wait_route("10.255.0.1/32", T)?;
    let r = v.ip(&["route", "show", "10.255.0.1/32"])?;
    assert!(
        r.contains(&format!("via inet6 {ll_f}")) && r.contains("dev u0") && r.contains("bgp"),
        "vtepd side: {r}"
    );
    // vtepd's RIB has FRR's /32 with the link-local next hop.
    let paths = vtepd.paths(&["bgp", "ipv4"])?;
    assert!(
        paths
            .iter()
            .any(|p| p.to_string().contains(&ll_f.to_string())),
        "vtepd ipv4 paths: {paths:?}"
    );
    // The underlay works: VTEP to VTEP over the unnumbered link.
    v.wait_ping("10.255.0.1", T)?;

    // EVPN type-3 both ways over the same session, IPv4 VTEP next hops.
    frr.wait_evpn_route("type-3 of vtepd", T, |_, p| {
        p == "[3]:[0]:[32]:[10.255.0.2]"
    })?;
    let evpn = frr.vtysh_json("show bgp l2vpn evpn route type multicast json")?;
    assert!(
        evpn.to_string().contains("\"ip\":\"10.255.0.2\""),
        "FRR's type-3 of vtepd has next hop 10.255.0.2: {evpn}"
    );
    lab.wait_until(T, "vtepd has FRR's type-3", || {
        vtepd
            .paths(&["bgp", "evpn", "route", "type", "3"])
            .map(|ps| ps.iter().any(|p| p.to_string().contains("10.255.0.1")))
    })?;

    // SIGTERM: Cease / Administrative Shutdown (6/2) reaches FRR over the
    // link-local session.
    let mut vtepd = vtepd;
    vtepd.process.stop_with("TERM", Duration::from_secs(5))?;
    // ... and the kernel route vtepd added is gone with it.
    assert!(
        !v.has_route("10.255.0.1/32")?,
        "left behind: {}",
        v.ip(&["route"])?
    );
    lab.wait_until(T, "FRR records Cease 6/2 from vtepd", || {
        frr.vtysh_json("show bgp neighbors u0 json")
            .map(|n| n.to_string().contains("\"lastErrorCodeSubcode\":\"0602\""))
    })?;

    println!(
        "unnumbered {remote}: session up after {up:?}, all checks after {:?}",
        started.elapsed()
    );
    assert!(started.elapsed() < Duration::from_secs(60));
    Ok(())
}

/// The mixed topology over the unnumbered link: host A behind vtepd (its
/// dataplane on a veth), host B behind FRR + kernel VXLAN; the VXLAN
/// underlay between 10.255.0.2 and 10.255.0.1 runs over the routes learnt
/// with link-local next hops; A and B ping.
#[test]
fn unnumbered_hosts_ping() -> Result<()> {
    let started = Instant::now();
    let lab = Lab::new()?;
    let f = lab.netns("f")?;
    let v = lab.netns("v")?;
    let _link = Veth::pair(&f, "u0", &v, "u0").create()?;
    f.disable_tx_offload("u0")?;
    f.lo_addr("10.255.0.1/32")?.persist();
    v.lo_addr("10.255.0.2/32")?.persist();
    let seg = L2Segment::create(
        &lab,
        &f,
        &L2SegmentSpec {
            vni: 100,
            local: "10.255.0.1".parse()?,
            underlay_dev: None,
            mtu: 1450,
            host_name: "hb",
            host_mac: "02:00:00:00:01:01",
            host_addrs: &["192.168.100.1/24"],
            static_remotes: &[],
        },
    )?;
    let zebra = "hostname frr\ninterface u0\n ipv6 nd ra-interval 3\n no ipv6 nd suppress-ra\n!\n";
    let bgpd = EvpnBgpConf {
        hostname: "frr",
        asn: 65001,
        router_id: "10.255.0.1",
        neighbors: &[("u0", "external")],
        ipv4_unicast: true,
        ipv4_networks: &["10.255.0.1/32"],
        ..Default::default()
    }
    .render();
    let frr = f.frr(zebra, Some(&bgpd))?;
    let ha = lab.netns("ha")?;
    let _hl = Veth::pair(&v, "hv0", &ha, "eth0")
        .mtu(1450)
        .mac_b("02:00:00:00:02:02")
        .addrs_b(&["192.168.100.2/24"])
        .create()?;
    ha.disable_tx_offload("eth0")?;
    let vtepd = Vtepd::start(
        &lab,
        &v,
        "vtepd",
        // Nothing but the port configured: like FRR, vtepd imports its
        // auto-derived RT as *:VNI, so FRR's 65001:100 routes are imported
        // across the eBGP session.
        &vtepd_conf_ports(65002, "external", "interfaces = [\"hv0\"]"),
    )?;
    frr.wait_established("u0", T)?;
    vtepd.wait_established(&lab, "u0")?;
    v.wait_route("10.255.0.1/32", T)?;
    let r = ha.wait_ping("192.168.100.1", T);
    if r.is_err() {
        println!("v routes: {}", v.ip(&["route"])?);
        println!("f routes: {}", f.ip(&["route"])?);
        println!("f fdb: {}", f.fdb(None)?);
        println!("vtepd vteps: {}", vtepd.show_text(&["vteps"])?);
        println!("vtepd interfaces: {}", vtepd.show_text(&["interfaces"])?);
        println!("vtepd log: {}", vtepd.process.log());
    }
    r?;
    seg.host.wait_ping("192.168.100.2", T)?;
    println!("unnumbered hosts ping: {:?}", started.elapsed());
    assert!(started.elapsed() < Duration::from_secs(60));
    Ok(())
}

#[test]
fn unnumbered_ebgp_with_frr() -> Result<()> {
    unnumbered(65001, 65002, "external")
}

#[test]
fn unnumbered_ibgp_with_frr() -> Result<()> {
    unnumbered(65001, 65001, "internal")
}
