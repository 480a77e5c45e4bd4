//! The signers against a real PKCS#11 module: SoftHSM2 with a throwaway
//! token directory (`SOFTHSM2_CONF`). The key is generated on the token
//! through PKCS#11 (`CKM_EC_EDWARDS_KEY_PAIR_GEN`, non-extractable), as an
//! operator would with a real HSM: nothing but the module is needed.
//! Without SoftHSM2 installed (`scripts/prereqs.sh` installs it) these tests fail.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use cryptoki::mechanism::Mechanism;
use cryptoki::object::Attribute;
use cryptoki::session::UserType;
use cryptoki::types::AuthPin;
use tamga_types::{ConsensusSigner, Hash, ProposalData, SigningKey, Vote, VoteData, VoteKind};

use super::*;

pub(crate) const PIN: &str = "31415926";
const TOKEN: &str = "tamga-unit";
/// A second token that only the wrong-PIN case logs into: PKCS#11 login state
/// is per token and process, so a token another test is logged into would
/// answer `CKR_USER_ALREADY_LOGGED_IN` instead of checking the PIN.
const TOKEN_B: &str = "tamga-unit-b";
const KEY: &str = "consensus";

/// The SoftHSM2 module, where Debian installs it.
pub(crate) fn softhsm_module() -> PathBuf {
    let candidates = [
        "/usr/lib/softhsm/libsofthsm2.so",
        "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
        "/usr/local/lib/softhsm/libsofthsm2.so",
    ];
    candidates.iter().map(PathBuf::from).find(|p| p.is_file()).expect("SoftHSM2 is installed (scripts/prereqs.sh)")
}

/// One token directory for this test process, set up before any test loads
/// the module (SoftHSM2 reads `SOFTHSM2_CONF` when it is initialised).
fn token_dir() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let tokens = dir.path().join("tokens");
        std::fs::create_dir(&tokens).unwrap();
        let conf = dir.path().join("softhsm2.conf");
        std::fs::write(
            &conf,
            format!("directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n", tokens.display()),
        )
        .unwrap();
        std::env::set_var("SOFTHSM2_CONF", &conf);
        for token in [TOKEN, TOKEN_B] {
            let out = std::process::Command::new("softhsm2-util")
                .args(["--init-token", "--free", "--label", token, "--pin", PIN, "--so-pin", "27182818"])
                .output()
                .expect("softhsm2-util runs (scripts/prereqs.sh installs softhsm2)");
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        }
        generate_key(&softhsm_module(), TOKEN, KEY);
        generate_key(&softhsm_module(), TOKEN_B, KEY);
        dir
    })
    .path()
}

/// Generates a non-extractable Ed25519 key pair labelled `label` on the token.
fn generate_key(module: &Path, token: &str, label: &str) {
    let ctx = pkcs11::tests_context(module);
    let slot = *ctx
        .get_slots_with_token()
        .unwrap()
        .iter()
        .find(|s| ctx.get_token_info(**s).unwrap().label().trim_end() == token)
        .unwrap();
    let session = ctx.open_rw_session(slot).unwrap();
    session.login(UserType::User, Some(&AuthPin::new(PIN.into()))).unwrap();
    // The DER OID of Ed25519 (RFC 8410): 1.3.101.112.
    let ed25519 = vec![0x06, 0x03, 0x2b, 0x65, 0x70];
    let l = label.as_bytes().to_vec();
    session
        .generate_key_pair(
            &Mechanism::EccEdwardsKeyPairGen,
            &[
                Attribute::Token(true),
                Attribute::Verify(true),
                Attribute::EcParams(ed25519),
                Attribute::Label(l.clone()),
            ],
            &[
                Attribute::Token(true),
                Attribute::Private(true),
                Attribute::Sensitive(true),
                Attribute::Extractable(false),
                Attribute::Sign(true),
                Attribute::Label(l),
            ],
        )
        .unwrap();
    session.logout().unwrap();
}

fn settings(pin_file: &Path) -> Pkcs11Settings {
    token_dir();
    Pkcs11Settings {
        module: softhsm_module(),
        token: pkcs11::TokenRef::Label(TOKEN.into()),
        key_label: KEY.into(),
        pin: PinSource::File(pin_file.to_path_buf()),
    }
}

fn pin_file(dir: &Path, pin: &str) -> PathBuf {
    let p = dir.join("pin");
    crate::home::write_atomic(&p, pin.as_bytes(), 0o600).unwrap();
    p
}

