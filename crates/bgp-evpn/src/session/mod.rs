//! The BGP session: the RFC 4271 §8 finite state machine, sans-IO.
//!
//! # Calling contract
//!
//! One [`Session`] drives one TCP connection to one peer at a time. The
//! driver (a tokio task in `bin/vtepd`) feeds it with [`Session::handle`]
//! (`now` plus an [`Input`]: start/stop, TCP events, bytes read) and
//! [`Session::handle_timeout`] when [`Session::poll_timeout`] has passed, and
//! after every call drains [`Session::poll_action`]: connect, bytes to write,
//! close, and the events the daemon acts on (session established with its
//! negotiated [`CodecContext`], UPDATEs received, session down). UPDATEs to
//! send go in through [`Session::send`]. Nothing here reads a clock or
//! touches a socket.
//!
//! The session frames messages itself from the byte stream (partial reads
//! are buffered), decodes them with the codec and maps every decode error to
//! the NOTIFICATION the codec names for it ([`MessageError::notification`]).
//!
//! # Connection collisions (RFC 4271 §6.8)
//!
//! When the peer connects while our own connection is in progress, the
//! driver hands the incoming connection to a *second* `Session` (started
//! passive) and, whenever either learns the peer's BGP identifier, asks
//! [`resolve_collision`] which one to stop; the loser gets
//! `Input::Stop(Cease::ConnectionCollision)` (NOTIFICATION 6/7).
//!
//! # Timers
//!
//! ConnectRetry, Hold, Keepalive and IdleHold are deadlines in a
//! [`TimerTable`]. The hold time is the smaller of both proposals; 0 means
//! no hold timer and no keepalives; otherwise KEEPALIVE is sent every
//! hold/3. After an error the session waits IdleHold before restarting,
//! doubling it on each consecutive failure up to a maximum (RFC 4271 §8.1.1
//! DampPeerOscillations).

pub mod negotiate;
pub mod timer;

use std::collections::VecDeque;
use std::fmt;
use std::time::Duration;

use crate::capability::{AddPathEntry, Capability, ExtendedNextHopEntry, GracefulRestart};
use crate::error::{AttrError, MessageError};
use crate::iana::{cease_subcode, error_code, open_subcode};
use crate::message::{
    frame_len, Message, Notification, Open, RouteRefresh, RouteRefreshSubtype, Update,
};
use crate::types::{AddressFamily, Asn, RouterId};
use crate::wire::{CodecContext, EncodeError, PeerKind};

pub use negotiate::{negotiate, Negotiated};
pub use timer::{Timer, TimerTable, Timestamp};

/// RFC 4271 §8.2.2 states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// Refusing connections; waiting for a start (or the IdleHold timer).
    Idle,
    /// Waiting for our outgoing connection.
    Connect,
    /// Waiting for the peer to connect (or the ConnectRetry timer).
    Active,
    /// OPEN sent, waiting for the peer's.
    OpenSent,
    /// OPENs exchanged, waiting for KEEPALIVE.
    OpenConfirm,
    /// UPDATEs flow.
    Established,
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// Cease subcodes (RFC 4486 §4) the session can be stopped with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cease {
    /// Maximum number of prefixes reached (1).
    MaxPrefixes,
    /// Administrative shutdown (2).
    AdminShutdown,
    /// Peer de-configured (3).
    PeerDeconfigured,
    /// Administrative reset (4): the session restarts automatically.
    AdminReset,
    /// Connection rejected (5).
    ConnectionRejected,
    /// Other configuration change (6): the session restarts automatically.
    OtherConfigChange,
    /// Connection collision resolution (7).
    ConnectionCollision,
    /// Out of resources (8).
    OutOfResources,
}

impl Cease {
    /// The subcode.
    pub fn subcode(self) -> u8 {
        match self {
            Cease::MaxPrefixes => cease_subcode::MAX_PREFIXES,
            Cease::AdminShutdown => cease_subcode::ADMIN_SHUTDOWN,
            Cease::PeerDeconfigured => cease_subcode::PEER_DECONFIGURED,
            Cease::AdminReset => cease_subcode::ADMIN_RESET,
            Cease::ConnectionRejected => cease_subcode::CONNECTION_REJECTED,
            Cease::OtherConfigChange => cease_subcode::OTHER_CONFIG_CHANGE,
            Cease::ConnectionCollision => cease_subcode::CONNECTION_COLLISION,
            Cease::OutOfResources => cease_subcode::OUT_OF_RESOURCES,
        }
    }

