//! decode(encode(x)) == x, encoded_len == bytes written, and no panics on
//! arbitrary or mutated input, for attributes, capabilities and messages.

mod common;

use common::*;
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;

use vtepd_bgp_evpn::attr::{
    Aggregator, AsPath, AsSegment, AttrFlags, AttrValue, MpReach, MpUnreach, NextHop, Origin,
    PathAttribute, PmsiTunnel, PmsiTunnelId, SegmentType,
};
use vtepd_bgp_evpn::capability::{
    AddPathEntry, AddPathMode, Capability, ExtendedNextHopEntry, GracefulRestart,
    GracefulRestartFamily,
};
use vtepd_bgp_evpn::message::{
    Message, Notification, Open, RouteRefresh, RouteRefreshSubtype, Update,
};
use vtepd_bgp_evpn::nlri::NlriList;
use vtepd_bgp_evpn::types::{AddressFamily, Afi, Asn, RouterId, Safi};
use vtepd_bgp_evpn::wire::{AddPathDirection, CodecContext, Reader, Writer};

fn ctx_strategy() -> impl Strategy<Value = CodecContext> {
    (any::<bool>(), any::<bool>()).prop_map(|(four, add_path)| {
        let mut c = CodecContext {
            four_octet_as: four,
            extended_message: true,
            ..CodecContext::default()
        };
        if add_path {
            for f in [
                AddressFamily::IPV4_UNICAST,
                AddressFamily::L2VPN_EVPN,
                AddressFamily::VPNV4,
            ] {
                c.add_path.push((f, AddPathDirection::Both));
            }
        }
        c
    })
}

fn as_path(four: bool) -> impl Strategy<Value = AsPath> {
    let asn = if four {
        any::<u32>().boxed()
    } else {
        (0u32..=65535).boxed()
    };
    vec(
        (
            prop_oneof![
                Just(SegmentType::Set),
                Just(SegmentType::Sequence),
                Just(SegmentType::ConfedSequence),
                Just(SegmentType::ConfedSet)
            ],
            vec(asn.prop_map(Asn), 1..6),
        )
            .prop_map(|(kind, asns)| AsSegment { kind, asns }),
        0..4,
    )
    .prop_map(|segments| AsPath { segments })
}

fn mp_reach(add_path: bool) -> impl Strategy<Value = MpReach> {
    prop_oneof![
        (ipv4(), vec(path_nlri(evpn_route(), add_path), 0..4)).prop_map(|(a, l)| MpReach {
            next_hop: NextHop::Ipv4(a),
            nlri: NlriList::Evpn(l),
        }),
        (
            ipv6(),
            option::of(ipv6()),
            vec(path_nlri(v6prefix(), false), 0..4)
        )
            .prop_map(|(g, ll, l)| MpReach {
                next_hop: NextHop::Ipv6 {
                    global: g,
                    link_local: ll,
                },
                nlri: NlriList::Ipv6Unicast(l),
            }),
        (rd(), ipv4(), vec(path_nlri(vpnv4(), add_path), 0..4)).prop_map(|(rd, a, l)| MpReach {
            next_hop: NextHop::VpnIpv4 { rd, addr: a },
            nlri: NlriList::Vpnv4(l),
        }),
        (rd(), ipv6(), vec(path_nlri(vpnv6(), false), 0..4)).prop_map(|(rd, g, l)| MpReach {
            next_hop: NextHop::VpnIpv6 {
                rd,
                global: g,
                link_local: None,
            },
            nlri: NlriList::Vpnv6(l),
        }),
    ]
}

fn attr_value(four: bool, add_path: bool) -> impl Strategy<Value = AttrValue> {
    let agg = move || {
        (any::<u32>(), ipv4()).prop_map(move |(a, addr)| Aggregator {
            asn: Asn(if four { a } else { a & 0xffff }),
            addr,
        })
    };
    prop_oneof![
        prop_oneof![
            Just(Origin::Igp),
            Just(Origin::Egp),
            Just(Origin::Incomplete)
        ]
        .prop_map(AttrValue::Origin),
        as_path(four).prop_map(AttrValue::AsPath),
        ipv4().prop_map(AttrValue::NextHop),
        any::<u32>().prop_map(AttrValue::MultiExitDisc),
        any::<u32>().prop_map(AttrValue::LocalPref),
        Just(AttrValue::AtomicAggregate),
        agg().prop_map(AttrValue::Aggregator),
        vec(community(), 1..5).prop_map(AttrValue::Communities),
        ipv4().prop_map(AttrValue::OriginatorId),
        vec(ipv4(), 1..4).prop_map(AttrValue::ClusterList),
        mp_reach(add_path).prop_map(AttrValue::MpReach),
        vec(path_nlri(evpn_route(), add_path), 0..4).prop_map(|l| AttrValue::MpUnreach(
            MpUnreach {
                nlri: NlriList::Evpn(l)
            }
        )),
        vec(ext_community(), 1..5).prop_map(AttrValue::ExtendedCommunities),
        as_path(true).prop_map(AttrValue::As4Path),
        (any::<u32>(), ipv4())
            .prop_map(|(a, addr)| AttrValue::As4Aggregator(Aggregator { asn: Asn(a), addr })),
        (any::<u8>(), label(), ip()).prop_map(|(flags, label, ip)| {
            AttrValue::PmsiTunnel(PmsiTunnel {
                flags,
                label,
                tunnel: PmsiTunnelId::IngressReplication(ip),
            })
        }),
        vec(large_community(), 1..4).prop_map(AttrValue::LargeCommunities),
        (
            prop_oneof![Just(19u8), Just(40u8), Just(99u8), Just(250u8)],
            vec(any::<u8>(), 0..300)
        )
            .prop_map(|(type_code, value)| AttrValue::Unknown { type_code, value }),
    ]
}

