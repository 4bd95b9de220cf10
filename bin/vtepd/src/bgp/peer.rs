//! One task per neighbour: TCP connections in and out, bytes to and from the
//! sans-IO [`Session`], timers, and collisions (RFC 4271 §6.8) through a
//! second session that [`resolve_collision`] arbitrates.

use std::io;
use std::net::{IpAddr, Ipv6Addr, SocketAddr, SocketAddrV6};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot, Semaphore};
use tracing::{debug, info, warn};
use vtepd_bgp_evpn::capability::GracefulRestart;
use vtepd_bgp_evpn::rib::codec::prepare_update;
use vtepd_bgp_evpn::rib::{PeerId, PeerSession};
use vtepd_bgp_evpn::session::{
    resolve_collision, Action, Cease, CollisionLoser, DownReason, Input, Session, SessionConfig,
    State,
};

use super::{deadline, now, Credit, OutQueue, PeerCmd, RibCmd, StatusMap, INPUT_BUDGET, OUT_LOW};
use crate::config::family_name;

/// Everything a peer task needs.
#[derive(Debug)]
pub struct PeerSpec {
    /// The daemon's number for it.
    pub id: PeerId,
    /// Where to connect (for an unnumbered neighbour: the learnt link-local
    /// address, unspecified until known).
    pub address: IpAddr,
    /// Unnumbered: the interface name and index (the link-local scope).
    pub interface: Option<(String, u32)>,
    /// A dynamic neighbour (from a listen range): the task ends with its
    /// session.
    pub dynamic: bool,
    /// TCP port.
    pub port: u16,
    /// The session's configuration.
    pub session: SessionConfig,
}

/// Most bytes one read takes from a connection.
const READ_CHUNK: usize = 65536;

#[derive(Debug)]
enum Ev {
    Cmd(PeerCmd),
    Connected(u64, io::Result<TcpStream>),
    Read(u64, Vec<u8>, Credit),
    Closed(u64),
}

#[derive(Debug)]
struct Conn {
    id: u64,
    tx: mpsc::UnboundedSender<Vec<u8>>,
    /// Bytes queued on `tx` and not yet written.
    out: Arc<OutQueue>,
    close: Option<oneshot::Sender<()>>,
}

impl Conn {
    fn close(mut self) {
        if let Some(c) = self.close.take() {
            let _ = c.send(());
        }
    }
}

#[derive(Debug)]
struct Slot {
    session: Session,
    conn: Option<Conn>,
    connecting: Option<u64>,
}

impl Slot {
    fn new(cfg: SessionConfig) -> Slot {
        Slot {
            session: Session::new(cfg),
            conn: None,
            connecting: None,
        }
    }
}

struct Task {
    spec: PeerSpec,
    slots: Vec<Slot>,
    ev_tx: mpsc::UnboundedSender<Ev>,
    cmd_tx: mpsc::UnboundedSender<PeerCmd>,
    rib: mpsc::UnboundedSender<RibCmd>,
    status: StatusMap,
    next_conn: u64,
    shutting_down: bool,
    /// Input read but not yet applied to the RIB ([`INPUT_BUDGET`]).
    budget: Arc<Semaphore>,
    /// The credit of the bytes being handled, given to the UPDATE they
    /// complete.
    credit: Option<Credit>,
    /// The peer's graceful restart capability in the established session.
    peer_gr: Option<GracefulRestart>,
    /// Both sides set the N bit of graceful restart (RFC 8538).
    gr_notification: bool,
}

