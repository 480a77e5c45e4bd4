//! Security events: one typed, structured stream of what a supervisor or
//! regulator must see — bad signatures, refused peers, equivocation
//! evidence, the configuration a node started with, validator-set changes,
//! key revocations, regulator-scope refusals, journal verification failures
//! and safety-state persistence failures (the vocabulary: [`SecurityEvent`]).
//!
//! Every event goes through one [`SecurityLog`] handle, which first applies
//! the per-source rate limits of [`flood`] to the kinds anyone can cause
//! ([`Class::PerSource`]: `bad_signature`, `peer_refused`), so that a flood
//! becomes a few events and one `aggregated` summary per source and
//! interval. What is recorded then goes
//!
//! 1. to `tracing`, target `tamga::security` (warn for misbehaviour, info for
//!    administrative facts), with the event's fields — as rate-limited as
//!    the records themselves;
//! 2. as one JSON line to `HOME/security/events.jsonl`, rotated to
//!    `events.jsonl.1` … `.{keep}` at [`SecurityLogOptions::max_file_bytes`];
//! 3. for the critical kinds ([`Class::Critical`]: `config_loaded`,
//!    validator-set changes, equivocation, conflicting proposals, journal
//!    verification and safety-state persistence failures) also to
//!    `HOME/security/critical.jsonl` (fsynced, bounds of its own), which no
//!    other kind is written to, so no flood can rotate them out;
//! 4. into a bounded in-memory ring of the latest records and a second ring
//!    of the latest critical records, and a broadcast channel for live
//!    subscribers: the source of the regulator feed `GET
//!    /v1/security/events` (`api/security.rs`), which serves critical
//!    records even after the main ring has dropped them.
//!
//! A line is `{"seq", "time_ms", "node", "kind", …fields}`: `seq` increases
//! by one per recorded event and continues across restarts (read back from
//! the last lines of the files at open); `node` is the node's key; `kind` is
//! the snake_case name of the [`SecurityEvent`] variant. The kinds are an
//! API: a new field may be added, none is renamed.
//! `tamga_security_events_total{kind}` counts the records,
//! `tamga_security_events_aggregated_total{kind}` the events only counted in
//! a summary: their sum is every event that happened.
//!
//! Recording never fails the caller: a file that cannot be written is
//! reported (tracing error at most once per interval,
//! `tamga_security_log_write_errors_total`) and the event still reaches the
//! rings, the subscribers and the tracing output.

mod config;
mod event;
pub mod flood;
mod sink;

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Weak};

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use serde::{Deserialize, Serialize};
use tamga_types::{Hash, PublicKey, SignedTransaction, StatelessError};
use tokio::sync::broadcast;

pub use config::SecurityConfig;
pub use event::{ip_source, Class, EvidenceSource, Origin, SecurityEvent, REGULATOR_SCOPE_CODES};
pub use flood::FloodLimits;
use flood::{Limiter, Verdict};
use sink::{last_seq_of, RotatingFile};

use crate::home::Home;
use crate::mempool::MempoolError;
use crate::metrics::Metrics;
use crate::now_ms;

/// The tracing target of security events.
pub const TARGET: &str = "tamga::security";

/// The file name of the log of every recorded event in its directory.
pub const FILE_NAME: &str = "events.jsonl";
/// The file name of the critical events' log in the same directory.
pub const CRITICAL_FILE_NAME: &str = "critical.jsonl";

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

/// Bounds and place of a [`SecurityLog`] (`[security]` of `config.toml`,
/// [`SecurityConfig`]).
#[derive(Clone, Debug)]
pub struct SecurityLogOptions {
    /// Directory of `events.jsonl` and `critical.jsonl` (`HOME/security`); `None`: no files.
    pub dir: Option<PathBuf>,
    /// Size at which `events.jsonl` is rotated.
    pub max_file_bytes: u64,
    /// Rotated files kept (`events.jsonl.1` newest … `.{keep}` oldest).
    pub keep_files: u32,
    /// Size at which `critical.jsonl` is rotated.
    pub critical_max_file_bytes: u64,
    /// Rotated critical files kept.
    pub critical_keep_files: u32,
    /// Records kept in memory for the API.
    pub ring: usize,
    /// Critical records kept in memory besides them.
    pub critical_ring: usize,
    /// Records the broadcast channel holds for a slow subscriber.
    pub channel: usize,
    /// Most concurrent live subscribers ([`SecurityLog::try_subscribe`]).
    pub max_subscribers: usize,
    /// Rate limits of per-source kinds.
    pub flood: FloodLimits,
}

