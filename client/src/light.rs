//! Light verification against a node (SPEC §9, §10): fetch every block
//! header with its commit certificate from height 1 and accept each with
//! [`tamga_types::LightClient::verify_next`], trusting nothing but the
//! genesis. Where a header announces a new validator set, the set is fetched
//! (`GET /v1/validators?height=h+1`) and accepted only if its hash is the
//! announced one, so the node is believed for nothing it could forge.

use serde::Serialize;
use tamga_types::{CertifiedBlock, Genesis, Hash, Height, LightClient, LightError};

use crate::{BlockAt, Client, ClientError};

/// Why a chain did not verify.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    /// The node could not be asked.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// A header did not verify.
    #[error("height {height}: {source}")]
    Header {
        /// Height of the refused header.
        height: Height,
        /// Why.
        source: LightError,
    },
    /// The node served a block other than the one asked for.
    #[error("asked for block {asked}, got block {got}")]
    WrongHeight {
        /// Height asked.
        asked: Height,
        /// Height served.
        got: Height,
    },
}

/// A validator-set change met on the way.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SetChange {
    /// The last height certified by the old set.
    pub height: Height,
    /// Hash of the set certifying from `height + 1`.
    pub next_validators_hash: Hash,
    /// Its size.
    pub validators: usize,
}

/// The result of [`verify_chain`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VerifiedChain {
    /// Last verified height.
    pub height: Height,
    /// Its header hash.
    pub block_hash: Hash,
    /// Its time, ms since the epoch.
    pub time_ms: u64,
    /// Hash of the set trusted for the next height.
    pub validators_hash: Hash,
    /// Validator-set changes verified.
    pub changes: Vec<SetChange>,
}

/// Fetches the block after `light`'s last accepted height with its
/// certificate and accepts it with [`LightClient::verify_next`] (SPEC §9):
/// where its header announces a new validator set, the set is fetched and
/// checked against the announced hash. Returns the certified block and the
/// set change it made, if any. The block's body is not checked here
/// ([`tamga_types::Block::check_body`]).
pub async fn verify_next_block(
    client: &Client,
    light: &mut LightClient,
) -> Result<(CertifiedBlock, Option<SetChange>), ChainError> {
    let height = light.height() + 1;
    let cb = client.block(BlockAt::Height(height)).await?;
    let header = &cb.block.header;
    if header.height != height {
        return Err(ChainError::WrongHeight { asked: height, got: header.height });
    }
    let (next, change) = if header.next_validators_hash != header.validators_hash {
        let set = client.validators(Some(height + 1)).await?.validators;
        let change = SetChange { height, next_validators_hash: header.next_validators_hash, validators: set.len() };
        (Some(set), Some(change))
    } else {
        (None, None)
    };
    light
        .verify_next(header, &cb.certificate, next.as_ref())
        .map_err(|source| ChainError::Header { height, source })?;
    Ok((cb, change))
}

/// Verifies headers `1..=to` (default: the node's latest height) from `genesis`.
/// `progress` is called after each accepted height.
pub async fn verify_chain(
    client: &Client,
    genesis: &Genesis,
    to: Option<Height>,
    mut progress: impl FnMut(Height),
) -> Result<VerifiedChain, ChainError> {
    let mut light = LightClient::from_genesis(genesis).map_err(|source| ChainError::Header { height: 0, source })?;
    let to = match to {
        Some(h) => h,
        None => client.status().await?.height,
    };
    let mut changes = Vec::new();
    for height in 1..=to {
        let (cb, change) = verify_next_block(client, &mut light).await?;
        changes.extend(change);
        debug_assert_eq!(cb.block.header.height, height);
        progress(height);
    }
    Ok(VerifiedChain {
        height: light.height(),
        block_hash: light.last_hash(),
        time_ms: light.last_time_ms(),
        validators_hash: light.validators().hash(),
        changes,
    })
}
