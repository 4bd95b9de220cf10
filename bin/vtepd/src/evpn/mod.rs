//! EVPN L2 wiring: the dataplane worker started from the `[[vni]]` entries,
//! and a task that joins it to the RIB through plain events.
//!
//! - Worker → task: MAC learnt / moved / aged / flushed / shadowed, snooped
//!   ARP/ND bindings (the worker hands them over every 100 ms; this task
//!   polls every 100 ms).
//! - RIB → task: best path installed / withdrawn in an L2 VNI's table
//!   ([`EvpnCmd::Installed`], [`EvpnCmd::Withdrawn`]).
//! - Task → RIB: local type-2 routes to originate or withdraw
//!   ([`RibCmd::Local`]); type-3 routes are originated by the RIB task from
//!   the configuration.
//! - Task → worker: [`Control`] (remote MACs, bindings, flood list).
//!
//! The decisions live in the sans-IO [`state`] module.

pub mod show;
pub mod state;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use serde_json::Value;
use tokio::sync::{mpsc, oneshot};
use tracing::{debug, info, warn};
use vtepd_bgp_evpn::rib::codec::PathAttrs;
use vtepd_bgp_evpn::rib::{PathSource, Route, RouteKey};
use vtepd_bgp_evpn::MacAddress;
use vtepd_dataplane::mac_table::{Destination, EntryKind, MacEvent, MacTableConfig};
use vtepd_dataplane::suppress::{BindingEvent, SuppressConfig};
use vtepd_dataplane::vxlan::VxlanConfig;
use vtepd_dataplane::worker::{self, Control, PortKind, WorkerConfig, WorkerHandle};
use vtepd_dataplane::BridgeConfig;

use crate::bgp::RibCmd;
use crate::config::{Config, PortCfg, VniKind};
use state::{Action, Dad, EvpnState, VniSettings};

/// What the EVPN task is told.
#[derive(Debug)]
pub enum EvpnCmd {
    /// A best path was installed in table `vni`.
    Installed {
        /// The table (VNI).
        vni: u32,
        /// The key.
        key: RouteKey,
        /// The route.
        route: Route,
        /// Its attributes.
        attrs: Arc<PathAttrs>,
        /// Its source.
        source: PathSource,
    },
    /// No best path for `key` in table `vni` any more.
    Withdrawn {
        /// The table (VNI).
        vni: u32,
        /// The key.
        key: RouteKey,
    },
    /// A `show evpn ...` / `show vteps` / `show interfaces` query.
    Show {
        /// What.
        what: String,
        /// VNI filter.
        vni: Option<u32>,
        /// Where the answer goes.
        reply: oneshot::Sender<Value>,
    },
}

/// The [`EvpnCmd::Show`] `what` of `clear evpn dup-addr vni N [mac M]`
/// (followed by a space and the MAC when one is given).
pub const CLEAR_DUP: &str = "clear-dup-addr";

/// Whether the configuration asks for a dataplane (any L2 VNI with ports).
pub fn wanted(cfg: &Config) -> bool {
    cfg.vnis
        .iter()
        .any(|v| v.kind == VniKind::L2 && !v.ports.is_empty())
}

/// The worker configuration of `cfg`'s L2 VNIs.
pub fn worker_config(cfg: &Config) -> Result<WorkerConfig> {
    let mut vnis = Vec::new();
    for v in cfg.vnis.iter().filter(|v| v.kind == VniKind::L2) {
        let vni = vtepd_wire::vxlan::Vni::new(v.vni.get())
            .map_err(|e| anyhow::anyhow!("VNI {}: {e:?}", v.vni))?;
        let bridge = BridgeConfig {
            mac: MacTableConfig {
                age: Some(Duration::from_secs(u64::from(v.mac_aging))),
                // As many queued events per turn as the worker's channel
                // holds (the default, 1024, loses a burst of new hosts
                // sooner than the channel would).
                event_limit: cfg.event_channel,
                learn_limit: v.max_local_macs as usize,
                install_limit: v.max_remote_macs as usize,
            },
            learn_remote: v.learn_remote,
            suppress: v.arp_suppression.then(SuppressConfig::default),
            ..BridgeConfig::default()
        };
        vnis.push(worker::VniConfig {
            vni,
            ports: v
                .ports
                .iter()
                .map(|p| match p {
                    PortCfg::Tap(n) => PortKind::Tap(n.clone()),
                    PortCfg::Interface(n) => PortKind::Packet(n.clone()),
                })
                .collect(),
            flood: Vec::new(),
            static_macs: Vec::new(),
            bridge,
        });
    }
    let mut wc = WorkerConfig::new(cfg.local_ip, vnis);
    wc.event_channel = cfg.event_channel;
    wc.vxlan = VxlanConfig::new(cfg.underlay_port, (49152, 65535), 0)
        .map_err(|e| anyhow::anyhow!("underlay port: {e:?}"))?;
    Ok(wc)
}

