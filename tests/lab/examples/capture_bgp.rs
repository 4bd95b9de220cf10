//! Capture the golden BGP messages of the `vtepd-bgp-evpn` crate from real
//! GoBGP and FRR sessions in a namespace lab.
//!
//! Regenerate (as root, with the lab's packages and `ethtool` installed)
//! with:
//!
//! ```text
//! CARGO_TARGET_DIR=/work/target-lab cargo run -p vtepd-lab --example capture_bgp
//! ```
//!
//! It writes into `crates/bgp-evpn/tests/fixtures/` (or the directory given
//! as the first argument): one file per BGP message (`SPEAKER_KIND[_STEP].bin`,
//! the whole message with its 19-byte header), the two pcaps the messages
//! were cut from, and `manifest.txt` (one line per message: file, direction,
//! step, length). `crates/bgp-evpn/tests/fixtures/README.md` describes them.
//!
//! Topologies:
//!
//! ```text
//! (A) gobgp: u0 10.0.0.2 fd00::2 ---- frr: u0 10.0.0.1 fd00::1   iBGP AS 65000
//!     families evpn, ipv4, ipv6, vpnv4      br100/vxlan100 + host h1 (MAC 02:00:00:00:01:01)
//!                                           br4000/vxlan4000 (L3VNI, type-5)
//! (B) vtep1 (FRR, AS 65001) u0 ---------- u0 vtep2 (FRR, AS 65002)  unnumbered eBGP
//!     link-local only, RFC 8950 next hops, ipv4 + evpn, VNI 100 with a host each
//! ```
//!
//! Each capture runs from before the daemons start, so OPENs are included.
//! The TCP payload is reassembled per direction from the frames (TX
//! checksum offload is off, so the frames are what went on the wire) and
//! cut into messages by the BGP header's length field. Every message is
//! labelled with the injection step during which its first byte was seen.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context};
use vtepd_lab::topo::{unnumbered_evpn_frr, GobgpdConf, L2Segment, L2SegmentSpec};
use vtepd_lab::{pcap, Lab, Result, Veth, Vxlan};

const T: Duration = Duration::from_secs(30);
/// Time for one step's UPDATEs to be sent before the next step starts.
const SETTLE: Duration = Duration::from_secs(2);

// ---------------------------------------------------------------- frames --

