//! `vtepd run`: wire the configuration, the BGP tasks and the control socket
//! together; SIGTERM/SIGINT stop every session with Cease/administrative
//! shutdown before exiting.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use anyhow::{Context, Result};
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::mpsc;
use tracing::{error, info};
use vtepd_bgp_evpn::capability::{ExtendedNextHopEntry, GracefulRestart};

/// The restart time we advertise (RFC 4724 §3; FRR's default).
const GR_RESTART_TIME: u16 = 120;
use vtepd_bgp_evpn::session::SessionConfig;
use vtepd_bgp_evpn::{AddressFamily, Afi};

use crate::bgp::listener::{self, PeerDirectory, SharedDirectory};
use crate::bgp::rib::RibTask;
use crate::bgp::{RibCmd, StatusMap, SHUTDOWN_GRACE};
use crate::config::{Config, RemoteAs};
use crate::control;
use crate::reload::Peers;

pub fn session_config(cfg: &Config, n: &crate::config::Neighbor) -> SessionConfig {
    let peer_as = match n.remote_as {
        RemoteAs::Asn(a) => Some(a),
        RemoteAs::Internal => Some(cfg.asn),
        RemoteAs::External => None,
    };
    let mut s = SessionConfig::new(cfg.asn, cfg.router_id, peer_as);
    if n.remote_as == RemoteAs::External {
        s.peer_kind = Some(vtepd_bgp_evpn::wire::PeerKind::External);
    }
    s.hold_time = n.hold_time;
    s.connect_retry = Duration::from_secs(u64::from(n.connect_retry));
    s.max_idle_hold = Duration::from_secs(30);
    s.passive = n.passive;
    s.families = n.families.clone();
    // Graceful restart helper (RFC 4724 §3, a capability with no families:
    // this router keeps no forwarding state across its own restart, but
    // keeps a restarting peer's routes, as FRR does by default), with the
    // N bit (RFC 8538): a peer that sets it too keeps its routes across a
    // session lost to a NOTIFICATION other than Hard Reset, such as an
    // expired hold timer on a flaky link. (Dynamic neighbours get none:
    // `dynamic.rs`.)
    s.graceful_restart = Some(GracefulRestart {
        flags: GracefulRestart::NOTIFICATION,
        restart_time: GR_RESTART_TIME,
        families: Vec::new(),
    });
    if n.interface.is_some() && n.families.contains(&AddressFamily::IPV4_UNICAST) {
        // RFC 8950: IPv4 routes with the IPv6 (link-local) next hop of
        // the unnumbered link.
        s.extended_next_hop = vec![ExtendedNextHopEntry {
            family: AddressFamily::IPV4_UNICAST,
            next_hop_afi: Afi::Ipv6,
        }];
    }
    s
}

/// Run the daemon until SIGTERM/SIGINT.
pub fn run(cfg: Config, socket: Option<PathBuf>) -> Result<()> {
    crate::malloc::one_arena();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the runtime")?;
    rt.block_on(run_async(cfg, socket))
}

