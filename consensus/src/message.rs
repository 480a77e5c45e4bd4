//! What the engine speaks: the proposed [`Value`], signed [`Proposal`]s,
//! the [`Message`] union and the persisted [`SafetyState`]. The signed part
//! of a proposal ([`ProposalData`]) and proposal equivocation evidence
//! ([`tamga_types::DoubleProposal`]) live in `tamga-types`, because blocks
//! carry that evidence.

use std::fmt::Debug;

use borsh::{BorshDeserialize, BorshSerialize};
use tamga_types::{
    Block, ConsensusSigner, Height, ProposalData, PublicKey, Round, SignError, Signature, SignedProposalData,
    SigningKey, Vote, VoteKind,
};

use crate::{ConsensusError, Hash};

/// A value consensus decides on. The engine only looks at its [`Value::id`]:
/// it tallies, locks and persists ids (Malachite's split of value and value
/// id), and holds a body only inside the proposal that carried it. The host
/// builds and validates values (see `Effect::BuildProposal`,
/// `Effect::ValidateValue`). Borsh is needed because proposals carry values
/// on the wire.
pub trait Value: Clone + Eq + Debug + BorshSerialize + BorshDeserialize {
    /// Collision-resistant identity of the value; what votes sign. Must never
    /// be [`Hash::ZERO`] (that is the nil vote).
    fn id(&self) -> Hash;
}

impl Value for Block {
    fn id(&self) -> Hash {
        self.header.hash()
    }
}

/// `⟨PROPOSAL, h, r, v, vr⟩` of the paper, signed by the proposer.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Proposal<V> {
    /// Height.
    pub height: Height,
    /// Round.
    pub round: Round,
    /// Proof-of-lock round, `None` for a fresh value.
    pub pol_round: Option<Round>,
    /// The proposed value.
    pub value: V,
    /// Proposer's consensus key.
    pub proposer: PublicKey,
    /// Signature over [`ProposalData::signing_message`].
    pub signature: Signature,
}

impl<V: Value> Proposal<V> {
    /// Signs a proposal.
    pub fn sign(
        key: &SigningKey,
        chain_id: &str,
        height: Height,
        round: Round,
        pol_round: Option<Round>,
        value: V,
    ) -> Self {
        let data = ProposalData { height, round, pol_round, value_id: value.id() };
        let signature = key.sign(&data.signing_message(chain_id));
        Proposal { height, round, pol_round, value, proposer: key.public(), signature }
    }

    /// Signs a proposal through `signer` (a key file, an HSM, a remote
    /// signer); nothing is built when the signer gives no signature.
    pub fn sign_with(
        signer: &dyn ConsensusSigner,
        chain_id: &str,
        height: Height,
        round: Round,
        pol_round: Option<Round>,
        value: V,
    ) -> Result<Self, SignError> {
        let data = ProposalData { height, round, pol_round, value_id: value.id() };
        let signature = signer.sign_proposal(chain_id, &data)?;
        Ok(Proposal { height, round, pol_round, value, proposer: signer.public_key(), signature })
    }

    /// The signed part.
    pub fn data(&self) -> ProposalData {
        ProposalData { height: self.height, round: self.round, pol_round: self.pol_round, value_id: self.value.id() }
    }

    /// Checks the signature.
    pub fn verify(&self, chain_id: &str) -> Result<(), ConsensusError> {
        self.proposer
            .verify(&self.data().signing_message(chain_id), &self.signature)
            .map_err(|_| ConsensusError::BadSignature { signer: self.proposer })
    }

    /// The signed header of this proposal (for evidence).
    pub fn signed_data(&self) -> SignedProposalData {
        SignedProposalData { data: self.data(), proposer: self.proposer, signature: self.signature }
    }
}

/// A consensus message on the wire.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum Message<V> {
    /// A signed proposal.
    Proposal(Proposal<V>),
    /// A signed prevote or precommit.
    Vote(Vote),
}

/// The step of a round (`step_p` of the paper), plus the terminal `Commit`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, BorshSerialize, BorshDeserialize)]
pub enum Step {
    /// Waiting for the proposal.
    Propose,
    /// Prevoted; waiting for prevotes.
    Prevote,
    /// Precommitted; waiting for precommits.
    Precommit,
    /// Decided this height; waiting for the host's next `StartHeight`.
    Commit,
}

/// Which timeout fired.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, BorshSerialize, BorshDeserialize)]
pub enum TimeoutKind {
    /// `timeoutPropose` (L57).
    Propose,
    /// `timeoutPrevote` (L61).
    Prevote,
    /// `timeoutPrecommit` (L65).
    Precommit,
}

/// Everything a validator must remember across a crash to never sign two
/// conflicting messages (Aptos safety rules; STYLE principle 3). The host
/// persists it durably on every `Effect::PersistSafety` before executing the
/// next effect of the batch and hands it back to `Engine::restore`.
///
/// It holds value ids and signed messages only, never a value's body, so
/// its size does not grow with the block: it is bounded by the validator
/// set (the proof of lock) and the rounds of one height.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct SafetyState {
    /// Height of everything below.
    pub height: Height,
    /// Last round entered.
    pub round: Round,
    /// Last step reached.
    pub step: Step,
    /// `(lockedRound, id(lockedValue))`.
    pub locked: Option<(Round, Hash)>,
    /// `(validRound, id(validValue))`.
    pub valid: Option<(Round, Hash)>,
    /// The 2f+1 prevotes that justify `locked` and `valid` (their proof of
    /// lock): kept so that a restarted validator can still convince others
    /// when it re-proposes its valid value (L16, L28).
    pub pol_votes: Vec<Vote>,
    /// Every vote this validator signed at `height` (at most one per round and kind).
    pub signed_votes: Vec<Vote>,
    /// The signed part of every proposal this validator signed at `height`
    /// (at most one per round). A restarted proposer re-sends one only with
    /// the same value's body at hand, and never signs another for that round.
    pub signed_proposals: Vec<SignedProposalData>,
}

impl SafetyState {
    /// The vote this validator already signed for `(round, kind)` at this height, if any.
    pub fn signed_vote(&self, round: Round, kind: VoteKind) -> Option<&Vote> {
        self.signed_votes.iter().find(|v| v.data.round == round && v.data.kind == kind)
    }
}
