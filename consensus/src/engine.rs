//! The Tendermint state machine (arXiv:1807.04938, Algorithm 1). Line
//! numbers `Lnn` refer to that algorithm.

use std::collections::{BTreeMap, BTreeSet};

use tamga_types::{
    Certificate, DoubleProposal, DoubleVote, Hash, Height, PublicKey, Round, SignStep, SignedProposalData, Signer,
    ValidatorSet, Vote, VoteData, VoteKind,
};

use crate::io::{Config, Effect, Input, Stats};
use crate::message::{Message, Proposal, SafetyState, Step, TimeoutKind, Value};
use crate::votes::{AddVote, RoundVotes};
use crate::ConsensusError;

type Effects<V> = Vec<Effect<V>>;

/// Proposals kept per round: the first and one conflicting one. An
/// equivocating proposer cannot make us store more, and two suffice both for
/// the evidence and for any value that gathers 2f+1 prevotes (at most one
/// value can while fewer than a third of the power equivocates).
const MAX_PROPOSALS_PER_ROUND: usize = 2;

/// A buffered message of the next height, keyed so that each validator has at
/// most two proposals and one vote of each kind per round.
type BufferKey = (PublicKey, Round, u8);

/// Buffer key tag of a proposal; votes use [`kind_tag`].
const PROPOSAL_TAG: u8 = 0;
/// Buffer key tag of a second, different proposal of the same round.
const SECOND_PROPOSAL_TAG: u8 = 3;

fn kind_tag(kind: VoteKind) -> u8 {
    match kind {
        VoteKind::Prevote => 1,
        VoteKind::Precommit => 2,
    }
}

/// One validator's (or observer's) consensus engine. Pure: see the crate docs.
#[derive(Debug)]
pub struct Engine<V: Value> {
    config: Config,
    key: Signer,
    me: PublicKey,
    /// Set only before the first `StartHeight` after a restore.
    restored: Option<SafetyState>,
    started: bool,
    validators: ValidatorSet,
    height: Height,
    round: Round,
    step: Step,
    /// `(lockedRound, id(lockedValue))`: the engine decides on value ids
    /// (the body of a value lives in `proposals`, the messages that carried it).
    locked: Option<(Round, Hash)>,
    /// `(validRound, id(validValue))`.
    valid: Option<(Round, Hash)>,
    signed_votes: BTreeMap<(Round, u8), Vote>,
    /// The signed part of every proposal this validator signed at this height.
    signed_proposals: BTreeMap<Round, SignedProposalData>,
    /// Proposals from `proposer(h, r)` per round, in arrival order: the first
    /// and at most one conflicting one ([`MAX_PROPOSALS_PER_ROUND`]). Every
    /// kept proposal takes part in L22/L28, L36 and L49, and a second one is
    /// also the evidence of the proposer's equivocation. They are the only
    /// place the engine holds value bodies: what it decides, locks, persists
    /// and votes on is the id.
    proposals: BTreeMap<Round, Vec<Proposal<V>>>,
    /// Bodies fed back by the host after a restart (`Input::RestoredValue`):
    /// only of the locked and valid values and of the signed proposals, so
    /// at most three.
    restored_values: BTreeMap<Hash, V>,
    /// `valid(v)` answers by value id.
    validity: BTreeMap<Hash, bool>,
    validation_requested: BTreeSet<Hash>,
    rounds: BTreeMap<Round, RoundVotes>,
    /// "for the first time" flags of the current round (L34, L36, L47).
    prevote_timeout_scheduled: bool,
    precommit_timeout_scheduled: bool,
    l36_done: bool,
    /// `timeoutPropose` fired in this round while the round's proposal was
    /// still being validated (see [`Engine::on_timeout`]).
    propose_expired: bool,
    /// Vote evidence already reported: (validator index, round, kind tag).
    reported: BTreeSet<(u16, Round, u8)>,
    next_height: BTreeMap<BufferKey, Message<V>>,
    /// Highest height seen per validator index of the current set (catch-up).
    seen_heights: BTreeMap<u16, Height>,
    /// Highest round of the current height seen per validator index, from
    /// messages whose signature verified (L55 beyond `max_future_rounds`).
    /// One entry per member of the set, whatever the rounds claimed.
    seen_rounds: BTreeMap<u16, Round>,
    sync_requested: Option<Height>,
    /// The precommits that decided the last height: re-sent by `Rebroadcast`
    /// so that peers that missed the commit quorum catch up (Tendermint's
    /// "last commit" gossip).
    last_commit_votes: Vec<Vote>,
    stats: Stats,
}

