//! Scenario 9: peer admission (SPEC §9: only the validator set and the
//! configured observers are admitted). An unknown key is refused; an
//! observer listed in the validators' `p2p.observers` follows the chain,
//! serves the same answers and cannot vote, even when it tries.

use std::time::{Duration, Instant};

use tamga_client::{BlockAt, Client};
use tamga_tests::net::ExtraNode;
use tamga_tests::{say, Load, LoadOptions, Net, NetOptions};
use tamga_types::Height;

use crate::common::{assert_clean, run_for};

/// A counter of node `i`'s `/metrics` (`0` when absent).
async fn metric(net: &Net, i: usize, name: &str) -> u64 {
    let text = net.client(i).metrics().await.expect("metrics");
    text.lines()
        .find_map(|l| l.strip_prefix(name).and_then(|rest| rest.strip_prefix(' ')))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .map(|v| v as u64)
        .unwrap_or(0)
}

/// A net of 4 validators and one extra node (index 4).
async fn net_with(observer: bool) -> Net {
    let opts = NetOptions { participants: 32, extra: vec![ExtraNode { observer }], ..NetOptions::default() };
    say(format!("observer: seed {} (set TAMGA_IT_SEED to replay)", opts.seed));
    Net::start(opts).await.expect("the net starts")
}

/// A node whose key is neither a validator's nor a configured observer's
/// dials every validator: each refuses it (`tamga_peers_refused_total`), it
/// never gets a block, and the validators keep exactly their three peers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_peer_is_refused() {
    let mut net = net_with(false).await;
    let x = 4;
    let h0 = net.max_height().await;
    let started = Instant::now();
    let deadline = started + Duration::from_secs(60);
    loop {
        net.check_all_alive().expect("no node crashes");
        let s = net.status(x).await.expect("the unknown node serves its API");
        assert_eq!(s.height, 0, "the unknown node got blocks");
        assert!(!s.validator);
        if net.height(0).await.expect("status") >= h0 + 8 && started.elapsed() > Duration::from_secs(10) {
            break;
        }
        assert!(Instant::now() < deadline, "the validators stopped committing");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let s = net.status(x).await.expect("status");
    assert_eq!((s.height, s.peers), (0, 0), "the unknown node is at height {} with {} peers", s.height, s.peers);
    let mut refused = Vec::new();
    for i in 0..4 {
        let st = net.status(i).await.expect("status");
        assert_eq!(st.peers, 3, "node{i} has {} peers (the unknown node admitted?)", st.peers);
        refused.push(metric(&net, i, "tamga_peers_refused_total").await);
    }
    say(format!("observer: validators refused the unknown peer {refused:?} times; it stayed at height 0 with 0 peers"));
    assert!(refused.iter().all(|&n| n >= 1), "a validator never refused the unknown peer: {refused:?}");
    net.kill(x).expect("kill the unknown node");
    let c = net.assert_consistent(None, Duration::from_secs(30)).await.expect("consistent");
    assert!(c.common_height >= h0 + 8);
}

/// Waits until node `i` has at least the height of every validator at the
/// time of the call.
async fn catch_up(net: &Net, i: usize) -> Height {
    let mut top = 0;
    for v in 0..net.validators() {
        top = top.max(net.height(v).await.expect("status"));
    }
    net.wait_height(i, top, Duration::from_secs(30)).await.expect("the observer follows")
}

