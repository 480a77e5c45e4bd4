//! The command tree (clap derive; doc comments are the `--help` text).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use tamga_client::BlockAt;
use tamga_types::{
    ClassId, Date, EncumbranceId, EscrowId, Hash, Height, MiningNotificationId, PartyId, PublicKey, RecordId, Region,
};

/// Tamga command-line client: keys, transactions for every ledger operation,
/// registries and chain queries, over a node's HTTP API.
///
/// Transaction commands show what will be signed (operation, payload, signer,
/// nonce, chain id) on stderr, ask for confirmation (`--yes` skips), submit,
/// wait for the receipt and print it; `--json` prints the receipt as one JSON
/// object (`tx_hash`, `height`, `status`, `events`, and the ids the
/// transaction created: `record_id`, `notification_id`, `class_id`,
/// `escrow_id`, `encumbrance_id`, `party_id`).
///
/// Addresses (ADDRESS, KEY) are account public keys, 64 hex characters, as
/// `tamga keys show` prints them. Token amounts are in the class's display
/// units unless `--base-units` (see `tamga token mint --help`).
///
/// Exit status: 0 success; 1 error (bad key file, unreachable node, …);
/// 2 usage error; 3 the transaction committed with a failed receipt; 4 the
/// node refused the request (a transaction's admission error, an unknown id);
/// 5 no receipt within --timeout (the transaction may still commit). On an
/// error `--json` prints `{"code", "message", …}` on stdout, text mode prints
/// `error: …` on stderr.
#[derive(Debug, Parser)]
#[command(name = "tamga", version, propagate_version = true)]
pub struct Cli {
    /// Base URL of the node's HTTP API.
    #[arg(long, global = true, env = "TAMGA_NODE", default_value = "http://127.0.0.1:8080", value_name = "URL")]
    pub node: String,
    /// Signing key file: plain (64 hex characters of an ed25519 seed, as a
    /// devnet's `keys/*.key`) or encrypted (`tamga keys new`; passphrase from
    /// TAMGA_PASSPHRASE, --passphrase-file or a prompt on the terminal).
    #[arg(long, global = true, env = "TAMGA_KEY", value_name = "FILE")]
    pub key: Option<PathBuf>,
    /// File whose first line is the passphrase of an encrypted key file.
    #[arg(long, global = true, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
    /// Chain id to sign for [default: the node's, from /v1/status].
    #[arg(long, global = true, env = "TAMGA_CHAIN_ID")]
    pub chain_id: Option<String>,
    /// Print one JSON document on stdout (same as `--output json`).
    #[arg(long, global = true)]
    pub json: bool,
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
    /// Transaction commands: also save the signed transaction to FILE (JSON:
    /// `hash`, `raw` hex of its canonical bytes, `tx`); `tamga tx submit FILE`
    /// submits it later. `keys new|import`: the key file to create.
    #[arg(long, global = true, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Sign (and save with --out) but do not submit; needs --chain-id and
    /// --nonce to work without a node.
    #[arg(long, global = true)]
    pub no_submit: bool,
    /// What to do.
    #[command(subcommand)]
    pub cmd: Command,
}

impl Cli {
    /// Parses the process arguments and folds `--json` into [`Cli::output`].
    pub fn parse_args() -> Cli {
        Cli::parse().normalised()
    }

