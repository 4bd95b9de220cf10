//! The lab: a name prefix, a scratch directory and a registry of diagnostics
//! providers shared by every resource a test creates.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;

use crate::cmd::{run_ignore, run_quiet};
use crate::wait::{wait_until, IntoDeadline, Probe};
use crate::{preflight, Netns, Result};

/// Scratch space of all labs: `/tmp/vtepd-lab/<lab id>/`.
const SCRATCH_ROOT: &str = "/tmp/vtepd-lab";
/// FRR path spaces live under these two directories.
pub(crate) const FRR_ETC: &str = "/etc/frr";
pub(crate) const FRR_RUN: &str = "/var/run/frr";

static NEXT_LAB: AtomicU32 = AtomicU32::new(0);

type ProviderFn = Arc<dyn Fn() -> String + Send + Sync>;

struct Provider {
    id: u32,
    title: String,
    dump: ProviderFn,
}

pub(crate) struct LabInner {
    id: String,
    dir: PathBuf,
    counter: AtomicU32,
    providers: Mutex<Vec<Provider>>,
    keep: bool,
}

/// One lab: the namespaces and daemons of one test.
///
/// Cheap to clone (a shared handle). Create it first in a test so that it is
/// dropped last; its final drop sweeps up whatever still carries its prefix.
#[derive(Clone)]
pub struct Lab {
    pub(crate) inner: Arc<LabInner>,
}

impl fmt::Debug for Lab {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lab").field("id", &self.inner.id).finish()
    }
}

impl Lab {
    /// Run [`preflight`] (panics if the machine cannot run the lab), remove
    /// leftovers of dead test processes, and create a new lab.
    ///
    /// Set `VTEPD_LAB_KEEP=1` to keep the scratch directory (logs, configs,
    /// captures) after the test.
    pub fn new() -> Result<Lab> {
        preflight();
        sweep_stale();
        let id = format!(
            "vl{:x}-{}",
            std::process::id(),
            NEXT_LAB.fetch_add(1, Ordering::Relaxed)
        );
        let dir = Path::new(SCRATCH_ROOT).join(&id);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("creating lab directory {}", dir.display()))?;
        let keep = std::env::var_os("VTEPD_LAB_KEEP").is_some_and(|v| v != "0");
        Ok(Lab {
            inner: Arc::new(LabInner {
                id,
                dir,
                counter: AtomicU32::new(0),
                providers: Mutex::new(Vec::new()),
                keep,
            }),
        })
    }

    /// The lab's id, e.g. `vl1f2e-0`.
    pub fn id(&self) -> &str {
        &self.inner.id
    }

    /// The prefix of every namespace and FRR path space of this lab, e.g.
    /// `vl1f2e-0-`.
    pub fn prefix(&self) -> String {
        format!("{}-", self.inner.id)
    }

    /// The lab's scratch directory (configs, logs, captures).
    pub fn dir(&self) -> &Path {
        &self.inner.dir
    }

    /// Create the namespace `<prefix><name>` with `lo` up.
    pub fn netns(&self, name: &str) -> Result<Netns> {
        Netns::create(self, name)
    }

    /// Wait for a condition; on timeout the error includes
    /// [`Lab::diagnostics`].
    pub fn wait_until<P: Probe>(
        &self,
        deadline: impl IntoDeadline,
        what: &str,
        f: impl FnMut() -> P,
    ) -> Result<()> {
        wait_until(deadline, what, f).map_err(|e| e.context(self.diagnostics()))
    }

    /// Register a diagnostics provider: `dump` runs whenever a wait times
    /// out (and in [`Lab::diagnostics`]) until the returned guard is dropped.
    pub fn add_diagnostics(
        &self,
        title: impl Into<String>,
        dump: impl Fn() -> String + Send + Sync + 'static,
    ) -> DiagGuard {
        self.inner.register(title.into(), Arc::new(dump))
    }

    /// The output of every registered diagnostics provider.
    pub fn diagnostics(&self) -> String {
        self.inner.diagnostics()
    }

    /// All namespaces (by full name) that carry this lab's prefix now.
    pub fn live_namespaces(&self) -> Vec<String> {
        let prefix = self.prefix();
        list_netns()
            .into_iter()
            .filter(|n| n.starts_with(&prefix))
            .collect()
    }
}

impl LabInner {
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// A per-lab unique number (for file and table names).
    pub(crate) fn next(&self) -> u32 {
        self.counter.fetch_add(1, Ordering::Relaxed)
    }

    pub(crate) fn register(self: &Arc<Self>, title: String, dump: ProviderFn) -> DiagGuard {
        let id = self.next();
        if let Ok(mut p) = self.providers.lock() {
            p.push(Provider { id, title, dump });
        }
        DiagGuard {
            lab: Arc::clone(self),
            id,
        }
    }

