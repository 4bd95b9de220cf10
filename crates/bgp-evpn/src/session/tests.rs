//! Session tests: two sessions wired back to back on a virtual clock, and
//! hand-made messages for the error paths.

use super::*;
use crate::iana::header_subcode;
use crate::message::Decoded;
use core::net::Ipv4Addr;

fn rid(n: u8) -> RouterId {
    RouterId(Ipv4Addr::new(10, 0, 0, n))
}

fn cfg(local: u32, id: u8, peer: u32) -> SessionConfig {
    let mut c = SessionConfig::new(Asn(local), rid(id), Some(Asn(peer)));
    c.families = vec![AddressFamily::L2VPN_EVPN, AddressFamily::IPV4_UNICAST];
    c
}

/// What one side produced during a pump, apart from bytes.
#[derive(Debug, Default)]
struct Seen {
    connects: usize,
    closes: usize,
    established: Vec<EstablishedInfo>,
    downs: Vec<(DownReason, bool)>,
    updates: Vec<Update>,
    refreshes: Vec<RouteRefresh>,
    sent: Vec<Message>,
}

/// Two sessions and the TCP connection between them.
struct Pair {
    a: Session,
    b: Session,
    now: Timestamp,
    connected: bool,
    /// Drop everything B sends (a peer that went silent).
    mute_b: bool,
    /// Deliver bytes one at a time (partial reads).
    trickle: bool,
    seen_a: Seen,
    seen_b: Seen,
}

fn decode_all(bytes: &[u8]) -> Vec<Message> {
    let mut out = Vec::new();
    let mut rest = bytes;
    // The peer's context does not matter for what the FSM itself sends.
    let ctx = CodecContext::four_octet();
    while let Ok(Some(n)) = frame_len(rest, &ctx) {
        let (m, r) = rest.split_at(n);
        let d: Decoded = Message::decode(m, &ctx).unwrap();
        out.push(d.message);
        rest = r;
    }
    assert!(rest.is_empty(), "partial message in a Send action");
    out
}

impl Pair {
    fn new(a: SessionConfig, b: SessionConfig) -> Pair {
        Pair {
            a: Session::new(a),
            b: Session::new(b),
            now: Timestamp::ZERO,
            connected: false,
            mute_b: false,
            trickle: false,
            seen_a: Seen::default(),
            seen_b: Seen::default(),
        }
    }

    /// Move actions between the two until both are quiet.
    fn pump(&mut self) {
        for _ in 0..10_000 {
            let mut progress = false;
            while let Some(act) = self.a.poll_action() {
                progress = true;
                let now = self.now;
                match act {
                    Action::Connect => {
                        self.seen_a.connects += 1;
                        if !self.connected {
                            self.connected = true;
                            self.a.handle(now, Input::TcpConnected);
                            self.b.handle(now, Input::TcpAccepted);
                        }
                    }
                    Action::Send(bytes) => {
                        self.seen_a.sent.extend(decode_all(&bytes));
                        if self.connected {
                            if self.trickle {
                                for x in &bytes {
                                    self.b.handle(now, Input::Bytes(core::slice::from_ref(x)));
                                }
                            } else {
                                self.b.handle(now, Input::Bytes(&bytes));
                            }
                        }
                    }
                    Action::CloseConnection => {
                        self.seen_a.closes += 1;
                        if self.connected {
                            self.connected = false;
                            self.b.handle(now, Input::TcpClosed);
                        }
                    }
                    other => record(&mut self.seen_a, other),
                }
            }
            while let Some(act) = self.b.poll_action() {
                progress = true;
                let now = self.now;
                match act {
                    Action::Connect => self.seen_b.connects += 1,
                    Action::Send(bytes) => {
                        self.seen_b.sent.extend(decode_all(&bytes));
                        if self.connected && !self.mute_b {
                            self.a.handle(now, Input::Bytes(&bytes));
                        }
                    }
                    Action::CloseConnection => {
                        self.seen_b.closes += 1;
                        if self.connected {
                            self.connected = false;
                            self.a.handle(now, Input::TcpClosed);
                        }
                    }
                    other => record(&mut self.seen_b, other),
                }
            }
            if !progress {
                return;
            }
        }
        panic!("sessions did not settle");
    }

