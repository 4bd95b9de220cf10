//! tcpdump captures inside a namespace.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::wait::IntoDeadline;
use crate::{pcap, Lab, Netns, Process, ProcessSpec, Result};

/// A running `tcpdump -i IF -w FILE` in one namespace. Packets are written
/// as they arrive (`--immediate-mode -U`). [`Capture::stop`] (or drop) ends it by PID; the
/// pcap file stays where it was written.
pub struct Capture {
    process: Process,
    path: PathBuf,
    lab: Lab,
}

impl fmt::Debug for Capture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Capture")
            .field("path", &self.path)
            .field("process", &self.process)
            .finish()
    }
}

impl Capture {
    fn start(ns: &Netns, ifname: &str, filter: &str, path: Option<&Path>) -> Result<Capture> {
        let lab = ns.lab_handle();
        let path = match path {
            Some(p) => p.to_path_buf(),
            None => lab.dir().join(format!(
                "{}-{ifname}-{}.pcap",
                ns.short_name(),
                ns.lab().next()
            )),
        };
        let _ = std::fs::remove_file(&path);
        let mut spec = ProcessSpec::new(&format!("tcpdump-{ifname}"), "tcpdump")
            // --immediate-mode: frames reach tcpdump as they arrive, not
            // when a ring block retires (up to a second later); frames
            // still in an unretired block are lost when tcpdump stops.
            .args(&[
                "-i",
                ifname,
                "-n",
                "--immediate-mode",
                "-U",
                "-s",
                "0",
                "-Z",
                "root",
                "-w",
            ])
            .arg(path.to_string_lossy().into_owned());
        if !filter.is_empty() {
            spec = spec.arg(filter);
        }
        let mut process = ns.spawn(spec)?;
        let what = format!("tcpdump on {ifname} in {} to start", ns.name());
        lab.wait_until(Duration::from_secs(10), &what, || {
            if !process.is_running() {
                return Err(format!("tcpdump exited: {}", process.log()));
            }
            Ok(process.log().contains("listening on"))
        })?;
        Ok(Capture { process, path, lab })
    }

    /// Where the pcap is written.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The frames written so far (an incomplete last record is ignored).
    pub fn frames(&self) -> Result<Vec<Vec<u8>>> {
        let bytes = match std::fs::read(&self.path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e.into()),
        };
        if bytes.len() < 24 {
            return Ok(Vec::new());
        }
        Ok(pcap::parse_records(&bytes, true)?
            .into_iter()
            .map(|r| r.data)
            .collect())
    }

    /// Wait until the frames captured so far satisfy `pred`.
    pub fn wait_frames(
        &self,
        what: &str,
        deadline: impl IntoDeadline,
        mut pred: impl FnMut(&[Vec<u8>]) -> bool,
    ) -> Result<()> {
        self.lab
            .wait_until(deadline, what, || self.frames().map(|f| pred(&f)))
    }

    /// Stop tcpdump (SIGINT, so it flushes) and return all frames with
    /// their timestamps.
    pub fn stop(mut self) -> Result<Vec<pcap::Record>> {
        let _ = self.process.stop_with("INT", Duration::from_secs(3));
        let bytes = std::fs::read(&self.path)?;
        pcap::parse_records(&bytes, false)
    }
}

impl Netns {
    /// Capture on `ifname` with a tcpdump `filter` ("" for everything) into
    /// `path` (default: a file in the lab directory); returns once tcpdump
    /// is listening.
    pub fn capture(&self, ifname: &str, filter: &str, path: Option<&Path>) -> Result<Capture> {
        Capture::start(self, ifname, filter, path)
    }
}
