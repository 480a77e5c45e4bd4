//! Query views over committed state (SPEC §4–§7, §11): the shapes the HTTP
//! API returns and the client decodes. Built by `tamga-state`'s queries.

use serde::{Deserialize, Serialize};

use crate::model::{AccountState, HistoryEntry, PartyState, RecordState};
use crate::{
    ClassId, Date, MiningNotificationId, MiningNotificationKind, PartyId, PublicKey, Receipt, Region, SignedTransaction,
};

/// A party with its accounts and roles.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartyView {
    /// The party.
    pub party: PartyState,
    /// Its accounts.
    pub accounts: Vec<AccountState>,
    /// Role names (`regulator`, `issuer`, `miner`, `participant`).
    pub roles: Vec<String>,
}

/// One holding of an account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BalanceView {
    /// Class.
    pub class: ClassId,
    /// Symbol.
    pub symbol: String,
    /// Decimals.
    pub decimals: u8,
    /// Total.
    pub amount: u128,
    /// Frozen.
    pub frozen: u128,
    /// Free.
    pub free: u128,
}

/// One holder of a class.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolderView {
    /// Account.
    pub account: PublicKey,
    /// Party.
    pub party: Option<PartyId>,
    /// Total.
    pub amount: u128,
    /// Frozen.
    pub frozen: u128,
}

/// A record with its full history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordView {
    /// The record (encumbrances inline).
    pub record: RecordState,
    /// Every fact, in order.
    pub history: Vec<HistoryEntry>,
}

/// Filter of mining notifications (SPEC §6).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MiningFilter {
    /// Miner party.
    pub miner: Option<PartyId>,
    /// `submitted`, `accepted` or `rejected`.
    pub status: Option<String>,
    /// Region.
    pub region: Option<Region>,
    /// Kind.
    pub kind: Option<MiningNotificationKind>,
    /// Start date on or after.
    pub from: Option<Date>,
    /// Start date on or before.
    pub to: Option<Date>,
    /// Cursor: only ids greater than this.
    pub after: Option<MiningNotificationId>,
    /// Page size (default 100, at most 1000).
    pub limit: Option<usize>,
}

/// A page of results.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    /// Items.
    pub items: Vec<T>,
    /// Cursor for the next page, if more may follow.
    pub next_after: Option<u64>,
}

/// Totals of active mining sites in a region.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionTotal {
    /// Region.
    pub region: Option<Region>,
    /// Sites (latest accepted, not terminated versions).
    pub sites: u64,
    /// Installed capacity, kW.
    pub capacity_kw: u64,
    /// Equipment units.
    pub units: u64,
}

/// A committed transaction with its receipt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxView {
    /// The signed transaction.
    pub tx: SignedTransaction,
    /// Its receipt.
    pub receipt: Receipt,
}

/// What a node reports about itself (`GET /v1/status`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeStatus {
    /// Chain id.
    pub chain_id: String,
    /// Hash of the genesis value.
    pub genesis_hash: crate::Hash,
    /// This node's key (its validator key when it validates).
    pub node_key: PublicKey,
    /// libp2p peer id.
    pub peer_id: String,
    /// Whether this node is in the current validator set.
    pub validator: bool,
    /// Last committed height.
    pub height: crate::Height,
    /// Hash of the last committed block.
    pub last_block_hash: crate::Hash,
    /// Time of the last committed block, ms since the Unix epoch.
    pub last_block_time_ms: u64,
    /// State root after the last committed block.
    pub state_root: crate::Hash,
    /// Height and round consensus is working on.
    pub consensus_height: crate::Height,
    /// Current consensus round.
    pub consensus_round: crate::Round,
    /// Whether the node is fetching blocks it lacks.
    pub syncing: bool,
    /// Connected peers.
    pub peers: usize,
    /// Transactions waiting in the mempool.
    pub mempool_txs: usize,
    /// Node software version.
    pub version: String,
}
