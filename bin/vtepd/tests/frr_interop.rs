//! vtepd ↔ FRR 8.4 bgpd: iBGP and eBGP EVPN sessions with type-2/3/5 both
//! ways (FRR side: kernel VXLAN + bridge VTEP and the L3VNI recipe), FRR as
//! route reflector for two vtepd clients, hold-timer expiry seen by FRR, and
//! the OPEN error vtepd sends for a wrong AS seen by FRR with its code, and
//! RFC 8538 Hard Resets both ways.

mod common;

use std::time::{Duration, Instant};

use common::{Vtepd, T};
use vtepd_lab::serde_json::Value;
use vtepd_lab::topo::{EvpnBgpConf, L2Segment, L2SegmentSpec, Pair, Star};
use vtepd_lab::{Frr, Lab, Netns, Result, Vxlan};

fn vtepd_conf(rid: &str, asn: u32, peer: &str, remote: &str, extra: &str) -> String {
    format!(
        r#"
[bgp]
router-id = "{rid}"
asn = {asn}
listen = ["{rid}:179"]

[control]
socket = "@SOCKET@"

[[neighbor]]
address = "{peer}"
remote-as = {remote}
address-families = ["l2vpn-evpn"]
hold-time = 9
connect-retry = 1
{extra}
"#
    )
}

const VNIS: &str = r#"
[[vni]]
vni = 100

[[vni]]
vni = 4000
kind = "l3"
router-mac = "02:00:00:00:0a:ff"

[[originate]]
type = "evpn-mac-ip"
vni = 100
mac = "02:00:00:00:0a:01"
ip = "192.168.100.10"

[[originate]]
type = "evpn-prefix"
l3vni = 4000
prefix = "10.70.0.0/24"
"#;

/// FRR VTEP in `ns` at 10.0.0.1 with VNI 100 (bridge, VXLAN, a host) and the
/// L3VNI 4000 of the default VRF; returns the pieces to keep alive.
struct FrrVtep {
    _l3: (vtepd_lab::Bridge, Vxlan),
    seg: L2Segment,
    frr: Frr,
}

fn frr_vtep(lab: &Lab, ns: &Netns, asn: u32, remote: &str) -> Result<FrrVtep> {
    let seg = L2Segment::create(
        lab,
        ns,
        &L2SegmentSpec {
            vni: 100,
            local: "10.0.0.1".parse()?,
            underlay_dev: Some("u0"),
            mtu: 1450,
            host_name: "h1",
            host_mac: "02:00:00:00:01:01",
            host_addrs: &["192.168.100.1/24"],
            static_remotes: &[],
        },
    )?;
    let br = ns.bridge("br4000", None)?;
    let vx = Vxlan::builder("vxlan4000", 4000, "10.0.0.1".parse()?)
        .dev("u0")
        .bridge("br4000")
        .create(ns)?;
    let conf = EvpnBgpConf {
        hostname: "frr",
        asn,
        router_id: "10.0.0.1",
        neighbors: &[("10.0.0.2", remote)],
        advertise_all_vni: true,
        advertise_ipv4: true,
        ipv4_networks: &["10.50.0.0/24"],
        ..Default::default()
    }
    .render();
    let frr = ns.frr("hostname frr\nvni 4000\n!\n", Some(&conf))?;
    Ok(FrrVtep {
        _l3: (br, vx),
        seg,
        frr,
    })
}

/// FRR VTEP in namespace `f` (10.0.0.1, AS `frr_asn`, its neighbour's
/// remote AS `frr_remote`) and vtepd in namespace `v` (10.0.0.2, AS
/// `vtepd_asn`, FRR's remote AS `vtepd_remote` as TOML) with [`VNIS`], both
/// sessions Established. Fields drop in declaration order.
struct EvpnSession {
    vtepd: Vtepd,
    fv: FrrVtep,
    pair: Pair,
}

fn evpn_session(
    lab: &Lab,
    frr_asn: u32,
    frr_remote: &str,
    vtepd_asn: u32,
    vtepd_remote: &str,
) -> Result<EvpnSession> {
    let pair = Pair::create(lab, "f", "v")?;
    let fv = frr_vtep(lab, &pair.a, frr_asn, frr_remote)?;
    let vtepd = Vtepd::start(
        lab,
        &pair.b,
        "vtepd",
        &(vtepd_conf("10.0.0.2", vtepd_asn, "10.0.0.1", vtepd_remote, "") + VNIS),
    )?;
    fv.frr.wait_established("10.0.0.2", T)?;
    vtepd.wait_established(lab, "10.0.0.1")?;
    Ok(EvpnSession { vtepd, fv, pair })
}

