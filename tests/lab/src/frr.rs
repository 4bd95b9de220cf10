//! FRR (zebra + bgpd) in a namespace, with its own path space (`-N`).

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{anyhow, Context};
use serde_json::Value;

use crate::cmd::{run_cmd, run_quiet};
use crate::lab::{DiagGuard, FRR_ETC, FRR_RUN};
use crate::wait::IntoDeadline;
use crate::{Lab, Netns, Process, ProcessSpec, Result};

/// How long a daemon may take to open its vty socket.
const START_TIMEOUT: Duration = Duration::from_secs(15);

/// An FRR instance (zebra, and bgpd if configured) running inside one
/// namespace. The path space name is the namespace's name: config in
/// `/etc/frr/NAME/`, sockets, pid files in `/var/run/frr/NAME/`. Dropping
/// it stops bgpd then zebra (by PID) and removes both directories.
pub struct Frr {
    name: String,
    lab: Lab,
    etc: PathBuf,
    run: PathBuf,
    bgpd: Option<Process>,
    zebra: Option<Process>,
    _diag: DiagGuard,
}

impl fmt::Debug for Frr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Frr")
            .field("name", &self.name)
            .field("zebra", &self.zebra)
            .field("bgpd", &self.bgpd)
            .finish()
    }
}

fn wait_file(lab: &Lab, path: &Path, what: &str) -> Result<()> {
    lab.wait_until(START_TIMEOUT, what, || path.exists())
}

impl Frr {
    fn start(ns: &Netns, zebra_conf: &str, bgpd_conf: Option<&str>) -> Result<Frr> {
        let name = ns.name().to_owned();
        let lab = ns.lab_handle();
        let etc = Path::new(FRR_ETC).join(&name);
        let run = Path::new(FRR_RUN).join(&name);
        for d in [&etc, &run] {
            let _ = std::fs::remove_dir_all(d);
            std::fs::create_dir_all(d).with_context(|| format!("creating {}", d.display()))?;
        }
        let write = |file: &str, text: &str| -> Result<()> {
            let p = etc.join(file);
            std::fs::write(&p, text).with_context(|| format!("writing {}", p.display()))
        };
        write("zebra.conf", zebra_conf)?;
        write("bgpd.conf", bgpd_conf.unwrap_or("!\n"))?;
        write("vtysh.conf", "!\n")?;
        for d in [&etc, &run] {
            crate::run("chown", &["-R", "frr:frr", &d.to_string_lossy()])?;
        }
        let diag_name = name.clone();
        let diag = lab.add_diagnostics(format!("FRR {name}"), move || frr_diagnostics(&diag_name));
        let mut frr = Frr {
            name: name.clone(),
            lab: lab.clone(),
            etc: etc.clone(),
            run: run.clone(),
            bgpd: None,
            zebra: None,
            _diag: diag,
        };
        let daemon = |d: &str, extra: &[&str]| {
            ProcessSpec::new(d, &format!("/usr/lib/frr/{d}"))
                .args(&[
                    "-N",
                    &name,
                    "-P",
                    "0",
                    "--log",
                    "stdout",
                    "--log-level",
                    "info",
                ])
                .args(extra)
                .arg("-f")
                .arg(etc.join(format!("{d}.conf")).to_string_lossy().into_owned())
        };
        frr.zebra = Some(ns.spawn(daemon("zebra", &["-s", "90000000"]))?);
        wait_file(
            &lab,
            &run.join("zserv.api"),
            &format!("zebra of {name} to start"),
        )?;
        wait_file(
            &lab,
            &run.join("zebra.vty"),
            &format!("zebra vty of {name}"),
        )?;
        if bgpd_conf.is_some() {
            frr.bgpd = Some(ns.spawn(daemon("bgpd", &[]))?);
            wait_file(&lab, &run.join("bgpd.vty"), &format!("bgpd vty of {name}"))?;
        }
        lab.wait_until(START_TIMEOUT, &format!("vtysh to reach {name}"), || {
            frr.vtysh(&["show version"]).map(drop)
        })?;
        Ok(frr)
    }

    /// The path space name (`vtysh -N NAME`), equal to the namespace name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `/etc/frr/NAME`.
    pub fn etc_dir(&self) -> &Path {
        &self.etc
    }

    /// PIDs of the daemons started (zebra first).
    pub fn pids(&self) -> Vec<u32> {
        self.zebra
            .iter()
            .chain(self.bgpd.iter())
            .map(Process::pid)
            .collect()
    }

    /// `vtysh -N NAME -c CMD...`: the output of the commands.
    pub fn vtysh(&self, cmds: &[&str]) -> Result<String> {
        let mut cmd = Command::new("vtysh");
        cmd.args(["-N", &self.name]);
        for c in cmds {
            cmd.args(["-c", c]);
        }
        run_cmd(&mut cmd)
    }

    /// Run one `show ... json` command (` json` is appended if missing) and
    /// parse its output.
    pub fn vtysh_json(&self, show: &str) -> Result<Value> {
        let c = if show.trim_end().ends_with(" json") {
            show.to_owned()
        } else {
            format!("{show} json")
        };
        let out = self.vtysh(&[&c])?;
        serde_json::from_str(&out).with_context(|| format!("`{c}` did not print JSON: {out}"))
    }

