//! Block-level rules: `execute` refuses malformed blocks with `BlockInvalid`
//! codes; `commit` refuses a block that is not the executed one or whose
//! certificate does not verify; evidence is recorded once (SPEC §8–§10).

use std::collections::HashSet;

use tamga_state::{BlockContext, BlockInvalid, EvidenceInvalid, StateError};
use tamga_types::*;

use crate::common::*;

fn exec_err(ch: &Chain, ctx: &BlockContext, txs: &[SignedTransaction], ev: &[Evidence]) -> &'static str {
    ch.ledger.execute(ctx, txs, ev, &HashSet::new()).unwrap_err().code()
}

#[test]
fn execute_rejects_wrong_height_time_and_proposer() {
    let mut ch = Chain::new();
    ch.block(vec![]);
    let ok = ch.ctx();
    assert_eq!(exec_err(&ch, &BlockContext { height: ok.height + 1, ..ok.clone() }, &[], &[]), "WRONG_HEIGHT");
    assert_eq!(exec_err(&ch, &BlockContext { height: ok.height - 1, ..ok.clone() }, &[], &[]), "WRONG_HEIGHT");
    assert_eq!(exec_err(&ch, &BlockContext { time_ms: ch.time, ..ok.clone() }, &[], &[]), "TIME_NOT_INCREASING");
    assert_eq!(exec_err(&ch, &BlockContext { time_ms: ch.time - 1, ..ok.clone() }, &[], &[]), "TIME_NOT_INCREASING");
    let p = ch.c.bob.public();
    assert_eq!(exec_err(&ch, &BlockContext { proposer: p, ..ok.clone() }, &[], &[]), "UNKNOWN_PROPOSER");
    // Any member may propose.
    for v in &ch.c.validators {
        ch.ledger.execute(&BlockContext { proposer: v.public(), ..ok.clone() }, &[], &[], &HashSet::new()).unwrap();
    }
}

#[test]
fn execute_rejects_wrong_chain_duplicate_and_bad_signature() {
    let mut ch = Chain::new();
    let c = ch.c.clone();
    let good = ch.tx(&c.issuer, create_class("A", None));
    let ctx = ch.ctx();
    let other = Transaction {
        chain_id: ChainId::new("other-chain").unwrap(),
        signer: c.bob.public(),
        nonce: 0,
        payload: create_class("B", None),
        memo: None,
    }
    .sign(&c.bob);
    assert_eq!(exec_err(&ch, &ctx, &[good.clone(), other], &[]), "WRONG_CHAIN_ID");
    assert_eq!(exec_err(&ch, &ctx, &[good.clone(), good.clone()], &[]), "DUPLICATE_TX");
    let mut forged = sign_tx(&c.bob, 0, create_class("B", None));
    forged.tx.signer = c.alice.public();
    match ch.ledger.execute(&ctx, &[good.clone(), forged.clone()], &[], &HashSet::new()) {
        Err(e @ tamga_state::BlockInvalid::BadSignature { index: 1, .. }) => assert_eq!(e.code(), "BAD_SIGNATURE"),
        other => panic!("expected BAD_SIGNATURE at index 1, got {other:?}"),
    }
    let mut tampered = good.clone();
    tampered.tx.nonce = 1;
    assert_eq!(exec_err(&ch, &ctx, &[tampered], &[]), "BAD_SIGNATURE");
    // A signature the caller claims to have verified is not checked again (mempool fast path).
    let pre: HashSet<Hash> = [forged.hash()].into();
    ch.ledger.execute(&ctx, &[forged], &[], &pre).unwrap();
    // A committed transaction cannot be included again.
    ch.block(vec![good.clone()]);
    assert_eq!(exec_err(&ch, &ch.ctx(), &[good], &[]), "DUPLICATE_TX");
}

/// SPEC §8: the admission size limit holds inside blocks too.
#[test]
fn execute_rejects_an_oversized_transaction() {
    let mut ch = Chain::new();
    let c = ch.c.clone();
    let long = short(&"x".repeat(limits::MAX_SHORT));
    let accounts = (0..limits::MAX_LIST as u8)
        .map(|i| {
            (key(150u8.wrapping_add(i)).public(), Some(CertificateRef { issuer: long.clone(), serial: long.clone() }))
        })
        .collect();
    let big = ch.tx(
        &c.reg,
        Payload::RegisterParty {
            kind: PartyKind::Individual,
            id_commitment: Hash::digest(b"test", b"big"),
            display_name: None,
            accounts: BoundedVec::new(accounts).unwrap(),
        },
    );
    assert!(big.encode().len() > limits::MAX_TX_BYTES);
    assert!(SignedTransaction::decode(&big.encode()).is_err(), "admission refuses it");
    let err = ch.ledger.execute(&ch.ctx(), std::slice::from_ref(&big), &[], &HashSet::new()).unwrap_err();
    assert_eq!(err.code(), "TX_TOO_LARGE");
    assert!(matches!(err, tamga_state::BlockInvalid::TxTooLarge { index: 0, tx, .. } if tx == big.hash()));
}

