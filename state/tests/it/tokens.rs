//! SPEC §4 secured token classes: every operation's success and rejections.

use tamga_types::*;

use crate::common::*;

fn with_class(cap: Option<u128>) -> (Chain, ClassId) {
    let mut ch = Chain::new();
    let class = ch.class("WHT", cap);
    (ch, class)
}

#[test]
fn create_class_records_the_class() {
    let (ch, class) = with_class(Some(10));
    let c = ch.ledger.class(class).unwrap().unwrap();
    assert_eq!((c.issuer, c.symbol.as_str(), c.supply, c.supply_cap), (ISSUER, "WHT", 0, Some(10)));
    assert_eq!(c.status, ClassStatus::Active);
    assert_eq!(ch.ledger.classes_by_issuer(ISSUER).unwrap(), vec![c]);
}

#[test]
fn create_class_rejections() {
    let mut ch = Chain::new();
    let (issuer, alice) = (ch.c.issuer.clone(), ch.c.alice.clone());
    ch.fails(&alice, create_class("X", None), "NOT_ISSUER");
    ch.fails(&issuer, create_class("wht", None), "INVALID_SYMBOL");
    ch.fails(&issuer, create_class("ABCDEFGHIJKLM", None), "INVALID_SYMBOL");
    ch.fails(&issuer, create_class("", None), "INVALID_SYMBOL");
    ch.class("WHT", None);
    ch.fails(&issuer, create_class("WHT", None), "DUPLICATE_SYMBOL");
    ch.fails(&issuer, create_class("A", Some(0)), "INVALID_FIELD");
    let with = |f: &dyn Fn(&mut Payload)| {
        let mut p = create_class("B", None);
        f(&mut p);
        p
    };
    ch.fails(
        &issuer,
        with(&|p| {
            if let Payload::CreateClass { decimals, .. } = p {
                *decimals = 19
            }
        }),
        "INVALID_DECIMALS",
    );
    ch.fails(
        &issuer,
        with(&|p| {
            if let Payload::CreateClass { rights, .. } = p {
                *rights = crate::common::rights(&[])
            }
        }),
        "NO_RIGHTS",
    );
    for bad in [RightKind::Share, RightKind::Bond, RightKind::Vote, RightKind::Dividend, RightKind::FinancialInstrument]
    {
        let m = ch.fails(
            &issuer,
            with(&|p| {
                if let Payload::CreateClass { rights, .. } = p {
                    *rights = crate::common::rights(&[RightKind::Goods, bad])
                }
            }),
            "INADMISSIBLE_RIGHT",
        );
        assert!(m.contains("#1"), "{m}");
    }
    ch.fails(
        &issuer,
        with(&|p| {
            if let Payload::CreateClass { name, .. } = p {
                *name = short(" ")
            }
        }),
        "EMPTY_FIELD",
    );
    ch.fails(
        &issuer,
        with(&|p| {
            if let Payload::CreateClass { document_uri, .. } = p {
                *document_uri = text("")
            }
        }),
        "EMPTY_FIELD",
    );
    ch.fails(
        &issuer,
        with(&|p| {
            if let Payload::CreateClass { redemption_terms, .. } = p {
                *redemption_terms = text("")
            }
        }),
        "EMPTY_FIELD",
    );
}

#[test]
fn mint_within_cap() {
    let (mut ch, class) = with_class(Some(1000));
    let (issuer, alice) = (ch.c.issuer.clone(), ch.c.alice.clone());
    ch.ok(&issuer, mint(class, &alice, 600));
    ch.ok(&issuer, mint(class, &issuer, 400));
    assert_eq!((ch.balance(class, &alice), ch.supply(class)), (600, 1000));
}

#[test]
fn mint_over_cap_rejected() {
    let (mut ch, class) = with_class(Some(1000));
    let (issuer, alice) = (ch.c.issuer.clone(), ch.c.alice.clone());
    ch.ok(&issuer, mint(class, &alice, 999));
    let m = ch.fails(&issuer, mint(class, &alice, 2), "SUPPLY_CAP_EXCEEDED");
    assert!(m.contains("cap 1000"), "{m}");
    ch.ok(&issuer, mint(class, &alice, 1));
    ch.fails(&issuer, mint(class, &alice, 1), "SUPPLY_CAP_EXCEEDED");
}

