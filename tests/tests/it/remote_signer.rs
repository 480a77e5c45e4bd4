//! A validator whose consensus key is held by `tamga-signer`
//! (`[signer] kind = "remote"`), beside two that sign through SoftHSM2 and
//! one with a key file, committing under load:
//!
//! * the remote signer is killed: that validator signs nothing (no commit
//!   certificate carries it) while the other three go on committing; the
//!   signer is started again: the validator reconnects and signs again;
//! * the validator's data (ledger and safety state) is rolled back to an
//!   older copy and it starts with its own check disabled (a test-only
//!   switch of debug builds): `tamga-signer`'s guard refuses what would
//!   conflict with what it signed (its security log, the node's
//!   `signer_refused` event), and no double vote reaches the network (no
//!   evidence on any node, no equivocation seen).
//!
//! Needs SoftHSM2 (`scripts/prereqs.sh`) and the `tamga-signer` binary beside
//! `tamgad` (`TAMGA_SIGNER_BIN` overrides).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tamga_client::BlockAt;
use tamga_tests::net::tamgad_path;
use tamga_tests::{say, Net};
use tamga_types::Height;

use crate::common::{assert_clean, four, load, run_for};
use crate::hsm::{import_key, node_key, softhsm_conf, softhsm_module, use_token, KEY_LABEL};

/// The node under test (signs through `tamga-signer`).
const REMOTE: usize = 2;
/// The nodes that sign through SoftHSM2.
const HSM: [usize; 2] = [0, 1];
/// `tamgad`'s test-only switch (`tamga_node::driver::SKIP_SAFETY_CHECK_ENV`).
const SKIP_SAFETY_CHECK_ENV: &str = "TAMGA_TEST_SKIP_SAFETY_CHECK";

fn signer_bin() -> PathBuf {
    if let Ok(p) = std::env::var("TAMGA_SIGNER_BIN") {
        return PathBuf::from(p);
    }
    tamgad_path().expect("tamgad").with_file_name("tamga-signer")
}

fn run(args: &[&str]) -> String {
    let out = Command::new(signer_bin()).args(args).output().expect("tamga-signer runs");
    assert!(out.status.success(), "tamga-signer {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// `tamga-signer` for one validator: its directory, config and process.
struct RemoteSigner {
    dir: PathBuf,
    addr: String,
    child: Option<Child>,
}

impl RemoteSigner {
    /// Sets up a signer holding `home`'s consensus key (copied from its
    /// `node.key`), and points `home`'s `[signer]` at it.
    fn set_up(net: &Net, i: usize) -> RemoteSigner {
        let dir = net.dir().join(format!("signer{i}"));
        std::fs::create_dir_all(&dir).unwrap();
        let key = node_key(net, i);
        let consensus = dir.join("consensus.key");
        std::fs::copy(net.home(i).join("node.key"), &consensus).unwrap();
        let signer_pub = run(&["keygen-identity", "--out", dir.join("signer-identity.key").to_str().unwrap()]);
        let node_pub = run(&["keygen-identity", "--out", net.home(i).join("signer-client.key").to_str().unwrap()]);
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let addr = format!("127.0.0.1:{port}");
        std::fs::write(
            dir.join("signer.toml"),
            format!(
                "chain_id = \"{}\"\nlisten = \"{addr}\"\nidentity_key_file = \"signer-identity.key\"\n\
                 state_file = \"state.json\"\nsecurity_log_file = \"security.jsonl\"\n\
                 allowed_validators = [\"{}\"]\n[key]\nkind = \"file\"\npath = \"consensus.key\"\n",
                net.chain_id(),
                node_pub.trim()
            ),
        )
        .unwrap();
        run(&["init", "--config", dir.join("signer.toml").to_str().unwrap()]);
        // The node's [signer]: the signer's address and pinned key, its own
        // Noise key, the consensus key the signer must hold; a short
        // reconnect back-off so that the test waits little.
        let path = net.home(i).join("config.toml");
        let mut cfg: toml::Table = toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let mut signer = toml::Table::new();
        signer.insert("kind".into(), "remote".into());
        signer.insert("addr".into(), addr.clone().into());
        signer.insert("signer_identity".into(), signer_pub.trim().into());
        signer.insert("identity_key_file".into(), "signer-client.key".into());
        signer.insert("public_key".into(), key.public().to_hex().into());
        signer.insert("reconnect_max_ms".into(), 1_000.into());
        cfg.insert("signer".into(), toml::Value::Table(signer));
        std::fs::write(&path, toml::to_string(&cfg).unwrap()).unwrap();
        RemoteSigner { dir, addr, child: None }
    }

    fn start(&mut self) {
        let log = std::fs::OpenOptions::new().create(true).append(true).open(self.dir.join("signer.log")).unwrap();
        let child = Command::new(signer_bin())
            .args(["start", "--config"])
            .arg(self.dir.join("signer.toml"))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("tamga-signer starts");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(&self.addr).is_err() {
            assert!(Instant::now() < deadline, "tamga-signer does not listen on {}:\n{}", self.addr, self.log());
            std::thread::sleep(Duration::from_millis(50));
        }
        say(format!("tamga-signer: listening on {}", self.addr));
    }

    fn kill(&mut self) {
        let mut c = self.child.take().expect("the signer runs");
        c.kill().unwrap();
        c.wait().unwrap();
        say("tamga-signer: SIGKILL");
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("signer.log")).unwrap_or_default()
    }

    fn security_log(&self) -> String {
        std::fs::read_to_string(self.dir.join("security.jsonl")).unwrap_or_default()
    }

    /// The guard's refusals in the signer's security log.
    fn guard_refusals(&self) -> usize {
        self.security_log()
            .lines()
            .filter(|l| l.contains("\"regression_refused\"") || l.contains("\"double_sign_refused\""))
            .count()
    }
}

impl Drop for RemoteSigner {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        if std::thread::panicking() {
            eprintln!("----- tamga-signer log -----\n{}", self.log());
        }
    }
}

