//! `config.toml`: every setting of a node, each with a default and a doc
//! comment (STYLE principle 12). `tamgad init` writes this file with the
//! comments; `tamgad start` reads it and rejects unknown keys and bad values
//! with an error that names the field.

use std::net::SocketAddr;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// A configuration problem: the field, what is wrong, what is expected.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file cannot be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// Path.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
    /// TOML syntax, an unknown key or a value of the wrong type (the message names the key).
    #[error("{path}: {message}")]
    Parse {
        /// Path.
        path: String,
        /// toml's message, naming the key and position.
        message: String,
    },
    /// A value out of range.
    #[error("config field `{field}`: {problem} (got {got})")]
    Invalid {
        /// Dotted field name.
        field: &'static str,
        /// What is expected.
        problem: &'static str,
        /// The value given.
        got: String,
    },
}

/// The whole node configuration.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Peer-to-peer networking.
    pub p2p: P2pConfig,
    /// HTTP API.
    pub api: ApiConfig,
    /// Consensus timeouts and block production.
    pub consensus: ConsensusConfig,
    /// Mempool limits.
    pub mempool: MempoolConfig,
    /// Logging.
    pub log: LogConfig,
    /// Scheduled backups.
    pub backup: BackupConfig,
    /// Access journal (SPEC §12).
    pub journal: JournalConfig,
    /// Security event log bounds and rate limits (`crate::security`).
    pub security: crate::security::SecurityConfig,
    /// Who may read `/metrics` (`crate::metrics::access`).
    pub metrics: crate::metrics::access::MetricsConfig,
    /// Where the consensus key lives (`crate::signer`).
    pub signer: crate::signer::SignerConfig,
    /// The ledger database: pruning of old state-tree versions.
    pub storage: StorageConfig,
    /// The regulator console's key handling (`crate::api::console`).
    pub console: crate::api::console::ConsoleConfig,
}

/// `[storage]`: pruning of old state-tree versions (docs/operations.md,
/// "Disk use and pruning"). Blocks, certificates, receipts and the
/// histories of records and notifications are never pruned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StorageConfig {
    /// State-tree versions (heights) kept, the latest included; state proofs
    /// at older heights are refused with `STATE_PRUNED`. 0 keeps all.
    pub retain_state_versions: u64,
    /// Most stale tree entries one commit deletes (the rest go with later commits).
    pub prune_max_deletes_per_block: u64,
}

impl Default for StorageConfig {
    fn default() -> Self {
        StorageConfig {
            retain_state_versions: 0,
            prune_max_deletes_per_block: tamga_state::Ledger::DEFAULT_PRUNE_DELETES_PER_BLOCK,
        }
    }
}

impl StorageConfig {
    fn validate(&self) -> Result<(), ConfigError> {
        if !(1..=100_000_000).contains(&self.prune_max_deletes_per_block) {
            return Err(ConfigError::Invalid {
                field: "storage.prune_max_deletes_per_block",
                problem: "between 1 and 100000000",
                got: self.prune_max_deletes_per_block.to_string(),
            });
        }
        Ok(())
    }

    fn to_documented_toml(&self) -> String {
        format!(
            r#"
[storage]
# State-tree versions (heights) kept, the latest included; state proofs at
# older heights are refused with STATE_PRUNED. 0 keeps every version. Receipt
# bundles stay available for every transaction: each block's signers' account
# proofs are kept at commit while pruning is on. Blocks, certificates,
# receipts and histories are never pruned (docs/operations.md, "Disk use and pruning").
retain_state_versions = {}
# Most stale tree entries one commit deletes; the rest go with the next commits.
prune_max_deletes_per_block = {}
"#,
            self.retain_state_versions, self.prune_max_deletes_per_block
        )
    }
}

/// `[p2p]`. The bounds below are explained, with how to tune them, in
/// docs/operations.md ("Peer-to-peer limits").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct P2pConfig {
    /// libp2p listen address (multiaddr). Loopback by default: a validator
    /// that other organisations reach names its public address here (or
    /// with `tamgad init --p2p-listen`).
    pub listen: String,
    /// Extra peers to dial, as multiaddrs ending in `/p2p/<peer id>` (the
    /// genesis validators' `p2p_address` are always dialled).
    pub peers: Vec<String>,
    /// Keys (hex ed25519) of observer nodes admitted besides the validators (SPEC §9).
    pub observers: Vec<String>,
    /// Largest gossip message accepted, bytes (a proposal carries a whole block).
    pub max_message_bytes: usize,
    /// Transactions per gossip batch.
    pub tx_batch: usize,
    /// Longest wait before a partial gossip batch is sent, ms. Each gossip
    /// message costs every peer a libp2p signature check and a decode per
    /// copy it receives, whatever its size: 100 ms batches cut that cost
    /// fivefold against 20 ms under load, for at most 100 ms more before a
    /// transaction reaches the other validators (docs/performance.md).
    pub tx_batch_delay_ms: u64,
    /// Inbound connections still in their handshake, at most; those beyond
    /// are closed at once (`tamga_p2p_connections_limited_total`).
    pub max_pending_incoming: u32,
    /// Outbound dials still in their handshake, at most.
    pub max_pending_outgoing: u32,
    /// Inbound connections past the handshake, at most (only admitted peers get there).
    pub max_established_incoming: u32,
    /// Connections with one peer, at most.
    pub max_established_per_peer: u32,
    /// Longest TCP connect plus noise and yamux handshake of a connection, ms.
    pub handshake_timeout_ms: u64,
    /// A connection no protocol needs is closed after this, seconds.
    pub idle_timeout_secs: u64,
    /// Most blocks served per sync request (1 to 64).
    pub sync_max_blocks: u32,
    /// Byte budget of one sync response (at most 64 MiB; the first block is
    /// always sent whatever its size).
    pub sync_max_response_bytes: usize,
    /// Sync requests served per peer per second, sustained; over it a
    /// request is refused (`tamga_p2p_sync_refused_total{reason="rate"}`).
    pub sync_requests_per_sec: u32,
    /// Sync requests a peer may make at once after a quiet period.
    pub sync_burst: u32,
    /// Sync requests served at once (ledger reads), at most.
    pub sync_max_concurrent: usize,
    /// Gossiped transaction batches waiting for admission, at most; the next
    /// are dropped first (`tamga_p2p_inbound_dropped_total{kind="txs"}`).
    pub gossip_tx_queue: usize,
    /// Gossiped consensus messages waiting for their signature check, at most.
    pub gossip_consensus_queue: usize,
    /// Consensus messages for a height further than this from the one being
    /// decided are neither relayed nor delivered.
    pub consensus_height_window: u64,
}

