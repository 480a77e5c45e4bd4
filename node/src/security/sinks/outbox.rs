//! The durable outbox of one sink: the security records not yet
//! acknowledged by the monitoring centre, in `seq` order, on disk.
//!
//! ```text
//! DIR/outbox.jsonl   the records, one JSON line each (the line of
//!                    events.jsonl), appended and fdatasynced before the
//!                    recording call returns; a record that made the
//!                    outbox overflow is preceded by {"dropped_through":SEQ}
//! DIR/acked          the highest seq the centre acknowledged, decimal,
//!                    replaced atomically (write, fsync, rename, fsync dir)
//! ```
//!
//! A record is pending while its seq is above `acked`. At open the file is
//! read back (lines of at most [`MAX_LINE_BYTES`]; a torn last line is cut
//! off), so a restart, `kill -9` included, loses nothing that was recorded.
//! The file is rewritten with only the pending lines (atomically) once the
//! lines it holds that are acknowledged or dropped outnumber the bound, so
//! it never holds more than about twice `max_events` lines.
//!
//! Bounded: at most `max_events` pending records; a record pushed into a
//! full outbox drops the oldest pending one. The drops are counted
//! (`tamga_security_sink_dropped_total`) and reported by the log as a
//! `sink_overflow` event ([`Outbox::take_overflow`]).

use std::collections::VecDeque;
use std::fs::{self, File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::gauge::Gauge;
use serde::Deserialize;
use tokio::sync::Notify;

use crate::home::write_atomic;

/// The file of pending records.
pub const OUTBOX_FILE: &str = "outbox.jsonl";
/// The file of the acknowledged seq.
pub const ACKED_FILE: &str = "acked";
/// Longest line read back from `outbox.jsonl`; a longer one is skipped.
pub const MAX_LINE_BYTES: usize = 1024 * 1024;
/// Mode of the outbox files (as the security log's).
const FILE_MODE: u32 = 0o640;

/// One pending record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Its seq.
    pub seq: u64,
    /// Its JSON line (no newline).
    pub line: Arc<str>,
}

/// Records dropped by the bound and not yet reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dropped {
    /// How many.
    pub count: u64,
    /// The seq of the first of them.
    pub first_seq: u64,
    /// The seq of the last of them.
    pub last_seq: u64,
}

/// Why an outbox could not be opened or written.
#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    /// A file could not be read or written.
    #[error("security sink outbox {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
    /// `acked` does not hold a decimal seq.
    #[error("security sink outbox {path}: expected a decimal seq, found {got:?}")]
    Acked {
        /// The file.
        path: String,
        /// What it holds (at most 64 bytes of it).
        got: String,
    },
}

/// The metrics of one sink (labelled `sink`).
#[derive(Clone, Debug, Default)]
pub struct OutboxMetrics {
    /// `tamga_security_sink_backlog{sink}`: records waiting.
    pub backlog: Gauge,
    /// `tamga_security_sink_delivered_total{sink}`: records acknowledged.
    pub delivered: Counter,
    /// `tamga_security_sink_failed_attempts_total{sink}`: deliveries that failed.
    pub failed: Counter,
    /// `tamga_security_sink_dropped_total{sink}`: records dropped by the bound.
    pub dropped: Counter,
}

struct State {
    file: File,
    /// Lines in `outbox.jsonl`, pending or not.
    file_lines: usize,
    pending: VecDeque<Entry>,
    acked: u64,
    /// The highest seq ever pushed or read back (0: none).
    last_seq: u64,
    unreported: Option<Dropped>,
    last_report_ms: u64,
}

/// The outbox of one sink. Shared by the log (which pushes) and the
/// sink's delivery task (which peeks and acknowledges).
pub struct Outbox {
    name: String,
    dir: PathBuf,
    max_events: usize,
    state: Mutex<State>,
    notify: Notify,
    metrics: OutboxMetrics,
}

impl std::fmt::Debug for Outbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbox").field("name", &self.name).field("dir", &self.dir).finish()
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> OutboxError + '_ {
    move |source| OutboxError::Io { path: path.display().to_string(), source }
}

fn open_append(path: &Path) -> std::io::Result<File> {
    let mut o = OpenOptions::new();
    o.append(true).create(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, FILE_MODE);
    o.open(path)
}

