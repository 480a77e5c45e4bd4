//! Offline verification against the genesis.json a node actually holds
//! (SPEC §1.8, §10, §12 export; Digital Code art. 62 p.1: a document
//! circulates and is verified outside the system that made it).
//!
//! Every `--genesis FILE` of the `tamga` CLI reads the genesis **file** format
//! that `tamgad testnet`, `tamgad devnet` and `tamgad init` write (RFC 3339
//! `genesis_time`, hex keys and transactions; the `tamga-genesis` crate
//! docs), not the wire value. These tests run the real
//! binaries on the files those commands wrote:
//!
//! * `genesis_files_written_by_tamgad_are_read_by_the_cli` (no net): the
//!   genesis.json of `tamgad testnet --out DIR` and of `tamgad devnet
//!   --init-only --home DIR` (its top level and a node home) is accepted; a
//!   serialized wire value is refused with `INVALID_GENESIS`, naming the file.
//! * `receipts_and_exports_verify_against_the_node_home_genesis`: on a live
//!   4-validator net, a transfer's receipt bundle and the issuer's export
//!   are saved and verified offline against `node0/genesis.json`, with
//!   `receipt export --genesis`, `receipt verify`, `export issuer --genesis`,
//!   `export verify` and `verify-chain`.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde_json::Value;
use tamga_tests::net::tamgad_path;
use tamga_tests::{say, Net, NetOptions};

use crate::walkthrough::{tamga_command, tamga_path};

/// Runs `tamga ARGS --json`, returns (exit status, stdout JSON), printing the command.
fn tamga(exe: &Path, args: &[&str]) -> (i32, Value) {
    say(format!("$ tamga {} --json", args.join(" ")));
    let out = tamga_command(exe).args(args).arg("--json").output().expect("tamga runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let code = out.status.code().unwrap_or(-1);
    let v = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        panic!("tamga {args:?} printed no JSON ({e}); exit {code}\nstdout: {stdout}\nstderr: {stderr}")
    });
    (code, v)
}