#[test]
fn execute_requires_genesis() {
    let l = tamga_state::Ledger::open_in_memory().unwrap();
    let ctx = BlockContext { height: 1, time_ms: T0 + 1, proposer: cast().validators[0].public() };
    assert_eq!(l.execute(&ctx, &[], &[], &HashSet::new()).unwrap_err().code(), "STORAGE");
}

#[test]
fn evidence_is_recorded_once() {
    let mut ch = Chain::new();
    let c = ch.c.clone();
    ch.block(vec![]);
    let ev = equivocation(&c.validators[1], 1);
    ch.block_with_evidence(vec![], vec![ev.clone()]);
    let recorded = ch.ledger.evidence().unwrap();
    assert_eq!(recorded.len(), 1);
    assert_eq!((recorded[0].validator, recorded[0].vote_height), (c.validators[1].public(), 1));
    let ctx = ch.ctx();
    assert_eq!(exec_err(&ch, &ctx, &[], std::slice::from_ref(&ev)), "DUPLICATE_EVIDENCE");
    let ev2 = equivocation(&c.validators[2], 1);
    assert_eq!(exec_err(&ch, &ctx, &[], &[ev2.clone(), ev2]), "DUPLICATE_EVIDENCE");
    // Not conflicting, by a non-validator, from the future, badly signed.
    let Evidence::DoubleVote(dv) = &ev else { panic!("a double vote") };
    let same = Evidence::DoubleVote(DoubleVote { a: dv.a.clone(), b: dv.a.clone() });
    assert_eq!(exec_err(&ch, &ctx, &[], &[same]), "BAD_EVIDENCE");
    assert_eq!(exec_err(&ch, &ctx, &[], &[equivocation(&c.bob, 1)]), "BAD_EVIDENCE");
    assert_eq!(exec_err(&ch, &ctx, &[], &[equivocation(&c.validators[0], ctx.height + 1)]), "BAD_EVIDENCE");
    let Evidence::DoubleVote(mut bad) = equivocation(&c.validators[3], 1) else { panic!("a double vote") };
    bad.b.signature = bad.a.signature;
    assert_eq!(exec_err(&ch, &ctx, &[], &[Evidence::DoubleVote(bad)]), "BAD_EVIDENCE");
}

fn evidence_err(ch: &Chain, ctx: &BlockContext, ev: DoubleProposal) -> EvidenceInvalid {
    match ch.ledger.execute(ctx, &[], &[Evidence::DoubleProposal(ev)], &HashSet::new()) {
        Err(BlockInvalid::BadEvidence { index: 0, why }) => why,
        other => panic!("expected BAD_EVIDENCE, got {other:?}"),
    }
}

/// SPEC §9: two proposals signed by one proposer for one height and round
/// are recorded like double votes, and every malformed variant is refused
/// with the reason.
#[test]
fn proposal_evidence_is_verified_and_recorded() {
    let mut ch = Chain::new();
    let c = ch.c.clone();
    ch.block(vec![]);
    let ctx = ch.ctx();
    let v = &c.validators[2];
    // Forged: the second proposal carries another key's signature.
    let mut forged = double_proposal(v, 1);
    forged.b.signature = double_proposal(&c.validators[0], 1).b.signature;
    assert_eq!(
        evidence_err(&ch, &ctx, forged),
        EvidenceInvalid::Proof(EvidenceError::Signature(CertificateError::BadSignature(v.public())))
    );
    // Mismatched: different rounds, different proposers.
    let mut rounds = double_proposal(v, 1);
    rounds.b = double_proposal_at(v, 1, 2).b;
    assert_eq!(
        evidence_err(&ch, &ctx, rounds),
        EvidenceInvalid::Proof(EvidenceError::DifferentSlot { a: (1, 1), b: (1, 2) })
    );
    let mut signers = double_proposal(v, 1);
    signers.b = double_proposal(&c.validators[3], 1).b;
    assert_eq!(
        evidence_err(&ch, &ctx, signers),
        EvidenceInvalid::Proof(EvidenceError::DifferentSigners { a: v.public(), b: c.validators[3].public() })
    );
    // The same proposal twice proves nothing.
    let mut same = double_proposal(v, 1);
    same.b = same.a.clone();
    assert_eq!(
        evidence_err(&ch, &ctx, same.clone()),
        EvidenceInvalid::Proof(EvidenceError::SameContent { block_hash: same.a.data.value_id })
    );
    // A non-validator, and a height above the block's.
    assert_eq!(
        evidence_err(&ch, &ctx, double_proposal(&c.bob, 1)),
        EvidenceInvalid::NotAValidator { validator: c.bob.public(), height: 1 }
    );
    assert_eq!(
        evidence_err(&ch, &ctx, double_proposal(v, ctx.height + 1)),
        EvidenceInvalid::FromTheFuture { height: ctx.height + 1, block_height: ctx.height }
    );
    // Valid: recorded once, naming the proposer, with the evidence itself.
    let ev = Evidence::DoubleProposal(double_proposal(v, 1));
    ch.block_with_evidence(vec![], vec![ev.clone()]);
    let recorded = ch.ledger.evidence().unwrap();
    assert_eq!(recorded.len(), 1);
    let r = &recorded[0];
    assert_eq!((r.id, r.validator, r.vote_height, r.vote_round, &r.evidence), (ev.id(), v.public(), 1, 1, &ev));
    let ctx = ch.ctx();
    assert_eq!(exec_err(&ch, &ctx, &[], &[ev]), "DUPLICATE_EVIDENCE");
}

