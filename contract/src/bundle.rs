//! Receipt bundles: a committed transaction as a self-contained file that
//! anyone holding only the network's `genesis.json` can verify offline
//! (SPEC §1.8, §10; Digital Code art. 62 p.1, art. 61 p.4, art. 50 p.4).
//!
//! `docs/receipt-format.md` is the reference (byte layout, hashing domains and
//! the verification algorithm step by step, enough for a verifier in another
//! language). In short, a [`ReceiptBundle`] is the borsh encoding of
//!
//! * `version` (u16, [`BUNDLE_VERSION`]) and the `genesis_hash` it was made for;
//! * the signed transaction and its receipt;
//! * for a block transaction: the block header, its commit certificate, the
//!   Merkle path of the transaction hash to the header's `tx_root`, the
//!   Merkle path of the receipt's hash to the header's `receipts_root`, the
//!   certified header of every validator-set change from genesis up to the
//!   block with the new set, and a JMT proof of the signer's account entry
//!   against the header's `state_root` (which party the account belongs to);
//! * for a genesis transaction (height 0): its index in `genesis.transactions`.
//!
//! [`verify_bundle`] does no I/O: it checks each part against the genesis and
//! the certified headers and returns what was proven ([`VerifiedReceipt`]) or
//! the first failure as a specific [`BundleError`].
//!
//! **What is certified.** The block header commits to the transactions
//! (`tx_root`), to the state after them (`state_root`) and to their receipts
//! (`receipts_root`), so every byte of a block transaction's receipt —
//! outcome and events included — is covered by the commit certificate. A
//! genesis transaction's receipt is fixed by the genesis rule: it must have
//! succeeded (every genesis transaction does, or the network never starts);
//! its events are then the exporting node's account of that execution, which
//! a verifier can reproduce only by executing the genesis
//! ([`VerifiedReceipt::events_certified`]).

use borsh::{BorshDeserialize, BorshSerialize};
use serde::Serialize;
use tamga_types::codec::{self, BoundedVec, DecodeError};
use tamga_types::model::{AccountState, AccountStatus};
use tamga_types::{
    Block, BlockHeader, Certificate, Event, Genesis, Hash, Height, InclusionError, LightClient, LightError, PartyId,
    PublicKey, Receipt, SignedTransaction, StatelessError, TimestampMs, TxInclusionProof, TxOutcome, ValidatorSet,
};

use crate::render::render_transaction;

/// The bundle format version this crate writes and reads.
pub const BUNDLE_VERSION: u16 = 3;
/// Largest bundle accepted, in bytes (checked before decoding).
pub const MAX_BUNDLE_BYTES: usize = 16 * 1024 * 1024;
/// Most validator-set changes one bundle can carry.
pub const MAX_CHANGES: usize = 4096;
/// Largest account entry or account proof, in bytes.
pub const MAX_PROOF_BYTES: usize = 64 * 1024;

/// Byte string of at most [`MAX_PROOF_BYTES`].
pub type ProofBytes = BoundedVec<u8, MAX_PROOF_BYTES>;

/// A committed transaction with everything needed to verify it offline.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct ReceiptBundle {
    /// Format version ([`BUNDLE_VERSION`]); read first, refused if unknown.
    pub version: u16,
    /// Hash of the genesis of the network ([`Genesis::hash`]).
    pub genesis_hash: Hash,
    /// The signed transaction, byte for byte as committed.
    pub tx: SignedTransaction,
    /// Its receipt as the exporting node recorded it.
    pub receipt: Receipt,
    /// Where it was committed, with the proofs.
    pub commitment: Commitment,
}

/// Where the transaction was committed.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum Commitment {
    /// A genesis transaction, executed at height 0: `genesis.transactions[index]`.
    Genesis {
        /// Its position in the genesis list.
        index: u32,
    },
    /// A transaction of a certified block.
    Block(Box<BlockCommitment>),
}

