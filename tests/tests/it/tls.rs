//! TLS on the HTTP API with real processes (`docs/operations.md`, "TLS on
//! the API").
//!
//! `https_devnet_client_certificates_and_reload`: `tamgad devnet --tls`
//! writes a throwaway CA and node certificates and serves https; node0 is
//! set to require client certificates (`api.tls.client_ca_file`).
//! * the `tamga` CLI with `--ca` reads the node's status, and without it
//!   cannot trust the node; `curl --cacert` gets `/health` over HTTP/2 and
//!   HTTP/1.1 (when curl is installed; the client crate checks the same
//!   otherwise);
//! * a route that needs a signed request is refused without a client
//!   certificate (401 `CLIENT_CERT_REQUIRED`, in Russian when asked) and
//!   served with one, by curl and by the CLI; the journal names the
//!   certificate's subject as the caller; node1 (no client CA) serves it
//!   without one;
//! * node0's certificate is swapped on disk for node1's: node0 serves the
//!   new one (SHA-256 fingerprint of the served leaf) without a restart; a
//!   corrupt file afterwards is refused, logged naming the file, and the
//!   certificate in service stays.
//!
//! `plain_http_is_refused_on_a_non_loopback_address`: a node whose
//! `api.listen` is `0.0.0.0` without `[api.tls]` refuses to start, naming
//! `api.listen` and `[api.tls]`.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use sha2::Digest;
use tamga_client::{Client, TlsOptions};
use tamga_tests::net::tamgad_path;
use tamga_tests::say;

use crate::walkthrough::tamga_path;

/// A running `tamgad devnet`; SIGTERM on drop (it stops its nodes), then SIGKILL.
struct Devnet {
    child: Child,
    home: PathBuf,
}

