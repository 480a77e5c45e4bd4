//! `GET /v1/security/events`: regulators only; a badly signed submission
//! or request becomes a `bad_signature` event; pages by seq with kinds and
//! limits; the SSE stream replays then follows; parameters are checked.

use serde_json::json;
use tamga_types::*;

use super::events::{Frame, Stream};
use super::*;
use crate::security::{SecurityEvent, Subscription};

/// A transaction that claims alice as signer but is signed by bob.
fn forged(n: &Node) -> SignedTransaction {
    let alice = n.c.alice.public();
    Transaction {
        chain_id: ChainId::new(CHAIN).unwrap(),
        signer: alice,
        nonce: 0,
        payload: Payload::RevokeAccount { key: alice, reason: RevocationReason::HolderRequest },
        memo: None,
    }
    .sign(&n.c.bob)
}

use crate::now_ms;

impl Node {
    /// `GET uri` signed by `key`.
    async fn get_as(&self, key: &SigningKey, uri: &str) -> (StatusCode, serde_json::Value) {
        let (s, body) = self.call_signed(key, super::fresh_ms(), "GET", uri, None).await;
        (s, serde_json::from_slice(&body).unwrap_or_else(|e| panic!("{uri}: not JSON ({e})")))
    }

    /// `GET uri` signed by the regulator.
    async fn reg_get(&self, uri: &str) -> (StatusCode, serde_json::Value) {
        self.get_as(&self.c.reg.clone(), uri).await
    }
}

fn refused(i: u32) -> SecurityEvent {
    SecurityEvent::PeerRefused { peer: None, addr: format!("/ip4/10.0.0.{i}/tcp/4001"), reason: "not admitted".into() }
}

#[tokio::test]
async fn a_badly_signed_submission_is_a_bad_signature_event() {
    let n = Node::new();
    let t = forged(&n);
    let (s, v) = n.post("/v1/txs", json!({ "tx": hex::encode(t.encode()) })).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["code"], "BAD_SIGNATURE");
    // A well-signed one in the same batch is not reported.
    let good = sign(&n.c.bob, 0, Payload::RevokeAccount { key: n.c.bob.public(), reason: RevocationReason::Death });
    let (s, _) = n.post("/v1/txs", json!({ "txs": [hex::encode(good.encode())] })).await;
    assert_eq!(s, StatusCode::OK);

    let (s, v) = n.reg_get("/v1/security/events").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let events = v["events"].as_array().unwrap();
    assert_eq!(events.len(), 1, "{v}");
    let e = &events[0];
    assert_eq!(e["kind"], "bad_signature");
    assert_eq!(e["seq"], 1);
    assert_eq!(e["origin"], "api");
    assert_eq!(e["from"], "anonymous@unknown", "the caller (no connect info under oneshot)");
    assert_eq!(e["signer"], n.c.alice.public().to_hex());
    assert_eq!(e["tx_hash"], t.hash().to_hex());
    assert_eq!(e["node"], key(99).public().to_hex());
    assert!(e["reason"].as_str().unwrap().contains("signature"), "{e}");
    assert_eq!((v["oldest"].clone(), v["last"].clone(), v["next_after"].clone()), (json!(1), json!(1), json!(1)));
    assert_eq!(v["truncated"], false);
    let metrics = n.ctx.metrics.encode();
    assert!(metrics.contains("tamga_security_events_total{kind=\"bad_signature\"} 1"), "{metrics}");
}

#[tokio::test]
async fn pages_by_seq_with_limit_and_kinds() {
    let n = Node::new();
    let log = &n.ctx.security;
    for i in 0..5 {
        log.record(refused(i));
    }
    log.record(SecurityEvent::journal_verification_failed("journal", Some(3), "entry 3: hash mismatch"));
    let (s, v) = n.reg_get("/v1/security/events?after=2&limit=2").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let seqs: Vec<u64> = v["events"].as_array().unwrap().iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, vec![3, 4]);
    assert_eq!(v["next_after"], 4);
    assert_eq!(v["last"], 6);
    let (_, v) = n.reg_get("/v1/security/events?after=4").await;
    assert_eq!(v["events"].as_array().unwrap().len(), 2);
    let (_, v) = n.reg_get("/v1/security/events?kinds=journal_verification_failed").await;
    let events = v["events"].as_array().unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["kind"], "journal_verification_failed");
    assert_eq!(events[0]["position"], 3);
    // Past the end: empty, and the cursor does not go backwards.
    let (_, v) = n.reg_get("/v1/security/events?after=6").await;
    assert_eq!(v["events"], json!([]));
    assert_eq!(v["next_after"], 6);
}

