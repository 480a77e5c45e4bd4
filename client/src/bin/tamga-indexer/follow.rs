//! Following a node: the event stream says a block committed, each block
//! after the checkpoint is fetched with its certificate, verified from the
//! validator set the checkpoint trusts (the light client of
//! `tamga_client::light`, SPEC §9), its body and receipts checked against
//! the header (SPEC §10), and written with the new checkpoint.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tamga_client::light::{verify_next_block, ChainError};
use tamga_client::Client;
use tamga_types::{CertifiedBlock, Genesis, Height, LightClient, LightError, Receipt};

use crate::db::{Checkpoint, Db};
use crate::error::IndexerError;
use crate::metrics::Metrics;
use crate::rows;

/// Opens the database, checks it holds this chain (or writes the genesis
/// into an empty one) and returns the checkpoint to resume from.
pub async fn open(db: &mut Db, client: &Client, genesis: &Genesis) -> Result<Checkpoint, IndexerError> {
    db.migrate().await?;
    let given = genesis.hash();
    if let Some((stored_chain, stored)) = db.chain().await? {
        if stored != given {
            return Err(IndexerError::OtherChain {
                stored_chain,
                stored,
                given_chain: genesis.chain_id.clone(),
                given,
            });
        }
    }
    let node = client.status().await?.genesis_hash;
    if node != given {
        return Err(IndexerError::NodeOtherChain { node, given });
    }
    if let Some(cp) = db.checkpoint().await? {
        return Ok(cp);
    }
    // First run: the genesis (height 0).
    let receipts = genesis_receipts(client, genesis).await?;
    let rows = rows::genesis_rows(genesis, &receipts)?;
    let light = LightClient::from_genesis(genesis)
        .map_err(|source| IndexerError::Verify(ChainError::Header { height: 0, source }))?;
    let set = light.validators().clone();
    db.write_genesis(&genesis.chain_id, given, genesis.genesis_time_ms, &rows, &set).await?;
    crate::log!("INFO", "genesis written: chain {} genesis {given}", genesis.chain_id);
    Ok(Checkpoint { height: 0, block_hash: tamga_types::Hash::ZERO, time_ms: genesis.genesis_time_ms, validators: set })
}

/// The receipts of the genesis transactions (SPEC §1.2), read from the
/// node one by one (`GET /v1/txs/{hash}`): no block certifies them, the
/// genesis hash certifies the transactions and the state root of block 1
/// their effects. Each must be the receipt of that transaction, at height 0,
/// in its position, and a success.
async fn genesis_receipts(client: &Client, genesis: &Genesis) -> Result<Vec<Receipt>, IndexerError> {
    let mut out = Vec::with_capacity(genesis.transactions.len());
    for (index, tx) in genesis.transactions.iter().enumerate() {
        let hash = tx.hash();
        let bad = |reason: String| IndexerError::GenesisReceipt { index, hash, reason };
        let view = match client.tx(&hash).await? {
            tamga_client::TxStatus::Committed(v) => v,
            other => return Err(bad(format!("the node answers {other:?}, expected a committed transaction"))),
        };
        let r = view.receipt;
        if r.tx_hash != hash || r.height != 0 || r.index as usize != index || !r.is_success() {
            return Err(bad(format!(
                "receipt of {} at height {} index {} ({:?}), expected a success at height 0 index {index}",
                r.tx_hash, r.height, r.index, r.outcome
            )));
        }
        out.push(r);
    }
    Ok(out)
}

/// A light client at `cp` (its set trusted for `cp.height + 1`).
pub fn light_at(genesis: &Genesis, cp: &Checkpoint) -> LightClient {
    LightClient::resume(genesis.chain_id.clone(), cp.validators.clone(), cp.height, cp.block_hash, cp.time_ms)
}

/// Fetches, verifies and writes the block after the checkpoint. Nothing is
/// written unless the certificate, the body and the receipts all check.
pub async fn ingest_next(
    db: &mut Db,
    client: &Client,
    light: &mut LightClient,
    metrics: &Metrics,
) -> Result<Height, IndexerError> {
    let height = light.height() + 1;
    let mut trial = light.clone();
    let (cb, _change) = verify_next_block(client, &mut trial).await.map_err(|e| match e {
        ChainError::Client(c) => IndexerError::Node(c),
        ChainError::Header { height, source: LightError::Parent { expected, got, .. } } => {
            IndexerError::ParentMismatch { height, stored: expected, parent: got }
        }
        other => IndexerError::Verify(other),
    })?;
    let receipts = client.block_receipts(height).await?;
    let rows = write_verified(db, &cb, &receipts, &trial).await?;
    *light = trial;
    metrics.written(height, cb.block.header.time_ms, rows, cb.block.txs.len());
    Ok(height)
}

