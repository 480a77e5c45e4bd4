//! SPEC §5 right-certifying records: issue, transfer, encumber, release, terminate, history.

use tamga_types::*;

use crate::common::*;

fn enc(record: RecordId, kind: EncumbranceKind, beneficiary: &SigningKey) -> Payload {
    Payload::Encumber { record, kind, beneficiary: beneficiary.public(), legal_basis: text("loan agreement 9") }
}

fn xfer(record: RecordId, to: &SigningKey) -> Payload {
    Payload::TransferRecord { record, to: to.public() }
}

#[test]
fn issue_by_issuer_or_regulator() {
    let mut ch = Chain::new();
    let c = ch.c.clone();
    let rec = ch.record(c.alice.public());
    let v = ch.ledger.record(rec).unwrap().unwrap();
    assert_eq!((v.record.certifier, v.record.holder_party, v.record.holder), (ISSUER, ALICE, c.alice.public()));
    assert_eq!(v.history.len(), 1);
    assert_eq!(v.history[0].signer, c.issuer.public());
    ch.ok(&c.reg, Payload::IssueRecord { holder: c.bob.public(), object: object("Land plot") });
    ch.fails(&c.alice, Payload::IssueRecord { holder: c.bob.public(), object: object("x") }, "NOT_ISSUER");
    ch.fails(&c.issuer, Payload::IssueRecord { holder: c.bob.public(), object: object(" ") }, "EMPTY_FIELD");
    ch.fails(&c.issuer, Payload::IssueRecord { holder: key(90).public(), object: object("x") }, "UNKNOWN_ACCOUNT");
}

#[test]
fn transfer_by_holder_with_history() {
    let mut ch = Chain::new();
    let c = ch.c.clone();
    let rec = ch.record(c.alice.public());
    ch.fails(&c.bob, xfer(rec, &c.bob), "NOT_HOLDER");
    ch.fails(&c.alice, xfer(rec, &c.alice), "SELF_TRANSFER");
    ch.fails(&c.alice, xfer(RecordId(9), &c.bob), "UNKNOWN_RECORD");
    ch.fails(&c.alice, xfer(rec, &key(91)), "UNKNOWN_ACCOUNT");
    let r = ch.ok(&c.alice, xfer(rec, &c.bob));
    let v = ch.ledger.record(rec).unwrap().unwrap();
    assert_eq!((v.record.holder, v.record.holder_party), (c.bob.public(), BOB));
    let last = v.history.last().unwrap();
    assert_eq!(
        (last.event.as_str(), last.tx_hash, last.height, last.signer),
        ("record_transferred", r.tx_hash, r.height, c.alice.public())
    );
    assert!(ch.ledger.records_by_holder(&c.alice.public()).unwrap().is_empty());
    assert_eq!(ch.ledger.records_by_holder(&c.bob.public()).unwrap()[0].id, rec);
}

/// SPEC §5: while any encumbrance stands the record cannot be transferred or terminated.
#[test]
fn transfer_of_encumbered_record_rejected() {
    let mut ch = Chain::new();
    let c = ch.c.clone();
    let rec = ch.record(c.alice.public());
    let r = ch.ok(&c.alice, enc(rec, EncumbranceKind::Pledge, &c.bob));
    let eid = EncumbranceId(event_u64(&r, "record_encumbered", "encumbrance"));
    ch.fails(&c.alice, xfer(rec, &c.alice2), "RECORD_ENCUMBERED");
    ch.fails(
        &c.alice,
        Payload::TerminateRecord { record: rec, reason: TerminationReason::Redeemed },
        "RECORD_ENCUMBERED",
    );
    ch.fails(
        &c.issuer,
        Payload::TerminateRecord { record: rec, reason: TerminationReason::Expired },
        "RECORD_ENCUMBERED",
    );
    // Only the beneficiary releases a pledge.
    ch.fails(&c.alice, Payload::Release { record: rec, encumbrance: eid }, "UNAUTHORIZED");
    ch.fails(&c.bob, Payload::Release { record: rec, encumbrance: EncumbranceId(77) }, "UNKNOWN_ENCUMBRANCE");
    ch.ok(&c.bob, Payload::Release { record: rec, encumbrance: eid });
    ch.ok(&c.alice, xfer(rec, &c.alice2));
}

