//! Routes this router originates from its configuration: a type-3 route per
//! L2 VNI, and the `[[originate]]` routes (type 2, type 5, unicast, VPNv4),
//! with the attributes FRR sends for the same routes (RT, encapsulation
//! VXLAN, router MAC, PMSI tunnel with ingress replication).

use std::net::IpAddr;

use vtepd_bgp_evpn::attr::{PmsiTunnel, PmsiTunnelId};
use vtepd_bgp_evpn::extcomm::TunnelType;
use vtepd_bgp_evpn::nlri::evpn::{
    InclusiveMulticastEthernetTag, IpPrefixRoute, MacIpAdvertisement, PrefixGateway,
};
use vtepd_bgp_evpn::nlri::vpn::VpnRoute;
use vtepd_bgp_evpn::rib::codec::PathAttrs;
use vtepd_bgp_evpn::rib::Route;
use vtepd_bgp_evpn::{
    AttrValue, EthernetTag, EvpnRoute, ExtendedCommunity, LabelField, MplsLabel, NextHop,
};

use crate::config::{Config, IpPrefixCfg, Originate, VniConfig, VniKind};

fn next_hop(ip: IpAddr) -> NextHop {
    match ip {
        IpAddr::V4(a) => NextHop::Ipv4(a),
        IpAddr::V6(a) => NextHop::Ipv6 {
            global: a,
            link_local: None,
        },
    }
}

fn ext(list: Vec<ExtendedCommunity>) -> AttrValue {
    AttrValue::ExtendedCommunities(list)
}

fn rts(v: &VniConfig) -> impl Iterator<Item = ExtendedCommunity> + '_ {
    v.export_rt
        .iter()
        .map(|r| ExtendedCommunity::RouteTarget(*r))
}

/// Every route to originate, with its attributes.
pub fn routes(cfg: &Config) -> Vec<(Route, PathAttrs)> {
    let mut out = Vec::new();
    let vni = |n| cfg.vnis.iter().find(|v| v.vni == n);
    for v in cfg.vnis.iter().filter(|v| v.kind == VniKind::L2) {
        let route = Route::Evpn(EvpnRoute::InclusiveMulticast(
            InclusiveMulticastEthernetTag {
                rd: v.rd,
                ethernet_tag: EthernetTag(0),
                originator: v.local_ip,
            },
        ));
        let mut ecs: Vec<_> = rts(v).collect();
        ecs.push(ExtendedCommunity::Encapsulation(TunnelType::Vxlan));
        let attrs = PathAttrs::local(
            next_hop(v.local_ip),
            vec![
                ext(ecs),
                AttrValue::PmsiTunnel(PmsiTunnel {
                    flags: 0,
                    label: LabelField::from_vni(v.vni),
                    tunnel: PmsiTunnelId::IngressReplication(v.local_ip),
                }),
            ],
        );
        out.push((route, attrs));
    }
    for o in &cfg.originate {
        match o {
            Originate::MacIp {
                vni: n,
                mac,
                ip,
                esi,
                mobility_seq,
                sticky,
                l3vni,
            } => {
                let Some(v) = vni(*n) else { continue };
                let l3 = l3vni.and_then(vni);
                let route = Route::Evpn(EvpnRoute::MacIp(MacIpAdvertisement {
                    rd: v.rd,
                    esi: *esi,
                    ethernet_tag: EthernetTag(0),
                    mac: *mac,
                    ip: *ip,
                    label1: LabelField::from_vni(v.vni),
                    label2: l3.map(|l| LabelField::from_vni(l.vni)),
                }));
                let mut ecs: Vec<_> = rts(v).collect();
                if let Some(l) = l3 {
                    ecs.extend(rts(l));
                    if let Some(m) = l.router_mac {
                        ecs.push(ExtendedCommunity::RouterMac(m));
                    }
                }
                ecs.push(ExtendedCommunity::Encapsulation(TunnelType::Vxlan));
                if mobility_seq.is_some() || *sticky {
                    ecs.push(ExtendedCommunity::MacMobility {
                        sticky: *sticky,
                        sequence: mobility_seq.unwrap_or(0),
                    });
                }
                out.push((
                    route,
                    PathAttrs::local(next_hop(v.local_ip), vec![ext(ecs)]),
                ));
            }
            Originate::Prefix { vni: n, prefix } => {
                let Some(v) = vni(*n) else { continue };
                let pg = match prefix {
                    IpPrefixCfg::V4(p) => PrefixGateway::V4 {
                        prefix: *p,
                        gateway: std::net::Ipv4Addr::UNSPECIFIED,
                    },
                    IpPrefixCfg::V6(p) => PrefixGateway::V6 {
                        prefix: *p,
                        gateway: std::net::Ipv6Addr::UNSPECIFIED,
                    },
                };
                let route = Route::Evpn(EvpnRoute::IpPrefix(IpPrefixRoute {
                    rd: v.rd,
                    esi: vtepd_bgp_evpn::Esi([0; 10]),
                    ethernet_tag: EthernetTag(0),
                    prefix: pg,
                    label: LabelField::from_vni(v.vni),
                }));
                let mut ecs: Vec<_> = rts(v).collect();
                ecs.push(ExtendedCommunity::Encapsulation(TunnelType::Vxlan));
                if let Some(m) = v.router_mac {
                    ecs.push(ExtendedCommunity::RouterMac(m));
                }
                out.push((
                    route,
                    PathAttrs::local(next_hop(v.local_ip), vec![ext(ecs)]),
                ));
            }
            Originate::Ipv4(p) => {
                out.push((
                    Route::Ipv4(*p),
                    PathAttrs::local(next_hop(cfg.local_ip), vec![]),
                ));
            }
            Originate::Ipv6(p) => {
                let nh = match cfg.local_ip {
                    IpAddr::V6(a) => IpAddr::V6(a),
                    IpAddr::V4(a) => IpAddr::V6(a.to_ipv6_mapped()),
                };
                out.push((Route::Ipv6(*p), PathAttrs::local(next_hop(nh), vec![])));
            }
            Originate::Vpnv4 {
                rd,
                rt,
                label,
                prefix,
            } => {
                let Some(label) = MplsLabel::new(*label, true) else {
                    continue;
                };
                let route = Route::Vpnv4(VpnRoute {
                    label,
                    rd: *rd,
                    prefix: *prefix,
                });
                let ecs = rt
                    .iter()
                    .map(|r| ExtendedCommunity::RouteTarget(*r))
                    .collect();
                out.push((
                    route,
                    PathAttrs::local(next_hop(cfg.local_ip), vec![ext(ecs)]),
                ));
            }
        }
    }
    out
}
