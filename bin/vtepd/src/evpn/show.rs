//! `show evpn mac vni N`, `show evpn vni`, `show evpn arp-cache [vni N]`,
//! `show vteps`, `show interfaces`: JSON answers built in the EVPN task,
//! and the FRR-like tables the CLI renders from them.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::IpAddr;

use serde_json::{json, Value};
use vtepd_dataplane::stats::Counter;

use super::state::best_remote;
use super::EvpnTask;

fn counter(c: &Counter) -> Value {
    json!({"packets": c.packets, "bytes": c.bytes})
}

/// The answer to `what` (`mac`, `vni`, `arp-cache`, `vteps`, `interfaces`).
pub fn answer(t: &EvpnTask, what: &str, vni: Option<u32>) -> Value {
    let want = |n: u32| vni.is_none_or(|v| v == n);
    match what {
        "mac" => {
            let mut out = Vec::new();
            for (n, v) in t.state.vnis.iter().filter(|(n, _)| want(**n)) {
                let mut macs = BTreeMap::new();
                for (m, l) in &v.local {
                    macs.insert(
                        m.to_string(),
                        json!({
                            "mac": m.to_string(),
                            "type": "local",
                            "interface": t.local_ports.get(&(*n, *m)),
                            "seq": l.seq,
                            "sticky": l.sticky,
                            "ips": l.ips.iter().map(IpAddr::to_string).collect::<Vec<_>>(),
                            "frozen": v.frozen.contains(m),
                        }),
                    );
                }
                for (m, paths) in &v.remote {
                    if v.local.contains_key(m) {
                        continue;
                    }
                    let Some(b) = best_remote(paths) else {
                        continue;
                    };
                    let ips: Vec<String> = paths
                        .values()
                        .filter_map(|p| p.ip)
                        .map(|i| i.to_string())
                        .collect();
                    macs.insert(
                        m.to_string(),
                        json!({
                            "mac": m.to_string(),
                            "type": "remote",
                            "remote-vtep": b.vtep.to_string(),
                            "seq": b.seq,
                            "sticky": b.sticky,
                            "ips": ips,
                            "installed": v.installed.get(m).map(IpAddr::to_string),
                            "frozen": v.frozen.contains(m),
                            "paths": paths.len(),
                        }),
                    );
                }
                out.push(json!({
                    "vni": n,
                    "count": macs.len(),
                    "macs": macs.into_values().collect::<Vec<_>>(),
                }));
            }
            json!({ "vnis": out })
        }
        "vni" => {
            let snap = t.worker.snapshot();
            let mut out = Vec::new();
            for (n, v) in t.state.vnis.iter().filter(|(n, _)| want(**n)) {
                let c = t.cfg.vnis.iter().find(|c| c.vni.get() == *n);
                let s = snap.vnis.iter().find(|s| s.vni == *n);
                let remote = v.remote.keys().filter(|m| !v.local.contains_key(m)).count();
                out.push(json!({
                    "vni": n,
                    "type": "L2",
                    "rd": v.cfg.rd.to_string(),
                    "import-rt": c.map(|c| c.import_rt.iter().map(|r| r.to_string()).collect::<Vec<_>>()),
                    "export-rt": v.cfg.export_rt.iter().map(|r| r.to_string()).collect::<Vec<_>>(),
                    "local-vtep": v.cfg.local_ip.to_string(),
                    "ports": c.map(|c| c.ports.iter().map(|p| p.name().to_owned()).collect::<Vec<_>>()),
                    "local-macs": v.local.len(),
                    "remote-macs": remote,
                    "remote-vteps": v.flood.iter().map(IpAddr::to_string).collect::<Vec<_>>(),
                    "dataplane-macs": s.map(|s| s.macs),
                    "arp-suppression": c.map(|c| c.arp_suppression),
                    "suppressed": s.map(|s| counter(&s.stats.suppressed)),
                    "flooded": s.map(|s| counter(&s.stats.flooded)),
                    "moves": v.move_count,
                    "max-remote-macs": c.map(|c| c.max_remote_macs),
                    "over-max-remote-macs": t.over_limit.contains(n),
                    "event-channel-overflows": t.events_overflowed,
                    "events-lost": t.lost_seen,
                    "event-resyncs": t.resyncs,
                    "frozen": v.frozen.iter().map(|m| m.to_string()).collect::<Vec<_>>(),
                }));
            }
            json!({ "vnis": out })
        }
        "arp-cache" => {
            let mut out = Vec::new();
            for (n, v) in t.state.vnis.iter().filter(|(n, _)| want(**n)) {
                let mut entries = Vec::new();
                for (m, l) in &v.local {
                    for ip in &l.ips {
                        entries.push(json!({"ip": ip.to_string(), "mac": m.to_string(), "type": "local", "seq": l.seq}));
                    }
                }
                for (ip, m) in &v.bindings {
                    let vtep = v.installed.get(m).map(IpAddr::to_string);
                    entries.push(json!({"ip": ip.to_string(), "mac": m.to_string(), "type": "remote", "remote-vtep": vtep}));
                }
                out.push(json!({"vni": n, "count": entries.len(), "entries": entries}));
            }
            json!({ "vnis": out })
        }
        "vteps" => {
            let mut vteps: BTreeMap<IpAddr, (Vec<u32>, usize)> = BTreeMap::new();
            for (n, v) in &t.state.vnis {
                for vt in &v.flood {
                    vteps.entry(*vt).or_default().0.push(*n);
                }
                for vt in v.installed.values() {
                    vteps.entry(*vt).or_default().1 += 1;
                }
            }
            let list: Vec<Value> = vteps
                .iter()
                .map(|(ip, (vnis, macs))| {
                    json!({"vtep": ip.to_string(), "flood-vnis": vnis, "macs": macs})
                })
                .collect();
            json!({ "vteps": list })
        }
        "interfaces" => {
            let s = t.worker.snapshot();
            let ports: Vec<Value> = s
                .ports
                .iter()
                .map(|p| {
                    let kind = t
                        .cfg
                        .vnis
                        .iter()
                        .flat_map(|v| v.ports.iter())
                        .find(|c| c.name() == p.name)
                        .map(|c| match c {
                            crate::config::PortCfg::Tap(_) => "tap",
                            crate::config::PortCfg::Interface(_) => "af-packet",
                        });
                    json!({
                        "name": p.name, "kind": kind, "vni": p.vni,
                        "rx-frames": p.rx_frames, "tx-frames": p.tx_frames,
                        "tx-dropped": p.tx_dropped, "gso-frames": p.gso_frames,
                        "offload-errors": p.offload_errors,
                    })
                })
                .collect();
            let vnis: Vec<Value> = s
                .vnis
                .iter()
                .map(|v| {
                    json!({
                        "vni": v.vni, "macs": v.macs, "flood-vteps": v.flood,
                        "rx-local": counter(&v.stats.rx_local),
                        "rx-overlay": counter(&v.stats.rx_overlay),
                        "tx-local": counter(&v.stats.tx_local),
                        "tx-overlay": counter(&v.stats.tx_overlay),
                        "flooded": counter(&v.stats.flooded),
                        "suppressed": counter(&v.stats.suppressed),
                        "drops": v.stats.drops.total(),
                    })
                })
                .collect();
            json!({
                "dataplane-running": t.worker.is_running(),
                "underlay": {
                    "local": t.cfg.local_ip.to_string(), "port": t.cfg.underlay_port,
                    "mtu": t.cfg.underlay_mtu,
                    "rx-datagrams": s.underlay.rx_datagrams, "tx-datagrams": s.underlay.tx_datagrams,
                    "tx-dropped": s.underlay.tx_dropped, "gso": s.underlay.gso, "gro": s.underlay.gro,
                    "drops": s.switch.drops.total(),
                },
                "ports": ports,
                "vnis": vnis,
            })
        }
        other => json!({ "error": format!("unknown evpn query {other:?}") }),
    }
}

