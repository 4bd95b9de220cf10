//! Configuration reload: a GoBGP peer stays Established (same session, no
//! reset) across a `vtepd reload` that adds a second neighbour (another
//! vtepd) and an originated route; a SIGHUP reload that removes that
//! neighbour sends it Cease / Peer De-configured (6/3, in a Hard Reset), which it records,
//! and withdraws the route; a bad file is refused by `vtepd reload` (non-zero
//! exit, the message names file, line and field) and the running
//! configuration is kept; a change of router ID and AS is reported as not
//! applied (it takes a restart) and resets nothing.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::{Vtepd, BIN, T};
use vtepd_lab::serde_json::Value;
use vtepd_lab::topo::{GobgpdConf, Star};
use vtepd_lab::{Lab, Result};

const HEAD: &str = r#"
[bgp]
router-id = "10.0.1.1"
asn = 65000

[control]
socket = "@SOCKET@"

[[neighbor]]
address = "10.0.1.2"
remote-as = "internal"
address-families = ["ipv4-unicast"]
hold-time = 9
connect-retry = 1

[[originate]]
type = "ipv4-unicast"
prefix = "10.90.0.0/24"
"#;

const SECOND: &str = r#"
[[neighbor]]
address = "10.0.2.2"
remote-as = "internal"
address-families = ["ipv4-unicast"]
hold-time = 9
connect-retry = 1

[[originate]]
type = "ipv4-unicast"
prefix = "10.91.0.0/24"
"#;

const PEER2: &str = r#"
[bgp]
router-id = "10.0.2.2"
asn = 65000
listen = ["10.0.2.2:179"]

[control]
socket = "@SOCKET@"

[[neighbor]]
address = "10.0.2.1"
remote-as = "internal"
address-families = ["ipv4-unicast"]
hold-time = 9
connect-retry = 1
"#;

fn reload(v: &Vtepd) -> std::process::Output {
    Command::new(BIN)
        .arg("reload")
        .arg("--socket")
        .arg(&v.socket)
        .output()
        .expect("running vtepd reload")
}

fn has_prefix(rib: &Value, p: &str) -> bool {
    rib.get(p).is_some()
}

