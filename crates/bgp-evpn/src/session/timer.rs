//! Time as data: a monotonic [`Timestamp`] passed in by the driver, and the
//! session's table of deadlines.

use core::ops::{Add, Sub};
use core::time::Duration;

/// A point on the driver's monotonic clock, as the time since an arbitrary
/// start. The session never reads a clock; every input carries `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Timestamp(pub Duration);

impl Timestamp {
    /// The clock's start.
    pub const ZERO: Timestamp = Timestamp(Duration::ZERO);

    /// `secs` seconds after the start.
    pub const fn from_secs(secs: u64) -> Timestamp {
        Timestamp(Duration::from_secs(secs))
    }

    /// `ms` milliseconds after the start.
    pub const fn from_millis(ms: u64) -> Timestamp {
        Timestamp(Duration::from_millis(ms))
    }

    /// Time since `earlier` (zero if `earlier` is later).
    pub fn saturating_since(self, earlier: Timestamp) -> Duration {
        self.0.saturating_sub(earlier.0)
    }
}

impl Add<Duration> for Timestamp {
    type Output = Timestamp;
    fn add(self, d: Duration) -> Timestamp {
        Timestamp(self.0.saturating_add(d))
    }
}

impl Sub<Timestamp> for Timestamp {
    type Output = Duration;
    fn sub(self, other: Timestamp) -> Duration {
        self.saturating_since(other)
    }
}

/// The session's timers (RFC 4271 §10), plus the automatic restart delay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Timer {
    /// ConnectRetryTimer.
    ConnectRetry,
    /// HoldTimer.
    Hold,
    /// KeepaliveTimer.
    Keepalive,
    /// IdleHoldTimer (RFC 4271 §8.1.1 DampPeerOscillations): delay before an
    /// automatic restart after an error.
    IdleHold,
}

impl Timer {
    /// Every timer, in the order they are checked.
    pub const ALL: [Timer; 4] = [
        Timer::ConnectRetry,
        Timer::Hold,
        Timer::Keepalive,
        Timer::IdleHold,
    ];

    fn index(self) -> usize {
        match self {
            Timer::ConnectRetry => 0,
            Timer::Hold => 1,
            Timer::Keepalive => 2,
            Timer::IdleHold => 3,
        }
    }
}

/// A table of deadlines, one per [`Timer`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TimerTable {
    deadlines: [Option<Timestamp>; 4],
}

impl TimerTable {
    /// Arm `timer` to fire at `at`.
    pub fn set(&mut self, timer: Timer, at: Timestamp) {
        if let Some(d) = self.deadlines.get_mut(timer.index()) {
            *d = Some(at);
        }
    }

    /// Disarm `timer`.
    pub fn stop(&mut self, timer: Timer) {
        if let Some(d) = self.deadlines.get_mut(timer.index()) {
            *d = None;
        }
    }

    /// Disarm every timer.
    pub fn stop_all(&mut self) {
        self.deadlines = [None; 4];
    }

    /// When `timer` fires, if armed.
    pub fn get(&self, timer: Timer) -> Option<Timestamp> {
        self.deadlines.get(timer.index()).copied().flatten()
    }

    /// The earliest deadline.
    pub fn next(&self) -> Option<Timestamp> {
        self.deadlines.iter().flatten().min().copied()
    }

    /// Disarm and return the first timer due at `now`.
    pub fn take_expired(&mut self, now: Timestamp) -> Option<Timer> {
        let t = Timer::ALL
            .into_iter()
            .filter(|t| self.get(*t).is_some_and(|d| d <= now))
            .min_by_key(|t| self.get(*t))?;
        self.stop(t);
        Some(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_orders_deadlines() {
        let mut t = TimerTable::default();
        assert_eq!(t.next(), None);
        t.set(Timer::Hold, Timestamp::from_secs(90));
        t.set(Timer::Keepalive, Timestamp::from_secs(30));
        assert_eq!(t.next(), Some(Timestamp::from_secs(30)));
        assert_eq!(t.take_expired(Timestamp::from_secs(29)), None);
        assert_eq!(
            t.take_expired(Timestamp::from_secs(100)),
            Some(Timer::Keepalive)
        );
        assert_eq!(t.take_expired(Timestamp::from_secs(100)), Some(Timer::Hold));
        assert_eq!(t.take_expired(Timestamp::from_secs(100)), None);
        t.set(Timer::IdleHold, Timestamp::from_secs(5));
        t.stop_all();
        assert_eq!(t.next(), None);
        assert_eq!(
            Timestamp::from_secs(3) + Duration::from_millis(500),
            Timestamp::from_millis(3500)
        );
        assert_eq!(
            Timestamp::from_secs(1) - Timestamp::from_secs(3),
            Duration::ZERO
        );
    }
}