fn s(v: &Value) -> String {
    match v {
        Value::Null => "-".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn list(v: &Value) -> String {
    let l: Vec<String> = v.as_array().into_iter().flatten().map(s).collect();
    if l.is_empty() {
        "-".into()
    } else {
        l.join(",")
    }
}

/// Render an answer as FRR-like tables. (Column headers are written with
/// the rows' format string so that they line up.)
#[allow(clippy::write_literal)]
pub fn render(what: &str, v: &Value) -> String {
    let mut o = String::new();
    match what {
        "mac" => {
            for n in v["vnis"].as_array().into_iter().flatten() {
                let _ = writeln!(
                    o,
                    "Number of MACs (local and remote) known for this VNI: {}",
                    s(&n["count"])
                );
                let _ = writeln!(
                    o,
                    "Flags: N=sync-neighs, I=local-inactive, P=peer-active, X=peer-proxy, F=frozen"
                );
                let _ = writeln!(
                    o,
                    "{:<17} {:<5} {:<6} {:<21} {:<10} {}",
                    "MAC", "Type", "Flags", "Intf/Remote ES/VTEP", "VLAN", "Seq #'s"
                );
                for m in n["macs"].as_array().into_iter().flatten() {
                    let flags = if m["frozen"] == json!(true) { "F" } else { "" };
                    let dest = if m["type"] == "local" {
                        s(&m["interface"])
                    } else {
                        s(&m["remote-vtep"])
                    };
                    let (l, r) = if m["type"] == "local" {
                        (s(&m["seq"]), "0".to_owned())
                    } else {
                        ("0".to_owned(), s(&m["seq"]))
                    };
                    let _ = writeln!(
                        o,
                        "{:<17} {:<5} {:<6} {:<21} {:<10} {}/{}",
                        s(&m["mac"]),
                        if m["type"] == "local" {
                            "local"
                        } else {
                            "remote"
                        },
                        flags,
                        dest,
                        "",
                        l,
                        r
                    );
                }
            }
        }
        "vni" => {
            let _ = writeln!(
                o,
                "{:<9} {:<4} {:<15} {:<8} {:<8} {:<8} {:<22} {:<16} {}",
                "VNI",
                "Type",
                "Local VTEP",
                "# MACs",
                "# Local",
                "# VTEPs",
                "RD",
                "Export RT",
                "Ports"
            );
            for n in v["vnis"].as_array().into_iter().flatten() {
                let total =
                    n["local-macs"].as_u64().unwrap_or(0) + n["remote-macs"].as_u64().unwrap_or(0);
                let _ = writeln!(
                    o,
                    "{:<9} {:<4} {:<15} {:<8} {:<8} {:<8} {:<22} {:<16} {}",
                    s(&n["vni"]),
                    s(&n["type"]),
                    s(&n["local-vtep"]),
                    total,
                    s(&n["local-macs"]),
                    n["remote-vteps"].as_array().map_or(0, Vec::len),
                    s(&n["rd"]),
                    list(&n["export-rt"]),
                    list(&n["ports"])
                );
                let _ = writeln!(
                    o,
                    "          remote VTEPs: {}  ARP/ND suppression: {} (answered {})  moves: {}  frozen: {}",
                    list(&n["remote-vteps"]),
                    s(&n["arp-suppression"]),
                    s(&n["suppressed"]["packets"]),
                    s(&n["moves"]),
                    list(&n["frozen"])
                );
                if n["over-max-remote-macs"] == true {
                    let _ = writeln!(
                        o,
                        "          WARNING: more remote MACs than max-remote-macs ({}): the rest are flooded",
                        s(&n["max-remote-macs"])
                    );
                }
            }
        }
        "arp-cache" => {
            for n in v["vnis"].as_array().into_iter().flatten() {
                let _ = writeln!(
                    o,
                    "VNI {}: number of ARP/ND entries {}",
                    s(&n["vni"]),
                    s(&n["count"])
                );
                let _ = writeln!(
                    o,
                    "{:<40} {:<7} {:<17} {:<15} {}",
                    "IP", "Type", "MAC", "Remote VTEP", "Seq #'s"
                );
                for e in n["entries"].as_array().into_iter().flatten() {
                    let _ = writeln!(
                        o,
                        "{:<40} {:<7} {:<17} {:<15} {}",
                        s(&e["ip"]),
                        s(&e["type"]),
                        s(&e["mac"]),
                        s(&e["remote-vtep"]),
                        s(&e["seq"])
                    );
                }
            }
        }
        "vteps" => {
            let _ = writeln!(o, "{:<40} {:<20} {}", "Remote VTEP", "Flood VNIs", "# MACs");
            for t in v["vteps"].as_array().into_iter().flatten() {
                let _ = writeln!(
                    o,
                    "{:<40} {:<20} {}",
                    s(&t["vtep"]),
                    list(&t["flood-vnis"]),
                    s(&t["macs"])
                );
            }
        }
        "interfaces" => {
            let u = &v["underlay"];
            if v["dataplane-running"] == json!(false) {
                let _ = writeln!(o, "DATAPLANE STOPPED (see the log)");
            }
            let _ = writeln!(
                o,
                "Underlay {} port {} (GSO {}, GRO {}): rx {} tx {} datagrams, tx dropped {}, drops {}\n",
                s(&u["local"]),
                s(&u["port"]),
                s(&u["gso"]),
                s(&u["gro"]),
                s(&u["rx-datagrams"]),
                s(&u["tx-datagrams"]),
                s(&u["tx-dropped"]),
                s(&u["drops"])
            );
            let _ = writeln!(
                o,
                "{:<16} {:<10} {:<9} {:>12} {:>12} {:>10}",
                "Interface", "Kind", "VNI", "RX frames", "TX frames", "TX drops"
            );
            for p in v["ports"].as_array().into_iter().flatten() {
                let _ = writeln!(
                    o,
                    "{:<16} {:<10} {:<9} {:>12} {:>12} {:>10}",
                    s(&p["name"]),
                    s(&p["kind"]),
                    s(&p["vni"]),
                    s(&p["rx-frames"]),
                    s(&p["tx-frames"]),
                    s(&p["tx-dropped"])
                );
            }
            let _ = writeln!(o);
            let _ = writeln!(
                o,
                "{:<9} {:>6} {:>10} {:>10} {:>10} {:>10} {:>9} {:>10} {:>7}",
                "VNI",
                "MACs",
                "RX local",
                "RX ovl",
                "TX local",
                "TX ovl",
                "Flooded",
                "Suppressed",
                "Drops"
            );
            for n in v["vnis"].as_array().into_iter().flatten() {
                let _ = writeln!(
                    o,
                    "{:<9} {:>6} {:>10} {:>10} {:>10} {:>10} {:>9} {:>10} {:>7}",
                    s(&n["vni"]),
                    s(&n["macs"]),
                    s(&n["rx-local"]["packets"]),
                    s(&n["rx-overlay"]["packets"]),
                    s(&n["tx-local"]["packets"]),
                    s(&n["tx-overlay"]["packets"]),
                    s(&n["flooded"]["packets"]),
                    s(&n["suppressed"]["packets"]),
                    s(&n["drops"])
                );
            }
        }
        _ => o.push_str(&v.to_string()),
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bgp::show::Query;
    use crate::control::parse_show;

    fn q(s: &str) -> anyhow::Result<Query> {
        let w: Vec<String> = s.split_whitespace().map(str::to_owned).collect();
        parse_show(&w)
    }

    #[test]
    fn evpn_show_commands_parse() {
        let e = |what: &str, vni: Option<u32>| Query::Evpn {
            what: what.into(),
            vni,
        };
        assert_eq!(q("evpn mac vni 100").unwrap(), e("mac", Some(100)));
        assert_eq!(q("evpn vni").unwrap(), e("vni", None));
        assert_eq!(q("evpn arp-cache").unwrap(), e("arp-cache", None));
        assert_eq!(q("evpn arp-cache vni 7").unwrap(), e("arp-cache", Some(7)));
        assert_eq!(q("vteps").unwrap(), e("vteps", None));
        assert_eq!(q("interfaces").unwrap(), e("interfaces", None));
        assert!(q("evpn mac vni x").is_err());
        assert!(q("evpn bogus").is_err());
        // `show bgp evpn ...` is still the BGP table.
        assert!(matches!(q("bgp evpn route").unwrap(), Query::Routes { .. }));
    }

    #[test]
    fn tables_render_rows() {
        let v = json!({"vnis": [{"vni": 100, "count": 2, "macs": [
            {"mac": "02:00:00:00:00:01", "type": "local", "interface": "hv0", "seq": 2, "frozen": false},
            {"mac": "02:00:00:00:00:02", "type": "remote", "remote-vtep": "10.0.0.1", "seq": 3, "frozen": true},
        ]}]});
        let t = render("mac", &v);
        assert!(t.contains("02:00:00:00:00:01 local"), "{t}");
        assert!(t.contains("hv0"), "{t}");
        assert!(t.contains("2/0"), "{t}");
        assert!(t.contains("10.0.0.1") && t.contains("0/3"), "{t}");
        assert!(
            t.lines()
                .any(|l| l.contains("02:00:00:00:00:02") && l.contains(" F ")),
            "{t}"
        );
        let v = json!({"vteps": [{"vtep": "10.0.0.3", "flood-vnis": [100, 200], "macs": 5}]});
        let t = render("vteps", &v);
        assert!(
            t.contains("10.0.0.3") && t.contains("100,200") && t.contains('5'),
            "{t}"
        );
    }
}
