//! Exact bytes of every message type, header checks and their NOTIFICATIONs.

use super::*;
use crate::attr::{AsPath, NextHop, Origin};
use crate::capability::{AddPathEntry, AddPathMode};
use crate::extcomm::{ExtendedCommunity, TunnelType};
use crate::nlri::evpn::MacIpAdvertisement;
use crate::nlri::{EvpnRoute, NlriList};
use crate::types::{
    Esi, EthernetTag, LabelField, MacAddress, RouteDistinguisher, RouteTarget, Vni,
};
use crate::wire::AddPathDirection;
use core::net::{IpAddr, Ipv4Addr};

fn ctx() -> CodecContext {
    CodecContext::four_octet()
}

fn header(len: u16, t: u8) -> Vec<u8> {
    let mut v = vec![0xff; 16];
    v.extend_from_slice(&len.to_be_bytes());
    v.push(t);
    v
}

/// Encode to `bytes`, decode back, check framing, reject every truncation.
fn check(m: Message, ctx: &CodecContext, bytes: &[u8]) {
    let v = m.to_vec(ctx).unwrap();
    assert_eq!(v, bytes, "encode {m:?}");
    assert_eq!(m.encoded_len(ctx), v.len());
    assert_eq!(frame_len(bytes, ctx).unwrap(), Some(bytes.len()));
    let d = Message::decode(bytes, ctx).unwrap();
    assert_eq!(d.message, m);
    assert!(d.attr_errors.is_empty(), "{:?}", d.attr_errors);
    for n in 0..bytes.len() {
        assert!(
            Message::decode(&bytes[..n], ctx).is_err(),
            "{n}-byte prefix accepted"
        );
        if n < HEADER_LEN {
            assert_eq!(frame_len(&bytes[..n], ctx).unwrap(), None);
        }
    }
}

#[test]
fn keepalive() {
    check(Message::Keepalive, &ctx(), &header(19, 4));
}

#[test]
fn notification() {
    let mut b = header(23, 3);
    b.extend_from_slice(&[6, 2, 0xab, 0xcd]);
    check(
        Message::Notification(Notification::new(6, 2, vec![0xab, 0xcd])),
        &ctx(),
        &b,
    );
}

#[test]
fn route_refresh_and_enhanced_subtypes() {
    let mut b = header(23, 5);
    b.extend_from_slice(&[0, 25, 0, 70]);
    check(
        Message::RouteRefresh(RouteRefresh {
            family: AddressFamily::L2VPN_EVPN,
            subtype: RouteRefreshSubtype::Normal,
        }),
        &ctx(),
        &b,
    );
    let mut b = header(23, 5);
    b.extend_from_slice(&[0, 1, 2, 1]);
    check(
        Message::RouteRefresh(RouteRefresh {
            family: AddressFamily::IPV4_UNICAST,
            subtype: RouteRefreshSubtype::EndOfRefresh,
        }),
        &ctx(),
        &b,
    );
    // RFC 7313 §5: bad length is code 7 subcode 1.
    let mut b = header(24, 5);
    b.extend_from_slice(&[0, 1, 0, 1, 0]);
    let e = Message::decode(&b, &ctx()).unwrap_err();
    assert_eq!((e.notification().code, e.notification().subcode), (7, 1));
}

fn open_frr_like() -> (Open, Vec<u8>) {
    let open = Open::new(
        Asn(65000),
        180,
        RouterId(Ipv4Addr::new(10, 0, 0, 1)),
        vec![
            Capability::Multiprotocol(AddressFamily::L2VPN_EVPN),
            Capability::RouteRefresh,
            Capability::FourOctetAs(Asn(65000)),
            Capability::AddPath(vec![AddPathEntry {
                family: AddressFamily::L2VPN_EVPN,
                mode: AddPathMode::Receive,
            }]),
        ],
    );
    let caps: &[u8] = &[
        1, 4, 0, 25, 0, 70, 2, 0, 65, 4, 0, 0, 0xfd, 0xe8, 69, 4, 0, 25, 70, 1,
    ];
    let mut b = header((29 + 2 + caps.len()) as u16, 1);
    b.extend_from_slice(&[4, 0xfd, 0xe8, 0, 180, 10, 0, 0, 1]);
    b.push((2 + caps.len()) as u8);
    b.push(2);
    b.push(caps.len() as u8);
    b.extend_from_slice(caps);
    (open, b)
}

#[test]
fn open_one_parameter() {
    let (open, b) = open_frr_like();
    assert_eq!(open.asn(), Asn(65000));
    check(Message::Open(open), &ctx(), &b);
}

