//! Links and addresses: veth pairs, bridges, VXLAN devices, addresses and
//! routes, each removed when its handle drops.

use std::net::IpAddr;

use anyhow::bail;

use crate::cmd::run_ignore;
use crate::{Netns, Result};

fn check_ifname(name: &str) -> Result<()> {
    if name.is_empty()
        || name.len() > 15
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
    {
        bail!("interface name {name:?}: 1 to 15 of [A-Za-z0-9._-]");
    }
    Ok(())
}

/// A veth pair between two namespaces (or inside one); deleting one end
/// deletes both.
#[derive(Debug)]
pub struct Veth {
    ns_a: String,
    name_a: String,
    ns_b: String,
    name_b: String,
}

/// Builder of a [`Veth`]: MTU (default 1500), optional addresses and MACs.
/// Without addresses an end only has its IPv6 link-local address.
#[derive(Debug)]
#[must_use = "call .create()"]
pub struct VethBuilder<'a> {
    a: &'a Netns,
    name_a: &'a str,
    b: &'a Netns,
    name_b: &'a str,
    mtu: u32,
    addrs_a: Vec<String>,
    addrs_b: Vec<String>,
    mac_a: Option<String>,
    mac_b: Option<String>,
    up: bool,
}

impl Veth {
    /// Start building the pair `a:name_a` <-> `b:name_b`.
    pub fn pair<'a>(
        a: &'a Netns,
        name_a: &'a str,
        b: &'a Netns,
        name_b: &'a str,
    ) -> VethBuilder<'a> {
        VethBuilder {
            a,
            name_a,
            b,
            name_b,
            mtu: 1500,
            addrs_a: Vec::new(),
            addrs_b: Vec::new(),
            mac_a: None,
            mac_b: None,
            up: true,
        }
    }

    /// `(namespace, interface)` of the A end.
    pub fn a(&self) -> (&str, &str) {
        (&self.ns_a, &self.name_a)
    }

    /// `(namespace, interface)` of the B end.
    pub fn b(&self) -> (&str, &str) {
        (&self.ns_b, &self.name_b)
    }
}

impl VethBuilder<'_> {
    /// MTU of both ends.
    pub fn mtu(mut self, mtu: u32) -> Self {
        self.mtu = mtu;
        self
    }

    /// Addresses (CIDR, IPv4 or IPv6) of the A end.
    pub fn addrs_a(mut self, addrs: &[&str]) -> Self {
        self.addrs_a = addrs.iter().map(|s| (*s).to_owned()).collect();
        self
    }

    /// Addresses (CIDR, IPv4 or IPv6) of the B end.
    pub fn addrs_b(mut self, addrs: &[&str]) -> Self {
        self.addrs_b = addrs.iter().map(|s| (*s).to_owned()).collect();
        self
    }

    /// MAC address of the A end.
    pub fn mac_a(mut self, mac: &str) -> Self {
        self.mac_a = Some(mac.to_owned());
        self
    }

    /// MAC address of the B end.
    pub fn mac_b(mut self, mac: &str) -> Self {
        self.mac_b = Some(mac.to_owned());
        self
    }

    /// Leave both ends down (e.g. to enslave one to a bridge first).
    pub fn down(mut self) -> Self {
        self.up = false;
        self
    }

    /// Create the pair, set MTU/MACs/addresses and bring both ends up.
    pub fn create(self) -> Result<Veth> {
        check_ifname(self.name_a)?;
        check_ifname(self.name_b)?;
        crate::run(
            "ip",
            &[
                "link",
                "add",
                "name",
                self.name_a,
                "netns",
                self.a.name(),
                "mtu",
                &self.mtu.to_string(),
                "type",
                "veth",
                "peer",
                "name",
                self.name_b,
                "netns",
                self.b.name(),
                "mtu",
                &self.mtu.to_string(),
            ],
        )?;
        let veth = Veth {
            ns_a: self.a.name().to_owned(),
            name_a: self.name_a.to_owned(),
            ns_b: self.b.name().to_owned(),
            name_b: self.name_b.to_owned(),
        };
        for (ns, name, mac, addrs) in [
            (self.a, self.name_a, &self.mac_a, &self.addrs_a),
            (self.b, self.name_b, &self.mac_b, &self.addrs_b),
        ] {
            if let Some(mac) = mac {
                ns.set_mac(name, mac)?;
            }
            ns.sysctl(&format!("net/ipv6/conf/{name}/accept_dad"), "0")?;
            for a in addrs {
                ns.add_addr(name, a)?;
            }
            if self.up {
                ns.link_up(name)?;
            }
        }
        Ok(veth)
    }
}

