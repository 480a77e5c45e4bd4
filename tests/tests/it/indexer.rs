//! `tamga-indexer` against a real net and a real PostgreSQL (docs/indexer.md):
//! the database equals the node's answers after `kill -9` of the indexer at
//! random moments; a forged certificate, a stored hash the node's chain
//! does not continue, an unreachable database, another chain's database and
//! a newer schema are each refused with their code and nothing written.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};
use rand::{Rng, SeedableRng};
use tamga_client::{sign_payload, Client};
use tamga_tests::{say, Net, PgCluster};
use tamga_types::views::MiningFilter;
use tamga_types::{CertifiedBlock, MiningNotificationKind, Payload, SigningKey};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::common::{assert_clean, four, load, run_for, site};

/// The `tamga-indexer` executable: `TAMGA_INDEXER_BIN`, else built with
/// cargo next to this test executable (same profile and target directory).
fn indexer_path() -> anyhow::Result<PathBuf> {
    if let Ok(p) = std::env::var("TAMGA_INDEXER_BIN") {
        return Ok(PathBuf::from(p));
    }
    let exe = std::env::current_exe()?;
    let profile_dir =
        exe.parent().and_then(Path::parent).ok_or_else(|| anyhow!("no profile dir above {}", exe.display()))?;
    let target_dir = profile_dir.parent().ok_or_else(|| anyhow!("no target dir above {}", profile_dir.display()))?;
    let profile = match profile_dir.file_name().and_then(|s| s.to_str()) {
        Some("debug") => "dev",
        Some(p) => p,
        None => bail!("unexpected profile dir {}", profile_dir.display()),
    };
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml");
    let status = Command::new(cargo)
        .args(["build", "-p", "tamga-client", "--bin", "tamga-indexer", "--profile", profile, "--manifest-path"])
        .arg(&manifest)
        .arg("--target-dir")
        .arg(target_dir)
        .status()
        .context("cannot run cargo to build tamga-indexer")?;
    if !status.success() {
        bail!("cargo build of tamga-indexer failed: {status}");
    }
    Ok(profile_dir.join("tamga-indexer"))
}

/// An indexer command for `node` and `db`, reading as the regulator.
fn indexer(net_dir: &Path, node: &str, db: &str) -> Command {
    let mut c = Command::new(indexer_path().expect("tamga-indexer"));
    c.env_remove("TAMGA_NODE")
        .args(["--node", node, "--database-url", db, "--retry-secs", "1"])
        .arg("--genesis")
        .arg(net_dir.join("genesis.json"))
        .arg("--read-key")
        .arg(net_dir.join("keys/regulator.key"));
    c
}

