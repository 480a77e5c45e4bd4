//! Randomised multi-node scenarios: every run asserts agreement, valid commit
//! certificates, no conflicting signatures from honest nodes and liveness
//! after GST (inside `Sim::run`), plus the scenario's own checks.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::sim::{key, run_seeds, Behavior, Outcome, Scenario, SetChange, Sim};

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
            // The new validator (node 4) committed every height like the others.
            if o.commits[4].len() as u64 != sc.heights && o.commits[4].len() as u64 <= sc.heights {
                return Err(format!("seed {seed}: added validator committed {} heights", o.commits[4].len()));
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