/// The proofs for a transaction of a block.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct BlockCommitment {
    /// Every validator-set change between genesis and the block, in height order.
    pub validator_changes: BoundedVec<ValidatorChange, MAX_CHANGES>,
    /// The block's header.
    pub header: BlockHeader,
    /// The block's commit certificate.
    pub certificate: Certificate,
    /// Merkle path of the transaction hash to `header.tx_root`.
    pub inclusion: TxInclusionProof,
    /// Merkle path of the receipt's hash ([`Receipt::hash`]) to `header.receipts_root`.
    pub receipt_inclusion: TxInclusionProof,
    /// The signer's account entry at the block's height, proven against `header.state_root`.
    pub signer_account: AccountProof,
}

/// A certified header whose `next_validators_hash` announces a new set, with that set.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct ValidatorChange {
    /// The last header certified by the old set.
    pub header: BlockHeader,
    /// Its commit certificate (by the old set).
    pub certificate: Certificate,
    /// The set that certifies the headers from `header.height + 1` on.
    pub next_validators: ValidatorSet,
}

/// A state entry with its Jellyfish Merkle proof (as `GET /v1/proofs/state` serves them).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct AccountProof {
    /// borsh of the `AccountState` stored under `'A' ‖ signer key`; `None` if absent.
    pub value: Option<ProofBytes>,
    /// borsh of jmt 0.12 `SparseMerkleProof<Sha256>` at the block's height.
    pub proof: ProofBytes,
}

/// Why a bundle does not verify. Each variant names the part at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    /// The bytes are not a bundle.
    #[error("not a receipt bundle: {0}")]
    Decode(#[from] DecodeError),
    /// A version this verifier does not know.
    #[error("bundle format version {got} is not supported (this verifier reads version {supported})")]
    UnsupportedVersion {
        /// The bundle's version.
        got: u16,
        /// The version supported.
        supported: u16,
    },
    /// The bundle was made for another genesis.
    #[error("the bundle is for genesis {bundle}, the given genesis hashes to {genesis}")]
    GenesisMismatch {
        /// `genesis_hash` in the bundle.
        bundle: Hash,
        /// Hash of the given genesis.
        genesis: Hash,
    },
    /// The transaction is signed for another network.
    #[error("the transaction is for chain {got:?}, the genesis is for {expected:?}")]
    ChainId {
        /// Genesis chain id.
        expected: String,
        /// Transaction chain id.
        got: String,
    },
    /// The transaction's signature does not verify.
    #[error("the transaction signature does not verify: {0}")]
    TxSignature(String),
    /// The receipt is for another transaction.
    #[error("the receipt is for transaction {receipt}, the bundle's transaction is {tx}")]
    ReceiptTx {
        /// Hash of the bundled transaction.
        tx: Hash,
        /// The receipt's `tx_hash`.
        receipt: Hash,
    },
    /// A receipt field contradicts the certified header or the proof.
    #[error("the receipt says {field} = {receipt}, the certified data says {certified}")]
    ReceiptField {
        /// `height`, `index` or `block_time_ms`.
        field: &'static str,
        /// The receipt's value.
        receipt: u64,
        /// The proven value.
        certified: u64,
    },
    /// A genesis transaction that is not in the genesis at the named index.
    #[error("genesis transaction {index} is not this transaction (the genesis has {count} transactions)")]
    NotInGenesis {
        /// Claimed index.
        index: u32,
        /// Number of genesis transactions.
        count: usize,
    },
    /// The receipt is not the block's receipt of the transaction (its Merkle
    /// path to `receipts_root` fails, or has another shape than the
    /// transaction's path).
    #[error("the receipt is not the one block {height} certifies: {why}")]
    ReceiptNotCertified {
        /// Block height.
        height: Height,
        /// Why.
        why: String,
    },
    /// A genesis transaction's receipt does not report success.
    #[error("genesis transaction {index} has a receipt that is not a success (every genesis transaction succeeds)")]
    GenesisOutcome {
        /// Its index in the genesis.
        index: u32,
    },
    /// The transaction is not in the block (the Merkle path fails).
    #[error("the transaction is not in block {height}: {source}")]
    NotInBlock {
        /// Block height.
        height: Height,
        /// Why the path fails.
        source: InclusionError,
    },
    /// A validator-set change does not verify.
    #[error("validator-set change #{position}: {source}")]
    ValidatorChain {
        /// Position in `validator_changes`.
        position: usize,
        /// What failed.
        source: LightError,
    },
    /// A validator-set change is not below the block.
    #[error("validator-set change at height {change} is not below the block height {block}")]
    ChangeAfterBlock {
        /// Height of the change header.
        change: Height,
        /// Height of the block.
        block: Height,
    },
    /// The block header or its certificate does not verify under the set the
    /// validator chain establishes (unknown set, insufficient power, bad
    /// signature, certificate for another block, other chain).
    #[error("block header: {0}")]
    Header(LightError),
    /// The signer's account proof does not verify against the state root.
    #[error("the signer's account proof does not verify against state root {root}: {reason}")]
    AccountProof {
        /// The header's `state_root`.
        root: Hash,
        /// Why.
        reason: String,
    },
    /// The proven account entry is not the signer's.
    #[error("the proven account entry is for {got}, the signer is {signer}")]
    AccountKey {
        /// The signer.
        signer: PublicKey,
        /// Key in the entry.
        got: PublicKey,
    },
}

