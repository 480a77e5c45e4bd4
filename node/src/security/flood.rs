//! Rate limits of [`Class::PerSource`](super::Class::PerSource) events,
//! applied before anything is logged.
//!
//! Time is cut into fixed intervals of [`FloodLimits::interval_ms`]. In one
//! interval a source may have [`FloodLimits::per_source`] events of a kind
//! recorded one by one, and all sources together
//! [`FloodLimits::global`]; every further event is only counted in its
//! `(kind, source)` bucket. When the interval ends, each bucket with a count
//! becomes one [`SecurityEvent::Aggregated`] summary. At most
//! [`FloodLimits::max_sources`] buckets are tracked per interval; events of
//! further sources are counted under the source `other`. So one interval
//! writes at most `global + max_sources + kinds` records, whatever the
//! flood, and the recorded events plus the summaries' counts are exactly the
//! events that happened.

use std::collections::HashMap;

use super::SecurityEvent;

/// The source name under which sources beyond [`FloodLimits::max_sources`] are counted.
pub const OTHER_SOURCE: &str = "other";

/// Bounds of per-source events (`[security]` of `config.toml`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FloodLimits {
    /// Length of one interval, ms.
    pub interval_ms: u64,
    /// Events of one kind from one source recorded one by one per interval.
    pub per_source: u32,
    /// Per-source events recorded one by one per interval, all sources together.
    pub global: u32,
    /// `(kind, source)` buckets tracked per interval.
    pub max_sources: usize,
}

impl Default for FloodLimits {
    fn default() -> Self {
        FloodLimits { interval_ms: 10_000, per_source: 5, global: 100, max_sources: 256 }
    }
}

/// What to do with one event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Record it one by one.
    Record,
    /// Only count it; it will be in its source's summary.
    Count,
}

#[derive(Clone, Copy, Debug, Default)]
struct Bucket {
    recorded: u32,
    counted: u64,
    first_ms: u64,
    last_ms: u64,
}

/// The per-interval counters.
#[derive(Debug)]
pub struct Limiter {
    limits: FloodLimits,
    /// Start of the current interval (`None` before the first event of one).
    start_ms: Option<u64>,
    /// Events recorded one by one in this interval, all sources.
    recorded: u32,
    buckets: HashMap<(&'static str, String), Bucket>,
}

impl Limiter {
    /// A limiter with `limits`.
    pub fn new(limits: FloodLimits) -> Limiter {
        Limiter { limits, start_ms: None, recorded: 0, buckets: HashMap::new() }
    }

    /// Whether the interval that started earlier has ended at `now_ms`.
    pub fn is_due(&self, now_ms: u64) -> bool {
        self.start_ms.is_some_and(|s| now_ms >= s.saturating_add(self.limits.interval_ms.max(1)))
    }

    /// The verdict on one event of `kind` from `source` at `now_ms`. Call
    /// [`Limiter::take_summaries`] first when [`Limiter::is_due`].
    pub fn admit(&mut self, kind: &'static str, source: String, now_ms: u64) -> Verdict {
        self.start_ms.get_or_insert(now_ms);
        let key = if self.buckets.contains_key(&(kind, source.clone())) || self.buckets.len() < self.limits.max_sources
        {
            (kind, source)
        } else {
            (kind, OTHER_SOURCE.to_owned())
        };
        let other = key.1 == OTHER_SOURCE;
        let b = self.buckets.entry(key).or_default();
        if !other && b.recorded < self.limits.per_source && self.recorded < self.limits.global {
            b.recorded += 1;
            self.recorded += 1;
            return Verdict::Record;
        }
        if b.counted == 0 {
            b.first_ms = now_ms;
        }
        b.counted += 1;
        b.last_ms = now_ms;
        Verdict::Count
    }

    /// Ends the interval: one summary per bucket that counted events, in
    /// `(kind, source)` order; the counters start again.
    pub fn take_summaries(&mut self) -> Vec<SecurityEvent> {
        let mut out: Vec<((&'static str, String), Bucket)> =
            self.buckets.drain().filter(|(_, b)| b.counted > 0).collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        self.start_ms = None;
        self.recorded = 0;
        out.into_iter()
            .map(|((kind, source), b)| SecurityEvent::Aggregated {
                of_kind: kind.to_owned(),
                source,
                count: b.counted,
                first_ms: b.first_ms,
                last_ms: b.last_ms,
                interval_ms: self.limits.interval_ms,
            })
            .collect()
    }

    /// Events counted and not yet summarised.
    pub fn pending(&self) -> u64 {
        self.buckets.values().map(|b| b.counted).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(s: &[SecurityEvent]) -> u64 {
        s.iter().map(|e| if let SecurityEvent::Aggregated { count, .. } = e { *count } else { 0 }).sum()
    }

    #[test]
    fn per_source_then_global_then_other() {
        let limits = FloodLimits { interval_ms: 1000, per_source: 2, global: 5, max_sources: 3 };
        let mut l = Limiter::new(limits);
        let v = |l: &mut Limiter, s: &str| l.admit("bad_signature", s.to_owned(), 10);
        assert_eq!(v(&mut l, "ip:a"), Verdict::Record);
        assert_eq!(v(&mut l, "ip:a"), Verdict::Record);
        assert_eq!(v(&mut l, "ip:a"), Verdict::Count, "per source");
        assert_eq!(v(&mut l, "ip:b"), Verdict::Record);
        assert_eq!(v(&mut l, "ip:b"), Verdict::Record);
        assert_eq!(v(&mut l, "ip:c"), Verdict::Record);
        assert_eq!(v(&mut l, "ip:c"), Verdict::Count, "global bound of 5 reached");
        assert_eq!(v(&mut l, "ip:d"), Verdict::Count, "a fourth source goes to other");
        assert!(!l.is_due(1009));
        assert!(l.is_due(1010));
        let s = l.take_summaries();
        assert_eq!(count(&s), 3);
        let sources: Vec<String> = s
            .iter()
            .map(|e| if let SecurityEvent::Aggregated { source, .. } = e { source.clone() } else { String::new() })
            .collect();
        assert_eq!(sources, ["ip:a", "ip:c", "other"]);
        assert_eq!(l.pending(), 0);
        assert_eq!(v(&mut l, "ip:d"), Verdict::Record, "a new interval starts afresh");
    }
}
