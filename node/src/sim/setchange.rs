//! The validator-set change scenario (node/README.md, "Whole-node
//! simulation"). Five full nodes start from a genesis of four validators;
//! the fifth node is a full node (an observer) whose key is in no set.
//! While the run's faults go on (loss, delay, duplication, partitions,
//! crashes, failing safety writes), the dev regulator submits real
//! `UpdateValidators` transactions (SPEC §9) to every running node's mempool
//! admission, as the API does, and again every 2 s until one commits; each
//! stage starts once the previous one is in effect:
//! 1. add the fifth node's key (power 10, or 20: then it alone holds a third
//!    of the power and no certificate forms without it);
//! 2. remove one of the four original validators (it runs on as a full node);
//! 3. lower another original's power to 5.
//!
//! A change committed at height `h` is in effect from `h +
//! validator_change_delay` (`state/src/exec/governance.rs`). A seed may also
//! crash the added node right after it committed the block before its first
//! height as a validator, before it signed there: its restart must sign at
//! that height (the driver writes "nothing signed" there first).
//!
//! Invariants, on top of the simulator's (every step, and at the end):
//! * the set a node's ledger holds for every height it holds a block of is
//!   the one this module computes from the committed changes (so `check`
//!   verifies every certificate against the set of its own height);
//! * each signature of every certificate is checked against the keys: the
//!   added validator never signs one before its effective height, the
//!   removed one never from its removal height on, nobody outside the set of
//!   the height ([`judge`]);
//! * no node signs a proposal or a vote for a height it is not a validator
//!   at: the added node's driver starts signing at its effective height, the
//!   removed one's stops;
//! * from the removal height on, an adversary holding the removed key copies
//!   every honest prevote and precommit and sends it to every node: the nodes
//!   must refuse it (a certificate that counted one breaks the rule above);
//! * by the end of the run (GST + `liveness_bound`): every change in effect
//!   and at least one certificate signed by the added validator (unless a
//!   torn safety file stopped it for good: seed 180 of the first runs).

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use rand::rngs::StdRng;
use rand::Rng;
use tamga_consensus::Message;
use tamga_genesis::testnet::{Testnet, MINER_PARTY};
use tamga_types::{
    BoundedVec, Certificate, ChainId, Hash, Height, Payload, PublicKey, SigningKey, Transaction, ValidatorSet,
    ValidatorUpdate, Vote, VoteData, VoteKind,
};
use tokio::time::Instant;

use super::{deliver, kill_node, lock, Node, Plan, Shared, Violation, WriteFault, DELTA_MS};
use crate::network::{ConsensusWire, NetEvent};

/// Nodes of the scenario; the last one joins the set.
pub(super) const NODES: usize = 5;
/// The node whose key is added.
pub(super) const ADDED: usize = NODES - 1;
/// The power the third stage gives an original validator.
pub const LOWERED_POWER: u64 = 5;
/// Resubmission period of a change that has not committed yet.
const RESUBMIT: Duration = Duration::from_secs(2);
/// Heights from the removal on at which the removed key's votes are forged.
const FORGED_HEIGHTS: Height = 6;

/// What one seed of the scenario does.
#[derive(Clone, Debug)]
pub struct Setup {
    /// Power of the added validator.
    pub added_power: u64,
    /// The original validator removed.
    pub removed: usize,
    /// The original validator whose power is lowered.
    pub lowered: usize,
    /// When the addition is first submitted.
    pub add_at: Duration,
    /// Crash the added node before its first signature as a validator.
    pub crash_on_joining: bool,
}

