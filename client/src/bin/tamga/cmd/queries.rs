//! Chain queries and offline verification: transactions, receipts and
//! their bundles, blocks, issuer exports.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use tamga_client::BlockAt;
use tamga_types::{Hash, PartyId};

/// `tx HASH` or a tx subcommand.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, arg_required_else_help = true)]
pub struct TxArgs {
    /// Transaction hash (hex): the transaction with its receipt, if committed.
    pub hash: Option<Hash>,
    /// A tx operation.
    #[command(subcommand)]
    pub cmd: Option<TxCmd>,
}

/// Transaction lookups.
#[derive(Debug, Subcommand)]
pub enum TxCmd {
    /// Whether a transaction is committed (with its outcome), pending or unknown.
    Status {
        /// Transaction hash (hex).
        hash: Hash,
    },
    /// Submit a transaction saved with --out (and wait for its receipt).
    Submit {
        /// The saved transaction.
        file: PathBuf,
    },
}

/// `block show HEIGHT` (or `block HEIGHT`).
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, arg_required_else_help = true)]
pub struct BlockArgs {
    /// Height, or `latest`.
    pub at: Option<BlockAt>,
    /// Print the block's receipts instead.
    #[arg(long)]
    pub receipts: bool,
    /// A block operation.
    #[command(subcommand)]
    pub cmd: Option<BlockCmd>,
}

/// Block queries.
#[derive(Debug, Subcommand)]
pub enum BlockCmd {
    /// A block: height, hash, state_root, tx_count, header, transaction hashes, certificate.
    Show {
        /// Height, or `latest`.
        at: BlockAt,
        /// Print the block's receipts instead.
        #[arg(long)]
        receipts: bool,
    },
}

/// `receipt HASH`, `receipt export HASH --out FILE`, `receipt verify FILE --genesis FILE`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, arg_required_else_help = true)]
pub struct ReceiptArgs {
    /// Transaction hash (hex): print its receipt.
    pub hash: Option<Hash>,
    /// A receipt-bundle operation.
    #[command(subcommand)]
    pub cmd: Option<ReceiptCmd>,
}

/// Receipt bundles (`docs/receipt-format.md`).
#[derive(Debug, Subcommand)]
pub enum ReceiptCmd {
    /// Fetch the receipt bundle of a committed transaction and write it to
    /// --out FILE (GET /v1/txs/{hash}/bundle; the bundle is checked before
    /// it is written when --genesis is given).
    Export {
        /// Transaction hash (hex).
        hash: Hash,
        /// The network's genesis.json, to verify the bundle before saving it.
        #[arg(long, value_name = "FILE")]
        genesis: Option<PathBuf>,
    },
    /// Verify a receipt bundle offline against a genesis: who signed, which
    /// party, when and at which height it was committed, what it does.
    Verify {
        /// The bundle file (binary, or its hex).
        file: PathBuf,
        /// The network's genesis.json: the only thing trusted.
        #[arg(long, value_name = "FILE")]
        genesis: PathBuf,
    },
}

/// Issuer exports (`docs/export-format.md`).
#[derive(Debug, Subcommand)]
pub enum ExportCmd {
    /// Stream every class, holding, record, encumbrance and history entry of
    /// an issuer, with proofs against one certified height, into --out FILE
    /// (GET /v1/issuers/{id}/export); verified before it is kept when
    /// --genesis is given (a file that fails is kept as FILE.invalid).
    Issuer {
        /// The issuer's party id.
        id: PartyId,
        /// The network's genesis.json, to verify the export after download.
        #[arg(long, value_name = "FILE")]
        genesis: Option<PathBuf>,
        /// Seconds the whole download may take.
        #[arg(long, default_value_t = 3600, value_name = "SECS")]
        download_timeout: u64,
    },
    /// Verify a saved export offline against a genesis: every header from
    /// the genesis, every state proof, every history transaction.
    Verify {
        /// The export file (JSON Lines).
        file: PathBuf,
        /// The network's genesis.json: the only thing trusted.
        #[arg(long, value_name = "FILE")]
        genesis: PathBuf,
    },
}
