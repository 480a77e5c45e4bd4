//! Byzantine validators in the whole-node simulation (SPEC §9; STYLE
//! principle 16).
//!
//! A Byzantine node is a real node — driver, engine, ledger — whose outgoing
//! consensus messages are rewritten, withheld or forged here, signed with its
//! own validator key, by the behaviour of the run ([`Behaviour`]). Every
//! message any node publishes passes through [`intercept`], every delivery
//! through [`received`] (so the adversary, and the invariants, know what each
//! honest node had when it voted), and [`step`] runs on every scheduler step
//! (the forging actor of [`Behaviour::Replay`], the evidence bound, the
//! counts at the end).
//!
//! Invariants checked here, on top of the simulator's ([`Broken`]):
//! * **L36 from outside**: an honest validator that, before its precommit of
//!   `(h, r)`, had received the round proposer's proposal of a valid value
//!   `v` and prevotes for `id(v)` of more than 2/3 of the power (its own
//!   included) precommits `id(v)` (Tendermint, Algorithm 1, lines 36-43: any
//!   proposal of the round's proposer, not only the first received);
//! * an equivocation that an honest node saw (two proposals, or two votes of
//!   one kind, of one Byzantine validator for one height and round) is
//!   evidence committed on chain (SPEC §9) within `n + 2` heights of the
//!   later of its height and the height at GST: every validator is the
//!   round-0 proposer once in `n` heights, and after GST the round 0 of an
//!   honest proposer decides, with the evidence gossiped to every honest pool;
//! * no honest validator votes for, and no node commits, a block made
//!   invalid on purpose;
//! * no honest validator votes for a withheld block it never received;
//! * no honest validator follows a round or height only a Byzantine
//!   validator claimed (round 2^31, a height a million ahead).

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tamga_consensus::{Engine, Message, Proposal, Value};
use tamga_state::BlockContext;
use tamga_types::codec::BoundedVec;
use tamga_types::{Block, Hash, Height, Payload, PublicKey, Round, SigningKey, Transaction, Vote, VoteData, VoteKind};
use tokio::time::Instant;

use super::{deliver, lock, Node, Plan, Scenario, Shared, Violation, World, DELTA_MS};
use crate::network::{ConsensusWire, NetEvent};

/// What the Byzantine validators of a run do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behaviour {
    /// Every vote for a block is doubled by a vote of the same kind, height
    /// and round for a second *real* value: a valid competing block (the
    /// same transactions executed 1 ms later), each to a random part of the
    /// network, some nodes getting both.
    DoubleVote,
    /// As proposer, a valid competing block beside its own: one half of the
    /// others gets one first, the other half the other, some later get both;
    /// it prevotes the larger half's value to all and the smaller half's to
    /// the smaller half (a double vote for two real values), and withholds
    /// its precommit half of the time.
    Equivocate,
    /// Prevote and precommit nil whatever the engine decided (the rounds
    /// fail while an honest validator is offline), then go silent at GST,
    /// when the offline validator returns at round 0.
    NilThenSilent,
    /// As proposer, an invalid block in place of its own ([`Corruption`],
    /// drawn per proposal), and votes for it.
    InvalidBlocks,
    /// As proposer, the proposal (with its block) goes to nobody or to one
    /// node only; its votes for the block's id go to all.
    Withhold,
    /// The node behaves, but a forging actor holding its key sends honest
    /// nodes replays of old-height messages, votes and proposals for round
    /// 2^31 and `u32::MAX`, and votes a million heights ahead.
    Replay,
}

/// How an invalid block differs from a valid one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Corruption {
    /// A transaction with a bad signature or an unknown signer (SPEC §8),
    /// the header's transaction root matching the body.
    BadTransaction,
    /// A header field execution cannot give: the parent hash, a time an
    /// hour ahead, or the next validators' hash.
    BadHeader,
    /// The state root after execution.
    WrongStateRoot,
    /// The receipts root.
    WrongReceiptsRoot,
}

const CORRUPTIONS: [Corruption; 4] =
    [Corruption::BadTransaction, Corruption::BadHeader, Corruption::WrongStateRoot, Corruption::WrongReceiptsRoot];

/// Who is Byzantine in a run, and how.
#[derive(Clone, Debug)]
pub struct Setup {
    /// The behaviour.
    pub behaviour: Behaviour,
    /// Byzantine nodes (indices; at most f of n).
    pub byzantine: Vec<usize>,
    /// Honest nodes that are offline from the start until GST.
    pub absent: Vec<usize>,
}

/// The Byzantine scenarios (CI runs: `byzantine/tests.rs`; budgets in node/README.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ByzScenario {
    /// [`Behaviour::DoubleVote`], n = 4.
    DoubleVote,
    /// [`Behaviour::Equivocate`], n = 4.
    Equivocate,
    /// [`Behaviour::NilThenSilent`], n = 4, one nil voter, one honest node offline.
    NilThenSilentN4,
    /// [`Behaviour::NilThenSilent`], n = 7, two nil voters (f = 2), one honest node offline.
    NilThenSilentN7,
    /// [`Behaviour::InvalidBlocks`], n = 4.
    InvalidBlocks,
    /// [`Behaviour::Withhold`], n = 4.
    Withhold,
    /// [`Behaviour::Replay`], n = 4.
    Replay,
}

