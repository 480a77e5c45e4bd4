//! The JSON genesis file ([`GenesisFile`]) and its conversion to and from the
//! [`Genesis`] value. The format is described with a full example in the
//! crate docs.
//!
//! Keys, hashes, scopes and the time are kept as text in the file structs so
//! that a conversion reports *every* malformed one with its field path
//! ([`GenesisFile::to_genesis`]) instead of stopping at the first serde error.

use std::path::Path;

use serde::{Deserialize, Serialize};
use tamga_types::{
    identifier_commitment, Genesis, GenesisParty, GenesisValidator, Hash, NetworkType, Params, PartyId, PartyKind,
    PublicKey, Scope, SignedTransaction,
};

use crate::error::{GenesisError, GenesisErrors, LoadError};
use crate::scope::{parse_scope, scope_name};
use crate::time;

/// A genesis file. Field order here is the order written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisFile {
    /// Network identifier, bound into every signature.
    pub chain_id: String,
    /// Genesis time, RFC 3339 (`2026-01-01T00:00:00Z`, or with an offset such
    /// as `+05:00`; at most millisecond precision). The first block's time must
    /// be later.
    pub genesis_time: String,
    /// Hex SHA-256 of the network's internal regulation document (SPEC §1.11).
    pub regulation_hash: String,
    /// `"centrally_distributed"` (SPEC §1.11).
    pub network_type: NetworkType,
    /// Chain parameters; omitted fields take their defaults.
    #[serde(default)]
    pub params: Params,
    /// Parties; the n-th (from 1) gets party id n.
    pub parties: Vec<PartyEntry>,
    /// The initial validator set.
    pub validators: Vec<ValidatorEntry>,
    /// Genesis transactions: hex of each signed transaction's borsh encoding
    /// (`docs/wire-format.md`), executed in order at height 0; each must
    /// succeed (see [`Genesis::transactions`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transactions: Vec<String>,
}

/// A party in the file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartyEntry {
    /// Optional explicit id, for readability; must equal the 1-based position.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    /// `"individual"` or `"legal_entity"`.
    pub kind: PartyKind,
    /// Display name (legal entities only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Hex `H(salt ‖ IIN/BIN)` (SPEC §1.6). Exactly one of this and `identifier`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_commitment: Option<String>,
    /// **Dev tooling only**: the identifier and salt from which the commitment
    /// is derived at load time. A production genesis must carry only the
    /// commitment: the file is public, the IIN/BIN is personal data (SPEC §1.6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identifier: Option<DevIdentifier>,
    /// Hex ed25519 account keys.
    pub accounts: Vec<String>,
    /// Regulator scopes: `"assets"`, `"mining"`. Non-empty makes a regulator.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regulator_scopes: Vec<String>,
    /// Starts with an accepted issuance notification (the Issuer role, SPEC §2, §6).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub issuer: bool,
}

/// A dev-only identifier from which a party's commitment is derived.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DevIdentifier {
    /// 12-digit IIN or BIN with a valid check digit.
    pub iin_bin: String,
    /// 32-byte hex salt.
    pub salt: String,
}

/// A validator in the file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValidatorEntry {
    /// Hex ed25519 consensus key.
    pub key: String,
    /// Voting power (at least 1).
    pub power: u64,
    /// Operator party id (1-based position in `parties`).
    pub operator: u64,
    /// libp2p multiaddr the validator listens on, e.g. `/ip4/127.0.0.1/tcp/26656`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p2p_address: Option<String>,
    /// Hex ed25519 key of the node's libp2p identity (`HOME/p2p.key`,
    /// printed by `tamgad show-key`): peers admit the validator under its
    /// peer id (SPEC §9). Omitted (a file written before the field existed),
    /// the consensus key is the p2p identity, as it was then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p2p_key: Option<String>,
}

fn hex32(path: String, value: &str, errs: &mut Vec<GenesisError>) -> Option<[u8; 32]> {
    match Hash::from_hex(value) {
        Ok(h) => Some(h.0),
        Err(e) => {
            errs.push(GenesisError::InvalidHex { path, value: value.to_owned(), bytes: 32, reason: e.to_string() });
            None
        }
    }
}