/// Writes `cb`, whose header and certificate `trial` has just accepted
/// (SPEC §9), with its `receipts`, once its body matches the header's
/// `tx_root` and the receipts its `receipts_root` (one per transaction, in
/// order): one SQL transaction with the new checkpoint. Returns the rows
/// written. The follower and `tamga-indexer bench` both write through here.
pub async fn write_verified(
    db: &mut Db,
    cb: &CertifiedBlock,
    receipts: &[Receipt],
    trial: &LightClient,
) -> Result<usize, IndexerError> {
    let block = &cb.block;
    let height = block.header.height;
    block.check_body().map_err(|source| IndexerError::Body { height, source })?;
    let computed = Receipt::compute_root(receipts);
    let order_ok = receipts.len() == block.txs.len()
        && receipts
            .iter()
            .zip(block.txs.iter())
            .enumerate()
            .all(|(i, (r, t))| r.index as usize == i && r.height == height && r.tx_hash == t.hash());
    if computed != block.header.receipts_root || !order_ok {
        return Err(IndexerError::Receipts {
            height,
            header: block.header.receipts_root,
            computed,
            count: receipts.len(),
            txs: block.txs.len(),
        });
    }
    let rows = rows::block_rows(block, trial.last_hash(), cb.certificate.signatures.len(), receipts)?;
    let next = Checkpoint {
        height,
        block_hash: trial.last_hash(),
        time_ms: trial.last_time_ms(),
        validators: trial.validators().clone(),
    };
    db.write_block(&rows, &next).await?;
    Ok(rows.row_count())
}

/// Options of [`run`].
#[derive(Clone, Debug)]
pub struct FollowOptions {
    /// Stop once this height is written (tests, backfills); `None`: follow forever.
    pub until: Option<Height>,
    /// Wait between retries after a transient error.
    pub retry: Duration,
    /// Longest silence of the event stream before it is reopened.
    pub stream_idle: Duration,
}

/// Follows the node until `until` (or forever): catches up to the node's
/// height, then waits for the event stream's next `block` event (or the
/// stream's silence) and catches up again. Transient errors (node or
/// database down) are logged and retried; any other stops the indexer.
pub async fn run(
    db: &mut Db,
    client: &Client,
    genesis: &Genesis,
    cp: Checkpoint,
    metrics: Arc<Metrics>,
    opts: &FollowOptions,
) -> Result<Height, IndexerError> {
    let mut light = light_at(genesis, &cp);
    metrics.written(cp.height, cp.time_ms, 0, 0);
    let mut stream: Option<tamga_client::events::EventStream> = None;
    loop {
        if opts.until.is_some_and(|u| light.height() >= u) {
            return Ok(light.height());
        }
        let tip = match client.status().await {
            Ok(s) => s.height,
            Err(e) => {
                retry(IndexerError::Node(e), opts.retry).await?;
                continue;
            }
        };
        metrics.node_height(tip);
        let target = opts.until.map_or(tip, |u| u.min(tip));
        let started = Instant::now();
        while light.height() < target {
            match ingest_next(db, client, &mut light, &metrics).await {
                Ok(_) => {}
                Err(e) => {
                    retry(e, opts.retry).await?;
                    break;
                }
            }
        }
        if light.height() >= target && started.elapsed() > Duration::from_secs(1) {
            crate::log!("INFO", "caught up at height {} (node at {tip})", light.height());
        }
        if light.height() < target {
            continue;
        }
        // Caught up: wait for the node to announce the next block.
        if stream.is_none() {
            stream = client.events(&[("kinds", "block".to_owned())], None).await.ok();
        }
        let got = match stream.as_mut() {
            Some(s) => s.next(opts.stream_idle).await,
            None => {
                tokio::time::sleep(opts.retry).await;
                continue;
            }
        };
        if !matches!(got, Ok(Some(_))) {
            stream = None;
        }
    }
}

/// Waits before a retry of a transient error; returns any other.
async fn retry(e: IndexerError, wait: Duration) -> Result<(), IndexerError> {
    if !e.is_transient() {
        return Err(e);
    }
    crate::log!("WARN", "{}: {e} (retrying)", e.code());
    tokio::time::sleep(wait).await;
    Ok(())
}