fn exchange(lab: &Lab, fv: &FrrVtep, fns: &Netns, vtepd: &Vtepd, ebgp: bool) -> Result<()> {
    let frr = &fv.frr;
    // vtepd's type-2, type-3 and type-5 in FRR, under vtepd's derived RDs.
    frr.wait_evpn_route("type-2 of vtepd", T, |rd, p| {
        rd == "10.0.0.2:1" && p == "[2]:[0]:[48]:[02:00:00:00:0a:01]:[32]:[192.168.100.10]"
    })?;
    frr.wait_evpn_route("type-3 of vtepd", T, |rd, p| {
        rd == "10.0.0.2:1" && p == "[3]:[0]:[32]:[10.0.0.2]"
    })?;
    frr.wait_evpn_route("type-5 of vtepd", T, |rd, p| {
        rd == "10.0.0.2:2" && p.starts_with("[5]:") && p.contains("10.70.0.0")
    })?;
    if !ebgp {
        // With RT = AS:VNI on both sides, zebra installs them: remote MAC
        // and flood entry towards vtepd, the prefix via the L3VNI bridge.
        lab.wait_until(T, "FDB entries from vtepd's routes", || -> Result<bool> {
            let fdb = fns.fdb(Some("vxlan100"))?;
            Ok(fdb
                .lines()
                .any(|l| l.starts_with("02:00:00:00:0a:01") && l.contains("dst 10.0.0.2"))
                && fdb
                    .lines()
                    .any(|l| l.starts_with("00:00:00:00:00:00") && l.contains("dst 10.0.0.2")))
        })?;
        fns.wait_route("10.70.0.0/24", T)?;
        let r = fns.ip(&["route", "show", "10.70.0.0/24"])?;
        assert!(r.contains("via 10.0.0.2") && r.contains("br4000"), "{r}");
    }
    let v = frr.vtysh_json("show bgp l2vpn evpn route rd 10.0.0.2:2 json")?;
    let t = v.to_string();
    assert!(
        t.contains("02:00:00:00:0a:ff"),
        "router MAC of vtepd's type-5: {t}"
    );

    // FRR's routes in vtepd: type-3, type-5 and the host's type-2.
    let _ = fv.seg.host.ping("192.168.100.10");
    lab.wait_until(T, "FRR's type-2/3/5 in vtepd", || -> Result<bool> {
        let ps = vtepd.paths(&["bgp", "evpn", "route"])?;
        let from = |t: u64| {
            ps.iter()
                .any(|p| p["source"] == "10.0.0.1" && p["route-type"] == t)
        };
        Ok(from(2) && from(3) && from(5))
    })?;
    let ps = vtepd.paths(&["bgp", "evpn", "route"])?;
    let get = |t: u64| -> Value {
        ps.iter()
            .find(|p| p["source"] == "10.0.0.1" && p["route-type"] == t)
            .cloned()
            .unwrap_or_default()
    };
    let t2 = get(2);
    assert_eq!(t2["mac"], "02:00:00:00:01:01", "{t2}");
    assert_eq!(t2["vni"], 100);
    assert_eq!(t2["encapsulation"], "vxlan");
    assert_eq!(t2["next-hop"], "10.0.0.1");
    let t3 = get(3);
    assert_eq!(t3["originator-ip"], "10.0.0.1");
    assert_eq!(t3["pmsi"]["tunnel-id"], "10.0.0.1");
    assert_eq!(t3["pmsi"]["vni"], 100);
    let t5 = get(5);
    assert_eq!(t5["ip-prefix"], "10.50.0.0/24");
    assert_eq!(t5["vni"], 4000);
    assert!(t5["router-mac"].is_string(), "{t5}");
    let asn = if ebgp { "65001" } else { "" };
    assert_eq!(t5["as-path"], asn, "{t5}");
    if !ebgp {
        assert_eq!(t3["route-targets"][0], "65000:100");
        assert_eq!(t5["route-targets"][0], "65000:4000");
    }
    Ok(())
}

