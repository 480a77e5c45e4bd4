//! Answer shapes of the HTTP API that are not plain `tamga_types` values
//! (those are decoded directly: `NodeStatus`, `PartyView`, `ClassState`, …).
//! `docs/api.md` is the reference; the node's handler tests and the
//! client/server round-trip test keep both sides in agreement.

use serde::{Deserialize, Serialize};
use tamga_types::model::AccountState;
use tamga_types::views::BalanceView;
use tamga_types::{Hash, Height, ValidatorSet};

use crate::error::ApiError;

/// `GET /v1/accounts/{key}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountView {
    /// The account.
    pub account: AccountState,
    /// Nonce the account's next transaction must carry (committed state;
    /// transactions still waiting in a mempool are not counted).
    pub next_nonce: u64,
    /// Holdings, by class.
    pub balances: Vec<BalanceView>,
}

/// `GET /v1/validators`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidatorsView {
    /// The height whose block this set certifies.
    pub height: Height,
    /// Sum of the voting power.
    pub total_power: u64,
    /// Power needed for a certificate (more than two thirds).
    pub quorum: u64,
    /// The set, in index order.
    pub validators: ValidatorSet,
}

/// `GET /health`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// `ok`.
    pub status: String,
    /// Last committed height.
    pub height: Height,
}

/// One item of a batch submission answer (`POST /v1/txs` with `txs`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmitItem {
    /// The transaction id when admitted.
    #[serde(default)]
    pub hash: Option<Hash>,
    /// Why it was refused otherwise.
    #[serde(default)]
    pub error: Option<ApiError>,
}

/// `POST /v1/txs` with `txs`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmitBatchAnswer {
    /// One item per submitted transaction, in order.
    pub results: Vec<SubmitItem>,
}

/// `POST /v1/txs` with `tx`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmitAnswer {
    /// The transaction id.
    pub hash: Hash,
}

/// `GET /v1/txs/{hash}` as sent; the client decodes `raw` rather than the
/// JSON transaction (see [`crate::TxStatus`]).
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct TxAnswer {
    pub status: String,
    pub hash: Hash,
    #[serde(default)]
    pub raw: Option<String>,
    #[serde(default)]
    pub receipt: Option<tamga_types::Receipt>,
}

/// `GET /v1/blocks/{height}?encoding=borsh`.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct RawBlockAnswer {
    pub height: Height,
    pub hash: Hash,
    pub raw: String,
}

/// `GET /v1/blocks/{height}/receipts`.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct ReceiptsAnswer {
    pub receipts: Vec<tamga_types::Receipt>,
}

/// `GET /v1/proofs/state`.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct ProofAnswer {
    pub height: Height,
    pub root: Hash,
    pub value: Option<String>,
    pub proof: String,
}

/// A state value with its Jellyfish Merkle proof (SPEC §10).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateProof {
    /// Version (height) of the tree the proof is against.
    pub height: Height,
    /// State root at that height (the block header's `state_root`).
    pub root: Hash,
    /// The borsh-encoded state entry, `None` if absent (the proof then proves absence).
    pub value: Option<Vec<u8>>,
    /// The borsh encoding of jmt 0.12's `SparseMerkleProof<Sha256>`.
    pub proof: Vec<u8>,
}

/// `GET /v1/security/events` (docs/api.md, Security events).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SecurityPage {
    /// Records (`seq`, `time_ms`, `node`, `kind` and the kind's fields), oldest first.
    pub events: Vec<serde_json::Value>,
    /// Seq of the oldest record the node still holds.
    pub oldest: Option<u64>,
    /// Seq of the last record the node recorded.
    pub last: u64,
    /// The `after` of the next page.
    pub next_after: u64,
    /// Records after `after` the node no longer holds.
    pub truncated: bool,
}