impl<V: Value> Engine<V> {
    /// A fresh engine signing through `key` (a `SigningKey` or any
    /// [`tamga_types::ConsensusSigner`]). Nothing happens until `Input::StartHeight`.
    pub fn new(config: Config, key: impl Into<Signer>) -> Self {
        let key: Signer = key.into();
        let me = tamga_types::ConsensusSigner::public_key(&key);
        Engine {
            config,
            key,
            me,
            restored: None,
            started: false,
            validators: ValidatorSet::default(),
            height: 0,
            round: 0,
            step: Step::Propose,
            locked: None,
            valid: None,
            signed_votes: BTreeMap::new(),
            signed_proposals: BTreeMap::new(),
            proposals: BTreeMap::new(),
            restored_values: BTreeMap::new(),
            validity: BTreeMap::new(),
            validation_requested: BTreeSet::new(),
            rounds: BTreeMap::new(),
            prevote_timeout_scheduled: false,
            precommit_timeout_scheduled: false,
            l36_done: false,
            propose_expired: false,
            reported: BTreeSet::new(),
            next_height: BTreeMap::new(),
            seen_heights: BTreeMap::new(),
            seen_rounds: BTreeMap::new(),
            sync_requested: None,
            last_commit_votes: Vec::new(),
            stats: Stats::default(),
        }
    }

    /// An engine restarted after a crash from the last persisted state. The
    /// state takes effect when the host starts the same height again (a
    /// `StartHeight` for another height discards it). Every vote or proposal
    /// the state records is re-sent as is, never re-signed differently.
    pub fn restore(config: Config, key: impl Into<Signer>, state: SafetyState) -> Self {
        let mut e = Self::new(config, key);
        e.restored = Some(state);
        e
    }

    /// Current height.
    pub fn height(&self) -> Height {
        self.height
    }

    /// Current round.
    pub fn round(&self) -> Round {
        self.round
    }

    /// Current step.
    pub fn step(&self) -> Step {
        self.step
    }

    /// `(lockedRound, id(lockedValue))`.
    pub fn locked(&self) -> Option<(Round, Hash)> {
        self.locked
    }

    /// `(validRound, id(validValue))`.
    pub fn valid(&self) -> Option<(Round, Hash)> {
        self.valid
    }

    /// This engine's public key.
    pub fn public_key(&self) -> PublicKey {
        self.me
    }

    /// Counters.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// The state that `Effect::PersistSafety` would carry now.
    pub fn safety_state(&self) -> SafetyState {
        SafetyState {
            height: self.height,
            round: self.round,
            step: self.step,
            locked: self.locked,
            valid: self.valid,
            pol_votes: self.pol_votes(),
            signed_votes: self.signed_votes.values().cloned().collect(),
            signed_proposals: self.signed_proposals.values().cloned().collect(),
        }
    }

    fn pol_votes(&self) -> Vec<Vote> {
        let mut out: Vec<Vote> = Vec::new();
        for (r, id) in self.locked.iter().chain(self.valid.iter()) {
            if let Some(rv) = self.rounds.get(r) {
                out.extend(rv.prevotes.votes_for(id).filter(|x| !out.contains(x)).cloned().collect::<Vec<_>>());
            }
        }
        out
    }

    /// Deterministic proposer rule: the validator at index `(height + round) mod n`
    /// (validators are sorted by key, so all honest nodes agree).
    pub fn proposer(validators: &ValidatorSet, height: Height, round: Round) -> Option<PublicKey> {
        let n = validators.len() as u64;
        if n == 0 {
            return None;
        }
        let i = (height.wrapping_add(u64::from(round))) % n;
        validators.get(i as u16).map(|v| v.key)
    }

    /// The single entry point: consume an input, return the effects to execute in order.
    pub fn handle(&mut self, input: Input<V>) -> Vec<Effect<V>> {
        let mut fx = Vec::new();
        if let Err(e) = self.dispatch(input, &mut fx) {
            self.stats.rejected += 1;
            fx.push(Effect::Rejected(e));
        }
        fx
    }

    fn dispatch(&mut self, input: Input<V>, fx: &mut Effects<V>) -> Result<(), ConsensusError> {
        if let Input::StartHeight { height, validators } = input {
            return self.start_height(height, validators, fx);
        }
        if !self.started {
            return Err(ConsensusError::NotStarted);
        }
        match input {
            Input::StartHeight { .. } => Ok(()),
            Input::Proposal(p) => self.on_proposal(p, false, fx),
            Input::Vote(v) => self.on_vote(v, false, fx),
            Input::ProposalBuilt { height, round, value } => {
                // L15-L19: propose the built value unless a validValue appeared meanwhile.
                if height == self.height
                    && round == self.round
                    && self.step == Step::Propose
                    && self.is_proposer(round)
                    && !self.signed_proposals.contains_key(&round)
                {
                    match self.valid {
                        Some((vr, id)) => self.propose_valid(vr, id, fx),
                        None => self.propose(value, None, fx),
                    }
                    self.progress(fx);
                }
                Ok(())
            }
            Input::ValueValidated { height, id, valid, .. } => {
                if height == self.height {
                    self.validity.insert(id, valid);
                    self.progress(fx);
                }
                Ok(())
            }
            Input::TimeoutElapsed { height, round, step } => {
                self.on_timeout(height, round, step, fx);
                self.progress(fx);
                Ok(())
            }
            Input::CertifiedValue { value, certificate } => self.on_certified(value, certificate, fx),
            Input::RestoredValue { height, value } => {
                self.on_restored_value(height, value, fx);
                Ok(())
            }
            Input::Rebroadcast => {
                for v in &self.last_commit_votes {
                    fx.push(Effect::Broadcast(Message::Vote(v.clone())));
                }
                if self.step != Step::Commit {
                    if let Some(p) = self.own_proposal(self.round) {
                        fx.push(Effect::Broadcast(Message::Proposal(p.clone())));
                        self.broadcast_pol(&p, fx);
                    }
                    let from = self.round.saturating_sub(1);
                    for v in self.signed_votes.range((from, 0)..=(self.round, u8::MAX)).map(|(_, v)| v) {
                        fx.push(Effect::Broadcast(Message::Vote(v.clone())));
                    }
                }
                Ok(())
            }
        }
    }

