//! `POST /v1/verify`: the open verification service (SPEC §1.8, §10; Digital
//! Code art. 50 p.4, art. 62 p.1). Anyone may post a signed transaction or a
//! receipt bundle and learn whether the signature is valid, which account
//! and party signed, whether and when it was committed, and what it does.
//!
//! Body: `{"tx": hex}` (borsh `SignedTransaction`, as `POST /v1/txs`) or
//! `{"bundle": hex}` (a receipt bundle, `docs/receipt-format.md`). A
//! well-formed body is answered 200 with a verdict (`valid` true or false
//! and, when false, a stable `error.code`); a malformed body is a 400 error
//! like everywhere else in the API.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use tamga_contract::bundle::{verify_bundle, ReceiptBundle, VerifiedReceipt};
use tamga_contract::render::render_transaction;
use tamga_state::Ledger;
use tamga_types::model::AccountStatus;
use tamga_types::{Hash, Height, PartyId, PublicKey, SignedTransaction, TimestampMs, TxOutcome};

use super::error::{stateless_message, ApiError, ApiResult};
use super::i18n::{args, render, Args, Lang};
use super::localize::with_messages;
use super::{read, ApiContext};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VerifyBody {
    tx: Option<String>,
    bundle: Option<String>,
}

/// Why the posted object is not valid.
#[derive(Serialize)]
struct Invalid {
    code: &'static str,
    message: String,
}

/// The signing account as this node's state knows it.
#[derive(Serialize)]
struct SignerAccount {
    party: PartyId,
    status: AccountStatus,
}

/// Where this node committed the transaction.
#[derive(Serialize)]
struct Committed {
    height: Height,
    index: u32,
    block_time_ms: TimestampMs,
    /// `None` for a genesis transaction (height 0).
    block_hash: Option<Hash>,
    outcome: TxOutcome,
}

#[derive(Serialize)]
struct TxVerdict {
    kind: &'static str,
    valid: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<Invalid>,
    tx_hash: Hash,
    signature_valid: bool,
    signer: PublicKey,
    /// `None`: no account of this key is known here.
    account: Option<SignerAccount>,
    /// `None`: not committed at this node.
    committed: Option<Committed>,
    operation: &'static str,
    rendering: String,
}

#[derive(Serialize)]
struct BundleVerdict {
    kind: &'static str,
    valid: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<Invalid>,
    /// What the bundle proves (when valid).
    #[serde(skip_serializing_if = "Option::is_none")]
    receipt: Option<VerifiedReceipt>,
    /// Whether this node committed the same transaction in the same block.
    #[serde(skip_serializing_if = "Option::is_none")]
    matches_this_node: Option<bool>,
}

fn unhex(key: &'static str, field: &'static str, s: &str) -> ApiResult<Vec<u8>> {
    let s = s.strip_prefix("0x").unwrap_or(s);
    hex::decode(s).map_err(|e| ApiError::bad_t(key, field, args!["detail" => e.to_string()]))
}

impl Invalid {
    /// A verdict's reason: `code` with catalogue entry `key` in `lang`
    /// (the English wording `english` when the catalogue cannot render it).
    fn new(lang: Lang, code: &'static str, key: &'static str, args: &Args, english: String) -> Invalid {
        Invalid { code, message: render(lang, key, args).unwrap_or(english) }
    }
}

/// Catalogue key of a bundle verdict's reason (`docs/receipt-format.md`):
/// the code with the `.bundle` variant, its detail as the verifier words it.
fn bundle_key(code: &str) -> &'static str {
    match code {
        "BUNDLE_MALFORMED" => "BUNDLE_MALFORMED.bundle",
        "BUNDLE_VERSION_UNSUPPORTED" => "BUNDLE_VERSION_UNSUPPORTED.bundle",
        "GENESIS_MISMATCH" => "GENESIS_MISMATCH.bundle",
        "WRONG_CHAIN_ID" => "WRONG_CHAIN_ID.bundle",
        "BAD_TX_SIGNATURE" => "BAD_TX_SIGNATURE.bundle",
        "RECEIPT_MISMATCH" => "RECEIPT_MISMATCH.bundle",
        "NOT_IN_GENESIS" => "NOT_IN_GENESIS.bundle",
        "NOT_IN_BLOCK" => "NOT_IN_BLOCK.bundle",
        "RECEIPT_NOT_CERTIFIED" => "RECEIPT_NOT_CERTIFIED.bundle",
        "BAD_GENESIS" => "BAD_GENESIS.bundle",
        "UNKNOWN_VALIDATOR_SET" => "UNKNOWN_VALIDATOR_SET.bundle",
        "INSUFFICIENT_POWER" => "INSUFFICIENT_POWER.bundle",
        "UNKNOWN_SIGNER" => "UNKNOWN_SIGNER.bundle",
        "BAD_CERTIFICATE_SIGNATURE" => "BAD_CERTIFICATE_SIGNATURE.bundle",
        "CERTIFICATE_MISMATCH" => "CERTIFICATE_MISMATCH.bundle",
        "VALIDATOR_CHAIN_BROKEN" => "VALIDATOR_CHAIN_BROKEN.bundle",
        "BAD_ACCOUNT_PROOF" => "BAD_ACCOUNT_PROOF.bundle",
        _ => "BUNDLE_INVALID.bundle",
    }
}

