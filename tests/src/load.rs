//! The load generator: transfers of class 1 between bootstrapped participant
//! accounts at a target rate, each account with at most one transaction in
//! flight, submitted in batches to live nodes in turn.
//!
//! A follower task reads every committed block (from whichever node answers)
//! and its receipts, marking the load's transactions committed with their
//! height and outcome. Nodes that do not answer are skipped for a second; a
//! transaction not committed after `resubmit_after` is submitted again, byte
//! for byte, to another node (it may have died in a killed node's mempool).
//! [`Load::finish`] stops submitting, waits for every admitted transaction to
//! commit and returns a [`LoadReport`].

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail};
use rand::Rng;
use tamga_client::{BlockAt, Client, ClientError};
use tamga_genesis::testnet::BOOTSTRAP_CLASS;
use tamga_types::{ChainId, Hash, Height, Payload, PublicKey, SignedTransaction, SigningKey, Transaction, TxOutcome};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::net::say;

/// What to generate.
#[derive(Clone, Debug)]
pub struct LoadOptions {
    /// Target submissions per second.
    pub rate: u32,
    /// Resubmit a transaction that is not committed after this long.
    pub resubmit_after: Duration,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions { rate: 200, resubmit_after: Duration::from_secs(10) }
    }
}

/// What the load did, for the scenario's assertions.
#[derive(Clone, Debug, Default)]
pub struct LoadReport {
    /// Transactions signed and sent at least once.
    pub sent: u64,
    /// Transactions a node acknowledged (admitted, or answered it already had it).
    pub admitted: u64,
    /// Committed load transactions: hash → height, as read from the chain.
    pub committed: HashMap<Hash, Height>,
    /// Committed load transactions whose receipt is a failure: hash → code.
    pub failed: HashMap<Hash, String>,
    /// Block hash of every height the follower read.
    pub blocks: BTreeMap<Height, Hash>,
    /// Unexpected refusals by code (a healthy load has none).
    pub refused: BTreeMap<String, u64>,
    /// Back-pressure answers (429/503) by code: retried.
    pub backpressure: BTreeMap<String, u64>,
    /// Submissions that got no HTTP answer (node down): retried elsewhere.
    pub unreachable: u64,
    /// Resends: after back-pressure, an unreachable node, or no commit in time.
    pub resubmitted: u64,
    /// Admitted transactions still not committed when the report was taken.
    pub uncommitted: u64,
    /// Time from start to the end of submissions.
    pub elapsed: Duration,
}

impl LoadReport {
    /// Committed transactions per second over the submission period.
    pub fn committed_rate(&self) -> f64 {
        self.committed.len() as f64 / self.elapsed.as_secs_f64().max(0.001)
    }

    /// One line for the scenario log.
    pub fn summary(&self) -> String {
        format!(
            "load: sent {}, admitted {}, committed {} ({:.0} tx/s over {:.1?}), failed receipts {}, uncommitted {}, \
             refused {:?}, back-pressure {:?}, unreachable {}, resubmitted {}, blocks read {}",
            self.sent,
            self.admitted,
            self.committed.len(),
            self.committed_rate(),
            self.elapsed,
            self.failed.len(),
            self.uncommitted,
            self.refused,
            self.backpressure,
            self.unreachable,
            self.resubmitted,
            self.blocks.len()
        )
    }
}

struct Account {
    key: SigningKey,
    nonce: u64,
    /// The transaction in flight and when it was last sent.
    inflight: Option<(SignedTransaction, Instant)>,
    /// Queued for (re)submission.
    queued: bool,
    /// A transaction of it was refused: its nonce is unknown, it sends no more.
    dead: bool,
}

struct State {
    accounts: Vec<Account>,
    by_hash: HashMap<Hash, usize>,
    report: LoadReport,
    node_down_until: Vec<Instant>,
    next_node: usize,
    cursor: usize,
    error: Option<String>,
}

/// A running load generator.
pub struct Load {
    state: Arc<Mutex<State>>,
    stop: watch::Sender<bool>,
    driver: JoinHandle<()>,
    follower: JoinHandle<()>,
    started: Instant,
}

fn lock(s: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    s.lock().unwrap_or_else(|p| p.into_inner())
}

