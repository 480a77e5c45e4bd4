//! `tamga watch`: follows one account's event feed (`GET /v1/events?account=`,
//! `docs/api.md`, "Account feed") and prints every consequence others or
//! the ledger bring on it — a freeze, a forced transfer, a recovery, an
//! encumbrance, an arbiter's decision, a pause, a validator leaving the set
//! (Law on Informatization art. 36 p.6: the affected party is informed).
//!
//! Requests are signed with `--key` (where reads are closed the node serves
//! an account's feed to that account and to regulators only). The command
//! reconnects when the stream ends — the node closing a slow feed with an
//! `end` event, a restart, a broken connection, silence past
//! `--idle-timeout` — and resumes with `Last-Event-ID`, the height of the
//! last block it received whole, so nothing is missed; events of a block it
//! had received in part before the break are not printed twice.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use serde_json::Value;
use tamga_client::{Client, ClientError};
use tamga_types::{Height, PublicKey};

/// `tamga watch`.
#[derive(Debug, clap::Args)]
pub struct WatchArgs {
    /// The account to follow [default: the --key account]. Where the node's
    /// reads are closed, another account's feed is served to a regulator only.
    #[arg(value_name = "ADDRESS")]
    pub account: Option<PublicKey>,
    /// Replay from this height before following live [default: from now].
    #[arg(long, value_name = "HEIGHT")]
    pub from_height: Option<Height>,
    /// Only these receipt event kinds, comma-separated (e.g. frozen,forced_transfer).
    #[arg(long, value_name = "KINDS")]
    pub kinds: Option<String>,
    /// Stop after this many events [default: follow until interrupted].
    #[arg(long, value_name = "N")]
    pub limit: Option<u64>,
    /// Seconds without a byte from the node (the node sends a keep-alive
    /// every 15 s) before the connection is dropped and opened again.
    #[arg(long, default_value_t = 60, value_name = "SECS")]
    pub idle_timeout: u64,
}

/// Longest wait between two connection attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// Where the feed stands: the resume cursor and the events of a block
/// printed before its last event (a reconnect sends that block again).
#[derive(Debug, Default)]
struct Cursor {
    /// `Last-Event-ID`: the last block received whole.
    last_id: Option<String>,
    /// The height of the block received in part (its events up to now
    /// printed, not its last), and how many of its events were printed.
    partial: Option<(Height, u64)>,
    /// Events printed so far.
    printed: u64,
}

impl Cursor {
    /// The node sent every event up to height `id`: resume after it. A
    /// block received in part above it stays partial.
    fn resume_after(&mut self, id: &str) {
        self.last_id = Some(id.to_owned());
        let done: Option<Height> = id.parse().ok();
        if self.partial.is_some_and(|(h, _)| done.is_some_and(|d| h <= d)) {
            self.partial = None;
        }
    }
}

/// Runs `tamga watch` against `node`, signing with `key` (the CLI's
/// `--key` or `--pkcs11-*` token); `json`: NDJSON output (`--output json`).
pub async fn run(
    node: &str,
    key: std::sync::Arc<dyn tamga_client::AccountSigner>,
    json: bool,
    args: &WatchArgs,
) -> Result<ExitCode> {
    let account = args.account.unwrap_or_else(|| key.public());
    let client = crate::node_client(node, crate::i18n::lang())?.with_account_signer(key);
    follow(&client, account, args, json, &mut std::io::stdout(), &mut std::io::stderr()).await?;
    Ok(ExitCode::SUCCESS)
}

