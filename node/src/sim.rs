//! The whole-node deterministic simulator (STYLE principle 16).
//!
//! N full nodes — the real [`Driver`], [`Mempool`] and [`Ledger`] on RocksDB
//! (its in-memory environment) — run in one process on one current-thread tokio
//! runtime whose clock is paused and auto-advanced: virtual time, so a run of
//! a minute of protocol time takes a fraction of that, and a run is a function
//! of its seed. Everything random (network delays, loss, duplication,
//! partitions, crashes, torn writes, transaction submission) is drawn from
//! one `StdRng` seeded by the run's seed. The driver's seams are the
//! simulator's: [`Transport`] (a simulated network between validator keys),
//! [`SafetyStore`] (an in-memory disk that can fail, tear or lose the safety
//! file), [`Blocking::Inline`] (block execution on the one thread), the
//! wall clock ([`crate::Clock`], skewed per node) and the state crate's
//! storage-fault seam (failed reads and writes: [`faults`]); the long
//! absence of one validator is staged by [`absence`].
//!
//! What a node keeps across a crash: its ledger (every `Ledger::commit` is
//! one synced RocksDB batch, so a crash keeps exactly the committed blocks;
//! the simulator keeps the `Ledger` open across the crash, which is that same
//! state) and its safety "disk". It loses its mempool and everything in
//! flight. A crash can happen at any instant between two scheduler steps,
//! right after a safety write and before anything else leaves (the transport
//! drops everything once the node is marked dead), or inside a safety write
//! (the file is cut short: a torn write).
//!
//! Invariants, checked on every message and every scheduler step, and at the
//! end of a run: see [`Violation`]. A failure panics with the seed, the
//! violation and the last lines of the trace; `TAMGA_NODE_SIM_SEED=S` replays
//! one seed exactly and `TAMGA_NODE_SIM_SEEDS=N` runs N seeds.
//!
//! Scenarios and budgets: node/README.md ("Whole-node simulation").

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use futures::future::BoxFuture;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use tamga_consensus::{Message, Value};
use tamga_state::Ledger;
use tamga_types::views::NodeStatus;
use tamga_types::{ChainId, Hash, Height, PublicKey, SigningKey, Transaction};
use tokio::sync::{broadcast, mpsc, oneshot, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::config::ConsensusConfig;
use crate::driver::{Blocking, Driver, DriverDeps, DriverError, LedgerChain, StorageRetry, Transport};
use crate::home::Home;
use crate::mempool::{Mempool, MempoolLimits};
use crate::metrics::Metrics;
use crate::network::{serve_sync, ConsensusWire, NetEvent, SyncBudget, SyncRequest};
use crate::safety::{self, Safety, SafetyFileError, SafetyStore};
use crate::security::SecurityLog;

/// What a run does; [`Scenario::plan`] draws one from a seed.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The seed.
    pub seed: u64,
    /// Validators.
    pub validators: usize,
    /// Their voting powers, in validator order; empty: equal power (10 each).
    pub powers: Vec<u64>,
    /// Probability a message copy is lost, before GST.
    pub loss: f64,
    /// Probability a message is delivered twice.
    pub duplicate: f64,
    /// Largest one-way delay before GST (ms); after GST every delay is at most
    /// [`DELTA_MS`].
    pub max_delay_ms: u64,
    /// Partitions before GST (a random split, healed after a while).
    pub partitions: bool,
    /// Crashes (at most one validator down at a time, so f = 1 of 4 holds).
    pub crashes: bool,
    /// Of crashes, the share that tears the safety file mid-write.
    pub torn_writes: bool,
    /// Of crashes, the share that lose the safety file (a wiped `data/safety.bin`).
    pub lost_files: bool,
    /// Failed safety writes (disk full, no handle): the driver stalls and retries.
    pub failing_writes: bool,
    /// The pre-fix start-up: a damaged safety file is read as "nothing
    /// signed" (what `Driver::new` did with `.ok()`) and believed on any
    /// home. Only to show that the simulator finds that bug; never a
    /// production behaviour.
    pub fail_open: bool,
    /// Transactions submitted (each through a node's mempool admission).
    pub txs: usize,
    /// A crashed node restarts after this many ms (uniform in the range).
    pub restart_ms: (u64, u64),
    /// Global stabilisation time: faults stop, partitions heal, crashed nodes restart.
    pub gst: Duration,
    /// Byzantine validators and what they do (`byzantine.rs`); `None`: all honest.
    pub byzantine: Option<byzantine::Setup>,
    /// Heights every live node must gain after GST …
    pub liveness_heights: Height,
    /// … within this much virtual time.
    pub liveness_bound: Duration,
    /// Injected RocksDB read failures (a failing disk) and batch-write
    /// failures (a full disk) before GST ([`faults`]).
    pub storage_faults: bool,
    /// The pre-fix validation: a storage failure read as an invalid block
    /// (a nil prevote). Only to show that the simulator finds that bug.
    pub storage_as_invalid: bool,
    /// Largest wall-clock offset of a node (ms): each node's clock is off by
    /// an amount drawn uniformly in ± this, for the whole run.
    pub clock_skew_ms: u64,
    /// Every proposer is honest, so every proposal is valid for every honest
    /// node: a verdict "invalid" is the judging node's own fault
    /// ([`Violation::NilPrevoteOnValidProposal`]).
    pub valid_proposals: bool,
    /// The long-absence stages ([`absence`]); GST comes when they are done.
    pub absence: bool,
    /// Validator-set changes during the run ([`setchange`]); `None`: a fixed set.
    pub setchange: Option<setchange::Setup>,
}

/// Delay bound after GST (ms).
pub const DELTA_MS: u64 = 50;