#[test]
fn open_one_parameter_per_capability_and_as_trans() {
    // GoBGP style: one optional parameter per capability; 4-octet AS.
    let open = Open {
        my_as: 23456,
        hold_time: 90,
        bgp_id: RouterId(Ipv4Addr::new(1, 1, 1, 1)),
        params: vec![
            vec![Capability::FourOctetAs(Asn(4_200_000_000))],
            vec![Capability::RouteRefresh],
        ],
        extended_params: false,
    };
    assert_eq!(open.asn(), Asn(4_200_000_000));
    let mut b = header(29 + 8 + 4, 1);
    b.extend_from_slice(&[4, 0x5b, 0xa0, 0, 90, 1, 1, 1, 1, 12]);
    b.extend_from_slice(&[2, 6, 65, 4, 0xfa, 0x56, 0xea, 0x00, 2, 2, 2, 0]);
    check(Message::Open(open), &ctx(), &b);
}

/// RFC 9072 extended optional parameters length.
#[test]
fn open_extended_parameters() {
    let open = Open {
        extended_params: true,
        ..Open::new(
            Asn(65000),
            0,
            RouterId(Ipv4Addr::new(1, 1, 1, 1)),
            vec![Capability::RouteRefresh],
        )
    };
    let mut b = header(29 + 3 + 3 + 2, 1);
    b.extend_from_slice(&[
        4, 0xfd, 0xe8, 0, 0, 1, 1, 1, 1, 255, 255, 0, 5, 2, 0, 2, 2, 0,
    ]);
    check(Message::Open(open), &ctx(), &b);
    // Over 255 bytes of parameters switches to the extended form by itself.
    let caps: Vec<Capability> = (0..70)
        .map(|i| Capability::Unknown {
            code: 200,
            value: vec![i; 2],
        })
        .collect();
    let big = Open::new(Asn(1), 90, RouterId(Ipv4Addr::new(1, 1, 1, 1)), caps);
    let v = big.clone();
    let bytes = Message::Open(v).to_vec(&ctx()).unwrap();
    let d = Message::decode(&bytes, &ctx()).unwrap();
    let Message::Open(o) = d.message else {
        panic!("not an OPEN")
    };
    assert!(o.extended_params);
    assert_eq!(o.params, big.params);
}

#[test]
fn open_errors_map_to_notifications() {
    let (_, good) = open_frr_like();
    let cases: &[(usize, u8, u8, u8)] = &[
        // (byte to change, new value, expected code, subcode)
        (19, 3, 2, 1), // version 3
        (23, 1, 2, 6), // hold time 1
        (28, 0, 2, 0), // opt parm len 0 but parameters follow: malformed
        (29, 9, 2, 4), // optional parameter type 9
    ];
    for &(at, val, code, sub) in cases {
        let mut b = good.clone();
        b[at] = val;
        if at == 23 {
            b[22] = 0;
        }
        let e = Message::decode(&b, &ctx()).unwrap_err();
        let n = e.notification();
        assert_eq!((n.code, n.subcode), (code, sub), "byte {at}: {e}");
    }
    let mut b = good.clone();
    b[24..28].copy_from_slice(&[0, 0, 0, 0]);
    let n = Message::decode(&b, &ctx()).unwrap_err().notification();
    assert_eq!((n.code, n.subcode), (2, 3));
    let mut b = good.clone();
    b[19] = 5;
    let n = Message::decode(&b, &ctx()).unwrap_err().notification();
    assert_eq!(n.data, vec![0, 4]);
}

#[test]
fn header_errors_map_to_notifications() {
    let mut b = header(19, 4);
    b[3] = 0;
    let e = frame_len(&b, &ctx()).unwrap_err();
    assert_eq!(e.notification(), Notification::new(1, 1, vec![]));
    let b = header(18, 4);
    let e = frame_len(&b, &ctx()).unwrap_err();
    assert_eq!(e.notification(), Notification::new(1, 2, vec![0, 18]));
    let b = header(20, 4);
    assert_eq!(
        frame_len(&b, &ctx()).unwrap_err().notification(),
        Notification::new(1, 2, vec![0, 20])
    );
    let b = header(19, 9);
    assert_eq!(
        frame_len(&b, &ctx()).unwrap_err().notification(),
        Notification::new(1, 3, vec![9])
    );
    // UPDATE of 5000 bytes: only with extended messages (RFC 8654).
    let b = header(5000, 2);
    assert!(frame_len(&b, &ctx()).is_err());
    let mut ext = ctx();
    ext.extended_message = true;
    assert_eq!(frame_len(&b, &ext).unwrap(), Some(5000));
    // OPEN stays within 4096 even then.
    assert!(frame_len(&header(5000, 1), &ext).is_err());
}

