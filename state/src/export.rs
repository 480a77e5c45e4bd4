//! Issuer export (SPEC §12, Law art. 33 p.4): everything an issuer party
//! issued, read from ONE consistent point of the ledger, with the proofs a
//! verifier needs to check it offline against the genesis alone.
//!
//! [`Ledger::export_issuer`] takes a RocksDB snapshot, reads the committed
//! height `H` from it and walks, in this order:
//!
//! 1. the certified headers a verifier needs, ascending: every header after
//!    which the validator set changes (with the new set) up to `H`, every
//!    height a history entry was committed at, and `H` itself;
//! 2. the party entry, its issuer index (`W ‖ party`: how many classes and
//!    records it issued) and its account entries;
//! 3. every class it issued (index `i`), each followed by its holder count
//!    (`O ‖ class`) and the holdings of that class (index `c`);
//! 4. every record it certified (a scan of the `R` entries), each followed by
//!    its history entries (`Y ‖ record ‖ seq`) with the committed transaction
//!    and its inclusion proof.
//!
//! Every state entry (party, issuer index, account, class, holder count,
//! holding, record — encumbrances are inline in the record — and history
//! entry) comes with its Jellyfish Merkle proof against the state root of
//! `H`, read from the versioned tree at version `H` (the tree keeps every
//! version, so the proof and the snapshot agree even while blocks keep
//! committing). The proven counts (classes, records, holders of each class,
//! `history_len`) let a verifier prove nothing was left out. Index reads
//! (classes, holders) go through the snapshot, so a holding emptied or a
//! history entry added after `H` never leaks in.
//!
//! **Bounds.** Items are handed to `sink` one at a time and never collected:
//! memory is one block's transaction hashes (cached for consecutive history
//! entries of the same block) plus the set of distinct history heights and
//! the validator-set changes (8 bytes per history height; one set per
//! change). Reading cost is one scan of all records plus, per item, one
//! tree proof. The caller decides how the stream is sent (the API streams
//! it with back-pressure; see `docs/export-format.md`).

use std::collections::{BTreeMap, BTreeSet};

use tamga_types::model::{
    AccountState, ChainInfo, ClassState, HistoryEntry, Holding, IssuerIndex, PartyState, RecordState,
};
use tamga_types::{
    BlockHeader, Certificate, ClassId, Hash, Height, PartyId, PublicKey, RecordId, SignedTransaction, TxInclusionProof,
    ValidatorSet,
};

use crate::error::StateError;
use crate::keys::{self, index, meta, state};
use crate::ledger::Ledger;
use crate::store::{cf, dec, Snap};

/// Why an export could not be made (or was cut short).
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// No party has this id.
    #[error("no party {party}")]
    UnknownParty {
        /// The id asked for.
        party: PartyId,
    },
    /// The party neither holds the issuer role nor ever issued a class.
    #[error("party {party} is not an issuer: it holds no issuer role and issued no class")]
    NotIssuer {
        /// The id asked for.
        party: PartyId,
    },
    /// Nothing is certified yet: state proofs need a committed block.
    #[error("no block is committed yet: an export is proven against a certified block's state root")]
    NoCommittedBlock,
    /// The ledger failed.
    #[error(transparent)]
    State(#[from] StateError),
    /// The consumer of the items stopped (a closed connection): the export is incomplete.
    #[error("the export was abandoned by its consumer: {0}")]
    Abandoned(String),
}

/// What the export is of and at which point.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportStart {
    /// Chain facts (chain id, genesis hash).
    pub chain: ChainInfo,
    /// The exported party.
    pub issuer: PartyId,
    /// Committed height every entry is read at.
    pub height: Height,
    /// State root of `height` (the certified header's `state_root`).
    pub state_root: Hash,
}

/// A state entry with its proof at the export height.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProvenEntry<T> {
    /// Logical state key.
    pub key: Vec<u8>,
    /// borsh bytes stored under `key` (the proven value).
    pub value: Vec<u8>,
    /// borsh of jmt 0.12 `SparseMerkleProof<Sha256>` against the state root.
    pub proof: Vec<u8>,
    /// `value`, decoded.
    pub state: T,
}

