//! Proof that the steady-state forwarding path does not allocate.
//!
//! A counting global allocator counts allocations made by the current thread
//! while a flag is set. A switch is built and warmed up (domains, ports,
//! flood list, learnt and installed MACs), then the per-packet operations
//! run many times with counting on: forwarding decisions from local ports
//! and from the overlay (known unicast, remote, flood, drops), VXLAN
//! encapsulation and decapsulation (UDP-socket and raw paths with outer
//! headers), source-port hashing, learning of new
//! MACs within the table's capacity, ARP/ND suppression answers, and aging.

// A `GlobalAlloc` implementation is an `unsafe impl` by definition; it only
// forwards to the system allocator and bumps thread-local counters.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use vtepd_dataplane::outer::{parse_outer, write_outer, Outer, OuterAddrs, OuterConfig};
use vtepd_dataplane::suppress::MAX_REPLY_LEN;
use vtepd_dataplane::vxlan;
use vtepd_dataplane::SuppressConfig;
use vtepd_dataplane::{
    BridgeConfig, Destination, DropReason, Forward, MacTableConfig, PortId, Switch, Timestamp, Vni,
    VxlanConfig,
};
use vtepd_wire::{checksum, EthernetAddress, IpProtocol};

struct Counting;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static ALLOCS: Cell<u64> = const { Cell::new(0) };
}

fn note_alloc() {
    let on = COUNTING.try_with(|c| c.get()).unwrap_or(false);
    if on {
        let _ = ALLOCS.try_with(|n| n.set(n.get() + 1));
    }
}

// SAFETY: every method forwards to `System` with the caller's arguments
// unchanged; the counters are thread-local `Cell`s that never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note_alloc();
        // SAFETY: forwarded contract.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note_alloc();
        // SAFETY: forwarded contract.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note_alloc();
        // SAFETY: forwarded contract.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded contract.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Run `f` and return how many allocations this thread made inside it.
fn allocations_in(f: impl FnOnce()) -> u64 {
    ALLOCS.with(|n| n.set(0));
    COUNTING.with(|c| c.set(true));
    f();
    COUNTING.with(|c| c.set(false));
    ALLOCS.with(|n| n.get())
}

fn mac(n: u32) -> EthernetAddress {
    let b = n.to_be_bytes();
    EthernetAddress([0x02, 0x10, b[0], b[1], b[2], b[3]])
}

fn frame_into(buf: &mut [u8], dst: EthernetAddress, src: EthernetAddress, len: usize) -> usize {
    buf[..6].copy_from_slice(&dst.0);
    buf[6..12].copy_from_slice(&src.0);
    // IPv4/UDP so the flow hash walks the inner headers.
    buf[12..14].copy_from_slice(&[0x08, 0x00]);
    buf[14..34].copy_from_slice(&[
        0x45, 0, 0, 46, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
    ]);
    buf[34..38].copy_from_slice(&[0x9c, 0x40, 0, 53]);
    len
}

/// ARP request from mac(0) / 10.0.0.1 for 10.0.0.2.
fn arp_request() -> Vec<u8> {
    let mut f = vec![0xff; 6];
    f.extend_from_slice(&mac(0).0);
    f.extend_from_slice(&[0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 1]);
    f.extend_from_slice(&mac(0).0);
    f.extend_from_slice(&[10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0, 0, 2]);
    f
}

/// Neighbor Solicitation from mac(0) / LOCAL_V6 for REMOTE_V6, with its
/// ICMPv6 checksum.
fn neighbor_solicit() -> Vec<u8> {
    let snm = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 1, 0xff00, 2);
    let mut icmp = vec![135, 0, 0, 0, 0, 0, 0, 0];
    icmp.extend_from_slice(&REMOTE_V6.octets());
    icmp.extend_from_slice(&[1, 1]);
    icmp.extend_from_slice(&mac(0).0);
    let c = !checksum::fold(
        checksum::pseudo_header_v6(LOCAL_V6, snm, IpProtocol::Icmpv6, icmp.len() as u32)
            + checksum::sum(&icmp),
    );
    icmp[2..4].copy_from_slice(&c.to_be_bytes());
    let mut f = vec![0x33, 0x33, 0xff, 0, 0, 2];
    f.extend_from_slice(&mac(0).0);
    f.extend_from_slice(&[0x86, 0xdd, 0x60, 0, 0, 0, 0, icmp.len() as u8, 58, 255]);
    f.extend_from_slice(&LOCAL_V6.octets());
    f.extend_from_slice(&snm.octets());
    f.extend_from_slice(&icmp);
    f
}