fn attribute(four: bool, add_path: bool) -> impl Strategy<Value = PathAttribute> {
    (attr_value(four, add_path), any::<bool>(), any::<bool>()).prop_map(|(v, partial, ext)| {
        let mut a = PathAttribute::new(v);
        if let AttrValue::Unknown { .. } = a.value {
            a.flags = AttrFlags(0xc0);
        }
        if partial && a.flags.transitive() && a.flags.optional() {
            a.flags = a.flags.with_partial();
        }
        // A forced Extended Length is only representable on short values.
        if ext && a.value.encoded_len(&CodecContext::four_octet()) <= 255 {
            a.flags = AttrFlags(a.flags.0 | 0x10);
        }
        a
    })
}

fn capability() -> impl Strategy<Value = Capability> {
    let family = (any::<u16>(), any::<u8>())
        .prop_map(|(a, s)| AddressFamily::new(Afi::from(a), Safi::from(s)));
    prop_oneof![
        family.clone().prop_map(Capability::Multiprotocol),
        Just(Capability::RouteRefresh),
        Just(Capability::RouteRefreshCisco),
        Just(Capability::EnhancedRouteRefresh),
        Just(Capability::ExtendedMessage),
        any::<u32>().prop_map(|a| Capability::FourOctetAs(Asn(a))),
        vec((family.clone(), any::<u16>()), 0..4).prop_map(|v| Capability::ExtendedNextHop(
            v.into_iter()
                .map(|(family, nh)| ExtendedNextHopEntry {
                    family,
                    next_hop_afi: Afi::from(nh)
                })
                .collect()
        )),
        (
            0u8..16,
            0u16..4096,
            vec((family.clone(), any::<u8>()), 0..4)
        )
            .prop_map(|(flags, restart_time, f)| Capability::GracefulRestart(
                GracefulRestart {
                    flags,
                    restart_time,
                    families: f
                        .into_iter()
                        .map(|(family, flags)| GracefulRestartFamily { family, flags })
                        .collect(),
                }
            )),
        vec(
            (
                family,
                prop_oneof![
                    Just(AddPathMode::Receive),
                    Just(AddPathMode::Send),
                    Just(AddPathMode::Both)
                ]
            ),
            0..4
        )
        .prop_map(|v| Capability::AddPath(
            v.into_iter()
                .map(|(family, mode)| AddPathEntry { family, mode })
                .collect()
        )),
        ("[a-z0-9-]{0,20}", "[a-z.]{0,20}")
            .prop_map(|(hostname, domain)| Capability::Fqdn { hostname, domain }),
        (150u8..=255, vec(any::<u8>(), 0..10))
            .prop_map(|(code, value)| Capability::Unknown { code, value }),
    ]
}

