//! The devnet manifest `DIR/devnet.json`: what `tamgad devnet` writes so that
//! tools (`tamga bench`, scripts) find the nodes and the funded keys.
//!
//! ```text
//! DIR/devnet.json
//!   {"chain_id": "...", "class_id": 1, "class_symbol": "DEVGRAIN", "decimals": 3,
//!    "mint_amount": "1000000",             (decimal string, base units per user)
//!    "nodes": [{"index": 0, "home": "node0", "api": "http://127.0.0.1:8080",
//!               "p2p": "/ip4/127.0.0.1/tcp/26656"}, …],
//!    "keys": {"regulator": "keys/regulator.key", "issuer": "keys/issuer.key",
//!             "miner": "keys/miner.key", "users": 1000, "user_pattern": "keys/user-{:04}.key"},
//!    "tls": {"ca": "tls/ca.pem", "client_cert": "tls/client.pem",   (`tamgad devnet --tls` only:
//!            "client_key": "tls/client.key"}}                        `api` is then https://…)
//! DIR/keys/user-0000.key …   64 hex characters of an ed25519 seed
//! DIR/<node home>/tamgad.pid the node's pid while it runs
//! ```
//!
//! Paths are relative to `DIR`. [`DevnetManifest::parse`] reads the file
//! field by field rather than through the derived decoder, so that an error
//! names the exact field at fault (`keys.user_pattern`); unknown fields are
//! ignored (the file may grow), `class_symbol`, `decimals`, `nodes[i].index`,
//! `nodes[i].p2p`, the role keys, `tls` and its client files may be absent,
//! and `mint_amount` may also be a JSON integer.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The manifest's file name inside a devnet home.
pub const MANIFEST: &str = "devnet.json";

/// Largest manifest [`DevnetManifest::parse`] reads, in bytes.
pub const MAX_MANIFEST_BYTES: usize = 16 * 1024 * 1024;

/// `DIR/devnet.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevnetManifest {
    /// The chain id transactions are signed for.
    pub chain_id: String,
    /// The class every user was funded in.
    pub class_id: u64,
    /// Its symbol.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_symbol: Option<String>,
    /// Its decimals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decimals: Option<u8>,
    /// Base units of the class each user holds at genesis (written as a decimal string).
    #[serde(with = "decimal")]
    pub mint_amount: u128,
    /// The nodes, in index order.
    pub nodes: Vec<DevnetNode>,
    /// Key files.
    pub keys: DevnetKeys,
    /// The devnet's throwaway CA and client certificate (`tamgad devnet --tls`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<DevnetTls>,
}

/// TLS files of a devnet served over https, relative to the devnet home.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevnetTls {
    /// The CA certificate (PEM) that issued every node's certificate.
    pub ca: String,
    /// A client certificate the same CA issued (PEM).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_cert: Option<String>,
    /// Its private key (PEM).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_key: Option<String>,
}

/// A node in [`DevnetManifest`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevnetNode {
    /// Validator index (0-based).
    pub index: usize,
    /// Node home, relative to the devnet home.
    pub home: String,
    /// API base URL (`http://…`, no trailing `/`).
    pub api: String,
    /// libp2p listen address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p2p: Option<String>,
}

/// Key files in [`DevnetManifest`], relative to the devnet home.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevnetKeys {
    /// Regulator (both scopes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regulator: Option<String>,
    /// Issuer of the funded class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// Miner, operator of the validators.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub miner: Option<String>,
    /// Number of funded users.
    pub users: usize,
    /// Key file of user i: the `{}` or `{:0N}` placeholder replaced by i
    /// ([`user_file_name`]).
    pub user_pattern: String,
}

/// A manifest that cannot be read: the dotted path of the field at fault
/// (`(file)` for the file as a whole) and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("field {field}: {reason}")]
pub struct ManifestError {
    /// The dotted field path (`keys.user_pattern`, `nodes[1].api`).
    pub field: String,
    /// What is wrong.
    pub reason: String,
}

/// `mint_amount` as a decimal string: a u128 does not fit every JSON reader's numbers.
mod decimal {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &u128, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(|_| serde::de::Error::custom(format!("{s:?} is not a decimal u128")))
    }
}