impl Drop for Veth {
    fn drop(&mut self) {
        run_ignore("ip", &["-n", &self.ns_a, "link", "del", &self.name_a]);
    }
}

/// A kernel bridge (STP off; this kernel has no VLAN filtering), deleted on drop.
#[derive(Debug)]
pub struct Bridge {
    ns: String,
    name: String,
}

impl Bridge {
    /// Create bridge `name` in `ns` and bring it up. `mtu` defaults to the
    /// kernel's choice (it follows the smallest port).
    pub fn create(ns: &Netns, name: &str, mtu: Option<u32>) -> Result<Bridge> {
        check_ifname(name)?;
        let mut args = vec![
            "link".to_owned(),
            "add".to_owned(),
            "name".to_owned(),
            name.to_owned(),
        ];
        if let Some(m) = mtu {
            args.extend(["mtu".to_owned(), m.to_string()]);
        }
        args.extend(["type", "bridge", "stp_state", "0"].map(str::to_owned));
        ns.ip(&args)?;
        let br = Bridge {
            ns: ns.name().to_owned(),
            name: name.to_owned(),
        };
        ns.sysctl(&format!("net/ipv6/conf/{name}/accept_dad"), "0")?;
        ns.link_up(name)?;
        Ok(br)
    }

    /// The bridge's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Make `ifname` (in the bridge's namespace) a port and bring it up.
    pub fn add_port(&self, ifname: &str) -> Result<()> {
        crate::run(
            "ip",
            &[
                "-n", &self.ns, "link", "set", "dev", ifname, "master", &self.name, "up",
            ],
        )
        .map(drop)
    }
}

impl Drop for Bridge {
    fn drop(&mut self) {
        run_ignore("ip", &["-n", &self.ns, "link", "del", &self.name]);
    }
}

/// A kernel VXLAN device (`nolearning`; as a bridge port with
/// `neigh_suppress off learning off`), deleted on drop.
#[derive(Debug)]
pub struct Vxlan {
    ns: String,
    name: String,
    vni: u32,
}

/// Builder of a [`Vxlan`].
#[derive(Debug)]
#[must_use = "call .create()"]
pub struct VxlanBuilder<'a> {
    name: &'a str,
    vni: u32,
    local: IpAddr,
    dev: Option<&'a str>,
    dstport: u16,
    mtu: u32,
    bridge: Option<&'a str>,
    remotes: Vec<IpAddr>,
}

impl Vxlan {
    /// `ip link add NAME type vxlan id VNI dstport 4789 local LOCAL nolearning`
    /// (MTU 1450 unless set).
    pub fn builder(name: &str, vni: u32, local: IpAddr) -> VxlanBuilder<'_> {
        VxlanBuilder {
            name,
            vni,
            local,
            dev: None,
            dstport: 4789,
            mtu: 1450,
            bridge: None,
            remotes: Vec::new(),
        }
    }

    /// The device name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The VNI.
    pub fn vni(&self) -> u32 {
        self.vni
    }
}

impl<'a> VxlanBuilder<'a> {
    /// The underlay device (`dev IF`).
    pub fn dev(mut self, dev: &'a str) -> Self {
        self.dev = Some(dev);
        self
    }

    /// The UDP destination port (default 4789).
    pub fn dstport(mut self, port: u16) -> Self {
        self.dstport = port;
        self
    }

