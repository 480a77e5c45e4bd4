//! Per-round vote tallies of one height, weighted by voting power.

use std::collections::BTreeMap;

use tamga_types::{Hash, Vote, VoteKind};

/// Outcome of adding a vote to a round.
#[derive(Debug)]
pub(crate) enum AddVote {
    /// Counted.
    Added,
    /// The same vote was already counted.
    Duplicate,
    /// The validator already cast a different vote of this kind: the earlier one.
    Conflict(Vote),
}

/// Votes of one kind in one round.
#[derive(Default, Debug)]
pub(crate) struct Tally {
    /// First vote per validator index.
    pub votes: BTreeMap<u16, Vote>,
    /// A second, conflicting vote per validator index (at most one more is
    /// kept, so an equivocator cannot make us store unbounded data). It counts
    /// toward its own block hash only: a quorum for a hash is still a set of
    /// valid signatures of distinct validators on that hash, which is all the
    /// quorum-intersection argument needs, and without it an honest node that
    /// saw the "wrong" vote first could never assemble a commit quorum.
    pub conflicting: BTreeMap<u16, Vote>,
    /// Power per block hash ([`Hash::ZERO`] = nil).
    pub power: BTreeMap<Hash, u64>,
    /// Power of all votes.
    pub total: u64,
}

impl Tally {
    /// Every kept vote for `id` (first and conflicting ones).
    pub fn votes_for<'a>(&'a self, id: &'a Hash) -> impl Iterator<Item = &'a Vote> + 'a {
        self.votes.values().chain(self.conflicting.values()).filter(move |v| v.data.block_hash == *id)
    }

    pub fn power_for(&self, id: &Hash) -> u64 {
        self.power.get(id).copied().unwrap_or(0)
    }

    /// A non-nil id with at least `quorum` power.
    pub fn quorum_value(&self, quorum: u64) -> Option<Hash> {
        self.power.iter().find(|(h, p)| **h != Hash::ZERO && **p >= quorum).map(|(h, _)| *h)
    }
}

/// Everything received in one round.
#[derive(Default, Debug)]
pub(crate) struct RoundVotes {
    pub prevotes: Tally,
    pub precommits: Tally,
}

impl RoundVotes {
    pub fn tally(&self, kind: VoteKind) -> &Tally {
        match kind {
            VoteKind::Prevote => &self.prevotes,
            VoteKind::Precommit => &self.precommits,
        }
    }

    /// Existing vote of `index` for `kind`.
    pub fn is_duplicate(&self, index: u16, vote: &Vote) -> bool {
        let t = self.tally(vote.data.kind);
        [t.votes.get(&index), t.conflicting.get(&index)].into_iter().flatten().any(|v| v.data == vote.data)
    }

    pub fn add(&mut self, index: u16, power: u64, vote: Vote) -> AddVote {
        let tally = match vote.data.kind {
            VoteKind::Prevote => &mut self.prevotes,
            VoteKind::Precommit => &mut self.precommits,
        };
        if let Some(old) = tally.votes.get(&index) {
            if old.data == vote.data || tally.conflicting.get(&index).is_some_and(|c| c.data == vote.data) {
                return AddVote::Duplicate;
            }
            let old = old.clone();
            if let std::collections::btree_map::Entry::Vacant(e) = tally.conflicting.entry(index) {
                *tally.power.entry(vote.data.block_hash).or_insert(0) += power;
                e.insert(vote);
            }
            return AddVote::Conflict(old);
        }
        *tally.power.entry(vote.data.block_hash).or_insert(0) += power;
        tally.total += power;
        tally.votes.insert(index, vote);
        AddVote::Added
    }
}
