//! The dataplane's MAC event channel overflows and nothing is lost: with
//! `[evpn] event-channel = 8`, a host floods 300 frames with distinct
//! source MACs at once, far more than the worker's queues hold between
//! two drains. The worker counts what it drops; vtepd resyncs from the
//! worker's table and ends with every MAC the worker has, each listed by
//! `show evpn mac` and originated as a type-2 route.

mod common;
mod evpn_common;

use common::{Vtepd, T};
use evpn_common::{vtepd_conf, vtepd_dp, vtepd_host};
use vtepd_lab::{Lab, Result, Veth};

const HOSTS: u32 = 300;

fn host_mac(i: u32) -> String {
    format!("02:00:00:bb:{:02x}:{:02x}", i >> 8, i & 0xff)
}

#[test]
fn evpn_event_overflow_resyncs_every_mac() -> Result<()> {
    let lab = Lab::new()?;
    let u = lab.netns("u")?;
    let v = lab.netns("v")?;
    let _ul = Veth::pair(&u, "u0", &v, "u0")
        .addrs_a(&["10.0.0.1/24"])
        .addrs_b(&["10.0.0.2/24"])
        .create()?;
    // The host stays silent but for the flood (no address, IPv6 off).
    let h = vtepd_host(&lab, &v, "hv0", "ha", "02:00:00:00:0a:01", &[])?;
    h.host.sysctl("net.ipv6.conf.all.disable_ipv6", "1")?;
    let mut conf = vtepd_conf("10.0.0.2", &[], "hv0");
    conf.push_str("\n[evpn]\nevent-channel = 8\n");
    let vtepd = Vtepd::start(&lab, &v, "vtepd", &conf)?;

    // 300 broadcast frames, distinct unicast sources, in one burst.
    let script = format!(
        "import socket\n\
         s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)\n\
         s.bind(('eth0', 0))\n\
         for i in range({HOSTS}):\n\
         \x20   src = bytes([2, 0, 0, 0xbb, i >> 8, i & 0xff])\n\
         \x20   s.send(b'\\xff' * 6 + src + b'\\x88\\xb5' + bytes(46))\n"
    );
    h.host.exec("python3", &["-c", &script])?;

    let want: Vec<String> = (0..HOSTS).map(host_mac).collect();
    lab.wait_until(T, "vtepd to list every flooded MAC as local", || {
        let s = vtepd.show(&["evpn", "mac", "vni", "100"])?;
        let local: Vec<&str> = s["vnis"][0]["macs"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|m| m["type"] == "local")
            .filter_map(|m| m["mac"].as_str())
            .collect();
        Ok::<bool, anyhow::Error>(want.iter().all(|w| local.contains(&w.as_str())))
    })?;

    // The worker did drop events, and vtepd resynced.
    let vni = vtepd.show(&["evpn", "vni", "100"])?;
    let n = &vni["vnis"][0];
    assert!(n["events-lost"].as_u64().unwrap_or(0) > 0, "{n}");
    assert!(n["event-resyncs"].as_u64().unwrap_or(0) > 0, "{n}");

    // vtepd has exactly what the worker has: its table holds the 300 MACs
    // (nothing remote here; its count is published every 500 ms), and
    // `show evpn mac` lists the same number, each on the host's port.
    let mut last = (0, 0);
    lab.wait_until(T, "the worker's MAC count to match vtepd's", || {
        let (dp, _) = vtepd_dp(&vtepd)?;
        let s = vtepd.show(&["evpn", "mac", "vni", "100"])?;
        last = (dp, s["vnis"][0]["count"].as_u64().unwrap_or(0));
        Ok::<bool, anyhow::Error>(dp >= u64::from(HOSTS) && last.0 == last.1)
    })?;
    let s = vtepd.show(&["evpn", "mac", "vni", "100"])?;
    let macs = s["vnis"][0]["macs"].as_array().cloned().unwrap_or_default();
    assert_eq!(macs.len() as u64, last.1, "{s}");
    let vni = vtepd.show(&["evpn", "vni", "100"])?;
    assert_eq!(vni["vnis"][0]["local-macs"].as_u64(), Some(last.0), "{vni}");
    for m in &macs {
        assert_eq!(m["type"], "local", "{m}");
        assert_eq!(m["interface"], "hv0", "{m}");
    }

    // Each is originated as a type-2 route.
    let routes = vtepd.show(&["bgp", "evpn", "route", "type", "2"])?;
    let text = routes.to_string();
    for w in &want {
        assert!(text.contains(w.as_str()), "no type-2 route for {w}");
    }
    Ok(())
}
