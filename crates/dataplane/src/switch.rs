//! The switch: the bridge domains of one worker, keyed by VNI, the mapping
//! of local (access) ports to domains, and the VXLAN glue between them.
//!
//! # Receive paths
//!
//! - [`Switch::receive_port`]: a frame from a local port goes to the port's
//!   domain, which decides where it goes ([`Forward`]). For
//!   [`Forward::Remote`] and for the VTEPs of a [`Forward::Flood`], the
//!   driver encapsulates once with [`crate::vxlan::encap`] (VNI of the
//!   domain) and sends the same UDP payload to each VTEP, from
//!   [`VxlanConfig::source_port`] to [`VxlanConfig::dst_port`].
//! - [`Switch::receive_overlay`]: a UDP payload from a remote VTEP is
//!   decapsulated ([`crate::vxlan::decap`]); its VNI selects the domain
//!   ([`DropReason::UnknownVni`] if none), which decides among local ports
//!   only (split horizon).
//!
//! Drops that cannot be charged to a domain (bad VXLAN header, unknown VNI,
//! unknown port) are counted in [`SwitchStats`]; the rest in the domain's
//! [`crate::VniStats`].
//!
//! # Driver pattern
//!
//! A decision borrows the switch (a flood set is a view of the domain's
//! port and VTEP lists), so the encapsulation helpers are free functions
//! that need no switch:
//!
//! ```
//! # use vtepd_dataplane::*;
//! # let mut sw = Switch::new(VxlanConfig::default());
//! # let vni = Vni::new(100).unwrap();
//! # sw.add_domain(vni, BridgeConfig::default()).unwrap();
//! # sw.attach_port(PortId(1), vni).unwrap();
//! # sw.domain_mut(vni).unwrap().set_flood_list(&["192.0.2.1".parse().unwrap()]);
//! # let mut buf = [0u8; 64 + 60];
//! # buf[64..70].copy_from_slice(&[0xff; 6]);
//! # buf[70] = 2;
//! let vx = *sw.vxlan(); // Copy, taken before the decision borrows `sw`
//! let frame = 64..buf.len(); // the frame was received after 64 bytes of headroom
//! let rx = sw.receive_port(Timestamp(0), PortId(1), &buf[frame.clone()]).unwrap();
//! if let Forward::Flood(flood) = rx.forward {
//!     for port in flood.local_ports() { /* send buf[frame] out of port */ }
//!     if !flood.remote_vteps().is_empty() {
//!         let sport = vx.source_port(&buf[frame.clone()]);
//!         let payload = vxlan::encap(&mut buf, frame, rx.vni).unwrap();
//!         for vtep in flood.remote_vteps() {
//!             // send buf[payload] from port `sport` to (vtep, vx.dst_port())
//!         }
//!     }
//! }
//! ```
//!
//! Failures on the driver side (no buffer room, a send error) are counted
//! with [`Switch::note_drop`] once the decision is released.
//!
//! Nothing here allocates on these paths. Adding and removing domains and
//! ports are control-plane operations and may allocate.

use core::net::IpAddr;
use std::collections::HashMap;

use vtepd_wire::vxlan::Vni;

use crate::bridge::{BridgeConfig, BridgeDomain, Forward};
use crate::mac_table::PortId;
use crate::stats::{Counter, DropCounters, DropReason};
use crate::time::Timestamp;
use crate::vxlan::{self, VxlanConfig};

/// A control-plane change to the switch was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SwitchError {
    /// A domain for the VNI exists already.
    #[error("bridge domain for VNI {0} exists")]
    DomainExists(Vni),
    /// No domain serves the VNI.
    #[error("no bridge domain for VNI {0}")]
    UnknownVni(Vni),
    /// The port is attached to a domain already.
    #[error("port {0:?} is attached to VNI {1}")]
    PortInUse(PortId, Vni),
}

/// Counters of the switch itself (per worker; snapshots by copy).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SwitchStats {
    /// UDP payloads received from the underlay (VXLAN header included).
    pub overlay_rx: Counter,
    /// Drops not charged to a domain.
    pub drops: DropCounters,
}

/// A frame received from the overlay and where it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverlayRx<'s, 'p> {
    /// The VNI of the VXLAN header.
    pub vni: Vni,
    /// The inner frame, inside the caller's buffer.
    pub frame: &'p [u8],
    /// The domain's decision (local ports only).
    pub forward: Forward<'s>,
}

/// A frame received from a local port and where it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortRx<'s> {
    /// The VNI of the port's domain (to encapsulate with).
    pub vni: Vni,
    /// The domain's decision.
    pub forward: Forward<'s>,
}