/// Runs `cmd` to its end (at most `limit`); returns (success, stderr).
fn run_to_end(cmd: &mut Command, limit: Duration) -> (bool, String) {
    let mut child = cmd.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().expect("indexer starts");
    let end = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            let mut err = String::new();
            if let Some(mut e) = child.stderr.take() {
                let _ = std::io::Read::read_to_string(&mut e, &mut err);
            }
            return (status.success(), err);
        }
        if Instant::now() > end {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the indexer did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

async fn one_i64(c: &tokio_postgres::Client, sql: &str) -> i64 {
    c.query_one(sql, &[]).await.unwrap_or_else(|e| panic!("{sql}: {e}")).get(0)
}

/// A client of node 0 that signs as the regulator (reads are closed).
fn regulator_client(net: &Net) -> Client {
    net.client(0).clone().with_signer(net.testnet.regulator.clone())
}

/// Submits `payload` signed by `key` and waits for its receipt, whatever the outcome.
async fn submit(net: &Net, key: &SigningKey, payload: Payload) -> tamga_types::Receipt {
    let c = net.client(0);
    let nonce = c.next_nonce(&key.public()).await.expect("nonce");
    let tx = sign_payload(key, &net.chain_id(), nonce, payload, None).expect("tx");
    let hash = c.submit(&tx).await.expect("admitted");
    c.wait_for_receipt(&hash, Duration::from_secs(30)).await.expect("receipt").receipt
}

/// Mining notifications in every status: one accepted, one rejected, one left submitted.
async fn notify(net: &Net) {
    let miner = net.testnet.miner.clone();
    let reg = net.testnet.regulator.clone();
    let mut ids = Vec::new();
    for _ in 0..3 {
        let p = Payload::SubmitMiningNotification { kind: MiningNotificationKind::Start, previous: None, site: site() };
        let r = submit(net, &miner, p).await;
        if let Some(id) = r.events.iter().find(|e| e.kind == "mining_notification_submitted") {
            ids.push(tamga_types::MiningNotificationId(id.get("notification").expect("id").parse().expect("id")));
        } else {
            say(format!("indexer: a mining notification was refused: {:?}", r.outcome));
        }
    }
    for (i, id) in ids.iter().take(2).enumerate() {
        let reason = (i != 0).then(|| tamga_types::Text::new("site address incomplete").expect("text"));
        let p = Payload::ReviewMiningNotification { notification: *id, accept: i == 0, reason };
        let r = submit(net, &reg, p).await;
        say(format!("indexer: review of {id:?}: {:?}", r.outcome));
    }
}

/// The database's contents against node 0's answers at the indexed height.
async fn assert_db_matches_node(net: &Net, db: &tokio_postgres::Client, height: u64) {
    let c = regulator_client(net);
    // Blocks: every height 0..=height once (primary key), none missing.
    let (n, lo, hi): (i64, i64, i64) = {
        let r = db.query_one("SELECT count(*), min(height), max(height) FROM blocks", &[]).await.expect("blocks");
        (r.get(0), r.get(1), r.get(2))
    };
    assert_eq!((n, lo, hi), (height as i64 + 1, 0, height as i64), "blocks 0..={height}, each once");
    let cp: (i64, Vec<u8>) = {
        let r = db.query_one("SELECT height, block_hash FROM checkpoint", &[]).await.expect("checkpoint");
        (r.get(0), r.get(1))
    };
    let node_block = c.block(tamga_client::BlockAt::Height(height)).await.expect("block");
    assert_eq!(cp, (height as i64, node_block.block.hash().0.to_vec()), "checkpoint = the node's block {height}");
    // Transactions per height, as the node's receipts say.
    let mut node_txs = BTreeMap::new();
    for h in 1..=height {
        let n = c.block_receipts(h).await.expect("receipts").len() as i64;
        if n > 0 {
            node_txs.insert(h as i64, n);
        }
    }
    let rows = db
        .query("SELECT height, count(*) FROM transactions WHERE height > 0 GROUP BY height ORDER BY height", &[])
        .await
        .expect("transactions");
    let db_txs: BTreeMap<i64, i64> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    assert_eq!(db_txs, node_txs, "transactions per height");
    let total: i64 = node_txs.values().sum();
    say(format!("indexer: {total} transactions in blocks 1..={height} match"));
    // Balances per class and holder.
    for class in c.classes(None).await.expect("classes") {
        let node: BTreeMap<String, String> = c
            .holders(class.id)
            .await
            .expect("holders")
            .into_iter()
            .filter(|h| h.amount > 0)
            .map(|h| (h.account.to_hex(), h.amount.to_string()))
            .collect();
        let rows = db
            .query("SELECT holder, amount::text FROM holdings WHERE class = $1 AND amount > 0", &[&(class.id.0 as i64)])
            .await
            .expect("holdings");
        let dbh: BTreeMap<String, String> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
        assert_eq!(dbh.len(), node.len(), "holders of class {}", class.id.0);
        assert_eq!(dbh, node, "balances of class {}", class.id.0);
        let supply: String = db
            .query_one("SELECT supply::text FROM supply_by_class WHERE class = $1", &[&(class.id.0 as i64)])
            .await
            .expect("supply view")
            .get(0);
        let node_supply: u128 = node.values().map(|v| v.parse::<u128>().expect("amount")).sum();
        assert_eq!(supply, node_supply.to_string(), "supply of class {}", class.id.0);
    }
    // Notifications by status.
    let mut node_status: BTreeMap<(String, String), i64> = BTreeMap::new();
    let mut after = None;
    loop {
        let page = c
            .mining_notifications(&MiningFilter { after, limit: Some(100), ..Default::default() })
            .await
            .expect("mining notifications");
        for m in &page.items {
            *node_status.entry(("mining".into(), m.status.name().into())).or_default() += 1;
        }
        match page.next_after {
            Some(a) if !page.items.is_empty() => after = Some(tamga_types::MiningNotificationId(a)),
            _ => break,
        }
    }
    for a in c.activity_notifications(None).await.expect("activity notifications") {
        *node_status.entry(("activity".into(), a.status.name().into())).or_default() += 1;
    }
    let rows =
        db.query("SELECT register, status, notifications FROM notifications_by_status", &[]).await.expect("view");
    let db_status: BTreeMap<(String, String), i64> = rows.iter().map(|r| ((r.get(0), r.get(1)), r.get(2))).collect();
    assert_eq!(db_status, node_status, "notifications by status");
    say(format!("indexer: notifications by status match: {db_status:?}"));
}

/// A 4-validator net under load, the indexer attached and SIGKILLed five
/// times at seeded random moments (each restart may follow another node);
/// at the end the database equals the node: blocks 0..=H each once, the
/// transactions of every height, every balance, notifications by status.
/// Then a node whose block carries a forged certificate, and a stored hash
/// the chain does not continue, are refused with nothing written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn indexer_survives_kill_9_and_matches_the_node() {
    let pg = PgCluster::start().await.expect("PostgreSQL starts");
    let url = pg.create_db("tamga_idx").await.expect("database");
    let mut net = four().await;
    let mut rng = rand::rngs::StdRng::seed_from_u64(net.testnet.seed);
    let dir = net.dir().to_path_buf();
    let nodes: Vec<String> = (0..4).map(|i| net.client(i).base_url().to_owned()).collect();
    let metrics_port = std::net::TcpListener::bind("127.0.0.1:0").expect("port").local_addr().expect("addr").port();
    let l = load(&net, 200).await;
    notify(&net).await;
    let mut mid_stream = 0;
    for round in 0..5 {
        let node = &nodes[round % 4];
        let log = std::fs::File::create(dir.join(format!("indexer{round}.log"))).expect("log");
        let mut child = indexer(&dir, node, &url)
            .args(["--metrics", &format!("127.0.0.1:{metrics_port}")])
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("indexer starts");
        let wait = Duration::from_millis(rng.gen_range(1500..6000));
        run_for(&mut net, wait).await;
        if round == 2 {
            let body = reqwest::get(format!("http://127.0.0.1:{metrics_port}/metrics"))
                .await
                .expect("metrics answer")
                .text()
                .await
                .expect("metrics body");
            assert!(body.contains("tamga_indexer_lag_blocks"), "{body}");
            assert!(body.contains("tamga_indexer_rows_total"), "{body}");
        }
        child.kill().expect("SIGKILL");
        let _ = child.wait();
        // The checkpoint it left (none while the genesis was not yet written).
        let at = match pg.connect("tamga_idx").await {
            Ok(c) => c.query_opt("SELECT height FROM checkpoint", &[]).await.ok().flatten().map(|r| r.get::<_, i64>(0)),
            Err(_) => None,
        };
        mid_stream += usize::from(at.is_some_and(|h| h > 0));
        say(format!("indexer: round {round}: SIGKILLed after {wait:?} following {node}, checkpoint {at:?}"));
    }
    assert!(mid_stream >= 2, "at least two kills landed while blocks were being written ({mid_stream})");
    let report = l.finish(Duration::from_secs(60)).await.expect("load report");
    assert_clean(&report);
    let h = net.max_height().await;
    net.wait_all_height(h, Duration::from_secs(30)).await.expect("all nodes at h");
    let (ok, err) =
        run_to_end(indexer(&dir, &nodes[1], &url).args(["--until", &h.to_string()]), Duration::from_secs(300));
    assert!(ok, "the last run finishes at {h}: {err}");
    let db = pg.connect("tamga_idx").await.expect("connect");
    assert_db_matches_node(&net, &db, h).await;

    // A forged certificate on block h+1, served by a proxy of node 0.
    net.wait_all_height(h + 2, Duration::from_secs(30)).await.expect("more blocks");
    let proxy = forging_proxy(nodes[0].clone(), h + 1).await;
    let before = one_i64(&db, "SELECT count(*) FROM blocks").await;
    let (ok, err) =
        run_to_end(indexer(&dir, &proxy, &url).args(["--until", &(h + 1).to_string()]), Duration::from_secs(60));
    assert!(!ok && err.contains("CERTIFICATE_INVALID"), "a forged certificate is refused: {err}");
    assert_eq!(one_i64(&db, "SELECT count(*) FROM blocks").await, before, "nothing written");
    assert_eq!(one_i64(&db, "SELECT height FROM checkpoint").await, h as i64);

    // A stored hash the node's chain does not continue (a database of a fork).
    db.batch_execute(
        "UPDATE checkpoint SET block_hash = '\\x0101010101010101010101010101010101010101010101010101010101010101'",
    )
    .await
    .expect("tamper");
    let (ok, err) =
        run_to_end(indexer(&dir, &nodes[0], &url).args(["--until", &(h + 1).to_string()]), Duration::from_secs(60));
    assert!(!ok && err.contains("PARENT_MISMATCH"), "a block not continuing the stored hash is refused: {err}");
    assert_eq!(one_i64(&db, "SELECT count(*) FROM blocks").await, before, "nothing written");
}

