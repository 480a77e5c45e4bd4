//! Hostile traffic and process probes for the hostile-load scenario.
//!
//! What an anonymous client or peer can do to a validator that faces the
//! internet (SPEC §12 access; the operations guide's connection limits):
//! hold many connections open without a word, start a handshake and stall,
//! send a request head a line at a time ("slowloris"), send most of a large
//! body and stall, subscribe to the event stream and never read, and flood
//! a route with forged signed requests.
//!
//! Every attack here is **bounded and stops by itself**: a fixed number of
//! sockets or requests, a deadline, and a concurrency cap; dropping its
//! handle closes every socket. Every attack refuses a target that is not a
//! loopback address ([`AttackError::NotLoopback`]), and it connects *from*
//! loopback addresses of its own ([`Sources`], `127.66.x.y`): the node then
//! tells the attacker's connections from the harness's (`127.0.0.1`), as it
//! would tell a botnet from its honest clients, and per-address limits meet
//! an attacker of many addresses. Linux routes all of `127.0.0.0/8` to the
//! loopback interface, so these addresses need no set-up.
//!
//! The probes read a node process's resident memory, its open-file limits
//! (`/proc/PID/status`, `/proc/PID/limits`) and file sizes, and raise this
//! process's own open-file limit (thousands of attack sockets).

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::stream::{self, StreamExt};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpSocket, TcpStream};
use tokio::task::JoinHandle;

/// Why an attack or a probe could not run.
#[derive(Debug, thiserror::Error)]
pub enum AttackError {
    /// The target is not a loopback address: these tools attack test nets only.
    #[error("refusing to attack {addr}: only loopback targets (127.0.0.0/8, ::1) are allowed")]
    NotLoopback {
        /// The refused target.
        addr: SocketAddr,
    },
    /// A file of `/proc` or of a node's home could not be read or parsed.
    #[error("cannot read {path}: {why}")]
    Probe {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        why: String,
    },
    /// This process cannot hold the sockets an attack needs.
    #[error(
        "this test process may open {have} files (soft limit; hard limit {hard}) but needs {need}: \
         raise the hard limit (`ulimit -Hn {need}`) before running the scenario"
    )]
    OpenFiles {
        /// Soft limit after trying to raise it.
        have: u64,
        /// Hard limit.
        hard: u64,
        /// What the scenario needs.
        need: u64,
    },
}

/// Checks that `addr` is a loopback address.
pub fn loopback(addr: SocketAddr) -> Result<SocketAddr, AttackError> {
    if addr.ip().is_loopback() {
        Ok(addr)
    } else {
        Err(AttackError::NotLoopback { addr })
    }
}

/// The loopback addresses an attack connects from: `127.66.<block>.1` …
/// `127.66.<block>.<count>` (at most 250 per block), round robin.
#[derive(Clone, Copy, Debug)]
pub struct Sources {
    block: u8,
    count: u8,
}

impl Sources {
    /// `count` (1…250) addresses in block `block`; give each attack its own
    /// block so per-address counts of the node do not mix attacks.
    pub fn new(block: u8, count: u8) -> Sources {
        Sources { block, count: count.clamp(1, 250) }
    }

    /// The `k`-th connection's source address.
    pub fn get(&self, k: usize) -> Ipv4Addr {
        Ipv4Addr::new(127, 66, self.block, (k % usize::from(self.count)) as u8 + 1)
    }
}

/// How one connection attempt ended.
enum Connect {
    Up(TcpStream),
    Refused,
    TimedOut,
}

/// Connects to `target` from `src`, giving up after `timeout`. A small
/// receive buffer (`recv_buffer`) makes a non-reading client's data pile up
/// on the server's side, as a slow reader's would.
async fn connect_from(src: Ipv4Addr, target: SocketAddr, timeout: Duration, recv_buffer: Option<u32>) -> Connect {
    let sock = match TcpSocket::new_v4() {
        Ok(s) => s,
        Err(_) => return Connect::Refused,
    };
    if let Some(n) = recv_buffer {
        let _ = sock.set_recv_buffer_size(n);
    }
    if sock.bind(SocketAddr::new(IpAddr::V4(src), 0)).is_err() {
        return Connect::Refused;
    }
    match tokio::time::timeout(timeout, sock.connect(target)).await {
        Ok(Ok(s)) => Connect::Up(s),
        Ok(Err(_)) => Connect::Refused,
        Err(_) => Connect::TimedOut,
    }
}

