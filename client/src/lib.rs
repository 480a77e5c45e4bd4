//! # tamga-client
//!
//! A typed async client of a Tamga node's HTTP API (`docs/api.md`, SPEC §11)
//! and the `tamga` command-line tool built on it.
//!
//! The crate depends on `tamga-types` and its HTTP transport only: it never
//! sees RocksDB or libp2p. Answers decode into the same types the node
//! serves (`tamga_types::views`, `tamga_types::model`); transactions and
//! blocks are decoded from their canonical borsh bytes (the API's `raw`
//! fields) and checked against the hash the node names, so a client holds
//! exactly what was signed and certified.
//!
//! Errors are one enum, [`ClientError`]: transport failures, API refusals
//! (HTTP status, stable `code`, `message`, [`ApiError::is_transient`] for
//! back-pressure), undecodable answers and receipt timeouts.
//!
//! ```no_run
//! use std::time::Duration;
//! use tamga_client::{sign_payload, Client};
//! use tamga_types::{ClassId, Payload, SigningKey};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::new("http://127.0.0.1:8080")?;
//! let status = client.status().await?;
//! let key = SigningKey::from_seed([7; 32]);
//! let nonce = client.next_nonce(&key.public()).await?;
//! let to = SigningKey::from_seed([8; 32]).public();
//! let payload = Payload::Transfer { class: ClassId(1), to, amount: 1_250 };
//! let tx = sign_payload(&key, &status.chain_id, nonce, payload, None)?;
//! let hash = client.submit(&tx).await?;
//! let view = client.wait_for_receipt(&hash, Duration::from_secs(30)).await?;
//! assert!(view.receipt.is_success(), "{:?}", view.receipt.outcome);
//! # Ok(())
//! # }
//! ```
//!
//! Queries:
//!
//! ```no_run
//! # async fn run() -> Result<(), tamga_client::ClientError> {
//! use tamga_client::{BlockAt, Client};
//! use tamga_types::views::MiningFilter;
//! use tamga_types::Region;
//!
//! let client = Client::new("http://127.0.0.1:8080")?;
//! let block = client.block(BlockAt::Latest).await?;
//! let filter = MiningFilter { region: Some(Region::Pavlodar), status: Some("accepted".into()), ..Default::default() };
//! let page = client.mining_notifications(&filter).await?;
//! println!("height {}: {} notifications", block.block.header.height, page.items.len());
//! # Ok(())
//! # }
//! ```

pub mod amount;
/// The load generator behind `tamga bench` (the `cli` feature).
#[cfg(feature = "cli")]
pub mod bench;
mod client;
pub mod error;
pub mod events;
pub mod keyfile;
pub mod light;
/// Account keys on hardware tokens through PKCS#11 (the `pkcs11` feature).
#[cfg(feature = "pkcs11")]
pub mod pkcs11;
pub mod signer;

/// The formats the client shares with the node, defined once in
/// `tamga-contract`: answer bodies, receipt bundles, issuer exports and the
/// rendering verification shows.
pub use tamga_contract::{bundle, export, render, wire};

pub use client::{mining_query, BlockAt, Client, TlsOptions, TxStatus};
pub use error::{ApiError, ClientError, TermsError};
pub use signer::{build_transaction, sign_built, sign_transaction, AccountSigner, SignTxError};
pub use wire::{AccountView, Health, SecurityPage, StateProof, SubmitItem, ValidatorsView, MAX_BATCH};

use tamga_types::{ChainId, Memo, Payload, SignedTransaction, SigningKey, Transaction};

/// Why a transaction could not be built.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    /// The chain id is longer than the format allows.
    #[error("chain id {0:?} is too long")]
    ChainId(String),
    /// The memo is longer than the format allows.
    #[error("memo is {len} bytes, at most {max} allowed")]
    Memo {
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
}

/// Builds and signs a transaction of `key` (its signer) for `chain_id`.
pub fn sign_payload(
    key: &SigningKey,
    chain_id: &str,
    nonce: u64,
    payload: Payload,
    memo: Option<&str>,
) -> Result<SignedTransaction, BuildError> {
    let chain_id = ChainId::new(chain_id).map_err(|_| BuildError::ChainId(chain_id.to_owned()))?;
    let memo = memo.map(|m| Memo::new(m).map_err(|e| BuildError::Memo { len: e.len, max: e.max })).transpose()?;
    Ok(Transaction { chain_id, signer: key.public(), nonce, payload, memo }.sign(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_payload_verifies_and_binds_the_chain() {
        let k = SigningKey::from_seed([3; 32]);
        let p = Payload::ReleaseEscrow { escrow: tamga_types::EscrowId(4) };
        let tx = sign_payload(&k, "tamga-dev", 7, p, Some("hello")).unwrap();
        assert_eq!(tx.tx.signer, k.public());
        assert_eq!(tx.tx.nonce, 7);
        assert!(tx.verify("tamga-dev").is_ok());
        assert!(tx.verify("other").is_err());
        let long = "x".repeat(300);
        let p = Payload::ReleaseEscrow { escrow: tamga_types::EscrowId(4) };
        assert_eq!(sign_payload(&k, "c", 0, p, Some(&long)).unwrap_err(), BuildError::Memo { len: 300, max: 256 });
        let p = Payload::ReleaseEscrow { escrow: tamga_types::EscrowId(4) };
        assert!(matches!(sign_payload(&k, &"c".repeat(65), 0, p, None), Err(BuildError::ChainId(_))));
    }
}
