//! The access journal (SPEC §12; Law art. 55 p.3(2); order No. 129 p.16(4)):
//! every API request, reads included and regulators' queries above all, is
//! appended to a per-node, append-only, hash-chained journal saying who
//! (account or anonymous with the client address), what (method and route),
//! which object (path and query), when, and with which result (status).
//!
//! `docs/journal.md` is the reference for the on-disk format; a third party
//! can check a journal from that document alone.
//!
//! # Data flow
//!
//! ```text
//!   request ─► journal layer (api) ─ reserve a queue slot ─► handler ─► response
//!                                        │ entry (Access)
//!                                        ▼
//!   bounded queue ─► writer thread: seq + prev hash + hash, one write per
//!                    batch, fsync + head.json every sync interval,
//!                    rotation by size or UTC day
//! ```
//!
//! # Invariants
//!
//! * Entry `n` carries `seq = n` and `prev` = the hash of entry `n - 1`
//!   ([`Hash::ZERO`] for entry 0), across segment files: removing, reordering
//!   or altering an entry, or a whole segment, breaks the chain ([`verify()`]).
//! * A request is served only once its entry has a place in the queue: the
//!   layer reserves the slot *before* the handler runs, so a stalled or
//!   failed journal refuses requests (503 `JOURNAL_UNAVAILABLE`, counted in
//!   `tamga_journal_refused_total`) instead of serving them unrecorded. No
//!   entry is ever dropped silently.
//! * `head.json` is replaced atomically after each fsync of the segment: the
//!   entries up to its `seq` are durable, so a journal whose last entries were
//!   cut off is told from one that was simply not written yet.
//! * A crash can leave the last line of `current.jsonl` incomplete. The next
//!   start moves those bytes to `torn-<ms>.partial` (kept as evidence),
//!   truncates the segment to its last complete line, logs a warning and
//!   continues the chain from the last complete entry. Such an entry was
//!   never fsynced, so `head.json` never names it.

#[cfg(test)]
mod tests;
mod verify;

use std::fs::{self, File};
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tamga_types::Hash;
use tokio::sync::{mpsc, oneshot};
use tracing::{error, info, warn};

use crate::linefile::LineFile;
use crate::metrics::Metrics;

pub use verify::{verify, VerifyError, VerifyReport, Violation, ViolationKind};

/// Domain tag of an entry hash: `SHA-256("TAMGA/JOURNAL/v1" ‖ 0x00 ‖ body)`.
pub const DOMAIN: &[u8] = b"TAMGA/JOURNAL/v1";
/// The segment being written.
pub const CURRENT: &str = "current.jsonl";
/// The last durable entry, replaced atomically after every fsync.
pub const HEAD: &str = "head.json";
/// Longest line accepted when reading a journal (an entry's fields are
/// bounded when it is sealed, so a real line is far shorter).
pub const MAX_LINE: usize = 64 * 1024;
/// Longest `object` (path and query) kept, bytes; longer ones are cut.
pub const MAX_OBJECT: usize = 4096;
/// Longest `who`, `route` or `claimed_key`, bytes.
pub const MAX_FIELD: usize = 256;
/// Longest `method`, bytes.
pub const MAX_METHOD: usize = 32;
/// Most entries the writer takes from the queue at once (one `write` call).
pub const BATCH: usize = 1024;
const DAY_MS: u64 = 86_400_000;

pub use crate::now_ms;