    fn start_height(
        &mut self,
        height: Height,
        validators: ValidatorSet,
        fx: &mut Effects<V>,
    ) -> Result<(), ConsensusError> {
        if self.started && height <= self.height {
            return Err(ConsensusError::HeightRegression { current: self.height, got: height });
        }
        self.started = true;
        self.validators = validators;
        self.height = height;
        self.locked = None;
        self.valid = None;
        self.signed_votes.clear();
        self.signed_proposals.clear();
        self.proposals.clear();
        self.restored_values.clear();
        self.seen_rounds.clear();
        self.validity.clear();
        self.validation_requested.clear();
        self.rounds.clear();
        self.reported.clear();
        let mut round = 0;
        if let Some(s) = self.restored.take() {
            if s.height == height {
                // Resume from the persisted safety state: same lock, same signatures.
                round = s.round;
                self.locked = s.locked;
                self.valid = s.valid;
                for v in s.signed_votes {
                    self.signed_votes.insert((v.data.round, kind_tag(v.data.kind)), v);
                }
                // Our own persisted proof of lock (already verified when received).
                for v in s.pol_votes {
                    if v.data.height == height && v.data.kind == VoteKind::Prevote {
                        if let Some(i) = self.validators.index_of(&v.validator) {
                            let power = self.validators.get(i).map(|x| x.power).unwrap_or(0);
                            let _ = self.rounds.entry(v.data.round).or_default().add(i, power, v);
                        }
                    }
                }
                for p in s.signed_proposals {
                    self.signed_proposals.insert(p.data.round, p);
                }
            }
        }
        // Re-count our own signed votes.
        let own: Vec<Vote> = self.signed_votes.values().cloned().collect();
        for v in own {
            self.count_own_vote(v);
        }
        let buffered = std::mem::take(&mut self.next_height);
        self.seen_heights.retain(|_, h| *h > height);
        self.start_round(round, fx);
        for (_, m) in buffered {
            let r = match m {
                Message::Proposal(p) if p.height == height => self.on_proposal(p, true, fx),
                Message::Vote(v) if v.data.height == height => self.on_vote(v, true, fx),
                _ => Ok(()),
            };
            if let Err(e) = r {
                self.stats.rejected += 1;
                fx.push(Effect::Rejected(e));
            }
        }
        self.progress(fx);
        Ok(())
    }

    fn is_proposer(&self, round: Round) -> bool {
        Self::proposer(&self.validators, self.height, round) == Some(self.me)
    }

    fn my_index(&self) -> Option<u16> {
        self.validators.index_of(&self.me)
    }

    /// L11-L21: StartRound(round).
    fn start_round(&mut self, round: Round, fx: &mut Effects<V>) {
        self.round = round;
        self.step = Step::Propose;
        self.prevote_timeout_scheduled = false;
        self.precommit_timeout_scheduled = false;
        self.l36_done = false;
        self.propose_expired = false;
        self.prune();
        if self.is_proposer(round) {
            if self.signed_proposals.contains_key(&round) {
                // Already signed before a crash: re-send the same proposal
                // if its value's body is at hand; never sign another one.
                if let Some(p) = self.own_proposal(round) {
                    fx.push(Effect::Broadcast(Message::Proposal(p.clone())));
                    self.broadcast_pol(&p, fx);
                    self.accept_own_proposal(p);
                }
            } else if let Some((vr, id)) = self.valid {
                // L15-L16: re-propose validValue with its validRound.
                self.propose_valid(vr, id, fx);
            } else {
                // L18: getValue() is asked of the host.
                fx.push(Effect::BuildProposal { height: self.height, round });
            }
        }
        // L21 (also for the proposer, so a host that never builds cannot stall the round).
        self.schedule(TimeoutKind::Propose, fx);
    }

    /// Whether this round's proposal has been received and its validation
    /// (the host's `ValueValidated`) is still outstanding.
    fn proposal_awaits_validation(&self) -> bool {
        self.proposals
            .get(&self.round)
            .and_then(|ps| ps.first())
            .is_some_and(|p| !self.validity.contains_key(&p.value.id()))
    }

