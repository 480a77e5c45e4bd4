//! RocksDB storage: column families, typed reads, the JMT node store and the
//! layered write overlay used by execution.
//!
//! Column families (all written through one synced `WriteBatch` per block):
//!
//! | cf | key | value |
//! | --- | --- | --- |
//! | `meta` | `height`, `last_block_hash`, `last_time_ms`, `state_root`, `genesis_hash`, `genesis_root` | u64 BE / hash |
//! | `state` | logical key ([`crate::keys::state`]) | borsh of the entry (latest version) |
//! | `index` | index key ([`crate::keys::index`]) | empty or borsh |
//! | `jmt_nodes` | borsh(`NodeKey`) | borsh(`Node`) |
//! | `jmt_values` | key_hash ‖ version BE | borsh(`Option<Vec<u8>>`) |
//! | `blocks` | height BE | borsh(`Block`) |
//! | `certificates` | height BE | borsh(`Certificate`) |
//! | `receipts` | height BE ‖ index BE(u32) | borsh(`Receipt`) |
//! | `txs` | tx hash | height BE ‖ index BE(u32) |
//! | `jmt_stale` | stale-since version BE ‖ `n` ‖ borsh(`NodeKey`), or ‖ `v` ‖ key hash ‖ version BE | empty: a tree node or value no version from stale-since on reads (pruning only) |
//! | `account_proofs` | height BE | the block's signers' account entries with their proofs at that height, shared siblings once (pruning only) |

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use borsh::{BorshDeserialize, BorshSerialize};
use jmt::storage::{LeafNode, Node, NodeKey, TreeReader};
use jmt::{KeyHash, OwnedValue, Sha256Jmt, Version};
use rocksdb::{ColumnFamilyDescriptor, Direction, IteratorMode, Options, WriteBatch, WriteOptions, DB};

use crate::error::{Result, StateError};

/// Column family names.
pub mod cf {
    /// Chain meta.
    pub const META: &str = "meta";
    /// Canonical state, latest values.
    pub const STATE: &str = "state";
    /// Query indexes.
    pub const INDEX: &str = "index";
    /// JMT nodes.
    pub const JMT_NODES: &str = "jmt_nodes";
    /// JMT values by version.
    pub const JMT_VALUES: &str = "jmt_values";
    /// Blocks by height.
    pub const BLOCKS: &str = "blocks";
    /// Commit certificates by height.
    pub const CERTIFICATES: &str = "certificates";
    /// Receipts by height and index.
    pub const RECEIPTS: &str = "receipts";
    /// Transaction locations by hash.
    pub const TXS: &str = "txs";
    /// Tree nodes and values made stale, by the version they became stale
    /// at (written only while pruning is on).
    pub const JMT_STALE: &str = "jmt_stale";
    /// Each block signer's account entry with its proof at the block's
    /// height, kept for receipt bundles once that version is pruned
    /// (written only while pruning is on).
    pub const ACCOUNT_PROOFS: &str = "account_proofs";
    /// All of them.
    pub const ALL: [&str; 11] =
        [META, STATE, INDEX, JMT_NODES, JMT_VALUES, BLOCKS, CERTIFICATES, RECEIPTS, TXS, JMT_STALE, ACCOUNT_PROOFS];
    /// Those a data directory written before pruning existed lacks; a
    /// read-only open (backup verification) reads them as empty.
    pub const OPTIONAL: [&str; 2] = [JMT_STALE, ACCOUNT_PROOFS];
}

/// The block cache shared by every column family.
const BLOCK_CACHE_BYTES: usize = 64 << 20;
/// One column family's memtable size before it is flushed.
const CF_WRITE_BUFFER_BYTES: usize = 32 << 20;
/// Table block size of the column families keyed by height.
const ARCHIVE_BLOCK_BYTES: usize = 32 << 10;
/// All memtables together: past this the largest is flushed.
const DB_WRITE_BUFFER_BYTES: usize = 96 << 20;

/// Borsh-encodes (infallible for in-memory values).
pub(crate) fn enc<T: BorshSerialize>(v: &T) -> Vec<u8> {
    borsh::to_vec(v).unwrap_or_default()
}

/// Borsh-decodes stored bytes.
pub(crate) fn dec<T: BorshDeserialize>(what: &'static str, b: &[u8]) -> Result<T> {
    T::try_from_slice(b).map_err(|e| StateError::Corrupt { what, why: e.to_string() })
}