/// Run the peer task until shutdown. `cmd_tx`/`cmd_rx` is the task's own
/// command channel (the listener and the RIB hold senders).
pub async fn run(
    spec: PeerSpec,
    cmd_tx: mpsc::UnboundedSender<PeerCmd>,
    mut cmd_rx: mpsc::UnboundedReceiver<PeerCmd>,
    rib: mpsc::UnboundedSender<RibCmd>,
    status: StatusMap,
) {
    let (ev_tx, mut ev_rx) = mpsc::unbounded_channel();
    let mut t = Task {
        slots: vec![Slot::new(spec.session.clone())],
        spec,
        ev_tx,
        cmd_tx,
        rib,
        status,
        next_conn: 0,
        shutting_down: false,
        budget: Arc::new(Semaphore::new(INPUT_BUDGET)),
        credit: None,
        peer_gr: None,
        gr_notification: false,
    };
    if let Some(s) = t.slots.first_mut() {
        s.session.handle(now(), Input::ManualStart);
    }
    t.after_event();
    loop {
        let next = t
            .slots
            .iter()
            .filter_map(|s| s.session.poll_timeout())
            .min();
        let ev = tokio::select! {
            c = cmd_rx.recv() => match c {
                Some(c) => Ev::Cmd(c),
                None => Ev::Cmd(PeerCmd::Shutdown),
            },
            e = ev_rx.recv() => match e {
                Some(e) => e,
                None => break,
            },
            () = sleep_until(next) => {
                let n = now();
                for s in &mut t.slots {
                    s.session.handle_timeout(n);
                }
                t.after_event();
                continue;
            }
        };
        t.event(ev);
        t.after_event();
        // Bytes that completed no UPDATE (KEEPALIVEs, part of a message)
        // are free again.
        t.credit = None;
        if t.shutting_down
            && t.slots
                .iter()
                .all(|s| s.conn.is_none() && s.session.state() == State::Idle)
        {
            break;
        }
    }
    debug!(peer = %t.spec.address, "peer task done");
}

async fn sleep_until(t: Option<vtepd_bgp_evpn::session::Timestamp>) {
    match t {
        Some(t) => tokio::time::sleep_until(deadline(t)).await,
        None => std::future::pending().await,
    }
}

impl Task {
    fn event(&mut self, ev: Ev) {
        let n = now();
        match ev {
            Ev::Cmd(PeerCmd::Accepted(stream)) => self.accepted(stream),
            Ev::Cmd(PeerCmd::Send(out, ups)) => {
                // Only on the connection they were made for.
                if let Some(s) = self.slots.iter_mut().find(|s| {
                    s.session.state() == State::Established
                        && s.conn.as_ref().is_some_and(|c| Arc::ptr_eq(&c.out, &out))
                }) {
                    let mut msgs = Vec::with_capacity(ups.len());
                    for u in &ups {
                        super::rib::push_fitting(&mut msgs, u, s.session.codec_context());
                    }
                    for m in &msgs {
                        if let Err(e) = s.session.send(n, m) {
                            warn!(peer = %self.spec.address, "cannot send UPDATE: {e}");
                        }
                    }
                }
            }
            Ev::Cmd(PeerCmd::Stop(c)) => {
                for s in &mut self.slots {
                    s.session.handle(n, Input::Stop(c));
                }
            }
            Ev::Cmd(PeerCmd::PeerAddress(a)) => {
                // A learnt address is used by the next connection attempt;
                // an established session keeps running on its own.
                self.spec.address = IpAddr::V6(a.unwrap_or(Ipv6Addr::UNSPECIFIED));
            }
            Ev::Cmd(PeerCmd::Deconfigure(c)) => {
                self.shutting_down = true;
                for s in &mut self.slots {
                    s.session.handle(n, Input::Stop(c));
                }
            }
            Ev::Cmd(PeerCmd::Shutdown) => {
                self.shutting_down = true;
                for s in &mut self.slots {
                    s.session.handle(n, Input::ManualStop);
                }
            }
            Ev::Connected(id, res) => {
                let Some(i) = self.slots.iter().position(|s| s.connecting == Some(id)) else {
                    return; // stale: the session moved on
                };
                match res {
                    Ok(stream) => {
                        let conn = self.attach(stream);
                        if let Some(s) = self.slots.get_mut(i) {
                            s.connecting = None;
                            if let Some(old) = s.conn.replace(conn) {
                                old.close();
                            }
                            s.session.handle(n, Input::TcpConnected);
                        }
                    }
                    Err(e) => {
                        debug!(peer = %self.spec.address, "connect failed: {e}");
                        if let Some(s) = self.slots.get_mut(i) {
                            s.connecting = None;
                            s.session.handle(n, Input::TcpFailed);
                        }
                    }
                }
            }
            Ev::Read(id, bytes, credit) => {
                match &mut self.credit {
                    Some(c) => c.merge(credit),
                    None => self.credit = Some(credit),
                }
                if let Some(s) = self
                    .slots
                    .iter_mut()
                    .find(|s| s.conn.as_ref().is_some_and(|c| c.id == id))
                {
                    s.session.handle(n, Input::Bytes(&bytes));
                }
            }
            Ev::Closed(id) => {
                if let Some(s) = self
                    .slots
                    .iter_mut()
                    .find(|s| s.conn.as_ref().is_some_and(|c| c.id == id))
                {
                    if let Some(c) = s.conn.take() {
                        c.close();
                    }
                    s.session.handle(n, Input::TcpClosed);
                }
            }
        }
    }

