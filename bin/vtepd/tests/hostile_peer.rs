//! A hostile BGP peer against vtepd: hand-made bad messages, each with its
//! RFC-defined reaction (NOTIFICATION code/subcode read back from the
//! socket, or treat-as-withdraw / attribute discard visible in `show`);
//! vtepd never panics, keeps serving `show`, and keeps the routes of a
//! well-behaved GoBGP peer.
//!
//! The raw peer runs inside a lab namespace: the test re-executes its own
//! binary there (`ip netns exec NS <this test binary> hostile_child
//! --ignored --exact`) with the case in `HOSTILE_CASE`. Each case uses its
//! own source address, configured in vtepd as its own passive neighbour
//! (AS 65100), so one case's error back-off does not delay the next.

mod common;

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use common::{Vtepd, BIN, T};
use vtepd_lab::topo::{GobgpdConf, Pair};
use vtepd_lab::{Lab, ProcessSpec, Result, Veth};

// ---- the raw peer (child) ---------------------------------------------------

fn header(len: usize, ty: u8) -> Vec<u8> {
    let mut v = vec![0xff; 16];
    v.extend_from_slice(&(len as u16).to_be_bytes());
    v.push(ty);
    v
}

fn msg(ty: u8, body: &[u8]) -> Vec<u8> {
    let mut v = header(19 + body.len(), ty);
    v.extend_from_slice(body);
    v
}

/// OPEN: AS 65100 (4-octet capability), hold 9, id `rid`, multiprotocol
/// IPv4 unicast and EVPN, route refresh.
fn open(rid: [u8; 4]) -> Vec<u8> {
    let caps: Vec<u8> = [
        &[1u8, 4, 0, 1, 0, 1][..],  // MP IPv4 unicast
        &[1, 4, 0, 25, 0, 70][..],  // MP L2VPN EVPN
        &[2, 0][..],                // route refresh
        &[65, 4, 0, 0, 0xfe, 0x4c], // 4-octet AS 65100
    ]
    .concat();
    let mut param = vec![2u8, caps.len() as u8];
    param.extend_from_slice(&caps);
    let mut body = vec![4u8];
    body.extend_from_slice(&65100u16.to_be_bytes());
    body.extend_from_slice(&9u16.to_be_bytes());
    body.extend_from_slice(&rid);
    body.push(param.len() as u8);
    body.extend_from_slice(&param);
    msg(1, &body)
}

fn keepalive() -> Vec<u8> {
    header(19, 4)
}

/// An IPv4 UPDATE from raw attribute bytes and NLRI bytes.
fn update(attrs: &[u8], nlri: &[u8]) -> Vec<u8> {
    let mut body = vec![0u8, 0];
    body.extend_from_slice(&(attrs.len() as u16).to_be_bytes());
    body.extend_from_slice(attrs);
    body.extend_from_slice(nlri);
    msg(2, &body)
}

const ORIGIN_IGP: [u8; 4] = [0x40, 1, 1, 0];
const AS_PATH: [u8; 9] = [0x40, 2, 6, 2, 1, 0, 0, 0xfe, 0x4c];

fn next_hop(me: [u8; 4]) -> Vec<u8> {
    let mut v = vec![0x40, 3, 4];
    v.extend_from_slice(&me);
    v
}

fn good_attrs(me: [u8; 4]) -> Vec<u8> {
    [&ORIGIN_IGP[..], &AS_PATH, &next_hop(me)].concat()
}

/// The family ("AFI/SAFI") of an End-of-RIB UPDATE body (RFC 4724 §2): no
/// routes and no attributes (IPv4 unicast), or only an empty MP_UNREACH_NLRI.
fn end_of_rib(body: &[u8]) -> Option<String> {
    match body {
        [0, 0, 0, 0] => Some("1/1".to_string()),
        [0, 0, 0, 7, flags, 15, 0, 3, afi_hi, afi_lo, safi] if flags & 0x10 != 0 => {
            Some(format!("{}/{safi}", u16::from_be_bytes([*afi_hi, *afi_lo])))
        }
        [0, 0, 0, 6, _, 15, 3, afi_hi, afi_lo, safi] => {
            Some(format!("{}/{safi}", u16::from_be_bytes([*afi_hi, *afi_lo])))
        }
        _ => None,
    }
}

