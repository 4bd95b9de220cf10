//! `benches/evpn_scale.sh`: N hosts (MACs, default 2 000) behind one VTEP
//! appear on the other side, measured on vtepd and FRR in the same run.
//!
//! Three namespaces on one underlay switch:
//!
//! - `src` 10.0.0.1: a vtepd that originates N static type-2 routes in
//!   VNI 100 (`[[originate]]`, next hop 10.0.0.1) and its type-3 route:
//!   "N hosts behind one VTEP". It peers (iBGP) with both receivers, so
//!   both get the same routes from the same source at the same time.
//! - `vt` 10.0.0.2: the vtepd VTEP under test (VNI 100 with an AF_PACKET
//!   port, dataplane running).
//! - `fr` 10.0.0.3: the FRR 8.4 VTEP under test (zebra + bgpd, kernel
//!   VXLAN + bridge).
//!
//! # What is timed, per receiver
//!
//! All clocks are the wall clock (`CLOCK_REALTIME`), read by tcpdump, by
//! `bridge -t monitor`, by vtepd's log and by this program.
//!
//! - **Start**: the capture timestamp (tcpdump on the receiver's underlay
//!   interface) of the TCP segment carrying the first byte of the first
//!   BGP UPDATE with an EVPN type-2 route in its MP_REACH_NLRI, on the
//!   session from the source to that receiver. Session setup, the OPEN
//!   exchange and the type-3 route are not counted.
//! - **Stop, FRR**: the `bridge -t monitor fdb` timestamp of the netlink
//!   notification that added the N-th distinct MAC to the kernel FDB
//!   (what zebra installed).
//! - **Stop, vtepd**: when the dataplane worker's MAC table holds all N.
//!   vtepd logs (target `vtepd::evpn::handoff`, one record per batch, with
//!   its timestamp) how many remote MACs it has handed to the worker; the
//!   worker applies every pending instruction at the top of its loop, before
//!   it blocks in `poll` again. So the table holds all N at the first time
//!   the worker thread (`vtepd-dp`, or `vtepd-dp0` of several: the one that
//!   takes control messages) blocks after the hand-off of the N-th:
//!   this program samples the threads' `voluntary_ctxt_switches` in
//!   `/proc` every ~1 ms (reading `/proc` does not wake the thread) and
//!   takes the first sample after the hand-off whose count has risen. The
//!   hand-off time itself is also reported.
//!
//! Each run restarts the source (the receivers stay up, and are checked to
//! be empty first); several runs give min / median / max. RSS of vtepd and
//! of bgpd + zebra is read after each run's convergence.
//!
//! Usage (root): `evpn_scale VTEPD_BIN [N] [RUNS]`.

use std::fmt::Write as _;
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

use vtepd_lab::topo::{EvpnBgpConf, L2Segment, L2SegmentSpec};
use vtepd_lab::{pcap, Frr, Lab, Netns, ProcessSpec, Result, Veth};

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn show_json(bin: &str, socket: &str, words: &[&str]) -> Result<vtepd_lab::serde_json::Value> {
    let out = Command::new(bin)
        .args(["show", "--socket", socket, "--json"])
        .args(words)
        .output()?;
    anyhow::ensure!(out.status.success(), "vtepd show failed");
    Ok(vtepd_lab::serde_json::from_slice(&out.stdout)?)
}

/// Wall clock in seconds since the epoch.
fn now_s() -> f64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn hms(s: &str) -> Option<f64> {
    let mut it = s.split(':');
    let h: f64 = it.next()?.parse().ok()?;
    let m: f64 = it.next()?.parse().ok()?;
    let sec: f64 = it.next()?.parse().ok()?;
    Some(h * 3600.0 + m * 60.0 + sec)
}

