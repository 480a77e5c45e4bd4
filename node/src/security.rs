//! Security events (issue 10 item 4): one typed, structured stream of what a
//! supervisor or regulator must see — bad signatures, refused peers,
//! equivocation evidence, the configuration a node started with, validator-set
//! changes, key revocations, regulator-scope refusals and journal
//! verification failures.
//!
//! Every event goes three ways through one [`SecurityLog`] handle:
//!
//! 1. `tracing`, target `tamga::security` (warn for misbehaviour, info for
//!    administrative facts), with the event's fields;
//! 2. one JSON line appended to `HOME/security/events.jsonl`, rotated to
//!    `events.jsonl.1` … `.{keep}` when the file would pass
//!    [`SecurityLogOptions::max_file_bytes`], so the disk use is bounded;
//! 3. a bounded in-memory ring of the latest records, with sequence numbers,
//!    and a broadcast channel for live subscribers: the source of the
//!    regulator feed `GET /v1/security/events` (`api/security.rs`).
//!
//! A line is `{"seq", "time_ms", "node", "kind", …fields}`: `seq` increases
//! by one per event and continues across restarts (read back from the last
//! line of the file at open); `node` is the node's key; `kind` is the
//! snake_case name of the [`SecurityEvent`] variant. The kinds are an API:
//! a new field may be added, none is renamed. `tamga_security_events_total`
//! counts them by kind.
//!
//! Recording never fails the caller: a file that cannot be written is
//! reported (tracing error, `tamga_security_log_write_errors_total`) and the
//! event still reaches the ring, the subscribers and the tracing output.

use std::collections::VecDeque;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use serde::{Deserialize, Serialize};
use tamga_types::{
    Block, Evidence, Hash, Height, PublicKey, Receipt, SignedTransaction, StatelessError, TxOutcome, ValidatorSet,
};
use tokio::sync::broadcast;

use crate::home::Home;
use crate::mempool::MempoolError;
use crate::metrics::Metrics;

/// The tracing target of security events.
pub const TARGET: &str = "tamga::security";

/// Execution error codes that mean a regulator-only or scope-bound action
/// was refused (`tamga_state::ExecError::code`, SPEC §2).
pub const REGULATOR_SCOPE_CODES: &[&str] = &["NOT_REGULATOR", "SCOPE_MISSING"];

/// Where a badly signed message came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// `POST /v1/txs`.
    Api,
    /// The signature of an API request (`x-tamga-signature`).
    ApiRequest,
    /// The transaction gossip topic.
    Gossip,
    /// The consensus topic (a proposal or a vote).
    Consensus,
}

/// Who reported an equivocation to this node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceSource {
    /// This node's consensus engine saw both conflicting messages.
    Detected,
    /// A peer gossiped verified evidence.
    Gossip,
}

