//! Building blocks of EVPN topologies that many interop tests share: a
//! bridged L2 VNI with a host behind it, and FRR's bgpd configuration for
//! an EVPN VTEP.

use std::fmt::Write as _;
use std::net::IpAddr;

use crate::{Bridge, Lab, Netns, Result, Veth, Vxlan};

/// One L2 VNI on a VTEP namespace: bridge `br<VNI>`, VXLAN device
/// `vxlan<VNI>` (a port of it, `neigh_suppress off learning off`) and a host
/// namespace whose `eth0` is another port (veth `h<VNI>` on the VTEP side).
/// Fields drop in declaration order: links first, the host namespace last.
#[derive(Debug)]
pub struct L2Segment {
    /// The host's veth pair (`h<VNI>` in the VTEP, `eth0` in the host).
    pub host_link: Veth,
    /// `vxlan<VNI>`.
    pub vxlan: Vxlan,
    /// `br<VNI>`.
    pub bridge: Bridge,
    /// The host namespace.
    pub host: Netns,
}

/// What [`L2Segment::create`] builds.
#[derive(Debug, Clone)]
pub struct L2SegmentSpec<'a> {
    /// The VNI (also names the devices).
    pub vni: u32,
    /// The VTEP's underlay (or loopback) address, the VXLAN `local`.
    pub local: IpAddr,
    /// The underlay device (`dev`), if the VXLAN device should be bound.
    pub underlay_dev: Option<&'a str>,
    /// MTU of the VXLAN device and the host link (1450 for a 1500 IPv4
    /// underlay, 1430 for IPv6).
    pub mtu: u32,
    /// Short name of the host namespace.
    pub host_name: &'a str,
    /// MAC of the host's `eth0`.
    pub host_mac: &'a str,
    /// Addresses (CIDR) of the host's `eth0`.
    pub host_addrs: &'a [&'a str],
    /// Static remote VTEPs (flood entries) for a topology without a
    /// control plane; empty when FRR or vtepd installs them.
    pub static_remotes: &'a [IpAddr],
}

impl L2Segment {
    /// Build the segment on `vtep` (a namespace of `lab`).
    pub fn create(lab: &Lab, vtep: &Netns, spec: &L2SegmentSpec<'_>) -> Result<L2Segment> {
        let host = lab.netns(spec.host_name)?;
        let br_name = format!("br{}", spec.vni);
        let bridge = vtep.bridge(&br_name, None)?;
        let name = format!("vxlan{}", spec.vni);
        let mut vxb = Vxlan::builder(&name, spec.vni, spec.local)
            .mtu(spec.mtu)
            .bridge(&br_name);
        if let Some(dev) = spec.underlay_dev {
            vxb = vxb.dev(dev);
        }
        for r in spec.static_remotes {
            vxb = vxb.remote(*r);
        }
        let vxlan = vxb.create(vtep)?;
        let host_if = format!("h{}", spec.vni);
        let host_link = Veth::pair(vtep, &host_if, &host, "eth0")
            .mtu(spec.mtu)
            .mac_b(spec.host_mac)
            .addrs_b(spec.host_addrs)
            .create()?;
        bridge.add_port(&host_if)?;
        Ok(L2Segment {
            host_link,
            vxlan,
            bridge,
            host,
        })
    }
}

/// bgpd configuration of an EVPN VTEP with short timers, rendered by
/// [`EvpnBgpConf::render`].
#[derive(Debug, Clone)]
pub struct EvpnBgpConf<'a> {
    /// `hostname`.
    pub hostname: &'a str,
    /// Local AS.
    pub asn: u32,
    /// `bgp router-id`.
    pub router_id: &'a str,
    /// Neighbours: (address or interface name, remote AS or `internal` /
    /// `external`). An interface name makes an unnumbered neighbour
    /// (`neighbor IF interface remote-as ...`).
    pub neighbors: &'a [(&'a str, &'a str)],
    /// `advertise-all-vni` (FRR originates type-2/3 for its VNIs).
    pub advertise_all_vni: bool,
    /// `advertise ipv4 unicast` in l2vpn evpn (type-5 of the ipv4 table,
    /// with the L3VNI configured in zebra).
    pub advertise_ipv4: bool,
    /// Networks for `address-family ipv4 unicast` / `network ...`.
    pub ipv4_networks: &'a [&'a str],
    /// Also activate the neighbours in ipv4 unicast (e.g. to carry the
    /// VTEP loopbacks over an unnumbered session).
    pub ipv4_unicast: bool,
    /// Extra lines appended inside `router bgp`.
    pub extra: &'a str,
}

impl Default for EvpnBgpConf<'_> {
    fn default() -> Self {
        EvpnBgpConf {
            hostname: "frr",
            asn: 65000,
            router_id: "10.0.0.1",
            neighbors: &[],
            advertise_all_vni: true,
            advertise_ipv4: false,
            ipv4_networks: &[],
            ipv4_unicast: false,
            extra: "",
        }
    }
}

impl EvpnBgpConf<'_> {
    /// The bgpd.conf text: timers 3/9, connect retry 1 s,
    /// advertisement-interval 0, no default ipv4-unicast, no network
    /// import check, EBGP without policy requirement.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "hostname {}", self.hostname);
        let _ = writeln!(s, "router bgp {}", self.asn);
        let _ = writeln!(s, " bgp router-id {}", self.router_id);
        s.push_str(" no bgp default ipv4-unicast\n no bgp network import-check\n");
        s.push_str(" no bgp ebgp-requires-policy\n timers bgp 3 9\n");
        for (peer, remote) in self.neighbors {
            let unnumbered = peer.parse::<IpAddr>().is_err();
            if unnumbered {
                let _ = writeln!(s, " neighbor {peer} interface remote-as {remote}");
            } else {
                let _ = writeln!(s, " neighbor {peer} remote-as {remote}");
            }
            let _ = writeln!(s, " neighbor {peer} timers connect 1");
            let _ = writeln!(s, " neighbor {peer} advertisement-interval 0");
        }
        s.push_str(self.extra);
        if self.ipv4_unicast || !self.ipv4_networks.is_empty() {
            s.push_str(" address-family ipv4 unicast\n");
            for n in self.ipv4_networks {
                let _ = writeln!(s, "  network {n}");
            }
            if self.ipv4_unicast {
                for (peer, _) in self.neighbors {
                    let _ = writeln!(s, "  neighbor {peer} activate");
                }
            }
            s.push_str(" exit-address-family\n");
        }
        s.push_str(" address-family l2vpn evpn\n");
        for (peer, _) in self.neighbors {
            let _ = writeln!(s, "  neighbor {peer} activate");
        }
        if self.advertise_all_vni {
            s.push_str("  advertise-all-vni\n");
        }
        if self.advertise_ipv4 {
            s.push_str("  advertise ipv4 unicast\n");
        }
        s.push_str(" exit-address-family\n!\n");
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_numbered_and_unnumbered_neighbours() {
        let c = EvpnBgpConf {
            hostname: "v1",
            router_id: "10.0.0.1",
            neighbors: &[("10.0.0.2", "internal"), ("eth-u", "external")],
            ipv4_networks: &["10.50.0.0/24"],
            ..Default::default()
        }
        .render();
        assert!(c.contains(" neighbor 10.0.0.2 remote-as internal\n"));
        assert!(c.contains(" neighbor eth-u interface remote-as external\n"));
        assert!(c.contains("  network 10.50.0.0/24\n"));
        assert!(c.contains("  neighbor eth-u activate\n  advertise-all-vni\n"));
        assert!(!c.contains("advertise ipv4 unicast"));
    }
}
