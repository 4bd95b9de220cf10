//! The daemon's configuration: a TOML file, parsed into raw (spanned) values
//! and then validated into [`Config`]. Every error names the file, the line
//! and the field (`neighbor[2].remote-as`).
//!
//! ```toml
//! [bgp]
//! router-id = "10.0.0.1"
//! asn = 65000
//! listen = ["0.0.0.0:179", "[::]:179"]    # default
//! hold-time = 90                          # default; keepalive = hold/3
//!
//! [control]
//! socket = "/run/vtepd/vtepd.sock"        # default
//!
//! [log]
//! level = "info"
//!
//! [[neighbor]]
//! address = "10.0.0.2"                    # or interface = "eth1"
//! remote-as = "internal"                  # or "external" or a number
//! address-families = ["l2vpn-evpn", "ipv4-unicast"]
//! route-reflector-client = false
//! hold-time = 9
//! keepalive = 3
//! connect-retry = 1
//! max-prefixes = 10000
//! max-prefixes-warning-only = false
//! passive = false
//!
//! [[neighbor]]
//! interface = "eth1"        # BGP unnumbered: RAs on eth1, the peer's link-local
//!                           # address learnt; ipv4-unicast gets RFC 8950 next hops
//! remote-as = "external"
//!
//! [[neighbor]]
//! listen-range = "10.8.0.0/16"  # dynamic neighbours: accept any address in it
//! limit = 100                   # at most this many at once (default 100)
//! remote-as = "external"
//!
//! [[vni]]
//! vni = 100
//! # rd = "10.0.0.1:1"  (default ROUTER_ID:N, N = 1, 2, ... in file order)
//! # rt = ["65000:100"] (default ASN:VNI)
//! # local-ip = "10.0.0.1" (default: [underlay] local-ip, else router-id)
//! # taps = ["tap100"]          TAP devices vtepd creates (access ports)
//! # interfaces = ["veth-h1"]    existing interfaces via AF_PACKET
//! # arp-suppression = true      (default)
//! # learning = false            data-plane learning from the overlay
//! # mac-aging = 300             seconds
//! # max-local-macs = 4096       MACs learnt on local ports (table size;
//! # max-remote-macs = 4096      remote MACs installed; memory is allocated
//! #                             for both at start, about 100 bytes each)
//! # static-macs = ["02:00:00:00:00:aa"]  hosts on local ports that never
//! #                             move: advertised sticky (RFC 7432 §15.2),
//! #                             never aged out, never taken by remote routes
//!
//! [[vni]]
//! vni = 4000
//! kind = "l3"
//! router-mac = "02:00:00:00:00:01"
//!
//! [[originate]]
//! type = "evpn-mac-ip"   # evpn-prefix, ipv4-unicast, ipv6-unicast, vpnv4
//! vni = 100
//! mac = "02:00:00:00:00:10"
//! ip = "192.168.100.10"
//! ```

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::Deserialize;
use toml::Spanned;
use vtepd_bgp_evpn::{
    AddressFamily, Asn, Esi, Ipv4Prefix, Ipv6Prefix, MacAddress, RouteDistinguisher, RouteTarget,
    RouterId, Vni,
};

/// A configuration error: where and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file.
    pub file: PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// The field, e.g. `neighbor[1].remote-as`.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
        }
        if !self.field.is_empty() {
            write!(f, ": {}", self.field)?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ConfigError {}

/// The remote AS of a neighbour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemoteAs {
    /// This AS.
    Asn(Asn),
    /// Same AS as ours (iBGP).
    Internal,
    /// Any AS other than ours (eBGP).
    External,
}

/// A neighbour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Neighbor {
    /// Its address (`None` for an interface-named neighbour).
    pub address: Option<IpAddr>,
    /// The interface for unnumbered BGP (stored; not run yet).
    pub interface: Option<String>,
    /// TCP port to connect to (179).
    pub port: u16,
    /// Remote AS.
    pub remote_as: RemoteAs,
    /// Address families to negotiate.
    pub families: Vec<AddressFamily>,
    /// A route-reflector client.
    pub rr_client: bool,
    /// Hold time in seconds.
    pub hold_time: u16,
    /// Keepalive interval in seconds (informational: the session sends
    /// KEEPALIVE every hold/3 of the negotiated hold time).
    pub keepalive: u16,
    /// ConnectRetry in seconds.
    pub connect_retry: u16,
    /// Prefix limit.
    pub max_prefixes: Option<usize>,
    /// Only warn when the limit is passed.
    pub max_prefixes_warning_only: bool,
    /// Never connect; wait for the peer.
    pub passive: bool,
    /// Dynamic neighbours: accept sessions from any address in this prefix
    /// (`listen-range`, instead of `address`; always passive).
    pub listen_range: Option<ListenRange>,
    /// Most dynamic neighbours at once from the range (`limit`, default 100).
    pub limit: usize,
}

/// The prefix of a listen range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListenRange {
    /// Network address (host bits zero).
    pub addr: IpAddr,
    /// Prefix length.
    pub len: u8,
}

impl ListenRange {
    /// Whether `a` is in the range (IPv4-mapped IPv6 addresses count as IPv4).
    pub fn contains(&self, a: IpAddr) -> bool {
        let a = match a {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(a, IpAddr::V4),
            v4 => v4,
        };
        match (self.addr, a) {
            (IpAddr::V4(n), IpAddr::V4(x)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.len)).unwrap_or(0);
                u32::from(n) & mask == u32::from(x) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(x)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.len))
                    .unwrap_or(0);
                u128::from(n) & mask == u128::from(x) & mask
            }
            _ => false,
        }
    }
}

impl fmt::Display for ListenRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.len)
    }
}

/// L2 (bridged) or L3 (routed, type-5) VNI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VniKind {
    /// A bridge domain: type-2 and type-3 routes.
    L2,
    /// An L3 VNI (symmetric IRB, type-5 routes).
    L3,
}

/// A VNI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VniConfig {
    /// The VNI.
    pub vni: Vni,
    /// L2 or L3.
    pub kind: VniKind,
    /// Route distinguisher (configured or derived).
    pub rd: RouteDistinguisher,
    /// Import RTs.
    pub import_rt: Vec<RouteTarget>,
    /// The import RTs were derived (`AS:VNI`), not configured: like FRR,
    /// also import `*:VNI` from any AS (eBGP EVPN needs nothing configured).
    pub import_rt_auto: bool,
    /// Export RTs.
    pub export_rt: Vec<RouteTarget>,
    /// The local VTEP address (next hop and originator of our routes).
    pub local_ip: IpAddr,
    /// Router MAC (L3 VNIs).
    pub router_mac: Option<MacAddress>,
    /// Access ports of an L2 VNI (the dataplane starts when any VNI has one).
    pub ports: Vec<PortCfg>,
    /// ARP/ND suppression (default on).
    pub arp_suppression: bool,
    /// Data-plane learning from decapsulated frames (default off: with EVPN
    /// the control plane installs remote MACs).
    pub learn_remote: bool,
    /// Aging time of local MACs in seconds (default 300).
    pub mac_aging: u32,
    /// Static local MACs: advertised with the sticky MAC mobility flag
    /// from the start, never aged out or moved.
    pub static_macs: Vec<MacAddress>,
    /// Most MACs learnt on local ports (default 4096).
    pub max_local_macs: u32,
    /// Most remote MACs installed from EVPN routes (default 4096); more
    /// are not forwarded to directly (their frames are flooded).
    pub max_remote_macs: u32,
}

