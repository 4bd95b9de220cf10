//! RIB tests on a small attribute type that implements [`RibAttributes`].

use super::*;
use crate::nlri::evpn::MacIpAdvertisement;
use crate::nlri::{EvpnRoute, Ipv4Prefix};
use crate::types::{EthernetTag, LabelField, MacAddress, RouteDistinguisher, Vni};
use core::net::Ipv4Addr;

/// Test attributes: the fields the RIB reads, nothing else.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
struct T {
    local_pref: Option<u32>,
    as_path: Vec<u32>,
    origin: u8,
    med: Option<u32>,
    originator_id: Option<RouterId>,
    cluster_list: Vec<u32>,
    rts: Vec<RouteTarget>,
    mobility: Option<MacMobility>,
    next_hop: Option<IpAddr>,
    no_advertise: bool,
    no_export: bool,
    /// Bytes this attribute set encodes to (for packing tests).
    len: usize,
}

impl RibAttributes for T {
    fn facts(&self, default_local_pref: u32) -> PathFacts {
        PathFacts {
            local_pref: self.local_pref.unwrap_or(default_local_pref),
            as_path_len: self.as_path.len() as u32,
            neighbor_as: self.as_path.first().map(|a| Asn(*a)),
            origin: self.origin,
            med: self.med.unwrap_or(0),
            originator_id: self.originator_id,
            cluster_list_len: self.cluster_list.len() as u32,
            mac_mobility: self.mobility,
        }
    }
    fn as_path_contains(&self, asn: Asn) -> bool {
        self.as_path.contains(&asn.0)
    }
    fn cluster_list_contains(&self, id: u32) -> bool {
        self.cluster_list.contains(&id)
    }
    fn route_targets(&self) -> Vec<RouteTarget> {
        self.rts.clone()
    }
    fn next_hop(&self) -> Option<IpAddr> {
        self.next_hop
    }
    fn no_advertise(&self) -> bool {
        self.no_advertise
    }
    fn no_export(&self) -> bool {
        self.no_export
    }
    fn export(&self, p: &ExportParams) -> T {
        let mut t = self.clone();
        if p.ebgp {
            t.as_path.insert(0, p.local_as.0);
            t.local_pref = None;
            t.originator_id = None;
            t.cluster_list.clear();
            if p.strip_med {
                t.med = None;
            }
        } else if t.local_pref.is_none() {
            t.local_pref = Some(p.default_local_pref);
        }
        if let Some(r) = p.reflect {
            t.originator_id.get_or_insert(r.originator);
            t.cluster_list.insert(0, r.cluster_id);
        }
        if let Some(nh) = p.next_hop {
            t.next_hop = Some(nh);
        }
        t
    }
    fn with_route_targets(&self, rts: &[RouteTarget]) -> T {
        let mut t = self.clone();
        t.rts.extend_from_slice(rts);
        t
    }
    fn encoded_len(&self, _family: AddressFamily, _ctx: &CodecContext) -> usize {
        self.len
    }
}

const LOCAL_AS: Asn = Asn(65000);

fn rid(n: u8) -> RouterId {
    RouterId(Ipv4Addr::new(10, 0, 0, n))
}

fn cfg() -> RibConfig {
    RibConfig::new(LOCAL_AS, rid(100))
}

fn peer_cfg(n: u8, asn: u32) -> PeerConfig {
    PeerConfig {
        id: PeerId(u32::from(n)),
        address: IpAddr::V4(Ipv4Addr::new(192, 0, 2, n)),
        remote_as: Asn(asn),
        rr_client: false,
        max_prefix: None,
        next_hop_self: None,
    }
}

fn all_families() -> Vec<AddressFamily> {
    vec![
        AddressFamily::IPV4_UNICAST,
        AddressFamily::IPV6_UNICAST,
        AddressFamily::L2VPN_EVPN,
        AddressFamily::VPNV4,
    ]
}

fn up(rib: &mut Rib<T>, cfg: PeerConfig) -> PeerId {
    let id = cfg.id;
    let n = match cfg.address {
        IpAddr::V4(a) => a.octets()[3],
        IpAddr::V6(_) => 0,
    };
    rib.add_peer(cfg);
    rib.peer_up(
        id,
        PeerSession {
            router_id: rid(n),
            families: all_families(),
        },
    );
    // The initial table ends with an End-of-RIB per family (RFC 4724 §2);
    // take it, so that tests see only what follows.
    let initial = rib.poll_updates(id, &CodecContext::four_octet());
    let eor: Vec<AddressFamily> = initial
        .iter()
        .filter(|u| u.is_end_of_rib())
        .map(|u| u.family)
        .collect();
    assert_eq!(eor, all_families());
    assert!(initial.last().is_some_and(OutUpdate::is_end_of_rib));
    id
}

fn pfx(a: u8, b: u8, c: u8, len: u8) -> Route {
    Route::Ipv4(Ipv4Prefix::new(Ipv4Addr::new(10, a, b, c), len).unwrap())
}

fn mac_route(mac_last: u8, rd: u16) -> Route {
    Route::Evpn(EvpnRoute::MacIp(MacIpAdvertisement {
        rd: RouteDistinguisher::As2 { asn: rd, number: 1 },
        esi: crate::types::Esi::ZERO,
        ethernet_tag: EthernetTag(0),
        mac: MacAddress([0, 0, 0x5e, 0, 1, mac_last]),
        ip: None,
        label1: LabelField::from_vni(Vni::new(100).unwrap()),
        label2: None,
    }))
}

fn events(rib: &mut Rib<T>) -> Vec<RibEvent<T>> {
    std::iter::from_fn(|| rib.poll_event()).collect()
}

fn ebgp_attrs(path: &[u32]) -> Arc<T> {
    Arc::new(T {
        as_path: path.to_vec(),
        ..T::default()
    })
}

