//! `tamga-signer`, a separate process that holds a validator's consensus
//! key, and the validator's client for it (in the spirit of tmkms).
//!
//! ```text
//!   tamgad (validator) ── RemoteSigner ══ Noise XX, pinned keys ══► tamga-signer
//!                                                                    │ Guard: last signed (h, r, step, value)
//!                                                                    │        fsynced before the answer
//!                                                                    ▼
//!                                                                 SigningBackend (key file; PKCS#11 later)
//! ```
//!
//! The validator's own safety state is persisted before a vote leaves it
//! (STYLE principle 3); the signer's [`guard`] is a second, independent line:
//! a validator whose safety state was lost or rolled back still cannot get
//! two conflicting signatures for one (height, round, step).
//!
//! Modules: [`transport`] (the Noise channel and its frames), [`guard`] (the
//! double-sign rules and the state file), [`server`] (the signer's config,
//! key sources and listener), [`client`] (the validator side).
//!
//! ## Protocol
//! After the handshake the validator sends one [`Request`] per transport
//! message and the signer answers each with one [`Response`], both borsh,
//! decoded with [`tamga_types::codec::decode`] under `max_frame_bytes`.
//! Described for third parties in `docs/operations.md` ("Remote signer").

pub mod client;
pub mod guard;
pub mod server;
pub mod transport;

use borsh::{BorshDeserialize, BorshSerialize};
use tamga_types::block::VoteData;
use tamga_types::crypto::{PublicKey, Signature};
use tamga_types::evidence::ProposalData;

pub use client::{RemoteSigner, RemoteSignerConfig, RemoteSignerError};
pub use guard::{GuardRefusal, Hrs, Step};
pub use server::{KeySource, RunningSigner, SignerConfig, SigningBackend};
pub use transport::{IdentityKey, IdentityPublic};

/// A request from a validator.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum Request {
    /// The consensus public key the signer holds.
    PublicKey,
    /// Sign a prevote or precommit.
    SignVote {
        /// The chain (must be the signer's pinned chain).
        chain_id: String,
        /// What to sign ([`VoteData::signing_message`]).
        data: VoteData,
    },
    /// Sign a proposal.
    SignProposal {
        /// The chain (must be the signer's pinned chain).
        chain_id: String,
        /// What to sign ([`ProposalData::signing_message`]).
        data: ProposalData,
    },
}

/// The signer's answer.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum Response {
    /// The consensus public key.
    PublicKey(PublicKey),
    /// The signature over the request's signing message.
    Signed(Signature),
    /// Not signed, and why.
    Refused(Refusal),
}

/// Why the signer did not sign: a typed answer, never a signature.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, BorshSerialize, BorshDeserialize)]
pub enum Refusal {
    /// The request names another chain than the signer's `chain_id`.
    #[error("wrong chain: the signer signs for chain_id {expected:?}, the request is for {got:?}")]
    WrongChain {
        /// The signer's pinned chain.
        expected: String,
        /// The requested chain.
        got: String,
    },
    /// The double-sign guard refused it.
    #[error("double-sign guard: {0}")]
    Guard(GuardRefusal),
    /// The new state could not be persisted, so nothing was signed.
    #[error("the signer could not persist its state ({reason}); nothing was signed")]
    StateNotPersisted {
        /// The I/O error, in words.
        reason: String,
    },
    /// The request could not be decoded.
    #[error("malformed request: {reason}")]
    Malformed {
        /// The decoder's explanation.
        reason: String,
    },
    /// The key backend failed to sign.
    #[error("the signing backend failed: {reason}")]
    Backend {
        /// The backend's error, in words.
        reason: String,
    },
}
