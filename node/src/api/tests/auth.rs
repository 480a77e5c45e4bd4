//! Signed requests: the [`Caller`] every handler sees, and the refusals of
//! bad signatures (SPEC §12).

use axum::extract::Request as AxRequest;
use axum::routing::get;
use axum::{Extension, Router};

use super::*;
use crate::api::auth::{self, Caller};

use crate::now_ms;

/// The auth layer in front of a handler that describes its caller.
async fn who(n: &Node, req: AxRequest) -> (StatusCode, serde_json::Value) {
    let app = Router::new()
        .route(
            "/who",
            get(|Extension(c): Extension<Caller>| async move {
                axum::Json(serde_json::json!({
                    "who": c.who(),
                    "regulator": c.is_regulator(),
                    "mining": c.has_scope(Scope::Mining),
                    "party": c.signer.map(|s| s.party.0),
                }))
            }),
        )
        .layer(axum::middleware::from_fn_with_state(n.ctx.clone(), auth::layer))
        .with_state(n.ctx.clone());
    let resp = app.oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX).await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap())
}

fn signed(key: &SigningKey, time: u64, uri: &str) -> AxRequest {
    let mut req = Request::builder().method("GET").uri(uri);
    for (name, value) in tamga_types::request::sign_headers(key, &super::audience(), "GET", uri, time, b"") {
        req = req.header(name, value);
    }
    req.body(Body::empty()).unwrap()
}

#[tokio::test]
async fn caller_is_anonymous_or_the_signing_account() {
    let n = Node::new();
    let (s, v) = who(&n, Request::builder().uri("/who").body(Body::empty()).unwrap()).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["who"], "anonymous@unknown");
    assert_eq!(v["regulator"], false);

    let (s, v) = who(&n, signed(&n.c.reg, now_ms(), "/who?x=1")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["who"], format!("account:{}", n.c.reg.public()));
    assert_eq!((v["regulator"].clone(), v["mining"].clone(), v["party"].clone()), (true.into(), true.into(), 1.into()));

    let (s, v) = who(&n, signed(&n.c.alice, now_ms(), "/who")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!((v["regulator"].clone(), v["party"].clone()), (false.into(), 4.into()));
}

#[tokio::test]
async fn bad_signatures_are_refused_naming_the_header() {
    let n = Node::new();
    let cases = [
        // Signed for another path.
        (
            {
                let mut r = signed(&n.c.reg, now_ms(), "/who?x=1");
                *r.uri_mut() = "/who?x=2".parse().unwrap();
                r
            },
            "BAD_REQUEST_SIGNATURE",
            "x-tamga-signature",
        ),
        // Ten minutes old.
        (signed(&n.c.reg, now_ms() - 600_000, "/who"), "REQUEST_EXPIRED", "x-tamga-time"),
        // A valid signature by a key that is no account of the chain.
        (signed(&key(200), now_ms(), "/who"), "BAD_REQUEST_SIGNATURE", "x-tamga-key"),
        // Two headers alone.
        (
            Request::builder()
                .uri("/who")
                .header("x-tamga-request-version", "2")
                .header("x-tamga-key", n.c.reg.public().to_hex())
                .body(Body::empty())
                .unwrap(),
            "BAD_REQUEST_SIGNATURE",
            "x-tamga-time",
        ),
        // The key header alone: no version, a version 1 request.
        (
            Request::builder()
                .uri("/who")
                .header("x-tamga-key", n.c.reg.public().to_hex())
                .body(Body::empty())
                .unwrap(),
            "REQUEST_SIGNATURE_VERSION",
            "x-tamga-request-version",
        ),
    ];
    for (req, code, field) in cases {
        let (s, v) = who(&n, req).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{v}");
        assert_eq!(v["code"], code, "{v}");
        assert_eq!(v["field"], field, "{v}");
    }
}

#[tokio::test]
async fn signed_requests_reach_the_real_routes_with_their_body() {
    let mut n = Node::new();
    let (s, body) = n.call_signed(&n.c.reg, now_ms(), "GET", "/v1/parties/4", None).await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    // The signed body is handed on intact: a transaction submitted signed is admitted.
    let tx = sign(&n.c.issuer, 0, create_class("OATS"));
    let body = serde_json::json!({ "tx": hex::encode(tx.encode()) }).to_string();
    let (s, resp) = n.call_signed(&n.c.alice, now_ms(), "POST", "/v1/txs", Some(body)).await;
    assert!(s.is_success(), "{s}: {}", String::from_utf8_lossy(&resp));
    n.block(vec![tx]);
    assert_eq!(n.ledger.classes().unwrap().len(), 1);
}