/// How [`open`] opens its connections and what each sends.
#[derive(Clone, Debug)]
pub struct Opening {
    /// Connections to open.
    pub count: usize,
    /// Bytes each sends once connected (empty: nothing).
    pub first_bytes: Vec<u8>,
    /// Then this many bytes of body filler (`0`), in 64 KiB writes; the
    /// write gives up (the connection is counted as refused) after
    /// `write_timeout` of back-pressure.
    pub filler: usize,
    /// Watch each connection for the node closing it (the connection is
    /// read, data discarded). Off: the connection is never read.
    pub watch: bool,
    /// Receive buffer of each socket, bytes (`None`: the system default).
    pub recv_buffer: Option<u32>,
    /// Connections being set up at once.
    pub parallel: usize,
    /// Give up a connect after this long (a full accept queue drops SYNs).
    pub connect_timeout: Duration,
    /// Give up a write after this long.
    pub write_timeout: Duration,
}

impl Opening {
    /// `count` connections that send `first_bytes`, watched for closing.
    pub fn new(count: usize, first_bytes: &[u8]) -> Opening {
        Opening {
            count,
            first_bytes: first_bytes.to_vec(),
            filler: 0,
            watch: true,
            recv_buffer: None,
            parallel: 256,
            connect_timeout: Duration::from_secs(3),
            write_timeout: Duration::from_secs(20),
        }
    }
}

/// Connections held open by [`open`]; dropping it (or [`Held::close`])
/// closes every one.
pub struct Held {
    /// Connections that were established and sent what they had to send.
    pub connected: usize,
    /// Connections refused at connect, or reset or stalled while sending.
    pub refused: usize,
    /// Connects that timed out (the node's accept queue was full).
    pub timed_out: usize,
    /// How long opening took.
    pub setup: Duration,
    /// For each watched connection the node closed: the time from the end of
    /// its sending to the close.
    closed: Arc<Mutex<Vec<Duration>>>,
    watchers: Vec<JoinHandle<()>>,
    quiet: Vec<TcpStream>,
}

