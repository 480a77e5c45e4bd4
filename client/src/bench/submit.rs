//! Submission: one task per connection, each owning the transactions of its
//! senders (so one sender's nonces always travel in order over one
//! connection), one `POST /v1/txs` batch in flight at a time.
//!
//! With a target rate each task sends what is due (see [`super::pace`]) at
//! most once per [`SEND_TICK`], as a client library batching its callers'
//! transactions would; without, it sends full batches back to back. Sending
//! each transaction the moment it is due made thousands of one- and
//! two-transaction requests a second, and the nodes spent more on HTTP and
//! the access journal than on the transactions (docs/performance.md).
//! Latency is measured from the send, so the tick adds at most its length to
//! what a transaction waited before it left the client, not to its finality.
//!
//! Back-pressure refusals (429, 503) are retried first thing in the next
//! batch after a short pause; other refusals are final. A request that gets no answer is retried on the next
//! node (the transactions may have been admitted: a later `DUPLICATE_TX` or
//! `ALREADY_COMMITTED` then counts as admitted).

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::de::IgnoredAny;
use serde::Deserialize;

use super::pace::{due_at, due_count};
use super::track::Shared;
use super::workload::Presigned;
use crate::error::ApiError;

/// With a target rate, a connection sends at most one request per tick.
const SEND_TICK: Duration = Duration::from_millis(20);

/// What every submitter shares.
#[derive(Debug)]
pub(crate) struct Plan {
    /// Pre-signed transactions in global submission order.
    pub txs: Presigned,
    /// Target rate; `None`: as fast as accepted.
    pub rate: Option<u32>,
    /// When the load starts.
    pub start: Instant,
    /// Submissions stop this long after `start`.
    pub duration: Duration,
    /// Most transactions per request (the API allows 1000).
    pub batch_max: usize,
    /// `http://host:port/v1/txs` of every reachable node.
    pub urls: Vec<String>,
}

/// One connection's tallies.
#[derive(Clone, Debug, Default)]
pub(crate) struct ConnStats {
    /// Final refusals by code (including back-pressure still unresolved at the end).
    pub rejected: BTreeMap<String, u64>,
    /// Back-pressure refusals that were retried, by code.
    pub throttled: BTreeMap<String, u64>,
    /// Requests without an HTTP answer.
    pub transport_errors: u64,
}

