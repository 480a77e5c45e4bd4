//! The signer process's core: its TOML configuration, where its key comes
//! from ([`KeySource`]), and the bounded listener that answers validators.
//!
//! Bounds (STYLE principle 15), each a setting under `[limits]`:
//! `max_connections` open channels (one more is closed at once),
//! `handshake_timeout_ms` for the Noise handshake, `idle_timeout_ms`
//! between requests, `max_frame_bytes` per frame (and per decoded request),
//! `max_security_log_bytes` for the security log before it is rotated once.

use std::io::Write;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Deserialize;
use sha2::Digest;
use tamga_types::codec;
use tamga_types::crypto::{PublicKey, Signature, SigningKey};
use tamga_types::hash::Hash;
use tracing::{info, warn};

use super::guard::{Guard, Hrs, LastSigned, StateFileError, Step};
use super::transport::{Channel, IdentityKey, IdentityPublic, TransportError};
use super::{Refusal, Request, Response};

/// The tracing target of the signer's security events.
pub const SECURITY_TARGET: &str = "tamga_signer::security";

/// Where the consensus key lives: `[key]` in the signer's config.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum KeySource {
    /// A key file in `node.key`'s format (64 hex characters, mode 0600).
    File {
        /// The file (relative to the config file's directory).
        path: PathBuf,
    },
}

/// What a key source gives: a key that signs. The seam for a hardware
/// backend (PKCS#11), which implements it beside [`FileKey`].
pub trait SigningBackend: Send + Sync {
    /// The consensus public key.
    fn public_key(&self) -> PublicKey;
    /// Signs `msg` (the guard has already allowed it).
    fn sign(&self, msg: &[u8]) -> Result<Signature, BackendError>;
}

/// A backend failure.
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    /// The key file is unusable.
    #[error("[key] path: {0}")]
    KeyFile(#[from] crate::home::KeyFileError),
}

/// The key of a [`KeySource::File`].
pub struct FileKey(SigningKey);

impl SigningBackend for FileKey {
    fn public_key(&self) -> PublicKey {
        self.0.public()
    }
    fn sign(&self, msg: &[u8]) -> Result<Signature, BackendError> {
        Ok(self.0.sign(msg))
    }
}

impl KeySource {
    /// Opens the key.
    pub fn open(&self) -> Result<Box<dyn SigningBackend>, BackendError> {
        match self {
            KeySource::File { path } => Ok(Box::new(FileKey(crate::home::read_key(path)?))),
        }
    }
}

/// `[limits]`: the listener's bounds.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Open channels at once (default 4: a validator needs one).
    pub max_connections: usize,
    /// Time for the Noise handshake, milliseconds (default 5000).
    pub handshake_timeout_ms: u64,
    /// Time a channel may stay silent between requests, milliseconds
    /// (default 300000); the validator reconnects after it.
    pub idle_timeout_ms: u64,
    /// Largest frame, bytes (default 4096; a request is under 200).
    pub max_frame_bytes: usize,
    /// Size of the security log before it is rotated to `.1`, bytes
    /// (default 16 MiB).
    pub max_security_log_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: 4,
            handshake_timeout_ms: 5_000,
            idle_timeout_ms: 300_000,
            max_frame_bytes: 4_096,
            max_security_log_bytes: 16 * 1024 * 1024,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    chain_id: String,
    listen: String,
    key: KeySource,
    identity_key_file: PathBuf,
    state_file: PathBuf,
    #[serde(default)]
    security_log_file: Option<PathBuf>,
    allowed_validators: Vec<String>,
    #[serde(default)]
    limits: Limits,
}

/// The signer's validated configuration (paths made absolute against the
/// config file's directory).
#[derive(Clone, Debug)]
pub struct SignerConfig {
    /// The only chain it signs for.
    pub chain_id: String,
    /// Listen address.
    pub listen: SocketAddr,
    /// The consensus key.
    pub key: KeySource,
    /// The signer's Noise static key file.
    pub identity_key_file: PathBuf,
    /// The guard's state file.
    pub state_file: PathBuf,
    /// Security events as JSON lines (besides the log), if set.
    pub security_log_file: Option<PathBuf>,
    /// The validators' Noise static keys it accepts.
    pub allowed_validators: Vec<IdentityPublic>,
    /// Bounds.
    pub limits: Limits,
}