fn read_acked(path: &Path) -> Result<u64, OutboxError> {
    let mut text = String::new();
    match File::open(path) {
        Ok(f) => {
            f.take(64).read_to_string(&mut text).map_err(io(path))?;
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(io(path)(e)),
    }
    text.trim()
        .parse()
        .map_err(|_| OutboxError::Acked { path: path.display().to_string(), got: text.trim().to_owned() })
}

/// The pending lines of `path` (seq above `acked`, increasing), the number
/// of lines it holds, the highest seq in it, and the length up to its last
/// complete line.
fn read_lines(path: &Path, acked: u64) -> Result<(VecDeque<Entry>, usize, u64, u64), OutboxError> {
    let f = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((VecDeque::new(), 0, 0, 0)),
        Err(e) => return Err(io(path)(e)),
    };
    #[derive(Deserialize)]
    struct Line {
        seq: Option<u64>,
        dropped_through: Option<u64>,
    }
    let mut r = BufReader::new(f);
    let mut pending = VecDeque::new();
    let (mut lines, mut last, mut whole) = (0usize, 0u64, 0u64);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let n = (&mut r).take(MAX_LINE_BYTES as u64 + 1).read_until(b'\n', &mut buf).map_err(io(path))?;
        if n == 0 {
            break;
        }
        if buf.last() != Some(&b'\n') {
            if n > MAX_LINE_BYTES {
                // Too long: skip to the end of this line.
                let mut rest = Vec::new();
                let m = r.read_until(b'\n', &mut rest).map_err(io(path))?;
                if rest.last() == Some(&b'\n') {
                    whole += (n + m) as u64;
                    lines += 1;
                    tracing::warn!(target: super::super::TARGET, path = %path.display(), "outbox line over {MAX_LINE_BYTES} bytes skipped");
                    continue;
                }
            }
            // A torn last line (a crash mid-write): cut off.
            break;
        }
        whole += n as u64;
        lines += 1;
        let line = &buf[..buf.len() - 1];
        let parsed = serde_json::from_slice::<Line>(line);
        let seq = match parsed {
            Ok(Line { seq: Some(seq), .. }) => seq,
            Ok(Line { seq: None, dropped_through: Some(through) }) => {
                // A drop by the bound ([`Outbox::push`]): those records stay dropped.
                last = last.max(through);
                while pending.front().is_some_and(|e: &Entry| e.seq <= through) {
                    pending.pop_front();
                }
                continue;
            }
            _ => {
                tracing::warn!(target: super::super::TARGET, path = %path.display(), line = lines, "unreadable outbox line skipped");
                continue;
            }
        };
        last = last.max(seq);
        if seq <= acked || pending.back().is_some_and(|e: &Entry| e.seq >= seq) {
            continue;
        }
        let Ok(text) = std::str::from_utf8(line) else { continue };
        pending.push_back(Entry { seq, line: Arc::from(text) });
    }
    Ok((pending, lines, last, whole))
}