    fn schedule(&self, step: TimeoutKind, fx: &mut Effects<V>) {
        fx.push(Effect::ScheduleTimeout {
            height: self.height,
            round: self.round,
            step,
            duration_ms: self.config.timeout_ms(step, self.round),
        });
    }

    /// Drops votes and proposals of rounds too far below the current one.
    fn prune(&mut self) {
        let floor = self.round.saturating_sub(self.config.max_past_rounds);
        if floor == 0 {
            return;
        }
        let keep: BTreeSet<Round> = [self.locked, self.valid].into_iter().flatten().map(|(r, _)| r).collect();
        self.rounds.retain(|r, _| *r >= floor || keep.contains(r));
        self.proposals.retain(|r, _| *r >= floor || keep.contains(r));
        self.signed_votes.retain(|(r, _), _| *r >= floor);
        self.signed_proposals.retain(|r, _| *r >= floor);
    }

    /// L19: broadcast ⟨PROPOSAL, h, r, v, vr⟩, persisting it first.
    fn propose(&mut self, value: V, pol_round: Option<Round>, fx: &mut Effects<V>) {
        let p = match Proposal::sign_with(&self.key, &self.config.chain_id, self.height, self.round, pol_round, value) {
            Ok(p) => p,
            Err(error) => {
                // Nothing signed, nothing sent: this round goes without our
                // proposal (liveness only; the others time out and move on).
                fx.push(Effect::SignFailed { height: self.height, round: self.round, step: SignStep::Proposal, error });
                return;
            }
        };
        self.signed_proposals.insert(self.round, p.signed_data());
        fx.push(Effect::PersistSafety(self.safety_state()));
        fx.push(Effect::Broadcast(Message::Proposal(p.clone())));
        self.broadcast_pol(&p, fx);
        self.accept_own_proposal(p);
    }

    /// L16: propose validValue, known here by its id, with its validRound.
    /// The body is taken from the proposals that carried it at this height.
    /// After a restart it may not have arrived again: then nothing is
    /// proposed in this round (it times out, L57), because proposing any
    /// other value would break L16 and a body cannot be signed unseen. Only
    /// liveness is lost, and only for this round.
    fn propose_valid(&mut self, vr: Round, id: Hash, fx: &mut Effects<V>) {
        if let Some(v) = self.value_by_id(&id).cloned() {
            self.propose(v, Some(vr), fx);
        }
    }

    /// The proposal this validator signed for `round`, with its value's body,
    /// if that body is at hand (the persisted state keeps only the signed part).
    fn own_proposal(&self, round: Round) -> Option<Proposal<V>> {
        let sd = self.signed_proposals.get(&round)?;
        let value = self.value_by_id(&sd.data.value_id)?.clone();
        Some(Proposal {
            height: sd.data.height,
            round: sd.data.round,
            pol_round: sd.data.pol_round,
            value,
            proposer: sd.proposer,
            signature: sd.signature,
        })
    }

    /// With a re-proposal (L16, `vr ≥ 0`) also send the 2f+1 prevotes of round
    /// `vr` that justify it, as Tendermint's gossip does: peers need them for L28.
    fn broadcast_pol(&self, p: &Proposal<V>, fx: &mut Effects<V>) {
        let Some(vr) = p.pol_round else { return };
        let id = p.value.id();
        if let Some(rv) = self.rounds.get(&vr) {
            for v in rv.prevotes.votes_for(&id) {
                fx.push(Effect::Broadcast(Message::Vote(v.clone())));
            }
        }
    }

    fn accept_own_proposal(&mut self, p: Proposal<V>) {
        self.validity.insert(p.value.id(), true);
        let kept = self.proposals.entry(p.round).or_default();
        if kept.is_empty() {
            kept.push(p);
        }
    }

    /// Signs (or, if already signed for this round and kind, re-sends) a vote.
    /// Persist-before-send: the new signature is in the persisted state before
    /// the broadcast effect. Returns the block hash actually voted.
    fn vote(&mut self, kind: VoteKind, id: Hash, fx: &mut Effects<V>) -> Hash {
        let key = (self.round, kind_tag(kind));
        if let Some(v) = self.signed_votes.get(&key).cloned() {
            fx.push(Effect::Broadcast(Message::Vote(v.clone())));
            return v.data.block_hash;
        }
        if self.my_index().is_none() {
            return id; // observers never sign
        }
        let data = VoteData { kind, height: self.height, round: self.round, block_hash: id };
        let vote = match Vote::sign_with(&self.key, &self.config.chain_id, data) {
            Ok(v) => v,
            Err(error) => {
                // Nothing signed, nothing sent or recorded: this validator
                // misses the step (liveness only; the timeouts move the round on).
                fx.push(Effect::SignFailed { height: self.height, round: self.round, step: kind.into(), error });
                return id;
            }
        };
        self.signed_votes.insert(key, vote.clone());
        fx.push(Effect::PersistSafety(self.safety_state()));
        fx.push(Effect::Broadcast(Message::Vote(vote.clone())));
        self.count_own_vote(vote);
        id
    }

