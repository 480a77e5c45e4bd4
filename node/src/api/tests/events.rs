//! `GET /v1/events`: live blocks and receipts, replay from a height or after
//! `Last-Event-ID`, the kinds filter, a lagging subscriber, a gap in the
//! channel, the subscriber bound and gauge.

use std::time::Duration;

use axum::body::BodyDataStream;
use futures::StreamExt;
use tamga_types::*;

use super::*;
use crate::api::EventHub;

/// One SSE event as a client sees it.
#[derive(Debug)]
pub(super) struct Frame {
    pub(super) event: String,
    pub(super) id: Option<String>,
    pub(super) data: serde_json::Value,
}

/// An open event stream (also read by the security-feed tests).
pub(super) struct Stream {
    body: BodyDataStream,
    buf: String,
}

impl Stream {
    /// The stream of an answered request.
    pub(super) fn of(resp: axum::response::Response) -> Stream {
        Stream { body: resp.into_body().into_data_stream(), buf: String::new() }
    }

    /// The next event (comments skipped); panics after 5 s of silence.
    pub(super) async fn next(&mut self) -> Frame {
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                let (mut event, mut id, mut data) = (String::from("message"), None, String::new());
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        event = v.trim_start().to_owned();
                    } else if let Some(v) = line.strip_prefix("id:") {
                        id = Some(v.trim_start().to_owned());
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim_start());
                    }
                }
                if data.is_empty() {
                    continue; // a comment (keep-alive)
                }
                let data =
                    serde_json::from_str(&data).unwrap_or_else(|e| panic!("event data is not JSON ({e}): {data}"));
                return Frame { event, id, data };
            }
            let chunk = tokio::time::timeout(Duration::from_secs(5), self.body.next())
                .await
                .expect("no event within 5 s")
                .expect("the stream ended")
                .unwrap();
            self.buf.push_str(std::str::from_utf8(&chunk).unwrap());
        }
    }

    /// Nothing arrives within 300 ms.
    pub(super) async fn quiet(&mut self) {
        assert!(!self.buf.contains("\n\n"), "unexpected buffered event: {}", self.buf);
        if let Ok(Some(chunk)) = tokio::time::timeout(Duration::from_millis(300), self.body.next()).await {
            panic!("unexpected event: {}", String::from_utf8_lossy(&chunk.unwrap()));
        }
    }
}

impl Node {
    /// Opens `/v1/events?{query}` with optional `Last-Event-ID`.
    async fn subscribe(&self, query: &str, last_id: Option<&str>) -> Result<Stream, (StatusCode, serde_json::Value)> {
        let mut req = Request::builder().uri(format!("/v1/events{query}"));
        if let Some(id) = last_id {
            req = req.header("last-event-id", id);
        }
        let resp = router(self.ctx.clone()).oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
        let status = resp.status();
        if status != StatusCode::OK {
            let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX).await.unwrap();
            return Err((status, serde_json::from_slice(&bytes).unwrap()));
        }
        let ct = resp.headers()["content-type"].to_str().unwrap().to_owned();
        assert!(ct.starts_with("text/event-stream"), "{ct}");
        Ok(Stream::of(resp))
    }

    fn transfer(&mut self, nonce: u64) -> Vec<Receipt> {
        let (alice, bob) = (self.c.alice.clone(), self.c.bob.clone());
        self.block(vec![sign(&alice, nonce, Payload::Transfer { class: ClassId(1), to: bob.public(), amount: 1 })])
    }

    fn gauge(&self) -> String {
        let text = self.ctx.metrics.encode();
        text.lines().find(|l| l.starts_with("tamga_api_sse_subscribers ")).unwrap_or("missing").to_owned()
    }
}

