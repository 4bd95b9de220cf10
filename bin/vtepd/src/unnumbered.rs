//! BGP unnumbered, the I/O half: per interface-named neighbour a task that
//! sends IPv6 Router Advertisements on the interface and learns the peer's
//! link-local address from its RAs (the decisions are
//! [`vtepd_bgp_evpn::unnumbered::Discovery`]'s), and the kernel routes for
//! IPv4 prefixes learnt over such a session with an RFC 8950 IPv6 next hop.
//!
//! # Sockets
//!
//! A raw ICMPv6 socket (socket2, then driven by tokio as a datagram socket:
//! `recvfrom`/`sendto` are all a raw socket needs), bound to the interface
//! (SO_BINDTODEVICE), hop limit 255 for unicast and multicast (RFC 4861 §6.1.2
//! has receivers drop anything else), member of ff02::1 and ff02::2. The
//! kernel fills the ICMPv6 checksum and the IPv6 header; the source is the
//! interface's link-local address. No `unsafe`: interface index and MAC come
//! from `/sys/class/net/IF/`.
//!
//! Only messages with hop limit 255 reach the socket (RFC 4861 §6.1.2:
//! an RA or RS with another hop limit was forwarded by a router, so it
//! did not come from the link, and is dropped): a classic BPF filter
//! attached to the socket ([`hop_limit_filter`]) reads the hop limit from
//! the IPv6 header (the kernel's `SKF_NET_OFF` base) and drops the rest
//! in the kernel. This needs no ancillary data, so no `unsafe`.
//!
//! # Kernel routes (choice)
//!
//! vtepd does not own the kernel routing table, but the VXLAN underlay must
//! reach a peer VTEP learnt over an unnumbered session (its /32 arrives in
//! IPv4 unicast with the peer's link-local next hop). [`KernelRoutes`] does
//! what `ip route replace PREFIX via inet6 LL dev IF proto bgp` (and `ip
//! route del` on withdrawal) would, over rtnetlink ([`crate::netlink`]),
//! one change at a time in order, from a blocking worker thread: no
//! process per route, and no dependence on the `ip` tool a target ships.
//! Only routes vtepd added are ever deleted.

use std::collections::BTreeSet;
use std::io;
use std::net::{Ipv6Addr, SocketAddr, SocketAddrV6};
use std::time::Duration;

use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::UdpSocket;
use tokio::sync::mpsc;
use tracing::{debug, info, warn};
use vtepd_bgp_evpn::unnumbered::{Discovery, DiscoveryConfig, PeerChange};
use vtepd_bgp_evpn::Ipv4Prefix;

use crate::netlink::{Change, Routes};
use vtepd_wire::icmpv6::Icmpv6Message;
use vtepd_wire::ndp::{NdiscOption, NdiscOptions, NdiscPacket, NdiscRepr, RouterFlags};
use vtepd_wire::EthernetAddress;

use crate::bgp::{deadline, now, PeerCmd};

/// All-nodes (RFC 4291 §2.7.1).
const ALL_NODES: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);
/// All-routers.
const ALL_ROUTERS: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 2);

/// An interface of this namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interface {
    /// Its name.
    pub name: String,
    /// Its index (the scope of its link-local addresses).
    pub ifindex: u32,
    /// Its MAC address.
    pub mac: EthernetAddress,
}

fn sys(name: &str, file: &str) -> io::Result<String> {
    if name.is_empty() || name.contains('/') || name.starts_with('.') {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("bad interface name {name:?}"),
        ));
    }
    let path = format!("/sys/class/net/{name}/{file}");
    std::fs::read_to_string(&path)
        .map(|s| s.trim().to_owned())
        .map_err(|e| io::Error::new(e.kind(), format!("{path}: {e}")))
}

fn parse_mac(s: &str) -> Option<EthernetAddress> {
    let mut b = [0u8; 6];
    let mut parts = s.split(':');
    for x in &mut b {
        *x = u8::from_str_radix(parts.next()?, 16).ok()?;
    }
    if parts.next().is_some() {
        return None;
    }
    EthernetAddress::from_bytes(&b)
}

impl Interface {
    /// Look `name` up in `/sys/class/net`.
    pub fn lookup(name: &str) -> io::Result<Interface> {
        let ifindex = sys(name, "ifindex")?
            .parse()
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("ifindex: {e}")))?;
        let mac = parse_mac(&sys(name, "address")?).ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidData, "interface has no MAC address")
        })?;
        Ok(Interface {
            name: name.to_owned(),
            ifindex,
            mac,
        })
    }
}

