//! The steady-state forwarding path allocates nothing: two worker threads
//! (shared switch, one AF_PACKET fanout group) forward
//! TCP (segmentation, UDP GSO, GRO, coalescing) and pings between a host
//! behind it and a host behind a kernel VXLAN VTEP while a counting global
//! allocator watches the whole process.
//!
//! The worker must run inside the VTEP's network namespace, so the test
//! re-runs its own binary there (`ip netns exec NS <this test> --exact
//! NAME` with `VTEPD_NOALLOC_CHILD=1`); the child process does the
//! measuring and fails on any allocation, the parent builds the lab,
//! drives the traffic and checks the child's verdict. Run as root.

use std::time::{Duration, Instant};

use vtepd_dataplane::sys::alloc_count::CountingAllocator;
use vtepd_dataplane::vxlan::VxlanConfig;
use vtepd_dataplane::worker::{spawn, PortKind, VniConfig, WorkerConfig};
use vtepd_dataplane::BridgeConfig;
use vtepd_lab::{Lab, ProcessSpec, Result, Veth};
use vtepd_wire::vxlan::Vni;

#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator::new();

const CHILD: &str = "VTEPD_NOALLOC_CHILD";
const TEST: &str = "steady_state_forwarding_does_not_allocate";

#[test]
fn steady_state_forwarding_does_not_allocate() -> Result<()> {
    if std::env::var_os(CHILD).is_some() {
        return child();
    }
    let lab = Lab::new()?;
    let va = lab.netns("va")?;
    let vb = lab.netns("vb")?;
    let ha = lab.netns("ha")?;
    let hb = lab.netns("hb")?;
    let _u = Veth::pair(&va, "u0", &vb, "u0")
        .addrs_a(&["10.0.0.1/24"])
        .addrs_b(&["10.0.0.2/24"])
        .create()?;
    let _la = Veth::pair(&ha, "eth0", &va, "hv")
        .mtu(1450)
        .addrs_a(&["192.168.100.1/24"])
        .create()?;
    let _lb = Veth::pair(&hb, "eth0", &vb, "hv")
        .mtu(1450)
        .addrs_a(&["192.168.100.2/24"])
        .create()?;
    // Kernel VTEP B (underlay checksums finished: see l2vtep_netns.rs).
    vb.disable_tx_offload("u0")?;
    vb.ip(&[
        "link",
        "add",
        "vxlan100",
        "mtu",
        "1450",
        "type",
        "vxlan",
        "id",
        "100",
        "dstport",
        "4789",
        "local",
        "10.0.0.2",
        "nolearning",
        "dev",
        "u0",
    ])?;
    vb.ip(&["link", "add", "br100", "type", "bridge", "stp_state", "0"])?;
    vb.ip(&["link", "set", "dev", "vxlan100", "master", "br100", "up"])?;
    vb.ip(&["link", "set", "dev", "hv", "master", "br100", "up"])?;
    vb.link_up("br100")?;
    vb.fdb_append("00:00:00:00:00:00", "vxlan100", "10.0.0.1".parse()?)?;

    let exe = std::env::current_exe()?;
    let mut child = va.spawn(
        ProcessSpec::new("noalloc-child", &exe.to_string_lossy())
            .args(&["--exact", TEST, "--nocapture", "--test-threads=1"])
            .env(CHILD, "1"),
    )?;
    lab.wait_until(Duration::from_secs(20), "the child worker to start", || {
        Ok::<bool, anyhow::Error>(child.log().contains("CHILD READY"))
    })?;
    ha.wait_ping("192.168.100.2", Duration::from_secs(10))?;
    let _srv = hb.spawn(ProcessSpec::new("iperf3-b", "iperf3").args(&["-s"]))?;
    std::thread::sleep(Duration::from_millis(300));
    // Traffic for longer than the child's measuring window, both ways.
    let deadline = Instant::now() + Duration::from_secs(9);
    while Instant::now() < deadline {
        for rev in [false, true] {
            let mut args = vec!["5", "iperf3", "-c", "192.168.100.2", "-t", "2"];
            if rev {
                args.push("-R");
            }
            // The child stops its worker after its window; later runs fail.
            let _ = ha.exec("timeout", &args);
        }
    }
    lab.wait_until(Duration::from_secs(20), "the child to finish", || {
        Ok::<bool, anyhow::Error>(!child.is_running())
    })?;
    let log = child.log();
    let status = child.exit_status();
    assert!(
        status.is_some_and(|s| s.success()) && log.contains("CHILD OK"),
        "child failed ({status:?}): {log}"
    );
    if let Some(l) = log.lines().find(|l| l.starts_with("CHILD allocations=")) {
        eprintln!("{l}");
    }
    Ok(())
}

/// Inside the VTEP namespace: run the worker, let traffic warm it up, then
/// count allocations over a window with traffic flowing.
fn child() -> Result<()> {
    let vni = Vni::new(100)?;
    let mut cfg = WorkerConfig::new(
        "10.0.0.1".parse()?,
        vec![VniConfig {
            vni,
            ports: vec![PortKind::Packet("hv".into())],
            flood: vec!["10.0.0.2".parse()?],
            static_macs: Vec::new(),
            bridge: BridgeConfig {
                learn_remote: true,
                ..BridgeConfig::default()
            },
        }],
    );
    cfg.vxlan = VxlanConfig::default();
    // Several threads sharing the switch (and the source-port sockets).
    cfg.workers = 2;
    let h = spawn(cfg)?;
    assert_eq!(h.workers(), 2);
    println!("CHILD READY");
    // Warm-up: first ARP, learning, first GSO/GRO batches.
    std::thread::sleep(Duration::from_secs(3));
    let before = h.snapshot();
    let a0 = ALLOC.allocations();
    std::thread::sleep(Duration::from_secs(3));
    let a1 = ALLOC.allocations();
    let after = h.snapshot();
    let frames = |s: &vtepd_dataplane::worker::Snapshot| {
        s.ports.first().map_or(0, |p| p.rx_frames + p.tx_frames)
    };
    let moved = frames(&after) - frames(&before);
    let gso = after.ports.first().map_or(0, |p| p.gso_frames);
    let coalesced = after.ports.first().map_or(0, |p| p.coalesced_frames);
    println!(
        "CHILD allocations={} frames={moved} gso_frames={gso} coalesced_frames={coalesced}",
        a1 - a0
    );
    assert!(moved > 10_000, "too little traffic in the window: {moved}");
    assert!(gso > 0 && coalesced > 0, "offload paths not exercised");
    assert_eq!(a1 - a0, 0, "the forwarding path allocated");
    h.stop()?;
    println!("CHILD OK");
    Ok(())
}
