//! The documents are a contract a third party implements from
//! (`docs/wire-format.md`, `docs/receipt-format.md`): the Python reference
//! verifier in `docs/reference/`, written from them with the standard
//! library only, must agree with the nodes.
//!
//! * `python_reference_verifier_passes_its_edge_vectors` (no net): its own
//!   tests, the ZIP-215 edge set and the golden fixtures.
//! * `python_reference_verifier_agrees_with_a_live_net`: on a live
//!   4-validator net, the receipt bundles of a transfer (a block commitment)
//!   and of a genesis transaction, exported with the CLI, verify with
//!   `python3 docs/reference/tamga_verify.py` against `node0/genesis.json`;
//!   copies with the transfer's amount or the account proof changed are
//!   refused with their codes, and for about a hundred one-bit flips spread
//!   over the file the Python and the Rust verifier (`tamga receipt verify`)
//!   answer the same code.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use tamga_tests::{say, Net, NetOptions};

use crate::walkthrough::{tamga_command, tamga_path};

/// The repository root (the tests crate is one level down).
fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the tests crate is inside the repository").to_path_buf()
}

/// `python3 ARGS` in the repository root: (exit status, stdout, stderr).
fn python(args: &[&str]) -> (i32, String, String) {
    say(format!("$ python3 {}", args.join(" ")));
    let out = Command::new("python3")
        .args(args)
        .current_dir(repo_root())
        .output()
        .expect("python3 runs (scripts/prereqs.sh installs it)");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs the reference verifier on `bundle`: (exit status, its JSON answer).
fn reference_verify(bundle: &Path, genesis: &Path) -> (i32, Value) {
    let (code, stdout, stderr) = python(&[
        "docs/reference/tamga_verify.py",
        bundle.to_str().expect("utf-8 path"),
        "--genesis",
        genesis.to_str().expect("utf-8 path"),
    ]);
    let v = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("the verifier printed no JSON ({e}); exit {code}\n{stdout}\n{stderr}"));
    (code, v)
}

#[test]
fn python_reference_verifier_passes_its_edge_vectors() {
    let (code, stdout, stderr) = python(&["docs/reference/test_tamga_verify.py"]);
    assert_eq!(code, 0, "the reference verifier's tests fail:\n{stdout}\n{stderr}");
    assert!(stderr.contains("OK"), "unittest reports OK:\n{stderr}");
}

