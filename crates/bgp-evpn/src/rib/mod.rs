//! The RIB: Adj-RIB-In, Loc-RIB and Adj-RIB-Out for every address family.
//!
//! # Model
//!
//! - One table keyed by [`RouteKey`] (IPv4/IPv6 unicast, EVPN, VPNv4/VPNv6).
//!   Each entry holds every path received for the route (the union of the
//!   peers' Adj-RIB-In, post-policy) and the index of the best one (the
//!   Loc-RIB). A path is stored once; peers do not keep copies.
//! - Best-path selection ([`decision`]) runs over the paths of one route
//!   only: inserting or withdrawing a path costs O(paths for that route).
//!   Every path records why it lost ([`LossReason`]).
//! - Adj-RIB-Out is not stored: what a peer was sent is a function of the
//!   previous best path and the peer's export rules, which are evaluated
//!   when the best path changes. Changes are queued per peer (coalesced by
//!   key) and packed into as few UPDATEs as fit by [`Rib::poll_updates`].
//!   A route refresh or a new session walks the Loc-RIB.
//! - Route-target import: a best path is installed into every table
//!   (VNI/VRF) whose import RTs intersect its RTs; unicast routes go to
//!   [`TableId::GLOBAL`]. The daemon learns this through [`RibEvent`]s.
//!
//! # Calling contract
//!
//! Feed it with [`Rib::insert`] / [`Rib::withdraw`] (per route, from the
//! session's UPDATEs, RFC 7606 treat-as-withdraw included),
//! [`Rib::originate`] / [`Rib::withdraw_local`], and the peer lifecycle
//! ([`Rib::add_peer`], [`Rib::peer_up`], [`Rib::peer_down`],
//! [`Rib::refresh`]). Then drain [`Rib::poll_event`] and, per established
//! peer, [`Rib::poll_updates`]. Nothing here does I/O or reads a clock.
//!
//! # Bounds
//!
//! What a peer can grow is bounded by its [`MaxPrefix`] limit; once a
//! non-warning limit is crossed the peer's further routes are refused and a
//! [`RibEvent::MaxPrefixExceeded`] asks the daemon to send Cease 6/1
//! (RFC 4486) and take the session down.

pub mod attrs;
pub mod codec;
pub mod decision;
pub mod key;

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use crate::types::{AddressFamily, Asn, RouteDistinguisher, RouteTarget, RouterId};
use crate::wire::CodecContext;

pub use attrs::{origin, ExportParams, MacMobility, PathFacts, Reflection, RibAttributes};
pub use decision::{Candidate, LossReason};
pub use key::{EvpnKey, Route, RouteKey};

/// A peer, as the daemon numbers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PeerId(pub u32);

/// Where a path came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PathSource {
    /// Originated by this router.
    Local,
    /// Received from a peer.
    Peer(PeerId),
}

/// A table routes are imported into: a VNI's bridge domain, a VRF, or the
/// global table (0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TableId(pub u32);

impl TableId {
    /// The global (default VRF) table, where unicast routes go.
    pub const GLOBAL: TableId = TableId(0);
}

/// Route-target import/export of one table (RFC 4364 §4.3.1, RFC 7432 §7.10).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportTable {
    /// The table.
    pub id: TableId,
    /// Routes carrying any of these RTs are installed here.
    pub import: Vec<RouteTarget>,
    /// RTs added to routes originated in this table.
    pub export: Vec<RouteTarget>,
    /// Wildcard imports `*:value`: any AS-specific RT (2- or 4-octet AS)
    /// whose local administrator is one of these. FRR matches auto-derived
    /// import RTs (`AS:VNI`) this way, so that eBGP neighbours in other ASes
    /// import each other's VNIs with nothing configured; configured RTs match
    /// exactly.
    pub import_any_as: Vec<u32>,
}

/// RIB-wide configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RibConfig {
    /// Our AS.
    pub local_as: Asn,
    /// Our BGP identifier.
    pub router_id: RouterId,
    /// Cluster ID when reflecting (RFC 4456 §7); defaults to the router ID.
    pub cluster_id: Option<u32>,
    /// LOCAL_PREF assumed when absent and set towards internal peers.
    pub default_local_pref: u32,
    /// VNIs/VRFs and their route targets.
    pub tables: Vec<ImportTable>,
}

impl RibConfig {
    /// A configuration with no tables and LOCAL_PREF 100.
    pub fn new(local_as: Asn, router_id: RouterId) -> RibConfig {
        RibConfig {
            local_as,
            router_id,
            cluster_id: None,
            default_local_pref: 100,
            tables: Vec::new(),
        }
    }

    fn cluster_id(&self) -> u32 {
        self.cluster_id.unwrap_or(u32::from(self.router_id.0))
    }
}

/// Sizes of the RIB's tables ([`Rib::stats`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RibStats {
    /// Routes (keys) in the Loc-RIB.
    pub routes: usize,
    /// Paths over all routes (the union of the Adj-RIBs-In).
    pub paths: usize,
    /// Entries of the RD-less import tables (MAC-VRF / IP-VRF).
    pub import_entries: usize,
    /// Route changes queued for peers.
    pub pending: usize,
    /// Events not yet polled.
    pub events: usize,
}

/// Per-peer prefix limit (RFC 4486 §4 Cease subcode 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaxPrefix {
    /// Largest number of paths accepted from the peer.
    pub limit: usize,
    /// Only warn (an event), keep accepting.
    pub warning_only: bool,
}

/// Static configuration of one peer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerConfig {
    /// The daemon's number for it.
    pub id: PeerId,
    /// Its address (the last decision tie-break).
    pub address: IpAddr,
    /// Its AS; equal to ours for an internal peer.
    pub remote_as: Asn,
    /// A route-reflector client (RFC 4456).
    pub rr_client: bool,
    /// Prefix limit.
    pub max_prefix: Option<MaxPrefix>,
    /// Next hop to set on routes sent to this peer (next-hop-self); `None`
    /// keeps the next hop. Set it to the local session address for
    /// external unicast peers (RFC 4271 §5.1.3); EVPN routes keep the VTEP
    /// address as next hop, so leave it `None` there.
    pub next_hop_self: Option<IpAddr>,
}

