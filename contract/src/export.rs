//! Issuer exports (SPEC §12, Law art. 33 p.4): every class, holding, record,
//! encumbrance and history entry of one issuer at one certified height, as
//! JSON Lines that anyone holding only the network's `genesis.json` can
//! verify offline.
//!
//! `docs/export-format.md` is the reference (every line kind, every field,
//! the order and the verification algorithm). In short, an export is a
//! sequence of [`ExportLine`]s, one JSON object per line, each object with
//! exactly one member naming its kind:
//!
//! ```text
//! {"header": …}                       format, version, chain, issuer, height H, state root
//! {"block": …}   ascending heights    certified headers: set changes, history heights, H last
//! {"party": …}                        the issuer's party entry, proven
//! {"issuer_index": …}                 how many classes and records it issued, proven
//! {"account": …} *                    its accounts, proven
//! ({"class": …} {"holders": …} {"holding": …}*)*
//!                                     each class, its proven holder count, its holdings
//! ({"record": …} {"history": …}*)*    each record (encumbrances inline), proven, then its proven history
//! {"end": …}                          counts: a cut file is detected
//! ```
//!
//! [`verify_export`] reads the lines one at a time (memory: the verified
//! headers' `tx_root`s and the ids of the exported classes), follows the
//! certified headers from the genesis with the light client, checks every
//! state entry's Merkle proof against the state root of `H`, and every
//! history entry's transaction (hash, signer, signature) and its inclusion
//! in the certified block of its height. It returns what was proven
//! ([`VerifiedExport`]) or the first failure with its line number
//! ([`ExportError`]).
//!
//! **Completeness.** A proof shows that an entry is in the state at `H`; the
//! proven counts show that the node left nothing out: the issuer index
//! (`W ‖ issuer`: classes and records issued), each class's holder count
//! (`O ‖ class`) and each record's `history_len`. Every listed entry is
//! proven, distinct and the issuer's, so as many of them as the proven count
//! are all of them. A holding's `party` is the exporting node's word.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, Read, Write};

use serde::{Deserialize, Serialize};
use tamga_types::codec::{self, limits};
use tamga_types::model::{AccountState, ClassState, HistoryEntry, Holding, IssuerIndex, PartyState, RecordState};
use tamga_types::{
    BlockHeader, Certificate, ClassId, Genesis, Hash, Height, LightClient, LightError, PartyId, PublicKey, RecordId,
    SignedTransaction, TxInclusionProof, ValidatorSet,
};

use crate::bundle::{light_code, verify_state_proof, MAX_PROOF_BYTES};

/// The value of [`ExportHeader::format`].
pub const EXPORT_FORMAT: &str = "tamga-issuer-export";
/// The format version this crate writes and reads.
pub const EXPORT_VERSION: u16 = 2;
/// Longest line accepted, in bytes (newline excluded).
pub const MAX_LINE_BYTES: usize = 1024 * 1024;
/// Largest borsh header, certificate or validator set accepted in a block line.
pub const MAX_BLOCK_PART_BYTES: usize = 256 * 1024;

/// One line of an export.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportLine {
    /// First line.
    Header(ExportHeader),
    /// A certified header.
    Block(BlockLine),
    /// The issuer's party entry.
    Party(Proven<PartyState>),
    /// The issuer's index: how many classes and records it issued.
    IssuerIndex(IndexLine),
    /// One of the issuer's accounts.
    Account(Proven<AccountState>),
    /// A class the issuer created.
    Class(Proven<ClassState>),
    /// How many holdings the last class has.
    Holders(HoldersLine),
    /// A holding of the last class.
    Holding(HoldingLine),
    /// A record the issuer certified.
    Record(Proven<RecordState>),
    /// A history entry of the last record.
    History(HistoryLine),
    /// Last line.
    End(ExportCounts),
}

/// What the export is of.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportHeader {
    /// Always [`EXPORT_FORMAT`].
    pub format: String,
    /// [`EXPORT_VERSION`]; a reader refuses versions it does not know.
    pub version: u16,
    /// Chain id.
    pub chain_id: String,
    /// Hash of the genesis the export is for.
    pub genesis_hash: Hash,
    /// The exported party.
    pub issuer: PartyId,
    /// Committed height every entry is read at.
    pub height: Height,
    /// State root of `height` (equal to the certified header's `state_root`).
    pub state_root: Hash,
}

/// A certified header (`hex` of borsh, as `docs/wire-format.md` encodes them).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockLine {
    /// Its height (equal to the header's).
    pub height: Height,
    /// Hash of the header.
    pub hash: Hash,
    /// borsh `BlockHeader`, hex.
    pub header: String,
    /// borsh `Certificate`, hex.
    pub certificate: String,
    /// borsh `ValidatorSet` certifying from `height + 1`, hex; present exactly
    /// when the header announces a new set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_validators: Option<String>,
}

/// A state entry with its proof against the export's state root.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proven<T> {
    /// Logical state key, hex.
    pub key: String,
    /// borsh of the entry, hex: the proven bytes.
    pub value: String,
    /// borsh of jmt 0.12 `SparseMerkleProof<Sha256>`, hex.
    pub proof: String,
    /// `value` decoded (a verifier checks that it is).
    pub state: T,
}

