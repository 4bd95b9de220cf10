//! Listen sockets: accepted connections go to the task of the neighbour with
//! the connection's source address; connections from anyone else are closed.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, RwLock};

use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::mpsc;
use tracing::{debug, info, warn};

use super::PeerCmd;
use crate::config::ListenRange;

/// The peer tasks by neighbour address, and the unnumbered ones by the
/// interface index (the scope of a link-local source).
#[derive(Debug, Clone, Default)]
pub struct PeerDirectory {
    by_addr: HashMap<IpAddr, mpsc::UnboundedSender<PeerCmd>>,
    by_ifindex: HashMap<u32, mpsc::UnboundedSender<PeerCmd>>,
    ranges: Vec<(ListenRange, mpsc::UnboundedSender<PeerCmd>)>,
}

impl PeerDirectory {
    /// An empty directory.
    pub fn new() -> PeerDirectory {
        PeerDirectory::default()
    }

    /// The neighbour at `addr`.
    pub fn insert(&mut self, addr: IpAddr, tx: mpsc::UnboundedSender<PeerCmd>) {
        self.by_addr.insert(canonical(addr), tx);
    }

    /// The listen range `r` (dynamic neighbours): its task gets the
    /// connections from the range that no configured neighbour claims.
    pub fn insert_range(&mut self, r: ListenRange, tx: mpsc::UnboundedSender<PeerCmd>) {
        self.ranges.push((r, tx));
    }

    /// Forget the listen range `r`.
    pub fn remove_range(&mut self, r: ListenRange) {
        self.ranges.retain(|(x, _)| *x != r);
    }

    /// Forget whoever is at `addr`.
    pub fn remove(&mut self, addr: IpAddr) {
        self.by_addr.remove(&canonical(addr));
    }

    /// Forget the unnumbered neighbour on `ifindex`.
    pub fn remove_interface(&mut self, ifindex: u32) {
        self.by_ifindex.remove(&ifindex);
    }

    /// The unnumbered neighbour on interface `ifindex`.
    pub fn insert_interface(&mut self, ifindex: u32, tx: mpsc::UnboundedSender<PeerCmd>) {
        self.by_ifindex.insert(ifindex, tx);
    }

    /// Who gets a connection from `from`: a configured address first, then
    /// a link-local source's interface.
    pub fn lookup(&self, from: SocketAddr) -> Option<&mpsc::UnboundedSender<PeerCmd>> {
        let ip = canonical(from.ip());
        if let Some(tx) = self.by_addr.get(&ip) {
            return Some(tx);
        }
        if let SocketAddr::V6(v6) = from {
            if vtepd_bgp_evpn::unnumbered::is_link_local(*v6.ip()) {
                if let Some(tx) = self.by_ifindex.get(&v6.scope_id()) {
                    return Some(tx);
                }
            }
        }
        self.ranges
            .iter()
            .find(|(r, _)| r.contains(ip))
            .map(|(_, tx)| tx)
    }
}

/// An IPv4-mapped IPv6 address as IPv4 (what a dual-stack socket reports).
pub fn canonical(a: IpAddr) -> IpAddr {
    match a {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(a, IpAddr::V4),
        v4 => v4,
    }
}

/// Bind one listen socket. An IPv6 wildcard socket is dual-stack on Linux
/// (tokio has no IPV6_V6ONLY setter), so the daemon binds IPv6 first and
/// treats EADDRINUSE on the IPv4 wildcard of the same port as covered.
pub fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let sock = match addr {
        SocketAddr::V4(_) => TcpSocket::new_v4()?,
        SocketAddr::V6(_) => TcpSocket::new_v6()?,
    };
    sock.set_reuseaddr(true)?;
    sock.bind(addr)?;
    sock.listen(64)
}

/// The directory shared by the listeners and the reload logic.
pub type SharedDirectory = Arc<RwLock<PeerDirectory>>;

/// Accept forever.
pub async fn run(listener: TcpListener, peers: SharedDirectory) {
    let local = listener.local_addr().ok();
    info!(addr = ?local, "listening for BGP");
    loop {
        match listener.accept().await {
            Ok((stream, from)) => match peers.read().ok().and_then(|d| d.lookup(from).cloned()) {
                Some(tx) => {
                    debug!(%from, "incoming BGP connection");
                    let _ = tx.send(PeerCmd::Accepted(stream));
                }
                None => {
                    info!(%from, "connection from an unconfigured address refused");
                    drop(stream);
                }
            },
            Err(e) => {
                warn!("accept failed: {e}");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        }
    }
}