impl Load {
    /// Starts sending transfers between `accounts` (participants funded with
    /// class 1) through `clients` (index = node), following the chain from `from_height + 1`.
    pub async fn start(
        clients: Vec<Client>,
        chain_id: &str,
        accounts: Vec<SigningKey>,
        from_height: Height,
        opts: LoadOptions,
    ) -> anyhow::Result<Load> {
        if accounts.len() < 2 {
            bail!("the load needs at least two accounts");
        }
        let chain_id = ChainId::new(chain_id).map_err(|e| anyhow!("chain id: {e}"))?;
        let mut accs = Vec::new();
        for key in accounts {
            let nonce = clients[0].next_nonce(&key.public()).await?;
            accs.push(Account { key, nonce, inflight: None, queued: false, dead: false });
        }
        let n = clients.len();
        let state = Arc::new(Mutex::new(State {
            accounts: accs,
            by_hash: HashMap::new(),
            report: LoadReport::default(),
            node_down_until: vec![Instant::now(); n],
            next_node: 0,
            cursor: 0,
            error: None,
        }));
        let (stop, stop_rx) = watch::channel(false);
        let opts_rate = opts.rate;
        let started = Instant::now();
        let driver = tokio::spawn(drive(state.clone(), clients.clone(), chain_id, opts, stop_rx));
        let follower = tokio::spawn(follow(state.clone(), clients, from_height));
        say(format!("load: started at {} tx/s", opts_rate));
        Ok(Load { state, stop, driver, follower, started })
    }

    /// Load transactions committed so far.
    pub fn committed(&self) -> usize {
        lock(&self.state).report.committed.len()
    }

    /// A copy of the report so far (for checks in the middle of a scenario).
    pub fn snapshot(&self) -> LoadReport {
        let st = lock(&self.state);
        let mut r = st.report.clone();
        r.elapsed = self.started.elapsed();
        r.uncommitted = st.accounts.iter().filter(|a| a.inflight.is_some()).count() as u64;
        r
    }

