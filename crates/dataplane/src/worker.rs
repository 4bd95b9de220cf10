//! The forwarding loop: [`WorkerConfig::workers`] threads (default: one per
//! core) that share a [`Switch`] (the bridge domains) and move frames
//! between the access ports and the underlay in batches.
//!
//! # Threads
//!
//! Every thread has its own descriptors: an underlay UDP socket bound to
//! the VXLAN port with `SO_REUSEPORT` (the kernel spreads remote VTEPs'
//! flows over the group by their UDP source ports), one queue of every TAP
//! port (`IFF_MULTI_QUEUE`: the kernel spreads the host's flows by hash)
//! and one AF_PACKET socket per interface in a `PACKET_FANOUT` hash group.
//! So each flow is handled by one thread and stays in order. They share:
//!
//! - the switch, behind a mutex taken for one forwarding decision (and the
//!   in-place encapsulation) at a time and never across a system call;
//! - the source-port sockets ([`WorkerConfig::source_sockets`]): send-only
//!   UDP sockets bound to distinct ports of [`VxlanConfig::source_ports`];
//!   a frame leaves from the one its inner flow hash picks, so outer
//!   packets carry per-flow source ports (RFC 7348 §5) for ECMP and for
//!   the receiving VTEP's spreading.
//!
//! Outer ECN (RFC 6040, normal mode): every underlay message carries the
//! inner packet's ECN codepoint in its outer header (an `IP_TOS` /
//! `IPV6_TCLASS` control message; GSO trains never mix codepoints), and a
//! received outer CE or ECT(1) is folded into the inner header before the
//! frame is bridged ([`crate::vxlan::decap_ecn`]; an inner Not-ECT packet
//! under CE is dropped as [`crate::DropReason::EcnNotEct`]).
//!
//! The first thread also applies [`Control`] messages (it polls an eventfd
//! that [`WorkerHandle::control`] signals), ages the MAC tables and hands
//! MAC and binding events over; [`WorkerHandle::snapshot`] sums the
//! threads' I/O counters.
//!
//! # Loop
//!
//! 1. (First thread) apply pending [`Control`] messages (install/withdraw
//!    remote MACs, flood-list changes) from the [`WorkerHandle`]'s channel.
//! 2. `poll` every port and the UDP socket (100 ms timeout).
//! 3. For each readable port: receive a batch; complete partial checksums
//!    and cut TSO super-frames into segments; ask the switch where each
//!    frame goes; encapsulate in place once per frame; queue it for the
//!    underlay and/or for other ports. Then flush the queues: underlay
//!    messages in `sendmmsg` calls, where consecutive segments of one
//!    super-frame to one VTEP become a single `UDP_SEGMENT` (GSO) message;
//!    port frames with `sendmmsg` (AF_PACKET) or `writev` (TAP).
//!    Super-frames from access ports ([`WorkerConfig::gather`], on by
//!    default) are cut without copying payloads: only each segment's
//!    headers are written into a scratch buffer (VXLAN headroom in front),
//!    the GSO message gathers them with the payloads still in the receive
//!    buffer, and local ports get the super-frame itself, once. Otherwise
//!    (trunks present) whole segments are written into the scratch.
//! 4. For a readable UDP socket: receive a batch, split GRO messages into
//!    datagrams, decapsulate and forward to ports (split horizon).
//!    Consecutive TCP segments of one flow to one port are coalesced into
//!    a super-frame ([`TcpCoalescer`]) and handed to the port with GSO
//!    metadata in its virtio-net header, so the host behind it receives
//!    one 64 KiB frame instead of dozens (what the kernel's GRO does for
//!    its own VXLAN).
//! 5. Every 500 ms: age MAC tables, publish a [`Snapshot`] of every
//!    counter; every 100 ms: drain MAC and binding events into their
//!    channels.
//!
//! The queues hold byte ranges into the receive buffers, never copies; the
//! buffers are allocated when the worker starts. Nothing allocates per
//! packet. The clock is read once per loop turn and given to the sans-IO
//! switch as a [`Timestamp`] (this driver is the one place that reads it).
//!
//! # Known limits
//!
//! - Source ports: a flow's outer source port is one of the
//!   `source_sockets` bound ports (the flow hash picks the socket), not
//!   the hashed port itself: entropy over 16 ports by default, not 16 K.
//! - Threads serialise on the switch mutex for each decision (short; a
//!   MAC table of concurrent maps would remove it).
//! - 802.1Q trunks ([`WorkerConfig::trunks`]): a frame leaving a trunk is
//!   copied with its tag into a scratch buffer (the untagged frame may
//!   still be queued for other ports or the overlay), so trunk egress costs
//!   one copy per frame; copies that do not fit the scratch are counted in
//!   [`PortIo::tx_dropped`]. Tagged TSO super-frames from a trunk are not
//!   segmented (counted in [`PortIo::offload_errors`]); decapsulated TCP
//!   segments to a trunk are not coalesced. On AF_PACKET trunks the tag
//!   the kernel hands over as metadata (`PACKET_AUXDATA`) is put back into
//!   the frame on receive, which moves the frame by 4 bytes (one copy).
//! - Inner checksums must be complete on the wire. A kernel VTEP whose
//!   underlay is a veth with transmit checksum offload leaves them partial
//!   inside the VXLAN payload (veth carries the offload metadata across,
//!   a real wire never would); a UDP socket cannot see that metadata, so
//!   such a peer needs `ethtool -K DEV tx off` on its underlay.
//! - The UDP receive path relies on the kernel's UDP GRO; TCP coalescing
//!   keeps one super-frame open at a time (flows interleaved datagram by
//!   datagram are delivered as single frames).

use std::collections::VecDeque;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::ops::Range;
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use vtepd_wire::vxlan::Vni;
use vtepd_wire::EthernetAddress;

use crate::bridge::{BridgeConfig, Forward, Outcome};
use crate::mac_table::{Destination, EntryKind, MacEvent, PortId};
use crate::stats::VniStats;
use crate::suppress::{BindingEvent, BindingKind};
use crate::switch::{PortMode, Switch, SwitchStats};
use crate::sys::udp::{sender_pool, UdpTxV, MAX_PARTS};
use crate::sys::udp::{MAX_GSO_BYTES, MAX_GSO_SEGMENTS};
use crate::sys::vnet::{self, TcpCoalescer, VnetHdr, VNET_HDR_LEN};
use crate::sys::{
    self, EventFd, PacketSocket, RecvBatch, Tap, TxFrame, UdpOptions, UdpSocket, MAX_BATCH,
};
use crate::time::Timestamp;
use crate::vxlan::{VxlanConfig, VXLAN_HEADER_LEN};

/// Largest message a port or the underlay may deliver (a 64 KiB GSO/GRO
/// super-frame plus its virtio-net header).
const MAX_MSG: usize = 65_536 + VNET_HDR_LEN + 64;
/// Room in front of each received message.
const HEADROOM: usize = 16;
/// Scratch space for segmenting super-frames (about two of them).
const SEG_SCRATCH: usize = 192 * 1024;
/// Scratch space for tagged copies of frames leaving trunk ports.
const VLAN_SCRATCH: usize = 1024 * 1024;
/// Scratch space for coalescing received TCP segments into super-frames.
const COAL_SCRATCH: usize = 1024 * 1024;
/// Staging space for copying small datagrams into GSO trains.
const STAGE_SCRATCH: usize = 256 * 1024;

/// The most forwarding threads one [`spawn`] starts.
pub const MAX_WORKERS: usize = 64;

/// One worker per core ([`WorkerConfig::workers`]'s default).
pub fn default_workers() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, MAX_WORKERS)
}

/// Default number of source-port sockets ([`WorkerConfig::source_sockets`]).
pub const DEFAULT_SOURCE_SOCKETS: usize = 16;

/// Default [`WorkerConfig::event_channel`].
pub const DEFAULT_EVENT_CHANNEL: usize = 4096;

/// An access port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortKind {
    /// A TAP device vtepd creates (or attaches to) by this name.
    Tap(String),
    /// An existing interface, through an AF_PACKET socket.
    Packet(String),
}

impl PortKind {
    /// The interface name.
    pub fn name(&self) -> &str {
        match self {
            PortKind::Tap(n) | PortKind::Packet(n) => n,
        }
    }
}

/// One VNI's configuration.
#[derive(Debug, Clone)]
pub struct VniConfig {
    /// The VNI.
    pub vni: Vni,
    /// Its access ports.
    pub ports: Vec<PortKind>,
    /// Static flood list (ingress replication).
    pub flood: Vec<IpAddr>,
    /// Static remote MACs.
    pub static_macs: Vec<(EthernetAddress, IpAddr)>,
    /// Bridge settings (learning from the overlay, table limits).
    pub bridge: BridgeConfig,
}

/// An 802.1Q trunk port: tagged frames, one VLAN per VNI.
#[derive(Debug, Clone)]
pub struct TrunkConfig {
    /// The port.
    pub port: PortKind,
    /// `(VLAN ID, VNI)` pairs; every VNI must be one of
    /// [`WorkerConfig::vnis`].
    pub vlans: Vec<(u16, Vni)>,
}