impl From<&Genesis> for GenesisFile {
    fn from(g: &Genesis) -> Self {
        GenesisFile {
            chain_id: g.chain_id.clone(),
            genesis_time: time::format_rfc3339(g.genesis_time_ms),
            regulation_hash: g.regulation_hash.to_hex(),
            network_type: g.network_type,
            params: g.params.clone(),
            parties: g
                .parties
                .iter()
                .enumerate()
                .map(|(i, p)| PartyEntry {
                    id: Some(i as u64 + 1),
                    kind: p.kind,
                    display_name: p.display_name.clone(),
                    id_commitment: Some(p.id_commitment.to_hex()),
                    identifier: None,
                    accounts: p.accounts.iter().map(PublicKey::to_hex).collect(),
                    regulator_scopes: p.regulator_scopes.iter().map(|s| scope_name(*s).to_owned()).collect(),
                    issuer: p.issuer,
                })
                .collect(),
            validators: g
                .validators
                .iter()
                .map(|v| ValidatorEntry {
                    key: v.key.to_hex(),
                    power: v.power,
                    operator: v.operator.0,
                    p2p_address: v.p2p_address.clone(),
                    p2p_key: Some(v.p2p_key.to_hex()),
                })
                .collect(),
            transactions: g.transactions.iter().map(|t| hex::encode(t.encode())).collect(),
        }
    }
}

impl GenesisFile {
    /// Converts to the [`Genesis`] value, reporting every malformed field
    /// (hex, time, scope names, identifier source, explicit ids). Does **not**
    /// apply the rules of [`crate::validate()`]; [`GenesisFile::into_valid_genesis`] does both.
    pub fn to_genesis(&self) -> Result<Genesis, GenesisErrors> {
        let mut errs = Vec::new();
        let genesis_time_ms = time::parse_rfc3339(&self.genesis_time).unwrap_or_else(|reason| {
            errs.push(GenesisError::InvalidTime {
                path: "genesis_time".into(),
                value: self.genesis_time.clone(),
                reason,
            });
            0
        });
        let regulation_hash = hex32("regulation_hash".into(), &self.regulation_hash, &mut errs).map(Hash);
        let mut parties = Vec::with_capacity(self.parties.len());
        for (i, p) in self.parties.iter().enumerate() {
            let at = format!("parties[{i}]");
            if let Some(id) = p.id {
                if id != i as u64 + 1 {
                    errs.push(GenesisError::PartyIdMismatch {
                        path: format!("{at}.id"),
                        expected: i as u64 + 1,
                        got: id,
                    });
                }
            }
            let id_commitment = match (&p.id_commitment, &p.identifier) {
                (Some(c), None) => hex32(format!("{at}.id_commitment"), c, &mut errs).map(Hash),
                (None, Some(d)) => {
                    let salt = hex32(format!("{at}.identifier.salt"), &d.salt, &mut errs);
                    salt.and_then(|salt| match identifier_commitment(&salt, &d.iin_bin) {
                        Ok(h) => Some(h),
                        Err(e) => {
                            errs.push(GenesisError::InvalidIdentifier {
                                path: format!("{at}.identifier.iin_bin"),
                                reason: e.to_string(),
                            });
                            None
                        }
                    })
                }
                (Some(_), Some(_)) => {
                    errs.push(GenesisError::IdentifierSource { path: at.clone(), got: "both are set" });
                    None
                }
                (None, None) => {
                    errs.push(GenesisError::IdentifierSource { path: at.clone(), got: "neither is set" });
                    None
                }
            };
            let accounts: Vec<Option<PublicKey>> = p
                .accounts
                .iter()
                .enumerate()
                .map(|(j, k)| hex32(format!("{at}.accounts[{j}]"), k, &mut errs).map(PublicKey))
                .collect();
            let scopes: Vec<Option<Scope>> = p
                .regulator_scopes
                .iter()
                .enumerate()
                .map(|(j, s)| {
                    let scope = parse_scope(s);
                    if scope.is_none() {
                        errs.push(GenesisError::UnknownScope {
                            path: format!("{at}.regulator_scopes[{j}]"),
                            got: s.clone(),
                        });
                    }
                    scope
                })
                .collect();
            parties.push(GenesisParty {
                kind: p.kind,
                id_commitment: id_commitment.unwrap_or(Hash::ZERO),
                display_name: p.display_name.clone(),
                accounts: accounts.into_iter().flatten().collect(),
                regulator_scopes: scopes.into_iter().flatten().collect(),
                issuer: p.issuer,
            });
        }
        let validators = self
            .validators
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let key = PublicKey(hex32(format!("validators[{i}].key"), &v.key, &mut errs).unwrap_or([0; 32]));
                // SPEC §9: an entry without a p2p key is admitted under its consensus key.
                let p2p_key = match &v.p2p_key {
                    Some(k) => PublicKey(hex32(format!("validators[{i}].p2p_key"), k, &mut errs).unwrap_or([0; 32])),
                    None => key,
                };
                GenesisValidator {
                    key,
                    power: v.power,
                    operator: PartyId(v.operator),
                    p2p_address: v.p2p_address.clone(),
                    p2p_key,
                }
            })
            .collect();
        let mut transactions = Vec::with_capacity(self.transactions.len());
        for (i, t) in self.transactions.iter().enumerate() {
            let path = format!("transactions[{i}]");
            let decoded = hex::decode(t.trim())
                .map_err(|e| format!("not hex: {e}"))
                .and_then(|b| SignedTransaction::decode(&b).map_err(|e| e.to_string()));
            match decoded {
                Ok(tx) => transactions.push(tx),
                Err(reason) => errs.push(GenesisError::InvalidTransaction { path, reason }),
            }
        }
        GenesisErrors::check(errs)?;
        Ok(Genesis {
            chain_id: self.chain_id.clone(),
            genesis_time_ms,
            regulation_hash: regulation_hash.unwrap_or(Hash::ZERO),
            network_type: self.network_type,
            params: self.params.clone(),
            parties,
            validators,
            transactions,
        })
    }

    /// Converts and validates: the [`Genesis`] a node may start from.
    pub fn into_valid_genesis(&self) -> Result<Genesis, GenesisErrors> {
        let g = self.to_genesis()?;
        crate::validate(&g)?;
        Ok(g)
    }

    /// Parses JSON text into a file (shape only: unknown fields and wrong types are refused).
    pub fn from_json(text: &str) -> Result<GenesisFile, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// Pretty JSON with a trailing newline, the form [`crate::testnet::Testnet::write`] writes.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_else(|e| unreachable!("plain data serialises: {e}"));
        s.push('\n');
        s
    }
}

