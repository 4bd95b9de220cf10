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
//! unknown port, VLAN tag errors) are counted in [`SwitchStats`]; the rest
//! in the domain's [`crate::VniStats`].
//!
//! # Access and trunk ports (802.1Q)
//!
//! A port is either an access port ([`Switch::attach_port`]: untagged
//! frames, one VNI) or a trunk ([`Switch::attach_trunk_vlan`]: one VLAN ID
//! per VNI, tagged frames). A trunk is a member of each mapped VNI's
//! domain under the same [`PortId`]. See [`crate::vlan`] for the wire side.
//!
//! - On an access port a tagged frame is dropped
//!   ([`DropReason::VlanTagged`]).
//! - On a trunk an untagged frame or an unmapped VLAN is dropped
//!   ([`DropReason::VlanUnmapped`]). [`Switch::receive_port_in_place`]
//!   strips the tag in the caller's buffer and bridges the untagged frame
//!   in the VLAN's domain; the read-only [`Switch::receive_port`] cannot,
//!   and drops tagged frames from trunks as [`DropReason::VlanTagged`].
//! - Whatever goes out of a port in domain `vni` takes the tag
//!   [`EgressTags::vid`]`(port, vni)` (`None` for access ports): the
//!   driver pushes it ([`crate::vlan::push`] with 4 bytes of headroom, or
//!   [`crate::vlan::copy_tagged`] when the untagged frame is still needed
//!   for other copies). [`PortRx::egress`] and [`OverlayRx::egress`] carry
//!   the table, since the decision borrows the switch.
//! - A suppression reply to a trunk port is tagged by the switch.
//!
//! VNI and port counters count untagged bytes.
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
use core::ops::Range;
use std::collections::HashMap;

use vtepd_wire::vxlan::Vni;

use crate::bridge::{BridgeConfig, BridgeDomain, Forward};
use crate::mac_table::PortId;
use crate::stats::{Counter, DropCounters, DropReason};
use crate::time::Timestamp;
use crate::vlan;
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
    /// The port is a trunk (it cannot become an access port).
    #[error("port {0:?} is a VLAN trunk")]
    PortIsTrunk(PortId),
    /// The VLAN ID is not 1 to 4094.
    #[error("VLAN ID {0} is not 1 to 4094")]
    BadVlan(u16),
    /// The trunk maps the VLAN to a VNI already.
    #[error("VLAN {1} on port {0:?} is mapped to VNI {2}")]
    VlanInUse(PortId, u16, Vni),
    /// The trunk carries the VNI on another VLAN already.
    #[error("port {0:?} carries VNI {1} on VLAN {2}")]
    VniOnTrunk(PortId, Vni, u16),
}

/// How a local port carries its domains.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortMode<'a> {
    /// Untagged frames of one VNI.
    Access(Vni),
    /// Tagged frames; `(VLAN ID, VNI)` pairs sorted by VLAN ID.
    Trunk(&'a [(u16, Vni)]),
}

/// One trunk port's VLAN map, sorted by VLAN ID.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Trunk {
    port: PortId,
    vlans: Vec<(u16, Vni)>,
}

impl Trunk {
    fn vni_of(&self, vid: u16) -> Option<Vni> {
        self.vlans
            .binary_search_by_key(&vid, |(v, _)| *v)
            .ok()
            .and_then(|i| self.vlans.get(i))
            .map(|(_, n)| *n)
    }
}

/// The egress tags of the trunk ports, borrowed from the switch alongside a
/// decision (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EgressTags<'a> {
    trunks: &'a [Trunk],
}

impl EgressTags<'_> {
    /// The VLAN ID to tag a frame of `vni` with when it leaves `port`
    /// (`None`: send it untagged).
    pub fn vid(&self, port: PortId, vni: Vni) -> Option<u16> {
        self.trunks
            .iter()
            .find(|t| t.port == port)?
            .vlans
            .iter()
            .find(|(_, n)| *n == vni)
            .map(|(v, _)| *v)
    }

    /// Whether any port is a trunk (drivers can skip the lookups if not).
    pub fn any(&self) -> bool {
        !self.trunks.is_empty()
    }
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
    /// The tags to push on frames leaving trunk ports.
    pub egress: EgressTags<'s>,
}

