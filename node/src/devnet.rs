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
//! DIR/node{i}/                a node home: `tamgad start --home DIR/node{i}`
//!                             (config.toml, node.key, genesis.json, data/, tamgad.pid)
//! DIR/node{i}/node.log        the node's output when run by `tamgad devnet`
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
use tamga_contract::devnet::{DevnetKeys, DevnetManifest, DevnetNode, MANIFEST};
use tamga_contract::wire::Health;
use tamga_genesis::{Testnet, TestnetOptions};

use crate::config::Config;
use crate::home::{write_atomic, write_key, Home};

/// Home of validator `i` in a testnet directory.
pub fn node_home(dir: &Path, i: usize) -> Home {
    Home::new(dir.join(format!("node{i}")))
}

/// The manifest of a generated testnet.
pub fn manifest(t: &Testnet) -> DevnetManifest {
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
                api: format!("http://{}", v.api_address),
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
    }
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
        write_atomic(&home.genesis(), &genesis_json, 0o644)?;
    }
    let mut json = serde_json::to_string_pretty(&manifest(&t))?;
    json.push('\n');
    write_atomic(&dir.join(MANIFEST), json.as_bytes(), 0o644)?;
    Ok(t)
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

/// `tamgad devnet`: generates (or reuses) the testnet in `dir`; unless
/// `init_only`, runs every validator as a separate process until Ctrl-C or
/// SIGTERM. A node that dies is reported and not restarted; the others keep
/// running.
pub async fn run_devnet(dir: PathBuf, validators: usize, participants: usize, init_only: bool) -> anyhow::Result<()> {
    let testnet = if dir.join("testnet.json").exists() {
        let t = Testnet::read(&dir).with_context(|| format!("cannot reuse the testnet in {}", dir.display()))?;
        if t.validators.len() != validators {
            bail!(
                "{} holds a {}-validator testnet, but --validators {validators} was given; use another --home or the same count",
                dir.display(),
                t.validators.len()
            );
        }
        println!("reusing the devnet in {} (chain {})", dir.display(), t.genesis.chain_id.as_str());
        t
    } else {
        let options = TestnetOptions { validators, participants, ..TestnetOptions::default() };
        println!(
            "generating a {validators}-validator devnet with {participants} funded participants in {}",
            dir.display()
        );
        write_testnet(&dir, &options)?
    };
    let n = testnet.validators.len();
    let m = manifest(&testnet);
    println!(
        "  keys      {}/keys: regulator.key, issuer.key, miner.key, user-0000.key … user-{:04}.key",
        dir.display(),
        testnet.participants.len().saturating_sub(1)
    );
    let symbol = m.class_symbol.as_deref().unwrap_or("?");
    println!("  class     {symbol} (id {}), {} base units per user", m.class_id, m.mint_amount);
    println!("  manifest  {}", dir.join(MANIFEST).display());
    if init_only {
        for (i, node) in m.nodes.iter().enumerate() {
            println!("node{i} api={} run: tamgad start --home {}", node.api, node_home(&dir, i).root().display());
        }
        return Ok(());
    }
    let mut procs = spawn_nodes(&dir, n)?;
    for (i, node) in m.nodes.iter().enumerate() {
        println!("node{i} api={} log={}", node.api, node_home(&dir, i).root().join("node.log").display());
    }
    let started = tokio::select! {
        r = wait_for_height(&m.nodes[0].api, 1, Duration::from_secs(60)) => Some(r),
        _ = crate::node::shutdown_signal() => None,
    };
    match started {
        Some(Ok(())) => {
            println!("Tamga devnet is running ({n} validators, chain {}).", testnet.genesis.chain_id.as_str());
            println!("  try       tamga --node {} status", m.nodes[0].api);
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

/// Waits until the node at `api` reports a block at `height` on `GET /health`.
async fn wait_for_height(api: &str, height: u64, timeout: Duration) -> anyhow::Result<()> {
    let deadline = Instant::now() + timeout;
    loop {
        let attempt = tokio::time::timeout(Duration::from_secs(2), health_height(api)).await;
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

/// The height the node at `api` (`http://host:port`) reports on `GET /health`:
/// one HTTP/1.1 request on a fresh connection that the node closes after
/// answering (the node carries no HTTP client).
async fn health_height(api: &str) -> anyhow::Result<u64> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = api.strip_prefix("http://").with_context(|| format!("{api:?} is not an http:// URL"))?;
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    let request = format!("GET /health HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await?;
    let mut answer = Vec::new();
    stream.take(MAX_HEALTH_ANSWER).read_to_end(&mut answer).await?;
    let text = String::from_utf8_lossy(&answer);
    let (head, body) = text.split_once("\r\n\r\n").with_context(|| format!("{api}/health: no complete answer"))?;
    let status = head.lines().next().unwrap_or_default();
    if status.split_whitespace().nth(1) != Some("200") {
        bail!("{api}/health answered {status:?}");
    }
    let health: Health = serde_json::from_str(body).with_context(|| format!("{api}/health: body {body:?}"))?;
    Ok(health.height)
}
