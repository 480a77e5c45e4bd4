//! `tamga bench`: end-to-end throughput, finality latency and resource use
//! of a running devnet, the load generator's own CPU included
//! (docs/performance.md, "End-to-end benchmark").
//!
//! Data flow:
//!
//! 1. [`devnet`] reads `DIR/devnet.json` and the funded user keys;
//! 2. the nodes' `/health` is checked and every signer's next nonce fetched;
//! 3. for a mix with record transfers, records are issued to the users and
//!    committed first (setup, not measured);
//! 4. [`workload`] plans the transactions ([`mix`] decides the kinds) and
//!    signs and encodes them all on every core **before the clock starts**,
//!    keeping only their bytes and ids;
//! 5. the clock starts: [`submit`] tasks, one per connection, spread across
//!    all reachable nodes, send batches (`POST /v1/txs`, the API's batch
//!    route: up to 1,000 per request) at the target rate ([`pace`]) or as
//!    fast as accepted, writing each body straight from the encoded bytes;
//!    each sender's transactions travel over one connection, in nonce order;
//! 6. meanwhile [`track`] follows the chain block by block, reading each
//!    block's receipts once and stamping the commit time of the load's
//!    transactions;
//! 7. after the load, a grace period waits for the admitted transactions'
//!    receipts; then [`report`] computes rates, latency percentiles, losses,
//!    duplicates, failures by kind, each node's CPU and peak RSS, and the load
//!    generator's own CPU and ceiling ([`procstat`]).
//!
//! Finality latency is measured from the moment a transaction's batch was
//! first sent to the moment the follower read its committed receipt, so it
//! includes the follower's polling (20 ms) and one HTTP round trip.

pub mod devnet;
pub mod mix;
pub mod pace;
pub mod procstat;
pub mod report;
mod submit;
mod track;
mod workload;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tamga_types::Date;
use tokio::task::JoinSet;

use crate::error::ClientError;
use crate::keyfile::KeyFileError;
use crate::Client;
pub use devnet::Devnet;
pub use mix::{Kind, Mix};
pub use report::{Machine, NodeReport, Report};

/// The nodes' process name (`/proc/PID/status` `Name:`), checked so that a
/// stale pid file whose pid was reused is reported as unknown.
const NODE_PROCESS: &str = "tamgad";

