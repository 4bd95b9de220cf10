//! Shared builders of the EVPN interop tests: an FRR VTEP (kernel VXLAN +
//! bridge + host, FRR bgpd/zebra) and a vtepd VTEP (AF_PACKET port on a
//! veth to a host namespace), both with VNI 100.

#![allow(dead_code)]

use std::fmt::Write as _;

use vtepd_lab::serde_json::Value;
use vtepd_lab::topo::{EvpnBgpConf, L2Segment, L2SegmentSpec};
use vtepd_lab::{Frr, Lab, Netns, Result, Veth};

use crate::common::Vtepd;

/// An FRR VTEP and its host.
pub struct FrrVtep {
    pub frr: Frr,
    pub seg: L2Segment,
}

/// FRR VTEP at `rid` (the address of `u0` in `ns`) with host `host`.
/// `neighbors`: (address, "internal"); `extra`: lines inside `router bgp`.
#[allow(clippy::too_many_arguments)]
pub fn frr_vtep(
    lab: &Lab,
    ns: &Netns,
    rid: &str,
    host: &str,
    mac: &str,
    addrs: &[&str],
    neighbors: &[(&str, &str)],
    extra: &str,
) -> Result<FrrVtep> {
    ns.disable_tx_offload("u0")?;
    let seg = L2Segment::create(
        lab,
        ns,
        &L2SegmentSpec {
            vni: 100,
            local: rid.parse()?,
            underlay_dev: Some("u0"),
            mtu: 1450,
            host_name: host,
            host_mac: mac,
            host_addrs: addrs,
            static_remotes: &[],
        },
    )?;
    let conf = EvpnBgpConf {
        hostname: ns.short_name(),
        router_id: rid,
        neighbors,
        extra,
        ..Default::default()
    }
    .render();
    let frr = ns.frr(&format!("hostname {}\n!\n", ns.short_name()), Some(&conf))?;
    Ok(FrrVtep { frr, seg })
}

/// A vtepd VTEP's host.
pub struct VtepdHost {
    pub link: Veth,
    pub host: Netns,
}

/// Host namespace `host` behind port `port` (a veth) of the VTEP in `ns`.
pub fn vtepd_host(
    lab: &Lab,
    ns: &Netns,
    port: &str,
    host: &str,
    mac: &str,
    addrs: &[&str],
) -> Result<VtepdHost> {
    let h = lab.netns(host)?;
    let link = Veth::pair(ns, port, &h, "eth0")
        .mtu(1450)
        .mac_b(mac)
        .addrs_b(addrs)
        .create()?;
    h.disable_tx_offload("eth0")?;
    Ok(VtepdHost { link, host: h })
}

/// vtepd's config: router `rid`, iBGP AS 65000, VNI 100 on `port`;
/// `neighbors`: (address, route-reflector client).
pub fn vtepd_conf(rid: &str, neighbors: &[(&str, bool)], port: &str) -> String {
    let mut s = format!(
        "[bgp]\nrouter-id = \"{rid}\"\nasn = 65000\nlisten = [\"{rid}:179\"]\n\n\
         [control]\nsocket = \"@SOCKET@\"\n\n[underlay]\nlocal-ip = \"{rid}\"\n\n"
    );
    for (n, rr) in neighbors {
        let _ = writeln!(
            s,
            "[[neighbor]]\naddress = \"{n}\"\nremote-as = \"internal\"\nhold-time = 9\n\
             connect-retry = 1\nroute-reflector-client = {rr}\n"
        );
    }
    let _ = writeln!(s, "[[vni]]\nvni = 100\ninterfaces = [\"{port}\"]");
    s
}

/// vtepd's entry for `mac` in VNI 100.
pub fn vtepd_mac(v: &Vtepd, mac: &str) -> Result<Option<Value>> {
    let s = v.show(&["evpn", "mac", "vni", "100"])?;
    Ok(s["vnis"][0]["macs"]
        .as_array()
        .and_then(|l| l.iter().find(|m| m["mac"] == mac).cloned()))
}

/// FRR's entry for `mac` in VNI 100.
pub fn frr_mac(f: &Frr, mac: &str) -> Result<Value> {
    let j = f.vtysh_json("show evpn mac vni 100 json")?;
    Ok(j["macs"][mac].clone())
}

/// vtepd's dataplane view of VNI 100: (MACs in the table, flood VTEPs).
pub fn vtepd_dp(v: &Vtepd) -> Result<(u64, u64)> {
    let s = v.show(&["interfaces"])?;
    let n = s["vnis"]
        .as_array()
        .and_then(|l| l.iter().find(|x| x["vni"] == 100).cloned())
        .ok_or_else(|| anyhow::anyhow!("no VNI 100 in {s}"))?;
    Ok((
        n["macs"].as_u64().unwrap_or(u64::MAX),
        n["flood-vteps"].as_u64().unwrap_or(u64::MAX),
    ))
}
