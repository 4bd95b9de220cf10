//! Peer loss: stop FRR and vtepd removes every MAC and flood entry learnt
//! from it (control plane and dataplane); restart FRR and they return;
//! SIGTERM vtepd and FRR withdraws vtepd's MACs.

mod common;
mod evpn_common;

use std::time::{Duration, Instant};

use common::{Vtepd, T};
use evpn_common::{frr_vtep, vtepd_conf, vtepd_dp, vtepd_host, vtepd_mac};
use vtepd_lab::topo::EvpnBgpConf;
use vtepd_lab::{Lab, Result, Veth};

const A_MAC: &str = "02:00:00:00:02:02";
const B_MAC: &str = "02:00:00:00:01:01";

#[test]
fn evpn_peer_loss() -> Result<()> {
    let started = Instant::now();
    let lab = Lab::new()?;
    let f = lab.netns("f")?;
    let v = lab.netns("v")?;
    let _u = Veth::pair(&f, "u0", &v, "u0")
        .addrs_a(&["10.0.0.1/24"])
        .addrs_b(&["10.0.0.2/24"])
        .create()?;
    let mut fv = frr_vtep(
        &lab,
        &f,
        "10.0.0.1",
        "hb",
        B_MAC,
        &["192.168.100.1/24"],
        &[("10.0.0.2", "internal")],
        "",
    )?;
    let ha = vtepd_host(&lab, &v, "hv0", "ha", A_MAC, &["192.168.100.2/24"])?;
    let mut vtepd = Vtepd::start(
        &lab,
        &v,
        "vtepd",
        &vtepd_conf("10.0.0.2", &[("10.0.0.1", false)], "hv0"),
    )?;
    vtepd.wait_established(&lab, "10.0.0.1")?;
    ha.host.wait_ping("192.168.100.1", T)?;
    let learnt = |vt: &Vtepd| -> Result<bool> {
        Ok(
            vtepd_mac(vt, B_MAC)?.is_some_and(|m| m["remote-vtep"] == "10.0.0.1")
                && vtepd_dp(vt)? == (2, 1),
        )
    };
    lab.wait_until(T, "vtepd to hold B and FRR's flood entry", || {
        learnt(&vtepd)
    })?;

    // FRR goes away: everything learnt from it goes too.
    let t0 = Instant::now();
    fv.frr.stop();
    lab.wait_until(T, "vtepd to drop B and the flood entry", || {
        Ok::<bool, anyhow::Error>(
            vtepd_mac(&vtepd, B_MAC)?.is_none() && vtepd_dp(&vtepd)? == (1, 0),
        )
    })?;
    println!("FRR stopped: vtepd cleaned up in {:?}", t0.elapsed());
    let vt = vtepd.show(&["vteps"])?;
    assert_eq!(vt["vteps"].as_array().map(Vec::len), Some(0), "{vt}");
    assert!(vtepd_mac(&vtepd, A_MAC)?.is_some_and(|m| m["type"] == "local"));

    // FRR comes back: so do B and the flood entry.
    drop(fv.frr);
    let conf = EvpnBgpConf {
        hostname: "f",
        router_id: "10.0.0.1",
        neighbors: &[("10.0.0.2", "internal")],
        ..Default::default()
    }
    .render();
    let t1 = Instant::now();
    fv.frr = f.frr("hostname f\n!\n", Some(&conf))?;
    lab.wait_until(T, "vtepd to learn B and the flood entry again", || {
        learnt(&vtepd)
    })?;
    println!("FRR restarted: vtepd re-learnt in {:?}", t1.elapsed());
    ha.host.wait_ping("192.168.100.1", T)?;
    lab.wait_until(T, "FRR to list A again", || {
        Ok::<bool, anyhow::Error>(evpn_common::frr_mac(&fv.frr, A_MAC)?["remoteVtep"] == "10.0.0.2")
    })?;

    // vtepd goes away (SIGTERM): FRR withdraws A.
    let t2 = Instant::now();
    vtepd.process.signal("TERM")?;
    lab.wait_until(T, "FRR to withdraw A", || {
        Ok::<bool, anyhow::Error>(evpn_common::frr_mac(&fv.frr, A_MAC)?.is_null())
    })?;
    println!("vtepd stopped: FRR withdrew A in {:?}", t2.elapsed());
    let fdb = f.fdb(Some("vxlan100"))?;
    assert!(!fdb.contains(A_MAC), "kernel FDB still has A: {fdb}");
    lab.wait_until(Duration::from_secs(5), "vtepd to exit", || {
        Ok::<bool, anyhow::Error>(!vtepd.alive())
    })?;
    println!("evpn_peer_loss took {:?}", started.elapsed());
    Ok(())
}