/// Start the worker.
pub fn start_worker(cfg: &Config) -> Result<WorkerHandle> {
    let wc = worker_config(cfg)?;
    let h = worker::spawn(wc).with_context(|| {
        format!(
            "starting the dataplane (underlay {}:{}, ports {})",
            cfg.local_ip,
            cfg.underlay_port,
            cfg.vnis
                .iter()
                .flat_map(|v| v.ports.iter().map(|p| p.name().to_owned()))
                .collect::<Vec<_>>()
                .join(",")
        )
    })?;
    info!(local = %cfg.local_ip, port = cfg.underlay_port, "dataplane started");
    Ok(h)
}

/// The EVPN task's state.
pub struct EvpnTask {
    /// The decisions.
    pub state: EvpnState,
    /// The worker.
    pub worker: WorkerHandle,
    /// The configuration.
    pub cfg: Arc<Config>,
    /// Where local routes go.
    pub rib: mpsc::UnboundedSender<RibCmd>,
    /// Port names by worker port index.
    pub port_names: Vec<String>,
    /// Local MAC → port name, per VNI (for `show`).
    pub local_ports: BTreeMap<(u32, MacAddress), String>,
    /// Time origin.
    pub start: Instant,
    /// The worker's death was logged.
    pub worker_dead: bool,
    /// Polls that found the worker's event channel full.
    pub events_overflowed: u64,
    /// The worker's lost-event count at the last resync.
    pub lost_seen: u32,
    /// Resyncs from the worker's tables after lost events.
    pub resyncs: u64,
    /// VNIs with more remote MACs than `max-remote-macs` (warned once).
    pub over_limit: std::collections::BTreeSet<u32>,
}

impl EvpnTask {
    /// A task for `cfg` driving `worker`.
    pub fn new(
        cfg: Arc<Config>,
        worker: WorkerHandle,
        rib: mpsc::UnboundedSender<RibCmd>,
    ) -> EvpnTask {
        let vnis = cfg
            .vnis
            .iter()
            .filter(|v| v.kind == VniKind::L2)
            .map(|v| VniSettings {
                vni: v.vni,
                rd: v.rd,
                export_rt: v.export_rt.clone(),
                local_ip: v.local_ip,
                static_macs: v.static_macs.clone(),
            })
            .collect();
        let dad = Dad {
            max_moves: cfg.dad_max_moves,
            window: Duration::from_secs(u64::from(cfg.dad_time)),
        };
        let port_names = cfg
            .vnis
            .iter()
            .filter(|v| v.kind == VniKind::L2)
            .flat_map(|v| v.ports.iter().map(|p| p.name().to_owned()))
            .collect();
        EvpnTask {
            state: EvpnState::new(vnis, dad),
            worker,
            cfg,
            rib,
            port_names,
            local_ports: BTreeMap::new(),
            start: Instant::now(),
            worker_dead: false,
            events_overflowed: 0,
            lost_seen: 0,
            resyncs: 0,
            over_limit: std::collections::BTreeSet::new(),
        }
    }

    fn port_name(&self, d: Destination) -> Option<String> {
        match d {
            Destination::Local(p) => self.port_names.get(usize::from(p.0)).cloned(),
            Destination::Remote(_) => None,
        }
    }