    /// Advance the clock to `until`, firing timers in order.
    fn run_until(&mut self, until: Timestamp) {
        loop {
            let next = [self.a.poll_timeout(), self.b.poll_timeout()]
                .into_iter()
                .flatten()
                .min();
            match next {
                Some(t) if t <= until => {
                    self.now = self.now.max(t);
                    let now = self.now;
                    self.a.handle_timeout(now);
                    self.b.handle_timeout(now);
                    self.pump();
                }
                _ => break,
            }
        }
        self.now = until;
    }

    fn establish(&mut self) {
        self.b.handle(self.now, Input::ManualStart);
        self.a.handle(self.now, Input::ManualStart);
        self.pump();
        assert_eq!(self.a.state(), State::Established);
        assert_eq!(self.b.state(), State::Established);
    }
}

fn record(seen: &mut Seen, act: Action) {
    match act {
        Action::Established(info) => seen.established.push(*info),
        Action::Down {
            reason,
            was_established,
        } => seen.downs.push((reason, was_established)),
        Action::Update { update, .. } => seen.updates.push(update),
        Action::RouteRefresh(r) => seen.refreshes.push(r),
        Action::Connect | Action::Send(_) | Action::CloseConnection => {}
    }
}

fn ibgp_pair() -> Pair {
    let a = cfg(65000, 1, 65000);
    let mut b = cfg(65000, 2, 65000);
    b.passive = true;
    b.hold_time = 30;
    Pair::new(a, b)
}

#[test]
fn back_to_back_reaches_established() {
    let mut p = ibgp_pair();
    p.establish();
    for (seen, peer_id) in [(&p.seen_a, rid(2)), (&p.seen_b, rid(1))] {
        assert_eq!(seen.established.len(), 1);
        let info = &seen.established[0];
        assert_eq!(info.hold_time, 30, "min(90, 30)");
        assert_eq!(info.peer_router_id, peer_id);
        assert_eq!(info.peer_as, Asn(65000));
        assert!(info.negotiated.ctx.four_octet_as);
        assert_eq!(info.negotiated.ctx.peer, PeerKind::Internal);
        assert_eq!(
            info.negotiated.families,
            vec![AddressFamily::L2VPN_EVPN, AddressFamily::IPV4_UNICAST]
        );
        assert!(info.negotiated.route_refresh);
    }
    assert_eq!(p.seen_a.connects, 1);
    assert_eq!(p.seen_b.connects, 0, "passive side never connects");
    // Each side sent OPEN then KEEPALIVE.
    assert!(matches!(p.seen_a.sent[0], Message::Open(_)));
    assert_eq!(p.seen_a.sent[1], Message::Keepalive);
    assert_eq!(p.a.hold_time(), Duration::from_secs(30));
    assert_eq!(
        p.a.timer(Timer::Keepalive),
        Some(Timestamp::from_secs(10)),
        "keepalive every hold/3"
    );
}

#[test]
fn partial_reads_are_framed() {
    let mut p = ibgp_pair();
    p.trickle = true;
    p.establish();
    assert_eq!(p.b.stats().messages_in, 2);
}

#[test]
fn keepalives_keep_the_session_up() {
    let mut p = ibgp_pair();
    p.establish();
    p.run_until(Timestamp::from_secs(600));
    assert_eq!(p.a.state(), State::Established);
    assert_eq!(p.b.state(), State::Established);
    let ka = |s: &Seen| s.sent.iter().filter(|m| **m == Message::Keepalive).count();
    // 600 s / 10 s, plus the one that answered the OPEN.
    assert_eq!(ka(&p.seen_a), 61);
    assert_eq!(ka(&p.seen_b), 61);
    assert!(p.seen_a.downs.is_empty());
}

#[test]
fn hold_timer_expiry_sends_4_0() {
    let mut p = ibgp_pair();
    p.establish();
    p.mute_b = true;
    p.run_until(Timestamp::from_secs(30));
    assert_eq!(p.a.state(), State::Idle);
    let n = Notification::hold_timer_expired();
    assert_eq!(
        p.seen_a.sent.last(),
        Some(&Message::Notification(n.clone()))
    );
    assert_eq!(
        p.seen_a.downs,
        vec![(DownReason::NotificationSent(n.clone()), true)]
    );
    // B received it and went down too.
    assert_eq!(
        p.seen_b.downs,
        vec![(DownReason::NotificationReceived(n), true)]
    );
    // Both restart after IdleHold (1 s); passive B then waits in Active.
    assert_eq!(p.a.timer(Timer::IdleHold), Some(Timestamp::from_secs(31)));
    assert_eq!(p.b.state(), State::Idle);
    assert_eq!(p.b.timer(Timer::IdleHold), Some(Timestamp::from_secs(31)));
    p.mute_b = false;
    p.run_until(Timestamp::from_secs(32));
    assert_eq!(p.a.state(), State::Established);
    assert_eq!(p.b.state(), State::Established);
}

