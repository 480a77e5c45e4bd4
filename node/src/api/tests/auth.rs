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
    for (name, value) in tamga_types::request::sign_headers(key, "GET", uri, time, b"") {
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
            "x-tamga-signature",
        ),
        // Ten minutes old.
        (signed(&n.c.reg, now_ms() - 600_000, "/who"), "x-tamga-time"),
        // A valid signature by a key that is no account of the chain.
        (signed(&key(200), now_ms(), "/who"), "x-tamga-key"),
        // One header alone.
        (
            Request::builder()
                .uri("/who")
                .header("x-tamga-key", n.c.reg.public().to_hex())
                .body(Body::empty())
                .unwrap(),
            "x-tamga-time",
        ),
    ];
    for (req, field) in cases {
        let (s, v) = who(&n, req).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{v}");
        assert_eq!(v["code"], "BAD_REQUEST_SIGNATURE");
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
