//! Signing in the regulator console (SPEC §11; Digital Code art. 50 p.3–4)
//! in a real browser against a real 4-validator net, through headless
//! Chromium and chromedriver (helpers in `console.rs`).
//!
//! * The browser builds and signs transactions from their JSON form
//!   (`docs/wire-format.md` §13) with the vendored Ed25519 and SHA-2 and
//!   gets the golden fixtures (`types/tests/golden/*.hex`) byte for byte,
//!   and the signed-request test vector of `docs/api.md`.
//! * Node 0 runs with `public_read = false` and `[console]
//!   allow_key_loading = true` (loopback): the mining register does not load
//!   until the officer opens the regulator's encrypted key file
//!   (`tamga keys import`: Argon2id + ChaCha20-Poly1305) in the page; then
//!   the console's reads are signed and it loads. A wrong passphrase, a
//!   tampered file, a file of another format and a key that is not a
//!   regulator's each give their localized message (en, ru, kk) and load
//!   nothing. The seed is found nowhere in storage or the page; sign-out
//!   wipes it and the register is refused again.

use std::path::Path;
use std::process::Stdio;

use serde_json::{json, Value};
use tamga_tests::{say, ConsensusConfig, Net, NetOptions};
use tamga_types::SignedTransaction;

use super::console::{browser, catalogue, shots_dir, start_driver, until, which, Client, Shots};
use super::walkthrough::{tamga_command, tamga_path};

/// The transaction fixtures of `types/tests/golden.rs`, all signed by the key of seed `[1; 32]`.
const FIXTURES: [&str; 7] = [
    "tx_transfer",
    "tx_register_party",
    "tx_mining_notification",
    "tx_lift_restriction",
    "tx_close_class",
    "tx_publish_terms",
    "tx_set_min_validators",
];

fn golden(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../types/tests/golden/{name}.hex"));
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())).trim().to_owned()
}

