//! Building blocks of EVPN topologies that many interop tests share: two
//! namespaces on one underlay link ([`Pair`]), a hub namespace linked to
//! several spokes ([`Star`]), a bridged L2 VNI with a host behind it, FRR's
//! bgpd configuration for an EVPN VTEP and GoBGP's `gobgpd` configuration.

use std::fmt::Write as _;
use std::net::IpAddr;

use crate::{Bridge, Frr, Lab, Netns, Result, Veth, Vxlan};

/// Two namespaces joined by the veth pair `u0`–`u0` on 10.0.0.0/24:
/// 10.0.0.1 in `a`, 10.0.0.2 in `b`. Fields drop in declaration order: the
/// link first, then the namespaces.
#[derive(Debug)]
pub struct Pair {
    /// The veth pair (`u0` in both namespaces).
    pub link: Veth,
    /// The namespace holding 10.0.0.1.
    pub a: Netns,
    /// The namespace holding 10.0.0.2.
    pub b: Netns,
}

impl Pair {
    /// Create namespaces `a` and `b` (short names) of `lab` and link them.
    pub fn create(lab: &Lab, a: &str, b: &str) -> Result<Pair> {
        let a = lab.netns(a)?;
        let b = lab.netns(b)?;
        let link = Veth::pair(&a, "u0", &b, "u0")
            .addrs_a(&["10.0.0.1/24"])
            .addrs_b(&["10.0.0.2/24"])
            .create()?;
        Ok(Pair { link, a, b })
    }
}

/// A hub namespace with one link to each spoke: spoke `i` (counting from 1)
/// is reached over the veth pair `u<i>` (hub) – `u0` (spoke) on
/// 10.0.`i`.0/24, the hub holding 10.0.`i`.1 and the spoke 10.0.`i`.2.
/// Fields drop in declaration order: links first, then the namespaces.
#[derive(Debug)]
pub struct Star {
    /// The links, in the order of the spokes.
    pub links: Vec<Veth>,
    /// The spoke namespaces, in the order given.
    pub spokes: Vec<Netns>,
    /// The hub namespace.
    pub hub: Netns,
}

impl Star {
    /// Create namespace `hub` and one namespace per name in `spokes` (short
    /// names) and link each spoke to the hub.
    pub fn create(lab: &Lab, hub: &str, spokes: &[&str]) -> Result<Star> {
        let hub = lab.netns(hub)?;
        let mut star = Star {
            links: Vec::new(),
            spokes: Vec::new(),
            hub,
        };
        for (i, name) in spokes.iter().enumerate() {
            let n = i + 1;
            let spoke = lab.netns(name)?;
            let hub_addr = format!("10.0.{n}.1/24");
            let spoke_addr = format!("10.0.{n}.2/24");
            let link = Veth::pair(&star.hub, &format!("u{n}"), &spoke, "u0")
                .addrs_a(&[hub_addr.as_str()])
                .addrs_b(&[spoke_addr.as_str()])
                .create()?;
            star.links.push(link);
            star.spokes.push(spoke);
        }
        Ok(star)
    }
}

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

/// Start FRR on VTEP number `n` of an unnumbered eBGP pair over `u0`:
/// zebra sends router advertisements on `u0` every 3 s (so the peer learns
/// the link-local next hop), bgpd is AS 65000+`n` with router ID `loopback`,
/// has the unnumbered neighbour `u0` (`external`) in l2vpn evpn (all VNIs)
/// and ipv4 unicast, and announces `loopback`/32.
pub fn unnumbered_evpn_frr(vtep: &Netns, n: u8, loopback: &str) -> Result<Frr> {
    let zebra = format!(
        "hostname vtep{n}\ninterface u0\n ipv6 nd ra-interval 3\n no ipv6 nd suppress-ra\n!\n"
    );
    let bgpd = EvpnBgpConf {
        hostname: &format!("vtep{n}"),
        asn: 65000 + u32::from(n),
        router_id: loopback,
        neighbors: &[("u0", "external")],
        ipv4_unicast: true,
        ipv4_networks: &[&format!("{loopback}/32")],
        ..Default::default()
    }
    .render();
    vtep.frr(&zebra, Some(&bgpd))
}

/// `gobgpd` configuration (TOML) built neighbour by neighbour and rendered
/// by [`GobgpdConf::render`]: the global AS and router ID (BGP port 179)
/// and, for every neighbour, its address, peer AS, the short timers of the
/// lab (connect retry 1 s, hold time 9 s, keepalive 3 s) and its AFI/SAFIs
/// in GoBGP's names (`l2vpn-evpn`, `ipv4-unicast`, `ipv6-unicast`,
/// `l3vpn-ipv4-unicast`, ...).
#[derive(Debug, Clone)]
pub struct GobgpdConf {
    asn: u32,
    router_id: String,
    neighbors: Vec<(String, u32, Vec<String>)>,
    hold_time: u16,
    /// Graceful restart for every neighbour and family: restart time, and
    /// the N bit of RFC 8538 (`notification-enabled`).
    graceful_restart: Option<(u16, bool)>,
}

