//! SPEC §6 registries: mining notifications (reviewed by a `mining`
//! regulator) and activity notifications (reviewed by an `assets` regulator,
//! granting and withdrawing the Issuer role).

use tamga_types::*;

use crate::common::*;

/// Registers a legal entity with key `seed` and makes it an issuer through an
/// accepted issuance-start notification. Returns its key.
pub fn make_issuer(ch: &mut Chain, seed: u8) -> SigningKey {
    let c = ch.c.clone();
    let k = key(seed);
    let r = ch.ok(
        &c.reg,
        Payload::RegisterParty {
            kind: PartyKind::LegalEntity,
            id_commitment: Hash::digest(b"test", &[seed, 1]),
            display_name: Some(short("New issuer LLP")),
            accounts: BoundedVec::new(vec![(k.public(), None)]).unwrap(),
        },
    );
    let party = PartyId(event_u64(&r, "party_registered", "party"));
    ch.fails(&k, create_class("PRE", None), "NOT_ISSUER");
    let id = submit_activity(ch, &k, ActivityPhase::Start);
    ch.ok(&c.reg_assets, review_activity(id, true));
    assert!(ch.ledger.party(party).unwrap().unwrap().roles.contains(&"issuer".to_owned()));
    k
}

pub(crate) fn submit_activity(ch: &mut Chain, k: &SigningKey, phase: ActivityPhase) -> ActivityNotificationId {
    let r = ch.ok(k, Payload::SubmitActivityNotification { activity: Activity::Issuance, phase, date: date() });
    ActivityNotificationId(event_u64(&r, "activity_notification_submitted", "notification"))
}

fn review_activity(id: ActivityNotificationId, accept: bool) -> Payload {
    Payload::ReviewActivityNotification {
        notification: id,
        accept,
        reason: (!accept).then(|| text("incomplete documents")),
    }
}

fn submit_mining(kind: MiningNotificationKind, previous: Option<u64>, s: MiningSite) -> Payload {
    Payload::SubmitMiningNotification { kind, previous: previous.map(MiningNotificationId), site: s }
}

fn review_mining(id: u64, accept: bool, reason: Option<&str>) -> Payload {
    Payload::ReviewMiningNotification { notification: MiningNotificationId(id), accept, reason: reason.map(text) }
}

/// SPEC §6 / §2: a miner's notification is accepted only by a `mining`-scoped regulator.
#[test]
fn mining_notification_accepted_only_by_mining_regulator() {
    let mut ch = Chain::new();
    let c = ch.c.clone();
    ch.ok(&c.miner, submit_mining(MiningNotificationKind::Start, None, site(Region::Pavlodar, 500, 10)));
    ch.fails(&c.reg_assets, review_mining(1, true, None), "SCOPE_MISSING");
    ch.fails(&c.alice, review_mining(1, true, None), "NOT_REGULATOR");
    ch.fails(&c.miner, review_mining(1, true, None), "NOT_REGULATOR");
    ch.fails(&c.reg_mining, review_mining(9, true, None), "UNKNOWN_MINING_NOTIFICATION");
    assert!(!ch.ledger.party(MINER).unwrap().unwrap().party.mining_active);
    ch.ok(&c.reg_mining, review_mining(1, true, None));
    let n = ch.ledger.mining_notification(MiningNotificationId(1)).unwrap().unwrap();
    assert_eq!(n.status.name(), "accepted");
    assert!(ch.ledger.party(MINER).unwrap().unwrap().party.mining_active);
    ch.fails(&c.reg, review_mining(1, false, Some("late")), "NOTIFICATION_STATE");
    // A regulator holding both scopes may review too.
    ch.ok(&c.miner, submit_mining(MiningNotificationKind::Change, Some(1), site(Region::Pavlodar, 800, 12)));
    ch.ok(&c.reg, review_mining(2, true, None));
    let totals = ch.ledger.mining_totals_by_region().unwrap();
    assert_eq!(totals.len(), 1);
    assert_eq!((totals[0].capacity_kw, totals[0].units, totals[0].sites), (800, 12, 1));
}

#[test]
fn mining_rejection_needs_a_reason() {
    let mut ch = Chain::new();
    let c = ch.c.clone();
    ch.ok(&c.miner, submit_mining(MiningNotificationKind::Start, None, site(Region::Abai, 1, 1)));
    ch.fails(&c.reg_mining, review_mining(1, false, None), "EMPTY_FIELD");
    ch.ok(&c.reg_mining, review_mining(1, false, Some("site not registered")));
    let n = ch.ledger.mining_notification(MiningNotificationId(1)).unwrap().unwrap();
    assert!(matches!(n.status, tamga_state::model::ReviewStatus::Rejected { by, .. } if by == REG_MINING));
    assert!(!ch.ledger.party(MINER).unwrap().unwrap().party.mining_active);
}