/// Honest rounds reached before GST in the nil-then-silent scenarios: the
/// returning node must be more than `max_future_rounds` (16) behind.
pub const NIL_ROUNDS_AT_GST: Round = 18;

impl ByzScenario {
    /// The run of `seed`.
    pub fn plan(self, seed: u64) -> Plan {
        let mut r = StdRng::seed_from_u64(seed ^ 0xb42a_7105);
        let n = if self == ByzScenario::NilThenSilentN7 { 7 } else { 4 };
        let mut order: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            order.swap(i, r.gen_range(0..=i));
        }
        let (behaviour, f, absent) = match self {
            ByzScenario::DoubleVote => (Behaviour::DoubleVote, 1, 0),
            ByzScenario::Equivocate => (Behaviour::Equivocate, 1, 0),
            ByzScenario::NilThenSilentN4 => (Behaviour::NilThenSilent, 1, 1),
            ByzScenario::NilThenSilentN7 => (Behaviour::NilThenSilent, 2, 1),
            ByzScenario::InvalidBlocks => (Behaviour::InvalidBlocks, 1, 0),
            ByzScenario::Withhold => (Behaviour::Withhold, 1, 0),
            ByzScenario::Replay => (Behaviour::Replay, 1, 0),
        };
        let setup = Setup { behaviour, byzantine: order[..f].to_vec(), absent: order[f..f + absent].to_vec() };
        // Every other field as the simulator's fault-free base; no crashes:
        // the Byzantine nodes (and the offline one) are the run's f.
        let quiet = Plan {
            crashes: false,
            torn_writes: false,
            restart_ms: (500, 4000),
            max_delay_ms: r.gen_range(DELTA_MS..300),
            duplicate: r.gen_range(0.0..0.05),
            txs: 5,
            ..Scenario::TornWrites.plan(seed)
        };
        match self {
            // GST when the others are past round 16 + 1 (about 110 s of
            // rounds that fail on timeouts growing 0.25 s a round; the test
            // checks they got past `NIL_ROUNDS_AT_GST`).
            ByzScenario::NilThenSilentN4 | ByzScenario::NilThenSilentN7 => Plan {
                validators: n,
                max_delay_ms: r.gen_range(DELTA_MS..150),
                gst: Duration::from_secs(150),
                liveness_heights: 2,
                liveness_bound: Duration::from_secs(60),
                byzantine: Some(setup),
                ..quiet
            },
            // The evidence bound needs n + 2 heights after GST and the equivocation.
            ByzScenario::DoubleVote | ByzScenario::Equivocate => Plan {
                validators: n,
                gst: Duration::from_secs(2),
                liveness_heights: 8,
                liveness_bound: Duration::from_secs(40),
                byzantine: Some(setup),
                ..quiet
            },
            ByzScenario::InvalidBlocks | ByzScenario::Withhold | ByzScenario::Replay => Plan {
                validators: n,
                loss: r.gen_range(0.0..0.05),
                gst: Duration::from_secs(3),
                liveness_heights: 4,
                liveness_bound: Duration::from_secs(40),
                byzantine: Some(setup),
                ..quiet
            },
        }
    }
}

/// A broken invariant about Byzantine validators (module docs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Broken {
    /// L36: the proposal of `value` and 2f+1 prevotes for it were in, yet
    /// the node precommitted `precommitted`.
    MissedLock {
        /// Honest node.
        node: usize,
        /// Height.
        height: Height,
        /// Round.
        round: Round,
        /// The value with the polka.
        value: Hash,
        /// What it precommitted ([`Hash::ZERO`]: nil).
        precommitted: Hash,
    },
    /// An honest node voted for a block made invalid on purpose.
    VotedForInvalid {
        /// Honest node.
        node: usize,
        /// Height.
        height: Height,
        /// Round.
        round: Round,
        /// How the block was invalid.
        corruption: Corruption,
    },
    /// A node committed a block made invalid on purpose.
    CommittedInvalid {
        /// Node.
        node: usize,
        /// Height.
        height: Height,
    },
    /// An honest node voted for a withheld block it never received.
    VotedForWithheld {
        /// Honest node.
        node: usize,
        /// Height.
        height: Height,
        /// Round.
        round: Round,
    },
    /// An equivocation seen by an honest node is not on chain within the bound.
    EvidenceMissing {
        /// The equivocating node.
        offender: usize,
        /// Height of the equivocation.
        height: Height,
        /// Last height searched.
        by: Height,
    },
    /// An honest node signed for a round or height only a Byzantine validator claimed.
    FollowedForgedRound {
        /// Honest node.
        node: usize,
        /// Height.
        height: Height,
        /// Round.
        round: Round,
    },
}