/// Executes a one-tx block and returns it with a valid certificate, uncommitted.
fn pending(ch: &mut Chain) -> (tamga_state::ExecutedBlock, Block, Certificate) {
    let c = ch.c.clone();
    let t = ch.tx(&c.issuer, create_class("A", None));
    let ex = ch.execute(std::slice::from_ref(&t));
    let block = Block { header: ex.header(0), txs: BoundedVec::new(vec![t]).unwrap(), evidence: Default::default() };
    let cert = certify(&ch.ledger, &c.validators, &block);
    (ex, block, cert)
}

fn commit_err(ch: &Chain, ex: &tamga_state::ExecutedBlock, block: &Block, cert: &Certificate) -> StateError {
    let before = ch.ledger.dump().unwrap();
    let err = ch.ledger.commit(block, cert, ex.clone()).unwrap_err();
    assert_eq!(ch.ledger.dump().unwrap(), before, "a refused commit writes nothing");
    assert_eq!(ch.ledger.height().unwrap(), ex.height - 1);
    err
}

#[test]
fn commit_rejects_a_header_that_is_not_the_executed_one() {
    let mut ch = Chain::new();
    ch.block(vec![]);
    let (ex, block, _) = pending(&mut ch);
    let vs = ch.c.validators.clone();
    type Tweak = Box<dyn Fn(&mut Block)>;
    let tweaks: Vec<(&str, Tweak)> = vec![
        ("state root", Box::new(|b| b.header.state_root = Hash::digest(b"x", b"1"))),
        ("height", Box::new(|b| b.header.height += 1)),
        ("time", Box::new(|b| b.header.time_ms += 1)),
        ("proposer", Box::new(|b| b.header.proposer = cast().validators[3].public())),
        ("parent", Box::new(|b| b.header.parent_hash = Hash::digest(b"x", b"2"))),
        ("chain id", Box::new(|b| b.header.chain_id = ChainId::new("other").unwrap())),
        ("validators", Box::new(|b| b.header.validators_hash = Hash::digest(b"x", b"3"))),
        ("next validators", Box::new(|b| b.header.next_validators_hash = Hash::digest(b"x", b"4"))),
        ("tx root", Box::new(|b| b.header.tx_root = Hash::digest(b"x", b"5"))),
        ("evidence root", Box::new(|b| b.header.evidence_root = Hash::digest(b"x", b"6"))),
        ("receipts root", Box::new(|b| b.header.receipts_root = Hash::digest(b"x", b"7"))),
        ("txs", Box::new(|b| b.txs = Default::default())),
        (
            "evidence",
            Box::new(|b| {
                b.evidence = BoundedVec::new(vec![equivocation(&cast().validators[0], 1)]).unwrap();
                b.header.evidence_root = Block::compute_evidence_root(&b.evidence);
            }),
        ),
    ];
    for (what, tweak) in tweaks {
        let mut b = block.clone();
        tweak(&mut b);
        if b.header.proposer == block.header.proposer && what == "proposer" {
            b.header.proposer = cast().validators[2].public();
        }
        // Certified by everyone: the header itself is what is wrong.
        let cert = certify(&ch.ledger, &vs, &b);
        let err = commit_err(&ch, &ex, &b, &cert);
        assert!(matches!(err, StateError::CommitMismatch(_)), "{what}: {err}");
    }
    // The untouched block commits.
    let cert = certify(&ch.ledger, &vs, &block);
    ch.ledger.commit(&block, &cert, ex).unwrap();
    assert_eq!(ch.ledger.last_block_hash().unwrap(), block.hash());
    assert_eq!(ch.ledger.block(block.header.height).unwrap(), Some(block.clone()));
    assert_eq!(ch.ledger.certificate(block.header.height).unwrap(), Some(cert));
}

