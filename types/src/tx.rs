//! The transaction envelope (SPEC §8).
//!
//! ```text
//! Transaction       = chain_id: string(≤64) ‖ signer: [u8;32] ‖ nonce: u64 ‖ payload: Payload ‖ memo: option<string(≤256)>
//! signing message   = "TAMGA/TX/v1" ‖ 0x00 ‖ borsh(Transaction)
//! SignedTransaction = Transaction ‖ signature: [u8;64]
//! tx hash (id)      = SHA-256("TAMGA/TXID/v1" ‖ 0x00 ‖ borsh(SignedTransaction))
//! ```
//! The chain id inside the signed bytes binds a signature to one network; the
//! domain tag keeps a transaction signature from ever being valid as a vote or
//! a proposal (they use other tags).

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use crate::codec::{self, limits, BoundedString, DecodeError};
use crate::crypto::{PublicKey, Signature, SignatureError, SigningKey};
use crate::hash::{domain, Hash};
use crate::payload::Payload;

/// Chain identifier string type.
pub type ChainId = BoundedString<{ limits::MAX_CHAIN_ID }>;
/// Memo string type.
pub type Memo = BoundedString<{ limits::MAX_MEMO }>;

/// An unsigned transaction.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Transaction {
    /// The network this transaction is for.
    pub chain_id: ChainId,
    /// The signing account.
    pub signer: PublicKey,
    /// Per-account sequence number: the account's next nonce, starting at 0.
    pub nonce: u64,
    /// The operation.
    pub payload: Payload,
    /// Free text, bounded.
    pub memo: Option<Memo>,
}

impl Transaction {
    /// The exact bytes the signer signs.
    pub fn signing_message(&self) -> Vec<u8> {
        let body = codec::encode(self);
        let mut msg = Vec::with_capacity(domain::TX_SIGN.len() + 1 + body.len());
        msg.extend_from_slice(domain::TX_SIGN);
        msg.push(0);
        msg.extend_from_slice(&body);
        msg
    }

    /// Signs with `key`. The caller must set `signer` to `key.public()`.
    pub fn sign(self, key: &SigningKey) -> SignedTransaction {
        let signature = key.sign(&self.signing_message());
        SignedTransaction { tx: self, signature }
    }
}

/// A transaction with its signature.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct SignedTransaction {
    /// The transaction.
    pub tx: Transaction,
    /// Signature by `tx.signer` over [`Transaction::signing_message`].
    pub signature: Signature,
}

/// Why a transaction was refused before execution (stateless checks, SPEC §8).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatelessError {
    /// Could not decode.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// Signed for another network.
    #[error("wrong chain id: expected {expected:?}, got {got:?}")]
    WrongChain {
        /// This node's chain id.
        expected: String,
        /// The transaction's.
        got: String,
    },
    /// Bad signature.
    #[error(transparent)]
    Signature(#[from] SignatureError),
}

impl StatelessError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            StatelessError::Decode(DecodeError::TooLarge { .. }) => "TX_TOO_LARGE",
            StatelessError::Decode(_) => "MALFORMED_TX",
            StatelessError::WrongChain { .. } => "WRONG_CHAIN_ID",
            StatelessError::Signature(_) => "BAD_SIGNATURE",
        }
    }
}

impl SignedTransaction {
    /// Canonical bytes.
    pub fn encode(&self) -> Vec<u8> {
        codec::encode(self)
    }

    /// Decodes untrusted bytes (at most [`limits::MAX_TX_BYTES`]).
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        codec::decode("transaction", bytes, limits::MAX_TX_BYTES)
    }

    /// The transaction id: hash of the signed bytes.
    pub fn hash(&self) -> Hash {
        Hash::digest(domain::TX_ID, &self.encode())
    }

    /// Checks the chain id and the signature (single verification).
    pub fn verify(&self, chain_id: &str) -> Result<(), StatelessError> {
        self.check_chain(chain_id)?;
        self.tx.signer.verify(&self.tx.signing_message(), &self.signature)?;
        Ok(())
    }

    /// Checks only the chain id (for callers that batch signature checks).
    pub fn check_chain(&self, chain_id: &str) -> Result<(), StatelessError> {
        if self.tx.chain_id.as_str() != chain_id {
            return Err(StatelessError::WrongChain {
                expected: chain_id.to_owned(),
                got: self.tx.chain_id.to_string(),
            });
        }
        Ok(())
    }
}
