//! `vtepd-l2`: a static L2 VXLAN VTEP on the user-space dataplane, with no
//! BGP (remote VTEPs and MACs come from the command line).
//!
//! ```text
//! vtepd-l2 --local 10.0.0.1 [--udp-port 4789] [--no-gso] [--no-gro]
//!          [--batch 32] [--no-tap-offload] [--stats-every SECS]
//!          [--source-sockets 16] [--workers N] [--no-gather]
//!          --vni 100 --port veth-x [--port tap:tap100] --remote 10.0.0.2
//!          [--trunk veth-t@10] [--mac 02:00:00:00:00:02@10.0.0.2]
//!          [--no-learn-remote] [--vni 200 [--trunk veth-t@20] ...]
//! ```
//!
//! `--port NAME` (or `packet:NAME`) attaches an existing interface through
//! AF_PACKET; `tap:NAME` creates a TAP device. `--trunk tap:NAME@VLAN`
//! carries the VNI on an 802.1Q trunk tagged with VLAN; the same trunk may
//! carry several VNIs, one VLAN each (`--trunk NAME@VLAN` or
//! `packet:NAME@VLAN`: an existing interface). Options after a `--vni`
//! belong to that VNI. The process runs until it is killed; every
//! `--stats-every` seconds (default 5, 0 = never) it prints one line of
//! counters, and it prints every MAC event as it drains them.

use std::net::IpAddr;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use vtepd_dataplane::sys::UdpOptions;
use vtepd_dataplane::vxlan::{VxlanConfig, DEFAULT_SOURCE_PORTS};
use vtepd_dataplane::worker::{self, PortKind, TrunkConfig, VniConfig, WorkerConfig};
use vtepd_dataplane::BridgeConfig;
use vtepd_wire::vxlan::Vni;
use vtepd_wire::EthernetAddress;

const USAGE: &str = "usage: vtepd-l2 --local IP [--udp-port P] [--no-gso] [--no-gro] [--df] \
[--batch N] [--no-tap-offload] [--spin TURNS] [--stats-every SECS] \
[--source-sockets N] [--workers N] [--no-gather] \
--vni N [--port [packet:|tap:]NAME]... [--trunk [packet:|tap:]NAME@VLAN]... [--remote IP]... \
[--mac MAC@IP]... [--no-learn-remote] [--vni N ...]";

fn port_kind(v: &str) -> PortKind {
    if let Some(n) = v.strip_prefix("tap:") {
        PortKind::Tap(n.to_string())
    } else if let Some(n) = v.strip_prefix("packet:") {
        PortKind::Packet(n.to_string())
    } else {
        PortKind::Packet(v.to_string())
    }
}