impl Outbox {
    /// Opens (creates) the outbox of sink `name` in `dir`, reading back
    /// what is pending. With more than `max_events` pending (a smaller
    /// bound than before), the oldest are dropped and reported.
    pub fn open(name: &str, dir: &Path, max_events: usize, metrics: OutboxMetrics) -> Result<Outbox, OutboxError> {
        let mut b = fs::DirBuilder::new();
        b.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o750);
        b.create(dir).map_err(io(dir))?;
        let acked_path = dir.join(ACKED_FILE);
        let path = dir.join(OUTBOX_FILE);
        let acked = read_acked(&acked_path)?;
        let (mut pending, lines, last, whole) = read_lines(&path, acked)?;
        let max_events = max_events.max(1);
        let mut unreported = None;
        while pending.len() > max_events {
            if let Some(e) = pending.pop_front() {
                metrics.dropped.inc();
                unreported = Some(add_drop(unreported, e.seq));
            }
        }
        let len = fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        let ob_state = |file, file_lines, pending: VecDeque<Entry>| State {
            file,
            file_lines,
            pending,
            acked,
            last_seq: last.max(acked),
            unreported,
            last_report_ms: 0,
        };
        let state = if lines != pending.len() || len != whole {
            // Acknowledged, dropped or torn lines: keep only the pending ones.
            let file = rewrite(&path, &pending)?;
            let n = pending.len();
            ob_state(file, n, pending)
        } else {
            ob_state(open_append(&path).map_err(io(&path))?, lines, pending)
        };
        metrics.backlog.set(state.pending.len() as i64);
        Ok(Outbox {
            name: name.to_owned(),
            dir: dir.to_owned(),
            max_events,
            state: Mutex::new(state),
            notify: Notify::new(),
            metrics,
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // Each mutation completes before anything that can panic: recover.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The sink's name (`webhook`, `syslog`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The highest seq pushed or read back, or acknowledged (0: none): the
    /// log numbers its next record above it.
    pub fn last_seq(&self) -> u64 {
        self.lock().last_seq
    }

    /// The acknowledged seq.
    pub fn acked(&self) -> u64 {
        self.lock().acked
    }

    /// Records waiting.
    pub fn backlog(&self) -> usize {
        self.lock().pending.len()
    }

    /// Appends a record, durable (fdatasync) before it returns; in a full
    /// outbox the oldest pending record is dropped first. A record at or
    /// below the last seq is ignored (the order is the log's).
    pub fn push(&self, seq: u64, line: &str) -> std::io::Result<()> {
        let mut st = self.lock();
        if seq <= st.last_seq {
            return Ok(());
        }
        let mut buf = Vec::with_capacity(line.len() + 32);
        if st.pending.len() >= self.max_events {
            if let Some(e) = st.pending.pop_front() {
                self.metrics.dropped.inc();
                st.unreported = Some(add_drop(st.unreported, e.seq));
                // The drop is durable with the record that caused it (one
                // write): a restart does not bring the dropped record back.
                buf.extend_from_slice(format!("{{\"dropped_through\":{}}}\n", e.seq).as_bytes());
                st.file_lines += 1;
            }
        }
        buf.extend_from_slice(line.as_bytes());
        buf.push(b'\n');
        let path = self.dir.join(OUTBOX_FILE);
        // Kept in memory even when the write fails: delivered while the
        // process lives; the error is the caller's to report.
        st.pending.push_back(Entry { seq, line: Arc::from(line) });
        st.last_seq = seq;
        self.metrics.backlog.set(st.pending.len() as i64);
        self.notify.notify_one();
        st.file.write_all(&buf)?;
        st.file.sync_data()?;
        st.file_lines += 1;
        if st.file_lines > 2 * self.max_events.max(512) {
            st.file = rewrite_io(&path, &st.pending)?;
            st.file_lines = st.pending.len();
        }
        Ok(())
    }

    /// The first `max` pending records (fewer when fewer wait).
    pub fn peek(&self, max: usize) -> Vec<Entry> {
        self.lock().pending.iter().take(max).cloned().collect()
    }

    /// Waits until a record is pushed (returns at once if one was pushed
    /// since the last wait).
    pub async fn wait(&self) {
        self.notify.notified().await
    }

    /// Acknowledges every record up to `seq`: they leave the outbox, and
    /// `acked` is replaced durably.
    pub fn ack(&self, seq: u64) -> Result<(), OutboxError> {
        let mut st = self.lock();
        if seq <= st.acked {
            return Ok(());
        }
        let mut delivered = 0;
        while st.pending.front().is_some_and(|e| e.seq <= seq) {
            st.pending.pop_front();
            delivered += 1;
        }
        self.metrics.delivered.inc_by(delivered);
        self.metrics.backlog.set(st.pending.len() as i64);
        let acked_path = self.dir.join(ACKED_FILE);
        write_atomic(&acked_path, format!("{seq}\n").as_bytes(), FILE_MODE).map_err(io(&acked_path))?;
        st.acked = seq;
        // The file holds acknowledged lines beyond the pending ones: rewrite
        // it once they outnumber the bound (amortised: one rewrite per
        // `max_events` acknowledgements at most).
        if st.file_lines - st.pending.len().min(st.file_lines) >= self.max_events.max(512) {
            let path = self.dir.join(OUTBOX_FILE);
            st.file = rewrite(&path, &st.pending)?;
            st.file_lines = st.pending.len();
        }
        Ok(())
    }

    /// The drops not yet reported, if the last report is at least
    /// `interval_ms` old (`now` in ms): the log records them as one
    /// `sink_overflow` event, so a full outbox yields one event per
    /// interval, not one per record.
    pub fn take_overflow(&self, now: u64, interval_ms: u64) -> Option<Dropped> {
        let mut st = self.lock();
        st.unreported?;
        if st.last_report_ms != 0 && now.saturating_sub(st.last_report_ms) < interval_ms {
            return None;
        }
        st.last_report_ms = now.max(1);
        st.unreported.take()
    }

    /// The bound.
    pub fn max_events(&self) -> usize {
        self.max_events
    }

    /// `outbox.jsonl`.
    pub fn file(&self) -> PathBuf {
        self.dir.join(OUTBOX_FILE)
    }

    /// The metrics of this sink.
    pub fn metrics(&self) -> &OutboxMetrics {
        &self.metrics
    }
}

fn add_drop(d: Option<Dropped>, seq: u64) -> Dropped {
    match d {
        None => Dropped { count: 1, first_seq: seq, last_seq: seq },
        Some(d) => Dropped { count: d.count + 1, first_seq: d.first_seq.min(seq), last_seq: d.last_seq.max(seq) },
    }
}

/// Replaces `path` with the lines of `pending` (atomically, durable) and
/// opens it for appending.
fn rewrite(path: &Path, pending: &VecDeque<Entry>) -> Result<File, OutboxError> {
    rewrite_io(path, pending).map_err(io(path))
}

fn rewrite_io(path: &Path, pending: &VecDeque<Entry>) -> std::io::Result<File> {
    let mut bytes = Vec::with_capacity(pending.iter().map(|e| e.line.len() + 1).sum());
    for e in pending {
        bytes.extend_from_slice(e.line.as_bytes());
        bytes.push(b'\n');
    }
    write_atomic(path, &bytes, FILE_MODE)?;
    open_append(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(seq: u64) -> String {
        format!(r#"{{"seq":{seq},"time_ms":1,"kind":"peer_refused","addr":"a{seq}"}}"#)
    }

    fn seqs(o: &Outbox) -> Vec<u64> {
        o.peek(usize::MAX).iter().map(|e| e.seq).collect()
    }

    #[test]
    fn keeps_seq_order_and_acknowledges_a_prefix() {
        let dir = tempfile::tempdir().unwrap();
        let o = Outbox::open("webhook", dir.path(), 100, OutboxMetrics::default()).unwrap();
        for s in 1..=5 {
            o.push(s, &line(s)).unwrap();
        }
        o.push(3, &line(3)).unwrap(); // not after the last: ignored
        assert_eq!(seqs(&o), vec![1, 2, 3, 4, 5]);
        assert_eq!(o.peek(2).iter().map(|e| e.seq).collect::<Vec<_>>(), vec![1, 2]);
        o.ack(3).unwrap();
        assert_eq!(seqs(&o), vec![4, 5]);
        assert_eq!(o.metrics().delivered.get(), 3);
        assert_eq!(o.metrics().backlog.get(), 2);
        assert_eq!(&*o.peek(1)[0].line, line(4).as_str());
    }

    #[test]
    fn pending_records_survive_reopening_and_acknowledged_ones_do_not_return() {
        let dir = tempfile::tempdir().unwrap();
        {
            let o = Outbox::open("syslog", dir.path(), 100, OutboxMetrics::default()).unwrap();
            for s in 1..=6 {
                o.push(s, &line(s)).unwrap();
            }
            o.ack(2).unwrap();
        }
        let o = Outbox::open("syslog", dir.path(), 100, OutboxMetrics::default()).unwrap();
        assert_eq!(seqs(&o), vec![3, 4, 5, 6]);
        assert_eq!(o.acked(), 2);
        assert_eq!(o.last_seq(), 6);
        assert_eq!(o.metrics().backlog.get(), 4);
        // Reopening rewrote the file with the pending lines only.
        let text = fs::read_to_string(dir.path().join(OUTBOX_FILE)).unwrap();
        assert_eq!(text.lines().count(), 4);
        o.push(7, &line(7)).unwrap();
        drop(o);
        let o = Outbox::open("syslog", dir.path(), 100, OutboxMetrics::default()).unwrap();
        assert_eq!(seqs(&o), vec![3, 4, 5, 6, 7]);
    }

    #[test]
    fn a_torn_last_line_is_cut_off_and_the_next_record_follows_the_last_whole_one() {
        let dir = tempfile::tempdir().unwrap();
        {
            let o = Outbox::open("webhook", dir.path(), 100, OutboxMetrics::default()).unwrap();
            o.push(1, &line(1)).unwrap();
            o.push(2, &line(2)).unwrap();
        }
        let path = dir.path().join(OUTBOX_FILE);
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(br#"{"seq":3,"time_"#).unwrap();
        drop(f);
        let o = Outbox::open("webhook", dir.path(), 100, OutboxMetrics::default()).unwrap();
        assert_eq!(seqs(&o), vec![1, 2]);
        o.push(3, &line(3)).unwrap();
        drop(o);
        let o = Outbox::open("webhook", dir.path(), 100, OutboxMetrics::default()).unwrap();
        assert_eq!(seqs(&o), vec![1, 2, 3]);
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.lines().all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok()), "{text}");
    }

    #[test]
    fn a_bad_acked_file_is_refused_naming_it_and_its_content() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(ACKED_FILE), "twelve\n").unwrap();
        let err = Outbox::open("webhook", dir.path(), 100, OutboxMetrics::default()).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("acked") && msg.contains("\"twelve\"") && msg.contains("decimal seq"), "{msg}");
    }

