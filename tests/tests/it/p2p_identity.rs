//! SPEC §9: peers are admitted under the p2p identity recorded beside a
//! validator's consensus key (the genesis `p2p_key`, changed by validator
//! updates), never under the consensus key itself, so the consensus key may
//! live in an HSM or a remote signer while the node's `p2p.key` speaks for
//! it on the network.
//!
//! `validators_join_under_their_recorded_p2p_key_and_an_unrecorded_identity_is_refused`:
//! a 4-validator net whose every node has a p2p key other than its consensus
//! key (what `tamgad testnet` writes) commits with every validator signing;
//! an extra node whose `p2p.key` is validator 0's *consensus* key (the
//! identity peers admitted before the p2p key was recorded) is refused by
//! every validator, gets no block and no peer.

use std::process::Command;
use std::time::{Duration, Instant};

use tamga_tests::net::ExtraNode;
use tamga_tests::{say, Net, NetOptions};

/// A counter of node `i`'s `/metrics` (`0` when absent).
async fn metric(net: &Net, i: usize, name: &str) -> u64 {
    let text = net.client(i).metrics().await.expect("metrics");
    text.lines()
        .find_map(|l| l.strip_prefix(name).and_then(|rest| rest.strip_prefix(' ')))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .map(|v| v as u64)
        .unwrap_or(0)
}

/// `tamgad show-key --home` of node `i`: (p2p key hex, peer id).
fn show_key(net: &Net, i: usize) -> (String, String) {
    let exe = tamga_tests::net::tamgad_path().expect("tamgad");
    let out = Command::new(exe).arg("show-key").arg("--home").arg(net.home(i)).output().expect("show-key runs");
    assert!(out.status.success(), "show-key of node{i}: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .map(|v| v.trim().to_owned())
            .unwrap_or_else(|| panic!("show-key of node{i} printed no {name}: {text}"))
    };
    (field("p2p key"), field("peer id"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validators_join_under_their_recorded_p2p_key_and_an_unrecorded_identity_is_refused() {
    let opts = NetOptions { participants: 8, extra: vec![ExtraNode { observer: false }], ..NetOptions::default() };
    say(format!("p2p_identity: seed {} (set TAMGA_IT_SEED to replay)", opts.seed));
    let mut net = Net::start(opts).await.expect("the net starts");
    let x = 4;

    // Every validator's node runs under the p2p key the genesis records for
    // it, a key other than its consensus key.
    for i in 0..4 {
        let g = net.testnet.genesis.validators[i].clone();
        assert_ne!(g.p2p_key, g.key, "validator {i}: the p2p key is the consensus key");
        let (p2p_key, peer_id) = show_key(&net, i);
        assert_eq!(p2p_key, g.p2p_key.to_hex(), "node{i} runs under another p2p key than the genesis records");
        let s = net.status(i).await.expect("status");
        assert_eq!((s.node_key, s.peer_id.as_str()), (g.key, peer_id.as_str()), "node{i}: consensus key, peer id");
    }

    // They join and sign: every validator signs certificates, each has its three peers.
    let h0 = net.max_height().await;
    for i in 0..4 {
        net.wait_height(i, h0 + 6, Duration::from_secs(60)).await.expect("the validators commit");
    }
    for i in 0..4 {
        assert_eq!(net.status(i).await.expect("status").peers, 3, "node{i} lacks a validator peer");
    }

    // The extra node takes validator 0's consensus key as its p2p identity:
    // not what the genesis records, so it is refused.
    net.terminate(x).await.expect("stop the extra node");
    let seed = net.testnet.validators[0].key.to_seed();
    std::fs::write(net.home(x).join("p2p.key"), format!("{}\n", hex::encode(seed))).expect("write p2p.key");
    let refused0: Vec<u64> = {
        let mut v = Vec::new();
        for i in 0..4 {
            v.push(metric(&net, i, "tamga_peers_refused_total").await);
        }
        v
    };
    net.restart(x).expect("restart the extra node");
    net.wait_api(x, Duration::from_secs(30)).await.expect("the extra node's API");
    let (p2p_key, _) = show_key(&net, x);
    assert_eq!(p2p_key, net.testnet.validators[0].key.public().to_hex());
    let h1 = net.max_height().await;
    let started = Instant::now();
    loop {
        net.check_all_alive().expect("no node crashes");
        let s = net.status(x).await.expect("the extra node serves its API");
        assert_eq!((s.height, s.peers), (0, 0), "the node under validator 0's consensus key was admitted");
        if net.height(0).await.expect("status") >= h1 + 6 && started.elapsed() > Duration::from_secs(10) {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(90), "the validators stopped committing");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let mut refused = Vec::new();
    for i in 0..4 {
        assert_eq!(net.status(i).await.expect("status").peers, 3, "node{i} admitted the unrecorded identity");
        refused.push(metric(&net, i, "tamga_peers_refused_total").await);
    }
    say(format!("p2p_identity: refusals of the unrecorded identity per validator {refused0:?} -> {refused:?}"));
    assert!(
        refused.iter().zip(&refused0).all(|(a, b)| a > b),
        "a validator never refused the node under validator 0's consensus key: {refused0:?} -> {refused:?}"
    );
    net.kill(x).expect("kill the extra node");

    // Certificates verify against the genesis set, and every validator signed some.
    let c = net.assert_consistent(None, Duration::from_secs(30)).await.expect("consistent");
    for v in 0..4u16 {
        assert!(c.signers.iter().any(|s| s.contains(&v)), "validator index {v} signed no certificate");
    }
    say(format!("p2p_identity: heights 1..={} certified by all four validators under their p2p keys", c.common_height));
}
