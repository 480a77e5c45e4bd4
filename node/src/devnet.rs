//! `tamgad testnet` and `tamgad devnet`: a local network of validator
//! processes on loopback, generated from a seed by `tamga-genesis`.
//!
//! Layout of a testnet directory (`--out` / `--home`):
//!
//! ```text
//! DIR/genesis.json, DIR/regulation.md, DIR/testnet.json   (tamga-genesis)
//! DIR/devnet.json             nodes' API URLs and homes, the funded class, key files
//! DIR/keys/regulator.key, issuer.key, miner.key           dev role account keys
//! DIR/keys/user-0000.key …    funded participants' account keys (plain hex seeds)
//! DIR/keys/validator-{i}.key  consensus keys (also each node's node.key)
//! DIR/keys/validator-{i}.p2p.key  p2p identity keys (also each node's p2p.key),
//!                             recorded as the validators' `p2p_key` (SPEC §9)
//! DIR/node{i}/                a node home: `tamgad start --home DIR/node{i}`
//!                             (config.toml, node.key, p2p.key, genesis.json, data/, tamgad.pid)
//! DIR/node{i}/node.log        the node's output when run by `tamgad devnet`
//! DIR/tls/                    `tamgad devnet --tls` only: a throwaway CA
//!                             (ca.pem, ca.key), node{i}.pem + node{i}.key
//!                             (for 127.0.0.1, ::1 and localhost) and
//!                             client.pem + client.key (a client certificate)
//! ```
//!
//! The genesis carries the bootstrap as genesis transactions (the dev issuer's
//! accepted notification, class 1, a mint to every participant, the miner's
//! accepted notification), so every node starts from a usable chain and no
//! setup step follows the start.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use tamga_contract::devnet::{DevnetKeys, DevnetManifest, DevnetNode, DevnetTls, MANIFEST};
use tamga_contract::wire::Health;
use tamga_genesis::{Testnet, TestnetOptions};

use crate::config::Config;
use crate::home::{write_atomic, write_key, Home};

/// Home of validator `i` in a testnet directory.
pub fn node_home(dir: &Path, i: usize) -> Home {
    Home::new(dir.join(format!("node{i}")))
}

/// The manifest of a generated testnet; `tls`: its nodes serve https with
/// the CA of `DIR/tls/`.
pub fn manifest(t: &Testnet, tls: bool) -> DevnetManifest {
    let scheme = if tls { "https" } else { "http" };
    DevnetManifest {
        chain_id: t.genesis.chain_id.clone(),
        class_id: tamga_genesis::testnet::BOOTSTRAP_CLASS.0,
        class_symbol: Some(tamga_genesis::testnet::BOOTSTRAP_SYMBOL.to_owned()),
        decimals: Some(tamga_genesis::testnet::BOOTSTRAP_DECIMALS),
        mint_amount: t.mint_amount,
        nodes: t
            .validators
            .iter()
            .enumerate()
            .map(|(i, v)| DevnetNode {
                index: i,
                home: format!("node{i}"),
                api: format!("{scheme}://{}", v.api_address),
                p2p: Some(v.p2p_address.clone()),
            })
            .collect(),
        keys: DevnetKeys {
            regulator: Some("keys/regulator.key".into()),
            issuer: Some("keys/issuer.key".into()),
            miner: Some("keys/miner.key".into()),
            users: t.participants.len(),
            user_pattern: "keys/user-{:04}.key".into(),
        },
        tls: tls.then(|| DevnetTls {
            ca: format!("{TLS_DIR}/ca.pem"),
            client_cert: Some(format!("{TLS_DIR}/client.pem")),
            client_key: Some(format!("{TLS_DIR}/client.key")),
        }),
    }
}

/// The folder of a devnet's TLS files.
pub const TLS_DIR: &str = "tls";