impl Default for SecurityLogOptions {
    fn default() -> Self {
        SecurityLogOptions {
            dir: None,
            max_file_bytes: 16 * 1024 * 1024,
            keep_files: 4,
            critical_max_file_bytes: 16 * 1024 * 1024,
            critical_keep_files: 8,
            ring: 4096,
            critical_ring: 1024,
            channel: 1024,
            max_subscribers: 32,
            flood: FloodLimits::default(),
        }
    }
}

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

/// Seqs the rings hold: see [`SecurityLog::bounds`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bounds {
    /// The oldest seq served (a critical record may be older than the main ring).
    pub oldest: Option<u64>,
    /// Every record from this seq on is held (the main ring's oldest).
    pub complete_from: Option<u64>,
    /// The last seq recorded (0: none yet).
    pub last: u64,
}

struct Inner {
    next_seq: u64,
    ring: VecDeque<Arc<SecurityRecord>>,
    critical_ring: VecDeque<Arc<SecurityRecord>>,
    events: Option<RotatingFile>,
    critical: Option<RotatingFile>,
    limiter: Limiter,
    /// When a file error was last logged (errors are logged once per interval).
    last_error_log_ms: u64,
}

struct Shared {
    node: PublicKey,
    opts: SecurityLogOptions,
    inner: Mutex<Inner>,
    live: broadcast::Sender<Arc<SecurityRecord>>,
    permits: Arc<tokio::sync::Semaphore>,
    by_kind: Family<Vec<(String, String)>, Counter>,
    aggregated: Family<Vec<(String, String)>, Counter>,
    write_errors: Counter,
}

/// The node's security event log. Cheap to clone; every clone records into
/// the same files, rings and channel.
#[derive(Clone)]
pub struct SecurityLog {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for SecurityLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecurityLog").field("node", &self.shared.node).field("dir", &self.shared.opts.dir).finish()
    }
}

fn label(kind: &str) -> Vec<(String, String)> {
    vec![("kind".to_owned(), kind.to_owned())]
}

fn push_bounded(ring: &mut VecDeque<Arc<SecurityRecord>>, max: usize, rec: Arc<SecurityRecord>) {
    if ring.len() >= max.max(1) {
        ring.pop_front();
    }
    ring.push_back(rec);
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // Every mutation completes before anything that can panic: recover.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Writes the summaries of the interval that ended.
    fn write_summaries(&self, inner: &mut Inner, now: u64) {
        for s in inner.limiter.take_summaries() {
            self.write(inner, s, now);
        }
    }

    /// Records `event` (already admitted): tracing, files, rings, subscribers, counter.
    fn write(&self, inner: &mut Inner, event: SecurityEvent, now: u64) -> Arc<SecurityRecord> {
        let kind = event.kind();
        self.by_kind.get_or_create(&label(kind)).inc();
        let rec = Arc::new(SecurityRecord { seq: inner.next_seq, time_ms: now, node: self.node, event });
        inner.next_seq += 1;
        // Our own types always serialise.
        let line = serde_json::to_string(&*rec).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
        if rec.event.is_alarm() {
            tracing::warn!(target: TARGET, seq = rec.seq, kind, event = %line, "security event");
        } else {
            tracing::info!(target: TARGET, seq = rec.seq, kind, event = %line, "security event");
        }
        let critical = rec.event.class() == Class::Critical;
        let mut failed: Option<(PathBuf, std::io::Error)> = None;
        if let Some(f) = inner.events.as_mut() {
            if let Err(e) = f.write_line(&line) {
                failed = Some((f.dir().join(FILE_NAME), e));
            }
        }
        if critical {
            if let Some(f) = inner.critical.as_mut() {
                // Rare and precious: durable before the caller goes on.
                if let Err(e) = f.write_line(&line).and_then(|()| f.sync()) {
                    failed = Some((f.dir().join(CRITICAL_FILE_NAME), e));
                }
            }
            push_bounded(&mut inner.critical_ring, self.opts.critical_ring, rec.clone());
        }
        if let Some((path, e)) = failed {
            self.write_errors.inc();
            if now.saturating_sub(inner.last_error_log_ms) >= self.opts.flood.interval_ms
                || inner.last_error_log_ms == 0
            {
                inner.last_error_log_ms = now.max(1);
                tracing::error!(target: TARGET, path = %path.display(), error = %e, "cannot write the security event log");
            }
        }
        push_bounded(&mut inner.ring, self.opts.ring, rec.clone());
        // Sent under the lock so subscribers see records in seq order;
        // an Err only means nobody listens.
        let _ = self.live.send(rec.clone());
        rec
    }
}