/// What the API knows about one request once it is answered: an entry
/// before the writer gives it its place in the chain.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Access {
    /// When the request arrived, ms since the epoch.
    pub time_ms: u64,
    /// `account:<hex>` for a signed request, else `anonymous@<ip:port>`;
    /// with a TLS client certificate `account:<hex> cert:<subject>` or
    /// `cert:<subject>@<ip:port>` (`api::auth::Caller::who`).
    pub who: String,
    /// The signer's party, for a signed request.
    pub party: Option<u64>,
    /// Whether the signer holds any regulator scope.
    pub regulator: bool,
    /// The `x-tamga-key` a request claimed without being authenticated
    /// (refused signature): 64 hex characters, or `malformed`.
    pub claimed_key: Option<String>,
    /// HTTP method.
    pub method: String,
    /// The matched route template (`/v1/parties/{id}`); `None` when no route matched.
    pub route: Option<String>,
    /// The concrete path and query.
    pub object: String,
    /// Response status; 499 when the client went away before the answer.
    pub status: u16,
    /// Time to the response head, µs.
    pub duration_us: u64,
}

/// One journal line: an [`Access`] with its place in the chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Position in the chain, from 0, without gaps.
    pub seq: u64,
    /// See [`Access::time_ms`].
    pub time_ms: u64,
    /// See [`Access::who`].
    pub who: String,
    /// See [`Access::party`].
    pub party: Option<u64>,
    /// See [`Access::regulator`].
    pub regulator: bool,
    /// See [`Access::claimed_key`].
    pub claimed_key: Option<String>,
    /// See [`Access::method`].
    pub method: String,
    /// See [`Access::route`].
    pub route: Option<String>,
    /// See [`Access::object`].
    pub object: String,
    /// See [`Access::status`].
    pub status: u16,
    /// See [`Access::duration_us`].
    pub duration_us: u64,
    /// Hash of entry `seq - 1` ([`Hash::ZERO`] for entry 0).
    pub prev: Hash,
    /// [`Entry::compute_hash`].
    pub hash: Hash,
}

/// Cuts `s` to at most `max` bytes at a character boundary; a cut value ends with `…`.
fn bounded(mut s: String, max: usize) -> String {
    if s.len() <= max {
        return s;
    }
    let mut end = max.saturating_sub('…'.len_utf8());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.truncate(end);
    s.push('…');
    s
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u32).to_be_bytes());
    out.extend_from_slice(s.as_bytes());
}

fn put_opt_str(out: &mut Vec<u8>, s: &Option<String>) {
    match s {
        None => out.push(0),
        Some(s) => {
            out.push(1);
            put_str(out, s);
        }
    }
}

impl Entry {
    /// Gives `access` its place: sequence number `seq` after the entry whose hash is `prev`.
    /// Over-long fields are cut (see the `MAX_*` constants).
    pub fn seal(access: Access, seq: u64, prev: Hash) -> Entry {
        let mut e = Entry {
            seq,
            time_ms: access.time_ms,
            who: bounded(access.who, MAX_FIELD),
            party: access.party,
            regulator: access.regulator,
            claimed_key: access.claimed_key.map(|k| bounded(k, MAX_FIELD)),
            method: bounded(access.method, MAX_METHOD),
            route: access.route.map(|r| bounded(r, MAX_FIELD)),
            object: bounded(access.object, MAX_OBJECT),
            status: access.status,
            duration_us: access.duration_us,
            prev,
            hash: Hash::ZERO,
        };
        e.hash = e.compute_hash();
        e
    }

    /// The hashed bytes (`docs/journal.md`): big-endian integers, strings as
    /// `u32` length ‖ UTF-8, options as `0x00` or `0x01` ‖ value, in field order,
    /// `prev` last.
    pub fn body(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(128 + self.object.len());
        b.extend_from_slice(&self.seq.to_be_bytes());
        b.extend_from_slice(&self.time_ms.to_be_bytes());
        put_str(&mut b, &self.who);
        match self.party {
            None => b.push(0),
            Some(p) => {
                b.push(1);
                b.extend_from_slice(&p.to_be_bytes());
            }
        }
        b.push(u8::from(self.regulator));
        put_opt_str(&mut b, &self.claimed_key);
        put_str(&mut b, &self.method);
        put_opt_str(&mut b, &self.route);
        put_str(&mut b, &self.object);
        b.extend_from_slice(&self.status.to_be_bytes());
        b.extend_from_slice(&self.duration_us.to_be_bytes());
        b.extend_from_slice(self.prev.as_bytes());
        b
    }

