//! `tamgad start` over the consensus safety state (`node/src/safety.rs`):
//! a damaged `data/safety.bin` stops the process at once, naming the file and
//! the recovery procedure; a missing one on a fresh home starts. Runs the
//! built binary (`TAMGAD_BIN`, else cargo's `CARGO_BIN_EXE_tamgad`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn tamgad() -> PathBuf {
    std::env::var_os("TAMGAD_BIN").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_tamgad")))
}

/// A one-validator testnet under `dir`; returns the node's home. Ports are
/// spread by process id and `slot` so concurrent runs do not collide.
fn one_validator(dir: &Path, slot: u16) -> PathBuf {
    let base = 20_000 + (std::process::id() % 9_000) as u16 * 4 + slot * 2;
    let out = dir.join("net");
    let st = Command::new(tamgad())
        .args(["testnet", "--validators", "1", "--participants", "1", "--seed", "7"])
        .args(["--base-p2p-port", &base.to_string(), "--base-api-port", &(base + 1).to_string()])
        .arg("--out")
        .arg(&out)
        .stdout(Stdio::null())
        .status()
        .expect("run tamgad testnet");
    assert!(st.success(), "tamgad testnet failed");
    out.join("node0")
}

fn start(home: &Path) -> Child {
    Command::new(tamgad())
        .arg("start")
        .arg("--home")
        .arg(home)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn tamgad start")
}

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn start_over_a_truncated_safety_file_exits_and_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let home = one_validator(dir.path(), 0);
    std::fs::create_dir_all(home.join("data")).unwrap();
    // The first bytes of a version-1 file: the header is cut short.
    std::fs::write(home.join("data").join("safety.bin"), b"TAMGASF\0\x01\x00").unwrap();
    let started = Instant::now();
    let child = start(&home);
    let out = child.wait_with_output().unwrap();
    let secs = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "tamgad started over a truncated safety file; stderr: {stderr}");
    assert!(secs < 20.0, "took {secs:.1} s to stop");
    assert!(stderr.contains("data/safety.bin"), "the error names the file: {stderr}");
    assert!(stderr.contains("docs/operations.md"), "the error names the recovery procedure: {stderr}");
    // The damaged file is left as it was, for the operator.
    assert_eq!(std::fs::read(home.join("data").join("safety.bin")).unwrap(), b"TAMGASF\0\x01\x00");
}

#[test]
fn start_without_a_safety_file_on_a_fresh_home_runs_and_writes_one() {
    let dir = tempfile::tempdir().unwrap();
    let home = one_validator(dir.path(), 1);
    let safety = home.join("data").join("safety.bin");
    assert!(!safety.exists());
    let mut child = Killed(start(&home));
    let stdout = child.0.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let line = lines.next().expect("a line on stdout").unwrap();
    assert!(line.contains("api=http://"), "started: {line}");
    // The lone validator signs, so the file appears, in the current format.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(Some(s)) = tamga_node::safety::read_file(&safety) {
            assert!(s.height >= 1);
            assert_eq!(&std::fs::read(&safety).unwrap()[..8], &tamga_node::safety::MAGIC);
            break;
        }
        assert!(child.0.try_wait().unwrap().is_none(), "tamgad exited");
        assert!(Instant::now() < deadline, "no safety state written within 30 s");
        std::thread::sleep(Duration::from_millis(200));
    }
}
