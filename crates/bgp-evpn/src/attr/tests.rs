//! Exact bytes of every attribute and the RFC 7606 action of each error.

use super::*;
use crate::extcomm::TunnelType;
use crate::nlri::evpn::{InclusiveMulticastEthernetTag, MacIpAdvertisement};
use crate::nlri::{EvpnRoute, Ipv4Prefix, PathNlri, Vpnv4Route};
use crate::types::{Esi, EthernetTag, MacAddress, MplsLabel, RouteTarget, Vni};

fn enc(a: &PathAttribute, ctx: &CodecContext) -> Vec<u8> {
    let mut v = Vec::new();
    a.encode(&mut Writer::new(&mut v), ctx).unwrap();
    assert_eq!(v.len(), a.encoded_len(ctx), "encoded_len of {a:?}");
    v
}

/// Encode to `bytes`, decode back, and reject every truncation.
fn check(a: PathAttribute, ctx: &CodecContext, bytes: &[u8]) {
    assert_eq!(enc(&a, ctx), bytes, "encode {a:?}");
    let mut r = Reader::new(bytes);
    assert_eq!(PathAttribute::decode(&mut r, ctx).unwrap(), a);
    assert!(r.is_empty());
    for n in 0..bytes.len() {
        assert!(
            PathAttribute::decode(&mut Reader::new(&bytes[..n]), ctx).is_err(),
            "{n}-byte prefix of {a:?} accepted"
        );
    }
}

fn ctx4() -> CodecContext {
    CodecContext::four_octet()
}

#[test]
fn well_known_attributes() {
    let c2 = CodecContext::default();
    check(
        PathAttribute::new(AttrValue::Origin(Origin::Incomplete)),
        &c2,
        &[0x40, 1, 1, 2],
    );
    check(
        PathAttribute::new(AttrValue::NextHop(Ipv4Addr::new(10, 0, 0, 1))),
        &c2,
        &[0x40, 3, 4, 10, 0, 0, 1],
    );
    check(
        PathAttribute::new(AttrValue::LocalPref(100)),
        &c2,
        &[0x40, 5, 4, 0, 0, 0, 100],
    );
    check(
        PathAttribute::new(AttrValue::MultiExitDisc(7)),
        &c2,
        &[0x80, 4, 4, 0, 0, 0, 7],
    );
    check(
        PathAttribute::new(AttrValue::AtomicAggregate),
        &c2,
        &[0x40, 6, 0],
    );
}

#[test]
fn as_path_two_and_four_octet() {
    let path = AsPath {
        segments: vec![
            AsSegment {
                kind: SegmentType::Sequence,
                asns: vec![Asn(65001), Asn(65002)],
            },
            AsSegment {
                kind: SegmentType::Set,
                asns: vec![Asn(100)],
            },
        ],
    };
    check(
        PathAttribute::new(AttrValue::AsPath(path.clone())),
        &CodecContext::default(),
        &[0x40, 2, 10, 2, 2, 0xfd, 0xe9, 0xfd, 0xea, 1, 1, 0, 100],
    );
    check(
        PathAttribute::new(AttrValue::AsPath(path.clone())),
        &ctx4(),
        &[
            0x40, 2, 16, 2, 2, 0, 0, 0xfd, 0xe9, 0, 0, 0xfd, 0xea, 1, 1, 0, 0, 0, 100,
        ],
    );
    assert_eq!(path.path_len(), 3);
    assert_eq!(path.first_as(), Some(Asn(65001)));
    // Empty AS_PATH (iBGP-originated): FRR sends 40 02 00.
    check(
        PathAttribute::new(AttrValue::AsPath(AsPath::default())),
        &ctx4(),
        &[0x40, 2, 0],
    );
    // A 4-octet ASN on a 2-octet session is sent as AS_TRANS.
    let v = enc(
        &PathAttribute::new(AttrValue::AsPath(AsPath::sequence(vec![Asn(
            4_200_000_000,
        )]))),
        &CodecContext::default(),
    );
    assert_eq!(v, [0x40, 2, 4, 2, 1, 0x5b, 0xa0]);
    // AS4_PATH is always 4-octet.
    check(
        PathAttribute::new(AttrValue::As4Path(AsPath::sequence(vec![Asn(
            4_200_000_000,
        )]))),
        &CodecContext::default(),
        &[0xc0, 17, 6, 2, 1, 0xfa, 0x56, 0xea, 0x00],
    );
}

