//! The command tree (clap derive; doc comments are the `--help` text).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use tamga_client::BlockAt;
use tamga_types::{
    ActivityNotificationId, ClassId, Date, EncumbranceId, EscrowId, Hash, Height, MiningNotificationId, PartyId,
    PublicKey, RecordId, Region,
};

/// Tamga command-line client: keys, transactions for every ledger operation,
/// registries and chain queries, over a node's HTTP API.
///
/// Transaction commands show what will be signed (operation, payload, signer,
/// nonce, chain id), ask for confirmation (`--yes` skips), submit, wait for the
/// receipt and print it. Exit status: 0 success, 1 error, 2 usage error,
/// 3 committed with a failed receipt.
#[derive(Debug, Parser)]
#[command(name = "tamga", version)]
pub struct Cli {
    /// Base URL of the node's HTTP API.
    #[arg(long, global = true, env = "TAMGA_NODE", default_value = "http://127.0.0.1:8080")]
    pub node: String,
    /// Signing key file: the ed25519 seed as 64 hex characters (a testnet's `keys/*.key`).
    #[arg(long, global = true, env = "TAMGA_KEY", value_name = "FILE")]
    pub key: Option<PathBuf>,
    /// Chain id to sign for [default: the node's, from /v1/status].
    #[arg(long, global = true, env = "TAMGA_CHAIN_ID")]
    pub chain_id: Option<String>,
    /// Output format: `text` for people, `json` (one JSON document on stdout) for machines.
    #[arg(long, global = true, value_enum, default_value_t = Output::Text)]
    pub output: Output,
    /// Sign and submit without asking for confirmation.
    #[arg(long, short = 'y', global = true)]
    pub yes: bool,
    /// Return after submission instead of waiting for the receipt.
    #[arg(long, global = true)]
    pub no_wait: bool,
    /// Seconds to wait for the receipt.
    #[arg(long, global = true, default_value_t = 60, value_name = "SECS")]
    pub timeout: u64,
    /// Memo attached to the transaction (at most 256 bytes).
    #[arg(long, global = true)]
    pub memo: Option<String>,
    /// Nonce to sign with [default: the account's next nonce on chain].
    #[arg(long, global = true)]
    pub nonce: Option<u64>,
    /// Amounts are raw base units (u128) instead of display units. By default
    /// an amount is a decimal in the class's units (`12.5` in a class with 2
    /// decimals is 1250 base units), fetched from the node.
    #[arg(long, global = true)]
    pub base_units: bool,
    /// What to do.
    #[command(subcommand)]
    pub cmd: Command,
}

/// Output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Output {
    /// Human-readable.
    Text,
    /// JSON on stdout.
    Json,
}