/// The socket filter that keeps only packets whose IPv6 hop limit is 255:
///
/// ```text
/// ldb [SKF_NET_OFF + 7]     ; the hop limit (IPv6 header byte 7)
/// jeq #255, keep, drop
/// keep: ret #0xffffffff     ; the whole packet
/// drop: ret #0
/// ```
pub fn hop_limit_filter() -> [socket2::SockFilter; 4] {
    /// `BPF_LD | BPF_B | BPF_ABS`.
    const LDB_ABS: u16 = 0x30;
    /// `BPF_JMP | BPF_JEQ | BPF_K`.
    const JEQ_K: u16 = 0x15;
    /// `BPF_RET | BPF_K`.
    const RET_K: u16 = 0x06;
    /// `SKF_NET_OFF` (-0x100000): offsets from the network header.
    const SKF_NET_OFF: u32 = 0xfff0_0000;
    [
        socket2::SockFilter::new(LDB_ABS, 0, 0, SKF_NET_OFF + 7),
        socket2::SockFilter::new(JEQ_K, 0, 1, 255),
        socket2::SockFilter::new(RET_K, 0, 0, u32::MAX),
        socket2::SockFilter::new(RET_K, 0, 0, 0),
    ]
}

fn icmp_socket(ifc: &Interface) -> io::Result<UdpSocket> {
    let s = Socket::new(Domain::IPV6, Type::RAW, Some(Protocol::ICMPV6))?;
    s.attach_filter(&hop_limit_filter())?;
    s.set_nonblocking(true)?;
    s.bind_device(Some(ifc.name.as_bytes()))?;
    s.set_multicast_hops_v6(255)?;
    s.set_unicast_hops_v6(255)?;
    s.set_multicast_if_v6(ifc.ifindex)?;
    s.set_multicast_loop_v6(false)?;
    s.join_multicast_v6(&ALL_NODES, ifc.ifindex)?;
    s.join_multicast_v6(&ALL_ROUTERS, ifc.ifindex)?;
    UdpSocket::from_std(s.into())
}

/// The ICMPv6 body of our RA (the kernel adds the IPv6 header and checksum).
fn router_advert(mac: EthernetAddress, lifetime: u16, out: &mut [u8]) -> Option<usize> {
    let ra = NdiscRepr::RouterAdvert {
        cur_hop_limit: 64,
        flags: RouterFlags(0),
        router_lifetime: lifetime,
        reachable_time: 0,
        retrans_timer: 0,
        options: NdiscOptions::EMPTY.with_first(NdiscOption::SourceLinkLayerAddr(mac)),
    };
    emit(&ra, ALL_NODES, out)
}

fn router_solicit(mac: EthernetAddress, out: &mut [u8]) -> Option<usize> {
    let rs = NdiscRepr::RouterSolicit {
        reserved: 0,
        options: NdiscOptions::EMPTY.with_first(NdiscOption::SourceLinkLayerAddr(mac)),
    };
    emit(&rs, ALL_ROUTERS, out)
}

fn emit(m: &NdiscRepr<'_>, dst: Ipv6Addr, out: &mut [u8]) -> Option<usize> {
    let len = m.buffer_len();
    let buf = out.get_mut(..len)?;
    // The checksum written here is recomputed by the kernel with the real
    // source address.
    m.emit(
        Ipv6Addr::UNSPECIFIED,
        dst,
        &mut NdiscPacket::new_unchecked(buf),
    )
    .ok()?;
    Some(len)
}

/// What a received ND message means for discovery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Heard {
    Advert(u16),
    Solicit,
    Other,
}

fn classify(src: Ipv6Addr, bytes: &[u8]) -> Heard {
    let Ok(pkt) = NdiscPacket::new_checked(bytes) else {
        return Heard::Other;
    };
    if !matches!(
        pkt.msg_type(),
        Icmpv6Message::RouterAdvert | Icmpv6Message::RouterSolicit
    ) {
        return Heard::Other;
    }
    // The kernel verified the checksum of a raw ICMPv6 socket's input.
    match NdiscRepr::parse_unverified(src, ALL_NODES, &pkt) {
        Ok(NdiscRepr::RouterAdvert {
            router_lifetime, ..
        }) => Heard::Advert(router_lifetime),
        Ok(NdiscRepr::RouterSolicit { .. }) => Heard::Solicit,
        _ => Heard::Other,
    }
}

