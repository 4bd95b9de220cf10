//! wireguard-go (userspace WireGuard over TUN) and `wg` helpers.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use anyhow::Context;

use crate::{Lab, Netns, Process, ProcessSpec, Result};

static NEXT_WG: AtomicU32 = AtomicU32::new(0);

/// Directory of wireguard-go's control sockets; shared by all namespaces.
const WG_SOCK_DIR: &str = "/var/run/wireguard";

/// `wg genkey`: a fresh base64 private key.
pub fn wg_genkey() -> Result<String> {
    Ok(crate::run::<&str>("wg", &["genkey"])?.trim().to_owned())
}

/// `wg pubkey` of a base64 private key.
pub fn wg_pubkey(private: &str) -> Result<String> {
    let out = crate::run_stdin(
        Command::new("wg").arg("pubkey"),
        format!("{private}\n").as_bytes(),
    )?;
    Ok(out.trim().to_owned())
}

/// A wireguard-go instance in the foreground (`WG_PROCESS_FOREGROUND=1
/// wireguard-go -f IFNAME`) owning a TUN device in one namespace. The
/// interface name is unique on the machine (`vw<pid>g<n>`), because the
/// control socket `/var/run/wireguard/IFNAME.sock` is not per namespace.
/// Dropping it stops the process by PID and removes the socket.
pub struct WireguardGo {
    ifname: String,
    ns: String,
    lab: Lab,
    process: Process,
    key_file: Option<PathBuf>,
}

impl fmt::Debug for WireguardGo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WireguardGo")
            .field("ifname", &self.ifname)
            .field("ns", &self.ns)
            .field("process", &self.process)
            .finish()
    }
}

impl WireguardGo {
    fn start(ns: &Netns) -> Result<WireguardGo> {
        // "vw" + up to 6 hex digits of the pid (pid_max <= 2^22) + "g" (not a
        // hex digit, so names of two processes cannot collide) + counter:
        // at most 11 characters.
        let ifname = format!(
            "vw{:x}g{:x}",
            std::process::id() & 0x3f_ffff,
            NEXT_WG.fetch_add(1, Ordering::Relaxed) & 0xff
        );
        let process = ns.spawn(
            ProcessSpec::new(&format!("wireguard-go-{ifname}"), "wireguard-go")
                .args(&["-f", &ifname])
                .env("WG_PROCESS_FOREGROUND", "1")
                .env("LOG_LEVEL", "debug"),
        )?;
        let lab = ns.lab_handle();
        let wg = WireguardGo {
            ifname: ifname.clone(),
            ns: ns.name().to_owned(),
            lab: lab.clone(),
            process,
            key_file: None,
        };
        let sock = Path::new(WG_SOCK_DIR).join(format!("{ifname}.sock"));
        lab.wait_until(
            Duration::from_secs(10),
            &format!("wireguard-go {ifname} control socket"),
            || sock.exists(),
        )?;
        Ok(wg)
    }

    /// The TUN interface name (also the `wg` device name).
    pub fn ifname(&self) -> &str {
        &self.ifname
    }

    /// The wireguard-go process.
    pub fn process(&self) -> &Process {
        &self.process
    }

    /// `wg ARGS...` run inside the namespace.
    pub fn wg(&self, args: &[&str]) -> Result<String> {
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", &self.ns, "wg"]).args(args);
        crate::run_cmd(&mut cmd)
    }

    /// `wg set IFNAME ARGS...`.
    pub fn set(&self, args: &[&str]) -> Result<()> {
        let mut a = vec!["set", self.ifname.as_str()];
        a.extend_from_slice(args);
        self.wg(&a).map(drop)
    }

    /// Set the private key (through a file in the lab directory, mode 0600)
    /// and the listen port.
    pub fn set_private_key(&mut self, private: &str, listen_port: u16) -> Result<()> {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let path = self.lab.dir().join(format!("{}.key", self.ifname));
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&path)
            .with_context(|| format!("writing {}", path.display()))?;
        writeln!(f, "{private}")?;
        drop(f);
        self.key_file = Some(path.clone());
        self.set(&[
            "listen-port",
            &listen_port.to_string(),
            "private-key",
            &path.to_string_lossy(),
        ])
    }

    /// Add or update a peer. `endpoint` is `IP:PORT` (`[v6]:PORT`),
    /// `allowed_ips` comma-separated CIDRs, `keepalive` seconds (0 = off).
    pub fn add_peer(
        &self,
        public: &str,
        endpoint: Option<&str>,
        allowed_ips: &str,
        keepalive: u16,
    ) -> Result<()> {
        let ka = keepalive.to_string();
        let mut a = vec!["peer", public, "allowed-ips", allowed_ips];
        if let Some(ep) = endpoint {
            a.extend(["endpoint", ep]);
        }
        if keepalive > 0 {
            a.extend(["persistent-keepalive", &ka]);
        }
        self.set(&a)
    }

    /// `wg show IFNAME`.
    pub fn show(&self) -> Result<String> {
        self.wg(&["show", &self.ifname])
    }

    /// Seconds-since-epoch of the latest handshake with `public` (0 = none).
    pub fn latest_handshake(&self, public: &str) -> Result<u64> {
        let out = self.wg(&["show", &self.ifname, "latest-handshakes"])?;
        Ok(out
            .lines()
            .filter_map(|l| l.split_once('\t'))
            .find(|(k, _)| *k == public)
            .and_then(|(_, v)| v.trim().parse().ok())
            .unwrap_or(0))
    }
}

impl Drop for WireguardGo {
    fn drop(&mut self) {
        let _ = self.process.stop();
        let _ = std::fs::remove_file(Path::new(WG_SOCK_DIR).join(format!("{}.sock", self.ifname)));
        if let Some(k) = &self.key_file {
            let _ = std::fs::remove_file(k);
        }
    }
}

impl Netns {
    /// Start wireguard-go in this namespace; the TUN device (MTU 1420) is
    /// [`WireguardGo::ifname`], down and without addresses.
    pub fn wireguard_go(&self) -> Result<WireguardGo> {
        WireguardGo::start(self)
    }
}