/// The named scenarios.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scenario {
    /// Loss, delay, reordering, duplication, partitions, crashes (plain,
    /// after a safety write, torn writes, lost files), failing safety
    /// writes; all drawn from the seed.
    Mixed,
    /// Crashes inside the safety write only: the torn file must stop the node.
    TornWrites,
    /// `TornWrites` with the pre-fix fail-open reader: must find a double sign.
    TornWritesFailOpen,
    /// RocksDB read and write failures ([`faults`]).
    StorageFaults,
    /// `StorageFaults` with the pre-fix validation (storage failure read as
    /// an invalid block): must find a nil prevote on a valid proposal.
    StorageFaultsAsInvalid,
    /// Per-node wall-clock offsets within the documented bound ([`faults`]).
    ClockSkew,
    /// Offsets past the bound: a slow node must refuse a fast proposer's
    /// blocks (a nil prevote the check flags, showing that the skew bites).
    ClockSkewBeyondBound,
    /// A validator away for more than 16 rounds and three sync batches ([`absence`]).
    LongAbsence,
    /// `Mixed` with unequal voting power (40/30/20/10 in a seeded order):
    /// the largest validator alone is more than a third, so no certificate
    /// forms without it, and any two of the others with it do.
    UnequalPower,
    /// `Mixed` on five nodes while the validator set changes: the fifth
    /// node's key is added, an original validator removed, another's power
    /// lowered ([`setchange`]).
    ValidatorSetChanges,
}

impl Scenario {
    /// The run of `seed`.
    pub fn plan(self, seed: u64) -> Plan {
        let mut r = StdRng::seed_from_u64(seed ^ 0x5eed_7a3a);
        let base = Plan {
            seed,
            validators: 4,
            powers: Vec::new(),
            loss: 0.0,
            duplicate: 0.0,
            max_delay_ms: DELTA_MS,
            partitions: false,
            crashes: true,
            torn_writes: false,
            lost_files: false,
            failing_writes: false,
            fail_open: false,
            byzantine: None,
            txs: 20,
            restart_ms: (500, 4000),
            gst: Duration::from_secs(20),
            liveness_heights: 3,
            liveness_bound: Duration::from_secs(60),
            storage_faults: false,
            storage_as_invalid: false,
            clock_skew_ms: 0,
            valid_proposals: false,
            absence: false,
            setchange: None,
        };
        match self {
            Scenario::UnequalPower => {
                let mut powers = vec![40, 30, 20, 10];
                powers.shuffle(&mut r);
                // No lost or torn safety files: a validator that lost its
                // file waits until the chain commits its height without it,
                // and one with a torn file does not start until an operator
                // acts (driver docs, docs/operations.md); the others cannot
                // commit without the one holding 40.
                Plan { powers, lost_files: false, torn_writes: false, ..Scenario::Mixed.plan(seed) }
            }
            Scenario::Mixed => Plan {
                loss: r.gen_range(0.0..0.15),
                duplicate: r.gen_range(0.0..0.1),
                max_delay_ms: r.gen_range(DELTA_MS..1500),
                partitions: r.gen_bool(0.5),
                torn_writes: r.gen_bool(0.3),
                lost_files: r.gen_bool(0.3),
                failing_writes: r.gen_bool(0.3),
                ..base
            },
            // Quick restarts and slower heights: the node comes back while
            // the others are still at the height of its torn write.
            Scenario::TornWrites => Plan { torn_writes: true, restart_ms: (20, 300), max_delay_ms: 400, ..base },
            Scenario::TornWritesFailOpen => {
                Plan { torn_writes: true, fail_open: true, restart_ms: (20, 300), max_delay_ms: 400, ..base }
            }
            Scenario::ValidatorSetChanges => setchange::plan(base, &mut r),
            other => faults::plan(other, base, &mut r),
        }
    }
}

/// A broken invariant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Violation {
    /// An honest validator signed two different messages for one (height, round, step).
    DoubleSign {
        /// Validator.
        validator: usize,
        /// Height.
        height: Height,
        /// Round.
        round: u32,
        /// `proposal`, `prevote` or `precommit`.
        step: &'static str,
    },
    /// Two nodes committed different blocks at a height.
    Disagreement {
        /// Height.
        height: Height,
    },
    /// Two nodes at one height hold different state roots.
    StateRoots {
        /// Height.
        height: Height,
    },
    /// A committed block's certificate does not hold > 2/3 of its set.
    Certificate {
        /// Node.
        node: usize,
        /// Height.
        height: Height,
        /// The verifier's reason.
        why: String,
    },
    /// A transaction seen committed is missing from a node past its height.
    LostTx {
        /// Node.
        node: usize,
        /// Transaction.
        tx: Hash,
    },
    /// A node restarted over a damaged safety file instead of stopping.
    StartedOverDamagedSafety {
        /// Node.
        node: usize,
    },
    /// A driver stopped by itself (a fatal error) during the run.
    DriverStopped {
        /// Node.
        node: usize,
        /// Its result.
        why: String,
    },
    /// An invariant about Byzantine validators broke (`byzantine.rs`).
    Byzantine(byzantine::Broken),
    /// An honest node prevoted nil right after judging a valid proposal
    /// invalid (a storage failure taken for a verdict on the block).
    NilPrevoteOnValidProposal {
        /// Validator.
        validator: usize,
        /// Height.
        height: Height,
        /// Round.
        round: u32,
    },
    /// A node stopped on storage without a `storage_fault` security event.
    StorageStopUnrecorded {
        /// Node.
        node: usize,
    },
    /// A node stopped on storage without retrying first.
    StorageNotRetried {
        /// Node.
        node: usize,
        /// Injected faults raised to it since the injection.
        raised: u64,
    },
    /// A block the node acknowledged as committed is missing or different.
    LostBlock {
        /// Node.
        node: usize,
        /// Height.
        height: Height,
    },
    /// An invariant about validator-set changes broke (`setchange.rs`).
    SetChange(setchange::Broken),
    /// The long-absence stages did not happen within their time limit.
    AbsenceNotStaged {
        /// The stage reached.
        stage: u8,
    },
    /// After GST the live nodes did not gain the promised heights in time.
    Liveness {
        /// Heights at GST.
        at_gst: Vec<Height>,
        /// Heights at the bound.
        at_bound: Vec<Height>,
    },
}

/// The outcome of a run.
#[derive(Debug)]
pub struct Outcome {
    /// The plan run.
    pub plan: Plan,
    /// Every violation, first first.
    pub violations: Vec<Violation>,
    /// The last lines of the trace: those before the first violation, if any.
    pub trace: Vec<String>,
    /// Final heights.
    pub heights: Vec<Height>,
    /// Crashes, torn writes, lost files, refused starts, failed writes.
    pub stats: Stats,
    /// What the Byzantine validators did, if any.
    pub byzantine: Option<byzantine::Report>,
}

