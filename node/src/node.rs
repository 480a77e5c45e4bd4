//! `tamgad start`: wires config, keys, genesis, ledger, mempool, network,
//! driver and API together and runs until Ctrl-C or SIGTERM.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tamga_state::Ledger;
use tamga_types::views::NodeStatus;
use tamga_types::{ConsensusSigner, PublicKey, ValidatorSet};
use tokio::sync::{mpsc, watch};
use tracing::info;

use crate::admission::{Admission, AdmissionPool, TxGateway, ADMISSION_NICE};
use crate::config::Config;
use crate::driver::{Blocking, Driver, DriverDeps, LedgerChain};
use crate::home::{libp2p_keypair, load_genesis, peer_id_of, read_p2p_key, Home};
use crate::mempool::{ChainView, Mempool, MempoolLimits};
use crate::metrics::Metrics;
use crate::network::{self, NetworkDeps, NetworkSettings};
use crate::safety::FileSafetyStore;
use crate::security::{SecurityEvent, SecurityLog};

/// Installs the tracing subscriber (`RUST_LOG` overrides the config filter).
pub fn init_logging(cfg: &crate::config::LogConfig) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&cfg.filter));
    // Colours only on a terminal: a log file or a pipe gets plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_ansi(ansi);
    let _ = if cfg.format == "json" { builder.json().try_init() } else { builder.try_init() };
}

