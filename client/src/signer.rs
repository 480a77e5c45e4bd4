//! Where an account's key lives when the client signs: a key file opened
//! into this process's memory ([`SigningKey`]) or a hardware token reached
//! through PKCS#11 ([`crate::pkcs11::Pkcs11Key`], the `pkcs11` feature).
//!
//! Both sign the same bytes with Ed25519 (RFC 8032, pure): a transaction's
//! [`Transaction::signing_message`] and a request's
//! [`tamga_types::request::signing_bytes`]. [`sign_transaction`] checks the
//! signature against the signer's public key before the transaction exists,
//! so a device that signs with another key or returns garbage yields an
//! error, never a transaction the node would refuse (or worse, accept under
//! another account).

use tamga_types::{
    ChainId, Memo, Payload, PublicKey, SignError, Signature, SignedTransaction, SigningKey, Transaction,
};

use crate::BuildError;

/// Signs messages with one account's key, wherever it lives.
pub trait AccountSigner: Send + Sync + std::fmt::Debug {
    /// The account's public key (its address).
    fn public(&self) -> PublicKey;
    /// A pure Ed25519 signature over `msg` under [`AccountSigner::public`].
    fn sign_message(&self, msg: &[u8]) -> Result<Signature, SignError>;
}

/// A key file's key, in this process's memory.
impl AccountSigner for SigningKey {
    fn public(&self) -> PublicKey {
        SigningKey::public(self)
    }

    fn sign_message(&self, msg: &[u8]) -> Result<Signature, SignError> {
        Ok(self.sign(msg))
    }
}

/// Why a transaction could not be built and signed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignTxError {
    /// The transaction itself is malformed (chain id, memo).
    #[error(transparent)]
    Build(#[from] BuildError),
    /// The signer produced no signature, or one that does not verify under
    /// its public key.
    #[error(transparent)]
    Sign(#[from] SignError),
}

/// Builds the transaction of `signer` for `chain_id` and signs it through
/// `signer`; the signature is verified under `signer.public()` before the
/// transaction is returned.
pub fn sign_transaction(
    signer: &dyn AccountSigner,
    chain_id: &str,
    nonce: u64,
    payload: Payload,
    memo: Option<&str>,
) -> Result<SignedTransaction, SignTxError> {
    let tx = build_transaction(signer.public(), chain_id, nonce, payload, memo)?;
    Ok(sign_built(signer, tx)?)
}

/// The unsigned transaction of account `signer` for `chain_id`: what is
/// shown before a hardware token is asked to sign it.
pub fn build_transaction(
    signer: PublicKey,
    chain_id: &str,
    nonce: u64,
    payload: Payload,
    memo: Option<&str>,
) -> Result<Transaction, BuildError> {
    let chain = ChainId::new(chain_id).map_err(|_| BuildError::ChainId(chain_id.to_owned()))?;
    let memo = memo.map(|m| Memo::new(m).map_err(|e| BuildError::Memo { len: e.len, max: e.max })).transpose()?;
    Ok(Transaction { chain_id: chain, signer, nonce, payload, memo })
}

/// Signs `tx` through `signer`, which must be the account `tx.signer`; the
/// signature is verified under `tx.signer` before the transaction is
/// returned.
pub fn sign_built(signer: &dyn AccountSigner, tx: Transaction) -> Result<SignedTransaction, SignError> {
    let key = tx.signer;
    if signer.public() != key {
        return Err(SignError::BadSignature { signer: "account", key });
    }
    let signature = signer.sign_message(&tx.signing_message())?;
    let chain = tx.chain_id.as_str().to_owned();
    let signed = SignedTransaction { tx, signature };
    signed.verify(&chain).map_err(|_| SignError::BadSignature { signer: "account", key })?;
    Ok(signed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tamga_types::EscrowId;

    /// Signs with a key other than the one it names: a faulty device.
    #[derive(Debug)]
    struct WrongKey(SigningKey, SigningKey);

    impl AccountSigner for WrongKey {
        fn public(&self) -> PublicKey {
            self.0.public()
        }
        fn sign_message(&self, msg: &[u8]) -> Result<Signature, SignError> {
            Ok(self.1.sign(msg))
        }
    }

    #[test]
    fn a_key_signs_what_sign_payload_signs() {
        let k = SigningKey::from_seed([3; 32]);
        let p = || Payload::ReleaseEscrow { escrow: EscrowId(4) };
        let a = sign_transaction(&k, "tamga-dev", 7, p(), Some("m")).unwrap();
        let b = crate::sign_payload(&k, "tamga-dev", 7, p(), Some("m")).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn a_signature_under_another_key_is_refused() {
        let s = WrongKey(SigningKey::from_seed([1; 32]), SigningKey::from_seed([2; 32]));
        let p = Payload::ReleaseEscrow { escrow: EscrowId(4) };
        let e = sign_transaction(&s, "tamga-dev", 0, p, None).unwrap_err();
        assert_eq!(e, SignTxError::Sign(SignError::BadSignature { signer: "account", key: s.0.public() }));
    }
}
