//! Scenario 4: network partitions. Every node runs in its own network
//! namespace (`NetOptions { netns: true }`, see `tamga_tests::netns`), and
//! links are cut with blackhole routes, so established connections stall
//! rather than close, as in a real partition. Needs root: without it
//! `Net::start` fails and says why.

use std::time::{Duration, Instant};

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use tamga_client::BlockAt;
use tamga_tests::netns::Netns;
use tamga_tests::{say, Net, NetOptions};
use tamga_types::Height;

use crate::common::{assert_clean, load, run_for};

/// How long a partition lasts.
const PARTITION: Duration = Duration::from_secs(20);
/// After a cut, a block whose votes were already on the wire may still
/// commit; heights are compared from this long after the cut.
const IN_FLIGHT: Duration = Duration::from_secs(4);

/// A bootstrapped 4-validator net, each node in its own namespace.
async fn four_in_namespaces() -> Net {
    let opts = NetOptions { netns: true, ..NetOptions::default() };
    say(format!("seed {} (set TAMGA_IT_SEED to replay)", opts.seed));
    Net::start(opts).await.expect("the net starts in network namespaces (needs root and iproute2)")
}

/// Every node's height, index = node.
async fn heights(net: &Net) -> Vec<Height> {
    let mut hs = Vec::new();
    for i in 0..net.len() {
        hs.push(net.height(i).await.expect("every node's API answers during a partition"));
    }
    hs
}

/// Waits until some node commits above `above`; returns how long that took.
async fn first_commit_above(net: &Net, above: Height, timeout: Duration) -> Duration {
    let t0 = Instant::now();
    while net.max_height().await <= above {
        assert!(t0.elapsed() < timeout, "no block committed within {timeout:?} of healing (heights stay at {above})");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    t0.elapsed()
}

/// The heights around a cut of the network.
struct Cut {
    /// Every node's height just before the cut.
    at_cut: Vec<Height>,
    /// When the cut was made.
    t_cut: Instant,
    /// Heights once what was in flight at the cut has landed ([`IN_FLIGHT`]).
    settled: Vec<Height>,
    /// Heights at the end of the partition ([`PARTITION`]).
    end: Vec<Height>,
}

/// Runs 5 s under the load, cuts the network with `how`, and holds the cut
/// for [`PARTITION`], reading every node's height before, once settled, and
/// at the end.
async fn cut(net: &mut Net, how: impl FnOnce(&mut Netns) -> anyhow::Result<()>) -> Cut {
    run_for(net, Duration::from_secs(5)).await;
    let at_cut = heights(net).await;
    how(net.netns().expect("netns")).expect("cut");
    let t_cut = Instant::now();
    run_for(net, IN_FLIGHT).await;
    let settled = heights(net).await;
    run_for(net, PARTITION - IN_FLIGHT).await;
    let end = heights(net).await;
    Cut { at_cut, t_cut, settled, end }
}

/// Index of node `i`'s key in the genesis validator set (certificate signer index).
fn signer_index(net: &Net, i: usize) -> u16 {
    let set = net.genesis_validators().expect("genesis set");
    set.index_of(&net.testnet.validators[i].key.public()).expect("node is a validator")
}

/// Partition 2|2 for 20 s under light load: no side has more than two
/// thirds, so nothing commits (beyond a block already in flight at the cut)
/// and nothing diverges; healed, commits resume, every node agrees and no
/// acknowledged transaction is lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partition_two_two_halts_then_heals() {
    let mut net = four_in_namespaces().await;
    let mut rng = rand::rngs::StdRng::seed_from_u64(net.testnet.seed);
    let mut order = [0usize, 1, 2, 3];
    order.shuffle(&mut rng);
    let (a, b) = ([order[0], order[1]], [order[2], order[3]]);
    let l = load(&net, 50).await;
    let Cut { at_cut, t_cut, settled, end } = cut(&mut net, |n| n.partition(&[&a, &b])).await;
    say(format!(
        "partition {a:?}|{b:?}: heights {at_cut:?} at the cut, {settled:?} after {IN_FLIGHT:?}, {end:?} after {:.1?}",
        t_cut.elapsed()
    ));
    assert_eq!(settled, end, "a side of a 2|2 partition committed a block");
    let top_at_cut = at_cut.iter().copied().max().unwrap_or(0);
    let top = end.iter().copied().max().unwrap_or(0);
    assert!(top <= top_at_cut + 2, "blocks kept committing after the cut: {top_at_cut} then {top}");
    // Both sides hold the same chain as far as each got.
    net.assert_consistent(Some(&l.snapshot()), Duration::from_secs(1)).await.expect("no divergence while partitioned");

    net.netns().expect("netns").heal_all().expect("heal");
    let cut_for = t_cut.elapsed();
    let resumed = first_commit_above(&net, top, Duration::from_secs(60)).await;
    say(format!("partition 2|2: healed after {cut_for:.1?}; first block above {top} {resumed:.1?} after healing"));
    net.wait_all_height(top + 5, Duration::from_secs(60)).await.expect("every node commits after healing");
    run_for(&mut net, Duration::from_secs(3)).await;
    let report = l.finish(Duration::from_secs(60)).await.expect("load report");
    assert_clean(&report);
    let c = net.assert_consistent(Some(&report), Duration::from_secs(30)).await.expect("consistent after healing");
    assert_eq!(c.nodes.len(), 4);
    say(format!("partition 2|2: heights after healing {:?}", heights(&net).await));
}