    /// `SHA-256("TAMGA/JOURNAL/v1" ‖ 0x00 ‖ body)`.
    pub fn compute_hash(&self) -> Hash {
        Hash::digest(DOMAIN, &self.body())
    }

    /// The canonical line: compact JSON in field order, then `\n`.
    pub fn to_line(&self) -> Vec<u8> {
        // Serialising a struct of strings, integers and hashes cannot fail.
        let mut line = serde_json::to_vec(self).unwrap_or_default();
        line.push(b'\n');
        line
    }

    /// Parses one line (without its `\n`) and checks it: the hash matches the
    /// content and the line is the canonical encoding of the entry (so no
    /// byte of it can change unnoticed). The error says what is wrong.
    pub fn decode(line: &[u8]) -> Result<Entry, String> {
        let e: Entry = serde_json::from_slice(line).map_err(|err| format!("not a journal entry: {err}"))?;
        let computed = e.compute_hash();
        if computed != e.hash {
            return Err(format!("content does not match its hash (stored {}, computed {computed})", e.hash));
        }
        let canonical = e.to_line();
        if canonical[..canonical.len() - 1] != *line {
            return Err("not the canonical encoding of its content (re-encoded bytes differ)".into());
        }
        Ok(e)
    }
}

/// `head.json`: the last entry made durable.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Head {
    /// Its sequence number.
    pub seq: u64,
    /// Its hash.
    pub hash: Hash,
    /// Its time, ms.
    pub time_ms: u64,
}

/// Why the journal cannot be opened or written.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// A file operation failed.
    #[error("journal file {path}: {source}")]
    Io {
        /// The file or directory.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
    /// The files on disk are not a journal this node can continue.
    #[error("journal {path} cannot be continued: {problem}; run `tamgad journal verify` and, to start a new chain, move the journal directory aside (keep it: it is the legal record)")]
    Corrupt {
        /// The file.
        path: String,
        /// What is wrong.
        problem: String,
    },
    /// The writer thread could not be started or has stopped.
    #[error("journal writer: {0}")]
    Writer(String),
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> JournalError + '_ {
    move |source| JournalError::Io { path: path.display().to_string(), source }
}

/// Why a request cannot be journaled (the API answers 503 `JOURNAL_UNAVAILABLE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Unavailable {
    /// The queue stayed full for the whole enqueue timeout (the writer cannot keep up or cannot write).
    #[error("the access journal queue stayed full for {0:?}")]
    Full(Duration),
    /// The writer thread has stopped.
    #[error("the access journal writer has stopped")]
    Stopped,
}

/// Journal settings (from `[journal]` of `config.toml`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// Directory of the segments.
    pub dir: PathBuf,
    /// A segment is archived before it would grow past this size, bytes.
    pub max_segment_bytes: u64,
    /// Also archive the segment when the UTC day changes.
    pub rotate_daily: bool,
    /// Longest time an entry stays written but not fsynced.
    pub sync_interval: Duration,
    /// Queue capacity, entries.
    pub queue: usize,
    /// Longest wait for a queue slot before a request is refused.
    pub enqueue_timeout: Duration,
}

impl Settings {
    /// Defaults (as in `config.rs`) for a journal in `dir`.
    pub fn in_dir(dir: impl Into<PathBuf>) -> Settings {
        Settings {
            dir: dir.into(),
            max_segment_bytes: 64 * 1024 * 1024,
            rotate_daily: true,
            sync_interval: Duration::from_millis(200),
            queue: 65_536,
            enqueue_timeout: Duration::from_secs(2),
        }
    }
}

/// The name of an archived segment whose first entry is `first_seq`.
pub fn segment_name(first_seq: u64) -> String {
    format!("segment-{first_seq:020}.jsonl")
}

