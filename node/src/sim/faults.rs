//! Host faults of the node simulator beyond the network and the safety
//! file: RocksDB read and write failures, per-node clock skew, and the
//! invariants that go with them (node/README.md, "Whole-node simulation").
//!
//! * **Storage.** Through the state crate's `fault-injection` seam
//!   (`Ledger::inject_read_faults_after`, `Ledger::inject_write_faults`),
//!   drawn from the seed: the reads right after the next proposal reaches
//!   the node fail (aimed at its validation), or after a number of
//!   successful reads a number of reads fail (a failing disk anywhere); or
//!   the next block commits fail before
//!   anything is written (a full disk: RocksDB refuses the whole batch). The
//!   simulator's own reads between steps pause the injection, so the faults
//!   reach only the node's code, and the same seed raises them at the same
//!   reads. What the node must do (SPEC §9: a fault of this node is never a
//!   vote): retry a validation or a build ([`StorageRetry`], three times),
//!   then stop with `DriverError::Storage` and a `storage_fault` security
//!   event; a failed commit stops it with `DriverError::Commit`. The
//!   simulator restarts a stopped node as an operator would.
//! * **Clock skew.** Each node's wall clock ([`crate::Clock`], the time it
//!   stamps its proposals with and checks proposals against) is off by a
//!   fixed offset for the whole run: node 0 by `+clock_skew_ms`, node 1 by
//!   `-clock_skew_ms`, the others drawn in between, so every run has the
//!   widest spread.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tamga_consensus::Message;
use tamga_types::{Block, VoteKind};
use tokio::sync::broadcast::error::TryRecvError;

use super::{lock, Node, Plan, Scenario, Shared, Violation, World, DELTA_MS};
use crate::driver::{DriverError, StorageRetry};
use crate::metrics::Metrics;
use crate::network::{ConsensusWire, NetEvent};
use crate::security::SecurityLog;

/// The plans of the scenarios of this module.
pub(super) fn plan(scenario: Scenario, base: Plan, r: &mut StdRng) -> Plan {
    match scenario {
        Scenario::StorageFaults | Scenario::StorageFaultsAsInvalid => Plan {
            storage_faults: true,
            storage_as_invalid: scenario == Scenario::StorageFaultsAsInvalid,
            valid_proposals: true,
            loss: r.gen_range(0.0..0.05),
            max_delay_ms: r.gen_range(DELTA_MS..500),
            ..base
        },
        Scenario::ClockSkew | Scenario::ClockSkewBeyondBound => Plan {
            // Two clocks at most the drift bound apart
            // (`[consensus] max_clock_drift_ms`), or 3 s more than that.
            clock_skew_ms: super::consensus_config().max_clock_drift_ms / 2
                + if scenario == Scenario::ClockSkewBeyondBound { 1500 } else { 0 },
            valid_proposals: true,
            loss: r.gen_range(0.0..0.1),
            duplicate: r.gen_range(0.0..0.05),
            max_delay_ms: r.gen_range(DELTA_MS..1000),
            partitions: r.gen_bool(0.3),
            ..base
        },
        // No other fault: the stages of the absence are the run ([`super::absence`]).
        Scenario::LongAbsence => {
            Plan { absence: true, crashes: false, valid_proposals: true, gst: Duration::from_secs(3600), ..base }
        }
        Scenario::Mixed
        | Scenario::TornWrites
        | Scenario::TornWritesFailOpen
        | Scenario::UnequalPower
        | Scenario::ValidatorSetChanges => base,
    }
}

/// The wall clock of a simulated node: virtual time plus its offset.
pub(super) struct SimClock {
    /// Offset from the simulator's wall clock (ms).
    pub offset_ms: i64,
}

impl crate::Clock for SimClock {
    fn now_ms(&self) -> u64 {
        crate::now_ms().saturating_add_signed(self.offset_ms)
    }
}