/// The plan of a seed: `Mixed`'s faults, five nodes, the changes above.
/// With the heavy addition (20 of 60) no lost or torn safety files and no
/// failing safety writes: the node holding a third could then stop the chain
/// for good, by design (as in `UnequalPower`). A failing write is a lost file
/// in waiting: a joining validator whose first record the disk refuses, and
/// that crashes before a write succeeds, has no file on a used home, so it
/// waits for the chain to commit its height without it (driver docs; seed
/// 116 before this rule).
pub(super) fn plan(base: Plan, r: &mut StdRng) -> Plan {
    let added_power = if r.gen_bool(0.5) { 20 } else { 10 };
    let removed = r.gen_range(0..ADDED);
    let lowered = (removed + r.gen_range(1..ADDED)) % ADDED;
    let light = added_power == 10;
    Plan {
        validators: NODES,
        loss: r.gen_range(0.0..0.15),
        duplicate: r.gen_range(0.0..0.1),
        max_delay_ms: r.gen_range(DELTA_MS..1500),
        partitions: r.gen_bool(0.5),
        torn_writes: light && r.gen_bool(0.3),
        lost_files: light && r.gen_bool(0.3),
        failing_writes: r.gen_bool(0.3) && light,
        setchange: Some(Setup {
            added_power,
            removed,
            lowered,
            add_at: Duration::from_millis(r.gen_range(1000..6000)),
            crash_on_joining: r.gen_bool(0.5),
        }),
        ..base
    }
}

/// Leaves the last node out of the genesis set: it starts as a full node.
pub(super) fn genesis(plan: &Plan, t: &mut Testnet) {
    if plan.setchange.is_some() {
        t.genesis.validators.truncate(NODES - 1);
    }
}

/// One of the three changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// The observer's key joins.
    Add,
    /// An original validator leaves.
    Remove,
    /// An original validator's power drops to [`LOWERED_POWER`].
    Lower,
}

/// A broken invariant of this scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Broken {
    /// A node's ledger holds another set for a height than the changes give.
    SetDiffers {
        /// Node.
        node: usize,
        /// Height.
        height: Height,
    },
    /// A certificate holds the added validator's signature before its effective height.
    AddedSignedEarly {
        /// Node holding it.
        node: usize,
        /// Height of the certificate.
        height: Height,
        /// The effective height, if the addition committed.
        effective: Option<Height>,
    },
    /// A certificate holds the removed validator's signature at or after its removal.
    RemovedSigned {
        /// Node holding it.
        node: usize,
        /// Height of the certificate.
        height: Height,
        /// The removal height.
        removal: Height,
    },
    /// A certificate holds a signature of a key outside the set of its height.
    OutsideSet {
        /// Node holding it.
        node: usize,
        /// Height.
        height: Height,
        /// The signer's node.
        signer: usize,
    },
    /// A node signed a message for a height it is not a validator at.
    SignedOutsideSet {
        /// Node.
        node: usize,
        /// Height.
        height: Height,
    },
    /// A change's transaction failed.
    ChangeFailed {
        /// Which.
        change: Change,
        /// Its outcome.
        why: String,
    },
    /// A change was not in effect by the end of the run.
    NotDone {
        /// Which.
        change: Change,
    },
    /// No certificate signed by the added validator by the end of the run.
    AddedNeverSigned {
        /// Its effective height.
        effective: Option<Height>,
    },
}

/// The validator sets the changes give, height by height.
#[derive(Clone, Debug)]
pub struct Model {
    genesis: BTreeMap<PublicKey, u64>,
    added: PublicKey,
    added_power: u64,
    removed: PublicKey,
    lowered: PublicKey,
    /// Effective heights of the changes committed so far.
    added_from: Option<Height>,
    removed_from: Option<Height>,
    lowered_from: Option<Height>,
}

impl Model {
    /// The model of `genesis` (the original set) and the three changes, none committed yet.
    pub fn new(genesis: &ValidatorSet, added: (PublicKey, u64), removed: PublicKey, lowered: PublicKey) -> Model {
        Model {
            genesis: genesis.validators.iter().map(|v| (v.key, v.power)).collect(),
            added: added.0,
            added_power: added.1,
            removed,
            lowered,
            added_from: None,
            removed_from: None,
            lowered_from: None,
        }
    }

    /// Records that `change` is in effect from `height`.
    pub fn effective(&mut self, change: Change, height: Height) {
        *match change {
            Change::Add => &mut self.added_from,
            Change::Remove => &mut self.removed_from,
            Change::Lower => &mut self.lowered_from,
        } = Some(height);
    }

    /// The height `change` is in effect from, once committed.
    pub fn since(&self, change: Change) -> Option<Height> {
        match change {
            Change::Add => self.added_from,
            Change::Remove => self.removed_from,
            Change::Lower => self.lowered_from,
        }
    }