#[test]
fn mining_chain_rules() {
    let mut ch = Chain::new();
    let c = ch.c.clone();
    let s = || site(Region::Karaganda, 100, 2);
    ch.fails(&c.miner, submit_mining(MiningNotificationKind::Change, None, s()), "INVALID_NOTIFICATION_CHAIN");
    ch.fails(&c.miner, submit_mining(MiningNotificationKind::Start, Some(1), s()), "INVALID_NOTIFICATION_CHAIN");
    ch.fails(&c.miner, submit_mining(MiningNotificationKind::Change, Some(1), s()), "UNKNOWN_MINING_NOTIFICATION");
    let mut bad = s();
    bad.start_date = Date { year: 2026, month: 2, day: 30 };
    ch.fails(&c.miner, submit_mining(MiningNotificationKind::Start, None, bad), "INVALID_DATE");
    let mut bad = s();
    bad.address = text(" ");
    ch.fails(&c.miner, submit_mining(MiningNotificationKind::Start, None, bad), "EMPTY_FIELD");
    ch.ok(&c.miner, submit_mining(MiningNotificationKind::Start, None, s())); // 1
    ch.fails(&c.bob, submit_mining(MiningNotificationKind::Change, Some(1), s()), "INVALID_NOTIFICATION_CHAIN");
    ch.ok(&c.miner, submit_mining(MiningNotificationKind::Change, Some(1), s())); // 2, version 2
    ch.fails(&c.miner, submit_mining(MiningNotificationKind::Change, Some(1), s()), "INVALID_NOTIFICATION_CHAIN");
    let n2 = ch.ledger.mining_notification(MiningNotificationId(2)).unwrap().unwrap();
    assert_eq!((n2.version, n2.previous), (2, Some(MiningNotificationId(1))));
    ch.ok(&c.reg_mining, review_mining(2, true, None));
    assert!(ch.ledger.party(MINER).unwrap().unwrap().party.mining_active);
    ch.ok(&c.miner, submit_mining(MiningNotificationKind::Termination, Some(2), s())); // 3
    ch.fails(&c.miner, submit_mining(MiningNotificationKind::Change, Some(3), s()), "INVALID_NOTIFICATION_CHAIN");
    ch.ok(&c.reg_mining, review_mining(3, true, None));
    assert!(!ch.ledger.party(MINER).unwrap().unwrap().party.mining_active);
    assert!(ch.ledger.mining_totals_by_region().unwrap().is_empty());
    let page = ch.ledger.mining_notifications(&Default::default()).unwrap();
    assert_eq!(page.items.len(), 3);
}

/// SPEC §6: an issuer whose activity was terminated can no longer mint; its classes are paused.
#[test]
fn terminated_issuer_can_no_longer_mint() {
    let mut ch = Chain::new();
    let c = ch.c.clone();
    let class = ch.class("WHT", None);
    ch.ok(&c.issuer, mint(class, &c.alice, 10));
    let id = submit_activity(&mut ch, &c.issuer, ActivityPhase::Termination);
    ch.ok(&c.issuer, mint(class, &c.alice, 10)); // still an issuer until accepted
    ch.fails(&c.reg_mining, review_activity(id, true), "SCOPE_MISSING");
    ch.fails(&c.alice, review_activity(id, true), "NOT_REGULATOR");
    let r = ch.ok(&c.reg_assets, review_activity(id, true));
    let pause = restriction_id(&r);
    ch.fails(&c.reg_assets, review_activity(id, true), "NOTIFICATION_STATE");
    let p = ch.ledger.party(ISSUER).unwrap().unwrap();
    assert!(!p.party.issuer && !p.roles.contains(&"issuer".to_owned()));
    assert_eq!(ch.ledger.class(class).unwrap().unwrap().status, ClassStatus::Paused);
    ch.fails(&c.issuer, mint(class, &c.alice, 1), "NOT_ISSUER");
    ch.fails(&c.issuer, create_class("NEW", None), "NOT_ISSUER");
    ch.fails(&c.issuer, Payload::IssueRecord { holder: c.alice.public(), object: object("x") }, "NOT_ISSUER");
    ch.fails(&c.issuer, Payload::SetClassPaused { class, paused: false, legal_basis: text("resume") }, "NOT_ISSUER");
    ch.fails(&c.issuer, freeze(class, &c.alice, None), "NOT_ISSUER");
    ch.fails(&c.issuer, Payload::SetClassPaused { class, paused: true, legal_basis: text("x") }, "NOT_ISSUER");
    // Holders keep their tokens; a regulator may resume the class for circulation.
    ch.ok(&c.reg, Payload::LiftRestriction { restriction: pause, legal_basis: text("wind-down") });
    ch.ok(&c.alice, transfer(class, &c.bob, 5));
    ch.fails(&c.issuer, mint(class, &c.alice, 1), "NOT_ISSUER");
    // A new accepted start restores the role.
    let id = submit_activity(&mut ch, &c.issuer, ActivityPhase::Start);
    ch.ok(&c.reg_assets, review_activity(id, true));
    ch.ok(&c.issuer, mint(class, &c.alice, 1));
}

