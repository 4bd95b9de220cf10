//! proptest strategies for every model type of the codec.
#![allow(dead_code)]

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;

use vtepd_bgp_evpn::extcomm::{Community, ExtendedCommunity, LargeCommunity, TunnelType};
use vtepd_bgp_evpn::nlri::evpn::{
    EthernetAutoDiscovery, EthernetSegmentRoute, EvpnRoute, InclusiveMulticastEthernetTag,
    IpPrefixRoute, MacIpAdvertisement, PrefixGateway,
};
use vtepd_bgp_evpn::nlri::vpn::VpnRoute;
use vtepd_bgp_evpn::nlri::{Ipv4Prefix, Ipv6Prefix, PathNlri};
use vtepd_bgp_evpn::types::{
    Esi, EthernetTag, LabelField, MacAddress, MplsLabel, RouteDistinguisher, RouteTarget,
};

pub fn ipv4() -> impl Strategy<Value = Ipv4Addr> {
    any::<u32>().prop_map(Ipv4Addr::from)
}

pub fn ipv6() -> impl Strategy<Value = Ipv6Addr> {
    any::<u128>().prop_map(Ipv6Addr::from)
}

pub fn ip() -> impl Strategy<Value = IpAddr> {
    prop_oneof![ipv4().prop_map(IpAddr::V4), ipv6().prop_map(IpAddr::V6)]
}

pub fn rd() -> impl Strategy<Value = RouteDistinguisher> {
    prop_oneof![
        (any::<u16>(), any::<u32>())
            .prop_map(|(asn, number)| RouteDistinguisher::As2 { asn, number }),
        (ipv4(), any::<u16>()).prop_map(|(addr, number)| RouteDistinguisher::Ipv4 { addr, number }),
        (any::<u32>(), any::<u16>())
            .prop_map(|(asn, number)| RouteDistinguisher::As4 { asn, number }),
        (3u16.., any::<[u8; 6]>()).prop_map(|(t, v)| {
            let mut b = [0u8; 8];
            b[..2].copy_from_slice(&t.to_be_bytes());
            b[2..].copy_from_slice(&v);
            RouteDistinguisher::Unknown(b)
        }),
    ]
}

pub fn esi() -> impl Strategy<Value = Esi> {
    any::<[u8; 10]>().prop_map(Esi)
}

pub fn label() -> impl Strategy<Value = LabelField> {
    any::<[u8; 3]>().prop_map(LabelField)
}

pub fn mac() -> impl Strategy<Value = MacAddress> {
    any::<[u8; 6]>().prop_map(MacAddress)
}

pub fn v4prefix() -> impl Strategy<Value = Ipv4Prefix> {
    (ipv4(), 0u8..=32).prop_map(|(a, l)| Ipv4Prefix::new(a, l).unwrap())
}

pub fn v6prefix() -> impl Strategy<Value = Ipv6Prefix> {
    (ipv6(), 0u8..=128).prop_map(|(a, l)| Ipv6Prefix::new(a, l).unwrap())
}

