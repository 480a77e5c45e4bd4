//! Shared scenario steps.

use std::time::Duration;

use tamga_tests::{say, Load, LoadOptions, LoadReport, Net, NetOptions};

/// A bootstrapped 4-validator net.
pub async fn four() -> Net {
    let opts = NetOptions::default();
    say(format!("seed {} (set TAMGA_IT_SEED to replay)", opts.seed));
    Net::start(opts).await.expect("the net starts and bootstraps")
}

/// Starts the load over every participant at `rate` tx/s.
pub async fn load(net: &Net, rate: u32) -> Load {
    let from = net.max_height().await;
    Load::start(
        net.clients(),
        &net.chain_id(),
        net.testnet.participants.clone(),
        from,
        LoadOptions { rate, ..LoadOptions::default() },
    )
    .await
    .expect("the load starts")
}

/// Sleeps `d`, failing early if a node process exits on its own.
pub async fn run_for(net: &mut Net, d: Duration) {
    let end = tokio::time::Instant::now() + d;
    while tokio::time::Instant::now() < end {
        tokio::time::sleep(Duration::from_millis(500)).await;
        net.check_all_alive().expect("no node crashes");
    }
}

/// The load's invariants: nothing refused, no failed receipt, everything admitted committed.
pub fn assert_clean(r: &LoadReport) {
    assert!(r.refused.is_empty(), "transactions refused: {:?}", r.refused);
    assert!(r.failed.is_empty(), "failed receipts: {:?}", r.failed.iter().take(5).collect::<Vec<_>>());
    assert_eq!(r.uncommitted, 0, "admitted transactions never committed");
}
