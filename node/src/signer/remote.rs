//! `kind = "remote"`: the consensus key is held by `tamga-signer`, reached
//! over a Noise XX channel with pinned static keys
//! ([`crate::remote_signer::client`]).
//!
//! The validator's own safety state is still persisted before a vote leaves
//! (SPEC §9); the signer's guard is a second, independent line that refuses
//! a request conflicting with what it already signed, even if the
//! validator's safety state was lost or rolled back.
//!
//! A signer that is down costs the validator its steps, never the driver's
//! time: after a failed connection no new attempt is made until a back-off
//! (doubling from `RECONNECT_FIRST` up to `reconnect_max_ms`) has passed;
//! the requests in between fail at once as [`SignError::Unavailable`].

use std::sync::Mutex;
use std::time::{Duration, Instant};

use tamga_types::{ConsensusSigner, ProposalData, PublicKey, SignError, SignStep, Signature, VoteData};

use crate::remote_signer::{Refusal, RemoteSigner, RemoteSignerConfig, RemoteSignerError};

/// The first wait after a failed connection; it doubles up to the configured maximum.
pub const RECONNECT_FIRST: Duration = Duration::from_millis(100);

/// Largest frame accepted from the signer, bytes (an answer is under 100).
pub const MAX_FRAME_BYTES: usize = 4_096;

const NAME: &str = "remote";

/// A [`ConsensusSigner`] backed by `tamga-signer`.
#[derive(Debug)]
pub struct RemoteConsensusSigner {
    client: RemoteSigner,
    addr: String,
    reconnect_max: Duration,
    backoff: Mutex<Backoff>,
}

#[derive(Debug, Default)]
struct Backoff {
    /// No connection attempt before this instant.
    until: Option<Instant>,
    /// The current wait (zero: the last request succeeded).
    wait: Duration,
}

impl RemoteConsensusSigner {
    /// A signer that connects at its first request (so the node may start
    /// before `tamga-signer`).
    pub fn new(cfg: RemoteSignerConfig, reconnect_max: Duration) -> RemoteConsensusSigner {
        let addr = cfg.addr.clone();
        RemoteConsensusSigner { client: RemoteSigner::new(cfg), addr, reconnect_max, backoff: Mutex::default() }
    }

    fn guarded(
        &self,
        height: u64,
        round: u32,
        step: SignStep,
        call: impl FnOnce() -> Result<Signature, RemoteSignerError>,
    ) -> Result<Signature, SignError> {
        {
            let b = self.backoff.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(until) = b.until {
                let now = Instant::now();
                if now < until {
                    return Err(SignError::Unavailable {
                        signer: NAME,
                        detail: format!(
                            "signer.addr {}: not reachable at the last attempt; next attempt in {} ms",
                            self.addr,
                            (until - now).as_millis()
                        ),
                    });
                }
            }
        }
        let result = call();
        let mut b = self.backoff.lock().unwrap_or_else(|p| p.into_inner());
        match &result {
            Err(e) if e.is_transient() || matches!(e, RemoteSignerError::Handshake { .. }) => {
                b.wait = if b.wait.is_zero() { RECONNECT_FIRST } else { (b.wait * 2).min(self.reconnect_max) };
                b.until = Some(Instant::now() + b.wait);
            }
            _ => *b = Backoff::default(),
        }
        drop(b);
        result.map_err(|e| sign_error(&e, height, round, step))
    }
}

/// The setting an operator should look at for each failure, and the
/// engine's view of it.
fn sign_error(e: &RemoteSignerError, height: u64, round: u32, step: SignStep) -> SignError {
    match e {
        RemoteSignerError::Refused(Refusal::Guard(g)) => {
            SignError::Refused { signer: NAME, height, round, step, detail: g.to_string() }
        }
        RemoteSignerError::Refused(r) => SignError::Other { signer: NAME, detail: format!("signer refused: {r}") },
        RemoteSignerError::Address { .. } | RemoteSignerError::Unreachable { .. } => {
            SignError::Unavailable { signer: NAME, detail: format!("signer.addr: {e}") }
        }
        RemoteSignerError::Handshake { .. } => SignError::Unavailable {
            signer: NAME,
            detail: format!("signer.signer_identity / signer.identity_key_file (pinned keys): {e}"),
        },
        RemoteSignerError::Channel { .. } => SignError::Unavailable { signer: NAME, detail: e.to_string() },
        RemoteSignerError::KeyMismatch { .. } => {
            SignError::Other { signer: NAME, detail: format!("signer.public_key: {e}") }
        }
        RemoteSignerError::BadSignature { key } => SignError::BadSignature { signer: NAME, key: *key },
        RemoteSignerError::Protocol { .. } => SignError::Other { signer: NAME, detail: e.to_string() },
    }
}

impl ConsensusSigner for RemoteConsensusSigner {
    fn public_key(&self) -> PublicKey {
        self.client.public_key()
    }

    fn sign_vote(&self, chain_id: &str, data: &VoteData) -> Result<Signature, SignError> {
        self.guarded(data.height, data.round, data.kind.into(), || self.client.sign_vote(chain_id, data))
    }

