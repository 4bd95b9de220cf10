//! RFC 4861 §6.1.2 on vtepd's unnumbered discovery: a router advertisement
//! whose hop limit is not 255 did not originate on the link and is dropped.
//! A peer namespace sends RAs from its link-local address with hop limit
//! 64 (vtepd must not learn it as the unnumbered peer), then with 255
//! (learnt). The RAs are written by a raw ICMPv6 socket in Python (the
//! kernel fills the IPv6 header and checksum).

mod common;

use std::time::{Duration, Instant};

use common::{Vtepd, T};
use vtepd_lab::{Lab, Netns, Result, Veth};

const CONF: &str = r#"
[bgp]
router-id = "10.255.0.2"
asn = 65002
listen = ["[::]:179"]

[control]
socket = "@SOCKET@"

[underlay]
local-ip = "10.255.0.2"

[[neighbor]]
interface = "u0"
remote-as = "external"
address-families = ["l2vpn-evpn"]
hold-time = 9
connect-retry = 1
"#;

/// Send `count` RAs (router lifetime 30 s) to ff02::1 on `dev` with IPv6
/// hop limit `hops`, 100 ms apart.
fn send_ras(ns: &Netns, dev: &str, hops: u8, count: u32) -> Result<()> {
    let script = "import socket,sys,time\n\
        s=socket.socket(socket.AF_INET6,socket.SOCK_RAW,socket.IPPROTO_ICMPV6)\n\
        s.setsockopt(socket.IPPROTO_IPV6,socket.IPV6_MULTICAST_HOPS,int(sys.argv[2]))\n\
        i=socket.if_nametoindex(sys.argv[1])\n\
        ra=bytes([134,0,0,0,64,0,0,30,0,0,0,0,0,0,0,0])\n\
        for _ in range(int(sys.argv[3])):\n    s.sendto(ra,('ff02::1',0,0,i)); time.sleep(0.1)\n";
    let out = ns
        .command("python3")
        .args(["-c", script, dev, &hops.to_string(), &count.to_string()])
        .output()
        .map_err(|e| {
            anyhow::anyhow!("python3 is needed to send RAs (apt-get install python3): {e}")
        })?;
    anyhow::ensure!(
        out.status.success(),
        "sending RAs failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(())
}

#[test]
fn ra_with_hop_limit_other_than_255_is_ignored() -> Result<()> {
    let lab = Lab::new()?;
    let p = lab.netns("p")?;
    let v = lab.netns("v")?;
    let _link = Veth::pair(&p, "u0", &v, "u0").create()?;
    let ll_p = p.link_local("u0")?;
    v.link_local("u0")?;
    let vtepd = Vtepd::start(&lab, &v, "vtepd", CONF)?;
    let learnt = |vtepd: &Vtepd| {
        let log = vtepd.process.log();
        log.lines()
            .any(|l| l.contains("unnumbered peer learnt") && l.contains(&ll_p.to_string()))
    };
    // Let vtepd's discovery socket open (it logs when it starts sending).
    lab.wait_until(Duration::from_secs(10), "vtepd sending RAs on u0", || {
        Ok::<bool, anyhow::Error>(
            vtepd
                .process
                .log()
                .contains("sending router advertisements"),
        )
    })?;

    send_ras(&p, "u0", 64, 10)?;
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        !learnt(&vtepd),
        "vtepd learnt its peer from RAs with hop limit 64:\n{}",
        vtepd.process.log()
    );

    let t0 = Instant::now();
    send_ras(&p, "u0", 255, 5)?;
    lab.wait_until(
        T,
        "vtepd to learn the peer from RAs with hop limit 255",
        || Ok::<bool, anyhow::Error>(learnt(&vtepd)),
    )?;
    println!(
        "peer learnt {:?} after the first hop-limit-255 RA",
        t0.elapsed()
    );
    Ok(())
}
