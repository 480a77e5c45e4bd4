//! The typed client (`tamga-client`) against this router served on a real
//! socket: both sides of the wire format agree, route by route.

use std::time::Duration;

use tamga_client::{BlockAt, Client, ClientError, TxStatus};
use tamga_types::views::MiningFilter;
use tamga_types::*;

use super::*;

async fn serve(n: &Node) -> Client {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(crate::api::Server::new(listener, n.ctx.clone()).run());
    Client::new(format!("http://{addr}")).unwrap().with_poll_interval(Duration::from_millis(20))
}

#[tokio::test]
async fn client_reads_every_route() {
    let n = Node::scenario();
    let c = serve(&n).await;
    assert_eq!(c.status().await.unwrap().chain_id, CHAIN);
    assert_eq!(c.health().await.unwrap().height, 4);
    assert!(c.metrics().await.unwrap().contains("tamga_"));
    assert_eq!(c.chain().await.unwrap(), n.ledger.chain_info().unwrap());
    assert_eq!(c.params().await.unwrap(), n.ledger.params().unwrap());
    assert_eq!(c.validators(Some(2)).await.unwrap().validators, n.ledger.validators_at(2).unwrap());
    let b = c.block(BlockAt::Height(4)).await.unwrap();
    assert_eq!(b.block, n.ledger.block(4).unwrap().unwrap());
    assert_eq!(c.block(BlockAt::Latest).await.unwrap().block.header.height, 4);
    assert_eq!(c.block_receipts(2).await.unwrap(), n.ledger.receipts(2).unwrap());
    // The failed transfer of 2^90 base units: its u128 survives the wire.
    let bob_tx = b.block.txs[0].clone();
    match c.tx(&bob_tx.hash()).await.unwrap() {
        TxStatus::Committed(v) => {
            assert_eq!(v.tx, bob_tx);
            assert!(!v.receipt.is_success());
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(c.tx(&Hash::digest(b"no", b"such")).await.unwrap(), TxStatus::Unknown);

    let alice = n.c.alice.public();
    let a = c.account(&alice).await.unwrap();
    assert_eq!((a.next_nonce, a.balances[0].amount), (2, 6_500));
    assert_eq!(c.next_nonce(&alice).await.unwrap(), 2);
    assert_eq!(c.next_nonce(&key(77).public()).await.unwrap(), 0, "unknown keys start at 0");
    assert_eq!(c.account_records(&alice).await.unwrap().len(), 1);
    assert_eq!(c.parties().await.unwrap(), n.ledger.parties().unwrap());
    assert_eq!(c.party(PartyId(3)).await.unwrap(), n.ledger.party(PartyId(3)).unwrap().unwrap());
    assert_eq!(c.classes(None).await.unwrap(), n.ledger.classes().unwrap());
    assert_eq!(c.classes(Some(PartyId(3))).await.unwrap().len(), 1);
    assert_eq!(c.class(ClassId(1)).await.unwrap().symbol, "WHEAT");
    assert_eq!(c.holders(ClassId(1)).await.unwrap(), n.ledger.holders(ClassId(1)).unwrap());
    assert_eq!(c.record(RecordId(1)).await.unwrap(), n.ledger.record(RecordId(1)).unwrap().unwrap());
    assert_eq!(c.escrows(None).await.unwrap(), n.ledger.escrows().unwrap());
    assert_eq!(c.escrows(Some(PartyId(5))).await.unwrap().len(), 1);
    assert_eq!(c.escrow(EscrowId(1)).await.unwrap(), n.ledger.escrow(EscrowId(1)).unwrap().unwrap());
    // SPEC §7: the escrow's terms, checked against its hash by the client.
    let terms = n.ledger.escrow(EscrowId(1)).unwrap().unwrap().terms_hash;
    assert_eq!(c.escrow_terms(&terms).await.unwrap().text, TERMS);
    let e = c.escrow_terms(&Hash::ZERO).await.unwrap_err();
    assert!(
        matches!(&e, tamga_client::TermsError::Client(c) if c.api().is_some_and(|a| a.code == "TERMS_NOT_FOUND")),
        "{e}"
    );
    assert_eq!(c.restrictions(ClassId(1), Some(&alice)).await.unwrap(), vec![], "no freeze or pause yet");
    let f = MiningFilter { region: Some(Region::Pavlodar), status: Some("accepted".into()), ..Default::default() };
    // An anonymous reader gets the site address withheld (`api::access`), read back as empty text.
    let mut expected = n.ledger.mining_notifications(&f).unwrap();
    expected.items.iter_mut().for_each(|m| m.site.address = tamga_types::Text::new("").unwrap());
    assert_eq!(c.mining_notifications(&f).await.unwrap(), expected);
    assert_eq!(c.mining_notification(MiningNotificationId(1)).await.unwrap().miner, PartyId(6));
    assert_eq!(c.mining_totals().await.unwrap(), n.ledger.mining_totals_by_region().unwrap());
    assert_eq!(c.activity_notifications(Some(PartyId(3))).await.unwrap().len(), 2);
    assert_eq!(c.evidence().await.unwrap(), vec![]);
    let mut logical = vec![b'A'];
    logical.extend_from_slice(&alice.0);
    let p = c.state_proof(&logical, None).await.unwrap();
    assert_eq!((p.height, p.root), (4, n.ledger.state_root().unwrap()));
    assert!(p.value.is_some() && !p.proof.is_empty());

    // API errors keep status, code and field; 404s and 400s are permanent.
    let e = c.party(PartyId(99)).await.unwrap_err();
    let api = e.api().unwrap();
    assert_eq!((api.status, api.code.as_str()), (404, "PARTY_NOT_FOUND"));
    assert!(!e.is_transient());
    let f = MiningFilter { limit: Some(5000), ..Default::default() };
    let e = c.mining_notifications(&f).await.unwrap_err();
    assert_eq!(e.api().unwrap().field.as_deref(), Some("limit"));
}

#[tokio::test]
async fn client_submits_and_waits_for_the_receipt() {
    let mut n = Node::new();
    let c = serve(&n).await;
    let alice = n.c.alice.clone();
    let chain_id = c.status().await.unwrap().chain_id;
    let nonce = c.next_nonce(&alice.public()).await.unwrap();
    let p = Payload::RevokeAccount { key: key(14).public(), reason: RevocationReason::HolderRequest };
    let tx = tamga_client::sign_payload(&alice, &chain_id, nonce, p, Some("rotating keys")).unwrap();
    let hash = c.submit(&tx).await.unwrap();
    assert_eq!(hash, tx.hash());
    assert_eq!(c.tx(&hash).await.unwrap(), TxStatus::Pending);
    let e = c.submit(&tx).await.unwrap_err();
    assert_eq!(e.api().map(|a| a.code.as_str()), Some("DUPLICATE_TX"));
    let e = c.wait_for_receipt(&hash, Duration::from_millis(100)).await.unwrap_err();
    assert!(matches!(e, ClientError::Timeout { last_seen: "pending", .. }), "{e}");
    assert!(e.is_transient());

    // Commit what the mempool holds while the client polls.
    let waiter = {
        let c = c.clone();
        tokio::spawn(async move { c.wait_for_receipt(&hash, Duration::from_secs(20)).await })
    };
    tokio::time::sleep(Duration::from_millis(60)).await;
    let txs = n.mempool.reap(&LedgerView(n.ledger.clone()), 100, 1 << 20);
    assert_eq!(txs, vec![tx.clone()]);
    assert_ok(&n.block(txs));
    let view = waiter.await.unwrap().unwrap();
    assert!(view.receipt.is_success());
    assert_eq!(view.tx, tx);
    assert_eq!(c.next_nonce(&alice.public()).await.unwrap(), nonce + 1);

    // A batch: one admitted, one refused, answered per item.
    let bob = n.c.bob.clone();
    let ok = tamga_client::sign_payload(&bob, CHAIN, 0, Payload::ReleaseEscrow { escrow: EscrowId(1) }, None).unwrap();
    let r = c.submit_batch(&[ok.clone(), tx.clone()]).await.unwrap();
    assert_eq!(r[0], Ok(ok.hash()));
    assert_eq!(r[1].as_ref().unwrap_err().code, "ALREADY_COMMITTED");
    assert_eq!(r[1].as_ref().unwrap_err().status, 409);

    // A dead node is a transport error, and transient.
    let dead = Client::new("http://127.0.0.1:1").unwrap();
    let e = dead.status().await.unwrap_err();
    assert!(matches!(e, ClientError::Transport { .. }) && e.is_transient(), "{e}");
}

/// A client built `with_signer` signs every request the node verifies:
/// reads with a query string, posted bodies, and a key that is no account is
/// refused by name.
#[tokio::test]
async fn signing_client_is_accepted_and_unknown_signer_refused() {
    let n = Node::scenario();
    let c = serve(&n).await.with_signer(n.c.reg.clone());
    let f = MiningFilter { region: Some(Region::Pavlodar), limit: Some(10), ..MiningFilter::default() };
    assert_eq!(c.mining_notifications(&f).await.unwrap().items.len(), 1);
    let alice = n.c.alice.clone();
    let tx =
        tamga_client::sign_payload(&alice, CHAIN, 2, Payload::ReleaseEscrow { escrow: EscrowId(1) }, None).unwrap();
    assert_eq!(c.submit(&tx).await.unwrap(), tx.hash());

    let stranger = serve(&n).await.with_signer(key(201));
    let e = stranger.status().await.unwrap_err();
    let api = e.api().unwrap_or_else(|| panic!("{e}"));
    assert_eq!(
        (api.status, api.code.as_str(), api.field.as_deref()),
        (401, "BAD_REQUEST_SIGNATURE", Some("x-tamga-key"))
    );
}

/// The signing client learns the node's chain id and key once, signs each
/// request anew (concurrent identical requests are not replays), and a
/// client that addresses another node is refused.
#[tokio::test]
async fn signing_client_addresses_its_node_and_never_replays_itself() {
    let n = Node::scenario();
    let c = serve(&n).await.with_signer(n.c.reg.clone());
    let reads = (0..20).map(|_| c.party(PartyId(1)));
    for r in futures::future::join_all(reads).await {
        assert_eq!(r.unwrap().party.regulator_scopes.len(), 2);
    }
    assert_eq!(n.ctx.guards.replay.len(), 20, "twenty distinct signed requests");

    let base = c.base_url().to_owned();
    // Another client of the same key may sign at the same millisecond as
    // the first: it asks for another party, so it is another request.
    let known = Client::new(&base).unwrap().with_signer_for(n.c.reg.clone(), audience());
    assert_eq!(known.party(PartyId(2)).await.unwrap().party.regulator_scopes.len(), 1);
    let elsewhere = tamga_types::request::Audience { node_key: key(101).public(), ..audience() };
    let wrong = Client::new(&base).unwrap().with_signer_for(n.c.reg.clone(), elsewhere);
    let e = wrong.party(PartyId(1)).await.unwrap_err();
    let api = e.api().unwrap_or_else(|| panic!("{e}"));
    assert_eq!((api.status, api.code.as_str()), (401, "BAD_REQUEST_SIGNATURE"));
}