/// The first sequence number named by an archived segment's file name.
pub fn parse_segment_name(name: &str) -> Option<u64> {
    let digits = name.strip_prefix("segment-")?.strip_suffix(".jsonl")?;
    if digits.len() != 20 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Archived segments of `dir`, ordered by first sequence number.
pub fn archived_segments(dir: &Path) -> Result<Vec<(u64, PathBuf)>, std::io::Error> {
    let mut out = Vec::new();
    for item in fs::read_dir(dir)? {
        let item = item?;
        if let Some(first) = item.file_name().to_str().and_then(parse_segment_name) {
            out.push((first, item.path()));
        }
    }
    out.sort();
    Ok(out)
}

/// Sets `tamga_journal_archive_bytes` and `_segments` from the archived
/// segments of `dir`. The node never deletes them (they are the legal
/// record): the operator moves them to archive storage, alerted by these
/// gauges (docs/operations.md, "Security record").
fn report_archive(dir: &Path, metrics: &Metrics) {
    let Ok(segments) = archived_segments(dir) else { return };
    let bytes: u64 = segments.iter().filter_map(|(_, p)| fs::metadata(p).ok()).map(|m| m.len()).sum();
    metrics.journal_archive_segments.set(segments.len() as i64);
    metrics.journal_archive_bytes.set(i64::try_from(bytes).unwrap_or(i64::MAX));
}

/// Reads `head.json` of `dir`, if there is one.
pub fn read_head(dir: &Path) -> Result<Option<Head>, JournalError> {
    let path = dir.join(HEAD);
    let bytes = match fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_err(&path)(e)),
    };
    serde_json::from_slice(&bytes).map(Some).map_err(|e| JournalError::Corrupt {
        path: path.display().to_string(),
        problem: format!("not a head record: {e}"),
    })
}

/// The last complete line of `file` (`len` bytes, ending in `\n`), decoded.
fn last_entry(path: &Path, file: &mut File, len: u64) -> Result<Option<Entry>, JournalError> {
    if len == 0 {
        return Ok(None);
    }
    let take = len.min(MAX_LINE as u64 + 1);
    file.seek(SeekFrom::Start(len - take)).map_err(io_err(path))?;
    let mut tail = vec![0u8; take as usize];
    file.read_exact(&mut tail).map_err(io_err(path))?;
    let body = &tail[..tail.len() - 1];
    let start = match body.iter().rposition(|&b| b == b'\n') {
        Some(p) => p + 1,
        None if take == len => 0,
        None => {
            return Err(JournalError::Corrupt {
                path: path.display().to_string(),
                problem: format!("last line longer than {MAX_LINE} bytes"),
            })
        }
    };
    Entry::decode(&body[start..]).map(Some).map_err(|problem| JournalError::Corrupt {
        path: path.display().to_string(),
        problem: format!("last entry: {problem}"),
    })
}

/// The first line of `file`, decoded.
fn first_entry(path: &Path) -> Result<Option<Entry>, JournalError> {
    let file = File::open(path).map_err(io_err(path))?;
    let mut line = Vec::new();
    std::io::BufRead::read_until(&mut std::io::BufReader::new(file).take(MAX_LINE as u64 + 1), b'\n', &mut line)
        .map_err(io_err(path))?;
    if line.last() != Some(&b'\n') {
        return Ok(None);
    }
    Entry::decode(&line[..line.len() - 1]).map(Some).map_err(|problem| JournalError::Corrupt {
        path: path.display().to_string(),
        problem: format!("first entry: {problem}"),
    })
}

fn sync_dir(dir: &Path) -> Result<(), JournalError> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(io_err(dir))
}

/// The segment being written.
#[derive(Clone, Copy, Debug, Default)]
struct Segment {
    /// Bytes of complete lines in `current.jsonl`.
    bytes: u64,
    /// Sequence number of its first entry (`None` while empty).
    first_seq: Option<u64>,
    /// UTC day (`time_ms / 86_400_000`) of its first entry.
    day: Option<u64>,
}