impl Held {
    /// Connections the node has closed so far, each with the time from the
    /// end of its sending to the close.
    pub fn closed(&self) -> Vec<Duration> {
        self.closed.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Established connections the node has not closed (unwatched ones are
    /// counted as open).
    pub fn still_open(&self) -> usize {
        self.connected.saturating_sub(self.closed().len())
    }

    /// One line for the scenario log.
    pub fn summary(&self) -> String {
        format!(
            "{} connected, {} refused, {} connect timeouts, {} closed by the node so far ({:.1?} to open)",
            self.connected,
            self.refused,
            self.timed_out,
            self.closed().len(),
            self.setup
        )
    }

    /// Closes every connection.
    pub fn close(self) {
        drop(self);
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        for w in &self.watchers {
            w.abort();
        }
        self.quiet.clear();
    }
}

/// Opens `how.count` connections to `target` from `from`, each sending
/// `how.first_bytes` and `how.filler` bytes, then holding still.
pub async fn open(target: SocketAddr, from: Sources, how: Opening) -> Result<Held, AttackError> {
    let target = loopback(target)?;
    let started = Instant::now();
    let closed = Arc::new(Mutex::new(Vec::new()));
    let first: &[u8] = &how.first_bytes;
    let attempts = stream::iter(0..how.count)
        .map(|k| {
            let src = from.get(k);
            let how = &how;
            async move {
                let mut s = match connect_from(src, target, how.connect_timeout, how.recv_buffer).await {
                    Connect::Up(s) => s,
                    other => return other,
                };
                if send(&mut s, first, how.filler, how.write_timeout).await.is_err() {
                    return Connect::Refused;
                }
                Connect::Up(s)
            }
        })
        .buffer_unordered(how.parallel.max(1))
        .collect::<Vec<_>>()
        .await;
    let mut held = Held {
        connected: 0,
        refused: 0,
        timed_out: 0,
        setup: started.elapsed(),
        closed: closed.clone(),
        watchers: Vec::new(),
        quiet: Vec::new(),
    };
    for a in attempts {
        match a {
            Connect::Up(s) => {
                held.connected += 1;
                if how.watch {
                    held.watchers.push(tokio::spawn(watch_close(s, closed.clone())));
                } else {
                    held.quiet.push(s);
                }
            }
            Connect::Refused => held.refused += 1,
            Connect::TimedOut => held.timed_out += 1,
        }
    }
    Ok(held)
}

/// Writes `first`, then `filler` zero bytes in 64 KiB pieces, each write
/// within `timeout`.
async fn send(s: &mut TcpStream, first: &[u8], filler: usize, timeout: Duration) -> std::io::Result<()> {
    let timed_out = || std::io::Error::new(std::io::ErrorKind::TimedOut, "write stalled");
    if !first.is_empty() {
        tokio::time::timeout(timeout, s.write_all(first)).await.map_err(|_| timed_out())??;
    }
    let chunk = vec![b'0'; 64 * 1024];
    let mut left = filler;
    while left > 0 {
        let n = left.min(chunk.len());
        tokio::time::timeout(timeout, s.write_all(&chunk[..n])).await.map_err(|_| timed_out())??;
        left -= n;
    }
    Ok(())
}

/// Reads (and discards) until the node closes the connection; records when.
async fn watch_close(mut s: TcpStream, closed: Arc<Mutex<Vec<Duration>>>) {
    let t0 = Instant::now();
    let mut buf = vec![0u8; 4096];
    loop {
        match s.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(_) => continue,
        }
    }
    closed.lock().unwrap_or_else(|p| p.into_inner()).push(t0.elapsed());
}

/// A flood of requests over a few keep-alive connections ([`flood`]).
#[derive(Clone, Debug)]
pub struct Flood {
    /// Requests to send in all.
    pub total: u64,
    /// Connections, each from its own source address.
    pub connections: usize,
    /// Requests written back to back before their answers are read.
    pub window: usize,
    /// Most requests per second, all connections together.
    pub max_rate: u64,
    /// Stop sending at this time after the start, whatever is left.
    pub deadline: Duration,
    /// Give up waiting for an answer after this long (then reconnect).
    pub answer_timeout: Duration,
}

/// What a [`flood`] did.
#[derive(Clone, Debug, Default)]
pub struct FloodReport {
    /// Requests written.
    pub sent: u64,
    /// Answers read, by HTTP status.
    pub statuses: BTreeMap<u16, u64>,
    /// Connections opened (the first of each and every reconnect).
    pub connects: u64,
    /// Connects refused or timed out, and connections that broke mid-window.
    pub failures: u64,
    /// Time from the first connect to the end.
    pub elapsed: Duration,
}

impl FloodReport {
    /// Answers read, all statuses together.
    pub fn answered(&self) -> u64 {
        self.statuses.values().sum()
    }

