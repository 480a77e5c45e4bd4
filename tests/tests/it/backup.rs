//! Backups (SPEC §12): back up a validator of a 4-node net under load with the real
//! `tamgad backup create` (the running node makes the checkpoint over its
//! operator socket), stop it, wipe its data, `tamgad backup restore`, start
//! it: it catches up from its peers before signing, its root equals the
//! certified one, it signs certificates again and every node agrees.

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use tamga_client::BlockAt;
use tamga_tests::net::tamgad_path;
use tamga_tests::{say, Net};

use crate::common::{assert_clean, four, load, precommitted_in, run_for};

fn tamgad(args: &[&str], paths: &[&Path]) -> Output {
    let mut cmd = Command::new(tamgad_path().expect("tamgad"));
    cmd.args(args);
    for p in paths {
        cmd.arg(p);
    }
    cmd.output().expect("tamgad runs")
}

fn json(o: &Output, what: &str) -> serde_json::Value {
    assert!(
        o.status.success(),
        "{what} failed ({}): {}{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {:?}", o.stdout))
}

fn signer_index(net: &Net, i: usize) -> u16 {
    let set = net.genesis_validators().expect("genesis set");
    set.index_of(&net.testnet.validators[i].key.public()).expect("node is a validator")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_under_load_then_wipe_restore_and_catch_up() {
    let mut net = four().await;
    let victim = 2;
    let l = load(&net, 150).await;
    run_for(&mut net, Duration::from_secs(5)).await;
    let home = net.home(victim).to_path_buf();
    let out = net.dir().join("backup-node2");

    // Online backup of the running node, under load.
    let t0 = Instant::now();
    let created =
        json(&tamgad(&["backup", "create", "--json", "--home"], &[&home, Path::new("--out"), &out]), "create");
    let took = t0.elapsed();
    let height = created["ledger"]["height"].as_u64().expect("height");
    let root = created["ledger"]["state_root"].as_str().expect("root").to_owned();
    say(format!("backup: node{victim} at height {height} (root {root}) in {took:.2?} while the net runs"));
    assert!(height >= 2, "the backup holds blocks");
    // The backed-up root is the certified root of that height on another node.
    let cert = net.client(0).block(BlockAt::Height(height)).await.expect("certified block");
    assert_eq!(cert.block.header.state_root.to_string(), root, "backup root vs certified root at {height}");
    // The creation reported the safety state it copied: a running validator
    // has one once it has voted. Its height is the last height the node
    // signed in, which may lie below the ledger's: a validator commits a
    // height without voting in it when the proposal and the others'
    // precommits reach it together (CI saw ledger 104 with safety 103).
    let safety_height = created["safety"]["height"].as_u64().expect("safety copied");
    assert!(safety_height >= 1, "the node signed in the {height} heights it committed: safety {safety_height}");
    let verified = json(&tamgad(&["backup", "verify", "--json"], &[&out]), "verify");
    assert_eq!(verified["ledger"], created["ledger"], "verify reads what create wrote");

    run_for(&mut net, Duration::from_secs(3)).await;
    net.terminate(victim).await.expect("clean stop");
    let h_stop = net.max_height().await;
    // Restoring over an existing ledger needs --force and changes nothing.
    let refused = tamgad(&["backup", "restore", "--home"], &[&home, &out]);
    assert!(!refused.status.success(), "restore over an existing ledger without --force must fail");
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("--force"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );

    // Lose the data directory (ledger and safety state), restore, start.
    std::fs::remove_dir_all(home.join("data")).expect("wipe data");
    let restored = json(&tamgad(&["backup", "restore", "--json", "--home"], &[&home, &out]), "restore");
    assert_eq!(restored["safety"], "installed_from_backup", "{restored}");
    assert!(home.join("data/restored.json").exists(), "restore leaves the catch-up marker");
    run_for(&mut net, Duration::from_secs(2)).await;
    net.restart(victim).expect("start");
    let others = net.max_height().await;
    assert!(others > height, "the net moved on past the backup ({others} vs {height})");
    let t1 = Instant::now();
    let h_back = net.wait_height(victim, others, Duration::from_secs(60)).await.expect("the restored node catches up");
    say(format!(
        "restore: node{victim} restored at {height}, stopped at ~{h_stop}, caught up to {h_back} in {:.1?}",
        t1.elapsed()
    ));
    // Its own root at its height is the certified one.
    let s = net.status(victim).await.expect("status");
    let cert = net.client(0).block(BlockAt::Height(s.height)).await.expect("certified block");
    assert_eq!(s.state_root, cert.block.header.state_root, "restored node's root at {}", s.height);
    // It signs again once caught up, and the marker is gone.
    net.wait_all_height(h_back + 6, Duration::from_secs(40)).await.expect("blocks after the restore");
    assert!(!home.join("data/restored.json").exists(), "the marker is removed once caught up");
    assert!(net.log_count(victim, "caught up: signing from here on") >= 1, "{}", net.log_tail(victim, 30));
    let report = l.finish(Duration::from_secs(40)).await.expect("load report");
    assert_clean(&report);
    let c = net.assert_consistent(Some(&report), Duration::from_secs(30)).await.expect("consistent");
    assert_eq!(c.nodes.len(), 4);
    let me = signer_index(&net, victim);
    // A certificate holds the first quorum of precommits its node saw, so
    // one node's chain may miss a slower validator's: count the heights
    // whose certificate on any node (the victim's own first) carries it.
    let signed_after = precommitted_in(&net, victim, me, h_back + 1, c.common_height).await;
    say(format!(
        "restore: node{victim}'s precommit is in {signed_after} of {} certificates after catching up",
        c.common_height - h_back
    ));
    assert!(signed_after > 0, "node{victim} never signed after the restore");
}