#[test]
fn hold_time_zero_means_no_keepalives() {
    let mut a = cfg(65000, 1, 65001);
    a.hold_time = 0;
    let mut b = cfg(65001, 2, 65000);
    b.passive = true;
    let mut p = Pair::new(a, b);
    p.establish();
    assert_eq!(p.seen_a.established[0].hold_time, 0);
    assert_eq!(
        p.seen_a.established[0].negotiated.ctx.peer,
        PeerKind::External
    );
    assert_eq!(p.a.poll_timeout(), None);
    assert_eq!(p.b.poll_timeout(), None);
    p.run_until(Timestamp::from_secs(3600));
    assert_eq!(p.a.state(), State::Established);
    let ka = p
        .seen_a
        .sent
        .iter()
        .filter(|m| **m == Message::Keepalive)
        .count();
    assert_eq!(ka, 1);
}

/// Drive one session to OpenSent and return it with its actions drained.
fn open_sent(c: SessionConfig) -> Session {
    let mut s = Session::new(c);
    s.handle(Timestamp::ZERO, Input::ManualStart);
    s.handle(Timestamp::ZERO, Input::TcpConnected);
    while s.poll_action().is_some() {}
    assert_eq!(s.state(), State::OpenSent);
    s
}

fn sent_notification(s: &mut Session) -> Option<(u8, u8)> {
    let mut out = None;
    while let Some(a) = s.poll_action() {
        if let Action::Send(b) = a {
            for m in decode_all(&b) {
                if let Message::Notification(n) = m {
                    out = Some((n.code, n.subcode));
                }
            }
        }
    }
    out
}

fn open_bytes(open: &Open) -> Vec<u8> {
    Message::Open(open.clone())
        .to_vec(&CodecContext::default())
        .unwrap()
}

#[test]
fn bad_opens_get_2_x() {
    let ours = cfg(65000, 1, 65000);
    let good = cfg(65000, 2, 65000).open();
    let cases: Vec<(Vec<u8>, u8)> = vec![
        // Wrong AS.
        (
            open_bytes(&cfg(65009, 2, 65000).open()),
            open_subcode::BAD_PEER_AS,
        ),
        // Our own identifier on an internal session.
        (
            open_bytes(&Open {
                bgp_id: rid(1),
                ..good.clone()
            }),
            open_subcode::BAD_BGP_IDENTIFIER,
        ),
        // Identifier zero (the codec rejects it).
        (
            open_bytes(&Open {
                bgp_id: RouterId(Ipv4Addr::UNSPECIFIED),
                ..good.clone()
            }),
            open_subcode::BAD_BGP_IDENTIFIER,
        ),
        // Hold time 1 and 2.
        (
            open_bytes(&Open {
                hold_time: 1,
                ..good.clone()
            }),
            open_subcode::UNACCEPTABLE_HOLD_TIME,
        ),
        (
            open_bytes(&Open {
                hold_time: 2,
                ..good.clone()
            }),
            open_subcode::UNACCEPTABLE_HOLD_TIME,
        ),
        // Version 3.
        (
            {
                let mut b = open_bytes(&good);
                b[19] = 3;
                b
            },
            open_subcode::UNSUPPORTED_VERSION,
        ),
        // 4-octet capability disagreeing with My AS.
        (
            open_bytes(&Open {
                my_as: 65001,
                ..good.clone()
            }),
            open_subcode::BAD_PEER_AS,
        ),
    ];
    for (i, (bytes, sub)) in cases.into_iter().enumerate() {
        let mut s = open_sent(ours.clone());
        s.handle(Timestamp::ZERO, Input::Bytes(&bytes));
        assert_eq!(
            sent_notification(&mut s),
            Some((error_code::OPEN_MESSAGE, sub)),
            "case {i}"
        );
        assert_eq!(s.state(), State::Idle, "case {i}");
    }
    // The same identifier from an external peer is fine (RFC 6286 §2.2).
    let mut s = open_sent(cfg(65000, 1, 65001));
    let open = Open {
        bgp_id: rid(1),
        ..cfg(65001, 1, 65000).open()
    };
    s.handle(Timestamp::ZERO, Input::Bytes(&open_bytes(&open)));
    assert_eq!(sent_notification(&mut s), None);
    assert_eq!(s.state(), State::OpenConfirm);
}

