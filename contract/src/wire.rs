//! Request and answer bodies of the HTTP API that are not plain
//! `tamga_types` values (those are served and decoded directly:
//! `NodeStatus`, `PartyView`, `ClassState`, …). `docs/api.md` is the
//! reference; the node serialises these types and the client deserialises
//! them, so the two sides cannot drift apart.
//!
//! Optional fields are omitted when absent and read as absent when missing.

use serde::{Deserialize, Serialize};
use tamga_types::model::AccountState;
use tamga_types::views::BalanceView;
use tamga_types::{Block, Certificate, Hash, Height, Receipt, ValidatorSet};

use crate::error::ErrorBody;

/// Most transactions in one `POST /v1/txs` batch (the node refuses more).
pub const MAX_BATCH: usize = 1000;

/// `GET /health`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// `ok`.
    pub status: String,
    /// Last committed height.
    pub height: Height,
}

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

/// `POST /v1/txs`: one transaction (`tx`) or a batch (`txs`, at most
/// [`MAX_BATCH`]), each the hex of the borsh encoding of a `SignedTransaction`.
/// Exactly one of the two is given.
/// Only a JSON object is read (no `default` on the fields: an array is
/// refused rather than read as an empty submission).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubmitBody {
    /// One transaction.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tx: Option<String>,
    /// A batch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub txs: Option<Vec<String>>,
}

/// `POST /v1/txs` with `tx`: the answer (202).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmitAnswer {
    /// The transaction id.
    pub hash: Hash,
}

/// One item of a batch submission answer (`POST /v1/txs` with `txs`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmitItem {
    /// The transaction id when admitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash: Option<Hash>,
    /// Why it was refused otherwise (its `status` set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorBody>,
}

/// `POST /v1/txs` with `txs`: the answer (200).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmitBatchAnswer {
    /// One item per submitted transaction, in order.
    pub results: Vec<SubmitItem>,
}

/// [`TxAnswer::status`] of a transaction waiting in the mempool.
pub const TX_PENDING: &str = "pending";
/// [`TxAnswer::status`] of a committed transaction.
pub const TX_COMMITTED: &str = "committed";

/// `GET /v1/txs/{hash}`: pending (`status` and `hash` only) or committed
/// (with the transaction, its receipt and `raw`, the exact signed bytes).
///
/// A reader whose access withholds a restricted field (a mining site's
/// address) gets the transaction with that field `null` beside
/// `address_redacted: true`, and `raw` withheld (`null`, `raw_redacted:
/// true`): such a transaction no longer decodes as a `SignedTransaction`,
/// so a reader holds `tx` as JSON (`T`, by default `serde_json::Value`)
/// and decodes `raw` when it is there. The node writes `T = SignedTransaction`.
///
/// The node writes the receipt (`R`) as JSON with a failed outcome's
/// `message` rendered in the request's language (`docs/wire-format.md` §10);
/// a reader takes it as a [`Receipt`] (`R`'s default), which ignores it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(bound(serialize = "T: Serialize, R: Serialize", deserialize = "T: Deserialize<'de>, R: Deserialize<'de>"))]
pub struct TxAnswer<T = serde_json::Value, R = Receipt> {
    /// [`TX_PENDING`] or [`TX_COMMITTED`].
    pub status: String,
    /// The transaction id.
    pub hash: Hash,
    /// The transaction (committed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tx: Option<T>,
    /// Its receipt (committed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt: Option<R>,
    /// Hex of the borsh encoding of the signed transaction (committed,
    /// unless withheld).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw: Option<String>,
    /// `raw` was withheld from this reader.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub raw_redacted: bool,
}

/// `GET /v1/blocks/{height}`: the block and its commit certificate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockAnswer {
    /// Height.
    pub height: Height,
    /// Block hash.
    pub hash: Hash,
    /// The block.
    pub block: Block,
    /// Its commit certificate.
    pub certificate: Certificate,
}