/// A proxy of `upstream` that serves block `forge` with one signature of its
/// certificate altered (and no event stream, so the indexer polls).
async fn forging_proxy(upstream: String, forge: u64) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let http = reqwest::Client::new();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else { continue };
            let (up, http) = (upstream.clone(), http.clone());
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match sock.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&buf).to_string();
                let mut lines = head.split("\r\n");
                let target = lines.next().and_then(|l| l.split(' ').nth(1)).unwrap_or("/").to_owned();
                let (status, body) = if target.starts_with("/v1/events") {
                    (404, br#"{"code":"NOT_FOUND","message":"no stream here"}"#.to_vec())
                } else {
                    let mut req = http.get(format!("{up}{target}"));
                    for l in lines.take_while(|l| !l.is_empty()) {
                        if let Some((k, v)) = l.split_once(':') {
                            if !k.eq_ignore_ascii_case("host") {
                                req = req.header(k.trim(), v.trim());
                            }
                        }
                    }
                    match req.send().await {
                        Ok(r) => {
                            let s = r.status().as_u16();
                            let b = r.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
                            if target.starts_with(&format!("/v1/blocks/{forge}?")) {
                                (s, forge_certificate(&b))
                            } else {
                                (s, b)
                            }
                        }
                        Err(_) => (502, b"upstream down".to_vec()),
                    }
                };
                let head = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = sock.write_all(head.as_bytes()).await;
                let _ = sock.write_all(&body).await;
            });
        }
    });
    format!("http://{addr}")
}