#[test]
fn aggregator_by_session() {
    let a = Aggregator {
        asn: Asn(65000),
        addr: Ipv4Addr::new(1, 1, 1, 1),
    };
    check(
        PathAttribute::new(AttrValue::Aggregator(a)),
        &CodecContext::default(),
        &[0xc0, 7, 6, 0xfd, 0xe8, 1, 1, 1, 1],
    );
    check(
        PathAttribute::new(AttrValue::Aggregator(a)),
        &ctx4(),
        &[0xc0, 7, 8, 0, 0, 0xfd, 0xe8, 1, 1, 1, 1],
    );
    check(
        PathAttribute::new(AttrValue::As4Aggregator(a)),
        &CodecContext::default(),
        &[0xc0, 18, 8, 0, 0, 0xfd, 0xe8, 1, 1, 1, 1],
    );
}

#[test]
fn communities_and_reflection() {
    let c = ctx4();
    check(
        PathAttribute::new(AttrValue::Communities(vec![Community::NO_EXPORT])),
        &c,
        &[0xc0, 8, 4, 0xff, 0xff, 0xff, 0x01],
    );
    check(
        PathAttribute::new(AttrValue::OriginatorId(Ipv4Addr::new(2, 2, 2, 2))),
        &c,
        &[0x80, 9, 4, 2, 2, 2, 2],
    );
    check(
        PathAttribute::new(AttrValue::ClusterList(vec![
            Ipv4Addr::new(3, 3, 3, 3),
            Ipv4Addr::new(4, 4, 4, 4),
        ])),
        &c,
        &[0x80, 10, 8, 3, 3, 3, 3, 4, 4, 4, 4],
    );
    check(
        PathAttribute::new(AttrValue::LargeCommunities(vec![LargeCommunity {
            global_admin: 65000,
            local1: 1,
            local2: 2,
        }])),
        &c,
        &[0xc0, 32, 12, 0, 0, 0xfd, 0xe8, 0, 0, 0, 1, 0, 0, 0, 2],
    );
    // What FRR attaches to an EVPN type-2/3 route: RT 65000:100 and ET:8.
    check(
        PathAttribute::new(AttrValue::ExtendedCommunities(vec![
            ExtendedCommunity::RouteTarget(RouteTarget::As2 {
                asn: 65000,
                value: 100,
            }),
            ExtendedCommunity::Encapsulation(TunnelType::Vxlan),
        ])),
        &c,
        &[
            0xc0, 16, 16, 0, 2, 0xfd, 0xe8, 0, 0, 0, 100, 3, 0x0c, 0, 0, 0, 0, 0, 8,
        ],
    );
}

/// PMSI tunnel for a type-3 route with ingress replication and VNI 100
/// (GoBGP `pmsi ingress-repl 100 NH`).
#[test]
fn pmsi_tunnel_ingress_replication() {
    let p = PmsiTunnel {
        flags: 0,
        label: LabelField::from_vni(Vni::new(100).unwrap()),
        tunnel: PmsiTunnelId::IngressReplication(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1))),
    };
    check(
        PathAttribute::new(AttrValue::PmsiTunnel(p)),
        &ctx4(),
        &[0xc0, 22, 9, 0, 6, 0, 0, 100, 192, 0, 2, 1],
    );
    let other = PmsiTunnel {
        flags: 1,
        label: LabelField([0, 0, 0]),
        tunnel: PmsiTunnelId::Other {
            tunnel_type: 3,
            id: vec![1, 2, 3, 4, 5, 6, 7, 8],
        },
    };
    check(
        PathAttribute::new(AttrValue::PmsiTunnel(other)),
        &ctx4(),
        &[0xc0, 22, 13, 1, 3, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8],
    );
}

