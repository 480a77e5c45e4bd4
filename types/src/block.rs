//! Blocks, headers, consensus votes, certificates and validator sets (SPEC §9, §10); the
//! evidence blocks carry is in [`crate::evidence`].

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use crate::codec::{self, limits, BoundedVec, DecodeError};
use crate::crypto::{BatchVerifier, PublicKey, Signature, SigningKey};
use crate::evidence::Evidence;
use crate::hash::{domain, merkle_root, Hash};
use crate::ids::{Height, PartyId, Round, TimestampMs};
use crate::tx::{ChainId, SignedTransaction};

/// One member of a validator set.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Validator {
    /// Consensus key (signs proposals and votes only, SPEC §1.9).
    pub key: PublicKey,
    /// Voting power (> 0).
    pub power: u64,
    /// The registered party that operates the node.
    pub operator: PartyId,
    /// The ed25519 key of the node's libp2p identity: peers admit the
    /// validator's node under the peer id of this key (SPEC §9). It may be
    /// the consensus key itself (a node holding its consensus key in a
    /// file) or a key of its own (a consensus key in an HSM or a remote
    /// signer, which never leaves it).
    pub p2p_key: PublicKey,
}

/// An ordered validator set. A validator's index is its position.
#[derive(Clone, Debug, PartialEq, Eq, Default, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct ValidatorSet {
    /// Members, in index order (sorted by key, no duplicates).
    pub validators: BoundedVec<Validator, { limits::MAX_VALIDATORS }>,
}

impl ValidatorSet {
    /// Builds a set, sorting by key. Fails on duplicate consensus or p2p
    /// keys, zero power, emptiness or overflow.
    pub fn new(mut validators: Vec<Validator>) -> Result<Self, CertificateError> {
        validators.sort_by_key(|v| v.key);
        if validators.is_empty() {
            return Err(CertificateError::EmptyValidatorSet);
        }
        for w in validators.windows(2) {
            if w[0].key == w[1].key {
                return Err(CertificateError::DuplicateValidator(w[0].key));
            }
        }
        // One peer id names one validator (SPEC §9: admission by recorded identity).
        let mut p2p: Vec<PublicKey> = validators.iter().map(|v| v.p2p_key).collect();
        p2p.sort();
        for w in p2p.windows(2) {
            if w[0] == w[1] {
                return Err(CertificateError::DuplicateP2pKey(w[0]));
            }
        }
        let mut total: u64 = 0;
        for v in &validators {
            if v.power == 0 {
                return Err(CertificateError::ZeroPower(v.key));
            }
            total = total.checked_add(v.power).ok_or(CertificateError::PowerOverflow)?;
        }
        let len = validators.len();
        let validators = BoundedVec::new(validators)
            .map_err(|_| CertificateError::TooManyValidators { max: limits::MAX_VALIDATORS, got: len })?;
        Ok(Self { validators })
    }

    /// Number of validators.
    pub fn len(&self) -> usize {
        self.validators.len()
    }

    /// True if empty.
    pub fn is_empty(&self) -> bool {
        self.validators.is_empty()
    }

    /// Sum of voting power.
    pub fn total_power(&self) -> u64 {
        self.validators.iter().map(|v| v.power).sum()
    }

    /// Smallest power that is *more than two thirds* of the total.
    pub fn quorum(&self) -> u64 {
        let t = self.total_power() as u128;
        (t * 2 / 3 + 1) as u64
    }

    /// Smallest power that is more than one third (at least one honest member).
    pub fn one_third_plus(&self) -> u64 {
        let t = self.total_power() as u128;
        (t / 3 + 1) as u64
    }

    /// Index of `key`, if a member.
    pub fn index_of(&self, key: &PublicKey) -> Option<u16> {
        self.validators.binary_search_by_key(key, |v| v.key).ok().map(|i| i as u16)
    }

    /// Member at `index`.
    pub fn get(&self, index: u16) -> Option<&Validator> {
        self.validators.get(index as usize)
    }

    /// Commitment to the set (keys, powers, operators, order).
    pub fn hash(&self) -> Hash {
        Hash::digest(domain::VALIDATORS, &codec::encode(self))
    }
}

