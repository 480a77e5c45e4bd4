//! Security events pushed to a monitoring centre (docs/operations.md,
//! "Pushing security events"): a validator with a webhook sink and a syslog
//! sink, and a node it refuses. The test runs both receivers: an HTTP server
//! that verifies each body's signature under the node's sink identity key,
//! and a TCP receiver that checks RFC 5424 messages in RFC 6587
//! octet-counting frames. Events of a scenario (bad signatures, a refused
//! peer) arrive in seq order; the receivers go down, more events are raised,
//! the node is SIGKILLed and started again while they are down, more events
//! are raised; when the receivers come back every event arrives, in order,
//! none missing.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tamga_tests::net::ExtraNode;
use tamga_tests::{say, Net, NetOptions};
use tamga_types::{ChainId, Hash, Payload, PublicKey, Signature, SigningKey, Transaction};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

/// What one receiver got: each seq's kind in the order first received,
/// duplicates counted, and any protocol violation.
#[derive(Default)]
struct Received {
    /// `(seq, kind)` in the order each seq first arrived.
    order: Vec<(u64, String)>,
    /// Deliveries of a seq already received (at least once: allowed).
    duplicates: u64,
    /// Deliveries whose seq was neither a duplicate nor the next one after
    /// the highest received (a gap or a reordering).
    out_of_order: Vec<String>,
    /// Malformed frames, messages or signatures.
    errors: Vec<String>,
    /// The node's sink identity the webhook bodies must be signed with
    /// (set once the node wrote it; until then the webhook answers 503).
    identity: Option<PublicKey>,
}

impl Received {
    fn take(&mut self, seq: u64, kind: &str) {
        match self.order.last().map(|(s, _)| *s) {
            Some(last) if seq <= last => self.duplicates += 1,
            Some(last) if seq != last + 1 => {
                self.out_of_order.push(format!("seq {seq} after {last}"));
                self.order.push((seq, kind.to_owned()));
            }
            _ => self.order.push((seq, kind.to_owned())),
        }
    }
}

type Shared = Arc<Mutex<Received>>;

/// A receiver on a fixed address that can be taken down (listener and
/// connections closed) and brought back.
struct Receiver {
    addr: SocketAddr,
    got: Shared,
    tasks: Option<JoinSet<()>>,
    kind: Kind,
    /// Serves TLS (syslog RFC 5425, https) with this server side.
    tls: Option<TlsAcceptor>,
}

#[derive(Clone, Copy)]
enum Kind {
    Webhook,
    Syslog,
}

impl Receiver {
    async fn start(kind: Kind, tls: Option<TlsAcceptor>) -> Receiver {
        let l = TcpListener::bind("127.0.0.1:0").await.expect("bind a receiver");
        let addr = l.local_addr().expect("local addr");
        let mut r = Receiver { addr, got: Shared::default(), tasks: None, kind, tls };
        r.serve(l);
        r
    }

    fn serve(&mut self, l: TcpListener) {
        let mut set = JoinSet::new();
        let got = self.got.clone();
        let kind = self.kind;
        let tls = self.tls.clone();
        let conns: Arc<Mutex<JoinSet<()>>> = Arc::default();
        let held = conns.clone();
        set.spawn(async move {
            // Holding the connection set here: aborting this task closes them all.
            let _conns = held;
            loop {
                let Ok((s, _)) = l.accept().await else { return };
                let got = got.clone();
                let mut c = _conns.lock().unwrap();
                let tls = tls.clone();
                c.spawn(async move {
                    match (tls, kind) {
                        (None, Kind::Webhook) => webhook_conn(s, got).await,
                        (None, Kind::Syslog) => syslog_conn(s, got).await,
                        (Some(acceptor), kind) => {
                            let s = match acceptor.accept(s).await {
                                Ok(s) => s,
                                Err(e) => return got.lock().unwrap().errors.push(format!("TLS handshake: {e}")),
                            };
                            match kind {
                                Kind::Webhook => webhook_conn(s, got).await,
                                Kind::Syslog => syslog_conn(s, got).await,
                            }
                        }
                    }
                });
            }
        });
        self.tasks = Some(set);
    }

