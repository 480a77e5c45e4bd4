//! The devnet home as the benchmark reads it: `DIR/devnet.json` (chain id,
//! the funded class, the nodes' API addresses and homes, the key files) and
//! the key files it names.
//!
//! ```text
//! DIR/devnet.json
//!   {"chain_id": "...", "class_id": 1, "class_symbol": "DEVGRAIN", "decimals": 3,
//!    "mint_amount": "1000000",             (decimal string, base units per user)
//!    "nodes": [{"index": 0, "home": "node0", "api": "http://127.0.0.1:8080"}, …],
//!    "keys": {"regulator": "keys/regulator.key", "issuer": "keys/issuer.key",
//!             "miner": "keys/miner.key", "users": 1000, "user_pattern": "keys/user-{:04}.key"}}
//! DIR/keys/user-0000.key …   64 hex characters of an ed25519 seed
//! DIR/<node home>/tamgad.pid the node's pid while it runs (CPU and RSS)
//! ```
//!
//! The manifest format and its reader are the contract's
//! ([`tamga_contract::devnet`]); this module resolves its paths against the
//! devnet home and reads the key files.

use std::path::{Path, PathBuf};

use tamga_types::{ClassId, SigningKey};

use tamga_contract::devnet::DevnetManifest;
use tamga_contract::devnet::{user_file_name, MANIFEST};

use super::BenchError;
use crate::keyfile::read_key_file;

/// One node of the devnet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DevnetNode {
    /// Its index (0-based).
    pub index: usize,
    /// Its home directory, resolved against the devnet home.
    pub home: PathBuf,
    /// Base URL of its HTTP API.
    pub api: String,
}

impl DevnetNode {
    /// The pid file the node writes while it runs.
    pub fn pid_file(&self) -> PathBuf {
        self.home.join("tamgad.pid")
    }
}

/// The key files of the devnet, resolved against the devnet home.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DevnetKeys {
    /// The regulator's key file.
    pub regulator: Option<PathBuf>,
    /// The issuer's key file (issuer of the funded class).
    pub issuer: Option<PathBuf>,
    /// The miner's key file.
    pub miner: Option<PathBuf>,
    /// How many funded user keys there are.
    pub users: usize,
    /// The user key file name pattern (`keys/user-{:04}.key`), relative to the home.
    pub user_pattern: String,
}

/// `DIR/devnet.json`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Devnet {
    /// The devnet home.
    pub dir: PathBuf,
    /// The chain id transactions are signed for.
    pub chain_id: String,
    /// The class every user was funded in.
    pub class_id: ClassId,
    /// Its symbol, if given.
    pub class_symbol: Option<String>,
    /// Its decimals, if given.
    pub decimals: Option<u8>,
    /// Base units each user was minted.
    pub mint_amount: u128,
    /// The nodes, in index order.
    pub nodes: Vec<DevnetNode>,
    /// The key files.
    pub keys: DevnetKeys,
    /// The CA and client certificate of a devnet served over https
    /// (`tamgad devnet --tls`); empty otherwise.
    pub tls: crate::TlsOptions,
}

impl Devnet {
    /// Reads `dir/devnet.json`.
    pub fn read(dir: &Path) -> Result<Devnet, BenchError> {
        let path = dir.join(MANIFEST);
        if !dir.is_dir() {
            return Err(BenchError::Home { path: dir.display().to_string(), reason: "no such directory".into() });
        }
        let text = std::fs::read_to_string(&path).map_err(|e| BenchError::Home {
            path: path.display().to_string(),
            reason: format!("{e} (is this a devnet home? `tamgad devnet --home DIR` writes it)"),
        })?;
        Devnet::parse(dir, &path.display().to_string(), &text)
    }

    /// Parses the manifest's text; `file` names it in errors, paths resolve against `dir`.
    pub fn parse(dir: &Path, file: &str, text: &str) -> Result<Devnet, BenchError> {
        let m = DevnetManifest::parse(text).map_err(|e| BenchError::Manifest {
            file: file.into(),
            field: e.field,
            reason: e.reason,
        })?;
        let nodes =
            m.nodes.into_iter().map(|n| DevnetNode { index: n.index, home: dir.join(n.home), api: n.api }).collect();
        let key_path = |p: Option<String>| p.map(|p| dir.join(p));
        let keys = DevnetKeys {
            regulator: key_path(m.keys.regulator),
            issuer: key_path(m.keys.issuer),
            miner: key_path(m.keys.miner),
            users: m.keys.users,
            user_pattern: m.keys.user_pattern,
        };
        let tls = m.tls.map_or_else(crate::TlsOptions::default, |t| crate::TlsOptions {
            ca: Some(dir.join(t.ca)),
            client_cert: key_path(t.client_cert),
            client_key: key_path(t.client_key),
        });
        Ok(Devnet {
            dir: dir.to_owned(),
            chain_id: m.chain_id,
            class_id: ClassId(m.class_id),
            class_symbol: m.class_symbol,
            decimals: m.decimals,
            mint_amount: m.mint_amount,
            nodes,
            keys,
            tls,
        })
    }