    /// One line for the scenario log.
    pub fn summary(&self) -> String {
        format!(
            "{} requests sent, {} answered {:?}, {} connects, {} failures, in {:.1?} ({:.0}/s)",
            self.sent,
            self.answered(),
            self.statuses,
            self.connects,
            self.failures,
            self.elapsed,
            self.sent as f64 / self.elapsed.as_secs_f64().max(0.001)
        )
    }
}

/// Sends `how.total` requests (request `n` is `make(n)`, a complete
/// HTTP/1.1 request) to `target` over `how.connections` keep-alive
/// connections, `how.window` at a time per connection, at most
/// `how.max_rate` per second, until all are sent or `how.deadline` passes.
pub async fn flood<F>(target: SocketAddr, from: Sources, how: &Flood, make: F) -> Result<FloodReport, AttackError>
where
    F: Fn(u64) -> Vec<u8> + Send + Sync + 'static,
{
    let target = loopback(target)?;
    let started = Instant::now();
    let next = Arc::new(AtomicU64::new(0));
    let report = Arc::new(Mutex::new(FloodReport::default()));
    let make = Arc::new(make);
    let per_conn_rate = (how.max_rate as f64 / how.connections.max(1) as f64).max(1.0);
    let mut tasks = Vec::new();
    for c in 0..how.connections.max(1) {
        let src = from.get(c);
        let (next, report, make, how) = (next.clone(), report.clone(), make.clone(), how.clone());
        tasks.push(tokio::spawn(async move {
            let end = started + how.deadline;
            let mut conn: Option<BufReader<TcpStream>> = None;
            let mut sent_here: u64 = 0;
            let conn_start = Instant::now();
            while Instant::now() < end && next.load(Ordering::Relaxed) < how.total {
                // Rate bound: this connection's share of `max_rate`.
                let due = conn_start + Duration::from_secs_f64(sent_here as f64 / per_conn_rate);
                if let Some(wait) = due.checked_duration_since(Instant::now()) {
                    tokio::time::sleep(wait).await;
                }
                if conn.is_none() {
                    lock(&report).connects += 1;
                    match connect_from(src, target, Duration::from_secs(3), None).await {
                        Connect::Up(s) => conn = Some(BufReader::new(s)),
                        _ => {
                            lock(&report).failures += 1;
                            tokio::time::sleep(Duration::from_millis(100)).await;
                            continue;
                        }
                    }
                }
                let Some(r) = conn.as_mut() else { continue };
                let first = next.fetch_add(how.window as u64, Ordering::Relaxed);
                if first >= how.total {
                    break;
                }
                let last = (first + how.window as u64).min(how.total);
                let mut batch = Vec::new();
                for n in first..last {
                    batch.extend_from_slice(&make(n));
                }
                let count = last - first;
                let written = tokio::time::timeout(how.answer_timeout, r.get_mut().write_all(&batch)).await;
                if !matches!(written, Ok(Ok(()))) {
                    lock(&report).failures += 1;
                    conn = None;
                    continue;
                }
                sent_here += count;
                lock(&report).sent += count;
                for _ in 0..count {
                    match tokio::time::timeout(how.answer_timeout, read_response(r)).await {
                        Ok(Ok(Some((status, close)))) => {
                            *lock(&report).statuses.entry(status).or_default() += 1;
                            if close {
                                conn = None;
                                break;
                            }
                        }
                        _ => {
                            lock(&report).failures += 1;
                            conn = None;
                            break;
                        }
                    }
                }
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let mut r = lock(&report).clone();
    r.elapsed = started.elapsed();
    Ok(r)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Longest status or header line accepted from the node, bytes.
const MAX_LINE: u64 = 16 * 1024;
/// Largest answer body accepted from the node, bytes.
const MAX_BODY: u64 = 16 * 1024 * 1024;

/// Reads one HTTP/1.1 response: `(status, connection closes after it)`;
/// `None` at a clean end of the connection. The body (by `content-length`
/// or chunked) is read and discarded, every part bounded.
async fn read_response(r: &mut BufReader<TcpStream>) -> std::io::Result<Option<(u16, bool)>> {
    let bad = |why: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, why.to_owned());
    let mut line = String::new();
    if (&mut *r).take(MAX_LINE).read_line(&mut line).await? == 0 {
        return Ok(None);
    }
    let status: u16 = line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).ok_or_else(|| bad("status line"))?;
    let (mut length, mut chunked, mut close) = (0u64, false, false);
    loop {
        line.clear();
        if (&mut *r).take(MAX_LINE).read_line(&mut line).await? == 0 {
            return Err(bad("end of stream in the headers"));
        }
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        let Some((name, value)) = l.split_once(':') else { return Err(bad("header line")) };
        let (name, value) = (name.trim().to_ascii_lowercase(), value.trim().to_ascii_lowercase());
        match name.as_str() {
            "content-length" => length = value.parse().map_err(|_| bad("content-length"))?,
            "transfer-encoding" => chunked = value.contains("chunked"),
            "connection" => close = value.contains("close"),
            _ => {}
        }
    }
    if chunked {
        loop {
            line.clear();
            (&mut *r).take(MAX_LINE).read_line(&mut line).await?;
            let size =
                u64::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16).map_err(|_| bad("chunk size"))?;
            if size > MAX_BODY {
                return Err(bad("chunk too large"));
            }
            skip(r, size + 2).await?;
            if size == 0 {
                return Ok(Some((status, close)));
            }
        }
    }
    if length > MAX_BODY {
        return Err(bad("body too large"));
    }
    skip(r, length).await?;
    Ok(Some((status, close)))
}

async fn skip(r: &mut BufReader<TcpStream>, n: u64) -> std::io::Result<()> {
    let copied = tokio::io::copy(&mut (&mut *r).take(n), &mut tokio::io::sink()).await?;
    if copied < n {
        return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "body cut short"));
    }
    Ok(())
}

// ---- process probes ----

fn probe_err(path: &Path, why: impl std::fmt::Display) -> AttackError {
    AttackError::Probe { path: path.to_owned(), why: why.to_string() }
}

/// The pid of the `tamgad` process started on `home` (`tamgad… start --home
/// HOME`, found in `/proc/*/cmdline`), if one runs.
pub fn node_pid(home: &Path) -> Option<u32> {
    use std::os::unix::ffi::OsStrExt;
    let home = home.as_os_str().as_bytes();
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else { continue };
        let Ok(cmd) = std::fs::read(entry.path().join("cmdline")) else { continue };
        let args: Vec<&[u8]> = cmd.split(|b| *b == 0).collect();
        let exe = args.first().map(|a| a.rsplit(|b| *b == b'/').next().unwrap_or(a)).unwrap_or_default();
        if exe.starts_with(b"tamgad") && args.contains(&&b"start"[..]) && args.contains(&home) {
            return Some(pid);
        }
    }
    None
}

/// Resident memory of process `pid`, bytes (`VmRSS` of `/proc/PID/status`).
pub fn rss_bytes(pid: u32) -> Result<u64, AttackError> {
    let path = PathBuf::from(format!("/proc/{pid}/status"));
    let text = std::fs::read_to_string(&path).map_err(|e| probe_err(&path, e))?;
    let kb = text
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse::<u64>().ok())
        .ok_or_else(|| probe_err(&path, "no VmRSS line"))?;
    Ok(kb * 1024)
}

