//! `tamgad genesis …`: the genesis ceremony of several organisations
//! (docs/deployment.md). Each organisation writes its organisation file from
//! its own node home with `tamgad genesis org`; the coordinator assembles the
//! files with `tamgad genesis assemble` ([`tamga_genesis::assemble`]). Only
//! public keys and the identifier commitment leave an organisation
//! (SPEC §1.6: the IIN/BIN itself is never in the genesis).

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use tamga_genesis::{Ceremony, OrgFile, PartyEntry, ValidatorEntry};
use tamga_types::{identifier_commitment, Hash, Params, PartyKind, PublicKey};

use crate::home::{read_key, write_atomic, Home};

/// `--kind` of `tamgad genesis org`.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum KindArg {
    /// A legal entity (BIN).
    LegalEntity,
    /// A natural person (IIN).
    Individual,
}

/// `--regulator-scope` of `tamgad genesis org` (SPEC §2).
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum ScopeArg {
    /// Asset-backed tokens.
    Assets,
    /// Digital mining.
    Mining,
}

/// `tamgad genesis …`.
#[derive(clap::Subcommand, Debug)]
pub enum GenesisCommand {
    /// Write this organisation's file for the genesis ceremony: its party
    /// (identifier commitment, account keys, roles) and its node's validator
    /// entry (the public key of HOME/node.key). Send the file to the coordinator.
    Org {
        /// Node home (its node.key is the validator's consensus key).
        #[arg(long)]
        home: PathBuf,
        /// The party id agreed for this organisation (party n is the n-th in the genesis).
        #[arg(long)]
        party_id: u64,
        /// The organisation's name, as shown in the ledger (legal entities).
        #[arg(long)]
        name: Option<String>,
        /// Party kind.
        #[arg(long, value_enum, default_value = "legal-entity")]
        kind: KindArg,
        /// The organisation's BIN (or a person's IIN). Only its commitment
        /// H(salt ‖ BIN) is written (SPEC §1.6).
        #[arg(long)]
        iin_bin: String,
        /// 32-byte hex salt of the commitment; keep it: it proves the BIN later.
        #[arg(long)]
        salt: String,
        /// An account key of the party (hex ed25519, as `tamga keys new` prints); repeatable.
        #[arg(long = "account", required = true)]
        accounts: Vec<String>,
        /// A regulator scope (the regulator's organisation only); repeatable.
        #[arg(long = "regulator-scope", value_enum)]
        regulator_scopes: Vec<ScopeArg>,
        /// Starts with an accepted issuance notification (the Issuer role).
        #[arg(long)]
        issuer: bool,
        /// Address the other validators reach this node at, e.g. /ip4/10.0.0.1/tcp/26656.
        #[arg(long)]
        p2p_address: String,
        /// Voting power of this node.
        #[arg(long, default_value_t = 10)]
        power: u64,
        /// Write the file here (must not exist) instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Assemble the organisations' files into genesis.json and print its hash.
    Assemble {
        /// Chain id of the network.
        #[arg(long)]
        chain_id: String,
        /// Genesis time, RFC 3339 (the first block is later).
        #[arg(long)]
        genesis_time: String,
        /// Hex SHA-256 of the internal regulation document (`sha256sum` prints it).
        #[arg(long)]
        regulation_hash: String,
        /// The genesis file to write (must not exist).
        #[arg(long)]
        out: PathBuf,
        /// The organisations' files, in any order.
        #[arg(required = true)]
        orgs: Vec<PathBuf>,
    },
}

impl GenesisCommand {
    /// Runs the command.
    pub fn run(self) -> anyhow::Result<()> {
        match self {
            GenesisCommand::Org {
                home,
                party_id,
                name,
                kind,
                iin_bin,
                salt,
                accounts,
                regulator_scopes,
                issuer,
                p2p_address,
                power,
                out,
            } => {
                let home = Home::new(home);
                let key =
                    read_key(&home.key()).with_context(|| format!("the node key of {}", home.root().display()))?;
                // The libp2p identity peers admit this validator under (SPEC §9).
                let p2p = crate::home::read_p2p_key(&home)?;
                let salt = Hash::from_hex(&salt).map_err(|e| anyhow::anyhow!("--salt {salt:?}: {e}"))?;
                let commitment =
                    identifier_commitment(&salt.0, &iin_bin).with_context(|| format!("--iin-bin {iin_bin:?}"))?;
                for a in &accounts {
                    PublicKey::from_hex(a)
                        .map_err(|e| anyhow::anyhow!("--account {a:?}: expected an ed25519 public key in hex: {e}"))?;
                }
                tamga_genesis::check_multiaddr(&p2p_address)
                    .map_err(|e| anyhow::anyhow!("--p2p-address {p2p_address:?}: {e}"))?;
                let org = OrgFile {
                    party: PartyEntry {
                        id: Some(party_id),
                        kind: match kind {
                            KindArg::LegalEntity => PartyKind::LegalEntity,
                            KindArg::Individual => PartyKind::Individual,
                        },
                        display_name: name,
                        id_commitment: Some(commitment.to_hex()),
                        identifier: None,
                        accounts,
                        regulator_scopes: regulator_scopes
                            .iter()
                            .map(|s| match s {
                                ScopeArg::Assets => "assets".to_owned(),
                                ScopeArg::Mining => "mining".to_owned(),
                            })
                            .collect(),
                        issuer,
                    },
                    validators: vec![ValidatorEntry {
                        key: key.public().to_hex(),
                        power,
                        operator: party_id,
                        p2p_address: Some(p2p_address),
                        p2p_key: Some(p2p.public().to_hex()),
                    }],
                };
                match out {
                    Some(path) => {
                        create_new(&path, &org.to_json())?;
                        eprintln!("organisation file of party {party_id} written to {}", path.display());
                    }
                    None => print!("{}", org.to_json()),
                }
                Ok(())
            }
            GenesisCommand::Assemble { chain_id, genesis_time, regulation_hash, out, orgs } => {
                let mut files = Vec::with_capacity(orgs.len());
                for p in &orgs {
                    let text = std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))?;
                    files.push(
                        OrgFile::from_json(&text)
                            .with_context(|| format!("{} is not an organisation file", p.display()))?,
                    );
                }
                let ceremony = Ceremony { chain_id, genesis_time, regulation_hash, params: Params::default() };
                let file = tamga_genesis::assemble(&ceremony, files)?;
                let g = file.into_valid_genesis()?;
                create_new(&out, &file.to_json())?;
                println!(
                    "{}: chain {}, {} parties, {} validators, genesis hash {}",
                    out.display(),
                    g.chain_id.as_str(),
                    g.parties.len(),
                    g.validators.len(),
                    g.hash()
                );
                Ok(())
            }
        }
    }
}

/// Writes `text` to a new file at `path` (refuses to replace one).
fn create_new(path: &Path, text: &str) -> anyhow::Result<()> {
    if path.exists() {
        bail!("{} exists; the ceremony never replaces a file", path.display());
    }
    // A bare file name is written next to the current directory's files.
    let path = std::path::absolute(path).with_context(|| format!("cannot resolve {}", path.display()))?;
    write_atomic(&path, text.as_bytes(), 0o644)?;
    Ok(())
}
