//! `tamga-signer`: holds a validator's consensus key apart from the
//! validator and signs its votes and proposals over a Noise channel with
//! pinned keys, refusing anything that would double-sign (its own guard,
//! persisted before each answer). See `tamga_node::remote_signer` and
//! `docs/operations.md` ("Remote signer (tamga-signer)").
//!
//! ```text
//! tamga-signer keygen-identity --out signer-identity.key   # prints the public key to pin
//! tamga-signer keygen-consensus --out consensus.key        # or use an existing node.key
//! tamga-signer init --config signer.toml                   # creates the guard's state file once
//! tamga-signer start --config signer.toml
//! ```

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use tamga_node::remote_signer::guard::Guard;
use tamga_node::remote_signer::{IdentityKey, RunningSigner, SignerConfig};

/// The Tamga remote signer.
#[derive(Parser)]
#[command(name = "tamga-signer", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve signatures (runs until killed).
    Start {
        /// The signer's TOML config.
        #[arg(long)]
        config: PathBuf,
    },
    /// Create the guard's state file (nothing signed yet); refuses to
    /// overwrite an existing one.
    Init {
        /// The signer's TOML config.
        #[arg(long)]
        config: PathBuf,
    },
    /// Write a new Noise identity key (mode 0600) and print its public key.
    KeygenIdentity {
        /// The key file to create.
        #[arg(long)]
        out: PathBuf,
    },
    /// Write a new consensus key in `node.key`'s format (mode 0600) and print
    /// its public key.
    KeygenConsensus {
        /// The key file to create.
        #[arg(long)]
        out: PathBuf,
    },
    /// Print the public keys of a config: the signer's identity (for the
    /// validator to pin) and the consensus key.
    Show {
        /// The signer's TOML config.
        #[arg(long)]
        config: PathBuf,
    },
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    match Cli::parse().command {
        Command::Start { config } => {
            let cfg = SignerConfig::load(&config)?;
            let signer = RunningSigner::start(&cfg)?;
            signer.wait();
        }
        Command::Init { config } => {
            let cfg = SignerConfig::load(&config)?;
            Guard::init(&cfg.state_file, &cfg.chain_id)?;
            println!("{}", cfg.state_file.display());
        }
        Command::KeygenIdentity { mut out } => {
            refuse_existing(&mut out)?;
            let key = IdentityKey::generate();
            key.write(&out).with_context(|| format!("writing {}", out.display()))?;
            println!("{}", key.public());
        }
        Command::KeygenConsensus { mut out } => {
            refuse_existing(&mut out)?;
            let key = tamga_types::crypto::SigningKey::generate();
            tamga_node::home::write_key(&out, &key).with_context(|| format!("writing {}", out.display()))?;
            println!("{}", key.public());
        }
        Command::Show { config } => {
            let cfg = SignerConfig::load(&config)?;
            let id = IdentityKey::read(&cfg.identity_key_file)?;
            let key = cfg.key.open()?;
            println!("identity {}", id.public());
            println!("consensus {}", key.public_key());
        }
    }
    Ok(())
}

fn refuse_existing(path: &mut PathBuf) -> anyhow::Result<()> {
    // Absolute, so that the directory can be fsynced after the rename.
    *path = std::path::absolute(&*path).with_context(|| format!("resolving {}", path.display()))?;
    if path.exists() {
        anyhow::bail!("{} exists already: a key file is never overwritten", path.display());
    }
    Ok(())
}
