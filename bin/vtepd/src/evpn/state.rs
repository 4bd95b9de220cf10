//! The EVPN L2 state machine between the RIB and the dataplane, sans-IO.
//!
//! Inputs: MAC events and snooped ARP/ND bindings from the dataplane
//! worker, and the RIB's "best path installed / withdrawn in VNI X" events.
//! Outputs ([`Action`]): routes to originate or withdraw in the RIB and
//! [`Control`] instructions for the worker. Time is an input.
//!
//! # Invariants
//!
//! - A remote MAC is installed in the worker iff no local entry owns the
//!   MAC and some imported type-2 path names it; it points at the winner of
//!   RFC 7432 §15 among those paths (sticky first, then the highest
//!   sequence number, then the lowest VTEP address). Paths are tracked per
//!   RIB key, so a withdrawal or a peer's loss removes exactly its own.
//! - The flood list of a VNI is the set of VTEPs of its imported type-3
//!   paths (PMSI ingress-replication endpoint, else next hop).
//! - A local MAC is advertised with sequence `remote + 1` when it was
//!   remote before (a local move outranks); a received path with a higher
//!   sequence (or sticky) moves the MAC to the remote side and withdraws our
//!   routes. Static (sticky) remote MACs never move.
//! - Duplicate-MAC detection as FRR: `max_moves` moves within `window`
//!   freeze the MAC where it is; it is logged and further moves ignored.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::net::IpAddr;
use std::time::Duration;

use vtepd_bgp_evpn::attr::PmsiTunnelId;
use vtepd_bgp_evpn::extcomm::TunnelType;
use vtepd_bgp_evpn::nlri::evpn::MacIpAdvertisement;
use vtepd_bgp_evpn::rib::codec::PathAttrs;
use vtepd_bgp_evpn::rib::{EvpnKey, PathSource, Route, RouteKey};
use vtepd_bgp_evpn::{
    AttrValue, Esi, EthernetTag, EvpnRoute, ExtendedCommunity, LabelField, MacAddress, NextHop,
    RouteDistinguisher, RouteTarget, Vni,
};
use vtepd_dataplane::worker::Control;
use vtepd_wire::EthernetAddress;

/// What the state machine asks the driver to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Originate (or replace) a local route.
    Originate(Route, PathAttrs),
    /// Withdraw a local route.
    Withdraw(RouteKey),
    /// Tell the dataplane worker.
    Dp(Control),
    /// Something an operator should read (logged as a warning).
    Warn(String),
}

/// One remote type-2 path (per RIB key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RemotePath {
    /// The VTEP (next hop).
    pub vtep: IpAddr,
    /// MAC mobility sequence number (0 when absent).
    pub seq: u32,
    /// Sticky (static) MAC.
    pub sticky: bool,
    /// The IP of a MAC/IP route.
    pub ip: Option<IpAddr>,
}

/// The remote type-2 paths of one MAC, by RIB key: almost always one or
/// two, so a small vector (a map per MAC would allocate a whole tree node
/// for each, about a kilobyte, per remote MAC).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RemotePaths(Vec<(RouteKey, RemotePath)>);

impl RemotePaths {
    /// Insert or replace the path of `key`.
    pub fn insert(&mut self, key: RouteKey, path: RemotePath) {
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some((_, p)) => *p = path,
            None => {
                self.0.reserve_exact(1);
                self.0.push((key, path));
            }
        }
    }

    /// Remove the path of `key`.
    pub fn remove(&mut self, key: &RouteKey) -> Option<RemotePath> {
        let i = self.0.iter().position(|(k, _)| k == key)?;
        Some(self.0.swap_remove(i).1)
    }

    /// The paths.
    pub fn values(&self) -> impl Iterator<Item = &RemotePath> + '_ {
        self.0.iter().map(|(_, p)| p)
    }

    /// How many.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// None left.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A MAC learnt on a local port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalMac {
    /// Sequence number we advertise.
    pub seq: u32,
    /// Static (configured): advertised sticky, never aged or moved.
    pub sticky: bool,
    /// Its snooped addresses.
    pub ips: BTreeSet<IpAddr>,
}

/// Per-VNI settings.
#[derive(Debug, Clone)]
pub struct VniSettings {
    /// The VNI.
    pub vni: Vni,
    /// Our RD.
    pub rd: RouteDistinguisher,
    /// Export RTs.
    pub export_rt: Vec<RouteTarget>,
    /// Our tunnel address.
    pub local_ip: IpAddr,
    /// Static local MACs (sticky).
    pub static_macs: Vec<MacAddress>,
}

/// One VNI's state.
#[derive(Debug)]
pub struct VniState {
    /// Settings.
    pub cfg: VniSettings,
    /// Local MACs.
    pub local: BTreeMap<MacAddress, LocalMac>,
    /// Remote type-2 paths by MAC, then by RIB key.
    pub remote: BTreeMap<MacAddress, RemotePaths>,
    /// Type-3 paths: key → VTEP.
    pub flood_paths: BTreeMap<RouteKey, IpAddr>,
    /// What the worker has: remote MAC → VTEP.
    pub installed: BTreeMap<MacAddress, IpAddr>,
    /// What the worker has: remote binding IP → MAC.
    pub bindings: BTreeMap<IpAddr, MacAddress>,
    /// The worker's flood list.
    pub flood: BTreeSet<IpAddr>,
    /// Recent moves per MAC (duplicate detection).
    moves: HashMap<MacAddress, VecDeque<Duration>>,
    /// Frozen (duplicate) MACs.
    pub frozen: BTreeSet<MacAddress>,
    /// Moves seen (for `show`).
    pub move_count: u64,
}

