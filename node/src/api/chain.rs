//! Node and chain routes: status, health, metrics, chain facts, parameters,
//! validator sets, blocks with certificates, receipts by height and state
//! proofs (SPEC §10, §11).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use tamga_contract::wire::{BlockAnswer, Health, ProofAnswer, RawBlockAnswer, ReceiptsAnswer, ValidatorsView};
use tamga_types::model::MiningNotification;
use tamga_types::{CertifiedBlock, Hash, Height};

use super::access::{carries_site, may_see_site_address, redact_sites, withhold_raw, Reader};
use super::error::{ApiError, ApiResult};
use super::i18n::{args, Lang, Why};
use super::localize::with_messages;
use super::query::{one_of, uint, Params};
use super::{read, ApiContext};

/// `GET /v1/status`.
pub async fn status(State(ctx): State<ApiContext>) -> Response {
    let s = ctx.status.borrow().clone();
    Json(s).into_response()
}

/// `GET /health`: 200 while the ledger answers, 503 otherwise.
pub async fn health(State(ctx): State<ApiContext>) -> Response {
    match read(&ctx, |l| Ok(l.height()?)).await {
        Ok(height) => Json(Health { status: "ok".into(), height }).into_response(),
        Err(e) => ApiError::t(StatusCode::SERVICE_UNAVAILABLE, "UNHEALTHY", "UNHEALTHY", args!["detail" => e.message])
            .into_response(),
    }
}

/// `GET /metrics`: OpenMetrics text.
pub async fn metrics(State(ctx): State<ApiContext>) -> Response {
    let body = ctx.metrics.encode();
    ([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], body).into_response()
}

/// `GET /v1/chain`: chain id, genesis time and hash, regulation hash, network type (SPEC §1.11).
pub async fn chain(State(ctx): State<ApiContext>) -> ApiResult<Response> {
    Ok(Json(read(&ctx, |l| Ok(l.chain_info()?)).await?).into_response())
}

/// `GET /v1/params`.
pub async fn params(State(ctx): State<ApiContext>) -> ApiResult<Response> {
    Ok(Json(read(&ctx, |l| Ok(l.params()?)).await?).into_response())
}