/// Runs `tamgad ARGS`, failing with its output unless it succeeds.
fn tamgad(exe: &Path, args: &[&str], dir: &Path) {
    let out = Command::new(exe).args(args).arg(dir).output().expect("tamgad runs");
    assert!(
        out.status.success(),
        "tamgad {args:?} {} failed: {}\n{}",
        dir.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `export verify EMPTY --genesis G` reads G first: it then fails on the
/// empty export (`EXPORT_INCOMPLETE`, exit 6) only if G was accepted.
fn assert_genesis_accepted(exe: &Path, genesis: &Path, empty: &Path) {
    let g = genesis.to_str().expect("utf-8 path");
    let (code, v) = tamga(exe, &["export", "verify", empty.to_str().expect("utf-8 path"), "--genesis", g]);
    assert_eq!((code, v["code"].as_str()), (6, Some("EXPORT_INCOMPLETE")), "{g} is read as a genesis: {v}");
}

/// The genesis.json files `tamgad testnet` and `tamgad devnet --init-only`
/// write are the files the CLI's `--genesis` reads (no network).
#[test]
fn genesis_files_written_by_tamgad_are_read_by_the_cli() {
    let tamga_exe = tamga_path().expect("the tamga binary");
    let tamgad_exe = tamgad_path().expect("the tamgad binary");
    let dir = tempfile::Builder::new().prefix("tamga-genesis-files-").tempdir().expect("a temp dir");
    let empty = dir.path().join("empty.jsonl");
    std::fs::write(&empty, "").expect("write");

    let testnet = dir.path().join("testnet");
    tamgad(&tamgad_exe, &["testnet", "--validators", "2", "--participants", "2", "--out"], &testnet);
    assert_genesis_accepted(&tamga_exe, &testnet.join("genesis.json"), &empty);

    let devnet = dir.path().join("devnet");
    tamgad(&tamgad_exe, &["devnet", "--validators", "2", "--participants", "2", "--init-only", "--home"], &devnet);
    assert_genesis_accepted(&tamga_exe, &devnet.join("genesis.json"), &empty);
    assert_genesis_accepted(&tamga_exe, &devnet.join("node0").join("genesis.json"), &empty);

    // The wire value (`genesis_time_ms`, arrays of key bytes) is not the file format.
    let g = tamga_genesis::load(&testnet.join("genesis.json")).expect("tamgad testnet wrote a valid genesis");
    let wire = dir.path().join("wire.json");
    std::fs::write(&wire, serde_json::to_string(&g).expect("serialise")).expect("write");
    let (code, v) =
        tamga(&tamga_exe, &["export", "verify", empty.to_str().unwrap(), "--genesis", wire.to_str().unwrap()]);
    assert_eq!((code, v["code"].as_str()), (1, Some("INVALID_GENESIS")), "{v}");
    let msg = v["message"].as_str().unwrap_or_default();
    assert!(msg.contains(wire.to_str().unwrap()) && msg.contains("genesis_time_ms"), "{msg}");
}

/// On a live net: a transfer's receipt bundle and the issuer's export,
/// saved and verified offline against the genesis.json of node 0's home.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn receipts_and_exports_verify_against_the_node_home_genesis() {
    let exe = tamga_path().expect("the tamga binary");
    let opts = NetOptions { participants: 4, ..NetOptions::default() };
    say(format!("offline verify: seed {} (TAMGA_IT_SEED replays it)", opts.seed));
    let net = Net::start(opts).await.expect("the net starts");
    let node = net.client(0).base_url().to_owned();
    let genesis_path = net.home(0).join("genesis.json");
    let genesis = genesis_path.to_str().expect("utf-8 path");
    let keys = net.dir().join("keys");
    let path = |name: &str| net.dir().join(name).display().to_string();

    // A transfer from one funded participant to another.
    let to = net.testnet.participants[1].public().to_hex();
    let key = keys.join("user-0000.key").display().to_string();
    let signer = ["--node", node.as_str(), "--key", key.as_str(), "--yes", "--base-units"];
    let transfer = ["token", "transfer", "--class", "1", "--to", to.as_str(), "--amount", "7"];
    let (code, r) = tamga(&exe, &[&signer[..], &transfer[..]].concat());
    assert_eq!((code, r["status"].as_str()), (0, Some("success")), "{r}");
    let tx = r["tx_hash"].as_str().expect("tx_hash").to_owned();

    // Receipt bundle: checked against the genesis before saving, then offline.
    let bundle = path("transfer.bundle");
    let (code, r) = tamga(&exe, &["--node", &node, "receipt", "export", &tx, "--out", &bundle, "--genesis", genesis]);
    assert_eq!((code, r["verified"].as_bool()), (0, Some(true)), "{r}");
    let (code, r) = tamga(&exe, &["receipt", "verify", &bundle, "--genesis", genesis]);
    assert_eq!(code, 0, "{r}");
    assert_eq!(r["valid"], true);
    assert_eq!(r["receipt"]["tx_hash"].as_str(), Some(tx.as_str()));
    assert_eq!(r["receipt"]["chain_id"].as_str(), Some(net.chain_id().as_str()));
    assert_eq!(r["receipt"]["signer"].as_str(), Some(net.testnet.participants[0].public().to_hex().as_str()));
    assert!(r["receipt"]["height"].as_u64().unwrap_or(0) >= 1, "{r}");

    // The issuer's export (party 2 issued the bootstrap class), signed by
    // the issuer's own key: only its party or a regulator may export it.
    let export = path("issuer-2.jsonl");
    let issuer_key = keys.join("issuer.key").display().to_string();
    let (code, r) = tamga(
        &exe,
        &["--node", &node, "--key", &issuer_key, "export", "issuer", "2", "--out", &export, "--genesis", genesis],
    );
    assert_eq!(code, 0, "{r}");
    let (code, r) = tamga(&exe, &["export", "verify", &export, "--genesis", genesis]);
    assert_eq!(code, 0, "{r}");
    assert_eq!(r["valid"], true);
    assert_eq!(r["export"]["issuer"], 2);
    assert_eq!(r["export"]["chain_id"].as_str(), Some(net.chain_id().as_str()));

    // Light verification of the headers from the same file.
    let (code, r) = tamga(&exe, &["--node", &node, "verify-chain", "--genesis", genesis]);
    assert_eq!((code, r["valid"].as_bool()), (0, Some(true)), "{r}");

    net.assert_consistent(None, Duration::from_secs(20)).await.expect("every node agrees");
}