/// An observer configured by the operator follows the chain under load and
/// answers queries exactly like the validators; its key is in no validator
/// set and no certificate. Restarted as `tamgad-byzantine` with
/// `TAMGA_BYZANTINE=observer-votes` it signs a prevote and a precommit for
/// every proposal it sees: the validators reject them and the chain goes on
/// with the same certificates.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn observer_follows_the_chain_and_cannot_vote() {
    // Built (or found) before the net runs: phase 2 restarts the observer with it.
    tamga_tests::net::tamgad_byzantine_path().expect("tamgad-byzantine");
    let mut net = net_with(true).await;
    let o = 4;
    let started = Instant::now();
    let observer_key = net.status(o).await.expect("observer status").node_key;
    let validators: Vec<Client> = net.clients()[..4].to_vec();
    let h0 = net.max_height().await;
    let l = Load::start(
        validators,
        &net.chain_id(),
        net.testnet.participants.clone(),
        h0,
        LoadOptions { rate: 20, ..LoadOptions::default() },
    )
    .await
    .expect("the load starts");

    // Phase 1: a plain observer.
    let rejected0: Vec<u64> = counters(&net, "tamga_consensus_rejected_total").await;
    run_for(&mut net, Duration::from_secs(15)).await;
    let h1 = catch_up(&net, o).await;
    let s = net.status(o).await.expect("status");
    assert!(!s.validator, "the observer thinks it is a validator");
    assert!(s.peers >= 1, "the observer has no peer");
    assert!(h1 > h0 + 5, "the observer followed only {h0}..{h1}");
    let rejected1 = counters(&net, "tamga_consensus_rejected_total").await;
    say(format!("observer: followed heights {h0}..={h1} with {} peers", s.peers));

    // Phase 2: the observer forced to vote.
    net.set_byzantine(o, Some("observer-votes"));
    net.restart(o).expect("restart the observer as tamgad-byzantine");
    net.wait_api(o, Duration::from_secs(30)).await.expect("the observer's API");
    run_for(&mut net, Duration::from_secs(15)).await;
    let h2 = catch_up(&net, o).await;
    let rejected2 = counters(&net, "tamga_consensus_rejected_total").await;
    let forced = net.log_count(o, "byzantine: forced votes signed");
    let report = l.finish(Duration::from_secs(60)).await.expect("load report");
    assert_clean(&report);
    let (quiet, voting) = (delta(&rejected0, &rejected1), delta(&rejected1, &rejected2));
    say(format!(
        "observer: forced to vote on {forced} proposals (heights {h1}..={h2}); consensus messages rejected by each \
         validator: {quiet:?} while it only listened, {voting:?} while it voted"
    ));
    assert!(forced >= 3, "the observer signed votes for only {forced} proposals");
    assert!(h2 > h1 + 5, "the chain stalled while the observer voted ({h1}..{h2})");
    for (i, (q, v)) in quiet.iter().zip(&voting).enumerate() {
        assert!(
            *v > *q && *v >= forced as u64 / 2,
            "node{i} rejected {v} messages (quiet {q}) for {forced} forced votes"
        );
    }

    // Same blocks, receipts, certificates and roots on the observer as on the
    // validators (it is a live node of the comparison); certificates are
    // verified against the genesis set, so only validators signed them.
    let c = net.assert_consistent(Some(&report), Duration::from_secs(30)).await.expect("consistent");
    assert_eq!(c.nodes, vec![0, 1, 2, 3, 4]);
    assert!(c.signers.iter().flatten().all(|&i| i < 4));
    for i in 0..5 {
        let vs = net.client(i).validators(None).await.expect("validators");
        assert_eq!(vs.validators, net.genesis_validators().expect("genesis set"), "node{i}: the validator set changed");
        assert!(vs.validators.index_of(&observer_key).is_none(), "node{i}: the observer is a validator");
    }

    // Queries: the observer answers like a validator at the same height
    // (each node keeps the commit certificate it assembled: any quorum of
    // the validators, verified above).
    let top = c.common_height;
    for h in [1, top / 2, top] {
        let a = net.client(o).block(BlockAt::Height(h)).await.expect("observer block");
        let b = net.client(1).block(BlockAt::Height(h)).await.expect("validator block");
        assert_eq!(a.block, b.block, "block {h} differs");
        assert_eq!(a.certificate.data, b.certificate.data, "block {h} is certified otherwise");
    }
    for p in net.testnet.participants.iter().take(8) {
        let a = net.client(o).account(&p.public()).await.expect("observer account");
        let b = net.client(1).account(&p.public()).await.expect("validator account");
        assert_eq!(a, b, "account {} differs", p.public());
    }
    say(format!(
        "observer: heights {h0}..={top} in {:.1} s, {} load transactions; blocks, receipts, roots, accounts identical",
        started.elapsed().as_secs_f64(),
        report.committed.len()
    ));
}

/// `after - before`, element by element.
fn delta(before: &[u64], after: &[u64]) -> Vec<u64> {
    before.iter().zip(after).map(|(b, a)| a.saturating_sub(*b)).collect()
}

/// A counter on each validator.
async fn counters(net: &Net, name: &str) -> Vec<u64> {
    let mut v = Vec::new();
    for i in 0..net.validators() {
        v.push(metric(net, i, name).await);
    }
    v
}
