//! Scenario 1: four validators under steady load.

use std::time::Duration;

use tamga_tests::{say, scenario_secs};

use crate::common::{assert_clean, four, load, run_for};

/// 4 validators, ≥ 200 tx/s from 1000 accounts for `TAMGA_IT_SECS` (default
/// 60) seconds: everything admitted commits, every node holds the same blocks,
/// receipts and roots.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn steady_load_four_validators() {
    let secs = scenario_secs(60);
    let rate = 200;
    let mut net = four().await;
    let h0 = net.max_height().await;
    let l = load(&net, rate).await;
    run_for(&mut net, Duration::from_secs(secs)).await;
    let report = l.finish(Duration::from_secs(60)).await.expect("load report");
    assert_clean(&report);
    let min = (f64::from(rate) * secs as f64 * 0.9) as usize;
    assert!(report.committed.len() >= min, "{} committed, expected at least {min}", report.committed.len());
    let c = net.assert_consistent(Some(&report), Duration::from_secs(30)).await.expect("consistent");
    assert_eq!(c.nodes.len(), 4);
    assert!(c.common_height > h0, "no block committed under load");
    say(format!(
        "steady: {} tx committed in {} blocks ({h0}..={})",
        report.committed.len(),
        c.common_height - h0,
        c.common_height
    ));
}