/// Parses, converts and validates genesis JSON text.
pub fn parse(text: &str) -> Result<Genesis, LoadError> {
    Ok(GenesisFile::from_json(text)?.into_valid_genesis()?)
}

/// Reads, converts and validates the genesis file at `path`.
pub fn load(path: &Path) -> Result<Genesis, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|source| LoadError::Io { path: path.to_owned(), source })?;
    parse(&text)
}

#[cfg(test)]
mod tests {
    use tamga_types::SigningKey;

    use super::*;
    use crate::error::GenesisError as E;

    /// The ```json block of the crate docs.
    fn doc_example() -> String {
        let src = include_str!("lib.rs");
        let start = src.find("//! ```json\n").expect("example start") + "//! ```json\n".len();
        let len = src[start..].find("//! ```\n").expect("example end");
        src[start..start + len]
            .lines()
            .map(|l| l.trim_start_matches("//!").strip_prefix(' ').unwrap_or(""))
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn doc_example_is_valid_and_means_what_the_docs_say() {
        let g = parse(&doc_example()).expect("the documented example is a valid genesis");
        assert_eq!(g.chain_id, "tamga-example");
        assert_eq!(g.genesis_time_ms, 1_767_225_600_000, "05:00+05:00 is midnight UTC");
        assert_eq!(g.parties.len(), 3);
        assert_eq!(g.parties[0].regulator_scopes, vec![Scope::Assets, Scope::Mining]);
        assert_eq!(g.parties[1].id_commitment, identifier_commitment(&[8; 32], "900101300126").expect("valid"));
        assert!(g.parties[1].issuer);
        assert_eq!(g.parties[2].accounts, vec![SigningKey::from_seed([4; 32]).public()]);
        assert_eq!(g.validators[2].operator, PartyId(1));
        // SPEC §9: the recorded p2p identity; omitted, the consensus key.
        assert_eq!(g.validators[0].p2p_key, SigningKey::from_seed([30; 32]).public());
        assert_ne!(g.validators[0].p2p_key, g.validators[0].key);
        assert_eq!(g.validators[1].p2p_key, g.validators[1].key);
        assert!(g.params == Params { require_mining_notice: false, ..Params::default() });
    }

    #[test]
    fn value_file_json_value_roundtrip() {
        let g = parse(&doc_example()).expect("valid");
        let file = GenesisFile::from(&g);
        assert!(file.parties.iter().all(|p| p.identifier.is_none() && p.id_commitment.is_some()));
        assert_eq!(file.genesis_time, "2026-01-01T00:00:00Z");
        let json = file.to_json();
        let back = GenesisFile::from_json(&json).expect("parses");
        assert_eq!(back, file);
        assert_eq!(back.into_valid_genesis().expect("valid"), g);
        assert_eq!(parse(&json).expect("valid").hash(), g.hash());
    }

    #[test]
    fn params_default_when_omitted() {
        let mut v: serde_json::Value = serde_json::from_str(&doc_example()).expect("json");
        v.as_object_mut().expect("object").remove("params");
        v["params"] = serde_json::json!({ "max_block_txs": 5 });
        let g = parse(&v.to_string()).expect("valid");
        assert_eq!(g.params, Params { max_block_txs: 5, ..Params::default() });
        v.as_object_mut().expect("object").remove("params");
        assert_eq!(parse(&v.to_string()).expect("valid").params, Params::default());
        // SPEC §9.4: `min_validators` defaults to 4 and is read when given.
        assert_eq!(Params::default().min_validators, 4);
        v["params"] = serde_json::json!({ "min_validators": 7 });
        assert_eq!(parse(&v.to_string()).expect("valid").params, Params { min_validators: 7, ..Params::default() });
        v["params"] = serde_json::json!({ "min_validators": 0 });
        let e = parse(&v.to_string()).unwrap_err().to_string();
        assert!(e.contains("params.min_validators"), "{e}");
    }

    #[test]
    fn unknown_fields_refused() {
        let mut v: serde_json::Value = serde_json::from_str(&doc_example()).expect("json");
        v["parties"][0]["nickname"] = "x".into();
        let e = parse(&v.to_string()).unwrap_err();
        assert!(matches!(&e, LoadError::Json(j) if j.to_string().contains("unknown field `nickname`")), "{e}");
        let mut v: serde_json::Value = serde_json::from_str(&doc_example()).expect("json");
        v["validators"][0]["pwoer"] = 1.into();
        assert!(matches!(parse(&v.to_string()), Err(LoadError::Json(_))));
    }

    #[test]
    fn conversion_reports_every_malformed_field() {
        let mut f = GenesisFile::from_json(&doc_example()).expect("json");
        f.genesis_time = "2026-13-01T00:00:00Z".into();
        f.regulation_hash = "abcd".into();
        f.parties[0].id = Some(2);
        f.parties[0].regulator_scopes.push("banking".into());
        f.parties[0].accounts[0] = "zz".into();
        f.parties[1].id_commitment = Some(Hash::ZERO.to_hex());
        f.parties[2].id_commitment = None;
        f.validators[1].key = String::new();
        let errs = f.to_genesis().unwrap_err().0;
        assert_eq!(
            errs,
            vec![
                E::InvalidTime {
                    path: "genesis_time".into(),
                    value: "2026-13-01T00:00:00Z".into(),
                    reason: "2026-13-01 is not a calendar day in 1970-9999".into()
                },
                E::InvalidHex {
                    path: "regulation_hash".into(),
                    value: "abcd".into(),
                    bytes: 32,
                    reason: "expected 32 bytes (64 hex characters), got 2 bytes".into()
                },
                E::PartyIdMismatch { path: "parties[0].id".into(), expected: 1, got: 2 },
                E::InvalidHex {
                    path: "parties[0].accounts[0]".into(),
                    value: "zz".into(),
                    bytes: 32,
                    reason: "not valid hex: Invalid character 'z' at position 0".into()
                },
                E::UnknownScope { path: "parties[0].regulator_scopes[2]".into(), got: "banking".into() },
                E::IdentifierSource { path: "parties[1]".into(), got: "both are set" },
                E::IdentifierSource { path: "parties[2]".into(), got: "neither is set" },
                E::InvalidHex {
                    path: "validators[1].key".into(),
                    value: String::new(),
                    bytes: 32,
                    reason: "expected 32 bytes (64 hex characters), got 0 bytes".into()
                },
            ]
        );
    }

    /// SPEC §9: a file without `p2p_key` (written before the field existed)
    /// reads with the consensus key as the p2p identity, hashes as the same
    /// genesis with that key written out, and is written back with it.
    #[test]
    fn an_omitted_p2p_key_is_the_consensus_key_and_is_written_back() {
        let mut v: serde_json::Value = serde_json::from_str(&doc_example()).expect("json");
        let explicit = parse(&v.to_string()).expect("valid");
        v["validators"][0].as_object_mut().expect("object").remove("p2p_key");
        let old = parse(&v.to_string()).expect("an older file is read");
        assert_eq!(old.validators[0].p2p_key, old.validators[0].key);
        assert_ne!(old.hash(), explicit.hash(), "the p2p key is part of the genesis");
        let file = GenesisFile::from(&old);
        assert_eq!(file.validators[0].p2p_key.as_deref(), Some(old.validators[0].key.to_hex().as_str()));
        v["validators"][0]["p2p_key"] = old.validators[0].key.to_hex().into();
        assert_eq!(parse(&v.to_string()).expect("valid").hash(), old.hash());
    }

    /// SPEC §9: a p2p key that is not hex, not a usable point, or recorded
    /// for two validators is refused naming `validators[i].p2p_key`.
    #[test]
    fn a_bad_p2p_key_is_refused_naming_the_field() {
        let mut f = GenesisFile::from_json(&doc_example()).expect("json");
        f.validators[1].p2p_key = Some("zz".into());
        assert_eq!(
            f.to_genesis().unwrap_err().0,
            vec![E::InvalidHex {
                path: "validators[1].p2p_key".into(),
                value: "zz".into(),
                bytes: 32,
                reason: "not valid hex: Invalid character 'z' at position 0".into()
            }]
        );
        let mut f = GenesisFile::from_json(&doc_example()).expect("json");
        f.validators[1].p2p_key = Some(PublicKey([0; 32]).to_hex());
        f.validators[2].p2p_key = f.validators[0].p2p_key.clone();
        let errs = f.into_valid_genesis().unwrap_err().0;
        let first = SigningKey::from_seed([30; 32]).public();
        assert_eq!(
            errs,
            vec![
                E::WeakKey { path: "validators[1].p2p_key".into(), key: PublicKey([0; 32]) },
                E::DuplicateP2pKey {
                    path: "validators[2].p2p_key".into(),
                    key: first,
                    first: "validators[0].p2p_key".into()
                },
            ]
        );
        let msg = errs[1].to_string();
        assert!(msg.contains("validators[2].p2p_key") && msg.contains("validators[0].p2p_key"), "{msg}");
    }

    #[test]
    fn dev_identifier_is_checked() {
        let mut f = GenesisFile::from_json(&doc_example()).expect("json");
        if let Some(d) = f.parties[1].identifier.as_mut() {
            d.iin_bin = "900101300127".into();
        }
        assert_eq!(
            f.to_genesis().unwrap_err().0,
            vec![E::InvalidIdentifier {
                path: "parties[1].identifier.iin_bin".into(),
                reason: "IIN/BIN 900101300127 has check digit 7, expected 6".into()
            }]
        );
    }

    #[test]
    fn rules_apply_after_conversion() {
        let mut f = GenesisFile::from_json(&doc_example()).expect("json");
        f.validators[0].power = 0;
        f.validators[1].operator = 9;
        let e = parse(&f.to_json()).unwrap_err();
        let LoadError::Invalid(errs) = e else { panic!("expected rule errors, got {e}") };
        assert_eq!(
            errs.0,
            vec![
                E::ZeroPower { path: "validators[0].power".into() },
                E::UnknownOperator { path: "validators[1].operator".into(), operator: PartyId(9), parties: 3 },
            ]
        );
    }

    #[test]
    fn load_reads_a_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("genesis.json");
        std::fs::write(&path, doc_example()).expect("write");
        assert_eq!(load(&path).expect("valid"), parse(&doc_example()).expect("valid"));
        let missing = dir.path().join("nope.json");
        assert!(matches!(load(&missing), Err(LoadError::Io { path, .. }) if path == missing));
    }
}
