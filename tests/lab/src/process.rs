//! Background processes owned by a test: started in a namespace, output to
//! a log file, stopped by PID on drop.

use std::fmt;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, ExitStatus, Stdio};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;

use crate::cmd::{describe, run_ignore};
use crate::lab::DiagGuard;
use crate::wait::wait_until;
use crate::{Netns, Result};

/// What to start: program, arguments, environment.
#[derive(Debug, Clone)]
#[must_use = "pass it to Netns::spawn"]
pub struct ProcessSpec {
    name: String,
    program: String,
    args: Vec<String>,
    env: Vec<(String, String)>,
}

impl ProcessSpec {
    /// `name` labels the log file and the diagnostics; `program` is a path
    /// or a name in `PATH`.
    pub fn new(name: &str, program: &str) -> ProcessSpec {
        ProcessSpec {
            name: name.to_owned(),
            program: program.to_owned(),
            args: Vec::new(),
            env: Vec::new(),
        }
    }

    /// Append one argument.
    pub fn arg(mut self, a: impl Into<String>) -> Self {
        self.args.push(a.into());
        self
    }

    /// Append arguments.
    pub fn args<S: AsRef<str>>(mut self, a: &[S]) -> Self {
        self.args.extend(a.iter().map(|s| s.as_ref().to_owned()));
        self
    }

    /// Set an environment variable.
    pub fn env(mut self, k: &str, v: &str) -> Self {
        self.env.push((k.to_owned(), v.to_owned()));
        self
    }
}

/// A running background process. Dropping it sends SIGTERM, waits up to
/// 3 s, then SIGKILL; its log file goes with the lab's scratch directory.
pub struct Process {
    name: String,
    ns: String,
    child: Child,
    log: PathBuf,
    exit: Option<ExitStatus>,
    _diag: DiagGuard,
}

impl fmt::Debug for Process {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Process")
            .field("name", &self.name)
            .field("ns", &self.ns)
            .field("pid", &self.child.id())
            .field("log", &self.log)
            .finish()
    }
}

/// The last `max` bytes of a log file (whole lines), for diagnostics.
pub(crate) fn tail(path: &Path, max: usize) -> String {
    match std::fs::read(path) {
        Ok(bytes) => {
            let start = bytes.len().saturating_sub(max);
            let text = String::from_utf8_lossy(bytes.get(start..).unwrap_or_default());
            if start > 0 {
                let cut = text.find('\n').map_or(0, |i| i + 1);
                format!(
                    "[... {start} bytes before ...]\n{}",
                    text.get(cut..).unwrap_or("")
                )
            } else {
                text.into_owned()
            }
        }
        Err(e) => format!("(cannot read {}: {e})", path.display()),
    }
}

impl Process {
    pub(crate) fn spawn(ns: &Netns, spec: ProcessSpec) -> Result<Process> {
        let lab = ns.lab();
        let log = lab.dir().join(format!(
            "{}-{}-{}.log",
            ns.short_name(),
            spec.name,
            lab.next()
        ));
        let out = File::create(&log).with_context(|| format!("creating {}", log.display()))?;
        let err = out.try_clone()?;
        let mut cmd = ns.command(&spec.program);
        cmd.args(&spec.args)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err);
        for (k, v) in &spec.env {
            cmd.env(k, v);
        }
        let child = cmd
            .spawn()
            .with_context(|| format!("starting `{}`", describe(&cmd)))?;
        let title = format!(
            "process {} (pid {}) in {}: `{}`; log {}",
            spec.name,
            child.id(),
            ns.name(),
            describe(&cmd),
            log.display()
        );
        let diag_log = log.clone();
        let diag = lab.register(title, Arc::new(move || tail(&diag_log, 16 * 1024)));
        Ok(Process {
            name: spec.name,
            ns: ns.name().to_owned(),
            child,
            log,
            exit: None,
            _diag: diag,
        })
    }

    /// The process id (`ip netns exec` execs the program, so this is the
    /// program's own PID).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The name given in the [`ProcessSpec`].
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Path of the log file (stdout and stderr).
    pub fn log_path(&self) -> &Path {
        &self.log
    }

    /// The whole log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Is it still running?
    pub fn is_running(&mut self) -> bool {
        if self.exit.is_some() {
            return false;
        }
        match self.child.try_wait() {
            Ok(Some(st)) => {
                self.exit = Some(st);
                false
            }
            Ok(None) => true,
            Err(_) => false,
        }
    }

    /// Its exit status, if it has exited.
    pub fn exit_status(&mut self) -> Option<ExitStatus> {
        self.is_running();
        self.exit
    }

    /// Send a signal (`"TERM"`, `"INT"`, `"HUP"`, ...) by PID.
    pub fn signal(&mut self, sig: &str) -> Result<()> {
        if !self.is_running() {
            anyhow::bail!("{} (pid {}) is not running", self.name, self.pid());
        }
        crate::run("kill", &[&format!("-{sig}"), &self.pid().to_string()]).map(drop)
    }

    /// Stop it: `signal`, wait up to `grace`, then SIGKILL. Returns the exit
    /// status.
    pub fn stop_with(&mut self, signal: &str, grace: Duration) -> Result<ExitStatus> {
        if self.is_running() {
            run_ignore("kill", &[&format!("-{signal}"), &self.pid().to_string()]);
            let _ = wait_until(grace, "process to exit", || !self.is_running());
            if self.is_running() {
                let _ = self.child.kill();
                let st = self.child.wait()?;
                self.exit = Some(st);
            }
        }
        self.exit
            .ok_or_else(|| anyhow::anyhow!("no exit status for {}", self.name))
    }

    /// Stop it with SIGTERM (3 s grace, then SIGKILL).
    pub fn stop(&mut self) -> Result<ExitStatus> {
        self.stop_with("TERM", Duration::from_secs(3))
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.stop();
    }
}

impl Netns {
    /// Start a background process inside this namespace, stdout and stderr
    /// to a log file in the lab directory; its log tail joins the lab's
    /// diagnostics.
    pub fn spawn(&self, spec: ProcessSpec) -> Result<Process> {
        Process::spawn(self, spec)
    }
}