/// `(soft, hard)` open-file limit (`RLIMIT_NOFILE`) of process `pid`
/// ("Max open files" of `/proc/PID/limits`; `unlimited` is `u64::MAX`).
pub fn open_file_limits(pid: u32) -> Result<(u64, u64), AttackError> {
    limits_of(&PathBuf::from(format!("/proc/{pid}/limits")))
}

fn limits_of(path: &Path) -> Result<(u64, u64), AttackError> {
    let text = std::fs::read_to_string(path).map_err(|e| probe_err(path, e))?;
    let line = text.lines().find_map(|l| l.strip_prefix("Max open files")).ok_or_else(|| probe_err(path, "no line"))?;
    let num = |s: Option<&str>| match s {
        Some("unlimited") => Some(u64::MAX),
        Some(v) => v.parse().ok(),
        None => None,
    };
    let mut parts = line.split_whitespace();
    match (num(parts.next()), num(parts.next())) {
        (Some(soft), Some(hard)) => Ok((soft, hard)),
        _ => Err(probe_err(path, format!("cannot parse {line:?}"))),
    }
}

/// Makes sure this process may open `need` files: raises its soft limit to
/// its hard limit with `prlimit(1)` (the workspace forbids `unsafe`, hence
/// no `setrlimit` call here) and fails if that is still short.
pub fn raise_own_open_files(need: u64) -> Result<u64, AttackError> {
    let path = PathBuf::from("/proc/self/limits");
    let (soft, hard) = limits_of(&path)?;
    if soft >= need {
        return Ok(soft);
    }
    let _ = std::process::Command::new("prlimit")
        .arg("--pid")
        .arg(std::process::id().to_string())
        .arg(format!("--nofile={hard}:{hard}"))
        .status();
    let (soft, hard) = limits_of(&path)?;
    if soft < need {
        return Err(AttackError::OpenFiles { have: soft, hard, need });
    }
    Ok(soft)
}

/// Total size of the files under `path` (recursively), bytes; 0 if absent.
pub fn dir_size(path: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(path) else {
        return std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    };
    entries
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => dir_size(&e.path()),
            _ => e.metadata().map(|m| m.len()).unwrap_or(0),
        })
        .sum()
}