#[test]
fn every_loss_reason_is_reported() {
    // Each case: (winner attrs/peer, loser attrs/peer) on one prefix; the
    // loser's recorded reason must be the expected step.
    let mut rib: Rib<T> = Rib::new(cfg());
    let i1 = up(&mut rib, peer_cfg(1, 65000));
    let i2 = up(&mut rib, peer_cfg(2, 65000));
    let e3 = up(&mut rib, peer_cfg(3, 65003));
    let r = pfx(1, 0, 0, 24);
    let key = r.key();

    let t = |f: &dyn Fn(&mut T)| {
        let mut t = T {
            as_path: vec![65010],
            ..T::default()
        };
        f(&mut t);
        Arc::new(t)
    };
    type Case = (PeerId, Arc<T>, PeerId, Arc<T>, LossReason);
    let cases: Vec<Case> = vec![
        (
            i1,
            t(&|a| a.local_pref = Some(200)),
            i2,
            t(&|_| {}),
            LossReason::LocalPref,
        ),
        (
            i1,
            t(&|_| {}),
            i2,
            t(&|a| a.as_path.push(1)),
            LossReason::AsPathLength,
        ),
        (i1, t(&|_| {}), i2, t(&|a| a.origin = 1), LossReason::Origin),
        (
            i1,
            t(&|a| a.med = Some(1)),
            i2,
            t(&|a| a.med = Some(9)),
            LossReason::Med,
        ),
        (e3, t(&|_| {}), i1, t(&|_| {}), LossReason::InternalPeer),
        (i1, t(&|_| {}), i2, t(&|_| {}), LossReason::RouterId),
        (
            i2,
            t(&|a| a.originator_id = Some(rid(7))),
            i1,
            t(&|a| a.originator_id = Some(rid(8))),
            LossReason::RouterId,
        ),
        (
            i1,
            t(&|a| {
                a.originator_id = Some(rid(7));
                a.cluster_list = vec![1];
            }),
            i2,
            t(&|a| {
                a.originator_id = Some(rid(7));
                a.cluster_list = vec![1, 2];
            }),
            LossReason::ClusterListLength,
        ),
    ];
    for (wp, wa, lp, la, reason) in cases {
        rib.insert(lp, None, r.clone(), la).unwrap();
        rib.insert(wp, None, r.clone(), wa).unwrap();
        let best = rib.best(&key).unwrap();
        assert_eq!(best.source, PathSource::Peer(wp), "{reason:?}");
        let loser = rib
            .paths(&key)
            .iter()
            .find(|p| p.source == PathSource::Peer(lp))
            .unwrap();
        assert_eq!(loser.lost, Some(reason));
        assert!(rib.withdraw(wp, None, &r));
        assert!(rib.withdraw(lp, None, &r));
        assert!(rib.best(&key).is_none());
        assert!(rib.is_empty());
    }
    // Local beats everything learnt.
    rib.insert(e3, None, r.clone(), t(&|a| a.local_pref = Some(900)))
        .unwrap();
    rib.originate(r.clone(), Arc::new(T::default()));
    assert_eq!(rib.best(&key).unwrap().source, PathSource::Local);
    let other = rib
        .paths(&key)
        .iter()
        .find(|p| p.source != PathSource::Local);
    assert_eq!(other.unwrap().lost, Some(LossReason::NotLocal));
}

#[test]
fn igp_cost_hook_and_peer_address() {
    let mut rib: Rib<T> = Rib::new(cfg());
    rib.set_igp_cost(Box::new(|nh| match nh {
        IpAddr::V4(a) => u32::from(a.octets()[3]),
        IpAddr::V6(_) => 1000,
    }));
    let p1 = up(&mut rib, peer_cfg(1, 65000));
    let p2 = up(&mut rib, peer_cfg(2, 65000));
    let r = pfx(2, 0, 0, 16);
    let nh = |n: u8| {
        Arc::new(T {
            next_hop: Some(IpAddr::V4(Ipv4Addr::new(172, 16, 0, n))),
            ..T::default()
        })
    };
    rib.insert(p1, None, r.clone(), nh(9)).unwrap();
    rib.insert(p2, None, r.clone(), nh(3)).unwrap();
    assert_eq!(rib.best(&r.key()).unwrap().source, PathSource::Peer(p2));
    let l = rib
        .paths(&r.key())
        .iter()
        .find(|p| p.source == PathSource::Peer(p1));
    assert_eq!(l.unwrap().lost, Some(LossReason::IgpCost));

    // Same router ID from two sessions (two links to one router): the
    // lower peer address wins.
    let mut rib: Rib<T> = Rib::new(cfg());
    let a = PeerConfig {
        address: IpAddr::V4(Ipv4Addr::new(192, 0, 2, 50)),
        ..peer_cfg(1, 65000)
    };
    let b = PeerConfig {
        address: IpAddr::V4(Ipv4Addr::new(192, 0, 2, 40)),
        ..peer_cfg(2, 65000)
    };
    for c in [a, b] {
        let id = c.id;
        rib.add_peer(c);
        rib.peer_up(
            id,
            PeerSession {
                router_id: rid(5),
                families: all_families(),
            },
        );
    }
    rib.insert(PeerId(1), None, r.clone(), Arc::new(T::default()))
        .unwrap();
    rib.insert(PeerId(2), None, r.clone(), Arc::new(T::default()))
        .unwrap();
    assert_eq!(
        rib.best(&r.key()).unwrap().source,
        PathSource::Peer(PeerId(2))
    );
    assert_eq!(rib.paths(&r.key())[0].lost, Some(LossReason::PeerAddress));
}