    /// Whether `key` is in the set in effect at `h`.
    pub fn member(&self, key: &PublicKey, h: Height) -> bool {
        let on = |e: Option<Height>| e.is_some_and(|e| h >= e);
        (*key == self.added && on(self.added_from))
            || (self.genesis.contains_key(key) && !(*key == self.removed && on(self.removed_from)))
    }

    /// The set in effect at `h`: key → power.
    pub fn at(&self, h: Height) -> BTreeMap<PublicKey, u64> {
        let on = |e: Option<Height>| e.is_some_and(|e| h >= e);
        let mut set = self.genesis.clone();
        if on(self.added_from) {
            set.insert(self.added, self.added_power);
        }
        if on(self.removed_from) {
            set.remove(&self.removed);
        }
        if on(self.lowered_from) {
            set.insert(self.lowered, LOWERED_POWER);
        }
        set
    }
}

/// Whether `key` made `sig` over `data`.
fn signed_by(chain_id: &str, data: &VoteData, key: &PublicKey, sig: &tamga_types::Signature) -> bool {
    Vote { data: data.clone(), validator: *key, signature: *sig }.verify(chain_id).is_ok()
}

/// Who made each signature of `cert`: the key its index names in `set` if
/// that key made it, else whichever of `known` did (a certificate built
/// against another set); signatures nobody known made are left out (the
/// certificate check of the simulator refuses them).
pub fn signers(chain_id: &str, cert: &Certificate, set: &ValidatorSet, known: &[PublicKey]) -> Vec<PublicKey> {
    let mut out = Vec::new();
    for (i, sig) in cert.signatures.iter() {
        if let Some(v) = set.get(*i).filter(|v| signed_by(chain_id, &cert.data, &v.key, sig)) {
            out.push(v.key);
        } else if let Some(k) = known.iter().find(|k| signed_by(chain_id, &cert.data, k, sig)) {
            out.push(*k);
        }
    }
    out
}

/// The set-change rules for the `signers` of a certificate of `height` held by `node`.
pub fn judge(model: &Model, known: &[PublicKey], node: usize, height: Height, signers: &[PublicKey]) -> Vec<Broken> {
    let set = model.at(height);
    let mut out = Vec::new();
    for k in signers {
        if *k == model.added && model.added_from.is_none_or(|e| height < e) {
            out.push(Broken::AddedSignedEarly { node, height, effective: model.added_from });
        } else if let Some(removal) = model.removed_from.filter(|e| *k == model.removed && height >= *e) {
            out.push(Broken::RemovedSigned { node, height, removal });
        } else if !set.contains_key(k) {
            let signer = known.iter().position(|x| x == k).unwrap_or(usize::MAX);
            out.push(Broken::OutsideSet { node, height, signer });
        }
    }
    out
}

/// One change's transaction.
struct Stage {
    change: Change,
    raw: Vec<u8>,
    hash: Hash,
    sent_at: Instant,
    /// Height of the block that holds it.
    committed: Option<Height>,
}

/// The scenario's state across the steps of a run.
pub(super) struct SetChange {
    setup: Setup,
    chain_id: ChainId,
    regulator: SigningKey,
    nonce: u64,
    delay: Height,
    keys: Vec<PublicKey>,
    removed_key: SigningKey,
    model: Model,
    stages: Vec<Stage>,
    /// Per node: heights whose certificates were judged.
    checked_upto: Vec<Height>,
    /// (height, round, step) of the forged votes.
    forged: HashSet<(Height, u32, u8)>,
    /// Messages already found signed outside the set: (node, height).
    reported: HashSet<(usize, Height)>,
    crashed: bool,
    added_signed: bool,
}

