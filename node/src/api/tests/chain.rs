//! Node and chain routes: status, health, metrics, chain, params, validators,
//! blocks, receipts, proofs; fallbacks and ledger failures.

use tamga_types::model::AccountState;
use tamga_types::*;

use super::*;
use crate::mempool::MempoolLimits;

#[tokio::test]
async fn status_health_metrics() {
    let n = Node::scenario();
    let (s, v) = n.get("/v1/status").await;
    assert_eq!(s, StatusCode::OK);
    let st: tamga_types::views::NodeStatus = serde_json::from_value(v).unwrap();
    assert_eq!(st, n.ctx.status.borrow().clone());
    let (s, v) = n.get("/health").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v, serde_json::json!({ "status": "ok", "height": 4 }));
    n.ctx.metrics.height.set(4);
    let (s, body) = n.call_raw("GET", "/metrics", None).await;
    assert_eq!(s, StatusCode::OK);
    let text = String::from_utf8(body).unwrap();
    assert!(text.contains("tamga_height 4"), "{text}");
    assert!(text.ends_with("# EOF\n"), "OpenMetrics text ends with # EOF");
}

#[tokio::test]
async fn chain_params_validators() {
    let n = Node::scenario();
    let (s, v) = n.get("/v1/chain").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["chain_id"], CHAIN);
    assert_eq!(v["genesis_hash"], genesis().hash().to_hex());
    assert_eq!(v["regulation_hash"], Hash::digest(b"reg", b"v1").to_hex());
    assert_eq!(v["network_type"], "centrally_distributed");
    let (s, v) = n.get("/v1/params").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(serde_json::from_value::<Params>(v).unwrap(), Params::default());

    let (s, v) = n.get("/v1/validators").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["height"], 5, "default: the set certifying the next block");
    assert_eq!(v["total_power"], 40);
    assert_eq!(v["quorum"], 27);
    let set: ValidatorSet = serde_json::from_value(v["validators"].clone()).unwrap();
    assert_eq!(set, n.ledger.validators_at(5).unwrap());
    assert_eq!(n.get("/v1/validators?height=1").await.1["height"], 1);
    for (q, want, field) in [
        ("height=0", "BAD_PARAM", "height"),
        ("height=6", "BAD_PARAM", "height"),
        ("height=x", "BAD_PARAM", "height"),
        ("height=1&height=2", "BAD_PARAM", "height"),
        ("hieght=1", "UNKNOWN_PARAM", "hieght"),
    ] {
        let (s, v) = n.get(&format!("/v1/validators?{q}")).await;
        assert_eq!((s, code(&v)), (StatusCode::BAD_REQUEST, want), "{q}: {v}");
        assert_eq!(v["field"], field, "{q}");
    }
}

#[tokio::test]
async fn blocks_with_certificates_and_receipts() {
    let n = Node::scenario();
    let stored = n.ledger.block(2).unwrap().unwrap();
    let (s, v) = n.get("/v1/blocks/2").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["height"], 2);
    assert_eq!(v["hash"], stored.hash().to_hex());
    assert_eq!(v["block"]["txs"].as_array().unwrap().len(), 4);
    assert_eq!(v["certificate"]["data"]["block_hash"], stored.hash().to_hex());
    let cert: Certificate = serde_json::from_value(v["certificate"].clone()).unwrap();
    cert.verify_commit(CHAIN, &n.ledger.validators_at(2).unwrap(), &stored.header).unwrap();

    let (_, latest) = n.get("/v1/blocks/latest").await;
    assert_eq!(latest["height"], 4);

    let (s, v) = n.get("/v1/blocks/3?encoding=borsh").await;
    assert_eq!(s, StatusCode::OK);
    let raw = hex::decode(v["raw"].as_str().unwrap()).unwrap();
    let cb: CertifiedBlock = codec::decode("certified block", &raw, usize::MAX).unwrap();
    assert_eq!(cb.block, n.ledger.block(3).unwrap().unwrap());
    assert_eq!(cb.certificate, n.ledger.certificate(3).unwrap().unwrap());
    assert_eq!(v["hash"], cb.block.hash().to_hex());

    let (s, v) = n.get("/v1/blocks/3/receipts").await;
    assert_eq!(s, StatusCode::OK);
    let receipts: Vec<Receipt> = serde_json::from_value(v["receipts"].clone()).unwrap();
    assert_eq!(receipts, n.ledger.receipts(3).unwrap());
    assert_eq!(receipts.len(), 4);

    for (uri, status, want) in [
        ("/v1/blocks/0", StatusCode::NOT_FOUND, "BLOCK_NOT_FOUND"),
        ("/v1/blocks/5", StatusCode::NOT_FOUND, "BLOCK_NOT_FOUND"),
        ("/v1/blocks/5/receipts", StatusCode::NOT_FOUND, "BLOCK_NOT_FOUND"),
        ("/v1/blocks/-1", StatusCode::BAD_REQUEST, "BAD_HEIGHT"),
        ("/v1/blocks/tip", StatusCode::BAD_REQUEST, "BAD_HEIGHT"),
        ("/v1/blocks/99999999999999999999999", StatusCode::BAD_REQUEST, "BAD_HEIGHT"),
        ("/v1/blocks/1?encoding=xml", StatusCode::BAD_REQUEST, "BAD_PARAM"),
    ] {
        let (s, v) = n.get(uri).await;
        assert_eq!((s, code(&v)), (status, want), "{uri}: {v}");
    }
    let (_, v) = n.get("/v1/blocks/1?encoding=xml").await;
    assert!(v["message"].as_str().unwrap().contains("json, borsh"), "{v}");
}