/// Runs `tamga ARGS --json` and returns its JSON, requiring exit 0.
fn tamga_ok(exe: &Path, args: &[&str]) -> Value {
    say(format!("$ tamga {} --json", args.join(" ")));
    let out = tamga_command(exe).args(args).arg("--json").output().expect("tamga runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "tamga {args:?}: {stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("tamga {args:?} printed no JSON ({e}): {stdout}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_reference_verifier_agrees_with_a_live_net() {
    let exe = tamga_path().expect("the tamga binary");
    let opts = NetOptions { participants: 4, ..NetOptions::default() };
    say(format!("reference verifier: seed {} (TAMGA_IT_SEED replays it)", opts.seed));
    let net = Net::start(opts).await.expect("the net starts");
    let node = net.client(0).base_url().to_owned();
    let genesis = net.home(0).join("genesis.json");

    // A transfer from one funded participant to another, and its bundle.
    let to = net.testnet.participants[1].public().to_hex();
    let key = net.dir().join("keys").join("user-0000.key").display().to_string();
    let r = tamga_ok(
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
            "7",
        ],
    );
    assert_eq!(r["status"].as_str(), Some("success"), "{r}");
    let tx = r["tx_hash"].as_str().expect("tx_hash").to_owned();
    let bundle = net.dir().join("transfer.bundle");
    tamga_ok(&exe, &["--node", &node, "receipt", "export", &tx, "--out", bundle.to_str().expect("utf-8 path")]);

    let (code, v) = reference_verify(&bundle, &genesis);
    assert_eq!((code, v["valid"].as_bool()), (0, Some(true)), "{v}");
    assert_eq!(v["tx_hash"].as_str(), Some(tx.as_str()), "{v}");
    assert_eq!(v["signer"].as_str(), Some(net.testnet.participants[0].public().to_hex().as_str()), "{v}");
    assert_eq!(v["chain_id"].as_str(), Some(net.chain_id().as_str()), "{v}");
    assert_eq!(v["outcome"]["status"].as_str(), Some("success"), "{v}");
    assert_eq!(v["events_certified"].as_bool(), Some(true), "{v}");
    assert!(v["height"].as_u64().unwrap_or(0) >= 1, "{v}");
    // The party the state proof names: participant 0 is party 4 (tamga-genesis testnet layout).
    assert_eq!(v["party"].as_u64(), Some(4), "{v}");
    // The same verdict as the Rust verifier's on the same file.
    let rust = tamga_ok(
        &exe,
        &[
            "receipt",
            "verify",
            bundle.to_str().expect("utf-8 path"),
            "--genesis",
            genesis.to_str().expect("utf-8 path"),
        ],
    );
    assert_eq!(rust["receipt"]["height"], v["height"], "python {v}\nrust {rust}");
    assert_eq!(rust["receipt"]["block_hash"], v["block_hash"], "python {v}\nrust {rust}");

    // Tampered copies: the last byte of the bundle is in the account proof;
    // the transfer's amount sits in the signed transaction.
    let bytes = std::fs::read(&bundle).expect("read the bundle");
    let tampered = net.dir().join("tampered.bundle");
    let amount_at = {
        // version (2) + genesis hash (32) + chain id string + signer (32) +
        // nonce (8) + payload tag (1) + class (8) + to (32): the amount's first byte.
        let chain = net.chain_id().len();
        2 + 32 + 4 + chain + 32 + 8 + 1 + 8 + 32
    };
    assert_eq!(bytes[amount_at], 7, "the amount 7 is where wire-format §5-§6 put it");
    for (what, at, want) in
        [("the amount", amount_at, "BAD_TX_SIGNATURE"), ("the account proof", bytes.len() - 1, "BAD_ACCOUNT_PROOF")]
    {
        let mut copy = bytes.clone();
        copy[at] ^= 0x01;
        std::fs::write(&tampered, &copy).expect("write the tampered copy");
        let (code, v) = reference_verify(&tampered, &genesis);
        assert_eq!((code, v["valid"].as_bool(), v["code"].as_str()), (6, Some(false), Some(want)), "{what}: {v}");
    }

    // One flipped bit at about a hundred places spread over the whole file
    // (version, genesis hash, transaction, receipt, header, certificate,
    // paths, account proof): both verifiers refuse each copy with the same code.
    let stride = (bytes.len() / 100).max(1);
    let mut compared = 0;
    for at in (0..bytes.len()).step_by(stride).chain([1, bytes.len() - 1]) {
        let mut copy = bytes.clone();
        copy[at] ^= 0x01;
        std::fs::write(&tampered, &copy).expect("write the tampered copy");
        let (code, py) = reference_verify(&tampered, &genesis);
        let out = tamga_command(&exe)
            .args(["receipt", "verify", tampered.to_str().expect("utf-8 path"), "--genesis"])
            .arg(&genesis)
            .arg("--json")
            .output()
            .expect("tamga runs");
        let rust: Value = serde_json::from_slice(&out.stdout).expect("tamga receipt verify prints JSON");
        assert_eq!(
            (code, py["code"].as_str()),
            (out.status.code().unwrap_or(-1), rust["code"].as_str()),
            "bit 0 of byte {at} flipped: python {py}\nrust {rust}"
        );
        assert_eq!(code, 6, "byte {at}: a tampered bundle is invalid: {py}");
        compared += 1;
    }
    say(format!("reference verifier: {compared} tampered copies, the same code from both verifiers"));

    // A genesis transaction (index 0): its bundle carries the genesis commitment.
    let gentx = net.testnet.genesis.transactions.first().expect("the devnet genesis carries transactions");
    let gentx_hash = gentx.hash().to_hex();
    let genesis_bundle = net.dir().join("genesis-tx.bundle");
    tamga_ok(
        &exe,
        &["--node", &node, "receipt", "export", &gentx_hash, "--out", genesis_bundle.to_str().expect("utf-8 path")],
    );
    let (code, v) = reference_verify(&genesis_bundle, &genesis);
    assert_eq!((code, v["valid"].as_bool()), (0, Some(true)), "{v}");
    assert_eq!((v["height"].as_u64(), v["index"].as_u64()), (Some(0), Some(0)), "{v}");
    assert_eq!(v["events_certified"].as_bool(), Some(false), "{v}");

    // A genesis file that is not this network's: GENESIS_MISMATCH.
    let mut other: Value =
        serde_json::from_str(&std::fs::read_to_string(&genesis).expect("read genesis")).expect("genesis JSON");
    other["genesis_time"] = Value::String("2030-01-01T00:00:00Z".into());
    let other_path = net.dir().join("other-genesis.json");
    std::fs::write(&other_path, other.to_string()).expect("write");
    let (code, v) = reference_verify(&bundle, &other_path);
    assert_eq!((code, v["code"].as_str()), (6, Some("GENESIS_MISMATCH")), "{v}");
}