#[test]
fn activity_rejection_and_other_activities() {
    let mut ch = Chain::new();
    let c = ch.c.clone();
    let id = submit_activity(&mut ch, &c.bob, ActivityPhase::Start);
    ch.fails(
        &c.reg_assets,
        Payload::ReviewActivityNotification { notification: id, accept: false, reason: None },
        "EMPTY_FIELD",
    );
    ch.ok(&c.reg_assets, review_activity(id, false));
    ch.fails(&c.bob, create_class("B", None), "NOT_ISSUER");
    ch.fails(&c.reg_assets, review_activity(ActivityNotificationId(99), true), "UNKNOWN_ACTIVITY_NOTIFICATION");
    ch.fails(
        &c.bob,
        Payload::SubmitActivityNotification {
            activity: Activity::Exchange,
            phase: ActivityPhase::Start,
            date: Date { year: 2025, month: 13, day: 1 },
        },
        "INVALID_DATE",
    );
    let r = ch.ok(
        &c.bob,
        Payload::SubmitActivityNotification { activity: Activity::Exchange, phase: ActivityPhase::Start, date: date() },
    );
    let id = ActivityNotificationId(event_u64(&r, "activity_notification_submitted", "notification"));
    ch.ok(&c.reg, review_activity(id, true));
    assert!(!ch.ledger.party(BOB).unwrap().unwrap().party.issuer, "an exchange is not an issuer");
    assert_eq!(ch.ledger.activity_notifications(Some(BOB)).unwrap().len(), 2);
}

/// SPEC §6/§9: a termination closes its whole chain; the miner stays active
/// while another site's chain is accepted and open.
#[test]
fn termination_closes_one_chain_only() {
    let mut ch = Chain::new();
    let c = ch.c.clone();
    ch.ok(&c.miner, submit_mining(MiningNotificationKind::Start, None, site(Region::Pavlodar, 100, 1))); // 1
    ch.ok(&c.miner, submit_mining(MiningNotificationKind::Start, None, site(Region::Abai, 200, 2))); // 2
    ch.ok(&c.reg_mining, review_mining(1, true, None));
    ch.ok(&c.reg_mining, review_mining(2, true, None));
    ch.ok(&c.miner, submit_mining(MiningNotificationKind::Change, Some(1), site(Region::Pavlodar, 150, 1))); // 3
    ch.ok(&c.reg_mining, review_mining(3, true, None));
    ch.ok(&c.miner, submit_mining(MiningNotificationKind::Termination, Some(3), site(Region::Pavlodar, 150, 1))); // 4
    ch.ok(&c.reg_mining, review_mining(4, true, None));
    let closed = |ch: &Chain, id| ch.ledger.mining_notification(MiningNotificationId(id)).unwrap().unwrap().closed;
    assert!(closed(&ch, 1) && closed(&ch, 3) && closed(&ch, 4) && !closed(&ch, 2));
    assert!(ch.ledger.party(MINER).unwrap().unwrap().party.mining_active, "site 2 is still active");
    let totals = ch.ledger.mining_totals_by_region().unwrap();
    assert_eq!(totals.iter().map(|t| (t.region, t.capacity_kw)).collect::<Vec<_>>(), vec![(Some(Region::Abai), 200)]);
    ch.ok(&c.miner, submit_mining(MiningNotificationKind::Termination, Some(2), site(Region::Abai, 200, 2))); // 5
    ch.ok(&c.reg_mining, review_mining(5, true, None));
    assert!(!ch.ledger.party(MINER).unwrap().unwrap().party.mining_active);
    // A rejected termination leaves the chain open.
    ch.ok(&c.miner, submit_mining(MiningNotificationKind::Start, None, site(Region::Astana, 1, 1))); // 6
    ch.ok(&c.reg_mining, review_mining(6, true, None));
    ch.ok(&c.miner, submit_mining(MiningNotificationKind::Termination, Some(6), site(Region::Astana, 1, 1))); // 7
    ch.ok(&c.reg_mining, review_mining(7, false, Some("wrong date")));
    assert!(!closed(&ch, 6));
    assert!(ch.ledger.party(MINER).unwrap().unwrap().party.mining_active);
}