/// The issuer index entry `W ‖ issuer` at the export height: present with its
/// inclusion proof, or absent (the party issued nothing yet) with an absence
/// proof, when `value` is `None` and `state` is all zero.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProvenIndex {
    /// Logical state key.
    pub key: Vec<u8>,
    /// borsh bytes stored under `key`, `None` when absent.
    pub value: Option<Vec<u8>>,
    /// borsh of jmt 0.12 `SparseMerkleProof<Sha256>` against the state root.
    pub proof: Vec<u8>,
    /// `value`, decoded (zero counts when absent).
    pub state: IssuerIndex,
}

/// Where a history entry's transaction was committed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TxPlace {
    /// `genesis.transactions[index]` (height 0).
    Genesis {
        /// Position in the genesis list.
        index: u32,
    },
    /// A block: the Merkle path of its hash to that block's `tx_root`.
    Block(TxInclusionProof),
}

/// One item of an export, in stream order (module docs).
// Items are produced and written one at a time, never stored in bulk, so the
// size of the largest variant costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExportItem {
    /// First: what and where.
    Start(ExportStart),
    /// A certified header, ascending by height; the last one is at the export height.
    Block {
        /// The header.
        header: BlockHeader,
        /// Its commit certificate.
        certificate: Certificate,
        /// The set certifying the next height, when this header changes it.
        next_validators: Option<ValidatorSet>,
    },
    /// The party.
    Party(Box<ProvenEntry<PartyState>>),
    /// The party's issuer index: how many classes and records it issued.
    IssuerIndex(Box<ProvenIndex>),
    /// One of its accounts.
    Account(Box<ProvenEntry<AccountState>>),
    /// A class it issued (with supply).
    Class(Box<ProvenEntry<ClassState>>),
    /// How many holdings the last class has (`O ‖ class`).
    Holders {
        /// Class.
        class: ClassId,
        /// The count entry.
        entry: Box<ProvenEntry<u64>>,
    },
    /// A holding of the last class.
    Holding {
        /// Class.
        class: ClassId,
        /// Holder account.
        account: PublicKey,
        /// The account's party at the export height (from the snapshot, not proven here).
        party: Option<PartyId>,
        /// The holding entry.
        entry: Box<ProvenEntry<Holding>>,
    },
    /// A record it certified (encumbrances inline).
    Record(Box<ProvenEntry<RecordState>>),
    /// A history entry of the last record.
    History {
        /// Record.
        record: RecordId,
        /// Position in the record's history (0-based).
        seq: u64,
        /// The entry `Y ‖ record ‖ seq`, proven.
        entry: Box<ProvenEntry<HistoryEntry>>,
        /// The committed transaction it names.
        tx: Box<SignedTransaction>,
        /// Where it was committed.
        place: TxPlace,
    },
}

/// Counts of what was exported.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExportSummary {
    /// Export height.
    pub height: Height,
    /// Certified headers.
    pub blocks: u64,
    /// Accounts of the party.
    pub accounts: u64,
    /// Classes.
    pub classes: u64,
    /// Holdings.
    pub holdings: u64,
    /// Records.
    pub records: u64,
    /// History entries.
    pub history: u64,
}

type Res<T> = Result<T, ExportError>;

fn big_endian_u64(bytes: &[u8]) -> Option<u64> {
    Some(u64::from_be_bytes(bytes.try_into().ok()?))
}

/// Reads through one snapshot; proofs from the tree at `height`.
struct Reader<'a> {
    ledger: &'a Ledger,
    snap: Snap<'a>,
    height: Height,
    /// The transaction hashes of the last block read (history entries of a record cluster in few blocks).
    block_cache: Option<(Height, Vec<Hash>)>,
}