/// The RocksDB database.
pub struct Store {
    db: DB,
    _env: Option<rocksdb::Env>,
    #[cfg(feature = "fault-injection")]
    faults: Faults,
}

/// Injected storage faults (feature `fault-injection`, tests only): reads
/// to let pass, then reads to fail ([`Store::inject_read_faults_after`]);
/// whole-batch writes to fail ([`Store::inject_write_faults`]); a pause
/// switch for a test harness that reads the store itself; a count of the
/// faults raised.
#[cfg(feature = "fault-injection")]
#[derive(Default)]
struct Faults {
    skip: std::sync::atomic::AtomicU64,
    fail: std::sync::atomic::AtomicU64,
    fail_writes: std::sync::atomic::AtomicU64,
    paused: std::sync::atomic::AtomicBool,
    raised: std::sync::atomic::AtomicU64,
}

#[cfg(feature = "fault-injection")]
impl Faults {
    fn take(&self, cf: &'static str) -> Result<()> {
        use std::sync::atomic::Ordering;
        let dec = |n: u64| n.checked_sub(1);
        if self.paused.load(Ordering::SeqCst)
            || self.fail.load(Ordering::SeqCst) == 0
            || self.skip.fetch_update(Ordering::SeqCst, Ordering::SeqCst, dec).is_ok()
        {
            return Ok(());
        }
        match self.fail.fetch_update(Ordering::SeqCst, Ordering::SeqCst, dec) {
            Ok(_) => {
                self.raised.fetch_add(1, Ordering::SeqCst);
                Err(StateError::InjectedFault { cf })
            }
            Err(_) => Ok(()),
        }
    }

    fn take_write(&self) -> Result<()> {
        use std::sync::atomic::Ordering;
        if self.paused.load(Ordering::SeqCst) {
            return Ok(());
        }
        match self.fail_writes.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)) {
            Ok(_) => {
                self.raised.fetch_add(1, Ordering::SeqCst);
                Err(StateError::InjectedWriteFault)
            }
            Err(_) => Ok(()),
        }
    }
}

impl Store {
    /// Opens (creating if needed) the database at `path`.
    pub fn open(path: &Path) -> Result<Store> {
        Self::open_with(path, None)
    }

    /// Opens a database held in memory (tests, tools).
    pub fn open_in_memory() -> Result<Store> {
        let env = rocksdb::Env::mem_env()?;
        Self::open_with(Path::new("/tamga-in-memory"), Some(env))
    }

    /// Opens an existing database at `path` read-only (backup verification):
    /// nothing is created or written, the RocksDB lock is not taken, and a
    /// missing column family is an error.
    pub fn open_read_only(path: &Path) -> Result<Store> {
        let mut opts = Options::default();
        opts.set_compression_type(rocksdb::DBCompressionType::Lz4);
        opts.set_paranoid_checks(true);
        // A data directory written before the optional families existed lacks them.
        let present = DB::list_cf(&opts, path)?;
        let descriptors =
            Self::cf_descriptors().into_iter().filter(|d| present.iter().any(|p| p == d.name())).collect::<Vec<_>>();
        let db = DB::open_cf_descriptors_read_only(&opts, path, descriptors, false)?;
        Ok(Store {
            db,
            _env: None,
            #[cfg(feature = "fault-injection")]
            faults: Faults::default(),
        })
    }

    /// Writes a consistent point-in-time copy of the open database into
    /// `out` (a RocksDB checkpoint: SST files hard-linked when `out` is on
    /// the same filesystem, copied otherwise; the memtable is flushed first).
    /// Every block is one write batch, so the copy holds whole blocks only.
    /// `out` must not exist; its parent must.
    pub fn checkpoint(&self, out: &Path) -> Result<()> {
        let cp = rocksdb::checkpoint::Checkpoint::new(&self.db)?;
        cp.create_checkpoint(out)?;
        Ok(())
    }

    /// Compacts every column family over its whole key range (tools and
    /// measurements: what the data occupies once RocksDB has merged its
    /// files and dropped overwritten and deleted entries).
    pub fn compact_all(&self) -> Result<()> {
        for name in cf::ALL {
            let Some(h) = self.handle_opt(name)? else { continue };
            let mut o = rocksdb::CompactOptions::default();
            o.set_bottommost_level_compaction(rocksdb::BottommostLevelCompaction::Force);
            self.db.compact_range_cf_opt(h, None::<&[u8]>, None::<&[u8]>, &o);
        }
        Ok(())
    }

