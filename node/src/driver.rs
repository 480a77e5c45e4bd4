//! The consensus driver: the one executor of the engine's effects
//! (STYLE principle 2).
//!
//! * `PersistSafety` is written with fsync (atomic replace of
//!   `data/safety.bin`, `crate::safety`) before any later effect of the batch
//!   runs, so no vote leaves the process before its safety state is on disk.
//!   If the write fails the driver **stalls**: the rest of the batch waits,
//!   no input reaches the engine (consensus messages from peers are dropped;
//!   peers rebroadcast them), the write is retried with backoff (10 ms
//!   doubling to 5 s), a `safety_persist_failed` security event is raised and
//!   `tamga_safety_persist_stalled` is 1; when a write succeeds the batch
//!   continues where it stopped. The node never exits for this: a full disk
//!   or exhausted file handles must not decide safety, and must not stop a
//!   validator for good either.
//! * `BuildProposal` waits for a transaction (woken by its admission, at
//!   most `empty_block_wait_ms`), reaps the mempool, executes the block
//!   speculatively and answers with the header carrying the post-execution
//!   state root.
//! * `ValidateValue` checks the header against the chain and re-executes the
//!   block (signatures already verified by the mempool are skipped). A valid
//!   block's body is kept under `data/values/` before the engine hears it is
//!   valid, and so is a built block before it is proposed ([`blocks`]): the
//!   engine persists block ids only, and gets these bodies back after a
//!   restart (`Input::RestoredValue`) to re-propose its valid block (L16).
//! * `Commit` writes the block, its certificate, receipts and state in ONE
//!   synced RocksDB batch (`Ledger::commit`), pushes the committed hashes
//!   and each signer's standing after the block to the mempool and starts
//!   the next height with the validator set the chain says.
//! * `RequestSync` and a periodic check fetch certified blocks from peers; a
//!   commit certificate alone is enough to accept a block.
//! * **Catch-up before signing** (issue 10). After `tamgad backup restore`
//!   (marker `data/restored.json`), or whenever the persisted safety state is
//!   above the ledger's next height, the ledger is older than what this
//!   validator may already have signed. The engine is then not started: the
//!   driver applies certified blocks from peers (each certificate checked by
//!   `Ledger::commit`) and signs nothing, persists no safety state, until a
//!   peer has nothing newer and the ledger has reached the safety state's
//!   height; then the engine starts there, restored from that state. Signing
//!   at a height it had already voted on could otherwise produce a conflicting
//!   vote (SPEC §9 equivocation).
//! * **Reading the safety state at start fails closed** (`crate::safety`). A
//!   file that exists but cannot be read or decoded stops the node
//!   ([`DriverError::Safety`], recovery in docs/operations.md). A missing
//!   file means "nothing signed" only on a fresh home (its ledger created by
//!   this start: the node never ran, so never signed), or for a node that is
//!   not a validator of the next height (it cannot sign there). Otherwise a
//!   validator of the next height `h + 1` whose file is missing — at genesis
//!   height too — may have signed at `h + 1` and lost the record, so it
//!   catches up before signing with a floor: it signs nothing until the chain
//!   has committed `h + 1` without it, and starts at `h + 2` or later, where
//!   it cannot have signed before (a node signs only at its ledger's next
//!   height). If the others cannot commit `h + 1` without it, it waits
//!   (docs/operations.md).
//! * So that a missing file on a used home really means a lost one, a
//!   validator that starts a height with no safety state (a fresh home, the
//!   end of a catch-up, or its first height in the set after a change of the
//!   set, SPEC §9) writes "nothing signed at `h`" before anything else:
//!   otherwise a crash before its first signature would leave no file, and
//!   the restart would wait for a chain that cannot commit without it (found
//!   by the whole-node simulator with unequal power, where one validator
//!   holds more than a third, and with a validator added with a third of the
//!   power; at equal power, two validators crashing before their first vote
//!   at a network's launch halt it).
//!
//! ## Seams (STYLE principle 16)
//!
//! The host logic reaches the world through four seams, so the whole node
//! runs under the deterministic simulator (`crate::sim`) unchanged:
//! * clock and timers: `tokio::time` (real in production; paused and
//!   auto-advanced on a current-thread runtime in simulation), the wall clock
//!   through [`crate::now_ms`];
//! * the blocking executor: [`Blocking`] (tokio's blocking pool in
//!   production, inline in simulation);
//! * the transport: [`Transport`], peers named by validator key;
//! * the file system under the safety state: [`SafetyStore`].
//!
//! Block execution runs on blocking threads; the driver task only routes.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use tamga_consensus::{Effect, Engine, Input, SafetyState, TimeoutKind, Value};
use tamga_state::{BlockContext, ExecutedBlock, Ledger, Standing};
use tamga_types::views::NodeStatus;
use tamga_types::{
    Block, Certificate, ConsensusSigner, Evidence, Hash, Height, PublicKey, Round, Signer, ValidatorSet,
};
use tokio::sync::{broadcast, mpsc, watch};
use tokio::time::Instant;
use tracing::{debug, error, info, warn};

use crate::committed::CommittedBlock;
use crate::config::ConsensusConfig;
use crate::home::Home;
use crate::mempool::Mempool;
use crate::metrics::Metrics;
pub use crate::network::Transport;
use crate::network::{ConsensusWire, NetEvent};
pub use crate::proposal::StorageRetry;
pub use crate::proposal::{build_block, validate_block, LedgerChain};
use crate::proposal::{build_with_retry, signer_standings, validate_with_retry, BuildError, ValidateError};
use crate::safety::{SafetyFileError, SafetyStore};
use crate::security::{EvidenceSource, Origin, SecurityEvent, SecurityLog};
use crate::Clock;

pub mod blocks;
use blocks::KeptBlocks;

/// Heights after which evidence is no longer pooled or proposed: the
/// horizon of accountability for an equivocation (SPEC §9).
pub const EVIDENCE_HORIZON: Height = 100_000;

/// Most pieces of evidence waiting for a block: four blocks' worth
/// ([`tamga_types::codec::limits::MAX_EVIDENCE`] each), so that evidence
/// gossiped by peers cannot grow a validator's memory without bound.
pub const EVIDENCE_POOL_MAX: usize = 4 * tamga_types::codec::limits::MAX_EVIDENCE;