#[test]
fn mint_rejections() {
    let (mut ch, class) = with_class(None);
    let c = ch.c.clone();
    ch.fails(&c.alice, mint(class, &c.alice, 1), "NOT_ISSUER");
    ch.fails(&c.issuer, mint(ClassId(99), &c.alice, 1), "UNKNOWN_CLASS");
    ch.fails(&c.issuer, mint(class, &c.alice, 0), "ZERO_AMOUNT");
    ch.fails(&c.issuer, mint(class, &key(77), 1), "UNKNOWN_ACCOUNT");
    ch.fails(&c.issuer, mint(class, &c.validators[0], 1), "UNKNOWN_ACCOUNT");
    ch.ok(&c.issuer, mint(class, &c.alice, u128::MAX));
    ch.fails(&c.issuer, mint(class, &c.bob, 1), "OVERFLOW");
    // Receiver's party suspended; receiver's key revoked.
    ch.ok(&c.reg, Payload::SetPartyStatus { party: BOB, status: PartyStatus::Suspended, legal_basis: text("x") });
    let class_b = ch.class("B", None);
    ch.fails(&c.issuer, mint(class_b, &c.bob, 1), "PARTY_INACTIVE");
    ch.ok(&c.alice, Payload::RevokeAccount { key: c.alice2.public(), reason: RevocationReason::HolderRequest });
    ch.fails(&c.issuer, mint(class_b, &c.alice2, 1), "ACCOUNT_INACTIVE");
    // Paused class.
    ch.ok(&c.issuer, Payload::SetClassPaused { class: class_b, paused: true, legal_basis: text("audit") });
    ch.fails(&c.issuer, mint(class_b, &c.alice, 1), "CLASS_NOT_ACTIVE");
}

/// SPEC §2: an issuer mints only its own classes.
#[test]
fn mint_of_another_issuers_class_rejected() {
    let (mut ch, class) = with_class(None);
    let c = ch.c.clone();
    let second = crate::notifications::make_issuer(&mut ch, 40);
    ch.fails(&second, mint(class, &c.alice, 1), "UNAUTHORIZED");
    let own = ch.class_of(&second, "OWN", None);
    ch.fails(&c.issuer, mint(own, &c.alice, 1), "UNAUTHORIZED");
    ch.ok(&second, mint(own, &c.alice, 1));
}

#[test]
fn transfer_moves_free_balance() {
    let (mut ch, class) = with_class(None);
    let c = ch.c.clone();
    ch.ok(&c.issuer, mint(class, &c.alice, 100));
    let r = ch.ok(&c.alice, transfer(class, &c.bob, 40));
    assert_eq!(r.events[0].kind, "transfer");
    ch.ok(&c.alice, transfer(class, &c.alice2, 60)); // another account of the same party
    assert_eq!((ch.balance(class, &c.alice), ch.balance(class, &c.bob), ch.balance(class, &c.alice2)), (0, 40, 60));
    // An emptied holding disappears from the indexes.
    assert!(ch.ledger.balances(&c.alice.public()).unwrap().is_empty());
    assert_eq!(ch.ledger.holders(class).unwrap().len(), 2);
    assert_eq!(ch.supply(class), 100);
}

#[test]
fn transfer_rejections() {
    let (mut ch, class) = with_class(None);
    let c = ch.c.clone();
    ch.ok(&c.issuer, mint(class, &c.alice, 100));
    ch.fails(&c.alice, transfer(class, &c.bob, 101), "INSUFFICIENT_BALANCE");
    ch.fails(&c.bob, transfer(class, &c.alice, 1), "INSUFFICIENT_BALANCE");
    ch.fails(&c.alice, transfer(class, &c.bob, 0), "ZERO_AMOUNT");
    ch.fails(&c.alice, transfer(class, &c.alice, 1), "SELF_TRANSFER");
    ch.fails(&c.alice, transfer(ClassId(9), &c.bob, 1), "UNKNOWN_CLASS");
    ch.fails(&c.alice, transfer(class, &key(78), 1), "UNKNOWN_ACCOUNT");
    ch.ok(&c.reg, Payload::SetPartyStatus { party: BOB, status: PartyStatus::Suspended, legal_basis: text("x") });
    ch.fails(&c.alice, transfer(class, &c.bob, 1), "PARTY_INACTIVE");
    let pause =
        restriction_id(&ch.ok(&c.issuer, Payload::SetClassPaused { class, paused: true, legal_basis: text("audit") }));
    ch.fails(&c.alice, transfer(class, &c.alice2, 1), "CLASS_NOT_ACTIVE");
    ch.ok(&c.issuer, lift(pause));
    ch.ok(&c.alice, transfer(class, &c.alice2, 1));
}