/// Writes a throwaway CA, a certificate for each of `n` nodes and a client
/// certificate into `DIR/tls/` (keys 0600), and points each node's
/// `[api.tls]` at its own. Development only: the CA's key lies beside its
/// certificate, so anyone who reads the folder can issue certificates.
pub fn write_tls(dir: &Path, n: usize) -> anyhow::Result<()> {
    use rcgen::{BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose};
    let tls = dir.join(TLS_DIR);
    std::fs::create_dir_all(&tls).with_context(|| format!("cannot create {}", tls.display()))?;
    let ca_key = KeyPair::generate()?;
    let mut ca = CertificateParams::new(Vec::<String>::new())?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name.push(DnType::CommonName, "Tamga devnet CA (throwaway)");
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    let ca_cert = ca.self_signed(&ca_key)?;
    write_atomic(&tls.join("ca.pem"), ca_cert.pem().as_bytes(), 0o644)?;
    write_atomic(&tls.join("ca.key"), ca_key.serialize_pem().as_bytes(), 0o600)?;
    let issue = |name: &str, sans: Vec<String>, usage: ExtendedKeyUsagePurpose| -> anyhow::Result<()> {
        let key = KeyPair::generate()?;
        let mut p = CertificateParams::new(sans)?;
        p.distinguished_name.push(DnType::CommonName, format!("tamga devnet {name}"));
        p.extended_key_usages = vec![usage];
        let cert = p.signed_by(&key, &ca_cert, &ca_key)?;
        write_atomic(&tls.join(format!("{name}.pem")), cert.pem().as_bytes(), 0o644)?;
        write_atomic(&tls.join(format!("{name}.key")), key.serialize_pem().as_bytes(), 0o600)?;
        Ok(())
    };
    let local = || vec!["127.0.0.1".to_owned(), "::1".to_owned(), "localhost".to_owned()];
    for i in 0..n {
        issue(&format!("node{i}"), local(), ExtendedKeyUsagePurpose::ServerAuth)?;
        let home = node_home(dir, i);
        let mut cfg = Config::load(&home.config())?;
        // Relative to the node's home (DIR/node{i}).
        cfg.api.tls = Some(crate::config::ApiTlsConfig::new(
            format!("../{TLS_DIR}/node{i}.pem"),
            format!("../{TLS_DIR}/node{i}.key"),
        ));
        write_atomic(&home.config(), cfg.to_documented_toml().as_bytes(), 0o644)?;
    }
    issue("client", Vec::new(), ExtendedKeyUsagePurpose::ClientAuth)?;
    Ok(())
}

/// Whether the devnet in `dir` serves https (`tamgad devnet --tls` wrote `DIR/tls/`).
pub fn has_tls(dir: &Path) -> bool {
    dir.join(TLS_DIR).join("ca.pem").exists()
}

/// Requests a second one address may send to a devnet or testnet node.
pub const DEV_API_RATE_PER_S: u32 = 100_000;

/// Generates a testnet into `dir` (which must not hold one) and a node home per validator.
pub fn write_testnet(dir: &Path, options: &TestnetOptions) -> anyhow::Result<Testnet> {
    let t = tamga_genesis::generate(options)?;
    t.write(dir)?;
    let genesis_json = std::fs::read(dir.join("genesis.json"))?;
    for (i, v) in t.validators.iter().enumerate() {
        let home = node_home(dir, i);
        std::fs::create_dir_all(home.root())?;
        let mut cfg = Config::default();
        cfg.p2p.listen = v.p2p_address.clone();
        cfg.api.listen = v.api_address.parse().with_context(|| format!("api address {}", v.api_address))?;
        // Local devnet: short timeouts, quick empty blocks.
        cfg.consensus.timeout_propose_ms = 2000;
        cfg.consensus.empty_block_wait_ms = 500;
        // Devnet (and `tamgad testnet`): a development network whose data is
        // all generated, so the registers are public and nothing is withheld:
        // tools, the CLI and the test harness read everything unsigned. A
        // production node keeps the defaults of `tamgad init` (closed reads,
        // site addresses only for mining regulators and the miner).
        cfg.api.public_read = true;
        cfg.api.redact_site_addresses = false;
        // The load generator (`tamga bench`) and the test harness send
        // thousands of requests a second from one loopback address: a
        // development network lifts the per-address request rate, and keeps
        // every other bound (connections, time, memory) of `tamgad init`.
        cfg.api.rate_limit_per_s = DEV_API_RATE_PER_S;
        cfg.api.rate_limit_burst = DEV_API_RATE_PER_S;
        write_atomic(&home.config(), cfg.to_documented_toml().as_bytes(), 0o644)?;
        write_key(&home.key(), &v.key)?;
        write_key(&home.p2p_key(), &v.p2p_key)?;
        write_atomic(&home.genesis(), &genesis_json, 0o644)?;
    }
    write_manifest(dir, &t, false)?;
    Ok(t)
}

/// Writes `DIR/devnet.json`.
fn write_manifest(dir: &Path, t: &Testnet, tls: bool) -> anyhow::Result<()> {
    let mut json = serde_json::to_string_pretty(&manifest(t, tls))?;
    json.push('\n');
    write_atomic(&dir.join(MANIFEST), json.as_bytes(), 0o644)?;
    Ok(())
}