impl SetChange {
    /// The scenario's state for `plan`, if it is this scenario.
    pub(super) fn new(plan: &Plan, t: &Testnet) -> Option<SetChange> {
        let setup = plan.setchange.clone()?;
        let chain_id = ChainId::new(t.genesis.chain_id.clone()).ok()?;
        let keys: Vec<PublicKey> = t.validators.iter().map(|v| v.key.public()).collect();
        let genesis = ValidatorSet::new(
            t.genesis
                .validators
                .iter()
                .map(|v| tamga_types::Validator { key: v.key, power: v.power, operator: v.operator, p2p_key: v.key })
                .collect(),
        )
        .ok()?;
        let model = Model::new(&genesis, (keys[ADDED], setup.added_power), keys[setup.removed], keys[setup.lowered]);
        // The bootstrap transactions used the regulator's first nonces.
        let regulator = t.regulator.clone();
        let nonce = t.genesis.transactions.iter().filter(|s| s.tx.signer == regulator.public()).count() as u64;
        Some(SetChange {
            removed_key: t.validators[setup.removed].key.clone(),
            setup,
            chain_id,
            regulator,
            nonce,
            delay: t.genesis.params.validator_change_delay.max(1),
            keys,
            model,
            stages: Vec::new(),
            checked_upto: vec![0; NODES],
            forged: HashSet::new(),
            reported: HashSet::new(),
            crashed: false,
            added_signed: false,
        })
    }

    /// Every change in effect and a certificate of the added validator
    /// seen, unless its node stopped for good (a torn safety file: the run's
    /// one faulty validator, which cannot sign).
    pub(super) fn done(&self, nodes: &[Node]) -> bool {
        let top = self.checked_upto.iter().copied().max().unwrap_or(0);
        (self.added_signed || nodes[ADDED].refused) && self.model.lowered_from.is_some_and(|e| top >= e)
    }

    /// One scheduler step: submissions, receipts, the targeted crash, forged
    /// votes and the checks.
    pub(super) async fn step(&mut self, world: &Shared, nodes: &mut [Node], now: Instant, t: Duration) {
        let heights: Vec<Height> = nodes.iter().map(|x| x.ledger.height().unwrap_or(0)).collect();
        let top = heights.iter().copied().max().unwrap_or(0);
        self.receipts(world, nodes);
        self.submit(world, nodes, now, t, top);
        self.crash_on_joining(world, nodes, now, &heights).await;
        self.forge(world, top);
        self.check_signed(world);
        self.check_certificates(world, nodes, &heights);
    }

    /// The next change, once the previous one is in effect at the chain's top.
    fn due(&self, t: Duration, top: Height) -> Option<Change> {
        match self.stages.len() {
            0 if t >= self.setup.add_at => Some(Change::Add),
            1 if self.model.added_from.is_some_and(|e| top >= e) => Some(Change::Remove),
            2 if self.model.removed_from.is_some_and(|e| top >= e) => Some(Change::Lower),
            _ => None,
        }
    }

    fn submit(&mut self, world: &Shared, nodes: &[Node], now: Instant, t: Duration, top: Height) {
        if let Some(change) = self.due(t, top) {
            let (key, power) = match change {
                Change::Add => (self.keys[ADDED], self.setup.added_power),
                Change::Remove => (self.keys[self.setup.removed], 0),
                Change::Lower => (self.keys[self.setup.lowered], LOWERED_POWER),
            };
            let update = ValidatorUpdate { key, power, operator: MINER_PARTY, p2p_key: None };
            let updates = match BoundedVec::new(vec![update]) {
                Ok(u) => u,
                Err(e) => panic!("one validator update: {e}"),
            };
            let tx = Transaction {
                chain_id: self.chain_id.clone(),
                signer: self.regulator.public(),
                nonce: self.nonce,
                payload: Payload::UpdateValidators { updates },
                memo: None,
            }
            .sign(&self.regulator);
            self.nonce += 1;
            let hash = tx.hash();
            lock(world).note(format!("set change {change:?}: tx {hash} (power {power})"));
            let stage = Stage { change, raw: tx.encode(), hash, sent_at: now, committed: None };
            send(nodes, &stage.raw);
            self.stages.push(stage);
            return;
        }
        // Again every few seconds until it commits (a client retrying):
        // mempools are lost in crashes.
        if let Some(s) = self.stages.last_mut().filter(|s| s.committed.is_none() && now >= s.sent_at + RESUBMIT) {
            s.sent_at = now;
            send(nodes, &s.raw);
        }
    }

