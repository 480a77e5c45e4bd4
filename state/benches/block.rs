//! Micro-benchmarks of one 5,000-transaction block through the ledger
//! on a real RocksDB in a temporary directory.
//!
//! The chain: four validators, an issuer and 1,000 holders, each funded with
//! 1,000,000 units of one token class by the genesis transactions
//! ([`Genesis::transactions`]: the class is created and every holder minted
//! at height 0, so no setup block precedes the measured ones). A block is
//! 5,000 transfers, five from each holder, to one of the next seven holders.
//!
//! * `block/execute/verify_signatures` — [`Ledger::execute`] of the block with
//!   no pre-verified signature: size, duplicate and chain-id checks, one
//!   batch verification of the 5,000 signatures, execution of every transfer
//!   against committed state, receipts, and the state-root update. This is
//!   what a validator does for a proposal whose transactions it has not seen
//!   (and what sync does).
//! * `block/execute/preverified` — the same with every transaction id in the
//!   `preverified` set, as when the mempool admitted them: no signature check.
//!   `execute` writes nothing, so both run on the same committed state.
//! * `block/commit/synced` — [`Ledger::commit`] of the executed block with its
//!   commit certificate of four precommits: the body/header and certificate
//!   checks (5,000 transaction hashes, four signatures) and the one synced
//!   RocksDB `WriteBatch` (state, JMT nodes, block, certificate, receipts, tx
//!   index). Each iteration commits the next height, so the chain grows while
//!   it runs; signing, executing and certifying that block happen outside
//!   the timed section.
//! * `block/state_root/jmt_update` — the state-root update alone: the
//!   Jellyfish Merkle tree update of the block's state writes at the next
//!   version ([`Store::tree_update`]: the tree's batch insertion, since the
//!   block deletes nothing), reading the tree from RocksDB, plus turning its
//!   node batch into write-batch operations ([`Batch::add_tree_update`]) —
//!   the JMT half of `Ledger::seal` (state/src/ledger.rs).
//!   `block/state_root/jmt_update_key_by_key` is the same through the tree's
//!   key-by-key `put_value_set`, the path `seal` took before.
//!
//! Why the state-root update is measured this way: `seal` is private to the
//! ledger, and what it needs — the execution overlay's write set — never
//! leaves `execute`. Rather than widen the crate's API for a benchmark (a
//! `#[doc(hidden)] pub fn`), this bench rebuilds the same input from public
//! pieces: it commits one block, takes every state entry the block wrote (the
//! height, each sender's account, each sender's and receiver's holding, and
//! whatever else changed in a `Ledger::dump` diff), reopens the database as a
//! [`Store`] (the JMT's `TreeReader`) and times the tree update at that
//! block's version against the tree of the version before. The bench asserts
//! that the root it computes equals the `state_root` that `execute` returned,
//! so it cannot drift silently from what `seal` does. (Subtracting
//! "execute without seal" from "execute" would need the same private access
//! and would give a difference of two noisy figures.) Not included: `seal`'s
//! loop that copies the overlay into the batch — plain `Vec` pushes.
//!
//! Run (RocksDB is C++: build it once in the shared CI target directory):
//!
//! ```text
//! cargo bench -p tamga-state --bench block --profile ci
//! cargo bench -p tamga-state --bench block --profile ci -- --warm-up-time 1 --measurement-time 5
//! cargo bench -p tamga-state --bench block --profile ci -- block/commit   # a filter
//! ```
//!
//! The temporary directory is under `$TMPDIR` (default `/tmp`): the commit
//! figure is the fsync of whatever device that is.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::cell::Cell;
use std::collections::{BTreeMap, HashSet};
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, SamplingMode, Throughput};
use jmt::{KeyHash, Sha256Jmt};
use tamga_state::store::{Batch, Store};
use tamga_state::{keys, BlockContext, ExecutedBlock, Ledger};
use tamga_types::*;