/// The issuer index entry `'W' ‖ issuer` (`IssuerIndex`), present or, for a
/// party that issued nothing yet, proven absent (`value` omitted, zero counts).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexLine {
    /// Logical state key, hex.
    pub key: String,
    /// borsh of the entry, hex; absent when the key is absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// borsh of jmt 0.12 `SparseMerkleProof<Sha256>`, hex (inclusion or absence).
    pub proof: String,
    /// `value` decoded (zero counts when absent).
    pub state: IssuerIndex,
}

/// The holder count of a class with its proof.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoldersLine {
    /// Class.
    pub class: ClassId,
    /// The entry `'O' ‖ class`: a `u64`, the number of holding entries of the class.
    pub entry: Proven<u64>,
}

/// A holding with its proof.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoldingLine {
    /// Class.
    pub class: ClassId,
    /// Holder account.
    pub account: PublicKey,
    /// The account's party at the export height (the node's word: not proven).
    pub party: Option<PartyId>,
    /// The holding entry `H ‖ class ‖ account`.
    pub entry: Proven<Holding>,
}

/// A history entry with its committed transaction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryLine {
    /// Record.
    pub record: RecordId,
    /// Position in the record's history (0, 1, …).
    pub seq: u64,
    /// The entry (height, time, tx hash, signer, event, details): `value` decoded.
    pub entry: HistoryEntry,
    /// The state key `'Y' ‖ record ‖ seq`, hex.
    pub key: String,
    /// borsh of the entry, hex: the proven bytes.
    pub value: String,
    /// borsh of jmt 0.12 `SparseMerkleProof<Sha256>`, hex.
    pub proof: String,
    /// The signed transaction it names: borsh, hex.
    pub tx: String,
    /// Merkle path of the transaction hash to the `tx_root` of the block at
    /// `entry.height`; absent for a genesis transaction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inclusion: Option<TxInclusionProof>,
    /// Position in `genesis.transactions` for a genesis transaction (height 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub genesis_index: Option<u32>,
}

/// Counts of the lines of each kind (the `end` line).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportCounts {
    /// `block` lines.
    pub blocks: u64,
    /// `account` lines.
    pub accounts: u64,
    /// `class` lines.
    pub classes: u64,
    /// `holding` lines.
    pub holdings: u64,
    /// `record` lines.
    pub records: u64,
    /// `history` lines.
    pub history: u64,
}

/// The state key of an issuer index: `'W' ‖ party BE`.
pub fn issuer_index_key(id: PartyId) -> Vec<u8> {
    id_key(b'W', id.0)
}

/// The state key of a class's holder count: `'O' ‖ class BE`.
pub fn class_holders_key(id: ClassId) -> Vec<u8> {
    id_key(b'O', id.0)
}

/// The state key of a record's history entry: `'Y' ‖ record BE ‖ seq BE`.
pub fn record_history_key(id: RecordId, seq: u64) -> Vec<u8> {
    let mut k = id_key(b'Y', id.0);
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

/// Writes one line (JSON and a newline).
pub fn write_line(w: &mut impl Write, line: &ExportLine) -> std::io::Result<()> {
    serde_json::to_writer(&mut *w, line)?;
    w.write_all(b"\n")
}

/// The state key of a party entry: `'P' ‖ id BE`.
pub fn party_state_key(id: PartyId) -> Vec<u8> {
    id_key(b'P', id.0)
}

/// The state key of a class entry: `'C' ‖ id BE`.
pub fn class_state_key(id: ClassId) -> Vec<u8> {
    id_key(b'C', id.0)
}

/// The state key of a record entry: `'R' ‖ id BE`.
pub fn record_state_key(id: RecordId) -> Vec<u8> {
    id_key(b'R', id.0)
}

/// The state key of a holding: `'H' ‖ class BE ‖ account key`.
pub fn holding_state_key(class: ClassId, account: &PublicKey) -> Vec<u8> {
    let mut k = id_key(b'H', class.0);
    k.extend_from_slice(&account.0);
    k
}

fn id_key(prefix: u8, id: u64) -> Vec<u8> {
    let mut k = Vec::with_capacity(9);
    k.push(prefix);
    k.extend_from_slice(&id.to_be_bytes());
    k
}

/// Why an export does not verify: the line at fault and the reason.
#[derive(Debug, thiserror::Error)]
#[error("line {line}: {fault}")]
pub struct ExportError {
    /// 1-based line number (0: before the first line).
    pub line: u64,
    /// What is wrong there.
    pub fault: ExportFault,
}

impl ExportError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        self.fault.code()
    }
}

