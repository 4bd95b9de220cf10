//! Route reflection in mixed EVPN overlays (three VTEP namespaces on one
//! underlay switch): FRR as route reflector for two vtepd clients, hosts
//! behind the vtepds ping each other; and vtepd as route reflector for two
//! FRR clients, hosts behind the FRRs ping each other.

mod common;
mod evpn_common;

use std::time::Instant;

use common::{Vtepd, T};
use evpn_common::{frr_mac, frr_vtep, vtepd_conf, vtepd_host, vtepd_mac};
use vtepd_lab::{Bridge, Lab, Netns, Result, Veth};

/// Namespaces `names` on one underlay switch, `u0` = 10.0.0.(i+1)/24.
fn underlay(lab: &Lab, names: &[&str]) -> Result<(Netns, Bridge, Vec<Netns>, Vec<Veth>)> {
    let ul = lab.netns("ul")?;
    let sw = ul.bridge("sw", None)?;
    let mut nss = Vec::new();
    let mut links = Vec::new();
    for (i, n) in names.iter().enumerate() {
        let ns = lab.netns(n)?;
        let port = format!("p{}", i + 1);
        links.push(
            Veth::pair(&ul, &port, &ns, "u0")
                .addrs_b(&[&format!("10.0.0.{}/24", i + 1)])
                .create()?,
        );
        sw.add_port(&port)?;
        ns.disable_tx_offload("u0")?;
        nss.push(ns);
    }
    Ok((ul, sw, nss, links))
}

#[test]
fn frr_reflects_for_two_vtepd() -> Result<()> {
    let started = Instant::now();
    let lab = Lab::new()?;
    let (_ul, _sw, ns, _links) = underlay(&lab, &["rr", "v1", "v2"])?;
    let rr = " address-family l2vpn evpn\n  neighbor 10.0.0.2 route-reflector-client\n  \
              neighbor 10.0.0.3 route-reflector-client\n exit-address-family\n";
    let fv = frr_vtep(
        &lab,
        &ns[0],
        "10.0.0.1",
        "hf",
        "02:00:00:00:01:01",
        &["192.168.100.1/24"],
        &[("10.0.0.2", "internal"), ("10.0.0.3", "internal")],
        rr,
    )?;
    let mut hosts = Vec::new();
    let mut vtepds = Vec::new();
    for (i, vns) in ns.iter().enumerate().skip(1) {
        let n = i + 1;
        hosts.push(vtepd_host(
            &lab,
            vns,
            "hv0",
            &format!("h{i}"),
            &format!("02:00:00:00:01:0{n}"),
            &[&format!("192.168.100.{n}/24")],
        )?);
        let rid = format!("10.0.0.{n}");
        vtepds.push(Vtepd::start(
            &lab,
            vns,
            &format!("vtepd{i}"),
            &vtepd_conf(&rid, &[("10.0.0.1", false)], "hv0"),
        )?);
    }
    for (v, rid) in vtepds.iter().zip(["10.0.0.2", "10.0.0.3"]) {
        v.wait_established(&lab, "10.0.0.1")?;
        fv.frr.wait_established(rid, T)?;
    }
    hosts[0].host.wait_ping("192.168.100.3", T)?;
    hosts[1].host.wait_ping("192.168.100.2", T)?;
    hosts[0].host.wait_ping("192.168.100.1", T)?;
    // Each vtepd learnt the other's host through the reflector.
    lab.wait_until(T, "vtepd1 to see h2 at 10.0.0.3", || {
        Ok::<bool, anyhow::Error>(
            vtepd_mac(&vtepds[0], "02:00:00:00:01:03")?
                .is_some_and(|m| m["remote-vtep"] == "10.0.0.3"),
        )
    })?;
    let vt = vtepds[1].show(&["vteps"])?;
    let n = vt["vteps"].as_array().map_or(0, Vec::len);
    assert_eq!(n, 2, "vtepd2 floods to FRR and vtepd1: {vt}");
    println!(
        "FRR as RR for two vtepd: converged and pinging in {:?}",
        started.elapsed()
    );
    Ok(())
}

#[test]
fn vtepd_reflects_for_two_frr() -> Result<()> {
    let started = Instant::now();
    let lab = Lab::new()?;
    let (_ul, _sw, ns, _links) = underlay(&lab, &["rr", "f1", "f2"])?;
    let conf = r#"
[bgp]
router-id = "10.0.0.1"
asn = 65000
listen = ["10.0.0.1:179"]

[control]
socket = "@SOCKET@"

[[neighbor]]
address = "10.0.0.2"
remote-as = "internal"
route-reflector-client = true
hold-time = 9
connect-retry = 1

[[neighbor]]
address = "10.0.0.3"
remote-as = "internal"
route-reflector-client = true
hold-time = 9
connect-retry = 1
"#;
    let vtepd = Vtepd::start(&lab, &ns[0], "vtepd-rr", conf)?;
    let mut fvs = Vec::new();
    for (i, vns) in ns.iter().enumerate().skip(1) {
        let n = i + 1;
        fvs.push(frr_vtep(
            &lab,
            vns,
            &format!("10.0.0.{n}"),
            &format!("h{i}"),
            &format!("02:00:00:00:01:0{n}"),
            &[&format!("192.168.100.{n}/24")],
            &[("10.0.0.1", "internal")],
            "",
        )?);
    }
    vtepd.wait_established(&lab, "10.0.0.2")?;
    vtepd.wait_established(&lab, "10.0.0.3")?;
    fvs[0].seg.host.wait_ping("192.168.100.3", T)?;
    fvs[1].seg.host.wait_ping("192.168.100.2", T)?;
    lab.wait_until(T, "FRR f1 to see h2 behind 10.0.0.3", || {
        Ok::<bool, anyhow::Error>(
            frr_mac(&fvs[0].frr, "02:00:00:00:01:03")?["remoteVtep"] == "10.0.0.3",
        )
    })?;
    let fdb = ns[1].fdb(Some("vxlan100"))?;
    assert!(
        fdb.contains("00:00:00:00:00:00 dst 10.0.0.3"),
        "f1 flood entry: {fdb}"
    );
    println!(
        "vtepd as RR for two FRR: converged and pinging in {:?}",
        started.elapsed()
    );
    Ok(())
}
