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
//!    `events.jsonl.1` … `.{keep}` at [`SecurityLogOptions::max_file_bytes`]
//!    (the rotation policy is `sink.rs`; the writing, the node's line-file
//!    writer [`crate::linefile`], shared with the access journal);
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
pub mod sinks;

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
use sinks::Outbox;

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
    /// The outboxes of the sinks events are pushed to (`sinks`).
    outboxes: Vec<Arc<Outbox>>,
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
        for ob in &inner.outboxes {
            // Durable before the caller goes on: the centre gets it even
            // if the node dies now.
            if let Err(e) = ob.push(rec.seq, &line) {
                failed = Some((sinks::outbox_file(ob), e));
            }
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
        self.report_overflows(inner, now);
        rec
    }

    /// Records a `sink_overflow` event for each outbox that dropped
    /// records and has not reported in the last interval. The event itself
    /// may drop one more: that counts into the next report, so this never
    /// recurses more than once.
    fn report_overflows(&self, inner: &mut Inner, now: u64) {
        if inner.outboxes.is_empty() {
            return;
        }
        for ob in inner.outboxes.clone() {
            if let Some(d) = ob.take_overflow(now, self.opts.flood.interval_ms) {
                self.write(
                    inner,
                    SecurityEvent::SinkOverflow {
                        sink: ob.name().to_owned(),
                        dropped: d.count,
                        first_seq: d.first_seq,
                        last_seq: d.last_seq,
                        max_events: ob.max_events() as u64,
                    },
                    now,
                );
            }
        }
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
            outboxes: Vec::new(),
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

    /// Writes the summaries of an interval that has ended by `now`, and
    /// the sinks' overflow reports held back in it.
    pub fn summarise_due(&self, now: u64) {
        let mut inner = self.shared.lock();
        if inner.limiter.is_due(now) {
            self.shared.write_summaries(&mut inner, now);
        }
        self.shared.report_overflows(&mut inner, now);
    }

    /// From now on every record is also pushed to these sink outboxes
    /// (`sinks::start`); the next seq is numbered above the highest any
    /// of them holds, so a seq the centre has seen is never reused.
    pub fn attach_outboxes(&self, outboxes: Vec<Arc<Outbox>>) {
        let mut inner = self.shared.lock();
        let last = outboxes.iter().map(|o| o.last_seq()).max().unwrap_or(0);
        inner.next_seq = inner.next_seq.max(last + 1);
        inner.outboxes = outboxes;
        let now = now_ms();
        // Drops made at open (a smaller bound than before) are reported now.
        self.shared.report_overflows(&mut inner, now);
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
mod tests;