/// Duplicate-MAC detection limits.
#[derive(Debug, Clone, Copy)]
pub struct Dad {
    /// Moves ...
    pub max_moves: u32,
    /// ... within this window freeze the MAC.
    pub window: Duration,
}

/// All VNIs.
#[derive(Debug)]
pub struct EvpnState {
    /// By VNI number.
    pub vnis: BTreeMap<u32, VniState>,
    /// Duplicate detection.
    pub dad: Dad,
    out: Vec<Action>,
}

fn eth(m: MacAddress) -> EthernetAddress {
    EthernetAddress(m.0)
}

fn wvni(v: Vni) -> Option<vtepd_wire::vxlan::Vni> {
    vtepd_wire::vxlan::Vni::new(v.get()).ok()
}

fn nh_ip(nh: &Option<NextHop>) -> Option<IpAddr> {
    match nh {
        Some(NextHop::Ipv4(a)) => Some(IpAddr::V4(*a)),
        Some(NextHop::Ipv6 { global, .. }) => Some(IpAddr::V6(*global)),
        _ => None,
    }
}

fn mobility(attrs: &PathAttrs) -> (u32, bool) {
    for a in &attrs.attributes {
        if let AttrValue::ExtendedCommunities(list) = &a.value {
            for c in list {
                if let ExtendedCommunity::MacMobility { sticky, sequence } = c {
                    return (*sequence, *sticky);
                }
            }
        }
    }
    (0, false)
}

fn pmsi_endpoint(attrs: &PathAttrs) -> Option<IpAddr> {
    attrs.attributes.iter().find_map(|a| match &a.value {
        AttrValue::PmsiTunnel(p) => match p.tunnel {
            PmsiTunnelId::IngressReplication(ip) => Some(ip),
            _ => None,
        },
        _ => None,
    })
}

/// The winner of RFC 7432 §15 among remote paths: sticky, highest
/// sequence, lowest VTEP address.
pub fn best_remote(paths: &RemotePaths) -> Option<RemotePath> {
    paths.values().copied().max_by(|a, b| {
        (a.sticky, a.seq)
            .cmp(&(b.sticky, b.seq))
            .then_with(|| b.vtep.cmp(&a.vtep))
    })
}

impl VniState {
    fn new(cfg: VniSettings) -> VniState {
        VniState {
            cfg,
            local: BTreeMap::new(),
            remote: BTreeMap::new(),
            flood_paths: BTreeMap::new(),
            installed: BTreeMap::new(),
            bindings: BTreeMap::new(),
            flood: BTreeSet::new(),
            moves: HashMap::new(),
            frozen: BTreeSet::new(),
            move_count: 0,
        }
    }

    /// The type-2 route for (mac, ip) and its attributes.
    pub fn mac_route(
        &self,
        mac: MacAddress,
        ip: Option<IpAddr>,
        seq: u32,
        sticky: bool,
    ) -> (Route, PathAttrs) {
        let c = &self.cfg;
        let route = Route::Evpn(EvpnRoute::MacIp(MacIpAdvertisement {
            rd: c.rd,
            esi: Esi([0; 10]),
            ethernet_tag: EthernetTag(0),
            mac,
            ip,
            label1: LabelField::from_vni(c.vni),
            label2: None,
        }));
        let mut ecs: Vec<ExtendedCommunity> = c
            .export_rt
            .iter()
            .map(|r| ExtendedCommunity::RouteTarget(*r))
            .collect();
        ecs.push(ExtendedCommunity::Encapsulation(TunnelType::Vxlan));
        if seq > 0 || sticky {
            ecs.push(ExtendedCommunity::MacMobility {
                sticky,
                sequence: seq,
            });
        }
        let nh = match c.local_ip {
            IpAddr::V4(a) => NextHop::Ipv4(a),
            IpAddr::V6(a) => NextHop::Ipv6 {
                global: a,
                link_local: None,
            },
        };
        (
            route,
            PathAttrs::local(nh, vec![AttrValue::ExtendedCommunities(ecs)]),
        )
    }

    fn key(&self, mac: MacAddress, ip: Option<IpAddr>) -> RouteKey {
        RouteKey::Evpn(EvpnKey::MacIp {
            rd: self.cfg.rd,
            tag: EthernetTag(0),
            mac,
            ip,
        })
    }

    /// Record a move; true when the MAC is now frozen.
    fn note_move(
        &mut self,
        now: Duration,
        mac: MacAddress,
        dad: Dad,
        out: &mut Vec<Action>,
    ) -> bool {
        self.move_count += 1;
        let q = self.moves.entry(mac).or_default();
        q.push_back(now);
        while q
            .front()
            .is_some_and(|t| now.saturating_sub(*t) > dad.window)
        {
            q.pop_front();
        }
        if q.len() as u32 >= dad.max_moves && self.frozen.insert(mac) {
            out.push(Action::Warn(format!(
                "VNI {}: duplicate MAC {mac} detected ({} moves in {} s): frozen",
                self.cfg.vni,
                q.len(),
                dad.window.as_secs()
            )));
        }
        self.frozen.contains(&mac)
    }