/// A bad configuration: the setting, what was expected, what was found.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file cannot be read.
    #[error("cannot read signer config {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// Not valid TOML for the schema.
    #[error("signer config {path}: {reason}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's message (names the key).
        reason: String,
    },
    /// A setting's value is out of range.
    #[error("signer config: {setting}: expected {expected}, got {got}")]
    Invalid {
        /// The setting, as written in the file.
        setting: &'static str,
        /// What is accepted.
        expected: &'static str,
        /// What was found.
        got: String,
    },
}

impl SignerConfig {
    /// Reads and validates a config file.
    pub fn load(path: &Path) -> Result<SignerConfig, ConfigError> {
        let text =
            std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: path.to_owned(), source })?;
        // Relative paths in the file are taken from its directory, made
        // absolute so that the state file's directory can be fsynced.
        let abs = std::path::absolute(path).map_err(|source| ConfigError::Read { path: path.to_owned(), source })?;
        let base = abs.parent().unwrap_or(Path::new("/"));
        Self::parse(&text, base).map_err(|e| match e {
            ConfigError::Parse { reason, .. } => ConfigError::Parse { path: path.to_owned(), reason },
            other => other,
        })
    }

    /// Parses and validates config text; relative paths are taken from `base`.
    pub fn parse(text: &str, base: &Path) -> Result<SignerConfig, ConfigError> {
        let f: ConfigFile =
            toml::from_str(text).map_err(|e| ConfigError::Parse { path: PathBuf::new(), reason: e.to_string() })?;
        let invalid = |setting, expected, got: String| ConfigError::Invalid { setting, expected, got };
        if f.chain_id.is_empty() || f.chain_id.len() > 64 {
            return Err(invalid("chain_id", "1 to 64 characters", format!("{:?}", f.chain_id)));
        }
        let listen: SocketAddr = f
            .listen
            .parse()
            .map_err(|_| invalid("listen", "an IP address and port, e.g. 127.0.0.1:26659", f.listen.clone()))?;
        if f.allowed_validators.is_empty() {
            return Err(invalid(
                "allowed_validators",
                "at least one validator identity key (64 hex characters)",
                "[]".into(),
            ));
        }
        let mut allowed = Vec::new();
        for k in &f.allowed_validators {
            allowed.push(k.parse::<IdentityPublic>().map_err(|_| {
                invalid("allowed_validators", "64 hex characters (a validator's identity public key)", format!("{k:?}"))
            })?);
        }
        let l = &f.limits;
        if !(1..=64).contains(&l.max_connections) {
            return Err(invalid("limits.max_connections", "1 to 64", l.max_connections.to_string()));
        }
        if !(100..=60_000).contains(&l.handshake_timeout_ms) {
            return Err(invalid("limits.handshake_timeout_ms", "100 to 60000", l.handshake_timeout_ms.to_string()));
        }
        if !(1_000..=3_600_000).contains(&l.idle_timeout_ms) {
            return Err(invalid("limits.idle_timeout_ms", "1000 to 3600000", l.idle_timeout_ms.to_string()));
        }
        if !(256..=super::transport::NOISE_MAX_MESSAGE).contains(&l.max_frame_bytes) {
            return Err(invalid("limits.max_frame_bytes", "256 to 65535", l.max_frame_bytes.to_string()));
        }
        if l.max_security_log_bytes < 4096 {
            return Err(invalid(
                "limits.max_security_log_bytes",
                "at least 4096",
                l.max_security_log_bytes.to_string(),
            ));
        }
        let abs = |p: &Path| if p.is_absolute() { p.to_owned() } else { base.join(p) };
        let key = match &f.key {
            KeySource::File { path } => KeySource::File { path: abs(path) },
        };
        Ok(SignerConfig {
            chain_id: f.chain_id,
            listen,
            key,
            identity_key_file: abs(&f.identity_key_file),
            state_file: abs(&f.state_file),
            security_log_file: f.security_log_file.as_deref().map(abs),
            allowed_validators: allowed,
            limits: f.limits,
        })
    }
}

