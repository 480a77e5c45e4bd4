//! Light verification of certified headers from a trusted genesis (SPEC §9, §10).
//!
//! A [`LightClient`] holds one thing it trusts: the validator set that
//! certifies the next header it will accept. It starts from the genesis
//! `validators` list and moves forward only through headers whose commit
//! certificate carries more than two thirds of that set's power:
//!
//! 1. the header's `chain_id` is the genesis chain id;
//! 2. its height is above the last accepted one (exactly one above, with
//!    `parent_hash` = the last accepted header's hash, for [`LightClient::verify_next`]);
//! 3. its `validators_hash` is the hash of the trusted set — a header that
//!    names any other set is refused, whoever signed it;
//! 4. its certificate is a precommit certificate on this header's hash,
//!    signed by more than two thirds of the trusted set's power;
//! 5. when its `next_validators_hash` differs from `validators_hash`, the
//!    caller supplies the next set, whose hash must equal
//!    `next_validators_hash`; that set is trusted from the next height on.
//!
//! [`LightClient::verify_skip`] accepts headers out of sequence (it skips
//! rule 2's parent link): a receipt bundle carries only the headers where the
//! set changed and the header of its block. That is sound while no set ever
//! had more than a third of its power faulty — the usual BFT assumption,
//! extended to sets that are no longer active (a retired majority could
//! certify a fork of old heights; a sequential check from genesis through
//! every header, `tamga verify-chain`, narrows what such a fork could claim).
//!
//! The genesis set is the genesis `validators` list. A genesis transaction
//! that changes the set with `validator_change_delay = 1` would make the set
//! of height 1 differ from that list; the check then fails closed (rule 3).

use crate::block::{BlockHeader, Certificate, CertificateError, Validator, ValidatorSet};
use crate::genesis::Genesis;
use crate::hash::Hash;
use crate::ids::{Height, TimestampMs};

/// Why a header was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LightError {
    /// The genesis validator list is not a valid set.
    #[error("the genesis validator list is not a valid set: {0}")]
    GenesisSet(CertificateError),
    /// The header is for another network.
    #[error("header {height} is for chain {got:?}, the genesis is for {expected:?}")]
    ChainId {
        /// Header height.
        height: Height,
        /// Genesis chain id.
        expected: String,
        /// Header chain id.
        got: String,
    },
    /// Heights must go up (by exactly one in a sequential check).
    #[error("header at height {got} cannot follow the verified height {last}")]
    Height {
        /// Last accepted height.
        last: Height,
        /// Offered height.
        got: Height,
    },
    /// The header does not link to the last accepted header.
    #[error("header {height} names parent {got}, the verified header before it is {expected}")]
    Parent {
        /// Header height.
        height: Height,
        /// Hash of the last accepted header.
        expected: Hash,
        /// The header's `parent_hash`.
        got: Hash,
    },
    /// The header names a validator set that is not the one that certifies its
    /// height according to the verified chain: a set that never existed there.
    #[error("header {height} names validator set {got}, the verified chain says {expected} certifies it")]
    UnknownValidatorSet {
        /// Header height.
        height: Height,
        /// Hash of the trusted set.
        expected: Hash,
        /// The header's `validators_hash`.
        got: Hash,
    },
    /// The commit certificate does not certify the header under the trusted set.
    #[error("certificate of header {height}: {source}")]
    Certificate {
        /// Header height.
        height: Height,
        /// What failed (unknown signer, insufficient power, bad signature, other block…).
        source: CertificateError,
    },
    /// The header announces a new set but none was supplied.
    #[error("header {height} announces validator set {next}; the set itself is missing")]
    MissingNextSet {
        /// Header height.
        height: Height,
        /// Its `next_validators_hash`.
        next: Hash,
    },
    /// The supplied next set is not the announced one.
    #[error("header {height} announces validator set {expected}, the supplied set hashes to {got}")]
    NextSetMismatch {
        /// Header height.
        height: Height,
        /// The header's `next_validators_hash`.
        expected: Hash,
        /// Hash of the supplied set.
        got: Hash,
    },
    /// A header offered as a validator-set change does not change the set.
    #[error("header {height} is offered as a validator-set change but keeps the set")]
    NotAChange {
        /// Header height.
        height: Height,
    },
}

/// The validator set a genesis starts with (certifies height 1).
pub fn genesis_validator_set(genesis: &Genesis) -> Result<ValidatorSet, LightError> {
    ValidatorSet::new(
        genesis
            .validators
            .iter()
            .map(|v| Validator { key: v.key, power: v.power, operator: v.operator, p2p_key: v.p2p_key })
            .collect(),
    )
    .map_err(LightError::GenesisSet)
}