impl Default for P2pConfig {
    fn default() -> Self {
        let l = crate::network::Limits::default();
        P2pConfig {
            listen: DEFAULT_P2P_LISTEN.into(),
            peers: Vec::new(),
            observers: Vec::new(),
            max_message_bytes: 32 * 1024 * 1024,
            tx_batch: 512,
            tx_batch_delay_ms: 100,
            max_pending_incoming: l.max_pending_incoming,
            max_pending_outgoing: l.max_pending_outgoing,
            max_established_incoming: l.max_established_incoming,
            max_established_per_peer: l.max_established_per_peer,
            handshake_timeout_ms: l.handshake_timeout.as_millis() as u64,
            idle_timeout_secs: l.idle_timeout.as_secs(),
            sync_max_blocks: l.sync_max_blocks,
            sync_max_response_bytes: l.sync_max_response_bytes,
            sync_requests_per_sec: l.sync_requests_per_sec,
            sync_burst: l.sync_burst,
            sync_max_concurrent: l.sync_max_concurrent,
            gossip_tx_queue: l.gossip_tx_queue,
            gossip_consensus_queue: l.gossip_consensus_queue,
            consensus_height_window: l.consensus_height_window,
        }
    }
}

/// The p2p listen address `tamgad init` writes unless told otherwise:
/// loopback, so that a new node is not reachable from other hosts before
/// its operator decides it should be.
pub const DEFAULT_P2P_LISTEN: &str = "/ip4/127.0.0.1/tcp/26656";

impl P2pConfig {
    /// The network task's bounds.
    pub fn limits(&self) -> crate::network::Limits {
        crate::network::Limits {
            max_pending_incoming: self.max_pending_incoming,
            max_pending_outgoing: self.max_pending_outgoing,
            max_established_incoming: self.max_established_incoming,
            max_established_per_peer: self.max_established_per_peer,
            handshake_timeout: std::time::Duration::from_millis(self.handshake_timeout_ms),
            idle_timeout: std::time::Duration::from_secs(self.idle_timeout_secs),
            sync_max_blocks: self.sync_max_blocks,
            sync_max_response_bytes: self.sync_max_response_bytes,
            sync_requests_per_sec: self.sync_requests_per_sec,
            sync_burst: self.sync_burst,
            sync_max_concurrent: self.sync_max_concurrent,
            gossip_tx_queue: self.gossip_tx_queue,
            gossip_consensus_queue: self.gossip_consensus_queue,
            consensus_height_window: self.consensus_height_window,
        }
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let bad = |field, problem, got: &dyn std::fmt::Display| {
            Err(ConfigError::Invalid { field, problem, got: got.to_string() })
        };
        for (field, v, lo, hi, problem) in [
            ("p2p.max_pending_incoming", u64::from(self.max_pending_incoming), 1, 65_536, "between 1 and 65536"),
            ("p2p.max_pending_outgoing", u64::from(self.max_pending_outgoing), 1, 65_536, "between 1 and 65536"),
            (
                "p2p.max_established_incoming",
                u64::from(self.max_established_incoming),
                1,
                65_536,
                "between 1 and 65536",
            ),
            ("p2p.max_established_per_peer", u64::from(self.max_established_per_peer), 1, 16, "between 1 and 16"),
            ("p2p.handshake_timeout_ms", self.handshake_timeout_ms, 100, 120_000, "between 100 and 120000 ms"),
            ("p2p.idle_timeout_secs", self.idle_timeout_secs, 5, 3_600, "between 5 and 3600 seconds"),
            (
                "p2p.sync_max_blocks",
                u64::from(self.sync_max_blocks),
                1,
                u64::from(crate::network::SYNC_MAX_BLOCKS),
                "between 1 and 64",
            ),
            (
                "p2p.sync_max_response_bytes",
                self.sync_max_response_bytes as u64,
                64 * 1024,
                crate::network::SYNC_MAX_BYTES as u64,
                "between 65536 and 67108864",
            ),
            ("p2p.sync_requests_per_sec", u64::from(self.sync_requests_per_sec), 1, 10_000, "between 1 and 10000"),
            ("p2p.sync_burst", u64::from(self.sync_burst), 1, 10_000, "between 1 and 10000"),
            ("p2p.sync_max_concurrent", self.sync_max_concurrent as u64, 1, 256, "between 1 and 256"),
            ("p2p.gossip_tx_queue", self.gossip_tx_queue as u64, 1, 65_536, "between 1 and 65536 batches"),
            ("p2p.gossip_consensus_queue", self.gossip_consensus_queue as u64, 16, 1_048_576, "between 16 and 1048576"),
            ("p2p.consensus_height_window", self.consensus_height_window, 1, 1_000, "between 1 and 1000 heights"),
        ] {
            if !(lo..=hi).contains(&v) {
                return bad(field, problem, &v);
            }
        }
        Ok(())
    }
}

/// `[api]`. The limits are sized for a process with 1,024 file handles
/// and a few hundred MiB of memory to spare (`docs/operations.md`, "API
/// limits"; `api::limits`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ApiConfig {
    /// Address the HTTP API binds to.
    pub listen: SocketAddr,
    /// Anyone may read the registers (the devnet default). When false, the
    /// chain and registers need a request signed by a registered account,
    /// the regulatory registers a regulator's (`docs/api.md`, access policy).
    pub public_read: bool,
    /// Mining site addresses (a restricted field, SPEC §6) are served only
    /// to requests signed by a `mining` regulator or by the miner itself.
    pub redact_site_addresses: bool,
    /// Open API connections, all clients together; more are closed at accept.
    pub max_connections: usize,
    /// Open API connections per client address (IPv4) or /64 (IPv6).
    pub max_connections_per_ip: usize,
    /// A request's head must arrive within this many ms of when the server
    /// waits for it (also the keep-alive idle timeout).
    pub header_read_timeout_ms: u64,
    /// A request's body must arrive within this many ms (408 `BODY_TIMEOUT`).
    pub body_read_timeout_ms: u64,
    /// A connection with no request in progress that reads and writes
    /// nothing for this many ms is closed (a client that stopped reading).
    pub idle_timeout_ms: u64,
    /// Requests handled at once; more get 503 `OVERLOADED`.
    pub max_in_flight_requests: usize,
    /// Requests per second one client address may sustain (429 `RATE_LIMITED` past it).
    pub rate_limit_per_s: u32,
    /// Requests one client address may send in a burst.
    pub rate_limit_burst: u32,
    /// Client addresses the rate limiter tracks at once.
    pub rate_limit_tracked_addresses: usize,
    /// Bytes of request bodies held by all requests together (503 `BODY_BUDGET_EXHAUSTED` past it).
    pub body_budget_bytes: usize,
    /// Read and write buffer of one connection, bytes.
    pub connection_buffer_bytes: usize,
    /// Kernel send buffer of one connection (`SO_SNDBUF`), bytes.
    pub socket_send_buffer_bytes: usize,
    /// Concurrent `/v1/events` streams.
    pub sse_max_subscribers: usize,
    /// Concurrent `/v1/events` streams per client address.
    pub sse_max_subscribers_per_ip: usize,
    /// Concurrent `/v1/events?account=` feeds of one account.
    pub sse_max_subscribers_per_account: usize,
    /// Bytes of events queued for one stream.
    pub sse_buffer_bytes: usize,
    /// Keep-alive comment interval of an idle event stream, ms.
    pub sse_keep_alive_ms: u64,
    /// A signed request's time may differ from the node's clock by this many ms.
    pub request_window_ms: u64,
    /// Signed requests remembered to refuse replays.
    pub replay_cache_entries: usize,
    /// Serve plain HTTP on a listen address that is not loopback. Without
    /// `[api.tls]` the node refuses to start on such an address unless this
    /// is true (a TLS-terminating proxy in front, a closed test network).
    pub allow_plaintext: bool,
    /// `[api.tls]`: serve HTTPS (HTTP/2 and HTTP/1.1) with these files.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<ApiTlsConfig>,
}

