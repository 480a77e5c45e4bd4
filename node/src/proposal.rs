//! What a validator proposes and what it accepts: building a block from the
//! mempool ([`build_block`]), checking and re-executing a proposed block
//! ([`validate_block`]), and the chain view the mempool admits against
//! ([`LedgerChain`]).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use tamga_consensus::Engine;
use tamga_state::{BlockContext, BlockInvalid, ExecutedBlock, Ledger, Standing, StateError};
use tamga_types::codec::{BoundedVec, TooLong};
use tamga_types::{Block, BlockError, Evidence, Hash, Height, PublicKey, Round, SignedTransaction, ValidatorSet};
use tracing::{debug, warn};

use crate::mempool::{ChainView, Mempool};
use crate::{now_ms, Clock};

/// The chain as the mempool sees it; validator keys refreshed after each commit.
///
/// Signers' standings (next nonce, or why they may not sign) are cached
/// between commits: the mempool asks for the signer of every transaction it
/// admits (API and gossip, on every node) and of every account it reaps, and
/// a RocksDB read per transaction was a twentieth of a validator's CPU under
/// load (docs/performance.md). The cache is exact: [`LedgerChain::refresh`],
/// called after every commit, empties it and bumps a generation, and a value
/// read from the ledger is cached only if no refresh ran while it was read,
/// so a standing read before a commit never outlives it.
pub struct LedgerChain {
    ledger: Arc<Ledger>,
    validator_keys: RwLock<HashSet<PublicKey>>,
    nonces: Mutex<NonceCache>,
}

/// Standings read since the last commit.
#[derive(Default)]
struct NonceCache {
    generation: u64,
    next: HashMap<PublicKey, Standing>,
}

/// Most keys whose standing is cached between two commits.
const NONCE_CACHE_MAX: usize = 1 << 16;

impl LedgerChain {
    /// A view over `ledger`.
    pub fn new(ledger: Arc<Ledger>) -> Self {
        let me = LedgerChain {
            ledger,
            validator_keys: RwLock::new(HashSet::new()),
            nonces: Mutex::new(NonceCache::default()),
        };
        me.refresh();
        me
    }

    /// Reloads the validator keys of the next two heights (SPEC §1.9) and
    /// forgets the cached standings; call after every commit.
    pub fn refresh(&self) {
        {
            let mut c = self.nonce_cache();
            c.generation = c.generation.wrapping_add(1);
            c.next.clear();
        }
        let h = self.ledger.height().unwrap_or(0);
        let mut keys = HashSet::new();
        for height in [h + 1, h + 2] {
            if let Ok(set) = self.ledger.validators_at(height) {
                keys.extend(set.validators.iter().map(|v| v.key));
            }
        }
        if let Ok(mut w) = self.validator_keys.write() {
            *w = keys;
        }
    }

    /// [`LedgerChain::refresh`] after a commit that read `standings` (each
    /// signer of the block, after it: [`signer_standings`]); they are kept
    /// as the first cached standings of the new height, so admission and the
    /// next proposal read them without going to the ledger again.
    pub fn refresh_after_commit(&self, standings: &[(PublicKey, Standing)]) {
        self.refresh();
        let mut c = self.nonce_cache();
        for (key, standing) in standings.iter().take(NONCE_CACHE_MAX) {
            c.next.insert(*key, standing.clone());
        }
    }

