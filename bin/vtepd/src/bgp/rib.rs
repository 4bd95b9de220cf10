//! The RIB task: owns the [`Rib`], applies what the peer tasks report, and
//! sends every established peer its queued Adj-RIB-Out changes.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::atomic::Ordering;
use std::sync::Arc;

use tokio::sync::mpsc;
use tracing::{debug, info, warn};
use vtepd_bgp_evpn::capability::GracefulRestart;
use vtepd_bgp_evpn::rib::codec::{apply_prepared, build_update, PathAttrs};
use vtepd_bgp_evpn::rib::{
    ImportTable, MaxPrefix, PeerConfig, PeerId, Rib, RibConfig, RibEvent, TableId,
};
use vtepd_bgp_evpn::rib::{OutUpdate, PathSource, Route, RouteKey};
use vtepd_bgp_evpn::session::Cease;
use vtepd_bgp_evpn::{AddressFamily, CodecContext, Ipv4Prefix, Message, NextHop};

use super::{origin, show, PeerCmd, RibCmd, StatusMap};
use crate::config::{Config, RemoteAs};
use crate::unnumbered::{self, KernelRoutes};

/// Commands (mostly UPDATEs of up to a few hundred routes) applied before
/// the queued changes are packed and handed to the peers.
const MAX_BATCH: usize = 64;

/// What the RIB task knows of a peer.
#[derive(Debug)]
pub struct PeerInfo {
    /// Configured address.
    pub address: IpAddr,
    /// Static settings.
    pub rr_client: bool,
    /// Prefix limit.
    pub max_prefix: Option<MaxPrefix>,
    /// Its configuration (for `show`).
    pub neighbor: crate::config::Neighbor,
    /// Session state when up: codec context, command channel, output queue.
    pub up: Option<(
        CodecContext,
        mpsc::UnboundedSender<PeerCmd>,
        Arc<super::OutQueue>,
    )>,
    /// Unnumbered: the interface (the address above is the learnt
    /// link-local one once the session is up).
    pub interface: Option<String>,
    /// Unnumbered: our link-local address on it, the RFC 8950 next hop of
    /// the IPv4 routes sent to this peer.
    pub local_link_local: Option<Ipv6Addr>,
    /// The graceful restart capability the peer sent in its last session.
    pub peer_graceful_restart: Option<GracefulRestart>,
}

/// The RIB task's state.
#[derive(Debug)]
pub struct RibTask {
    /// The RIB.
    pub rib: Rib<PathAttrs>,
    /// Peers by id.
    pub peers: HashMap<PeerId, PeerInfo>,
    /// The configuration.
    pub cfg: Arc<Config>,
    /// Peer statuses (for `show bgp summary`).
    pub status: StatusMap,
    /// Kernel routes for IPv4 prefixes learnt over unnumbered sessions.
    pub kernel: Option<KernelRoutes>,
    /// The EVPN wiring, told of best paths in L2 VNI tables (when a
    /// dataplane runs).
    pub evpn: Option<mpsc::UnboundedSender<crate::evpn::EvpnCmd>>,
    /// Peers whose routes are kept as stale (graceful restart, RFC 4724).
    pub graceful: HashMap<PeerId, Graceful>,
}

/// A peer in graceful restart (RFC 4724 §4.2), seen from the RIB.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Graceful {
    /// Families whose stale routes wait for the peer's End-of-RIB.
    pub families: Vec<AddressFamily>,
    /// When the rest of its stale routes go.
    pub until: tokio::time::Instant,
    /// The session is back (waiting for End-of-RIB), or not yet (waiting
    /// for the restart time).
    pub back: bool,
}

/// How long stale routes wait for the End-of-RIB of a peer whose session
/// came back (FRR's stale-path time).
const STALE_PATH_TIME: std::time::Duration = std::time::Duration::from_secs(360);