#[test]
fn four_octet_as_and_as_trans() {
    let big = Asn(4_200_000_001);
    let mut s = open_sent(cfg(65000, 1, big.0));
    let peer = SessionConfig::new(big, rid(2), Some(Asn(65000))).open();
    assert_eq!(peer.my_as, 23456);
    s.handle(Timestamp::ZERO, Input::Bytes(&open_bytes(&peer)));
    assert_eq!(sent_notification(&mut s), None);
    assert_eq!(s.state(), State::OpenConfirm);
    // Without the capability, a configured 4-octet AS cannot match.
    let mut s = open_sent(cfg(65000, 1, big.0));
    let old = Open::new(big, 90, rid(2), vec![]);
    s.handle(Timestamp::ZERO, Input::Bytes(&open_bytes(&old)));
    assert_eq!(
        sent_notification(&mut s),
        Some((error_code::OPEN_MESSAGE, open_subcode::BAD_PEER_AS))
    );
    // A dynamic neighbour accepts any AS.
    let mut c = cfg(65000, 1, 1);
    c.peer_as = None;
    let mut s = open_sent(c);
    s.handle(Timestamp::ZERO, Input::Bytes(&open_bytes(&peer)));
    assert_eq!(s.state(), State::OpenConfirm);
    assert_eq!(s.negotiated().unwrap().ctx.peer, PeerKind::External);
    // `remote-as external`: any AS but our own.
    let mut c = cfg(65000, 1, 1);
    c.peer_as = None;
    c.peer_kind = Some(PeerKind::External);
    let mut s = open_sent(c.clone());
    s.handle(Timestamp::ZERO, Input::Bytes(&open_bytes(&peer)));
    assert_eq!(s.state(), State::OpenConfirm);
    let mut s = open_sent(c);
    let internal = Open::new(
        Asn(65000),
        90,
        rid(2),
        vec![Capability::FourOctetAs(Asn(65000))],
    );
    s.handle(Timestamp::ZERO, Input::Bytes(&open_bytes(&internal)));
    assert_eq!(
        sent_notification(&mut s),
        Some((error_code::OPEN_MESSAGE, open_subcode::BAD_PEER_AS))
    );
}

#[test]
fn header_errors_get_1_x() {
    let keepalive = Message::Keepalive.to_vec(&CodecContext::default()).unwrap();
    let mut bad_marker = keepalive.clone();
    bad_marker[3] = 0;
    let mut bad_len = keepalive.clone();
    bad_len[17] = 18;
    let mut bad_type = keepalive.clone();
    bad_type[18] = 9;
    let mut long_keepalive = keepalive.clone();
    long_keepalive[17] = 20;
    long_keepalive.push(0);
    for (bytes, sub) in [
        (bad_marker, header_subcode::CONNECTION_NOT_SYNCHRONIZED),
        (bad_len, header_subcode::BAD_MESSAGE_LENGTH),
        (bad_type, header_subcode::BAD_MESSAGE_TYPE),
        (long_keepalive, header_subcode::BAD_MESSAGE_LENGTH),
    ] {
        let mut s = open_sent(cfg(65000, 1, 65000));
        s.handle(Timestamp::ZERO, Input::Bytes(&bytes));
        assert_eq!(
            sent_notification(&mut s),
            Some((error_code::MESSAGE_HEADER, sub))
        );
    }
    // A bad header is caught before its body arrives.
    let mut s = open_sent(cfg(65000, 1, 65000));
    let mut b = vec![0xff; 16];
    b.extend_from_slice(&[0x20, 0x00, 2]);
    s.handle(Timestamp::ZERO, Input::Bytes(&b));
    assert_eq!(
        sent_notification(&mut s),
        Some((
            error_code::MESSAGE_HEADER,
            header_subcode::BAD_MESSAGE_LENGTH
        ))
    );
}

