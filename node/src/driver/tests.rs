//! Unit tests of the driver's host logic: start-up over the safety state,
//! the stall on a failed safety write, persist-before-send. A one-validator
//! chain on a real ledger, under tokio's paused clock with the inline
//! executor (the simulator's seams).

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;

use tamga_consensus::Message;

use super::*;
use crate::mempool::MempoolLimits;
use crate::safety::{self, Safety};

/// An in-memory safety store whose writes can be made to fail.
#[derive(Clone, Default)]
struct MemStore {
    bytes: Arc<Mutex<Option<Vec<u8>>>>,
    fail: Arc<AtomicU32>,
    attempts: Arc<AtomicU32>,
}

impl SafetyStore for MemStore {
    fn load(&mut self) -> Result<Option<Safety>, SafetyFileError> {
        let b = self.bytes.lock().unwrap().clone();
        b.map(|b| safety::decode(&b).map_err(|why| SafetyFileError::Corrupt { path: "mem/safety.bin".into(), why }))
            .transpose()
    }
    fn store(&mut self, state: &Safety) -> std::io::Result<()> {
        self.attempts.fetch_add(1, Ordering::SeqCst);
        if self.fail.load(Ordering::SeqCst) > 0 {
            self.fail.fetch_sub(1, Ordering::SeqCst);
            return Err(std::io::Error::other("injected: no space left on device"));
        }
        *self.bytes.lock().unwrap() = Some(safety::encode(state));
        Ok(())
    }
    fn path(&self) -> &std::path::Path {
        std::path::Path::new("mem/safety.bin")
    }
}

/// Records what leaves, and checks on every message that the signature in it
/// is already in the persisted state (persist before send).
struct Recorder {
    store: MemStore,
    sent: Mutex<Vec<Message<Block>>>,
    unpersisted: AtomicU32,
}

impl Transport for Recorder {
    fn publish(&self, wire: ConsensusWire) -> BoxFuture<'_, ()> {
        if let ConsensusWire::Consensus(m) = wire {
            let persisted = self.store.clone().load().ok().flatten();
            let ok = persisted.is_some_and(|s| match &m {
                Message::Vote(v) => s.signed_votes.contains(v),
                Message::Proposal(p) => s.signed_proposals.contains(p),
            });
            if !ok {
                self.unpersisted.fetch_add(1, Ordering::SeqCst);
            }
            self.sent.lock().unwrap().push(m);
        }
        Box::pin(async {})
    }
    fn sync(&self, _from: Height) -> BoxFuture<'_, ()> {
        Box::pin(async {})
    }
    fn set_allowed(&self, _keys: Vec<PublicKey>) -> BoxFuture<'_, ()> {
        Box::pin(async {})
    }
}

struct Harness {
    _dir: tempfile::TempDir,
    key: SigningKey,
    ledger: Arc<Ledger>,
    home: Home,
}

fn harness() -> Harness {
    let t = tamga_genesis::testnet::generate(&tamga_genesis::TestnetOptions {
        validators: 1,
        participants: 1,
        ..Default::default()
    })
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ledger = Arc::new(Ledger::open(&dir.path().join("ledger")).unwrap());
    ledger.init_genesis(&t.genesis).unwrap();
    let home = Home::new(dir.path());
    Harness { key: t.validators[0].key.clone(), ledger, home, _dir: dir }
}

fn cfg() -> ConsensusConfig {
    ConsensusConfig { empty_block_wait_ms: 50, ..ConsensusConfig::default() }
}

fn deps(h: &Harness, store: MemStore, net: Arc<dyn Transport>) -> (DriverDeps, Arc<Metrics>, SecurityLog) {
    let metrics = Arc::new(Metrics::new());
    let security = SecurityLog::in_memory(h.key.public(), &metrics);
    let chain_id = h.ledger.chain_id().unwrap();
    let status = NodeStatus {
        chain_id: chain_id.clone(),
        genesis_hash: Hash::ZERO,
        node_key: h.key.public(),
        peer_id: String::new(),
        validator: true,
        height: 0,
        last_block_hash: Hash::ZERO,
        last_block_time_ms: 0,
        state_root: Hash::ZERO,
        consensus_height: 0,
        consensus_round: 0,
        syncing: false,
        peers: 0,
        mempool_txs: 0,
        version: String::new(),
    };
    let d = DriverDeps {
        ledger: h.ledger.clone(),
        mempool: Arc::new(Mempool::new(
            chain_id,
            MempoolLimits { max_txs: 100, max_bytes: 1 << 20, max_per_account: 16 },
        )),
        chain: Arc::new(LedgerChain::new(h.ledger.clone())),
        net,
        events: mpsc::channel(16).1,
        home: h.home.clone(),
        metrics: metrics.clone(),
        status: watch::channel(status).0,
        observers: vec![],
        committed: broadcast::channel(4).0,
        security: security.clone(),
        safety: Box::new(store),
        blocking: Blocking::Inline,
        clock: Arc::new(crate::SystemClock),
        storage_retry: crate::driver::StorageRetry::default(),
        fresh_home: true,
    };
    (d, metrics, security)
}

