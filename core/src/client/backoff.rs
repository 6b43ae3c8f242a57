//! Kafka's `ExponentialBackoff` (KIP-580), as every client backoff uses it: retries, metadata
//! refreshes and reconnects.
//!
//! `backoff(n) = min(random(1 - jitter, 1 + jitter) * initial * 2^min(n, expMax), max)`, where
//! `2^expMax = max / initial`: the wait doubles from `initial` up to `max`, jitter included never
//! above `max`. When `max` is not above `initial`, the wait is the constant `min(initial, max)`
//! with no jitter. Java computes with doubles; the playground's core has no floating-point
//! logarithm, so the same values are found in integers: `initial * 2^n` until it reaches `max`
//! (where Java's `initial * 2^expMax` lands), and the random factor in thousandths.

use crate::rand::Rng;

/// `CommonClientConfigs.RETRY_BACKOFF_JITTER` (0.2) in thousandths.
const JITTER_PER_MILLE: u64 = 200;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExponentialBackoff {
    initial_ms: u64,
    max_ms: u64,
    /// Whether there is room to grow at all (Java's `expMax > 0`): no jitter when there is not.
    grows: bool,
}

impl ExponentialBackoff {
    /// `new ExponentialBackoff(initial, 2, max, 0.2)`: the initial interval is `min(max, initial)`.
    pub fn new(initial_ms: u64, max_ms: u64) -> Self {
        ExponentialBackoff { initial_ms: initial_ms.min(max_ms), max_ms, grows: max_ms > initial_ms }
    }

    /// The wait after `attempts` earlier failures (0 for the first wait).
    pub fn backoff(&self, attempts: u32, rng: &mut Rng) -> u64 {
        self.backoff_with_factor(attempts, || {
            1_000 - JITTER_PER_MILLE + rng.below(2 * JITTER_PER_MILLE as usize) as u64
        })
    }

    fn backoff_with_factor(&self, attempts: u32, factor_per_mille: impl FnOnce() -> u64) -> u64 {
        if !self.grows {
            return self.initial_ms;
        }
        let doubled = if attempts >= 63 { u64::MAX } else { self.initial_ms.saturating_mul(1 << attempts) };
        let term = doubled.min(self.max_ms);
        (term.saturating_mul(factor_per_mille()) / 1_000).min(self.max_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `ExponentialBackoffTest.testExponentialBackoff`: within 20% of `100 * 2^n` up to n = 4,
    /// never above the max after.
    #[test]
    fn test_exponential_backoff() {
        let backoff = ExponentialBackoff::new(100, 2_000);
        let mut rng = Rng::new(7);
        for _ in 0..=100 {
            for attempts in 0..=10u32 {
                let b = backoff.backoff(attempts, &mut rng);
                if attempts <= 4 {
                    let expected = 100 * (1u64 << attempts);
                    assert!(
                        b.abs_diff(expected) <= expected / 5,
                        "attempt {attempts}: {b} not within 20% of {expected}"
                    );
                } else {
                    // Kafka's test allows max * 1.2; Java's code (and this one) never exceeds the max.
                    assert!(b <= 2_000, "attempt {attempts}: {b} above the max");
                }
            }
        }
    }

    /// `ExponentialBackoffTest.testExponentialBackoffWithoutJitter`.
    #[test]
    fn test_exponential_backoff_without_jitter() {
        let backoff = ExponentialBackoff::new(100, 400);
        let waits: [u64; 4] = core::array::from_fn(|n| backoff.backoff_with_factor(n as u32, || 1_000));
        assert_eq!(waits, [100, 200, 400, 400]);
    }

    #[test]
    fn an_initial_above_the_max_waits_the_max_without_jitter() {
        let backoff = ExponentialBackoff::new(5_000, 1_000);
        let mut rng = Rng::new(1);
        assert!((0..20).all(|n| backoff.backoff(n, &mut rng) == 1_000));
    }

    #[test]
    fn jitter_never_takes_the_wait_above_the_max() {
        let backoff = ExponentialBackoff::new(100, 1_000);
        // The largest factor (1.2) at the max: capped.
        assert_eq!(backoff.backoff_with_factor(10, || 1_199), 1_000);
        assert_eq!(backoff.backoff_with_factor(1, || 1_199), 239);
    }
}