/// Counters of what happened in a run.
#[derive(Debug, Default, Clone)]
pub struct Stats {
    /// Messages sent by nodes.
    pub sent: u64,
    /// Crashes.
    pub crashes: u32,
    /// Torn safety writes.
    pub torn: u32,
    /// Safety files lost.
    pub lost: u32,
    /// Starts refused over a damaged safety file.
    pub refused: u32,
    /// Injected failed safety writes.
    pub failed_writes: u32,
    /// Transactions seen committed.
    pub committed_txs: usize,
    /// Injected storage faults (read and write injections).
    pub storage_injections: u32,
    /// Injected storage faults raised to a node.
    pub storage_raised: u64,
    /// Nodes stopped by a storage failure (after the retries).
    pub storage_stops: u32,
    /// Of those, stops while validating or building a block (`DriverError::Storage`).
    pub storage_stops_validating: u32,
    /// Blocks acknowledged as committed by the nodes.
    pub acked: u64,
    /// The highest round each node signed a message of.
    pub rounds: Vec<u32>,
    /// Certificates checked, by number of signers (index = signers).
    pub certificate_signers: Vec<u32>,
    /// Votes forged with a removed validator's key ([`setchange`]).
    pub forged_votes: u64,
    /// Crashes of an added validator before its first signature ([`setchange`]).
    pub joining_crashes: u32,
    /// Certificates (one per node and height) signed by an added validator.
    pub added_certificates: u32,
}

const TRACE_LINES: usize = 60;

/// Shared state of the simulated world (one thread; the mutex only
/// satisfies `Send`).
struct World {
    rng: StdRng,
    plan: Plan,
    start: Instant,
    keys: Vec<PublicKey>,
    /// Partition group of each node (`None`: no partition).
    groups: Option<Vec<u8>>,
    gst_passed: bool,
    /// Per node: the live incarnation's events sender and death flag.
    ports: Vec<Option<Port>>,
    ledgers: Vec<Arc<Ledger>>,
    /// (signer, height, round, step) -> what it signed.
    signed: HashMap<(usize, Height, u32, u8), Hash>,
    violations: Vec<Violation>,
    trace: VecDeque<String>,
    stats: Stats,
    /// The Byzantine validators' side of the run, if any.
    adversary: Option<byzantine::Adversary>,
    /// Every proposal is lost ([`absence`]).
    drop_proposals: bool,
    /// Nodes whose messages never arrive ([`absence`]).
    silent: Vec<bool>,
    /// Highest (height, round) each node signed a message of.
    sent_at: Vec<(Height, u32)>,
    /// Block id of each height, as the first node checked there held it.
    agreed: HashMap<Height, Hash>,
    /// Heights up to which each node's blocks were compared with `agreed`.
    agreed_upto: Vec<Height>,
    /// Reads to fail right after the next proposal reaches each node ([`faults`]).
    armed_reads: Vec<u64>,
    /// The trace when the first violation was found.
    first_trace: Option<Vec<String>>,
}

#[derive(Clone)]
struct Port {
    events: mpsc::Sender<NetEvent>,
    dead: Arc<AtomicBool>,
}

impl World {
    fn note(&mut self, line: String) {
        let t = self.start.elapsed().as_millis();
        if self.trace.len() == TRACE_LINES {
            self.trace.pop_front();
        }
        self.trace.push_back(format!("t={t}ms {line}"));
    }

    fn violate(&mut self, v: Violation) {
        self.note(format!("VIOLATION {v:?}"));
        self.violations.push(v);
        if self.first_trace.is_none() {
            self.first_trace = Some(self.trace.iter().cloned().collect());
        }
    }

    fn linked(&self, a: usize, b: usize) -> bool {
        self.groups.as_ref().is_none_or(|g| g[a] == g[b])
    }

    fn delay(&mut self) -> Duration {
        let max = if self.gst_passed { DELTA_MS } else { self.plan.max_delay_ms };
        Duration::from_millis(self.rng.gen_range(1..=max))
    }

    fn lost(&mut self) -> bool {
        !self.gst_passed && self.rng.gen_bool(self.plan.loss)
    }

    fn index_of(&self, key: &PublicKey) -> Option<usize> {
        self.keys.iter().position(|k| k == key)
    }

    /// The double-sign check of one message a node sends.
    fn check_signed(&mut self, msg: &Message<tamga_types::Block>) {
        let (signer, h, r, step, what) = match msg {
            Message::Proposal(p) => (p.proposer, p.height, p.round, 0u8, p.value.id()),
            Message::Vote(v) => {
                let step = match v.data.kind {
                    tamga_types::VoteKind::Prevote => 1,
                    tamga_types::VoteKind::Precommit => 2,
                };
                (v.validator, v.data.height, v.data.round, step, v.data.block_hash)
            }
        };
        let Some(i) = self.index_of(&signer) else { return };
        match self.signed.get(&(i, h, r, step)) {
            Some(prev) if *prev != what => {
                let step = ["proposal", "prevote", "precommit"][step as usize];
                self.violate(Violation::DoubleSign { validator: i, height: h, round: r, step });
            }
            Some(_) => {}
            None => {
                self.signed.insert((i, h, r, step), what);
            }
        }
    }
}

type Shared = Arc<Mutex<World>>;

fn lock(w: &Shared) -> MutexGuard<'_, World> {
    w.lock().unwrap_or_else(|p| p.into_inner())
}

/// Delivers `ev` to node `to` after `delay`, if it is alive and linked then.
fn deliver(world: &Shared, from: usize, to: usize, delay: Duration, ev: NetEvent) {
    let world = world.clone();
    tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        let (port, watched) = {
            let mut w = lock(&world);
            if !w.linked(from, to) {
                return;
            }
            if w.ports[to].as_ref().is_some_and(|p| !p.dead.load(Ordering::SeqCst)) {
                w.arm_on_delivery(to, &ev);
            }
            (w.ports[to].clone(), w.adversary.is_some())
        };
        if let Some(p) = port {
            if !p.dead.load(Ordering::SeqCst) {
                let seen = if watched { byzantine::Seen::of(&ev) } else { None };
                // A full queue drops, as a slow peer would.
                if p.events.try_send(ev).is_ok() {
                    if let Some(seen) = seen {
                        byzantine::received(&world, to, seen);
                    }
                }
            }
        }
    });
}