/// Every command.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate or inspect key files.
    #[command(subcommand)]
    Keys(KeysCmd),
    /// The node's status (GET /v1/status).
    Status,
    /// Chain facts fixed at genesis: chain id, genesis hash, regulation hash, network type.
    Chain,
    /// Chain parameters, or change one (regulator).
    Params(ParamsArgs),
    /// The validator set, or change it (regulator).
    Validators(ValidatorsArgs),
    /// An account: status, next nonce, balances [default: the --key account].
    Account {
        /// Account key (hex).
        #[arg(value_name = "KEY")]
        account: Option<PublicKey>,
        /// List the records the account holds instead.
        #[arg(long)]
        records: bool,
    },
    /// A transaction by hash: committed with receipt, pending, or unknown.
    Tx {
        /// Transaction hash (hex).
        hash: Hash,
    },
    /// A block with its commit certificate.
    Block {
        /// Height, or `latest`.
        at: BlockAt,
        /// Print the block's receipts instead.
        #[arg(long)]
        receipts: bool,
    },
    /// All parties.
    Parties,
    /// Show a party (`party <id>`), or register and manage parties (regulator).
    Party(PartyArgs),
    /// All token classes.
    Classes {
        /// Only the classes of this issuer party.
        #[arg(long)]
        issuer: Option<PartyId>,
    },
    /// Show a class (`class <id>`), or create and pause classes (issuer).
    Class(ClassArgs),
    /// Holders of a class.
    Holders {
        /// Class id.
        class: ClassId,
    },
    /// Issuer mints tokens to an eligible holder (SPEC §4).
    Mint {
        /// Class id.
        class: ClassId,
        /// Receiving account.
        to: PublicKey,
        /// Amount (display units unless --base-units).
        amount: String,
    },
    /// Transfer tokens.
    Transfer {
        /// Class id.
        class: ClassId,
        /// Receiving account.
        to: PublicKey,
        /// Amount (display units unless --base-units).
        amount: String,
    },
    /// Redeem tokens to the issuer, claiming one of the class's rights.
    Redeem {
        /// Class id.
        class: ClassId,
        /// Amount (display units unless --base-units).
        amount: String,
        /// Index of the claimed right in the class's `rights` list.
        #[arg(long, default_value_t = 0)]
        right: u32,
    },
    /// Freeze a holding, all of it or an amount (issuer or regulator).
    Freeze(FreezeArgs),
    /// Unfreeze a holding, all of it or an amount (issuer or regulator).
    Unfreeze(FreezeArgs),
    /// Move tokens between accounts with a legal basis (regulator).
    ForcedTransfer {
        /// Class id.
        class: ClassId,
        /// Source account.
        from: PublicKey,
        /// Receiving account.
        to: PublicKey,
        /// Amount (display units unless --base-units).
        amount: String,
        /// Legal basis (court decision, article…).
        #[arg(long)]
        legal_basis: String,
    },
    /// Move all holdings and records of a lost key to another account of the same party (regulator).
    RecoverAccount {
        /// The lost account.
        from: PublicKey,
        /// The party's other account.
        to: PublicKey,
        /// Legal basis.
        #[arg(long)]
        legal_basis: String,
    },
    /// Show a record with its history (`record <id>`), or issue and manage records.
    Record(RecordArgs),
    /// All escrows.
    Escrows {
        /// Only escrows where this party is payer, payee or arbiter.
        #[arg(long)]
        party: Option<PartyId>,
    },
    /// Show an escrow (`escrow <id>`), or create and settle escrows (SPEC §7).
    Escrow(EscrowArgs),
    /// Mining notifications (SPEC §6): list, totals, submit, review.
    #[command(subcommand)]
    Mining(MiningCmd),
    /// Digital-asset activity notifications (SPEC §6): list, submit, review.
    #[command(subcommand)]
    Activity(ActivityCmd),
    /// Recorded equivocation evidence.
    Evidence,
}

/// Key files.
#[derive(Debug, Subcommand)]
pub enum KeysCmd {
    /// Generate a new key into a new file (mode 0600) and print its public key.
    Generate {
        /// File to create (never overwritten).
        #[arg(long)]
        out: PathBuf,
    },
    /// Print the public key of a key file [default: --key].
    Show {
        /// Key file.
        file: Option<PathBuf>,
    },
}

/// `params` [set].
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ParamsArgs {
    /// Change a parameter.
    #[command(subcommand)]
    pub cmd: Option<ParamsCmd>,
}

/// Parameter changes.
#[derive(Debug, Subcommand)]
pub enum ParamsCmd {
    /// Set a chain parameter (regulator): `max-block-txs N`, `validator-change-delay N`, `require-mining-notice true|false`.
    Set {
        /// Parameter name.
        #[arg(value_enum)]
        name: ParamName,
        /// New value.
        value: String,
    },
}

/// Changeable parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ParamName {
    /// Maximum transactions per block.
    MaxBlockTxs,
    /// Blocks between a validator-set change's commit and its effect.
    ValidatorChangeDelay,
    /// Whether validators need an accepted mining notification.
    RequireMiningNotice,
}

/// `validators` [update].
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ValidatorsArgs {
    /// The set certifying the block at this height [default: the next block].
    #[arg(long)]
    pub height: Option<Height>,
    /// Change the set.
    #[command(subcommand)]
    pub cmd: Option<ValidatorsCmd>,
}

/// Validator-set changes.
#[derive(Debug, Subcommand)]
pub enum ValidatorsCmd {
    /// Change validators (regulator), effective `validator_change_delay` blocks after commit.
    Update {
        /// `KEY:POWER:OPERATOR_PARTY`; power 0 removes the validator. Repeat for several.
        #[arg(long = "set", required = true, value_name = "KEY:POWER:PARTY")]
        updates: Vec<String>,
    },
}

/// `party <id>` or a party subcommand.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, arg_required_else_help = true)]
pub struct PartyArgs {
    /// Party id to show.
    pub id: Option<PartyId>,
    /// A party operation.
    #[command(subcommand)]
    pub cmd: Option<PartyCmd>,
}

