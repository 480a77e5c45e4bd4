//! The delivery loop of one sink: the oldest pending records of its
//! [`Outbox`] go out in `seq` order, a batch at a time; a batch the
//! transport confirms is acknowledged (and leaves the outbox), a batch that
//! fails is sent again, whole, after an exponential back-off. So every
//! record arrives at least once and in order; a receiver that saw a seq
//! already ignores it (the duplicates of a batch whose confirmation was
//! lost).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use super::outbox::{Entry, Outbox};
use super::SinkError;
use crate::security::TARGET;

/// A way to deliver a batch of records: returns `Ok` only once the centre
/// has them (an HTTP 2xx; for syslog, the bytes written and the connection
/// still open after the settle time).
pub trait Transport: Send {
    /// Delivers `batch` (non-empty, in seq order).
    fn send(&mut self, batch: &[Entry]) -> impl Future<Output = Result<(), SinkError>> + Send;
}

/// Exponential back-off: `initial`, doubled after each failure up to `max`,
/// back to `initial` after a success.
#[derive(Clone, Copy, Debug)]
pub struct Backoff {
    initial: Duration,
    max: Duration,
    next: Duration,
}

impl Backoff {
    /// Starts at `initial`, never above `max`.
    pub fn new(initial: Duration, max: Duration) -> Backoff {
        let max = max.max(initial);
        Backoff { initial, max, next: initial }
    }

    /// The wait before the next try, and doubles the one after.
    pub fn next_delay(&mut self) -> Duration {
        let d = self.next;
        self.next = (self.next * 2).min(self.max);
        d
    }

    /// After a success.
    pub fn reset(&mut self) {
        self.next = self.initial;
    }
}

/// Delivers `outbox` through `transport` forever (until the task is
/// dropped), at most `batch` records a request.
pub async fn run<T: Transport>(outbox: Arc<Outbox>, mut transport: T, batch: usize, mut backoff: Backoff) {
    let mut failing = false;
    loop {
        let entries = outbox.peek(batch.max(1));
        let Some(last) = entries.last().map(|e| e.seq) else {
            outbox.wait().await;
            continue;
        };
        match transport.send(&entries).await {
            Ok(()) => {
                if failing {
                    tracing::info!(target: TARGET, sink = outbox.name(), backlog = outbox.backlog(), "security sink reachable again");
                    failing = false;
                }
                backoff.reset();
                if let Err(e) = outbox.ack(last) {
                    // Delivered but not recorded as such: sent again later
                    // (the receiver drops the duplicates by seq).
                    tracing::error!(target: TARGET, sink = outbox.name(), error = %e, "cannot record the acknowledged seq");
                    tokio::time::sleep(backoff.next_delay()).await;
                }
            }
            Err(e) => {
                outbox.metrics().failed.inc();
                let wait = backoff.next_delay();
                tracing::warn!(
                    target: TARGET,
                    sink = outbox.name(),
                    first_seq = entries[0].seq,
                    backlog = outbox.backlog(),
                    retry_in_ms = wait.as_millis() as u64,
                    error = %e,
                    "security sink delivery failed"
                );
                failing = true;
                tokio::time::sleep(wait).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use tokio::time::Instant;

    use super::super::outbox::OutboxMetrics;
    use super::*;

    /// When each send happened (since the start) and the seqs it carried.
    type Calls = Arc<Mutex<Vec<(Duration, Vec<u64>)>>>;

    /// Fails the first `fail` sends, records when each send happened and what it carried.
    struct Flaky {
        fail: usize,
        calls: Calls,
        start: Instant,
    }

    impl Transport for Flaky {
        async fn send(&mut self, batch: &[Entry]) -> Result<(), SinkError> {
            let mut calls = self.calls.lock().unwrap();
            calls.push((self.start.elapsed(), batch.iter().map(|e| e.seq).collect()));
            if calls.len() <= self.fail {
                return Err(SinkError::Closed { addr: "127.0.0.1:9".into() });
            }
            Ok(())
        }
    }

    fn line(seq: u64) -> String {
        format!(r#"{{"seq":{seq}}}"#)
    }

    #[tokio::test(start_paused = true)]
    async fn retries_with_exponential_back_off_in_seq_order_then_acknowledges() {
        let dir = tempfile::tempdir().unwrap();
        let outbox = Arc::new(Outbox::open("webhook", dir.path(), 100, OutboxMetrics::default()).unwrap());
        for s in 1..=5 {
            outbox.push(s, &line(s)).unwrap();
        }
        let calls = Arc::new(Mutex::new(Vec::new()));
        let flaky = Flaky { fail: 5, calls: calls.clone(), start: Instant::now() };
        let backoff = Backoff::new(Duration::from_millis(100), Duration::from_millis(1_000));
        let task = tokio::spawn(run(outbox.clone(), flaky, 3, backoff));
        tokio::time::sleep(Duration::from_secs(10)).await;
        let got = calls.lock().unwrap().clone();
        let times: Vec<u64> = got.iter().map(|(t, _)| t.as_millis() as u64).collect();
        // 100, 200, 400, 800, then capped at 1000; then the rest at once.
        assert_eq!(times, vec![0, 100, 300, 700, 1_500, 2_500, 2_500], "{got:?}");
        for (_, seqs) in &got[..6] {
            assert_eq!(seqs, &vec![1, 2, 3], "the same oldest batch is retried");
        }
        assert_eq!(got[6].1, vec![4, 5]);
        assert_eq!(outbox.backlog(), 0);
        assert_eq!(outbox.acked(), 5);
        assert_eq!(outbox.metrics().failed.get(), 5);
        assert_eq!(outbox.metrics().delivered.get(), 5);
        // A new record after a success goes out at once (the back-off was reset).
        outbox.push(6, &line(6)).unwrap();
        tokio::time::sleep(Duration::from_millis(1)).await;
        let got = calls.lock().unwrap().clone();
        assert_eq!(got.last().unwrap(), &(Duration::from_millis(10_000), vec![6]));
        task.abort();
    }

    #[test]
    fn back_off_doubles_up_to_the_cap_and_resets() {
        let mut b = Backoff::new(Duration::from_millis(500), Duration::from_millis(3_000));
        let ms: Vec<u128> = (0..6).map(|_| b.next_delay().as_millis()).collect();
        assert_eq!(ms, vec![500, 1_000, 2_000, 3_000, 3_000, 3_000]);
        b.reset();
        assert_eq!(b.next_delay(), Duration::from_millis(500));
    }
}