#[test]
fn unexpected_messages_get_fsm_errors() {
    // KEEPALIVE in OpenSent: 5/1 (RFC 6608).
    let mut s = open_sent(cfg(65000, 1, 65000));
    let ka = Message::Keepalive.to_vec(&CodecContext::default()).unwrap();
    s.handle(Timestamp::ZERO, Input::Bytes(&ka));
    assert_eq!(sent_notification(&mut s), Some((error_code::FSM, 1)));
    // UPDATE in OpenConfirm: 5/2.
    let mut s = open_sent(cfg(65000, 1, 65000));
    s.handle(
        Timestamp::ZERO,
        Input::Bytes(&open_bytes(&cfg(65000, 2, 65000).open())),
    );
    assert_eq!(sent_notification(&mut s), None);
    let up = Message::Update(Update::default())
        .to_vec(&CodecContext::default())
        .unwrap();
    s.handle(Timestamp::ZERO, Input::Bytes(&up));
    assert_eq!(sent_notification(&mut s), Some((error_code::FSM, 2)));
    // OPEN in Established: 5/3.
    let mut p = ibgp_pair();
    p.establish();
    let open = open_bytes(&cfg(65000, 2, 65000).open());
    p.a.handle(p.now, Input::Bytes(&open));
    assert_eq!(sent_notification(&mut p.a), Some((error_code::FSM, 3)));
    assert_eq!(p.a.state(), State::Idle);
}

#[test]
fn updates_and_refresh_flow_when_established() {
    let mut p = ibgp_pair();
    assert_eq!(
        p.a.send(p.now, &Message::Update(Update::default())),
        Err(SendError::NotEstablished)
    );
    p.establish();
    assert_eq!(
        p.a.send(p.now, &Message::Keepalive),
        Err(SendError::NotAllowed)
    );
    let eor = Update::default();
    p.a.send(p.now, &Message::Update(eor.clone())).unwrap();
    p.a.request_refresh(p.now, AddressFamily::L2VPN_EVPN)
        .unwrap();
    p.pump();
    assert_eq!(p.seen_b.updates, vec![eor]);
    assert_eq!(p.seen_b.refreshes.len(), 1);
    assert_eq!(p.seen_b.refreshes[0].family, AddressFamily::L2VPN_EVPN);
    assert_eq!(p.b.stats().updates_in, 1);
    assert_eq!(p.a.stats().updates_out, 1);
}

#[test]
fn stops_send_cease_subcodes() {
    for (input, sub, restarts) in [
        (Input::ManualStop, cease_subcode::ADMIN_SHUTDOWN, false),
        (
            Input::Stop(Cease::MaxPrefixes),
            cease_subcode::MAX_PREFIXES,
            false,
        ),
        (
            Input::Stop(Cease::PeerDeconfigured),
            cease_subcode::PEER_DECONFIGURED,
            false,
        ),
        (
            Input::Stop(Cease::AdminReset),
            cease_subcode::ADMIN_RESET,
            true,
        ),
        (
            Input::Stop(Cease::ConnectionRejected),
            cease_subcode::CONNECTION_REJECTED,
            false,
        ),
        (
            Input::Stop(Cease::ConnectionCollision),
            cease_subcode::CONNECTION_COLLISION,
            false,
        ),
    ] {
        let mut p = ibgp_pair();
        p.establish();
        p.a.handle(p.now, input);
        p.pump();
        let n = Notification::cease(sub);
        assert_eq!(
            p.seen_a.sent.last(),
            Some(&Message::Notification(n.clone()))
        );
        assert_eq!(
            p.seen_a.downs,
            vec![(DownReason::NotificationSent(n.clone()), true)]
        );
        assert_eq!(
            p.seen_b.downs,
            vec![(DownReason::NotificationReceived(n), true)]
        );
        assert_eq!(p.a.state(), State::Idle);
        assert_eq!(p.a.timer(Timer::IdleHold).is_some(), restarts, "{sub}");
    }
}

