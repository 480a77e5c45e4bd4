//! [`Net::assert_consistent`]: the safety and durability checks run after
//! every scenario.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use anyhow::{bail, Context};
use futures::future::join_all;
use tamga_client::{BlockAt, TxStatus};
use tamga_types::{CertifiedBlock, Hash, Height, Validator, ValidatorSet};

use crate::load::LoadReport;
use crate::net::{say, Net};

/// What [`Net::assert_consistent`] checked.
#[derive(Clone, Debug)]
pub struct Consistency {
    /// Heights compared on every live node (1..=this).
    pub common_height: Height,
    /// Nodes compared.
    pub nodes: Vec<usize>,
    /// Transactions found in the compared blocks.
    pub txs: usize,
    /// `(height, block time ms)` of every compared block.
    pub block_times: Vec<(Height, u64)>,
    /// Validator indices (in the genesis set) that signed each block's certificate.
    pub signers: Vec<Vec<u16>>,
}

impl Consistency {
    /// Longest time between consecutive blocks above `after`.
    pub fn max_gap_after(&self, after: Height) -> Duration {
        let ms = self
            .block_times
            .windows(2)
            .filter(|w| w[0].0 >= after)
            .map(|w| w[1].1.saturating_sub(w[0].1))
            .max()
            .unwrap_or(0);
        Duration::from_millis(ms)
    }
}

impl Net {
    /// The genesis validator set (the set of height 1; [`Net::assert_consistent`]
    /// follows the changes the chain announces from there).
    pub fn genesis_validators(&self) -> anyhow::Result<ValidatorSet> {
        let vs = self
            .testnet
            .genesis
            .validators
            .iter()
            .map(|v| Validator { key: v.key, power: v.power, operator: v.operator, p2p_key: v.p2p_key })
            .collect();
        Ok(ValidatorSet::new(vs)?)
    }