/// The single writer of a journal directory: owns `current.jsonl` (through
/// the node's line-file writer, [`LineFile`], shared with the security log)
/// and the chain head.
struct Writer {
    settings: Settings,
    current: PathBuf,
    file: LineFile,
    seg: Segment,
    next_seq: u64,
    prev: Hash,
    last_time_ms: u64,
    dirty: bool,
    last_sync: Instant,
    metrics: Arc<Metrics>,
}

impl Writer {
    /// Opens `settings.dir`, setting a torn last line aside, and continues the chain
    /// from the last complete entry (checked against `head.json`).
    fn recover(settings: Settings, metrics: Arc<Metrics>) -> Result<Writer, JournalError> {
        let dir = settings.dir.clone();
        fs::create_dir_all(&dir).map_err(io_err(&dir))?;
        let current = dir.join(CURRENT);
        let mut file = LineFile::open(&current, None).map_err(io_err(&current))?;
        let len = set_torn_tail_aside(&dir, &mut file)?;
        let mut last = last_entry(&current, file.file_mut(), len)?;
        let mut seg = Segment { bytes: len, ..Segment::default() };
        if let Some(first) = first_entry(&current)? {
            seg.first_seq = Some(first.seq);
            seg.day = Some(first.time_ms / DAY_MS);
        }
        if last.is_none() {
            let archived = archived_segments(&dir).map_err(io_err(&dir))?;
            if let Some((_, path)) = archived.last() {
                let mut f = File::open(path).map_err(io_err(path))?;
                let l = f.metadata().map_err(io_err(path))?.len();
                last = last_entry(path, &mut f, l)?;
            }
        }
        let (next_seq, prev, last_time_ms) = match &last {
            Some(e) => (e.seq + 1, e.hash, e.time_ms),
            None => (0, Hash::ZERO, 0),
        };
        if let Some(head) = read_head(&dir)? {
            let lost = head.seq >= next_seq;
            if lost || (head.seq + 1 == next_seq && head.hash != prev) {
                return Err(JournalError::Corrupt {
                    path: dir.join(HEAD).display().to_string(),
                    problem: if lost {
                        format!("durable entry {} is missing: the journal ends before it (entries removed)", head.seq)
                    } else {
                        format!("durable entry {} has hash {prev}, head.json says {}", head.seq, head.hash)
                    },
                });
            }
        }
        info!(target: "tamga::journal", dir = %dir.display(), next_seq, head = %prev, "access journal opened");
        report_archive(&dir, &metrics);
        Ok(Writer {
            settings,
            current,
            file,
            seg,
            next_seq,
            prev,
            last_time_ms,
            dirty: false,
            last_sync: Instant::now(),
            metrics,
        })
    }

    fn head(&self) -> Option<Head> {
        self.next_seq.checked_sub(1).map(|seq| Head { seq, hash: self.prev, time_ms: self.last_time_ms })
    }

    /// Whether an entry of `len` bytes at `time_ms` goes into a new segment
    /// that holds `bytes` and started on UTC day `day`.
    fn must_rotate(&self, bytes: u64, day: Option<u64>, len: usize, time_ms: u64) -> bool {
        if bytes == 0 {
            return false;
        }
        let too_big = bytes + len as u64 > self.settings.max_segment_bytes;
        let new_day = self.settings.rotate_daily && day.is_some_and(|d| time_ms / DAY_MS > d);
        too_big || new_day
    }

