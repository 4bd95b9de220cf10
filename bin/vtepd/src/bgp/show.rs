//! Answers to `show` queries, built inside the RIB task as JSON. The JSON
//! carries every field of every path; the CLI renders tables from it.

use std::time::Instant;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use vtepd_bgp_evpn::attr::{AsPath, PmsiTunnelId, SegmentType};
use vtepd_bgp_evpn::extcomm::TunnelType;
use vtepd_bgp_evpn::nlri::evpn::PrefixGateway;
use vtepd_bgp_evpn::rib::codec::PathAttrs;
use vtepd_bgp_evpn::rib::{Path, PathSource, Route, RouteKey, TableId};
use vtepd_bgp_evpn::{
    AddressFamily, AttrValue, EvpnRoute, ExtendedCommunity, LabelField, NextHop, Origin,
};

use super::rib::{remote_as_text, RibTask};

/// A `show` query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "show", rename_all = "kebab-case")]
pub enum Query {
    /// `show bgp summary`.
    Summary,
    /// `show bgp neighbors [ADDRESS]`: one neighbour (or all) in detail.
    Neighbors {
        /// The neighbour's address or interface; all when absent.
        #[serde(default)]
        address: Option<String>,
    },
    /// `show bgp FAMILY ...`.
    Routes {
        /// Family: l2vpn-evpn, ipv4-unicast, ipv6-unicast, ipv4-vpn, ipv6-vpn.
        family: String,
        /// EVPN route type filter.
        #[serde(default)]
        route_type: Option<u8>,
        /// VNI filter (label or import table).
        #[serde(default)]
        vni: Option<u32>,
    },
    /// `show evpn mac|vni|arp-cache`, `show vteps`, `show interfaces`:
    /// answered by the EVPN wiring.
    Evpn {
        /// `mac`, `vni`, `arp-cache`, `vteps` or `interfaces`.
        what: String,
        /// VNI filter.
        #[serde(default)]
        vni: Option<u32>,
    },
}

fn family_of(name: &str) -> Option<AddressFamily> {
    crate::config::parse_family(name).ok()
}

/// The answer to `q`.
pub fn answer(t: &RibTask, q: &Query) -> Value {
    match q {
        Query::Summary => summary(t),
        Query::Neighbors { address } => neighbors(t, address.as_deref()),
        Query::Routes {
            family,
            route_type,
            vni,
        } => match family_of(family) {
            Some(f) => routes(t, f, *route_type, *vni),
            None => json!({ "error": format!("unknown family {family:?}") }),
        },
        Query::Evpn { .. } => json!({ "error": "answered by the EVPN task" }),
    }
}

fn summary(t: &RibTask) -> Value {
    let now = Instant::now();
    let status = t.status.lock().map(|m| m.clone()).unwrap_or_default();
    let mut peers = Vec::new();
    let mut ids: Vec<_> = t.peers.keys().copied().collect();
    ids.sort();
    for id in ids {
        let Some(n) = t.peers.get(&id).map(|p| &p.neighbor) else {
            continue;
        };
        let st = status.get(&id.0).cloned().unwrap_or_default();
        let up = st.up_since.map(|s| now.duration_since(s).as_secs());
        let down = st.down_since.map(|s| now.duration_since(s).as_secs());
        peers.push(json!({
            "address": n.address.map(|a| a.to_string()).or(n.interface.clone()),
            "remote-as": remote_as_text(n.remote_as),
            "peer-as": st.peer_as,
            "peer-router-id": st.peer_router_id,
            "state": st.state,
            "established": st.state == "Established",
            "uptime-secs": up,
            "downtime-secs": down,
            "messages-received": st.messages_in,
            "messages-sent": st.messages_out,
            "updates-received": st.updates_in,
            "updates-sent": st.updates_out,
            "established-count": st.established,
            "dropped-count": st.drops,
            "hold-time": st.hold_time,
            "families": st.families,
            "prefixes-received": t.rib.peer_prefix_count(id),
            "last-notification-sent": st.last_notification_sent.map(|(c, s)| json!({"code": c, "subcode": s})),
            "last-notification-received": st.last_notification_received.map(|(c, s)| json!({"code": c, "subcode": s})),
            "last-error": st.last_error,
            "route-reflector-client": n.rr_client,
            "max-prefixes": n.max_prefixes,
        }));
    }
    json!({
        "router-id": t.cfg.router_id.to_string(),
        "asn": t.cfg.asn.0,
        "routes": t.rib.len(),
        "peers": peers,
    })
}