const CHAIN: &str = "tamga-bench";
const HOLDERS: usize = 1_000;
const BLOCK_TXS: usize = 5_000;
const PER_HOLDER: usize = BLOCK_TXS / HOLDERS;
const GENESIS_TIME: u64 = 1_767_225_600_000;
const CLASS: ClassId = ClassId(1);

fn key(tag: u32, i: usize) -> SigningKey {
    let mut s = [0u8; 32];
    s[..4].copy_from_slice(&tag.to_be_bytes());
    s[4..12].copy_from_slice(&(i as u64).to_be_bytes());
    s[31] = 0x5b;
    SigningKey::from_seed(s)
}

fn tx(k: &SigningKey, nonce: u64, payload: Payload) -> SignedTransaction {
    Transaction { chain_id: ChainId::new(CHAIN).unwrap(), signer: k.public(), nonce, payload, memo: None }.sign(k)
}

/// The funded chain's keys and genesis.
struct Setup {
    validators: Vec<SigningKey>,
    holders: Vec<SigningKey>,
    genesis: Genesis,
}

impl Setup {
    fn new() -> Setup {
        let validators: Vec<SigningKey> = (0..4).map(|i| key(1, i)).collect();
        let holders: Vec<SigningKey> = (0..HOLDERS).map(|i| key(2, i)).collect();
        let issuer = key(3, 0);
        let mut parties = vec![GenesisParty {
            kind: PartyKind::LegalEntity,
            id_commitment: Hash::digest(b"bench", b"issuer"),
            display_name: Some("Issuer".into()),
            accounts: vec![issuer.public()],
            regulator_scopes: vec![],
            issuer: true,
        }];
        parties.extend(holders.iter().enumerate().map(|(i, k)| GenesisParty {
            kind: PartyKind::Individual,
            id_commitment: Hash::digest(b"bench", &(i as u64).to_be_bytes()),
            display_name: None,
            accounts: vec![k.public()],
            regulator_scopes: vec![],
            issuer: false,
        }));
        // Genesis transactions: the class (id 1), then a mint to every holder.
        let mut transactions = vec![tx(
            &issuer,
            0,
            Payload::CreateClass {
                symbol: ShortText::new("WHT").unwrap(),
                name: ShortText::new("Wheat").unwrap(),
                decimals: 0,
                supply_cap: None,
                rights: BoundedVec::new(vec![Right {
                    kind: RightKind::Goods,
                    description: Text::new("wheat at the elevator").unwrap(),
                }])
                .unwrap(),
                document_hash: Hash::ZERO,
                document_uri: Text::new("https://example.kz/wheat").unwrap(),
                redemption_terms: Text::new("elevator").unwrap(),
            },
        )];
        transactions.extend(holders.iter().enumerate().map(|(i, h)| {
            tx(&issuer, 1 + i as u64, Payload::Mint { class: CLASS, to: h.public(), amount: 1_000_000 })
        }));
        let genesis = Genesis {
            chain_id: CHAIN.into(),
            genesis_time_ms: GENESIS_TIME,
            regulation_hash: Hash::ZERO,
            network_type: NetworkType::CentrallyDistributed,
            params: Params { max_block_txs: limits::MAX_BLOCK_TXS as u32, ..Params::default() },
            parties,
            validators: validators
                .iter()
                .map(|v| GenesisValidator {
                    key: v.public(),
                    power: 1,
                    operator: PartyId(1),
                    p2p_address: None,
                    p2p_key: v.public(),
                })
                .collect(),
            transactions,
        };
        Setup { validators, holders, genesis }
    }

    /// A ledger on disk with the genesis applied (height 0).
    fn ledger(&self, dir: &std::path::Path) -> Ledger {
        let ledger = Ledger::open(dir).unwrap();
        ledger.init_genesis(&self.genesis).unwrap();
        ledger
    }