    /// Bytes of table files (`rocksdb.total-sst-files-size`) and of live
    /// memtables per column family, in [`cf::ALL`] order.
    pub fn cf_sizes(&self) -> Result<Vec<(&'static str, u64, u64)>> {
        let mut out = Vec::with_capacity(cf::ALL.len());
        for name in cf::ALL {
            let Some(h) = self.handle_opt(name)? else { continue };
            let sst = self.db.property_int_value_cf(h, "rocksdb.total-sst-files-size")?.unwrap_or(0);
            let mem = self.db.property_int_value_cf(h, "rocksdb.cur-size-all-mem-tables")?.unwrap_or(0);
            out.push((name, sst, mem));
        }
        Ok(out)
    }

    /// Every entry of column family `name` in key order, fed to `f`; stops at
    /// the first error of `f`, or of the read (turned into `E` by `read_err`).
    pub fn for_each<E>(
        &self,
        name: &'static str,
        read_err: impl Fn(StateError) -> E,
        mut f: impl FnMut(&[u8], &[u8]) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let Some(h) = self.handle_opt(name).map_err(&read_err)? else { return Ok(()) };
        for item in self.db.iterator_cf(h, IteratorMode::Start) {
            let (k, v) = item.map_err(|e| read_err(e.into()))?;
            f(&k, &v)?;
        }
        Ok(())
    }

    /// Every column family with its options, sharing one block cache:
    /// without it each CF's table factory gets its own (RocksDB's default,
    /// 32 MiB each), eleven in all.
    fn cf_descriptors() -> Vec<ColumnFamilyDescriptor> {
        let cache = rocksdb::Cache::new_lru_cache(BLOCK_CACHE_BYTES);
        cf::ALL.iter().map(|n| ColumnFamilyDescriptor::new(*n, Self::cf_options(n, &cache))).collect()
    }

    fn cf_options(name: &str, cache: &rocksdb::Cache) -> Options {
        let mut table = rocksdb::BlockBasedOptions::default();
        // The legal record (blocks, certificates, receipts) and the kept
        // account proofs are written once by height and read by a known key:
        // larger table blocks compress better, and a bloom filter would only
        // cost space (every lookup of a committed height hits).
        let by_height = matches!(name, cf::BLOCKS | cf::CERTIFICATES | cf::RECEIPTS | cf::ACCOUNT_PROOFS);
        if by_height {
            table.set_block_size(ARCHIVE_BLOCK_BYTES);
        } else {
            table.set_bloom_filter(10.0, false);
        }
        table.set_block_cache(cache);
        let mut o = Options::default();
        o.set_write_buffer_size(CF_WRITE_BUFFER_BYTES);
        // LZ4 on every level and LZ4HC (the same codec, a slower and tighter
        // encoder; it reads as fast) on the bottommost, where nearly all the
        // data ends up. The build links LZ4 only (`rocksdb` feature `lz4`).
        o.set_compression_type(rocksdb::DBCompressionType::Lz4);
        o.set_bottommost_compression_type(rocksdb::DBCompressionType::Lz4hc);
        // Level sizes follow the bottommost level, which bounds the space
        // taken by overwritten and deleted (pruned) entries near 1.1x.
        o.set_level_compaction_dynamic_level_bytes(true);
        o.set_block_based_table_factory(&table);
        if name == cf::TXS {
            // Lookups by transaction hash almost always miss (every node's
            // mempool asks whether each new transaction is committed, every
            // block checks each of its transactions for a repeat), and a miss
            // searched the whole memtable skip list: a whole-key bloom filter
            // answers it. Not on the other CFs, whose reads mostly hit: there
            // the filter is an extra probe per read, and it made a 5,000-transfer
            // block's execution 26 % slower in `state/benches/block.rs`
            // (docs/performance.md).
            o.set_memtable_whole_key_filtering(true);
            o.set_memtable_prefix_bloom_ratio(0.1);
        }
        o
    }

