//! `POST /v1/txs` (admission to the mempool) and `GET /v1/txs/{hash}`
//! (pending, committed with receipt, or unknown).

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use tamga_types::{Hash, Receipt, SignedTransaction};

use super::error::{ApiError, ApiResult};
use super::query::path_hash;
use super::{read, ApiContext, Caller};
use crate::security::Origin;

/// Most transactions in one batch submission.
pub const MAX_BATCH: usize = 1000;

/// The request body: one transaction or a batch, as hex of the borsh
/// encoding of `SignedTransaction`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SubmitBody {
    tx: Option<String>,
    txs: Option<Vec<String>>,
}

/// One batch item: the hash, or the refusal.
#[derive(Serialize)]
struct SubmitItem {
    #[serde(skip_serializing_if = "Option::is_none")]
    hash: Option<Hash>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<ItemError>,
}

#[derive(Serialize)]
struct ItemError {
    status: u16,
    code: &'static str,
    message: String,
}

/// A body that could not be read: 413 over the limit, else 400 (also used by `verify`).
pub(super) fn body_error(e: BytesRejection) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "BODY_TOO_LARGE",
            format!("request body over {} bytes", super::BODY_LIMIT),
        )
    } else {
        ApiError::new(StatusCode::BAD_REQUEST, "BAD_BODY", e.body_text())
    }
}

fn unhex(field: String, s: &str) -> ApiResult<Vec<u8>> {
    let s = s.strip_prefix("0x").unwrap_or(s);
    hex::decode(s).map_err(|e| ApiError::bad("BAD_HEX", field, format!("not hex of a signed transaction: {e}")))
}

/// `POST /v1/txs`.
pub async fn submit(
    State(ctx): State<ApiContext>,
    Extension(caller): Extension<Caller>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let body = body.map_err(body_error)?;
    let req: SubmitBody = serde_json::from_slice(&body).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "BAD_JSON",
            format!("body is not {{\"tx\": hex}} or {{\"txs\": [hex…]}}: {e}"),
        )
    })?;
    let (raws, batch) = match (req.tx, req.txs) {
        (Some(tx), None) => (vec![unhex("tx".into(), &tx)?], false),
        (None, Some(txs)) => {
            if txs.is_empty() {
                return Err(ApiError::bad("EMPTY_BATCH", "txs", "txs is empty"));
            }
            if txs.len() > MAX_BATCH {
                return Err(ApiError::bad(
                    "BATCH_TOO_LARGE",
                    "txs",
                    format!("{} transactions in one batch, at most {MAX_BATCH}", txs.len()),
                ));
            }
            let raws = txs.iter().enumerate().map(|(i, t)| unhex(format!("txs[{i}]"), t)).collect::<ApiResult<_>>()?;
            (raws, true)
        }
        (Some(_), Some(_)) => return Err(ApiError::bad("BAD_REQUEST", "tx", "give either tx or txs, not both")),
        (None, None) => {
            return Err(ApiError::bad("BAD_REQUEST", "tx", "missing tx (one transaction) or txs (a batch)"))
        }
    };
    // Decoding and signature checks are CPU work: off the async threads.
    let gateway = ctx.gateway.clone();
    let (raws, results) = tokio::task::spawn_blocking(move || {
        let results = gateway.submit(&raws);
        (raws, results)
    })
    .await
    .map_err(|e| ApiError::internal(format!("admission task failed: {e}")))?;
    ctx.security.record_bad_tx_signatures(Origin::Api, Some(caller.who()), &raws, &results);
    let rejected = results.iter().filter(|r| r.is_err()).count();
    ctx.metrics.mempool_rejected.inc_by(rejected as u64);
    if !batch {
        return match results.into_iter().next() {
            Some(Ok(hash)) => Ok((StatusCode::ACCEPTED, Json(serde_json::json!({ "hash": hash }))).into_response()),
            Some(Err(e)) => Err(ApiError::mempool(&e).field("tx")),
            None => Err(ApiError::internal("admission returned no result")),
        };
    }
    let items: Vec<SubmitItem> = results
        .into_iter()
        .map(|r| match r {
            Ok(hash) => SubmitItem { hash: Some(hash), error: None },
            Err(e) => SubmitItem {
                hash: None,
                error: Some(ItemError { status: e.http_status(), code: e.code(), message: e.to_string() }),
            },
        })
        .collect();
    Ok((StatusCode::OK, Json(serde_json::json!({ "results": items }))).into_response())
}

/// `GET /v1/txs/{hash}` when committed.
#[derive(Serialize)]
struct Committed {
    status: &'static str,
    hash: Hash,
    tx: SignedTransaction,
    receipt: Receipt,
    /// Hex of the borsh encoding: the exact signed bytes.
    raw: String,
}

/// `GET /v1/txs/{hash}`.
pub async fn get(State(ctx): State<ApiContext>, Path(hash): Path<String>) -> ApiResult<Response> {
    let hash = path_hash(&hash)?;
    // Mempool first: a block is committed before its transactions leave the
    // mempool, so a transaction is never missed between the two looks.
    if ctx.gateway.mempool().contains(&hash) {
        return Ok(Json(serde_json::json!({ "status": "pending", "hash": hash })).into_response());
    }
    match read(&ctx, move |l| Ok(l.transaction(&hash)?)).await? {
        Some(v) => {
            let raw = hex::encode(v.tx.encode());
            Ok(Json(Committed { status: "committed", hash, tx: v.tx, receipt: v.receipt, raw }).into_response())
        }
        None => Err(ApiError::not_found(
            "TX_NOT_FOUND",
            format!("transaction {hash} is neither committed nor waiting in this node's mempool"),
        )),
    }
}