    fn advertise_local(&self, mac: MacAddress, out: &mut Vec<Action>) {
        if let Some(l) = self.local.get(&mac) {
            let (r, a) = self.mac_route(mac, None, l.seq, l.sticky);
            out.push(Action::Originate(r, a));
            for ip in &l.ips {
                let (r, a) = self.mac_route(mac, Some(*ip), l.seq, l.sticky);
                out.push(Action::Originate(r, a));
            }
        }
    }

    fn withdraw_local(&mut self, mac: MacAddress, out: &mut Vec<Action>) {
        if let Some(l) = self.local.remove(&mac) {
            out.push(Action::Withdraw(self.key(mac, None)));
            for ip in &l.ips {
                out.push(Action::Withdraw(self.key(mac, Some(*ip))));
            }
        }
    }

    /// Bring the worker's entries for `mac` in line with the tables.
    fn sync_mac(&mut self, mac: MacAddress, out: &mut Vec<Action>) {
        let Some(vni) = wvni(self.cfg.vni) else {
            return;
        };
        let best = self.remote.get(&mac).and_then(best_remote);
        let want = if self.local.contains_key(&mac) {
            None
        } else {
            best.map(|b| b.vtep)
        };
        match (want, self.installed.get(&mac).copied()) {
            (Some(v), Some(old)) if v == old => {}
            (Some(v), _) => {
                self.installed.insert(mac, v);
                out.push(Action::Dp(Control::InstallMac {
                    vni,
                    mac: eth(mac),
                    vtep: v,
                }));
            }
            (None, Some(_)) => {
                self.installed.remove(&mac);
                out.push(Action::Dp(Control::WithdrawMac { vni, mac: eth(mac) }));
            }
            (None, None) => {}
        }
        // Suppression bindings of the remote MAC/IP paths.
        let ips: BTreeSet<IpAddr> = if self.local.contains_key(&mac) {
            BTreeSet::new()
        } else {
            self.remote
                .get(&mac)
                .into_iter()
                .flat_map(|m| m.values().filter_map(|p| p.ip))
                .collect()
        };
        let stale: Vec<IpAddr> = self
            .bindings
            .iter()
            .filter(|(ip, m)| **m == mac && !ips.contains(ip))
            .map(|(ip, _)| *ip)
            .collect();
        for ip in stale {
            self.bindings.remove(&ip);
            out.push(Action::Dp(Control::WithdrawBinding { vni, ip }));
        }
        for ip in ips {
            if self.bindings.get(&ip) != Some(&mac) {
                self.bindings.insert(ip, mac);
                out.push(Action::Dp(Control::InstallBinding {
                    vni,
                    ip,
                    mac: eth(mac),
                }));
            }
        }
    }

    fn sync_flood(&mut self, out: &mut Vec<Action>) {
        let Some(vni) = wvni(self.cfg.vni) else {
            return;
        };
        let want: BTreeSet<IpAddr> = self.flood_paths.values().copied().collect();
        for v in want.difference(&self.flood) {
            out.push(Action::Dp(Control::AddFlood { vni, vtep: *v }));
        }
        for v in self.flood.difference(&want) {
            out.push(Action::Dp(Control::RemoveFlood { vni, vtep: *v }));
        }
        self.flood = want;
    }

    /// A received path with a higher sequence (or sticky) takes a local MAC.
    fn check_remote_wins(
        &mut self,
        now: Duration,
        mac: MacAddress,
        dad: Dad,
        out: &mut Vec<Action>,
    ) {
        let Some(l) = self.local.get(&mac) else {
            return;
        };
        let Some(b) = self.remote.get(&mac).and_then(best_remote) else {
            return;
        };
        if l.sticky {
            // A static MAC never moves (RFC 7432 §15.2); the same MAC
            // sticky elsewhere too is a misconfiguration to report.
            if b.sticky {
                out.push(Action::Warn(format!(
                    "VNI {}: static MAC {mac} is also advertised sticky by {}; kept local",
                    self.cfg.vni, b.vtep
                )));
            }
            return;
        }
        // RFC 7432 §15.1: sticky wins; else the higher sequence; at equal
        // sequence numbers the VTEP with the lower address.
        let remote_wins =
            b.sticky || b.seq > l.seq || (b.seq == l.seq && b.vtep < self.cfg.local_ip);
        if remote_wins {
            if self.frozen.contains(&mac) {
                return;
            }
            self.note_move(now, mac, dad, out);
            self.withdraw_local(mac, out);
        }
    }
}

impl EvpnState {
    /// State for these VNIs.
    /// Static MACs are local and advertised (sticky) from the start.
    pub fn new(vnis: Vec<VniSettings>, dad: Dad) -> EvpnState {
        let mut out = Vec::new();
        let vnis = vnis
            .into_iter()
            .map(|c| {
                let mut v = VniState::new(c);
                for mac in v.cfg.static_macs.clone() {
                    v.local.insert(
                        mac,
                        LocalMac {
                            seq: 0,
                            sticky: true,
                            ips: BTreeSet::new(),
                        },
                    );
                    v.advertise_local(mac, &mut out);
                }
                (v.cfg.vni.get(), v)
            })
            .collect();
        EvpnState { vnis, dad, out }
    }