    fn open_with(path: &Path, env: Option<rocksdb::Env>) -> Result<Store> {
        let mut opts = Options::default();
        opts.create_if_missing(true);
        opts.create_missing_column_families(true);
        opts.set_compression_type(rocksdb::DBCompressionType::Lz4);
        if let Some(env) = &env {
            opts.set_env(env);
        }
        // Every CF compresses with LZ4 (the one codec built in) and keeps a bloom
        // filter in its tables: point lookups that miss — the duplicate-tx check
        // on every transaction, new holdings, the consensus-key marker — then
        // skip the table instead of searching every overlapping file, which
        // would grow with the chain (random tx hashes overlap every file).
        // Memory: memtables of all CFs together are flushed past
        // `DB_WRITE_BUFFER_BYTES` and the block cache is shared, so a
        // validator's RocksDB stays near 160 MiB however many CFs are busy
        // (the defaults, 64 MiB of memtable and a 32 MiB cache per CF, let
        // four validators under load each pass 600 MiB; issue 7's bound is
        // 512 MiB per validator).
        opts.set_db_write_buffer_size(DB_WRITE_BUFFER_BYTES);
        let db = DB::open_cf_descriptors(&opts, path, Self::cf_descriptors())?;
        Ok(Store {
            db,
            _env: env,
            #[cfg(feature = "fault-injection")]
            faults: Faults::default(),
        })
    }

    fn handle(&self, name: &'static str) -> Result<&rocksdb::ColumnFamily> {
        self.db.cf_handle(name).ok_or(StateError::MissingColumnFamily { name })
    }

    /// The handle of `name`; `None` for an optional family ([`cf::OPTIONAL`])
    /// that a read-only open of an older data directory did not find.
    fn handle_opt(&self, name: &'static str) -> Result<Option<&rocksdb::ColumnFamily>> {
        match self.db.cf_handle(name) {
            Some(h) => Ok(Some(h)),
            None if cf::OPTIONAL.contains(&name) => Ok(None),
            None => Err(StateError::MissingColumnFamily { name }),
        }
    }

    /// Raw get.
    pub fn get(&self, cf: &'static str, key: &[u8]) -> Result<Option<Vec<u8>>> {
        #[cfg(feature = "fault-injection")]
        self.faults.take(cf)?;
        let Some(h) = self.handle_opt(cf)? else { return Ok(None) };
        Ok(self.db.get_cf(h, key)?)
    }

    /// After `skip` more successful calls of [`Store::get`], makes the next
    /// `reads` calls fail with [`StateError::InjectedFault`], as a failing
    /// disk would (tests of the node's storage-fault handling). Replaces any
    /// earlier injection.
    #[cfg(feature = "fault-injection")]
    pub fn inject_read_faults_after(&self, skip: u64, reads: u64) {
        use std::sync::atomic::Ordering;
        self.faults.skip.store(skip, Ordering::SeqCst);
        self.faults.fail.store(reads, Ordering::SeqCst);
    }

