//! `tamga-signer` and its client over real sockets on 127.0.0.1: signatures
//! that verify, the double-sign guard (and its state surviving a restart),
//! failing closed on a corrupt state file, pinned keys, bounded frames, an
//! unreachable signer, and the real binary started, stopped and restarted
//! (`TAMGA_SIGNER_BIN`, else cargo's `CARGO_BIN_EXE_tamga-signer`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use tamga_node::remote_signer::guard::Guard;
use tamga_node::remote_signer::server::{ConfigError, StartError};
use tamga_node::remote_signer::transport::TransportError;
use tamga_node::remote_signer::{
    GuardRefusal, IdentityKey, IdentityPublic, Refusal, RemoteSigner, RemoteSignerConfig, RemoteSignerError,
    RunningSigner, SignerConfig,
};
use tamga_types::block::{VoteData, VoteKind};
use tamga_types::crypto::SigningKey;
use tamga_types::evidence::ProposalData;
use tamga_types::hash::Hash;

const CHAIN: &str = "tamga-test";

struct Setup {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    consensus: SigningKey,
    signer_id: IdentityKey,
    validator_id: IdentityKey,
}

impl Setup {
    fn new() -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().to_owned();
        let consensus = SigningKey::generate();
        tamga_node::home::write_key(&d.join("consensus.key"), &consensus).unwrap();
        let signer_id = IdentityKey::generate();
        signer_id.write(&d.join("signer-identity.key")).unwrap();
        let validator_id = IdentityKey::generate();
        let s = Setup { _dir: dir, dir: d, consensus, signer_id, validator_id };
        Guard::init(&s.dir.join("state.json"), CHAIN).unwrap();
        s
    }

    fn config_text(&self, listen: &str, limits: &str) -> String {
        format!(
            "chain_id = \"{CHAIN}\"\nlisten = \"{listen}\"\nidentity_key_file = \"signer-identity.key\"\n\
             state_file = \"state.json\"\nsecurity_log_file = \"security.jsonl\"\n\
             allowed_validators = [\"{}\"]\n[key]\nkind = \"file\"\npath = \"consensus.key\"\n[limits]\n{limits}",
            self.validator_id.public()
        )
    }

    fn config(&self, listen: &str) -> SignerConfig {
        SignerConfig::parse(&self.config_text(listen, "handshake_timeout_ms = 2000\n"), &self.dir).unwrap()
    }

    fn start(&self, listen: &str) -> RunningSigner {
        RunningSigner::start(&self.config(listen)).unwrap()
    }

    fn client(&self, addr: &str) -> RemoteSigner {
        self.client_with(addr, self.validator_id.clone(), self.signer_id.public())
    }

    fn client_with(&self, addr: &str, identity: IdentityKey, pinned: IdentityPublic) -> RemoteSigner {
        RemoteSigner::new(RemoteSignerConfig {
            addr: addr.to_owned(),
            identity,
            signer_identity: pinned,
            consensus_key: self.consensus.public(),
            connect_timeout: Duration::from_millis(1_500),
            request_timeout: Duration::from_millis(1_500),
            max_frame_bytes: 4096,
        })
    }

    fn security_log(&self) -> String {
        std::fs::read_to_string(self.dir.join("security.jsonl")).unwrap_or_default()
    }
}

fn vote(kind: VoteKind, height: u64, round: u32, b: u8) -> VoteData {
    VoteData { kind, height, round, block_hash: Hash([b; 32]) }
}

fn guard_refusal(r: Result<tamga_types::crypto::Signature, RemoteSignerError>) -> GuardRefusal {
    match r {
        Err(RemoteSignerError::Refused(Refusal::Guard(g))) => g,
        other => panic!("expected a guard refusal, got {other:?}"),
    }
}