    /// Seals and appends `accesses[*done..]`, advancing `done` past what is
    /// written: one `write` per segment touched. On an error nothing of the
    /// failed write stays in the file and `done` tells where to resume.
    fn append(&mut self, accesses: &[Access], done: &mut usize) -> Result<(), JournalError> {
        while *done < accesses.len() {
            let started = Instant::now();
            let mut buf = Vec::with_capacity(256 * (accesses.len() - *done).min(BATCH));
            let (mut seq, mut prev, mut bytes, mut time) =
                (self.next_seq, self.prev, self.seg.bytes, self.last_time_ms);
            let mut end = *done;
            let mut first = None;
            while end < accesses.len() {
                let a = &accesses[end];
                let entry = Entry::seal(a.clone(), seq, prev);
                let line = entry.to_line();
                let day = first.map(|(_, d)| d).or(self.seg.day);
                if self.must_rotate(bytes, day, line.len(), a.time_ms) {
                    break;
                }
                if bytes == 0 {
                    first = Some((entry.seq, entry.time_ms / DAY_MS));
                }
                bytes += line.len() as u64;
                buf.extend_from_slice(&line);
                (seq, prev, time) = (seq + 1, entry.hash, entry.time_ms);
                end += 1;
            }
            if !buf.is_empty() {
                // A failed write leaves nothing of the batch in the file, so the next try starts clean.
                self.file.append(&buf).map_err(io_err(&self.current))?;
                self.metrics.journal_write_seconds.observe(started.elapsed().as_secs_f64());
                self.metrics.journal_entries.inc_by((end - *done) as u64);
                (self.next_seq, self.prev, self.seg.bytes, self.last_time_ms) = (seq, prev, bytes, time);
                if let Some((s, d)) = first {
                    self.seg.first_seq = Some(s);
                    self.seg.day = Some(d);
                }
                self.dirty = true;
                *done = end;
            }
            if *done < accesses.len() {
                self.rotate()?;
            }
        }
        Ok(())
    }

    /// fsyncs the segment and replaces `head.json`; the durable head after it.
    fn sync(&mut self) -> Result<Option<Head>, JournalError> {
        if self.dirty {
            let started = Instant::now();
            self.file.sync().map_err(io_err(&self.current))?;
            if let Some(head) = self.head() {
                let path = self.settings.dir.join(HEAD);
                let json = serde_json::to_vec(&head).unwrap_or_default();
                crate::home::write_atomic(&path, &json, 0o644).map_err(io_err(&path))?;
            }
            self.metrics.journal_sync_seconds.observe(started.elapsed().as_secs_f64());
            self.dirty = false;
        }
        self.last_sync = Instant::now();
        Ok(self.head())
    }