#[test]
fn frr_ibgp_evpn_both_ways() -> Result<()> {
    let started = Instant::now();
    let lab = Lab::new()?;
    let s = evpn_session(&lab, 65000, "internal", 65000, "\"internal\"")?;
    let vtepd = &s.vtepd;
    println!("established after {:?}", started.elapsed());
    exchange(&lab, &s.fv, &s.pair.a, vtepd, false)?;
    println!("{}", vtepd.show_text(&["bgp", "evpn", "route"])?);
    println!("total {:?}", started.elapsed());
    assert!(started.elapsed() < Duration::from_secs(60));
    Ok(())
}

#[test]
fn frr_ebgp_evpn_both_ways() -> Result<()> {
    let started = Instant::now();
    let lab = Lab::new()?;
    let s = evpn_session(&lab, 65001, "65002", 65002, "\"external\"")?;
    let (vtepd, fv) = (&s.vtepd, &s.fv);
    assert_eq!(vtepd.peer("10.0.0.1")?["peer-as"], 65001);
    exchange(&lab, fv, &s.pair.a, vtepd, true)?;
    // FRR sees vtepd's AS in the path.
    let v = fv
        .frr
        .vtysh_json("show bgp l2vpn evpn route rd 10.0.0.2:1 json")?;
    assert!(v.to_string().contains("65002"), "{v}");
    println!("total {:?}", started.elapsed());
    assert!(started.elapsed() < Duration::from_secs(60));
    Ok(())
}

const RR_BGPD: &str = "hostname rr
router bgp 65000
 bgp router-id 10.0.0.1
 no bgp default ipv4-unicast
 timers bgp 3 9
 neighbor 10.0.1.2 remote-as 65000
 neighbor 10.0.1.2 timers connect 1
 neighbor 10.0.1.2 advertisement-interval 0
 neighbor 10.0.2.2 remote-as 65000
 neighbor 10.0.2.2 timers connect 1
 neighbor 10.0.2.2 advertisement-interval 0
 address-family l2vpn evpn
  neighbor 10.0.1.2 activate
  neighbor 10.0.1.2 route-reflector-client
  neighbor 10.0.2.2 activate
  neighbor 10.0.2.2 route-reflector-client
 exit-address-family
!
";

#[test]
fn frr_route_reflector_for_two_vtepd() -> Result<()> {
    let started = Instant::now();
    let lab = Lab::new()?;
    let star = Star::create(&lab, "rr", &["a", "b"])?;
    let (rr, a, b) = (&star.hub, &star.spokes[0], &star.spokes[1]);
    let frr = rr.frr("hostname rr\n", Some(RR_BGPD))?;
    let conf = |rid: &str, peer: &str, mac: &str| {
        vtepd_conf(rid, 65000, peer, "\"internal\"", "")
            + &format!(
                "[[vni]]\nvni = 100\n\n[[originate]]\ntype = \"evpn-mac-ip\"\nvni = 100\nmac = \"{mac}\"\n"
            )
    };
    let va = Vtepd::start(
        &lab,
        a,
        "vtepd-a",
        &conf("10.0.1.2", "10.0.1.1", "02:00:00:00:0a:0a"),
    )?;
    let vb = Vtepd::start(
        &lab,
        b,
        "vtepd-b",
        &conf("10.0.2.2", "10.0.2.1", "02:00:00:00:0b:0b"),
    )?;
    va.wait_established(&lab, "10.0.1.1")?;
    vb.wait_established(&lab, "10.0.2.1")?;
    frr.wait_established("10.0.1.2", T)?;
    frr.wait_established("10.0.2.2", T)?;
    // A's type-2 and type-3 reach B through the reflector, with
    // ORIGINATOR_ID = A and FRR's cluster ID in CLUSTER_LIST; and the other
    // way round.
    for (me, other_rid, other_mac) in [
        (&vb, "10.0.1.2", "02:00:00:00:0a:0a"),
        (&va, "10.0.2.2", "02:00:00:00:0b:0b"),
    ] {
        lab.wait_until(T, "reflected routes", || -> Result<bool> {
            let ps = me.paths(&["bgp", "evpn", "route"])?;
            Ok(ps.iter().any(|p| p["mac"] == other_mac)
                && ps
                    .iter()
                    .any(|p| p["route-type"] == 3 && p["originator-ip"] == other_rid))
        })?;
        let ps = me.paths(&["bgp", "evpn", "route"])?;
        for p in ps.iter().filter(|p| p["source"] != "local") {
            assert_eq!(p["originator-id"], other_rid, "{p}");
            assert_eq!(
                p["cluster-list"],
                vtepd_lab::serde_json::json!(["10.0.0.1"]),
                "{p}"
            );
            assert_eq!(p["next-hop"], other_rid, "{p}");
            assert_eq!(p["best"], true);
        }
        // Its own routes are not reflected back into its table as
        // received paths (ORIGINATOR_ID loop check, RFC 4456 §8).
        assert!(
            !ps.iter()
                .any(|p| p["source"] != "local" && p["originator-id"] != other_rid),
            "{ps:#?}"
        );
    }
    println!("{}", vb.show_text(&["bgp", "evpn", "route"])?);
    println!("total {:?}", started.elapsed());
    assert!(started.elapsed() < Duration::from_secs(60));
    Ok(())
}