    fn accepted(&mut self, stream: TcpStream) {
        let n = now();
        if self.shutting_down {
            return;
        }
        if self.spec.interface.is_some() {
            if let Ok(SocketAddr::V6(from)) = stream.peer_addr() {
                if self.spec.address != IpAddr::V6(*from.ip()) {
                    info!(peer = %from.ip(), "unnumbered peer learnt from its connection");
                    self.spec.address = IpAddr::V6(*from.ip());
                }
            }
        }
        let main_free = self.slots.first().is_some_and(|s| {
            s.conn.is_none()
                && matches!(
                    s.session.state(),
                    State::Connect | State::Active | State::Idle
                )
        });
        if main_free {
            let conn = self.attach(stream);
            if let Some(s) = self.slots.first_mut() {
                // An outgoing attempt in flight is abandoned: its result
                // will find no slot waiting for it.
                s.connecting = None;
                s.conn = Some(conn);
                s.session.handle(n, Input::TcpAccepted);
            }
        } else if self.slots.len() == 1 {
            // A collision: the incoming connection gets its own session.
            let mut cfg = self.spec.session.clone();
            cfg.passive = true;
            let mut slot = Slot::new(cfg);
            slot.conn = Some(self.attach(stream));
            slot.session.handle(n, Input::ManualStart);
            slot.session.handle(n, Input::TcpAccepted);
            self.slots.push(slot);
        } else {
            debug!(peer = %self.spec.address, "third connection refused");
        }
    }

    /// Start the reader and writer of a new connection.
    fn attach(&mut self, stream: TcpStream) -> Conn {
        self.next_conn += 1;
        let id = self.next_conn;
        let _ = stream.set_nodelay(true);
        let (mut rd, mut wr) = stream.into_split();
        let (tx, mut rx) = mpsc::unbounded_channel::<Vec<u8>>();
        let out = Arc::new(OutQueue::default());
        let (close_tx, mut close_rx) = oneshot::channel::<()>();
        let ev = self.ev_tx.clone();
        let budget = self.budget.clone();
        tokio::spawn(async move {
            let mut buf = vec![0u8; READ_CHUNK];
            loop {
                // Read only with room in the peer's input budget: a peer
                // faster than the RIB waits in TCP flow control.
                let permit = tokio::select! {
                    p = budget.clone().acquire_many_owned(READ_CHUNK as u32) => match p {
                        Ok(p) => p,
                        Err(_) => break,
                    },
                    _ = &mut close_rx => break,
                };
                tokio::select! {
                    r = rd.read(&mut buf) => match r {
                        Ok(0) | Err(_) => {
                            let _ = ev.send(Ev::Closed(id));
                            return;
                        }
                        Ok(n) => {
                            // Keep the n bytes read; give back the rest.
                            permit.forget();
                            budget.add_permits(READ_CHUNK - n);
                            let credit = Credit::new(budget.clone(), n);
                            let bytes = buf.get(..n).unwrap_or(&[]).to_vec();
                            let _ = ev.send(Ev::Read(id, bytes, credit));
                        }
                    },
                    _ = &mut close_rx => break,
                }
            }
            // Closing: drain what the peer still sends (so the close is a
            // FIN after our NOTIFICATION, not a reset) for a short while.
            let until = tokio::time::Instant::now() + Duration::from_secs(2);
            while let Ok(Ok(n)) = tokio::time::timeout_at(until, rd.read(&mut buf)).await {
                if n == 0 {
                    break;
                }
            }
        });
        let (queue, rib, peer) = (out.clone(), self.rib.clone(), self.spec.id);
        tokio::spawn(async move {
            while let Some(b) = rx.recv().await {
                if wr.write_all(&b).await.is_err() {
                    return;
                }
                let left = queue
                    .bytes
                    .fetch_sub(b.len(), Ordering::SeqCst)
                    .saturating_sub(b.len());
                if left <= OUT_LOW && queue.held.swap(false, Ordering::SeqCst) {
                    let _ = rib.send(RibCmd::Drained { id: peer });
                }
            }
            // The sender is gone: the connection is closed by us.
            let _ = wr.shutdown().await;
        });
        Conn {
            id,
            tx,
            out,
            close: Some(close_tx),
        }
    }