pub fn evpn_route() -> impl Strategy<Value = EvpnRoute> {
    prop_oneof![
        (rd(), esi(), any::<u32>(), label()).prop_map(|(rd, esi, t, label)| {
            EvpnRoute::EthernetAd(EthernetAutoDiscovery {
                rd,
                esi,
                ethernet_tag: EthernetTag(t),
                label,
            })
        }),
        (
            rd(),
            esi(),
            any::<u32>(),
            mac(),
            option::of(ip()),
            label(),
            option::of(label())
        )
            .prop_map(|(rd, esi, t, mac, ip, label1, label2)| {
                EvpnRoute::MacIp(MacIpAdvertisement {
                    rd,
                    esi,
                    ethernet_tag: EthernetTag(t),
                    mac,
                    ip,
                    label1,
                    label2,
                })
            }),
        (rd(), any::<u32>(), ip()).prop_map(|(rd, t, originator)| {
            EvpnRoute::InclusiveMulticast(InclusiveMulticastEthernetTag {
                rd,
                ethernet_tag: EthernetTag(t),
                originator,
            })
        }),
        (rd(), esi(), ip()).prop_map(|(rd, esi, originator)| {
            EvpnRoute::EthernetSegment(EthernetSegmentRoute {
                rd,
                esi,
                originator,
            })
        }),
        (
            rd(),
            esi(),
            any::<u32>(),
            prop_oneof![
                (v4prefix(), ipv4())
                    .prop_map(|(prefix, gateway)| PrefixGateway::V4 { prefix, gateway }),
                (v6prefix(), ipv6())
                    .prop_map(|(prefix, gateway)| PrefixGateway::V6 { prefix, gateway }),
            ],
            label()
        )
            .prop_map(|(rd, esi, t, prefix, label)| {
                EvpnRoute::IpPrefix(IpPrefixRoute {
                    rd,
                    esi,
                    ethernet_tag: EthernetTag(t),
                    prefix,
                    label,
                })
            }),
        (6u8.., vec(any::<u8>(), 0..40))
            .prop_map(|(route_type, value)| EvpnRoute::Unknown { route_type, value }),
    ]
}

pub fn vpnv4() -> impl Strategy<Value = VpnRoute<Ipv4Prefix>> {
    (any::<[u8; 3]>(), rd(), v4prefix()).prop_map(|(l, rd, prefix)| VpnRoute {
        label: MplsLabel(l),
        rd,
        prefix,
    })
}

pub fn vpnv6() -> impl Strategy<Value = VpnRoute<Ipv6Prefix>> {
    (any::<[u8; 3]>(), rd(), v6prefix()).prop_map(|(l, rd, prefix)| VpnRoute {
        label: MplsLabel(l),
        rd,
        prefix,
    })
}

pub fn path_nlri<T: std::fmt::Debug>(
    s: impl Strategy<Value = T>,
    add_path: bool,
) -> impl Strategy<Value = PathNlri<T>> {
    (s, any::<u32>()).prop_map(move |(nlri, id)| PathNlri {
        path_id: if add_path { Some(id) } else { None },
        nlri,
    })
}

pub fn route_target() -> impl Strategy<Value = RouteTarget> {
    prop_oneof![
        (any::<u16>(), any::<u32>()).prop_map(|(asn, value)| RouteTarget::As2 { asn, value }),
        (ipv4(), any::<u16>()).prop_map(|(addr, value)| RouteTarget::Ipv4 { addr, value }),
        (any::<u32>(), any::<u16>()).prop_map(|(asn, value)| RouteTarget::As4 { asn, value }),
    ]
}

pub fn ext_community() -> impl Strategy<Value = ExtendedCommunity> {
    prop_oneof![
        route_target().prop_map(ExtendedCommunity::RouteTarget),
        any::<u16>().prop_map(|t| ExtendedCommunity::Encapsulation(TunnelType::from(t))),
        Just(ExtendedCommunity::DefaultGateway),
        (any::<bool>(), any::<u32>())
            .prop_map(|(sticky, sequence)| ExtendedCommunity::MacMobility { sticky, sequence }),
        (any::<bool>(), label()).prop_map(|(single_active, label)| ExtendedCommunity::EsiLabel {
            single_active,
            label
        }),
        mac().prop_map(ExtendedCommunity::RouterMac),
        // Raw bytes: whatever they decode to must re-encode to the same bytes.
        any::<[u8; 8]>().prop_map(ExtendedCommunity::from_bytes),
    ]
}

pub fn community() -> impl Strategy<Value = Community> {
    any::<u32>().prop_map(Community)
}

pub fn large_community() -> impl Strategy<Value = LargeCommunity> {
    any::<(u32, u32, u32)>().prop_map(|(global_admin, local1, local2)| LargeCommunity {
        global_admin,
        local1,
        local2,
    })
}