/// Run discovery on `ifc` for the peer task `peer` until it goes away:
/// RAs out every interval, the peer's address in from its RAs.
pub async fn run(ifc: Interface, cfg: DiscoveryConfig, peer: mpsc::UnboundedSender<PeerCmd>) {
    let sock = loop {
        match icmp_socket(&ifc) {
            Ok(s) => break s,
            Err(e) => {
                warn!(interface = %ifc.name, "cannot open the ICMPv6 socket: {e}; retrying");
                tokio::time::sleep(Duration::from_secs(2)).await;
                if peer.is_closed() {
                    return;
                }
            }
        }
    };
    info!(interface = %ifc.name, ifindex = ifc.ifindex, "sending router advertisements");
    let mut d = Discovery::new(cfg, now());
    let mut out = [0u8; 64];
    let mut buf = vec![0u8; 2048];
    let all_nodes = SocketAddr::V6(SocketAddrV6::new(ALL_NODES, 0, 0, ifc.ifindex));
    let all_routers = SocketAddr::V6(SocketAddrV6::new(ALL_ROUTERS, 0, 0, ifc.ifindex));
    if let Some(n) = router_solicit(ifc.mac, &mut out) {
        if let Err(e) = sock.send_to(out.get(..n).unwrap_or(&[]), all_routers).await {
            debug!(interface = %ifc.name, "router solicitation: {e}");
        }
    }
    loop {
        if peer.is_closed() {
            return;
        }
        let change = tokio::select! {
            () = tokio::time::sleep_until(deadline(d.poll_timeout())) => {
                let (send, change) = d.handle_timeout(now());
                if send {
                    if let Some(n) = router_advert(ifc.mac, d.router_lifetime(), &mut out) {
                        if let Err(e) = sock.send_to(out.get(..n).unwrap_or(&[]), all_nodes).await {
                            debug!(interface = %ifc.name, "router advertisement: {e}");
                        }
                    }
                }
                change
            }
            r = sock.recv_from(&mut buf) => match r {
                Ok((n, SocketAddr::V6(from))) => {
                    match classify(*from.ip(), buf.get(..n).unwrap_or(&[])) {
                        Heard::Advert(lifetime) => d.handle_advert(now(), *from.ip(), lifetime),
                        Heard::Solicit => {
                            d.handle_solicit(now());
                            None
                        }
                        Heard::Other => None,
                    }
                }
                Ok(_) => None,
                Err(e) => {
                    warn!(interface = %ifc.name, "ICMPv6 receive: {e}");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    None
                }
            },
        };
        match change {
            Some(PeerChange::Learnt(a)) => {
                info!(interface = %ifc.name, peer = %a, "unnumbered peer learnt from its RA");
                let _ = peer.send(PeerCmd::PeerAddress(Some(a)));
            }
            Some(PeerChange::Lost(a)) => {
                info!(interface = %ifc.name, peer = %a, "unnumbered peer's RAs expired");
                let _ = peer.send(PeerCmd::PeerAddress(None));
            }
            None => {}
        }
    }
}

pub use vtepd_bgp_evpn::unnumbered::is_link_local;

/// Our link-local address on `ifname`, from `/proc/net/if_inet6` (the
/// kernel's choice, whatever its address generation mode).
pub fn link_local_of(ifname: &str) -> Option<Ipv6Addr> {
    let text = std::fs::read_to_string("/proc/net/if_inet6").ok()?;
    text.lines().find_map(|line| {
        let mut f = line.split_whitespace();
        let hex = f.next()?;
        let name = f.nth(4)?;
        if name != ifname || hex.len() != 32 {
            return None;
        }
        let v = u128::from_str_radix(hex, 16).ok()?;
        let a = Ipv6Addr::from(v);
        is_link_local(a).then_some(a)
    })
}

/// A change to the kernel's IPv4 table.
#[derive(Debug)]
enum RouteOp {
    Replace(Ipv4Prefix, Ipv6Addr, String),
    Delete(Ipv4Prefix),
    RemoveAll(tokio::sync::oneshot::Sender<()>),
}

/// Apply one change, logging what happened.
fn apply(nl: Option<&mut Routes>, change: Change, what: &dyn std::fmt::Display) {
    let Some(nl) = nl else {
        warn!("kernel: cannot {what}: no rtnetlink socket");
        return;
    };
    match nl.apply(change) {
        Ok(()) => info!("kernel: {what}"),
        // The route is already gone (removed by hand, or with its device).
        Err(e) if matches!(change, Change::Delete(_)) && e.raw_os_error() == Some(libc::ESRCH) => {
            info!("kernel: {what}: already gone")
        }
        Err(e) => warn!("kernel: {what} failed: {e}"),
    }
}