    /// Run until the command channel closes.
    pub async fn run(mut self, mut rx: mpsc::UnboundedReceiver<EvpnCmd>) {
        let mut tick = tokio::time::interval(Duration::from_millis(100));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                c = rx.recv() => {
                    let Some(c) = c else { break };
                    self.handle(c);
                    while let Ok(c) = rx.try_recv() {
                        self.handle(c);
                    }
                }
                _ = tick.tick() => self.poll_worker(),
            }
            self.apply();
        }
    }

    fn now(&self) -> Duration {
        self.start.elapsed()
    }

    fn handle(&mut self, c: EvpnCmd) {
        let now = self.now();
        match c {
            EvpnCmd::Installed {
                vni,
                key,
                route,
                attrs,
                source,
            } => self
                .state
                .rib_installed(now, vni, key, &route, &attrs, source),
            EvpnCmd::Withdrawn { vni, key } => self.state.rib_withdrawn(vni, &key),
            EvpnCmd::Show { what, vni, reply } => {
                let v = match what.strip_prefix(CLEAR_DUP) {
                    Some(rest) => self.clear_dup(now, vni, rest.trim()),
                    None => show::answer(self, &what, vni),
                };
                let _ = reply.send(v);
            }
        }
    }

    /// `clear evpn dup-addr vni N [mac M]`: `mac` is "" or the MAC.
    fn clear_dup(&mut self, now: Duration, vni: Option<u32>, mac: &str) -> Value {
        let Some(vni) = vni else {
            return serde_json::json!({ "error": "clear evpn dup-addr needs a VNI" });
        };
        if !self.state.vnis.contains_key(&vni) {
            return serde_json::json!({ "error": format!("VNI {vni} is not an L2 VNI here") });
        }
        let mac = if mac.is_empty() {
            None
        } else {
            match crate::config::parse_mac(mac) {
                Ok(m) => Some(m),
                Err(e) => return serde_json::json!({ "error": e }),
            }
        };
        let cleared = self.state.clear_dup(now, vni, mac);
        info!(vni, cleared = cleared.len(), "duplicate MACs cleared");
        serde_json::json!({
            "vni": vni,
            "cleared": cleared.iter().map(|m| m.to_string()).collect::<Vec<_>>(),
        })
    }

    fn poll_worker(&mut self) {
        let now = self.now();
        if !self.worker_dead && !self.worker.is_running() {
            self.worker_dead = true;
            tracing::error!("the dataplane worker stopped: no more forwarding or MAC events");
        }
        // Read before draining: a loss counted from here on is seen at the
        // next poll, one counted before is covered by this poll's listing.
        let lost = self.worker.events_lost();
        let mut drained = 0usize;
        while let Some(e) = self.worker.try_event() {
            drained += 1;
            let vni = e.vni.get();
            let local = |k: EntryKind| k == EntryKind::LearntLocal;
            match e.event {
                MacEvent::Learnt {
                    mac,
                    dest: port,
                    kind,
                }
                | MacEvent::Moved {
                    mac,
                    to: port,
                    kind,
                    ..
                } if local(kind) => {
                    let m = MacAddress(mac.0);
                    if self.state.local_learnt(now, vni, m) {
                        debug!(vni, %m, "local MAC learnt");
                        if let Some(n) = self.port_name(port) {
                            self.local_ports.insert((vni, m), n);
                        }
                    } else {
                        debug!(vni, %m, "stale local learn ignored (installed as remote)");
                    }
                }
                MacEvent::Shadowed {
                    mac,
                    installed: Destination::Remote(vtep),
                    seen: seen @ Destination::Local(_),
                    kind: EntryKind::ControlPlane,
                } => {
                    // The host behind a remote VTEP now talks on a local port:
                    // a local move (RFC 7432 §15).
                    let m = MacAddress(mac.0);
                    info!(vni, %m, from = %vtep, "MAC moved to a local port");
                    if let Some(n) = self.port_name(seen) {
                        self.local_ports.insert((vni, m), n);
                    }
                    self.state.local_learn(now, vni, m);
                }
                MacEvent::Aged { mac, kind, .. } | MacEvent::Flushed { mac, kind, .. }
                    if local(kind) =>
                {
                    let m = MacAddress(mac.0);
                    debug!(vni, %m, "local MAC gone");
                    self.local_ports.remove(&(vni, m));
                    self.state.local_gone(vni, m);
                }
                _ => {}
            }
        }
        if drained >= self.cfg.event_channel {
            // The channel was full: the worker may have dropped what did
            // not fit (its lost count says; the resync below recovers).
            self.events_overflowed += 1;
            warn!(
                drained,
                overflows = self.events_overflowed,
                "the dataplane's MAC event channel was full: MAC events may be lost"
            );
        }
        while let Some(b) = self.worker.try_binding_event() {
            let vni = b.vni.get();
            match b.event {
                BindingEvent::Learnt { ip, mac } | BindingEvent::Changed { ip, to: mac, .. } => {
                    self.state.local_binding(vni, ip, MacAddress(mac.0));
                }
                BindingEvent::Aged { ip, mac } => {
                    self.state.local_binding_gone(vni, ip, MacAddress(mac.0));
                }
            }
        }
        if lost != self.lost_seen {
            self.resync(now, lost);
        }
    }

    /// The worker dropped events (its count went from `lost_seen` to
    /// `lost`): with the channels drained, bring every VNI's local MACs
    /// and addresses in line with its tables. Later events apply on top
    /// (they are ordered after the listing's state).
    fn resync(&mut self, now: Duration, lost: u32) {
        let dropped = lost.wrapping_sub(self.lost_seen);
        self.lost_seen = lost;
        self.resyncs += 1;
        let vnis: Vec<u32> = self.state.vnis.keys().copied().collect();
        let (mut learnt, mut withdrawn) = (0, 0);
        for vni in vnis {
            let Ok(w) = vtepd_wire::vxlan::Vni::new(vni) else {
                continue;
            };
            let macs = self.worker.local_macs(w);
            let bindings: Vec<(std::net::IpAddr, MacAddress)> = self
                .worker
                .local_bindings(w)
                .into_iter()
                .map(|(ip, m)| (ip, MacAddress(m.0)))
                .collect();
            let list: Vec<MacAddress> = macs.iter().map(|(m, _)| MacAddress(m.0)).collect();
            let (l, g) = self.state.reconcile_local(now, vni, &list, &bindings);
            learnt += l;
            withdrawn += g;
            let state = self.state.vnis.get(&vni);
            self.local_ports
                .retain(|(v, m), _| *v != vni || state.is_some_and(|s| s.local.contains_key(m)));
            for (m, p) in macs {
                let m = MacAddress(m.0);
                if !state.is_some_and(|s| s.local.contains_key(&m)) {
                    continue;
                }
                if let Some(n) = self.port_name(Destination::Local(p)) {
                    self.local_ports.insert((vni, m), n);
                }
            }
        }
        warn!(
            dropped,
            learnt,
            withdrawn,
            resyncs = self.resyncs,
            "the dataplane dropped MAC/binding events: local MACs resynced from its tables"
        );
    }

    fn apply(&mut self) {
        let actions = self.state.take_actions();
        if actions.is_empty() {
            return;
        }
        let mut ops = Vec::new();
        // VNIs whose remote MACs changed in this batch (for the hand-off
        // record below).
        let mut mac_vnis: Vec<u32> = Vec::new();
        for a in actions {
            match a {
                Action::Originate(r, at) => ops.push((r.key(), Some((r, at)))),
                Action::Withdraw(k) => ops.push((k, None)),
                Action::Dp(c) => {
                    debug!(?c, "dataplane");
                    if let Control::InstallMac { vni, .. } | Control::WithdrawMac { vni, .. } = c {
                        if !mac_vnis.contains(&vni.get()) {
                            mac_vnis.push(vni.get());
                        }
                    }
                    if !self.worker.control(c) {
                        warn!("the dataplane worker is gone");
                    }
                }
                Action::Warn(w) => warn!("{w}"),
            }
        }
        // One record per batch: when the worker was handed the remote MACs
        // (benches/evpn_scale reads it; enable with the filter
        // `vtepd::evpn::handoff=debug`).
        for vni in mac_vnis {
            let remote = self.state.vnis.get(&vni).map_or(0, |v| v.installed.len());
            let limit = self
                .cfg
                .vnis
                .iter()
                .find(|c| c.vni.get() == vni)
                .map_or(usize::MAX, |c| c.max_remote_macs as usize);
            if remote > limit {
                if self.over_limit.insert(vni) {
                    warn!(
                        vni,
                        remote,
                        limit,
                        "more remote MACs than max-remote-macs: the dataplane refuses the rest \
                         (their frames are flooded); raise max-remote-macs"
                    );
                }
            } else if self.over_limit.remove(&vni) {
                info!(
                    vni,
                    remote, limit, "remote MACs back within max-remote-macs"
                );
            }
            debug!(target: "vtepd::evpn::handoff", vni, remote, "remote MACs handed to the worker");
        }
        if !ops.is_empty() {
            let _ = self.rib.send(RibCmd::Local { ops });
        }
    }
}