fn type3() -> EvpnRoute {
    EvpnRoute::InclusiveMulticast(InclusiveMulticastEthernetTag {
        rd: RouteDistinguisher::Ipv4 {
            addr: Ipv4Addr::new(10, 0, 0, 1),
            number: 2,
        },
        ethernet_tag: EthernetTag(0),
        originator: IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)),
    })
}

#[test]
fn mp_reach_evpn_ipv4_next_hop() {
    let a = PathAttribute::new(AttrValue::MpReach(MpReach {
        next_hop: NextHop::Ipv4(Ipv4Addr::new(10, 0, 0, 1)),
        nlri: NlriList::Evpn(vec![PathNlri::new(type3())]),
    }));
    let mut b = vec![0x80, 14, 28, 0, 25, 70, 4, 10, 0, 0, 1, 0];
    b.extend_from_slice(&[3, 17, 0, 1, 10, 0, 0, 1, 0, 2, 0, 0, 0, 0, 32, 10, 0, 0, 1]);
    check(a, &ctx4(), &b);
}

/// FRR sends MP_REACH_NLRI with the Extended Length flag set even when
/// short; the flag is kept so the attribute re-encodes identically.
#[test]
fn extended_length_flag_is_kept() {
    let a = PathAttribute {
        flags: AttrFlags(0x90),
        value: AttrValue::MpReach(MpReach {
            next_hop: NextHop::Ipv4(Ipv4Addr::new(10, 0, 0, 1)),
            nlri: NlriList::Evpn(vec![PathNlri::new(type3())]),
        }),
    };
    let mut b = vec![0x90, 14, 0, 28, 0, 25, 70, 4, 10, 0, 0, 1, 0];
    b.extend_from_slice(&[3, 17, 0, 1, 10, 0, 0, 1, 0, 2, 0, 0, 0, 0, 32, 10, 0, 0, 1]);
    check(a, &ctx4(), &b);
}

#[test]
fn long_attribute_gets_extended_length() {
    let comms: Vec<Community> = (0..100).map(Community).collect();
    let a = PathAttribute::new(AttrValue::Communities(comms));
    let v = enc(&a, &ctx4());
    assert_eq!(&v[..4], &[0xd0, 8, 1, 144]);
    let back = PathAttribute::decode(&mut Reader::new(&v), &ctx4()).unwrap();
    assert!(back == a, "long attribute did not round-trip");
    assert!(!back.flags.extended_length());
}

#[test]
fn mp_reach_ipv6_and_vpn_next_hops() {
    let g: Ipv6Addr = "2001:db8::1".parse().unwrap();
    let ll: Ipv6Addr = "fe80::1".parse().unwrap();
    // IPv6 unicast with global + link-local (32 bytes), as FRR sends unnumbered.
    let m = MpReach {
        next_hop: NextHop::Ipv6 {
            global: g,
            link_local: Some(ll),
        },
        nlri: NlriList::Ipv6Unicast(vec![]),
    };
    let mut v = Vec::new();
    m.encode(&mut Writer::new(&mut v), &ctx4()).unwrap();
    assert_eq!(&v[..4], &[0, 2, 1, 32]);
    assert_eq!(v.len(), m.encoded_len());
    assert_eq!(MpReach::decode(&mut Reader::new(&v), &ctx4()).unwrap(), m);

    // VPNv4: 12-byte next hop with a zero RD.
    let vpn = MpReach {
        next_hop: NextHop::VpnIpv4 {
            rd: RouteDistinguisher::ZERO,
            addr: Ipv4Addr::new(10, 0, 0, 9),
        },
        nlri: NlriList::Vpnv4(vec![PathNlri::new(Vpnv4Route {
            label: MplsLabel::new(100, true).unwrap(),
            rd: RouteDistinguisher::As2 {
                asn: 65000,
                number: 1,
            },
            prefix: Ipv4Prefix::new(Ipv4Addr::new(10, 1, 0, 0), 16).unwrap(),
        })]),
    };
    let mut v = Vec::new();
    vpn.encode(&mut Writer::new(&mut v), &ctx4()).unwrap();
    assert_eq!(
        v,
        [
            0, 1, 128, 12, 0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 9, 0, 104, 0, 6, 0x41, 0, 0, 0xfd,
            0xe8, 0, 0, 0, 1, 10, 1
        ]
    );
    assert_eq!(MpReach::decode(&mut Reader::new(&v), &ctx4()).unwrap(), vpn);
}