#[test]
fn mac_mobility_moves_the_best_path() {
    let mut rib: Rib<T> = Rib::new(cfg());
    let p1 = up(&mut rib, peer_cfg(1, 65000));
    let p2 = up(&mut rib, peer_cfg(2, 65000));
    let r = mac_route(1, 1);
    let key = r.key();
    let mob = |seq: u32, sticky: bool| {
        Arc::new(T {
            mobility: Some(MacMobility {
                sequence: seq,
                sticky,
            }),
            ..T::default()
        })
    };
    // The MAC was at p1 (no community = seq 0), moves behind p2 (seq 1):
    // p2 wins although p1 has the lower router ID.
    rib.insert(p1, None, r.clone(), Arc::new(T::default()))
        .unwrap();
    rib.insert(p2, None, r.clone(), mob(1, false)).unwrap();
    assert_eq!(rib.best(&key).unwrap().source, PathSource::Peer(p2));
    // It moves back with seq 2.
    rib.insert(p1, None, r.clone(), mob(2, false)).unwrap();
    assert_eq!(rib.best(&key).unwrap().source, PathSource::Peer(p1));
    assert_eq!(
        rib.paths(&key)
            .iter()
            .find(|p| p.source == PathSource::Peer(p2))
            .unwrap()
            .lost,
        Some(LossReason::MacMobilitySequence)
    );
    // A sticky MAC wins over any sequence.
    rib.insert(p2, None, r.clone(), mob(0, true)).unwrap();
    assert_eq!(rib.best(&key).unwrap().source, PathSource::Peer(p2));
    assert_eq!(
        rib.paths(&key)
            .iter()
            .find(|p| p.source == PathSource::Peer(p1))
            .unwrap()
            .lost,
        Some(LossReason::MacMobilitySticky)
    );
    // Equal sequence: normal tie-break (router ID).
    rib.insert(p2, None, r.clone(), mob(2, false)).unwrap();
    assert_eq!(rib.best(&key).unwrap().source, PathSource::Peer(p1));
    assert_eq!(
        rib.paths(&key)
            .iter()
            .find(|p| p.source == PathSource::Peer(p2))
            .unwrap()
            .lost,
        Some(LossReason::RouterId)
    );
}

#[test]
fn loops_are_refused_and_replace_the_old_path() {
    let mut rib: Rib<T> = Rib::new(cfg());
    let e = up(&mut rib, peer_cfg(1, 65001));
    let i = up(&mut rib, peer_cfg(2, 65000));
    let r = pfx(3, 0, 0, 24);
    rib.insert(e, None, r.clone(), ebgp_attrs(&[65001]))
        .unwrap();
    assert_eq!(rib.len(), 1);
    // The same route again, now with our AS in the path: a loop, and the
    // earlier path from that peer is gone.
    assert_eq!(
        rib.insert(e, None, r.clone(), ebgp_attrs(&[65001, 65000])),
        Err(Rejected::AsPathLoop)
    );
    assert!(rib.is_empty());
    // RFC 4456 §8: ORIGINATOR_ID = our router ID, or our cluster ID in
    // CLUSTER_LIST.
    let orig = Arc::new(T {
        originator_id: Some(rid(100)),
        ..T::default()
    });
    assert_eq!(
        rib.insert(i, None, r.clone(), orig),
        Err(Rejected::OriginatorLoop)
    );
    let cl = Arc::new(T {
        cluster_list: vec![7, u32::from(Ipv4Addr::new(10, 0, 0, 100))],
        ..T::default()
    });
    assert_eq!(
        rib.insert(i, None, r.clone(), cl),
        Err(Rejected::ClusterLoop)
    );
    let mut c = cfg();
    c.cluster_id = Some(7);
    let mut rib2: Rib<T> = Rib::new(c);
    let i2 = up(&mut rib2, peer_cfg(2, 65000));
    let cl = Arc::new(T {
        cluster_list: vec![7],
        ..T::default()
    });
    assert_eq!(
        rib2.insert(i2, None, r.clone(), cl),
        Err(Rejected::ClusterLoop)
    );
    assert!(rib.is_empty() && rib2.is_empty());
    // A peer that is down cannot insert.
    rib.peer_down(e);
    assert_eq!(
        rib.insert(e, None, r, ebgp_attrs(&[65001])),
        Err(Rejected::PeerNotUp)
    );
}

#[test]
fn treat_as_withdraw_removes_exactly_the_nlri_of_the_bad_update() {
    let mut rib: Rib<T> = Rib::new(cfg());
    let p = up(&mut rib, peer_cfg(1, 65001));
    let q = up(&mut rib, peer_cfg(2, 65002));
    let good: Vec<Route> = (0..5).map(|i| pfx(4, i, 0, 24)).collect();
    for r in &good {
        rib.insert(p, None, r.clone(), ebgp_attrs(&[65001]))
            .unwrap();
        rib.insert(q, None, r.clone(), ebgp_attrs(&[65002, 1]))
            .unwrap();
    }
    // A malformed UPDATE from p names routes 1 and 3 (and one p never sent).
    let bad = [good[1].clone(), good[3].clone(), pfx(9, 9, 9, 32)];
    let removed: Vec<bool> = bad.iter().map(|r| rib.withdraw(p, None, r)).collect();
    assert_eq!(removed, [true, true, false]);
    for (i, r) in good.iter().enumerate() {
        let best = rib.best(&r.key()).unwrap();
        let expect = if i == 1 || i == 3 { q } else { p };
        assert_eq!(best.source, PathSource::Peer(expect), "route {i}");
    }
    assert_eq!(rib.peer_prefix_count(p), 3);
    assert_eq!(rib.peer_prefix_count(q), 5);
}

