//! SPEC §7 conditional transfers: lock, release, refund after the deadline, dispute, arbiter.

use tamga_types::*;

use crate::common::*;

fn create(c: &Cast, asset: EscrowAsset, deadline_height: Height) -> Payload {
    Payload::CreateEscrow {
        payee: c.bob.public(),
        arbiter: c.reg.public(),
        asset,
        terms_hash: terms_hash(),
        deadline_height,
    }
}

fn setup() -> (Chain, Cast, ClassId) {
    let mut ch = Chain::new();
    let c = ch.c.clone();
    let class = ch.class("WHT", None);
    ch.ok(&c.issuer, mint(class, &c.alice, 100));
    ch.ok(&c.bob, publish_terms(TERMS));
    (ch, c, class)
}

fn escrow_id(r: &Receipt) -> EscrowId {
    EscrowId(event_u64(r, "escrow_created", "escrow"))
}

#[test]
fn token_escrow_released_to_payee() {
    let (mut ch, c, class) = setup();
    let r = ch.ok(&c.alice, create(&c, EscrowAsset::Tokens { class, amount: 60 }, 100));
    let id = escrow_id(&r);
    assert_eq!(ch.balance(class, &c.alice), 40, "tokens leave the payer's holding");
    ch.fails(&c.alice, transfer(class, &c.bob, 41), "INSUFFICIENT_BALANCE");
    ch.fails(&c.bob, Payload::ReleaseEscrow { escrow: id }, "UNAUTHORIZED");
    ch.fails(&c.alice, Payload::RefundEscrow { escrow: id }, "DEADLINE_NOT_REACHED");
    ch.fails(&c.alice, Payload::ReleaseEscrow { escrow: EscrowId(9) }, "UNKNOWN_ESCROW");
    // Another account of the payer's party may confirm.
    ch.ok(&c.alice2, Payload::ReleaseEscrow { escrow: id });
    assert_eq!((ch.balance(class, &c.alice), ch.balance(class, &c.bob)), (40, 60));
    let e = ch.ledger.escrow(id).unwrap().unwrap();
    assert_eq!(e.status, tamga_state::model::EscrowStatus::Released);
    ch.fails(&c.alice, Payload::ReleaseEscrow { escrow: id }, "ESCROW_STATE");
    assert_eq!(ch.ledger.escrows_by_party(REG).unwrap().len(), 1, "the arbiter sees it");
}

#[test]
fn refund_only_after_the_deadline() {
    let (mut ch, c, class) = setup();
    let h = ch.ledger.height().unwrap();
    let r = ch.ok(&c.alice, create(&c, EscrowAsset::Tokens { class, amount: 10 }, h + 3));
    let id = escrow_id(&r);
    ch.fails(&c.alice, Payload::RefundEscrow { escrow: id }, "DEADLINE_NOT_REACHED"); // h + 2
    ch.fails(&c.alice, Payload::RefundEscrow { escrow: id }, "DEADLINE_NOT_REACHED"); // h + 3
    ch.fails(&c.bob, Payload::RefundEscrow { escrow: id }, "UNAUTHORIZED");
    ch.ok(&c.alice, Payload::RefundEscrow { escrow: id }); // h + 5 > deadline
    assert_eq!(ch.balance(class, &c.alice), 100);
    assert_eq!(ch.supply(class), 100);
}