/// A verifier of certified headers that trusts only a genesis (module docs).
#[derive(Clone, Debug)]
pub struct LightClient {
    chain_id: String,
    set: ValidatorSet,
    set_hash: Hash,
    height: Height,
    last_hash: Hash,
    last_time_ms: TimestampMs,
}

impl LightClient {
    /// Starts at height 0, trusting the genesis validator set.
    pub fn from_genesis(genesis: &Genesis) -> Result<LightClient, LightError> {
        let set = genesis_validator_set(genesis)?;
        Ok(LightClient {
            chain_id: genesis.chain_id.clone(),
            set_hash: set.hash(),
            set,
            height: 0,
            last_hash: Hash::ZERO,
            last_time_ms: genesis.genesis_time_ms,
        })
    }

    /// Resumes from a state this client reached earlier and the caller kept
    /// (an indexer's checkpoint, SPEC §9): the last accepted `height`, its
    /// header hash and time, and the set trusted to certify the next header.
    /// Trusts the caller for them exactly as [`LightClient::from_genesis`]
    /// trusts the genesis.
    pub fn resume(
        chain_id: String,
        set: ValidatorSet,
        height: Height,
        last_hash: Hash,
        last_time_ms: TimestampMs,
    ) -> LightClient {
        LightClient { chain_id, set_hash: set.hash(), set, height, last_hash, last_time_ms }
    }

    /// The last accepted height (0 before any header).
    pub fn height(&self) -> Height {
        self.height
    }

    /// Hash of the last accepted header ([`Hash::ZERO`] before any).
    pub fn last_hash(&self) -> Hash {
        self.last_hash
    }

    /// Time of the last accepted header (the genesis time before any).
    pub fn last_time_ms(&self) -> TimestampMs {
        self.last_time_ms
    }

    /// The set trusted to certify the next header.
    pub fn validators(&self) -> &ValidatorSet {
        &self.set
    }

    /// Accepts the header right after the last one (rules 1–5 with the parent link).
    pub fn verify_next(
        &mut self,
        header: &BlockHeader,
        certificate: &Certificate,
        next_set: Option<&ValidatorSet>,
    ) -> Result<(), LightError> {
        if header.height != self.height + 1 {
            return Err(LightError::Height { last: self.height, got: header.height });
        }
        if header.parent_hash != self.last_hash {
            return Err(LightError::Parent {
                height: header.height,
                expected: self.last_hash,
                got: header.parent_hash,
            });
        }
        self.accept(header, certificate, next_set)
    }

    /// Accepts any later header (rules 1, 3–5; heights must still go up).
    pub fn verify_skip(
        &mut self,
        header: &BlockHeader,
        certificate: &Certificate,
        next_set: Option<&ValidatorSet>,
    ) -> Result<(), LightError> {
        if header.height <= self.height {
            return Err(LightError::Height { last: self.height, got: header.height });
        }
        self.accept(header, certificate, next_set)
    }

    /// Accepts a header that must change the set (a bundle's change entry).
    pub fn verify_change(
        &mut self,
        header: &BlockHeader,
        certificate: &Certificate,
        next_set: &ValidatorSet,
    ) -> Result<(), LightError> {
        if header.next_validators_hash == header.validators_hash {
            return Err(LightError::NotAChange { height: header.height });
        }
        self.verify_skip(header, certificate, Some(next_set))
    }

    fn accept(
        &mut self,
        header: &BlockHeader,
        certificate: &Certificate,
        next_set: Option<&ValidatorSet>,
    ) -> Result<(), LightError> {
        let height = header.height;
        if header.chain_id.as_str() != self.chain_id {
            return Err(LightError::ChainId {
                height,
                expected: self.chain_id.clone(),
                got: header.chain_id.to_string(),
            });
        }
        if header.validators_hash != self.set_hash {
            return Err(LightError::UnknownValidatorSet {
                height,
                expected: self.set_hash,
                got: header.validators_hash,
            });
        }
        certificate
            .verify_commit(&self.chain_id, &self.set, header)
            .map_err(|source| LightError::Certificate { height, source })?;
        let mut next = None;
        if header.next_validators_hash != self.set_hash {
            let set = next_set.ok_or(LightError::MissingNextSet { height, next: header.next_validators_hash })?;
            let got = set.hash();
            if got != header.next_validators_hash {
                return Err(LightError::NextSetMismatch { height, expected: header.next_validators_hash, got });
            }
            next = Some((set.clone(), got));
        }
        if let Some((set, hash)) = next {
            self.set = set;
            self.set_hash = hash;
        }
        self.height = height;
        self.last_hash = header.hash();
        self.last_time_ms = header.time_ms;
        Ok(())
    }
}