/// A worker's configuration.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// The local underlay address (bound, and the source of outer packets).
    pub local: IpAddr,
    /// VXLAN settings (UDP destination port).
    pub vxlan: VxlanConfig,
    /// Underlay socket options.
    pub udp: UdpOptions,
    /// The VNIs.
    pub vnis: Vec<VniConfig>,
    /// 802.1Q trunk ports (VLAN ↔ VNI).
    pub trunks: Vec<TrunkConfig>,
    /// Messages per batched receive (1 to [`MAX_BATCH`]).
    pub batch: usize,
    /// Announce checksum/TSO offloads on TAP ports.
    pub tap_offload: bool,
    /// Polls without sleeping after the last busy turn before the worker
    /// blocks (0: always block; more trades CPU for latency).
    pub spin: u32,
    /// Send-only underlay sockets bound to distinct source ports of
    /// [`VxlanConfig::source_ports`]; each inner flow is sent from the one
    /// its hash picks, so outer packets carry per-flow source ports (RFC
    /// 7348 §5: ECMP and receive-side spreading). 0 sends everything from
    /// the VXLAN port itself.
    pub source_sockets: usize,
    /// Forwarding threads (1 to [`MAX_WORKERS`]; default: one per core).
    /// Each has its own `SO_REUSEPORT` underlay socket (the kernel spreads
    /// VTEP flows over them by their source ports), its own queue of every
    /// TAP port (`IFF_MULTI_QUEUE`) and its own AF_PACKET socket in a
    /// `PACKET_FANOUT` hash group per interface; they share the bridge
    /// domains.
    pub workers: usize,
    /// Send TSO super-frames from access ports to the underlay without
    /// copying their payloads: each segment's headers are written into a
    /// scratch buffer and gathered with its payload, still in the receive
    /// buffer, by the send call (off: every segment is copied whole).
    pub gather: bool,
    /// Capacity of the MAC event channel to the control plane (and of the
    /// queue in front of it). Events beyond it are dropped and counted in
    /// [`WorkerHandle::events_lost`]; the control plane then resyncs from
    /// [`WorkerHandle::local_macs`].
    pub event_channel: usize,
}

impl WorkerConfig {
    /// A configuration with defaults for everything but the address and
    /// VNIs.
    pub fn new(local: IpAddr, vnis: Vec<VniConfig>) -> WorkerConfig {
        WorkerConfig {
            local,
            vxlan: VxlanConfig::default(),
            udp: UdpOptions::default(),
            vnis,
            trunks: Vec::new(),
            batch: 32,
            tap_offload: true,
            spin: 0,
            source_sockets: DEFAULT_SOURCE_SOCKETS,
            workers: default_workers(),
            gather: true,
            event_channel: DEFAULT_EVENT_CHANNEL,
        }
    }
}

/// A control-plane instruction for a running worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// Install (or replace) a remote MAC behind `vtep` (EVPN type-2).
    InstallMac {
        /// The VNI.
        vni: Vni,
        /// The MAC.
        mac: EthernetAddress,
        /// The remote VTEP.
        vtep: IpAddr,
    },
    /// Withdraw a control-plane MAC.
    WithdrawMac {
        /// The VNI.
        vni: Vni,
        /// The MAC.
        mac: EthernetAddress,
    },
    /// Add a VTEP to a VNI's flood list (EVPN type-3).
    AddFlood {
        /// The VNI.
        vni: Vni,
        /// The VTEP.
        vtep: IpAddr,
    },
    /// Remove a VTEP from a VNI's flood list.
    RemoveFlood {
        /// The VNI.
        vni: Vni,
        /// The VTEP.
        vtep: IpAddr,
    },
    /// Install an ARP/ND suppression binding from the control plane (EVPN
    /// type-2 MAC/IP); ignored when the VNI has no suppression.
    InstallBinding {
        /// The VNI.
        vni: Vni,
        /// The address.
        ip: IpAddr,
        /// Its MAC.
        mac: EthernetAddress,
    },
    /// Withdraw a control-plane suppression binding.
    WithdrawBinding {
        /// The VNI.
        vni: Vni,
        /// The address.
        ip: IpAddr,
    },
}

/// I/O counters of one port (frames, as the backend moved them).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct PortIo {
    /// Interface name.
    pub name: String,
    /// The VNI it serves.
    pub vni: u32,
    /// Messages received (super-frames count once).
    pub rx_msgs: u64,
    /// Frames after segmentation handed to the switch.
    pub rx_frames: u64,
    /// Frames written out.
    pub tx_frames: u64,
    /// Frames the backend could not take.
    pub tx_dropped: u64,
    /// TSO super-frames segmented.
    pub gso_frames: u64,
    /// Segments they were cut into.
    pub gso_segments: u64,
    /// Frames dropped because their offload metadata was bad.
    pub offload_errors: u64,
    /// Super-frames sent, coalesced from received TCP segments.
    pub coalesced_frames: u64,
    /// Segments they held.
    pub coalesced_segments: u64,
}

impl Clone for PortIo {
    fn clone(&self) -> Self {
        let mut c = PortIo {
            name: String::new(),
            ..*self
        };
        c.name.clone_from(&self.name);
        c
    }

    /// Copies into the existing name buffer: publishing a snapshot does not
    /// allocate once the names fit.
    fn clone_from(&mut self, o: &Self) {
        self.name.clone_from(&o.name);
        self.vni = o.vni;
        self.rx_msgs = o.rx_msgs;
        self.rx_frames = o.rx_frames;
        self.tx_frames = o.tx_frames;
        self.tx_dropped = o.tx_dropped;
        self.gso_frames = o.gso_frames;
        self.gso_segments = o.gso_segments;
        self.offload_errors = o.offload_errors;
        self.coalesced_frames = o.coalesced_frames;
        self.coalesced_segments = o.coalesced_segments;
    }
}

/// Underlay I/O counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UnderlayIo {
    /// Messages received (a GRO message counts once).
    pub rx_msgs: u64,
    /// Datagrams after GRO splitting.
    pub rx_datagrams: u64,
    /// `sendmmsg` messages sent (a GSO train counts once).
    pub tx_msgs: u64,
    /// Datagrams sent (GSO trains counted by segment).
    pub tx_datagrams: u64,
    /// Messages the kernel did not take.
    pub tx_dropped: u64,
    /// Whether GSO / GRO are in use.
    pub gso: bool,
    /// See `gso`.
    pub gro: bool,
}

/// One VNI in a [`Snapshot`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VniSnapshot {
    /// The VNI.
    pub vni: u32,
    /// Its counters.
    pub stats: VniStats,
    /// Entries in its MAC table.
    pub macs: usize,
    /// VTEPs in its flood list.
    pub flood: usize,
}

/// A copy of every counter of a worker.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// Switch-level counters.
    pub switch: SwitchStats,
    /// Per VNI.
    pub vnis: Vec<VniSnapshot>,
    /// Per port.
    pub ports: Vec<PortIo>,
    /// Underlay.
    pub underlay: UnderlayIo,
    /// Loop turns so far.
    pub turns: u64,
}

impl Snapshot {
    /// Add another thread's I/O counters (ports by index, underlay, turns).
    fn merge_io(&mut self, o: &Snapshot) {
        for (a, b) in self.ports.iter_mut().zip(&o.ports) {
            a.rx_msgs += b.rx_msgs;
            a.rx_frames += b.rx_frames;
            a.tx_frames += b.tx_frames;
            a.tx_dropped += b.tx_dropped;
            a.gso_frames += b.gso_frames;
            a.gso_segments += b.gso_segments;
            a.offload_errors += b.offload_errors;
            a.coalesced_frames += b.coalesced_frames;
            a.coalesced_segments += b.coalesced_segments;
        }
        let (u, v) = (&mut self.underlay, &o.underlay);
        u.rx_msgs += v.rx_msgs;
        u.rx_datagrams += v.rx_datagrams;
        u.tx_msgs += v.tx_msgs;
        u.tx_datagrams += v.tx_datagrams;
        u.tx_dropped += v.tx_dropped;
        self.turns += o.turns;
    }
}

/// A MAC event with its VNI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkerEvent {
    /// The VNI.
    pub vni: Vni,
    /// What happened.
    pub event: MacEvent,
}

/// A snooped ARP/ND binding change with its VNI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BindingUpdate {
    /// The VNI.
    pub vni: Vni,
    /// What happened.
    pub event: BindingEvent,
}

/// The handle of a running worker thread.
#[derive(Debug)]
pub struct WorkerHandle {
    control: Sender<Control>,
    events: Receiver<WorkerEvent>,
    bindings: Receiver<BindingUpdate>,
    /// One per thread; the first also carries the switch's counters.
    snapshots: Vec<Arc<Mutex<Snapshot>>>,
    /// The bridge domains (for listings; locked briefly).
    switch: Arc<Mutex<Switch>>,
    /// Events dropped so far (wrapping).
    lost: Arc<AtomicU32>,
    stop: Arc<AtomicBool>,
    /// Wakes the thread that applies control messages.
    wake: Arc<EventFd>,
    threads: Vec<JoinHandle<io::Result<()>>>,
}

impl WorkerHandle {
    /// Send a control instruction; the worker wakes up and applies it at
    /// once.
    pub fn control(&self, c: Control) -> bool {
        let ok = self.control.send(c).is_ok();
        self.wake.signal();
        ok
    }

    /// A clone of the control channel (for another thread). Instructions
    /// sent through it are applied at the worker's next turn (within
    /// 100 ms when idle; [`WorkerHandle::wake`] makes that now).
    pub fn control_sender(&self) -> Sender<Control> {
        self.control.clone()
    }

    /// Make the worker apply queued control instructions now.
    pub fn wake(&self) {
        self.wake.signal();
    }

    /// The next MAC event, if any.
    pub fn try_event(&self) -> Option<WorkerEvent> {
        self.events.try_recv().ok()
    }

    /// The next snooped binding change, if any.
    pub fn try_binding_event(&self) -> Option<BindingUpdate> {
        self.bindings.try_recv().ok()
    }

    /// How many MAC or binding events were dropped since the start
    /// (wrapping; a MAC table's own overflow counts once per drain). When
    /// it changes, events were lost: drain [`WorkerHandle::try_event`],
    /// then list [`WorkerHandle::local_macs`] and
    /// [`WorkerHandle::local_bindings`] to resync.
    pub fn events_lost(&self) -> u32 {
        self.lost.load(Ordering::Relaxed)
    }