#[test]
fn dispute_decided_by_the_arbiter() {
    let (mut ch, c, class) = setup();
    let r = ch.ok(&c.alice, create(&c, EscrowAsset::Tokens { class, amount: 10 }, 100));
    let id = escrow_id(&r);
    let resolve = |to_payee| Payload::ResolveEscrow { escrow: id, to_payee, reason: text("goods delivered") };
    ch.fails(&c.reg, resolve(true), "ESCROW_STATE");
    ch.fails(&c.issuer, Payload::DisputeEscrow { escrow: id, reason: text("x") }, "UNAUTHORIZED");
    ch.fails(&c.bob, Payload::DisputeEscrow { escrow: id, reason: text("") }, "EMPTY_FIELD");
    ch.ok(&c.bob, Payload::DisputeEscrow { escrow: id, reason: text("not paid in full") });
    ch.fails(&c.alice, Payload::ReleaseEscrow { escrow: id }, "ESCROW_STATE");
    ch.fails(&c.bob, resolve(true), "UNAUTHORIZED");
    ch.fails(&c.reg, Payload::ResolveEscrow { escrow: id, to_payee: true, reason: text(" ") }, "EMPTY_FIELD");
    ch.ok(&c.reg, resolve(false));
    assert_eq!(ch.balance(class, &c.alice), 100);
    let e = ch.ledger.escrow(id).unwrap().unwrap();
    assert_eq!(e.resolution.as_deref(), Some("goods delivered"));
}

#[test]
fn create_rejections() {
    let (mut ch, c, class) = setup();
    let h = ch.ledger.height().unwrap();
    ch.fails(&c.alice, create(&c, EscrowAsset::Tokens { class, amount: 10 }, h + 1), "DEADLINE_IN_PAST");
    ch.fails(&c.alice, create(&c, EscrowAsset::Tokens { class, amount: 0 }, 100), "ZERO_AMOUNT");
    ch.fails(&c.alice, create(&c, EscrowAsset::Tokens { class, amount: 101 }, 100), "INSUFFICIENT_BALANCE");
    ch.fails(&c.alice, create(&c, EscrowAsset::Tokens { class: ClassId(7), amount: 1 }, 100), "UNKNOWN_CLASS");
    ch.fails(&c.bob, create(&c, EscrowAsset::Tokens { class, amount: 1 }, 100), "SELF_TRANSFER");
    let mut p = create(&c, EscrowAsset::Tokens { class, amount: 1 }, 100);
    if let Payload::CreateEscrow { arbiter, .. } = &mut p {
        *arbiter = key(93).public();
    }
    ch.fails(&c.alice, p, "UNKNOWN_ACCOUNT");
    ch.fails(&c.alice, create(&c, EscrowAsset::Record { record: RecordId(1) }, 100), "UNKNOWN_RECORD");
}

#[test]
fn record_escrow_locks_the_record() {
    let (mut ch, c, _) = setup();
    let rec = ch.record(c.alice.public());
    ch.fails(&c.bob, create(&c, EscrowAsset::Record { record: rec }, 100), "SELF_TRANSFER");
    let r = ch.ok(&c.alice, create(&c, EscrowAsset::Record { record: rec }, 100));
    let id = escrow_id(&r);
    ch.fails(&c.alice, Payload::TransferRecord { record: rec, to: c.alice2.public() }, "RECORD_IN_ESCROW");
    ch.fails(&c.alice, Payload::TerminateRecord { record: rec, reason: TerminationReason::Other }, "RECORD_IN_ESCROW");
    ch.fails(&c.alice, create(&c, EscrowAsset::Record { record: rec }, 100), "RECORD_IN_ESCROW");
    // The payer cannot pledge what it locked for the payee.
    ch.fails(
        &c.alice,
        Payload::Encumber {
            record: rec,
            kind: EncumbranceKind::Pledge,
            beneficiary: c.bob.public(),
            legal_basis: text("loan"),
        },
        "RECORD_IN_ESCROW",
    );
    ch.ok(&c.alice, Payload::ReleaseEscrow { escrow: id });
    let v = ch.ledger.record(rec).unwrap().unwrap();
    assert_eq!((v.record.holder, v.record.holder_party, v.record.escrow), (c.bob.public(), BOB, None));
    assert_eq!(v.history.last().unwrap().event, "record_escrow_settled");
    ch.ok(&c.bob, Payload::TransferRecord { record: rec, to: c.alice.public() });
}

