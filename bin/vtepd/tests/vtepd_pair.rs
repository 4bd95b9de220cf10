//! Two vtepd daemons peer with each other, both connecting actively at the
//! same moment (a connection collision, RFC 4271 §6.8, is likely and must
//! leave exactly one session); they exchange EVPN routes; SIGTERM on one
//! sends Cease/Administrative Shutdown (6/2), which the other records, and
//! its routes disappear from the survivor.

mod common;

use std::time::{Duration, Instant};

use common::{Vtepd, T};
use vtepd_lab::{Lab, Result, Veth};

fn conf(me: &str, peer: &str, mac: &str) -> String {
    format!(
        r#"
[bgp]
router-id = "{me}"
asn = 65000
listen = ["{me}:179"]

[control]
socket = "@SOCKET@"

[[neighbor]]
address = "{peer}"
remote-as = "internal"
hold-time = 9
connect-retry = 1

[[vni]]
vni = 100

[[originate]]
type = "evpn-mac-ip"
vni = 100
mac = "{mac}"
ip = "192.168.100.{last}"
"#,
        last = &me[me.len() - 1..]
    )
}

#[test]
fn vtepd_pair_collision_routes_and_cease() -> Result<()> {
    let started = Instant::now();
    let lab = Lab::new()?;
    let a = lab.netns("a")?;
    let b = lab.netns("b")?;
    let _l = Veth::pair(&a, "u0", &b, "u0")
        .addrs_a(&["10.0.0.1/24"])
        .addrs_b(&["10.0.0.2/24"])
        .create()?;
    let mut va = Vtepd::start(
        &lab,
        &a,
        "vtepd-a",
        &conf("10.0.0.1", "10.0.0.2", "02:00:00:00:0a:01"),
    )?;
    let vb = Vtepd::start(
        &lab,
        &b,
        "vtepd-b",
        &conf("10.0.0.2", "10.0.0.1", "02:00:00:00:0b:01"),
    )?;
    va.wait_established(&lab, "10.0.0.2")?;
    vb.wait_established(&lab, "10.0.0.1")?;
    for (me, mac) in [(&va, "02:00:00:00:0b:01"), (&vb, "02:00:00:00:0a:01")] {
        lab.wait_until(T, "the other daemon's type-2", || -> Result<bool> {
            Ok(me
                .paths(&["bgp", "evpn", "route", "type", "2"])?
                .iter()
                .any(|p| p["mac"] == mac && p["local-pref"] == 100))
        })?;
        lab.wait_until(T, "the other daemon's type-3", || -> Result<bool> {
            Ok(me.paths(&["bgp", "evpn", "route", "type", "3"])?.len() == 2)
        })?;
    }
    // One session each, and it stays up (no collision flapping).
    std::thread::sleep(Duration::from_secs(2));
    for (v, peer) in [(&va, "10.0.0.2"), (&vb, "10.0.0.1")] {
        let p = v.peer(peer)?;
        assert_eq!(p["state"], "Established", "{p}");
        assert_eq!(p["dropped-count"], 0, "{p}");
    }

    let status = va.process.stop_with("TERM", Duration::from_secs(5))?;
    assert!(status.success(), "{status:?}");
    // Both set graceful restart's N bit (RFC 8538): the Cease goes as a
    // Hard Reset (6/9) carrying 6/2, and B drops A's routes at once.
    lab.wait_until(T, "B recorded Cease 6/2 from A", || -> Result<bool> {
        let p = vb.peer("10.0.0.1")?;
        Ok(p["last-notification-received"]["code"] == 6
            && p["last-notification-received"]["subcode"] == 9
            && p["last-error"]
                .as_str()
                .is_some_and(|e| e.contains("(Hard Reset of 6/2)")))
    })?;
    let ps = vb.paths(&["bgp", "evpn", "route"])?;
    assert!(ps.iter().all(|p| p["source"] == "local"), "{ps:#?}");
    println!("total {:?}", started.elapsed());
    assert!(started.elapsed() < Duration::from_secs(60));
    Ok(())
}
