//! The access journal behind the real router (SPEC §12): every request,
//! answered, refused or unknown, becomes one entry with who, route, object
//! and status, and the chain verifies.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::extract::ConnectInfo;
use axum::Router;

use super::*;
use crate::journal::{self, Entry, Journal, Settings};

use crate::now_ms;

/// The scenario node with a journal in `dir`.
fn journaled(dir: &std::path::Path) -> (Node, Journal) {
    let mut n = Node::scenario();
    let j = Journal::open(
        Settings { sync_interval: Duration::from_millis(20), ..Settings::in_dir(dir) },
        n.ctx.metrics.clone(),
    )
    .unwrap();
    n.ctx.journal = Some(j.handle());
    (n, j)
}

fn entries(dir: &std::path::Path) -> Vec<Entry> {
    let mut files: Vec<_> = journal::archived_segments(dir).unwrap().into_iter().map(|(_, p)| p).collect();
    files.push(dir.join(journal::CURRENT));
    files
        .iter()
        .flat_map(|f| {
            std::fs::read_to_string(f)
                .unwrap()
                .lines()
                .map(|l| Entry::decode(l.as_bytes()).unwrap())
                .collect::<Vec<_>>()
        })
        .collect()
}

async fn send(app: &Router, req: Request<Body>) -> StatusCode {
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let _ = axum::body::to_bytes(resp.into_body(), usize::MAX).await.unwrap();
    status
}

