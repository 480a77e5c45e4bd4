//! Scenario 7: a Byzantine validator. Node 0 runs `tamgad-byzantine` with
//! `TAMGA_BYZANTINE=equivocate` (see `tamga_node::byzantine`): as leader it
//! signs two valid blocks for the same height and round (the conflicting one
//! first on odd heights), and every prevote and precommit it casts for a
//! block is doubled by a conflicting vote. The three honest validators hold
//! more than two thirds of the power.

use std::time::{Duration, Instant};

use tamga_client::BlockAt;
use tamga_tests::{say, Net, NetOptions};
use tamga_types::{Height, VoteKind};

use crate::common::{assert_clean, load};

/// Heights the honest nodes must commit while node 0 misbehaves: with four
/// validators in rotation node 0 leads about a quarter of them.
const HEIGHTS: Height = 24;

/// Shortest time under load, whatever the heights.
const MIN_RUN: Duration = Duration::from_secs(20);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn byzantine_leader_equivocates_and_double_votes() {
    let opts = NetOptions { participants: 64, byzantine: vec![(0, "equivocate".into())], ..NetOptions::default() };
    say(format!("byzantine: seed {} (set TAMGA_IT_SEED to replay); node0 equivocates", opts.seed));
    let mut net = Net::start(opts).await.expect("the net starts with a Byzantine node0");
    let started = Instant::now();
    let byz = net.testnet.validators[0].key.public();
    let honest = [1usize, 2, 3];
    let h0 = net.max_height().await;
    let l = load(&net, 20).await;

    // Liveness: the honest nodes keep committing while node 0 equivocates.
    let target = h0 + HEIGHTS;
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        net.check_all_alive().expect("no node crashes");
        let mut low = Height::MAX;
        for &i in &honest {
            low = low.min(net.height(i).await.expect("status"));
        }
        if low >= target && started.elapsed() >= MIN_RUN {
            break;
        }
        assert!(Instant::now() < deadline, "honest nodes stuck at height {low}, target {target}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let report = l.finish(Duration::from_secs(60)).await.expect("load report");
    assert_clean(&report);
    let run = started.elapsed();

    // Safety: every node, node 0 included, holds the same certified blocks,
    // receipts and state roots; every transaction seen committed is there.
    let c = net.assert_consistent(Some(&report), Duration::from_secs(30)).await.expect("consistent");
    assert_eq!(c.nodes.len(), 4);

    // Node 0 did equivocate, and the honest nodes saw its conflicting proposals.
    let proposals = net.log_count(0, "byzantine: conflicting proposal signed");
    let votes = net.log_count(0, "byzantine: conflicting vote signed");
    let detected: Vec<usize> = honest.iter().map(|&i| net.log_count(i, "conflicting proposals detected")).collect();
    say(format!(
        "byzantine: node0 signed {proposals} conflicting proposals and {votes} conflicting votes; \
         honest nodes detected conflicting proposals {detected:?} times"
    ));
    assert!(proposals >= 2, "node0 led fewer than twice in {HEIGHTS} heights ({proposals} conflicting proposals)");
    assert!(votes >= 4, "node0 signed only {votes} conflicting votes");
    assert!(detected.iter().sum::<usize>() >= 1, "no honest node detected a conflicting proposal");

    // Evidence naming node 0 is committed on chain, identical on every node,
    // for both vote kinds, each record inside the block that recorded it.
    let reference = net.client(1).evidence().await.expect("evidence of node1");
    for i in 0..4 {
        let mine = net.client(i).evidence().await.expect("evidence");
        let upto = |v: &[tamga_types::model::EvidenceRecord]| {
            v.iter().filter(|r| r.recorded_height <= c.common_height).cloned().collect::<Vec<_>>()
        };
        assert_eq!(upto(&mine), upto(&reference), "node{i} records other evidence than node1");
    }
    let against: Vec<_> = reference.iter().filter(|r| r.validator == byz).collect();
    assert!(reference.iter().all(|r| r.validator == byz), "evidence against an honest validator: {reference:?}");
    let double_votes: Vec<&tamga_types::DoubleVote> = against
        .iter()
        .filter_map(|r| match &r.evidence {
            tamga_types::Evidence::DoubleVote(d) => Some(d),
            tamga_types::Evidence::DoubleProposal(_) => None,
        })
        .collect();
    for kind in [VoteKind::Prevote, VoteKind::Precommit] {
        assert!(
            double_votes.iter().any(|d| d.a.data.kind == kind && d.b.data.kind == kind),
            "no {kind:?} double-vote evidence against node0 on chain ({} records)",
            against.len()
        );
    }
    for r in &against {
        assert_eq!(r.evidence.validator(), byz);
        r.evidence.verify(&net.chain_id()).expect("recorded evidence verifies");
        let b = net.client(1).block(BlockAt::Height(r.recorded_height)).await.expect("block");
        assert!(
            b.block.evidence.iter().any(|e| e.id() == r.id),
            "evidence {} is not in block {}",
            r.id,
            r.recorded_height
        );
    }
    say(format!(
        "byzantine: {} evidence records against node0 on chain (first recorded at height {:?}); heights {h0}..={} \
         in {:.1} s, {} load transactions committed, longest gap {:?}",
        against.len(),
        against.iter().map(|r| r.recorded_height).min(),
        c.common_height,
        run.as_secs_f64(),
        report.committed.len(),
        c.max_gap_after(h0)
    ));
}
