//! What the consensus driver publishes after committing a block, for
//! whoever follows the chain (the API's event stream, SPEC §11): the block's
//! summary, its receipts and the evidence it records. Below both the driver
//! that produces it and the API that serves it.

use serde::Serialize;
use tamga_types::{Block, Hash, Height, PublicKey, Receipt};

/// An equivocation recorded by a block, as the `evidence` event sends it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EvidenceSummary {
    /// Height of the block recording it.
    pub height: Height,
    /// Evidence id.
    pub id: Hash,
    /// The validator that signed two conflicting votes.
    pub validator: PublicKey,
    /// Height of the conflicting votes.
    pub vote_height: Height,
    /// Round of the conflicting votes.
    pub vote_round: u32,
}

/// What the driver publishes after committing a block: everything the
/// stream sends for it, shared by all subscribers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommittedBlock {
    /// Height.
    pub height: Height,
    /// Block hash.
    pub hash: Hash,
    /// Block time.
    pub time_ms: u64,
    /// State root after the block.
    pub state_root: Hash,
    /// Proposer.
    pub proposer: PublicKey,
    /// One receipt per transaction, in block order.
    pub receipts: Vec<Receipt>,
    /// Evidence recorded by the block.
    pub evidence: Vec<EvidenceSummary>,
}

impl CommittedBlock {
    /// The summary of a committed `block` with its `receipts`.
    pub fn new(block: &Block, receipts: Vec<Receipt>) -> CommittedBlock {
        let h = &block.header;
        CommittedBlock {
            height: h.height,
            hash: block.hash(),
            time_ms: h.time_ms,
            state_root: h.state_root,
            proposer: h.proposer,
            receipts,
            evidence: block
                .evidence
                .iter()
                .map(|e| EvidenceSummary {
                    height: h.height,
                    id: e.id(),
                    validator: e.validator(),
                    vote_height: e.height(),
                    vote_round: e.round(),
                })
                .collect(),
        }
    }
}
