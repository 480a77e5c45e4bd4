//! The router's answers read back as the contract's types
//! (`tamga-contract`), route by route: what the node serialises is what
//! every client decodes (the typed client decodes these same types; its own
//! behaviour, signing and polling, is tested against real nodes by the
//! multi-node suite).

use serde::de::DeserializeOwned;
use tamga_contract::wire::{
    AccountView, BundleAnswer, Health, ProofAnswer, RawBlockAnswer, ReceiptsAnswer, SubmitAnswer, SubmitBatchAnswer,
    SubmitBody, TxAnswer, ValidatorsView, TX_COMMITTED, TX_PENDING,
};
use tamga_contract::ErrorBody;
use tamga_types::codec;
use tamga_types::*;

use super::*;

/// `GET uri`, expecting `status`, its bytes decoded as `T` (as a client
/// reads them: u128 amounts do not survive a detour through `Value`).
async fn get_as<T: DeserializeOwned>(n: &Node, uri: &str, status: u16) -> T {
    let (s, bytes) = n.call_raw("GET", uri, None).await;
    let text = String::from_utf8_lossy(&bytes);
    assert_eq!(s.as_u16(), status, "GET {uri}: {text}");
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("GET {uri}: {e}: {text}"))
}

/// `POST /v1/txs` with `body`, expecting `status`, decoded as `T`.
async fn submit_as<T: DeserializeOwned>(n: &Node, body: &SubmitBody, status: u16) -> T {
    let (s, v) = n.post("/v1/txs", serde_json::to_value(body).unwrap()).await;
    assert_eq!(s.as_u16(), status, "{v}");
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("POST /v1/txs: {e}: {v}"))
}

