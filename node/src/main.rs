//! `tamgad`: the Tamga node binary. See `tamgad --help`.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use tamga_node::config::Config;
use tamga_node::home::{write_atomic, write_key, Home};
use tamga_types::SigningKey;

/// Tamga validator and observer node.
#[derive(Parser, Debug)]
#[command(name = "tamgad", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Create a home directory: documented config.toml, a new node key
    /// (the consensus key of `[signer] kind = "file"`) and a new p2p
    /// identity key (p2p.key); existing keys are kept.
    Init {
        /// Home directory to create.
        #[arg(long)]
        home: PathBuf,
        /// Copy this genesis file into the home.
        #[arg(long)]
        genesis: Option<PathBuf>,
        /// Overwrite an existing config (never the key).
        #[arg(long)]
        force: bool,
        /// libp2p listen address (multiaddr) written to config.toml. Without
        /// it the node listens on loopback only (/ip4/127.0.0.1/tcp/26656);
        /// a validator that other organisations reach names its address,
        /// e.g. /ip4/0.0.0.0/tcp/26656.
        #[arg(long, value_name = "MULTIADDR")]
        p2p_listen: Option<String>,
    },
    /// Run the node in HOME until Ctrl-C or SIGTERM.
    Start {
        /// Home directory (config.toml, node.key, genesis.json, data/).
        #[arg(long)]
        home: PathBuf,
    },
    /// Generate keys, configs and a genesis for N validators on loopback ports.
    Testnet {
        /// Number of validators.
        #[arg(long, default_value_t = 4)]
        validators: usize,
        /// Funded participant accounts (for load tests).
        #[arg(long, default_value_t = 1000)]
        participants: usize,
        /// Seed of every generated key. Without it a random seed is drawn
        /// and printed (rerun with `--seed` to reproduce the testnet); the
        /// keys of a testnet are only as secret as its seed.
        #[arg(long)]
        seed: Option<u64>,
        /// First p2p port (validator i listens on base + i).
        #[arg(long, default_value_t = 26656)]
        base_p2p_port: u16,
        /// First API port (validator i serves on base + i).
        #[arg(long, default_value_t = 8080)]
        base_api_port: u16,
        /// Output directory (must not hold a testnet).
        #[arg(long)]
        out: PathBuf,
    },
    /// Run a local devnet: generate (or reuse) a testnet in HOME whose genesis
    /// holds a regulator, an issuer with an accepted notification and a token
    /// class, a miner and funded participants; start every validator as its
    /// own process and print one `api=` line per node. A node that dies is
    /// reported, not restarted; Ctrl-C or SIGTERM stops them all.
    Devnet {
        /// Number of validators.
        #[arg(long, default_value_t = 4)]
        validators: usize,
        /// Funded participant accounts.
        #[arg(long, default_value_t = 1000)]
        participants: usize,
        /// Devnet directory (reused on the next run).
        #[arg(long, default_value = ".devnet")]
        home: PathBuf,
        /// Write the devnet (genesis, keys, node homes, devnet.json) and exit;
        /// node i then runs with `tamgad start --home DIR/node<i>`.
        #[arg(long)]
        init_only: bool,
        /// Seed of every generated key [default: 0]. Seed 0 is public: every
        /// devnet started without `--seed` has the same keys, so a second
        /// devnet on the same machine needs its own seed (and ports and home).
        /// A reused devnet keeps the seed it was generated with.
        #[arg(long)]
        seed: Option<u64>,
        /// Chain id [default: `tamga-devnet` for seed 0, `tamga-devnet-<seed>`
        /// otherwise].
        #[arg(long)]
        chain_id: Option<String>,
        /// First API port: validator i serves on 127.0.0.1:(base + i)
        /// [default: 8080]. A reused devnet keeps its ports.
        #[arg(long)]
        base_api_port: Option<u16>,
        /// First p2p port: validator i listens on 127.0.0.1:(base + i)
        /// [default: 26656]. A reused devnet keeps its ports.
        #[arg(long)]
        base_p2p_port: Option<u16>,
        /// Serve https: write a throwaway CA, a certificate per node and a
        /// client certificate into HOME/tls/ (ca.pem, node<i>.pem/.key,
        /// client.pem/.key) and record the CA in devnet.json. A reused
        /// devnet keeps what it was generated with.
        #[arg(long)]
        tls: bool,
    },
    /// The genesis ceremony of several organisations (docs/deployment.md):
    /// each writes its organisation file, one assembles them.
    Genesis {
        #[command(subcommand)]
        command: tamga_node::ceremony::GenesisCommand,
    },
    /// Check a genesis file and print every problem with its field path.
    ValidateGenesis {
        /// The genesis.json to check.
        file: PathBuf,
    },
    /// Print this node's consensus key (node.key, when there is one), its
    /// p2p identity key (p2p.key, the `p2p_key` to record in the genesis or
    /// a validator update) and its libp2p peer id.
    ShowKey {
        /// Home directory.
        #[arg(long)]
        home: PathBuf,
    },
    /// Create HOME/p2p.key, the node's libp2p identity (0600), for a home
    /// that has none; never replaces an existing one.
    P2pKey {
        /// Home directory.
        #[arg(long)]
        home: PathBuf,
        /// Use node.key's key as the p2p identity: what a genesis entry or
        /// validator update without a `p2p_key` records (a home made before
        /// nodes had a p2p key of their own). Without it a new key is made,
        /// which the regulator then records as the validator's `p2p_key`.
        #[arg(long)]
        from_node_key: bool,
    },
    /// Back up, verify and restore the ledger (docs/operations.md).
    Backup {
        #[command(subcommand)]
        command: tamga_node::backup::BackupCommand,
    },
    /// The access journal of API requests (Law on Informatization art. 55 p.3(2):
    /// every access is registered; docs/journal.md).
    Journal {
        #[command(subcommand)]
        command: JournalCommand,
    },
}