    /// Poll `show` (as JSON) until `pred` holds; diagnostics on timeout.
    pub fn wait_json(
        &self,
        show: &str,
        what: &str,
        deadline: impl IntoDeadline,
        mut pred: impl FnMut(&Value) -> bool,
    ) -> Result<()> {
        self.lab
            .wait_until(deadline, &format!("{what} (FRR {})", self.name), || {
                self.vtysh_json(show).map(|v| pred(&v))
            })
    }

    /// The BGP state of `peer` (an address or, for unnumbered, an interface).
    pub fn bgp_state(&self, peer: &str) -> Result<String> {
        let v = self.vtysh_json(&format!("show bgp neighbors {peer} json"))?;
        v.as_object()
            .and_then(|o| o.values().find_map(|n| n.get("bgpState")))
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| anyhow!("no bgpState for {peer}: {v}"))
    }

    /// Wait until the session with `peer` is Established.
    pub fn wait_established(&self, peer: &str, deadline: impl IntoDeadline) -> Result<()> {
        self.lab.wait_until(
            deadline,
            &format!("BGP session {} -> {peer} Established", self.name),
            || self.bgp_state(peer).map(|s| s == "Established"),
        )
    }

    /// Every EVPN route FRR holds, as `(RD, prefix)` pairs, the prefix in
    /// FRR's notation: `[2]:[0]:[48]:[MAC]`, `[2]:[0]:[48]:[MAC]:[32]:[IP]`,
    /// `[3]:[0]:[32]:[ORIG_IP]`, `[5]:[0]:[24]:[PREFIX]`.
    pub fn evpn_routes(&self) -> Result<Vec<(String, String)>> {
        let v = self.vtysh_json("show bgp l2vpn evpn route json")?;
        Ok(evpn_route_keys(&v))
    }

    /// Wait until an EVPN route whose prefix satisfies `pred` is present.
    pub fn wait_evpn_route(
        &self,
        what: &str,
        deadline: impl IntoDeadline,
        mut pred: impl FnMut(&str, &str) -> bool,
    ) -> Result<()> {
        self.lab.wait_until(
            deadline,
            &format!("EVPN route {what} in FRR {}", self.name),
            || {
                self.evpn_routes()
                    .map(|rs| rs.iter().any(|(rd, p)| pred(rd, p)))
            },
        )
    }

    /// Stop bgpd and zebra now (also done on drop).
    pub fn stop(&mut self) {
        if let Some(mut p) = self.bgpd.take() {
            let _ = p.stop();
        }
        if let Some(mut p) = self.zebra.take() {
            let _ = p.stop();
        }
    }
}

/// Flatten FRR's `show bgp l2vpn evpn route json` (`{RD: {PREFIX: {...}}}`
/// plus counters) into `(RD, PREFIX)` pairs.
pub(crate) fn evpn_route_keys(v: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(o) = v.as_object() {
        for (rd, routes) in o {
            if let Some(r) = routes.as_object() {
                for (prefix, body) in r {
                    if prefix.starts_with('[') && body.is_object() {
                        out.push((rd.clone(), prefix.clone()));
                    }
                }
            }
        }
    }
    out
}

impl Drop for Frr {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.etc);
        let _ = std::fs::remove_dir_all(&self.run);
    }
}

fn frr_diagnostics(name: &str) -> String {
    let mut args = vec!["-N", name];
    for c in [
        "show running-config",
        "show bgp summary",
        "show bgp l2vpn evpn route",
        "show evpn vni detail",
        "show evpn mac vni all",
        "show ip route",
    ] {
        args.push("-c");
        args.push(c);
    }
    run_quiet("vtysh", &args)
}

impl Netns {
    /// Start FRR in this namespace: zebra with `zebra_conf` and, if given,
    /// bgpd with `bgpd_conf`; returns once vtysh reaches them.
    pub fn frr(&self, zebra_conf: &str, bgpd_conf: Option<&str>) -> Result<Frr> {
        Frr::start(self, zebra_conf, bgpd_conf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flattens_evpn_json() {
        let v: Value = serde_json::from_str(
            r#"{"10.0.0.1:2":{"rd":"10.0.0.1:2","[3]:[0]:[32]:[10.0.0.1]":{"prefix":"x","paths":[]},
               "[2]:[0]:[48]:[02:00:00:00:01:01]":{"paths":[]}},
               "numPrefix":2,"numPaths":2}"#,
        )
        .unwrap();
        let mut k = evpn_route_keys(&v);
        k.sort();
        assert_eq!(
            k,
            vec![
                (
                    "10.0.0.1:2".to_owned(),
                    "[2]:[0]:[48]:[02:00:00:00:01:01]".to_owned()
                ),
                (
                    "10.0.0.1:2".to_owned(),
                    "[3]:[0]:[32]:[10.0.0.1]".to_owned()
                ),
            ]
        );
    }
}