    /// The MACs learnt on local ports in `vni`, with their ports (empty for
    /// an unknown VNI). Static MACs and control-plane entries are not
    /// listed.
    pub fn local_macs(&self, vni: Vni) -> Vec<(EthernetAddress, PortId)> {
        local_macs_of(&lock(&self.switch), vni)
    }

    /// The snooped (learnt) ARP/ND bindings in `vni`: IP → MAC.
    pub fn local_bindings(&self, vni: Vni) -> Vec<(IpAddr, EthernetAddress)> {
        local_bindings_of(&lock(&self.switch), vni)
    }

    /// The latest published counters (at most a second old), summed over
    /// the worker threads (each publishes every 500 ms on its own, so the
    /// threads' parts may be that far apart).
    pub fn snapshot(&self) -> Snapshot {
        let mut all = self.snapshots.iter();
        let mut s = all
            .next()
            .and_then(|m| m.lock().ok().map(|s| s.clone()))
            .unwrap_or_default();
        for m in all {
            let Ok(o) = m.lock() else { continue };
            s.merge_io(&o);
        }
        s
    }

    /// How many forwarding threads run.
    pub fn workers(&self) -> usize {
        self.threads.len()
    }

    /// Whether every thread is still running.
    pub fn is_running(&self) -> bool {
        !self.threads.is_empty() && self.threads.iter().all(|t| !t.is_finished())
    }

    /// Stop the thread and return how it ended.
    pub fn stop(mut self) -> io::Result<()> {
        self.stop_inner()
    }

    fn stop_inner(&mut self) -> io::Result<()> {
        self.stop.store(true, Ordering::Relaxed);
        let mut r = Ok(());
        for t in self.threads.drain(..) {
            let e = t
                .join()
                .unwrap_or_else(|_| Err(io::Error::other("worker panicked")));
            if r.is_ok() {
                r = e;
            }
        }
        r
    }
}

impl Drop for WorkerHandle {
    fn drop(&mut self) {
        let _ = self.stop_inner();
    }
}

