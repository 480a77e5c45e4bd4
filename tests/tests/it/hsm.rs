//! Keys in a hardware security module. Validators: four validators, two of
//! which sign every proposal and vote through PKCS#11 on SoftHSM2 tokens
//! (`[signer] kind = "pkcs11"`), committing under load. Officers: an
//! issuer's account key on a token, a mint signed through it by the `tamga`
//! CLI (`--pkcs11-*`), and a wrong PIN that signs nothing.
//! Needs SoftHSM2 (`scripts/prereqs.sh` installs it).

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use cryptoki::context::{CInitializeArgs, Pkcs11};
use cryptoki::object::{Attribute, KeyType, ObjectClass};
use cryptoki::session::UserType;
use cryptoki::types::AuthPin;
use serde_json::Value;
use tamga_client::{BlockAt, TxStatus};
use tamga_tests::{say, Net, NetOptions};
use tamga_types::{ClassId, SigningKey, TxOutcome};

use crate::common::{assert_clean, four, load, run_for};
use crate::walkthrough::{tamga_command, tamga_path};

const PIN: &str = "27182818";
pub(crate) const KEY_LABEL: &str = "consensus";

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

/// Creates token `token` and imports `key` into it as an Ed25519 key pair
/// labelled `label` (`CKK_EC_EDWARDS`, RFC 8410 OID), non-extractable from
/// then on: the validator (or the account) keeps its genesis key, which now
/// signs only inside the token.
pub(crate) fn import_key(module: &Path, conf: &Path, token: &str, label: &str, key: &SigningKey) {
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
    let label = label.as_bytes().to_vec();
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

/// Writes `pin` to `path`, readable by its owner only.
fn write_pin(path: &Path, pin: &str) {
    std::fs::write(path, pin).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
}

/// Points node `i`'s `[signer]` at its token.
pub(crate) fn use_token(home: &Path, module: &Path, token: &str) {
    let pin = home.join("hsm.pin");
    write_pin(&pin, PIN);
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
        import_key(&module, &conf, &token, KEY_LABEL, &node_key(&net, i));
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

/// Runs `tamga ARGS --json` with `SOFTHSM2_CONF` set to `conf`: its output,
/// stdout parsed as JSON.
fn tamga_json(conf: &Path, args: &[&str]) -> (Output, Value) {
    say(format!("$ tamga {} --json", args.join(" ")));
    let exe = tamga_path().expect("the tamga binary");
    let out = tamga_command(&exe).env("SOFTHSM2_CONF", conf).args(args).arg("--json").output().expect("tamga runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let v = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        panic!(
            "tamga printed no JSON ({e}): {:?}\nstdout: {stdout}\nstderr: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out, v)
}

/// An issuer's security officer mints with the issuer's account key held on
/// a SoftHSM2 token (Digital Code art. 51: the means of signing in the
/// signer's sole control): `tamga --pkcs11-module … --pkcs11-token …
/// --pkcs11-key …` shows what is about to be signed, the token signs after
/// the confirmation (`--yes`), the mint commits with a receipt signed by
/// the issuer's key. Then a wrong PIN: refused naming `--pkcs11-pin-file`,
/// nothing shown, signed or submitted (the issuer's nonce and the holder's
/// balance do not move).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_officer_mints_through_softhsm2_from_the_cli() {
    let net = Net::start(NetOptions { participants: 4, ..NetOptions::default() }).await.expect("the net starts");
    let module = softhsm_module();
    let conf = softhsm_conf(net.dir());
    // import_key loads the module in this process: it reads the variable.
    std::env::set_var("SOFTHSM2_CONF", &conf);
    let (token, label) = ("tamga-officer", "issuer-officer");
    let issuer = net.testnet.issuer.clone();
    import_key(&module, &conf, token, label, &issuer);
    let pin = net.dir().join("officer.pin");
    write_pin(&pin, PIN);
    let bad_pin = net.dir().join("wrong.pin");
    write_pin(&bad_pin, "00000000");

    let client = net.client(0);
    let holder = net.testnet.participants[0].public();
    let balance = |a: &tamga_client::AccountView| {
        a.balances.iter().find(|b| b.class == ClassId(1)).map(|b| b.amount).unwrap_or(0)
    };
    let before = balance(&client.account(&holder).await.expect("the holder's account"));
    let node = client.base_url().to_owned();
    let (module_s, pin_s, bad_s) =
        (module.display().to_string(), pin.display().to_string(), bad_pin.display().to_string());
    let holder_hex = holder.to_hex();
    let signer = ["--node", &node, "--pkcs11-module", &module_s, "--pkcs11-token", token, "--pkcs11-key", label];
    let mint = ["--yes", "--base-units", "token", "mint", "--class", "1", "--to", &holder_hex, "--amount", "12345"];

    let (out, r) = tamga_json(&conf, &[&signer[..], &["--pkcs11-pin-file", &pin_s], &mint[..]].concat());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{r}\n{stderr}");
    assert_eq!((r["status"].as_str(), r["operation"].as_str()), (Some("success"), Some("mint")), "{r}");
    assert!(r["height"].as_u64().is_some_and(|h| h > 0), "committed at a height: {r}");
    // The informed-signing notice came before the token signed.
    let shown = stderr.find("About to sign").expect("the content was shown");
    let signed = stderr.find("signed on the token").expect("the token signed");
    assert!(shown < signed, "{stderr}");
    assert!(stderr.contains(&issuer.public().to_hex()), "the signer shown is the issuer's key: {stderr}");
    let hash: tamga_types::Hash = r["tx_hash"].as_str().expect("tx_hash").parse().expect("a hash");
    let TxStatus::Committed(view) = client.tx(&hash).await.expect("the tx") else { panic!("{hash} is not committed") };
    assert_eq!(view.receipt.outcome, TxOutcome::Success);
    assert_eq!(view.tx.tx.signer, issuer.public(), "signed by the issuer's registered key");
    let after = balance(&client.account(&holder).await.expect("the holder's account"));
    assert_eq!(after, before + 12345);
    say(format!("hsm cli: mint {hash} signed on token {token:?} committed at height {}", r["height"]));

    // A wrong PIN: refused before anything is shown or signed; nothing submitted.
    let nonce = client.next_nonce(&issuer.public()).await.expect("the issuer's nonce");
    let (out, r) = tamga_json(&conf, &[&signer[..], &["--pkcs11-pin-file", &bad_s], &mint[..]].concat());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{r}\n{stderr}");
    assert_eq!(r["code"], "PKCS11_WRONG_PIN", "{r}");
    let msg = r["message"].as_str().unwrap_or_default();
    assert!(msg.starts_with(&format!("--pkcs11-pin-file {bad_s}: the token refused the user PIN")), "{msg}");
    assert!(!stderr.contains("About to sign"), "nothing was shown for signing: {stderr}");
    let h = net.max_height().await;
    net.wait_all_height(h + 2, Duration::from_secs(30)).await.expect("the net goes on");
    assert_eq!(client.next_nonce(&issuer.public()).await.expect("the issuer's nonce"), nonce, "nothing was submitted");
    assert_eq!(balance(&client.account(&holder).await.expect("the holder's account")), after);
}
