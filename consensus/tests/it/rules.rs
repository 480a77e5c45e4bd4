//! Unit tests of single rules of Algorithm 1 on one engine with n = 4
//! (quorum 3, f + 1 = 2), each feeding hand-made signed messages.

use tamga_consensus::{
    ConsensusError, Effect, Engine, Input, Message, Proposal, SafetyState, Step, TimeoutKind, Value,
};
use tamga_types::{Certificate, Hash, Height, Round, ValidatorSet, Vote, VoteData, VoteKind};

use crate::sim::{key, set_of, sim_config, TestValue, CHAIN};

fn set4() -> ValidatorSet {
    set_of(&[0, 1, 2, 3])
}

/// Sim node id of the proposer of (h, r).
fn proposer(h: Height, r: Round) -> usize {
    let k = Engine::<TestValue>::proposer(&set4(), h, r).unwrap();
    (0..4).find(|i| key(*i).public() == k).unwrap()
}

fn value(h: Height, r: Round, salt: u64) -> TestValue {
    TestValue { height: h, round: r, proposer: 0, salt, valid: true }
}

fn vote(i: usize, kind: VoteKind, h: Height, r: Round, id: Hash) -> Input<TestValue> {
    Input::Vote(Vote::sign(&key(i), CHAIN, VoteData { kind, height: h, round: r, block_hash: id }))
}

fn proposal(h: Height, r: Round, pol: Option<Round>, v: TestValue) -> Input<TestValue> {
    Input::Proposal(Proposal::sign(&key(proposer(h, r)), CHAIN, h, r, pol, v))
}

/// A node that is not the proposer of rounds 0..=2 at height 1.
fn me() -> usize {
    (0..4).find(|i| ![proposer(1, 0), proposer(1, 1), proposer(1, 2)].contains(i)).unwrap()
}

fn others(me: usize) -> Vec<usize> {
    (0..4).filter(|i| *i != me).collect()
}

fn started(me: usize) -> Engine<TestValue> {
    let mut e = Engine::new(sim_config(), key(me));
    e.handle(Input::StartHeight { height: 1, validators: set4() });
    e
}

fn voted(fx: &[Effect<TestValue>], kind: VoteKind) -> Option<Hash> {
    fx.iter().find_map(|e| match e {
        Effect::Broadcast(Message::Vote(v)) if v.data.kind == kind => Some(v.data.block_hash),
        _ => None,
    })
}

/// Every broadcast of a fresh signature is preceded by a PersistSafety that contains it.
fn assert_persist_before_send(fx: &[Effect<TestValue>]) {
    let mut persisted: Option<&SafetyState> = None;
    for e in fx {
        match e {
            Effect::PersistSafety(s) => persisted = Some(s),
            Effect::Broadcast(Message::Vote(v)) => {
                let s = persisted.expect("vote sent before any PersistSafety");
                assert!(s.signed_votes.contains(v), "sent vote is not in the persisted state");
            }
            Effect::Broadcast(Message::Proposal(p)) => {
                let s = persisted.expect("proposal sent before any PersistSafety");
                assert!(s.signed_proposals.contains(&p.signed_data()), "sent proposal is not in the persisted state");
            }
            _ => {}
        }
    }
}

/// Validates the value and returns the effects.
fn deliver_valid_proposal(
    e: &mut Engine<TestValue>,
    r: Round,
    pol: Option<Round>,
    v: &TestValue,
) -> Vec<Effect<TestValue>> {
    let fx = e.handle(proposal(1, r, pol, v.clone()));
    assert!(fx.iter().any(|x| matches!(x, Effect::ValidateValue { .. })) || e.step() != Step::Propose || pol.is_some());
    e.handle(Input::ValueValidated { height: 1, round: r, id: v.id(), valid: true })
}

#[test]
fn proposer_builds_persists_then_broadcasts_and_prevotes_own_value() {
    let p = proposer(1, 0);
    let mut e = Engine::new(sim_config(), key(p));
    let fx = e.handle(Input::StartHeight { height: 1, validators: set4() });
    assert!(matches!(fx[0], Effect::BuildProposal { height: 1, round: 0 }));
    let v = value(1, 0, 1);
    let fx = e.handle(Input::ProposalBuilt { height: 1, round: 0, value: v.clone() });
    assert_persist_before_send(&fx);
    assert!(fx.iter().any(|x| matches!(x, Effect::Broadcast(Message::Proposal(q)) if q.value == v)));
    // L22: the proposer prevotes its own (valid) value.
    assert_eq!(voted(&fx, VoteKind::Prevote), Some(v.id()));
}