/// Party operations (SPEC §3).
#[derive(Debug, Subcommand)]
pub enum PartyCmd {
    /// Register a party with its accounts (regulator).
    Register {
        /// `individual` or `legal-entity`.
        #[arg(long, value_parser = snake::<tamga_types::PartyKind>)]
        kind: tamga_types::PartyKind,
        /// The 12-digit IIN/BIN (check digit verified); only its salted commitment leaves this machine.
        #[arg(long, requires = "salt", conflicts_with = "id_commitment")]
        iin_bin: Option<String>,
        /// 32-byte salt (hex) for the commitment; keep it off-chain (SPEC §1.6).
        #[arg(long, requires = "iin_bin")]
        salt: Option<String>,
        /// A precomputed commitment H(salt ‖ IIN/BIN), instead of --iin-bin/--salt.
        #[arg(long)]
        id_commitment: Option<Hash>,
        /// Display name (legal entities only).
        #[arg(long)]
        name: Option<String>,
        /// Account key, optionally with a PKI certificate: `KEY` or `KEY:ISSUER:SERIAL`. Repeat for several.
        #[arg(long = "account", required = true, value_name = "KEY[:ISSUER:SERIAL]")]
        accounts: Vec<String>,
    },
    /// Change a party's status (regulator): `active`, `suspended`, `revoked`.
    Status {
        /// Party id.
        party: PartyId,
        /// New status.
        #[arg(value_parser = snake::<tamga_types::PartyStatus>)]
        status: tamga_types::PartyStatus,
        /// Legal basis.
        #[arg(long)]
        legal_basis: String,
    },
    /// Add an account key to a party (the party itself, or a regulator).
    AddAccount {
        /// Party id.
        party: PartyId,
        /// The new key.
        #[arg(value_name = "KEY")]
        new_key: PublicKey,
        /// PKI certificate `ISSUER:SERIAL` (regulator only).
        #[arg(long)]
        cert: Option<String>,
    },
    /// Revoke an account key. Reasons (Digital Code art. 59 p.1): holder-request,
    /// false-information, death, change-of-name, reorganisation-or-liquidation, court-decision.
    RevokeAccount {
        /// The key to revoke.
        #[arg(value_name = "KEY")]
        account: PublicKey,
        /// Ground for revocation.
        #[arg(long, value_parser = snake::<tamga_types::RevocationReason>)]
        reason: tamga_types::RevocationReason,
    },
}

/// `class <id>` or a class subcommand.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, arg_required_else_help = true)]
pub struct ClassArgs {
    /// Class id to show.
    pub id: Option<ClassId>,
    /// A class operation.
    #[command(subcommand)]
    pub cmd: Option<ClassCmd>,
}

/// Class operations (SPEC §4).
#[derive(Debug, Subcommand)]
pub enum ClassCmd {
    /// Create a secured token class (issuer).
    Create {
        /// Ticker, 1–12 upper-case letters or digits.
        #[arg(long)]
        symbol: String,
        /// Human name.
        #[arg(long)]
        name: String,
        /// Decimal places (0–18).
        #[arg(long)]
        decimals: u8,
        /// Supply cap (display units with --decimals unless --base-units).
        #[arg(long)]
        cap: Option<String>,
        /// A right the token certifies: `goods:DESCRIPTION` or `services:DESCRIPTION`. Repeat for several.
        #[arg(long = "right", required = true, value_name = "KIND:DESCRIPTION")]
        rights: Vec<String>,
        /// SHA-256 of the backing document (hex).
        #[arg(long)]
        document_hash: Hash,
        /// Where the backing document is published.
        #[arg(long)]
        document_uri: String,
        /// Redemption terms.
        #[arg(long)]
        redemption_terms: String,
    },
    /// Pause a class (issuer or regulator).
    Pause {
        /// Class id.
        class: ClassId,
        /// Legal basis or reason.
        #[arg(long)]
        legal_basis: String,
    },
    /// Resume a paused class (issuer or regulator).
    Unpause {
        /// Class id.
        class: ClassId,
        /// Legal basis or reason.
        #[arg(long)]
        legal_basis: String,
    },
}

/// Freeze / unfreeze arguments.
#[derive(Debug, Args)]
pub struct FreezeArgs {
    /// Class id.
    pub class: ClassId,
    /// The holder's account.
    pub holder: PublicKey,
    /// Amount (display units unless --base-units) [default: the whole holding].
    #[arg(long)]
    pub amount: Option<String>,
    /// Legal basis.
    #[arg(long)]
    pub legal_basis: String,
}