impl BundleError {
    /// Stable machine-readable code (used by `POST /v1/verify` and `tamga receipt verify --json`).
    pub fn code(&self) -> &'static str {
        match self {
            BundleError::Decode(_) => "BUNDLE_MALFORMED",
            BundleError::UnsupportedVersion { .. } => "BUNDLE_VERSION_UNSUPPORTED",
            BundleError::GenesisMismatch { .. } => "GENESIS_MISMATCH",
            BundleError::ChainId { .. } => "WRONG_CHAIN_ID",
            BundleError::TxSignature(_) => "BAD_TX_SIGNATURE",
            BundleError::ReceiptTx { .. } | BundleError::ReceiptField { .. } => "RECEIPT_MISMATCH",
            BundleError::NotInGenesis { .. } => "NOT_IN_GENESIS",
            BundleError::NotInBlock { .. } => "NOT_IN_BLOCK",
            BundleError::ReceiptNotCertified { .. } | BundleError::GenesisOutcome { .. } => "RECEIPT_NOT_CERTIFIED",
            BundleError::ValidatorChain { source, .. } | BundleError::Header(source) => light_code(source),
            BundleError::ChangeAfterBlock { .. } => "VALIDATOR_CHAIN_BROKEN",
            BundleError::AccountProof { .. } | BundleError::AccountKey { .. } => "BAD_ACCOUNT_PROOF",
        }
    }
}

pub(crate) fn light_code(e: &LightError) -> &'static str {
    use tamga_types::CertificateError as C;
    match e {
        LightError::GenesisSet(_) => "BAD_GENESIS",
        LightError::ChainId { .. } => "WRONG_CHAIN_ID",
        LightError::UnknownValidatorSet { .. } => "UNKNOWN_VALIDATOR_SET",
        LightError::Certificate { source: C::InsufficientPower { .. }, .. } => "INSUFFICIENT_POWER",
        LightError::Certificate { source: C::UnknownSigner { .. }, .. } => "UNKNOWN_SIGNER",
        LightError::Certificate { source: C::BadSignature(_), .. } => "BAD_CERTIFICATE_SIGNATURE",
        LightError::Certificate { .. } => "CERTIFICATE_MISMATCH",
        LightError::Height { .. }
        | LightError::Parent { .. }
        | LightError::MissingNextSet { .. }
        | LightError::NextSetMismatch { .. }
        | LightError::NotAChange { .. } => "VALIDATOR_CHAIN_BROKEN",
    }
}