    fn connect(&mut self, slot: usize) {
        self.next_conn += 1;
        let id = self.next_conn;
        if let Some(s) = self.slots.get_mut(slot) {
            s.connecting = Some(id);
        }
        let addr = match (&self.spec.interface, self.spec.address) {
            (Some((_, ifindex)), IpAddr::V6(a)) => {
                SocketAddr::V6(SocketAddrV6::new(a, self.spec.port, 0, *ifindex))
            }
            (_, a) => SocketAddr::new(a, self.spec.port),
        };
        let limit = self.spec.session.connect_retry.max(Duration::from_secs(1));
        let ev = self.ev_tx.clone();
        tokio::spawn(async move {
            if addr.ip().is_unspecified() {
                // Unnumbered, peer not learnt yet.
                let e = io::Error::new(io::ErrorKind::NotFound, "peer address not learnt yet");
                let _ = ev.send(Ev::Connected(id, Err(e)));
                return;
            }
            let r = match tokio::time::timeout(limit, TcpStream::connect(addr)).await {
                Ok(r) => r,
                Err(_) => Err(io::Error::new(io::ErrorKind::TimedOut, "connect timed out")),
            };
            let _ = ev.send(Ev::Connected(id, r));
        });
    }

    /// Drain every session's actions, arbitrate collisions, publish status.
    fn after_event(&mut self) {
        loop {
            let mut any = false;
            for i in 0..self.slots.len() {
                while let Some(a) = self.slots.get_mut(i).and_then(|s| s.session.poll_action()) {
                    any = true;
                    self.action(i, a);
                }
            }
            if self.slots.len() == 2 {
                let loser = match (self.slots.first(), self.slots.get(1)) {
                    (Some(a), Some(b)) => resolve_collision(&a.session, &b.session),
                    _ => None,
                };
                if let Some(l) = loser {
                    let i = match l {
                        CollisionLoser::First => 0,
                        CollisionLoser::Second => 1,
                    };
                    info!(peer = %self.spec.address, "connection collision: closing the {} connection",
                        if i == 0 { "first" } else { "second" });
                    if let Some(s) = self.slots.get_mut(i) {
                        s.session
                            .handle(now(), Input::Stop(Cease::ConnectionCollision));
                    }
                    any = true;
                }
                // A finished second session goes; a finished first one is
                // replaced by the second.
                let idle = |s: &Slot| s.session.state() == State::Idle && s.conn.is_none();
                if self.slots.get(1).is_some_and(idle) {
                    self.slots.truncate(1);
                } else if self.slots.first().is_some_and(idle) {
                    self.slots.remove(0);
                }
            }
            if !any {
                break;
            }
        }
        self.publish();
    }

