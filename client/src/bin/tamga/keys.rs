//! `tamga keys new|list|show|import`, passphrases, and saved transactions.
//!
//! Key files are encrypted by default (format in `tamga_client::keyfile`);
//! `--plain` writes the 64-hex seed format the devnet uses. A passphrase
//! comes from `--passphrase-file`, else `TAMGA_PASSPHRASE`, else a prompt
//! without echo when stdin is a terminal; otherwise the command fails with a
//! message that says how to give one.

use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::Serialize;
use tamga_client::keyfile::{
    load_key_file, parse_key, read_passphrase_file, write_encrypted_key_file, write_key_file, KdfParams, KeyFile,
    PASSPHRASE_ENV,
};
use tamga_types::{Hash, PublicKey, SignedTransaction, SigningKey};
use zeroize::Zeroizing;

use crate::args::Cli;
use crate::cmd::keys::KeysCmd;
use crate::i18n::t;
use crate::output::{Printer, SavedTx};

/// What `keys new|show|import` print, and each entry of `keys list`.
#[derive(Debug, Serialize)]
pub struct KeyInfo {
    /// The account address: its public key, 64 hex.
    pub address: PublicKey,
    /// The same (older name).
    pub public_key: PublicKey,
    /// The file.
    pub file: String,
    /// `plain` or `encrypted`.
    pub format: &'static str,
}

impl KeyInfo {
    fn of(path: &Path, f: &KeyFile) -> KeyInfo {
        KeyInfo {
            address: f.address(),
            public_key: f.address(),
            file: path.display().to_string(),
            format: f.format_name(),
        }
    }
}

/// A passphrase to open an encrypted key file.
pub fn passphrase(cli: &Cli, prompt: &str) -> Result<Zeroizing<String>, String> {
    if let Some(f) = &cli.passphrase_file {
        return read_passphrase_file(f);
    }
    if let Ok(p) = std::env::var(PASSPHRASE_ENV) {
        return Ok(Zeroizing::new(p));
    }
    if std::io::stdin().is_terminal() {
        return rpassword::prompt_password(prompt)
            .map(Zeroizing::new)
            .map_err(|e| format!("reading the passphrase: {e}"));
    }
    Err(t("passphrase.none", &[&PASSPHRASE_ENV]))
}

/// A passphrase for a new file: from a file or the environment, or asked twice.
fn new_passphrase(cli: &Cli) -> Result<Zeroizing<String>> {
    let pass = if cli.passphrase_file.is_some() || std::env::var(PASSPHRASE_ENV).is_ok() {
        passphrase(cli, "").map_err(anyhow::Error::msg)?
    } else if std::io::stdin().is_terminal() {
        let a = Zeroizing::new(rpassword::prompt_password(t("passphrase.new", &[]))?);
        let b = Zeroizing::new(rpassword::prompt_password(t("passphrase.repeat", &[]))?);
        if a != b {
            bail!(t("passphrase.differ", &[]));
        }
        a
    } else {
        bail!(t("passphrase.needed", &[&PASSPHRASE_ENV]));
    };
    if pass.is_empty() {
        bail!(t("passphrase.empty", &[]));
    }
    Ok(pass)
}

/// `~/.tamga/keys`.
pub fn default_dir() -> Result<PathBuf> {
    let home = std::env::var_os("HOME").context("HOME is not set: give --dir DIR")?;
    Ok(PathBuf::from(home).join(".tamga").join("keys"))
}

/// Where `keys new|import` write: --out, else DIR/NAME.key (creating DIR, mode 0700).
fn destination(cli: &Cli, name: Option<&str>, dir: Option<&Path>) -> Result<PathBuf> {
    if let Some(out) = &cli.out {
        if name.is_some() {
            bail!("give either NAME or --out FILE, not both");
        }
        return Ok(out.clone());
    }
    let name = name.context("give a NAME (the file is DIR/NAME.key) or --out FILE")?;
    if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
        bail!("key name {name:?}: use letters, digits, '-' or '_' (no path)");
    }
    let dir = match dir {
        Some(d) => d.to_path_buf(),
        None => default_dir()?,
    };
    if !dir.exists() {
        let mut b = std::fs::DirBuilder::new();
        b.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            b.mode(0o700);
        }
        b.create(&dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    Ok(dir.join(format!("{name}.key")))
}

fn write(cli: &Cli, path: &Path, key: &SigningKey, plain: bool) -> Result<KeyInfo> {
    if plain {
        write_key_file(path, key)?;
    } else {
        let pass = new_passphrase(cli)?;
        write_encrypted_key_file(path, key, pass.as_bytes(), KdfParams::recommended())?;
    }
    Ok(KeyInfo::of(path, &load_key_file(path)?))
}