/// `[api.tls]`: TLS on the HTTP API (`docs/operations.md`, "TLS on the
/// API"; `api::tls`). Relative paths are under the node's home.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiTlsConfig {
    /// The node's certificate chain, PEM, leaf first.
    pub cert_file: std::path::PathBuf,
    /// Its private key, PEM (PKCS#8, PKCS#1 or SEC1).
    pub key_file: std::path::PathBuf,
    /// CA certificates (PEM) that client certificates must chain to. When
    /// set, the routes that need a signed request need a client certificate too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_ca_file: Option<std::path::PathBuf>,
    /// A TLS handshake must finish within this many ms of the accept.
    #[serde(default = "ApiTlsConfig::default_handshake_timeout_ms")]
    pub handshake_timeout_ms: u64,
    /// How often the files are checked for a change (size or modification
    /// time) and reloaded, ms; 0: only on SIGHUP.
    #[serde(default = "ApiTlsConfig::default_reload_check_ms")]
    pub reload_check_ms: u64,
    /// Requests handled at once on one HTTP/2 connection.
    #[serde(default = "ApiTlsConfig::default_http2_max_concurrent_streams")]
    pub http2_max_concurrent_streams: u32,
}

impl ApiTlsConfig {
    fn default_handshake_timeout_ms() -> u64 {
        10_000
    }

    fn default_reload_check_ms() -> u64 {
        5_000
    }

    fn default_http2_max_concurrent_streams() -> u32 {
        32
    }

    /// `cert_file` and `key_file` with the defaults of every other setting.
    pub fn new(cert_file: impl Into<std::path::PathBuf>, key_file: impl Into<std::path::PathBuf>) -> ApiTlsConfig {
        ApiTlsConfig {
            cert_file: cert_file.into(),
            key_file: key_file.into(),
            client_ca_file: None,
            handshake_timeout_ms: Self::default_handshake_timeout_ms(),
            reload_check_ms: Self::default_reload_check_ms(),
            http2_max_concurrent_streams: Self::default_http2_max_concurrent_streams(),
        }
    }

    /// The files, relative paths resolved under `home`.
    pub fn files(&self, home: &Path) -> crate::api::tls::TlsFiles {
        crate::api::tls::TlsFiles {
            cert: home.join(&self.cert_file),
            key: home.join(&self.key_file),
            client_ca: self.client_ca_file.as_ref().map(|c| home.join(c)),
        }
    }

    /// `[api.tls]` as `tamgad init` writes it.
    pub fn to_documented_toml(&self) -> String {
        let ca = match &self.client_ca_file {
            Some(c) => format!("client_ca_file = {:?}\n", c.display().to_string()),
            None => "# client_ca_file = \"tls/clients-ca.pem\"\n".to_owned(),
        };
        format!(
            r#"
[api.tls]
# HTTPS (HTTP/2 and HTTP/1.1) with this certificate chain and key (PEM;
# relative paths are under the home). Reloaded on SIGHUP and when the files
# change (checked every reload_check_ms; 0: SIGHUP only); a failed reload
# keeps the previous certificate and logs the file at fault.
cert_file = {cert:?}
key_file = {key:?}
# With a client CA, the routes that need a signed request also need a client
# certificate issued by it (401 CLIENT_CERT_REQUIRED without one).
{ca}handshake_timeout_ms = {hs}
reload_check_ms = {rc}
# Requests handled at once on one HTTP/2 connection.
http2_max_concurrent_streams = {streams}
"#,
            cert = self.cert_file.display().to_string(),
            key = self.key_file.display().to_string(),
            hs = self.handshake_timeout_ms,
            rc = self.reload_check_ms,
            streams = self.http2_max_concurrent_streams,
        )
    }
}

impl Default for ApiConfig {
    fn default() -> Self {
        let l = crate::api::ApiLimits::default();
        ApiConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            public_read: false,
            redact_site_addresses: true,
            max_connections: l.max_connections,
            max_connections_per_ip: l.max_connections_per_ip,
            header_read_timeout_ms: l.header_read_timeout.as_millis() as u64,
            body_read_timeout_ms: l.body_read_timeout.as_millis() as u64,
            idle_timeout_ms: l.idle_timeout.as_millis() as u64,
            max_in_flight_requests: l.max_in_flight_requests,
            rate_limit_per_s: l.rate_limit_per_s,
            rate_limit_burst: l.rate_limit_burst,
            rate_limit_tracked_addresses: l.rate_limit_tracked_addresses,
            body_budget_bytes: l.body_budget_bytes,
            connection_buffer_bytes: l.connection_buffer_bytes,
            socket_send_buffer_bytes: l.socket_send_buffer_bytes,
            sse_max_subscribers: l.sse_max_subscribers,
            sse_max_subscribers_per_ip: l.sse_max_subscribers_per_ip,
            sse_max_subscribers_per_account: l.sse_max_subscribers_per_account,
            sse_buffer_bytes: l.sse_buffer_bytes,
            sse_keep_alive_ms: l.sse_keep_alive.as_millis() as u64,
            request_window_ms: l.request_window_ms,
            replay_cache_entries: l.replay_cache_entries,
            allow_plaintext: false,
            tls: None,
        }
    }
}