#[test]
fn pkcs11_signer_signs_a_vote_and_a_proposal_that_verify() {
    let dir = tempfile::tempdir().unwrap();
    let signer = Pkcs11Signer::open(&settings(&pin_file(dir.path(), PIN))).unwrap();
    let data = VoteData { kind: VoteKind::Precommit, height: 7, round: 2, block_hash: Hash([5; 32]) };
    let vote = Vote::sign_with(&signer, "tamga-test", data).unwrap();
    assert_eq!(vote.validator, signer.public_key());
    vote.verify("tamga-test").unwrap();
    assert!(vote.verify("another-chain").is_err());
    let p = ProposalData { height: 7, round: 2, pol_round: Some(1), value_id: Hash([6; 32]) };
    let sig = signer.sign_proposal("tamga-test", &p).unwrap();
    signer.public_key().verify(&p.signing_message("tamga-test"), &sig).unwrap();
    // The same key, found by slot id instead of label.
    let mut by_slot = settings(&pin_file(dir.path(), PIN));
    let ctx = pkcs11::tests_context(&softhsm_module());
    let slot = ctx
        .get_slots_with_token()
        .unwrap()
        .into_iter()
        .find(|s| ctx.get_token_info(*s).unwrap().label().trim_end() == TOKEN)
        .unwrap();
    by_slot.token = pkcs11::TokenRef::Slot(slot.id());
    assert_eq!(Pkcs11Signer::open(&by_slot).unwrap().public_key(), signer.public_key());
}

#[test]
fn pkcs11_errors_name_the_setting() {
    let dir = tempfile::tempdir().unwrap();
    let good = settings(&pin_file(dir.path(), PIN));
    let err = |s: &Pkcs11Settings| Pkcs11Signer::open(s).unwrap_err().to_string();

    let wrong = tempfile::tempdir().unwrap();
    let mut s = good.clone();
    s.token = pkcs11::TokenRef::Label(TOKEN_B.into());
    s.pin = PinSource::File(pin_file(wrong.path(), "00000000"));
    let e = err(&s);
    assert!(e.starts_with("signer.pin_file: the token refused the user PIN"), "{e}");

    let mut s = good.clone();
    s.key_label = "no-such-key".into();
    let e = err(&s);
    assert!(e.starts_with("signer.key_label: no private key labelled \"no-such-key\""), "{e}");

    let mut s = good.clone();
    s.token = pkcs11::TokenRef::Label("no-such-token".into());
    let e = err(&s);
    assert!(e.starts_with("signer.token_label: no token labelled \"no-such-token\""), "{e}");
    assert!(e.contains(TOKEN), "lists the tokens present: {e}");

    let mut s = good.clone();
    s.token = pkcs11::TokenRef::Slot(4_000_000_000);
    let e = err(&s);
    assert!(e.starts_with("signer.slot: no token in slot 4000000000"), "{e}");

    let mut s = good.clone();
    s.module = dir.path().join("libmissing.so");
    let e = err(&s);
    assert!(e.starts_with("signer.module: no PKCS#11 module at"), "{e}");

    let mut s = good.clone();
    s.module = pin_file(dir.path(), "not a library");
    let e = err(&s);
    assert!(e.starts_with("signer.module: cannot load the PKCS#11 module"), "{e}");

    let mut s = good.clone();
    s.pin = PinSource::Env("TAMGA_TEST_PIN_SURELY_UNSET".into());
    assert!(err(&s).starts_with("signer.pin_env: the environment variable TAMGA_TEST_PIN_SURELY_UNSET"));

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let loose = tempfile::tempdir().unwrap();
        let p = pin_file(loose.path(), PIN);
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        let mut s = good.clone();
        s.pin = PinSource::File(p);
        let e = err(&s);
        assert!(e.starts_with("signer.pin_file:") && e.contains("644"), "{e}");
    }
}

#[test]
fn file_signer_refuses_a_key_others_may_read() {
    let dir = tempfile::tempdir().unwrap();
    let key = SigningKey::from_seed([3; 32]);
    crate::home::write_key(&dir.path().join("node.key"), &key).unwrap();
    let cfg = SignerConfig::default();
    assert_eq!(cfg.open(dir.path()).unwrap().public_key(), key.public());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.path().join("node.key"), std::fs::Permissions::from_mode(0o640)).unwrap();
        let e = cfg.open(dir.path()).unwrap_err().to_string();
        assert!(e.starts_with("signer.key_file: key file") && e.contains("mode 640"), "{e}");
    }
}

#[test]
fn signer_section_is_validated_and_roundtrips() {
    let mut c = SignerConfig { kind: SignerKind::Pkcs11, ..SignerConfig::default() };
    assert!(c.validate().unwrap_err().to_string().contains("signer.module"));
    c.module = "/usr/lib/softhsm/libsofthsm2.so".into();
    assert!(c.validate().unwrap_err().to_string().contains("signer.slot"));
    c.slot = Some(3);
    c.token_label = "t".into();
    assert!(c.validate().unwrap_err().to_string().contains("not both"));
    c.token_label.clear();
    assert!(c.validate().unwrap_err().to_string().contains("signer.key_label"));
    c.key_label = "k".into();
    assert!(c.validate().unwrap_err().to_string().contains("signer.pin_file"));
    c.pin_env = "PIN".into();
    c.validate().unwrap();
    let all = crate::config::Config { signer: c.clone(), ..Default::default() };
    let back: crate::config::Config = toml::from_str(&all.to_documented_toml()).unwrap();
    assert_eq!(back.signer, c);
    let e = toml::from_str::<crate::config::Config>("[signer]\nkind = \"hsm\"\n").unwrap_err().to_string();
    assert!(e.contains("kind"), "{e}");
}