    /// Archives `current.jsonl` as `segment-<first seq>.jsonl` (read-only) and starts a new one.
    fn rotate(&mut self) -> Result<(), JournalError> {
        let Some(first) = self.seg.first_seq else { return Ok(()) };
        self.sync()?;
        let dir = self.settings.dir.clone();
        let target = dir.join(segment_name(first));
        if target.exists() {
            return Err(JournalError::Corrupt {
                path: target.display().to_string(),
                problem: "an archived segment with this first entry already exists".into(),
            });
        }
        self.file.rotate_to(&target).map_err(io_err(&target))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = fs::set_permissions(&target, fs::Permissions::from_mode(0o444));
        }
        sync_dir(&dir)?;
        self.seg = Segment::default();
        // The archived segment's last hash, in the log: an anchor outside the journal directory.
        info!(
            target: "tamga::journal",
            segment = %target.display(),
            first_seq = first,
            last_seq = self.next_seq.saturating_sub(1),
            last_hash = %self.prev,
            "journal segment archived"
        );
        report_archive(&dir, &self.metrics);
        Ok(())
    }

    /// Appends `accesses`, retrying on write errors (logged and counted) until
    /// they are written: meanwhile the queue fills and the API refuses new
    /// requests, so nothing is served unrecorded.
    async fn append_retrying(&mut self, accesses: &mut Vec<Access>) {
        let mut done = 0;
        let mut backoff = Duration::from_millis(100);
        while let Err(e) = self.append(accesses, &mut done) {
            self.metrics.journal_write_errors.inc();
            error!(target: "tamga::journal", error = %e, pending = accesses.len() - done, retry_in = ?backoff, "cannot write the access journal");
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(5));
        }
        accesses.clear();
    }

    fn sync_logged(&mut self) {
        if let Err(e) = self.sync() {
            self.metrics.journal_write_errors.inc();
            error!(target: "tamga::journal", error = %e, "cannot fsync the access journal");
        }
    }

    /// The writer loop: batches from the queue, fsync every sync interval,
    /// until every handle is gone (then a last fsync).
    async fn run(mut self, mut rx: mpsc::Receiver<Msg>) {
        let mut msgs = Vec::with_capacity(BATCH);
        let mut accesses = Vec::with_capacity(BATCH);
        loop {
            let wait = if self.dirty {
                self.settings.sync_interval.saturating_sub(self.last_sync.elapsed())
            } else {
                Duration::from_secs(3600)
            };
            let n = match tokio::time::timeout(wait, rx.recv_many(&mut msgs, BATCH)).await {
                Err(_) => {
                    self.sync_logged();
                    continue;
                }
                Ok(n) => n,
            };
            if n == 0 {
                self.sync_logged();
                info!(target: "tamga::journal", next_seq = self.next_seq, "access journal closed");
                return;
            }
            self.metrics.journal_queue_depth.set(rx.len() as i64);
            for msg in msgs.drain(..) {
                match msg {
                    Msg::Access(a) => accesses.push(a),
                    Msg::Flush(reply) => {
                        self.append_retrying(&mut accesses).await;
                        let head = self.sync().map_err(|e| e.to_string());
                        let _ = reply.send(head);
                    }
                }
            }
            self.append_retrying(&mut accesses).await;
            if self.dirty && self.last_sync.elapsed() >= self.settings.sync_interval {
                self.sync_logged();
            }
        }
    }
}

/// Moves an incomplete last line (a crash during a write) of `current` to
/// `torn-<ms>.partial` and truncates `current` to its last complete line;
/// returns the new length.
fn set_torn_tail_aside(dir: &Path, current: &mut LineFile) -> Result<u64, JournalError> {
    let len = current.len();
    let path = current.path().to_owned();
    let (current, file) = (path.as_path(), current);
    if len == 0 {
        return Ok(0);
    }
    let take = len.min(MAX_LINE as u64 + 1);
    file.file_mut().seek(SeekFrom::Start(len - take)).map_err(io_err(current))?;
    let mut tail = vec![0u8; take as usize];
    file.file_mut().read_exact(&mut tail).map_err(io_err(current))?;
    if tail.last() == Some(&b'\n') {
        return Ok(len);
    }
    let keep = match tail.iter().rposition(|&b| b == b'\n') {
        Some(p) => len - take + p as u64 + 1,
        None if take == len => 0,
        None => {
            return Err(JournalError::Corrupt {
                path: current.display().to_string(),
                problem: format!("last line longer than {MAX_LINE} bytes"),
            })
        }
    };
    let torn = &tail[(keep - (len - take)) as usize..];
    let aside = dir.join(format!("torn-{}.partial", now_ms()));
    crate::home::write_atomic(&aside, torn, 0o444).map_err(io_err(&aside))?;
    file.truncate_to(keep).map_err(io_err(current))?;
    warn!(
        target: "tamga::journal",
        bytes = torn.len(),
        kept = %aside.display(),
        "the access journal ended in an incomplete line (crash during a write); set aside, chain continues from the last complete entry"
    );
    Ok(keep)
}

enum Msg {
    Access(Access),
    Flush(oneshot::Sender<Result<Option<Head>, String>>),
}

/// A place in the journal queue, reserved before a request is served.
pub struct Slot(mpsc::OwnedPermit<Msg>);

impl Slot {
    /// Queues the entry (never blocks: the place is already reserved).
    pub fn record(self, access: Access) {
        self.0.send(Msg::Access(access));
    }
}

