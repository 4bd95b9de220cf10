//! The tokio driver of the BGP speaker.
//!
//! # Tasks
//!
//! - [`listener`]: one task per listen socket; an accepted connection goes
//!   to the task of the neighbour with that address (others are closed).
//! - [`peer`]: one task per configured neighbour. It owns the sans-IO
//!   [`Session`](vtepd_bgp_evpn::session::Session) (two while a connection
//!   collision is being resolved), moves bytes between the TCP connection and
//!   the session, and sleeps until the session's next deadline (one sleep per
//!   task). Reading and writing are small helper tasks per connection.
//! - [`rib`]: one task that owns the [`Rib`](vtepd_bgp_evpn::rib::Rib),
//!   applies UPDATEs and peer up/down events from the peer tasks, and sends
//!   each established peer its Adj-RIB-Out changes as UPDATEs. It also
//!   answers the `show` queries of the control socket.
//!
//! The driver decides nothing of the protocol: the session decides what to
//! send and when, the RIB what is best and what goes to whom.

pub mod listener;
pub mod origin;
pub mod peer;
pub mod rib;
pub mod show;

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, oneshot};
use vtepd_bgp_evpn::capability::GracefulRestart;
use vtepd_bgp_evpn::rib::codec::{PathAttrs, PreparedUpdate};
use vtepd_bgp_evpn::rib::{OutUpdate, PeerId, PeerSession};
use vtepd_bgp_evpn::session::{Cease, Timestamp};
use vtepd_bgp_evpn::{AddressFamily, Asn, CodecContext};

/// The daemon's monotonic clock origin.
fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

/// Now, as the session's [`Timestamp`].
pub fn now() -> Timestamp {
    Timestamp(epoch().elapsed())
}

/// A session deadline as a tokio instant.
pub fn deadline(t: Timestamp) -> tokio::time::Instant {
    tokio::time::Instant::from_std(epoch() + t.0)
}

/// What a peer task is told.
#[derive(Debug)]
pub enum PeerCmd {
    /// An incoming connection from the neighbour's address.
    Accepted(tokio::net::TcpStream),
    /// Route changes from the RIB for the established session, packed by
    /// attributes; the peer task builds and encodes the UPDATEs. The
    /// output queue names the connection they were made for: a newer
    /// session of the peer drops them (it gets its own initial table).
    Send(Arc<OutQueue>, Vec<OutUpdate<PathAttrs>>),
    /// Stop the session with this Cease subcode (e.g. max prefixes).
    Stop(Cease),
    /// The daemon is shutting down: Cease/administrative shutdown, then exit.
    Shutdown,
    /// An unnumbered neighbour's link-local address was learnt (from its
    /// router advertisements) or expired (`None`).
    PeerAddress(Option<std::net::Ipv6Addr>),
    /// The neighbour was removed or changed by a reload: NOTIFICATION
    /// Cease with this subcode (6/3 de-configured, 6/6 changed), then exit.
    Deconfigure(Cease),
}

/// Bytes of a peer's input that may be read but not yet applied to the RIB.
/// A peer that sends faster than the RIB applies is not read further (TCP
/// flow control pushes back on it), so its queued UPDATEs stay bounded.
/// Decoded and keyed, routes take up to ~25 times their wire size (a 5-byte
/// IPv4 prefix becomes a 120-byte entry), so 256 KiB of input is a few MiB
/// in memory at most.
pub const INPUT_BUDGET: usize = 256 << 10;

/// Input bytes of a peer held by a queued UPDATE: returned to the peer's
/// reader when the RIB has applied it (or dropped it).
#[derive(Debug)]
pub struct Credit {
    budget: Arc<tokio::sync::Semaphore>,
    bytes: usize,
}

impl Credit {
    /// Hold `bytes` of `budget` until dropped.
    pub fn new(budget: Arc<tokio::sync::Semaphore>, bytes: usize) -> Credit {
        Credit { budget, bytes }
    }

    /// Add `other`'s bytes to this one (same budget).
    pub fn merge(&mut self, mut other: Credit) {
        self.bytes += std::mem::take(&mut other.bytes);
    }
}

impl Drop for Credit {
    fn drop(&mut self) {
        if self.bytes > 0 {
            self.budget.add_permits(self.bytes);
        }
    }
}

/// Bytes encoded for a connection but not yet written to its socket. A peer
/// that reads slowly is given no more UPDATEs while more than
/// [`OUT_HIGH`] bytes wait for it: its changes stay in the RIB, coalesced
/// per route, until its queue drains below [`OUT_LOW`].
#[derive(Debug, Default)]
pub struct OutQueue {
    /// Bytes queued.
    pub bytes: std::sync::atomic::AtomicUsize,
    /// The RIB held changes back and waits for [`RibCmd::Drained`].
    pub held: std::sync::atomic::AtomicBool,
}