#[test]
fn l22_prevote_valid_then_l36_lock_and_precommit() {
    let me = me();
    let mut e = started(me);
    let v = value(1, 0, 7);
    let fx = deliver_valid_proposal(&mut e, 0, None, &v);
    assert_persist_before_send(&fx);
    assert_eq!(voted(&fx, VoteKind::Prevote), Some(v.id()));
    let o = others(me);
    assert!(voted(&e.handle(vote(o[0], VoteKind::Prevote, 1, 0, v.id())), VoteKind::Precommit).is_none());
    let fx = e.handle(vote(o[1], VoteKind::Prevote, 1, 0, v.id()));
    assert_persist_before_send(&fx);
    assert_eq!(voted(&fx, VoteKind::Precommit), Some(v.id()));
    assert_eq!(e.locked().map(|l| l.0), Some(0));
    assert_eq!(e.valid(), Some((0, v.id())));
    // The lock is in the persisted state that precedes the precommit: the
    // value's id, never its body.
    let s = fx.iter().find_map(|x| if let Effect::PersistSafety(s) = x { Some(s) } else { None }).unwrap();
    assert_eq!(s.locked, Some((0, v.id())));
    assert_eq!(s.valid, Some((0, v.id())));
}

#[test]
fn l22_invalid_value_gets_nil_prevote() {
    let me = me();
    let mut e = started(me);
    let v = value(1, 0, 7);
    e.handle(proposal(1, 0, None, v.clone()));
    let fx = e.handle(Input::ValueValidated { height: 1, round: 0, id: v.id(), valid: false });
    assert_eq!(voted(&fx, VoteKind::Prevote), Some(Hash::ZERO));
}

/// Deviation from L57: a proposal received before `timeoutPropose` is not
/// prevoted nil because its validation (the host's execution) is slow; the
/// prevote waits for the validation result.
#[test]
fn propose_timeout_waits_for_a_pending_validation() {
    let me = me();
    let v = value(1, 0, 7);
    // Valid after the timeout: the prevote is for v.
    let mut e = started(me);
    e.handle(proposal(1, 0, None, v.clone()));
    let fx = e.handle(Input::TimeoutElapsed { height: 1, round: 0, step: TimeoutKind::Propose });
    assert_eq!(voted(&fx, VoteKind::Prevote), None, "no nil prevote while the proposal is being validated");
    let fx = e.handle(Input::ValueValidated { height: 1, round: 0, id: v.id(), valid: true });
    assert_eq!(voted(&fx, VoteKind::Prevote), Some(v.id()));
    // Invalid after the timeout: nil.
    let mut e = started(me);
    e.handle(proposal(1, 0, None, v.clone()));
    e.handle(Input::TimeoutElapsed { height: 1, round: 0, step: TimeoutKind::Propose });
    let fx = e.handle(Input::ValueValidated { height: 1, round: 0, id: v.id(), valid: false });
    assert_eq!(voted(&fx, VoteKind::Prevote), Some(Hash::ZERO));
    // No proposal at all: the timeout prevotes nil at once (L57).
    let mut e = started(me);
    let fx = e.handle(Input::TimeoutElapsed { height: 1, round: 0, step: TimeoutKind::Propose });
    assert_eq!(voted(&fx, VoteKind::Prevote), Some(Hash::ZERO));
    // A re-proposal (L28) validated after the timeout but without its proof of lock: nil.
    let mut e = started(me);
    let o = others(me);
    for i in [o[0], o[1]] {
        e.handle(vote(i, VoteKind::Precommit, 1, 1, Hash::ZERO));
    }
    assert_eq!(e.round(), 1);
    e.handle(proposal(1, 1, Some(0), v.clone()));
    e.handle(Input::TimeoutElapsed { height: 1, round: 1, step: TimeoutKind::Propose });
    let fx = e.handle(Input::ValueValidated { height: 1, round: 1, id: v.id(), valid: true });
    assert_eq!(voted(&fx, VoteKind::Prevote), Some(Hash::ZERO), "L28 needs 2f+1 prevotes of round 0");
}

