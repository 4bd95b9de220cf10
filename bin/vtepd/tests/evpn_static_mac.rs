//! Static (sticky) local MACs: vtepd's `[[vni]] static-macs` are
//! advertised from the start with the sticky MAC mobility flag (RFC 7432
//! §15.2), before their host has sent anything. An FRR 8.4 VTEP lists the
//! MAC as remote at vtepd's tunnel address and sticky; vtepd lists it as
//! local and sticky, with no host behind it having talked.

mod common;
mod evpn_common;

use common::{Vtepd, T};
use evpn_common::{frr_mac, frr_vtep, vtepd_conf, vtepd_host, vtepd_mac};
use vtepd_lab::{Lab, Result, Veth};

const STATIC_MAC: &str = "02:00:00:00:0a:0a";

#[test]
fn evpn_static_mac_is_advertised_sticky() -> Result<()> {
    let lab = Lab::new()?;
    let f = lab.netns("f")?;
    let v = lab.netns("v")?;
    let _u = Veth::pair(&f, "u0", &v, "u0")
        .addrs_a(&["10.0.0.1/24"])
        .addrs_b(&["10.0.0.2/24"])
        .create()?;
    let fv = frr_vtep(
        &lab,
        &f,
        "10.0.0.1",
        "hb",
        "02:00:00:00:01:01",
        &["192.168.100.1/24"],
        &[("10.0.0.2", "internal")],
        "",
    )?;
    // The host behind vtepd stays silent (no address, IPv6 off).
    let h = vtepd_host(&lab, &v, "hv0", "ha", STATIC_MAC, &[])?;
    h.host.sysctl("net.ipv6.conf.all.disable_ipv6", "1")?;
    let mut conf = vtepd_conf("10.0.0.2", &[("10.0.0.1", false)], "hv0");
    conf.push_str(&format!("static-macs = [\"{STATIC_MAC}\"]\n"));
    let vtepd = Vtepd::start(&lab, &v, "vtepd", &conf)?;
    vtepd.wait_established(&lab, "10.0.0.1")?;

    lab.wait_until(T, "FRR to list the static MAC behind vtepd", || {
        Ok::<bool, anyhow::Error>(frr_mac(&fv.frr, STATIC_MAC)?["remoteVtep"] == "10.0.0.2")
    })?;
    let detail = fv
        .frr
        .vtysh(&[&format!("show evpn mac vni 100 mac {STATIC_MAC}")])?;
    assert!(
        detail.to_lowercase().contains("sticky"),
        "FRR does not see the MAC as sticky:\n{detail}"
    );
    let m = vtepd_mac(&vtepd, STATIC_MAC)?
        .ok_or_else(|| anyhow::anyhow!("vtepd does not list the static MAC"))?;
    assert_eq!(m["type"], "local", "{m}");
    assert_eq!(m["sticky"], true, "{m}");
    // Its route carries the sticky flag.
    let routes = vtepd.show(&["bgp", "evpn", "route", "type", "2"])?;
    let r = routes["routes"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r.to_string().contains(STATIC_MAC))
        .ok_or_else(|| anyhow::anyhow!("no type-2 route for the static MAC: {routes}"))?;
    assert!(r.to_string().to_lowercase().contains("sticky"), "{r}");
    Ok(())
}
