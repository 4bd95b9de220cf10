//! The MAC table of one bridge domain: MAC → where frames for it go.
//!
//! # Entries and who may change them
//!
//! Every entry has a [`EntryKind`]. The kinds rank, from strongest to weakest:
//!
//! 1. [`EntryKind::Static`]: configured by the operator. Never aged, never
//!    moved by learning, never replaced by the control plane
//!    ([`InstallError::StaticPresent`]); only [`MacTable::remove`] or another
//!    static install changes it.
//! 2. [`EntryKind::ControlPlane`]: installed by the control plane (an EVPN
//!    type-2 route). Never aged, never moved by learning; replaced by the next
//!    install or removed by [`MacTable::withdraw`].
//! 3. [`EntryKind::LearntLocal`] and [`EntryKind::LearntRemote`]: learnt from
//!    a frame's source address on a local port or (when the domain learns on
//!    decapsulated traffic) from the overlay. They age out, and a learnt MAC
//!    seen at another destination *moves* there. An install of either kind
//!    replaces a learnt entry.
//!
//! When learning sees a pinned (static or control-plane) MAC at another
//! destination, the entry is kept and a single [`MacEvent::Shadowed`] is
//! reported (once per entry until it is installed again), so the control
//! plane can resolve a real host move (EVPN MAC mobility, RFC 7432 §15) by
//! withdrawing its entry; learning then takes over on the next frame.
//!
//! # Bounds
//!
//! Learnt and installed entries have separate limits
//! ([`MacTableConfig::learn_limit`], [`MacTableConfig::install_limit`]): a
//! MAC flood can fill the learnt part and is then refused and counted
//! ([`MacCounters::learn_refused_full`]), but it can never take a slot from,
//! or evict, a control-plane or static entry. The hash map is allocated once
//! for both limits, so learning and looking up never allocate.
//!
//! # Events
//!
//! Learnt, moved, aged, flushed and shadowed MACs are queued as [`MacEvent`]s
//! for the control plane, which drains them with [`MacTable::poll_event`].
//! The queue is bounded ([`MacTableConfig::event_limit`]); when it overflows
//! the newest events are dropped, counted, and [`MacTable::take_resync`]
//! tells the control plane to re-read the whole table with
//! [`MacTable::iter`].
//!
//! # Time
//!
//! Time is an input ([`Timestamp`]). [`MacTable::expire`] removes learnt
//! entries not seen for [`MacTableConfig::age`]; the driver calls it
//! periodically or at [`MacTable::next_expiry`].

use core::net::IpAddr;
use core::time::Duration;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, VecDeque};

use vtepd_wire::EthernetAddress;

use crate::time::Timestamp;

/// A local (access) port of the switch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PortId(pub u16);

/// Where frames for a MAC go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Destination {
    /// Out of a local port.
    Local(PortId),
    /// VXLAN-encapsulated to a remote VTEP.
    Remote(IpAddr),
}

/// Who created an entry; decides aging and precedence (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryKind {
    /// Learnt from a frame's source on a local port.
    LearntLocal,
    /// Learnt from a decapsulated frame's source (data-plane learning).
    LearntRemote,
    /// Configured by the operator.
    Static,
    /// Installed by the control plane (EVPN type-2).
    ControlPlane,
}

impl EntryKind {
    /// Learnt entries age, move, and count against the learn limit.
    pub const fn is_learnt(self) -> bool {
        matches!(self, EntryKind::LearntLocal | EntryKind::LearntRemote)
    }

    fn learnt_for(dest: Destination) -> EntryKind {
        match dest {
            Destination::Local(_) => EntryKind::LearntLocal,
            Destination::Remote(_) => EntryKind::LearntRemote,
        }
    }
}

/// One MAC table entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MacEntry {
    dest: Destination,
    kind: EntryKind,
    last_seen: Timestamp,
    /// A [`MacEvent::Shadowed`] was already reported for this entry.
    shadow_reported: bool,
}

impl MacEntry {
    /// Where frames for the MAC go.
    pub fn destination(&self) -> Destination {
        self.dest
    }

    /// Who created the entry.
    pub fn kind(&self) -> EntryKind {
        self.kind
    }

    /// When a frame from this MAC was last seen at its destination (or when
    /// the entry was installed).
    pub fn last_seen(&self) -> Timestamp {
        self.last_seen
    }
}