/// What the Byzantine side did in a run (scenario tests check that it
/// exercised what it promises).
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Messages signed by the adversary.
    pub forged: u64,
    /// Proposals withheld from every node or from all but one.
    pub withheld: u64,
    /// Invalid blocks proposed, per [`Corruption`] in [`CORRUPTIONS`] order.
    pub corruptions: [u64; 4],
    /// Equivocations (offender, height) seen by honest nodes.
    pub equivocations_seen: usize,
    /// Of those, found on chain within the bound.
    pub evidence_on_chain: usize,
    /// Honest precommits that locked, by L36, a value other than their
    /// prevote's, with two proposals of the round in (the victim of an
    /// equivocating proposer that must lock its second value).
    pub second_polkas: u64,
    /// Old-height messages replayed to honest nodes.
    pub replays: u64,
    /// Messages for round 2^31 or `u32::MAX`, or a million heights ahead, sent.
    pub far: u64,
    /// Far-round messages delivered at the receiver's current height.
    pub far_delivered: u64,
    /// `tamga_consensus_rejected_total` summed over honest nodes at the end.
    pub rejects: u64,
    /// Highest round honest nodes had signed at GST.
    pub round_at_gst: Option<Round>,
}

/// A consensus message as a receiver's log keeps it.
#[derive(Clone, Copy, Debug)]
pub struct Seen {
    signer: PublicKey,
    height: Height,
    round: Round,
    /// 0 proposal, 1 prevote, 2 precommit.
    slot: u8,
    id: Hash,
}

impl Seen {
    /// The consensus message of `ev`, if it is one.
    pub fn of(ev: &NetEvent) -> Option<Seen> {
        let NetEvent::Consensus(wire) = ev else { return None };
        let ConsensusWire::Consensus(m) = wire.as_ref() else { return None };
        Some(Seen::of_message(m))
    }

    fn of_message(m: &Message<Block>) -> Seen {
        match m {
            Message::Proposal(p) => {
                Seen { signer: p.proposer, height: p.height, round: p.round, slot: 0, id: p.value.id() }
            }
            Message::Vote(v) => Seen {
                signer: v.validator,
                height: v.data.height,
                round: v.data.round,
                slot: slot_of(v.data.kind),
                id: v.data.block_hash,
            },
        }
    }
}

fn slot_of(kind: VoteKind) -> u8 {
    match kind {
        VoteKind::Prevote => 1,
        VoteKind::Precommit => 2,
    }
}

/// How a Byzantine proposal of one round was split among the others.
#[derive(Clone, Debug)]
struct Split {
    /// Per node: gets the competing value first.
    other_first: Vec<bool>,
    /// Per node: later gets the other value too.
    both: Vec<bool>,
    /// The real value's id and the competing one's.
    ids: (Hash, Hash),
    /// The larger group's value.
    majority: Hash,
    /// The precommit is withheld.
    mute_precommit: bool,
}

/// A receiver's log key: (receiver, height, round, slot, signer).
type Slot = (usize, Height, Round, u8, usize);

/// Rounds past this are forged (no honest node gets there in a run).
const FORGED_ROUND_FLOOR: Round = 1 << 20;
/// How far ahead the forged heights are.
const FAR_HEIGHTS: Height = 1_000_000;
/// Old messages kept for replays.
const REPLAY_KEEP: usize = 256;

/// The Byzantine side of a run.
pub struct Adversary {
    setup: Setup,
    keys: BTreeMap<usize, SigningKey>,
    chain_id: String,
    rng: StdRng,
    /// Blocks seen proposed, by id (competing blocks are forged from them).
    blocks: HashMap<Hash, Block>,
    /// The competing block forged for a real one (`None`: could not be built).
    twins: HashMap<Hash, Option<Block>>,
    /// The invalid block put in place of a real one.
    bad_for: HashMap<Hash, Block>,
    /// Ids of invalid blocks.
    bad: HashMap<Hash, Corruption>,
    /// Ids of withheld blocks, with the one node that got it.
    withheld: HashMap<Hash, Option<usize>>,
    /// Byzantine proposals' splits, by (proposer, height, round).
    splits: HashMap<(usize, Height, Round), Split>,
    /// Double votes' splits, by (voter, height, round, slot): per node 0 real
    /// only, 1 competing only, 2 real then competing, 3 competing then real.
    vote_splits: HashMap<(usize, Height, Round, u8), Vec<u8>>,
    /// Honest traffic kept for replays.
    old: VecDeque<Message<Block>>,
    /// What each honest node received at the height it was deciding:
    /// (receiver, height, round, slot, signer) → ids with their arrival.
    got: HashMap<Slot, Vec<(Hash, Instant)>>,
    /// Each honest node's first message per (node, height, round, slot).
    sent: HashMap<(usize, Height, Round, u8), (Hash, Instant)>,
    /// Equivocations seen by an honest node: (offender, height), and
    /// whether the evidence was found on chain.
    equivocations: BTreeMap<(usize, Height), bool>,
    /// Highest round signed by an honest node, per height.
    honest_rounds: BTreeMap<Height, Round>,
    /// Highest ledger height at GST.
    height_at_gst: Option<Height>,
    /// What was done.
    pub report: Report,
}

