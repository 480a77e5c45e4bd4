//! The benchmark report: what `tamga bench` prints, as text or as one JSON
//! object whose field names are an interface (scripts read them; the
//! `json_field_names_are_stable` test pins them).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::mix::Kind;

/// The whole report.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Report {
    /// Seconds the load ran (from the first submission to the end of submissions).
    pub duration_s: f64,
    /// Seconds spent after the load waiting for receipts (at most the grace period).
    pub grace_s: f64,
    /// The target rate (`--rate`), or null for as fast as accepted.
    pub target_rate: Option<u32>,
    /// Submission connections (each one request at a time).
    pub connections: usize,
    /// Distinct signing accounts in the load.
    pub senders: usize,
    /// The workload mix.
    pub mix: String,
    /// Transactions sent at least once during the load.
    pub offered: u64,
    /// `offered / duration_s`.
    pub offered_tps: f64,
    /// Transactions a node admitted (answered with their hash).
    pub submitted: u64,
    /// Load transactions seen committed (each counted once), success or failure.
    pub committed: u64,
    /// `committed / max(duration_s, time from the start to the last commit seen)`:
    /// the rate the chain sustained, not counting the grace period's idle end.
    pub committed_tps: f64,
    /// Finality latency percentiles, ms: from the first submission of a
    /// transaction to the moment its committed receipt was read. Null if none committed.
    pub p50_ms: Option<f64>,
    /// 90th percentile, ms.
    pub p90_ms: Option<f64>,
    /// 99th percentile, ms.
    pub p99_ms: Option<f64>,
    /// Largest, ms.
    pub max_ms: Option<f64>,
    /// Mean, ms.
    pub mean_ms: Option<f64>,
    /// Transactions refused for good, by error code (including back-pressure
    /// refusals still unresolved when the load ended).
    pub rejected: BTreeMap<String, u64>,
    /// Back-pressure refusals (429/503) that were retried, by code.
    pub throttled: BTreeMap<String, u64>,
    /// Submission requests that got no HTTP answer (retried on another node).
    pub transport_errors: u64,
    /// Committed with a failed receipt.
    pub failed: u64,
    /// Failed receipts by code.
    pub failed_by_code: BTreeMap<String, u64>,
    /// Admitted but not seen committed by the end of the grace period
    /// (not counting `stranded`).
    pub lost: u64,
    /// Admitted but never committable: an earlier nonce of the same sender
    /// was refused for good (a back-pressure refusal still unresolved when
    /// the load ended, say), so the chain could not take this one. The load
    /// generator's doing, not the network's; reported apart from `lost`.
    pub stranded: u64,
    /// Seen committed more than once (must be 0).
    pub duplicated: u64,
    /// Committed transactions by operation (success or failure).
    pub committed_by_kind: BTreeMap<String, u64>,
    /// Committed with a failed receipt, by operation (every operation of a
    /// mix should commit successfully: each one here is a finding).
    pub failed_by_kind: BTreeMap<String, u64>,
    /// Blocks read while tracking.
    pub blocks: u64,
    /// Most load transactions in one block.
    pub max_block_txs: u64,
    /// CPU seconds (user + system, all threads: what `getrusage(RUSAGE_SELF)`
    /// counts, read from `/proc/self/stat`) the load generator itself used
    /// from the start of the load to the end of tracking; signing and setup,
    /// done before, are not in it. Null where `/proc` is not readable.
    pub generator_cpu_s: Option<f64>,
    /// `generator_cpu_s` over the same wall time as the nodes' `cpu_pct`,
    /// percent of one core.
    pub generator_cpu_pct: Option<f64>,
    /// The load generator's ceiling: transactions offered per CPU second it
    /// spent during the load (submitting and following), i.e. the rate one
    /// whole core of this machine would let it offer. Null if it used no
    /// measurable CPU (the clock's resolution is 10 ms).
    pub generator_ceiling_tps: Option<f64>,
    /// Each node's resource use.
    pub nodes: Vec<NodeReport>,
    /// The machine the benchmark ran on.
    pub machine: Machine,
}

/// One node's resource use over the run (null where its pid file or process was missing).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct NodeReport {
    /// Node index.
    pub index: usize,
    /// Its API URL.
    pub api: String,
    /// Its pid, from `tamgad.pid`.
    pub pid: Option<u32>,
    /// CPU seconds (user + system) used from the start of the load to the end of tracking.
    pub cpu_s: Option<f64>,
    /// `cpu_s` over the same wall time, percent of one core (may exceed 100).
    pub cpu_pct: Option<f64>,
    /// Peak resident set size of the process (VmHWM, over its whole life), MiB.
    pub peak_rss_mib: Option<f64>,
}