/// Read one message: (type, body). `None` on EOF/timeout.
fn read_msg(s: &mut TcpStream) -> Option<(u8, Vec<u8>)> {
    let mut h = [0u8; 19];
    s.read_exact(&mut h).ok()?;
    let len = usize::from(u16::from_be_bytes([h[16], h[17]]));
    let mut body = vec![0u8; len.saturating_sub(19)];
    s.read_exact(&mut body).ok()?;
    Some((h[18], body))
}

/// Wait for a NOTIFICATION (skipping other messages) for up to `limit`.
/// Prints `RESULT notification C S`, `RESULT eof` or `RESULT open`.
fn expect_notification(s: &mut TcpStream, limit: Duration) {
    let _ = s.set_read_timeout(Some(limit));
    let start = Instant::now();
    loop {
        match read_msg(s) {
            Some((3, body)) => {
                println!(
                    "RESULT notification {} {}",
                    body.first().copied().unwrap_or(0),
                    body.get(1).copied().unwrap_or(0)
                );
                return;
            }
            Some(_) if start.elapsed() < limit => continue,
            Some(_) => {
                println!("RESULT open");
                return;
            }
            None if start.elapsed() >= limit => {
                println!("RESULT open");
                return;
            }
            None => {
                println!("RESULT eof");
                return;
            }
        }
    }
}

fn connect(src: IpAddr, dst: SocketAddr) -> std::io::Result<TcpStream> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let s = rt.block_on(async {
        let sock = tokio::net::TcpSocket::new_v4()?;
        sock.bind(SocketAddr::new(src, 0))?;
        sock.connect(dst).await
    })?;
    let s = s.into_std()?;
    s.set_nonblocking(false)?;
    Ok(s)
}

/// Connect and exchange OPEN/KEEPALIVE until Established (retrying while
/// vtepd refuses). Returns the stream and the UPDATEs counted so far.
fn establish(src: IpAddr, dst: SocketAddr, rid: [u8; 4]) -> TcpStream {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        assert!(Instant::now() < deadline, "could not establish a session");
        let Ok(mut s) = connect(src, dst) else {
            std::thread::sleep(Duration::from_millis(300));
            continue;
        };
        let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
        if s.write_all(&open(rid)).is_err() {
            continue;
        }
        let mut got_open = false;
        let mut ok = false;
        while let Some((ty, _)) = read_msg(&mut s) {
            match ty {
                1 => {
                    got_open = true;
                    let _ = s.write_all(&keepalive());
                }
                4 if got_open => {
                    ok = true;
                    break;
                }
                _ => {}
            }
        }
        if ok {
            return s;
        }
        std::thread::sleep(Duration::from_millis(300));
    }
}

fn hold_open(mut s: TcpStream) {
    // Keep the session up while the parent looks at vtepd's tables.
    let secs: u64 = std::env::var("HOSTILE_HOLD")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let _ = s.set_read_timeout(Some(Duration::from_millis(100)));
    let end = Instant::now() + Duration::from_secs(secs);
    let mut last = Instant::now();
    while Instant::now() < end {
        if last.elapsed() >= Duration::from_secs(2) {
            let _ = s.write_all(&keepalive());
            last = Instant::now();
        }
        let _ = read_msg(&mut s);
    }
}