/// Partition 1|3: the three keep committing, the isolated node does not;
/// healed, it catches up and votes again; every node agrees, nothing lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partition_one_three_majority_commits() {
    let mut net = four_in_namespaces().await;
    let mut rng = rand::rngs::StdRng::seed_from_u64(net.testnet.seed);
    let iso = rng.gen_range(0..4usize);
    let rest: Vec<usize> = (0..4).filter(|&i| i != iso).collect();
    let l = load(&net, 50).await;
    let Cut { at_cut, t_cut, settled, end } = cut(&mut net, |n| n.isolate(iso)).await;
    say(format!(
        "partition [{iso}]|{rest:?}: heights {at_cut:?} at the cut, {settled:?} after {IN_FLIGHT:?}, {end:?} after {:.1?}",
        t_cut.elapsed()
    ));
    assert_eq!(settled[iso], end[iso], "the isolated node{iso} committed a block on its own");
    for &i in &rest {
        assert!(
            end[i] >= settled[i] + 5,
            "node{i} of the majority committed {} blocks in {:?} (expected ≥ 5)",
            end[i] - settled[i],
            PARTITION - IN_FLIGHT
        );
    }
    // The isolated node holds a prefix of the majority's chain (the load's
    // transactions above it are checked after healing).
    net.assert_consistent(None, Duration::from_secs(1)).await.expect("no divergence while partitioned");

    net.netns().expect("netns").heal_all().expect("heal");
    let cut_for = t_cut.elapsed();
    let t_heal = Instant::now();
    let top = net.max_height().await;
    let h = net.wait_height(iso, top, Duration::from_secs(60)).await.expect("the isolated node catches up");
    say(format!(
        "partition 1|3: healed after {cut_for:.1?}; node{iso} caught up from {} to {h} {:.1?} after healing",
        end[iso],
        t_heal.elapsed()
    ));
    // It votes again: its precommit appears in certificates formed after it is back.
    let back = net.height(iso).await.expect("status");
    net.wait_all_height(back + 10, Duration::from_secs(60)).await.expect("blocks after healing");
    let report = l.finish(Duration::from_secs(60)).await.expect("load report");
    assert_clean(&report);
    let c = net.assert_consistent(Some(&report), Duration::from_secs(30)).await.expect("consistent after healing");
    assert_eq!(c.nodes.len(), 4);
    // Each node stores the certificate it formed itself, so only the
    // majority's copies tell what was formed while node{iso} was cut off (its
    // own copies of those heights may hold its late precommit, sent after healing).
    let me = signer_index(&net, iso);
    let during = settled[iso] + 2..=rest.iter().map(|&i| end[i]).min().unwrap_or(0);
    let (mut formed, mut signed_during) = (0, 0);
    for h in during.clone() {
        for &i in &rest {
            formed += 1;
            signed_during += usize::from(signers(&net, i, h).await.contains(&me));
        }
    }
    let after = back + 1..=back + 10;
    let mut signed_after = 0;
    for h in after.clone() {
        for &i in &rest {
            signed_after += usize::from(signers(&net, i, h).await.contains(&me));
        }
    }
    say(format!(
        "partition 1|3: node{iso}'s precommit is in {signed_during} of the majority's {formed} certificates of heights \
         {during:?} (isolated) and in {signed_after} of their {} of heights {after:?} (healed)",
        3 * after.clone().count()
    ));
    assert!(formed > 0, "no certificate formed while node{iso} was isolated");
    assert_eq!(signed_during, 0, "an isolated node's precommit reached a certificate");
    assert!(signed_after > 0, "node{iso} never signed a certificate after healing");
}

/// Validator indices in node `i`'s certificate of height `h`.
async fn signers(net: &Net, i: usize, h: Height) -> Vec<u16> {
    let b = net.client(i).block(BlockAt::Height(h)).await.expect("certified block");
    b.certificate.signatures.iter().map(|(k, _)| *k).collect()
}