/// The bridge domains of one worker (see the module docs).
#[derive(Debug)]
pub struct Switch {
    vxlan: VxlanConfig,
    domains: HashMap<Vni, BridgeDomain>,
    ports: Vec<(PortId, Vni)>,
    stats: SwitchStats,
}

impl Switch {
    /// A switch with no domains.
    pub fn new(vxlan: VxlanConfig) -> Switch {
        Switch {
            vxlan,
            domains: HashMap::new(),
            ports: Vec::new(),
            stats: SwitchStats::default(),
        }
    }

    /// The VXLAN settings.
    pub fn vxlan(&self) -> &VxlanConfig {
        &self.vxlan
    }

    /// Create the domain for `vni`.
    pub fn add_domain(&mut self, vni: Vni, cfg: BridgeConfig) -> Result<(), SwitchError> {
        if self.domains.contains_key(&vni) {
            return Err(SwitchError::DomainExists(vni));
        }
        self.domains.insert(vni, BridgeDomain::new(cfg));
        Ok(())
    }

    /// Remove the domain for `vni` and detach its ports.
    pub fn remove_domain(&mut self, vni: Vni) -> Option<BridgeDomain> {
        let d = self.domains.remove(&vni)?;
        self.ports.retain(|(_, v)| *v != vni);
        Some(d)
    }

    /// The domain for `vni`.
    pub fn domain(&self, vni: Vni) -> Option<&BridgeDomain> {
        self.domains.get(&vni)
    }

    /// The domain for `vni`, for control-plane changes (flood list, MAC
    /// installs) and aging.
    pub fn domain_mut(&mut self, vni: Vni) -> Option<&mut BridgeDomain> {
        self.domains.get_mut(&vni)
    }

