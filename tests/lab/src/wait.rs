//! Bounded polling: the only way the lab waits.

use std::fmt::Display;
use std::time::{Duration, Instant};

use anyhow::anyhow;

use crate::Result;

/// What a polled condition returns: `true`/`Ok(true)`/`Ok(())` means done;
/// `false`, `Ok(false)` or an error means "not yet" (the last error is
/// reported on timeout).
pub trait Probe {
    /// `Ok(true)` when the condition holds, `Ok(false)` or `Err(reason)`
    /// when it does not yet.
    fn probe(self) -> std::result::Result<bool, String>;
}

impl Probe for bool {
    fn probe(self) -> std::result::Result<bool, String> {
        Ok(self)
    }
}

impl<E: Display> Probe for std::result::Result<bool, E> {
    fn probe(self) -> std::result::Result<bool, String> {
        self.map_err(|e| format!("{e:#}"))
    }
}

impl<E: Display> Probe for std::result::Result<(), E> {
    fn probe(self) -> std::result::Result<bool, String> {
        self.map(|()| true).map_err(|e| format!("{e:#}"))
    }
}

/// A deadline: an [`Instant`], or a [`Duration`] from now.
pub trait IntoDeadline {
    /// The instant at which waiting gives up.
    fn into_deadline(self) -> Instant;
}

impl IntoDeadline for Instant {
    fn into_deadline(self) -> Instant {
        self
    }
}

impl IntoDeadline for Duration {
    fn into_deadline(self) -> Instant {
        Instant::now() + self
    }
}

/// Poll `f` (every 20 ms at first, backing off to 250 ms) until it reports
/// success or `deadline` passes. The timeout error names `what`, the time
/// waited and the last failure `f` reported.
pub fn wait_until<P: Probe>(
    deadline: impl IntoDeadline,
    what: &str,
    mut f: impl FnMut() -> P,
) -> Result<()> {
    let start = Instant::now();
    let deadline = deadline.into_deadline();
    let mut pause = Duration::from_millis(20);
    let mut last = String::new();
    loop {
        match f().probe() {
            Ok(true) => return Ok(()),
            Ok(false) => last.clear(),
            Err(e) => last = e,
        }
        let now = Instant::now();
        if now >= deadline {
            let mut msg = format!(
                "timed out after {:.1} s waiting for {what}",
                start.elapsed().as_secs_f64()
            );
            if !last.is_empty() {
                msg.push_str("; last error: ");
                msg.push_str(&last);
            }
            return Err(anyhow!(msg));
        }
        std::thread::sleep(pause.min(deadline - now));
        pause = (pause * 2).min(Duration::from_millis(250));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn succeeds_once_condition_holds() {
        let mut n = 0;
        wait_until(Duration::from_secs(5), "three polls", || {
            n += 1;
            n >= 3
        })
        .unwrap();
        assert_eq!(n, 3);
    }

    #[test]
    fn timeout_reports_what_and_last_error() {
        let err = wait_until(Duration::from_millis(60), "the impossible", || {
            Err::<bool, _>("still broken")
        })
        .unwrap_err()
        .to_string();
        assert!(err.contains("the impossible"), "{err}");
        assert!(err.contains("still broken"), "{err}");
    }

    #[test]
    fn unit_result_probe() {
        wait_until(Duration::from_secs(1), "ok", || Ok::<(), String>(())).unwrap();
    }
}