impl GobgpdConf {
    /// A configuration with global AS `asn` and router ID `router_id` and
    /// no neighbours yet.
    pub fn new(asn: u32, router_id: &str) -> GobgpdConf {
        GobgpdConf {
            asn,
            router_id: router_id.to_owned(),
            neighbors: Vec::new(),
            hold_time: 9,
            graceful_restart: None,
        }
    }

    /// Hold time `secs` (keepalive a third of it) instead of 9 s.
    pub fn hold_time(mut self, secs: u16) -> GobgpdConf {
        self.hold_time = secs;
        self
    }

    /// Graceful restart (RFC 4724) with `restart_time` seconds for every
    /// neighbour and family, with the N bit of RFC 8538 if `notification`.
    pub fn graceful_restart(mut self, restart_time: u16, notification: bool) -> GobgpdConf {
        self.graceful_restart = Some((restart_time, notification));
        self
    }

    /// Add neighbour `address` of AS `peer_as`, negotiating `afi_safis`.
    pub fn neighbor(mut self, address: &str, peer_as: u32, afi_safis: &[&str]) -> GobgpdConf {
        self.neighbors.push((
            address.to_owned(),
            peer_as,
            afi_safis.iter().map(|f| (*f).to_owned()).collect(),
        ));
        self
    }

    /// The TOML text for `gobgpd -t toml`.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "[global.config]");
        let _ = writeln!(s, "  as = {}", self.asn);
        let _ = writeln!(s, "  router-id = \"{}\"", self.router_id);
        let _ = writeln!(s, "  port = 179");
        for (address, peer_as, afi_safis) in &self.neighbors {
            let _ = writeln!(s, "\n[[neighbors]]");
            let _ = writeln!(s, "  [neighbors.config]");
            let _ = writeln!(s, "    neighbor-address = \"{address}\"");
            let _ = writeln!(s, "    peer-as = {peer_as}");
            let _ = writeln!(s, "  [neighbors.timers.config]");
            let _ = writeln!(s, "    connect-retry = 1");
            let _ = writeln!(s, "    hold-time = {}", self.hold_time);
            let _ = writeln!(
                s,
                "    keepalive-interval = {}",
                (self.hold_time / 3).max(1)
            );
            if let Some((restart, notification)) = self.graceful_restart {
                let _ = writeln!(s, "  [neighbors.graceful-restart.config]");
                let _ = writeln!(s, "    enabled = true");
                let _ = writeln!(s, "    restart-time = {restart}");
                if notification {
                    let _ = writeln!(s, "    notification-enabled = true");
                }
            }
            for f in afi_safis {
                let _ = writeln!(s, "  [[neighbors.afi-safis]]");
                let _ = writeln!(s, "    [neighbors.afi-safis.config]");
                let _ = writeln!(s, "      afi-safi-name = \"{f}\"");
                if self.graceful_restart.is_some() {
                    let _ = writeln!(s, "    [neighbors.afi-safis.mp-graceful-restart.config]");
                    let _ = writeln!(s, "      enabled = true");
                }
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_gobgpd_neighbours_with_timers_and_families() {
        let c = GobgpdConf::new(65000, "10.0.0.2")
            .neighbor("10.0.0.1", 65000, &["l2vpn-evpn", "ipv4-unicast"])
            .render();
        let want = r#"[global.config]
  as = 65000
  router-id = "10.0.0.2"
  port = 179

[[neighbors]]
  [neighbors.config]
    neighbor-address = "10.0.0.1"
    peer-as = 65000
  [neighbors.timers.config]
    connect-retry = 1
    hold-time = 9
    keepalive-interval = 3
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "l2vpn-evpn"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
"#;
        assert_eq!(c, want);

        let gr = GobgpdConf::new(65000, "10.0.0.2")
            .neighbor("10.0.0.1", 65000, &["ipv4-unicast"])
            .hold_time(3)
            .graceful_restart(30, true)
            .render();
        assert!(
            gr.contains("    hold-time = 3\n    keepalive-interval = 1\n"),
            "{gr}"
        );
        assert!(gr.contains(
            "  [neighbors.graceful-restart.config]\n    enabled = true\n    \
             restart-time = 30\n    notification-enabled = true\n"
        ));
        assert!(gr.contains(
            "      afi-safi-name = \"ipv4-unicast\"\n    \
             [neighbors.afi-safis.mp-graceful-restart.config]\n      enabled = true\n"
        ));
    }

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