/// Follows `account`'s feed, printing each event to `out` (notices about
/// reconnects to `note`), until `--limit` events were printed or the node
/// refuses the feed (401, 403, 404: an error; 503 is retried).
pub async fn follow(
    client: &Client,
    account: PublicKey,
    args: &WatchArgs,
    json: bool,
    out: &mut dyn Write,
    note: &mut dyn Write,
) -> Result<u64> {
    let idle = Duration::from_secs(args.idle_timeout.max(1));
    let mut cur = Cursor::default();
    let mut backoff = Duration::from_secs(1);
    loop {
        let mut query = vec![("account", account.to_hex())];
        if let Some(k) = &args.kinds {
            query.push(("kinds", k.clone()));
        }
        if let (Some(h), None) = (args.from_height, &cur.last_id) {
            query.push(("from_height", h.to_string()));
        }
        let mut stream = match client.events(&query, cur.last_id.as_deref()).await {
            Ok(s) => s,
            Err(ClientError::Api(a)) if a.status != 503 => return Err(ClientError::Api(a).into()),
            Err(e) => {
                writeln!(note, "watch: {e:#}; retrying in {} s", backoff.as_secs())?;
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(MAX_BACKOFF);
                continue;
            }
        };
        backoff = Duration::from_secs(1);
        // The events of the partly received block printed before the break:
        // the node sends that block again from its start.
        let mut skip = cur.partial;
        loop {
            let e = match stream.next(idle).await {
                Ok(Some(e)) => e,
                Ok(None) => {
                    writeln!(note, "watch: the node closed the stream; reconnecting")?;
                    break;
                }
                Err(e) => {
                    writeln!(note, "watch: {e:#}; reconnecting")?;
                    break;
                }
            };
            match e.event.as_str() {
                "account_event" => {
                    let v: Value = serde_json::from_str(&e.data).context("an account_event that is not JSON")?;
                    let height = v["height"].as_u64().unwrap_or(0);
                    match &mut skip {
                        Some((h, n)) if *h == height && *n > 0 => *n -= 1,
                        _ => {
                            skip = None;
                            print_event(&v, json, out)?;
                            cur.printed += 1;
                            cur.partial = match cur.partial {
                                Some((h, n)) if h == height => Some((h, n + 1)),
                                _ => Some((height, 1)),
                            };
                        }
                    }
                    if let Some(id) = &e.id {
                        cur.resume_after(id);
                    }
                    if args.limit.is_some_and(|l| cur.printed >= l) {
                        return Ok(cur.printed);
                    }
                }
                "end" | "error" => {
                    if let Some(id) = &e.id {
                        cur.resume_after(id);
                    }
                    let v: Value = serde_json::from_str(&e.data).unwrap_or(Value::Null);
                    let msg = v["message"].as_str().unwrap_or(&e.data);
                    writeln!(note, "watch: {}: {msg}; reconnecting", v["code"].as_str().unwrap_or(&e.event))?;
                    if e.event == "error" {
                        tokio::time::sleep(backoff).await;
                    }
                    break;
                }
                _ => {
                    if let Some(id) = &e.id {
                        cur.resume_after(id);
                    }
                }
            }
        }
    }
}