/// RFC 8538: with the N bit on both sides, a Cease that ends the session
/// on purpose goes as Hard Reset (6/9) carrying the Cease; the others, and
/// every Cease when one side lacks the N bit, go as they are.
#[test]
fn hard_reset_only_with_the_n_bit_on_both_sides() {
    let gr = |flags| {
        Some(crate::capability::GracefulRestart {
            flags,
            restart_time: 120,
            families: Vec::new(),
        })
    };
    let n = crate::capability::GracefulRestart::NOTIFICATION;
    for (a_flags, b_flags, cease, want) in [
        (
            n,
            n,
            Cease::PeerDeconfigured,
            Some(cease_subcode::PEER_DECONFIGURED),
        ),
        (n, n, Cease::MaxPrefixes, Some(cease_subcode::MAX_PREFIXES)),
        (
            n,
            n,
            Cease::AdminShutdown,
            Some(cease_subcode::ADMIN_SHUTDOWN),
        ),
        (n, n, Cease::AdminReset, Some(cease_subcode::ADMIN_RESET)),
        (n, n, Cease::OtherConfigChange, None),
        (n, n, Cease::ConnectionCollision, None),
        (n, 0, Cease::PeerDeconfigured, None),
        (0, n, Cease::PeerDeconfigured, None),
    ] {
        let mut a = cfg(65000, 1, 65000);
        a.graceful_restart = gr(a_flags);
        let mut b = cfg(65000, 2, 65000);
        b.passive = true;
        b.graceful_restart = gr(b_flags);
        let mut p = Pair::new(a, b);
        p.establish();
        let both = a_flags & b_flags != 0;
        assert_eq!(
            p.a.negotiated().map(|g| g.graceful_notification),
            Some(both)
        );
        p.a.handle(p.now, Input::Stop(cease));
        p.pump();
        let plain = Notification::cease(cease.subcode());
        let sent = match want {
            Some(sub) => {
                let h = Notification::hard_reset(&plain);
                assert!(h.is_hard_reset());
                assert_eq!((h.code, h.subcode), (6, 9));
                assert_eq!(h.data, vec![6, sub]);
                h
            }
            None => plain,
        };
        assert_eq!(
            p.seen_a.sent.last(),
            Some(&Message::Notification(sent.clone())),
            "{cease:?} with N bits {a_flags}/{b_flags}"
        );
        assert_eq!(
            p.seen_b.downs,
            vec![(DownReason::NotificationReceived(sent), true)]
        );
    }
}

#[test]
fn idle_hold_backs_off_and_restarts() {
    // A peer that never answers: every attempt ends by hold timer in
    // OpenSent (240 s); IdleHold doubles 1, 2, 4 s.
    let mut s = Session::new(cfg(65000, 1, 65000));
    let mut now = Timestamp::ZERO;
    s.handle(now, Input::ManualStart);
    let mut delays = Vec::new();
    for _ in 0..4 {
        let mut connect = false;
        while let Some(a) = s.poll_action() {
            connect |= a == Action::Connect;
        }
        assert!(connect);
        s.handle(now, Input::TcpConnected);
        while s.poll_action().is_some() {}
        now = s.timer(Timer::Hold).unwrap();
        s.handle_timeout(now);
        assert_eq!(
            sent_notification(&mut s),
            Some((error_code::HOLD_TIMER_EXPIRED, 0))
        );
        assert_eq!(s.state(), State::Idle);
        let at = s.timer(Timer::IdleHold).unwrap();
        delays.push((at - now).as_secs());
        now = at;
        s.handle_timeout(now);
        assert_eq!(s.state(), State::Connect);
    }
    assert_eq!(delays, vec![1, 2, 4, 8]);
    // ManualStop ends the automatic restarts.
    s.handle(now, Input::ManualStop);
    assert_eq!(s.state(), State::Idle);
    assert_eq!(s.poll_timeout(), None);
}

#[test]
fn connect_retry_and_failures() {
    let mut s = Session::new(cfg(65000, 1, 65000));
    s.handle(Timestamp::ZERO, Input::ManualStart);
    assert_eq!(s.poll_action(), Some(Action::Connect));
    assert_eq!(s.state(), State::Connect);
    // Retry timer in Connect: abandon and connect again.
    s.handle_timeout(Timestamp::from_secs(30));
    assert_eq!(s.poll_action(), Some(Action::CloseConnection));
    assert_eq!(s.poll_action(), Some(Action::Connect));
    // Failure: Active, then Connect again when the timer fires.
    s.handle(Timestamp::from_secs(31), Input::TcpFailed);
    assert_eq!(s.state(), State::Active);
    assert_eq!(s.timer(Timer::ConnectRetry), Some(Timestamp::from_secs(61)));
    s.handle_timeout(Timestamp::from_secs(61));
    assert_eq!(s.state(), State::Connect);
    assert_eq!(s.poll_action(), Some(Action::Connect));
    // The peer closes in OpenSent: Active with the retry timer.
    s.handle(Timestamp::from_secs(62), Input::TcpConnected);
    while s.poll_action().is_some() {}
    s.handle(Timestamp::from_secs(63), Input::TcpClosed);
    assert_eq!(s.state(), State::Active);
    assert!(matches!(
        s.poll_action(),
        Some(Action::Down {
            reason: DownReason::ConnectionClosed,
            was_established: false
        })
    ));
    // Idle refuses connections.
    let mut idle = Session::new(cfg(65000, 1, 65000));
    idle.handle(Timestamp::ZERO, Input::TcpAccepted);
    assert_eq!(idle.poll_action(), Some(Action::CloseConnection));
    assert_eq!(idle.state(), State::Idle);
}