/// `show bgp neighbors`: the summary's fields and, per neighbour, its
/// configuration, what the session negotiated, its queues and graceful
/// restart state.
fn neighbors(t: &RibTask, address: Option<&str>) -> Value {
    let now = tokio::time::Instant::now();
    let sum = summary(t);
    let mut ids: Vec<_> = t.peers.keys().copied().collect();
    ids.sort();
    let mut out = Vec::new();
    for (id, base) in ids
        .iter()
        .zip(sum["peers"].as_array().into_iter().flatten())
    {
        let Some(p) = t.peers.get(id) else {
            continue;
        };
        if address.is_some_and(|a| base["address"] != a) {
            continue;
        }
        let n = &p.neighbor;
        let mut m = base.as_object().cloned().unwrap_or_default();
        m.insert(
            "config".into(),
            json!({
                "hold-time": n.hold_time,
                "keepalive": n.keepalive,
                "connect-retry": n.connect_retry,
                "passive": n.passive,
                "families": n.families.iter().map(|f| crate::config::family_name(*f)).collect::<Vec<_>>(),
                "max-prefixes-warning-only": n.max_prefixes_warning_only,
                "interface": n.interface,
            }),
        );
        if let Some((ctx, _, out_q)) = &p.up {
            m.insert(
                "negotiated".into(),
                json!({
                    "four-octet-as": ctx.four_octet_as,
                    "extended-message": ctx.extended_message,
                    "max-message-length": ctx.max_message_len(),
                    "add-path": ctx.add_path.iter().map(|(f, d)| json!({
                        "family": crate::config::family_name(*f),
                        "direction": format!("{d:?}").to_lowercase(),
                    })).collect::<Vec<_>>(),
                    "extended-next-hop": ctx.extended_next_hop.iter().map(|(f, afi)| json!({
                        "family": crate::config::family_name(*f),
                        "next-hop-afi": format!("{afi:?}").to_lowercase(),
                    })).collect::<Vec<_>>(),
                    "external": ctx.peer == vtepd_bgp_evpn::wire::PeerKind::External,
                }),
            );
            m.insert(
                "output-queue-bytes".into(),
                json!(out_q.bytes.load(std::sync::atomic::Ordering::Relaxed)),
            );
        }
        m.insert("pending-changes".into(), json!(t.rib.pending_len(*id)));
        m.insert(
            "peer-graceful-restart".into(),
            match &p.peer_graceful_restart {
                Some(g) => json!({
                    "restart-time": g.restart_time,
                    "restarting": g.restarting(),
                    "notification": g.notification(),
                    "families": g.families.iter().map(|f| json!({
                        "family": crate::config::family_name(f.family),
                        "forwarding-preserved": f.forwarding_preserved(),
                    })).collect::<Vec<_>>(),
                }),
                None => Value::Null,
            },
        );
        m.insert(
            "graceful-restart".into(),
            match t.graceful.get(id) {
                Some(g) => json!({
                    "stale-families": g.families.iter().map(|f| crate::config::family_name(*f)).collect::<Vec<_>>(),
                    "waiting-for": if g.back { "end-of-rib" } else { "session" },
                    "stale-removed-in-secs": g.until.saturating_duration_since(now).as_secs(),
                }),
                None => Value::Null,
            },
        );
        out.push(Value::Object(m));
    }
    json!({
        "router-id": sum["router-id"],
        "asn": sum["asn"],
        "neighbors": out,
    })
}

fn label_json(l: LabelField) -> Value {
    json!({
        "vni": l.as_vni().get(),
        "mpls-label": l.as_mpls_label().label(),
        "raw": format!("{:02x}{:02x}{:02x}", l.0[0], l.0[1], l.0[2]),
    })
}