/// A fatal driver error: the node stops rather than risk safety.
#[derive(Debug, thiserror::Error)]
pub enum DriverError {
    /// The persisted safety state exists but cannot be trusted: starting
    /// would risk signing a second vote where one was already signed.
    #[error("{0}; the node will not start. Recovery: docs/operations.md, \"A damaged safety state\"")]
    Safety(#[source] SafetyFileError),
    /// A certified block could not be committed (state divergence or storage failure).
    #[error("cannot commit block at height {height}: {source}")]
    Commit {
        /// Height.
        height: Height,
        /// Cause.
        source: tamga_state::StateError,
    },
    /// Storage failed.
    #[error("ledger: {0}")]
    Ledger(tamga_state::StateError),
    /// Work on a blocking thread panicked or was cancelled.
    #[error("{task} did not finish: {source}")]
    Task {
        /// What the task did.
        task: &'static str,
        /// Why it did not finish.
        source: BlockingError,
    },
    /// Storage kept failing while validating or building a block (SPEC §9:
    /// a fault of this node must not become a vote); the node stops.
    #[error("storage failure at height {height}, round {round}, while {during}, after retries: {source}")]
    Storage {
        /// Height.
        height: Height,
        /// Round.
        round: Round,
        /// What the node was doing.
        during: &'static str,
        /// The last failure.
        source: Box<tamga_state::StateError>,
    },
}

/// Where block execution and file writes run (STYLE principle 16).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Blocking {
    /// tokio's blocking pool (`spawn_blocking`, `block_in_place`): production.
    Pool,
    /// On the calling task, in order: the deterministic simulator, whose
    /// single thread must see every step.
    Inline,
}

/// A blocking job that did not finish (it panicked).
#[derive(Debug, thiserror::Error)]
#[error("blocking job failed: {0}")]
pub struct BlockingError(#[source] tokio::task::JoinError);

impl Blocking {
    /// Runs `f` off the async task (pool) or right here (inline).
    pub async fn run<R: Send + 'static>(self, f: impl FnOnce() -> R + Send + 'static) -> Result<R, BlockingError> {
        match self {
            Blocking::Pool => tokio::task::spawn_blocking(f).await.map_err(BlockingError),
            Blocking::Inline => Ok(f()),
        }
    }

    /// Runs a short blocking `f` (an fsync) without moving the task.
    pub fn in_place<R>(self, f: impl FnOnce() -> R) -> R {
        match self {
            Blocking::Pool => tokio::task::block_in_place(f),
            Blocking::Inline => f(),
        }
    }
}

/// Results of work done off the driver task.
enum Internal {
    Timeout {
        height: Height,
        round: Round,
        step: TimeoutKind,
    },
    Built {
        height: Height,
        round: Round,
        block: Box<Block>,
        executed: Box<ExecutedBlock>,
    },
    Validated {
        height: Height,
        round: Round,
        id: Hash,
        executed: Option<Box<ExecutedBlock>>,
    },
    /// Storage failed and kept failing: the driver stops (never a vote).
    StorageFault {
        height: Height,
        round: Round,
        during: &'static str,
        error: tamga_state::StateError,
    },
}

/// What a commit leaves for the driver's bookkeeping.
struct Committed {
    failed: usize,
    state_root: Hash,
    tx_hashes: Vec<Hash>,
    /// The event stream's summary, built only while someone subscribes.
    feed: Option<Arc<CommittedBlock>>,
    /// Revocations and regulator-scope refusals among the receipts.
    security: Vec<SecurityEvent>,
    /// Each signer's standing after the block, pushed to the mempool.
    standings: Vec<(PublicKey, Standing)>,
}

/// What the driver needs.
pub struct DriverDeps {
    /// Committed state.
    pub ledger: Arc<Ledger>,
    /// Waiting transactions.
    pub mempool: Arc<Mempool>,
    /// Chain view shared with the mempool.
    pub chain: Arc<LedgerChain>,
    /// The network.
    pub net: Arc<dyn Transport>,
    /// Network events.
    pub events: mpsc::Receiver<NetEvent>,
    /// Home layout (the restore marker).
    pub home: Home,
    /// The persisted safety state (`data/safety.bin` in production).
    pub safety: Box<dyn SafetyStore>,
    /// Where blocking work runs.
    pub blocking: Blocking,
    /// The wall clock of block times ([`crate::SystemClock`] in production).
    pub clock: Arc<dyn Clock>,
    /// Retries of a block build or validation that fails on storage
    /// ([`StorageRetry::default`] in production).
    pub storage_retry: StorageRetry,
    /// The ledger was created by this start (the home never ran before):
    /// only then may a missing safety file mean "nothing signed".
    pub fresh_home: bool,
    /// Metrics.
    pub metrics: Arc<Metrics>,
    /// Status published to the API.
    pub status: watch::Sender<NodeStatus>,
    /// Observer keys admitted besides validators.
    pub observers: Vec<PublicKey>,
    /// Committed blocks for the API's event stream (`/v1/events`); sending
    /// never blocks, and nobody listening is not an error.
    pub committed: broadcast::Sender<Arc<CommittedBlock>>,
    /// Security events: equivocations, badly signed consensus messages,
    /// validator-set changes, revocations and regulator-scope refusals.
    pub security: SecurityLog,
}

/// The driver.
pub struct Driver {
    engine: Engine<Block>,
    cfg: ConsensusConfig,
    d: DriverDeps,
    chain_id: String,
    internal_tx: mpsc::Sender<Internal>,
    internal_rx: mpsc::Receiver<Internal>,
    /// Executed blocks of the current height, by block id.
    executed: HashMap<Hash, ExecutedBlock>,
    /// Bodies of the blocks validated or built at the current height, on disk.
    kept: KeptBlocks,
    /// Evidence waiting to be included in a block.
    evidence_pool: Vec<Evidence>,
    validators: ValidatorSet,
    last_commit: Instant,
    last_sync_request: Option<Instant>,
    peers: usize,
    /// Catch-up before signing (module docs); `None` once the engine runs.
    catch_up: Option<CatchUp>,
    /// No safety state is on disk for the height the engine starts at: the
    /// first thing [`Driver::run`] does is write "nothing signed" there.
    unrecorded_start: bool,
    /// A safety write failed: what waits for it (module docs).
    stalled: Option<Stalled>,
    /// Test-only misbehaviour (`tamgad-byzantine` with `TAMGA_BYZANTINE` set).
    #[cfg(feature = "byzantine")]
    byzantine: Option<crate::byzantine::Byzantine>,
    /// The simulator's model of the pre-fix validation: a storage failure
    /// read as an invalid block (a nil prevote). Never a production behaviour.
    #[cfg(test)]
    storage_as_invalid: bool,
}