/// The raw-block answer with the first certificate signature's first byte flipped.
fn forge_certificate(body: &[u8]) -> Vec<u8> {
    let mut v: serde_json::Value = serde_json::from_slice(body).expect("block answer");
    let raw = hex::decode(v["raw"].as_str().expect("raw")).expect("hex");
    let mut cb: CertifiedBlock = tamga_types::codec::decode("certified block", &raw, raw.len()).expect("decodes");
    let mut sigs = cb.certificate.signatures.to_vec();
    sigs[0].1 .0[0] ^= 0x01;
    cb.certificate.signatures = tamga_types::BoundedVec::new(sigs).expect("same length");
    v["raw"] = serde_json::Value::String(hex::encode(tamga_types::codec::encode(&cb)));
    serde_json::to_vec(&v).expect("json")
}

/// A genesis file of a fresh testnet (no node), for the bad-input runs.
fn genesis_dir(seed: u64) -> tempfile::TempDir {
    let d = tempfile::tempdir().expect("dir");
    let t = tamga_genesis::testnet::generate(&tamga_genesis::testnet::TestnetOptions {
        seed,
        participants: 2,
        ..Default::default()
    })
    .expect("testnet");
    t.write(d.path()).expect("write");
    d
}

/// An unreachable database, a database of another chain and a schema newer
/// than the binary: each refused with its code, nothing written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn indexer_refuses_bad_databases() {
    let g = genesis_dir(11);
    let no_node = "http://127.0.0.1:9";
    // Unreachable database.
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("port").local_addr().expect("addr").port();
    let (ok, err) = run_to_end(
        &mut indexer(g.path(), no_node, &format!("postgres://tamga@127.0.0.1:{port}/x")),
        Duration::from_secs(30),
    );
    assert!(!ok && err.contains("DB_UNREACHABLE"), "{err}");

    let pg = PgCluster::start().await.expect("PostgreSQL starts");
    // A schema newer than the binary.
    let url = pg.create_db("newer").await.expect("db");
    let (ok, err) = run_to_end(&mut indexer(g.path(), no_node, &url), Duration::from_secs(60));
    assert!(!ok && err.contains("NODE_UNAVAILABLE"), "migrates, then needs the node: {err}");
    let db = pg.connect("newer").await.expect("connect");
    db.batch_execute(
        "INSERT INTO refinery_schema_history (version, name, applied_on, checksum) VALUES (999, 'future', '', '0')",
    )
    .await
    .expect("future version");
    let (ok, err) = run_to_end(&mut indexer(g.path(), no_node, &url), Duration::from_secs(60));
    assert!(!ok && err.contains("DB_SCHEMA_TOO_NEW") && err.contains("999"), "{err}");
    assert_eq!(one_i64(&db, "SELECT count(*) FROM chain").await, 0, "nothing written");

    // A database of another chain.
    let url = pg.create_db("other").await.expect("db");
    let (ok, _) = run_to_end(&mut indexer(g.path(), no_node, &url), Duration::from_secs(60));
    assert!(!ok);
    let db = pg.connect("other").await.expect("connect");
    db.batch_execute("INSERT INTO chain (chain_id, genesis_hash, genesis_time) VALUES ('other-chain', '\\x0202020202020202020202020202020202020202020202020202020202020202', now())")
        .await
        .expect("other chain");
    let (ok, err) = run_to_end(&mut indexer(g.path(), no_node, &url), Duration::from_secs(60));
    assert!(!ok && err.contains("DB_OTHER_CHAIN") && err.contains("other-chain"), "{err}");
    assert_eq!(one_i64(&db, "SELECT count(*) FROM blocks").await, 0, "nothing written");
}