    async fn down(&mut self) {
        if let Some(mut t) = self.tasks.take() {
            t.shutdown().await;
        }
    }

    async fn up(&mut self) {
        let l = TcpListener::bind(self.addr).await.expect("the receiver's port is free again");
        self.serve(l);
    }

    fn seqs(&self) -> Vec<u64> {
        self.got.lock().unwrap().order.iter().map(|(s, _)| *s).collect()
    }
}

/// The webhook receiver's check of one body (docs/operations.md):
/// SHA-256("TAMGA/SECURITY-EVENTS/v1" ‖ 0x00 ‖ body) signed by the key in
/// `x-tamga-identity`, which must be the node's sink identity.
fn verify_webhook(headers: &BTreeMap<String, String>, body: &[u8], expected: &PublicKey) -> Result<(), String> {
    let key = PublicKey::from_hex(headers.get("x-tamga-identity").ok_or("no x-tamga-identity")?)
        .map_err(|e| format!("x-tamga-identity: {e}"))?;
    if key != *expected {
        return Err(format!("identity {key} is not the node's sink identity {expected}"));
    }
    let sig = Signature::from_hex(headers.get("x-tamga-signature").ok_or("no x-tamga-signature")?)
        .map_err(|e| format!("x-tamga-signature: {e}"))?;
    let digest = Hash::digest(b"TAMGA/SECURITY-EVENTS/v1", body);
    key.verify(&digest.0, &sig).map_err(|e| format!("signature: {e}"))
}

