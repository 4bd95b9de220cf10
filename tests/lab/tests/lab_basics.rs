//! Self-tests of the lab's building blocks: veth and link-local addresses,
//! RAII addresses and routes, nftables NAT and loss, tcpdump captures and
//! the pcap reader, wireguard-go peers, background processes and the
//! diagnostics in timeout errors.

use std::path::Path;
use std::time::{Duration, Instant};

use vtepd_lab::{wg_genkey, wg_pubkey, Lab, NftHook, ProcessSpec, Result, Veth};

const T: Duration = Duration::from_secs(15);

/// Source IPv4 address of an Ethernet/IPv4 frame.
fn ipv4_src(frame: &[u8]) -> Option<[u8; 4]> {
    if frame.get(12..14)? != [0x08, 0x00] {
        return None;
    }
    frame.get(26..30)?.try_into().ok()
}

#[test]
fn routed_nat_loss_capture() -> Result<()> {
    let started = Instant::now();
    let lab = Lab::new()?;
    let a = lab.netns("a")?;
    let r = lab.netns("r")?;
    let b = lab.netns("b")?;
    let _ar = Veth::pair(&a, "eth0", &r, "a")
        .addrs_a(&["10.1.0.2/24"])
        .addrs_b(&["10.1.0.1/24"])
        .create()?;
    let _rb = Veth::pair(&r, "b", &b, "eth0")
        .addrs_a(&["10.2.0.1/24"])
        .addrs_b(&["10.2.0.2/24"])
        .create()?;
    r.sysctl("net.ipv4.ip_forward", "1")?;
    let _default = a.route(&["default", "via", "10.1.0.1"])?;

    // Masquerade on r: b sees a's pings from r's address.
    let nat = r.nft_masquerade("b")?;
    let cap = b.capture("eth0", "icmp", None)?;
    a.wait_ping("10.2.0.2", T)?;
    cap.wait_frames("echo request and reply on b", T, |f| f.len() >= 2)?;
    let records = cap.stop()?;
    assert!(records.len() >= 2);
    for rec in &records {
        let src = ipv4_src(&rec.data).expect("IPv4 frame");
        assert!(src == [10, 2, 0, 1] || src == [10, 2, 0, 2], "src {src:?}");
    }
    assert!(nat.list()?.contains("masquerade"));
    drop(nat);
    // Without NAT, b has no route back to 10.1.0.0/24.
    assert!(!a.ping("10.2.0.2"), "ping answered without NAT");

    // RAII route on b; then 100 % loss on b's ingress, and none once the
    // table is gone.
    {
        let _back = b.route(&["10.1.0.0/24", "via", "10.2.0.1"])?;
        a.wait_ping("10.2.0.2", T)?;
        let loss = b.nft_loss("eth0", NftHook::Ingress, 100)?;
        assert!(!a.ping("10.2.0.2"), "ping answered through 100 % loss");
        let listed = loss.list()?;
        assert!(
            listed.contains("counter packets") && listed.contains("drop"),
            "{listed}"
        );
        assert!(
            !listed.contains("packets 0 "),
            "counter did not count: {listed}"
        );
        drop(loss);
        a.wait_ping("10.2.0.2", T)?;
        // 30 % random loss: of 100 quick pings, some but not all answer.
        let loss = b.nft_loss("eth0", NftHook::Ingress, 30)?;
        assert!(loss.list()?.contains("numgen random mod 100 < 30"));
        let out = a
            .command("ping")
            .args(["-c", "100", "-i", "0.002", "-W", "1", "-q", "10.2.0.2"])
            .output()?;
        let text = String::from_utf8_lossy(&out.stdout);
        let received: u32 = text
            .split(", ")
            .find_map(|p| p.strip_suffix(" received"))
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no count in {text}"));
        assert!(
            (35..=95).contains(&received),
            "{received} of 100 answered: {text}"
        );
        drop(loss);
    }
    assert!(!b.has_route("10.1.0.0/24")?, "route not removed on drop");
    assert!(!a.ping("10.2.0.2"));

    // RAII address on lo.
    {
        let lo = b.lo_addr("10.99.0.1/32")?;
        assert_eq!(lo.ip(), "10.99.0.1");
        assert!(b
            .ip(&["addr", "show", "dev", "lo"])?
            .contains("10.99.0.1/32"));
    }
    assert!(!b.ip(&["addr", "show", "dev", "lo"])?.contains("10.99.0.1"));

    // A failed wait explains itself with the lab's diagnostics.
    let err = a
        .wait_ping("10.77.0.1", Duration::from_millis(300))
        .unwrap_err();
    let text = format!("{err:#}");
    assert!(text.contains("10.77.0.1 to answer ping"), "{text}");
    assert!(text.contains(&format!("netns {}", r.name())), "{text}");
    assert!(text.contains("10.2.0.1/24"), "{text}");
    println!("routed_nat_loss_capture: {:?}", started.elapsed());
    Ok(())
}

