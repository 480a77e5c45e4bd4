//! CI runs of the host-fault scenarios (budgets: node/README.md).

use super::tests::run_seeds;
use super::*;

/// RocksDB read failures (a failing disk) and failed block writes (a full
/// disk): a node retries, then stops with a `storage_fault` security event,
/// never prevotes nil on a valid block and never loses a block it
/// acknowledged as committed.
#[test]
fn node_sim_storage_faults() {
    let runs = run_seeds(Scenario::StorageFaults, 200);
    if runs.len() > 4 {
        let sum = |f: fn(&Stats) -> u32| runs.iter().map(|o| f(&o.stats)).sum::<u32>();
        assert!(sum(|s| s.storage_injections) > 0, "no storage fault injected in any seed");
        assert!(sum(|s| s.storage_stops_validating) > 0, "no node stopped on storage while validating or building");
        assert!(sum(|s| s.storage_stops) > sum(|s| s.storage_stops_validating), "no failed commit stopped a node");
    }
}

/// The simulator finds the pre-fix validation (a storage failure read as an
/// invalid block): some seed shows a nil prevote on a valid proposal.
#[test]
fn node_sim_finds_nil_prevotes_of_storage_faults_read_as_invalid() {
    let mut found = None;
    for seed in 0..64 {
        let o = run(Scenario::StorageFaultsAsInvalid.plan(seed));
        if let Some(v) = o.violations.iter().find(|v| matches!(v, Violation::NilPrevoteOnValidProposal { .. })) {
            eprintln!("seed {seed}: {v:?}\n{}", report(&o));
            found = Some(seed);
            break;
        }
    }
    assert!(found.is_some(), "no seed of 64 showed the nil prevote of a storage fault read as an invalid block");
}

/// Wall clocks ±5 s apart (half the documented `max_clock_drift_ms` each
/// way): safety and liveness hold, and no node judges a valid block invalid.
#[test]
fn node_sim_clock_skew_within_the_bound() {
    run_seeds(Scenario::ClockSkew, 200);
}

/// A validator away for more than 16 rounds and more than three sync
/// batches returns while the others cannot commit without it: it syncs, skips
/// to their round and the chain goes on within the stated bound.
#[test]
fn node_sim_long_absence_syncs_and_skips_rounds() {
    let max_ahead = tamga_consensus::Config::new("").max_future_rounds;
    for o in run_seeds(Scenario::LongAbsence, 200) {
        // It signed past the window of its return at round 0: only the round
        // skip takes it there (alone it cannot leave round 0).
        let r = o.stats.rounds.first().copied().unwrap_or(0);
        assert!(
            r > max_ahead,
            "seed {}: the returning node never signed past round {max_ahead} (at most {r})",
            o.plan.seed
        );
    }
}

/// The skew is real: clocks 13 s apart (3 s past the bound) make the slow
/// node refuse the fast node's blocks as too far ahead, a nil prevote on a
/// block that is valid by every other clock, which the check flags.
#[test]
fn node_sim_clock_skew_beyond_the_bound_is_seen() {
    let o = run(Scenario::ClockSkewBeyondBound.plan(0));
    assert!(
        o.violations.iter().any(|v| matches!(v, Violation::NilPrevoteOnValidProposal { validator: 1, .. })),
        "clocks 13 s apart went unnoticed:\n{}",
        report(&o)
    );
}

/// Unequal voting power, 40/30/20/10 in a seeded order, under `Mixed`'s
/// faults: every certificate holds more than 2/3 of the power of its set
/// (checked on every block of every node), and certificates of two
/// signers (the 40 with the 30: 70 of 100) do form, which an equal-power
/// count of "3 of 4" would refuse.
#[test]
fn node_sim_unequal_power() {
    let runs = run_seeds(Scenario::UnequalPower, 200);
    let two: u32 = runs.iter().map(|o| o.stats.certificate_signers.get(2).copied().unwrap_or(0)).sum();
    let one: u32 = runs.iter().map(|o| o.stats.certificate_signers.get(1).copied().unwrap_or(0)).sum();
    assert_eq!(one, 0, "a certificate of one signer (at most 40 of 100) was accepted");
    if runs.len() > 4 {
        assert!(two > 0, "no certificate of two signers in {} runs: unequal power is not exercised", runs.len());
    }
}