fn show(p: &Printer, info: &KeyInfo) -> Result<()> {
    if p.json() {
        return p.value(info);
    }
    println!("address  {}", info.address);
    println!("file     {} ({})", info.file, info.format);
    Ok(())
}

/// Runs a `keys` command.
pub fn run(cli: &Cli, k: &KeysCmd, p: &Printer) -> Result<()> {
    match k {
        KeysCmd::New { name, dir, plain } => {
            let path = destination(cli, name.as_deref(), dir.as_deref())?;
            let info = write(cli, &path, &SigningKey::generate(), *plain)?;
            show(p, &info)
        }
        KeysCmd::Import { name, seed_file, dir, plain } => {
            let seed = match seed_file {
                Some(f) => Zeroizing::new(std::fs::read_to_string(f).with_context(|| format!("{}", f.display()))?),
                None => {
                    if std::io::stdin().is_terminal() {
                        eprint!("{}", t("keys.seed_prompt", &[]));
                    }
                    let mut line = Zeroizing::new(String::new());
                    std::io::stdin().lock().read_line(&mut line)?;
                    line
                }
            };
            let key = parse_key(&seed).map_err(|e| anyhow::anyhow!("not a seed: {e} (expected 64 hex characters)"))?;
            let path = destination(cli, name.as_deref(), dir.as_deref())?;
            let info = write(cli, &path, &key, *plain)?;
            show(p, &info)
        }
        KeysCmd::Show { file, verify } => {
            let path = file.as_ref().or(cli.key.as_ref()).context("give a key file: `keys show FILE` or --key FILE")?;
            let f = load_key_file(path)?;
            let info = KeyInfo::of(path, &f);
            if *verify {
                let prompt = t("passphrase.prompt", &[&path.display()]);
                f.unlock(path, || passphrase(cli, &prompt))?;
            }
            show(p, &info)
        }
        KeysCmd::List { dir } => {
            let dir = match dir {
                Some(d) => d.clone(),
                None => default_dir()?,
            };
            let list = list(&dir)?;
            if p.json() {
                return p.value(&list);
            }
            if list.is_empty() {
                println!("{}", t("keys.none", &[&dir.display()]));
            }
            for e in &list {
                match e {
                    ListEntry::Key(k) => println!("{}  {:<9}  {}", k.address, k.format, k.file),
                    ListEntry::Unreadable { file, error } => println!("{:<64}  {:<9}  {file}: {error}", "?", "?"),
                }
            }
            Ok(())
        }
    }
}

/// One entry of `keys list`.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum ListEntry {
    /// A key file.
    Key(KeyInfo),
    /// A `.key` file that is not one.
    Unreadable {
        /// The file.
        file: String,
        /// Why.
        error: String,
    },
}

/// The `*.key` files of `dir`, by name.
pub fn list(dir: &Path) -> Result<Vec<ListEntry>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("listing {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "key"))
        .collect();
    paths.sort();
    Ok(paths
        .iter()
        .map(|p| match load_key_file(p) {
            Ok(f) => ListEntry::Key(KeyInfo::of(p, &f)),
            Err(e) => ListEntry::Unreadable { file: p.display().to_string(), error: e.to_string() },
        })
        .collect())
}

/// Saves a signed transaction (`--out`): JSON with `hash`, `raw`, `tx`; never overwrites.
pub fn save_tx(path: &Path, tx: &SignedTransaction) -> Result<()> {
    let saved = SavedTx { hash: tx.hash(), raw: hex::encode(tx.encode()), tx };
    let text = serde_json::to_string_pretty(&saved)? + "\n";
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    std::io::Write::write_all(&mut f, text.as_bytes()).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// Reads a transaction saved by [`save_tx`]: its hash and canonical bytes,
/// checked against each other.
pub fn read_saved_tx(path: &Path) -> Result<(Hash, Vec<u8>)> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let v: serde_json::Value = serde_json::from_str(&text).with_context(|| format!("{}: not JSON", path.display()))?;
    let raw = v["raw"].as_str().with_context(|| format!("{}: no \"raw\" field", path.display()))?;
    let bytes = hex::decode(raw).with_context(|| format!("{}: \"raw\" is not hex", path.display()))?;
    let tx = SignedTransaction::decode(&bytes).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    if let Some(h) = v["hash"].as_str() {
        if h != tx.hash().to_hex() {
            bail!("{}: \"hash\" {h} is not the hash of \"raw\" ({})", path.display(), tx.hash());
        }
    }
    Ok((tx.hash(), bytes))
}