/// Runs the driver for `secs` of virtual time; returns whether it was still running.
async fn run_for(driver: Driver, secs: u64) -> bool {
    let task = tokio::spawn(driver.run(tokio::time::sleep(Duration::from_secs(secs))));
    tokio::time::sleep(Duration::from_secs(secs) - Duration::from_millis(1)).await;
    let running = !task.is_finished();
    task.await.unwrap().unwrap();
    running
}

#[test]
fn a_missing_file_is_believed_only_on_a_fresh_home_or_for_a_non_validator() {
    assert_eq!(missing_safety_floor(false, true, 0, true), None, "a fresh home");
    assert_eq!(missing_safety_floor(false, false, 5, false), None, "cannot sign at 6");
    assert_eq!(missing_safety_floor(true, false, 5, true), None, "the file is there");
    assert_eq!(missing_safety_floor(false, false, 5, true), Some(7), "may have signed at 6");
    // Found by the node simulation (a wiped file at genesis height): a home
    // that ran before may have signed at height 1.
    assert_eq!(missing_safety_floor(false, false, 0, true), Some(2), "may have signed at 1");
}

#[test]
fn stall_backoff_doubles_to_its_ceiling() {
    assert_eq!(stall_backoff(1), Duration::from_millis(10));
    assert_eq!(stall_backoff(2), Duration::from_millis(20));
    assert_eq!(stall_backoff(5), Duration::from_millis(160));
    assert_eq!(stall_backoff(10), STALL_RETRY_MAX);
    assert_eq!(stall_backoff(u32::MAX), STALL_RETRY_MAX);
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn a_damaged_safety_state_refuses_to_start_naming_the_file_and_the_procedure() {
    let h = harness();
    let store = MemStore::default();
    *store.bytes.lock().unwrap() = Some(b"TAMGASF\0\x01".to_vec());
    let rec = Arc::new(Recorder { store: store.clone(), sent: Mutex::new(vec![]), unpersisted: AtomicU32::new(0) });
    let (d, _, _) = deps(&h, store, rec);
    let e = Driver::new(h.key.clone(), cfg(), d).err().expect("refused");
    let text = e.to_string();
    assert!(matches!(e, DriverError::Safety(SafetyFileError::Corrupt { .. })), "{text}");
    assert!(text.contains("mem/safety.bin") && text.contains("docs/operations.md"), "{text}");
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn commits_and_never_sends_an_unpersisted_signature() {
    let h = harness();
    let store = MemStore::default();
    let rec = Arc::new(Recorder { store: store.clone(), sent: Mutex::new(vec![]), unpersisted: AtomicU32::new(0) });
    let (d, _, _) = deps(&h, store.clone(), rec.clone());
    let driver = Driver::new(h.key.clone(), cfg(), d).unwrap();
    assert!(run_for(driver, 10).await);
    assert!(h.ledger.height().unwrap() >= 3, "height {}", h.ledger.height().unwrap());
    assert!(!rec.sent.lock().unwrap().is_empty());
    assert_eq!(rec.unpersisted.load(Ordering::SeqCst), 0);
    // The persisted state is for the last committed height (its commit
    // came after its last signature) or the next one.
    let s = store.clone().load().unwrap().unwrap();
    let l = h.ledger.height().unwrap();
    assert!(s.height == l || s.height == l + 1, "safety height {} at ledger height {l}", s.height);
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn a_failed_safety_write_stalls_retries_raises_an_event_and_resumes() {
    let h = harness();
    let store = MemStore::default();
    store.fail.store(6, Ordering::SeqCst);
    let rec = Arc::new(Recorder { store: store.clone(), sent: Mutex::new(vec![]), unpersisted: AtomicU32::new(0) });
    let (d, metrics, security) = deps(&h, store.clone(), rec.clone());
    let driver = Driver::new(h.key.clone(), cfg(), d).unwrap();
    assert!(run_for(driver, 10).await, "the driver never exits for a failed write");
    assert_eq!(store.fail.load(Ordering::SeqCst), 0, "every injected failure was met");
    assert!(h.ledger.height().unwrap() >= 2, "resumed and committed");
    assert_eq!(rec.unpersisted.load(Ordering::SeqCst), 0, "no signature left before it was written");
    assert_eq!(metrics.safety_persist_failures.get(), 6);
    assert_eq!(metrics.safety_persist_stalled.get(), 0, "no longer stalled");
    let kinds = ["safety_persist_failed".to_string()];
    // One record when the stall begins, one per doubling of the attempts
    // (1, 2, 4 of the 6 failures): bounded, and the count is visible.
    let page = security.page(0, 10, Some(&kinds));
    let attempts: Vec<u64> = page
        .iter()
        .filter_map(|r| match &r.event {
            crate::security::SecurityEvent::SafetyPersistFailed { attempts, .. } => Some(*attempts),
            _ => None,
        })
        .collect();
    assert_eq!(attempts, vec![1, 2, 4], "{page:?}");
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn a_safety_write_that_keeps_failing_stops_voting_but_not_the_node() {
    let h = harness();
    let store = MemStore::default();
    store.fail.store(u32::MAX, Ordering::SeqCst);
    let rec = Arc::new(Recorder { store: store.clone(), sent: Mutex::new(vec![]), unpersisted: AtomicU32::new(0) });
    let (d, metrics, _) = deps(&h, store.clone(), rec.clone());
    let driver = Driver::new(h.key.clone(), cfg(), d).unwrap();
    assert!(run_for(driver, 30).await, "still running after 30 s of failed writes");
    assert!(rec.sent.lock().unwrap().is_empty(), "nothing signed left the node");
    assert_eq!(h.ledger.height().unwrap(), 0);
    assert_eq!(metrics.safety_persist_stalled.get(), 1);
    // Backoff: 10 ms doubling to 5 s, so about a dozen tries in 30 s, not thousands.
    let tries = store.attempts.load(Ordering::SeqCst);
    assert!((8..=20).contains(&tries), "{tries} tries in 30 s");
}

fn double_vote(key: &SigningKey, chain: &str, height: Height, round: Round) -> Evidence {
    let vote = |b: u8| {
        let data =
            tamga_types::VoteData { kind: tamga_types::VoteKind::Prevote, height, round, block_hash: Hash([b; 32]) };
        tamga_types::Vote::sign(key, chain, data)
    };
    Evidence::DoubleVote(tamga_types::DoubleVote { a: vote(1), b: vote(2) })
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn the_evidence_pool_is_bounded_and_gives_up_its_oldest_entries() {
    let h = harness();
    let rec =
        Arc::new(Recorder { store: MemStore::default(), sent: Mutex::new(vec![]), unpersisted: AtomicU32::new(0) });
    let (d, _, _) = deps(&h, MemStore::default(), rec);
    let mut driver = Driver::new(h.key.clone(), cfg(), d).unwrap();
    let validators = h.ledger.validators_at(1).unwrap();
    driver.feed(Input::StartHeight { height: 1, validators }).await.unwrap();
    let chain = h.ledger.chain_id().unwrap();
    let k = &h.key;
    for round in 0..EVIDENCE_POOL_MAX as Round {
        assert!(driver.pool_evidence(double_vote(k, &chain, 0, round)));
    }
    assert_eq!(driver.evidence_pool.len(), EVIDENCE_POOL_MAX);
    assert!(!driver.pool_evidence(double_vote(k, &chain, 0, 0)), "already pooled");
    assert!(!driver.pool_evidence(double_vote(k, &chain, 0, 9_999)), "no older entry to give up for it");
    assert!(!driver.pool_evidence(double_vote(k, &chain, 2, 0)), "a height not reached yet");
    assert!(driver.pool_evidence(double_vote(k, &chain, 1, 0)), "newer evidence replaces the oldest");
    assert_eq!(driver.evidence_pool.len(), EVIDENCE_POOL_MAX, "the bound holds");
    assert!(driver.evidence_pool.iter().any(|e| e.height() == 1));
    // Gossiped evidence about a key that never validated is not pooled.
    let stranger = SigningKey::from_seed([77; 32]);
    assert!(!driver.offender_was_validator(&double_vote(&stranger, &chain, 1, 0)));
    assert!(driver.offender_was_validator(&double_vote(k, &chain, 1, 0)));
}