    fn count_own_vote(&mut self, vote: Vote) {
        if let Some(i) = self.my_index() {
            let power = self.validators.get(i).map(|v| v.power).unwrap_or(0);
            let _ = self.rounds.entry(vote.data.round).or_default().add(i, power, vote);
        }
    }

    fn prevote(&mut self, id: Hash, fx: &mut Effects<V>) {
        self.step = Step::Prevote;
        self.vote(VoteKind::Prevote, id, fx);
    }

    fn precommit(&mut self, id: Hash, fx: &mut Effects<V>) {
        self.step = Step::Precommit;
        self.vote(VoteKind::Precommit, id, fx);
    }

    /// Common checks of a message for the current height; returns the sender's
    /// index and power, or `None` if the message was handled otherwise (stale or buffered).
    fn admit(
        &mut self,
        height: Height,
        round: Round,
        signer: PublicKey,
        buffer_key: u8,
        msg: impl FnOnce() -> Message<V>,
        fx: &mut Effects<V>,
    ) -> Result<Option<(u16, u64)>, ConsensusError> {
        if height < self.height || (height == self.height && self.step == Step::Commit) {
            self.stats.stale += 1;
            return Ok(None);
        }
        let index = self.validators.index_of(&signer).ok_or(ConsensusError::NotAValidator { key: signer, height })?;
        let power = self.validators.get(index).map(|v| v.power).unwrap_or(0);
        if height > self.height {
            // Catch-up: remember the highest height each validator speaks at.
            let seen = self.seen_heights.entry(index).or_insert(0);
            *seen = (*seen).max(height);
            self.maybe_request_sync(fx);
            if height == self.height + 1 && round <= self.config.max_future_rounds {
                let m = msg();
                match &m {
                    Message::Proposal(p) => p.verify(&self.config.chain_id)?,
                    Message::Vote(v) => {
                        v.verify(&self.config.chain_id).map_err(|_| ConsensusError::BadSignature { signer })?
                    }
                }
                // A proposal different from the one buffered for the round
                // takes the second slot: as in the current height, both of
                // an equivocating proposer's values are kept (L36, L49).
                let mut key = (signer, round, buffer_key);
                if let (Message::Proposal(p), Some(Message::Proposal(q))) = (&m, self.next_height.get(&key)) {
                    if p.data() != q.data() {
                        key.2 = SECOND_PROPOSAL_TAG;
                    }
                }
                if let std::collections::btree_map::Entry::Vacant(e) = self.next_height.entry(key) {
                    e.insert(m);
                    self.stats.buffered += 1;
                }
            }
            return Ok(None);
        }
        if round > self.round.saturating_add(self.config.max_future_rounds) {
            // L55 beyond the window: the message is not kept (memory bound),
            // but its signer is known to have reached `round`. Recorded only
            // from a verified signature, so that no one can claim rounds for
            // others, and only when it raises what we know of the signer.
            if self.seen_rounds.get(&index).is_none_or(|r| *r < round) {
                match msg() {
                    Message::Proposal(p) => p.verify(&self.config.chain_id)?,
                    Message::Vote(v) => {
                        v.verify(&self.config.chain_id).map_err(|_| ConsensusError::BadSignature { signer })?
                    }
                }
                self.seen_rounds.insert(index, round);
                if let Some(r) = self.round_to_skip() {
                    self.start_round(r, fx);
                }
            }
            if round > self.round.saturating_add(self.config.max_future_rounds) {
                return Err(ConsensusError::RoundTooFar {
                    round,
                    current: self.round,
                    max_ahead: self.config.max_future_rounds,
                });
            }
        }
        Ok(Some((index, power)))
    }

    /// Records that validator `index` sent a verified message of `round`.
    fn note_round(&mut self, index: u16, round: Round) {
        let seen = self.seen_rounds.entry(index).or_insert(round);
        *seen = (*seen).max(round);
    }

    /// L55 generalised: the highest round `r` above ours such that validators
    /// holding more than a third of the power (`f + 1` of the paper) have
    /// been seen at rounds `≥ r`. At least one of them is honest, and honest
    /// validators only move forward, so an honest one has reached `r`.
    fn round_to_skip(&self) -> Option<Round> {
        if !self.seen_rounds.values().any(|r| *r > self.round) {
            return None;
        }
        let mut ahead: Vec<(Round, u64)> = self
            .seen_rounds
            .iter()
            .filter(|(_, r)| **r > self.round)
            .map(|(i, r)| (*r, self.validators.get(*i).map(|v| v.power).unwrap_or(0)))
            .collect();
        ahead.sort_by_key(|x| std::cmp::Reverse(x.0));
        let f1 = self.validators.one_third_plus();
        let mut acc = 0u64;
        for (r, p) in ahead {
            acc = acc.saturating_add(p);
            if acc >= f1 {
                return Some(r);
            }
        }
        None
    }