    /// The path of user key `i`.
    pub fn user_key_path(&self, i: usize) -> PathBuf {
        // The pattern was checked when the manifest was read.
        self.dir.join(user_file_name(&self.keys.user_pattern, i).unwrap_or_default())
    }

    /// Reads the first `n` user keys (all of them if `n` is larger).
    pub fn read_user_keys(&self, n: usize) -> Result<Vec<SigningKey>, BenchError> {
        (0..n.min(self.keys.users)).map(|i| Ok(read_key_file(&self.user_key_path(i))?)).collect()
    }

    /// Reads a role's key file; an error if the manifest names none.
    pub fn read_role_key(&self, role: &str) -> Result<SigningKey, BenchError> {
        let path = match role {
            "issuer" => &self.keys.issuer,
            "miner" => &self.keys.miner,
            "regulator" => &self.keys.regulator,
            _ => &None,
        };
        let path = path.as_ref().ok_or_else(|| BenchError::Manifest {
            file: self.dir.join(MANIFEST).display().to_string(),
            field: format!("keys.{role}"),
            reason: "missing (the chosen --mix needs this key)".into(),
        })?;
        Ok(read_key_file(path)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{
        "chain_id": "tamga-devnet", "class_id": 1, "class_symbol": "DEVGRAIN", "decimals": 3,
        "mint_amount": "340282366920938463463374607431768211455",
        "nodes": [{"index": 0, "home": "node0", "api": "http://127.0.0.1:8080/"},
                  {"index": 1, "home": "node1", "api": "http://127.0.0.1:8081", "p2p": "ignored"}],
        "keys": {"regulator": "keys/regulator.key", "issuer": "keys/issuer.key", "miner": "keys/miner.key",
                 "users": 1000, "user_pattern": "keys/user-{:04}.key"},
        "future_field": {"anything": true}
    }"#;

    fn parse(text: &str) -> Result<Devnet, BenchError> {
        Devnet::parse(Path::new("/d"), "/d/devnet.json", text)
    }

    fn field_of(e: BenchError) -> (String, String) {
        match e {
            BenchError::Manifest { file, field, reason } => {
                assert_eq!(file, "/d/devnet.json");
                (field, reason)
            }
            other => panic!("not a manifest error: {other}"),
        }
    }

    #[test]
    fn good_manifest_parses_and_ignores_unknown_fields() {
        let d = parse(GOOD).unwrap();
        assert_eq!(d.chain_id, "tamga-devnet");
        assert_eq!(d.class_id, ClassId(1));
        assert_eq!(d.decimals, Some(3));
        assert_eq!(d.mint_amount, u128::MAX);
        assert_eq!(d.nodes.len(), 2);
        assert_eq!(d.nodes[0].api, "http://127.0.0.1:8080");
        assert_eq!(d.nodes[1].pid_file(), Path::new("/d/node1/tamgad.pid"));
        assert_eq!(d.keys.users, 1000);
        assert_eq!(d.keys.issuer.as_deref(), Some(Path::new("/d/keys/issuer.key")));
        assert_eq!(d.user_key_path(7), Path::new("/d/keys/user-0007.key"));
    }

    #[test]
    fn manifest_errors_name_the_file_and_the_field() {
        let mut v: serde_json::Value = serde_json::from_str(GOOD).unwrap();
        v["nodes"][1].as_object_mut().unwrap().remove("api");
        assert_eq!(field_of(parse(&v.to_string()).unwrap_err()).0, "nodes[1].api");
        v = serde_json::from_str(GOOD).unwrap();
        v["keys"].as_object_mut().unwrap().remove("miner");
        let d = parse(&v.to_string()).unwrap();
        assert_eq!(d.keys.miner, None);
        assert!(d.read_role_key("miner").unwrap_err().to_string().contains("keys.miner"));
    }

    #[test]
    fn missing_home_is_a_clear_error() {
        let e = Devnet::read(Path::new("/nonexistent/devnet-home")).unwrap_err().to_string();
        assert!(e.contains("/nonexistent/devnet-home"), "{e}");
        let dir = std::env::temp_dir().join(format!("tamga-bench-empty-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let e = Devnet::read(&dir).unwrap_err().to_string();
        assert!(e.contains("devnet.json"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
