//! BGP benchmarks: decode and encode of an UPDATE carrying 1 and 500 EVPN
//! type-2 (MAC/IP) routes in MP_REACH_NLRI, and the RIB's best-path work
//! per route: insert, a competing second path, and withdraw.
//!
//! ```sh
//! cargo bench -p vtepd-benches --bench bgp -- --warm-up-time 1 --measurement-time 3
//! ```
//!
//! Criterion's throughput is in elements: NLRI (routes) per second, so
//! time per NLRI is 1 / throughput.
//!
//! The 500-route UPDATE is 19.6 KB, larger than 4096 bytes: it uses a
//! session with RFC 8654 extended messages (what FRR negotiates with FRR).

use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use vtepd_bgp_evpn::attr::{AsPath, AttrValue, MpReach, NextHop, Origin, PathAttribute};
use vtepd_bgp_evpn::extcomm::TunnelType;
use vtepd_bgp_evpn::nlri::evpn::MacIpAdvertisement;
use vtepd_bgp_evpn::nlri::{NlriList, PathNlri};
use vtepd_bgp_evpn::rib::codec::{apply_update, PathAttrs};
use vtepd_bgp_evpn::rib::{
    ImportTable, PeerConfig, PeerId, PeerSession, Rib, RibConfig, Route, TableId,
};
use vtepd_bgp_evpn::wire::CodecContext;
use vtepd_bgp_evpn::{
    AddressFamily, Asn, Esi, EthernetTag, EvpnRoute, ExtendedCommunity, LabelField, MacAddress,
    Message, RouteDistinguisher, RouteTarget, RouterId, Update, Vni,
};

const VNI: u32 = 100;
const RT: RouteTarget = RouteTarget::As2 {
    asn: 65000,
    value: VNI,
};

/// Type-2 route `i`: MAC 02:00:xx:xx:xx:xx and IPv4 10.x.x.x of host `i`
/// behind VTEP `vtep`, FRR-style RD `vtep:2`.
fn mac_ip(vtep: Ipv4Addr, i: u32) -> EvpnRoute {
    let b = i.to_be_bytes();
    EvpnRoute::MacIp(MacIpAdvertisement {
        rd: RouteDistinguisher::Ipv4 {
            addr: vtep,
            number: 2,
        },
        esi: Esi::ZERO,
        ethernet_tag: EthernetTag(0),
        mac: MacAddress([0x02, 0, b[0], b[1], b[2], b[3]]),
        ip: Some(IpAddr::V4(Ipv4Addr::new(10, b[1], b[2], b[3]))),
        label1: LabelField::from_vni(Vni::new(VNI).expect("24-bit VNI")),
        label2: None,
    })
}

/// An UPDATE as a VTEP sends it: ORIGIN, AS_PATH, LOCAL_PREF, RT +
/// VXLAN encapsulation, and `n` type-2 routes in MP_REACH_NLRI.
fn update(vtep: Ipv4Addr, first: u32, n: u32) -> Update {
    let nlri = (first..first + n)
        .map(|i| PathNlri::new(mac_ip(vtep, i)))
        .collect();
    Update {
        withdrawn: Vec::new(),
        attributes: vec![
            PathAttribute::new(AttrValue::MpReach(MpReach {
                next_hop: NextHop::Ipv4(vtep),
                nlri: NlriList::Evpn(nlri),
            })),
            PathAttribute::new(AttrValue::Origin(Origin::Igp)),
            PathAttribute::new(AttrValue::AsPath(AsPath::default())),
            PathAttribute::new(AttrValue::LocalPref(100)),
            PathAttribute::new(AttrValue::ExtendedCommunities(vec![
                ExtendedCommunity::Encapsulation(TunnelType::Vxlan),
                ExtendedCommunity::RouteTarget(RT),
            ])),
        ],
        nlri: Vec::new(),
    }
}

fn ctx() -> CodecContext {
    CodecContext {
        extended_message: true,
        ..CodecContext::four_octet()
    }
}

fn codec(c: &mut Criterion) {
    let ctx = ctx();
    let vtep = Ipv4Addr::new(10, 255, 0, 1);
    let mut g = c.benchmark_group("bgp_update_evpn_type2");
    for n in [1u32, 500] {
        let msg = Message::Update(update(vtep, 0, n));
        let bytes = msg.to_vec(&ctx).expect("encodes");
        assert!(bytes.len() <= ctx.max_message_len());
        // Sanity: what is measured is a correct round trip.
        let d = Message::decode(&bytes, &ctx).expect("decodes");
        assert!(d.attr_errors.is_empty());
        assert_eq!(d.message, msg);
        g.throughput(Throughput::Elements(u64::from(n)));
        g.bench_with_input(BenchmarkId::new("decode", n), &bytes, |b, bytes| {
            b.iter(|| Message::decode(black_box(bytes), &ctx).expect("decodes"))
        });
        let mut buf = Vec::with_capacity(bytes.len());
        g.bench_with_input(BenchmarkId::new("encode", n), &msg, |b, msg| {
            b.iter(|| {
                buf.clear();
                let mut w = vtepd_bgp_evpn::wire::Writer::new(&mut buf);
                black_box(msg).encode(&mut w, &ctx).expect("encodes");
                black_box(buf.len())
            })
        });
    }
    g.finish();
}

