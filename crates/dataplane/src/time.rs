//! Time as an input: a millisecond timestamp on the caller's monotonic clock.
//!
//! Nothing in this crate reads a clock. The driver passes `now` into every
//! call that needs it (learning, aging); tests drive a virtual clock.

use core::fmt;
use core::time::Duration;

/// Milliseconds since an arbitrary epoch of the caller's monotonic clock.
///
/// Only differences between timestamps mean anything. Arithmetic saturates,
/// so a clock that starts at 0 or a huge age never wraps.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(pub u64);

impl Timestamp {
    /// The epoch.
    pub const ZERO: Timestamp = Timestamp(0);

    /// Build from milliseconds.
    pub const fn from_millis(ms: u64) -> Timestamp {
        Timestamp(ms)
    }

    /// Milliseconds since the epoch.
    pub const fn as_millis(self) -> u64 {
        self.0
    }

    /// `self + d`, saturating.
    pub fn saturating_add(self, d: Duration) -> Timestamp {
        Timestamp(self.0.saturating_add(duration_millis(d)))
    }

    /// Time elapsed from `earlier` to `self`; zero if `earlier` is later.
    pub fn saturating_since(self, earlier: Timestamp) -> Duration {
        Duration::from_millis(self.0.saturating_sub(earlier.0))
    }
}

/// A duration in whole milliseconds, saturating at `u64::MAX`.
pub(crate) fn duration_millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}ms", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_saturates() {
        let t = Timestamp::from_millis(u64::MAX - 1);
        assert_eq!(
            t.saturating_add(Duration::from_secs(5)),
            Timestamp(u64::MAX)
        );
        assert_eq!(
            Timestamp(10).saturating_since(Timestamp(20)),
            Duration::ZERO
        );
        assert_eq!(
            Timestamp(1500).saturating_since(Timestamp(500)),
            Duration::from_secs(1)
        );
        assert_eq!(
            Timestamp(0).saturating_add(Duration::MAX),
            Timestamp(u64::MAX)
        );
    }
}