    fn receipts(&mut self, world: &Shared, nodes: &[Node]) {
        let mut w = lock(world);
        let mut last_effective = 0;
        for s in self.stages.iter_mut() {
            if s.committed.is_none() {
                let found = nodes.iter().find_map(|n| n.ledger.receipt(&s.hash).ok().flatten());
                if let Some(r) = found {
                    s.committed = Some(r.height);
                    if r.is_success() {
                        // A change never takes effect before one already scheduled.
                        let e = (r.height + self.delay).max(last_effective);
                        self.model.effective(s.change, e);
                        w.note(format!("set change {:?} committed at h{}: in effect from h{e}", s.change, r.height));
                    } else {
                        w.violate(Violation::SetChange(Broken::ChangeFailed {
                            change: s.change,
                            why: format!("{:?}", r.outcome),
                        }));
                    }
                }
            }
            last_effective = self.model.since(s.change).unwrap_or(last_effective);
        }
    }

    /// Crashes the added node once, right after it committed the block
    /// before its first height as a validator and before it signed there
    /// (before GST, only while every other node is up and no crash at a
    /// safety write is pending: at most one node down at a time).
    async fn crash_on_joining(&mut self, world: &Shared, nodes: &mut [Node], now: Instant, heights: &[Height]) {
        let Some(e) = self.model.added_from else { return };
        if !self.setup.crash_on_joining || self.crashed || heights[ADDED] + 1 != e {
            return;
        }
        let all_up = nodes.iter().all(|n| n.running.is_some());
        let pending = nodes.iter().any(|x| {
            matches!(x.disk.lock().unwrap_or_else(|p| p.into_inner()).fault, WriteFault::Tear | WriteFault::CrashAfter)
        });
        let back = {
            let mut w = lock(world);
            let signed = w.signed.keys().any(|(i, h, _, _)| *i == ADDED && *h == e);
            if w.gst_passed || !all_up || pending || signed {
                return;
            }
            let (lo, hi) = w.plan.restart_ms;
            Duration::from_millis(w.rng.gen_range(lo..hi))
        };
        self.crashed = true;
        kill_node(world, nodes, ADDED, "right after joining the set, before its first signature").await;
        nodes[ADDED].down_until = Some(now + back);
        lock(world).stats.joining_crashes += 1;
    }

    /// From the removal height on, the removed key's copy of every honest
    /// prevote and precommit (one per height, round and kind), to every node.
    fn forge(&mut self, world: &Shared, top: Height) {
        let Some(removal) = self.model.removed_from else { return };
        let removed = self.setup.removed;
        let mut w = lock(world);
        let mut todo: Vec<(Height, u32, u8, Hash)> = w
            .signed
            .iter()
            .filter(|((i, h, _, step), _)| {
                *i != removed && *step != 0 && *h >= removal && *h < removal + FORGED_HEIGHTS && *h <= top + 1
            })
            .map(|((_, h, r, step), what)| (*h, *r, *step, *what))
            .filter(|(h, r, step, _)| !self.forged.contains(&(*h, *r, *step)))
            .collect();
        // The map's order is not the seed's: sort, so a run replays exactly.
        todo.sort();
        for (h, r, step, what) in todo {
            if !self.forged.insert((h, r, step)) {
                continue;
            }
            let kind = if step == 1 { VoteKind::Prevote } else { VoteKind::Precommit };
            let data = VoteData { kind, height: h, round: r, block_hash: what };
            let vote = Vote::sign(&self.removed_key, self.chain_id.as_str(), data);
            for to in (0..NODES).filter(|&j| j != removed) {
                let d = w.delay();
                let ev = NetEvent::Consensus(Box::new(ConsensusWire::Consensus(Message::Vote(vote.clone()))));
                deliver(world, removed, to, d, ev);
            }
            w.stats.forged_votes += 1;
        }
    }

    /// No node signs at a height it is not a validator at. Only the added
    /// and the removed key are ever outside a set. A node signs at `h` only
    /// holding block `h - 1`, so every change in effect at `h` has committed
    /// on its ledger, and [`SetChange::receipts`] read it before this check.
    fn check_signed(&mut self, world: &Shared) {
        let mut w = lock(world);
        let watched = [ADDED, self.setup.removed];
        let mut bad: Vec<(usize, Height)> = w
            .signed
            .keys()
            .filter(|(i, h, _, _)| watched.contains(i) && !self.model.member(&self.keys[*i], *h))
            .map(|(i, h, _, _)| (*i, *h))
            .filter(|k| !self.reported.contains(k))
            .collect();
        bad.sort();
        bad.dedup();
        for (node, height) in bad {
            self.reported.insert((node, height));
            w.violate(Violation::SetChange(Broken::SignedOutsideSet { node, height }));
        }
    }

