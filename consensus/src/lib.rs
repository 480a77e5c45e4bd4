//! # tamga-consensus
//!
//! Tendermint BFT consensus (Buchman, Kwon, Milosevic, *The latest gossip on
//! BFT consensus*, arXiv:1807.04938, Algorithm 1) as a **pure, deterministic
//! state machine** (SPEC §9, STYLE principle 1). It decides one value per
//! height among `n = 3f + 1` validators weighted by voting power: no two
//! honest validators decide different values at a height whatever `f`
//! Byzantine validators and the network do, and a height is decided at
//! network speed once more than two thirds of the power is honest and
//! connected. A decision is final and carries a commit certificate
//! (precommits of more than two thirds of the power).
//!
//! ## Data flow
//!
//! ```text
//!  network / timers / executor ──Input──▶ Engine::handle ──Vec<Effect>──▶ host (node)
//! ```
//!
//! [`Engine::handle`] does no I/O, reads no clock and draws no randomness:
//! the host feeds [`Input`]s and executes the returned [`Effect`]s in order.
//!
//! * Inputs: `StartHeight { height, validators }`, `Proposal`, `Vote`,
//!   `ProposalBuilt` (answer to `BuildProposal`), `ValueValidated` (answer to
//!   `ValidateValue`), `TimeoutElapsed`, `CertifiedValue` (sync, answer to
//!   `RequestSync`), `Rebroadcast` (periodic retransmission), `RestoredValue`
//!   (a value's body the host kept, fed back after a restart).
//! * Effects: `PersistSafety`, `Broadcast`, `BuildProposal`, `ValidateValue`,
//!   `ScheduleTimeout`, `Commit`, `Evidence`, `ProposalEvidence`,
//!   `RequestSync`, `Rejected`. Each variant's doc says what the host must do.
//!
//! The value is generic ([`Value`]); the node uses [`tamga_types::Block`]
//! (id = header hash), the simulator a tiny test value. The engine decides on
//! value ids, as Malachite splits value and value id: it tallies, locks and
//! persists `(round, id)` and its own signed messages, and holds a value's
//! body only in the (bounded) proposals that carried it, so the persisted
//! [`SafetyState`] never contains a block.
//!
//! ## Invariants
//!
//! * **Persist before sign.** Every newly signed vote or proposal is preceded
//!   in the same batch by `Effect::PersistSafety` carrying it; an engine
//!   restored from that state ([`Engine::restore`]) re-sends the same
//!   signature for an already signed `(height, round, kind)` and never signs
//!   a different one (a signed proposal whose value's body is not at hand
//!   after the restart is not re-sent, and no other is signed in its place).
//! * **A signer may fail, never sign twice.** Keys are reached through
//!   [`tamga_types::ConsensusSigner`]; when it gives no signature the engine
//!   sends and records nothing for that step (`Effect::SignFailed`): the
//!   validator misses the step, which costs liveness only.
//! * **Bounded memory.** Only messages of the current height are tallied, for
//!   rounds up to `round + max_future_rounds`; rounds older than
//!   `max_past_rounds` are pruned; at most one proposal and one vote per kind
//!   per validator and round are buffered for the next height; at most two
//!   proposals per round are kept; of rounds beyond the window only the
//!   highest verified round per validator is remembered (L55); only members
//!   of the validator set are counted.
//! * **Validated inputs.** Bad signatures, non-members, wrong proposers and
//!   rounds too far ahead are rejected (`Effect::Rejected`, [`Stats`]);
//!   messages of past heights are counted as stale. Nothing panics on
//!   untrusted input.
//! * **Accountability.** Two conflicting votes (same height, round and kind)
//!   from one validator yield a [`DoubleVote`]; two different proposals for
//!   one height and round from the proposer yield a [`DoubleProposal`]; the
//!   host records both on chain as [`tamga_types::Evidence`] (SPEC §9).
//! * **Heights are driven by the host**: after `Commit` the host executes the
//!   block and sends `StartHeight` for the next height with that height's
//!   validator set, so validator-set changes agreed on chain take effect at a
//!   defined height for everyone.
//!
//! See `consensus/README.md` for the safety and liveness argument and every
//! deviation from the paper.

mod engine;
mod error;
mod io;
mod message;
mod votes;

pub use engine::Engine;
pub use error::ConsensusError;
pub use io::{Config, Effect, Input, Stats};
pub use message::{Message, Proposal, SafetyState, Step, TimeoutKind, Value};
pub use tamga_types::{DoubleProposal, DoubleVote, Hash, ProposalData, SignedProposalData};