/// Runs the node in `home` until Ctrl-C / SIGTERM.
pub async fn start(home: Home) -> anyhow::Result<()> {
    let cfg = Config::load(&home.config())?;
    init_logging(&cfg.log);
    raise_open_file_limit();
    // The consensus key, wherever `[signer]` says it lives (a file, a token,
    // a remote signer); the libp2p identity is HOME/p2p.key, a key of its
    // own, under whose peer id peers admit the node (SPEC §9).
    let signer = cfg.signer.open(home.root()).map_err(|e| anyhow::anyhow!("cannot open the consensus signer: {e}"))?;
    let p2p_key = read_p2p_key(&home)?;
    info!(target: "tamga::signer", signer = %cfg.signer.kind, key = %signer.public_key(), p2p_key = %p2p_key.public(), "consensus signer open");
    let genesis = load_genesis(&home.genesis())?;
    // A home whose ledger this start creates never ran: it never signed
    // (the only case where a missing safety file may be believed).
    let fresh_home = !home.ledger().join("CURRENT").exists();
    std::fs::create_dir_all(home.ledger()).with_context(|| format!("cannot create {}", home.ledger().display()))?;
    let ledger = Arc::new(Ledger::open(&home.ledger()).context("cannot open the ledger database")?);
    // The safety state's handles are opened (and the file read by the
    // driver) before the network and the API can take file handles.
    let safety = FileSafetyStore::open(home.safety())
        .with_context(|| format!("cannot open the consensus safety state {}", home.safety().display()))?;
    if let Err(e) = crate::safety::read_file(&home.safety()) {
        // Checked here, before anything listens, so that the node stops
        // within a second; the driver reads it again for itself.
        return Err(crate::driver::DriverError::Safety(e).into());
    }
    ledger.init_genesis(&genesis).context("cannot apply genesis")?;
    // After genesis: turning pruning on for a chain that kept every version
    // first stores the account proofs its receipt bundles need.
    ledger
        .set_pruning(cfg.storage.retain_state_versions, cfg.storage.prune_max_deletes_per_block)
        .context("cannot set up pruning of old state-tree versions")?;
    let next_set = ledger.validators_at(ledger.height()? + 1).context("cannot read the validator set")?;
    check_identity(&next_set, signer.public_key(), p2p_key.public(), &home)?;
    let chain_id = genesis.chain_id.to_string();
    let metrics = Arc::new(Metrics::new());
    metrics.height.set(ledger.height()? as i64);
    let security = SecurityLog::open_configured(&home, signer.public_key(), &cfg.security, &metrics)
        .context("cannot open the security event log")?;
    // Before the first record: the log numbers records above every outbox's.
    crate::security::sinks::start(&home, &cfg.security.sinks, &security, &metrics.security_sinks)
        .context("cannot start the security event sinks")?;
    // The digest of the bytes Config::load just parsed (a replaced file shows as a new digest).
    let config_bytes =
        std::fs::read(home.config()).with_context(|| format!("cannot read {}", home.config().display()))?;
    security.record(SecurityEvent::config_loaded(&home.config(), &config_bytes, genesis.hash()));
    if fresh_home {
        // SPEC §9.4: the validator admission check made after the genesis
        // transactions, recorded once, when this start applied the genesis.
        for r in ledger.receipts(0).context("cannot read the genesis receipts")? {
            for event in SecurityEvent::from_admission(&r) {
                security.record(event);
            }
        }
    }
    let limits = MempoolLimits {
        max_txs: cfg.mempool.max_txs,
        max_bytes: cfg.mempool.max_bytes,
        max_per_account: cfg.mempool.max_per_account,
    };
    let mempool = Arc::new(Mempool::new(chain_id.clone(), limits));
    let chain = Arc::new(LedgerChain::new(ledger.clone()));
    let (gossip_tx, gossip_rx) = mpsc::channel(65_536);
    let chain_view: Arc<dyn ChainView> = chain.clone();
    let admission = AdmissionPool::start(ADMISSION_NICE).context("cannot start the admission threads")?;
    // The one admission path of the API and gossip (crate::admission).
    let txs = Admission::new(mempool.clone(), chain_view, security.clone(), metrics.clone());
    let gateway = TxGateway::new(txs.clone(), gossip_tx, admission.clone());

    // Network: dial every genesis validator and configured peer; admit validators and observers.
    let me = signer.public_key();
    let my_p2p = p2p_key.public();
    let mut dial = Vec::new();
    for v in &genesis.validators {
        if v.key == me || v.p2p_key == my_p2p {
            continue;
        }
        if let (Some(addr), Some(peer)) = (&v.p2p_address, peer_id_of(&v.p2p_key)) {
            let addr: libp2p::Multiaddr =
                addr.parse().with_context(|| format!("genesis validator {} p2p_address {addr:?}", v.key))?;
            dial.push(addr.with(libp2p::multiaddr::Protocol::P2p(peer)));
        }
    }
    for p in &cfg.p2p.peers {
        dial.push(p.parse()?);
    }
    let observers: Vec<PublicKey> =
        cfg.p2p.observers.iter().map(|o| PublicKey::from_hex(o)).collect::<Result<_, _>>()?;
    let (events_tx, events_rx) = mpsc::channel(4096);
    let (net, peer_id) = network::spawn(
        NetworkSettings {
            keypair: libp2p_keypair(&p2p_key),
            listen: cfg.p2p.listen.parse()?,
            dial,
            allowed: Vec::new(),
            chain_id: chain_id.clone(),
            max_message_bytes: cfg.p2p.max_message_bytes,
            tx_batch: cfg.p2p.tx_batch,
            tx_batch_delay: Duration::from_millis(cfg.p2p.tx_batch_delay_ms.max(1)),
            limits: cfg.p2p.limits(),
        },
        NetworkDeps {
            ledger: ledger.clone(),
            txs,
            admission,
            metrics: metrics.clone(),
            local_txs: gossip_rx,
            events: events_tx,
            security: security.clone(),
        },
    )?;

    let (status_tx, status_rx) = watch::channel(NodeStatus {
        chain_id: chain_id.clone(),
        genesis_hash: genesis.hash(),
        node_key: me,
        peer_id: peer_id.to_string(),
        height: ledger.height()?,
        last_block_hash: ledger.last_block_hash()?,
        last_block_time_ms: ledger.last_time_ms()?,
        state_root: ledger.state_root()?,
        version: env!("CARGO_PKG_VERSION").to_string(),
        ..NodeStatus {
            chain_id: String::new(),
            genesis_hash: Default::default(),
            node_key: me,
            peer_id: String::new(),
            validator: false,
            height: 0,
            last_block_hash: Default::default(),
            last_block_time_ms: 0,
            state_root: Default::default(),
            consensus_height: 0,
            consensus_round: 0,
            syncing: false,
            peers: 0,
            mempool_txs: 0,
            version: String::new(),
        }
    });

    // Access journal (SPEC §12): opened before the API serves anything.
    let journal = if cfg.journal.enabled {
        let settings = cfg.journal.settings(home.root());
        Some(crate::journal::Journal::open(settings, metrics.clone()).context("cannot open the access journal")?)
    } else {
        tracing::warn!(target: "tamga::journal", "the access journal is off (journal.enabled = false): API requests are not recorded");
        None
    };

    // HTTP API.
    let api_limits = cfg.api.limits();
    let events = crate::api::EventHub::with_limits(&api_limits);
    let committed = events.sender();
    let api_ctx = crate::api::ApiContext {
        ledger: ledger.clone(),
        gateway,
        status: status_rx,
        metrics: metrics.clone(),
        events,
        security: security.clone(),
        read_policy: crate::api::access::ReadPolicy {
            public_read: cfg.api.public_read,
            redact_site_addresses: cfg.api.redact_site_addresses,
        },
        journal: journal.as_ref().map(|j| j.handle()),
        guards: crate::api::Guards::new(api_limits),
        console: (&cfg.console).into(),
    };
    let listener = tokio::net::TcpListener::bind(cfg.api.listen)
        .await
        .with_context(|| format!("cannot bind the API to {} (config field api.listen)", cfg.api.listen))?;
    info!(target: "tamga::api", addr = %cfg.api.listen, "HTTP API listening");
    // A stable line on stdout that scripts and `tamgad devnet` read.
    let api_addr = listener.local_addr().unwrap_or(cfg.api.listen);
    let metrics_access = cfg.metrics.access(home.root())?;
    let mut api = crate::api::Server::new(listener, api_ctx)
        .wrap(|router| crate::metrics::access::protect(router, metrics_access));
    let scheme = match &cfg.api.tls {
        None => "http",
        Some(t) => {
            // Refused at start with the setting and file at fault (an
            // expired certificate, a key of another certificate).
            let reloadable = crate::api::tls::Reloadable::new(t.files(home.root()))?;
            info!(
                target: "tamga::api",
                cert = %reloadable.files().cert.display(),
                sha256 = %crate::api::tls::fingerprint(&reloadable.current().leaf),
                client_auth = reloadable.client_auth(),
                "API serves TLS (HTTP/2 and HTTP/1.1)"
            );
            tokio::spawn(reloadable.clone().watch(Duration::from_millis(t.reload_check_ms)));
            api = api.with_tls(crate::api::server::TlsServing {
                config: reloadable,
                handshake_timeout: Duration::from_millis(t.handshake_timeout_ms),
                http2_max_concurrent_streams: t.http2_max_concurrent_streams,
            });
            "https"
        }
    };
    println!("tamgad {} key={} peer={peer_id} api={scheme}://{api_addr}", home.root().display(), me);
    let _pid = PidFile::write(home.pid_file());
    // Backups (issue 10): the operator socket and, if configured, the schedule.
    let backups =
        Arc::new(crate::backup::BackupService::new(ledger.clone(), home.clone(), me.to_hex(), metrics.clone()));
    #[cfg(unix)]
    if let Err(e) = crate::backup::serve_admin(backups.clone()) {
        tracing::warn!(target: "tamga::backup", error = %e, "no operator socket: `tamgad backup create` cannot reach this node");
    }
    if cfg.backup.enabled {
        crate::backup::spawn_scheduler(backups, &cfg.backup);
    }
    tokio::spawn(api.run());

    let driver = Driver::new(
        signer,
        cfg.consensus.clone(),
        DriverDeps {
            ledger: ledger.clone(),
            mempool,
            chain,
            net: Arc::new(net),
            events: events_rx,
            home: home.clone(),
            safety: Box::new(safety),
            blocking: Blocking::Pool,
            clock: Arc::new(crate::SystemClock),
            storage_retry: crate::driver::StorageRetry::default(),
            fresh_home,
            metrics,
            status: status_tx,
            observers,
            committed,
            security,
        },
    )?;
    info!(target: "tamga::node", chain_id, %peer_id, height = ledger.height()?, "node started");
    let stopped = driver.run(shutdown_signal()).await;
    if let Some(j) = &journal {
        // Requests still in flight are journaled by the writer until the process exits.
        match j.flush().await {
            Ok(head) => info!(target: "tamga::journal", head = ?head.map(|h| h.seq), "access journal flushed"),
            Err(e) => tracing::error!(target: "tamga::journal", error = %e, "cannot flush the access journal"),
        }
    }
    stopped?;
    Ok(())
}

