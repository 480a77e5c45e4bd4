//! A deterministic network simulator: many engines in one process, simulated
//! time (a priority queue of events), per-link latency and jitter, loss and a
//! partition before GST, crashes and restarts from persisted safety state,
//! Byzantine behaviours; everything drawn from one `u64` seed (ChaCha8).

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, VecDeque};

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sha2::{Digest, Sha256};
use tamga_consensus::{
    Config, Effect, Engine, Input, Message, Proposal, ProposalData, SafetyState, TimeoutKind, Value,
};
use tamga_types::{
    codec, Hash, Height, PartyId, PublicKey, Round, SigningKey, Validator, ValidatorSet, Vote, VoteData,
};

pub const CHAIN: &str = "tamga-sim";

/// A tiny value: who proposed it where, and whether the host deems it valid.
#[derive(Clone, Debug, PartialEq, Eq, borsh::BorshSerialize, borsh::BorshDeserialize)]
pub struct TestValue {
    pub height: Height,
    pub round: Round,
    pub proposer: u16,
    pub salt: u64,
    pub valid: bool,
}

impl Value for TestValue {
    fn id(&self) -> Hash {
        Hash::digest(b"TAMGA/TESTVALUE/v1", &codec::encode(self))
    }
}

/// What a simulated node does with its engine's output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behavior {
    Honest,
    /// Signs a second, different proposal for each of its proposals; half the peers get each.
    Equivocator,
    /// Signs a conflicting vote for each of its votes; peers get both, in random order.
    DoubleVoter,
    /// Sends nothing.
    Silent,
    /// Also re-sends old messages (its own and received ones) to random peers.
    Replayer,
    /// Sends its proposals, but every vote it sends is nil: with the honest
    /// nodes it makes a quorum of messages, so rounds fail and advance.
    /// Falls silent when the scenario's laggard comes back.
    NilVoter,
    /// As proposer signs two valid values: a victim (one honest node) gets
    /// the first and then the second, everyone else only the second, and its
    /// own prevote goes to the second; sends nothing else.
    SecondValue,
}

impl Behavior {
    pub const BYZANTINE: [Behavior; 4] =
        [Behavior::Equivocator, Behavior::DoubleVoter, Behavior::Silent, Behavior::Replayer];
}

/// A validator-set change effective from a height.
#[derive(Clone, Debug)]
pub struct SetChange {
    pub at: Height,
    pub remove: usize,
    pub add: usize,
}

#[derive(Clone, Debug)]
pub struct Scenario {
    pub name: &'static str,
    /// Validators of the genesis set (nodes `0..n`).
    pub n: usize,
    /// Extra nodes that start as observers.
    pub observers: usize,
    pub byzantine: Vec<(usize, Behavior)>,
    /// Heights every honest node must commit.
    pub heights: Height,
    /// Message loss probability before GST.
    pub loss: f64,
    /// Whether a partition happens before GST.
    pub partition: bool,
    pub gst_ms: u64,
    /// Random crashes and restarts of honest nodes before GST.
    pub crashes: bool,
    pub set_change: Option<SetChange>,
    /// Voting power per node id (missing entries: 1).
    pub powers: Vec<u64>,
    /// An honest node cut off from everyone until the other honest nodes
    /// reach a round; then it comes back and `NilVoter`s fall silent.
    pub laggard: Option<Laggard>,
    /// `timeoutPrevote(0)` instead of [`sim_config`]'s.
    pub prevote_base_ms: Option<u64>,
}

impl Scenario {
    /// The engines' configuration in this scenario.
    pub fn config(&self) -> Config {
        let mut c = sim_config();
        if let Some(ms) = self.prevote_base_ms {
            c.prevote_base_ms = ms;
        }
        c
    }
}

/// A node offline until the other honest validators reach round `behind`.
#[derive(Clone, Debug)]
pub struct Laggard {
    pub node: usize,
    pub behind: Round,
}

