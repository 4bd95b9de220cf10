//! Golden vectors: BGP messages captured from GoBGP 3.10 and FRR 8.4 in the
//! netns lab (`tests/lab/examples/capture_bgp.rs`, described in
//! `tests/fixtures/README.md`).
//!
//! Every fixture decodes with the codec context its session negotiated
//! (derived here from the captured OPENs, as the session FSM does), with no
//! attribute error, and re-encodes to the identical bytes; `encoded_len`
//! equals the captured length. Then, per fixture, the fields that matter to
//! vtepd (RD, ESI, tag, MAC, IP, VNI / label, RTs, router MAC, MAC
//! mobility, PMSI endpoint, next hop, attributes) have the values the lab
//! injected or the reference router derived.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};

use vtepd_bgp_evpn::attr::{
    AsPath, AttrValue, MpReach, NextHop, Origin, PathAttribute, PmsiTunnel, PmsiTunnelId,
    SegmentType,
};
use vtepd_bgp_evpn::capability::{AddPathEntry, AddPathMode, Capability, ExtendedNextHopEntry};
use vtepd_bgp_evpn::extcomm::TunnelType;
use vtepd_bgp_evpn::nlri::evpn::{
    InclusiveMulticastEthernetTag, IpPrefixRoute, MacIpAdvertisement, PrefixGateway,
};
use vtepd_bgp_evpn::nlri::{NlriList, PathNlri, Vpnv4Route};
use vtepd_bgp_evpn::session::negotiate;
use vtepd_bgp_evpn::types::EsiKind;
use vtepd_bgp_evpn::wire::{CodecContext, PeerKind};
use vtepd_bgp_evpn::{
    AddressFamily, Afi, Asn, Community, EvpnRoute, ExtendedCommunity, Ipv4Prefix, Ipv6Prefix,
    LabelField, MacAddress, Message, Open, RouteDistinguisher, RouteTarget, RouterId, Update, Vni,
};

// ------------------------------------------------------------- helpers --

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn bytes(name: &str) -> Vec<u8> {
    let p = dir().join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Every `.bin` fixture, sorted.
fn all_fixtures() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir())
        .expect("fixtures directory")
        .map(|e| {
            e.expect("dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|n| n.ends_with(".bin"))
        .collect();
    v.sort();
    v
}

fn open(name: &str) -> Open {
    match Message::decode(&bytes(name), &CodecContext::default())
        .unwrap_or_else(|e| panic!("{name}: {e:?}"))
        .message
    {
        Message::Open(o) => o,
        m => panic!("{name}: not an OPEN: {m:?}"),
    }
}

fn caps(o: &Open) -> Vec<Capability> {
    o.capabilities().cloned().collect()
}

/// Session (A): GoBGP ↔ FRR, numbered iBGP. As FRR negotiated it.
fn ctx_gobgp_frr() -> CodecContext {
    negotiate(
        &caps(&open("frr_open.bin")),
        &caps(&open("gobgp_open.bin")),
        PeerKind::Internal,
    )
    .ctx
}

/// Session (B): FRR ↔ FRR, unnumbered eBGP. As vtep1 negotiated it.
fn ctx_unnumbered() -> CodecContext {
    negotiate(
        &caps(&open("frr_unnum1_open.bin")),
        &caps(&open("frr_unnum2_open.bin")),
        PeerKind::External,
    )
    .ctx
}

fn ctx_for(name: &str) -> CodecContext {
    if name.starts_with("frr_unnum") {
        ctx_unnumbered()
    } else {
        ctx_gobgp_frr()
    }
}

/// Decode a fixture with its session's context; no attribute errors.
fn message(name: &str) -> Message {
    let ctx = ctx_for(name);
    let d = Message::decode(&bytes(name), &ctx).unwrap_or_else(|e| panic!("{name}: {e:?}"));
    assert!(d.attr_errors.is_empty(), "{name}: {:?}", d.attr_errors);
    d.message
}

fn update(name: &str) -> Update {
    match message(name) {
        Message::Update(u) => u,
        m => panic!("{name}: not an UPDATE: {m:?}"),
    }
}

fn ipv4(s: &str) -> Ipv4Addr {
    s.parse().expect("IPv4 literal")
}

fn ipv6(s: &str) -> Ipv6Addr {
    s.parse().expect("IPv6 literal")
}

fn mac(s: &str) -> MacAddress {
    let mut m = [0u8; 6];
    for (b, part) in m.iter_mut().zip(s.split(':')) {
        *b = u8::from_str_radix(part, 16).expect("MAC literal");
    }
    MacAddress(m)
}

fn rd_ip(addr: &str, number: u16) -> RouteDistinguisher {
    RouteDistinguisher::Ipv4 {
        addr: ipv4(addr),
        number,
    }
}

fn rt(asn: u16, value: u32) -> ExtendedCommunity {
    ExtendedCommunity::RouteTarget(RouteTarget::As2 { asn, value })
}

fn ext_comms(u: &Update) -> Vec<ExtendedCommunity> {
    match u.attribute(16) {
        Some(AttrValue::ExtendedCommunities(v)) => v.clone(),
        other => panic!("no EXTENDED_COMMUNITIES: {other:?}"),
    }
}

fn next_hop(u: &Update) -> NextHop {
    u.mp_reach().expect("MP_REACH_NLRI").next_hop.clone()
}

fn evpn_reach(u: &Update) -> Vec<EvpnRoute> {
    match &u.mp_reach().expect("MP_REACH_NLRI").nlri {
        NlriList::Evpn(v) => {
            assert!(v.iter().all(|p| p.path_id.is_none()));
            v.iter().map(|p| p.nlri.clone()).collect()
        }
        other => panic!("not EVPN: {other:?}"),
    }
}

fn evpn_unreach(u: &Update) -> Vec<EvpnRoute> {
    match &u.mp_unreach().expect("MP_UNREACH_NLRI").nlri {
        NlriList::Evpn(v) => v.iter().map(|p| p.nlri.clone()).collect(),
        other => panic!("not EVPN: {other:?}"),
    }
}

fn mac_ip(r: &EvpnRoute) -> MacIpAdvertisement {
    match r {
        EvpnRoute::MacIp(m) => *m,
        other => panic!("not type 2: {other:?}"),
    }
}

fn imet(r: &EvpnRoute) -> InclusiveMulticastEthernetTag {
    match r {
        EvpnRoute::InclusiveMulticast(m) => *m,
        other => panic!("not type 3: {other:?}"),
    }
}

fn prefix_route(r: &EvpnRoute) -> IpPrefixRoute {
    match r {
        EvpnRoute::IpPrefix(m) => *m,
        other => panic!("not type 5: {other:?}"),
    }
}

fn vni(l: vtepd_bgp_evpn::LabelField) -> u32 {
    l.as_vni().get()
}

fn v4p(addr: &str, len: u8) -> Ipv4Prefix {
    Ipv4Prefix::new(ipv4(addr), len).expect("prefix")
}

fn v6p(addr: &str, len: u8) -> Ipv6Prefix {
    Ipv6Prefix::new(ipv6(addr), len).expect("prefix")
}

fn origin(u: &Update) -> Origin {
    match u.attribute(1) {
        Some(AttrValue::Origin(o)) => *o,
        other => panic!("no ORIGIN: {other:?}"),
    }
}

fn as_path(u: &Update) -> Vec<u32> {
    match u.attribute(2) {
        Some(AttrValue::AsPath(p)) => p
            .segments
            .iter()
            .flat_map(|s| s.asns.iter().map(|a| a.0))
            .collect(),
        other => panic!("no AS_PATH: {other:?}"),
    }
}

fn local_pref(u: &Update) -> Option<u32> {
    match u.attribute(5) {
        Some(AttrValue::LocalPref(v)) => Some(*v),
        _ => None,
    }
}

fn med(u: &Update) -> Option<u32> {
    match u.attribute(4) {
        Some(AttrValue::MultiExitDisc(v)) => Some(*v),
        _ => None,
    }
}

fn flags_of(u: &Update, type_code: u8) -> u8 {
    u.attributes
        .iter()
        .find(|a| a.type_code() == type_code)
        .map(|a| a.flags.0)
        .expect("attribute present")
}

// ------------------------------------------------------ whole-set checks --

#[test]
fn every_fixture_decodes_and_reencodes_byte_for_byte() {
    let names = all_fixtures();
    assert!(names.len() >= 51, "only {} fixtures", names.len());
    for name in &names {
        let raw = bytes(name);
        let ctx = ctx_for(name);
        let d = Message::decode(&raw, &ctx).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert!(d.attr_errors.is_empty(), "{name}: {:?}", d.attr_errors);
        assert_eq!(
            d.message.encoded_len(&ctx),
            raw.len(),
            "{name}: encoded_len"
        );
        let re = d
            .message
            .to_vec(&ctx)
            .unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert_eq!(re, raw, "{name}: re-encoding differs");
        let again = Message::decode(&re, &ctx).expect("decode of re-encoding");
        assert_eq!(again.message, d.message, "{name}");
    }
}

#[test]
fn manifest_lists_exactly_the_fixtures() {
    let text = std::fs::read_to_string(dir().join("manifest.txt")).expect("manifest.txt");
    let mut listed: Vec<String> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| l.split('\t').next().unwrap_or("").to_owned())
        .collect();
    listed.sort();
    assert_eq!(listed, all_fixtures());
    // Each line's length column is the file's size.
    for l in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let cols: Vec<&str> = l.split('\t').collect();
        let len: usize = cols[3].trim_start_matches("len=").parse().expect("len");
        assert_eq!(bytes(cols[0]).len(), len, "{l}");
    }
}

