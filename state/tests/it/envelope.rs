//! SPEC §1.3, §1.9, §3, §8: who may sign, nonces, and what a failure costs.

use tamga_types::*;

use crate::common::*;

#[test]
fn unknown_key_is_refused_and_nothing_changes() {
    let mut ch = Chain::new();
    let stranger = key(77);
    ch.refused(&stranger, 0, create_class("X", None), "UNKNOWN_SIGNER");
    assert_eq!(ch.ledger.nonce(&stranger.public()).unwrap(), 0);
    assert!(ch.ledger.account(&stranger.public()).unwrap().is_none());
}

#[test]
fn wrong_nonce_is_refused_without_spending_a_nonce() {
    let mut ch = Chain::new();
    let bob = ch.c.bob.clone();
    ch.refused(&bob, 1, create_class("X", None), "NONCE_OUT_OF_SEQUENCE");
    assert_eq!(ch.ledger.nonce(&bob.public()).unwrap(), 0);
    // A replayed (already used) nonce is refused too.
    ch.fails(&bob, create_class("X", None), "NOT_ISSUER");
    ch.refused(&bob, 0, create_class("Y", None), "NONCE_OUT_OF_SEQUENCE");
    assert_eq!(ch.ledger.nonce(&bob.public()).unwrap(), 1);
}

/// SPEC §8: a signer's nonces in a block run on from its next nonce, one per
/// transaction; a gap or a repeat makes the block invalid.
#[test]
fn nonces_increase_by_one_within_a_block() {
    let mut ch = Chain::new();
    let issuer = ch.c.issuer.clone();
    let t0 = ch.tx(&issuer, create_class("A", None));
    let t1 = ch.tx(&issuer, create_class("B", None));
    let skip = sign_tx(&issuer, 3, create_class("C", None));
    let again = sign_tx(&issuer, 1, create_class("D", None));
    for bad in [skip, again] {
        let err = ch.ledger.execute(&ch.ctx(), &[t0.clone(), t1.clone(), bad.clone()], &[], &Default::default());
        match err {
            Err(tamga_state::BlockInvalid::NonceOutOfSequence { index: 2, expected: 2, got, .. }) => {
                assert_eq!(got, bad.tx.nonce)
            }
            other => panic!("expected NONCE_OUT_OF_SEQUENCE at index 2, got {other:?}"),
        }
    }
    let rs = ch.block(vec![t0, t1]);
    assert!(rs[0].is_success() && rs[1].is_success());
    assert_eq!(ch.ledger.nonce(&issuer.public()).unwrap(), 2);
}

/// SPEC §1.9: a validator key signs blocks and votes only.
#[test]
fn validator_key_cannot_sign_any_transaction() {
    let mut ch = Chain::new();
    for v in ch.c.validators.clone() {
        ch.refused(
            &v,
            0,
            Payload::RevokeAccount { key: ch.c.bob.public(), reason: RevocationReason::CourtDecision },
            "VALIDATOR_KEY_CANNOT_SIGN",
        );
    }
    let v0 = ch.c.validators[0].clone();
    let reg = ch.c.reg.clone();
    // Nor can a regulator bind a validator key to a party.
    ch.fails(
        &reg,
        Payload::AddAccount { party: BOB, key: v0.public(), certificate: None },
        "VALIDATOR_KEY_CANNOT_SIGN",
    );
    ch.fails(
        &reg,
        Payload::RegisterParty {
            kind: PartyKind::Individual,
            id_commitment: Hash::digest(b"test", b"new"),
            display_name: None,
            accounts: BoundedVec::new(vec![(v0.public(), None)]).unwrap(),
        },
        "VALIDATOR_KEY_CANNOT_SIGN",
    );
}