/// What is wrong with a line.
#[derive(Debug, thiserror::Error)]
pub enum ExportFault {
    /// Reading the file failed.
    #[error("cannot read: {0}")]
    Io(#[from] std::io::Error),
    /// A line is longer than [`MAX_LINE_BYTES`].
    #[error("the line is longer than {max} bytes")]
    LineTooLong {
        /// The limit.
        max: usize,
    },
    /// A line is not one of the line kinds.
    #[error("not an export line: {0}")]
    Malformed(String),
    /// A hex field does not decode to its type.
    #[error("field {field}: {reason}")]
    BadField {
        /// Which field.
        field: &'static str,
        /// Why.
        reason: String,
    },
    /// Not the format, or a version this reader does not know.
    #[error("format {format:?} version {version} is not supported (this reader reads {EXPORT_FORMAT:?} version {EXPORT_VERSION})")]
    Unsupported {
        /// The file's format name.
        format: String,
        /// The file's version.
        version: u16,
    },
    /// The export is for another network.
    #[error("the export is for chain {chain_id:?} genesis {export}; the given genesis is {genesis}")]
    GenesisMismatch {
        /// The export's chain id.
        chain_id: String,
        /// The export's genesis hash.
        export: Hash,
        /// The given genesis' hash.
        genesis: Hash,
    },
    /// A line of this kind cannot come here.
    #[error("a {kind} line cannot follow a {after} line")]
    OutOfOrder {
        /// This line's kind.
        kind: &'static str,
        /// The previous line's kind.
        after: &'static str,
    },
    /// A certified header did not verify from the genesis.
    #[error("block {height}: {source}")]
    Header {
        /// Its height.
        height: Height,
        /// Why.
        source: LightError,
    },
    /// A block line's height or hash is not its header's.
    #[error("block line says height {line_height} hash {line_hash}, its header is height {height} hash {hash}")]
    BlockLine {
        /// The line's `height`.
        line_height: Height,
        /// The line's `hash`.
        line_hash: Hash,
        /// The header's height.
        height: Height,
        /// The header's hash.
        hash: Hash,
    },
    /// The last certified header is not the export's height and state root.
    #[error("the export claims height {height} root {root}; the last certified header is height {got_height} root {got_root}")]
    Anchor {
        /// The export's height.
        height: Height,
        /// The export's state root.
        root: Hash,
        /// Height of the last certified header.
        got_height: Height,
        /// Its state root.
        got_root: Hash,
    },
    /// A state proof does not verify against the export's state root.
    #[error("the {kind} entry {key} is not proven against state root {root}: {reason}")]
    StateProof {
        /// Line kind.
        kind: &'static str,
        /// The key, hex.
        key: String,
        /// The state root.
        root: Hash,
        /// Why.
        reason: String,
    },
    /// The decoded `state` is not what the proven `value` holds.
    #[error("the {kind} line's `state` differs from its proven `value`")]
    StateMismatch {
        /// Line kind.
        kind: &'static str,
    },
    /// The entry is proven but is not what the line claims or not the issuer's.
    #[error("the {kind} entry does not belong here: {reason}")]
    NotIssuers {
        /// Line kind.
        kind: &'static str,
        /// Why.
        reason: String,
    },
    /// A history entry's transaction is not the one it names, or is not committed where it says.
    #[error("history {record}/{seq}: {reason}")]
    History {
        /// Record.
        record: RecordId,
        /// Entry position.
        seq: u64,
        /// Why.
        reason: String,
    },
    /// A record's history is incomplete or out of order.
    #[error("record {record} has history_len {expected} but the export carries {got} history entries")]
    HistoryCount {
        /// Record.
        record: RecordId,
        /// The proven `history_len`.
        expected: u64,
        /// Entries present.
        got: u64,
    },
    /// Fewer classes or records than the issuer index proves: one was left out.
    #[error(
        "the issuer index proves {expected} {what} of issuer {issuer}, the export carries {got}: {missing} missing"
    )]
    IssuedCount {
        /// `classes` or `records`.
        what: &'static str,
        /// The issuer.
        issuer: PartyId,
        /// The proven count.
        expected: u64,
        /// Lines present.
        got: u64,
        /// `expected - got` (or the excess, as a negative count is impossible: a
        /// listed entry is proven, distinct and the issuer's).
        missing: u64,
    },
    /// Fewer holdings of a class than its proven holder count.
    #[error(
        "class {class} has {expected} holdings (proven holder count), the export carries {got}: {missing} missing"
    )]
    HoldingsCount {
        /// Class.
        class: ClassId,
        /// The proven count.
        expected: u64,
        /// Holding lines present.
        got: u64,
        /// `expected - got`.
        missing: u64,
    },
    /// The `end` line's counts are not the lines present.
    #[error("the end line counts {claimed:?}, the file holds {got:?}")]
    Counts {
        /// The end line.
        claimed: ExportCounts,
        /// Counted.
        got: ExportCounts,
    },
    /// The file ends before its `end` line: cut short.
    #[error("the export ends without its end line: the file is incomplete")]
    Truncated,
    /// Something follows the `end` line.
    #[error("a line follows the end line")]
    TrailingData,
}

