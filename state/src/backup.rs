//! Backups of the ledger database: an online RocksDB checkpoint of the open
//! ledger ([`Ledger::checkpoint`]) and an independent check of a copy
//! ([`verify_backup`]) that opens it read-only and proves that it holds a
//! whole, certified chain whose state is the one its last header commits to
//! (SPEC §10: `header(h).state_root` is the JMT root after block `h`).
//!
//! What [`verify_backup`] checks, in order (the first failure is the error):
//! 1. the directory is a RocksDB database with every column family, and it
//!    opens read-only (no lock taken, nothing written);
//! 2. genesis was applied and the `meta` height, state root and last block
//!    hash are well formed;
//! 3. every entry of every column family reads back (RocksDB verifies the
//!    block checksums of each table it reads, so a damaged file fails here);
//!    the `blocks` and `certificates` families hold exactly heights `1..=h`;
//! 4. the block at `h` and its certificate decode, the block hashes to the
//!    stored last block hash, its header is at height `h` with the stored state
//!    root, and the certificate carries more than two thirds of the voting
//!    power of the set that certifies `h` (SPEC §9); at `h = 0` the root is the
//!    genesis root;
//! 5. the JMT in the copy has a root node at version `h` equal to that state
//!    root, and a JMT rebuilt from nothing but the `state` entries has the same
//!    root: the state itself, not only the tree, is the certified one.

use std::collections::BTreeMap;
use std::path::Path;

use jmt::storage::{LeafNode, Node, NodeKey, TreeReader};
use jmt::{KeyHash, OwnedValue, Sha256Jmt, Version};
use serde::{Deserialize, Serialize};
use tamga_types::{Block, Certificate, Hash, Height};

use crate::error::StateError;
use crate::ledger::meta_cf;
use crate::store::{cf, Store};
use crate::Ledger;

/// Why a backup is not a usable copy of the ledger.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BackupError {
    /// The path is not a RocksDB database directory.
    #[error("{path} is not a ledger backup: {why}")]
    NotADatabase {
        /// The path given.
        path: String,
        /// What is missing.
        why: String,
    },
    /// RocksDB refused to open the copy (missing or damaged files, a missing column family).
    #[error("cannot open the backup {path} read-only: {why}")]
    Open {
        /// The path given.
        path: String,
        /// RocksDB's message.
        why: String,
    },
    /// The copy holds no genesis (an empty or foreign database).
    #[error("the backup holds no genesis: it is not a Tamga ledger")]
    NoGenesis,
    /// A `meta` entry is missing or has the wrong size.
    #[error("meta entry {key} is {why}")]
    BadMeta {
        /// The meta key.
        key: &'static str,
        /// What is wrong.
        why: String,
    },
    /// An entry could not be read back (a checksum mismatch or a lost file).
    #[error("column family {cf} cannot be read back: {why}")]
    Unreadable {
        /// Column family.
        cf: &'static str,
        /// RocksDB's message.
        why: String,
    },
    /// A block or certificate of a committed height is missing.
    #[error("{what} of height {height} is missing (the backup's committed height is {committed})")]
    Missing {
        /// `block` or `certificate`.
        what: &'static str,
        /// The missing height.
        height: Height,
        /// The committed height from `meta`.
        committed: Height,
    },
    /// A block or certificate above the committed height, or with a malformed key.
    #[error("{what} stored under key {key} is not at a committed height 1..={committed}")]
    Unexpected {
        /// `block` or `certificate`.
        what: &'static str,
        /// The key, hex.
        key: String,
        /// The committed height.
        committed: Height,
    },
    /// A stored value does not decode.
    #[error("{what} of height {height} does not decode: {why}")]
    Corrupt {
        /// What was decoded.
        what: &'static str,
        /// Height.
        height: Height,
        /// The decoder's message.
        why: String,
    },
    /// The stored chain facts disagree with the last block.
    #[error("height {height}: {what}: stored {stored}, block says {block}")]
    Mismatch {
        /// Height.
        height: Height,
        /// Which fact.
        what: &'static str,
        /// Value in `meta`.
        stored: String,
        /// Value from the block.
        block: String,
    },
    /// The last block's certificate does not certify it.
    #[error("the certificate of height {height} does not certify its block: {why}")]
    Certificate {
        /// Height.
        height: Height,
        /// Why.
        why: String,
    },
    /// The JMT has no root at the committed height, or a different one.
    #[error("the Merkle tree root at version {height} is {found}, the header's state root is {expected}")]
    TreeRoot {
        /// Height.
        height: Height,
        /// The header's root.
        expected: Hash,
        /// What the tree holds (`missing` when it has no root node).
        found: String,
    },
    /// The `state` entries do not hash to the header's root.
    #[error(
        "the {entries} state entries hash to root {recomputed}, the header of height {height} commits to {expected}"
    )]
    StateRoot {
        /// Height.
        height: Height,
        /// The header's root.
        expected: Hash,
        /// Root rebuilt from the state entries.
        recomputed: Hash,
        /// Number of state entries.
        entries: u64,
    },
    /// Any other storage failure while checking.
    #[error("storage: {0}")]
    Storage(String),
}