fn wait_for(mut f: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

#[test]
fn signs_a_vote_and_a_proposal_that_verify() {
    let s = Setup::new();
    let signer = s.start("127.0.0.1:0");
    let c = s.client(&signer.local_addr().to_string());
    assert_eq!(c.public_key(), s.consensus.public());
    let p = ProposalData { height: 3, round: 0, pol_round: None, value_id: Hash([7; 32]) };
    let sig = c.sign_proposal(CHAIN, &p).unwrap();
    s.consensus.public().verify(&p.signing_message(CHAIN), &sig).unwrap();
    let v = vote(VoteKind::Prevote, 3, 0, 7);
    let sig = c.sign_vote(CHAIN, &v).unwrap();
    s.consensus.public().verify(&v.signing_message(CHAIN), &sig).unwrap();
    let v = vote(VoteKind::Precommit, 3, 0, 7);
    let sig = c.sign_vote(CHAIN, &v).unwrap();
    s.consensus.public().verify(&v.signing_message(CHAIN), &sig).unwrap();
    assert_eq!(signer.stats().signed.load(Ordering::SeqCst), 3);
    // The state on disk is the last signature.
    let last = Guard::open(&s.dir.join("state.json"), CHAIN).unwrap().last().cloned().unwrap();
    assert_eq!((last.hrs.height, last.hrs.round, last.hrs.step.to_string()), (3, 0, "precommit".to_owned()));
    signer.stop();
}

#[test]
fn refuses_conflicts_and_regressions_also_after_a_restart() {
    let s = Setup::new();
    let signer = s.start("127.0.0.1:0");
    let addr = signer.local_addr().to_string();
    let c = s.client(&addr);
    let a = vote(VoteKind::Prevote, 5, 1, 0xA);
    let sig_a = c.sign_vote(CHAIN, &a).unwrap();

    // Same (height, round, step), another block; and nil there.
    let g = guard_refusal(c.sign_vote(CHAIN, &vote(VoteKind::Prevote, 5, 1, 0xB)));
    assert!(
        matches!(g, GuardRefusal::DoubleSign { signed, requested, .. } if signed == Hash([0xA; 32]) && requested == Hash([0xB; 32])),
        "{g:?}"
    );
    assert!(matches!(
        guard_refusal(c.sign_vote(CHAIN, &vote(VoteKind::Prevote, 5, 1, 0))),
        GuardRefusal::DoubleSign { .. }
    ));
    // Lower: an earlier round, an earlier height, an earlier step (a proposal after the prevote).
    for lower in [vote(VoteKind::Precommit, 5, 0, 0xA), vote(VoteKind::Precommit, 4, 9, 0xA)] {
        assert!(matches!(guard_refusal(c.sign_vote(CHAIN, &lower)), GuardRefusal::Regression { .. }));
    }
    let p = ProposalData { height: 5, round: 1, pol_round: None, value_id: Hash([0xA; 32]) };
    assert!(matches!(guard_refusal(c.sign_proposal(CHAIN, &p)), GuardRefusal::Regression { .. }));
    // Another block later in the same round (tmkms's rule), and nil there is fine.
    assert!(matches!(
        guard_refusal(c.sign_vote(CHAIN, &vote(VoteKind::Precommit, 5, 1, 0xB))),
        GuardRefusal::DoubleSign { .. }
    ));
    // Another chain.
    assert!(matches!(
        c.sign_vote("other-chain", &vote(VoteKind::Precommit, 9, 0, 1)),
        Err(RemoteSignerError::Refused(Refusal::WrongChain { .. }))
    ));
    assert_eq!(signer.stats().refused.load(Ordering::SeqCst), 7);
    assert_eq!(signer.stats().signed.load(Ordering::SeqCst), 1);
    let log = s.security_log();
    assert_eq!(log.matches("\"kind\":\"double_sign_refused\"").count(), 3, "{log}");
    assert_eq!(log.matches("\"kind\":\"regression_refused\"").count(), 3, "{log}");
    assert_eq!(log.matches("\"kind\":\"wrong_chain_refused\"").count(), 1, "{log}");

    // Restart on the same port: the client reconnects by itself, and the guard is the one on disk.
    signer.stop();
    let signer = s.start(&addr);
    assert!(matches!(
        guard_refusal(c.sign_vote(CHAIN, &vote(VoteKind::Prevote, 5, 1, 0xB))),
        GuardRefusal::DoubleSign { .. }
    ));
    assert!(matches!(
        guard_refusal(c.sign_vote(CHAIN, &vote(VoteKind::Prevote, 4, 0, 0xB))),
        GuardRefusal::Regression { .. }
    ));
    // The same request again is the same signature (nothing new is persisted).
    assert_eq!(c.sign_vote(CHAIN, &a).unwrap(), sig_a);
    // And the round goes on.
    c.sign_vote(CHAIN, &vote(VoteKind::Precommit, 5, 1, 0xA)).unwrap();
    signer.stop();
}

#[test]
fn a_corrupt_or_missing_state_file_stops_the_signer() {
    let s = Setup::new();
    let state = s.dir.join("state.json");
    std::fs::write(&state, b"{\"chain_id\": \"tamga-test\", \"last\": {\"height\": 1").unwrap();
    let e = RunningSigner::start(&s.config("127.0.0.1:0")).unwrap_err();
    assert!(matches!(e, StartError::State(_)), "{e}");
    let msg = e.to_string();
    assert!(
        msg.starts_with("state_file:") && msg.contains(&state.display().to_string()) && msg.contains("corrupt"),
        "{msg}"
    );

    std::fs::remove_file(&state).unwrap();
    let e = RunningSigner::start(&s.config("127.0.0.1:0")).unwrap_err().to_string();
    assert!(e.contains("does not exist") && e.contains("tamga-signer init"), "{e}");

    // Another chain's state file.
    Guard::init(&state, "another-chain").unwrap();
    let e = RunningSigner::start(&s.config("127.0.0.1:0")).unwrap_err().to_string();
    assert!(e.contains("another-chain") && e.contains(CHAIN), "{e}");
}

#[test]
fn an_unpinned_key_on_either_side_fails_the_handshake() {
    let s = Setup::new();
    let signer = s.start("127.0.0.1:0");
    let addr = signer.local_addr().to_string();
    let v = vote(VoteKind::Prevote, 1, 0, 1);

    // A validator key the signer does not list.
    let stranger = s.client_with(&addr, IdentityKey::generate(), s.signer_id.public());
    assert!(matches!(stranger.sign_vote(CHAIN, &v), Err(RemoteSignerError::Handshake { .. })));
    assert!(wait_for(|| signer.stats().handshakes_refused.load(Ordering::SeqCst) == 1));
    assert!(wait_for(|| s.security_log().contains("\"kind\":\"handshake_refused\"")));

    // The validator pins another signer key: it stops before revealing its own.
    let wrong_pin = s.client_with(&addr, s.validator_id.clone(), IdentityKey::generate().public());
    match wrong_pin.sign_vote(CHAIN, &v) {
        Err(RemoteSignerError::Handshake { source: TransportError::UnpinnedPeer { got, .. }, .. }) => {
            assert_eq!(got, s.signer_id.public())
        }
        other => panic!("expected an unpinned signer key, got {other:?}"),
    }
    assert_eq!(signer.stats().signed.load(Ordering::SeqCst), 0);
    // The right pair still works.
    s.client(&addr).sign_vote(CHAIN, &v).unwrap();
    signer.stop();
}

#[test]
fn an_unreachable_or_silent_signer_is_a_clear_error_within_the_timeout() {
    let s = Setup::new();
    // Nothing listens on a port just freed.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let c = s.client(&format!("127.0.0.1:{port}"));
    let t = Instant::now();
    let e = c.sign_vote(CHAIN, &vote(VoteKind::Prevote, 1, 0, 1)).unwrap_err();
    assert!(matches!(e, RemoteSignerError::Unreachable { .. }) && e.is_transient(), "{e}");
    assert!(e.to_string().contains(&format!("127.0.0.1:{port} unreachable")), "{e}");
    assert!(t.elapsed() < Duration::from_secs(2));

    // A socket that accepts and never speaks: the handshake times out.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let c = s.client(&silent.local_addr().unwrap().to_string());
    let t = Instant::now();
    let e = c.sign_vote(CHAIN, &vote(VoteKind::Prevote, 1, 0, 1)).unwrap_err();
    assert!(matches!(e, RemoteSignerError::Handshake { .. }), "{e}");
    let took = t.elapsed();
    assert!(took >= Duration::from_millis(1_400) && took < Duration::from_millis(3_500), "{took:?}");
}

#[test]
fn an_oversized_frame_closes_the_connection_and_the_signer_goes_on() {
    let s = Setup::new();
    let signer = s.start("127.0.0.1:0");
    let addr = signer.local_addr();
    let mut raw = TcpStream::connect(addr).unwrap();
    raw.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    raw.write_all(&1_000_000u32.to_be_bytes()).unwrap();
    let mut buf = [0u8; 16];
    // Closed without an answer (EOF or reset), and nothing was allocated for it.
    assert!(matches!(raw.read(&mut buf), Ok(0) | Err(_)));
    assert!(wait_for(|| signer.stats().bad_frames.load(Ordering::SeqCst) == 1));
    s.client(&addr.to_string()).sign_vote(CHAIN, &vote(VoteKind::Prevote, 1, 0, 1)).unwrap();
    signer.stop();
}

#[test]
fn connections_beyond_the_limit_are_closed() {
    let s = Setup::new();
    let cfg = SignerConfig::parse(&s.config_text("127.0.0.1:0", "max_connections = 1\n"), &s.dir).unwrap();
    let signer = RunningSigner::start(&cfg).unwrap();
    let addr = signer.local_addr().to_string();
    let c = s.client(&addr);
    c.sign_vote(CHAIN, &vote(VoteKind::Prevote, 1, 0, 1)).unwrap();
    // The first client's channel stays open: a second one is refused.
    let e = s.client(&addr).sign_vote(CHAIN, &vote(VoteKind::Prevote, 1, 0, 1)).unwrap_err();
    assert!(matches!(e, RemoteSignerError::Handshake { .. }), "{e}");
    assert_eq!(signer.stats().connections_refused.load(Ordering::SeqCst), 1);
    signer.stop();
}

#[test]
fn bad_settings_are_named() {
    let s = Setup::new();
    let cases = [
        (s.config_text("127.0.0.1:0", "max_frame_bytes = 10\n"), "limits.max_frame_bytes", "10"),
        (s.config_text("127.0.0.1:0", "max_connections = 0\n"), "limits.max_connections", "0"),
        (s.config_text("nowhere", ""), "listen", "nowhere"),
        (
            s.config_text("127.0.0.1:0", "").replace(&s.validator_id.public().to_string(), "abcd"),
            "allowed_validators",
            "abcd",
        ),
    ];
    for (text, setting, got) in cases {
        match SignerConfig::parse(&text, &s.dir) {
            Err(e @ ConfigError::Invalid { .. }) => {
                let m = e.to_string();
                assert!(m.contains(setting) && m.contains(got), "{m}");
            }
            other => panic!("{setting}: expected an invalid setting, got {other:?}"),
        }
    }
    let e = SignerConfig::parse(&s.config_text("127.0.0.1:0", "max_frames = 1\n"), &s.dir).unwrap_err();
    assert!(e.to_string().contains("max_frames"), "{e}");
    // A world-readable consensus key is refused at start, naming [key].
    let key = s.dir.join("consensus.key");
    std::fs::set_permissions(&key, <std::fs::Permissions as std::os::unix::fs::PermissionsExt>::from_mode(0o644))
        .unwrap();
    let e = RunningSigner::start(&s.config("127.0.0.1:0")).unwrap_err().to_string();
    assert!(e.starts_with("key:") && e.contains("chmod 600"), "{e}");
}

// ---- the real binary ----

fn signer_bin() -> PathBuf {
    std::env::var_os("TAMGA_SIGNER_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_tamga-signer")))
}

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn run(args: &[&str], dir: &Path) -> std::process::Output {
    Command::new(signer_bin()).args(args).current_dir(dir).output().expect("run tamga-signer")
}