/// Running node processes; killed (SIGTERM, then SIGKILL) on drop.
pub struct Processes {
    children: Vec<(usize, Child)>,
}

impl Drop for Processes {
    fn drop(&mut self) {
        for (_, c) in &mut self.children {
            #[cfg(unix)]
            {
                let _ = Command::new("kill").arg("-TERM").arg(c.id().to_string()).status();
            }
            #[cfg(not(unix))]
            {
                let _ = c.kill();
            }
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        for (i, c) in &mut self.children {
            loop {
                match c.try_wait() {
                    Ok(Some(_)) => break,
                    Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
                    _ => {
                        eprintln!("node{i} did not stop in 10 s; killing it");
                        let _ = c.kill();
                        let _ = c.wait();
                        break;
                    }
                }
            }
        }
    }
}

impl Processes {
    /// Removes and returns the nodes that have exited, with their status.
    pub fn reap(&mut self) -> Vec<(usize, std::process::ExitStatus)> {
        let mut gone = Vec::new();
        self.children.retain_mut(|(i, c)| match c.try_wait() {
            Ok(Some(status)) => {
                gone.push((*i, status));
                false
            }
            _ => true,
        });
        gone
    }

    /// Whether no node is left running.
    pub fn is_empty(&self) -> bool {
        self.children.is_empty()
    }
}

/// Starts `tamgad start` for every node home of the testnet in `dir`, each
/// with its output appended to `DIR/node{i}/node.log`.
pub fn spawn_nodes(dir: &Path, n: usize) -> anyhow::Result<Processes> {
    let exe = std::env::current_exe().context("cannot find the tamgad executable")?;
    let mut children = Vec::new();
    for i in 0..n {
        let home = node_home(dir, i);
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(home.root().join("node.log"))
            .with_context(|| format!("cannot open the log of node{i}"))?;
        let child = Command::new(&exe)
            .arg("start")
            .arg("--home")
            .arg(home.root())
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .with_context(|| format!("cannot start node{i}"))?;
        children.push((i, child));
    }
    Ok(Processes { children })
}

/// The options of `tamgad devnet` (its `--help` documents each).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DevnetOptions {
    /// Number of validators.
    pub validators: usize,
    /// Funded participant accounts.
    pub participants: usize,
    /// Seed of every generated key (`tamga_genesis::derive_seed`); `None`:
    /// 0 for a new devnet, the stored one for a reused devnet.
    pub seed: Option<u64>,
    /// Chain id; `None`: [`devnet_chain_id`] of the seed.
    pub chain_id: Option<String>,
    /// Validator `i` serves the API on `127.0.0.1:{base_api_port + i}`;
    /// `None`: 8080 for a new devnet, the stored ports for a reused one.
    pub base_api_port: Option<u16>,
    /// Validator `i` listens for peers on `/ip4/127.0.0.1/tcp/{base_p2p_port + i}`;
    /// `None`: 26656 for a new devnet, the stored ports for a reused one.
    pub base_p2p_port: Option<u16>,
    /// Write the devnet and exit without starting the nodes.
    pub init_only: bool,
    /// Serve https with a throwaway CA written into `DIR/tls/`.
    pub tls: bool,
}

/// The chain id of a devnet generated from `seed` when none is named:
/// `tamga-devnet` for the public seed 0, `tamga-devnet-<seed>` otherwise, so
/// two devnets with different seeds are two networks (every signature binds
/// the chain id, `docs/wire-format.md` §5) as well as two key sets.
pub fn devnet_chain_id(seed: u64) -> String {
    if seed == 0 {
        "tamga-devnet".to_owned()
    } else {
        format!("tamga-devnet-{seed}")
    }
}

/// A devnet cannot start because a port it needs is in use.
#[derive(Debug, thiserror::Error)]
pub enum DevnetError {
    /// Some node's API or p2p port could not be bound on 127.0.0.1.
    #[error(
        "ports already in use on 127.0.0.1: {}; stop what holds them or choose other ports with --base-api-port and --base-p2p-port (a second devnet also needs its own --seed and --home)",
        .0.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
    )]
    PortsTaken(Vec<TakenPort>),
    /// A node's address in the devnet does not name a loopback TCP port.
    #[error("node{node}'s {kind} address {address:?} does not end in a TCP port")]
    BadAddress {
        /// Validator index.
        node: usize,
        /// `api` or `p2p`.
        kind: &'static str,
        /// The address as written in `testnet.json`.
        address: String,
    },
}

