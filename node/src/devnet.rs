//! `tamgad testnet` and `tamgad devnet`: a local network of validator
//! processes on loopback, generated from a seed by `tamga-genesis`.
//!
//! Layout of a testnet directory (`--out` / `--home`):
//!
//! ```text
//! DIR/genesis.json, DIR/regulation.md, DIR/testnet.json   (tamga-genesis)
//! DIR/keys/{validator-i,regulator,issuer,miner}.key, DIR/keys/participants.json
//! DIR/nodes/node{i}/  a node home (config.toml, node.key, genesis.json, data/)
//! DIR/nodes/node{i}/node.log   the node's log when run by `devnet`
//! DIR/bootstrapped            written once the bootstrap transactions committed
//! ```

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use tamga_genesis::{Testnet, TestnetOptions};

use crate::config::Config;
use crate::home::{write_atomic, write_key, Home};

/// Home of validator `i` in a testnet directory.
pub fn node_home(dir: &Path, i: usize) -> Home {
    Home::new(dir.join("nodes").join(format!("node{i}")))
}

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
        write_atomic(&home.config(), cfg.to_documented_toml().as_bytes(), 0o644)?;
        write_key(&home.key(), &v.key)?;
        write_atomic(&home.genesis(), &genesis_json, 0o644)?;
    }
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

/// Starts `tamgad start` for every node home of the testnet in `dir`.
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

/// `tamgad devnet`: generate (or reuse) the testnet in `dir`, run it, bootstrap it once.
pub async fn run_devnet(dir: PathBuf, validators: usize, participants: usize) -> anyhow::Result<()> {
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
    let procs = spawn_nodes(&dir, n)?;
    let urls: Vec<String> = testnet.validators.iter().map(|v| format!("http://{}", v.api_address)).collect();
    let client = tamga_client::Client::new(urls[0].clone())?;
    wait_for_height(&client, 1, Duration::from_secs(60)).await.context("the devnet did not produce a first block")?;
    if !dir.join("bootstrapped").exists() {
        bootstrap(&client, &testnet).await?;
        write_atomic(&dir.join("bootstrapped"), b"ok\n", 0o644)?;
    }
    println!("\nTamga devnet is running ({n} validators, chain {}):", testnet.genesis.chain_id.as_str());
    for (i, u) in urls.iter().enumerate() {
        println!("  node{i}  API {u}   log {}", node_home(&dir, i).root().join("node.log").display());
    }
    println!("  keys     {}/keys (regulator.key, issuer.key, miner.key, participants.json)", dir.display());
    println!("  try      tamga --node {} status", urls[0]);
    println!("Press Ctrl-C to stop; data persists in {} and a second run resumes the chain.", dir.display());
    crate::node::shutdown_signal().await;
    println!("stopping the nodes…");
    drop(procs);
    Ok(())
}

async fn wait_for_height(client: &tamga_client::Client, height: u64, timeout: Duration) -> anyhow::Result<()> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Ok(s) = client.status().await {
            if s.height >= height {
                return Ok(());
            }
        }
        if Instant::now() > deadline {
            bail!("no block at height {height} after {timeout:?}");
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Submits the bootstrap transactions in order and waits for their receipts.
async fn bootstrap(client: &tamga_client::Client, t: &Testnet) -> anyhow::Result<()> {
    let txs = tamga_genesis::bootstrap_transactions(t)?;
    println!("bootstrapping: {} transactions (issuer, miner, class, mints)…", txs.len());
    // Transactions of one signer are ordered by nonce, but a batch does not
    // order different signers (gossip batches are admitted concurrently): so
    // wait for each transaction that the next signer's transaction depends on.
    let mut i = 0;
    while i < txs.len() {
        let signer = txs[i].tx.signer;
        let mut j = i;
        while j < txs.len() && txs[j].tx.signer == signer && j - i < 500 {
            j += 1;
        }
        let run = &txs[i..j];
        let results = client.submit_batch(run).await?;
        for (r, tx) in results.iter().zip(run) {
            if let Err(e) = r {
                bail!("bootstrap transaction {} refused: {e}", tx.hash());
            }
        }
        for tx in run {
            let view = client.wait_for_receipt(&tx.hash(), Duration::from_secs(120)).await?;
            if let tamga_types::TxOutcome::Failed { code, message } = &view.receipt.outcome {
                bail!("bootstrap transaction {} failed: {code}: {message}", tx.hash());
            }
        }
        i = j;
    }
    println!("bootstrap committed");
    Ok(())
}