/// Which party the signing account belongs to, and how that is known.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "source")]
pub enum SignerParty {
    /// Proven by the account entry against the block's certified state root.
    StateProof {
        /// Owning party.
        party: PartyId,
        /// Account status after the block (a revocation at this height shows here).
        status: AccountStatus,
        /// Height the account was added.
        created_height: Height,
        /// The account's PKI certificate reference, where one is registered
        /// (Digital Code art. 49: a Tamga signature is not an electronic
        /// digital signature; the certificate says who holds one).
        certificate: Option<tamga_types::CertificateRef>,
    },
    /// The account is listed under this party in the genesis.
    Genesis {
        /// Owning party (1-based position in `genesis.parties`).
        party: PartyId,
    },
    /// The state proves that no such account exists (the transaction was
    /// committed with a failed receipt: unknown signer).
    NoAccount,
    /// A genesis transaction by an account that an earlier genesis transaction
    /// registered: not determinable from the genesis file alone.
    Unknown,
}

/// One validator whose signature is in the commit certificate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CertSigner {
    /// Consensus key.
    pub key: PublicKey,
    /// Operating party.
    pub operator: PartyId,
    /// Voting power.
    pub power: u64,
}

/// What a verified bundle proves.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VerifiedReceipt {
    /// Transaction id.
    pub tx_hash: Hash,
    /// Network.
    pub chain_id: String,
    /// Signing account (the signature verifies under it).
    pub signer: PublicKey,
    /// Its party.
    pub signer_party: SignerParty,
    /// The transaction's nonce.
    pub nonce: u64,
    /// Stable name of the operation.
    pub operation: &'static str,
    /// Height of the block (0: a genesis transaction).
    pub height: Height,
    /// Position in the block as the proof states it (see `docs/receipt-format.md`).
    pub index: u32,
    /// Block time (genesis time at height 0), ms since the epoch.
    pub block_time_ms: TimestampMs,
    /// Header hash of the block (`None` at height 0).
    pub block_hash: Option<Hash>,
    /// Validators whose signatures certify the block (empty at height 0).
    pub certified_by: Vec<CertSigner>,
    /// Power that signed, and the set's total.
    pub signed_power: u64,
    /// Total power of the certifying set.
    pub total_power: u64,
    /// Validator-set changes verified on the way from genesis.
    pub validator_changes: usize,
    /// Outcome: certified by the block's `receipts_root` (by the genesis
    /// rule for a genesis transaction: success).
    pub outcome: TxOutcome,
    /// Events of the execution.
    pub events: Vec<Event>,
    /// Whether [`VerifiedReceipt::events`] are certified: true for a block
    /// transaction (`receipts_root`), false for a genesis transaction (the
    /// exporting node's account; see the module docs).
    pub events_certified: bool,
    /// Human-readable rendering of what the transaction does.
    pub rendering: String,
}

impl ReceiptBundle {
    /// Canonical bytes (the file format).
    pub fn encode(&self) -> Vec<u8> {
        codec::encode(self)
    }

    /// Decodes a bundle; refuses an unknown version before reading further,
    /// and more than [`MAX_BUNDLE_BYTES`].
    pub fn decode(bytes: &[u8]) -> Result<ReceiptBundle, BundleError> {
        if let [a, b, ..] = bytes {
            let got = u16::from_le_bytes([*a, *b]);
            if got != BUNDLE_VERSION {
                return Err(BundleError::UnsupportedVersion { got, supported: BUNDLE_VERSION });
            }
        }
        Ok(codec::decode("receipt bundle", bytes, MAX_BUNDLE_BYTES)?)
    }
}

impl BlockCommitment {
    /// Assembles the proofs for `block.txs[index]` (what a node exports);
    /// `receipts` are the block's receipts in order.
    pub fn new(
        block: &Block,
        certificate: Certificate,
        receipts: &[Receipt],
        index: usize,
        validator_changes: Vec<ValidatorChange>,
        signer_account: AccountProof,
    ) -> Option<BlockCommitment> {
        let leaves: Vec<Hash> = block.txs.iter().map(|t| t.hash()).collect();
        let receipt_leaves: Vec<Hash> = receipts.iter().map(Receipt::hash).collect();
        Some(BlockCommitment {
            validator_changes: BoundedVec::new(validator_changes).ok()?,
            header: block.header.clone(),
            certificate,
            inclusion: TxInclusionProof::build(&leaves, index)?,
            receipt_inclusion: TxInclusionProof::build(&receipt_leaves, index)?,
            signer_account,
        })
    }
}