/// Open every port and the underlay sockets, then run the loop on
/// [`WorkerConfig::workers`] new threads. Errors opening anything are
/// returned here, before any thread starts.
pub fn spawn(cfg: WorkerConfig) -> io::Result<WorkerHandle> {
    let n = cfg.workers.clamp(1, MAX_WORKERS);
    let (ctl_tx, ctl_rx) = mpsc::channel();
    let cap = cfg.event_channel.max(1);
    let (ev_tx, ev_rx) = mpsc::sync_channel(cap);
    let (b_tx, b_rx) = mpsc::sync_channel(cap);
    let lost = Arc::new(AtomicU32::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let wake = Arc::new(EventFd::new()?);
    let switch = Arc::new(Mutex::new(build_switch(&cfg)?));
    let tx = Arc::new(sender_pool(
        cfg.local,
        cfg.vxlan.source_ports(),
        cfg.source_sockets.min(usize::from(u8::MAX)),
        cfg.udp,
    )?);
    let start = Instant::now();
    // Ports are opened per thread in the switch's port order.
    let ports = open_ports(&cfg, n)?;
    let mut udp_opts = cfg.udp;
    udp_opts.reuse_port |= n > 1;
    let mut workers = Vec::with_capacity(n);
    let mut snapshots = Vec::with_capacity(n);
    let mut ctl_rx = Some(ctl_rx);
    for backends in ports {
        let udp = UdpSocket::bind(SocketAddr::new(cfg.local, cfg.vxlan.dst_port()), udp_opts)?;
        let snapshot = Arc::new(Mutex::new(Snapshot::default()));
        let leader = ctl_rx.take().map(|control| Leader {
            control,
            events: ev_tx.clone(),
            bindings: b_tx.clone(),
            pending: VecDeque::with_capacity(64),
            pending_limit: cap,
            lost: lost.clone(),
            wake: wake.clone(),
        });
        let mut w = Worker::new(
            &cfg,
            Shared {
                switch: switch.clone(),
                tx: tx.clone(),
                stop: stop.clone(),
                start,
            },
            backends,
            udp,
            leader,
            snapshot.clone(),
        );
        w.publish();
        snapshots.push(snapshot);
        workers.push(w);
    }
    let mut threads = Vec::with_capacity(n);
    for (k, mut w) in workers.into_iter().enumerate() {
        let t = std::thread::Builder::new()
            .name(format!("vtepd-dp{k}"))
            .spawn(move || w.run());
        match t {
            Ok(t) => threads.push(t),
            Err(e) => {
                stop.store(true, Ordering::Relaxed);
                for t in threads {
                    let _ = t.join();
                }
                return Err(e);
            }
        }
    }
    Ok(WorkerHandle {
        control: ctl_tx,
        events: ev_rx,
        bindings: b_rx,
        snapshots,
        switch,
        lost,
        stop,
        wake,
        threads,
    })
}

/// The bridge domains, ports and trunks of `cfg` (port IDs in order:
/// every VNI's access ports, then the trunks).
fn build_switch(cfg: &WorkerConfig) -> io::Result<Switch> {
    let bad = |e: String| io::Error::new(io::ErrorKind::InvalidInput, e);
    let mut switch = Switch::new(cfg.vxlan);
    let mut next = 0usize;
    let mut id = || {
        let i = u16::try_from(next).map_err(|_| bad("too many ports".into()));
        next += 1;
        i.map(PortId)
    };
    for v in &cfg.vnis {
        switch
            .add_domain(v.vni, v.bridge)
            .map_err(|e| bad(e.to_string()))?;
        let d = switch
            .domain_mut(v.vni)
            .ok_or_else(|| io::Error::other("domain vanished"))?;
        d.set_flood_list(&v.flood);
        for (mac, vtep) in &v.static_macs {
            d.macs_mut()
                .install_static(Timestamp::ZERO, *mac, Destination::Remote(*vtep))
                .map_err(|e| bad(format!("{e:?}")))?;
        }
        for _ in &v.ports {
            switch
                .attach_port(id()?, v.vni)
                .map_err(|e| bad(e.to_string()))?;
        }
    }
    for t in &cfg.trunks {
        let p = id()?;
        for (vid, vni) in &t.vlans {
            switch
                .attach_trunk_vlan(p, *vid, *vni)
                .map_err(|e| bad(e.to_string()))?;
        }
    }
    Ok(switch)
}

/// Every port of `cfg` in port-ID order, opened once per thread: a TAP
/// queue each (multi-queue with several threads), an AF_PACKET socket each
/// (one fanout group per interface with several threads).
fn open_ports(cfg: &WorkerConfig, n: usize) -> io::Result<Vec<Vec<(Backend, PortIo)>>> {
    let kinds: Vec<(&PortKind, u32)> = cfg
        .vnis
        .iter()
        .flat_map(|v| v.ports.iter().map(move |p| (p, v.vni.get())))
        // A trunk serves several VNIs.
        .chain(cfg.trunks.iter().map(|t| (&t.port, 0)))
        .collect();
    let mut out: Vec<Vec<(Backend, PortIo)>> = (0..n).map(|_| Vec::new()).collect();
    for (kind, vni) in kinds {
        let mut fanout = None;
        for per in out.iter_mut() {
            let b = match kind {
                PortKind::Tap(name) => Backend::Tap(Tap::open_queue(name, cfg.tap_offload, n > 1)?),
                PortKind::Packet(name) => {
                    let p = PacketSocket::open(name)?;
                    if n > 1 {
                        fanout = Some(p.join_fanout(fanout)?);
                    }
                    Backend::Packet(p)
                }
            };
            let io = PortIo {
                name: kind.name().to_string(),
                vni,
                ..PortIo::default()
            };
            per.push((b, io));
        }
    }
    Ok(out)
}

/// What every thread shares.
#[derive(Debug)]
struct Shared {
    /// The bridge domains; locked for one forwarding decision at a time,
    /// never across I/O.
    switch: Arc<Mutex<Switch>>,
    /// Source-port sockets (empty: send from the thread's own socket).
    tx: Arc<Vec<UdpSocket>>,
    stop: Arc<AtomicBool>,
    /// The clock's origin (MAC tables compare timestamps of all threads).
    start: Instant,
}

/// The first thread's extra duties: control messages, aging, events.
#[derive(Debug)]
struct Leader {
    control: Receiver<Control>,
    events: mpsc::SyncSender<WorkerEvent>,
    bindings: mpsc::SyncSender<BindingUpdate>,
    pending: VecDeque<WorkerEvent>,
    /// Most events in `pending`.
    pending_limit: usize,
    /// Events dropped (shared with the handle).
    lost: Arc<AtomicU32>,
    /// Signalled with every control message (in the poll set).
    wake: Arc<EventFd>,
}

impl Leader {
    /// Move the tables' events into the channels. Whatever is dropped (a
    /// table's own overflow, a full pending queue, a full channel) is
    /// counted in `lost`.
    fn drain(&mut self, switch: &Mutex<Switch>) {
        let mut lost = 0usize;
        {
            let mut sw = lock(switch);
            for (vni, d) in sw.domains_mut() {
                while let Some(event) = d.poll_event() {
                    if self.pending.len() < self.pending_limit {
                        self.pending.push_back(WorkerEvent { vni, event });
                    } else {
                        lost += 1;
                    }
                }
                if d.macs_mut().take_resync() {
                    lost += 1;
                }
                let Some(s) = d.suppress_mut() else { continue };
                while let Some(event) = s.poll_event() {
                    // A full channel drops the change (the reader is behind).
                    if self
                        .bindings
                        .try_send(BindingUpdate { vni, event })
                        .is_err()
                    {
                        lost += 1;
                    }
                }
                if s.take_resync() {
                    lost += 1;
                }
            }
        }
        while let Some(e) = self.pending.pop_front() {
            if self.events.try_send(e).is_err() {
                // Nobody is listening or the reader is behind: drop it and
                // the rest (the reader resyncs from the tables).
                lost += 1 + self.pending.len();
                self.pending.clear();
                break;
            }
        }
        if lost > 0 {
            let n = u32::try_from(lost).unwrap_or(u32::MAX);
            self.lost.fetch_add(n, Ordering::Relaxed);
        }
    }
}

/// The local learnt MACs of `vni` in `sw`.
fn local_macs_of(sw: &Switch, vni: Vni) -> Vec<(EthernetAddress, PortId)> {
    let Some(d) = sw.domain(vni) else {
        return Vec::new();
    };
    d.macs()
        .iter()
        .filter(|(_, e)| e.kind() == EntryKind::LearntLocal)
        .filter_map(|(m, e)| match e.destination() {
            Destination::Local(p) => Some((*m, p)),
            Destination::Remote(_) => None,
        })
        .collect()
}

/// The snooped bindings of `vni` in `sw`.
fn local_bindings_of(sw: &Switch, vni: Vni) -> Vec<(IpAddr, EthernetAddress)> {
    let Some(s) = sw.domain(vni).and_then(|d| d.suppress()) else {
        return Vec::new();
    };
    s.iter()
        .filter(|(_, b)| b.kind == BindingKind::Learnt)
        .map(|(ip, b)| (*ip, b.mac))
        .collect()
}

/// Lock the switch (a panicked thread's lock is taken over: the tables
/// stay consistent between decisions).
fn lock(m: &Mutex<Switch>) -> MutexGuard<'_, Switch> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

#[derive(Debug)]
enum Backend {
    Tap(Tap),
    Packet(PacketSocket),
}

impl Backend {
    fn recv(&self, b: &mut RecvBatch) -> io::Result<usize> {
        match self {
            Backend::Tap(t) => t.recv_batch(b),
            Backend::Packet(p) => p.recv_batch(b),
        }
    }
    fn send(&self, f: &[TxFrame<'_>]) -> io::Result<usize> {
        match self {
            Backend::Tap(t) => t.send_batch(f),
            Backend::Packet(p) => p.send_batch(f),
        }
    }
    fn fd(&self) -> i32 {
        match self {
            Backend::Tap(t) => t.as_raw_fd(),
            Backend::Packet(p) => p.as_raw_fd(),
        }
    }
}

/// Which buffer a queued range points into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Src {
    PortRx(usize),
    Seg,
    UdpRx(usize),
    Coal,
    #[default]
    Stage,
    Vlan,
}

#[derive(Debug, Clone, Copy)]
struct UQ {
    src: Src,
    range: (usize, usize),
    dst: SocketAddr,
    /// Index of the source-port socket (0 without a pool).
    sock: u8,
    /// A second piece (the payload of a segment whose headers are at
    /// `range`), if any.
    tail: Option<(Src, (usize, usize))>,
    /// The inner ECN codepoint, for the outer header (RFC 6040).
    ecn: u8,
}

impl UQ {
    /// The datagram's length.
    fn len(&self) -> usize {
        let t = self.tail.map_or(0, |(_, r)| r.1 - r.0);
        self.range.1 - self.range.0 + t
    }
}

#[derive(Debug, Clone, Copy)]
struct PQ {
    src: Src,
    range: (usize, usize),
    vnet: [u8; VNET_HDR_LEN],
}

#[derive(Debug)]
struct Bufs {
    port_rx: RecvBatch,
    udp_rx: RecvBatch,
    seg: Vec<u8>,
    seg_used: usize,
    coal: Vec<u8>,
    coal_used: usize,
    stage: Vec<u8>,
    stage_used: usize,
    vlan: Vec<u8>,
    vlan_used: usize,
}

impl Bufs {
    fn get(&self, src: Src, r: (usize, usize)) -> &[u8] {
        let b: &[u8] = match src {
            Src::PortRx(i) => self.port_rx.slot(i),
            Src::UdpRx(i) => self.udp_rx.slot(i),
            Src::Seg => &self.seg,
            Src::Coal => &self.coal,
            Src::Stage => &self.stage,
            Src::Vlan => &self.vlan,
        };
        b.get(r.0..r.1).unwrap_or(&[])
    }

    fn slot_mut(&mut self, src: Src) -> &mut [u8] {
        match src {
            Src::PortRx(i) => self.port_rx.slot_mut(i),
            Src::UdpRx(i) => self.udp_rx.slot_mut(i),
            Src::Seg => &mut self.seg,
            Src::Coal => &mut self.coal,
            Src::Stage => &mut self.stage,
            Src::Vlan => &mut self.vlan,
        }
    }

    /// Copy the frame at `src[r]` with an 802.1Q tag for `vid` into the
    /// VLAN scratch; its range there, or `None` if it does not fit.
    fn tag_copy(&mut self, src: Src, r: (usize, usize), vid: u16) -> Option<(usize, usize)> {
        let from: &[u8] = match src {
            Src::PortRx(i) => self.port_rx.slot(i),
            Src::UdpRx(i) => self.udp_rx.slot(i),
            Src::Seg => &self.seg,
            Src::Coal => &self.coal,
            Src::Stage | Src::Vlan => return None,
        };
        let f = from.get(r.0..r.1)?;
        let at = self.vlan_used;
        let n = crate::vlan::copy_tagged(f, vid, self.vlan.get_mut(at..)?).ok()?;
        self.vlan_used = at + n;
        Some((at, at + n))
    }

    /// Whether the VLAN scratch is running low (flush before the next
    /// message).
    fn vlan_low(&self) -> bool {
        self.vlan.len() - self.vlan_used < 2 * MAX_MSG
    }
}

#[derive(Debug)]
struct Queues {
    udp: Vec<UQ>,
    ports: Vec<Vec<PQ>>,
}

#[derive(Debug)]
struct Worker {
    switch: Arc<Mutex<Switch>>,
    ports: Vec<Backend>,
    io: Vec<PortIo>,
    udp: UdpSocket,
    /// Source-port sockets (empty: send from `udp`).
    tx: Arc<Vec<UdpSocket>>,
    vx: VxlanConfig,
    udp_port: u16,
    gso: bool,
    underlay: UnderlayIo,
    bufs: Bufs,
    q: Queues,
    /// The pieces of the underlay messages being planned (capacity
    /// [`MAX_PARTS`], never exceeded).
    parts: Vec<(Src, (usize, usize))>,
    leader: Option<Leader>,
    snapshot: Arc<Mutex<Snapshot>>,
    stop: Arc<AtomicBool>,
    start: Instant,
    turns: u64,
    gro: TcpCoalescer,
    gro_port: PortId,
    spin: u32,
    /// Cut super-frames without copying payloads ([`WorkerConfig::gather`]).
    gather: bool,
}

impl Worker {
    fn new(
        cfg: &WorkerConfig,
        shared: Shared,
        ports: Vec<(Backend, PortIo)>,
        udp: UdpSocket,
        leader: Option<Leader>,
        snapshot: Arc<Mutex<Snapshot>>,
    ) -> Worker {
        let batch = cfg.batch.clamp(1, MAX_BATCH);
        let gso = shared.tx.first().map_or(udp.gso(), |s| s.gso());
        let underlay = UnderlayIo {
            gso,
            gro: udp.gro(),
            ..UnderlayIo::default()
        };
        let nports = ports.len();
        let (ports, io): (Vec<Backend>, Vec<PortIo>) = ports.into_iter().unzip();
        Worker {
            switch: shared.switch,
            ports,
            io,
            udp_port: cfg.vxlan.dst_port(),
            gso,
            udp,
            tx: shared.tx,
            vx: cfg.vxlan,
            underlay,
            bufs: Bufs {
                port_rx: RecvBatch::new(batch, HEADROOM, MAX_MSG),
                udp_rx: RecvBatch::new(batch, HEADROOM, MAX_MSG),
                seg: vec![0; SEG_SCRATCH],
                seg_used: 0,
                coal: vec![0; COAL_SCRATCH],
                coal_used: 0,
                stage: vec![0; STAGE_SCRATCH],
                stage_used: 0,
                vlan: if cfg.trunks.is_empty() {
                    Vec::new()
                } else {
                    vec![0; VLAN_SCRATCH]
                },
                vlan_used: 0,
            },
            q: Queues {
                udp: Vec::with_capacity(MAX_BATCH * 64),
                ports: (0..nports)
                    .map(|_| Vec::with_capacity(MAX_BATCH * 64))
                    .collect(),
            },
            parts: Vec::with_capacity(MAX_PARTS),
            leader,
            snapshot,
            stop: shared.stop,
            start: shared.start,
            turns: 0,
            gro: TcpCoalescer::default(),
            gro_port: PortId(0),
            spin: cfg.spin,
            gather: cfg.gather,
        }
    }

    fn now(&self) -> Timestamp {
        Timestamp::from_millis(self.start.elapsed().as_millis() as u64)
    }

    fn run(&mut self) -> io::Result<()> {
        let mut fds: Vec<libc::pollfd> = self.ports.iter().map(|p| sys::pollfd(p.fd())).collect();
        fds.push(sys::pollfd(self.udp.as_raw_fd()));
        if let Some(l) = &self.leader {
            fds.push(sys::pollfd(l.wake.as_raw_fd()));
        }
        let mut last_tick = Instant::now();
        let mut last_events = last_tick;
        let mut idle = u32::MAX;
        self.publish();
        while !self.stop.load(Ordering::Relaxed) {
            self.apply_control();
            for f in fds.iter_mut() {
                f.revents = 0;
            }
            // After work, look again without sleeping for a few turns
            // (`spin` in the config): a busy queue is served without a
            // wake-up, an idle worker sleeps in poll.
            let timeout = if idle < self.spin { 0 } else { 100 };
            let ready = sys::poll(&mut fds, timeout)?;
            let now = self.now();
            if ready == 0 {
                idle = idle.saturating_add(1);
            } else {
                idle = 0;
                let nports = self.ports.len();
                for (i, f) in fds.iter().enumerate() {
                    if f.revents == 0 {
                        continue;
                    }
                    if i < nports {
                        self.port_rx(now, i)?;
                    } else if i == nports {
                        self.overlay_rx(now)?;
                    } else if let Some(l) = &self.leader {
                        // Control messages: applied at the top of the
                        // next turn, right away.
                        l.wake.clear();
                    }
                }
            }
            self.turns += 1;
            if last_tick.elapsed() >= Duration::from_millis(500) {
                last_tick = Instant::now();
                last_events = last_tick;
                if self.leader.is_some() {
                    lock(&self.switch).expire(now);
                    self.drain_events();
                }
                self.publish();
            } else if self.leader.is_some() && last_events.elapsed() >= Duration::from_millis(100) {
                // MAC and binding events reach the control plane within
                // 100 ms (EVPN routes and MAC moves wait on them).
                last_events = Instant::now();
                self.drain_events();
            }
        }
        self.publish();
        Ok(())
    }

    fn apply_control(&mut self) {
        let Some(l) = &self.leader else { return };
        loop {
            let c = match l.control.try_recv() {
                Ok(c) => c,
                Err(TryRecvError::Empty) | Err(TryRecvError::Disconnected) => return,
            };
            let now = Timestamp::from_millis(self.start.elapsed().as_millis() as u64);
            let mut sw = lock(&self.switch);
            match c {
                Control::InstallMac { vni, mac, vtep } => {
                    if let Some(d) = sw.domain_mut(vni) {
                        let _ = d.macs_mut().install(now, mac, Destination::Remote(vtep));
                    }
                }
                Control::WithdrawMac { vni, mac } => {
                    if let Some(d) = sw.domain_mut(vni) {
                        d.macs_mut().withdraw(&mac);
                    }
                }
                Control::AddFlood { vni, vtep } => {
                    if let Some(d) = sw.domain_mut(vni) {
                        d.add_flood_vtep(vtep);
                    }
                }
                Control::RemoveFlood { vni, vtep } => {
                    if let Some(d) = sw.domain_mut(vni) {
                        d.remove_flood_vtep(vtep);
                    }
                }
                Control::InstallBinding { vni, ip, mac } => {
                    if let Some(s) = sw.domain_mut(vni).and_then(|d| d.suppress_mut()) {
                        let _ = s.install(now, ip, mac, false);
                    }
                }
                Control::WithdrawBinding { vni, ip } => {
                    if let Some(s) = sw.domain_mut(vni).and_then(|d| d.suppress_mut()) {
                        s.withdraw(&ip);
                    }
                }
            }
        }
    }

    fn drain_events(&mut self) {
        let Some(l) = &mut self.leader else { return };
        l.drain(&self.switch);
    }

    fn publish(&mut self) {
        if let Ok(mut s) = self.snapshot.lock() {
            if self.leader.is_some() {
                let sw = lock(&self.switch);
                s.switch = sw.stats();
                s.vnis.clear();
                for (vni, d) in sw.domains() {
                    s.vnis.push(VniSnapshot {
                        vni: vni.get(),
                        stats: d.stats(),
                        macs: d.macs().len(),
                        flood: d.flood_list().len(),
                    });
                }
            }
            s.ports.clone_from(&self.io);
            s.underlay = self.underlay;
            s.turns = self.turns;
        }
    }

    /// Receive one batch from port `pi` and forward it.
    fn port_rx(&mut self, now: Timestamp, pi: usize) -> io::Result<()> {
        let Some(backend) = self.ports.get(pi) else {
            return Ok(());
        };
        let n = match backend.recv(&mut self.bufs.port_rx) {
            Ok(n) => n,
            Err(e) if e.raw_os_error() == Some(libc::ENETDOWN) => 0,
            Err(e) => return Err(e),
        };
        let port = PortId(pi as u16);
        // Super-frames from access ports are cut without copying their
        // payloads when no trunk needs tagged copies of them.
        let gather = {
            let sw = lock(&self.switch);
            match sw.port_mode(port) {
                None => return Ok(()),
                Some(PortMode::Access(_)) => self.gather && !sw.egress_tags().any(),
                Some(PortMode::Trunk(_)) => false,
            }
        };
        self.bufs.seg_used = 0;
        for i in 0..n {
            if !self.bufs.vlan.is_empty() && self.bufs.vlan_low() {
                self.flush()?;
            }
            let len = self.bufs.port_rx.msg_len(i);
            if len < VNET_HDR_LEN {
                continue;
            }
            self.io[pi].rx_msgs += 1;
            let hdr = match VnetHdr::parse(self.bufs.port_rx.msg(i)) {
                Ok(h) => h,
                Err(_) => continue,
            };
            let fstart = HEADROOM + VNET_HDR_LEN;
            let fend = HEADROOM + len;
            if hdr.is_gso() && gather {
                self.gather_superframe(now, pi, i, &hdr, fstart..fend)?;
            } else if hdr.is_gso() {
                let segs = self.cut_into_scratch(i, fstart..fend, |f, out| {
                    vnet::segment(f, &hdr, out, VXLAN_HEADER_LEN)
                })?;
                let Some(segs) = segs else {
                    self.io[pi].offload_errors += 1;
                    continue;
                };
                let base = self.bufs.seg_used;
                self.io[pi].gso_frames += 1;
                self.io[pi].gso_segments += segs.count as u64;
                for k in 0..segs.count {
                    let r = segs.range(k);
                    self.forward_local(now, pi, port, Src::Seg, base + r.start..base + r.end);
                }
                self.bufs.seg_used = base + segs.count * segs.stride;
            } else {
                if hdr.needs_csum() {
                    let slot = self.bufs.port_rx.slot_mut(i);
                    let frame = slot.get_mut(fstart..fend).unwrap_or(&mut []);
                    if vnet::complete_checksum(frame, hdr.csum_start, hdr.csum_offset).is_err() {
                        self.io[pi].offload_errors += 1;
                        continue;
                    }
                }
                self.forward_local(now, pi, port, Src::PortRx(i), fstart..fend);
            }
        }
        self.flush()
    }

    /// Cut super-frame `slot[frame]` of the port receive buffer into the
    /// segmentation scratch with `cut` (whole segments, or headers only);
    /// when the scratch is full, send what is queued, reuse the scratch and
    /// try once more. `None`: the frame cannot be cut.
    fn cut_into_scratch<T>(
        &mut self,
        slot: usize,
        frame: Range<usize>,
        cut: impl Fn(&[u8], &mut [u8]) -> Result<T, vnet::OffloadError>,
    ) -> io::Result<Option<T>> {
        let mut tries = 0;
        loop {
            let f = self
                .bufs
                .port_rx
                .slot(slot)
                .get(frame.clone())
                .unwrap_or(&[]);
            let out = self
                .bufs
                .seg
                .get_mut(self.bufs.seg_used..)
                .unwrap_or(&mut []);
            match cut(f, out) {
                Ok(s) => return Ok(Some(s)),
                Err(vnet::OffloadError::NoRoom) if tries == 0 && self.bufs.seg_used > 0 => {
                    self.flush()?;
                    self.bufs.seg_used = 0;
                    tries += 1;
                }
                Err(_) => return Ok(None),
            }
        }
    }

    /// Forward TSO super-frame `slot[frame]` from access port `pi`: its
    /// segments' headers are written into the segmentation scratch and
    /// their payloads stay in the receive buffer (the underlay gathers
    /// both); local ports get the super-frame itself, once.
    fn gather_superframe(
        &mut self,
        now: Timestamp,
        pi: usize,
        slot: usize,
        hdr: &VnetHdr,
        frame: Range<usize>,
    ) -> io::Result<()> {
        let heads = self.cut_into_scratch(slot, frame.clone(), |f, out| {
            vnet::segment_headers(f, hdr, out, VXLAN_HEADER_LEN)
        })?;
        let Some(heads) = heads else {
            self.io[pi].offload_errors += 1;
            return Ok(());
        };
        let mut vnet = PLAIN;
        if let Some(h) = self
            .bufs
            .port_rx
            .slot(slot)
            .get(HEADROOM..HEADROOM + VNET_HDR_LEN)
        {
            vnet.copy_from_slice(h);
        }
        let base = self.bufs.seg_used;
        self.io[pi].gso_frames += 1;
        self.io[pi].gso_segments += heads.count as u64;
        let seg = |k: usize| {
            let h = heads.header(k);
            let p = heads.payload(k);
            Seg {
                head: base + h.start..base + h.end,
                tail: (frame.start + p.start, frame.start + p.end),
                wire_len: heads.frame_len(k),
                first: k == 0,
            }
        };
        self.bufs.seg_used = base + heads.count * heads.stride;
        // The segments' headers differ only in lengths, sequence numbers
        // and checksums: the first one's decision holds for all.
        let Some(rep) = self.forward_segment(now, pi, slot, &frame, vnet, seg(0)) else {
            // No decision to repeat: decide for each.
            for k in 1..heads.count {
                self.forward_segment(now, pi, slot, &frame, vnet, seg(k));
            }
            return Ok(());
        };
        let rest = heads.count - 1;
        if rest == 0 {
            return Ok(());
        }
        self.io[pi].rx_frames += rest as u64;
        let bytes: usize = (1..heads.count).map(|k| heads.frame_len(k)).sum();
        let mut sw = lock(&self.switch);
        let Some(d) = sw.domain_mut(rep.vni) else {
            return Ok(());
        };
        d.count_port_frames(PortId(pi as u16), rep.outcome, rest as u64, bytes as u64);
        if !rep.overlay {
            return Ok(());
        }
        let port = self.udp_port;
        for k in 1..heads.count {
            let sg = seg(k);
            let payload = match crate::vxlan::encap(&mut self.bufs.seg, sg.head, rep.vni) {
                Ok(p) => p,
                Err(r) => {
                    sw.note_drop(r);
                    continue;
                }
            };
            let e = UQ {
                src: Src::Seg,
                range: (payload.start, payload.end),
                dst: SocketAddr::new(cfg_unspecified(), port),
                sock: rep.sock,
                tail: Some((Src::PortRx(slot), sg.tail)),
                ecn: rep.ecn,
            };
            if let Some(v) = rep.remote {
                self.q.udp.push(UQ {
                    dst: SocketAddr::new(v, port),
                    ..e
                });
            } else if let Some(d) = sw.domain(rep.vni) {
                for v in d.flood_list() {
                    self.q.udp.push(UQ {
                        dst: SocketAddr::new(*v, port),
                        ..e
                    });
                }
            }
        }
        Ok(())
    }

    /// Forward one segment of super-frame `slot[frame]` (see
    /// [`Worker::gather_superframe`]); returns the decision, to repeat for
    /// the other segments.
    fn forward_segment(
        &mut self,
        now: Timestamp,
        pi: usize,
        slot: usize,
        frame: &Range<usize>,
        vnet: [u8; VNET_HDR_LEN],
        seg: Seg,
    ) -> Option<Repeat> {
        self.io[pi].rx_frames += 1;
        let port = PortId(pi as u16);
        let mut sw = lock(&self.switch);
        let headers = self.bufs.seg.get(seg.head.clone()).unwrap_or(&[]);
        let rx = sw
            .receive_port_headers(now, port, headers, seg.wire_len)
            .ok()?;
        let vni = rx.vni;
        let outcome = rx.forward.outcome()?;
        let (mut remote, mut flood) = (None, false);
        match rx.forward {
            Forward::Local(p) if seg.first => {
                push_port(&mut self.q, p, Src::PortRx(slot), frame, vnet);
            }
            Forward::Remote(v) => remote = Some(v),
            Forward::Flood(f) => {
                if seg.first {
                    for p in f.local_ports() {
                        push_port(&mut self.q, p, Src::PortRx(slot), frame, vnet);
                    }
                }
                flood = !f.remote_vteps().is_empty();
            }
            // Later segments' local copies went with the first; drops are
            // counted by the domain; no suppression for TCP.
            _ => {}
        }
        let mut rep = Repeat {
            vni,
            outcome,
            remote,
            overlay: remote.is_some() || flood,
            sock: 0,
            ecn: 0,
        };
        if !rep.overlay {
            return Some(rep);
        }
        let headers = self.bufs.seg.get(seg.head.clone()).unwrap_or(&[]);
        let (sock, ecn) = (self.tx_socket(headers), crate::vxlan::inner_ecn(headers));
        (rep.sock, rep.ecn) = (sock, ecn);
        let payload = match crate::vxlan::encap(&mut self.bufs.seg, seg.head, vni) {
            Ok(p) => p,
            Err(r) => {
                sw.note_drop(r);
                return Some(rep);
            }
        };
        let e = UQ {
            src: Src::Seg,
            range: (payload.start, payload.end),
            dst: SocketAddr::new(cfg_unspecified(), 0),
            sock,
            tail: Some((Src::PortRx(slot), seg.tail)),
            ecn,
        };
        let port = self.udp_port;
        if let Some(v) = remote {
            self.q.udp.push(UQ {
                dst: SocketAddr::new(v, port),
                ..e
            });
        } else if let Some(d) = sw.domain(vni) {
            for v in d.flood_list() {
                self.q.udp.push(UQ {
                    dst: SocketAddr::new(*v, port),
                    ..e
                });
            }
        }
        Some(rep)
    }

    /// Forward one complete frame from a local port (the switch is
    /// locked for the decision and the encapsulation only).
    fn forward_local(
        &mut self,
        now: Timestamp,
        pi: usize,
        port: PortId,
        src: Src,
        range: Range<usize>,
    ) {
        self.io[pi].rx_frames += 1;
        // Room for a tag in front of a reply to a trunk.
        let mut reply = [0u8; crate::suppress::MAX_REPLY_LEN + crate::vlan::TAG_LEN];
        let mut reply_to = None;
        {
            let mut sw = lock(&self.switch);
            let (mut remote, mut flood) = (None, false);
            // A trunk's tag is stripped in place: the untagged frame is
            // `range` from here on.
            let buf = self.bufs.slot_mut(src);
            let Ok((range, rx)) = sw.receive_port_in_place(now, port, buf, range, Some(&mut reply))
            else {
                return;
            };
            let (vni, egress) = (rx.vni, rx.egress);
            match rx.forward {
                Forward::Local(p) => queue_out(
                    &mut self.q,
                    &mut self.bufs,
                    &mut self.io,
                    p,
                    egress.vid(p, vni),
                    src,
                    &range,
                ),
                Forward::Remote(v) => remote = Some(v),
                Forward::Flood(f) => {
                    for p in f.local_ports() {
                        queue_out(
                            &mut self.q,
                            &mut self.bufs,
                            &mut self.io,
                            p,
                            egress.vid(p, vni),
                            src,
                            &range,
                        );
                    }
                    flood = !f.remote_vteps().is_empty();
                }
                // ARP/ND suppression answered: the reply goes straight back
                // out of the ingress port once the switch is released.
                Forward::Reply { port: rp, len } => reply_to = Some((rp, len)),
                // Drops are counted by the domain.
                _ => {}
            }
            if remote.is_some() || flood {
                let inner = self.bufs.get(src, (range.start, range.end));
                let (sock, ecn) = (self.tx_socket(inner), crate::vxlan::inner_ecn(inner));
                let buf: &mut [u8] = self.bufs.slot_mut(src);
                match crate::vxlan::encap(buf, range, vni) {
                    Ok(payload) => {
                        let r = (payload.start, payload.end);
                        let port = self.udp_port;
                        if let Some(v) = remote {
                            self.q.udp.push(UQ {
                                src,
                                range: r,
                                dst: SocketAddr::new(v, port),
                                sock,
                                tail: None,
                                ecn,
                            });
                        } else if let Some(d) = sw.domain(vni) {
                            for v in d.flood_list() {
                                self.q.udp.push(UQ {
                                    src,
                                    range: r,
                                    dst: SocketAddr::new(*v, port),
                                    sock,
                                    tail: None,
                                    ecn,
                                });
                            }
                        }
                    }
                    Err(r) => sw.note_drop(r),
                }
            }
        }
        // Rare (one send is fine).
        if let Some((rp, len)) = reply_to {
            let pi = usize::from(rp.0);
            if let (Some(b), Some(f)) = (self.ports.get(pi), reply.get(..len)) {
                let sent = b
                    .send(&[TxFrame {
                        frame: f,
                        vnet: PLAIN,
                    }])
                    .unwrap_or(0);
                if let Some(io) = self.io.get_mut(pi) {
                    io.tx_frames += sent as u64;
                    io.tx_dropped += 1 - sent.min(1) as u64;
                }
            }
        }
    }

    /// The source-port socket for an inner frame: its flow hash (the RFC
    /// 7348 source port) folded onto the pool.
    fn tx_socket(&self, inner: &[u8]) -> u8 {
        let n = self.tx.len();
        if n < 2 {
            return 0;
        }
        let off = usize::from(self.vx.source_port(inner) - self.vx.source_ports().0);
        (off % n) as u8
    }

    /// Receive one batch from the underlay and forward it.
    fn overlay_rx(&mut self, now: Timestamp) -> io::Result<()> {
        let n = self.udp.recv_batch(&mut self.bufs.udp_rx)?;
        for i in 0..n {
            if !self.bufs.vlan.is_empty() && self.bufs.vlan_low() {
                self.flush()?;
            }
            let Some(from) = self.bufs.udp_rx.addr(i) else {
                continue;
            };
            self.underlay.rx_msgs += 1;
            let len = self.bufs.udp_rx.msg_len(i);
            let g = usize::from(self.bufs.udp_rx.gro_size(i));
            let outer_ecn = self.bufs.udp_rx.tos(i) & 3;
            let step = if g == 0 { len.max(1) } else { g };
            let mut off = 0;
            while off < len {
                let end = (off + step).min(len);
                self.underlay.rx_datagrams += 1;
                let (s, e) = (HEADROOM + off, HEADROOM + end);
                off = end;
                if outer_ecn != 0 {
                    // RFC 6040 §4.2: fold the outer ECN into the inner
                    // header before anything reads it.
                    let slot = self.bufs.udp_rx.slot_mut(i);
                    if let Some(inner) = slot.get_mut(s + VXLAN_HEADER_LEN..e) {
                        if let Err(r) = crate::vxlan::decap_ecn(inner, outer_ecn) {
                            lock(&self.switch).note_drop(r);
                            continue;
                        }
                    }
                }
                let dgram = self.bufs.udp_rx.slot(i).get(s..e).unwrap_or(&[]);
                let range = s + VXLAN_HEADER_LEN..e;
                let mut unicast = None;
                let mut sw = lock(&self.switch);
                if let Ok(rx) = sw.receive_overlay(now, from.ip(), dgram) {
                    // Not the frame: it borrows the receive buffer.
                    let (vni, egress, forward) = (rx.vni, rx.egress, rx.forward);
                    match forward {
                        // To a trunk: a tagged copy, not coalesced.
                        Forward::Local(p) => match egress.vid(p, vni) {
                            None => unicast = Some(p),
                            vid => queue_out(
                                &mut self.q,
                                &mut self.bufs,
                                &mut self.io,
                                p,
                                vid,
                                Src::UdpRx(i),
                                &range,
                            ),
                        },
                        Forward::Flood(f) => {
                            for p in f.local_ports() {
                                queue_out(
                                    &mut self.q,
                                    &mut self.bufs,
                                    &mut self.io,
                                    p,
                                    egress.vid(p, vni),
                                    Src::UdpRx(i),
                                    &range,
                                );
                            }
                        }
                        // Split horizon: never back into the overlay.
                        _ => {}
                    }
                }
                drop(sw);
                if let Some(p) = unicast {
                    self.deliver_coalesced(p, i, range)?;
                }
            }
        }
        self.finish_gro();
        self.flush()?;
        self.bufs.coal_used = 0;
        Ok(())
    }

    /// Queue a decapsulated frame for port `p`, merged into the open TCP
    /// super-frame when it continues it.
    fn deliver_coalesced(&mut self, p: PortId, slot: usize, range: Range<usize>) -> io::Result<()> {
        let frame = self
            .bufs
            .udp_rx
            .slot(slot)
            .get(range.clone())
            .unwrap_or(&[]);
        if self.gro.is_open() && self.gro_port == p && self.gro.push(&mut self.bufs.coal, frame) {
            return Ok(());
        }
        self.finish_gro();
        if self.bufs.coal.len() - self.bufs.coal_used < MAX_MSG {
            // Scratch full: send what is queued and reuse it.
            self.flush()?;
            self.bufs.coal_used = 0;
        }
        let frame = self
            .bufs
            .udp_rx
            .slot(slot)
            .get(range.clone())
            .unwrap_or(&[]);
        let at = self.bufs.coal_used;
        if self.bufs.coal.len() - at >= MAX_MSG && self.gro.start(&mut self.bufs.coal, at, frame) {
            self.gro_port = p;
            return Ok(());
        }
        push_port(&mut self.q, p, Src::UdpRx(slot), &range, PLAIN);
        Ok(())
    }

    /// Close the open super-frame, if any, and queue it.
    fn finish_gro(&mut self) {
        if let Some(c) = self.gro.finish(&mut self.bufs.coal) {
            let mut vnet = PLAIN;
            let _ = c.hdr.emit(&mut vnet);
            push_port(&mut self.q, self.gro_port, Src::Coal, &c.range, vnet);
            self.bufs.coal_used = c.range.end;
            if c.segments > 1 {
                if let Some(io) = self.io.get_mut(usize::from(self.gro_port.0)) {
                    io.coalesced_frames += 1;
                    io.coalesced_segments += c.segments as u64;
                }
            }
        }
    }

    /// Send every queued frame and clear the queues.
    fn flush(&mut self) -> io::Result<()> {
        self.flush_udp()?;
        let empty: &[u8] = &[];
        for (pi, q) in self.q.ports.iter_mut().enumerate() {
            if q.is_empty() {
                continue;
            }
            let Some(b) = self.ports.get(pi) else {
                q.clear();
                continue;
            };
            for chunk in q.chunks(MAX_BATCH) {
                let mut frames = [TxFrame {
                    frame: empty,
                    vnet: PLAIN,
                }; MAX_BATCH];
                for (f, e) in frames.iter_mut().zip(chunk) {
                    f.frame = self.bufs.get(e.src, e.range);
                    f.vnet = e.vnet;
                }
                let sent = match b.send(&frames[..chunk.len()]) {
                    Ok(s) => s,
                    Err(e) if e.raw_os_error() == Some(libc::ENETDOWN) => 0,
                    Err(e) => return Err(e),
                };
                if let Some(io) = self.io.get_mut(pi) {
                    io.tx_frames += sent as u64;
                    io.tx_dropped += (chunk.len() - sent) as u64;
                }
            }
            q.clear();
        }
        // Every tagged copy has been sent.
        self.bufs.vlan_used = 0;
        Ok(())
    }

    fn flush_udp(&mut self) -> io::Result<()> {
        if self.q.udp.is_empty() {
            return Ok(());
        }
        let gso = self.gso;
        let mut i = 0;
        let total = self.q.udp.len();
        while i < total {
            // Plan up to MAX_BATCH messages. Segments of one super-frame
            // become a GSO train: in place when they are contiguous, else
            // gathered (headers and payloads where they are); runs of
            // other equal-sized datagrams to one VTEP (small packets of one
            // flow) are copied into the staging buffer to become one.
            let mut plan = [Plan::default(); MAX_BATCH];
            let mut n = 0;
            self.bufs.stage_used = 0;
            self.parts.clear();
            while i < total && n < MAX_BATCH && self.parts.len() + 2 <= MAX_PARTS {
                let (p, next) = self.plan_train(i, gso);
                plan[n] = p;
                n += 1;
                i = next;
            }
            // One sendmmsg per source socket: order the plans by socket
            // (the index keeps each socket's messages in queue order).
            let mut order = [(0u8, 0u8); MAX_BATCH];
            for (k, (o, p)) in order.iter_mut().zip(&plan[..n]).enumerate() {
                *o = (p.sock, k as u8);
            }
            let order = &mut order[..n];
            order.sort_unstable();
            let empty: &[u8] = &[];
            let mut slices = [empty; MAX_PARTS];
            for (s, (src, r)) in slices.iter_mut().zip(&self.parts) {
                *s = self.bufs.get(*src, *r);
            }
            let placeholder = SocketAddr::new(self.udp.local_addr().ip(), 0);
            let mut msgs = [UdpTxV {
                parts: &[],
                dst: placeholder,
                segment: 0,
                ecn: 0,
            }; MAX_BATCH];
            let mut datagrams = [0u32; MAX_BATCH];
            let mut a = 0;
            while a < n {
                let sock = order[a].0;
                let mut b = a;
                let mut m = 0;
                while b < n && order[b].0 == sock {
                    let p = &plan[usize::from(order[b].1)];
                    msgs[m] = UdpTxV {
                        parts: slices.get(p.parts.0..p.parts.1).unwrap_or(&[]),
                        dst: p.dst.unwrap_or(placeholder),
                        segment: p.segment,
                        ecn: p.ecn,
                    };
                    datagrams[m] = p.count;
                    m += 1;
                    b += 1;
                }
                let s = self.tx.get(usize::from(sock)).unwrap_or(&self.udp);
                let sent = s.send_batch_v(&msgs[..m])?;
                self.underlay.tx_msgs += sent as u64;
                self.underlay.tx_dropped += (m - sent) as u64;
                self.underlay.tx_datagrams +=
                    datagrams[..sent].iter().map(|c| u64::from(*c)).sum::<u64>();
                a = b;
            }
        }
        self.q.udp.clear();
        Ok(())
    }

    /// Add the pieces of queue entry `e` to the parts list.
    fn push_parts(&mut self, e: &UQ) {
        self.parts.push((e.src, e.range));
        if let Some(t) = e.tail {
            self.parts.push(t);
        }
    }

    /// The message starting at queue entry `i`: a single datagram or a GSO
    /// train, its pieces appended to the parts list. Returns it and the
    /// index after it.
    fn plan_train(&mut self, i: usize, gso: bool) -> (Plan, usize) {
        let first = self.q.udp[i];
        let seg = first.len();
        let p0 = self.parts.len();
        let single = |parts_end: usize| Plan {
            parts: (p0, parts_end),
            dst: Some(first.dst),
            segment: 0,
            count: 1,
            sock: first.sock,
            ecn: first.ecn,
        };
        if !gso || seg == 0 {
            self.push_parts(&first);
            return (single(self.parts.len()), i + 1);
        }
        // How far a train of equal-sized datagrams to one VTEP reaches (a
        // shorter one may end it). Super-frame segments travel in place
        // when contiguous, gathered when their payloads stayed in the
        // receive buffer; other datagrams are copied to the staging buffer.
        let in_place = first.src == Src::Seg && first.tail.is_none();
        let gathered = first.tail.is_some();
        let q = &self.q.udp;
        let mut j = i + 1;
        let mut bytes = seg;
        let mut end = first.range.1;
        while j < q.len() && j - i < MAX_GSO_SEGMENTS {
            let e = q[j];
            let len = e.len();
            let fits = if gathered {
                e.tail.is_some() && p0 + 2 * (j - i + 1) <= MAX_PARTS
            } else if in_place {
                e.src == Src::Seg && e.tail.is_none() && e.range.0 == end
            } else {
                e.tail.is_none()
            };
            if !fits
                || e.dst != first.dst
                || e.sock != first.sock
                || e.ecn != first.ecn
                || len > seg
                || len == 0
                || bytes + len > MAX_GSO_BYTES
            {
                break;
            }
            bytes += len;
            end = e.range.1;
            j += 1;
            if len < seg {
                break;
            }
        }
        let count = j - i;
        let train = |parts_end: usize| Plan {
            parts: (p0, parts_end),
            dst: Some(first.dst),
            segment: seg as u16,
            count: count as u32,
            sock: first.sock,
            ecn: first.ecn,
        };
        if count == 1 {
            self.push_parts(&first);
            return (single(self.parts.len()), i + 1);
        }
        if in_place {
            self.parts.push((Src::Seg, (first.range.0, end)));
            return (train(self.parts.len()), j);
        }
        if gathered {
            for k in i..j {
                let e = self.q.udp[k];
                self.push_parts(&e);
            }
            return (train(self.parts.len()), j);
        }
        let at = self.bufs.stage_used;
        if self.bufs.stage.len() - at < bytes {
            self.push_parts(&first);
            return (single(self.parts.len()), i + 1);
        }
        let mut w = at;
        for k in i..j {
            let e = self.q.udp[k];
            let len = e.range.1 - e.range.0;
            let b = match e.src {
                Src::PortRx(x) => self.bufs.port_rx.slot(x),
                Src::UdpRx(x) => self.bufs.udp_rx.slot(x),
                Src::Seg => &self.bufs.seg,
                Src::Coal => &self.bufs.coal,
                Src::Stage | Src::Vlan => &[],
            };
            let Some(src) = b.get(e.range.0..e.range.1) else {
                self.push_parts(&first);
                return (single(self.parts.len()), i + 1);
            };
            self.bufs.stage[w..w + len].copy_from_slice(src);
            w += len;
        }
        self.bufs.stage_used = w;
        self.parts.push((Src::Stage, (at, w)));
        (train(self.parts.len()), j)
    }
}

/// One planned underlay message.
#[derive(Debug, Clone, Copy, Default)]
struct Plan {
    /// Its pieces: a range of the parts list.
    parts: (usize, usize),
    dst: Option<SocketAddr>,
    segment: u16,
    count: u32,
    sock: u8,
    ecn: u8,
}

/// One segment of a super-frame cut by [`vnet::segment_headers`].
#[derive(Debug, Clone)]
struct Seg {
    /// Its headers in the segmentation scratch.
    head: Range<usize>,
    /// Its payload in the receive slot.
    tail: (usize, usize),
    /// Its length as a complete frame.
    wire_len: usize,
    /// Whether it is the super-frame's first.
    first: bool,
}

/// A super-frame's first segment's decision, repeated for the others.
#[derive(Debug, Clone, Copy)]
struct Repeat {
    vni: Vni,
    outcome: Outcome,
    /// The remote VTEP of a unicast.
    remote: Option<IpAddr>,
    /// Whether copies go to the overlay (unicast or flood list).
    overlay: bool,
    sock: u8,
    ecn: u8,
}

/// A placeholder address (replaced before use).
fn cfg_unspecified() -> IpAddr {
    IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED)
}