    /// Injected read faults not yet raised.
    #[cfg(feature = "fault-injection")]
    pub fn read_faults_left(&self) -> u64 {
        self.faults.fail.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Makes the next `writes` calls of [`Store::write`] fail with
    /// [`StateError::InjectedWriteFault`] before anything reaches the
    /// database, as a full disk would (ENOSPC: the batch is refused whole).
    /// Replaces any earlier write injection.
    #[cfg(feature = "fault-injection")]
    pub fn inject_write_faults(&self, writes: u64) {
        self.faults.fail_writes.store(writes, std::sync::atomic::Ordering::SeqCst);
    }

    /// Injected write faults not yet raised.
    #[cfg(feature = "fault-injection")]
    pub fn write_faults_left(&self) -> u64 {
        self.faults.fail_writes.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// While `paused`, no injected fault is raised and none is used up: a
    /// test harness reads the store between the steps of the code under test.
    #[cfg(feature = "fault-injection")]
    pub fn pause_faults(&self, paused: bool) {
        self.faults.paused.store(paused, std::sync::atomic::Ordering::SeqCst);
    }

    /// Injected faults (reads and writes) raised so far.
    #[cfg(feature = "fault-injection")]
    pub fn faults_raised(&self) -> u64 {
        self.faults.raised.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// The JMT update of one block's state writes at `version` (SPEC §10).
    ///
    /// A block that deletes no state key takes the tree's batch insertion
    /// (`batch_put_value_sets`), which walks the sorted keys once and hashes every
    /// touched internal node once; `put_value_set` inserts key by key and
    /// re-hashes the path to the root for each. Both give the same root and the
    /// same node batch (the `jmt` crate's own tests assert it, and so does
    /// `tree_update_paths_agree` in `ledger.rs`); the batch insertion cannot delete, so a
    /// block with a deletion takes the key-by-key path.
    pub fn tree_update(
        &self,
        values: Vec<(KeyHash, Option<Vec<u8>>)>,
        version: Version,
    ) -> Result<(jmt::RootHash, jmt::storage::TreeUpdateBatch)> {
        let tree = Sha256Jmt::new(self);
        let jmt_err = StateError::from_jmt("tree update");
        if !values.is_empty() && values.iter().all(|(_, v)| v.is_some()) {
            let puts = values.into_iter().filter_map(|(k, v)| v.map(|v| (k, v))).collect();
            let (roots, update) = tree.batch_put_value_sets(vec![puts], None, version).map_err(jmt_err)?;
            let root = roots.first().copied().ok_or(StateError::Missing { what: "the root of a JMT batch update" })?;
            return Ok((root, update));
        }
        tree.put_value_set(values, version).map_err(jmt_err)
    }

    /// Typed get.
    pub fn get_t<T: BorshDeserialize>(&self, cf: &'static str, key: &[u8]) -> Result<Option<T>> {
        self.get(cf, key)?.map(|b| dec(cf, &b)).transpose()
    }

    /// All entries whose key starts with `prefix`, ascending, starting at `from` (≥ prefix) if given.
    pub fn scan(&self, cf: &'static str, prefix: &[u8], from: Option<&[u8]>) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        let start = from.unwrap_or(prefix);
        let mut out = Vec::new();
        for item in self.db.iterator_cf(self.handle(cf)?, IteratorMode::From(start, Direction::Forward)) {
            let (k, v) = item?;
            if !k.starts_with(prefix) {
                break;
            }
            out.push((k.to_vec(), v.to_vec()));
        }
        Ok(out)
    }

    /// Greatest entry with key ≤ `key` among those starting with `prefix`.
    pub fn seek_prev(&self, cf: &'static str, prefix: &[u8], key: &[u8]) -> Result<Option<(Vec<u8>, Vec<u8>)>> {
        let mut it = self.db.raw_iterator_cf(self.handle(cf)?);
        it.seek_for_prev(key);
        if it.valid() {
            if let (Some(k), Some(v)) = (it.key(), it.value()) {
                if k.starts_with(prefix) {
                    return Ok(Some((k.to_vec(), v.to_vec())));
                }
            }
        }
        it.status()?;
        Ok(None)
    }

    /// The `jmt_values` key of the latest value of `kh` stored at a version
    /// at most `version`, if any.
    pub(crate) fn latest_value_key(&self, kh: &KeyHash, version: Version) -> Result<Option<Vec<u8>>> {
        Ok(self.seek_prev(cf::JMT_VALUES, &kh.0, &jmt_value_key(kh, version))?.map(|(k, _)| k))
    }

    /// Up to `limit` keys of `cf` in `[from, to)`, ascending.
    pub(crate) fn keys_between(&self, cf: &'static str, from: &[u8], to: &[u8], limit: usize) -> Result<Vec<Vec<u8>>> {
        let mut out = Vec::new();
        let mut it = self.db.raw_iterator_cf(self.handle(cf)?);
        it.seek(from);
        while it.valid() && out.len() < limit {
            match it.key() {
                Some(k) if k < to => out.push(k.to_vec()),
                _ => break,
            }
            it.next();
        }
        it.status()?;
        Ok(out)
    }

    /// A consistent point-in-time view of every column family: reads through
    /// it see no write committed after it was taken (issuer export, SPEC §12).
    pub fn snapshot(&self) -> Snap<'_> {
        Snap { store: self, snap: self.db.snapshot() }
    }

    /// Writes a batch with `sync = true` (SPEC §8 atomic per block).
    pub fn write(&self, batch: Batch) -> Result<()> {
        #[cfg(feature = "fault-injection")]
        self.faults.take_write()?;
        let mut wb = WriteBatch::default();
        for (cf, k, v) in batch.ops {
            let h = self.handle(cf)?;
            match v {
                Some(v) => wb.put_cf(h, k, v),
                None => wb.delete_cf(h, k),
            }
        }
        let mut wo = WriteOptions::default();
        wo.set_sync(true);
        self.db.write_opt(wb, &wo)?;
        Ok(())
    }
}

/// A RocksDB snapshot of a [`Store`] ([`Store::snapshot`]).
pub struct Snap<'a> {
    store: &'a Store,
    snap: rocksdb::Snapshot<'a>,
}

impl Snap<'_> {
    /// Raw get as of the snapshot.
    pub fn get(&self, cf: &'static str, key: &[u8]) -> Result<Option<Vec<u8>>> {
        Ok(self.snap.get_cf(self.store.handle(cf)?, key)?)
    }

