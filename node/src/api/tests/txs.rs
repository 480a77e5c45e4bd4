//! `POST /v1/txs` and `GET /v1/txs/{hash}`.

use serde_json::json;
use tamga_types::*;

use super::*;
use crate::mempool::MempoolLimits;

fn revoke(k: &SigningKey, nonce: u64) -> SignedTransaction {
    sign(k, nonce, Payload::RevokeAccount { key: key(14).public(), reason: RevocationReason::HolderRequest })
}

fn hexed(t: &SignedTransaction) -> String {
    hex::encode(t.encode())
}

#[tokio::test]
async fn submit_admits_gossips_and_reports_pending_then_committed() {
    let mut n = Node::new();
    let t = revoke(&n.c.alice.clone(), 0);
    let (s, v) = n.post("/v1/txs", json!({ "tx": hexed(&t) })).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    assert_eq!(v["hash"], t.hash().to_hex());
    assert_eq!(n.gossip.try_recv().unwrap(), t.encode(), "admitted bytes go to gossip");
    assert!(n.mempool.contains(&t.hash()));

    let (s, v) = n.get(&format!("/v1/txs/{}", t.hash())).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v, json!({ "status": "pending", "hash": t.hash() }));

    let r = n.block(vec![t.clone()]);
    assert_ok(&r);
    let (s, v) = n.get(&format!("/v1/txs/{}", t.hash())).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "committed");
    assert_eq!(v["receipt"]["height"], 1);
    assert_eq!(v["receipt"]["outcome"]["status"], "success");
    assert_eq!(v["tx"]["tx"]["payload"]["type"], "revoke_account");
    let raw = hex::decode(v["raw"].as_str().unwrap()).unwrap();
    assert_eq!(SignedTransaction::decode(&raw).unwrap(), t, "raw is the exact signed transaction");
}

#[tokio::test]
async fn committed_failed_receipt_is_served_with_code_args_and_message() {
    let n = Node::scenario();
    let bob_tx = n.ledger.block(4).unwrap().unwrap().txs[0].clone();
    let (s, v) = n.get(&format!("/v1/txs/{}", bob_tx.hash())).await;
    assert_eq!(s, StatusCode::OK);
    let o = &v["receipt"]["outcome"];
    assert_eq!(o["status"], "failed");
    assert_eq!(o["code"], "INSUFFICIENT_BALANCE", "{v}");
    assert_eq!(o["args"][2], json!(["available", "2500"]), "{v}");
    assert_eq!(
        o["message"],
        format!("insufficient free balance of class 1: needed {}, available 2500", 1u128 << 90),
        "rendered from code and args"
    );
    // u128 amounts are JSON integers, even beyond 2^64 (exact digits in the body).
    let (_, body) = n.call_raw("GET", &format!("/v1/txs/{}", bob_tx.hash()), None).await;
    let body = String::from_utf8(body).unwrap();
    assert!(body.contains(&format!("\"amount\":{}", 1u128 << 90)), "{body}");
}

#[tokio::test]
async fn unknown_and_malformed_hashes() {
    let n = Node::new();
    let (s, v) = n.get(&format!("/v1/txs/{}", Hash::digest(b"x", b"y"))).await;
    assert_eq!((s, code(&v)), (StatusCode::NOT_FOUND, "TX_NOT_FOUND"));
    let (s, v) = n.get("/v1/txs/abcd").await;
    assert_eq!((s, code(&v)), (StatusCode::BAD_REQUEST, "BAD_HASH"));
    assert_eq!(v["field"], "hash");
    assert!(v["message"].as_str().unwrap().contains("expected 32 bytes"), "{v}");
}