#[test]
fn max_prefix_ceases_or_warns() {
    let mut rib: Rib<T> = Rib::new(cfg());
    let mut c = peer_cfg(1, 65001);
    c.max_prefix = Some(MaxPrefix {
        limit: 3,
        warning_only: false,
    });
    let p = up(&mut rib, c);
    for i in 0..3 {
        rib.insert(p, None, pfx(5, i, 0, 24), ebgp_attrs(&[65001]))
            .unwrap();
    }
    // Re-advertising a known route does not count.
    rib.insert(p, None, pfx(5, 0, 0, 24), ebgp_attrs(&[65001, 2]))
        .unwrap();
    events(&mut rib);
    assert_eq!(
        rib.insert(p, None, pfx(5, 9, 0, 24), ebgp_attrs(&[65001])),
        Err(Rejected::MaxPrefix)
    );
    let ev = events(&mut rib);
    assert!(matches!(
        ev.as_slice(),
        [RibEvent::MaxPrefixExceeded {
            peer,
            limit: 3,
            warning_only: false
        }] if *peer == p
    ));
    assert_eq!(rib.peer_prefix_count(p), 3);
    // The daemon sends Cease 6/1 and takes the peer down: all its routes go.
    rib.peer_down(p);
    assert!(rib.is_empty());
    let ev = events(&mut rib);
    assert_eq!(
        ev.iter()
            .filter(|e| matches!(e, RibEvent::Withdrawn { .. }))
            .count(),
        3
    );

    let mut c = peer_cfg(2, 65002);
    c.max_prefix = Some(MaxPrefix {
        limit: 2,
        warning_only: true,
    });
    let w = up(&mut rib, c);
    for i in 0..5 {
        rib.insert(w, None, pfx(6, i, 0, 24), ebgp_attrs(&[65002]))
            .unwrap();
    }
    assert_eq!(rib.peer_prefix_count(w), 5);
    let warnings = events(&mut rib)
        .into_iter()
        .filter(|e| {
            matches!(
                e,
                RibEvent::MaxPrefixExceeded {
                    warning_only: true,
                    ..
                }
            )
        })
        .count();
    assert_eq!(warnings, 1);
}

fn rt(v: u32) -> RouteTarget {
    RouteTarget::As2 {
        asn: 65000,
        value: v,
    }
}

/// FRR's auto-derived RTs: a `*:VNI` wildcard imports the VNI's routes
/// from any AS (eBGP EVPN with nothing configured); exact tables do not.
#[test]
fn wildcard_import_matches_any_as() {
    let mut c = cfg();
    c.tables = vec![
        ImportTable {
            id: TableId(100),
            import: vec![rt(100)],
            export: vec![rt(100)],
            import_any_as: vec![100],
        },
        ImportTable {
            id: TableId(300),
            import: vec![rt(300)],
            export: vec![rt(300)],
            import_any_as: Vec::new(),
        },
    ];
    let mut rib: Rib<T> = Rib::new(c);
    let p = up(&mut rib, peer_cfg(1, 65000));
    let with = |rts: Vec<RouteTarget>| {
        Arc::new(T {
            rts,
            ..T::default()
        })
    };
    let other_as = |asn: u16, value: u32| RouteTarget::As2 { asn, value };
    // 65001:100 lands in table 100 through the wildcard.
    rib.insert(p, None, mac_route(7, 1), with(vec![other_as(65001, 100)]))
        .unwrap();
    // A 4-octet-AS RT with local administrator 100 too.
    rib.insert(
        p,
        None,
        mac_route(8, 1),
        with(vec![RouteTarget::As4 {
            asn: 4_200_000_001,
            value: 100,
        }]),
    )
    .unwrap();
    // 65001:300 does not reach the exact-only table 300, nor table 100.
    rib.insert(p, None, mac_route(9, 1), with(vec![other_as(65001, 300)]))
        .unwrap();
    let installed: Vec<TableId> = events(&mut rib)
        .into_iter()
        .filter_map(|e| match e {
            RibEvent::Installed { table, .. } => Some(table),
            _ => None,
        })
        .collect();
    assert_eq!(installed, [TableId(100), TableId(100)]);
}

#[test]
fn route_target_import_per_table() {
    let mut c = cfg();
    c.tables = vec![
        ImportTable {
            id: TableId(100),
            import: vec![rt(100)],
            export: vec![rt(100)],
            import_any_as: Vec::new(),
        },
        ImportTable {
            id: TableId(200),
            import: vec![rt(200), rt(999)],
            export: vec![rt(200)],
            import_any_as: Vec::new(),
        },
    ];
    let mut rib: Rib<T> = Rib::new(c);
    let p = up(&mut rib, peer_cfg(1, 65000));
    let r = mac_route(7, 1);
    // Tables hold EVPN MAC routes without their RD.
    let key = r.key().split_rd().unwrap().0;
    let with = |rts: Vec<RouteTarget>| {
        Arc::new(T {
            rts,
            ..T::default()
        })
    };
    rib.insert(p, None, r.clone(), with(vec![rt(100), rt(999)]))
        .unwrap();
    let mut installed: Vec<TableId> = events(&mut rib)
        .into_iter()
        .filter_map(|e| match e {
            RibEvent::Installed { table, key: k, .. } if k == key => Some(table),
            _ => None,
        })
        .collect();
    installed.sort();
    assert_eq!(installed, [TableId(100), TableId(200)]);
    // The route changes its RTs: out of 100, still in 200.
    rib.insert(p, None, r.clone(), with(vec![rt(200)])).unwrap();
    let ev = events(&mut rib);
    assert!(ev.iter().any(|e| matches!(
        e,
        RibEvent::Withdrawn {
            table: TableId(100),
            ..
        }
    )));
    assert!(ev.iter().any(|e| matches!(
        e,
        RibEvent::Installed {
            table: TableId(200),
            ..
        }
    )));
    // No matching RT: installed nowhere; withdraw from 200.
    rib.insert(p, None, r.clone(), with(vec![rt(5)])).unwrap();
    let ev = events(&mut rib);
    assert_eq!(ev.len(), 1);
    assert!(matches!(
        ev[0],
        RibEvent::Withdrawn {
            table: TableId(200),
            ..
        }
    ));
    // Unicast routes go to the global table regardless of RTs.
    rib.insert(p, None, pfx(7, 0, 0, 24), with(vec![])).unwrap();
    assert!(matches!(
        events(&mut rib).as_slice(),
        [RibEvent::Installed {
            table: TableId::GLOBAL,
            ..
        }]
    ));
    // Originating in a table adds its export RTs.
    rib.originate_in(TableId(100), mac_route(8, 2), &T::default());
    let best = rib.best(&mac_route(8, 2).key()).unwrap();
    assert_eq!(best.attrs.rts, vec![rt(100)]);
}

fn drain(rib: &mut Rib<T>, id: PeerId) -> Vec<OutUpdate<T>> {
    rib.poll_updates(id, &CodecContext::four_octet())
}