/// The virtio-net header of a complete frame.
const PLAIN: [u8; VNET_HDR_LEN] = [0; VNET_HDR_LEN];

/// Queue the frame at `src[r]` for port `p`, untagged, or as a copy tagged
/// with `vid` for a trunk (counted as a transmit drop if the VLAN scratch
/// is full).
fn queue_out(
    q: &mut Queues,
    bufs: &mut Bufs,
    io: &mut [PortIo],
    p: PortId,
    vid: Option<u16>,
    src: Src,
    r: &Range<usize>,
) {
    let Some(vid) = vid else {
        push_port(q, p, src, r, PLAIN);
        return;
    };
    match bufs.tag_copy(src, (r.start, r.end), vid) {
        Some((s, e)) => push_port(q, p, Src::Vlan, &(s..e), PLAIN),
        None => {
            if let Some(io) = io.get_mut(usize::from(p.0)) {
                io.tx_dropped += 1;
            }
        }
    }
}

fn push_port(q: &mut Queues, p: PortId, src: Src, r: &Range<usize>, vnet: [u8; VNET_HDR_LEN]) {
    if let Some(v) = q.ports.get_mut(usize::from(p.0)) {
        v.push(PQ {
            src,
            range: (r.start, r.end),
            vnet,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::DropReason;
    use std::net::{Ipv4Addr, UdpSocket as StdUdp};

    fn wait_for(h: &WorkerHandle, what: &str, ok: impl Fn(&Snapshot) -> bool) -> Snapshot {
        for _ in 0..60 {
            let s = h.snapshot();
            if ok(&s) {
                return s;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("timed out waiting for {what}: {:?}", h.snapshot());
    }

    /// Events dropped at each of the three places (the MAC table's queue,
    /// the pending queue, the channel) and the binding channel are
    /// counted, and the listings still show every local MAC and binding.
    #[test]
    fn lost_events_counted_and_local_tables_listed() {
        let vni = Vni::new(100).unwrap();
        let mut bridge = BridgeConfig::default();
        bridge.mac.event_limit = 8;
        bridge.suppress = Some(crate::suppress::SuppressConfig {
            event_limit: 1,
            ..crate::suppress::SuppressConfig::default()
        });
        let remote = EthernetAddress([2, 0, 0, 0, 0xff, 1]);
        let cfg = WorkerConfig::new(
            IpAddr::V4(Ipv4Addr::LOCALHOST),
            vec![VniConfig {
                vni,
                ports: vec![PortKind::Tap("resync0".into())],
                flood: Vec::new(),
                static_macs: vec![(remote, "127.0.0.2".parse().unwrap())],
                bridge,
            }],
        );
        let switch = Mutex::new(build_switch(&cfg).unwrap());
        let mac = |i: u8| EthernetAddress([2, 0, 0, 1, 0, i]);
        let learn = |from: u8, to: u8| {
            let mut sw = lock(&switch);
            let t = sw.domain_mut(vni).unwrap().macs_mut();
            for i in from..to {
                t.learn(
                    Timestamp::from_millis(0),
                    mac(i),
                    Destination::Local(PortId(0)),
                )
                .unwrap();
            }
        };
        let (_ctl_tx, ctl_rx) = mpsc::channel();
        let (ev_tx, ev_rx) = mpsc::sync_channel(4);
        let (b_tx, b_rx) = mpsc::sync_channel(1);
        let lost = Arc::new(AtomicU32::new(0));
        let mut l = Leader {
            control: ctl_rx,
            events: ev_tx,
            bindings: b_tx,
            pending: VecDeque::new(),
            pending_limit: 4,
            lost: lost.clone(),
            wake: Arc::new(EventFd::new().unwrap()),
        };

        // 20 learns: the table keeps 8 events (overflow: 1), the pending
        // queue takes 4 of them (4 lost), the channel takes those 4.
        learn(0, 20);
        l.drain(&switch);
        assert_eq!(lost.load(Ordering::Relaxed), 5);
        // 3 more with the channel full: all 3 lost at the channel.
        learn(20, 23);
        l.drain(&switch);
        assert_eq!(lost.load(Ordering::Relaxed), 8);
        let got: Vec<WorkerEvent> = core::iter::from_fn(|| ev_rx.try_recv().ok()).collect();
        assert_eq!(got.len(), 4);
        assert!(got
            .iter()
            .all(|e| matches!(e.event, MacEvent::Learnt { .. })));
        // Nothing new: nothing more lost.
        l.drain(&switch);
        assert_eq!(lost.load(Ordering::Relaxed), 8);

        // The listing has all 23 local MACs, not the static remote one.
        let mut listed = local_macs_of(&lock(&switch), vni);
        listed.sort_by_key(|(m, _)| m.0);
        let want: Vec<(EthernetAddress, PortId)> = (0..23).map(|i| (mac(i), PortId(0))).collect();
        assert_eq!(listed, want);
        assert!(local_macs_of(&lock(&switch), Vni::new(7).unwrap()).is_empty());

        // Bindings: 3 snooped, the table's queue holds 1 (overflow: 1),
        // the channel takes it.
        let ip = |i: u8| IpAddr::V4(Ipv4Addr::new(192, 168, 0, i));
        {
            let mut sw = lock(&switch);
            let s = sw.domain_mut(vni).unwrap().suppress_mut().unwrap();
            for i in 1..4 {
                s.learn(Timestamp::from_millis(0), ip(i), mac(i)).unwrap();
            }
        }
        l.drain(&switch);
        assert_eq!(lost.load(Ordering::Relaxed), 9);
        assert!(b_rx.try_recv().is_ok());
        let mut b = local_bindings_of(&lock(&switch), vni);
        b.sort();
        assert_eq!(b, (1..4).map(|i| (ip(i), mac(i))).collect::<Vec<_>>());
    }

    /// A worker with one port-less VNI on loopback: control instructions
    /// show up in its tables, and overlay input is counted and dropped.
    #[test]
    fn control_channel_and_overlay_drops() {
        let port = {
            let s = StdUdp::bind("127.0.0.1:0").unwrap();
            s.local_addr().unwrap().port()
        };
        let vni = Vni::new(100).unwrap();
        let lo = IpAddr::V4(Ipv4Addr::LOCALHOST);
        let m1 = EthernetAddress([2, 0, 0, 0, 0, 1]);
        let m2 = EthernetAddress([2, 0, 0, 0, 0, 2]);
        let mut cfg = WorkerConfig::new(
            lo,
            vec![VniConfig {
                vni,
                ports: Vec::new(),
                flood: Vec::new(),
                static_macs: vec![(m1, "127.0.0.2".parse().unwrap())],
                bridge: BridgeConfig::default(),
            }],
        );
        cfg.vxlan = VxlanConfig::new(port, crate::vxlan::DEFAULT_SOURCE_PORTS, 1).unwrap();
        cfg.udp.reuse_port = false;
        // Several threads (SO_REUSEPORT is forced on for them).
        cfg.workers = 3;
        let h = spawn(cfg).unwrap();
        let vtep: IpAddr = "127.0.0.3".parse().unwrap();
        assert!(h.control(Control::InstallMac { vni, mac: m2, vtep }));
        assert!(h.control(Control::AddFlood { vni, vtep }));
        wait_for(&h, "install", |s| {
            s.vnis.first().is_some_and(|v| v.macs == 2 && v.flood == 1)
        });
        h.control(Control::WithdrawMac { vni, mac: m2 });
        h.control(Control::RemoveFlood { vni, vtep });
        // A static MAC is not withdrawn by the control plane.
        h.control(Control::WithdrawMac { vni, mac: m1 });
        wait_for(&h, "withdrawal", |s| {
            s.vnis.first().is_some_and(|v| v.macs == 1 && v.flood == 0)
        });

        // VXLAN for an unknown VNI, and a truncated header.
        let tx = StdUdp::bind("127.0.0.1:0").unwrap();
        let mut pkt = vec![0u8; 8 + 60];
        pkt[0] = 0x08;
        pkt[4..7].copy_from_slice(&[0, 0, 200]);
        tx.send_to(&pkt, ("127.0.0.1", port)).unwrap();
        tx.send_to(&pkt[..5], ("127.0.0.1", port)).unwrap();
        // The datagrams land on any of the threads' sockets; the merged
        // counters add up once every thread has published.
        let s = wait_for(&h, "drops", |s| {
            s.switch.drops.get(DropReason::UnknownVni) == 1
                && s.switch.drops.get(DropReason::VxlanTruncated) == 1
                && s.underlay.rx_datagrams == 2
        });
        assert_eq!(s.underlay.rx_msgs, 2);
        assert_eq!(h.workers(), 3);
        assert!(h.is_running());
        h.stop().unwrap();
    }
}