const PLAIN_BGPD: &str = "hostname frr
router bgp 65000
 bgp router-id 10.0.0.1
 no bgp default ipv4-unicast
 timers bgp 3 9
 neighbor 10.0.0.2 remote-as 65000
 neighbor 10.0.0.2 timers connect 1
 neighbor 10.0.0.2 advertisement-interval 0
 address-family l2vpn evpn
  neighbor 10.0.0.2 activate
 exit-address-family
!
";

/// FRR in namespace `f` (10.0.0.1, [`PLAIN_BGPD`]) and vtepd in namespace
/// `v` (10.0.0.2, AS 65000, FRR's remote AS `remote` as TOML, `extra`
/// lines in its neighbour), not waiting for the session. Fields drop in
/// declaration order.
struct PlainSession {
    vtepd: Vtepd,
    frr: Frr,
    _pair: Pair,
}

fn plain_session(lab: &Lab, remote: &str, extra: &str) -> Result<PlainSession> {
    let pair = Pair::create(lab, "f", "v")?;
    let frr = pair.a.frr("hostname frr\n", Some(PLAIN_BGPD))?;
    let vtepd = Vtepd::start(
        lab,
        &pair.b,
        "vtepd",
        &vtepd_conf("10.0.0.2", 65000, "10.0.0.1", remote, extra),
    )?;
    Ok(PlainSession {
        vtepd,
        frr,
        _pair: pair,
    })
}

fn neighbor_json(frr: &Frr) -> Result<String> {
    Ok(frr
        .vtysh_json("show bgp neighbors 10.0.0.2 json")?
        .to_string())
}

#[test]
fn frr_sees_hold_timer_expiry() -> Result<()> {
    let started = Instant::now();
    let lab = Lab::new()?;
    let mut s = plain_session(&lab, "\"internal\"", "")?;
    let (vtepd, frr) = (&mut s.vtepd, &s.frr);
    frr.wait_established("10.0.0.2", T)?;
    // Freeze vtepd: no more KEEPALIVEs; FRR's hold timer (9 s) expires and
    // it sends NOTIFICATION 4/0.
    vtepd.process.signal("STOP")?;
    let frozen = Instant::now();
    let r = lab.wait_until(
        Duration::from_secs(20),
        "FRR's hold timer expired",
        || -> Result<bool> {
            let n = neighbor_json(frr)?;
            Ok(n.contains("\"lastErrorCodeSubcode\":\"0400\"") || n.contains("Hold Timer Expired"))
        },
    );
    vtepd.process.signal("CONT")?;
    r?;
    let waited = frozen.elapsed();
    println!(
        "FRR detected the dead peer after {waited:?}: {}",
        neighbor_json(frr)?
    );
    assert!(
        waited >= Duration::from_secs(6),
        "hold timer fired after only {waited:?}"
    );
    // vtepd recovers: the session comes back.
    frr.wait_established("10.0.0.2", T)?;
    println!("total {:?}", started.elapsed());
    assert!(started.elapsed() < Duration::from_secs(60));
    Ok(())
}