impl Drop for Shared {
    /// The counts of the unfinished interval are written, not lost.
    fn drop(&mut self) {
        let mut inner = self.lock();
        if inner.limiter.pending() > 0 {
            self.write_summaries(&mut inner, now_ms());
        }
    }
}

/// Writes the summaries of each interval when it ends, also when no
/// further event comes; stops when the log is dropped.
async fn summarise_every_interval(log: Weak<Shared>, interval_ms: u64) {
    let period = std::time::Duration::from_millis(interval_ms.clamp(10, 3_600_000));
    loop {
        tokio::time::sleep(period / 2).await;
        let Some(shared) = log.upgrade() else { return };
        SecurityLog { shared }.summarise_due(now_ms());
    }
}

impl SecurityLog {
    /// Opens the log of node `node`, appending to `opts.dir/events.jsonl` and
    /// `critical.jsonl` (created if missing) and continuing their sequence
    /// numbers. Inside a tokio runtime a task writes each interval's
    /// summaries when it ends.
    pub fn open(node: PublicKey, opts: SecurityLogOptions, metrics: &Metrics) -> Result<SecurityLog, SecurityLogError> {
        let mut next_seq = 1;
        let mut events = None;
        let mut critical = None;
        if let Some(dir) = &opts.dir {
            let io = |p: &Path| {
                let path = p.display().to_string();
                move |source| SecurityLogError::Io { path, source }
            };
            let mut b = std::fs::DirBuilder::new();
            b.recursive(true);
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o750);
            b.create(dir).map_err(io(dir))?;
            // The highest seq is in a current file, else in the newest rotated one.
            let last = last_seq_of(dir, FILE_NAME)
                .map_err(io(&dir.join(FILE_NAME)))?
                .max(last_seq_of(dir, CRITICAL_FILE_NAME).map_err(io(&dir.join(CRITICAL_FILE_NAME)))?);
            next_seq = last + 1;
            events = Some(
                RotatingFile::open(dir, FILE_NAME, opts.max_file_bytes, opts.keep_files)
                    .map_err(io(&dir.join(FILE_NAME)))?,
            );
            critical = Some(
                RotatingFile::open(dir, CRITICAL_FILE_NAME, opts.critical_max_file_bytes, opts.critical_keep_files)
                    .map_err(io(&dir.join(CRITICAL_FILE_NAME)))?,
            );
        }
        let (live, _) = broadcast::channel(opts.channel.max(1));
        let inner = Inner {
            next_seq,
            ring: VecDeque::with_capacity(opts.ring.min(4096)),
            critical_ring: VecDeque::with_capacity(opts.critical_ring.min(1024)),
            events,
            critical,
            limiter: Limiter::new(opts.flood),
            last_error_log_ms: 0,
        };
        let log = SecurityLog {
            shared: Arc::new(Shared {
                node,
                inner: Mutex::new(inner),
                live,
                permits: Arc::new(tokio::sync::Semaphore::new(opts.max_subscribers)),
                by_kind: metrics.security_events.clone(),
                aggregated: metrics.security_events_aggregated.clone(),
                write_errors: metrics.security_log_write_errors.clone(),
                opts,
            }),
        };
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(summarise_every_interval(Arc::downgrade(&log.shared), log.shared.opts.flood.interval_ms));
        }
        Ok(log)
    }

    /// The log of a node home (`HOME/security/`) with the bounds of
    /// `[security]` in its `config.toml`: what `tamgad start` opens.
    pub fn open_configured(
        home: &Home,
        node: PublicKey,
        config: &SecurityConfig,
        metrics: &Metrics,
    ) -> Result<SecurityLog, SecurityLogError> {
        SecurityLog::open(node, config.options(home.security()), metrics)
    }

    /// The log of a node home (`HOME/security/`), with the default bounds:
    /// what a one-shot tool such as `tamgad journal verify` opens to record
    /// a [`SecurityEvent::journal_verification_failed`]. Lines from two
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

    /// A log with no file (tests, tools): rings, channel, tracing and metrics only.
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

    /// Records `event` now: see [`SecurityLog::record_at`].
    pub fn record(&self, event: SecurityEvent) -> Option<Arc<SecurityRecord>> {
        self.record_at(event, now_ms())
    }

    /// Records `event` at `now` (ms since the epoch): tracing, the files,
    /// the rings, the subscribers and the per-kind counter — unless it is of
    /// a per-source kind whose source used up its share of the interval,
    /// in which case it is only counted (`None`) and appears in that
    /// source's `aggregated` summary when the interval ends. Never fails.
    pub fn record_at(&self, event: SecurityEvent, now: u64) -> Option<Arc<SecurityRecord>> {
        let shared = &*self.shared;
        let mut inner = shared.lock();
        if inner.limiter.is_due(now) {
            shared.write_summaries(&mut inner, now);
        }
        if event.class() == Class::PerSource {
            let source = event.source().unwrap_or_else(|| "unknown".to_owned());
            if inner.limiter.admit(event.kind(), source, now) == Verdict::Count {
                shared.aggregated.get_or_create(&label(event.kind())).inc();
                return None;
            }
        }
        Some(shared.write(&mut inner, event, now))
    }

    /// Writes the summaries of an interval that has ended by `now`.
    pub fn summarise_due(&self, now: u64) {
        let mut inner = self.shared.lock();
        if inner.limiter.is_due(now) {
            self.shared.write_summaries(&mut inner, now);
        }
    }

    /// Ends the current interval now and writes its summaries (shutdown, tests).
    pub fn summarise_now(&self) {
        let mut inner = self.shared.lock();
        self.shared.write_summaries(&mut inner, now_ms());
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

    /// Records with `seq > after`, oldest first, at most `limit`; with
    /// `kinds`, only those kinds. They come from the critical ring (the
    /// critical records older than the main ring) and then the main ring.
    pub fn page(&self, after: u64, limit: usize, kinds: Option<&[String]>) -> Vec<Arc<SecurityRecord>> {
        let inner = self.shared.lock();
        let main_oldest = inner.ring.front().map_or(inner.next_seq, |r| r.seq);
        let older_critical = inner.critical_ring.iter().filter(|r| r.seq > after && r.seq < main_oldest);
        let start = inner.ring.partition_point(|r| r.seq <= after);
        older_critical
            .chain(inner.ring.iter().skip(start))
            .filter(|r| kinds.is_none_or(|k| k.iter().any(|k| k == r.event.kind())))
            .take(limit)
            .cloned()
            .collect()
    }

    /// The seqs the rings hold.
    pub fn bounds(&self) -> Bounds {
        let inner = self.shared.lock();
        let complete_from = inner.ring.front().map(|r| r.seq);
        let oldest = match (inner.critical_ring.front().map(|r| r.seq), complete_from) {
            (Some(c), Some(m)) => Some(c.min(m)),
            (c, m) => c.or(m),
        };
        Bounds { oldest, complete_from, last: inner.next_seq - 1 }
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

#[cfg(test)]
mod tests {
    use std::fs;

    use tamga_types::{Block, Receipt, TxOutcome};

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

    fn rotated(dir: &Path, n: u32) -> PathBuf {
        RotatingFile::rotated(dir, FILE_NAME, n)
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
        assert_eq!(log.record(bad_sig(9)).unwrap().seq, 4);
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
        assert_eq!(log.record(bad_sig(0)).unwrap().seq, 21);
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
        assert_eq!(log.bounds(), Bounds { oldest: Some(9), complete_from: Some(9), last: 13 });
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

    /// A forged request signature from `anonymous@ip:port`.
    fn forged_from(ip: &str, port: u64) -> SecurityEvent {
        SecurityEvent::BadSignature {
            origin: Origin::ApiRequest,
            from: Some(format!("anonymous@{ip}:{port}")),
            signer: Some(node()),
            tx_hash: None,
            reason: "signature does not verify".into(),
        }
    }

    fn criticals() -> Vec<SecurityEvent> {
        vec![
            SecurityEvent::config_loaded(Path::new("config.toml"), b"[api]", Hash::ZERO),
            SecurityEvent::ValidatorSetChanged {
                height: 9,
                validators_hash: Hash::ZERO,
                validators: 4,
                total_power: 40,
                added: vec![node()],
                removed: vec![],
            },
            SecurityEvent::ConflictingProposals { proposer: node(), height: 12, round: 0 },
            SecurityEvent::journal_verification_failed("journal", Some(7), "entry 7: hash mismatch"),
            SecurityEvent::SafetyPersistFailed { path: "data/safety.bin".into(), attempts: 3, reason: "EMFILE".into() },
        ]
    }

    fn family_sizes(dir: &Path, name: &str, keep: u32) -> Vec<u64> {
        assert!(!RotatingFile::rotated(dir, name, keep + 1).exists(), "{name}: only {keep} rotated files");
        let mut sizes = vec![fs::metadata(dir.join(name)).map(|m| m.len()).unwrap_or(0)];
        sizes.extend(
            (1..=keep).map(|k| fs::metadata(RotatingFile::rotated(dir, name, k)).map(|m| m.len()).unwrap_or(0)),
        );
        sizes
    }

    /// 100,000 forged request signatures (half from one address, half from
    /// 500 others, every one from a new port) over 200 s, with the critical
    /// events of a run in between: every critical event stays readable in
    /// `critical.jsonl` and from the rings, every file stays within its
    /// bound, and the events recorded one by one plus the summaries' counts
    /// are exactly 100,000.
    #[test]
    fn a_flood_of_forged_signatures_keeps_every_critical_event_and_the_files_bounded() {
        const FLOOD: u64 = 100_000;
        let dir = tempfile::tempdir().unwrap();
        let m = Metrics::new();
        let opts = SecurityLogOptions {
            dir: Some(dir.path().to_owned()),
            max_file_bytes: 64 * 1024,
            keep_files: 2,
            critical_max_file_bytes: 64 * 1024,
            critical_keep_files: 2,
            ring: 256,
            critical_ring: 64,
            flood: FloodLimits { interval_ms: 10_000, per_source: 5, global: 100, max_sources: 64 },
            ..Default::default()
        };
        let log = SecurityLog::open(node(), opts.clone(), &m).unwrap();
        let mut rx = log.subscribe();
        let mut seen: Vec<Arc<SecurityRecord>> = Vec::new();
        let mut drain = |rx: &mut broadcast::Receiver<Arc<SecurityRecord>>| {
            while let Ok(r) = rx.try_recv() {
                seen.push(r);
            }
        };
        let t0 = 1_800_000_000_000;
        let crit = criticals();
        let every = FLOOD / crit.len() as u64;
        for i in 0..FLOOD {
            let now = t0 + i * 2;
            if i % every == 0 {
                assert!(
                    log.record_at(crit[(i / every) as usize].clone(), now).is_some(),
                    "critical events are never limited"
                );
            }
            let ip =
                if i % 2 == 0 { "192.0.2.1".to_owned() } else { format!("10.0.{}.{}", (i / 2) % 2, (i / 4) % 250) };
            log.record_at(forged_from(&ip, 1024 + i % 60_000), now);
            drain(&mut rx);
        }
        log.summarise_now();
        drain(&mut rx);

        // The sum: one by one plus summarised is every event.
        let one_by_one = seen.iter().filter(|r| r.event.kind() == "bad_signature").count() as u64;
        let summarised: u64 = seen
            .iter()
            .filter_map(|r| match &r.event {
                SecurityEvent::Aggregated { of_kind, count, .. } if of_kind == "bad_signature" => Some(*count),
                _ => None,
            })
            .sum();
        assert_eq!(one_by_one + summarised, FLOOD, "{one_by_one} recorded + {summarised} summarised");
        // The flood became a few records: per 10 s at most 100 one by one and 65 summaries.
        let intervals = (FLOOD * 2).div_ceil(10_000) + 1;
        assert!(seen.len() as u64 <= intervals * 165 + 5, "{} records", seen.len());
        assert!(one_by_one <= intervals * 100, "{one_by_one}");
        // Ports do not make new sources: the heavy address is one source.
        let heavy: u64 = seen
            .iter()
            .filter_map(|r| match &r.event {
                SecurityEvent::Aggregated { source, count, .. } if source == "ip:192.0.2.1" => Some(*count),
                _ => None,
            })
            .sum();
        assert!(heavy > FLOOD / 2 - intervals * 5 - 1, "{heavy}");
        let text = m.encode();
        assert!(
            text.contains(&format!("tamga_security_events_aggregated_total{{kind=\"bad_signature\"}} {summarised}")),
            "{text}"
        );
        assert!(
            text.contains(&format!("tamga_security_events_total{{kind=\"bad_signature\"}} {one_by_one}")),
            "{text}"
        );

        // Every file within its bound; the main family lost the oldest lines.
        for size in family_sizes(dir.path(), FILE_NAME, opts.keep_files) {
            assert!(size <= opts.max_file_bytes, "{size}");
        }
        for size in family_sizes(dir.path(), CRITICAL_FILE_NAME, opts.critical_keep_files) {
            assert!(size <= opts.critical_max_file_bytes, "{size}");
        }
        let main: Vec<serde_json::Value> = [rotated(dir.path(), 2), rotated(dir.path(), 1), dir.path().join(FILE_NAME)]
            .iter()
            .flat_map(|p| lines(p))
            .collect();
        assert!(
            main.iter().all(|l| l["kind"] != "config_loaded"),
            "the flood rotated config_loaded out of events.jsonl"
        );
        // … but critical.jsonl holds every critical event, in order.
        let critical = lines(&dir.path().join(CRITICAL_FILE_NAME));
        let kinds: Vec<&str> = critical.iter().map(|l| l["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, crit.iter().map(SecurityEvent::kind).collect::<Vec<_>>());
        assert_eq!(critical[0]["seq"], 1);
        // … and so does the feed, although the main ring holds only the latest 256.
        let b = log.bounds();
        assert_eq!(b.oldest, Some(1));
        assert!(b.complete_from.unwrap() > 1000, "{b:?}");
        let kinds: Vec<String> = SecurityEvent::CRITICAL_KINDS.iter().map(|k| (*k).to_owned()).collect();
        let feed = log.page(0, 1000, Some(&kinds));
        let got: Vec<SecurityEvent> = feed.iter().map(|r| r.event.clone()).collect();
        assert_eq!(got, crit);
        let all = log.page(0, 10, None);
        assert_eq!(all[0].event.kind(), "config_loaded", "the unfiltered page starts with the kept critical records");
        assert!(all.windows(2).all(|w| w[0].seq < w[1].seq));

        // Reopened, the sequence continues after the last record of either file.
        let last = b.last;
        drop(log);
        let log = SecurityLog::open(node(), opts, &m).unwrap();
        assert_eq!(log.record(crit[0].clone()).unwrap().seq, last + 1);
    }

    #[test]
    fn sources_are_addresses_without_ports_and_ipv6_by_64() {
        let src = |from: &str| forged_from_str(from).source().unwrap();
        assert_eq!(src("anonymous@1.2.3.4:5555"), "ip:1.2.3.4");
        assert_eq!(src("anonymous@[2001:db8:1:2:aa::1]:80"), "ip:2001:db8:1:2::/64");
        assert_eq!(src("anonymous@[::ffff:1.2.3.4]:80"), "ip:1.2.3.4");
        assert_eq!(src("anonymous@unknown"), "anonymous:unknown");
        assert_eq!(src("account:abcd"), "account:abcd");
        assert_eq!(src("12D3KooWpeer"), "peer:12D3KooWpeer");
        let refused = |peer: Option<&str>, addr: &str| SecurityEvent::PeerRefused {
            peer: peer.map(str::to_owned),
            addr: addr.into(),
            reason: "x".into(),
        };
        assert_eq!(refused(None, "/ip4/10.0.0.9/tcp/1").source().unwrap(), "ip:10.0.0.9");
        assert_eq!(refused(Some("12D3KooWx"), "/ip4/10.0.0.9/tcp/1").source().unwrap(), "peer:12D3KooWx");
        assert_eq!(criticals()[0].source(), None);
        assert!(criticals().iter().all(|e| e.class() == Class::Critical));
        assert_eq!(forged_from_str(&"x".repeat(1000)).source().unwrap().len(), "peer:".len() + 128, "bounded");
    }

    fn forged_from_str(from: &str) -> SecurityEvent {
        SecurityEvent::BadSignature {
            origin: Origin::ApiRequest,
            from: Some(from.to_owned()),
            signer: None,
            tx_hash: None,
            reason: "x".into(),
        }
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
