//! # tamga-state
//!
//! The ledger's state machine: it applies genesis, executes blocks of signed
//! transactions against the committed state (every payload of SPEC §3–§9),
//! commits them atomically to RocksDB, and commits to the whole state with a
//! Jellyfish Merkle tree (JMT) whose root goes into the next block header
//! (SPEC §10). It also answers the read-only queries the API serves
//! ([`query`]) and exports everything an issuer issued, with proofs, from one
//! consistent snapshot ([`export`], SPEC §12).
//!
//! ## Place in the data flow
//! ```text
//! consensus (proposal / decision) ─┐
//!                                   ├─► Ledger::execute ─► ExecutedBlock ─► header(round) ─► votes
//! node (sync of certified blocks) ─┘        (no writes)                     ─► Ledger::commit(block, certificate)
//!                                         Ledger::apply_block = execute + root check + commit
//! ```
//! [`Ledger::execute`] is pure with respect to the database: it reads the
//! committed state through a write overlay and returns the receipts, the new
//! state root and the pending write batch. [`Ledger::commit`] writes that batch
//! only if the block is exactly the executed one (height, parent, time,
//! proposer, chain id, transaction hashes, tx and evidence roots, state root,
//! validator-set hashes) and its commit certificate verifies against the
//! validator set of that height (SPEC §9). A refused commit writes nothing.
//!
//! ## Storage layout (RocksDB column families)
//! | cf | key | value |
//! | --- | --- | --- |
//! | `meta` | `height`, `last_block_hash`, `last_time_ms`, `state_root`, `genesis_hash`, `genesis_root` | u64 BE / 32-byte hash |
//! | `state` | logical key (below) | borsh of the entry ([`model`]); the latest version |
//! | `index` | query-index key (below) | empty |
//! | `jmt_nodes` | borsh(`NodeKey`) | borsh(`Node`) |
//! | `jmt_values` | key hash ‖ version BE | borsh(`Option<Vec<u8>>`): every version, for proofs at past heights |
//! | `blocks` | height BE | borsh(`Block`) |
//! | `certificates` | height BE | borsh(`Certificate`) |
//! | `receipts` | height BE ‖ index BE (u32) | borsh(`Receipt`) |
//! | `txs` | tx hash | height BE ‖ index BE (u32) |
//!
//! Logical state keys ([`keys::state`]) are a one-byte kind prefix followed by
//! big-endian ids (so scans return ids in numeric order): `M` chain meta
//! singletons (height, params, chain info, id counters, latest scheduled
//! validator set), `P` party, `A` account (with its nonce), `I` identifier
//! commitment → party, `C` class, `S` symbol → class, `H` holding (class ‖
//! account), `R` record (encumbrances inline), `E` escrow, `N` mining
//! notification, `T` activity notification, `V` validator set by effective
//! height, `X` evidence, `K` consensus-key marker, `F` restriction, `Q` class
//! pauses, `D` escrow terms, `Y` / `U` / `L` history entries of a record / a
//! mining notification / an activity notification (id ‖ seq), `W` issuer
//! index (classes and records issued), `O` holder count of a class. Index keys
//! ([`keys::index`], lower-case prefixes) serve queries only and are not part
//! of the state commitment.
//!
//! ## Atomicity
//! Genesis and every block are written with **one** RocksDB `WriteBatch` with
//! `sync = true`: state entries, index entries, JMT nodes and values, block,
//! certificate, receipts, tx locations and the `meta` height/root/hash. After a
//! crash at any moment the database holds the state after block `h` or after
//! block `h + 1`, never a mix (the crash test kills a committing process and
//! checks exactly this). Within a block, [`store::View`] keeps two overlay
//! layers: the block's successful transactions, and the transaction being
//! executed, which is dropped when the transaction fails.
//!
//! ## State commitment
//! Every `state` entry is a JMT leaf at `SHA-256(logical key)` holding the same
//! borsh bytes; the tree version is the block height (genesis is version 0).
//! The height itself is a leaf (`M height`), so every version has its own root
//! even for an empty block. The root after block `h` is `header(h).state_root`;
//! [`Ledger::get_with_proof`] returns any value, present or absent, with a
//! sparse Merkle proof against the root at any committed height.
//!
//! ## Transaction outcomes (SPEC §8)
//! Block-level problems — wrong height, non-increasing time, unknown proposer,
//! too many transactions, an oversized transaction, wrong chain id, duplicate
//! transaction (in the block or already committed), bad signature, bad or
//! duplicate evidence, and a transaction whose **envelope fails at the start
//! of the block** (its signer unknown, a consensus key, revoked, or of an
//! inactive party, or its nonce out of the signer's sequence `n, n+1, …` from
//! its next nonce `n`) — refuse the whole block with a [`BlockInvalid`] code;
//! consensus must not vote for it, and nothing of it is committed. A
//! proposer finds every such transaction in one pass with
//! [`Ledger::screen`]; the mempool admits against [`Ledger::signer_standing`].
//! Otherwise every transaction gets a receipt. A failed receipt carries the
//! stable code of [`ExecError::code`] and a message, and:
//! * **envelope failures caused inside the block** — the signer's key was
//!   revoked, its party suspended, or its key scheduled as a validator by an
//!   earlier transaction of the same block, or an earlier transaction of the
//!   signer failed its envelope so the nonce no longer follows — change
//!   **nothing**, not even a nonce: the signer is not entitled to act at that
//!   point, and a proposer, which sees only the state at the start of the
//!   block, could not have foreseen it;
//! * **payload failures** (every other rule) spend the nonce (+1) and discard
//!   every other effect of the transaction.
//!
//! A storage failure while executing is neither: it is a fault of the node
//! ([`StateError::is_fault`], [`BlockInvalid::Storage`]) and says nothing
//! about the block.
//!
//! ## Invariants (tested in `tests/it`)
//! * Determinism: replaying the same certified blocks on a fresh database gives
//!   the same state root at every height and the same entries (SPEC §1.4).
//! * No value is created except by an issuer's mint within its cap: for every
//!   class, the holdings plus the tokens locked in open escrows equal the class
//!   supply, and `frozen ≤ amount` in every holding (SPEC §1.2, §4).
//! * No key is both an account and a consensus key, ever: genesis refuses it,
//!   a validator update refuses account keys, and a key once admitted as a
//!   consensus key (marker `K`) is never accepted as an account (SPEC §1.9).
//! * A revoked key signs nothing from its revocation on; what it signed before
//!   stays committed and replays (SPEC §3). Transactions run in block order,
//!   so the revocation takes effect at its own position: a transaction by the
//!   key earlier in the same block stands, later ones are refused. Whoever
//!   judges a signature against a revocation offline compares
//!   (height, index), not the height alone.
//! * A standing encumbrance or escrow locks a record (SPEC §5, §7).
//! * Validator-set changes take effect `validator_change_delay` blocks after
//!   the transaction, for everyone; with `require_mining_notice` a validator
//!   is admitted, and stays, only while its operator has an accepted mining
//!   notification (checked also after the genesis transactions), and a
//!   suspended or revoked operator's validators leave — but only while at
//!   least `min_validators` remain; the set is never emptied (SPEC §9.4).
//! * Committed blocks, certificates and receipts are never rewritten
//!   (SPEC §1.10: remedies are compensating transactions).

pub mod backup;
pub mod error;
pub use tamga_types::model;
mod exec;
pub mod export;
mod genesis;
pub mod keys;
mod ledger;
pub mod query;
pub mod store;

pub use backup::{verify_backup, BackupError, BackupReport};
pub use error::{
    BlockInvalid, CommitMismatch, EvidenceInvalid, ExecError, JmtError, SignerRefused, Standing, StateError,
};
pub use exec::BlockContext;
pub use export::{ExportError, ExportItem, ExportStart, ExportSummary, ProvenEntry, ProvenIndex, TxPlace};
pub use ledger::{DumpEntry, ExecutedBlock, ExecutedBlockSummary, Ledger};
