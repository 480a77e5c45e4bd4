//! Test-only Byzantine behaviours (the multi-node Byzantine scenario, tests/README.md). Compiled only with
//! the `byzantine` feature (the `tamgad-byzantine` binary; `lib.rs` refuses
//! to compile it without debug assertions, so no release build carries it)
//! and active only when the environment variable [`ENV`] names a mode:
//!
//! * `equivocate`: every proposal this node broadcasts as leader is doubled
//!   by a conflicting proposal for the same height and round: the same
//!   transactions and evidence re-executed one millisecond later, so a valid
//!   block with another id. Every other time the conflicting one goes out
//!   first, so honest nodes also adopt a block the node's own engine never
//!   saw. Every prevote or precommit it broadcasts for a block is doubled by
//!   a conflicting vote of the same kind, height and round: for its
//!   conflicting block where it has one, else nil.
//! * `observer-votes`: on every proposal received, sign and publish a
//!   prevote and a precommit for it, whatever this node's role (an observer
//!   forced to vote; validators must ignore it).
//!
//! The extra messages are signed here with the node key, around the engine
//! and hence around its persisted safety state (STYLE principle 3): this is
//! deliberately the one path in the node that signs twice. The engine, its
//! safety state and the honest messages are untouched, so the node otherwise
//! behaves like `tamgad`.

use std::collections::{HashMap, HashSet};

use tamga_consensus::{Message, Proposal, Value};
use tamga_state::{BlockContext, Ledger};
use tamga_types::{Block, Hash, Height, Round, SigningKey, Vote, VoteData, VoteKind};
use tracing::warn;

use crate::network::ConsensusWire;
use crate::network::Transport;

/// The environment variable that switches a behaviour on.
pub const ENV: &str = "TAMGA_BYZANTINE";

/// A Byzantine behaviour (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Conflicting proposals as leader, conflicting votes always.
    Equivocate,
    /// A prevote and a precommit for every proposal seen, validator or not.
    ObserverVotes,
}

impl Mode {
    /// `equivocate` or `observer-votes`.
    pub fn parse(s: &str) -> Option<Mode> {
        match s.trim() {
            "equivocate" => Some(Mode::Equivocate),
            "observer-votes" => Some(Mode::ObserverVotes),
            _ => None,
        }
    }
}

/// Which message of a `(height, round)` a conflicting twin answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Slot {
    Proposal,
    Vote(VoteKind),
}

/// The Byzantine side of one node: its key and what it already signed.
pub struct Byzantine {
    mode: Mode,
    key: SigningKey,
    chain_id: String,
    /// Extra messages already signed, by `(height, round, slot)`: re-sent as
    /// they are when the engine rebroadcasts, never signed afresh.
    made: HashMap<(Height, Round, Slot), Vec<Message<Block>>>,
    /// Id of the conflicting block proposed at `(height, round)`, and
    /// whether it is published before the honest one.
    alt_block: HashMap<(Height, Round), (Hash, bool)>,
    /// Conflicting proposals signed so far.
    proposals: u64,
}

impl Byzantine {
    /// The behaviour [`ENV`] asks for, if any (an unknown value is reported and ignored).
    pub fn from_env(key: &SigningKey, chain_id: &str) -> Option<Byzantine> {
        let value = std::env::var(ENV).ok()?;
        let Some(mode) = Mode::parse(&value) else {
            warn!(
                target: "tamga::byzantine",
                %value,
                "unknown {ENV} value (equivocate, observer-votes); behaving honestly"
            );
            return None;
        };
        warn!(target: "tamga::byzantine", ?mode, "BYZANTINE test build: this node misbehaves on purpose");
        Some(Byzantine {
            mode,
            key: key.clone(),
            chain_id: chain_id.to_owned(),
            made: HashMap::new(),
            alt_block: HashMap::new(),
            proposals: 0,
        })
    }

    /// Publishes one broadcast of the engine: `msg` and, in `equivocate`
    /// mode, its conflicting twin (first every other time for a proposal).
    pub async fn broadcast(&mut self, msg: Message<Block>, ledger: &Ledger, net: &dyn Transport) {
        let twins = if self.mode == Mode::Equivocate { self.twins(&msg, ledger) } else { Vec::new() };
        let twin_first = match &msg {
            Message::Proposal(p) => self.alt_block.get(&(p.height, p.round)).is_some_and(|(_, first)| *first),
            Message::Vote(_) => false,
        };
        let (before, after) = if twin_first { (twins, Vec::new()) } else { (Vec::new(), twins) };
        publish(net, before.into_iter().chain([msg]).chain(after).collect()).await;
    }

    /// In `observer-votes` mode, answers a received proposal with a signed
    /// prevote and precommit for it, once per `(height, round)`.
    pub async fn on_proposal(&mut self, p: &Proposal<Block>, net: &dyn Transport) {
        if self.mode != Mode::ObserverVotes || self.made.contains_key(&(p.height, p.round, Slot::Proposal)) {
            return;
        }
        let id = p.value.id();
        let votes: Vec<Message<Block>> = [VoteKind::Prevote, VoteKind::Precommit]
            .into_iter()
            .map(|kind| {
                let data = VoteData { kind, height: p.height, round: p.round, block_hash: id };
                Message::Vote(Vote::sign(&self.key, &self.chain_id, data))
            })
            .collect();
        warn!(
            target: "tamga::byzantine",
            height = p.height, round = p.round, block = %id,
            "byzantine: forced votes signed"
        );
        self.remember(p.height, p.round, Slot::Proposal, votes.clone());
        publish(net, votes).await;
    }

