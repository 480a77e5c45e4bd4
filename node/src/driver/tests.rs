//! Unit tests of the driver's host logic: start-up over the safety state,
//! the stall on a failed safety write, persist-before-send, block sync (when
//! to ask, what to apply, a failed request). A one-validator chain on a real
//! ledger, under tokio's paused clock with the inline executor (the
//! simulator's seams).

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;

use futures::future::BoxFuture;
use tamga_consensus::Message;
use tamga_types::SigningKey;

use super::*;
use crate::mempool::MempoolLimits;
use crate::network::testchain::TestChain;
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
                Message::Proposal(p) => s.signed_proposals.contains(&p.signed_data()),
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

/// A transport that records the sync requests (when, and from which height).
#[derive(Default)]
struct SyncLog {
    asked: Mutex<Vec<(Instant, Height)>>,
    allowed: Mutex<Vec<Vec<PublicKey>>>,
}

impl SyncLog {
    fn asked(&self) -> Vec<(Instant, Height)> {
        self.asked.lock().unwrap().clone()
    }
}

impl Transport for SyncLog {
    fn publish(&self, _wire: ConsensusWire) -> BoxFuture<'_, ()> {
        Box::pin(async {})
    }
    fn sync(&self, from: Height) -> BoxFuture<'_, ()> {
        self.asked.lock().unwrap().push((Instant::now(), from));
        Box::pin(async {})
    }
    fn set_allowed(&self, keys: Vec<PublicKey>) -> BoxFuture<'_, ()> {
        self.allowed.lock().unwrap().push(keys);
        Box::pin(async {})
    }
}

/// A node that validates nothing, at genesis of `c`'s chain: it can only
/// move on by sync. Its driver, its transport, the sender of its network
/// events and its status.
struct Follower {
    h: Harness,
    driver: Driver,
    net: Arc<SyncLog>,
    events: mpsc::Sender<NetEvent>,
    status: watch::Receiver<NodeStatus>,
}

fn follower(c: &mut TestChain) -> Follower {
    follower_with(c, vec![])
}

fn follower_with(c: &mut TestChain, observers: Vec<PublicKey>) -> Follower {
    let dir = tempfile::tempdir().unwrap();
    let h = Harness {
        key: SigningKey::from_seed([42; 32]),
        ledger: c.fresh_ledger(),
        home: Home::new(dir.path()),
        _dir: dir,
    };
    let net = Arc::new(SyncLog::default());
    let (mut d, _, _) = deps(&h, MemStore::default(), net.clone());
    let (events, rx) = mpsc::channel(16);
    d.events = rx;
    d.observers = observers;
    let status = d.status.subscribe();
    let driver = Driver::new(h.key.clone(), cfg(), d).unwrap();
    Follower { h, driver, net, events, status }
}