/// Effects and inputs held back while the safety state cannot be written.
struct Stalled {
    /// The state to write first.
    state: SafetyState,
    /// The rest of the batch, in order.
    effects: VecDeque<Effect<Block>>,
    /// Inputs waiting for the engine (the batch's answers, then internal results).
    queue: VecDeque<Input<Block>>,
    /// Failed writes so far.
    attempts: u32,
    /// Next try.
    retry_at: Instant,
}

/// First retry of a failed safety write; doubled per failure up to [`STALL_RETRY_MAX`].
pub const STALL_RETRY_FIRST: Duration = Duration::from_millis(10);
/// Longest wait between two tries of a failed safety write.
pub const STALL_RETRY_MAX: Duration = Duration::from_secs(5);

/// What the driver keeps while catching up before signing.
struct CatchUp {
    /// The persisted safety state (restored into the engine if it is for the height it starts at).
    safety: Option<SafetyState>,
    /// The first height the engine may start at (a missing safety file
    /// beyond genesis: module docs), if any.
    floor: Option<Height>,
    /// `data/restored.json` exists (removed when the catch-up ends).
    marker: bool,
    key: Signer,
    ecfg: tamga_consensus::Config,
    since: Instant,
    last_note: Instant,
}

/// The engine's configuration from the node's.
pub fn engine_config(chain_id: &str, c: &ConsensusConfig) -> tamga_consensus::Config {
    let mut e = tamga_consensus::Config::new(chain_id);
    e.propose_base_ms = c.timeout_propose_ms;
    e.prevote_base_ms = c.timeout_prevote_ms;
    e.precommit_base_ms = c.timeout_precommit_ms;
    e.propose_delta_ms = c.timeout_delta_ms;
    e.prevote_delta_ms = c.timeout_delta_ms;
    e.precommit_delta_ms = c.timeout_delta_ms;
    e
}

/// The first height a validator may sign at when its safety file is
/// missing (module docs): `None` when a missing file can be believed (the
/// home is fresh: its ledger was created by this start; or the node cannot
/// sign at the next height), or when the file is there.
pub fn missing_safety_floor(
    have_file: bool,
    fresh_home: bool,
    ledger_height: Height,
    validator_next: bool,
) -> Option<Height> {
    (!have_file && !fresh_home && validator_next).then_some(ledger_height + 2)
}

/// The wait after `attempts` failed safety writes: 10 ms doubling, at most 5 s.
pub fn stall_backoff(attempts: u32) -> Duration {
    let shift = attempts.saturating_sub(1).min(16);
    STALL_RETRY_FIRST.saturating_mul(1u32 << shift).min(STALL_RETRY_MAX)
}

/// The environment variable of [`safety_check_disabled`].
pub const SKIP_SAFETY_CHECK_ENV: &str = "TAMGA_TEST_SKIP_SAFETY_CHECK";

/// Test builds only: with `TAMGA_TEST_SKIP_SAFETY_CHECK=1`, the node's own
/// check at start (catch up before signing when the ledger may be older than
/// what it signed: a restored marker, a safety state ahead of the ledger, a
/// missing safety file) is skipped, so that a rolled-back safety state is
/// signed from as found and only a remote signer's guard stands between it
/// and a double sign. Compiled only with `debug_assertions` (the `ci` and
/// dev profiles); a release build has no such switch and ignores the variable.
#[cfg(debug_assertions)]
fn safety_check_disabled() -> bool {
    std::env::var_os(SKIP_SAFETY_CHECK_ENV).is_some_and(|v| v == "1")
}

/// Release builds: the check always runs.
#[cfg(not(debug_assertions))]
fn safety_check_disabled() -> bool {
    false
}

impl Driver {
    /// Restores the engine from the safety file when it belongs to the next height.
    pub fn new(key: impl Into<Signer>, cfg: ConsensusConfig, mut d: DriverDeps) -> Result<Self, DriverError> {
        let key: Signer = key.into();
        let chain_id = d.ledger.chain_id().map_err(DriverError::Ledger)?;
        let height = d.ledger.height().map_err(DriverError::Ledger)?;
        let ecfg = engine_config(&chain_id, &cfg);
        #[cfg(feature = "byzantine")]
        // Test builds only: the extra messages are signed with the key file.
        let byzantine = crate::home::read_key(&d.home.key())
            .ok()
            .and_then(|k| crate::byzantine::Byzantine::from_env(&k, &chain_id));
        let safety = d.safety.load().map_err(DriverError::Safety)?;
        let marker = d.home.restored_marker().exists();
        let ahead = safety.as_ref().is_some_and(|s| s.height > height + 1);
        let validators = d.ledger.validators_at(height + 1).map_err(DriverError::Ledger)?;
        let validator_next = validators.index_of(&key.public_key()).is_some();
        let floor = missing_safety_floor(safety.is_some(), d.fresh_home, height, validator_next);
        let unrecorded_start = safety.is_none() && validator_next && !marker && !ahead && floor.is_none();
        let check = marker || ahead || floor.is_some();
        if check && safety_check_disabled() {
            warn!(
                target: "tamga::consensus",
                env = SKIP_SAFETY_CHECK_ENV,
                "TEST BUILD: catch-up before signing disabled; signing from the safety state as found"
            );
        }
        let (engine, catch_up) = if check && !safety_check_disabled() {
            warn!(
                target: "tamga::consensus",
                ledger_height = height,
                safety_height = safety.as_ref().map(|s| s.height),
                restored = marker,
                no_safety_state_before = floor,
                path = %d.safety.path().display(),
                "the ledger may be older than what this node signed: catching up from peers before signing anything"
            );
            let now = Instant::now();
            let engine = Engine::new(ecfg.clone(), key.clone());
            (engine, Some(CatchUp { safety, floor, marker, key, ecfg, since: now, last_note: now }))
        } else {
            let engine = match safety {
                Some(s) if s.height == height + 1 => {
                    info!(target: "tamga::consensus", height = s.height, round = s.round, "restoring the safety state");
                    Engine::restore(ecfg, key, s)
                }
                _ => Engine::new(ecfg, key),
            };
            (engine, None)
        };
        let (internal_tx, internal_rx) = mpsc::channel(1024);
        let kept = KeptBlocks::beside(d.safety.path());
        Ok(Driver {
            engine,
            cfg,
            d,
            chain_id,
            internal_tx,
            internal_rx,
            executed: HashMap::new(),
            kept,
            evidence_pool: Vec::new(),
            validators,
            last_commit: Instant::now(),
            last_sync_request: None,
            peers: 0,
            catch_up,
            unrecorded_start,
            stalled: None,
            #[cfg(feature = "byzantine")]
            byzantine,
            #[cfg(test)]
            storage_as_invalid: false,
        })
    }