#[derive(Debug, Default)]
pub struct Outcome {
    /// Digest of every delivered message and every commit.
    pub digest: [u8; 32],
    /// Commits of each node: height → value id.
    pub commits: Vec<BTreeMap<Height, Hash>>,
    /// Keys named by vote evidence reported by honest nodes.
    pub vote_evidence: BTreeSet<PublicKey>,
    /// Keys named by proposal evidence reported by honest nodes.
    pub proposal_evidence: BTreeSet<PublicKey>,
    /// Proposals the equivocators signed twice.
    pub equivocations: u64,
    /// Times an honest node at the right height received both proposals of an equivocation.
    pub equivocations_witnessed: u64,
    pub max_round: Round,
    pub end_ms: u64,
    pub crashes: u64,
    pub messages: u64,
    /// Highest round in which an honest node's commit certificate was formed, per height.
    pub commit_rounds: BTreeMap<Height, Round>,
    /// Keys that signed a commit certificate of an honest node, per height.
    pub signers: BTreeMap<Height, BTreeSet<PublicKey>>,
    /// When the laggard came back.
    pub laggard_back_ms: Option<u64>,
    /// `(height, round)` of every double proposal of a `SecondValue` node.
    pub second_values: BTreeSet<(Height, Round)>,
}

enum Ev {
    Deliver { to: usize, from: usize, msg: Message<TestValue> },
    Timeout { node: usize, epoch: u64, height: Height, round: Round, step: TimeoutKind },
    Crash { node: usize },
    Restart { node: usize },
    Sync { node: usize, epoch: u64 },
    Rebroadcast { node: usize, epoch: u64 },
}

struct Queued {
    at: u64,
    seq: u64,
    ev: Ev,
}

impl PartialEq for Queued {
    fn eq(&self, o: &Self) -> bool {
        (self.at, self.seq) == (o.at, o.seq)
    }
}
impl Eq for Queued {}
impl PartialOrd for Queued {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Queued {
    fn cmp(&self, o: &Self) -> Ordering {
        (o.at, o.seq).cmp(&(self.at, self.seq)) // min-heap
    }
}

struct Node {
    key: SigningKey,
    behavior: Behavior,
    engine: Option<Engine<TestValue>>,
    epoch: u64,
    persisted: Option<SafetyState>,
    /// Values this host validated or built at its current height, kept
    /// durably like `persisted` and fed back after a restart
    /// (`Input::RestoredValue`): the engine persists value ids only.
    kept: Vec<TestValue>,
    last_committed: Height,
    /// When it last committed (or started), for the host's stale-chain sync.
    last_commit_ms: u64,
    crash_mid_batch: bool,
    sync_target: Height,
    sync_pending: bool,
    history: Vec<Message<TestValue>>,
}

pub fn sim_config() -> Config {
    Config {
        chain_id: CHAIN.into(),
        propose_base_ms: 200,
        propose_delta_ms: 50,
        prevote_base_ms: 100,
        prevote_delta_ms: 50,
        precommit_base_ms: 100,
        precommit_delta_ms: 50,
        max_future_rounds: 8,
        max_past_rounds: 32,
    }
}

pub fn key(i: usize) -> SigningKey {
    let mut seed = [7u8; 32];
    seed[..8].copy_from_slice(&(i as u64).to_le_bytes());
    SigningKey::from_seed(seed)
}

pub fn set_of(members: &[usize]) -> ValidatorSet {
    set_with_powers(members, &[])
}

/// The set of `members` with `powers[node]` each (1 where missing).
pub fn set_with_powers(members: &[usize], powers: &[u64]) -> ValidatorSet {
    let vals = members
        .iter()
        .map(|i| Validator {
            key: key(*i).public(),
            power: powers.get(*i).copied().unwrap_or(1),
            operator: PartyId(*i as u64),
            p2p_key: key(*i).public(),
        })
        .collect();
    ValidatorSet::new(vals).expect("valid set")
}

const REBROADCAST_MS: u64 = 1000;
const SYNC_MS: u64 = 30;
/// No commit for this long: the host looks for certified blocks (the driver's
/// `maybe_sync`, `max(timeout_propose, 2 s)`).
const STALE_SYNC_MS: u64 = 2000;

pub struct Sim {
    sc: Scenario,
    rng: ChaCha8Rng,
    now: u64,
    seq: u64,
    queue: BinaryHeap<Queued>,
    nodes: Vec<Node>,
    latency: Vec<Vec<u64>>,
    jitter: u64,
    partition: Option<(u64, u64, Vec<bool>)>,
    trace: Sha256,
    out: Outcome,
    decided: BTreeMap<Height, Hash>,
    certified: BTreeMap<Height, (TestValue, tamga_types::Certificate)>,
    honest_votes: BTreeMap<(PublicKey, Height, Round, u8), Vote>,
    honest_proposals: BTreeMap<(PublicKey, Height, Round), ProposalData>,
    last_restart: u64,
    witnessed: BTreeMap<(usize, Height, Round), BTreeSet<Hash>>,
    /// `SecondValue`: first value id → second value id of its proposals.
    second: BTreeMap<Hash, Hash>,
    /// `SecondValue`: the node that gets both proposals of a round.
    victims: BTreeMap<(Height, Round), usize>,
    error: Option<String>,
}

impl Sim {
    pub fn new(sc: Scenario, seed: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let total = sc.n + sc.observers;
        let latency = (0..total).map(|_| (0..total).map(|_| rng.gen_range(5..=40)).collect()).collect();
        let jitter = rng.gen_range(0..=20);
        let partition = sc.partition.then(|| {
            let start = rng.gen_range(0..sc.gst_ms / 2);
            let end = rng.gen_range(start..sc.gst_ms);
            (start, end, (0..total).map(|_| rng.gen_bool(0.5)).collect())
        });
        let nodes = (0..total)
            .map(|i| Node {
                key: key(i),
                behavior: sc.byzantine.iter().find(|(b, _)| *b == i).map(|(_, b)| *b).unwrap_or(Behavior::Honest),
                engine: Some(Engine::new(sc.config(), key(i))),
                epoch: 0,
                persisted: None,
                kept: Vec::new(),
                last_committed: 0,
                last_commit_ms: 0,
                crash_mid_batch: false,
                sync_target: 0,
                sync_pending: false,
                history: Vec::new(),
            })
            .collect();
        let mut sim = Sim {
            out: Outcome { commits: vec![BTreeMap::new(); total], ..Outcome::default() },
            sc,
            rng,
            now: 0,
            seq: 0,
            queue: BinaryHeap::new(),
            nodes,
            latency,
            jitter,
            partition,
            trace: Sha256::new(),
            decided: BTreeMap::new(),
            certified: BTreeMap::new(),
            honest_votes: BTreeMap::new(),
            honest_proposals: BTreeMap::new(),
            last_restart: 0,
            witnessed: BTreeMap::new(),
            second: BTreeMap::new(),
            victims: BTreeMap::new(),
            error: None,
        };
        if sim.sc.crashes {
            for _ in 0..sim.rng.gen_range(1..=4) {
                let node = sim.rng.gen_range(0..total);
                if sim.nodes[node].behavior != Behavior::Honest {
                    continue;
                }
                let at = sim.rng.gen_range(0..sim.sc.gst_ms);
                sim.push(at, Ev::Crash { node });
            }
        }
        sim
    }