impl Reader<'_> {
    fn state<T: borsh::BorshDeserialize>(&self, key: &[u8]) -> Res<Option<T>> {
        Ok(self.snap.get(cf::STATE, key)?.map(|b| dec("state", &b)).transpose()?)
    }

    /// The entry under `key` at the export height with its proof; `None` if absent.
    fn proven<T: borsh::BorshDeserialize>(&self, key: Vec<u8>) -> Res<Option<ProvenEntry<T>>> {
        let (value, proof) = self.ledger.get_with_proof(&key, self.height)?;
        let Some(value) = value else { return Ok(None) };
        // The snapshot and the tree at its height are the same state; a
        // difference is a broken store, never something to export.
        if self.snap.get(cf::STATE, &key)?.as_deref() != Some(&value[..]) {
            return Err(StateError::Corrupt {
                what: "export",
                why: format!("state entry {} differs from the tree at height {}", hex_of(&key), self.height),
            }
            .into());
        }
        let state = dec("state", &value)?;
        let proof = borsh::to_vec(&proof)
            .map_err(|e| StateError::Corrupt { what: "a JMT proof being encoded", why: e.to_string() })?;
        Ok(Some(ProvenEntry { key, value, proof, state }))
    }

    /// The entry under `key` at the export height with its proof, present or absent.
    fn proven_or_absent(&self, key: Vec<u8>) -> Res<(Option<Vec<u8>>, Vec<u8>)> {
        let (value, proof) = self.ledger.get_with_proof(&key, self.height)?;
        if self.snap.get(cf::STATE, &key)? != value {
            return Err(StateError::Corrupt {
                what: "export",
                why: format!("state entry {} differs from the tree at height {}", hex_of(&key), self.height),
            }
            .into());
        }
        let proof = borsh::to_vec(&proof)
            .map_err(|e| StateError::Corrupt { what: "a JMT proof being encoded", why: e.to_string() })?;
        Ok((value, proof))
    }

    fn must_prove<T: borsh::BorshDeserialize>(&self, key: Vec<u8>, what: &'static str) -> Res<ProvenEntry<T>> {
        let shown = hex_of(&key);
        self.proven(key)?.ok_or_else(|| {
            StateError::Corrupt { what, why: format!("indexed entry {shown} is absent at the export height") }.into()
        })
    }

    /// Ids under an index prefix, as of the snapshot.
    fn index_ids(&self, prefix: &[u8]) -> Res<Vec<u64>> {
        let mut out = Vec::new();
        self.snap.visit(cf::INDEX, prefix, |k, _| {
            if let Some(id) = keys::trailing_u64(k) {
                out.push(id);
            }
            Ok::<_, ExportError>(())
        })?;
        Ok(out)
    }

    /// Calls `f` on every record the party certified, ascending by id.
    fn visit_records(&self, issuer: PartyId, mut f: impl FnMut(RecordState) -> Res<()>) -> Res<()> {
        self.snap.visit(cf::STATE, &[state::RECORD], |_, v| {
            let r: RecordState = dec("record", v)?;
            if r.certifier == issuer {
                f(r)?;
            }
            Ok(())
        })
    }

    /// Calls `f` on every history entry of `record`, in order.
    fn visit_history(&self, record: RecordId, mut f: impl FnMut(u64, HistoryEntry) -> Res<()>) -> Res<()> {
        self.snap.visit(cf::STATE, &keys::prefix_id(state::RECORD_HISTORY, record.0), |k, v| {
            let seq = keys::trailing_u64(k).unwrap_or(u64::MAX);
            f(seq, dec("history", v)?)
        })
    }

    /// Every validator set stored by effective height, as of the snapshot.
    fn validator_sets(&self) -> Res<BTreeMap<Height, ValidatorSet>> {
        let mut out = BTreeMap::new();
        self.snap.visit(cf::STATE, &[state::VALSET], |k, v| {
            if let Some(h) = big_endian_u64(&k[1..]) {
                out.insert(h, dec("validator set", v)?);
            }
            Ok::<_, ExportError>(())
        })?;
        Ok(out)
    }

    /// Where `tx_hash` was committed, with the transaction and its place.
    fn place(&mut self, tx_hash: &Hash) -> Res<(SignedTransaction, TxPlace, Height)> {
        let missing = |what: &str| StateError::Corrupt { what: "export", why: format!("{what} of {tx_hash} missing") };
        let loc = self.snap.get(cf::TXS, &tx_hash.0)?.ok_or_else(|| missing("location"))?;
        let (h, i) = loc.split_at_checked(8).ok_or_else(|| missing("a well-formed location"))?;
        let height = big_endian_u64(h).ok_or_else(|| missing("a well-formed location"))?;
        let index = u32::from_be_bytes(i.try_into().map_err(|_| missing("a well-formed location"))?);
        if height == 0 {
            let tx = self
                .ledger
                .genesis()?
                .and_then(|g| g.transactions.get(index as usize).cloned())
                .ok_or_else(|| missing("genesis transaction"))?;
            return Ok((tx, TxPlace::Genesis { index }, 0));
        }
        let block = self.ledger.block(height)?.ok_or_else(|| missing("block"))?;
        let tx = block.txs.get(index as usize).cloned().ok_or_else(|| missing("transaction"))?;
        if self.block_cache.as_ref().is_none_or(|(ch, _)| *ch != height) {
            self.block_cache = Some((height, block.txs.iter().map(|t| t.hash()).collect()));
        }
        let hashes = self.block_cache.as_ref().map(|(_, h)| &h[..]).unwrap_or(&[]);
        let proof = TxInclusionProof::build(hashes, index as usize).ok_or_else(|| missing("inclusion proof"))?;
        Ok((tx, TxPlace::Block(proof), height))
    }
}