/// Locks `me` on `v` in round 0 and moves it to round `to` via the f+1 rule.
fn locked_engine(me: usize, v: &TestValue, to: Round) -> Engine<TestValue> {
    let mut e = started(me);
    deliver_valid_proposal(&mut e, 0, None, v);
    let o = others(me);
    e.handle(vote(o[0], VoteKind::Prevote, 1, 0, v.id()));
    e.handle(vote(o[1], VoteKind::Prevote, 1, 0, v.id()));
    assert_eq!(e.locked().map(|l| l.0), Some(0));
    // L55: f+1 = 2 validators speak in round `to`.
    e.handle(vote(o[0], VoteKind::Precommit, 1, to, Hash::ZERO));
    assert_eq!(e.round(), 0, "one validator is not enough to skip");
    e.handle(vote(o[1], VoteKind::Precommit, 1, to, Hash::ZERO));
    assert_eq!(e.round(), to);
    e
}

#[test]
fn locked_validator_prevotes_nil_for_another_value() {
    let me = me();
    let v = value(1, 0, 7);
    let mut e = locked_engine(me, &v, 1);
    let w = value(1, 1, 8);
    let fx = deliver_valid_proposal(&mut e, 1, None, &w);
    assert_eq!(voted(&fx, VoteKind::Prevote), Some(Hash::ZERO));
}

#[test]
fn locked_validator_prevotes_its_locked_value_again() {
    let me = me();
    let v = value(1, 0, 7);
    let mut e = locked_engine(me, &v, 1);
    let fx = e.handle(proposal(1, 1, None, v.clone()));
    assert_eq!(voted(&fx, VoteKind::Prevote), Some(v.id()));
}

#[test]
fn l28_pol_of_a_later_round_unlocks() {
    let me = me();
    let v = value(1, 0, 7);
    let mut e = locked_engine(me, &v, 2);
    let w = value(1, 1, 8);
    // Re-proposal of w with pol_round 1: without the POL nothing happens yet.
    let fx = deliver_valid_proposal(&mut e, 2, Some(1), &w);
    assert_eq!(voted(&fx, VoteKind::Prevote), None);
    let o = others(me);
    e.handle(vote(o[0], VoteKind::Prevote, 1, 1, w.id()));
    e.handle(vote(o[1], VoteKind::Prevote, 1, 1, w.id()));
    let fx = e.handle(vote(o[2], VoteKind::Prevote, 1, 1, w.id()));
    // lockedRound 0 <= vr 1: the POL overrides the lock (L28-L30).
    assert_eq!(voted(&fx, VoteKind::Prevote), Some(w.id()));
}

#[test]
fn l28_pol_older_than_lock_does_not_unlock() {
    let me = me();
    let v = value(1, 0, 7);
    let mut e = locked_engine(me, &v, 1);
    // Lock again in round 1 on v (proposal of v in round 1 and a polka).
    e.handle(proposal(1, 1, None, v.clone()));
    let o = others(me);
    e.handle(vote(o[0], VoteKind::Prevote, 1, 1, v.id()));
    e.handle(vote(o[1], VoteKind::Prevote, 1, 1, v.id()));
    assert_eq!(e.locked().map(|l| l.0), Some(1));
    e.handle(vote(o[0], VoteKind::Precommit, 1, 2, Hash::ZERO));
    e.handle(vote(o[1], VoteKind::Precommit, 1, 2, Hash::ZERO));
    assert_eq!(e.round(), 2);
    // A POL for w from round 0 (< lockedRound 1) must not unlock.
    let w = value(1, 0, 9);
    for i in &o {
        e.handle(vote(*i, VoteKind::Prevote, 1, 0, w.id()));
    }
    let fx = deliver_valid_proposal(&mut e, 2, Some(0), &w);
    assert_eq!(voted(&fx, VoteKind::Prevote), Some(Hash::ZERO));
}

