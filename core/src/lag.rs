//! Consumer lag over simulated time, for the lag chart: each group's total
//! lag (high watermark minus committed offset, over its partitions) sampled
//! on a grid of simulated time. The history is bounded: when it fills up,
//! every other sample goes and the grid doubles, so hours and days fit as
//! well as seconds. Sampling reads state only; it never changes what the
//! simulation does.

use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::vec::Vec;

/// Samples kept; past this the history thins to half and the grid doubles.
pub const LAG_SAMPLES_MAX: usize = 512;
/// The first grid step.
const LAG_INTERVAL_MS: u64 = 1_000;

/// Every group's total lag at one moment.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct LagSample {
    pub at_ms: u64,
    /// `(group, lag)`, by group name.
    pub lags: Vec<(String, u64)>,
}

#[derive(Clone, Debug)]
pub struct LagHistory {
    interval_ms: u64,
    /// The next grid point to sample at.
    next_at_ms: u64,
    pub samples: VecDeque<LagSample>,
}

impl Default for LagHistory {
    fn default() -> Self {
        LagHistory { interval_ms: LAG_INTERVAL_MS, next_at_ms: 0, samples: VecDeque::new() }
    }
}

impl LagHistory {
    /// The grid points up to `until_ms` not sampled yet: the first and the last
    /// of them (the state is the same at all of them), or none.
    pub fn due(&self, until_ms: u64) -> Option<(u64, u64)> {
        if self.next_at_ms > until_ms {
            return None;
        }
        let last = self.next_at_ms + (until_ms - self.next_at_ms) / self.interval_ms * self.interval_ms;
        Some((self.next_at_ms, last))
    }

    /// Records the lags at the grid points `first..=last` (the same lags at each).
    pub fn record(&mut self, (first, last): (u64, u64), lags: Vec<(String, u64)>) {
        self.next_at_ms = last + self.interval_ms;
        if lags.is_empty() {
            return;
        }
        self.push(LagSample { at_ms: first, lags: lags.clone() });
        if last != first {
            self.push(LagSample { at_ms: last, lags });
        }
    }

    fn push(&mut self, sample: LagSample) {
        if self.samples.len() >= LAG_SAMPLES_MAX {
            // Thin to every other sample and sample half as often from now on.
            let kept: VecDeque<LagSample> = self.samples.drain(..).step_by(2).collect();
            self.samples = kept;
            self.interval_ms *= 2;
        }
        self.samples.push_back(sample);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn idle_gaps_take_two_samples_and_a_full_history_thins() {
        let mut h = LagHistory::default();
        let lags = || vec![(String::from("g"), 3)];
        let due = h.due(10_500).unwrap();
        assert_eq!(due, (0, 10_000));
        h.record(due, lags());
        assert_eq!(h.samples.iter().map(|s| s.at_ms).collect::<Vec<_>>(), [0, 10_000]);
        assert_eq!(h.due(10_999), None, "the next grid point is 11 s");
        for t in 1..2_000u64 {
            if let Some(d) = h.due(10_000 + t * 1_000) {
                h.record(d, lags());
            }
        }
        assert!(h.samples.len() <= LAG_SAMPLES_MAX);
        assert!(h.samples.iter().zip(h.samples.iter().skip(1)).all(|(a, b)| a.at_ms < b.at_ms), "time only moves on");
    }
}
