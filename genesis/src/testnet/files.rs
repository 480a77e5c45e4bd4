//! The on-disk layout of a testnet ([`Testnet::write`], [`Testnet::read`]),
//! the `testnet.json` [`Manifest`] and `.key` files.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tamga_types::{Hash, PartyId, SigningKey};

use super::{
    Testnet, TestnetError, TestnetValidator, FIRST_PARTICIPANT_PARTY, ISSUER_PARTY, MINER_PARTY, REGULATOR_PARTY,
};

/// Manifest written as `testnet.json`: what a node-config generator needs
/// besides the genesis (addresses, key files, party ids).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Seed the network was generated from.
    pub seed: u64,
    /// Chain id.
    pub chain_id: String,
    /// Hex hash of the genesis value ([`Genesis::hash`](tamga_types::Genesis::hash)).
    pub genesis_hash: String,
    /// Base units minted to each participant by the bootstrap (decimal string: u128).
    pub mint_amount: String,
    /// Validators in genesis order.
    pub validators: Vec<ManifestValidator>,
    /// Regulator, issuer and miner.
    pub roles: Vec<ManifestRole>,
    /// Number of participants; participant `i` (party `4 + i`) has the key
    /// file [`participant_key_file`]`(i)`: `keys/user-0000.key`, `keys/user-0001.key`…
    pub participants: usize,
}

/// Key file of participant `i`, relative to the testnet directory:
/// `keys/user-{i:04}.key` (`user-0000.key` … `user-0999.key` for 1,000).
pub fn participant_key_file(i: usize) -> String {
    format!("keys/user-{i:04}.key")
}

/// A validator in the manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestValidator {
    /// Index in the genesis list.
    pub index: usize,
    /// Hex consensus key.
    pub public_key: String,
    /// libp2p listen multiaddr.
    pub p2p_address: String,
    /// HTTP API listen address.
    pub api_address: String,
    /// Key file, relative to the directory.
    pub key_file: String,
    /// Hex key of the node's p2p identity (`p2p_key` in the genesis).
    /// Absent in a manifest written before nodes had one of their own: the
    /// consensus key is then the p2p identity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p2p_public_key: Option<String>,
    /// Its key file, relative to the directory (`keys/validator-{i}.p2p.key`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p2p_key_file: Option<String>,
}

/// A named role's account in the manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestRole {
    /// `regulator`, `issuer` or `miner`.
    pub role: String,
    /// Party id.
    pub party: u64,
    /// Hex account key.
    pub public_key: String,
    /// Key file, relative to the directory.
    pub key_file: String,
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> TestnetError + '_ {
    move |source| TestnetError::Io { path: path.to_owned(), source }
}

fn file_err(path: &Path, reason: impl Into<String>) -> TestnetError {
    TestnetError::File { path: path.to_owned(), reason: reason.into() }
}

/// Creates `path` (refusing to overwrite) with `mode` on Unix, and writes `bytes`.
fn create(path: &Path, bytes: &[u8], secret: bool) -> Result<(), TestnetError> {
    let mut o = OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(if secret { 0o600 } else { 0o644 });
    }
    #[cfg(not(unix))]
    let _ = secret;
    let mut f = o.open(path).map_err(io_err(path))?;
    f.write_all(bytes).map_err(io_err(path))?;
    f.sync_all().map_err(io_err(path))
}

/// Writes a key file: the 32-byte seed as 64 lower-case hex characters and a
/// newline, mode 0600, refusing to overwrite.
pub fn write_key_file(path: &Path, key: &SigningKey) -> Result<(), TestnetError> {
    create(path, format!("{}\n", hex::encode(key.to_seed())).as_bytes(), true)
}