/// SPEC §5: an arrest imposed on a record in escrow keeps it from moving to the payee.
#[test]
fn arrested_record_in_escrow_is_not_released_to_the_payee() {
    let (mut ch, c, _) = setup();
    let rec = ch.record(c.alice.public());
    let id = escrow_id(&ch.ok(&c.alice, create(&c, EscrowAsset::Record { record: rec }, 100)));
    let r = ch.ok(
        &c.reg,
        Payload::Encumber {
            record: rec,
            kind: EncumbranceKind::Arrest,
            beneficiary: c.reg.public(),
            legal_basis: text("court order 77"),
        },
    );
    let arrest = EncumbranceId(event_u64(&r, "record_encumbered", "encumbrance"));
    ch.fails(&c.alice, Payload::ReleaseEscrow { escrow: id }, "RECORD_ENCUMBERED");
    ch.ok(&c.reg, Payload::Release { record: rec, encumbrance: arrest });
    ch.ok(&c.alice, Payload::ReleaseEscrow { escrow: id });
    assert_eq!(ch.ledger.record(rec).unwrap().unwrap().record.holder, c.bob.public());
}

/// SPEC §4: a release is a transfer and needs an eligible payee; the refund stays possible.
#[test]
fn release_needs_an_eligible_payee() {
    let (mut ch, c, class) = setup();
    let h = ch.ledger.height().unwrap();
    let id = escrow_id(&ch.ok(&c.alice, create(&c, EscrowAsset::Tokens { class, amount: 10 }, h + 4)));
    ch.ok(&c.reg, Payload::SetPartyStatus { party: BOB, status: PartyStatus::Suspended, legal_basis: text("x") });
    ch.fails(&c.alice, Payload::ReleaseEscrow { escrow: id }, "PARTY_INACTIVE");
    ch.block(vec![]);
    ch.ok(&c.alice, Payload::RefundEscrow { escrow: id });
    assert_eq!(ch.balance(class, &c.alice), 100);
}

/// SPEC §4 recovery moves a lost key's escrow positions too: the refund goes
/// to the recovered account, not back to the lost key.
#[test]
fn recovery_redirects_open_escrows() {
    let (mut ch, c, class) = setup();
    ch.ok(&c.issuer, mint(class, &c.alice2, 50));
    let rec = ch.record(c.alice2.public());
    let h = ch.ledger.height().unwrap();
    let tokens = escrow_id(&ch.ok(&c.alice2, create(&c, EscrowAsset::Tokens { class, amount: 50 }, h + 3)));
    let record = escrow_id(&ch.ok(&c.alice2, create(&c, EscrowAsset::Record { record: rec }, h + 3)));
    ch.ok(&c.alice, Payload::RevokeAccount { key: c.alice2.public(), reason: RevocationReason::HolderRequest });
    ch.ok(
        &c.reg,
        Payload::RecoverAccount { from: c.alice2.public(), to: c.alice.public(), legal_basis: text("lost key") },
    );
    for id in [tokens, record] {
        assert_eq!(ch.ledger.escrow(id).unwrap().unwrap().payer, c.alice.public());
    }
    ch.ok(&c.alice, Payload::RefundEscrow { escrow: tokens });
    ch.ok(&c.alice, Payload::RefundEscrow { escrow: record });
    assert_eq!(ch.balance(class, &c.alice), 150);
    assert_eq!(ch.balance(class, &c.alice2), 0);
    assert_eq!(ch.ledger.record(rec).unwrap().unwrap().record.holder, c.alice.public());
}