/// Decodes and verifies a bundle file's bytes against `genesis`.
pub fn verify_bundle_bytes(bytes: &[u8], genesis: &Genesis) -> Result<VerifiedReceipt, BundleError> {
    verify_bundle(&ReceiptBundle::decode(bytes)?, genesis)
}

/// Verifies `bundle` against `genesis` (the algorithm of `docs/receipt-format.md`).
pub fn verify_bundle(bundle: &ReceiptBundle, genesis: &Genesis) -> Result<VerifiedReceipt, BundleError> {
    // 1. Format and network.
    if bundle.version != BUNDLE_VERSION {
        return Err(BundleError::UnsupportedVersion { got: bundle.version, supported: BUNDLE_VERSION });
    }
    let genesis_hash = genesis.hash();
    if bundle.genesis_hash != genesis_hash {
        return Err(BundleError::GenesisMismatch { bundle: bundle.genesis_hash, genesis: genesis_hash });
    }
    // 2. The signature: chain id and ed25519 over the domain-separated bytes.
    let tx = &bundle.tx;
    bundle.tx.verify(&genesis.chain_id).map_err(|e| match e {
        StatelessError::WrongChain { expected, got } => BundleError::ChainId { expected, got },
        other => BundleError::TxSignature(other.to_string()),
    })?;
    let tx_hash = tx.hash();
    let r = &bundle.receipt;
    if r.tx_hash != tx_hash {
        return Err(BundleError::ReceiptTx { tx: tx_hash, receipt: r.tx_hash });
    }
    let signer = tx.tx.signer;
    let base = |height, index, block_time_ms, signer_party| VerifiedReceipt {
        tx_hash,
        chain_id: genesis.chain_id.clone(),
        signer,
        signer_party,
        nonce: tx.tx.nonce,
        operation: tx.tx.payload.kind_name(),
        height,
        index,
        block_time_ms,
        block_hash: None,
        certified_by: Vec::new(),
        signed_power: 0,
        total_power: 0,
        validator_changes: 0,
        outcome: r.outcome.clone(),
        events: r.events.clone(),
        events_certified: false,
        rendering: render_transaction(tx),
    };
    match &bundle.commitment {
        // 3a. Height 0: the genesis itself is the proof.
        Commitment::Genesis { index } => {
            let count = genesis.transactions.len();
            if genesis.transactions.get(*index as usize) != Some(tx) {
                return Err(BundleError::NotInGenesis { index: *index, count });
            }
            check_field("height", r.height, 0)?;
            check_field("index", r.index.into(), (*index).into())?;
            check_field("block_time_ms", r.block_time_ms, genesis.genesis_time_ms)?;
            if !r.is_success() {
                return Err(BundleError::GenesisOutcome { index: *index });
            }
            let party =
                genesis_party(genesis, &signer).map_or(SignerParty::Unknown, |party| SignerParty::Genesis { party });
            Ok(base(0, *index, genesis.genesis_time_ms, party))
        }
        // 3b. A block: the validator chain, the header, the path, the account.
        Commitment::Block(c) => {
            let height = c.header.height;
            let mut light = LightClient::from_genesis(genesis).map_err(BundleError::Header)?;
            for (position, change) in c.validator_changes.iter().enumerate() {
                if change.header.height >= height {
                    return Err(BundleError::ChangeAfterBlock { change: change.header.height, block: height });
                }
                light
                    .verify_change(&change.header, &change.certificate, &change.next_validators)
                    .map_err(|source| BundleError::ValidatorChain { position, source })?;
            }
            let set = light.validators().clone();
            light.verify_skip(&c.header, &c.certificate, None).map_err(BundleError::Header)?;
            c.inclusion
                .verify(&tx_hash, &c.header.tx_root)
                .map_err(|source| BundleError::NotInBlock { height, source })?;
            check_field("height", r.height, height)?;
            check_field("index", r.index.into(), c.inclusion.index.into())?;
            check_field("block_time_ms", r.block_time_ms, c.header.time_ms)?;
            // The receipt: a leaf of `receipts_root` at the transaction's own
            // position in a tree of as many leaves as the transactions tree.
            let (ri, ti) = (&c.receipt_inclusion, &c.inclusion);
            if (ri.index, ri.leaf_count) != (ti.index, ti.leaf_count) {
                return Err(BundleError::ReceiptNotCertified {
                    height,
                    why: format!(
                        "its path is for position {} of {}, the transaction's for position {} of {}",
                        ri.index, ri.leaf_count, ti.index, ti.leaf_count
                    ),
                });
            }
            ri.verify(&r.hash(), &c.header.receipts_root)
                .map_err(|e| BundleError::ReceiptNotCertified { height, why: e.to_string() })?;
            let party = verify_account(&c.signer_account, &signer, &c.header.state_root)?;
            let party = match (party, genesis_party(genesis, &signer)) {
                (SignerParty::NoAccount, Some(p)) => SignerParty::Genesis { party: p },
                (p, _) => p,
            };
            let certified_by: Vec<CertSigner> = c
                .certificate
                .signatures
                .iter()
                .filter_map(|(i, _)| set.get(*i))
                .map(|v| CertSigner { key: v.key, operator: v.operator, power: v.power })
                .collect();
            Ok(VerifiedReceipt {
                block_hash: Some(c.header.hash()),
                signed_power: certified_by.iter().map(|s| s.power).sum(),
                total_power: set.total_power(),
                certified_by,
                validator_changes: c.validator_changes.len(),
                events_certified: true,
                ..base(height, c.inclusion.index, c.header.time_ms, party)
            })
        }
    }
}