/// SPEC §4: transfer from a frozen holding rejected; only the free part moves.
#[test]
fn transfer_from_frozen_holding_rejected() {
    let (mut ch, class) = with_class(None);
    let c = ch.c.clone();
    ch.ok(&c.issuer, mint(class, &c.alice, 100));
    let r = ch.ok(&c.reg, freeze(class, &c.alice, Some(30)));
    let thirty = restriction_id(&r);
    let r = ch.ok(&c.issuer, freeze(class, &c.alice, Some(40)));
    let forty = restriction_id(&r);
    ch.fails(&c.alice, transfer(class, &c.bob, 31), "INSUFFICIENT_BALANCE");
    ch.fails(&c.alice, Payload::Redeem { class, amount: 31, right: 0 }, "INSUFFICIENT_BALANCE");
    // Lifting one freeze frees exactly its amount.
    ch.ok(&c.reg, lift(thirty));
    let h = ch.ledger.holding(class, &c.alice.public()).unwrap();
    assert_eq!((h.amount, h.frozen, h.free()), (100, 40, 60));
    ch.fails(&c.alice, transfer(class, &c.bob, 61), "INSUFFICIENT_BALANCE");
    ch.ok(&c.alice, transfer(class, &c.bob, 60));
    ch.ok(&c.issuer, lift(forty));
    ch.ok(&c.alice, transfer(class, &c.bob, 40));
}

#[test]
fn freeze_and_unfreeze_rules() {
    let (mut ch, class) = with_class(None);
    let c = ch.c.clone();
    ch.ok(&c.issuer, mint(class, &c.alice, 100));
    ch.fails(&c.bob, freeze(class, &c.alice, None), "UNAUTHORIZED");
    ch.fails(&c.alice, freeze(class, &c.alice, None), "UNAUTHORIZED");
    ch.fails(&c.issuer, freeze(class, &c.alice, Some(0)), "ZERO_AMOUNT");
    ch.fails(&c.issuer, freeze(class, &c.alice, Some(101)), "INSUFFICIENT_BALANCE");
    ch.fails(&c.issuer, freeze(ClassId(5), &c.alice, None), "UNKNOWN_CLASS");
    ch.fails(&c.issuer, freeze(class, &key(79), None), "UNKNOWN_ACCOUNT");
    ch.fails(
        &c.issuer,
        Payload::Freeze { class, holder: c.alice.public(), amount: None, legal_basis: text("  ") },
        "EMPTY_FIELD",
    );
    let r = ch.ok(&c.reg_assets, freeze(class, &c.alice, Some(60)));
    assert_eq!(r.events[0].get("legal_basis"), Some("court order 1"));
    ch.fails(&c.issuer, freeze(class, &c.alice, Some(41)), "INSUFFICIENT_BALANCE");
    let r = ch.ok(&c.issuer, freeze(class, &c.alice, Some(40)));
    // The unfreeze by amount is retired: a freeze is lifted by naming it.
    let m = ch.fails(&c.issuer, unfreeze(class, &c.alice, Some(40)), "RESTRICTION_NOT_NAMED");
    assert!(m.contains("field restriction") && m.contains("unfreeze"), "{m}");
    ch.fails(&c.bob, lift(restriction_id(&r)), "UNAUTHORIZED");
    ch.fails(&c.issuer, lift(RestrictionId(99)), "UNKNOWN_RESTRICTION");
    ch.ok(&c.issuer, lift(restriction_id(&r)));
    assert_eq!(ch.ledger.holding(class, &c.alice.public()).unwrap().frozen, 60);
}