/// `POST /v1/verify`.
pub async fn verify(
    State(ctx): State<ApiContext>,
    lang: Lang,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let body = body.map_err(super::txs::body_error)?;
    let req: VerifyBody = serde_json::from_slice(&body).map_err(|e| {
        ApiError::t(
            StatusCode::BAD_REQUEST,
            "BAD_JSON",
            "BAD_JSON",
            args!["expected" => r#"{"tx": hex} | {"bundle": hex}"#, "detail" => e.to_string()],
        )
    })?;
    match (req.tx, req.bundle) {
        (Some(tx), None) => {
            let raw = unhex("BAD_HEX.tx", "tx", &tx)?;
            let tx = SignedTransaction::decode(&raw)
                .map_err(|e| ApiError::bad_t("MALFORMED_TX", "tx", args!["detail" => e.to_string()]))?;
            let verdict = read(&ctx, move |l| verify_tx(l, lang, &tx)).await?;
            Ok(Json(with_messages(&verdict, lang)?).into_response())
        }
        (None, Some(b)) => {
            let raw = unhex("BAD_HEX.bundle", "bundle", &b)?;
            let bundle = ReceiptBundle::decode(&raw).map_err(|e| {
                ApiError::t(StatusCode::BAD_REQUEST, e.code(), bundle_key(e.code()), args!["detail" => e.to_string()])
                    .field("bundle")
            })?;
            let verdict = read(&ctx, move |l| verify_posted_bundle(l, lang, &bundle)).await?;
            Ok(Json(with_messages(&verdict, lang)?).into_response())
        }
        (Some(_), Some(_)) => Err(ApiError::bad_t("BAD_REQUEST.tx_and_bundle", "tx", Vec::new())),
        (None, None) => Err(ApiError::bad_t("BAD_REQUEST.no_tx_or_bundle", "tx", Vec::new())),
    }
}

fn verify_tx(l: &Ledger, lang: Lang, tx: &SignedTransaction) -> ApiResult<TxVerdict> {
    let chain_id = l.chain_id()?;
    let tx_hash = tx.hash();
    let error = tx.verify(&chain_id).err().map(|e| {
        let (key, args) = stateless_message(&e);
        Invalid::new(lang, e.code(), key, &args, e.to_string())
    });
    let signer = tx.tx.signer;
    let account = l.account(&signer)?.map(|a| SignerAccount { party: a.party, status: a.status });
    let committed = match l.transaction(&tx_hash)? {
        Some(v) => {
            let r = v.receipt;
            let block_hash = if r.height == 0 { None } else { l.block(r.height)?.map(|b| b.hash()) };
            Some(Committed {
                height: r.height,
                index: r.index,
                block_time_ms: r.block_time_ms,
                block_hash,
                outcome: r.outcome,
            })
        }
        None => None,
    };
    Ok(TxVerdict {
        kind: "transaction",
        valid: error.is_none(),
        signature_valid: error.is_none(),
        error,
        tx_hash,
        signer,
        account,
        committed,
        operation: tx.tx.payload.kind_name(),
        rendering: render_transaction(tx),
    })
}

fn verify_posted_bundle(l: &Ledger, lang: Lang, bundle: &ReceiptBundle) -> ApiResult<BundleVerdict> {
    let genesis = l.genesis()?.ok_or_else(|| ApiError::internal("the ledger has no genesis"))?;
    Ok(match verify_bundle(bundle, &genesis) {
        Ok(v) => {
            let ours = l.transaction(&v.tx_hash)?;
            let same = match (&ours, v.block_hash) {
                (Some(t), Some(h)) => t.receipt.height == v.height && l.block(v.height)?.is_some_and(|b| b.hash() == h),
                (Some(t), None) => t.receipt.height == 0,
                (None, _) => false,
            };
            BundleVerdict { kind: "bundle", valid: true, error: None, receipt: Some(v), matches_this_node: Some(same) }
        }
        Err(e) => BundleVerdict {
            kind: "bundle",
            valid: false,
            error: Some(Invalid::new(
                lang,
                e.code(),
                bundle_key(e.code()),
                &args!["detail" => e.to_string()],
                e.to_string(),
            )),
            receipt: None,
            matches_this_node: None,
        },
    })
}
