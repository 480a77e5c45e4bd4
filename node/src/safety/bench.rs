//! A focused micro-benchmark of what one vote costs the validator that signs
//! it (SPEC §9: the safety state is durable before the vote leaves): the
//! engine step that locks and signs a precommit on a block of 2,000 signed
//! transfers, and the write of the safety state that precedes that vote,
//! in the current format (version 2, value ids) and in the previous one
//! (version 1, the same state with the locked and valid blocks in it, as
//! the engine persisted it before it decided on ids).
//!
//! It prints sizes and times and asserts only what it measures is what the
//! driver writes; it is ignored by default (timings are not tests):
//!
//! ```text
//! cargo test --profile ci -p tamga-node --lib safety::bench -- --ignored --nocapture
//! ```

use std::time::{Duration, Instant};

use tamga_consensus::{Config, Effect, Engine, Input, Proposal, Value};
use tamga_types::{
    Block, BlockHeader, BoundedVec, ChainId, ClassId, Hash, PartyId, Payload, SignedTransaction, SigningKey,
    Transaction, Validator, ValidatorSet, Vote, VoteData, VoteKind,
};

use super::{codec, frame, FileSafetyStore, Safety, SafetyStateV1, SafetyStore};

const CHAIN: &str = "tamga-bench";
const N: usize = 4;
const TXS: usize = 2_000;
const RUNS: usize = 40;

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

/// `txs` signed transfers (never checked by the engine: they give the block its size).
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

/// Median and mean of `runs`.
fn stats(mut runs: Vec<Duration>) -> (Duration, Duration) {
    runs.sort();
    let mean = runs.iter().sum::<Duration>() / runs.len() as u32;
    (runs[runs.len() / 2], mean)
}

#[test]
#[ignore = "a measurement, run by hand (module docs)"]
fn vote_cost() {
    let set = validators();
    let value = block(&set, TXS);
    let id = value.id();
    let proposer = (0..N).find(|i| Some(key(*i).public()) == Engine::<Block>::proposer(&set, 1, 0)).unwrap();
    let me = (0..N).find(|i| *i != proposer).unwrap();
    let others: Vec<usize> = (0..N).filter(|i| *i != me).collect();
    let proposal = Proposal::sign(&key(proposer), CHAIN, 1, 0, None, value.clone());
    let prevote = |i: usize| {
        Input::Vote(Vote::sign(
            &key(i),
            CHAIN,
            VoteData { kind: VoteKind::Prevote, height: 1, round: 0, block_hash: id },
        ))
    };
    // The engine has prevoted the validated proposal; one more prevote is in.
    let setup = || {
        let mut e: Engine<Block> = Engine::new(Config::new(CHAIN), key(me));
        e.handle(Input::StartHeight { height: 1, validators: set.clone() });
        e.handle(Input::Proposal(proposal.clone()));
        e.handle(Input::ValueValidated { height: 1, round: 0, id, valid: true });
        e.handle(prevote(others[0]));
        e
    };
    // The prevote that completes the quorum: lock (L36), persist, precommit.
    let mut step = Vec::new();
    let mut state = None;
    for _ in 0..RUNS {
        let mut e = setup();
        let input = prevote(others[1]);
        let t = Instant::now();
        let fx = e.handle(input);
        step.push(t.elapsed());
        state = fx.into_iter().find_map(|x| if let Effect::PersistSafety(s) = x { Some(s) } else { None });
    }
    let v2: Safety = state.expect("the locking prevote persists before the precommit");
    assert_eq!(v2.locked, Some((0, id)));
    // The same state as the previous engine persisted it: the blocks themselves.
    let v1 = SafetyStateV1 {
        height: v2.height,
        round: v2.round,
        step: v2.step,
        locked: Some((0, value.clone())),
        valid: Some((0, value)),
        pol_votes: v2.pol_votes.clone(),
        signed_votes: v2.signed_votes.clone(),
        signed_proposals: Vec::new(),
    };
    assert_eq!(Safety::from(v1.clone()), v2, "the two formats hold the same state");
    let dir = tempfile::tempdir().unwrap();
    let mut store = FileSafetyStore::open(dir.path().join("safety.bin")).unwrap();
    // Encode and write, as `SafetyStore::store` does before each vote.
    let mut persist = |encode: &dyn Fn() -> Vec<u8>| -> (usize, (Duration, Duration)) {
        let len = encode().len();
        let runs = (0..RUNS)
            .map(|_| {
                let t = Instant::now();
                store.write_bytes(&encode()).unwrap();
                t.elapsed()
            })
            .collect();
        (len, stats(runs))
    };
    let (len1, p1) = persist(&|| frame(1, &codec::encode(&v1)));
    let (len2, p2) = persist(&|| super::encode(&v2));
    let (s_med, s_mean) = stats(step);
    println!("block: {TXS} transfers, {} bytes encoded", codec::encode(&v1.locked.as_ref().unwrap().1).len());
    println!("engine step (locking prevote -> precommit): median {s_med:?}, mean {s_mean:?}");
    println!("safety.bin v1 (previous engine's state): {len1} bytes, encode+write median {:?}, mean {:?}", p1.0, p1.1);
    println!("safety.bin v2 (value ids):              {len2} bytes, encode+write median {:?}, mean {:?}", p2.0, p2.1);
    store.store(&v2).unwrap();
    assert_eq!(store.load().unwrap(), Some(v2));
}