/// The machine.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Machine {
    /// Logical CPUs.
    pub cores: usize,
    /// CPU model name from `/proc/cpuinfo`.
    pub model: String,
}

/// What became of one load transaction, as the tracking slots hold it
/// (times in microseconds after the load's start, plus one; 0: never).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Fate {
    /// Its operation.
    pub kind: Kind,
    /// First sent.
    pub sent_us: u64,
    /// First seen committed.
    pub committed_us: u64,
    /// A node admitted it (and never refused it for good).
    pub admitted: bool,
    /// Its committed receipt is a failure.
    pub failed: bool,
    /// An earlier transaction of the same sender was refused for good.
    pub behind_refused: bool,
}

impl Report {
    /// Fills the counts, rates and latency percentiles from every load
    /// transaction's fate; `load_s` is how long submissions ran.
    pub(crate) fn tally(&mut self, fates: impl IntoIterator<Item = Fate>, load_s: f64) {
        let mut latencies = Vec::new();
        let mut last_commit_us = 0;
        for f in fates {
            if f.sent_us != 0 {
                self.offered += 1;
            }
            if f.admitted {
                self.submitted += 1;
            }
            if f.committed_us != 0 {
                self.committed += 1;
                *self.committed_by_kind.entry(f.kind.as_str().to_owned()).or_default() += 1;
                if f.failed {
                    *self.failed_by_kind.entry(f.kind.as_str().to_owned()).or_default() += 1;
                }
                last_commit_us = last_commit_us.max(f.committed_us);
                if f.sent_us != 0 {
                    latencies.push(f.committed_us.saturating_sub(f.sent_us));
                }
            } else if f.admitted && f.behind_refused {
                self.stranded += 1;
            } else if f.admitted {
                self.lost += 1;
            }
        }
        latencies.sort_unstable();
        let ms = |us: Option<u64>| us.map(|v| round1(v as f64 / 1000.0));
        self.p50_ms = ms(percentile(&latencies, 50.0));
        self.p90_ms = ms(percentile(&latencies, 90.0));
        self.p99_ms = ms(percentile(&latencies, 99.0));
        self.max_ms = ms(latencies.last().copied());
        self.mean_ms = None;
        if !latencies.is_empty() {
            let mean = latencies.iter().sum::<u64>() as f64 / latencies.len() as f64;
            self.mean_ms = Some(round1(mean / 1000.0));
        }
        self.offered_tps = round1(self.offered as f64 / load_s.max(1e-3));
        let window = load_s.max(last_commit_us as f64 / 1e6);
        self.committed_tps = round1(self.committed as f64 / window.max(1e-3));
    }

    /// Fills the generator's CPU figures from three readings of its own CPU
    /// seconds: at the start of the load, at its end and at the end of
    /// tracking (`wall_s` after the start). Call after [`Report::tally`].
    pub(crate) fn generator(&mut self, start: Option<f64>, load_end: Option<f64>, end: Option<f64>, wall_s: f64) {
        let (Some(start), Some(load_end), Some(end)) = (start, load_end, end) else { return };
        let cpu = (end - start).max(0.0);
        self.generator_cpu_s = Some(round2(cpu));
        self.generator_cpu_pct = Some(round1(100.0 * cpu / wall_s.max(1e-3)));
        let load_cpu = load_end - start;
        self.generator_ceiling_tps = (load_cpu > 0.0).then(|| (self.offered as f64 / load_cpu).round());
    }
}

/// Nearest-rank percentile of ascending `sorted` values (`p` in 0..=100):
/// the smallest value with at least `p`% of the values at or below it.
pub fn percentile(sorted: &[u64], p: f64) -> Option<u64> {
    if sorted.is_empty() {
        return None;
    }
    let n = sorted.len();
    // The epsilon keeps 99.9% of 1000 at rank 999 despite binary rounding.
    let rank = ((p.clamp(0.0, 100.0) / 100.0) * n as f64 - 1e-9).ceil() as usize;
    Some(sorted[rank.clamp(1, n) - 1])
}

/// Rounds to 0.1 for reporting.
pub(crate) fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// Rounds to 0.01 for reporting (one division, so `11.94` prints as `11.94`).
pub(crate) fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn ms(v: Option<f64>) -> String {
    v.map_or_else(|| "n/a".to_owned(), |v| format!("{v:.1} ms"))
}

fn codes(m: &BTreeMap<String, u64>) -> String {
    if m.is_empty() {
        return "none".into();
    }
    m.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ")
}