    /// The conflicting twins of `msg` (signed once, then repeated).
    fn twins(&mut self, msg: &Message<Block>, ledger: &Ledger) -> Vec<Message<Block>> {
        let me = self.key.public();
        let (height, round, slot) = match msg {
            Message::Proposal(p) if p.proposer == me => (p.height, p.round, Slot::Proposal),
            Message::Vote(v) if v.validator == me && !v.data.is_nil() => {
                (v.data.height, v.data.round, Slot::Vote(v.data.kind))
            }
            // Others' votes (proof-of-lock rebroadcasts) and our nil votes.
            _ => return Vec::new(),
        };
        if let Some(made) = self.made.get(&(height, round, slot)) {
            return made.clone();
        }
        let twin = match msg {
            Message::Proposal(p) => self.twin_proposal(p, ledger),
            Message::Vote(v) => Some(self.twin_vote(v)),
        };
        let twins: Vec<_> = twin.into_iter().collect();
        self.remember(height, round, slot, twins.clone());
        twins
    }

    /// The same transactions and evidence executed 1 ms later: a valid block with another id.
    fn twin_proposal(&mut self, p: &Proposal<Block>, ledger: &Ledger) -> Option<Message<Block>> {
        let b = &p.value;
        let ctx = BlockContext { height: b.header.height, time_ms: b.header.time_ms + 1, proposer: b.header.proposer };
        let executed = tokio::task::block_in_place(|| ledger.execute(&ctx, &b.txs, &b.evidence, &HashSet::new()));
        let executed = match executed {
            Ok(e) => e,
            Err(e) => {
                warn!(
                    target: "tamga::byzantine",
                    height = p.height, round = p.round, error = %e,
                    "cannot build a conflicting block"
                );
                return None;
            }
        };
        let block = Block { header: executed.header(b.header.round), txs: b.txs.clone(), evidence: b.evidence.clone() };
        let id = block.id();
        self.proposals += 1;
        let first = self.proposals % 2 == 0;
        self.alt_block.insert((p.height, p.round), (id, first));
        warn!(
            target: "tamga::byzantine",
            height = p.height, round = p.round, honest = %b.id(), conflicting = %id, conflicting_first = first,
            "byzantine: conflicting proposal signed"
        );
        Some(Message::Proposal(Proposal::sign(&self.key, &self.chain_id, p.height, p.round, None, block)))
    }

    /// The same vote for our conflicting block of that round, else for nil.
    fn twin_vote(&self, v: &Vote) -> Message<Block> {
        let d = &v.data;
        let other = self
            .alt_block
            .get(&(d.height, d.round))
            .map(|(id, _)| *id)
            .filter(|id| *id != d.block_hash)
            .unwrap_or(Hash::ZERO);
        let data = VoteData { block_hash: other, ..d.clone() };
        warn!(
            target: "tamga::byzantine",
            height = d.height, round = d.round, kind = ?d.kind, honest = %d.block_hash, conflicting = %other,
            "byzantine: conflicting vote signed"
        );
        Message::Vote(Vote::sign(&self.key, &self.chain_id, data))
    }

    fn remember(&mut self, height: Height, round: Round, slot: Slot, msgs: Vec<Message<Block>>) {
        self.made.retain(|(h, _, _), _| *h + 2 > height);
        self.alt_block.retain(|(h, _), _| *h + 2 > height);
        self.made.insert((height, round, slot), msgs);
    }
}

async fn publish(net: &dyn Transport, msgs: Vec<Message<Block>>) {
    for m in msgs {
        net.publish(ConsensusWire::Consensus(m)).await;
    }
}

#[cfg(test)]
mod tests {
    use tamga_types::DoubleVote;

    use super::*;

    fn byzantine(mode: Mode) -> Byzantine {
        Byzantine {
            mode,
            key: SigningKey::from_seed([3; 32]),
            chain_id: "tamga-test".into(),
            made: HashMap::new(),
            alt_block: HashMap::new(),
            proposals: 0,
        }
    }

    #[test]
    fn modes_parse() {
        assert_eq!(Mode::parse("equivocate"), Some(Mode::Equivocate));
        assert_eq!(Mode::parse(" observer-votes\n"), Some(Mode::ObserverVotes));
        assert_eq!(Mode::parse("honest"), None);
    }

    /// The twin of a block vote is nil, or our conflicting block of that
    /// round; with the honest vote it is evidence every honest node accepts.
    #[test]
    fn a_conflicting_vote_is_valid_evidence() {
        let mut b = byzantine(Mode::Equivocate);
        let data = VoteData { kind: VoteKind::Precommit, height: 5, round: 1, block_hash: Hash([7; 32]) };
        let honest = Vote::sign(&b.key, &b.chain_id, data);
        let Message::Vote(nil) = b.twin_vote(&honest) else { panic!("a vote") };
        assert!(nil.data.is_nil());
        DoubleVote { a: honest.clone(), b: nil }.verify(&b.chain_id).expect("valid evidence");

        b.alt_block.insert((5, 1), (Hash([9; 32]), false));
        let Message::Vote(other) = b.twin_vote(&honest) else { panic!("a vote") };
        assert_eq!(other.data.block_hash, Hash([9; 32]));
        DoubleVote { a: honest, b: other }.verify(&b.chain_id).expect("valid evidence");
    }
}