/// Kind of consensus vote.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VoteKind {
    /// Tendermint prevote (first voting step of a round).
    Prevote,
    /// Tendermint precommit; a quorum of precommits on a block commits it.
    Precommit,
}

/// What a vote signs. Everything a verifier needs besides the key.
#[derive(Clone, Debug, PartialEq, Eq, Hash, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct VoteData {
    /// Kind.
    pub kind: VoteKind,
    /// Height being decided.
    pub height: Height,
    /// Round within the height.
    pub round: Round,
    /// Block voted for; [`Hash::ZERO`] is a vote for nil.
    pub block_hash: Hash,
}

impl VoteData {
    /// True for a nil vote.
    pub fn is_nil(&self) -> bool {
        self.block_hash == Hash::ZERO
    }
}

impl VoteData {
    /// `"TAMGA/VOTE/v1" ‖ 0x00 ‖ borsh(chain_id) ‖ borsh(self)`.
    pub fn signing_message(&self, chain_id: &str) -> Vec<u8> {
        let mut m = Vec::with_capacity(96);
        m.extend_from_slice(domain::VOTE);
        m.push(0);
        m.extend_from_slice(&codec::encode(&chain_id.to_owned()));
        m.extend_from_slice(&codec::encode(self));
        m
    }
}

/// A signed vote.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Vote {
    /// What is voted.
    pub data: VoteData,
    /// Voter.
    pub validator: PublicKey,
    /// Signature over [`VoteData::signing_message`].
    pub signature: Signature,
}

impl Vote {
    /// Signs `data` for `chain_id`.
    pub fn sign(key: &SigningKey, chain_id: &str, data: VoteData) -> Vote {
        let signature = key.sign(&data.signing_message(chain_id));
        Vote { data, validator: key.public(), signature }
    }

    /// Signs `data` for `chain_id` through `signer` (a key file, an HSM, a
    /// remote signer); nothing is built when the signer gives no signature.
    pub fn sign_with(
        signer: &dyn crate::ConsensusSigner,
        chain_id: &str,
        data: VoteData,
    ) -> Result<Vote, crate::SignError> {
        let signature = signer.sign_vote(chain_id, &data)?;
        Ok(Vote { data, validator: signer.public_key(), signature })
    }

    /// Checks the signature.
    pub fn verify(&self, chain_id: &str) -> Result<(), CertificateError> {
        self.validator
            .verify(&self.data.signing_message(chain_id), &self.signature)
            .map_err(|_| CertificateError::BadSignature(self.validator))
    }
}

/// A quorum certificate: signatures of more than two thirds of the voting
/// power on the same [`VoteData`]. With kind `Precommit` on a non-nil block it
/// is the **commit certificate** carried by every committed block (SPEC §9).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Certificate {
    /// What was voted.
    pub data: VoteData,
    /// `(validator index, signature)`, indices strictly increasing.
    pub signatures: BoundedVec<(u16, Signature), { limits::MAX_VALIDATORS }>,
}

