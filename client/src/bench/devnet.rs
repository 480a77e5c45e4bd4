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
//! The manifest is read field by field from a JSON value rather than through
//! a derived struct, so that an error names the exact field at fault
//! (`keys.user_pattern`), and unknown fields are ignored (the file may grow).

use std::path::{Path, PathBuf};

use serde_json::Value;
use tamga_types::{ClassId, SigningKey};

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
}

/// The manifest's file name inside a devnet home.
pub const MANIFEST: &str = "devnet.json";

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
        let v: Value = serde_json::from_str(text).map_err(|e| BenchError::Manifest {
            file: file.into(),
            field: "(file)".into(),
            reason: e.to_string(),
        })?;
        let m = Fields { file, root: &v };
        let chain_id = m.string(&["chain_id"])?;
        let class_id = ClassId(m.uint(&["class_id"])?);
        let class_symbol = m.opt(&["class_symbol"]).map(|_| m.string(&["class_symbol"])).transpose()?;
        let decimals = match m.opt(&["decimals"]) {
            None => None,
            Some(_) => {
                Some(u8::try_from(m.uint(&["decimals"])?).map_err(|_| m.bad(&["decimals"], "above 255".into()))?)
            }
        };
        let mint_amount = m.amount(&["mint_amount"])?;
        let nodes_v = m.get(&["nodes"])?.as_array().ok_or_else(|| m.bad(&["nodes"], "not an array".into()))?;
        if nodes_v.is_empty() {
            return Err(m.bad(&["nodes"], "is empty".into()));
        }
        let mut nodes = Vec::with_capacity(nodes_v.len());
        for (i, n) in nodes_v.iter().enumerate() {
            let f = Fields { file, root: n };
            let at = |name: &str| format!("nodes[{i}].{name}");
            let index = match f.opt(&["index"]) {
                None => i,
                Some(_) => usize::try_from(f.uint(&["index"]).map_err(|e| e.at(&at("index")))?)
                    .map_err(|_| m.bad(&["nodes"], format!("nodes[{i}].index is too large")))?,
            };
            let home = f.string(&["home"]).map_err(|e| e.at(&at("home")))?;
            let api = f.string(&["api"]).map_err(|e| e.at(&at("api")))?;
            if !(api.starts_with("http://") || api.starts_with("https://")) {
                return Err(BenchError::Manifest {
                    file: file.into(),
                    field: at("api"),
                    reason: format!("{api:?} is not an http:// URL"),
                });
            }
            nodes.push(DevnetNode { index, home: dir.join(home), api: api.trim_end_matches('/').to_owned() });
        }
        let key_path = |name: &str| -> Result<Option<PathBuf>, BenchError> {
            match m.opt(&["keys", name]) {
                None => Ok(None),
                Some(_) => Ok(Some(dir.join(m.string(&["keys", name])?))),
            }
        };
        let keys = DevnetKeys {
            regulator: key_path("regulator")?,
            issuer: key_path("issuer")?,
            miner: key_path("miner")?,
            users: usize::try_from(m.uint(&["keys", "users"])?)
                .map_err(|_| m.bad(&["keys", "users"], "too large".into()))?,
            user_pattern: m.string(&["keys", "user_pattern"])?,
        };
        // Check the pattern now, so a bad one fails before any work.
        user_file_name(&keys.user_pattern, 0).map_err(|reason| m.bad(&["keys", "user_pattern"], reason))?;
        Ok(Devnet { dir: dir.to_owned(), chain_id, class_id, class_symbol, decimals, mint_amount, nodes, keys })
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

/// Expands a `{}` / `{:0N}` placeholder with `i` (`user-{:04}.key`, 7 → `user-0007.key`).
pub fn user_file_name(pattern: &str, i: usize) -> Result<String, String> {
    let open = pattern.find('{').ok_or_else(|| format!("{pattern:?} has no {{}} placeholder for the index"))?;
    let close = pattern[open..].find('}').map(|c| open + c).ok_or_else(|| format!("{pattern:?}: unclosed {{"))?;
    if pattern[close + 1..].contains('{') {
        return Err(format!("{pattern:?} has more than one placeholder"));
    }
    let spec = &pattern[open + 1..close];
    let width = match spec {
        "" => 0,
        s => {
            let w = s
                .strip_prefix(":0")
                .ok_or_else(|| format!("{pattern:?}: placeholder {{{spec}}} is not {{}} or {{:0N}}"))?;
            w.parse::<usize>().map_err(|_| format!("{pattern:?}: placeholder {{{spec}}} is not {{}} or {{:0N}}"))?
        }
    };
    Ok(format!("{}{:0width$}{}", &pattern[..open], i, &pattern[close + 1..]))
}

/// Field access with errors that name the file and the dotted field path.
struct Fields<'a> {
    file: &'a str,
    root: &'a Value,
}