    fn push(&mut self, at: u64, ev: Ev) {
        self.seq += 1;
        self.queue.push(Queued { at, seq: self.seq, ev });
    }

    pub fn set_for(&self, h: Height) -> ValidatorSet {
        let mut members: Vec<usize> = (0..self.sc.n).collect();
        if let Some(c) = &self.sc.set_change {
            if h >= c.at {
                members.retain(|m| *m != c.remove);
                members.push(c.add);
            }
        }
        set_with_powers(&members, &self.sc.powers)
    }

    fn fail(&mut self, msg: String) {
        if self.error.is_none() {
            self.error = Some(msg);
        }
    }

    fn honest(&self, i: usize) -> bool {
        self.nodes[i].behavior == Behavior::Honest
    }

    /// Runs to completion; `Err` names the violated property.
    pub fn run(mut self) -> Result<Outcome, String> {
        for i in 0..self.nodes.len() {
            let set = self.set_for(1);
            self.feed(i, Input::StartHeight { height: 1, validators: set });
            let at = self.rng.gen_range(0..REBROADCAST_MS);
            self.push(at, Ev::Rebroadcast { node: i, epoch: 0 });
        }
        let mut events: u64 = 0;
        while let Some(q) = self.queue.pop() {
            if let Some(e) = self.error.take() {
                return Err(e);
            }
            self.now = q.at;
            events += 1;
            self.maybe_return_laggard();
            // Liveness bound: every honest node commits every height within
            // 1.5 s each (about three rounds of the simulated timeouts) plus
            // 3 s, counted from the last disturbance: GST, a restart, or the
            // laggard's return. While the laggard is away there is no bound
            // (the others are meant to fail rounds); after it returns, it
            // needs one rebroadcast period to hear the others and then at
            // most two rounds at the high round they reached (one of them
            // may have a silent proposer), whose timeouts have grown.
            let away = self.sc.laggard.is_some() && self.out.laggard_back_ms.is_none();
            let calm = self.sc.gst_ms.max(self.last_restart).max(self.out.laggard_back_ms.unwrap_or(0));
            let high_rounds = match self.out.laggard_back_ms {
                Some(_) => {
                    let c = self.sc.config();
                    let round: u64 = [TimeoutKind::Propose, TimeoutKind::Prevote, TimeoutKind::Precommit]
                        .into_iter()
                        .map(|k| c.timeout_ms(k, self.out.max_round))
                        .sum();
                    REBROADCAST_MS + 2 * round
                }
                None => 0,
            };
            let deadline = if away { 600_000 } else { calm + 1500 * self.sc.heights + 3000 + high_rounds };
            if self.now > deadline || events > 3_000_000 {
                let heights: Vec<String> = self
                    .nodes
                    .iter()
                    .map(|n| match &n.engine {
                        Some(e) => format!(
                            "{} h{} r{} {:?} lock {:?}",
                            n.last_committed,
                            e.height(),
                            e.round(),
                            e.step(),
                            e.locked().map(|l| l.0)
                        ),
                        None => format!("{} down", n.last_committed),
                    })
                    .collect();
                return Err(format!(
                    "liveness: honest nodes did not commit {} heights by {} ms after GST {} ms, last restart {} ms, laggard back {:?} ms (committed {:?})",
                    self.sc.heights, self.now, self.sc.gst_ms, self.last_restart, self.out.laggard_back_ms, heights
                ));
            }
            if self.done() {
                break;
            }
            self.event(q.ev);
        }
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        if !self.done() {
            return Err("simulation ran out of events before every honest node finished".into());
        }
        self.out.end_ms = self.now;
        for (h, id) in &self.decided {
            self.trace.update(h.to_le_bytes());
            self.trace.update(id.as_bytes());
        }
        self.out.digest = self.trace.finalize().into();
        Ok(self.out)
    }