fn spawn(config: &Path) -> Killed {
    Killed(
        Command::new(signer_bin())
            .arg("start")
            .arg("--config")
            .arg(config)
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn tamga-signer"),
    )
}

#[test]
fn the_binary_starts_stops_and_restarts_with_its_guard() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = run(&["keygen-identity", "--out", "signer-identity.key"], d);
    assert!(out.status.success(), "{out:?}");
    let signer_pub: IdentityPublic = String::from_utf8(out.stdout).unwrap().trim().parse().unwrap();
    let out = run(&["keygen-consensus", "--out", "consensus.key"], d);
    assert!(out.status.success(), "{out:?}");
    let consensus = tamga_node::home::read_key(&d.join("consensus.key")).unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap().trim(), consensus.public().to_string());
    // Never overwrites a key.
    assert!(!run(&["keygen-consensus", "--out", "consensus.key"], d).status.success());

    let validator = IdentityKey::generate();
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let config = d.join("signer.toml");
    std::fs::write(
        &config,
        format!(
            "chain_id = \"{CHAIN}\"\nlisten = \"127.0.0.1:{port}\"\nidentity_key_file = \"signer-identity.key\"\n\
             state_file = \"state.json\"\nallowed_validators = [\"{}\"]\n[key]\nkind = \"file\"\npath = \"consensus.key\"\n",
            validator.public()
        ),
    )
    .unwrap();
    let cfg = config.to_str().unwrap();
    // No state file yet: `start` refuses; `init` creates it once.
    let out = run(&["start", "--config", cfg], d);
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("state.json"), "{out:?}");
    assert!(run(&["init", "--config", cfg], d).status.success());
    assert!(!run(&["init", "--config", cfg], d).status.success(), "init must not overwrite the guard");

    let client = RemoteSigner::new(RemoteSignerConfig {
        addr: format!("127.0.0.1:{port}"),
        identity: validator,
        signer_identity: signer_pub,
        consensus_key: consensus.public(),
        connect_timeout: Duration::from_millis(1_000),
        request_timeout: Duration::from_millis(2_000),
        max_frame_bytes: 4096,
    });
    let mut proc = spawn(&config);
    let v = vote(VoteKind::Prevote, 10, 0, 1);
    assert!(wait_for(|| client.sign_vote(CHAIN, &v).is_ok()), "the started signer never answered");

    // Stopped: the validator gets a transient error within its timeout.
    proc.0.kill().unwrap();
    proc.0.wait().unwrap();
    let t = Instant::now();
    let e = client.sign_vote(CHAIN, &vote(VoteKind::Precommit, 10, 0, 1)).unwrap_err();
    assert!(e.is_transient(), "{e}");
    assert!(t.elapsed() < Duration::from_secs(5));

    // Restarted: signs again over a new channel, and the guard survived.
    let _proc = spawn(&config);
    let next = vote(VoteKind::Precommit, 10, 0, 1);
    assert!(wait_for(|| client.sign_vote(CHAIN, &next).is_ok()), "the restarted signer never answered");
    assert!(matches!(
        guard_refusal(client.sign_vote(CHAIN, &vote(VoteKind::Precommit, 10, 0, 2))),
        GuardRefusal::DoubleSign { .. }
    ));

    // A corrupt state file: the binary exits with an error naming it.
    drop(_proc);
    std::fs::write(d.join("state.json"), b"not json").unwrap();
    let out = run(&["start", "--config", cfg], d);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("state.json") && err.contains("corrupt"), "{err}");
}