fn message(four: bool, add_path: bool) -> impl Strategy<Value = Message> {
    prop_oneof![
        Just(Message::Keepalive),
        (any::<u8>(), any::<u8>(), vec(any::<u8>(), 0..40))
            .prop_map(|(c, s, d)| Message::Notification(Notification::new(c, s, d))),
        (any::<u16>(), 0u8..4, any::<u8>()).prop_map(|(a, st, s)| {
            Message::RouteRefresh(RouteRefresh {
                family: AddressFamily::new(Afi::from(a), Safi::from(s)),
                subtype: match st {
                    0 => RouteRefreshSubtype::Normal,
                    1 => RouteRefreshSubtype::BeginningOfRefresh,
                    2 => RouteRefreshSubtype::EndOfRefresh,
                    _ => RouteRefreshSubtype::Unknown(9),
                },
            })
        }),
        (
            any::<u16>(),
            prop_oneof![Just(0u16), 3u16..],
            ipv4().prop_filter("non-zero id", |a| !a.is_unspecified()),
            vec(vec(capability(), 0..4), 0..3),
            any::<bool>()
        )
            .prop_map(|(my_as, hold_time, id, params, ext)| {
                Message::Open(Open {
                    my_as,
                    hold_time,
                    bgp_id: RouterId(id),
                    params,
                    extended_params: ext,
                })
            }),
        (
            vec(path_nlri(v4prefix(), add_path), 0..4),
            vec(attribute(four, add_path), 0..6),
            vec(path_nlri(v4prefix(), add_path), 0..4)
        )
            .prop_map(|(withdrawn, attrs, nlri)| {
                // One attribute per type, as a decoder keeps them.
                let mut seen = std::collections::HashSet::new();
                let mut attributes: Vec<PathAttribute> = attrs
                    .into_iter()
                    .filter(|a| seen.insert(a.type_code()))
                    .collect();
                // Announcements need the mandatory attributes (RFC 7606 §3 d).
                let announces = !nlri.is_empty()
                    || attributes
                        .iter()
                        .any(|a| matches!(&a.value, AttrValue::MpReach(m) if !m.nlri.is_empty()));
                if announces {
                    for v in [
                        AttrValue::Origin(Origin::Igp),
                        AttrValue::AsPath(AsPath::default()),
                        AttrValue::NextHop(std::net::Ipv4Addr::LOCALHOST),
                    ] {
                        if seen.insert(v.type_code()) {
                            attributes.push(PathAttribute::new(v));
                        }
                    }
                }
                Message::Update(Update {
                    withdrawn,
                    attributes,
                    nlri,
                })
            }),
    ]
}

proptest! {
    #[test]
    fn attribute_round_trip(
        (c, a) in ctx_strategy().prop_flat_map(|c| {
            let s = attribute(c.four_octet_as, !c.add_path.is_empty());
            (Just(c), s)
        })
    ) {
        let mut v = Vec::new();
        a.encode(&mut Writer::new(&mut v), &c).unwrap();
        prop_assert_eq!(v.len(), a.encoded_len(&c));
        let mut r = Reader::new(&v);
        let back = PathAttribute::decode(&mut r, &c).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(r.is_empty());
        prop_assert_eq!(back, a);
    }

    #[test]
    fn capability_round_trip(cap in capability()) {
        let mut v = Vec::new();
        cap.encode(&mut Writer::new(&mut v)).unwrap();
        prop_assert_eq!(v.len(), cap.encoded_len());
        let mut r = Reader::new(&v);
        prop_assert_eq!(Capability::decode(&mut r).unwrap(), cap);
        prop_assert!(r.is_empty());
    }

    #[test]
    fn message_round_trip(
        (c, m) in ctx_strategy().prop_flat_map(|c| {
            let s = message(c.four_octet_as, !c.add_path.is_empty());
            (Just(c), s)
        })
    ) {
        let v = m.to_vec(&c).unwrap();
        prop_assert_eq!(v.len(), m.encoded_len(&c));
        prop_assert_eq!(vtepd_bgp_evpn::message::frame_len(&v, &c).unwrap(), Some(v.len()));
        let d = Message::decode(&v, &c).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(d.attr_errors.is_empty(), "{:?}", d.attr_errors);
        prop_assert_eq!(&d.message, &m);
        for n in 0..v.len() {
            prop_assert!(Message::decode(&v[..n], &c).is_err());
        }
    }

    /// Flip one byte of a valid message: decoding must return, not panic,
    /// and whatever decodes must re-encode.
    #[test]
    fn mutated_messages_never_panic(
        (c, m) in ctx_strategy().prop_flat_map(|c| {
            let s = message(c.four_octet_as, !c.add_path.is_empty());
            (Just(c), s)
        }),
        pos in any::<prop::sample::Index>(),
        val in any::<u8>(),
    ) {
        let mut v = m.to_vec(&c).unwrap();
        let i = pos.index(v.len());
        v[i] = val;
        if let Ok(d) = Message::decode(&v, &c) {
            let again = d.message.to_vec(&c);
            prop_assert!(again.is_ok() || matches!(d.message, Message::Update(_)));
        }
    }

    #[test]
    fn random_bytes_never_panic(body in vec(any::<u8>(), 0..200), t in 1u8..=5) {
        let mut v = vec![0xff; 16];
        v.extend_from_slice(&((19 + body.len()) as u16).to_be_bytes());
        v.push(t);
        v.extend_from_slice(&body);
        let c = CodecContext::four_octet();
        let _ = Message::decode(&v, &c);
        let _ = vtepd_bgp_evpn::attr::decode_attributes(&mut Reader::new(&body), &c);
    }
}