    /// Calls `f` on every entry whose key starts with `prefix`, ascending, as
    /// of the snapshot, without collecting them (memory stays bounded by one
    /// entry); stops at the first error `f` returns.
    pub fn visit<E: From<StateError>>(
        &self,
        cf: &'static str,
        prefix: &[u8],
        mut f: impl FnMut(&[u8], &[u8]) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let handle = self.store.handle(cf)?;
        for item in self.snap.iterator_cf(handle, IteratorMode::From(prefix, Direction::Forward)) {
            let (k, v) = item.map_err(StateError::from)?;
            if !k.starts_with(prefix) {
                break;
            }
            f(&k, &v)?;
        }
        Ok(())
    }
}

/// One pending write: column family, key, value (`None` deletes).
type Op = (&'static str, Vec<u8>, Option<Vec<u8>>);

/// Pending writes for one atomic `WriteBatch`.
#[derive(Default, Debug, Clone)]
pub struct Batch {
    ops: Vec<Op>,
}

impl Batch {
    /// Puts a value.
    pub fn put(&mut self, cf: &'static str, k: Vec<u8>, v: Vec<u8>) {
        self.ops.push((cf, k, Some(v)));
    }
    /// Deletes a key.
    pub fn delete(&mut self, cf: &'static str, k: Vec<u8>) {
        self.ops.push((cf, k, None));
    }
    /// Number of operations.
    pub fn len(&self) -> usize {
        self.ops.len()
    }
    /// True if empty.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }
    /// Appends the JMT nodes and values of a tree update.
    pub fn add_tree_update(&mut self, update: &jmt::storage::TreeUpdateBatch) {
        for (nk, node) in update.node_batch.nodes() {
            self.put(cf::JMT_NODES, enc(nk), enc(node));
        }
        for ((version, kh), v) in update.node_batch.values() {
            self.put(cf::JMT_VALUES, jmt_value_key(kh, *version), enc(v));
        }
    }
}

/// `jmt_stale` key of a tree node stale since `since`.
pub(crate) fn stale_node_key(since: Version, node: &NodeKey) -> Vec<u8> {
    let mut k = since.to_be_bytes().to_vec();
    k.push(b'n');
    k.extend_from_slice(&enc(node));
    k
}

/// `jmt_stale` key of a tree value (its `jmt_values` key) stale since `since`.
pub(crate) fn stale_value_key(since: Version, value_key: &[u8]) -> Vec<u8> {
    let mut k = since.to_be_bytes().to_vec();
    k.push(b'v');
    k.extend_from_slice(value_key);
    k
}

/// The column family and key a `jmt_stale` entry points at.
pub(crate) fn stale_target(k: &[u8]) -> Result<(&'static str, &[u8])> {
    match k.get(8) {
        Some(b'n') => Ok((cf::JMT_NODES, &k[9..])),
        Some(b'v') => Ok((cf::JMT_VALUES, &k[9..])),
        _ => Err(StateError::Corrupt { what: "jmt_stale key", why: format!("no kind byte in {} bytes", k.len()) }),
    }
}

fn jmt_value_key(kh: &KeyHash, version: Version) -> Vec<u8> {
    let mut k = Vec::with_capacity(40);
    k.extend_from_slice(&kh.0);
    k.extend_from_slice(&version.to_be_bytes());
    k
}

impl TreeReader for Store {
    fn get_node_option(&self, node_key: &NodeKey) -> anyhow::Result<Option<Node>> {
        Ok(self.get_t::<Node>(cf::JMT_NODES, &enc(node_key))?)
    }

    fn get_value_option(&self, max_version: Version, key_hash: KeyHash) -> anyhow::Result<Option<OwnedValue>> {
        let found = self.seek_prev(cf::JMT_VALUES, &key_hash.0, &jmt_value_key(&key_hash, max_version))?;
        match found {
            Some((_, v)) => Ok(dec::<Option<Vec<u8>>>("jmt value", &v)?),
            None => Ok(None),
        }
    }

    fn get_rightmost_leaf(&self) -> anyhow::Result<Option<(NodeKey, LeafNode)>> {
        Err(anyhow::anyhow!("tree restore is not supported by this store"))
    }
}

/// Which keyspace an overlay entry belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Space {
    /// Canonical state: `state` CF and a JMT leaf.
    State,
    /// Query index: `index` CF only.
    Index,
}