/// One TCP segment's payload.
struct Segment {
    src: String,
    dst: String,
    seq: u32,
    syn: bool,
    ts_us: u64,
    payload: Vec<u8>,
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// The TCP segment in an Ethernet frame (IPv4 or IPv6 without extension
/// headers), or `None`.
fn tcp_segment(rec: &pcap::Record) -> Option<Segment> {
    let f = &rec.data;
    let et = be16(f, 12)?;
    let (src, dst, l4, l4_end) = match et {
        0x0800 => {
            let ihl = usize::from(f.get(14)? & 0x0f) * 4;
            if *f.get(14 + 9)? != 6 {
                return None;
            }
            let total = usize::from(be16(f, 16)?);
            let s: [u8; 4] = f.get(26..30)?.try_into().ok()?;
            let d: [u8; 4] = f.get(30..34)?.try_into().ok()?;
            (
                std::net::Ipv4Addr::from(s).to_string(),
                std::net::Ipv4Addr::from(d).to_string(),
                14 + ihl,
                14 + total,
            )
        }
        0x86dd => {
            if *f.get(14 + 6)? != 6 {
                return None;
            }
            let plen = usize::from(be16(f, 18)?);
            let s: [u8; 16] = f.get(22..38)?.try_into().ok()?;
            let d: [u8; 16] = f.get(38..54)?.try_into().ok()?;
            (
                std::net::Ipv6Addr::from(s).to_string(),
                std::net::Ipv6Addr::from(d).to_string(),
                54,
                54 + plen,
            )
        }
        _ => return None,
    };
    let sport = be16(f, l4)?;
    let dport = be16(f, l4 + 2)?;
    let seq = be32(f, l4 + 4)?;
    let doff = usize::from(f.get(l4 + 12)? >> 4) * 4;
    let flags = *f.get(l4 + 13)?;
    let payload = f.get(l4 + doff..l4_end)?.to_vec();
    Some(Segment {
        src: format!("{src}.{sport}"),
        dst: format!("{dst}.{dport}"),
        seq,
        syn: flags & 0x02 != 0,
        ts_us: u64::from(rec.ts_sec) * 1_000_000 + u64::from(rec.ts_frac),
        payload,
    })
}

/// One direction of a TCP connection, reassembled: the byte stream and,
/// for each byte range, the time it was first seen.
struct Stream {
    bytes: Vec<u8>,
    /// (stream offset where a segment's new bytes start, its timestamp).
    marks: Vec<(usize, u64)>,
}

impl Stream {
    fn time_at(&self, off: usize) -> u64 {
        self.marks
            .iter()
            .take_while(|(o, _)| *o <= off)
            .last()
            .map_or(0, |(_, t)| *t)
    }
}

/// Reassemble every direction (`"SRC.PORT>DST.PORT"`) seen in `recs`.
/// Retransmitted bytes are ignored; a gap ends the stream (reported).
fn reassemble(recs: &[pcap::Record]) -> Result<BTreeMap<String, Stream>> {
    let mut by_dir: BTreeMap<String, (Option<u32>, Vec<Segment>)> = BTreeMap::new();
    for r in recs {
        let Some(s) = tcp_segment(r) else { continue };
        let key = format!("{}>{}", s.src, s.dst);
        let e = by_dir.entry(key).or_insert((None, Vec::new()));
        if s.syn {
            e.0 = Some(s.seq.wrapping_add(1));
        } else if !s.payload.is_empty() {
            e.1.push(s);
        }
    }
    let mut out = BTreeMap::new();
    for (key, (isn, mut segs)) in by_dir {
        if segs.is_empty() {
            continue;
        }
        let Some(isn) = isn else {
            bail!("{key}: no SYN captured (capture started too late)");
        };
        segs.sort_by_key(|s| (s.seq.wrapping_sub(isn), s.ts_us));
        let mut st = Stream {
            bytes: Vec::new(),
            marks: Vec::new(),
        };
        for s in segs {
            let rel = s.seq.wrapping_sub(isn) as usize;
            let end = rel + s.payload.len();
            if rel > st.bytes.len() {
                bail!(
                    "{key}: gap at stream offset {} (next segment at {rel})",
                    st.bytes.len()
                );
            }
            if end <= st.bytes.len() {
                continue; // retransmission
            }
            let new = &s.payload[st.bytes.len() - rel..];
            st.marks.push((st.bytes.len(), s.ts_us));
            st.bytes.extend_from_slice(new);
        }
        out.insert(key, st);
    }
    Ok(out)
}

// -------------------------------------------------------------- messages --

fn family(afi: u16, safi: u8) -> String {
    match (afi, safi) {
        (1, 1) => "ipv4".into(),
        (2, 1) => "ipv6".into(),
        (25, 70) => "evpn".into(),
        (1, 128) => "vpnv4".into(),
        (2, 128) => "vpnv6".into(),
        (a, s) => format!("afi{a}_safi{s}"),
    }
}

/// A short name for what a message is, from a minimal, bounds-checked look
/// at its bytes (the golden test checks every field properly).
fn kind(m: &[u8]) -> String {
    match m.get(18) {
        Some(1) => return "open".into(),
        Some(3) => return "notification".into(),
        Some(4) => return "keepalive".into(),
        Some(5) => return "route_refresh".into(),
        Some(2) => {}
        _ => return "unknown".into(),
    }
    let Some(wlen) = be16(m, 19).map(usize::from) else {
        return "update_short".into();
    };
    let a0 = 21 + wlen + 2;
    let Some(alen) = be16(m, 21 + wlen).map(usize::from) else {
        return "update_short".into();
    };
    let mut at = a0;
    let mut mp = None;
    while at < a0 + alen {
        let (Some(&flags), Some(&ty)) = (m.get(at), m.get(at + 1)) else {
            break;
        };
        let (len, hdr) = if flags & 0x10 != 0 {
            (be16(m, at + 2).map(usize::from), 4)
        } else {
            (m.get(at + 2).map(|l| usize::from(*l)), 3)
        };
        let Some(len) = len else { break };
        let v = at + hdr;
        if ty == 14 || ty == 15 {
            let afi = be16(m, v).unwrap_or(0);
            let safi = m.get(v + 2).copied().unwrap_or(0);
            let nlri = if ty == 14 {
                let nhl = m.get(v + 3).map_or(0, |l| usize::from(*l));
                v + 4 + nhl + 1
            } else {
                v + 3
            };
            let empty = nlri >= v + len;
            let evpn_type = if (afi, safi) == (25, 70) && !empty {
                m.get(nlri).map(|t| format!("_type{t}"))
            } else {
                None
            };
            let what = match (ty, empty) {
                (14, _) => "update",
                (_, true) => "eor",
                _ => "withdraw",
            };
            mp = Some(format!(
                "{what}_{}{}",
                family(afi, safi),
                evpn_type.unwrap_or_default()
            ));
        }
        at = v + len;
    }
    if let Some(k) = mp {
        return k;
    }
    let nlri = m.len() > a0 + alen;
    match (wlen > 0, nlri) {
        (_, true) => "update_ipv4".into(),
        (true, false) => "withdraw_ipv4".into(),
        (false, false) => "eor_ipv4".into(),
    }
}

/// Split a stream into BGP messages: (offset, bytes).
fn split_messages(key: &str, s: &Stream) -> Result<Vec<(usize, Vec<u8>)>> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < s.bytes.len() {
        let Some(len) = be16(&s.bytes, at + 16).map(usize::from) else {
            bail!("{key}: truncated header at {at}");
        };
        if s.bytes.get(at..at + 16) != Some(&[0xff; 16][..]) || len < 19 {
            bail!("{key}: bad BGP header at {at}");
        }
        let Some(m) = s.bytes.get(at..at + len) else {
            eprintln!("{key}: last message at {at} incomplete, ignored");
            break;
        };
        out.push((at, m.to_vec()));
        at += len;
    }
    Ok(out)
}