#[test]
fn timeouts_grow_linearly_and_drive_the_round() {
    let me = me();
    let mut e = started(me);
    let cfg = sim_config();
    assert_eq!(cfg.timeout_ms(TimeoutKind::Propose, 3), cfg.propose_base_ms + 3 * cfg.propose_delta_ms);
    // L57: timeoutPropose → prevote nil.
    let fx = e.handle(Input::TimeoutElapsed { height: 1, round: 0, step: TimeoutKind::Propose });
    assert_eq!(voted(&fx, VoteKind::Prevote), Some(Hash::ZERO));
    // L34: 2f+1 prevotes of any kind → timeoutPrevote scheduled.
    let o = others(me);
    e.handle(vote(o[0], VoteKind::Prevote, 1, 0, Hash::digest(b"x", b"1")));
    let fx = e.handle(vote(o[1], VoteKind::Prevote, 1, 0, Hash::digest(b"x", b"2")));
    assert!(fx.iter().any(|x| matches!(x, Effect::ScheduleTimeout { step: TimeoutKind::Prevote, round: 0, duration_ms, .. } if *duration_ms == cfg.prevote_base_ms)));
    // A stale timeout is ignored.
    assert!(voted(
        &e.handle(Input::TimeoutElapsed { height: 1, round: 5, step: TimeoutKind::Prevote }),
        VoteKind::Precommit
    )
    .is_none());
    // L61: timeoutPrevote → precommit nil.
    let fx = e.handle(Input::TimeoutElapsed { height: 1, round: 0, step: TimeoutKind::Prevote });
    assert_eq!(voted(&fx, VoteKind::Precommit), Some(Hash::ZERO));
    // L65: timeoutPrecommit → next round, with a longer propose timeout.
    let fx = e.handle(Input::TimeoutElapsed { height: 1, round: 0, step: TimeoutKind::Precommit });
    assert_eq!(e.round(), 1);
    assert!(fx.iter().any(|x| matches!(x, Effect::ScheduleTimeout { step: TimeoutKind::Propose, round: 1, duration_ms, .. } if *duration_ms == cfg.propose_base_ms + cfg.propose_delta_ms)));
}

#[test]
fn l44_nil_polka_precommits_nil() {
    let me = me();
    let mut e = started(me);
    e.handle(Input::TimeoutElapsed { height: 1, round: 0, step: TimeoutKind::Propose });
    let o = others(me);
    e.handle(vote(o[0], VoteKind::Prevote, 1, 0, Hash::ZERO));
    let fx = e.handle(vote(o[1], VoteKind::Prevote, 1, 0, Hash::ZERO));
    assert_eq!(voted(&fx, VoteKind::Precommit), Some(Hash::ZERO));
}

#[test]
fn l49_commit_in_an_earlier_round_with_a_valid_certificate() {
    let me = me();
    let v = value(1, 0, 7);
    let mut e = locked_engine(me, &v, 2);
    let o = others(me);
    e.handle(vote(o[0], VoteKind::Precommit, 1, 0, v.id()));
    let fx = e.handle(vote(o[2], VoteKind::Precommit, 1, 0, v.id()));
    let (value, cert) = fx
        .iter()
        .find_map(|x| match x {
            Effect::Commit { value, certificate, round: 0, .. } => Some((value.clone(), certificate.clone())),
            _ => None,
        })
        .expect("commit");
    assert_eq!(value, v);
    cert.verify(CHAIN, &set4()).unwrap();
    assert_eq!(e.step(), Step::Commit);
}