/// SPEC §4 (Digital Code art. 20 p.4): every freeze and pause is a record of
/// its own (id, who imposed it and as what, legal basis, amount or whole
/// holding); lifting names the record; an issuer cannot lift a regulator's
/// freeze or pause; a whole-holding freeze covers later credits; every
/// restriction and its lifting stays in the holding's history.
#[test]
fn freezes_and_pauses_are_records_of_digital_code_art_20() {
    let (mut ch, class) = with_class(None);
    let c = ch.c.clone();
    ch.ok(&c.issuer, mint(class, &c.alice, 100));
    // A regulator freezes the whole holding: a flag, not today's amount.
    let r = ch.ok(
        &c.reg,
        Payload::Freeze { class, holder: c.alice.public(), amount: None, legal_basis: text("court order 5") },
    );
    let whole = restriction_id(&r);
    assert_eq!(r.events[0].get("amount"), Some("whole"));
    ch.ok(&c.issuer, mint(class, &c.alice, 50));
    let h = ch.ledger.holding(class, &c.alice.public()).unwrap();
    assert_eq!((h.amount, h.free(), h.whole_freezes), (150, 0, 1), "later credits are frozen too");
    ch.fails(&c.alice, transfer(class, &c.bob, 1), "INSUFFICIENT_BALANCE");
    // The issuer adds a freeze of an amount of its own.
    let own = restriction_id(&ch.ok(&c.issuer, freeze(class, &c.alice, Some(20))));
    // The issuer cannot lift the regulator's freeze.
    let m = ch.fails(&c.issuer, lift(whole), "REGULATOR_RESTRICTION");
    assert!(
        m.contains(&format!("{whole} was imposed by regulator party {REG}")) && m.contains(&format!("party {ISSUER}")),
        "{m}"
    );
    // A regulator lifts it, naming it; lifting twice is refused.
    ch.ok(&c.reg_assets, Payload::LiftRestriction { restriction: whole, legal_basis: text("order 5 quashed") });
    let m = ch.fails(&c.reg, lift(whole), "RESTRICTION_LIFTED");
    assert!(m.contains("lifted at height"), "{m}");
    assert_eq!(ch.ledger.holding(class, &c.alice.public()).unwrap().free(), 130);
    // Pauses: the same records. The issuer cannot lift a regulator's pause.
    let reg_pause =
        restriction_id(&ch.ok(&c.reg, Payload::SetClassPaused { class, paused: true, legal_basis: text("audit 9") }));
    let own_pause =
        restriction_id(&ch.ok(&c.issuer, Payload::SetClassPaused { class, paused: true, legal_basis: text("recall") }));
    let m = ch.fails(
        &c.issuer,
        Payload::SetClassPaused { class, paused: false, legal_basis: text("x") },
        "RESTRICTION_NOT_NAMED",
    );
    assert!(m.contains("field restriction"), "{m}");
    ch.fails(&c.issuer, lift(reg_pause), "REGULATOR_RESTRICTION");
    ch.ok(&c.issuer, lift(own_pause));
    assert_eq!(ch.ledger.class(class).unwrap().unwrap().status, ClassStatus::Paused, "the regulator's pause stands");
    ch.ok(&c.reg, lift(reg_pause));
    assert_eq!(ch.ledger.class(class).unwrap().unwrap().status, ClassStatus::Active);
    ch.ok(&c.issuer, lift(own));
    // The holding's history: every restriction, who imposed it as what, on what
    // basis, and its lifting.
    let hist = ch.ledger.restrictions_of_holding(class, &c.alice.public()).unwrap();
    assert_eq!(hist.iter().map(|r| r.id).collect::<Vec<_>>(), vec![whole, own, reg_pause, own_pause]);
    use tamga_state::model::{Authority, RestrictionTarget};
    let w = &hist[0];
    assert_eq!(
        (&w.target, w.imposed_by, w.authority, w.legal_basis.as_str()),
        (
            &RestrictionTarget::Holding { class, holder: c.alice.public(), amount: None },
            REG,
            Authority::Regulator,
            "court order 5"
        )
    );
    let l = w.lifted.as_ref().expect("lifted");
    assert_eq!((l.by, l.authority, l.legal_basis.as_str()), (REG_ASSETS, Authority::Regulator, "order 5 quashed"));
    assert_eq!(hist[1].target, RestrictionTarget::Holding { class, holder: c.alice.public(), amount: Some(20) });
    assert_eq!((hist[1].authority, hist[3].authority), (Authority::Issuer, Authority::Issuer));
    assert!(hist.iter().all(|r| r.lifted.is_some()));
    assert!(
        ch.ledger.restrictions_of_holding(class, &c.bob.public()).unwrap().len() == 2,
        "bob sees the class's pauses only"
    );
}