/// Reads one whole block from the stream: its `block` event, then its `tx`
/// events; checks the shapes against the ledger and that only the last
/// event carries the id.
async fn expect_block(s: &mut Stream, n: &Node, height: Height) {
    let block = n.ledger.block(height).unwrap().unwrap();
    let receipts = n.ledger.receipts(height).unwrap();
    let f = s.next().await;
    assert_eq!(f.event, "block", "{f:?}");
    assert_eq!(f.data["height"], height);
    assert_eq!(f.data["hash"], block.hash().to_hex());
    assert_eq!(f.data["time_ms"], block.header.time_ms);
    assert_eq!(f.data["state_root"], block.header.state_root.to_hex());
    assert_eq!(f.data["proposer"], block.header.proposer.to_hex());
    assert_eq!(f.data["tx_count"], receipts.len());
    assert_eq!(f.data["failed_count"], receipts.iter().filter(|r| !r.is_success()).count());
    assert_eq!(f.data["evidence_count"], 0);
    assert_eq!(f.id, receipts.is_empty().then(|| height.to_string()), "id only on the block's last event");
    for (i, r) in receipts.iter().enumerate() {
        let f = s.next().await;
        assert_eq!(f.event, "tx", "{f:?}");
        // With a failed outcome's message rendered in the stream's language (English here).
        let mut want = serde_json::to_value(r).unwrap();
        crate::api::localize::render_outcomes(&mut want, crate::api::i18n::Lang::En);
        assert_eq!(f.data, want, "the receipt as /v1/blocks/{{h}}/receipts serves it");
        let last = i + 1 == receipts.len();
        assert_eq!(f.id, last.then(|| height.to_string()), "tx {i} of block {height}");
    }
}

#[tokio::test]
async fn live_blocks_and_receipts() {
    let mut n = Node::scenario();
    assert_eq!(n.gauge(), "tamga_api_sse_subscribers 0");
    let mut s = n.subscribe("", None).await.unwrap();
    assert_eq!(n.gauge(), "tamga_api_sse_subscribers 1");
    s.quiet().await; // committed blocks are not replayed without from_height
    let r = n.transfer(2);
    assert_ok(&r);
    expect_block(&mut s, &n, 5).await;
    // The registry change is in the tx event's receipt events.
    let ev = &n.ledger.receipts(5).unwrap()[0].events;
    assert_eq!(ev[0].kind, "transfer");
    n.block(vec![]);
    expect_block(&mut s, &n, 6).await;
    s.quiet().await;
    drop(s);
    assert_eq!(n.gauge(), "tamga_api_sse_subscribers 0", "the slot is freed with the stream");
}

#[tokio::test]
async fn replay_from_height_then_live() {
    let mut n = Node::scenario();
    let mut s = n.subscribe("?from_height=2", None).await.unwrap();
    for h in 2..=4 {
        expect_block(&mut s, &n, h).await;
    }
    n.transfer(2);
    expect_block(&mut s, &n, 5).await;
    s.quiet().await;

    // A future height waits for it.
    let mut s = n.subscribe("?from_height=7", None).await.unwrap();
    n.block(vec![]);
    s.quiet().await;
    n.block(vec![]);
    expect_block(&mut s, &n, 7).await;
}

#[tokio::test]
async fn last_event_id_resumes_after_it() {
    let n = Node::scenario();
    // The header wins over from_height (a browser reconnects with both).
    let mut s = n.subscribe("?from_height=1", Some("2")).await.unwrap();
    expect_block(&mut s, &n, 3).await;
    expect_block(&mut s, &n, 4).await;
    s.quiet().await;
    let (status, v) = n.subscribe("", Some("two")).await.err().unwrap();
    assert_eq!((status, code(&v)), (StatusCode::BAD_REQUEST, "BAD_PARAM"));
    assert_eq!(v["field"], "Last-Event-ID");
}