#[test]
fn message_kinds_match_file_names() {
    for name in all_fixtures() {
        let m = message(&name);
        let kind = match &m {
            Message::Open(_) => "_open",
            Message::Keepalive => "_keepalive",
            Message::Notification(_) => "_notification",
            Message::Update(u) if u.end_of_rib().is_some() => "_eor_",
            Message::Update(u) if u.has_reachable_nlri() => "_update_",
            Message::Update(_) => "_withdraw_",
            Message::RouteRefresh(_) => "_route_refresh",
        };
        assert!(name.contains(kind), "{name} decodes as {kind}");
    }
}

// ------------------------------------------------------------ the OPENs --

#[test]
fn gobgp_open() {
    let o = open("gobgp_open.bin");
    assert_eq!(o.my_as, 65000);
    assert_eq!(o.hold_time, 9);
    assert_eq!(o.bgp_id, RouterId(ipv4("10.0.0.2")));
    assert_eq!(o.asn(), Asn(65000));
    // GoBGP puts every capability in one optional parameter.
    assert_eq!(o.params.len(), 1);
    let c = caps(&o);
    for f in [
        AddressFamily::L2VPN_EVPN,
        AddressFamily::IPV4_UNICAST,
        AddressFamily::IPV6_UNICAST,
        AddressFamily::VPNV4,
    ] {
        assert!(c.contains(&Capability::Multiprotocol(f)), "{f:?}");
    }
    assert!(c.contains(&Capability::RouteRefresh));
    assert!(c.contains(&Capability::FourOctetAs(Asn(65000))));
    let enhe = |family| ExtendedNextHopEntry {
        family,
        next_hop_afi: Afi::Ipv6,
    };
    assert!(c.contains(&Capability::ExtendedNextHop(vec![
        enhe(AddressFamily::L2VPN_EVPN),
        enhe(AddressFamily::IPV4_UNICAST),
        enhe(AddressFamily::VPNV4),
    ])));
    assert!(c.iter().any(|c| matches!(c, Capability::Fqdn { .. })));
}

#[test]
fn frr_open() {
    let o = open("frr_open.bin");
    assert_eq!(o.my_as, 65000);
    assert_eq!(o.hold_time, 9);
    assert_eq!(o.bgp_id, RouterId(ipv4("10.0.0.1")));
    // FRR sends one capability per optional parameter.
    assert_eq!(o.params.len(), 13);
    assert!(o.params.iter().all(|p| p.len() == 1));
    let c = caps(&o);
    assert!(c.contains(&Capability::FourOctetAs(Asn(65000))));
    assert!(c.contains(&Capability::ExtendedMessage));
    assert!(c.contains(&Capability::EnhancedRouteRefresh));
    assert!(c.contains(&Capability::RouteRefreshCisco));
    assert!(c.contains(&Capability::Fqdn {
        hostname: "frr".into(),
        domain: String::new()
    }));
    let ap = |family| AddPathEntry {
        family,
        mode: AddPathMode::Receive,
    };
    assert!(c.contains(&Capability::AddPath(vec![
        ap(AddressFamily::IPV4_UNICAST),
        ap(AddressFamily::VPNV4),
        ap(AddressFamily::IPV6_UNICAST),
        ap(AddressFamily::L2VPN_EVPN),
    ])));
    let gr = c
        .iter()
        .find_map(|c| match c {
            Capability::GracefulRestart(g) => Some(g.clone()),
            _ => None,
        })
        .expect("graceful restart");
    assert_eq!(gr.restart_time, 120);
    assert!(gr.families.is_empty());
    // Long-lived graceful restart (code 71) is kept raw.
    assert!(c
        .iter()
        .any(|c| matches!(c, Capability::Unknown { code: 71, .. })));
}

#[test]
fn unnumbered_opens_and_negotiated_contexts() {
    for (name, asn, id, host) in [
        ("frr_unnum1_open.bin", 65001, "10.255.0.1", "vtep1"),
        ("frr_unnum2_open.bin", 65002, "10.255.0.2", "vtep2"),
    ] {
        let o = open(name);
        assert_eq!(o.asn(), Asn(asn), "{name}");
        assert_eq!(o.bgp_id, RouterId(ipv4(id)));
        let c = caps(&o);
        assert!(
            c.contains(&Capability::ExtendedNextHop(vec![ExtendedNextHopEntry {
                family: AddressFamily::IPV4_UNICAST,
                next_hop_afi: Afi::Ipv6,
            }]))
        );
        assert!(c.contains(&Capability::Fqdn {
            hostname: host.into(),
            domain: String::new()
        }));
    }

    // (A): 4-octet AS; FRR offers ADD-PATH receive and extended messages,
    // GoBGP offers extended next hop: none of those is agreed.
    let a = ctx_gobgp_frr();
    assert!(a.four_octet_as);
    assert!(a.add_path.is_empty());
    assert!(a.extended_next_hop.is_empty());
    assert!(!a.extended_message);
    // (B): RFC 8950 for IPv4 unicast and RFC 8654 both agreed.
    let b = ctx_unnumbered();
    assert!(b.four_octet_as);
    assert!(b.add_path.is_empty());
    assert!(b.allows_next_hop(AddressFamily::IPV4_UNICAST, Afi::Ipv6));
    assert!(b.extended_message);
}