#[test]
fn redeem_shrinks_supply_and_records_the_right() {
    let (mut ch, class) = with_class(Some(100));
    let c = ch.c.clone();
    ch.ok(&c.issuer, mint(class, &c.alice, 100));
    let r = ch.ok(&c.alice, Payload::Redeem { class, amount: 30, right: 1 });
    let e = &r.events[0];
    assert_eq!((e.kind.as_str(), e.get("amount"), e.get("right_kind")), ("redeemed", Some("30"), Some("services")));
    assert_eq!((ch.supply(class), ch.balance(class, &c.alice)), (70, 70));
    // Redeemed units can be minted again within the cap.
    ch.ok(&c.issuer, mint(class, &c.bob, 30));
    ch.fails(&c.alice, Payload::Redeem { class, amount: 1, right: 2 }, "UNKNOWN_RIGHT");
    ch.fails(&c.alice, Payload::Redeem { class, amount: 0, right: 0 }, "ZERO_AMOUNT");
    ch.fails(&c.alice, Payload::Redeem { class, amount: 71, right: 0 }, "INSUFFICIENT_BALANCE");
    ch.fails(&c.alice, Payload::Redeem { class: ClassId(8), amount: 1, right: 0 }, "UNKNOWN_CLASS");
}

#[test]
fn pause_rules() {
    let (mut ch, class) = with_class(None);
    let c = ch.c.clone();
    let p = |paused| Payload::SetClassPaused { class, paused, legal_basis: text("inspection") };
    ch.fails(&c.alice, p(true), "UNAUTHORIZED");
    ch.fails(&c.issuer, Payload::SetClassPaused { class, paused: true, legal_basis: text("") }, "EMPTY_FIELD");
    let pause = restriction_id(&ch.ok(&c.issuer, p(true)));
    assert_eq!(ch.ledger.class(class).unwrap().unwrap().status, ClassStatus::Paused);
    ch.fails(&c.issuer, p(false), "RESTRICTION_NOT_NAMED");
    ch.ok(&c.reg, lift(pause));
    assert_eq!(ch.ledger.class(class).unwrap().unwrap().status, ClassStatus::Active);
}

#[test]
fn forced_transfer_by_regulator_moves_frozen_tokens() {
    let (mut ch, class) = with_class(None);
    let c = ch.c.clone();
    ch.ok(&c.issuer, mint(class, &c.alice, 100));
    ch.ok(&c.issuer, freeze(class, &c.alice, Some(80)));
    let ft = |amount, basis: &str| Payload::ForcedTransfer {
        class,
        from: c.alice.public(),
        to: c.bob.public(),
        amount,
        legal_basis: text(basis),
    };
    ch.fails(&c.issuer, ft(10, "court"), "NOT_REGULATOR");
    ch.fails(&c.reg, ft(10, ""), "EMPTY_FIELD");
    ch.fails(&c.reg, ft(0, "court"), "ZERO_AMOUNT");
    ch.fails(&c.reg, ft(101, "court"), "INSUFFICIENT_BALANCE");
    let r = ch.ok(&c.reg, ft(90, "court decision 12"));
    assert_eq!(r.events[0].get("legal_basis"), Some("court decision 12"));
    // The freeze stands until lifted by name: what remains stays frozen.
    let h = ch.ledger.holding(class, &c.alice.public()).unwrap();
    assert_eq!((h.amount, h.frozen, h.free()), (10, 80, 0));
    assert_eq!((ch.balance(class, &c.bob), ch.supply(class)), (90, 100));
    ch.fails(
        &c.reg,
        Payload::ForcedTransfer { class, from: c.bob.public(), to: c.bob.public(), amount: 1, legal_basis: text("x") },
        "SELF_TRANSFER",
    );
}