impl From<StateError> for BackupError {
    fn from(e: StateError) -> Self {
        BackupError::Storage(e.to_string())
    }
}

/// What a verified backup holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupReport {
    /// Chain id.
    pub chain_id: String,
    /// Hash of the genesis the ledger was initialised with.
    pub genesis_hash: Hash,
    /// Last committed height.
    pub height: Height,
    /// Hash of the block at `height` ([`Hash::ZERO`] at genesis).
    pub block_hash: Hash,
    /// Time of that block, ms since the Unix epoch.
    pub time_ms: u64,
    /// The state root its header commits to, checked against the tree and the state.
    pub state_root: Hash,
    /// Entries per column family.
    pub entries: BTreeMap<String, u64>,
    /// Bytes of keys and values read, all column families.
    pub bytes: u64,
}

impl Ledger {
    /// Writes a consistent copy of this (open, running) ledger into `out`,
    /// which must not exist. See [`Store::checkpoint`].
    pub fn checkpoint(&self, out: &Path) -> Result<(), StateError> {
        let _span = tracing::info_span!(target: "tamga::backup", "checkpoint", out = %out.display()).entered();
        self.store.checkpoint(out)
    }

    /// Opens an existing ledger read-only (tools; nothing is written).
    pub fn open_read_only(path: &Path) -> Result<Ledger, StateError> {
        Ok(Ledger::from_store(Store::open_read_only(path)?))
    }
}

/// A tree store with no nodes: rebuilding a JMT from scratch at version 0
/// reads nothing persisted.
struct EmptyTree;

impl TreeReader for EmptyTree {
    fn get_node_option(&self, _: &NodeKey) -> anyhow::Result<Option<Node>> {
        Ok(None)
    }
    fn get_value_option(&self, _: Version, _: KeyHash) -> anyhow::Result<Option<OwnedValue>> {
        Ok(None)
    }
    fn get_rightmost_leaf(&self) -> anyhow::Result<Option<(NodeKey, LeafNode)>> {
        Ok(None)
    }
}

fn meta_fixed<const N: usize>(store: &Store, key: &'static [u8], name: &'static str) -> Result<[u8; N], BackupError> {
    let v = store.get(cf::META, key)?.ok_or(BackupError::BadMeta { key: name, why: "missing".into() })?;
    let len = v.len();
    v.try_into().map_err(|_| BackupError::BadMeta { key: name, why: format!("{len} bytes, expected {N}") })
}