/// Sends `GET uri` through the whole router with these signature headers.
async fn send(n: &Node, uri: &str, headers: &[(&'static str, String)]) -> (StatusCode, serde_json::Value) {
    let mut req = Request::builder().method("GET").uri(uri);
    for (name, value) in headers {
        req = req.header(*name, value);
    }
    let resp = crate::api::router(n.ctx.clone()).oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX).await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap())
}

#[tokio::test]
async fn signed_requests_cannot_be_replayed_or_redirected() {
    use tamga_types::request::{sign_headers, Audience};
    let n = Node::new();
    let uri = "/v1/parties/1";
    let reg = &n.c.reg;
    let h = sign_headers(reg, &audience(), "GET", uri, now_ms(), b"");
    assert_eq!(send(&n, uri, &h).await.0, StatusCode::OK);
    // The same signed request again, at once and a little later.
    for _ in 0..2 {
        let (s, v) = send(&n, uri, &h).await;
        assert_eq!(
            (s, v["code"].as_str(), v["field"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("REQUEST_REPLAYED"), Some("x-tamga-signature")),
            "{v}"
        );
    }
    // Signed 60 s ago, or 4.5 minutes ahead: outside the 30 s window.
    for time in [now_ms() - 60_000, now_ms() + 270_000] {
        let (s, v) = send(&n, uri, &sign_headers(reg, &audience(), "GET", uri, time, b"")).await;
        assert_eq!(
            (s, v["code"].as_str(), v["field"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("REQUEST_EXPIRED"), Some("x-tamga-time")),
            "{v}"
        );
        assert!(v["message"].as_str().unwrap().contains("30000"), "{v}");
    }
    // Signed for another chain, or for another node of this chain.
    let other_chain = Audience { chain_id: "tamga-other".into(), ..audience() };
    let other_node = Audience { node_key: key(101).public(), ..audience() };
    for aud in [other_chain, other_node] {
        let (s, v) = send(&n, uri, &sign_headers(reg, &aud, "GET", uri, now_ms(), b"")).await;
        assert_eq!(
            (s, v["code"].as_str(), v["field"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("BAD_REQUEST_SIGNATURE"), Some("x-tamga-signature")),
            "{v}"
        );
        let m = v["message"].as_str().unwrap();
        assert!(m.contains(CHAIN) && m.contains(&key(100).public().to_hex()), "names what this node expects: {m}");
    }
    // A version 1 request (no version header) is refused naming version 2.
    let v1 = sign_headers(reg, &audience(), "GET", uri, now_ms(), b"");
    let (s, v) = send(&n, uri, &v1[1..]).await;
    assert_eq!(
        (s, v["code"].as_str(), v["field"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("REQUEST_SIGNATURE_VERSION"), Some("x-tamga-request-version")),
        "{v}"
    );
    assert!(v["message"].as_str().unwrap().contains("version 2"), "{v}");
    // Only the accepted request is remembered.
    assert_eq!(n.ctx.guards.replay.len(), 1);
}

#[tokio::test]
async fn a_full_replay_cache_refuses_rather_than_forgets() {
    use tamga_types::request::sign_headers;
    let mut n = Node::new();
    let limits = crate::api::ApiLimits { replay_cache_entries: 2, ..crate::api::ApiLimits::default() };
    n.ctx.guards = crate::api::Guards::new(limits);
    let uri = "/v1/parties/1";
    let t = now_ms();
    for i in 0..2 {
        let (s, v) = send(&n, uri, &sign_headers(&n.c.reg, &audience(), "GET", uri, t + i, b"")).await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }
    let (s, v) = send(&n, uri, &sign_headers(&n.c.reg, &audience(), "GET", uri, t + 2, b"")).await;
    assert_eq!((s, v["code"].as_str()), (StatusCode::SERVICE_UNAVAILABLE, Some("REPLAY_CACHE_FULL")), "{v}");
}