#[test]
fn reload_adds_removes_and_refuses() -> Result<()> {
    let started = Instant::now();
    let lab = Lab::new()?;
    // vtepd in v; GoBGP in g (10.0.1.2) and the second vtepd in p
    // (10.0.2.2), each on its own link to v.
    let star = Star::create(&lab, "v", &["g", "p"])?;
    let (v, g, p) = (&star.hub, &star.spokes[0], &star.spokes[1]);
    let gobgp = g.gobgpd(
        &GobgpdConf::new(65000, "10.0.1.2")
            .neighbor("10.0.1.1", 65000, &["ipv4-unicast"])
            .render(),
    )?;
    let mut vtepd = Vtepd::start(&lab, v, "vtepd", HEAD)?;
    let peer2 = Vtepd::start(&lab, p, "peer2", PEER2)?;
    vtepd.wait_established(&lab, "10.0.1.2")?;
    gobgp.wait_established("10.0.1.1", T)?;
    gobgp.wait_rib("ipv4", "10.90.0.0/24 from vtepd", T, |r| {
        has_prefix(r, "10.90.0.0/24")
    })?;
    let before = vtepd.peer("10.0.1.2")?;
    assert_eq!(before["established-count"], 1, "{before}");
    let uptime_before = before["uptime-secs"].as_u64().unwrap_or(0);

    // 1. Add a neighbour and a route with `vtepd reload`.
    let text = std::fs::read_to_string(&vtepd.config)?;
    std::fs::write(&vtepd.config, format!("{text}{SECOND}"))?;
    let t0 = Instant::now();
    let out = reload(&vtepd);
    let msg = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "reload failed: {msg} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        msg.contains("1 neighbours added")
            && msg.contains("0 removed")
            && msg.contains("1 unchanged"),
        "{msg}"
    );
    vtepd.wait_established(&lab, "10.0.2.2")?;
    peer2.wait_established(&lab, "10.0.2.1")?;
    gobgp.wait_rib("ipv4", "10.91.0.0/24 announced after reload", T, |r| {
        has_prefix(r, "10.91.0.0/24") && has_prefix(r, "10.90.0.0/24")
    })?;
    let added_after = t0.elapsed();
    let after = vtepd.peer("10.0.1.2")?;
    assert_eq!(after["state"], "Established", "{after}");
    assert_eq!(after["established-count"], 1, "session reset: {after}");
    assert_eq!(after["dropped-count"], 0, "session reset: {after}");
    assert!(after["uptime-secs"].as_u64().unwrap_or(0) >= uptime_before);
    let gs = gobgp.cli_json(&["neighbor", "10.0.1.1"])?;
    let flops = gs
        .pointer("/state/flops")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    assert_eq!(flops, 0, "GoBGP saw the session flap: {gs}");

    // 2. Remove it again (and the route) with SIGHUP: Cease 6/3 to peer2.
    std::fs::write(&vtepd.config, &text)?;
    vtepd.process.signal("HUP")?;
    // Both vtepds set graceful restart's N bit (RFC 8538), so the Cease
    // goes as a Hard Reset (6/9) carrying 6/3.
    lab.wait_until(T, "peer2 records Cease 6/3 in a Hard Reset", || {
        peer2.peer("10.0.2.1").map(|p| {
            p["last-notification-received"]["code"] == 6
                && p["last-notification-received"]["subcode"] == 9
                && p["last-error"]
                    .as_str()
                    .is_some_and(|e| e.contains("(Hard Reset of 6/3)"))
        })
    })?;
    gobgp.wait_rib("ipv4", "10.91.0.0/24 withdrawn after reload", T, |r| {
        !has_prefix(r, "10.91.0.0/24") && has_prefix(r, "10.90.0.0/24")
    })?;
    let sum = vtepd.show(&["bgp", "summary"])?;
    let peers = sum["peers"].as_array().cloned().unwrap_or_default();
    assert_eq!(peers.len(), 1, "{sum}");
    assert_eq!(vtepd.peer("10.0.1.2")?["established-count"], 1);

    // 3. A bad file: refused with file:line:field, old config kept.
    let bad = text.replace("remote-as = \"internal\"", "remote-as = \"sideways\"");
    std::fs::write(&vtepd.config, &bad)?;
    let out = reload(&vtepd);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success(), "a bad file was accepted");
    let path = vtepd.config.to_string_lossy().into_owned();
    assert!(
        err.contains(&path) && err.contains("neighbor[1].remote-as") && err.contains(".toml:11:"),
        "error does not name file:line:field: {err}"
    );
    assert!(err.contains("running configuration kept"), "{err}");
    assert!(vtepd.alive());
    let kept = vtepd.peer("10.0.1.2")?;
    assert_eq!(kept["state"], "Established", "{kept}");
    assert_eq!(kept["established-count"], 1, "{kept}");
    assert!(has_prefix(&gobgp.rib_json("ipv4")?, "10.90.0.0/24"));

    // 4. A restart-only change (router ID, AS) is not applied: the reply
    // names it, the session stays, the running values are kept and a second
    // reload reports it again.
    let moved = text
        .replace("router-id = \"10.0.1.1\"", "router-id = \"10.0.1.9\"")
        .replace("asn = 65000", "asn = 65009");
    std::fs::write(&vtepd.config, &moved)?;
    for _ in 0..2 {
        let out = reload(&vtepd);
        let msg = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(out.status.success(), "{msg}");
        assert!(
            msg.contains("not applied, takes a restart: router-id, asn")
                && msg.contains("0 changed, 1 unchanged"),
            "{msg}"
        );
    }
    let sum = vtepd.show(&["bgp", "summary"])?;
    assert_eq!(sum["router-id"], "10.0.1.1", "{sum}");
    assert_eq!(sum["asn"], 65000, "{sum}");
    assert_eq!(vtepd.peer("10.0.1.2")?["established-count"], 1);
    assert!(has_prefix(&gobgp.rib_json("ipv4")?, "10.90.0.0/24"));

    println!(
        "reload: neighbour added and its route in GoBGP {added_after:?} after the reload; total {:?}",
        started.elapsed()
    );
    assert!(started.elapsed() < Duration::from_secs(60));
    Ok(())
}
