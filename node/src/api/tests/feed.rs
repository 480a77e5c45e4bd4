//! `GET /v1/events?account=KEY`: informing the affected party (Law on
//! Digital Assets art. 36 p.6). Each consequence kind reaches the account
//! it concerns and no other; the feed is the account's own when reads are
//! closed; feeds per account are bounded and a slow one is closed with an
//! `end` event.

use tamga_types::*;

use super::events::Stream;
use super::*;
use crate::api::EventHub;

impl Node {
    /// Opens `/v1/events{query}`, signed by `signer` when given.
    async fn feed(
        &self,
        query: &str,
        signer: Option<&SigningKey>,
        last_id: Option<&str>,
    ) -> Result<Stream, (StatusCode, serde_json::Value)> {
        let uri = format!("/v1/events{query}");
        let mut req = Request::builder().uri(&uri);
        if let Some(k) = signer {
            for (name, value) in tamga_types::request::sign_headers(k, &audience(), "GET", &uri, fresh_ms(), b"") {
                req = req.header(name, value);
            }
        }
        if let Some(id) = last_id {
            req = req.header("last-event-id", id);
        }
        let resp = router(self.ctx.clone()).oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
        let status = resp.status();
        if status != StatusCode::OK {
            let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX).await.unwrap();
            return Err((status, serde_json::from_slice(&bytes).unwrap()));
        }
        Ok(Stream::of(resp))
    }

    /// Commits one transaction by `k` (at its next nonce) in a block of its
    /// own; returns its receipt.
    fn one(&mut self, k: &SigningKey, payload: Payload) -> Receipt {
        let nonce = self.ledger.nonce(&k.public()).unwrap();
        let r = self.block(vec![sign(k, nonce, payload)]);
        assert_ok(&r);
        r.into_iter().next().unwrap()
    }
}

fn q(k: &SigningKey) -> String {
    format!("?account={}", k.public().to_hex())
}

/// The next event is `kind` of receipt `r`, concerning `who` as `role`.
async fn expect(s: &mut Stream, who: &SigningKey, r: &Receipt, kind: &str, role: &str) {
    let f = s.next().await;
    assert_eq!(f.event, "account_event", "{f:?}");
    let d = &f.data;
    assert_eq!(d["event"]["kind"], kind, "{d}");
    assert_eq!(d["role"], role, "{d}");
    assert_eq!(d["account"], who.public().to_hex(), "{d}");
    assert_eq!(d["height"], r.height, "{d}");
    assert_eq!(d["tx_hash"], r.tx_hash.to_hex(), "{d}");
    assert_eq!(d["block_time_ms"], r.block_time_ms, "{d}");
    let ev = r.events.iter().find(|e| e.kind == kind).unwrap();
    assert_eq!(d["event"], serde_json::to_value(ev).unwrap(), "the receipt event as the receipt carries it");
}

#[tokio::test]
async fn rule8_a_freeze_reaches_the_holders_feed() {
    let mut n = Node::scenario();
    let (reg, alice, bob) = (n.c.reg.clone(), n.c.alice.clone(), n.c.bob.clone());
    let mut a = n.feed(&q(&alice), None, None).await.unwrap();
    let mut b = n.feed(&q(&bob), None, None).await.unwrap();
    let r = n.one(
        &reg,
        Payload::Freeze {
            class: ClassId(1),
            holder: alice.public(),
            amount: Some(500),
            legal_basis: text("court order 7"),
        },
    );
    expect(&mut a, &alice, &r, "frozen", "holder").await;
    b.quiet().await;

    // Reconnecting after the freeze's height misses nothing and repeats nothing.
    let lift =
        n.one(&reg, Payload::LiftRestriction { restriction: RestrictionId(1), legal_basis: text("order lifted") });
    drop(a);
    let mut again = n.feed(&q(&alice), None, Some(&r.height.to_string())).await.unwrap();
    expect(&mut again, &alice, &lift, "restriction_lifted", "holder").await;
    again.quiet().await;
}