/// RFC 8950: IPv4 NLRI with an IPv6 next hop only when negotiated.
#[test]
fn extended_next_hop_needs_negotiation() {
    let m = MpReach {
        next_hop: NextHop::Ipv6 {
            global: "fe80::2".parse().unwrap(),
            link_local: None,
        },
        nlri: NlriList::Ipv4Unicast(vec![PathNlri::new(
            Ipv4Prefix::new(Ipv4Addr::new(10, 9, 9, 9), 32).unwrap(),
        )]),
    };
    let plain = ctx4();
    let mut v = Vec::new();
    assert!(m.encode(&mut Writer::new(&mut v), &plain).is_err());
    let mut ext = ctx4();
    ext.extended_next_hop
        .push((AddressFamily::IPV4_UNICAST, Afi::Ipv6));
    let mut v = Vec::new();
    m.encode(&mut Writer::new(&mut v), &ext).unwrap();
    assert_eq!(MpReach::decode(&mut Reader::new(&v), &ext).unwrap(), m);
    assert!(MpReach::decode(&mut Reader::new(&v), &plain).is_err());
}

#[test]
fn unknown_attributes_keep_flags_and_propagate_partial() {
    let a = PathAttribute::unknown(AttrFlags(0xc0), 99, vec![1, 2, 3]);
    check(a.clone(), &ctx4(), &[0xc0, 99, 3, 1, 2, 3]);
    let p = a.for_propagation().unwrap();
    assert_eq!(p.flags, AttrFlags(0xe0));
    let nt = PathAttribute::unknown(AttrFlags(0x80), 98, vec![]);
    assert!(nt.for_propagation().is_none());
}

// ---- RFC 7606 actions -------------------------------------------------------

fn decode_err(bytes: &[u8], ctx: &CodecContext) -> AttrError {
    PathAttribute::decode(&mut Reader::new(bytes), ctx).unwrap_err()
}