    /// Makes this driver read a storage failure during validation as an
    /// invalid block, as the node did before storage faults were told apart
    /// (SPEC §9): only for the simulator to show that it finds that bug.
    #[cfg(test)]
    pub(crate) fn with_storage_faults_as_invalid(mut self) -> Self {
        self.storage_as_invalid = true;
        self
    }

    /// Runs until `shutdown` resolves or a fatal error.
    pub async fn run(mut self, shutdown: impl std::future::Future<Output = ()>) -> Result<(), DriverError> {
        let height = self.ledger_height()? + 1;
        if self.catch_up.is_none() {
            // Before any await: a crash cannot come between the start and
            // this write (module docs).
            self.start_recorded(height);
        }
        self.allow_peers().await;
        if self.catch_up.is_none() {
            self.feed(Input::StartHeight { height, validators: self.validators.clone() }).await?;
            self.feed_kept(height).await?;
        } else {
            self.maybe_finish_catch_up(0).await?;
        }
        let mut rebroadcast = tokio::time::interval(Duration::from_millis(self.cfg.rebroadcast_ms));
        let mut sync_check = tokio::time::interval(Duration::from_millis(1000));
        tokio::pin!(shutdown);
        loop {
            let retry_at = self.stalled.as_ref().map(|s| s.retry_at);
            let stalled = retry_at.is_some();
            // `biased`: branches are polled in this order, so a run is a
            // function of its inputs (the simulator replays it from a seed).
            tokio::select! {
                biased;
                _ = &mut shutdown => break,
                _ = tokio::time::sleep_until(retry_at.unwrap_or_else(Instant::now)), if stalled => self.retry_persist().await?,
                Some(int) = self.internal_rx.recv() => self.on_internal(int).await?,
                Some(ev) = self.d.events.recv() => self.on_net(ev).await?,
                _ = rebroadcast.tick(), if self.catch_up.is_none() && !stalled => self.feed(Input::Rebroadcast).await?,
                _ = sync_check.tick(), if !stalled => self.maybe_sync().await,
            }
        }
        info!(target: "tamga::consensus", "driver stopped");
        Ok(())
    }

    fn ledger_height(&self) -> Result<Height, DriverError> {
        self.d.ledger.height().map_err(DriverError::Ledger)
    }

    async fn allow_peers(&self) {
        // SPEC §9: validators are admitted under their recorded p2p identity.
        let mut peers: Vec<PublicKey> = self.validators.validators.iter().map(|v| v.p2p_key).collect();
        if let Ok(next) = self.d.ledger.validators_at(self.engine.height() + 1) {
            peers.extend(next.validators.iter().map(|v| v.p2p_key));
        }
        peers.extend(self.d.observers.iter().copied());
        self.d.net.set_allowed(peers).await;
    }

    /// Without a commit for a while, ask a peer for blocks we may lack.
    async fn maybe_sync(&mut self) {
        if let Some(c) = self.catch_up.as_mut() {
            if c.last_note.elapsed() > Duration::from_secs(30) {
                c.last_note = Instant::now();
                warn!(target: "tamga::consensus", peers = self.peers, waiting_secs = c.since.elapsed().as_secs(), "still catching up before signing");
            }
            let recent = self.last_sync_request.is_some_and(|t| t.elapsed() < Duration::from_secs(1));
            if !recent && self.peers > 0 {
                self.request_sync().await;
            }
            return;
        }
        let stale = self.last_commit.elapsed() > Duration::from_millis(self.cfg.timeout_propose_ms.max(2000));
        let recent = self.last_sync_request.is_some_and(|t| t.elapsed() < Duration::from_secs(2));
        if stale && !recent && self.peers > 0 {
            self.request_sync().await;
        }
    }

    async fn request_sync(&mut self) {
        self.last_sync_request = Some(Instant::now());
        let from = match self.catch_up {
            Some(_) => self.d.ledger.height().unwrap_or(0) + 1,
            None => self.engine.height(),
        };
        self.d.net.sync(from).await;
        self.publish_status(true);
    }

    async fn on_net(&mut self, ev: NetEvent) -> Result<(), DriverError> {
        match ev {
            NetEvent::Consensus(wire) => match *wire {
                // Nothing is signed, or counted, while catching up; nothing
                // reaches the engine while stalled (peers rebroadcast).
                ConsensusWire::Consensus(_) if self.catch_up.is_some() || self.stalled.is_some() => {}
                ConsensusWire::Consensus(msg) => {
                    #[cfg(feature = "byzantine")]
                    if let (Some(b), tamga_consensus::Message::Proposal(p)) = (self.byzantine.as_mut(), &msg) {
                        b.on_proposal(p, self.d.net.as_ref()).await;
                    }
                    let input = match msg {
                        tamga_consensus::Message::Proposal(p) => Input::Proposal(p),
                        tamga_consensus::Message::Vote(v) => Input::Vote(v),
                    };
                    self.feed(input).await?;
                }
                ConsensusWire::Evidence(ev) => {
                    if ev.verify(&self.chain_id).is_ok()
                        && self.offender_was_validator(&ev)
                        && self.pool_evidence(ev.clone())
                    {
                        self.d.security.record(SecurityEvent::equivocation(&ev, EvidenceSource::Gossip));
                    }
                }
            },
            NetEvent::SyncBlocks { .. } if self.stalled.is_some() => {}
            NetEvent::SyncBlocks { peer, height, blocks } if self.catch_up.is_some() => {
                self.catch_up_blocks(peer, height, blocks).await?;
            }
            NetEvent::SyncBlocks { peer, height, blocks } => {
                let n = blocks.len();
                let before = self.engine.height();
                for cb in blocks {
                    if cb.block.header.height != self.engine.height() {
                        continue;
                    }
                    self.d.metrics.sync_blocks.inc();
                    self.feed(Input::CertifiedValue { value: cb.block, certificate: cb.certificate }).await?;
                }
                let applied = self.engine.height().saturating_sub(before);
                debug!(target: "tamga::sync", %peer, peer_height = height, blocks = n, applied, "sync response");
                // More to fetch: the peer has more, or this batch moved us
                // on and the chain may have moved on while it travelled and
                // was applied. Only an answer with nothing new ends the
                // sync: a node left more than the relay's height window
                // behind hears no consensus message that would tell it the
                // chain is ahead, so stopping at the peer's height of an
                // old answer would leave it following one stale-timer sync
                // at a time, never catching up with a chain that commits
                // faster than that.
                if n > 0 && (height >= self.engine.height() || applied > 0) {
                    self.request_sync().await;
                } else {
                    self.publish_status(false);
                }
            }
            NetEvent::SyncFailed { .. } => {}
            NetEvent::Peers(n) => {
                self.peers = n;
                self.publish_status(false);
            }
        }
        Ok(())
    }