/// Injection steps: (start time in µs since the epoch, label).
#[derive(Default)]
struct Steps(Vec<(u64, String)>);

impl Steps {
    fn begin(&mut self, label: &str) {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_micros() as u64);
        println!("step {label}");
        self.0.push((now, label.to_owned()));
    }

    fn label_at(&self, ts_us: u64) -> &str {
        self.0
            .iter()
            .take_while(|(t, _)| *t <= ts_us)
            .last()
            .map_or("", |(_, l)| l.as_str())
    }
}

/// Cut the messages out of `pcap_path` and write them to `out`. `speaker`
/// names each direction by its source address.
fn save_messages(
    out: &Path,
    pcap_path: &Path,
    speaker: &dyn Fn(&str) -> String,
    steps: &Steps,
    manifest: &mut String,
) -> Result<usize> {
    let bytes = std::fs::read(pcap_path)?;
    let recs = pcap::parse_records(&bytes, false)?;
    let streams = reassemble(&recs)?;
    let mut seen: Vec<Vec<u8>> = Vec::new();
    let mut n = 0;
    for (key, st) in &streams {
        let who = speaker(key.split('>').next().unwrap_or(""));
        let mut keepalive_saved = false;
        for (off, m) in split_messages(key, st)? {
            let k = kind(&m);
            if k == "keepalive" {
                if keepalive_saved {
                    continue;
                }
                keepalive_saved = true;
            }
            if seen.contains(&m) {
                continue;
            }
            let step = steps.label_at(st.time_at(off));
            let mut base = format!("{who}_{k}");
            if !step.is_empty() && k != "keepalive" {
                base.push('_');
                base.push_str(step);
            }
            let mut name = format!("{base}.bin");
            let mut i = 2;
            while out.join(&name).exists() {
                name = format!("{base}_{i}.bin");
                i += 1;
            }
            std::fs::write(out.join(&name), &m)?;
            let _ = writeln!(
                manifest,
                "{name}\t{key}\tstep={}\tlen={}",
                if step.is_empty() { "initial" } else { step },
                m.len()
            );
            println!("{name}: {} bytes ({key})", m.len());
            seen.push(m);
            n += 1;
        }
    }
    Ok(n)
}

// ------------------------------------------------------------ topologies --

const ZEBRA_A: &str = "hostname frr
vni 4000
!
";

const BGPD_A: &str = "hostname frr
router bgp 65000
 bgp router-id 10.0.0.1
 no bgp default ipv4-unicast
 no bgp network import-check
 timers bgp 3 9
 neighbor 10.0.0.2 remote-as 65000
 neighbor 10.0.0.2 timers connect 1
 neighbor 10.0.0.2 advertisement-interval 0
 address-family ipv4 unicast
  network 10.50.0.0/24
  neighbor 10.0.0.2 activate
 exit-address-family
 address-family ipv6 unicast
  network 2001:db8:50::/64
  neighbor 10.0.0.2 activate
 exit-address-family
 address-family ipv4 vpn
  neighbor 10.0.0.2 activate
 exit-address-family
 address-family l2vpn evpn
  neighbor 10.0.0.2 activate
  advertise-all-vni
  advertise ipv4 unicast
 exit-address-family