    /// Take the queued actions.
    pub fn take_actions(&mut self) -> Vec<Action> {
        std::mem::take(&mut self.out)
    }

    /// Unfreeze duplicate MACs of `vni` (all of them, or only `mac`), as
    /// FRR's `clear evpn dup-addr vni N [mac M]`: their move history is
    /// forgotten and received paths are weighed again (a remote path that
    /// outranks a local MAC now takes it). Returns the MACs unfrozen.
    pub fn clear_dup(
        &mut self,
        now: Duration,
        vni: u32,
        mac: Option<MacAddress>,
    ) -> Vec<MacAddress> {
        let dad = self.dad;
        let Some(v) = self.vnis.get_mut(&vni) else {
            return Vec::new();
        };
        let macs: Vec<MacAddress> = match mac {
            Some(m) => v.frozen.take(&m).into_iter().collect(),
            None => std::mem::take(&mut v.frozen).into_iter().collect(),
        };
        let mut out = std::mem::take(&mut self.out);
        for m in &macs {
            v.moves.remove(m);
            // Installed again below even when unchanged: the worker then
            // reports the next local sighting of a remote MAC afresh
            // (it reports a shadowed entry once per installation), so a
            // host that moved here while frozen is learnt on its next frame.
            v.installed.remove(m);
            out.push(Action::Warn(format!(
                "VNI {vni}: duplicate MAC {m} cleared by the operator"
            )));
            v.check_remote_wins(now, *m, dad, &mut out);
            v.sync_mac(*m, &mut out);
        }
        self.out = out;
        macs
    }

    /// The worker learnt a MAC on a local port (its `Learnt` or `Moved`
    /// event). Ignored, and false returned, when the MAC is installed as
    /// remote: learning never replaces an installed entry, so the event
    /// predates the installation (the worker reports events up to 100 ms
    /// late) and is stale; a host really here now shows up as a shadowed
    /// entry (then [`EvpnState::local_learn`]).
    pub fn local_learnt(&mut self, now: Duration, vni: u32, mac: MacAddress) -> bool {
        if self
            .vnis
            .get(&vni)
            .is_some_and(|v| v.installed.contains_key(&mac))
        {
            return false;
        }
        self.local_learn(now, vni, mac);
        true
    }

    /// A MAC was learnt on (or moved to) a local port.
    pub fn local_learn(&mut self, now: Duration, vni: u32, mac: MacAddress) {
        let dad = self.dad;
        let Some(v) = self.vnis.get_mut(&vni) else {
            return;
        };
        if v.local.contains_key(&mac) {
            return;
        }
        let mut out = std::mem::take(&mut self.out);
        let remote = v.remote.get(&mac).and_then(best_remote);
        let seq = match remote {
            Some(r) if r.sticky => {
                out.push(Action::Warn(format!(
                    "VNI {vni}: MAC {mac} is sticky at {}; local learn ignored",
                    r.vtep
                )));
                self.out = out;
                return;
            }
            Some(r) => {
                if v.frozen.contains(&mac) {
                    self.out = out;
                    return;
                }
                v.note_move(now, mac, dad, &mut out);
                r.seq.saturating_add(1)
            }
            None => 0,
        };
        v.local.insert(
            mac,
            LocalMac {
                seq,
                sticky: false,
                ips: BTreeSet::new(),
            },
        );
        v.advertise_local(mac, &mut out);
        v.sync_mac(mac, &mut out);
        self.out = out;
    }

    /// A local MAC aged out or its port went away (static MACs stay).
    pub fn local_gone(&mut self, vni: u32, mac: MacAddress) {
        let Some(v) = self.vnis.get_mut(&vni) else {
            return;
        };
        if v.local.get(&mac).is_some_and(|l| l.sticky) {
            return;
        }
        let mut out = std::mem::take(&mut self.out);
        v.withdraw_local(mac, &mut out);
        v.sync_mac(mac, &mut out);
        self.out = out;
    }

    /// A snooped binding `ip` → `mac` (learnt or changed).
    pub fn local_binding(&mut self, vni: u32, ip: IpAddr, mac: MacAddress) {
        let Some(v) = self.vnis.get_mut(&vni) else {
            return;
        };
        let mut out = std::mem::take(&mut self.out);
        // The address left another local MAC.
        let owners: Vec<MacAddress> = v
            .local
            .iter()
            .filter(|(m, l)| **m != mac && l.ips.contains(&ip))
            .map(|(m, _)| *m)
            .collect();
        for m in owners {
            if let Some(l) = v.local.get_mut(&m) {
                l.ips.remove(&ip);
            }
            out.push(Action::Withdraw(v.key(m, Some(ip))));
        }
        if let Some(l) = v.local.get_mut(&mac) {
            if l.ips.insert(ip) {
                let (seq, sticky) = (l.seq, l.sticky);
                let (r, a) = v.mac_route(mac, Some(ip), seq, sticky);
                out.push(Action::Originate(r, a));
            }
        }
        self.out = out;
    }

    /// A snooped binding aged out.
    pub fn local_binding_gone(&mut self, vni: u32, ip: IpAddr, mac: MacAddress) {
        let Some(v) = self.vnis.get_mut(&vni) else {
            return;
        };
        if let Some(l) = v.local.get_mut(&mac) {
            if l.ips.remove(&ip) {
                let k = v.key(mac, Some(ip));
                self.out.push(Action::Withdraw(k));
            }
        }
    }

