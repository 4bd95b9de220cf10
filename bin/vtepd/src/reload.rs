//! The running neighbours and configuration reload (SIGHUP, `vtepd reload`).
//!
//! [`Peers`] owns one task per neighbour (and the router-advertisement task
//! of an unnumbered one). A reload re-reads the file; a file that does not
//! validate changes nothing and the error (file:line:field) goes back to the
//! caller. Otherwise the difference is applied:
//!
//! - a neighbour is identified by its address or interface;
//! - new neighbours start;
//! - removed neighbours stop with NOTIFICATION Cease / Peer De-configured
//!   (6/3) and their routes are removed;
//! - changed neighbours (any setting) stop with Cease / Other Configuration
//!   Change (6/6) and start again with the new settings;
//! - unchanged neighbours keep their session untouched;
//! - originated routes are diffed by the RIB task (new announced, removed
//!   withdrawn).
//!
//! Not applied by a reload (they need a restart): router-id, AS, cluster
//! ID, listen addresses, control socket, log level, and the dataplane's
//! settings (local tunnel address, underlay port, VNIs, duplicate-address
//! detection, event channel). A reload that changes them keeps their running
//! values, applies everything else, logs a warning and names them in its
//! reply.

use std::net::{IpAddr, Ipv6Addr};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use anyhow::{Context, Result};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tracing::{info, warn};
use vtepd_bgp_evpn::rib::{MaxPrefix, PeerId};
use vtepd_bgp_evpn::session::Cease;
use vtepd_bgp_evpn::unnumbered::DiscoveryConfig;

use crate::bgp::listener::SharedDirectory;
use crate::bgp::peer::{self, PeerSpec};
use crate::bgp::rib::PeerInfo;
use crate::bgp::{PeerCmd, PeerStatus, RibCmd, StatusMap};
use crate::config::{Config, ListenRange, Neighbor};
use crate::dynamic::{self, RangeCtx};
use crate::unnumbered::{self, Interface};

/// One running neighbour.
#[derive(Debug)]
struct Running {
    id: PeerId,
    neighbor: Neighbor,
    tx: mpsc::UnboundedSender<PeerCmd>,
    task: JoinHandle<()>,
    discovery: Option<(u32, JoinHandle<()>)>,
}

impl Running {
    fn range(&self) -> Option<ListenRange> {
        self.neighbor.listen_range
    }
}

/// The neighbours' tasks.
#[derive(Debug)]
pub struct Peers {
    cfg: Arc<Config>,
    next_id: Arc<AtomicU32>,
    running: Vec<Running>,
    directory: SharedDirectory,
    rib: mpsc::UnboundedSender<RibCmd>,
    status: StatusMap,
}

/// A neighbour's identity across reloads.
fn identity(n: &Neighbor) -> (Option<IpAddr>, Option<String>, Option<ListenRange>) {
    (n.address, n.interface.clone(), n.listen_range)
}

impl Peers {
    /// No neighbours yet. Ids start after the configured ones (which the
    /// RIB task numbers by position at start).
    pub fn new(
        cfg: Arc<Config>,
        directory: SharedDirectory,
        rib: mpsc::UnboundedSender<RibCmd>,
        status: StatusMap,
    ) -> Peers {
        Peers {
            cfg,
            next_id: Arc::new(AtomicU32::new(0)),
            running: Vec::new(),
            directory,
            rib,
            status,
        }
    }

    /// Start every neighbour of the initial configuration (ids 0..n, as the
    /// RIB task numbered them).
    pub fn start_all(&mut self) -> Result<()> {
        let cfg = self.cfg.clone();
        for n in &cfg.neighbors {
            let id = self.new_id();
            self.start(id, n, &cfg)?;
        }
        Ok(())
    }

    fn new_id(&self) -> PeerId {
        PeerId(self.next_id.fetch_add(1, Ordering::Relaxed))
    }

