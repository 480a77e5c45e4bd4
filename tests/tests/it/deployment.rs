//! The systemd unit shipped in `deploy/systemd/tamgad.service`
//! (docs/deployment.md).
//!
//! `systemd_unit_verifies_and_is_hardened` (no net): `systemd-analyze verify`
//! accepts the unit with no warning (an unknown or misspelt key is a
//! warning), its `ExecStart` pointed at the built `tamgad`; `systemd-analyze
//! security --offline` rates its exposure at 2.0 or less; and the settings
//! docs/deployment.md promises are there: a dedicated user, `Restart=on-failure`,
//! `NoNewPrivileges`, `ProtectSystem=strict` with the home (the `--home` of
//! `ExecStart`) in `ReadWritePaths`, `PrivateTmp`, `LimitNOFILE` and an empty
//! `CapabilityBoundingSet`.

use std::path::{Path, PathBuf};
use std::process::Command;

use tamga_tests::net::tamgad_path;
use tamga_tests::say;

fn unit_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate is inside the repository")
        .join("deploy/systemd/tamgad.service")
}

/// The value of `key=` in the unit (the last one, as systemd takes it for
/// single-valued keys); `None` when absent.
fn setting<'a>(unit: &'a str, key: &str) -> Option<&'a str> {
    unit.lines().filter_map(|l| l.trim().strip_prefix(key)?.strip_prefix('=')).next_back().map(str::trim)
}

fn systemd_analyze(args: &[&str]) -> (bool, String) {
    let out = Command::new("systemd-analyze").args(args).output().unwrap_or_else(|e| {
        panic!("systemd-analyze cannot run: {e}. Install it with `sudo apt-get install systemd` (Debian/Ubuntu)")
    });
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

#[test]
fn systemd_unit_verifies_and_is_hardened() {
    let path = unit_file();
    let unit = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));

    let exec = setting(&unit, "ExecStart").expect("ExecStart is set");
    let mut words = exec.split_whitespace();
    let bin = words.next().expect("ExecStart names a binary");
    let args: Vec<&str> = words.collect();
    assert_eq!(args.first(), Some(&"start"), "ExecStart runs `tamgad start`: {exec}");
    let home = args.windows(2).find(|w| w[0] == "--home").map(|w| w[1]).expect("ExecStart passes --home");
    let help = Command::new(tamgad_path().expect("tamgad")).args(["start", "--help"]).output().expect("tamgad runs");
    assert!(String::from_utf8_lossy(&help.stdout).contains("--home"), "tamgad start takes --home");

    let want = [
        ("User", "tamga"),
        ("Group", "tamga"),
        ("Restart", "on-failure"),
        ("NoNewPrivileges", "yes"),
        ("ProtectSystem", "strict"),
        ("ReadWritePaths", home),
        ("PrivateTmp", "yes"),
        ("CapabilityBoundingSet", ""),
        ("AmbientCapabilities", ""),
    ];
    for (key, value) in want {
        assert_eq!(setting(&unit, key), Some(value), "{key}= in {}", path.display());
    }
    let nofile: u64 = setting(&unit, "LimitNOFILE")
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("LimitNOFILE= is a number in {}", path.display()));
    assert!(nofile >= 65_536, "LimitNOFILE={nofile}: the API and p2p limits need room");

    // `verify` checks that the binary exists: point it at the built one.
    let dir = tempfile::tempdir().expect("a temporary directory");
    let tamgad = tamgad_path().expect("tamgad");
    let local = dir.path().join("tamgad.service");
    std::fs::write(&local, unit.replace(bin, tamgad.to_str().expect("a UTF-8 path"))).expect("write the unit");
    let local = local.to_str().expect("a UTF-8 path");
    let (ok, text) = systemd_analyze(&["verify", local]);
    assert!(ok && text.trim().is_empty(), "systemd-analyze verify {local}:\n{text}");

    // The exposure score, 0 (locked down) to 10 (none); --threshold is in tenths.
    let (ok, text) = systemd_analyze(&["security", "--offline=yes", "--threshold=20", local]);
    let overall = text.lines().find(|l| l.contains("Overall exposure level")).unwrap_or("(no score)");
    say(format!("deployment: {}", overall.trim()));
    assert!(ok, "systemd-analyze security rates the unit above 2.0:\n{text}");
}
