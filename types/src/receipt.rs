//! Receipts and events (SPEC §8): the outcome of every committed transaction.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use crate::codec;
use crate::hash::{domain, merkle_root, Hash};
use crate::ids::{Height, TimestampMs};

/// Outcome of executing one transaction.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum TxOutcome {
    /// Applied.
    Success,
    /// Rejected by an execution rule: the nonce is spent, nothing else changed.
    Failed {
        /// Stable machine-readable reason code (e.g. `INSUFFICIENT_BALANCE`).
        code: String,
        /// The code's arguments, in a fixed order per code: `(name, value)`
        /// with values in canonical forms (ids and amounts decimal, keys and
        /// hashes hex, enum values their snake_case names). No sentence and
        /// no `Debug` rendering: the receipt is hashed into `receipts_root`,
        /// so its bytes must not depend on wording. People read a message
        /// rendered from `code` and `args` in their language at the edges
        /// (`tamga_contract::messages`).
        args: Vec<(String, String)>,
    },
}

/// One fact a transaction produced, for indexers and the event stream.
/// `kind` names are stable (documented in `docs/wire-format.md`); attribute
/// values are canonical values (ids decimal, keys hex, enum values their
/// snake_case names, texts as the transaction gave them), never a `Debug`
/// rendering or a sentence.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Event {
    /// Event kind, snake_case (e.g. `transfer`, `record_issued`).
    pub kind: String,
    /// Attributes, in a fixed order per kind.
    pub attributes: Vec<(String, String)>,
}

impl Event {
    /// Builds an event from string-like attributes.
    pub fn new(kind: &str, attributes: impl IntoIterator<Item = (&'static str, String)>) -> Event {
        Event { kind: kind.to_owned(), attributes: attributes.into_iter().map(|(k, v)| (k.to_owned(), v)).collect() }
    }

    /// The value of attribute `key`, if present.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.attributes.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

/// The receipt of a committed transaction.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Receipt {
    /// Transaction id.
    pub tx_hash: Hash,
    /// Block height.
    pub height: Height,
    /// Position in the block.
    pub index: u32,
    /// Block time.
    pub block_time_ms: TimestampMs,
    /// Success or failure.
    pub outcome: TxOutcome,
    /// Events (empty on failure).
    pub events: Vec<Event>,
}

impl TxOutcome {
    /// A failed outcome with `code` and its arguments.
    pub fn failed<'a>(code: &str, args: impl IntoIterator<Item = (&'a str, String)>) -> TxOutcome {
        TxOutcome::Failed { code: code.to_owned(), args: args.into_iter().map(|(k, v)| (k.to_owned(), v)).collect() }
    }

    /// The failure code, if failed.
    pub fn code(&self) -> Option<&str> {
        match self {
            TxOutcome::Success => None,
            TxOutcome::Failed { code, .. } => Some(code),
        }
    }

    /// The value of failure argument `name`, if failed and present.
    pub fn arg(&self, name: &str) -> Option<&str> {
        match self {
            TxOutcome::Success => None,
            TxOutcome::Failed { args, .. } => args.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()),
        }
    }
}

impl Receipt {
    /// True on success.
    pub fn is_success(&self) -> bool {
        matches!(self.outcome, TxOutcome::Success)
    }

    /// `H("TAMGA/RECEIPT/v1", borsh(receipt))`: the receipt's leaf input in
    /// its block's `receipts_root`.
    pub fn hash(&self) -> Hash {
        Hash::digest(domain::RECEIPT, &codec::encode(self))
    }

    /// The `receipts_root` of a block with these receipts, in execution
    /// order: [`merkle_root`] of their hashes (the tree of `tx_root`, so a
    /// [`crate::TxInclusionProof`] built over receipt hashes proves one
    /// receipt). [`Hash::ZERO`] for a block without transactions.
    pub fn compute_root(receipts: &[Receipt]) -> Hash {
        let leaves: Vec<Hash> = receipts.iter().map(Receipt::hash).collect();
        merkle_root(&leaves)
    }
}
