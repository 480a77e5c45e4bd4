//! [`Net`]: a testnet of real `tamgad` processes on loopback.
//!
//! Each `Net` lives in its own temporary directory (testnet files, node
//! homes, one `node{i}.log` per node) and on its own port range, so several
//! can run at once. Every process is SIGKILLed when the `Net` is dropped,
//! panicking or not; when dropped during a panic the tail of every node's
//! log is printed and the directory is kept for inspection.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};
use tamga_client::Client;
use tamga_genesis::Testnet;
use tamga_types::views::NodeStatus;
use tamga_types::{Height, TxOutcome};

use crate::netns::Netns;

/// Consensus timeouts written into every node's `config.toml` (`[consensus]`,
/// see `node/src/config.rs`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsensusConfig {
    /// `timeoutPropose` of round 0, ms.
    pub timeout_propose_ms: u64,
    /// `timeoutPrevote` of round 0, ms.
    pub timeout_prevote_ms: u64,
    /// `timeoutPrecommit` of round 0, ms.
    pub timeout_precommit_ms: u64,
    /// Added per round, ms.
    pub timeout_delta_ms: u64,
    /// A proposer with an empty mempool waits this long, ms.
    pub empty_block_wait_ms: u64,
}

/// How to build a [`Net`].
#[derive(Clone, Debug)]
pub struct NetOptions {
    /// Validators (each its own process).
    pub validators: usize,
    /// Funded participant accounts (the load generator's senders).
    pub participants: usize,
    /// Seed of every generated key (printed, so a run can be reproduced).
    pub seed: u64,
    /// Check, before returning, that the bootstrap (the genesis transactions:
    /// issuer, class 1, a mint to every participant) succeeded at height 0.
    pub bootstrap: bool,
    /// Consensus timeouts written into every node's `config.toml`.
    pub consensus: ConsensusConfig,
    /// Run every node in its own network namespace ([`Netns`]), so links
    /// can be cut and healed; needs root. Off: every node on loopback.
    pub netns: bool,
    /// Nodes besides the validators (scenario 9), indices `validators..`,
    /// started with them; each has a fresh key and the same genesis.
    pub extra: Vec<ExtraNode>,
    /// `(node index, mode)`: that node runs `tamgad-byzantine` with
    /// `TAMGA_BYZANTINE=mode` (scenario 7; see `tamga_node::byzantine`).
    pub byzantine: Vec<(usize, String)>,
}

/// A node that is not a validator (scenario 9).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExtraNode {
    /// Listed in every validator's `p2p.observers` (an observer configured by
    /// the operator); otherwise an unknown peer the validators must refuse.
    pub observer: bool,
}

impl Default for NetOptions {
    fn default() -> Self {
        NetOptions {
            validators: 4,
            participants: 1000,
            seed: seed_from_env(),
            bootstrap: true,
            consensus: ConsensusConfig {
                timeout_propose_ms: 2000,
                timeout_prevote_ms: 1000,
                timeout_precommit_ms: 1000,
                timeout_delta_ms: 500,
                empty_block_wait_ms: 500,
            },
            netns: false,
            extra: Vec::new(),
            byzantine: Vec::new(),
        }
    }
}

/// `TAMGA_IT_SEED` if set, else a fresh random seed.
pub fn seed_from_env() -> u64 {
    std::env::var("TAMGA_IT_SEED")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or_else(|| u64::from(rand::random::<u16>()))
}

/// One node process.
struct NodeProc {
    home: PathBuf,
    log: PathBuf,
    child: Option<Child>,
    stopped: bool,
    starts: u32,
}

/// A running testnet of `tamgad` processes. See the module docs.
pub struct Net {
    dir: Option<tempfile::TempDir>,
    /// The generated network: genesis and every key.
    pub testnet: Testnet,
    nodes: Vec<NodeProc>,
    clients: Vec<Client>,
    exe: PathBuf,
    /// Dropped after the processes are killed (`Drop for Net`).
    netns: Option<Netns>,
    /// Validators: nodes `0..validators`; extra nodes follow.
    validators: usize,
    /// `TAMGA_BYZANTINE` mode of the nodes that run `tamgad-byzantine`.
    byzantine: HashMap<usize, String>,
    _slot: SlotGuard,
}

