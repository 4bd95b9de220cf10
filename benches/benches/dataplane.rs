//! Dataplane benchmarks (the sans-IO switch, no I/O): VXLAN encapsulation
//! (flow-hash source port + header into headroom) and decapsulation per
//! packet, the full local-port → overlay path (bridge decision with source
//! learning, then encapsulation), the overlay → local-port path, 802.1Q
//! tag pop + push, and MAC table lookups with 1 000 and 100 000 entries.
//!
//! ```sh
//! cargo bench -p vtepd-benches --bench dataplane -- --warm-up-time 1 --measurement-time 3
//! ```

use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use vtepd_benches::wire_frames::eth_ipv4_udp;
use vtepd_dataplane::vxlan;
use vtepd_dataplane::{
    vlan, BridgeConfig, Destination, Forward, MacTable, MacTableConfig, PortId, Switch, Timestamp,
    Vni, VxlanConfig,
};
use vtepd_wire::EthernetAddress;

/// Headroom in front of a frame (as the worker keeps).
const HEAD: usize = 64;
const LOCAL: EthernetAddress = EthernetAddress([2, 0, 0, 0, 1, 1]);
const REMOTE: EthernetAddress = EthernetAddress([2, 0, 0, 0, 1, 2]);

fn vni() -> Vni {
    Vni::new(100).expect("VNI")
}

fn vtep() -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(192, 0, 2, 2))
}

/// An Ethernet/IPv4/UDP frame of `len` bytes from LOCAL to REMOTE.
fn frame(len: usize) -> Vec<u8> {
    let mut f = eth_ipv4_udp(len).expect("frame");
    f[..6].copy_from_slice(&REMOTE.0);
    f[6..12].copy_from_slice(&LOCAL.0);
    f
}

/// The frame after `HEAD` bytes of headroom.
fn with_headroom(f: &[u8]) -> Vec<u8> {
    let mut b = vec![0u8; HEAD + f.len()];
    b[HEAD..].copy_from_slice(f);
    b
}

fn encap(c: &mut Criterion) {
    let mut g = c.benchmark_group("vxlan_encap");
    let vx = VxlanConfig::default();
    for len in [64usize, 1500] {
        let mut buf = with_headroom(&frame(len));
        g.throughput(Throughput::Bytes(len as u64));
        g.bench_function(BenchmarkId::from_parameter(len), |b| {
            b.iter(|| {
                let sport = vx.source_port(black_box(&buf[HEAD..]));
                let p = vxlan::encap(black_box(&mut buf), HEAD..HEAD + len, vni()).expect("encap");
                (sport, p)
            })
        });
    }
    g.finish();
}

fn decap(c: &mut Criterion) {
    let mut g = c.benchmark_group("vxlan_decap");
    for len in [64usize, 1500] {
        let mut buf = with_headroom(&frame(len));
        let p = vxlan::encap(&mut buf, HEAD..HEAD + len, vni()).expect("encap");
        let payload = buf[p].to_vec();
        g.throughput(Throughput::Bytes(len as u64));
        g.bench_with_input(BenchmarkId::from_parameter(len), &payload, |b, p| {
            b.iter(|| vxlan::decap(black_box(p)).expect("decap").frame.len())
        });
    }
    g.finish();
}

/// VNI 100 with two access ports, a remote MAC and a two-VTEP flood list.
fn switch() -> Switch {
    let mut s = Switch::new(VxlanConfig::default());
    s.add_domain(vni(), BridgeConfig::default())
        .expect("domain");
    s.attach_port(PortId(1), vni()).expect("port");
    s.attach_port(PortId(2), vni()).expect("port");
    let d = s.domain_mut(vni()).expect("domain");
    d.set_flood_list(&[vtep(), IpAddr::V4(Ipv4Addr::new(192, 0, 2, 3))]);
    d.macs_mut()
        .install(Timestamp(0), REMOTE, Destination::Remote(vtep()))
        .expect("install");
    s
}