/// One event: an NDJSON line, or `height  tx  kind (role)  key=value …`.
fn print_event(v: &Value, json: bool, out: &mut dyn Write) -> Result<()> {
    if json {
        writeln!(out, "{}", serde_json::to_string(v)?)?;
        return Ok(());
    }
    let ev = &v["event"];
    let attrs: Vec<String> = ev["attributes"]
        .as_array()
        .map(|a| a.iter().filter_map(|p| Some(format!("{}={}", p.get(0)?.as_str()?, p.get(1)?.as_str()?))).collect())
        .unwrap_or_default();
    writeln!(
        out,
        "height {}  tx {}  {} (as {})  {}",
        v["height"],
        v["tx_hash"].as_str().unwrap_or("?"),
        ev["kind"].as_str().unwrap_or("?"),
        v["role"].as_str().unwrap_or("?"),
        attrs.join(" ")
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use tamga_types::request::{verify_headers, Audience, RequestParts, SignatureHeaders};
    use tamga_types::{Hash, SigningKey};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    use super::*;

    /// One request as the fake node saw it: its path and query, and headers (lower case).
    struct Seen {
        pq: String,
        headers: Vec<(String, String)>,
    }

    impl Seen {
        fn header(&self, name: &str) -> Option<&str> {
            self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
        }
    }

    fn event(kind: &str, height: u64, id: Option<u64>, n: u8) -> String {
        let data = serde_json::json!({
            "account": SigningKey::from_seed([4; 32]).public(), "height": height,
            "tx_hash": Hash::digest(b"t", &[n]), "index": 0, "block_time_ms": 1,
            "event": { "kind": kind, "attributes": [["holder", "x"], ["n", n.to_string()]] }, "role": "holder",
        });
        let id = id.map(|i| format!("id: {i}\n")).unwrap_or_default();
        format!("event: account_event\ndata: {data}\n{id}\n")
    }

    /// A node that answers each connection with the next of `bodies` as an
    /// event stream, then closes it; returns what each request carried.
    async fn fake_node(bodies: Vec<String>) -> (String, tokio::task::JoinHandle<Vec<Seen>>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            let mut seen = Vec::new();
            for body in bodies {
                let (mut sock, _) = listener.accept().await.unwrap();
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    sock.read_exact(&mut byte).await.unwrap();
                    head.push(byte[0]);
                }
                let head = String::from_utf8(head).unwrap();
                let mut lines = head.lines();
                let pq = lines.next().unwrap().split(' ').nth(1).unwrap().to_owned();
                let headers = lines
                    .filter_map(|l| l.split_once(':'))
                    .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
                    .collect();
                seen.push(Seen { pq, headers });
                let resp =
                    format!("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n{body}");
                sock.write_all(resp.as_bytes()).await.unwrap();
                sock.shutdown().await.unwrap();
            }
            seen
        });
        (url, task)
    }

    #[tokio::test]
    async fn rule8_watch_signs_resumes_after_a_break_and_prints_each_event_once() {
        // First connection: block 5 whole (two events, the last with its
        // id), one event of block 7, then the node closes the slow feed.
        // Second: block 7 from its start (its first event again) and whole.
        let end = "event: end\nid: 5\ndata: {\"code\":\"SUBSCRIBER_TOO_SLOW\",\"message\":\"resume\"}\n\n";
        let first = format!(
            ": keep-alive\n\n{}{}{}{end}",
            event("frozen", 5, None, 1),
            event("transfer", 5, Some(5), 2),
            event("forced_transfer", 7, None, 3)
        );
        let second = format!("{}{}", event("forced_transfer", 7, None, 3), event("restriction_lifted", 7, Some(7), 4));
        let (url, node) = fake_node(vec![first, second]).await;
        let key = SigningKey::from_seed([4; 32]);
        let audience = Audience { chain_id: "tamga-test".into(), node_key: SigningKey::from_seed([9; 32]).public() };
        let client = Client::new(&url).unwrap().with_signer_for(key.clone(), audience.clone());
        let args = WatchArgs { account: None, from_height: Some(2), kinds: None, limit: Some(4), idle_timeout: 5 };
        let (mut out, mut note) = (Vec::new(), Vec::new());
        let printed = follow(&client, key.public(), &args, true, &mut out, &mut note).await.unwrap();
        assert_eq!(printed, 4);
        let lines: Vec<Value> =
            String::from_utf8(out).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        let got: Vec<(u64, &str)> =
            lines.iter().map(|v| (v["height"].as_u64().unwrap(), v["event"]["kind"].as_str().unwrap())).collect();
        assert_eq!(
            got,
            [(5, "frozen"), (5, "transfer"), (7, "forced_transfer"), (7, "restriction_lifted")],
            "each event once, in order (NDJSON)"
        );
        let note = String::from_utf8(note).unwrap();
        assert!(note.contains("SUBSCRIBER_TOO_SLOW"), "{note}");

        let seen = node.await.unwrap();
        assert_eq!(seen.len(), 2);
        let account = format!("account={}", key.public().to_hex());
        assert!(seen[0].pq.contains(&account) && seen[0].pq.contains("from_height=2"), "{}", seen[0].pq);
        assert_eq!(seen[0].header("last-event-id"), None);
        assert!(seen[1].pq.contains(&account) && !seen[1].pq.contains("from_height"), "{}", seen[1].pq);
        assert_eq!(seen[1].header("last-event-id"), Some("5"), "resumes after the last block received whole");
        for s in &seen {
            let h = SignatureHeaders {
                version: s.header("x-tamga-request-version"),
                key: s.header("x-tamga-key"),
                time: s.header("x-tamga-time"),
                signature: s.header("x-tamga-signature"),
            };
            let now = s.header("x-tamga-time").unwrap().parse().unwrap();
            let req = RequestParts { method: "GET", path_and_query: &s.pq, body: b"" };
            let v = verify_headers(h, &audience, req, now, 1000).unwrap().expect("signed");
            assert_eq!(v.key, key.public(), "signed by the watched account's key");
        }
    }

    #[test]
    fn text_lines_name_height_tx_and_what_happened() {
        let line = event("frozen", 12, Some(12), 1);
        let data = line.lines().find_map(|l| l.strip_prefix("data: ")).unwrap();
        let mut out = Vec::new();
        print_event(&serde_json::from_str(data).unwrap(), false, &mut out).unwrap();
        let out = String::from_utf8(out).unwrap();
        let tx = Hash::digest(b"t", &[1]).to_hex();
        assert_eq!(out, format!("height 12  tx {tx}  frozen (as holder)  holder=x n=1\n"));
    }
}
