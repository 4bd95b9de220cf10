//! Dynamic neighbours: vtepd has one `[[neighbor]]` with `listen-range =
//! "10.0.0.0/16"` and `limit = 2`, and no neighbour address. Two GoBGP
//! speakers in their own namespaces (10.0.1.2, 10.0.2.2) connect and get
//! sessions (routes both ways); a third speaker, FRR at 10.0.3.2, is refused
//! with NOTIFICATION Cease / Connection Rejected (6/5), which FRR records as
//! its last error. An address outside the range gets no session at all.

mod common;

use std::time::{Duration, Instant};

use common::{Vtepd, T};
use vtepd_lab::topo::{GobgpdConf, Star};
use vtepd_lab::{Lab, Result};

const VTEPD: &str = r#"
[bgp]
router-id = "10.0.0.1"
asn = 65000

[control]
socket = "@SOCKET@"

[[neighbor]]
listen-range = "10.0.0.0/16"
limit = 2
remote-as = "external"
address-families = ["ipv4-unicast"]
hold-time = 9

[[originate]]
type = "ipv4-unicast"
prefix = "10.90.0.0/24"
"#;

/// GoBGP number `n` (AS 6510`n`) at 10.0.`n`.2, peering with vtepd at
/// 10.0.`n`.1 in ipv4-unicast.
fn gobgpd(n: u8) -> String {
    GobgpdConf::new(65100 + u32::from(n), &format!("10.0.{n}.2"))
        .neighbor(&format!("10.0.{n}.1"), 65000, &["ipv4-unicast"])
        .render()
}

const FRR_BGPD: &str = "hostname f3
router bgp 65103
 bgp router-id 10.0.3.2
 no bgp ebgp-requires-policy
 neighbor 10.0.3.1 remote-as 65000
 neighbor 10.0.3.1 timers connect 1
!
";

#[test]
fn listen_range_limit() -> Result<()> {
    let started = Instant::now();
    let lab = Lab::new()?;
    let star = Star::create(&lab, "v", &["p1", "p2", "p3"])?;
    let (v, nss) = (&star.hub, &star.spokes);
    let vtepd = Vtepd::start(&lab, v, "vtepd", VTEPD)?;
    let g1 = nss[0].gobgpd(&gobgpd(1))?;
    let g2 = nss[1].gobgpd(&gobgpd(2))?;
    g1.wait_established("10.0.1.1", T)?;
    g2.wait_established("10.0.2.1", T)?;
    vtepd.wait_established(&lab, "10.0.1.2")?;
    vtepd.wait_established(&lab, "10.0.2.2")?;
    // No graceful-restart capability to a dynamic neighbour: vtepd keeps
    // no routes of it past its session.
    let n = g1.cli_json(&["neighbor", "10.0.1.1"])?;
    let remote = n
        .pointer("/state/remote_cap")
        .map(|c| c.to_string())
        .unwrap_or_default();
    assert!(
        remote.contains("MultiProtocolCapability"),
        "GoBGP's view of vtepd: {n}"
    );
    assert!(
        !remote.contains("GracefulRestart"),
        "GoBGP's view of vtepd: {n}"
    );
    let two = started.elapsed();
    for g in [&g1, &g2] {
        g.wait_rib("ipv4", "vtepd's route", T, |r| {
            r.get("10.90.0.0/24").is_some()
        })?;
    }
    g1.cli(&[
        "global",
        "rib",
        "-a",
        "ipv4",
        "add",
        "10.61.0.0/24",
        "nexthop",
        "10.0.1.2",
    ])?;
    lab.wait_until(T, "GoBGP 1's route in vtepd", || {
        vtepd
            .paths(&["bgp", "ipv4"])
            .map(|ps| ps.iter().any(|p| p.to_string().contains("10.0.1.2")))
    })?;

    // The third is past the limit.
    let frr = nss[2].frr("hostname f3\n", Some(FRR_BGPD))?;
    let r = lab.wait_until(T, "FRR refused with Cease 6/5", || -> Result<bool> {
        let n = frr
            .vtysh_json("show bgp neighbors 10.0.3.1 json")?
            .to_string();
        Ok(n.contains("\"lastErrorCodeSubcode\":\"0605\""))
    });
    let n = frr.vtysh_json("show bgp neighbors 10.0.3.1 json")?;
    if r.is_err() {
        println!("FRR neighbor JSON: {n}");
    }
    r?;
    let text = n.to_string();
    assert!(text.contains("Connection Rejected"), "{text}");
    assert_ne!(frr.bgp_state("10.0.3.1")?, "Established");
    // Still exactly two dynamic sessions, both up.
    let sum = vtepd.show(&["bgp", "summary"])?;
    let peers = sum["peers"].as_array().cloned().unwrap_or_default();
    assert_eq!(peers.len(), 2, "{sum}");
    assert!(peers.iter().all(|p| p["state"] == "Established"), "{sum}");

    // When one goes, its slot frees and its routes leave the RIB.
    drop(g2);
    lab.wait_until(T, "GoBGP 2 forgotten", || {
        vtepd.show(&["bgp", "summary"]).map(|s| {
            s["peers"]
                .as_array()
                .is_some_and(|ps| ps.len() == 1 && ps.iter().all(|p| p["address"] == "10.0.1.2"))
        })
    })?;
    frr.wait_established("10.0.3.1", T)?;
    vtepd.wait_established(&lab, "10.0.3.2")?;

    println!(
        "listen range: two dynamic sessions up after {two:?}; total {:?}",
        started.elapsed()
    );
    assert!(started.elapsed() < Duration::from_secs(60));
    Ok(())
}