/// Runs connection `conn`, which owns the transactions `own` (ascending indices into `plan.txs`).
pub(crate) async fn connection(shared: Arc<Shared>, plan: Arc<Plan>, conn: usize, own: Vec<u32>) -> ConnStats {
    let mut stats = ConnStats::default();
    let http = match reqwest::Client::builder().pool_max_idle_per_host(1).timeout(Duration::from_secs(30)).build() {
        Ok(h) => h,
        Err(_) => {
            stats.transport_errors += 1;
            return stats;
        }
    };
    let mut node = conn % plan.urls.len();
    let mut pos = 0usize;
    // Back-pressured transactions with their last refusal code, oldest first.
    let mut retry: VecDeque<(u32, String)> = VecDeque::new();
    let deadline = plan.start + plan.duration;
    let mut body = Vec::new();
    loop {
        let now = Instant::now();
        let due = plan.rate.map_or(u64::MAX, |r| due_count(now.min(deadline) - plan.start, r));
        // At the deadline, a paced connection still sends, once, what fell
        // due since its last request (so a run offers `rate × duration`,
        // not that less the last tick), its retries first as always: a
        // sender's later nonce never leaves without the earlier one.
        let late = now >= deadline;
        if late && (plan.rate.is_none() || pos >= own.len() || u64::from(own[pos]) >= due) {
            break;
        }
        let mut batch: Vec<(u32, bool)> = Vec::with_capacity(plan.batch_max);
        while batch.len() < plan.batch_max {
            let Some((i, _)) = retry.pop_front() else { break };
            batch.push((i, false));
        }
        while batch.len() < plan.batch_max && pos < own.len() && u64::from(own[pos]) < due {
            batch.push((own[pos], true));
            pos += 1;
        }
        if batch.is_empty() {
            match (pos < own.len(), plan.rate) {
                (false, _) => break,
                (true, Some(r)) => {
                    let at = (plan.start + due_at(u64::from(own[pos]), r)).min(deadline);
                    tokio::time::sleep_until(at.into()).await;
                    continue;
                }
                (true, None) => continue,
            }
        }
        batch_body(&plan.txs, batch.iter().map(|(i, _)| *i), &mut body);
        let now_us = shared.now_us();
        for (i, first) in batch.iter_mut() {
            // `first` becomes: this is the transaction's first send.
            *first = shared.mark_sent_at(*i, now_us);
        }
        let sent_at = Instant::now();
        let capacity = body.len();
        let sending = std::mem::replace(&mut body, Vec::with_capacity(capacity));
        let mut answer = post(&http, &plan.urls[node], sending).await;
        if let Ok(Answer::Batch(items)) = &answer {
            if items.len() != batch.len() {
                let message = format!("{} results for {} transactions", items.len(), batch.len());
                answer = Ok(Answer::Whole(ApiError { status: 0, code: "BAD_ANSWER".into(), message, field: None }));
            }
        }
        let mut backoff = false;
        match answer {
            Err(()) => {
                stats.transport_errors += 1;
                for (i, _) in batch.iter().rev() {
                    retry.push_front((*i, "NO_ANSWER".into()));
                }
                node = (node + 1) % plan.urls.len();
                backoff = true;
            }
            Ok(Answer::Batch(items)) => {
                for ((i, first), item) in batch.iter().zip(items) {
                    match item {
                        Ok(()) => shared.mark_admitted(*i),
                        Err(e) if e.is_transient() => {
                            *stats.throttled.entry(e.code.clone()).or_default() += 1;
                            retry.push_back((*i, e.code));
                            backoff = true;
                        }
                        Err(e) if !first && matches!(e.code.as_str(), "DUPLICATE_TX" | "ALREADY_COMMITTED") => {
                            // An earlier send without an answer did reach a node.
                            shared.mark_admitted(*i);
                        }
                        Err(e) => {
                            *stats.rejected.entry(e.code).or_default() += 1;
                            shared.mark_rejected(*i);
                        }
                    }
                }
            }
            Ok(Answer::Whole(e)) => {
                if e.is_transient() {
                    *stats.throttled.entry(e.code.clone()).or_default() += batch.len() as u64;
                    for (i, _) in batch.iter().rev() {
                        retry.push_front((*i, e.code.clone()));
                    }
                    backoff = true;
                } else {
                    *stats.rejected.entry(e.code.clone()).or_default() += batch.len() as u64;
                    for (i, _) in &batch {
                        shared.mark_rejected(*i);
                    }
                }
            }
        }
        if backoff {
            let pause = Duration::from_millis(if plan.rate.is_some() { 20 } else { 50 });
            tokio::time::sleep_until((Instant::now() + pause).min(deadline).into()).await;
        } else if plan.rate.is_some() {
            tokio::time::sleep_until((sent_at + SEND_TICK).min(deadline).into()).await;
        }
    }
    // Whatever is still waiting for a retry was never admitted.
    for (i, code) in retry {
        *stats.rejected.entry(code).or_default() += 1;
        shared.mark_rejected(i);
    }
    stats
}

enum Answer {
    /// One result per transaction: admitted or refused.
    Batch(Vec<Result<(), ApiError>>),
    /// The request as a whole was refused.
    Whole(ApiError),
}

/// Writes the `POST /v1/txs` batch body `{"txs":["<hex>",…]}` of the
/// transactions `batch` into `body` (cleared first), hex-encoding the
/// pre-encoded bytes in place: no JSON serializer and no allocation per
/// transaction (docs/api.md, `POST /v1/txs`).
pub(crate) fn batch_body(txs: &Presigned, batch: impl IntoIterator<Item = u32>, body: &mut Vec<u8>) {
    body.clear();
    body.extend_from_slice(b"{\"txs\":[");
    for (n, i) in batch.into_iter().enumerate() {
        if n > 0 {
            body.push(b',');
        }
        body.push(b'"');
        let bytes = txs.get(i as usize);
        let at = body.len();
        body.resize(at + 2 * bytes.len(), 0);
        // Cannot fail: the target is exactly twice the length of the input.
        let _ = hex::encode_to_slice(bytes, &mut body[at..]);
        body.push(b'"');
    }
    body.extend_from_slice(b"]}");
}

/// The batch answer as the submitter reads it: whether each item has a hash
/// or an error, without decoding the hashes it already knows.
#[derive(Deserialize)]
struct BatchAnswer {
    results: Vec<BatchItem>,
}

#[derive(Deserialize)]
struct BatchItem {
    #[serde(default)]
    hash: Option<IgnoredAny>,
    #[serde(default)]
    error: Option<ApiError>,
}

fn batch_results(bytes: &[u8]) -> Option<Vec<Result<(), ApiError>>> {
    let a: BatchAnswer = serde_json::from_slice(bytes).ok()?;
    Some(
        a.results
            .into_iter()
            .map(|r| match r.error {
                Some(e) => Err(e),
                None if r.hash.is_some() => Ok(()),
                None => Err(no_result()),
            })
            .collect(),
    )
}