fn port_to_overlay(c: &mut Criterion) {
    let mut g = c.benchmark_group("port_to_overlay");
    for len in [64usize, 1500] {
        let mut s = switch();
        let vx = *s.vxlan();
        let mut buf = with_headroom(&frame(len));
        let range = HEAD..HEAD + len;
        g.throughput(Throughput::Bytes(len as u64));
        g.bench_function(BenchmarkId::from_parameter(len), |b| {
            b.iter(|| {
                let f = black_box(&buf[range.clone()]);
                let rx = s
                    .receive_port(Timestamp(1), PortId(1), f)
                    .expect("accepted");
                let Forward::Remote(to) = rx.forward else {
                    panic!("not unicast to the remote VTEP: {:?}", rx.forward);
                };
                let v = rx.vni;
                let sport = vx.source_port(f);
                let p = vxlan::encap(&mut buf, range.clone(), v).expect("encap");
                (to, sport, p)
            })
        });
    }
    g.finish();
}

fn overlay_to_port(c: &mut Criterion) {
    let mut g = c.benchmark_group("overlay_to_port");
    for len in [64usize, 1500] {
        let mut s = switch();
        // The reverse direction: REMOTE's frame to LOCAL, which is learnt
        // on port 1.
        let mut f = frame(len);
        f[..6].copy_from_slice(&LOCAL.0);
        f[6..12].copy_from_slice(&REMOTE.0);
        let _ = s.receive_port(Timestamp(0), PortId(1), &frame(len));
        let mut buf = with_headroom(&f);
        let p = vxlan::encap(&mut buf, HEAD..HEAD + len, vni()).expect("encap");
        let payload = buf[p].to_vec();
        g.throughput(Throughput::Bytes(len as u64));
        g.bench_function(BenchmarkId::from_parameter(len), |b| {
            b.iter(|| {
                let rx = s
                    .receive_overlay(Timestamp(1), vtep(), black_box(&payload))
                    .expect("accepted");
                assert_eq!(rx.forward, Forward::Local(PortId(1)));
                rx.frame.len()
            })
        });
    }
    g.finish();
}

fn vlan_pop_push(c: &mut Criterion) {
    let mut g = c.benchmark_group("vlan_pop_push");
    for len in [64usize, 1500] {
        let f = frame(len);
        let mut buf = with_headroom(&f);
        // Tag it once; each iteration pops and pushes back in place.
        let tagged = vlan::push(&mut buf, HEAD..HEAD + len, 10).expect("push");
        g.throughput(Throughput::Bytes(len as u64));
        g.bench_function(BenchmarkId::from_parameter(len), |b| {
            b.iter(|| {
                let (vid, r) = vlan::pop(black_box(&mut buf), tagged.clone()).expect("pop");
                vlan::push(&mut buf, r, vid).expect("push")
            })
        });
    }
    g.finish();
}

/// A small deterministic PRNG (xorshift) for MAC addresses.
fn macs(n: usize) -> Vec<EthernetAddress> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let b = x.to_be_bytes();
            // Locally administered unicast.
            EthernetAddress([0x02, b[3], b[4], b[5], b[6], b[7]])
        })
        .collect()
}

fn mac_lookup(c: &mut Criterion) {
    let mut g = c.benchmark_group("mac_lookup");
    for n in [1_000usize, 100_000] {
        let mut t = MacTable::new(MacTableConfig {
            install_limit: n,
            ..MacTableConfig::default()
        });
        let keys = macs(n);
        for (i, m) in keys.iter().enumerate() {
            let vtep = IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + (i as u32 % 256)));
            t.install(Timestamp(0), *m, Destination::Remote(vtep))
                .expect("install");
        }
        assert_eq!(t.len(), n);
        // Look the keys up in a different order than inserted.
        let mut order = keys.clone();
        order.reverse();
        g.throughput(Throughput::Elements(1));
        g.bench_function(BenchmarkId::new("hit", n), |b| {
            let mut i = 0usize;
            b.iter(|| {
                i = (i + 7919) % order.len();
                t.lookup(black_box(&order[i])).expect("present")
            })
        });
        let missing = EthernetAddress([0x02, 0xff, 0xff, 0xff, 0xff, 0xfe]);
        g.bench_function(BenchmarkId::new("miss", n), |b| {
            b.iter(|| t.lookup(black_box(&missing)))
        });
    }
    g.finish();
}

criterion_group!(
    benches,
    encap,
    decap,
    port_to_overlay,
    overlay_to_port,
    vlan_pop_push,
    mac_lookup
);
criterion_main!(benches);