#[tokio::test]
async fn no_block_yet_latest_is_404() {
    let n = Node::new();
    let (s, v) = n.get("/v1/blocks/latest").await;
    assert_eq!((s, code(&v)), (StatusCode::NOT_FOUND, "BLOCK_NOT_FOUND"));
}

#[tokio::test]
async fn state_proof_of_an_account() {
    let n = Node::scenario();
    let alice = n.c.alice.public();
    let mut logical = vec![b'A'];
    logical.extend_from_slice(&alice.0);
    let (s, v) = n.get(&format!("/v1/proofs/state?key={}", hex::encode(&logical))).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["height"], 4);
    assert_eq!(v["root"], n.ledger.state_root().unwrap().to_hex());
    let value = hex::decode(v["value"].as_str().unwrap()).unwrap();
    let acc: AccountState = borsh::from_slice(&value).unwrap();
    assert_eq!(Some(acc), n.ledger.account(&alice).unwrap());
    assert!(!v["proof"].as_str().unwrap().is_empty());
    // At an earlier height the root is that block's.
    let (_, v) = n.get(&format!("/v1/proofs/state?key={}&height=2", hex::encode(&logical))).await;
    assert_eq!(v["root"], n.ledger.block(2).unwrap().unwrap().header.state_root.to_hex());
    // Absent key: null value, still a proof (of absence).
    let (s, v) = n.get("/v1/proofs/state?key=41ff").await;
    assert_eq!(s, StatusCode::OK);
    assert!(v["value"].is_null());
    for (q, want, field) in [
        ("", "MISSING_PARAM", "key"),
        ("key=zz", "BAD_PARAM", "key"),
        ("key=", "BAD_PARAM", "key"),
        ("key=41&height=9", "BAD_PARAM", "height"),
        ("key=41&height=0", "BAD_PARAM", "height"),
    ] {
        let (s, v) = n.get(&format!("/v1/proofs/state?{q}")).await;
        assert_eq!((s, code(&v)), (StatusCode::BAD_REQUEST, want), "{q}: {v}");
        assert_eq!(v["field"], field);
    }
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_json() {
    let n = Node::new();
    let (s, v) = n.get("/v1/nothing").await;
    assert_eq!((s, code(&v)), (StatusCode::NOT_FOUND, "NOT_FOUND"));
    let (s, v) = n.call("DELETE", "/v1/parties", None).await;
    assert_eq!((s, code(&v)), (StatusCode::METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED"));
    let (s, v) = n.call("GET", "/v1/txs", None).await;
    assert_eq!((s, code(&v)), (StatusCode::METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED"));
}

/// A ledger without genesis fails the reads that need it: 500 `INTERNAL`
/// with the ledger's message, never a panic.
#[tokio::test]
async fn ledger_errors_are_500_internal() {
    let n = Node::over(Ledger::open_in_memory().unwrap(), MempoolLimits::default());
    for uri in ["/v1/params", "/v1/chain"] {
        let (s, v) = n.get(uri).await;
        assert_eq!((s, code(&v)), (StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL"), "{uri}: {v}");
        assert!(v["message"].as_str().unwrap().contains("genesis"), "{v}");
    }
    let (s, v) = n.get("/v1/blocks/latest").await;
    assert_eq!((s, code(&v)), (StatusCode::NOT_FOUND, "BLOCK_NOT_FOUND"));
}