impl ExportFault {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            ExportFault::Io(_) => "EXPORT_UNREADABLE",
            ExportFault::LineTooLong { .. } | ExportFault::Malformed(_) | ExportFault::BadField { .. } => {
                "EXPORT_MALFORMED"
            }
            ExportFault::Unsupported { .. } => "EXPORT_VERSION_UNSUPPORTED",
            ExportFault::GenesisMismatch { .. } => "GENESIS_MISMATCH",
            ExportFault::OutOfOrder { .. } => "EXPORT_OUT_OF_ORDER",
            ExportFault::Header { source, .. } => light_code(source),
            ExportFault::BlockLine { .. } | ExportFault::Anchor { .. } => "EXPORT_ANCHOR_MISMATCH",
            ExportFault::StateProof { .. } => "BAD_STATE_PROOF",
            ExportFault::StateMismatch { .. } => "STATE_MISMATCH",
            ExportFault::NotIssuers { .. } => "NOT_ISSUERS_ENTRY",
            ExportFault::History { .. } => "BAD_HISTORY_ENTRY",
            ExportFault::HistoryCount { .. } => "HISTORY_INCOMPLETE",
            ExportFault::IssuedCount { what: "classes", .. } => "CLASSES_INCOMPLETE",
            ExportFault::IssuedCount { .. } => "RECORDS_INCOMPLETE",
            ExportFault::HoldingsCount { .. } => "HOLDINGS_INCOMPLETE",
            ExportFault::Counts { .. } | ExportFault::Truncated | ExportFault::TrailingData => "EXPORT_INCOMPLETE",
        }
    }
}

/// One class as the export proves it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VerifiedClass {
    /// Class.
    pub id: ClassId,
    /// Symbol.
    pub symbol: String,
    /// Proven supply.
    pub supply: u128,
    /// Sum of the exported holdings (the rest of the supply is locked in escrows).
    pub held: u128,
    /// Holdings exported (equal to the proven holder count).
    pub holders: u64,
}

/// What a verified export proves.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VerifiedExport {
    /// Chain id.
    pub chain_id: String,
    /// The issuer.
    pub issuer: PartyId,
    /// Height every entry was proven at.
    pub height: Height,
    /// Hash of the certified header at `height`.
    pub block_hash: Hash,
    /// Its state root.
    pub state_root: Hash,
    /// Its time, ms since the epoch.
    pub time_ms: u64,
    /// Validator-set changes followed from the genesis.
    pub validator_changes: u64,
    /// Line counts.
    pub counts: ExportCounts,
    /// Classes with their supply and exported holdings.
    pub classes: Vec<VerifiedClass>,
}

/// Where the reader is in the file (the order of `docs/export-format.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Phase {
    Start,
    Header,
    Block,
    Party,
    Index,
    Account,
    Class,
    Record,
    End,
}

fn kind_of(l: &ExportLine) -> &'static str {
    match l {
        ExportLine::Header(_) => "header",
        ExportLine::Block(_) => "block",
        ExportLine::Party(_) => "party",
        ExportLine::IssuerIndex(_) => "issuer_index",
        ExportLine::Holders(_) => "holders",
        ExportLine::Account(_) => "account",
        ExportLine::Class(_) => "class",
        ExportLine::Holding(_) => "holding",
        ExportLine::Record(_) => "record",
        ExportLine::History(_) => "history",
        ExportLine::End(_) => "end",
    }
}

fn hex_field(field: &'static str, s: &str) -> Result<Vec<u8>, ExportFault> {
    hex::decode(s).map_err(|e| ExportFault::BadField { field, reason: format!("not hex: {e}") })
}

fn borsh_field<T: borsh::BorshDeserialize>(field: &'static str, s: &str, max: usize) -> Result<T, ExportFault> {
    let bytes = hex_field(field, s)?;
    codec::decode(field, &bytes, max).map_err(|e| ExportFault::BadField { field, reason: e.to_string() })
}

/// The streaming verifier's state.
struct Verifier<'g> {
    genesis: &'g Genesis,
    light: LightClient,
    phase: Phase,
    last_kind: &'static str,
    header: Option<ExportHeader>,
    /// Verified headers: height → (tx_root, time).
    blocks: BTreeMap<Height, (Hash, u64)>,
    anchor: Option<(Hash, u64)>,
    changes: u64,
    party: Option<PartyState>,
    /// The proven issuer index.
    index: IssuerIndex,
    classes: Vec<VerifiedClass>,
    /// The proven holder count of the last class, once its `holders` line is read.
    holders: Option<u64>,
    /// The last holding account of the last class: accounts ascend strictly,
    /// so no holding is counted twice.
    last_holder: Option<PublicKey>,
    /// The record whose history lines may follow: id, proven history_len, entries seen.
    record: Option<(RecordId, u64, u64)>,
    records_seen: BTreeSet<RecordId>,
    counts: ExportCounts,
}

