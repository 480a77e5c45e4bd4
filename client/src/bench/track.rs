//! Tracking: one slot per pre-signed transaction, written lock-free by the
//! submitters (first send time, admission) and by the follower (commit time),
//! and the follower itself, which reads every committed block's receipts
//! height by height (`GET /v1/blocks/{h}/receipts`) instead of polling each
//! transaction.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicU8, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tamga_types::{Hash, Height, TxOutcome};

use crate::Client;

/// Slot states (0: not sent yet).
pub(crate) const OFFERED: u8 = 1;
pub(crate) const ADMITTED: u8 = 2;
pub(crate) const REJECTED: u8 = 3;

/// What is known about one transaction.
#[derive(Debug, Default)]
pub(crate) struct Slot {
    /// Microseconds after the origin, plus one, of the first submission (0: not sent).
    pub sent_us: AtomicU64,
    /// Microseconds after the origin, plus one, when the commit was first seen (0: not yet).
    pub committed_us: AtomicU64,
    /// Times seen committed.
    pub commits: AtomicU32,
    /// 0 (not sent), `OFFERED`, `ADMITTED` or `REJECTED`.
    pub state: AtomicU8,
}

/// State shared by the submitters, the follower and the progress reporter.
#[derive(Debug)]
pub(crate) struct Shared {
    /// The load's time origin.
    pub origin: Instant,
    /// One slot per transaction, in submission order.
    pub slots: Vec<Slot>,
    /// Transaction hash → slot index.
    pub index: HashMap<Hash, u32>,
    /// Sent at least once.
    pub offered: AtomicU64,
    /// Admitted by a node.
    pub admitted: AtomicU64,
    /// Refused for good.
    pub rejected: AtomicU64,
    /// Seen committed (first time).
    pub committed: AtomicU64,
    /// Last height the follower read.
    pub height: AtomicU64,
}

impl Shared {
    pub(crate) fn new(origin: Instant, hashes: impl IntoIterator<Item = Hash>) -> Shared {
        let index: HashMap<Hash, u32> = hashes.into_iter().enumerate().map(|(i, h)| (h, i as u32)).collect();
        let slots = (0..index.len()).map(|_| Slot::default()).collect();
        Shared {
            origin,
            slots,
            index,
            offered: AtomicU64::new(0),
            admitted: AtomicU64::new(0),
            rejected: AtomicU64::new(0),
            committed: AtomicU64::new(0),
            height: AtomicU64::new(0),
        }
    }

    /// Now, as microseconds after the origin plus one (never 0).
    pub(crate) fn now_us(&self) -> u64 {
        u64::try_from(self.origin.elapsed().as_micros()).unwrap_or(u64::MAX - 1) + 1
    }

    /// Marks the first send of slot `i`; true if this was its first.
    pub(crate) fn mark_sent(&self, i: u32) -> bool {
        let s = &self.slots[i as usize];
        let first = s.sent_us.compare_exchange(0, self.now_us(), Ordering::AcqRel, Ordering::Acquire).is_ok();
        if first {
            s.state.store(OFFERED, Ordering::Release);
            self.offered.fetch_add(1, Ordering::Relaxed);
        }
        first
    }

    pub(crate) fn mark_admitted(&self, i: u32) {
        if self.slots[i as usize].state.swap(ADMITTED, Ordering::AcqRel) != ADMITTED {
            self.admitted.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub(crate) fn mark_rejected(&self, i: u32) {
        let s = &self.slots[i as usize];
        if s.state.compare_exchange(OFFERED, REJECTED, Ordering::AcqRel, Ordering::Acquire).is_ok() {
            self.rejected.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// What the follower saw besides the slots.
#[derive(Clone, Debug, Default)]
pub(crate) struct Followed {
    /// Failed receipts of load transactions, by code.
    pub failed_by_code: BTreeMap<String, u64>,
    /// Second and later commits of a load transaction.
    pub duplicated: u64,
    /// Blocks read.
    pub blocks: u64,
    /// Most load transactions in one block.
    pub max_block_txs: u64,
}

/// Reads blocks `from..` until `stop` is set, marking the load's
/// transactions committed. A node that does not answer is replaced by the
/// next one.
pub(crate) async fn follow(shared: Arc<Shared>, clients: Vec<Client>, from: Height, stop: Arc<AtomicBool>) -> Followed {
    let mut out = Followed::default();
    let mut next = from;
    let mut node = 0;
    let poll = Duration::from_millis(20);
    while !stop.load(Ordering::Acquire) {
        let tip = match clients[node].health().await {
            Ok(h) => h.height,
            Err(_) => {
                node = (node + 1) % clients.len();
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        while next <= tip && !stop.load(Ordering::Acquire) {
            let receipts = match clients[node].block_receipts(next).await {
                Ok(r) => r,
                Err(_) => {
                    node = (node + 1) % clients.len();
                    break;
                }
            };
            let now = shared.now_us();
            let mut ours = 0;
            for r in receipts {
                let Some(&i) = shared.index.get(&r.tx_hash) else { continue };
                ours += 1;
                let slot = &shared.slots[i as usize];
                if slot.commits.fetch_add(1, Ordering::AcqRel) > 0 {
                    out.duplicated += 1;
                    continue;
                }
                slot.committed_us.store(now, Ordering::Release);
                shared.committed.fetch_add(1, Ordering::Relaxed);
                if let TxOutcome::Failed { code, .. } = r.outcome {
                    *out.failed_by_code.entry(code).or_default() += 1;
                }
            }
            out.blocks += 1;
            out.max_block_txs = out.max_block_txs.max(ours);
            shared.height.store(next, Ordering::Relaxed);
            next += 1;
        }
        tokio::time::sleep(poll).await;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slot_transitions_count_once() {
        let h = |b: u8| Hash([b; 32]);
        let s = Shared::new(Instant::now(), [h(1), h(2)]);
        assert_eq!(s.index[&h(2)], 1);
        assert!(s.mark_sent(0));
        assert!(!s.mark_sent(0), "a resend is not a first send");
        s.mark_admitted(0);
        s.mark_admitted(0);
        assert_eq!(s.admitted.load(Ordering::Relaxed), 1);
        s.mark_rejected(0);
        assert_eq!(s.rejected.load(Ordering::Relaxed), 0, "an admitted transaction is not rejected later");
        assert!(s.mark_sent(1));
        s.mark_rejected(1);
        s.mark_rejected(1);
        assert_eq!(s.rejected.load(Ordering::Relaxed), 1);
        assert_eq!(s.offered.load(Ordering::Relaxed), 2);
        assert!(s.now_us() >= 1);
    }
}