fn check_field(field: &'static str, receipt: u64, certified: u64) -> Result<(), BundleError> {
    if receipt != certified {
        return Err(BundleError::ReceiptField { field, receipt, certified });
    }
    Ok(())
}

/// The genesis party listing `key` among its accounts.
fn genesis_party(genesis: &Genesis, key: &PublicKey) -> Option<PartyId> {
    genesis.parties.iter().position(|p| p.accounts.contains(key)).map(|i| PartyId(i as u64 + 1))
}

/// The state key of an account entry: `'A' ‖ key` (`tamga-state` `keys::account`).
pub fn account_state_key(key: &PublicKey) -> Vec<u8> {
    let mut k = Vec::with_capacity(33);
    k.push(b'A');
    k.extend_from_slice(&key.0);
    k
}

/// Verifies a JMT proof of `value` (or of absence) under `logical_key` against `root`.
pub fn verify_state_proof(logical_key: &[u8], value: Option<&[u8]>, proof: &[u8], root: &Hash) -> Result<(), String> {
    let proof: jmt::proof::SparseMerkleProof<sha2::Sha256> =
        codec::decode("state proof", proof, MAX_PROOF_BYTES).map_err(|e| e.to_string())?;
    proof
        .verify(jmt::RootHash(root.0), jmt::KeyHash::with::<sha2::Sha256>(logical_key), value)
        .map_err(|e| e.to_string())
}

fn verify_account(p: &AccountProof, signer: &PublicKey, root: &Hash) -> Result<SignerParty, BundleError> {
    let value: Option<&[u8]> = p.value.as_ref().map(|v| &v[..]);
    verify_state_proof(&account_state_key(signer), value, &p.proof, root)
        .map_err(|reason| BundleError::AccountProof { root: *root, reason })?;
    let Some(bytes) = value else { return Ok(SignerParty::NoAccount) };
    let acc: AccountState = codec::decode("account", bytes, MAX_PROOF_BYTES)
        .map_err(|e| BundleError::AccountProof { root: *root, reason: e.to_string() })?;
    if acc.key != *signer {
        return Err(BundleError::AccountKey { signer: *signer, got: acc.key });
    }
    Ok(SignerParty::StateProof {
        party: acc.party,
        status: acc.status,
        created_height: acc.created_height,
        certificate: acc.certificate,
    })
}

#[cfg(test)]
#[path = "bundle_tests.rs"]
mod tests;