#[test]
fn keepalives_and_notification() {
    for name in ["frr_keepalive.bin", "frr_unnum1_keepalive.bin"] {
        assert_eq!(message(name), Message::Keepalive);
        assert_eq!(bytes(name).len(), 19);
    }
    match message("gobgp_notification_shutdown.bin") {
        Message::Notification(n) => {
            // Cease / Administrative Shutdown (RFC 4486), no data.
            assert_eq!((n.code, n.subcode), (6, 2));
            assert!(n.data.is_empty());
        }
        m => panic!("{m:?}"),
    }
}

// ------------------------------------------------------ GoBGP's UPDATEs --

/// What GoBGP puts on every locally injected route sent over iBGP.
fn assert_gobgp_local(u: &Update) {
    assert_eq!(origin(u), Origin::Incomplete);
    assert_eq!(as_path(u), Vec::<u32>::new());
    assert_eq!(local_pref(u), Some(100));
    // GoBGP never sets the extended-length bit on short attributes.
    assert_eq!(flags_of(u, 2), 0x40);
}

#[test]
fn gobgp_type2_mac_ip() {
    let u = update("gobgp_update_evpn_type2_macip.bin");
    assert_gobgp_local(&u);
    assert_eq!(flags_of(&u, 14), 0x80);
    assert_eq!(next_hop(&u), NextHop::Ipv4(ipv4("10.0.0.2")));
    let r = evpn_reach(&u);
    assert_eq!(r.len(), 1);
    let m = mac_ip(&r[0]);
    assert_eq!(m.rd, rd_ip("10.0.0.2", 100));
    assert!(m.esi.is_zero());
    assert_eq!(m.ethernet_tag.0, 0);
    assert_eq!(m.mac, mac("02:00:00:00:02:01"));
    assert_eq!(m.ip, Some(IpAddr::V4(ipv4("192.168.100.20"))));
    assert_eq!(vni(m.label1), 100);
    assert_eq!(m.label2, None);
    assert_eq!(
        ext_comms(&u),
        vec![
            rt(65000, 100),
            ExtendedCommunity::Encapsulation(TunnelType::Vxlan)
        ]
    );
}

#[test]
fn gobgp_type2_mac_only() {
    let u = update("gobgp_update_evpn_type2_mac.bin");
    assert_gobgp_local(&u);
    let m = mac_ip(&evpn_reach(&u)[0]);
    assert_eq!(m.mac, mac("02:00:00:00:02:02"));
    assert_eq!(m.ip, None);
    assert_eq!(vni(m.label1), 100);
    assert_eq!(m.rd, rd_ip("10.0.0.2", 100));
}

#[test]
fn gobgp_type2_mac_mobility() {
    // GoBGP injected the MAC that FRR advertises as local: it attaches a
    // MAC mobility extended community (sequence 0, not sticky).
    let u = update("gobgp_update_evpn_type2_mobility.bin");
    assert_gobgp_local(&u);
    let m = mac_ip(&evpn_reach(&u)[0]);
    assert_eq!(m.mac, mac("02:00:00:00:01:01"));
    assert_eq!(m.ip, None);
    assert_eq!(
        ext_comms(&u),
        vec![
            rt(65000, 100),
            ExtendedCommunity::Encapsulation(TunnelType::Vxlan),
            ExtendedCommunity::MacMobility {
                sticky: false,
                sequence: 0
            },
        ]
    );
}

#[test]
fn gobgp_type3_pmsi() {
    let u = update("gobgp_update_evpn_type3_pmsi.bin");
    assert_gobgp_local(&u);
    let r = imet(&evpn_reach(&u)[0]);
    assert_eq!(r.rd, rd_ip("10.0.0.2", 100));
    assert_eq!(r.ethernet_tag.0, 0);
    assert_eq!(r.originator, IpAddr::V4(ipv4("10.0.0.2")));
    match u.attribute(22) {
        Some(AttrValue::PmsiTunnel(p)) => {
            assert_eq!(p.flags, 0);
            assert_eq!(vni(p.label), 100);
            assert_eq!(
                p.tunnel,
                PmsiTunnelId::IngressReplication(IpAddr::V4(ipv4("10.0.0.2")))
            );
        }
        other => panic!("PMSI_TUNNEL: {other:?}"),
    }
    assert_eq!(flags_of(&u, 22), 0xc0);
    assert!(ext_comms(&u).contains(&rt(65000, 100)));
}

#[test]
fn gobgp_type5_router_mac() {
    for (name, prefix) in [
        (
            "gobgp_update_evpn_type5_rmac.bin",
            PrefixGateway::V4 {
                prefix: v4p("10.60.0.0", 24),
                gateway: Ipv4Addr::UNSPECIFIED,
            },
        ),
        (
            "gobgp_update_evpn_type5_v6.bin",
            PrefixGateway::V6 {
                prefix: v6p("2001:db8:60::", 64),
                gateway: Ipv6Addr::UNSPECIFIED,
            },
        ),
    ] {
        let u = update(name);
        assert_gobgp_local(&u);
        assert_eq!(next_hop(&u), NextHop::Ipv4(ipv4("10.0.0.2")));
        let r = prefix_route(&evpn_reach(&u)[0]);
        assert_eq!(r.rd, rd_ip("10.0.0.2", 4000), "{name}");
        assert!(r.esi.is_zero());
        assert_eq!(r.ethernet_tag.0, 0);
        assert_eq!(r.prefix, prefix, "{name}");
        assert_eq!(vni(r.label), 4000);
        assert_eq!(
            ext_comms(&u),
            vec![
                rt(65000, 4000),
                ExtendedCommunity::Encapsulation(TunnelType::Vxlan),
                ExtendedCommunity::RouterMac(mac("02:00:00:00:02:ff")),
            ],
            "{name}"
        );
    }
}