    /// The 5,000 transfers of the block at `height` (≥ 1): holder `i % 1000`
    /// sends its `PER_HOLDER` transfers of this height, so nonces follow on
    /// from the blocks before.
    fn transfers(&self, height: Height) -> Vec<SignedTransaction> {
        (0..BLOCK_TXS)
            .map(|i| {
                let from = i % HOLDERS;
                let to = (from + 1 + i % 7) % HOLDERS;
                let nonce = (height - 1) * PER_HOLDER as u64 + (i / HOLDERS) as u64;
                let payload = Payload::Transfer { class: CLASS, to: self.holders[to].public(), amount: 1 };
                tx(&self.holders[from], nonce, payload)
            })
            .collect()
    }

    fn context(&self, ledger: &Ledger) -> BlockContext {
        let height = ledger.height().unwrap() + 1;
        let set = ledger.validators_at(height).unwrap();
        BlockContext {
            height,
            time_ms: GENESIS_TIME + height * 1_000,
            proposer: set.validators[height as usize % set.len()].key,
        }
    }

    /// The block and the precommit certificate of all four validators.
    fn certify(&self, ledger: &Ledger, txs: Vec<SignedTransaction>, executed: &ExecutedBlock) -> (Block, Certificate) {
        let block =
            Block { header: executed.header(0), txs: BoundedVec::new(txs).unwrap(), evidence: Default::default() };
        let data = VoteData { kind: VoteKind::Precommit, height: executed.height, round: 0, block_hash: block.hash() };
        let votes: Vec<Vote> = self.validators.iter().map(|v| Vote::sign(v, CHAIN, data.clone())).collect();
        let set = ledger.validators_at(executed.height).unwrap();
        (block, Certificate::from_votes(data, &set, &votes))
    }
}

fn all_hashes(txs: &[SignedTransaction]) -> HashSet<Hash> {
    txs.iter().map(SignedTransaction::hash).collect()
}

fn execute(c: &mut Criterion) {
    let s = Setup::new();
    let dir = tempfile::tempdir().unwrap();
    let ledger = s.ledger(dir.path());
    let ctx = s.context(&ledger);
    let txs = s.transfers(ctx.height);
    let pre = all_hashes(&txs);
    let ex = ledger.execute(&ctx, &txs, &[], &HashSet::new()).unwrap();
    assert_eq!(ex.receipts.len(), BLOCK_TXS);
    assert!(ex.receipts.iter().all(|r| r.is_success()), "{:?}", ex.receipts.iter().find(|r| !r.is_success()));

    let mut g = c.benchmark_group("block");
    g.sample_size(10).sampling_mode(SamplingMode::Flat).throughput(Throughput::Elements(BLOCK_TXS as u64));
    let none = HashSet::new();
    g.bench_function("execute/verify_signatures", |b| {
        b.iter(|| ledger.execute(black_box(&ctx), black_box(&txs), &[], &none).unwrap())
    });
    g.bench_function("execute/preverified", |b| {
        b.iter(|| ledger.execute(black_box(&ctx), black_box(&txs), &[], &pre).unwrap())
    });
    g.finish();
}

fn commit(c: &mut Criterion) {
    let s = Setup::new();
    let dir = tempfile::tempdir().unwrap();
    let ledger = s.ledger(dir.path());
    let committed = Cell::new(0u64);
    let mut g = c.benchmark_group("block");
    g.sample_size(10).sampling_mode(SamplingMode::Flat).throughput(Throughput::Elements(BLOCK_TXS as u64));
    g.bench_function("commit/synced", |b| {
        b.iter_batched(
            // The next height's block, executed and certified (not timed).
            || {
                let ctx = s.context(&ledger);
                let txs = s.transfers(ctx.height);
                let ex = ledger.execute(&ctx, &txs, &[], &all_hashes(&txs)).unwrap();
                let (block, cert) = s.certify(&ledger, txs, &ex);
                (block, cert, ex)
            },
            |(block, cert, ex)| {
                ledger.commit(&block, &cert, ex).unwrap();
                committed.set(committed.get() + 1);
                block
            },
            // One at a time: each input is the block after the previous commit.
            BatchSize::PerIteration,
        )
    });
    g.finish();
    assert_eq!(ledger.height().unwrap(), committed.get(), "every iteration committed one block");
}