async fn post(http: &reqwest::Client, url: &str, body: Vec<u8>) -> Result<Answer, ()> {
    let resp = http.post(url).header("content-type", "application/json").body(body).send().await.map_err(|_| ())?;
    let status = resp.status().as_u16();
    let bytes = resp.bytes().await.map_err(|_| ())?;
    if status == 200 {
        if let Some(items) = batch_results(&bytes) {
            return Ok(Answer::Batch(items));
        }
    }
    let mut e = serde_json::from_slice::<ApiError>(&bytes).unwrap_or_else(|_| ApiError {
        status,
        code: format!("HTTP_{status}"),
        message: String::from_utf8_lossy(&bytes).chars().take(200).collect(),
        field: None,
    });
    e.status = status;
    Ok(Answer::Whole(e))
}

fn no_result() -> ApiError {
    ApiError { status: 0, code: "NO_RESULT".into(), message: "neither a hash nor an error".into(), field: None }
}

#[cfg(test)]
mod tests {
    use tamga_types::{ChainId, Payload, PublicKey, SignedTransaction, SigningKey, Transaction};

    use super::*;
    use crate::wire::SubmitBody;

    fn presigned(n: usize) -> (Presigned, Vec<SignedTransaction>) {
        let key = SigningKey::from_seed([7; 32]);
        let mut p = Presigned::default();
        let mut txs = Vec::new();
        for nonce in 0..n as u64 {
            let t = Transaction {
                chain_id: ChainId::new("tamga-test").unwrap(),
                signer: key.public(),
                nonce,
                payload: Payload::Transfer { class: tamga_types::ClassId(1), to: PublicKey([9; 32]), amount: 1 },
                memo: None,
            }
            .sign(&key);
            p.bytes.extend_from_slice(&t.encode());
            p.ends.push(p.bytes.len());
            p.hashes.push(t.hash());
            txs.push(t);
        }
        (p, txs)
    }

    #[test]
    fn batch_body_is_the_documented_json() {
        let (p, txs) = presigned(4);
        let mut body = b"stale".to_vec();
        batch_body(&p, [2, 0, 3], &mut body);
        let parsed: SubmitBody = serde_json::from_slice(&body).unwrap();
        assert_eq!(parsed.tx, None);
        let want: Vec<String> = [2, 0, 3].iter().map(|i| hex::encode(txs[*i].encode())).collect();
        assert_eq!(parsed.txs, Some(want));
        // Each item decodes back to the very transaction that was signed.
        for (h, i) in parsed.txs.unwrap().iter().zip([2, 0, 3]) {
            assert_eq!(SignedTransaction::decode(&hex::decode(h).unwrap()).unwrap(), txs[i]);
        }
        batch_body(&p, [1], &mut body);
        assert_eq!(body, format!("{{\"txs\":[\"{}\"]}}", hex::encode(txs[1].encode())).into_bytes());
    }

