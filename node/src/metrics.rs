//! Prometheus metrics of the node (STYLE principle 9): one documented struct,
//! names with units, served at `GET /metrics` in the OpenMetrics text format.

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

pub mod access;

/// Every metric the node exports.
pub struct Metrics {
    registry: Registry,
    /// `tamga_height`: last committed height.
    pub height: Gauge,
    /// `tamga_consensus_round`: round of the height being decided.
    pub round: Gauge,
    /// `tamga_blocks_committed_total`: blocks committed by this node.
    pub blocks_committed: Counter,
    /// `tamga_txs_committed_total`: transactions committed (success or failed receipt).
    pub txs_committed: Counter,
    /// `tamga_txs_failed_total`: committed transactions with a failed receipt.
    pub txs_failed: Counter,
    /// `tamga_block_execution_seconds`: time to execute a block (validation or proposal).
    pub block_execution_seconds: Histogram,
    /// `tamga_block_commit_seconds`: time to write a block's batch (fsync included).
    pub block_commit_seconds: Histogram,
    /// `tamga_block_interval_seconds`: time between consecutive commits.
    pub block_interval_seconds: Histogram,
    /// `tamga_block_txs`: transactions per committed block.
    pub block_txs: Histogram,
    /// `tamga_mempool_txs`: transactions waiting.
    pub mempool_txs: Gauge,
    /// `tamga_mempool_bytes`: bytes held by the mempool.
    pub mempool_bytes: Gauge,
    /// `tamga_mempool_rejected_total`: transactions refused at admission.
    pub mempool_rejected: Counter,
    /// `tamga_peers`: connected, admitted peers.
    pub peers: Gauge,
    /// `tamga_peers_refused_total`: connections closed because the peer is not admitted.
    pub peers_refused: Counter,
    /// `tamga_consensus_rejected_total`: consensus messages rejected, by the
    /// network's check before relay (forged, foreign signer, undecodable) or by the engine.
    pub consensus_rejected: Counter,
    /// `tamga_signer_failures_total`: own proposals and votes the validator's
    /// signer (key file, PKCS#11 token, remote signer) gave no signature for;
    /// each is a step this validator missed.
    pub signer_failures: Counter,
    /// `tamga_proposals_invalid_total`: proposals of the current height this
    /// node judged invalid, a verdict its engine prevotes nil on (a storage
    /// failure is never counted here: it stops the node instead).
    pub proposals_invalid: Counter,
    /// `tamga_evidence_total`: equivocations detected by this node.
    pub evidence: Counter,
    /// `tamga_sync_blocks_total`: blocks applied from block sync.
    pub sync_blocks: Counter,
    /// `tamga_safety_persist_seconds`: time to persist the safety state (fsync).
    pub safety_persist_seconds: Histogram,
    /// `tamga_safety_persist_failures_total`: failed writes of the safety state (each retried; no vote leaves meanwhile).
    pub safety_persist_failures: Counter,
    /// `tamga_safety_persist_stalled`: 1 while the safety state cannot be written and the validator does not vote.
    pub safety_persist_stalled: Gauge,
    /// `tamga_api_sse_subscribers`: open `/v1/events` streams.
    pub sse_subscribers: Gauge,
    /// `tamga_api_connections`: open API connections.
    pub api_connections: Gauge,
    /// `tamga_api_refused_total{code}`: API connections and requests refused
    /// by a limit (`api::limits`), by code (`CONNECTION_LIMIT`, `RATE_LIMITED`, …).
    pub api_refused_total: Family<Vec<(String, String)>, Counter>,
    /// `tamga_backup_last_height`: ledger height of the last verified backup.
    pub backup_last_height: Gauge,
    /// `tamga_state_oldest_proof_height`: oldest height whose state-tree
    /// version is kept (`[storage] retain_state_versions`; 0 keeps all).
    pub state_oldest_proof_height: Gauge,
    /// `tamga_state_pruned_entries_total`: stale state-tree nodes and values deleted by pruning.
    pub state_pruned_entries: Counter,
    /// `tamga_backup_last_success_timestamp_seconds`: Unix time of the last verified backup.
    pub backup_last_success_seconds: Gauge,
    /// `tamga_backup_failures_total`: backups that failed (creation or verification).
    pub backup_failures: Counter,
    /// `tamga_backup_seconds`: time to checkpoint and verify a backup.
    pub backup_seconds: Histogram,
    /// `tamga_security_events_total{kind}`: security events recorded, by kind (`security.rs`).
    pub security_events: Family<Vec<(String, String)>, Counter>,
    /// `tamga_security_log_write_errors_total`: security events the log file could not take.
    pub security_log_write_errors: Counter,
    /// `tamga_security_events_aggregated_total{kind}`: per-source security
    /// events over the rate limits, counted in an `aggregated` summary
    /// instead of recorded one by one (`security::flood`).
    pub security_events_aggregated: Family<Vec<(String, String)>, Counter>,
    /// `tamga_journal_archive_bytes`: bytes of the archived journal segments
    /// (kept forever by the node: move them to archive storage).
    pub journal_archive_bytes: Gauge,
    /// `tamga_journal_archive_segments`: archived journal segments in the journal directory.
    pub journal_archive_segments: Gauge,
    /// `tamga_journal_entries_total`: access journal entries written (SPEC §12).
    pub journal_entries: Counter,
    /// `tamga_journal_write_seconds`: time to write one batch of journal entries (one `write`).
    pub journal_write_seconds: Histogram,
    /// `tamga_journal_sync_seconds`: time to fsync the journal segment and replace `head.json`.
    pub journal_sync_seconds: Histogram,
    /// `tamga_journal_queue_depth`: entries waiting for the journal writer.
    pub journal_queue_depth: Gauge,
    /// `tamga_journal_refused_total`: requests refused because the journal could not take their entry.
    pub journal_refused: Counter,
    /// `tamga_journal_write_errors_total`: failed journal writes or fsyncs (retried).
    pub journal_write_errors: Counter,
    /// `tamga_p2p_*`: refusals and drops of the peer-to-peer layer.
    pub p2p: crate::network::NetMetrics,
    /// `tamga_security_sink_*{sink}`: the outboxes of the security event sinks.
    pub security_sinks: crate::security::sinks::SinkMetrics,
}