    fn action(&mut self, i: usize, a: Action) {
        let addr = self.spec.address;
        match a {
            Action::Connect => self.connect(i),
            Action::Send(b) => {
                if let Some(c) = self.slots.get(i).and_then(|s| s.conn.as_ref()) {
                    c.out.bytes.fetch_add(b.len(), Ordering::SeqCst);
                    let _ = c.tx.send(b);
                }
            }
            Action::CloseConnection => {
                if let Some(s) = self.slots.get_mut(i) {
                    s.connecting = None;
                    if let Some(c) = s.conn.take() {
                        c.close();
                    }
                }
            }
            Action::Established(info) => {
                let fams: Vec<String> = info
                    .negotiated
                    .families
                    .iter()
                    .map(|f| family_name(*f))
                    .collect();
                info!(peer = %addr, peer_as = %info.peer_as, router_id = %info.peer_router_id,
                    hold = info.hold_time, families = ?fams, "session established");
                self.peer_gr = info.negotiated.peer_graceful_restart.clone();
                self.gr_notification = info.negotiated.graceful_notification;
                let _ = self.rib.send(RibCmd::PeerUp {
                    id: self.spec.id,
                    address: addr,
                    peer_as: info.peer_as,
                    session: PeerSession {
                        router_id: info.peer_router_id,
                        families: info.negotiated.families.clone(),
                    },
                    ctx: info.negotiated.ctx.clone(),
                    tx: self.cmd_tx.clone(),
                    out: self
                        .slots
                        .get(i)
                        .and_then(|s| s.conn.as_ref())
                        .map_or_else(Default::default, |c| c.out.clone()),
                    graceful_restart: self.peer_gr.clone(),
                });
                if let Ok(mut m) = self.status.lock() {
                    if let Some(st) = m.get_mut(&self.spec.id.0) {
                        st.up_since = Some(Instant::now());
                        st.families = fams;
                        st.peer_as = Some(info.peer_as.0);
                        st.peer_router_id = Some(info.peer_router_id.to_string());
                        st.hold_time = info.hold_time;
                    }
                }
            }
            Action::Down {
                reason,
                was_established,
            } => {
                // A Hard Reset (RFC 8538) names the NOTIFICATION it carries.
                let inner = |n: &vtepd_bgp_evpn::message::Notification| match n.data.get(..2) {
                    Some([c, s]) if n.is_hard_reset() => format!(" (Hard Reset of {c}/{s})"),
                    _ => String::new(),
                };
                let text = match &reason {
                    DownReason::NotificationSent(n) => {
                        format!("NOTIFICATION sent {}/{}{}", n.code, n.subcode, inner(n))
                    }
                    DownReason::NotificationReceived(n) => {
                        format!("NOTIFICATION received {}/{}{}", n.code, n.subcode, inner(n))
                    }
                    DownReason::ConnectionClosed => "connection closed".to_owned(),
                };
                if self.spec.dynamic {
                    self.shutting_down = true;
                }
                let peer_gr = if was_established {
                    self.peer_gr.take()
                } else {
                    None
                };
                let down = after_down(
                    &reason,
                    was_established,
                    self.gr_notification,
                    peer_gr.as_ref(),
                    self.spec.dynamic,
                );
                match &down {
                    AfterDown::Keep(_, t) => warn!(peer = %addr,
                        "session down: {text}; graceful restart: its routes kept as stale for {t} s"),
                    AfterDown::Flush if was_established => {
                        warn!(peer = %addr, "session down: {text}")
                    }
                    _ => info!(peer = %addr, "session attempt failed: {text}"),
                }
                match down {
                    AfterDown::Keep(fams, t) => {
                        let _ = self.rib.send(RibCmd::PeerDown {
                            id: self.spec.id,
                            graceful: Some((fams, t)),
                        });
                    }
                    AfterDown::Flush => {
                        let _ = self.rib.send(RibCmd::PeerDown {
                            id: self.spec.id,
                            graceful: None,
                        });
                    }
                    AfterDown::Nothing => {}
                }
                if let Ok(mut m) = self.status.lock() {
                    if let Some(st) = m.get_mut(&self.spec.id.0) {
                        match &reason {
                            DownReason::NotificationSent(n) => {
                                st.last_notification_sent = Some((n.code, n.subcode));
                            }
                            DownReason::NotificationReceived(n) => {
                                st.last_notification_received = Some((n.code, n.subcode));
                            }
                            DownReason::ConnectionClosed => {}
                        }
                        st.last_error = Some(text);
                        if was_established {
                            st.up_since = None;
                            st.down_since = Some(Instant::now());
                        }
                    }
                }
            }
            Action::Update {
                update,
                attr_errors,
            } => {
                for e in &attr_errors {
                    warn!(peer = %addr, type_code = e.type_code, action = ?e.action,
                        "UPDATE attribute error: {}", e.reason);
                }
                // Keys and attributes are made here, beside the RIB task,
                // with this session's codec context (2- or 4-octet AS).
                let Some(slot) = self.slots.get(i) else {
                    return;
                };
                let prepared = prepare_update(update, &attr_errors, slot.session.codec_context());
                let _ = self.rib.send(RibCmd::Update {
                    id: self.spec.id,
                    update: Box::new(prepared),
                    credit: self.credit.take(),
                });
            }
            Action::RouteRefresh(rr) => {
                debug!(peer = %addr, family = %rr.family, "route refresh requested");
                let _ = self.rib.send(RibCmd::Refresh {
                    id: self.spec.id,
                    family: rr.family,
                    credit: self.credit.take(),
                });
            }
        }
    }

    fn publish(&self) {
        let Some(main) = self
            .slots
            .iter()
            .find(|s| s.session.state() == State::Established)
            .or(self.slots.first())
        else {
            return;
        };
        let st = main.session.stats();
        if let Ok(mut m) = self.status.lock() {
            if let Some(p) = m.get_mut(&self.spec.id.0) {
                p.state = main.session.state().to_string();
                p.messages_in = st.messages_in;
                p.messages_out = st.messages_out;
                p.updates_in = st.updates_in;
                p.updates_out = st.updates_out;
                p.established = st.established;
                p.drops = st.drops;
            }
        }
    }
}