/// `GET /v1/validators[?height=]`: the set certifying the block at `height`
/// (default: the next block).
pub async fn validators(
    State(ctx): State<ApiContext>,
    q: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> ApiResult<Response> {
    let q = Params::new(q, &["height"])?;
    let height: Option<Height> = q.get("height", uint)?;
    let answer = read(&ctx, move |l| {
        let next = l.height()? + 1;
        let height = height.unwrap_or(next);
        if height == 0 || height > next {
            return Err(ApiError::bad_t(
                "BAD_PARAM.validator_height",
                "height",
                args!["height" => height.to_string(), "next" => next.to_string()],
            ));
        }
        let set = l.validators_at(height)?;
        Ok(ValidatorsView { height, total_power: set.total_power(), quorum: set.quorum(), validators: set })
    })
    .await?;
    Ok(Json(answer).into_response())
}

/// A path's `{height}`: a number or `latest`.
fn block_height(ctx_height: Height, s: &str) -> ApiResult<Height> {
    let h = if s == "latest" {
        ctx_height
    } else {
        uint(s).map_err(|why: Why| {
            ApiError::bad_t("BAD_HEIGHT", "height", args!["value" => format!("{s:?}"), "why" => why])
        })?
    };
    if h == 0 || h > ctx_height {
        return Err(ApiError::not_found_t(
            "BLOCK_NOT_FOUND",
            args!["height" => h.to_string(), "last" => ctx_height.to_string()],
        ));
    }
    Ok(h)
}

#[derive(Clone, Copy)]
enum Encoding {
    Json,
    Borsh,
}

/// `GET /v1/blocks/{height}[?encoding=json|borsh]`: the block and its commit certificate.
pub async fn block(
    State(ctx): State<ApiContext>,
    reader: Reader,
    Path(at): Path<String>,
    q: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> ApiResult<Response> {
    let q = Params::new(q, &["encoding"])?;
    let enc = q.get("encoding", |s| one_of(s, &[("json", Encoding::Json), ("borsh", Encoding::Borsh)]))?;
    let policy = ctx.read_policy;
    let (block, certificate, hidden) = read(&ctx, move |l| {
        let h = block_height(l.height()?, &at)?;
        let (block, certificate) = match (l.block(h)?, l.certificate(h)?) {
            (Some(b), Some(c)) => (b, c),
            _ => return Err(ApiError::internal(format!("block or certificate {h} missing from the store"))),
        };
        // Positions of the transactions whose mining site `reader` may not see.
        let mut hidden = Vec::new();
        for (i, tx) in block.txs.iter().enumerate().filter(|(_, tx)| carries_site(tx)) {
            let miner = l.account(&tx.tx.signer)?.map(|a| a.party);
            if !may_see_site_address(policy, &reader, miner) {
                hidden.push(i);
            }
        }
        Ok((block, certificate, hidden))
    })
    .await?;
    let (height, hash) = (block.header.height, block.hash());
    let encoding_failed = |e: serde_json::Error| ApiError::internal(format!("encoding block {height}: {e}"));
    Ok(match enc.unwrap_or(Encoding::Json) {
        Encoding::Json if hidden.is_empty() => Json(BlockAnswer { height, hash, block, certificate }).into_response(),
        Encoding::Json => {
            let mut v =
                serde_json::to_value(BlockAnswer { height, hash, block, certificate }).map_err(encoding_failed)?;
            if let Some(txs) = v.pointer_mut("/block/txs").and_then(serde_json::Value::as_array_mut) {
                for (_, tx) in txs.iter_mut().enumerate().filter(|(i, _)| hidden.contains(i)) {
                    redact_sites(tx);
                }
            }
            Json(v).into_response()
        }
        Encoding::Borsh => {
            let raw = hex::encode(tamga_types::codec::encode(&CertifiedBlock { block, certificate }));
            let answer = RawBlockAnswer { height, hash, raw };
            if hidden.is_empty() {
                Json(answer).into_response()
            } else {
                let mut v = serde_json::to_value(answer).map_err(encoding_failed)?;
                withhold_raw(&mut v);
                Json(v).into_response()
            }
        }
    })
}

/// `GET /v1/blocks/{height}/receipts`.
pub async fn receipts(State(ctx): State<ApiContext>, lang: Lang, Path(at): Path<String>) -> ApiResult<Response> {
    let answer = read(&ctx, move |l| {
        let height = block_height(l.height()?, &at)?;
        Ok(ReceiptsAnswer { height, receipts: l.receipts(height)? })
    })
    .await?;
    Ok(Json(with_messages(&answer, lang)?).into_response())
}

/// `GET /v1/proofs/state?key=<hex logical key>[&height=]` (SPEC §10).
pub async fn state_proof(
    State(ctx): State<ApiContext>,
    reader: Reader,
    q: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> ApiResult<Response> {
    let q = Params::new(q, &["key", "height"])?;
    let key = q
        .get("key", |s| hex::decode(s).map_err(|e| Why::new("why.hex", args!["detail" => e.to_string()])))?
        .ok_or_else(|| ApiError::bad_t("MISSING_PARAM.state_key", "key", Vec::new()))?;
    if key.is_empty() {
        return Err(ApiError::bad_t("BAD_PARAM.empty_key", "key", Vec::new()));
    }
    let height: Option<Height> = q.get("height", uint)?;
    let policy = ctx.read_policy;
    let answer = read(&ctx, move |l| {
        let last = l.height()?;
        let height = height.unwrap_or(last);
        let root = if height == last {
            l.state_root()?
        } else if height > last {
            return Err(ApiError::bad_t(
                "BAD_PARAM.proof_height",
                "height",
                args!["height" => height.to_string(), "last" => last.to_string()],
            ));
        } else if height == 0 {
            return Err(ApiError::bad_t("BAD_PARAM.genesis_proof", "height", Vec::new()));
        } else {
            l.block(height)?.map(|b| b.header.state_root).ok_or_else(|| ApiError::internal("block missing"))?
        };
        let (value, proof) = l.get_with_proof(&key, height)?;
        // A mining notification entry holds its site's address (restricted).
        if key.first() == Some(&tamga_state::keys::state::MINING) {
            let miner = value.as_deref().and_then(|v| {
                tamga_types::codec::decode::<MiningNotification>("mining notification", v, 1 << 20)
                    .ok()
                    .map(|n| n.miner)
            });
            if value.is_some() && !may_see_site_address(policy, &reader, miner) {
                return Err(ApiError::t(
                    StatusCode::FORBIDDEN,
                    "RESTRICTED_FIELD",
                    "RESTRICTED_FIELD.proof",
                    args!["key" => hex::encode(&key)],
                ));
            }
        }
        let proof = borsh::to_vec(&proof).map_err(|e| ApiError::internal(format!("encoding the proof: {e}")))?;
        Ok(ProofAnswer {
            key: hex::encode(&key),
            height,
            root,
            value: value.map(hex::encode),
            proof: hex::encode(proof),
        })
    })
    .await?;
    Ok(Json(answer).into_response())
}

/// Most blocks one `GET /v1/blocks` answers.
pub const MAX_BLOCKS: u64 = 100;

/// One row of the latest-blocks list: the header facts and its commit
/// certificate's signers and power (SPEC §10).
#[derive(Serialize)]
pub struct BlockSummary {
    /// Height.
    pub height: Height,
    /// Block hash.
    pub hash: Hash,
    /// Proposer's clock, ms since the epoch.
    pub time_ms: u64,
    /// Proposer's consensus key.
    pub proposer: tamga_types::PublicKey,
    /// Transactions in the block.
    pub tx_count: usize,
    /// Evidence items in the block.
    pub evidence_count: usize,
    /// State root after the block.
    pub state_root: Hash,
    /// Round the certificate's precommits are for.
    pub certificate_round: u32,
    /// Precommit signatures in the certificate.
    pub signatures: usize,
    /// Voting power of those signatures.
    pub signed_power: u64,
    /// Total power of the set certifying the block.
    pub total_power: u64,
}

impl super::download::Row for BlockSummary {
    const HEADER: &'static [&'static str] = &[
        "height",
        "hash",
        "time_ms",
        "proposer",
        "tx_count",
        "evidence_count",
        "state_root",
        "certificate_round",
        "signatures",
        "signed_power",
        "total_power",
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.height.to_string(),
            self.hash.to_hex(),
            self.time_ms.to_string(),
            self.proposer.to_hex(),
            self.tx_count.to_string(),
            self.evidence_count.to_string(),
            self.state_root.to_hex(),
            self.certificate_round.to_string(),
            self.signatures.to_string(),
            self.signed_power.to_string(),
            self.total_power.to_string(),
        ]
    }
}

/// `GET /v1/blocks[?before=H][&limit=N][&format=csv|json]`: the latest
/// committed blocks, newest first, with their commit certificates'
/// signatures and power; `before` pages back (blocks below H).
pub async fn blocks(
    State(ctx): State<ApiContext>,
    q: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> ApiResult<Response> {
    let q = Params::new(q, &["before", "limit", super::download::PARAM])?;
    let before: Option<Height> = q.get("before", uint)?;
    let limit: u64 = q
        .get("limit", |s| {
            uint::<u64>(s).and_then(|n| {
                if (1..=MAX_BLOCKS).contains(&n) {
                    Ok(n)
                } else {
                    Err(Why::new("why.range", args!["min" => "1", "max" => MAX_BLOCKS.to_string()]))
                }
            })
        })?
        .unwrap_or(20);
    let format = super::download::format(&q)?;
    let rows = read(&ctx, move |l| {
        let last = l.height()?;
        let top = before.map_or(last, |b| b.saturating_sub(1).min(last));
        let mut rows = Vec::new();
        let mut h = top;
        while h >= 1 && (rows.len() as u64) < limit {
            let (Some(block), Some(cert)) = (l.block(h)?, l.certificate(h)?) else {
                return Err(ApiError::internal(format!("block or certificate {h} missing from the store")));
            };
            let set = l.validators_at(h)?;
            let signed_power =
                cert.signatures.iter().filter_map(|(i, _)| set.validators.get(usize::from(*i)).map(|v| v.power)).sum();
            rows.push(BlockSummary {
                height: h,
                hash: block.hash(),
                time_ms: block.header.time_ms,
                proposer: block.header.proposer,
                tx_count: block.txs.len(),
                evidence_count: block.evidence.len(),
                state_root: block.header.state_root,
                certificate_round: cert.data.round,
                signatures: cert.signatures.len(),
                signed_power,
                total_power: set.total_power(),
            });
            h -= 1;
        }
        Ok(rows)
    })
    .await?;
    super::download::answer("blocks", format, rows)
}