    /// The device MTU (default 1450, for a 1500 IPv4 underlay).
    pub fn mtu(mut self, mtu: u32) -> Self {
        self.mtu = mtu;
        self
    }

    /// Enslave to this bridge with `neigh_suppress off learning off`.
    pub fn bridge(mut self, bridge: &'a str) -> Self {
        self.bridge = Some(bridge);
        self
    }

    /// A static remote VTEP: an all-zero FDB entry (flood) to it. Use this
    /// for a kernel-only topology without a control plane.
    pub fn remote(mut self, remote: IpAddr) -> Self {
        self.remotes.push(remote);
        self
    }

    /// Create the device in `ns` and bring it up.
    pub fn create(self, ns: &Netns) -> Result<Vxlan> {
        check_ifname(self.name)?;
        let mut args: Vec<String> = [
            "link",
            "add",
            "name",
            self.name,
            "mtu",
            &self.mtu.to_string(),
            "type",
            "vxlan",
            "id",
            &self.vni.to_string(),
            "dstport",
            &self.dstport.to_string(),
            "local",
            &self.local.to_string(),
            "nolearning",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        if let Some(dev) = self.dev {
            args.extend(["dev".to_owned(), dev.to_owned()]);
        }
        ns.ip(&args)?;
        let vx = Vxlan {
            ns: ns.name().to_owned(),
            name: self.name.to_owned(),
            vni: self.vni,
        };
        ns.sysctl(&format!("net/ipv6/conf/{}/accept_dad", self.name), "0")?;
        if let Some(br) = self.bridge {
            ns.ip(&["link", "set", "dev", self.name, "master", br])?;
            ns.bridge_cmd(&[
                "link",
                "set",
                "dev",
                self.name,
                "neigh_suppress",
                "off",
                "learning",
                "off",
            ])?;
        }
        for r in &self.remotes {
            ns.fdb_append("00:00:00:00:00:00", self.name, *r)?;
        }
        ns.link_up(self.name)?;
        Ok(vx)
    }
}

impl Drop for Vxlan {
    fn drop(&mut self) {
        run_ignore("ip", &["-n", &self.ns, "link", "del", &self.name]);
    }
}

/// An address on an interface, removed on drop.
#[derive(Debug)]
#[must_use = "the address is removed when this guard is dropped"]
pub struct Address {
    ns: String,
    dev: String,
    cidr: String,
}

impl Address {
    pub(crate) fn new(ns: &str, dev: &str, cidr: &str) -> Address {
        Address {
            ns: ns.to_owned(),
            dev: dev.to_owned(),
            cidr: cidr.to_owned(),
        }
    }

    /// The address in CIDR notation.
    pub fn cidr(&self) -> &str {
        &self.cidr
    }

    /// Keep the address for the lifetime of its interface or namespace
    /// instead of removing it when the guard drops.
    pub fn persist(self) {
        std::mem::forget(self);
    }

    /// The address without its prefix length.
    pub fn ip(&self) -> &str {
        self.cidr.split('/').next().unwrap_or(&self.cidr)
    }
}

impl Drop for Address {
    fn drop(&mut self) {
        run_ignore(
            "ip",
            &["-n", &self.ns, "addr", "del", &self.cidr, "dev", &self.dev],
        );
    }
}

/// A kernel route, removed on drop.
#[derive(Debug)]
#[must_use = "the route is removed when this guard is dropped"]
pub struct Route {
    ns: String,
    spec: Vec<String>,
}

impl Route {
    pub(crate) fn new(ns: &str, spec: Vec<String>) -> Route {
        Route {
            ns: ns.to_owned(),
            spec,
        }
    }
}

impl Drop for Route {
    fn drop(&mut self) {
        let mut args: Vec<&str> = vec!["-n", &self.ns, "route", "del"];
        args.extend(self.spec.iter().map(String::as_str));
        run_ignore("ip", &args);
    }
}
