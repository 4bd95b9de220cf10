//! Network namespaces and the commands run inside them.

use std::fmt;
use std::net::{IpAddr, Ipv6Addr};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use serde_json::Value;

use crate::cmd::{run_cmd, run_quiet};
use crate::lab::{remove_netns, DiagGuard, LabInner};
use crate::link::{Address, Route};
use crate::wait::IntoDeadline;
use crate::{Lab, Result};

/// A network namespace `<lab prefix><name>`, deleted (after killing any
/// process still inside it) when dropped.
pub struct Netns {
    name: String,
    short: String,
    diag: DiagGuard,
}

impl fmt::Debug for Netns {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Netns").field("name", &self.name).finish()
    }
}

impl Netns {
    pub(crate) fn create(lab: &Lab, short: &str) -> Result<Netns> {
        if short.is_empty()
            || !short
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            bail!("namespace name {short:?}: use letters, digits, '-' and '_'");
        }
        let name = format!("{}{short}", lab.prefix());
        run_cmd(Command::new("ip").args(["netns", "add", &name]))?;
        let diag_name = name.clone();
        let diag = lab.inner.register(
            format!("netns {name}"),
            Arc::new(move || netns_diagnostics(&diag_name)),
        );
        let ns = Netns {
            name,
            short: short.to_owned(),
            diag,
        };
        ns.ip(&["link", "set", "lo", "up"])?;
        // Addresses are usable at once: no duplicate address detection in
        // the lab (every address is assigned by the test itself).
        ns.sysctl("net.ipv6.conf.all.accept_dad", "0")?;
        ns.sysctl("net.ipv6.conf.default.accept_dad", "0")?;
        Ok(ns)
    }

    /// The full namespace name (as in `ip netns list`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The name the test gave (without the lab prefix).
    pub fn short_name(&self) -> &str {
        &self.short
    }

    pub(crate) fn lab(&self) -> &Arc<LabInner> {
        self.diag.lab()
    }

    /// A handle on the lab this namespace belongs to.
    pub fn lab_handle(&self) -> Lab {
        Lab {
            inner: Arc::clone(self.lab()),
        }
    }

    /// `ip netns exec NAME program` as a [`Command`] to add arguments to.
    pub fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", &self.name, program]);
        cmd
    }

    /// Run `program args...` inside the namespace; stdout on success.
    pub fn exec<S: AsRef<str>>(&self, program: &str, args: &[S]) -> Result<String> {
        let mut cmd = self.command(program);
        cmd.args(args.iter().map(|a| a.as_ref()));
        run_cmd(&mut cmd)
    }

    /// Run a shell script (`sh -c`) inside the namespace.
    pub fn sh(&self, script: &str) -> Result<String> {
        self.exec("sh", &["-c", script])
    }

    /// `ip -n NAME args...`.
    pub fn ip<S: AsRef<str>>(&self, args: &[S]) -> Result<String> {
        let mut cmd = Command::new("ip");
        cmd.args(["-n", &self.name])
            .args(args.iter().map(|a| a.as_ref()));
        run_cmd(&mut cmd)
    }

    /// `ip -n NAME -j args...`, parsed.
    pub fn ip_json<S: AsRef<str>>(&self, args: &[S]) -> Result<Value> {
        let mut cmd = Command::new("ip");
        cmd.args(["-n", &self.name, "-j"])
            .args(args.iter().map(|a| a.as_ref()));
        let out = run_cmd(&mut cmd)?;
        if out.trim().is_empty() {
            return Ok(Value::Array(Vec::new()));
        }
        serde_json::from_str(&out).with_context(|| format!("parsing `ip -j` output: {out}"))
    }

    /// `bridge -n NAME args...`.
    pub fn bridge_cmd<S: AsRef<str>>(&self, args: &[S]) -> Result<String> {
        let mut cmd = Command::new("bridge");
        cmd.args(["-n", &self.name])
            .args(args.iter().map(|a| a.as_ref()));
        run_cmd(&mut cmd)
    }

    /// Set a sysctl inside the namespace. `key` uses dots
    /// (`net.ipv4.ip_forward`) or slashes (`net/ipv6/conf/eth0.100/...`).
    pub fn sysctl(&self, key: &str, value: &str) -> Result<()> {
        let path = if key.contains('/') {
            key.to_owned()
        } else {
            key.replace('.', "/")
        };
        if path.contains("..") || path.contains('\'') || value.contains('\'') {
            bail!("bad sysctl {key}={value}");
        }
        self.sh(&format!("echo '{value}' > '/proc/sys/{path}'"))
            .with_context(|| format!("sysctl {key}={value} in {}", self.name))?;
        Ok(())
    }

    /// Bring `ifname` up.
    pub fn link_up(&self, ifname: &str) -> Result<()> {
        self.ip(&["link", "set", "dev", ifname, "up"]).map(drop)
    }

    /// Set the MTU of `ifname`.
    pub fn set_mtu(&self, ifname: &str, mtu: u32) -> Result<()> {
        self.ip(&["link", "set", "dev", ifname, "mtu", &mtu.to_string()])
            .map(drop)
    }

    /// Set the MAC address of `ifname` (`aa:bb:cc:dd:ee:ff`).
    pub fn set_mac(&self, ifname: &str, mac: &str) -> Result<()> {
        self.ip(&["link", "set", "dev", ifname, "address", mac])
            .map(drop)
    }

    /// Add `cidr` to `ifname` for the lifetime of the interface (IPv6
    /// addresses with `nodad`).
    pub fn add_addr(&self, ifname: &str, cidr: &str) -> Result<()> {
        let mut args = vec!["addr", "add", cidr, "dev", ifname];
        if cidr.contains(':') {
            args.push("nodad");
        }
        self.ip(&args).map(drop)
    }

    /// Add `cidr` to `ifname`, removed again when the returned guard drops.
    pub fn addr(&self, ifname: &str, cidr: &str) -> Result<Address> {
        self.add_addr(ifname, cidr)?;
        Ok(Address::new(&self.name, ifname, cidr))
    }

    /// Add `cidr` (e.g. a VTEP's `/32`) to `lo`, removed when the guard drops.
    pub fn lo_addr(&self, cidr: &str) -> Result<Address> {
        self.addr("lo", cidr)
    }

    /// `ip route add SPEC...` (e.g. `["10.1.0.0/24", "via", "10.0.0.2"]`),
    /// removed when the guard drops.
    pub fn route<S: AsRef<str>>(&self, spec: &[S]) -> Result<Route> {
        let spec: Vec<String> = spec.iter().map(|s| s.as_ref().to_owned()).collect();
        let mut args = vec!["route".to_owned(), "add".to_owned()];
        args.extend(spec.iter().cloned());
        self.ip(&args)?;
        Ok(Route::new(&self.name, spec))
    }

    /// The MAC address of `ifname`, lower-case `aa:bb:cc:dd:ee:ff`.
    pub fn mac(&self, ifname: &str) -> Result<String> {
        let v = self.ip_json(&["link", "show", "dev", ifname])?;
        v.get(0)
            .and_then(|l| l.get("address"))
            .and_then(Value::as_str)
            .map(str::to_ascii_lowercase)
            .ok_or_else(|| anyhow!("no MAC address for {ifname} in {}: {v}", self.name))
    }

    /// The IPv6 link-local address of `ifname`, waiting (up to 5 s) until
    /// the kernel has assigned it and it is no longer tentative.
    pub fn link_local(&self, ifname: &str) -> Result<Ipv6Addr> {
        let mut found = None;
        crate::wait_until(
            Duration::from_secs(5),
            &format!("link-local address on {ifname} in {}", self.name),
            || -> Result<bool> {
                let v = self.ip_json(&["-6", "addr", "show", "dev", ifname, "scope", "link"])?;
                let infos = v
                    .get(0)
                    .and_then(|l| l.get("addr_info"))
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                for a in infos {
                    let tentative = a.get("tentative").and_then(Value::as_bool) == Some(true);
                    if let Some(Ok(addr)) = a
                        .get("local")
                        .and_then(Value::as_str)
                        .map(str::parse::<Ipv6Addr>)
                    {
                        if !tentative {
                            found = Some(addr);
                            return Ok(true);
                        }
                    }
                }
                Ok(false)
            },
        )?;
        found.ok_or_else(|| anyhow!("link-local address vanished"))
    }

    /// One `ping -c1 -W1 addr` from inside the namespace: did it answer?
    pub fn ping(&self, addr: &str) -> bool {
        self.command("ping")
            .args(["-c1", "-W1", "-n", addr])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    /// Ping `addr` until it answers or the deadline passes (the error then
    /// carries the lab's diagnostics).
    pub fn wait_ping(&self, addr: &str, deadline: impl IntoDeadline) -> Result<()> {
        self.lab_handle().wait_until(
            deadline,
            &format!("{addr} to answer ping from {}", self.name),
            || self.ping(addr),
        )
    }

    /// Is there a kernel route for exactly `prefix` (any table entry `ip
    /// route show PREFIX` lists)?
    pub fn has_route(&self, prefix: &str) -> Result<bool> {
        let fam = if prefix.contains(':') { "-6" } else { "-4" };
        let v = self.ip_json(&[fam, "route", "show", prefix])?;
        Ok(v.as_array().is_some_and(|a| !a.is_empty()))
    }

    /// Wait until the kernel has a route for `prefix`.
    pub fn wait_route(&self, prefix: &str, deadline: impl IntoDeadline) -> Result<()> {
        self.lab_handle().wait_until(
            deadline,
            &format!("kernel route {prefix} in {}", self.name),
            || self.has_route(prefix),
        )
    }

    /// `bridge fdb show` (optionally of one device) as text.
    pub fn fdb(&self, dev: Option<&str>) -> Result<String> {
        match dev {
            Some(d) => self.bridge_cmd(&["fdb", "show", "dev", d]),
            None => self.bridge_cmd(&["fdb", "show"]),
        }
    }

    /// Add a static FDB entry: `bridge fdb append MAC dev DEV dst DST` (e.g.
    /// the all-zero flood entry of a VXLAN device pointing at a remote VTEP).
    pub fn fdb_append(&self, mac: &str, dev: &str, dst: IpAddr) -> Result<()> {
        self.bridge_cmd(&["fdb", "append", mac, "dev", dev, "dst", &dst.to_string()])
            .map(drop)
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        remove_netns(&self.name);
    }
}

