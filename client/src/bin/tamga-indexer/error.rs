//! The indexer's errors: each with a stable code (printed first, for
//! operators and scripts) and the values that failed.

use tamga_client::light::ChainError;
use tamga_client::ClientError;
use tamga_types::{BlockError, Hash, Height};

use crate::rows::EventError;

/// Why the indexer stopped (or, for transient ones, why it waits and retries).
#[derive(Debug, thiserror::Error)]
pub enum IndexerError {
    /// The database could not be reached.
    #[error("cannot connect to the database {url}: {reason}")]
    Connect {
        /// The URL, password hidden.
        url: String,
        /// Why.
        reason: String,
    },
    /// A statement failed.
    #[error("database error while {context}: {detail}")]
    Database {
        /// What was being done.
        context: &'static str,
        /// The server's SQLSTATE, message and detail, or the driver's error.
        detail: String,
        /// The connection broke (retried) rather than a statement failing.
        transient: bool,
    },
    /// A migration failed.
    #[error("schema migration failed: {reason}")]
    Migrate {
        /// Refinery's message.
        reason: String,
    },
    /// The database was written by a newer indexer.
    #[error("the database schema is version {database}, this tamga-indexer knows versions up to {binary}: upgrade the indexer")]
    SchemaTooNew {
        /// Version found.
        database: i64,
        /// Newest version this binary has.
        binary: i64,
    },
    /// The database indexes another chain.
    #[error("the database holds chain {stored_chain:?} with genesis {stored}, the genesis given is {given} ({given_chain:?}): use another database")]
    OtherChain {
        /// Chain id in the database.
        stored_chain: String,
        /// Genesis hash in the database.
        stored: Hash,
        /// Chain id of `--genesis`.
        given_chain: String,
        /// Hash of `--genesis`.
        given: Hash,
    },
    /// The node serves another chain than `--genesis`.
    #[error("the node serves genesis {node}, the genesis given hashes to {given}")]
    NodeOtherChain {
        /// The node's `genesis_hash`.
        node: Hash,
        /// Hash of `--genesis`.
        given: Hash,
    },
    /// A row the indexer wrote does not read back.
    #[error("the database's {what} is unreadable: {detail}")]
    Corrupt {
        /// Which value.
        what: &'static str,
        /// What is wrong.
        detail: String,
    },
    /// The next block does not link to the stored one (another chain or a
    /// forked node): nothing is written.
    #[error("block {height} names parent {parent}, the database's block {} is {stored}", height.saturating_sub(1))]
    ParentMismatch {
        /// Height of the refused block.
        height: Height,
        /// Stored hash of the height before.
        stored: Hash,
        /// The block's `parent_hash`.
        parent: Hash,
    },
    /// A block that does not follow the checkpoint (another writer moved it).
    #[error("block {got} does not follow the database's checkpoint at height {stored}")]
    NotNext {
        /// Checkpoint height.
        stored: Height,
        /// Offered height.
        got: Height,
    },
    /// The node could not be asked (transient: retried).
    #[error("node: {0}")]
    Node(#[from] ClientError),
    /// A block's certificate or header did not verify: nothing is written.
    #[error("block refused: {0}")]
    Verify(ChainError),
    /// A block's body does not match its header.
    #[error("block {height}: body does not match the header: {source}")]
    Body {
        /// Height.
        height: Height,
        /// What differs.
        source: BlockError,
    },
    /// The node's receipts of a block are not those its header certifies.
    #[error("block {height}: receipts from the node hash to {computed}, the header certifies {header} ({count} receipts for {txs} transactions)")]
    Receipts {
        /// Height.
        height: Height,
        /// `receipts_root` of the header.
        header: Hash,
        /// Root of the receipts served.
        computed: Hash,
        /// Receipts served.
        count: usize,
        /// Transactions in the block.
        txs: usize,
    },
    /// A genesis transaction's receipt is missing or not of that transaction.
    #[error("genesis transaction {index} ({hash}): {reason}")]
    GenesisReceipt {
        /// Position in the genesis.
        index: usize,
        /// Its hash.
        hash: Hash,
        /// What is wrong.
        reason: String,
    },
    /// An event does not carry what its kind promises.
    #[error(transparent)]
    Event(#[from] EventError),
}

impl IndexerError {
    /// The stable code (`docs/indexer.md`).
    pub fn code(&self) -> &'static str {
        match self {
            IndexerError::Connect { .. } => "DB_UNREACHABLE",
            IndexerError::Database { .. } => "DB_ERROR",
            IndexerError::Migrate { .. } => "DB_MIGRATION_FAILED",
            IndexerError::SchemaTooNew { .. } => "DB_SCHEMA_TOO_NEW",
            IndexerError::OtherChain { .. } => "DB_OTHER_CHAIN",
            IndexerError::NodeOtherChain { .. } => "NODE_OTHER_CHAIN",
            IndexerError::Corrupt { .. } => "DB_CORRUPT",
            IndexerError::ParentMismatch { .. } => "PARENT_MISMATCH",
            IndexerError::NotNext { .. } => "CHECKPOINT_MOVED",
            IndexerError::Node(_) => "NODE_UNAVAILABLE",
            IndexerError::Verify(_) => "CERTIFICATE_INVALID",
            IndexerError::Body { .. } => "BLOCK_BODY_MISMATCH",
            IndexerError::Receipts { .. } => "RECEIPTS_MISMATCH",
            IndexerError::GenesisReceipt { .. } => "GENESIS_RECEIPT_MISMATCH",
            IndexerError::Event(_) => "EVENT_MALFORMED",
        }
    }

    /// True for what waiting may cure (the node or the database is down):
    /// the follower retries these; everything else stops it.
    pub fn is_transient(&self) -> bool {
        match self {
            IndexerError::Node(e) => !matches!(e, ClientError::Decode { .. }),
            IndexerError::Verify(ChainError::Client(e)) => !matches!(e, ClientError::Decode { .. }),
            IndexerError::Database { transient, .. } => *transient,
            _ => false,
        }
    }
}