/// Seconds of the long scenarios: `TAMGA_IT_SECS`, default `default`.
pub fn scenario_secs(default: u64) -> u64 {
    std::env::var("TAMGA_IT_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(default)
}

/// Prints a line prefixed with the elapsed time since the first call (scenario logs).
pub fn say(msg: impl AsRef<str>) {
    static START: OnceLock<Instant> = OnceLock::new();
    let t = START.get_or_init(Instant::now).elapsed();
    eprintln!("[it {:>7.2}s] {}", t.as_secs_f64(), msg.as_ref());
}

impl Net {
    /// Generates a testnet in a fresh temporary directory, starts every
    /// validator, waits for the first block on all of them and, if asked,
    /// bootstraps it.
    pub async fn start(opts: NetOptions) -> anyhow::Result<Net> {
        let slot = SlotGuard::acquire().await;
        let exe = tamgad_path()?;
        let dir = tempfile::Builder::new().prefix("tamga-it-").tempdir().context("cannot create a temp dir")?;
        let (p2p, api) = free_port_ranges(opts.validators)?;
        let out = Command::new(&exe)
            .arg("testnet")
            .args(["--validators", &opts.validators.to_string()])
            .args(["--participants", &opts.participants.to_string()])
            .args(["--seed", &opts.seed.to_string()])
            .args(["--base-p2p-port", &p2p.to_string()])
            .args(["--base-api-port", &api.to_string()])
            .arg("--out")
            .arg(dir.path())
            .output()
            .context("cannot run tamgad testnet")?;
        if !out.status.success() {
            bail!("tamgad testnet failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        let mut testnet = Testnet::read(dir.path())?;
        let netns = if opts.netns {
            let ns = Netns::create(opts.validators)?;
            testnet = ns.place_testnet(dir.path(), &testnet)?;
            Some(ns)
        } else {
            None
        };
        say(format!(
            "net: {} validators, {} participants, seed {}, p2p ports {p2p}+, api ports {api}+, dir {}",
            opts.validators,
            opts.participants,
            opts.seed,
            dir.path().display()
        ));
        let mut nodes = Vec::new();
        let mut clients = Vec::new();
        for (i, v) in testnet.validators.iter().enumerate() {
            let home = dir.path().join(format!("node{i}"));
            set_consensus(&home.join("config.toml"), &opts.consensus)?;
            nodes.push(NodeProc {
                log: dir.path().join(format!("node{i}.log")),
                home,
                child: None,
                stopped: false,
                starts: 0,
            });
            clients.push(Client::with_timeout(format!("http://{}", v.api_address), Duration::from_secs(10))?);
        }
        if !opts.extra.is_empty() {
            if netns.is_some() {
                bail!("extra nodes run on loopback only (NetOptions::netns is set)");
            }
            add_extra_nodes(&exe, dir.path(), &testnet, &opts, &mut nodes, &mut clients)?;
        }
        let byzantine: HashMap<usize, String> = opts.byzantine.iter().cloned().collect();
        for (i, mode) in &byzantine {
            say(format!("net: node{i} runs tamgad-byzantine with TAMGA_BYZANTINE={mode}"));
        }
        let validators = opts.validators;
        let mut net = Net { dir: Some(dir), testnet, nodes, clients, exe, netns, validators, byzantine, _slot: slot };
        if let Err(e) = net.boot(opts.bootstrap).await {
            net.dump_logs();
            return Err(e);
        }
        Ok(net)
    }

    async fn boot(&mut self, bootstrap: bool) -> anyhow::Result<()> {
        for i in 0..self.nodes.len() {
            self.spawn(i)?;
        }
        for i in 0..self.validators {
            self.wait_height(i, 1, Duration::from_secs(60)).await?;
        }
        if bootstrap {
            self.bootstrap().await?;
        }
        Ok(())
    }

    /// Prints every node's log tail and keeps the directory (failure path).
    fn dump_logs(&mut self) {
        for i in 0..self.nodes.len() {
            eprintln!("{}", self.log_tail(i, 40));
        }
        if let Some(d) = self.dir.take() {
            let path = d.keep();
            eprintln!("testnet directory kept for inspection: {}", path.display());
        }
    }

    /// Number of nodes: the validators, then any extra nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Number of validators (nodes `0..validators`).
    pub fn validators(&self) -> usize {
        self.validators
    }

    /// From the next (re)start on, node `i` runs `tamgad-byzantine` with
    /// `TAMGA_BYZANTINE=mode`, or plain `tamgad` with `None`.
    pub fn set_byzantine(&mut self, i: usize, mode: Option<&str>) {
        match mode {
            Some(m) => self.byzantine.insert(i, m.to_owned()),
            None => self.byzantine.remove(&i),
        };
    }

    /// Whether the net has no node.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The testnet directory.
    pub fn dir(&self) -> &Path {
        self.dir.as_ref().map(|d| d.path()).unwrap_or(Path::new("."))
    }

    /// Home directory of node `i` (`config.toml`, `node.key`, `data/`).
    pub fn home(&self, i: usize) -> &Path {
        &self.nodes[i].home
    }

    /// API client of node `i` (10 s request timeout).
    pub fn client(&self, i: usize) -> &Client {
        &self.clients[i]
    }

    /// Clients of every node, index = node.
    pub fn clients(&self) -> Vec<Client> {
        self.clients.clone()
    }

    /// Chain id of the testnet.
    pub fn chain_id(&self) -> String {
        self.testnet.genesis.chain_id.clone()
    }

    /// Nodes whose process runs and is not stopped.
    pub fn live(&self) -> Vec<usize> {
        (0..self.nodes.len()).filter(|&i| self.nodes[i].child.is_some() && !self.nodes[i].stopped).collect()
    }

    fn spawn(&mut self, i: usize) -> anyhow::Result<()> {
        let n = &mut self.nodes[i];
        let mut log = std::fs::OpenOptions::new().create(true).append(true).open(&n.log)?;
        {
            use std::io::Write;
            writeln!(log, "===== it harness: start #{} of node{i} =====", n.starts + 1)?;
        }
        let exe = if self.byzantine.contains_key(&i) { tamgad_byzantine_path()? } else { self.exe.clone() };
        let mut cmd = with_open_file_limit(
            match &self.netns {
                Some(ns) => ns.command(i, Path::new("sh")),
                None => Command::new("sh"),
            },
            &exe,
        );
        if let Some(mode) = self.byzantine.get(&i) {
            cmd.env("TAMGA_BYZANTINE", mode);
        }
        let child = cmd
            .arg("start")
            .arg("--home")
            .arg(&n.home)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .with_context(|| format!("cannot start {} for node{i}", exe.display()))?;
        n.child = Some(child);
        n.stopped = false;
        n.starts += 1;
        Ok(())
    }

    /// The nodes' network namespaces, to cut and heal links; an error if the
    /// net was started without [`NetOptions::netns`].
    pub fn netns(&mut self) -> anyhow::Result<&mut Netns> {
        self.netns
            .as_mut()
            .ok_or_else(|| anyhow!("this net runs on loopback: start it with NetOptions {{ netns: true }}"))
    }

    /// SIGKILLs node `i` (no clean shutdown) and reaps it.
    pub fn kill(&mut self, i: usize) -> anyhow::Result<()> {
        let n = &mut self.nodes[i];
        let mut child = n.child.take().ok_or_else(|| anyhow!("node{i} is not running"))?;
        child.kill().with_context(|| format!("cannot SIGKILL node{i}"))?;
        child.wait()?;
        n.stopped = false;
        say(format!("node{i}: SIGKILL"));
        Ok(())
    }

    /// SIGTERMs node `i` (clean shutdown) and waits up to 15 s for it to exit.
    pub async fn terminate(&mut self, i: usize) -> anyhow::Result<()> {
        self.signal(i, "-TERM")?;
        let deadline = Instant::now() + Duration::from_secs(15);
        let mut child = self.nodes[i].child.take().ok_or_else(|| anyhow!("node{i} is not running"))?;
        loop {
            if let Some(status) = child.try_wait()? {
                say(format!("node{i}: SIGTERM, exited with {status}"));
                if !status.success() {
                    bail!("node{i} exited with {status} after SIGTERM\n{}", self.log_tail(i, 40));
                }
                return Ok(());
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                bail!("node{i} did not exit within 15 s of SIGTERM\n{}", self.log_tail(i, 40));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn signal(&self, i: usize, sig: &str) -> anyhow::Result<()> {
        let child = self.nodes[i].child.as_ref().ok_or_else(|| anyhow!("node{i} is not running"))?;
        let status = Command::new("kill").arg(sig).arg(child.id().to_string()).status()?;
        if !status.success() {
            bail!("kill {sig} node{i} failed: {status}");
        }
        Ok(())
    }

    /// SIGSTOPs node `i` (frozen: its sockets stay open but nothing answers).
    pub fn stop(&mut self, i: usize) -> anyhow::Result<()> {
        self.signal(i, "-STOP")?;
        self.nodes[i].stopped = true;
        say(format!("node{i}: SIGSTOP"));
        Ok(())
    }

    /// SIGCONTs node `i`.
    pub fn cont(&mut self, i: usize) -> anyhow::Result<()> {
        self.signal(i, "-CONT")?;
        self.nodes[i].stopped = false;
        say(format!("node{i}: SIGCONT"));
        Ok(())
    }

    /// Starts node `i` again on its home (SIGKILLing it first if it runs).
    pub fn restart(&mut self, i: usize) -> anyhow::Result<()> {
        if self.nodes[i].child.is_some() {
            self.kill(i)?;
        }
        self.spawn(i)?;
        say(format!("node{i}: started again (start #{})", self.nodes[i].starts));
        Ok(())
    }

    /// Fails if node `i`'s process has exited on its own (a crash).
    pub fn check_alive(&mut self, i: usize) -> anyhow::Result<()> {
        if let Some(c) = self.nodes[i].child.as_mut() {
            if let Some(status) = c.try_wait()? {
                self.nodes[i].child = None;
                bail!("node{i} exited on its own: {status}\n{}", self.log_tail(i, 60));
            }
        }
        Ok(())
    }

    /// Fails if any started node has exited on its own.
    pub fn check_all_alive(&mut self) -> anyhow::Result<()> {
        for i in 0..self.nodes.len() {
            self.check_alive(i)?;
        }
        Ok(())
    }

    /// Status of node `i`.
    pub async fn status(&self, i: usize) -> anyhow::Result<NodeStatus> {
        self.clients[i].status().await.with_context(|| format!("status of node{i}"))
    }

    /// Last committed height of node `i`.
    pub async fn height(&self, i: usize) -> anyhow::Result<Height> {
        Ok(self.status(i).await?.height)
    }

    /// Waits until node `i` has committed `height`; returns its height.
    pub async fn wait_height(&self, i: usize, height: Height, timeout: Duration) -> anyhow::Result<Height> {
        let deadline = Instant::now() + timeout;
        let mut last = None;
        loop {
            match self.clients[i].status().await {
                Ok(s) if s.height >= height => return Ok(s.height),
                Ok(s) => last = Some(s.height),
                Err(_) => {}
            }
            if Instant::now() > deadline {
                bail!("node{i} did not reach height {height} in {timeout:?} (last seen height {last:?})");
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Waits until node `i`'s API answers (its database is open) and returns its first status.
    pub async fn wait_api(&self, i: usize, timeout: Duration) -> anyhow::Result<NodeStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(s) = self.clients[i].status().await {
                return Ok(s);
            }
            if Instant::now() > deadline {
                bail!("node{i}'s API did not answer within {timeout:?}\n{}", self.log_tail(i, 40));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Highest height among the live nodes.
    pub async fn max_height(&self) -> Height {
        let mut h = 0;
        for i in self.live() {
            if let Ok(s) = self.clients[i].status().await {
                h = h.max(s.height);
            }
        }
        h
    }

    /// Waits until every live node has committed `height`.
    pub async fn wait_all_height(&self, height: Height, timeout: Duration) -> anyhow::Result<()> {
        for i in self.live() {
            self.wait_height(i, height, timeout).await?;
        }
        Ok(())
    }

    /// Checks that the bootstrap (the genesis transactions: issuer, miner,
    /// class 1, a mint to every participant) succeeded at height 0.
    async fn bootstrap(&self) -> anyhow::Result<()> {
        let txs = &self.testnet.genesis.transactions;
        let c = &self.clients[0];
        for tx in txs {
            let v = c.wait_for_receipt(&tx.hash(), Duration::from_secs(10)).await?;
            if let TxOutcome::Failed { code, args } = &v.receipt.outcome {
                bail!("genesis transaction {} failed: {code} {args:?}", tx.hash());
            }
        }
        say(format!("net: {} genesis transactions committed at height 0", txs.len()));
        Ok(())
    }

    /// The last `lines` lines of node `i`'s log.
    pub fn log_tail(&self, i: usize, lines: usize) -> String {
        let text = std::fs::read_to_string(&self.nodes[i].log).unwrap_or_default();
        let all: Vec<&str> = text.lines().collect();
        let from = all.len().saturating_sub(lines);
        let mut out = format!("----- node{i} log ({}), last {} lines -----\n", self.nodes[i].log.display(), lines);
        for l in &all[from..] {
            let _ = writeln!(out, "{l}");
        }
        out
    }

    /// Counts log lines of node `i` containing `needle`.
    pub fn log_count(&self, i: usize, needle: &str) -> usize {
        std::fs::read_to_string(&self.nodes[i].log).unwrap_or_default().lines().filter(|l| l.contains(needle)).count()
    }
}

impl Drop for Net {
    fn drop(&mut self) {
        for n in &mut self.nodes {
            if let Some(mut c) = n.child.take() {
                let _ = c.kill();
                let _ = c.wait();
            }
        }
        if std::thread::panicking() {
            self.dump_logs();
        }
    }
}

/// Rewrites the `[consensus]` timeouts of a node's `config.toml`.
/// Soft and hard limit on open files (`RLIMIT_NOFILE`) of every node
/// process: the usual default of a Linux service, so that the scenarios see
/// what exhausting it does to a validator (a larger limit would hide it).
pub const NODE_OPEN_FILES: u32 = 1024;

/// `sh` (the given command, which may already enter a namespace) sets both
/// open-file limits of itself to [`NODE_OPEN_FILES`] and execs `exe` with the
/// arguments added to the command afterwards. `exec` keeps the pid, so the
/// child's pid is `exe`'s and signals reach it. A shell rather than
/// `pre_exec`: the workspace forbids `unsafe`, and `ulimit -n` without `-S`
/// or `-H` sets both limits (POSIX `sh`, dash and bash alike).
fn with_open_file_limit(mut sh: Command, exe: &Path) -> Command {
    sh.arg("-c").arg(format!("ulimit -n {NODE_OPEN_FILES} && exec \"$0\" \"$@\"")).arg(exe);
    sh
}

fn set_consensus(path: &Path, c: &ConsensusConfig) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut cfg: toml::Table = toml::from_str(&text).with_context(|| format!("{} is not TOML", path.display()))?;
    let consensus = cfg
        .entry("consensus")
        .or_insert_with(|| toml::Value::Table(toml::Table::new()))
        .as_table_mut()
        .ok_or_else(|| anyhow!("{}: [consensus] is not a table", path.display()))?;
    for (k, v) in [
        ("timeout_propose_ms", c.timeout_propose_ms),
        ("timeout_prevote_ms", c.timeout_prevote_ms),
        ("timeout_precommit_ms", c.timeout_precommit_ms),
        ("timeout_delta_ms", c.timeout_delta_ms),
        ("empty_block_wait_ms", c.empty_block_wait_ms),
    ] {
        consensus.insert(k.into(), toml::Value::Integer(i64::try_from(v)?));
    }
    std::fs::write(path, toml::to_string(&cfg)?)?;
    Ok(())
}

/// The `tamgad` executable: `TAMGAD_BIN`, else built with cargo next to the
/// test executable (`target/<profile>/tamgad`), once per test process.
pub fn tamgad_path() -> anyhow::Result<PathBuf> {
    static PATH: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    PATH.get_or_init(|| locate_or_build("tamgad", "TAMGAD_BIN", None).map_err(|e| format!("{e:#}")))
        .clone()
        .map_err(|e| anyhow!(e))
}

/// The `tamgad-byzantine` executable (`tamgad` with the test-only
/// `byzantine` feature, scenario 7): `TAMGAD_BYZANTINE_BIN`, else built like
/// [`tamgad_path`] with `--features byzantine`, once per test process.
pub fn tamgad_byzantine_path() -> anyhow::Result<PathBuf> {
    static PATH: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    PATH.get_or_init(|| {
        locate_or_build("tamgad-byzantine", "TAMGAD_BYZANTINE_BIN", Some("byzantine")).map_err(|e| format!("{e:#}"))
    })
    .clone()
    .map_err(|e| anyhow!(e))
}

fn locate_or_build(bin_name: &str, env_var: &str, feature: Option<&str>) -> anyhow::Result<PathBuf> {
    if let Ok(p) = std::env::var(env_var) {
        return Ok(PathBuf::from(p));
    }
    // target/<profile>/deps/it-<hash>
    let exe = std::env::current_exe()?;
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .ok_or_else(|| anyhow!("unexpected test executable path {}", exe.display()))?;
    let target_dir = profile_dir.parent().ok_or_else(|| anyhow!("no target dir above {}", profile_dir.display()))?;
    let profile = match profile_dir.file_name().and_then(|s| s.to_str()) {
        Some("debug") => "dev".to_owned(),
        Some(p) => p.to_owned(),
        None => bail!("unexpected profile dir {}", profile_dir.display()),
    };
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("Cargo.toml");
    say(format!("building {bin_name} (profile {profile}, target dir {})", target_dir.display()));
    let mut cargo = Command::new(cargo);
    cargo.args(["build", "-p", "tamga-node", "--bin", bin_name, "--profile", &profile]);
    if let Some(f) = feature {
        cargo.args(["--features", f]);
    }
    let status = cargo
        .arg("--manifest-path")
        .arg(&manifest)
        .arg("--target-dir")
        .arg(target_dir)
        .status()
        .with_context(|| format!("cannot run cargo to build {bin_name}"))?;
    if !status.success() {
        bail!("cargo build of {bin_name} failed: {status}");
    }
    let bin = profile_dir.join(bin_name);
    if !bin.exists() {
        bail!("{} missing after the build", bin.display());
    }
    Ok(bin)
}

/// Writes the homes of the extra nodes (scenario 9): a key derived from the
/// seed, the testnet's genesis, its own loopback ports, the validators as
/// `p2p.peers`; an observer's key goes into every validator's `p2p.observers`.
fn add_extra_nodes(
    exe: &Path,
    dir: &Path,
    testnet: &Testnet,
    opts: &NetOptions,
    nodes: &mut Vec<NodeProc>,
    clients: &mut Vec<Client>,
) -> anyhow::Result<()> {
    use rand::{RngCore, SeedableRng};
    let mut peers = Vec::new();
    for (i, v) in testnet.validators.iter().enumerate() {
        let out = Command::new(exe).arg("show-key").arg("--home").arg(dir.join(format!("node{i}"))).output()?;
        let text = String::from_utf8_lossy(&out.stdout);
        let peer = text
            .lines()
            .find_map(|l| l.strip_prefix("peer id"))
            .map(str::trim)
            .ok_or_else(|| anyhow!("tamgad show-key of node{i} printed no peer id: {text}"))?;
        peers.push(toml::Value::String(format!("{}/p2p/{peer}", v.p2p_address)));
    }
    let mut observers = Vec::new();
    let mut rng = rand::rngs::StdRng::seed_from_u64(opts.seed ^ 0x0b5e_47e4);
    for (k, extra) in opts.extra.iter().enumerate() {
        let i = opts.validators + k;
        let home = dir.join(format!("node{i}"));
        std::fs::create_dir_all(&home)?;
        let mut seed = [0u8; 32];
        rng.fill_bytes(&mut seed);
        let key = tamga_types::SigningKey::from_seed(seed);
        // A node refuses a key file that others may read: mode 0600 from
        // creation. The one key is its consensus key and its p2p identity
        // (p2p.key), under which an observer is admitted.
        for file in ["node.key", "p2p.key"] {
            let _ = std::fs::remove_file(home.join(file));
            let mut key_file = {
                use std::os::unix::fs::OpenOptionsExt;
                std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(home.join(file))?
            };
            std::io::Write::write_all(&mut key_file, format!("{}\n", hex::encode(seed)).as_bytes())?;
        }
        let out = Command::new(exe)
            .arg("init")
            .arg("--home")
            .arg(&home)
            .arg("--genesis")
            .arg(dir.join("genesis.json"))
            .output()
            .context("cannot run tamgad init")?;
        if !out.status.success() {
            bail!("tamgad init of node{i} failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        let (p2p, api) = free_port_ranges(1)?;
        let config = home.join("config.toml");
        edit_toml(&config, |cfg| {
            let p = table(cfg, "p2p")?;
            p.insert("listen".into(), toml::Value::String(format!("/ip4/127.0.0.1/tcp/{p2p}")));
            p.insert("peers".into(), toml::Value::Array(peers.clone()));
            table(cfg, "api")?.insert("listen".into(), toml::Value::String(format!("127.0.0.1:{api}")));
            table(cfg, "api")?.insert("public_read".into(), toml::Value::Boolean(true));
            table(cfg, "api")?.insert("redact_site_addresses".into(), toml::Value::Boolean(false));
            // As the validators of a development network (`tamgad testnet`
            // writes `tamga_node::devnet::DEV_API_RATE_PER_S`): the harness
            // reads every block of every node from one address.
            let rate = toml::Value::Integer(100_000);
            table(cfg, "api")?.insert("rate_limit_per_s".into(), rate.clone());
            table(cfg, "api")?.insert("rate_limit_burst".into(), rate);
            Ok(())
        })?;
        set_consensus(&config, &opts.consensus)?;
        let role = if extra.observer { "observer" } else { "unknown peer" };
        say(format!("net: node{i} is an {role}, key {}, p2p port {p2p}, api port {api}", key.public().to_hex()));
        if extra.observer {
            observers.push(toml::Value::String(key.public().to_hex()));
        }
        nodes.push(NodeProc { log: dir.join(format!("node{i}.log")), home, child: None, stopped: false, starts: 0 });
        clients.push(Client::with_timeout(format!("http://127.0.0.1:{api}"), Duration::from_secs(10))?);
    }
    if !observers.is_empty() {
        for i in 0..opts.validators {
            edit_toml(&dir.join(format!("node{i}")).join("config.toml"), |cfg| {
                table(cfg, "p2p")?.insert("observers".into(), toml::Value::Array(observers.clone()));
                Ok(())
            })?;
        }
    }
    Ok(())
}

/// Reads a TOML file, applies `f`, writes it back.
fn edit_toml(path: &Path, f: impl FnOnce(&mut toml::Table) -> anyhow::Result<()>) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut cfg: toml::Table = toml::from_str(&text).with_context(|| format!("{} is not TOML", path.display()))?;
    f(&mut cfg).with_context(|| format!("editing {}", path.display()))?;
    std::fs::write(path, toml::to_string(&cfg)?)?;
    Ok(())
}

/// The table `name` of `cfg`, created if missing.
fn table<'a>(cfg: &'a mut toml::Table, name: &str) -> anyhow::Result<&'a mut toml::Table> {
    cfg.entry(name)
        .or_insert_with(|| toml::Value::Table(toml::Table::new()))
        .as_table_mut()
        .ok_or_else(|| anyhow!("[{name}] is not a table"))
}

/// Per-process counter so nets of one test binary get distinct port ranges.
static NET_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Two disjoint ranges of `n` free loopback ports (p2p, API), picked from the
/// process id and a counter, each port checked by binding it.
fn free_port_ranges(n: usize) -> anyhow::Result<(u16, u16)> {
    let pid = u64::from(std::process::id());
    for attempt in 0..200u64 {
        let k = NET_COUNTER.fetch_add(1, Ordering::Relaxed);
        // 20000..60000 in blocks of 2n ports.
        let block = 2 * n as u64;
        let blocks = 40_000 / block;
        let idx = (pid.wrapping_mul(7919) + k * 131 + attempt * 17) % blocks;
        let base = 20_000 + idx * block;
        let ports: Vec<u16> = (base..base + block).map(|p| p as u16).collect();
        if ports.iter().all(|&p| TcpListener::bind(("127.0.0.1", p)).is_ok()) {
            return Ok((ports[0], ports[n]));
        }
    }
    bail!("no free port range found")
}

/// Limits how many nets run at once in this process (`TAMGA_IT_JOBS`,
/// default 1): four nodes and a load generator already fill a small machine,
/// and timing-sensitive scenarios should not starve each other.
struct SlotGuard(#[allow(dead_code)] tokio::sync::OwnedSemaphorePermit);

impl SlotGuard {
    async fn acquire() -> SlotGuard {
        static SLOTS: OnceLock<std::sync::Arc<tokio::sync::Semaphore>> = OnceLock::new();
        let jobs = std::env::var("TAMGA_IT_JOBS").ok().and_then(|s| s.parse().ok()).unwrap_or(1usize).max(1);
        let sem = SLOTS.get_or_init(|| std::sync::Arc::new(tokio::sync::Semaphore::new(jobs))).clone();
        // The semaphore is never closed.
        match sem.acquire_owned().await {
            Ok(p) => SlotGuard(p),
            Err(_) => unreachable!("the slot semaphore is never closed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_processes_run_with_1024_open_files_soft_and_hard() {
        // `sh` stands for tamgad: it prints the limits it was started with.
        let out = with_open_file_limit(Command::new("sh"), Path::new("sh"))
            .args(["-c", "ulimit -Sn; ulimit -Hn; echo \"$1\"", "sh", "an argument"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(String::from_utf8_lossy(&out.stdout), "1024\n1024\nan argument\n");
    }
}
