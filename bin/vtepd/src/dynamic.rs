//! Dynamic neighbours: a `[[neighbor]]` with `listen-range = PREFIX` accepts
//! sessions from any address in the prefix (devices behind NAT, spokes that
//! enrol themselves), up to `limit` at once.
//!
//! One task per range. The listener hands it connections from addresses in
//! the range that are not configured neighbours; it creates a passive peer
//! (a peer task like a configured one, with the range's settings and the
//! connection's source as address), registers it with the listener's
//! directory and the RIB, and hands it the connection. Past the limit the
//! connection gets NOTIFICATION Cease / Connection Rejected (6/5, RFC 4486)
//! and is closed. A dynamic peer whose session ends is forgotten (its task
//! exits; the next sweep removes it from the directory and the RIB).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tracing::{info, warn};
use vtepd_bgp_evpn::rib::{MaxPrefix, PeerId};
use vtepd_bgp_evpn::session::{Action, Cease, Input, Session, SessionConfig, Timestamp};

use crate::bgp::listener::{canonical, SharedDirectory};
use crate::bgp::peer::{self, PeerSpec};
use crate::bgp::rib::PeerInfo;
use crate::bgp::{PeerCmd, PeerStatus, RibCmd, StatusMap};
use crate::config::{Config, Neighbor};

/// What a range task needs.
#[derive(Debug)]
pub struct RangeCtx {
    /// The range's neighbour settings.
    pub neighbor: Neighbor,
    /// The configuration (for the session settings).
    pub cfg: Arc<Config>,
    /// Peer id allocator shared with the configured neighbours.
    pub ids: Arc<AtomicU32>,
    /// The listeners' directory.
    pub directory: SharedDirectory,
    /// The RIB task.
    pub rib: mpsc::UnboundedSender<RibCmd>,
    /// Peer statuses.
    pub status: StatusMap,
}

#[derive(Debug)]
struct Dynamic {
    id: PeerId,
    tx: mpsc::UnboundedSender<PeerCmd>,
    task: JoinHandle<()>,
}

/// What a refused connection gets: our OPEN, then NOTIFICATION Cease /
/// Connection Rejected (6/5, RFC 4486). The OPEN first lets the peer take
/// the NOTIFICATION in OpenConfirm, where every implementation records it
/// (FRR counts a bare NOTIFICATION in OpenSent as an FSM error). The bytes
/// come from a throw-away sans-IO session with the range's settings.
pub fn rejection(cfg: SessionConfig) -> Vec<u8> {
    let mut s = Session::new(cfg);
    let t = Timestamp::ZERO;
    s.handle(t, Input::ManualStart);
    s.handle(t, Input::TcpAccepted);
    s.handle(t, Input::Stop(Cease::ConnectionRejected));
    let mut out = Vec::new();
    while let Some(a) = s.poll_action() {
        if let Action::Send(b) = a {
            out.extend_from_slice(&b);
        }
    }
    out
}

async fn reject(mut stream: TcpStream, bytes: Vec<u8>) {
    let _ = stream.write_all(&bytes).await;
    // Give the peer a moment to read it before the socket goes.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let _ = stream.shutdown().await;
}

/// Run one listen range until told to stop (`Shutdown` or `Deconfigure`,
/// passed on to every dynamic peer).
pub async fn run(ctx: RangeCtx, mut rx: mpsc::UnboundedReceiver<PeerCmd>) {
    let range = ctx.neighbor.listen_range;
    let limit = ctx.neighbor.limit;
    info!(range = ?range, limit, "accepting dynamic neighbours");
    let mut peers: HashMap<IpAddr, Dynamic> = HashMap::new();
    let mut sweep = tokio::time::interval(Duration::from_secs(1));
    loop {
        let cmd = tokio::select! {
            c = rx.recv() => c,
            _ = sweep.tick() => {
                forget_finished(&ctx, &mut peers);
                continue;
            }
        };
        match cmd {
            Some(PeerCmd::Accepted(stream)) => {
                forget_finished(&ctx, &mut peers);
                let Ok(from) = stream.peer_addr() else {
                    continue;
                };
                let ip = canonical(from.ip());
                if let Some(d) = peers.get(&ip) {
                    let _ = d.tx.send(PeerCmd::Accepted(stream));
                    continue;
                }
                if peers.len() >= limit {
                    warn!(%from, limit, "dynamic neighbour limit reached: Cease 6/5");
                    let mut n = ctx.neighbor.clone();
                    n.passive = true;
                    let bytes = rejection(crate::daemon::session_config(&ctx.cfg, &n));
                    tokio::spawn(reject(stream, bytes));
                    continue;
                }
                let d = start(&ctx, ip);
                info!(%from, id = d.id.0, "dynamic neighbour accepted");
                let _ = d.tx.send(PeerCmd::Accepted(stream));
                peers.insert(ip, d);
            }
            Some(PeerCmd::Shutdown) | None => {
                stop_all(&ctx, &mut peers, None).await;
                return;
            }
            Some(PeerCmd::Deconfigure(c)) => {
                stop_all(&ctx, &mut peers, Some(c)).await;
                return;
            }
            Some(_) => {}
        }
    }
}