    /// A stand-in node for `POST /v1/txs`: a bare HTTP/1.1 server that
    /// records every batch it is sent (as transaction indices, found by
    /// their bytes) and admits each transaction, or with `throttle_first`
    /// refuses each one the first time with 429 `ACCOUNT_QUEUE_FULL`.
    async fn stand_in_node(p: &Presigned, throttle_first: bool) -> (String, Arc<std::sync::Mutex<Vec<Vec<usize>>>>) {
        use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/v1/txs", listener.local_addr().unwrap());
        let seen = Arc::new(std::sync::Mutex::new(Vec::<Vec<usize>>::new()));
        let by_hex: std::collections::HashMap<String, usize> =
            (0..p.len()).map(|i| (hex::encode(p.get(i)), i)).collect();
        let by_hex = Arc::new(by_hex);
        let log = seen.clone();
        tokio::spawn(async move {
            let throttled = Arc::new(std::sync::Mutex::new(std::collections::HashSet::new()));
            loop {
                let (sock, _) = listener.accept().await.unwrap();
                let (log, by_hex, throttled) = (log.clone(), by_hex.clone(), throttled.clone());
                tokio::spawn(async move {
                    let mut sock = BufReader::new(sock);
                    loop {
                        let mut length = 0usize;
                        loop {
                            let mut line = String::new();
                            if sock.read_line(&mut line).await.unwrap_or(0) == 0 {
                                return;
                            }
                            if line == "\r\n" {
                                break;
                            }
                            if let Some((k, v)) = line.split_once(':') {
                                if k.eq_ignore_ascii_case("content-length") {
                                    length = v.trim().parse().unwrap();
                                }
                            }
                        }
                        let mut body = vec![0; length];
                        sock.read_exact(&mut body).await.unwrap();
                        let parsed: SubmitBody = serde_json::from_slice(&body).unwrap();
                        let batch: Vec<usize> = parsed.txs.unwrap().iter().map(|h| by_hex[h]).collect();
                        let items: Vec<String> = batch
                            .iter()
                            .map(|i| {
                                if throttle_first && throttled.lock().unwrap().insert(*i) {
                                    r#"{"error":{"status":429,"code":"ACCOUNT_QUEUE_FULL","message":"full"}}"#
                                        .to_owned()
                                } else {
                                    format!(r#"{{"hash":"{i}"}}"#)
                                }
                            })
                            .collect();
                        log.lock().unwrap().push(batch);
                        let answer = format!(r#"{{"results":[{}]}}"#, items.join(","));
                        let head = format!(
                            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                            answer.len()
                        );
                        let sock = sock.get_mut();
                        sock.write_all(head.as_bytes()).await.unwrap();
                        sock.write_all(answer.as_bytes()).await.unwrap();
                    }
                });
            }
        });
        (url, seen)
    }

    async fn run_connection(
        n: usize,
        rate: Option<u32>,
        duration: Duration,
        throttle_first: bool,
    ) -> (Shared, Vec<Vec<usize>>, ConnStats) {
        let (p, _) = presigned(n);
        let (url, seen) = stand_in_node(&p, throttle_first).await;
        let start = Instant::now();
        let shared = Arc::new(Shared::new(start, p.hashes.clone()));
        let plan = Arc::new(Plan { txs: p, rate, start, duration, batch_max: 50, urls: vec![url] });
        let stats = connection(shared.clone(), plan, 0, (0..n as u32).collect()).await;
        let seen = seen.lock().unwrap().clone();
        (Arc::try_unwrap(shared).unwrap(), seen, stats)
    }

    #[tokio::test]
    async fn a_paced_connection_offers_every_planned_transaction_once_in_order() {
        // 300 ms at 2,000/s: 600 planned; whatever the machine's load, the
        // deadline's last request sends what is still due.
        let n = crate::bench::pace::planned(Duration::from_millis(300), 2000) as usize;
        let (shared, seen, stats) = run_connection(n, Some(2000), Duration::from_millis(300), false).await;
        let sent: Vec<usize> = seen.iter().flatten().copied().collect();
        assert_eq!(sent, (0..n).collect::<Vec<_>>(), "each once, in nonce order");
        assert!(seen.iter().all(|b| !b.is_empty() && b.len() <= 50), "batches within 1..=50");
        assert!(seen.len() >= n / 50);
        assert_eq!(shared.offered.load(std::sync::atomic::Ordering::Relaxed), n as u64);
        assert_eq!(shared.admitted.load(std::sync::atomic::Ordering::Relaxed), n as u64);
        assert_eq!((stats.transport_errors, stats.rejected.len(), stats.throttled.len()), (0, 0, 0));
    }

    #[tokio::test]
    async fn back_pressure_is_retried_first_and_counted() {
        // Without a rate the connection stops once all are admitted, long before 30 s.
        let (shared, seen, stats) = run_connection(120, None, Duration::from_secs(30), true).await;
        // Every transaction refused once and admitted on its retry, which
        // leads the next batch: a sender's nonces still arrive in order.
        assert_eq!(shared.admitted.load(std::sync::atomic::Ordering::Relaxed), 120);
        assert_eq!(stats.throttled.get("ACCOUNT_QUEUE_FULL"), Some(&120));
        assert!(stats.rejected.is_empty());
        let sent: Vec<usize> = seen.iter().flatten().copied().collect();
        assert_eq!(sent.len(), 240);
        let mut admitted_order = Vec::new();
        let mut once = std::collections::HashSet::new();
        for i in sent {
            if !once.insert(i) {
                admitted_order.push(i);
            }
        }
        assert_eq!(admitted_order, (0..120).collect::<Vec<_>>());
    }

    #[test]
    fn batch_answer_items_in_order() {
        let body = br#"{"results":[{"hash":"ab"},{"error":{"status":429,"code":"NONCE_TOO_FAR","message":"m"}},{}]}"#;
        let items = batch_results(body).unwrap();
        assert_eq!(items.len(), 3);
        assert!(items[0].is_ok());
        let e = items[1].clone().unwrap_err();
        assert_eq!((e.code.as_str(), e.is_transient()), ("NONCE_TOO_FAR", true));
        assert_eq!(items[2].clone().unwrap_err().code, "NO_RESULT");
        assert!(batch_results(b"{\"code\":\"X\"}").is_none(), "an error body is not a batch answer");
    }
}