    /// RequestSync once validators with more than a third of the power are above our height.
    fn maybe_request_sync(&mut self, fx: &mut Effects<V>) {
        let mut heights: Vec<(Height, u64)> = self
            .seen_heights
            .iter()
            .map(|(i, h)| (*h, self.validators.get(*i).map(|v| v.power).unwrap_or(0)))
            .collect();
        heights.sort_by_key(|x| std::cmp::Reverse(x.0));
        let mut acc = 0u64;
        for (h, p) in heights {
            acc = acc.saturating_add(p);
            if acc >= self.validators.one_third_plus() {
                // Someone honest is at `h`, so every height below it is certified.
                let target = h.saturating_sub(1);
                if target >= self.height && self.sync_requested.is_none_or(|s| s < target) {
                    self.sync_requested = Some(target);
                    fx.push(Effect::RequestSync { height: target });
                }
                return;
            }
        }
    }

    fn on_proposal(&mut self, p: Proposal<V>, verified: bool, fx: &mut Effects<V>) -> Result<(), ConsensusError> {
        let (height, round, signer) = (p.height, p.round, p.proposer);
        let Some((index, _)) = self.admit(height, round, signer, PROPOSAL_TAG, || Message::Proposal(p.clone()), fx)?
        else {
            return Ok(());
        };
        let expected = Self::proposer(&self.validators, height, round).unwrap_or(signer);
        if expected != signer {
            return Err(ConsensusError::WrongProposer { round, expected, got: signer });
        }
        if let Some(vr) = p.pol_round {
            if vr >= round {
                return Err(ConsensusError::InvalidPolRound { round, pol_round: vr });
            }
        }
        let kept = self.proposals.get(&round).map(Vec::as_slice).unwrap_or_default();
        let data = p.data();
        if kept.iter().any(|q| q.data() == data) {
            self.stats.duplicates += 1;
            return Ok(());
        }
        if kept.len() >= MAX_PROPOSALS_PER_ROUND {
            // A third value: the equivocation is already proven and reported.
            self.stats.equivocations += 1;
            return Ok(());
        }
        if !verified {
            p.verify(&self.config.chain_id)?;
        }
        if let Some(first) = kept.first() {
            // Two different signed proposals for (h, r) from the proposer:
            // evidence (SPEC §9), and the second is kept as well, since it
            // may be the one that gathers 2f+1 prevotes (L36, L49).
            self.stats.equivocations += 1;
            fx.push(Effect::ProposalEvidence(DoubleProposal { a: first.signed_data(), b: p.signed_data() }));
        } else {
            self.stats.proposals_accepted += 1;
        }
        self.note_round(index, round);
        let id = p.value.id();
        if !self.validity.contains_key(&id) && self.validation_requested.insert(id) {
            fx.push(Effect::ValidateValue { height, round, value: p.value.clone() });
        }
        self.proposals.entry(round).or_default().push(p);
        self.progress(fx);
        Ok(())
    }

    fn on_vote(&mut self, v: Vote, verified: bool, fx: &mut Effects<V>) -> Result<(), ConsensusError> {
        let (height, round, signer, kind) = (v.data.height, v.data.round, v.validator, v.data.kind);
        let Some((index, power)) =
            self.admit(height, round, signer, kind_tag(kind), || Message::Vote(v.clone()), fx)?
        else {
            return Ok(());
        };
        let rv = self.rounds.entry(round).or_default();
        if rv.is_duplicate(index, &v) {
            self.stats.duplicates += 1;
            return Ok(());
        }
        if !verified {
            v.verify(&self.config.chain_id).map_err(|_| ConsensusError::BadSignature { signer })?;
        }
        self.note_round(index, round);
        let rv = self.rounds.entry(round).or_default();
        match rv.add(index, power, v.clone()) {
            AddVote::Added => self.stats.votes_accepted += 1,
            AddVote::Duplicate => self.stats.duplicates += 1,
            AddVote::Conflict(old) => {
                self.stats.equivocations += 1;
                if self.reported.insert((index, round, kind_tag(kind))) {
                    fx.push(Effect::Evidence(DoubleVote { a: old, b: v }));
                }
                return Ok(());
            }
        }
        self.progress(fx);
        Ok(())
    }