/// Why the signer cannot start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The guard's state file is unusable.
    #[error("state_file: {0}")]
    State(#[from] StateFileError),
    /// The consensus key cannot be opened.
    #[error("key: {0}")]
    Key(#[from] BackendError),
    /// The identity key cannot be read.
    #[error("identity_key_file: {0}")]
    Identity(crate::home::KeyFileError),
    /// The listen address cannot be bound.
    #[error("listen {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Cause.
        source: std::io::Error,
    },
}

/// Counters of a running signer (also in its log lines).
#[derive(Debug, Default)]
pub struct Stats {
    /// Signatures made.
    pub signed: AtomicU64,
    /// Requests refused by the guard or for the wrong chain.
    pub refused: AtomicU64,
    /// Connections closed at the handshake (unknown key, bad Noise, timeout).
    pub handshakes_refused: AtomicU64,
    /// Connections closed for a frame above `max_frame_bytes` or a
    /// malformed request.
    pub bad_frames: AtomicU64,
    /// Connections closed because `max_connections` were open.
    pub connections_refused: AtomicU64,
}

struct Shared {
    chain_id: String,
    key: Box<dyn SigningBackend>,
    guard: Mutex<Guard>,
    identity: IdentityKey,
    allowed: Vec<IdentityPublic>,
    limits: Limits,
    stats: Stats,
    open: AtomicUsize,
    events: Mutex<Option<EventLog>>,
    stop: AtomicBool,
}

/// A signer that is listening; dropping it does not stop it, [`Self::stop`] does.
pub struct RunningSigner {
    shared: Arc<Shared>,
    addr: SocketAddr,
    accept: Option<std::thread::JoinHandle<()>>,
}

impl std::fmt::Debug for RunningSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningSigner").field("addr", &self.addr).finish_non_exhaustive()
    }
}

impl RunningSigner {
    /// Opens the guard, the key and the listener, and starts answering.
    /// Fails closed: without a usable state file nothing is started.
    pub fn start(cfg: &SignerConfig) -> Result<RunningSigner, StartError> {
        let guard = Guard::open(&cfg.state_file, &cfg.chain_id)?;
        let key = cfg.key.open()?;
        let identity = IdentityKey::read(&cfg.identity_key_file).map_err(StartError::Identity)?;
        let listener = TcpListener::bind(cfg.listen).map_err(|source| StartError::Bind { addr: cfg.listen, source })?;
        let addr = listener.local_addr().map_err(|source| StartError::Bind { addr: cfg.listen, source })?;
        info!(
            target: "tamga_signer",
            %addr,
            chain_id = %cfg.chain_id,
            consensus_key = %key.public_key(),
            identity = %identity.public(),
            state_file = %cfg.state_file.display(),
            last_signed = ?guard.last().map(|l| l.hrs),
            "tamga-signer listening"
        );
        let shared = Arc::new(Shared {
            chain_id: cfg.chain_id.clone(),
            key,
            guard: Mutex::new(guard),
            identity,
            allowed: cfg.allowed_validators.clone(),
            limits: cfg.limits.clone(),
            stats: Stats::default(),
            open: AtomicUsize::new(0),
            events: Mutex::new(
                cfg.security_log_file
                    .clone()
                    .map(|path| EventLog { path, max_bytes: cfg.limits.max_security_log_bytes }),
            ),
            stop: AtomicBool::new(false),
        });
        let s = shared.clone();
        let accept = std::thread::Builder::new()
            .name("tamga-signer-accept".into())
            .spawn(move || accept_loop(listener, s))
            .map_err(|source| StartError::Bind { addr, source })?;
        Ok(RunningSigner { shared, addr, accept: Some(accept) })
    }

    /// The bound address (a port 0 in the config is resolved here).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The counters.
    pub fn stats(&self) -> &Stats {
        &self.shared.stats
    }

    /// The consensus public key it signs with.
    pub fn public_key(&self) -> PublicKey {
        self.shared.key.public_key()
    }

    /// Stops accepting; open channels end at their next request.
    pub fn stop(mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
    }