/// SPEC §6 queries: by miner, status, region, kind, date range, paginated.
#[test]
fn mining_queries_filter_and_paginate() {
    use tamga_types::views::MiningFilter;
    let mut ch = Chain::new();
    let c = ch.c.clone();
    let regions = [Region::Pavlodar, Region::Abai, Region::Pavlodar, Region::Astana, Region::Pavlodar];
    for (i, r) in regions.iter().enumerate() {
        let mut s = site(*r, 100 * (i as u64 + 1), 1);
        s.start_date = Date { year: 2026, month: 1 + i as u8, day: 1 };
        let who = if i == 3 { &c.bob } else { &c.miner };
        ch.ok(who, submit_mining(MiningNotificationKind::Start, None, s));
    }
    ch.ok(&c.reg_mining, review_mining(1, true, None));
    ch.ok(&c.reg_mining, review_mining(2, false, Some("no permit")));
    let ids = |f: MiningFilter| -> Vec<u64> {
        ch.ledger.mining_notifications(&f).unwrap().items.iter().map(|n| n.id.0).collect()
    };
    assert_eq!(ids(MiningFilter { region: Some(Region::Pavlodar), ..Default::default() }), vec![1, 3, 5]);
    assert_eq!(ids(MiningFilter { miner: Some(BOB), ..Default::default() }), vec![4]);
    assert_eq!(ids(MiningFilter { status: Some("accepted".into()), ..Default::default() }), vec![1]);
    assert_eq!(ids(MiningFilter { status: Some("rejected".into()), ..Default::default() }), vec![2]);
    assert_eq!(ids(MiningFilter { status: Some("submitted".into()), ..Default::default() }), vec![3, 4, 5]);
    assert_eq!(
        ids(MiningFilter { kind: Some(MiningNotificationKind::Change), ..Default::default() }),
        Vec::<u64>::new()
    );
    let d = |m| Some(Date { year: 2026, month: m, day: 1 });
    assert_eq!(ids(MiningFilter { from: d(2), to: d(4), ..Default::default() }), vec![2, 3, 4]);
    // Pages of two, following the cursor.
    let mut f = MiningFilter { limit: Some(2), ..Default::default() };
    let mut seen = Vec::new();
    loop {
        let page = ch.ledger.mining_notifications(&f).unwrap();
        seen.extend(page.items.iter().map(|n| n.id.0));
        match page.next_after {
            Some(a) => f.after = Some(MiningNotificationId(a)),
            None => break,
        }
    }
    assert_eq!(seen, vec![1, 2, 3, 4, 5]);
    let totals = ch.ledger.mining_totals_by_region().unwrap();
    assert_eq!(totals.len(), 1);
    assert_eq!((totals[0].region, totals[0].capacity_kw), (Some(Region::Pavlodar), 100));
}