/// A cheap, cloneable handle to the journal writer (what the API layer holds).
#[derive(Clone)]
pub struct JournalHandle {
    tx: mpsc::Sender<Msg>,
    enqueue_timeout: Duration,
    metrics: Arc<Metrics>,
}

impl JournalHandle {
    /// Reserves a queue place, waiting up to the enqueue timeout while the
    /// queue is full (backpressure). A refusal is counted and logged: it is a
    /// request the node will not serve because it could not record it.
    pub async fn reserve(&self) -> Result<Slot, Unavailable> {
        let refused = |why: Unavailable| {
            self.metrics.journal_refused.inc();
            error!(target: "tamga::journal", reason = %why, "request refused: the access journal cannot take it");
            why
        };
        match self.tx.clone().try_reserve_owned() {
            Ok(p) => return Ok(Slot(p)),
            Err(mpsc::error::TrySendError::Closed(_)) => return Err(refused(Unavailable::Stopped)),
            Err(mpsc::error::TrySendError::Full(_)) => {}
        }
        match tokio::time::timeout(self.enqueue_timeout, self.tx.clone().reserve_owned()).await {
            Ok(Ok(p)) => Ok(Slot(p)),
            Ok(Err(_)) => Err(refused(Unavailable::Stopped)),
            Err(_) => Err(refused(Unavailable::Full(self.enqueue_timeout))),
        }
    }

    /// Writes and fsyncs everything queued before this call; the durable head
    /// (`None` while the journal is empty).
    pub async fn flush(&self) -> Result<Option<Head>, JournalError> {
        let (tx, rx) = oneshot::channel();
        self.tx.send(Msg::Flush(tx)).await.map_err(|_| JournalError::Writer("stopped".into()))?;
        rx.await.map_err(|_| JournalError::Writer("stopped".into()))?.map_err(JournalError::Writer)
    }
}

/// An open journal: its writer thread and a handle to it.
pub struct Journal {
    handle: JournalHandle,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Journal {
    /// Opens (or creates) the journal in `settings.dir`, recovering from a
    /// crash as the module doc says, and starts its writer thread.
    pub fn open(settings: Settings, metrics: Arc<Metrics>) -> Result<Journal, JournalError> {
        let (tx, rx) = mpsc::channel(settings.queue.max(1));
        let enqueue_timeout = settings.enqueue_timeout;
        let writer = Writer::recover(settings, metrics.clone())?;
        // The writer owns a small runtime of its own: its file I/O blocks, and
        // it must never compete with the API's workers.
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .map_err(|e| JournalError::Writer(format!("cannot build its runtime: {e}")))?;
        let thread = std::thread::Builder::new()
            .name("tamga-journal".into())
            .spawn(move || rt.block_on(writer.run(rx)))
            .map_err(|e| JournalError::Writer(format!("cannot start its thread: {e}")))?;
        Ok(Journal { handle: JournalHandle { tx, enqueue_timeout, metrics }, thread: Some(thread) })
    }

    /// A handle for the API layer.
    pub fn handle(&self) -> JournalHandle {
        self.handle.clone()
    }

    /// Flushes and fsyncs everything queued so far (see [`JournalHandle::flush`]).
    pub async fn flush(&self) -> Result<Option<Head>, JournalError> {
        self.handle.flush().await
    }

    /// Flushes, then waits for the writer thread to end once every other handle is dropped.
    pub async fn close(mut self) -> Result<Option<Head>, JournalError> {
        let head = self.handle.flush().await?;
        let thread = self.thread.take();
        drop(self);
        if let Some(t) = thread {
            tokio::task::spawn_blocking(move || t.join())
                .await
                .map_err(|e| JournalError::Writer(e.to_string()))?
                .map_err(|_| JournalError::Writer("the writer thread panicked".into()))?;
        }
        Ok(head)
    }
}
