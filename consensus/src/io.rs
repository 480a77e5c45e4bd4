//! The engine's interface: [`Input`]s the host feeds, [`Effect`]s the host
//! executes, and the [`Config`] of timeouts and bounds.

use tamga_types::{Certificate, DoubleProposal, DoubleVote, Height, Round, ValidatorSet, Vote};

use crate::message::{Message, Proposal, SafetyState, TimeoutKind};
use crate::{ConsensusError, Hash};

/// Something that happened outside the engine.
#[derive(Clone, Debug)]
pub enum Input<V> {
    /// Start deciding `height` with `validators` (the set that certifies this
    /// height, as agreed by the chain). Heights only move forward; the host
    /// sends it at boot and after executing each `Effect::Commit`.
    StartHeight {
        /// Height to decide.
        height: Height,
        /// Validator set for that height.
        validators: ValidatorSet,
    },
    /// A proposal received from the network.
    Proposal(Proposal<V>),
    /// A vote received from the network.
    Vote(Vote),
    /// Answer to `Effect::BuildProposal`.
    ProposalBuilt {
        /// Height asked for.
        height: Height,
        /// Round asked for.
        round: Round,
        /// The new value.
        value: V,
    },
    /// Answer to `Effect::ValidateValue`.
    ValueValidated {
        /// Height of the proposal.
        height: Height,
        /// Round of the proposal.
        round: Round,
        /// `Value::id` of the checked value.
        id: Hash,
        /// Whether the value is valid (`valid(v)` of the paper).
        valid: bool,
    },
    /// A timer scheduled by `Effect::ScheduleTimeout` fired.
    TimeoutElapsed {
        /// Height it was scheduled for.
        height: Height,
        /// Round it was scheduled for.
        round: Round,
        /// Which timeout.
        step: TimeoutKind,
    },
    /// A value with its commit certificate fetched by sync (answer to
    /// `Effect::RequestSync`). Committed if the certificate verifies against
    /// the current height's validator set.
    CertifiedValue {
        /// The value.
        value: V,
        /// Precommit certificate on `value.id()`.
        certificate: Certificate,
    },
    /// The body of a value of `height` that the host kept durably (Malachite's
    /// split of value and value id: the engine persists ids only). After a
    /// restart the engine knows its locked and valid values and the values of
    /// the proposals it signed by id alone; the host feeds back the bodies it
    /// kept (the values it validated or built at that height) so that the
    /// engine can re-propose its validValue (L16) or re-send a signed
    /// proposal. A value whose id is none of those is ignored.
    RestoredValue {
        /// Height the value was proposed at.
        height: Height,
        /// The value.
        value: V,
    },
    /// Ask the engine to re-send its own messages of the current round (the
    /// host calls it periodically; it stands in for gossip retransmission so
    /// that messages lost before GST do not stall the round).
    Rebroadcast,
}