/// One security event. Serialised with `kind` = the variant name in snake_case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SecurityEvent {
    /// A transaction or consensus message whose signature does not verify.
    BadSignature {
        /// Where it came from.
        origin: Origin,
        /// The peer that sent it (gossip, consensus) or the API caller
        /// (`account:<hex>` / `anonymous@ip:port`), when known.
        #[serde(skip_serializing_if = "Option::is_none", default)]
        from: Option<String>,
        /// The claimed signer.
        #[serde(skip_serializing_if = "Option::is_none", default)]
        signer: Option<PublicKey>,
        /// Hash of the transaction (transactions only).
        #[serde(skip_serializing_if = "Option::is_none", default)]
        tx_hash: Option<Hash>,
        /// What failed.
        reason: String,
    },
    /// An inbound connection closed because the peer is neither a validator
    /// of the current or next set nor a configured observer (SPEC §9).
    PeerRefused {
        /// Its libp2p peer id, when the handshake got that far.
        #[serde(skip_serializing_if = "Option::is_none", default)]
        peer: Option<String>,
        /// Its address.
        addr: String,
        /// Why.
        reason: String,
    },
    /// A validator signed two conflicting votes (SPEC §9).
    Equivocation {
        /// The validator.
        validator: PublicKey,
        /// Height of the votes.
        height: Height,
        /// Round of the votes.
        round: u32,
        /// `prevote` or `precommit`.
        vote: String,
        /// Evidence id (the chain records it once, by this id).
        evidence: Hash,
        /// Detected here or received from a peer.
        source: EvidenceSource,
    },
    /// A proposer signed two different proposals for one height and round.
    ConflictingProposals {
        /// The proposer.
        proposer: PublicKey,
        /// Height.
        height: Height,
        /// Round.
        round: u32,
    },
    /// The node started with this configuration.
    ConfigLoaded {
        /// The file.
        path: String,
        /// SHA-256 of its bytes, hex (`sha256sum config.toml`).
        sha256: String,
        /// Hash of the genesis the node runs.
        genesis_hash: Hash,
        /// The node software version.
        version: String,
    },
    /// The validator set certifying blocks changes from `height` on.
    ValidatorSetChanged {
        /// First height certified by the new set.
        height: Height,
        /// Hash of the new set.
        validators_hash: Hash,
        /// Its size.
        validators: usize,
        /// Its total power.
        total_power: u64,
        /// Keys that joined.
        added: Vec<PublicKey>,
        /// Keys that left.
        removed: Vec<PublicKey>,
    },
    /// A committed transaction revoked an account key (SPEC §3).
    KeyRevoked {
        /// Block height.
        height: Height,
        /// The revoking transaction.
        tx_hash: Hash,
        /// The revoked key.
        key: String,
        /// The reason recorded.
        reason: String,
        /// The party that revoked it.
        by: String,
    },
    /// A committed transaction was refused because its signer is not a
    /// regulator or lacks the scope (SPEC §2).
    RegulatorScopeRejected {
        /// Block height.
        height: Height,
        /// The refused transaction.
        tx_hash: Hash,
        /// Its signer.
        signer: PublicKey,
        /// The operation (`Payload::kind_name`).
        operation: String,
        /// `NOT_REGULATOR` or `SCOPE_MISSING`.
        code: String,
        /// The receipt's message.
        message: String,
    },
    /// `tamgad journal verify` (or the node) found the journal broken.
    JournalVerificationFailed {
        /// The journal file or directory checked.
        path: String,
        /// The position (entry or byte offset) of the first failure, if known.
        #[serde(skip_serializing_if = "Option::is_none", default)]
        position: Option<u64>,
        /// What failed.
        reason: String,
    },
    /// The consensus safety state could not be written: the validator stops
    /// voting and retries until a write succeeds (SPEC §9: no vote leaves
    /// before its safety state is durable).
    SafetyPersistFailed {
        /// The safety state file.
        path: String,
        /// The failed write's error.
        error: String,
    },
}