/// A frame received from a local port and where it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortRx<'s> {
    /// The VNI of the port's domain (to encapsulate with).
    pub vni: Vni,
    /// The domain's decision.
    pub forward: Forward<'s>,
    /// The tags to push on frames leaving trunk ports.
    pub egress: EgressTags<'s>,
}

/// The bridge domains of one worker (see the module docs).
#[derive(Debug)]
pub struct Switch {
    vxlan: VxlanConfig,
    domains: HashMap<Vni, BridgeDomain>,
    ports: Vec<(PortId, Vni)>,
    trunks: Vec<Trunk>,
    stats: SwitchStats,
}

impl Switch {
    /// A switch with no domains.
    pub fn new(vxlan: VxlanConfig) -> Switch {
        Switch {
            vxlan,
            domains: HashMap::new(),
            ports: Vec::new(),
            trunks: Vec::new(),
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
        for t in self.trunks.iter_mut() {
            t.vlans.retain(|(_, v)| *v != vni);
        }
        self.trunks.retain(|t| !t.vlans.is_empty());
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
        if self.trunks.iter().any(|t| t.port == port) {
            return Err(SwitchError::PortIsTrunk(port));
        }
        let d = self
            .domains
            .get_mut(&vni)
            .ok_or(SwitchError::UnknownVni(vni))?;
        d.add_port(port);
        self.ports.push((port, vni));
        Ok(())
    }

    /// Map VLAN `vid` on trunk port `port` to the domain for `vni` (the
    /// port becomes, or stays, a trunk and joins the domain). One VLAN per
    /// VNI per trunk, so the egress tag is unambiguous.
    pub fn attach_trunk_vlan(
        &mut self,
        port: PortId,
        vid: u16,
        vni: Vni,
    ) -> Result<(), SwitchError> {
        if !vlan::vid_is_valid(vid) {
            return Err(SwitchError::BadVlan(vid));
        }
        if let Some((_, v)) = self.ports.iter().find(|(p, _)| *p == port) {
            return Err(SwitchError::PortInUse(port, *v));
        }
        if let Some(t) = self.trunks.iter().find(|t| t.port == port) {
            if let Some(n) = t.vni_of(vid) {
                return Err(SwitchError::VlanInUse(port, vid, n));
            }
            if let Some((v, _)) = t.vlans.iter().find(|(_, n)| *n == vni) {
                return Err(SwitchError::VniOnTrunk(port, vni, *v));
            }
        }
        let d = self
            .domains
            .get_mut(&vni)
            .ok_or(SwitchError::UnknownVni(vni))?;
        d.add_port(port);
        match self.trunks.iter_mut().find(|t| t.port == port) {
            Some(t) => {
                let i = t.vlans.partition_point(|(v, _)| *v < vid);
                t.vlans.insert(i, (vid, vni));
            }
            None => self.trunks.push(Trunk {
                port,
                vlans: vec![(vid, vni)],
            }),
        }
        Ok(())
    }

    /// Remove VLAN `vid` from trunk `port` (the port leaves that domain,
    /// flushing the MACs learnt on it there). Returns the VNI it mapped to.
    pub fn detach_trunk_vlan(&mut self, port: PortId, vid: u16) -> Option<Vni> {
        let ti = self.trunks.iter().position(|t| t.port == port)?;
        let t = self.trunks.get_mut(ti)?;
        let i = t.vlans.iter().position(|(v, _)| *v == vid)?;
        let (_, vni) = t.vlans.remove(i);
        if t.vlans.is_empty() {
            self.trunks.remove(ti);
        }
        if let Some(d) = self.domains.get_mut(&vni) {
            d.remove_port(port);
        }
        Some(vni)
    }

    /// How `port` is attached (`None`: not at all).
    pub fn port_mode(&self, port: PortId) -> Option<PortMode<'_>> {
        if let Some(v) = self.port_vni(port) {
            return Some(PortMode::Access(v));
        }
        self.trunks
            .iter()
            .find(|t| t.port == port)
            .map(|t| PortMode::Trunk(&t.vlans))
    }

