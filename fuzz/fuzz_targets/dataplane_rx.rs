//! The dataplane's full receive path: a [`Switch`] with two VNIs, access
//! ports, a VLAN trunk, flood lists, installed MACs and suppression
//! bindings is fed the input
//!
//! 1. as a UDP payload from the overlay (decap + bridge decision),
//! 2. as a frame from an access port, both the whole input and the input
//!    after an 8-byte VXLAN header (the seeds are VXLAN payloads, so the
//!    second is a real inner frame), with encapsulation of whatever goes
//!    to the overlay,
//! 3. as a frame from the trunk (tag popped in place, tag pushed back for
//!    trunk egress).
//!
//! Invariants: no panic; a forwarded frame is exactly the input's (inner)
//! frame, lengths conserved, and its encapsulation decapsulates back to it
//! with the domain's VNI; split horizon (nothing from the overlay goes
//! back to it); the ingress port never gets its own frame back; every
//! input is counted exactly once, as received by a domain or as a drop.
#![no_main]

use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use libfuzzer_sys::fuzz_target;
use vtepd_dataplane::suppress::MAX_REPLY_LEN;
use vtepd_dataplane::vlan::{self, TAG_LEN};
use vtepd_dataplane::vxlan::{self, VXLAN_HEADER_LEN};
use vtepd_dataplane::{
    BridgeConfig, Destination, Forward, PortId, PortRx, SuppressConfig, Switch, Timestamp, Vni,
    VxlanConfig,
};
use vtepd_wire::EthernetAddress;

const T0: Timestamp = Timestamp(0);
const TRUNK: PortId = PortId(7);
const HEAD: usize = 64;

fn vni(n: u32) -> Vni {
    Vni::new(n).expect("valid VNI")
}

fn mac(b: [u8; 6]) -> EthernetAddress {
    EthernetAddress(b)
}

/// VNI 100: ports 1, 2 and trunk VLAN 10, two flood VTEPs, suppression,
/// learning from the overlay. VNI 200: port 3 and trunk VLAN 20, one VTEP.
/// MACs of the fixture hosts installed (remote, static local).
fn switch() -> Switch {
    let mut s = Switch::new(VxlanConfig::default());
    let v4 = |d| IpAddr::V4(Ipv4Addr::new(192, 0, 2, d));
    let b100 = BridgeConfig {
        learn_remote: true,
        suppress: Some(SuppressConfig::default()),
        ..BridgeConfig::default()
    };
    s.add_domain(vni(100), b100).expect("domain");
    s.add_domain(vni(200), BridgeConfig::default())
        .expect("domain");
    s.attach_port(PortId(1), vni(100)).expect("port");
    s.attach_port(PortId(2), vni(100)).expect("port");
    s.attach_port(PortId(3), vni(200)).expect("port");
    s.attach_trunk_vlan(TRUNK, 10, vni(100)).expect("trunk");
    s.attach_trunk_vlan(TRUNK, 20, vni(200)).expect("trunk");
    let d = s.domain_mut(vni(100)).expect("domain");
    d.set_flood_list(&[v4(1), v4(2)]);
    let h2 = mac([2, 0, 0, 0, 1, 2]);
    d.macs_mut()
        .install(T0, h2, Destination::Remote(v4(2)))
        .expect("install");
    d.macs_mut()
        .install_static(T0, mac([2, 0, 0, 0, 1, 3]), Destination::Local(PortId(2)))
        .expect("install");
    if let Some(sup) = d.suppress_mut() {
        let ip4 = IpAddr::V4(Ipv4Addr::new(192, 168, 100, 2));
        let ip6 = IpAddr::V6(Ipv6Addr::new(0xfd00, 0x100, 0, 0, 0, 0, 0, 2));
        sup.install(T0, ip4, h2, false).expect("binding");
        sup.install(T0, ip6, h2, false).expect("binding");
    }
    let d = s.domain_mut(vni(200)).expect("domain");
    d.set_flood_list(&[v4(3)]);
    d.macs_mut()
        .install_static(T0, mac([2, 0, 0, 0, 2, 1]), Destination::Local(PortId(3)))
        .expect("install");
    d.macs_mut()
        .install(T0, mac([2, 0, 0, 0, 2, 2]), Destination::Remote(v4(3)))
        .expect("install");
    s
}

/// Everything the switch has counted as one input's fate: received by a
/// domain (local or overlay) or dropped (by the switch or a domain).
fn fates(s: &Switch) -> u64 {
    let mut n = s.stats().drops.total();
    for (_, d) in s.domains() {
        let st = d.stats();
        n += st.drops.total() + st.rx_local.packets + st.rx_overlay.packets;
    }
    n
}

fn overlay(s: &mut Switch, data: &[u8]) {
    let before = fates(s);
    let rx_before = s.stats().overlay_rx.packets;
    let from = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 9));
    match s.receive_overlay(T0, from, data) {
        Ok(rx) => {
            // The inner frame is the input after the VXLAN header.
            assert_eq!(Some(rx.frame), data.get(VXLAN_HEADER_LEN..));
            assert_eq!(rx.frame.len() + VXLAN_HEADER_LEN, data.len());
            match rx.forward {
                Forward::Remote(_) | Forward::Reply { .. } => {
                    panic!("overlay frame sent back: {:?}", rx.forward)
                }
                Forward::Flood(f) => {
                    assert!(f.remote_vteps().is_empty(), "split horizon");
                    assert!(f.local_count() > 0);
                }
                Forward::Local(_) | Forward::Drop(_) => {}
            }
        }
        Err(_) => {}
    }
    assert_eq!(s.stats().overlay_rx.packets, rx_before + 1);
    assert_eq!(fates(s), before + 1, "overlay input counted once");
}