/// Something the host must do. Effects of one batch are executed in order.
#[derive(Clone, Debug)]
pub enum Effect<V> {
    /// Durably write the state (fsync) before executing any later effect of
    /// this batch; on restart pass it to `Engine::restore`. Nothing is fed back.
    PersistSafety(SafetyState),
    /// Send the message to every validator (and observers). Do not feed it back.
    Broadcast(Message<V>),
    /// Build a new value for `(height, round)`; answer with `Input::ProposalBuilt`.
    BuildProposal {
        /// Height.
        height: Height,
        /// Round.
        round: Round,
    },
    /// Check (execute) `value`; answer with `Input::ValueValidated`. A host
    /// that answers `valid` keeps the body durably for the height first (it
    /// feeds it back as `Input::RestoredValue` after a restart): the engine
    /// can only lock on a value it was told is valid, and persists its id
    /// alone. A proposer keeps its own built value (`Input::ProposalBuilt`)
    /// the same way.
    ValidateValue {
        /// Height.
        height: Height,
        /// Round of the proposal carrying it.
        round: Round,
        /// The value.
        value: V,
    },
    /// After `duration_ms` feed `Input::TimeoutElapsed { height, round, step }`.
    ScheduleTimeout {
        /// Height.
        height: Height,
        /// Round.
        round: Round,
        /// Which timeout.
        step: TimeoutKind,
        /// Delay in milliseconds.
        duration_ms: u64,
    },
    /// `value` is final at `height`. Execute and persist it with `certificate`,
    /// then send `Input::StartHeight` for `height + 1`.
    Commit {
        /// Height decided.
        height: Height,
        /// Round in which the certificate was formed.
        round: Round,
        /// The decided value.
        value: V,
        /// Precommit quorum certificate on `value.id()` (the commit certificate).
        certificate: Certificate,
    },
    /// Two conflicting signed votes by one validator: record on chain as
    /// `tamga_types::Evidence::DoubleVote` (SPEC §9).
    Evidence(DoubleVote),
    /// Two conflicting signed proposals by one proposer: record on chain as
    /// `tamga_types::Evidence::DoubleProposal` (SPEC §9).
    ProposalEvidence(DoubleProposal),
    /// Validators with more than a third of the power are at heights above
    /// ours (or a commit quorum exists for a value we lack): fetch certified
    /// values for every height from the current one up to `height` inclusive
    /// and feed them in order as `Input::CertifiedValue`.
    RequestSync {
        /// Highest height known to be certified.
        height: Height,
    },
    /// An input was rejected (bad signature, not a validator, wrong proposer,
    /// round too far ahead, invalid certificate, ...). Informational: the host
    /// may count it or penalise the peer. Stale messages of past heights are
    /// only counted in `Stats`, not reported.
    Rejected(ConsensusError),
    /// The signer gave no signature for our own proposal or vote, so nothing
    /// was sent or recorded for that step (the validator misses it; safety is
    /// unaffected). Informational: the host logs and counts it. Nothing is fed back.
    SignFailed {
        /// Height of the step.
        height: Height,
        /// Round of the step.
        round: Round,
        /// Which signature.
        step: tamga_types::SignStep,
        /// Why the signer gave none.
        error: tamga_types::SignError,
    },
}

/// Timeouts (`timeout = base + round * delta`, Tendermint's linear growth) and
/// memory bounds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Chain id mixed into every signature.
    pub chain_id: String,
    /// `timeoutPropose(0)` in ms.
    pub propose_base_ms: u64,
    /// Added to `timeoutPropose` per round.
    pub propose_delta_ms: u64,
    /// `timeoutPrevote(0)` in ms.
    pub prevote_base_ms: u64,
    /// Added to `timeoutPrevote` per round.
    pub prevote_delta_ms: u64,
    /// `timeoutPrecommit(0)` in ms.
    pub precommit_base_ms: u64,
    /// Added to `timeoutPrecommit` per round.
    pub precommit_delta_ms: u64,
    /// Messages for rounds more than this far above the current one are rejected.
    pub max_future_rounds: u32,
    /// Votes of rounds more than this far below the current one are pruned
    /// (except the locked and valid rounds).
    pub max_past_rounds: u32,
}

impl Config {
    /// Defaults tuned for a LAN/WAN devnet: propose 3 s, prevote and precommit
    /// 1 s, each +500 ms per round; 16 future and 64 past rounds kept.
    pub fn new(chain_id: impl Into<String>) -> Self {
        Config {
            chain_id: chain_id.into(),
            propose_base_ms: 3000,
            propose_delta_ms: 500,
            prevote_base_ms: 1000,
            prevote_delta_ms: 500,
            precommit_base_ms: 1000,
            precommit_delta_ms: 500,
            max_future_rounds: 16,
            max_past_rounds: 64,
        }
    }

    /// Duration of the given timeout in `round`.
    pub fn timeout_ms(&self, step: TimeoutKind, round: Round) -> u64 {
        let (base, delta) = match step {
            TimeoutKind::Propose => (self.propose_base_ms, self.propose_delta_ms),
            TimeoutKind::Prevote => (self.prevote_base_ms, self.prevote_delta_ms),
            TimeoutKind::Precommit => (self.precommit_base_ms, self.precommit_delta_ms),
        };
        base.saturating_add(delta.saturating_mul(u64::from(round)))
    }
}

/// Counters of what the engine received and dropped.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Votes accepted into the tally.
    pub votes_accepted: u64,
    /// Proposals accepted.
    pub proposals_accepted: u64,
    /// Exact duplicates ignored.
    pub duplicates: u64,
    /// Messages of past heights ignored.
    pub stale: u64,
    /// Messages for the next height kept until it starts.
    pub buffered: u64,
    /// Inputs rejected (also reported as `Effect::Rejected`).
    pub rejected: u64,
    /// Conflicting votes or proposals detected.
    pub equivocations: u64,
}