#[test]
fn split_horizon_and_reflection() {
    // Without clients: eBGP routes go to iBGP peers, iBGP routes do not go to
    // other iBGP peers, and nothing goes back to its sender.
    let mut rib: Rib<T> = Rib::new(cfg());
    let e = up(&mut rib, peer_cfg(1, 65001));
    let i1 = up(&mut rib, peer_cfg(2, 65000));
    let i2 = up(&mut rib, peer_cfg(3, 65000));
    let r = pfx(8, 0, 0, 24);
    rib.insert(e, None, r.clone(), ebgp_attrs(&[65001]))
        .unwrap();
    assert!(drain(&mut rib, e).is_empty());
    for i in [i1, i2] {
        let u = drain(&mut rib, i);
        assert_eq!(u.len(), 1);
        let a = u[0].attrs.as_ref().unwrap();
        // LOCAL_PREF set towards internal peers, AS_PATH unchanged.
        assert_eq!(a.local_pref, Some(100));
        assert_eq!(a.as_path, vec![65001]);
        assert_eq!(u[0].announce, vec![r.clone()]);
    }
    let r2 = pfx(8, 1, 0, 24);
    rib.insert(i1, None, r2.clone(), Arc::new(T::default()))
        .unwrap();
    assert!(drain(&mut rib, i2).is_empty(), "iBGP split horizon");
    let u = drain(&mut rib, e);
    assert_eq!(u.len(), 1);
    assert_eq!(u[0].attrs.as_ref().unwrap().as_path, vec![65000]);
    assert_eq!(u[0].attrs.as_ref().unwrap().local_pref, None);

    // As a route reflector: client routes go to clients and non-clients,
    // non-client routes to clients only, with ORIGINATOR_ID and CLUSTER_LIST.
    let mut rib: Rib<T> = Rib::new(cfg());
    let c1 = up(
        &mut rib,
        PeerConfig {
            rr_client: true,
            ..peer_cfg(1, 65000)
        },
    );
    let c2 = up(
        &mut rib,
        PeerConfig {
            rr_client: true,
            ..peer_cfg(2, 65000)
        },
    );
    let n1 = up(&mut rib, peer_cfg(3, 65000));
    let n2 = up(&mut rib, peer_cfg(4, 65000));
    let from_client = pfx(9, 1, 0, 24);
    rib.insert(c1, None, from_client.clone(), Arc::new(T::default()))
        .unwrap();
    assert!(drain(&mut rib, c1).is_empty());
    for to in [c2, n1, n2] {
        let u = drain(&mut rib, to);
        assert_eq!(u.len(), 1, "to {to:?}");
        let a = u[0].attrs.as_ref().unwrap();
        assert_eq!(a.originator_id, Some(rid(1)));
        assert_eq!(
            a.cluster_list,
            vec![u32::from(Ipv4Addr::new(10, 0, 0, 100))]
        );
    }
    let from_nonclient = pfx(9, 2, 0, 24);
    rib.insert(n1, None, from_nonclient.clone(), Arc::new(T::default()))
        .unwrap();
    assert_eq!(drain(&mut rib, c1).len(), 1);
    assert_eq!(drain(&mut rib, c2).len(), 1);
    assert!(drain(&mut rib, n2).is_empty(), "non-client to non-client");
    assert!(drain(&mut rib, n1).is_empty());
    // An existing ORIGINATOR_ID is kept; the cluster ID is prepended.
    let r3 = pfx(9, 3, 0, 24);
    let reflected = Arc::new(T {
        originator_id: Some(rid(44)),
        cluster_list: vec![5],
        ..T::default()
    });
    rib.insert(c1, None, r3, reflected).unwrap();
    let u = drain(&mut rib, n1);
    let a = u[0].attrs.as_ref().unwrap();
    assert_eq!(a.originator_id, Some(rid(44)));
    assert_eq!(
        a.cluster_list,
        vec![u32::from(Ipv4Addr::new(10, 0, 0, 100)), 5]
    );
    assert_eq!(drain(&mut rib, c2).len(), 1);
    assert_eq!(drain(&mut rib, n2).len(), 1);

    // Withdrawal follows the same rules.
    rib.withdraw(c1, None, &from_client);
    for to in [c2, n1, n2] {
        let u = drain(&mut rib, to);
        assert_eq!(u.len(), 1);
        assert_eq!(u[0].withdraw, vec![from_client.clone()]);
        assert!(u[0].attrs.is_none());
    }
    assert!(drain(&mut rib, c1).is_empty());
}

#[test]
fn no_advertise_and_no_export() {
    let mut rib: Rib<T> = Rib::new(cfg());
    let src = up(&mut rib, peer_cfg(1, 65001));
    let i = up(&mut rib, peer_cfg(2, 65000));
    let e = up(&mut rib, peer_cfg(3, 65003));
    let na = Arc::new(T {
        as_path: vec![65001],
        no_advertise: true,
        ..T::default()
    });
    let ne = Arc::new(T {
        as_path: vec![65001],
        no_export: true,
        ..T::default()
    });
    rib.insert(src, None, pfx(10, 0, 0, 24), na).unwrap();
    rib.insert(src, None, pfx(10, 1, 0, 24), ne).unwrap();
    let to_i = drain(&mut rib, i);
    assert_eq!(to_i.len(), 1);
    assert_eq!(to_i[0].announce, vec![pfx(10, 1, 0, 24)]);
    assert!(drain(&mut rib, e).is_empty());
}