#[tokio::test]
async fn bad_parameters_are_refused_with_the_parameter_named() {
    let n = Node::new();
    for (q, code, field) in [
        ("?limit=0", "BAD_PARAM", "limit"),
        ("?limit=1001", "BAD_PARAM", "limit"),
        ("?after=-1", "BAD_PARAM", "after"),
        ("?kinds=bad_signature,nope", "BAD_PARAM", "kinds"),
        ("?stream=yes", "BAD_PARAM", "stream"),
        ("?stream=true&limit=5", "BAD_PARAM", "limit"),
        ("?since=1", "UNKNOWN_PARAM", "since"),
    ] {
        let (s, v) = n.reg_get(&format!("/v1/security/events{q}")).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{q}: {v}");
        assert_eq!((v["code"].as_str(), v["field"].as_str()), (Some(code), Some(field)), "{q}: {v}");
    }
}

#[tokio::test]
async fn regulators_only() {
    let n = Node::new();
    n.ctx.security.record(refused(1));
    let (s, v) = n.get("/v1/security/events").await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(v["code"], "REGULATOR_ONLY");
    assert!(v["message"].as_str().unwrap().contains("sign the request"), "{v}");
    let (s, v) = n.get("/v1/security/events?stream=true").await;
    assert_eq!((s, v["code"].as_str()), (StatusCode::FORBIDDEN, Some("REGULATOR_ONLY")), "{v}");
    // A signed request by a participant is refused too, naming its party.
    let (s, v) = n.get_as(&n.c.alice.clone(), "/v1/security/events").await;
    assert_eq!((s, v["code"].as_str()), (StatusCode::FORBIDDEN, Some("REGULATOR_ONLY")), "{v}");
    assert!(v["message"].as_str().unwrap().contains("party 4"), "{v}");
    // Any regulator scope will do: the assets-only regulator (party 2) and the full one.
    for k in [key(2), n.c.reg.clone()] {
        let (s, v) = n.get_as(&k, "/v1/security/events").await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["events"].as_array().unwrap().len(), 1);
    }
}

#[tokio::test]
async fn a_forged_request_signature_is_a_bad_signature_event() {
    let n = Node::new();
    let alice = n.c.alice.clone();
    // Signed for another path: the signature does not verify for this one.
    let mut req = Request::builder().uri("/v1/status?x=1");
    for (name, value) in
        tamga_types::request::sign_headers(&alice, &super::audience(), "GET", "/v1/status", now_ms(), b"")
    {
        req = req.header(name, value);
    }
    let resp = router(n.ctx.clone()).oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let (_, v) = n.reg_get("/v1/security/events").await;
    let e = &v["events"][0];
    assert_eq!(e["kind"], "bad_signature", "{v}");
    assert_eq!(e["origin"], "api_request");
    assert_eq!(e["signer"], alice.public().to_hex());
    assert_eq!(v["events"].as_array().unwrap().len(), 1, "the regulator's own signed read is no event: {v}");
}

/// Opens the security stream `uri`, signed by the regulator.
async fn open_stream(n: &Node, uri: &str, last_id: Option<&str>) -> Stream {
    let mut req = Request::builder().uri(uri);
    for (name, value) in
        tamga_types::request::sign_headers(&n.c.reg, &super::audience(), "GET", uri, super::fresh_ms(), b"")
    {
        req = req.header(name, value);
    }
    if let Some(id) = last_id {
        req = req.header("last-event-id", id);
    }
    let resp = router(n.ctx.clone()).oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    Stream::of(resp)
}