async fn run_async(cfg: Config, socket: Option<PathBuf>) -> Result<()> {
    let cfg = Arc::new(cfg);
    let socket = socket.unwrap_or_else(|| cfg.socket.clone());
    info!(router_id = %cfg.router_id, asn = %cfg.asn, config = %cfg.path.display(), "vtepd starting");

    let status: StatusMap = Arc::new(Mutex::new(BTreeMap::new()));
    let (rib_tx, rib_rx) = mpsc::unbounded_channel();
    let mut rib = RibTask::new(cfg.clone(), status.clone());
    // The L2 dataplane and its EVPN wiring, when any VNI has ports.
    let mut evpn_task = None;
    if crate::evpn::wanted(&cfg) {
        let worker = crate::evpn::start_worker(&cfg)?;
        let (etx, erx) = mpsc::unbounded_channel();
        rib.evpn = Some(etx);
        let t = crate::evpn::EvpnTask::new(cfg.clone(), worker, rib_tx.clone());
        evpn_task = Some(tokio::spawn(t.run(erx)));
    }
    let rib_task = tokio::spawn(rib.run(rib_rx));

    let directory: SharedDirectory = Arc::new(RwLock::new(PeerDirectory::new()));
    let mut peers = Peers::new(
        cfg.clone(),
        directory.clone(),
        rib_tx.clone(),
        status.clone(),
    );
    peers.start_all()?;

    // Listen sockets: IPv6 first; an IPv4 wildcard that collides with a
    // dual-stack IPv6 wildcard on the same port is already covered.
    let mut listen = cfg.listen.clone();
    listen.sort_by_key(|a| !a.is_ipv6());
    let mut bound_v6_any: Vec<u16> = Vec::new();
    for addr in listen {
        match listener::bind(addr) {
            Ok(l) => {
                if addr.is_ipv6() && addr.ip().is_unspecified() {
                    bound_v6_any.push(addr.port());
                }
                tokio::spawn(listener::run(l, directory.clone()));
            }
            Err(e)
                if e.kind() == std::io::ErrorKind::AddrInUse
                    && bound_v6_any.contains(&addr.port()) =>
            {
                info!(%addr, "covered by the dual-stack IPv6 socket");
            }
            Err(e) => {
                return Err(e).with_context(|| format!("listening on {addr}"));
            }
        }
    }

    let ctl = control::bind(&socket)?;
    let (reload_tx, mut reload_rx) = mpsc::unbounded_channel::<control::ReloadRequest>();
    let ctl_task = tokio::spawn(control::serve(ctl, rib_tx.clone(), reload_tx));
    info!(socket = %socket.display(), "ready");

    let mut term = signal(SignalKind::terminate()).context("SIGTERM handler")?;
    let mut int = signal(SignalKind::interrupt()).context("SIGINT handler")?;
    let mut hup = signal(SignalKind::hangup()).context("SIGHUP handler")?;
    loop {
        let reply = tokio::select! {
            _ = term.recv() => { info!("SIGTERM: shutting down"); break; }
            _ = int.recv() => { info!("SIGINT: shutting down"); break; }
            _ = hup.recv() => { info!("SIGHUP: reloading {}", cfg.path.display()); None }
            r = reload_rx.recv() => match r {
                Some(r) => Some(r),
                None => continue,
            },
        };
        let answer = match Config::load(&cfg.path) {
            Ok(new) => Ok(peers.reload(new).await),
            Err(e) => {
                error!("reload refused, running configuration kept: {e}");
                Err(format!("reload refused, running configuration kept: {e}"))
            }
        };
        if let Ok(text) = &answer {
            info!("{text}");
        }
        if let Some(r) = reply {
            let _ = r.send(answer);
        }
    }
    let peer_tasks = peers.shutdown();
    let all = async {
        for t in peer_tasks {
            let _ = t.await;
        }
    };
    if tokio::time::timeout(SHUTDOWN_GRACE, all).await.is_err() {
        error!("some sessions did not close in time");
    }
    // Let the writers flush the NOTIFICATIONs.
    tokio::time::sleep(Duration::from_millis(200)).await;
    // Kernel routes vtepd added (unnumbered peers' prefixes) go.
    let (done_tx, done_rx) = tokio::sync::oneshot::channel();
    if rib_tx.send(RibCmd::Shutdown { done: done_tx }).is_ok() {
        let _ = tokio::time::timeout(Duration::from_secs(2), done_rx).await;
    }
    ctl_task.abort();
    rib_task.abort();
    if let Some(t) = evpn_task {
        // Dropping the task drops the worker handle, which stops the thread.
        t.abort();
        let _ = t.await;
    }
    let _ = std::fs::remove_file(&socket);
    info!("vtepd stopped");
    Ok(())
}