impl Fields<'_> {
    fn name(path: &[&str]) -> String {
        path.join(".")
    }

    fn bad(&self, path: &[&str], reason: String) -> BenchError {
        BenchError::Manifest { file: self.file.into(), field: Self::name(path), reason }
    }

    fn opt(&self, path: &[&str]) -> Option<&Value> {
        let mut v = self.root;
        for p in path {
            v = v.get(p)?;
        }
        (!v.is_null()).then_some(v)
    }

    fn get(&self, path: &[&str]) -> Result<&Value, BenchError> {
        self.opt(path).ok_or_else(|| self.bad(path, "missing".into()))
    }

    fn string(&self, path: &[&str]) -> Result<String, BenchError> {
        let v = self.get(path)?;
        match v.as_str() {
            Some(s) if !s.is_empty() => Ok(s.to_owned()),
            Some(_) => Err(self.bad(path, "is empty".into())),
            None => Err(self.bad(path, format!("expected a string, found {v}"))),
        }
    }

    fn uint(&self, path: &[&str]) -> Result<u64, BenchError> {
        let v = self.get(path)?;
        v.as_u64().ok_or_else(|| self.bad(path, format!("expected a non-negative integer, found {v}")))
    }

    /// A u128 amount: a decimal string (as written) or, leniently, a JSON integer.
    fn amount(&self, path: &[&str]) -> Result<u128, BenchError> {
        let v = self.get(path)?;
        let parsed = match v {
            Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => s.parse::<u128>().ok(),
            Value::Number(n) => n.as_u64().map(u128::from),
            _ => None,
        };
        parsed.ok_or_else(|| self.bad(path, format!("expected a decimal string of base units, found {v}")))
    }
}

impl BenchError {
    /// Re-targets a manifest error at a field of a nested object.
    fn at(self, field: &str) -> BenchError {
        match self {
            BenchError::Manifest { file, reason, .. } => BenchError::Manifest { file, field: field.into(), reason },
            e => e,
        }
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
    fn missing_fields_are_named() {
        let mut v: Value = serde_json::from_str(GOOD).unwrap();
        v.as_object_mut().unwrap().remove("chain_id");
        assert_eq!(field_of(parse(&v.to_string()).unwrap_err()).0, "chain_id");
        let mut v: Value = serde_json::from_str(GOOD).unwrap();
        v["keys"].as_object_mut().unwrap().remove("user_pattern");
        let (field, reason) = field_of(parse(&v.to_string()).unwrap_err());
        assert_eq!((field.as_str(), reason.as_str()), ("keys.user_pattern", "missing"));
        let mut v: Value = serde_json::from_str(GOOD).unwrap();
        v["nodes"][1].as_object_mut().unwrap().remove("api");
        assert_eq!(field_of(parse(&v.to_string()).unwrap_err()).0, "nodes[1].api");
        // Optional ones may go.
        let mut v: Value = serde_json::from_str(GOOD).unwrap();
        for k in ["class_symbol", "decimals"] {
            v.as_object_mut().unwrap().remove(k);
        }
        v["keys"].as_object_mut().unwrap().remove("miner");
        let d = parse(&v.to_string()).unwrap();
        assert_eq!((d.decimals, d.keys.miner.clone()), (None, None));
        assert!(d.read_role_key("miner").unwrap_err().to_string().contains("keys.miner"));
    }

    #[test]
    fn bad_values_are_named() {
        let set = |path: &[&str], val: Value| {
            let mut v: Value = serde_json::from_str(GOOD).unwrap();
            let mut t = &mut v;
            for p in &path[..path.len() - 1] {
                t = &mut t[*p];
            }
            t[path[path.len() - 1]] = val;
            field_of(parse(&v.to_string()).unwrap_err())
        };
        assert_eq!(set(&["mint_amount"], Value::from("12.5")).0, "mint_amount");
        assert_eq!(set(&["mint_amount"], Value::from("-3")).0, "mint_amount");
        assert_eq!(set(&["class_id"], Value::from("one")).0, "class_id");
        assert_eq!(set(&["decimals"], Value::from(300)).0, "decimals");
        assert_eq!(set(&["keys", "users"], Value::from(-1)).0, "keys.users");
        assert_eq!(set(&["keys", "user_pattern"], Value::from("keys/user.key")).0, "keys.user_pattern");
        assert_eq!(set(&["nodes"], Value::Array(vec![])).0, "nodes");
        let mut v: Value = serde_json::from_str(GOOD).unwrap();
        v["nodes"][0]["api"] = Value::from("127.0.0.1:8080");
        assert_eq!(field_of(parse(&v.to_string()).unwrap_err()).0, "nodes[0].api");
        assert_eq!(field_of(parse("{not json").unwrap_err()).0, "(file)");
        // A number is accepted for the amount, leniently.
        let mut v: Value = serde_json::from_str(GOOD).unwrap();
        v["mint_amount"] = Value::from(5000);
        assert_eq!(parse(&v.to_string()).unwrap().mint_amount, 5000);
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

    #[test]
    fn user_file_names() {
        assert_eq!(user_file_name("keys/user-{:04}.key", 7).unwrap(), "keys/user-0007.key");
        assert_eq!(user_file_name("keys/user-{:04}.key", 12345).unwrap(), "keys/user-12345.key");
        assert_eq!(user_file_name("u{}.key", 42).unwrap(), "u42.key");
        assert_eq!(user_file_name("u{:03}.key", 4).unwrap(), "u004.key");
        assert!(user_file_name("u{:3}.key", 4).is_err());
        assert!(user_file_name("u.key", 1).is_err());
        assert!(user_file_name("u{x}.key", 1).is_err());
        assert!(user_file_name("u{}{}.key", 1).is_err());
    }
}