impl Metrics {
    /// Registers every metric under the `tamga` prefix.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("tamga");
        let secs = || Histogram::new(exponential_buckets(0.0005, 2.0, 16));
        let m = Metrics {
            height: Gauge::default(),
            round: Gauge::default(),
            blocks_committed: Counter::default(),
            txs_committed: Counter::default(),
            txs_failed: Counter::default(),
            block_execution_seconds: secs(),
            block_commit_seconds: secs(),
            block_interval_seconds: secs(),
            block_txs: Histogram::new(exponential_buckets(1.0, 2.0, 16)),
            mempool_txs: Gauge::default(),
            mempool_bytes: Gauge::default(),
            mempool_rejected: Counter::default(),
            peers: Gauge::default(),
            peers_refused: Counter::default(),
            consensus_rejected: Counter::default(),
            signer_failures: Counter::default(),
            proposals_invalid: Counter::default(),
            evidence: Counter::default(),
            sync_blocks: Counter::default(),
            safety_persist_seconds: secs(),
            safety_persist_failures: Counter::default(),
            safety_persist_stalled: Gauge::default(),
            sse_subscribers: Gauge::default(),
            api_connections: Gauge::default(),
            api_refused_total: Family::default(),
            backup_last_height: Gauge::default(),
            state_oldest_proof_height: Gauge::default(),
            state_pruned_entries: Counter::default(),
            backup_last_success_seconds: Gauge::default(),
            backup_failures: Counter::default(),
            backup_seconds: Histogram::new(exponential_buckets(0.01, 2.0, 16)),
            security_events: Family::default(),
            security_log_write_errors: Counter::default(),
            security_events_aggregated: Family::default(),
            journal_archive_bytes: Gauge::default(),
            journal_archive_segments: Gauge::default(),
            journal_entries: Counter::default(),
            journal_write_seconds: Histogram::new(exponential_buckets(0.000_01, 2.0, 20)),
            journal_sync_seconds: secs(),
            journal_queue_depth: Gauge::default(),
            journal_refused: Counter::default(),
            journal_write_errors: Counter::default(),
            p2p: crate::network::NetMetrics::default(),
            security_sinks: crate::security::sinks::SinkMetrics::default(),
            registry: Registry::default(),
        };
        let r = &mut registry;
        r.register("height", "Last committed height", m.height.clone());
        r.register("consensus_round", "Round of the height being decided", m.round.clone());
        r.register("blocks_committed", "Blocks committed by this node", m.blocks_committed.clone());
        r.register("txs_committed", "Transactions committed", m.txs_committed.clone());
        r.register("txs_failed", "Committed transactions with a failed receipt", m.txs_failed.clone());
        r.register("block_execution_seconds", "Block execution time", m.block_execution_seconds.clone());
        r.register("block_commit_seconds", "Block write time including fsync", m.block_commit_seconds.clone());
        r.register("block_interval_seconds", "Time between commits", m.block_interval_seconds.clone());
        r.register("block_txs", "Transactions per committed block", m.block_txs.clone());
        r.register("mempool_txs", "Transactions waiting in the mempool", m.mempool_txs.clone());
        r.register("mempool_bytes", "Bytes held by the mempool", m.mempool_bytes.clone());
        r.register("mempool_rejected", "Transactions refused at admission", m.mempool_rejected.clone());
        r.register("peers", "Connected admitted peers", m.peers.clone());
        r.register("peers_refused", "Connections closed for a peer not admitted", m.peers_refused.clone());
        r.register("consensus_rejected", "Consensus messages rejected", m.consensus_rejected.clone());
        r.register("signer_failures", "Own signatures the signer did not give", m.signer_failures.clone());
        r.register("proposals_invalid", "Proposals judged invalid", m.proposals_invalid.clone());
        r.register("evidence", "Equivocations detected", m.evidence.clone());
        r.register("sync_blocks", "Blocks applied from sync", m.sync_blocks.clone());
        r.register("safety_persist_seconds", "Safety state persist time", m.safety_persist_seconds.clone());
        r.register("safety_persist_failures", "Failed safety state writes", m.safety_persist_failures.clone());
        r.register(
            "safety_persist_stalled",
            "1 while the safety state cannot be written (no voting)",
            m.safety_persist_stalled.clone(),
        );
        r.register("api_sse_subscribers", "Open /v1/events streams", m.sse_subscribers.clone());
        r.register("api_connections", "Open API connections", m.api_connections.clone());
        r.register("api_refused", "API connections and requests refused by a limit", m.api_refused_total.clone());
        r.register("backup_last_height", "Ledger height of the last verified backup", m.backup_last_height.clone());
        r.register(
            "backup_last_success_timestamp_seconds",
            "Unix time of the last verified backup",
            m.backup_last_success_seconds.clone(),
        );
        r.register("backup_failures", "Backups that failed", m.backup_failures.clone());
        r.register(
            "state_oldest_proof_height",
            "Oldest height whose state-tree version is kept",
            m.state_oldest_proof_height.clone(),
        );
        r.register(
            "state_pruned_entries",
            "Stale state-tree entries deleted by pruning",
            m.state_pruned_entries.clone(),
        );
        r.register("backup_seconds", "Backup checkpoint and verification time", m.backup_seconds.clone());
        r.register("security_events", "Security events recorded, by kind", m.security_events.clone());
        r.register(
            "security_log_write_errors",
            "Security events not written to the log file",
            m.security_log_write_errors.clone(),
        );
        r.register(
            "security_events_aggregated",
            "Per-source security events over the rate limits, counted in a summary",
            m.security_events_aggregated.clone(),
        );
        r.register("journal_archive_bytes", "Bytes of archived journal segments", m.journal_archive_bytes.clone());
        r.register("journal_archive_segments", "Archived journal segments", m.journal_archive_segments.clone());
        r.register("journal_entries", "Access journal entries written", m.journal_entries.clone());
        r.register("journal_write_seconds", "Access journal batch write time", m.journal_write_seconds.clone());
        r.register("journal_sync_seconds", "Access journal fsync time", m.journal_sync_seconds.clone());
        r.register("journal_queue_depth", "Access journal entries waiting", m.journal_queue_depth.clone());
        r.register("journal_refused", "Requests refused: journal unavailable", m.journal_refused.clone());
        r.register("journal_write_errors", "Failed access journal writes", m.journal_write_errors.clone());
        m.p2p.register(r);
        m.security_sinks.register(r);
        Metrics { registry, ..m }
    }

    /// Follows the ledger's pruning after a commit: the oldest height with
    /// state proofs, and the stale entries deleted since the node started.
    pub fn observe_pruning(&self, ledger: &tamga_state::Ledger) {
        if let Ok(oldest) = ledger.oldest_state_version() {
            self.state_oldest_proof_height.set(i64::try_from(oldest).unwrap_or(i64::MAX));
        }
        let (total, seen) = (ledger.pruned_entries(), self.state_pruned_entries.get());
        if total > seen {
            self.state_pruned_entries.inc_by(total - seen);
        }
    }

    /// Counts a connection or request the API refused with `code`.
    pub fn api_refused(&self, code: &str) {
        self.api_refused_total.get_or_create(&vec![("code".to_owned(), code.to_owned())]).inc();
    }

    /// The OpenMetrics text exposition.
    pub fn encode(&self) -> String {
        let mut s = String::new();
        // Writing into a String cannot fail.
        let _ = encode(&mut s, &self.registry);
        s
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn exposes_named_metrics() {
        let m = super::Metrics::new();
        m.height.set(7);
        m.blocks_committed.inc();
        let text = m.encode();
        assert!(text.contains("tamga_height 7"), "{text}");
        assert!(text.contains("tamga_blocks_committed_total 1"), "{text}");
        assert!(text.contains("tamga_block_commit_seconds_bucket"), "{text}");
    }
}