/// What the session negotiated, given at [`Rib::peer_up`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerSession {
    /// The peer's BGP identifier (from its OPEN).
    pub router_id: RouterId,
    /// Address families both sides advertised.
    pub families: Vec<AddressFamily>,
}

/// One path of a route.
#[derive(Debug, Clone)]
pub struct Path<A> {
    /// Who sent it.
    pub source: PathSource,
    /// ADD-PATH identifier (RFC 7911).
    pub path_id: Option<u32>,
    /// The NLRI as received (labels included).
    pub route: Route,
    /// The attributes, shared by all NLRI of the UPDATE.
    pub attrs: Arc<A>,
    /// Why it is not the best path (`None` for the best).
    pub lost: Option<LossReason>,
    /// Kept from a session that went down gracefully (RFC 4724 §4.2): still
    /// used, removed unless the peer re-advertises it before its End-of-RIB.
    pub stale: bool,
    igp_cost: u32,
}

impl<A: RibAttributes> Path<A> {
    /// The values the decision process compares (`default_local_pref`
    /// standing in for a missing LOCAL_PREF).
    pub fn facts(&self, default_local_pref: u32) -> PathFacts {
        self.attrs.facts(default_local_pref)
    }
}

/// One entry of an import table for RD-less keys: the RDs of the routes
/// that compete for it and the one installed.
#[derive(Debug)]
struct ImportEntry {
    rds: Vec<RouteDistinguisher>,
    installed: Option<RouteDistinguisher>,
}

#[derive(Debug)]
struct Entry<A> {
    paths: Vec<Path<A>>,
    best: Option<u32>,
}

impl<A> Entry<A> {
    fn best_path(&self) -> Option<&Path<A>> {
        self.paths.get(usize::try_from(self.best?).ok()?)
    }
}

/// What the daemon hears from the RIB.
#[derive(Debug, Clone)]
pub enum RibEvent<A> {
    /// `route` with `attrs` is now the best path for `key` in `table`
    /// (also sent when the best path changes).
    Installed {
        /// The table.
        table: TableId,
        /// The route's key.
        key: RouteKey,
        /// The NLRI of the best path.
        route: Route,
        /// Its attributes.
        attrs: Arc<A>,
        /// Where it came from.
        source: PathSource,
    },
    /// `key` has no best path in `table` any more.
    Withdrawn {
        /// The table.
        table: TableId,
        /// The route's key.
        key: RouteKey,
    },
    /// A peer sent more paths than its limit.
    MaxPrefixExceeded {
        /// The peer.
        peer: PeerId,
        /// The configured limit.
        limit: usize,
        /// Only a warning: routes are still accepted. Otherwise the daemon
        /// must send NOTIFICATION Cease / Maximum Number of Prefixes Reached
        /// (6/1) and call [`Rib::peer_down`].
        warning_only: bool,
    },
}

/// Why [`Rib::insert`] did not accept a path. The path is not stored, and
/// any previous path of the same peer and key is withdrawn (a rejected
/// re-advertisement replaces the old one, RFC 4271 §9).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejected {
    /// The peer is unknown or not established.
    PeerNotUp,
    /// Our AS is in the AS_PATH of a route from an external peer.
    AsPathLoop,
    /// The ORIGINATOR_ID is our router ID (RFC 4456 §8).
    OriginatorLoop,
    /// The CLUSTER_LIST contains our cluster ID (RFC 4456 §8).
    ClusterLoop,
    /// The peer is over its prefix limit.
    MaxPrefix,
    /// The family was not negotiated with the peer.
    FamilyNotNegotiated,
}

/// One UPDATE to send, for one address family: either announcements
/// sharing `attrs`, or withdrawals, or neither (an End-of-RIB marker).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutUpdate<A> {
    /// The family of every NLRI in it.
    pub family: AddressFamily,
    /// Attributes of the announced routes (`None` for a withdrawal).
    pub attrs: Option<Arc<A>>,
    /// Announced NLRI.
    pub announce: Vec<Route>,
    /// Withdrawn NLRI.
    pub withdraw: Vec<Route>,
}

impl<A> OutUpdate<A> {
    /// The End-of-RIB marker of `family` (RFC 4724 §2): no routes at all.
    pub fn end_of_rib(family: AddressFamily) -> OutUpdate<A> {
        OutUpdate {
            family,
            attrs: None,
            announce: Vec::new(),
            withdraw: Vec::new(),
        }
    }

    /// This is an End-of-RIB marker.
    pub fn is_end_of_rib(&self) -> bool {
        self.attrs.is_none() && self.announce.is_empty() && self.withdraw.is_empty()
    }
}

/// Fixed bytes of an UPDATE: header (19), withdrawn routes length (2),
/// total path attribute length (2).
pub const UPDATE_FIXED_LEN: usize = 19 + 2 + 2;
/// MP_UNREACH_NLRI around its NLRI: flags, type, 2-byte length, AFI, SAFI.
pub const MP_UNREACH_OVERHEAD: usize = 4 + 3;

/// Maps keyed by what peers send (routes): std's keyed SipHash with random
/// keys per map, so that a peer cannot choose keys that collide even when it
/// sees the maps' iteration order in what we send (a seeded fast hash does
/// not resist that). [`RouteKey`] hashes in one write, which keeps it cheap.
type KeyMap<K, V> = HashMap<K, V>;

/// A best path queued for a peer: what [`Rib::poll_updates`] sends, taken
/// when the best path changed, so that packing needs no second look-up of
/// the route in the Loc-RIB.
#[derive(Debug)]
struct Queued<A> {
    route: Route,
    attrs: Arc<A>,
    params: ExportParams,
}

#[derive(Debug)]
struct Peer<A> {
    cfg: PeerConfig,
    session: Option<PeerSession>,
    prefixes: usize,
    limit_hit: bool,
    warned: bool,
    /// Routes whose current best path is to be sent, with that path.
    announce: KeyMap<RouteKey, Queued<A>>,
    /// Routes to withdraw, in the form they were sent.
    withdraw: KeyMap<RouteKey, Route>,
    /// Families whose whole Loc-RIB is to be sent (new session, route
    /// refresh) instead of their entries in `announce`.
    full_sync: Vec<AddressFamily>,
    /// Families owed an End-of-RIB marker once their initial table is sent
    /// (RFC 4724 §2).
    end_of_rib: Vec<AddressFamily>,
    /// The BGP identifier of its last session: its stale paths (graceful
    /// restart) still compare and reflect with it while it is down.
    last_router_id: Option<RouterId>,
    _attrs: core::marker::PhantomData<A>,
}