/// Rule 5 (SPEC §6, §12): every version and review of a mining notification,
/// and every review of an activity notification, is a history entry under
/// `U ‖ id ‖ seq` / `L ‖ id ‖ seq` in the state tree, counted by the
/// notification's proven `history_len`: each entry, and the absence of one
/// past the end, is proven against the state root of the block.
#[test]
fn rule5_notification_history_is_in_the_state_tree() {
    use jmt::{KeyHash, RootHash};
    use tamga_state::keys;
    use tamga_state::model::{HistoryEntry, MiningNotification};

    let mut ch = Chain::new();
    let c = ch.c.clone();
    let s = || site(Region::Karaganda, 100, 2);
    let submitted = ch.ok(&c.miner, submit_mining(MiningNotificationKind::Start, None, s())); // 1
    ch.ok(&c.reg_mining, review_mining(1, true, None));
    let changed = ch.ok(&c.miner, submit_mining(MiningNotificationKind::Change, Some(1), s())); // 2
    ch.ok(&c.reg_mining, review_mining(2, false, Some("capacity not documented")));
    ch.ok(&c.miner, submit_mining(MiningNotificationKind::Termination, Some(2), s())); // 3
    let closed = ch.ok(&c.reg_mining, review_mining(3, true, None));

    let events = |id: u64| -> Vec<String> {
        ch.ledger.mining_history(MiningNotificationId(id)).unwrap().into_iter().map(|e| e.event).collect()
    };
    assert_eq!(
        events(1),
        [
            "mining_notification_submitted",
            "mining_notification_reviewed",
            "mining_notification_superseded",
            "mining_notification_closed"
        ]
    );
    assert_eq!(
        events(2),
        [
            "mining_notification_submitted",
            "mining_notification_reviewed",
            "mining_notification_superseded",
            "mining_notification_closed"
        ]
    );
    assert_eq!(
        events(3),
        ["mining_notification_submitted", "mining_notification_reviewed", "mining_notification_closed"]
    );
    let h2 = ch.ledger.mining_history(MiningNotificationId(2)).unwrap();
    assert_eq!((h2[0].tx_hash, h2[0].signer, h2[0].height), (changed.tx_hash, c.miner.public(), changed.height));
    assert_eq!(
        h2[1].details,
        [
            ("accepted".into(), "false".into()),
            ("by".into(), "7".into()),
            ("reason".into(), "capacity not documented".into())
        ]
    );
    assert_eq!(h2[3].tx_hash, closed.tx_hash);

    // Proven against the state root of the last block: the notification (its
    // history_len), every entry, and nothing past the end.
    let height = ch.ledger.height().unwrap();
    let root = RootHash(ch.blocks[height as usize - 1].0.header.state_root.0);
    let (v, proof) = ch.ledger.get_with_proof(&keys::id(keys::state::MINING, 1), height).unwrap();
    let v = v.unwrap();
    proof.verify(root, KeyHash::with::<sha2::Sha256>(keys::id(keys::state::MINING, 1)), Some(&v)).unwrap();
    let n1: MiningNotification = borsh::from_slice(&v).unwrap();
    assert_eq!(n1.history_len, 4);
    for seq in 0..n1.history_len {
        let k = keys::history(keys::state::MINING_HISTORY, 1, seq);
        let (v, proof) = ch.ledger.get_with_proof(&k, height).unwrap();
        let v = v.expect("every entry below history_len is in the tree");
        proof.verify(root, KeyHash::with::<sha2::Sha256>(&k), Some(&v)).unwrap();
        let e: HistoryEntry = borsh::from_slice(&v).unwrap();
        if seq == 0 {
            assert_eq!((e.tx_hash, e.event.as_str()), (submitted.tx_hash, "mining_notification_submitted"));
        }
        // A rewritten entry is not proven.
        let mut forged = e.clone();
        forged.event = "mining_notification_rejected".into();
        assert!(proof.verify(root, KeyHash::with::<sha2::Sha256>(&k), Some(borsh::to_vec(&forged).unwrap())).is_err());
    }
    let past = keys::history(keys::state::MINING_HISTORY, 1, n1.history_len);
    let (v, proof) = ch.ledger.get_with_proof(&past, height).unwrap();
    assert!(v.is_none());
    proof.verify(root, KeyHash::with::<sha2::Sha256>(&past), None::<Vec<u8>>).unwrap();

    // Activity notifications: submission and review, proven the same way.
    let k = key(40);
    let r = ch.ok(
        &c.reg,
        Payload::RegisterParty {
            kind: PartyKind::LegalEntity,
            id_commitment: Hash::digest(b"test", &[40, 1]),
            display_name: Some(short("History LLP")),
            accounts: BoundedVec::new(vec![(k.public(), None)]).unwrap(),
        },
    );
    let party = PartyId(event_u64(&r, "party_registered", "party"));
    let id = submit_activity(&mut ch, &k, ActivityPhase::Start);
    ch.ok(&c.reg_assets, review_activity(id, true));
    let notes = ch.ledger.activity_notifications(Some(party)).unwrap();
    assert_eq!(notes[0].history_len, 2);
    let h = ch.ledger.activity_history(id).unwrap();
    let got: Vec<&str> = h.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(got, ["activity_notification_submitted", "activity_notification_reviewed"]);
    let height = ch.ledger.height().unwrap();
    let root = RootHash(ch.blocks[height as usize - 1].0.header.state_root.0);
    let kh = keys::history(keys::state::ACTIVITY_HISTORY, id.0, 1);
    let (v, proof) = ch.ledger.get_with_proof(&kh, height).unwrap();
    assert_eq!(v.as_deref(), Some(&borsh::to_vec(&h[1]).unwrap()[..]));
    proof.verify(root, KeyHash::with::<sha2::Sha256>(&kh), v.as_ref()).unwrap();
}