    fn check_certificates(&mut self, world: &Shared, nodes: &[Node], heights: &[Height]) {
        let mut w = lock(world);
        let chain_id = self.chain_id.as_str().to_string();
        for (i, node) in nodes.iter().enumerate() {
            while self.checked_upto[i] < heights[i] {
                let h = self.checked_upto[i] + 1;
                let (Ok(Some(cert)), Ok(set)) = (node.ledger.certificate(h), node.ledger.validators_at(h)) else {
                    break; // the simulator's own check reports it
                };
                let held: BTreeMap<PublicKey, u64> = set.validators.iter().map(|v| (v.key, v.power)).collect();
                if held != self.model.at(h) {
                    w.violate(Violation::SetChange(Broken::SetDiffers { node: i, height: h }));
                }
                let who = signers(&chain_id, &cert, &set, &self.keys);
                if who.contains(&self.keys[ADDED]) && self.model.added_from.is_some_and(|e| h >= e) {
                    self.added_signed = true;
                    w.stats.added_certificates += 1;
                }
                for b in judge(&self.model, &self.keys, i, h, &who) {
                    w.violate(Violation::SetChange(b));
                }
                self.checked_upto[i] = h;
            }
        }
    }

    /// The end of the run: every change in effect, and the added validator
    /// in a certificate.
    pub(super) fn finish(&self, world: &Shared, nodes: &[Node]) {
        let mut w = lock(world);
        let top = self.checked_upto.iter().copied().max().unwrap_or(0);
        for change in [Change::Add, Change::Remove, Change::Lower] {
            if self.model.since(change).is_none_or(|e| top < e) {
                w.violate(Violation::SetChange(Broken::NotDone { change }));
            }
        }
        if !self.added_signed && !nodes[ADDED].refused {
            w.violate(Violation::SetChange(Broken::AddedNeverSigned { effective: self.model.added_from }));
        }
    }
}