/// An answer of the chain's one validator.
fn answer(c: &TestChain, height: Height, blocks: Vec<tamga_types::CertifiedBlock>) -> NetEvent {
    NetEvent::SyncBlocks { peer: c.key.public(), height, blocks }
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn without_a_commit_the_driver_asks_a_peer_for_blocks_every_two_seconds_once_it_has_one() {
    let mut c = TestChain::new(0);
    let f = follower(&mut c);
    let t0 = Instant::now();
    let task = tokio::spawn(f.driver.run(tokio::time::sleep(Duration::from_secs(12))));
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert!(f.net.asked().is_empty(), "no peer connected: nobody to ask");
    f.events.send(NetEvent::Peers(1)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(6_500)).await;
    task.await.unwrap().unwrap();
    let asked = f.net.asked();
    // No commit for more than timeout_propose_ms (3 s) and a peer: asked at
    // the next check (once a second), then every 2 s, never more often.
    let first = asked[0].0 - t0;
    assert!(first >= Duration::from_secs(5) && first <= Duration::from_secs(6), "first request after {first:?}");
    for pair in asked.windows(2) {
        assert_eq!(pair[1].0 - pair[0].0, Duration::from_secs(2), "{asked:?}");
    }
    assert!(asked.len() >= 3, "{asked:?}");
    assert!(asked.iter().all(|(_, from)| *from == 1), "asks from the height it decides: {asked:?}");
    assert!(f.status.borrow().syncing);
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn synced_blocks_are_applied_only_in_order_and_only_with_a_certificate_that_verifies() {
    let mut c = TestChain::new(6);
    let f = follower(&mut c);
    let task = tokio::spawn(f.driver.run(tokio::time::sleep(Duration::from_secs(2))));
    let settle = || tokio::time::sleep(Duration::from_millis(20));
    f.events.send(NetEvent::Peers(1)).await.unwrap();

    // Blocks that do not follow the tip (3..6 at height 0): none is applied.
    f.events.send(answer(&c, 6, c.blocks(3, 6))).await.unwrap();
    settle().await;
    assert_eq!(f.h.ledger.height().unwrap(), 0);

    // Block 1 with the certificate of block 2, or with a forged signature: not applied.
    let mut wrong = c.blocks(1, 2);
    wrong[0].certificate = wrong[1].certificate.clone();
    let mut forged = c.blocks(1, 1);
    forged[0].certificate.signatures =
        tamga_types::codec::BoundedVec::new(vec![(0, tamga_types::Signature([7; 64]))]).unwrap();
    f.events.send(answer(&c, 6, vec![wrong[0].clone()])).await.unwrap();
    f.events.send(answer(&c, 6, forged)).await.unwrap();
    settle().await;
    assert_eq!(f.h.ledger.height().unwrap(), 0, "no block without a certificate that verifies");

    // The real blocks are applied in order; the peer has more, so the driver asks on from 5.
    let before = f.net.asked().len();
    f.events.send(answer(&c, 6, c.blocks(1, 4))).await.unwrap();
    settle().await;
    assert_eq!(f.h.ledger.height().unwrap(), 4);
    assert_eq!(f.net.asked()[before..].iter().map(|(_, from)| *from).collect::<Vec<_>>(), [5]);
    assert!(f.status.borrow().syncing);

    // The last ones the peer had: the chain may have moved on meanwhile, so
    // the driver asks once more, from 7.
    let before = f.net.asked().len();
    f.events.send(answer(&c, 6, c.blocks(5, 6))).await.unwrap();
    settle().await;
    assert_eq!(f.h.ledger.height().unwrap(), 6);
    assert_eq!(f.net.asked()[before..].iter().map(|(_, from)| *from).collect::<Vec<_>>(), [7]);
    assert!(f.status.borrow().syncing);

    // An answer with nothing new: caught up, nothing more to ask.
    let before = f.net.asked().len();
    f.events.send(answer(&c, 6, vec![])).await.unwrap();
    settle().await;
    assert_eq!(f.net.asked().len(), before, "nothing more to ask for");
    assert!(!f.status.borrow().syncing);
    for h in 1..=6 {
        assert_eq!(f.h.ledger.block(h).unwrap(), c.ledger.block(h).unwrap(), "height {h}");
    }
    task.await.unwrap().unwrap();
}

/// A follower more than the relay's height window behind hears no consensus
/// message (they are ignored as outside the window), so only the answers
/// tell it the chain moved on: it keeps asking while an answer brings new
/// blocks, even when each answer ends at the peer's height of the moment,
/// and stops at the first answer with nothing new.
#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn a_follower_keeps_asking_while_the_chain_moves_on_during_each_answer() {
    let mut c = TestChain::new(4);
    let f = follower(&mut c);
    let task = tokio::spawn(f.driver.run(tokio::time::sleep(Duration::from_secs(2))));
    let settle = || tokio::time::sleep(Duration::from_millis(20));
    f.events.send(NetEvent::Peers(1)).await.unwrap();

    // Everything the peer had when it answered (up to 4); meanwhile the chain
    // committed 5..7.
    let before = f.net.asked().len();
    f.events.send(answer(&c, 4, c.blocks(1, 4))).await.unwrap();
    c.extend(3);
    settle().await;
    assert_eq!(f.h.ledger.height().unwrap(), 4);
    assert_eq!(f.net.asked()[before..].iter().map(|(_, from)| *from).collect::<Vec<_>>(), [5]);

    let before = f.net.asked().len();
    f.events.send(answer(&c, 7, c.blocks(5, 7))).await.unwrap();
    settle().await;
    assert_eq!(f.h.ledger.height().unwrap(), 7);
    assert_eq!(f.net.asked()[before..].iter().map(|(_, from)| *from).collect::<Vec<_>>(), [8]);

    let before = f.net.asked().len();
    f.events.send(answer(&c, 7, vec![])).await.unwrap();
    settle().await;
    assert_eq!(f.net.asked().len(), before, "an answer with nothing new ends the sync");
    assert!(!f.status.borrow().syncing);
    task.await.unwrap().unwrap();
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn a_failed_sync_request_is_asked_again_at_the_next_check_not_at_once() {
    let mut c = TestChain::new(3);
    let f = follower(&mut c);
    let task = tokio::spawn(f.driver.run(tokio::time::sleep(Duration::from_secs(10))));
    f.events.send(NetEvent::Peers(1)).await.unwrap();
    while f.net.asked().is_empty() {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (t1, from) = f.net.asked()[0];
    assert_eq!(from, 1);
    f.events.send(NetEvent::SyncFailed { peer: c.key.public() }).await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(f.net.asked().len(), 1, "a failure is not retried at once (no request storm)");
    assert!(f.status.borrow().syncing, "still syncing");
    tokio::time::sleep_until(t1 + Duration::from_millis(2_100)).await;
    let asked = f.net.asked();
    assert_eq!(asked.len(), 2, "{asked:?}");
    assert_eq!(asked[1], (t1 + Duration::from_secs(2), 1), "the same height is asked again 2 s later");
    f.events.send(answer(&c, 3, c.blocks(1, 3))).await.unwrap();
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(f.h.ledger.height().unwrap(), 3);
    task.await.unwrap().unwrap();
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn the_driver_admits_peers_by_key_the_validators_of_its_set_and_the_observers() {
    let mut c = TestChain::new(2);
    let observer = SigningKey::from_seed([43; 32]).public();
    let f = follower_with(&mut c, vec![observer]);
    let task = tokio::spawn(f.driver.run(tokio::time::sleep(Duration::from_secs(1))));
    tokio::time::sleep(Duration::from_millis(10)).await;
    // Peers are admitted under the p2p key recorded beside the consensus key (SPEC §9).
    let validator = c.genesis.validators[0].p2p_key;
    assert_ne!(validator, c.key.public(), "the testnet gives the node a p2p key of its own");
    // At start: the validators of the height decided and of the next, and the observers.
    assert_eq!(f.net.allowed.lock().unwrap().clone(), vec![vec![validator, validator, observer]]);
    // Sync moves it on; the set is the same, so the admitted peers are not replaced.
    f.events.send(answer(&c, 2, c.blocks(1, 2))).await.unwrap();
    task.await.unwrap().unwrap();
    assert_eq!(f.h.ledger.height().unwrap(), 2);
    assert_eq!(f.net.allowed.lock().unwrap().len(), 1, "no change of set, no new admitted set");
}
