//! `tamga-indexer bench`: the ingest rate of the write path (the same
//! [`crate::db::Db::write_block`] the follower uses, one SQL transaction per
//! block with batched `unnest` inserts) on synthetic blocks of transfers.
//! No node and no certificate checks: it measures what the database takes.

use std::time::Instant;

use clap::Args;
use tamga_types::{Hash, ValidatorSet};

use crate::db::{Checkpoint, Db};
use crate::rows::{BlockRow, BlockRows, EventRow, Op, TxRow};
use crate::Failure;

/// `tamga-indexer bench` options.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Blocks to write.
    #[arg(long, default_value_t = 50)]
    blocks: u64,
    /// Transfers per block.
    #[arg(long, default_value_t = 2000)]
    txs: u32,
    /// Distinct accounts the transfers move between.
    #[arg(long, default_value_t = 1000)]
    accounts: u32,
}

/// A synthetic block `height` of `txs` transfers of class 1.
pub fn synthetic_block(height: u64, parent: Hash, txs: u32, accounts: u32) -> BlockRows {
    let hash = Hash::sha256(&height.to_be_bytes());
    let mut rows = BlockRows {
        block: Some(BlockRow {
            height,
            hash,
            parent_hash: parent,
            time_ms: 1_767_225_600_000 + height * 1000,
            round: 0,
            proposer: "00".repeat(32),
            tx_count: txs as usize,
            failed_count: 0,
            state_root: hash,
            receipts_root: hash,
            validators_hash: hash,
            next_validators_hash: hash,
            signatures: 3,
        }),
        ..BlockRows::default()
    };
    let account = |i: u64| format!("{:064x}", i % u64::from(accounts.max(2)));
    for i in 0..txs {
        let n = height * u64::from(txs) + u64::from(i);
        let tx_hash = Hash::sha256(&n.to_be_bytes());
        let (from, to) = (account(n), account(n + 1));
        let payload = format!(r#"{{"type":"transfer","class":1,"to":"{to}","amount":1}}"#);
        rows.txs.push(TxRow {
            hash: tx_hash,
            idx: i,
            signer: from.clone(),
            nonce: n,
            kind: "transfer",
            payload,
            memo: None,
            success: true,
            failure_code: None,
            failure_args: None,
        });
        rows.events.push(EventRow {
            tx_idx: i,
            idx: 0,
            tx_hash,
            kind: "transfer".into(),
            attributes: format!(r#"{{"class":"1","from":"{from}","to":"{to}","amount":"1"}}"#),
        });
        rows.ops.push(Op::Holding { class: 1, holder: from, delta: -1 });
        rows.ops.push(Op::Holding { class: 1, holder: to, delta: 1 });
    }
    rows
}

/// Runs the benchmark and prints one JSON line.
pub async fn run(url: Option<&str>, a: &BenchArgs) -> Result<(), Failure> {
    let url = url.ok_or_else(|| Failure::Usage("--database-url URL is required".into()))?;
    let mut db = Db::connect(url).await?;
    db.migrate().await?;
    if let Some((chain, _)) = db.chain().await? {
        return Err(Failure::Usage(format!(
            "the database already holds chain {chain:?}: the benchmark writes synthetic blocks into an empty database only"
        )));
    }
    let set = ValidatorSet::default();
    let mut genesis = BlockRows::default();
    // Every account starts with enough for every transfer it sends.
    for i in 0..a.accounts.max(2) {
        genesis.ops.push(Op::Holding { class: 1, holder: format!("{:064x}", i), delta: i128::from(u32::MAX) });
    }
    genesis.ops.insert(
        0,
        Op::Class { id: 1, symbol: "BENCH".into(), name: "bench".into(), issuer: 1, decimals: 0, supply_cap: None },
    );
    db.write_genesis("tamga-indexer-bench", Hash::sha256(b"bench"), 0, &genesis, &set).await?;
    let mut parent = Hash::ZERO;
    let (mut rows, mut txs) = (0usize, 0usize);
    let mut build = std::time::Duration::ZERO;
    let start = Instant::now();
    for height in 1..=a.blocks {
        let t = Instant::now();
        let block = synthetic_block(height, parent, a.txs, a.accounts);
        build += t.elapsed();
        let hash = block.block.as_ref().map(|b| b.hash).unwrap_or(Hash::ZERO);
        let next = Checkpoint { height, block_hash: hash, time_ms: 0, validators: set.clone() };
        db.write_block(&block, &next).await?;
        rows += block.row_count();
        txs += block.txs.len();
        parent = hash;
    }
    let secs = (start.elapsed() - build).as_secs_f64().max(1e-9);
    println!(
        "{{\"blocks\":{},\"transactions\":{txs},\"rows\":{rows},\"seconds\":{secs:.3},\"blocks_per_s\":{:.1},\
         \"transactions_per_s\":{:.0},\"rows_per_s\":{:.0}}}",
        a.blocks,
        a.blocks as f64 / secs,
        txs as f64 / secs,
        rows as f64 / secs
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_blocks_balance_and_chain() {
        let b = synthetic_block(3, Hash::ZERO, 10, 4);
        assert_eq!(b.txs.len(), 10);
        assert_eq!(b.events.len(), 10);
        let sum: i128 = b.ops.iter().map(|o| if let Op::Holding { delta, .. } = o { *delta } else { 0 }).sum();
        assert_eq!(sum, 0, "transfers move amounts, never create them");
        assert_eq!(b.block.as_ref().map(|r| r.parent_hash), Some(Hash::ZERO));
    }
}