    fn sign_proposal(&self, chain_id: &str, data: &ProposalData) -> Result<Signature, SignError> {
        self.guarded(data.height, data.round, SignStep::Proposal, || self.client.sign_proposal(chain_id, data))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::path::Path;

    use tamga_types::{Hash, SigningKey, VoteKind};

    use super::*;
    use crate::config::ConfigError;
    use crate::remote_signer::guard::Guard;
    use crate::remote_signer::{IdentityKey, RunningSigner, SignerConfig as ServerConfig};
    use crate::signer::{SignerConfig, SignerKind, SignerSetupError};

    const CHAIN: &str = "remote-unit";

    struct Setup {
        dir: tempfile::TempDir,
        consensus: SigningKey,
        signer_id: IdentityKey,
        node_id: IdentityKey,
    }

    impl Setup {
        fn new() -> Setup {
            let dir = tempfile::tempdir().unwrap();
            let consensus = SigningKey::from_seed([5; 32]);
            crate::home::write_key(&dir.path().join("consensus.key"), &consensus).unwrap();
            let signer_id = IdentityKey::generate();
            signer_id.write(&dir.path().join("signer-identity.key")).unwrap();
            let node_id = IdentityKey::generate();
            node_id.write(&dir.path().join("node-identity.key")).unwrap();
            Guard::init(&dir.path().join("state.json"), CHAIN).unwrap();
            Setup { dir, consensus, signer_id, node_id }
        }

        fn start(&self, listen: &str) -> RunningSigner {
            let text = format!(
                "chain_id = \"{CHAIN}\"\nlisten = \"{listen}\"\nidentity_key_file = \"signer-identity.key\"\n\
                 state_file = \"state.json\"\nallowed_validators = [\"{}\"]\n[key]\nkind = \"file\"\n\
                 path = \"consensus.key\"\n",
                self.node_id.public()
            );
            RunningSigner::start(&ServerConfig::parse(&text, self.dir.path()).unwrap()).unwrap()
        }

        fn config(&self, addr: &str) -> SignerConfig {
            SignerConfig {
                kind: SignerKind::Remote,
                addr: addr.into(),
                signer_identity: self.signer_id.public().to_string(),
                identity_key_file: "node-identity.key".into(),
                public_key: self.consensus.public().to_hex(),
                connect_timeout_ms: 500,
                request_timeout_ms: 1_000,
                reconnect_max_ms: 400,
                ..SignerConfig::default()
            }
        }

        fn home(&self) -> &Path {
            self.dir.path()
        }
    }

    fn invalid(c: &SignerConfig) -> (&'static str, &'static str, String) {
        match c.validate() {
            Err(ConfigError::Invalid { field, problem, got }) => (field, problem, got),
            other => panic!("expected an invalid field, got {other:?}"),
        }
    }

    fn vote(height: u64, round: u32, kind: VoteKind, b: u8) -> VoteData {
        VoteData { kind, height, round, block_hash: Hash([b; 32]) }
    }

    #[test]
    fn remote_settings_are_validated_naming_the_field() {
        let s = Setup::new();
        let good = s.config("127.0.0.1:26659");
        good.validate().unwrap();
        let missing = SignerConfig { kind: SignerKind::Remote, ..SignerConfig::default() };
        let (field, problem, got) = invalid(&missing);
        assert_eq!((field, got.as_str()), ("signer.addr", "\"\""));
        assert!(problem.contains("host:port"), "{problem}");
        for (bad, field, got) in [
            (SignerConfig { addr: "signer.example".into(), ..good.clone() }, "signer.addr", "\"signer.example\""),
            (SignerConfig { addr: "h:0".into(), ..good.clone() }, "signer.addr", "\"h:0\""),
            (SignerConfig { addr: ":26659".into(), ..good.clone() }, "signer.addr", "\":26659\""),
            (SignerConfig { signer_identity: "abcd".into(), ..good.clone() }, "signer.signer_identity", "\"abcd\""),
            (SignerConfig { signer_identity: String::new(), ..good.clone() }, "signer.signer_identity", "\"\""),
            (SignerConfig { identity_key_file: String::new(), ..good.clone() }, "signer.identity_key_file", ""),
            (SignerConfig { public_key: "zz".into(), ..good.clone() }, "signer.public_key", "\"zz\""),
            (SignerConfig { connect_timeout_ms: 0, ..good.clone() }, "signer.connect_timeout_ms", "0"),
            (SignerConfig { request_timeout_ms: 60_001, ..good.clone() }, "signer.request_timeout_ms", "60001"),
            (SignerConfig { reconnect_max_ms: 99, ..good.clone() }, "signer.reconnect_max_ms", "99"),
        ] {
            let (f, problem, g) = invalid(&bad);
            assert_eq!((f, g.as_str()), (field, got), "{problem}");
            let msg = bad.validate().unwrap_err().to_string();
            assert!(msg.contains(field) && msg.contains(problem), "{msg}");
        }
        // Through the config file: an unknown kind or field is refused by name.
        let e = toml::from_str::<crate::config::Config>("[signer]\nkind = \"remote\"\nadress = \"x:1\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("adress"), "{e}");
        // The documented config round-trips the remote settings.
        let all = crate::config::Config { signer: good.clone(), ..Default::default() };
        let back: crate::config::Config = toml::from_str(&all.to_documented_toml()).unwrap();
        assert_eq!(back.signer, good);
        // A node key file that is missing names its setting.
        let e = SignerConfig { identity_key_file: "nope.key".into(), ..good }.open(s.home()).unwrap_err();
        assert!(matches!(e, SignerSetupError::IdentityKeyFile(_)), "{e:?}");
        assert!(e.to_string().starts_with("signer.identity_key_file: "), "{e}");
    }

    #[test]
    fn signs_through_tamga_signer_and_maps_a_guard_refusal() {
        let s = Setup::new();
        let running = s.start("127.0.0.1:0");
        let signer = s.config(&running.local_addr().to_string()).open(s.home()).unwrap();
        assert_eq!(signer.public_key(), s.consensus.public());
        let v = vote(4, 0, VoteKind::Prevote, 1);
        let sig = signer.sign_vote(CHAIN, &v).unwrap();
        s.consensus.public().verify(&v.signing_message(CHAIN), &sig).unwrap();
        let p = ProposalData { height: 5, round: 0, pol_round: None, value_id: Hash([2; 32]) };
        signer.sign_proposal(CHAIN, &p).unwrap();
        // A rolled-back validator asking for height 4 again: the guard refuses.
        let e = signer.sign_vote(CHAIN, &vote(4, 0, VoteKind::Prevote, 3)).unwrap_err();
        match &e {
            SignError::Refused { signer: "remote", height: 4, round: 0, step: SignStep::Prevote, detail } => {
                assert!(detail.contains("regression"), "{detail}")
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        // Another proposal at the same position: a double sign, refused.
        let p2 = ProposalData { value_id: Hash([9; 32]), ..p };
        assert!(matches!(signer.sign_proposal(CHAIN, &p2), Err(SignError::Refused { .. })));
        // A refusal is no reason to back off: the next request is served.
        signer.sign_vote(CHAIN, &vote(5, 0, VoteKind::Prevote, 2)).unwrap();
        running.stop();
    }

    #[test]
    fn unreachable_signer_fails_fast_backs_off_and_comes_back() {
        let s = Setup::new();
        // A port nothing listens on (taken and released).
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let addr = format!("127.0.0.1:{port}");
        let signer = s.config(&addr).open(s.home()).unwrap();
        let e = signer.sign_vote(CHAIN, &vote(1, 0, VoteKind::Prevote, 1)).unwrap_err();
        assert!(
            matches!(&e, SignError::Unavailable { signer: "remote", detail } if detail.starts_with("signer.addr: ")),
            "{e:?}"
        );
        // Within the back-off no connection is tried: the answer is immediate.
        let t = Instant::now();
        let e = signer.sign_vote(CHAIN, &vote(1, 0, VoteKind::Prevote, 1)).unwrap_err();
        assert!(e.to_string().contains("next attempt in"), "{e}");
        assert!(t.elapsed() < Duration::from_millis(50));
        // The signer comes up on that port: once the back-off has passed, it signs.
        let running = s.start(&addr);
        let deadline = Instant::now() + Duration::from_secs(5);
        let sig = loop {
            match signer.sign_vote(CHAIN, &vote(1, 0, VoteKind::Prevote, 1)) {
                Ok(sig) => break sig,
                Err(e) if Instant::now() < deadline => {
                    assert!(matches!(e, SignError::Unavailable { .. }), "{e:?}");
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(e) => panic!("the signer did not come back: {e}"),
            }
        };
        s.consensus.public().verify(&vote(1, 0, VoteKind::Prevote, 1).signing_message(CHAIN), &sig).unwrap();
        running.stop();
    }

    #[test]
    fn wrong_pinned_key_names_the_setting() {
        let s = Setup::new();
        let running = s.start("127.0.0.1:0");
        let cfg = SignerConfig {
            signer_identity: IdentityKey::generate().public().to_string(),
            ..s.config(&running.local_addr().to_string())
        };
        let e = cfg.open(s.home()).unwrap().sign_vote(CHAIN, &vote(1, 0, VoteKind::Prevote, 1)).unwrap_err();
        assert!(
            matches!(&e, SignError::Unavailable { detail, .. } if detail.starts_with("signer.signer_identity")),
            "{e:?}"
        );
        // A signer holding another consensus key: named as signer.public_key.
        let cfg = SignerConfig {
            public_key: SigningKey::from_seed([6; 32]).public().to_hex(),
            ..s.config(&running.local_addr().to_string())
        };
        let e = cfg.open(s.home()).unwrap().sign_vote(CHAIN, &vote(1, 0, VoteKind::Prevote, 1)).unwrap_err();
        assert!(matches!(&e, SignError::Other { detail, .. } if detail.starts_with("signer.public_key")), "{e:?}");
        running.stop();
    }
}