#[derive(Subcommand, Debug)]
enum JournalCommand {
    /// Check the hash chain of every segment; report OK with counts, or the
    /// first removed, reordered or altered entry (file, line, entry, reason)
    /// and exit with status 1.
    Verify {
        /// Home directory (the journal directory comes from its config.toml, default HOME/journal).
        #[arg(long, required_unless_present = "dir")]
        home: Option<PathBuf>,
        /// The journal directory itself (overrides --home).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
}

/// Parses the command line and runs the command (shared with `tamgad-byzantine`).
pub fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Init { home, genesis, force, p2p_listen } => init(Home::new(home), genesis, force, p2p_listen),
        Command::Start { home } => {
            let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
            rt.block_on(tamga_node::node::start(Home::new(home)))
        }
        Command::Testnet { validators, participants, seed, base_p2p_port, base_api_port, out } => {
            let seed = seed.unwrap_or_else(tamga_genesis::random_seed);
            let options = tamga_genesis::TestnetOptions {
                validators,
                participants,
                seed,
                base_p2p_port,
                base_api_port,
                ..Default::default()
            };
            let t = tamga_node::devnet::write_testnet(&out, &options)?;
            println!("testnet {} written to {}", t.genesis.chain_id.as_str(), out.display());
            println!("  seed {seed} (tamgad testnet --seed {seed} … writes the same keys)");
            for i in 0..t.validators.len() {
                println!("  tamgad start --home {}", tamga_node::devnet::node_home(&out, i).root().display());
            }
            Ok(())
        }
        Command::Devnet {
            validators,
            participants,
            home,
            init_only,
            seed,
            chain_id,
            base_api_port,
            base_p2p_port,
            tls,
        } => {
            let options = tamga_node::devnet::DevnetOptions {
                validators,
                participants,
                seed,
                chain_id,
                base_api_port,
                base_p2p_port,
                init_only,
                tls,
            };
            let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
            rt.block_on(tamga_node::devnet::run_devnet(home, options))
        }
        Command::Genesis { command } => command.run(),
        Command::ValidateGenesis { file } => {
            let g = tamga_genesis::load(&file).with_context(|| format!("{} is not a valid genesis", file.display()))?;
            println!("{}: valid (chain {}, genesis hash {})", file.display(), g.chain_id.as_str(), g.hash());
            Ok(())
        }
        Command::ShowKey { home } => show_key(&Home::new(home)),
        Command::P2pKey { home, from_node_key } => p2p_key(&Home::new(home), from_node_key),
        Command::Backup { command } => command.run(),
        Command::Journal { command: JournalCommand::Verify { home, dir } } => journal_verify(home, dir),
    }
}

fn journal_verify(home: Option<PathBuf>, dir: Option<PathBuf>) -> anyhow::Result<()> {
    let home = home.map(Home::new);
    let dir = match (dir, &home) {
        (Some(d), _) => d,
        (None, Some(home)) => {
            let cfg = if home.config().exists() { Config::load(&home.config())? } else { Config::default() };
            cfg.journal.dir_in(home.root())
        }
        (None, None) => anyhow::bail!("give --home or --dir"),
    };
    let r = match tamga_node::journal::verify(&dir) {
        Ok(r) => r,
        Err(e) => {
            // A failed verification is a security event of the node (SPEC §12),
            // recorded in its security log when the home is known.
            if let (tamga_node::journal::VerifyError::Violation(v), Some(home)) = (&e, &home) {
                record_journal_failure(home, v);
            }
            return Err(e.into());
        }
    };
    println!(
        "journal {}: OK, {} entries in {} segments, last hash {}",
        dir.display(),
        r.entries,
        r.segments,
        r.last_hash
    );
    match &r.head {
        Some(h) => println!("  durable head: entry {} ({})", h.seq, h.hash),
        None if r.entries > 0 => println!("  warning: no head.json (the node stopped before its first fsync)"),
        None => {}
    }
    if let Some(b) = r.torn_tail_bytes {
        println!("  warning: current.jsonl ends in an incomplete line of {b} bytes (a crash during a write; never durable; the next start sets it aside)");
    }
    for t in &r.torn_files {
        println!("  note: incomplete line set aside after a crash: {}", t.display());
    }
    Ok(())
}