fn get(uri: &str) -> Request<Body> {
    Request::builder().uri(uri).body(Body::empty()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_reads_make_ten_thousand_entries_that_verify() {
    let dir = tempfile::tempdir().unwrap();
    let (n, j) = journaled(dir.path());
    let app = router(n.ctx.clone());
    let uris = ["/v1/parties/3", "/v1/classes/1", "/v1/status", "/v1/blocks/2", "/v1/accounts/{alice}"];
    let alice = n.c.alice.public().to_string();
    for i in 0..10_000usize {
        let uri = uris[i % uris.len()].replace("{alice}", &alice);
        assert_eq!(send(&app, get(&uri)).await, StatusCode::OK, "{uri}");
    }
    let head = j.flush().await.unwrap().unwrap();
    assert_eq!(head.seq, 9_999);
    let report = journal::verify(dir.path()).unwrap();
    assert_eq!(report.entries, 10_000);
    assert_eq!(report.head.map(|h| h.hash), Some(report.last_hash));
    assert_eq!(n.ctx.metrics.journal_entries.get(), 10_000);

    let all = entries(dir.path());
    assert_eq!(all.len(), 10_000);
    for (i, e) in all.iter().enumerate() {
        assert_eq!(e.seq, i as u64);
        assert_eq!((e.method.as_str(), e.status, e.who.as_str()), ("GET", 200, "anonymous@unknown"));
    }
    let count = |route: &str| all.iter().filter(|e| e.route.as_deref() == Some(route)).count();
    assert_eq!(count("/v1/parties/{id}"), 2_000);
    assert_eq!(count("/v1/accounts/{key}"), 2_000);
    assert!(all.iter().any(|e| e.object == format!("/v1/accounts/{alice}")));
    assert_eq!(all.iter().filter(|e| e.object == "/v1/blocks/2").count(), 2_000);
}

#[tokio::test]
async fn who_route_object_and_status_of_signed_refused_and_unknown_requests() {
    let dir = tempfile::tempdir().unwrap();
    let (n, j) = journaled(dir.path());
    let app = router(n.ctx.clone());
    let addr: SocketAddr = "10.1.2.3:45678".parse().unwrap();

    // Anonymous, with the client address the server's connect info gives.
    let mut req = get("/v1/parties/3?fields=all");
    req.extensions_mut().insert(ConnectInfo(addr));
    assert_eq!(send(&app, req).await, StatusCode::OK);

    // Signed by the regulator.
    let uri = "/v1/mining-notifications/1";
    let mut req = Request::builder().uri(uri);
    for (name, value) in tamga_types::request::sign_headers(&n.c.reg, &super::audience(), "GET", uri, now_ms(), b"") {
        req = req.header(name, value);
    }
    let mut req = req.body(Body::empty()).unwrap();
    req.extensions_mut().insert(ConnectInfo(addr));
    assert_eq!(send(&app, req).await, StatusCode::OK);

    // A stale signature: refused by auth, journaled anyway with the key it claimed.
    let mut req = Request::builder().uri("/v1/parties/1");
    for (name, value) in
        tamga_types::request::sign_headers(&n.c.alice, &super::audience(), "GET", "/v1/parties/1", 1_000, b"")
    {
        req = req.header(name, value);
    }
    assert_eq!(send(&app, req.body(Body::empty()).unwrap()).await, StatusCode::UNAUTHORIZED);

    // An unknown route and a wrong method.
    assert_eq!(send(&app, get("/v1/nothing-here")).await, StatusCode::NOT_FOUND);
    let req = Request::builder().method("DELETE").uri("/v1/status").body(Body::empty()).unwrap();
    assert_eq!(send(&app, req).await, StatusCode::METHOD_NOT_ALLOWED);

    j.flush().await.unwrap();
    let e = entries(dir.path());
    assert_eq!(e.len(), 5);
    assert_eq!(e[0].who, "anonymous@10.1.2.3:45678");
    assert_eq!((e[0].route.as_deref(), e[0].object.as_str()), (Some("/v1/parties/{id}"), "/v1/parties/3?fields=all"));
    assert_eq!((e[0].party, e[0].regulator, e[0].claimed_key.as_deref()), (None, false, None));

    assert_eq!(e[1].who, format!("account:{}", n.c.reg.public()));
    assert_eq!((e[1].party, e[1].regulator, e[1].status), (Some(1), true, 200));
    assert_eq!(e[1].route.as_deref(), Some("/v1/mining-notifications/{id}"));

    assert_eq!((e[2].status, e[2].who.as_str()), (401, "anonymous@unknown"));
    assert_eq!(e[2].claimed_key, Some(n.c.alice.public().to_string()));

    assert_eq!((e[3].status, e[3].route.as_deref(), e[3].object.as_str()), (404, None, "/v1/nothing-here"));
    assert_eq!((e[4].status, e[4].method.as_str()), (405, "DELETE"));
    assert_eq!(journal::verify(dir.path()).unwrap().entries, 5);
}

#[tokio::test]
async fn a_request_that_cannot_be_journaled_is_not_served() {
    let dir = tempfile::tempdir().unwrap();
    let mut n = Node::scenario();
    let settings = Settings { queue: 1, enqueue_timeout: Duration::from_millis(30), ..Settings::in_dir(dir.path()) };
    let j = Journal::open(settings, n.ctx.metrics.clone()).unwrap();
    let h = j.handle();
    n.ctx.journal = Some(h.clone());
    // The only queue place is taken and the writer cannot free it.
    let held = h.reserve().await.unwrap();
    let (status, body) = n.get("/v1/status").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(code(&body), "JOURNAL_UNAVAILABLE");
    assert_eq!(n.ctx.metrics.journal_refused.get(), 1);
    drop(held);
    assert_eq!(n.get("/v1/status").await.0, StatusCode::OK);
    j.flush().await.unwrap();
    assert_eq!(journal::verify(dir.path()).unwrap().entries, 1, "only the served request is journaled");
}

/// Journal overhead on the API path: the same reads through the real router
/// with the journal off and on, alternating rounds; prints throughput and
/// latency percentiles. Figures and conditions are in `docs/journal.md`.
/// Run: `cargo test --workspace --profile ci -p tamga-node --lib -- --ignored journal_overhead --nocapture`
/// (`JOURNAL_BENCH_REQUESTS`, `JOURNAL_BENCH_CONCURRENCY`, `JOURNAL_BENCH_DIR` to vary).
#[tokio::test(flavor = "multi_thread")]
#[ignore]
async fn journal_overhead() {
    let env = |k: &str, d: usize| std::env::var(k).ok().and_then(|v| v.parse().ok()).unwrap_or(d);
    let total = env("JOURNAL_BENCH_REQUESTS", 40_000);
    let conc = env("JOURNAL_BENCH_CONCURRENCY", 32);
    let base =
        std::env::var("JOURNAL_BENCH_DIR").map(std::path::PathBuf::from).unwrap_or_else(|_| std::env::temp_dir());
    let dir = tempfile::tempdir_in(base).unwrap();
    let (mut n, j) = journaled(dir.path());
    let on = n.ctx.journal.clone();
    println!(
        "journal_overhead: {total} requests per round, {conc} concurrent, {} worker threads, journal in {}",
        std::thread::available_parallelism().map(|p| p.get()).unwrap_or(0),
        dir.path().display()
    );
    for uri in ["/health", "/v1/parties/3"] {
        let mut results: Vec<(bool, f64, Vec<u64>)> = Vec::new();
        for round in 0..6 {
            let journal_on = round % 2 == 1;
            n.ctx.journal = if journal_on { on.clone() } else { None };
            let app = router(n.ctx.clone());
            let started = Instant::now();
            let mut tasks = Vec::new();
            for _ in 0..conc {
                let app = app.clone();
                let per = total / conc;
                tasks.push(tokio::spawn(async move {
                    let mut lat = Vec::with_capacity(per);
                    for _ in 0..per {
                        let t = Instant::now();
                        assert_eq!(send(&app, get(uri)).await, StatusCode::OK);
                        lat.push(t.elapsed().as_nanos() as u64);
                    }
                    lat
                }));
            }
            let mut lat = Vec::new();
            for t in tasks {
                lat.extend(t.await.unwrap());
            }
            let secs = started.elapsed().as_secs_f64();
            if journal_on {
                j.flush().await.unwrap();
            }
            lat.sort_unstable();
            results.push((journal_on, lat.len() as f64 / secs, lat));
        }
        for journal_on in [false, true] {
            let rounds: Vec<_> = results.iter().filter(|r| r.0 == journal_on).skip(1).collect(); // first round of each warms up
            let rps: f64 = rounds.iter().map(|r| r.1).sum::<f64>() / rounds.len() as f64;
            let pct = |p: f64| {
                let v: Vec<f64> = rounds
                    .iter()
                    .map(|r| r.2[((r.2.len() as f64 * p) as usize).min(r.2.len() - 1)] as f64 / 1000.0)
                    .collect();
                v.iter().sum::<f64>() / v.len() as f64
            };
            println!(
                "  {uri:<16} journal {:<3}: {rps:>9.0} req/s   p50 {:>7.1} µs   p99 {:>7.1} µs   p99.9 {:>7.1} µs",
                if journal_on { "on" } else { "off" },
                pct(0.50),
                pct(0.99),
                pct(0.999)
            );
        }
    }
    let m = n.ctx.metrics.encode();
    let line = |name: &str| m.lines().find(|l| l.starts_with(name)).unwrap_or("").to_owned();
    println!(
        "  {}\n  {}\n  {}",
        line("tamga_journal_entries_total"),
        line("tamga_journal_write_seconds_sum"),
        line("tamga_journal_write_seconds_count")
    );
    drop(on);
    n.ctx.journal = None;
    j.close().await.unwrap();
    assert!(journal::verify(dir.path()).unwrap().entries > 0);
}