    /// Brings the laggard back once every other honest validator reached its round.
    fn maybe_return_laggard(&mut self) {
        let Some(l) = self.sc.laggard.clone() else { return };
        if self.out.laggard_back_ms.is_some() {
            return;
        }
        let ready = (0..self.nodes.len()).filter(|i| *i != l.node && self.honest(*i)).all(|i| {
            let n = &self.nodes[i];
            n.engine.as_ref().is_some_and(|e| e.round() >= l.behind)
        });
        if ready {
            self.out.laggard_back_ms = Some(self.now);
            for n in self.nodes.iter_mut().filter(|n| n.behavior == Behavior::NilVoter) {
                n.behavior = Behavior::Silent;
            }
        }
    }

    fn offline(&self, i: usize) -> bool {
        self.sc.laggard.as_ref().is_some_and(|l| l.node == i) && self.out.laggard_back_ms.is_none()
    }

    fn done(&self) -> bool {
        self.nodes.iter().filter(|n| n.behavior == Behavior::Honest).all(|n| n.last_committed >= self.sc.heights)
    }

    fn event(&mut self, ev: Ev) {
        match ev {
            Ev::Deliver { to, from, msg } => {
                if self.nodes[to].engine.is_none() {
                    return;
                }
                self.out.messages += 1;
                self.trace.update(self.now.to_le_bytes());
                self.trace.update([to as u8, from as u8]);
                self.trace.update(codec::encode(&msg));
                if let Message::Proposal(p) = &msg {
                    let witness_ok = self.nodes[to].behavior == Behavior::Honest
                        && self.nodes[to].engine.as_ref().is_some_and(|e| {
                            e.height() == p.height
                                && e.step() != tamga_consensus::Step::Commit
                                && p.round <= e.round() + self.sc.config().max_future_rounds
                        });
                    if self.nodes[from].behavior == Behavior::Equivocator && witness_ok {
                        let seen = self.witnessed.entry((to, p.height, p.round)).or_default();
                        seen.insert(p.value.id());
                        if seen.len() == 2 {
                            self.out.equivocations_witnessed += 1;
                        }
                    }
                }
                if self.nodes[to].behavior == Behavior::Replayer && self.nodes[to].history.len() < 256 {
                    self.nodes[to].history.push(msg.clone());
                }
                let input = match msg {
                    Message::Proposal(p) => Input::Proposal(p),
                    Message::Vote(v) => Input::Vote(v),
                };
                self.feed(to, input);
            }
            Ev::Timeout { node, epoch, height, round, step } => {
                if self.nodes[node].epoch == epoch {
                    self.feed(node, Input::TimeoutElapsed { height, round, step });
                }
            }
            Ev::Crash { node } => {
                if self.nodes[node].engine.is_none() {
                    return;
                }
                if self.rng.gen_bool(0.5) {
                    self.crash(node);
                } else {
                    self.nodes[node].crash_mid_batch = true;
                }
            }
            Ev::Restart { node } => {
                let n = &mut self.nodes[node];
                n.engine = Some(match n.persisted.clone() {
                    Some(s) => Engine::restore(self.sc.config(), n.key.clone(), s),
                    None => Engine::new(self.sc.config(), n.key.clone()),
                });
                n.sync_pending = false;
                let (h, epoch) = (n.last_committed + 1, n.epoch);
                self.last_restart = self.now;
                let set = self.set_for(h);
                self.feed(node, Input::StartHeight { height: h, validators: set });
                let kept: Vec<TestValue> = self.nodes[node].kept.iter().filter(|v| v.height == h).cloned().collect();
                for value in kept {
                    self.feed(node, Input::RestoredValue { height: h, value });
                }
                self.push(self.now + REBROADCAST_MS, Ev::Rebroadcast { node, epoch });
            }
            Ev::Sync { node, epoch } => {
                let n = &mut self.nodes[node];
                if n.epoch != epoch || n.engine.is_none() {
                    return;
                }
                n.sync_pending = false;
                let h = n.last_committed + 1;
                if h > n.sync_target {
                    return;
                }
                match self.certified.get(&h).cloned() {
                    Some((value, certificate)) => self.feed(node, Input::CertifiedValue { value, certificate }),
                    None => {
                        self.nodes[node].sync_pending = true;
                        self.push(self.now + 200, Ev::Sync { node, epoch });
                    }
                }
            }
            Ev::Rebroadcast { node, epoch } => {
                if self.nodes[node].epoch == epoch && self.nodes[node].engine.is_some() {
                    // The node's host asks peers for blocks when it has not
                    // committed for a while (`maybe_sync` in the driver): a
                    // validator whose last commit quorum was lost with a peer's
                    // crash, and whose peers ahead hold at most a third of
                    // the power, has no other way to learn the decision.
                    let n = &mut self.nodes[node];
                    if self.now.saturating_sub(n.last_commit_ms) > STALE_SYNC_MS {
                        n.sync_target = n.sync_target.max(n.last_committed + 1);
                        self.maybe_sync(node);
                    }
                    self.feed(node, Input::Rebroadcast);
                    self.push(self.now + REBROADCAST_MS, Ev::Rebroadcast { node, epoch });
                }
            }
        }
    }