/// An access port of an L2 VNI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortCfg {
    /// A TAP device vtepd creates (`taps = [...]`).
    Tap(String),
    /// An existing interface through AF_PACKET (`interfaces = [...]`).
    Interface(String),
}

impl PortCfg {
    /// The interface name.
    pub fn name(&self) -> &str {
        match self {
            PortCfg::Tap(n) | PortCfg::Interface(n) => n,
        }
    }
}

/// A route to originate (tests and demos).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Originate {
    /// EVPN type 2 in an L2 VNI.
    MacIp {
        /// The VNI (index into [`Config::vnis`] by value).
        vni: Vni,
        /// MAC.
        mac: MacAddress,
        /// IP, if any.
        ip: Option<IpAddr>,
        /// ESI (zero when single-homed).
        esi: Esi,
        /// MAC mobility sequence number, if any.
        mobility_seq: Option<u32>,
        /// Sticky (static) MAC.
        sticky: bool,
        /// L3 VNI for label 2 (symmetric IRB), if any.
        l3vni: Option<Vni>,
    },
    /// EVPN type 5 in an L3 VNI.
    Prefix {
        /// The L3 VNI.
        vni: Vni,
        /// Prefix.
        prefix: IpPrefixCfg,
    },
    /// IPv4 unicast prefix.
    Ipv4(Ipv4Prefix),
    /// IPv6 unicast prefix.
    Ipv6(Ipv6Prefix),
    /// VPNv4 prefix.
    Vpnv4 {
        /// RD.
        rd: RouteDistinguisher,
        /// RTs.
        rt: Vec<RouteTarget>,
        /// MPLS label.
        label: u32,
        /// Prefix.
        prefix: Ipv4Prefix,
    },
}

/// An IPv4 or IPv6 prefix from the config.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IpPrefixCfg {
    /// IPv4.
    V4(Ipv4Prefix),
    /// IPv6.
    V6(Ipv6Prefix),
}

/// The validated configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The file it came from.
    pub path: PathBuf,
    /// Router ID.
    pub router_id: RouterId,
    /// Our AS.
    pub asn: Asn,
    /// Listen sockets.
    pub listen: Vec<SocketAddr>,
    /// Default hold time.
    pub hold_time: u16,
    /// Default keepalive.
    pub keepalive: u16,
    /// Default ConnectRetry.
    pub connect_retry: u16,
    /// Cluster ID when reflecting.
    pub cluster_id: Option<Ipv4Addr>,
    /// Local tunnel address.
    pub local_ip: IpAddr,
    /// Control socket path.
    pub socket: PathBuf,
    /// Log level (a tracing filter).
    pub log_level: String,
    /// Neighbours.
    pub neighbors: Vec<Neighbor>,
    /// VNIs.
    pub vnis: Vec<VniConfig>,
    /// Routes to originate.
    pub originate: Vec<Originate>,
    /// VXLAN UDP port (`[underlay] port`, default 4789).
    pub underlay_port: u16,
    /// Underlay MTU (`[underlay] mtu`), informational for `show`.
    pub underlay_mtu: Option<u16>,
    /// Duplicate-MAC detection: this many moves ... (`[evpn] dad-max-moves`,
    /// default 5 as FRR)
    pub dad_max_moves: u32,
    /// ... within this many seconds freeze the MAC (`[evpn] dad-time`,
    /// default 180 as FRR).
    pub dad_time: u32,
    /// Capacity of the dataplane's MAC event channel (`[evpn]
    /// event-channel`, default 4096): events beyond it between two polls
    /// are dropped and the local MACs resynced from the dataplane's tables.
    pub event_channel: usize,
}

/// A target is a module path: letters, digits, `_`, `-` and `::`.
fn is_target(t: &str) -> bool {
    !t.is_empty()
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == ':')
}

/// The log filter `s` describes: comma-separated directives, each a level
/// (`off`, `error`, `warn`, `info`, `debug`, `trace`: the default) or
/// `target=level` (a module path, e.g. `vtepd::bgp=debug`). A bare word
/// that is not a level is refused rather than read as a target name (a
/// misspelt level would otherwise silence every other target).
pub fn log_filter(s: &str) -> Result<tracing_subscriber::filter::Targets, String> {
    use tracing_subscriber::filter::{LevelFilter, Targets};
    let level = |l: &str| {
        l.trim()
            .parse::<LevelFilter>()
            .map_err(|_| format!("{l:?} is not a level (off, error, warn, info, debug, trace)"))
    };
    let mut t = Targets::new();
    for d in s.split(',').map(str::trim).filter(|d| !d.is_empty()) {
        t = match d.split_once('=') {
            Some((target, l)) if is_target(target.trim()) => {
                t.with_target(target.trim().to_owned(), level(l)?)
            }
            Some((target, _)) if !target.trim().is_empty() => {
                return Err(format!(
                    "{target:?} is not a target (a module path such as vtepd::bgp; span and field filters are not supported)"
                ))
            }
            Some(_) => return Err(format!("{d:?}: no target before '='")),
            None => t.with_default(level(d)?),
        };
    }
    Ok(t)
}

/// Default control socket.
pub const DEFAULT_SOCKET: &str = "/run/vtepd/vtepd.sock";

// ---- raw, as parsed -------------------------------------------------------