/// Why the benchmark could not run.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// The devnet home is missing or unreadable.
    #[error("devnet home {path}: {reason}")]
    Home {
        /// The path.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// `devnet.json` lacks a field or has a bad value.
    #[error("{file}: field `{field}`: {reason}")]
    Manifest {
        /// The manifest file.
        file: String,
        /// The dotted field path.
        field: String,
        /// What is wrong.
        reason: String,
    },
    /// A key file could not be read.
    #[error(transparent)]
    Key(#[from] KeyFileError),
    /// A node refused or could not be reached during setup.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// No node answers.
    #[error("no node of the devnet answers: {0}")]
    Unreachable(String),
    /// The options do not make a run.
    #[error("{0}")]
    Options(String),
    /// The setup (nonces, records, signing) failed.
    #[error("{0}")]
    Setup(String),
}

/// What to run.
#[derive(Clone, Debug)]
pub struct BenchOptions {
    /// The devnet home (`DIR/devnet.json`).
    pub home: PathBuf,
    /// How long to submit.
    pub duration: Duration,
    /// Target transactions per second; `None`: as fast as the nodes accept.
    pub rate: Option<u32>,
    /// The workload mix.
    pub mix: Mix,
    /// Submission connections (spread across the nodes); `None`: two per node.
    pub connections: Option<usize>,
    /// How long to wait for receipts after the load.
    pub grace: Duration,
    /// Most transactions per request.
    pub batch: usize,
    /// Most user accounts to sign with; `None`: every funded user.
    pub senders: Option<usize>,
    /// Without `rate`: how many transactions to pre-sign (the run ends
    /// early if they are all sent); `None`: [`UNPACED_PER_SECOND`] per
    /// second of duration.
    pub max_txs: Option<usize>,
}

impl Default for BenchOptions {
    fn default() -> Self {
        BenchOptions {
            home: PathBuf::new(),
            duration: Duration::from_secs(60),
            rate: None,
            mix: Mix::default(),
            connections: None,
            grace: Duration::from_secs(10),
            batch: 500,
            senders: None,
            max_txs: None,
        }
    }
}

/// Without `--rate` and `--max-txs`, the transactions pre-signed per second
/// of `--duration`: above the 15,000/s four validators are asked to
/// sustain, at about 250 bytes of memory each (encoded bytes, id, index,
/// slot) while the run lasts.
pub const UNPACED_PER_SECOND: u64 = 20_000;

/// A live view of the run, for a progress display.
#[derive(Clone, Debug, Default)]
pub struct Progress {
    /// `load` while submitting, `receipts` during the grace period.
    pub phase: &'static str,
    /// Time since the load started.
    pub elapsed: Duration,
    /// The load's planned duration.
    pub duration: Duration,
    /// Transactions sent at least once.
    pub offered: u64,
    /// Admitted by a node.
    pub admitted: u64,
    /// Seen committed.
    pub committed: u64,
    /// Refused for good.
    pub rejected: u64,
    /// Last height read.
    pub height: u64,
}

/// What the benchmark tells its caller while it runs.
#[derive(Clone, Debug)]
pub enum Event {
    /// A setup step, for people.
    Note(String),
    /// Pre-signing before the clock starts: `done` of `total` signed (sent
    /// from the signing threads, every few thousand).
    Signing {
        /// Signed so far.
        done: u64,
        /// To sign.
        total: u64,
    },
    /// About once a second during the load and the grace period.
    Progress(Progress),
}

/// Runs the benchmark against the devnet in `opts.home`.
pub async fn run(opts: &BenchOptions, on: &(dyn Fn(Event) + Send + Sync)) -> Result<Report, BenchError> {
    let note = |s: String| on(Event::Note(s));
    if opts.duration.is_zero() {
        return Err(BenchError::Options("--duration must be at least 1 second".into()));
    }
    if opts.rate == Some(0) {
        return Err(BenchError::Options("--rate must be positive (leave it out for as fast as accepted)".into()));
    }
    if opts.connections == Some(0) || opts.batch == 0 || opts.batch > crate::MAX_BATCH {
        return Err(BenchError::Options(format!(
            "--connections must be positive and the batch size within 1..={}",
            crate::MAX_BATCH
        )));
    }
    let devnet = Devnet::read(&opts.home)?;
    let (cores, model) = procstat::machine();

    // Nodes.
    let mut clients = Vec::new();
    let mut reachable = Vec::new();
    let mut down = Vec::new();
    for n in &devnet.nodes {
        let c = Client::with_tls(n.api.clone(), Duration::from_secs(10), &devnet.tls)?;
        match c.health().await {
            Ok(_) => reachable.push(n.index),
            Err(e) => down.push(format!("node{} {}: {e}", n.index, n.api)),
        }
        clients.push(c);
    }
    if reachable.is_empty() {
        return Err(BenchError::Unreachable(down.join("; ")));
    }
    for d in &down {
        note(format!("warning: {d}; submitting to the others"));
    }
    let live: Vec<Client> = devnet
        .nodes
        .iter()
        .zip(&clients)
        .filter(|(n, _)| reachable.contains(&n.index))
        .map(|(_, c)| c.clone())
        .collect();
    let query = live[0].clone();

    // Keys.
    let want = opts.senders.unwrap_or(devnet.keys.users).min(devnet.keys.users);
    if want == 0 {
        return Err(BenchError::Options(format!("{}: no user keys (keys.users is 0)", opts.home.display())));
    }
    let users = devnet.read_user_keys(want)?;
    if users.len() < 1000 {
        note(format!("note: {} senders (fewer than 1,000)", users.len()));
    }
    let issuer = if opts.mix.has_records() { Some(devnet.read_role_key("issuer")?) } else { None };
    let miner = match (opts.mix.has_notifications(), devnet.keys.miner.is_some()) {
        (true, true) => Some(devnet.read_role_key("miner")?),
        _ => None,
    };
    let signers = workload::Signers::new(users, issuer, miner);

    // How many transactions.
    let n_txs = match (opts.rate, opts.max_txs) {
        (Some(r), _) => pace::planned(opts.duration, r),
        (None, Some(m)) => m as u64,
        (None, None) => opts.duration.as_secs().max(1) * UNPACED_PER_SECOND,
    };
    let n_txs = usize::try_from(n_txs).map_err(|_| BenchError::Options("too many transactions".into()))?;
    if n_txs == 0 {
        return Err(BenchError::Options("the run would offer no transaction: raise --rate or --duration".into()));
    }
    let kinds = opts.mix.sequence(n_txs);

    // Nonces.
    note(format!("reading the next nonce of {} accounts from {}", signers.publics.len(), query.base_url()));
    let mut nonces = fetch_nonces(&query, &signers, &devnet).await?;

    // Records to move (setup).
    let record_moves = kinds.iter().filter(|k| **k == Kind::RecordTransfer).count();
    let records = if record_moves > 0 {
        note(format!("setup: issuing {record_moves} records to the users (not measured)"));
        workload::setup_records(&query, &signers, &mut nonces, &devnet.chain_id, record_moves, &note).await?
    } else {
        vec![]
    };

    // Plan and sign, before the clock starts.
    let date = Date { year: 2026, month: 1, day: 1 };
    let planned = workload::plan(&kinds, &signers, &mut nonces, devnet.class_id, &records, date);
    let kinds: Vec<Kind> = planned.iter().map(|p| p.kind).collect();
    let connections = opts.connections.unwrap_or(2 * live.len());
    let mut own: Vec<Vec<u32>> = vec![Vec::new(); connections];
    for (i, p) in planned.iter().enumerate() {
        own[p.signer % connections].push(i as u32);
    }
    let signer_of: Vec<u32> = planned.iter().map(|p| p.signer as u32).collect();
    let per_sender_transfers = n_txs.div_ceil(signers.users);
    if devnet.mint_amount < per_sender_transfers as u128 {
        note(format!(
            "warning: users were minted {} base units; a sender may send up to {per_sender_transfers}",
            devnet.mint_amount
        ));
    }
    note(format!("signing {n_txs} transactions from {} accounts (not measured)", signers.publics.len()));
    let signed_at = Instant::now();
    let done = AtomicU64::new(0);
    let total = n_txs as u64;
    let mut txs = workload::presign(&planned, &signers, &devnet.chain_id, &|n| {
        let done = done.fetch_add(n as u64, Ordering::Relaxed) + n as u64;
        on(Event::Signing { done, total });
    })?;
    drop(planned);
    note(format!("signed in {:.1?} ({} bytes encoded)", signed_at.elapsed(), txs.bytes.len()));
    let hashes = std::mem::take(&mut txs.hashes);

    // Start.
    let from = query.health().await?.height + 1;
    let before: Vec<Option<procstat::ProcSample>> =
        devnet.nodes.iter().map(|n| procstat::sample(&n.pid_file(), Some(NODE_PROCESS))).collect();
    let cpu_start = procstat::self_cpu_seconds();
    let start = Instant::now();
    let shared = Arc::new(track::Shared::new(start, hashes));
    shared.height.store(from - 1, Ordering::Relaxed);
    let stop = Arc::new(AtomicBool::new(false));
    let follower = tokio::spawn(track::follow(shared.clone(), live.clone(), from, stop.clone()));
    let plan = Arc::new(submit::Plan {
        txs,
        rate: opts.rate,
        start,
        duration: opts.duration,
        batch_max: opts.batch,
        urls: live.iter().map(|c| format!("{}/v1/txs", c.base_url())).collect(),
    });
    note(format!(
        "load: {} for {:?} over {connections} connections to {} nodes",
        opts.rate.map_or_else(|| "as fast as accepted".to_owned(), |r| format!("{r} tx/s")),
        opts.duration,
        live.len()
    ));
    let mut tasks = JoinSet::new();
    for (c, mine) in own.into_iter().enumerate() {
        tasks.spawn(submit::connection(shared.clone(), plan.clone(), c, mine));
    }
    let progress = |phase: &'static str| {
        on(Event::Progress(Progress {
            phase,
            elapsed: start.elapsed(),
            duration: opts.duration,
            offered: shared.offered.load(Ordering::Relaxed),
            admitted: shared.admitted.load(Ordering::Relaxed),
            committed: shared.committed.load(Ordering::Relaxed),
            rejected: shared.rejected.load(Ordering::Relaxed),
            height: shared.height.load(Ordering::Relaxed),
        }))
    };
    let mut conn_stats = Vec::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        tokio::select! {
            done = tasks.join_next() => match done {
                None => break,
                Some(Ok(s)) => conn_stats.push(s),
                Some(Err(e)) => return Err(BenchError::Setup(format!("a submitter failed: {e}"))),
            },
            _ = tick.tick() => progress("load"),
        }
    }
    let load_s = start.elapsed().as_secs_f64();
    let cpu_load_end = procstat::self_cpu_seconds();

    // Grace: wait for the admitted transactions' receipts.
    let grace_end = Instant::now() + opts.grace;
    let grace_start = Instant::now();
    let mut last_tick = Instant::now();
    // The submitters are done, so the waiting set only shrinks: each check
    // resumes where the last found a transaction still waiting.
    let mut waiting_from = 0;
    while Instant::now() < grace_end {
        waiting_from = shared.first_waiting(waiting_from);
        if waiting_from == shared.slots.len() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        if last_tick.elapsed() >= Duration::from_secs(1) {
            progress("receipts");
            last_tick = Instant::now();
        }
    }
    let grace_s = grace_start.elapsed().as_secs_f64();
    stop.store(true, Ordering::Release);
    let followed = follower.await.map_err(|e| BenchError::Setup(format!("the follower failed: {e}")))?;
    let wall_s = start.elapsed().as_secs_f64();
    let cpu_end = procstat::self_cpu_seconds();
    let after: Vec<Option<procstat::ProcSample>> =
        devnet.nodes.iter().map(|n| procstat::sample(&n.pid_file(), Some(NODE_PROCESS))).collect();
    progress("done");

    // Report.
    let mut r = Report {
        duration_s: report::round1(load_s),
        grace_s: report::round1(grace_s),
        target_rate: opts.rate,
        connections,
        senders: signers.publics.len(),
        mix: opts.mix.to_string(),
        transport_errors: conn_stats.iter().map(|s| s.transport_errors).sum(),
        duplicated: followed.duplicated,
        failed: followed.failed_by_code.values().sum(),
        failed_by_code: followed.failed_by_code,
        blocks: followed.blocks,
        max_block_txs: followed.max_block_txs,
        machine: Machine { cores, model },
        ..Report::default()
    };
    for s in &conn_stats {
        merge(&mut r.rejected, &s.rejected);
        merge(&mut r.throttled, &s.throttled);
    }
    // In plan order each sender's transactions come in nonce order, so a
    // refusal strands the same sender's later ones.
    let mut refused = vec![false; signers.publics.len()];
    let fates = shared.slots.iter().zip(&kinds).zip(&signer_of).map(|((slot, kind), signer)| {
        let state = slot.state.load(Ordering::Acquire);
        let behind_refused = refused[*signer as usize];
        refused[*signer as usize] |= state == track::REJECTED;
        report::Fate {
            kind: *kind,
            sent_us: slot.sent_us.load(Ordering::Acquire),
            committed_us: slot.committed_us.load(Ordering::Acquire),
            admitted: state == track::ADMITTED,
            failed: slot.failed.load(Ordering::Acquire),
            behind_refused,
        }
    });
    r.tally(fates, load_s);
    r.generator(cpu_start, cpu_load_end, cpu_end, wall_s);
    r.nodes =
        devnet.nodes.iter().zip(before.iter().zip(&after)).map(|(n, (b, a))| node_report(n, *b, *a, wall_s)).collect();
    Ok(r)
}