/// Why a node's keys do not match the validator set it would sign in.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// The p2p identity of this home is recorded for a validator whose
    /// consensus key is not the configured signer's, and that key is no
    /// validator: the node would be admitted as one validator and sign as
    /// nobody.
    #[error(
        "signer: the p2p key {p2p_key} of {p2p_file} is recorded for validator {recorded}, but the configured \
         signer holds {configured}, which is not in the validator set; configure the signer with the consensus \
         key of validator {recorded} (docs/operations.md, \"P2P identity key\")"
    )]
    ConsensusKeyMismatch {
        /// This node's p2p key.
        p2p_key: PublicKey,
        /// `HOME/p2p.key`.
        p2p_file: String,
        /// The consensus key recorded beside it.
        recorded: PublicKey,
        /// The signer's key.
        configured: PublicKey,
    },
}

/// SPEC §9: peers admit a validator under the p2p key recorded beside its
/// consensus key. Refuses a signer whose key is not the validator's recorded
/// beside this node's p2p key (unless the signer's key is itself a
/// validator); warns when the signer's validator has another p2p key
/// recorded (peers will not admit this node as that validator, but it can
/// still sync as an observer or catch up to a pending change of key).
pub fn check_identity(
    set: &ValidatorSet,
    consensus: PublicKey,
    p2p: PublicKey,
    home: &Home,
) -> Result<(), IdentityError> {
    let by_p2p = set.validators.iter().find(|v| v.p2p_key == p2p);
    let by_key = set.validators.iter().find(|v| v.key == consensus);
    if let (Some(v), None) = (by_p2p, by_key) {
        return Err(IdentityError::ConsensusKeyMismatch {
            p2p_key: p2p,
            p2p_file: home.p2p_key().display().to_string(),
            recorded: v.key,
            configured: consensus,
        });
    }
    if let Some(v) = by_key.filter(|v| v.p2p_key != p2p) {
        tracing::error!(
            target: "tamga::net",
            validator = %consensus,
            recorded_p2p_key = %v.p2p_key,
            p2p_key = %p2p,
            file = %home.p2p_key().display(),
            "this validator's recorded p2p key is not this node's: peers will not admit it as a validator until \
             the regulator records this key (UpdateValidators) or the recorded key is installed"
        );
    }
    Ok(())
}