    async fn on_internal(&mut self, int: Internal) -> Result<(), DriverError> {
        if let Internal::StorageFault { height, round, during, error } = int {
            error!(target: "tamga::consensus", height, round, during, error = %error, "ALERT: storage keeps failing; stopping the node rather than vote on a block it cannot read (docs/operations.md)");
            self.d.security.record(SecurityEvent::StorageFault {
                height,
                round,
                during: during.to_owned(),
                error: error.to_string(),
            });
            return Err(DriverError::Storage { height, round, during, source: Box::new(error) });
        }
        // While stalled, `feed` queues the input: work started before the
        // stall is answered once writes succeed.
        match self.internal_input(int) {
            Some(input) => self.feed(input).await,
            None => Ok(()),
        }
    }

    /// An internal result as the engine input it becomes (timeouts, and the
    /// results of work of the current height; older results are dropped).
    fn internal_input(&mut self, int: Internal) -> Option<Input<Block>> {
        match int {
            Internal::Timeout { height, round, step } => Some(Input::TimeoutElapsed { height, round, step }),
            Internal::Built { height, round, block, executed } => (height == self.engine.height()).then(|| {
                // Kept before it is proposed: the engine persists its id only.
                let kept = &self.kept;
                self.d.blocking.in_place(|| Self::keep_block(kept, &block));
                self.executed.insert(block.id(), *executed);
                Input::ProposalBuilt { height, round, value: *block }
            }),
            Internal::Validated { height, round, id, executed } => (height == self.engine.height()).then(|| {
                let valid = executed.is_some();
                if let Some(e) = executed {
                    self.executed.insert(id, *e);
                } else {
                    // Counted where the verdict reaches the engine: one of
                    // an older height (the ledger moved on) is dropped above.
                    self.d.metrics.proposals_invalid.inc();
                }
                Input::ValueValidated { height, round, id, valid }
            }),
            // Handled by `on_internal` before it asks for an input.
            Internal::StorageFault { .. } => None,
        }
    }

    /// Feeds an input and executes the effects, feeding back synchronous answers.
    async fn feed(&mut self, input: Input<Block>) -> Result<(), DriverError> {
        if let Some(st) = self.stalled.as_mut() {
            st.queue.push_back(input);
            return Ok(());
        }
        self.drain(VecDeque::new(), VecDeque::from([input])).await
    }

    /// Executes `effects` in order, then feeds `queue` to the engine, each
    /// input's effects before the next input. A safety write that fails
    /// stalls everything after it (module docs).
    async fn drain(
        &mut self,
        mut effects: VecDeque<Effect<Block>>,
        mut queue: VecDeque<Input<Block>>,
    ) -> Result<(), DriverError> {
        loop {
            while let Some(effect) = effects.pop_front() {
                if let Effect::PersistSafety(state) = effect {
                    if let Err(e) = self.persist(&state) {
                        self.stall(state, effects, queue, &e);
                        return Ok(());
                    }
                    continue;
                }
                if let Some(next) = self.execute(effect).await? {
                    queue.push_back(next);
                }
                if let Some(st) = self.stalled.as_mut() {
                    // The effect's own safety write failed (a validator
                    // joining the set at the next height): the rest waits for it.
                    st.effects.append(&mut effects);
                    st.queue.append(&mut queue);
                    return Ok(());
                }
            }
            let Some(input) = queue.pop_front() else { break };
            effects = self.engine.handle(input).into();
        }
        self.d.metrics.round.set(i64::from(self.engine.round()));
        Ok(())
    }

    /// Writes "nothing signed at `height`" when no safety state is on disk
    /// for the height the engine starts (module docs). A failed write stalls
    /// like any other: the engine starts the height only once it is written.
    fn start_recorded(&mut self, height: Height) {
        if !std::mem::take(&mut self.unrecorded_start) {
            return;
        }
        let first = SafetyState {
            height,
            round: 0,
            step: tamga_consensus::Step::Propose,
            locked: None,
            valid: None,
            pol_votes: Vec::new(),
            signed_votes: Vec::new(),
            signed_proposals: Vec::new(),
        };
        if let Err(e) = self.persist(&first) {
            self.stall(first, VecDeque::new(), VecDeque::new(), &e);
        }
    }

    /// Writes the safety state durably (no vote of the batch leaves before).
    fn persist(&mut self, state: &SafetyState) -> std::io::Result<()> {
        let started = Instant::now();
        let store = &mut self.d.safety;
        self.d.blocking.in_place(|| store.store(state))?;
        self.d.metrics.safety_persist_seconds.observe(started.elapsed().as_secs_f64());
        Ok(())
    }

    fn stall(
        &mut self,
        state: SafetyState,
        effects: VecDeque<Effect<Block>>,
        queue: VecDeque<Input<Block>>,
        e: &std::io::Error,
    ) {
        let path = self.d.safety.path().display().to_string();
        error!(target: "tamga::consensus", %path, error = %e, "cannot persist the consensus safety state: not voting until a write succeeds");
        self.d.metrics.safety_persist_failures.inc();
        self.d.metrics.safety_persist_stalled.set(1);
        self.d.security.record(SecurityEvent::SafetyPersistFailed { path, attempts: 1, reason: e.to_string() });
        self.stalled =
            Some(Stalled { state, effects, queue, attempts: 1, retry_at: Instant::now() + STALL_RETRY_FIRST });
    }