/// `GET /v1/blocks/{height}?encoding=borsh`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawBlockAnswer {
    /// Height.
    pub height: Height,
    /// Block hash.
    pub hash: Hash,
    /// Hex of the borsh encoding of `CertifiedBlock`.
    pub raw: String,
}

/// `GET /v1/blocks/{height}/receipts`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptsAnswer {
    /// Height.
    pub height: Height,
    /// The block's receipts, in transaction order.
    pub receipts: Vec<Receipt>,
}

/// `GET /v1/proofs/state` (SPEC §10).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProofAnswer {
    /// Hex of the logical state key asked about.
    pub key: String,
    /// Version (height) of the tree the proof is against.
    pub height: Height,
    /// State root at that height (the block header's `state_root`).
    pub root: Hash,
    /// Hex of the borsh-encoded state entry; null when absent.
    pub value: Option<String>,
    /// Hex of the borsh encoding of jmt 0.12 `SparseMerkleProof<Sha256>`.
    pub proof: String,
}

/// A state value with its Jellyfish Merkle proof (SPEC §10): a
/// [`ProofAnswer`] with its hex decoded.
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

/// `GET /v1/txs/{hash}/bundle` (`docs/receipt-format.md`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleAnswer {
    /// The transaction id.
    pub hash: Hash,
    /// Height of the block that committed it (0: genesis).
    pub height: Height,
    /// Size of `raw` in bytes.
    pub bytes: usize,
    /// Hex of the borsh encoding of the bundle: the file `tamga receipt export` writes.
    pub raw: String,
}

/// `GET /v1/security/events` (docs/api.md, Security events). The node
/// serialises its own records as `E`; a reader holds them as JSON values.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SecurityPage<E = serde_json::Value> {
    /// Records (`seq`, `time_ms`, `node`, `kind` and the kind's fields) with
    /// `seq > after`, oldest first.
    pub events: Vec<E>,
    /// Seq of the oldest record the node still holds (`null`: none yet).
    pub oldest: Option<u64>,
    /// Every record from this seq on is held (`null`: none yet).
    #[serde(default)]
    pub complete_from: Option<u64>,
    /// Seq of the last record the node recorded (0: none yet).
    pub last: u64,
    /// The `after` of the next page.
    pub next_after: u64,
    /// Records after `after` the node no longer holds.
    pub truncated: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pending_answer_carries_status_and_hash_only() {
        let a: TxAnswer = TxAnswer {
            status: TX_PENDING.into(),
            hash: Hash::ZERO,
            tx: None,
            receipt: None,
            raw: None,
            raw_redacted: false,
        };
        let v = serde_json::to_value(&a).unwrap();
        assert_eq!(v.as_object().unwrap().len(), 2, "{v}");
        assert_eq!(serde_json::from_value::<TxAnswer>(v).unwrap(), a);
    }

    #[test]
    fn a_submission_holds_one_of_tx_and_txs_and_nothing_else() {
        let b: SubmitBody = serde_json::from_str(r#"{"tx":"00"}"#).unwrap();
        assert_eq!(b, SubmitBody { tx: Some("00".into()), txs: None });
        assert!(serde_json::from_str::<SubmitBody>(r#"{"tx":"00","memo":"x"}"#).is_err());
        assert!(serde_json::from_str::<SubmitBody>("[]").is_err(), "an array is no submission");
        assert_eq!(serde_json::to_string(&SubmitBody { tx: None, txs: Some(vec![]) }).unwrap(), r#"{"txs":[]}"#);
    }

    #[test]
    fn a_refused_batch_item_carries_its_status() {
        let item = SubmitItem {
            hash: None,
            error: Some(ErrorBody { status: 409, code: "STALE_NONCE".into(), message: "m".into(), field: None }),
        };
        let s = serde_json::to_string(&item).unwrap();
        assert_eq!(s, r#"{"error":{"status":409,"code":"STALE_NONCE","message":"m"}}"#);
        assert_eq!(serde_json::from_str::<SubmitItem>(&s).unwrap(), item);
    }
}