#[test]
fn update_packing_fills_messages() {
    let mut rib: Rib<T> = Rib::new(cfg());
    let src = up(&mut rib, peer_cfg(1, 65001));
    let dst = up(&mut rib, peer_cfg(2, 65000));
    // 1000 /24s (4 bytes each) with one attribute set of 60 bytes: each
    // UPDATE holds floor((4096 - 23 - 60) / 4) = 1003 ... use 2000 routes.
    let attrs = Arc::new(T {
        as_path: vec![65001],
        len: 60,
        ..T::default()
    });
    let n = 2000usize;
    for i in 0..n {
        let r = pfx((i / 256) as u8, (i % 256) as u8, 0, 24);
        rib.insert(src, None, r, attrs.clone()).unwrap();
    }
    // A second attribute set: 10 routes.
    let other = Arc::new(T {
        as_path: vec![65001, 7],
        len: 70,
        ..T::default()
    });
    for i in 0..10u8 {
        rib.insert(src, None, pfx(200, i, 0, 24), other.clone())
            .unwrap();
    }
    let ups = drain(&mut rib, dst);
    let fit = (4096 - UPDATE_FIXED_LEN - 60) / 4;
    let main: Vec<_> = ups
        .iter()
        .filter(|u| u.attrs.as_ref().unwrap().len == 60)
        .collect();
    assert_eq!(main.len(), n.div_ceil(fit));
    assert_eq!(main.iter().map(|u| u.announce.len()).sum::<usize>(), n);
    for u in &ups {
        let a = u.attrs.as_ref().unwrap();
        let size = UPDATE_FIXED_LEN + a.len + u.announce.iter().map(Route::nlri_len).sum::<usize>();
        assert!(size <= 4096, "{size}");
        // Every route of an UPDATE shares its attribute set.
        assert_eq!(u.family, AddressFamily::IPV4_UNICAST);
    }
    let small: Vec<_> = ups
        .iter()
        .filter(|u| u.attrs.as_ref().unwrap().len == 70)
        .collect();
    assert_eq!(small.len(), 1);
    assert_eq!(small[0].announce.len(), 10);
    // With ADD-PATH each NLRI costs 4 more bytes.
    rib.refresh(dst);
    let ctx = CodecContext {
        add_path: vec![(
            AddressFamily::IPV4_UNICAST,
            crate::wire::AddPathDirection::Send,
        )],
        ..CodecContext::four_octet()
    };
    let ups = rib.poll_updates(dst, &ctx);
    let fit = (4096 - UPDATE_FIXED_LEN - 60) / 8;
    assert_eq!(
        ups.iter()
            .filter(|u| u.attrs.as_ref().unwrap().len == 60)
            .count(),
        n.div_ceil(fit)
    );
    // Withdrawals are packed too (IPv4: no MP_UNREACH overhead).
    for i in 0..n {
        rib.withdraw(src, None, &pfx((i / 256) as u8, (i % 256) as u8, 0, 24));
    }
    let ups = drain(&mut rib, dst);
    let fit = (4096 - UPDATE_FIXED_LEN) / 4;
    assert_eq!(ups.len(), n.div_ceil(fit));
    assert_eq!(ups.iter().map(|u| u.withdraw.len()).sum::<usize>(), n);
}

#[test]
fn changes_coalesce_and_refresh_resends() {
    let mut rib: Rib<T> = Rib::new(cfg());
    let src = up(&mut rib, peer_cfg(1, 65001));
    let dst = up(&mut rib, peer_cfg(2, 65000));
    let r = pfx(11, 0, 0, 24);
    // Announce then withdraw before the peer is polled: one withdrawal.
    rib.insert(src, None, r.clone(), ebgp_attrs(&[65001]))
        .unwrap();
    rib.insert(src, None, r.clone(), ebgp_attrs(&[65001, 3]))
        .unwrap();
    assert_eq!(rib.pending_len(dst), 1);
    let u = drain(&mut rib, dst);
    assert_eq!(u[0].attrs.as_ref().unwrap().as_path, vec![65001, 3]);
    rib.insert(src, None, r.clone(), ebgp_attrs(&[65001, 4]))
        .unwrap();
    rib.withdraw(src, None, &r);
    let u = drain(&mut rib, dst);
    assert_eq!(u.len(), 1);
    assert_eq!(u[0].withdraw, vec![r.clone()]);
    // Route refresh: the whole Adj-RIB-Out again.
    for i in 0..5 {
        rib.insert(src, None, pfx(11, i, 1, 32), ebgp_attrs(&[65001]))
            .unwrap();
    }
    assert_eq!(drain(&mut rib, dst)[0].announce.len(), 5);
    assert!(drain(&mut rib, dst).is_empty());
    rib.refresh(dst);
    assert_eq!(drain(&mut rib, dst)[0].announce.len(), 5);
    // A new session gets the table too.
    rib.peer_down(dst);
    rib.peer_up(
        dst,
        PeerSession {
            router_id: rid(2),
            families: vec![AddressFamily::L2VPN_EVPN],
        },
    );
    // Nothing of a family not negotiated: only the EVPN End-of-RIB.
    let u = drain(&mut rib, dst);
    assert_eq!(u.len(), 1, "family not negotiated");
    assert!(u[0].is_end_of_rib());
    assert_eq!(u[0].family, AddressFamily::L2VPN_EVPN);
}

#[test]
fn peer_down_removes_only_its_paths() {
    let mut rib: Rib<T> = Rib::new(cfg());
    let a = up(&mut rib, peer_cfg(1, 65001));
    let b = up(&mut rib, peer_cfg(2, 65002));
    let dst = up(&mut rib, peer_cfg(3, 65000));
    for i in 0..10 {
        rib.insert(a, None, pfx(12, i, 0, 24), ebgp_attrs(&[65001]))
            .unwrap();
    }
    for i in 5..15 {
        rib.insert(b, None, pfx(12, i, 0, 24), ebgp_attrs(&[65002, 1]))
            .unwrap();
    }
    drain(&mut rib, dst);
    events(&mut rib);
    rib.peer_down(a);
    assert_eq!(rib.len(), 10);
    for i in 0..15 {
        let best = rib.best(&pfx(12, i, 0, 24).key());
        if i < 5 {
            assert!(best.is_none());
        } else {
            assert_eq!(best.unwrap().source, PathSource::Peer(b));
        }
    }
    let ups = drain(&mut rib, dst);
    let withdrawn: usize = ups.iter().map(|u| u.withdraw.len()).sum();
    let announced: usize = ups.iter().map(|u| u.announce.len()).sum();
    assert_eq!((withdrawn, announced), (5, 5));
    let ev = events(&mut rib);
    assert_eq!(
        ev.iter()
            .filter(|e| matches!(e, RibEvent::Withdrawn { .. }))
            .count(),
        5
    );
    assert_eq!(
        ev.iter()
            .filter(|e| matches!(e, RibEvent::Installed { .. }))
            .count(),
        5
    );
}