    fn nonce_cache(&self) -> std::sync::MutexGuard<'_, NonceCache> {
        self.nonces.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl ChainView for LedgerChain {
    fn standing(&self, key: &PublicKey) -> Result<Standing, StateError> {
        let generation = {
            let c = self.nonce_cache();
            if let Some(s) = c.next.get(key) {
                return Ok(s.clone());
            }
            c.generation
        };
        let s = self.ledger.signer_standing(key)?;
        let mut c = self.nonce_cache();
        if c.generation == generation && c.next.len() < NONCE_CACHE_MAX {
            c.next.insert(*key, s.clone());
        }
        Ok(s)
    }
    fn is_committed(&self, tx: &Hash) -> Result<bool, StateError> {
        self.ledger.receipt(tx).map(|r| r.is_some())
    }
    fn is_validator_key(&self, key: &PublicKey) -> bool {
        self.validator_keys.read().map(|k| k.contains(key)).unwrap_or(false)
    }
}

/// The standing of each distinct signer of `txs` on the committed chain
/// (next nonce, or why it may not sign: SPEC §8 envelope), read by the
/// commit right after it wrote the block and pushed to the mempool
/// ([`Mempool::prune`]) and to the chain view
/// ([`LedgerChain::refresh_after_commit`]). A signer whose standing cannot be
/// read is left out: its waiting transactions stay until a proposal's screen
/// drops them.
pub fn signer_standings(ledger: &Ledger, txs: &[SignedTransaction]) -> Vec<(PublicKey, Standing)> {
    let mut seen = HashSet::new();
    txs.iter()
        .map(|t| t.tx.signer)
        .filter(|k| seen.insert(*k))
        .filter_map(|k| match ledger.signer_standing(&k) {
            Ok(s) => Some((k, s)),
            Err(e) => {
                warn!(target: "tamga::mempool", signer = %k, error = %e, "cannot read a signer's standing after a commit");
                None
            }
        })
        .collect()
}

/// Why no proposal could be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// Reading or executing against the ledger failed: a fault of this node.
    #[error("storage failure while building a proposal: {0}")]
    Storage(#[source] StateError),
    /// The block is still refused after every offending transaction and
    /// evidence was dropped (a bug: the screen and the execution disagree).
    #[error("the built block is refused: {0}")]
    Refused(#[source] BlockInvalid),
    /// Evidence was still refused after one retry per piece (a bug: every
    /// refused piece is dropped before the next try).
    #[error("evidence kept failing after every refused piece was dropped ({left} left)")]
    EvidenceKeptFailing {
        /// Pieces of evidence still in the block.
        left: usize,
    },
    /// A list outgrew its bound in the block encoding.
    #[error("block body: {0}")]
    Bounds(#[from] TooLong),
}

impl From<StateError> for BuildError {
    fn from(e: StateError) -> Self {
        BuildError::Storage(e)
    }
}

/// Whether a transaction the screen refused can never be in a block (and is
/// dropped from the mempool) rather than only not yet: a nonce ahead of the
/// signer's sequence waits for its predecessor.
fn refused_for_good(why: &BlockInvalid) -> bool {
    !matches!(why, BlockInvalid::NonceOutOfSequence { expected, got, .. } if got > expected)
}

/// Reaps the mempool and executes a new block for `(height, round)`.
///
/// The reaped transactions are screened once against the state at the start
/// of the block (`Ledger::screen`: duplicates, chain id, signatures, the
/// signer's standing and nonce sequence, SPEC §8) and every refused one is
/// left out in that one pass; those that can never be included leave the
/// mempool too. The block is then executed once; only evidence that fails
/// verification is dropped and the execution repeated (at most once per
/// piece of evidence).
pub fn build_block(
    ledger: &Ledger,
    mempool: &Mempool,
    chain: &dyn ChainView,
    proposer: PublicKey,
    height: Height,
    round: Round,
    evidence: &mut Vec<Evidence>,
) -> Result<(Block, ExecutedBlock), BuildError> {
    build_block_at(ledger, mempool, chain, proposer, height, round, evidence, now_ms())
}

/// [`build_block`] with the wall clock's reading `now_ms` (the driver's
/// [`Clock`]): the block time is `now_ms`, or one past the last block's
/// time if that is later (SPEC §8: block times increase).
#[allow(clippy::too_many_arguments)]
pub fn build_block_at(
    ledger: &Ledger,
    mempool: &Mempool,
    chain: &dyn ChainView,
    proposer: PublicKey,
    height: Height,
    round: Round,
    evidence: &mut Vec<Evidence>,
    now_ms: u64,
) -> Result<(Block, ExecutedBlock), BuildError> {
    let params = ledger.params()?;
    let mut txs = mempool.reap(chain, params.max_block_txs as usize, 16 * 1024 * 1024);
    evidence.truncate(tamga_types::codec::limits::MAX_EVIDENCE);
    let time_ms = now_ms.max(ledger.last_time_ms()? + 1);
    let ctx = BlockContext { height, time_ms, proposer };
    let hashes: Vec<Hash> = txs.iter().map(|t| t.hash()).collect();
    let pre = mempool.preverified(&hashes);
    let refused = ledger.screen(&txs, &pre)?;
    if !refused.is_empty() {
        let mut out = vec![false; txs.len()];
        let mut gone = Vec::new();
        for why in &refused {
            let Some(i) = why.tx_index() else { continue };
            if let (Some(slot), Some(h)) = (out.get_mut(i), hashes.get(i)) {
                *slot = true;
                if refused_for_good(why) {
                    gone.push(*h);
                }
            }
        }
        let mut keep = out.iter();
        txs.retain(|_| keep.next().is_some_and(|o| !o));
        mempool.remove(&gone);
        debug!(target: "tamga::consensus", height, round, left_out = refused.len(), dropped = gone.len(), first = %refused[0], "proposal: refused transactions left out");
    }
    for _ in 0..=evidence.len() {
        match ledger.execute(&ctx, &txs, evidence, &pre) {
            Ok(executed) => {
                let header = executed.header(round);
                let block = Block { header, txs: BoundedVec::new(txs)?, evidence: BoundedVec::new(evidence.clone())? };
                return Ok((block, executed));
            }
            Err(BlockInvalid::BadEvidence { index, .. }) if index < evidence.len() => {
                evidence.remove(index);
            }
            Err(BlockInvalid::DuplicateEvidence { id }) => evidence.retain(|e| e.id() != id),
            Err(BlockInvalid::Storage(e)) => return Err(BuildError::Storage(*e)),
            Err(e) => return Err(BuildError::Refused(e)),
        }
    }
    Err(BuildError::EvidenceKeptFailing { left: evidence.len() })
}

/// [`build_block`], tried again with backoff while it fails on storage (a
/// blocking call: run it on a blocking thread).
#[allow(clippy::too_many_arguments)]
pub fn build_with_retry(
    ledger: &Ledger,
    mempool: &Mempool,
    chain: &dyn ChainView,
    proposer: PublicKey,
    height: Height,
    round: Round,
    evidence: &mut Vec<Evidence>,
    retry: StorageRetry,
    clock: &dyn Clock,
) -> Result<(Block, ExecutedBlock), BuildError> {
    let mut wait = retry.backoff;
    let mut attempt = 0u32;
    loop {
        match build_block_at(ledger, mempool, chain, proposer, height, round, evidence, clock.now_ms()) {
            Err(BuildError::Storage(e)) if attempt < retry.retries => {
                attempt += 1;
                warn!(target: "tamga::consensus", height, round, attempt, retries = retry.retries, error = %e, "storage failure while building a proposal; retrying");
                std::thread::sleep(wait);
                wait = wait.saturating_mul(2);
            }
            other => return other,
        }
    }
}

/// Why a proposed block is not accepted: invalid (vote nil) or not known
/// because this node's storage failed (never a vote).
#[derive(Debug, thiserror::Error)]
pub enum ValidateError {
    /// The block is invalid: a nil prevote.
    #[error(transparent)]
    Invalid(Box<InvalidProposal>),
    /// Reading or executing against the ledger failed: the block may be
    /// valid, so this node must not vote against it (retry, then stop).
    #[error("storage failure while validating a proposal: {0}")]
    Storage(#[source] StateError),
}

impl From<StateError> for ValidateError {
    fn from(e: StateError) -> Self {
        match e {
            StateError::Block(b) => b.into(),
            e => ValidateError::Storage(e),
        }
    }
}

impl From<BlockInvalid> for ValidateError {
    fn from(e: BlockInvalid) -> Self {
        match e {
            BlockInvalid::Storage(e) => ValidateError::Storage(*e),
            e => InvalidProposal::Execution(e).into(),
        }
    }
}

impl From<InvalidProposal> for ValidateError {
    fn from(e: InvalidProposal) -> Self {
        ValidateError::Invalid(Box::new(e))
    }
}

/// Why a proposed block is invalid (SPEC §8, §9).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[allow(missing_docs)]
pub enum InvalidProposal {
    /// Another chain's block.
    #[error("chain id {got:?}, expected {expected:?}")]
    ChainId { got: String, expected: String },
    /// Not the next height.
    #[error("height {got}, expected {expected}")]
    Height { got: Height, expected: Height },
    /// Not on the last block.
    #[error("parent {got}, expected {expected}")]
    Parent { got: Hash, expected: Hash },
    /// The header's round is later than the proposal's.
    #[error("header round {header} above proposal round {proposal}")]
    RoundAbove { header: Round, proposal: Round },
    /// Not the proposer of the header's round.
    #[error("proposer {proposer} is not the proposer of round {round}")]
    NotProposer { proposer: PublicKey, round: Round },
    /// Too far in the future.
    #[error("block time {time_ms} is more than {max_drift_ms} ms ahead of the local clock ({now_ms})")]
    TimeAhead { time_ms: u64, now_ms: u64, max_drift_ms: u64 },
    /// The body does not match the header.
    #[error("body: {0}")]
    Body(#[from] BlockError),
    /// Execution refuses the block.
    #[error("{0}")]
    Execution(BlockInvalid),
    /// The header is not the one execution gives.
    #[error("header mismatch after execution: state root {header_state_root} (ours {state_root}), validators {header_next_validators} (ours {next_validators})")]
    HeaderMismatch { header_state_root: Hash, state_root: Hash, header_next_validators: Hash, next_validators: Hash },
}

/// Checks a proposed block against the chain and re-executes it.
pub fn validate_block(
    ledger: &Ledger,
    mempool: &Mempool,
    validators: &ValidatorSet,
    block: &Block,
    round: Round,
    max_drift_ms: u64,
) -> Result<ExecutedBlock, ValidateError> {
    validate_block_at(ledger, mempool, validators, block, round, max_drift_ms, now_ms())
}

/// [`validate_block`] against the wall clock's reading `now_ms` (the
/// driver's [`Clock`]): a block time more than `max_drift_ms` ahead of it is
/// refused (SPEC §8).
pub fn validate_block_at(
    ledger: &Ledger,
    mempool: &Mempool,
    validators: &ValidatorSet,
    block: &Block,
    round: Round,
    max_drift_ms: u64,
    now_ms: u64,
) -> Result<ExecutedBlock, ValidateError> {
    let h = &block.header;
    let chain_id = ledger.chain_id()?;
    if h.chain_id.as_str() != chain_id {
        return Err(InvalidProposal::ChainId { got: h.chain_id.to_string(), expected: chain_id }.into());
    }
    let last = ledger.height()?;
    if h.height != last + 1 {
        return Err(InvalidProposal::Height { got: h.height, expected: last + 1 }.into());
    }
    let parent = ledger.last_block_hash()?;
    if h.parent_hash != parent {
        return Err(InvalidProposal::Parent { got: h.parent_hash, expected: parent }.into());
    }
    if h.round > round {
        return Err(InvalidProposal::RoundAbove { header: h.round, proposal: round }.into());
    }
    let expected = Engine::<Block>::proposer(validators, h.height, h.round);
    if expected != Some(h.proposer) {
        return Err(InvalidProposal::NotProposer { proposer: h.proposer, round: h.round }.into());
    }
    let now = now_ms;
    if h.time_ms > now + max_drift_ms {
        return Err(InvalidProposal::TimeAhead { time_ms: h.time_ms, now_ms: now, max_drift_ms }.into());
    }
    block.check_body().map_err(InvalidProposal::Body)?;
    let hashes: Vec<Hash> = block.txs.iter().map(|t| t.hash()).collect();
    let pre = mempool.preverified(&hashes);
    let ctx = BlockContext { height: h.height, time_ms: h.time_ms, proposer: h.proposer };
    let executed = ledger.execute(&ctx, &block.txs, &block.evidence, &pre)?;
    let mine = executed.header(h.round);
    if &mine != h {
        return Err(InvalidProposal::HeaderMismatch {
            header_state_root: h.state_root,
            state_root: mine.state_root,
            header_next_validators: h.next_validators_hash,
            next_validators: mine.next_validators_hash,
        }
        .into());
    }
    Ok(executed)
}

/// How often a validation that failed on storage is tried again, and how
/// long to wait before each try (doubling).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StorageRetry {
    /// Tries after the first.
    pub retries: u32,
    /// Wait before the first retry; each later one waits twice the previous.
    pub backoff: Duration,
}

impl Default for StorageRetry {
    /// Three retries after 100, 200 and 400 ms: a transient fault (a busy
    /// disk, a compaction stall) passes within well under a propose timeout,
    /// and a persistent one stops the node in under a second.
    fn default() -> Self {
        StorageRetry { retries: 3, backoff: Duration::from_millis(100) }
    }
}

/// [`validate_block`], tried again with backoff while it fails on storage
/// (a blocking call: run it on a blocking thread). An invalid block is
/// answered at once; a storage failure that outlasts `retry` is returned as
/// [`ValidateError::Storage`], which the driver turns into a stop, never into
/// a nil prevote.
#[allow(clippy::too_many_arguments)]
pub fn validate_with_retry(
    ledger: &Ledger,
    mempool: &Mempool,
    validators: &ValidatorSet,
    block: &Block,
    round: Round,
    max_drift_ms: u64,
    retry: StorageRetry,
    clock: &dyn Clock,
) -> Result<ExecutedBlock, ValidateError> {
    let mut wait = retry.backoff;
    let mut attempt = 0u32;
    loop {
        match validate_block_at(ledger, mempool, validators, block, round, max_drift_ms, clock.now_ms()) {
            Err(ValidateError::Storage(e)) if attempt < retry.retries => {
                attempt += 1;
                warn!(target: "tamga::consensus", height = block.header.height, round, attempt, retries = retry.retries, error = %e, "storage failure while validating a proposal; retrying");
                std::thread::sleep(wait);
                wait = wait.saturating_mul(2);
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::tests::{cast, genesis, key, sign, Cast, CHAIN};
    use crate::mempool::{Checked, MempoolLimits};
    use tamga_types::{Payload, RevocationReason, SignedTransaction, SigningKey};

    /// A chain view that admits every signer with nonce 0: transactions
    /// admitted before the chain refused their signer (or by a peer that does
    /// not check), which only the proposer's screen can catch.
    struct Lenient;
    impl ChainView for Lenient {
        fn standing(&self, _: &PublicKey) -> Result<Standing, StateError> {
            Ok(Standing::Active { next_nonce: 0 })
        }
        fn is_committed(&self, _: &Hash) -> Result<bool, StateError> {
            Ok(false)
        }
        fn is_validator_key(&self, _: &PublicKey) -> bool {
            false
        }
    }

    fn ledger() -> Arc<Ledger> {
        let l = Ledger::open_in_memory().unwrap();
        l.init_genesis(&genesis()).unwrap();
        Arc::new(l)
    }

    fn revoke(k: &SigningKey, nonce: u64, whom: &SigningKey) -> SignedTransaction {
        sign(k, nonce, Payload::RevokeAccount { key: whom.public(), reason: RevocationReason::HolderRequest })
    }

    fn put(mempool: &Mempool, txs: &[SignedTransaction]) {
        let checked = txs.iter().map(|t| Checked { tx: t.clone(), hash: t.hash(), bytes: t.encode().len() }).collect();
        assert!(mempool.insert(&Lenient, checked).iter().all(Result::is_ok));
    }

    fn proposer(l: &Ledger, c: &Cast) -> (PublicKey, Height) {
        let h = l.height().unwrap() + 1;
        let set = l.validators_at(h).unwrap();
        let p = Engine::<Block>::proposer(&set, h, 0).unwrap();
        assert!(c.validators.iter().any(|v| v.public() == p));
        (p, h)
    }

    /// The proposer's one pass: 100 transactions of unknown signers mixed
    /// with good ones (and a stale and an out-of-sequence nonce) cost one
    /// screen and one execution; every good transaction is in the block, the
    /// block validates, and the transactions that can never be included
    /// leave the mempool while the one waiting for its predecessor stays.
    #[test]
    fn build_block_leaves_out_every_bad_transaction_in_one_pass() {
        let l = ledger();
        let c = cast();
        let mempool = Mempool::new(CHAIN, MempoolLimits::default());
        let mut all = Vec::new();
        let mut good = Vec::new();
        for i in 0..100u32 {
            let stranger = SigningKey::from_seed(*Hash::digest(b"stranger", &i.to_be_bytes()).as_bytes());
            all.push(revoke(&stranger, 0, &stranger));
            if i % 25 == 0 {
                // Good ones spread among them: alice revokes strangers' keys
                // (payload failures: they are not accounts) with nonces 0..4.
                let t = revoke(&c.alice, u64::from(i / 25), &stranger);
                good.push(t.clone());
                all.push(t);
            }
        }
        let ahead = revoke(&c.bob, 5, &key(50));
        all.push(ahead.clone());
        put(&mempool, &all);
        assert_eq!(mempool.len(), 105);
        let (me, h) = proposer(&l, &c);
        let mut evidence = Vec::new();
        // `Lenient` reaps them all, as a mempool filled before the chain
        // refused them would: the screen must catch them.
        let (block, executed) = build_block(&l, &mempool, &Lenient, me, h, 0, &mut evidence).unwrap();
        let got: Vec<Hash> = block.txs.iter().map(SignedTransaction::hash).collect();
        assert_eq!(got, good.iter().map(SignedTransaction::hash).collect::<Vec<_>>());
        assert_eq!(executed.receipts.len(), 4);
        let validators = l.validators_at(h).unwrap();
        validate_block(&l, &mempool, &validators, &block, 0, 60_000).unwrap();
        // The unknown signers' transactions are gone; bob's nonce 5 waits for 0..4.
        assert_eq!(mempool.len(), 5, "the 4 good ones (until committed) and bob's");
        assert!(mempool.contains(&ahead.hash()));
    }

    /// SPEC §8 at the validator: a block whose transaction has an unknown
    /// signer at the start of the block is invalid (a nil prevote), with
    /// the code and the index.
    #[test]
    fn a_block_with_an_unknown_signer_is_invalid() {
        let l = ledger();
        let c = cast();
        let chain = LedgerChain::new(l.clone());
        let mempool = Mempool::new(CHAIN, MempoolLimits::default());
        put(&mempool, &[revoke(&c.alice, 0, &key(40))]);
        let (me, h) = proposer(&l, &c);
        let (good, _) = build_block(&l, &mempool, &chain, me, h, 0, &mut Vec::new()).unwrap();
        // The same header shape, with a stranger's transaction slipped in.
        let stranger = key(41);
        let mut txs = good.txs.clone().into_inner();
        txs.push(revoke(&stranger, 0, &stranger));
        let mut bad = good.clone();
        bad.txs = BoundedVec::new(txs).unwrap();
        bad.header.tx_root = Block::compute_tx_root(&bad.txs);
        let validators = l.validators_at(h).unwrap();
        match validate_block(&l, &mempool, &validators, &bad, 0, 60_000) {
            Err(ValidateError::Invalid(p)) => match *p {
                InvalidProposal::Execution(e) => {
                    assert_eq!((e.code(), e.tx_index()), ("UNKNOWN_SIGNER", Some(1)), "{e}")
                }
                other => panic!("expected an execution refusal, got {other:?}"),
            },
            other => panic!("expected an invalid block, got {other:?}"),
        }
    }

    /// A disk that fails while a proposal is validated is not a verdict on
    /// the block: validation is retried with backoff, recovers from a
    /// transient fault, and after the bounded retries answers a storage
    /// failure (the driver stops on it), never "invalid".
    #[test]
    fn a_storage_failure_during_validation_is_retried_then_reported_never_invalid() {
        let l = ledger();
        let c = cast();
        let chain = LedgerChain::new(l.clone());
        let mempool = Mempool::new(CHAIN, MempoolLimits::default());
        put(&mempool, &[revoke(&c.alice, 0, &key(40))]);
        let (me, h) = proposer(&l, &c);
        let (block, _) = build_block(&l, &mempool, &chain, me, h, 0, &mut Vec::new()).unwrap();
        let validators = l.validators_at(h).unwrap();
        let retry = StorageRetry { retries: 3, backoff: Duration::from_millis(1) };
        let validate = || validate_with_retry(&l, &mempool, &validators, &block, 0, 60_000, retry, &crate::SystemClock);

        // Transient: two failed reads, then the disk answers.
        l.inject_read_faults(2);
        assert!(validate().is_ok(), "recovered after two retries");
        assert_eq!(l.read_faults_left(), 0);

        // Persistent: one failed read per attempt, 1 + 3 attempts, then a storage error.
        l.inject_read_faults(1_000);
        match validate() {
            Err(ValidateError::Storage(e)) => {
                assert!(matches!(e, StateError::InjectedFault { .. }), "{e}");
                assert!(e.is_fault());
            }
            other => panic!("a failing disk must not read as a verdict on the block: {other:?}"),
        }
        assert_eq!(l.read_faults_left(), 1_000 - 4, "exactly the bounded retries");

        // A fault in the middle of execution (not the first read) is a storage error too.
        l.inject_read_faults_after(10, 1_000);
        assert!(matches!(validate(), Err(ValidateError::Storage(_))));
        l.inject_read_faults(0);

        // An invalid block is answered at once, without retries.
        let mut bad = block.clone();
        bad.header.parent_hash = Hash::digest(b"x", b"y");
        l.inject_read_faults(0);
        assert!(matches!(
            validate_with_retry(&l, &mempool, &validators, &bad, 0, 60_000, retry, &crate::SystemClock),
            Err(ValidateError::Invalid(p)) if matches!(*p, InvalidProposal::Parent { .. })
        ));
        assert!(validate().is_ok());
    }

    /// What the commit pushes on a real ledger: the committed hash leaves
    /// the mempool, and so does this node's rival transaction with the nonce
    /// the block spent; the next nonce waits. The chain view answers the
    /// raised next nonce from the push, without reading the ledger, and
    /// admission refuses the spent nonce naming it.
    #[test]
    fn a_commit_pushes_committed_hashes_and_next_nonces() {
        use tamga_types::{Certificate, Vote, VoteData, VoteKind};
        let l = ledger();
        let c = cast();
        let chain = LedgerChain::new(l.clone());
        let mempool = Mempool::new(CHAIN, MempoolLimits::default());
        let rival = revoke(&c.alice, 0, &key(40));
        let next = revoke(&c.alice, 1, &key(41));
        put(&mempool, &[rival.clone(), next.clone()]);
        // Another proposer's block carries alice's nonce 0 in another transaction.
        let committed = revoke(&c.alice, 0, &key(42));
        let (proposer, height) = proposer(&l, &c);
        let ctx = BlockContext { height, time_ms: l.last_time_ms().unwrap() + 1000, proposer };
        let txs = vec![committed.clone()];
        let ex = l.execute(&ctx, &txs, &[], &HashSet::new()).unwrap();
        let block = Block { header: ex.header(0), txs: BoundedVec::new(txs).unwrap(), evidence: BoundedVec::default() };
        let data = VoteData { kind: VoteKind::Precommit, height, round: 0, block_hash: block.hash() };
        let votes: Vec<Vote> = c.validators.iter().map(|v| Vote::sign(v, CHAIN, data.clone())).collect();
        let set = l.validators_at(height).unwrap();
        let hashes = ex.tx_hashes.clone();
        l.commit(&block, &Certificate::from_votes(data, &set, &votes), ex).unwrap();

        let standings = signer_standings(&l, &block.txs);
        assert_eq!(standings, vec![(c.alice.public(), Standing::Active { next_nonce: 1 })]);
        chain.refresh_after_commit(&standings);
        mempool.prune(&hashes, &standings);
        assert!(!mempool.contains(&rival.hash()), "nonce 0 is spent");
        assert!(mempool.contains(&next.hash()));
        assert_eq!(mempool.len(), 1);

        l.inject_read_faults(1_000);
        assert_eq!(chain.standing(&c.alice.public()).unwrap(), Standing::Active { next_nonce: 1 }, "from the push");
        l.inject_read_faults(0);
        let e = mempool.submit_raw(&chain, &[&rival.encode()]).remove(0).unwrap_err();
        assert_eq!(
            e,
            crate::mempool::MempoolError::StaleNonce { signer: c.alice.public(), expected: 1, got: 0 },
            "{e}"
        );
    }
}