    /// With the N bit negotiated (RFC 8538 §5), this Cease is sent as a
    /// Hard Reset, so that the peer flushes this router's routes instead of
    /// keeping them as stale: the session was ended on purpose (a prefix
    /// limit, an administrative shutdown or reset, a removed neighbour).
    /// The others (collisions, configuration changes that restart the
    /// session, resources) end it gracefully.
    pub fn hard(self) -> bool {
        matches!(
            self,
            Cease::MaxPrefixes | Cease::AdminShutdown | Cease::PeerDeconfigured | Cease::AdminReset
        )
    }

    /// Whether the session starts again by itself after this stop.
    fn restarts(self) -> bool {
        matches!(
            self,
            Cease::AdminReset | Cease::OtherConfigChange | Cease::OutOfResources
        )
    }
}

/// What the driver tells the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input<'a> {
    /// Start (RFC 4271 event 1; event 4/5 when the config is passive).
    ManualStart,
    /// Stop with Cease / Administrative Shutdown (event 2); no restart.
    ManualStop,
    /// Stop with this Cease subcode (a NOTIFICATION is sent if a connection
    /// is open). Restarts automatically only for reset-like subcodes.
    Stop(Cease),
    /// The outgoing connection we asked for ([`Action::Connect`]) is up
    /// (events 16/17).
    TcpConnected,
    /// An incoming connection from the peer was handed to this session
    /// (event 14/17). In Connect the driver abandons its own pending
    /// attempt; a session past Active ignores it: collisions are two
    /// sessions (see the module docs).
    TcpAccepted,
    /// The outgoing connection failed (event 18).
    TcpFailed,
    /// The connection was closed by the peer or broke (event 18).
    TcpClosed,
    /// Bytes read from the connection, any amount.
    Bytes(&'a [u8]),
}

/// Why a session went down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DownReason {
    /// We sent this NOTIFICATION (an error we detected, or a stop).
    NotificationSent(Notification),
    /// The peer sent this NOTIFICATION.
    NotificationReceived(Notification),
    /// The connection closed without a NOTIFICATION. If the peer advertised
    /// graceful restart ([`Negotiated::peer_graceful_restart`]), the daemon
    /// may keep its routes as stale (`Rib::peer_down_graceful`, RFC 4724
    /// §4.2) instead of dropping them.
    ConnectionClosed,
}

/// The session is up: what was negotiated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EstablishedInfo {
    /// Negotiated capabilities, including the codec context.
    pub negotiated: Negotiated,
    /// The peer's OPEN.
    pub peer_open: Open,
    /// The peer's AS (4-octet aware).
    pub peer_as: Asn,
    /// The peer's BGP identifier.
    pub peer_router_id: RouterId,
    /// The negotiated hold time in seconds (0: none).
    pub hold_time: u16,
}

/// What the session asks the driver to do, or tells the daemon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Open a TCP connection to the peer (port 179).
    Connect,
    /// Write these bytes (one or more whole messages) to the connection.
    Send(Vec<u8>),
    /// Close the connection (after writing what was queued).
    CloseConnection,
    /// The session reached Established.
    Established(Box<EstablishedInfo>),
    /// The session left OpenSent/OpenConfirm/Established for Idle or Active.
    Down {
        /// Why.
        reason: DownReason,
        /// It had been Established: the daemon must drop the peer's routes.
        was_established: bool,
    },
    /// An UPDATE arrived. `attr_errors` are the RFC 7606 errors the session
    /// survived; if one is treat-as-withdraw, every NLRI of the message
    /// (NLRI field and MP_REACH_NLRI) must be withdrawn, not installed.
    Update {
        /// The message, discarded attributes removed.
        update: Update,
        /// RFC 7606 errors.
        attr_errors: Vec<AttrError>,
    },
    /// A ROUTE-REFRESH arrived (RFC 2918, RFC 7313).
    RouteRefresh(RouteRefresh),
}

