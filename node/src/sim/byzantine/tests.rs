//! The Byzantine scenarios' CI runs (budgets: node/README.md, "Byzantine validators").

use super::super::{report, run, Outcome};
use super::*;

/// Runs `scenario` over the seeds and panics with the first failure's report.
fn run_byz(scenario: ByzScenario, default: u64) -> Vec<Outcome> {
    super::super::tests::run_plans(scenario, default, |seed| scenario.plan(seed))
}

fn total(runs: &[Outcome], f: impl Fn(&Report) -> u64) -> u64 {
    runs.iter().filter_map(|o| o.byzantine.as_ref()).map(f).sum()
}

#[test]
fn node_sim_byzantine_double_vote_for_a_second_real_value() {
    let runs = run_byz(ByzScenario::DoubleVote, 200);
    assert!(total(&runs, |r| r.forged) > 0, "no double vote was signed");
    if runs.len() > 4 {
        assert!(total(&runs, |r| r.evidence_on_chain as u64) > 0, "no double vote ended up on chain");
    }
}

#[test]
fn node_sim_byzantine_equivocating_proposer() {
    let runs = run_byz(ByzScenario::Equivocate, 200);
    assert!(total(&runs, |r| r.forged) > 0, "no competing proposal was signed");
    if runs.len() > 4 {
        assert!(total(&runs, |r| r.evidence_on_chain as u64) > 0, "no double proposal ended up on chain");
        assert!(total(&runs, |r| r.second_polkas) > 0, "no polka for a second proposal: L36 was not exercised");
    }
}

fn nil_then_silent(scenario: ByzScenario) {
    let runs = run_byz(scenario, 200);
    for o in &runs {
        let r = o.byzantine.as_ref().and_then(|b| b.round_at_gst);
        assert!(
            r.is_some_and(|r| r >= NIL_ROUNDS_AT_GST),
            "seed {}: the others reached round {r:?} by GST, not past the window",
            o.plan.seed
        );
    }
}

#[test]
fn node_sim_byzantine_nil_voters_then_silent_n4() {
    nil_then_silent(ByzScenario::NilThenSilentN4);
}

#[test]
fn node_sim_byzantine_nil_voters_then_silent_n7() {
    nil_then_silent(ByzScenario::NilThenSilentN7);
}

#[test]
fn node_sim_byzantine_invalid_blocks() {
    let runs = run_byz(ByzScenario::InvalidBlocks, 200);
    if runs.len() > 8 {
        for (i, c) in CORRUPTIONS.iter().enumerate() {
            assert!(total(&runs, |r| r.corruptions[i]) > 0, "no block with {c:?} was proposed");
        }
    }
}

#[test]
fn node_sim_byzantine_withheld_body() {
    let runs = run_byz(ByzScenario::Withhold, 200);
    assert!(total(&runs, |r| r.withheld) > 0, "no block was withheld");
}

#[test]
fn node_sim_byzantine_replays_and_far_rounds() {
    let runs = run_byz(ByzScenario::Replay, 200);
    assert!(total(&runs, |r| r.replays) > 0 && total(&runs, |r| r.far) > 0, "nothing was forged");
    for o in &runs {
        let b = o.byzantine.as_ref().map(|b| (b.far_delivered, b.rejects));
        if let Some((delivered, rejects)) = b {
            assert!(delivered == 0 || rejects > 0, "seed {}: far rounds delivered but no reject counted", o.plan.seed);
        }
    }
}

/// Seeds that found engine bugs when run on the engine before its fixes
/// (node/README.md, "Byzantine validators"); on the fixed engine they must
/// pass. `NilThenSilentN4`/`N7` seed 0 broke liveness with the round skip
/// limited to `max_future_rounds` (the returning validator refused every
/// message of the others, 20 rounds ahead, and the chain halted);
/// `Equivocate` seed 0 broke L36 (`MissedLock`: an honest validator with the
/// proposer's second proposal and its polka in precommitted nil).
const REGRESSIONS: [(ByzScenario, u64); 3] =
    [(ByzScenario::NilThenSilentN4, 0), (ByzScenario::NilThenSilentN7, 0), (ByzScenario::Equivocate, 0)];

#[test]
fn node_sim_byzantine_regression_seeds() {
    for (scenario, seed) in REGRESSIONS {
        let o = run(scenario.plan(seed));
        assert!(o.violations.is_empty(), "{scenario:?}: {}", report(&o));
    }
}