    /// Tries the stalled safety write again; on success the held batch runs on.
    async fn retry_persist(&mut self) -> Result<(), DriverError> {
        let Some(mut st) = self.stalled.take() else { return Ok(()) };
        match self.persist(&st.state) {
            Ok(()) => {
                info!(target: "tamga::consensus", attempts = st.attempts, "the safety state is written again: voting resumes");
                self.d.metrics.safety_persist_stalled.set(0);
                self.drain(st.effects, st.queue).await
            }
            Err(e) => {
                self.d.metrics.safety_persist_failures.inc();
                st.attempts = st.attempts.saturating_add(1);
                let wait = stall_backoff(st.attempts);
                if st.attempts.is_power_of_two() {
                    let path = self.d.safety.path().display().to_string();
                    warn!(target: "tamga::consensus", %path, attempts = st.attempts, error = %e, "the safety state still cannot be written: not voting");
                    // Critical, and bounded: one record per doubling of the attempts.
                    self.d.security.record(SecurityEvent::SafetyPersistFailed {
                        path,
                        attempts: u64::from(st.attempts),
                        reason: e.to_string(),
                    });
                }
                st.retry_at = Instant::now() + wait;
                self.stalled = Some(st);
                Ok(())
            }
        }
    }

    async fn execute(&mut self, effect: Effect<Block>) -> Result<Option<Input<Block>>, DriverError> {
        match effect {
            // `drain` writes the safety state itself, before this is called
            // for any later effect of the batch (module docs: the stall).
            Effect::PersistSafety(_) => unreachable!("PersistSafety is handled by Driver::drain"),
            Effect::Broadcast(msg) => {
                #[cfg(feature = "byzantine")]
                if let Some(b) = self.byzantine.as_mut() {
                    b.broadcast(msg, &self.d.ledger, self.d.net.as_ref()).await;
                    return Ok(None);
                }
                self.d.net.publish(ConsensusWire::Consensus(msg)).await;
                Ok(None)
            }
            Effect::BuildProposal { height, round } => {
                self.spawn_build(height, round);
                Ok(None)
            }
            Effect::ValidateValue { height, round, value } => {
                let id = value.id();
                if self.executed.contains_key(&id) {
                    return Ok(Some(Input::ValueValidated { height, round, id, valid: true }));
                }
                self.spawn_validate(height, round, value);
                Ok(None)
            }
            Effect::ScheduleTimeout { height, round, step, duration_ms } => {
                let tx = self.internal_tx.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_millis(duration_ms)).await;
                    let _ = tx.send(Internal::Timeout { height, round, step }).await;
                });
                Ok(None)
            }
            Effect::Commit { height, round, value, certificate } => {
                self.commit(height, round, value, certificate).await?;
                let kept = self.kept.clone();
                self.d.blocking.in_place(|| kept.prune_below(height + 1));
                let validators = self.d.ledger.validators_at(height + 1).map_err(DriverError::Ledger)?;
                let changed = validators != self.validators;
                let me = self.engine.public_key();
                if self.validators.index_of(&me).is_none() && validators.index_of(&me).is_some() {
                    // Joining the set: this height starts with no safety
                    // state on disk, so it is recorded first (module docs).
                    self.unrecorded_start = true;
                    self.start_recorded(height + 1);
                }
                if changed {
                    self.d.security.record(SecurityEvent::validator_set_changed(
                        height + 1,
                        &self.validators,
                        &validators,
                    ));
                }
                self.validators = validators.clone();
                if changed {
                    info!(target: "tamga::consensus", height = height + 1, validators = validators.validators.len(), "validator set changed");
                    self.allow_peers().await;
                }
                Ok(Some(Input::StartHeight { height: height + 1, validators }))
            }
            Effect::Evidence(ev) => {
                let ev = Evidence::DoubleVote(ev);
                warn!(target: "tamga::consensus", validator = %ev.validator(), height = ev.height(), round = ev.round(), "equivocation detected");
                self.d.metrics.evidence.inc();
                if self.pool_evidence(ev.clone()) {
                    self.d.security.record(SecurityEvent::equivocation(&ev, EvidenceSource::Detected));
                    self.d.net.publish(ConsensusWire::Evidence(ev)).await;
                }
                Ok(None)
            }
            Effect::ProposalEvidence(pe) => {
                warn!(target: "tamga::consensus", proposer = %pe.proposer(), "conflicting proposals detected");
                self.d.metrics.evidence.inc();
                self.d.security.record(SecurityEvent::ConflictingProposals {
                    proposer: pe.proposer(),
                    height: pe.a.data.height,
                    round: pe.a.data.round,
                });
                // SPEC §9: recorded on chain like a double vote; gossiped so
                // that the next proposer includes it.
                let ev = Evidence::DoubleProposal(pe);
                if self.pool_evidence(ev.clone()) {
                    self.d.net.publish(ConsensusWire::Evidence(ev)).await;
                }
                Ok(None)
            }
            Effect::RequestSync { height } => {
                debug!(target: "tamga::sync", target_height = height, "engine asks for sync");
                let recent = self.last_sync_request.is_some_and(|t| t.elapsed() < Duration::from_millis(500));
                if !recent {
                    self.request_sync().await;
                }
                Ok(None)
            }
            Effect::Rejected(e) => {
                self.d.metrics.consensus_rejected.inc();
                if let tamga_consensus::ConsensusError::BadSignature { signer } = &e {
                    self.d.security.record(SecurityEvent::BadSignature {
                        origin: Origin::Consensus,
                        from: None,
                        signer: Some(*signer),
                        tx_hash: None,
                        reason: e.to_string(),
                    });
                }
                debug!(target: "tamga::consensus", error = %e, "input rejected");
                Ok(None)
            }
            Effect::SignFailed { height, round, step, error } => {
                // The engine sent nothing for this step; the validator misses it.
                self.d.metrics.signer_failures.inc();
                warn!(target: "tamga::signer", height, round, %step, %error, "signer gave no signature");
                if let tamga_types::SignError::Refused { signer, detail, .. } = &error {
                    // The signer's guard, the second line against a double
                    // sign (SPEC §9), caught what this node's safety state
                    // did not: a supervisor must see it.
                    self.d.security.record(SecurityEvent::SignerRefused {
                        signer: (*signer).to_owned(),
                        height,
                        round,
                        step: step.to_string(),
                        detail: detail.clone(),
                    });
                }
                Ok(None)
            }
        }
    }

    /// Applies certified blocks from a sync response while catching up; a
    /// refused block ends the batch (the next request asks again).
    async fn catch_up_blocks(
        &mut self,
        peer: PublicKey,
        peer_height: Height,
        blocks: Vec<tamga_types::CertifiedBlock>,
    ) -> Result<(), DriverError> {
        let mut applied = 0usize;
        for cb in blocks {
            let next = self.ledger_height()? + 1;
            if cb.block.header.height != next {
                continue;
            }
            let round = cb.block.header.round;
            if let Err(e) = self.commit(next, round, cb.block, cb.certificate).await {
                warn!(target: "tamga::sync", %peer, height = next, error = %e, "a synced block was refused while catching up");
                break;
            }
            self.d.metrics.sync_blocks.inc();
            applied += 1;
            let validators = self.d.ledger.validators_at(next + 1).map_err(DriverError::Ledger)?;
            if validators != self.validators {
                self.validators = validators;
                self.allow_peers().await;
            }
        }
        debug!(target: "tamga::sync", %peer, peer_height, applied, "catch-up sync response");
        if peer_height <= self.ledger_height()? {
            self.maybe_finish_catch_up(peer_height).await
        } else {
            if applied > 0 {
                self.request_sync().await;
            }
            Ok(())
        }
    }

    /// Ends the catch-up once a peer (at `peer_height`) has nothing newer and
    /// the ledger has reached the safety state's height, or at once when this
    /// node is the only validator (nobody else could have more).
    async fn maybe_finish_catch_up(&mut self, peer_height: Height) -> Result<(), DriverError> {
        let ours = self.ledger_height()?;
        let me = self.engine.public_key();
        let alone = self.validators.len() == 1 && self.validators.index_of(&me).is_some();
        let Some(c) = self.catch_up.as_ref() else { return Ok(()) };
        let safety_reached =
            c.safety.as_ref().is_none_or(|s| s.height <= ours + 1) && c.floor.is_none_or(|f| f <= ours + 1);
        let caught_up = self.peers > 0 && peer_height <= ours && peer_height > 0;
        if !(alone || (caught_up && safety_reached)) {
            return Ok(());
        }
        let Some(c) = self.catch_up.take() else { return Ok(()) };
        if c.marker {
            if let Err(e) = std::fs::remove_file(self.d.home.restored_marker()) {
                warn!(target: "tamga::consensus", error = %e, "cannot remove data/restored.json");
            }
        }
        let height = ours + 1;
        self.engine = match c.safety {
            Some(s) if s.height == height => {
                info!(target: "tamga::consensus", height, round = s.round, "restoring the safety state");
                Engine::restore(c.ecfg, c.key, s)
            }
            _ => {
                self.unrecorded_start = true;
                Engine::new(c.ecfg, c.key)
            }
        };
        self.validators = self.d.ledger.validators_at(height).map_err(DriverError::Ledger)?;
        if self.validators.index_of(&self.engine.public_key()).is_some() {
            self.start_recorded(height);
        }
        info!(target: "tamga::consensus", height, secs = c.since.elapsed().as_secs_f64(), alone, "caught up: signing from here on");
        self.allow_peers().await;
        self.last_commit = Instant::now();
        self.publish_status(false);
        self.feed(Input::StartHeight { height, validators: self.validators.clone() }).await?;
        self.feed_kept(height).await
    }

    /// Feeds the engine the bodies kept for `height` before a restart
    /// ([`blocks`]); it keeps those it needs (its locked and valid blocks,
    /// its signed proposals) and ignores the others.
    async fn feed_kept(&mut self, height: Height) -> Result<(), DriverError> {
        let kept = self.kept.clone();
        let blocks = self.d.blocking.in_place(|| kept.load(height));
        for value in blocks {
            self.feed(Input::RestoredValue { height, value }).await?;
        }
        Ok(())
    }

    /// Keeps `block`'s body on disk ([`blocks`]); a failure costs liveness
    /// after a restart only, so it is logged and the node goes on.
    fn keep_block(kept: &KeptBlocks, block: &Block) {
        if let Err(e) = kept.keep(block) {
            warn!(target: "tamga::consensus", height = block.header.height, block = %block.id(), error = %e, "cannot keep the block's body under data/values");
        }
    }

    /// Whether the offender of gossiped evidence was a validator at the
    /// height of its messages (the chain refuses it otherwise, SPEC §9), so
    /// that keys made up by a peer never reach the pool or the security record.
    fn offender_was_validator(&self, ev: &Evidence) -> bool {
        self.d.ledger.validators_at(ev.height()).is_ok_and(|set| set.index_of(&ev.validator()).is_some())
    }

    /// Adds `ev` to the pool unless it is there already, older than
    /// [`EVIDENCE_HORIZON`] or from a height not reached yet; a full pool
    /// (at [`EVIDENCE_POOL_MAX`]) gives up its oldest entry. True if added.
    fn pool_evidence(&mut self, ev: Evidence) -> bool {
        let now = self.engine.height();
        let h = ev.height();
        if h > now || h + EVIDENCE_HORIZON <= now || self.evidence_pool.iter().any(|e| e.id() == ev.id()) {
            return false;
        }
        if self.evidence_pool.len() >= EVIDENCE_POOL_MAX {
            let oldest = self.evidence_pool.iter().enumerate().min_by_key(|(_, e)| e.height()).map(|(i, _)| i);
            match oldest {
                Some(i) if self.evidence_pool[i].height() < h => {
                    self.evidence_pool.swap_remove(i);
                }
                _ => return false,
            }
        }
        self.evidence_pool.push(ev);
        true
    }

    fn spawn_build(&self, height: Height, round: Round) {
        let ledger = self.d.ledger.clone();
        let mempool = self.d.mempool.clone();
        let chain = self.d.chain.clone();
        let tx = self.internal_tx.clone();
        let me = self.engine.public_key();
        let wait = Duration::from_millis(self.cfg.empty_block_wait_ms);
        let metrics = self.d.metrics.clone();
        let mut evidence = self.evidence_pool.clone();
        let blocking = self.d.blocking;
        let clock = self.d.clock.clone();
        let retry = self.d.storage_retry;
        tokio::spawn(async move {
            // Woken by the admission of a transaction, or builds an empty
            // block after `empty_block_wait_ms`; evidence is proposed at once.
            if evidence.is_empty() {
                mempool.wait_for_txs(wait).await;
            }
            let built = blocking
                .run(move || {
                    let started = Instant::now();
                    let r = build_with_retry(
                        &ledger,
                        &mempool,
                        chain.as_ref(),
                        me,
                        height,
                        round,
                        &mut evidence,
                        retry,
                        clock.as_ref(),
                    );
                    metrics.block_execution_seconds.observe(started.elapsed().as_secs_f64());
                    r
                })
                .await;
            match built {
                Ok(Ok((block, executed))) => {
                    let _ = tx
                        .send(Internal::Built { height, round, block: Box::new(block), executed: Box::new(executed) })
                        .await;
                }
                Ok(Err(BuildError::Storage(error))) => {
                    let during = "building a proposal";
                    let _ = tx.send(Internal::StorageFault { height, round, during, error }).await;
                }
                Ok(Err(e)) => warn!(target: "tamga::consensus", height, round, error = %e, "cannot build a proposal"),
                Err(e) => error!(target: "tamga::consensus", error = %e, "proposal builder panicked"),
            }
        });
    }

    fn spawn_validate(&self, height: Height, round: Round, block: Block) {
        let ledger = self.d.ledger.clone();
        let mempool = self.d.mempool.clone();
        let tx = self.internal_tx.clone();
        let drift = self.cfg.max_clock_drift_ms;
        let metrics = self.d.metrics.clone();
        let validators = self.validators.clone();
        let blocking = self.d.blocking;
        let clock = self.d.clock.clone();
        let retry = self.d.storage_retry;
        let kept = self.kept.clone();
        #[cfg(test)]
        let storage_as_invalid = self.storage_as_invalid;
        tokio::spawn(async move {
            let validated = blocking
                .run(move || {
                    let started = Instant::now();
                    let id = block.id();
                    let answer = match validate_with_retry(
                        &ledger,
                        &mempool,
                        &validators,
                        &block,
                        round,
                        drift,
                        retry,
                        clock.as_ref(),
                    ) {
                        Ok(e) => {
                            // Kept before the engine hears it is valid, so
                            // before it can lock on it ([`blocks`]).
                            Self::keep_block(&kept, &block);
                            Internal::Validated { height, round, id, executed: Some(Box::new(e)) }
                        }
                        Err(ValidateError::Invalid(why)) => {
                            warn!(target: "tamga::consensus", height, round, %id, %why, "proposal invalid");
                            Internal::Validated { height, round, id, executed: None }
                        }
                        #[cfg(test)]
                        Err(ValidateError::Storage(_)) if storage_as_invalid => {
                            Internal::Validated { height, round, id, executed: None }
                        }
                        // Not a verdict on the block: never a nil prevote.
                        Err(ValidateError::Storage(error)) => {
                            Internal::StorageFault { height, round, during: "validating a proposal", error }
                        }
                    };
                    metrics.block_execution_seconds.observe(started.elapsed().as_secs_f64());
                    answer
                })
                .await;
            match validated {
                Ok(v) => {
                    let _ = tx.send(v).await;
                }
                Err(e) => error!(target: "tamga::consensus", error = %e, "proposal validation panicked"),
            }
        });
    }

    async fn commit(
        &mut self,
        height: Height,
        round: Round,
        block: Block,
        certificate: Certificate,
    ) -> Result<(), DriverError> {
        let id = block.id();
        let cached = self.executed.remove(&id);
        self.executed.clear();
        let ledger = self.d.ledger.clone();
        let metrics = self.d.metrics.clone();
        let txs = block.txs.len();
        let feed_wanted = self.d.committed.receiver_count() > 0;
        let result = self
            .d
            .blocking
            .run(move || -> Result<(Block, Committed), tamga_state::StateError> {
                let executed = match cached {
                    Some(e) => e,
                    None => {
                        let h = &block.header;
                        let ctx = BlockContext { height: h.height, time_ms: h.time_ms, proposer: h.proposer };
                        ledger.execute(&ctx, &block.txs, &block.evidence, &HashSet::new())?
                    }
                };
                let mut summary = Committed {
                    failed: executed
                        .receipts
                        .iter()
                        .filter(|r| !matches!(r.outcome, tamga_types::TxOutcome::Success))
                        .count(),
                    state_root: executed.state_root,
                    tx_hashes: executed.tx_hashes.clone(),
                    feed: feed_wanted.then(|| Arc::new(CommittedBlock::new(&block, executed.receipts.clone()))),
                    security: SecurityEvent::from_receipts(&block, &executed.receipts),
                    standings: Vec::new(),
                };
                let started = Instant::now();
                ledger.commit(&block, &certificate, executed)?;
                metrics.block_commit_seconds.observe(started.elapsed().as_secs_f64());
                metrics.observe_pruning(&ledger);
                summary.standings = signer_standings(&ledger, &block.txs);
                Ok((block, summary))
            })
            .await
            .map_err(|source| DriverError::Task { task: "committing a block", source })?;
        let (block, executed) = result.map_err(|source| DriverError::Commit { height, source })?;
        let failed = executed.failed;
        let m = &self.d.metrics;
        m.blocks_committed.inc();
        m.txs_committed.inc_by(txs as u64);
        m.txs_failed.inc_by(failed as u64);
        m.block_txs.observe(txs as f64);
        m.block_interval_seconds.observe(self.last_commit.elapsed().as_secs_f64());
        m.height.set(height as i64);
        self.last_commit = Instant::now();
        // The commit pushes what it settled to the chain view and the mempool.
        self.d.chain.refresh_after_commit(&executed.standings);
        self.d.mempool.prune(&executed.tx_hashes, &executed.standings);
        m.mempool_txs.set(self.d.mempool.len() as i64);
        m.mempool_bytes.set(self.d.mempool.bytes() as i64);
        let included: HashSet<Hash> = block.evidence.iter().map(Evidence::id).collect();
        self.evidence_pool.retain(|e| !included.contains(&e.id()) && e.height() + EVIDENCE_HORIZON > height);
        info!(target: "tamga::consensus", height, round, txs, failed, block = %id, root = %executed.state_root, "committed");
        for ev in executed.security {
            self.d.security.record(ev);
        }
        self.publish_status(false);
        if let Some(b) = executed.feed {
            // Err only when nobody listens; subscribers read gaps from the ledger.
            let _ = self.d.committed.send(b);
        }
        Ok(())
    }

    fn publish_status(&self, syncing: bool) {
        let l = &self.d.ledger;
        let me = self.engine.public_key();
        self.d.status.send_modify(|s| {
            s.height = l.height().unwrap_or(s.height);
            s.last_block_hash = l.last_block_hash().unwrap_or(s.last_block_hash);
            s.last_block_time_ms = l.last_time_ms().unwrap_or(s.last_block_time_ms);
            s.state_root = l.state_root().unwrap_or(s.state_root);
            s.consensus_height = self.engine.height();
            s.consensus_round = self.engine.round();
            s.validator = self.validators.index_of(&me).is_some();
            s.syncing = syncing;
            s.peers = self.peers;
            s.mempool_txs = self.d.mempool.len();
        });
    }
}

#[cfg(test)]
mod tests;