#[test]
fn rfc7606_actions_per_attribute() {
    let c = ctx4();
    let cases: &[(&[u8], u8, Action, u8)] = &[
        // ORIGIN value 3 (§7.1).
        (&[0x40, 1, 1, 3], 1, Action::TreatAsWithdraw, 6),
        // ORIGIN length 2.
        (&[0x40, 1, 2, 0, 0], 1, Action::TreatAsWithdraw, 5),
        // AS_PATH bad segment type 9 (§7.2).
        (
            &[0x40, 2, 6, 9, 1, 0, 0, 0, 1],
            2,
            Action::TreatAsWithdraw,
            11,
        ),
        // AS_PATH segment overrun.
        (
            &[0x40, 2, 6, 2, 2, 0, 0, 0, 1],
            2,
            Action::TreatAsWithdraw,
            11,
        ),
        // AS_PATH zero-length segment.
        (&[0x40, 2, 2, 2, 0], 2, Action::TreatAsWithdraw, 11),
        // NEXT_HOP length 5 (§7.3).
        (&[0x40, 3, 5, 1, 2, 3, 4, 5], 3, Action::TreatAsWithdraw, 5),
        // MED length 3 (§7.4).
        (&[0x80, 4, 3, 0, 0, 1], 4, Action::TreatAsWithdraw, 5),
        // LOCAL_PREF length 2 (§7.5).
        (&[0x40, 5, 2, 0, 1], 5, Action::TreatAsWithdraw, 5),
        // ATOMIC_AGGREGATE length 1 (§7.6).
        (&[0x40, 6, 1, 0], 6, Action::AttributeDiscard, 5),
        // AGGREGATOR 6 bytes on a 4-octet session (§7.7).
        (
            &[0xc0, 7, 6, 0, 1, 1, 1, 1, 1],
            7,
            Action::AttributeDiscard,
            5,
        ),
        // COMMUNITIES length 0 and 5 (§7.8).
        (&[0xc0, 8, 0], 8, Action::TreatAsWithdraw, 5),
        (&[0xc0, 8, 5, 0, 0, 0, 1, 2], 8, Action::TreatAsWithdraw, 5),
        // ORIGINATOR_ID length 3 (§7.9).
        (&[0x80, 9, 3, 1, 1, 1], 9, Action::TreatAsWithdraw, 5),
        // CLUSTER_LIST length 6 (§7.10).
        (
            &[0x80, 10, 6, 1, 1, 1, 1, 2, 2],
            10,
            Action::TreatAsWithdraw,
            5,
        ),
        // MP_REACH_NLRI with a 5-byte next hop for EVPN (§7.11).
        (
            &[0x80, 14, 10, 0, 25, 70, 5, 1, 2, 3, 4, 5, 0],
            14,
            Action::SessionReset,
            9,
        ),
        // MP_REACH_NLRI with malformed EVPN NLRI (type 2 too short) (§5.3).
        (
            &[0x80, 14, 12, 0, 25, 70, 4, 1, 2, 3, 4, 0, 2, 1, 0],
            14,
            Action::SessionReset,
            9,
        ),
        // MP_UNREACH_NLRI with truncated withdrawn prefix.
        (&[0x80, 15, 5, 0, 1, 1, 24, 10], 15, Action::SessionReset, 9),
        // EXTENDED COMMUNITIES length 7 (§7.14).
        (
            &[0xc0, 16, 7, 0, 2, 0, 1, 0, 0, 1],
            16,
            Action::TreatAsWithdraw,
            5,
        ),
        // AS4_PATH malformed (RFC 6793 §6).
        (&[0xc0, 17, 2, 7, 1], 17, Action::AttributeDiscard, 9),
        // LARGE_COMMUNITY length 8 (RFC 8092 §6).
        (
            &[0xc0, 32, 8, 0, 0, 0, 1, 0, 0, 0, 1],
            32,
            Action::TreatAsWithdraw,
            5,
        ),
        // PMSI_TUNNEL shorter than 5 bytes.
        (&[0xc0, 22, 2, 0, 6], 22, Action::TreatAsWithdraw, 9),
        // Flags conflict (§3 c): ORIGIN marked optional.
        (&[0xc0, 1, 1, 0], 1, Action::TreatAsWithdraw, 4),
        // Flags conflict on AGGREGATOR (its malformed action is discard).
        (
            &[0x40, 7, 8, 0, 0, 0, 1, 1, 1, 1, 1],
            7,
            Action::AttributeDiscard,
            4,
        ),
        // Flags conflict on MP_REACH_NLRI (session reset).
        (&[0x40, 14, 0], 14, Action::SessionReset, 4),
        // Unknown attribute with the well-known flags (RFC 4271 §6.3).
        (&[0x40, 99, 0], 99, Action::SessionReset, 2),
    ];
    for (bytes, t, action, sub) in cases {
        let e = decode_err(bytes, &c);
        assert_eq!(
            (e.type_code, e.action, e.subcode),
            (*t, *action, *sub),
            "{bytes:02x?}: {e}"
        );
        if e.subcode != 2 || e.action != Action::SessionReset {
            // Data is the whole attribute (RFC 4271 §6.3).
            assert_eq!(e.data.as_slice(), *bytes);
        }
        assert_eq!(e.notification().code, 3);
    }
    // An AGGREGATOR of 8 bytes on a 2-octet session is discarded too.
    let e = decode_err(
        &[0xc0, 7, 8, 0, 0, 0, 1, 1, 1, 1, 1],
        &CodecContext::default(),
    );
    assert_eq!(e.action, Action::AttributeDiscard);
}

fn origin_igp() -> Vec<u8> {
    vec![0x40, 1, 1, 0]
}

