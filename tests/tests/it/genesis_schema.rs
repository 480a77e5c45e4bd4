//! The genesis file format is documented for third parties as a JSON Schema
//! (`docs/genesis.schema.json`, `docs/wire-format.md` §11.1). The schema must
//! accept every genesis.json the node writes and refuse what the node refuses
//! by shape.
//!
//! `genesis_files_written_by_tamgad_match_the_schema` (no net): the files of
//! `tamgad testnet --out DIR` and `tamgad devnet --init-only --home DIR` (its
//! top level and a node home) validate; a wire value (`genesis_time_ms`), a
//! time without offset, an unknown field and a short key are refused.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use tamga_tests::net::tamgad_path;
use tamga_tests::say;

fn schema() -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/genesis.schema.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let schema: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is JSON: {e}", path.display()));
    jsonschema::meta::validate(&schema).unwrap_or_else(|e| panic!("{} is a valid JSON Schema: {e}", path.display()));
    jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{} compiles: {e}", path.display()))
}

fn read(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is JSON: {e}", path.display()))
}

fn errors(v: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    v.iter_errors(instance).map(|e| format!("{} at {}", e, e.instance_path())).collect()
}

fn tamgad(exe: &Path, args: &[&str], dir: &Path) {
    say(format!("$ tamgad {} {}", args.join(" "), dir.display()));
    let out = Command::new(exe).args(args).arg(dir).output().expect("tamgad runs");
    assert!(out.status.success(), "tamgad {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn genesis_files_written_by_tamgad_match_the_schema() {
    let exe = tamgad_path().expect("the tamgad binary");
    let v = schema();
    let dir = tempfile::Builder::new().prefix("tamga-genesis-schema-").tempdir().expect("a temp dir");
    let testnet = dir.path().join("testnet");
    tamgad(&exe, &["testnet", "--validators", "3", "--participants", "3", "--out"], &testnet);
    let devnet = dir.path().join("devnet");
    tamgad(
        &exe,
        &["devnet", "--validators", "2", "--participants", "2", "--seed", "7", "--init-only", "--home"],
        &devnet,
    );
    let files: Vec<PathBuf> =
        vec![testnet.join("genesis.json"), devnet.join("genesis.json"), devnet.join("node1").join("genesis.json")];
    for f in &files {
        let g = read(f);
        assert_eq!(errors(&v, &g), Vec::<String>::new(), "{} matches docs/genesis.schema.json", f.display());
        // The written file omits empty optional fields and carries the
        // bootstrap as hex transactions (wire-format §11.1).
        assert!(g["transactions"].as_array().is_some_and(|t| !t.is_empty()), "{}", f.display());
        assert!(g["genesis_time"].as_str().is_some_and(|t| t.ends_with('Z')), "{}", f.display());
        // SPEC §9: each validator's p2p identity is recorded, a key of its own.
        for (i, val) in g["validators"].as_array().expect("validators").iter().enumerate() {
            assert!(val["p2p_key"].is_string() && val["p2p_key"] != val["key"], "{}: validators[{i}]", f.display());
        }
    }

    // What the node refuses by shape, the schema refuses too.
    let good = read(&files[0]);
    let mut wire = good.clone();
    wire.as_object_mut().expect("an object").remove("genesis_time");
    wire["genesis_time_ms"] = Value::from(1_767_225_600_000u64);
    let mut no_offset = good.clone();
    no_offset["genesis_time"] = Value::String("2026-01-01T00:00:00".into());
    let mut micro = good.clone();
    micro["genesis_time"] = Value::String("2026-01-01T00:00:00.000001Z".into());
    let mut unknown = good.clone();
    unknown["parties"][0]["role"] = Value::String("regulator".into());
    let mut short_key = good.clone();
    short_key["validators"][0]["key"] = Value::String("abcd".into());
    let mut short_p2p_key = good.clone();
    short_p2p_key["validators"][0]["p2p_key"] = Value::String("abcd".into());
    let mut both = good.clone();
    both["parties"][0]["identifier"] = serde_json::json!({"iin_bin": "900101300126", "salt": "00".repeat(32)});
    for (what, bad) in [
        ("the wire value", wire),
        ("a time without offset", no_offset),
        ("a time finer than ms", micro),
        ("an unknown party field", unknown),
        ("a short key", short_key),
        ("a short p2p key", short_p2p_key),
        ("both id_commitment and identifier", both),
    ] {
        assert!(!errors(&v, &bad).is_empty(), "the schema refuses {what}");
    }
}