impl SecurityEvent {
    /// The `kind` name.
    pub fn kind(&self) -> &'static str {
        match self {
            SecurityEvent::BadSignature { .. } => "bad_signature",
            SecurityEvent::PeerRefused { .. } => "peer_refused",
            SecurityEvent::Equivocation { .. } => "equivocation",
            SecurityEvent::ConflictingProposals { .. } => "conflicting_proposals",
            SecurityEvent::ConfigLoaded { .. } => "config_loaded",
            SecurityEvent::ValidatorSetChanged { .. } => "validator_set_changed",
            SecurityEvent::KeyRevoked { .. } => "key_revoked",
            SecurityEvent::RegulatorScopeRejected { .. } => "regulator_scope_rejected",
            SecurityEvent::JournalVerificationFailed { .. } => "journal_verification_failed",
            SecurityEvent::SafetyPersistFailed { .. } => "safety_persist_failed",
        }
    }

    /// Every kind, for query validation and documentation.
    pub const KINDS: &'static [&'static str] = &[
        "bad_signature",
        "peer_refused",
        "equivocation",
        "conflicting_proposals",
        "config_loaded",
        "validator_set_changed",
        "key_revoked",
        "regulator_scope_rejected",
        "journal_verification_failed",
        "safety_persist_failed",
    ];

    /// Misbehaviour or failure (logged at warn) rather than an administrative fact (info).
    pub fn is_alarm(&self) -> bool {
        !matches!(
            self,
            SecurityEvent::ConfigLoaded { .. }
                | SecurityEvent::ValidatorSetChanged { .. }
                | SecurityEvent::KeyRevoked { .. }
        )
    }

    /// A journal verification failure (for `tamgad journal verify` and the node).
    pub fn journal_verification_failed(
        path: impl Into<String>,
        position: Option<u64>,
        reason: impl Into<String>,
    ) -> SecurityEvent {
        SecurityEvent::JournalVerificationFailed { path: path.into(), position, reason: reason.into() }
    }

    /// The equivocation event of verified evidence.
    pub fn equivocation(ev: &Evidence, source: EvidenceSource) -> SecurityEvent {
        SecurityEvent::Equivocation {
            validator: ev.validator(),
            height: ev.a.data.height,
            round: ev.a.data.round,
            vote: format!("{:?}", ev.a.data.kind).to_lowercase(),
            evidence: ev.id(),
            source,
        }
    }

    /// The change from `old` to `new`, which certifies blocks from `height`.
    pub fn validator_set_changed(height: Height, old: &ValidatorSet, new: &ValidatorSet) -> SecurityEvent {
        let added = new.validators.iter().filter(|v| old.index_of(&v.key).is_none()).map(|v| v.key).collect();
        let removed = old.validators.iter().filter(|v| new.index_of(&v.key).is_none()).map(|v| v.key).collect();
        SecurityEvent::ValidatorSetChanged {
            height,
            validators_hash: new.hash(),
            validators: new.len(),
            total_power: new.total_power(),
            added,
            removed,
        }
    }

    /// The config file event: SHA-256 of the bytes the node read.
    pub fn config_loaded(path: &Path, bytes: &[u8], genesis_hash: Hash) -> SecurityEvent {
        use sha2::Digest;
        SecurityEvent::ConfigLoaded {
            path: path.display().to_string(),
            sha256: hex::encode(sha2::Sha256::digest(bytes)),
            genesis_hash,
            version: env!("CARGO_PKG_VERSION").to_owned(),
        }
    }

    /// The events a committed block's receipts carry: key revocations
    /// (`account_revoked` receipt events) and regulator-scope refusals
    /// (failed receipts with a code of [`REGULATOR_SCOPE_CODES`]).
    pub fn from_receipts(block: &Block, receipts: &[Receipt]) -> Vec<SecurityEvent> {
        let mut out = Vec::new();
        for r in receipts {
            match &r.outcome {
                TxOutcome::Success => {
                    for e in r.events.iter().filter(|e| e.kind == "account_revoked") {
                        let get = |k: &str| e.get(k).unwrap_or_default().to_owned();
                        out.push(SecurityEvent::KeyRevoked {
                            height: r.height,
                            tx_hash: r.tx_hash,
                            key: get("key"),
                            reason: get("reason"),
                            by: get("by"),
                        });
                    }
                }
                TxOutcome::Failed { code, message } if REGULATOR_SCOPE_CODES.contains(&code.as_str()) => {
                    let Some(tx) = block.txs.get(r.index as usize) else { continue };
                    out.push(SecurityEvent::RegulatorScopeRejected {
                        height: r.height,
                        tx_hash: r.tx_hash,
                        signer: tx.tx.signer,
                        operation: tx.tx.payload.kind_name().to_owned(),
                        code: code.clone(),
                        message: message.clone(),
                    });
                }
                TxOutcome::Failed { .. } => {}
            }
        }
        out
    }
}

/// One recorded event: the JSON line, the ring entry and the API item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityRecord {
    /// Sequence number, from 1, increasing by one per event on this node.
    pub seq: u64,
    /// When it was recorded, ms since the epoch.
    pub time_ms: u64,
    /// The recording node's key.
    pub node: PublicKey,
    /// The event (its `kind` and fields, flattened).
    #[serde(flatten)]
    pub event: SecurityEvent,
}