/// SPEC §3: signatures by a revoked key are rejected from the height of
/// revocation on; what they signed before stays valid.
#[test]
fn revoked_key_rejected_from_revocation_height_earlier_txs_stay_valid() {
    let mut ch = Chain::new();
    let (issuer, alice, alice2, bob) = (ch.c.issuer.clone(), ch.c.alice.clone(), ch.c.alice2.clone(), ch.c.bob.clone());
    let class = ch.class("WHT", None);
    ch.ok(&issuer, mint(class, &alice2, 100));
    let early = ch.ok(&alice2, transfer(class, &bob, 10));
    let early_height = early.height;
    // Same block: alice2 transfers (index 0), alice revokes alice2 (index 1), alice2 tries again (index 2).
    let before_revocation = ch.tx(&alice2, transfer(class, &bob, 5));
    let revoke =
        ch.tx(&alice, Payload::RevokeAccount { key: alice2.public(), reason: RevocationReason::HolderRequest });
    let after = ch.tx(&alice2, transfer(class, &bob, 5));
    let rs = ch.block(vec![before_revocation, revoke, after]);
    let h = rs[0].height;
    assert!(rs[0].is_success() && rs[1].is_success());
    failed_code(&rs[2], "ACCOUNT_REVOKED", "after revocation");
    let acc = ch.ledger.account(&alice2.public()).unwrap().unwrap();
    assert!(matches!(acc.status, tamga_state::model::AccountStatus::Revoked { height, .. } if height == h));
    assert_eq!(acc.nonce, 2, "the refused tx did not spend a nonce");
    assert_eq!(ch.balance(class, &bob), 15);
    // Later blocks too.
    ch.refused(&alice2, 2, transfer(class, &bob, 1), "ACCOUNT_REVOKED");
    // Earlier transactions stay valid: receipts still succeed, blocks still replay.
    let r = ch.ledger.receipt(&early.tx_hash).unwrap().unwrap();
    assert!(r.is_success());
    assert_eq!(r.height, early_height);
    crate::replay::replay_all(&ch);
    // A revoked key cannot be revoked again, and cannot receive.
    ch.fails(
        &alice,
        Payload::RevokeAccount { key: alice2.public(), reason: RevocationReason::Death },
        "ACCOUNT_INACTIVE",
    );
    ch.fails(&bob, transfer(class, &alice2, 1), "ACCOUNT_INACTIVE");
}

#[test]
fn suspended_party_cannot_sign_and_is_refused_without_nonce() {
    let mut ch = Chain::new();
    let (reg, bob) = (ch.c.reg.clone(), ch.c.bob.clone());
    ch.ok(&reg, Payload::SetPartyStatus { party: BOB, status: PartyStatus::Suspended, legal_basis: text("order 5") });
    let refused = sign_tx(&bob, 0, create_class("X", None));
    ch.refused(&bob, 0, create_class("X", None), "PARTY_INACTIVE");
    ch.ok(&reg, Payload::SetPartyStatus { party: BOB, status: PartyStatus::Active, legal_basis: text("order 6") });
    // The refused transaction never reached the chain: once the party is
    // active again, the same bytes are a valid transaction (here a payload failure).
    assert!(ch.ledger.transaction(&refused.hash()).unwrap().is_none());
    let r = ch.block(vec![refused]).remove(0);
    failed_code(&r, "NOT_ISSUER", "after reactivation");
    assert_eq!(ch.ledger.nonce(&bob.public()).unwrap(), 1);
}

/// SPEC §8: a payload failure spends the nonce and discards every other effect,
/// including effects of the same transaction that happened before the failing rule.
#[test]
fn payload_failure_discards_partial_effects() {
    let mut ch = Chain::new();
    let (issuer, alice, bob) = (ch.c.issuer.clone(), ch.c.alice.clone(), ch.c.bob.clone());
    let class = ch.class("WHT", Some(1_000));
    ch.ok(&issuer, mint(class, &alice, 600));
    ch.fails(&issuer, mint(class, &bob, 401), "SUPPLY_CAP_EXCEEDED");
    ch.ok(&bob, publish_terms(TERMS));
    // Escrow creation allocates an id (counters change) before the balance check fails.
    ch.fails(
        &alice,
        Payload::CreateEscrow {
            payee: bob.public(),
            arbiter: ch.c.reg.public(),
            asset: EscrowAsset::Tokens { class, amount: 601 },
            terms_hash: terms_hash(),
            deadline_height: 100,
        },
        "INSUFFICIENT_BALANCE",
    );
    assert_eq!(ch.supply(class), 600);
}

/// A failed tx in a block with successful ones: the successful effects stay.
#[test]
fn failed_tx_between_successes_in_one_block() {
    let mut ch = Chain::new();
    let (issuer, alice, bob) = (ch.c.issuer.clone(), ch.c.alice.clone(), ch.c.bob.clone());
    let class = ch.class("WHT", None);
    let a = ch.tx(&issuer, mint(class, &alice, 10));
    let b = ch.tx(&alice, transfer(class, &bob, 11));
    let c = ch.tx(&alice, transfer(class, &bob, 4));
    let rs = ch.block(vec![a, b, c]);
    assert!(rs[0].is_success());
    failed_code(&rs[1], "INSUFFICIENT_BALANCE", "overdraft");
    assert!(rs[2].is_success());
    assert_eq!((ch.balance(class, &alice), ch.balance(class, &bob)), (6, 4));
    assert_eq!(ch.ledger.nonce(&alice.public()).unwrap(), 2);
    assert_eq!(rs.iter().map(|r| r.index).collect::<Vec<_>>(), vec![0, 1, 2]);
    // Receipts are stored and findable by hash.
    for r in &rs {
        assert_eq!(ch.ledger.receipt(&r.tx_hash).unwrap().as_ref(), Some(r));
        let tv = ch.ledger.transaction(&r.tx_hash).unwrap().unwrap();
        assert_eq!(tv.tx.hash(), r.tx_hash);
    }
    assert_eq!(ch.ledger.receipts(rs[0].height).unwrap(), rs);
}

