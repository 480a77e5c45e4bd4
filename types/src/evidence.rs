//! Proof of equivocation recorded on chain (SPEC §9): two conflicting votes
//! of one validator, or two conflicting proposals of one proposer, each pair
//! signed by the offender for one height and round.
//!
//! The proposal's signed part ([`ProposalData`]) is defined here, below the
//! consensus crate, so that blocks can carry and state execution can verify
//! proposal evidence without depending on consensus.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use crate::block::{CertificateError, Vote, VoteKind};
use crate::codec;
use crate::crypto::{PublicKey, Signature};
use crate::hash::{domain, Hash};
use crate::ids::{Height, Round};

/// The signed part of a consensus proposal: `(height, round, pol_round, id(value))`.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct ProposalData {
    /// Height.
    pub height: Height,
    /// Round.
    pub round: Round,
    /// Proof-of-lock round (`validRound` of the Tendermint paper; `None` is −1).
    pub pol_round: Option<Round>,
    /// Id of the proposed value (the block hash).
    pub value_id: Hash,
}

impl ProposalData {
    /// `"TAMGA/PROPOSAL/v1" ‖ 0x00 ‖ borsh(chain_id) ‖ borsh(self)`: what a proposer signs.
    pub fn signing_message(&self, chain_id: &str) -> Vec<u8> {
        let mut m = Vec::with_capacity(112);
        m.extend_from_slice(domain::PROPOSAL);
        m.push(0);
        m.extend_from_slice(&codec::encode(&chain_id.to_owned()));
        m.extend_from_slice(&codec::encode(self));
        m
    }
}

/// A proposal without its value: enough to prove what the proposer signed.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct SignedProposalData {
    /// What was signed.
    pub data: ProposalData,
    /// Signer.
    pub proposer: PublicKey,
    /// Signature over [`ProposalData::signing_message`].
    pub signature: Signature,
}

impl SignedProposalData {
    /// Checks the signature.
    pub fn verify(&self, chain_id: &str) -> Result<(), CertificateError> {
        self.proposer
            .verify(&self.data.signing_message(chain_id), &self.signature)
            .map_err(|_| CertificateError::BadSignature(self.proposer))
    }
}

/// Two votes of one validator of the same kind, height and round for
/// different block hashes (a nil vote conflicts with a vote for a block).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct DoubleVote {
    /// First vote.
    pub a: Vote,
    /// Second, conflicting vote by the same validator.
    pub b: Vote,
}

/// Two different signed proposals of one proposer for one height and round
/// (an honest proposer signs at most one per round).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct DoubleProposal {
    /// First proposal seen.
    pub a: SignedProposalData,
    /// Second, conflicting proposal by the same proposer.
    pub b: SignedProposalData,
}

/// Proof that a validator equivocated (SPEC §9). Borsh: a `u8` variant tag
/// then the fields; a tag this version does not know fails to decode, so a
/// later kind of evidence is a new tag and never changes these two.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Evidence {
    /// Tag 0: two conflicting votes.
    DoubleVote(DoubleVote),
    /// Tag 1: two conflicting proposals.
    DoubleProposal(DoubleProposal),
}

/// Why evidence is not a proof of misbehaviour.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvidenceError {
    /// Different keys signed the two messages.
    #[error("the two messages are signed by different keys: {a} and {b}")]
    DifferentSigners {
        /// Signer of the first.
        a: PublicKey,
        /// Signer of the second.
        b: PublicKey,
    },
    /// The two messages are for different heights or rounds.
    #[error("the two messages are for different heights or rounds: {a:?} and {b:?} (height, round)")]
    DifferentSlot {
        /// `(height, round)` of the first.
        a: (Height, Round),
        /// `(height, round)` of the second.
        b: (Height, Round),
    },
    /// Two votes of different kinds (a prevote and a precommit) do not conflict.
    #[error("the two votes are of different kinds: {a:?} and {b:?}")]
    DifferentKinds {
        /// Kind of the first.
        a: VoteKind,
        /// Kind of the second.
        b: VoteKind,
    },
    /// Both messages sign the same content: nothing conflicts.
    #[error("the two messages sign the same content (a vote for {block_hash}, or the same proposal)")]
    SameContent {
        /// Block hash of the votes, or value id of the proposals.
        block_hash: Hash,
    },
    /// A signature does not verify (a forgery, or another chain's).
    #[error(transparent)]
    Signature(#[from] CertificateError),
}

impl DoubleVote {
    /// The offending validator.
    pub fn validator(&self) -> PublicKey {
        self.a.validator
    }