    /// Bring VNI `vni`'s local MACs and their snooped addresses in line
    /// with the worker's tables after it lost events: `macs` are the MACs
    /// it has learnt on local ports, `bindings` its snooped IP → MAC
    /// bindings. MACs missing here are learnt (originated), local ones it
    /// no longer has are withdrawn (static MACs stay), and addresses
    /// follow the bindings. Returns (learnt, withdrawn) MAC counts.
    pub fn reconcile_local(
        &mut self,
        now: Duration,
        vni: u32,
        macs: &[MacAddress],
        bindings: &[(IpAddr, MacAddress)],
    ) -> (usize, usize) {
        let Some(v) = self.vnis.get(&vni) else {
            return (0, 0);
        };
        let want: BTreeSet<MacAddress> = macs.iter().copied().collect();
        let gone: Vec<MacAddress> = v
            .local
            .iter()
            .filter(|(m, l)| !l.sticky && !want.contains(m))
            .map(|(m, _)| *m)
            .collect();
        let new: Vec<MacAddress> = want
            .iter()
            .filter(|m| !v.local.contains_key(m))
            .copied()
            .collect();
        for m in &gone {
            self.local_gone(vni, *m);
        }
        let mut learnt = 0;
        for m in new {
            if self.local_learnt(now, vni, m) {
                learnt += 1;
            }
        }
        let want_ips: BTreeMap<IpAddr, MacAddress> = bindings.iter().copied().collect();
        let Some(v) = self.vnis.get(&vni) else {
            return (learnt, gone.len());
        };
        let stale: Vec<(IpAddr, MacAddress)> = v
            .local
            .iter()
            .flat_map(|(m, l)| l.ips.iter().map(move |ip| (*ip, *m)))
            .filter(|(ip, m)| want_ips.get(ip) != Some(m))
            .collect();
        let missing: Vec<(IpAddr, MacAddress)> = want_ips
            .iter()
            .filter(|(ip, m)| v.local.get(m).is_some_and(|l| !l.ips.contains(ip)))
            .map(|(ip, m)| (*ip, *m))
            .collect();
        for (ip, m) in stale {
            self.local_binding_gone(vni, ip, m);
        }
        for (ip, m) in missing {
            self.local_binding(vni, ip, m);
        }
        (learnt, gone.len())
    }

    /// The RIB installed `route` as best for `key` in table `vni`.
    pub fn rib_installed(
        &mut self,
        now: Duration,
        vni: u32,
        key: RouteKey,
        route: &Route,
        attrs: &PathAttrs,
        source: PathSource,
    ) {
        if source == PathSource::Local {
            // Our own path is best: nothing remote for this key.
            self.rib_withdrawn(vni, &key);
            return;
        }
        let dad = self.dad;
        let Some(v) = self.vnis.get_mut(&vni) else {
            return;
        };
        let mut out = std::mem::take(&mut self.out);
        match route {
            Route::Evpn(EvpnRoute::MacIp(m)) => {
                if let Some(vtep) = nh_ip(&attrs.next_hop) {
                    if vtep != v.cfg.local_ip {
                        let (seq, sticky) = mobility(attrs);
                        v.remote.entry(m.mac).or_default().insert(
                            key,
                            RemotePath {
                                vtep,
                                seq,
                                sticky,
                                ip: m.ip,
                            },
                        );
                        v.check_remote_wins(now, m.mac, dad, &mut out);
                        v.sync_mac(m.mac, &mut out);
                    }
                }
            }
            Route::Evpn(EvpnRoute::InclusiveMulticast(_)) => {
                let vtep = pmsi_endpoint(attrs).or_else(|| nh_ip(&attrs.next_hop));
                if let Some(vtep) = vtep {
                    if vtep != v.cfg.local_ip {
                        v.flood_paths.insert(key, vtep);
                        v.sync_flood(&mut out);
                    }
                }
            }
            _ => {}
        }
        self.out = out;
    }