impl Adversary {
    /// The adversary of `plan`, if it has one.
    pub(super) fn new(plan: &Plan, testnet: &tamga_genesis::testnet::Testnet) -> Option<Adversary> {
        let setup = plan.byzantine.clone()?;
        let keys = setup.byzantine.iter().map(|&i| (i, testnet.validators[i].key.clone())).collect();
        Some(Adversary {
            setup,
            keys,
            chain_id: testnet.genesis.chain_id.clone(),
            rng: StdRng::seed_from_u64(plan.seed ^ 0xad5e_7a11),
            blocks: HashMap::new(),
            twins: HashMap::new(),
            bad_for: HashMap::new(),
            bad: HashMap::new(),
            withheld: HashMap::new(),
            splits: HashMap::new(),
            vote_splits: HashMap::new(),
            old: VecDeque::new(),
            got: HashMap::new(),
            sent: HashMap::new(),
            equivocations: BTreeMap::new(),
            honest_rounds: BTreeMap::new(),
            height_at_gst: None,
            report: Report::default(),
        })
    }

    fn is_byzantine(&self, i: usize) -> bool {
        self.keys.contains_key(&i)
    }

    fn honest(&self, n: usize) -> Vec<usize> {
        (0..n).filter(|i| !self.is_byzantine(*i)).collect()
    }
}

/// Whether node `i` of `plan` is offline from the start until GST.
pub(super) fn absent_until_gst(plan: &Plan, i: usize) -> bool {
    plan.byzantine.as_ref().is_some_and(|s| s.absent.contains(&i))
}

/// Sends `m` from `from` to `to` over the simulated network (loss and delay
/// as for any message), `extra` later.
fn send(w: &mut World, world: &Shared, from: usize, to: usize, m: Message<Block>, extra: Duration) {
    if to == from || w.lost() {
        return;
    }
    let d = w.delay() + extra;
    deliver(world, from, to, d, NetEvent::Consensus(Box::new(ConsensusWire::Consensus(m))));
}

fn broadcast(w: &mut World, world: &Shared, from: usize, m: &Message<Block>) {
    for to in 0..w.keys.len() {
        send(w, world, from, to, m.clone(), Duration::ZERO);
    }
}

/// The simulator's hook on every message node `me` publishes: `true` when
/// `me` is Byzantine and the adversary sent what it wanted instead.
pub(super) fn intercept(w: &mut World, world: &Shared, me: usize, wire: &ConsensusWire) -> bool {
    let Some(mut adv) = w.adversary.take() else { return false };
    let handled = adv.on_publish(w, world, me, wire);
    w.adversary = Some(adv);
    handled
}

/// The simulator's hook on every consensus message delivered to node `to`.
pub(super) fn received(world: &Shared, to: usize, seen: Seen) {
    let mut w = lock(world);
    let Some(mut adv) = w.adversary.take() else { return };
    adv.on_received(&mut w, to, seen);
    w.adversary = Some(adv);
}

/// The simulator's hook on every scheduler step (`end`: the run is over).
pub(super) fn step(world: &Shared, nodes: &[Node], end: bool) {
    let mut w = lock(world);
    let Some(mut adv) = w.adversary.take() else { return };
    adv.on_step(&mut w, world, nodes, end);
    w.adversary = Some(adv);
}

impl Adversary {
    fn on_publish(&mut self, w: &mut World, world: &Shared, me: usize, wire: &ConsensusWire) -> bool {
        let ConsensusWire::Consensus(m) = wire else {
            // Byzantine nodes keep the evidence against them to themselves.
            return self.is_byzantine(me) && self.setup.behaviour != Behaviour::Replay;
        };
        if let Message::Proposal(p) = m {
            self.blocks.insert(p.value.id(), p.value.clone());
        }
        if !self.is_byzantine(me) || self.setup.behaviour == Behaviour::Replay {
            self.on_honest(w, me, m);
            return false;
        }
        let Some(key) = self.keys.get(&me).cloned() else { return false };
        let own = Seen::of_message(m).signer == key.public();
        match (self.setup.behaviour, m) {
            (Behaviour::DoubleVote, Message::Vote(v)) if own && !v.data.is_nil() => {
                self.double_vote(w, world, me, &key, v)
            }
            (Behaviour::Equivocate, Message::Proposal(p)) if own && p.pol_round.is_none() => {
                self.equivocate(w, world, me, &key, p)
            }
            (Behaviour::Equivocate, Message::Vote(v)) if own => self.equivocating_vote(w, world, me, &key, v),
            (Behaviour::NilThenSilent, _) if w.gst_passed => {}
            (Behaviour::NilThenSilent, Message::Vote(v)) if own => {
                let nil = Vote::sign(&key, &self.chain_id, VoteData { block_hash: Hash::ZERO, ..v.data.clone() });
                self.report.forged += u64::from(!v.data.is_nil());
                broadcast(w, world, me, &Message::Vote(nil));
            }
            (Behaviour::InvalidBlocks, Message::Proposal(p)) if own => self.invalid_proposal(w, world, me, &key, p),
            (Behaviour::InvalidBlocks, Message::Vote(v)) if own && self.bad_for.contains_key(&v.data.block_hash) => {
                let bad = self.bad_for[&v.data.block_hash].id();
                let forged = Vote::sign(&key, &self.chain_id, VoteData { block_hash: bad, ..v.data.clone() });
                self.report.forged += 1;
                broadcast(w, world, me, &Message::Vote(forged));
            }
            (Behaviour::Withhold, Message::Proposal(p)) if own => self.withhold(w, world, me, p),
            _ => broadcast(w, world, me, m),
        }
        true
    }