impl<A> Peer<A> {
    fn ebgp(&self, local_as: Asn) -> bool {
        self.cfg.remote_as != local_as
    }

    /// Its BGP identifier: of the session, or of the last one while it is
    /// down (stale paths); 0.0.0.0 if it never came up.
    fn router_id(&self) -> RouterId {
        self.session
            .as_ref()
            .map(|s| s.router_id)
            .or(self.last_router_id)
            .unwrap_or(RouterId(Ipv4Addr::UNSPECIFIED))
    }
}

/// Peers by id. Ids are assigned by the daemon, not by peers, so a
/// multiplicative hash (no DoS resistance needed) is enough.
type PeerMap<A> = HashMap<PeerId, Peer<A>, BuildHasherDefault<IdHasher>>;

/// Hasher for small integer ids: one multiply.
#[derive(Debug, Default, Clone, Copy)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 =
                (self.0.rotate_left(5) ^ u64::from(*b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    fn write_u32(&mut self, v: u32) {
        self.0 = (self.0 ^ u64::from(v)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

/// A hook giving the interior cost to a next hop (§9.1.2.2 e).
pub type IgpCostFn = Box<dyn Fn(IpAddr) -> u32 + Send>;

/// The RIB. See the module docs.
pub struct Rib<A: RibAttributes> {
    cfg: RibConfig,
    peers: PeerMap<A>,
    routes: KeyMap<RouteKey, Entry<A>>,
    rt_index: HashMap<RouteTarget, Vec<TableId>>,
    /// Tables by wildcard (`*:value`) import.
    rt_any_index: HashMap<u32, Vec<TableId>>,
    imports: KeyMap<(TableId, RouteKey), ImportEntry>,
    events: VecDeque<RibEvent<A>>,
    igp_cost: Option<IgpCostFn>,
    scratch: Vec<Candidate>,
    scratch_lost: Vec<Option<LossReason>>,
}

impl<A: RibAttributes> core::fmt::Debug for Rib<A> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Rib")
            .field("cfg", &self.cfg)
            .field("peers", &self.peers.len())
            .field("routes", &self.routes.len())
            .field("events", &self.events.len())
            .finish()
    }
}

/// A snapshot of a best path taken before a change.
struct BestSnap<A> {
    source: PathSource,
    path_id: Option<u32>,
    route: Route,
    attrs: Arc<A>,
}

impl<A: RibAttributes> Rib<A> {
    /// An empty RIB.
    pub fn new(cfg: RibConfig) -> Rib<A> {
        let mut rib = Rib {
            cfg,
            peers: PeerMap::default(),
            routes: KeyMap::new(),
            rt_index: HashMap::new(),
            rt_any_index: HashMap::new(),
            imports: KeyMap::new(),
            events: VecDeque::new(),
            igp_cost: None,
            scratch: Vec::new(),
            scratch_lost: Vec::new(),
        };
        rib.rebuild_rt_index();
        rib
    }

    fn rebuild_rt_index(&mut self) {
        self.rt_index.clear();
        self.rt_any_index.clear();
        for t in &self.cfg.tables {
            for rt in &t.import {
                let v = self.rt_index.entry(*rt).or_default();
                if !v.contains(&t.id) {
                    v.push(t.id);
                }
            }
            for value in &t.import_any_as {
                let v = self.rt_any_index.entry(*value).or_default();
                if !v.contains(&t.id) {
                    v.push(t.id);
                }
            }
        }
    }

    /// The configuration.
    pub fn config(&self) -> &RibConfig {
        &self.cfg
    }

    /// Set the interior cost hook (applies to paths inserted afterwards).
    pub fn set_igp_cost(&mut self, f: IgpCostFn) {
        self.igp_cost = Some(f);
    }

    /// Configure a peer (down until [`Rib::peer_up`]). Replaces a peer with
    /// the same id, which is taken down first.
    pub fn add_peer(&mut self, cfg: PeerConfig) {
        self.peer_down(cfg.id);
        self.peers.insert(
            cfg.id,
            Peer {
                cfg,
                session: None,
                prefixes: 0,
                limit_hit: false,
                warned: false,
                announce: KeyMap::new(),
                withdraw: KeyMap::new(),
                full_sync: Vec::new(),
                end_of_rib: Vec::new(),
                last_router_id: None,
                _attrs: core::marker::PhantomData,
            },
        );
    }

    /// Configure a peer, keeping the paths of an existing one (and of a
    /// peer in graceful restart, its stale paths) unless what decides where
    /// its routes go changed (its AS or route-reflector client flag): then
    /// as [`Rib::add_peer`].
    pub fn configure_peer(&mut self, cfg: PeerConfig) {
        match self.peers.get_mut(&cfg.id) {
            Some(p) if p.cfg.remote_as == cfg.remote_as && p.cfg.rr_client == cfg.rr_client => {
                p.cfg = cfg;
            }
            _ => self.add_peer(cfg),
        }
    }

    /// Remove a peer and all its paths.
    pub fn remove_peer(&mut self, id: PeerId) {
        self.peer_down(id);
        self.peers.remove(&id);
    }

    /// The session with `id` is established: routes are accepted from it and
    /// the whole Loc-RIB is queued for it, each family followed by an
    /// End-of-RIB marker (RFC 4724 §2 recommends it for every session, as
    /// FRR and GoBGP send it).
    pub fn peer_up(&mut self, id: PeerId, session: PeerSession) {
        let Some(p) = self.peers.get_mut(&id) else {
            return;
        };
        p.end_of_rib = session.families.clone();
        p.last_router_id = Some(session.router_id);
        p.session = Some(session);
        // `prefixes` still counts paths kept stale by a graceful restart.
        p.limit_hit = false;
        p.warned = false;
        p.withdraw.clear();
        self.refresh(id);
    }

    /// The session with `id` went down: every path it sent (stale ones
    /// included) is removed (O(routes)) and nothing more is queued for it.
    pub fn peer_down(&mut self, id: PeerId) {
        let Some(p) = self.peers.get_mut(&id) else {
            return;
        };
        p.session = None;
        p.announce = KeyMap::new();
        p.withdraw = KeyMap::new();
        p.full_sync = Vec::new();
        p.end_of_rib = Vec::new();
        p.prefixes = 0;
        self.remove_where(|_, p| p.source == PathSource::Peer(id));
    }

    /// The session with `id` went down without a NOTIFICATION and the peer
    /// had advertised graceful restart (RFC 4724 §4.2): its paths of
    /// `families` (those it said it preserves forwarding state for) are
    /// kept, marked stale, and still used; its other paths are removed.
    /// Follow with [`Rib::end_of_rib`] per family once the session is back,
    /// or [`Rib::sweep_stale`] when the restart time runs out.
    pub fn peer_down_graceful(&mut self, id: PeerId, families: &[AddressFamily]) {
        let Some(p) = self.peers.get_mut(&id) else {
            return;
        };
        p.session = None;
        p.announce = KeyMap::new();
        p.withdraw = KeyMap::new();
        p.full_sync = Vec::new();
        p.end_of_rib = Vec::new();
        // Paths still stale from a previous restart go: "to deal with
        // possible consecutive restarts, a route (from the peer) previously
        // marked as stale MUST be deleted" (RFC 4724 §4.2).
        self.remove_where(|k, p| {
            p.source == PathSource::Peer(id) && (p.stale || !families.contains(&k.family()))
        });
        for e in self.routes.values_mut() {
            for path in &mut e.paths {
                if path.source == PathSource::Peer(id) {
                    path.stale = true;
                }
            }
        }
    }

    /// The peer sent End-of-RIB for `family` (RFC 4724 §4.2): its paths of
    /// that family still stale were not re-advertised and go.
    pub fn end_of_rib(&mut self, id: PeerId, family: AddressFamily) {
        self.remove_where(|k, p| {
            p.source == PathSource::Peer(id) && p.stale && k.family() == family
        });
    }

    /// The peer's restart time ran out: all its stale paths go.
    pub fn sweep_stale(&mut self, id: PeerId) {
        self.remove_where(|_, p| p.source == PathSource::Peer(id) && p.stale);
    }

    /// Remove every path matching `pred` (O(routes)).
    fn remove_where<F: Fn(&RouteKey, &Path<A>) -> bool>(&mut self, pred: F) {
        let keys: Vec<RouteKey> = self
            .routes
            .iter()
            .filter(|(k, e)| e.paths.iter().any(|p| pred(k, p)))
            .map(|(k, _)| k.clone())
            .collect();
        for key in keys {
            self.remove_paths(&key, |p| pred(&key, p));
        }
    }

    /// Queue every best path exportable to `id` (route refresh, RFC 2918:
    /// re-send the Adj-RIB-Out). The Loc-RIB is walked at the next
    /// [`Rib::poll_updates`]; nothing is copied now.
    pub fn refresh(&mut self, id: PeerId) {
        if let Some(p) = self.peers.get_mut(&id) {
            if let Some(s) = &p.session {
                p.full_sync = s.families.clone();
                p.announce = KeyMap::new();
            }
        }
    }

    /// [`Rib::refresh`] of one family (the AFI/SAFI of a ROUTE-REFRESH
    /// message, RFC 2918 §4); a family not negotiated is ignored.
    pub fn refresh_family(&mut self, id: PeerId, family: AddressFamily) {
        let Some(p) = self.peers.get_mut(&id) else {
            return;
        };
        let Some(s) = &p.session else {
            return;
        };
        if !s.families.contains(&family) || p.full_sync.contains(&family) {
            return;
        }
        p.full_sync.push(family);
        p.announce.retain(|k, _| k.family() != family);
    }

    /// Paths received from `id` (its Adj-RIB-In size).
    pub fn peer_prefix_count(&self, id: PeerId) -> usize {
        self.peers.get(&id).map_or(0, |p| p.prefixes)
    }

    /// Table sizes, for `show` commands and memory accounting.
    pub fn stats(&self) -> RibStats {
        RibStats {
            routes: self.routes.len(),
            paths: self.routes.values().map(|e| e.paths.len()).sum(),
            import_entries: self.imports.len(),
            pending: self
                .peers
                .values()
                .map(|p| p.announce.len() + p.withdraw.len())
                .sum(),
            events: self.events.len(),
        }
    }

    /// Number of routes (keys) with at least one path.
    pub fn len(&self) -> usize {
        self.routes.len()
    }

    /// The RIB holds no route.
    pub fn is_empty(&self) -> bool {
        self.routes.is_empty()
    }

    /// All paths of a route, each with why it lost.
    pub fn paths(&self, key: &RouteKey) -> &[Path<A>] {
        self.routes.get(key).map_or(&[], |e| &e.paths)
    }

    /// The best path of a route.
    pub fn best(&self, key: &RouteKey) -> Option<&Path<A>> {
        self.routes.get(key)?.best_path()
    }

    /// Iterate over the Loc-RIB: every route with its best path.
    pub fn iter_best(&self) -> impl Iterator<Item = (&RouteKey, &Path<A>)> {
        self.routes
            .iter()
            .filter_map(|(k, e)| e.best_path().map(|p| (k, p)))
    }

    /// The next event for the daemon.
    pub fn poll_event(&mut self) -> Option<RibEvent<A>> {
        self.events.pop_front()
    }

    /// Originate a route from this router (a local MAC, VNI or prefix).
    pub fn originate(&mut self, route: Route, attrs: Arc<A>) {
        let key = route.key();
        // Local paths are never refused.
        let _ = self.insert_path(PathSource::Local, None, &key, route, attrs);
    }

    /// Originate a route in `table`, adding that table's export RTs.
    pub fn originate_in(&mut self, table: TableId, route: Route, attrs: &A) {
        let rts: Vec<RouteTarget> = self
            .cfg
            .tables
            .iter()
            .filter(|t| t.id == table)
            .flat_map(|t| t.export.iter().copied())
            .collect();
        let attrs = Arc::new(attrs.with_route_targets(&rts));
        self.originate(route, attrs);
    }

    /// Withdraw a locally originated route.
    pub fn withdraw_local(&mut self, key: &RouteKey) {
        self.remove_paths(key, |p| p.source == PathSource::Local);
    }

    /// Insert (or replace) the path `route` with `attrs` received from
    /// `peer`, with ADD-PATH identifier `path_id`.
    pub fn insert(
        &mut self,
        peer: PeerId,
        path_id: Option<u32>,
        route: Route,
        attrs: Arc<A>,
    ) -> Result<(), Rejected> {
        let key = route.key();
        self.insert_keyed(peer, path_id, &key, route, attrs)
    }

    /// [`Rib::insert`] with the route's key already made (`key` must be
    /// `route.key()`): the daemon makes keys where it decodes UPDATEs, off
    /// the RIB's thread.
    pub fn insert_keyed(
        &mut self,
        peer: PeerId,
        path_id: Option<u32>,
        key: &RouteKey,
        route: Route,
        attrs: Arc<A>,
    ) -> Result<(), Rejected> {
        debug_assert!(*key == route.key());
        let Some(p) = self.peers.get(&peer) else {
            return Err(Rejected::PeerNotUp);
        };
        let Some(session) = &p.session else {
            return Err(Rejected::PeerNotUp);
        };
        let reject = if !session.families.contains(&key.family()) {
            Some(Rejected::FamilyNotNegotiated)
        } else if p.ebgp(self.cfg.local_as) {
            attrs
                .as_path_contains(self.cfg.local_as)
                .then_some(Rejected::AsPathLoop)
        } else {
            let f = attrs.facts(self.cfg.default_local_pref);
            if f.originator_id == Some(self.cfg.router_id) {
                Some(Rejected::OriginatorLoop)
            } else if attrs.cluster_list_contains(self.cfg.cluster_id()) {
                Some(Rejected::ClusterLoop)
            } else {
                None
            }
        };
        let reject = reject.or(if p.limit_hit {
            Some(Rejected::MaxPrefix)
        } else {
            None
        });
        if let Some(r) = reject {
            self.remove_paths(key, |x| {
                x.source == PathSource::Peer(peer) && x.path_id == path_id
            });
            return Err(r);
        }
        self.insert_path(PathSource::Peer(peer), path_id, key, route, attrs)
    }

    /// Withdraw the path for `route` (its key) and `path_id` received from
    /// `peer`. Also the RFC 7606 treat-as-withdraw action for each NLRI of
    /// a malformed UPDATE. Returns whether a path was removed.
    pub fn withdraw(&mut self, peer: PeerId, path_id: Option<u32>, route: &Route) -> bool {
        self.withdraw_key(peer, path_id, &route.key())
    }

    /// [`Rib::withdraw`] by key.
    pub fn withdraw_key(&mut self, peer: PeerId, path_id: Option<u32>, key: &RouteKey) -> bool {
        self.remove_paths(key, |x| {
            x.source == PathSource::Peer(peer) && x.path_id == path_id
        }) > 0
    }

    /// Store a path (replacing the same source's path with the same
    /// ADD-PATH identifier) and re-run the decision process. A new path
    /// from a peer counts against its prefix limit.
    fn insert_path(
        &mut self,
        source: PathSource,
        path_id: Option<u32>,
        key: &RouteKey,
        route: Route,
        attrs: Arc<A>,
    ) -> Result<(), Rejected> {
        let igp_cost = match (&self.igp_cost, attrs.next_hop()) {
            (Some(f), Some(nh)) => f(nh),
            _ => 0,
        };
        let path = Path {
            source,
            path_id,
            route,
            attrs,
            lost: None,
            stale: false,
            igp_cost,
        };
        // One hash lookup for the whole insertion. Most routes have one
        // path: do not let the first push reserve four.
        let entry = self.routes.entry(key.clone()).or_insert_with(|| Entry {
            paths: Vec::with_capacity(1),
            best: None,
        });
        let old = snapshot(entry);
        match entry
            .paths
            .iter_mut()
            .find(|x| x.source == source && x.path_id == path_id)
        {
            Some(slot) => *slot = path,
            None => {
                if let PathSource::Peer(id) = source {
                    if let Some(p) = self.peers.get_mut(&id) {
                        if let Err(e) = check_limit(p, &mut self.events) {
                            if entry.paths.is_empty() {
                                self.routes.remove(key);
                            }
                            return Err(e);
                        }
                        p.prefixes += 1;
                    }
                }
                entry.paths.push(path);
            }
        }
        let new = decide(
            entry,
            key.is_mac_ip(),
            &self.cfg,
            &self.peers,
            &mut self.scratch,
            &mut self.scratch_lost,
        );
        if best_changed(old.as_ref(), new.as_ref()) {
            self.propagate(key, old.as_ref(), new.as_ref());
        }
        Ok(())
    }

    /// Remove the paths of `key` matching `pred`; returns how many.
    fn remove_paths<F: Fn(&Path<A>) -> bool>(&mut self, key: &RouteKey, pred: F) -> usize {
        let Some(entry) = self.routes.get_mut(key) else {
            return 0;
        };
        if !entry.paths.iter().any(&pred) {
            return 0;
        }
        let old = snapshot(entry);
        let before = entry.paths.len();
        let peers = &mut self.peers;
        entry.paths.retain(|p| {
            if !pred(p) {
                return true;
            }
            if let PathSource::Peer(id) = p.source {
                if let Some(peer) = peers.get_mut(&id) {
                    peer.prefixes = peer.prefixes.saturating_sub(1);
                }
            }
            false
        });
        let removed = before - entry.paths.len();
        if entry.paths.capacity() > 2 * entry.paths.len() + 1 {
            entry.paths.shrink_to_fit();
        }
        let new = decide(
            entry,
            key.is_mac_ip(),
            &self.cfg,
            &self.peers,
            &mut self.scratch,
            &mut self.scratch_lost,
        );
        if entry.paths.is_empty() {
            self.routes.remove(key);
        }
        if best_changed(old.as_ref(), new.as_ref()) {
            self.propagate(key, old.as_ref(), new.as_ref());
        }
        removed
    }

    fn tables_for(&self, key: &RouteKey, attrs: &A) -> Vec<TableId> {
        if !key.uses_route_targets() {
            return vec![TableId::GLOBAL];
        }
        let mut out = Vec::new();
        for rt in attrs.route_targets() {
            let wildcard = match rt {
                RouteTarget::As2 { value, .. } => self.rt_any_index.get(&value),
                RouteTarget::As4 { value, .. } => self.rt_any_index.get(&u32::from(value)),
                _ => None,
            };
            for ts in [self.rt_index.get(&rt), wildcard].into_iter().flatten() {
                for t in ts {
                    if !out.contains(t) {
                        out.push(*t);
                    }
                }
            }
        }
        out
    }

    fn propagate(&mut self, key: &RouteKey, old: Option<&BestSnap<A>>, new: Option<&BestSnap<A>>) {
        // Import into tables.
        let old_tables = old.map_or_else(Vec::new, |o| self.tables_for(key, &o.attrs));
        let new_tables = new.map_or_else(Vec::new, |n| self.tables_for(key, &n.attrs));
        if let Some((ikey, rd)) = key.split_rd() {
            for t in &old_tables {
                if !new_tables.contains(t) {
                    self.update_import(*t, &ikey, rd, false);
                }
            }
            for t in &new_tables {
                self.update_import(*t, &ikey, rd, true);
            }
        } else {
            self.import_by_key(key, new, &old_tables, &new_tables);
        }
        self.export(key, old, new);
    }

    /// Tables keyed by the route itself (unicast, EVPN types 1 and 4).
    fn import_by_key(
        &mut self,
        key: &RouteKey,
        new: Option<&BestSnap<A>>,
        old_tables: &[TableId],
        new_tables: &[TableId],
    ) {
        for t in old_tables {
            if !new_tables.contains(t) {
                self.events.push_back(RibEvent::Withdrawn {
                    table: *t,
                    key: key.clone(),
                });
            }
        }
        if let Some(n) = new {
            for t in new_tables {
                self.events.push_back(RibEvent::Installed {
                    table: *t,
                    key: key.clone(),
                    route: n.route.clone(),
                    attrs: n.attrs.clone(),
                    source: n.source,
                });
            }
        }
    }

    /// Re-choose the entry `ikey` (an RD-less key) of `table` after the
    /// route with RD `rd` joined (`member`) or left it or changed. The
    /// candidates are the best paths of each RD's route; among them the
    /// decision process runs again, with MAC mobility for type 2.
    fn update_import(
        &mut self,
        table: TableId,
        ikey: &RouteKey,
        rd: RouteDistinguisher,
        member: bool,
    ) {
        let entry = self
            .imports
            .entry((table, ikey.clone()))
            .or_insert_with(|| ImportEntry {
                rds: Vec::with_capacity(1),
                installed: None,
            });
        if member {
            if !entry.rds.contains(&rd) {
                entry.rds.push(rd);
            }
        } else {
            entry.rds.retain(|r| *r != rd);
        }
        // The best path of every candidate route.
        let mut bests: Vec<(RouteDistinguisher, &Path<A>)> = Vec::with_capacity(entry.rds.len());
        for r in &entry.rds {
            if let Some(p) = self
                .routes
                .get(&ikey.with_rd(*r))
                .and_then(Entry::best_path)
            {
                bests.push((*r, p));
            }
        }
        self.scratch.clear();
        for (_, p) in &bests {
            let (ebgp, rid, addr) = peer_facts(&self.cfg, &self.peers, p.source);
            self.scratch.push(Candidate {
                facts: p.attrs.facts(self.cfg.default_local_pref),
                local: p.source == PathSource::Local,
                ebgp,
                peer_router_id: rid,
                peer_addr: addr,
                path_id: p.path_id.unwrap_or(0),
                igp_cost: p.igp_cost,
            });
        }
        self.scratch_lost.clear();
        self.scratch_lost.resize(self.scratch.len(), None);
        let winner = decision::select(
            &self.scratch,
            &mut self.scratch_lost,
            ikey.is_mac_ip(),
            self.cfg.local_as,
        )
        .and_then(|i| bests.get(i));
        match winner {
            Some((wrd, p)) => {
                // Tell the daemon when the winner changes, or when the
                // changed route is the winner (its path changed).
                if entry.installed != Some(*wrd) || *wrd == rd {
                    self.events.push_back(RibEvent::Installed {
                        table,
                        key: ikey.clone(),
                        route: p.route.clone(),
                        attrs: p.attrs.clone(),
                        source: p.source,
                    });
                }
                entry.installed = Some(*wrd);
            }
            None => {
                if entry.installed.take().is_some() {
                    self.events.push_back(RibEvent::Withdrawn {
                        table,
                        key: ikey.clone(),
                    });
                }
            }
        }
        if entry.rds.is_empty() {
            self.imports.remove(&(table, ikey.clone()));
        }
    }

    /// Queue the change of best path of `key` for every peer it concerns.
    fn export(&mut self, key: &RouteKey, old: Option<&BestSnap<A>>, new: Option<&BestSnap<A>>) {
        let family = key.family();
        let old_src = old.map(|o| SourceFacts::of(&self.cfg, &self.peers, o.source, &*o.attrs));
        let new_src = new.map(|n| SourceFacts::of(&self.cfg, &self.peers, n.source, &*n.attrs));
        let cfg = &self.cfg;
        for p in self.peers.values_mut() {
            if p.session.is_none() {
                continue;
            }
            let new_params = new_src
                .as_ref()
                .and_then(|s| export_rules(cfg, s, family, p));
            if let (Some(params), Some(n)) = (new_params, new) {
                // `remove` hashes the key even on an empty map: skip it in
                // the common case (no withdrawal pending for this peer).
                if !p.withdraw.is_empty() {
                    p.withdraw.remove(key);
                }
                if !p.full_sync.contains(&family) {
                    p.announce.insert(
                        key.clone(),
                        Queued {
                            route: n.route.clone(),
                            attrs: n.attrs.clone(),
                            params,
                        },
                    );
                }
                continue;
            }
            let was_sent = old_src
                .as_ref()
                .is_some_and(|s| export_rules(cfg, s, family, p).is_some());
            if let (true, Some(o)) = (was_sent, old) {
                if !p.full_sync.contains(&family) {
                    p.announce.remove(key);
                }
                p.withdraw.insert(key.clone(), o.route.withdrawal());
            }
        }
    }

    /// Number of route changes queued for `id` (with a full table walk
    /// queued: an upper bound, counting every route).
    pub fn pending_len(&self, id: PeerId) -> usize {
        self.peers.get(&id).map_or(0, |p| {
            let walk = if p.full_sync.is_empty() {
                0
            } else {
                self.routes.len()
            };
            p.announce.len() + p.withdraw.len() + walk + p.end_of_rib.len()
        })
    }

    /// Take the changes queued for `id` and pack them into UPDATEs of at
    /// most the session's maximum message size (4096, or 65535 with RFC
    /// 8654), NLRI grouped by identical attributes. `ctx` is the session's
    /// codec context: message size, ADD-PATH (each NLRI then carries a
    /// 4-byte path identifier, RFC 7911) and attribute encoding.
    pub fn poll_updates(&mut self, id: PeerId, ctx: &CodecContext) -> Vec<OutUpdate<A>> {
        let max_len = ctx.max_message_len();
        let Some(p) = self.peers.get_mut(&id) else {
            return Vec::new();
        };
        let announce = std::mem::take(&mut p.announce);
        let withdraw = std::mem::take(&mut p.withdraw);
        let full_sync = std::mem::take(&mut p.full_sync);
        let end_of_rib = std::mem::take(&mut p.end_of_rib);
        let Some(peer) = self.peers.get(&id) else {
            return Vec::new();
        };
        // Exported attributes, computed once per received attribute set.
        // Keyed by `Arc` addresses (ours, not a peer's): the id hasher.
        let mut exported: HashMap<usize, Arc<A>, BuildHasherDefault<IdHasher>> = HashMap::default();
        // NLRI grouped by (exported attributes, family); equal attribute
        // sets behind different `Arc`s share a group.
        let mut groups: Vec<(Arc<A>, AddressFamily, Vec<Route>)> = Vec::new();
        let mut by_ptr: HashMap<(usize, AddressFamily), usize, BuildHasherDefault<IdHasher>> =
            HashMap::default();
        let mut by_value: HashMap<(Arc<A>, AddressFamily), usize> = HashMap::new();
        let mut add = |fam: AddressFamily, route: Route, attrs: &Arc<A>, params: &ExportParams| {
            let src = Arc::as_ptr(attrs) as usize;
            let out = exported
                .entry(src)
                .or_insert_with(|| Arc::new(attrs.export(params)))
                .clone();
            let ptr = Arc::as_ptr(&out) as usize;
            let i = match by_ptr.get(&(ptr, fam)) {
                Some(&i) => i,
                None => {
                    let i = *by_value.entry((out.clone(), fam)).or_insert_with(|| {
                        groups.push((out.clone(), fam, Vec::new()));
                        groups.len() - 1
                    });
                    by_ptr.insert((ptr, fam), i);
                    i
                }
            };
            if let Some(g) = groups.get_mut(i) {
                g.2.push(route);
            }
        };
        if !full_sync.is_empty() {
            for (key, e) in &self.routes {
                if !full_sync.contains(&key.family()) {
                    continue;
                }
                let Some(best) = e.best_path() else {
                    continue;
                };
                let src = SourceFacts::of(&self.cfg, &self.peers, best.source, &*best.attrs);
                if let Some(params) = export_rules(&self.cfg, &src, key.family(), peer) {
                    add(key.family(), best.route.clone(), &best.attrs, &params);
                }
            }
        }
        for (key, q) in announce {
            add(key.family(), q.route, &q.attrs, &q.params);
        }
        let mut withdraws: HashMap<AddressFamily, Vec<Route>> = HashMap::new();
        for (key, r) in withdraw {
            withdraws.entry(key.family()).or_default().push(r);
        }
        let per = |r: &Route| {
            let id_len = if ctx.sends_path_id(r.family()) { 4 } else { 0 };
            r.nlri_len() + id_len
        };
        let mut out = Vec::new();
        let mut wfams: Vec<_> = withdraws.into_iter().collect();
        wfams.sort_by_key(|(f, _)| *f);
        for (fam, routes) in wfams {
            let overhead = UPDATE_FIXED_LEN
                + if fam == AddressFamily::IPV4_UNICAST {
                    0
                } else {
                    MP_UNREACH_OVERHEAD
                };
            for chunk in pack(routes, overhead, max_len, per) {
                out.push(OutUpdate {
                    family: fam,
                    attrs: None,
                    announce: Vec::new(),
                    withdraw: chunk,
                });
            }
        }
        for (attrs, fam, routes) in groups {
            let overhead = UPDATE_FIXED_LEN + attrs.encoded_len(fam, ctx);
            for chunk in pack(routes, overhead, max_len, per) {
                out.push(OutUpdate {
                    family: fam,
                    attrs: Some(attrs.clone()),
                    announce: chunk,
                    withdraw: Vec::new(),
                });
            }
        }
        for family in end_of_rib {
            out.push(OutUpdate::end_of_rib(family));
        }
        out
    }
}

/// What export needs to know about a best path's source and attributes,
/// found once per change rather than once per receiving peer.
struct SourceFacts {
    source: PathSource,
    /// The source peer (`None` for a local path): external, a
    /// route-reflector client, its BGP identifier.
    peer: Option<(bool, bool, RouterId)>,
    /// The source peer is no longer configured: the path goes nowhere.
    gone: bool,
    no_advertise: bool,
    no_export: bool,
}

impl SourceFacts {
    fn of<A: RibAttributes>(
        cfg: &RibConfig,
        peers: &PeerMap<A>,
        source: PathSource,
        attrs: &A,
    ) -> SourceFacts {
        let (peer, gone) = match source {
            PathSource::Local => (None, false),
            PathSource::Peer(id) => match peers.get(&id) {
                Some(p) => (
                    Some((p.ebgp(cfg.local_as), p.cfg.rr_client, p.router_id())),
                    false,
                ),
                None => (None, true),
            },
        };
        SourceFacts {
            source,
            peer,
            gone,
            no_advertise: attrs.no_advertise(),
            no_export: attrs.no_export(),
        }
    }
}

/// Whether a best path (described by `src`) of `family` goes to `to`, and
/// how its attributes are rewritten (RFC 4271 §9.2, RFC 4456 §6, RFC 1997).
fn export_rules<A>(
    cfg: &RibConfig,
    src: &SourceFacts,
    family: AddressFamily,
    to: &Peer<A>,
) -> Option<ExportParams> {
    let session = to.session.as_ref()?;
    if src.gone || !session.families.contains(&family) {
        return None;
    }
    if src.source == PathSource::Peer(to.cfg.id) {
        return None;
    }
    let to_ebgp = to.ebgp(cfg.local_as);
    if src.no_advertise || (to_ebgp && src.no_export) {
        return None;
    }
    let mut params = ExportParams {
        ebgp: to_ebgp,
        local_as: cfg.local_as,
        next_hop: to.cfg.next_hop_self,
        default_local_pref: cfg.default_local_pref,
        strip_med: src.source != PathSource::Local,
        reflect: None,
    };
    if let Some((src_ebgp, src_rr_client, originator)) = src.peer {
        if !src_ebgp && !to_ebgp {
            // iBGP to iBGP: only by reflection (RFC 4456 §6).
            if !(src_rr_client || to.cfg.rr_client) {
                return None;
            }
            params.reflect = Some(Reflection {
                originator,
                cluster_id: cfg.cluster_id(),
            });
            // A reflector does not change the next hop (RFC 4456 §10).
            params.next_hop = None;
        }
    }
    Some(params)
}

/// The peer's prefix limit allows one more path (or only warns).
fn check_limit<A>(p: &mut Peer<A>, events: &mut VecDeque<RibEvent<A>>) -> Result<(), Rejected> {
    if p.limit_hit {
        return Err(Rejected::MaxPrefix);
    }
    let Some(mp) = p.cfg.max_prefix else {
        return Ok(());
    };
    if p.prefixes < mp.limit {
        return Ok(());
    }
    if mp.warning_only {
        if !p.warned {
            p.warned = true;
            events.push_back(RibEvent::MaxPrefixExceeded {
                peer: p.cfg.id,
                limit: mp.limit,
                warning_only: true,
            });
        }
        return Ok(());
    }
    p.limit_hit = true;
    events.push_back(RibEvent::MaxPrefixExceeded {
        peer: p.cfg.id,
        limit: mp.limit,
        warning_only: false,
    });
    Err(Rejected::MaxPrefix)
}

/// What the decision process needs to know about a path's sender.
fn peer_facts<A>(
    cfg: &RibConfig,
    peers: &PeerMap<A>,
    source: PathSource,
) -> (bool, RouterId, IpAddr) {
    match source {
        PathSource::Local => (false, cfg.router_id, IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
        PathSource::Peer(id) => match peers.get(&id) {
            Some(p) => (p.ebgp(cfg.local_as), p.router_id(), p.cfg.address),
            None => (
                false,
                RouterId(Ipv4Addr::BROADCAST),
                IpAddr::V4(Ipv4Addr::BROADCAST),
            ),
        },
    }
}

/// Run the decision process on one entry, record why each path lost, and
/// return the new best path.
fn decide<A: RibAttributes>(
    entry: &mut Entry<A>,
    mac_mobility: bool,
    cfg: &RibConfig,
    peers: &PeerMap<A>,
    scratch: &mut Vec<Candidate>,
    lost: &mut Vec<Option<LossReason>>,
) -> Option<BestSnap<A>> {
    // A route with one path (the common case) needs no comparison: the
    // decision process only ranks paths against each other.
    if let [only] = entry.paths.as_mut_slice() {
        only.lost = None;
        entry.best = Some(0);
        return snapshot(entry);
    }
    scratch.clear();
    for p in &entry.paths {
        let (ebgp, rid, addr) = peer_facts(cfg, peers, p.source);
        scratch.push(Candidate {
            facts: p.attrs.facts(cfg.default_local_pref),
            local: p.source == PathSource::Local,
            ebgp,
            peer_router_id: rid,
            peer_addr: addr,
            path_id: p.path_id.unwrap_or(0),
            igp_cost: p.igp_cost,
        });
    }
    lost.clear();
    lost.resize(scratch.len(), None);
    let best = decision::select(scratch, lost, mac_mobility, cfg.local_as);
    for (p, l) in entry.paths.iter_mut().zip(lost.iter()) {
        p.lost = *l;
    }
    entry.best = best.and_then(|b| u32::try_from(b).ok());
    snapshot(entry)
}

/// The best path changed in a way peers or tables must hear about.
fn best_changed<A: PartialEq>(old: Option<&BestSnap<A>>, new: Option<&BestSnap<A>>) -> bool {
    match (old, new) {
        (None, None) => false,
        (Some(a), Some(b)) => {
            !(a.source == b.source
                && a.path_id == b.path_id
                && a.route == b.route
                && (Arc::ptr_eq(&a.attrs, &b.attrs) || a.attrs == b.attrs))
        }
        _ => true,
    }
}

fn snapshot<A>(entry: &Entry<A>) -> Option<BestSnap<A>> {
    let b = entry.best_path()?;
    Some(BestSnap {
        source: b.source,
        path_id: b.path_id,
        route: b.route.clone(),
        attrs: b.attrs.clone(),
    })
}

/// Split `routes` into chunks whose NLRI bytes plus `overhead` fit `max_len`
/// (a route that cannot fit even alone gets a chunk of its own; the encoder
/// then reports it).
fn pack<F: Fn(&Route) -> usize>(
    routes: Vec<Route>,
    overhead: usize,
    max_len: usize,
    size: F,
) -> Vec<Vec<Route>> {
    let mut out = Vec::new();
    let mut cur = Vec::new();
    let mut used = overhead;
    for r in routes {
        let n = size(&r);
        if !cur.is_empty() && used + n > max_len {
            out.push(std::mem::take(&mut cur));
            used = overhead;
        }
        used += n;
        cur.push(r);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests;