/// The RIB configuration of `cfg`: one import table per VNI (table id = VNI).
pub fn rib_config(cfg: &Config) -> RibConfig {
    let mut rc = RibConfig::new(cfg.asn, cfg.router_id);
    rc.cluster_id = cfg.cluster_id.map(u32::from);
    rc.tables = cfg
        .vnis
        .iter()
        .map(|v| ImportTable {
            id: TableId(v.vni.get()),
            import: v.import_rt.clone(),
            export: v.export_rt.clone(),
            import_any_as: if v.import_rt_auto {
                vec![v.vni.get()]
            } else {
                Vec::new()
            },
        })
        .collect();
    rc
}

impl RibTask {
    /// A RIB with the configured peers and the originated routes.
    pub fn new(cfg: Arc<Config>, status: StatusMap) -> RibTask {
        let mut rib = Rib::new(rib_config(&cfg));
        for (route, attrs) in origin::routes(&cfg) {
            rib.originate(route, Arc::new(attrs));
        }
        while rib.poll_event().is_some() {}
        let mut peers = HashMap::new();
        for (i, n) in cfg.neighbors.iter().enumerate() {
            if n.listen_range.is_some() {
                continue; // its dynamic peers are added as they connect
            }
            let address = n.address.unwrap_or(IpAddr::V6(Ipv6Addr::UNSPECIFIED));
            peers.insert(
                PeerId(i as u32),
                PeerInfo {
                    address,
                    interface: n.interface.clone(),
                    local_link_local: None,
                    peer_graceful_restart: None,
                    neighbor: n.clone(),
                    rr_client: n.rr_client,
                    max_prefix: n.max_prefixes.map(|limit| MaxPrefix {
                        limit,
                        warning_only: n.max_prefixes_warning_only,
                    }),
                    up: None,
                },
            );
        }
        RibTask {
            rib,
            peers,
            kernel: cfg
                .neighbors
                .iter()
                .any(|n| n.interface.is_some())
                .then(KernelRoutes::start),
            cfg,
            status,
            evpn: None,
            graceful: HashMap::new(),
        }
    }

    /// The next graceful-restart deadline, if any.
    fn next_deadline(&self) -> Option<tokio::time::Instant> {
        self.graceful.values().map(|g| g.until).min()
    }

    /// Remove the stale routes of peers whose graceful restart time ran out.
    fn expire_graceful(&mut self) {
        let now = tokio::time::Instant::now();
        let due: Vec<PeerId> = self
            .graceful
            .iter()
            .filter(|(_, g)| g.until <= now)
            .map(|(id, _)| *id)
            .collect();
        for id in due {
            if let Some(g) = self.graceful.remove(&id) {
                let addr = self.peers.get(&id).map(|p| p.address);
                if g.back {
                    warn!(peer = ?addr, "no End-of-RIB within the stale-path time: stale routes removed");
                } else {
                    warn!(peer = ?addr, "graceful restart time over: the peer's stale routes removed");
                }
            }
            self.rib.sweep_stale(id);
        }
    }

    /// The session of `id`, in graceful restart, is back with the
    /// capability `gr` (RFC 4724 §4.2): stale routes of families it no
    /// longer preserves go now; the others wait for its End-of-RIB.
    fn graceful_back(
        &mut self,
        id: PeerId,
        gr: Option<&GracefulRestart>,
        negotiated: &[AddressFamily],
    ) {
        let Some(g) = self.graceful.get_mut(&id) else {
            return;
        };
        let kept: Vec<AddressFamily> = g
            .families
            .iter()
            .copied()
            .filter(|f| {
                negotiated.contains(f)
                    && gr.is_some_and(|gr| {
                        gr.families
                            .iter()
                            .any(|x| x.family == *f && x.forwarding_preserved())
                    })
            })
            .collect();
        let dropped: Vec<AddressFamily> = g
            .families
            .iter()
            .copied()
            .filter(|f| !kept.contains(f))
            .collect();
        g.families = kept;
        g.back = true;
        g.until = tokio::time::Instant::now() + STALE_PATH_TIME;
        for f in dropped {
            self.rib.end_of_rib(id, f);
        }
        if self
            .graceful
            .get(&id)
            .is_some_and(|g| g.families.is_empty())
        {
            self.graceful.remove(&id);
        }
    }

