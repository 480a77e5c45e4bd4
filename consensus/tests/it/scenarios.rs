//! Randomised multi-node scenarios: every run asserts agreement, valid commit
//! certificates, no conflicting signatures from honest nodes and liveness
//! after GST (inside `Sim::run`), plus the scenario's own checks.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::sim::{key, run_seeds, run_seeds_with, sim_config, Behavior, Laggard, Outcome, Scenario, SetChange, Sim};

fn base(name: &'static str, n: usize, rng: &mut ChaCha8Rng) -> Scenario {
    Scenario {
        name,
        n,
        observers: 0,
        byzantine: Vec::new(),
        heights: 8,
        loss: rng.gen_range(0.0..0.3),
        partition: rng.gen_bool(0.5),
        gst_ms: rng.gen_range(0..2000),
        crashes: false,
        set_change: None,
        powers: Vec::new(),
        laggard: None,
        prevote_base_ms: None,
    }
}

fn evidence_check(seed: u64, sc: &Scenario, o: &Outcome) -> Result<(), String> {
    for (i, b) in &sc.byzantine {
        let k = key(*i).public();
        match b {
            Behavior::DoubleVoter if !o.vote_evidence.contains(&k) => {
                return Err(format!("seed {seed}: no vote evidence against double voter {i}"))
            }
            Behavior::Equivocator if o.equivocations_witnessed > 0 && !o.proposal_evidence.contains(&k) => {
                return Err(format!(
                    "seed {seed}: no proposal evidence against equivocator {i} ({} equivocations)",
                    o.equivocations
                ))
            }
            _ => {}
        }
    }
    let honest_keys: Vec<_> = (0..sc.n + sc.observers)
        .filter(|i| !sc.byzantine.iter().any(|(b, _)| b == i))
        .map(|i| key(i).public())
        .collect();
    if honest_keys.iter().any(|k| o.vote_evidence.contains(k) || o.proposal_evidence.contains(k)) {
        return Err(format!("seed {seed}: evidence names an honest validator"));
    }
    Ok(())
}

#[test]
fn honest_lossy_n4() {
    run_seeds(
        "honest_lossy_n4",
        1,
        |seed| base("honest_lossy_n4", 4, &mut ChaCha8Rng::seed_from_u64(seed)),
        |_, _, _| Ok(()),
    );
}

fn byzantine(name: &'static str, n: usize, f: usize, base_seed: u64) {
    run_seeds(
        name,
        base_seed,
        |seed| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let mut sc = base(name, n, &mut rng);
            let mut ids: Vec<usize> = (0..n).collect();
            for k in 0..f {
                let i = ids.remove(rng.gen_range(0..ids.len()));
                // Cycle through the behaviours so that every one is covered often.
                let b = Behavior::BYZANTINE[((seed as usize) + k) % Behavior::BYZANTINE.len()];
                sc.byzantine.push((i, b));
            }
            sc
        },
        evidence_check,
    );
}

#[test]
fn byzantine_f1_n4() {
    byzantine("byzantine_f1_n4", 4, 1, 2);
}

#[test]
fn byzantine_f2_n7() {
    byzantine("byzantine_f2_n7", 7, 2, 3);
}

#[test]
fn validator_set_change() {
    run_seeds(
        "validator_set_change",
        4,
        |seed| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let mut sc = base("validator_set_change", 4, &mut rng);
            sc.observers = 1;
            sc.set_change = Some(SetChange { at: rng.gen_range(2..=6), remove: rng.gen_range(0..4), add: 4 });
            sc
        },
        |seed, sc, o| {
            let change = sc.set_change.as_ref().expect("a set change");
            let (added, removed) = (key(change.add).public(), key(change.remove).public());
            // The new validator (node 4) committed every height like the others.
            if (o.commits[4].len() as u64) < sc.heights {
                return Err(format!(
                    "seed {seed}: added validator committed {} of {} heights",
                    o.commits[4].len(),
                    sc.heights
                ));
            }
            for (h, signers) in &o.signers {
                if *h >= change.at && signers.contains(&removed) {
                    return Err(format!(
                        "seed {seed}: removed validator {} signed a certificate at height {h}",
                        change.remove
                    ));
                }
                if *h < change.at && signers.contains(&added) {
                    return Err(format!(
                        "seed {seed}: validator {} signed at height {h} before it was added",
                        change.add
                    ));
                }
            }
            if !o.signers.range(change.at..).any(|(_, s)| s.contains(&added)) {
                return Err(format!(
                    "seed {seed}: added validator {} signed no certificate from height {} on",
                    change.add, change.at
                ));
            }
            Ok(())
        },
    );
}