/// Heights in `from..=to` whose commit certificate carries validator `idx`.
async fn signed_heights(net: &Net, idx: u16, from: Height, to: Height) -> Vec<Height> {
    let mut out = Vec::new();
    for h in from..=to {
        let b = net.client(3).block(BlockAt::Height(h)).await.unwrap();
        if b.certificate.signatures.iter().any(|(j, _)| *j == idx) {
            out.push(h);
        }
    }
    out
}

/// Waits until a certificate above `after` carries `idx`; the first such height.
async fn wait_signed_after(net: &mut Net, idx: u16, after: Height, timeout: Duration) -> Height {
    let deadline = Instant::now() + timeout;
    let mut checked = after;
    loop {
        let top = net.height(3).await.unwrap();
        if let Some(h) = signed_heights(net, idx, checked + 1, top).await.first() {
            return *h;
        }
        checked = checked.max(top);
        assert!(Instant::now() < deadline, "node{REMOTE} signs no certificate above height {after}");
        run_for(net, Duration::from_millis(500)).await;
    }
}

fn copy_dir(from: &Path, to: &Path) {
    let st = Command::new("cp").arg("-a").arg(from).arg(to).status().unwrap();
    assert!(st.success(), "cp -a {} {}", from.display(), to.display());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remote_signer_down_and_back_and_its_guard_stops_a_rolled_back_validator() {
    let mut net = four().await;
    let module = softhsm_module();
    let conf = softhsm_conf(net.dir());
    std::env::set_var("SOFTHSM2_CONF", &conf);
    for i in HSM {
        let token = format!("tamga-node{i}");
        import_key(&module, &conf, &token, KEY_LABEL, &node_key(&net, i));
        use_token(net.home(i), &module, &token);
    }
    let mut signer = RemoteSigner::set_up(&net, REMOTE);
    signer.start();
    for i in [HSM[0], HSM[1], REMOTE] {
        net.terminate(i).await.unwrap();
        net.restart(i).unwrap();
    }
    for i in [HSM[0], HSM[1], REMOTE] {
        net.wait_api(i, Duration::from_secs(30)).await.unwrap();
    }
    for i in HSM {
        assert_eq!(net.log_count(i, "signer=pkcs11"), 1, "node{i} signs through its token:\n{}", net.log_tail(i, 20));
    }
    assert_eq!(net.log_count(REMOTE, "signer=remote"), 1, "{}", net.log_tail(REMOTE, 20));
    let set = net.genesis_validators().unwrap();
    let idx = set.index_of(&node_key(&net, REMOTE).public()).unwrap();

    // Under load, the remote-signed validator takes part.
    let h0 = net.max_height().await;
    let l = load(&net, 100).await;
    run_for(&mut net, Duration::from_secs(10)).await;
    let first = wait_signed_after(&mut net, idx, h0, Duration::from_secs(30)).await;
    say(format!("remote: node{REMOTE} (validator {idx}) signs through tamga-signer, first at height {first}"));

    // The signer is killed: the validator signs nothing, the others commit.
    signer.kill();
    let h_kill = net.height(3).await.unwrap();
    run_for(&mut net, Duration::from_secs(8)).await;
    let h_down = net.height(3).await.unwrap();
    assert!(h_down >= h_kill + 5, "the other validators stopped committing ({h_kill} -> {h_down})");
    // A vote signed just before the kill may still land in the next certificates.
    let during = signed_heights(&net, idx, h_kill + 3, h_down).await;
    assert!(during.is_empty(), "node{REMOTE} signed with its signer down, at heights {during:?}");
    assert!(net.log_count(REMOTE, "signer gave no signature") > 0, "{}", net.log_tail(REMOTE, 20));
    assert!(net.log_count(REMOTE, "signer.addr") > 0, "the error names signer.addr:\n{}", net.log_tail(REMOTE, 20));
    say(format!("remote: signer down from height {h_kill} to {h_down}: node{REMOTE} in no certificate"));

    // Started again: the validator reconnects and signs again.
    signer.start();
    let back = wait_signed_after(&mut net, idx, h_down, Duration::from_secs(30)).await;
    say(format!("remote: signer back; node{REMOTE} signs again at height {back}"));
    let report = l.finish(Duration::from_secs(60)).await.expect("load report");
    assert_clean(&report);
    let c = net.assert_consistent(Some(&report), Duration::from_secs(30)).await.expect("consistent");
    assert_eq!(c.nodes.len(), 4);
    say(format!("remote: {} tx committed under load", report.committed.len()));

    // An older copy of the validator's data (ledger and safety state).
    net.terminate(REMOTE).await.unwrap();
    let old = net.dir().join("node2-data-old");
    copy_dir(&net.home(REMOTE).join("data"), &old);
    let h_old = net.max_height().await;
    net.restart(REMOTE).unwrap();
    net.wait_api(REMOTE, Duration::from_secs(30)).await.unwrap();
    let later = wait_signed_after(&mut net, idx, h_old + 20, Duration::from_secs(90)).await;
    say(format!("remote: copy taken at height {h_old}; node{REMOTE} signed on up to height {later} and more"));

    // Rolled back, started with its own check off: only the signer's guard is left.
    net.terminate(REMOTE).await.unwrap();
    let data = net.home(REMOTE).join("data");
    std::fs::remove_dir_all(&data).unwrap();
    copy_dir(&old, &data);
    let refused_before = signer.guard_refusals();
    // The others are frozen while it starts, so that it cannot catch up
    // first: its round timers run out at the old height and it asks the
    // signer for the votes that move it on.
    let others = [0usize, 1, 3];
    for i in others {
        net.stop(i).unwrap();
    }
    std::env::set_var(SKIP_SAFETY_CHECK_ENV, "1");
    net.restart(REMOTE).unwrap();
    std::env::remove_var(SKIP_SAFETY_CHECK_ENV);
    let critical = net.home(REMOTE).join("security").join("critical.jsonl");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let node_events = std::fs::read_to_string(&critical).unwrap_or_default().matches("signer_refused").count();
        let refusals = signer.guard_refusals() - refused_before;
        if node_events > 0 && refusals > 0 {
            say(format!(
                "remote: rolled back to height {h_old}: tamga-signer refused {refusals} request(s), the node \
                 recorded {node_events} signer_refused event(s)"
            ));
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no refusal seen (signer {refusals}, node {node_events}):\nsigner security log:\n{}\n{}",
            signer.security_log(),
            net.log_tail(REMOTE, 40)
        );
        run_for(&mut net, Duration::from_millis(500)).await;
    }
    for i in others {
        net.cont(i).unwrap();
    }
    // The validator catches up and signs new heights again.
    let top = net.height(3).await.unwrap();
    let again = wait_signed_after(&mut net, idx, top, Duration::from_secs(60)).await;
    net.assert_consistent(None, Duration::from_secs(30)).await.expect("consistent");
    // No double vote reached the network: no evidence on any node, no
    // equivocation in any log.
    for i in 0..4 {
        let ev = net.client(i).evidence().await.unwrap();
        assert!(ev.is_empty(), "node{i} holds evidence: {ev:?}");
        assert_eq!(net.log_count(i, "equivocation"), 0, "{}", net.log_tail(i, 40));
        let events = std::fs::read_to_string(net.home(i).join("security").join("critical.jsonl")).unwrap_or_default();
        assert!(!events.contains("\"equivocation\""), "node{i} saw an equivocation");
    }
    say(format!("remote: node{REMOTE} signs again at height {again}; no evidence, no equivocation on any node"));
}