    /// End-of-RIB from `id` for `family`: its stale routes of the family
    /// that were not re-advertised go (RFC 4724 §4.2).
    fn end_of_rib(&mut self, id: PeerId, family: AddressFamily) {
        self.rib.end_of_rib(id, family);
        if let Some(g) = self.graceful.get_mut(&id) {
            if g.back {
                g.families.retain(|f| *f != family);
                if g.families.is_empty() {
                    self.graceful.remove(&id);
                }
            }
        }
    }

    /// Run until every sender is gone.
    pub async fn run(mut self, mut rx: mpsc::UnboundedReceiver<RibCmd>) {
        loop {
            let deadline = self.next_deadline();
            let cmd = tokio::select! {
                c = rx.recv() => match c {
                    Some(c) => c,
                    None => break,
                },
                () = sleep_until(deadline) => {
                    self.expire_graceful();
                    self.drain_events();
                    self.flush();
                    continue;
                }
            };
            self.handle(cmd);
            // Batch what is already queued before packing UPDATEs, but not
            // all of a long backlog: the queued changes would grow with it,
            // and the peers would wait for the whole backlog before the
            // first UPDATE goes out.
            for _ in 1..MAX_BATCH {
                match rx.try_recv() {
                    Ok(cmd) => self.handle(cmd),
                    Err(_) => break,
                }
            }
            self.drain_events();
            self.flush();
        }
    }

    fn handle(&mut self, cmd: RibCmd) {
        match cmd {
            RibCmd::PeerUp {
                id,
                address,
                peer_as,
                session,
                ctx,
                tx,
                out,
                graceful_restart,
            } => {
                let Some(p) = self.peers.get_mut(&id) else {
                    return;
                };
                // Not `add_peer`: that would drop the stale paths a peer in
                // graceful restart left (they wait for its End-of-RIB).
                self.rib.configure_peer(PeerConfig {
                    id,
                    address,
                    remote_as: peer_as,
                    rr_client: p.rr_client,
                    max_prefix: p.max_prefix,
                    next_hop_self: None,
                });
                p.up = Some((ctx, tx, out));
                p.address = address;
                if let Some(ifname) = &p.interface {
                    p.local_link_local = unnumbered::link_local_of(ifname);
                }
                p.peer_graceful_restart = graceful_restart.clone();
                let families = session.families.clone();
                self.rib.peer_up(id, session);
                self.graceful_back(id, graceful_restart.as_ref(), &families);
                info!(peer = %address, "peer up in RIB");
            }
            // A removed neighbour's last word (its session ended after
            // RemovePeer) is moot: its routes are gone already.
            RibCmd::PeerDown { id, .. } if !self.peers.contains_key(&id) => {}
            RibCmd::PeerDown { id, graceful } => {
                let addr = self.peers.get_mut(&id).map(|p| {
                    p.up = None;
                    p.address
                });
                match graceful {
                    Some((families, secs)) => {
                        info!(peer = ?addr, ?families, secs, "peer down: its routes kept as stale");
                        self.rib.peer_down_graceful(id, &families);
                        self.graceful.insert(
                            id,
                            Graceful {
                                families,
                                until: tokio::time::Instant::now()
                                    + std::time::Duration::from_secs(u64::from(secs)),
                                back: false,
                            },
                        );
                    }
                    None => {
                        info!(peer = ?addr, "peer down: its routes are removed");
                        self.graceful.remove(&id);
                        self.rib.peer_down(id);
                    }
                }
            }
            RibCmd::Update { id, update, credit } => {
                let a = apply_prepared(&mut self.rib, id, *update);
                // Applied: the peer's reader may take these bytes again.
                drop(credit);
                if let Some(f) = a.end_of_rib {
                    debug!(peer = id.0, family = %f, "End-of-RIB received");
                    self.end_of_rib(id, f);
                }
                debug!(
                    peer = id.0,
                    inserted = a.inserted,
                    withdrawn = a.withdrawn,
                    rejected = a.rejected.len(),
                    "UPDATE applied"
                );
                for (key, why) in &a.rejected {
                    debug!(peer = id.0, route = %key, "rejected: {why:?}");
                }
            }
            RibCmd::Refresh { id, family, credit } => {
                self.rib.refresh_family(id, family);
                drop(credit);
            }
            // The flush after every command sends what was held back.
            RibCmd::Drained { id } => debug!(peer = id.0, "output drained: sending held changes"),
            RibCmd::AddPeer { id, info } => {
                self.peers.insert(id, *info);
            }
            RibCmd::RemovePeer { id } => {
                self.graceful.remove(&id);
                if let Some(p) = self.peers.remove(&id) {
                    info!(peer = %p.address, "neighbour removed: its routes are removed");
                }
                self.rib.peer_down(id);
                self.rib.remove_peer(id);
            }
            RibCmd::Reconfigure(cfg) => self.reconfigure(cfg),
            RibCmd::Shutdown { done } => match &self.kernel {
                Some(k) => k.remove_all(done),
                None => {
                    let _ = done.send(());
                }
            },
            RibCmd::Local { ops } => {
                for (key, op) in ops {
                    match op {
                        Some((route, attrs)) => self.rib.originate(route, Arc::new(attrs)),
                        None => self.rib.withdraw_local(&key),
                    }
                }
            }
            RibCmd::Show {
                query: show::Query::Evpn { what, vni },
                reply,
            } => match &self.evpn {
                Some(tx) => {
                    let _ = tx.send(crate::evpn::EvpnCmd::Show { what, vni, reply });
                }
                None => {
                    let _ = reply.send(serde_json::json!({
                        "error": "no dataplane: no [[vni]] has ports"
                    }));
                }
            },
            RibCmd::Show { query, reply } => {
                let v = show::answer(self, &query);
                let _ = reply.send(v);
            }
        }
    }