#[test]
fn crash_restart() {
    run_seeds(
        "crash_restart",
        5,
        |seed| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let mut sc = base("crash_restart", 4, &mut rng);
            sc.crashes = true;
            sc.gst_ms = rng.gen_range(500..2500);
            sc
        },
        |_, _, _| Ok(()),
    );
}

#[test]
fn crash_restart_with_byzantine_n7() {
    run_seeds(
        "crash_restart_byzantine_n7",
        6,
        |seed| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let mut sc = base("crash_restart_byzantine_n7", 7, &mut rng);
            sc.crashes = true;
            sc.gst_ms = rng.gen_range(500..2500);
            sc.byzantine.push((rng.gen_range(0..7), Behavior::BYZANTINE[seed as usize % 4]));
            sc
        },
        |_, _, _| Ok(()),
    );
}

/// The same seed gives the same run; different seeds give different runs.
#[test]
fn determinism() {
    let make = |seed: u64| {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut sc = base("determinism", 7, &mut rng);
        sc.crashes = true;
        sc.byzantine.push((1, Behavior::Equivocator));
        sc.byzantine.push((4, Behavior::Replayer));
        sc
    };
    let seeds: Vec<u64> = crate::sim::seeds(7).into_iter().take(20).collect();
    let mut digests = std::collections::BTreeSet::new();
    for seed in &seeds {
        let a = Sim::new(make(*seed), *seed).run().unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        let b = Sim::new(make(*seed), *seed).run().unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        assert_eq!(a.digest, b.digest, "seed {seed}: two runs of one seed differ");
        assert_eq!(a.commits, b.commits, "seed {seed}: commit logs differ");
        digests.insert(a.digest);
    }
    assert_eq!(digests.len(), seeds.len(), "different seeds should give different traces");
    println!("scenario determinism: {} seeds ok, each run twice (first seed {})", seeds.len(), seeds[0]);
}

/// Bug class "laggard beyond the round window": an honest validator is cut
/// off while `f` Byzantine validators vote nil with the other honest ones, so
/// every round fails and they move more than `max_future_rounds` (8 in the
/// simulation, 16 in production) rounds ahead. Then the laggard returns at
/// round 0 and the Byzantine validators fall silent: the honest validators
/// are exactly a quorum, and the laggard must catch up on rounds (L55
/// generalised to rounds beyond the window) or the chain halts.
fn laggard(name: &'static str, n: usize, f: usize, base_seed: u64, seeds: u64) {
    let window = sim_config().max_future_rounds;
    run_seeds_with(
        name,
        base_seed,
        seeds,
        |seed| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let mut sc = base(name, n, &mut rng);
            sc.heights = 3;
            let mut ids: Vec<usize> = (0..n).collect();
            let node = ids.remove(rng.gen_range(0..ids.len()));
            for _ in 0..f {
                let i = ids.remove(rng.gen_range(0..ids.len()));
                sc.byzantine.push((i, Behavior::NilVoter));
            }
            sc.laggard = Some(Laggard { node, behind: 2 * window + 1 });
            sc
        },
        |seed, sc, o| {
            let back = o.laggard_back_ms.ok_or(format!("seed {seed}: the laggard never came back"))?;
            let l = sc.laggard.as_ref().expect("a laggard");
            if o.commits[l.node].len() as u64 != sc.heights {
                return Err(format!("seed {seed}: the laggard committed {} heights", o.commits[l.node].len()));
            }
            if o.max_round < l.behind {
                return Err(format!("seed {seed}: rounds reached only {} before the return at {back} ms", o.max_round));
            }
            Ok(())
        },
    );
}

