//! # tamga-types
//!
//! The primitives every other Tamga crate speaks: keys and signatures
//! ([`crypto`]), domain-separated hashes ([`hash`]), the bounded borsh codec
//! ([`codec`]), ledger identifiers ([`ids`]), transaction payloads for every
//! operation of SPEC §3–§9 ([`payload`]), the signed envelope ([`tx`]),
//! blocks, votes, certificates and validator sets ([`block`]), equivocation
//! evidence ([`evidence`]), receipts
//! ([`receipt`]), IIN/BIN commitments ([`identity`]), transaction inclusion
//! proofs against a header's `tx_root` ([`proof`]), light verification of
//! certified headers from a trusted genesis ([`light`]) and the seam to
//! whatever holds a validator's consensus key ([`signer`]).
//!
//! This crate does no I/O. Its encodings are an API: `docs/wire-format.md`
//! describes them and `tests/golden.rs` pins them byte for byte.
//!
//! Invariants:
//! * every decode of untrusted bytes is bounded before allocation;
//! * single and batch signature verification accept the same signatures;
//! * each hashed or signed object kind has its own domain tag.

pub mod block;
pub mod codec;
pub mod crypto;
pub mod evidence;
pub mod genesis;
pub mod hash;
pub mod identity;
pub mod ids;
pub mod light;
pub mod model;
pub mod payload;
pub mod proof;
pub mod receipt;
pub mod region_names;
pub mod request;
pub mod signer;
pub mod tx;
pub mod views;

pub use block::{
    Block, BlockError, BlockHeader, Certificate, CertificateError, CertifiedBlock, Validator, ValidatorSet, Vote,
    VoteData, VoteKind,
};
pub use codec::{limits, BoundedString, BoundedVec, DecodeError, ShortText, TermsText, Text};
pub use crypto::{BatchVerifier, PublicKey, Signature, SignatureError, SigningKey};
pub use evidence::{DoubleProposal, DoubleVote, Evidence, EvidenceError, ProposalData, SignedProposalData};
pub use genesis::{Genesis, GenesisParty, GenesisValidator, NetworkType, Params};
pub use hash::{merkle_root, Hash};
pub use identity::{check_identifier_for, identifier_commitment, identifier_kind, validate_iin_bin, IdentifierKind};
pub use ids::*;
pub use light::{genesis_validator_set, LightClient, LightError};
pub use payload::*;
pub use proof::{InclusionError, TxInclusionProof};
pub use receipt::{Event, Receipt, TxOutcome};
pub use region_names::RegionNameError;
pub use signer::{ConsensusSigner, SignError, SignStep, Signer};
pub use tx::{ChainId, Memo, SignedTransaction, StatelessError, Transaction};
