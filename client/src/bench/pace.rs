//! Rate pacing arithmetic: with a target of `rate` transactions per second,
//! transaction `k` (0-based, in submission order) is due `k / rate` seconds
//! after the start. A submitter sends, at each wake-up, every transaction of
//! its own that is due (up to a batch limit), then sleeps until its next one
//! is due, so a late wake-up is caught up by a larger batch rather than
//! lowering the offered rate.

use std::time::Duration;

/// The time after the start at which transaction `k` is due.
pub fn due_at(k: u64, rate: u32) -> Duration {
    let rate = u64::from(rate.max(1));
    // Exact integer nanoseconds: k * 1e9 / rate without f64 rounding, and
    // without overflow for any k a benchmark can reach (u128 intermediate).
    let nanos = u128::from(k) * 1_000_000_000 / u128::from(rate);
    Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
}

/// How many transactions are due `elapsed` after the start: those with
/// `due_at(k) <= elapsed`.
pub fn due_count(elapsed: Duration, rate: u32) -> u64 {
    // due_at(k) = floor(k·1e9 / rate) ≤ e  ⇔  k < (e + 1)·rate / 1e9 (e in ns),
    // so the count is ceil((e + 1)·rate / 1e9).
    let rate = u128::from(rate.max(1));
    let n = ((elapsed.as_nanos() + 1) * rate).div_ceil(1_000_000_000);
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// The number of transactions a run of `duration` at `rate` offers.
pub fn planned(duration: Duration, rate: u32) -> u64 {
    let rate = u128::from(rate);
    u64::try_from(duration.as_nanos() * rate / 1_000_000_000).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_times_are_evenly_spaced() {
        assert_eq!(due_at(0, 1000), Duration::ZERO);
        assert_eq!(due_at(1, 1000), Duration::from_millis(1));
        assert_eq!(due_at(5000, 5000), Duration::from_secs(1));
        assert_eq!(due_at(1, 3), Duration::from_nanos(333_333_333));
        assert_eq!(due_at(3, 3), Duration::from_secs(1));
        // No overflow at the extremes.
        assert!(due_at(u64::MAX, 1) >= Duration::from_secs(1_000_000_000));
        // A zero rate is treated as 1/s rather than dividing by zero.
        assert_eq!(due_at(2, 0), Duration::from_secs(2));
    }

    #[test]
    fn due_count_inverts_due_at() {
        for rate in [1, 3, 7, 1000, 5000, 12_345] {
            for k in [0u64, 1, 2, 99, 1000, 123_456] {
                let t = due_at(k, rate);
                assert_eq!(due_count(t, rate), k + 1, "rate {rate} k {k}: due at {t:?}");
                if t > Duration::ZERO {
                    assert_eq!(due_count(t - Duration::from_nanos(1), rate), k, "rate {rate} k {k}");
                }
            }
        }
        assert_eq!(due_count(Duration::ZERO, 5000), 1);
        assert_eq!(due_count(Duration::from_secs(1), 5000), 5001);
        assert_eq!(due_count(Duration::from_millis(999), 1000), 1000);
    }

    #[test]
    fn planned_counts() {
        assert_eq!(planned(Duration::from_secs(60), 5000), 300_000);
        assert_eq!(planned(Duration::from_millis(1500), 3), 4);
        assert_eq!(planned(Duration::ZERO, 5000), 0);
    }
}