/// The raw peer. Runs only when the parent test starts it with
/// `HOSTILE_CASE` set (it is `#[ignore]`d otherwise).
#[test]
#[ignore = "helper process of hostile_peer, started inside a namespace"]
fn hostile_child() {
    let (Ok(case), Ok(src), Ok(dst)) = (
        std::env::var("HOSTILE_CASE"),
        std::env::var("HOSTILE_SRC"),
        std::env::var("HOSTILE_DST"),
    ) else {
        panic!("hostile_child is a helper: run the hostile_peer test instead");
    };
    let src: IpAddr = src.parse().expect("HOSTILE_SRC");
    let dst: SocketAddr = dst.parse().expect("HOSTILE_DST");
    let me = match src {
        IpAddr::V4(a) => a.octets(),
        IpAddr::V6(_) => panic!("IPv4 only"),
    };
    let t = Duration::from_secs(5);
    match case.as_str() {
        "marker" | "length" => {
            // Before anything else: a message with a bad header.
            let mut s = loop {
                if let Ok(s) = connect(src, dst) {
                    break s;
                }
                std::thread::sleep(Duration::from_millis(300));
            };
            let mut bad = open(me);
            if case == "marker" {
                bad[3] = 0;
            } else {
                bad[16] = 0;
                bad[17] = 18;
            }
            s.write_all(&bad).expect("write");
            expect_notification(&mut s, t);
        }
        "truncated" => {
            let mut s = establish(src, dst, me);
            // An UPDATE of 21 bytes: shorter than the 23 an UPDATE needs.
            s.write_all(&msg(2, &[0, 0])).expect("write");
            expect_notification(&mut s, t);
        }
        "attr-flags" => {
            let mut s = establish(src, dst, me);
            let a = good_attrs(me);
            s.write_all(&update(&a, &[24, 10, 99, 1])).expect("write");
            // ORIGIN with the optional bit set: RFC 7606 §3 c.
            let mut bad = vec![0xc0, 1, 1, 0];
            bad.extend_from_slice(&AS_PATH);
            bad.extend_from_slice(&next_hop(me));
            s.write_all(&update(&bad, &[24, 10, 99, 1])).expect("write");
            s.write_all(&update(&a, &[24, 10, 99, 2])).expect("write");
            expect_notification(&mut s, Duration::from_secs(2));
            hold_open(s);
        }
        "dup-attr" => {
            let mut s = establish(src, dst, me);
            // ORIGIN twice (IGP, then INCOMPLETE): the second is discarded
            // (RFC 7606 §3 g) and the route is kept with ORIGIN IGP.
            let mut a = good_attrs(me);
            a.extend_from_slice(&[0x40, 1, 1, 2]);
            s.write_all(&update(&a, &[24, 10, 99, 3])).expect("write");
            expect_notification(&mut s, Duration::from_secs(2));
            hold_open(s);
        }
        "dup-mp-reach" => {
            let mut s = establish(src, dst, me);
            // MP_UNREACH_NLRI (EVPN, empty) twice: Malformed Attribute
            // List (RFC 7606 §3 g).
            let mp = [0x80u8, 15, 3, 0, 25, 70];
            let a = [&mp[..], &mp[..]].concat();
            s.write_all(&update(&a, &[])).expect("write");
            expect_notification(&mut s, t);
        }
        "bad-nlri" => {
            let mut s = establish(src, dst, me);
            // Prefix length 33 in the IPv4 NLRI field: Invalid Network Field.
            s.write_all(&update(&good_attrs(me), &[33, 10, 99, 4, 0, 0]))
                .expect("write");
            expect_notification(&mut s, t);
        }
        "mp-nh-len" => {
            let mut s = establish(src, dst, me);
            // MP_REACH_NLRI for EVPN with a 5-byte next hop and a type-3
            // route: session reset (RFC 7606 §7.11).
            let mut v = vec![0u8, 25, 70, 5, 10, 0, 1, 3, 0, 0];
            let nlri = [
                3u8, 17, 0, 1, 10, 0, 1, 3, 0, 1, 0, 0, 0, 0, 32, 10, 0, 1, 3,
            ];
            v.extend_from_slice(&nlri);
            let mut a = vec![0x80u8, 14, v.len() as u8];
            a.extend_from_slice(&v);
            a.extend_from_slice(&ORIGIN_IGP);
            a.extend_from_slice(&AS_PATH);
            s.write_all(&update(&a, &[])).expect("write");
            expect_notification(&mut s, t);
        }
        "flood" => {
            let mut s = establish(src, dst, me);
            // 3 x 50 /32s against a limit of 100: Cease 6/1 (RFC 4486).
            let a = good_attrs(me);
            for k in 0..3u8 {
                let mut nlri = Vec::new();
                for i in 0..50u8 {
                    nlri.extend_from_slice(&[32, 10, 98, k, i]);
                }
                if s.write_all(&update(&a, &nlri)).is_err() {
                    break;
                }
            }
            expect_notification(&mut s, t);
        }
        "refresh" => {
            let mut s = establish(src, dst, me);
            // Count vtepd's initial UPDATEs, then ask for EVPN again.
            let _ = s.set_read_timeout(Some(Duration::from_millis(1500)));
            // The initial table ends with an End-of-RIB per family.
            let mut first = 0;
            let mut eor = Vec::new();
            while let Some((ty, body)) = read_msg(&mut s) {
                if ty == 2 {
                    match end_of_rib(&body) {
                        Some(f) => eor.push(f),
                        None if eor.is_empty() => first += 1,
                        None => {
                            println!("RESULT update-after-end-of-rib");
                            return;
                        }
                    }
                }
            }
            eor.sort();
            if eor != ["1/1", "25/70"] {
                println!("RESULT end-of-rib {eor:?}");
                return;
            }
            s.write_all(&msg(5, &[0, 25, 0, 70])).expect("write");
            let mut again = 0;
            while let Some((ty, body)) = read_msg(&mut s) {
                if ty == 2 {
                    if end_of_rib(&body).is_some() {
                        println!("RESULT end-of-rib-after-refresh");
                        return;
                    }
                    again += 1;
                }
                if ty == 3 {
                    println!("RESULT notification-after-refresh");
                    return;
                }
            }
            println!("RESULT refresh {first} {again}");
        }
        "churn" => {
            // A peer that never reads (its session up, its socket full)
            // while another floods re-announcements of 50 routes with a
            // changing MED for 3 s: vtepd keeps reading the flood, holds
            // the changes for the slow peer coalesced per route, and its
            // memory stays bounded.
            let sink_src: IpAddr = std::env::var("HOSTILE_SRC2")
                .expect("HOSTILE_SRC2")
                .parse()
                .expect("HOSTILE_SRC2");
            let sink_me = match sink_src {
                IpAddr::V4(a) => a.octets(),
                IpAddr::V6(_) => panic!("IPv4 only"),
            };
            let sink = establish(sink_src, dst, sink_me);
            let mut s = establish(src, dst, me);
            let mut nlri = Vec::new();
            for i in 0..50u8 {
                nlri.extend_from_slice(&[32, 10, 97, 0, i]);
            }
            let end = Instant::now() + Duration::from_secs(3);
            let mut sent = 0u64;
            while Instant::now() < end {
                let med = (sent % 2) as u8;
                let a = [&good_attrs(me)[..], &[0x80, 4, 4, 0, 0, 0, med]].concat();
                if s.write_all(&update(&a, &nlri)).is_err() {
                    break;
                }
                sent += 1;
            }
            let _ = s.write_all(&keepalive());
            // Still established: no NOTIFICATION within a second.
            let _ = s.set_read_timeout(Some(Duration::from_millis(200)));
            let until = Instant::now() + Duration::from_secs(1);
            while Instant::now() < until {
                if let Some((3, body)) = read_msg(&mut s) {
                    println!("RESULT notification {body:?}");
                    return;
                }
            }
            println!("RESULT churn {sent}");
            // Hold both sessions while the parent looks at vtepd.
            std::thread::sleep(Duration::from_secs(20));
            drop(sink);
        }
        "collision" => {
            // A second connection from an established peer: the
            // established one stays, the new one gets Cease 6/7
            // (RFC 4271 §6.8), and the first keeps working.
            let mut s1 = establish(src, dst, me);
            let mut s2 = connect(src, dst).expect("second connection");
            s2.write_all(&open(me)).expect("write");
            expect_notification(&mut s2, t);
            let _ = s1.write_all(&keepalive());
            let _ = s1.set_read_timeout(Some(Duration::from_secs(5)));
            match read_msg(&mut s1) {
                Some((3, _)) | None => println!("RESULT2 first-session-dead"),
                Some(_) => println!("RESULT2 first-session-alive"),
            }
        }
        other => panic!("unknown case {other}"),
    }
}

