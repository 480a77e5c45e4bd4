//! The crate's error type.

use tamga_types::{CertificateError, Hash, Height, PublicKey, Round};

/// Why an input was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConsensusError {
    /// No height has been started.
    #[error("no height started yet")]
    NotStarted,
    /// `StartHeight` would move backwards.
    #[error("cannot start height {got}: already at height {current}")]
    HeightRegression {
        /// Current height.
        current: Height,
        /// Requested height.
        got: Height,
    },
    /// The signer is not in the validator set of the message's height.
    #[error("{key} is not a validator at height {height}")]
    NotAValidator {
        /// Signer.
        key: PublicKey,
        /// Height.
        height: Height,
    },
    /// A signature does not verify.
    #[error("bad signature by {signer}")]
    BadSignature {
        /// Claimed signer.
        signer: PublicKey,
    },
    /// A proposal is signed by someone other than `proposer(h, r)`.
    #[error("proposal for round {round} by {got}, but the proposer is {expected}")]
    WrongProposer {
        /// Round.
        round: Round,
        /// Expected proposer.
        expected: PublicKey,
        /// Actual signer.
        got: PublicKey,
    },
    /// A message's round is too far in the future (memory bound).
    #[error("round {round} is more than {max_ahead} rounds ahead of current round {current}")]
    RoundTooFar {
        /// Message round.
        round: Round,
        /// Current round.
        current: Round,
        /// Allowed distance.
        max_ahead: u32,
    },
    /// `pol_round` must be below `round`.
    #[error("proposal for round {round} has proof-of-lock round {pol_round}")]
    InvalidPolRound {
        /// Round.
        round: Round,
        /// POL round.
        pol_round: Round,
    },
    /// A certified value does not match its certificate.
    #[error(
        "certificate for {certified} at height {certified_height} does not match value {value} at height {height}"
    )]
    CertificateMismatch {
        /// Id of the value.
        value: Hash,
        /// Current height.
        height: Height,
        /// Id in the certificate.
        certified: Hash,
        /// Height in the certificate.
        certified_height: Height,
    },
    /// The certificate itself is invalid.
    #[error(transparent)]
    Certificate(#[from] CertificateError),
}