impl ApiConfig {
    /// The limits the API server and middleware use.
    pub fn limits(&self) -> crate::api::ApiLimits {
        use std::time::Duration;
        crate::api::ApiLimits {
            max_connections: self.max_connections,
            max_connections_per_ip: self.max_connections_per_ip,
            header_read_timeout: Duration::from_millis(self.header_read_timeout_ms),
            body_read_timeout: Duration::from_millis(self.body_read_timeout_ms),
            idle_timeout: Duration::from_millis(self.idle_timeout_ms),
            max_in_flight_requests: self.max_in_flight_requests,
            rate_limit_per_s: self.rate_limit_per_s,
            rate_limit_burst: self.rate_limit_burst,
            rate_limit_tracked_addresses: self.rate_limit_tracked_addresses,
            body_budget_bytes: self.body_budget_bytes,
            connection_buffer_bytes: self.connection_buffer_bytes,
            socket_send_buffer_bytes: self.socket_send_buffer_bytes,
            sse_max_subscribers: self.sse_max_subscribers,
            sse_max_subscribers_per_ip: self.sse_max_subscribers_per_ip,
            sse_max_subscribers_per_account: self.sse_max_subscribers_per_account,
            sse_buffer_bytes: self.sse_buffer_bytes,
            sse_keep_alive: Duration::from_millis(self.sse_keep_alive_ms),
            request_window_ms: self.request_window_ms,
            replay_cache_entries: self.replay_cache_entries,
        }
    }

    /// Checks the limits' ranges; the error names the field.
    pub fn validate_limits(&self) -> Result<(), ConfigError> {
        fn bad(field: &'static str, problem: &'static str, got: &dyn std::fmt::Display) -> Result<(), ConfigError> {
            Err(ConfigError::Invalid { field, problem, got: got.to_string() })
        }
        let body = crate::api::BODY_LIMIT;
        let ranges: [(&'static str, u64, u64, u64, &'static str); 18] = [
            ("api.max_connections", self.max_connections as u64, 1, 100_000, "between 1 and 100000"),
            ("api.max_connections_per_ip", self.max_connections_per_ip as u64, 1, 100_000, "between 1 and 100000"),
            ("api.header_read_timeout_ms", self.header_read_timeout_ms, 100, 600_000, "between 100 and 600000 ms"),
            ("api.body_read_timeout_ms", self.body_read_timeout_ms, 100, 600_000, "between 100 and 600000 ms"),
            ("api.max_in_flight_requests", self.max_in_flight_requests as u64, 1, 100_000, "between 1 and 100000"),
            ("api.rate_limit_per_s", u64::from(self.rate_limit_per_s), 1, 1_000_000, "between 1 and 1000000"),
            ("api.rate_limit_burst", u64::from(self.rate_limit_burst), 1, 1_000_000, "between 1 and 1000000"),
            (
                "api.rate_limit_tracked_addresses",
                self.rate_limit_tracked_addresses as u64,
                1,
                10_000_000,
                "between 1 and 10000000",
            ),
            (
                "api.body_budget_bytes",
                self.body_budget_bytes as u64,
                body as u64,
                1 << 32,
                "between the largest body (4194304) and 4294967296",
            ),
            (
                "api.connection_buffer_bytes",
                self.connection_buffer_bytes as u64,
                8192,
                16 << 20,
                "between 8192 and 16777216",
            ),
            (
                "api.socket_send_buffer_bytes",
                self.socket_send_buffer_bytes as u64,
                4096,
                16 << 20,
                "between 4096 and 16777216",
            ),
            (
                "api.sse_max_subscribers",
                self.sse_max_subscribers as u64,
                0,
                100_000,
                "at most 100000 (0: no event streams)",
            ),
            (
                "api.sse_max_subscribers_per_ip",
                self.sse_max_subscribers_per_ip as u64,
                1,
                100_000,
                "between 1 and 100000",
            ),
            (
                "api.sse_max_subscribers_per_account",
                self.sse_max_subscribers_per_account as u64,
                1,
                1_000,
                "between 1 and 1000",
            ),
            ("api.sse_buffer_bytes", self.sse_buffer_bytes as u64, 4096, 64 << 20, "between 4096 and 67108864"),
            ("api.sse_keep_alive_ms", self.sse_keep_alive_ms, 100, 600_000, "between 100 and 600000 ms"),
            ("api.request_window_ms", self.request_window_ms, 1_000, 600_000, "between 1000 and 600000 ms"),
            ("api.replay_cache_entries", self.replay_cache_entries as u64, 1, 10_000_000, "between 1 and 10000000"),
        ];
        for (field, v, lo, hi, problem) in ranges {
            if !(lo..=hi).contains(&v) {
                return bad(field, problem, &v);
            }
        }
        self.validate_transport()?;
        if self.idle_timeout_ms <= self.sse_keep_alive_ms || self.idle_timeout_ms > 3_600_000 {
            return bad(
                "api.idle_timeout_ms",
                "more than api.sse_keep_alive_ms (an idle event stream would be closed) and at most 3600000 ms",
                &self.idle_timeout_ms,
            );
        }
        Ok(())
    }

    /// Plain HTTP only on loopback (or with `allow_plaintext`); the TLS
    /// settings' ranges.
    pub fn validate_transport(&self) -> Result<(), ConfigError> {
        let bad = |field, problem, got: &dyn std::fmt::Display| {
            Err(ConfigError::Invalid { field, problem, got: got.to_string() })
        };
        let Some(tls) = &self.tls else {
            if !self.listen.ip().is_loopback() && !self.allow_plaintext {
                return bad(
                    "api.listen",
                    "a loopback address for plain HTTP: to serve other hosts set [api.tls] (cert_file, key_file), \
                     or set api.allow_plaintext = true behind a TLS-terminating proxy",
                    &self.listen,
                );
            }
            return Ok(());
        };
        if tls.cert_file.as_os_str().is_empty() {
            return bad("api.tls.cert_file", "a PEM certificate file", &"\"\"");
        }
        if tls.key_file.as_os_str().is_empty() {
            return bad("api.tls.key_file", "a PEM private key file", &"\"\"");
        }
        if tls.client_ca_file.as_ref().is_some_and(|c| c.as_os_str().is_empty()) {
            return bad("api.tls.client_ca_file", "a PEM CA certificate file (or no setting)", &"\"\"");
        }
        if !(100..=60_000).contains(&tls.handshake_timeout_ms) {
            return bad("api.tls.handshake_timeout_ms", "between 100 and 60000 ms", &tls.handshake_timeout_ms);
        }
        if tls.reload_check_ms != 0 && !(100..=3_600_000).contains(&tls.reload_check_ms) {
            return bad(
                "api.tls.reload_check_ms",
                "0 (SIGHUP only) or between 100 and 3600000 ms",
                &tls.reload_check_ms,
            );
        }
        if !(1..=1_000).contains(&tls.http2_max_concurrent_streams) {
            return bad(
                "api.tls.http2_max_concurrent_streams",
                "between 1 and 1000",
                &tls.http2_max_concurrent_streams,
            );
        }
        Ok(())
    }

