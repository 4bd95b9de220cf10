//! vtepd as graceful-restart helper (RFC 4724 §4.2) for gobgpd (GoBGP 3.10):
//! when gobgpd dies without a NOTIFICATION, vtepd keeps its routes, marked
//! stale; when it comes back, routes it no longer announces go and the ones
//! it announces again are fresh; when it stays away past its restart time,
//! all its stale routes go. With the N bit of RFC 8538 on both sides: a
//! session lost to an expired hold timer (the link silently drops
//! everything) keeps GoBGP's routes as stale until it is back with an
//! End-of-RIB; so does one closed by GoBGP's administrative shutdown (a
//! plain Cease 6/2: GoBGP 3.10 sends no Hard Reset). Hard Reset from FRR:
//! `frr_interop`.

mod common;

use std::time::{Duration, Instant};

use common::{Vtepd, T};
use vtepd_lab::serde_json::Value;
use vtepd_lab::topo::{GobgpdConf, Pair};
use vtepd_lab::{GoBgp, Lab, Netns, Result};

/// GoBGP with graceful restart (restart time 4 s) for IPv4 unicast.
fn gobgpd_gr() -> String {
    GobgpdConf::new(65000, "10.0.0.2")
        .neighbor("10.0.0.1", 65000, &["ipv4-unicast"])
        .graceful_restart(4, false)
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
address-families = ["ipv4-unicast"]
hold-time = 9
connect-retry = 1
"#;

/// GoBGP's routes in vtepd: (prefix, stale).
fn from_gobgp(v: &Vtepd) -> Result<Vec<(String, bool)>> {
    let mut out: Vec<(String, bool)> = v
        .paths(&["bgp", "ipv4"])?
        .iter()
        .filter(|p| p["source"] == "10.0.0.2")
        .map(|p: &Value| {
            (
                p["network"].as_str().unwrap_or_default().to_owned(),
                p["stale"] == true,
            )
        })
        .collect();
    out.sort();
    Ok(out)
}

fn start_gobgp(
    lab: &Lab,
    ns: &Netns,
    v: &Vtepd,
    prefixes: &[&str],
    restarting: bool,
) -> Result<GoBgp> {
    let g = if restarting {
        ns.gobgpd_restarting(&gobgpd_gr())?
    } else {
        ns.gobgpd(&gobgpd_gr())?
    };
    v.wait_established(lab, "10.0.0.2")?;
    for p in prefixes {
        g.cli(&[
            "global", "rib", "-a", "ipv4", "add", p, "nexthop", "10.0.0.2",
        ])?;
    }
    Ok(g)
}

fn routes(prefixes: &[&str], stale: bool) -> Vec<(String, bool)> {
    prefixes.iter().map(|p| ((*p).to_owned(), stale)).collect()
}

#[test]
fn graceful_restart_helper() -> Result<()> {
    let lab = Lab::new()?;
    let pair = Pair::create(&lab, "v", "g")?;
    let (vns, gns) = (&pair.a, &pair.b);
    let v = Vtepd::start(&lab, vns, "vtepd", VTEPD)?;
    let both = ["10.50.1.0/24", "10.50.2.0/24"];
    let mut g = start_gobgp(&lab, gns, &v, &both, false)?;
    lab.wait_until(T, "GoBGP's routes in vtepd", || {
        from_gobgp(&v).map(|r| r == routes(&both, false))
    })?;
    // Both sides advertised the capability.
    let n = g.cli_json(&["neighbor", "10.0.0.1"])?;
    let caps = n.to_string();
    assert!(caps.contains("graceful"), "GoBGP's view of vtepd: {n}");
    // And vtepd's view of GoBGP.
    let n = v.show(&["bgp", "neighbors", "10.0.0.2"])?;
    let p = &n["neighbors"][0];
    assert_eq!(p["state"], "Established", "{n}");
    assert_eq!(p["negotiated"]["four-octet-as"], true, "{n}");
    assert_eq!(p["negotiated"]["external"], false, "{n}");
    assert_eq!(p["prefixes-received"], 2, "{n}");
    assert!(p["graceful-restart"].is_null(), "{n}");
    println!("{}", v.show_text(&["bgp", "neighbors"])?);

    // gobgpd dies: no NOTIFICATION, the TCP connection just closes.
    g.kill()?;
    lab.wait_until(T, "vtepd sees the session down", || {
        v.peer("10.0.0.2").map(|p| p["state"] != "Established")
    })?;
    assert_eq!(
        from_gobgp(&v)?,
        routes(&both, true),
        "routes kept as stale while the peer restarts"
    );
    let n = v.show(&["bgp", "neighbors", "10.0.0.2"])?;
    let gr = &n["neighbors"][0]["graceful-restart"];
    assert_eq!(gr["waiting-for"], "session", "{n}");
    assert_eq!(gr["stale-families"][0], "ipv4-unicast", "{n}");
    println!("{}", v.show_text(&["bgp", "neighbors", "10.0.0.2"])?);

    // It comes back as a restarting speaker (R and F bits) announcing only
    // the first route: the stale routes stay until its End-of-RIB (the
    // first one never disappears), then the first is fresh and the other
    // gone.
    let mut g = start_gobgp(&lab, gns, &v, &both[..1], true)?;
    let n = v.show(&["bgp", "neighbors", "10.0.0.2"])?;
    let pg = &n["neighbors"][0]["peer-graceful-restart"];
    assert_eq!(pg["restarting"], true, "{n}");
    assert_eq!(pg["families"][0]["forwarding-preserved"], true, "{n}");
    lab.wait_until(T, "only the re-announced route, fresh", || {
        let r = from_gobgp(&v)?;
        anyhow::ensure!(
            r.iter().any(|(p, _)| p == both[0]),
            "the re-announced route disappeared while the peer restarted: {r:?}"
        );
        Ok(r == routes(&both[..1], false))
    })?;

    // It dies again and stays away: after its restart time (4 s) the
    // stale route goes.
    g.kill()?;
    let down = Instant::now();
    lab.wait_until(T, "vtepd sees the session down again", || {
        v.peer("10.0.0.2").map(|p| p["state"] != "Established")
    })?;
    assert_eq!(from_gobgp(&v)?, routes(&both[..1], true));
    lab.wait_until(Duration::from_secs(15), "stale routes removed", || {
        from_gobgp(&v).map(|r| r.is_empty())
    })?;
    let waited = down.elapsed();
    assert!(
        waited >= Duration::from_secs(3),
        "stale routes went after {waited:?}, before the 4 s restart time"
    );
    println!("stale routes kept {waited:?} after the second loss (restart time 4 s)");
    Ok(())
}

/// GoBGP with graceful restart and the N bit (RFC 8538), hold time 3 s.
fn gobgpd_n_bit() -> String {
    GobgpdConf::new(65000, "10.0.0.2")
        .neighbor("10.0.0.1", 65000, &["ipv4-unicast"])
        .hold_time(3)
        .graceful_restart(30, true)
        .render()
}

#[test]
fn graceful_notification_n_bit() -> Result<()> {
    let lab = Lab::new()?;
    let pair = Pair::create(&lab, "v", "g")?;
    let (vns, gns) = (&pair.a, &pair.b);
    let v = Vtepd::start(
        &lab,
        vns,
        "vtepd",
        &VTEPD.replace("hold-time = 9", "hold-time = 3"),
    )?;
    let g = gns.gobgpd(&gobgpd_n_bit())?;
    v.wait_established(&lab, "10.0.0.2")?;
    let both = ["10.50.1.0/24", "10.50.2.0/24"];
    for p in both {
        g.cli(&[
            "global", "rib", "-a", "ipv4", "add", p, "nexthop", "10.0.0.2",
        ])?;
    }
    lab.wait_until(T, "GoBGP's routes in vtepd", || {
        from_gobgp(&v).map(|r| r == routes(&both, false))
    })?;
    let n = v.show(&["bgp", "neighbors", "10.0.0.2"])?;
    assert_eq!(
        n["neighbors"][0]["peer-graceful-restart"]["notification"], true,
        "GoBGP's N bit: {n}"
    );

    // The link drops everything: vtepd's hold timer (3 s) expires, its
    // NOTIFICATION (4/0) is lost, and with the N bit the routes stay, stale.
    let block = vns.nft_table(
        "inet",
        "cut",
        "chain in { type filter hook input priority 0; policy drop; }\n\
         chain out { type filter hook output priority 0; policy drop; }",
    )?;
    let cut = Instant::now();
    lab.wait_until(T, "vtepd's hold timer expires", || {
        v.peer("10.0.0.2").map(|p| p["state"] != "Established")
    })?;
    println!("session down {:?} after the link was cut", cut.elapsed());
    let p = v.peer("10.0.0.2")?;
    assert_eq!(p["last-notification-sent"]["code"], 4, "hold timer: {p}");
    assert_eq!(from_gobgp(&v)?, routes(&both, true), "kept as stale");

    // The link comes back: the session too, GoBGP announces its routes and
    // an End-of-RIB, and they are fresh again.
    drop(block);
    v.wait_established(&lab, "10.0.0.2")?;
    lab.wait_until(T, "GoBGP's routes fresh again", || {
        from_gobgp(&v).map(|r| r == routes(&both, false))
    })?;

    // GoBGP's administrative shutdown comes as a plain Cease 6/2, which
    // with the N bit is not a Hard Reset: the routes stay, stale, until
    // GoBGP is enabled again and sends its End-of-RIB.
    g.cli(&["neighbor", "10.0.0.1", "shutdown"])?;
    lab.wait_until(T, "vtepd receives Cease 6/2", || {
        v.peer("10.0.0.2").map(|p| {
            p["state"] != "Established"
                && p["last-notification-received"]["code"] == 6
                && p["last-notification-received"]["subcode"] == 2
        })
    })?;
    assert_eq!(from_gobgp(&v)?, routes(&both, true), "kept as stale");
    g.cli(&["neighbor", "10.0.0.1", "enable"])?;
    v.wait_established(&lab, "10.0.0.2")?;
    lab.wait_until(T, "GoBGP's routes fresh after the shutdown", || {
        from_gobgp(&v).map(|r| r == routes(&both, false))
    })?;

    let n = v.show(&["bgp", "neighbors", "10.0.0.2"])?;
    assert!(n["neighbors"][0]["graceful-restart"].is_null(), "{n}");
    Ok(())
}