#[test]
fn frr_sees_bad_peer_as_from_vtepd() -> Result<()> {
    let started = Instant::now();
    let lab = Lab::new()?;
    // vtepd expects AS 65099; FRR is 65000: vtepd answers FRR's OPEN with
    // NOTIFICATION 2/2 (Bad Peer AS). vtepd is passive: FRR records the
    // error of a connection it accepted only on its temporary
    // ("doppelganger") peer, which `show bgp neighbors` does not show.
    let s = plain_session(&lab, "65099", "passive = true")?;
    let (vtepd, frr) = (&s.vtepd, &s.frr);
    let r = lab.wait_until(T, "FRR received OPEN error 2/2", || -> Result<bool> {
        let n = neighbor_json(frr)?;
        Ok(n.contains("\"lastErrorCodeSubcode\":\"0202\""))
    });
    if r.is_err() {
        println!("FRR neighbor JSON: {}", neighbor_json(frr)?);
    }
    r?;
    let n = neighbor_json(frr)?;
    println!("FRR neighbor: {n}");
    assert!(n.contains("Bad Peer AS"), "{n}");
    assert!(n.contains("received") || n.contains("Received"), "{n}");
    let p = vtepd.peer("10.0.0.1")?;
    assert_eq!(p["last-notification-sent"]["code"], 2, "{p}");
    assert_eq!(p["last-notification-sent"]["subcode"], 2, "{p}");
    assert_ne!(p["state"], "Established");
    println!("total {:?}", started.elapsed());
    assert!(started.elapsed() < Duration::from_secs(60));
    Ok(())
}

#[test]
fn vtepd_route_reflector_for_two_frr() -> Result<()> {
    let started = Instant::now();
    let lab = Lab::new()?;
    let star = Star::create(&lab, "rr", &["a", "b"])?;
    let (rr, a, b) = (&star.hub, &star.spokes[0], &star.spokes[1]);
    // The clients reach each other's VTEP address through the reflector's
    // namespace (FRR uses a path only when its next hop resolves).
    rr.sysctl("net.ipv4.ip_forward", "1")?;
    let _ra = a.route(&["10.0.2.0/24", "via", "10.0.1.1"])?;
    let _rb = b.route(&["10.0.1.0/24", "via", "10.0.2.1"])?;
    let mut keep = Vec::new();
    let mut frrs = Vec::new();
    for (ns, me, rrip) in [(a, "10.0.1.2", "10.0.1.1"), (b, "10.0.2.2", "10.0.2.1")] {
        let br = ns.bridge("br100", None)?;
        let vx = Vxlan::builder("vxlan100", 100, me.parse()?)
            .dev("u0")
            .bridge("br100")
            .create(ns)?;
        keep.push((br, vx));
        let conf = EvpnBgpConf {
            hostname: "client",
            router_id: me,
            neighbors: &[(rrip, "internal")],
            ..Default::default()
        }
        .render();
        frrs.push(ns.frr("hostname client\n", Some(&conf))?);
    }
    let conf = r#"
[bgp]
router-id = "10.0.0.100"
asn = 65000

[control]
socket = "@SOCKET@"

[[neighbor]]
address = "10.0.1.2"
remote-as = "internal"
route-reflector-client = true
hold-time = 9
connect-retry = 1

[[neighbor]]
address = "10.0.2.2"
remote-as = "internal"
route-reflector-client = true
hold-time = 9
connect-retry = 1
"#;
    let v = Vtepd::start(&lab, rr, "vtepd-rr", conf)?;
    v.wait_established(&lab, "10.0.1.2")?;
    v.wait_established(&lab, "10.0.2.2")?;
    // Each client's type-3 reaches the other through vtepd with
    // ORIGINATOR_ID = the client and CLUSTER_LIST = [vtepd's router ID],
    // and zebra installs the flood entry towards the other VTEP.
    for (i, (other, me_ns)) in [("10.0.2.2", a), ("10.0.1.2", b)].into_iter().enumerate() {
        let frr = &frrs[i];
        let want = format!("[3]:[0]:[32]:[{other}]");
        frr.wait_evpn_route("reflected type-3", T, |_, p| p == want)?;
        let all = frr.vtysh_json("show bgp l2vpn evpn route json")?;
        let rd = all
            .as_object()
            .into_iter()
            .flat_map(|o| o.iter())
            .find(|(_, routes)| routes.get(&want).is_some())
            .map(|(rd, _)| rd.clone())
            .unwrap_or_default();
        let route = frr
            .vtysh_json(&format!(
                "show bgp l2vpn evpn route rd {rd} type multicast json"
            ))?
            .to_string();
        assert!(
            route.contains(&format!("\"originatorId\":\"{other}\"")),
            "{route}"
        );
        assert!(route.contains("10.0.0.100"), "CLUSTER_LIST: {route}");
        lab.wait_until(T, "flood entry to the other client", || -> Result<bool> {
            Ok(me_ns
                .fdb(Some("vxlan100"))?
                .lines()
                .any(|l| l.starts_with("00:00:00:00:00:00") && l.contains(&format!("dst {other}"))))
        })?;
    }
    println!("{}", v.show_text(&["bgp", "evpn", "route"])?);
    drop(frrs);
    drop(keep);
    println!("total {:?}", started.elapsed());
    assert!(started.elapsed() < Duration::from_secs(60));
    Ok(())
}