#[test]
fn laggard_beyond_round_window_n4() {
    laggard("laggard_beyond_round_window_n4", 4, 1, 8, 100);
}

#[test]
fn laggard_beyond_round_window_n7() {
    laggard("laggard_beyond_round_window_n7", 7, 2, 9, 40);
}

/// A proposer signs two valid values in a round; one honest node receives
/// the first before the second, the others only the second, and the
/// proposer prevotes the second. The honest nodes and the proposer make
/// 2f+1 prevotes for the second value, and every honest node (the one that
/// prevoted the first included) must lock and precommit it (L36 for any
/// proposal of the round's proposer), so the round decides although the
/// Byzantine proposer sends no precommit.
#[test]
fn second_proposal_with_polka_locks() {
    let name = "second_proposal_with_polka_locks";
    run_seeds_with(
        name,
        10,
        200,
        |seed| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let mut sc = base(name, 4, &mut rng);
            (sc.loss, sc.partition, sc.gst_ms) = (0.0, false, 0);
            // Every prevote arrives within 2 x (40 + 20) ms of the proposal.
            sc.prevote_base_ms = Some(300);
            sc.byzantine.push((rng.gen_range(0..4), Behavior::SecondValue));
            sc
        },
        |seed, sc, o| {
            let round0: Vec<u64> =
                o.second_values.iter().filter(|(h, r)| *r == 0 && *h <= sc.heights).map(|(h, _)| *h).collect();
            if round0.is_empty() {
                return Err(format!("seed {seed}: the proposer never split a round 0"));
            }
            for h in round0 {
                match o.commit_rounds.get(&h) {
                    Some(0) => {}
                    r => {
                        return Err(format!(
                            "seed {seed}: height {h}: 2f+1 prevotes for the second proposal of round 0, but decided in round {r:?}"
                        ))
                    }
                }
            }
            Ok(())
        },
    );
}

/// Unequal voting power: `powers` dealt to the nodes in a random order, and
/// Byzantine behaviours given to the nodes holding `byzantine_powers` (less
/// than a third of the total together). Agreement, certificates of more than
/// two thirds of the power and liveness are checked by the simulator.
fn unequal(name: &'static str, powers: &[u64], byzantine_powers: &[u64], base_seed: u64) {
    let (powers, byzantine_powers) = (powers.to_vec(), byzantine_powers.to_vec());
    run_seeds_with(
        name,
        base_seed,
        300,
        |seed| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let mut sc = base(name, powers.len(), &mut rng);
            sc.crashes = rng.gen_bool(0.5);
            sc.gst_ms = sc.gst_ms.max(500);
            let mut dealt = powers.clone();
            dealt.shuffle(&mut rng);
            for (k, p) in byzantine_powers.iter().enumerate() {
                let i = dealt.iter().position(|d| d == p).expect("a node with that power");
                let b = Behavior::BYZANTINE[((seed as usize) + k) % Behavior::BYZANTINE.len()];
                sc.byzantine.push((i, b));
            }
            sc.powers = dealt;
            sc
        },
        evidence_check,
    );
}

#[test]
fn unequal_power_40_30_20_10() {
    unequal("unequal_power_40_30_20_10", &[40, 30, 20, 10], &[20, 10], 11);
}

/// One honest validator holds more than a third of the power: without it
/// nothing is certified, and its voice alone moves the others' rounds (L55).
#[test]
fn unequal_power_one_above_a_third() {
    unequal("unequal_power_one_above_a_third", &[35, 20, 20, 15, 10], &[20], 12);
}