#[tokio::test]
async fn refusals_carry_the_mempool_code_and_status() {
    let n = Node::new();
    let alice = n.c.alice.clone();
    let t = revoke(&alice, 0);
    assert_eq!(n.post("/v1/txs", json!({ "tx": hexed(&t) })).await.0, StatusCode::ACCEPTED);
    // 409: the same transaction again; another one with the same nonce.
    let (s, v) = n.post("/v1/txs", json!({ "tx": hexed(&t) })).await;
    assert_eq!((s, code(&v)), (StatusCode::CONFLICT, "DUPLICATE_TX"));
    assert_eq!(v["field"], "tx");
    let other = sign(&alice, 0, Payload::ReleaseEscrow { escrow: EscrowId(1) });
    let (s, v) = n.post("/v1/txs", json!({ "tx": hexed(&other) })).await;
    assert_eq!((s, code(&v)), (StatusCode::CONFLICT, "NONCE_TAKEN"));
    // 400: another chain, a broken signature, undecodable bytes, a validator key.
    let wrong = Transaction {
        chain_id: ChainId::new("other-chain").unwrap(),
        signer: alice.public(),
        nonce: 1,
        payload: Payload::ReleaseEscrow { escrow: EscrowId(1) },
        memo: None,
    }
    .sign(&alice);
    let (s, v) = n.post("/v1/txs", json!({ "tx": hexed(&wrong) })).await;
    assert_eq!((s, code(&v)), (StatusCode::BAD_REQUEST, "WRONG_CHAIN_ID"));
    let mut bad = revoke(&alice, 1).encode();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    let (s, v) = n.post("/v1/txs", json!({ "tx": hex::encode(bad) })).await;
    assert_eq!((s, code(&v)), (StatusCode::BAD_REQUEST, "BAD_SIGNATURE"));
    let (s, v) = n.post("/v1/txs", json!({ "tx": "00ff" })).await;
    assert_eq!((s, code(&v)), (StatusCode::BAD_REQUEST, "MALFORMED_TX"));
    let validator = n.c.validators[0].clone();
    let (s, v) = n.post("/v1/txs", json!({ "tx": hexed(&revoke(&validator, 0)) })).await;
    assert_eq!((s, code(&v)), (StatusCode::BAD_REQUEST, "VALIDATOR_KEY_SIGNER"));
    let big = vec![0u8; limits::MAX_TX_BYTES + 1];
    let (s, v) = n.post("/v1/txs", json!({ "tx": hex::encode(big) })).await;
    assert_eq!((s, code(&v)), (StatusCode::BAD_REQUEST, "TX_TOO_LARGE"));
    assert_eq!(n.mempool.len(), 1, "nothing refused was admitted");
    let metrics = n.ctx.metrics.encode();
    assert!(metrics.contains("tamga_mempool_rejected_total 7"), "{metrics}");
}

#[tokio::test]
async fn stale_nonce_after_commit_is_a_conflict() {
    let mut n = Node::new();
    let alice = n.c.alice.clone();
    assert_ok(&n.block(vec![revoke(&alice, 0)]));
    let again = sign(&alice, 0, Payload::ReleaseEscrow { escrow: EscrowId(1) });
    let (s, v) = n.post("/v1/txs", json!({ "tx": hexed(&again) })).await;
    assert_eq!((s, code(&v)), (StatusCode::CONFLICT, "STALE_NONCE"));
    assert!(v["message"].as_str().unwrap().contains("next nonce is 1"), "{v}");
    let committed = n.ledger.block(1).unwrap().unwrap().txs[0].clone();
    let (s, v) = n.post("/v1/txs", json!({ "tx": hexed(&committed) })).await;
    assert_eq!((s, code(&v)), (StatusCode::CONFLICT, "ALREADY_COMMITTED"));
}

#[tokio::test]
async fn back_pressure_is_429_or_503_and_transient() {
    let n = Node::with_limits(MempoolLimits { max_txs: 2, max_bytes: 1 << 20, max_per_account: 1 });
    let (alice, bob, miner) = (n.c.alice.clone(), n.c.bob.clone(), n.c.miner.clone());
    let (s, v) = n.post("/v1/txs", json!({ "tx": hexed(&revoke(&alice, 1)) })).await;
    assert_eq!((s, code(&v)), (StatusCode::TOO_MANY_REQUESTS, "NONCE_TOO_FAR"));
    assert_eq!(n.post("/v1/txs", json!({ "tx": hexed(&revoke(&alice, 0)) })).await.0, StatusCode::ACCEPTED);
    assert_eq!(n.post("/v1/txs", json!({ "tx": hexed(&revoke(&bob, 0)) })).await.0, StatusCode::ACCEPTED);
    let (s, v) = n.post("/v1/txs", json!({ "tx": hexed(&revoke(&miner, 0)) })).await;
    assert_eq!((s, code(&v)), (StatusCode::SERVICE_UNAVAILABLE, "MEMPOOL_FULL"));
}