fn hex_of(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

impl Ledger {
    /// Exports every class, holding, record (with encumbrances) and history
    /// entry of the issuer `issuer` at the last committed height, with proofs,
    /// handing items to `sink` in stream order (module docs). Checks the party
    /// before the first item, so a refusal emits nothing. An error from `sink`
    /// stops the export ([`ExportError::Abandoned`]).
    pub fn export_issuer(
        &self,
        issuer: PartyId,
        mut sink: impl FnMut(ExportItem) -> Result<(), String>,
    ) -> Result<ExportSummary, ExportError> {
        let snap = self.store.snapshot();
        let height: Height =
            snap.get(cf::STATE, &keys::meta(meta::HEIGHT))?.map(|b| dec("height", &b)).transpose()?.unwrap_or(0);
        let mut r = Reader { ledger: self, snap, height, block_cache: None };
        let party: PartyState =
            r.state(&keys::id(state::PARTY, issuer.0))?.ok_or(ExportError::UnknownParty { party: issuer })?;
        let class_ids = r.index_ids(&keys::prefix_id(index::ISSUER_CLASS, issuer.0))?;
        if !party.issuer && class_ids.is_empty() {
            return Err(ExportError::NotIssuer { party: issuer });
        }
        if height == 0 {
            return Err(ExportError::NoCommittedBlock);
        }
        let span = tracing::info_span!(target: "tamga::state", "export_issuer", issuer = issuer.0, height);
        let _guard = span.enter();
        let mut emit = |item: ExportItem| sink(item).map_err(ExportError::Abandoned);
        let anchor = self
            .block(height)?
            .ok_or(StateError::Corrupt { what: "export", why: format!("block {height} missing from the store") })?;
        let chain: ChainInfo = r.state(&keys::meta(meta::CHAIN))?.ok_or(StateError::NoGenesis)?;
        emit(ExportItem::Start(ExportStart { chain, issuer, height, state_root: anchor.header.state_root }))?;
        let mut summary = ExportSummary { height, ..Default::default() };

        // ---- 1. certified headers ----
        let mut heights = BTreeSet::from([height]);
        r.visit_records(issuer, |rec| {
            r.visit_history(rec.id, |_, e| {
                if e.height > 0 && e.height <= height {
                    heights.insert(e.height);
                }
                Ok(())
            })
        })?;
        // A header `h` announces the set effective from `h + 1`: every change
        // up to the set of `height + 1` (the last header may announce one).
        let sets = r.validator_sets()?;
        let set_at = |h: Height| sets.range(..=h).next_back().map(|(_, s)| s.clone()).unwrap_or_default();
        let mut changes: BTreeMap<Height, ValidatorSet> = BTreeMap::new();
        let mut current = set_at(1).hash();
        for (&effective, set) in sets.range(2..=height + 1) {
            let hash = set.hash();
            if hash != current {
                changes.insert(effective - 1, set.clone());
                current = hash;
            }
        }
        heights.extend(changes.keys().copied());
        for h in heights {
            let missing = || StateError::Corrupt { what: "export", why: format!("block or certificate {h} missing") };
            let header = if h == height { anchor.header.clone() } else { self.block(h)?.ok_or_else(missing)?.header };
            let certificate = self.certificate(h)?.ok_or_else(missing)?;
            emit(ExportItem::Block { header, certificate, next_validators: changes.remove(&h) })?;
            summary.blocks += 1;
        }

        // ---- 2. the party and its accounts ----
        emit(ExportItem::Party(Box::new(r.must_prove(keys::id(state::PARTY, issuer.0), "party")?)))?;
        let key = keys::id(state::ISSUER_INDEX, issuer.0);
        let (value, proof) = r.proven_or_absent(key.clone())?;
        let ix: IssuerIndex = value.as_deref().map(|v| dec("issuer index", v)).transpose()?.unwrap_or_default();
        emit(ExportItem::IssuerIndex(Box::new(ProvenIndex { key, value, proof, state: ix })))?;
        for key in &party.accounts {
            emit(ExportItem::Account(Box::new(r.must_prove(keys::account(key), "account")?)))?;
            summary.accounts += 1;
        }

        // ---- 3. classes and their holdings ----
        for id in class_ids {
            let class: ProvenEntry<ClassState> = r.must_prove(keys::id(state::CLASS, id), "class")?;
            let class_id = class.state.id;
            emit(ExportItem::Class(Box::new(class)))?;
            summary.classes += 1;
            let entry = r.must_prove(keys::id(state::CLASS_HOLDERS, id), "class holder count")?;
            emit(ExportItem::Holders { class: class_id, entry: Box::new(entry) })?;
            let mut holders = Vec::new();
            r.snap.visit(cf::INDEX, &keys::prefix_id(index::CLASS_HOLDER, id), |k, _| {
                if let Some(key) = keys::trailing_key(k) {
                    holders.push(key);
                }
                Ok::<_, ExportError>(())
            })?;
            for account in holders {
                let entry = r.must_prove(keys::holding(id, &account), "holding")?;
                let party = r.state::<AccountState>(&keys::account(&account))?.map(|a| a.party);
                emit(ExportItem::Holding { class: class_id, account, party, entry: Box::new(entry) })?;
                summary.holdings += 1;
            }
        }

        // ---- 4. records and their history ----
        let mut ids = Vec::new();
        r.visit_records(issuer, |rec| {
            ids.push(rec.id);
            Ok(())
        })?;
        // Record ids are collected (8 bytes each) so that the snapshot
        // iterator is not held across the history reads.
        for id in ids {
            let rec: ProvenEntry<RecordState> = r.must_prove(keys::id(state::RECORD, id.0), "record")?;
            emit(ExportItem::Record(Box::new(rec)))?;
            summary.records += 1;
            let mut entries = Vec::new();
            r.visit_history(id, |seq, e| {
                entries.push((seq, e));
                Ok(())
            })?;
            for (seq, listed) in entries {
                let (tx, place, at) = r.place(&listed.tx_hash)?;
                let entry: ProvenEntry<HistoryEntry> =
                    r.must_prove(keys::history(state::RECORD_HISTORY, id.0, seq), "history")?;
                if at != entry.state.height {
                    return Err(StateError::Corrupt {
                        what: "export",
                        why: format!("history {id}/{seq} names height {}, its tx is at {at}", entry.state.height),
                    }
                    .into());
                }
                emit(ExportItem::History { record: id, seq, entry: Box::new(entry), tx: Box::new(tx), place })?;
                summary.history += 1;
            }
        }
        tracing::info!(
            target: "tamga::state",
            issuer = issuer.0,
            height,
            blocks = summary.blocks,
            classes = summary.classes,
            holdings = summary.holdings,
            records = summary.records,
            history = summary.history,
            "issuer exported"
        );
        Ok(summary)
    }
}
