//! `POST /v1/txs` (admission to the mempool) and `GET /v1/txs/{hash}`
//! (pending, committed with receipt, or unknown).

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use tamga_contract::wire::{
    SubmitAnswer, SubmitBatchAnswer, SubmitBody, SubmitItem, TxAnswer, TX_COMMITTED, TX_PENDING,
};
use tamga_contract::ErrorBody;
use tamga_types::SignedTransaction;

use super::access::{carries_site, may_see_site_address, redact_sites, withhold_raw, Reader};
use super::error::{ApiError, ApiResult};
use super::i18n::{args, Lang};
use super::localize::with_messages;
use super::query::path_hash;
use super::{read, ApiContext, Caller};

pub use tamga_contract::wire::MAX_BATCH;

/// A body that could not be read: 413 over the limit, else 400 (also used by `verify`).
pub(super) fn body_error(e: BytesRejection) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::t(
            StatusCode::PAYLOAD_TOO_LARGE,
            "BODY_TOO_LARGE",
            "BODY_TOO_LARGE",
            args!["limit" => super::BODY_LIMIT.to_string()],
        )
    } else {
        ApiError::t(StatusCode::BAD_REQUEST, "BAD_BODY", "BAD_BODY", args!["detail" => e.body_text()])
    }
}

fn unhex(field: String, s: &str) -> ApiResult<Vec<u8>> {
    let s = s.strip_prefix("0x").unwrap_or(s);
    hex::decode(s).map_err(|e| ApiError::bad_t("BAD_HEX.tx", field, args!["detail" => e.to_string()]))
}

/// `POST /v1/txs`.
pub async fn submit(
    State(ctx): State<ApiContext>,
    Extension(caller): Extension<Caller>,
    lang: Lang,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let body = body.map_err(body_error)?;
    let req: SubmitBody = serde_json::from_slice(&body).map_err(|e| {
        ApiError::t(
            StatusCode::BAD_REQUEST,
            "BAD_JSON",
            "BAD_JSON",
            args!["expected" => r#"{"tx": hex} | {"txs": [hex…]}"#, "detail" => e.to_string()],
        )
    })?;
    let (raws, batch) = match (req.tx, req.txs) {
        (Some(tx), None) => (vec![unhex("tx".into(), &tx)?], false),
        (None, Some(txs)) => {
            if txs.is_empty() {
                return Err(ApiError::bad_t("EMPTY_BATCH", "txs", Vec::new()));
            }
            if txs.len() > MAX_BATCH {
                return Err(ApiError::bad_t(
                    "BATCH_TOO_LARGE",
                    "txs",
                    args!["count" => txs.len().to_string(), "max" => MAX_BATCH.to_string()],
                ));
            }
            let raws = txs.iter().enumerate().map(|(i, t)| unhex(format!("txs[{i}]"), t)).collect::<ApiResult<_>>()?;
            (raws, true)
        }
        (Some(_), Some(_)) => return Err(ApiError::bad_t("BAD_REQUEST.tx_and_txs", "tx", Vec::new())),
        (None, None) => return Err(ApiError::bad_t("BAD_REQUEST.no_tx", "tx", Vec::new())),
    };
    // Decoding and signature checks on the admission pool; the security
    // events and metrics of each transaction are written there too
    // (crate::admission, the path gossip takes as well).
    let (_, results) = ctx
        .gateway
        .admit(caller.who(), raws)
        .await
        .map_err(|e| ApiError::internal(format!("admission task failed: {e}")))?;
    if !batch {
        return match results.into_iter().next() {
            Some(Ok(hash)) => Ok((StatusCode::ACCEPTED, Json(SubmitAnswer { hash })).into_response()),
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
                error: Some(ErrorBody {
                    status: e.http_status(),
                    code: e.code().to_owned(),
                    message: ApiError::mempool(&e).message_in(lang),
                    field: None,
                }),
            },
        })
        .collect();
    Ok((StatusCode::OK, Json(SubmitBatchAnswer { results: items })).into_response())
}

/// `GET /v1/txs/{hash}`.
pub async fn get(
    State(ctx): State<ApiContext>,
    reader: Reader,
    lang: Lang,
    Path(hash): Path<String>,
) -> ApiResult<Response> {
    let hash = path_hash(&hash)?;
    // The mempool is looked at first: a block is committed before its
    // transactions leave the mempool, so a transaction is never missed
    // between the two looks. The ledger still decides: an admission racing
    // a commit can leave a committed transaction in the mempool until the
    // signer's next commit prunes it, and that one is committed, not pending.
    let in_mempool = ctx.gateway.mempool().contains(&hash);
    let found = read(&ctx, move |l| {
        let Some(v) = l.transaction(&hash)? else { return Ok(None) };
        // The miner of a notification is the signer's party.
        let miner = if carries_site(&v.tx) { l.account(&v.tx.tx.signer)?.map(|a| a.party) } else { None };
        Ok(Some((v, miner)))
    })
    .await?;
    match found {
        Some((v, miner)) => {
            let restricted = carries_site(&v.tx) && !may_see_site_address(ctx.read_policy, &reader, miner);
            let raw = hex::encode(v.tx.encode());
            // The receipt as JSON with its message in the request's language
            // (a receipt holds no u128; the transaction may, so it stays typed).
            let answer = TxAnswer {
                status: TX_COMMITTED.into(),
                hash,
                tx: Some(v.tx),
                receipt: Some(with_messages(&v.receipt, lang)?),
                raw: Some(raw),
                raw_redacted: false,
            };
            if !restricted {
                return Ok(Json(answer).into_response());
            }
            let mut value =
                serde_json::to_value(&answer).map_err(|e| ApiError::internal(format!("encoding transaction: {e}")))?;
            redact_sites(&mut value);
            withhold_raw(&mut value);
            Ok(Json(value).into_response())
        }
        None if in_mempool => {
            let pending: TxAnswer<SignedTransaction> =
                TxAnswer { status: TX_PENDING.into(), hash, tx: None, receipt: None, raw: None, raw_redacted: false };
            Ok(Json(pending).into_response())
        }
        None => Err(ApiError::not_found_t("TX_NOT_FOUND", args!["hash" => hash.to_string()])),
    }
}