    /// Apply a reloaded configuration to the originated routes: withdraw
    /// those gone, (re-)announce those new or changed. Import tables (VNIs)
    /// are not rebuilt: a VNI change needs a restart.
    fn reconfigure(&mut self, cfg: Arc<Config>) {
        if self.kernel.is_none() && cfg.neighbors.iter().any(|n| n.interface.is_some()) {
            // The first unnumbered neighbour: its routes need the kernel.
            self.kernel = Some(KernelRoutes::start());
        }
        let old: HashMap<RouteKey, PathAttrs> = origin::routes(&self.cfg)
            .into_iter()
            .map(|(r, a)| (r.key(), a))
            .collect();
        let new = origin::routes(&cfg);
        let mut announced = 0;
        let mut keep = std::collections::HashSet::new();
        for (route, attrs) in new {
            let key = route.key();
            if old.get(&key) != Some(&attrs) {
                self.rib.originate(route, Arc::new(attrs));
                announced += 1;
            }
            keep.insert(key);
        }
        let mut withdrawn = 0;
        for key in old.keys().filter(|k| !keep.contains(*k)) {
            self.rib.withdraw_local(key);
            withdrawn += 1;
        }
        info!(announced, withdrawn, "reload: originated routes updated");
        self.cfg = cfg;
    }