/// Raises the soft open-file limit to the hard one and logs both: a flood
/// of connections then meets the operator's hard limit, and the safety
/// state write needs no new handle anyway (`crate::safety`).
fn raise_open_file_limit() {
    #[cfg(unix)]
    match crate::safety::raise_nofile_limit() {
        Ok((before, after, hard)) => {
            let show = |l: Option<u64>| l.map_or_else(|| "unlimited".to_string(), |n| n.to_string());
            info!(target: "tamga::node", soft_before = %show(before), soft = %show(after), hard = %show(hard), "open-file limit (RLIMIT_NOFILE)");
        }
        Err(e) => tracing::warn!(target: "tamga::node", error = %e, "cannot raise the open-file limit"),
    }
}

/// `HOME/tamgad.pid` while the node runs; removed on a clean stop (a stale
/// one after `kill -9` is overwritten by the next start).
struct PidFile(std::path::PathBuf);

impl PidFile {
    fn write(path: std::path::PathBuf) -> Option<PidFile> {
        match crate::home::write_atomic(&path, format!("{}\n", std::process::id()).as_bytes(), 0o644) {
            Ok(()) => Some(PidFile(path)),
            Err(e) => {
                tracing::warn!(target: "tamga::node", path = %path.display(), error = %e, "cannot write the pid file");
                None
            }
        }
    }
}

impl Drop for PidFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                return;
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    use tamga_types::{PartyId, SigningKey, Validator};

    use super::*;

    fn k(n: u8) -> PublicKey {
        SigningKey::from_seed([n; 32]).public()
    }

    /// Validators 1 and 2 with p2p keys 11 and 12.
    fn set() -> ValidatorSet {
        ValidatorSet::new(
            [(1, 11), (2, 12)]
                .into_iter()
                .map(|(c, p)| Validator { key: k(c), power: 1, operator: PartyId(1), p2p_key: k(p) })
                .collect(),
        )
        .unwrap()
    }

    /// SPEC §9: a p2p key recorded for validator 1 with a signer holding a
    /// key that is no validator is refused naming both; the recorded pair,
    /// a non-validator with an unrecorded p2p key, and a validator whose p2p
    /// key changed (a warning) start.
    #[test]
    fn the_signer_must_be_the_validator_recorded_beside_the_p2p_key() {
        let home = Home::new("/nonexistent/home");
        let e = check_identity(&set(), k(9), k(11), &home).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains(&k(11).to_string()) && msg.contains(&k(1).to_string()), "{msg}");
        assert!(msg.contains(&k(9).to_string()) && msg.contains("/nonexistent/home/p2p.key"), "{msg}");
        check_identity(&set(), k(1), k(11), &home).unwrap();
        check_identity(&set(), k(9), k(19), &home).unwrap();
        check_identity(&set(), k(1), k(19), &home).unwrap();
        check_identity(&set(), k(2), k(11), &home).unwrap();
    }
}