#[test]
fn restored_engine_resends_instead_of_signing_a_conflict() {
    let me = me();
    let mut e = started(me);
    let v = value(1, 0, 7);
    let fx = deliver_valid_proposal(&mut e, 0, None, &v);
    let state =
        fx.iter().rev().find_map(|x| if let Effect::PersistSafety(s) = x { Some(s.clone()) } else { None }).unwrap();
    // Crash; restart from the persisted state.
    let mut r = Engine::<TestValue>::restore(sim_config(), key(me), state);
    r.handle(Input::StartHeight { height: 1, validators: set4() });
    // The propose timeout would make a fresh engine prevote nil; the restored one re-sends v.
    let fx = r.handle(Input::TimeoutElapsed { height: 1, round: 0, step: TimeoutKind::Propose });
    assert_eq!(voted(&fx, VoteKind::Prevote), Some(v.id()));
    assert!(!fx.iter().any(|x| matches!(x, Effect::PersistSafety(_))), "nothing new was signed");
    // A proposer re-sends its own proposal, body included, while it runs.
    let p = proposer(1, 0);
    let mut e = Engine::new(sim_config(), key(p));
    e.handle(Input::StartHeight { height: 1, validators: set4() });
    let fx = e.handle(Input::ProposalBuilt { height: 1, round: 0, value: v.clone() });
    let state = fx.iter().find_map(|x| if let Effect::PersistSafety(s) = x { Some(s.clone()) } else { None }).unwrap();
    let fx = e.handle(Input::Rebroadcast);
    assert!(fx.iter().any(|x| matches!(x, Effect::Broadcast(Message::Proposal(q)) if q.value == v)));
    // Restored, it holds only the signed part (the persisted state has no
    // body): it neither builds nor signs another value for that round, even
    // when the host offers one; the round times out instead (liveness only).
    let mut r = Engine::<TestValue>::restore(sim_config(), key(p), state.clone());
    let mut fx = r.handle(Input::StartHeight { height: 1, validators: set4() });
    fx.extend(r.handle(Input::ProposalBuilt { height: 1, round: 0, value: value(1, 0, 9) }));
    fx.extend(r.handle(Input::Rebroadcast));
    assert!(!fx.iter().any(|x| matches!(x, Effect::BuildProposal { .. } | Effect::PersistSafety(_))), "{fx:?}");
    assert!(!fx.iter().any(|x| matches!(x, Effect::Broadcast(Message::Proposal(_)))), "{fx:?}");
    assert_eq!(r.safety_state().signed_proposals, state.signed_proposals);
    // A state of another height is discarded.
    let mut r = Engine::<TestValue>::restore(sim_config(), key(me), e.safety_state());
    r.handle(Input::StartHeight { height: 2, validators: set4() });
    assert_eq!((r.height(), r.round()), (2, 0));
}

#[test]
fn invalid_inputs_are_rejected_and_bounded() {
    let me = me();
    let mut e = started(me);
    let rejected = |fx: Vec<Effect<TestValue>>| {
        fx.into_iter().find_map(|x| if let Effect::Rejected(err) = x { Some(err) } else { None })
    };
    // Not a validator.
    let fx = e.handle(vote(9, VoteKind::Prevote, 1, 0, Hash::ZERO));
    assert!(matches!(rejected(fx), Some(ConsensusError::NotAValidator { .. })));
    // Bad signature.
    let o = others(me);
    let mut v = Vote::sign(
        &key(o[0]),
        CHAIN,
        VoteData { kind: VoteKind::Prevote, height: 1, round: 0, block_hash: Hash::ZERO },
    );
    v.data.block_hash = Hash::digest(b"x", b"y");
    assert!(matches!(rejected(e.handle(Input::Vote(v))), Some(ConsensusError::BadSignature { .. })));
    // Wrong chain id is a bad signature too.
    let v = Vote::sign(
        &key(o[0]),
        "other",
        VoteData { kind: VoteKind::Prevote, height: 1, round: 0, block_hash: Hash::ZERO },
    );
    assert!(matches!(rejected(e.handle(Input::Vote(v))), Some(ConsensusError::BadSignature { .. })));
    // Rounds far ahead are refused (memory bound); one validator there cannot move us.
    let fx = e.handle(vote(o[0], VoteKind::Prevote, 1, 1_000_000_000, Hash::ZERO));
    assert!(matches!(rejected(fx), Some(ConsensusError::RoundTooFar { .. })));
    assert_eq!(e.round(), 0);
    // Wrong proposer.
    let not_p = (0..4).find(|i| *i != proposer(1, 0)).unwrap();
    let p = Proposal::sign(&key(not_p), CHAIN, 1, 0, None, value(1, 0, 1));
    assert!(matches!(rejected(e.handle(Input::Proposal(p))), Some(ConsensusError::WrongProposer { .. })));
    // pol_round must be below round.
    let p = Proposal::sign(&key(proposer(1, 0)), CHAIN, 1, 0, Some(0), value(1, 0, 1));
    assert!(matches!(rejected(e.handle(Input::Proposal(p))), Some(ConsensusError::InvalidPolRound { .. })));
    // Past heights are stale, not errors.
    let mut e2 = started(me);
    e2.handle(Input::StartHeight { height: 5, validators: set4() });
    assert!(rejected(e2.handle(vote(o[0], VoteKind::Prevote, 3, 0, Hash::ZERO))).is_none());
    assert_eq!(e2.stats().stale, 1);
    // Heights only move forward.
    assert!(matches!(
        rejected(e2.handle(Input::StartHeight { height: 5, validators: set4() })),
        Some(ConsensusError::HeightRegression { .. })
    ));
    assert!(e.stats().rejected >= 5);
}