fn state_root(c: &mut Criterion) {
    let s = Setup::new();
    let dir = tempfile::tempdir().unwrap();
    let (values, version, expected_root) = {
        let ledger = s.ledger(dir.path());
        let state = |l: &Ledger| -> BTreeMap<Vec<u8>, Vec<u8>> {
            l.dump().unwrap().into_iter().filter(|(cf, _, _)| *cf == "state").map(|(_, k, v)| (k, v)).collect()
        };
        let before = state(&ledger);
        let ctx = s.context(&ledger);
        let txs = s.transfers(ctx.height);
        // What execution writes to the state for these transfers (written
        // even when a holding's balance nets out unchanged)...
        let mut written: HashSet<Vec<u8>> = HashSet::from([keys::meta(keys::meta::HEIGHT)]);
        for t in &txs {
            let Payload::Transfer { to, .. } = &t.tx.payload else { unreachable!() };
            written.insert(keys::account(&t.tx.signer));
            written.insert(keys::holding(CLASS.0, &t.tx.signer));
            written.insert(keys::holding(CLASS.0, to));
        }
        let ex = ledger.execute(&ctx, &txs, &[], &all_hashes(&txs)).unwrap();
        let root = ex.state_root;
        let (block, cert) = s.certify(&ledger, txs, &ex);
        ledger.commit(&block, &cert, ex).unwrap();
        let after = state(&ledger);
        // ... and anything else the block changed.
        written.extend(after.iter().filter(|(k, v)| before.get(*k) != Some(*v)).map(|(k, _)| k.clone()));
        written.extend(before.keys().filter(|k| !after.contains_key(*k)).cloned());
        let values: Vec<(KeyHash, Option<Vec<u8>>)> =
            written.iter().map(|k| (KeyHash::with::<sha2::Sha256>(k), after.get(k).cloned())).collect();
        (values, ctx.height, root)
    };
    // The ledger is closed; the same database, opened as the JMT's node store.
    let store = Store::open(dir.path()).unwrap();
    let update = |values: Vec<(KeyHash, Option<Vec<u8>>)>| {
        let (root, update) = store.tree_update(values, version).unwrap();
        let mut batch = Batch::default();
        batch.add_tree_update(&update);
        (root, batch)
    };
    // The JMT's key-by-key insertion, which `seal` used before
    // `Store::tree_update` took the batch insertion.
    let key_by_key = |values: Vec<(KeyHash, Option<Vec<u8>>)>| {
        let (root, update) = Sha256Jmt::new(&store).put_value_set(values, version).unwrap();
        let mut batch = Batch::default();
        batch.add_tree_update(&update);
        (root, batch)
    };
    assert_eq!(Hash(update(values.clone()).0 .0), expected_root, "the bench's JMT update is seal's");
    assert_eq!(Hash(key_by_key(values.clone()).0 .0), expected_root, "both insertions give one root");

    let mut g = c.benchmark_group("block");
    g.sample_size(10).throughput(Throughput::Elements(BLOCK_TXS as u64));
    g.bench_function("state_root/jmt_update", |b| {
        b.iter_batched(|| values.clone(), |v| update(black_box(v)), BatchSize::SmallInput)
    });
    g.bench_function("state_root/jmt_update_key_by_key", |b| {
        b.iter_batched(|| values.clone(), |v| key_by_key(black_box(v)), BatchSize::SmallInput)
    });
    g.finish();
}

criterion_group!(benches, execute, commit, state_root);
criterion_main!(benches);
