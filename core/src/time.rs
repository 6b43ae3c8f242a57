//! Simulated time. The engine never reads a clock: time is a number of
//! milliseconds that only [`crate::Sim::advance`] and [`crate::Sim::step`] move.

use core::fmt;
use core::ops::{Add, Sub};

/// A point in simulated time, in milliseconds since the simulation started.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Instant {
    pub ms: u64,
}

/// A span of simulated time in milliseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Duration {
    pub ms: u64,
}

impl Instant {
    pub const ZERO: Instant = Instant { ms: 0 };

    pub const fn from_ms(ms: u64) -> Self {
        Instant { ms }
    }

    /// Time elapsed since `earlier`, zero if `earlier` is in the future.
    pub fn saturating_since(self, earlier: Instant) -> Duration {
        Duration::from_ms(self.ms.saturating_sub(earlier.ms))
    }
}

impl Duration {
    pub const ZERO: Duration = Duration { ms: 0 };

    pub const fn from_ms(ms: u64) -> Self {
        Duration { ms }
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;
    fn add(self, d: Duration) -> Instant {
        // Saturating: a config of i64::MAX ms ("never") must not wrap to the past.
        Instant::from_ms(self.ms.saturating_add(d.ms))
    }
}

impl Sub<Instant> for Instant {
    type Output = Duration;
    fn sub(self, earlier: Instant) -> Duration {
        self.saturating_since(earlier)
    }
}

impl fmt::Display for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ms", self.ms)
    }
}

/// Prints a duration the way a script writes it: the largest unit that divides it exactly.
impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const UNITS: [(u64, &str); 4] = [(86_400_000, "d"), (3_600_000, "h"), (60_000, "m"), (1_000, "s")];
        for (size, unit) in UNITS {
            if self.ms >= size && self.ms % size == 0 {
                return write!(f, "{}{}", self.ms / size, unit);
            }
        }
        write!(f, "{}ms", self.ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn durations_print_in_the_largest_exact_unit() {
        assert_eq!(Duration::from_ms(30_000).to_string(), "30s");
        assert_eq!(Duration::from_ms(1_500).to_string(), "1500ms");
        assert_eq!(Duration::from_ms(7_200_000).to_string(), "2h");
        assert_eq!(Duration::from_ms(0).to_string(), "0ms");
    }

    #[test]
    fn adding_never_wraps() {
        assert_eq!((Instant::from_ms(5) + Duration::from_ms(u64::MAX)).ms, u64::MAX);
    }
}