/// See [`OutQueue`]. Per peer: with many peers (a hub's dynamic
/// neighbours) on a 64 MB router, this is what slow readers can hold.
pub const OUT_HIGH: usize = 1 << 20;
/// See [`OutQueue`].
pub const OUT_LOW: usize = 256 << 10;

/// What the RIB task is told.
#[derive(Debug)]
pub enum RibCmd {
    /// A session is established.
    PeerUp {
        /// The peer.
        id: PeerId,
        /// Its address.
        address: IpAddr,
        /// Its AS (from its OPEN).
        peer_as: Asn,
        /// Negotiated families and its identifier.
        session: PeerSession,
        /// The session's codec context (for packing UPDATEs).
        ctx: CodecContext,
        /// Where to send its UPDATEs.
        tx: mpsc::UnboundedSender<PeerCmd>,
        /// The connection's output queue.
        out: Arc<OutQueue>,
        /// The peer's graceful restart capability in this session.
        graceful_restart: Option<GracefulRestart>,
    },
    /// A peer's output queue drained below [`OUT_LOW`] after the RIB held
    /// changes back for it.
    Drained {
        /// The peer.
        id: PeerId,
    },
    /// An established session went down.
    PeerDown {
        /// The peer.
        id: PeerId,
        /// The session ended without a NOTIFICATION and the peer had
        /// advertised graceful restart (RFC 4724 §4.2): keep its routes of
        /// these families as stale for this many seconds (its restart
        /// time) instead of removing them.
        graceful: Option<(Vec<AddressFamily>, u16)>,
    },
    /// An UPDATE arrived, prepared for the RIB by the peer task (RFC 7606
    /// treat-as-withdraw already applied).
    Update {
        /// From whom.
        id: PeerId,
        /// Its routes and attributes.
        update: Box<PreparedUpdate>,
        /// The peer's input bytes this UPDATE holds, freed once applied.
        credit: Option<Credit>,
    },
    /// The peer asked for a route refresh of a family.
    Refresh {
        /// The peer.
        id: PeerId,
        /// The family (AFI/SAFI of the ROUTE-REFRESH).
        family: AddressFamily,
        /// The peer's input bytes it holds (a ROUTE-REFRESH flood is
        /// throttled like an UPDATE flood).
        credit: Option<Credit>,
    },
    /// Local routes from the EVPN wiring, in order: originate (`Some`) or
    /// withdraw (`None`) each key.
    Local {
        /// The operations.
        ops: Vec<(
            vtepd_bgp_evpn::rib::RouteKey,
            Option<(
                vtepd_bgp_evpn::rib::Route,
                vtepd_bgp_evpn::rib::codec::PathAttrs,
            )>,
        )>,
    },
    /// The daemon is stopping: remove the kernel routes vtepd added, then
    /// answer.
    Shutdown {
        /// Answered when done.
        done: oneshot::Sender<()>,
    },
    /// A reload added a neighbour.
    AddPeer {
        /// Its id.
        id: PeerId,
        /// What the RIB keeps of it.
        info: Box<rib::PeerInfo>,
    },
    /// A reload removed a neighbour: its routes go, it is forgotten.
    RemovePeer {
        /// The peer.
        id: PeerId,
    },
    /// A reload changed the configuration: originated routes are diffed
    /// (new ones announced, removed ones withdrawn).
    Reconfigure(Arc<crate::config::Config>),
    /// A `show` query from the control socket.
    Show {
        /// The query.
        query: show::Query,
        /// Where the JSON answer goes.
        reply: oneshot::Sender<serde_json::Value>,
    },
}

/// What a peer task publishes for `show bgp summary`.
#[derive(Debug, Clone, Default)]
pub struct PeerStatus {
    /// FSM state.
    pub state: String,
    /// The peer's AS once known.
    pub peer_as: Option<u32>,
    /// The peer's BGP identifier once known.
    pub peer_router_id: Option<String>,
    /// Established since.
    pub up_since: Option<Instant>,
    /// Down since (or since start).
    pub down_since: Option<Instant>,
    /// Messages received / sent, UPDATEs received / sent.
    pub messages_in: u64,
    /// Messages sent.
    pub messages_out: u64,
    /// UPDATEs received.
    pub updates_in: u64,
    /// UPDATEs sent.
    pub updates_out: u64,
    /// Times established.
    pub established: u32,
    /// Times dropped.
    pub drops: u32,
    /// Negotiated hold time.
    pub hold_time: u16,
    /// Negotiated families.
    pub families: Vec<String>,
    /// Last NOTIFICATION sent (code, subcode).
    pub last_notification_sent: Option<(u8, u8)>,
    /// Last NOTIFICATION received (code, subcode).
    pub last_notification_received: Option<(u8, u8)>,
    /// Last reason the session went down.
    pub last_error: Option<String>,
}

/// Peer statuses by peer id, written by the peer tasks, read by `show`.
pub type StatusMap = Arc<Mutex<BTreeMap<u32, PeerStatus>>>;

/// How long shutdown waits for every peer to say goodbye.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(3);
