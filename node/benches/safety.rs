//! What one vote costs the validator that signs it: the engine step that
//! signs and the durable write of the safety state that must precede the
//! vote on the wire (SPEC §9; `tamga_node::safety`, `tamga_node::driver`).
//!
//! Four validators of equal power; the engine is not the proposer of height 1,
//! round 0; the value is a [`Block`] of 2,000 signed transfers, as the node
//! decides. The engine has received and validated the proposal and prevoted
//! it, and one more prevote is in.
//!
//! * `vote/locking_prevote/2000tx` — the prevote that completes the quorum:
//!   the engine locks (L36), builds the state to persist and signs its
//!   precommit (`Engine::handle`, no I/O).
//! * `vote/persist/2000tx` — writing the state that precommit carries to
//!   `safety.bin` with [`FileSafetyStore`] (truncate, write, fsync, rename,
//!   fsync of the directory), as the driver does before sending the vote.
//!
//! The size of that file is printed once (`safety.bin per vote: N bytes`).
//!
//! ```text
//! cargo bench -p tamga-node --bench safety --profile ci -- --warm-up-time 1 --measurement-time 5
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, SamplingMode};
use tamga_consensus::{Config, Effect, Engine, Input, Proposal, Value};
use tamga_node::safety::{encode, FileSafetyStore, SafetyStore};
use tamga_types::{
    Block, BlockHeader, BoundedVec, ChainId, ClassId, Hash, PartyId, Payload, SignedTransaction, SigningKey,
    Transaction, Validator, ValidatorSet, Vote, VoteData, VoteKind,
};

const CHAIN: &str = "tamga-bench";
const N: usize = 4;
const TXS: usize = 2_000;

fn key(i: usize) -> SigningKey {
    let mut seed = [0u8; 32];
    seed[..8].copy_from_slice(&(i as u64).to_be_bytes());
    seed[31] = 0xc5;
    SigningKey::from_seed(seed)
}

fn validators() -> ValidatorSet {
    ValidatorSet::new(
        (0..N).map(|i| Validator { key: key(i).public(), power: 1, operator: PartyId(1 + i as u64) }).collect(),
    )
    .unwrap()
}

/// `txs` signed transfers (never checked by the engine: they give the value its size).
fn block(set: &ValidatorSet, txs: usize) -> Block {
    let holders: Vec<SigningKey> = (0..txs.min(1000)).map(|i| key(1_000 + i)).collect();
    let txs: Vec<SignedTransaction> = (0..txs)
        .map(|i| {
            let k = &holders[i % holders.len()];
            Transaction {
                chain_id: ChainId::new(CHAIN).unwrap(),
                signer: k.public(),
                nonce: (i / holders.len()) as u64,
                payload: Payload::Transfer { class: ClassId(1), to: holders[(i + 1) % holders.len()].public(), amount: 1 },
                memo: None,
            }
            .sign(k)
        })
        .collect();
    let tx_hashes: Vec<Hash> = txs.iter().map(SignedTransaction::hash).collect();
    Block {
        header: BlockHeader {
            chain_id: ChainId::new(CHAIN).unwrap(),
            height: 1,
            round: 0,
            time_ms: 1_767_225_600_000,
            parent_hash: Hash::ZERO,
            proposer: Engine::<Block>::proposer(set, 1, 0).unwrap(),
            tx_root: tamga_types::merkle_root(&tx_hashes),
            evidence_root: Block::compute_evidence_root(&[]),
            state_root: Hash::digest(b"bench", b"state"),
            receipts_root: Hash::digest(b"bench", b"receipts"),
            validators_hash: set.hash(),
            next_validators_hash: set.hash(),
        },
        txs: BoundedVec::new(txs).unwrap(),
        evidence: BoundedVec::default(),
    }
}

fn bench(c: &mut Criterion) {
    let set = validators();
    let value = block(&set, TXS);
    let id = value.id();
    let proposer_key = Engine::<Block>::proposer(&set, 1, 0).unwrap();
    let proposer = (0..N).find(|i| key(*i).public() == proposer_key).unwrap();
    let me = (0..N).find(|i| *i != proposer).unwrap();
    let others: Vec<usize> = (0..N).filter(|i| *i != me).collect();
    let proposal = Proposal::sign(&key(proposer), CHAIN, 1, 0, None, value);
    let vote = |i: usize| {
        Input::Vote(Vote::sign(&key(i), CHAIN, VoteData { kind: VoteKind::Prevote, height: 1, round: 0, block_hash: id }))
    };
    let setup = || {
        let mut e: Engine<Block> = Engine::new(Config::new(CHAIN), key(me));
        e.handle(Input::StartHeight { height: 1, validators: set.clone() });
        e.handle(Input::Proposal(proposal.clone()));
        e.handle(Input::ValueValidated { height: 1, round: 0, id, valid: true });
        e.handle(vote(others[0]));
        e
    };
    let locking = vote(others[1]);
    let fx = setup().handle(locking.clone());
    let state = fx
        .into_iter()
        .find_map(|x| if let Effect::PersistSafety(s) = x { Some(s) } else { None })
        .expect("the locking prevote persists before the precommit");
    println!("safety.bin per vote: {} bytes", encode(&state).len());

    let mut g = c.benchmark_group("vote");
    g.sampling_mode(SamplingMode::Flat);
    g.bench_function("locking_prevote/2000tx", |b| {
        b.iter_batched_ref(
            || (setup(), Some(locking.clone())),
            |(e, v)| e.handle(v.take().unwrap()),
            BatchSize::PerIteration,
        )
    });
    let dir = tempfile::tempdir().unwrap();
    let mut store = FileSafetyStore::open(dir.path().join("safety.bin")).unwrap();
    g.bench_function("persist/2000tx", |b| b.iter(|| store.store(&state).unwrap()));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
