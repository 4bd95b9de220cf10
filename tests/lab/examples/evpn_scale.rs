//! `benches/evpn_scale.sh`: N hosts (MACs, default 2 000) behind one VTEP
//! appear on the other side, measured on vtepd and FRR in the same run.
//!
//! Three namespaces on one underlay switch:
//!
//! - `src` 10.0.0.1: a vtepd that originates N static type-2 routes in
//!   VNI 100 (`[[originate]]`, next hop 10.0.0.1) and its type-3 route:
//!   "N hosts behind one VTEP". It peers (iBGP) with both receivers.
//! - `vt` 10.0.0.2: the vtepd VTEP under test (VNI 100 with an AF_PACKET
//!   port, dataplane running).
//! - `fr` 10.0.0.3: the FRR 8.4 VTEP under test (zebra + bgpd, kernel
//!   VXLAN + bridge).
//!
//! Both receivers are up and idle first; then the source starts (t = 0).
//! One loop polls both until each has all N MACs installed in its
//! dataplane: vtepd's MAC table (`show interfaces`: entries of VNI 100,
//! minus its one local host) and FRR's kernel FDB (`bridge fdb show dev
//! vxlan100`, `extern_learn` entries, what zebra installed). Prints each
//! time, the RSS of vtepd and of bgpd + zebra after convergence, and the
//! ratios.
//!
//! Usage (root): `evpn_scale VTEPD_BIN [N]`.

use std::fmt::Write as _;
use std::process::Command;
use std::time::{Duration, Instant};

use vtepd_lab::topo::{EvpnBgpConf, L2Segment, L2SegmentSpec};
use vtepd_lab::{Lab, ProcessSpec, Result, Veth};

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

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let bin = args
        .next()
        .ok_or_else(|| anyhow::anyhow!("usage: evpn_scale VTEPD_BIN [N]"))?;
    let n: usize = args.next().map_or(Ok(2000), |s| s.parse())?;
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

    // vtepd receiver.
    let hv = lab.netns("hv")?;
    let _hl = Veth::pair(&vt, "hv0", &hv, "eth0")
        .mtu(1450)
        .mac_b("02:00:00:00:00:02")
        .addrs_b(&["192.168.100.2/24"])
        .create()?;
    let vsock = lab.dir().join("vt.sock").to_string_lossy().into_owned();
    let vconf = format!(
        "[bgp]\nrouter-id = \"10.0.0.2\"\nasn = 65000\nlisten = [\"10.0.0.2:179\"]\n\
         [control]\nsocket = \"{vsock}\"\n[log]\nlevel = \"warn\"\n[underlay]\nlocal-ip = \"10.0.0.2\"\n\
         [[neighbor]]\naddress = \"10.0.0.1\"\nremote-as = \"internal\"\nhold-time = 9\nconnect-retry = 1\n\
         [[vni]]\nvni = 100\ninterfaces = [\"hv0\"]\n"
    );
    let vpath = lab.dir().join("vt.toml");
    std::fs::write(&vpath, vconf)?;
    let mut vtepd = vt.spawn(ProcessSpec::new("vtepd-vt", &bin).args(&[
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

    // Both receivers idle and answering before the source starts.
    lab.wait_until(Duration::from_secs(20), "vtepd receiver ready", || {
        show_json(&bin, &vsock, &["interfaces"]).is_ok()
    })?;
    std::thread::sleep(Duration::from_secs(1));
    let vt_idle = rss_kib(vtepd.pid());
    let frr_idle: u64 = frr.pids().iter().map(|p| rss_kib(*p)).sum();

    let t0 = Instant::now();
    let mut source = src.spawn(ProcessSpec::new("vtepd-src", &bin).args(&[
        "run",
        "-c",
        &spath.to_string_lossy(),
    ]))?;
    let (mut t_vtepd, mut t_dp, mut t_frr) = (None, None, None);
    let deadline = Duration::from_secs(60);
    while (t_vtepd.is_none() || t_dp.is_none() || t_frr.is_none()) && t0.elapsed() < deadline {
        if t_vtepd.is_none() {
            // Remote MACs handed to the dataplane worker.
            let remote = show_json(&bin, &vsock, &["evpn", "vni", "100"])
                .ok()
                .and_then(|x| x["vnis"][0]["remote-macs"].as_u64())
                .unwrap_or(0);
            if remote as usize >= n {
                t_vtepd = Some(t0.elapsed());
            }
        }
        if t_dp.is_none() {
            // The worker's own MAC table (its counters are published every
            // 500 ms, so this lags by up to that much).
            if let Ok(v) = show_json(&bin, &vsock, &["interfaces"]) {
                if v["vnis"][0]["macs"].as_u64().unwrap_or(0) as usize >= n {
                    t_dp = Some(t0.elapsed());
                }
            }
        }
        if t_frr.is_none() {
            let fdb = fr.fdb(Some("vxlan100")).unwrap_or_default();
            let c = fdb
                .lines()
                .filter(|l| l.starts_with("02:aa:") && l.contains("extern_learn"))
                .count();
            if c >= n {
                t_frr = Some(t0.elapsed());
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let vt_rss = rss_kib(vtepd.pid());
    let frr_pids = frr.pids();
    let frr_rss: u64 = frr_pids.iter().map(|p| rss_kib(*p)).sum();
    let src_rss = rss_kib(source.pid());
    let _ = source.stop();
    let _ = vtepd.stop();

    println!("evpn_scale: {n} MACs behind one VTEP (source: vtepd, static type-2 routes)");
    println!("  time from source start until the last MAC is installed in the dataplane:");
    let ms = |t: Option<Duration>| {
        t.map_or("not converged in 60 s".to_owned(), |t| {
            format!("{:.0} ms", t.as_secs_f64() * 1000.0)
        })
    };
    println!("    vtepd (installed, sent to its worker) {}", ms(t_vtepd));
    println!(
        "    vtepd (worker MAC table, <=500 ms publish lag) {}",
        ms(t_dp)
    );
    println!("    FRR   (kernel FDB via zebra)          {}", ms(t_frr));
    println!("  RSS idle -> after (KiB):");
    println!("    vtepd          {vt_idle} -> {vt_rss}");
    println!("    bgpd + zebra   {frr_idle} -> {frr_rss}  (pids {frr_pids:?})");
    println!("    (source vtepd  {src_rss})");
    if let (Some(a), Some(b)) = (t_vtepd, t_frr) {
        println!(
            "  ratios: time FRR/vtepd {:.2}x (target >= 2), memory vtepd/FRR {:.2} (target <= 0.25)",
            b.as_secs_f64() / a.as_secs_f64(),
            vt_rss as f64 / frr_rss.max(1) as f64
        );
    }
    anyhow::ensure!(
        t_vtepd.is_some() && t_frr.is_some(),
        "a receiver did not converge"
    );
    drop(links);
    Ok(())
}