/// The NLRI fields of a route.
pub fn route_json(r: &Route) -> Map<String, Value> {
    let mut m = Map::new();
    let mut put = |k: &str, v: Value| {
        m.insert(k.to_owned(), v);
    };
    match r {
        Route::Ipv4(p) => put("network", json!(p.to_string())),
        Route::Ipv6(p) => put("network", json!(p.to_string())),
        Route::Vpnv4(v) => {
            put("rd", json!(v.rd.to_string()));
            put("network", json!(v.prefix.to_string()));
            put("label", json!(v.label.label()));
        }
        Route::Vpnv6(v) => {
            put("rd", json!(v.rd.to_string()));
            put("network", json!(v.prefix.to_string()));
            put("label", json!(v.label.label()));
        }
        Route::Evpn(e) => {
            put("route-type", json!(e.route_type()));
            if let Some(rd) = e.rd() {
                put("rd", json!(rd.to_string()));
            }
            match e {
                EvpnRoute::EthernetAd(a) => {
                    put("esi", json!(a.esi.to_string()));
                    put("ethernet-tag", json!(a.ethernet_tag.0));
                    put("label", label_json(a.label));
                }
                EvpnRoute::MacIp(a) => {
                    put("esi", json!(a.esi.to_string()));
                    put("ethernet-tag", json!(a.ethernet_tag.0));
                    put("mac", json!(a.mac.to_string()));
                    put("ip", json!(a.ip.map(|i| i.to_string())));
                    put("label1", label_json(a.label1));
                    put("label2", a.label2.map_or(Value::Null, label_json));
                    put("vni", json!(a.label1.as_vni().get()));
                    put("l3vni", json!(a.label2.map(|l| l.as_vni().get())));
                }
                EvpnRoute::InclusiveMulticast(a) => {
                    put("ethernet-tag", json!(a.ethernet_tag.0));
                    put("originator-ip", json!(a.originator.to_string()));
                }
                EvpnRoute::EthernetSegment(a) => {
                    put("esi", json!(a.esi.to_string()));
                    put("originator-ip", json!(a.originator.to_string()));
                }
                EvpnRoute::IpPrefix(a) => {
                    put("esi", json!(a.esi.to_string()));
                    put("ethernet-tag", json!(a.ethernet_tag.0));
                    let (p, g) = match a.prefix {
                        PrefixGateway::V4 { prefix, gateway } => {
                            (prefix.to_string(), gateway.to_string())
                        }
                        PrefixGateway::V6 { prefix, gateway } => {
                            (prefix.to_string(), gateway.to_string())
                        }
                    };
                    put("ip-prefix", json!(p));
                    put("gateway", json!(g));
                    put("label", label_json(a.label));
                    put("vni", json!(a.label.as_vni().get()));
                }
                EvpnRoute::Unknown { route_type, value } => {
                    put("route-type", json!(route_type));
                    put("value-len", json!(value.len()));
                }
            }
        }
    }
    m
}

fn as_path_text(p: &AsPath) -> String {
    let mut parts = Vec::new();
    for s in &p.segments {
        let asns: Vec<String> = s.asns.iter().map(|a| a.0.to_string()).collect();
        match s.kind {
            SegmentType::Sequence => parts.push(asns.join(" ")),
            SegmentType::Set => parts.push(format!("{{{}}}", asns.join(","))),
            SegmentType::ConfedSequence => parts.push(format!("({})", asns.join(" "))),
            SegmentType::ConfedSet => parts.push(format!("[{}]", asns.join(","))),
        }
    }
    parts.join(" ")
}

