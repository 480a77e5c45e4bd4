//! The seam between the consensus engine and whatever holds a validator's
//! consensus key: a key file in memory, a hardware security module reached
//! through PKCS#11, or a remote signer process with its own double-sign guard.
//!
//! The engine asks for exactly two kinds of signatures, over the same
//! domain-separated messages as always ([`VoteData::signing_message`],
//! [`ProposalData::signing_message`]); an implementation only decides *where*
//! the private key lives and whether it agrees to sign. A signer that fails or
//! refuses costs the validator that step (liveness), never safety: the engine
//! sends nothing it could not sign.
//!
//! This module does no I/O; implementations that do live in `tamga-node`.

use std::fmt;
use std::sync::Arc;

use crate::crypto::{PublicKey, Signature, SigningKey};
use crate::{Height, ProposalData, Round, VoteData, VoteKind};

/// What a consensus signature is for; the unit a signer's own guard tracks
/// as "(height, round, step)".
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SignStep {
    /// A proposal (`⟨PROPOSAL, h, r, v, vr⟩`).
    Proposal,
    /// A prevote.
    Prevote,
    /// A precommit.
    Precommit,
}

impl From<VoteKind> for SignStep {
    fn from(kind: VoteKind) -> Self {
        match kind {
            VoteKind::Prevote => SignStep::Prevote,
            VoteKind::Precommit => SignStep::Precommit,
        }
    }
}

impl fmt::Display for SignStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SignStep::Proposal => "proposal",
            SignStep::Prevote => "prevote",
            SignStep::Precommit => "precommit",
        })
    }
}

/// Why a signer produced no signature.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    /// The signer cannot be reached or used right now (HSM session lost,
    /// token removed, remote signer down). Transient: a later request may
    /// succeed.
    #[error("signer `{signer}` unavailable: {detail}")]
    Unavailable {
        /// Which signer (`file`, `pkcs11`, `remote`, ...).
        signer: &'static str,
        /// The backend's own diagnostic.
        detail: String,
    },
    /// The signer's own guard refused: signing would conflict with what it
    /// already signed (a double sign at this `(height, round, step)`, or a
    /// request below the last position it signed, as from a validator whose
    /// safety state was rolled back). Permanent for this request.
    #[error("signer `{signer}` refused the {step} at height {height} round {round}: {detail}")]
    Refused {
        /// Which signer.
        signer: &'static str,
        /// Height of the request.
        height: Height,
        /// Round of the request.
        round: Round,
        /// Step of the request.
        step: SignStep,
        /// The guard's own account (what it signed last, what was asked).
        detail: String,
    },
    /// The signer answered with a signature that does not verify under the
    /// validator's public key (wrong key object, faulty device).
    #[error("signer `{signer}` returned a signature that does not verify under {key}")]
    BadSignature {
        /// Which signer.
        signer: &'static str,
        /// The key it should have signed with.
        key: PublicKey,
    },
    /// Any other failure of the backend (a device error code, a protocol error).
    #[error("signer `{signer}` failed: {detail}")]
    Other {
        /// Which signer.
        signer: &'static str,
        /// The backend's own diagnostic.
        detail: String,
    },
}

/// Signs consensus messages with a validator's key, wherever it lives.
///
/// Implementations must sign exactly `data.signing_message(chain_id)` with
/// Ed25519 (RFC 8032, pure) under [`ConsensusSigner::public_key`].
pub trait ConsensusSigner: Send + Sync {
    /// The validator's consensus public key.
    fn public_key(&self) -> PublicKey;
    /// A signature over [`VoteData::signing_message`].
    fn sign_vote(&self, chain_id: &str, data: &VoteData) -> Result<Signature, SignError>;
    /// A signature over [`ProposalData::signing_message`].
    fn sign_proposal(&self, chain_id: &str, data: &ProposalData) -> Result<Signature, SignError>;
}

/// A key in this process's memory (the `file` signer; tests, simulations).
impl ConsensusSigner for SigningKey {
    fn public_key(&self) -> PublicKey {
        self.public()
    }

    fn sign_vote(&self, chain_id: &str, data: &VoteData) -> Result<Signature, SignError> {
        Ok(self.sign(&data.signing_message(chain_id)))
    }

    fn sign_proposal(&self, chain_id: &str, data: &ProposalData) -> Result<Signature, SignError> {
        Ok(self.sign(&data.signing_message(chain_id)))
    }
}

/// A shared handle on a [`ConsensusSigner`], cheap to clone; its `Debug`
/// shows only the public key. `SigningKey` converts into it, so code that
/// holds a key keeps working where a signer is expected.
#[derive(Clone)]
pub struct Signer {
    inner: Arc<dyn ConsensusSigner>,
    public: PublicKey,
}

impl Signer {
    /// Wraps a signer (its public key is read once here).
    pub fn new(inner: Arc<dyn ConsensusSigner>) -> Signer {
        let public = inner.public_key();
        Signer { inner, public }
    }
}

impl ConsensusSigner for Signer {
    fn public_key(&self) -> PublicKey {
        self.public
    }

    fn sign_vote(&self, chain_id: &str, data: &VoteData) -> Result<Signature, SignError> {
        self.inner.sign_vote(chain_id, data)
    }

    fn sign_proposal(&self, chain_id: &str, data: &ProposalData) -> Result<Signature, SignError> {
        self.inner.sign_proposal(chain_id, data)
    }
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signer(public={})", self.public)
    }
}

impl From<SigningKey> for Signer {
    fn from(key: SigningKey) -> Signer {
        Signer::new(Arc::new(key))
    }
}

impl From<Arc<dyn ConsensusSigner>> for Signer {
    fn from(inner: Arc<dyn ConsensusSigner>) -> Signer {
        Signer::new(inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Hash;

    #[test]
    fn signing_key_signs_what_vote_verify_checks() {
        let key = SigningKey::from_seed([7; 32]);
        let signer = Signer::from(key.clone());
        let data = VoteData { kind: VoteKind::Prevote, height: 3, round: 1, block_hash: Hash([9; 32]) };
        let sig = signer.sign_vote("chain", &data).expect("in-memory key signs");
        let vote = crate::Vote { data, validator: signer.public_key(), signature: sig };
        assert!(vote.verify("chain").is_ok());
        assert!(vote.verify("other-chain").is_err());
        assert_eq!(format!("{signer:?}"), format!("Signer(public={})", key.public()));
    }

    #[test]
    fn proposal_signature_is_over_proposal_data() {
        let key = SigningKey::from_seed([8; 32]);
        let data = ProposalData { height: 2, round: 0, pol_round: None, value_id: Hash([1; 32]) };
        let sig = key.sign_proposal("c", &data).expect("in-memory key signs");
        assert!(key.public().verify(&data.signing_message("c"), &sig).is_ok());
        let vote_like = VoteData { kind: VoteKind::Prevote, height: 2, round: 0, block_hash: Hash([1; 32]) };
        assert!(key.public().verify(&vote_like.signing_message("c"), &sig).is_err());
    }
}
