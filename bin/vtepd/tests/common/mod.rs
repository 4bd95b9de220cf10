//! Shared pieces of vtepd's interop tests: start the daemon in a lab
//! namespace, query it through its control socket.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use vtepd_lab::serde_json::{self, Value};
use vtepd_lab::{Lab, Netns, Process, ProcessSpec, Result};

/// The daemon under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_vtepd");

/// Short waits: every test must finish in under a minute.
pub const T: Duration = Duration::from_secs(30);

/// A running vtepd.
pub struct Vtepd {
    pub process: Process,
    pub socket: PathBuf,
    pub config: PathBuf,
}

impl Vtepd {
    /// Write `config` (with `@SOCKET@` replaced) and run vtepd in `ns`.
    pub fn start(lab: &Lab, ns: &Netns, name: &str, config: &str) -> Result<Vtepd> {
        let socket = lab.dir().join(format!("{name}.sock"));
        let path = lab.dir().join(format!("{name}.toml"));
        let text = config.replace("@SOCKET@", &socket.to_string_lossy());
        std::fs::write(&path, text)?;
        let check = Command::new(BIN)
            .args(["check", "-c"])
            .arg(&path)
            .output()?;
        assert!(
            check.status.success(),
            "vtepd check failed: {}",
            String::from_utf8_lossy(&check.stderr)
        );
        let process = ns.spawn(
            ProcessSpec::new(name, BIN)
                .args(&["run", "-c", &path.to_string_lossy(), "--log-level", "debug"])
                .env("RUST_BACKTRACE", "1"),
        )?;
        let v = Vtepd {
            process,
            socket,
            config: path,
        };
        lab.wait_until(Duration::from_secs(10), "vtepd control socket", || {
            v.show(&["bgp", "summary"]).map(drop)
        })?;
        Ok(v)
    }

    /// `vtepd show --json WORDS...`.
    pub fn show(&self, words: &[&str]) -> Result<Value> {
        let out = Command::new(BIN)
            .arg("show")
            .arg("--socket")
            .arg(&self.socket)
            .arg("--json")
            .args(words)
            .output()?;
        if !out.status.success() {
            anyhow::bail!(
                "vtepd show {}: {}",
                words.join(" "),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(serde_json::from_slice(&out.stdout)?)
    }

    /// `vtepd show WORDS...` as text.
    pub fn show_text(&self, words: &[&str]) -> Result<String> {
        let out = Command::new(BIN)
            .arg("show")
            .arg("--socket")
            .arg(&self.socket)
            .args(words)
            .output()?;
        anyhow::ensure!(
            out.status.success(),
            "vtepd show {}: {}",
            words.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// The summary entry of neighbour `addr`.
    pub fn peer(&self, addr: &str) -> Result<Value> {
        let v = self.show(&["bgp", "summary"])?;
        v["peers"]
            .as_array()
            .and_then(|ps| ps.iter().find(|p| p["address"] == addr).cloned())
            .ok_or_else(|| anyhow::anyhow!("no peer {addr} in {v}"))
    }

    /// Wait until the session with `addr` is established.
    pub fn wait_established(&self, lab: &Lab, addr: &str) -> Result<()> {
        lab.wait_until(T, &format!("vtepd session to {addr} established"), || {
            self.peer(addr).map(|p| p["state"] == "Established")
        })
    }

    /// Every path of `family` (`["bgp", ...]` words), flattened.
    pub fn paths(&self, words: &[&str]) -> Result<Vec<Value>> {
        let v = self.show(words)?;
        Ok(v["routes"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|r| r["paths"].as_array().cloned().unwrap_or_default())
            .collect())
    }

    /// Is the daemon still running?
    pub fn alive(&mut self) -> bool {
        self.process.is_running()
    }
}