    /// The competing block of `id`: its transactions and evidence executed
    /// 1 ms later on node `me`'s ledger (a valid block with another id).
    fn twin(&mut self, w: &World, me: usize, id: Hash) -> Option<Block> {
        if let Some(t) = self.twins.get(&id) {
            return t.clone();
        }
        let b = self.blocks.get(&id)?;
        let h = &b.header;
        let ctx = BlockContext { height: h.height, time_ms: h.time_ms + 1, proposer: h.proposer };
        let twin = w.ledgers[me].execute(&ctx, &b.txs, &b.evidence, &HashSet::new()).ok().map(|e| Block {
            header: e.header(h.round),
            txs: b.txs.clone(),
            evidence: b.evidence.clone(),
        });
        if let Some(t) = &twin {
            self.blocks.insert(t.id(), t.clone());
        }
        self.twins.insert(id, twin.clone());
        twin
    }

    fn double_vote(&mut self, w: &mut World, world: &Shared, me: usize, key: &SigningKey, v: &Vote) {
        let Some(twin) = self.twin(w, me, v.data.block_hash) else {
            broadcast(w, world, me, &Message::Vote(v.clone()));
            return;
        };
        let other = Vote::sign(key, &self.chain_id, VoteData { block_hash: twin.id(), ..v.data.clone() });
        let n = w.keys.len();
        let slot = (me, v.data.height, v.data.round, slot_of(v.data.kind));
        if !self.vote_splits.contains_key(&slot) {
            let split: Vec<u8> = (0..n).map(|_| self.rng.gen_range(0..4)).collect();
            w.note(format!(
                "n{me} (byzantine) double {:?} h{} r{}: {} and {} as {split:?}",
                v.data.kind,
                v.data.height,
                v.data.round,
                v.data.block_hash,
                twin.id()
            ));
            self.report.forged += 1;
            self.vote_splits.insert(slot, split);
        }
        let split = self.vote_splits[&slot].clone();
        for (to, how) in split.into_iter().enumerate() {
            let (real, forged) = (Message::Vote(v.clone()), Message::Vote(other.clone()));
            let later = Duration::from_millis(self.rng.gen_range(0..200));
            match how {
                0 => send(w, world, me, to, real, Duration::ZERO),
                1 => send(w, world, me, to, forged, Duration::ZERO),
                2 => {
                    send(w, world, me, to, real, Duration::ZERO);
                    send(w, world, me, to, forged, later);
                }
                _ => {
                    send(w, world, me, to, forged, Duration::ZERO);
                    send(w, world, me, to, real, later);
                }
            }
        }
    }

    fn equivocate(&mut self, w: &mut World, world: &Shared, me: usize, key: &SigningKey, p: &Proposal<Block>) {
        let real = p.value.id();
        let Some(twin) = self.twin(w, me, real) else {
            broadcast(w, world, me, &Message::Proposal(p.clone()));
            return;
        };
        let slot = (me, p.height, p.round);
        let n = w.keys.len();
        if !self.splits.contains_key(&slot) {
            let others: Vec<usize> = (0..n).filter(|&i| i != me).collect();
            let mut other_first: Vec<bool> = (0..n).map(|_| self.rng.gen_bool(0.5)).collect();
            // Both halves non-empty.
            let firsts = others.iter().filter(|&&i| other_first[i]).count();
            if firsts == 0 || firsts == others.len() {
                let i = others[self.rng.gen_range(0..others.len())];
                other_first[i] = !other_first[i];
            }
            let both: Vec<bool> = (0..n).map(|_| self.rng.gen_bool(0.7)).collect();
            let firsts = others.iter().filter(|&&i| other_first[i]).count();
            let majority = if 2 * firsts > others.len() { twin.id() } else { real };
            let split =
                Split { other_first, both, ids: (real, twin.id()), majority, mute_precommit: self.rng.gen_bool(0.5) };
            w.note(format!(
                "n{me} (byzantine) equivocates h{} r{}: {real} / {} first to {:?}, both to {:?}, mute precommit {}",
                p.height,
                p.round,
                twin.id(),
                split.other_first,
                split.both,
                split.mute_precommit
            ));
            self.report.forged += 1;
            self.splits.insert(slot, split);
        }
        let split = self.splits[&slot].clone();
        let forged = Proposal::sign(key, &self.chain_id, p.height, p.round, None, twin);
        for to in (0..n).filter(|&i| i != me) {
            let (first, second) = if split.other_first[to] {
                (Message::Proposal(forged.clone()), Message::Proposal(p.clone()))
            } else {
                (Message::Proposal(p.clone()), Message::Proposal(forged.clone()))
            };
            send(w, world, me, to, first, Duration::ZERO);
            if split.both[to] {
                let later = Duration::from_millis(self.rng.gen_range(20..400));
                send(w, world, me, to, second, later);
            }
        }
    }