    /// `--json` is `--output json`.
    pub fn normalised(mut self) -> Cli {
        if self.json {
            self.output = Output::Json;
        }
        self
    }
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
    /// Create, list, show and import key files (encrypted by default).
    #[command(subcommand)]
    Keys(KeysCmd),
    /// The node's status: chain id, height, block hash, state root (GET /v1/status).
    Status,
    /// Chain facts fixed at genesis: chain id, genesis hash, regulation hash, network type.
    Chain,
    /// Chain parameters, or change one (regulator).
    Params(ParamsArgs),
    /// The validator set, or change it (regulator).
    Validators(ValidatorsArgs),
    /// An account: status, next nonce, balances [default: the --key account].
    Account {
        /// Account address (64 hex).
        #[arg(value_name = "ADDRESS")]
        account: Option<PublicKey>,
        /// List the records the account holds instead.
        #[arg(long)]
        records: bool,
    },
    /// An account's token balances: class, amount, frozen, free (base units) [default: the --key account].
    Balance {
        /// Account address (64 hex).
        #[arg(value_name = "ADDRESS")]
        account: Option<PublicKey>,
    },
    /// A transaction by hash (`tx HASH`, `tx status HASH`), or submit a saved one.
    Tx(TxArgs),
    /// The receipt of a committed transaction (`receipt HASH`), or export and
    /// verify an offline-verifiable receipt bundle (Digital Code art. 62 p.1:
    /// a signed document is kept and verified outside the system that made it).
    Receipt(ReceiptArgs),
    /// Verify the chain of block headers and commit certificates from a
    /// trusted genesis, across validator-set changes (light verification).
    VerifyChain {
        /// The network's genesis.json: the only thing trusted.
        #[arg(long, value_name = "FILE")]
        genesis: PathBuf,
        /// Last height to verify [default: the node's latest].
        #[arg(long, value_name = "HEIGHT")]
        to: Option<Height>,
    },
    /// A block: `block show HEIGHT|latest` (also `block HEIGHT`).
    Block(BlockArgs),
    /// Parties: list, show, register and manage (IIN/BIN kept off the ledger as a salted commitment).
    Party(PartyArgs),
    /// Secured tokens: classes, holders, mint, transfer, redeem, freeze, pause
    /// (Law on Informatization art. 33-1 p.2).
    #[command(subcommand)]
    Token(TokenCmd),
    /// Right-certifying records: show, list, issue, transfer, encumber, release,
    /// terminate (Digital Code art. 21 p.2(2)).
    Record(RecordArgs),
    /// Escrows: list, show, create, release, refund, dispute, resolve (Digital Code art. 67).
    Escrow(EscrowArgs),
    /// Notifications to the regulator: mining and digital-asset activity
    /// (Law on Informatization art. 33-1 p.9 and p.10).
    #[command(subcommand)]
    Notify(NotifyCmd),
    /// Regulator operations: review notifications, parties and keys, freezes,
    /// forced transfers, arrests, validators, parameters.
    #[command(subcommand)]
    Regulator(RegulatorCmd),
    /// Recorded equivocation evidence.
    Evidence,
    /// Benchmark a running devnet: throughput, finality latency, CPU and memory.
    Bench(crate::bench::BenchArgs),
    /// Issuer exports (Law on Informatization art. 33 p.4; format in docs/export-format.md): `export issuer ID
    /// --out FILE` saves everything an issuer issued with proofs; `export
    /// verify FILE --genesis FILE` checks a saved export offline.
    #[command(subcommand)]
    Export(ExportCmd),
}

