//! `bgp_inject`: the injector and the sink of `benches/bgp_convergence.sh`.
//!
//! One process, two eBGP sessions to the target under test (vtepd, FRR bgpd
//! or gobgpd), each from its own local address:
//!
//! - the **sink** session comes up first and only listens: it decodes every
//!   UPDATE the target sends and counts the distinct EVPN type-2 routes;
//! - the **injector** session then sends `N` type-2 routes, packed as many
//!   per UPDATE as fit in 4096 bytes (what a speaker without RFC 8654 sends),
//!   all UPDATEs encoded up front with the project's codec so that sending
//!   costs nothing but `write`.
//!
//! It measures, on one clock, the time from the first UPDATE byte written
//! until the sink holds all `N` routes (so the target has them in its
//! Loc-RIB and re-advertised them), and prints one `RESULT` line:
//!
//! ```text
//! RESULT n=100000 converge_ms=812.4 inject_ms=95.1 updates_sent=971 nlri_per_update=103 received=100000 updates_received=1020
//! ```
//!
//! ```sh
//! bgp_inject --target 10.77.0.1 --target-as 65000 \
//!     --inject-from 10.77.0.2 --inject-as 65001 \
//!     --sink-from 10.77.0.3 --sink-as 65002 -n 100000 [--timeout 300]
//! ```
//!
//! Exit status 0 when all `N` arrived, 1 on timeout or a session error.

use std::collections::HashSet;
use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpStream};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use vtepd_bgp_evpn::attr::{AsPath, AttrValue, MpReach, NextHop, Origin, PathAttribute};
use vtepd_bgp_evpn::extcomm::TunnelType;
use vtepd_bgp_evpn::nlri::evpn::MacIpAdvertisement;
use vtepd_bgp_evpn::nlri::{NlriList, PathNlri};
use vtepd_bgp_evpn::wire::CodecContext;
use vtepd_bgp_evpn::{
    AddressFamily, Asn, Capability, Esi, EthernetTag, EvpnRoute, ExtendedCommunity, LabelField,
    MacAddress, Message, Open, RouteDistinguisher, RouteTarget, RouterId, Update, Vni,
};

const VNI: u32 = 100;
const HOLD: u16 = 90;
const MAX_MSG: usize = 4096;
const HEADER: usize = 19;

type Res<T> = Result<T, String>;

#[derive(Debug)]
struct Args {
    target: Ipv4Addr,
    target_as: u32,
    inject_from: Ipv4Addr,
    inject_as: u32,
    sink_from: Ipv4Addr,
    sink_as: u32,
    n: u32,
    timeout: Duration,
}