#[test]
fn equivocation_yields_verifiable_evidence() {
    let me = me();
    let mut e = started(me);
    let o = others(me);
    e.handle(vote(o[0], VoteKind::Precommit, 1, 0, Hash::ZERO));
    let fx = e.handle(vote(o[0], VoteKind::Precommit, 1, 0, Hash::digest(b"x", b"y")));
    let ev = fx.iter().find_map(|x| if let Effect::Evidence(ev) = x { Some(ev.clone()) } else { None }).unwrap();
    ev.verify(CHAIN).unwrap();
    assert_eq!(ev.validator(), key(o[0]).public());
    // Conflicting proposals from the proposer.
    e.handle(proposal(1, 0, None, value(1, 0, 1)));
    let fx = e.handle(proposal(1, 0, None, value(1, 0, 2)));
    let pe = fx.iter().find_map(|x| if let Effect::ProposalEvidence(p) = x { Some(p.clone()) } else { None }).unwrap();
    pe.verify(CHAIN).unwrap();
    assert_eq!(pe.proposer(), key(proposer(1, 0)).public());
    // The same proposal again is a duplicate, not evidence.
    let fx = e.handle(proposal(1, 0, None, value(1, 0, 1)));
    assert!(!fx.iter().any(|x| matches!(x, Effect::ProposalEvidence(_))));
}

#[test]
fn certified_value_commits_and_bad_certificates_are_rejected() {
    let me = me();
    let v = value(1, 0, 7);
    let data = VoteData { kind: VoteKind::Precommit, height: 1, round: 3, block_hash: v.id() };
    let votes: Vec<Vote> = others(me).iter().map(|i| Vote::sign(&key(*i), CHAIN, data.clone())).collect();
    let cert = Certificate::from_votes(data.clone(), &set4(), &votes);
    // Too few signatures.
    let mut e = started(me);
    let weak = Certificate::from_votes(data, &set4(), &votes[..2]);
    let fx = e.handle(Input::CertifiedValue { value: v.clone(), certificate: weak });
    assert!(fx.iter().any(|x| matches!(x, Effect::Rejected(ConsensusError::Certificate(_)))));
    // Certificate for another value.
    let fx = e.handle(Input::CertifiedValue { value: value(1, 0, 8), certificate: cert.clone() });
    assert!(fx.iter().any(|x| matches!(x, Effect::Rejected(ConsensusError::CertificateMismatch { .. }))));
    let fx = e.handle(Input::CertifiedValue { value: v.clone(), certificate: cert });
    assert!(fx.iter().any(|x| matches!(x, Effect::Commit { height: 1, value, .. } if *value == v)));
}

#[test]
fn votes_from_higher_heights_request_sync_and_next_height_is_buffered() {
    let me = me();
    let mut e = started(me);
    let o = others(me);
    let fx = e.handle(vote(o[0], VoteKind::Prevote, 5, 0, Hash::ZERO));
    assert!(!fx.iter().any(|x| matches!(x, Effect::RequestSync { .. })), "one validator may be lying");
    let fx = e.handle(vote(o[1], VoteKind::Prevote, 5, 0, Hash::ZERO));
    assert!(fx.iter().any(|x| matches!(x, Effect::RequestSync { height: 4 })));
    // Messages of height 2 are kept and replayed when the host starts it.
    let v = value(2, 0, 1);
    e.handle(Input::Proposal(Proposal::sign(&key(proposer(2, 0)), CHAIN, 2, 0, None, v.clone())));
    assert_eq!(e.stats().buffered, 1);
    let fx = e.handle(Input::StartHeight { height: 2, validators: set4() });
    assert!(fx.iter().any(|x| matches!(x, Effect::ValidateValue { height: 2, value, .. } if *value == v)));
}