/// Why a certificate, vote or validator set is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertificateError {
    /// Signer indices are not strictly increasing (duplicate or unordered).
    #[error("signer indices must be strictly increasing; index {0} is out of order or repeated")]
    UnorderedSigners(u16),
    /// An index names no validator.
    #[error("signer index {index} is out of range for a set of {len} validators")]
    UnknownSigner {
        /// The index.
        index: u16,
        /// Set size.
        len: usize,
    },
    /// Not enough power.
    #[error("insufficient voting power: {got} signed, more than two thirds ({needed}) needed")]
    InsufficientPower {
        /// Power that signed.
        got: u64,
        /// Quorum.
        needed: u64,
    },
    /// A signature is invalid.
    #[error("signature by validator {0} does not verify")]
    BadSignature(PublicKey),
    /// Certificate is for another kind of vote than expected.
    #[error("expected a {expected:?} certificate, got {got:?}")]
    WrongKind {
        /// Expected kind.
        expected: VoteKind,
        /// Actual kind.
        got: VoteKind,
    },
    /// Certificate names another block.
    #[error("certificate is for block {got} at height {got_height}, expected {expected} at height {expected_height}")]
    WrongBlock {
        /// Expected block.
        expected: Hash,
        /// Expected height.
        expected_height: Height,
        /// Certified block.
        got: Hash,
        /// Certified height.
        got_height: Height,
    },
    /// Validator set has no members.
    #[error("validator set is empty")]
    EmptyValidatorSet,
    /// Validator set lists a key twice.
    #[error("validator {0} appears twice")]
    DuplicateValidator(PublicKey),
    /// Two validators share one p2p identity key.
    #[error("p2p key {0} is recorded for two validators")]
    DuplicateP2pKey(PublicKey),
    /// A validator has zero power.
    #[error("validator {0} has zero voting power")]
    ZeroPower(PublicKey),
    /// Total power overflows u64.
    #[error("total voting power overflows")]
    PowerOverflow,
    /// Too many validators.
    #[error("at most {max} validators allowed, got {got}")]
    TooManyValidators {
        /// Limit.
        max: usize,
        /// Actual.
        got: usize,
    },
}

impl Certificate {
    /// Assembles a certificate from votes on `data` by members of `set`.
    /// Votes from non-members or on other data are ignored; duplicates count once.
    pub fn from_votes<'a>(
        data: VoteData,
        set: &ValidatorSet,
        votes: impl IntoIterator<Item = &'a Vote>,
    ) -> Certificate {
        let mut sigs: Vec<(u16, Signature)> = votes
            .into_iter()
            .filter(|v| v.data == data)
            .filter_map(|v| set.index_of(&v.validator).map(|i| (i, v.signature)))
            .collect();
        sigs.sort_by_key(|(i, _)| *i);
        sigs.dedup_by_key(|(i, _)| *i);
        Certificate { data, signatures: BoundedVec::new(sigs).unwrap_or_default() }
    }

    /// Power that signed (counting each valid index once; no signature check).
    pub fn signed_power(&self, set: &ValidatorSet) -> u64 {
        self.signatures.iter().filter_map(|(i, _)| set.get(*i)).map(|v| v.power).sum()
    }

    /// Full verification: ordered unique indices, members, quorum, signatures (batched).
    pub fn verify(&self, chain_id: &str, set: &ValidatorSet) -> Result<(), CertificateError> {
        let mut last: Option<u16> = None;
        let mut power: u64 = 0;
        let msg = self.data.signing_message(chain_id);
        let mut batch = BatchVerifier::new();
        for (index, sig) in self.signatures.iter() {
            if last.is_some_and(|l| *index <= l) {
                return Err(CertificateError::UnorderedSigners(*index));
            }
            last = Some(*index);
            let v = set.get(*index).ok_or(CertificateError::UnknownSigner { index: *index, len: set.len() })?;
            power = power.saturating_add(v.power);
            batch.push(v.key, msg.clone(), *sig);
        }
        if power < set.quorum() {
            return Err(CertificateError::InsufficientPower { got: power, needed: set.quorum() });
        }
        if batch.verify().is_err() {
            for ((index, _), r) in self.signatures.iter().zip(batch.verify_each()) {
                if r.is_err() {
                    let key = set.get(*index).map(|v| v.key).unwrap_or(PublicKey([0; 32]));
                    return Err(CertificateError::BadSignature(key));
                }
            }
        }
        Ok(())
    }

    /// Verifies that this is a valid commit certificate for `header` under `set`.
    pub fn verify_commit(
        &self,
        chain_id: &str,
        set: &ValidatorSet,
        header: &BlockHeader,
    ) -> Result<(), CertificateError> {
        if self.data.kind != VoteKind::Precommit {
            return Err(CertificateError::WrongKind { expected: VoteKind::Precommit, got: self.data.kind });
        }
        let h = header.hash();
        if self.data.block_hash != h || self.data.height != header.height {
            return Err(CertificateError::WrongBlock {
                expected: h,
                expected_height: header.height,
                got: self.data.block_hash,
                got_height: self.data.height,
            });
        }
        self.verify(chain_id, set)
    }
}

