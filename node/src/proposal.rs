//! What a validator proposes and what it accepts: building a block from the
//! mempool ([`build_block`]), checking and re-executing a proposed block
//! ([`validate_block`]), and the chain view the mempool admits against
//! ([`LedgerChain`]).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, RwLock};

use tamga_consensus::Engine;
use tamga_state::{BlockContext, ExecutedBlock, Ledger};
use tamga_types::codec::BoundedVec;
use tamga_types::{Block, Evidence, Hash, Height, PublicKey, Round, ValidatorSet};

use crate::mempool::{ChainView, Mempool};
use crate::now_ms;

/// The chain as the mempool sees it; validator keys refreshed after each commit.
///
/// Next nonces are cached between commits: the mempool asks for the signer's
/// nonce of every transaction it admits (API and gossip, on every node) and
/// of every account it reaps, and a RocksDB read per transaction was a
/// twentieth of a validator's CPU under load (docs/performance.md). The cache
/// is exact: [`LedgerChain::refresh`], called after every commit, empties it
/// and bumps a generation, and a value read from the ledger is cached only if
/// no refresh ran while it was read, so a nonce read before a commit never
/// outlives it.
pub struct LedgerChain {
    ledger: Arc<Ledger>,
    validator_keys: RwLock<HashSet<PublicKey>>,
    nonces: Mutex<NonceCache>,
}

/// Next nonces read since the last commit.
#[derive(Default)]
struct NonceCache {
    generation: u64,
    next: HashMap<PublicKey, u64>,
}

/// Most accounts whose nonce is cached between two commits.
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
    /// forgets the cached nonces; call after every commit.
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

    fn nonce_cache(&self) -> std::sync::MutexGuard<'_, NonceCache> {
        self.nonces.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl ChainView for LedgerChain {
    fn next_nonce(&self, key: &PublicKey) -> Result<u64, String> {
        let generation = {
            let c = self.nonce_cache();
            if let Some(n) = c.next.get(key) {
                return Ok(*n);
            }
            c.generation
        };
        let n = self.ledger.nonce(key).map_err(|e| e.to_string())?;
        let mut c = self.nonce_cache();
        if c.generation == generation && c.next.len() < NONCE_CACHE_MAX {
            c.next.insert(*key, n);
        }
        Ok(n)
    }
    fn is_committed(&self, tx: &Hash) -> Result<bool, String> {
        self.ledger.receipt(tx).map(|r| r.is_some()).map_err(|e| e.to_string())
    }
    fn is_validator_key(&self, key: &PublicKey) -> bool {
        self.validator_keys.read().map(|k| k.contains(key)).unwrap_or(false)
    }
}

/// Reaps the mempool and executes a new block for `(height, round)`; drops
/// transactions (and evidence) that make the block invalid and retries.
pub fn build_block(
    ledger: &Ledger,
    mempool: &Mempool,
    chain: &dyn ChainView,
    proposer: PublicKey,
    height: Height,
    round: Round,
    evidence: &mut Vec<Evidence>,
) -> Result<(Block, ExecutedBlock), String> {
    let params = ledger.params().map_err(|e| e.to_string())?;
    let mut txs = mempool.reap(chain, params.max_block_txs as usize, 16 * 1024 * 1024);
    evidence.truncate(tamga_types::codec::limits::MAX_EVIDENCE);
    let time_ms = now_ms().max(ledger.last_time_ms().map_err(|e| e.to_string())? + 1);
    let ctx = BlockContext { height, time_ms, proposer };
    for _ in 0..8 {
        let hashes: Vec<Hash> = txs.iter().map(|t| t.hash()).collect();
        let pre = mempool.preverified(&hashes);
        match ledger.execute(&ctx, &txs, evidence, &pre) {
            Ok(executed) => {
                let header = executed.header(round);
                let block = Block {
                    header,
                    txs: BoundedVec::new(txs).map_err(|e| e.to_string())?,
                    evidence: BoundedVec::new(evidence.clone()).map_err(|e| e.to_string())?,
                };
                return Ok((block, executed));
            }
            Err(tamga_state::BlockInvalid::DuplicateTx { index, .. })
            | Err(tamga_state::BlockInvalid::BadSignature { index, .. })
            | Err(tamga_state::BlockInvalid::WrongChainId { index, .. }) => {
                if index < txs.len() {
                    let bad = txs.remove(index);
                    mempool.remove_committed(chain, &[bad.hash()], &[]);
                }
            }
            Err(tamga_state::BlockInvalid::BadEvidence { index, .. }) => {
                if index < evidence.len() {
                    evidence.remove(index);
                }
            }
            Err(tamga_state::BlockInvalid::DuplicateEvidence { id }) => evidence.retain(|e| e.id() != id),
            Err(tamga_state::BlockInvalid::TooManyTxs { max, .. }) => txs.truncate(max as usize),
            Err(e) => return Err(e.to_string()),
        }
    }
    Err("could not build a valid block after 8 attempts".into())
}

/// Checks a proposed block against the chain and re-executes it.
pub fn validate_block(
    ledger: &Ledger,
    mempool: &Mempool,
    validators: &ValidatorSet,
    block: &Block,
    round: Round,
    max_drift_ms: u64,
) -> Result<ExecutedBlock, String> {
    let h = &block.header;
    let chain_id = ledger.chain_id().map_err(|e| e.to_string())?;
    if h.chain_id.as_str() != chain_id {
        return Err(format!("chain id {:?}, expected {chain_id:?}", h.chain_id.as_str()));
    }
    let last = ledger.height().map_err(|e| e.to_string())?;
    if h.height != last + 1 {
        return Err(format!("height {}, expected {}", h.height, last + 1));
    }
    let parent = ledger.last_block_hash().map_err(|e| e.to_string())?;
    if h.parent_hash != parent {
        return Err(format!("parent {}, expected {parent}", h.parent_hash));
    }
    if h.round > round {
        return Err(format!("header round {} above proposal round {round}", h.round));
    }
    let expected = Engine::<Block>::proposer(validators, h.height, h.round);
    if expected != Some(h.proposer) {
        return Err(format!("proposer {} is not the proposer of round {}", h.proposer, h.round));
    }
    if h.time_ms > now_ms() + max_drift_ms {
        return Err(format!("block time {} is more than {max_drift_ms} ms ahead of the local clock", h.time_ms));
    }
    block.check_body().map_err(|e| e.to_string())?;
    let hashes: Vec<Hash> = block.txs.iter().map(|t| t.hash()).collect();
    let pre = mempool.preverified(&hashes);
    let ctx = BlockContext { height: h.height, time_ms: h.time_ms, proposer: h.proposer };
    let executed = ledger.execute(&ctx, &block.txs, &block.evidence, &pre).map_err(|e| e.to_string())?;
    let mine = executed.header(h.round);
    if &mine != h {
        return Err(format!(
            "header mismatch after execution: state root {} (ours {}), validators {} (ours {})",
            h.state_root, mine.state_root, h.next_validators_hash, mine.next_validators_hash
        ));
    }
    Ok(executed)
}