fn next_hop_text(nh: &NextHop) -> String {
    match nh {
        NextHop::Ipv4(a) => a.to_string(),
        NextHop::Ipv6 { global, link_local } => match link_local {
            Some(l) => format!("{global} ({l})"),
            None => global.to_string(),
        },
        NextHop::VpnIpv4 { addr, .. } => addr.to_string(),
        NextHop::VpnIpv6 { global, .. } => global.to_string(),
        NextHop::Raw(b) => format!("raw:{}", hex(b)),
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn ext_text(c: &ExtendedCommunity) -> String {
    match c {
        ExtendedCommunity::RouteTarget(rt) => format!("RT:{rt}"),
        ExtendedCommunity::Encapsulation(t) => format!("ET:{}", u16::from(*t)),
        ExtendedCommunity::DefaultGateway => "Default Gateway".into(),
        ExtendedCommunity::MacMobility { sticky, sequence } => {
            format!("MM:{sequence}{}", if *sticky { ", sticky MAC" } else { "" })
        }
        ExtendedCommunity::EsiLabel {
            single_active,
            label,
        } => format!(
            "ESI-label-Rt:{}:{}",
            if *single_active { "SA" } else { "AA" },
            label.as_vni().get()
        ),
        ExtendedCommunity::RouterMac(m) => format!("Rmac:{m}"),
        ExtendedCommunity::Unknown(b) => format!("unknown:{}", hex(b)),
    }
}

/// The attributes of a path.
pub fn attrs_json(a: &PathAttrs) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert(
        "next-hop".into(),
        json!(a.next_hop.as_ref().map(next_hop_text)),
    );
    let mut rts = Vec::new();
    let mut ecs = Vec::new();
    let mut unknown = Vec::new();
    for attr in &a.attributes {
        match &attr.value {
            AttrValue::Origin(o) => {
                m.insert(
                    "origin".into(),
                    json!(match o {
                        Origin::Igp => "IGP",
                        Origin::Egp => "EGP",
                        Origin::Incomplete => "incomplete",
                    }),
                );
            }
            AttrValue::AsPath(p) => {
                m.insert("as-path".into(), json!(as_path_text(p)));
                m.insert("as-path-length".into(), json!(p.path_len()));
            }
            AttrValue::As4Path(p) => {
                m.insert("as4-path".into(), json!(as_path_text(p)));
            }
            AttrValue::MultiExitDisc(v) => {
                m.insert("med".into(), json!(v));
            }
            AttrValue::LocalPref(v) => {
                m.insert("local-pref".into(), json!(v));
            }
            AttrValue::AtomicAggregate => {
                m.insert("atomic-aggregate".into(), json!(true));
            }
            AttrValue::Aggregator(g) | AttrValue::As4Aggregator(g) => {
                m.insert(
                    "aggregator".into(),
                    json!(format!("{} {}", g.asn.0, g.addr)),
                );
            }
            AttrValue::Communities(v) => {
                let l: Vec<String> = v.iter().map(ToString::to_string).collect();
                m.insert("communities".into(), json!(l));
            }
            AttrValue::LargeCommunities(v) => {
                let l: Vec<String> = v.iter().map(ToString::to_string).collect();
                m.insert("large-communities".into(), json!(l));
            }
            AttrValue::OriginatorId(a) => {
                m.insert("originator-id".into(), json!(a.to_string()));
            }
            AttrValue::ClusterList(v) => {
                let l: Vec<String> = v.iter().map(ToString::to_string).collect();
                m.insert("cluster-list".into(), json!(l));
            }
            AttrValue::ExtendedCommunities(v) => {
                for c in v {
                    ecs.push(json!(ext_text(c)));
                    match c {
                        ExtendedCommunity::RouteTarget(rt) => rts.push(json!(rt.to_string())),
                        ExtendedCommunity::Encapsulation(t) => {
                            m.insert(
                                "encapsulation".into(),
                                json!(match t {
                                    TunnelType::Vxlan => "vxlan".to_owned(),
                                    TunnelType::Mpls => "mpls".to_owned(),
                                    other => format!("{}", u16::from(*other)),
                                }),
                            );
                        }
                        ExtendedCommunity::RouterMac(mac) => {
                            m.insert("router-mac".into(), json!(mac.to_string()));
                        }
                        ExtendedCommunity::MacMobility { sticky, sequence } => {
                            m.insert(
                                "mac-mobility".into(),
                                json!({ "sequence": sequence, "sticky": sticky }),
                            );
                        }
                        ExtendedCommunity::DefaultGateway => {
                            m.insert("default-gateway".into(), json!(true));
                        }
                        ExtendedCommunity::EsiLabel {
                            single_active,
                            label,
                        } => {
                            m.insert(
                                "esi-label".into(),
                                json!({ "single-active": single_active, "label": label_json(*label) }),
                            );
                        }
                        ExtendedCommunity::Unknown(_) => {}
                    }
                }
            }
            AttrValue::PmsiTunnel(p) => {
                let (ty, id) = match &p.tunnel {
                    PmsiTunnelId::IngressReplication(ip) => {
                        ("ingress-replication".to_owned(), ip.to_string())
                    }
                    PmsiTunnelId::Other { tunnel_type, id } => (tunnel_type.to_string(), hex(id)),
                };
                m.insert(
                    "pmsi".into(),
                    json!({
                        "flags": p.flags,
                        "tunnel-type": ty,
                        "label": label_json(p.label),
                        "vni": p.label.as_vni().get(),
                        "tunnel-id": id,
                    }),
                );
            }
            AttrValue::Unknown { type_code, value } => {
                unknown.push(json!({
                    "type": type_code,
                    "flags": attr.flags.0,
                    "value": hex(value),
                }));
            }
            AttrValue::NextHop(_) | AttrValue::MpReach(_) | AttrValue::MpUnreach(_) => {}
        }
    }
    m.insert("route-targets".into(), Value::Array(rts));
    m.insert("extended-communities".into(), Value::Array(ecs));
    if !unknown.is_empty() {
        m.insert("unknown-attributes".into(), Value::Array(unknown));
    }
    m
}

fn path_json(t: &RibTask, p: &Path<PathAttrs>, is_best: bool) -> Value {
    let mut m = route_json(&p.route);
    let (source, peer) = match p.source {
        PathSource::Local => ("local".to_owned(), Value::Null),
        PathSource::Peer(id) => {
            let addr = t.peers.get(&id).map(|x| x.address.to_string());
            (
                addr.clone().unwrap_or_else(|| format!("peer {}", id.0)),
                json!(addr),
            )
        }
    };
    m.insert("source".into(), json!(source));
    m.insert("peer".into(), peer);
    m.insert("path-id".into(), json!(p.path_id));
    m.insert("best".into(), json!(is_best));
    m.insert("stale".into(), json!(p.stale));
    m.insert("why-lost".into(), json!(p.lost.map(|l| l.to_string())));
    m.extend(attrs_json(&p.attrs));
    Value::Object(m)
}

fn matches_vni(t: &RibTask, key: &RouteKey, p: &Path<PathAttrs>, vni: u32) -> bool {
    let label_vni = match &p.route {
        Route::Evpn(EvpnRoute::MacIp(a)) => Some(a.label1.as_vni().get()),
        Route::Evpn(EvpnRoute::IpPrefix(a)) => Some(a.label.as_vni().get()),
        Route::Evpn(EvpnRoute::EthernetAd(a)) => Some(a.label.as_vni().get()),
        _ => None,
    };
    if label_vni == Some(vni) {
        return true;
    }
    if let Some(AttrValue::PmsiTunnel(pm)) =
        p.attrs.get(vtepd_bgp_evpn::iana::attr_type::PMSI_TUNNEL)
    {
        if pm.label.as_vni().get() == vni {
            return true;
        }
    }
    // Imported into the VNI's table by route target.
    let table = TableId(vni);
    let Some(cfg) = t.rib.config().tables.iter().find(|x| x.id == table) else {
        return false;
    };
    let _ = key;
    use vtepd_bgp_evpn::rib::RibAttributes;
    p.attrs
        .route_targets()
        .iter()
        .any(|rt| cfg.import.contains(rt))
}

fn routes(t: &RibTask, family: AddressFamily, route_type: Option<u8>, vni: Option<u32>) -> Value {
    let mut keys: Vec<&RouteKey> = t
        .rib
        .iter_best()
        .map(|(k, _)| k)
        .filter(|k| k.family() == family)
        .collect();
    // Routes whose paths all lost still exist; iter_best covers every
    // route that has paths (a route always has a best path when it has any).
    keys.sort();
    let mut out = Vec::new();
    for key in keys {
        let paths = t.rib.paths(key);
        let best = t.rib.best(key);
        let sel: Vec<&Path<PathAttrs>> = paths
            .iter()
            .filter(|p| match (route_type, &p.route) {
                (Some(n), Route::Evpn(e)) => e.route_type() == n,
                (Some(_), _) => false,
                (None, _) => true,
            })
            .filter(|p| vni.is_none_or(|v| matches_vni(t, key, p, v)))
            .collect();
        if sel.is_empty() {
            continue;
        }
        let pj: Vec<Value> = sel
            .iter()
            .map(|p| {
                let is_best = best.is_some_and(|b| std::ptr::eq(b, *p));
                path_json(t, p, is_best)
            })
            .collect();
        let rd = match key {
            RouteKey::Vpnv4(rd, _) | RouteKey::Vpnv6(rd, _) => Some(rd.to_string()),
            RouteKey::Evpn(_) => sel.first().and_then(|p| match &p.route {
                Route::Evpn(e) => e.rd().map(|r| r.to_string()),
                _ => None,
            }),
            _ => None,
        };
        out.push(json!({
            "prefix": key.to_string(),
            "rd": rd,
            "paths": pj,
        }));
    }
    json!({
        "router-id": t.cfg.router_id.to_string(),
        "asn": t.cfg.asn.0,
        "family": crate::config::family_name(family),
        "count": out.len(),
        "routes": out,
    })
}