const HEADROOM: usize = 64;
const LOCAL_V6: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1);
const REMOTE_V6: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 2);
const VTEP_A: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));
const VTEP_B: IpAddr = IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 2));

fn warmed_up() -> (Switch, Vni) {
    let vni = Vni::new(100).unwrap();
    let mut sw = Switch::new(VxlanConfig::default());
    sw.add_domain(
        vni,
        BridgeConfig {
            mac: MacTableConfig {
                learn_limit: 4096,
                install_limit: 1024,
                age: Some(std::time::Duration::from_secs(300)),
                event_limit: 4096,
            },
            learn_remote: true,
            suppress: Some(SuppressConfig::default()),
            ..BridgeConfig::default()
        },
    )
    .unwrap();
    for p in 1..=4 {
        sw.attach_port(PortId(p), vni).unwrap();
    }
    let d = sw.domain_mut(vni).unwrap();
    d.set_flood_list(&[VTEP_A, VTEP_B]);
    for i in 0..100 {
        d.macs_mut()
            .install(Timestamp(0), mac(10_000 + i), Destination::Remote(VTEP_B))
            .unwrap();
    }
    let mut buf = [0u8; 128];
    for i in 0..4u32 {
        let n = frame_into(&mut buf, EthernetAddress::BROADCAST, mac(i), 60);
        sw.receive_port(Timestamp(0), PortId(i as u16 + 1), &buf[..n])
            .unwrap();
    }
    let sup = sw.domain_mut(vni).unwrap().suppress_mut().unwrap();
    sup.install(
        Timestamp(0),
        IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2)),
        mac(1),
        false,
    )
    .unwrap();
    sup.install(Timestamp(0), IpAddr::V6(REMOTE_V6), mac(10_000), false)
        .unwrap();
    while sw.domain_mut(vni).unwrap().poll_event().is_some() {}
    (sw, vni)
}