!
";

/// (A) GoBGP ↔ FRR, numbered iBGP, with every route kind injected.
fn gobgp_frr(lab: &Lab, out: &Path, manifest: &mut String) -> Result<usize> {
    let fns = lab.netns("frr")?;
    let gns = lab.netns("gobgp")?;
    let _underlay = Veth::pair(&fns, "u0", &gns, "u0")
        .mac_a("02:00:00:00:00:01")
        .mac_b("02:00:00:00:00:02")
        .addrs_a(&["10.0.0.1/24", "fd00::1/64"])
        .addrs_b(&["10.0.0.2/24", "fd00::2/64"])
        .create()?;
    fns.disable_tx_offload("u0")?;
    gns.disable_tx_offload("u0")?;
    let seg = L2Segment::create(
        lab,
        &fns,
        &L2SegmentSpec {
            vni: 100,
            local: "10.0.0.1".parse()?,
            underlay_dev: Some("u0"),
            mtu: 1450,
            host_name: "h1",
            host_mac: "02:00:00:00:01:01",
            host_addrs: &["192.168.100.1/24"],
            static_remotes: &[],
        },
    )?;
    let _br4000 = fns.bridge("br4000", None)?;
    fns.set_mac("br4000", "02:00:00:00:40:01")?;
    let _vx4000 = Vxlan::builder("vxlan4000", 4000, "10.0.0.1".parse()?)
        .dev("u0")
        .bridge("br4000")
        .create(&fns)?;

    let pcap_path = lab.dir().join("gobgp_frr.pcap");
    let cap = fns.capture("u0", "tcp port 179", Some(&pcap_path))?;
    let mut steps = Steps::default();
    let frr = fns.frr(ZEBRA_A, Some(BGPD_A))?;
    let gobgp = gns.gobgpd(
        &GobgpdConf::new(65000, "10.0.0.2")
            .neighbor(
                "10.0.0.1",
                65000,
                &[
                    "l2vpn-evpn",
                    "ipv4-unicast",
                    "ipv6-unicast",
                    "l3vpn-ipv4-unicast",
                ],
            )
            .render(),
    )?;
    frr.wait_established("10.0.0.2", T)?;
    gobgp.wait_established("10.0.0.1", T)?;
    // FRR's own routes: type-3 for VNI 100, type-5 and IPv4/IPv6 for its
    // networks, type-2 for the host once it has sent a frame.
    let _ = seg.host.exec("ping", &["-c1", "-W1", "192.168.100.254"]);
    gobgp.wait_rib("evpn", "FRR's type-2/3/5 in GoBGP", T, |v| {
        let s = v.to_string();
        s.contains("[type:macadv]") && s.contains("[type:multicast]") && s.contains("[type:Prefix]")
    })?;
    std::thread::sleep(SETTLE);

    let rd = "10.0.0.2:100";
    let cli = |args: &str| -> Result<()> {
        let a: Vec<&str> = args.split_whitespace().collect();
        gobgp.cli(&a).map(drop)
    };
    let mut step = |label: &str, args: &str| -> Result<()> {
        steps.begin(label);
        cli(args)?;
        std::thread::sleep(SETTLE);
        Ok(())
    };
    step("macip", &format!("global rib -a evpn add macadv 02:00:00:00:02:01 192.168.100.20 esi 0 etag 0 label 100 rd {rd} rt 65000:100 encap vxlan nexthop 10.0.0.2"))?;
    step("mac", &format!("global rib -a evpn add macadv 02:00:00:00:02:02 0.0.0.0 esi 0 etag 0 label 100 rd {rd} rt 65000:100 encap vxlan nexthop 10.0.0.2"))?;
    // The host's MAC, which FRR advertises as local: GoBGP marks the move
    // with a MAC mobility sequence number, and FRR answers with a higher one.
    step("mobility", &format!("global rib -a evpn add macadv 02:00:00:00:01:01 0.0.0.0 esi 0 etag 0 label 100 rd {rd} rt 65000:100 encap vxlan nexthop 10.0.0.2"))?;
    step("pmsi", &format!("global rib -a evpn add multicast 10.0.0.2 etag 0 rd {rd} rt 65000:100 encap vxlan pmsi ingress-repl 100 10.0.0.2 nexthop 10.0.0.2"))?;
    step("rmac", "global rib -a evpn add prefix 10.60.0.0/24 gw 0.0.0.0 esi 0 etag 0 label 4000 rd 10.0.0.2:4000 rt 65000:4000 encap vxlan router-mac 02:00:00:00:02:ff nexthop 10.0.0.2")?;
    step("v6", "global rib -a evpn add prefix 2001:db8:60::/64 gw :: esi 0 etag 0 label 4000 rd 10.0.0.2:4000 rt 65000:4000 encap vxlan router-mac 02:00:00:00:02:ff nexthop 10.0.0.2")?;
    step(
        "vpn",
        "global rib -a vpnv4 add 10.9.0.0/24 label 100 rd 65000:1 rt 65000:1 nexthop 10.0.0.2",
    )?;
    step("plain", "global rib -a ipv4 add 10.70.0.0/24 nexthop 10.0.0.2 med 20 local-pref 200 community 65000:70")?;
    step(
        "plain",
        "global rib -a ipv6 add 2001:db8:70::/64 nexthop fd00::2",
    )?;
    // Route and attribute kinds FRR does not originate here: type-1 with a
    // LACP ESI and the ESI label, type-4 with a MAC-based ESI, type-2 with
    // an AS-based ESI, an IPv6 address, two labels (L2 and L3 VNI), a
    // 4-octet-AS RD, IPv4- and 4-octet-AS RTs and the router MAC (symmetric
    // IRB); AS_PATH with a set, AGGREGATOR, large communities; an
    // IPv4-administrator RD on VPNv4.
    step("esi", "global rib -a evpn add a-d esi LACP 02:00:00:00:aa:01 1 etag 0 label 100 rd 10.0.0.2:100 rt 65000:100 encap vxlan esi-label 200 nexthop 10.0.0.2")?;
    step("esi", "global rib -a evpn add esi 10.0.0.2 esi MAC 02:00:00:00:aa:02 7 rd 10.0.0.2:0 rt 65000:100 encap vxlan nexthop 10.0.0.2")?;
    step("labels", "global rib -a evpn add macadv 02:00:00:00:02:03 fd00:100::3 esi AS 65000 9 etag 10 label 100,4000 rd 4200000001:5 rt 10.0.0.2:100 4200000001:100 encap vxlan router-mac 02:00:00:00:02:ff nexthop 10.0.0.2")?;
    steps.begin("aspath");
    gobgp.cli(&[
        "global",
        "rib",
        "-a",
        "ipv4",
        "add",
        "10.71.0.0/24",
        "nexthop",
        "10.0.0.2",
        "aspath",
        "65010 65020 {65030,65040}",
        "origin",
        "igp",
        "large-community",
        "65000:1:2,4200000001:3:4",
        "aggregator",
        "65010:10.0.0.9",
    ])?;
    std::thread::sleep(SETTLE);
    let mut step = |label: &str, args: &str| -> Result<()> {
        steps.begin(label);
        cli(args)?;
        std::thread::sleep(SETTLE);
        Ok(())
    };
    step(
        "vpnrd",
        "global rib -a vpnv4 add 10.9.1.0/24 label 101 rd 10.0.0.2:7 rt 65000:1 nexthop 10.0.0.2",
    )?;
    step("del", &format!("global rib -a evpn del macadv 02:00:00:00:02:01 192.168.100.20 esi 0 etag 0 label 100 rd {rd}"))?;
    step(
        "del",
        "global rib -a vpnv4 del 10.9.0.0/24 label 100 rd 65000:1",
    )?;
    step("del", "global rib -a ipv4 del 10.70.0.0/24")?;
    step("del", "global rib -a ipv6 del 2001:db8:70::/64")?;
    // FRR withdraws its IPv4 network (and with it the type-5 route).
    steps.begin("del");
    frr.vtysh(&[
        "configure terminal",
        "router bgp 65000",
        "address-family ipv4 unicast",
        "no network 10.50.0.0/24",
    ])?;
    std::thread::sleep(SETTLE);
    // GoBGP closes the session: a Cease NOTIFICATION.
    steps.begin("shutdown");
    cli("neighbor 10.0.0.1 shutdown")?;
    std::thread::sleep(SETTLE);
    println!("GoBGP EVPN RIB at the end: {}", gobgp.rib_json("evpn")?);
    drop(cap.stop()?);
    drop(gobgp);
    drop(frr);

    std::fs::copy(&pcap_path, out.join("gobgp_frr.pcap"))?;
    let speaker = |src: &str| {
        if src.starts_with("10.0.0.2") {
            "gobgp".to_owned()
        } else {
            "frr".to_owned()
        }
    };
    save_messages(out, &pcap_path, &speaker, &steps, manifest)
}

