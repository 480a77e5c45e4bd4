//! Tracking: one slot per pre-signed transaction, written lock-free by the
//! submitters (first send time, admission) and by the follower (commit time),
//! and the follower itself, which reads every committed block's receipts
//! height by height (`GET /v1/blocks/{h}/receipts`) instead of polling each
//! transaction. It reads of each receipt only the transaction id and the
//! outcome's status and code ([`BlockOutcomes`]), skipping the events, so
//! that following 15,000 receipts a second stays a small part of the load
//! generator's CPU.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicU8, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Deserialize;
use tamga_types::{Hash, Height};

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
    /// The committed receipt's outcome was a failure.
    pub failed: AtomicBool,
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
    #[cfg(test)]
    pub(crate) fn mark_sent(&self, i: u32) -> bool {
        self.mark_sent_at(i, self.now_us())
    }

    /// Marks the first send of slot `i` at `now_us` (a [`Shared::now_us`]
    /// reading, taken once for a whole batch); true if this was its first.
    pub(crate) fn mark_sent_at(&self, i: u32, now_us: u64) -> bool {
        let s = &self.slots[i as usize];
        let first = s.sent_us.compare_exchange(0, now_us.max(1), Ordering::AcqRel, Ordering::Acquire).is_ok();
        if first {
            s.state.store(OFFERED, Ordering::Release);
            self.offered.fetch_add(1, Ordering::Relaxed);
        }
        first
    }

    /// The first slot at or after `from` that was admitted and is not yet
    /// seen committed (`slots.len()` if none).
    pub(crate) fn first_waiting(&self, from: usize) -> usize {
        self.slots
            .iter()
            .skip(from)
            .position(|s| s.state.load(Ordering::Acquire) == ADMITTED && s.committed_us.load(Ordering::Acquire) == 0)
            .map_or(self.slots.len(), |p| from + p)
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

/// `GET /v1/blocks/{h}/receipts` as the follower reads it (docs/api.md):
/// unknown fields (the height, the events, a failure's arguments and
/// message) are skipped, not built.
#[derive(Debug, Deserialize)]
pub(crate) struct BlockOutcomes {
    /// The block's receipts, in transaction order.
    pub receipts: Vec<OutcomeOnly>,
}

/// One receipt: its transaction and whether it succeeded.
#[derive(Debug, Deserialize)]
pub(crate) struct OutcomeOnly {
    /// The transaction id.
    pub tx_hash: Hash,
    /// `{"status": "success"}` or `{"status": "failed", "code", …}`.
    pub outcome: StatusOnly,
}

/// A receipt's outcome, status and code only.
#[derive(Debug, Deserialize)]
pub(crate) struct StatusOnly {
    /// `success` or `failed`.
    pub status: String,
    /// The failure code.
    #[serde(default)]
    pub code: Option<String>,
}

impl StatusOnly {
    /// The failure code, if the receipt is a failure.
    pub(crate) fn failure(&self) -> Option<&str> {
        (self.status != "success").then(|| self.code.as_deref().unwrap_or("UNKNOWN"))
    }
}

impl Shared {
    /// Marks the load's transactions among `receipts` committed at `now_us`;
    /// returns how many were the load's.
    pub(crate) fn record_block(&self, receipts: &[OutcomeOnly], now_us: u64, out: &mut Followed) -> u64 {
        let mut ours = 0;
        for r in receipts {
            let Some(&i) = self.index.get(&r.tx_hash) else { continue };
            ours += 1;
            let slot = &self.slots[i as usize];
            if slot.commits.fetch_add(1, Ordering::AcqRel) > 0 {
                out.duplicated += 1;
                continue;
            }
            if let Some(code) = r.outcome.failure() {
                slot.failed.store(true, Ordering::Release);
                *out.failed_by_code.entry(code.to_owned()).or_default() += 1;
            }
            slot.committed_us.store(now_us.max(1), Ordering::Release);
            self.committed.fetch_add(1, Ordering::Relaxed);
        }
        ours
    }
}

async fn block_outcomes(http: &reqwest::Client, base: &str, height: Height) -> Result<Vec<OutcomeOnly>, ()> {
    let resp = http.get(format!("{base}/v1/blocks/{height}/receipts")).send().await.map_err(|_| ())?;
    if !resp.status().is_success() {
        return Err(());
    }
    let bytes = resp.bytes().await.map_err(|_| ())?;
    serde_json::from_slice::<BlockOutcomes>(&bytes).map(|b| b.receipts).map_err(|_| ())
}

/// Reads blocks `from..` until `stop` is set, marking the load's
/// transactions committed. A node that does not answer is replaced by the
/// next one.
pub(crate) async fn follow(shared: Arc<Shared>, clients: Vec<Client>, from: Height, stop: Arc<AtomicBool>) -> Followed {
    let mut out = Followed::default();
    let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap_or_default();
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
            let receipts = match block_outcomes(&http, clients[node].base_url(), next).await {
                Ok(r) => r,
                Err(()) => {
                    node = (node + 1) % clients.len();
                    break;
                }
            };
            let ours = shared.record_block(&receipts, shared.now_us(), &mut out);
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

    #[test]
    fn first_waiting_skips_committed_and_unsent() {
        let h = |b: u8| Hash([b; 32]);
        let s = Shared::new(Instant::now(), (1..=4).map(h));
        assert_eq!(s.first_waiting(0), 4, "nothing admitted, nothing waiting");
        for i in 0..4 {
            s.mark_sent(i);
        }
        s.mark_admitted(1);
        s.mark_admitted(3);
        assert_eq!(s.first_waiting(0), 1);
        s.slots[1].committed_us.store(5, Ordering::Release);
        assert_eq!(s.first_waiting(1), 3);
        s.slots[3].committed_us.store(5, Ordering::Release);
        assert_eq!(s.first_waiting(3), 4);
    }

    #[test]
    fn follower_reads_outcomes_and_counts_duplicates() {
        let h = |b: u8| Hash([b; 32]);
        let s = Shared::new(Instant::now(), [h(1), h(2), h(3)]);
        let body = format!(
            r#"{{"height":5,"receipts":[
              {{"tx_hash":"{}","height":5,"index":0,"block_time_ms":1,"outcome":{{"status":"success"}},
                "events":[{{"kind":"transfer","attributes":[["from","a"],["to","b"]]}}]}},
              {{"tx_hash":"{}","height":5,"index":1,"block_time_ms":1,
                "outcome":{{"status":"failed","code":"INSUFFICIENT_BALANCE","args":[["need","5"]],"message":"m"}},"events":[]}},
              {{"tx_hash":"{}","height":5,"index":2,"block_time_ms":1,"outcome":{{"status":"success"}},"events":[]}}]}}"#,
            h(1),
            h(2),
            h(9)
        );
        let b: BlockOutcomes = serde_json::from_str(&body).unwrap();
        let mut out = Followed::default();
        assert_eq!(s.record_block(&b.receipts, 1234, &mut out), 2, "h(9) is not the load's");
        assert_eq!(s.committed.load(Ordering::Relaxed), 2);
        assert_eq!(s.slots[0].committed_us.load(Ordering::Relaxed), 1234);
        assert!(!s.slots[0].failed.load(Ordering::Relaxed));
        assert!(s.slots[1].failed.load(Ordering::Relaxed));
        assert_eq!(out.failed_by_code.get("INSUFFICIENT_BALANCE"), Some(&1));
        assert_eq!(out.duplicated, 0);
        // The same transaction committed again (a second block): counted as a duplicate, once more each time.
        assert_eq!(s.record_block(&b.receipts[..1], 9999, &mut out), 1);
        assert_eq!(out.duplicated, 1);
        assert_eq!(s.committed.load(Ordering::Relaxed), 2, "a duplicate is not a second commit");
        assert_eq!(s.slots[0].committed_us.load(Ordering::Relaxed), 1234, "the first commit time stays");
        assert_eq!(s.slots[2].committed_us.load(Ordering::Relaxed), 0);
    }
}