/// Samples the resident memory of some processes every 200 ms and keeps
/// each one's peak, until [`RssSampler::stop`].
pub struct RssSampler {
    peaks: Arc<Mutex<Vec<u64>>>,
    task: JoinHandle<()>,
}

impl RssSampler {
    /// Starts sampling `pids` (a pid that cannot be read counts 0).
    pub fn start(pids: Vec<u32>) -> RssSampler {
        let peaks = Arc::new(Mutex::new(vec![0u64; pids.len()]));
        let p = peaks.clone();
        let task = tokio::spawn(async move {
            loop {
                for (k, pid) in pids.iter().enumerate() {
                    let rss = rss_bytes(*pid).unwrap_or(0);
                    let mut peaks = lock(&p);
                    peaks[k] = peaks[k].max(rss);
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        });
        RssSampler { peaks, task }
    }

    /// The peaks so far, in the order of the pids.
    pub fn peaks(&self) -> Vec<u64> {
        lock(&self.peaks).clone()
    }

    /// Stops sampling; returns the peaks.
    pub fn stop(self) -> Vec<u64> {
        self.task.abort();
        self.peaks()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_targets() {
        assert!(loopback("127.0.0.1:80".parse().unwrap()).is_ok());
        assert!(loopback("[::1]:80".parse().unwrap()).is_ok());
        let e = loopback("10.0.0.1:80".parse().unwrap()).unwrap_err();
        assert!(e.to_string().contains("only loopback"), "{e}");
        let s = Sources::new(3, 2);
        assert_eq!(
            (s.get(0), s.get(1), s.get(2)),
            ("127.66.3.1".parse().unwrap(), "127.66.3.2".parse().unwrap(), "127.66.3.1".parse().unwrap())
        );
    }

    #[test]
    fn reads_own_process_probes() {
        let pid = std::process::id();
        assert!(rss_bytes(pid).unwrap() > 0);
        let (soft, hard) = open_file_limits(pid).unwrap();
        assert!(soft <= hard);
        assert_eq!(node_pid(Path::new("/no/such/home")), None);
    }

    #[tokio::test]
    async fn flood_reads_pipelined_answers_and_open_sees_closes() {
        // A tiny server on loopback: answers every request line-pair with a
        // 401 (keep-alive), and closes connections that send `CLOSE`.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            loop {
                let (s, _) = listener.accept().await.unwrap();
                tokio::spawn(async move {
                    let mut r = BufReader::new(s);
                    let mut line = String::new();
                    loop {
                        line.clear();
                        if r.read_line(&mut line).await.unwrap_or(0) == 0 {
                            return;
                        }
                        if line.starts_with("CLOSE") {
                            return;
                        }
                        if line == "\r\n" {
                            let body = "{\"code\":\"BAD_REQUEST_SIGNATURE\"}";
                            let resp =
                                format!("HTTP/1.1 401 Unauthorized\r\ncontent-length: {}\r\n\r\n{body}", body.len());
                            r.get_mut().write_all(resp.as_bytes()).await.unwrap();
                        }
                    }
                });
            }
        });
        let how = Flood {
            total: 500,
            connections: 3,
            window: 16,
            max_rate: 100_000,
            deadline: Duration::from_secs(20),
            answer_timeout: Duration::from_secs(5),
        };
        let r =
            flood(addr, Sources::new(250, 3), &how, |n| format!("GET /x?{n} HTTP/1.1\r\nhost: a\r\n\r\n").into_bytes())
                .await
                .unwrap();
        assert_eq!(r.sent, 500, "{}", r.summary());
        assert_eq!(r.statuses.get(&401), Some(&500), "{}", r.summary());

        let held = open(addr, Sources::new(251, 2), Opening::new(10, b"CLOSE\n")).await.unwrap();
        let quiet = open(addr, Sources::new(252, 2), Opening::new(10, b"GET / HTTP/1.1\r\n")).await.unwrap();
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!((held.connected, held.closed().len()), (10, 10), "{}", held.summary());
        assert_eq!((quiet.connected, quiet.still_open()), (10, 10), "{}", quiet.summary());
    }
}
