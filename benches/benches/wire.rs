//! Wire-format benchmarks: the receive-path parse + checksum verification of
//! small and large frames (plain and VXLAN-encapsulated), the Internet
//! checksum alone, and the RFC 1624 incremental TTL update against a full
//! header-checksum recomputation.
//!
//! ```sh
//! cargo bench -p vtepd-benches --bench wire -- --warm-up-time 1 --measurement-time 3
//! ```

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use vtepd_benches::wire_frames::{
    eth_ipv4_udp, rx_eth_ipv4_udp, rx_vxlan, vxlan_eth_ipv4_udp, VXLAN_OVERHEAD,
};
use vtepd_wire::checksum;
use vtepd_wire::ipv4::Ipv4Packet;

fn parse_eth_ipv4_udp(c: &mut Criterion) {
    let mut g = c.benchmark_group("rx_eth_ipv4_udp");
    for len in [64usize, 1500] {
        let f = eth_ipv4_udp(len).expect("frame");
        g.throughput(Throughput::Bytes(len as u64));
        g.bench_with_input(BenchmarkId::from_parameter(len), &f, |b, f| {
            b.iter(|| rx_eth_ipv4_udp(black_box(f)).expect("valid frame"))
        });
    }
    g.finish();
}

fn parse_vxlan(c: &mut Criterion) {
    let mut g = c.benchmark_group("rx_vxlan");
    // Outer lengths: a 64-byte inner frame, and a 1500-byte outer frame.
    for len in [VXLAN_OVERHEAD + 64, 1500] {
        let f = vxlan_eth_ipv4_udp(len).expect("frame");
        g.throughput(Throughput::Bytes(len as u64));
        g.bench_with_input(BenchmarkId::from_parameter(len), &f, |b, f| {
            b.iter(|| rx_vxlan(black_box(f)).expect("valid frame"))
        });
    }
    g.finish();
}

fn internet_checksum(c: &mut Criterion) {
    let mut g = c.benchmark_group("checksum");
    for len in [64usize, 1500] {
        let data: Vec<u8> = (0..len).map(|i| (i * 7) as u8).collect();
        g.throughput(Throughput::Bytes(len as u64));
        g.bench_with_input(BenchmarkId::from_parameter(len), &data, |b, d| {
            b.iter(|| checksum::checksum(black_box(d)))
        });
    }
    g.finish();
}

fn ttl_update(c: &mut Criterion) {
    let frame = eth_ipv4_udp(64).expect("frame");
    let header: [u8; 20] = frame[14..34].try_into().expect("20 bytes");
    let mut g = c.benchmark_group("ipv4_ttl_decrement");
    g.bench_function("rfc1624_incremental", |b| {
        let mut h = header;
        b.iter(|| {
            let mut p = Ipv4Packet::new_unchecked(black_box(&mut h[..]));
            if p.decrement_ttl().is_none() {
                p.set_ttl(64);
                p.fill_checksum();
            }
            p.checksum()
        })
    });
    g.bench_function("full_recompute", |b| {
        let mut h = header;
        b.iter(|| {
            let mut p = Ipv4Packet::new_unchecked(black_box(&mut h[..]));
            let ttl = p.ttl();
            p.set_ttl(if ttl <= 1 { 64 } else { ttl - 1 });
            p.fill_checksum();
            p.checksum()
        })
    });
    g.finish();
}

criterion_group!(
    benches,
    parse_eth_ipv4_udp,
    parse_vxlan,
    internet_checksum,
    ttl_update
);
criterion_main!(benches);
