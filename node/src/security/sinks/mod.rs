//! Security events pushed to a monitoring centre (Law on Informatization
//! art. 17 p.2-1, art. 54 p.2: the centre receives them as they happen):
//! `[security.sinks]` of `config.toml` names a webhook ([`webhook`], signed
//! JSON over HTTP or HTTPS) and/or a syslog receiver ([`syslog`], RFC 5424
//! over TCP or TLS); [`tls`] builds the TLS client side of both.
//!
//! Every record the [`SecurityLog`] writes is also appended, under the
//! log's lock (so in `seq` order) and fdatasynced, to each sink's durable
//! [`Outbox`] in `HOME/data/sinks/<sink>/`. One task per sink delivers the
//! outbox oldest first ([`deliver::run`]): a confirmed batch is
//! acknowledged (the acknowledged seq is persisted), a failed one retried
//! with exponential back-off. Nothing recorded is lost across a restart or
//! `kill -9`; a record may arrive twice (at least once), and the receiver
//! drops a `seq` it has seen. The log numbers its records above the highest
//! seq any outbox holds, so a seq is never reused.
//!
//! The webhook is signed with the node's sink identity key,
//! `HOME/data/identity.key` (created at the first start with a sink, mode
//! 0600; its public key also in `identity.pub`): a key of its own under its
//! own domain tag, never the consensus key, which signs blocks and votes
//! only and may sit in an HSM.
//!
//! Metrics per sink (label `sink`): `tamga_security_sink_backlog`,
//! `tamga_security_sink_delivered_total`,
//! `tamga_security_sink_failed_attempts_total`,
//! `tamga_security_sink_dropped_total`.

pub mod config;
pub mod deliver;
pub mod outbox;
pub mod syslog;
pub mod tls;
pub mod webhook;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use tamga_types::SigningKey;

pub use config::{SinksConfig, SyslogConfig, WebhookConfig};
pub use outbox::{Dropped, Outbox, OutboxError, OutboxMetrics};

use super::SecurityLog;
use crate::home::{read_key, write_atomic, write_key, Home, KeyFileError};

/// A delivery that failed (retried after the back-off).
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    /// The request could not be made or got no answer.
    #[error("webhook {url}: {}", error_chain(source))]
    Http {
        /// The URL.
        url: String,
        /// Cause.
        source: reqwest::Error,
    },
    /// The centre answered with a status other than 2xx.
    #[error("webhook {url}: answered HTTP {status}, expected 2xx")]
    Status {
        /// The URL.
        url: String,
        /// The status code.
        status: u16,
    },
    /// No TCP connection.
    #[error("syslog {addr}: cannot connect: {source}")]
    Connect {
        /// The address.
        addr: String,
        /// Cause.
        source: std::io::Error,
    },
    /// The TLS handshake failed (a certificate of another CA or for
    /// another name, a receiver that does not speak TLS).
    #[error("syslog {addr}: TLS handshake failed: {source}")]
    Tls {
        /// The address.
        addr: String,
        /// Cause.
        source: std::io::Error,
    },
    /// The TLS handshake did not finish within `handshake_timeout_ms`.
    #[error("syslog {addr}: no TLS handshake within {ms} ms (does the receiver speak TLS?)")]
    HandshakeTimeout {
        /// The address.
        addr: String,
        /// `security.sinks.syslog.tls.handshake_timeout_ms`.
        ms: u64,
    },
    /// The receiver's name is neither a DNS name nor an IP address.
    #[error(
        "syslog {addr}: `{name}` cannot be checked against a certificate: set security.sinks.syslog.tls.server_name"
    )]
    ServerName {
        /// The address.
        addr: String,
        /// The name.
        name: String,
    },
    /// The write failed.
    #[error("syslog {addr}: write failed: {source}")]
    Write {
        /// The address.
        addr: String,
        /// Cause.
        source: std::io::Error,
    },
    /// The receiver closed the connection before the batch settled.
    #[error("syslog {addr}: the receiver closed the connection")]
    Closed {
        /// The address.
        addr: String,
    },
}

/// An error with its causes (`a: b: c`): reqwest's own message leaves out
/// why the request failed (a refused connection, an unknown issuer).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let s = c.to_string();
        if !out.contains(&s) {
            out.push_str(": ");
            out.push_str(&s);
        }
        cause = c.source();
    }
    out
}