fn evpn_update() -> Update {
    let route = EvpnRoute::MacIp(MacIpAdvertisement {
        rd: RouteDistinguisher::Ipv4 {
            addr: Ipv4Addr::new(10, 0, 0, 1),
            number: 2,
        },
        esi: Esi::ZERO,
        ethernet_tag: EthernetTag(0),
        mac: MacAddress([2, 0, 0, 0, 0, 0x0a]),
        ip: Some(IpAddr::V4(Ipv4Addr::new(10, 10, 0, 10))),
        label1: LabelField::from_vni(Vni::new(100).unwrap()),
        label2: None,
    });
    Update {
        withdrawn: vec![],
        attributes: vec![
            PathAttribute::new(AttrValue::MpReach(MpReach {
                next_hop: NextHop::Ipv4(Ipv4Addr::new(10, 0, 0, 1)),
                nlri: NlriList::Evpn(vec![PathNlri::new(route)]),
            })),
            PathAttribute::new(AttrValue::Origin(Origin::Igp)),
            PathAttribute::new(AttrValue::AsPath(AsPath::default())),
            PathAttribute::new(AttrValue::LocalPref(100)),
            PathAttribute::new(AttrValue::ExtendedCommunities(vec![
                ExtendedCommunity::RouteTarget(RouteTarget::As2 {
                    asn: 65000,
                    value: 100,
                }),
                ExtendedCommunity::Encapsulation(TunnelType::Vxlan),
            ])),
        ],
        nlri: vec![],
    }
}

/// An iBGP EVPN type-2 UPDATE laid out as FRR sends it (MP_REACH_NLRI
/// first, 37-byte MAC/IP route, RT and encapsulation communities).
#[test]
fn update_evpn_type2() {
    let mp: Vec<u8> = {
        let mut v = vec![0x80, 14, 48, 0, 25, 70, 4, 10, 0, 0, 1, 0, 2, 37];
        v.extend_from_slice(&[0, 1, 10, 0, 0, 1, 0, 2]);
        v.extend_from_slice(&[0; 10]);
        v.extend_from_slice(&[
            0, 0, 0, 0, 48, 2, 0, 0, 0, 0, 0x0a, 32, 10, 10, 0, 10, 0, 0, 100,
        ]);
        v
    };
    let mut attrs = mp;
    attrs.extend_from_slice(&[0x40, 1, 1, 0, 0x40, 2, 0, 0x40, 5, 4, 0, 0, 0, 100]);
    attrs.extend_from_slice(&[
        0xc0, 16, 16, 0, 2, 0xfd, 0xe8, 0, 0, 0, 100, 3, 0x0c, 0, 0, 0, 0, 0, 8,
    ]);
    let mut b = header((23 + attrs.len()) as u16, 2);
    b.extend_from_slice(&[0, 0]);
    b.extend_from_slice(&(attrs.len() as u16).to_be_bytes());
    b.extend_from_slice(&attrs);
    let u = evpn_update();
    assert!(u.has_reachable_nlri());
    check(Message::Update(u), &ctx(), &b);
}

#[test]
fn update_ipv4_with_add_path_and_end_of_rib() {
    let mut c = ctx();
    c.add_path
        .push((AddressFamily::IPV4_UNICAST, AddPathDirection::Both));
    let p = Ipv4Prefix::new(Ipv4Addr::new(192, 0, 2, 0), 24).unwrap();
    let u = Update {
        withdrawn: vec![PathNlri::with_path_id(1, p)],
        attributes: vec![
            PathAttribute::new(AttrValue::Origin(Origin::Igp)),
            PathAttribute::new(AttrValue::AsPath(AsPath::sequence(vec![Asn(65001)]))),
            PathAttribute::new(AttrValue::NextHop(Ipv4Addr::new(10, 0, 0, 2))),
        ],
        nlri: vec![PathNlri::with_path_id(2, p)],
    };
    let mut b = header(23 + 8 + 4 + 9 + 7 + 8, 2);
    b.extend_from_slice(&[0, 8, 0, 0, 0, 1, 24, 192, 0, 2]);
    b.extend_from_slice(&[0, 20, 0x40, 1, 1, 0, 0x40, 2, 6, 2, 1, 0, 0, 0xfd, 0xe9]);
    b.extend_from_slice(&[0x40, 3, 4, 10, 0, 0, 2]);
    b.extend_from_slice(&[0, 0, 0, 2, 24, 192, 0, 2]);
    check(Message::Update(u.clone()), &c, &b);
    // Without ADD-PATH in the context the encoder refuses path ids.
    assert!(Message::Update(u).to_vec(&ctx()).is_err());

    let eor = Update::default();
    assert_eq!(eor.end_of_rib(), Some(AddressFamily::IPV4_UNICAST));
    let mut b = header(23, 2);
    b.extend_from_slice(&[0, 0, 0, 0]);
    check(Message::Update(eor), &ctx(), &b);
    let evpn_eor = Update {
        attributes: vec![PathAttribute::new(AttrValue::MpUnreach(MpUnreach {
            nlri: NlriList::empty(AddressFamily::L2VPN_EVPN),
        }))],
        ..Update::default()
    };
    assert_eq!(evpn_eor.end_of_rib(), Some(AddressFamily::L2VPN_EVPN));
    let mut b = header(29, 2);
    b.extend_from_slice(&[0, 0, 0, 6, 0x80, 15, 3, 0, 25, 70]);
    check(Message::Update(evpn_eor), &ctx(), &b);
}