    /// Safety and durability over the live nodes:
    ///
    /// 1. if the chain is live, every live node first reaches the highest
    ///    height any of them had (up to `settle`);
    /// 2. at every height up to the lowest of them, every node serves the same
    ///    block (hash, hence state root, transactions and parent), with a
    ///    commit certificate of more than two thirds of the genesis set, and
    ///    the same receipts;
    /// 3. each node's own state root (`/v1/status`) equals the certified state
    ///    root of the block at its height;
    /// 4. every block the load generator read has the same hash here, and
    ///    every transaction it saw committed is in the compared blocks at the
    ///    same height, with a receipt on every node (checked by hash for a sample).
    pub async fn assert_consistent(&self, load: Option<&LoadReport>, settle: Duration) -> anyhow::Result<Consistency> {
        let nodes = self.live();
        if nodes.is_empty() {
            bail!("no live node to compare");
        }
        let target = self.max_height().await;
        let settled = async {
            for &i in &nodes {
                self.wait_height(i, target, settle).await?;
            }
            anyhow::Ok(())
        }
        .await;
        let mut heights = Vec::new();
        for &i in &nodes {
            heights.push(self.height(i).await?);
        }
        let common = heights.iter().copied().min().unwrap_or(0);
        if let Err(e) = settled {
            say(format!("check: nodes did not all reach {target} ({e:#}); comparing up to {common}"));
        }
        let chain_id = self.chain_id();
        // The set certifying each height: genesis first, then every change a
        // certified header announces (`next_validators_hash`), as a light client does.
        let mut set = self.genesis_validators()?;
        let mut chain: Vec<CertifiedBlock> = Vec::with_capacity(common as usize);
        let mut txs_at: HashMap<Hash, Height> = HashMap::new();
        for h in 1..=common {
            let fetched = join_all(nodes.iter().map(|&i| async move {
                let b = self.client(i).block(BlockAt::Height(h)).await;
                let r = self.client(i).block_receipts(h).await;
                (i, b, r)
            }))
            .await;
            let mut first: Option<(usize, CertifiedBlock, Vec<tamga_types::Receipt>)> = None;
            for (i, b, r) in fetched {
                let b = b.with_context(|| format!("node{i}: block {h}"))?;
                let r = r.with_context(|| format!("node{i}: receipts of block {h}"))?;
                b.certificate
                    .verify_commit(&chain_id, &set, &b.block.header)
                    .with_context(|| format!("node{i}: certificate of block {h}"))?;
                if b.block.header.height != h {
                    bail!("node{i}: block {h} says height {}", b.block.header.height);
                }
                match &first {
                    None => first = Some((i, b, r)),
                    Some((j, fb, fr)) => {
                        if fb.block.hash() != b.block.hash() {
                            bail!(
                                "DIVERGENCE at height {h}: node{j} has block {} (root {}), node{i} has {} (root {})",
                                fb.block.hash(),
                                fb.block.header.state_root,
                                b.block.hash(),
                                b.block.header.state_root
                            );
                        }
                        if *fr != r {
                            bail!("receipts of block {h} differ between node{j} and node{i}");
                        }
                    }
                }
            }
            if let Some((_, b, r)) = first {
                if r.len() != b.block.txs.len() {
                    bail!("block {h}: {} receipts for {} transactions", r.len(), b.block.txs.len());
                }
                if let Some(prev) = chain.last() {
                    if b.block.header.parent_hash != prev.block.hash() {
                        bail!("block {h} does not link to block {}", h - 1);
                    }
                }
                for tx in b.block.txs.iter() {
                    if txs_at.insert(tx.hash(), h).is_some() {
                        bail!("transaction {} committed twice", tx.hash());
                    }
                }
                if b.block.header.validators_hash != set.hash() {
                    bail!("block {h} names validator set {}, expected {}", b.block.header.validators_hash, set.hash());
                }
                if b.block.header.next_validators_hash != set.hash() {
                    let next = self.client(nodes[0]).validators(Some(h + 1)).await?.validators;
                    if next.hash() != b.block.header.next_validators_hash {
                        bail!(
                            "block {h} announces validator set {}, node{} serves {} for height {}",
                            b.block.header.next_validators_hash,
                            nodes[0],
                            next.hash(),
                            h + 1
                        );
                    }
                    say(format!("check: validator set changes at height {} ({} validators)", h + 1, next.len()));
                    set = next;
                }
                chain.push(b);
            }
        }
        // Each node's own root against the certified header at its height.
        for &i in &nodes {
            let s = self.status(i).await?;
            let reference = match chain.get((s.height as usize).wrapping_sub(1)) {
                Some(b) => b.block.header.clone(),
                None => {
                    // Beyond the compared range: any other node's copy.
                    let mut found = None;
                    for &j in nodes.iter().filter(|&&j| j != i) {
                        if let Ok(b) = self.client(j).block(BlockAt::Height(s.height)).await {
                            found = Some(b.block.header);
                            break;
                        }
                    }
                    match found {
                        Some(h) => h,
                        None => continue,
                    }
                }
            };
            if s.height > 0 && (reference.state_root != s.state_root || reference.hash() != s.last_block_hash) {
                bail!(
                    "node{i} at height {}: own state root {} / last block {}, certified {} / {}",
                    s.height,
                    s.state_root,
                    s.last_block_hash,
                    reference.state_root,
                    reference.hash()
                );
            }
        }
        if let Some(load) = load {
            for (h, bh) in load.blocks.range(..=common) {
                let mine = chain[(*h - 1) as usize].block.hash();
                if mine != *bh {
                    bail!("DIVERGENCE at height {h}: the load generator read block {bh}, the nodes now serve {mine}");
                }
            }
            let mut missing = Vec::new();
            for (tx, h) in &load.committed {
                if *h > common {
                    continue;
                }
                if txs_at.get(tx) != Some(h) {
                    missing.push((*tx, *h));
                }
            }
            if !missing.is_empty() {
                bail!(
                    "{} transactions seen committed are missing from the chain, e.g. {:?}",
                    missing.len(),
                    &missing[..missing.len().min(5)]
                );
            }
            let beyond = load.committed.values().filter(|&&h| h > common).count();
            if beyond > 0 {
                bail!("{beyond} transactions were seen committed above the common height {common}");
            }
            // Receipts by hash on every node, for a sample.
            let sample: HashSet<&Hash> = load.committed.keys().take(100).collect();
            for &i in &nodes {
                for tx in &sample {
                    match self.client(i).tx(tx).await? {
                        TxStatus::Committed(v) if v.receipt.height == load.committed[*tx] => {}
                        other => bail!("node{i}: committed transaction {tx} answers {other:?}"),
                    }
                }
            }
        }
        say(format!(
            "check: nodes {nodes:?} agree on heights 1..={common} ({} transactions, certificates verified); node heights {heights:?}",
            txs_at.len()
        ));
        let block_times = chain.iter().map(|b| (b.block.header.height, b.block.header.time_ms)).collect();
        let signers = chain.iter().map(|b| b.certificate.signatures.iter().map(|(i, _)| *i).collect()).collect();
        Ok(Consistency { common_height: common, nodes, txs: txs_at.len(), block_times, signers })
    }
}