    /// Every domain.
    pub fn domains(&self) -> impl Iterator<Item = (Vni, &BridgeDomain)> + '_ {
        self.domains.iter().map(|(v, d)| (*v, d))
    }

    /// Every domain, mutable (aging, draining events).
    pub fn domains_mut(&mut self) -> impl Iterator<Item = (Vni, &mut BridgeDomain)> + '_ {
        self.domains.iter_mut().map(|(v, d)| (*v, d))
    }

    /// Attach local port `port` to the domain for `vni` (an access port).
    pub fn attach_port(&mut self, port: PortId, vni: Vni) -> Result<(), SwitchError> {
        if let Some((_, v)) = self.ports.iter().find(|(p, _)| *p == port) {
            return Err(SwitchError::PortInUse(port, *v));
        }
        let d = self
            .domains
            .get_mut(&vni)
            .ok_or(SwitchError::UnknownVni(vni))?;
        d.add_port(port);
        self.ports.push((port, vni));
        Ok(())
    }

    /// Detach a port from its domain (flushing the MACs learnt on it).
    /// Returns the VNI it was attached to.
    pub fn detach_port(&mut self, port: PortId) -> Option<Vni> {
        let i = self.ports.iter().position(|(p, _)| *p == port)?;
        let (_, vni) = self.ports.remove(i);
        if let Some(d) = self.domains.get_mut(&vni) {
            d.remove_port(port);
        }
        Some(vni)
    }

    /// The VNI a port is attached to.
    pub fn port_vni(&self, port: PortId) -> Option<Vni> {
        self.ports.iter().find(|(p, _)| *p == port).map(|(_, v)| *v)
    }

    /// Age out learnt MACs in every domain. Returns how many.
    pub fn expire(&mut self, now: Timestamp) -> usize {
        self.domains.values_mut().map(|d| d.expire(now)).sum()
    }

    /// A snapshot of the switch's own counters.
    pub fn stats(&self) -> SwitchStats {
        self.stats
    }

    /// Decide where a frame from local port `port` goes. Never allocates.
    pub fn receive_port(
        &mut self,
        now: Timestamp,
        port: PortId,
        frame: &[u8],
    ) -> Result<PortRx<'_>, DropReason> {
        let vni = match self.ports.iter().find(|(p, _)| *p == port) {
            Some((_, v)) => *v,
            None => {
                self.stats.drops.add(DropReason::UnknownPort);
                return Err(DropReason::UnknownPort);
            }
        };
        let Some(d) = self.domains.get_mut(&vni) else {
            self.stats.drops.add(DropReason::UnknownVni);
            return Err(DropReason::UnknownVni);
        };
        Ok(PortRx {
            vni,
            forward: d.from_port(now, port, frame),
        })
    }

    /// [`receive_port`](Self::receive_port) with ARP/ND suppression: a
    /// request the domain can answer yields [`Forward::Reply`] with the
    /// answer in `reply` (at least [`crate::suppress::MAX_REPLY_LEN`]
    /// bytes). Never allocates.
    pub fn receive_port_with_reply(
        &mut self,
        now: Timestamp,
        port: PortId,
        frame: &[u8],
        reply: &mut [u8],
    ) -> Result<PortRx<'_>, DropReason> {
        let vni = match self.ports.iter().find(|(p, _)| *p == port) {
            Some((_, v)) => *v,
            None => {
                self.stats.drops.add(DropReason::UnknownPort);
                return Err(DropReason::UnknownPort);
            }
        };
        let Some(d) = self.domains.get_mut(&vni) else {
            self.stats.drops.add(DropReason::UnknownVni);
            return Err(DropReason::UnknownVni);
        };
        Ok(PortRx {
            vni,
            forward: d.from_port_with_reply(now, port, frame, reply),
        })
    }

    /// Decapsulate a UDP payload from `vtep` and decide where the inner
    /// frame goes. Never allocates.
    pub fn receive_overlay<'s, 'p>(
        &'s mut self,
        now: Timestamp,
        vtep: IpAddr,
        udp_payload: &'p [u8],
    ) -> Result<OverlayRx<'s, 'p>, DropReason> {
        self.stats.overlay_rx.add(udp_payload.len());
        let d = match vxlan::decap(udp_payload) {
            Ok(d) => d,
            Err(r) => {
                self.stats.drops.add(r);
                return Err(r);
            }
        };
        let Some(dom) = self.domains.get_mut(&d.vni) else {
            self.stats.drops.add(DropReason::UnknownVni);
            return Err(DropReason::UnknownVni);
        };
        Ok(OverlayRx {
            vni: d.vni,
            frame: d.frame,
            forward: dom.from_overlay(now, vtep, d.frame),
        })
    }

    /// Count a drop that happened on the driver side (encapsulation
    /// without room, a failed send).
    pub fn note_drop(&mut self, reason: DropReason) {
        self.stats.drops.add(reason);
    }

    /// The UDP source port for an inner frame (flow entropy).
    pub fn source_port(&self, inner: &[u8]) -> u16 {
        self.vxlan.source_port(inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bridge::Forward;
    use crate::mac_table::Destination;
    use core::net::Ipv4Addr;
    use vtepd_wire::EthernetAddress;

    fn vni(n: u32) -> Vni {
        Vni::new(n).unwrap()
    }
    fn mac(n: u8) -> EthernetAddress {
        EthernetAddress([0x02, 0, 0, 0, 0, n])
    }
    fn vtep(n: u8) -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(192, 0, 2, n))
    }
    fn frame(dst: EthernetAddress, src: EthernetAddress) -> Vec<u8> {
        let mut f = Vec::new();
        f.extend_from_slice(&dst.0);
        f.extend_from_slice(&src.0);
        f.extend_from_slice(&[0x08, 0x00]);
        f.resize(60, 0);
        f
    }
    const T0: Timestamp = Timestamp(0);

    fn switch() -> Switch {
        let mut s = Switch::new(VxlanConfig::default());
        s.add_domain(vni(100), BridgeConfig::default()).unwrap();
        s.add_domain(vni(200), BridgeConfig::default()).unwrap();
        s.attach_port(PortId(1), vni(100)).unwrap();
        s.attach_port(PortId(2), vni(100)).unwrap();
        s.attach_port(PortId(3), vni(200)).unwrap();
        s.domain_mut(vni(100))
            .unwrap()
            .set_flood_list(&[vtep(1), vtep(2)]);
        s
    }

    #[test]
    fn control_plane_errors() {
        let mut s = switch();
        assert_eq!(
            s.add_domain(vni(100), BridgeConfig::default()),
            Err(SwitchError::DomainExists(vni(100)))
        );
        assert_eq!(
            s.attach_port(PortId(1), vni(200)),
            Err(SwitchError::PortInUse(PortId(1), vni(100)))
        );
        assert_eq!(
            s.attach_port(PortId(9), vni(300)),
            Err(SwitchError::UnknownVni(vni(300)))
        );
        assert_eq!(s.port_vni(PortId(3)), Some(vni(200)));
        assert_eq!(s.detach_port(PortId(3)), Some(vni(200)));
        assert!(s.domain(vni(200)).unwrap().ports().is_empty());
        assert!(s.remove_domain(vni(100)).is_some());
        assert_eq!(s.port_vni(PortId(1)), None);
    }

    #[test]
    fn local_to_overlay_and_back() {
        let mut a = switch();
        let mut b = switch();
        // Host 1 behind A broadcasts: flooded to port 2 and both VTEPs.
        let f = frame(EthernetAddress::BROADCAST, mac(1));
        let rx = a.receive_port(T0, PortId(1), &f).unwrap();
        assert_eq!(rx.vni, vni(100));
        match rx.forward {
            Forward::Flood(fl) => {
                assert_eq!(fl.local_ports().collect::<Vec<_>>(), vec![PortId(2)]);
                assert_eq!(fl.remote_vteps(), &[vtep(1), vtep(2)]);
            }
            other => panic!("{other:?}"),
        }
        let mut buf = vec![0u8; 64 + f.len()];
        buf[64..].copy_from_slice(&f);
        let r = vxlan::encap(&mut buf, 64..64 + f.len(), vni(100)).unwrap();
        // B receives it from A's address (vtep 9): flooded to B's local
        // ports only.
        b.domain_mut(vni(100)).unwrap().set_learn_remote(true);
        let orx = b.receive_overlay(T0, vtep(9), &buf[r.clone()]).unwrap();
        assert_eq!(orx.vni, vni(100));
        assert_eq!(orx.frame, &f[..]);
        match orx.forward {
            Forward::Flood(fl) => {
                assert_eq!(
                    fl.local_ports().collect::<Vec<_>>(),
                    vec![PortId(1), PortId(2)]
                );
                assert!(fl.remote_vteps().is_empty());
            }
            other => panic!("{other:?}"),
        }
        // B learnt mac(1) behind vtep 9, so a reply goes there.
        let reply = frame(mac(1), mac(5));
        let rx = b.receive_port(T0, PortId(2), &reply).unwrap();
        assert_eq!(rx.forward, Forward::Remote(vtep(9)));
        assert_eq!(
            b.domain(vni(100)).unwrap().macs().lookup(&mac(1)),
            Some(Destination::Remote(vtep(9)))
        );
        assert_eq!(b.stats().overlay_rx.bytes, (r.end - r.start) as u64);
    }

    #[test]
    fn overlay_bad_input_counted() {
        let mut s = switch();
        let f = frame(mac(2), mac(1));
        let mut good = vec![0x08, 0, 0, 0, 0, 0, 100, 0];
        good.extend_from_slice(&f);
        // Unknown VNI 300.
        let mut unknown = good.clone();
        unknown[5] = 1;
        unknown[6] = 0x2c;
        assert_eq!(
            s.receive_overlay(T0, vtep(1), &unknown).unwrap_err(),
            DropReason::UnknownVni
        );
        assert_eq!(
            s.receive_overlay(T0, vtep(1), &good[..5]).unwrap_err(),
            DropReason::VxlanTruncated
        );
        let mut flags = good.clone();
        flags[0] = 0;
        assert_eq!(
            s.receive_overlay(T0, vtep(1), &flags).unwrap_err(),
            DropReason::VxlanBadFlags
        );
        assert_eq!(
            s.receive_overlay(T0, vtep(1), &good[..20]).unwrap_err(),
            DropReason::Runt
        );
        let mut big = good.clone();
        big.resize(8 + 9217, 0);
        assert_eq!(
            s.receive_overlay(T0, vtep(1), &big).unwrap_err(),
            DropReason::Oversized
        );
        assert_eq!(
            s.receive_port(T0, PortId(42), &f).unwrap_err(),
            DropReason::UnknownPort
        );
        s.note_drop(DropReason::NoBufferRoom);
        let st = s.stats();
        for r in [
            DropReason::UnknownVni,
            DropReason::VxlanTruncated,
            DropReason::VxlanBadFlags,
            DropReason::Runt,
            DropReason::Oversized,
            DropReason::UnknownPort,
            DropReason::NoBufferRoom,
        ] {
            assert_eq!(st.drops.get(r), 1, "{r}");
        }
        assert_eq!(st.overlay_rx.packets, 5);
        assert!(s.receive_overlay(T0, vtep(1), &good).is_ok());
        // Nothing was learnt from the dropped packets.
        assert!(s.domain(vni(100)).unwrap().macs().is_empty());
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_overlay_payloads_never_panic(data in proptest::collection::vec(0u8.., 0..96), vni_byte in 0u8..3) {
            let mut s = switch();
            s.domain_mut(vni(100)).unwrap().set_learn_remote(true);
            let mut d = data.clone();
            if d.len() >= 8 && vni_byte < 2 {
                // Often aim at a served VNI so the bridge is exercised too.
                d[0] |= 0x08;
                d[4] = 0;
                d[5] = 0;
                d[6] = if vni_byte == 0 { 100 } else { 200 };
            }
            let res = s.receive_overlay(T0, vtep(1), &d).map(|o| o.forward);
            if let Ok(Forward::Flood(fl)) = res {
                proptest::prop_assert!(fl.remote_vteps().is_empty());
            }
            if let Ok(Forward::Remote(_)) = res {
                proptest::prop_assert!(false, "overlay frame sent back to the overlay");
            }
        }
    }
}