#[tokio::test]
async fn kinds_filter() {
    let n = Node::scenario();
    let mut s = n.subscribe("?kinds=record_issued,mining_notification_reviewed&from_height=1", None).await.unwrap();
    let f = s.next().await;
    assert_eq!((f.event.as_str(), f.data["height"].as_u64(), f.id.as_deref()), ("tx", Some(2), Some("2")));
    assert_eq!(f.data["events"][0]["kind"], "record_issued");
    let f = s.next().await;
    assert_eq!((f.event.as_str(), f.data["height"].as_u64(), f.id.as_deref()), ("tx", Some(3), Some("3")));
    assert_eq!(f.data["events"][0]["kind"], "mining_notification_reviewed");
    s.quiet().await;

    // `tx` includes failed receipts (which carry no events); `block` alone
    // gives one event per block, each with its id.
    let mut s = n.subscribe("?kinds=block&from_height=3", None).await.unwrap();
    for h in 3..=4u64 {
        let f = s.next().await;
        assert_eq!((f.event.as_str(), f.id), ("block", Some(h.to_string())));
    }
    let mut s = n.subscribe("?kinds=tx&from_height=4", None).await.unwrap();
    let f = s.next().await;
    assert_eq!(f.data["outcome"]["status"], "failed");

    for (q, field) in [
        ("?kinds=transfers", "kinds"),
        ("?kinds=", "kinds"),
        ("?kinds=block,", "kinds"),
        ("?from_height=0", "from_height"),
        ("?from_height=x", "from_height"),
        ("?form_height=1", "form_height"),
    ] {
        let (status, v) = n.subscribe(q, None).await.err().unwrap();
        assert_eq!(status, StatusCode::BAD_REQUEST, "{q}");
        assert_eq!(v["field"], field, "{q}: {v}");
    }
}

#[tokio::test]
async fn lagging_subscriber_catches_up_from_the_ledger() {
    let mut n = Node::scenario();
    n.ctx.events = EventHub::with_capacity(4, 2);
    let mut s = n.subscribe("", None).await.unwrap();
    // Six blocks while the subscriber reads nothing: the channel keeps two.
    for nonce in 2..8 {
        assert_ok(&n.transfer(nonce));
    }
    for h in 5..=10 {
        expect_block(&mut s, &n, h).await;
    }
    n.block(vec![]);
    expect_block(&mut s, &n, 11).await;
    s.quiet().await;
}

#[tokio::test]
async fn a_gap_in_the_channel_is_read_from_the_ledger() {
    let mut n = Node::scenario();
    let mut s = n.subscribe("", None).await.unwrap();
    n.block_unpublished(vec![]);
    s.quiet().await;
    n.transfer(2);
    expect_block(&mut s, &n, 5).await;
    expect_block(&mut s, &n, 6).await;
}

#[tokio::test]
async fn subscribers_are_bounded() {
    let mut n = Node::scenario();
    n.ctx.events = EventHub::new(2);
    let a = n.subscribe("", None).await.unwrap();
    let _b = n.subscribe("?kinds=block", None).await.unwrap();
    assert_eq!(n.gauge(), "tamga_api_sse_subscribers 2");
    let (status, v) = n.subscribe("", None).await.err().unwrap();
    assert_eq!((status, code(&v)), (StatusCode::SERVICE_UNAVAILABLE, "TOO_MANY_SUBSCRIBERS"), "{v}");
    drop(a);
    let mut c = n.subscribe("", None).await.unwrap();
    n.block(vec![]);
    expect_block(&mut c, &n, 5).await;
}

#[tokio::test]
async fn the_stream_ends_when_the_node_stops() {
    let mut n = Node::scenario();
    let hub = EventHub::new(4);
    n.ctx.events = hub.clone();
    let s = n.subscribe("", None).await.unwrap();
    drop(hub);
    n.ctx.events = EventHub::new(4);
    let mut body = s.body;
    let end = tokio::time::timeout(Duration::from_secs(5), body.next()).await.expect("the stream ends");
    assert!(end.is_none(), "no event after the driver's sender is gone");
}
