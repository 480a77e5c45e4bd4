//! Scenarios 2, 3 and 6: SIGKILLed validators, restarts and catch-up.

use std::time::Duration;

use rand::{Rng, SeedableRng};
use tamga_tests::{say, Net};

use crate::common::{assert_clean, four, load, precommitted_in, run_for};

/// Index of node `i`'s key in the genesis validator set (certificate signer index).
fn signer_index(net: &Net, i: usize) -> u16 {
    let set = net.genesis_validators().expect("genesis set");
    set.index_of(&net.testnet.validators[i].key.public()).expect("node is a validator")
}

/// Waits until node `i` has caught up with the highest live node.
async fn catch_up(net: &Net, i: usize, timeout: Duration) {
    let others = net.max_height().await;
    let t0 = std::time::Instant::now();
    let h = net.wait_height(i, others, timeout).await.expect("the restarted node catches up");
    say(format!("node{i}: caught up to {h} (others were at {others}) in {:.1?}", t0.elapsed()));
}

/// Scenario 2: SIGKILL 1 of 4 under load: the others keep committing; the
/// restarted node catches up and its precommits appear in certificates again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_one_of_four_under_load() {
    let mut net = four().await;
    let victim = (net.testnet.seed % 4) as usize;
    let l = load(&net, 200).await;
    run_for(&mut net, Duration::from_secs(10)).await;
    net.kill(victim).expect("kill");
    let h_kill = net.max_height().await;
    // The three others keep committing blocks and load transactions.
    l.wait_commits(500, Duration::from_secs(30)).await.expect("commits continue with 3 of 4");
    net.wait_all_height(h_kill + 5, Duration::from_secs(30)).await.expect("blocks continue with 3 of 4");
    run_for(&mut net, Duration::from_secs(5)).await;
    let h_restart = net.max_height().await;
    net.restart(victim).expect("restart");
    catch_up(&net, victim, Duration::from_secs(90)).await;
    let h_back = net.height(victim).await.expect("status");
    // It votes again: its signature shows up in certificates after it is back.
    let me = signer_index(&net, victim);
    net.wait_all_height(h_back + 10, Duration::from_secs(60)).await.expect("blocks after the restart");
    let report = l.finish(Duration::from_secs(60)).await.expect("load report");
    assert_clean(&report);
    let c = net.assert_consistent(Some(&report), Duration::from_secs(30)).await.expect("consistent");
    assert_eq!(c.nodes.len(), 4);
    // Any node's certificate counts: one node's may hold another quorum.
    let signed_after = precommitted_in(&net, victim, me, h_back + 1, c.common_height).await;
    // Certificates of heights h_kill+2..=h_restart were formed while it was dead.
    let down = (h_kill + 1) as usize..h_restart as usize;
    let signed_while_down = c.signers[down.clone()].iter().filter(|s| s.contains(&me)).count();
    assert!(!down.is_empty(), "no block committed while node{victim} was down");
    say(format!(
        "kill-one: node{victim} killed at {h_kill}, back at {h_back}; its precommit is in {signed_after} of {} later certificates",
        c.common_height - h_back
    ));
    assert_eq!(signed_while_down, 0, "a killed node cannot sign");
    assert!(signed_after > 0, "node{victim} never signed a certificate after its restart");
}

/// Scenario 3: SIGKILL 2 of 4: commits stop and nothing diverges; one back:
/// commits resume; the other back: it catches up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_two_of_four_halts_then_recovers() {
    let mut net = four().await;
    let l = load(&net, 100).await;
    run_for(&mut net, Duration::from_secs(5)).await;
    let (a, b) = (2, 3);
    net.kill(a).expect("kill");
    net.kill(b).expect("kill");
    // A commit already under way may still land; then nothing.
    run_for(&mut net, Duration::from_secs(4)).await;
    let halted = [net.height(0).await.expect("status"), net.height(1).await.expect("status")];
    run_for(&mut net, Duration::from_secs(10)).await;
    let after = [net.height(0).await.expect("status"), net.height(1).await.expect("status")];
    say(format!("kill-two: heights {halted:?} then {after:?} 10 s later"));
    assert_eq!(halted, after, "2 of 4 validators cannot commit");
    net.assert_consistent(Some(&l.snapshot()), Duration::from_secs(1)).await.expect("no divergence while halted");
    net.restart(a).expect("restart");
    let top = after[0].max(after[1]);
    net.wait_height(0, top + 3, Duration::from_secs(90)).await.expect("commits resume with 3 of 4");
    say(format!("kill-two: commits resumed with node{a} back"));
    net.restart(b).expect("restart");
    catch_up(&net, b, Duration::from_secs(90)).await;
    let report = l.finish(Duration::from_secs(90)).await.expect("load report");
    assert_clean(&report);
    let c = net.assert_consistent(Some(&report), Duration::from_secs(30)).await.expect("consistent");
    assert_eq!(c.nodes.len(), 4);
}

/// Scenario 6: 20 SIGKILLs in a row, each of a random node during heavy
/// writes: each time the database opens again, the node's own root equals
/// the certified root at its height, and it catches up; at the end every
/// node agrees and no committed transaction is lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_sigkills_during_heavy_writes() {
    let mut net = four().await;
    let mut rng = rand::rngs::StdRng::seed_from_u64(net.testnet.seed);
    let l = load(&net, 300).await;
    run_for(&mut net, Duration::from_secs(3)).await;
    for round in 0..20 {
        let victim = rng.gen_range(0..4);
        let wait = Duration::from_millis(rng.gen_range(300..2500));
        run_for(&mut net, wait).await;
        let before = net.height(victim).await.expect("status before the kill");
        net.kill(victim).expect("kill");
        net.restart(victim).expect("restart");
        // The database opens and holds at least every block it had committed.
        let s = net.wait_api(victim, Duration::from_secs(60)).await.expect("the node comes back");
        let h = s.height;
        assert!(h >= before, "round {round}: node{victim} reopened at height {h}, below its committed {before}");
        let other = (victim + 1) % 4;
        let cert = net.client(other).block(tamga_client::BlockAt::Height(s.height)).await.expect("certified block");
        assert_eq!(
            s.state_root, cert.block.header.state_root,
            "round {round}: node{victim}'s root at {} differs from the certified one",
            s.height
        );
        catch_up(&net, victim, Duration::from_secs(60)).await;
        say(format!("sigkill round {round}: node{victim} killed at {before}, reopened at {h}, roots match"));
    }
    let report = l.finish(Duration::from_secs(90)).await.expect("load report");
    assert_clean(&report);
    let c = net.assert_consistent(Some(&report), Duration::from_secs(30)).await.expect("consistent");
    assert_eq!(c.nodes.len(), 4);
}