#[test]
fn add_path_ids_are_separate_paths() {
    let mut rib: Rib<T> = Rib::new(cfg());
    let p = up(&mut rib, peer_cfg(1, 65000));
    let r = pfx(13, 0, 0, 24);
    rib.insert(p, Some(2), r.clone(), Arc::new(T::default()))
        .unwrap();
    rib.insert(p, Some(1), r.clone(), Arc::new(T::default()))
        .unwrap();
    assert_eq!(rib.paths(&r.key()).len(), 2);
    assert_eq!(rib.best(&r.key()).unwrap().path_id, Some(1));
    assert_eq!(rib.peer_prefix_count(p), 2);
    assert!(rib.withdraw(p, Some(1), &r));
    assert_eq!(rib.best(&r.key()).unwrap().path_id, Some(2));
}

#[test]
fn mac_moves_between_pes_in_a_table() {
    // Two PEs advertise the same MAC, each with its own RD (as FRR does):
    // two routes in the RIB, one entry in the MAC-VRF, chosen by MAC
    // mobility across RDs (RFC 7432 §15).
    let mut c = cfg();
    c.tables = vec![ImportTable {
        id: TableId(100),
        import: vec![rt(100)],
        export: vec![rt(100)],
        import_any_as: Vec::new(),
    }];
    let mut rib: Rib<T> = Rib::new(c);
    let pe1 = up(&mut rib, peer_cfg(1, 65000));
    let pe2 = up(&mut rib, peer_cfg(2, 65000));
    let at_pe1 = mac_route(9, 1);
    let at_pe2 = mac_route(9, 2);
    assert_ne!(at_pe1.key(), at_pe2.key());
    let ikey = at_pe1.key().split_rd().unwrap().0;
    assert_eq!(ikey, at_pe2.key().split_rd().unwrap().0);
    let attrs = |seq: u32| {
        Arc::new(T {
            rts: vec![rt(100)],
            mobility: (seq > 0).then_some(MacMobility {
                sequence: seq,
                sticky: false,
            }),
            ..T::default()
        })
    };
    let installed = |ev: &[RibEvent<T>]| -> Vec<Route> {
        ev.iter()
            .filter_map(|e| match e {
                RibEvent::Installed { key, route, .. } if *key == ikey => Some(route.clone()),
                _ => None,
            })
            .collect()
    };
    rib.insert(pe1, None, at_pe1.clone(), attrs(0)).unwrap();
    assert_eq!(installed(&events(&mut rib)), vec![at_pe1.clone()]);
    // The MAC moves to PE2 (sequence 1): PE2's route wins, although PE1
    // has the lower router ID.
    rib.insert(pe2, None, at_pe2.clone(), attrs(1)).unwrap();
    assert_eq!(installed(&events(&mut rib)), vec![at_pe2.clone()]);
    // PE1 withdraws its stale route: nothing changes in the table.
    rib.withdraw(pe1, None, &at_pe1);
    assert!(events(&mut rib).is_empty());
    // It comes back to PE1 with sequence 2.
    rib.insert(pe1, None, at_pe1.clone(), attrs(2)).unwrap();
    assert_eq!(installed(&events(&mut rib)), vec![at_pe1.clone()]);
    // A route with another RT does not compete in table 100.
    rib.insert(
        pe2,
        None,
        at_pe2.clone(),
        Arc::new(T {
            rts: vec![rt(5)],
            mobility: Some(MacMobility {
                sequence: 9,
                sticky: false,
            }),
            ..T::default()
        }),
    )
    .unwrap();
    assert!(installed(&events(&mut rib)).is_empty());
    let st = rib.stats();
    assert_eq!((st.routes, st.paths, st.import_entries), (2, 2, 1));
    // Both gone: the entry is withdrawn once.
    rib.withdraw(pe1, None, &at_pe1);
    rib.withdraw(pe2, None, &at_pe2);
    let ev = events(&mut rib);
    assert_eq!(ev.len(), 1);
    assert!(matches!(&ev[0], RibEvent::Withdrawn { table: TableId(100), key } if *key == ikey));
    assert_eq!(rib.stats(), RibStats::default());
}

#[test]
fn graceful_restart_keeps_stale_paths_until_end_of_rib() {
    let mut rib: Rib<T> = Rib::new(cfg());
    let p = up(&mut rib, peer_cfg(1, 65001));
    let dst = up(&mut rib, peer_cfg(2, 65000));
    for i in 0..4 {
        rib.insert(p, None, pfx(20, i, 0, 24), ebgp_attrs(&[65001]))
            .unwrap();
        rib.insert(p, None, mac_route(i, 3), ebgp_attrs(&[65001]))
            .unwrap();
    }
    drain(&mut rib, dst);
    events(&mut rib);
    // The session drops; the peer preserves forwarding for EVPN only.
    rib.peer_down_graceful(p, &[AddressFamily::L2VPN_EVPN]);
    assert_eq!(rib.len(), 4, "IPv4 routes gone, EVPN kept");
    assert!(rib.best(&mac_route(0, 3).key()).unwrap().stale);
    assert_eq!(rib.peer_prefix_count(p), 4);
    // IPv4 withdrawals went out, EVPN routes stay advertised.
    let ups = drain(&mut rib, dst);
    assert_eq!(ups.iter().map(|u| u.withdraw.len()).sum::<usize>(), 4);
    assert!(ups.iter().all(|u| u.family == AddressFamily::IPV4_UNICAST));
    // Back up: two routes re-advertised (no longer stale), then End-of-RIB.
    rib.peer_up(
        p,
        PeerSession {
            router_id: rid(1),
            families: all_families(),
        },
    );
    for i in 0..2 {
        rib.insert(p, None, mac_route(i, 3), ebgp_attrs(&[65001]))
            .unwrap();
    }
    assert_eq!(rib.peer_prefix_count(p), 4);
    assert!(!rib.best(&mac_route(0, 3).key()).unwrap().stale);
    rib.end_of_rib(p, AddressFamily::L2VPN_EVPN);
    assert_eq!(rib.len(), 2);
    assert_eq!(rib.peer_prefix_count(p), 2);
    assert!(rib.best(&mac_route(3, 3).key()).is_none());
    // Another graceful drop, then the restart time runs out.
    rib.peer_down_graceful(p, &[AddressFamily::L2VPN_EVPN]);
    assert_eq!(rib.len(), 2);
    rib.sweep_stale(p);
    assert!(rib.is_empty());
    assert_eq!(rib.peer_prefix_count(p), 0);
}