#[test]
fn commit_rejects_a_certificate_that_does_not_verify() {
    let mut ch = Chain::new();
    let (ex, block, good) = pending(&mut ch);
    let vs = ch.c.validators.clone();
    let set = ch.ledger.validators_at(1).unwrap();
    let data = good.data.clone();
    let votes = |keys: &[SigningKey], d: &VoteData| -> Vec<Vote> {
        keys.iter().map(|k| Vote::sign(k, CHAIN, d.clone())).collect()
    };
    // Two of four: no quorum.
    let two = Certificate::from_votes(data.clone(), &set, &votes(&vs[..2], &data));
    // Three of four is a quorum (30 > 2/3 of 40) — checked below as the positive case.
    let three = Certificate::from_votes(data.clone(), &set, &votes(&vs[..3], &data));
    // Another block's hash, a prevote, another height, another chain, a forged signature, outsiders.
    let other = VoteData { block_hash: Hash::digest(b"x", b"7"), ..data.clone() };
    let wrong_block = Certificate::from_votes(other.clone(), &set, &votes(&vs, &other));
    let pre = VoteData { kind: VoteKind::Prevote, ..data.clone() };
    let prevote = Certificate::from_votes(pre.clone(), &set, &votes(&vs, &pre));
    let h2 = VoteData { height: 2, ..data.clone() };
    let wrong_height = Certificate::from_votes(h2.clone(), &set, &votes(&vs, &h2));
    let other_chain = Certificate::from_votes(
        data.clone(),
        &set,
        &vs.iter().map(|k| Vote::sign(k, "other-chain", data.clone())).collect::<Vec<_>>(),
    );
    let mut forged = good.clone();
    let mut sigs = forged.signatures.clone().into_inner();
    sigs[1].1 = sigs[0].1;
    forged.signatures = BoundedVec::new(sigs).unwrap();
    let mut repeated = good.clone();
    let sigs = good.signatures.clone().into_inner();
    repeated.signatures = BoundedVec::new(vec![sigs[0], sigs[0], sigs[0]]).unwrap();
    let outsiders = Certificate::from_votes(data.clone(), &set, &votes(&[key(120), key(121), key(122)], &data));
    for (what, cert) in [
        ("two of four", two),
        ("wrong block", wrong_block),
        ("prevote", prevote),
        ("wrong height", wrong_height),
        ("other chain", other_chain),
        ("forged", forged),
        ("repeated signer", repeated),
        ("outsiders", outsiders),
    ] {
        let err = commit_err(&ch, &ex, &block, &cert);
        assert!(matches!(err, StateError::Certificate { .. }), "{what}: {err}");
    }
    ch.ledger.commit(&block, &three, ex).unwrap();
    assert_eq!(ch.ledger.height().unwrap(), 1);
}

#[test]
fn commit_rejects_a_stale_execution() {
    let mut ch = Chain::new();
    let (ex, block, cert) = pending(&mut ch);
    ch.ledger.commit(&block, &cert, ex.clone()).unwrap();
    // The same execution cannot be committed twice.
    let err = ch.ledger.commit(&block, &cert, ex).unwrap_err();
    assert!(matches!(err, StateError::CommitMismatch(_)), "{err}");
    assert_eq!(ch.ledger.height().unwrap(), 1);
}

/// SPEC §10: the header's `receipts_root` is the Merkle root of the receipts
/// the block stores, failed ones included, so the certificate certifies every
/// outcome and event; an empty block's is `ZERO`.
#[test]
fn receipts_root_commits_to_the_stored_receipts() {
    let mut ch = Chain::new();
    let c = ch.c.clone();
    ch.block(vec![]);
    assert_eq!(ch.ledger.block(1).unwrap().unwrap().header.receipts_root, Hash::ZERO);
    let ok = ch.tx(&c.issuer, create_class("A", None));
    // A second class with the same symbol fails: its receipt is in the root too.
    let failing = ch.tx(&c.issuer, create_class("A", None));
    ch.block(vec![ok, failing]);
    let header = ch.ledger.block(2).unwrap().unwrap().header;
    let receipts = ch.ledger.receipts(2).unwrap();
    assert_eq!(receipts.len(), 2);
    assert!(receipts[0].is_success() && !receipts[1].is_success(), "{receipts:?}");
    assert_eq!(header.receipts_root, Receipt::compute_root(&receipts));
    let mut altered = receipts.clone();
    altered[1].outcome = TxOutcome::Success;
    assert_ne!(header.receipts_root, Receipt::compute_root(&altered));
}