impl Space {
    fn cf(self) -> &'static str {
        match self {
            Space::State => cf::STATE,
            Space::Index => cf::INDEX,
        }
    }
}

/// Overlay writes: `None` deletes.
pub type Writes = BTreeMap<(Space, Vec<u8>), Option<Vec<u8>>>;

/// Store reads a [`View`] remembers: `None` is a key the store lacks.
type Reads = HashMap<(Space, Vec<u8>), Option<Vec<u8>>>;

/// A two-layer write overlay over the committed store: the block layer holds
/// the effects of the block's successful transactions so far, the transaction
/// layer those of the transaction being executed (discarded on failure).
///
/// Reads that fall through both layers to the store are remembered for the
/// view's life (at most [`View::READ_CACHE_ENTRIES`]): a block's transfers
/// read the same token class, the same parties and many of the same accounts
/// again and again, and a RocksDB point lookup costs microseconds where a
/// hash lookup costs tens of nanoseconds. A view lives for one block's
/// execution, which runs with no commit in between (the ledger checks the
/// height first), so what it remembers is what the store holds; were the
/// store to change under it, the view would go on reading the state it
/// started from, not a mixture.
pub struct View<'a> {
    store: &'a Store,
    block: Writes,
    tx: Writes,
    read: RefCell<Reads>,
}

impl<'a> View<'a> {
    /// Most store reads a view remembers; later ones go to the store each time.
    pub const READ_CACHE_ENTRIES: usize = 1 << 18;

    /// A fresh view over committed state.
    pub fn new(store: &'a Store) -> Self {
        View { store, block: Writes::new(), tx: Writes::new(), read: RefCell::new(HashMap::new()) }
    }

    /// Reads through the layers.
    pub fn get(&self, space: Space, key: &[u8]) -> Result<Option<Vec<u8>>> {
        let k = (space, key.to_vec());
        if let Some(v) = self.tx.get(&k) {
            return Ok(v.clone());
        }
        if let Some(v) = self.block.get(&k) {
            return Ok(v.clone());
        }
        if let Some(v) = self.read.borrow().get(&k) {
            return Ok(v.clone());
        }
        let v = self.store.get(space.cf(), key)?;
        let mut read = self.read.borrow_mut();
        if read.len() < Self::READ_CACHE_ENTRIES {
            read.insert(k, v.clone());
        }
        Ok(v)
    }

    /// True if the transaction layer holds a write (or delete) of `key`.
    pub fn tx_touched(&self, space: Space, key: &[u8]) -> bool {
        self.tx.contains_key(&(space, key.to_vec()))
    }

    /// Writes into the transaction layer.
    pub fn put(&mut self, space: Space, key: Vec<u8>, value: Vec<u8>) {
        self.tx.insert((space, key), Some(value));
    }

    /// Deletes in the transaction layer.
    pub fn delete(&mut self, space: Space, key: Vec<u8>) {
        self.tx.insert((space, key), None);
    }

    /// Keeps the transaction's writes.
    pub fn commit_tx(&mut self) {
        let tx = std::mem::take(&mut self.tx);
        self.block.extend(tx);
    }

    /// Drops the transaction's writes.
    pub fn discard_tx(&mut self) {
        self.tx.clear();
    }