/// A change the control plane should hear about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MacEvent {
    /// A new MAC was learnt.
    Learnt {
        /// The MAC.
        mac: EthernetAddress,
        /// Where it was seen.
        dest: Destination,
        /// [`EntryKind::LearntLocal`] or [`EntryKind::LearntRemote`].
        kind: EntryKind,
    },
    /// A learnt MAC was seen at another destination and moved there.
    Moved {
        /// The MAC.
        mac: EthernetAddress,
        /// Its previous destination.
        from: Destination,
        /// Its new destination.
        to: Destination,
        /// The entry's kind after the move.
        kind: EntryKind,
    },
    /// A learnt MAC was not seen for the aging time and was removed.
    Aged {
        /// The MAC.
        mac: EthernetAddress,
        /// Where it was.
        dest: Destination,
        /// Its kind.
        kind: EntryKind,
    },
    /// Learnt entries were removed because their port or VTEP went away
    /// ([`MacTable::flush_port`], [`MacTable::flush_remote`]).
    Flushed {
        /// The MAC.
        mac: EthernetAddress,
        /// Where it was.
        dest: Destination,
        /// Its kind.
        kind: EntryKind,
    },
    /// Learning saw a static or control-plane MAC at another destination;
    /// the entry was kept.
    Shadowed {
        /// The MAC.
        mac: EthernetAddress,
        /// The pinned entry's destination.
        installed: Destination,
        /// Where the frame came from.
        seen: Destination,
        /// The pinned entry's kind.
        kind: EntryKind,
    },
}

/// What [`MacTable::learn`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LearnOutcome {
    /// The MAC was known at this destination; its timestamp was refreshed.
    Refreshed,
    /// A new entry was created.
    Learnt,
    /// A learnt entry moved from the given destination.
    Moved(Destination),
    /// A static or control-plane entry for the MAC points elsewhere; it was
    /// kept.
    Pinned,
}

/// Why [`MacTable::learn`] refused a source address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum LearnError {
    /// A multicast, broadcast or all-zero source address.
    #[error("source MAC is not a unicast address")]
    BadSource,
    /// The learnt part of the table is full.
    #[error("MAC table full")]
    TableFull,
}

/// Why an install was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum InstallError {
    /// A group or all-zero MAC cannot be a unicast table entry.
    #[error("MAC is not a unicast address")]
    BadMac,
    /// The installed part of the table is full.
    #[error("installed-entry limit reached")]
    TableFull,
    /// A static entry for the MAC exists; the control plane cannot replace it.
    #[error("a static entry exists for this MAC")]
    StaticPresent,
}

/// Limits and timers of a MAC table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MacTableConfig {
    /// Most learnt entries (local and remote together).
    pub learn_limit: usize,
    /// Most static plus control-plane entries.
    pub install_limit: usize,
    /// Aging time of learnt entries; `None` disables aging.
    pub age: Option<Duration>,
    /// Most queued events before they are dropped and a resync is requested.
    pub event_limit: usize,
}

impl Default for MacTableConfig {
    /// 4096 learnt, 4096 installed, 300 s aging (the IEEE 802.1Q default),
    /// 1024 queued events.
    fn default() -> Self {
        MacTableConfig {
            learn_limit: 4096,
            install_limit: 4096,
            age: Some(Duration::from_secs(300)),
            event_limit: 1024,
        }
    }
}

/// Counters of a MAC table (snapshots by copy).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MacCounters {
    /// New MACs refused because the learnt part was full.
    pub learn_refused_full: u64,
    /// Sources refused as non-unicast.
    pub learn_refused_bad_source: u64,
    /// Learnt MACs that moved.
    pub moves: u64,
    /// Frames whose source was pinned elsewhere by a static/control-plane entry.
    pub pinned_conflicts: u64,
    /// Learnt entries removed by aging.
    pub aged: u64,
    /// Installs refused.
    pub install_refused: u64,
    /// Events dropped because the queue was full.
    pub events_lost: u64,
}

/// A bounded MAC table (see the module docs).
#[derive(Debug)]
pub struct MacTable {
    cfg: MacTableConfig,
    map: HashMap<EthernetAddress, MacEntry>,
    learnt: usize,
    installed: usize,
    events: VecDeque<MacEvent>,
    resync: bool,
    counters: MacCounters,
}

