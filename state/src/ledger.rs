//! The [`Ledger`]: genesis, speculative execution, atomic commit and the
//! chain-level getters used by consensus, the node and the mempool.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use jmt::storage::{LeafNode, Node, NodeBatch, NodeKey, TreeReader};
use jmt::{KeyHash, OwnedValue, Sha256Jmt, Version};
use tamga_types::{
    BatchVerifier, Block, BlockHeader, Certificate, Evidence, Genesis, Hash, Height, Params, PublicKey, Receipt,
    SignedTransaction, ValidatorSet,
};

use crate::error::{BlockInvalid, CommitMismatch, EvidenceInvalid, Result, SignerRefused, Standing, StateError};
use crate::exec::{account_standing, execute_tx, party_standing, validators_at_view, BlockContext};
use crate::keys::{self, meta};
use crate::model::{AccountState, ChainInfo, EvidenceRecord};
use crate::store::{cf, dec, enc, Batch, Space, Store, View, Writes};

/// Names in the `meta` column family.
pub(crate) mod meta_cf {
    pub const HEIGHT: &[u8] = b"height";
    pub const LAST_BLOCK_HASH: &[u8] = b"last_block_hash";
    pub const LAST_TIME: &[u8] = b"last_time_ms";
    pub const STATE_ROOT: &[u8] = b"state_root";
    pub const GENESIS_HASH: &[u8] = b"genesis_hash";
    pub const GENESIS_ROOT: &[u8] = b"genesis_root";
    /// The genesis value (borsh): its transactions answer height-0 lookups.
    pub const GENESIS: &[u8] = b"genesis";
    /// The oldest height whose state-tree version is whole (u64 BE; absent =
    /// 0): state proofs below it are refused ([`crate::StateError::StatePruned`]).
    pub const OLDEST_STATE_VERSION: &[u8] = b"oldest_state_version";
    /// The `jmt_stale` key pruning goes on from.
    pub const PRUNE_CURSOR: &[u8] = b"prune_cursor";
    /// The last height whose signers' account proofs are in `account_proofs`.
    pub const ACCOUNT_PROOFS_THROUGH: &[u8] = b"account_proofs_through";
}

/// Pruning of old state-tree versions (`[storage] retain_state_versions`):
/// the window, the bound on deletions per commit, and what has been removed.
#[derive(Debug, Default)]
pub(crate) struct Pruning {
    /// State-tree versions kept, the latest included; 0 keeps all.
    retain: AtomicU64,
    /// Most stale tree entries removed by one commit.
    max_deletes: AtomicU64,
    /// Stale entries removed since the ledger was opened.
    removed: AtomicU64,
}

/// The result of executing a block against committed state, not yet written.
#[derive(Debug, Clone)]
pub struct ExecutedBlock {
    /// Height executed.
    pub height: Height,
    /// Block time.
    pub time_ms: u64,
    /// Proposer.
    pub proposer: PublicKey,
    /// Chain id.
    pub chain_id: String,
    /// Parent block hash.
    pub parent_hash: Hash,
    /// Hashes of the executed transactions, in order.
    pub tx_hashes: Vec<Hash>,
    /// Merkle root of the transactions.
    pub tx_root: Hash,
    /// Hash of the evidence list.
    pub evidence_root: Hash,
    /// One receipt per transaction.
    pub receipts: Vec<Receipt>,
    /// Merkle root of the receipts ([`Receipt::compute_root`]).
    pub receipts_root: Hash,
    /// Evidence recorded by this block.
    pub evidence: Vec<EvidenceRecord>,
    /// State root after the block (JMT root at version `height`).
    pub state_root: Hash,
    /// Set certifying this block.
    pub validators: ValidatorSet,
    /// Set certifying the next block.
    pub next_validators: ValidatorSet,
    /// Pending writes: state, indexes and JMT nodes.
    pub(crate) batch: Batch,
    /// The tree nodes and values of this version, for the signers' account
    /// proofs kept at commit while pruning is on.
    pub(crate) tree: Arc<NodeBatch>,
}

impl ExecutedBlock {
    /// The header a proposer puts on this block (SPEC §10: `state_root` after execution).
    pub fn header(&self, round: u32) -> BlockHeader {
        BlockHeader {
            chain_id: tamga_types::ChainId::new(self.chain_id.clone()).unwrap_or_default(),
            height: self.height,
            round,
            time_ms: self.time_ms,
            parent_hash: self.parent_hash,
            proposer: self.proposer,
            tx_root: self.tx_root,
            evidence_root: self.evidence_root,
            state_root: self.state_root,
            receipts_root: self.receipts_root,
            validators_hash: self.validators.hash(),
            next_validators_hash: self.next_validators.hash(),
        }
    }
}

/// The ledger over one RocksDB database.
pub struct Ledger {
    pub(crate) store: Store,
    pub(crate) pruning: Pruning,
}

/// The tree as it will be once a block's pending nodes are written: the
/// block's nodes and values first, then the store (proofs at the block's
/// own version before its batch is written).
struct Pending<'a> {
    store: &'a Store,
    version: Version,
    nodes: &'a NodeBatch,
}

impl TreeReader for Pending<'_> {
    fn get_node_option(&self, node_key: &NodeKey) -> anyhow::Result<Option<Node>> {
        match self.nodes.get_node(node_key) {
            Some(n) => Ok(Some(n.clone())),
            None => self.store.get_node_option(node_key),
        }
    }

    fn get_value_option(&self, max_version: Version, key_hash: KeyHash) -> anyhow::Result<Option<OwnedValue>> {
        if max_version >= self.version {
            if let Some(v) = self.nodes.values().get(&(self.version, key_hash)) {
                return Ok(v.clone());
            }
        }
        self.store.get_value_option(max_version, key_hash)
    }

    fn get_rightmost_leaf(&self) -> anyhow::Result<Option<(NodeKey, LeafNode)>> {
        Err(anyhow::anyhow!("tree restore is not supported by this store"))
    }
}

/// The signers' account proofs of one block as `account_proofs` keeps them
/// (key: height BE): every distinct proof sibling once (the siblings near
/// the root are shared by most signers of a block), and per signer its
/// account entry, its proof's leaf and the indexes of its siblings, bottom
/// up. [`BlockProofs::proof`] rebuilds the proof's exact bytes.
#[derive(Debug, Default, borsh::BorshSerialize, borsh::BorshDeserialize)]
struct BlockProofs {
    /// Distinct siblings: borsh of one `SparseMerkleNode` each.
    siblings: Vec<Vec<u8>>,
    /// Per signer, ascending by key.
    accounts: Vec<SignerProof>,
}