impl DevnetManifest {
    /// Parses the manifest's text, naming the field at fault on error.
    pub fn parse(text: &str) -> Result<DevnetManifest, ManifestError> {
        if text.len() > MAX_MANIFEST_BYTES {
            return Err(ManifestError {
                field: "(file)".into(),
                reason: format!("{} bytes, at most {MAX_MANIFEST_BYTES} read", text.len()),
            });
        }
        let v: Value =
            serde_json::from_str(text).map_err(|e| ManifestError { field: "(file)".into(), reason: e.to_string() })?;
        let m = Fields { prefix: String::new(), root: &v };
        let chain_id = m.string(&["chain_id"])?;
        let class_id = m.uint(&["class_id"])?;
        let class_symbol = m.opt(&["class_symbol"]).map(|_| m.string(&["class_symbol"])).transpose()?;
        let decimals = match m.opt(&["decimals"]) {
            None => None,
            Some(_) => Some(u8::try_from(m.uint(&["decimals"])?).map_err(|_| m.bad(&["decimals"], "above 255"))?),
        };
        let mint_amount = m.amount(&["mint_amount"])?;
        let nodes_v = m.get(&["nodes"])?.as_array().ok_or_else(|| m.bad(&["nodes"], "not an array"))?;
        if nodes_v.is_empty() {
            return Err(m.bad(&["nodes"], "is empty"));
        }
        let mut nodes = Vec::with_capacity(nodes_v.len());
        for (i, n) in nodes_v.iter().enumerate() {
            let f = Fields { prefix: format!("nodes[{i}]."), root: n };
            let index = match f.opt(&["index"]) {
                None => i,
                Some(_) => usize::try_from(f.uint(&["index"])?).map_err(|_| f.bad(&["index"], "too large"))?,
            };
            let home = f.string(&["home"])?;
            let api = f.string(&["api"])?;
            if !(api.starts_with("http://") || api.starts_with("https://")) {
                return Err(f.bad(&["api"], format!("{api:?} is not an http:// URL")));
            }
            let p2p = f.opt(&["p2p"]).map(|_| f.string(&["p2p"])).transpose()?;
            nodes.push(DevnetNode { index, home, api: api.trim_end_matches('/').to_owned(), p2p });
        }
        let role = |name: &str| m.opt(&["keys", name]).map(|_| m.string(&["keys", name])).transpose();
        let keys = DevnetKeys {
            regulator: role("regulator")?,
            issuer: role("issuer")?,
            miner: role("miner")?,
            users: usize::try_from(m.uint(&["keys", "users"])?).map_err(|_| m.bad(&["keys", "users"], "too large"))?,
            user_pattern: m.string(&["keys", "user_pattern"])?,
        };
        // Check the pattern now, so a bad one fails before any work.
        user_file_name(&keys.user_pattern, 0).map_err(|reason| m.bad(&["keys", "user_pattern"], reason))?;
        let tls = match m.opt(&["tls"]) {
            None => None,
            Some(_) => {
                let opt = |name: &str| m.opt(&["tls", name]).map(|_| m.string(&["tls", name])).transpose();
                Some(DevnetTls {
                    ca: m.string(&["tls", "ca"])?,
                    client_cert: opt("client_cert")?,
                    client_key: opt("client_key")?,
                })
            }
        };
        Ok(DevnetManifest { chain_id, class_id, class_symbol, decimals, mint_amount, nodes, keys, tls })
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

/// Field access with errors that name the dotted field path.
struct Fields<'a> {
    /// Path of `root` in the file (`nodes[1].`), empty at the top.
    prefix: String,
    root: &'a Value,
}

impl Fields<'_> {
    fn bad(&self, path: &[&str], reason: impl Into<String>) -> ManifestError {
        ManifestError { field: format!("{}{}", self.prefix, path.join(".")), reason: reason.into() }
    }

    fn opt(&self, path: &[&str]) -> Option<&Value> {
        let mut v = self.root;
        for p in path {
            v = v.get(p)?;
        }
        (!v.is_null()).then_some(v)
    }

    fn get(&self, path: &[&str]) -> Result<&Value, ManifestError> {
        self.opt(path).ok_or_else(|| self.bad(path, "missing"))
    }

    fn string(&self, path: &[&str]) -> Result<String, ManifestError> {
        let v = self.get(path)?;
        match v.as_str() {
            Some(s) if !s.is_empty() => Ok(s.to_owned()),
            Some(_) => Err(self.bad(path, "is empty")),
            None => Err(self.bad(path, format!("expected a string, found {v}"))),
        }
    }

    fn uint(&self, path: &[&str]) -> Result<u64, ManifestError> {
        let v = self.get(path)?;
        v.as_u64().ok_or_else(|| self.bad(path, format!("expected a non-negative integer, found {v}")))
    }