#[test]
fn peer_closing_an_established_session() {
    let mut p = ibgp_pair();
    p.establish();
    p.b.handle(p.now, Input::Stop(Cease::AdminReset));
    p.pump();
    assert_eq!(p.a.state(), State::Idle);
    assert!(matches!(
        p.seen_a.downs.as_slice(),
        [(DownReason::NotificationReceived(n), true)] if n.subcode == cease_subcode::ADMIN_RESET
    ));
    // Both come back by themselves (A after IdleHold, B after its reset).
    p.run_until(Timestamp::from_secs(5));
    assert_eq!(p.a.state(), State::Established);
    assert_eq!(p.b.state(), State::Established);
    assert_eq!(p.a.stats().established, 2);
}

#[test]
fn collision_keeps_the_higher_identifiers_connection() {
    // We are 10.0.0.1, the peer 10.0.0.2: the peer's connection stays.
    let ours = cfg(65000, 1, 65000);
    let peer_open = open_bytes(&cfg(65000, 2, 65000).open());
    let mut outgoing = open_sent(ours.clone());
    let mut incoming = Session::new(SessionConfig {
        passive: true,
        ..ours.clone()
    });
    incoming.handle(Timestamp::ZERO, Input::ManualStart);
    incoming.handle(Timestamp::ZERO, Input::TcpAccepted);
    while incoming.poll_action().is_some() {}
    assert_eq!(
        resolve_collision(&outgoing, &incoming),
        None,
        "no identifier yet"
    );
    incoming.handle(Timestamp::ZERO, Input::Bytes(&peer_open));
    assert_eq!(incoming.state(), State::OpenConfirm);
    assert_eq!(
        resolve_collision(&outgoing, &incoming),
        Some(CollisionLoser::First)
    );
    assert_eq!(
        resolve_collision(&incoming, &outgoing),
        Some(CollisionLoser::Second)
    );
    outgoing.handle(Timestamp::ZERO, Input::Stop(Cease::ConnectionCollision));
    assert_eq!(
        sent_notification(&mut outgoing),
        Some((error_code::CEASE, cease_subcode::CONNECTION_COLLISION))
    );

    // We are 10.0.0.9: our connection stays.
    let ours = cfg(65000, 9, 65000);
    let mut outgoing = open_sent(ours.clone());
    outgoing.handle(Timestamp::ZERO, Input::Bytes(&peer_open));
    let mut incoming = Session::new(SessionConfig {
        passive: true,
        ..ours
    });
    incoming.handle(Timestamp::ZERO, Input::ManualStart);
    incoming.handle(Timestamp::ZERO, Input::TcpAccepted);
    assert_eq!(
        resolve_collision(&outgoing, &incoming),
        Some(CollisionLoser::Second)
    );

    // An Established session always stays.
    let mut p = ibgp_pair();
    p.establish();
    let late = open_sent(cfg(65000, 1, 65000));
    assert_eq!(resolve_collision(&late, &p.a), Some(CollisionLoser::First));
}

#[test]
fn notification_data_is_the_codec_mapping() {
    // An UPDATE whose withdrawn length overruns the message: 3/1.
    let mut p = ibgp_pair();
    p.establish();
    let mut b = vec![0xff; 16];
    b.extend_from_slice(&[0, 23, 2, 0, 9, 0, 0]);
    p.a.handle(p.now, Input::Bytes(&b));
    let n = sent_notification(&mut p.a);
    assert_eq!(n.map(|x| x.0), Some(error_code::UPDATE_MESSAGE));
    assert_eq!(p.a.state(), State::Idle);
}