#[test]
fn recovery_moves_holdings_and_records_within_one_party() {
    let (mut ch, class) = with_class(None);
    let c = ch.c.clone();
    ch.ok(&c.issuer, mint(class, &c.alice2, 100));
    ch.ok(&c.issuer, freeze(class, &c.alice2, Some(20)));
    let rec = ch.record(c.alice2.public());
    ch.ok(&c.alice, Payload::RevokeAccount { key: c.alice2.public(), reason: RevocationReason::HolderRequest });
    let rcv = |from: &SigningKey, to: &SigningKey| Payload::RecoverAccount {
        from: from.public(),
        to: to.public(),
        legal_basis: text("lost key, application 3"),
    };
    ch.fails(&c.alice, rcv(&c.alice2, &c.alice), "NOT_REGULATOR");
    ch.fails(&c.reg, rcv(&c.alice2, &c.bob), "DIFFERENT_PARTY");
    ch.fails(&c.reg, rcv(&c.alice2, &c.alice2), "SELF_TRANSFER");
    ch.fails(&c.reg, rcv(&c.alice, &c.alice2), "ACCOUNT_INACTIVE");
    ch.ok(&c.reg, rcv(&c.alice2, &c.alice));
    let h = ch.ledger.holding(class, &c.alice.public()).unwrap();
    assert_eq!((h.amount, h.frozen), (100, 20));
    // The freeze follows the holding to the recovered account.
    let f = ch.ledger.restrictions_of_holding(class, &c.alice.public()).unwrap();
    assert_eq!(f.len(), 1);
    assert!(ch.ledger.restrictions_of_holding(class, &c.alice2.public()).unwrap().is_empty());
    ch.ok(&c.issuer, lift(f[0].id));
    assert_eq!(ch.ledger.holding(class, &c.alice.public()).unwrap().free(), 100);
    assert_eq!(ch.balance(class, &c.alice2), 0);
    let r = ch.ledger.record(rec).unwrap().unwrap();
    assert_eq!(r.record.holder, c.alice.public());
    assert_eq!(r.history.last().unwrap().event, "record_recovered");
    assert_eq!(ch.ledger.records_by_holder(&c.alice.public()).unwrap().len(), 1);
    assert!(ch.ledger.records_by_holder(&c.alice2.public()).unwrap().is_empty());
    assert_eq!(ch.supply(class), 100);
}

/// SPEC §4: the issuer, or a regulator with a legal basis, closes a class
/// whose supply is zero (after redemption); a closed class accepts nothing
/// but queries.
#[test]
fn closing_a_class_leaves_only_queries() {
    let (mut ch, class) = with_class(None);
    let c = ch.c.clone();
    ch.ok(&c.issuer, mint(class, &c.alice, 100));
    let close = |class, basis: &str| Payload::CloseClass { class, legal_basis: text(basis) };
    ch.fails(&c.alice, close(class, "mine"), "UNAUTHORIZED");
    ch.fails(&c.issuer, close(ClassId(77), "x"), "UNKNOWN_CLASS");
    ch.fails(&c.issuer, close(class, " "), "EMPTY_FIELD");
    let m = ch.fails(&c.issuer, close(class, "wound up"), "CLASS_SUPPLY_OUTSTANDING");
    assert!(m.contains("field class") && m.contains("supply 0") && m.contains("got supply 100"), "{m}");
    ch.ok(&c.alice, Payload::Redeem { class, amount: 100, right: 0 });
    let whole = restriction_id(&ch.ok(&c.reg, freeze(class, &c.alice, None)));
    ch.ok(&c.bob, publish_terms(TERMS));
    let r = ch.ok(&c.issuer, close(class, "all redeemed"));
    assert_eq!((r.events[0].kind.as_str(), r.events[0].get("authority")), ("class_closed", Some("issuer")));
    assert_eq!(ch.ledger.class(class).unwrap().unwrap().status, ClassStatus::Closed);
    // Nothing but queries.
    let escrow = Payload::CreateEscrow {
        payee: c.bob.public(),
        arbiter: c.reg.public(),
        asset: EscrowAsset::Tokens { class, amount: 1 },
        terms_hash: terms_hash(),
        deadline_height: 1_000,
    };
    let forced = Payload::ForcedTransfer {
        class,
        from: c.alice.public(),
        to: c.bob.public(),
        amount: 1,
        legal_basis: text("court"),
    };
    let pause = Payload::SetClassPaused { class, paused: true, legal_basis: text("x") };
    for (k, p) in [
        (&c.issuer, mint(class, &c.alice, 1)),
        (&c.alice, transfer(class, &c.bob, 1)),
        (&c.alice, Payload::Redeem { class, amount: 1, right: 0 }),
        (&c.issuer, freeze(class, &c.alice, None)),
        (&c.reg, pause),
        (&c.reg, lift(whole)),
        (&c.alice, escrow),
        (&c.reg, forced),
        (&c.reg, close(class, "again")),
    ] {
        ch.fails(k, p, "CLASS_NOT_ACTIVE");
    }
    assert_eq!(ch.ledger.restrictions_of_holding(class, &c.alice.public()).unwrap().len(), 1, "queries answer");
    // A regulator closes a class with a legal basis.
    let other = ch.class("OTHER", None);
    ch.fails(&c.reg, close(other, ""), "EMPTY_FIELD");
    let r = ch.ok(&c.reg, close(other, "court decision 3"));
    assert_eq!(r.events[0].get("legal_basis"), Some("court decision 3"));
    assert_eq!(ch.ledger.class(other).unwrap().unwrap().status, ClassStatus::Closed);
}