#[test]
fn gobgp_vpnv4() {
    let u = update("gobgp_update_vpnv4_vpn.bin");
    assert_gobgp_local(&u);
    assert_eq!(
        next_hop(&u),
        NextHop::VpnIpv4 {
            rd: RouteDistinguisher::ZERO,
            addr: ipv4("10.0.0.2")
        }
    );
    let routes: Vec<Vpnv4Route> = match &u.mp_reach().expect("MP_REACH").nlri {
        NlriList::Vpnv4(v) => v.iter().map(|p| p.nlri).collect(),
        other => panic!("{other:?}"),
    };
    assert_eq!(routes.len(), 1);
    let r = routes[0];
    assert_eq!(r.label.label(), 100);
    assert!(r.label.bottom_of_stack());
    assert_eq!(
        r.rd,
        RouteDistinguisher::As2 {
            asn: 65000,
            number: 1
        }
    );
    assert_eq!(r.prefix, v4p("10.9.0.0", 24));
    assert_eq!(ext_comms(&u), vec![rt(65000, 1)]);

    // The withdrawal repeats the label (not the RFC 8277 0x800000).
    let w = update("gobgp_withdraw_vpnv4_del.bin");
    match &w.mp_unreach().expect("MP_UNREACH").nlri {
        NlriList::Vpnv4(v) => {
            assert_eq!(v.len(), 1);
            assert_eq!(v[0].nlri.rd, r.rd);
            assert_eq!(v[0].nlri.prefix, r.prefix);
            assert_eq!(v[0].nlri.label.label(), 100);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(w.attributes.len(), 1);
}

#[test]
fn gobgp_plain_ipv4_and_ipv6() {
    let u = update("gobgp_update_ipv4_plain.bin");
    assert_eq!(origin(&u), Origin::Incomplete);
    assert_eq!(u.attribute(3), Some(&AttrValue::NextHop(ipv4("10.0.0.2"))));
    assert_eq!(med(&u), Some(20));
    assert_eq!(local_pref(&u), Some(200));
    assert_eq!(
        u.attribute(8),
        Some(&AttrValue::Communities(vec![Community::new(65000, 70)]))
    );
    assert_eq!(u.nlri.len(), 1);
    assert_eq!(u.nlri[0].nlri, v4p("10.70.0.0", 24));
    assert!(u.mp_reach().is_none());

    let u = update("gobgp_update_ipv6_plain.bin");
    assert_gobgp_local(&u);
    assert_eq!(
        next_hop(&u),
        NextHop::Ipv6 {
            global: ipv6("fd00::2"),
            link_local: None
        }
    );
    match &u.mp_reach().expect("MP_REACH").nlri {
        NlriList::Ipv6Unicast(v) => assert_eq!(v[0].nlri, v6p("2001:db8:70::", 64)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn gobgp_withdrawals() {
    let u = update("gobgp_withdraw_evpn_type2_del.bin");
    assert_eq!(u.attributes.len(), 1);
    assert_eq!(flags_of(&u, 15), 0x80);
    let m = mac_ip(&evpn_unreach(&u)[0]);
    assert_eq!(m.rd, rd_ip("10.0.0.2", 100));
    assert_eq!(m.mac, mac("02:00:00:00:02:01"));
    assert_eq!(m.ip, Some(IpAddr::V4(ipv4("192.168.100.20"))));
    assert_eq!(vni(m.label1), 100);

    let u = update("gobgp_withdraw_ipv4_del.bin");
    assert!(u.attributes.is_empty() && u.nlri.is_empty());
    assert_eq!(u.withdrawn.len(), 1);
    assert_eq!(u.withdrawn[0].nlri, v4p("10.70.0.0", 24));
    assert_eq!(u.end_of_rib(), None);

    let u = update("gobgp_withdraw_ipv6_del.bin");
    match &u.mp_unreach().expect("MP_UNREACH").nlri {
        NlriList::Ipv6Unicast(v) => assert_eq!(v[0].nlri, v6p("2001:db8:70::", 64)),
        other => panic!("{other:?}"),
    }
}

// -------------------------------------------------------- FRR's UPDATEs --

/// What FRR puts on its own routes sent over iBGP: ORIGIN IGP first after
/// MP_REACH, an empty AS_PATH with the extended-length bit (0x50).
fn assert_frr_ibgp(u: &Update) {
    assert_eq!(as_path(u), Vec::<u32>::new());
    assert_eq!(local_pref(u), Some(100));
    assert_eq!(flags_of(u, 2), 0x50);
}

#[test]
fn frr_type2_type3_type5() {
    let u = update("frr_update_evpn_type2.bin");
    assert_frr_ibgp(&u);
    assert_eq!(origin(&u), Origin::Igp);
    assert_eq!(flags_of(&u, 14), 0x90);
    assert_eq!(next_hop(&u), NextHop::Ipv4(ipv4("10.0.0.1")));
    let m = mac_ip(&evpn_reach(&u)[0]);
    // FRR's auto RD is ROUTER_ID:N, its RT AS:VNI.
    assert_eq!(m.rd, rd_ip("10.0.0.1", 2));
    assert_eq!(m.mac, mac("02:00:00:00:01:01"));
    assert_eq!(m.ip, None);
    assert_eq!(vni(m.label1), 100);
    assert_eq!(
        ext_comms(&u),
        vec![
            ExtendedCommunity::Encapsulation(TunnelType::Vxlan),
            rt(65000, 100)
        ]
    );

    let u = update("frr_update_evpn_type3.bin");
    assert_frr_ibgp(&u);
    let r = imet(&evpn_reach(&u)[0]);
    assert_eq!(r.rd, rd_ip("10.0.0.1", 2));
    assert_eq!(r.originator, IpAddr::V4(ipv4("10.0.0.1")));
    match u.attribute(22) {
        Some(AttrValue::PmsiTunnel(p)) => {
            assert_eq!(vni(p.label), 100);
            assert_eq!(
                p.tunnel,
                PmsiTunnelId::IngressReplication(IpAddr::V4(ipv4("10.0.0.1")))
            );
        }
        other => panic!("{other:?}"),
    }

    let u = update("frr_update_evpn_type5.bin");
    assert_frr_ibgp(&u);
    assert_eq!(med(&u), Some(0));
    let r = prefix_route(&evpn_reach(&u)[0]);
    assert_eq!(r.rd, rd_ip("10.0.0.1", 1));
    assert_eq!(
        r.prefix,
        PrefixGateway::V4 {
            prefix: v4p("10.50.0.0", 24),
            gateway: Ipv4Addr::UNSPECIFIED
        }
    );
    assert_eq!(vni(r.label), 4000);
    // The router MAC is br4000's MAC.
    assert_eq!(
        ext_comms(&u),
        vec![
            ExtendedCommunity::Encapsulation(TunnelType::Vxlan),
            rt(65000, 4000),
            ExtendedCommunity::RouterMac(mac("02:00:00:00:40:01")),
        ]
    );
}

#[test]
fn frr_type5_from_an_ibgp_ipv4_route_keeps_its_attributes() {
    // GoBGP's 10.70.0.0/24 (MED 20, LOCAL_PREF 200, community 65000:70),
    // re-originated by FRR as a type-5 route.
    let u = update("frr_update_evpn_type5_plain.bin");
    assert_eq!(origin(&u), Origin::Incomplete);
    assert_eq!(med(&u), Some(20));
    assert_eq!(local_pref(&u), Some(200));
    assert_eq!(
        u.attribute(8),
        Some(&AttrValue::Communities(vec![Community::new(65000, 70)]))
    );
    let r = prefix_route(&evpn_reach(&u)[0]);
    assert_eq!(r.rd, rd_ip("10.0.0.1", 1));
    assert_eq!(
        r.prefix,
        PrefixGateway::V4 {
            prefix: v4p("10.70.0.0", 24),
            gateway: Ipv4Addr::UNSPECIFIED
        }
    );
    assert!(ext_comms(&u).contains(&ExtendedCommunity::RouterMac(mac("02:00:00:00:40:01"))));
}

#[test]
fn frr_unicast_routes() {
    let u = update("frr_update_ipv4.bin");
    assert_frr_ibgp(&u);
    assert_eq!(u.attribute(3), Some(&AttrValue::NextHop(ipv4("10.0.0.1"))));
    assert_eq!(u.nlri[0].nlri, v4p("10.50.0.0", 24));

    let u = update("frr_update_ipv6.bin");
    assert_frr_ibgp(&u);
    assert_eq!(
        next_hop(&u),
        NextHop::Ipv6 {
            global: ipv6("fd00::1"),
            link_local: Some(ipv6("fe80::ff:fe00:1"))
        }
    );
    match &u.mp_reach().expect("MP_REACH").nlri {
        NlriList::Ipv6Unicast(v) => assert_eq!(v[0].nlri, v6p("2001:db8:50::", 64)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn frr_routes_imported_from_gobgp_type5() {
    // GoBGP's type-5 routes, imported into FRR's default VRF and sent back
    // to GoBGP as unicast routes, reflected (ORIGINATOR_ID, CLUSTER_LIST)
    // and still carrying the router MAC.
    let u = update("frr_update_ipv4_rmac.bin");
    assert_eq!(u.nlri[0].nlri, v4p("10.60.0.0", 24));
    assert_eq!(
        u.attribute(9),
        Some(&AttrValue::OriginatorId(ipv4("10.0.0.2")))
    );
    assert_eq!(
        u.attribute(10),
        Some(&AttrValue::ClusterList(vec![ipv4("10.0.0.1")]))
    );
    assert!(ext_comms(&u).contains(&ExtendedCommunity::RouterMac(mac("02:00:00:00:02:ff"))));

    let u = update("frr_update_ipv6_v6.bin");
    assert_eq!(
        next_hop(&u),
        NextHop::Ipv6 {
            global: ipv6("fd00::1"),
            link_local: None
        }
    );
    match &u.mp_reach().expect("MP_REACH").nlri {
        NlriList::Ipv6Unicast(v) => assert_eq!(v[0].nlri, v6p("2001:db8:60::", 64)),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        u.attribute(9),
        Some(&AttrValue::OriginatorId(ipv4("10.0.0.2")))
    );
}

#[test]
fn frr_withdrawals() {
    // FRR withdraws type-5 routes with a zero label.
    for (name, prefix) in [
        ("frr_withdraw_evpn_type5_del.bin", "10.70.0.0"),
        ("frr_withdraw_evpn_type5_del_2.bin", "10.50.0.0"),
    ] {
        let u = update(name);
        assert_eq!(u.attributes.len(), 1);
        let r = prefix_route(&evpn_unreach(&u)[0]);
        assert_eq!(r.rd, rd_ip("10.0.0.1", 1));
        assert_eq!(
            r.prefix,
            PrefixGateway::V4 {
                prefix: v4p(prefix, 24),
                gateway: Ipv4Addr::UNSPECIFIED
            },
            "{name}"
        );
        assert_eq!(vni(r.label), 0);
    }
    let u = update("frr_withdraw_ipv4_del.bin");
    assert_eq!(u.withdrawn[0].nlri, v4p("10.50.0.0", 24));
    assert!(u.attributes.is_empty());
}

// ------------------------------------------- FRR ↔ FRR, unnumbered eBGP --

#[test]
fn unnumbered_ipv4_with_ipv6_link_local_next_hop() {
    // RFC 8950: IPv4 NLRI in MP_REACH with a 32-byte IPv6 next hop whose
    // "global" half is the link-local address too.
    for (name, ll, prefix, path) in [
        (
            "frr_unnum1_update_ipv4.bin",
            "fe80::ff:fe00:1001",
            "10.255.0.1",
            vec![65001],
        ),
        (
            "frr_unnum1_update_ipv4_2.bin",
            "fe80::ff:fe00:1001",
            "10.255.0.2",
            vec![65001, 65002],
        ),
        (
            "frr_unnum2_update_ipv4.bin",
            "fe80::ff:fe00:1002",
            "10.255.0.2",
            vec![65002],
        ),
        (
            "frr_unnum2_update_ipv4_2.bin",
            "fe80::ff:fe00:1002",
            "10.255.0.1",
            vec![65002, 65001],
        ),
    ] {
        let u = update(name);
        assert_eq!(
            next_hop(&u),
            NextHop::Ipv6 {
                global: ipv6(ll),
                link_local: Some(ipv6(ll))
            },
            "{name}"
        );
        match &u.mp_reach().expect("MP_REACH").nlri {
            NlriList::Ipv4Unicast(v) => assert_eq!(v[0].nlri, v4p(prefix, 32), "{name}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(as_path(&u), path, "{name}");
        assert_eq!(u.attribute(3), None, "no NEXT_HOP attribute");
        assert_eq!(local_pref(&u), None, "no LOCAL_PREF over eBGP");

        // Without the negotiated extended next hop, the same bytes are not
        // accepted as they are.
        let d = Message::decode(&bytes(name), &CodecContext::four_octet());
        assert!(
            d.as_ref().map_or(true, |d| !d.attr_errors.is_empty()),
            "{name} accepted without RFC 8950: {d:?}"
        );
    }
}

#[test]
fn unnumbered_evpn_routes() {
    for (name, n, path) in [
        ("frr_unnum1_update_evpn_type2.bin", 1, vec![65001]),
        ("frr_unnum2_update_evpn_type2.bin", 2, vec![65002]),
        ("frr_unnum1_update_evpn_type2_2.bin", 2, vec![65001, 65002]),
        ("frr_unnum2_update_evpn_type2_2.bin", 1, vec![65002, 65001]),
    ] {
        let u = update(name);
        let vtep = format!("10.255.0.{n}");
        assert_eq!(next_hop(&u), NextHop::Ipv4(ipv4(&vtep)), "{name}");
        assert_eq!(as_path(&u), path, "{name}");
        // Two type-2 routes packed in one UPDATE: MAC only and MAC+IP.
        let rs: Vec<MacIpAdvertisement> = evpn_reach(&u).iter().map(mac_ip).collect();
        assert_eq!(rs.len(), 2, "{name}");
        let mut ips: Vec<Option<IpAddr>> = rs.iter().map(|m| m.ip).collect();
        ips.sort();
        assert_eq!(
            ips,
            vec![None, Some(IpAddr::V4(ipv4(&format!("192.168.100.{n}"))))]
        );
        for m in &rs {
            assert_eq!(m.rd, rd_ip(&vtep, 2));
            assert_eq!(m.mac, mac(&format!("02:00:00:00:11:0{n}")));
            assert_eq!(vni(m.label1), 100);
        }
        let ec = ext_comms(&u);
        assert!(ec.contains(&rt(65000 + n as u16, 100)), "{name}: {ec:?}");
        assert!(ec.contains(&ExtendedCommunity::Encapsulation(TunnelType::Vxlan)));
    }
    for (name, n) in [
        ("frr_unnum1_update_evpn_type3.bin", 1),
        ("frr_unnum2_update_evpn_type3.bin", 2),
        ("frr_unnum1_update_evpn_type3_2.bin", 2),
        ("frr_unnum2_update_evpn_type3_2.bin", 1),
    ] {
        let u = update(name);
        let vtep: IpAddr = format!("10.255.0.{n}").parse().expect("addr");
        let r = imet(&evpn_reach(&u)[0]);
        assert_eq!(r.originator, vtep, "{name}");
        match u.attribute(22) {
            Some(AttrValue::PmsiTunnel(p)) => {
                assert_eq!(p.tunnel, PmsiTunnelId::IngressReplication(vtep));
                assert_eq!(vni(p.label), 100);
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn end_of_rib_markers() {
    assert_eq!(
        update("frr_unnum1_eor_ipv4.bin").end_of_rib(),
        Some(AddressFamily::IPV4_UNICAST)
    );
    assert_eq!(bytes("frr_unnum1_eor_ipv4.bin").len(), 23);
    assert_eq!(
        update("frr_unnum1_eor_evpn.bin").end_of_rib(),
        Some(AddressFamily::L2VPN_EVPN)
    );
    // Real UPDATEs are not End-of-RIB.
    assert_eq!(update("frr_update_evpn_type3.bin").end_of_rib(), None);
}

#[test]
fn gobgp_type3_built_from_typed_values_is_byte_identical() {
    // Build GoBGP's type-3 UPDATE from typed values and canonical flags
    // (not from the decoded message): the encoder writes what GoBGP wrote.
    let route = EvpnRoute::InclusiveMulticast(InclusiveMulticastEthernetTag {
        rd: rd_ip("10.0.0.2", 100),
        ethernet_tag: vtepd_bgp_evpn::EthernetTag(0),
        originator: IpAddr::V4(ipv4("10.0.0.2")),
    });
    let label = vtepd_bgp_evpn::LabelField::from_vni(vtepd_bgp_evpn::Vni::new(100).expect("vni"));
    let attrs = vec![
        PathAttribute::new(AttrValue::Origin(Origin::Incomplete)),
        PathAttribute::new(AttrValue::AsPath(AsPath::default())),
        PathAttribute::new(AttrValue::LocalPref(100)),
        PathAttribute::new(AttrValue::MpReach(MpReach {
            next_hop: NextHop::Ipv4(ipv4("10.0.0.2")),
            nlri: NlriList::Evpn(vec![PathNlri::new(route)]),
        })),
        PathAttribute::new(AttrValue::ExtendedCommunities(vec![
            rt(65000, 100),
            ExtendedCommunity::Encapsulation(TunnelType::Vxlan),
        ])),
        PathAttribute::new(AttrValue::PmsiTunnel(PmsiTunnel {
            flags: 0,
            label,
            tunnel: PmsiTunnelId::IngressReplication(IpAddr::V4(ipv4("10.0.0.2"))),
        })),
    ];
    let msg = Message::Update(Update {
        withdrawn: Vec::new(),
        attributes: attrs,
        nlri: Vec::new(),
    });
    let ctx = ctx_gobgp_frr();
    let want = bytes("gobgp_update_evpn_type3_pmsi.bin");
    assert_eq!(msg.encoded_len(&ctx), want.len());
    assert_eq!(msg.to_vec(&ctx).expect("encode"), want);
}

#[test]
fn gobgp_type1_lacp_esi_and_esi_label() {
    let u = update("gobgp_update_evpn_type1_esi.bin");
    assert_gobgp_local(&u);
    let r = match &evpn_reach(&u)[0] {
        EvpnRoute::EthernetAd(a) => *a,
        other => panic!("{other:?}"),
    };
    assert_eq!(r.rd, rd_ip("10.0.0.2", 100));
    assert_eq!(r.ethernet_tag.0, 0);
    assert_eq!(vni(r.label), 100);
    // ESI type 1 (LACP, RFC 7432 §5): system MAC, port key, a zero octet.
    assert_eq!(r.esi.esi_type(), 1);
    assert_eq!(
        r.esi.kind(),
        EsiKind::Lacp {
            system_mac: mac("02:00:00:00:aa:01"),
            port_key: 1
        }
    );
    assert!(ext_comms(&u).contains(&ExtendedCommunity::EsiLabel {
        single_active: false,
        label: LabelField::from_vni(Vni::new(200).expect("vni")),
    }));
}

#[test]
fn gobgp_type4_mac_esi() {
    let u = update("gobgp_update_evpn_type4_esi.bin");
    assert_gobgp_local(&u);
    let r = match &evpn_reach(&u)[0] {
        EvpnRoute::EthernetSegment(e) => *e,
        other => panic!("{other:?}"),
    };
    assert_eq!(r.rd, rd_ip("10.0.0.2", 0));
    assert_eq!(r.originator, IpAddr::V4(ipv4("10.0.0.2")));
    // ESI type 3 (MAC-based): MAC and a 3-octet local discriminator.
    assert_eq!(
        r.esi.kind(),
        EsiKind::Mac {
            system_mac: mac("02:00:00:00:aa:02"),
            discriminator: 7
        }
    );
    // GoBGP adds the ES-Import route target (type 0x06 subtype 0x02,
    // RFC 7432 §7.6) from the ESI's MAC. The codec has no variant for it:
    // it is kept as an unknown community and round-trips.
    assert!(ext_comms(&u).contains(&ExtendedCommunity::Unknown([
        0x06, 0x02, 0x02, 0x00, 0x00, 0x00, 0xaa, 0x02
    ])));
}

#[test]
fn gobgp_type2_ipv6_two_labels_as_esi() {
    let u = update("gobgp_update_evpn_type2_labels.bin");
    assert_gobgp_local(&u);
    let m = mac_ip(&evpn_reach(&u)[0]);
    assert_eq!(m.mac, mac("02:00:00:00:02:03"));
    assert_eq!(m.ip, Some(IpAddr::V6(ipv6("fd00:100::3"))));
    assert_eq!(m.ethernet_tag.0, 10);
    // Symmetric IRB: label 1 the L2 VNI, label 2 the L3 VNI.
    assert_eq!(vni(m.label1), 100);
    assert_eq!(m.label2.map(vni), Some(4000));
    // ESI type 5 (AS-based): AS 65000, discriminator 9.
    assert_eq!(
        m.esi.kind(),
        EsiKind::As {
            asn: Asn(65000),
            discriminator: 9
        }
    );
    // GoBGP 3.10's CLI turned "rd 4200000001:5" and "rt 4200000001:100"
    // into type-0 (2-octet AS) values with AS 65535: that is what is on
    // the wire and what the codec reads.
    assert_eq!(
        m.rd,
        RouteDistinguisher::As2 {
            asn: 65535,
            number: 5
        }
    );
    assert_eq!(
        ext_comms(&u),
        vec![
            ExtendedCommunity::RouteTarget(RouteTarget::Ipv4 {
                addr: ipv4("10.0.0.2"),
                value: 100
            }),
            rt(65535, 100),
            ExtendedCommunity::Encapsulation(TunnelType::Vxlan),
            ExtendedCommunity::RouterMac(mac("02:00:00:00:02:ff")),
        ]
    );
}

#[test]
fn gobgp_ipv4_as_set_aggregator_large_communities() {
    let u = update("gobgp_update_ipv4_aspath.bin");
    assert_eq!(origin(&u), Origin::Igp);
    match u.attribute(2) {
        Some(AttrValue::AsPath(p)) => {
            assert_eq!(p.segments.len(), 2);
            assert_eq!(p.segments[0].kind, SegmentType::Sequence);
            assert_eq!(p.segments[1].kind, SegmentType::Set);
            // An AS_SET counts as one (RFC 4271 §9.1.2.2 a).
            assert_eq!(p.path_len(), 3);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(as_path(&u), vec![65010, 65020, 65030, 65040]);
    match u.attribute(7) {
        Some(AttrValue::Aggregator(a)) => {
            assert_eq!(a.asn, Asn(65010));
            assert_eq!(a.addr, ipv4("10.0.0.9"));
        }
        other => panic!("{other:?}"),
    }
    match u.attribute(32) {
        Some(AttrValue::LargeCommunities(v)) => {
            let l: Vec<(u32, u32, u32)> = v
                .iter()
                .map(|c| (c.global_admin, c.local1, c.local2))
                .collect();
            assert_eq!(l, vec![(65000, 1, 2), (4_200_000_001, 3, 4)]);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(u.nlri[0].nlri, v4p("10.71.0.0", 24));

    // FRR re-originates it as type-5 with the same AS_PATH, AGGREGATOR and
    // large communities.
    let f = update("frr_update_evpn_type5_aspath.bin");
    assert_eq!(as_path(&f), vec![65010, 65020, 65030, 65040]);
    assert_eq!(f.attribute(7), u.attribute(7));
    assert_eq!(f.attribute(32), u.attribute(32));
    let r = prefix_route(&evpn_reach(&f)[0]);
    assert_eq!(
        r.prefix,
        PrefixGateway::V4 {
            prefix: v4p("10.71.0.0", 24),
            gateway: Ipv4Addr::UNSPECIFIED
        }
    );
}

#[test]
fn gobgp_vpnv4_ipv4_administrator_rd() {
    let u = update("gobgp_update_vpnv4_vpnrd.bin");
    match &u.mp_reach().expect("MP_REACH").nlri {
        NlriList::Vpnv4(v) => {
            assert_eq!(v[0].nlri.rd, rd_ip("10.0.0.2", 7));
            assert_eq!(v[0].nlri.label.label(), 101);
            assert_eq!(v[0].nlri.prefix, v4p("10.9.1.0", 24));
        }
        other => panic!("{other:?}"),
    }
}

// ------------------------------------------------------------ fuzz seeds --

/// The seeds of the `bgp_*` fuzz targets, cut from the fixtures in each
/// target's input layout (see `fuzz/fuzz_targets/bgp_common.rs`):
/// (target, seed name, bytes).
fn fuzz_seeds() -> Vec<(&'static str, String, Vec<u8>)> {
    use vtepd_bgp_evpn::attr::encode_attributes;
    use vtepd_bgp_evpn::wire::Writer;

    // The context byte of bgp_common::ctx for each session.
    let ctx_byte = |name: &str| -> u8 {
        if name.starts_with("frr_unnum") {
            0x01 | 0x04 | 0x08 | 0x10
        } else {
            0x01
        }
    };
    let mut out = Vec::new();
    for name in all_fixtures() {
        let stem = name.trim_end_matches(".bin").to_owned();
        let raw = bytes(&name);
        let ctx = ctx_for(&name);
        let cb = ctx_byte(&name);
        let mut with = |target: &'static str, suffix: &str, lead: Option<u8>, b: Vec<u8>| {
            let mut v = lead.map(|l| vec![l]).unwrap_or_default();
            v.extend(b);
            out.push((target, format!("{stem}{suffix}"), v));
        };
        with("bgp_message", "", Some(cb), raw.clone());
        match message(&name) {
            Message::Open(o) => {
                with("bgp_open", "", None, raw.clone());
                let mut caps = Vec::new();
                for c in o.capabilities() {
                    c.encode(&mut Writer::new(&mut caps)).expect("capability");
                }
                with("bgp_capability", "", None, caps);
            }
            Message::Update(u) => {
                let mut attrs = Vec::new();
                encode_attributes(&u.attributes, &mut Writer::new(&mut attrs), &ctx)
                    .expect("attributes");
                if !attrs.is_empty() {
                    with("bgp_attributes", "", Some(cb), attrs);
                }
                let lists = [
                    u.mp_reach().map(|m| ("_reach", &m.nlri)),
                    u.mp_unreach().map(|m| ("_unreach", &m.nlri)),
                ];
                for (suffix, list) in lists.into_iter().flatten() {
                    if list.is_empty() {
                        continue;
                    }
                    let mut b = Vec::new();
                    list.encode(&mut Writer::new(&mut b), false).expect("nlri");
                    match list {
                        NlriList::Evpn(_) => with("bgp_nlri_evpn", suffix, Some(0), b),
                        NlriList::Vpnv4(_) => with("bgp_nlri_vpn", suffix, Some(0), b),
                        NlriList::Vpnv6(_) => with("bgp_nlri_vpn", suffix, Some(2), b),
                        NlriList::Ipv4Unicast(_) => with("bgp_nlri_prefix", suffix, Some(0), b),
                        NlriList::Ipv6Unicast(_) => with("bgp_nlri_prefix", suffix, Some(2), b),
                        NlriList::Unknown { .. } => {}
                    }
                }
                let mut prefixes = Vec::new();
                for p in u.nlri.iter().chain(u.withdrawn.iter()) {
                    let l = NlriList::Ipv4Unicast(vec![*p]);
                    l.encode(&mut Writer::new(&mut prefixes), false)
                        .expect("prefix");
                }
                if !prefixes.is_empty() {
                    with("bgp_nlri_prefix", "_field", Some(0), prefixes);
                }
                if let Some(AttrValue::ExtendedCommunities(v)) = u.attribute(16) {
                    let b: Vec<u8> = v.iter().flat_map(|c| c.to_bytes()).collect();
                    with("bgp_extcomm", "", None, b);
                }
            }
            _ => {}
        }
    }
    // Built seeds for what the captures lack: VPNv6 (RFC 4659), and EVPN
    // and VPNv4 NLRI with ADD-PATH path identifiers (RFC 7911).
    let vpnv6 = NlriList::Vpnv6(vec![PathNlri::new(vtepd_bgp_evpn::nlri::Vpnv6Route {
        label: vtepd_bgp_evpn::MplsLabel::new(200, true).expect("label"),
        rd: RouteDistinguisher::As2 {
            asn: 65000,
            number: 2,
        },
        prefix: v6p("2001:db8:9::", 48),
    })]);
    let mut b = vec![2u8];
    vpnv6
        .encode(&mut Writer::new(&mut b), false)
        .expect("vpnv6");
    out.push(("bgp_nlri_vpn", "built_vpnv6".to_owned(), b));
    for (target, name, src) in [
        (
            "bgp_nlri_evpn",
            "built_addpath_type2",
            "frr_unnum1_update_evpn_type2.bin",
        ),
        (
            "bgp_nlri_vpn",
            "built_addpath_vpnv4",
            "gobgp_update_vpnv4_vpn.bin",
        ),
    ] {
        let u = update(src);
        let mut list = u.mp_reach().expect("MP_REACH").nlri.clone();
        match &mut list {
            NlriList::Evpn(v) => {
                for (i, p) in v.iter_mut().enumerate() {
                    p.path_id = Some(i as u32 + 1);
                }
            }
            NlriList::Vpnv4(v) => {
                for (i, p) in v.iter_mut().enumerate() {
                    p.path_id = Some(i as u32 + 1);
                }
            }
            other => panic!("{other:?}"),
        }
        let mut b = vec![1u8];
        list.encode(&mut Writer::new(&mut b), true)
            .expect("add-path");
        out.push((target, name.to_owned(), b));
    }
    out
}

/// `fuzz/seeds/bgp_*/` holds exactly [`fuzz_seeds`]. Regenerate with
/// `VTEPD_WRITE_FUZZ_SEEDS=1 cargo test -p vtepd-bgp-evpn --test golden fuzz_seeds`.
#[test]
fn fuzz_seeds_are_cut_from_the_fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds");
    let seeds = fuzz_seeds();
    let write = std::env::var_os("VTEPD_WRITE_FUZZ_SEEDS").is_some();
    let mut targets: Vec<&str> = seeds.iter().map(|s| s.0).collect();
    targets.sort();
    targets.dedup();
    assert_eq!(
        targets,
        [
            "bgp_attributes",
            "bgp_capability",
            "bgp_extcomm",
            "bgp_message",
            "bgp_nlri_evpn",
            "bgp_nlri_prefix",
            "bgp_nlri_vpn",
            "bgp_open"
        ]
    );
    for t in &targets {
        let d = root.join(t);
        if write {
            let _ = std::fs::remove_dir_all(&d);
            std::fs::create_dir_all(&d).expect("seed dir");
        }
        let mut want: Vec<String> = seeds
            .iter()
            .filter(|s| s.0 == *t)
            .map(|s| s.1.clone())
            .collect();
        want.sort();
        if write {
            for (_, n, b) in seeds.iter().filter(|s| s.0 == *t) {
                std::fs::write(d.join(n), b).expect("write seed");
            }
        }
        let mut have: Vec<String> = std::fs::read_dir(&d)
            .unwrap_or_else(|e| panic!("{}: {e} (VTEPD_WRITE_FUZZ_SEEDS=1 writes it)", d.display()))
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        have.sort();
        assert_eq!(have, want, "{t}");
        for (_, n, b) in seeds.iter().filter(|s| s.0 == *t) {
            assert_eq!(&std::fs::read(d.join(n)).expect("seed"), b, "{t}/{n}");
        }
    }
}

// ------------------------------------------------- replay into the RIB --

/// GoBGP's UPDATEs of session A, replayed in capture order (manifest.txt)
/// into vtepd's RIB, leave exactly what GoBGP's own RIB held at the end of
/// the capture: type-2 MAC-only 02:00:00:00:02:02, type-2 02:00:00:00:01:01
/// (with MAC mobility), type-2 02:00:00:00:02:03 (two labels), the type-1,
/// type-3 and type-4 routes, the two type-5 routes, IPv4 10.71.0.0/24 and
/// VPNv4 10.9.1.0/24; the MAC/IP type-2 02:00:00:00:02:01, VPNv4
/// 10.9.0.0/24, IPv4 10.70.0.0/24 and IPv6 routes were withdrawn.
#[test]
fn gobgp_updates_replayed_into_the_rib() {
    use std::sync::Arc;
    use vtepd_bgp_evpn::rib::codec::{apply_update_ctx, PathAttrs};
    use vtepd_bgp_evpn::rib::{PeerConfig, PeerId, PeerSession, Rib, RibConfig, RouteKey};

    let ctx = ctx_gobgp_frr();
    let mut rib: Rib<PathAttrs> = Rib::new(RibConfig::new(Asn(65000), RouterId(ipv4("10.0.0.1"))));
    let gobgp = PeerId(1);
    rib.add_peer(PeerConfig {
        id: gobgp,
        address: IpAddr::V4(ipv4("10.0.0.2")),
        remote_as: Asn(65000),
        rr_client: false,
        max_prefix: None,
        next_hop_self: None,
    });
    rib.peer_up(
        gobgp,
        PeerSession {
            router_id: RouterId(ipv4("10.0.0.2")),
            families: vec![
                AddressFamily::L2VPN_EVPN,
                AddressFamily::IPV4_UNICAST,
                AddressFamily::IPV6_UNICAST,
                AddressFamily::VPNV4,
            ],
        },
    );
    let manifest = std::fs::read_to_string(dir().join("manifest.txt")).expect("manifest");
    let mut applied = 0;
    for line in manifest.lines().filter(|l| l.starts_with("gobgp_")) {
        let name = line.split('\t').next().expect("file column");
        let Message::Update(u) = message(name) else {
            continue;
        };
        let a = apply_update_ctx(&mut rib, gobgp, &u, &[], &ctx);
        assert!(a.rejected.is_empty(), "{name}: {:?}", a.rejected);
        assert_eq!(a.inserted + a.withdrawn, 1, "{name}: one route each");
        applied += 1;
    }
    assert_eq!(applied, 18);
    let best: Vec<(RouteKey, Arc<PathAttrs>)> = rib
        .iter_best()
        .map(|(k, p)| (k.clone(), p.attrs.clone()))
        .collect();
    assert_eq!(best.len(), 10, "{best:#?}");
    let count = |f: AddressFamily| best.iter().filter(|(k, _)| k.family() == f).count();
    assert_eq!(count(AddressFamily::L2VPN_EVPN), 8);
    assert_eq!(count(AddressFamily::IPV4_UNICAST), 1, "10.71.0.0/24");
    assert_eq!(count(AddressFamily::VPNV4), 1, "10.9.1.0/24");
    assert_eq!(count(AddressFamily::IPV6_UNICAST), 0);
    let mut macs: Vec<String> = best
        .iter()
        .filter_map(|(k, _)| match k {
            RouteKey::Evpn(_) if k.is_mac_ip() => Some(format!("{k:?}")),
            _ => None,
        })
        .collect();
    macs.sort();
    assert_eq!(macs.len(), 3);
    assert!(
        macs.iter().any(|m| m.contains("02:00:00:00:02:03")),
        "{macs:?}"
    );
    assert!(
        macs.iter().any(|m| m.contains("02:00:00:00:02:02")),
        "{macs:?}"
    );
    assert!(
        macs.iter().any(|m| m.contains("02:00:00:00:01:01")),
        "{macs:?}"
    );
    // The mobility route's attributes carry the sequence number.
    let mobile = best
        .iter()
        .find(|(k, _)| format!("{k:?}").contains("02:00:00:00:01:01"))
        .expect("mobility route");
    assert!(mobile.1.attributes.iter().any(|a| matches!(
        &a.value,
        AttrValue::ExtendedCommunities(v) if v.contains(&ExtendedCommunity::MacMobility { sticky: false, sequence: 0 })
    )));
}