impl Drop for Devnet {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Devnet {
    fn node_log(&self, i: usize) -> String {
        std::fs::read_to_string(self.home.join(format!("node{i}")).join("node.log")).unwrap_or_default()
    }
}

/// Four consecutive free loopback ports (2 validators × API and p2p).
fn free_ports() -> u16 {
    let pid = u32::from(std::process::id() as u16);
    for attempt in 0..400u32 {
        let base = 40_000 + ((pid * 89 + attempt * 137) % 2_000) * 4;
        let base = u16::try_from(base).expect("below 65536");
        if (base..base + 4).all(|p| TcpListener::bind(("127.0.0.1", p)).is_ok()) {
            return base;
        }
    }
    panic!("no four consecutive free ports in 40000..48000");
}

fn devnet_args(home: &Path, api: u16) -> Vec<String> {
    let seed = (u64::from(api) % 1000) + 7;
    [
        "devnet",
        "--tls",
        "--validators",
        "2",
        "--participants",
        "2",
        "--seed",
        &seed.to_string(),
        "--base-api-port",
        &api.to_string(),
        "--base-p2p-port",
        &(api + 2).to_string(),
        "--home",
        home.to_str().expect("utf-8 path"),
    ]
    .map(str::to_owned)
    .to_vec()
}

/// Runs the `tamga` CLI with `args`.
fn tamga(args: &[&str]) -> Output {
    let mut cmd = Command::new(tamga_path().expect("the tamga binary"));
    cmd.args(args).env_remove("TAMGA_NODE").env_remove("TAMGA_KEY").env_remove("TAMGA_CA");
    cmd.env_remove("TAMGA_CLIENT_CERT").env_remove("TAMGA_CLIENT_KEY").env("TAMGA_LANG", "en");
    cmd.stdin(Stdio::null()).output().expect("tamga runs")
}

/// `curl` with `args`; `None` when curl is not installed.
fn curl(args: &[&str]) -> Option<Output> {
    match Command::new("curl").args(["-sS", "--max-time", "20"]).args(args).stdin(Stdio::null()).output() {
        Ok(o) => Some(o),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => panic!("cannot run curl: {e}"),
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The SHA-256 of the first certificate in a PEM file.
fn file_fingerprint(pem: &Path) -> String {
    let der = CertificateDer::from_pem_file(pem).expect("a PEM certificate");
    hex::encode(sha2::Sha256::digest(der.as_ref()))
}

/// The SHA-256 of the leaf certificate the server on `port` presents,
/// verified against `ca`.
async fn served_fingerprint(port: u16, ca: &Path) -> anyhow::Result<String> {
    let mut roots = rustls::RootCertStore::empty();
    for c in CertificateDer::pem_file_iter(ca)? {
        roots.add(c?)?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
    let name = ServerName::try_from("127.0.0.1".to_owned())?;
    let tls = tokio_rustls::TlsConnector::from(Arc::new(config)).connect(name, tcp).await?;
    let leaf = tls.get_ref().1.peer_certificates().and_then(|c| c.first()).ok_or_else(|| anyhow::anyhow!("no cert"))?;
    Ok(hex::encode(sha2::Sha256::digest(leaf.as_ref())))
}

/// Replaces `to` with the bytes of `from` in one rename (a new inode, a new mtime).
fn replace_file(from: &Path, to: &Path) {
    let tmp = to.with_extension("swap");
    std::fs::copy(from, &tmp).expect("copy");
    std::fs::rename(&tmp, to).expect("rename");
}

/// Sets `[api.tls]` keys in node `i`'s config.toml.
fn set_tls_keys(home: &Path, i: usize, keys: &[(&str, toml::Value)]) {
    let path = home.join(format!("node{i}")).join("config.toml");
    let mut cfg: toml::Table = toml::from_str(&std::fs::read_to_string(&path).expect("config")).expect("TOML");
    let tls = cfg
        .get_mut("api")
        .and_then(|a| a.as_table_mut())
        .and_then(|a| a.get_mut("tls"))
        .and_then(|t| t.as_table_mut())
        .expect("[api.tls] written by devnet --tls");
    for (k, v) in keys {
        tls.insert((*k).to_owned(), v.clone());
    }
    std::fs::write(&path, toml::to_string(&cfg).expect("TOML")).expect("write config");
}

async fn wait_until<F, Fut>(what: &str, secs: u64, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !f().await {
        assert!(Instant::now() < deadline, "{what}: not within {secs} s");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_devnet_client_certificates_and_reload() {
    let exe = tamgad_path().expect("the tamgad binary");
    let dir = tempfile::Builder::new().prefix("tamga-tls-").tempdir().expect("a temp dir");
    let home = dir.path().join("devnet");
    let base = free_ports();
    say(format!("tls: devnet --tls on ports {base}+ in {}", home.display()));

    // Generate, then ask node0 for client certificates and quick reloads.
    let mut init = devnet_args(&home, base);
    init.push("--init-only".into());
    let out = Command::new(&exe).args(&init).output().expect("tamgad devnet runs");
    assert!(out.status.success(), "devnet --tls --init-only: {}", text(&out.stderr));
    let tls = home.join("tls");
    for f in ["ca.pem", "ca.key", "node0.pem", "node0.key", "node1.pem", "node1.key", "client.pem", "client.key"] {
        assert!(tls.join(f).is_file(), "tls/{f} written");
    }
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(home.join("devnet.json")).expect("devnet.json")).expect("JSON");
    assert_eq!(manifest["tls"]["ca"], "tls/ca.pem", "the manifest records the CA: {manifest}");
    let nodes = manifest["nodes"].as_array().expect("nodes");
    assert!(nodes.iter().all(|n| n["api"].as_str().is_some_and(|a| a.starts_with("https://127.0.0.1:"))), "{manifest}");
    let ca_path = tls.join("ca.pem");
    let ca = ca_path.to_str().expect("utf-8").to_owned();
    set_tls_keys(
        &home,
        0,
        &[
            ("client_ca_file", toml::Value::String("../tls/ca.pem".into())),
            ("reload_check_ms", toml::Value::Integer(200)),
        ],
    );

    let log = std::fs::File::create(dir.path().join("devnet.log")).expect("log");
    let child = Command::new(&exe)
        .args(devnet_args(&home, base))
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("log"))
        .stderr(log)
        .spawn()
        .expect("tamgad devnet starts");
    let devnet = Devnet { child, home: home.clone() };
    let url0 = format!("https://127.0.0.1:{base}");
    let url1 = format!("https://127.0.0.1:{}", base + 1);
    let trusted = TlsOptions { ca: Some(ca_path.clone()), ..TlsOptions::default() };
    let c0 = Client::with_tls(&url0, Duration::from_secs(5), &trusted).expect("client");
    wait_until("node0 serves https at height 1", 90, || async { c0.status().await.is_ok_and(|s| s.height >= 1) }).await;
    let printed = std::fs::read_to_string(dir.path().join("devnet.log")).unwrap_or_default();
    assert!(printed.contains(&format!("node0 api={url0}")), "devnet prints https api= lines:\n{printed}");

    // The CLI: trusted with --ca, not without.
    let out = tamga(&["--ca", &ca, "--node", &url0, "--json", "status"]);
    assert!(out.status.success(), "tamga --ca status: {}{}", text(&out.stdout), text(&out.stderr));
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON status");
    assert!(status["height"].as_u64().is_some_and(|h| h >= 1), "{status}");
    let out = tamga(&["--node", &url0, "--json", "status"]);
    assert!(!out.status.success(), "the devnet CA is not in the system's store: {}", text(&out.stdout));
    assert!(text(&out.stdout).contains("UNREACHABLE"), "{}", text(&out.stdout));

    // curl --cacert: HTTP/2 by ALPN, HTTP/1.1 when asked.
    let health = format!("{url0}/health");
    let fmt = "%{http_code} %{http_version}";
    match curl(&["--cacert", &ca, "-o", "/dev/null", "-w", fmt, &health]) {
        Some(out) => {
            assert_eq!(text(&out.stdout), "200 2", "curl over HTTP/2: {}", text(&out.stderr));
            let out = curl(&["--http1.1", "--cacert", &ca, "-o", "/dev/null", "-w", fmt, &health]).expect("curl");
            assert_eq!(text(&out.stdout), "200 1.1", "curl over HTTP/1.1: {}", text(&out.stderr));
            let out = curl(&["-o", "/dev/null", "-w", fmt, &health]).expect("curl");
            assert!(!out.status.success(), "curl without the CA must not trust the node");
        }
        None => say("tls: curl is not installed; the client crate checks https alone"),
    }

    // Client certificates on node0: a signed-request route refused without
    // one (localized), served with one; open routes stay open.
    let parties = format!("{url0}/v1/parties");
    let (cert, key) = (tls.join("client.pem"), tls.join("client.key"));
    let (cert_s, key_s) = (cert.to_str().expect("utf-8"), key.to_str().expect("utf-8"));
    if let Some(out) = curl(&["--cacert", &ca, "-H", "Accept-Language: ru", "-w", "\n%{http_code}", &parties]) {
        let body = text(&out.stdout);
        let (json, code) = body.rsplit_once('\n').expect("status line");
        assert_eq!(code, "401", "{body}");
        let v: serde_json::Value = serde_json::from_str(json).expect("error body");
        assert_eq!(v["code"], "CLIENT_CERT_REQUIRED", "{v}");
        assert!(v["message"].as_str().is_some_and(|m| m.contains("сертификат")), "in Russian: {v}");
        let out = curl(&[
            "--cacert",
            &ca,
            "--cert",
            cert_s,
            "--key",
            key_s,
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            &parties,
        ])
        .expect("curl");
        assert_eq!(text(&out.stdout), "200", "with the client certificate: {}", text(&out.stderr));
    }
    let anonymous = Client::with_tls(&url0, Duration::from_secs(5), &trusted).expect("client");
    let e = anonymous.parties().await.expect_err("no client certificate");
    assert!(e.to_string().contains("CLIENT_CERT_REQUIRED"), "{e}");
    let with_cert = TlsOptions { client_cert: Some(cert.clone()), client_key: Some(key.clone()), ..trusted.clone() };
    let holder = Client::with_tls(&url0, Duration::from_secs(5), &with_cert).expect("client");
    assert!(!holder.parties().await.expect("served with a client certificate").is_empty());
    let c1 = Client::with_tls(&url1, Duration::from_secs(5), &trusted).expect("client");
    c1.parties().await.expect("node1 asks for no client certificate");
    anonymous.health().await.expect("/health stays open without a certificate");

    // The CLI with --client-cert/--client-key.
    let show = tamga(&["--json", "keys", "show", home.join("keys/regulator.key").to_str().expect("utf-8")]);
    let regulator: serde_json::Value = serde_json::from_slice(&show.stdout).expect("keys show JSON");
    let address = regulator["address"].as_str().expect("address").to_owned();
    let out = tamga(&["--ca", &ca, "--node", &url0, "--json", "account", &address]);
    assert!(text(&out.stdout).contains("CLIENT_CERT_REQUIRED"), "{}", text(&out.stdout));
    let out = tamga(&[
        "--ca",
        &ca,
        "--client-cert",
        cert_s,
        "--client-key",
        key_s,
        "--node",
        &url0,
        "--json",
        "account",
        &address,
    ]);
    assert!(out.status.success(), "tamga with a client certificate: {}{}", text(&out.stdout), text(&out.stderr));

    // The journal names the certificate's subject as the caller.
    let journal = home.join("node0").join("journal").join("current.jsonl");
    wait_until("a journal entry naming the client certificate", 10, || {
        let j = std::fs::read_to_string(&journal).unwrap_or_default();
        async move { j.lines().any(|l| l.contains("\"who\":\"cert:CN=tamga devnet client@127.0.0.1:")) }
    })
    .await;

    // Swap node0's certificate for node1's on disk: served without a restart.
    let before = served_fingerprint(base, &ca_path).await.expect("node0's certificate");
    assert_eq!(before, file_fingerprint(&tls.join("node0.pem")));
    let swapped = file_fingerprint(&tls.join("node1.pem"));
    replace_file(&tls.join("node1.key"), &tls.join("node0.key"));
    replace_file(&tls.join("node1.pem"), &tls.join("node0.pem"));
    wait_until("node0 serves the swapped certificate", 20, || async {
        served_fingerprint(base, &ca_path).await.is_ok_and(|f| f == swapped)
    })
    .await;
    assert!(devnet.node_log(0).contains("API TLS certificate reloaded"), "the reload is logged");
    // A corrupt certificate: refused and logged naming the file; the swapped one keeps serving.
    std::fs::write(tls.join("node0.pem"), "-----BEGIN CERTIFICATE-----\nnot base64!\n").expect("write");
    wait_until("the failed reload is logged naming the file", 20, || {
        let log = devnet.node_log(0);
        let named = log.lines().any(|l| {
            l.contains("API TLS reload failed")
                && l.contains("api.tls.cert_file")
                && l.contains("node0.pem")
                && l.contains("expected CERTIFICATE blocks")
        });
        async move { named }
    })
    .await;
    assert_eq!(served_fingerprint(base, &ca_path).await.expect("still served"), swapped);
    c0.status().await.expect("node0 still answers");
    drop(devnet);
}

#[test]
fn plain_http_is_refused_on_a_non_loopback_address() {
    let exe = tamgad_path().expect("the tamgad binary");
    let dir = tempfile::Builder::new().prefix("tamga-plain-").tempdir().expect("a temp dir");
    let base = free_ports();
    let out = Command::new(&exe)
        .args(["testnet", "--validators", "1", "--participants", "1", "--seed", "3"])
        .args(["--base-api-port", &base.to_string(), "--base-p2p-port", &(base + 2).to_string(), "--out"])
        .arg(dir.path())
        .output()
        .expect("tamgad testnet runs");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let config = dir.path().join("node0").join("config.toml");
    let mut cfg: toml::Table = toml::from_str(&std::fs::read_to_string(&config).expect("config")).expect("TOML");
    let api = cfg.get_mut("api").and_then(|a| a.as_table_mut()).expect("[api]");
    api.insert("listen".into(), toml::Value::String(format!("0.0.0.0:{base}")));
    std::fs::write(&config, toml::to_string(&cfg).expect("TOML")).expect("write config");
    let out = Command::new(&exe)
        .args(["start", "--home"])
        .arg(dir.path().join("node0"))
        .stdin(Stdio::null())
        .output()
        .expect("tamgad start runs");
    let stderr = text(&out.stderr);
    assert!(!out.status.success(), "plain HTTP on 0.0.0.0 must not start: {stderr}");
    for needle in ["api.listen", "[api.tls]", "allow_plaintext", &format!("0.0.0.0:{base}")] {
        assert!(stderr.contains(needle), "the refusal names {needle}: {stderr}");
    }
    assert!(TcpListener::bind(("127.0.0.1", base)).is_ok(), "nothing was bound");
}
