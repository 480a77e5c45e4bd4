//! Metrics of the peer-to-peer layer (STYLE principle 9), registered under
//! `tamga_p2p_*` by `crate::metrics::Metrics`. Each counts a refusal or a
//! drop that a bound of docs/operations.md ("Peer-to-peer limits") caused.

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::registry::Registry;

/// `kind`/`reason` label set.
pub type Labels = Vec<(String, String)>;

/// Every metric of the network task.
#[derive(Default)]
pub struct NetMetrics {
    /// `tamga_p2p_connections_limited_total`: connections closed by a
    /// connection limit (`p2p.max_pending_incoming` and the others).
    pub connections_limited: Counter,
    /// `tamga_p2p_inbound_dropped_total{kind}`: inbound work dropped because
    /// its queue was full (`txs`: gossiped transaction batches, `consensus`:
    /// gossiped consensus messages, `to_driver`: checked messages or sync
    /// blocks the driver had no room for).
    pub inbound_dropped: Family<Labels, Counter>,
    /// `tamga_p2p_consensus_refused_total{reason}`: gossiped consensus
    /// messages neither relayed nor delivered (`undecodable`,
    /// `unknown_validator`, `outside_window`, `bad_signature`,
    /// `ledger_unavailable`).
    pub consensus_refused: Family<Labels, Counter>,
    /// `tamga_p2p_sync_refused_total{reason}`: sync requests not served
    /// (`rate`: over the peer's rate, `busy`: `p2p.sync_max_concurrent` reads
    /// already running).
    pub sync_refused: Family<Labels, Counter>,
}

impl NetMetrics {
    /// Registers every metric in `r` (which carries the `tamga` prefix).
    pub fn register(&self, r: &mut Registry) {
        r.register(
            "p2p_connections_limited",
            "Connections closed by a p2p connection limit",
            self.connections_limited.clone(),
        );
        r.register(
            "p2p_inbound_dropped",
            "Inbound p2p work dropped on a full queue, by kind",
            self.inbound_dropped.clone(),
        );
        r.register(
            "p2p_consensus_refused",
            "Gossiped consensus messages neither relayed nor delivered, by reason",
            self.consensus_refused.clone(),
        );
        r.register("p2p_sync_refused", "Sync requests not served, by reason", self.sync_refused.clone());
    }

    /// Counts one drop of `kind`.
    pub fn count_dropped(&self, kind: &str) {
        self.inbound_dropped.get_or_create(&vec![("kind".to_owned(), kind.to_owned())]).inc();
    }

    /// Counts one consensus message refused for `reason`.
    pub fn count_consensus_refused(&self, reason: &str) {
        self.consensus_refused.get_or_create(&vec![("reason".to_owned(), reason.to_owned())]).inc();
    }

    /// Counts one sync request refused for `reason`.
    pub fn count_sync_refused(&self, reason: &str) {
        self.sync_refused.get_or_create(&vec![("reason".to_owned(), reason.to_owned())]).inc();
    }
}
