//! The command tree's root: the global flags and the top-level commands
//! (clap derive; doc comments are the `--help` text). Each domain's
//! subcommands live beside their payload builders in [`crate::cmd`].

use std::path::PathBuf;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use tamga_types::{Height, PublicKey};

use crate::cmd::escrow::EscrowArgs;
use crate::cmd::governance::{ParamsArgs, ValidatorsArgs};
use crate::cmd::keys::KeysCmd;
use crate::cmd::notify::NotifyCmd;
use crate::cmd::parties::PartyArgs;
use crate::cmd::queries::{BlockArgs, ExportCmd, ReceiptArgs, TxArgs};
use crate::cmd::records::RecordArgs;
use crate::cmd::regulator::RegulatorCmd;
use crate::cmd::tokens::TokenCmd;
use crate::cmd::{self, Op};

/// Tamga command-line client: keys, transactions for every ledger operation,
/// registries and chain queries, over a node's HTTP API.
///
/// Transaction commands show what will be signed (operation, payload, signer,
/// nonce, chain id) on stderr, ask for confirmation (`--yes` skips), submit,
/// wait for the receipt and print it; `--json` prints the receipt as one JSON
/// object (`tx_hash`, `height`, `status`, `events`, and the ids the
/// transaction created: `record_id`, `notification_id`, `class_id`,
/// `escrow_id`, `encumbrance_id`, `party_id`, `restriction_id`).
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
    /// PKCS#11 module of a hardware token (its vendor's library; SoftHSM2's
    /// `libsofthsm2.so` for tests): sign with an Ed25519 key on the token
    /// instead of --key. Needs --pkcs11-key and --pkcs11-token or --pkcs11-slot.
    #[arg(long, global = true, value_name = "PATH")]
    pub pkcs11_module: Option<PathBuf>,
    /// Label (CKA_LABEL) of the Ed25519 key pair on the token.
    #[arg(long, global = true, value_name = "LABEL")]
    pub pkcs11_key: Option<String>,
    /// Label of the token that holds the key.
    #[arg(long, global = true, value_name = "LABEL", conflicts_with = "pkcs11_slot")]
    pub pkcs11_token: Option<String>,
    /// Slot id of the token that holds the key (instead of --pkcs11-token).
    #[arg(long, global = true, value_name = "ID")]
    pub pkcs11_slot: Option<u64>,
    /// File (mode 0600) whose first line is the token's user PIN [default:
    /// TAMGA_PKCS11_PIN, else a prompt on the terminal].
    #[arg(long, global = true, value_name = "FILE")]
    pub pkcs11_pin_file: Option<PathBuf>,
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
    /// submits it later. `keys new|import`: the key file to create. `escrow
    /// terms`: the file to write the terms to.
    #[arg(long, global = true, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Sign (and save with --out) but do not submit; needs --chain-id and
    /// --nonce to work without a node.
    #[arg(long, global = true)]
    pub no_submit: bool,
    /// CA certificate (PEM) to trust for an https:// node instead of the
    /// system's store (a devnet's `DIR/tls/ca.pem`, written by `tamgad devnet --tls`).
    #[arg(long, global = true, env = "TAMGA_CA", value_name = "FILE")]
    pub ca: Option<PathBuf>,
    /// Client certificate (PEM) presented to a node that asks for one
    /// (`api.tls.client_ca_file`); needs --client-key.
    #[arg(long, global = true, env = "TAMGA_CLIENT_CERT", value_name = "FILE")]
    pub client_cert: Option<PathBuf>,
    /// Private key (PEM) of --client-cert.
    #[arg(long, global = true, env = "TAMGA_CLIENT_KEY", value_name = "FILE")]
    pub client_key: Option<PathBuf>,
    /// Language of messages, prompts and help: kk (Kazakh), ru (Russian) or
    /// en [default: from LC_ALL, LC_MESSAGES or LANG, else en]. The node's
    /// answers are asked for in it too (Accept-Language).
    #[arg(long, global = true, env = "TAMGA_LANG", value_enum, value_name = "LANG")]
    pub lang: Option<crate::i18n::Lang>,
    /// What to do.
    #[command(subcommand)]
    pub cmd: Command,
}

impl Cli {
    /// Parses the process arguments and folds `--json` into [`Cli::output`],
    /// in the language [`crate::i18n::detect`] finds (set for the process):
    /// `--help` and the parser's refusals already speak it.
    pub fn parse_args() -> Cli {
        let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
        let lang = crate::i18n::detect(&args, |k| std::env::var(k).ok());
        crate::i18n::set(lang);
        let matches = crate::i18n::help::localize(Cli::command(), lang).get_matches_from(args);
        match Cli::from_arg_matches(&matches) {
            Ok(cli) => cli.normalised(),
            Err(e) => e.exit(),
        }
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
    /// Secured tokens: classes, holders, mint, transfer, redeem, freeze, pause,
    /// lift, close, restrictions (Law on Informatization art. 33-1 p.2).
    #[command(subcommand)]
    Token(TokenCmd),
    /// Right-certifying records: show, list, issue, transfer, encumber, release,
    /// terminate (Digital Code art. 21 p.2(2)).
    Record(RecordArgs),
    /// Escrows: list, show, publish-terms, terms, create, release, refund,
    /// dispute, resolve (Digital Code art. 67).
    Escrow(EscrowArgs),
    /// Notifications to the regulator: mining and digital-asset activity
    /// (Law on Informatization art. 33-1 p.9 and p.10).
    #[command(subcommand)]
    Notify(NotifyCmd),
    /// Regulator operations: review notifications, parties and keys, freezes,
    /// pauses and their lifting, closing classes, forced transfers, arrests, validators, parameters.
    #[command(subcommand)]
    Regulator(RegulatorCmd),
    /// Recorded equivocation evidence.
    Evidence,
    /// Follow an account's event feed: every freeze, forced transfer, recovery, encumbrance, arbiter's decision, pause or validator-set exit that concerns it (Law on Informatization art. 36 p.6).
    Watch(crate::cmd::watch::WatchArgs),
    /// Benchmark a running devnet: throughput, finality latency, CPU and memory.
    Bench(crate::bench::BenchArgs),
    /// Issuer exports (Law on Informatization art. 33 p.4; format in docs/export-format.md): `export issuer ID
    /// --out FILE` saves everything an issuer issued with proofs; `export
    /// verify FILE --genesis FILE` checks a saved export offline.
    #[command(subcommand)]
    Export(ExportCmd),
}

impl Command {
    /// The transaction of this command, if it is one (queries are not).
    pub fn op(&self) -> Option<Op<'_>> {
        match self {
            Command::Party(PartyArgs { cmd: Some(c), .. }) => cmd::parties::op(c),
            Command::Token(c) => cmd::tokens::op(c),
            Command::Record(RecordArgs { cmd: Some(c), .. }) => cmd::records::op(c),
            Command::Escrow(EscrowArgs { cmd: Some(c), .. }) => cmd::escrow::op(c),
            Command::Notify(c) => cmd::notify::op(c),
            Command::Regulator(c) => Some(cmd::regulator::op(c)),
            Command::Validators(ValidatorsArgs { cmd: Some(c), .. }) => Some(cmd::governance::validators_op(c)),
            Command::Params(ParamsArgs { cmd: Some(c) }) => Some(cmd::governance::params_op(c)),
            _ => None,
        }
    }
}