    fn crash(&mut self, node: usize) {
        let n = &mut self.nodes[node];
        n.engine = None;
        n.epoch += 1;
        n.crash_mid_batch = false;
        self.out.crashes += 1;
        let down = self.rng.gen_range(50..=1500);
        self.push(self.now + down, Ev::Restart { node });
    }

    /// Feeds one input and executes its effects (and the host's immediate answers) in order.
    fn feed(&mut self, i: usize, input: Input<TestValue>) {
        let mut inputs = VecDeque::from([input]);
        while let Some(input) = inputs.pop_front() {
            let Some(engine) = self.nodes[i].engine.as_mut() else { return };
            let effects = engine.handle(input);
            let cut = if self.nodes[i].crash_mid_batch && !effects.is_empty() {
                Some(self.rng.gen_range(0..=effects.len()))
            } else {
                None
            };
            for (k, e) in effects.into_iter().enumerate() {
                if cut == Some(k) {
                    return self.crash(i);
                }
                self.execute(i, e, &mut inputs);
            }
            if cut.is_some() {
                return self.crash(i);
            }
        }
    }

    fn execute(&mut self, i: usize, effect: Effect<TestValue>, inputs: &mut VecDeque<Input<TestValue>>) {
        match effect {
            Effect::PersistSafety(s) => self.nodes[i].persisted = Some(s),
            Effect::Broadcast(m) => {
                if self.honest(i) {
                    self.check_signed(i, &m);
                }
                self.broadcast(i, m);
            }
            Effect::BuildProposal { height, round } => {
                let salt = self.rng.gen();
                let value = TestValue { height, round, proposer: i as u16, salt, valid: true };
                self.nodes[i].kept.push(value.clone());
                inputs.push_back(Input::ProposalBuilt { height, round, value });
            }
            Effect::ValidateValue { height, round, value } => {
                let valid = value.valid && value.height == height;
                if valid && !self.nodes[i].kept.contains(&value) {
                    self.nodes[i].kept.push(value.clone());
                }
                inputs.push_back(Input::ValueValidated { height, round, id: value.id(), valid });
            }
            Effect::ScheduleTimeout { height, round, step, duration_ms } => {
                self.out.max_round = self.out.max_round.max(round);
                let epoch = self.nodes[i].epoch;
                self.push(self.now + duration_ms, Ev::Timeout { node: i, epoch, height, round, step });
            }
            Effect::Commit { height, round, value, certificate } => {
                let set = self.set_for(height);
                if let Err(e) = certificate.verify(CHAIN, &set) {
                    return self.fail(format!("node {i} committed height {height} with a bad certificate: {e}"));
                }
                if certificate.data.block_hash != value.id() || certificate.data.height != height {
                    return self.fail(format!("node {i}: certificate does not match the committed value"));
                }
                if height != self.nodes[i].last_committed + 1 {
                    return self.fail(format!("node {i} committed height {height} out of order"));
                }
                let id = value.id();
                if self.honest(i) {
                    match self.decided.get(&height) {
                        Some(d) if *d != id => {
                            return self.fail(format!(
                                "SAFETY: node {i} committed {id} at height {height}, another honest node committed {d}"
                            ))
                        }
                        _ => {
                            self.decided.insert(height, id);
                        }
                    }
                    if !value.valid {
                        return self.fail(format!("node {i} committed an invalid value at height {height}"));
                    }
                    let r = self.out.commit_rounds.entry(height).or_insert(round);
                    *r = (*r).max(round);
                    let signers = self.out.signers.entry(height).or_default();
                    for (index, _) in certificate.signatures.iter() {
                        signers.extend(set.get(*index).map(|v| v.key));
                    }
                }
                self.trace.update(b"commit");
                self.trace.update([i as u8]);
                self.trace.update(id.as_bytes());
                self.out.commits[i].insert(height, id);
                self.certified.entry(height).or_insert((value, certificate));
                self.nodes[i].last_committed = height;
                self.nodes[i].last_commit_ms = self.now;
                self.nodes[i].kept.retain(|v| v.height > height);
                let set = self.set_for(height + 1);
                inputs.push_back(Input::StartHeight { height: height + 1, validators: set });
                self.maybe_sync(i);
            }
            Effect::Evidence(e) => {
                if let Err(err) = e.verify(CHAIN) {
                    return self.fail(format!("node {i} reported invalid evidence: {err}"));
                }
                if self.honest(i) {
                    self.out.vote_evidence.insert(e.validator());
                }
            }
            Effect::ProposalEvidence(e) => {
                if let Err(err) = e.verify(CHAIN) {
                    return self.fail(format!("node {i} reported invalid proposal evidence: {err}"));
                }
                if self.honest(i) {
                    self.out.proposal_evidence.insert(e.proposer());
                }
            }
            Effect::RequestSync { height } => {
                let n = &mut self.nodes[i];
                n.sync_target = n.sync_target.max(height);
                self.maybe_sync(i);
            }
            Effect::Rejected(_) => {}
            Effect::SignFailed { error, .. } => {
                self.fail(format!("node {i}: an in-memory key failed to sign: {error}"))
            }
        }
    }