    fn start(&mut self, id: PeerId, n: &Neighbor, cfg: &Config) -> Result<()> {
        if let Some(range) = n.listen_range {
            let (tx, rx) = mpsc::unbounded_channel::<PeerCmd>();
            if let Ok(mut d) = self.directory.write() {
                d.insert_range(range, tx.clone());
            }
            let ctx = RangeCtx {
                neighbor: n.clone(),
                cfg: Arc::new(cfg.clone()),
                ids: self.next_id.clone(),
                directory: self.directory.clone(),
                rib: self.rib.clone(),
                status: self.status.clone(),
            };
            let task = tokio::spawn(dynamic::run(ctx, rx));
            self.running.push(Running {
                id,
                neighbor: n.clone(),
                tx,
                task,
                discovery: None,
            });
            return Ok(());
        }
        if let Ok(mut m) = self.status.lock() {
            m.insert(
                id.0,
                PeerStatus {
                    state: "Idle".into(),
                    down_since: Some(std::time::Instant::now()),
                    ..PeerStatus::default()
                },
            );
        }
        let (tx, rx) = mpsc::unbounded_channel::<PeerCmd>();
        let (address, interface, discovery) = match (n.address, &n.interface) {
            (Some(address), _) => {
                if let Ok(mut d) = self.directory.write() {
                    d.insert(address, tx.clone());
                }
                (address, None, None)
            }
            (None, Some(name)) => {
                let ifc = Interface::lookup(name)
                    .with_context(|| format!("neighbor interface {name}"))?;
                if let Ok(mut d) = self.directory.write() {
                    d.insert_interface(ifc.ifindex, tx.clone());
                }
                let interface = Some((ifc.name.clone(), ifc.ifindex));
                let idx = ifc.ifindex;
                let t = tokio::spawn(unnumbered::run(ifc, DiscoveryConfig::default(), tx.clone()));
                (IpAddr::V6(Ipv6Addr::UNSPECIFIED), interface, Some((idx, t)))
            }
            (None, None) => return Ok(()), // refused by the config check
        };
        let spec = PeerSpec {
            id,
            address,
            interface,
            dynamic: false,
            port: n.port,
            session: crate::daemon::session_config(cfg, n),
        };
        let task = tokio::spawn(peer::run(
            spec,
            tx.clone(),
            rx,
            self.rib.clone(),
            self.status.clone(),
        ));
        self.running.push(Running {
            id,
            neighbor: n.clone(),
            tx,
            task,
            discovery,
        });
        Ok(())
    }

    /// Stop one neighbour with `cease`; its routes go with its session.
    fn stop(&mut self, i: usize, cease: Cease) -> Option<JoinHandle<()>> {
        if i >= self.running.len() {
            return None;
        }
        let r = self.running.remove(i);
        if let Ok(mut d) = self.directory.write() {
            if let Some(a) = r.neighbor.address {
                d.remove(a);
            }
            if let Some((idx, _)) = &r.discovery {
                d.remove_interface(*idx);
            }
            if let Some(range) = r.range() {
                d.remove_range(range);
            }
        }
        if let Some((_, t)) = r.discovery {
            t.abort();
        }
        let _ = r.tx.send(PeerCmd::Deconfigure(cease));
        if r.neighbor.listen_range.is_none() {
            let _ = self.rib.send(RibCmd::RemovePeer { id: r.id });
        }
        if let Ok(mut m) = self.status.lock() {
            m.remove(&r.id.0);
        }
        Some(r.task)
    }

    /// Apply `new`; returns a one-line account of what changed.
    pub async fn reload(&mut self, new: Config) -> String {
        let old = self.cfg.clone();
        let (new, pinned) = keep_restart_only(&old, new);
        for what in &pinned {
            warn!("reload: {what} changed; this takes a restart and is not applied");
        }
        let new = Arc::new(new);
        let (mut added, mut removed, mut changed, mut kept) = (0, 0, 0, 0);
        let mut stopping = Vec::new();
        // Removed or changed neighbours stop first.
        let mut i = 0;
        let mut restart = Vec::new();
        while i < self.running.len() {
            let Some(n) = self.running.get(i).map(|r| &r.neighbor) else {
                break;
            };
            match new.neighbors.iter().find(|m| identity(m) == identity(n)) {
                None => {
                    info!(neighbor = ?identity(n), "reload: neighbour removed (Cease 6/3)");
                    removed += 1;
                    stopping.extend(self.stop(i, Cease::PeerDeconfigured));
                }
                Some(m) if m != n => {
                    info!(neighbor = ?identity(n), "reload: neighbour changed (Cease 6/6), restarting");
                    changed += 1;
                    restart.push(m.clone());
                    stopping.extend(self.stop(i, Cease::OtherConfigChange));
                }
                Some(_) => {
                    kept += 1;
                    i += 1;
                }
            }
        }
        // Let the NOTIFICATIONs go before a changed neighbour reconnects.
        for t in stopping {
            let _ = tokio::time::timeout(crate::bgp::SHUTDOWN_GRACE, t).await;
        }
        let _ = self.rib.send(RibCmd::Reconfigure(new.clone()));
        let to_start: Vec<Neighbor> = new
            .neighbors
            .iter()
            .filter(|m| {
                !self
                    .running
                    .iter()
                    .any(|r| identity(&r.neighbor) == identity(m))
            })
            .cloned()
            .collect();
        for m in &to_start {
            if !restart.contains(m) {
                info!(neighbor = ?identity(m), "reload: neighbour added");
                added += 1;
            }
            let id = self.new_id();
            if m.listen_range.is_some() {
                if let Err(e) = self.start(id, m, &new) {
                    warn!(neighbor = ?identity(m), "reload: cannot start: {e:#}");
                }
                continue;
            }
            let info = PeerInfo {
                address: m.address.unwrap_or(IpAddr::V6(Ipv6Addr::UNSPECIFIED)),
                rr_client: m.rr_client,
                max_prefix: m.max_prefixes.map(|limit| MaxPrefix {
                    limit,
                    warning_only: m.max_prefixes_warning_only,
                }),
                up: None,
                interface: m.interface.clone(),
                local_link_local: None,
                peer_graceful_restart: None,
                neighbor: m.clone(),
            };
            let _ = self.rib.send(RibCmd::AddPeer {
                id,
                info: Box::new(info),
            });
            if let Err(e) = self.start(id, m, &new) {
                warn!(neighbor = ?identity(m), "reload: cannot start: {e:#}");
            }
        }
        self.cfg = new;
        let mut reply = format!(
            "{} reloaded: {added} neighbours added, {removed} removed, {changed} changed, {kept} unchanged",
            self.cfg.path.display()
        );
        if !pinned.is_empty() {
            reply.push_str("; not applied, takes a restart: ");
            reply.push_str(&pinned.join(", "));
        }
        reply
    }