type S<T> = Spanned<T>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    bgp: Option<S<RawBgp>>,
    control: Option<RawControl>,
    log: Option<RawLog>,
    underlay: Option<RawUnderlay>,
    evpn: Option<RawEvpn>,
    #[serde(default)]
    neighbor: Vec<S<RawNeighbor>>,
    #[serde(default)]
    vni: Vec<S<RawVni>>,
    #[serde(default)]
    originate: Vec<S<RawOriginate>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawBgp {
    router_id: Option<S<String>>,
    asn: Option<S<i64>>,
    listen: Option<Vec<S<String>>>,
    hold_time: Option<S<i64>>,
    keepalive: Option<S<i64>>,
    connect_retry: Option<S<i64>>,
    cluster_id: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawControl {
    socket: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawLog {
    level: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawUnderlay {
    local_ip: Option<S<String>>,
    port: Option<S<i64>>,
    mtu: Option<S<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawEvpn {
    dad_max_moves: Option<S<i64>>,
    dad_time: Option<S<i64>>,
    event_channel: Option<S<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum AsSpec {
    Num(i64),
    Word(String),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawNeighbor {
    address: Option<S<String>>,
    listen_range: Option<S<String>>,
    limit: Option<S<i64>>,
    interface: Option<S<String>>,
    port: Option<S<i64>>,
    remote_as: Option<S<AsSpec>>,
    address_families: Option<Vec<S<String>>>,
    #[serde(default)]
    route_reflector_client: bool,
    hold_time: Option<S<i64>>,
    keepalive: Option<S<i64>>,
    connect_retry: Option<S<i64>>,
    max_prefixes: Option<S<i64>>,
    #[serde(default)]
    max_prefixes_warning_only: bool,
    #[serde(default)]
    passive: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawVni {
    vni: Option<S<i64>>,
    kind: Option<S<String>>,
    rd: Option<S<String>>,
    rt: Option<Vec<S<String>>>,
    import_rt: Option<Vec<S<String>>>,
    export_rt: Option<Vec<S<String>>>,
    local_ip: Option<S<String>>,
    router_mac: Option<S<String>>,
    taps: Option<Vec<S<String>>>,
    interfaces: Option<Vec<S<String>>>,
    arp_suppression: Option<bool>,
    learning: Option<bool>,
    mac_aging: Option<S<i64>>,
    static_macs: Option<Vec<S<String>>>,
    max_local_macs: Option<S<i64>>,
    max_remote_macs: Option<S<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawOriginate {
    #[serde(rename = "type")]
    kind: Option<S<String>>,
    vni: Option<S<i64>>,
    l3vni: Option<S<i64>>,
    mac: Option<S<String>>,
    ip: Option<S<String>>,
    esi: Option<S<String>>,
    mobility_seq: Option<S<i64>>,
    #[serde(default)]
    sticky: bool,
    prefix: Option<S<String>>,
    rd: Option<S<String>>,
    rt: Option<Vec<S<String>>>,
    label: Option<S<i64>>,
}

// ---- validation -------------------------------------------------------------

struct Ctx<'a> {
    file: &'a Path,
    text: &'a str,
}

impl Ctx<'_> {
    fn line(&self, span: std::ops::Range<usize>) -> usize {
        let end = span.start.min(self.text.len());
        self.text
            .get(..end)
            .map_or(0, |s| s.bytes().filter(|b| *b == b'\n').count())
            + 1
    }

    fn err(
        &self,
        span: Option<std::ops::Range<usize>>,
        field: &str,
        msg: impl Into<String>,
    ) -> ConfigError {
        ConfigError {
            file: self.file.to_path_buf(),
            line: span.map(|s| self.line(s)),
            field: field.to_owned(),
            message: msg.into(),
        }
    }

    fn parse<T, V, F: Fn(&V) -> Result<T, String>>(
        &self,
        v: &S<V>,
        field: &str,
        f: F,
    ) -> Result<T, ConfigError> {
        f(v.get_ref()).map_err(|m| self.err(Some(v.span()), field, m))
    }

    fn int<T: TryFrom<i64>>(
        &self,
        v: &S<i64>,
        field: &str,
        min: i64,
        max: i64,
    ) -> Result<T, ConfigError> {
        self.parse(v, field, |x| {
            if *x < min || *x > max {
                return Err(format!("{x} is out of range {min}..={max}"));
            }
            T::try_from(*x).map_err(|_| format!("{x} is out of range"))
        })
    }

    fn required<'v, V>(
        &self,
        v: &'v Option<V>,
        section: std::ops::Range<usize>,
        field: &str,
    ) -> Result<&'v V, ConfigError> {
        v.as_ref()
            .ok_or_else(|| self.err(Some(section), field, "missing (required)"))
    }
}

/// Parse a MAC `aa:bb:cc:dd:ee:ff`.
pub fn parse_mac(s: &str) -> Result<MacAddress, String> {
    let parts: Vec<&str> = s.split(':').collect();
    if parts.len() != 6 {
        return Err(format!("{s:?} is not a MAC address (aa:bb:cc:dd:ee:ff)"));
    }
    let mut m = [0u8; 6];
    for (o, p) in m.iter_mut().zip(parts) {
        *o = u8::from_str_radix(p, 16).map_err(|_| format!("{s:?} is not a MAC address"))?;
    }
    Ok(MacAddress(m))
}

/// Parse an RD: `ASN:N` or `A.B.C.D:N`.
pub fn parse_rd(s: &str) -> Result<RouteDistinguisher, String> {
    let (a, n) = s
        .rsplit_once(':')
        .ok_or_else(|| format!("{s:?} is not a route distinguisher (ASN:N or IP:N)"))?;
    if let Ok(addr) = a.parse::<Ipv4Addr>() {
        let number = n.parse::<u16>().map_err(|_| format!("{s:?}: bad number"))?;
        return Ok(RouteDistinguisher::Ipv4 { addr, number });
    }
    let asn = a
        .parse::<u32>()
        .map_err(|_| format!("{s:?}: bad administrator"))?;
    match u16::try_from(asn) {
        Ok(asn) => {
            let number = n.parse::<u32>().map_err(|_| format!("{s:?}: bad number"))?;
            Ok(RouteDistinguisher::As2 { asn, number })
        }
        Err(_) => {
            let number = n.parse::<u16>().map_err(|_| format!("{s:?}: bad number"))?;
            Ok(RouteDistinguisher::As4 { asn, number })
        }
    }
}

/// Parse an RT: `ASN:N` or `A.B.C.D:N`.
pub fn parse_rt(s: &str) -> Result<RouteTarget, String> {
    let (a, n) = s
        .rsplit_once(':')
        .ok_or_else(|| format!("{s:?} is not a route target (ASN:N or IP:N)"))?;
    if let Ok(addr) = a.parse::<Ipv4Addr>() {
        let value = n.parse::<u16>().map_err(|_| format!("{s:?}: bad number"))?;
        return Ok(RouteTarget::Ipv4 { addr, value });
    }
    let asn = a
        .parse::<u32>()
        .map_err(|_| format!("{s:?}: bad administrator"))?;
    match u16::try_from(asn) {
        Ok(asn) => {
            let value = n.parse::<u32>().map_err(|_| format!("{s:?}: bad number"))?;
            Ok(RouteTarget::As2 { asn, value })
        }
        Err(_) => {
            let value = n.parse::<u16>().map_err(|_| format!("{s:?}: bad number"))?;
            Ok(RouteTarget::As4 { asn, value })
        }
    }
}

/// Parse an ESI: `0` or ten colon-separated hex bytes.
pub fn parse_esi(s: &str) -> Result<Esi, String> {
    if s == "0" {
        return Ok(Esi([0; 10]));
    }
    let parts: Vec<&str> = s.split(':').collect();
    if parts.len() != 10 {
        return Err(format!("{s:?} is not an ESI (0 or 10 hex bytes with ':')"));
    }
    let mut e = [0u8; 10];
    for (o, p) in e.iter_mut().zip(parts) {
        *o = u8::from_str_radix(p, 16).map_err(|_| format!("{s:?} is not an ESI"))?;
    }
    Ok(Esi(e))
}

/// Parse an address family name.
pub fn parse_family(s: &str) -> Result<AddressFamily, String> {
    Ok(match s {
        "l2vpn-evpn" => AddressFamily::L2VPN_EVPN,
        "ipv4-unicast" => AddressFamily::IPV4_UNICAST,
        "ipv6-unicast" => AddressFamily::IPV6_UNICAST,
        "ipv4-vpn" => AddressFamily::VPNV4,
        "ipv6-vpn" => AddressFamily::VPNV6,
        _ => {
            return Err(format!(
                "{s:?}: expected l2vpn-evpn, ipv4-unicast, ipv6-unicast, ipv4-vpn or ipv6-vpn"
            ))
        }
    })
}

/// The config name of a family.
pub fn family_name(f: AddressFamily) -> String {
    match f {
        AddressFamily::L2VPN_EVPN => "l2vpn-evpn".into(),
        AddressFamily::IPV4_UNICAST => "ipv4-unicast".into(),
        AddressFamily::IPV6_UNICAST => "ipv6-unicast".into(),
        AddressFamily::VPNV4 => "ipv4-vpn".into(),
        AddressFamily::VPNV6 => "ipv6-vpn".into(),
        other => other.to_string(),
    }
}

fn parse_prefix(s: &str) -> Result<IpPrefixCfg, String> {
    let (a, l) = s
        .split_once('/')
        .ok_or_else(|| format!("{s:?} is not a prefix (ADDR/LEN)"))?;
    let len = l.parse::<u8>().map_err(|_| format!("{s:?}: bad length"))?;
    match a.parse::<IpAddr>() {
        Ok(IpAddr::V4(a)) => Ipv4Prefix::new(a, len)
            .map(IpPrefixCfg::V4)
            .ok_or_else(|| format!("{s:?}: bad IPv4 prefix (host bits set or length > 32)")),
        Ok(IpAddr::V6(a)) => Ipv6Prefix::new(a, len)
            .map(IpPrefixCfg::V6)
            .ok_or_else(|| format!("{s:?}: bad IPv6 prefix (host bits set or length > 128)")),
        Err(_) => Err(format!("{s:?}: bad address")),
    }
}

fn parse_ip<T: FromStr>(s: &String) -> Result<T, String> {
    s.parse::<T>()
        .map_err(|_| format!("{s:?} is not a valid address"))
}

/// The RT FRR derives for a VNI: `ASN:VNI`.
pub fn auto_rt(asn: Asn, vni: Vni) -> RouteTarget {
    match u16::try_from(asn.0) {
        Ok(a) => RouteTarget::As2 {
            asn: a,
            value: vni.get(),
        },
        Err(_) => RouteTarget::As4 {
            asn: asn.0,
            value: u16::try_from(vni.get()).unwrap_or(u16::MAX),
        },
    }
}

impl Config {
    /// Read and validate `path`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            file: path.to_path_buf(),
            line: None,
            field: String::new(),
            message: format!("cannot read: {e}"),
        })?;
        Config::parse(path, &text)
    }

    /// Validate `text` (the contents of `path`).
    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let cx = Ctx { file: path, text };
        let raw: Raw = toml::from_str(text).map_err(|e| {
            let msg = e.message().to_owned();
            let field = msg.split('`').nth(1).map(str::to_owned).unwrap_or_default();
            cx.err(e.span(), &field, msg)
        })?;
        let bgp = raw
            .bgp
            .as_ref()
            .ok_or_else(|| cx.err(None, "bgp", "the [bgp] section is missing"))?;
        let bspan = bgp.span();
        let b = bgp.get_ref();
        let router_id: Ipv4Addr = cx.parse(
            cx.required(&b.router_id, bspan.clone(), "bgp.router-id")?,
            "bgp.router-id",
            parse_ip,
        )?;
        if router_id.is_unspecified() {
            return Err(cx.err(
                b.router_id.as_ref().map(Spanned::span),
                "bgp.router-id",
                "must not be 0.0.0.0",
            ));
        }
        let asn = Asn(cx.int(
            cx.required(&b.asn, bspan.clone(), "bgp.asn")?,
            "bgp.asn",
            1,
            i64::from(u32::MAX),
        )?);
        let listen = match &b.listen {
            None => vec![
                SocketAddr::from(([0u16; 8], 179)),
                SocketAddr::from(([0u8; 4], 179)),
            ],
            Some(v) => v
                .iter()
                .map(|s| {
                    cx.parse(s, "bgp.listen", |x: &String| {
                        x.parse::<SocketAddr>()
                            .or_else(|_| x.parse::<IpAddr>().map(|a| SocketAddr::new(a, 179)))
                            .map_err(|_| format!("{x:?} is not ADDR or ADDR:PORT"))
                    })
                })
                .collect::<Result<_, _>>()?,
        };
        let hold_time = match &b.hold_time {
            Some(h) => hold(&cx, h, "bgp.hold-time")?,
            None => 90,
        };
        let keepalive = match &b.keepalive {
            Some(k) => cx.int(k, "bgp.keepalive", 0, 21845)?,
            None => hold_time / 3,
        };
        let connect_retry = match &b.connect_retry {
            Some(c) => cx.int(c, "bgp.connect-retry", 1, 65535)?,
            None => 30,
        };
        let cluster_id = match &b.cluster_id {
            Some(c) => Some(cx.parse(c, "bgp.cluster-id", parse_ip)?),
            None => None,
        };
        let local_ip = match raw.underlay.as_ref().and_then(|u| u.local_ip.as_ref()) {
            Some(l) => cx.parse(l, "underlay.local-ip", parse_ip)?,
            None => IpAddr::V4(router_id),
        };

        let underlay_port = match raw.underlay.as_ref().and_then(|u| u.port.as_ref()) {
            Some(p) => cx.int(p, "underlay.port", 1, 65535)?,
            None => 4789,
        };
        let underlay_mtu = match raw.underlay.as_ref().and_then(|u| u.mtu.as_ref()) {
            Some(m) => Some(cx.int(m, "underlay.mtu", 576, 65535)?),
            None => None,
        };
        let dad_max_moves = match raw.evpn.as_ref().and_then(|e| e.dad_max_moves.as_ref()) {
            Some(m) => cx.int(m, "evpn.dad-max-moves", 2, 1000)?,
            None => 5,
        };
        let dad_time = match raw.evpn.as_ref().and_then(|e| e.dad_time.as_ref()) {
            Some(t) => cx.int(t, "evpn.dad-time", 2, 1800)?,
            None => 180,
        };
        let log_level = match raw.log.as_ref().and_then(|l| l.level.as_ref()) {
            Some(l) => cx.parse(l, "log.level", |v: &String| {
                log_filter(v).map(|_| v.clone())
            })?,
            None => "info".to_owned(),
        };
        let event_channel = match raw.evpn.as_ref().and_then(|e| e.event_channel.as_ref()) {
            Some(t) => cx.int::<u32>(t, "evpn.event-channel", 1, 65536)? as usize,
            None => 4096,
        };

        let mut neighbors = Vec::new();
        for (i, n) in raw.neighbor.iter().enumerate() {
            let f = |name: &str| format!("neighbor[{}].{name}", i + 1);
            let span = n.span();
            let n = n.get_ref();
            let address = match &n.address {
                Some(a) => Some(cx.parse(a, &f("address"), parse_ip)?),
                None => None,
            };
            let interface = n.interface.as_ref().map(|s| s.get_ref().clone());
            let listen_range =
                match &n.listen_range {
                    Some(r) => Some(cx.parse(r, &f("listen-range"), |x: &String| {
                        match parse_prefix(x)? {
                            IpPrefixCfg::V4(p) => Ok(ListenRange {
                                addr: IpAddr::V4(p.addr()),
                                len: p.prefix_len(),
                            }),
                            IpPrefixCfg::V6(p) => Ok(ListenRange {
                                addr: IpAddr::V6(p.addr()),
                                len: p.prefix_len(),
                            }),
                        }
                    })?),
                    None => None,
                };
            let named = [
                address.is_some(),
                interface.is_some(),
                listen_range.is_some(),
            ]
            .iter()
            .filter(|x| **x)
            .count();
            if named != 1 {
                return Err(cx.err(
                    Some(span),
                    &f("address"),
                    "a neighbor needs exactly one of address, interface or listen-range",
                ));
            }
            let limit = match &n.limit {
                Some(l) => cx.int(l, &f("limit"), 1, 100_000)?,
                None => 100,
            };
            if let (Some(a), Some(_)) = (&n.address, &n.interface) {
                return Err(cx.err(
                    Some(a.span()),
                    &f("address"),
                    "give either address or interface, not both",
                ));
            }
            let ras = cx.required(&n.remote_as, span.clone(), &f("remote-as"))?;
            let remote_as = cx.parse(ras, &f("remote-as"), |v: &AsSpec| match v {
                AsSpec::Num(x) if *x >= 1 && *x <= i64::from(u32::MAX) => {
                    Ok(RemoteAs::Asn(Asn(*x as u32)))
                }
                AsSpec::Num(x) => Err(format!("{x} is not an AS number")),
                AsSpec::Word(w) if w == "internal" => Ok(RemoteAs::Internal),
                AsSpec::Word(w) if w == "external" => Ok(RemoteAs::External),
                AsSpec::Word(w) => Err(format!(
                    "{w:?}: expected an AS number, \"internal\" or \"external\""
                )),
            })?;
            let families = match &n.address_families {
                None => vec![AddressFamily::L2VPN_EVPN],
                Some(v) => {
                    let mut out = Vec::new();
                    for s in v {
                        let fam =
                            cx.parse(s, &f("address-families"), |x: &String| parse_family(x))?;
                        if !out.contains(&fam) {
                            out.push(fam);
                        }
                    }
                    if out.is_empty() {
                        return Err(cx.err(Some(span), &f("address-families"), "is empty"));
                    }
                    out
                }
            };
            let nh = match &n.hold_time {
                Some(h) => hold(&cx, h, &f("hold-time"))?,
                None => hold_time,
            };
            let nk = match &n.keepalive {
                Some(k) => cx.int(k, &f("keepalive"), 0, 21845)?,
                None if n.hold_time.is_some() => nh / 3,
                None => keepalive,
            };
            let port = match &n.port {
                Some(p) => cx.int(p, &f("port"), 1, 65535)?,
                None => 179,
            };
            let connect_retry = match &n.connect_retry {
                Some(c) => cx.int(c, &f("connect-retry"), 1, 65535)?,
                None => connect_retry,
            };
            let max_prefixes = match &n.max_prefixes {
                Some(m) => Some(cx.int(m, &f("max-prefixes"), 1, i64::from(u32::MAX))?),
                None => None,
            };
            if let Some(a) = address {
                if neighbors.iter().any(|x: &Neighbor| x.address == Some(a)) {
                    return Err(cx.err(
                        n.address.as_ref().map(Spanned::span),
                        &f("address"),
                        format!("neighbor {a} is configured twice"),
                    ));
                }
            }
            neighbors.push(Neighbor {
                address,
                interface,
                port,
                remote_as,
                families,
                rr_client: n.route_reflector_client,
                hold_time: nh,
                keepalive: nk,
                connect_retry,
                max_prefixes,
                max_prefixes_warning_only: n.max_prefixes_warning_only,
                passive: n.passive || listen_range.is_some(),
                listen_range,
                limit,
            });
        }

        let mut vnis: Vec<VniConfig> = Vec::new();
        for (i, v) in raw.vni.iter().enumerate() {
            let f = |name: &str| format!("vni[{}].{name}", i + 1);
            let span = v.span();
            let v = v.get_ref();
            let vs = cx.required(&v.vni, span.clone(), &f("vni"))?;
            let vni_n: u32 = cx.int(vs, &f("vni"), 1, i64::from(Vni::MAX))?;
            let vni =
                Vni::new(vni_n).ok_or_else(|| cx.err(Some(vs.span()), &f("vni"), "too large"))?;
            if vnis.iter().any(|x| x.vni == vni) {
                return Err(cx.err(
                    Some(vs.span()),
                    &f("vni"),
                    format!("VNI {vni} is configured twice"),
                ));
            }
            let kind = match &v.kind {
                None => VniKind::L2,
                Some(k) => cx.parse(k, &f("kind"), |x: &String| match x.as_str() {
                    "l2" => Ok(VniKind::L2),
                    "l3" => Ok(VniKind::L3),
                    _ => Err(format!("{x:?}: expected \"l2\" or \"l3\"")),
                })?,
            };
            let index = u16::try_from(i + 1).unwrap_or(u16::MAX);
            let rd = match &v.rd {
                Some(r) => cx.parse(r, &f("rd"), |x: &String| parse_rd(x))?,
                None => RouteDistinguisher::Ipv4 {
                    addr: router_id,
                    number: index,
                },
            };
            let rts = |list: &Option<Vec<S<String>>>,
                       name: &str|
             -> Result<Option<Vec<RouteTarget>>, ConfigError> {
                match list {
                    None => Ok(None),
                    Some(l) => l
                        .iter()
                        .map(|s| cx.parse(s, &f(name), |x: &String| parse_rt(x)))
                        .collect::<Result<Vec<_>, _>>()
                        .map(Some),
                }
            };
            let both = rts(&v.rt, "rt")?;
            let import_rt = rts(&v.import_rt, "import-rt")?.or_else(|| both.clone());
            let import_rt_auto = import_rt.is_none();
            let import_rt = import_rt.unwrap_or_else(|| vec![auto_rt(asn, vni)]);
            let export_rt = rts(&v.export_rt, "export-rt")?
                .or(both)
                .unwrap_or_else(|| vec![auto_rt(asn, vni)]);
            let vlocal = match &v.local_ip {
                Some(l) => cx.parse(l, &f("local-ip"), parse_ip)?,
                None => local_ip,
            };
            let router_mac = match &v.router_mac {
                Some(m) => Some(cx.parse(m, &f("router-mac"), |x: &String| parse_mac(x))?),
                None => None,
            };
            if kind == VniKind::L3 && router_mac.is_none() {
                return Err(cx.err(Some(span), &f("router-mac"), "an L3 VNI needs a router-mac"));
            }
            let mut ports = Vec::new();
            for (list, tap) in [(&v.taps, true), (&v.interfaces, false)] {
                for p in list.iter().flatten() {
                    let name = p.get_ref();
                    if name.is_empty() || name.len() > 15 {
                        return Err(cx.err(
                            Some(p.span()),
                            &f(if tap { "taps" } else { "interfaces" }),
                            format!("{name:?} is not an interface name (1-15 characters)"),
                        ));
                    }
                    let dup = vnis
                        .iter()
                        .flat_map(|x| x.ports.iter())
                        .chain(ports.iter())
                        .any(|x: &PortCfg| x.name() == name);
                    if dup {
                        return Err(cx.err(
                            Some(p.span()),
                            &f(if tap { "taps" } else { "interfaces" }),
                            format!("port {name:?} is used twice"),
                        ));
                    }
                    ports.push(if tap {
                        PortCfg::Tap(name.clone())
                    } else {
                        PortCfg::Interface(name.clone())
                    });
                }
            }
            if kind == VniKind::L3 && !ports.is_empty() {
                return Err(cx.err(Some(span), &f("taps"), "an L3 VNI has no access ports"));
            }
            let mac_aging = match &v.mac_aging {
                Some(a) => cx.int(a, &f("mac-aging"), 10, 1_000_000)?,
                None => 300,
            };
            let mut static_macs: Vec<MacAddress> = Vec::new();
            for m in v.static_macs.iter().flatten() {
                let mac = cx.parse(m, &f("static-macs"), |x: &String| parse_mac(x))?;
                if mac.0[0] & 1 != 0 || mac.0 == [0; 6] {
                    return Err(cx.err(
                        Some(m.span()),
                        &f("static-macs"),
                        format!("{mac} is not a host's MAC (multicast or zero)"),
                    ));
                }
                if static_macs.contains(&mac) {
                    return Err(cx.err(
                        Some(m.span()),
                        &f("static-macs"),
                        format!("{mac} is listed twice"),
                    ));
                }
                static_macs.push(mac);
            }
            if kind == VniKind::L3 && !static_macs.is_empty() {
                return Err(cx.err(Some(span), &f("static-macs"), "an L3 VNI has no local MACs"));
            }
            let limit = |x: &Option<S<i64>>, name: &str| match x {
                Some(n) => cx.int(n, &f(name), 16, 1_000_000),
                None => Ok(4096),
            };
            let max_local_macs = limit(&v.max_local_macs, "max-local-macs")?;
            let max_remote_macs = limit(&v.max_remote_macs, "max-remote-macs")?;
            vnis.push(VniConfig {
                vni,
                kind,
                rd,
                import_rt,
                import_rt_auto,
                export_rt,
                local_ip: vlocal,
                router_mac,
                ports,
                arp_suppression: v.arp_suppression.unwrap_or(true),
                learn_remote: v.learning.unwrap_or(false),
                mac_aging,
                static_macs,
                max_local_macs,
                max_remote_macs,
            });
        }

        let mut originate = Vec::new();
        for (i, o) in raw.originate.iter().enumerate() {
            let f = |name: &str| format!("originate[{}].{name}", i + 1);
            let span = o.span();
            let o = o.get_ref();
            let kind = cx.required(&o.kind, span.clone(), &f("type"))?;
            let find_vni = |s: &S<i64>, name: &str, want: VniKind| -> Result<Vni, ConfigError> {
                let n: u32 = cx.int(s, &f(name), 1, i64::from(Vni::MAX))?;
                match vnis.iter().find(|v| v.vni.get() == n) {
                    Some(v) if v.kind == want => Ok(v.vni),
                    Some(_) => Err(cx.err(
                        Some(s.span()),
                        &f(name),
                        format!(
                            "VNI {n} is not an {} VNI",
                            if want == VniKind::L2 { "l2" } else { "l3" }
                        ),
                    )),
                    None => Err(cx.err(
                        Some(s.span()),
                        &f(name),
                        format!("VNI {n} is not configured in [[vni]]"),
                    )),
                }
            };
            let prefix = |name: &str| -> Result<IpPrefixCfg, ConfigError> {
                let p = cx.required(&o.prefix, span.clone(), &f(name))?;
                cx.parse(p, &f(name), |x: &String| parse_prefix(x))
            };
            let r = match kind.get_ref().as_str() {
                "evpn-mac-ip" => {
                    let vni = find_vni(cx.required(&o.vni, span.clone(), &f("vni"))?, "vni", VniKind::L2)?;
                    let mac = cx.parse(cx.required(&o.mac, span.clone(), &f("mac"))?, &f("mac"), |x: &String| parse_mac(x))?;
                    let ip = match &o.ip {
                        Some(a) => Some(cx.parse(a, &f("ip"), parse_ip)?),
                        None => None,
                    };
                    let esi = match &o.esi {
                        Some(e) => cx.parse(e, &f("esi"), |x: &String| parse_esi(x))?,
                        None => Esi([0; 10]),
                    };
                    let mobility_seq = match &o.mobility_seq {
                        Some(s) => Some(cx.int(s, &f("mobility-seq"), 0, i64::from(u32::MAX))?),
                        None => None,
                    };
                    let l3vni = match &o.l3vni {
                        Some(s) => Some(find_vni(s, "l3vni", VniKind::L3)?),
                        None => None,
                    };
                    Originate::MacIp {
                        vni,
                        mac,
                        ip,
                        esi,
                        mobility_seq,
                        sticky: o.sticky,
                        l3vni,
                    }
                }
                "evpn-prefix" => {
                    let vs = o
                        .l3vni
                        .as_ref()
                        .or(o.vni.as_ref())
                        .ok_or_else(|| cx.err(Some(span.clone()), &f("l3vni"), "missing (required)"))?;
                    let vni = find_vni(vs, "l3vni", VniKind::L3)?;
                    Originate::Prefix {
                        vni,
                        prefix: prefix("prefix")?,
                    }
                }
                "ipv4-unicast" => match prefix("prefix")? {
                    IpPrefixCfg::V4(p) => Originate::Ipv4(p),
                    IpPrefixCfg::V6(_) => {
                        return Err(cx.err(o.prefix.as_ref().map(Spanned::span), &f("prefix"), "an IPv6 prefix in ipv4-unicast"))
                    }
                },
                "ipv6-unicast" => match prefix("prefix")? {
                    IpPrefixCfg::V6(p) => Originate::Ipv6(p),
                    IpPrefixCfg::V4(_) => {
                        return Err(cx.err(o.prefix.as_ref().map(Spanned::span), &f("prefix"), "an IPv4 prefix in ipv6-unicast"))
                    }
                },
                "vpnv4" => {
                    let p = match prefix("prefix")? {
                        IpPrefixCfg::V4(p) => p,
                        IpPrefixCfg::V6(_) => {
                            return Err(cx.err(o.prefix.as_ref().map(Spanned::span), &f("prefix"), "an IPv6 prefix in vpnv4"))
                        }
                    };
                    let rd = cx.parse(cx.required(&o.rd, span.clone(), &f("rd"))?, &f("rd"), |x: &String| parse_rd(x))?;
                    let rt = match &o.rt {
                        Some(l) => l
                            .iter()
                            .map(|s| cx.parse(s, &f("rt"), |x: &String| parse_rt(x)))
                            .collect::<Result<Vec<_>, _>>()?,
                        None => return Err(cx.err(Some(span.clone()), &f("rt"), "missing (required)")),
                    };
                    let label = cx.int(cx.required(&o.label, span.clone(), &f("label"))?, &f("label"), 16, 0xf_ffff)?;
                    Originate::Vpnv4 { rd, rt, label, prefix: p }
                }
                other => {
                    return Err(cx.err(
                        Some(kind.span()),
                        &f("type"),
                        format!("{other:?}: expected evpn-mac-ip, evpn-prefix, ipv4-unicast, ipv6-unicast or vpnv4"),
                    ))
                }
            };
            originate.push(r);
        }

        Ok(Config {
            path: path.to_path_buf(),
            router_id: RouterId(router_id),
            asn,
            listen,
            hold_time,
            keepalive,
            connect_retry,
            cluster_id,
            local_ip,
            socket: raw
                .control
                .and_then(|c| c.socket)
                .map_or_else(|| PathBuf::from(DEFAULT_SOCKET), PathBuf::from),
            log_level,
            neighbors,
            vnis,
            originate,
            underlay_port,
            underlay_mtu,
            dad_max_moves,
            dad_time,
            event_channel,
        })
    }
}