/// Installs IPv4 routes with a link-local IPv6 next hop (RFC 8950) in the
/// kernel, in order, over rtnetlink (see the module docs).
#[derive(Debug, Clone)]
pub struct KernelRoutes {
    tx: std::sync::mpsc::Sender<RouteOp>,
}

impl KernelRoutes {
    /// Start the worker thread.
    pub fn start() -> KernelRoutes {
        let (tx, rx) = std::sync::mpsc::channel::<RouteOp>();
        std::thread::spawn(move || {
            let mut nl = Routes::open()
                .inspect_err(|e| warn!("kernel: cannot open an rtnetlink socket: {e}"))
                .ok();
            let mut installed: BTreeSet<Ipv4Prefix> = BTreeSet::new();
            while let Ok(op) = rx.recv() {
                match op {
                    RouteOp::Replace(p, via, dev) => {
                        let what = format!("route replace {p} via inet6 {via} dev {dev} proto bgp");
                        match Interface::lookup(&dev) {
                            Ok(i) => {
                                installed.insert(p);
                                let change = Change::Replace {
                                    prefix: p,
                                    via,
                                    ifindex: i.ifindex,
                                };
                                apply(nl.as_mut(), change, &what);
                            }
                            Err(e) => {
                                warn!("kernel: cannot {what}: {dev}: {e}");
                                // Whatever vtepd installed for the prefix
                                // before is not the best path any more.
                                if installed.remove(&p) {
                                    let what = format!("route del {p} proto bgp");
                                    apply(nl.as_mut(), Change::Delete(p), &what);
                                }
                            }
                        }
                    }
                    RouteOp::Delete(p) => {
                        if installed.remove(&p) {
                            let what = format!("route del {p} proto bgp");
                            apply(nl.as_mut(), Change::Delete(p), &what);
                        }
                    }
                    RouteOp::RemoveAll(done) => {
                        for p in std::mem::take(&mut installed) {
                            let what = format!("route del {p} proto bgp");
                            apply(nl.as_mut(), Change::Delete(p), &what);
                        }
                        let _ = done.send(());
                    }
                }
            }
        });
        KernelRoutes { tx }
    }

    /// Remove every route vtepd installed; `done` is answered after.
    pub fn remove_all(&self, done: tokio::sync::oneshot::Sender<()>) {
        let _ = self.tx.send(RouteOp::RemoveAll(done));
    }

    /// `prefix` via `via` (link-local) on `dev`.
    pub fn replace(&self, prefix: Ipv4Prefix, via: Ipv6Addr, dev: &str) {
        let _ = self.tx.send(RouteOp::Replace(prefix, via, dev.to_owned()));
    }

    /// Remove `prefix` if vtepd installed it.
    pub fn delete(&self, prefix: Ipv4Prefix) {
        let _ = self.tx.send(RouteOp::Delete(prefix));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ra_and_rs_bodies() {
        let mac = parse_mac("02:00:00:00:00:0b").unwrap();
        let mut out = [0u8; 64];
        let n = router_advert(mac, 30, &mut out).unwrap();
        // Type 134, code 0, checksum, hop limit 64, flags 0, lifetime 30,
        // reachable 0, retrans 0, SLLA option (type 1, length 1, MAC).
        assert_eq!(n, 16 + 8);
        assert_eq!(out[0], 134);
        assert_eq!(out[4], 64);
        assert_eq!(&out[6..8], &30u16.to_be_bytes());
        assert_eq!(&out[16..24], &[1, 1, 2, 0, 0, 0, 0, 0x0b]);
        let src: Ipv6Addr = "fe80::1".parse().unwrap();
        assert_eq!(classify(src, &out[..n]), Heard::Advert(30));
        let n = router_solicit(mac, &mut out).unwrap();
        assert_eq!(n, 8 + 8);
        assert_eq!(out[0], 133);
        assert_eq!(classify(src, &out[..n]), Heard::Solicit);
        assert_eq!(classify(src, &out[..3]), Heard::Other);
        assert_eq!(parse_mac("02:00:00:00:00"), None);
        assert!(Interface::lookup("../x").is_err());
    }
}