fn start(ctx: &RangeCtx, ip: IpAddr) -> Dynamic {
    let id = PeerId(ctx.ids.fetch_add(1, Ordering::Relaxed));
    let mut n = ctx.neighbor.clone();
    n.address = Some(ip);
    n.listen_range = None;
    n.passive = true;
    if let Ok(mut m) = ctx.status.lock() {
        m.insert(
            id.0,
            PeerStatus {
                state: "Idle".into(),
                down_since: Some(std::time::Instant::now()),
                ..PeerStatus::default()
            },
        );
    }
    let _ = ctx.rib.send(RibCmd::AddPeer {
        id,
        info: Box::new(PeerInfo {
            address: ip,
            rr_client: n.rr_client,
            max_prefix: n.max_prefixes.map(|limit| MaxPrefix {
                limit,
                warning_only: n.max_prefixes_warning_only,
            }),
            up: None,
            interface: None,
            local_link_local: None,
            peer_graceful_restart: None,
            neighbor: n.clone(),
        }),
    });
    let (tx, rx) = mpsc::unbounded_channel();
    if let Ok(mut d) = ctx.directory.write() {
        d.insert(ip, tx.clone());
    }
    let spec = PeerSpec {
        id,
        address: ip,
        interface: None,
        dynamic: true,
        port: n.port,
        session: {
            let mut s = crate::daemon::session_config(&ctx.cfg, &n);
            // No graceful-restart capability: a dynamic neighbour's routes
            // end with its session, so vtepd does not claim to keep them.
            s.graceful_restart = None;
            s
        },
    };
    let task = tokio::spawn(peer::run(
        spec,
        tx.clone(),
        rx,
        ctx.rib.clone(),
        ctx.status.clone(),
    ));
    Dynamic { id, tx, task }
}

fn forget(ctx: &RangeCtx, ip: IpAddr, d: &Dynamic) {
    if let Ok(mut dir) = ctx.directory.write() {
        dir.remove(ip);
    }
    let _ = ctx.rib.send(RibCmd::RemovePeer { id: d.id });
    if let Ok(mut m) = ctx.status.lock() {
        m.remove(&d.id.0);
    }
}

fn forget_finished(ctx: &RangeCtx, peers: &mut HashMap<IpAddr, Dynamic>) {
    let done: Vec<IpAddr> = peers
        .iter()
        .filter(|(_, d)| d.task.is_finished())
        .map(|(ip, _)| *ip)
        .collect();
    for ip in done {
        if let Some(d) = peers.remove(&ip) {
            info!(peer = %ip, "dynamic neighbour gone");
            forget(ctx, ip, &d);
        }
    }
}

async fn stop_all(ctx: &RangeCtx, peers: &mut HashMap<IpAddr, Dynamic>, cease: Option<Cease>) {
    let mut tasks = Vec::new();
    for (ip, d) in peers.drain() {
        let _ = d.tx.send(match cease {
            Some(c) => PeerCmd::Deconfigure(c),
            None => PeerCmd::Shutdown,
        });
        forget(ctx, ip, &d);
        tasks.push(d.task);
    }
    for t in tasks {
        let _ = tokio::time::timeout(crate::bgp::SHUTDOWN_GRACE, t).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vtepd_bgp_evpn::{Asn, RouterId};

    #[test]
    fn rejection_is_open_then_cease_6_5() {
        let mut cfg = SessionConfig::new(Asn(65000), RouterId("10.0.0.1".parse().unwrap()), None);
        cfg.passive = true;
        let b = rejection(cfg);
        // OPEN (type 1) first, then the 21-byte NOTIFICATION 6/5 last.
        assert_eq!(b.get(18), Some(&1));
        let n = b.len() - 21;
        assert!(b
            .get(n..n + 16)
            .is_some_and(|m| m.iter().all(|x| *x == 0xff)));
        assert_eq!(b.get(n + 16..), Some(&[0, 21, 3, 6, 5][..]));
    }
}