#[tokio::test]
async fn rule8_each_consequence_reaches_the_affected_accounts() {
    let mut n = Node::scenario();
    let (reg, issuer, alice, bob, miner) =
        (n.c.reg.clone(), n.c.issuer.clone(), n.c.alice.clone(), n.c.bob.clone(), n.c.miner.clone());
    let alice2 = key(14);
    let mut a = n.feed(&q(&alice), None, None).await.unwrap();
    let mut b = n.feed(&q(&bob), None, None).await.unwrap();
    let mut m = n.feed(&q(&miner), None, None).await.unwrap();
    let mut a2 = n.feed(&q(&alice2), None, None).await.unwrap();

    let r = n.one(
        &reg,
        Payload::Freeze { class: ClassId(1), holder: alice.public(), amount: None, legal_basis: text("court order") },
    );
    expect(&mut a, &alice, &r, "frozen", "holder").await;
    let r = n.one(
        &reg,
        Payload::ForcedTransfer {
            class: ClassId(1),
            from: bob.public(),
            to: alice.public(),
            amount: 100,
            legal_basis: text("enforcement"),
        },
    );
    expect(&mut b, &bob, &r, "forced_transfer", "from").await;
    expect(&mut a, &alice, &r, "forced_transfer", "to").await;
    let r = n.one(
        &reg,
        Payload::Encumber {
            record: RecordId(1),
            kind: EncumbranceKind::Arrest,
            beneficiary: reg.public(),
            legal_basis: text("arrest"),
        },
    );
    expect(&mut a, &alice, &r, "record_encumbered", "record_holder").await;
    let r = n.one(&bob, Payload::DisputeEscrow { escrow: EscrowId(1), reason: text("not delivered") });
    expect(&mut a, &alice, &r, "escrow_disputed", "payer").await;
    expect(&mut b, &bob, &r, "escrow_disputed", "payee").await;
    let r = n.one(&reg, Payload::ResolveEscrow { escrow: EscrowId(1), to_payee: true, reason: text("delivered") });
    expect(&mut a, &alice, &r, "escrow_settled", "payer").await;
    expect(&mut b, &bob, &r, "escrow_settled", "payee").await;
    let r = n.one(&issuer, Payload::SetClassPaused { class: ClassId(1), paused: true, legal_basis: text("audit") });
    expect(&mut a, &alice, &r, "class_paused", "class_holder").await;
    expect(&mut b, &bob, &r, "class_paused", "class_holder").await;
    let r = n.one(&reg, Payload::LiftRestriction { restriction: RestrictionId(2), legal_basis: text("audit done") });
    expect(&mut a, &alice, &r, "restriction_lifted", "class_holder").await;
    expect(&mut b, &bob, &r, "restriction_lifted", "class_holder").await;
    let r = n.one(&reg, Payload::LiftRestriction { restriction: RestrictionId(1), legal_basis: text("order lifted") });
    expect(&mut a, &alice, &r, "restriction_lifted", "holder").await;
    let r = n.one(
        &reg,
        Payload::SetPartyStatus { party: PartyId(5), status: PartyStatus::Suspended, legal_basis: text("inquiry") },
    );
    expect(&mut b, &bob, &r, "party_status_changed", "party").await;
    let r = n.one(
        &reg,
        Payload::RecoverAccount { from: alice.public(), to: alice2.public(), legal_basis: text("key lost") },
    );
    expect(&mut a, &alice, &r, "record_recovered", "from").await;
    expect(&mut a, &alice, &r, "account_recovered", "from").await;
    expect(&mut a2, &alice2, &r, "record_recovered", "to").await;
    expect(&mut a2, &alice2, &r, "account_recovered", "to").await;
    // A validator of the miner's leaves the set (its last block: the
    // test's certificates are signed by the genesis set).
    let leaving = n.c.validators[0].public();
    let r = n.one(
        &reg,
        Payload::UpdateValidators {
            updates: BoundedVec::new(vec![ValidatorUpdate {
                key: leaving,
                power: 0,
                operator: PartyId(6),
                p2p_key: None,
            }])
            .unwrap(),
        },
    );
    expect(&mut m, &miner, &r, "validators_updated", "operator").await;
    for s in [&mut a, &mut b, &mut m, &mut a2] {
        s.quiet().await;
    }
}

#[tokio::test]
async fn rule8_unrelated_events_are_not_delivered() {
    let n = Node::scenario();
    let (alice, bob, miner) = (n.c.alice.clone(), n.c.bob.clone(), n.c.miner.clone());
    // Bob's share of the scenario: alice's transfer to him and the escrow he
    // is the payee of (height 3). Not: the class, alice's mint and record,
    // the notifications, his own terms, his failed transfer (height 4).
    let h3 = n.ledger.receipts(3).unwrap();
    let mut b = n.feed(&format!("{}&from_height=1", q(&bob)), None, None).await.unwrap();
    expect(&mut b, &bob, &h3[0], "transfer", "to").await;
    let f = b.next().await;
    assert_eq!((f.data["event"]["kind"].as_str(), f.data["role"].as_str()), (Some("escrow_created"), Some("payee")));
    assert_eq!(f.id.as_deref(), Some("3"), "the block's last event carries its height");
    b.quiet().await;
    // The miner: only the regulator's review of its notification.
    let mut m = n.feed(&format!("{}&from_height=1", q(&miner)), None, None).await.unwrap();
    expect(&mut m, &miner, &h3[3], "mining_notification_reviewed", "party").await;
    m.quiet().await;
    // `kinds` narrows an account's feed to receipt event kinds.
    let mut a = n.feed(&format!("{}&from_height=1&kinds=escrow_created", q(&alice)), None, None).await.unwrap();
    expect(&mut a, &alice, &h3[2], "escrow_created", "payer").await;
    a.quiet().await;
    // A key that is no account, a key that is not hex.
    let stranger = key(77);
    let (status, v) = n.feed(&q(&stranger), None, None).await.err().unwrap();
    assert_eq!((status, code(&v)), (StatusCode::NOT_FOUND, "ACCOUNT_NOT_FOUND"), "{v}");
    let (status, v) = n.feed("?account=xyz", None, None).await.err().unwrap();
    assert_eq!((status, code(&v), v["field"].as_str()), (StatusCode::BAD_REQUEST, "BAD_PARAM", Some("account")));
}

