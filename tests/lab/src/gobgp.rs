//! GoBGP (`gobgpd` + the `gobgp` CLI) in a namespace.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{anyhow, Context};
use serde_json::Value;

use crate::cmd::run_quiet;
use crate::lab::DiagGuard;
use crate::wait::IntoDeadline;
use crate::{Lab, Netns, Process, ProcessSpec, Result};

/// A `gobgpd` running inside one namespace, its gRPC API on the default
/// 127.0.0.1:50051 of that namespace. Stopped by PID on drop; its config
/// file lives in the lab directory.
pub struct GoBgp {
    ns: String,
    lab: Lab,
    config: PathBuf,
    process: Process,
    _diag: DiagGuard,
}

impl fmt::Debug for GoBgp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GoBgp")
            .field("ns", &self.ns)
            .field("process", &self.process)
            .finish()
    }
}

fn gobgp_cmd(ns: &str, args: &[&str]) -> std::process::Command {
    let mut cmd = std::process::Command::new("ip");
    cmd.args(["netns", "exec", ns, "gobgp"]).args(args);
    cmd
}

impl GoBgp {
    fn start(ns: &Netns, toml: &str, extra: &[&str]) -> Result<GoBgp> {
        let lab = ns.lab_handle();
        let config = lab.dir().join(format!(
            "{}-gobgpd-{}.toml",
            ns.short_name(),
            ns.lab().next()
        ));
        std::fs::write(&config, toml).with_context(|| format!("writing {}", config.display()))?;
        let process = ns.spawn(
            ProcessSpec::new("gobgpd", "gobgpd")
                .arg("-f")
                .arg(config.to_string_lossy().into_owned())
                .args(&["-t", "toml", "-l", "info", "-p", "--pprof-disable"])
                .args(extra),
        )?;
        let diag_ns = ns.name().to_owned();
        let diag = lab.add_diagnostics(format!("GoBGP in {}", ns.name()), move || {
            let mut s = String::new();
            for args in [
                &["global"][..],
                &["neighbor"],
                &["global", "rib", "-a", "evpn"],
                &["global", "rib", "-a", "ipv4"],
            ] {
                s.push_str(&format!("$ gobgp {}\n", args.join(" ")));
                let mut full = vec!["netns", "exec", &diag_ns, "gobgp"];
                full.extend_from_slice(args);
                s.push_str(&run_quiet("ip", &full));
            }
            s
        });
        let g = GoBgp {
            ns: ns.name().to_owned(),
            lab: lab.clone(),
            config,
            process,
            _diag: diag,
        };
        lab.wait_until(
            Duration::from_secs(15),
            &format!("gobgpd in {} to answer gRPC", ns.name()),
            || g.cli(&["global"]).map(drop),
        )?;
        Ok(g)
    }

    /// The `gobgpd` process.
    pub fn process(&self) -> &Process {
        &self.process
    }

    /// Kill gobgpd at once (SIGKILL): it sends no NOTIFICATION, its TCP
    /// connections just close, as when a router crashes.
    pub fn kill(&mut self) -> Result<()> {
        self.process
            .stop_with("KILL", std::time::Duration::from_secs(5))
            .map(drop)
    }

    /// The config file written for it.
    pub fn config_path(&self) -> &std::path::Path {
        &self.config
    }

    /// `gobgp ARGS...` inside the namespace; stdout on success.
    pub fn cli(&self, args: &[&str]) -> Result<String> {
        crate::run_cmd(&mut gobgp_cmd(&self.ns, args))
    }

    /// `gobgp ARGS... -j`, parsed.
    pub fn cli_json(&self, args: &[&str]) -> Result<Value> {
        let mut a = args.to_vec();
        a.push("-j");
        let out = self.cli(&a)?;
        if out.trim().is_empty() || out.trim() == "null" {
            return Ok(Value::Null);
        }
        serde_json::from_str(&out)
            .with_context(|| format!("`gobgp {}` did not print JSON: {out}", a.join(" ")))
    }

    /// The session state of neighbour `addr` as GoBGP reports it in JSON
    /// (`state.session_state`; 6 or "established" when up).
    pub fn neighbor_state(&self, addr: &str) -> Result<String> {
        let v = self.cli_json(&["neighbor", addr])?;
        let st = v
            .pointer("/state/session_state")
            .ok_or_else(|| anyhow!("no state.session_state for {addr}: {v}"))?;
        Ok(match st {
            Value::Number(n) => n.to_string(),
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
    }

    /// Wait until the session with neighbour `addr` is established.
    pub fn wait_established(&self, addr: &str, deadline: impl IntoDeadline) -> Result<()> {
        self.lab.wait_until(
            deadline,
            &format!("GoBGP session {} -> {addr} established", self.ns),
            || {
                self.neighbor_state(addr)
                    .map(|s| s == "6" || s.eq_ignore_ascii_case("established"))
            },
        )
    }

    /// Withdraw the EVPN MAC/IP advertisement route (type 2) of `mac` and
    /// `ip` (`0.0.0.0` for none) with ESI 0, Ethernet tag 0, label `label`
    /// and RD `rd` from GoBGP's global RIB; stdout on success.
    pub fn del_macadv(&self, mac: &str, ip: &str, label: u32, rd: &str) -> Result<String> {
        let label = label.to_string();
        self.cli(&[
            "global", "rib", "-a", "evpn", "del", "macadv", mac, ip, "esi", "0", "etag", "0",
            "label", &label, "rd", rd,
        ])
    }

    /// `gobgp global rib -a FAMILY -j`, parsed (a map prefix -> paths).
    pub fn rib_json(&self, family: &str) -> Result<Value> {
        self.cli_json(&["global", "rib", "-a", family])
    }

    /// Poll the global RIB of `family` until `pred` holds.
    pub fn wait_rib(
        &self,
        family: &str,
        what: &str,
        deadline: impl IntoDeadline,
        mut pred: impl FnMut(&Value) -> bool,
    ) -> Result<()> {
        self.lab
            .wait_until(deadline, &format!("{what} (GoBGP {})", self.ns), || {
                self.rib_json(family).map(|v| pred(&v))
            })
    }
}

impl Drop for GoBgp {
    fn drop(&mut self) {
        let _ = self.process.stop();
        let _ = std::fs::remove_file(&self.config);
    }
}

impl Netns {
    /// Start `gobgpd -f CONFIG -t toml` in this namespace (`lo` is already
    /// up) and wait until the `gobgp` CLI reaches it.
    pub fn gobgpd(&self, toml: &str) -> Result<GoBgp> {
        GoBgp::start(self, toml, &[])
    }

    /// Start gobgpd as a restarting speaker (`--graceful-restart`: the R
    /// and F bits in its graceful restart capability, RFC 4724 §3).
    pub fn gobgpd_restarting(&self, toml: &str) -> Result<GoBgp> {
        GoBgp::start(self, toml, &["--graceful-restart"])
    }
}