/// `record <id>` or a record subcommand.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, arg_required_else_help = true)]
pub struct RecordArgs {
    /// Record id to show (with history).
    pub id: Option<RecordId>,
    /// A record operation.
    #[command(subcommand)]
    pub cmd: Option<RecordCmd>,
}

/// Record operations (SPEC §5).
#[derive(Debug, Subcommand)]
pub enum RecordCmd {
    /// Certify a right to a holder (issuer or regulator).
    Issue {
        /// The holder's account.
        holder: PublicKey,
        /// Object kind: thing, goods, raw-resource, claim, digital-object, other.
        #[arg(long, value_parser = snake::<tamga_types::ObjectKind>)]
        kind: tamga_types::ObjectKind,
        /// Description of the object.
        #[arg(long)]
        description: String,
        /// External reference (cadastre number, contract number…).
        #[arg(long)]
        external_ref: Option<String>,
        /// Hash of the underlying document (hex).
        #[arg(long)]
        document_hash: Option<Hash>,
    },
    /// Transfer a record to another account (holder).
    Transfer {
        /// Record id.
        record: RecordId,
        /// New holder's account.
        to: PublicKey,
    },
    /// Encumber a record: pledge, lien, other (holder) or arrest (regulator).
    Encumber {
        /// Record id.
        record: RecordId,
        /// pledge, lien, arrest, other.
        #[arg(long, value_parser = snake::<tamga_types::EncumbranceKind>)]
        kind: tamga_types::EncumbranceKind,
        /// Beneficiary's account (its party becomes the beneficiary).
        #[arg(long)]
        beneficiary: PublicKey,
        /// Legal basis.
        #[arg(long)]
        legal_basis: String,
    },
    /// Release an encumbrance (beneficiary; regulator for an arrest).
    Release {
        /// Record id.
        record: RecordId,
        /// Encumbrance id.
        encumbrance: EncumbranceId,
    },
    /// Terminate a record (certifier or holder). Reasons: redeemed, expired, object-lost, court-decision, other.
    Terminate {
        /// Record id.
        record: RecordId,
        /// Ground (Digital Code art. 44 p.4).
        #[arg(long, value_parser = snake::<tamga_types::TerminationReason>)]
        reason: tamga_types::TerminationReason,
    },
}

/// `escrow <id>` or an escrow subcommand.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, arg_required_else_help = true)]
pub struct EscrowArgs {
    /// Escrow id to show.
    pub id: Option<EscrowId>,
    /// An escrow operation.
    #[command(subcommand)]
    pub cmd: Option<EscrowCmd>,
}

/// Escrow operations (SPEC §7).
#[derive(Debug, Subcommand)]
pub enum EscrowCmd {
    /// Lock tokens (`--class` and `--amount`) or a record (`--record`) for a payee (payer).
    Create {
        /// Payee account.
        #[arg(long)]
        payee: PublicKey,
        /// Arbiter account (its party decides disputes).
        #[arg(long)]
        arbiter: PublicKey,
        /// Class of the locked tokens.
        #[arg(long, requires = "amount", conflicts_with = "record")]
        class: Option<ClassId>,
        /// Amount of tokens (display units unless --base-units).
        #[arg(long, requires = "class")]
        amount: Option<String>,
        /// The locked record.
        #[arg(long, required_unless_present = "class")]
        record: Option<RecordId>,
        /// Hash of the human-readable terms (hex).
        #[arg(long)]
        terms_hash: Hash,
        /// Height after which the payer may be refunded.
        #[arg(long)]
        deadline_height: Height,
    },
    /// Confirm: the asset goes to the payee (payer).
    Release {
        /// Escrow id.
        escrow: EscrowId,
    },
    /// Take the asset back after the deadline (payer).
    Refund {
        /// Escrow id.
        escrow: EscrowId,
    },
    /// Dispute (payer or payee).
    Dispute {
        /// Escrow id.
        escrow: EscrowId,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Decide a dispute (arbiter).
    Resolve {
        /// Escrow id.
        escrow: EscrowId,
        /// Who gets the asset.
        #[arg(long, value_enum)]
        to: Party2,
        /// The decision's reasoning.
        #[arg(long)]
        reason: String,
    },
}

/// A side of an escrow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Party2 {
    /// The payee.
    Payee,
    /// The payer.
    Payer,
}

/// A regulator's review decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Decision {
    /// Accept.
    Accept,
    /// Reject (a reason is required).
    Reject,
}