#[test]
fn encumbrance_rules() {
    let mut ch = Chain::new();
    let c = ch.c.clone();
    let rec = ch.record(c.alice.public());
    ch.fails(&c.bob, enc(rec, EncumbranceKind::Lien, &c.bob), "NOT_HOLDER");
    ch.fails(&c.alice, enc(rec, EncumbranceKind::Arrest, &c.reg), "NOT_REGULATOR");
    ch.fails(
        &c.alice,
        Payload::Encumber {
            record: rec,
            kind: EncumbranceKind::Lien,
            beneficiary: c.bob.public(),
            legal_basis: text(""),
        },
        "EMPTY_FIELD",
    );
    ch.fails(&c.alice, enc(rec, EncumbranceKind::Lien, &key(92)), "UNKNOWN_ACCOUNT");
    ch.fails(&c.alice, enc(RecordId(5), EncumbranceKind::Lien, &c.bob), "UNKNOWN_RECORD");
    // A regulator imposes an arrest; only a regulator lifts it.
    let r = ch.ok(&c.reg, enc(rec, EncumbranceKind::Arrest, &c.reg));
    let arrest = EncumbranceId(event_u64(&r, "record_encumbered", "encumbrance"));
    let r = ch.ok(&c.alice, enc(rec, EncumbranceKind::Lien, &c.bob));
    let lien = EncumbranceId(event_u64(&r, "record_encumbered", "encumbrance"));
    let v = ch.ledger.record(rec).unwrap().unwrap();
    assert_eq!(v.record.encumbrances.len(), 2);
    assert_eq!(v.record.encumbrances[0].imposed_by, REG);
    ch.fails(&c.alice, Payload::Release { record: rec, encumbrance: arrest }, "NOT_REGULATOR");
    ch.fails(&c.bob, Payload::Release { record: rec, encumbrance: arrest }, "NOT_REGULATOR");
    ch.ok(&c.bob, Payload::Release { record: rec, encumbrance: lien });
    ch.fails(&c.alice, xfer(rec, &c.bob), "RECORD_ENCUMBERED");
    ch.ok(&c.reg_assets, Payload::Release { record: rec, encumbrance: arrest });
    ch.ok(&c.alice, xfer(rec, &c.bob));
    let events: Vec<String> = ch.ledger.record(rec).unwrap().unwrap().history.into_iter().map(|h| h.event).collect();
    assert_eq!(
        events,
        [
            "record_issued",
            "record_encumbered",
            "record_encumbered",
            "record_released",
            "record_released",
            "record_transferred"
        ]
    );
}

#[test]
fn termination_by_certifier_or_holder() {
    let mut ch = Chain::new();
    let c = ch.c.clone();
    let a = ch.record(c.alice.public());
    let b = ch.record(c.alice.public());
    let term = |record, reason| Payload::TerminateRecord { record, reason };
    ch.fails(&c.bob, term(a, TerminationReason::Other), "UNAUTHORIZED");
    ch.ok(&c.alice, term(a, TerminationReason::Redeemed));
    ch.ok(&c.issuer, term(b, TerminationReason::CourtDecision));
    let v = ch.ledger.record(a).unwrap().unwrap();
    assert!(matches!(
        v.record.status,
        tamga_state::model::RecordStatus::Terminated { reason: TerminationReason::Redeemed, .. }
    ));
    ch.fails(&c.alice, term(a, TerminationReason::Other), "RECORD_TERMINATED");
    ch.fails(&c.alice, xfer(a, &c.bob), "RECORD_TERMINATED");
    ch.fails(&c.alice, enc(a, EncumbranceKind::Pledge, &c.bob), "RECORD_TERMINATED");
}