/// Why [`Session::send`] refused a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Only UPDATE and ROUTE-REFRESH are sent by the daemon, and only when
    /// Established.
    #[error("session is not established")]
    NotEstablished,
    /// OPEN, KEEPALIVE and NOTIFICATION belong to the FSM.
    #[error("the session sends this message type itself")]
    NotAllowed,
    /// The message does not encode in this session.
    #[error(transparent)]
    Encode(#[from] EncodeError),
}

/// Session configuration (one peer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionConfig {
    /// Our AS.
    pub local_as: Asn,
    /// Our BGP identifier.
    pub router_id: RouterId,
    /// The peer's AS; `None` accepts any (dynamic neighbours), the kind
    /// (iBGP/eBGP) then follows from the OPEN.
    pub peer_as: Option<Asn>,
    /// With `peer_as: None`, the kind of session the peer must be (FRR's
    /// `remote-as external` / `internal`): an OPEN of the other kind is
    /// refused with Bad Peer AS (2/2). `None` accepts either.
    pub peer_kind: Option<PeerKind>,
    /// Proposed hold time in seconds (0, or ≥ 3).
    pub hold_time: u16,
    /// ConnectRetryTime.
    pub connect_retry: Duration,
    /// First IdleHold delay after an error.
    pub idle_hold: Duration,
    /// Largest IdleHold delay.
    pub max_idle_hold: Duration,
    /// Never connect; wait for the peer.
    pub passive: bool,
    /// Address families to advertise (multiprotocol capability).
    pub families: Vec<AddressFamily>,
    /// ADD-PATH per family (RFC 7911).
    pub add_path: Vec<AddPathEntry>,
    /// Extended next hop tuples (RFC 8950).
    pub extended_next_hop: Vec<ExtendedNextHopEntry>,
    /// Advertise extended messages (RFC 8654).
    pub extended_message: bool,
    /// Advertise route refresh (RFC 2918). Enhanced route refresh (RFC 7313)
    /// is not advertised: it obliges the speaker to bracket every refresh
    /// with BoRR/EoRR markers, which the RIB does not produce.
    pub route_refresh: bool,
    /// Graceful restart capability to advertise (RFC 4724).
    pub graceful_restart: Option<GracefulRestart>,
    /// Hostname to advertise (FQDN capability, as FRR does).
    pub hostname: Option<String>,
}

/// Hold time proposed in OPEN while waiting for the peer's (RFC 4271 §8.2.2
/// suggests 4 minutes).
pub const LARGE_HOLD_TIME: Duration = Duration::from_secs(240);

impl SessionConfig {
    /// Defaults: hold time 90 s, ConnectRetry 30 s, IdleHold 1 s doubling to
    /// 120 s, EVPN only, route refresh, no other options.
    pub fn new(local_as: Asn, router_id: RouterId, peer_as: Option<Asn>) -> SessionConfig {
        SessionConfig {
            local_as,
            router_id,
            peer_as,
            peer_kind: None,
            hold_time: 90,
            connect_retry: Duration::from_secs(30),
            idle_hold: Duration::from_secs(1),
            max_idle_hold: Duration::from_secs(120),
            passive: false,
            families: vec![AddressFamily::L2VPN_EVPN],
            add_path: Vec::new(),
            extended_next_hop: Vec::new(),
            extended_message: false,
            route_refresh: true,
            graceful_restart: None,
            hostname: None,
        }
    }

    /// The capabilities our OPEN carries.
    pub fn capabilities(&self) -> Vec<Capability> {
        let mut caps: Vec<Capability> = self
            .families
            .iter()
            .map(|f| Capability::Multiprotocol(*f))
            .collect();
        if self.route_refresh {
            caps.push(Capability::RouteRefresh);
        }
        caps.push(Capability::FourOctetAs(self.local_as));
        if !self.add_path.is_empty() {
            caps.push(Capability::AddPath(self.add_path.clone()));
        }
        if !self.extended_next_hop.is_empty() {
            caps.push(Capability::ExtendedNextHop(self.extended_next_hop.clone()));
        }
        if self.extended_message {
            caps.push(Capability::ExtendedMessage);
        }
        if let Some(gr) = &self.graceful_restart {
            caps.push(Capability::GracefulRestart(gr.clone()));
        }
        if let Some(h) = &self.hostname {
            caps.push(Capability::Fqdn {
                hostname: h.clone(),
                domain: String::new(),
            });
        }
        caps
    }

