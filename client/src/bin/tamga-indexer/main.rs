//! `tamga-indexer`: copies a node's certified blocks, transactions,
//! receipts, events and registers into PostgreSQL (docs/indexer.md).
//!
//! Nothing enters the database that a commit certificate does not cover:
//! every block is verified from the genesis validator set forward by the
//! light client (`tamga_client::light`, SPEC §9), its body against its
//! header and its receipts against `receipts_root` (SPEC §10). One SQL
//! transaction per block holds its rows and the checkpoint (height, block
//! hash, the validator set trusted next), so a crash or `kill -9` at any
//! point resumes at the next block: no gap, no duplicate.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Args, Parser, Subcommand};
use tamga_client::Client;

/// Logs one line to stderr: `<unix ms> <level> <message>`.
macro_rules! log {
    ($level:literal, $($arg:tt)*) => {
        eprintln!("{} {} tamga-indexer: {}", $crate::now_ms(), $level, format!($($arg)*))
    };
}
pub(crate) use log;

mod bench;
mod db;
mod error;
mod follow;
mod metrics;
mod rows;

use error::IndexerError;

pub(crate) fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

/// Copies a Tamga node's certified chain into PostgreSQL.
#[derive(Debug, Parser)]
#[command(name = "tamga-indexer", version)]
struct Cli {
    #[command(flatten)]
    follow: FollowArgs,
    #[command(subcommand)]
    cmd: Option<Cmd>,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Measures ingest into an empty database: generated certified blocks
    /// of transfers, verified and written as the follower does (no node).
    Bench(bench::BenchArgs),
}

#[derive(Debug, Args)]
struct FollowArgs {
    /// The node's API (`http://host:port`).
    #[arg(long, env = "TAMGA_NODE", value_name = "URL")]
    node: Option<String>,
    /// The database (`postgres://user:password@host:port/db`).
    #[arg(long, env = "TAMGA_INDEXER_DATABASE_URL", value_name = "URL", global = true)]
    database_url: Option<String>,
    /// The chain's genesis file: trusted, with the validator set that
    /// certifies block 1 (SPEC §9).
    #[arg(long, env = "TAMGA_GENESIS", value_name = "FILE")]
    genesis: Option<PathBuf>,
    /// Key file of the account that signs every read (where the node's reads
    /// are closed: a regulator's account sees every block in full). An
    /// encrypted file takes its passphrase from `TAMGA_PASSPHRASE`.
    #[arg(long, value_name = "FILE")]
    read_key: Option<PathBuf>,
    /// Serve Prometheus metrics on this address (any path).
    #[arg(long, value_name = "ADDR")]
    metrics: Option<SocketAddr>,
    /// Connections the metrics listener serves at once.
    #[arg(long, default_value_t = 8, value_name = "N")]
    metrics_max_connections: usize,
    /// Stop once this height is written (default: follow forever).
    #[arg(long, value_name = "HEIGHT")]
    until: Option<u64>,
    /// Seconds between retries while the node or the database is down.
    #[arg(long, default_value_t = 1, value_name = "SECS")]
    retry_secs: u64,
    /// Per-request timeout towards the node, seconds.
    #[arg(long, default_value_t = 30, value_name = "SECS")]
    node_timeout_secs: u64,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            log!("ERROR", "RUNTIME: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = rt.block_on(async {
        match &cli.cmd {
            Some(Cmd::Bench(b)) => bench::run(cli.follow.database_url.as_deref(), b).await,
            None => follow_main(&cli.follow).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(m)) => {
            log!("ERROR", "USAGE: {m}");
            ExitCode::from(2)
        }
        Err(Failure::Indexer(e)) => {
            log!("ERROR", "{}: {e}", e.code());
            ExitCode::FAILURE
        }
    }
}

/// What ends the process with a failure.
#[derive(Debug)]
pub enum Failure {
    /// A missing or unreadable argument.
    Usage(String),
    /// The indexer stopped.
    Indexer(IndexerError),
}

impl From<IndexerError> for Failure {
    fn from(e: IndexerError) -> Failure {
        Failure::Indexer(e)
    }
}

async fn follow_main(a: &FollowArgs) -> Result<(), Failure> {
    let need =
        |v: Option<&str>, flag: &str| v.map(str::to_owned).ok_or_else(|| Failure::Usage(format!("{flag} is required")));
    let node = need(a.node.as_deref(), "--node URL")?;
    let url = need(a.database_url.as_deref(), "--database-url URL")?;
    let path = a.genesis.as_ref().ok_or_else(|| Failure::Usage("--genesis FILE is required".into()))?;
    let genesis =
        tamga_genesis::load(path).map_err(|e| Failure::Usage(format!("--genesis {}: {e}", path.display())))?;
    let mut client = Client::with_timeout(node.clone(), Duration::from_secs(a.node_timeout_secs))
        .map_err(|e| Failure::Usage(format!("--node {node}: {e}")))?;
    if let Some(k) = &a.read_key {
        let key = tamga_client::keyfile::read_key_file(k)
            .map_err(|e| Failure::Usage(format!("--read-key {}: {e}", k.display())))?;
        client = client.with_signer(key);
    }
    let metrics = Arc::new(metrics::Metrics::default());
    if let Some(addr) = a.metrics {
        let l = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| Failure::Usage(format!("--metrics {addr}: cannot listen: {e}")))?;
        tokio::spawn(metrics::serve(l, metrics.clone(), a.metrics_max_connections));
        log!("INFO", "metrics on http://{addr}/metrics");
    }
    let mut db = db::Db::connect(&url).await?;
    let cp = follow::open(&mut db, &client, &genesis).await?;
    log!("INFO", "resuming after height {} (block {}) from {}", cp.height, cp.block_hash, node);
    let reporter = {
        let m = metrics.clone();
        tokio::spawn(async move {
            let mut last = (0u64, Instant::now());
            loop {
                tokio::time::sleep(Duration::from_secs(10)).await;
                let (blocks, txs, rows, _) = m.totals();
                let (lag_blocks, lag_secs) = m.lag();
                let rate = (rows - last.0) as f64 / last.1.elapsed().as_secs_f64();
                log!("INFO", "progress blocks={blocks} txs={txs} rows={rows} rows_per_s={rate:.0} lag_blocks={lag_blocks} lag_s={lag_secs:.1}");
                last = (rows, Instant::now());
            }
        })
    };
    let opts = follow::FollowOptions {
        until: a.until,
        retry: Duration::from_secs(a.retry_secs.max(1)),
        stream_idle: Duration::from_secs(60),
    };
    let r = follow::run(&mut db, &client, &genesis, cp, metrics.clone(), &opts).await;
    reporter.abort();
    let h = r?;
    let (blocks, txs, rows, secs) = metrics.totals();
    log!("INFO", "stopped at height {h}: {blocks} blocks, {txs} transactions, {rows} rows in {secs:.1} s");
    Ok(())
}