/// SPEC §8, the envelope at the start of a block: a block carrying a
/// transaction whose signer is unknown, revoked, or of an inactive party
/// before the block, or whose nonce is out of sequence, is invalid as a
/// whole. The proposer's screen finds every such transaction in one pass,
/// and the rest executes. A transaction refused only because of an earlier
/// transaction of the same block is a failed receipt that changes nothing.
#[test]
fn envelope_is_checked_at_the_start_of_the_block() {
    let mut ch = Chain::new();
    let (reg, alice, alice2, bob, issuer) =
        (ch.c.reg.clone(), ch.c.alice.clone(), ch.c.alice2.clone(), ch.c.bob.clone(), ch.c.issuer.clone());
    // Before the block: alice2 revoked, bob's party suspended.
    ch.ok(&alice, Payload::RevokeAccount { key: alice2.public(), reason: RevocationReason::HolderRequest });
    ch.ok(&reg, Payload::SetPartyStatus { party: BOB, status: PartyStatus::Suspended, legal_basis: text("order 7") });
    let before = ch.ledger.dump().unwrap();
    let good = ch.tx(&issuer, create_class("GOOD", None));
    let stranger = key(78);
    let cases = [
        (sign_tx(&stranger, 0, create_class("X", None)), "UNKNOWN_SIGNER"),
        (sign_tx(&alice2, 1, create_class("X", None)), "ACCOUNT_REVOKED"),
        (sign_tx(&bob, 0, create_class("X", None)), "PARTY_INACTIVE"),
        (sign_tx(&ch.c.validators[1], 0, create_class("X", None)), "VALIDATOR_KEY_CANNOT_SIGN"),
        (sign_tx(&issuer, 0, create_class("X", None)), "NONCE_OUT_OF_SEQUENCE"),
    ];
    for (bad, code) in &cases {
        let err = ch.ledger.execute(&ch.ctx(), &[good.clone(), bad.clone()], &[], &Default::default()).unwrap_err();
        assert_eq!((err.code(), err.tx_index()), (*code, Some(1)), "{err}");
    }
    assert_eq!(ch.ledger.dump().unwrap(), before, "nothing was written");
    // One key reusing nonce 0 three times: every one is refused, in one pass.
    let junk: Vec<_> = (0..3).map(|i| sign_tx(&stranger, 0, create_class(&format!("J{i}"), None))).collect();
    let mut all = vec![good.clone()];
    all.extend(cases.iter().map(|(t, _)| t.clone()));
    all.extend(junk);
    let screened = ch.ledger.screen(&all, &Default::default()).unwrap();
    let codes: Vec<(usize, &str)> = screened.iter().map(|e| (e.tx_index().unwrap(), e.code())).collect();
    assert_eq!(
        codes,
        vec![
            (1, "UNKNOWN_SIGNER"),
            (2, "ACCOUNT_REVOKED"),
            (3, "PARTY_INACTIVE"),
            (4, "VALIDATOR_KEY_CANNOT_SIGN"),
            (5, "NONCE_OUT_OF_SEQUENCE"),
            (6, "UNKNOWN_SIGNER"),
            (7, "UNKNOWN_SIGNER"),
            (8, "UNKNOWN_SIGNER"),
        ]
    );
    // What is left executes, once.
    let rs = ch.block(vec![good]);
    assert!(rs[0].is_success());
    assert!(ch.ledger.account(&stranger.public()).unwrap().is_none());

    // Inside one block: the regulator suspends alice's party, then alice signs.
    // Valid at the start of the block, so the block stands and alice's
    // transaction is a failed receipt that spends nothing.
    ch.ok(&reg, Payload::SetPartyStatus { party: BOB, status: PartyStatus::Active, legal_basis: text("order 8") });
    let alice_party = ch.ledger.account(&alice.public()).unwrap().unwrap().party;
    let suspend = ch.tx(
        &reg,
        Payload::SetPartyStatus { party: alice_party, status: PartyStatus::Suspended, legal_basis: text("order 9") },
    );
    let by_alice = ch.tx(&alice, create_class("Y", None));
    let n_alice = ch.ledger.nonce(&alice.public()).unwrap();
    let rs = ch.block(vec![suspend, by_alice]);
    assert!(rs[0].is_success());
    failed_code(&rs[1], "PARTY_INACTIVE", "suspended earlier in the block");
    assert_eq!(ch.ledger.nonce(&alice.public()).unwrap(), n_alice, "an envelope failure spends no nonce");
    crate::replay::replay_all(&ch);
}
