//! Pruning of old state-tree versions on a live net (`[storage]
//! retain_state_versions`, docs/operations.md "Disk use and pruning"):
//! node 0 of four validators is restarted with a window of 4 versions after
//! a transfer committed; under light load (idle blocks and one more
//! transfer) a state proof at the early height is refused with 410
//! `STATE_PRUNED` naming both heights, a proof at a kept height verifies
//! against its certified header, and the receipt bundle of the early
//! transfer, fetched from node 0, verifies offline with `tamga receipt verify`.

use std::path::Path;
use std::time::Duration;

use serde_json::Value;
use tamga_client::bundle::{account_state_key, verify_state_proof};
use tamga_client::BlockAt;
use tamga_tests::{say, Net, NetOptions};

use crate::walkthrough::{tamga_command, tamga_path};

const RETAIN: u64 = 4;

/// Runs `tamga ARGS --json`, returns (exit status, stdout JSON).
fn tamga(exe: &Path, args: &[&str]) -> (i32, Value) {
    say(format!("$ tamga {} --json", args.join(" ")));
    let out = tamga_command(exe).args(args).arg("--json").output().expect("tamga runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let code = out.status.code().unwrap_or(-1);
    let v = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        panic!("tamga {args:?} printed no JSON ({e}); exit {code}\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr))
    });
    (code, v)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pruned_proofs_are_refused_and_early_bundles_verify() {
    let exe = tamga_path().expect("the tamga binary");
    let opts = NetOptions { participants: 4, ..NetOptions::default() };
    say(format!("pruning: seed {} (TAMGA_IT_SEED replays it)", opts.seed));
    let mut net = Net::start(opts).await.expect("the net starts");
    let node = net.client(0).base_url().to_owned();
    let genesis_path = net.home(0).join("genesis.json");
    let genesis = genesis_path.to_str().expect("utf-8 path").to_owned();
    let keys = net.dir().join("keys");
    let key = keys.join("user-0000.key").display().to_string();
    let signer_key = net.testnet.participants[0].public();
    let to = net.testnet.participants[1].public().to_hex();
    let transfer = |amount: &str| {
        let (code, r) = tamga(
            &exe,
            &[
                "--node",
                &node,
                "--key",
                &key,
                "--yes",
                "--base-units",
                "token",
                "transfer",
                "--class",
                "1",
                "--to",
                &to,
                "--amount",
                amount,
            ],
        );
        assert_eq!((code, r["status"].as_str()), (0, Some("success")), "{r}");
        r["tx_hash"].as_str().expect("tx_hash").to_owned()
    };

    // An early transfer, committed while node 0 keeps every version.
    let early_tx = transfer("3");
    let early_height = match net.client(0).tx(&early_tx.parse().expect("hash")).await.expect("tx status") {
        tamga_client::TxStatus::Committed(v) => v.receipt.height,
        other => panic!("the early transfer is not committed at node0: {other:?}"),
    };

    // Node 0 restarts with a window of RETAIN versions: it first stores the
    // account proofs of every committed height, then prunes as it commits.
    net.terminate(0).await.expect("node0 stops");
    let config = net.home(0).join("config.toml");
    // `tamgad init` writes a [storage] section of its own: set its keys.
    let mut cfg: toml::Table = toml::from_str(&std::fs::read_to_string(&config).expect("config.toml")).expect("TOML");
    let storage = cfg.entry("storage").or_insert_with(|| toml::Value::Table(toml::Table::new()));
    let storage = storage.as_table_mut().expect("[storage] is a table");
    storage.insert("retain_state_versions".into(), toml::Value::Integer(RETAIN as i64));
    storage.insert("prune_max_deletes_per_block".into(), toml::Value::Integer(100_000));
    std::fs::write(&config, toml::to_string(&cfg).expect("TOML")).expect("write config.toml");
    net.restart(0).expect("node0 starts again");
    net.wait_api(0, Duration::from_secs(30)).await.expect("node0 answers");
    let target = net.max_height().await + RETAIN + 4;
    // Light load: one more transfer while the idle net keeps committing.
    let late_tx = transfer("2");
    net.wait_height(0, target, Duration::from_secs(120)).await.expect("node0 commits past the window");
    let last = net.height(0).await.expect("height");

    // The early height is pruned: 410 STATE_PRUNED naming it and the oldest kept height.
    let key_hex = hex::encode(account_state_key(&signer_key));
    let url = format!("{node}/v1/proofs/state?key={key_hex}&height={early_height}");
    let resp = reqwest::get(&url).await.expect("GET proof");
    let status = resp.status().as_u16();
    let v: Value = resp.json().await.expect("JSON error body");
    say(format!("GET {url} -> {status} {v}"));
    assert_eq!((status, v["code"].as_str(), v["field"].as_str()), (410, Some("STATE_PRUNED"), Some("height")), "{v}");
    let msg = v["message"].as_str().unwrap_or_default();
    assert!(msg.contains(&format!("height {early_height} ")), "{msg}");
    let oldest: u64 = msg
        .rsplit("from height ")
        .next()
        .and_then(|s| s.split_whitespace().next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("the message names the oldest kept height: {msg}"));
    assert!(oldest > early_height && oldest + RETAIN > last, "oldest {oldest}, last {last}: {msg}");

    // A kept height proves against its certified header.
    let at = last - 1;
    let p = net.client(0).state_proof(&account_state_key(&signer_key), Some(at)).await.expect("a kept proof");
    let header = net.client(0).block(BlockAt::Height(at)).await.expect("block").block.header;
    assert_eq!(p.root, header.state_root);
    assert_eq!(
        verify_state_proof(&account_state_key(&signer_key), p.value.as_deref(), &p.proof, &header.state_root),
        Ok(())
    );

    // The early transfer's bundle, from the pruning node, verifies offline;
    // and so does the later one's.
    for (name, tx) in [("early", &early_tx), ("late", &late_tx)] {
        let bundle = net.dir().join(format!("{name}.bundle")).display().to_string();
        let (code, r) =
            tamga(&exe, &["--node", &node, "receipt", "export", tx, "--out", &bundle, "--genesis", &genesis]);
        assert_eq!((code, r["verified"].as_bool()), (0, Some(true)), "{r}");
        let (code, r) = tamga(&exe, &["receipt", "verify", &bundle, "--genesis", &genesis]);
        assert_eq!((code, r["valid"].as_bool()), (0, Some(true)), "{r}");
        assert_eq!(r["receipt"]["tx_hash"].as_str(), Some(tx.as_str()));
    }
    let metrics = reqwest::get(format!("{node}/metrics")).await.expect("metrics").text().await.expect("text");
    let pruned = metrics
        .lines()
        .find(|l| l.starts_with("tamga_state_pruned_entries_total "))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse::<f64>().ok())
        .unwrap_or_else(|| panic!("no tamga_state_pruned_entries_total in\n{metrics}"));
    assert!(pruned > 0.0, "node0 pruned nothing");
    assert!(metrics.contains("tamga_state_oldest_proof_height "), "{metrics}");
    net.check_all_alive().expect("every node runs");
}