    fn equivocating_vote(&mut self, w: &mut World, world: &Shared, me: usize, key: &SigningKey, v: &Vote) {
        let Some(split) = self.splits.get(&(me, v.data.height, v.data.round)).cloned() else {
            broadcast(w, world, me, &Message::Vote(v.clone()));
            return;
        };
        match v.data.kind {
            VoteKind::Prevote => {
                let minority = if split.majority == split.ids.0 { split.ids.1 } else { split.ids.0 };
                let sign =
                    |id| Message::Vote(Vote::sign(key, &self.chain_id, VoteData { block_hash: id, ..v.data.clone() }));
                let (maj, min) = (sign(split.majority), sign(minority));
                for to in (0..w.keys.len()).filter(|&i| i != me) {
                    send(w, world, me, to, maj.clone(), Duration::ZERO);
                    let in_minority = (split.other_first[to] && minority == split.ids.1)
                        || (!split.other_first[to] && minority == split.ids.0);
                    if in_minority {
                        send(w, world, me, to, min.clone(), Duration::ZERO);
                    }
                }
            }
            VoteKind::Precommit if split.mute_precommit => {}
            VoteKind::Precommit => broadcast(w, world, me, &Message::Vote(v.clone())),
        }
    }

    /// An invalid block in place of `real` (module docs, [`Corruption`]).
    fn corrupt(&mut self, real: &Block) -> (Block, Corruption) {
        let kind = CORRUPTIONS[self.rng.gen_range(0..CORRUPTIONS.len())];
        let mut b = real.clone();
        let noise = Hash::digest(b"sim/byzantine", &self.rng.gen::<[u8; 32]>());
        match kind {
            Corruption::BadTransaction => {
                let mut txs = b.txs.clone().into_inner();
                match txs.first().cloned() {
                    // A real transaction whose signature is not its signer's.
                    Some(mut t) => {
                        t.signature = SigningKey::from_seed(*noise.as_bytes()).sign(&t.tx.signing_message());
                        txs[0] = t;
                    }
                    // A well-signed transaction of an account that does not exist.
                    None => {
                        let k = SigningKey::from_seed(*noise.as_bytes());
                        let tx = Transaction {
                            chain_id: real.header.chain_id.clone(),
                            signer: k.public(),
                            nonce: 0,
                            payload: Payload::Transfer {
                                class: tamga_genesis::testnet::BOOTSTRAP_CLASS,
                                to: k.public(),
                                amount: 1,
                            },
                            memo: None,
                        };
                        txs.push(tx.sign(&k));
                    }
                }
                b.header.tx_root = Block::compute_tx_root(&txs);
                if let Ok(txs) = BoundedVec::new(txs) {
                    b.txs = txs;
                }
            }
            Corruption::BadHeader => match self.rng.gen_range(0..3) {
                0 => b.header.parent_hash = noise,
                1 => b.header.time_ms += 3_600_000,
                _ => b.header.next_validators_hash = noise,
            },
            Corruption::WrongStateRoot => b.header.state_root = noise,
            Corruption::WrongReceiptsRoot => b.header.receipts_root = noise,
        }
        (b, kind)
    }

    fn invalid_proposal(&mut self, w: &mut World, world: &Shared, me: usize, key: &SigningKey, p: &Proposal<Block>) {
        let real = p.value.id();
        if !self.bad_for.contains_key(&real) {
            let (bad, kind) = self.corrupt(&p.value);
            let i = CORRUPTIONS.iter().position(|c| *c == kind).unwrap_or(0);
            self.report.corruptions[i] += 1;
            w.note(format!(
                "n{me} (byzantine) proposes an invalid block h{} r{} ({kind:?}): {}",
                p.height,
                p.round,
                bad.id()
            ));
            self.bad.insert(bad.id(), kind);
            self.bad_for.insert(real, bad);
        }
        let bad = self.bad_for[&real].clone();
        self.report.forged += 1;
        let forged = Proposal::sign(key, &self.chain_id, p.height, p.round, p.pol_round, bad);
        broadcast(w, world, me, &Message::Proposal(forged));
    }

    fn withhold(&mut self, w: &mut World, world: &Shared, me: usize, p: &Proposal<Block>) {
        let id = p.value.id();
        if !self.withheld.contains_key(&id) {
            let honest: Vec<usize> = self.honest(w.keys.len());
            let to = self.rng.gen_bool(0.5).then(|| honest[self.rng.gen_range(0..honest.len())]);
            self.report.withheld += 1;
            w.note(format!("n{me} (byzantine) withholds block {id} of h{} r{} (given to {to:?})", p.height, p.round));
            self.withheld.insert(id, to);
        }
        if let Some(to) = self.withheld[&id] {
            send(w, world, me, to, Message::Proposal(p.clone()), Duration::ZERO);
        }
    }