    /// Our OPEN.
    pub fn open(&self) -> Open {
        Open::new(
            self.local_as,
            self.hold_time,
            self.router_id,
            self.capabilities(),
        )
    }
}

/// Message counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Messages received.
    pub messages_in: u64,
    /// Messages sent.
    pub messages_out: u64,
    /// UPDATEs received.
    pub updates_in: u64,
    /// UPDATEs sent.
    pub updates_out: u64,
    /// Times the session reached Established.
    pub established: u32,
    /// Times it went down.
    pub drops: u32,
}

/// One BGP session. See the module docs.
#[derive(Debug)]
pub struct Session {
    cfg: SessionConfig,
    our_caps: Vec<Capability>,
    state: State,
    timers: TimerTable,
    actions: VecDeque<Action>,
    rx: Vec<u8>,
    /// The negotiated parameters once the peer's OPEN was accepted.
    negotiated: Option<Negotiated>,
    peer_open: Option<Open>,
    hold: Duration,
    keepalive: Duration,
    /// Whether the current connection was initiated by us.
    initiated_locally: bool,
    /// Restart after IdleHold when idle.
    auto_restart: bool,
    idle_hold: Duration,
    established_at: Option<Timestamp>,
    default_ctx: CodecContext,
    stats: Stats,
}