    /// Blocks until the accept loop ends (the binary's main thread).
    pub fn wait(mut self) {
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
    }
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    for conn in listener.incoming() {
        if shared.stop.load(Ordering::SeqCst) {
            return;
        }
        let stream = match conn {
            Ok(s) => s,
            Err(e) => {
                warn!(target: "tamga_signer", error = %e, "accept failed");
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
        };
        let peer = stream.peer_addr().map(|a| a.to_string()).unwrap_or_default();
        if shared.open.fetch_add(1, Ordering::SeqCst) >= shared.limits.max_connections {
            shared.open.fetch_sub(1, Ordering::SeqCst);
            shared.stats.connections_refused.fetch_add(1, Ordering::Relaxed);
            warn!(target: "tamga_signer", %peer, max_connections = shared.limits.max_connections, "connection refused: limits.max_connections open");
            continue;
        }
        let s = shared.clone();
        let spawned = std::thread::Builder::new().name("tamga-signer-conn".into()).spawn(move || {
            serve(stream, &s, &peer);
            s.open.fetch_sub(1, Ordering::SeqCst);
        });
        if let Err(e) = spawned {
            shared.open.fetch_sub(1, Ordering::SeqCst);
            warn!(target: "tamga_signer", error = %e, "cannot spawn a connection thread");
        }
    }
}

fn serve(stream: TcpStream, shared: &Shared, peer: &str) {
    let l = &shared.limits;
    let mut ch = match Channel::respond(
        stream,
        &shared.identity,
        &shared.allowed,
        Duration::from_millis(l.handshake_timeout_ms),
        l.max_frame_bytes,
    ) {
        Ok(ch) => ch,
        Err(e) => {
            shared.stats.handshakes_refused.fetch_add(1, Ordering::Relaxed);
            if let TransportError::FrameTooLarge { .. } = e {
                shared.stats.bad_frames.fetch_add(1, Ordering::Relaxed);
            }
            if let TransportError::UnpinnedPeer { got, .. } = &e {
                security_event(shared, "handshake_refused", &[("peer", peer.to_owned()), ("key", got.to_string())]);
            } else {
                warn!(target: "tamga_signer", %peer, error = %e, "handshake failed");
            }
            return;
        }
    };
    let validator = ch.remote();
    info!(target: "tamga_signer", %peer, %validator, "validator connected");
    if ch.set_timeout(Duration::from_millis(l.idle_timeout_ms)).is_err() {
        return;
    }
    loop {
        if shared.stop.load(Ordering::SeqCst) {
            return;
        }
        let bytes = match ch.recv() {
            Ok(b) => b,
            Err(e) => {
                if let TransportError::FrameTooLarge { .. } = e {
                    shared.stats.bad_frames.fetch_add(1, Ordering::Relaxed);
                    warn!(target: "tamga_signer", %peer, error = %e, "frame refused; connection closed");
                } else {
                    info!(target: "tamga_signer", %peer, error = %e, "validator disconnected");
                }
                return;
            }
        };
        if shared.stop.load(Ordering::SeqCst) {
            // A stopped signer answers nothing more.
            return;
        }
        let response = match codec::decode::<Request>("remote signer request", &bytes, l.max_frame_bytes) {
            Ok(req) => handle(shared, req, &validator.to_string()),
            Err(e) => {
                shared.stats.bad_frames.fetch_add(1, Ordering::Relaxed);
                warn!(target: "tamga_signer", %peer, error = %e, "malformed request; connection closed");
                let _ = ch.send(&codec::encode(&Response::Refused(Refusal::Malformed { reason: e.to_string() })));
                return;
            }
        };
        if let Err(e) = ch.send(&codec::encode(&response)) {
            info!(target: "tamga_signer", %peer, error = %e, "answer not delivered");
            return;
        }
    }
}

fn digest(msg: &[u8]) -> Hash {
    Hash(sha2::Sha256::digest(msg).into())
}

fn handle(shared: &Shared, req: Request, validator: &str) -> Response {
    let (chain_id, hrs, value_id, msg) = match req {
        Request::PublicKey => return Response::PublicKey(shared.key.public_key()),
        Request::SignVote { chain_id, data } => {
            let step = match data.kind {
                tamga_types::block::VoteKind::Prevote => Step::Prevote,
                tamga_types::block::VoteKind::Precommit => Step::Precommit,
            };
            let msg = data.signing_message(&chain_id);
            (chain_id, Hrs { height: data.height, round: data.round, step }, data.block_hash, msg)
        }
        Request::SignProposal { chain_id, data } => {
            let msg = data.signing_message(&chain_id);
            (chain_id, Hrs { height: data.height, round: data.round, step: Step::Propose }, data.value_id, msg)
        }
    };
    if chain_id != shared.chain_id {
        let r = Refusal::WrongChain { expected: shared.chain_id.clone(), got: chain_id };
        shared.stats.refused.fetch_add(1, Ordering::Relaxed);
        security_event(
            shared,
            "wrong_chain_refused",
            &[("validator", validator.to_owned()), ("reason", r.to_string())],
        );
        return Response::Refused(r);
    }
    let next = LastSigned { hrs, value_id, message_digest: digest(&msg) };
    // The guard's lock is held across the signature, so two channels cannot
    // interleave a check and a sign.
    let mut guard = match shared.guard.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    };
    match guard.authorize(next) {
        Ok(Ok(_)) => match shared.key.sign(&msg) {
            Ok(sig) => {
                shared.stats.signed.fetch_add(1, Ordering::Relaxed);
                info!(target: "tamga_signer", %validator, height = hrs.height, round = hrs.round, step = %hrs.step, %value_id, "signed");
                Response::Signed(sig)
            }
            Err(e) => Response::Refused(Refusal::Backend { reason: e.to_string() }),
        },
        Ok(Err(refusal)) => {
            shared.stats.refused.fetch_add(1, Ordering::Relaxed);
            let kind = match refusal {
                super::GuardRefusal::Regression { .. } => "regression_refused",
                super::GuardRefusal::DoubleSign { .. } => "double_sign_refused",
            };
            security_event(
                shared,
                kind,
                &[
                    ("validator", validator.to_owned()),
                    ("height", hrs.height.to_string()),
                    ("round", hrs.round.to_string()),
                    ("step", hrs.step.to_string()),
                    ("value_id", value_id.to_string()),
                    ("reason", refusal.to_string()),
                ],
            );
            Response::Refused(Refusal::Guard(refusal))
        }
        Err(e) => {
            shared.stats.refused.fetch_add(1, Ordering::Relaxed);
            security_event(shared, "state_not_persisted", &[("reason", e.to_string())]);
            Response::Refused(Refusal::StateNotPersisted { reason: e.to_string() })
        }
    }
}