/// L55 beyond `max_future_rounds`: messages of far rounds are not kept, but a
/// verified one records its signer's round; once validators of more than a
/// third of the power are seen at rounds ≥ r, the engine starts round r. One
/// validator alone (even at round 2^31) and forged signatures move nothing.
#[test]
fn l55_skips_beyond_the_window_on_f_plus_1_verified_rounds() {
    let me = me();
    let o = others(me);
    let mut e = started(me);
    let window = sim_config().max_future_rounds;
    let far =
        |fx: &[Effect<TestValue>]| fx.iter().any(|x| matches!(x, Effect::Rejected(ConsensusError::RoundTooFar { .. })));
    // One validator at round 2^31: refused, and alone not enough.
    let fx = e.handle(vote(o[0], VoteKind::Precommit, 1, 1 << 31, Hash::ZERO));
    assert!(far(&fx));
    assert_eq!(e.round(), 0);
    // A forgery in o[1]'s name at round 3·window is not believed.
    let mut forged = Vote::sign(
        &key(o[2]),
        CHAIN,
        VoteData { kind: VoteKind::Precommit, height: 1, round: 3 * window, block_hash: Hash::ZERO },
    );
    forged.validator = key(o[1]).public();
    let fx = e.handle(Input::Vote(forged));
    assert!(fx.iter().any(|x| matches!(x, Effect::Rejected(ConsensusError::BadSignature { .. }))));
    assert_eq!(e.round(), 0);
    // o[1] really at round 2·window: o[0] and o[1] (f+1 = 2 of 4) are seen
    // at rounds ≥ 2·window, so the engine starts it and counts the vote.
    let fx = e.handle(vote(o[1], VoteKind::Precommit, 1, 2 * window, Hash::ZERO));
    assert!(!far(&fx), "the vote is inside the window once the round is reached");
    assert_eq!(e.round(), 2 * window);
    assert!(fx.iter().any(
        |x| matches!(x, Effect::ScheduleTimeout { step: TimeoutKind::Propose, round, .. } if *round == 2 * window)
    ));
    // With unequal power a single validator with more than a third suffices,
    // one with less does not.
    let powers = [40, 30, 20, 10];
    let set = crate::sim::set_with_powers(&[0, 1, 2, 3], &powers);
    let small = (0..4).filter(|i| *i != me).min_by_key(|i| powers[*i]).unwrap();
    let big = (0..4).filter(|i| *i != me && powers[*i] > 33).max_by_key(|i| powers[*i]);
    let mut e = Engine::new(sim_config(), key(me));
    e.handle(Input::StartHeight { height: 1, validators: set });
    e.handle(vote(small, VoteKind::Prevote, 1, 5 * window, Hash::ZERO));
    assert_eq!(e.round(), 0, "validator {small} holds {} of 100", powers[small]);
    if let Some(big) = big {
        e.handle(vote(big, VoteKind::Prevote, 1, 4 * window, Hash::ZERO));
        assert_eq!(e.round(), 4 * window, "validator {big} holds {} of 100", powers[big]);
    }
}

/// L36 applies to any proposal of the round's proposer, not only the first
/// received: after prevoting the proposer's first value, 2f+1 prevotes for
/// its second (valid) value lock it and precommit it.
#[test]
fn l36_locks_a_second_proposal_that_gathers_a_polka() {
    let me = me();
    let o = others(me);
    let mut e = started(me);
    let (v1, v2) = (value(1, 0, 1), value(1, 0, 2));
    let fx = deliver_valid_proposal(&mut e, 0, None, &v1);
    assert_eq!(voted(&fx, VoteKind::Prevote), Some(v1.id()));
    let fx = e.handle(proposal(1, 0, None, v2.clone()));
    assert!(fx.iter().any(|x| matches!(x, Effect::ProposalEvidence(_))));
    assert!(
        fx.iter().any(|x| matches!(x, Effect::ValidateValue { value, .. } if *value == v2)),
        "the second value is validated too"
    );
    e.handle(Input::ValueValidated { height: 1, round: 0, id: v2.id(), valid: true });
    e.handle(vote(o[0], VoteKind::Prevote, 1, 0, v2.id()));
    e.handle(vote(o[1], VoteKind::Prevote, 1, 0, v2.id()));
    let fx = e.handle(vote(o[2], VoteKind::Prevote, 1, 0, v2.id()));
    assert_persist_before_send(&fx);
    assert_eq!(voted(&fx, VoteKind::Precommit), Some(v2.id()));
    assert_eq!(e.locked(), Some((0, v2.id())));
    assert_eq!(e.valid(), Some((0, v2.id())));
    // A third value from the proposer is neither kept nor validated (two per round).
    let fx = e.handle(proposal(1, 0, None, value(1, 0, 3)));
    assert!(!fx.iter().any(|x| matches!(x, Effect::ValidateValue { .. } | Effect::ProposalEvidence(_))));
}