/// Key files.
#[derive(Debug, Subcommand)]
pub enum KeysCmd {
    /// Generate a new key into a new file (mode 0600, never overwritten) and print its address.
    ///
    /// The file is encrypted with a passphrase (TAMGA_PASSPHRASE,
    /// --passphrase-file, or asked twice on the terminal) unless --plain.
    /// Where: --out FILE, else DIR/NAME.key (DIR: --dir, default ~/.tamga/keys).
    New {
        /// Name of the key: the file is DIR/NAME.key.
        name: Option<String>,
        /// Directory for NAME [default: ~/.tamga/keys].
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// Write the seed unencrypted (64 hex characters; development only).
        #[arg(long)]
        plain: bool,
    },
    /// List the key files in a directory with their addresses (no passphrase needed).
    List {
        /// Directory [default: ~/.tamga/keys].
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Print the address (public key) of a key file: `keys show FILE` or `--key FILE`.
    Show {
        /// Key file [default: --key].
        file: Option<PathBuf>,
        /// Also decrypt an encrypted file, proving the passphrase opens it.
        #[arg(long)]
        verify: bool,
    },
    /// Import a 64-hex seed (from --seed-file, or one line on stdin) into a new key file.
    ///
    /// Encrypted unless --plain; the file is --out FILE, else DIR/NAME.key.
    Import {
        /// Name of the key: the file is DIR/NAME.key.
        name: Option<String>,
        /// File holding the seed as 64 hex characters (a plain key file) [default: stdin].
        #[arg(long, value_name = "FILE")]
        seed_file: Option<PathBuf>,
        /// Directory for NAME [default: ~/.tamga/keys].
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// Write the seed unencrypted (development only).
        #[arg(long)]
        plain: bool,
    },
}

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

/// Party operations.
#[derive(Debug, Subcommand)]
pub enum PartyCmd {
    /// All parties.
    List,
    /// One party with its accounts and roles.
    Show {
        /// Party id.
        id: PartyId,
    },
    /// Register a party with its accounts (regulator).
    Register(RegisterArgs),
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

/// `party register` / `regulator register-party`.
#[derive(Debug, Args)]
pub struct RegisterArgs {
    /// `individual` or `legal-entity`.
    #[arg(long, value_parser = snake::<tamga_types::PartyKind>)]
    pub kind: tamga_types::PartyKind,
    /// The 12-digit IIN/BIN (check digit verified before hashing); only its salted commitment leaves this machine.
    #[arg(long, requires = "salt", conflicts_with = "id_commitment")]
    pub iin_bin: Option<String>,
    /// 32-byte salt (hex) for the commitment; keep it off-chain (Digital Code art. 41:
    /// the ledger never holds the identifier itself).
    #[arg(long, requires = "iin_bin")]
    pub salt: Option<String>,
    /// A precomputed commitment H(salt ‖ IIN/BIN), instead of --iin-bin/--salt.
    #[arg(long)]
    pub id_commitment: Option<Hash>,
    /// Display name (legal entities only).
    #[arg(long)]
    pub name: Option<String>,
    /// Account key, optionally with a PKI certificate: `KEY` or `KEY:ISSUER:SERIAL`. Repeat for several.
    #[arg(long = "account", required = true, value_name = "KEY[:ISSUER:SERIAL]")]
    pub accounts: Vec<String>,
}

/// `--class --holder [--amount] --legal-basis` of `token freeze|unfreeze`, `regulator freeze|unfreeze`.
#[derive(Debug, Args)]
pub struct FreezeFlags {
    /// Class id.
    #[arg(long)]
    pub class: ClassId,
    /// The holder's address.
    #[arg(long, value_name = "ADDRESS")]
    pub holder: PublicKey,
    /// Amount (display units unless --base-units) [default: the whole holding].
    #[arg(long)]
    pub amount: Option<String>,
    /// Legal basis (court decision, article…).
    #[arg(long)]
    pub legal_basis: String,
}

/// Token classes and holdings (Law on Informatization art. 33-1 p.2).
///
/// AMOUNTS: `--amount N` is in the class's display units, the class's
/// `decimals` fetched from the node: in a class with 3 decimals (the devnet's
/// DEVGRAIN) `--amount 5` is 5000 base units and `--amount 0.25` is 250. A
/// plain integer therefore means whole tokens. With --base-units the amount is
/// the raw integer the ledger stores (`--base-units --amount 5` is 5 base
/// units). Balances and receipts always show base units.
#[derive(Debug, Subcommand)]
pub enum TokenCmd {
    /// All token classes: id, symbol, issuer, supply (base units), decimals, …
    List {
        /// Only the classes of this issuer party.
        #[arg(long)]
        issuer: Option<PartyId>,
    },
    /// One class.
    Show {
        /// Class id.
        id: ClassId,
    },
    /// Holders of a class.
    Holders {
        /// Class id.
        id: ClassId,
    },
    /// Create a secured token class (issuer).
    Create(CreateClassArgs),
    /// Issuer mints tokens to an eligible holder.
    ///
    /// `--amount` is in display units (whole tokens; a class with 3 decimals
    /// turns `--amount 5` into 5000 base units) unless --base-units.
    Mint(TokenMove),
    /// Transfer tokens from the --key account.
    ///
    /// `--amount` is in display units (whole tokens; a class with 3 decimals
    /// turns `--amount 5` into 5000 base units) unless --base-units.
    Transfer(TokenMove),
    /// Redeem tokens to the issuer, claiming one of the class's rights.
    Redeem {
        /// Class id.
        #[arg(long)]
        class: ClassId,
        /// Amount (display units unless --base-units).
        #[arg(long)]
        amount: String,
        /// Index of the claimed right in the class's `rights` list.
        #[arg(long, default_value_t = 0)]
        right: u32,
    },
    /// Freeze a holding, all of it or an amount (issuer or regulator).
    Freeze(FreezeFlags),
    /// Unfreeze a holding, all of it or an amount (issuer or regulator).
    Unfreeze(FreezeFlags),
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

/// `token mint|transfer --class ID --to ADDRESS --amount N`.
#[derive(Debug, Args)]
pub struct TokenMove {
    /// Class id.
    #[arg(long)]
    pub class: ClassId,
    /// Receiving address (64 hex).
    #[arg(long, value_name = "ADDRESS")]
    pub to: PublicKey,
    /// Amount: display units of the class (`5` = 5 whole tokens) unless --base-units.
    #[arg(long, value_name = "N")]
    pub amount: String,
}

/// `token create` / `class create`.
#[derive(Debug, Args)]
pub struct CreateClassArgs {
    /// Ticker, 1–12 upper-case letters or digits.
    #[arg(long)]
    pub symbol: String,
    /// Human name.
    #[arg(long)]
    pub name: String,
    /// Decimal places (0–18).
    #[arg(long)]
    pub decimals: u8,
    /// Supply cap (display units with --decimals unless --base-units).
    #[arg(long)]
    pub cap: Option<String>,
    /// A right the token certifies: `goods:DESCRIPTION` or `services:DESCRIPTION`. Repeat for several.
    #[arg(long = "right", required = true, value_name = "KIND:DESCRIPTION")]
    pub rights: Vec<String>,
    /// SHA-256 of the backing document (hex).
    #[arg(long)]
    pub document_hash: Hash,
    /// Where the backing document is published.
    #[arg(long)]
    pub document_uri: String,
    /// Redemption terms.
    #[arg(long)]
    pub redemption_terms: String,
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

/// Record operations (Digital Code art. 21 p.2(2)).
#[derive(Debug, Subcommand)]
pub enum RecordCmd {
    /// A record with its encumbrances and full history.
    Show {
        /// Record id.
        id: RecordId,
    },
    /// The records an account holds [default: the --key account].
    List {
        /// Holder's address.
        #[arg(long, value_name = "ADDRESS")]
        holder: Option<PublicKey>,
    },
    /// Certify a right to a holder (issuer or regulator); the receipt names the new `record_id`.
    Issue {
        /// The holder's address.
        #[arg(long, value_name = "ADDRESS")]
        to: PublicKey,
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
        /// New holder's address.
        #[arg(long, value_name = "ADDRESS")]
        to: PublicKey,
    },
    /// Encumber a record (holder): pledge, lien or other; the receipt names the new `encumbrance_id`.
    ///
    /// An arrest is a regulator's act: `tamga regulator arrest`.
    Encumber {
        /// Record id.
        record: RecordId,
        /// pledge, lien, other (arrest: regulator).
        #[arg(long, value_parser = snake::<tamga_types::EncumbranceKind>)]
        kind: tamga_types::EncumbranceKind,
        /// Beneficiary's address (its party becomes the beneficiary).
        #[arg(long, value_name = "ADDRESS")]
        beneficiary: PublicKey,
        /// Legal basis (the agreement) [default: "<kind> granted by the holder"; required for an arrest].
        #[arg(long)]
        legal_basis: Option<String>,
    },
    /// Release an encumbrance (beneficiary; a regulator for an arrest).
    Release {
        /// Record id.
        record: RecordId,
        /// Encumbrance id.
        #[arg(long, value_name = "EID")]
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

/// Escrow operations (Digital Code art. 67).
#[derive(Debug, Subcommand)]
pub enum EscrowCmd {
    /// All escrows.
    List {
        /// Only escrows where this party is payer, payee or arbiter.
        #[arg(long)]
        party: Option<PartyId>,
    },
    /// One escrow.
    Show {
        /// Escrow id.
        id: EscrowId,
    },
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

/// A mining site, every field given.
#[derive(Debug, Args)]
pub struct SiteArgs {
    /// Region of the site (e.g. pavlodar, almaty-city, east-kazakhstan).
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

/// A mining site's changed fields; the others are the previous notification's.
#[derive(Debug, Args)]
pub struct SiteChangeArgs {
    /// The notification this one follows (the miner's latest of the site).
    #[arg(long)]
    pub previous: MiningNotificationId,
    /// Region of the site.
    #[arg(long)]
    pub region: Option<Region>,
    /// Site address.
    #[arg(long)]
    pub address: Option<String>,
    /// Installed power capacity, kW.
    #[arg(long)]
    pub capacity_kw: Option<u64>,
    /// Equipment units.
    #[arg(long)]
    pub units: Option<u32>,
    /// Hashrate, TH/s.
    #[arg(long)]
    pub hashrate_ths: Option<u64>,
    /// Energy source: grid, own-generation, renewable, associated-gas, other.
    #[arg(long, value_parser = snake::<tamga_types::EnergySource>)]
    pub energy: Option<tamga_types::EnergySource>,
    /// Mining pool.
    #[arg(long)]
    pub pool: Option<String>,
    /// Date of the change or termination (YYYY-MM-DD).
    #[arg(long)]
    pub start_date: Option<Date>,
}

/// Notifications (Law on Informatization art. 33-1 p.9 and p.10).
#[derive(Debug, Subcommand)]
pub enum NotifyCmd {
    /// Digital mining notifications (Law art. 33-1 p.9): start, change, terminate, list, show, totals.
    #[command(subcommand)]
    Mining(NotifyMiningCmd),
    /// Digital-asset activity notifications: start, terminate, list.
    #[command(subcommand)]
    Activity(NotifyActivityCmd),
}

/// `notify mining …`.
#[derive(Debug, Subcommand)]
pub enum NotifyMiningCmd {
    /// Notify the start of mining at a site (miner); the receipt names the new `notification_id`.
    Start(SiteArgs),
    /// Notify a change of a site; fields not given keep the previous notification's values.
    Change(SiteChangeArgs),
    /// Notify the termination of a site; fields not given keep the previous notification's values.
    Terminate(SiteChangeArgs),
    /// List notifications (every page unless --limit), filtered.
    List(MiningListArgs),
    /// One notification.
    Show {
        /// Notification id.
        id: MiningNotificationId,
    },
    /// Installed capacity and units of active sites by region.
    Totals,
}

/// `notify activity …`.
#[derive(Debug, Subcommand)]
pub enum NotifyActivityCmd {
    /// Notify the start of an activity: issuance, trading-organisation, exchange.
    Start {
        /// Activity.
        #[arg(long, value_parser = snake::<tamga_types::Activity>)]
        activity: tamga_types::Activity,
        /// Effective date (YYYY-MM-DD).
        #[arg(long)]
        date: Date,
    },
    /// Notify the end of an activity.
    Terminate {
        /// Activity.
        #[arg(long, value_parser = snake::<tamga_types::Activity>)]
        activity: tamga_types::Activity,
        /// Effective date (YYYY-MM-DD).
        #[arg(long)]
        date: Date,
    },
    /// List notifications.
    List {
        /// Only this party's.
        #[arg(long)]
        party: Option<PartyId>,
    },
}

/// Which register a notification id belongs to.
#[derive(Debug, Args)]
pub struct NotificationRef {
    /// Notification id (a mining notification unless --activity).
    pub id: u64,
    /// The id is a digital-asset activity notification's (`assets` scope).
    #[arg(long)]
    pub activity: bool,
}

/// Regulator operations. Each needs a regulator's key; acts against a person
/// name a legal basis (Digital Code art. 20 p.4: restrictions only as far as necessary).
#[derive(Debug, Subcommand)]
pub enum RegulatorCmd {
    /// Accept a notification (`mining` scope; with --activity, `assets` scope).
    AcceptNotification(NotificationRef),
    /// Reject a notification, with a reason.
    RejectNotification {
        /// The notification.
        #[command(flatten)]
        note: NotificationRef,
        /// Reason.
        #[arg(long)]
        reason: String,
    },
    /// Register a party with its accounts; the receipt names the new `party_id`.
    RegisterParty(RegisterArgs),
    /// Change a party's status: active, suspended, revoked.
    SetPartyStatus {
        /// Party id.
        party: PartyId,
        /// New status.
        #[arg(value_parser = snake::<tamga_types::PartyStatus>)]
        status: tamga_types::PartyStatus,
        /// Legal basis.
        #[arg(long)]
        legal_basis: String,
    },
    /// Add an account key to a party, optionally with a PKI certificate.
    AddAccount {
        /// Party id.
        party: PartyId,
        /// The new key.
        #[arg(value_name = "ADDRESS")]
        account: PublicKey,
        /// PKI certificate `ISSUER:SERIAL`.
        #[arg(long)]
        cert: Option<String>,
    },
    /// Revoke any account key. Reasons (Digital Code art. 59 p.1): holder-request,
    /// false-information, death, change-of-name, reorganisation-or-liquidation, court-decision.
    RevokeKey {
        /// The key to revoke.
        #[arg(value_name = "ADDRESS")]
        account: PublicKey,
        /// Ground for revocation.
        #[arg(long, value_parser = snake::<tamga_types::RevocationReason>)]
        reason: tamga_types::RevocationReason,
    },
    /// Freeze a holding, all of it or an amount.
    Freeze(FreezeFlags),
    /// Unfreeze a holding, all of it or an amount.
    Unfreeze(FreezeFlags),
    /// Pause a class.
    PauseClass {
        /// Class id.
        class: ClassId,
        /// Legal basis.
        #[arg(long)]
        legal_basis: String,
    },
    /// Resume a paused class.
    UnpauseClass {
        /// Class id.
        class: ClassId,
        /// Legal basis.
        #[arg(long)]
        legal_basis: String,
    },
    /// Move tokens between accounts with a legal basis.
    ForcedTransfer {
        /// Class id.
        #[arg(long)]
        class: ClassId,
        /// Source address.
        #[arg(long, value_name = "ADDRESS")]
        from: PublicKey,
        /// Receiving address.
        #[arg(long, value_name = "ADDRESS")]
        to: PublicKey,
        /// Amount (display units unless --base-units).
        #[arg(long)]
        amount: String,
        /// Legal basis (court decision, article…).
        #[arg(long)]
        legal_basis: String,
    },
    /// Move all holdings and records of a lost key to another account of the same party.
    RecoverAccount {
        /// The lost account.
        #[arg(long, value_name = "ADDRESS")]
        from: PublicKey,
        /// The party's other account.
        #[arg(long, value_name = "ADDRESS")]
        to: PublicKey,
        /// Legal basis.
        #[arg(long)]
        legal_basis: String,
    },
    /// Arrest a record (an encumbrance only a regulator releases).
    Arrest {
        /// Record id.
        record: RecordId,
        /// Beneficiary's address [default: the signing --key].
        #[arg(long, value_name = "ADDRESS")]
        beneficiary: Option<PublicKey>,
        /// Legal basis (court decision…).
        #[arg(long)]
        legal_basis: String,
    },
    /// Release an arrest.
    ReleaseArrest {
        /// Record id.
        record: RecordId,
        /// The arrest's encumbrance id.
        #[arg(long, value_name = "EID")]
        encumbrance: EncumbranceId,
    },
    /// Change the validator set, effective `validator_change_delay` blocks after commit.
    UpdateValidators {
        /// `KEY:POWER:OPERATOR_PARTY`; power 0 removes the validator. Repeat for several.
        #[arg(long = "set", required = true, value_name = "KEY:POWER:PARTY")]
        updates: Vec<String>,
    },
    /// Add a validator (or change its power).
    AddValidator {
        /// The validator's consensus key.
        #[arg(value_name = "KEY")]
        validator: PublicKey,
        /// Voting power (at least 1).
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
        power: u64,
        /// The operator party.
        #[arg(long)]
        operator: PartyId,
    },
    /// Remove a validator.
    RemoveValidator {
        /// The validator's consensus key.
        #[arg(value_name = "KEY")]
        validator: PublicKey,
        /// The operator party.
        #[arg(long)]
        operator: PartyId,
    },
    /// Set a chain parameter: `max-block-txs N`, `validator-change-delay N`, `require-mining-notice true|false`.
    SetParam {
        /// Parameter name.
        #[arg(value_enum)]
        name: ParamName,
        /// New value.
        value: String,
    },
}

/// The kebab-case name of a serde snake_case enum value (`raw-resource`).
pub fn kebab<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s.replace('_', "-"),
        _ => "?".into(),
    }
}

/// Parses a kebab- or snake-case name into a serde snake_case enum, with the
/// enum's own list of allowed values in the error.
pub fn snake<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, String> {
    let v = serde_json::Value::String(s.trim().replace('-', "_"));
    serde_json::from_value(v).map_err(|e| e.to_string().replace('_', "-"))
}