/// `2026-11-25T22:58:06.013076Z` → seconds since the epoch.
fn parse_rfc3339(s: &str) -> Option<f64> {
    let s = s.strip_suffix('Z')?;
    let (date, time) = s.split_once('T')?;
    let mut d = date.split('-');
    let y: i64 = d.next()?.parse().ok()?;
    let m: i64 = d.next()?.parse().ok()?;
    let day: i64 = d.next()?.parse().ok()?;
    Some(days_from_civil(y, m, day) as f64 * 86_400.0 + hms(time)?)
}

/// `Timestamp: Wed Nov 25 22:58:06 2026 13076 usec` (with TZ=UTC) →
/// seconds since the epoch.
fn parse_bridge_ts(s: &str) -> Option<f64> {
    let w: Vec<&str> = s.split_whitespace().collect();
    // ["Timestamp:", "Wed", "Nov", "25", "22:58:06", "2026", "13076", "usec"]
    let month = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
    .iter()
    .position(|m| Some(m) == w.get(2))? as i64
        + 1;
    let day: i64 = w.get(3)?.parse().ok()?;
    let y: i64 = w.get(5)?.parse().ok()?;
    let usec: f64 = w.get(6)?.parse().ok()?;
    Some(days_from_civil(y, month, day) as f64 * 86_400.0 + hms(w.get(4)?)? + usec / 1e6)
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c == '\u{1b}' {
            for c in it.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The first hand-off record in `log` (vtepd's log text since the run
/// started) with at least `n` remote MACs in VNI 100: its time.
fn handoff_time(log: &str, n: usize) -> Option<f64> {
    for line in log.lines() {
        let line = strip_ansi(line);
        if !line.contains("vtepd::evpn::handoff") || !line.contains("vni=100") {
            continue;
        }
        let remote: usize = line
            .split_whitespace()
            .find_map(|w| w.strip_prefix("remote="))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        if remote >= n {
            return line.split_whitespace().next().and_then(parse_rfc3339);
        }
    }
    None
}

/// From `bridge -t monitor fdb` output: the time of the notification that
/// completed the `n`-th `02:aa:` MAC (FRR's receiver). zebra installs two
/// entries per MAC: the bridge's (`master br100`, towards the VXLAN port)
/// and the VXLAN device's (`self`, `dst` the remote VTEP); a MAC forwards
/// once both are there.
fn fdb_nth_time(text: &str, n: usize) -> Option<f64> {
    use std::collections::HashSet;
    let (mut master, mut vx) = (HashSet::new(), HashSet::new());
    let mut ts = None;
    for line in text.lines() {
        if line.starts_with("Timestamp:") {
            ts = parse_bridge_ts(line);
            continue;
        }
        if !line.starts_with("02:aa:") || !line.contains("vxlan100") {
            continue;
        }
        let Some(mac) = line.split_whitespace().next() else {
            continue;
        };
        if line.contains(" dst ") {
            vx.insert(mac.to_owned());
        } else if line.contains(" master ") {
            master.insert(mac.to_owned());
        }
        if vx.len() >= n && master.len() >= n {
            return ts;
        }
    }
    None
}

/// Does this BGP UPDATE body carry an EVPN (AFI 25, SAFI 70) type-2 route
/// in its MP_REACH_NLRI?
fn update_has_type2(body: &[u8]) -> bool {
    let rd16 = |b: &[u8], at: usize| -> Option<usize> {
        Some(usize::from(u16::from_be_bytes([
            *b.get(at)?,
            *b.get(at + 1)?,
        ])))
    };
    let Some(wlen) = rd16(body, 0) else {
        return false;
    };
    let Some(alen) = rd16(body, 2 + wlen) else {
        return false;
    };
    let Some(attrs) = body.get(4 + wlen..4 + wlen + alen) else {
        return false;
    };
    let mut i = 0;
    while i + 3 <= attrs.len() {
        let flags = attrs[i];
        let ty = attrs[i + 1];
        let (len, hdr) = if flags & 0x10 != 0 {
            match rd16(attrs, i + 2) {
                Some(l) => (l, 4),
                None => return false,
            }
        } else {
            (usize::from(attrs[i + 2]), 3)
        };
        let Some(v) = attrs.get(i + hdr..i + hdr + len) else {
            return false;
        };
        if ty == 14 && v.len() >= 5 {
            let afi = u16::from_be_bytes([v[0], v[1]]);
            let safi = v[2];
            let nhlen = usize::from(v[3]);
            if afi == 25 && safi == 70 {
                // NLRI after next hop and the reserved octet.
                let mut j = 4 + nhlen + 1;
                while let (Some(&rt), Some(&l)) = (v.get(j), v.get(j + 1)) {
                    if rt == 2 {
                        return true;
                    }
                    j += 2 + usize::from(l);
                }
            }
        }
        i += hdr + len;
    }
    false
}

/// The capture times of the segments carrying the first byte of the first
/// UPDATE with a type-2 route sent by `from` (IPv4, TCP) in `recs`, and
/// the last byte of the last such UPDATE.
fn type2_updates(recs: &[pcap::Record], from: [u8; 4]) -> Option<(f64, f64)> {
    // Reassemble the byte stream from `from` (in order; retransmitted
    // bytes skipped), remembering each byte range's capture time.
    let mut stream: Vec<u8> = Vec::new();
    let mut times: Vec<(usize, f64)> = Vec::new();
    let mut next_seq: Option<u32> = None;
    for r in recs {
        let d = &r.data;
        if d.len() < 14 + 20 || d[12..14] != [0x08, 0x00] {
            continue;
        }
        let ip = &d[14..];
        let ihl = usize::from(ip[0] & 0x0f) * 4;
        if ip[9] != 6 || ip[12..16] != from || ip.len() < ihl + 20 {
            continue;
        }
        let total = usize::from(u16::from_be_bytes([ip[2], ip[3]])).min(ip.len());
        let tcp = &ip[ihl..total];
        let seq = u32::from_be_bytes([tcp[4], tcp[5], tcp[6], tcp[7]]);
        let doff = usize::from(tcp[12] >> 4) * 4;
        let Some(payload) = tcp.get(doff..) else {
            continue;
        };
        if tcp[13] & 0x02 != 0 {
            next_seq = Some(seq.wrapping_add(1));
            continue;
        }
        if payload.is_empty() {
            continue;
        }
        let exp = *next_seq.get_or_insert(seq);
        // > 0: a gap (not expected on a veth), < 0: retransmitted bytes.
        let diff = seq.wrapping_sub(exp) as i32;
        if diff > 0 {
            continue;
        }
        let skip = diff.unsigned_abs() as usize;
        if skip >= payload.len() {
            continue;
        }
        let new = &payload[skip..];
        let t = f64::from(r.ts_sec) + f64::from(r.ts_frac) / 1e6;
        times.push((stream.len(), t));
        stream.extend_from_slice(new);
        next_seq = Some(exp.wrapping_add(new.len() as u32));
    }
    let time_at = |off: usize| times.iter().rev().find(|(o, _)| *o <= off).map(|(_, t)| *t);
    let (mut first, mut last) = (None, None);
    let mut off = 0;
    while off + 19 <= stream.len() {
        let len = usize::from(u16::from_be_bytes([stream[off + 16], stream[off + 17]]));
        if len < 19 || off + len > stream.len() {
            break;
        }
        if stream[off + 18] == 2 && update_has_type2(&stream[off + 19..off + len]) {
            first = first.or_else(|| time_at(off));
            last = time_at(off + len - 1);
        }
        off += len;
    }
    Some((first?, last?))
}

/// Thread id of the dataplane thread that applies control instructions:
/// `vtepd-dp` (one worker), or `vtepd-dp0` (the first of several, which
/// takes the control messages).
fn worker_tids(pid: u32) -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str().and_then(|s| s.parse().ok()))
        .filter(|tid: &u32| {
            std::fs::read_to_string(format!("/proc/{pid}/task/{tid}/comm"))
                .is_ok_and(|c| matches!(c.trim_end(), "vtepd-dp" | "vtepd-dp0"))
        })
        .collect()
}

/// The sum of the threads' voluntary context switches (times they blocked).
fn blocked_count(pid: u32, tids: &[u32]) -> u64 {
    tids.iter()
        .filter_map(|t| {
            let s = std::fs::read_to_string(format!("/proc/{pid}/task/{t}/status")).ok()?;
            s.lines()
                .find(|l| l.starts_with("voluntary_ctxt_switches:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok())
        })
        .sum()
}

struct RunResult {
    vtepd_table_ms: f64,
    vtepd_handoff_ms: f64,
    /// The first remote MAC handed to the worker.
    vtepd_first_ms: f64,
    frr_ms: f64,
    /// From the first to the last type-2 UPDATE on vtepd's link.
    wire_vt_ms: f64,
    /// The same on FRR's link.
    wire_fr_ms: f64,
    vtepd_rss: u64,
    frr_rss: u64,
}

struct Setup<'a> {
    bin: &'a str,
    n: usize,
    vsock: &'a str,
    spath: String,
    src: &'a Netns,
    vt: &'a Netns,
    fr: &'a Netns,
    vtepd_pid: u32,
    vtepd_log: std::path::PathBuf,
    frr_pids: Vec<u32>,
    frr: &'a Frr,
}

fn remote_macs(s: &Setup) -> u64 {
    show_json(s.bin, s.vsock, &["evpn", "vni", "100"])
        .ok()
        .and_then(|x| x["vnis"][0]["remote-macs"].as_u64())
        .unwrap_or(u64::MAX)
}

fn frr_macs(s: &Setup) -> usize {
    s.fr.fdb(Some("vxlan100"))
        .unwrap_or_default()
        .lines()
        .filter(|l| l.starts_with("02:aa:") && l.contains(" dst ") && l.contains("extern_learn"))
        .count()
}

fn one_run(lab: &Lab, s: &Setup, run: usize) -> Result<RunResult> {
    // Both receivers empty before the source starts.
    lab.wait_until(Duration::from_secs(30), "receivers empty", || {
        remote_macs(s) == 0 && frr_macs(s) == 0
    })?;
    let cap_vt = s.vt.capture("u0", "tcp port 179", None)?;
    let cap_fr = s.fr.capture("u0", "tcp port 179", None)?;
    let mut mon = s.fr.spawn(
        ProcessSpec::new(&format!("fdbmon{run}"), "bridge")
            .args(&["-t", "monitor", "fdb"])
            .env("TZ", "UTC"),
    )?;
    let log_from = std::fs::metadata(&s.vtepd_log).map_or(0, |m| m.len()) as usize;
    let tids = worker_tids(s.vtepd_pid);
    anyhow::ensure!(!tids.is_empty(), "no vtepd-dp thread in vtepd");
    std::thread::sleep(Duration::from_millis(300));

    let mut source = s.src.spawn(
        ProcessSpec::new(&format!("vtepd-src{run}"), s.bin).args(&["run", "-c", &s.spath]),
    )?;
    let started = Instant::now();
    // (wall clock, times the worker blocked so far)
    let mut samples: Vec<(f64, u64)> = Vec::with_capacity(65_536);
    let (mut handoff, mut frr_done) = (None::<f64>, false);
    let mut last_check = Instant::now();
    let vlog = |s: &Setup| {
        std::fs::read(&s.vtepd_log)
            .map(|b| String::from_utf8_lossy(b.get(log_from..).unwrap_or(&[])).into_owned())
            .unwrap_or_default()
    };
    loop {
        samples.push((now_s(), blocked_count(s.vtepd_pid, &tids)));
        if last_check.elapsed() >= Duration::from_millis(25) {
            last_check = Instant::now();
            if handoff.is_none() {
                handoff = handoff_time(&vlog(s), s.n);
            }
            if !frr_done {
                let t = std::fs::read_to_string(mon.log_path()).unwrap_or_default();
                frr_done = fdb_nth_time(&t, s.n).is_some();
            }
        }
        // Keep sampling 300 ms past the hand-off (the worker's poll
        // timeout is 100 ms).
        if let Some(h) = handoff {
            if frr_done && now_s() > h + 0.3 {
                break;
            }
        }
        if started.elapsed() >= Duration::from_secs(60) {
            let frr_bgp = s
                .frr
                .vtysh(&["show bgp l2vpn evpn summary"])
                .unwrap_or_default();
            anyhow::bail!(
                "run {run}: not converged in 60 s: vtepd hand-off {handoff:?}, vtepd remote MACs {}, \
                 FRR FDB entries {} (monitor done: {frr_done})\n{frr_bgp}",
                remote_macs(s),
                frr_macs(s)
            );
        }
        std::thread::sleep(Duration::from_micros(800));
    }
    let vtepd_rss = rss_kib(s.vtepd_pid);
    let frr_rss: u64 = s.frr_pids.iter().map(|p| rss_kib(*p)).sum();
    // Cross-check with the daemons' own views (published counters lag).
    lab.wait_until(
        Duration::from_secs(5),
        "vtepd table and FRR FDB full",
        || {
            let dp = show_json(s.bin, s.vsock, &["interfaces"])
                .ok()
                .and_then(|v| v["vnis"][0]["macs"].as_u64())
                .unwrap_or(0);
            dp as usize >= s.n && frr_macs(s) == s.n
        },
    )?;
    let _ = source.stop();
    let _ = mon.stop_with("INT", Duration::from_secs(2));
    let rec_vt = cap_vt.stop()?;
    let rec_fr = cap_fr.stop()?;

    let src_ip = [10, 0, 0, 1];
    let (t0_vt, t1_vt) = type2_updates(&rec_vt, src_ip)
        .ok_or_else(|| anyhow::anyhow!("run {run}: no type-2 UPDATE captured towards vtepd"))?;
    let (t0_fr, t1_fr) = type2_updates(&rec_fr, src_ip)
        .ok_or_else(|| anyhow::anyhow!("run {run}: no type-2 UPDATE captured towards FRR"))?;
    let h = handoff.unwrap_or(f64::NAN);
    let h_first = handoff_time(&vlog(s), 1).unwrap_or(f64::NAN);
    let before = samples
        .iter()
        .rev()
        .find(|(t, _)| *t <= h)
        .map(|(_, c)| *c)
        .ok_or_else(|| anyhow::anyhow!("run {run}: no worker sample before the hand-off"))?;
    let t_table = samples
        .iter()
        .find(|(t, c)| *t > h && *c > before)
        .map(|(t, _)| *t)
        .ok_or_else(|| anyhow::anyhow!("run {run}: the worker did not run after the hand-off"))?;
    let mon_text = std::fs::read_to_string(mon.log_path())?;
    let t_frr = fdb_nth_time(&mon_text, s.n)
        .ok_or_else(|| anyhow::anyhow!("run {run}: FDB monitor did not see {} MACs", s.n))?;
    Ok(RunResult {
        vtepd_table_ms: (t_table - t0_vt) * 1000.0,
        vtepd_handoff_ms: (h - t0_vt) * 1000.0,
        vtepd_first_ms: (h_first - t0_vt) * 1000.0,
        frr_ms: (t_frr - t0_fr) * 1000.0,
        wire_vt_ms: (t1_vt - t0_vt) * 1000.0,
        wire_fr_ms: (t1_fr - t0_fr) * 1000.0,
        vtepd_rss,
        frr_rss,
    })
}

fn stats(v: &[f64]) -> (f64, f64, f64) {
    let mut s = v.to_vec();
    s.sort_by(|a, b| a.total_cmp(b));
    let med = if s.len() % 2 == 1 {
        s[s.len() / 2]
    } else {
        (s[s.len() / 2 - 1] + s[s.len() / 2]) / 2.0
    };
    (s[0], med, s[s.len() - 1])
}

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let bin = args
        .next()
        .ok_or_else(|| anyhow::anyhow!("usage: evpn_scale VTEPD_BIN [N] [RUNS]"))?;
    let n: usize = args.next().map_or(Ok(2000), |s| s.parse())?;
    let runs: usize = args.next().map_or(Ok(5), |s| s.parse())?;
    anyhow::ensure!(runs >= 1, "RUNS must be at least 1");
    let lab = Lab::new()?;
    let ul = lab.netns("ul")?;
    let sw = ul.bridge("sw", None)?;
    let src = lab.netns("src")?;
    let vt = lab.netns("vt")?;
    let fr = lab.netns("fr")?;
    let mut links = Vec::new();
    for (i, ns) in [&src, &vt, &fr].into_iter().enumerate() {
        let port = format!("p{}", i + 1);
        links.push(
            Veth::pair(&ul, &port, ns, "u0")
                .addrs_b(&[&format!("10.0.0.{}/24", i + 1)])
                .create()?,
        );
        sw.add_port(&port)?;
    }

    // FRR receiver.
    let _seg = L2Segment::create(
        &lab,
        &fr,
        &L2SegmentSpec {
            vni: 100,
            local: "10.0.0.3".parse()?,
            underlay_dev: Some("u0"),
            mtu: 1450,
            host_name: "hf",
            host_mac: "02:00:00:00:00:03",
            host_addrs: &["192.168.100.3/24"],
            static_remotes: &[],
        },
    )?;
    let conf = EvpnBgpConf {
        hostname: "fr",
        router_id: "10.0.0.3",
        neighbors: &[("10.0.0.1", "internal")],
        ..Default::default()
    }
    .render();
    let frr = fr.frr("hostname fr\n!\n", Some(&conf))?;

    // vtepd receiver: its hand-off records on.
    let hv = lab.netns("hv")?;
    let _hl = Veth::pair(&vt, "hv0", &hv, "eth0")
        .mtu(1450)
        .mac_b("02:00:00:00:00:02")
        .addrs_b(&["192.168.100.2/24"])
        .create()?;
    let vsock = lab.dir().join("vt.sock").to_string_lossy().into_owned();
    let vconf = format!(
        "[bgp]\nrouter-id = \"10.0.0.2\"\nasn = 65000\nlisten = [\"10.0.0.2:179\"]\n\
         [control]\nsocket = \"{vsock}\"\n[log]\nlevel = \"warn,vtepd::evpn::handoff=debug\"\n\
         [underlay]\nlocal-ip = \"10.0.0.2\"\n\
         [[neighbor]]\naddress = \"10.0.0.1\"\nremote-as = \"internal\"\nhold-time = 9\nconnect-retry = 1\n\
         [[vni]]\nvni = 100\ninterfaces = [\"hv0\"]\nmax-remote-macs = {}\n",
        n.max(4096)
    );
    let vpath = lab.dir().join("vt.toml");
    std::fs::write(&vpath, vconf)?;
    let vtepd = vt.spawn(ProcessSpec::new("vtepd-vt", &bin).args(&[
        "run",
        "-c",
        &vpath.to_string_lossy(),
    ]))?;

    // Source: N static type-2 routes.
    let ssock = lab.dir().join("src.sock").to_string_lossy().into_owned();
    let mut sconf = format!(
        "[bgp]\nrouter-id = \"10.0.0.1\"\nasn = 65000\nlisten = [\"10.0.0.1:179\"]\n\
         [control]\nsocket = \"{ssock}\"\n[log]\nlevel = \"warn\"\n\
         [[neighbor]]\naddress = \"10.0.0.2\"\nremote-as = \"internal\"\nhold-time = 9\nconnect-retry = 1\n\
         [[neighbor]]\naddress = \"10.0.0.3\"\nremote-as = \"internal\"\nhold-time = 9\nconnect-retry = 1\n\
         [[vni]]\nvni = 100\n"
    );
    for i in 0..n {
        let _ = write!(
            sconf,
            "[[originate]]\ntype = \"evpn-mac-ip\"\nvni = 100\nmac = \"02:aa:00:{:02x}:{:02x}:{:02x}\"\n",
            (i >> 16) & 0xff,
            (i >> 8) & 0xff,
            i & 0xff
        );
    }
    let spath = lab.dir().join("src.toml");
    std::fs::write(&spath, sconf)?;

    lab.wait_until(Duration::from_secs(20), "vtepd receiver ready", || {
        show_json(&bin, &vsock, &["interfaces"]).is_ok()
    })?;
    std::thread::sleep(Duration::from_secs(1));
    let vt_idle = rss_kib(vtepd.pid());
    let frr_idle: u64 = frr.pids().iter().map(|p| rss_kib(*p)).sum();

    let setup = Setup {
        bin: &bin,
        n,
        vsock: &vsock,
        spath: spath.to_string_lossy().into_owned(),
        src: &src,
        vt: &vt,
        fr: &fr,
        vtepd_pid: vtepd.pid(),
        vtepd_log: vtepd.log_path().to_path_buf(),
        frr_pids: frr.pids(),
        frr: &frr,
    };
    println!(
        "evpn_scale: {n} MACs behind one VTEP (source: vtepd, static type-2 routes), {runs} runs"
    );
    println!("  time from the first type-2 UPDATE on each receiver's link until its last MAC is in the forwarding table");
    let mut res = Vec::new();
    for run in 0..runs {
        let r = one_run(&lab, &setup, run)?;
        println!(
            "  run {}: vtepd table {:.1} ms (handed to worker {:.1} ms), FRR kernel FDB {:.1} ms, ratio {:.2}x; RSS vtepd {} KiB, bgpd+zebra {} KiB ({:.3})",
            run + 1,
            r.vtepd_table_ms,
            r.vtepd_handoff_ms,
            r.frr_ms,
            r.frr_ms / r.vtepd_table_ms,
            r.vtepd_rss,
            r.frr_rss,
            r.vtepd_rss as f64 / r.frr_rss.max(1) as f64
        );
        res.push(r);
    }
    let col = |f: fn(&RunResult) -> f64| stats(&res.iter().map(f).collect::<Vec<_>>());
    let show = |name: &str, (a, b, c): (f64, f64, f64), unit: &str| {
        println!("    {name:<34} {a:>8.2} {b:>8.2} {c:>8.2} {unit}");
    };
    println!("  summary over {runs} runs:                min   median      max");
    show("vtepd, worker MAC table", col(|r| r.vtepd_table_ms), "ms");
    show(
        "vtepd, handed to the worker",
        col(|r| r.vtepd_handoff_ms),
        "ms",
    );
    show(
        "vtepd, first MAC handed over",
        col(|r| r.vtepd_first_ms),
        "ms",
    );
    show("FRR, kernel FDB (bgpd+zebra)", col(|r| r.frr_ms), "ms");
    show(
        "routes on the wire, to vtepd",
        col(|r| r.wire_vt_ms),
        "ms (first to last type-2 UPDATE)",
    );
    show("routes on the wire, to FRR", col(|r| r.wire_fr_ms), "ms");
    show(
        "ratio FRR / vtepd table",
        col(|r| r.frr_ms / r.vtepd_table_ms),
        "x (target >= 2)",
    );
    show("vtepd RSS", col(|r| r.vtepd_rss as f64), "KiB");
    show("bgpd + zebra RSS", col(|r| r.frr_rss as f64), "KiB");
    show(
        "memory vtepd / (bgpd + zebra)",
        col(|r| r.vtepd_rss as f64 / r.frr_rss.max(1) as f64),
        "(target <= 0.25)",
    );
    println!("  RSS idle before the runs: vtepd {vt_idle} KiB, bgpd + zebra {frr_idle} KiB");
    drop(links);
    Ok(())
}