/// FRR with graceful restart (full mode: its IPv4 unicast routes are listed
/// with the forwarding bit) and RFC 8538's N bit, announcing 10.60.1.0/24.
const GR_BGPD: &str = "\
router bgp 65000
 bgp router-id 10.0.0.1
 no bgp network import-check
 bgp graceful-restart
 bgp graceful-restart notification
 timers bgp 3 9
 neighbor 10.0.0.2 remote-as 65000
 neighbor 10.0.0.2 timers connect 1
 neighbor 10.0.0.2 advertisement-interval 0
 address-family ipv4 unicast
  network 10.60.1.0/24
  neighbor 10.0.0.2 activate
 exit-address-family
!
";

/// FRR's route in vtepd: (present, stale).
fn frr_route(v: &Vtepd) -> Result<Option<bool>> {
    Ok(v.paths(&["bgp", "ipv4"])?
        .iter()
        .find(|p| p["network"] == "10.60.1.0/24")
        .map(|p| p["stale"] == true))
}

/// RFC 8538 with FRR: both set the N bit; FRR's administrative shutdown of
/// the neighbour comes as a Hard Reset (Cease 6/9 carrying 6/2) and vtepd
/// drops FRR's route at once instead of keeping it stale; vtepd's own
/// shutdown (SIGTERM) goes to FRR as a Hard Reset too.
#[test]
fn frr_hard_reset_flushes() -> Result<()> {
    let lab = Lab::new()?;
    let pair = Pair::create(&lab, "f", "v")?;
    let frr = pair.a.frr("hostname frr\n", Some(GR_BGPD))?;
    let conf = vtepd_conf("10.0.0.2", 65000, "10.0.0.1", "\"internal\"", "")
        .replace("[\"l2vpn-evpn\"]", "[\"ipv4-unicast\"]");
    let mut vtepd = Vtepd::start(&lab, &pair.b, "vtepd", &conf)?;
    vtepd.wait_established(&lab, "10.0.0.1")?;
    lab.wait_until(T, "FRR's route in vtepd", || {
        frr_route(&vtepd).map(|r| r == Some(false))
    })?;
    let n = vtepd.show(&["bgp", "neighbors", "10.0.0.1"])?;
    let pg = &n["neighbors"][0]["peer-graceful-restart"];
    assert_eq!(pg["notification"], true, "FRR's N bit: {n}");
    assert_eq!(pg["families"][0]["family"], "ipv4-unicast", "{n}");

    frr.vtysh(&[
        "configure terminal",
        "router bgp 65000",
        "neighbor 10.0.0.2 shutdown",
    ])?;
    lab.wait_until(T, "vtepd receives FRR's Hard Reset", || {
        vtepd.peer("10.0.0.1").map(|p| {
            p["last-notification-received"]["code"] == 6
                && p["last-notification-received"]["subcode"] == 9
        })
    })?;
    assert_eq!(frr_route(&vtepd)?, None, "a Hard Reset flushes, no stale");
    let n = vtepd.show(&["bgp", "neighbors", "10.0.0.1"])?;
    assert!(n["neighbors"][0]["graceful-restart"].is_null(), "{n}");

    frr.vtysh(&[
        "configure terminal",
        "router bgp 65000",
        "no neighbor 10.0.0.2 shutdown",
    ])?;
    vtepd.wait_established(&lab, "10.0.0.1")?;
    frr.wait_established("10.0.0.2", T)?;
    vtepd.process.signal("TERM")?;
    // FRR reports a Hard Reset by the NOTIFICATION inside it (6/2) and a
    // flag.
    lab.wait_until(T, "FRR sees vtepd's Hard Reset", || {
        let v = frr.vtysh_json("show bgp neighbors 10.0.0.2 json")?;
        let n = &v["10.0.0.2"];
        Ok::<bool, anyhow::Error>(
            n["lastNotificationHardReset"] == true && n["lastErrorCodeSubcode"] == "0602",
        )
    })?;
    Ok(())
}