    /// Every live entry under `prefix`, ascending, through the layers.
    pub fn scan(&self, space: Space, prefix: &[u8]) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        let mut m: BTreeMap<Vec<u8>, Option<Vec<u8>>> =
            self.store.scan(space.cf(), prefix, None)?.into_iter().map(|(k, v)| (k, Some(v))).collect();
        for layer in [&self.block, &self.tx] {
            for ((_, k), v) in
                layer.range((space, prefix.to_vec())..).take_while(|((s, k), _)| *s == space && k.starts_with(prefix))
            {
                m.insert(k.clone(), v.clone());
            }
        }
        Ok(m.into_iter().filter_map(|(k, v)| v.map(|v| (k, v))).collect())
    }

    /// The committed store.
    pub fn store(&self) -> &'a Store {
        self.store
    }

    /// Consumes the view, returning the block layer (the transaction layer must be settled).
    pub fn into_writes(self) -> Writes {
        self.block
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn view_layers_read_through_and_discard() {
        let store = Store::open_in_memory().unwrap();
        let mut b = Batch::default();
        b.put(cf::STATE, b"a1".to_vec(), b"store".to_vec());
        b.put(cf::STATE, b"a2".to_vec(), b"store".to_vec());
        b.put(cf::INDEX, b"a1".to_vec(), b"index".to_vec());
        store.write(b).unwrap();
        let mut v = View::new(&store);
        v.put(Space::State, b"a3".to_vec(), b"block".to_vec());
        v.delete(Space::State, b"a2".to_vec());
        v.commit_tx();
        v.put(Space::State, b"a1".to_vec(), b"tx".to_vec());
        v.delete(Space::State, b"a3".to_vec());
        assert_eq!(v.get(Space::State, b"a1").unwrap().as_deref(), Some(&b"tx"[..]));
        assert_eq!(v.get(Space::State, b"a3").unwrap(), None);
        assert_eq!(v.get(Space::Index, b"a1").unwrap().as_deref(), Some(&b"index"[..]));
        assert!(v.tx_touched(Space::State, b"a1") && !v.tx_touched(Space::State, b"a2"));
        let keys = |v: &View<'_>| v.scan(Space::State, b"a").unwrap().into_iter().map(|(k, _)| k).collect::<Vec<_>>();
        assert_eq!(keys(&v), vec![b"a1".to_vec()]);
        v.discard_tx();
        assert_eq!(v.get(Space::State, b"a1").unwrap().as_deref(), Some(&b"store"[..]));
        assert_eq!(keys(&v), vec![b"a1".to_vec(), b"a3".to_vec()]);
        let w = v.into_writes();
        assert_eq!(w.len(), 2, "only the block layer is kept: {w:?}");
    }

    /// The read cache never shadows the layers: a key read from the store,
    /// then written, deleted or discarded in the transaction layer, reads as
    /// the layers say; and the view keeps reading the state it started from
    /// (a later store write does not reach a key it has read, misses included).
    #[test]
    fn view_read_cache_is_under_the_layers_and_stable() {
        let store = Store::open_in_memory().unwrap();
        let mut b = Batch::default();
        b.put(cf::STATE, b"k".to_vec(), b"store".to_vec());
        store.write(b).unwrap();
        let mut v = View::new(&store);
        assert_eq!(v.get(Space::State, b"k").unwrap().as_deref(), Some(&b"store"[..]));
        assert_eq!(v.get(Space::State, b"absent").unwrap(), None);
        let mut b = Batch::default();
        b.put(cf::STATE, b"k".to_vec(), b"changed".to_vec());
        b.put(cf::STATE, b"absent".to_vec(), b"now here".to_vec());
        store.write(b).unwrap();
        assert_eq!(v.get(Space::State, b"k").unwrap().as_deref(), Some(&b"store"[..]), "stable");
        assert_eq!(v.get(Space::State, b"absent").unwrap(), None, "a miss is remembered too");
        assert_eq!(View::new(&store).get(Space::State, b"k").unwrap().as_deref(), Some(&b"changed"[..]));
        v.put(Space::State, b"k".to_vec(), b"tx".to_vec());
        assert_eq!(v.get(Space::State, b"k").unwrap().as_deref(), Some(&b"tx"[..]));
        v.discard_tx();
        assert_eq!(v.get(Space::State, b"k").unwrap().as_deref(), Some(&b"store"[..]));
        v.delete(Space::State, b"k".to_vec());
        v.commit_tx();
        assert_eq!(v.get(Space::State, b"k").unwrap(), None);
        assert_eq!(v.get(Space::Index, b"k").unwrap(), None, "the spaces are apart");
    }

    #[test]
    fn seek_prev_stays_in_prefix() {
        let store = Store::open_in_memory().unwrap();
        let mut b = Batch::default();
        for (k, v) in [(&b"V\x00\x05"[..], &b"5"[..]), (b"V\x00\x09", b"9"), (b"W\x00\x01", b"w")] {
            b.put(cf::STATE, k.to_vec(), v.to_vec());
        }
        store.write(b).unwrap();
        let get = |k: &[u8]| store.seek_prev(cf::STATE, b"V", k).unwrap().map(|(_, v)| v);
        assert_eq!(get(b"V\x00\x07"), Some(b"5".to_vec()));
        assert_eq!(get(b"V\x00\x09"), Some(b"9".to_vec()));
        assert_eq!(get(b"V\x00\x04"), None);
        assert_eq!(get(b"V\xff"), Some(b"9".to_vec()));
    }
}