#[tokio::test]
async fn batch_answers_per_item() {
    let mut n = Node::new();
    let (alice, bob) = (n.c.alice.clone(), n.c.bob.clone());
    let (a0, b0) = (revoke(&alice, 0), revoke(&bob, 0));
    let (s, v) = n.post("/v1/txs", json!({ "txs": [hexed(&a0), hexed(&b0), hexed(&a0), "00"] })).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let r = v["results"].as_array().unwrap();
    assert_eq!(r.len(), 4);
    assert_eq!(r[0], json!({ "hash": a0.hash() }));
    assert_eq!(r[1], json!({ "hash": b0.hash() }));
    assert_eq!(r[2]["error"]["code"], "DUPLICATE_TX");
    assert_eq!(r[2]["error"]["status"], 409);
    assert_eq!(r[3]["error"]["code"], "MALFORMED_TX");
    assert_eq!(n.mempool.len(), 2);
    assert_eq!(n.gossip.try_recv().unwrap(), a0.encode());
    assert_eq!(n.gossip.try_recv().unwrap(), b0.encode());
    assert!(n.gossip.try_recv().is_err(), "refused items are not gossiped");
}

#[tokio::test]
async fn malformed_requests_are_400_with_a_specific_code() {
    let n = Node::new();
    let cases: Vec<(&str, &str, Option<&str>)> = vec![
        ("{", "BAD_JSON", None),
        ("[]", "BAD_JSON", None),
        (r#"{"tx": 5}"#, "BAD_JSON", None),
        (r#"{"tx": "ab", "extra": 1}"#, "BAD_JSON", None),
        (r#"{"tx": "xyz"}"#, "BAD_HEX", Some("tx")),
        (r#"{"txs": ["00", "q"]}"#, "BAD_HEX", Some("txs[1]")),
        (r#"{"tx": "00", "txs": ["00"]}"#, "BAD_REQUEST", Some("tx")),
        ("{}", "BAD_REQUEST", Some("tx")),
        (r#"{"txs": []}"#, "EMPTY_BATCH", Some("txs")),
    ];
    for (body, want, field) in cases {
        let (s, v) = n.call("POST", "/v1/txs", Some(body.to_owned())).await;
        assert_eq!((s, code(&v)), (StatusCode::BAD_REQUEST, want), "{body}: {v}");
        assert_eq!(v["field"].as_str(), field, "{body}: {v}");
        assert!(!v["message"].as_str().unwrap().is_empty());
    }
    let many: Vec<String> = (0..=super::super::MAX_BATCH).map(|_| "00".to_owned()).collect();
    let (s, v) = n.post("/v1/txs", json!({ "txs": many })).await;
    assert_eq!((s, code(&v)), (StatusCode::BAD_REQUEST, "BATCH_TOO_LARGE"));
    let huge = format!(r#"{{"tx": "{}"}}"#, "0".repeat(super::super::BODY_LIMIT + 1));
    let (s, v) = n.call("POST", "/v1/txs", Some(huge)).await;
    assert_eq!((s, code(&v)), (StatusCode::PAYLOAD_TOO_LARGE, "BODY_TOO_LARGE"));
    assert!(n.mempool.is_empty());
}

/// The mempool's standing cache (`proposal::LedgerChain`): a nonce read between
/// two commits is served from the cache until the driver's `refresh` after
/// the next commit, and never after it; reads are exact for keys it has not
/// seen.
#[test]
fn ledger_chain_nonces_are_cached_until_the_refresh_after_a_commit() {
    use crate::mempool::ChainView;
    let mut n = Node::new();
    let chain = crate::proposal::LedgerChain::new(n.ledger.clone());
    let next = |k: &PublicKey| match chain.standing(k) {
        Ok(tamga_state::Standing::Active { next_nonce }) => Ok(next_nonce),
        other => Err(format!("{other:?}")),
    };
    let issuer = n.c.issuer.clone();
    assert_eq!(next(&issuer.public()), Ok(0));
    assert_ok(&n.block(vec![sign(&issuer, 0, create_class("WHEAT"))]));
    // Committed, not yet refreshed: the value read before the commit is served.
    assert_eq!(n.ledger.nonce(&issuer.public()).unwrap(), 1);
    assert_eq!(next(&issuer.public()), Ok(0));
    // A key never read comes from the ledger.
    assert_eq!(next(&n.c.alice.public()), Ok(0));
    chain.refresh();
    assert_eq!(next(&issuer.public()), Ok(1));
    assert_ok(&n.block(vec![sign(&issuer, 1, create_class("BARLEY"))]));
    chain.refresh();
    assert_eq!(next(&issuer.public()), Ok(2));
    assert_eq!(next(&issuer.public()), Ok(2));
}

/// SPEC §8 envelope at admission: 1,000 transactions signed by random
/// unregistered keys are each refused with `UNKNOWN_SIGNER` (403), none is
/// kept or gossiped, one key cannot queue nonce 0 again and again, and the
/// next proposal carries none of them: nothing reaches the ledger.
#[tokio::test]
async fn a_thousand_unregistered_keys_are_refused_and_reach_nothing() {
    let mut n = Node::new();
    let strangers: Vec<SigningKey> = (0..1000).map(|_| SigningKey::from_seed(rand::random())).collect();
    let txs: Vec<String> = strangers.iter().map(|k| hexed(&revoke(k, 0))).collect();
    let (s, v) = n.post("/v1/txs", json!({ "txs": txs })).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 1000);
    for (r, k) in results.iter().zip(&strangers) {
        assert_eq!(
            (r["error"]["status"].as_u64(), r["error"]["code"].as_str()),
            (Some(403), Some("UNKNOWN_SIGNER")),
            "{r}"
        );
        assert!(r["error"]["message"].as_str().unwrap().contains(&k.public().to_string()), "{r}");
    }
    // One key, nonce 0, three different transactions: each refused.
    let k = &strangers[0];
    for escrow in 1..=3 {
        let t = sign(k, 0, Payload::ReleaseEscrow { escrow: EscrowId(escrow) });
        let (s, v) = n.post("/v1/txs", json!({ "tx": hexed(&t) })).await;
        assert_eq!((s, code(&v)), (StatusCode::FORBIDDEN, "UNKNOWN_SIGNER"), "{v}");
        assert_eq!(v["field"], "tx");
    }
    assert!(n.mempool.is_empty(), "nothing refused waits");
    assert!(n.gossip.try_recv().is_err(), "nothing refused is relayed");
    let metrics = n.ctx.metrics.encode();
    assert!(metrics.contains("tamga_mempool_rejected_total 1003"), "{metrics}");
    // The next proposal and the ledger hold none of them.
    let chain = crate::proposal::LedgerChain::new(n.ledger.clone());
    let h = n.ledger.height().unwrap() + 1;
    let set = n.ledger.validators_at(h).unwrap();
    let proposer = tamga_consensus::Engine::<Block>::proposer(&set, h, 0).unwrap();
    let (block, _) =
        crate::proposal::build_block(&n.ledger, &n.mempool, &chain, proposer, h, 0, &mut Vec::new()).unwrap();
    assert!(block.txs.is_empty());
    assert_ok(&n.block(block.txs.into_inner()));
    for k in &strangers {
        assert!(n.ledger.account(&k.public()).unwrap().is_none());
    }
    assert!(n.ledger.receipts(h).unwrap().is_empty());
}

/// The other envelope refusals at the API: a revoked key and a suspended
/// party's account, each with its code, 403 and the signer named.
#[tokio::test]
async fn revoked_and_suspended_signers_are_refused_with_their_codes() {
    let mut n = Node::new();
    let (alice, reg, bob) = (n.c.alice.clone(), n.c.reg.clone(), n.c.bob.clone());
    let alice2 = key(14);
    assert_ok(&n.block(vec![
        sign(&alice, 0, Payload::RevokeAccount { key: alice2.public(), reason: RevocationReason::HolderRequest }),
        sign(
            &reg,
            0,
            Payload::SetPartyStatus { party: PartyId(5), status: PartyStatus::Suspended, legal_basis: text("order 1") },
        ),
    ]));
    let (s, v) = n.post("/v1/txs", json!({ "tx": hexed(&revoke(&alice2, 0)) })).await;
    assert_eq!((s, code(&v)), (StatusCode::FORBIDDEN, "ACCOUNT_REVOKED"), "{v}");
    assert!(v["message"].as_str().unwrap().contains("height 1"), "{v}");
    let (s, v) = n.post("/v1/txs", json!({ "tx": hexed(&revoke(&bob, 0)) })).await;
    assert_eq!((s, code(&v)), (StatusCode::FORBIDDEN, "PARTY_INACTIVE"), "{v}");
    assert!(v["message"].as_str().unwrap().contains(&bob.public().to_string()), "{v}");
    assert!(n.mempool.is_empty());
}