/// One port that [`check_ports`] found in use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TakenPort {
    /// Validator index.
    pub node: usize,
    /// `api` or `p2p`.
    pub kind: &'static str,
    /// The port.
    pub port: u16,
}

impl std::fmt::Display for TakenPort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (node{} {})", self.port, self.node, self.kind)
    }
}

/// The TCP port at the end of an API address (`127.0.0.1:8080`) or a p2p
/// multiaddr (`/ip4/127.0.0.1/tcp/26656`).
fn address_port(address: &str) -> Option<u16> {
    address.rsplit([':', '/']).next().and_then(|p| p.parse().ok())
}

/// Refuses to start when any node's API or p2p port is in use, naming every
/// such port: a node that cannot bind its port would otherwise exit after the
/// others started, or (p2p) a second devnet would dial the first one's nodes.
pub fn check_ports(t: &Testnet) -> Result<(), DevnetError> {
    let mut taken = Vec::new();
    for (node, v) in t.validators.iter().enumerate() {
        for (kind, address) in [("api", &v.api_address), ("p2p", &v.p2p_address)] {
            let port = address_port(address).ok_or_else(|| DevnetError::BadAddress {
                node,
                kind,
                address: address.clone(),
            })?;
            if std::net::TcpListener::bind(("127.0.0.1", port)).is_err() {
                taken.push(TakenPort { node, kind, port });
            }
        }
    }
    if taken.is_empty() {
        Ok(())
    } else {
        Err(DevnetError::PortsTaken(taken))
    }
}

/// A reused devnet keeps its seed, chain id and ports: naming different ones
/// is refused rather than silently ignored.
fn refuse_changed_reuse(dir: &Path, t: &Testnet, o: &DevnetOptions) -> anyhow::Result<()> {
    let first_port = |address: Option<&String>| address.and_then(|a| address_port(a));
    let stored_api = first_port(t.validators.first().map(|v| &v.api_address));
    let stored_p2p = first_port(t.validators.first().map(|v| &v.p2p_address));
    let mut changed = Vec::new();
    if let Some(seed) = o.seed.filter(|s| *s != t.seed) {
        changed.push(format!("--seed {seed} (it has {})", t.seed));
    }
    if let Some(chain) = o.chain_id.as_ref().filter(|c| **c != t.genesis.chain_id) {
        changed.push(format!("--chain-id {chain} (it has {})", t.genesis.chain_id));
    }
    if let Some(port) = o.base_api_port.filter(|p| Some(*p) != stored_api) {
        changed.push(format!("--base-api-port {port} (it has {stored_api:?})"));
    }
    if let Some(port) = o.base_p2p_port.filter(|p| Some(*p) != stored_p2p) {
        changed.push(format!("--base-p2p-port {port} (it has {stored_p2p:?})"));
    }
    if o.tls != has_tls(dir) {
        let has = if has_tls(dir) { "https, DIR/tls/" } else { "plain http" };
        changed.push(format!("--tls {} (it has {has})", o.tls));
    }
    if !changed.is_empty() {
        bail!(
            "{} holds a devnet generated with other options: {}; use another --home for a new devnet",
            dir.display(),
            changed.join(", ")
        );
    }
    Ok(())
}