#[tokio::test]
async fn stream_replays_the_ring_then_follows_live() {
    let n = Node::new();
    let log = n.ctx.security.clone();
    for i in 0..3 {
        log.record(refused(i));
    }
    let mut s = open_stream(&n, "/v1/security/events?stream=true&after=1", None).await;
    for seq in [2, 3] {
        let Frame { event, id, data } = s.next().await;
        assert_eq!((event.as_str(), id.as_deref()), ("security", Some(seq.to_string().as_str())));
        assert_eq!(data["seq"], seq);
        assert_eq!(data["kind"], "peer_refused");
    }
    log.record(SecurityEvent::journal_verification_failed("journal", None, "truncated entry"));
    let Frame { id, data, .. } = s.next().await;
    assert_eq!(id.as_deref(), Some("4"));
    assert_eq!(data["kind"], "journal_verification_failed");

    // Last-Event-ID resumes after it; the kinds filter applies to the stream.
    let mut s = open_stream(&n, "/v1/security/events?stream=true&kinds=journal_verification_failed", Some("2")).await;
    let Frame { id, .. } = s.next().await;
    assert_eq!(id.as_deref(), Some("4"));
}

#[tokio::test]
async fn stream_subscribers_are_bounded() {
    let n = Node::new();
    let max = n.ctx.security.options().max_subscribers;
    let held: Vec<Subscription> = (0..max).map(|_| n.ctx.security.try_subscribe().unwrap()).collect();
    let (s, v) = n.reg_get("/v1/security/events?stream=true").await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE, "{v}");
    assert_eq!(v["code"], "TOO_MANY_SUBSCRIBERS");
    drop(held);
    let _ = open_stream(&n, "/v1/security/events?stream=true", None).await;
}

/// The value of metric line `name{labels}` in the exposition `text`.
fn metric(text: &str, series: &str) -> u64 {
    text.lines()
        .find_map(|l| l.strip_prefix(series).and_then(|v| v.trim().parse().ok()))
        .unwrap_or_else(|| panic!("no {series} in {text}"))
}

/// A flood of 100,000 forged request signatures from 2,000 addresses over
/// 1,000 s: the regulator's feed still serves every critical event of the
/// run although the main ring kept only the latest records, says so, and
/// the metrics count every forged signature exactly once.
#[tokio::test]
async fn a_flood_never_hides_the_critical_events_from_the_feed() {
    const FLOOD: u64 = 100_000;
    let n = Node::new();
    let log = n.ctx.security.clone();
    let t0 = now_ms() - 3_600_000;
    let loaded = SecurityEvent::config_loaded(std::path::Path::new("config.toml"), b"[api]", Hash::ZERO);
    let changed = SecurityEvent::ValidatorSetChanged {
        height: 40,
        validators_hash: Hash::ZERO,
        validators: 4,
        total_power: 40,
        added: vec![],
        removed: vec![n.c.validators[0].public()],
    };
    assert_eq!(log.record_at(loaded.clone(), t0).unwrap().seq, 1);
    for i in 0..FLOOD {
        if i == FLOOD / 2 {
            log.record_at(changed.clone(), t0 + i * 10);
        }
        let forged = SecurityEvent::BadSignature {
            origin: crate::security::Origin::ApiRequest,
            from: Some(format!("anonymous@198.51.{}.{}:{}", (i % 2000) / 250, i % 250, 40_000 + i % 20_000)),
            signer: Some(n.c.alice.public()),
            tx_hash: None,
            reason: "signature does not verify".into(),
        };
        log.record_at(forged, t0 + i * 10);
    }
    log.summarise_now();

    let (s, v) = n.reg_get("/v1/security/events?kinds=config_loaded,validator_set_changed").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let kinds: Vec<&str> = v["events"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["config_loaded", "validator_set_changed"], "{v}");
    assert_eq!(v["events"][1]["removed"][0], n.c.validators[0].public().to_hex());

    let (_, v) = n.reg_get("/v1/security/events?after=0&limit=3").await;
    assert_eq!(v["events"][0]["seq"], 1);
    assert_eq!(v["events"][0]["kind"], "config_loaded");
    assert_eq!(v["oldest"], 1);
    assert_eq!(v["truncated"], true, "{v}");
    let complete_from = v["complete_from"].as_u64().unwrap();
    assert!(complete_from > 4096, "{v}");
    assert_eq!(v["last"].as_u64().unwrap() - complete_from + 1, n.ctx.security.options().ring as u64);

    let text = n.ctx.metrics.encode();
    let recorded = metric(&text, "tamga_security_events_total{kind=\"bad_signature\"}");
    let aggregated = metric(&text, "tamga_security_events_aggregated_total{kind=\"bad_signature\"}");
    assert_eq!(recorded + aggregated, FLOOD, "{recorded} + {aggregated}");
    assert!(recorded <= 101 * 100, "at most 100 one by one per 10 s: {recorded}");
}