/// The simulated network as one node's driver sees it.
struct SimTransport {
    me: usize,
    world: Shared,
    dead: Arc<AtomicBool>,
    metrics: Arc<Metrics>,
    /// `proposals_invalid` when this node last sent a message.
    invalid_seen: std::sync::atomic::AtomicU64,
}

impl Transport for SimTransport {
    fn publish(&self, wire: ConsensusWire) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            if self.dead.load(Ordering::SeqCst) {
                return; // crashed: nothing leaves after the crash point
            }
            let mut w = lock(&self.world);
            w.stats.sent += 1;
            if byzantine::intercept(&mut w, &self.world, self.me, &wire) {
                return; // a Byzantine node: the adversary sent what it wanted
            }
            if let ConsensusWire::Consensus(m) = &wire {
                w.check_signed(m);
                w.check_nil_prevote(self.me, m, &self.metrics, &self.invalid_seen);
                w.note_round(self.me, m);
                if w.muted(self.me, m) {
                    return;
                }
                let what = match m {
                    Message::Proposal(p) => format!("proposal h{} r{} {}", p.height, p.round, p.value.id()),
                    Message::Vote(v) => {
                        format!("{:?} h{} r{} {}", v.data.kind, v.data.height, v.data.round, v.data.block_hash)
                    }
                };
                let signer = match m {
                    Message::Proposal(p) => w.index_of(&p.proposer),
                    Message::Vote(v) => w.index_of(&v.validator),
                };
                w.note(format!("n{} sends {what} (signed by n{signer:?})", self.me));
            }
            for to in 0..w.keys.len() {
                if to == self.me || w.lost() {
                    continue;
                }
                let dup = w.plan.duplicate;
                let copies = if w.rng.gen_bool(dup) { 2 } else { 1 };
                for _ in 0..copies {
                    let d = w.delay();
                    deliver(&self.world, self.me, to, d, NetEvent::Consensus(Box::new(wire.clone())));
                }
            }
        })
    }

    fn sync(&self, from: Height) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            if self.dead.load(Ordering::SeqCst) {
                return;
            }
            let (peer, there, back) = {
                let mut w = lock(&self.world);
                let n = w.keys.len();
                let candidates: Vec<usize> = (0..n).filter(|&j| j != self.me && w.linked(self.me, j)).collect();
                if candidates.is_empty() {
                    return;
                }
                let peer = candidates[w.rng.gen_range(0..candidates.len())];
                if w.lost() {
                    return;
                }
                (peer, w.delay(), w.delay())
            };
            let world = self.world.clone();
            let me = self.me;
            tokio::spawn(async move {
                tokio::time::sleep(there).await;
                let (ledger, key) = {
                    let w = lock(&world);
                    if w.ports[peer].is_none() {
                        return; // the peer is down
                    }
                    (w.ledgers[peer].clone(), w.keys[peer])
                };
                let resp = serve_sync(&ledger, &SyncRequest { from, max: u32::MAX }, SyncBudget::default());
                let ev = NetEvent::SyncBlocks { peer: key, height: resp.height, blocks: resp.blocks };
                deliver(&world, peer, me, back, ev);
            });
        })
    }

    fn set_allowed(&self, _keys: Vec<PublicKey>) -> BoxFuture<'_, ()> {
        // Every simulated node is a validator of a fixed set.
        Box::pin(async {})
    }
}

/// What the next safety write of a node does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum WriteFault {
    None,
    /// The write fails (ENOSPC, EMFILE); nothing changes on disk.
    Fail(u32),
    /// The write completes, then the node dies before anything else leaves.
    CrashAfter,
    /// The node dies inside the write: the file is cut short.
    Tear,
}

/// A node's safety "disk": survives crashes.
struct Disk {
    bytes: Option<Vec<u8>>,
    fault: WriteFault,
    rng: StdRng,
}

/// The in-memory [`SafetyStore`] of one incarnation.
struct SimSafetyStore {
    disk: Arc<Mutex<Disk>>,
    dead: Arc<AtomicBool>,
    fail_open: bool,
    path: PathBuf,
    world: Shared,
    me: usize,
}

impl SafetyStore for SimSafetyStore {
    fn load(&mut self) -> Result<Option<Safety>, SafetyFileError> {
        let d = self.disk.lock().unwrap_or_else(|p| p.into_inner());
        let Some(bytes) = &d.bytes else { return Ok(None) };
        match safety::decode(bytes) {
            Ok(s) => Ok(Some(s)),
            // The pre-fix behaviour: `.ok()` — damaged means "nothing signed".
            Err(_) if self.fail_open => Ok(None),
            Err(why) => Err(SafetyFileError::Corrupt { path: self.path.display().to_string(), why }),
        }
    }

    fn store(&mut self, state: &Safety) -> std::io::Result<()> {
        if self.dead.load(Ordering::SeqCst) {
            // The process is gone: nothing more reaches the disk. (The dead
            // driver runs on until the scheduler's next step aborts it; its
            // messages are dropped by the transport.)
            return Ok(());
        }
        let mut d = self.disk.lock().unwrap_or_else(|p| p.into_inner());
        match d.fault {
            WriteFault::None => {
                d.bytes = Some(safety::encode(state));
            }
            WriteFault::Fail(n) => {
                d.fault = if n > 1 { WriteFault::Fail(n - 1) } else { WriteFault::None };
                lock(&self.world).stats.failed_writes += 1;
                return Err(std::io::Error::other("injected: no space left on device"));
            }
            WriteFault::CrashAfter => {
                d.fault = WriteFault::None;
                d.bytes = Some(safety::encode(state));
                self.dead.store(true, Ordering::SeqCst);
                lock(&self.world).note(format!("n{} crashes right after a safety write", self.me));
            }
            WriteFault::Tear => {
                d.fault = WriteFault::None;
                let full = safety::encode(state);
                let cut = d.rng.gen_range(0..full.len());
                d.bytes = Some(full[..cut].to_vec());
                self.dead.store(true, Ordering::SeqCst);
                let mut w = lock(&self.world);
                w.stats.torn += 1;
                w.note(format!("n{} crashes inside a safety write: {cut} of {} bytes", self.me, full.len()));
            }
        }
        Ok(())
    }