/// Bounds and place of a [`SecurityLog`].
#[derive(Clone, Debug)]
pub struct SecurityLogOptions {
    /// Directory of `events.jsonl` (`HOME/security`); `None`: no file.
    pub dir: Option<PathBuf>,
    /// Size at which `events.jsonl` is rotated.
    pub max_file_bytes: u64,
    /// Rotated files kept (`events.jsonl.1` newest … `.{keep}` oldest).
    pub keep_files: u32,
    /// Records kept in memory for the API.
    pub ring: usize,
    /// Records the broadcast channel holds for a slow subscriber.
    pub channel: usize,
    /// Most concurrent live subscribers ([`SecurityLog::try_subscribe`]).
    pub max_subscribers: usize,
}

impl Default for SecurityLogOptions {
    fn default() -> Self {
        SecurityLogOptions {
            dir: None,
            max_file_bytes: 16 * 1024 * 1024,
            keep_files: 4,
            ring: 4096,
            channel: 1024,
            max_subscribers: 32,
        }
    }
}

/// The file name of the current log in its directory.
pub const FILE_NAME: &str = "events.jsonl";

/// Why the log could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum SecurityLogError {
    /// The directory or file could not be created or read.
    #[error("security log {path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
}

struct FileSink {
    dir: PathBuf,
    file: File,
    len: u64,
}

struct Inner {
    next_seq: u64,
    ring: VecDeque<Arc<SecurityRecord>>,
    file: Option<FileSink>,
}

struct Shared {
    node: PublicKey,
    opts: SecurityLogOptions,
    inner: Mutex<Inner>,
    live: broadcast::Sender<Arc<SecurityRecord>>,
    permits: Arc<tokio::sync::Semaphore>,
    by_kind: Family<Vec<(String, String)>, Counter>,
    write_errors: Counter,
}

/// The node's security event log. Cheap to clone; every clone records into
/// the same file, ring and channel.
#[derive(Clone)]
pub struct SecurityLog {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for SecurityLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecurityLog").field("node", &self.shared.node).field("dir", &self.shared.opts.dir).finish()
    }
}

use crate::now_ms;

/// The `seq` of the last complete line of `path` (reads at most its last 64 KiB).
fn last_seq(path: &Path) -> std::io::Result<u64> {
    let mut f = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    let len = f.metadata()?.len();
    let from = len.saturating_sub(64 * 1024);
    f.seek(SeekFrom::Start(from))?;
    let mut tail = Vec::with_capacity((len - from) as usize);
    f.take(64 * 1024).read_to_end(&mut tail)?;
    #[derive(Deserialize)]
    struct Seq {
        seq: u64,
    }
    Ok(tail
        .split(|b| *b == b'\n')
        .rev()
        .filter_map(|line| serde_json::from_slice::<Seq>(line).ok())
        .map(|s| s.seq)
        .next()
        .unwrap_or(0))
}

impl SecurityLog {
    /// Opens the log of node `node`, appending to `opts.dir/events.jsonl`
    /// (created if missing) and continuing its sequence numbers.
    pub fn open(node: PublicKey, opts: SecurityLogOptions, metrics: &Metrics) -> Result<SecurityLog, SecurityLogError> {
        let mut next_seq = 1;
        let file = match &opts.dir {
            None => None,
            Some(dir) => {
                let io = |p: &Path| {
                    let path = p.display().to_string();
                    move |source| SecurityLogError::Io { path, source }
                };
                fs::create_dir_all(dir).map_err(io(dir))?;
                let path = dir.join(FILE_NAME);
                // The highest seq is in the current file, else in the newest rotated one.
                let mut last = last_seq(&path).map_err(io(&path))?;
                if last == 0 {
                    last = last_seq(&rotated(dir, 1)).unwrap_or(0);
                }
                next_seq = last + 1;
                let file = OpenOptions::new().create(true).append(true).open(&path).map_err(io(&path))?;
                let len = file.metadata().map_err(io(&path))?.len();
                Some(FileSink { dir: dir.clone(), file, len })
            }
        };
        let (live, _) = broadcast::channel(opts.channel.max(1));
        let ring = VecDeque::with_capacity(opts.ring.min(4096));
        Ok(SecurityLog {
            shared: Arc::new(Shared {
                node,
                inner: Mutex::new(Inner { next_seq, ring, file }),
                live,
                permits: Arc::new(tokio::sync::Semaphore::new(opts.max_subscribers)),
                by_kind: metrics.security_events.clone(),
                write_errors: metrics.security_log_write_errors.clone(),
                opts,
            }),
        })
    }