    fn drain_events(&mut self) {
        while let Some(ev) = self.rib.poll_event() {
            match ev {
                RibEvent::Installed {
                    table,
                    key,
                    route,
                    attrs,
                    source,
                } => {
                    debug!(table = table.0, route = %key, "installed");
                    if let Some(k) = &self.kernel {
                        if let Some((p, via, dev)) =
                            unnumbered_route(&route, &attrs, source, &self.peers)
                        {
                            k.replace(p, via, &dev);
                        }
                    }
                    if let Some(tx) = &self.evpn {
                        let _ = tx.send(crate::evpn::EvpnCmd::Installed {
                            vni: table.0,
                            key,
                            route,
                            attrs,
                            source,
                        });
                    }
                }
                RibEvent::Withdrawn { table, key } => {
                    debug!(table = table.0, route = %key, "withdrawn");
                    if let (Some(k), RouteKey::Ipv4(p)) = (&self.kernel, &key) {
                        k.delete(*p);
                    }
                    if let Some(tx) = &self.evpn {
                        let _ = tx.send(crate::evpn::EvpnCmd::Withdrawn { vni: table.0, key });
                    }
                }
                RibEvent::MaxPrefixExceeded {
                    peer,
                    limit,
                    warning_only,
                } => {
                    let addr = self.peers.get(&peer).map(|p| p.address);
                    if warning_only {
                        warn!(peer = ?addr, limit, "peer passed its prefix limit (warning only)");
                    } else {
                        warn!(peer = ?addr, limit, "peer passed its prefix limit: Cease 6/1");
                        if let Some(p) = self.peers.get_mut(&peer) {
                            if let Some((_, tx, _)) = p.up.take() {
                                let _ = tx.send(PeerCmd::Stop(Cease::MaxPrefixes));
                            }
                        }
                        self.rib.peer_down(peer);
                    }
                }
            }
        }
    }

    fn flush(&mut self) {
        let ids: Vec<PeerId> = self
            .peers
            .iter()
            .filter(|(_, p)| p.up.is_some())
            .map(|(id, _)| *id)
            .collect();
        for id in ids {
            if self.rib.pending_len(id) == 0 {
                continue;
            }
            let Some((ctx, tx, out)) = self.peers.get(&id).and_then(|p| p.up.as_ref()) else {
                continue;
            };
            // A slow reader: keep its changes here, coalesced, until its
            // queue drains (the writer then sends `Drained`).
            // `held` is set before the second look, so a writer that drains
            // in between either is seen here or sees `held` and wakes us.
            if out.bytes.load(Ordering::SeqCst) > super::OUT_HIGH {
                out.held.store(true, Ordering::SeqCst);
                if out.bytes.load(Ordering::SeqCst) > super::OUT_HIGH {
                    continue;
                }
            }
            let mut ups = self.rib.poll_updates(id, ctx);
            if let Some(ll) = self.peers.get(&id).and_then(|p| p.local_link_local) {
                rfc8950_next_hop(&mut ups, ll);
            }
            // The peer task builds and encodes the UPDATEs: that work runs
            // beside the RIB's, not in it.
            let _ = tx.send(PeerCmd::Send(out.clone(), ups));
        }
    }
}

/// Towards an unnumbered peer, IPv4 unicast routes carry our link-local
/// address as next hop (RFC 8950), as FRR sends it: 32 bytes, the link-local
/// address as both global and link-local part. EVPN routes keep the VTEP
/// address.
fn rfc8950_next_hop(ups: &mut [OutUpdate<PathAttrs>], ll: Ipv6Addr) {
    for u in ups.iter_mut() {
        if u.family != AddressFamily::IPV4_UNICAST {
            continue;
        }
        if let Some(a) = &mut u.attrs {
            Arc::make_mut(a).next_hop = Some(NextHop::Ipv6 {
                global: ll,
                link_local: Some(ll),
            });
        }
    }
}

/// The UPDATE of `u`, split in halves until each fits the session's
/// message size: the RIB packs with the next hop it stores, and the RFC 8950
/// rewrite above makes the next hop 28 bytes longer than an IPv4 one.
pub(super) fn push_fitting(out: &mut Vec<Message>, u: &OutUpdate<PathAttrs>, ctx: &CodecContext) {
    let m = Message::Update(build_update(u, ctx));
    if m.encoded_len(ctx) <= ctx.max_message_len() || u.announce.len() < 2 {
        out.push(m);
        return;
    }
    let (a, b) = u.announce.split_at(u.announce.len() / 2);
    let first = OutUpdate {
        family: u.family,
        attrs: u.attrs.clone(),
        announce: a.to_vec(),
        withdraw: u.withdraw.clone(),
    };
    let second = OutUpdate {
        family: u.family,
        attrs: u.attrs.clone(),
        announce: b.to_vec(),
        withdraw: Vec::new(),
    };
    push_fitting(out, &first, ctx);
    push_fitting(out, &second, ctx);
}