    fn path(&self) -> &std::path::Path {
        &self.path
    }
}

/// One node: durable parts and the running incarnation.
struct Node {
    key: SigningKey,
    dir: tempfile::TempDir,
    ledger: Arc<Ledger>,
    disk: Arc<Mutex<Disk>>,
    running: Option<Running>,
    /// Refused to start (damaged safety file): stays down.
    refused: bool,
    /// Crashed, waiting for its restart.
    down_until: Option<Instant>,
    /// Its driver was started before (the home is no longer fresh).
    started_once: bool,
    /// Its wall clock's offset (ms).
    clock_offset_ms: i64,
    /// Injected faults raised to it when the current injection was made.
    raised_at_injection: u64,
    /// Blocks it acknowledged as committed (its event stream), by height.
    acked: BTreeMap<Height, Hash>,
}

struct Running {
    dead: Arc<AtomicBool>,
    metrics: Arc<Metrics>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), DriverError>>,
    mempool: Arc<Mempool>,
    chain: Arc<LedgerChain>,
    security: SecurityLog,
    acks: broadcast::Receiver<Arc<crate::api::CommittedBlock>>,
}

fn consensus_config() -> ConsensusConfig {
    ConsensusConfig {
        timeout_propose_ms: 1000,
        timeout_prevote_ms: 500,
        timeout_precommit_ms: 500,
        timeout_delta_ms: 250,
        empty_block_wait_ms: 200,
        max_clock_drift_ms: 10_000,
        rebroadcast_ms: 1000,
    }
}

fn status(chain_id: &str, key: PublicKey) -> NodeStatus {
    NodeStatus {
        chain_id: chain_id.to_string(),
        genesis_hash: Hash::ZERO,
        node_key: key,
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
    }
}

/// Starts node `i`; `false` when its driver refused to start.
fn start_node(world: &Shared, nodes: &mut [Node], i: usize, n: usize) -> bool {
    let node = &mut nodes[i];
    let dead = Arc::new(AtomicBool::new(false));
    let metrics = Arc::new(Metrics::new());
    let chain_id = node.ledger.chain_id().unwrap_or_default();
    let mempool = Arc::new(Mempool::new(
        chain_id.clone(),
        MempoolLimits { max_txs: 10_000, max_bytes: 64 << 20, max_per_account: 64 },
    ));
    let chain = Arc::new(LedgerChain::new(node.ledger.clone()));
    let (events_tx, events_rx) = mpsc::channel(4096);
    let (fail_open, as_invalid) = {
        let w = lock(world);
        (w.plan.fail_open, w.plan.storage_as_invalid)
    };
    let store = SimSafetyStore {
        disk: node.disk.clone(),
        dead: dead.clone(),
        fail_open,
        path: node.dir.path().join("data").join("safety.bin"),
        world: world.clone(),
        me: i,
    };
    // The event stream: what the node acknowledges as committed. Deep
    // enough for a sync batch between two scheduler steps.
    let committed = broadcast::channel(1024).0;
    let acks = committed.subscribe();
    let security = SecurityLog::in_memory(node.key.public(), &metrics);
    let deps = DriverDeps {
        ledger: node.ledger.clone(),
        mempool: mempool.clone(),
        chain: chain.clone(),
        net: Arc::new(SimTransport {
            me: i,
            world: world.clone(),
            dead: dead.clone(),
            metrics: metrics.clone(),
            invalid_seen: Default::default(),
        }),
        events: events_rx,
        home: Home::new(node.dir.path()),
        metrics: metrics.clone(),
        status: watch::channel(status(&chain_id, node.key.public())).0,
        observers: Vec::new(),
        committed: committed.clone(),
        security: security.clone(),
        safety: Box::new(store),
        blocking: Blocking::Inline,
        clock: Arc::new(faults::SimClock { offset_ms: node.clock_offset_ms }),
        // The retries run inline (a real sleep on the one thread, no virtual
        // time): a millisecond keeps a run quick; the count is production's.
        storage_retry: StorageRetry { retries: StorageRetry::default().retries, backoff: Duration::from_millis(1) },
        // Only the first start of a node is on a fresh home. The pre-fix
        // code believed every unreadable file, whatever the home.
        fresh_home: !node.started_once || fail_open,
    };
    let driver = match Driver::new(node.key.clone(), consensus_config(), deps) {
        Ok(d) if as_invalid => d.with_storage_faults_as_invalid(),
        Ok(d) => d,
        Err(e) => {
            let mut w = lock(world);
            w.stats.refused += 1;
            w.note(format!("n{i} refuses to start: {e}"));
            node.refused = true;
            return false;
        }
    };
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let task = tokio::spawn(driver.run(async move {
        let _ = stop_rx.await;
    }));
    let _ = events_tx.try_send(NetEvent::Peers(n - 1));
    {
        let mut w = lock(world);
        w.ports[i] = Some(Port { events: events_tx, dead: dead.clone() });
        w.note(format!("n{i} starts at ledger height {}", node.ledger.height().unwrap_or(0)));
    }
    node.started_once = true;
    node.running = Some(Running { dead, metrics, stop: Some(stop_tx), task, mempool, chain, security, acks });
    true
}

/// Kills node `i`'s incarnation (no clean shutdown: the task is aborted).
async fn kill_node(world: &Shared, nodes: &mut [Node], i: usize, why: &str) {
    let Some(r) = nodes[i].running.take() else { return };
    r.dead.store(true, Ordering::SeqCst);
    r.task.abort();
    let _ = r.task.await;
    drop(r.stop);
    let mut w = lock(world);
    w.ports[i] = None;
    w.stats.crashes += 1;
    w.note(format!("n{i} crashes ({why})"));
}