    /// Bookkeeping and checks of an honest node's message.
    fn on_honest(&mut self, w: &mut World, me: usize, m: &Message<Block>) {
        let s = Seen::of_message(m);
        if s.signer != w.keys[me] {
            return; // a proof-of-lock or last-commit vote of another node, forwarded
        }
        let now = Instant::now();
        if s.round >= FORGED_ROUND_FLOOR || s.height > FAR_HEIGHTS / 2 {
            self.broke(w, Broken::FollowedForgedRound { node: me, height: s.height, round: s.round });
        }
        let top = self.honest_rounds.entry(s.height).or_insert(0);
        *top = (*top).max(s.round);
        if self.old.len() == REPLAY_KEEP {
            self.old.pop_front();
        }
        self.old.push_back(m.clone());
        if s.slot > 0 {
            if let Some(kind) = self.bad.get(&s.id).copied() {
                let b = Broken::VotedForInvalid { node: me, height: s.height, round: s.round, corruption: kind };
                self.broke(w, b);
            }
            if let Some(got) = self.withheld.get(&s.id).copied() {
                if s.slot == 2 || got != Some(me) {
                    self.broke(w, Broken::VotedForWithheld { node: me, height: s.height, round: s.round });
                }
            }
        }
        let first = !self.sent.contains_key(&(me, s.height, s.round, s.slot));
        if first {
            self.sent.insert((me, s.height, s.round, s.slot), (s.id, now));
            if s.slot == 2 {
                self.check_l36(w, me, s, now);
            }
        }
    }

    /// L36 from outside (module docs), at the first precommit `s` of `me`.
    fn check_l36(&mut self, w: &mut World, me: usize, s: Seen, now: Instant) {
        let Ok(set) = w.ledgers[me].validators_at(s.height) else { return };
        let Some(proposer) = Engine::<Block>::proposer(&set, s.height, s.round) else { return };
        let Some(pi) = w.index_of(&proposer) else { return };
        // It must have prevoted in the round (step ≥ prevote).
        let Some((own_prevote, _)) = self.sent.get(&(me, s.height, s.round, 1)).copied() else { return };
        // `before`: strictly before the precommit (then L36 must have fired);
        // `by`: at the latest at its instant (L36 fires at the arrival of
        // the last message it needs: what the exercise count looks for).
        let arrived = |t: Instant, strict: bool| if strict { t < now } else { t <= now };
        for strict in [true, false] {
            let proposals: Vec<Hash> = self
                .got
                .get(&(me, s.height, s.round, 0, pi))
                .map(|v| v.iter().filter(|(_, t)| arrived(*t, strict)).map(|(id, _)| *id).collect())
                .unwrap_or_default();
            let second = proposals.len() > 1;
            for value in proposals {
                if self.bad.contains_key(&value) {
                    continue;
                }
                let mut power = 0u64;
                for k in 0..w.keys.len() {
                    // Of an equivocating validator's prevotes, the first
                    // received is the one counted: the engine keeps the
                    // first vote of each validator per round and kind and
                    // makes the conflicting one evidence (SPEC §9), as
                    // CometBFT's vote set does without a peer's claim of a
                    // 2/3 majority for the other value.
                    let voted = if k == me {
                        own_prevote == value
                    } else {
                        self.got
                            .get(&(me, s.height, s.round, 1, k))
                            .and_then(|v| v.first())
                            .is_some_and(|(id, t)| *id == value && arrived(*t, strict))
                    };
                    if voted {
                        power += set.index_of(&w.keys[k]).and_then(|i| set.get(i)).map(|v| v.power).unwrap_or(0);
                    }
                }
                if power < set.quorum() {
                    continue;
                }
                if strict && s.id != value {
                    let b =
                        Broken::MissedLock { node: me, height: s.height, round: s.round, value, precommitted: s.id };
                    self.broke(w, b);
                }
                if !strict && second && s.id == value && own_prevote != value {
                    self.report.second_polkas += 1;
                }
            }
        }
    }

    fn on_received(&mut self, w: &mut World, to: usize, s: Seen) {
        if self.is_byzantine(to) && self.setup.behaviour != Behaviour::Replay {
            return;
        }
        // Only what arrives at the height the receiver decides counts: the
        // next-height buffer keeps one message per signer, round and kind.
        if w.ledgers[to].height().ok() != Some(s.height.saturating_sub(1)) {
            return;
        }
        if s.round >= FORGED_ROUND_FLOOR {
            self.report.far_delivered += 1;
            return;
        }
        let Some(signer) = w.index_of(&s.signer) else { return };
        let ids = self.got.entry((to, s.height, s.round, s.slot, signer)).or_default();
        if ids.iter().any(|(id, _)| *id == s.id) || ids.len() >= 2 {
            return;
        }
        ids.push((s.id, Instant::now()));
        if ids.len() == 2 && self.is_byzantine(signer) && !self.equivocations.contains_key(&(signer, s.height)) {
            self.equivocations.insert((signer, s.height), false);
            self.report.equivocations_seen += 1;
            w.note(format!("n{to} has seen n{signer} equivocate at h{} r{} (slot {})", s.height, s.round, s.slot));
        }
    }