    /// A u128 amount: a decimal string (as written) or, leniently, a JSON integer.
    fn amount(&self, path: &[&str]) -> Result<u128, ManifestError> {
        let v = self.get(path)?;
        let parsed = match v {
            Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => s.parse::<u128>().ok(),
            Value::Number(n) => n.as_u64().map(u128::from),
            _ => None,
        };
        parsed.ok_or_else(|| self.bad(path, format!("expected a decimal string of base units, found {v}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{
        "chain_id": "tamga-devnet", "class_id": 1, "class_symbol": "DEVGRAIN", "decimals": 3,
        "mint_amount": "340282366920938463463374607431768211455",
        "nodes": [{"index": 0, "home": "node0", "api": "http://127.0.0.1:8080/"},
                  {"index": 1, "home": "node1", "api": "http://127.0.0.1:8081", "p2p": "/ip4/127.0.0.1/tcp/1"}],
        "keys": {"regulator": "keys/regulator.key", "issuer": "keys/issuer.key", "miner": "keys/miner.key",
                 "users": 1000, "user_pattern": "keys/user-{:04}.key"},
        "future_field": {"anything": true}
    }"#;

    fn field_of(text: &str) -> (String, String) {
        let e = DevnetManifest::parse(text).unwrap_err();
        (e.field, e.reason)
    }

    #[test]
    fn the_tls_section_is_optional_and_checked() {
        assert_eq!(DevnetManifest::parse(GOOD).unwrap().tls, None);
        let with = GOOD.replace(
            r#""future_field""#,
            r#""tls": {"ca": "tls/ca.pem", "client_cert": "tls/client.pem", "client_key": "tls/client.key"}, "future_field""#,
        );
        let m = DevnetManifest::parse(&with).unwrap();
        let tls = m.tls.clone().unwrap();
        assert_eq!((tls.ca.as_str(), tls.client_key.as_deref()), ("tls/ca.pem", Some("tls/client.key")));
        assert_eq!(DevnetManifest::parse(&serde_json::to_string(&m).unwrap()).unwrap(), m);
        let bad = GOOD.replace(r#""future_field""#, r#""tls": {"client_cert": "c.pem"}, "future_field""#);
        assert_eq!(field_of(&bad).0, "tls.ca");
    }

    #[test]
    fn good_manifest_parses_and_ignores_unknown_fields() {
        let m = DevnetManifest::parse(GOOD).unwrap();
        assert_eq!(m.chain_id, "tamga-devnet");
        assert_eq!(m.class_id, 1);
        assert_eq!(m.decimals, Some(3));
        assert_eq!(m.mint_amount, u128::MAX);
        assert_eq!(m.nodes.len(), 2);
        assert_eq!(m.nodes[0].api, "http://127.0.0.1:8080");
        assert_eq!(m.nodes[1].p2p.as_deref(), Some("/ip4/127.0.0.1/tcp/1"));
        assert_eq!(m.keys.users, 1000);
        assert_eq!(m.keys.issuer.as_deref(), Some("keys/issuer.key"));
    }

    #[test]
    fn what_the_node_writes_the_reader_reads_back() {
        let m = DevnetManifest::parse(GOOD).unwrap();
        let written = serde_json::to_string_pretty(&m).unwrap();
        assert!(written.contains(r#""mint_amount": "340282366920938463463374607431768211455""#), "{written}");
        assert_eq!(DevnetManifest::parse(&written).unwrap(), m);
        assert_eq!(serde_json::from_str::<DevnetManifest>(&written).unwrap(), m);
    }

    #[test]
    fn missing_fields_are_named() {
        let mut v: Value = serde_json::from_str(GOOD).unwrap();
        v.as_object_mut().unwrap().remove("chain_id");
        assert_eq!(field_of(&v.to_string()).0, "chain_id");
        let mut v: Value = serde_json::from_str(GOOD).unwrap();
        v["keys"].as_object_mut().unwrap().remove("user_pattern");
        let (field, reason) = field_of(&v.to_string());
        assert_eq!((field.as_str(), reason.as_str()), ("keys.user_pattern", "missing"));
        let mut v: Value = serde_json::from_str(GOOD).unwrap();
        v["nodes"][1].as_object_mut().unwrap().remove("api");
        assert_eq!(field_of(&v.to_string()).0, "nodes[1].api");
        // Optional ones may go.
        let mut v: Value = serde_json::from_str(GOOD).unwrap();
        for k in ["class_symbol", "decimals"] {
            v.as_object_mut().unwrap().remove(k);
        }
        v["keys"].as_object_mut().unwrap().remove("miner");
        let m = DevnetManifest::parse(&v.to_string()).unwrap();
        assert_eq!((m.decimals, m.keys.miner), (None, None));
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
            field_of(&v.to_string())
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
        assert_eq!(field_of(&v.to_string()).0, "nodes[0].api");
        let mut v: Value = serde_json::from_str(GOOD).unwrap();
        v["nodes"][1]["index"] = Value::from("x");
        assert_eq!(field_of(&v.to_string()).0, "nodes[1].index");
        assert_eq!(field_of("{not json").0, "(file)");
        // A number is accepted for the amount, leniently.
        let mut v: Value = serde_json::from_str(GOOD).unwrap();
        v["mint_amount"] = Value::from(5000);
        assert_eq!(DevnetManifest::parse(&v.to_string()).unwrap().mint_amount, 5000);
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