    /// The RIB has no best path for `key` in table `vni` any more.
    pub fn rib_withdrawn(&mut self, vni: u32, key: &RouteKey) {
        let Some(v) = self.vnis.get_mut(&vni) else {
            return;
        };
        let mut out = std::mem::take(&mut self.out);
        match key {
            RouteKey::Evpn(EvpnKey::MacIp { mac, .. }) => {
                let mut removed = false;
                if let Some(m) = v.remote.get_mut(mac) {
                    removed = m.remove(key).is_some();
                    if m.is_empty() {
                        v.remote.remove(mac);
                    }
                }
                if removed {
                    v.sync_mac(*mac, &mut out);
                }
            }
            RouteKey::Evpn(EvpnKey::InclusiveMulticast { .. })
                if v.flood_paths.remove(key).is_some() =>
            {
                v.sync_flood(&mut out);
            }
            _ => {}
        }
        self.out = out;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;
    use vtepd_bgp_evpn::RouterId;

    const VNI: u32 = 100;
    const MAC: MacAddress = MacAddress([2, 0, 0, 0, 0, 0xa]);

    fn st() -> EvpnState {
        let vni = Vni::new(VNI).unwrap();
        let _ = RouterId(Ipv4Addr::new(10, 0, 0, 1));
        EvpnState::new(
            vec![VniSettings {
                vni,
                rd: RouteDistinguisher::Ipv4 {
                    addr: Ipv4Addr::new(10, 0, 0, 1),
                    number: 1,
                },
                export_rt: vec![RouteTarget::As2 {
                    asn: 65000,
                    value: 100,
                }],
                local_ip: "10.0.0.1".parse().unwrap(),
                static_macs: Vec::new(),
            }],
            Dad {
                max_moves: 3,
                window: Duration::from_secs(180),
            },
        )
    }

    fn remote(
        st: &mut EvpnState,
        t: u64,
        vtep: &str,
        rd_n: u16,
        seq: u32,
        ip: Option<&str>,
    ) -> RouteKey {
        let v = st.vnis.get(&VNI).unwrap();
        let ip = ip.map(|s| s.parse().unwrap());
        let (route, mut attrs) = v.mac_route(MAC, ip, seq, false);
        let Route::Evpn(EvpnRoute::MacIp(mut m)) = route else {
            unreachable!()
        };
        m.rd = RouteDistinguisher::Ipv4 {
            addr: vtep.parse().unwrap(),
            number: rd_n,
        };
        let vt: Ipv4Addr = vtep.parse().unwrap();
        attrs.next_hop = Some(NextHop::Ipv4(vt));
        let route = Route::Evpn(EvpnRoute::MacIp(m));
        let key = route.key();
        st.rib_installed(
            Duration::from_secs(t),
            VNI,
            key.clone(),
            &route,
            &attrs,
            PathSource::Peer(vtepd_bgp_evpn::rib::PeerId(0)),
        );
        key
    }

    fn dp(a: &[Action]) -> Vec<Control> {
        a.iter()
            .filter_map(|x| match x {
                Action::Dp(c) => Some(*c),
                _ => None,
            })
            .collect()
    }

    fn seqs(a: &[Action]) -> Vec<u32> {
        a.iter()
            .filter_map(|x| match x {
                Action::Originate(_, at) => Some(mobility(at).0),
                _ => None,
            })
            .collect()
    }

    /// After lost events the worker's listing wins: missing MACs and
    /// addresses are originated, vanished ones withdrawn, static MACs
    /// kept, and a second pass changes nothing.
    #[test]
    fn reconcile_local_follows_the_worker() {
        let mut s = st();
        let t = Duration::from_secs(1);
        let (a, b, c, stat) = (
            MacAddress([2, 0, 0, 0, 1, 1]),
            MacAddress([2, 0, 0, 0, 1, 2]),
            MacAddress([2, 0, 0, 0, 1, 3]),
            MacAddress([2, 0, 0, 0, 1, 4]),
        );
        let ip1: IpAddr = "192.168.1.1".parse().unwrap();
        let ip2: IpAddr = "192.168.1.2".parse().unwrap();
        s.local_learn(t, VNI, a);
        s.local_learn(t, VNI, b);
        s.local_binding(VNI, ip1, b);
        s.vnis.get_mut(&VNI).unwrap().local.insert(
            stat,
            LocalMac {
                seq: 0,
                sticky: true,
                ips: BTreeSet::new(),
            },
        );
        s.take_actions();

        // The worker has B (without ip1) and C (with ip2); A aged unseen.
        let got = s.reconcile_local(t, VNI, &[b, c], &[(ip2, c)]);
        assert_eq!(got, (1, 1));
        let mut orig: Vec<RouteKey> = Vec::new();
        let mut wd: Vec<RouteKey> = Vec::new();
        for x in s.take_actions() {
            match x {
                Action::Originate(r, _) => orig.push(r.key()),
                Action::Withdraw(key) => wd.push(key),
                Action::Dp(c) => panic!("no dataplane change expected: {c:?}"),
                Action::Warn(w) => panic!("no warning expected: {w}"),
            }
        }
        let v = s.vnis.get(&VNI).unwrap();
        let k = |m, ip| v.key(m, ip);
        assert_eq!(orig, vec![k(c, None), k(c, Some(ip2))]);
        assert_eq!(wd, vec![k(a, None), k(b, Some(ip1))]);
        assert_eq!(
            v.local.keys().copied().collect::<Vec<_>>(),
            vec![b, c, stat]
        );
        assert!(v.local[&b].ips.is_empty());
        assert_eq!(v.local[&c].ips, BTreeSet::from([ip2]));

        // Already in line: nothing to do.
        assert_eq!(s.reconcile_local(t, VNI, &[b, c], &[(ip2, c)]), (0, 0));
        assert!(s.take_actions().is_empty());
        // Unknown VNI: nothing.
        assert_eq!(s.reconcile_local(t, 7, &[a], &[]), (0, 0));
        assert!(s.take_actions().is_empty());
    }

    #[test]
    fn remote_install_binding_and_withdraw_exactly() {
        let mut s = st();
        let k1 = remote(&mut s, 0, "10.0.0.2", 1, 0, None);
        let k2 = remote(&mut s, 0, "10.0.0.2", 1, 0, Some("192.168.1.2"));
        let a = s.take_actions();
        let vni = wvni(Vni::new(VNI).unwrap()).unwrap();
        assert_eq!(
            dp(&a),
            vec![
                Control::InstallMac {
                    vni,
                    mac: eth(MAC),
                    vtep: "10.0.0.2".parse().unwrap()
                },
                Control::InstallBinding {
                    vni,
                    ip: "192.168.1.2".parse().unwrap(),
                    mac: eth(MAC)
                }
            ]
        );
        s.rib_withdrawn(VNI, &k2);
        assert_eq!(
            dp(&s.take_actions()),
            vec![Control::WithdrawBinding {
                vni,
                ip: "192.168.1.2".parse().unwrap()
            }]
        );
        s.rib_withdrawn(VNI, &k1);
        assert_eq!(
            dp(&s.take_actions()),
            vec![Control::WithdrawMac { vni, mac: eth(MAC) }]
        );
        assert!(s.vnis[&VNI].installed.is_empty());
    }

    #[test]
    fn mobility_local_outranks_then_higher_remote_wins() {
        let mut s = st();
        remote(&mut s, 0, "10.0.0.2", 1, 4, None);
        s.take_actions();
        // The host appears locally: advertised with 4 + 1, remote entry removed.
        s.local_learn(Duration::from_secs(1), VNI, MAC);
        let a = s.take_actions();
        assert_eq!(seqs(&a), vec![5]);
        assert!(matches!(dp(&a)[..], [Control::WithdrawMac { .. }]));
        // The other VTEP answers with 6: the MAC moves back, our route goes.
        remote(&mut s, 2, "10.0.0.2", 1, 6, None);
        let a = s.take_actions();
        assert!(a.iter().any(|x| matches!(x, Action::Withdraw(_))));
        assert!(matches!(dp(&a)[..], [Control::InstallMac { .. }]));
        assert!(s.vnis[&VNI].local.is_empty());
        // A lower sequence from elsewhere does not take a local MAC.
        s.local_learn(Duration::from_secs(3), VNI, MAC);
        s.take_actions();
        remote(&mut s, 4, "10.0.0.3", 1, 2, None);
        let a = s.take_actions();
        assert!(!a.iter().any(|x| matches!(x, Action::Withdraw(_))));
        assert!(s.vnis[&VNI].local.contains_key(&MAC));
    }

    #[test]
    fn equal_sequence_lower_address_wins() {
        let mut s = st();
        s.local_learn(Duration::ZERO, VNI, MAC);
        s.take_actions();
        // Same sequence from a higher address: the local MAC stays.
        remote(&mut s, 1, "10.0.0.9", 1, 0, None);
        s.take_actions();
        assert!(s.vnis[&VNI].local.contains_key(&MAC));
        // Same sequence from a lower address (we are 10.0.0.1): it moves.
        remote(&mut s, 2, "10.0.0.0", 1, 0, None);
        let a = s.take_actions();
        assert!(a.iter().any(|x| matches!(x, Action::Withdraw(_))));
        assert!(!s.vnis[&VNI].local.contains_key(&MAC));
    }

    #[test]
    fn duplicate_detection_freezes() {
        let mut s = st();
        let mut seq = 0;
        for t in 0..4u64 {
            remote(&mut s, t * 2, "10.0.0.2", 1, seq, None);
            seq += 2;
            s.local_learn(Duration::from_secs(t * 2 + 1), VNI, MAC);
            let l = s.vnis[&VNI].local.get(&MAC).map(|l| l.seq);
            if let Some(l) = l {
                seq = l + 1;
            }
        }
        let a = s.take_actions();
        assert!(a
            .iter()
            .any(|x| matches!(x, Action::Warn(w) if w.contains("duplicate"))));
        assert!(s.vnis[&VNI].frozen.contains(&MAC));
    }

    #[test]
    fn static_mac_is_sticky_never_ages_never_moves() {
        let mut s = st();
        let mut c = s.vnis[&VNI].cfg.clone();
        c.static_macs = vec![MAC];
        s = EvpnState::new(vec![c], s.dad);
        // Advertised at start with the sticky flag.
        let a = s.take_actions();
        let adv: Vec<(u32, bool)> = a
            .iter()
            .filter_map(|x| match x {
                Action::Originate(_, at) => Some(mobility(at)),
                _ => None,
            })
            .collect();
        assert_eq!(adv, vec![(0, true)]);
        // A higher sequence elsewhere does not move it; nothing installed.
        remote(&mut s, 1, "10.0.0.0", 1, 7, None);
        let a = s.take_actions();
        assert!(!a.iter().any(|x| matches!(x, Action::Withdraw(_))));
        assert!(dp(&a).is_empty());
        assert!(s.vnis[&VNI].local[&MAC].sticky);
        // Aging does not withdraw it.
        s.local_gone(VNI, MAC);
        assert!(s.take_actions().is_empty());
        assert!(s.vnis[&VNI].local.contains_key(&MAC));
        // A snooped address is advertised sticky too.
        s.local_binding(VNI, "192.168.1.5".parse().unwrap(), MAC);
        let a = s.take_actions();
        assert!(matches!(&a[..], [Action::Originate(_, at)] if mobility(at) == (0, true)));
    }

    #[test]
    fn stale_learnt_event_does_not_move_an_installed_mac() {
        let mut s = st();
        // Learnt here, then the other VTEP takes it with a higher sequence:
        // it is installed as remote.
        assert!(s.local_learnt(Duration::ZERO, VNI, MAC));
        remote(&mut s, 1, "10.0.0.2", 1, 5, None);
        s.take_actions();
        assert!(s.vnis[&VNI].installed.contains_key(&MAC));
        // A late `Learnt` event from before the installation: ignored.
        assert!(!s.local_learnt(Duration::from_secs(2), VNI, MAC));
        assert!(s.take_actions().is_empty());
        assert_eq!(s.vnis[&VNI].move_count, 1);
        // A shadowed entry (the host talks here now) is a real move.
        s.local_learn(Duration::from_secs(3), VNI, MAC);
        assert_eq!(seqs(&s.take_actions()), vec![6]);
        assert_eq!(s.vnis[&VNI].move_count, 2);
    }

    #[test]
    fn clear_dup_unfreezes_and_reweighs() {
        let mut s = st();
        let mut seq = 0;
        for t in 0..4u64 {
            remote(&mut s, t * 2, "10.0.0.2", 1, seq, None);
            seq += 2;
            s.local_learn(Duration::from_secs(t * 2 + 1), VNI, MAC);
            if let Some(l) = s.vnis[&VNI].local.get(&MAC) {
                seq = l.seq + 1;
            }
        }
        assert!(s.vnis[&VNI].frozen.contains(&MAC));
        // Frozen while local: a higher remote sequence is ignored.
        let was_local = s.vnis[&VNI].local.contains_key(&MAC);
        remote(&mut s, 9, "10.0.0.2", 1, seq + 10, None);
        assert_eq!(s.vnis[&VNI].local.contains_key(&MAC), was_local);
        s.take_actions();
        // Another VNI or MAC: nothing cleared.
        assert!(s.clear_dup(Duration::from_secs(10), 999, None).is_empty());
        assert!(s
            .clear_dup(
                Duration::from_secs(10),
                VNI,
                Some(MacAddress([2, 0, 0, 0, 0, 9]))
            )
            .is_empty());
        assert_eq!(
            s.clear_dup(Duration::from_secs(10), VNI, Some(MAC)),
            vec![MAC]
        );
        let v = &s.vnis[&VNI];
        assert!(v.frozen.is_empty());
        assert!(v.moves.get(&MAC).is_none_or(|q| q.len() <= 1));
        // The outranking remote path now holds the MAC.
        assert!(!v.local.contains_key(&MAC));
        assert_eq!(v.installed.get(&MAC), Some(&"10.0.0.2".parse().unwrap()));
        let a = s.take_actions();
        assert!(a
            .iter()
            .any(|x| matches!(x, Action::Warn(w) if w.contains("cleared"))));
    }

    #[test]
    fn sticky_never_moves_and_flood_list_follows_type3() {
        let mut s = st();
        let v = s.vnis.get(&VNI).unwrap();
        let (_, mut attrs) = v.mac_route(MAC, None, 0, false);
        attrs
            .attributes
            .push(vtepd_bgp_evpn::attr::PathAttribute::new(
                AttrValue::ExtendedCommunities(vec![ExtendedCommunity::MacMobility {
                    sticky: true,
                    sequence: 0,
                }]),
            ));
        // A sticky path (mobility parsed from the first ext-comm list
        // carrying it): build it directly.
        let mut paths = RemotePaths::default();
        paths.insert(
            RouteKey::Evpn(EvpnKey::MacIp {
                rd: RouteDistinguisher::As2 { asn: 1, number: 1 },
                tag: EthernetTag(0),
                mac: MAC,
                ip: None,
            }),
            RemotePath {
                vtep: "10.0.0.9".parse().unwrap(),
                seq: 0,
                sticky: true,
                ip: None,
            },
        );
        s.vnis.get_mut(&VNI).unwrap().remote.insert(MAC, paths);
        s.local_learn(Duration::ZERO, VNI, MAC);
        let a = s.take_actions();
        assert!(seqs(&a).is_empty());
        assert!(s.vnis[&VNI].local.is_empty());

        use vtepd_bgp_evpn::attr::PmsiTunnel;
        use vtepd_bgp_evpn::nlri::evpn::InclusiveMulticastEthernetTag;
        let r = Route::Evpn(EvpnRoute::InclusiveMulticast(
            InclusiveMulticastEthernetTag {
                rd: RouteDistinguisher::As2 { asn: 1, number: 1 },
                ethernet_tag: EthernetTag(0),
                originator: "10.0.0.2".parse().unwrap(),
            },
        ));
        let attrs = PathAttrs::local(
            NextHop::Ipv4(Ipv4Addr::new(10, 0, 0, 2)),
            vec![AttrValue::PmsiTunnel(PmsiTunnel {
                flags: 0,
                label: LabelField::from_vni(Vni::new(VNI).unwrap()),
                tunnel: PmsiTunnelId::IngressReplication("10.0.0.7".parse().unwrap()),
            })],
        );
        let key = r.key();
        s.rib_installed(
            Duration::ZERO,
            VNI,
            key.clone(),
            &r,
            &attrs,
            PathSource::Peer(vtepd_bgp_evpn::rib::PeerId(1)),
        );
        let vni = wvni(Vni::new(VNI).unwrap()).unwrap();
        assert_eq!(
            dp(&s.take_actions()),
            vec![Control::AddFlood {
                vni,
                vtep: "10.0.0.7".parse().unwrap()
            }]
        );
        s.rib_withdrawn(VNI, &key);
        assert_eq!(
            dp(&s.take_actions()),
            vec![Control::RemoveFlood {
                vni,
                vtep: "10.0.0.7".parse().unwrap()
            }]
        );
    }
}