    fn broke(&mut self, w: &mut World, b: Broken) {
        let v = Violation::Byzantine(b);
        if !w.violations.contains(&v) {
            w.violate(v);
        }
    }

    fn on_step(&mut self, w: &mut World, world: &Shared, nodes: &[Node], end: bool) {
        let n = w.keys.len();
        let heights: Vec<Height> = nodes.iter().map(|x| x.ledger.height().unwrap_or(0)).collect();
        if w.gst_passed && self.height_at_gst.is_none() {
            self.height_at_gst = Some(heights.iter().copied().max().unwrap_or(0));
            let round = self.honest_rounds.iter().next_back().map(|(_, r)| *r);
            self.report.round_at_gst = round;
            w.note(format!("adversary at GST: honest round {round:?}"));
        }
        if self.setup.behaviour == Behaviour::Replay && !end && self.rng.gen_bool(0.3) {
            self.forge(w, world, nodes, &heights);
        }
        self.check_evidence(w, nodes, &heights, n);
        if end {
            self.report.rejects = nodes
                .iter()
                .enumerate()
                .filter(|(i, _)| !self.is_byzantine(*i))
                .filter_map(|(_, x)| x.running.as_ref())
                .map(|r| r.metrics.consensus_rejected.get())
                .sum();
            for (i, node) in nodes.iter().enumerate() {
                for h in 1..=heights[i] {
                    if let Ok(Some(b)) = node.ledger.block(h) {
                        if self.bad.contains_key(&b.id()) {
                            self.broke(w, Broken::CommittedInvalid { node: i, height: h });
                        }
                    }
                }
            }
        }
    }

    /// The forging actor of [`Behaviour::Replay`]: one message to one honest node.
    fn forge(&mut self, w: &mut World, world: &Shared, nodes: &[Node], heights: &[Height]) {
        let Some((&b, key)) = self.keys.iter().next() else { return };
        let key = key.clone();
        let honest: Vec<usize> = self.honest(nodes.len()).into_iter().filter(|i| nodes[*i].running.is_some()).collect();
        if honest.is_empty() {
            return;
        }
        let to = honest[self.rng.gen_range(0..honest.len())];
        let next = heights[to] + 1;
        let kind = if self.rng.gen_bool(0.5) { VoteKind::Prevote } else { VoteKind::Precommit };
        let m = match self.rng.gen_range(0..4) {
            0 => {
                let old: Vec<&Message<Block>> = self.old.iter().filter(|m| Seen::of_message(m).height < next).collect();
                if old.is_empty() {
                    return;
                }
                self.report.replays += 1;
                old[self.rng.gen_range(0..old.len())].clone()
            }
            1 => {
                let round = if self.rng.gen_bool(0.5) { 1 << 31 } else { Round::MAX };
                self.report.far += 1;
                Message::Vote(Vote::sign(
                    &key,
                    &self.chain_id,
                    VoteData { kind, height: next, round, block_hash: Hash::ZERO },
                ))
            }
            2 => {
                let Some(value) = self.blocks.values().next().cloned() else { return };
                self.report.far += 1;
                Message::Proposal(Proposal::sign(&key, &self.chain_id, next, 1 << 31, None, value))
            }
            _ => {
                self.report.far += 1;
                let data = VoteData { kind, height: next + FAR_HEIGHTS, round: 0, block_hash: Hash::ZERO };
                Message::Vote(Vote::sign(&key, &self.chain_id, data))
            }
        };
        let s = Seen::of_message(&m);
        w.note(format!("forger (n{b}'s key) sends n{to} h{} r{} slot {}", s.height, s.round, s.slot));
        send(w, world, b, to, m, Duration::ZERO);
    }

    /// The evidence bound (module docs).
    fn check_evidence(&mut self, w: &mut World, nodes: &[Node], heights: &[Height], n: usize) {
        let Some(g) = self.height_at_gst else { return };
        let honest = self.honest(n);
        let Some(&reader) = honest.iter().max_by_key(|&&i| heights[i]) else { return };
        let low = honest.iter().map(|&i| heights[i]).min().unwrap_or(0);
        let pending: Vec<(usize, Height)> =
            self.equivocations.iter().filter(|(_, found)| !**found).map(|(k, _)| *k).collect();
        for (offender, h) in pending {
            let by = h.max(g) + n as Height + 2;
            let key = w.keys[offender];
            let found = (h..=heights[reader].min(by)).any(|x| {
                nodes[reader]
                    .ledger
                    .block(x)
                    .ok()
                    .flatten()
                    .is_some_and(|b| b.evidence.iter().any(|e| e.validator() == key && e.height() == h))
            });
            if found {
                self.equivocations.insert((offender, h), true);
                self.report.evidence_on_chain += 1;
            } else if low >= by {
                self.equivocations.insert((offender, h), true);
                self.broke(w, Broken::EvidenceMissing { offender, height: h, by });
            }
        }
    }
}

#[cfg(test)]
mod tests;