/// Runs one plan to the end and checks every invariant.
pub fn run(plan: Plan) -> Outcome {
    let rt = match tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build() {
        Ok(rt) => rt,
        Err(e) => panic!("cannot build the simulator's runtime: {e}"),
    };
    rt.block_on(run_async(plan))
}

async fn run_async(plan: Plan) -> Outcome {
    // The wall clock of the blocks (`crate::now_ms`) follows virtual time.
    crate::sim_clock::set(Some(1_767_225_600_000 + 60_000));
    let n = plan.validators;
    let mut testnet = match tamga_genesis::testnet::generate(&tamga_genesis::TestnetOptions {
        seed: plan.seed,
        validators: n,
        participants: 8,
        ..Default::default()
    }) {
        Ok(t) => t,
        Err(e) => panic!("cannot generate the simulated network: {e}"),
    };
    if !plan.powers.is_empty() {
        assert_eq!(plan.powers.len(), n, "one power per validator");
        for (v, p) in testnet.genesis.validators.iter_mut().zip(&plan.powers) {
            v.power = *p;
        }
    }
    setchange::genesis(&plan, &mut testnet);
    let keys: Vec<PublicKey> = testnet.validators.iter().map(|v| v.key.public()).collect();
    let mut nodes = Vec::new();
    for v in &testnet.validators {
        let dir = match tempfile::tempdir() {
            Ok(d) => d,
            Err(e) => panic!("temporary directory: {e}"),
        };
        // RocksDB's in-memory environment: the same engine without fsyncs,
        // kept open across crashes (module docs).
        let ledger = match Ledger::open_in_memory() {
            Ok(l) => Arc::new(l),
            Err(e) => panic!("ledger: {e}"),
        };
        if let Err(e) = ledger.init_genesis(&testnet.genesis) {
            panic!("genesis: {e}");
        }
        let disk = Disk {
            bytes: None,
            fault: WriteFault::None,
            rng: StdRng::seed_from_u64(plan.seed.wrapping_add(nodes.len() as u64)),
        };
        nodes.push(Node {
            key: v.key.clone(),
            dir,
            ledger,
            disk: Arc::new(Mutex::new(disk)),
            running: None,
            refused: false,
            down_until: None,
            started_once: false,
            clock_offset_ms: faults::clock_offset(&plan, nodes.len()),
            raised_at_injection: 0,
            acked: BTreeMap::new(),
        });
    }
    let world: Shared = Arc::new(Mutex::new(World {
        rng: StdRng::seed_from_u64(plan.seed),
        plan: plan.clone(),
        start: Instant::now(),
        keys,
        groups: None,
        gst_passed: false,
        ports: vec![None; n],
        ledgers: nodes.iter().map(|x| x.ledger.clone()).collect(),
        signed: HashMap::new(),
        violations: Vec::new(),
        trace: VecDeque::new(),
        stats: Stats::default(),
        adversary: byzantine::Adversary::new(&plan, &testnet),
        drop_proposals: false,
        silent: vec![false; n],
        sent_at: vec![(0, 0); n],
        agreed: HashMap::new(),
        agreed_upto: vec![0; n],
        armed_reads: vec![0; n],
        first_trace: None,
    }));
    for i in 0..n {
        if byzantine::absent_until_gst(&plan, i) {
            nodes[i].down_until = Some(start_time_far());
        } else {
            start_node(&world, &mut nodes, i, n);
        }
    }

    // Transactions: participants, one nonce stream each.
    let chain_id = match ChainId::new(testnet.genesis.chain_id.clone()) {
        Ok(c) => c,
        Err(e) => panic!("chain id: {e}"),
    };
    let mut senders: Vec<(SigningKey, u64)> = testnet.participants.iter().map(|k| (k.clone(), 0)).collect();
    let mut submitted: Vec<Hash> = Vec::new();
    let mut committed: BTreeMap<Hash, Height> = BTreeMap::new();

    let mut set_change = setchange::SetChange::new(&plan, &testnet);
    let step = Duration::from_millis(100);
    let start = Instant::now();
    let mut at_gst: Option<Vec<Height>> = None;
    let mut partition_until: Option<Instant> = None;
    let mut gst = plan.gst;
    let mut absence = absence::Absence::default();
    loop {
        // Injected storage faults reach the nodes only while they run, never
        // the simulator's own reads between steps.
        faults::pause(&nodes, false);
        tokio::time::sleep(step).await;
        faults::pause(&nodes, true);
        let now = Instant::now();
        let t = now - start;
        if plan.absence {
            absence::step(&mut absence, &world, &mut nodes, now, t, &mut gst).await;
        }
        let end = gst + plan.liveness_bound;
        // Nodes whose transport saw them die (after or inside a safety write).
        for i in 0..n {
            if nodes[i].running.as_ref().is_some_and(|r| r.dead.load(Ordering::SeqCst)) {
                kill_node(&world, &mut nodes, i, "at a safety write").await;
                let back = Duration::from_millis(lock(&world).rng.gen_range(plan.restart_ms.0..plan.restart_ms.1));
                nodes[i].down_until = Some(now + back);
            }
            let finished = nodes[i].running.as_ref().is_some_and(|r| r.task.is_finished());
            if finished {
                if let Some(r) = nodes[i].running.take() {
                    let security = r.security.clone();
                    let result = r.task.await;
                    faults::driver_stopped(&world, &nodes[i], i, &security, result);
                }
                lock(&world).ports[i] = None;
                nodes[i].down_until = Some(now + Duration::from_secs(1));
            }
        }
        let before_gst = t < gst;
        if !before_gst && at_gst.is_none() {
            let mut w = lock(&world);
            w.gst_passed = true;
            w.groups = None;
            w.note("GST: partitions healed, faults stop".to_string());
            drop(w);
            for node in nodes.iter_mut() {
                node.disk.lock().unwrap_or_else(|p| p.into_inner()).fault = WriteFault::None;
            }
            faults::clear(&world, &nodes);
            at_gst = Some(nodes.iter().map(|x| x.ledger.height().unwrap_or(0)).collect());
        }
        // Restarts.
        for i in 0..n {
            let due = nodes[i].down_until.is_some_and(|d| now >= d || !before_gst);
            if due && nodes[i].running.is_none() && !nodes[i].refused {
                nodes[i].down_until = None;
                let fault_was_tear = {
                    let d = nodes[i].disk.lock().unwrap_or_else(|p| p.into_inner());
                    d.bytes.as_ref().is_some_and(|b| safety::decode(b).is_err())
                };
                let started = start_node(&world, &mut nodes, i, n);
                if started && fault_was_tear && !plan.fail_open {
                    lock(&world).violate(Violation::StartedOverDamagedSafety { node: i });
                }
            }
        }
        // Faults before GST, drawn under the lock; a crash is carried out after it.
        let crash: Option<(usize, &'static str)> = if before_gst {
            let mut w = lock(&world);
            let mut crash = None;
            // Partitions: a random split for a while.
            if plan.partitions {
                match partition_until {
                    Some(u) if now >= u => {
                        w.groups = None;
                        partition_until = None;
                        w.note("partition healed".to_string());
                    }
                    None if w.rng.gen_bool(0.02) => {
                        let g: Vec<u8> = (0..n).map(|_| w.rng.gen_range(0..2)).collect();
                        let len = Duration::from_millis(w.rng.gen_range(500..5000));
                        w.note(format!("partition {g:?} for {len:?}"));
                        w.groups = Some(g);
                        partition_until = Some(now + len);
                    }
                    _ => {}
                }
            }
            // Crashes: at most one node down (or refused) at a time, none while
            // a crash at a safety write is pending. A torn file stops its node
            // for good and a wiped one keeps it from voting until the next
            // commit: each is that run's one faulty node (f = 1), so each
            // happens at most once a run (more than f would halt the chain,
            // by design: docs/operations.md).
            let down = nodes.iter().filter(|x| x.running.is_none()).count();
            let pending = nodes.iter().any(|x| {
                matches!(
                    x.disk.lock().unwrap_or_else(|p| p.into_inner()).fault,
                    WriteFault::Tear | WriteFault::CrashAfter
                )
            }) || faults::pending(&w, &nodes);
            if plan.crashes && down == 0 && !pending && w.rng.gen_bool(0.03) {
                let i = w.rng.gen_range(0..n);
                let kind = w.rng.gen_range(0..4u8);
                let mut disk = nodes[i].disk.lock().unwrap_or_else(|p| p.into_inner());
                match kind {
                    0 if plan.torn_writes && w.stats.torn == 0 && w.stats.lost == 0 => disk.fault = WriteFault::Tear,
                    1 => disk.fault = WriteFault::CrashAfter,
                    2 if plan.lost_files && w.stats.lost == 0 && w.stats.torn == 0 => {
                        disk.bytes = None;
                        w.stats.lost += 1;
                        w.note(format!("n{i} loses its safety file"));
                        crash = Some((i, "safety file wiped"));
                    }
                    _ => crash = Some((i, "at a random instant")),
                }
            }
            if crash.is_none() && plan.failing_writes && w.rng.gen_bool(0.01) {
                let i = w.rng.gen_range(0..n);
                let k = w.rng.gen_range(1..6);
                let mut disk = nodes[i].disk.lock().unwrap_or_else(|p| p.into_inner());
                if disk.fault == WriteFault::None {
                    disk.fault = WriteFault::Fail(k);
                    w.note(format!("n{i}: the next {k} safety writes fail"));
                }
            }
            if crash.is_none() && plan.storage_faults && down == 0 && !pending {
                faults::maybe_inject(&mut w, &mut nodes);
            }
            crash
        } else {
            None
        };
        if let Some((i, why)) = crash {
            kill_node(&world, &mut nodes, i, why).await;
            let back = Duration::from_millis(lock(&world).rng.gen_range(plan.restart_ms.0..plan.restart_ms.1));
            nodes[i].down_until = Some(now + back);
            continue;
        }
        // Transactions, submitted as the API does: admission into one node's mempool.
        if submitted.len() < plan.txs && lock(&world).rng.gen_bool(0.2) {
            let (who, at) = {
                let mut w = lock(&world);
                (w.rng.gen_range(0..senders.len()), w.rng.gen_range(0..n))
            };
            if let Some(r) = nodes[at].running.as_ref() {
                let (k, nonce) = &mut senders[who];
                let to = testnet.participants[(who + 1) % testnet.participants.len()].public();
                let tx = Transaction {
                    chain_id: chain_id.clone(),
                    signer: k.public(),
                    nonce: *nonce,
                    payload: tamga_types::Payload::Transfer {
                        class: tamga_genesis::testnet::BOOTSTRAP_CLASS,
                        to,
                        amount: 1,
                    },
                    memo: None,
                }
                .sign(k);
                let raw = tx.encode();
                let res = r.mempool.submit_raw(r.chain.as_ref(), &[&raw]);
                if let Some(Ok(h)) = res.first() {
                    // Gossip to the others' mempools (what TxGateway does).
                    for (j, node) in nodes.iter().enumerate() {
                        if j != at {
                            if let Some(o) = node.running.as_ref() {
                                let _ = o.mempool.submit_raw(o.chain.as_ref(), &[&raw]);
                            }
                        }
                    }
                    *nonce += 1;
                    submitted.push(*h);
                    lock(&world).note(format!("tx {h} admitted at n{at}"));
                }
            }
        }
        check(&world, &nodes, &submitted, &mut committed);
        if let Some(s) = set_change.as_mut() {
            s.step(&world, &mut nodes, now, t).await;
        }
        byzantine::step(&world, &nodes, false);
        faults::check_acks(&world, &mut nodes);
        if t >= end {
            break;
        }
        if let Some(g) = &at_gst {
            let now_h: Vec<Height> = nodes.iter().map(|x| x.ledger.height().unwrap_or(0)).collect();
            let live_done = (0..n).filter(|&i| !nodes[i].refused).all(|i| now_h[i] >= g_max(g) + plan.liveness_heights);
            if live_done && submitted.len() >= plan.txs && set_change.as_ref().is_none_or(|s| s.done(&nodes)) {
                break;
            }
        }
    }
    faults::pause(&nodes, true);
    faults::check_acks(&world, &mut nodes);
    if let Some(s) = &set_change {
        s.finish(&world, &nodes);
    }
    let heights: Vec<Height> = nodes.iter().map(|x| x.ledger.height().unwrap_or(0)).collect();
    byzantine::step(&world, &nodes, true);
    if let Some(g) = &at_gst {
        let ok = (0..n).filter(|&i| !nodes[i].refused).all(|i| heights[i] >= g_max(g) + plan.liveness_heights);
        if !ok {
            lock(&world).violate(Violation::Liveness { at_gst: g.clone(), at_bound: heights.clone() });
        }
    }
    for node in nodes.iter_mut() {
        if let Some(mut r) = node.running.take() {
            if let Some(s) = r.stop.take() {
                let _ = s.send(());
            }
            let _ = r.task.await;
        }
    }
    faults::verify_acks(&world, &nodes);
    let mut w = lock(&world);
    w.stats.committed_txs = committed.len();
    Outcome {
        plan,
        violations: w.violations.clone(),
        trace: w.first_trace.clone().unwrap_or_else(|| w.trace.iter().cloned().collect()),
        heights,
        stats: w.stats.clone(),
        byzantine: w.adversary.as_ref().map(|a| a.report.clone()),
    }
}