impl Verifier<'_> {
    fn root(&self) -> Hash {
        self.header.as_ref().map(|h| h.state_root).unwrap_or(Hash::ZERO)
    }

    fn issuer(&self) -> PartyId {
        self.header.as_ref().map(|h| h.issuer).unwrap_or(PartyId(0))
    }

    /// Moves to `phase` (never back), refusing a line that cannot come here.
    fn enter(&mut self, phase: Phase, kind: &'static str) -> Result<(), ExportFault> {
        let ok = match phase {
            Phase::Header => self.phase == Phase::Start,
            Phase::Block => matches!(self.phase, Phase::Header | Phase::Block),
            Phase::Party => self.phase == Phase::Block,
            Phase::Index => self.phase == Phase::Party,
            _ => self.phase >= Phase::Index && self.phase <= phase && self.phase != Phase::End,
        };
        if !ok {
            return Err(ExportFault::OutOfOrder { kind, after: self.last_kind });
        }
        if self.phase == Phase::Block && phase != Phase::Block {
            self.check_anchor()?;
        }
        if phase != Phase::Record {
            self.close_record()?;
        }
        if self.phase == Phase::Class {
            self.close_class()?;
        }
        if self.phase < Phase::Record && phase >= Phase::Record {
            self.check_issued("classes", self.index.classes, self.counts.classes)?;
        }
        if phase == Phase::End {
            self.check_issued("records", self.index.records, self.counts.records)?;
        }
        self.phase = phase;
        Ok(())
    }

    /// A class's holdings end: as many as its proven holder count.
    fn close_class(&mut self) -> Result<(), ExportFault> {
        if let (Some(expected), Some(class)) = (self.holders.take(), self.classes.last()) {
            if class.holders != expected {
                return Err(ExportFault::HoldingsCount {
                    class: class.id,
                    expected,
                    got: class.holders,
                    missing: expected.saturating_sub(class.holders),
                });
            }
        }
        Ok(())
    }

    /// As many classes (records) as the issuer index proves.
    fn check_issued(&self, what: &'static str, expected: u64, got: u64) -> Result<(), ExportFault> {
        if expected != got {
            let missing = expected.saturating_sub(got);
            return Err(ExportFault::IssuedCount { what, issuer: self.issuer(), expected, got, missing });
        }
        Ok(())
    }

    fn check_anchor(&mut self) -> Result<(), ExportFault> {
        let h = self.header.as_ref().ok_or(ExportFault::OutOfOrder { kind: "block", after: "nothing" })?;
        let got_height = self.light.height();
        let got_root = self.anchor.map(|(r, _)| r).unwrap_or(Hash::ZERO);
        if got_height != h.height || got_root != h.state_root {
            return Err(ExportFault::Anchor { height: h.height, root: h.state_root, got_height, got_root });
        }
        Ok(())
    }

    fn close_record(&mut self) -> Result<(), ExportFault> {
        if let Some((record, expected, got)) = self.record.take() {
            if expected != got {
                return Err(ExportFault::HistoryCount { record, expected, got });
            }
        }
        Ok(())
    }

    /// Checks a proven entry: key, proof against the root, `state` = decoded `value`.
    fn proven<T>(&self, kind: &'static str, p: &Proven<T>, expected_key: &[u8]) -> Result<T, ExportFault>
    where
        T: borsh::BorshDeserialize + PartialEq,
    {
        let key = hex_field("key", &p.key)?;
        if key != expected_key {
            return Err(ExportFault::NotIssuers {
                kind,
                reason: format!("key {} is not {}, the key of the entry in `state`", p.key, hex::encode(expected_key)),
            });
        }
        let value = hex_field("value", &p.value)?;
        let proof = hex_field("proof", &p.proof)?;
        let root = self.root();
        verify_state_proof(&key, Some(&value), &proof, &root).map_err(|reason| ExportFault::StateProof {
            kind,
            key: p.key.clone(),
            root,
            reason,
        })?;
        let decoded: T = codec::decode(kind, &value, MAX_PROOF_BYTES)
            .map_err(|e| ExportFault::BadField { field: "value", reason: e.to_string() })?;
        if decoded != p.state {
            return Err(ExportFault::StateMismatch { kind });
        }
        Ok(decoded)
    }

    fn line(&mut self, line: ExportLine) -> Result<(), ExportFault> {
        let kind = kind_of(&line);
        match line {
            ExportLine::Header(h) => {
                self.enter(Phase::Header, kind)?;
                if h.format != EXPORT_FORMAT || h.version != EXPORT_VERSION {
                    return Err(ExportFault::Unsupported { format: h.format, version: h.version });
                }
                let genesis = self.genesis.hash();
                if h.genesis_hash != genesis || h.chain_id != self.genesis.chain_id {
                    return Err(ExportFault::GenesisMismatch { chain_id: h.chain_id, export: h.genesis_hash, genesis });
                }
                self.header = Some(h);
            }
            ExportLine::Block(b) => {
                self.enter(Phase::Block, kind)?;
                let header: BlockHeader = borsh_field("header", &b.header, MAX_BLOCK_PART_BYTES)?;
                let cert: Certificate = borsh_field("certificate", &b.certificate, MAX_BLOCK_PART_BYTES)?;
                let next: Option<ValidatorSet> = b
                    .next_validators
                    .as_deref()
                    .map(|s| borsh_field("next_validators", s, MAX_BLOCK_PART_BYTES))
                    .transpose()?;
                let hash = header.hash();
                if b.height != header.height || b.hash != hash {
                    return Err(ExportFault::BlockLine {
                        line_height: b.height,
                        line_hash: b.hash,
                        height: header.height,
                        hash,
                    });
                }
                let height = header.height;
                let r = match &next {
                    Some(set) => self.light.verify_change(&header, &cert, set),
                    None => self.light.verify_skip(&header, &cert, None),
                };
                r.map_err(|source| ExportFault::Header { height, source })?;
                self.changes += u64::from(next.is_some());
                self.blocks.insert(height, (header.tx_root, header.time_ms));
                self.anchor = Some((header.state_root, header.time_ms));
                self.counts.blocks += 1;
            }
            ExportLine::Party(p) => {
                self.enter(Phase::Party, kind)?;
                let issuer = self.issuer();
                let party = self.proven(kind, &p, &party_state_key(p.state.id))?;
                if party.id != issuer {
                    return Err(ExportFault::NotIssuers {
                        kind,
                        reason: format!("party {} is not the export's issuer {issuer}", party.id),
                    });
                }
                self.party = Some(party);
            }
            ExportLine::IssuerIndex(ix) => {
                self.enter(Phase::Index, kind)?;
                let expected = issuer_index_key(self.issuer());
                let key = hex_field("key", &ix.key)?;
                if key != expected {
                    return Err(ExportFault::NotIssuers {
                        kind,
                        reason: format!("key {} is not the issuer's index key {}", ix.key, hex::encode(&expected)),
                    });
                }
                let value = ix.value.as_deref().map(|v| hex_field("value", v)).transpose()?;
                let proof = hex_field("proof", &ix.proof)?;
                let root = self.root();
                verify_state_proof(&key, value.as_deref(), &proof, &root)
                    .map_err(|reason| ExportFault::StateProof { kind, key: ix.key.clone(), root, reason })?;
                let decoded: IssuerIndex = match &value {
                    Some(v) => codec::decode(kind, v, MAX_PROOF_BYTES)
                        .map_err(|e| ExportFault::BadField { field: "value", reason: e.to_string() })?,
                    None => IssuerIndex::default(),
                };
                if decoded != ix.state {
                    return Err(ExportFault::StateMismatch { kind });
                }
                self.index = decoded;
            }
            ExportLine::Account(a) => {
                self.enter(Phase::Account, kind)?;
                let acc = self.proven(kind, &a, &crate::bundle::account_state_key(&a.state.key))?;
                let listed = self.party.as_ref().is_some_and(|p| p.accounts.contains(&acc.key));
                if acc.party != self.issuer() || !listed {
                    return Err(ExportFault::NotIssuers {
                        kind,
                        reason: format!("account {} belongs to party {}, not to the issuer", acc.key, acc.party),
                    });
                }
                self.counts.accounts += 1;
            }
            ExportLine::Class(c) => {
                self.enter(Phase::Class, kind)?;
                self.close_class()?;
                let class = self.proven(kind, &c, &class_state_key(c.state.id))?;
                if class.issuer != self.issuer() || self.classes.iter().any(|v| v.id == class.id) {
                    return Err(ExportFault::NotIssuers {
                        kind,
                        reason: format!("class {} of issuer {} (or listed twice)", class.id, class.issuer),
                    });
                }
                self.classes.push(VerifiedClass {
                    id: class.id,
                    symbol: class.symbol,
                    supply: class.supply,
                    held: 0,
                    holders: 0,
                });
                self.counts.classes += 1;
            }
            ExportLine::Holders(h) => {
                if self.phase != Phase::Class || self.last_kind != "class" {
                    return Err(ExportFault::OutOfOrder { kind, after: self.last_kind });
                }
                let count = self.proven(kind, &h.entry, &class_holders_key(h.class))?;
                if self.classes.last().is_none_or(|c| c.id != h.class) {
                    return Err(ExportFault::NotIssuers {
                        kind,
                        reason: format!("holder count of class {} does not follow that class's line", h.class),
                    });
                }
                self.holders = Some(count);
                self.last_holder = None;
            }
            ExportLine::Holding(h) => {
                if self.phase != Phase::Class || self.holders.is_none() {
                    return Err(ExportFault::OutOfOrder { kind, after: self.last_kind });
                }
                self.proven(kind, &h.entry, &holding_state_key(h.class, &h.account))?;
                let Some(class) = self.classes.last_mut().filter(|c| c.id == h.class) else {
                    return Err(ExportFault::NotIssuers {
                        kind,
                        reason: format!("holding of class {} does not follow that class's line", h.class),
                    });
                };
                if self.last_holder.is_some_and(|last| last >= h.account) {
                    return Err(ExportFault::NotIssuers {
                        kind,
                        reason: format!(
                            "holding of account {} of class {} is listed twice or not in ascending account order",
                            h.account, h.class
                        ),
                    });
                }
                self.last_holder = Some(h.account);
                class.held = class.held.saturating_add(h.entry.state.amount);
                class.holders += 1;
                if class.held > class.supply {
                    return Err(ExportFault::NotIssuers {
                        kind,
                        reason: format!("holdings of class {} exceed its proven supply {}", class.id, class.supply),
                    });
                }
                self.counts.holdings += 1;
            }
            ExportLine::Record(r) => {
                self.enter(Phase::Record, kind)?;
                self.close_record()?;
                let rec = self.proven(kind, &r, &record_state_key(r.state.id))?;
                if rec.certifier != self.issuer() || !self.records_seen.insert(rec.id) {
                    return Err(ExportFault::NotIssuers {
                        kind,
                        reason: format!("record {} certified by party {} (or listed twice)", rec.id, rec.certifier),
                    });
                }
                self.record = Some((rec.id, rec.history_len, 0));
                self.counts.records += 1;
            }
            ExportLine::History(h) => {
                if self.phase != Phase::Record {
                    return Err(ExportFault::OutOfOrder { kind, after: self.last_kind });
                }
                self.history(&h)?;
                self.counts.history += 1;
            }
            ExportLine::End(claimed) => {
                self.enter(Phase::End, kind)?;
                if claimed != self.counts {
                    return Err(ExportFault::Counts { claimed, got: self.counts.clone() });
                }
            }
        }
        self.last_kind = kind;
        Ok(())
    }

    fn history(&mut self, h: &HistoryLine) -> Result<(), ExportFault> {
        let (record, seq) = (h.record, h.seq);
        let bad = |reason: String| ExportFault::History { record, seq, reason };
        match &mut self.record {
            Some((id, _, got)) if *id == record && *got == seq => *got += 1,
            _ => return Err(bad("does not follow its record line, or is out of sequence".into())),
        }
        let proven =
            Proven { key: h.key.clone(), value: h.value.clone(), proof: h.proof.clone(), state: h.entry.clone() };
        self.proven("history", &proven, &record_history_key(record, seq))?;
        let bytes = hex_field("tx", &h.tx)?;
        let tx = codec::decode::<SignedTransaction>("tx", &bytes, limits::MAX_TX_BYTES)
            .map_err(|e| ExportFault::BadField { field: "tx", reason: e.to_string() })?;
        let e = &h.entry;
        let hash = tx.hash();
        if hash != e.tx_hash {
            return Err(bad(format!("names transaction {}, the carried transaction is {hash}", e.tx_hash)));
        }
        if tx.tx.signer != e.signer {
            return Err(bad(format!("names signer {}, the transaction is signed by {}", e.signer, tx.tx.signer)));
        }
        tx.verify(&self.genesis.chain_id).map_err(|err| bad(format!("transaction signature: {err}")))?;
        match (&h.inclusion, h.genesis_index) {
            (Some(proof), None) => {
                let (tx_root, time_ms) = *self
                    .blocks
                    .get(&e.height)
                    .ok_or_else(|| bad(format!("no certified header at height {} in the export", e.height)))?;
                proof.verify(&hash, &tx_root).map_err(|err| bad(format!("not in block {}: {err}", e.height)))?;
                if time_ms != e.time_ms {
                    return Err(bad(format!("time {} is not block {}'s time {time_ms}", e.time_ms, e.height)));
                }
            }
            (None, Some(index)) => {
                let in_genesis = self.genesis.transactions.get(index as usize).is_some_and(|t| t.hash() == hash);
                if e.height != 0 || !in_genesis {
                    return Err(bad(format!("not genesis transaction {index} (height {})", e.height)));
                }
            }
            _ => return Err(bad("needs exactly one of `inclusion` and `genesis_index`".into())),
        }
        Ok(())
    }
}