    fn maybe_sync(&mut self, i: usize) {
        let n = &mut self.nodes[i];
        if !n.sync_pending && n.sync_target > n.last_committed {
            n.sync_pending = true;
            let epoch = n.epoch;
            self.push(self.now + SYNC_MS, Ev::Sync { node: i, epoch });
        }
    }

    /// Honest nodes must never sign two different votes for one (height, round, kind) nor two proposals.
    fn check_signed(&mut self, i: usize, m: &Message<TestValue>) {
        match m {
            Message::Vote(v) => {
                let k = (v.validator, v.data.height, v.data.round, v.data.kind as u8);
                if let Some(old) = self.honest_votes.get(&k) {
                    if old.data != v.data {
                        self.fail(format!("honest node {i} signed conflicting votes {:?} and {:?}", old.data, v.data));
                    }
                } else {
                    self.honest_votes.insert(k, v.clone());
                }
            }
            Message::Proposal(p) => {
                let k = (p.proposer, p.height, p.round);
                if let Some(old) = self.honest_proposals.get(&k) {
                    if *old != p.data() {
                        self.fail(format!("honest node {i} signed conflicting proposals {old:?} and {:?}", p.data()));
                    }
                } else {
                    self.honest_proposals.insert(k, p.data());
                }
            }
        }
    }

    fn partitioned(&self, a: usize, b: usize) -> bool {
        match &self.partition {
            Some((s, e, side)) => self.now >= *s && self.now < *e && side[a] != side[b],
            None => false,
        }
    }