#[tokio::test]
async fn every_answer_decodes_as_the_contract_type() {
    let n = Node::scenario();
    assert_eq!(get_as::<Health>(&n, "/health", 200).await, Health { status: "ok".into(), height: 4 });
    let v: ValidatorsView = get_as(&n, "/v1/validators?height=2", 200).await;
    assert_eq!(v.validators, n.ledger.validators_at(2).unwrap());
    assert_eq!((v.total_power, v.quorum), (v.validators.total_power(), v.validators.quorum()));

    let raw: RawBlockAnswer = get_as(&n, "/v1/blocks/4?encoding=borsh", 200).await;
    let cb: CertifiedBlock = codec::decode("block", &hex::decode(&raw.raw).unwrap(), 1 << 24).unwrap();
    assert_eq!((cb.block.hash(), raw.height), (raw.hash, 4));
    assert_eq!(cb.block, n.ledger.block(4).unwrap().unwrap());
    let r: ReceiptsAnswer = get_as(&n, "/v1/blocks/2/receipts", 200).await;
    assert_eq!((r.height, r.receipts), (2, n.ledger.receipts(2).unwrap()));

    // The failed transfer of 2^90 base units: its u128 survives the wire in
    // `raw` (serde's tagged enums cannot read a JSON integer above u64, so
    // the JSON transaction is for people and `raw` for programs).
    let bob_tx = cb.block.txs[0].clone();
    let t: TxAnswer = get_as(&n, &format!("/v1/txs/{}", bob_tx.hash()), 200).await;
    assert_eq!((t.status.as_str(), t.hash, t.raw_redacted), (TX_COMMITTED, bob_tx.hash(), false));
    assert!(t.tx.is_some());
    assert_eq!(SignedTransaction::decode(&hex::decode(t.raw.unwrap()).unwrap()).unwrap(), bob_tx);
    assert!(!t.receipt.unwrap().is_success());
    let e: ErrorBody = get_as(&n, &format!("/v1/txs/{}", Hash::digest(b"no", b"such")), 404).await;
    assert_eq!((e.status, e.code.as_str()), (0, "TX_NOT_FOUND"), "a whole answer's status is its status line");

    // A reader who may not see a mining site's address gets the transaction
    // as JSON with the address withheld, and no `raw`.
    let site_tx = (1..=4)
        .flat_map(|h| n.ledger.block(h).unwrap().unwrap().txs.iter().cloned().collect::<Vec<_>>())
        .find(|t| matches!(t.tx.payload, Payload::SubmitMiningNotification { .. }))
        .expect("the scenario submits a mining notification");
    let t: TxAnswer = get_as(&n, &format!("/v1/txs/{}", site_tx.hash()), 200).await;
    assert!(t.raw_redacted && t.raw.is_none(), "{t:?}");
    assert!(t.tx.unwrap().to_string().contains(r#""address_redacted":true"#));

    let b: BundleAnswer = get_as(&n, &format!("/v1/txs/{}/bundle", bob_tx.hash()), 200).await;
    assert_eq!((b.hash, b.height, b.bytes), (bob_tx.hash(), 4, b.raw.len() / 2));
    let bundle = tamga_contract::bundle::ReceiptBundle::decode(&hex::decode(&b.raw).unwrap()).unwrap();
    assert_eq!(bundle.tx, bob_tx);

    let alice = n.c.alice.public();
    let a: AccountView = get_as(&n, &format!("/v1/accounts/{alice}"), 200).await;
    assert_eq!((a.next_nonce, a.balances[0].amount), (2, 6_500));
    let mut logical = vec![b'A'];
    logical.extend_from_slice(&alice.0);
    let p: ProofAnswer = get_as(&n, &format!("/v1/proofs/state?key={}", hex::encode(&logical)), 200).await;
    assert_eq!((p.key, p.height, p.root), (hex::encode(&logical), 4, n.ledger.state_root().unwrap()));
    assert!(p.value.is_some() && !p.proof.is_empty());

    // Refusals keep code and field.
    let e: ErrorBody = get_as(&n, "/v1/mining-notifications?limit=5000", 400).await;
    assert_eq!((e.code.as_str(), e.field.as_deref()), ("BAD_PARAM", Some("limit")));
}

#[tokio::test]
async fn submissions_answer_the_contract_shapes() {
    let mut n = Node::new();
    let alice = n.c.alice.clone();
    let p = Payload::RevokeAccount { key: key(14).public(), reason: RevocationReason::HolderRequest };
    let tx = sign(&alice, 0, p);
    let one = SubmitBody { tx: Some(hex::encode(tx.encode())), txs: None };
    let a: SubmitAnswer = submit_as(&n, &one, 202).await;
    assert_eq!(a.hash, tx.hash());
    let t: TxAnswer = get_as(&n, &format!("/v1/txs/{}", tx.hash()), 200).await;
    let pending = TxAnswer {
        status: TX_PENDING.into(),
        hash: tx.hash(),
        tx: None,
        receipt: None,
        raw: None,
        raw_redacted: false,
    };
    assert_eq!(t, pending);
    let e: ErrorBody = submit_as(&n, &one, 409).await;
    assert_eq!((e.code.as_str(), e.field.as_deref()), ("DUPLICATE_TX", Some("tx")));

    let txs = n.mempool.reap(&LedgerView(n.ledger.clone()), 100, 1 << 20);
    assert_eq!(txs, vec![tx.clone()]);
    assert_ok(&n.block(txs));

    // A batch: one admitted, one refused, answered per item with the item's status.
    let ok = sign(&n.c.bob, 0, Payload::ReleaseEscrow { escrow: EscrowId(1) });
    let batch = SubmitBody { tx: None, txs: Some(vec![hex::encode(ok.encode()), hex::encode(tx.encode())]) };
    let r: SubmitBatchAnswer = submit_as(&n, &batch, 200).await;
    assert_eq!(r.results.len(), 2);
    assert_eq!((r.results[0].hash, &r.results[0].error), (Some(ok.hash()), &None));
    let e = r.results[1].error.as_ref().unwrap();
    assert_eq!((r.results[1].hash, e.status, e.code.as_str()), (None, 409, "ALREADY_COMMITTED"));
    assert!(!e.is_transient());
}