fn g_max(g: &[Height]) -> Height {
    g.iter().copied().max().unwrap_or(0)
}

/// Agreement, equal roots, certificates, no lost transaction.
fn check(world: &Shared, nodes: &[Node], submitted: &[Hash], committed: &mut BTreeMap<Hash, Height>) {
    let mut w = lock(world);
    let heights: Vec<Height> = nodes.iter().map(|x| x.ledger.height().unwrap_or(0)).collect();
    let chain_id = nodes[0].ledger.chain_id().unwrap_or_default();
    // Each node's blocks are read once, each against the first block seen
    // at its height, and its certificate against the validator set of that
    // height (more than 2/3 of its power).
    for (i, node) in nodes.iter().enumerate() {
        while w.agreed_upto[i] < heights[i] {
            let h = w.agreed_upto[i] + 1;
            let Ok(Some(block)) = node.ledger.block(h) else { break };
            match (node.ledger.certificate(h), node.ledger.validators_at(h)) {
                (Ok(Some(cert)), Ok(set)) => {
                    if let Err(e) = cert.verify_commit(&chain_id, &set, &block.header) {
                        w.violate(Violation::Certificate { node: i, height: h, why: e.to_string() });
                    }
                    let signers = cert.signatures.len();
                    let counts = &mut w.stats.certificate_signers;
                    if counts.len() <= signers {
                        counts.resize(signers + 1, 0);
                    }
                    counts[signers] += 1;
                }
                (c, s) => {
                    let why = format!("certificate {:?}, validator set {:?}", c.map(|c| c.is_some()), s.map(|_| ()));
                    w.violate(Violation::Certificate { node: i, height: h, why });
                }
            }
            let id = block.id();
            match w.agreed.get(&h) {
                Some(s) if *s != id => {
                    if !w.violations.contains(&Violation::Disagreement { height: h }) {
                        w.violate(Violation::Disagreement { height: h });
                    }
                }
                Some(_) => {}
                None => {
                    w.agreed.insert(h, id);
                }
            }
            w.agreed_upto[i] = h;
        }
    }
    // Equal state roots at equal heights.
    let mut roots: HashMap<Height, Hash> = HashMap::new();
    for (i, node) in nodes.iter().enumerate() {
        let Ok(root) = node.ledger.state_root() else { continue };
        if let Some(r) = roots.get(&heights[i]) {
            if *r != root && !w.violations.contains(&Violation::StateRoots { height: heights[i] }) {
                w.violate(Violation::StateRoots { height: heights[i] });
            }
        } else {
            roots.insert(heights[i], root);
        }
    }
    // Transactions: once a receipt is seen anywhere, every node past that height has it.
    for tx in submitted {
        if committed.contains_key(tx) {
            continue;
        }
        for node in nodes {
            if let Ok(Some(r)) = node.ledger.receipt(tx) {
                committed.insert(*tx, r.height);
                w.note(format!("tx {tx} committed at h{}", r.height));
                break;
            }
        }
    }
    for (tx, h) in committed.iter() {
        for (i, node) in nodes.iter().enumerate() {
            if heights[i] >= *h && !matches!(node.ledger.receipt(tx), Ok(Some(_))) {
                w.violate(Violation::LostTx { node: i, tx: *tx });
            }
        }
    }
}