fn netns_diagnostics(ns: &str) -> String {
    let mut s = String::new();
    for args in [
        &["-n", ns, "-d", "-br", "link"][..],
        &["-n", ns, "addr"],
        &["-n", ns, "route"],
        &["-n", ns, "-6", "route"],
        &["-n", ns, "neigh"],
    ] {
        s.push_str(&format!(
            "$ ip {}\n{}",
            args.join(" "),
            run_quiet("ip", args)
        ));
    }
    for args in [&["-n", ns, "fdb", "show"][..], &["-n", ns, "link", "show"]] {
        s.push_str(&format!(
            "$ bridge {}\n{}",
            args.join(" "),
            run_quiet("bridge", args)
        ));
    }
    s
}

impl Netns {
    /// Create a kernel bridge in this namespace (see [`crate::Bridge::create`]).
    pub fn bridge(&self, name: &str, mtu: Option<u32>) -> Result<crate::Bridge> {
        crate::Bridge::create(self, name, mtu)
    }
}

impl Netns {
    /// Turn off transmit checksum offload (and with it TSO/GSO) on
    /// `ifname` with `ethtool -K IF tx off`, so that frames carry their
    /// final checksums when captured (veth offloads them by default, and a
    /// capture then shows partial checksums). Needs the `ethtool` package,
    /// which [`crate::preflight`] does not require.
    pub fn disable_tx_offload(&self, ifname: &str) -> Result<()> {
        self.exec("ethtool", &["-K", ifname, "tx", "off"])
            .context("ethtool missing? (Debian package `ethtool`)")
            .map(drop)
    }
}