#[test]
fn l16_reproposes_the_valid_value_by_id_and_never_another_without_its_body() {
    // The proposer of round 1 locks v in round 0 (validValue = id(v)).
    let q = proposer(1, 1);
    let mut e = started(q);
    let v = value(1, 0, 7);
    deliver_valid_proposal(&mut e, 0, None, &v);
    let o: Vec<usize> = others(q).into_iter().filter(|i| *i != proposer(1, 0)).collect();
    e.handle(vote(proposer(1, 0), VoteKind::Prevote, 1, 0, v.id()));
    let fx = e.handle(vote(o[0], VoteKind::Prevote, 1, 0, v.id()));
    assert_eq!(voted(&fx, VoteKind::Precommit), Some(v.id()));
    assert_eq!(e.valid(), Some((0, v.id())));
    let state = e.safety_state();
    assert_eq!(state.valid, Some((0, v.id())));
    // L15-L16: in round 1 it proposes v itself (body from the round-0
    // proposal), with validRound 0, and builds nothing new.
    let fx = e.handle(Input::TimeoutElapsed { height: 1, round: 0, step: TimeoutKind::Precommit });
    let persisted = fx.iter().position(|x| matches!(x, Effect::PersistSafety(s) if s.signed_proposals.len() == 1));
    let sent = fx.iter().position(|x| matches!(x, Effect::Broadcast(Message::Proposal(_))));
    assert!(persisted.is_some() && persisted < sent, "persisted before sent: {fx:?}");
    assert!(!fx.iter().any(|x| matches!(x, Effect::BuildProposal { .. })));
    assert!(fx.iter().any(|x| matches!(
        x,
        Effect::Broadcast(Message::Proposal(p)) if p.value == v && p.round == 1 && p.pol_round == Some(0)
    )));
    // After a restart the body is gone: it must not sign another value, so
    // it proposes nothing in round 1 (the round times out) and builds nothing.
    let mut r = Engine::<TestValue>::restore(sim_config(), key(q), state);
    r.handle(Input::StartHeight { height: 1, validators: set4() });
    assert_eq!(r.valid(), Some((0, v.id())));
    let mut fx = r.handle(Input::TimeoutElapsed { height: 1, round: 0, step: TimeoutKind::Precommit });
    assert_eq!(r.round(), 1);
    fx.extend(r.handle(Input::ProposalBuilt { height: 1, round: 1, value: value(1, 1, 8) }));
    fx.extend(r.handle(Input::Rebroadcast));
    assert!(!fx.iter().any(|x| matches!(x, Effect::BuildProposal { .. } | Effect::Broadcast(Message::Proposal(_)))));
    assert!(r.safety_state().signed_proposals.is_empty(), "nothing proposed without the body");
    // The host feeds back the body it kept: another value is ignored, v is
    // re-proposed at once with validRound 0 (still round 1, step propose).
    assert!(r.handle(Input::RestoredValue { height: 1, value: value(1, 1, 8) }).is_empty());
    let fx = r.handle(Input::RestoredValue { height: 1, value: v.clone() });
    assert!(fx.iter().any(|x| matches!(
        x,
        Effect::Broadcast(Message::Proposal(p)) if p.value == v && p.round == 1 && p.pol_round == Some(0)
    )));
    assert_eq!(r.safety_state().signed_proposals.len(), 1);
}