#[test]
fn update_errors() {
    // Withdrawn length overruns: 3/1.
    let mut b = header(23, 2);
    b.extend_from_slice(&[0, 9, 0, 0]);
    let n = Message::decode(&b, &ctx()).unwrap_err().notification();
    assert_eq!((n.code, n.subcode), (3, 1));
    // Attribute length overruns: 3/1.
    let mut b = header(24, 2);
    b.extend_from_slice(&[0, 0, 0, 9, 0]);
    let n = Message::decode(&b, &ctx()).unwrap_err().notification();
    assert_eq!((n.code, n.subcode), (3, 1));
    // NLRI field malformed (/33): 3/10 (RFC 7606 §5.3 session reset).
    let mut b = header(25, 2);
    b.extend_from_slice(&[0, 0, 0, 0, 33, 1]);
    let n = Message::decode(&b, &ctx()).unwrap_err().notification();
    assert_eq!((n.code, n.subcode), (3, 10));
    // NLRI without ORIGIN / AS_PATH / NEXT_HOP: treat-as-withdraw, 3 errors.
    let mut b = header(27, 2);
    b.extend_from_slice(&[0, 0, 0, 0, 24, 10, 0, 0]);
    let d = Message::decode(&b, &ctx()).unwrap();
    assert!(d.treat_as_withdraw());
    let missing: Vec<u8> = d.attr_errors.iter().map(|e| e.type_code).collect();
    assert_eq!(missing, [1, 2, 3]);
    assert!(d
        .attr_errors
        .iter()
        .all(|e| e.subcode == 3 && e.data == [e.type_code]));
    // The same with a malformed ORIGIN: one treat-as-withdraw error for it,
    // and ORIGIN is not also reported missing.
    let mut b = header(27 + 4 + 3 + 7, 2);
    b.extend_from_slice(&[
        0, 0, 0, 14, 0x40, 1, 1, 5, 0x40, 2, 0, 0x40, 3, 4, 1, 1, 1, 1,
    ]);
    b.extend_from_slice(&[24, 10, 0, 0]);
    let d = Message::decode(&b, &ctx()).unwrap();
    assert_eq!(d.attr_errors.len(), 1);
    assert_eq!(d.attr_errors[0].subcode, 6);
    let Message::Update(u) = d.message else {
        panic!("not an UPDATE")
    };
    assert_eq!(u.nlri.len(), 1);
    assert_eq!(u.attributes.len(), 2);
    // Unrecognised well-known attribute: session reset 3/2 with the attribute.
    let mut b = header(26, 2);
    b.extend_from_slice(&[0, 0, 0, 3, 0x40, 99, 0]);
    let n = Message::decode(&b, &ctx()).unwrap_err().notification();
    assert_eq!(n, Notification::new(3, 2, vec![0x40, 99, 0]));
}

#[test]
fn oversized_update_is_an_encode_error() {
    let comms: Vec<crate::extcomm::Community> = (0..1100).map(crate::extcomm::Community).collect();
    let u = Update {
        attributes: vec![PathAttribute::new(AttrValue::Communities(comms))],
        ..Update::default()
    };
    let m = Message::Update(u);
    assert!(matches!(
        m.to_vec(&ctx()),
        Err(EncodeError::TooLong { max: 4096, .. })
    ));
    let mut ext = ctx();
    ext.extended_message = true;
    let v = m.to_vec(&ext).unwrap();
    assert_eq!(v.len(), m.encoded_len(&ext));
    assert!(Message::decode(&v, &ext).unwrap().message == m);
}