/// Why the sinks could not be started.
#[derive(Debug, thiserror::Error)]
pub enum SinksStartError {
    /// An outbox could not be opened.
    #[error(transparent)]
    Outbox(#[from] OutboxError),
    /// The identity key could not be read or created.
    #[error("sink identity key {path}: {source}")]
    Identity {
        /// The key file.
        path: String,
        /// Cause.
        source: KeyFileError,
    },
    /// The identity key could not be written.
    #[error("sink identity key {path}: cannot write: {source}")]
    IdentityWrite {
        /// The key file.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
    /// The webhook client or the syslog transport could not be built.
    #[error(transparent)]
    Transport(#[from] SinkError),
    /// A TLS setting of a sink cannot be used.
    #[error(transparent)]
    Tls(#[from] tls::SinkTlsError),
}

/// The metric families of the sinks, labelled `sink` (registered in
/// [`crate::metrics::Metrics`]).
#[derive(Clone, Debug, Default)]
pub struct SinkMetrics {
    /// `tamga_security_sink_backlog{sink}`.
    pub backlog: Family<Vec<(String, String)>, Gauge>,
    /// `tamga_security_sink_delivered_total{sink}`.
    pub delivered: Family<Vec<(String, String)>, Counter>,
    /// `tamga_security_sink_failed_attempts_total{sink}`.
    pub failed: Family<Vec<(String, String)>, Counter>,
    /// `tamga_security_sink_dropped_total{sink}`.
    pub dropped: Family<Vec<(String, String)>, Counter>,
}

impl SinkMetrics {
    /// Registers the families.
    pub fn register(&self, r: &mut Registry) {
        r.register("security_sink_backlog", "Security events waiting in a sink's outbox", self.backlog.clone());
        r.register("security_sink_delivered", "Security events a sink's receiver acknowledged", self.delivered.clone());
        r.register("security_sink_failed_attempts", "Failed deliveries to a sink (retried)", self.failed.clone());
        r.register(
            "security_sink_dropped",
            "Security events dropped from a full sink outbox (each reported by a sink_overflow event)",
            self.dropped.clone(),
        );
    }

    /// The metrics of sink `name`.
    pub fn of(&self, name: &str) -> OutboxMetrics {
        let l = vec![("sink".to_owned(), name.to_owned())];
        OutboxMetrics {
            backlog: self.backlog.get_or_create(&l).clone(),
            delivered: self.delivered.get_or_create(&l).clone(),
            failed: self.failed.get_or_create(&l).clone(),
            dropped: self.dropped.get_or_create(&l).clone(),
        }
    }
}

/// The file of an outbox (for error reports).
pub fn outbox_file(ob: &Outbox) -> PathBuf {
    ob.file()
}

/// `HOME/data/sinks/<name>/`: the outbox of a sink.
pub fn outbox_dir(home: &Home, name: &str) -> PathBuf {
    home.root().join("data").join("sinks").join(name)
}

/// `HOME/data/identity.key`: the key that signs webhook bodies.
pub fn identity_key_path(home: &Home) -> PathBuf {
    home.root().join("data").join("identity.key")
}

/// Reads the sink identity key at `path`, creating it (mode 0600, and its
/// public key in `identity.pub` beside it) when it does not exist.
pub fn load_or_create_identity(path: &Path) -> Result<SigningKey, SinksStartError> {
    let p = path.display().to_string();
    if !path.exists() {
        let key = SigningKey::generate();
        write_key(path, &key).map_err(|source| SinksStartError::IdentityWrite { path: p.clone(), source })?;
        let public = path.with_extension("pub");
        write_atomic(&public, format!("{}\n", key.public().to_hex()).as_bytes(), 0o644)
            .map_err(|source| SinksStartError::IdentityWrite { path: public.display().to_string(), source })?;
    }
    read_key(path).map_err(|source| SinksStartError::Identity { path: p, source })
}

/// Opens the outbox of each configured sink, attaches them to `log` (before
/// anything is recorded, so that the next seq is above every outbox's) and
/// spawns their delivery tasks. Call inside the tokio runtime.
pub fn start(home: &Home, cfg: &SinksConfig, log: &SecurityLog, metrics: &SinkMetrics) -> Result<(), SinksStartError> {
    let backoff =
        deliver::Backoff::new(Duration::from_millis(cfg.retry_initial_ms), Duration::from_millis(cfg.retry_max_ms));
    let mut outboxes: Vec<Arc<Outbox>> = Vec::new();
    // The tasks deliver only what the outboxes hold: those read back from
    // disk now, those the log pushes once attached below.
    if let Some(w) = &cfg.webhook {
        let key = load_or_create_identity(&identity_key_path(home))?;
        tracing::info!(target: super::TARGET, identity = %key.public(), url = %w.url, "security events pushed to a webhook");
        let ob =
            Arc::new(Outbox::open("webhook", &outbox_dir(home, "webhook"), cfg.max_events, metrics.of("webhook"))?);
        let tls = match w.url.starts_with("https://") {
            true => {
                Some(tls::client_config("security.sinks.webhook", &w.tls.clone().unwrap_or_default(), home.root())?)
            }
            false => None,
        };
        let transport = webhook::Webhook::new(w, key, tls)?;
        tokio::spawn(deliver::run(ob.clone(), transport, cfg.batch, backoff));
        outboxes.push(ob);
    }
    if let Some(s) = &cfg.syslog {
        tracing::info!(target: super::TARGET, address = %s.address, tls = s.tls.is_some(), "security events pushed to syslog");
        let tls = match &s.tls {
            Some(t) => Some(tls::client_config("security.sinks.syslog", t, home.root())?),
            None => None,
        };
        let transport = syslog::Syslog::new(s, tls)?;
        let ob = Arc::new(Outbox::open("syslog", &outbox_dir(home, "syslog"), cfg.max_events, metrics.of("syslog"))?);
        tokio::spawn(deliver::run(ob.clone(), transport, cfg.batch, backoff));
        outboxes.push(ob);
    }
    log.attach_outboxes(outboxes);
    Ok(())
}
