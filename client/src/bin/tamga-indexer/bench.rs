//! `tamga-indexer bench`: the ingest rate of certified blocks of transfers.
//! Each block is generated as a node would serve it (signed transfers, the
//! receipts with their `transfer` events, a header over them and a
//! precommit certificate of a 4-validator set) and then goes through what
//! the follower does once it has fetched a block: the light client accepts
//! the header and certificate (SPEC §9, one batch signature verification),
//! [`crate::follow::write_verified`] checks the body and receipts against
//! the header and writes the rows with the checkpoint in one SQL transaction.
//! Generating a block is not timed; fetching it from a node (HTTP and
//! decoding) is not part of it.

use std::time::{Duration, Instant};

use clap::Args;
use tamga_types::{
    Block, BlockHeader, BoundedVec, Certificate, CertifiedBlock, ChainId, ClassId, Event, Hash, LightClient, PartyId,
    Payload, Receipt, SigningKey, TxOutcome, Validator, ValidatorSet, Vote, VoteData, VoteKind,
};

use crate::db::Db;
use crate::error::IndexerError;
use crate::rows::{BlockRows, Op};
use crate::Failure;

/// The chain id of the benchmark's blocks.
const CHAIN: &str = "tamga-indexer-bench";

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

/// What the generated chain needs: its validators and the transfer accounts.
pub struct Chain {
    validators: Vec<SigningKey>,
    set: ValidatorSet,
    accounts: Vec<SigningKey>,
}

impl Chain {
    /// 4 validators of power 1 and `accounts` (at least 2) accounts.
    pub fn new(accounts: u32) -> Result<Chain, IndexerError> {
        let validators: Vec<SigningKey> = (1..=4u8).map(|i| SigningKey::from_seed([i; 32])).collect();
        let set = ValidatorSet::new(
            validators
                .iter()
                .map(|k| Validator { key: k.public(), power: 1, operator: PartyId(1), p2p_key: k.public() })
                .collect(),
        )
        .map_err(|e| IndexerError::Corrupt { what: "bench validator set", detail: e.to_string() })?;
        let accounts = (0..accounts.max(2))
            .map(|i| {
                let mut seed = [0xA5u8; 32];
                seed[..4].copy_from_slice(&i.to_be_bytes());
                SigningKey::from_seed(seed)
            })
            .collect();
        Ok(Chain { validators, set, accounts })
    }

    /// Block `height` after `parent` (hash, time): `txs` transfers of class
    /// 1 between the accounts, their receipts, and a precommit certificate
    /// of all four validators.
    pub fn block(&self, height: u64, parent: Hash, txs: u32) -> Result<(CertifiedBlock, Vec<Receipt>), IndexerError> {
        let corrupt = |detail: String| IndexerError::Corrupt { what: "bench block", detail };
        let time_ms = 1_767_225_600_000 + height * 1000;
        let n = self.accounts.len() as u64;
        let mut signed = Vec::with_capacity(txs as usize);
        let mut receipts = Vec::with_capacity(txs as usize);
        for i in 0..txs {
            let k = height * u64::from(txs) + u64::from(i);
            let (from, to) = (&self.accounts[(k % n) as usize], &self.accounts[((k + 1) % n) as usize]);
            let payload = Payload::Transfer { class: ClassId(1), to: to.public(), amount: 1 };
            let tx = tamga_client::sign_payload(from, CHAIN, k, payload, None).map_err(|e| corrupt(e.to_string()))?;
            receipts.push(Receipt {
                tx_hash: tx.hash(),
                height,
                index: i,
                block_time_ms: time_ms,
                outcome: TxOutcome::Success,
                events: vec![Event::new(
                    "transfer",
                    [
                        ("class", "1".to_owned()),
                        ("from", from.public().to_hex()),
                        ("to", to.public().to_hex()),
                        ("amount", "1".to_owned()),
                    ],
                )],
            });
            signed.push(tx);
        }
        let header = BlockHeader {
            chain_id: ChainId::new(CHAIN).map_err(|e| corrupt(format!("{e:?}")))?,
            height,
            round: 0,
            time_ms,
            parent_hash: parent,
            proposer: self.validators[0].public(),
            tx_root: Block::compute_tx_root(&signed),
            evidence_root: Block::compute_evidence_root(&[]),
            state_root: Hash::sha256(&height.to_be_bytes()),
            receipts_root: Receipt::compute_root(&receipts),
            validators_hash: self.set.hash(),
            next_validators_hash: self.set.hash(),
        };
        let data = VoteData { kind: VoteKind::Precommit, height, round: 0, block_hash: header.hash() };
        let votes: Vec<Vote> = self.validators.iter().map(|k| Vote::sign(k, CHAIN, data.clone())).collect();
        let certificate = Certificate::from_votes(data, &self.set, &votes);
        let txs = BoundedVec::new(signed).map_err(|e| corrupt(format!("{e:?}")))?;
        let block = Block { header, txs, evidence: BoundedVec::default() };
        Ok((CertifiedBlock { block, certificate }, receipts))
    }
}