/// Reads one line of at most [`MAX_LINE_BYTES`] into `buf`; `false` at the end.
fn read_line(r: &mut impl BufRead, buf: &mut Vec<u8>) -> Result<bool, ExportFault> {
    buf.clear();
    let n = r.by_ref().take(MAX_LINE_BYTES as u64 + 2).read_until(b'\n', buf)?;
    if n == 0 {
        return Ok(false);
    }
    if buf.last() == Some(&b'\n') {
        buf.pop();
        if buf.last() == Some(&b'\r') {
            buf.pop();
        }
    }
    if buf.len() > MAX_LINE_BYTES {
        return Err(ExportFault::LineTooLong { max: MAX_LINE_BYTES });
    }
    Ok(true)
}

/// Verifies an export read from `r` against `genesis` (module docs);
/// `progress` is called with the number of lines verified so far.
pub fn verify_export(
    mut r: impl BufRead,
    genesis: &Genesis,
    mut progress: impl FnMut(u64),
) -> Result<VerifiedExport, ExportError> {
    let at = |line: u64| move |fault: ExportFault| ExportError { line, fault };
    let light =
        LightClient::from_genesis(genesis).map_err(|source| at(0)(ExportFault::Header { height: 0, source }))?;
    let mut v = Verifier {
        genesis,
        light,
        phase: Phase::Start,
        last_kind: "nothing",
        header: None,
        blocks: BTreeMap::new(),
        anchor: None,
        changes: 0,
        party: None,
        index: IssuerIndex::default(),
        classes: Vec::new(),
        holders: None,
        last_holder: None,
        record: None,
        records_seen: BTreeSet::new(),
        counts: ExportCounts::default(),
    };
    let mut buf = Vec::new();
    let mut n = 0u64;
    loop {
        let more = read_line(&mut r, &mut buf).map_err(at(n + 1))?;
        if !more {
            break;
        }
        n += 1;
        if v.phase == Phase::End {
            if buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return Err(at(n)(ExportFault::TrailingData));
        }
        let line: ExportLine =
            serde_json::from_slice(&buf).map_err(|e| at(n)(ExportFault::Malformed(e.to_string())))?;
        v.line(line).map_err(at(n))?;
        if n % 1000 == 0 {
            progress(n);
        }
    }
    progress(n);
    if v.phase != Phase::End {
        return Err(at(n + 1)(ExportFault::Truncated));
    }
    let Some(h) = v.header else { return Err(at(n + 1)(ExportFault::Truncated)) };
    let (_, time_ms) = v.anchor.unwrap_or((Hash::ZERO, 0));
    Ok(VerifiedExport {
        chain_id: h.chain_id,
        issuer: h.issuer,
        height: h.height,
        block_hash: v.light.last_hash(),
        state_root: h.state_root,
        time_ms,
        validator_changes: v.changes,
        counts: v.counts,
        classes: v.classes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn genesis() -> Genesis {
        let v = tamga_types::SigningKey::from_seed([9; 32]).public();
        Genesis {
            chain_id: "tamga-unit".into(),
            genesis_time_ms: 1,
            regulation_hash: Hash::ZERO,
            network_type: tamga_types::NetworkType::CentrallyDistributed,
            params: tamga_types::Params::default(),
            parties: vec![],
            validators: vec![tamga_types::GenesisValidator {
                key: v,
                power: 1,
                operator: PartyId(1),
                p2p_address: None,
                p2p_key: v,
            }],
            transactions: vec![],
        }
    }

    fn header_line(g: &Genesis) -> String {
        let h = ExportHeader {
            format: EXPORT_FORMAT.into(),
            version: EXPORT_VERSION,
            chain_id: g.chain_id.clone(),
            genesis_hash: g.hash(),
            issuer: PartyId(3),
            height: 1,
            state_root: Hash::ZERO,
        };
        let mut out = Vec::new();
        write_line(&mut out, &ExportLine::Header(h)).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn verify(text: &str, g: &Genesis) -> ExportError {
        verify_export(text.as_bytes(), g, |_| {}).unwrap_err()
    }

    /// Each line is one object naming its kind; a cut, reordered, foreign or
    /// oversized file is refused with its own code and line number.
    #[test]
    fn structural_faults_are_named() {
        let g = genesis();
        let head = header_line(&g);
        assert!(head.starts_with("{\"header\":{\"format\":\"tamga-issuer-export\""), "{head}");
        let e = verify("", &g);
        assert_eq!((e.code(), e.line), ("EXPORT_INCOMPLETE", 1));
        let e = verify(&head, &g);
        assert!(matches!(e.fault, ExportFault::Truncated), "{e}");
        let e = verify(&format!("{head}{head}"), &g);
        assert!(matches!(e.fault, ExportFault::OutOfOrder { kind: "header", after: "header" }), "{e}");
        assert_eq!(e.line, 2);
        let e = verify(&format!("{head}{{\"end\":{{\"blocks\":0,\"accounts\":0,\"classes\":0,\"holdings\":0,\"records\":0,\"history\":0}}}}\n"), &g);
        assert!(matches!(e.fault, ExportFault::OutOfOrder { kind: "end", .. }), "{e}");
        let e = verify("{\"nonsense\":1}\n", &g);
        assert_eq!(e.code(), "EXPORT_MALFORMED");
        let other = Genesis { chain_id: "other".into(), ..g.clone() };
        let e = verify(&head, &other);
        assert_eq!(e.code(), "GENESIS_MISMATCH");
        let e = verify(&head.replace("\"version\":2", "\"version\":9"), &g);
        assert_eq!(e.code(), "EXPORT_VERSION_UNSUPPORTED");
        let long = format!("{head}{}\n", "x".repeat(MAX_LINE_BYTES + 5));
        let e = verify(&long, &g);
        assert!(matches!(e.fault, ExportFault::LineTooLong { .. }), "{e}");
        assert_eq!(e.line, 2);
    }

    #[test]
    fn state_keys_match_the_ledger_layout() {
        assert_eq!(party_state_key(PartyId(3)), [&b"P"[..], &3u64.to_be_bytes()].concat());
        assert_eq!(class_state_key(ClassId(1)), [&b"C"[..], &1u64.to_be_bytes()].concat());
        assert_eq!(record_state_key(RecordId(258)), [&b"R"[..], &258u64.to_be_bytes()].concat());
        let k = PublicKey([7; 32]);
        assert_eq!(holding_state_key(ClassId(2), &k), [&b"H"[..], &2u64.to_be_bytes(), &[7; 32]].concat());
        assert_eq!(issuer_index_key(PartyId(3)), [&b"W"[..], &3u64.to_be_bytes()].concat());
        assert_eq!(class_holders_key(ClassId(4)), [&b"O"[..], &4u64.to_be_bytes()].concat());
        assert_eq!(record_history_key(RecordId(5), 6), [&b"Y"[..], &5u64.to_be_bytes(), &6u64.to_be_bytes()].concat());
    }
}