/// An IPv4 route learnt from an unnumbered peer with its link-local next
/// hop: the kernel route for it (prefix, next hop, interface).
fn unnumbered_route(
    route: &Route,
    attrs: &PathAttrs,
    source: PathSource,
    peers: &HashMap<PeerId, PeerInfo>,
) -> Option<(Ipv4Prefix, Ipv6Addr, String)> {
    let Route::Ipv4(prefix) = route else {
        return None;
    };
    let PathSource::Peer(id) = source else {
        return None;
    };
    let ifname = peers.get(&id)?.interface.clone()?;
    let via = match attrs.next_hop.as_ref()? {
        NextHop::Ipv6 {
            link_local: Some(ll),
            ..
        } => *ll,
        NextHop::Ipv6 { global, .. } if unnumbered::is_link_local(*global) => *global,
        _ => return None,
    };
    Some((*prefix, via, ifname))
}

/// The configured remote AS as `show` prints it.
pub fn remote_as_text(r: RemoteAs) -> String {
    match r {
        RemoteAs::Asn(a) => a.0.to_string(),
        RemoteAs::Internal => "internal".into(),
        RemoteAs::External => "external".into(),
    }
}

async fn sleep_until(t: Option<tokio::time::Instant>) {
    match t {
        Some(t) => tokio::time::sleep_until(t).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vtepd_bgp_evpn::capability::GracefulRestartFamily;
    use vtepd_bgp_evpn::rib::codec::PreparedUpdate;
    use vtepd_bgp_evpn::rib::PeerSession;
    use vtepd_bgp_evpn::{Asn, AttrValue, MpReach, NlriList, RouterId};

    fn peer_up(t: &mut RibTask, forwarding_preserved: bool) -> mpsc::UnboundedReceiver<PeerCmd> {
        let (tx, rx) = mpsc::unbounded_channel();
        t.handle(RibCmd::PeerUp {
            id: PeerId(0),
            address: "10.0.0.2".parse().unwrap(),
            peer_as: Asn(65000),
            session: PeerSession {
                router_id: RouterId("10.0.0.2".parse().unwrap()),
                families: vec![AddressFamily::IPV4_UNICAST],
            },
            ctx: CodecContext::four_octet(),
            tx,
            out: Arc::default(),
            graceful_restart: Some(GracefulRestart {
                flags: if forwarding_preserved { 0x8 } else { 0 },
                restart_time: 120,
                families: vec![GracefulRestartFamily {
                    family: AddressFamily::IPV4_UNICAST,
                    flags: if forwarding_preserved { 0x80 } else { 0 },
                }],
            }),
        });
        rx
    }

    fn announce(t: &mut RibTask, last_octets: &[u8]) {
        let attrs = Arc::new(PathAttrs::local(
            NextHop::Ipv4("10.0.0.2".parse().unwrap()),
            vec![],
        ));
        let announce = last_octets
            .iter()
            .map(|i| {
                let r = Route::Ipv4(
                    Ipv4Prefix::new(std::net::Ipv4Addr::new(10, 60, *i, 0), 24).unwrap(),
                );
                (None, r.key(), r)
            })
            .collect();
        t.handle(RibCmd::Update {
            id: PeerId(0),
            update: Box::new(PreparedUpdate {
                announce,
                attrs: Some(attrs),
                ..PreparedUpdate::default()
            }),
            credit: None,
        });
    }

    /// RFC 4724 §4.2 through the RIB task: a peer lost without a
    /// NOTIFICATION keeps its routes as stale; when it is back (F bit set)
    /// they stay until its End-of-RIB, which removes the ones not
    /// re-announced; without the F bit they go at once.
    #[test]
    fn graceful_restart_through_the_rib_task() {
        let path = std::path::Path::new("t.toml");
        let cfg = crate::config::Config::parse(
            path,
            "[bgp]\nrouter-id = \"10.0.0.1\"\nasn = 65000\n\n[[neighbor]]\naddress = \"10.0.0.2\"\nremote-as = \"internal\"\naddress-families = [\"ipv4-unicast\"]\n",
        )
        .unwrap();
        let mut t = RibTask::new(Arc::new(cfg), StatusMap::default());
        let _rx = peer_up(&mut t, false);
        announce(&mut t, &[1, 2, 3]);
        assert_eq!(t.rib.len(), 3);
        let down = |t: &mut RibTask| {
            t.handle(RibCmd::PeerDown {
                id: PeerId(0),
                graceful: Some((vec![AddressFamily::IPV4_UNICAST], 120)),
            })
        };
        down(&mut t);
        assert_eq!(t.rib.len(), 3, "kept as stale");
        assert!(t.rib.iter_best().all(|(_, p)| p.stale));
        // Back, restarting with forwarding preserved: nothing goes yet.
        let _rx = peer_up(&mut t, true);
        assert_eq!(t.rib.len(), 3, "stale routes wait for End-of-RIB");
        assert!(t.graceful.get(&PeerId(0)).is_some_and(|g| g.back));
        announce(&mut t, &[1]);
        t.handle(RibCmd::Update {
            id: PeerId(0),
            update: Box::new(PreparedUpdate {
                end_of_rib: Some(AddressFamily::IPV4_UNICAST),
                ..PreparedUpdate::default()
            }),
            credit: None,
        });
        assert_eq!(t.rib.len(), 1);
        assert!(t.rib.iter_best().all(|(_, p)| !p.stale));
        assert!(t.graceful.is_empty());
        // Lost again, back without the F bit: the stale route goes at once.
        down(&mut t);
        assert_eq!(t.rib.len(), 1);
        let _rx = peer_up(&mut t, false);
        assert_eq!(t.rib.len(), 0);
        assert!(t.graceful.is_empty());
    }

    /// 1000 IPv4 /32s packed for an IPv4 next hop, rewritten to the
    /// link-local next hop of an unnumbered session: every UPDATE fits in
    /// 4096 bytes and encodes, every route goes out once, each with the
    /// 32-byte next hop FRR sends (link-local twice).
    #[test]
    fn rfc8950_rewrite_and_split() {
        let ll: Ipv6Addr = "fe80::1".parse().unwrap();
        let announce: Vec<Route> = (0..1000u32)
            .map(|i| {
                Route::Ipv4(Ipv4Prefix::new(std::net::Ipv4Addr::from(0x0a00_0000 + i), 32).unwrap())
            })
            .collect();
        let mut ups = vec![OutUpdate {
            family: AddressFamily::IPV4_UNICAST,
            attrs: Some(Arc::new(PathAttrs::local(
                NextHop::Ipv4("10.255.0.2".parse().unwrap()),
                vec![],
            ))),
            announce,
            withdraw: Vec::new(),
        }];
        rfc8950_next_hop(&mut ups, ll);
        let ctx = CodecContext {
            four_octet_as: true,
            extended_next_hop: vec![(AddressFamily::IPV4_UNICAST, vtepd_bgp_evpn::Afi::Ipv6)],
            ..CodecContext::default()
        };
        let mut msgs = Vec::new();
        push_fitting(&mut msgs, &ups[0], &ctx);
        assert!(msgs.len() >= 2);
        let mut n = 0;
        for m in &msgs {
            let bytes = m.to_vec(&ctx).unwrap();
            assert!(bytes.len() <= 4096);
            let Message::Update(u) = m else {
                panic!("not an UPDATE")
            };
            for a in &u.attributes {
                if let AttrValue::MpReach(MpReach { next_hop, nlri }) = &a.value {
                    assert_eq!(
                        *next_hop,
                        NextHop::Ipv6 {
                            global: ll,
                            link_local: Some(ll)
                        }
                    );
                    if let NlriList::Ipv4Unicast(v) = nlri {
                        n += v.len();
                    }
                }
            }
        }
        assert_eq!(n, 1000);
    }
}