#[test]
fn steady_state_forwarding_does_not_allocate() {
    let (mut sw, vni) = warmed_up();
    let mut buf = vec![0u8; HEADROOM + 9216];
    let mut sink = 0u64;
    let vx = *sw.vxlan();
    let ocfg = OuterConfig::default();
    let arp_req = arp_request();
    let ns = neighbor_solicit();
    let mut reply = [0u8; MAX_REPLY_LEN];

    let n = allocations_in(|| {
        for i in 0..20_000u64 {
            let now = Timestamp(1000 + i);
            // Known local unicast.
            let len = frame_into(&mut buf[HEADROOM..], mac(1), mac(0), 60);
            let rx = sw
                .receive_port(now, PortId(1), &buf[HEADROOM..HEADROOM + len])
                .unwrap();
            assert_eq!(rx.forward, Forward::Local(PortId(2)));

            // Known remote unicast: encapsulate for the VTEP.
            let len = frame_into(&mut buf[HEADROOM..], mac(10_000), mac(2), 1500);
            let rx = sw
                .receive_port(now, PortId(3), &buf[HEADROOM..HEADROOM + len])
                .unwrap();
            assert_eq!(rx.forward, Forward::Remote(VTEP_B));
            let sport = vx.source_port(&buf[HEADROOM..HEADROOM + len]);
            let r = vxlan::encap(&mut buf, HEADROOM..HEADROOM + len, rx.vni).unwrap();
            sink = sink.wrapping_add(u64::from(sport) + r.start as u64);
            // Raw-socket path: outer IPv6 + UDP with checksum, and back.
            let o = Outer {
                addrs: OuterAddrs::V6 {
                    src: LOCAL_V6,
                    dst: REMOTE_V6,
                },
                src_port: sport,
                dst_port: vx.dst_port(),
                ident: 0,
            };
            let pkt = write_outer(&mut buf, r, &o, &ocfg).unwrap();
            let orx = parse_outer(&buf[pkt], vx.dst_port(), &ocfg).unwrap();
            sink = sink.wrapping_add(orx.udp_payload.len() as u64);

            // Broadcast: flood to three local ports and two VTEPs.
            let len = frame_into(&mut buf[HEADROOM..], EthernetAddress::BROADCAST, mac(3), 64);
            let rx = sw
                .receive_port(now, PortId(4), &buf[HEADROOM..HEADROOM + len])
                .unwrap();
            match rx.forward {
                Forward::Flood(f) => {
                    sink = sink.wrapping_add(f.local_ports().map(|p| u64::from(p.0)).sum::<u64>());
                    sink = sink.wrapping_add(f.remote_vteps().len() as u64);
                }
                other => panic!("expected flood, got {other:?}"),
            }
            let r = vxlan::encap(&mut buf, HEADROOM..HEADROOM + len, rx.vni).unwrap();

            // The same payload back from the overlay: a remote MAC (learnt
            // once, refreshed afterwards) to a known local port.
            let len = frame_into(&mut buf[HEADROOM..], mac(2), mac(20_000), 64);
            let r2 = vxlan::encap(&mut buf, HEADROOM..HEADROOM + len, vni).unwrap();
            let orx = sw.receive_overlay(now, VTEP_A, &buf[r2]).unwrap();
            assert_eq!(orx.forward, Forward::Local(PortId(3)));
            sink = sink.wrapping_add(orx.frame.len() as u64 + r.end as u64);

            // ARP request from mac(0) for 10.0.0.2: answered locally.
            let d = sw.domain_mut(vni).unwrap();
            assert_eq!(
                d.from_port_with_reply(now, PortId(1), &arp_req, &mut reply),
                Forward::Reply {
                    port: PortId(1),
                    len: 42
                }
            );
            // Neighbor Solicitation for REMOTE_V6: answered locally.
            assert_eq!(
                d.from_port_with_reply(now, PortId(1), &ns, &mut reply),
                Forward::Reply {
                    port: PortId(1),
                    len: 86
                }
            );

            // Drops.
            assert_eq!(
                sw.receive_overlay(now, VTEP_A, &buf[..5]).unwrap_err(),
                DropReason::VxlanTruncated
            );
            assert_eq!(
                sw.receive_port(now, PortId(1), &buf[HEADROOM..HEADROOM + 10])
                    .map(|r| r.forward)
                    .unwrap(),
                Forward::Drop(DropReason::Runt)
            );
        }
        // Aging sweeps that remove nothing.
        for _ in 0..100 {
            black_box(sw.expire(Timestamp(20_000)));
        }
    });
    black_box(sink);
    // The remote MAC learnt during the loop produced one event; draining it
    // is the control plane's job and may happen outside the fast path.
    assert_eq!(n, 0, "steady-state forwarding allocated {n} times");
    let st = sw.domain(vni).unwrap().stats();
    assert_eq!(st.rx_local.packets, 100_000 + 4); // plus the warm-up frames
    assert_eq!(st.suppressed.packets, 40_000);
    assert_eq!(st.rx_overlay.packets, 20_000);
    assert_eq!(st.drops.get(DropReason::Runt), 20_000);
}

#[test]
fn learning_within_capacity_and_aging_do_not_allocate() {
    let (mut sw, vni) = warmed_up();
    let mut buf = [0u8; 128];
    let n = allocations_in(|| {
        // 4092 new MACs (4 are learnt already) fill the preallocated table
        // and their events fit the queue.
        for i in 0..4092u32 {
            let len = frame_into(&mut buf, EthernetAddress::BROADCAST, mac(50_000 + i), 60);
            let rx = sw
                .receive_port(Timestamp(1), PortId(1 + (i % 4) as u16), &buf[..len])
                .unwrap();
            assert!(matches!(rx.forward, Forward::Flood(_)));
        }
        // Past the limit: refused and counted, still nothing allocated.
        for i in 0..1000u32 {
            let len = frame_into(&mut buf, EthernetAddress::BROADCAST, mac(90_000 + i), 60);
            let rx = sw
                .receive_port(Timestamp(1), PortId(1), &buf[..len])
                .unwrap();
            assert!(matches!(rx.forward, Forward::Drop(DropReason::TableFull)));
        }
        let d = sw.domain_mut(vni).unwrap();
        while d.poll_event().is_some() {}
        // Everything learnt ages out; the events fit the queue.
        assert_eq!(sw.expire(Timestamp(1_000_000)), 4096);
        let d = sw.domain_mut(vni).unwrap();
        let mut events = 0;
        while d.poll_event().is_some() {
            events += 1;
        }
        assert_eq!(events, 4096);
    });
    assert_eq!(n, 0, "learning/aging allocated {n} times");
    let d = sw.domain(vni).unwrap();
    assert_eq!(d.macs().learnt_len(), 0);
    assert_eq!(d.macs().installed_len(), 100);
    assert_eq!(d.stats().drops.get(DropReason::TableFull), 1000);
}
