//! Validators whose consensus key sits in a hardware security module: four
//! validators, two of which sign every proposal and vote through PKCS#11 on
//! SoftHSM2 tokens (`[signer] kind = "pkcs11"`), committing under load.
//! Needs SoftHSM2 (`scripts/prereqs.sh` installs it).

use std::path::{Path, PathBuf};
use std::time::Duration;

use cryptoki::context::{CInitializeArgs, Pkcs11};
use cryptoki::object::{Attribute, KeyType, ObjectClass};
use cryptoki::session::UserType;
use cryptoki::types::AuthPin;
use tamga_client::BlockAt;
use tamga_tests::{say, Net};
use tamga_types::SigningKey;

use crate::common::{assert_clean, four, load, run_for};

const PIN: &str = "27182818";
const KEY_LABEL: &str = "consensus";

pub(crate) fn softhsm_module() -> PathBuf {
    ["/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .expect("SoftHSM2 is installed (scripts/prereqs.sh)")
}

/// A token directory of its own under `dir`, named by `SOFTHSM2_CONF` for
/// this process and the nodes it starts.
pub(crate) fn softhsm_conf(dir: &Path) -> PathBuf {
    let tokens = dir.join("softhsm-tokens");
    std::fs::create_dir_all(&tokens).unwrap();
    let conf = dir.join("softhsm2.conf");
    std::fs::write(&conf, format!("directories.tokendir = {}\nobjectstore.backend = file\n", tokens.display()))
        .unwrap();
    conf
}

/// Creates token `label` and imports `key` into it as an Ed25519 key pair
/// (`CKK_EC_EDWARDS`, RFC 8410 OID), non-extractable from then on: the
/// validator keeps its genesis key, which now signs only inside the token.
pub(crate) fn import_key(module: &Path, conf: &Path, token: &str, key: &SigningKey) {
    let out = std::process::Command::new("softhsm2-util")
        .env("SOFTHSM2_CONF", conf)
        .args(["--init-token", "--free", "--label", token, "--pin", PIN, "--so-pin", "11235813"])
        .output()
        .expect("softhsm2-util runs");
    assert!(out.status.success(), "softhsm2-util: {}", String::from_utf8_lossy(&out.stderr));
    let ctx = Pkcs11::new(module).unwrap();
    ctx.initialize(CInitializeArgs::OsThreads).unwrap();
    let slot = ctx
        .get_slots_with_token()
        .unwrap()
        .into_iter()
        .find(|s| ctx.get_token_info(*s).unwrap().label().trim_end() == token)
        .expect("the new token");
    let session = ctx.open_rw_session(slot).unwrap();
    session.login(UserType::User, Some(&AuthPin::new(PIN.into()))).unwrap();
    let oid = vec![0x06, 0x03, 0x2b, 0x65, 0x70];
    let label = KEY_LABEL.as_bytes().to_vec();
    let mut point = vec![0x04, 0x20];
    point.extend_from_slice(&key.public().0);
    session
        .create_object(&[
            Attribute::Class(ObjectClass::PUBLIC_KEY),
            Attribute::KeyType(KeyType::EC_EDWARDS),
            Attribute::Token(true),
            Attribute::Verify(true),
            Attribute::Label(label.clone()),
            Attribute::EcParams(oid.clone()),
            Attribute::EcPoint(point),
        ])
        .unwrap();
    session
        .create_object(&[
            Attribute::Class(ObjectClass::PRIVATE_KEY),
            Attribute::KeyType(KeyType::EC_EDWARDS),
            Attribute::Token(true),
            Attribute::Private(true),
            Attribute::Sensitive(true),
            Attribute::Extractable(false),
            Attribute::Sign(true),
            Attribute::Label(label),
            Attribute::EcParams(oid),
            Attribute::Value(key.to_seed().to_vec()),
        ])
        .unwrap();
    session.logout().unwrap();
    drop(session);
    ctx.finalize();
}

/// Points node `i`'s `[signer]` at its token.
pub(crate) fn use_token(home: &Path, module: &Path, token: &str) {
    let pin = home.join("hsm.pin");
    std::fs::write(&pin, PIN).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&pin, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let path = home.join("config.toml");
    let mut cfg: toml::Table = toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let mut signer = toml::Table::new();
    signer.insert("kind".into(), "pkcs11".into());
    signer.insert("module".into(), module.display().to_string().into());
    signer.insert("token_label".into(), token.into());
    signer.insert("key_label".into(), KEY_LABEL.into());
    signer.insert("pin_file".into(), "hsm.pin".into());
    cfg.insert("signer".into(), toml::Value::Table(signer));
    std::fs::write(&path, toml::to_string(&cfg).unwrap()).unwrap();
}

pub(crate) fn node_key(net: &Net, i: usize) -> SigningKey {
    let hex_seed = std::fs::read_to_string(net.home(i).join("node.key")).unwrap();
    let mut seed = [0u8; 32];
    hex::decode_to_slice(hex_seed.trim(), &mut seed).unwrap();
    SigningKey::from_seed(seed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_validators_sign_through_softhsm2_under_load() {
    let mut net = four().await;
    let module = softhsm_module();
    let conf = softhsm_conf(net.dir());
    // The nodes started below inherit it.
    std::env::set_var("SOFTHSM2_CONF", &conf);
    let hsm = [0usize, 1];
    for i in hsm {
        let token = format!("tamga-node{i}");
        import_key(&module, &conf, &token, &node_key(&net, i));
        use_token(net.home(i), &module, &token);
        net.terminate(i).await.unwrap();
        net.restart(i).unwrap();
    }
    for i in hsm {
        net.wait_api(i, Duration::from_secs(30)).await.unwrap();
        assert_eq!(net.log_count(i, "signer=pkcs11"), 1, "node{i} signs through its token:\n{}", net.log_tail(i, 20));
    }
    let h0 = net.max_height().await;
    let l = load(&net, 100).await;
    run_for(&mut net, Duration::from_secs(20)).await;
    let report = l.finish(Duration::from_secs(60)).await.expect("load report");
    assert_clean(&report);
    assert!(report.committed.len() >= 1000, "{} committed", report.committed.len());
    let c = net.assert_consistent(Some(&report), Duration::from_secs(30)).await.expect("consistent");
    assert_eq!(c.nodes.len(), 4);

    // The token-held keys took part: their precommits are in the commit
    // certificates and they proposed blocks.
    let set = net.genesis_validators().unwrap();
    let mut precommits = [0usize; 2];
    let mut proposed = [0usize; 2];
    for h in h0 + 1..=c.common_height {
        let b = net.client(2).block(BlockAt::Height(h)).await.unwrap();
        for (slot, i) in hsm.iter().enumerate() {
            let k = node_key(&net, *i).public();
            let idx = set.index_of(&k).unwrap();
            if b.certificate.signatures.iter().any(|(j, _)| *j == idx) {
                precommits[slot] += 1;
            }
            if b.block.header.proposer == k {
                proposed[slot] += 1;
            }
        }
    }
    say(format!(
        "hsm: {} tx in {} blocks; token validators precommitted {precommits:?}, proposed {proposed:?}",
        report.committed.len(),
        c.common_height - h0
    ));
    for ((i, p), c) in hsm.iter().zip(proposed).zip(precommits) {
        assert!(c > 0 && p > 0, "node{i} never signed through its token (precommits {c}, proposals {p})");
    }
    for i in hsm {
        assert_eq!(net.log_count(i, "signer gave no signature"), 0, "{}", net.log_tail(i, 20));
    }
}