/// Node `i`'s clock offset under `plan` (module docs).
pub(super) fn clock_offset(plan: &Plan, i: usize) -> i64 {
    let skew = i64::try_from(plan.clock_skew_ms).unwrap_or(i64::MAX);
    match i {
        _ if skew == 0 => 0,
        0 => skew,
        1 => -skew,
        _ => StdRng::seed_from_u64(plan.seed ^ 0xc10c ^ i as u64).gen_range(-skew..=skew),
    }
}

/// Pauses (or resumes) the injected faults of every node.
pub(super) fn pause(nodes: &[Node], paused: bool) {
    for n in nodes {
        n.ledger.pause_faults(paused);
    }
}

/// Whether some node has injected faults not yet raised.
pub(super) fn pending(w: &World, nodes: &[Node]) -> bool {
    w.armed_reads.iter().any(|&k| k > 0)
        || nodes.iter().any(|n| n.ledger.read_faults_left() > 0 || n.ledger.write_faults_left() > 0)
}

/// Drops every injected fault not yet raised (GST).
pub(super) fn clear(world: &Shared, nodes: &[Node]) {
    lock(world).armed_reads.iter_mut().for_each(|k| *k = 0);
    for n in nodes {
        n.ledger.inject_read_faults_after(0, 0);
        n.ledger.inject_write_faults(0);
    }
}

/// Maybe injects one storage fault into one node (at most one faulty node at
/// a time: the caller checks that no node is down and none is pending).
pub(super) fn maybe_inject(w: &mut World, nodes: &mut [Node]) {
    if !w.rng.gen_bool(0.03) {
        return;
    }
    let i = w.rng.gen_range(0..nodes.len());
    let node = &mut nodes[i];
    node.raised_at_injection = node.ledger.faults_raised();
    w.stats.storage_injections += 1;
    let kind = w.rng.gen_range(0..4u8);
    if kind < 2 {
        // Aimed at a validation: the reads right after the next proposal
        // arrives ([`World::arm_on_delivery`]); up to three pass with the retries.
        let reads = w.rng.gen_range(1..=8);
        w.armed_reads[i] = reads;
        w.note(format!("n{i}: {reads} reads fail when the next proposal arrives"));
    } else if kind == 2 {
        // A few failing reads are absorbed by the retries; more outlast them.
        let skip = w.rng.gen_range(0..3000);
        let reads = w.rng.gen_range(1..=12);
        node.ledger.inject_read_faults_after(skip, reads);
        w.note(format!("n{i}: after {skip} reads, {reads} reads fail"));
    } else {
        let writes = w.rng.gen_range(1..=2);
        node.ledger.inject_write_faults(writes);
        w.note(format!("n{i}: the next {writes} block writes fail (disk full)"));
    }
}

/// A driver task ended by itself: expected only for an injected storage
/// fault, and then it must have retried and raised its security event.
pub(super) fn driver_stopped(
    world: &Shared,
    node: &Node,
    i: usize,
    security: &SecurityLog,
    result: Result<Result<(), DriverError>, tokio::task::JoinError>,
) {
    let mut w = lock(world);
    let injected = matches!(&result, Ok(Err(e)) if e.to_string().contains("injected storage fault"));
    if !injected {
        w.violate(Violation::DriverStopped { node: i, why: format!("{result:?}") });
        return;
    }
    let raised = node.ledger.faults_raised().saturating_sub(node.raised_at_injection);
    w.stats.storage_stops += 1;
    w.stats.storage_raised += raised;
    w.note(format!("n{i} stops on storage ({raised} faults raised): {result:?}"));
    if let Ok(Err(DriverError::Storage { .. })) = &result {
        w.stats.storage_stops_validating += 1;
        // The first try and every retry each failed on an injected fault.
        if raised < u64::from(StorageRetry::default().retries) + 1 {
            w.violate(Violation::StorageNotRetried { node: i, raised });
        }
        let kinds = ["storage_fault".to_string()];
        if security.page(0, usize::MAX, Some(&kinds)).is_empty() {
            w.violate(Violation::StorageStopUnrecorded { node: i });
        }
    }
}

