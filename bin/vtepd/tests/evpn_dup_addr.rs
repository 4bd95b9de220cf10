//! Duplicate-MAC detection (as FRR's `dup-addr-detection ... freeze`)
//! between two vtepd VTEPs: host A has a veth to each (same MAC; its
//! address, and so its traffic, on one at a time). With `dad-max-moves =
//! 3`, the third move within `dad-time` freezes A's MAC on both VTEPs and
//! logs it; a fourth move is ignored (A stays where it was frozen). `vtepd
//! clear evpn dup-addr vni 100 mac A` unfreezes it, and A's next frames
//! move it normally.
//!
//! v1 10.0.0.1: host B (hb0) and A's eth1 (ha1). v2 10.0.0.2: A's eth0
//! (ha0).

mod common;

use std::process::Command;
use std::time::Duration;

use common::{Vtepd, BIN, T};
use vtepd_lab::serde_json::Value;
use vtepd_lab::{Lab, Netns, Result, Veth};

const A_MAC: &str = "02:00:00:00:02:02";

fn conf(rid: &str, peer: &str, ports: &[&str]) -> String {
    let ports: Vec<String> = ports.iter().map(|p| format!("\"{p}\"")).collect();
    format!(
        "[bgp]\nrouter-id = \"{rid}\"\nasn = 65000\nlisten = [\"{rid}:179\"]\n\n\
         [control]\nsocket = \"@SOCKET@\"\n\n[underlay]\nlocal-ip = \"{rid}\"\n\n\
         [evpn]\ndad-max-moves = 3\ndad-time = 60\n\n\
         [[neighbor]]\naddress = \"{peer}\"\nremote-as = \"internal\"\nhold-time = 9\n\
         connect-retry = 1\n\n\
         [[vni]]\nvni = 100\ninterfaces = [{}]\n",
        ports.join(", ")
    )
}

fn mac(v: &Vtepd) -> Result<Value> {
    let s = v.show(&["evpn", "mac", "vni", "100"])?;
    Ok(s["vnis"][0]["macs"]
        .as_array()
        .and_then(|l| l.iter().find(|m| m["mac"] == A_MAC).cloned())
        .unwrap_or(Value::Null))
}

fn frozen(v: &Vtepd) -> Result<bool> {
    let s = v.show(&["evpn", "vni", "100"])?;
    Ok(s["vnis"][0]["frozen"]
        .as_array()
        .is_some_and(|l| l.iter().any(|m| m == A_MAC)))
}

/// A's traffic leaves by `up` (its address moves there; the other link
/// stays up, so the old VTEP keeps A until mobility moves it).
fn attach(ha: &Netns, up: &str, down: &str) -> Result<()> {
    ha.ip(&["addr", "flush", "dev", down])?;
    ha.ip(&["neigh", "flush", "all"])?;
    ha.ip(&["addr", "add", "192.168.100.2/24", "dev", up])?;
    Ok(())
}

