//! Micro-benchmarks of the consensus engine's vote handling,
//! driven only through the public API, as the tests in `consensus/tests/it`
//! drive it: [`Engine::handle`] fed `Input::StartHeight`, a signed
//! `Input::Proposal`, `Input::ValueValidated` and signed `Input::Vote`s.
//!
//! Four validators of equal power (quorum 3), the engine is a validator that
//! is not the proposer of height 1, round 0, and the value is a
//! [`tamga_types::Block`] as in the node (`Engine<Block>`). Each benchmark runs
//! for three block bodies, `empty`, `2000tx` and `5000tx` (2,000 and 5,000
//! signed transfers): the
//! engine only looks at the value's id (the header hash) but clones values
//! into its effects and persisted state, so the body size shows what those
//! clones cost.
//!
//! * `vote/prevote/{body}` — one prevote from another validator that does not
//!   complete a quorum: admission, duplicate check, signature verification,
//!   tally and one pass over the rules that fire nothing.
//! * `vote/deciding_precommit/{body}` — the precommit that completes the
//!   commit quorum: the same, plus the decision (L49) with its commit
//!   certificate and the `Commit` effect.
//! * `round/quorum/{body}` — the four votes from the other validators that
//!   complete a round after the engine has prevoted the proposal: two
//!   prevotes (the second makes the quorum: lock, persist, precommit — one
//!   signature) and two precommits (the second decides). Throughput is per
//!   vote received.
//!
//! Every iteration starts from a freshly built engine (built outside the
//! timed section; the engine is not `Clone`), and the effects are dropped
//! outside it too.
//!
//! Run:
//!
//! ```text
//! cargo bench -p tamga-consensus --bench engine --profile ci
//! cargo bench -p tamga-consensus --bench engine --profile ci -- --warm-up-time 1 --measurement-time 3
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, SamplingMode, Throughput};
use tamga_consensus::{Config, Effect, Engine, Input, Proposal, Value};
use tamga_types::{
    Block, BlockHeader, BoundedVec, ChainId, ClassId, Hash, PartyId, Payload, SignedTransaction, SigningKey,
    Transaction, Validator, ValidatorSet, Vote, VoteData, VoteKind,
};

const CHAIN: &str = "tamga-bench";
const N: usize = 4;

fn key(i: usize) -> SigningKey {
    let mut seed = [0u8; 32];
    seed[..8].copy_from_slice(&(i as u64).to_be_bytes());
    seed[31] = 0xc5;
    SigningKey::from_seed(seed)
}

fn validators() -> ValidatorSet {
    ValidatorSet::new(
        (0..N)
            .map(|i| Validator {
                key: key(i).public(),
                power: 1,
                operator: PartyId(1 + i as u64),
                p2p_key: key(i).public(),
            })
            .collect(),
    )
    .unwrap()
}