/// `tamgad devnet`: generates (or reuses) the testnet in `dir`; unless
/// `init_only`, checks that every node's ports are free and runs every
/// validator as a separate process until Ctrl-C or SIGTERM. A node that dies
/// is reported and not restarted; the others keep running.
pub async fn run_devnet(dir: PathBuf, o: DevnetOptions) -> anyhow::Result<()> {
    let testnet = if dir.join("testnet.json").exists() {
        let t = Testnet::read(&dir).with_context(|| format!("cannot reuse the testnet in {}", dir.display()))?;
        if t.validators.len() != o.validators {
            bail!(
                "{} holds a {}-validator testnet, but --validators {} was given; use another --home or the same count",
                dir.display(),
                t.validators.len(),
                o.validators
            );
        }
        refuse_changed_reuse(&dir, &t, &o)?;
        // A devnet written before nodes had a p2p key of their own: each
        // node gets the one its genesis records (there, its consensus key).
        for (i, v) in t.validators.iter().enumerate() {
            let home = node_home(&dir, i);
            if home.root().exists() && !home.p2p_key().exists() {
                write_key(&home.p2p_key(), &v.p2p_key)?;
            }
        }
        println!("reusing the devnet in {} (chain {})", dir.display(), t.genesis.chain_id.as_str());
        t
    } else {
        let defaults = TestnetOptions::default();
        let seed = o.seed.unwrap_or(0);
        let chain_id = o.chain_id.clone().unwrap_or_else(|| devnet_chain_id(seed));
        let options = TestnetOptions {
            validators: o.validators,
            participants: o.participants,
            seed,
            chain_id: chain_id.clone(),
            base_api_port: o.base_api_port.unwrap_or(defaults.base_api_port),
            base_p2p_port: o.base_p2p_port.unwrap_or(defaults.base_p2p_port),
            ..defaults
        };
        if !o.init_only {
            // Before anything is written: a devnet refused for its ports can
            // be rerun in the same home with other ports.
            check_ports(&tamga_genesis::generate(&options)?)?;
        }
        println!(
            "generating a {}-validator devnet with {} funded participants in {} (seed {seed}, chain {chain_id})",
            o.validators,
            o.participants,
            dir.display(),
        );
        let t = write_testnet(&dir, &options)?;
        if o.tls {
            write_tls(&dir, t.validators.len())?;
            write_manifest(&dir, &t, true)?;
        }
        t
    };
    let n = testnet.validators.len();
    let m = manifest(&testnet, o.tls);
    let ca = o.tls.then(|| dir.join(TLS_DIR).join("ca.pem"));
    println!(
        "  keys      {}/keys: regulator.key, issuer.key, miner.key, user-0000.key … user-{:04}.key",
        dir.display(),
        testnet.participants.len().saturating_sub(1)
    );
    let symbol = m.class_symbol.as_deref().unwrap_or("?");
    println!("  class     {symbol} (id {}), {} base units per user", m.class_id, m.mint_amount);
    println!("  manifest  {}", dir.join(MANIFEST).display());
    if let Some(ca) = &ca {
        println!(
            "  tls       {}: ca.pem (trust it: tamga --ca, curl --cacert), node<i>.pem/.key, client.pem/.key",
            dir.join(TLS_DIR).display()
        );
        println!("  ca        {}", ca.display());
    }
    if o.init_only {
        for (i, node) in m.nodes.iter().enumerate() {
            println!("node{i} api={} run: tamgad start --home {}", node.api, node_home(&dir, i).root().display());
        }
        return Ok(());
    }
    check_ports(&testnet)?;
    let mut procs = spawn_nodes(&dir, n)?;
    for (i, node) in m.nodes.iter().enumerate() {
        println!("node{i} api={} log={}", node.api, node_home(&dir, i).root().join("node.log").display());
    }
    let started = tokio::select! {
        r = wait_for_height(&m.nodes[0].api, ca.as_deref(), 1, Duration::from_secs(60)) => Some(r),
        _ = crate::node::shutdown_signal() => None,
    };
    match started {
        Some(Ok(())) => {
            println!("Tamga devnet is running ({n} validators, chain {}).", testnet.genesis.chain_id.as_str());
            match &ca {
                Some(ca) => println!("  try       tamga --ca {} --node {} status", ca.display(), m.nodes[0].api),
                None => println!("  try       tamga --node {} status", m.nodes[0].api),
            }
            println!("Press Ctrl-C to stop; data persists in {} and a second run resumes the chain.", dir.display());
        }
        Some(Err(e)) => eprintln!("warning: {e:#}; the nodes keep running (see their logs)"),
        None => {
            println!("stopping the nodes…");
            drop(procs);
            return Ok(());
        }
    }
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    loop {
        tokio::select! {
            _ = crate::node::shutdown_signal() => break,
            _ = tick.tick() => {
                for (i, status) in procs.reap() {
                    eprintln!(
                        "node{i} exited ({status}); not restarting it, the other nodes keep running (log: {})",
                        node_home(&dir, i).root().join("node.log").display()
                    );
                }
                if procs.is_empty() {
                    eprintln!("every node has exited");
                    bail!("every devnet node exited");
                }
            }
        }
    }
    println!("stopping the nodes…");
    drop(procs);
    Ok(())
}