/// Submits `raw` to every running node's mempool (admission, as the API does).
fn send(nodes: &[Node], raw: &[u8]) {
    for node in nodes {
        if let Some(r) = node.running.as_ref() {
            let _ = r.mempool.submit_raw(r.chain.as_ref(), &[raw]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::run_plans;
    use super::super::{Scenario, Stats};
    use super::*;

    /// The validator set changes during the run under `Mixed`'s faults: the
    /// observer's key is added, an original validator removed and another's
    /// power lowered, each through a regulator's transaction; every
    /// certificate is judged against the set of its own height (module docs).
    #[test]
    fn node_sim_validator_set_changes() {
        let scenario = Scenario::ValidatorSetChanges;
        let runs = run_plans(scenario, 200, |seed| scenario.plan(seed));
        if runs.len() > 4 {
            let sum = |f: fn(&Stats) -> u64| runs.iter().map(|o| f(&o.stats)).sum::<u64>();
            assert!(sum(|s| s.forged_votes) > 0, "no vote forged with the removed key in any seed");
            assert!(sum(|s| u64::from(s.joining_crashes)) > 0, "no crash of a joining validator in any seed");
            assert!(sum(|s| u64::from(s.crashes)) > 0, "no crash in any seed");
        }
    }

    /// Seed 5: the added validator (20 of 60) crashes right after
    /// committing the block before its first height in the set, before it
    /// signed there. Before the driver recorded "nothing signed" on joining,
    /// its restart found no safety file on a used home and waited for the
    /// chain to commit that height without it, which it cannot: liveness.
    #[test]
    fn node_sim_validator_set_changes_regression_seeds() {
        let o = super::super::run(Scenario::ValidatorSetChanges.plan(5));
        assert!(o.violations.is_empty(), "{}", super::super::report(&o));
        assert_eq!(o.stats.joining_crashes, 1, "the seed no longer crashes the joining validator");
    }

    fn key(i: u8) -> SigningKey {
        SigningKey::from_seed([i + 1; 32])
    }

    fn set(keys: &[(PublicKey, u64)]) -> ValidatorSet {
        let v =
            keys.iter().map(|(k, p)| tamga_types::Validator { key: *k, power: *p, operator: MINER_PARTY, p2p_key: *k });
        match ValidatorSet::new(v.collect()) {
            Ok(s) => s,
            Err(e) => panic!("{e}"),
        }
    }

    /// A certificate of `h` signed by `by`, each signature at the index its
    /// key has in `against` (the set the certificate was built for).
    fn certificate(h: Height, by: &[&SigningKey], against: &ValidatorSet) -> Certificate {
        let data = VoteData { kind: VoteKind::Precommit, height: h, round: 0, block_hash: Hash([7; 32]) };
        let mut sigs: Vec<(u16, tamga_types::Signature)> = by
            .iter()
            .map(|k| {
                let i = against.index_of(&k.public()).unwrap_or(u16::MAX);
                (i, Vote::sign(k, "sim", data.clone()).signature)
            })
            .collect();
        sigs.sort_by_key(|(i, _)| *i);
        Certificate { data, signatures: BoundedVec::new(sigs).unwrap() }
    }

    /// The check can fail: a certificate signed by the removed validator
    /// after its removal (built against the old set, as a node that kept
    /// counting its votes would), and one signed by the added validator
    /// before its effective height, are each reported; a certificate of the
    /// right signers is not.
    #[test]
    fn set_change_check_flags_signatures_outside_the_set() {
        let k: Vec<SigningKey> = (0..5).map(key).collect();
        let p: Vec<PublicKey> = k.iter().map(|k| k.public()).collect();
        let genesis = set(&[(p[0], 10), (p[1], 10), (p[2], 10), (p[3], 10)]);
        let mut model = Model::new(&genesis, (p[4], 10), p[0], p[1]);
        model.effective(Change::Add, 5);
        model.effective(Change::Remove, 9);
        let before_removal = set(&[(p[0], 10), (p[1], 10), (p[2], 10), (p[3], 10), (p[4], 10)]);
        let after_removal = set(&[(p[1], 10), (p[2], 10), (p[3], 10), (p[4], 10)]);
        assert_eq!(model.at(9), after_removal.validators.iter().map(|v| (v.key, v.power)).collect());

        // The removed validator at its removal height, in a certificate
        // built against the set before it.
        let bad = certificate(9, &[&k[0], &k[1], &k[2], &k[3]], &before_removal);
        let who = signers("sim", &bad, &after_removal, &p);
        assert!(who.contains(&p[0]), "the removed key's signature is found by its key, not its index: {who:?}");
        let broken = judge(&model, &p, 2, 9, &who);
        assert!(broken.contains(&Broken::RemovedSigned { node: 2, height: 9, removal: 9 }), "{broken:?}");

        // The added validator one height before it is in effect.
        let early = certificate(4, &[&k[1], &k[2], &k[3], &k[4]], &before_removal);
        let who = signers("sim", &early, &genesis, &p);
        let broken = judge(&model, &p, 1, 4, &who);
        assert_eq!(broken, vec![Broken::AddedSignedEarly { node: 1, height: 4, effective: Some(5) }]);

        // Before the addition committed at all, any signature of it is early.
        let mut pending = Model::new(&genesis, (p[4], 10), p[0], p[1]);
        let broken = judge(&pending, &p, 0, 30, &[p[4]]);
        assert_eq!(broken, vec![Broken::AddedSignedEarly { node: 0, height: 30, effective: None }]);
        pending.effective(Change::Add, 31);
        assert_eq!(judge(&pending, &p, 0, 31, &[p[4]]), vec![]);

        // The right signers at the right heights: nothing to report.
        let good = certificate(9, &[&k[1], &k[2], &k[4]], &after_removal);
        let who = signers("sim", &good, &after_removal, &p);
        assert_eq!(who.len(), 3);
        assert_eq!(judge(&model, &p, 0, 9, &who), vec![]);
        let last_of_old = certificate(8, &[&k[0], &k[2], &k[4]], &before_removal);
        let who = signers("sim", &last_of_old, &before_removal, &p);
        assert_eq!(judge(&model, &p, 0, 8, &who), vec![]);
    }
}