    /// The limits' part of `[api]` in the file `tamgad init` writes.
    pub fn limits_toml(&self) -> String {
        format!(
            r#"# Limits (docs/operations.md, "API limits"). The defaults suit a process with
# 1,024 open files: they leave most handles to RocksDB, p2p, the journal and
# the safety state.
# Connections, all together and per client address (IPv4) or /64 (IPv6);
# more are closed at accept, before a byte is read.
max_connections = {mc}
max_connections_per_ip = {mcip}
# A request's head must arrive within header_read_timeout_ms (this also closes
# idle keep-alive connections), its body within body_read_timeout_ms (408).
header_read_timeout_ms = {hrt}
body_read_timeout_ms = {brt}
# A connection with no request in progress that reads and writes nothing for
# idle_timeout_ms is closed (a client that stopped reading its answer or its
# event stream). Must exceed sse_keep_alive_ms.
idle_timeout_ms = {idle}
# Requests handled at once (503 OVERLOADED past it).
max_in_flight_requests = {inflight}
# Per client address: requests per second sustained and in a burst
# (429 RATE_LIMITED with Retry-After), and how many addresses are tracked.
rate_limit_per_s = {rps}
rate_limit_burst = {burst}
rate_limit_tracked_addresses = {tracked}
# Bytes of request bodies held by all requests together (503 BODY_BUDGET_EXHAUSTED).
body_budget_bytes = {budget}
# Read and write buffer of one connection, and its kernel send buffer
# (SO_SNDBUF), bytes: what a client that does not read can make the node hold.
connection_buffer_bytes = {cbuf}
socket_send_buffer_bytes = {sndbuf}
# Event streams (/v1/events): in all, per client address, per account feed
# (?account=), bytes queued per stream, keep-alive interval (ms).
sse_max_subscribers = {smax}
sse_max_subscribers_per_ip = {sip}
sse_max_subscribers_per_account = {sacc}
sse_buffer_bytes = {sbuf}
sse_keep_alive_ms = {ska}
# Signed requests: accepted within request_window_ms of this node's clock;
# replay_cache_entries remembered to refuse replays (REQUEST_REPLAYED).
request_window_ms = {window}
replay_cache_entries = {replay}
"#,
            mc = self.max_connections,
            mcip = self.max_connections_per_ip,
            hrt = self.header_read_timeout_ms,
            brt = self.body_read_timeout_ms,
            idle = self.idle_timeout_ms,
            inflight = self.max_in_flight_requests,
            rps = self.rate_limit_per_s,
            burst = self.rate_limit_burst,
            tracked = self.rate_limit_tracked_addresses,
            budget = self.body_budget_bytes,
            cbuf = self.connection_buffer_bytes,
            sndbuf = self.socket_send_buffer_bytes,
            smax = self.sse_max_subscribers,
            sip = self.sse_max_subscribers_per_ip,
            sacc = self.sse_max_subscribers_per_account,
            sbuf = self.sse_buffer_bytes,
            ska = self.sse_keep_alive_ms,
            window = self.request_window_ms,
            replay = self.replay_cache_entries,
        )
    }
}

/// `[consensus]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConsensusConfig {
    /// `timeoutPropose` of round 0, ms.
    pub timeout_propose_ms: u64,
    /// `timeoutPrevote` of round 0, ms.
    pub timeout_prevote_ms: u64,
    /// `timeoutPrecommit` of round 0, ms.
    pub timeout_precommit_ms: u64,
    /// Added to every timeout per round (linear back-off), ms.
    pub timeout_delta_ms: u64,
    /// A proposer with an empty mempool waits this long for transactions
    /// before proposing an empty block, ms.
    pub empty_block_wait_ms: u64,
    /// Proposals whose time is further ahead of the local clock are refused, ms.
    pub max_clock_drift_ms: u64,
    /// Interval of the engine's retransmission of its own messages, ms.
    pub rebroadcast_ms: u64,
}

impl Default for ConsensusConfig {
    fn default() -> Self {
        ConsensusConfig {
            timeout_propose_ms: 3000,
            timeout_prevote_ms: 1000,
            timeout_precommit_ms: 1000,
            timeout_delta_ms: 500,
            empty_block_wait_ms: 1000,
            max_clock_drift_ms: 10_000,
            rebroadcast_ms: 2000,
        }
    }
}

/// `[mempool]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MempoolConfig {
    /// Most transactions held.
    pub max_txs: usize,
    /// Most bytes held.
    pub max_bytes: usize,
    /// Most transactions waiting per account.
    pub max_per_account: usize,
}

impl Default for MempoolConfig {
    fn default() -> Self {
        let d = crate::mempool::MempoolLimits::default();
        MempoolConfig { max_txs: d.max_txs, max_bytes: d.max_bytes, max_per_account: d.max_per_account }
    }
}

/// `[log]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// `text` or `json`.
    pub format: String,
    /// A tracing filter, e.g. `info` or `info,tamga::consensus=debug` (`RUST_LOG` overrides).
    pub filter: String,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig { format: "text".into(), filter: "info".into() }
    }
}

/// `[backup]`: scheduled backups (`crate::backup`, docs/operations.md).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BackupConfig {
    /// Make a backup every `interval_secs` while the node runs.
    pub enabled: bool,
    /// Directory of the scheduled backups (relative paths are under the home).
    /// Put it on another disk than `data/` to survive the loss of that disk.
    pub dir: std::path::PathBuf,
    /// Seconds between backups.
    pub interval_secs: u64,
}

impl Default for BackupConfig {
    fn default() -> Self {
        BackupConfig { enabled: false, dir: "backups".into(), interval_secs: 86_400 }
    }
}

/// `[journal]`: the access journal of every API request (SPEC §12, `docs/journal.md`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct JournalConfig {
    /// Journal every API request. On by default: the law requires it of an
    /// operating node (Law art. 55 p.3(2)); off only for measurements.
    pub enabled: bool,
    /// Directory of the journal segments; a relative path is under the home directory.
    pub dir: String,
    /// A segment is archived before it would grow past this size, bytes.
    pub max_segment_bytes: u64,
    /// Also archive the segment when the UTC day changes.
    pub rotate_daily: bool,
    /// Longest time an entry stays written but not fsynced, ms.
    pub sync_interval_ms: u64,
    /// Entries waiting for the writer, at most.
    pub queue: usize,
    /// Longest wait of a request for a place in a full queue before it is
    /// refused with 503 `JOURNAL_UNAVAILABLE`, ms.
    pub enqueue_timeout_ms: u64,
}

impl Default for JournalConfig {
    fn default() -> Self {
        let d = crate::journal::Settings::in_dir("journal");
        JournalConfig {
            enabled: true,
            dir: "journal".into(),
            max_segment_bytes: d.max_segment_bytes,
            rotate_daily: d.rotate_daily,
            sync_interval_ms: d.sync_interval.as_millis() as u64,
            queue: d.queue,
            enqueue_timeout_ms: d.enqueue_timeout.as_millis() as u64,
        }
    }
}