fn hold(cx: &Ctx<'_>, h: &S<i64>, field: &str) -> Result<u16, ConfigError> {
    let v: u16 = cx.int(h, field, 0, 65535)?;
    if v == 1 || v == 2 {
        return Err(cx.err(
            Some(h.span()),
            field,
            "must be 0 or at least 3 (RFC 4271 §4.2)",
        ));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dataplane_fields() {
        let c = parse(
            "[bgp]\nrouter-id = \"10.0.0.1\"\nasn = 65000\n[underlay]\nport = 4790\nmtu = 1500\n\
             [evpn]\ndad-max-moves = 3\ndad-time = 30\nevent-channel = 16\n\
             [[vni]]\nvni = 100\ntaps = [\"tap100\"]\ninterfaces = [\"veth1\"]\narp-suppression = false\n",
        )
        .unwrap();
        assert_eq!(c.underlay_port, 4790);
        assert_eq!(c.underlay_mtu, Some(1500));
        assert_eq!((c.dad_max_moves, c.dad_time), (3, 30));
        assert_eq!(c.event_channel, 16);
        let v = &c.vnis[0];
        assert_eq!(
            v.ports,
            vec![
                PortCfg::Tap("tap100".into()),
                PortCfg::Interface("veth1".into())
            ]
        );
        assert!(!v.arp_suppression);
        assert_eq!(v.mac_aging, 300);
        assert_eq!((v.max_local_macs, v.max_remote_macs), (4096, 4096));
        let c = parse(
            "[bgp]\nrouter-id = \"10.0.0.1\"\nasn = 65000\n\
             [[vni]]\nvni = 100\nmax-local-macs = 100\nmax-remote-macs = 20000\n",
        )
        .unwrap();
        assert_eq!(
            (c.vnis[0].max_local_macs, c.vnis[0].max_remote_macs),
            (100, 20000)
        );
        let e = parse(
            "[bgp]\nrouter-id = \"10.0.0.1\"\nasn = 65000\n[[vni]]\nvni = 100\nmax-remote-macs = 1\n",
        )
        .unwrap_err();
        assert_eq!(e.field, "vni[1].max-remote-macs");
        let e = parse(
            "[bgp]\nrouter-id = \"10.0.0.1\"\nasn = 65000\n\
             [[vni]]\nvni = 100\ntaps = [\"p\"]\n[[vni]]\nvni = 200\ninterfaces = [\"p\"]\n",
        )
        .unwrap_err();
        assert_eq!(e.field, "vni[2].interfaces");
        assert_eq!(e.line, Some(9));
    }

    #[test]
    fn static_macs() {
        let base =
            "[bgp]\nrouter-id = \"10.0.0.1\"\nasn = 65000\n[[vni]]\nvni = 100\ntaps = [\"t\"]\n";
        let c = parse(&format!(
            "{base}static-macs = [\"02:00:00:00:00:aa\", \"02:00:00:00:00:bb\"]\n"
        ))
        .unwrap();
        assert_eq!(
            c.vnis[0].static_macs,
            vec![
                MacAddress([2, 0, 0, 0, 0, 0xaa]),
                MacAddress([2, 0, 0, 0, 0, 0xbb])
            ]
        );
        for (bad, what) in [
            ("[\"02:00:00:00:00:aa\", \"02:00:00:00:00:aa\"]", "twice"),
            ("[\"01:00:5e:00:00:01\"]", "multicast"),
            ("[\"zz\"]", "not a MAC"),
        ] {
            let e = parse(&format!("{base}static-macs = {bad}\n")).unwrap_err();
            assert_eq!(e.field, "vni[1].static-macs");
            assert_eq!(e.line, Some(7));
            assert!(e.to_string().contains(what), "{e}");
        }
    }

    fn parse(s: &str) -> Result<Config, ConfigError> {
        Config::parse(Path::new("t.toml"), s)
    }

    const GOOD: &str = r#"
[bgp]
router-id = "10.0.0.1"
asn = 65000

[[neighbor]]
address = "10.0.0.2"
remote-as = "internal"
address-families = ["l2vpn-evpn", "ipv4-unicast", "ipv4-vpn"]
hold-time = 9

[[neighbor]]
interface = "eth1"
remote-as = 65001

[[vni]]
vni = 100

[[vni]]
vni = 4000
kind = "l3"
router-mac = "02:00:00:00:00:01"
rt = ["65000:4000"]

[[originate]]
type = "evpn-mac-ip"
vni = 100
mac = "02:00:00:00:00:10"
ip = "192.168.100.10"

[[originate]]
type = "evpn-prefix"
l3vni = 4000
prefix = "10.70.0.0/24"

[[originate]]
type = "vpnv4"
rd = "65000:7"
rt = ["65000:7"]
label = 1000
prefix = "10.80.0.0/24"
"#;

    #[test]
    fn good_config_with_derived_rd_rt() {
        let c = parse(GOOD).unwrap();
        assert_eq!(c.asn, Asn(65000));
        assert_eq!(c.listen.len(), 2);
        assert_eq!(c.neighbors.len(), 2);
        assert_eq!(c.neighbors[0].hold_time, 9);
        assert_eq!(c.neighbors[0].keepalive, 3);
        assert_eq!(c.neighbors[0].remote_as, RemoteAs::Internal);
        assert_eq!(c.neighbors[1].interface.as_deref(), Some("eth1"));
        assert_eq!(c.neighbors[1].remote_as, RemoteAs::Asn(Asn(65001)));
        assert_eq!(
            c.vnis[0].rd,
            RouteDistinguisher::Ipv4 {
                addr: "10.0.0.1".parse().unwrap(),
                number: 1
            }
        );
        assert_eq!(
            c.vnis[0].export_rt,
            vec![RouteTarget::As2 {
                asn: 65000,
                value: 100
            }]
        );
        assert_eq!(c.vnis[1].kind, VniKind::L3);
        assert_eq!(c.originate.len(), 3);
        assert_eq!(c.socket, PathBuf::from(DEFAULT_SOCKET));
    }

    #[test]
    fn example_config_is_valid() {
        let c = parse(include_str!("../vtepd.example.toml")).unwrap();
        assert_eq!(c.neighbors.len(), 1);
        assert_eq!(c.vnis.len(), 2);
        assert_eq!(c.originate.len(), 3);
        assert_eq!(c.local_ip, "10.0.0.2".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn listen_range_neighbor() {
        let text = "[bgp]\nrouter-id = \"10.0.0.1\"\nasn = 65000\n\n[[neighbor]]\nlisten-range = \"10.0.0.0/16\"\nlimit = 2\nremote-as = \"external\"\n";
        let c = parse(text).unwrap();
        let n = &c.neighbors[0];
        let r = n.listen_range.unwrap();
        assert_eq!(r.to_string(), "10.0.0.0/16");
        assert_eq!(n.limit, 2);
        assert!(n.passive);
        assert!(r.contains("10.0.200.3".parse().unwrap()));
        assert!(r.contains("::ffff:10.0.1.2".parse().unwrap()));
        assert!(!r.contains("10.1.0.1".parse().unwrap()));
        assert!(!r.contains("fe80::1".parse().unwrap()));
        let v6 = ListenRange {
            addr: "fd00::".parse().unwrap(),
            len: 8,
        };
        assert!(v6.contains("fd12::1".parse().unwrap()));
        assert!(!v6.contains("fe00::1".parse().unwrap()));

        let bad = text.replace("10.0.0.0/16", "10.0.0.0/40");
        let e = parse(&bad).unwrap_err();
        assert_eq!(e.field, "neighbor[1].listen-range");
        assert_eq!(e.line, Some(6));
        let bad = text.replace("limit = 2\n", "limit = 2\naddress = \"10.0.0.9\"\n");
        let e = parse(&bad).unwrap_err();
        assert!(e.message.contains("exactly one"), "{e}");
        let bad = text.replace("limit = 2", "limit = 0");
        assert_eq!(parse(&bad).unwrap_err().field, "neighbor[1].limit");
    }

    #[test]
    fn errors_name_line_and_field() {
        let bad = GOOD.replace("remote-as = 65001", "remote-as = \"elsewhere\"");
        let e = parse(&bad).unwrap_err();
        assert_eq!(e.field, "neighbor[2].remote-as");
        assert_eq!(e.line, Some(14));
        assert!(
            e.to_string()
                .starts_with("t.toml:14: neighbor[2].remote-as:"),
            "{e}"
        );

        let bad = GOOD.replace("mac = \"02:00:00:00:00:10\"", "mac = \"02:00:00\"");
        let e = parse(&bad).unwrap_err();
        assert_eq!(e.field, "originate[1].mac");
        assert_eq!(e.line, Some(28));

        let bad = GOOD.replace("hold-time = 9", "hold-time = 2");
        let e = parse(&bad).unwrap_err();
        assert_eq!(e.field, "neighbor[1].hold-time");
        assert_eq!(e.line, Some(10));

        let bad = GOOD.replace("vni = 100\nmac", "vni = 4000\nmac");
        let e = parse(&bad).unwrap_err();
        assert_eq!(e.field, "originate[1].vni");

        let bad = GOOD.replace("asn = 65000", "asn = 65000\nbogus = 1");
        let e = parse(&bad).unwrap_err();
        assert_eq!(e.line, Some(5), "{e}");
        assert!(e.message.contains("bogus"), "{e}");

        let e = parse("[bgp]\nasn = 1\n").unwrap_err();
        assert_eq!(e.field, "bgp.router-id");
        assert_eq!(e.line, Some(1));

        let head = "[bgp]\nrouter-id = \"10.0.0.1\"\nasn = 1\n[log]\n";
        let e = parse(&format!("{head}level = \"loud\"\n")).unwrap_err();
        assert_eq!(e.field, "log.level");
        assert_eq!(e.line, Some(5));
        for bad in ["vtepd[conn]=debug", "{peer}=info", "info,=debug"] {
            let e = parse(&format!("{head}level = \"{bad}\"\n")).unwrap_err();
            assert_eq!(e.field, "log.level", "{bad}: {e}");
        }
        for good in [
            "debug",
            "info,vtepd::bgp=trace",
            "warn,vtepd_dataplane=debug",
        ] {
            let c = parse(&format!("{head}level = \"{good}\"\n")).unwrap();
            assert_eq!(c.log_level, good);
        }
    }
}