/// Runs the benchmark and prints one JSON line.
pub async fn run(url: Option<&str>, a: &BenchArgs) -> Result<(), Failure> {
    let url = url.ok_or_else(|| Failure::Usage("--database-url URL is required".into()))?;
    let mut db = Db::connect(url).await?;
    db.migrate().await?;
    if let Some((chain, _)) = db.chain().await? {
        return Err(Failure::Usage(format!(
            "the database already holds chain {chain:?}: the benchmark writes generated blocks into an empty database only"
        )));
    }
    let chain = Chain::new(a.accounts)?;
    let mut genesis = BlockRows::default();
    genesis.ops.push(Op::Class {
        id: 1,
        symbol: "BENCH".into(),
        name: "bench".into(),
        issuer: 1,
        decimals: 0,
        supply_cap: None,
    });
    // Every account starts with enough for every transfer it sends.
    for k in &chain.accounts {
        genesis.ops.push(Op::Holding { class: 1, holder: k.public().to_hex(), delta: i128::from(u32::MAX) });
    }
    let genesis_time = 1_767_225_600_000;
    db.write_genesis(CHAIN, Hash::sha256(b"bench"), genesis_time, &genesis, &chain.set).await?;
    let mut light = LightClient::resume(CHAIN.to_owned(), chain.set.clone(), 0, Hash::ZERO, genesis_time);
    let (mut rows, mut txs) = (0usize, 0usize);
    let (mut timed, mut checks) = (Duration::ZERO, Duration::ZERO);
    for height in 1..=a.blocks {
        let (cb, receipts) = chain.block(height, light.last_hash(), a.txs)?;
        let t = Instant::now();
        let mut trial = light.clone();
        trial
            .verify_next(&cb.block.header, &cb.certificate, None)
            .map_err(|source| IndexerError::Verify(tamga_client::light::ChainError::Header { height, source }))?;
        rows += crate::follow::write_verified(&mut db, &cb, &receipts, &trial).await?;
        timed += t.elapsed();
        // The share of the checks and the row building (no database), timed
        // apart on the same block: what a faster database cannot remove.
        let t = Instant::now();
        light
            .clone()
            .verify_next(&cb.block.header, &cb.certificate, None)
            .map_err(|source| IndexerError::Verify(tamga_client::light::ChainError::Header { height, source }))?;
        let _ = cb.block.check_body().is_ok() && Receipt::compute_root(&receipts) == cb.block.header.receipts_root;
        crate::rows::block_rows(&cb.block, trial.last_hash(), cb.certificate.signatures.len(), &receipts)
            .map_err(IndexerError::from)?;
        checks += t.elapsed();
        light = trial;
        txs += cb.block.txs.len();
    }
    let secs = timed.as_secs_f64().max(1e-9);
    println!(
        "{{\"blocks\":{},\"transactions\":{txs},\"rows\":{rows},\"seconds\":{secs:.3},\"blocks_per_s\":{:.1},\
         \"transactions_per_s\":{:.0},\"rows_per_s\":{:.0},\"checks_seconds\":{:.3}}}",
        a.blocks,
        a.blocks as f64 / secs,
        txs as f64 / secs,
        rows as f64 / secs,
        checks.as_secs_f64()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_blocks_are_certified_chain_and_turn_into_balanced_rows() {
        let chain = Chain::new(4).unwrap();
        let mut light = LightClient::resume(CHAIN.to_owned(), chain.set.clone(), 0, Hash::ZERO, 0);
        for height in 1..=2 {
            let (cb, receipts) = chain.block(height, light.last_hash(), 10).unwrap();
            light.verify_next(&cb.block.header, &cb.certificate, None).unwrap();
            cb.block.check_body().unwrap();
            assert_eq!(Receipt::compute_root(&receipts), cb.block.header.receipts_root);
            let rows = crate::rows::block_rows(&cb.block, light.last_hash(), 4, &receipts).unwrap();
            assert_eq!((rows.txs.len(), rows.events.len()), (10, 10));
            let sum: i128 = rows.ops.iter().map(|o| if let Op::Holding { delta, .. } = o { *delta } else { 0 }).sum();
            assert_eq!(sum, 0, "transfers move amounts, never create them");
        }
        // Another chain's certificate (a validator set it does not trust) is refused.
        let (cb, _) = chain.block(3, light.last_hash(), 1).unwrap();
        let other = Chain { validators: vec![SigningKey::from_seed([9; 32])], ..Chain::new(2).unwrap() };
        let mut forged = cb.clone();
        let data = forged.certificate.data.clone();
        forged.certificate =
            Certificate::from_votes(data.clone(), &chain.set, &[Vote::sign(&other.validators[0], CHAIN, data)]);
        assert!(light.clone().verify_next(&forged.block.header, &forged.certificate, None).is_err());
    }
}