/// Check a decision for `frame` (untagged, from `port`): encapsulate what
/// goes to the overlay and compare it with the frame; push trunk tags on
/// local copies and compare.
fn check_port_decision(port: PortId, frame: &[u8], rx: &PortRx<'_>, reply: &[u8]) {
    let mut remote = false;
    match rx.forward {
        Forward::Local(p) => {
            assert_ne!(p, port, "frame sent back out of its ingress port");
            check_egress(frame, rx.egress.vid(p, rx.vni));
        }
        Forward::Remote(_) => remote = true,
        Forward::Flood(f) => {
            for p in f.local_ports() {
                assert_ne!(p, port, "flooded back out of its ingress port");
                check_egress(frame, rx.egress.vid(p, rx.vni));
            }
            remote = !f.remote_vteps().is_empty();
            assert!(!f.is_empty());
        }
        Forward::Reply { port: rp, len } => {
            assert_eq!(rp, port, "a reply goes back to the asker");
            let r = reply.get(..len).expect("reply fits its buffer");
            // Addressed to the asker.
            assert_eq!(r.get(..6), frame.get(6..12));
            assert_eq!(
                vlan::is_tagged(r),
                rx.egress.vid(port, rx.vni).is_some(),
                "a reply to a trunk is tagged, to an access port not"
            );
        }
        Forward::Drop(_) => {}
    }
    if remote {
        let mut buf = vec![0u8; HEAD + frame.len()];
        buf[HEAD..].copy_from_slice(frame);
        let p = vxlan::encap(&mut buf, HEAD..HEAD + frame.len(), rx.vni)
            .expect("a forwarded frame encapsulates");
        assert_eq!(p.len(), frame.len() + VXLAN_HEADER_LEN);
        let d = vxlan::decap(&buf[p]).expect("own encapsulation decapsulates");
        assert_eq!(d.vni, rx.vni);
        assert_eq!(d.frame, frame);
    }
}

/// Out of a trunk a frame gets its VNI's tag: in place and copied, the same
/// bytes, 4 longer, popping back to the frame.
fn check_egress(frame: &[u8], vid: Option<u16>) {
    let Some(vid) = vid else { return };
    let mut buf = vec![0u8; TAG_LEN + frame.len()];
    buf[TAG_LEN..].copy_from_slice(frame);
    let end = buf.len();
    let t = vlan::push(&mut buf, TAG_LEN..end, vid).expect("push with headroom");
    assert_eq!(t.len(), frame.len() + TAG_LEN);
    let mut copy = vec![0u8; t.len()];
    assert_eq!(vlan::copy_tagged(frame, vid, &mut copy), Ok(t.len()));
    assert_eq!(copy, buf);
    let (v, u) = vlan::pop(&mut buf, t).expect("pop of a pushed tag");
    assert_eq!(v, vid);
    assert_eq!(&buf[u], frame);
}

fn access(s: &mut Switch, port: PortId, frame: &[u8]) {
    let before = fates(s);
    let mut reply = [0u8; MAX_REPLY_LEN];
    if let Ok(rx) = s.receive_port_with_reply(T0, port, frame, &mut reply) {
        check_port_decision(port, frame, &rx, &reply);
    }
    assert_eq!(fates(s), before + 1, "port input counted once");
}

fn trunk(s: &mut Switch, frame: &[u8]) {
    let before = fates(s);
    let mut buf = vec![0u8; HEAD + frame.len()];
    buf[HEAD..].copy_from_slice(frame);
    let mut reply = [0u8; MAX_REPLY_LEN + TAG_LEN];
    let res = s.receive_port_in_place(
        T0,
        TRUNK,
        &mut buf,
        HEAD..HEAD + frame.len(),
        Some(&mut reply),
    );
    if let Ok((r, rx)) = res {
        // The frame minus its tag, in place.
        assert_eq!(r.len() + TAG_LEN, frame.len());
        let inner = &buf[r];
        assert_eq!(inner.get(..12), frame.get(..12));
        assert_eq!(inner.get(12..), frame.get(16..));
        assert_eq!(
            rx.egress.vid(TRUNK, rx.vni),
            vlan::vid(frame),
            "the VNI is the tag's"
        );
        check_port_decision(TRUNK, inner, &rx, &reply);
    }
    assert_eq!(fates(s), before + 1, "trunk input counted once");
}

fuzz_target!(|data: &[u8]| {
    let mut s = switch();
    overlay(&mut s, data);
    let inner = data.get(VXLAN_HEADER_LEN..).unwrap_or(&[]);
    for port in [PortId(1), PortId(3), PortId(99)] {
        access(&mut s, port, inner);
    }
    access(&mut s, PortId(2), data);
    trunk(&mut s, inner);
    trunk(&mut s, data);
    // A second overlay pass sees what the port passes learnt.
    overlay(&mut s, data);
});