impl MacTable {
    /// An empty table with all its memory allocated up front.
    pub fn new(cfg: MacTableConfig) -> MacTable {
        MacTable {
            cfg,
            map: HashMap::with_capacity(cfg.learn_limit.saturating_add(cfg.install_limit)),
            learnt: 0,
            installed: 0,
            events: VecDeque::with_capacity(cfg.event_limit),
            resync: false,
            counters: MacCounters::default(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &MacTableConfig {
        &self.cfg
    }

    /// Change the aging time (applies at the next [`expire`](Self::expire)).
    pub fn set_age(&mut self, age: Option<Duration>) {
        self.cfg.age = age;
    }

    /// Where frames for `mac` go, if known.
    #[inline]
    pub fn lookup(&self, mac: &EthernetAddress) -> Option<Destination> {
        self.map.get(mac).map(|e| e.dest)
    }

    /// The full entry for `mac`.
    pub fn get(&self, mac: &EthernetAddress) -> Option<&MacEntry> {
        self.map.get(mac)
    }

    /// Learn that a frame with source `mac` arrived from `dest` at `now`.
    ///
    /// Never allocates. See the module docs for precedence and bounds.
    pub fn learn(
        &mut self,
        now: Timestamp,
        mac: EthernetAddress,
        dest: Destination,
    ) -> Result<LearnOutcome, LearnError> {
        if !mac.is_unicast() {
            self.counters.learn_refused_bad_source += 1;
            return Err(LearnError::BadSource);
        }
        let kind = EntryKind::learnt_for(dest);
        match self.map.get_mut(&mac) {
            Some(e) if e.dest == dest => {
                e.last_seen = now;
                if e.kind.is_learnt() {
                    // Same destination, so same kind: nothing to report.
                    e.kind = kind;
                }
                Ok(LearnOutcome::Refreshed)
            }
            Some(e) if e.kind.is_learnt() => {
                let from = e.dest;
                e.dest = dest;
                e.kind = kind;
                e.last_seen = now;
                self.counters.moves += 1;
                self.push_event(MacEvent::Moved {
                    mac,
                    from,
                    to: dest,
                    kind,
                });
                Ok(LearnOutcome::Moved(from))
            }
            Some(e) => {
                self.counters.pinned_conflicts += 1;
                if !e.shadow_reported {
                    e.shadow_reported = true;
                    let ev = MacEvent::Shadowed {
                        mac,
                        installed: e.dest,
                        seen: dest,
                        kind: e.kind,
                    };
                    self.push_event(ev);
                }
                Ok(LearnOutcome::Pinned)
            }
            None => {
                if self.learnt >= self.cfg.learn_limit {
                    self.counters.learn_refused_full += 1;
                    return Err(LearnError::TableFull);
                }
                self.map.insert(
                    mac,
                    MacEntry {
                        dest,
                        kind,
                        last_seen: now,
                        shadow_reported: false,
                    },
                );
                self.learnt += 1;
                self.push_event(MacEvent::Learnt { mac, dest, kind });
                Ok(LearnOutcome::Learnt)
            }
        }
    }

    /// Install a control-plane entry (EVPN type-2). Replaces a learnt or
    /// control-plane entry; refuses to replace a static one. Returns the
    /// entry it replaced.
    pub fn install(
        &mut self,
        now: Timestamp,
        mac: EthernetAddress,
        dest: Destination,
    ) -> Result<Option<MacEntry>, InstallError> {
        self.install_kind(now, mac, dest, EntryKind::ControlPlane)
    }

    /// Install a static (operator) entry. Replaces any entry. Returns the
    /// entry it replaced.
    pub fn install_static(
        &mut self,
        now: Timestamp,
        mac: EthernetAddress,
        dest: Destination,
    ) -> Result<Option<MacEntry>, InstallError> {
        self.install_kind(now, mac, dest, EntryKind::Static)
    }

    fn install_kind(
        &mut self,
        now: Timestamp,
        mac: EthernetAddress,
        dest: Destination,
        kind: EntryKind,
    ) -> Result<Option<MacEntry>, InstallError> {
        if !mac.is_unicast() {
            self.counters.install_refused += 1;
            return Err(InstallError::BadMac);
        }
        let new = MacEntry {
            dest,
            kind,
            last_seen: now,
            shadow_reported: false,
        };
        let installed_full = self.installed >= self.cfg.install_limit;
        match self.map.entry(mac) {
            Entry::Occupied(mut o) => {
                let old = *o.get();
                if old.kind == EntryKind::Static && kind != EntryKind::Static {
                    self.counters.install_refused += 1;
                    return Err(InstallError::StaticPresent);
                }
                if old.kind.is_learnt() {
                    if installed_full {
                        self.counters.install_refused += 1;
                        return Err(InstallError::TableFull);
                    }
                    self.learnt -= 1;
                    self.installed += 1;
                }
                o.insert(new);
                Ok(Some(old))
            }
            Entry::Vacant(v) => {
                if installed_full {
                    self.counters.install_refused += 1;
                    return Err(InstallError::TableFull);
                }
                v.insert(new);
                self.installed += 1;
                Ok(None)
            }
        }
    }

    /// Remove a control-plane entry for `mac` (an EVPN type-2 withdrawal).
    /// Learnt and static entries are left alone. Returns the removed entry.
    pub fn withdraw(&mut self, mac: &EthernetAddress) -> Option<MacEntry> {
        match self.map.get(mac) {
            Some(e) if e.kind == EntryKind::ControlPlane => self.remove(mac),
            _ => None,
        }
    }

    /// Remove the entry for `mac`, whatever its kind. Returns it.
    pub fn remove(&mut self, mac: &EthernetAddress) -> Option<MacEntry> {
        let e = self.map.remove(mac)?;
        if e.kind.is_learnt() {
            self.learnt -= 1;
        } else {
            self.installed -= 1;
        }
        Some(e)
    }

    /// Remove every learnt entry on local port `port` (port down or removed),
    /// reporting each as [`MacEvent::Flushed`]. Returns how many.
    pub fn flush_port(&mut self, port: PortId) -> usize {
        self.flush_where(|d| d == Destination::Local(port))
    }

    /// Remove every learnt entry pointing at `vtep` (VTEP gone), reporting
    /// each as [`MacEvent::Flushed`]. Returns how many.
    pub fn flush_remote(&mut self, vtep: IpAddr) -> usize {
        self.flush_where(|d| d == Destination::Remote(vtep))
    }

    fn flush_where(&mut self, pred: impl Fn(Destination) -> bool) -> usize {
        let mut removed = 0usize;
        let events = &mut self.events;
        let limit = self.cfg.event_limit;
        let mut lost = 0u64;
        self.map.retain(|mac, e| {
            if e.kind.is_learnt() && pred(e.dest) {
                removed += 1;
                push_bounded(
                    events,
                    limit,
                    &mut lost,
                    MacEvent::Flushed {
                        mac: *mac,
                        dest: e.dest,
                        kind: e.kind,
                    },
                );
                false
            } else {
                true
            }
        });
        self.learnt -= removed;
        self.note_lost(lost);
        removed
    }

    /// Remove learnt entries last seen `age` or longer before `now`,
    /// reporting each as [`MacEvent::Aged`]. Returns how many. O(entries);
    /// never allocates.
    pub fn expire(&mut self, now: Timestamp) -> usize {
        let Some(age) = self.cfg.age else {
            return 0;
        };
        let mut removed = 0usize;
        let events = &mut self.events;
        let limit = self.cfg.event_limit;
        let mut lost = 0u64;
        self.map.retain(|mac, e| {
            if e.kind.is_learnt() && now.saturating_since(e.last_seen) >= age {
                removed += 1;
                push_bounded(
                    events,
                    limit,
                    &mut lost,
                    MacEvent::Aged {
                        mac: *mac,
                        dest: e.dest,
                        kind: e.kind,
                    },
                );
                false
            } else {
                true
            }
        });
        self.learnt -= removed;
        self.counters.aged += removed as u64;
        self.note_lost(lost);
        removed
    }

    /// The earliest time at which [`expire`](Self::expire) will remove
    /// something, or `None` if no entry can age. O(entries).
    pub fn next_expiry(&self) -> Option<Timestamp> {
        let age = self.cfg.age?;
        self.map
            .values()
            .filter(|e| e.kind.is_learnt())
            .map(|e| e.last_seen.saturating_add(age))
            .min()
    }

    /// The next queued event.
    pub fn poll_event(&mut self) -> Option<MacEvent> {
        self.events.pop_front()
    }

    /// Whether events were lost since the last call (and clear the flag). If
    /// true, the control plane should re-read the table with
    /// [`iter`](Self::iter).
    pub fn take_resync(&mut self) -> bool {
        core::mem::take(&mut self.resync)
    }

    /// Every entry, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&EthernetAddress, &MacEntry)> + '_ {
        self.map.iter()
    }

    /// Number of entries of every kind.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Number of learnt entries.
    pub fn learnt_len(&self) -> usize {
        self.learnt
    }

    /// Number of static and control-plane entries.
    pub fn installed_len(&self) -> usize {
        self.installed
    }

    /// A snapshot of the counters.
    pub fn counters(&self) -> MacCounters {
        self.counters
    }

    fn push_event(&mut self, ev: MacEvent) {
        let mut lost = 0;
        push_bounded(&mut self.events, self.cfg.event_limit, &mut lost, ev);
        self.note_lost(lost);
    }

    fn note_lost(&mut self, lost: u64) {
        if lost > 0 {
            self.counters.events_lost += lost;
            self.resync = true;
        }
    }
}

fn push_bounded(q: &mut VecDeque<MacEvent>, limit: usize, lost: &mut u64, ev: MacEvent) {
    if q.len() < limit {
        q.push_back(ev);
    } else {
        *lost += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::net::Ipv4Addr;

    fn mac(n: u32) -> EthernetAddress {
        let b = n.to_be_bytes();
        EthernetAddress([0x02, 0x00, b[0], b[1], b[2], b[3]])
    }
    const P1: Destination = Destination::Local(PortId(1));
    const P2: Destination = Destination::Local(PortId(2));
    fn vtep(n: u8) -> Destination {
        Destination::Remote(IpAddr::V4(Ipv4Addr::new(192, 0, 2, n)))
    }
    fn t(ms: u64) -> Timestamp {
        Timestamp(ms)
    }
    fn cfg(learn: usize, install: usize) -> MacTableConfig {
        MacTableConfig {
            learn_limit: learn,
            install_limit: install,
            age: Some(Duration::from_secs(300)),
            event_limit: 64,
        }
    }
    fn drain(t: &mut MacTable) -> Vec<MacEvent> {
        core::iter::from_fn(|| t.poll_event()).collect()
    }

    #[test]
    fn learn_refresh_and_lookup() {
        let mut tb = MacTable::new(cfg(8, 8));
        assert_eq!(tb.learn(t(0), mac(1), P1), Ok(LearnOutcome::Learnt));
        assert_eq!(tb.learn(t(10), mac(1), P1), Ok(LearnOutcome::Refreshed));
        assert_eq!(tb.lookup(&mac(1)), Some(P1));
        assert_eq!(tb.get(&mac(1)).unwrap().last_seen(), t(10));
        assert_eq!(tb.get(&mac(1)).unwrap().kind(), EntryKind::LearntLocal);
        assert_eq!(tb.lookup(&mac(2)), None);
        assert_eq!(
            drain(&mut tb),
            vec![MacEvent::Learnt {
                mac: mac(1),
                dest: P1,
                kind: EntryKind::LearntLocal
            }]
        );
    }

    #[test]
    fn bad_sources_refused() {
        let mut tb = MacTable::new(cfg(8, 8));
        for m in [
            EthernetAddress::BROADCAST,
            EthernetAddress::ZERO,
            EthernetAddress([0x01, 0, 0x5e, 0, 0, 1]),
        ] {
            assert_eq!(tb.learn(t(0), m, P1), Err(LearnError::BadSource));
            assert_eq!(tb.install(t(0), m, vtep(1)), Err(InstallError::BadMac));
        }
        assert!(tb.is_empty());
        assert_eq!(tb.counters().learn_refused_bad_source, 3);
    }

    #[test]
    fn moves_between_ports_and_overlay() {
        let mut tb = MacTable::new(cfg(8, 8));
        tb.learn(t(0), mac(1), P1).unwrap();
        assert_eq!(tb.learn(t(1), mac(1), P2), Ok(LearnOutcome::Moved(P1)));
        assert_eq!(tb.learn(t(2), mac(1), vtep(7)), Ok(LearnOutcome::Moved(P2)));
        assert_eq!(tb.get(&mac(1)).unwrap().kind(), EntryKind::LearntRemote);
        assert_eq!(tb.learnt_len(), 1);
        assert_eq!(tb.counters().moves, 2);
        let ev = drain(&mut tb);
        assert_eq!(ev.len(), 3);
        assert_eq!(
            ev[2],
            MacEvent::Moved {
                mac: mac(1),
                from: P2,
                to: vtep(7),
                kind: EntryKind::LearntRemote
            }
        );
    }

    #[test]
    fn aging_on_virtual_clock() {
        let mut tb = MacTable::new(cfg(8, 8));
        tb.learn(t(0), mac(1), P1).unwrap();
        tb.learn(t(100_000), mac(2), P2).unwrap();
        tb.install(t(0), mac(3), vtep(1)).unwrap();
        tb.install_static(t(0), mac(4), P1).unwrap();
        drain(&mut tb);
        assert_eq!(tb.next_expiry(), Some(t(300_000)));
        assert_eq!(tb.expire(t(299_999)), 0);
        // mac(1) refreshed just in time.
        tb.learn(t(299_999), mac(1), P1).unwrap();
        assert_eq!(tb.expire(t(300_000)), 0);
        assert_eq!(tb.next_expiry(), Some(t(400_000)));
        assert_eq!(tb.expire(t(400_000)), 1);
        assert_eq!(
            drain(&mut tb),
            vec![MacEvent::Aged {
                mac: mac(2),
                dest: P2,
                kind: EntryKind::LearntLocal
            }]
        );
        assert_eq!(tb.expire(t(10_000_000)), 1);
        // Installed entries never age.
        assert_eq!(tb.len(), 2);
        assert_eq!(tb.learnt_len(), 0);
        assert_eq!(tb.next_expiry(), None);
        assert_eq!(tb.counters().aged, 2);
        tb.set_age(None);
        tb.learn(t(0), mac(5), P1).unwrap();
        assert_eq!(tb.expire(t(u64::MAX)), 0);
    }

    #[test]
    fn limit_refuses_and_keeps_installed_entries() {
        let mut tb = MacTable::new(cfg(4, 2));
        tb.install(t(0), mac(100), vtep(1)).unwrap();
        tb.install_static(t(0), mac(101), P1).unwrap();
        for i in 0..4 {
            tb.learn(t(0), mac(i), P1).unwrap();
        }
        for i in 1000..1996 {
            assert_eq!(tb.learn(t(1), mac(i), P2), Err(LearnError::TableFull));
        }
        assert_eq!(tb.counters().learn_refused_full, 996);
        assert_eq!(tb.len(), 6);
        assert_eq!(tb.lookup(&mac(100)), Some(vtep(1)));
        assert_eq!(tb.lookup(&mac(101)), Some(P1));
        // Known MACs still refresh and move while full.
        assert_eq!(tb.learn(t(2), mac(0), P1), Ok(LearnOutcome::Refreshed));
        assert_eq!(tb.learn(t(2), mac(1), P2), Ok(LearnOutcome::Moved(P1)));
        // Installs have their own room: the third is refused.
        assert_eq!(
            tb.install(t(0), mac(102), vtep(2)),
            Err(InstallError::TableFull)
        );
        // Replacing an existing installed entry is fine when full.
        assert!(tb.install(t(0), mac(100), vtep(3)).unwrap().is_some());
        // A withdrawal frees a slot.
        assert!(tb.withdraw(&mac(100)).is_some());
        assert!(tb.install(t(0), mac(102), vtep(2)).unwrap().is_none());
    }

    #[test]
    fn precedence_static_over_control_plane_over_learnt() {
        let mut tb = MacTable::new(cfg(8, 8));
        tb.learn(t(0), mac(1), P1).unwrap();
        // Control plane replaces a learnt entry.
        let old = tb.install(t(1), mac(1), vtep(1)).unwrap().unwrap();
        assert_eq!(old.kind(), EntryKind::LearntLocal);
        assert_eq!((tb.learnt_len(), tb.installed_len()), (0, 1));
        // Learning does not overwrite it; one Shadowed event only.
        drain(&mut tb);
        assert_eq!(tb.learn(t(2), mac(1), P2), Ok(LearnOutcome::Pinned));
        assert_eq!(tb.learn(t(3), mac(1), P2), Ok(LearnOutcome::Pinned));
        assert_eq!(tb.lookup(&mac(1)), Some(vtep(1)));
        assert_eq!(
            drain(&mut tb),
            vec![MacEvent::Shadowed {
                mac: mac(1),
                installed: vtep(1),
                seen: P2,
                kind: EntryKind::ControlPlane
            }]
        );
        assert_eq!(tb.counters().pinned_conflicts, 2);
        // Static replaces control plane; control plane cannot replace static.
        tb.install_static(t(4), mac(1), P1).unwrap();
        assert_eq!(
            tb.install(t(5), mac(1), vtep(2)),
            Err(InstallError::StaticPresent)
        );
        assert_eq!(tb.lookup(&mac(1)), Some(P1));
        // Withdraw leaves a static entry alone.
        assert!(tb.withdraw(&mac(1)).is_none());
        assert_eq!(tb.remove(&mac(1)).unwrap().kind(), EntryKind::Static);
        assert!(tb.is_empty());
        assert_eq!((tb.learnt_len(), tb.installed_len()), (0, 0));
    }

    #[test]
    fn withdraw_then_learning_takes_over() {
        let mut tb = MacTable::new(cfg(8, 8));
        tb.install(t(0), mac(1), vtep(1)).unwrap();
        assert_eq!(tb.learn(t(1), mac(1), P1), Ok(LearnOutcome::Pinned));
        tb.withdraw(&mac(1)).unwrap();
        assert_eq!(tb.learn(t(2), mac(1), P1), Ok(LearnOutcome::Learnt));
        assert_eq!(tb.lookup(&mac(1)), Some(P1));
    }

    #[test]
    fn flush_port_and_remote() {
        let mut tb = MacTable::new(cfg(8, 8));
        tb.learn(t(0), mac(1), P1).unwrap();
        tb.learn(t(0), mac(2), P1).unwrap();
        tb.learn(t(0), mac(3), P2).unwrap();
        tb.learn(t(0), mac(4), vtep(9)).unwrap();
        tb.install_static(t(0), mac(5), P1).unwrap();
        drain(&mut tb);
        assert_eq!(tb.flush_port(PortId(1)), 2);
        assert_eq!(tb.flush_remote(vtep_ip(9)), 1);
        assert_eq!(tb.len(), 2);
        assert_eq!(tb.learnt_len(), 1);
        let ev = drain(&mut tb);
        assert_eq!(ev.len(), 3);
        assert!(ev.iter().all(|e| matches!(e, MacEvent::Flushed { .. })));
    }

    fn vtep_ip(n: u8) -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(192, 0, 2, n))
    }

    #[test]
    fn event_overflow_requests_resync() {
        let mut tb = MacTable::new(MacTableConfig {
            event_limit: 3,
            ..cfg(16, 0)
        });
        for i in 0..5 {
            tb.learn(t(0), mac(i), P1).unwrap();
        }
        assert_eq!(tb.counters().events_lost, 2);
        assert!(tb.take_resync());
        assert!(!tb.take_resync());
        assert_eq!(drain(&mut tb).len(), 3);
        assert_eq!(tb.iter().count(), 5);
    }

    proptest::proptest! {
        /// Against a model: counts stay consistent, limits hold, installed
        /// entries survive any sequence of learning and aging.
        #[test]
        fn invariants_hold(ops in proptest::collection::vec((0u8..6, 0u32..24, 0u8..4, 0u64..1000), 0..300)) {
            let mut tb = MacTable::new(MacTableConfig {
                learn_limit: 8,
                install_limit: 4,
                age: Some(Duration::from_millis(400)),
                event_limit: 16,
            });
            let mut now = 0u64;
            let mut pinned: std::collections::HashMap<EthernetAddress, Destination> = Default::default();
            for (op, m, d, dt) in ops {
                now += dt;
                let dest = if d < 2 { Destination::Local(PortId(u16::from(d))) } else { vtep(d) };
                let m = mac(m);
                match op {
                    0 | 1 => { let _ = tb.learn(t(now), m, dest); }
                    2 => {
                        if tb.install(t(now), m, dest).is_ok() { pinned.insert(m, dest); }
                    }
                    3 => {
                        if tb.withdraw(&m).is_some() { pinned.remove(&m); }
                    }
                    4 => { tb.expire(t(now)); }
                    _ => { while tb.poll_event().is_some() {} }
                }
                let learnt = tb.iter().filter(|(_, e)| e.kind().is_learnt()).count();
                proptest::prop_assert_eq!(learnt, tb.learnt_len());
                proptest::prop_assert_eq!(tb.len() - learnt, tb.installed_len());
                proptest::prop_assert!(tb.learnt_len() <= 8);
                proptest::prop_assert!(tb.installed_len() <= 4);
                for (pm, pd) in &pinned {
                    proptest::prop_assert_eq!(tb.lookup(pm), Some(*pd));
                }
            }
        }
    }
}