/// A block header. Its hash identifies the block and is what votes sign.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct BlockHeader {
    /// Network.
    pub chain_id: ChainId,
    /// Height (first block: 1).
    pub height: Height,
    /// Consensus round in which it was proposed.
    pub round: Round,
    /// Proposer's clock, ms since epoch; strictly greater than the parent's.
    pub time_ms: TimestampMs,
    /// Hash of the parent header ([`Hash::ZERO`] at height 1).
    pub parent_hash: Hash,
    /// Proposer's consensus key.
    pub proposer: PublicKey,
    /// Merkle root of the transaction hashes ([`crate::hash::merkle_root`]).
    pub tx_root: Hash,
    /// Hash of the evidence list.
    pub evidence_root: Hash,
    /// State root *after* executing this block (SPEC §10).
    pub state_root: Hash,
    /// Merkle root of the block's receipts in execution order
    /// ([`crate::Receipt::compute_root`]): the certificate that signs the
    /// header also certifies every transaction's outcome and events (SPEC §10).
    pub receipts_root: Hash,
    /// Hash of the validator set that certifies this block.
    pub validators_hash: Hash,
    /// Hash of the validator set that certifies the next block.
    pub next_validators_hash: Hash,
}

impl BlockHeader {
    /// The block id.
    pub fn hash(&self) -> Hash {
        Hash::digest(domain::BLOCK, &codec::encode(self))
    }
}

/// A block: header, transactions and evidence.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Block {
    /// Header.
    pub header: BlockHeader,
    /// Transactions, in execution order.
    pub txs: BoundedVec<SignedTransaction, { limits::MAX_BLOCK_TXS }>,
    /// Equivocation evidence included by the proposer.
    pub evidence: BoundedVec<Evidence, { limits::MAX_EVIDENCE }>,
}

/// A block's body does not match its header.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BlockError {
    /// `tx_root` mismatch.
    #[error("transactions root mismatch: header says {header}, body gives {computed}")]
    TxRoot {
        /// In the header.
        header: Hash,
        /// Computed.
        computed: Hash,
    },
    /// `evidence_root` mismatch.
    #[error("evidence root mismatch: header says {header}, body gives {computed}")]
    EvidenceRoot {
        /// In the header.
        header: Hash,
        /// Computed.
        computed: Hash,
    },
}

impl Block {
    /// Block id (header hash).
    pub fn hash(&self) -> Hash {
        self.header.hash()
    }

    /// Merkle root of the given transactions' hashes.
    pub fn compute_tx_root(txs: &[SignedTransaction]) -> Hash {
        let leaves: Vec<Hash> = txs.iter().map(|t| t.hash()).collect();
        merkle_root(&leaves)
    }

    /// Hash of an evidence list.
    pub fn compute_evidence_root(evidence: &[Evidence]) -> Hash {
        if evidence.is_empty() {
            return Hash::ZERO;
        }
        Hash::digest(domain::EVIDENCE, &codec::encode(&evidence.to_vec()))
    }

    /// Checks `tx_root` and `evidence_root` against the body.
    pub fn check_body(&self) -> Result<(), BlockError> {
        let computed = Self::compute_tx_root(&self.txs);
        if computed != self.header.tx_root {
            return Err(BlockError::TxRoot { header: self.header.tx_root, computed });
        }
        let computed = Self::compute_evidence_root(&self.evidence);
        if computed != self.header.evidence_root {
            return Err(BlockError::EvidenceRoot { header: self.header.evidence_root, computed });
        }
        Ok(())
    }

    /// Canonical bytes.
    pub fn encode(&self) -> Vec<u8> {
        codec::encode(self)
    }

    /// Decodes untrusted bytes (at most [`limits::MAX_BLOCK_BYTES`]).
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        codec::decode("block", bytes, limits::MAX_BLOCK_BYTES)
    }
}

/// A committed block with its commit certificate.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct CertifiedBlock {
    /// The block.
    pub block: Block,
    /// Precommit certificate on the block's header hash.
    pub certificate: Certificate,
}