/// (B) FRR ↔ FRR, unnumbered eBGP (IPv6 link-local, RFC 8950 next hops).
fn frr_frr_unnumbered(lab: &Lab, out: &Path, manifest: &mut String) -> Result<usize> {
    let v1 = lab.netns("vtep1")?;
    let v2 = lab.netns("vtep2")?;
    let _underlay = Veth::pair(&v1, "u0", &v2, "u0")
        .mac_a("02:00:00:00:10:01")
        .mac_b("02:00:00:00:10:02")
        .create()?;
    v1.disable_tx_offload("u0")?;
    v2.disable_tx_offload("u0")?;
    let ll1 = v1.link_local("u0")?;
    let pcap_path = lab.dir().join("frr_frr_unnumbered.pcap");
    let cap = v1.capture("u0", "tcp port 179", Some(&pcap_path))?;
    let mut segs = Vec::new();
    let mut frrs = Vec::new();
    for (vtep, n) in [(&v1, 1u8), (&v2, 2)] {
        let lo = format!("10.255.0.{n}");
        vtep.lo_addr(&format!("{lo}/32"))?.persist();
        segs.push(L2Segment::create(
            lab,
            vtep,
            &L2SegmentSpec {
                vni: 100,
                local: lo.parse()?,
                underlay_dev: None,
                mtu: 1450,
                host_name: &format!("uh{n}"),
                host_mac: &format!("02:00:00:00:11:0{n}"),
                host_addrs: &[&format!("192.168.100.{n}/24")],
                static_remotes: &[],
            },
        )?);
        // An SVI address, so that zebra learns the host's IP from the
        // neighbour table and FRR sends MAC+IP type-2 routes.
        vtep.add_addr("br100", &format!("192.168.100.25{n}/24"))?;
        frrs.push(unnumbered_evpn_frr(vtep, n, &lo)?);
    }
    frrs[0].wait_established("u0", T)?;
    frrs[1].wait_established("u0", T)?;
    for (vtep, n) in [(&v1, 1u8), (&v2, 2)] {
        let _ = vtep.exec("ping", &["-c1", "-W1", &format!("192.168.100.{n}")]);
    }
    frrs[0].wait_evpn_route("MAC+IP type-2 of vtep2", T, |_, p| {
        p.starts_with("[2]:") && p.contains("02:00:00:00:11:02") && p.contains("192.168.100.2")
    })?;
    frrs[1].wait_evpn_route("MAC+IP type-2 of vtep1", T, |_, p| {
        p.starts_with("[2]:") && p.contains("02:00:00:00:11:01") && p.contains("192.168.100.1")
    })?;
    std::thread::sleep(SETTLE);
    drop(cap.stop()?);
    drop(frrs);
    drop(segs);

    std::fs::copy(&pcap_path, out.join("frr_frr_unnumbered.pcap"))?;
    let ll1 = ll1.to_string();
    let speaker = move |src: &str| {
        if src.starts_with(&format!("{ll1}.")) {
            "frr_unnum1".to_owned()
        } else {
            "frr_unnum2".to_owned()
        }
    };
    save_messages(out, &pcap_path, &speaker, &Steps::default(), manifest)
}

fn main() -> Result<()> {
    let out: PathBuf = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../crates/bgp-evpn/tests/fixtures")
        });
    std::fs::create_dir_all(&out)?;
    // Start from a clean set of messages (README.md stays).
    for e in std::fs::read_dir(&out)? {
        let p = e?.path();
        if p.extension().is_some_and(|x| x == "bin" || x == "pcap") {
            std::fs::remove_file(&p).with_context(|| format!("removing {}", p.display()))?;
        }
    }
    let mut manifest = String::from("# file\tdirection\tstep\tlength\n");
    let lab = Lab::new()?;
    let a = gobgp_frr(&lab, &out, &mut manifest)?;
    let b = frr_frr_unnumbered(&lab, &out, &mut manifest)?;
    std::fs::write(out.join("manifest.txt"), manifest)?;
    println!("{a} messages from GoBGP/FRR, {b} from FRR/FRR unnumbered");
    Ok(())
}
