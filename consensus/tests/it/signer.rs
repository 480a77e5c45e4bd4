//! The engine signs through `ConsensusSigner`: a signer that gives no
//! signature costs the validator that step and nothing else (no message sent,
//! nothing recorded as signed, the engine goes on).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tamga_consensus::{Effect, Engine, Input, Message, Proposal, Value};
use tamga_types::{
    ConsensusSigner, Height, ProposalData, PublicKey, Round, SignError, SignStep, Signature, Signer, SigningKey,
    ValidatorSet, Vote, VoteData, VoteKind,
};

use crate::sim::{key, set_of, sim_config, TestValue, CHAIN};

/// An in-memory key that can be switched off, as an HSM that lost its session.
struct Flaky {
    key: SigningKey,
    down: AtomicBool,
}

impl Flaky {
    fn fail(&self) -> Result<(), SignError> {
        if self.down.load(Ordering::SeqCst) {
            return Err(SignError::Unavailable { signer: "flaky", detail: "switched off".into() });
        }
        Ok(())
    }
}

impl ConsensusSigner for Flaky {
    fn public_key(&self) -> PublicKey {
        self.key.public()
    }
    fn sign_vote(&self, chain_id: &str, data: &VoteData) -> Result<Signature, SignError> {
        self.fail()?;
        self.key.sign_vote(chain_id, data)
    }
    fn sign_proposal(&self, chain_id: &str, data: &ProposalData) -> Result<Signature, SignError> {
        self.fail()?;
        self.key.sign_proposal(chain_id, data)
    }
}

fn set4() -> ValidatorSet {
    set_of(&[0, 1, 2, 3])
}

fn proposer(h: Height, r: Round) -> usize {
    let k = Engine::<TestValue>::proposer(&set4(), h, r).unwrap();
    (0..4).find(|i| key(*i).public() == k).unwrap()
}

fn flaky(i: usize) -> (Arc<Flaky>, Signer) {
    let f = Arc::new(Flaky { key: key(i), down: AtomicBool::new(true) });
    let dyn_signer: Arc<dyn ConsensusSigner> = f.clone();
    (f, Signer::from(dyn_signer))
}

fn sent_anything(fx: &[Effect<TestValue>]) -> bool {
    fx.iter().any(|e| matches!(e, Effect::Broadcast(_) | Effect::PersistSafety(_)))
}

#[test]
fn failed_vote_is_neither_sent_nor_recorded_and_the_next_step_signs() {
    let me = (0..4).find(|i| *i != proposer(1, 0)).unwrap();
    let (f, signer) = flaky(me);
    let mut e = Engine::new(sim_config(), signer);
    assert_eq!(e.public_key(), key(me).public());
    e.handle(Input::StartHeight { height: 1, validators: set4() });
    let v = TestValue { height: 1, round: 0, proposer: 0, salt: 5, valid: true };
    e.handle(Input::Proposal(Proposal::sign(&key(proposer(1, 0)), CHAIN, 1, 0, None, v.clone())));
    let fx = e.handle(Input::ValueValidated { height: 1, round: 0, id: v.id(), valid: true });
    assert!(
        fx.iter().any(|x| matches!(x, Effect::SignFailed { height: 1, round: 0, step: SignStep::Prevote, .. })),
        "{fx:?}"
    );
    assert!(!sent_anything(&fx), "nothing may leave for a step the signer did not sign: {fx:?}");
    assert!(e.safety_state().signed_votes.is_empty());

    // The signer comes back: 2f+1 prevotes of the others lock and precommit (L36).
    f.down.store(false, Ordering::SeqCst);
    let mut precommit = None;
    for o in (0..4).filter(|i| *i != me) {
        let data = VoteData { kind: VoteKind::Prevote, height: 1, round: 0, block_hash: v.id() };
        for x in e.handle(Input::Vote(Vote::sign(&key(o), CHAIN, data))) {
            if let Effect::Broadcast(Message::Vote(p)) = x {
                precommit = Some(p);
            }
        }
    }
    let p = precommit.expect("precommits once the signer answers again");
    assert_eq!(p.data.kind, VoteKind::Precommit);
    assert_eq!(p.data.block_hash, v.id());
    assert!(p.verify(CHAIN).is_ok());
}

#[test]
fn failed_proposal_is_not_sent_and_the_round_times_out_as_usual() {
    let p = proposer(1, 0);
    let (_f, signer) = flaky(p);
    let mut e = Engine::new(sim_config(), signer);
    e.handle(Input::StartHeight { height: 1, validators: set4() });
    let v = TestValue { height: 1, round: 0, proposer: p as u16, salt: 1, valid: true };
    let fx = e.handle(Input::ProposalBuilt { height: 1, round: 0, value: v });
    assert!(
        fx.iter().any(|x| matches!(x, Effect::SignFailed { height: 1, round: 0, step: SignStep::Proposal, .. })),
        "{fx:?}"
    );
    assert!(!sent_anything(&fx), "{fx:?}");
    assert!(e.safety_state().signed_proposals.is_empty());
    // timeoutPropose is still honoured: the engine moves on (and its prevote fails too).
    let fx = e.handle(Input::TimeoutElapsed { height: 1, round: 0, step: tamga_consensus::TimeoutKind::Propose });
    assert!(fx.iter().any(|x| matches!(x, Effect::SignFailed { step: SignStep::Prevote, .. })), "{fx:?}");
    assert!(!sent_anything(&fx));
}