    fn on_timeout(&mut self, height: Height, round: Round, step: TimeoutKind, fx: &mut Effects<V>) {
        if height != self.height || round != self.round || self.step == Step::Commit {
            return;
        }
        match step {
            // L57-L60: OnTimeoutPropose while step = propose: prevote nil.
            // Deviation: the paper's valid(v) is instantaneous; here the host
            // validates (executes) a received proposal asynchronously, and a
            // large block may take longer than the timeout. A proposal that
            // arrived in time is not voted nil for the host's slowness: the
            // prevote waits for its validation (bounded by the block size
            // limit), then L22/L28 decide, or nil if neither applies
            // (`step_once`). Waiting longer before a prevote is what any slow
            // validator does, so safety is unaffected.
            TimeoutKind::Propose if self.step == Step::Propose => {
                self.propose_expired = true;
                if !self.proposal_awaits_validation() {
                    self.prevote(Hash::ZERO, fx);
                }
            }
            // L61-L64: OnTimeoutPrevote while step = prevote: precommit nil.
            TimeoutKind::Prevote if self.step == Step::Prevote => self.precommit(Hash::ZERO, fx),
            // L65-L67: OnTimeoutPrecommit: StartRound(round + 1).
            TimeoutKind::Precommit => self.start_round(round.saturating_add(1), fx),
            _ => {}
        }
    }

    fn on_certified(&mut self, value: V, cert: Certificate, fx: &mut Effects<V>) -> Result<(), ConsensusError> {
        if self.step == Step::Commit || cert.data.height < self.height {
            self.stats.stale += 1;
            return Ok(());
        }
        let id = value.id();
        if cert.data.kind != VoteKind::Precommit
            || cert.data.height != self.height
            || cert.data.block_hash != id
            || id == Hash::ZERO
        {
            return Err(ConsensusError::CertificateMismatch {
                value: id,
                height: self.height,
                certified: cert.data.block_hash,
                certified_height: cert.data.height,
            });
        }
        cert.verify(&self.config.chain_id, &self.validators)?;
        // Deviation (sync): a commit certificate alone decides the height.
        self.step = Step::Commit;
        self.last_commit_votes.clear();
        self.proposals.clear();
        self.restored_values.clear();
        fx.push(Effect::Commit { height: self.height, round: cert.data.round, value, certificate: cert });
        Ok(())
    }

    /// Value with id `id` among the proposals kept at this height (the
    /// locked and valid rounds' proposals are never pruned) and the bodies
    /// the host fed back after a restart.
    fn value_by_id(&self, id: &Hash) -> Option<&V> {
        self.proposals
            .values()
            .flatten()
            .map(|p| &p.value)
            .find(|v| v.id() == *id)
            .or_else(|| self.restored_values.get(id))
    }

    /// Moves the body of the decided value out of the proposals, which the
    /// height no longer needs once it is decided (no clone of the value).
    fn take_value(&mut self, id: &Hash) -> Option<V> {
        let proposals = std::mem::take(&mut self.proposals);
        let mut restored = std::mem::take(&mut self.restored_values);
        proposals.into_values().flatten().map(|p| p.value).find(|v| v.id() == *id).or_else(|| restored.remove(id))
    }

    /// `Input::RestoredValue`: keeps the body if this engine needs it (its
    /// locked or valid value, or a proposal it signed), then, if it is the
    /// proposer of the current round and has not proposed yet, does what
    /// `start_round` could not do without the body (L16, or the re-send).
    fn on_restored_value(&mut self, height: Height, value: V, fx: &mut Effects<V>) {
        let id = value.id();
        let needed = [self.locked, self.valid].into_iter().flatten().any(|(_, v)| v == id)
            || self.signed_proposals.values().any(|p| p.data.value_id == id);
        if height != self.height || self.step == Step::Commit || !needed || self.value_by_id(&id).is_some() {
            return;
        }
        self.restored_values.insert(id, value);
        let round = self.round;
        let proposed = self.proposals.get(&round).is_some_and(|ps| ps.iter().any(|p| p.proposer == self.me));
        if self.step != Step::Propose || !self.is_proposer(round) || proposed {
            return;
        }
        if self.signed_proposals.contains_key(&round) {
            if let Some(p) = self.own_proposal(round) {
                fx.push(Effect::Broadcast(Message::Proposal(p.clone())));
                self.broadcast_pol(&p, fx);
                self.accept_own_proposal(p);
            }
        } else if let Some((vr, vid)) = self.valid {
            if vid == id {
                self.propose_valid(vr, vid, fx);
            }
        }
        self.progress(fx);
    }

    /// Applies every enabled rule until none fires.
    fn progress(&mut self, fx: &mut Effects<V>) {
        // Each iteration either fires a rule that changes (round, step) or a
        // first-time flag, or stops; the bound is a guard only.
        for _ in 0..64 {
            if self.step == Step::Commit || !self.step_once(fx) {
                return;
            }
        }
    }