async fn webhook_conn<S: AsyncRead + AsyncWrite + Unpin>(mut s: S, got: Shared) {
    let mut buf = Vec::new();
    loop {
        // Headers.
        let end = loop {
            if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break p + 4;
            }
            let mut chunk = [0u8; 4096];
            match s.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
            if buf.len() > 1 << 20 {
                got.lock().unwrap().errors.push("headers over 1 MiB".into());
                return;
            }
        };
        let head = String::from_utf8_lossy(&buf[..end]).to_string();
        let mut lines = head.split("\r\n");
        let request_line = lines.next().unwrap_or_default().to_owned();
        let headers: BTreeMap<String, String> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let len: usize = headers.get("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
        while buf.len() < end + len {
            let mut chunk = [0u8; 65536];
            match s.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let body: Vec<u8> = buf[end..end + len].to_vec();
        buf.drain(..end + len);
        let identity = got.lock().unwrap().identity;
        let Some(expected) = identity else {
            // Not ready to verify yet: the node keeps the batch and retries.
            if s.write_all(b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\n\r\n").await.is_err() {
                return;
            }
            continue;
        };
        let verdict = if !request_line.starts_with("POST ") {
            Err(format!("request line {request_line:?}"))
        } else {
            verify_webhook(&headers, &body, &expected)
        };
        let status = match verdict {
            Ok(()) => {
                let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
                let mut g = got.lock().unwrap();
                match v["events"].as_array() {
                    Some(events) => {
                        for e in events {
                            match (e["seq"].as_u64(), e["kind"].as_str()) {
                                (Some(seq), Some(kind)) => g.take(seq, kind),
                                _ => g.errors.push(format!("event without seq or kind: {e}")),
                            }
                        }
                    }
                    None => g.errors.push(format!("body without events: {v}")),
                }
                "200 OK"
            }
            Err(e) => {
                got.lock().unwrap().errors.push(e);
                "403 Forbidden"
            }
        };
        let resp = format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\n\r\n");
        if s.write_all(resp.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// Checks one RFC 5424 message of the node's syslog sink; returns its seq and kind.
fn check_rfc5424(msg: &str) -> Result<(u64, String), String> {
    // <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG
    let mut it = msg.splitn(7, ' ');
    let pri_ver = it.next().ok_or("empty")?;
    let pri = pri_ver
        .strip_prefix('<')
        .and_then(|r| r.strip_suffix(">1"))
        .and_then(|p| p.parse::<u16>().ok())
        .ok_or_else(|| format!("PRI/VERSION {pri_ver:?}"))?;
    if pri > 191 {
        return Err(format!("PRI {pri} over 191"));
    }
    let ts = it.next().ok_or("no TIMESTAMP")?;
    let tsb = ts.as_bytes();
    if ts.len() != 24 || tsb[4] != b'-' || tsb[10] != b'T' || tsb[19] != b'.' || !ts.ends_with('Z') {
        return Err(format!("TIMESTAMP {ts:?}"));
    }
    for (name, max) in [("HOSTNAME", 255), ("APP-NAME", 48), ("PROCID", 128)] {
        let f = it.next().ok_or(format!("no {name}"))?;
        if f.is_empty() || f.len() > max || !f.chars().all(|c| c.is_ascii_graphic()) {
            return Err(format!("{name} {f:?}"));
        }
    }
    let msgid = it.next().ok_or("no MSGID")?.to_owned();
    let rest = it.next().ok_or("no STRUCTURED-DATA")?;
    // SD-ELEMENT: [SD-ID *(SP PARAM-NAME="PARAM-VALUE")], values escaped.
    let rest = rest.strip_prefix("[tamga@32473").ok_or_else(|| format!("SD {rest:?}"))?;
    let mut params = BTreeMap::new();
    let mut chars = rest.char_indices().peekable();
    let end = loop {
        match chars.next() {
            Some((i, ']')) => break i,
            Some((_, ' ')) => {
                let mut name = String::new();
                for (_, c) in chars.by_ref() {
                    if c == '=' {
                        break;
                    }
                    name.push(c);
                }
                if chars.next().map(|(_, c)| c) != Some('"') {
                    return Err(format!("PARAM {name} without a quoted value"));
                }
                let mut value = String::new();
                loop {
                    match chars.next() {
                        Some((_, '\\')) => match chars.next() {
                            Some((_, c)) if matches!(c, '"' | '\\' | ']') => value.push(c),
                            Some((_, c)) => {
                                value.push('\\');
                                value.push(c)
                            }
                            None => return Err("unterminated escape".into()),
                        },
                        Some((_, '"')) => break,
                        Some((_, ']')) => return Err(format!("PARAM {name}: unescaped ]")),
                        Some((_, c)) => value.push(c),
                        None => return Err(format!("PARAM {name}: unterminated value")),
                    }
                }
                params.insert(name, value);
            }
            other => return Err(format!("SD: unexpected {other:?}")),
        }
    };
    let body = rest[end + 1..].strip_prefix(" \u{feff}").ok_or("MSG without SP and BOM")?;
    let v: serde_json::Value = serde_json::from_str(body).map_err(|e| format!("MSG is not the JSON record: {e}"))?;
    let seq = v["seq"].as_u64().ok_or("MSG without seq")?;
    let kind = v["kind"].as_str().ok_or("MSG without kind")?.to_owned();
    if params.get("seq") != Some(&seq.to_string()) || params.get("kind") != Some(&kind) || msgid != kind {
        return Err(format!("SD {params:?} / MSGID {msgid} disagree with the record {v}"));
    }
    if params.get("node").map(String::as_str) != v["node"].as_str() {
        return Err("SD node differs".into());
    }
    Ok((seq, kind))
}

async fn syslog_conn<S: AsyncRead + Unpin>(mut s: S, got: Shared) {
    let mut buf = Vec::new();
    loop {
        // RFC 6587 §3.4.1: MSG-LEN SP SYSLOG-MSG.
        while let Some(sp) = buf.iter().position(|b| *b == b' ') {
            let len = match std::str::from_utf8(&buf[..sp]).ok().and_then(|t| t.parse::<usize>().ok()) {
                Some(l) if sp > 0 && buf[0] != b'0' => l,
                _ => {
                    got.lock().unwrap().errors.push(format!("bad MSG-LEN {:?}", String::from_utf8_lossy(&buf[..sp])));
                    return;
                }
            };
            if buf.len() < sp + 1 + len {
                break;
            }
            let msg = String::from_utf8(buf[sp + 1..sp + 1 + len].to_vec());
            buf.drain(..sp + 1 + len);
            let mut g = got.lock().unwrap();
            match msg.map_err(|e| e.to_string()).and_then(|m| check_rfc5424(&m)) {
                Ok((seq, kind)) => g.take(seq, &kind),
                Err(e) => g.errors.push(e),
            }
        }
        let mut chunk = [0u8; 65536];
        match s.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

/// `(seq, kind)` of every line of `HOME/security/events.jsonl` from `first` on.
fn recorded(home: &Path, first: u64) -> Vec<(u64, String)> {
    std::fs::read_to_string(home.join("security").join("events.jsonl"))
        .expect("events.jsonl")
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| Some((v["seq"].as_u64()?, v["kind"].as_str()?.to_owned())))
        .filter(|(s, _)| *s >= first)
        .collect()
}

/// `n` transactions with bad signatures posted to node 0's API: each a `bad_signature` event.
async fn bad_signatures(net: &Net, n: u64, from_nonce: u64) {
    let chain = net.chain_id();
    let key = SigningKey::from_seed([7; 32]);
    let to = SigningKey::from_seed([8; 32]).public();
    for k in 0..n {
        let mut tx = Transaction {
            chain_id: ChainId::new(&chain).expect("chain id"),
            signer: key.public(),
            nonce: from_nonce + k,
            payload: Payload::Transfer { class: tamga_genesis::testnet::BOOTSTRAP_CLASS, to, amount: 1 },
            memo: None,
        }
        .sign(&key);
        tx.signature.0[5] ^= 0x10;
        match net.client(0).submit(&tx).await {
            Err(tamga_client::ClientError::Api(e)) => assert_eq!(e.code, "BAD_SIGNATURE", "{}", e.message),
            other => panic!("a bad signature: expected BAD_SIGNATURE, got {other:?}"),
        }
    }
}

/// A gauge or counter of node 0's `/metrics` with this exact name and labels.
async fn metric(net: &Net, name: &str) -> f64 {
    let text = net.client(0).metrics().await.expect("metrics");
    text.lines()
        .find_map(|l| l.strip_prefix(name).and_then(|r| r.strip_prefix(' ')))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0.0)
}

/// Waits until both receivers hold every seq recorded from `first` on and
/// at least one `kind` after `after_seq`.
async fn wait_delivered(net: &Net, receivers: &[&Receiver], first: u64, want_kind: &str, after_seq: u64, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let rec = recorded(net.home(0), first);
        let has_kind = rec.iter().any(|(s, k)| *s > after_seq && k == want_kind);
        let all = receivers.iter().all(|r| {
            let seqs = r.seqs();
            rec.iter().all(|(s, _)| seqs.contains(s))
        });
        if has_kind && all {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: not delivered within 90 s: recorded {:?}, webhook {:?}, syslog {:?}\n{}",
            rec.iter().map(|(s, k)| format!("{s}:{k}")).collect::<Vec<_>>(),
            receivers[0].seqs(),
            receivers[1].seqs(),
            net.log_tail(0, 30)
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Points node `home`'s sinks at the receivers; with `ca` (a path relative
/// to the home) over https and TLS syslog, trusting only that CA.
fn set_sinks(home: &Path, webhook: SocketAddr, syslog: SocketAddr, ca: Option<&str>) {
    let path = home.join("config.toml");
    let mut cfg: toml::Table = toml::from_str(&std::fs::read_to_string(&path).expect("config")).expect("TOML");
    let sec = cfg.entry("security").or_insert_with(|| toml::Table::new().into()).as_table_mut().expect("table");
    // Every API bad signature recorded one by one (none summarised).
    sec.insert("per_source".into(), 10_000.into());
    sec.insert("global".into(), 10_000.into());
    let sinks = sec.entry("sinks").or_insert_with(|| toml::Table::new().into()).as_table_mut().expect("table");
    // Small batches and a short back-off: retries are seen within the test.
    sinks.insert("batch".into(), 4.into());
    sinks.insert("retry_initial_ms".into(), 100.into());
    sinks.insert("retry_max_ms".into(), 1_000.into());
    let mut w = toml::Table::new();
    let scheme = if ca.is_some() { "https" } else { "http" };
    w.insert("url".into(), format!("{scheme}://{webhook}/tamga/events").into());
    w.insert("timeout_ms".into(), 3_000.into());
    let tls = |ca: &str| {
        let mut t = toml::Table::new();
        t.insert("ca_file".into(), ca.into());
        t.insert("handshake_timeout_ms".into(), 2_000.into());
        toml::Value::from(t)
    };
    if let Some(ca) = ca {
        w.insert("tls".into(), tls(ca));
    }
    sinks.insert("webhook".into(), w.into());
    let mut s = toml::Table::new();
    s.insert("address".into(), syslog.to_string().into());
    s.insert("settle_ms".into(), 200.into());
    if let Some(ca) = ca {
        s.insert("tls".into(), tls(ca));
    }
    sinks.insert("syslog".into(), s.into());
    std::fs::write(&path, toml::to_string(&cfg).expect("TOML")).expect("write config");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_and_syslog_receive_every_event_in_order_across_outages_and_a_restart() {
    let mut webhook = Receiver::start(Kind::Webhook, None).await;
    let mut syslog = Receiver::start(Kind::Syslog, None).await;
    // One validator and one node it refuses (neither validator nor observer).
    let opts = NetOptions {
        validators: 1,
        participants: 4,
        extra: vec![ExtraNode { observer: false }],
        ..NetOptions::default()
    };
    say(format!("sinks: seed {} (set TAMGA_IT_SEED to replay)", opts.seed));
    let mut net = Net::start(opts).await.expect("the net starts");
    // Sinks configured, node0 SIGKILLed and started with them: it creates
    // the identity key the webhook bodies are signed with (never the
    // consensus key); the receiver pins it (and answers 503 until then).
    let home = net.home(0).to_owned();
    set_sinks(&home, webhook.addr, syslog.addr, None);
    net.restart(0).expect("node0 starts with its sinks");
    net.wait_api(0, Duration::from_secs(30)).await.expect("node0 answers");
    let identity = std::fs::read_to_string(home.join("data").join("identity.pub")).expect("identity.pub written");
    let identity = PublicKey::from_hex(identity.trim()).expect("a public key");
    let consensus = net.testnet.validators[0].key.public();
    assert_ne!(identity, consensus, "the sink identity is not the consensus key");
    let key_mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(home.join("data").join("identity.key")).expect("identity.key").permissions(),
    );
    assert_eq!(key_mode & 0o777, 0o600, "identity.key is the owner's only");
    webhook.got.lock().unwrap().identity = Some(identity);

    // 1. Receivers up: the restart's config_loaded, bad signatures and a refused peer.
    let first = {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(&(s, _)) = webhook.got.lock().unwrap().order.first() {
                break s;
            }
            assert!(Instant::now() < deadline, "nothing reached the webhook\n{}", net.log_tail(0, 30));
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    let rec = recorded(&home, first);
    assert_eq!(rec.first().map(|(_, k)| k.as_str()), Some("config_loaded"), "the first pushed record: {rec:?}");
    bad_signatures(&net, 5, 0).await;
    wait_delivered(&net, &[&webhook, &syslog], first, "peer_refused", first, "receivers up").await;
    let up_to = recorded(&home, first).last().map(|(s, _)| *s).unwrap_or(first);
    say(format!("sinks: seqs {first}..={up_to} delivered with the receivers up"));

    // 2. Receivers down: more events wait in the outboxes and are retried.
    webhook.down().await;
    syslog.down().await;
    bad_signatures(&net, 6, 100).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let backlog = metric(&net, "tamga_security_sink_backlog{sink=\"webhook\"}").await;
    let failed = metric(&net, "tamga_security_sink_failed_attempts_total{sink=\"syslog\"}").await;
    assert!(backlog >= 6.0, "the webhook outbox holds the events raised while down: {backlog}");
    assert!(failed >= 1.0, "syslog deliveries failed and are retried: {failed}");
    let down_from = up_to + 1;

    // 3. SIGKILL and start again while the receivers are down: the outboxes
    //    are on disk; the restart raises config_loaded and a refused peer.
    net.restart(0).expect("node0 starts again");
    net.wait_api(0, Duration::from_secs(30)).await.expect("node0 answers");
    bad_signatures(&net, 4, 200).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let before_up = recorded(&home, down_from);
    assert!(
        before_up.iter().filter(|(_, k)| k == "bad_signature").count() >= 10,
        "raised while the receivers were down: {before_up:?}"
    );
    assert!(webhook.seqs().iter().all(|s| *s < down_from), "nothing delivered while down");

    // 4. Receivers back: everything arrives, in order, none missing.
    webhook.up().await;
    syslog.up().await;
    wait_delivered(&net, &[&webhook, &syslog], first, "peer_refused", down_from, "receivers back").await;
    let rec = recorded(&home, first);
    for (name, r) in [("webhook", &webhook), ("syslog", &syslog)] {
        let g = r.got.lock().unwrap();
        assert!(g.errors.is_empty(), "{name}: {:?}", g.errors);
        assert!(g.out_of_order.is_empty(), "{name}: out of order: {:?}", g.out_of_order);
        // Events may still be recorded (a peer redials): compare up to the last received.
        let last = g.order.last().map_or(0, |(s, _)| *s);
        let want: Vec<(u64, String)> = rec.iter().filter(|(s, _)| *s <= last).cloned().collect();
        assert_eq!(g.order, want, "{name}: every recorded event, in seq order");
        let got = &g.order;
        say(format!("sinks: {name}: {} events in order ({} duplicates dropped by seq)", got.len(), g.duplicates));
    }
    let last = webhook.seqs().last().copied().unwrap_or(0).min(syslog.seqs().last().copied().unwrap_or(0));
    let kinds: Vec<&str> = rec.iter().filter(|(s, _)| *s <= last).map(|(_, k)| k.as_str()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "config_loaded").count(), 2, "{kinds:?}");
    assert!(kinds.iter().filter(|k| **k == "peer_refused").count() >= 2, "{kinds:?}");
    assert_eq!(kinds.iter().filter(|k| **k == "bad_signature").count(), 15, "{kinds:?}");
    let delivered = metric(&net, "tamga_security_sink_delivered_total{sink=\"webhook\"}").await;
    assert!(delivered >= 1.0, "delivered counted since the restart: {delivered}");
    net.check_all_alive().expect("no node crashed");
}

/// A throwaway CA and a server certificate it signed for 127.0.0.1, as in
/// `tamgad devnet --tls`: (CA PEM, the receivers' TLS server side).
fn centre_tls() -> (String, TlsAcceptor) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair};
    use rustls::pki_types::pem::PemObject;
    let ca_key = KeyPair::generate().expect("CA key");
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name.push(DnType::CommonName, "monitoring centre CA (test)");
    let ca_cert = ca.self_signed(&ca_key).expect("CA certificate");
    let key = KeyPair::generate().expect("key");
    let mut leaf = CertificateParams::new(vec!["127.0.0.1".to_owned()]).expect("params");
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let cert = leaf.signed_by(&key, &ca_cert, &ca_key).expect("certificate");
    let chain = vec![rustls::pki_types::CertificateDer::from_pem_slice(cert.pem().as_bytes()).expect("PEM")];
    let key = rustls::pki_types::PrivateKeyDer::from_pem_slice(key.serialize_pem().as_bytes()).expect("PEM");
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .expect("server config");
    (ca_cert.pem(), TlsAcceptor::from(Arc::new(config)))
}

/// The same over TLS: an https webhook and a TLS syslog receiver (RFC 5425)
/// whose certificate chains to a CA the node trusts through `ca_file`
/// (not the system's store) receive every event in order, including those
/// raised while they were down.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_webhook_and_tls_syslog_receive_every_event_in_order() {
    let (ca, acceptor) = centre_tls();
    let mut webhook = Receiver::start(Kind::Webhook, Some(acceptor.clone())).await;
    let mut syslog = Receiver::start(Kind::Syslog, Some(acceptor)).await;
    let opts = NetOptions {
        validators: 1,
        participants: 4,
        extra: vec![ExtraNode { observer: false }],
        ..NetOptions::default()
    };
    say(format!("sinks tls: seed {} (set TAMGA_IT_SEED to replay)", opts.seed));
    let mut net = Net::start(opts).await.expect("the net starts");
    let home = net.home(0).to_owned();
    std::fs::write(home.join("centre-ca.pem"), ca).expect("write the centre's CA");
    set_sinks(&home, webhook.addr, syslog.addr, Some("centre-ca.pem"));
    net.restart(0).expect("node0 starts with its TLS sinks");
    net.wait_api(0, Duration::from_secs(30)).await.expect("node0 answers");
    let identity = std::fs::read_to_string(home.join("data").join("identity.pub")).expect("identity.pub written");
    webhook.got.lock().unwrap().identity = Some(PublicKey::from_hex(identity.trim()).expect("a public key"));

    let first = {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(&(s, _)) = webhook.got.lock().unwrap().order.first() {
                break s;
            }
            assert!(Instant::now() < deadline, "nothing reached the https webhook\n{}", net.log_tail(0, 30));
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    bad_signatures(&net, 5, 0).await;
    wait_delivered(&net, &[&webhook, &syslog], first, "peer_refused", first, "TLS receivers up").await;
    let up_to = recorded(&home, first).last().map(|(s, _)| *s).unwrap_or(first);

    webhook.down().await;
    syslog.down().await;
    bad_signatures(&net, 4, 100).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(webhook.seqs().iter().all(|s| *s <= up_to), "nothing delivered while down");
    webhook.up().await;
    syslog.up().await;
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let rec = recorded(&home, first);
        let bad = |r: &Receiver| {
            let seqs = r.seqs();
            rec.iter().filter(|(s, k)| k == "bad_signature" && seqs.contains(s)).count()
        };
        if bad(&webhook) >= 9 && bad(&syslog) >= 9 {
            break;
        }
        assert!(Instant::now() < deadline, "TLS receivers back: not delivered within 90 s\n{}", net.log_tail(0, 30));
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let rec = recorded(&home, first);
    for (name, r) in [("https webhook", &webhook), ("TLS syslog", &syslog)] {
        let g = r.got.lock().unwrap();
        assert!(g.errors.is_empty(), "{name}: {:?}", g.errors);
        assert!(g.out_of_order.is_empty(), "{name}: out of order: {:?}", g.out_of_order);
        let last = g.order.last().map_or(0, |(s, _)| *s);
        let want: Vec<(u64, String)> = rec.iter().filter(|(s, _)| *s <= last).cloned().collect();
        assert_eq!(g.order, want, "{name}: every recorded event, in seq order");
        say(format!(
            "sinks tls: {name}: {} events in order ({} duplicates dropped by seq)",
            g.order.len(),
            g.duplicates
        ));
    }
    net.check_all_alive().expect("no node crashed");
}