/// `txs` signed transfers between distinct holders (their signatures are
/// never checked by the engine: they only make the value realistic in size).
fn block(set: &ValidatorSet, txs: usize) -> Block {
    let holders: Vec<SigningKey> = (0..txs.min(1000)).map(|i| key(1_000 + i)).collect();
    let txs: Vec<SignedTransaction> = (0..txs)
        .map(|i| {
            let k = &holders[i % holders.len()];
            Transaction {
                chain_id: ChainId::new(CHAIN).unwrap(),
                signer: k.public(),
                nonce: (i / holders.len()) as u64,
                payload: Payload::Transfer {
                    class: ClassId(1),
                    to: holders[(i + 1) % holders.len()].public(),
                    amount: 1,
                },
                memo: None,
            }
            .sign(k)
        })
        .collect();
    let tx_hashes: Vec<Hash> = txs.iter().map(SignedTransaction::hash).collect();
    let proposer = Engine::<Block>::proposer(set, 1, 0).unwrap();
    Block {
        header: BlockHeader {
            chain_id: ChainId::new(CHAIN).unwrap(),
            height: 1,
            round: 0,
            time_ms: 1_767_225_600_000,
            parent_hash: Hash::ZERO,
            proposer,
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

/// Everything one scenario needs, signed once.
struct Fixture {
    set: ValidatorSet,
    me: usize,
    /// The other validators, in the order their votes are fed.
    others: Vec<usize>,
    proposal: Proposal<Block>,
    id: Hash,
}

impl Fixture {
    fn new(txs: usize) -> Fixture {
        let set = validators();
        let value = block(&set, txs);
        let proposer_key = Engine::<Block>::proposer(&set, 1, 0).unwrap();
        let proposer = (0..N).find(|i| key(*i).public() == proposer_key).unwrap();
        let me = (0..N).find(|i| *i != proposer).unwrap();
        let others = (0..N).filter(|i| *i != me).collect();
        let id = value.id();
        let proposal = Proposal::sign(&key(proposer), CHAIN, 1, 0, None, value);
        Fixture { set, me, others, proposal, id }
    }

    fn vote(&self, i: usize, kind: VoteKind) -> Input<Block> {
        Input::Vote(Vote::sign(&key(i), CHAIN, VoteData { kind, height: 1, round: 0, block_hash: self.id }))
    }

    /// An engine at height 1, round 0 that has received and validated the
    /// proposal and broadcast its own prevote for it (L22).
    fn prevoted(&self) -> Engine<Block> {
        let mut e = Engine::new(Config::new(CHAIN), key(self.me));
        e.handle(Input::StartHeight { height: 1, validators: self.set.clone() });
        e.handle(Input::Proposal(self.proposal.clone()));
        let fx = e.handle(Input::ValueValidated { height: 1, round: 0, id: self.id, valid: true });
        assert!(fx.iter().any(|x| matches!(x, Effect::Broadcast(_))), "the engine prevotes the valid proposal");
        e
    }
}

/// True if the effects decide height 1.
fn commits(fx: &[Effect<Block>]) -> bool {
    fx.iter().any(|x| matches!(x, Effect::Commit { height: 1, .. }))
}

fn votes(c: &mut Criterion) {
    let mut g = c.benchmark_group("vote");
    // Flat: the 5,000-transaction variants take milliseconds per iteration.
    g.sampling_mode(SamplingMode::Flat);
    for (name, txs) in [("empty", 0), ("2000tx", 2_000), ("5000tx", 5_000)] {
        let f = Fixture::new(txs);
        let (a, b, d) = (f.others[0], f.others[1], f.others[2]);
        g.throughput(Throughput::Elements(1));

        let prevote = f.vote(a, VoteKind::Prevote);
        let fx = f.prevoted().handle(prevote.clone());
        assert!(fx.is_empty(), "a second prevote of three fires no rule: {fx:?}");
        g.bench_function(BenchmarkId::new("prevote", name), |bench| {
            bench.iter_batched_ref(
                || (f.prevoted(), Some(prevote.clone())),
                |(e, v)| e.handle(v.take().unwrap()),
                BatchSize::PerIteration,
            )
        });

        // Locked and precommitted after two prevotes; one precommit of another
        // validator in; the next one completes the quorum of three.
        let setup = || {
            let mut e = f.prevoted();
            e.handle(f.vote(a, VoteKind::Prevote));
            e.handle(f.vote(b, VoteKind::Prevote));
            assert_eq!(e.locked().map(|l| l.0), Some(0));
            assert!(!commits(&e.handle(f.vote(a, VoteKind::Precommit))));
            e
        };
        let deciding = f.vote(d, VoteKind::Precommit);
        assert!(commits(&setup().handle(deciding.clone())), "the third precommit decides");
        g.bench_function(BenchmarkId::new("deciding_precommit", name), |bench| {
            bench.iter_batched_ref(
                || (setup(), Some(deciding.clone())),
                |(e, v)| e.handle(v.take().unwrap()),
                BatchSize::PerIteration,
            )
        });
    }
    g.finish();
}

fn round(c: &mut Criterion) {
    let mut g = c.benchmark_group("round");
    g.sampling_mode(SamplingMode::Flat);
    for (name, txs) in [("empty", 0), ("2000tx", 2_000), ("5000tx", 5_000)] {
        let f = Fixture::new(txs);
        let (a, b) = (f.others[0], f.others[1]);
        let inputs: Vec<Input<Block>> = vec![
            f.vote(a, VoteKind::Prevote),
            f.vote(b, VoteKind::Prevote),
            f.vote(a, VoteKind::Precommit),
            f.vote(b, VoteKind::Precommit),
        ];
        let run = |e: &mut Engine<Block>, inputs: &mut Vec<Input<Block>>| -> Vec<Vec<Effect<Block>>> {
            inputs.drain(..).map(|i| e.handle(black_box(i))).collect()
        };
        let fx = run(&mut f.prevoted(), &mut inputs.clone());
        assert!(fx.last().is_some_and(|fx| commits(fx)), "the fourth vote decides");
        g.throughput(Throughput::Elements(inputs.len() as u64));
        g.bench_function(BenchmarkId::new("quorum", name), |bench| {
            bench.iter_batched_ref(
                || (f.prevoted(), inputs.clone()),
                |(e, inputs)| run(e, inputs),
                BatchSize::PerIteration,
            )
        });
    }
    g.finish();
}

criterion_group!(benches, votes, round);
criterion_main!(benches);