    /// Sends over the simulated link (loss and partition before GST).
    fn send(&mut self, from: usize, to: usize, msg: Message<TestValue>, reliable: bool) {
        if self.offline(from) || self.offline(to) {
            return;
        }
        if !reliable && self.now < self.sc.gst_ms && (self.partitioned(from, to) || self.rng.gen_bool(self.sc.loss)) {
            return;
        }
        let delay = self.latency[from][to] + self.rng.gen_range(0..=self.jitter);
        self.push(self.now + delay, Ev::Deliver { to, from, msg });
    }

    fn broadcast(&mut self, from: usize, m: Message<TestValue>) {
        let total = self.nodes.len();
        let peers: Vec<usize> = (0..total).filter(|p| *p != from).collect();
        match self.nodes[from].behavior {
            Behavior::Honest => peers.into_iter().for_each(|p| self.send(from, p, m.clone(), false)),
            Behavior::Silent => {}
            Behavior::NilVoter => {
                let m = match m {
                    Message::Vote(v) if v.data.block_hash != Hash::ZERO => {
                        let data = VoteData { block_hash: Hash::ZERO, ..v.data.clone() };
                        Message::Vote(Vote::sign(&self.nodes[from].key, CHAIN, data))
                    }
                    other => other,
                };
                peers.into_iter().for_each(|p| self.send(from, p, m.clone(), false));
            }
            Behavior::SecondValue => match m {
                Message::Proposal(p) => {
                    let mut other = p.value.clone();
                    other.salt ^= 0x005e_c00d;
                    let key = self.nodes[from].key.clone();
                    let p2 = Proposal::sign(&key, CHAIN, p.height, p.round, p.pol_round, other);
                    self.second.insert(p.value.id(), p2.value.id());
                    self.out.second_values.insert((p.height, p.round));
                    self.out.equivocations += 1;
                    // One victim per round, also when the proposal is re-sent.
                    let victim = match self.victims.get(&(p.height, p.round)) {
                        Some(v) => *v,
                        None => {
                            let honest: Vec<usize> = peers.iter().copied().filter(|q| self.honest(*q)).collect();
                            let v = *honest.choose(&mut self.rng).unwrap_or(&peers[0]);
                            self.victims.insert((p.height, p.round), v);
                            v
                        }
                    };
                    for q in peers {
                        if q == victim {
                            let delay = self.latency[from][q];
                            self.push(self.now + delay, Ev::Deliver { to: q, from, msg: Message::Proposal(p.clone()) });
                            self.push(
                                self.now + delay + 1,
                                Ev::Deliver { to: q, from, msg: Message::Proposal(p2.clone()) },
                            );
                        } else {
                            self.send(from, q, Message::Proposal(p2.clone()), false);
                        }
                    }
                }
                Message::Vote(v) if v.data.kind == tamga_types::VoteKind::Prevote => {
                    if let Some(second) = self.second.get(&v.data.block_hash).copied() {
                        let data = VoteData { block_hash: second, ..v.data.clone() };
                        let v2 = Message::Vote(Vote::sign(&self.nodes[from].key, CHAIN, data));
                        peers.into_iter().for_each(|p| self.send(from, p, v2.clone(), false));
                    }
                }
                Message::Vote(_) => {}
            },
            Behavior::Replayer => {
                for p in &peers {
                    self.send(from, *p, m.clone(), false);
                }
                let node = &mut self.nodes[from];
                if node.history.len() < 256 {
                    node.history.push(m);
                }
                for _ in 0..2 {
                    let n = self.nodes[from].history.len();
                    let pick = self.rng.gen_range(0..n);
                    let to = *peers.choose(&mut self.rng).expect("peers");
                    let old = self.nodes[from].history[pick].clone();
                    self.send(from, to, old, false);
                }
            }
            Behavior::Equivocator => match m {
                Message::Proposal(p) => {
                    let mut other = p.value.clone();
                    other.salt ^= 0xdead_beef;
                    other.valid = self.rng.gen_bool(0.5);
                    let key = self.nodes[from].key.clone();
                    let p2 = Proposal::sign(&key, CHAIN, p.height, p.round, p.pol_round, other);
                    self.out.equivocations += 1;
                    for (k, peer) in peers.iter().enumerate() {
                        let mm = if k % 2 == 0 { p.clone() } else { p2.clone() };
                        self.send(from, *peer, Message::Proposal(mm), false);
                    }
                    // What gossip would do: one witness sees both, back to back.
                    let honest: Vec<usize> = peers
                        .iter()
                        .copied()
                        .filter(|q| {
                            let n = &self.nodes[*q];
                            n.behavior == Behavior::Honest && n.engine.as_ref().is_some_and(|e| e.height() == p.height)
                        })
                        .collect();
                    let w = *honest.choose(&mut self.rng).unwrap_or(&peers[0]);
                    let delay = self.latency[from][w];
                    self.push(self.now + delay, Ev::Deliver { to: w, from, msg: Message::Proposal(p.clone()) });
                    self.push(self.now + delay, Ev::Deliver { to: w, from, msg: Message::Proposal(p2) });
                }
                other => peers.into_iter().for_each(|p| self.send(from, p, other.clone(), false)),
            },
            Behavior::DoubleVoter => match m {
                Message::Vote(v) => {
                    let block_hash = if v.data.block_hash == Hash::ZERO {
                        Hash::digest(b"fake", &self.rng.gen::<u64>().to_le_bytes())
                    } else {
                        Hash::ZERO
                    };
                    let data = VoteData { block_hash, ..v.data.clone() };
                    let v2 = Vote::sign(&self.nodes[from].key, CHAIN, data);
                    for p in peers {
                        let (a, b) =
                            if self.rng.gen_bool(0.5) { (v.clone(), v2.clone()) } else { (v2.clone(), v.clone()) };
                        let delay = self.latency[from][p] + self.rng.gen_range(0..=self.jitter);
                        self.push(self.now + delay, Ev::Deliver { to: p, from, msg: Message::Vote(a) });
                        self.push(self.now + delay, Ev::Deliver { to: p, from, msg: Message::Vote(b) });
                    }
                }
                other => peers.into_iter().for_each(|p| self.send(from, p, other.clone(), false)),
            },
        }
    }
}

/// Number of seeds per scenario (`TAMGA_SIM_SEEDS`, default 500) and the
/// seeds to run (`TAMGA_SIM_SEED` replays one).
pub fn seeds(base: u64) -> Vec<u64> {
    seeds_with(base, 500)
}

/// As [`seeds`], with `default` seeds when `TAMGA_SIM_SEEDS` is unset (for
/// scenarios whose runs are long in simulated time).
pub fn seeds_with(base: u64, default: u64) -> Vec<u64> {
    if let Ok(s) = std::env::var("TAMGA_SIM_SEED") {
        return vec![s.parse().expect("TAMGA_SIM_SEED must be a u64")];
    }
    let n: u64 = std::env::var("TAMGA_SIM_SEEDS").ok().and_then(|s| s.parse().ok()).unwrap_or(default);
    (0..n).map(|i| base.wrapping_mul(1_000_003).wrapping_add(i)).collect()
}

/// Runs `make(seed)` for every seed, panicking with the seed on the first failure.
pub fn run_seeds(
    name: &str,
    base: u64,
    make: impl FnMut(u64) -> Scenario,
    check: impl FnMut(u64, &Scenario, &Outcome) -> Result<(), String>,
) {
    run_seeds_with(name, base, 500, make, check)
}

/// [`run_seeds`] with `default` seeds (see [`seeds_with`]).
pub fn run_seeds_with(
    name: &str,
    base: u64,
    default: u64,
    mut make: impl FnMut(u64) -> Scenario,
    mut check: impl FnMut(u64, &Scenario, &Outcome) -> Result<(), String>,
) {
    let seeds = seeds_with(base, default);
    let start = std::time::Instant::now();
    let mut rounds = 0;
    for seed in &seeds {
        let sc = make(*seed);
        let out = Sim::new(sc.clone(), *seed).run().and_then(|o| check(*seed, &sc, &o).map(|_| o));
        match out {
            Ok(o) => rounds = rounds.max(o.max_round),
            Err(e) => panic!(
                "scenario {name} failed on seed {seed} (replay: TAMGA_SIM_SEED={seed}): {e}\n(byzantine {:?}, powers {:?}, loss {:.2}, partition {}, GST {} ms, crashes {})",
                sc.byzantine, sc.powers, sc.loss, sc.partition, sc.gst_ms, sc.crashes
            ),
        }
    }
    println!(
        "scenario {name}: {} seeds ok (first seed {}, max round {rounds}, {:.1} s)",
        seeds.len(),
        seeds.first().copied().unwrap_or(0),
        start.elapsed().as_secs_f64()
    );
}