fn merge(into: &mut BTreeMap<String, u64>, from: &BTreeMap<String, u64>) {
    for (k, v) in from {
        *into.entry(k.clone()).or_default() += v;
    }
}

fn node_report(
    n: &devnet::DevnetNode,
    before: Option<procstat::ProcSample>,
    after: Option<procstat::ProcSample>,
    wall_s: f64,
) -> NodeReport {
    let mut r = NodeReport { index: n.index, api: n.api.clone(), ..NodeReport::default() };
    if let Some(a) = after {
        r.pid = Some(a.pid);
        r.peak_rss_mib = Some(report::round1(a.peak_rss_mib));
        // CPU over the run only when the same process was seen at both ends.
        if let Some(b) = before.filter(|b| b.pid == a.pid) {
            let cpu = (a.cpu_s - b.cpu_s).max(0.0);
            r.cpu_s = Some(report::round2(cpu));
            r.cpu_pct = Some(report::round1(100.0 * cpu / wall_s.max(1e-3)));
        }
    }
    r
}

/// Every signer's next nonce, a few requests at a time.
async fn fetch_nonces(client: &Client, signers: &workload::Signers, devnet: &Devnet) -> Result<Vec<u64>, BenchError> {
    let mut out = vec![0u64; signers.publics.len()];
    let mut set = JoinSet::new();
    let mut next = 0;
    let in_flight = 16;
    loop {
        while set.len() < in_flight && next < signers.publics.len() {
            let (c, key, i) = (client.clone(), signers.publics[next], next);
            set.spawn(async move { (i, c.next_nonce(&key).await) });
            next += 1;
        }
        let Some(done) = set.join_next().await else { break };
        let (i, r) = done.map_err(|e| BenchError::Setup(format!("a nonce query failed: {e}")))?;
        out[i] = match r {
            Ok(n) => n,
            Err(ClientError::Api(e)) if e.code == "ACCOUNT_NOT_FOUND" => {
                let who = if i < signers.users {
                    devnet.user_key_path(i).display().to_string()
                } else if Some(i) == signers.issuer {
                    "the issuer key".into()
                } else {
                    "the miner key".into()
                };
                return Err(BenchError::Setup(format!(
                    "{who}: account {} is not registered on the chain (has the devnet been bootstrapped?)",
                    signers.publics[i]
                )));
            }
            Err(e) => return Err(e.into()),
        };
    }
    Ok(out)
}
