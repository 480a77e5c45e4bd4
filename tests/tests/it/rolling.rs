//! Scenario 5: rolling restart of every validator under load.

use std::time::Duration;

use tamga_tests::say;

use crate::common::{assert_clean, four, load, run_for};

/// Each node in turn is stopped with SIGTERM, left down a few seconds and
/// started again, under 200 tx/s: no committed transaction is lost, the
/// chain never pauses longer than a few consensus timeouts, all nodes agree.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rolling_restart_under_load() {
    let mut net = four().await;
    let l = load(&net, 200).await;
    run_for(&mut net, Duration::from_secs(5)).await;
    let h_start = net.max_height().await;
    for i in 0..net.len() {
        net.terminate(i).await.expect("clean shutdown on SIGTERM");
        run_for(&mut net, Duration::from_secs(3)).await;
        net.restart(i).expect("restart");
        let others = net.max_height().await;
        let h = net.wait_height(i, others, Duration::from_secs(90)).await.expect("catches up");
        say(format!("rolling: node{i} back and caught up at {h}"));
        run_for(&mut net, Duration::from_secs(2)).await;
    }
    let report = l.finish(Duration::from_secs(60)).await.expect("load report");
    assert_clean(&report);
    let c = net.assert_consistent(Some(&report), Duration::from_secs(30)).await.expect("consistent");
    assert_eq!(c.nodes.len(), 4);
    // One validator of four down: at worst its proposer turns time out (2 s
    // propose + back-off) before the next proposer commits.
    let gap = c.max_gap_after(h_start);
    say(format!("rolling: longest pause between blocks {gap:?}"));
    assert!(gap < Duration::from_secs(12), "the chain paused {gap:?} during the rolling restart");
}