/// What a session's end means for the peer's routes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum AfterDown {
    /// Keep them as stale, for these families and seconds (graceful restart).
    Keep(Vec<vtepd_bgp_evpn::types::AddressFamily>, u16),
    /// Remove them, with any kept stale from an earlier session.
    Flush,
    /// Nothing to do (a session attempt that never came up).
    Nothing,
}

/// The graceful-restart decision when a session ends for `reason`.
///
/// - Established, lost without a NOTIFICATION, to a peer that advertised
///   graceful restart with families and a restart time: keep (RFC 4724
///   §4.2). With the N bit on both sides (`notification`, RFC 8538 §4), the
///   same after a NOTIFICATION sent or received, unless it is a Hard Reset.
/// - Established otherwise: flush.
/// - Not established: nothing, except that a Hard Reset while the session
///   was coming back flushes what the last one left stale.
/// - Dynamic (listen-range) neighbours: never kept (their id ends with the
///   session).
fn after_down(
    reason: &DownReason,
    was_established: bool,
    notification: bool,
    peer_gr: Option<&GracefulRestart>,
    dynamic: bool,
) -> AfterDown {
    let hard = match reason {
        DownReason::NotificationSent(n) | DownReason::NotificationReceived(n) => n.is_hard_reset(),
        DownReason::ConnectionClosed => false,
    };
    if !was_established {
        return if hard {
            AfterDown::Flush
        } else {
            AfterDown::Nothing
        };
    }
    let graceful_reason = match reason {
        DownReason::ConnectionClosed => true,
        _ => notification && !hard,
    };
    match peer_gr {
        Some(gr)
            if graceful_reason && gr.restart_time > 0 && !gr.families.is_empty() && !dynamic =>
        {
            AfterDown::Keep(
                gr.families.iter().map(|f| f.family).collect(),
                gr.restart_time,
            )
        }
        _ => AfterDown::Flush,
    }
}

#[cfg(test)]
mod after_down_tests {
    use super::*;
    use vtepd_bgp_evpn::capability::GracefulRestartFamily;
    use vtepd_bgp_evpn::message::Notification;
    use vtepd_bgp_evpn::types::AddressFamily;

    #[test]
    fn graceful_restart_decisions() {
        let gr = GracefulRestart {
            flags: GracefulRestart::NOTIFICATION,
            restart_time: 120,
            families: vec![GracefulRestartFamily {
                family: AddressFamily::IPV4_UNICAST,
                flags: 0x80,
            }],
        };
        let keep = AfterDown::Keep(vec![AddressFamily::IPV4_UNICAST], 120);
        let closed = DownReason::ConnectionClosed;
        let hold = DownReason::NotificationSent(Notification::new(4, 0, Vec::new()));
        let cease = DownReason::NotificationReceived(Notification::cease(2));
        let hard =
            DownReason::NotificationReceived(Notification::hard_reset(&Notification::cease(2)));
        let hard_sent =
            DownReason::NotificationSent(Notification::hard_reset(&Notification::cease(3)));
        let g = Some(&gr);
        // (reason, established, N on both sides, peer's GR, dynamic) -> decision
        let cases = [
            (&closed, true, false, g, false, keep.clone()),
            (&closed, true, true, g, false, keep.clone()),
            (&hold, true, false, g, false, AfterDown::Flush),
            (&hold, true, true, g, false, keep.clone()),
            (&cease, true, true, g, false, keep.clone()),
            (&hard, true, true, g, false, AfterDown::Flush),
            (&hard_sent, true, true, g, false, AfterDown::Flush),
            (&closed, true, true, None, false, AfterDown::Flush),
            (&closed, true, true, g, true, AfterDown::Flush),
            (&hold, false, true, g, false, AfterDown::Nothing),
            (&closed, false, true, g, false, AfterDown::Nothing),
            (&hard, false, true, g, false, AfterDown::Flush),
        ];
        for (i, (reason, est, n, peer, dynamic, want)) in cases.into_iter().enumerate() {
            assert_eq!(after_down(reason, est, n, peer, dynamic), want, "case {i}");
        }
        let mut no_fams = gr.clone();
        no_fams.families.clear();
        assert_eq!(
            after_down(&closed, true, true, Some(&no_fams), false),
            AfterDown::Flush
        );
    }
}