/// Reads a key file written by [`write_key_file`] (surrounding whitespace ignored).
pub fn read_key_file(path: &Path) -> Result<SigningKey, TestnetError> {
    let text = fs::read_to_string(path).map_err(io_err(path))?;
    let seed = Hash::from_hex(text.trim()).map_err(|e| file_err(path, format!("not a hex key seed: {e}")))?;
    Ok(SigningKey::from_seed(seed.0))
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T, TestnetError> {
    let text = fs::read_to_string(path).map_err(io_err(path))?;
    serde_json::from_str(&text).map_err(|e| file_err(path, e.to_string()))
}

fn to_json<T: Serialize>(v: &T) -> Vec<u8> {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_else(|e| unreachable!("plain data serialises: {e}"));
    s.push('\n');
    s.into_bytes()
}

impl Testnet {
    fn roles(&self) -> [(&'static str, PartyId, &SigningKey); 3] {
        [
            ("regulator", REGULATOR_PARTY, &self.regulator),
            ("issuer", ISSUER_PARTY, &self.issuer),
            ("miner", MINER_PARTY, &self.miner),
        ]
    }

    /// The manifest describing this network.
    pub fn manifest(&self) -> Manifest {
        Manifest {
            seed: self.seed,
            chain_id: self.genesis.chain_id.clone(),
            genesis_hash: self.genesis.hash().to_hex(),
            mint_amount: self.mint_amount.to_string(),
            validators: self
                .validators
                .iter()
                .enumerate()
                .map(|(i, v)| ManifestValidator {
                    index: i,
                    public_key: v.key.public().to_hex(),
                    p2p_address: v.p2p_address.clone(),
                    api_address: v.api_address.clone(),
                    key_file: format!("keys/validator-{i}.key"),
                    p2p_public_key: Some(v.p2p_key.public().to_hex()),
                    p2p_key_file: Some(format!("keys/validator-{i}.p2p.key")),
                })
                .collect(),
            roles: self
                .roles()
                .iter()
                .map(|(role, party, k)| ManifestRole {
                    role: (*role).to_owned(),
                    party: party.0,
                    public_key: k.public().to_hex(),
                    key_file: format!("keys/{role}.key"),
                })
                .collect(),
            participants: self.participants.len(),
        }
    }

    /// Writes the network under `dir` (created if missing). Refuses to
    /// overwrite any existing file. Layout:
    ///
    /// ```text
    /// DIR/genesis.json              the genesis file (crate docs)
    /// DIR/regulation.md             the dev regulation; its SHA-256 is regulation_hash
    /// DIR/testnet.json              the Manifest: seed, addresses, key files, party ids
    /// DIR/keys/validator-{i}.key    consensus key seeds, i = 0..N-1        (0600)
    /// DIR/keys/validator-{i}.p2p.key  p2p identity key seeds of their nodes (0600)
    /// DIR/keys/regulator.key        account key seed of party 1            (0600)
    /// DIR/keys/issuer.key           account key seed of party 2            (0600)
    /// DIR/keys/miner.key            account key seed of party 3            (0600)
    /// DIR/keys/user-{i:04}.key      account key seed of participant i      (0600)
    ///                               (party 4 + i), i = 0..P-1
    /// ```
    pub fn write(&self, dir: &Path) -> Result<(), TestnetError> {
        let keys = dir.join("keys");
        fs::create_dir_all(&keys).map_err(io_err(&keys))?;
        create(&dir.join("genesis.json"), crate::GenesisFile::from(&self.genesis).to_json().as_bytes(), false)?;
        create(&dir.join("regulation.md"), self.regulation.as_bytes(), false)?;
        let manifest = self.manifest();
        create(&dir.join("testnet.json"), &to_json(&manifest), false)?;
        for (v, m) in self.validators.iter().zip(&manifest.validators) {
            write_key_file(&dir.join(&m.key_file), &v.key)?;
            if let Some(f) = &m.p2p_key_file {
                write_key_file(&dir.join(f), &v.p2p_key)?;
            }
        }
        for (role, _, k) in self.roles() {
            write_key_file(&keys.join(format!("{role}.key")), k)?;
        }
        for (i, k) in self.participants.iter().enumerate() {
            write_key_file(&dir.join(participant_key_file(i)), k)?;
        }
        Ok(())
    }

    /// Reads a network written by [`Testnet::write`], checking that the
    /// genesis is valid, that every key file matches the manifest and the
    /// genesis (role accounts, validator order) and that `regulation.md`
    /// hashes to the genesis's `regulation_hash`.
    pub fn read(dir: &Path) -> Result<Testnet, TestnetError> {
        let genesis = crate::load(&dir.join("genesis.json"))?;
        let mpath = dir.join("testnet.json");
        let m: Manifest = read_json(&mpath)?;
        if m.genesis_hash != genesis.hash().to_hex() || m.chain_id != genesis.chain_id {
            return Err(file_err(&mpath, "genesis_hash or chain_id does not match genesis.json"));
        }
        let rpath = dir.join("regulation.md");
        let regulation = fs::read_to_string(&rpath).map_err(io_err(&rpath))?;
        if Hash(Sha256::digest(regulation.as_bytes()).into()) != genesis.regulation_hash {
            return Err(file_err(&rpath, "SHA-256 differs from the genesis regulation_hash"));
        }
        let mint_amount = m.mint_amount.parse::<u128>().map_err(|e| file_err(&mpath, format!("mint_amount: {e}")))?;
        if m.validators.len() != genesis.validators.len() {
            return Err(file_err(&mpath, "validator count differs from genesis.json"));
        }
        let mut validators = Vec::with_capacity(m.validators.len());
        for (mv, gv) in m.validators.iter().zip(&genesis.validators) {
            let path = dir.join(&mv.key_file);
            let key = read_key_file(&path)?;
            if key.public() != gv.key || key.public().to_hex() != mv.public_key {
                return Err(file_err(&path, format!("key differs from validators[{}] of genesis.json", mv.index)));
            }
            // A manifest without a p2p key file predates separate p2p
            // identities: the consensus key is the node's p2p identity.
            let p2p_key = match &mv.p2p_key_file {
                Some(f) => {
                    let p = dir.join(f);
                    let k = read_key_file(&p)?;
                    if mv.p2p_public_key.as_deref().is_some_and(|h| h != k.public().to_hex()) {
                        return Err(file_err(&p, format!("key differs from validators[{}].p2p_public_key", mv.index)));
                    }
                    k
                }
                None => key.clone(),
            };
            if p2p_key.public() != gv.p2p_key {
                return Err(file_err(
                    &mpath,
                    format!("p2p key differs from validators[{}].p2p_key of genesis.json", mv.index),
                ));
            }
            validators.push(TestnetValidator {
                key,
                p2p_key,
                p2p_address: mv.p2p_address.clone(),
                api_address: mv.api_address.clone(),
            });
        }
        let account_of = |party: u64, path: &Path, k: &SigningKey| -> Result<(), TestnetError> {
            let ok = usize::try_from(party)
                .ok()
                .and_then(|p| genesis.parties.get(p.wrapping_sub(1)))
                .is_some_and(|p| p.accounts.contains(&k.public()));
            if ok {
                Ok(())
            } else {
                Err(file_err(path, format!("key is not an account of party {party} in genesis.json")))
            }
        };
        let mut role_keys = Vec::new();
        for role in ["regulator", "issuer", "miner"] {
            let r = m
                .roles
                .iter()
                .find(|r| r.role == role)
                .ok_or_else(|| file_err(&mpath, format!("role {role} missing")))?;
            let path = dir.join(&r.key_file);
            let k = read_key_file(&path)?;
            account_of(r.party, &path, &k)?;
            role_keys.push(k);
        }
        let mut participants = Vec::with_capacity(m.participants);
        for i in 0..m.participants {
            let path = dir.join(participant_key_file(i));
            let k = read_key_file(&path)?;
            account_of(FIRST_PARTICIPANT_PARTY.0 + i as u64, &path, &k)?;
            participants.push(k);
        }
        let [regulator, issuer, miner]: [SigningKey; 3] =
            role_keys.try_into().map_err(|_| file_err(&mpath, "expected three roles"))?;
        Ok(Testnet {
            seed: m.seed,
            genesis,
            regulation,
            validators,
            regulator,
            issuer,
            miner,
            participants,
            mint_amount,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testnet::generate;

    /// A testnet written before nodes had a p2p key of their own (no
    /// `p2p_key` in the genesis, no p2p key file in the manifest) is read
    /// back with each consensus key as its node's p2p identity; a p2p key
    /// file that the genesis does not record is refused.
    #[test]
    fn an_older_testnet_reads_with_the_consensus_key_as_p2p_identity() {
        let t = generate(&small(4)).expect("valid");
        let dir = tempfile::tempdir().expect("tempdir");
        t.write(dir.path()).expect("write");
        let gpath = dir.path().join("genesis.json");
        let mut g: serde_json::Value = serde_json::from_str(&fs::read_to_string(&gpath).expect("read")).expect("json");
        for v in g["validators"].as_array_mut().expect("list") {
            v.as_object_mut().expect("object").remove("p2p_key");
        }
        fs::write(&gpath, g.to_string()).expect("write");
        let old = crate::load(&gpath).expect("an older genesis is valid");
        let mpath = dir.path().join("testnet.json");
        let mut m: Manifest = read_json(&mpath).expect("manifest");
        let files: Vec<Option<String>> = m.validators.iter().map(|v| v.p2p_key_file.clone()).collect();
        m.genesis_hash = old.hash().to_hex();
        fs::write(&mpath, to_json(&m)).expect("write");
        let e = Testnet::read(dir.path()).expect_err("p2p key files the genesis does not record");
        assert!(e.to_string().contains("validators[0].p2p_key"), "{e}");
        for v in &mut m.validators {
            v.p2p_key_file = None;
            v.p2p_public_key = None;
        }
        fs::write(&mpath, to_json(&m)).expect("write");
        let back = Testnet::read(dir.path()).expect("an older testnet reads");
        for v in &back.validators {
            assert_eq!(v.p2p_key.public(), v.key.public());
        }
        assert!(files.iter().all(Option::is_some));
    }

    fn small(seed: u64) -> crate::TestnetOptions {
        crate::TestnetOptions { seed, participants: 20, ..crate::TestnetOptions::default() }
    }

    #[cfg(unix)]
    fn mode(p: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(p).expect("metadata").permissions().mode() & 0o777
    }

    #[test]
    fn write_then_read_roundtrip() {
        let t = generate(&small(3)).expect("valid");
        let dir = tempfile::tempdir().expect("tempdir");
        t.write(dir.path()).expect("write");
        for f in ["genesis.json", "regulation.md", "testnet.json", "keys/regulator.key", "keys/validator-3.key"] {
            assert!(dir.path().join(f).is_file(), "{f}");
        }
        #[cfg(unix)]
        {
            for f in ["keys/validator-0.key", "keys/regulator.key", "keys/issuer.key", "keys/miner.key"] {
                assert_eq!(mode(&dir.path().join(f)), 0o600, "{f}");
            }
            assert_eq!(mode(&dir.path().join("keys/user-0000.key")), 0o600);
            assert_eq!(mode(&dir.path().join("keys/user-0019.key")), 0o600);
        }
        let key_text = fs::read_to_string(dir.path().join("keys/issuer.key")).expect("read");
        assert_eq!(key_text, format!("{}\n", hex::encode(t.issuer.to_seed())));

        let back = Testnet::read(dir.path()).expect("read back");
        assert_eq!(back.genesis, t.genesis);
        assert_eq!(back.seed, 3);
        assert_eq!(back.regulation, t.regulation);
        assert_eq!(back.mint_amount, t.mint_amount);
        assert_eq!(back.manifest(), t.manifest());
        let seeds = |t: &Testnet| -> Vec<[u8; 32]> {
            let mut v: Vec<[u8; 32]> = t.validators.iter().map(|v| v.key.to_seed()).collect();
            v.extend([&t.regulator, &t.issuer, &t.miner].iter().map(|k| k.to_seed()));
            v.extend(t.participants.iter().map(SigningKey::to_seed));
            v
        };
        assert_eq!(seeds(&back), seeds(&t));
        let addrs = |t: &Testnet| -> Vec<(String, String)> {
            t.validators.iter().map(|v| (v.p2p_address.clone(), v.api_address.clone())).collect()
        };
        assert_eq!(addrs(&back), addrs(&t));
        // SPEC §9: each node's p2p identity is a key of its own, recorded in the genesis.
        for (i, (v, g)) in back.validators.iter().zip(&back.genesis.validators).enumerate() {
            assert_eq!(v.p2p_key.to_seed(), t.validators[i].p2p_key.to_seed());
            assert_eq!(g.p2p_key, v.p2p_key.public());
            assert_ne!(g.p2p_key, g.key, "validator {i}: the p2p key is not the consensus key");
            #[cfg(unix)]
            assert_eq!(mode(&dir.path().join(format!("keys/validator-{i}.p2p.key"))), 0o600);
        }

        // Never overwrites.
        let e = t.write(dir.path()).unwrap_err();
        assert!(
            matches!(&e, TestnetError::Io { source, .. } if source.kind() == std::io::ErrorKind::AlreadyExists),
            "{e}"
        );
    }

    #[test]
    fn read_detects_a_swapped_key_file() {
        let t = generate(&small(4)).expect("valid");
        let dir = tempfile::tempdir().expect("tempdir");
        t.write(dir.path()).expect("write");
        let issuer = dir.path().join("keys/issuer.key");
        fs::remove_file(&issuer).expect("rm");
        write_key_file(&issuer, &t.miner).expect("write");
        let e = Testnet::read(dir.path()).unwrap_err();
        assert_eq!(e.to_string(), format!("{}: key is not an account of party 2 in genesis.json", issuer.display()));
        fs::write(dir.path().join("regulation.md"), "edited").expect("write");
        let e = Testnet::read(dir.path()).unwrap_err();
        assert!(e.to_string().ends_with("regulation.md: SHA-256 differs from the genesis regulation_hash"), "{e}");
    }
}
