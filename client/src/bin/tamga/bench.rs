//! `tamga bench`: the command line of the end-to-end benchmark
//! (`tamga_client::bench` does the work). Progress goes to stderr; the
//! report to stdout, as text or (`--json`) as one JSON object.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use tamga_client::bench::{self, BenchOptions, Event, Mix};

/// Measure a running devnet: pre-sign transfers (or a mix) from the devnet's
/// funded accounts, submit them in batches at a fixed rate or as fast as
/// accepted over several connections to every node, follow every block's
/// receipts, and report offered and committed tx/s, finality latency
/// percentiles, rejections, failures (by kind), losses, duplicates, each
/// node's CPU and peak RSS, and the load generator's own CPU and ceiling.
///
/// Signing (and a mix's setup) happens before the clock starts. Latency runs from a
/// transaction's first submission to the moment its committed receipt is
/// read. `--json` (the global flag) prints the report as one JSON object on
/// stdout. Exit status: 0 when the run completed (whatever the figures), 1
/// on an error.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// The devnet home: holds devnet.json, keys/ and the nodes' homes.
    #[arg(long, value_name = "DEVNET_HOME")]
    pub home: PathBuf,
    /// Seconds of load.
    #[arg(long, default_value_t = 60, value_name = "SECS")]
    pub duration: u64,
    /// Target transactions per second [default: as fast as the nodes accept].
    #[arg(long, value_name = "N")]
    pub rate: Option<u32>,
    /// Workload mix as NAME=WEIGHT,… with names transfers (token transfers
    /// between users), records (transfers of records between users; the
    /// records are issued by the issuer before the clock starts) and
    /// notifications (mining and activity start notifications alternately).
    /// `--mix` alone is the mixed workload
    /// `transfers=80,records=10,notifications=10`; without `--mix`, transfers only.
    #[arg(
        long,
        default_value = "transfers=100",
        num_args = 0..=1,
        default_missing_value = "transfers=80,records=10,notifications=10",
        value_name = "SPEC"
    )]
    pub mix: Mix,
    /// HTTP connections that submit, spread across the nodes (each one batch
    /// request in flight at a time; a sender's transactions always use the
    /// same one) [default: 2 per node].
    #[arg(long, value_name = "N")]
    pub connections: Option<usize>,
    /// Seconds to wait after the load for the admitted transactions' receipts.
    #[arg(long, default_value_t = 10, value_name = "SECS")]
    pub grace: u64,
    /// Most transactions per submission request (1–1000).
    #[arg(long, default_value_t = 500, value_name = "N")]
    pub batch: usize,
    /// Most user accounts to sign with [default: every funded user].
    #[arg(long, value_name = "N")]
    pub senders: Option<usize>,
    /// Without --rate: transactions to pre-sign; the load ends early when all
    /// are sent [default: 20,000 per second of --duration].
    #[arg(long, value_name = "N")]
    pub max_txs: Option<usize>,
}

/// Runs the benchmark on its own multi-threaded runtime (the CLI's is
/// single-threaded), printing progress on stderr and the report on stdout.
pub fn run(args: &BenchArgs, json: bool) -> Result<ExitCode> {
    let opts = BenchOptions {
        home: args.home.clone(),
        duration: Duration::from_secs(args.duration),
        rate: args.rate,
        mix: args.mix,
        connections: args.connections,
        grace: Duration::from_secs(args.grace),
        batch: args.batch,
        senders: args.senders,
        max_txs: args.max_txs,
    };
    let report = std::thread::scope(|s| {
        s.spawn(|| -> Result<bench::Report> {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .context("cannot start the async runtime")?;
            let display = Display::new();
            let r = rt.block_on(bench::run(&opts, &|e| display.event(e)));
            display.finish();
            Ok(r?)
        })
        .join()
        .map_err(|_| anyhow::anyhow!("the benchmark thread panicked"))?
    })?;
    if json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        print!("{}", report.to_text());
    }
    Ok(ExitCode::SUCCESS)
}

/// Progress on stderr: a bar on a terminal, a line every 5 s otherwise.
struct Display {
    bar: Option<ProgressBar>,
    /// Pre-signing, before the load (terminal only).
    signing: Option<ProgressBar>,
    last_line: Mutex<Option<std::time::Instant>>,
}

impl Display {
    fn new() -> Display {
        let bar = std::io::stderr().is_terminal().then(|| {
            let b = ProgressBar::hidden();
            b.set_style(
                ProgressStyle::with_template("{prefix:>8} [{bar:30}] {pos:>3}/{len}s {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            b
        });
        let signing = std::io::stderr().is_terminal().then(|| {
            let b = ProgressBar::hidden();
            b.set_style(
                ProgressStyle::with_template("{prefix:>8} [{bar:30}] {pos}/{len} tx ({per_sec}, {eta} left)")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            b.set_prefix("signing");
            b
        });
        Display { bar, signing, last_line: Mutex::new(None) }
    }

    fn event(&self, e: Event) {
        match e {
            Event::Note(s) => match &self.bar {
                Some(b) if !b.is_hidden() => b.println(s),
                _ => eprintln!("{s}"),
            },
            Event::Signing { done, total } => {
                if let Some(b) = &self.signing {
                    // The signing threads report out of order: a late smaller count after the end is ignored.
                    if b.is_finished() {
                        return;
                    }
                    if b.is_hidden() && done < total {
                        b.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                    }
                    b.set_length(total);
                    b.set_position(done);
                    if done >= total {
                        b.finish_and_clear();
                    }
                    return;
                }
                let mut last = self.last_line.lock().unwrap_or_else(|e| e.into_inner());
                if done >= total || last.is_none_or(|t| t.elapsed() >= Duration::from_secs(5)) {
                    eprintln!("signing {done}/{total}");
                    *last = if done >= total { None } else { Some(std::time::Instant::now()) };
                }
            }
            Event::Progress(p) => {
                let msg = format!(
                    "offered {}  admitted {}  committed {}  rejected {}  height {}",
                    p.offered, p.admitted, p.committed, p.rejected, p.height
                );
                if let Some(b) = &self.bar {
                    if b.is_hidden() {
                        b.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                    }
                    b.set_length(p.duration.as_secs());
                    b.set_position(p.elapsed.as_secs().min(p.duration.as_secs()));
                    b.set_prefix(p.phase);
                    b.set_message(msg);
                    return;
                }
                let mut last = self.last_line.lock().unwrap_or_else(|e| e.into_inner());
                if p.phase == "done" || last.is_none_or(|t| t.elapsed() >= Duration::from_secs(5)) {
                    eprintln!("[{:>5.1}s {}] {msg}", p.elapsed.as_secs_f64(), p.phase);
                    *last = Some(std::time::Instant::now());
                }
            }
        }
    }

    fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}