/// Seeds to run: `TAMGA_NODE_SIM_SEED=S` (exactly that one), else
/// `TAMGA_NODE_SIM_SEEDS=N` (0..N), else `default`.
pub fn seeds(default: u64) -> Vec<u64> {
    if let Some(s) = std::env::var("TAMGA_NODE_SIM_SEED").ok().and_then(|s| s.parse().ok()) {
        return vec![s];
    }
    let n = std::env::var("TAMGA_NODE_SIM_SEEDS").ok().and_then(|s| s.parse().ok()).unwrap_or(default);
    (0..n).collect()
}

/// A failure report: the seed, the violations and the trace's last lines.
pub fn report(o: &Outcome) -> String {
    let mut s = format!(
        "node simulation failed: seed {} (replay: TAMGA_NODE_SIM_SEED={}), plan {:?}\nviolations: {:?}\nheights: {:?}, stats: {:?}\nlast {} trace lines:\n",
        o.plan.seed,
        o.plan.seed,
        o.plan,
        o.violations,
        o.heights,
        o.stats,
        o.trace.len()
    );
    if let Some(b) = &o.byzantine {
        s.push_str(&format!("byzantine: {b:?}\n"));
    }
    for l in &o.trace {
        s.push_str("  ");
        s.push_str(l);
        s.push('\n');
    }
    s
}

/// A restart time no run reaches: the node waits for GST.
fn start_time_far() -> Instant {
    Instant::now() + Duration::from_secs(1 << 30)
}

mod absence;
pub mod byzantine;
mod faults;
pub mod setchange;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_faults;
