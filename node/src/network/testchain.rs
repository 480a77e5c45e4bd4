//! A chain of certified empty blocks on a real ledger, for the tests of
//! block sync (serving it here, applying it in the driver): one validator
//! signs each block's precommit, so every certificate verifies.

use std::sync::Arc;

use tamga_state::Ledger;
use tamga_types::{Certificate, CertifiedBlock, Genesis, Height, SigningKey, Vote, VoteData, VoteKind};

use crate::mempool::{Mempool, MempoolLimits};
use crate::proposal::{build_block_at, LedgerChain};

/// The production [`crate::mempool::ChainView`] over `ledger`, for a
/// network task under test.
pub(crate) fn chain_view(ledger: Arc<Ledger>) -> Arc<LedgerChain> {
    Arc::new(LedgerChain::new(ledger))
}

/// A one-validator chain on a ledger in a temporary directory.
pub(crate) struct TestChain {
    /// The temporary directories of every ledger opened here.
    dirs: Vec<tempfile::TempDir>,
    /// The genesis every ledger of this chain starts from.
    pub genesis: Genesis,
    /// The one validator.
    pub key: SigningKey,
    /// The ledger holding the blocks.
    pub ledger: Arc<Ledger>,
}

impl TestChain {
    /// A fresh chain with `blocks` committed blocks.
    pub fn new(blocks: Height) -> TestChain {
        let t = tamga_genesis::testnet::generate(&tamga_genesis::TestnetOptions {
            validators: 1,
            participants: 1,
            ..Default::default()
        })
        .unwrap();
        let (dir, ledger) = open_at_genesis(&t.genesis);
        let c = TestChain { dirs: vec![dir], genesis: t.genesis, key: t.validators[0].key.clone(), ledger };
        c.extend(blocks);
        c
    }

    /// A new ledger at genesis of the same chain (a node that has no block yet).
    pub fn fresh_ledger(&mut self) -> Arc<Ledger> {
        let (dir, ledger) = open_at_genesis(&self.genesis);
        self.dirs.push(dir);
        ledger
    }

    /// Builds, certifies and commits `n` more empty blocks.
    pub fn extend(&self, n: Height) {
        let chain_id = self.ledger.chain_id().unwrap();
        let mempool = Mempool::new(chain_id.clone(), MempoolLimits { max_txs: 1, max_bytes: 1, max_per_account: 1 });
        let view = LedgerChain::new(self.ledger.clone());
        for _ in 0..n {
            let height = self.ledger.height().unwrap() + 1;
            let (block, executed) =
                build_block_at(&self.ledger, &mempool, &view, self.key.public(), height, 0, &mut Vec::new(), 0)
                    .unwrap();
            let data = VoteData { kind: VoteKind::Precommit, height, round: 0, block_hash: block.header.hash() };
            let vote = Vote::sign(&self.key, &chain_id, data.clone());
            let set = self.ledger.validators_at(height).unwrap();
            let certificate = Certificate::from_votes(data, &set, [&vote]);
            self.ledger.commit(&block, &certificate, executed).unwrap();
        }
    }

    /// The certified blocks `from..=to`.
    pub fn blocks(&self, from: Height, to: Height) -> Vec<CertifiedBlock> {
        (from..=to)
            .map(|h| CertifiedBlock {
                block: self.ledger.block(h).unwrap().unwrap(),
                certificate: self.ledger.certificate(h).unwrap().unwrap(),
            })
            .collect()
    }
}

fn open_at_genesis(genesis: &Genesis) -> (tempfile::TempDir, Arc<Ledger>) {
    let dir = tempfile::tempdir().unwrap();
    let ledger = Arc::new(Ledger::open(&dir.path().join("ledger")).unwrap());
    ledger.init_genesis(genesis).unwrap();
    (dir, ledger)
}