impl Session {
    /// A session in Idle.
    pub fn new(cfg: SessionConfig) -> Session {
        let our_caps = cfg.capabilities();
        let idle_hold = cfg.idle_hold;
        Session {
            cfg,
            our_caps,
            state: State::Idle,
            timers: TimerTable::default(),
            actions: VecDeque::new(),
            rx: Vec::new(),
            negotiated: None,
            peer_open: None,
            hold: Duration::ZERO,
            keepalive: Duration::ZERO,
            initiated_locally: false,
            auto_restart: false,
            idle_hold,
            established_at: None,
            default_ctx: CodecContext::default(),
            stats: Stats::default(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &SessionConfig {
        &self.cfg
    }

    /// The current state.
    pub fn state(&self) -> State {
        self.state
    }

    /// Counters.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// The negotiated parameters (from OpenConfirm on).
    pub fn negotiated(&self) -> Option<&Negotiated> {
        self.negotiated.as_ref()
    }

    /// The codec context in force: negotiated, or the RFC 4271 default
    /// before the OPENs are exchanged.
    pub fn codec_context(&self) -> &CodecContext {
        self.negotiated
            .as_ref()
            .map_or(&self.default_ctx, |n| &n.ctx)
    }

    /// The peer's BGP identifier, once its OPEN was accepted.
    pub fn peer_router_id(&self) -> Option<RouterId> {
        self.peer_open.as_ref().map(|o| o.bgp_id)
    }

    /// The current connection was opened by us (not accepted).
    pub fn initiated_locally(&self) -> bool {
        self.initiated_locally
    }

    /// The negotiated hold time (zero before OpenConfirm or when none).
    pub fn hold_time(&self) -> Duration {
        self.hold
    }

    /// The next deadline; call [`Session::handle_timeout`] once it passes.
    pub fn poll_timeout(&self) -> Option<Timestamp> {
        self.timers.next()
    }

    /// The deadline of one timer (for `show` commands and tests).
    pub fn timer(&self, t: Timer) -> Option<Timestamp> {
        self.timers.get(t)
    }

    /// The next action for the driver.
    pub fn poll_action(&mut self) -> Option<Action> {
        self.actions.pop_front()
    }

    /// Process one input.
    pub fn handle(&mut self, now: Timestamp, input: Input<'_>) {
        match input {
            Input::ManualStart => self.start(now),
            Input::ManualStop => self.stop(now, Cease::AdminShutdown),
            Input::Stop(c) => self.stop(now, c),
            Input::TcpConnected => self.connected(now, true),
            Input::TcpAccepted => self.connected(now, false),
            Input::TcpFailed => self.tcp_failed(now),
            Input::TcpClosed => self.tcp_closed(now),
            Input::Bytes(b) => self.bytes(now, b),
        }
    }

    /// Fire every timer due at `now`.
    pub fn handle_timeout(&mut self, now: Timestamp) {
        while let Some(t) = self.timers.take_expired(now) {
            self.timer_expired(now, t);
        }
    }

    /// Send an UPDATE or ROUTE-REFRESH (Established only). Restarts the
    /// keepalive timer (RFC 4271 §4.4: any UPDATE counts).
    pub fn send(&mut self, now: Timestamp, msg: &Message) -> Result<(), SendError> {
        if !matches!(msg, Message::Update(_) | Message::RouteRefresh(_)) {
            return Err(SendError::NotAllowed);
        }
        if self.state != State::Established {
            return Err(SendError::NotEstablished);
        }
        let bytes = msg.to_vec(self.codec_context())?;
        if matches!(msg, Message::Update(_)) {
            self.stats.updates_out += 1;
        }
        self.stats.messages_out += 1;
        self.actions.push_back(Action::Send(bytes));
        self.arm_keepalive(now);
        Ok(())
    }

    /// Ask the peer to re-send a family (RFC 2918). Established only.
    pub fn request_refresh(
        &mut self,
        now: Timestamp,
        family: AddressFamily,
    ) -> Result<(), SendError> {
        self.send(
            now,
            &Message::RouteRefresh(RouteRefresh {
                family,
                subtype: RouteRefreshSubtype::Normal,
            }),
        )
    }

    // ---- transitions ------------------------------------------------------

    fn start(&mut self, now: Timestamp) {
        if self.state != State::Idle {
            return;
        }
        self.auto_restart = true;
        self.timers.stop(Timer::IdleHold);
        if self.cfg.passive {
            self.state = State::Active;
        } else {
            self.state = State::Connect;
            self.actions.push_back(Action::Connect);
            self.timers
                .set(Timer::ConnectRetry, now + self.cfg.connect_retry);
        }
    }

    fn stop(&mut self, now: Timestamp, cease: Cease) {
        let restart = cease.restarts();
        match self.state {
            State::Idle => {
                if !restart {
                    self.auto_restart = false;
                    self.timers.stop(Timer::IdleHold);
                }
                return;
            }
            State::Connect | State::Active => {
                self.actions.push_back(Action::CloseConnection);
            }
            State::OpenSent | State::OpenConfirm | State::Established => {
                let mut n = Notification::cease(cease.subcode());
                if cease.hard()
                    && self
                        .negotiated
                        .as_ref()
                        .is_some_and(|g| g.graceful_notification)
                {
                    n = Notification::hard_reset(&n);
                }
                self.send_notification(&n);
                self.actions.push_back(Action::CloseConnection);
                self.down(DownReason::NotificationSent(n));
            }
        }
        self.go_idle(now, restart, false);
    }

    fn connected(&mut self, now: Timestamp, local: bool) {
        match self.state {
            State::Connect | State::Active => {}
            State::Idle => {
                // RFC 4271 §8.2.2 Idle: connections are refused.
                self.actions.push_back(Action::CloseConnection);
                return;
            }
            _ => return,
        }
        self.initiated_locally = local;
        self.timers.stop(Timer::ConnectRetry);
        self.rx.clear();
        let open = Message::Open(self.cfg.open());
        match open.to_vec(&self.default_ctx) {
            Ok(b) => {
                self.stats.messages_out += 1;
                self.actions.push_back(Action::Send(b));
            }
            Err(_) => {
                // Our own OPEN does not encode: a configuration error
                // (e.g. too many capabilities). Nothing can be sent.
                self.actions.push_back(Action::CloseConnection);
                self.go_idle(now, true, true);
                return;
            }
        }
        self.timers.set(Timer::Hold, now + LARGE_HOLD_TIME);
        self.state = State::OpenSent;
    }

    fn tcp_failed(&mut self, now: Timestamp) {
        match self.state {
            State::Connect | State::Active => {
                self.state = State::Active;
                if !self.cfg.passive {
                    self.timers
                        .set(Timer::ConnectRetry, now + self.cfg.connect_retry);
                }
            }
            _ => self.tcp_closed(now),
        }
    }

    fn tcp_closed(&mut self, now: Timestamp) {
        match self.state {
            State::Idle | State::Connect | State::Active => self.tcp_failed_early(now),
            State::OpenSent => {
                // RFC 4271 §8.2.2 OpenSent, event 18: back to Active.
                self.down(DownReason::ConnectionClosed);
                self.reset_connection();
                self.state = State::Active;
                if !self.cfg.passive {
                    self.timers
                        .set(Timer::ConnectRetry, now + self.cfg.connect_retry);
                }
            }
            State::OpenConfirm | State::Established => {
                self.down(DownReason::ConnectionClosed);
                self.go_idle(now, true, true);
            }
        }
    }

    fn tcp_failed_early(&mut self, now: Timestamp) {
        if matches!(self.state, State::Connect | State::Active) {
            self.tcp_failed(now);
        }
    }

    fn timer_expired(&mut self, now: Timestamp, t: Timer) {
        match (t, self.state) {
            (Timer::IdleHold, State::Idle) if self.auto_restart => self.start(now),
            (Timer::ConnectRetry, State::Connect) => {
                // Abandon the attempt and try again.
                self.actions.push_back(Action::CloseConnection);
                self.actions.push_back(Action::Connect);
                self.timers
                    .set(Timer::ConnectRetry, now + self.cfg.connect_retry);
            }
            (Timer::ConnectRetry, State::Active) if !self.cfg.passive => {
                self.state = State::Connect;
                self.actions.push_back(Action::Connect);
                self.timers
                    .set(Timer::ConnectRetry, now + self.cfg.connect_retry);
            }
            (Timer::Hold, State::OpenSent | State::OpenConfirm | State::Established) => {
                self.fail(now, Notification::hold_timer_expired());
            }
            (Timer::Keepalive, State::OpenConfirm | State::Established) => {
                self.send_keepalive();
                self.arm_keepalive(now);
            }
            _ => {}
        }
    }

    fn bytes(&mut self, now: Timestamp, b: &[u8]) {
        if !matches!(
            self.state,
            State::OpenSent | State::OpenConfirm | State::Established
        ) {
            return;
        }
        self.rx.extend_from_slice(b);
        let mut pos = 0;
        loop {
            let rest = self.rx.get(pos..).unwrap_or(&[]);
            let len = match frame_len(rest, self.codec_context()) {
                Ok(Some(n)) if rest.len() >= n => n,
                Ok(_) => break,
                Err(e) => {
                    self.fail(now, e.notification());
                    return;
                }
            };
            let decoded = Message::decode(rest.get(..len).unwrap_or(&[]), self.codec_context());
            pos += len;
            self.stats.messages_in += 1;
            match decoded {
                Ok(d) => self.message(now, d.message, d.attr_errors),
                Err(e) => {
                    self.decode_error(now, &e);
                    return;
                }
            }
            if !matches!(
                self.state,
                State::OpenSent | State::OpenConfirm | State::Established
            ) {
                return;
            }
        }
        self.rx.drain(..pos.min(self.rx.len()));
    }

    fn decode_error(&mut self, now: Timestamp, e: &MessageError) {
        self.fail(now, e.notification());
    }

    fn message(&mut self, now: Timestamp, msg: Message, attr_errors: Vec<AttrError>) {
        if let Message::Notification(n) = msg {
            self.actions.push_back(Action::CloseConnection);
            self.down(DownReason::NotificationReceived(n));
            self.go_idle(now, true, true);
            return;
        }
        match (self.state, msg) {
            (State::OpenSent, Message::Open(o)) => match self.check_open(&o) {
                Ok(neg) => {
                    self.accept_open(now, o, neg);
                }
                Err(n) => self.fail(now, n),
            },
            (State::OpenConfirm, Message::Keepalive) => {
                self.state = State::Established;
                self.established_at = Some(now);
                self.stats.established += 1;
                self.arm_hold(now);
                if let (Some(neg), Some(open)) = (&self.negotiated, &self.peer_open) {
                    let info = EstablishedInfo {
                        negotiated: neg.clone(),
                        peer_open: open.clone(),
                        peer_as: open.asn(),
                        peer_router_id: open.bgp_id,
                        hold_time: self.hold.as_secs() as u16,
                    };
                    self.actions.push_back(Action::Established(Box::new(info)));
                }
            }
            (State::Established, Message::Keepalive) => self.arm_hold(now),
            (State::Established, Message::Update(update)) => {
                self.stats.updates_in += 1;
                self.arm_hold(now);
                self.actions.push_back(Action::Update {
                    update,
                    attr_errors,
                });
            }
            (State::Established, Message::RouteRefresh(rr)) => {
                self.arm_hold(now);
                self.actions.push_back(Action::RouteRefresh(rr));
            }
            (state, _) => {
                // RFC 6608 §4: unexpected message in OpenSent (1),
                // OpenConfirm (2) or Established (3).
                let sub = match state {
                    State::OpenSent => 1,
                    State::OpenConfirm => 2,
                    _ => 3,
                };
                self.fail(now, Notification::new(error_code::FSM, sub, Vec::new()));
            }
        }
    }

    /// RFC 4271 §6.2 checks the codec cannot make (it already checked the
    /// version, hold times 1-2 and a zero identifier): the peer AS and our
    /// own identifier from an internal peer (RFC 6286 §2.2).
    fn check_open(&self, o: &Open) -> Result<Negotiated, Notification> {
        let open_err =
            |sub: u8, data: Vec<u8>| Notification::new(error_code::OPEN_MESSAGE, sub, data);
        let peer_as = o.asn();
        // With the 4-octet capability, My AS must be the 2-octet form of
        // that AS (AS_TRANS if it does not fit, RFC 6793 §4.1).
        let has_cap = o
            .capabilities()
            .any(|c| matches!(c, Capability::FourOctetAs(_)));
        if has_cap && o.my_as != peer_as.to_2byte() {
            return Err(open_err(
                open_subcode::BAD_PEER_AS,
                o.my_as.to_be_bytes().to_vec(),
            ));
        }
        if let Some(want) = self.cfg.peer_as {
            if want != peer_as {
                return Err(open_err(
                    open_subcode::BAD_PEER_AS,
                    o.my_as.to_be_bytes().to_vec(),
                ));
            }
        }
        if let Some(kind) = self.cfg.peer_kind {
            if (kind == PeerKind::Internal) != (peer_as == self.cfg.local_as) {
                return Err(open_err(
                    open_subcode::BAD_PEER_AS,
                    o.my_as.to_be_bytes().to_vec(),
                ));
            }
        }
        if o.hold_time == 1 || o.hold_time == 2 {
            return Err(open_err(open_subcode::UNACCEPTABLE_HOLD_TIME, Vec::new()));
        }
        let internal = peer_as == self.cfg.local_as;
        if o.bgp_id.0.is_unspecified() || (internal && o.bgp_id == self.cfg.router_id) {
            return Err(open_err(
                open_subcode::BAD_BGP_IDENTIFIER,
                o.bgp_id.0.octets().to_vec(),
            ));
        }
        let theirs: Vec<Capability> = o.capabilities().cloned().collect();
        let kind = if internal {
            PeerKind::Internal
        } else {
            PeerKind::External
        };
        Ok(negotiate(&self.our_caps, &theirs, kind))
    }

    fn accept_open(&mut self, now: Timestamp, o: Open, neg: Negotiated) {
        let hold = o.hold_time.min(self.cfg.hold_time);
        self.hold = Duration::from_secs(u64::from(hold));
        self.keepalive = self.hold / 3;
        self.negotiated = Some(neg);
        self.peer_open = Some(o);
        self.send_keepalive();
        self.arm_hold(now);
        self.arm_keepalive(now);
        self.state = State::OpenConfirm;
    }

    fn arm_hold(&mut self, now: Timestamp) {
        if self.hold.is_zero() {
            self.timers.stop(Timer::Hold);
        } else {
            self.timers.set(Timer::Hold, now + self.hold);
        }
    }

    fn arm_keepalive(&mut self, now: Timestamp) {
        if self.keepalive.is_zero() {
            self.timers.stop(Timer::Keepalive);
        } else {
            self.timers.set(Timer::Keepalive, now + self.keepalive);
        }
    }

    fn send_keepalive(&mut self) {
        if let Ok(b) = Message::Keepalive.to_vec(&self.default_ctx) {
            self.stats.messages_out += 1;
            self.actions.push_back(Action::Send(b));
        }
    }

    fn send_notification(&mut self, n: &Notification) {
        // A NOTIFICATION too long for the session is cut to what fits.
        let mut n = n.clone();
        let max = self.codec_context().max_message_len().saturating_sub(21);
        n.data.truncate(max);
        if let Ok(b) = Message::Notification(n).to_vec(self.codec_context()) {
            self.stats.messages_out += 1;
            self.actions.push_back(Action::Send(b));
        }
    }

    /// An error: NOTIFICATION, close, Idle, restart after IdleHold.
    fn fail(&mut self, now: Timestamp, n: Notification) {
        self.send_notification(&n);
        self.actions.push_back(Action::CloseConnection);
        self.down(DownReason::NotificationSent(n));
        self.go_idle(now, true, true);
    }

    fn down(&mut self, reason: DownReason) {
        if !matches!(
            self.state,
            State::OpenSent | State::OpenConfirm | State::Established
        ) {
            return;
        }
        self.stats.drops += 1;
        self.actions.push_back(Action::Down {
            reason,
            was_established: self.state == State::Established,
        });
    }

    fn reset_connection(&mut self) {
        self.timers.stop_all();
        self.rx.clear();
        self.negotiated = None;
        self.peer_open = None;
        self.hold = Duration::ZERO;
        self.keepalive = Duration::ZERO;
    }

    /// To Idle. `restart`: start again after IdleHold; `error`: this was a
    /// failure, so the IdleHold delay grows.
    fn go_idle(&mut self, now: Timestamp, restart: bool, error: bool) {
        let was_up_for = self
            .established_at
            .filter(|_| self.state == State::Established)
            .map(|t| now - t);
        self.reset_connection();
        self.state = State::Idle;
        self.established_at = None;
        self.auto_restart = restart && self.auto_restart;
        if !self.auto_restart {
            return;
        }
        // A session that stayed up longer than the largest delay is not
        // oscillating: start again from the first delay.
        if was_up_for.is_some_and(|d| d >= self.cfg.max_idle_hold) || !error {
            self.idle_hold = self.cfg.idle_hold;
        }
        self.timers.set(Timer::IdleHold, now + self.idle_hold);
        if error {
            self.idle_hold = (self.idle_hold * 2).min(self.cfg.max_idle_hold);
        }
    }
}

/// Which of two sessions to the same peer to stop (RFC 4271 §6.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CollisionLoser {
    /// Stop the first session given.
    First,
    /// Stop the second.
    Second,
}

/// Resolve a collision between two sessions with the same peer, or `None`
/// while it cannot be decided yet (neither has the peer's identifier, or
/// both connections go the same way). An Established session always stays.
/// Otherwise the connection opened by the speaker with the higher BGP
/// identifier stays: if ours is lower, the one we initiated is stopped.
pub fn resolve_collision(a: &Session, b: &Session) -> Option<CollisionLoser> {
    if a.state() == State::Established {
        return Some(CollisionLoser::Second);
    }
    if b.state() == State::Established {
        return Some(CollisionLoser::First);
    }
    let remote = a.peer_router_id().or(b.peer_router_id())?;
    if a.initiated_locally() == b.initiated_locally() {
        return None;
    }
    let local = a.config().router_id;
    let keep_local_initiated = u32::from(local.0) > u32::from(remote.0);
    let a_stays = a.initiated_locally() == keep_local_initiated;
    Some(if a_stays {
        CollisionLoser::Second
    } else {
        CollisionLoser::First
    })
}

#[cfg(test)]
mod tests;
