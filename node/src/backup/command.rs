//! `tamgad backup create|verify|restore`: the command line over the
//! format, the operator socket and restore.

use super::*;

/// `tamgad backup …`.
#[derive(clap::Subcommand, Debug)]
pub enum BackupCommand {
    /// Back up the ledger of HOME into OUT (a new directory). A running node
    /// makes the checkpoint itself, asked over HOME/admin/tamgad.sock; a
    /// stopped node's database is opened directly. The copy is verified
    /// before the command succeeds.
    Create {
        /// Node home.
        #[arg(long)]
        home: PathBuf,
        /// Target directory (must not exist).
        #[arg(long)]
        out: PathBuf,
        /// Print the manifest as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Check a backup: open its ledger read-only, check every table, the last
    /// block, its certificate, and that the state hashes to the header's root.
    Verify {
        /// Backup directory.
        path: PathBuf,
        /// Print the manifest as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Restore a verified backup into HOME (the node must be stopped). Never
    /// replaces a newer consensus safety state with the backup's.
    Restore {
        /// Backup directory.
        path: PathBuf,
        /// Node home.
        #[arg(long)]
        home: PathBuf,
        /// Replace an existing ledger.
        #[arg(long)]
        force: bool,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
}

fn absolute(p: &Path) -> Result<PathBuf, BackupError> {
    if p.is_absolute() {
        return Ok(p.to_path_buf());
    }
    let cwd = std::env::current_dir().map_err(io("read the current directory for", p))?;
    Ok(cwd.join(p))
}

fn print_manifest(what: &str, dir: &Path, m: &Manifest) {
    let l = &m.ledger;
    println!("{what} {}", dir.display());
    println!("  chain        {} (genesis {})", l.chain_id, l.genesis_hash);
    println!("  height       {} (block {})", l.height, l.block_hash);
    println!("  state root   {}", l.state_root);
    println!("  entries      {} in {} bytes", l.entries.values().sum::<u64>(), l.bytes);
    match &m.safety {
        Some(s) => println!("  safety       height {} round {} step {}", s.height, s.round, s.step),
        None => println!("  safety       none"),
    }
}

impl BackupCommand {
    /// Runs the command.
    pub fn run(self) -> anyhow::Result<()> {
        match self {
            BackupCommand::Create { home, out, json } => {
                let home = Home::new(home);
                let out = absolute(&out)?;
                #[cfg(unix)]
                let online = request_backup(&home, &out)?;
                #[cfg(not(unix))]
                let online = None;
                let m = match online {
                    Some(m) => m,
                    None => {
                        if let Some(how) = running(&home) {
                            return Err(BackupError::Running {
                                home: home.root().display().to_string(),
                                how: format!("{how}, but its operator socket does not answer"),
                            }
                            .into());
                        }
                        if !home.ledger().join("CURRENT").exists() {
                            anyhow::bail!("{} holds no ledger", home.ledger().display());
                        }
                        let key = crate::home::read_key(&home.key())?.public().to_hex();
                        let ledger = Ledger::open(&home.ledger()).map_err(|e| BackupError::Ledger(e.to_string()))?;
                        create(&ledger, &home, &key, &out)?
                    }
                };
                if json {
                    println!("{}", serde_json::to_string_pretty(&m)?);
                } else {
                    print_manifest("backup created and verified:", &out, &m);
                }
                Ok(())
            }
            BackupCommand::Verify { path, json } => {
                let m = verify(&path)?;
                if json {
                    println!("{}", serde_json::to_string_pretty(&m)?);
                } else {
                    print_manifest("backup verified:", &path, &m);
                }
                Ok(())
            }
            BackupCommand::Restore { path, home, force, json } => {
                let home = Home::new(home);
                let r = restore(&path, &home, force)?;
                if json {
                    println!("{}", serde_json::to_string_pretty(&r)?);
                } else {
                    print_manifest("restored", &path, &r.manifest);
                    println!(
                        "  into         {}{}",
                        home.ledger().display(),
                        if r.replaced { " (replaced)" } else { "" }
                    );
                    println!("  safety state {:?}", r.safety);
                    println!("  the next start catches up from its peers before signing anything");
                }
                Ok(())
            }
        }
    }
}