    #[test]
    fn overflow_drops_the_oldest_pending_and_reports_once_per_interval() {
        let dir = tempfile::tempdir().unwrap();
        let o = Outbox::open("webhook", dir.path(), 3, OutboxMetrics::default()).unwrap();
        assert_eq!(o.take_overflow(1_000, 10_000), None);
        for s in 1..=5 {
            o.push(s, &line(s)).unwrap();
        }
        assert_eq!(seqs(&o), vec![3, 4, 5]);
        assert_eq!(o.metrics().dropped.get(), 2);
        assert_eq!(o.take_overflow(1_000, 10_000), Some(Dropped { count: 2, first_seq: 1, last_seq: 2 }));
        o.push(6, &line(6)).unwrap();
        // Within the interval: held back, then reported with the count so far.
        assert_eq!(o.take_overflow(5_000, 10_000), None);
        o.push(7, &line(7)).unwrap();
        assert_eq!(o.take_overflow(11_000, 10_000), Some(Dropped { count: 2, first_seq: 3, last_seq: 4 }));
        assert_eq!(o.take_overflow(30_000, 10_000), None);
        // Dropped records stay dropped across a reopen (even with a larger
        // bound), and a smaller bound drops more.
        drop(o);
        let o = Outbox::open("webhook", dir.path(), 100, OutboxMetrics::default()).unwrap();
        assert_eq!(seqs(&o), vec![5, 6, 7]);
        assert_eq!(o.take_overflow(1, 10_000), None);
        drop(o);
        let o = Outbox::open("webhook", dir.path(), 2, OutboxMetrics::default()).unwrap();
        assert_eq!(seqs(&o), vec![6, 7]);
        assert_eq!(o.take_overflow(1, 10_000), Some(Dropped { count: 1, first_seq: 5, last_seq: 5 }));
    }

    #[test]
    fn the_file_stays_bounded_while_the_centre_is_down() {
        let dir = tempfile::tempdir().unwrap();
        let o = Outbox::open("webhook", dir.path(), 10, OutboxMetrics::default()).unwrap();
        for s in 1..=5_000 {
            o.push(s, &line(s)).unwrap();
        }
        let lines = fs::read_to_string(dir.path().join(OUTBOX_FILE)).unwrap().lines().count();
        assert!(lines <= 2 * 512 + 1, "{lines} lines");
        assert_eq!(seqs(&o), (4_991..=5_000).collect::<Vec<_>>());
        drop(o);
        let o = Outbox::open("webhook", dir.path(), 10, OutboxMetrics::default()).unwrap();
        assert_eq!(seqs(&o), (4_991..=5_000).collect::<Vec<_>>());
    }
}