/// SPEC §7 (DC art. 67): the escrow rules the law asks for. The arbiter is a
/// third party, neither the payer's nor the payee's; the terms hash is not
/// zero and names terms published on the chain, which anyone reads back and
/// checks against it; settling to the payee needs the class active (a pause,
/// also the one an issuer's terminated issuance brings, blocks it like a
/// transfer), while the refund stays possible.
#[test]
fn escrow_rules_of_digital_code_art_67() {
    let (mut ch, c, class) = setup();
    let with = |arbiter: &SigningKey, terms_hash: Hash| Payload::CreateEscrow {
        payee: c.bob.public(),
        arbiter: arbiter.public(),
        asset: EscrowAsset::Tokens { class, amount: 10 },
        terms_hash,
        deadline_height: 100,
    };
    // The arbiter's party is neither side's: not the payer's own (alice2 is
    // alice's other key), not the payee's.
    let m = ch.fails(&c.alice, with(&c.alice2, terms_hash()), "ARBITER_NOT_INDEPENDENT");
    assert!(m.contains("field arbiter") && m.contains("party 4"), "{m}");
    ch.fails(&c.alice, with(&c.alice, terms_hash()), "ARBITER_NOT_INDEPENDENT");
    let m = ch.fails(&c.alice, with(&c.bob, terms_hash()), "ARBITER_NOT_INDEPENDENT");
    assert!(m.contains("(5)") && m.contains("got an account of party 5"), "{m}");
    // The terms: never zero, and published before an escrow names them.
    let m = ch.fails(&c.alice, with(&c.reg, Hash::ZERO), "TERMS_HASH_ZERO");
    assert!(m.contains("field terms_hash"), "{m}");
    let other = Hash::sha256(b"terms nobody published");
    let m = ch.fails(&c.alice, with(&c.reg, other), "TERMS_NOT_PUBLISHED");
    assert!(m.contains(&other.to_hex()), "{m}");
    // Published terms: read back by their hash, and the hash is theirs.
    let t = ch.ledger.escrow_terms(&terms_hash()).unwrap().expect("published");
    assert_eq!((t.text.as_str(), t.published_by), (TERMS, BOB));
    assert_eq!(Hash::sha256(t.text.as_bytes()), t.hash);
    let m = ch.fails(&c.alice, publish_terms(TERMS), "TERMS_ALREADY_PUBLISHED");
    assert!(m.contains("field text") && m.contains("party 5"), "{m}");
    ch.fails(&c.alice, publish_terms(" "), "EMPTY_FIELD");
    // A third party's escrow is created and names the terms.
    let id = escrow_id(&ch.ok(&c.alice, with(&c.reg, terms_hash())));
    assert_eq!(ch.ledger.escrow(id).unwrap().unwrap().terms_hash, terms_hash());
    // Paused class: no release, no decision to the payee; a refund to the payer stays possible.
    let pause = restriction_id(
        &ch.ok(&c.issuer, Payload::SetClassPaused { class, paused: true, legal_basis: text("inspection") }),
    );
    ch.fails(&c.alice, Payload::ReleaseEscrow { escrow: id }, "CLASS_NOT_ACTIVE");
    ch.ok(&c.bob, Payload::DisputeEscrow { escrow: id, reason: text("late") });
    let resolve = |to_payee| Payload::ResolveEscrow { escrow: id, to_payee, reason: text("decided") };
    ch.fails(&c.reg, resolve(true), "CLASS_NOT_ACTIVE");
    ch.ok(&c.issuer, lift(pause));
    ch.ok(&c.reg, resolve(true));
    assert_eq!(ch.balance(class, &c.bob), 10);
    // The issuer stops issuing: its classes pause, settlement to the payee stops.
    let id = escrow_id(&ch.ok(&c.alice, with(&c.reg, terms_hash())));
    let n = crate::notifications::submit_activity(&mut ch, &c.issuer, ActivityPhase::Termination);
    ch.ok(&c.reg_assets, Payload::ReviewActivityNotification { notification: n, accept: true, reason: None });
    ch.fails(&c.alice, Payload::ReleaseEscrow { escrow: id }, "CLASS_NOT_ACTIVE");
    ch.ok(&c.bob, Payload::DisputeEscrow { escrow: id, reason: text("issuer stopped") });
    ch.ok(&c.reg, resolve_to(id, false));
    assert_eq!((ch.balance(class, &c.alice), ch.balance(class, &c.bob)), (90, 10));
}

fn resolve_to(escrow: EscrowId, to_payee: bool) -> Payload {
    Payload::ResolveEscrow { escrow, to_payee, reason: text("refund: the class is paused") }
}