fn chatter(ha: &Netns) -> Result<std::process::Child> {
    Ok(ha
        .command("ping")
        .args(["-n", "-q", "-i", "0.05", "-w", "30", "192.168.100.1"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()?)
}

struct Talk(std::process::Child);

impl Drop for Talk {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Wait until A is local on `here` and remote, behind `here_ip`, on
/// `there`.
fn wait_at(lab: &Lab, what: &str, here: &Vtepd, there: &Vtepd, here_ip: &str) -> Result<()> {
    lab.wait_until(T, what, || {
        let h = mac(here)?;
        let t = mac(there)?;
        Ok::<bool, anyhow::Error>(
            h["type"] == "local" && t["type"] == "remote" && t["remote-vtep"] == here_ip,
        )
    })
}

#[test]
fn evpn_dup_addr() -> Result<()> {
    let lab = Lab::new()?;
    let n1 = lab.netns("v1")?;
    let n2 = lab.netns("v2")?;
    let _u = Veth::pair(&n1, "u0", &n2, "u0")
        .addrs_a(&["10.0.0.1/24"])
        .addrs_b(&["10.0.0.2/24"])
        .create()?;
    let hb = lab.netns("hb")?;
    let _lb = Veth::pair(&n1, "hb0", &hb, "eth0")
        .mtu(1450)
        .mac_b("02:00:00:00:01:01")
        .addrs_b(&["192.168.100.1/24"])
        .create()?;
    let ha = lab.netns("ha")?;
    ha.sysctl("net.ipv6.conf.all.disable_ipv6", "1")?;
    ha.sysctl("net.ipv6.conf.default.disable_ipv6", "1")?;
    // A answers ARP only on the interface holding its address: both of its
    // links are in VNI 100, and a reply on the idle one would be a move.
    ha.sysctl("net.ipv4.conf.all.arp_ignore", "1")?;
    ha.sysctl("net.ipv4.conf.all.arp_announce", "2")?;
    let _la2 = Veth::pair(&n2, "ha0", &ha, "eth0")
        .mtu(1450)
        .mac_b(A_MAC)
        .addrs_b(&["192.168.100.2/24"])
        .create()?;
    let _la1 = Veth::pair(&n1, "ha1", &ha, "eth1")
        .mtu(1450)
        .mac_b(A_MAC)
        .create()?;
    for (ns, dev) in [(&hb, "eth0"), (&ha, "eth0"), (&ha, "eth1")] {
        ns.disable_tx_offload(dev)?;
    }
    let v1 = Vtepd::start(
        &lab,
        &n1,
        "v1",
        &conf("10.0.0.1", "10.0.0.2", &["hb0", "ha1"]),
    )?;
    let v2 = Vtepd::start(&lab, &n2, "v2", &conf("10.0.0.2", "10.0.0.1", &["ha0"]))?;
    v1.wait_established(&lab, "10.0.0.2")?;
    ha.wait_ping("192.168.100.1", T)?;
    wait_at(&lab, "A behind v2", &v2, &v1, "10.0.0.2")?;

    // Three moves: v2 -> v1 -> v2 -> v1.
    let hops = [("eth1", "eth0"), ("eth0", "eth1"), ("eth1", "eth0")];
    for (i, (up, down)) in hops.into_iter().enumerate() {
        assert!(
            !frozen(&v1)? && !frozen(&v2)?,
            "frozen before move {}",
            i + 1
        );
        attach(&ha, up, down)?;
        let _talk = Talk(chatter(&ha)?);
        let (here, there, ip) = if up == "eth1" {
            (&v1, &v2, "10.0.0.1")
        } else {
            (&v2, &v1, "10.0.0.2")
        };
        wait_at(&lab, &format!("move {}", i + 1), here, there, ip)?;
    }
    // The third move froze A on both VTEPs (and was logged).
    lab.wait_until(T, "A frozen on both VTEPs", || {
        Ok::<bool, anyhow::Error>(frozen(&v1)? && frozen(&v2)?)
    })?;
    for v in [&v1, &v2] {
        let log = v.process.log();
        assert!(
            log.contains("duplicate MAC") && log.contains(A_MAC) && log.contains("frozen"),
            "no duplicate-MAC warning in the log"
        );
        assert_eq!(mac(v)?["frozen"], true, "{}", mac(v)?);
    }

    // A fourth move (to v2) is ignored: A stays local on v1.
    attach(&ha, "eth0", "eth1")?;
    let talk = Talk(chatter(&ha)?);
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(mac(&v1)?["type"], "local", "{}", mac(&v1)?);
    assert_eq!(mac(&v2)?["type"], "remote", "{}", mac(&v2)?);
    assert_eq!(mac(&v2)?["remote-vtep"], "10.0.0.1");

    // The operator clears the duplicate on both VTEPs: A, still talking
    // on v2, moves there.
    for v in [&v2, &v1] {
        let out = Command::new(BIN)
            .args(["clear", "--socket"])
            .arg(&v.socket)
            .args(["evpn", "dup-addr", "vni", "100", "mac", A_MAC])
            .output()?;
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "clear failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(text.contains("cleared 1") && text.contains(A_MAC), "{text}");
        assert!(!frozen(v)?);
    }
    // Nothing left to clear.
    let out = Command::new(BIN)
        .args(["clear", "--socket"])
        .arg(&v1.socket)
        .args(["evpn", "dup-addr", "vni", "100"])
        .output()?;
    assert!(String::from_utf8_lossy(&out.stdout).contains("no duplicate MAC"));
    wait_at(&lab, "A behind v2 after the clear", &v2, &v1, "10.0.0.2")?;
    assert_eq!(mac(&v1)?["remote-vtep"], "10.0.0.2");
    drop(talk);
    ha.wait_ping("192.168.100.1", T)?;
    Ok(())
}