    /// Checks that the two votes are validly signed by one validator and
    /// conflict: same height, round and kind with different block hashes.
    pub fn verify(&self, chain_id: &str) -> Result<(), EvidenceError> {
        let (a, b) = (&self.a, &self.b);
        if a.validator != b.validator {
            return Err(EvidenceError::DifferentSigners { a: a.validator, b: b.validator });
        }
        if (a.data.height, a.data.round) != (b.data.height, b.data.round) {
            return Err(EvidenceError::DifferentSlot {
                a: (a.data.height, a.data.round),
                b: (b.data.height, b.data.round),
            });
        }
        if a.data.kind != b.data.kind {
            return Err(EvidenceError::DifferentKinds { a: a.data.kind, b: b.data.kind });
        }
        if a.data.block_hash == b.data.block_hash {
            return Err(EvidenceError::SameContent { block_hash: a.data.block_hash });
        }
        a.verify(chain_id)?;
        b.verify(chain_id)?;
        Ok(())
    }
}

impl DoubleProposal {
    /// The offending proposer.
    pub fn proposer(&self) -> PublicKey {
        self.a.proposer
    }

    /// Checks that the two proposals are validly signed by one key for one
    /// height and round and differ in what was signed (the value, or the
    /// proof-of-lock round).
    pub fn verify(&self, chain_id: &str) -> Result<(), EvidenceError> {
        let (a, b) = (&self.a, &self.b);
        if a.proposer != b.proposer {
            return Err(EvidenceError::DifferentSigners { a: a.proposer, b: b.proposer });
        }
        if (a.data.height, a.data.round) != (b.data.height, b.data.round) {
            return Err(EvidenceError::DifferentSlot {
                a: (a.data.height, a.data.round),
                b: (b.data.height, b.data.round),
            });
        }
        if a.data == b.data {
            return Err(EvidenceError::SameContent { block_hash: a.data.value_id });
        }
        a.verify(chain_id)?;
        b.verify(chain_id)?;
        Ok(())
    }
}

impl Evidence {
    /// Borsh variant tag (also mixed into [`Evidence::id`]).
    fn tag(&self) -> u8 {
        match self {
            Evidence::DoubleVote(_) => 0,
            Evidence::DoubleProposal(_) => 1,
        }
    }

    /// The offending validator.
    pub fn validator(&self) -> PublicKey {
        match self {
            Evidence::DoubleVote(d) => d.a.validator,
            Evidence::DoubleProposal(d) => d.a.proposer,
        }
    }

    /// Height of the conflicting messages.
    pub fn height(&self) -> Height {
        match self {
            Evidence::DoubleVote(d) => d.a.data.height,
            Evidence::DoubleProposal(d) => d.a.data.height,
        }
    }

    /// Round of the conflicting messages.
    pub fn round(&self) -> Round {
        match self {
            Evidence::DoubleVote(d) => d.a.data.round,
            Evidence::DoubleProposal(d) => d.a.data.round,
        }
    }

    /// What was signed twice: `"prevote"`, `"precommit"` or `"proposal"`.
    pub fn message_kind(&self) -> &'static str {
        match self {
            Evidence::DoubleVote(d) => match d.a.data.kind {
                VoteKind::Prevote => "prevote",
                VoteKind::Precommit => "precommit",
            },
            Evidence::DoubleProposal(_) => "proposal",
        }
    }

    /// Checks that this is a proof of equivocation under `chain_id`.
    pub fn verify(&self, chain_id: &str) -> Result<(), EvidenceError> {
        match self {
            Evidence::DoubleVote(d) => d.verify(chain_id),
            Evidence::DoubleProposal(d) => d.verify(chain_id),
        }
    }

    /// Order-independent identity of this evidence (for deduplication):
    /// `SHA-256("TAMGA/EVIDENCE/v1" ‖ 0x00 ‖ tag ‖ lo ‖ hi)` with `{lo, hi}`
    /// the borsh encodings of the two messages, ordered bytewise.
    pub fn id(&self) -> Hash {
        let (x, y) = match self {
            Evidence::DoubleVote(d) => (codec::encode(&d.a), codec::encode(&d.b)),
            Evidence::DoubleProposal(d) => (codec::encode(&d.a), codec::encode(&d.b)),
        };
        let (lo, hi) = if x <= y { (x, y) } else { (y, x) };
        Hash::digest_parts(domain::EVIDENCE, &[&[self.tag()], &lo, &hi])
    }
}

impl From<DoubleVote> for Evidence {
    fn from(d: DoubleVote) -> Self {
        Evidence::DoubleVote(d)
    }
}