/// Appends a `journal_verification_failed` record to the node's security log
/// (best effort: the verification's own failure is what the caller reports).
fn record_journal_failure(home: &Home, v: &tamga_node::journal::Violation) {
    let key = match tamga_node::home::read_key(&home.key()) {
        Ok(k) => k.public(),
        Err(e) => return eprintln!("warning: security event not recorded (node key: {e})"),
    };
    let metrics = tamga_node::metrics::Metrics::new();
    match tamga_node::security::SecurityLog::open_home(home, key, &metrics) {
        Ok(log) => {
            let event = tamga_node::security::SecurityEvent::journal_verification_failed(
                format!("{}:{}", v.segment.display(), v.line),
                Some(v.expected_seq),
                v.kind.to_string(),
            );
            log.record(event);
        }
        Err(e) => eprintln!("warning: security event not recorded: {e}"),
    }
}

fn init(home: Home, genesis: Option<PathBuf>, force: bool, p2p_listen: Option<String>) -> anyhow::Result<()> {
    let mut cfg = Config::default();
    if let Some(listen) = p2p_listen {
        cfg.p2p.listen = listen;
        // Refuses a malformed address now, naming the field, not at the first start.
        cfg.validate()?;
    }
    std::fs::create_dir_all(home.root()).with_context(|| format!("cannot create {}", home.root().display()))?;
    if home.config().exists() && !force {
        anyhow::bail!(
            "{} exists; pass --force to overwrite the config (the key is never replaced)",
            home.config().display()
        );
    }
    write_atomic(&home.config(), cfg.to_documented_toml().as_bytes(), 0o644)?;
    if !home.key().exists() {
        write_key(&home.key(), &SigningKey::generate())?;
    }
    if !home.p2p_key().exists() {
        write_key(&home.p2p_key(), &SigningKey::generate())?;
    }
    if let Some(g) = genesis {
        let text = std::fs::read_to_string(&g).with_context(|| format!("cannot read {}", g.display()))?;
        tamga_genesis::parse(&text).with_context(|| format!("invalid genesis {}", g.display()))?;
        write_atomic(&home.genesis(), text.as_bytes(), 0o644)?;
    }
    let key = tamga_node::home::read_key(&home.key())?;
    let p2p = tamga_node::home::read_p2p_key(&home)?;
    println!(
        "initialised {}\n  config  {}\n  key     {} ({})\n  p2p key {} ({}, peer id {})",
        home.root().display(),
        home.config().display(),
        home.key().display(),
        key.public(),
        home.p2p_key().display(),
        p2p.public(),
        tamga_node::home::libp2p_keypair(&p2p).public().to_peer_id()
    );
    Ok(())
}

/// `tamgad show-key`: the keys a regulator records for this node.
fn show_key(home: &Home) -> anyhow::Result<()> {
    // node.key is absent where the consensus key lives in a token or a remote signer.
    if home.key().exists() {
        println!("key      {}", tamga_node::home::read_key(&home.key())?.public());
    }
    let p2p = tamga_node::home::read_p2p_key(home)?;
    let peer = tamga_node::home::libp2p_keypair(&p2p).public().to_peer_id();
    println!("p2p key  {}\npeer id  {peer}", p2p.public());
    Ok(())
}

/// `tamgad p2p-key`: creates HOME/p2p.key (never over an existing one).
fn p2p_key(home: &Home, from_node_key: bool) -> anyhow::Result<()> {
    let path = home.p2p_key();
    if path.exists() {
        anyhow::bail!("{} exists; a p2p key is never replaced (peers admit the node under it)", path.display());
    }
    let key = if from_node_key { tamga_node::home::read_key(&home.key())? } else { SigningKey::generate() };
    write_key(&path, &key)?;
    let peer = tamga_node::home::libp2p_keypair(&key).public().to_peer_id();
    println!("wrote {}\n  p2p key  {}\n  peer id  {peer}", path.display(), key.public());
    Ok(())
}