fn parse_args() -> Res<Args> {
    let mut a = Args {
        target: Ipv4Addr::new(10, 77, 0, 1),
        target_as: 65000,
        inject_from: Ipv4Addr::new(10, 77, 0, 2),
        inject_as: 65001,
        sink_from: Ipv4Addr::new(10, 77, 0, 3),
        sink_as: 65002,
        n: 100_000,
        timeout: Duration::from_secs(300),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let v = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let bad = |e: &dyn std::fmt::Display| format!("{flag} {v}: {e}");
        match flag.as_str() {
            "--target" => a.target = v.parse().map_err(|e| bad(&e))?,
            "--target-as" => a.target_as = v.parse().map_err(|e| bad(&e))?,
            "--inject-from" => a.inject_from = v.parse().map_err(|e| bad(&e))?,
            "--inject-as" => a.inject_as = v.parse().map_err(|e| bad(&e))?,
            "--sink-from" => a.sink_from = v.parse().map_err(|e| bad(&e))?,
            "--sink-as" => a.sink_as = v.parse().map_err(|e| bad(&e))?,
            "-n" => a.n = v.parse().map_err(|e| bad(&e))?,
            "--timeout" => a.timeout = Duration::from_secs(v.parse().map_err(|e| bad(&e))?),
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    Ok(a)
}

/// Type-2 route `i`: MAC 02:00:i (32 bits), IPv4 10.i (low 24 bits), RD
/// `vtep:2`, VNI 100.
fn mac_ip(vtep: Ipv4Addr, i: u32) -> PathNlri<EvpnRoute> {
    let b = i.to_be_bytes();
    PathNlri::new(EvpnRoute::MacIp(MacIpAdvertisement {
        rd: RouteDistinguisher::Ipv4 {
            addr: vtep,
            number: 2,
        },
        esi: Esi::ZERO,
        ethernet_tag: EthernetTag(0),
        mac: MacAddress([0x02, 0, b[0], b[1], b[2], b[3]]),
        ip: Some(IpAddr::V4(Ipv4Addr::new(10, b[1], b[2], b[3]))),
        label1: LabelField::from_vni(Vni::new(VNI).expect("VNI 100 fits in 24 bits")),
        label2: None,
    }))
}

/// An eBGP UPDATE from `asn` at `vtep` carrying `routes`.
fn update(asn: u32, target_as: u32, vtep: Ipv4Addr, routes: Vec<PathNlri<EvpnRoute>>) -> Message {
    Message::Update(Update {
        withdrawn: Vec::new(),
        attributes: vec![
            PathAttribute::new(AttrValue::MpReach(MpReach {
                next_hop: NextHop::Ipv4(vtep),
                nlri: NlriList::Evpn(routes),
            })),
            PathAttribute::new(AttrValue::Origin(Origin::Igp)),
            PathAttribute::new(AttrValue::AsPath(AsPath::sequence(vec![Asn(asn)]))),
            PathAttribute::new(AttrValue::ExtendedCommunities(vec![
                ExtendedCommunity::Encapsulation(TunnelType::Vxlan),
                ExtendedCommunity::RouteTarget(RouteTarget::As2 {
                    asn: u16::try_from(target_as).unwrap_or(0),
                    value: VNI,
                }),
            ])),
        ],
        nlri: Vec::new(),
    })
}

/// All `n` routes as back-to-back UPDATE messages (each at most 4096
/// bytes, packed full), and the message boundaries.
fn encode_all(a: &Args, ctx: &CodecContext) -> Res<(Vec<u8>, Vec<usize>, usize)> {
    let enc = |m: &Message| m.to_vec(ctx).map_err(|e| format!("encode: {e:?}"));
    let empty = enc(&update(a.inject_as, a.target_as, a.inject_from, Vec::new()))?.len();
    let one = enc(&update(
        a.inject_as,
        a.target_as,
        a.inject_from,
        vec![mac_ip(a.inject_from, 0)],
    ))?
    .len();
    let per = (MAX_MSG - empty) / (one - empty);
    let mut out = Vec::with_capacity(a.n as usize / per * MAX_MSG + MAX_MSG);
    let mut bounds = Vec::new();
    let mut i = 0u32;
    while i < a.n {
        let end = a.n.min(i.saturating_add(per as u32));
        let routes = (i..end).map(|k| mac_ip(a.inject_from, k)).collect();
        let bytes = enc(&update(a.inject_as, a.target_as, a.inject_from, routes))?;
        if bytes.len() > MAX_MSG {
            return Err(format!("UPDATE of {} bytes", bytes.len()));
        }
        out.extend_from_slice(&bytes);
        bounds.push(out.len());
        i = end;
    }
    Ok((out, bounds, per))
}

/// Reads whole BGP messages from a stream.
struct Framer {
    stream: TcpStream,
    buf: Vec<u8>,
    start: usize,
}

impl Framer {
    fn new(stream: TcpStream) -> Framer {
        Framer {
            stream,
            buf: Vec::with_capacity(1 << 20),
            start: 0,
        }
    }

    /// The next message's bytes, or `None` at end of stream.
    fn next(&mut self) -> Res<Option<Vec<u8>>> {
        loop {
            let avail = &self.buf[self.start..];
            if avail.len() >= HEADER {
                let len = usize::from(u16::from_be_bytes([avail[16], avail[17]]));
                if !(HEADER..=65535).contains(&len) {
                    return Err(format!("bad message length {len}"));
                }
                if avail.len() >= len {
                    let msg = avail[..len].to_vec();
                    self.start += len;
                    return Ok(Some(msg));
                }
            }
            if self.start > 0 {
                self.buf.drain(..self.start);
                self.start = 0;
            }
            let old = self.buf.len();
            self.buf.resize(old + 256 * 1024, 0);
            let got = self
                .stream
                .read(&mut self.buf[old..])
                .map_err(|e| format!("read: {e}"))?;
            self.buf.truncate(old + got);
            if got == 0 {
                return Ok(None);
            }
        }
    }
}

/// A TCP connection from `from` (bound before connecting, so that the
/// target sees the right neighbour address) to `to`:179.
fn connect(from: Ipv4Addr, to: Ipv4Addr) -> Res<TcpStream> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .map_err(|e| format!("runtime: {e}"))?;
    let s = rt.block_on(async {
        let sock = tokio::net::TcpSocket::new_v4().map_err(|e| format!("socket: {e}"))?;
        sock.bind(SocketAddr::new(IpAddr::V4(from), 0))
            .map_err(|e| format!("bind {from}: {e}"))?;
        let fut = sock.connect(SocketAddr::new(IpAddr::V4(to), 179));
        match tokio::time::timeout(Duration::from_secs(5), fut).await {
            Ok(r) => r.map_err(|e| format!("connect {from} -> {to}:179: {e}")),
            Err(_) => Err(format!("connect {from} -> {to}:179: timed out")),
        }
    })?;
    let s = s.into_std().map_err(|e| format!("into_std: {e}"))?;
    s.set_nonblocking(false)
        .map_err(|e| format!("blocking: {e}"))?;
    s.set_nodelay(true).map_err(|e| format!("nodelay: {e}"))?;
    Ok(s)
}

/// A session in Established: the framer for reading and a writer shared
/// with the keepalive thread.
struct Session {
    framer: Framer,
    writer: Arc<Mutex<TcpStream>>,
}

fn establish(from: Ipv4Addr, asn: u32, a: &Args, ctx: &CodecContext) -> Res<Session> {
    let deadline = Instant::now() + Duration::from_secs(30);
    let stream = loop {
        match connect(from, a.target) {
            Ok(s) => break s,
            Err(e) if Instant::now() > deadline => return Err(e),
            Err(_) => thread::sleep(Duration::from_millis(200)),
        }
    };
    let open = Message::Open(Open::new(
        Asn(if asn > 65535 { 23456 } else { asn }),
        HOLD,
        RouterId(from),
        vec![
            Capability::Multiprotocol(AddressFamily::L2VPN_EVPN),
            Capability::RouteRefresh,
            Capability::FourOctetAs(Asn(asn)),
        ],
    ));
    let mut w = stream.try_clone().map_err(|e| format!("clone: {e}"))?;
    let mut framer = Framer::new(stream);
    let send = |w: &mut TcpStream, m: &Message| -> Res<()> {
        let b = m.to_vec(ctx).map_err(|e| format!("encode: {e:?}"))?;
        w.write_all(&b).map_err(|e| format!("write: {e}"))
    };
    send(&mut w, &open)?;
    let mut got_open = false;
    loop {
        let bytes = framer
            .next()?
            .ok_or_else(|| format!("{from}: target closed during OPEN"))?;
        let d = Message::decode(&bytes, ctx).map_err(|e| format!("decode: {e:?}"))?;
        match d.message {
            Message::Open(_) => {
                got_open = true;
                send(&mut w, &Message::Keepalive)?;
            }
            Message::Keepalive if got_open => break,
            Message::Notification(n) => return Err(format!("{from}: NOTIFICATION {n:?}")),
            other => return Err(format!("{from}: unexpected {other:?} during OPEN")),
        }
    }
    let writer = Arc::new(Mutex::new(w));
    let ka = Arc::clone(&writer);
    thread::spawn(move || {
        let bytes = [
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
            0xff, 0xff, 0, 19, 4,
        ];
        loop {
            thread::sleep(Duration::from_secs(u64::from(HOLD / 3)));
            let mut g = match ka.lock() {
                Ok(g) => g,
                Err(_) => return,
            };
            if g.write_all(&bytes).is_err() {
                return;
            }
        }
    });
    Ok(Session { framer, writer })
}

/// Counts distinct type-2 MACs in the UPDATEs read; stores the count in
/// `count` and the time the `n`th arrived in `done`.
fn sink_loop(
    mut framer: Framer,
    ctx: CodecContext,
    n: usize,
    count: Arc<AtomicUsize>,
    updates: Arc<AtomicUsize>,
    done: Arc<Mutex<Option<Instant>>>,
) -> Res<()> {
    let mut seen: HashSet<[u8; 6]> = HashSet::with_capacity(n);
    while let Some(bytes) = framer.next()? {
        let d = Message::decode(&bytes, &ctx).map_err(|e| format!("sink decode: {e:?}"))?;
        match d.message {
            Message::Update(u) => {
                updates.fetch_add(1, Ordering::Relaxed);
                if let Some(MpReach {
                    nlri: NlriList::Evpn(routes),
                    ..
                }) = u.mp_reach()
                {
                    for r in routes {
                        if let EvpnRoute::MacIp(m) = &r.nlri {
                            seen.insert(m.mac.0);
                        }
                    }
                    count.store(seen.len(), Ordering::Relaxed);
                    if seen.len() >= n {
                        if let Ok(mut g) = done.lock() {
                            g.get_or_insert_with(Instant::now);
                        }
                    }
                }
            }
            Message::Notification(n) => return Err(format!("sink got NOTIFICATION {n:?}")),
            _ => {}
        }
    }
    Err("sink: target closed the session".into())
}

fn run(a: &Args) -> Res<bool> {
    let ctx = CodecContext::four_octet();
    let (bytes, bounds, per) = encode_all(a, &ctx)?;
    eprintln!(
        "bgp_inject: {} routes in {} UPDATEs ({} per UPDATE, {} bytes)",
        a.n,
        bounds.len(),
        per,
        bytes.len()
    );

    // Sink first, then let the target settle (its initial UPDATEs, EoR).
    let sink = establish(a.sink_from, a.sink_as, a, &ctx)?;
    let count = Arc::new(AtomicUsize::new(0));
    let updates = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(Mutex::new(None));
    {
        let (c, u, d, n) = (
            Arc::clone(&count),
            Arc::clone(&updates),
            Arc::clone(&done),
            a.n as usize,
        );
        let framer = sink.framer;
        thread::spawn(move || {
            if let Err(e) = sink_loop(framer, ctx, n, c, u, d) {
                eprintln!("bgp_inject: {e}");
            }
        });
    }
    let inj = establish(a.inject_from, a.inject_as, a, &CodecContext::four_octet())?;
    // Drain whatever the target sends the injector.
    {
        let mut framer = inj.framer;
        thread::spawn(move || while let Ok(Some(_)) = framer.next() {});
    }
    thread::sleep(Duration::from_secs(1));
    let before = count.load(Ordering::Relaxed);
    if before != 0 {
        return Err(format!(
            "sink already holds {before} routes before injection"
        ));
    }

    let t0 = Instant::now();
    let mut sent = 0;
    for chunk in bounds.chunks(64) {
        let end = chunk.last().copied().unwrap_or(sent);
        let mut w = inj.writer.lock().map_err(|_| "writer lock poisoned")?;
        w.write_all(&bytes[sent..end])
            .map_err(|e| format!("inject write: {e}"))?;
        sent = end;
    }
    let inject = t0.elapsed();

    let deadline = t0 + a.timeout;
    let mut last_report = Instant::now();
    let finished = loop {
        if let Some(t) = done.lock().map_err(|_| "lock poisoned")?.as_ref() {
            break Some(t.duration_since(t0));
        }
        if Instant::now() > deadline {
            break None;
        }
        if last_report.elapsed() > Duration::from_secs(10) {
            eprintln!(
                "bgp_inject: {:.0} s: sink holds {} of {}",
                t0.elapsed().as_secs_f64(),
                count.load(Ordering::Relaxed),
                a.n
            );
            last_report = Instant::now();
        }
        thread::sleep(Duration::from_micros(500));
    };
    let received = count.load(Ordering::Relaxed);
    let converge = match finished {
        Some(d) => format!("{:.1}", d.as_secs_f64() * 1e3),
        None => "timeout".into(),
    };
    println!(
        "RESULT n={} converge_ms={} inject_ms={:.1} updates_sent={} nlri_per_update={} received={} updates_received={}",
        a.n,
        converge,
        inject.as_secs_f64() * 1e3,
        bounds.len(),
        per,
        received,
        updates.load(Ordering::Relaxed)
    );
    Ok(finished.is_some())
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("bgp_inject: {e}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("bgp_inject: {e}");
            ExitCode::FAILURE
        }
    }
}