impl From<DoubleProposal> for Evidence {
    fn from(d: DoubleProposal) -> Self {
        Evidence::DoubleProposal(d)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::block::VoteData;
    use crate::crypto::SigningKey;

    const CHAIN: &str = "tamga-test";

    fn key(n: u8) -> SigningKey {
        SigningKey::from_seed([n; 32])
    }

    fn proposal(k: &SigningKey, height: Height, round: Round, value: &[u8]) -> SignedProposalData {
        let data = ProposalData { height, round, pol_round: None, value_id: Hash::digest(b"v", value) };
        let signature = k.sign(&data.signing_message(CHAIN));
        SignedProposalData { data, proposer: k.public(), signature }
    }

    fn vote(k: &SigningKey, round: Round, kind: VoteKind, value: &[u8]) -> Vote {
        Vote::sign(k, CHAIN, VoteData { kind, height: 5, round, block_hash: Hash::digest(b"v", value) })
    }

    #[test]
    fn double_proposal_verifies_and_names_the_proposer() {
        let k = key(1);
        let ev = Evidence::from(DoubleProposal { a: proposal(&k, 5, 2, b"x"), b: proposal(&k, 5, 2, b"y") });
        ev.verify(CHAIN).unwrap();
        assert_eq!((ev.validator(), ev.height(), ev.round(), ev.message_kind()), (k.public(), 5, 2, "proposal"));
        // Another chain's signature does not verify here.
        assert!(matches!(ev.verify("other"), Err(EvidenceError::Signature(_))));
    }

    #[test]
    fn double_proposal_rejections_are_specific() {
        let (k, other) = (key(1), key(2));
        let a = proposal(&k, 5, 2, b"x");
        let same = DoubleProposal { a: a.clone(), b: a.clone() };
        assert!(matches!(same.verify(CHAIN), Err(EvidenceError::SameContent { .. })));
        let round = DoubleProposal { a: a.clone(), b: proposal(&k, 5, 3, b"y") };
        assert_eq!(round.verify(CHAIN), Err(EvidenceError::DifferentSlot { a: (5, 2), b: (5, 3) }));
        let signer = DoubleProposal { a: a.clone(), b: proposal(&other, 5, 2, b"y") };
        assert_eq!(signer.verify(CHAIN), Err(EvidenceError::DifferentSigners { a: k.public(), b: other.public() }));
        // Forged: the second claims `k` but carries another key's signature.
        let mut forged = proposal(&other, 5, 2, b"y");
        forged.proposer = k.public();
        let ev = DoubleProposal { a, b: forged };
        assert_eq!(ev.verify(CHAIN), Err(EvidenceError::Signature(CertificateError::BadSignature(k.public()))));
    }

    #[test]
    fn double_vote_rejections_are_specific() {
        let k = key(3);
        let a = vote(&k, 1, VoteKind::Prevote, b"x");
        let ok = Evidence::from(DoubleVote { a: a.clone(), b: vote(&k, 1, VoteKind::Prevote, b"y") });
        ok.verify(CHAIN).unwrap();
        assert_eq!(ok.message_kind(), "prevote");
        let kinds = DoubleVote { a: a.clone(), b: vote(&k, 1, VoteKind::Precommit, b"y") };
        assert_eq!(
            kinds.verify(CHAIN),
            Err(EvidenceError::DifferentKinds { a: VoteKind::Prevote, b: VoteKind::Precommit })
        );
        let same = DoubleVote { a: a.clone(), b: a.clone() };
        assert!(matches!(same.verify(CHAIN), Err(EvidenceError::SameContent { .. })));
        let round = DoubleVote { a, b: vote(&k, 2, VoteKind::Prevote, b"y") };
        assert!(matches!(round.verify(CHAIN), Err(EvidenceError::DifferentSlot { .. })));
    }

    #[test]
    fn ids_are_order_independent_and_kind_separated() {
        let k = key(1);
        let (a, b) = (proposal(&k, 5, 2, b"x"), proposal(&k, 5, 2, b"y"));
        let ab = Evidence::from(DoubleProposal { a: a.clone(), b: b.clone() });
        let ba = Evidence::from(DoubleProposal { a: b, b: a });
        assert_eq!(ab.id(), ba.id());
        let v = Evidence::from(DoubleVote {
            a: vote(&k, 2, VoteKind::Prevote, b"x"),
            b: vote(&k, 2, VoteKind::Prevote, b"y"),
        });
        assert_ne!(ab.id(), v.id());
    }

    #[test]
    fn borsh_round_trip_and_unknown_tag() {
        let k = key(1);
        let list = vec![
            Evidence::from(DoubleProposal { a: proposal(&k, 5, 2, b"x"), b: proposal(&k, 5, 2, b"y") }),
            Evidence::from(DoubleVote {
                a: vote(&k, 2, VoteKind::Prevote, b"x"),
                b: vote(&k, 2, VoteKind::Prevote, b"y"),
            }),
        ];
        for ev in &list {
            let bytes = codec::encode(ev);
            assert_eq!(bytes[0], ev.tag());
            assert_eq!(&codec::decode::<Evidence>("evidence", &bytes, 1024).unwrap(), ev);
            let mut unknown = bytes.clone();
            unknown[0] = 2;
            assert!(codec::decode::<Evidence>("evidence", &unknown, 1024).is_err(), "tag 2 is not defined");
            // JSON names the kind.
            let json = serde_json::to_value(ev).unwrap();
            assert!(json["kind"] == "double_vote" || json["kind"] == "double_proposal");
            assert_eq!(&serde_json::from_value::<Evidence>(json).unwrap(), ev);
        }
    }
}