    fn step_once(&mut self, fx: &mut Effects<V>) -> bool {
        let quorum = self.validators.quorum();
        // L49-L54: upon ⟨PROPOSAL, h, r, v, *⟩ and 2f+1 ⟨PRECOMMIT, h, r, id(v)⟩ (any round r): decide.
        let decided = self.rounds.iter().find_map(|(r, rv)| rv.precommits.quorum_value(quorum).map(|id| (*r, id)));
        if let Some((r, id)) = decided {
            if self.value_by_id(&id).is_some() {
                let data = VoteData { kind: VoteKind::Precommit, height: self.height, round: r, block_hash: id };
                let votes: Vec<Vote> =
                    self.rounds.get(&r).map(|rv| rv.precommits.votes_for(&id).cloned().collect()).unwrap_or_default();
                let certificate = Certificate::from_votes(data, &self.validators, &votes);
                self.last_commit_votes = votes;
                self.step = Step::Commit;
                if let Some(value) = self.take_value(&id) {
                    fx.push(Effect::Commit { height: self.height, round: r, value, certificate });
                }
                return true;
            }
            // A commit quorum for a value we never received: fetch it by sync.
            if self.sync_requested.is_none_or(|s| s < self.height) {
                self.sync_requested = Some(self.height);
                fx.push(Effect::RequestSync { height: self.height });
            }
        }
        // L55-L56: upon f+1 messages of (h, round, *) with round > round_p:
        // StartRound(round); generalised to "validators of more than a third
        // of the power seen at rounds ≥ round" (`round_to_skip`).
        if let Some(r) = self.round_to_skip() {
            self.start_round(r, fx);
            return true;
        }
        let round = self.round;
        if self.step == Step::Propose {
            // Any proposal of the round's proposer may enable L22 or L28 (an
            // equivocating proposer's first one need not be the one that can).
            let mut prevote = None;
            for p in self.proposals.get(&round).into_iter().flatten() {
                let id = p.value.id();
                let Some(valid) = self.validity.get(&id).copied() else { continue };
                match p.pol_round {
                    // L22-L27: upon ⟨PROPOSAL, h, r, v, −1⟩ from proposer(h, r) while step = propose.
                    None => {
                        let ok = valid && self.locked.is_none_or(|(_, lid)| lid == id);
                        prevote = Some(if ok { id } else { Hash::ZERO });
                    }
                    // L28-L33: upon ⟨PROPOSAL, h, r, v, vr⟩ and 2f+1 ⟨PREVOTE, h, vr, id(v)⟩ while step = propose ∧ 0 ≤ vr < r.
                    Some(vr) => {
                        if self.rounds.get(&vr).is_some_and(|rv| rv.prevotes.power_for(&id) >= quorum) {
                            let ok = valid && self.locked.is_none_or(|(lr, lid)| lr <= vr || lid == id);
                            prevote = Some(if ok { id } else { Hash::ZERO });
                        }
                    }
                }
                if prevote.is_some() {
                    break;
                }
            }
            if let Some(id) = prevote {
                self.prevote(id, fx);
                return true;
            }
        }
        // L57-L60, deferred (see `on_timeout`): the proposal's validation
        // came back, and neither L22 nor L28 applied.
        if self.step == Step::Propose && self.propose_expired && !self.proposal_awaits_validation() {
            self.prevote(Hash::ZERO, fx);
            return true;
        }
        let Some(rv) = self.rounds.get(&round) else { return false };
        let prevote_total = rv.prevotes.total;
        let precommit_total = rv.precommits.total;
        let nil_prevotes = rv.prevotes.power_for(&Hash::ZERO);
        // L36-L43: upon ⟨PROPOSAL, h, r, v, *⟩ and 2f+1 ⟨PREVOTE, h, r, id(v)⟩ while valid(v) ∧ step ≥ prevote, first time.
        // Any kept proposal of the round's proposer qualifies, not only the first received.
        if !self.l36_done && self.step >= Step::Prevote {
            let polka = self.proposals.get(&round).into_iter().flatten().find(|p| {
                let id = p.value.id();
                rv.prevotes.power_for(&id) >= quorum && self.validity.get(&id) == Some(&true)
            });
            if let Some(id) = polka.map(|p| p.value.id()) {
                self.l36_done = true;
                if self.step == Step::Prevote {
                    // L38-L41: lock, then precommit (the lock is in the persisted state before the vote leaves).
                    self.locked = Some((round, id));
                    self.valid = Some((round, id));
                    self.precommit(id, fx);
                } else {
                    self.valid = Some((round, id)); // L42-L43
                }
                return true;
            }
        }
        // L34-L35: upon 2f+1 ⟨PREVOTE, h, r, *⟩ while step = prevote, first time: schedule timeoutPrevote.
        if self.step == Step::Prevote && !self.prevote_timeout_scheduled && prevote_total >= quorum {
            self.prevote_timeout_scheduled = true;
            self.schedule(TimeoutKind::Prevote, fx);
            return true;
        }
        // L44-L46: upon 2f+1 ⟨PREVOTE, h, r, nil⟩ while step = prevote: precommit nil.
        if self.step == Step::Prevote && nil_prevotes >= quorum {
            self.precommit(Hash::ZERO, fx);
            return true;
        }
        // L47-L48: upon 2f+1 ⟨PRECOMMIT, h, r, *⟩ for the first time: schedule timeoutPrecommit.
        if !self.precommit_timeout_scheduled && precommit_total >= quorum {
            self.precommit_timeout_scheduled = true;
            self.schedule(TimeoutKind::Precommit, fx);
            return true;
        }
        false
    }
}