    /// The log of a node home (`HOME/security/events.jsonl`), with the
    /// default bounds: what `tamgad start` opens, and what a one-shot tool
    /// such as `tamgad journal verify` opens to record a
    /// [`SecurityEvent::journal_verification_failed`]. Lines from two
    /// processes never interleave (one `write` per line, `O_APPEND`), but
    /// each process numbers its own records: run such a tool while the node
    /// is stopped, or expect repeated `seq` values in the file.
    pub fn open_home(home: &Home, node: PublicKey, metrics: &Metrics) -> Result<SecurityLog, SecurityLogError> {
        SecurityLog::open(
            node,
            SecurityLogOptions { dir: Some(home.security()), ..SecurityLogOptions::default() },
            metrics,
        )
    }

    /// A log with no file (tests, tools): ring, channel, tracing and metrics only.
    pub fn in_memory(node: PublicKey, metrics: &Metrics) -> SecurityLog {
        match SecurityLog::open(node, SecurityLogOptions::default(), metrics) {
            Ok(l) => l,
            // Without a directory nothing is opened, so nothing can fail.
            Err(e) => unreachable!("a security log without a file cannot fail to open: {e}"),
        }
    }

    /// The options in force.
    pub fn options(&self) -> &SecurityLogOptions {
        &self.shared.opts
    }

    /// The node key the records name.
    pub fn node(&self) -> PublicKey {
        self.shared.node
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // Every mutation completes before anything that can panic: recover.
        self.shared.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records `event`: tracing, the file, the ring, the subscribers and the
    /// per-kind counter. Never fails; returns the record.
    pub fn record(&self, event: SecurityEvent) -> Arc<SecurityRecord> {
        let kind = event.kind();
        self.shared.by_kind.get_or_create(&vec![("kind".to_owned(), kind.to_owned())]).inc();
        let mut inner = self.lock();
        let rec = Arc::new(SecurityRecord { seq: inner.next_seq, time_ms: now_ms(), node: self.shared.node, event });
        inner.next_seq += 1;
        // Our own types always serialise.
        let line = serde_json::to_string(&*rec).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
        if rec.event.is_alarm() {
            tracing::warn!(target: TARGET, seq = rec.seq, kind, event = %line, "security event");
        } else {
            tracing::info!(target: TARGET, seq = rec.seq, kind, event = %line, "security event");
        }
        if let Some(sink) = inner.file.as_mut() {
            if let Err(e) = write_line(sink, &line, &self.shared.opts) {
                self.shared.write_errors.inc();
                tracing::error!(target: TARGET, dir = %sink.dir.display(), error = %e, "cannot write the security event log");
            }
        }
        if inner.ring.len() >= self.shared.opts.ring.max(1) {
            inner.ring.pop_front();
        }
        inner.ring.push_back(rec.clone());
        // Sent under the lock so subscribers see records in seq order;
        // an Err only means nobody listens.
        let _ = self.shared.live.send(rec.clone());
        rec
    }

    /// Records a `bad_signature` event for every transaction of `raws`
    /// whose admission result says its signature does not verify; `from`
    /// names the sender (peer or API caller).
    pub fn record_bad_tx_signatures<R: AsRef<[u8]>>(
        &self,
        origin: Origin,
        from: Option<String>,
        raws: &[R],
        results: &[Result<Hash, MempoolError>],
    ) {
        for (raw, r) in raws.iter().zip(results) {
            if let Err(MempoolError::Stateless(StatelessError::Signature(e))) = r {
                // It decoded before its signature was checked.
                let tx = SignedTransaction::decode(raw.as_ref()).ok();
                self.record(SecurityEvent::BadSignature {
                    origin,
                    from: from.clone(),
                    signer: tx.as_ref().map(|t| t.tx.signer),
                    tx_hash: tx.as_ref().map(|t| t.hash()),
                    reason: e.to_string(),
                });
            }
        }
    }

    /// Records in the ring with `seq > after`, oldest first, at most `limit`;
    /// with `kinds`, only those kinds.
    pub fn page(&self, after: u64, limit: usize, kinds: Option<&[String]>) -> Vec<Arc<SecurityRecord>> {
        let inner = self.lock();
        let start = inner.ring.partition_point(|r| r.seq <= after);
        inner
            .ring
            .iter()
            .skip(start)
            .filter(|r| kinds.is_none_or(|k| k.iter().any(|k| k == r.event.kind())))
            .take(limit)
            .cloned()
            .collect()
    }

    /// `(oldest seq in the ring, last seq recorded)`; the oldest is `None` when the ring is empty.
    pub fn bounds(&self) -> (Option<u64>, u64) {
        let inner = self.lock();
        (inner.ring.front().map(|r| r.seq), inner.next_seq - 1)
    }

    /// A live subscription that holds one of the
    /// [`max_subscribers`](SecurityLogOptions::max_subscribers) slots while
    /// it lives; `None` when all are taken.
    pub fn try_subscribe(&self) -> Option<Subscription> {
        let permit = self.shared.permits.clone().try_acquire_owned().ok()?;
        Some(Subscription { rx: self.subscribe(), _permit: permit })
    }

    /// A live subscription; subscribe before reading [`page`](Self::page) so
    /// that no record falls between the two.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<SecurityRecord>> {
        self.shared.live.subscribe()
    }
}