// ---- the test ---------------------------------------------------------------

const CASES: [&str; 9] = [
    "marker",
    "length",
    "truncated",
    "attr-flags",
    "dup-attr",
    "dup-mp-reach",
    "bad-nlri",
    "mp-nh-len",
    "flood",
];

/// A `/proc/PID/status` field in kB.
fn vm_kb(pid: u32, field: &str) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| anyhow::anyhow!("no {field} in /proc/{pid}/status"))
}

fn src_of(i: usize) -> String {
    format!("10.0.1.{}", 10 + i)
}

fn config() -> String {
    let mut c = String::from(
        r#"
[bgp]
router-id = "10.0.0.1"
asn = 65000

[control]
socket = "@SOCKET@"

[[neighbor]]
address = "10.0.0.2"
remote-as = "internal"
hold-time = 9
connect-retry = 1

[[vni]]
vni = 100

[[originate]]
type = "evpn-mac-ip"
vni = 100
mac = "02:00:00:00:0a:01"
"#,
    );
    for i in 0..CASES.len() + 4 {
        c.push_str(&format!(
            r#"
[[neighbor]]
address = "{}"
remote-as = 65100
address-families = ["ipv4-unicast", "l2vpn-evpn"]
passive = true
max-prefixes = 100
"#,
            src_of(i)
        ));
    }
    c
}