/// Checks the ledger backup at `path` (a RocksDB directory) and reports what
/// it holds; see the module docs for every check. Opens the copy read-only.
pub fn verify_backup(path: &Path) -> Result<BackupReport, BackupError> {
    let _span = tracing::info_span!(target: "tamga::backup", "verify_backup", path = %path.display()).entered();
    let shown = path.display().to_string();
    if !path.is_dir() {
        return Err(BackupError::NotADatabase { path: shown, why: "no such directory".into() });
    }
    if !path.join("CURRENT").is_file() {
        return Err(BackupError::NotADatabase { path: shown, why: "no RocksDB CURRENT file".into() });
    }
    let store = Store::open_read_only(path).map_err(|e| BackupError::Open { path: shown, why: e.to_string() })?;
    if store.get(cf::META, meta_cf::GENESIS_HASH)?.is_none() {
        return Err(BackupError::NoGenesis);
    }
    let genesis_hash = Hash(meta_fixed(&store, meta_cf::GENESIS_HASH, "genesis_hash")?);
    let height = u64::from_be_bytes(meta_fixed(&store, meta_cf::HEIGHT, "height")?);
    let state_root = Hash(meta_fixed(&store, meta_cf::STATE_ROOT, "state_root")?);
    let last_hash = Hash(meta_fixed(&store, meta_cf::LAST_BLOCK_HASH, "last_block_hash")?);
    let time_ms = u64::from_be_bytes(meta_fixed(&store, meta_cf::LAST_TIME, "last_time_ms")?);

    // Read back every entry of every family; keep the state for the rebuild.
    let mut entries = BTreeMap::new();
    let mut bytes = 0u64;
    let mut state: Vec<(KeyHash, Option<OwnedValue>)> = Vec::new();
    for name in cf::ALL {
        let mut count = 0u64;
        let mut next_height: Height = 1;
        let what = match name {
            cf::BLOCKS => Some("block"),
            cf::CERTIFICATES => Some("certificate"),
            _ => None,
        };
        store.for_each(
            name,
            |e| BackupError::Unreadable { cf: name, why: e.to_string() },
            |k, v| {
                count += 1;
                bytes += (k.len() + v.len()) as u64;
                if name == cf::STATE {
                    state.push((KeyHash::with::<sha2::Sha256>(k), Some(v.to_vec())));
                }
                if let Some(what) = what {
                    match <[u8; 8]>::try_from(k).map(u64::from_be_bytes) {
                        Ok(h) if h == next_height && h <= height => next_height += 1,
                        Ok(h) if h > next_height && h <= height => {
                            return Err(BackupError::Missing { what, height: next_height, committed: height })
                        }
                        _ => {
                            let key = k.iter().map(|b| format!("{b:02x}")).collect();
                            return Err(BackupError::Unexpected { what, key, committed: height });
                        }
                    }
                }
                Ok(())
            },
        )?;
        if let Some(what) = what {
            if next_height <= height {
                return Err(BackupError::Missing { what, height: next_height, committed: height });
            }
        }
        entries.insert(name.to_owned(), count);
    }

    let ledger = Ledger::from_store(store);
    let chain_id = ledger.chain_id()?;
    let expected_root = if height == 0 {
        let genesis_root = Hash(meta_fixed(&ledger.store, meta_cf::GENESIS_ROOT, "genesis_root")?);
        if genesis_root != state_root {
            return Err(BackupError::Mismatch {
                height,
                what: "state root",
                stored: state_root.to_string(),
                block: format!("genesis root {genesis_root}"),
            });
        }
        state_root
    } else {
        check_last_block(&ledger, &chain_id, height, last_hash, state_root)?
    };

    let tree = Sha256Jmt::new(&ledger.store);
    let found = tree.get_root_hash_option(height).map_err(|e| BackupError::TreeRoot {
        height,
        expected: expected_root,
        found: format!("unreadable ({e})"),
    })?;
    match found {
        Some(r) if Hash(r.0) == expected_root => {}
        other => {
            return Err(BackupError::TreeRoot {
                height,
                expected: expected_root,
                found: other.map(|r| Hash(r.0).to_string()).unwrap_or_else(|| "missing".into()),
            })
        }
    }
    let n = state.len() as u64;
    let rebuilt = Sha256Jmt::new(&EmptyTree)
        .put_value_set(state, 0)
        .map_err(|e| BackupError::Storage(format!("cannot rebuild the tree from the state entries: {e}")))?
        .0;
    if Hash(rebuilt.0) != expected_root {
        return Err(BackupError::StateRoot {
            height,
            expected: expected_root,
            recomputed: Hash(rebuilt.0),
            entries: n,
        });
    }
    tracing::info!(target: "tamga::backup", height, root = %expected_root, entries = n, "backup verified");
    Ok(BackupReport { chain_id, genesis_hash, height, block_hash: last_hash, time_ms, state_root, entries, bytes })
}

/// Step 4 of [`verify_backup`]; returns the header's state root.
fn check_last_block(
    ledger: &Ledger,
    chain_id: &str,
    height: Height,
    last_hash: Hash,
    state_root: Hash,
) -> Result<Hash, BackupError> {
    let key = height.to_be_bytes();
    let raw = |c: &'static str, what: &'static str| -> Result<Vec<u8>, BackupError> {
        ledger.store.get(c, &key)?.ok_or(BackupError::Missing { what, height, committed: height })
    };
    let block: Block = borsh::from_slice(&raw(cf::BLOCKS, "block")?).map_err(|e| BackupError::Corrupt {
        what: "block",
        height,
        why: e.to_string(),
    })?;
    let cert: Certificate = borsh::from_slice(&raw(cf::CERTIFICATES, "certificate")?)
        .map_err(|e| BackupError::Corrupt { what: "certificate", height, why: e.to_string() })?;
    let h = &block.header;
    let mismatch = |what, stored: String, block: String| Err(BackupError::Mismatch { height, what, stored, block });
    if h.height != height {
        return mismatch("height", height.to_string(), h.height.to_string());
    }
    if block.hash() != last_hash {
        return mismatch("last block hash", last_hash.to_string(), block.hash().to_string());
    }
    if h.state_root != state_root {
        return mismatch("state root", state_root.to_string(), h.state_root.to_string());
    }
    let set = ledger.validators_at(height)?;
    cert.verify_commit(chain_id, &set, h).map_err(|e| BackupError::Certificate { height, why: e.to_string() })?;
    Ok(h.state_root)
}
