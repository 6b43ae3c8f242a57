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

/// Java's `Duration.parse` for `PnDTnHnMn.nS` (days, hours, minutes, seconds with up to nine
/// decimals), in milliseconds (finer parts dropped); `None` when the text is not such a duration or is negative.
pub fn parse_iso_duration(text: &str) -> Option<u64> {
    let upper = text.trim().to_ascii_uppercase();
    let mut rest = upper.strip_prefix('P')?;
    let (mut ms, mut rank, mut in_time) = (0u64, 0, false);
    while !rest.is_empty() {
        if let Some(time) = rest.strip_prefix('T').filter(|t| !in_time && !t.is_empty()) {
            (rest, in_time) = (time, true);
            continue;
        }
        let end = rest.find(|c: char| !c.is_ascii_digit() && c != '.')?;
        let (number, unit) = (&rest[..end], rest.as_bytes()[end]);
        // Each unit once, in order: days before T, then hours, minutes, seconds.
        let (unit_rank, scale) = match (in_time, unit) {
            (false, b'D') => (1, 86_400_000),
            (true, b'H') => (2, 3_600_000),
            (true, b'M') => (3, 60_000),
            (true, b'S') => (4, 1_000),
            _ => return None,
        };
        let (whole, frac) = number.split_once('.').unwrap_or((number, ""));
        let frac_ok = frac.len() <= 9 && frac.bytes().all(|b| b.is_ascii_digit()) && (frac.is_empty() || unit == b'S');
        if unit_rank <= rank || !frac_ok {
            return None;
        }
        rank = unit_rank;
        // Nanoseconds in Java; the simulation's clock counts milliseconds.
        let frac_ms = frac
            .bytes()
            .chain(core::iter::repeat(b'0'))
            .take(3)
            .try_fold(0, |n, d| d.is_ascii_digit().then(|| n * 10 + u64::from(d - b'0')))?;
        ms = ms.checked_add(whole.parse::<u64>().ok()?.checked_mul(scale)?)?.checked_add(frac_ms)?;
        rest = &rest[end + 1..];
    }
    (rank > 0).then_some(ms)
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