#[test]
fn list_duplicates_and_local_pref_from_ebgp() {
    // ORIGIN twice: the second is discarded.
    let mut b = origin_igp();
    b.extend_from_slice(&[0x40, 1, 1, 2]);
    let d = decode_attributes(&mut Reader::new(&b), &ctx4()).unwrap();
    assert_eq!(
        d.attributes,
        vec![PathAttribute::new(AttrValue::Origin(Origin::Igp))]
    );
    assert_eq!(d.errors.len(), 1);
    assert_eq!(d.errors[0].action, Action::AttributeDiscard);
    assert_eq!(d.errors[0].offset, 4);

    // MP_UNREACH_NLRI twice: session reset (RFC 7606 §3 g).
    let b = [0x80, 15, 3, 0, 25, 70, 0x80, 15, 3, 0, 25, 70];
    let e = decode_attributes(&mut Reader::new(&b), &ctx4()).unwrap_err();
    assert!(matches!(e, UpdateError::MalformedAttributeList { .. }));
    assert_eq!((e.notification().code, e.notification().subcode), (3, 1));

    // LOCAL_PREF from eBGP: discarded; from iBGP: kept.
    let b = [0x40, 5, 4, 0, 0, 0, 100];
    let mut ebgp = ctx4();
    ebgp.peer = PeerKind::External;
    let d = decode_attributes(&mut Reader::new(&b), &ebgp).unwrap();
    assert!(d.attributes.is_empty());
    assert_eq!(d.errors[0].action, Action::AttributeDiscard);
    let d = decode_attributes(&mut Reader::new(&b), &ctx4()).unwrap();
    assert_eq!(d.attributes.len(), 1);
    assert!(d.errors.is_empty());
}

#[test]
fn list_overrun_is_treat_as_withdraw_after_mp_attribute() {
    // MP_UNREACH_NLRI (EVPN EoR) then an ORIGIN whose length runs past the end.
    let b = [0x80, 15, 3, 0, 25, 70, 0x40, 1, 9, 0];
    let d = decode_attributes(&mut Reader::new(&b), &ctx4()).unwrap();
    assert_eq!(d.attributes.len(), 1);
    assert_eq!(d.errors.len(), 1);
    assert_eq!(d.errors[0].action, Action::TreatAsWithdraw);
    assert!(d.treat_as_withdraw());
    // The same overrun with no MP attribute before it: session reset.
    let b = [0x40, 1, 9, 0];
    let e = decode_attributes(&mut Reader::new(&b), &ctx4()).unwrap_err();
    assert_eq!(e.notification().subcode, 1);
    // A lone flags byte.
    let b = [0x80, 15, 3, 0, 25, 70, 0x40];
    let d = decode_attributes(&mut Reader::new(&b), &ctx4()).unwrap();
    assert!(d.treat_as_withdraw());
}

#[test]
fn malformed_value_keeps_later_attributes() {
    // Bad ORIGIN then a good NEXT_HOP: treat-as-withdraw, NEXT_HOP kept.
    let b = [0x40, 1, 1, 7, 0x40, 3, 4, 1, 2, 3, 4];
    let d = decode_attributes(&mut Reader::new(&b), &ctx4()).unwrap();
    assert_eq!(
        d.attributes,
        vec![PathAttribute::new(AttrValue::NextHop(Ipv4Addr::new(
            1, 2, 3, 4
        )))]
    );
    assert_eq!(d.errors[0].type_code, 1);
    assert_eq!(d.errors[0].action, Action::TreatAsWithdraw);
}

#[test]
fn canonical_order_puts_mp_first() {
    let mut v = vec![
        PathAttribute::new(AttrValue::ExtendedCommunities(vec![])),
        PathAttribute::new(AttrValue::Origin(Origin::Igp)),
        PathAttribute::new(AttrValue::MpReach(MpReach {
            next_hop: NextHop::Ipv4(Ipv4Addr::LOCALHOST),
            nlri: NlriList::Evpn(vec![PathNlri::new(EvpnRoute::MacIp(MacIpAdvertisement {
                rd: RouteDistinguisher::ZERO,
                esi: Esi::ZERO,
                ethernet_tag: EthernetTag(0),
                mac: MacAddress([2, 0, 0, 0, 0, 1]),
                ip: None,
                label1: LabelField([0, 0, 1]),
                label2: None,
            }))]),
        })),
        PathAttribute::new(AttrValue::AsPath(AsPath::default())),
    ];
    canonical_order(&mut v);
    let codes: Vec<u8> = v.iter().map(PathAttribute::type_code).collect();
    assert_eq!(codes, [14, 1, 2, 16]);
}