#[derive(Debug, borsh::BorshSerialize, borsh::BorshDeserialize)]
struct SignerProof {
    signer: PublicKey,
    value: Option<Vec<u8>>,
    /// Borsh of the proof's `Option<SparseMerkleLeafNode>`; `None` when it
    /// is the inclusion leaf of `value` ([`inclusion_leaf`]), which it
    /// nearly always is (a committed signer has an account).
    leaf: Option<Vec<u8>>,
    /// Indexes into [`BlockProofs::siblings`], each as an unsigned LEB128.
    siblings: Vec<u8>,
}

/// Borsh of `Some(SparseMerkleLeafNode)` proving `value` under `signer`'s
/// account key: the key's hash and the value's hash.
fn inclusion_leaf(signer: &PublicKey, value: Option<&Vec<u8>>) -> Option<Vec<u8>> {
    let value = value?;
    let mut leaf = vec![1u8];
    leaf.extend_from_slice(&KeyHash::with::<sha2::Sha256>(keys::account(signer)).0);
    leaf.extend_from_slice(&jmt::ValueHash::with::<sha2::Sha256>(value).0);
    Some(leaf)
}

fn push_leb128(out: &mut Vec<u8>, mut n: u32) {
    while n >= 0x80 {
        out.push((n as u8 & 0x7f) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// The LEB128 numbers of `b` (at most 5 bytes each, as a `u32`).
fn read_leb128(b: &[u8]) -> Result<Vec<u32>> {
    let bad = || StateError::Corrupt { what: "account proof", why: "bad sibling index".into() };
    let (mut out, mut n, mut shift) = (Vec::new(), 0u32, 0u32);
    for &byte in b {
        if shift > 28 {
            return Err(bad());
        }
        n |= u32::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            out.push(n);
            (n, shift) = (0, 0);
        } else {
            shift += 7;
        }
    }
    if shift != 0 {
        return Err(bad());
    }
    Ok(out)
}

/// Borsh sizes of the parts of a `SparseMerkleProof`: a leaf node and an
/// internal node are two hashes; the `Null` sibling has no payload.
const PROOF_NODE_BYTES: usize = 64;

impl BlockProofs {
    /// Adds `signer`'s proof, splitting its borsh bytes into leaf and siblings.
    fn add(&mut self, index: &mut HashMap<Vec<u8>, u32>, signer: PublicKey, proof: &AccountProof) -> Result<()> {
        let bytes = enc(&proof.1);
        let bad = |why: &str| StateError::Corrupt { what: "account proof", why: why.to_owned() };
        let leaf_len = match bytes.first() {
            Some(0) => 1,
            Some(1) => 1 + PROOF_NODE_BYTES,
            _ => return Err(bad("no leaf option tag")),
        };
        let count_at = bytes.get(leaf_len..leaf_len + 4).ok_or_else(|| bad("no sibling count"))?;
        let count = u32::from_le_bytes(count_at.try_into().map_err(|_| bad("sibling count"))?);
        let mut at = leaf_len + 4;
        let mut siblings = Vec::with_capacity(count as usize * 2);
        for _ in 0..count {
            let len = match bytes.get(at) {
                Some(0) => 1,
                Some(1 | 2) => 1 + PROOF_NODE_BYTES,
                _ => return Err(bad("unknown sibling tag")),
            };
            let node = bytes.get(at..at + len).ok_or_else(|| bad("truncated sibling"))?.to_vec();
            at += len;
            let next = u32::try_from(self.siblings.len()).map_err(|_| bad("too many siblings"))?;
            let i = *index.entry(node.clone()).or_insert_with(|| {
                self.siblings.push(node);
                next
            });
            push_leb128(&mut siblings, i);
        }
        if at != bytes.len() {
            return Err(bad("trailing bytes"));
        }
        let leaf = &bytes[..leaf_len];
        let leaf = (inclusion_leaf(&signer, proof.0.as_ref()).as_deref() != Some(leaf)).then(|| leaf.to_vec());
        self.accounts.push(SignerProof { signer, value: proof.0.clone(), leaf, siblings });
        Ok(())
    }

    /// `signer`'s account entry and proof, if the block holds it.
    fn proof(&self, signer: &PublicKey) -> Result<Option<AccountProof>> {
        let Ok(i) = self.accounts.binary_search_by(|a| a.signer.cmp(signer)) else { return Ok(None) };
        let a = &self.accounts[i];
        let missing = || StateError::Corrupt { what: "account proof", why: "no leaf and no value".into() };
        let mut bytes = match &a.leaf {
            Some(leaf) => leaf.clone(),
            None => inclusion_leaf(signer, a.value.as_ref()).ok_or_else(missing)?,
        };
        let siblings = read_leb128(&a.siblings)?;
        bytes.extend_from_slice(&(siblings.len() as u32).to_le_bytes());
        for s in siblings {
            let node = self.siblings.get(s as usize).ok_or(StateError::Corrupt {
                what: "account proof",
                why: format!("sibling {s} of {}", self.siblings.len()),
            })?;
            bytes.extend_from_slice(node);
        }
        Ok(Some((a.value.clone(), dec("account proof", &bytes)?)))
    }
}

/// A signer's account entry at a height with its proof (SPEC §10).
pub type AccountProof = (Option<Vec<u8>>, jmt::proof::SparseMerkleProof<sha2::Sha256>);

fn u64_of(b: Option<Vec<u8>>) -> u64 {
    b.and_then(|b| b.try_into().ok()).map(u64::from_be_bytes).unwrap_or(0)
}

fn hash_of(b: Option<Vec<u8>>) -> Hash {
    b.and_then(|b| <[u8; 32]>::try_from(b).ok()).map(Hash).unwrap_or(Hash::ZERO)
}

fn height_key(h: Height) -> Vec<u8> {
    h.to_be_bytes().to_vec()
}

impl Ledger {
    /// Opens or creates the database at `path`.
    pub fn open(path: &Path) -> Result<Ledger> {
        Ok(Ledger::from_store(Store::open(path)?))
    }

    /// Opens an empty ledger held in memory.
    pub fn open_in_memory() -> Result<Ledger> {
        Ok(Ledger::from_store(Store::open_in_memory()?))
    }

    /// A ledger over an opened store, pruning off.
    pub(crate) fn from_store(store: Store) -> Ledger {
        Ledger { store, pruning: Pruning::default() }
    }

    /// Most stale tree entries one commit removes unless told otherwise
    /// ([`Ledger::set_pruning`]).
    pub const DEFAULT_PRUNE_DELETES_PER_BLOCK: u64 = 200_000;

    /// Keeps the state tree's last `retain` versions (the latest included)
    /// and removes older ones, at most `max_deletes_per_block` stale entries
    /// per commit; `retain = 0` keeps every version (the default).
    ///
    /// While pruning is on, every commit also keeps each of the block's
    /// signers' account entry with its proof at that height (`account_proofs`),
    /// so the receipt bundle of every committed transaction stays producible
    /// (SPEC §1.8). Turning pruning on for a ledger that has committed blocks
    /// without it first stores those proofs for every height not yet covered,
    /// from the tree versions, which are whole at that point; this runs here,
    /// once, and may take a while on a long chain (it is logged).
    pub fn set_pruning(&self, retain: u64, max_deletes_per_block: u64) -> Result<()> {
        self.pruning.max_deletes.store(max_deletes_per_block.max(1), Ordering::SeqCst);
        if retain > 0 && self.store.get(cf::META, meta_cf::GENESIS_HASH)?.is_some() {
            self.backfill_account_proofs()?;
        }
        self.pruning.retain.store(retain, Ordering::SeqCst);
        Ok(())
    }

    /// The state-tree versions kept (0 = all).
    pub fn retain_state_versions(&self) -> u64 {
        self.pruning.retain.load(Ordering::SeqCst)
    }

    /// Stale tree entries (nodes and values) removed since the ledger was opened.
    pub fn pruned_entries(&self) -> u64 {
        self.pruning.removed.load(Ordering::SeqCst)
    }

    /// The oldest height at which state proofs are served (0 when nothing
    /// has been pruned).
    pub fn oldest_state_version(&self) -> Result<Height> {
        Ok(u64_of(self.store.get(cf::META, meta_cf::OLDEST_STATE_VERSION)?))
    }

    /// Stores the account proofs of every height after the last one covered.
    fn backfill_account_proofs(&self) -> Result<()> {
        let height = self.height()?;
        let from = u64_of(self.store.get(cf::META, meta_cf::ACCOUNT_PROOFS_THROUGH)?) + 1;
        if from > height {
            return Ok(());
        }
        let _span = tracing::info_span!(target: "tamga::state", "account_proofs_backfill", from, to = height).entered();
        tracing::info!(target: "tamga::state", from, to = height, "storing signers' account proofs before pruning");
        for h in from..=height {
            let Some(block) = self.block(h)? else {
                return Err(StateError::Missing { what: "a committed block (account proof backfill)" });
            };
            let mut batch = Batch::default();
            let (mut kept, mut index) = (BlockProofs::default(), HashMap::new());
            for signer in block.txs.iter().map(|t| t.tx.signer).collect::<BTreeSet<_>>() {
                kept.add(&mut index, signer, &self.get_with_proof(&keys::account(&signer), h)?)?;
            }
            if !kept.accounts.is_empty() {
                batch.put(cf::ACCOUNT_PROOFS, height_key(h), enc(&kept));
            }
            batch.put(cf::META, meta_cf::ACCOUNT_PROOFS_THROUGH.to_vec(), height_key(h));
            self.store.write(batch)?;
        }
        Ok(())
    }

    /// The signer's account entry with its proof at `height`: the one kept
    /// at commit while pruning is on, else from the state tree (refused with
    /// [`StateError::StatePruned`] if that version is gone).
    pub fn signer_account_proof(&self, signer: &PublicKey, height: Height) -> Result<AccountProof> {
        if let Some(b) = self.store.get(cf::ACCOUNT_PROOFS, &height_key(height))? {
            if let Some(found) = dec::<BlockProofs>("account proofs", &b)?.proof(signer)? {
                return Ok(found);
            }
        }
        self.get_with_proof(&keys::account(signer), height)
    }

    /// Applies `genesis` (height 0). Idempotent for the same genesis; an error if a different one is applied.
    pub fn init_genesis(&self, genesis: &Genesis) -> Result<Hash> {
        let given = genesis.hash();
        if let Some(stored) = self.store.get(cf::META, meta_cf::GENESIS_HASH)? {
            let stored = hash_of(Some(stored));
            if stored != given {
                return Err(StateError::GenesisMismatch { stored, given });
            }
            return Ok(hash_of(self.store.get(cf::META, meta_cf::GENESIS_ROOT)?));
        }
        let mut view = View::new(&self.store);
        let validators = crate::genesis::apply(&mut view, genesis)?;
        view.commit_tx();
        let mut receipts = Self::genesis_transactions(&mut view, genesis, &validators)?;
        // SPEC §9.4: operators' notices are checked once the genesis transactions ran.
        crate::genesis::check_validator_admission(&mut view, genesis, &mut receipts)?;
        let (root, mut batch, _) = self.seal(view.into_writes(), 0)?;
        for r in &receipts {
            let mut loc = height_key(0);
            loc.extend_from_slice(&r.index.to_be_bytes());
            batch.put(cf::RECEIPTS, loc.clone(), enc(r));
            batch.put(cf::TXS, r.tx_hash.0.to_vec(), loc);
        }
        batch.put(cf::META, meta_cf::GENESIS.to_vec(), enc(genesis));
        batch.put(cf::META, meta_cf::HEIGHT.to_vec(), height_key(0));
        batch.put(cf::META, meta_cf::LAST_BLOCK_HASH.to_vec(), Hash::ZERO.0.to_vec());
        batch.put(cf::META, meta_cf::LAST_TIME.to_vec(), genesis.genesis_time_ms.to_be_bytes().to_vec());
        batch.put(cf::META, meta_cf::STATE_ROOT.to_vec(), root.0.to_vec());
        batch.put(cf::META, meta_cf::GENESIS_ROOT.to_vec(), root.0.to_vec());
        batch.put(cf::META, meta_cf::GENESIS_HASH.to_vec(), given.0.to_vec());
        self.store.write(batch)?;
        tracing::info!(target: "tamga::state", root = %root, "genesis applied");
        Ok(root)
    }

    /// Executes the genesis transactions ([`Genesis::transactions`]) at height
    /// 0, in order, by the rules of any block (SPEC §8): chain id, signature,
    /// no repeat, then execution. Every one must succeed, or the genesis is
    /// refused naming the transaction and the failure.
    fn genesis_transactions(view: &mut View<'_>, genesis: &Genesis, validators: &ValidatorSet) -> Result<Vec<Receipt>> {
        let Some(proposer) = validators.validators.first().map(|v| v.key) else {
            return Ok(Vec::new());
        };
        let ctx = BlockContext { height: 0, time_ms: genesis.genesis_time_ms, proposer };
        let mut seen = HashSet::new();
        let mut receipts = Vec::with_capacity(genesis.transactions.len());
        for (i, stx) in genesis.transactions.iter().enumerate() {
            let invalid =
                |why: String| StateError::InvalidGenesis(format!("transactions[{i}] ({}): {why}", stx.hash()));
            if stx.encode().len() > tamga_types::limits::MAX_TX_BYTES {
                return Err(invalid(format!("larger than {} bytes", tamga_types::limits::MAX_TX_BYTES)));
            }
            stx.verify(&genesis.chain_id).map_err(|e| invalid(e.to_string()))?;
            let hash = stx.hash();
            if !seen.insert(hash) {
                return Err(invalid("repeats an earlier genesis transaction".into()));
            }
            let index = u32::try_from(i).map_err(|_| invalid("too many genesis transactions".into()))?;
            let receipt = execute_tx(view, &ctx, index, stx, hash)?;
            if let tamga_types::TxOutcome::Failed { code, args } = &receipt.outcome {
                let args: Vec<String> = args.iter().map(|(k, v)| format!("{k}={v}")).collect();
                return Err(invalid(format!("failed with {code} ({})", args.join(", "))));
            }
            receipts.push(receipt);
        }
        Ok(receipts)
    }

    /// The genesis value this ledger was initialised with.
    pub fn genesis(&self) -> Result<Option<Genesis>> {
        self.store.get(cf::META, meta_cf::GENESIS)?.map(|b| dec("genesis", &b)).transpose()
    }

    /// Turns overlay writes into a batch and the JMT update at `version`;
    /// while pruning is on, also records which tree nodes and values the
    /// update makes stale (`jmt_stale`, by the version they stop being read at).
    fn seal(&self, writes: Writes, version: Height) -> Result<(Hash, Batch, NodeBatch)> {
        let mut batch = Batch::default();
        let mut values = Vec::new();
        for ((space, k), v) in writes {
            let c = match space {
                Space::State => cf::STATE,
                Space::Index => cf::INDEX,
            };
            if space == Space::State {
                let kh = KeyHash::with::<sha2::Sha256>(&k);
                match &v {
                    Some(v) => values.push((kh, Some(v.clone()))),
                    // Deleting a key the tree never held would be an error in the JMT.
                    None if self.store.get(cf::STATE, &k)?.is_some() => values.push((kh, None)),
                    None => {}
                }
            }
            match v {
                Some(v) => batch.put(c, k, v),
                None => batch.delete(c, k),
            }
        }
        let hashes: Vec<KeyHash> =
            if self.retain_state_versions() > 0 { values.iter().map(|(kh, _)| *kh).collect() } else { Vec::new() };
        let (root, update) = self.store.tree_update(values, version)?;
        batch.add_tree_update(&update);
        if self.retain_state_versions() > 0 {
            for stale in &update.stale_node_index_batch {
                batch.put(
                    cf::JMT_STALE,
                    crate::store::stale_node_key(stale.stale_since_version, &stale.node_key),
                    vec![],
                );
            }
            // The value each written key held before this version is read by
            // no version from this one on.
            for kh in &hashes {
                if let Some(prev) = self.store.latest_value_key(kh, version)? {
                    batch.put(cf::JMT_STALE, crate::store::stale_value_key(version, &prev), vec![]);
                }
            }
        }
        Ok((Hash(root.0), batch, update.node_batch))
    }

    fn chain(&self) -> Result<ChainInfo> {
        self.store.get_t(cf::STATE, &keys::meta(meta::CHAIN))?.ok_or(StateError::NoGenesis)
    }

    fn require_genesis(&self) -> Result<()> {
        if self.store.get(cf::META, meta_cf::GENESIS_HASH)?.is_none() {
            return Err(StateError::NoGenesis);
        }
        Ok(())
    }

    /// Last committed height (0 = genesis).
    pub fn height(&self) -> Result<Height> {
        Ok(u64_of(self.store.get(cf::META, meta_cf::HEIGHT)?))
    }

    /// Hash of the last committed block ([`Hash::ZERO`] at genesis).
    pub fn last_block_hash(&self) -> Result<Hash> {
        Ok(hash_of(self.store.get(cf::META, meta_cf::LAST_BLOCK_HASH)?))
    }

    /// Time of the last committed block (genesis time at height 0).
    pub fn last_time_ms(&self) -> Result<u64> {
        Ok(u64_of(self.store.get(cf::META, meta_cf::LAST_TIME)?))
    }

    /// State root after the last committed block.
    pub fn state_root(&self) -> Result<Hash> {
        Ok(hash_of(self.store.get(cf::META, meta_cf::STATE_ROOT)?))
    }

    /// The validator set that certifies the block at `height` (SPEC §9).
    pub fn validators_at(&self, height: Height) -> Result<ValidatorSet> {
        validators_at_view(&View::new(&self.store), height)
    }

    /// Current chain parameters.
    pub fn params(&self) -> Result<Params> {
        self.store.get_t(cf::STATE, &keys::meta(meta::PARAMS))?.ok_or(StateError::NoGenesis)
    }

    /// Chain id.
    pub fn chain_id(&self) -> Result<String> {
        Ok(self.chain()?.chain_id)
    }

    /// Genesis time.
    pub fn genesis_time_ms(&self) -> Result<u64> {
        Ok(self.chain()?.genesis_time_ms)
    }

    /// Network facts fixed at genesis (regulation hash, network type, genesis hash).
    pub fn chain_info(&self) -> Result<ChainInfo> {
        self.chain()
    }

    /// Committed block at `height`.
    pub fn block(&self, height: Height) -> Result<Option<Block>> {
        self.store.get_t(cf::BLOCKS, &height_key(height))
    }

    /// Commit certificate of the block at `height`.
    pub fn certificate(&self, height: Height) -> Result<Option<Certificate>> {
        self.store.get_t(cf::CERTIFICATES, &height_key(height))
    }

    /// Next expected nonce of `key` (0 for an unknown key), for the mempool.
    pub fn nonce(&self, key: &PublicKey) -> Result<u64> {
        Ok(self.account(key)?.map(|a| a.nonce).unwrap_or(0))
    }

    /// The account of `key`.
    pub fn account(&self, key: &PublicKey) -> Result<Option<AccountState>> {
        self.store.get_t(cf::STATE, &keys::account(key))
    }

    /// A canonical state value with its JMT proof against the root at `height` (SPEC §10).
    pub fn get_with_proof(
        &self,
        logical_key: &[u8],
        height: Height,
    ) -> Result<(Option<Vec<u8>>, jmt::proof::SparseMerkleProof<sha2::Sha256>)> {
        let refuse = |oldest: Height| StateError::StatePruned { height, oldest };
        let oldest = self.oldest_state_version()?;
        if height < oldest {
            return Err(refuse(oldest));
        }
        let tree = Sha256Jmt::new(&self.store);
        match tree.get_with_proof(KeyHash::with::<sha2::Sha256>(logical_key), height) {
            Ok(found) => Ok(found),
            // A commit may have pruned the version while the proof was read.
            Err(e) => match self.oldest_state_version()? {
                oldest if height < oldest => Err(refuse(oldest)),
                _ => Err(StateError::from_jmt("proof")(e)),
            },
        }
    }

    /// Executes a block against committed state without writing (SPEC §8, §9):
    /// block-level checks, signatures (skipping `preverified` hashes), evidence,
    /// then every transaction with its receipt, the new state root and the
    /// pending write set.
    pub fn execute(
        &self,
        ctx: &BlockContext,
        txs: &[SignedTransaction],
        evidence: &[Evidence],
        preverified: &HashSet<Hash>,
    ) -> Result<ExecutedBlock, BlockInvalid> {
        self.require_genesis()?;
        let chain = self.chain()?;
        let last = self.height()?;
        if ctx.height != last + 1 {
            return Err(BlockInvalid::WrongHeight { expected: last + 1, got: ctx.height });
        }
        let parent_time = self.last_time_ms()?;
        if ctx.time_ms <= parent_time {
            return Err(BlockInvalid::TimeNotIncreasing { parent: parent_time, got: ctx.time_ms });
        }
        let validators = self.validators_at(ctx.height)?;
        if validators.index_of(&ctx.proposer).is_none() {
            return Err(BlockInvalid::UnknownProposer { proposer: ctx.proposer, height: ctx.height });
        }
        let params = self.params()?;
        if txs.len() > params.max_block_txs as usize {
            return Err(BlockInvalid::TooManyTxs { max: params.max_block_txs, got: txs.len() });
        }
        // ---- block-level transaction checks (SPEC §8) ----
        let (hashes, mut bad) = self.check_txs(&chain.chain_id, txs, preverified, false)?;
        if let Some(first) = bad.pop() {
            return Err(first);
        }
        let mut view = View::new(&self.store);
        // ---- evidence (SPEC §9) ----
        let mut records = Vec::new();
        let mut ev_seen = HashSet::new();
        // Double votes and double proposals alike: a valid proof by a member
        // of the set of the messages' height, recorded once.
        for (index, ev) in evidence.iter().enumerate() {
            let bad = |why: EvidenceInvalid| BlockInvalid::BadEvidence { index, why };
            ev.verify(&chain.chain_id).map_err(|e| bad(EvidenceInvalid::Proof(e)))?;
            let id = ev.id();
            if !ev_seen.insert(id) || self.store.get(cf::STATE, &keys::evidence(&id))?.is_some() {
                return Err(BlockInvalid::DuplicateEvidence { id });
            }
            let (vh, validator) = (ev.height(), ev.validator());
            if vh > ctx.height {
                return Err(bad(EvidenceInvalid::FromTheFuture { height: vh, block_height: ctx.height }));
            }
            if self.validators_at(vh)?.index_of(&validator).is_none() {
                return Err(bad(EvidenceInvalid::NotAValidator { validator, height: vh }));
            }
            let rec = EvidenceRecord {
                id,
                validator,
                vote_height: vh,
                vote_round: ev.round(),
                recorded_height: ctx.height,
                evidence: ev.clone(),
            };
            view.put(Space::State, keys::evidence(&id), enc(&rec));
            records.push(rec);
        }
        view.put(Space::State, keys::meta(meta::HEIGHT), enc(&ctx.height));
        view.commit_tx();
        // ---- transactions ----
        let mut receipts = Vec::with_capacity(txs.len());
        for (i, (stx, h)) in txs.iter().zip(&hashes).enumerate() {
            receipts.push(execute_tx(&mut view, ctx, i as u32, stx, *h)?);
        }
        let next_validators = validators_at_view(&view, ctx.height + 1)?;
        let (state_root, batch, tree) = self.seal(view.into_writes(), ctx.height)?;
        Ok(ExecutedBlock {
            height: ctx.height,
            time_ms: ctx.time_ms,
            proposer: ctx.proposer,
            chain_id: chain.chain_id,
            parent_hash: self.last_block_hash()?,
            tx_root: tamga_types::merkle_root(&hashes),
            evidence_root: Block::compute_evidence_root(evidence),
            tx_hashes: hashes,
            receipts_root: Receipt::compute_root(&receipts),
            receipts,
            evidence: records,
            state_root,
            validators,
            next_validators,
            batch,
            tree: Arc::new(tree),
        })
    }

    /// The proposer's one-pass filter (SPEC §8): every transaction of `txs`
    /// that would make a block at the next height invalid, each with why, in
    /// index order. Dropping all of them leaves a list [`Ledger::execute`]
    /// accepts (evidence aside). A transaction refused only because an
    /// earlier one is dropped (a later nonce of the same signer) is listed too.
    pub fn screen(&self, txs: &[SignedTransaction], preverified: &HashSet<Hash>) -> Result<Vec<BlockInvalid>> {
        let chain = self.chain()?;
        Ok(self.check_txs(&chain.chain_id, txs, preverified, true)?.1)
    }

    /// The block-level checks of each transaction (SPEC §8), against the
    /// committed state, which is the state at the start of the next block:
    /// size, duplicates (in the list or committed), chain id, signature, the
    /// signer's standing and its nonce sequence. Returns the hashes and the
    /// refusals: with `all`, every refused transaction in index order (each
    /// left out of the later checks); otherwise at most the first.
    fn check_txs(
        &self,
        chain_id: &str,
        txs: &[SignedTransaction],
        preverified: &HashSet<Hash>,
        all: bool,
    ) -> Result<(Vec<Hash>, Vec<BlockInvalid>)> {
        let mut hashes = Vec::with_capacity(txs.len());
        let mut bad: Vec<BlockInvalid> = Vec::new();
        let mut out = vec![false; txs.len()];
        let mut seen = HashSet::new();
        let mut batch = BatchVerifier::new();
        let mut batch_idx = Vec::new();
        for (index, stx) in txs.iter().enumerate() {
            // One encoding serves the size rule and the id (`SignedTransaction::hash`).
            let bytes = stx.encode();
            let tx = Hash::digest(tamga_types::hash::domain::TX_ID, &bytes);
            hashes.push(tx);
            let refused = if bytes.len() > tamga_types::limits::MAX_TX_BYTES {
                // SPEC §8: admission refuses it; a proposer must not slip it into a block.
                Some(BlockInvalid::TxTooLarge { index, tx, size: bytes.len(), max: tamga_types::limits::MAX_TX_BYTES })
            } else if !seen.insert(tx) || self.store.get(cf::TXS, &tx.0)?.is_some() {
                Some(BlockInvalid::DuplicateTx { index, tx })
            } else if stx.tx.chain_id.as_str() != chain_id {
                Some(BlockInvalid::WrongChainId {
                    index,
                    tx,
                    expected: chain_id.to_owned(),
                    got: stx.tx.chain_id.to_string(),
                })
            } else {
                None
            };
            if let Some(r) = refused {
                if !all {
                    return Ok((hashes, vec![r]));
                }
                bad.push(r);
                out[index] = true;
                continue;
            }
            if !preverified.contains(&tx) {
                batch.push(stx.tx.signer, stx.tx.signing_message(), stx.signature);
                batch_idx.push(index);
            }
        }
        if !batch.is_empty() && batch.verify().is_err() {
            for (r, &index) in batch.verify_each().iter().zip(&batch_idx) {
                if r.is_err() {
                    let refused = BlockInvalid::BadSignature { index, tx: hashes[index] };
                    if !all {
                        return Ok((hashes, vec![refused]));
                    }
                    bad.push(refused);
                    out[index] = true;
                }
            }
        }
        // SPEC §8: at the start of the block every signer is an active account
        // of an active party, and its nonces run on from its next nonce.
        let get = |k: &[u8]| self.store.get(cf::STATE, k);
        let mut next: HashMap<PublicKey, std::result::Result<u64, SignerRefused>> = HashMap::new();
        for (index, stx) in txs.iter().enumerate() {
            if out[index] {
                continue;
            }
            let signer = stx.tx.signer;
            let tx = hashes[index];
            let at_start = match next.get(&signer) {
                Some(s) => s.clone(),
                None => {
                    let s = match standing(&get, &signer)? {
                        Standing::Active { next_nonce } => Ok(next_nonce),
                        Standing::Refused(r) => Err(r),
                    };
                    next.insert(signer, s.clone());
                    s
                }
            };
            let refused = match at_start {
                Err(refused) => BlockInvalid::SignerRefused { index, tx, refused },
                Ok(expected) if stx.tx.nonce != expected => {
                    BlockInvalid::NonceOutOfSequence { index, tx, signer, expected, got: stx.tx.nonce }
                }
                Ok(expected) => {
                    next.insert(signer, Ok(expected.saturating_add(1)));
                    continue;
                }
            };
            if !all {
                return Ok((hashes, vec![refused]));
            }
            bad.push(refused);
        }
        bad.sort_by_key(|b| b.tx_index());
        Ok((hashes, bad))
    }

    /// Whether `key` may sign a transaction against the committed state, and
    /// its next nonce if so (the envelope rules of SPEC §8 on the signer, as
    /// the next block applies them at its start).
    pub fn signer_standing(&self, key: &PublicKey) -> Result<Standing> {
        standing(&|k: &[u8]| self.store.get(cf::STATE, k), key)
    }

    /// Makes the next `reads` reads of the store fail as a failing disk
    /// would ([`StateError::InjectedFault`]); tests of storage-fault handling.
    #[cfg(feature = "fault-injection")]
    pub fn inject_read_faults(&self, reads: u64) {
        self.store.inject_read_faults_after(0, reads);
    }

    /// [`Ledger::inject_read_faults`] after `skip` more successful reads.
    #[cfg(feature = "fault-injection")]
    pub fn inject_read_faults_after(&self, skip: u64, reads: u64) {
        self.store.inject_read_faults_after(skip, reads);
    }

    /// Injected read faults not yet raised.
    #[cfg(feature = "fault-injection")]
    pub fn read_faults_left(&self) -> u64 {
        self.store.read_faults_left()
    }

    /// Makes the next `writes` batch writes (a block's commit) fail as a full
    /// disk would ([`StateError::InjectedWriteFault`]); nothing of the batch
    /// is written. Tests of storage-fault handling.
    #[cfg(feature = "fault-injection")]
    pub fn inject_write_faults(&self, writes: u64) {
        self.store.inject_write_faults(writes);
    }

    /// Injected write faults not yet raised.
    #[cfg(feature = "fault-injection")]
    pub fn write_faults_left(&self) -> u64 {
        self.store.write_faults_left()
    }

    /// While `paused`, no injected fault is raised or used up (a test
    /// harness reading the ledger between steps of the node under test).
    #[cfg(feature = "fault-injection")]
    pub fn pause_faults(&self, paused: bool) {
        self.store.pause_faults(paused);
    }

    /// Injected faults (reads and writes) raised so far.
    #[cfg(feature = "fault-injection")]
    pub fn faults_raised(&self) -> u64 {
        self.store.faults_raised()
    }

    /// Writes an executed block with its certificate in ONE synced batch:
    /// state, JMT nodes, block, certificate, receipts, tx index, query indexes,
    /// height and last block hash.
    pub fn commit(&self, block: &Block, certificate: &Certificate, executed: ExecutedBlock) -> Result<()> {
        let last = self.height()?;
        let h = &block.header;
        if executed.height != last + 1 || h.height != executed.height {
            return Err(CommitMismatch::Height { last, executed: executed.height, block: h.height }.into());
        }
        if h.state_root != executed.state_root {
            return Err(CommitMismatch::StateRoot { header: h.state_root, executed: executed.state_root }.into());
        }
        if h.receipts_root != executed.receipts_root {
            return Err(
                CommitMismatch::ReceiptsRoot { header: h.receipts_root, executed: executed.receipts_root }.into()
            );
        }
        // The body must be the executed one: the same transactions (by hash) and
        // the same evidence (by root); the header roots must match both.
        let hashes: Vec<Hash> = block.txs.iter().map(|t| t.hash()).collect();
        if hashes != executed.tx_hashes || h.time_ms != executed.time_ms || h.proposer != executed.proposer {
            return Err(CommitMismatch::Body.into());
        }
        if h.tx_root != executed.tx_root || h.evidence_root != executed.evidence_root {
            return Err(CommitMismatch::Roots {
                header_tx: h.tx_root,
                header_evidence: h.evidence_root,
                executed_tx: executed.tx_root,
                executed_evidence: executed.evidence_root,
            }
            .into());
        }
        if h.chain_id.as_str() != executed.chain_id || h.parent_hash != self.last_block_hash()? {
            return Err(CommitMismatch::ChainOrParent.into());
        }
        // Body against header: the tx root is implied by the checks above
        // (same hashes as executed, header root = executed root); evidence here.
        if Block::compute_evidence_root(&block.evidence) != h.evidence_root {
            return Err(CommitMismatch::EvidenceRoot.into());
        }
        if h.validators_hash != executed.validators.hash() || h.next_validators_hash != executed.next_validators.hash()
        {
            return Err(CommitMismatch::ValidatorsHashes.into());
        }
        certificate
            .verify_commit(&executed.chain_id, &executed.validators, h)
            .map_err(|source| StateError::Certificate { height: h.height, source })?;
        let height = executed.height;
        let mut batch = executed.batch;
        batch.put(cf::BLOCKS, height_key(height), enc(block));
        batch.put(cf::CERTIFICATES, height_key(height), enc(certificate));
        for r in &executed.receipts {
            let mut loc = height_key(height);
            loc.extend_from_slice(&r.index.to_be_bytes());
            batch.put(cf::RECEIPTS, loc.clone(), enc(r));
            batch.put(cf::TXS, r.tx_hash.0.to_vec(), loc);
        }
        batch.put(cf::META, meta_cf::HEIGHT.to_vec(), height_key(height));
        batch.put(cf::META, meta_cf::LAST_BLOCK_HASH.to_vec(), block.hash().0.to_vec());
        batch.put(cf::META, meta_cf::LAST_TIME.to_vec(), h.time_ms.to_be_bytes().to_vec());
        batch.put(cf::META, meta_cf::STATE_ROOT.to_vec(), executed.state_root.0.to_vec());
        let retain = self.retain_state_versions();
        let removed = if retain > 0 {
            let _span = tracing::debug_span!(target: "tamga::state", "prune", height, retain).entered();
            self.keep_account_proofs(&mut batch, block, height, &executed.tree)?;
            self.prune_step(&mut batch, height, retain)?
        } else {
            0
        };
        self.store.write(batch)?;
        if removed > 0 {
            self.pruning.removed.fetch_add(removed, Ordering::SeqCst);
            tracing::debug!(target: "tamga::state", height, removed, "stale state-tree entries pruned");
        }
        tracing::debug!(target: "tamga::state", height, root = %executed.state_root, "block committed");
        Ok(())
    }

    /// Adds each signer's account entry with its proof at `height` to the
    /// commit batch, proven against the block's own (pending) tree version.
    fn keep_account_proofs(&self, batch: &mut Batch, block: &Block, height: Height, tree: &NodeBatch) -> Result<()> {
        let through = u64_of(self.store.get(cf::META, meta_cf::ACCOUNT_PROOFS_THROUGH)?);
        if through + 1 < height {
            // Pruning was off for some heights and turned on without
            // `set_pruning` (not possible through the API): cover them first.
            self.backfill_account_proofs()?;
        }
        let pending = Pending { store: &self.store, version: height, nodes: tree };
        let jmt = Sha256Jmt::new(&pending);
        let (mut kept, mut index) = (BlockProofs::default(), HashMap::new());
        for signer in block.txs.iter().map(|t| t.tx.signer).collect::<BTreeSet<_>>() {
            let proof = jmt
                .get_with_proof(KeyHash::with::<sha2::Sha256>(keys::account(&signer)), height)
                .map_err(StateError::from_jmt("account proof"))?;
            kept.add(&mut index, signer, &proof)?;
        }
        if !kept.accounts.is_empty() {
            batch.put(cf::ACCOUNT_PROOFS, height_key(height), enc(&kept));
        }
        batch.put(cf::META, meta_cf::ACCOUNT_PROOFS_THROUGH.to_vec(), height_key(height));
        Ok(())
    }

    /// One bounded step of pruning at the commit of `height`: the oldest
    /// version kept becomes `height + 1 - retain` (proofs below it are
    /// refused from this commit on), and up to the configured number of
    /// stale entries no kept version reads are deleted in the same batch.
    /// Returns how many were deleted.
    fn prune_step(&self, batch: &mut Batch, height: Height, retain: u64) -> Result<u64> {
        let target = (height + 1).saturating_sub(retain);
        if target == 0 {
            return Ok(0);
        }
        if target > self.oldest_state_version()? {
            batch.put(cf::META, meta_cf::OLDEST_STATE_VERSION.to_vec(), height_key(target));
        }
        let cursor = self.store.get(cf::META, meta_cf::PRUNE_CURSOR)?.unwrap_or_default();
        // Entries stale since `target` or earlier: no version from `target` on reads them.
        let end = height_key(target + 1);
        let limit = self.pruning.max_deletes.load(Ordering::SeqCst).max(1);
        let stale = self.store.keys_between(cf::JMT_STALE, &cursor, &end, limit as usize)?;
        for k in &stale {
            let (target_cf, key) = crate::store::stale_target(k)?;
            batch.delete(target_cf, key.to_vec());
            batch.delete(cf::JMT_STALE, k.clone());
        }
        if let Some(last) = stale.last() {
            let mut next = last.clone();
            next.push(0);
            batch.put(cf::META, meta_cf::PRUNE_CURSOR.to_vec(), next);
        }
        Ok(stale.len() as u64)
    }

    /// Execute + compare root + commit: used by sync and replay.
    pub fn apply_block(&self, block: &Block, certificate: &Certificate) -> Result<ExecutedBlockSummary> {
        // Body/header consistency and the certificate are checked by `commit`.
        let h = &block.header;
        let ctx = BlockContext { height: h.height, time_ms: h.time_ms, proposer: h.proposer };
        let executed = self.execute(&ctx, &block.txs, &block.evidence, &HashSet::new())?;
        if executed.state_root != h.state_root {
            return Err(CommitMismatch::StateRoot { header: h.state_root, executed: executed.state_root }.into());
        }
        let summary = ExecutedBlockSummary {
            height: executed.height,
            state_root: executed.state_root,
            receipts: executed.receipts.clone(),
        };
        self.commit(block, certificate, executed)?;
        Ok(summary)
    }

    /// Every canonical state entry (column family `state`) and every query-index
    /// entry (`index`), in key order, tagged with the column family name. For
    /// tests, audits and export tools: two ledgers with equal dumps hold the
    /// same state (and therefore the same JMT root).
    pub fn dump(&self) -> Result<Vec<DumpEntry>> {
        let mut out = Vec::new();
        for c in [cf::STATE, cf::INDEX] {
            out.extend(self.store.scan(c, &[], None)?.into_iter().map(|(k, v)| (c, k, v)));
        }
        Ok(out)
    }

    /// Compacts every column family ([`Store::compact_all`]).
    pub fn compact_all(&self) -> Result<()> {
        self.store.compact_all()
    }

    /// Table-file and memtable bytes per column family ([`Store::cf_sizes`]).
    pub fn cf_sizes(&self) -> Result<Vec<(&'static str, u64, u64)>> {
        self.store.cf_sizes()
    }

    /// Reads and decodes a state entry (for tests and tools).
    pub fn state_entry<T: borsh::BorshDeserialize>(&self, logical_key: &[u8]) -> Result<Option<T>> {
        self.store.get(cf::STATE, logical_key)?.map(|b| dec("state", &b)).transpose()
    }
}

/// The signer's standing against the state `get` reads (SPEC §8 envelope).
fn standing(get: &impl Fn(&[u8]) -> Result<Option<Vec<u8>>>, key: &PublicKey) -> Result<Standing> {
    let acc = match account_standing(get, key)? {
        Ok(acc) => acc,
        Err(r) => return Ok(Standing::Refused(r)),
    };
    Ok(match party_standing(get, &acc)? {
        Ok(_) => Standing::Active { next_nonce: acc.nonce },
        Err(r) => Standing::Refused(r),
    })
}

/// One entry of [`Ledger::dump`]: column family, key, value.
pub type DumpEntry = (&'static str, Vec<u8>, Vec<u8>);

/// What [`Ledger::apply_block`] returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecutedBlockSummary {
    /// Height.
    pub height: Height,
    /// State root.
    pub state_root: Hash,
    /// Receipts.
    pub receipts: Vec<Receipt>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The key-by-key update, as `seal` did it before the batch insertion.
    fn one_by_one(
        store: &Store,
        values: Vec<(KeyHash, Option<Vec<u8>>)>,
        version: Height,
    ) -> (jmt::RootHash, jmt::storage::TreeUpdateBatch) {
        Sha256Jmt::new(store).put_value_set(values, version).unwrap()
    }

    proptest! {
        /// Sibling indexes of a kept account proof read back as written;
        /// a truncated number is refused.
        #[test]
        fn leb128_roundtrips(ns in proptest::collection::vec(any::<u32>(), 0..40)) {
            let mut b = Vec::new();
            for &n in &ns {
                push_leb128(&mut b, n);
            }
            prop_assert_eq!(read_leb128(&b).unwrap(), ns.clone());
            if let Some(last) = b.last_mut() {
                *last |= 0x80;
                prop_assert!(read_leb128(&b).is_err());
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        /// `Store::tree_update`'s batch insertion gives the root and the node batch
        /// of the key-by-key insertion, block after block over a growing
        /// tree (new keys, rewritten keys, a block that also deletes, which
        /// takes the key-by-key path), and each block's root is the one the
        /// key-by-key path computes from the same committed tree.
        #[test]
        fn tree_update_paths_agree(
            blocks in proptest::collection::vec(
                (proptest::collection::vec((0u16..400, any::<u8>()), 1..120), proptest::collection::vec(0u16..400, 0..4)),
                1..6,
            )
        ) {
            let store = Store::open_in_memory().unwrap();
            let mut live = std::collections::BTreeSet::new();
            for (i, (puts, dels)) in blocks.into_iter().enumerate() {
                let version = i as Height;
                let mut set = std::collections::BTreeMap::new();
                for (k, v) in puts {
                    set.insert(k, Some(vec![v; 1 + usize::from(v % 7)]));
                }
                // Deleting needs a key the tree holds (as `seal` ensures).
                for k in dels {
                    if live.contains(&k) && !set.contains_key(&k) {
                        set.insert(k, None);
                    }
                }
                for (k, v) in &set {
                    if v.is_some() { live.insert(*k); } else { live.remove(k); }
                }
                let values: Vec<(KeyHash, Option<Vec<u8>>)> = set
                    .into_iter()
                    .map(|(k, v)| (KeyHash::with::<sha2::Sha256>(k.to_be_bytes()), v))
                    .collect();
                let expected = one_by_one(&store, values.clone(), version);
                let got = store.tree_update(values, version).unwrap();
                prop_assert_eq!(got.0, expected.0, "root at version {}", version);
                prop_assert!(got.1 == expected.1, "node batch at version {}", version);
                let mut batch = Batch::default();
                batch.add_tree_update(&got.1);
                store.write(batch).unwrap();
            }
        }
    }
}