fn parse(args: &[String]) -> Result<(WorkerConfig, u64), String> {
    let mut local: Option<IpAddr> = None;
    let mut udp_port = vtepd_wire::VXLAN_PORT;
    let mut udp = UdpOptions::default();
    let mut batch = 32;
    let mut tap_offload = true;
    let mut spin = 0;
    let mut source_sockets = worker::DEFAULT_SOURCE_SOCKETS;
    let mut workers: Option<usize> = None;
    let mut gather = true;
    let mut stats_every = 5;
    let mut vnis: Vec<VniConfig> = Vec::new();
    let mut trunks: Vec<TrunkConfig> = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut val = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        let cur = |vnis: &mut Vec<VniConfig>, opt: &str| -> Result<usize, String> {
            if vnis.is_empty() {
                Err(format!("{opt} must follow a --vni"))
            } else {
                Ok(vnis.len() - 1)
            }
        };
        match a.as_str() {
            "--local" => {
                local = Some(
                    val("--local")?
                        .parse()
                        .map_err(|e| format!("--local: {e}"))?,
                )
            }
            "--udp-port" => {
                udp_port = val("--udp-port")?
                    .parse()
                    .map_err(|e| format!("--udp-port: {e}"))?
            }
            "--no-gso" => udp.gso = false,
            "--no-gro" => udp.gro = false,
            "--df" => udp.df = true,
            "--no-tap-offload" => tap_offload = false,
            "--no-gather" => gather = false,
            "--source-sockets" => {
                source_sockets = val("--source-sockets")?
                    .parse()
                    .map_err(|e| format!("--source-sockets: {e}"))?
            }
            "--workers" => {
                workers = Some(
                    val("--workers")?
                        .parse()
                        .map_err(|e| format!("--workers: {e}"))?,
                )
            }
            "--spin" => spin = val("--spin")?.parse().map_err(|e| format!("--spin: {e}"))?,
            "--batch" => {
                batch = val("--batch")?
                    .parse()
                    .map_err(|e| format!("--batch: {e}"))?
            }
            "--stats-every" => {
                stats_every = val("--stats-every")?
                    .parse()
                    .map_err(|e| format!("--stats-every: {e}"))?
            }
            "--vni" => {
                let n: u32 = val("--vni")?.parse().map_err(|e| format!("--vni: {e}"))?;
                let vni = Vni::new(n).map_err(|_| format!("--vni {n}: out of range"))?;
                vnis.push(VniConfig {
                    vni,
                    ports: Vec::new(),
                    flood: Vec::new(),
                    static_macs: Vec::new(),
                    // Without a control plane, remote MACs are learnt from
                    // decapsulated traffic (like a kernel VXLAN with
                    // learning), so known unicast is not flooded.
                    bridge: BridgeConfig {
                        learn_remote: true,
                        ..BridgeConfig::default()
                    },
                });
            }
            "--port" => {
                let i = cur(&mut vnis, "--port")?;
                let v = val("--port")?;
                vnis[i].ports.push(port_kind(&v));
            }
            "--trunk" => {
                let i = cur(&mut vnis, "--trunk")?;
                let v = val("--trunk")?;
                let (name, vid) = v
                    .rsplit_once('@')
                    .ok_or_else(|| format!("--trunk {v}: expected NAME@VLAN"))?;
                let vid: u16 = vid.parse().map_err(|e| format!("--trunk {v}: {e}"))?;
                let port = port_kind(name);
                let vni = vnis[i].vni;
                match trunks.iter_mut().find(|t| t.port == port) {
                    Some(t) => t.vlans.push((vid, vni)),
                    None => trunks.push(TrunkConfig {
                        port,
                        vlans: vec![(vid, vni)],
                    }),
                }
            }
            "--remote" => {
                let i = cur(&mut vnis, "--remote")?;
                let ip: IpAddr = val("--remote")?
                    .parse()
                    .map_err(|e| format!("--remote: {e}"))?;
                vnis[i].flood.push(ip);
            }
            "--mac" => {
                let i = cur(&mut vnis, "--mac")?;
                let v = val("--mac")?;
                let (m, ip) = v
                    .split_once('@')
                    .ok_or_else(|| format!("--mac {v}: expected MAC@IP"))?;
                let mac: EthernetAddress = m.parse().map_err(|_| format!("--mac {m}: bad MAC"))?;
                let ip: IpAddr = ip.parse().map_err(|e| format!("--mac {ip}: {e}"))?;
                vnis[i].static_macs.push((mac, ip));
            }
            "--no-learn-remote" => {
                let i = cur(&mut vnis, "--no-learn-remote")?;
                vnis[i].bridge.learn_remote = false;
            }
            "-h" | "--help" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    let local = local.ok_or_else(|| format!("--local is required\n{USAGE}"))?;
    if vnis.is_empty() {
        return Err(format!("at least one --vni is required\n{USAGE}"));
    }
    let vxlan = VxlanConfig::new(udp_port, DEFAULT_SOURCE_PORTS, 0).map_err(|e| e.to_string())?;
    let mut cfg = WorkerConfig::new(local, vnis);
    cfg.vxlan = vxlan;
    cfg.udp = udp;
    cfg.batch = batch;
    cfg.tap_offload = tap_offload;
    cfg.spin = spin;
    cfg.source_sockets = source_sockets;
    cfg.gather = gather;
    if let Some(w) = workers {
        cfg.workers = w;
    }
    cfg.trunks = trunks;
    Ok((cfg, stats_every))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (cfg, stats_every) = match parse(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("vtepd-l2: {e}");
            return ExitCode::from(2);
        }
    };
    let h = match worker::spawn(cfg.clone()) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("vtepd-l2: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let s = h.snapshot();
    println!(
        "vtepd-l2: running local={} port={} gso={} gro={} ports={:?}",
        cfg.local,
        cfg.vxlan.dst_port(),
        s.underlay.gso,
        s.underlay.gro,
        cfg.vnis
            .iter()
            .flat_map(|v| v.ports.iter().map(|p| p.name().to_string()))
            .chain(
                cfg.trunks
                    .iter()
                    .map(|t| format!("{}:trunk", t.port.name()))
            )
            .collect::<Vec<_>>()
    );
    let mut last = Instant::now();
    loop {
        std::thread::sleep(Duration::from_millis(200));
        while let Some(ev) = h.try_event() {
            println!("event vni={} {:?}", ev.vni, ev.event);
        }
        if !h.is_running() {
            let r = h.stop();
            eprintln!("vtepd-l2: worker stopped: {r:?}");
            return ExitCode::FAILURE;
        }
        if stats_every > 0 && last.elapsed() >= Duration::from_secs(stats_every) {
            last = Instant::now();
            let s = h.snapshot();
            println!(
                "stats underlay={:?} ports={:?} vnis={:?} switch={:?}",
                s.underlay, s.ports, s.vnis, s.switch
            );
        }
    }
}