#[tokio::test]
async fn rule8_feed_is_private_when_reads_are_closed() {
    let mut n = Node::scenario();
    n.ctx.read_policy.public_read = false;
    let (reg, alice, bob) = (n.c.reg.clone(), n.c.alice.clone(), n.c.bob.clone());
    let (status, v) = n.feed(&q(&alice), None, None).await.err().unwrap();
    assert_eq!((status, code(&v)), (StatusCode::UNAUTHORIZED, "SIGNATURE_REQUIRED"), "{v}");
    let (status, v) = n.feed(&q(&alice), Some(&bob), None).await.err().unwrap();
    assert_eq!(
        (status, code(&v), v["field"].as_str()),
        (StatusCode::FORBIDDEN, "ACCOUNT_FEED_FORBIDDEN", Some("account"))
    );
    assert!(v["message"].as_str().unwrap().contains(&bob.public().to_hex()), "{v}");
    // Alice's other key belongs to her party but is not this account.
    let (status, _) = n.feed(&q(&alice), Some(&key(14)), None).await.err().unwrap();
    assert_eq!(status, StatusCode::FORBIDDEN);
    let mut own = n.feed(&q(&alice), Some(&alice), None).await.unwrap();
    let mut regulator = n.feed(&q(&alice), Some(&reg), None).await.unwrap();
    let r = n.one(
        &reg,
        Payload::Freeze { class: ClassId(1), holder: alice.public(), amount: Some(1), legal_basis: text("order") },
    );
    expect(&mut own, &alice, &r, "frozen", "holder").await;
    expect(&mut regulator, &alice, &r, "frozen", "holder").await;
}

#[tokio::test]
async fn rule8_account_feeds_are_bounded_and_a_slow_one_is_closed() {
    let mut n = Node::scenario();
    let limits = crate::api::ApiLimits { sse_max_subscribers_per_account: 1, ..Default::default() };
    n.ctx.events = EventHub::with_limits(&limits);
    let (reg, alice) = (n.c.reg.clone(), n.c.alice.clone());
    let s = n.feed(&q(&alice), None, None).await.unwrap();
    let (status, v) = n.feed(&q(&alice), None, None).await.err().unwrap();
    assert_eq!((status, code(&v)), (StatusCode::SERVICE_UNAVAILABLE, "TOO_MANY_SUBSCRIBERS"), "{v}");
    assert!(v["message"].as_str().unwrap().contains(&alice.public().to_hex()), "{v}");
    assert_eq!(n.ctx.events.account_subscribers(&alice.public()), 1);
    let _bob = n.feed(&q(&n.c.bob), None, None).await.unwrap();
    drop(s);
    assert_eq!(n.ctx.events.account_subscribers(&alice.public()), 0, "the slot is freed with the stream");

    // A feed that falls behind the channel (two blocks) is closed with an
    // `end` event naming where to resume; resuming misses nothing.
    n.ctx.events = EventHub::with_capacity(4, 2);
    let mut slow = n.feed(&q(&alice), None, None).await.unwrap();
    let first = n.one(
        &reg,
        Payload::Freeze { class: ClassId(1), holder: alice.public(), amount: Some(1), legal_basis: text("order 1") },
    );
    expect(&mut slow, &alice, &first, "frozen", "holder").await;
    let mut later = Vec::new();
    for i in 2..6 {
        later.push(n.one(
            &reg,
            Payload::Freeze {
                class: ClassId(1),
                holder: alice.public(),
                amount: Some(1),
                legal_basis: text(&format!("order {i}")),
            },
        ));
    }
    let end = slow.next().await;
    assert_eq!(end.event, "end", "{end:?}");
    assert_eq!(code(&end.data), "SUBSCRIBER_TOO_SLOW");
    assert_eq!(end.id.as_deref(), Some(first.height.to_string().as_str()), "resume after the last block sent whole");
    let mut resumed = n.feed(&q(&alice), None, end.id.as_deref()).await.unwrap();
    for r in &later {
        expect(&mut resumed, &alice, r, "frozen", "holder").await;
    }
    resumed.quiet().await;
}
