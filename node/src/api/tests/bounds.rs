//! The API's bounds over real TCP against the in-process server
//! (`api::server`, `api::limits`): connections at accept, header and body
//! timeouts, the body budget, requests in flight, the rate limiter and
//! event streams whose client does not read.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

use super::*;
use crate::api::limits::{ApiLimits, Guards, PerClient};
use crate::api::{EventHub, Server};

/// Short limits for tests: every timeout within a second or two.
fn quick() -> ApiLimits {
    ApiLimits {
        header_read_timeout: Duration::from_millis(500),
        body_read_timeout: Duration::from_millis(500),
        idle_timeout: Duration::from_millis(1_000),
        sse_keep_alive: Duration::from_millis(200),
        ..ApiLimits::default()
    }
}

/// Serves `n` with `limits` on a fresh port; returns the address and the connection count.
async fn serve(n: &mut Node, limits: ApiLimits) -> (SocketAddr, Arc<PerClient>) {
    n.ctx.events = EventHub::with_limits(&limits);
    n.ctx.guards = Guards::new(limits);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = Server::new(listener, n.ctx.clone());
    let addr = server.local_addr().unwrap();
    let conns = server.connections();
    tokio::spawn(server.run());
    (addr, conns)
}

/// Waits until `f` holds (at most `max`).
async fn until(max: Duration, what: &str, f: impl Fn() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < max, "{what}: not after {max:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Whether the server closed `s` (EOF or reset) within `max`; skips what it sent.
async fn closed_within(s: &mut TcpStream, max: Duration) -> bool {
    let mut buf = [0u8; 4096];
    let start = Instant::now();
    loop {
        let left = max.saturating_sub(start.elapsed());
        match tokio::time::timeout(left, s.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue,
        }
    }
}

/// An answer read from a raw socket.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: serde_json::Value,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Reads one HTTP/1.1 answer with a `content-length` body.
async fn answer(s: &mut TcpStream) -> Answer {
    let mut raw = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = tokio::time::timeout(Duration::from_secs(5), s.read(&mut buf)).await.expect("answer in time").unwrap();
        assert!(n > 0, "closed before an answer: {}", String::from_utf8_lossy(&raw));
        raw.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&raw[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let len: usize = headers.iter().find(|(k, _)| k == "content-length").map(|(_, v)| v.parse().unwrap()).unwrap_or(0);
    while raw.len() < head_end + len {
        let n = s.read(&mut buf).await.unwrap();
        assert!(n > 0);
        raw.extend_from_slice(&buf[..n]);
    }
    let body = serde_json::from_slice(&raw[head_end..head_end + len]).unwrap_or(serde_json::Value::Null);
    Answer { status, headers, body }
}

async fn get(addr: SocketAddr, path: &str, lang: &str) -> Answer {
    let mut s = TcpStream::connect(addr).await.unwrap();
    let req = format!("GET {path} HTTP/1.1\r\nHost: node\r\nAccept-Language: {lang}\r\n\r\n");
    s.write_all(req.as_bytes()).await.unwrap();
    answer(&mut s).await
}

/// Connects from `ip` (any 127.0.0.0/8 address on Linux's loopback).
async fn connect_from(ip: &str, to: SocketAddr) -> TcpStream {
    let sock = TcpSocket::new_v4().unwrap();
    sock.bind(format!("{ip}:0").parse().unwrap()).unwrap();
    sock.connect(to).await.unwrap()
}

#[tokio::test]
async fn connections_past_the_limits_are_closed_at_accept() {
    let mut n = Node::new();
    let limits = ApiLimits { max_connections: 4, max_connections_per_ip: 3, ..quick() };
    let (addr, conns) = serve(&mut n, ApiLimits { header_read_timeout: Duration::from_secs(30), ..limits }).await;
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(connect_from("127.0.0.1", addr).await);
    }
    until(Duration::from_secs(5), "three connections counted", || conns.count() == 3).await;
    // The fourth from the same address is closed before it is read.
    let mut fourth = connect_from("127.0.0.1", addr).await;
    assert!(closed_within(&mut fourth, Duration::from_secs(5)).await, "past the per-address limit");
    // Another address still gets in, up to the total.
    let mut other = connect_from("127.0.0.2", addr).await;
    until(Duration::from_secs(5), "four connections counted", || conns.count() == 4).await;
    let mut fifth = connect_from("127.0.0.3", addr).await;
    assert!(closed_within(&mut fifth, Duration::from_secs(5)).await, "past the total limit");
    // The connections held are served.
    other.write_all(b"GET /health HTTP/1.1\r\nHost: node\r\n\r\n").await.unwrap();
    assert_eq!(answer(&mut other).await.status, 200);
    // Closing one gives its place back.
    drop(held.pop());
    until(Duration::from_secs(5), "the closed connection given back", || conns.count() == 3).await;
    let mut again = connect_from("127.0.0.1", addr).await;
    again.write_all(b"GET /health HTTP/1.1\r\nHost: node\r\n\r\n").await.unwrap();
    assert_eq!(answer(&mut again).await.status, 200);
    let text = n.ctx.metrics.encode();
    assert!(text.contains(r#"tamga_api_refused_total{code="connection_limit_per_ip"} 1"#), "{text}");
    assert!(text.contains(r#"tamga_api_refused_total{code="connection_limit"} 1"#), "{text}");
}

#[tokio::test]
async fn slowloris_and_idle_keep_alive_are_closed_after_the_header_timeout() {
    let mut n = Node::new();
    let (addr, conns) = serve(&mut n, quick()).await;
    // Half a request head, then silence.
    let mut slow = TcpStream::connect(addr).await.unwrap();
    let start = Instant::now();
    slow.write_all(b"GET /health HTTP/1.1\r\nHost: no").await.unwrap();
    // A byte now and then does not extend the deadline.
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let _ = slow.write_all(b"d").await;
    }
    assert!(closed_within(&mut slow, Duration::from_secs(3)).await, "slowloris still open");
    let took = start.elapsed();
    assert!(took >= Duration::from_millis(400) && took < Duration::from_millis(2_500), "{took:?}");
    // A connection that never sends a byte, and one idle after an answer.
    let mut silent = TcpStream::connect(addr).await.unwrap();
    let mut kept = TcpStream::connect(addr).await.unwrap();
    kept.write_all(b"GET /health HTTP/1.1\r\nHost: node\r\n\r\n").await.unwrap();
    assert_eq!(answer(&mut kept).await.status, 200);
    assert!(closed_within(&mut silent, Duration::from_secs(3)).await, "silent connection still open");
    assert!(closed_within(&mut kept, Duration::from_secs(3)).await, "idle keep-alive still open");
    until(Duration::from_secs(5), "no connection left", || conns.count() == 0).await;
    assert!(n.ctx.metrics.encode().contains(r#"tamga_api_refused_total{code="header_timeout"}"#));
}

/// A POST whose body declares `len` bytes but sends only `sent`.
async fn stalled_post(addr: SocketAddr, len: usize, sent: usize) -> TcpStream {
    let mut s = TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /v1/verify HTTP/1.1\r\nHost: node\r\nContent-Type: application/json\r\nContent-Length: {len}\r\n\r\n"
    );
    s.write_all(head.as_bytes()).await.unwrap();
    s.write_all(&vec![b' '; sent]).await.unwrap();
    s
}

#[tokio::test]
async fn a_stalled_body_is_dropped_after_the_body_timeout() {
    let mut n = Node::new();
    let (addr, conns) = serve(&mut n, quick()).await;
    let start = Instant::now();
    let mut s = stalled_post(addr, 4_000_000, 3_900_000).await;
    let a = answer(&mut s).await;
    assert_eq!((a.status, a.body["code"].as_str()), (408, Some("BODY_TIMEOUT")), "{}", a.body);
    assert!(start.elapsed() < Duration::from_secs(3));
    assert!(closed_within(&mut s, Duration::from_secs(3)).await, "the connection of a timed-out body is closed");
    until(Duration::from_secs(5), "no connection left", || conns.count() == 0).await;
    assert_eq!(n.ctx.guards.body_budget.available_permits(), n.ctx.guards.limits.body_budget_bytes, "budget returned");
}

#[tokio::test]
async fn the_body_budget_is_shared_by_all_requests() {
    let mut n = Node::new();
    let limits = ApiLimits { body_budget_bytes: 100_000, body_read_timeout: Duration::from_secs(30), ..quick() };
    let (addr, _) = serve(&mut n, limits).await;
    // One request holds 80 kB of the 100 kB budget while its body trickles in.
    let first = stalled_post(addr, 80_000, 1_000).await;
    until(Duration::from_secs(5), "the first body's share taken", || {
        n.ctx.guards.body_budget.available_permits() == 20_000
    })
    .await;
    let mut second = stalled_post(addr, 30_000, 0).await;
    let a = answer(&mut second).await;
    assert_eq!((a.status, a.body["code"].as_str()), (503, Some("BODY_BUDGET_EXHAUSTED")), "{}", a.body);
    assert!(a.header("retry-after").is_some());
    assert!(a.body["message"].as_str().unwrap().contains("100000"), "{}", a.body);
    // When the first client goes away, its share comes back.
    drop(first);
    until(Duration::from_secs(5), "budget returned", || n.ctx.guards.body_budget.available_permits() == 100_000).await;
    let mut third = stalled_post(addr, 30_000, 30_000).await;
    let a = answer(&mut third).await;
    assert_ne!(a.status, 503, "{}", a.body);
}

#[tokio::test]
async fn requests_in_flight_are_bounded() {
    let mut n = Node::new();
    let limits = ApiLimits { max_in_flight_requests: 1, body_read_timeout: Duration::from_secs(30), ..quick() };
    let (addr, _) = serve(&mut n, limits).await;
    // A request whose body is still arriving is in flight.
    let _slow = stalled_post(addr, 1_000, 10).await;
    until(Duration::from_secs(5), "the slow request in flight", || n.ctx.guards.in_flight.available_permits() == 0)
        .await;
    let a = get(addr, "/health", "ru").await;
    assert_eq!((a.status, a.body["code"].as_str()), (503, Some("OVERLOADED")), "{}", a.body);
    assert_eq!(a.header("content-language"), Some("ru"));
    assert!(a.header("retry-after").is_some());
}

#[tokio::test]
async fn the_rate_limiter_answers_429_with_retry_after_in_the_asked_language() {
    let mut n = Node::new();
    let limits = ApiLimits { rate_limit_per_s: 1, rate_limit_burst: 2, ..quick() };
    let (addr, _) = serve(&mut n, limits).await;
    assert_eq!(get(addr, "/health", "kk").await.status, 200);
    assert_eq!(get(addr, "/health", "kk").await.status, 200);
    let a = get(addr, "/health", "kk").await;
    assert_eq!((a.status, a.body["code"].as_str()), (429, Some("RATE_LIMITED")), "{}", a.body);
    let retry: u64 = a.header("retry-after").expect("Retry-After").parse().unwrap();
    assert!((1..=2).contains(&retry), "{retry}");
    assert_eq!(a.header("content-language"), Some("kk"));
    let message = a.body["message"].as_str().unwrap();
    assert!(message.contains("127.0.0.1") && message.contains("мекенжайынан"), "{message}");
    // Another client address has its own bucket.
    let mut other = connect_from("127.0.0.2", addr).await;
    other.write_all(b"GET /health HTTP/1.1\r\nHost: node\r\n\r\n").await.unwrap();
    assert_eq!(answer(&mut other).await.status, 200);
}

/// A chain of `blocks` blocks of `per_block` failed transfers each: a few
/// MB of events for a replay from height 1.
fn long_chain(blocks: u64, per_block: u64) -> Node {
    let mut n = Node::new();
    let bob = n.c.bob.clone();
    for b in 0..blocks {
        let txs = (0..per_block)
            .map(|i| {
                let payload = Payload::Transfer { class: ClassId(1), to: n.c.alice.public(), amount: 1 };
                sign(&bob, b * per_block + i, payload)
            })
            .collect();
        n.block(txs);
    }
    n
}

#[tokio::test]
async fn an_event_subscriber_that_never_reads_is_dropped() {
    let mut n = long_chain(60, 100);
    let limits = ApiLimits {
        sse_buffer_bytes: 8 * 1024,
        connection_buffer_bytes: 8 * 1024,
        socket_send_buffer_bytes: 8 * 1024,
        ..quick()
    };
    let (addr, conns) = serve(&mut n, limits).await;
    let hub = n.ctx.events.clone();
    // A subscriber that reads: it stays past the idle timeout (keep-alives
    // and events keep its connection moving).
    let mut reader = TcpStream::connect(addr).await.unwrap();
    reader.write_all(b"GET /v1/events?kinds=block HTTP/1.1\r\nHost: node\r\n\r\n").await.unwrap();
    // Subscribers replaying the whole chain that never read a byte, through
    // a small receive window.
    let mut stalled = Vec::new();
    for _ in 0..3 {
        let sock = TcpSocket::new_v4().unwrap();
        sock.set_recv_buffer_size(4096).unwrap();
        let mut s = sock.connect(addr).await.unwrap();
        s.write_all(b"GET /v1/events?from_height=1 HTTP/1.1\r\nHost: node\r\n\r\n").await.unwrap();
        stalled.push(s);
    }
    until(Duration::from_secs(5), "four subscribers", || hub.subscribers() == 4).await;
    let start = Instant::now();
    let mut buf = [0u8; 4096];
    let mut read = 0;
    while hub.subscribers() > 1 {
        assert!(start.elapsed() < Duration::from_secs(15), "non-reading subscribers still open");
        if let Ok(Ok(k)) = tokio::time::timeout(Duration::from_millis(50), reader.read(&mut buf)).await {
            assert!(k > 0, "the reading subscriber was closed");
            read += k;
        }
    }
    // The reader is still served after more than the idle timeout.
    let until_t = Instant::now() + Duration::from_millis(1_500);
    while Instant::now() < until_t {
        if let Ok(Ok(k)) = tokio::time::timeout(Duration::from_millis(50), reader.read(&mut buf)).await {
            assert!(k > 0, "the reading subscriber was closed");
            read += k;
        }
    }
    assert!(read > 0);
    assert_eq!(hub.subscribers(), 1);
    assert_eq!(conns.count(), 1, "the stalled connections are closed, the reader's is not");
    drop(reader);
    until(Duration::from_secs(5), "subscribers back to zero", || hub.subscribers() == 0).await;
    assert!(n.ctx.metrics.encode().contains("tamga_api_sse_subscribers 0"));
    assert!(n.ctx.metrics.encode().contains(r#"tamga_api_refused_total{code="idle_timeout"} 3"#));
}

#[tokio::test]
async fn event_subscribers_are_bounded_per_address() {
    let mut n = Node::new();
    let limits = ApiLimits { sse_max_subscribers: 3, sse_max_subscribers_per_ip: 2, ..quick() };
    let (addr, _) = serve(&mut n, limits).await;
    let hub = n.ctx.events.clone();
    let mut open = Vec::new();
    for _ in 0..2 {
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(b"GET /v1/events HTTP/1.1\r\nHost: node\r\n\r\n").await.unwrap();
        open.push(s);
    }
    until(Duration::from_secs(5), "two subscribers", || hub.subscribers() == 2).await;
    let a = get(addr, "/v1/events", "en").await;
    assert_eq!((a.status, a.body["code"].as_str()), (503, Some("TOO_MANY_SUBSCRIBERS")), "{}", a.body);
    assert!(a.body["message"].as_str().unwrap().contains("127.0.0.1"), "{}", a.body);
    drop(open);
    until(Duration::from_secs(5), "subscribers back to zero", || hub.subscribers() == 0).await;
}