#[test]
fn link_local_only_veth() -> Result<()> {
    let lab = Lab::new()?;
    let a = lab.netns("a")?;
    let b = lab.netns("b")?;
    let _v = Veth::pair(&a, "x", &b, "y").mtu(9000).create()?;
    let lla = a.link_local("x")?;
    let llb = b.link_local("y")?;
    assert!(lla.segments()[0] == 0xfe80 && llb.segments()[0] == 0xfe80);
    let mac = b.mac("y")?;
    assert_eq!(mac.len(), 17);
    // EUI-64 link-local derived from the MAC.
    let m: Vec<u8> = mac
        .split(':')
        .map(|h| u8::from_str_radix(h, 16).unwrap())
        .collect();
    assert_eq!(llb.octets()[8], m[0] ^ 0x02);
    assert_eq!(&llb.octets()[13..16], &m[3..6]);
    a.wait_ping(&format!("{llb}%x"), T)?;
    assert!(a.ip(&["link", "show", "dev", "x"])?.contains("mtu 9000"));
    Ok(())
}

#[test]
fn wireguard_go_peers() -> Result<()> {
    let started = Instant::now();
    let lab = Lab::new()?;
    let a = lab.netns("a")?;
    let b = lab.netns("b")?;
    let _u = Veth::pair(&a, "u0", &b, "u0")
        .addrs_a(&["10.3.0.1/24"])
        .addrs_b(&["10.3.0.2/24"])
        .create()?;
    let mut wa = a.wireguard_go()?;
    let mut wb = b.wireguard_go()?;
    assert_ne!(wa.ifname(), wb.ifname());
    let (ka, kb) = (wg_genkey()?, wg_genkey()?);
    let (pa, pb) = (wg_pubkey(&ka)?, wg_pubkey(&kb)?);
    assert_eq!(pa.len(), 44);
    wa.set_private_key(&ka, 51820)?;
    wb.set_private_key(&kb, 51820)?;
    wa.add_peer(&pb, Some("10.3.0.2:51820"), "10.10.0.2/32", 0)?;
    wb.add_peer(&pa, Some("10.3.0.1:51820"), "10.10.0.1/32", 0)?;
    a.add_addr(wa.ifname(), "10.10.0.1/24")?;
    b.add_addr(wb.ifname(), "10.10.0.2/24")?;
    a.link_up(wa.ifname())?;
    b.link_up(wb.ifname())?;
    a.wait_ping("10.10.0.2", T)?;
    assert!(wa.latest_handshake(&pb)? > 0, "{}", wa.show()?);
    assert!(wa.show()?.contains(&pb));
    let sock = format!("/var/run/wireguard/{}.sock", wa.ifname());
    let pid = wa.process().pid();
    assert!(Path::new(&sock).exists());
    drop(wa);
    assert!(!Path::new(&sock).exists(), "{sock} left");
    assert!(
        !Path::new(&format!("/proc/{pid}")).exists(),
        "wireguard-go {pid} left"
    );
    drop(wb);
    println!("wireguard_go_peers: {:?}", started.elapsed());
    Ok(())
}

#[test]
fn background_process_and_cleanup() -> Result<()> {
    let lab = Lab::new()?;
    let prefix = lab.prefix();
    let pid;
    let ns_name;
    {
        let a = lab.netns("p")?;
        ns_name = a.name().to_owned();
        assert!(ns_name.starts_with(&prefix));
        let mut p = a.spawn(
            ProcessSpec::new("sleeper", "sh")
                .args(&["-c", "echo hello from $NAME; exec sleep 30"])
                .env("NAME", "lab"),
        )?;
        pid = p.pid();
        lab.wait_until(T, "sleeper to log", || p.log().contains("hello from lab"))?;
        assert!(p.is_running());
        // The process runs inside the namespace.
        let pids = vtepd_lab::run("ip", &["netns", "pids", &ns_name])?;
        assert!(
            pids.split_whitespace().any(|x| x == pid.to_string()),
            "{pids}"
        );
        assert!(lab.diagnostics().contains("hello from lab"));
        let t = Instant::now();
        let st = p.stop()?;
        assert!(!st.success(), "sleep killed by SIGTERM");
        assert!(t.elapsed() < Duration::from_secs(2));
        assert!(!p.is_running());
        // A second process left running is stopped by the namespace's drop.
        let _left = a.spawn(ProcessSpec::new("sleeper2", "sleep").arg("30"))?;
    }
    assert!(!Path::new(&format!("/proc/{pid}")).exists());
    assert!(lab.live_namespaces().is_empty());
    assert!(!vtepd_lab::run::<&str>("ip", &["netns", "list"])?.contains(&ns_name));
    Ok(())
}

#[test]
fn preflight_passes_here() {
    // Every lab test depends on this; it panics with the package to install.
    vtepd_lab::preflight();
    for (bin, pkg) in vtepd_lab::REQUIRED {
        assert!(!bin.is_empty() && !pkg.is_empty());
    }
}

#[test]
fn cleanup_on_panic() {
    let lab = Lab::new().unwrap();
    let mut seen = (String::new(), 0u32, String::new());
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let ns = lab.netns("boom").unwrap();
        let frr = ns.frr("hostname boom\n", None).unwrap();
        let p = ns
            .spawn(ProcessSpec::new("sleeper", "sleep").arg("30"))
            .unwrap();
        seen = (
            ns.name().to_owned(),
            p.pid(),
            frr.etc_dir().to_string_lossy().into_owned(),
        );
        assert!(Path::new(&seen.2).exists());
        panic!("test failure inside the lab");
    }));
    assert!(result.is_err());
    let (ns, pid, etc) = seen;
    assert!(!vtepd_lab::run::<&str>("ip", &["netns", "list"])
        .unwrap()
        .contains(&ns));
    assert!(
        !Path::new(&format!("/proc/{pid}")).exists(),
        "pid {pid} survived"
    );
    assert!(!Path::new(&etc).exists(), "{etc} survived");
}