#[test]
fn med_to_external_peers_only_when_originated_here() {
    let mut rib: Rib<T> = Rib::new(cfg());
    let i = up(&mut rib, peer_cfg(1, 65000));
    let e = up(&mut rib, peer_cfg(2, 65002));
    let with_med = |path: &[u32]| {
        Arc::new(T {
            as_path: path.to_vec(),
            med: Some(50),
            ..T::default()
        })
    };
    rib.originate(pfx(30, 0, 0, 24), with_med(&[]));
    rib.insert(i, None, pfx(30, 1, 0, 24), with_med(&[]))
        .unwrap();
    let ups = drain(&mut rib, e);
    let med_of = |r: Route| {
        ups.iter()
            .find(|u| u.announce.contains(&r))
            .and_then(|u| u.attrs.as_ref().unwrap().med)
    };
    assert_eq!(med_of(pfx(30, 0, 0, 24)), Some(50), "ours");
    assert_eq!(med_of(pfx(30, 1, 0, 24)), None, "learnt");
    // Internal peers get the MED either way.
    let ups = drain(&mut rib, i);
    assert_eq!(ups[0].attrs.as_ref().unwrap().med, Some(50));
}

#[test]
fn route_refresh_of_one_family_resends_only_that_family() {
    let mut rib: Rib<T> = Rib::new(cfg());
    let src = up(&mut rib, peer_cfg(1, 65001));
    let dst = up(&mut rib, peer_cfg(2, 65000));
    for i in 0..3 {
        rib.insert(src, None, pfx(13, i, 0, 24), ebgp_attrs(&[65001]))
            .unwrap();
        rib.insert(src, None, mac_route(i, 1), ebgp_attrs(&[65001]))
            .unwrap();
    }
    assert_eq!(drain(&mut rib, dst).len(), 2);
    // RFC 2918 §4: the Adj-RIB-Out of the requested AFI/SAFI only; no
    // End-of-RIB (that ends the initial table, not a refresh).
    rib.refresh_family(dst, AddressFamily::L2VPN_EVPN);
    // A change of the other family queued meanwhile is still sent, once.
    rib.insert(src, None, pfx(13, 9, 0, 24), ebgp_attrs(&[65001]))
        .unwrap();
    let u = drain(&mut rib, dst);
    let evpn: Vec<&Route> = u
        .iter()
        .filter(|o| o.family == AddressFamily::L2VPN_EVPN)
        .flat_map(|o| &o.announce)
        .collect();
    assert_eq!(evpn.len(), 3);
    let v4: Vec<&Route> = u
        .iter()
        .filter(|o| o.family == AddressFamily::IPV4_UNICAST)
        .flat_map(|o| &o.announce)
        .collect();
    assert_eq!(v4, vec![&pfx(13, 9, 0, 24)]);
    assert!(!u.iter().any(OutUpdate::is_end_of_rib));
    // A family not negotiated is ignored.
    rib.refresh_family(dst, AddressFamily::VPNV6);
    assert!(drain(&mut rib, dst).is_empty());
}

#[test]
fn graceful_restart_return_consecutive_restarts_and_router_id() {
    let mut rib: Rib<T> = Rib::new(cfg());
    let p = up(&mut rib, peer_cfg(1, 65000));
    let dst = up(&mut rib, {
        let mut c = peer_cfg(2, 65000);
        c.rr_client = true;
        c
    });
    for i in 0..4 {
        rib.insert(p, None, pfx(21, i, 0, 24), Arc::new(T::default()))
            .unwrap();
    }
    drain(&mut rib, dst);
    rib.peer_down_graceful(p, &[AddressFamily::IPV4_UNICAST]);
    // While it is down, its stale paths keep its router ID: reflected with
    // ORIGINATOR_ID of the peer, not 0.0.0.0.
    rib.refresh(dst);
    let ups = drain(&mut rib, dst);
    let a = ups[0].attrs.as_ref().unwrap();
    assert_eq!(a.originator_id, Some(rid(1)));
    // The daemon re-configures the returning peer: its stale paths stay
    // (no withdrawal to anyone) until its End-of-RIB.
    rib.configure_peer(peer_cfg(1, 65000));
    rib.peer_up(
        p,
        PeerSession {
            router_id: rid(1),
            families: all_families(),
        },
    );
    assert_eq!(rib.len(), 4);
    assert!(drain(&mut rib, dst).iter().all(|u| u.withdraw.is_empty()));
    rib.insert(p, None, pfx(21, 0, 0, 24), Arc::new(T::default()))
        .unwrap();
    // It drops again before its End-of-RIB: the three routes still stale
    // from the first restart go now (RFC 4724 §4.2, consecutive restarts);
    // the re-announced one stays, stale.
    rib.peer_down_graceful(p, &[AddressFamily::IPV4_UNICAST]);
    assert_eq!(rib.len(), 1);
    assert!(rib.best(&pfx(21, 0, 0, 24).key()).unwrap().stale);
    // A changed AS is a new peer: its paths go.
    rib.configure_peer(peer_cfg(1, 65009));
    assert!(rib.is_empty());
}