/// `key` with `{name}` replaced from `vars`, as the page's `t()` does.
fn label(cat: &std::collections::BTreeMap<String, String>, key: &str, vars: &[(&str, &str)]) -> String {
    let mut s = cat.get(key).unwrap_or_else(|| panic!("catalogue lacks {key}")).clone();
    for (k, v) in vars {
        s = s.replace(&format!("{{{k}}}"), v);
    }
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_signs_in_the_browser() {
    let chromedriver = which("CHROMEDRIVER", &["chromedriver"]).unwrap_or_else(|e| panic!("{e:#}"));
    let chromium = which("CHROMIUM", &["chromium", "chromium-browser", "chrome"]).unwrap_or_else(|e| panic!("{e:#}"));
    let tamga_exe = tamga_path().expect("the tamga binary");
    let opts = NetOptions {
        consensus: ConsensusConfig {
            timeout_propose_ms: 1000,
            timeout_prevote_ms: 500,
            timeout_precommit_ms: 500,
            timeout_delta_ms: 250,
            empty_block_wait_ms: 500,
        },
        ..NetOptions::default()
    };
    let mut net = Net::start(opts).await.expect("the net starts");

    // Node 0: registers readable by signed requests only; key loading allowed
    // (its API listens on loopback).
    let config = net.home(0).join("config.toml");
    let text = std::fs::read_to_string(&config).expect("config.toml");
    let mut cfg: toml::Table = toml::from_str(&text).expect("TOML");
    cfg.get_mut("api").and_then(|a| a.as_table_mut()).expect("[api]").insert("public_read".into(), false.into());
    let mut console = toml::Table::new();
    console.insert("allow_key_loading".into(), true.into());
    cfg.insert("console".into(), console.into());
    std::fs::write(&config, toml::to_string(&cfg).expect("TOML")).expect("config.toml written");
    net.restart(0).expect("node 0 restarts");
    net.wait_api(0, std::time::Duration::from_secs(30)).await.expect("node 0 answers");
    let node = net.client(0).base_url().trim_end_matches('/').to_owned();

    // Key files: the regulator's seed imported into the encrypted format.
    let keys = net.dir().join("keys");
    let encrypted = net.dir().join("regulator-encrypted.key");
    let out = tamga_command(&tamga_exe)
        .args(["--out", &encrypted.display().to_string(), "keys", "import", "--seed-file"])
        .arg(keys.join("regulator.key"))
        .env("TAMGA_PASSPHRASE", "correct horse")
        .stdin(Stdio::null())
        .output()
        .expect("tamga keys import runs");
    assert!(out.status.success(), "tamga keys import: {}", String::from_utf8_lossy(&out.stderr));
    let sealed: Value = serde_json::from_str(&std::fs::read_to_string(&encrypted).unwrap()).unwrap();
    assert_eq!(sealed["kdf"]["name"], "argon2id", "{sealed}");
    let mut tampered = sealed.clone();
    let ct = sealed["ciphertext"].as_str().unwrap();
    let flipped = if ct.starts_with('0') { "1" } else { "0" };
    tampered["ciphertext"] = json!(format!("{flipped}{}", &ct[1..]));
    let tampered_path = net.dir().join("regulator-tampered.key");
    std::fs::write(&tampered_path, serde_json::to_string_pretty(&tampered).unwrap()).unwrap();
    let other_format = net.dir().join("not-a-key.pem");
    std::fs::write(&other_format, "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n")
        .unwrap();
    let seed_hex = std::fs::read_to_string(keys.join("regulator.key")).unwrap().trim().to_owned();
    let regulator = sealed["address"].as_str().unwrap().to_owned();
    let miner_seed = std::fs::read_to_string(keys.join("miner.key")).unwrap().trim().to_owned();
    let miner =
        tamga_types::SigningKey::from_seed(hex::decode(&miner_seed).unwrap().try_into().unwrap()).public().to_hex();

    let shots = Shots { dir: shots_dir() };
    std::fs::create_dir_all(&shots.dir).expect("the screenshot dir");
    let downloads = net.dir().join("downloads");
    std::fs::create_dir_all(&downloads).expect("the download dir");
    let driver = start_driver(&chromedriver, &net.dir().join("chromedriver.log")).await.expect("chromedriver starts");
    let c = browser(&driver, &chromium, &downloads).await.expect("a browser session");
    let files = Files {
        encrypted: encrypted.display().to_string(),
        tampered: tampered_path.display().to_string(),
        other_format: other_format.display().to_string(),
        miner: keys.join("miner.key").display().to_string(),
    };
    let result = scenario(&c, &node, &files, &seed_hex, &regulator, &miner, &shots).await;
    c.close().await;
    drop(driver);
    if let Err(e) = result {
        panic!("console signing scenario: {e:#}");
    }
}

struct Files {
    encrypted: String,
    tampered: String,
    other_format: String,
    miner: String,
}

/// Chooses `file` in the key panel, types `passphrase`, opens it, and waits
/// for the outcome; returns the status label key and its text.
async fn open_key(c: &Client, file: &str, passphrase: &str) -> anyhow::Result<(String, String)> {
    until(c, "the key form", "document.querySelector('#key-form #key-file')").await;
    c.execute("document.getElementById('key-status').dataset.key = ''").await?;
    c.send_keys("#key-file", file).await?;
    if !passphrase.is_empty() {
        c.send_keys("#key-pass", passphrase).await?;
    }
    c.click("#key-open").await?;
    let key = until(
        c,
        "the key panel's outcome",
        "(k => k && k !== 'keymsg.opening' ? k : null)(document.getElementById('key-status').dataset.key)",
    )
    .await;
    let text = c.text("#key-status").await?;
    Ok((key.as_str().unwrap_or_default().to_owned(), text))
}

async fn scenario(
    c: &Client,
    node: &str,
    files: &Files,
    seed_hex: &str,
    regulator: &str,
    miner: &str,
    shots: &Shots,
) -> anyhow::Result<()> {
    let (en, ru, kk) = (catalogue("en"), catalogue("ru"), catalogue("kk"));
    c.goto(&format!("{node}/console#/mining")).await?;
    until(c, "the console to start", "document.body.dataset.ready === 'true'").await;

    // 1. The golden fixtures, built and signed in the browser from their JSON form.
    for name in FIXTURES {
        let want = golden(name);
        let signed = SignedTransaction::decode(&hex::decode(&want)?)?;
        let tx = serde_json::to_value(&signed.tx)?;
        let got = c
            .execute(&format!(
                "return import('/console/wire.js').then(w => {{ const s = w.signTransaction({tx}, new Uint8Array(32).fill(1)); \
                 return [w.toHex(s.bytes), w.toHex(s.message), s.hash]; }})"
            ))
            .await?;
        assert_eq!(got[0].as_str(), Some(want.as_str()), "{name}: the browser's bytes differ from the fixture");
        assert_eq!(got[2].as_str(), Some(signed.hash().to_hex().as_str()), "{name}: transaction id");
        if name == "tx_transfer" {
            assert_eq!(got[1].as_str(), Some(golden("tx_transfer_signing_message").as_str()), "signing message");
            assert_eq!(got[2].as_str(), Some(golden("tx_transfer_hash").as_str()), "transaction id fixture");
        }
        say(format!("console: {name} signed in the browser = the fixture ({} bytes)", want.len() / 2));
    }
    // docs/api.md, signed requests: the test vector.
    let sig = c
        .execute(
            "return import('/console/wire.js').then(w => w.requestHeaders(new Uint8Array(32).fill(7), 'tamga-test', \
             'fd1724385aa0c75b64fb78cd602fa1d991fdebf76b13c58ed702eac835e9f618', 'GET', '/v1/parties/1', 1790000000000, null))",
        )
        .await?;
    assert_eq!(
        sig["x-tamga-signature"],
        "5467db56eaa52cb1fc1d740b0d13e440562d63d39cd9c212c8d357fb8611b7741031b8674179b639c65f7a46f6523ac9f52265d13d5695c58061bec6ca3a960b"
    );

    // 2. The panel says which node serves the page; without a key, under
    //    public_read = false, the register is refused.
    c.select("#lang-select", "en").await?;
    let served = c.text("#key-served-by").await?;
    let status: Value = reqwest::get(format!("{node}/v1/status")).await?.json().await?;
    assert!(served.contains(status["node_key"].as_str().unwrap_or("?")), "the panel names the node: {served}");
    until(c, "the refused register", "document.querySelector('#main .error')").await;
    let refused = c.text("#main .error").await?;
    assert!(refused.contains("SIGNATURE_REQUIRED"), "{refused}");
    assert!(c.find("#mining-table").await.is_err(), "no register without a key");

    // 3. Refusals, each localized, nothing loaded.
    let (key, text) = open_key(c, &files.encrypted, "wrong horse").await?;
    assert_eq!((key.as_str(), text), ("keyerr.wrong_passphrase", label(&en, "keyerr.wrong_passphrase", &[])));
    shots.take(c, "console-key-wrong-passphrase").await;
    c.select("#lang-select", "ru").await?;
    let (key, text) = open_key(c, &files.tampered, "correct horse").await?;
    assert_eq!((key.as_str(), text), ("keyerr.wrong_passphrase", label(&ru, "keyerr.wrong_passphrase", &[])));
    let (key, text) = open_key(c, &files.other_format, "").await?;
    assert_eq!(key, "keyerr.key_file_format");
    let prefix = label(&ru, "keyerr.key_file_format", &[]);
    assert!(text.starts_with(prefix.split("{detail}").next().unwrap_or_default()), "{text}");
    c.select("#lang-select", "kk").await?;
    let (key, text) = open_key(c, &files.miner, "").await?;
    assert_eq!(
        (key.as_str(), text),
        ("keyerr.not_regulator", label(&kk, "keyerr.not_regulator", &[("address", miner)]))
    );
    let (key, text) = open_key(c, &files.encrypted, "").await?;
    assert_eq!((key.as_str(), text), ("keyerr.passphrase_required", label(&kk, "keyerr.passphrase_required", &[])));
    shots.take(c, "console-key-not-regulator-kk").await;
    assert!(c.find("#key-loaded").await.is_err(), "no key loaded after the refusals");

    // 4. The regulator's encrypted key: loaded, and the register now loads
    //    through signed reads.
    c.select("#lang-select", "en").await?;
    let (key, _) = open_key(c, &files.encrypted, "correct horse").await?;
    assert_eq!(key, "keymsg.loaded");
    let loaded = c.text("#key-loaded").await?;
    assert!(loaded.contains(regulator), "{loaded}");
    c.execute("location.hash = '#/mining?status=submitted'").await?;
    until(c, "the register through signed reads", "document.querySelector('#mining-table')").await;
    shots.take(c, "console-key-loaded").await;
    // Memory only: the seed is in no storage and nowhere in the page.
    let found = c
        .execute(&format!(
            "const s = {seed}; const all = [document.documentElement.outerHTML]; \
             for (const st of [localStorage, sessionStorage]) for (let i = 0; i < st.length; i++) {{ all.push(st.key(i), st.getItem(st.key(i))); }} \
             return all.some(v => v && v.toLowerCase().includes(s));",
            seed = json!(seed_hex)
        ))
        .await?;
    assert_eq!(found, json!(false), "the seed must not be stored or shown");

    // 5. Sign-out wipes the key; the register is refused again.
    c.click("#key-signout").await?;
    until(c, "signed out", "document.getElementById('key-status').dataset.key === 'keymsg.signed_out'").await;
    assert!(c.find("#key-loaded").await.is_err(), "no key after sign-out");
    until(c, "the register refused again", "document.querySelector('#main .error')").await;
    Ok(())
}