impl JournalConfig {
    /// The journal directory of a node whose home is `home`.
    pub fn dir_in(&self, home: &Path) -> std::path::PathBuf {
        home.join(&self.dir)
    }

    /// The writer's settings for a node whose home is `home`.
    pub fn settings(&self, home: &Path) -> crate::journal::Settings {
        crate::journal::Settings {
            dir: self.dir_in(home),
            max_segment_bytes: self.max_segment_bytes,
            rotate_daily: self.rotate_daily,
            sync_interval: std::time::Duration::from_millis(self.sync_interval_ms),
            queue: self.queue,
            enqueue_timeout: std::time::Duration::from_millis(self.enqueue_timeout_ms),
        }
    }
}

impl Config {
    /// Reads and validates `path`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let p = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: p.clone(), source })?;
        let cfg: Config = toml::from_str(&text).map_err(|e| ConfigError::Parse { path: p, message: e.to_string() })?;
        cfg.validate()?;
        Ok(cfg)
    }

    /// Range checks that serde cannot express.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let bad = |field, problem, got: &dyn std::fmt::Display| {
            Err(ConfigError::Invalid { field, problem, got: got.to_string() })
        };
        if self.p2p.listen.parse::<libp2p::Multiaddr>().is_err() {
            return bad("p2p.listen", "a multiaddr such as /ip4/127.0.0.1/tcp/26656", &self.p2p.listen);
        }
        for p in &self.p2p.peers {
            let ok = p
                .parse::<libp2p::Multiaddr>()
                .is_ok_and(|a| a.iter().any(|proto| matches!(proto, libp2p::multiaddr::Protocol::P2p(_))));
            if !ok {
                return bad("p2p.peers", "multiaddrs ending in /p2p/<peer id>", p);
            }
        }
        for o in &self.p2p.observers {
            if tamga_types::PublicKey::from_hex(o).is_err() {
                return bad("p2p.observers", "64 hex characters (an ed25519 public key)", o);
            }
        }
        if self.p2p.max_message_bytes < 1024 * 1024 {
            return bad("p2p.max_message_bytes", "at least 1048576", &self.p2p.max_message_bytes);
        }
        if self.p2p.tx_batch == 0 || self.p2p.tx_batch > 4096 {
            return bad("p2p.tx_batch", "between 1 and 4096", &self.p2p.tx_batch);
        }
        self.p2p.validate()?;
        self.signer.validate()?;
        self.api.validate_limits()?;
        let c = &self.consensus;
        for (field, v) in [
            ("consensus.timeout_propose_ms", c.timeout_propose_ms),
            ("consensus.timeout_prevote_ms", c.timeout_prevote_ms),
            ("consensus.timeout_precommit_ms", c.timeout_precommit_ms),
            ("consensus.rebroadcast_ms", c.rebroadcast_ms),
        ] {
            if !(10..=600_000).contains(&v) {
                return bad(field, "between 10 and 600000 ms", &v);
            }
        }
        if c.empty_block_wait_ms >= c.timeout_propose_ms {
            return bad(
                "consensus.empty_block_wait_ms",
                "less than consensus.timeout_propose_ms (others would time the proposer out)",
                &c.empty_block_wait_ms,
            );
        }
        if self.mempool.max_txs == 0 || self.mempool.max_bytes < 64 * 1024 || self.mempool.max_per_account == 0 {
            return bad(
                "mempool",
                "max_txs ≥ 1, max_bytes ≥ 65536, max_per_account ≥ 1",
                &format!("{:?}", self.mempool),
            );
        }
        if !matches!(self.log.format.as_str(), "text" | "json") {
            return bad("log.format", "`text` or `json`", &self.log.format);
        }
        if !(60..=31_536_000).contains(&self.backup.interval_secs) {
            return bad("backup.interval_secs", "between 60 and 31536000 seconds", &self.backup.interval_secs);
        }
        if self.backup.dir.as_os_str().is_empty() {
            return bad("backup.dir", "a directory path", &"\"\"");
        }
        let j = &self.journal;
        if j.dir.trim().is_empty() {
            return bad("journal.dir", "a directory (relative to the home or absolute)", &format!("{:?}", j.dir));
        }
        if j.max_segment_bytes < 64 * 1024 {
            return bad("journal.max_segment_bytes", "at least 65536", &j.max_segment_bytes);
        }
        if !(1..=10_000).contains(&j.sync_interval_ms) {
            return bad("journal.sync_interval_ms", "between 1 and 10000 ms", &j.sync_interval_ms);
        }
        if !(1..=1_048_576).contains(&j.queue) {
            return bad("journal.queue", "between 1 and 1048576 entries", &j.queue);
        }
        if !(1..=60_000).contains(&j.enqueue_timeout_ms) {
            return bad("journal.enqueue_timeout_ms", "between 1 and 60000 ms", &j.enqueue_timeout_ms);
        }
        self.security.validate()?;
        self.metrics.validate()?;
        self.storage.validate()?;
        self.console.validate(self.api.tls.is_some(), self.api.listen)?;
        Ok(())
    }

    /// The file `tamgad init` writes: every field with its doc comment.
    pub fn to_documented_toml(&self) -> String {
        let c = &self.consensus;
        let q = |v: &[String]| {
            let items: Vec<String> = v.iter().map(|s| format!("{s:?}")).collect();
            format!("[{}]", items.join(", "))
        };
        let mut text = format!(
            r#"# Tamga node configuration (tamgad). Every key is optional; the value shown
# is the default unless `tamgad init`/`testnet` chose one for this node.

[p2p]
# libp2p listen address (multiaddr). Loopback unless the operator chose one:
# a validator that other organisations reach listens on its public address,
# e.g. "/ip4/0.0.0.0/tcp/26656" (`tamgad init --p2p-listen`).
listen = {listen:?}
# Extra peers to dial: multiaddrs ending in /p2p/<peer id>. The validators'
# p2p addresses from genesis.json are always dialled.
peers = {peers}
# Observer node keys (hex ed25519) admitted besides the validators (SPEC §9).
observers = {observers}
# Largest gossip message accepted, bytes (a proposal carries a whole block).
max_message_bytes = {mmb}
# Transactions per gossip batch, and the longest wait before a partial batch is sent (ms).
tx_batch = {txb}
tx_batch_delay_ms = {txd}
# Connection bounds (docs/operations.md, "Peer-to-peer limits"). Connections
# still in their handshake, inbound and outbound; those beyond are closed at once.
max_pending_incoming = {p_in}
max_pending_outgoing = {p_out}
# Connections past the handshake (only validators and observers get there):
# inbound in all, and per peer.
max_established_incoming = {e_in}
max_established_per_peer = {e_peer}
# TCP connect plus noise and yamux handshake must finish within this (ms).
handshake_timeout_ms = {hs}
# A connection no protocol needs is closed after this (seconds).
idle_timeout_secs = {idle}
# Block sync served to a peer: blocks and bytes per response, requests per
# second per peer (sustained, and at once), requests served at once.
sync_max_blocks = {s_blocks}
sync_max_response_bytes = {s_bytes}
sync_requests_per_sec = {s_rate}
sync_burst = {s_burst}
sync_max_concurrent = {s_conc}
# Gossip waiting for its check: transaction batches (dropped first when
# full) and consensus messages.
gossip_tx_queue = {q_tx}
gossip_consensus_queue = {q_cons}
# Consensus messages further than this many heights from ours are not relayed.
consensus_height_window = {win}

[api]
# HTTP API bind address (JSON API, /metrics, web console).
listen = "{api}"
# Read access (docs/api.md, "Access policy"). true: anyone may read every
# register (devnet). false: the chain and registers need a request signed by
# a registered account, mining and activity notifications a regulator's.
public_read = {public_read}
# true: mining site addresses (restricted, SPEC §6) are served only to
# requests signed by a regulator with the mining scope or by the miner.
redact_site_addresses = {redact}
# Plain HTTP is served on loopback only: any other listen address needs
# [api.tls] below, or allow_plaintext = true (a TLS-terminating proxy in front).
allow_plaintext = {plaintext}
{api_limits}{api_tls}
[consensus]
# Round-0 timeouts (ms); each grows by timeout_delta_ms per round.
timeout_propose_ms = {tp}
timeout_prevote_ms = {tv}
timeout_precommit_ms = {tc}
timeout_delta_ms = {td}
# A proposer with an empty mempool waits this long before proposing an empty block (ms).
empty_block_wait_ms = {eb}
# Proposals timed further ahead of the local clock are refused (ms).
max_clock_drift_ms = {drift}
# Retransmission interval of this node's own consensus messages (ms).
rebroadcast_ms = {rb}

[mempool]
# Bounds: transactions, bytes, transactions waiting per account. When full,
# the API answers 503/429 with a reason instead of growing.
max_txs = {mt}
max_bytes = {mbytes}
max_per_account = {mpa}

[log]
# "text" or "json".
format = {fmt:?}
# tracing filter (RUST_LOG overrides), e.g. "info,tamga::consensus=debug".
filter = {filter:?}

[backup]
# Scheduled backups: every interval_secs the node checkpoints its ledger into
# a new directory under dir (relative to the home), verifies it, and only then
# deletes the older ones. `tamgad backup create|verify|restore` work without it.
enabled = {bk_on}
dir = {bk_dir:?}
interval_secs = {bk_every}
[journal]
# Access journal of every API request, hash-chained (SPEC §12, docs/journal.md).
# Required by law on an operating node; turn off only for measurements.
enabled = {j_on}
# Segment directory; a relative path is under the home directory.
dir = {j_dir:?}
# A segment is archived (segment-<first seq>.jsonl) before it passes this size (bytes),
# and also when the UTC day changes if rotate_daily is true.
max_segment_bytes = {j_max}
rotate_daily = {j_daily}
# Longest time an entry stays written but not fsynced (ms).
sync_interval_ms = {j_sync}
# Entries waiting for the writer; when the queue stays full for enqueue_timeout_ms,
# requests are refused with 503 JOURNAL_UNAVAILABLE rather than served unrecorded.
queue = {j_queue}
enqueue_timeout_ms = {j_timeout}
"#,
            listen = self.p2p.listen,
            peers = q(&self.p2p.peers),
            observers = q(&self.p2p.observers),
            mmb = self.p2p.max_message_bytes,
            txb = self.p2p.tx_batch,
            txd = self.p2p.tx_batch_delay_ms,
            p_in = self.p2p.max_pending_incoming,
            p_out = self.p2p.max_pending_outgoing,
            e_in = self.p2p.max_established_incoming,
            e_peer = self.p2p.max_established_per_peer,
            hs = self.p2p.handshake_timeout_ms,
            idle = self.p2p.idle_timeout_secs,
            s_blocks = self.p2p.sync_max_blocks,
            s_bytes = self.p2p.sync_max_response_bytes,
            s_rate = self.p2p.sync_requests_per_sec,
            s_burst = self.p2p.sync_burst,
            s_conc = self.p2p.sync_max_concurrent,
            q_tx = self.p2p.gossip_tx_queue,
            q_cons = self.p2p.gossip_consensus_queue,
            win = self.p2p.consensus_height_window,
            api = self.api.listen,
            public_read = self.api.public_read,
            redact = self.api.redact_site_addresses,
            api_limits = self.api.limits_toml(),
            plaintext = self.api.allow_plaintext,
            api_tls = match &self.api.tls {
                Some(t) => t.to_documented_toml(),
                None => "\n# HTTPS: [api.tls] with cert_file, key_file and optionally client_ca_file\n\
                         # (docs/operations.md, \"TLS on the API\").\n"
                    .to_owned(),
            },
            tp = c.timeout_propose_ms,
            tv = c.timeout_prevote_ms,
            tc = c.timeout_precommit_ms,
            td = c.timeout_delta_ms,
            eb = c.empty_block_wait_ms,
            drift = c.max_clock_drift_ms,
            rb = c.rebroadcast_ms,
            mt = self.mempool.max_txs,
            mbytes = self.mempool.max_bytes,
            mpa = self.mempool.max_per_account,
            fmt = self.log.format,
            filter = self.log.filter,
            bk_on = self.backup.enabled,
            bk_dir = self.backup.dir.display().to_string(),
            bk_every = self.backup.interval_secs,
            j_on = self.journal.enabled,
            j_dir = self.journal.dir,
            j_max = self.journal.max_segment_bytes,
            j_daily = self.journal.rotate_daily,
            j_sync = self.journal.sync_interval_ms,
            j_queue = self.journal.queue,
            j_timeout = self.journal.enqueue_timeout_ms,
        );
        text.push_str(&self.security.to_documented_toml());
        text.push_str(&self.metrics.to_documented_toml());
        text.push_str(&self.signer.to_documented_toml());
        text.push_str(&self.storage.to_documented_toml());
        text.push_str(&self.console.to_documented_toml());
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_toml_roundtrips_to_the_same_config() {
        let mut c = Config::default();
        c.p2p.peers = vec!["/ip4/127.0.0.1/tcp/1/p2p/12D3KooWGzh5oPBPxo6RnD6yC5UVEXkMNhgApV6ThNSUTTMGwbh2".into()];
        c.api.listen = "127.0.0.1:9000".parse().unwrap();
        c.api.public_read = true;
        c.journal.dir = "/var/log/tamga/journal".into();
        c.journal.rotate_daily = false;
        c.security.per_source = 2;
        c.security.critical_keep_files = 3;
        c.metrics.allow = vec!["10.0.0.0/8".into()];
        c.metrics.bearer_token_file = "metrics.token".into();
        c.p2p.max_pending_incoming = 7;
        c.p2p.sync_requests_per_sec = 3;
        c.p2p.consensus_height_window = 5;
        let text = c.to_documented_toml();
        let back: Config = toml::from_str(&text).unwrap();
        assert_eq!(back, c);
        back.validate().unwrap();
    }

    #[test]
    fn the_default_p2p_listen_address_is_loopback_and_bounds_are_far_below_an_hour() {
        let c = Config::default();
        assert_eq!(c.p2p.listen, "/ip4/127.0.0.1/tcp/26656");
        assert!(c.to_documented_toml().contains("listen = \"/ip4/127.0.0.1/tcp/26656\""));
        let l = c.p2p.limits();
        assert_eq!(l, crate::network::Limits::default());
        assert!(l.idle_timeout <= std::time::Duration::from_secs(60));
        assert!(l.handshake_timeout <= std::time::Duration::from_secs(10));
        c.validate().unwrap();
    }

    #[test]
    fn errors_name_the_field() {
        let e = toml::from_str::<Config>("[p2p]\nlisten_addr = \"x\"\n").unwrap_err().to_string();
        assert!(e.contains("listen_addr"), "{e}");
        let mut c = Config::default();
        c.log.format = "yaml".into();
        let e = c.validate().unwrap_err().to_string();
        assert!(e.contains("log.format") && e.contains("yaml"), "{e}");
        let mut c = Config::default();
        c.p2p.idle_timeout_secs = 3600 * 24;
        let e = c.validate().unwrap_err().to_string();
        assert!(e.contains("p2p.idle_timeout_secs") && e.contains("86400"), "{e}");
        let mut c = Config::default();
        c.p2p.sync_max_blocks = 65;
        assert!(c.validate().unwrap_err().to_string().contains("p2p.sync_max_blocks"));
        let mut c = Config::default();
        c.p2p.peers = vec!["/ip4/1.2.3.4/tcp/1".into()];
        assert!(c.validate().unwrap_err().to_string().contains("p2p.peers"));
        let mut c = Config::default();
        c.consensus.empty_block_wait_ms = 5000;
        assert!(c.validate().unwrap_err().to_string().contains("empty_block_wait_ms"));
        let mut c = Config::default();
        c.journal.max_segment_bytes = 10;
        assert!(c.validate().unwrap_err().to_string().contains("journal.max_segment_bytes"));
        let mut c = Config::default();
        c.security.per_source = c.security.global + 1;
        assert!(c.validate().unwrap_err().to_string().contains("security.per_source"));
        let mut c = Config::default();
        c.metrics.allow = vec!["300.0.0.1/8".into()];
        assert!(c.validate().unwrap_err().to_string().contains("metrics.allow"));
        let mut c = Config::default();
        c.api.idle_timeout_ms = c.api.sse_keep_alive_ms;
        assert!(c.validate().unwrap_err().to_string().contains("api.idle_timeout_ms"));
        let mut c = Config::default();
        c.api.max_connections = 0;
        let e = c.validate().unwrap_err().to_string();
        assert!(e.contains("api.max_connections") && e.contains("got 0"), "{e}");
    }

    #[test]
    fn api_limits_come_from_the_config() {
        let mut c = Config::default();
        assert_eq!(c.api.limits(), crate::api::ApiLimits::default());
        c.api.max_connections_per_ip = 7;
        c.api.request_window_ms = 5_000;
        let l = c.api.limits();
        assert_eq!((l.max_connections_per_ip, l.request_window_ms), (7, 5_000));
        let back: Config = toml::from_str(&c.to_documented_toml()).unwrap();
        assert_eq!(back.api, c.api);
    }

    #[test]
    fn plain_http_only_on_loopback_unless_allowed() {
        let mut c = Config::default();
        for ok in ["127.0.0.1:8080", "127.0.0.2:8080", "[::1]:8080"] {
            c.api.listen = ok.parse().unwrap();
            c.validate().unwrap();
        }
        for public in ["0.0.0.0:8080", "192.0.2.7:8080", "[::]:8080"] {
            c.api.listen = public.parse().unwrap();
            let e = c.validate().unwrap_err().to_string();
            assert!(e.contains("api.listen") && e.contains("[api.tls]") && e.contains(public), "{e}");
            c.api.allow_plaintext = true;
            c.validate().unwrap();
            c.api.allow_plaintext = false;
            c.api.tls = Some(ApiTlsConfig::new("tls/node.pem", "tls/node.key"));
            c.validate().unwrap();
            c.api.tls = None;
        }
    }

    #[test]
    fn tls_settings_are_checked_and_roundtrip() {
        let mut c = Config::default();
        c.api.listen = "0.0.0.0:8443".parse().unwrap();
        let mut tls = ApiTlsConfig::new("tls/node.pem", "/etc/tamga/node.key");
        tls.client_ca_file = Some("tls/clients.pem".into());
        c.api.tls = Some(tls.clone());
        let back: Config = toml::from_str(&c.to_documented_toml()).unwrap();
        assert_eq!(back.api, c.api);
        back.validate().unwrap();
        let files = tls.files(Path::new("/home/n"));
        assert_eq!(files.cert, Path::new("/home/n/tls/node.pem"));
        assert_eq!(files.key, Path::new("/etc/tamga/node.key"), "absolute paths stay");
        for (field, edit) in [
            ("api.tls.handshake_timeout_ms", (|t: &mut ApiTlsConfig| t.handshake_timeout_ms = 0) as fn(&mut _)),
            ("api.tls.reload_check_ms", |t| t.reload_check_ms = 5),
            ("api.tls.http2_max_concurrent_streams", |t| t.http2_max_concurrent_streams = 0),
            ("api.tls.cert_file", |t| t.cert_file = "".into()),
            ("api.tls.key_file", |t| t.key_file = "".into()),
        ] {
            let mut t = tls.clone();
            edit(&mut t);
            c.api.tls = Some(t);
            let e = c.validate().unwrap_err().to_string();
            assert!(e.contains(field), "{field}: {e}");
        }
        // Without the files the section is refused by name.
        let e = toml::from_str::<Config>("[api.tls]\ncert_file = \"a.pem\"\n").unwrap_err().to_string();
        assert!(e.contains("key_file"), "{e}");
        let e = toml::from_str::<Config>("[api.tls]\ncert_file = \"a\"\nkey_file = \"b\"\ncert = 1\n").unwrap_err();
        assert!(e.to_string().contains("cert"), "{e}");
    }
}