    /// The egress tag table (see [`EgressTags`]).
    pub fn egress_tags(&self) -> EgressTags<'_> {
        EgressTags {
            trunks: &self.trunks,
        }
    }

    /// Detach a port from its domain (flushing the MACs learnt on it).
    /// Returns the VNI an access port was attached to; a trunk is detached
    /// from all its VLANs and `None` returned.
    pub fn detach_port(&mut self, port: PortId) -> Option<Vni> {
        if let Some(ti) = self.trunks.iter().position(|t| t.port == port) {
            let t = self.trunks.remove(ti);
            for (_, vni) in t.vlans {
                if let Some(d) = self.domains.get_mut(&vni) {
                    d.remove_port(port);
                }
            }
            return None;
        }
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

    /// The VNI of an untagged frame from `port` that cannot be stripped
    /// of a tag; counts the drop otherwise.
    fn read_only_vni(&mut self, port: PortId, frame: &[u8]) -> Result<Vni, DropReason> {
        let r = match self.ports.iter().find(|(p, _)| *p == port) {
            Some(_) if vlan::is_tagged(frame) => Err(DropReason::VlanTagged),
            Some((_, v)) => Ok(*v),
            None if self.trunks.iter().any(|t| t.port == port) => {
                if vlan::is_tagged(frame) {
                    Err(DropReason::VlanTagged)
                } else {
                    Err(DropReason::VlanUnmapped)
                }
            }
            None => Err(DropReason::UnknownPort),
        };
        if let Err(e) = r {
            self.stats.drops.add(e);
        }
        r
    }

    /// Decide for a frame of `wire_len` bytes from access port `port` of
    /// which only `headers` are at hand (a segment of a super-frame cut
    /// without copying its payload: see
    /// [`BridgeDomain::from_port_headers`]). No ARP/ND suppression; a
    /// trunk's frames are refused ([`DropReason::VlanUnmapped`]). Never
    /// allocates.
    pub fn receive_port_headers(
        &mut self,
        now: Timestamp,
        port: PortId,
        headers: &[u8],
        wire_len: usize,
    ) -> Result<PortRx<'_>, DropReason> {
        let vni = self.read_only_vni(port, headers)?;
        let Some(d) = self.domains.get_mut(&vni) else {
            self.stats.drops.add(DropReason::UnknownVni);
            return Err(DropReason::UnknownVni);
        };
        Ok(PortRx {
            vni,
            forward: d.from_port_headers(now, port, headers, wire_len),
            egress: EgressTags {
                trunks: &self.trunks,
            },
        })
    }

    /// Decide where a frame from local port `port` goes. Never allocates.
    /// A trunk's frames need [`receive_port_in_place`](Self::receive_port_in_place).
    pub fn receive_port(
        &mut self,
        now: Timestamp,
        port: PortId,
        frame: &[u8],
    ) -> Result<PortRx<'_>, DropReason> {
        let vni = self.read_only_vni(port, frame)?;
        let Some(d) = self.domains.get_mut(&vni) else {
            self.stats.drops.add(DropReason::UnknownVni);
            return Err(DropReason::UnknownVni);
        };
        Ok(PortRx {
            vni,
            forward: d.from_port(now, port, frame),
            egress: EgressTags {
                trunks: &self.trunks,
            },
        })
    }

    /// Decide where the frame in `buf[frame]` from local port `port` goes,
    /// for access and trunk ports alike: a trunk's tag is stripped in
    /// place ([`crate::vlan::pop`]) and the frame bridged in the VLAN's
    /// domain. Returns the range of the (untagged) frame in `buf` with the
    /// decision; forward and encapsulate that range.
    ///
    /// With `reply` (at least [`crate::suppress::MAX_REPLY_LEN`] +
    /// [`crate::vlan::TAG_LEN`] bytes) ARP/ND suppression answers as in
    /// [`receive_port_with_reply`](Self::receive_port_with_reply); a reply
    /// to a trunk is already tagged. Never allocates.
    pub fn receive_port_in_place(
        &mut self,
        now: Timestamp,
        port: PortId,
        buf: &mut [u8],
        frame: Range<usize>,
        reply: Option<&mut [u8]>,
    ) -> Result<(Range<usize>, PortRx<'_>), DropReason> {
        let (vni, range, vid) = match self.ports.iter().find(|(p, _)| *p == port) {
            Some((_, v)) => match buf.get(frame.clone()) {
                None => Err(DropReason::NoBufferRoom),
                Some(f) if vlan::is_tagged(f) => Err(DropReason::VlanTagged),
                Some(_) => Ok((*v, frame, None)),
            },
            None => match self.trunks.iter().find(|t| t.port == port) {
                None => Err(DropReason::UnknownPort),
                Some(t) => match vlan::pop(buf, frame) {
                    Err(e) => Err(e),
                    Ok((vid, r)) => match t.vni_of(vid) {
                        Some(v) => Ok((v, r, Some(vid))),
                        None => Err(DropReason::VlanUnmapped),
                    },
                },
            },
        }
        .inspect_err(|e| self.stats.drops.add(*e))?;
        let Some(d) = self.domains.get_mut(&vni) else {
            self.stats.drops.add(DropReason::UnknownVni);
            return Err(DropReason::UnknownVni);
        };
        let f = buf.get(range.clone()).unwrap_or(&[]);
        let forward = match (reply, vid) {
            (None, _) => d.from_port(now, port, f),
            (Some(out), None) => d.from_port_with_reply(now, port, f, out),
            (Some(out), Some(vid)) => {
                // Answer after 4 bytes of room, then tag in place.
                let room = vlan::TAG_LEN.min(out.len());
                let rest = out.get_mut(room..).unwrap_or(&mut []);
                match d.from_port_with_reply(now, port, f, rest) {
                    Forward::Reply { port: rp, len } => {
                        match vlan::push(out, vlan::TAG_LEN..vlan::TAG_LEN + len, vid) {
                            Ok(t) => Forward::Reply {
                                port: rp,
                                len: t.len(),
                            },
                            // The domain counted the reply; this cannot
                            // fail with the room reserved above.
                            Err(r) => Forward::Drop(r),
                        }
                    }
                    other => other,
                }
            }
        };
        Ok((
            range,
            PortRx {
                vni,
                forward,
                egress: EgressTags {
                    trunks: &self.trunks,
                },
            },
        ))
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
        let vni = self.read_only_vni(port, frame)?;
        let Some(d) = self.domains.get_mut(&vni) else {
            self.stats.drops.add(DropReason::UnknownVni);
            return Err(DropReason::UnknownVni);
        };
        Ok(PortRx {
            vni,
            forward: d.from_port_with_reply(now, port, frame, reply),
            egress: EgressTags {
                trunks: &self.trunks,
            },
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
            egress: EgressTags {
                trunks: &self.trunks,
            },
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

    fn tagged(vid: u16, f: &[u8]) -> Vec<u8> {
        let mut t = f[..12].to_vec();
        t.extend_from_slice(&[0x81, 0x00]);
        t.extend_from_slice(&vid.to_be_bytes());
        t.extend_from_slice(&f[12..]);
        t
    }

    /// Port 1 access in VNI 100; port 7 a trunk: VLAN 10 → 100, 20 → 200.
    fn trunk_switch() -> Switch {
        let mut s = switch();
        s.attach_trunk_vlan(PortId(7), 20, vni(200)).unwrap();
        s.attach_trunk_vlan(PortId(7), 10, vni(100)).unwrap();
        s
    }

    #[test]
    fn trunk_control_plane() {
        let mut s = trunk_switch();
        assert_eq!(
            s.port_mode(PortId(7)),
            Some(PortMode::Trunk(&[(10, vni(100)), (20, vni(200))]))
        );
        assert_eq!(s.port_mode(PortId(1)), Some(PortMode::Access(vni(100))));
        assert_eq!(s.port_mode(PortId(9)), None);
        assert_eq!(
            s.attach_trunk_vlan(PortId(7), 10, vni(200)),
            Err(SwitchError::VlanInUse(PortId(7), 10, vni(100)))
        );
        assert_eq!(
            s.attach_trunk_vlan(PortId(7), 30, vni(100)),
            Err(SwitchError::VniOnTrunk(PortId(7), vni(100), 10))
        );
        assert_eq!(
            s.attach_trunk_vlan(PortId(7), 4095, vni(100)),
            Err(SwitchError::BadVlan(4095))
        );
        assert_eq!(
            s.attach_trunk_vlan(PortId(1), 30, vni(100)),
            Err(SwitchError::PortInUse(PortId(1), vni(100)))
        );
        assert_eq!(
            s.attach_port(PortId(7), vni(100)),
            Err(SwitchError::PortIsTrunk(PortId(7)))
        );
        assert_eq!(
            s.attach_trunk_vlan(PortId(8), 30, vni(300)),
            Err(SwitchError::UnknownVni(vni(300)))
        );
        assert!(s.domain(vni(200)).unwrap().ports().contains(&PortId(7)));
        assert_eq!(s.egress_tags().vid(PortId(7), vni(200)), Some(20));
        assert_eq!(s.egress_tags().vid(PortId(1), vni(100)), None);
        assert_eq!(s.detach_trunk_vlan(PortId(7), 20), Some(vni(200)));
        assert!(!s.domain(vni(200)).unwrap().ports().contains(&PortId(7)));
        assert_eq!(s.egress_tags().vid(PortId(7), vni(200)), None);
        assert_eq!(s.detach_port(PortId(7)), None);
        assert!(!s.domain(vni(100)).unwrap().ports().contains(&PortId(7)));
        assert_eq!(s.port_mode(PortId(7)), None);
        assert!(!s.egress_tags().any());
        // Removing a domain drops its VLAN from trunks.
        let mut s = trunk_switch();
        s.remove_domain(vni(200));
        assert_eq!(
            s.port_mode(PortId(7)),
            Some(PortMode::Trunk(&[(10, vni(100))]))
        );
    }

    #[test]
    fn trunk_frames_are_stripped_bridged_and_tagged_out() {
        let mut s = trunk_switch();
        // A broadcast in VLAN 20 on the trunk: stripped, bridged in 200.
        let f = frame(EthernetAddress::BROADCAST, mac(1));
        let t = tagged(20, &f);
        let mut buf = vec![0u8; 64 + t.len()];
        buf[64..].copy_from_slice(&t);
        let (r, rx) = s
            .receive_port_in_place(T0, PortId(7), &mut buf, 64..64 + t.len(), None)
            .unwrap();
        assert_eq!(rx.vni, vni(200));
        assert_eq!(r, 68..64 + t.len());
        match rx.forward {
            Forward::Flood(fl) => {
                let out: Vec<_> = fl
                    .local_ports()
                    .map(|p| (p, rx.egress.vid(p, rx.vni)))
                    .collect();
                assert_eq!(out, vec![(PortId(3), None)]);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(&buf[r.clone()], &f[..]);
        assert_eq!(
            s.domain(vni(200)).unwrap().macs().lookup(&mac(1)),
            Some(Destination::Local(PortId(7)))
        );
        assert!(s.domain(vni(100)).unwrap().macs().lookup(&mac(1)).is_none());
        // Encapsulated untagged (RFC 7348 §6.1).
        let p = vxlan::encap(&mut buf, r, vni(200)).unwrap();
        assert_eq!(&buf[p.start + 8..p.end], &f[..]);

        // The answer from port 3 (access, VNI 200) goes out of the trunk
        // with tag 20, pushed in place into the headroom.
        let back = frame(mac(1), mac(2));
        let mut buf = vec![0u8; 64 + back.len()];
        buf[64..].copy_from_slice(&back);
        let (r, rx) = s
            .receive_port_in_place(T0, PortId(3), &mut buf, 64..64 + back.len(), None)
            .unwrap();
        assert_eq!(rx.forward, Forward::Local(PortId(7)));
        let vid = rx.egress.vid(PortId(7), rx.vni).unwrap();
        let out = vlan::push(&mut buf, r, vid).unwrap();
        assert_eq!(&buf[out], &tagged(20, &back)[..]);

        // From the overlay in VNI 100: flooded to port 1, 2 (untagged) and
        // the trunk (tag 10).
        let mut ov = vec![0x08, 0, 0, 0, 0, 0, 100, 0];
        ov.extend_from_slice(&frame(EthernetAddress::BROADCAST, mac(9)));
        let orx = s.receive_overlay(T0, vtep(1), &ov).unwrap();
        match orx.forward {
            Forward::Flood(fl) => {
                let out: Vec<_> = fl
                    .local_ports()
                    .map(|p| (p, orx.egress.vid(p, orx.vni)))
                    .collect();
                assert_eq!(
                    out,
                    vec![(PortId(1), None), (PortId(2), None), (PortId(7), Some(10))]
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn vlan_errors_are_counted() {
        let mut s = trunk_switch();
        let f = frame(mac(2), mac(1));
        // Tagged on an access port.
        let t = tagged(10, &f);
        assert_eq!(
            s.receive_port(T0, PortId(1), &t).unwrap_err(),
            DropReason::VlanTagged
        );
        let mut buf = t.clone();
        assert_eq!(
            s.receive_port_in_place(T0, PortId(1), &mut buf, 0..t.len(), None)
                .unwrap_err(),
            DropReason::VlanTagged
        );
        // Unmapped VLAN, untagged and priority-tagged frames on the trunk.
        for bad in [tagged(30, &f), f.clone(), tagged(0, &f)] {
            let mut buf = bad.clone();
            assert_eq!(
                s.receive_port_in_place(T0, PortId(7), &mut buf, 0..bad.len(), None)
                    .unwrap_err(),
                DropReason::VlanUnmapped
            );
        }
        // The read-only path cannot strip a trunk's tag.
        assert_eq!(
            s.receive_port(T0, PortId(7), &t).unwrap_err(),
            DropReason::VlanTagged
        );
        assert_eq!(
            s.receive_port(T0, PortId(7), &f).unwrap_err(),
            DropReason::VlanUnmapped
        );
        // A tagged runt.
        let mut buf = t.clone();
        assert_eq!(
            s.receive_port_in_place(T0, PortId(7), &mut buf, 0..17, None)
                .unwrap_err(),
            DropReason::Runt
        );
        let st = s.stats();
        assert_eq!(st.drops.get(DropReason::VlanTagged), 3);
        assert_eq!(st.drops.get(DropReason::VlanUnmapped), 4);
        assert_eq!(st.drops.get(DropReason::Runt), 1);
        // Nothing learnt anywhere.
        assert!(s.domain(vni(100)).unwrap().macs().is_empty());
        assert!(s.domain(vni(200)).unwrap().macs().is_empty());
    }

    #[test]
    fn suppression_reply_to_trunk_is_tagged() {
        use crate::suppress::{SuppressConfig, MAX_REPLY_LEN};
        let mut s = Switch::new(VxlanConfig::default());
        let cfg = BridgeConfig {
            suppress: Some(SuppressConfig::default()),
            ..BridgeConfig::default()
        };
        s.add_domain(vni(100), cfg).unwrap();
        s.attach_trunk_vlan(PortId(7), 10, vni(100)).unwrap();
        s.domain_mut(vni(100))
            .unwrap()
            .suppress_mut()
            .unwrap()
            .install(T0, IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2)), mac(2), false)
            .unwrap();
        // ARP request who-has 10.0.0.2 tell 10.0.0.1, in VLAN 10.
        let mut arp = Vec::new();
        arp.extend_from_slice(&[0xff; 6]);
        arp.extend_from_slice(&mac(1).0);
        arp.extend_from_slice(&[0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 1]);
        arp.extend_from_slice(&mac(1).0);
        arp.extend_from_slice(&[10, 0, 0, 1]);
        arp.extend_from_slice(&[0; 6]);
        arp.extend_from_slice(&[10, 0, 0, 2]);
        arp.resize(60, 0);
        let t = tagged(10, &arp);
        let mut buf = t.clone();
        let mut reply = [0u8; MAX_REPLY_LEN + vlan::TAG_LEN];
        let (_, rx) = s
            .receive_port_in_place(T0, PortId(7), &mut buf, 0..t.len(), Some(&mut reply))
            .unwrap();
        let Forward::Reply { port, len } = rx.forward else {
            panic!("{:?}", rx.forward);
        };
        assert_eq!(port, PortId(7));
        let r = &reply[..len];
        assert_eq!(&r[..6], &mac(1).0);
        assert_eq!(&r[6..12], &mac(2).0);
        assert_eq!(&r[12..16], &[0x81, 0x00, 0x00, 0x0a]);
        assert_eq!(&r[16..18], &[0x08, 0x06]);
        // ARP reply opcode, sender 10.0.0.2 is mac(2).
        assert_eq!(&r[24..26], &[0, 2]);
        assert_eq!(&r[26..32], &mac(2).0);
        assert_eq!(&r[32..36], &[10, 0, 0, 2]);
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