/// Mining notifications (SPEC §6).
#[derive(Debug, Subcommand)]
pub enum MiningCmd {
    /// List notifications, filtered and paged.
    List(MiningListArgs),
    /// One notification.
    Show {
        /// Notification id.
        id: MiningNotificationId,
    },
    /// Installed capacity and units of active sites by region.
    Totals,
    /// Submit a start, change or termination notification (miner).
    Submit(MiningSubmitArgs),
    /// Accept or reject a notification (`mining` regulator).
    Review {
        /// Notification id.
        id: MiningNotificationId,
        /// Decision.
        #[arg(value_enum)]
        decision: Decision,
        /// Reason (required to reject).
        #[arg(long, required_if_eq("decision", "reject"))]
        reason: Option<String>,
    },
}

/// Filters of `mining list`.
#[derive(Debug, Args)]
pub struct MiningListArgs {
    /// Miner party.
    #[arg(long)]
    pub miner: Option<PartyId>,
    /// submitted, accepted or rejected.
    #[arg(long, value_parser = ["submitted", "accepted", "rejected"])]
    pub status: Option<String>,
    /// Region (e.g. pavlodar, almaty-city).
    #[arg(long)]
    pub region: Option<Region>,
    /// start, change or termination.
    #[arg(long, value_parser = snake::<tamga_types::MiningNotificationKind>)]
    pub kind: Option<tamga_types::MiningNotificationKind>,
    /// Start date on or after (YYYY-MM-DD).
    #[arg(long)]
    pub from: Option<Date>,
    /// Start date on or before (YYYY-MM-DD).
    #[arg(long)]
    pub to: Option<Date>,
    /// Page cursor: ids after this one.
    #[arg(long)]
    pub after: Option<MiningNotificationId>,
    /// Page size (1–1000, default 100).
    #[arg(long)]
    pub limit: Option<usize>,
}

/// `mining submit`.
#[derive(Debug, Args)]
pub struct MiningSubmitArgs {
    /// start, change or termination.
    #[arg(long, value_parser = snake::<tamga_types::MiningNotificationKind>)]
    pub kind: tamga_types::MiningNotificationKind,
    /// For a change or termination: the notification it follows.
    #[arg(long)]
    pub previous: Option<MiningNotificationId>,
    /// Region of the site.
    #[arg(long)]
    pub region: Region,
    /// Site address.
    #[arg(long)]
    pub address: String,
    /// Installed power capacity, kW.
    #[arg(long)]
    pub capacity_kw: u64,
    /// Equipment units.
    #[arg(long)]
    pub units: u32,
    /// Hashrate, TH/s.
    #[arg(long)]
    pub hashrate_ths: u64,
    /// Energy source: grid, own-generation, renewable, associated-gas, other.
    #[arg(long, value_parser = snake::<tamga_types::EnergySource>)]
    pub energy: tamga_types::EnergySource,
    /// Mining pool.
    #[arg(long)]
    pub pool: Option<String>,
    /// Start date (YYYY-MM-DD).
    #[arg(long)]
    pub start_date: Date,
}

/// Activity notifications (SPEC §6).
#[derive(Debug, Subcommand)]
pub enum ActivityCmd {
    /// List notifications.
    List {
        /// Only this party's.
        #[arg(long)]
        party: Option<PartyId>,
    },
    /// Notify the start or end of an activity: issuance, trading-organisation, exchange.
    Submit {
        /// Activity.
        #[arg(long, value_parser = snake::<tamga_types::Activity>)]
        activity: tamga_types::Activity,
        /// start or termination.
        #[arg(long, value_parser = snake::<tamga_types::ActivityPhase>)]
        phase: tamga_types::ActivityPhase,
        /// Effective date (YYYY-MM-DD).
        #[arg(long)]
        date: Date,
    },
    /// Accept or reject a notification (`assets` regulator).
    Review {
        /// Notification id.
        id: ActivityNotificationId,
        /// Decision.
        #[arg(value_enum)]
        decision: Decision,
        /// Reason (required to reject).
        #[arg(long, required_if_eq("decision", "reject"))]
        reason: Option<String>,
    },
}

/// Parses a kebab- or snake-case name into a serde snake_case enum, with the
/// enum's own list of allowed values in the error.
pub fn snake<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, String> {
    let v = serde_json::Value::String(s.trim().replace('-', "_"));
    serde_json::from_value(v).map_err(|e| e.to_string().replace('_', "-"))
}