    /// SIGTERM: every session closes with Cease / Administrative Shutdown.
    pub fn shutdown(&mut self) -> Vec<JoinHandle<()>> {
        self.running
            .drain(..)
            .map(|r| {
                let _ = r.tx.send(PeerCmd::Shutdown);
                if let Some((_, t)) = r.discovery {
                    t.abort();
                }
                r.task
            })
            .collect()
    }
}

/// The settings a reload cannot apply (the listeners, the control socket,
/// the dataplane and what every session and route was built from): `new`
/// with each of them put back to its running value, and the names of those
/// that differed. Keeping them means what runs and what the RIB originates
/// stay consistent (no type-3 route for a VNI the dataplane does not have,
/// no RD from a router ID the sessions do not use), and the next reload
/// reports them again.
fn keep_restart_only(old: &Config, mut new: Config) -> (Config, Vec<&'static str>) {
    let mut pinned = Vec::new();
    macro_rules! keep {
        ($($field:ident => $name:literal),* $(,)?) => {$(
            if new.$field != old.$field {
                pinned.push($name);
                new.$field = old.$field.clone();
            }
        )*};
    }
    keep!(
        router_id => "router-id",
        asn => "asn",
        cluster_id => "cluster-id",
        listen => "listen",
        socket => "socket",
        log_level => "log level",
        local_ip => "local tunnel address",
        underlay_port => "underlay port",
        vnis => "vni",
        dad_max_moves => "dad-max-moves",
        dad_time => "dad-time",
        event_channel => "event-channel",
    );
    (new, pinned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    const BASE: &str = r#"
[bgp]
router-id = "10.0.0.1"
asn = 65000

[[neighbor]]
address = "10.0.0.2"
remote-as = "internal"

[[vni]]
vni = 100
"#;

    fn parse(text: &str) -> Config {
        Config::parse(Path::new("t.toml"), text).expect("valid test config")
    }

    #[test]
    fn restart_only_settings_keep_their_running_values() {
        let old = parse(BASE);
        let text = BASE
            .replace("10.0.0.1", "10.0.0.9")
            .replace("65000", "65009")
            .replace("vni = 100", "vni = 200")
            .replace("10.0.0.2", "10.0.0.3");
        let (kept, pinned) = keep_restart_only(&old, parse(&text));
        // The local tunnel address defaults to the router ID.
        assert_eq!(pinned, ["router-id", "asn", "local tunnel address", "vni"]);
        assert_eq!(kept.router_id, old.router_id);
        assert_eq!(kept.asn, old.asn);
        assert_eq!(kept.vnis, old.vnis);
        // Everything else is the new file's.
        assert_eq!(kept.neighbors[0].address, Some("10.0.0.3".parse().unwrap()));

        let (same, pinned) = keep_restart_only(&old, parse(BASE));
        assert!(pinned.is_empty());
        assert_eq!(same.neighbors, old.neighbors);
    }
}