/// A bounded live subscription ([`SecurityLog::try_subscribe`]).
pub struct Subscription {
    /// The records, in seq order.
    pub rx: broadcast::Receiver<Arc<SecurityRecord>>,
    _permit: tokio::sync::OwnedSemaphorePermit,
}

fn rotated(dir: &Path, n: u32) -> PathBuf {
    dir.join(format!("{FILE_NAME}.{n}"))
}

/// Appends one line, rotating first when it would pass the size bound.
fn write_line(sink: &mut FileSink, line: &str, opts: &SecurityLogOptions) -> std::io::Result<()> {
    let bytes = line.len() as u64 + 1;
    if sink.len > 0 && sink.len + bytes > opts.max_file_bytes {
        rotate(sink, opts.keep_files)?;
    }
    let mut buf = Vec::with_capacity(line.len() + 1);
    buf.extend_from_slice(line.as_bytes());
    buf.push(b'\n');
    sink.file.write_all(&buf)?;
    sink.len += bytes;
    Ok(())
}

/// `events.jsonl.{k-1}` → `.{k}` for k = keep … 2, the current file → `.1`,
/// and a fresh current file. With `keep == 0` the current file is truncated.
fn rotate(sink: &mut FileSink, keep: u32) -> std::io::Result<()> {
    let current = sink.dir.join(FILE_NAME);
    if keep == 0 {
        sink.file = OpenOptions::new().write(true).truncate(true).open(&current)?;
        sink.len = 0;
        return Ok(());
    }
    sink.file.sync_all()?;
    let _ = fs::remove_file(rotated(&sink.dir, keep));
    for k in (1..keep).rev() {
        let from = rotated(&sink.dir, k);
        if from.exists() {
            fs::rename(&from, rotated(&sink.dir, k + 1))?;
        }
    }
    fs::rename(&current, rotated(&sink.dir, 1))?;
    sink.file = OpenOptions::new().create(true).append(true).open(&current)?;
    sink.len = 0;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tamga_types::SigningKey;

    fn node() -> PublicKey {
        SigningKey::from_seed([3; 32]).public()
    }

    fn bad_sig(i: u64) -> SecurityEvent {
        SecurityEvent::BadSignature {
            origin: Origin::Gossip,
            from: Some(format!("peer-{i}")),
            signer: Some(node()),
            tx_hash: None,
            reason: "signature does not verify".into(),
        }
    }

    fn lines(path: &Path) -> Vec<serde_json::Value> {
        fs::read_to_string(path)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("each line is one JSON object"))
            .collect()
    }

    #[test]
    fn writes_one_json_line_per_event_with_kind_seq_time_and_node() {
        let dir = tempfile::tempdir().unwrap();
        let m = Metrics::new();
        let opts = SecurityLogOptions { dir: Some(dir.path().to_owned()), ..Default::default() };
        let log = SecurityLog::open(node(), opts, &m).unwrap();
        log.record(bad_sig(1));
        log.record(SecurityEvent::journal_verification_failed("journal/000001.log", Some(42), "hash chain broken"));
        let got = lines(&dir.path().join(FILE_NAME));
        assert_eq!(got.len(), 2);
        assert_eq!(got[0]["kind"], "bad_signature");
        assert_eq!(got[0]["seq"], 1);
        assert_eq!(got[0]["origin"], "gossip");
        assert_eq!(got[0]["from"], "peer-1");
        assert_eq!(got[0]["node"], node().to_hex());
        assert!(got[0]["time_ms"].as_u64().unwrap() > 1_700_000_000_000);
        assert!(got[0].get("tx_hash").is_none(), "absent options are left out");
        assert_eq!(got[1]["kind"], "journal_verification_failed");
        assert_eq!(got[1]["seq"], 2);
        assert_eq!(got[1]["position"], 42);
        // Each line parses back into the typed record.
        let text = fs::read_to_string(dir.path().join(FILE_NAME)).unwrap();
        let first: SecurityRecord = serde_json::from_str(text.lines().next().unwrap()).unwrap();
        assert_eq!(first.event, bad_sig(1));
        let metrics = m.encode();
        assert!(metrics.contains("tamga_security_events_total{kind=\"bad_signature\"} 1"), "{metrics}");
    }

    #[test]
    fn sequence_continues_after_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let m = Metrics::new();
        let opts = SecurityLogOptions { dir: Some(dir.path().to_owned()), ..Default::default() };
        let log = SecurityLog::open(node(), opts.clone(), &m).unwrap();
        for i in 0..3 {
            log.record(bad_sig(i));
        }
        drop(log);
        let log = SecurityLog::open(node(), opts, &m).unwrap();
        assert_eq!(log.record(bad_sig(9)).seq, 4);
        assert_eq!(lines(&dir.path().join(FILE_NAME)).len(), 4);
    }

    #[test]
    fn rotates_at_the_size_bound_and_keeps_a_bounded_number_of_files() {
        let dir = tempfile::tempdir().unwrap();
        let m = Metrics::new();
        let line_len =
            serde_json::to_string(&SecurityRecord { seq: 10, time_ms: now_ms(), node: node(), event: bad_sig(1) })
                .unwrap()
                .len() as u64
                + 1;
        // Room for 3 lines per file, 2 rotated files kept.
        let opts = SecurityLogOptions {
            dir: Some(dir.path().to_owned()),
            max_file_bytes: line_len * 3 + 2,
            keep_files: 2,
            ..Default::default()
        };
        let log = SecurityLog::open(node(), opts.clone(), &m).unwrap();
        for i in 0..20 {
            log.record(bad_sig(i % 10));
        }
        let current = lines(&dir.path().join(FILE_NAME));
        let one = lines(&rotated(dir.path(), 1));
        let two = lines(&rotated(dir.path(), 2));
        assert!(!rotated(dir.path(), 3).exists(), "only keep_files rotated files");
        for f in [&current, &one, &two] {
            assert!(!f.is_empty() && f.len() <= 3, "{} lines", f.len());
        }
        for name in [FILE_NAME.to_owned(), format!("{FILE_NAME}.1"), format!("{FILE_NAME}.2")] {
            assert!(fs::metadata(dir.path().join(name)).unwrap().len() <= opts.max_file_bytes);
        }
        // Newest last, consecutive across the rotation.
        let seqs: Vec<u64> = two.iter().chain(&one).chain(&current).map(|v| v["seq"].as_u64().unwrap()).collect();
        assert_eq!(*seqs.last().unwrap(), 20);
        assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "{seqs:?}");
        // A reopened log continues from the current file.
        drop(log);
        let log = SecurityLog::open(node(), opts, &m).unwrap();
        assert_eq!(log.record(bad_sig(0)).seq, 21);
    }

    #[test]
    fn ring_is_bounded_and_pages_by_sequence() {
        let m = Metrics::new();
        let opts = SecurityLogOptions { ring: 5, ..Default::default() };
        let log = SecurityLog::open(node(), opts, &m).unwrap();
        let mut rx = log.subscribe();
        for i in 0..12 {
            log.record(bad_sig(i));
        }
        log.record(SecurityEvent::PeerRefused { peer: None, addr: "/ip4/10.0.0.9/tcp/1".into(), reason: "x".into() });
        assert_eq!(log.bounds(), (Some(9), 13));
        let all: Vec<u64> = log.page(0, 100, None).iter().map(|r| r.seq).collect();
        assert_eq!(all, vec![9, 10, 11, 12, 13]);
        let page: Vec<u64> = log.page(10, 2, None).iter().map(|r| r.seq).collect();
        assert_eq!(page, vec![11, 12]);
        let kinds = vec!["peer_refused".to_owned()];
        let refused: Vec<u64> = log.page(0, 100, Some(&kinds)).iter().map(|r| r.seq).collect();
        assert_eq!(refused, vec![13]);
        assert!(log.page(13, 10, None).is_empty());
        assert_eq!(rx.try_recv().unwrap().seq, 1, "subscribers get every record in order");
    }

    #[test]
    fn receipts_yield_revocations_and_scope_refusals() {
        use tamga_types::{BlockHeader, BoundedVec, ChainId, Event, Payload, RevocationReason, Transaction};
        let key = SigningKey::from_seed([5; 32]);
        let tx = |nonce| {
            Transaction {
                chain_id: ChainId::new("t").unwrap(),
                signer: key.public(),
                nonce,
                payload: Payload::RevokeAccount { key: key.public(), reason: RevocationReason::HolderRequest },
                memo: None,
            }
            .sign(&key)
        };
        let txs = vec![tx(0), tx(1), tx(2)];
        // Any header: only the transactions matter here.
        let header = BlockHeader {
            chain_id: ChainId::new("t").unwrap(),
            height: 7,
            round: 0,
            time_ms: 1,
            parent_hash: Hash::ZERO,
            proposer: key.public(),
            tx_root: Hash::ZERO,
            evidence_root: Hash::ZERO,
            state_root: Hash::ZERO,
            receipts_root: Hash::ZERO,
            validators_hash: Hash::ZERO,
            next_validators_hash: Hash::ZERO,
        };
        let block = Block { header, txs: BoundedVec::new(txs.clone()).unwrap(), evidence: Default::default() };
        let receipt = |index: u32, outcome, events| Receipt {
            tx_hash: txs[index as usize].hash(),
            height: 7,
            index,
            block_time_ms: 1,
            outcome,
            events,
        };
        let receipts = vec![
            receipt(
                0,
                TxOutcome::Success,
                vec![Event::new(
                    "account_revoked",
                    [("key", "ab".to_owned()), ("reason", "Compromised".into()), ("by", "1".into())],
                )],
            ),
            receipt(1, TxOutcome::Failed { code: "SCOPE_MISSING".into(), message: "lacks mining".into() }, vec![]),
            receipt(2, TxOutcome::Failed { code: "INSUFFICIENT_BALANCE".into(), message: "no".into() }, vec![]),
        ];
        let got = SecurityEvent::from_receipts(&block, &receipts);
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(matches!(&got[0], SecurityEvent::KeyRevoked { key, reason, by, height: 7, .. }
            if key == "ab" && reason == "Compromised" && by == "1"));
        assert!(matches!(&got[1], SecurityEvent::RegulatorScopeRejected { code, operation, signer, .. }
            if code == "SCOPE_MISSING" && operation == "revoke_account" && *signer == key.public()));
    }
}