impl Report {
    /// The report for people.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let rate = self.target_rate.map_or_else(|| "as fast as accepted".to_owned(), |r| format!("{r} tx/s"));
        let _ = writeln!(
            s,
            "tamga bench: {} over {} connections, {} senders, mix {}",
            rate, self.connections, self.senders, self.mix
        );
        let _ = writeln!(s, "load         {:.1} s (+ {:.1} s waiting for receipts)", self.duration_s, self.grace_s);
        let _ = writeln!(s, "offered      {} tx ({:.1} tx/s)", self.offered, self.offered_tps);
        let _ = writeln!(s, "submitted    {} tx admitted", self.submitted);
        let _ = writeln!(s, "committed    {} tx ({:.1} tx/s)", self.committed, self.committed_tps);
        let _ = writeln!(
            s,
            "finality     p50 {}  p90 {}  p99 {}  max {}  mean {}",
            ms(self.p50_ms),
            ms(self.p90_ms),
            ms(self.p99_ms),
            ms(self.max_ms),
            ms(self.mean_ms)
        );
        let _ = writeln!(s, "rejected     {}", codes(&self.rejected));
        let _ = writeln!(s, "throttled    {} (retried)", codes(&self.throttled));
        let _ = writeln!(s, "failed       {} ({})", self.failed, codes(&self.failed_by_code));
        let _ = writeln!(s, "lost         {}", self.lost);
        if self.stranded > 0 {
            let _ = writeln!(s, "stranded     {} (admitted behind a refused earlier nonce)", self.stranded);
        }
        let _ = writeln!(s, "duplicated   {}", self.duplicated);
        let _ = writeln!(s, "by kind      {}", codes(&self.committed_by_kind));
        let _ = writeln!(s, "failed kind  {}", codes(&self.failed_by_kind));
        let _ = writeln!(s, "blocks       {} read, at most {} load tx in one", self.blocks, self.max_block_txs);
        if self.transport_errors > 0 {
            let _ = writeln!(s, "transport    {} submissions got no answer", self.transport_errors);
        }
        let _ = writeln!(
            s,
            "generator    cpu {} ({} of one core), ceiling {} offered per CPU second",
            self.generator_cpu_s.map_or_else(|| "n/a".to_owned(), |v| format!("{v:.2} s")),
            self.generator_cpu_pct.map_or_else(|| "n/a".to_owned(), |v| format!("{v:.1} %")),
            self.generator_ceiling_tps.map_or_else(|| "n/a".to_owned(), |v| format!("{v:.0} tx")),
        );
        let _ = writeln!(s, "nodes");
        for n in &self.nodes {
            let na = |v: Option<f64>, unit: &str| v.map_or_else(|| "n/a".to_owned(), |v| format!("{v:.1}{unit}"));
            let _ = writeln!(
                s,
                "  node{:<3} {}  pid {}  cpu {} ({})  peak rss {}",
                n.index,
                n.api,
                n.pid.map_or_else(|| "n/a".to_owned(), |p| p.to_string()),
                na(n.cpu_s, " s"),
                na(n.cpu_pct, " %"),
                na(n.peak_rss_mib, " MiB"),
            );
        }
        let _ = writeln!(s, "machine      {} cores, {}", self.machine.cores, self.machine.model);
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        assert_eq!(percentile(&[], 50.0), None);
        assert_eq!(percentile(&[7], 0.0), Some(7));
        assert_eq!(percentile(&[7], 99.0), Some(7));
        let v: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&v, 50.0), Some(50));
        assert_eq!(percentile(&v, 90.0), Some(90));
        assert_eq!(percentile(&v, 99.0), Some(99));
        assert_eq!(percentile(&v, 100.0), Some(100));
        assert_eq!(percentile(&v, 0.0), Some(1));
        let v = [10, 20, 30, 40];
        assert_eq!(percentile(&v, 50.0), Some(20));
        assert_eq!(percentile(&v, 51.0), Some(30));
        assert_eq!(percentile(&v, 99.0), Some(40));
        let v: Vec<u64> = (1..=1000).collect();
        assert_eq!(percentile(&v, 99.9), Some(999));
        assert_eq!(serde_json::to_string(&round2(11.94 + 1e-9)).unwrap(), "11.94");
        assert_eq!(round1(2.25), 2.3);
    }

    #[test]
    fn json_field_names_are_stable() {
        let r = Report {
            nodes: vec![NodeReport { index: 0, api: "http://127.0.0.1:8080".into(), ..Default::default() }],
            ..Default::default()
        };
        let v = serde_json::to_value(&r).unwrap();
        let obj = v.as_object().unwrap();
        for f in [
            "committed_tps",
            "p50_ms",
            "p99_ms",
            "committed",
            "lost",
            "offered_tps",
            "p90_ms",
            "max_ms",
            "submitted",
            "rejected",
            "failed",
            "duplicated",
            "stranded",
            "duration_s",
            "generator_cpu_s",
            "generator_cpu_pct",
            "generator_ceiling_tps",
            "failed_by_kind",
            "committed_by_kind",
            "nodes",
            "machine",
        ] {
            assert!(obj.contains_key(f), "missing field {f}");
        }
        assert!(obj["rejected"].is_object());
        let node = obj["nodes"][0].as_object().unwrap();
        for f in ["index", "api", "cpu_s", "cpu_pct", "peak_rss_mib"] {
            assert!(node.contains_key(f), "missing node field {f}");
        }
        assert!(node["cpu_s"].is_null(), "a node without a pid file reports null");
        let machine = obj["machine"].as_object().unwrap();
        assert!(machine.contains_key("cores") && machine.contains_key("model"));
        // One object on one line.
        assert!(!serde_json::to_string(&r).unwrap().contains('\n'));
    }

    fn fate(kind: Kind, sent_us: u64, committed_us: u64, admitted: bool, failed: bool) -> Fate {
        Fate { kind, sent_us, committed_us, admitted, failed, behind_refused: false }
    }

    #[test]
    fn tally_counts_each_fate_once() {
        let mut r = Report::default();
        let fates = [
            // Committed 100, 200, 300 ms after their send.
            fate(Kind::Transfer, 1, 100_001, true, false),
            fate(Kind::Transfer, 1_000, 201_000, true, false),
            fate(Kind::RecordTransfer, 2_000, 302_000, true, true),
            // Admitted, never seen committed: lost.
            fate(Kind::MiningNotice, 3_000, 0, true, false),
            // Refused for good: offered, not submitted, not lost.
            fate(Kind::Transfer, 4_000, 0, false, false),
            // Never sent (the load ended first).
            fate(Kind::Transfer, 0, 0, false, false),
            // Admitted behind its sender's refused earlier nonce: stranded, not lost.
            Fate { behind_refused: true, ..fate(Kind::Transfer, 5_000, 0, true, false) },
        ];
        r.tally(fates, 2.0);
        assert_eq!((r.offered, r.submitted, r.committed, r.lost, r.stranded), (6, 5, 3, 1, 1));
        assert_eq!(r.offered_tps, 3.0);
        // The last commit (0.302 s) is inside the 2 s load: committed ÷ 2 s.
        assert_eq!(r.committed_tps, 1.5);
        assert_eq!((r.p50_ms, r.p99_ms, r.max_ms, r.mean_ms), (Some(200.0), Some(300.0), Some(300.0), Some(200.0)));
        assert_eq!(r.committed_by_kind.get("transfer"), Some(&2));
        assert_eq!(r.committed_by_kind.get("record_transfer"), Some(&1));
        assert_eq!(r.failed_by_kind.get("record_transfer"), Some(&1));
        assert_eq!(r.failed_by_kind.len(), 1);
        // A commit after the load stretches the window the rate is taken over.
        let mut late = Report::default();
        late.tally([fate(Kind::Transfer, 1, 4_000_001, true, false)], 1.0);
        assert_eq!(late.committed_tps, 0.2, "1 over 4 s, not over the 1 s load");
        let mut none = Report::default();
        none.tally([], 1.0);
        assert_eq!((none.p50_ms, none.mean_ms, none.committed_tps), (None, None, 0.0));
    }

    #[test]
    fn generator_cpu_and_ceiling() {
        let mut r = Report { offered: 30_000, ..Report::default() };
        // 3 s of CPU during a 2 s load, 1 s more while waiting; 4 s wall clock.
        r.generator(Some(10.0), Some(13.0), Some(14.0), 4.0);
        assert_eq!(r.generator_cpu_s, Some(4.0));
        assert_eq!(r.generator_cpu_pct, Some(100.0));
        assert_eq!(r.generator_ceiling_tps, Some(10_000.0));
        let mut idle = Report { offered: 5, ..Report::default() };
        idle.generator(Some(1.0), Some(1.0), Some(1.0), 2.0);
        assert_eq!((idle.generator_cpu_pct, idle.generator_ceiling_tps), (Some(0.0), None));
        let mut unknown = Report::default();
        unknown.generator(None, Some(1.0), Some(2.0), 2.0);
        assert_eq!(unknown.generator_cpu_s, None);
        assert!(unknown.to_text().contains("generator    cpu n/a"), "{}", unknown.to_text());
    }

    #[test]
    fn text_report_says_na_for_unknown_nodes() {
        let r = Report {
            nodes: vec![NodeReport { index: 2, api: "http://h:1".into(), ..Default::default() }],
            ..Default::default()
        };
        let t = r.to_text();
        assert!(t.contains("node2") && t.contains("cpu n/a"), "{t}");
        assert!(t.contains("p50 n/a"), "{t}");
    }
}