    /// Waits until `n` more load transactions commit than now, or `timeout`.
    pub async fn wait_commits(&self, n: usize, timeout: Duration) -> anyhow::Result<()> {
        let target = self.committed() + n;
        let deadline = Instant::now() + timeout;
        while self.committed() < target {
            if Instant::now() > deadline {
                bail!("load: fewer than {n} transactions committed in {timeout:?}");
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        Ok(())
    }

    /// Stops submitting new transactions, waits up to `drain` for every
    /// admitted one to commit (resubmitting as needed) and returns the report.
    pub async fn finish(self, drain: Duration) -> anyhow::Result<LoadReport> {
        let _ = self.stop.send(true);
        let elapsed = self.started.elapsed();
        let deadline = Instant::now() + drain;
        loop {
            let pending = lock(&self.state).accounts.iter().filter(|a| a.inflight.is_some()).count();
            if pending == 0 || Instant::now() > deadline {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        self.driver.abort();
        self.follower.abort();
        let _ = self.driver.await;
        let _ = self.follower.await;
        let st = lock(&self.state);
        if let Some(e) = &st.error {
            bail!("load generator failed: {e}");
        }
        let mut report = st.report.clone();
        report.elapsed = elapsed;
        report.uncommitted = st.accounts.iter().filter(|a| a.inflight.is_some()).count() as u64;
        say(report.summary());
        Ok(report)
    }
}

/// The submission loop: every tick, enough new transfers to keep the rate,
/// plus stalled ones to resend.
async fn drive(
    state: Arc<Mutex<State>>,
    clients: Vec<Client>,
    chain_id: ChainId,
    opts: LoadOptions,
    stop: watch::Receiver<bool>,
) {
    let tick = Duration::from_millis(50);
    let start = Instant::now();
    let mut made: u64 = 0;
    let mut interval = tokio::time::interval(tick);
    loop {
        interval.tick().await;
        let stopping = *stop.borrow();
        let due = (start.elapsed().as_secs_f64() * f64::from(opts.rate)) as u64;
        let mut batch: Vec<(usize, SignedTransaction)> = Vec::new();
        {
            let mut st = lock(&state);
            let now = Instant::now();
            // Stalled or queued transactions first.
            for (i, a) in st.accounts.iter_mut().enumerate() {
                if let Some((tx, sent)) = &mut a.inflight {
                    if a.queued || now.duration_since(*sent) > opts.resubmit_after {
                        a.queued = false;
                        *sent = now;
                        batch.push((i, tx.clone()));
                    }
                }
            }
            let resent = batch.len() as u64;
            st.report.resubmitted += resent;
            if !stopping {
                let n = st.accounts.len();
                let mut rng = rand::thread_rng();
                let mut scanned = 0;
                while made < due && scanned < n && batch.len() < tamga_client::MAX_BATCH {
                    let i = st.cursor;
                    st.cursor = (st.cursor + 1) % n;
                    scanned += 1;
                    if st.accounts[i].inflight.is_some() || st.accounts[i].dead {
                        continue;
                    }
                    let mut j = rng.gen_range(0..n - 1);
                    if j >= i {
                        j += 1;
                    }
                    let to: PublicKey = st.accounts[j].key.public();
                    let a = &mut st.accounts[i];
                    let tx = Transaction {
                        chain_id: chain_id.clone(),
                        signer: a.key.public(),
                        nonce: a.nonce,
                        payload: Payload::Transfer { class: BOOTSTRAP_CLASS, to, amount: 1 },
                        memo: None,
                    }
                    .sign(&a.key);
                    a.inflight = Some((tx.clone(), now));
                    st.by_hash.insert(tx.hash(), i);
                    st.report.sent += 1;
                    made += 1;
                    batch.push((i, tx));
                }
                // Every account busy: the rate is capped by accounts / latency.
                if made < due && scanned >= n {
                    made = due;
                }
            }
        }
        if batch.is_empty() {
            continue;
        }
        let node = {
            let mut st = lock(&state);
            let now = Instant::now();
            let n = clients.len();
            let mut pick = None;
            for k in 0..n {
                let c = (st.next_node + k) % n;
                if st.node_down_until[c] <= now {
                    pick = Some(c);
                    break;
                }
            }
            let c = pick.unwrap_or(st.next_node % n);
            st.next_node = (c + 1) % n;
            c
        };
        let state2 = state.clone();
        let client = clients[node].clone();
        tokio::spawn(async move { submit(state2, client, node, batch).await });
    }
}

async fn submit(state: Arc<Mutex<State>>, client: Client, node: usize, batch: Vec<(usize, SignedTransaction)>) {
    let txs: Vec<SignedTransaction> = batch.iter().map(|(_, t)| t.clone()).collect();
    let result = client.submit_batch(&txs).await;
    let mut st = lock(&state);
    match result {
        Ok(results) => {
            for ((i, _), r) in batch.iter().zip(results) {
                match r {
                    Ok(_) => st.report.admitted += 1,
                    Err(e) if e.code == "DUPLICATE_TX" || e.code == "ALREADY_COMMITTED" => st.report.admitted += 1,
                    Err(e) if e.is_transient() => {
                        *st.report.backpressure.entry(e.code.clone()).or_default() += 1;
                        st.accounts[*i].queued = true;
                    }
                    Err(e) => {
                        *st.report.refused.entry(e.code.clone()).or_default() += 1;
                        // The account's nonce is now unknown: retire it.
                        if let Some((tx, _)) = st.accounts[*i].inflight.take() {
                            st.by_hash.remove(&tx.hash());
                        }
                        st.accounts[*i].queued = false;
                        st.accounts[*i].dead = true;
                    }
                }
            }
        }
        Err(e) => {
            if !matches!(e, ClientError::Transport { .. }) && !e.is_transient() {
                *st.report.refused.entry(format!("batch: {e}")).or_default() += 1;
            }
            st.report.unreachable += batch.len() as u64;
            st.node_down_until[node] = Instant::now() + Duration::from_secs(1);
            for (i, _) in &batch {
                st.accounts[*i].queued = true;
            }
        }
    }
}

/// Reads every committed block and its receipts, in height order, from any node that answers.
async fn follow(state: Arc<Mutex<State>>, clients: Vec<Client>, from_height: Height) {
    let mut next = from_height + 1;
    let mut node = 0usize;
    let n = clients.len();
    loop {
        let c = &clients[node % n];
        let tip = match c.status().await {
            Ok(s) => s.height,
            Err(_) => {
                node += 1;
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        while next <= tip {
            let (block, receipts) = match (c.block(BlockAt::Height(next)).await, c.block_receipts(next).await) {
                (Ok(b), Ok(r)) => (b, r),
                _ => break,
            };
            let mut st = lock(&state);
            let bh = block.block.hash();
            if let Some(prev) = st.report.blocks.insert(next, bh) {
                if prev != bh {
                    st.error =
                        Some(format!("height {next}: block {prev} read earlier, now {bh} from node{}", node % n));
                }
            }
            if receipts.len() != block.block.txs.len() {
                st.error = Some(format!(
                    "height {next}: {} receipts for {} transactions (node{})",
                    receipts.len(),
                    block.block.txs.len(),
                    node % n
                ));
            }
            for (tx, r) in block.block.txs.iter().zip(&receipts) {
                let h = tx.hash();
                if r.tx_hash != h {
                    st.error = Some(format!("height {next}: receipt for {} where tx {h} is", r.tx_hash));
                }
                if let Some(i) = st.by_hash.remove(&h) {
                    st.report.committed.insert(h, next);
                    if let TxOutcome::Failed { code, .. } = &r.outcome {
                        st.report.failed.insert(h, code.to_string());
                    }
                    let a = &mut st.accounts[i];
                    a.nonce = tx.tx.nonce + 1;
                    a.inflight = None;
                    a.queued = false;
                }
            }
            next += 1;
        }
        if next <= tip {
            node += 1;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