/// Reads what each running node acknowledged as committed (its event
/// stream) and checks that its ledger never falls below its acknowledged
/// height, across failed commits and restarts.
pub(super) fn check_acks(world: &Shared, nodes: &mut [Node]) {
    let mut w = lock(world);
    for (i, node) in nodes.iter_mut().enumerate() {
        if let Some(r) = node.running.as_mut() {
            loop {
                match r.acks.try_recv() {
                    Ok(b) => {
                        node.acked.insert(b.height, b.hash);
                        w.stats.acked += 1;
                    }
                    Err(TryRecvError::Lagged(k)) => w.note(format!("n{i}: {k} acknowledgements not read")),
                    Err(TryRecvError::Empty | TryRecvError::Closed) => break,
                }
            }
        }
        let Some((&top, _)) = node.acked.last_key_value() else { continue };
        if node.ledger.height().unwrap_or(0) < top
            && !w.violations.contains(&Violation::LostBlock { node: i, height: top })
        {
            w.violate(Violation::LostBlock { node: i, height: top });
        }
    }
}

/// At the end: every block a node acknowledged is the one its ledger holds.
pub(super) fn verify_acks(world: &Shared, nodes: &[Node]) {
    let mut w = lock(world);
    for (i, node) in nodes.iter().enumerate() {
        for (&height, hash) in &node.acked {
            let held = node.ledger.block(height).ok().flatten().map(|b| b.hash());
            if held.as_ref() != Some(hash) {
                w.violate(Violation::LostBlock { node: i, height });
            }
        }
    }
}

impl World {
    /// Raises the armed read faults of node `to` when a proposal reaches it
    /// (its validation reads next).
    pub(super) fn arm_on_delivery(&mut self, to: usize, ev: &NetEvent) {
        let k = self.armed_reads[to];
        if k == 0 {
            return;
        }
        if let NetEvent::Consensus(wire) = ev {
            if let ConsensusWire::Consensus(Message::Proposal(p)) = wire.as_ref() {
                self.armed_reads[to] = 0;
                self.ledgers[to].inject_read_faults_after(0, k);
                self.note(format!("n{to}: proposal h{} r{} arrives; the next {k} reads fail", p.height, p.round));
            }
        }
    }

    /// A nil prevote sent right after a verdict "invalid" (the driver's
    /// `proposals_invalid` grew since this node's previous message) where
    /// every proposal is valid: the verdict was the node's own fault.
    ///
    /// Why this is the check: the engine prevotes nil on a proposal it holds
    /// only when the verdict is "invalid" or its lock forbids the value
    /// (Tendermint, Algorithm 1 lines 22–33); every other nil prevote follows
    /// its propose timeout (line 57). With honest proposers only, a block is
    /// valid for every honest node at its height (it was executed on the same
    /// chain, and every clock is within the drift bound), so a verdict
    /// "invalid" can only come from the judging node's own fault, such as a
    /// storage error taken for a verdict on the block. The verdict and its
    /// nil prevote leave in one batch, before any other message of the node.
    pub(super) fn check_nil_prevote(&mut self, me: usize, m: &Message<Block>, metrics: &Metrics, seen: &AtomicU64) {
        let now = metrics.proposals_invalid.get();
        let before = seen.swap(now, Ordering::SeqCst);
        if !self.plan.valid_proposals || now <= before {
            return;
        }
        if let Message::Vote(v) = m {
            if v.data.kind == VoteKind::Prevote && v.data.is_nil() && self.index_of(&v.validator) == Some(me) {
                let (height, round) = (v.data.height, v.data.round);
                self.violate(Violation::NilPrevoteOnValidProposal { validator: me, height, round });
            }
        }
    }
}