    pub(crate) fn diagnostics(&self) -> String {
        // Clone the providers out so that none runs under the lock.
        let providers: Vec<(String, ProviderFn)> = match self.providers.lock() {
            Ok(p) => p
                .iter()
                .map(|p| (p.title.clone(), Arc::clone(&p.dump)))
                .collect(),
            Err(_) => return "diagnostics registry poisoned".into(),
        };
        let mut out = format!("===== diagnostics of lab {} =====\n", self.id);
        for (title, dump) in providers {
            out.push_str(&format!("----- {title} -----\n{}\n", dump()));
        }
        out
    }
}

impl Drop for LabInner {
    fn drop(&mut self) {
        let prefix = format!("{}-", self.id);
        for ns in list_netns().into_iter().filter(|n| n.starts_with(&prefix)) {
            remove_netns(&ns);
        }
        remove_frr_dirs(&prefix);
        if !self.keep {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Unregisters a diagnostics provider when dropped.
#[must_use = "the provider is unregistered when this guard is dropped"]
pub struct DiagGuard {
    lab: Arc<LabInner>,
    id: u32,
}

impl fmt::Debug for DiagGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DiagGuard").field("id", &self.id).finish()
    }
}

impl DiagGuard {
    pub(crate) fn lab(&self) -> &Arc<LabInner> {
        &self.lab
    }
}

impl Drop for DiagGuard {
    fn drop(&mut self) {
        if let Ok(mut p) = self.lab.providers.lock() {
            p.retain(|p| p.id != self.id);
        }
    }
}

/// Names of all network namespaces (`ip netns list`).
pub(crate) fn list_netns() -> Vec<String> {
    run_quiet("ip", &["netns", "list"])
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

/// Kill every process still inside `ns` (they are ours: the namespace is),
/// then delete it.
pub(crate) fn remove_netns(ns: &str) {
    let pids: Vec<String> = run_quiet("ip", &["netns", "pids", ns])
        .split_whitespace()
        .filter(|p| p.bytes().all(|b| b.is_ascii_digit()))
        .map(str::to_owned)
        .collect();
    for pid in &pids {
        run_ignore("kill", &["-KILL", pid]);
    }
    if !pids.is_empty() {
        let _ = wait_until(Duration::from_secs(3), "processes to die", || {
            pids.iter()
                .all(|p| !Path::new("/proc").join(p).exists() || is_zombie(p))
        });
    }
    run_ignore("ip", &["netns", "delete", ns]);
}

fn is_zombie(pid: &str) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| {
            s.rsplit_once(')')
                .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z'))
        })
        .unwrap_or(true)
}

fn remove_frr_dirs(prefix: &str) {
    for root in [FRR_ETC, FRR_RUN] {
        if let Ok(rd) = std::fs::read_dir(root) {
            for e in rd.flatten() {
                if e.file_name().to_string_lossy().starts_with(prefix) {
                    let _ = std::fs::remove_dir_all(e.path());
                }
            }
        }
    }
}

/// The pid encoded in a lab name `vl<hex pid>-<n>-...`, if it is one.
fn owner_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix("vl")?;
    let (hex, rest) = rest.split_once('-')?;
    let (n, _) = rest.split_once('-')?;
    if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    u32::from_str_radix(hex, 16).ok()
}

/// Remove namespaces, FRR path spaces and scratch directories left by lab
/// processes that died without cleaning up (killed by a signal).
fn sweep_stale() {
    let dead = |name: &str| {
        owner_pid(name).is_some_and(|pid| !Path::new("/proc").join(pid.to_string()).exists())
    };
    for ns in list_netns() {
        if dead(&ns) {
            remove_netns(&ns);
        }
    }
    for root in [FRR_ETC, FRR_RUN] {
        if let Ok(rd) = std::fs::read_dir(root) {
            for e in rd.flatten() {
                if dead(&e.file_name().to_string_lossy()) {
                    let _ = std::fs::remove_dir_all(e.path());
                }
            }
        }
    }
    if let Ok(rd) = std::fs::read_dir(SCRATCH_ROOT) {
        for e in rd.flatten() {
            let name = format!("{}-", e.file_name().to_string_lossy());
            if dead(&name) {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::owner_pid;

    #[test]
    fn owner_pid_parses_lab_names() {
        assert_eq!(owner_pid("vl1f-0-a"), Some(0x1f));
        assert_eq!(owner_pid("vl1f-12-vtep1"), Some(0x1f));
        assert_eq!(owner_pid("vl1f-x-a"), None);
        assert_eq!(owner_pid("other"), None);
        assert_eq!(owner_pid("vlzz-0-a"), None);
    }
}