#[test]
fn hostile_peer() -> Result<()> {
    let started = Instant::now();
    let lab = Lab::new()?;
    let pair = Pair::create(&lab, "v", "g")?;
    let (vns, gns) = (&pair.a, &pair.b);
    let hns = lab.netns("h")?;
    let srcs: Vec<String> = (0..CASES.len() + 4)
        .map(|i| format!("{}/24", src_of(i)))
        .collect();
    let src_refs: Vec<&str> = srcs.iter().map(String::as_str).collect();
    let _lh = Veth::pair(vns, "u1", &hns, "u0")
        .addrs_a(&["10.0.1.1/24"])
        .addrs_b(&src_refs)
        .create()?;
    let mut vtepd = Vtepd::start(&lab, vns, "vtepd", &config())?;
    let gobgp = gns.gobgpd(
        &GobgpdConf::new(65000, "10.0.0.2")
            .neighbor("10.0.0.1", 65000, &["l2vpn-evpn"])
            .render(),
    )?;
    vtepd.wait_established(&lab, "10.0.0.2")?;
    for mac in ["02:00:00:00:02:01", "02:00:00:00:02:02"] {
        gobgp.cli(&[
            "global",
            "rib",
            "-a",
            "evpn",
            "add",
            "macadv",
            mac,
            "0.0.0.0",
            "esi",
            "0",
            "etag",
            "0",
            "label",
            "100",
            "rd",
            "10.0.0.2:100",
            "rt",
            "65000:100",
            "encap",
            "vxlan",
            "nexthop",
            "10.0.0.2",
        ])?;
    }
    let gobgp_routes = |v: &Vtepd| -> Result<usize> {
        Ok(v.paths(&["bgp", "evpn", "route"])?
            .iter()
            .filter(|p| p["source"] == "10.0.0.2")
            .count())
    };
    lab.wait_until(T, "GoBGP's routes in vtepd", || {
        gobgp_routes(&vtepd).map(|n| n == 2)
    })?;

    let exe = std::env::current_exe()?;
    let run_case = |i: usize, case: &str, hold: u32| -> Result<(vtepd_lab::Process, String)> {
        let mut p = hns.spawn(
            ProcessSpec::new(&format!("hostile-{case}"), &exe.to_string_lossy())
                .args(&["hostile_child", "--ignored", "--exact", "--nocapture"])
                .env("HOSTILE_CASE", case)
                .env("HOSTILE_SRC", &src_of(i))
                .env("HOSTILE_SRC2", &src_of(i + 1))
                .env("HOSTILE_DST", "10.0.1.1:179")
                .env("HOSTILE_HOLD", &hold.to_string()),
        )?;
        let mut result = String::new();
        lab.wait_until(T, &format!("hostile case {case}"), || -> Result<bool> {
            let log = p.log();
            if let Some(l) = log.lines().find(|l| l.starts_with("RESULT")) {
                result = l.to_owned();
                return Ok(true);
            }
            anyhow::ensure!(
                p.is_running() || log.contains("RESULT"),
                "hostile child for {case} exited: {log}"
            );
            Ok(false)
        })?;
        Ok((p, result))
    };

    let mut report = Vec::new();
    for (i, case) in CASES.iter().enumerate() {
        let hold = if matches!(*case, "attr-flags" | "dup-attr") {
            15
        } else {
            0
        };
        let (mut child, result) = run_case(i, case, hold)?;
        let expected = match *case {
            // RFC 4271 §6.1: Connection Not Synchronized.
            "marker" => "RESULT notification 1 1",
            // RFC 4271 §6.1: Bad Message Length (18 < 19; 21 < 23 for UPDATE).
            "length" | "truncated" => "RESULT notification 1 2",
            // RFC 7606: treat-as-withdraw / discard, no NOTIFICATION.
            "attr-flags" | "dup-attr" => "RESULT open",
            // RFC 7606 §3 g: Malformed Attribute List.
            "dup-mp-reach" => "RESULT notification 3 1",
            // RFC 4271 §6.3: Invalid Network Field.
            "bad-nlri" => "RESULT notification 3 10",
            // RFC 7606 §7.11 session reset, Optional Attribute Error.
            "mp-nh-len" => "RESULT notification 3 9",
            // RFC 4486: Cease / Maximum Number of Prefixes Reached.
            "flood" => "RESULT notification 6 1",
            _ => unreachable!(),
        };
        assert_eq!(result, expected, "case {case}");
        let peer = src_of(i);
        match *case {
            "attr-flags" => {
                lab.wait_until(
                    T,
                    "10.99.2.0/24 from the hostile peer",
                    || -> Result<bool> {
                        Ok(vtepd
                            .paths(&["bgp", "ipv4"])?
                            .iter()
                            .any(|p| p["network"] == "10.99.2.0/24"))
                    },
                )?;
                let ps = vtepd.paths(&["bgp", "ipv4"])?;
                assert!(
                    !ps.iter().any(|p| p["network"] == "10.99.1.0/24"),
                    "treat-as-withdraw: 10.99.1.0/24 must be gone: {ps:#?}"
                );
            }
            "dup-attr" => {
                lab.wait_until(
                    T,
                    "10.99.3.0/24 from the hostile peer",
                    || -> Result<bool> {
                        Ok(vtepd
                            .paths(&["bgp", "ipv4"])?
                            .iter()
                            .any(|p| p["network"] == "10.99.3.0/24" && p["origin"] == "IGP"))
                    },
                )?;
            }
            _ => {
                let p = vtepd.peer(&peer)?;
                let code = expected.split(' ').nth(2).unwrap_or_default();
                assert_eq!(
                    p["last-notification-sent"]["code"].to_string(),
                    code,
                    "vtepd's own record for {case}: {p}"
                );
            }
        }
        let _ = child.stop();
        // Still alive, still serving, GoBGP's routes intact.
        assert!(vtepd.alive(), "vtepd died on case {case}");
        assert_eq!(gobgp_routes(&vtepd)?, 2, "GoBGP's routes after case {case}");
        assert_eq!(vtepd.peer("10.0.0.2")?["state"], "Established");
        report.push(format!("{case}: {result}"));
    }
    // The flood peer's routes are all gone with its session.
    let ps = vtepd.paths(&["bgp", "ipv4"])?;
    assert!(
        !ps.iter().any(|p| p["network"]
            .as_str()
            .is_some_and(|n| n.starts_with("10.98."))),
        "{ps:#?}"
    );

    // ROUTE-REFRESH: vtepd re-sends its Adj-RIB-Out.
    let (mut child, result) = run_case(CASES.len(), "refresh", 0)?;
    let _ = child.stop();
    let n: Vec<u32> = result
        .split(' ')
        .skip(2)
        .filter_map(|x| x.parse().ok())
        .collect();
    assert!(result.starts_with("RESULT refresh"), "{result}");
    assert!(
        n.len() == 2 && n[0] >= 1 && n[1] >= 1,
        "UPDATEs before/after ROUTE-REFRESH: {result}"
    );
    report.push(format!("refresh: {result}"));

    // A second connection from an established peer.
    let (mut child, result) = run_case(CASES.len() + 1, "collision", 0)?;
    assert_eq!(result, "RESULT notification 6 7");
    lab.wait_until(T, "collision child finished", || -> Result<bool> {
        Ok(child.log().contains("RESULT2"))
    })?;
    let log = child.log();
    let _ = child.stop();
    assert!(log.contains("RESULT2 first-session-alive"), "{log}");
    report.push(format!("collision: {result}, first session alive"));

    // A flood towards a peer that does not read: vtepd's memory stays
    // bounded (input read only as the RIB applies it; output held in the
    // RIB, coalesced, while the slow peer's queue is full).
    let pid = vtepd.process.pid();
    let hwm_before = vm_kb(pid, "VmHWM")?;
    let (mut child, result) = run_case(CASES.len() + 2, "churn", 0)?;
    let hwm_after = vm_kb(pid, "VmHWM")?;
    let sent: u64 = result
        .strip_prefix("RESULT churn ")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("churn case: {result}"));
    let flooded = vtepd
        .paths(&["bgp", "ipv4"])?
        .iter()
        .filter(|p| {
            p["network"]
                .as_str()
                .is_some_and(|n| n.starts_with("10.97."))
        })
        .count();
    let _ = child.stop();
    assert_eq!(flooded, 50, "the flooding peer's routes");
    assert!(sent >= 1000, "vtepd read only {sent} UPDATEs in 3 s");
    assert!(
        hwm_after < hwm_before + 48 * 1024,
        "VmHWM grew from {hwm_before} to {hwm_after} kB during the flood ({sent} UPDATEs)"
    );
    report.push(format!(
        "churn: {sent} UPDATEs of 50 routes in 3 s, peak RSS {hwm_before} -> {hwm_after} kB"
    ));

    assert!(vtepd.alive());
    let log = vtepd.process.log();
    assert!(!log.contains("panicked"), "{log}");
    println!("{}", report.join("\n"));
    println!("{}", vtepd.show_text(&["bgp", "summary"])?);
    println!("total {:?}", started.elapsed());
    let _ = BIN;
    assert!(started.elapsed() < Duration::from_secs(60));
    Ok(())
}