/// The security log: one JSON object per line, rotated once to `.1` at
/// `limits.max_security_log_bytes`, each line fsynced.
struct EventLog {
    path: PathBuf,
    max_bytes: u64,
}

impl EventLog {
    fn append(&self, line: &str) -> std::io::Result<()> {
        if std::fs::metadata(&self.path).map(|m| m.len() + line.len() as u64 > self.max_bytes).unwrap_or(false) {
            let mut old = self.path.clone().into_os_string();
            old.push(".1");
            std::fs::rename(&self.path, old)?;
        }
        let mut f = std::fs::OpenOptions::new().create(true).append(true).open(&self.path)?;
        f.write_all(line.as_bytes())?;
        f.sync_data()
    }
}

fn security_event(shared: &Shared, kind: &'static str, fields: &[(&str, String)]) {
    let mut obj = serde_json::Map::new();
    obj.insert("time_ms".into(), crate::now_ms().into());
    obj.insert("kind".into(), kind.into());
    obj.insert("chain_id".into(), shared.chain_id.clone().into());
    for (k, v) in fields {
        obj.insert((*k).into(), v.clone().into());
    }
    let line = serde_json::Value::Object(obj).to_string();
    warn!(target: SECURITY_TARGET, kind, event = %line, "security event");
    let events = match shared.events.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    };
    if let Some(log) = events.as_ref() {
        if let Err(e) = log.append(&format!("{line}\n")) {
            warn!(target: "tamga_signer", error = %e, path = %log.path.display(), "cannot write the security log");
        }
    }
}