/// Waits until the node at `api` reports a block at `height` on `GET /health`
/// (over TLS trusting `ca` for an https:// URL).
async fn wait_for_height(api: &str, ca: Option<&Path>, height: u64, timeout: Duration) -> anyhow::Result<()> {
    let deadline = Instant::now() + timeout;
    loop {
        let attempt = tokio::time::timeout(Duration::from_secs(2), health_height(api, ca)).await;
        if let Ok(Ok(h)) = attempt {
            if h >= height {
                return Ok(());
            }
        }
        if Instant::now() > deadline {
            bail!("no block at height {height} after {timeout:?}");
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Largest `GET /health` answer read, headers included (the body is a few dozen bytes).
const MAX_HEALTH_ANSWER: u64 = 16 * 1024;

/// The height the node at `api` (`http://host:port`, or `https://` trusting
/// `ca`) reports on `GET /health`: one HTTP/1.1 request on a fresh
/// connection that the node closes after answering (the node carries no
/// HTTP client).
async fn health_height(api: &str, ca: Option<&Path>) -> anyhow::Result<u64> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (addr, tls) = match (api.strip_prefix("http://"), api.strip_prefix("https://"), ca) {
        (Some(addr), _, _) => (addr, None),
        (_, Some(addr), Some(ca)) => (addr, Some(ca)),
        _ => bail!("{api:?} is not an http:// URL (or https:// with a CA)"),
    };
    let stream = tokio::net::TcpStream::connect(addr).await?;
    let request = format!("GET /health HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    let mut answer = Vec::new();
    match tls {
        None => {
            let mut stream = stream;
            stream.write_all(request.as_bytes()).await?;
            stream.take(MAX_HEALTH_ANSWER).read_to_end(&mut answer).await?;
        }
        Some(ca) => {
            let mut stream = tls_connect(stream, addr, ca).await?;
            stream.write_all(request.as_bytes()).await?;
            stream.take(MAX_HEALTH_ANSWER).read_to_end(&mut answer).await?;
        }
    }
    let text = String::from_utf8_lossy(&answer);
    let (head, body) = text.split_once("\r\n\r\n").with_context(|| format!("{api}/health: no complete answer"))?;
    let status = head.lines().next().unwrap_or_default();
    if status.split_whitespace().nth(1) != Some("200") {
        bail!("{api}/health answered {status:?}");
    }
    let health: Health = serde_json::from_str(body).with_context(|| format!("{api}/health: body {body:?}"))?;
    Ok(health.height)
}

/// A TLS connection to `addr` (`host:port`) over `stream`, trusting only
/// the CA certificates in `ca`, speaking HTTP/1.1.
async fn tls_connect(
    stream: tokio::net::TcpStream,
    addr: &str,
    ca: &Path,
) -> anyhow::Result<tokio_rustls::client::TlsStream<tokio::net::TcpStream>> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, ServerName};
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(ca).with_context(|| format!("cannot read {}", ca.display()))? {
        roots.add(cert.with_context(|| format!("{} is not PEM", ca.display()))?)?;
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let host = addr.rsplit_once(':').map_or(addr, |(h, _)| h).trim_start_matches('[').trim_end_matches(']');
    let name = ServerName::try_from(host.to_owned()).with_context(|| format!("{host:?} is not a host name"))?;
    Ok(tokio_rustls::TlsConnector::from(std::sync::Arc::new(config)).connect(name, stream).await?)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn ports_are_read_from_api_addresses_and_multiaddrs() {
        assert_eq!(address_port("127.0.0.1:8080"), Some(8080));
        assert_eq!(address_port("/ip4/127.0.0.1/tcp/26656"), Some(26656));
        assert_eq!(address_port("/ip4/127.0.0.1/tcp/"), None);
    }

    #[test]
    fn the_chain_id_follows_the_seed() {
        assert_eq!(devnet_chain_id(0), "tamga-devnet");
        assert_eq!(devnet_chain_id(7), "tamga-devnet-7");
    }

    #[test]
    fn a_taken_port_is_named_with_its_node() {
        // Hold a free port, then generate a devnet whose node 1 API needs it.
        let held = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
        let port = held.local_addr().unwrap().port();
        let free_p2p = {
            let l = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
            l.local_addr().unwrap().port()
        };
        let options = TestnetOptions {
            validators: 2,
            participants: 1,
            base_api_port: port - 1,
            base_p2p_port: free_p2p,
            ..TestnetOptions::default()
        };
        let t = tamga_genesis::generate(&options).unwrap();
        let err = check_ports(&t).unwrap_err();
        let DevnetError::PortsTaken(taken) = &err else { panic!("{err}") };
        assert!(taken.contains(&TakenPort { node: 1, kind: "api", port }), "{err}");
        assert!(err.to_string().contains(&format!("{port} (node1 api)")), "{err}");
        drop(held);
    }
}