/// A RIB with a VNI table importing [`RT`] and peers 1 and 2 up (iBGP,
/// EVPN), each a VTEP.
fn rib() -> Rib<PathAttrs> {
    let mut cfg = RibConfig::new(Asn(65000), RouterId(Ipv4Addr::new(10, 255, 0, 100)));
    cfg.tables.push(ImportTable {
        id: TableId(VNI),
        import: vec![RT],
        export: vec![RT],
        import_any_as: Vec::new(),
    });
    let mut rib = Rib::new(cfg);
    for n in [1u8, 2] {
        rib.add_peer(PeerConfig {
            id: PeerId(u32::from(n)),
            address: IpAddr::V4(Ipv4Addr::new(10, 255, 0, n)),
            remote_as: Asn(65000),
            rr_client: false,
            max_prefix: None,
            next_hop_self: None,
        });
        rib.peer_up(
            PeerId(u32::from(n)),
            PeerSession {
                router_id: RouterId(Ipv4Addr::new(10, 255, 0, n)),
                families: vec![AddressFamily::L2VPN_EVPN],
            },
        );
    }
    while rib.poll_event().is_some() {}
    rib
}

fn attrs(vtep: Ipv4Addr) -> Arc<PathAttrs> {
    Arc::new(PathAttrs::from_update(&update(vtep, 0, 1)))
}

/// Drain the table events the daemon would consume (Installed/Withdrawn in
/// the VNI table). No UPDATEs are queued: both peers are iBGP non-clients,
/// so nothing learnt from one is advertised to the other.
fn drain(rib: &mut Rib<PathAttrs>) -> usize {
    let mut n = 0;
    while rib.poll_event().is_some() {
        n += 1;
    }
    n
}

fn best_path(c: &mut Criterion) {
    const N: u32 = 10_000;
    let v1 = Ipv4Addr::new(10, 255, 0, 1);
    let v2 = Ipv4Addr::new(10, 255, 0, 2);
    // The route key is RD + MAC/IP: both peers send the same routes (VTEP
    // 1's RD, as a route reflector would pass them on), so they compete.
    let routes: Vec<Route> = (0..N).map(|i| Route::Evpn(mac_ip(v1, i))).collect();
    let a1 = attrs(v1);
    let a2 = attrs(v2);

    let mut g = c.benchmark_group("bgp_rib_evpn_type2");
    g.throughput(Throughput::Elements(u64::from(N)));
    g.sample_size(20);

    // A new route: one path, becomes best, installed in the VNI table.
    g.bench_function(BenchmarkId::new("insert", N), |b| {
        b.iter_batched_ref(
            rib,
            |rib| {
                for r in &routes {
                    rib.insert(PeerId(1), None, r.clone(), a1.clone())
                        .expect("accepted");
                }
                drain(rib)
            },
            BatchSize::LargeInput,
        )
    });

    let with_one = || {
        let mut rib = rib();
        for r in &routes {
            rib.insert(PeerId(1), None, r.clone(), a1.clone())
                .expect("accepted");
        }
        drain(&mut rib);
        rib
    };

    // A second path for each route: the decision process runs between the
    // two (peer 1's wins on the lower router ID, RFC 4271 §9.1.2.2 f).
    g.bench_function(BenchmarkId::new("insert_second_path", N), |b| {
        b.iter_batched_ref(
            with_one,
            |rib| {
                for r in &routes {
                    rib.insert(PeerId(2), None, r.clone(), a2.clone())
                        .expect("accepted");
                }
                drain(rib)
            },
            BatchSize::LargeInput,
        )
    });

    // Withdraw the only path: the route leaves the Loc-RIB and the table.
    g.bench_function(BenchmarkId::new("withdraw", N), |b| {
        b.iter_batched_ref(
            with_one,
            |rib| {
                for r in &routes {
                    assert!(rib.withdraw(PeerId(1), None, r));
                }
                drain(rib)
            },
            BatchSize::LargeInput,
        )
    });

    // Withdraw the best of two paths: the other one takes over.
    let with_two = || {
        let mut rib = with_one();
        for r in &routes {
            rib.insert(PeerId(2), None, r.clone(), a2.clone())
                .expect("accepted");
        }
        drain(&mut rib);
        rib
    };
    g.bench_function(BenchmarkId::new("withdraw_best_of_two", N), |b| {
        b.iter_batched_ref(
            with_two,
            |rib| {
                for r in &routes {
                    assert!(rib.withdraw(PeerId(1), None, r));
                }
                drain(rib)
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();

    // The whole receive path of one UPDATE: decode 500 type-2 routes and
    // apply them to the RIB.
    let ctx = ctx();
    let bytes = Message::Update(update(v1, 0, 500))
        .to_vec(&ctx)
        .expect("encodes");
    let mut g = c.benchmark_group("bgp_receive_evpn_type2");
    g.throughput(Throughput::Elements(500));
    g.bench_function(BenchmarkId::new("decode_and_apply", 500), |b| {
        b.iter_batched_ref(
            rib,
            |rib| {
                let d = Message::decode(&bytes, &ctx).expect("decodes");
                let Message::Update(u) = &d.message else {
                    unreachable!("an UPDATE")
                };
                let applied = apply_update(rib, PeerId(1), u, &d.attr_errors);
                assert_eq!(applied.inserted, 500);
                drain(rib)
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

criterion_group!(benches, codec, best_path);
criterion_main!(benches);
