//! The long-absence scenario (node/README.md, "Whole-node simulation"): a
//! validator is away for more than `max_future_rounds` rounds **and** more
//! than three sync batches ([`SYNC_MAX_BLOCKS`] each), so that on its return
//! both block sync and the round skip must run before the chain can go on.
//!
//! Stages, each started by what the simulator sees, not by a fixed time:
//! 1. node 0 crashes (it stays down until GST);
//! 2. once the others are more than three sync batches ahead of it, every
//!    proposal is lost, so rounds fail (nil prevotes and precommits after the
//!    propose timeout) and the others climb past round `max_future_rounds`;
//! 3. once nodes 1 and 2 have both signed a message of a round above
//!    `max_future_rounds` at their height, GST: proposals flow again, node 0
//!    restarts, and node 3 falls silent (it still receives, but nothing it
//!    sends arrives). Nodes 1 and 2 hold 2 of the 4 votes: no quorum without
//!    node 0, which must sync the missing blocks, then skip to their round
//!    (f + 1 of the power seen there) — a node that refused messages that far
//!    ahead would halt the chain for good. The liveness bound of the run
//!    (GST + `liveness_bound`) is the one stated in the README.

use std::time::Duration;

use tamga_consensus::Message;
use tamga_types::{Block, Height};
use tokio::time::Instant;

use super::{kill_node, lock, Node, Shared, Violation, World};
use crate::network::SYNC_MAX_BLOCKS;

/// The validator that is away, and the one that falls silent at its return.
const AWAY: usize = 0;
const SILENT: usize = 3;

/// Longest virtual time the stages may take before GST.
const STAGING_LIMIT: Duration = Duration::from_secs(600);

/// Progress of the scenario.
#[derive(Debug, Default)]
pub(super) struct Absence {
    stage: u8,
    /// Node 0's ledger height when it left.
    left_at: Height,
}

/// Rounds beyond this are past a returning node's window at round 0.
fn max_future_rounds() -> u32 {
    tamga_consensus::Config::new("").max_future_rounds
}

/// One scheduler step of the scenario; may move GST to now.
pub(super) async fn step(
    a: &mut Absence,
    world: &Shared,
    nodes: &mut [Node],
    now: Instant,
    t: Duration,
    gst: &mut Duration,
) {
    let heights: Vec<Height> = nodes.iter().map(|x| x.ledger.height().unwrap_or(0)).collect();
    match a.stage {
        0 if t >= Duration::from_secs(1) => {
            a.left_at = heights[AWAY];
            kill_node(world, nodes, AWAY, "a long absence").await;
            nodes[AWAY].down_until = Some(now + STAGING_LIMIT * 2);
            a.stage = 1;
        }
        1 => {
            let behind = (1..nodes.len()).map(|i| heights[i]).min().unwrap_or(0).saturating_sub(a.left_at);
            if behind > 3 * Height::from(SYNC_MAX_BLOCKS) {
                let mut w = lock(world);
                w.drop_proposals = true;
                w.note(format!("absence: n{AWAY} is {behind} blocks behind; every proposal is lost from now on"));
                a.stage = 2;
            }
        }
        2 => {
            let mut w = lock(world);
            let past = |i: usize| w.sent_at[i].1 > max_future_rounds() && w.sent_at[i].0 == heights[i] + 1;
            if past(1) && past(2) {
                w.drop_proposals = false;
                w.silent[SILENT] = true;
                let at = w.sent_at.clone();
                w.note(format!("absence: rounds {at:?}; GST: n{AWAY} returns, n{SILENT} falls silent"));
                *gst = t;
                a.stage = 3;
            }
        }
        _ => {}
    }
    if a.stage < 3 && t >= STAGING_LIMIT {
        let mut w = lock(world);
        w.violate(Violation::AbsenceNotStaged { stage: a.stage });
        w.drop_proposals = false;
        *gst = t;
        a.stage = 3;
    }
}

impl World {
    /// Whether `me`'s copy of `m` is lost on purpose (the absence scenario).
    pub(super) fn muted(&self, me: usize, m: &Message<Block>) -> bool {
        self.silent[me] || (self.drop_proposals && matches!(m, Message::Proposal(_)))
    }

    /// Records the highest (height, round) node `me` signed a message of.
    pub(super) fn note_round(&mut self, me: usize, m: &Message<Block>) {
        let (signer, at) = match m {
            Message::Proposal(p) => (p.proposer, (p.height, p.round)),
            Message::Vote(v) => (v.validator, (v.data.height, v.data.round)),
        };
        if self.index_of(&signer) != Some(me) {
            return;
        }
        if at > self.sent_at[me] {
            self.sent_at[me] = at;
        }
        if self.stats.rounds.len() <= me {
            self.stats.rounds.resize(me + 1, 0);
        }
        self.stats.rounds[me] = self.stats.rounds[me].max(at.1);
    }
}
