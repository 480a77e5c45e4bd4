//! SPEC §9 governance: validator-set changes at a later height, parameters.

use tamga_types::*;

use crate::common::*;

fn upd(key: &SigningKey, power: u64, operator: PartyId) -> Payload {
    Payload::UpdateValidators {
        updates: BoundedVec::new(vec![ValidatorUpdate { key: key.public(), power, operator, p2p_key: None }]).unwrap(),
    }
}

#[test]
fn validator_change_takes_effect_after_the_delay() {
    let mut ch = Chain::new();
    let c = ch.c.clone();
    let newv = key(110);
    let r = ch.ok(&c.reg, upd(&newv, 10, MINER));
    let eff = event_u64(&r, "validators_updated", "effective_height");
    assert_eq!(eff, r.height + Params::default().validator_change_delay);
    assert_eq!(ch.ledger.validators_at(eff - 1).unwrap().len(), VALIDATORS);
    let next = ch.ledger.validators_at(eff).unwrap();
    assert_eq!(next.len(), VALIDATORS + 1);
    // While scheduled, the new validator key cannot sign (block eff - 1) ...
    ch.refused(&newv, 0, create_class("X", None), "VALIDATOR_KEY_CANNOT_SIGN");
    let (last, _) = ch.blocks.last().unwrap();
    assert_eq!(last.header.height, eff - 1);
    assert_eq!(last.header.next_validators_hash, next.hash(), "the header announces the next set");
    // ... and from `eff` on it certifies blocks and still cannot become an account.
    ch.c.validators.push(newv.clone());
    ch.fails(
        &c.reg,
        Payload::AddAccount { party: BOB, key: newv.public(), certificate: None },
        "VALIDATOR_KEY_CANNOT_SIGN",
    );
    let (last, cert) = ch.blocks.last().unwrap();
    assert_eq!((last.header.height, last.header.validators_hash), (eff, next.hash()));
    assert_eq!(cert.signatures.len(), VALIDATORS + 1);
    crate::replay::replay_all(&ch);
}

#[test]
fn validator_update_rejections() {
    let mut ch = Chain::new();
    let c = ch.c.clone();
    ch.fails(&c.alice, upd(&key(111), 10, MINER), "NOT_REGULATOR");
    ch.fails(&c.reg, Payload::UpdateValidators { updates: BoundedVec::new(vec![]).unwrap() }, "EMPTY_FIELD");
    ch.fails(&c.reg, upd(&key(111), 0, MINER), "INVALID_VALIDATOR_SET");
    ch.fails(&c.reg, upd(&c.bob, 10, MINER), "INVALID_VALIDATOR_SET"); // an account key (SPEC §1.9)
    ch.fails(&c.reg, upd(&key(111), 10, PartyId(99)), "UNKNOWN_PARTY");
    let all_out = Payload::UpdateValidators {
        updates: BoundedVec::new(
            c.validators
                .iter()
                .map(|v| ValidatorUpdate { key: v.public(), power: 0, operator: MINER, p2p_key: None })
                .collect(),
        )
        .unwrap(),
    };
    ch.fails(&c.reg, all_out, "INVALID_VALIDATOR_SET");
    ch.ok(&c.reg, Payload::SetPartyStatus { party: BOB, status: PartyStatus::Suspended, legal_basis: text("x") });
    ch.fails(&c.reg, upd(&key(111), 10, BOB), "PARTY_INACTIVE");
}

fn updates(list: Vec<ValidatorUpdate>) -> Payload {
    Payload::UpdateValidators { updates: BoundedVec::new(list).unwrap() }
}

/// SPEC §9: an update records the p2p identity peers admit the validator
/// under beside its consensus key: given, it is recorded; omitted, a new
/// validator is admitted under its consensus key and an existing one keeps
/// its recorded key. A p2p key another validator holds, or a weak one, is
/// refused naming the key. (New validators get power 1, so the four genesis
/// validators of power 10 keep a quorum without them.)
#[test]
fn validator_updates_record_the_p2p_key() {
    let mut ch = Chain::new();
    let c = ch.c.clone();
    let (a, b) = (key(120), key(121));
    let (p2p_a, p2p_a2) = (key(130).public(), key(131).public());
    let v = |k: &SigningKey, power: u64, p2p_key: Option<PublicKey>| ValidatorUpdate {
        key: k.public(),
        power,
        operator: MINER,
        p2p_key,
    };
    let recorded = |ch: &Chain, r: &Receipt, k: &SigningKey| -> (u64, PublicKey) {
        let eff = event_u64(r, "validators_updated", "effective_height");
        let set = ch.ledger.validators_at(eff).unwrap();
        let e = set.validators.iter().find(|e| e.key == k.public()).expect("in the set").clone();
        (e.power, e.p2p_key)
    };
    let r = ch.ok(&c.reg, updates(vec![v(&a, 1, Some(p2p_a)), v(&b, 1, None)]));
    assert_eq!(recorded(&ch, &r, &a), (1, p2p_a));
    assert_eq!(recorded(&ch, &r, &b), (1, b.public()), "a new validator without one: its consensus key");
    let r = ch.ok(&c.reg, updates(vec![v(&a, 2, None)]));
    assert_eq!(recorded(&ch, &r, &a), (2, p2p_a), "kept");
    let r = ch.ok(&c.reg, updates(vec![v(&a, 2, Some(p2p_a2))]));
    assert_eq!(recorded(&ch, &r, &a), (2, p2p_a2), "replaced");
    for (p2p, reason) in [(b.public(), "duplicate_p2p_key"), (PublicKey([0; 32]), "weak_p2p_key")] {
        let r = ch.run(&c.reg, updates(vec![v(&a, 2, Some(p2p))]));
        assert_eq!(r.outcome.code(), Some("INVALID_VALIDATOR_SET"), "{:?}", r.outcome);
        assert_eq!(r.outcome.arg("reason"), Some(reason), "{:?}", r.outcome);
        assert_eq!(r.outcome.arg("key"), Some(p2p.to_hex().as_str()), "{:?}", r.outcome);
    }
    crate::replay::replay_all(&ch);
}

/// SPEC §9: with `require_mining_notice` an operator needs an accepted mining notification.
#[test]
fn mining_notice_required_for_new_validators() {
    let mut ch = Chain::new();
    let c = ch.c.clone();
    ch.ok(&c.reg, Payload::SetParameter { change: ParameterChange::RequireMiningNotice(true) });
    assert!(ch.ledger.params().unwrap().require_mining_notice);
    ch.fails(&c.reg, upd(&key(112), 10, MINER), "MINING_NOTICE_REQUIRED");
    ch.ok(
        &c.miner,
        Payload::SubmitMiningNotification {
            kind: MiningNotificationKind::Start,
            previous: None,
            site: site(Region::Astana, 10, 1),
        },
    );
    ch.ok(
        &c.reg_mining,
        Payload::ReviewMiningNotification { notification: MiningNotificationId(1), accept: true, reason: None },
    );
    ch.ok(&c.reg, upd(&key(112), 10, MINER));
}

#[test]
fn parameters() {
    let mut ch = Chain::new();
    let c = ch.c.clone();
    let set = |change| Payload::SetParameter { change };
    ch.fails(&c.issuer, set(ParameterChange::MaxBlockTxs(10)), "NOT_REGULATOR");
    ch.fails(&c.reg, set(ParameterChange::MaxBlockTxs(0)), "INVALID_FIELD");
    ch.fails(&c.reg, set(ParameterChange::MaxBlockTxs(limits::MAX_BLOCK_TXS as u32 + 1)), "INVALID_FIELD");
    ch.fails(&c.reg, set(ParameterChange::ValidatorChangeDelay(0)), "INVALID_FIELD");
    ch.ok(&c.reg, set(ParameterChange::ValidatorChangeDelay(5)));
    ch.ok(&c.reg, set(ParameterChange::MaxBlockTxs(2)));
    assert_eq!(ch.ledger.params().unwrap().max_block_txs, 2);
    let txs: Vec<_> = (0..3).map(|i| ch.tx(&c.bob, create_class(&format!("C{i}"), None))).collect();
    let err = ch.ledger.execute(&ch.ctx(), &txs, &[], &Default::default()).unwrap_err();
    assert_eq!(err.code(), "TOO_MANY_TXS");
    let r = ch.ok(&c.reg, upd(&key(113), 10, MINER));
    assert_eq!(event_u64(&r, "validators_updated", "effective_height"), r.height + 5);
}

/// SPEC §1.9: a key scheduled as a validator earlier in the same block, or a
/// validator key removed from the set, still cannot become an account.
#[test]
fn consensus_keys_never_become_accounts() {
    let mut ch = Chain::new();
    let c = ch.c.clone();
    let newv = key(114);
    let t1 = ch.tx(&c.reg, upd(&newv, 10, MINER));
    let t2 = ch.tx(&c.reg, Payload::AddAccount { party: BOB, key: newv.public(), certificate: None });
    let rs = ch.block(vec![t1, t2]);
    assert!(rs[0].is_success());
    failed_code(&rs[1], "VALIDATOR_KEY_CANNOT_SIGN", "same block");
    // The reverse order: an account key cannot be scheduled as a validator in the same block.
    let k = key(115);
    let t1 = ch.tx(&c.reg, Payload::AddAccount { party: BOB, key: k.public(), certificate: None });
    let t2 = ch.tx(&c.reg, upd(&k, 10, MINER));
    let rs = ch.block(vec![t1, t2]);
    assert!(rs[0].is_success());
    failed_code(&rs[1], "INVALID_VALIDATOR_SET", "same block, reverse");
    // Remove a genesis validator; once out of every set its key is still a system key.
    let gone = c.validators[0].clone();
    ch.ok(&c.reg, upd(&gone, 0, MINER));
    for _ in 0..3 {
        ch.block(vec![]);
    }
    let h = ch.ledger.height().unwrap();
    assert!(ch.ledger.validators_at(h + 1).unwrap().index_of(&gone.public()).is_none());
    ch.fails(
        &c.reg,
        Payload::AddAccount { party: BOB, key: gone.public(), certificate: None },
        "VALIDATOR_KEY_CANNOT_SIGN",
    );
    ch.refused(&gone, 0, create_class("X", None), "VALIDATOR_KEY_CANNOT_SIGN");
}

/// SPEC §9: with `require_mining_notice`, a validator stays in the set only
/// while its operator has an accepted mining notification.
#[test]
fn validators_leave_when_their_operator_stops_mining() {
    let mut ch = Chain::new();
    let c = ch.c.clone();
    // A second operator (Bob's party) with an accepted notice runs two new validators.
    let submit = |kind, previous: Option<u64>| Payload::SubmitMiningNotification {
        kind,
        previous: previous.map(MiningNotificationId),
        site: site(Region::Jambyl, 50, 1),
    };
    let review =
        |id| Payload::ReviewMiningNotification { notification: MiningNotificationId(id), accept: true, reason: None };
    ch.ok(&c.reg, Payload::SetParameter { change: ParameterChange::RequireMiningNotice(true) });
    ch.ok(&c.bob, submit(MiningNotificationKind::Start, None)); // 1
    ch.ok(&c.reg_mining, review(1));
    let (v5, v6) = (key(116), key(117));
    ch.ok(&c.reg, upd(&v5, 10, BOB));
    let r = ch.ok(&c.reg, upd(&v6, 10, BOB));
    let eff = event_u64(&r, "validators_updated", "effective_height");
    assert_eq!(ch.ledger.validators_at(eff).unwrap().len(), VALIDATORS + 2);
    ch.c.validators.extend([v5.clone(), v6.clone()]);
    // Bob terminates: his validators are scheduled out.
    ch.ok(&c.bob, submit(MiningNotificationKind::Termination, Some(1))); // 2
    let r = ch.ok(&c.reg_mining, review(2));
    let eff = event_u64(&r, "validators_updated", "effective_height");
    let after = ch.ledger.validators_at(eff).unwrap();
    assert_eq!(after.len(), VALIDATORS);
    assert!(after.validators.iter().all(|v| v.operator == MINER));
    // If the only operator stops, the set is kept rather than emptied.
    ch.ok(&c.miner, submit(MiningNotificationKind::Start, None)); // 3
    ch.ok(&c.reg_mining, review(3));
    ch.ok(&c.miner, submit(MiningNotificationKind::Termination, Some(3))); // 4
    let r = ch.ok(&c.reg_mining, review(4));
    assert!(r.events.iter().any(|e| e.kind == "validators_kept"));
    for _ in 0..3 {
        ch.block(vec![]);
    }
    assert_eq!(ch.ledger.validators_at(ch.ledger.height().unwrap() + 1).unwrap().len(), VALIDATORS);
    crate::replay::replay_all(&ch);
}

// ---- SPEC §9.4 validator admission by mining notice (rule 3) ----

/// A start notice of `k`'s party, then the mining regulator's acceptance.
fn notice_accepted(ch: &mut Chain, k: &SigningKey) -> MiningNotificationId {
    let c = ch.c.clone();
    let r = ch.ok(
        k,
        Payload::SubmitMiningNotification {
            kind: MiningNotificationKind::Start,
            previous: None,
            site: site(Region::Karaganda, 40, 2),
        },
    );
    let id = MiningNotificationId(event_u64(&r, "mining_notification_submitted", "notification"));
    ch.ok(&c.reg_mining, Payload::ReviewMiningNotification { notification: id, accept: true, reason: None });
    id
}

/// Adds validators with the given seeds, operated by `operator`; returns their keys.
fn add_validators(ch: &mut Chain, seeds: std::ops::Range<u8>, operator: PartyId) -> Vec<SigningKey> {
    let c = ch.c.clone();
    let keys: Vec<SigningKey> = seeds.map(key).collect();
    let updates =
        keys.iter().map(|k| ValidatorUpdate { key: k.public(), power: 10, operator, p2p_key: None }).collect();
    ch.ok(&c.reg, Payload::UpdateValidators { updates: BoundedVec::new(updates).unwrap() });
    ch.c.validators.extend(keys.iter().cloned());
    keys
}

/// The event `kind` of a receipt, with every attribute.
fn event<'a>(r: &'a Receipt, kind: &str) -> &'a Event {
    r.events.iter().find(|e| e.kind == kind).unwrap_or_else(|| panic!("no {kind} in {:?}", r.events))
}

fn attrs(e: &Event) -> Vec<(&str, &str)> {
    e.attributes.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// Blocks until the latest scheduled set certifies the next block.
fn past_the_change(ch: &mut Chain) {
    for _ in 0..=Params::default().validator_change_delay {
        ch.block(vec![]);
    }
}

/// SPEC §9.4: turning `require_mining_notice` on applies it to the set
/// already there. Below the minimum the validators stay, with a
/// `validators_kept` event; once enough validators of a notified operator
/// remain, the others are scheduled out at the next change height. The
/// parameter change commits either way.
#[test]
fn rule3_turning_on_the_rule_schedules_validators_without_notice_out() {
    let mut ch = Chain::new();
    let c = ch.c.clone();
    let on = Payload::SetParameter { change: ParameterChange::RequireMiningNotice(true) };
    let off = Payload::SetParameter { change: ParameterChange::RequireMiningNotice(false) };
    // Only the miner's four validators, the miner without a notice: removing
    // them would leave none, so they stay.
    let r = ch.ok(&c.reg, on.clone());
    assert!(ch.ledger.params().unwrap().require_mining_notice, "the parameter change commits");
    assert_eq!(
        attrs(event(&r, "validators_kept")),
        vec![
            ("reason", "no_mining_notice"),
            ("operators", "6"),
            ("kept", "4"),
            ("would_remain", "0"),
            ("min_validators", "4")
        ]
    );
    assert!(r.events.iter().all(|e| e.kind != "validators_updated"), "nothing scheduled: {:?}", r.events);
    ch.ok(&c.reg, off);
    // Bob's party notifies and runs four validators; turning the rule on
    // again schedules the miner's four out.
    notice_accepted(&mut ch, &c.bob);
    let bobs = add_validators(&mut ch, 120..124, BOB);
    let r = ch.ok(&c.reg, on);
    let eff = event_u64(&r, "validators_updated", "effective_height");
    assert_eq!(eff, r.height + Params::default().validator_change_delay);
    assert_eq!(
        attrs(event(&r, "validators_left")),
        vec![
            ("reason", "no_mining_notice"),
            ("operators", "6"),
            ("validators", "4"),
            ("remaining", "4"),
            ("effective_height", eff.to_string().as_str())
        ]
    );
    assert_eq!(ch.ledger.validators_at(eff - 1).unwrap().len(), 2 * VALIDATORS);
    let after = ch.ledger.validators_at(eff).unwrap();
    let mut want: Vec<PublicKey> = bobs.iter().map(|k| k.public()).collect();
    want.sort();
    assert_eq!(after.validators.iter().map(|v| v.key).collect::<Vec<_>>(), want);
    // Bob's validators alone certify the blocks from the change height on.
    past_the_change(&mut ch);
    assert!(ch.ledger.height().unwrap() >= eff);
    crate::replay::replay_all(&ch);
}

/// SPEC §9.3–§9.4: an operator must be an active party. A regulator's
/// suspension or revocation schedules its validators out (whether or not
/// `require_mining_notice` is on), and always commits, even when the
/// validators must stay because fewer than `min_validators` would remain.
#[test]
fn rule3_suspending_an_operator_removes_its_validators_and_always_commits() {
    let mut ch = Chain::new();
    let c = ch.c.clone();
    add_validators(&mut ch, 124..128, BOB);
    let alices = add_validators(&mut ch, 128..129, ALICE);
    let status = |party, status| Payload::SetPartyStatus { party, status, legal_basis: text("court order 12") };
    // Revoking Alice's party: her one validator leaves, eight remain.
    let r = ch.ok(&c.reg, status(ALICE, PartyStatus::Revoked));
    let left = event(&r, "validators_left");
    assert_eq!(left.get("reason"), Some("operator_revoked"));
    assert_eq!(
        (left.get("operators"), left.get("validators"), left.get("remaining")),
        (Some("4"), Some("1"), Some("8"))
    );
    let eff = event_u64(&r, "validators_updated", "effective_height");
    assert!(ch.ledger.validators_at(eff).unwrap().index_of(&alices[0].public()).is_none());
    // Suspending Bob's party: his four leave, the miner's four remain.
    let r = ch.ok(&c.reg, status(BOB, PartyStatus::Suspended));
    assert_eq!(event(&r, "party_status_changed").get("status"), Some("suspended"));
    let left = event(&r, "validators_left");
    assert_eq!(left.get("reason"), Some("operator_suspended"));
    assert_eq!(
        (left.get("operators"), left.get("validators"), left.get("remaining")),
        (Some("5"), Some("4"), Some("4"))
    );
    let eff = event_u64(&r, "validators_updated", "effective_height");
    let after = ch.ledger.validators_at(eff).unwrap();
    assert_eq!(after.len(), VALIDATORS);
    assert!(after.validators.iter().all(|v| v.operator == MINER));
    // Suspending the miner too: its validators would leave none, so they
    // stay; the suspension still commits.
    let r = ch.ok(&c.reg, status(MINER, PartyStatus::Suspended));
    assert_eq!(ch.ledger.party(MINER).unwrap().unwrap().party.status, PartyStatus::Suspended);
    assert_eq!(
        attrs(event(&r, "validators_kept")),
        vec![
            ("reason", "operator_suspended"),
            ("operators", "6"),
            ("kept", "4"),
            ("would_remain", "0"),
            ("min_validators", "4")
        ]
    );
    assert!(r.events.iter().all(|e| e.kind != "validators_updated"));
    past_the_change(&mut ch);
    let h = ch.ledger.height().unwrap();
    assert_eq!(ch.ledger.validators_at(h + 1).unwrap(), after, "the miner's four keep certifying");
    // Reactivating a party changes no set.
    let r = ch.ok(&c.reg, status(BOB, PartyStatus::Active));
    assert!(r.events.iter().all(|e| e.kind != "validators_updated" && e.kind != "validators_left"));
    crate::replay::replay_all(&ch);
}

/// SPEC §9.4: validators leave only while at least `min_validators`
/// remain; a termination that would go below it still commits, and its
/// operator's validators stay with a `validators_kept` event.
#[test]
fn rule3_validators_stay_when_fewer_than_min_validators_would_remain() {
    let mut ch = Chain::new();
    let c = ch.c.clone();
    ch.ok(&c.reg, Payload::SetParameter { change: ParameterChange::RequireMiningNotice(true) });
    let start = notice_accepted(&mut ch, &c.bob);
    let bobs = add_validators(&mut ch, 130..131, BOB);
    ch.ok(&c.reg, Payload::SetParameter { change: ParameterChange::MinValidators(5) });
    assert_eq!(ch.ledger.params().unwrap().min_validators, 5);
    let r = ch.ok(
        &c.bob,
        Payload::SubmitMiningNotification {
            kind: MiningNotificationKind::Termination,
            previous: Some(start),
            site: site(Region::Karaganda, 40, 2),
        },
    );
    let id = MiningNotificationId(event_u64(&r, "mining_notification_submitted", "notification"));
    let review = Payload::ReviewMiningNotification { notification: id, accept: true, reason: None };
    let r = ch.ok(&c.reg_mining, review);
    assert!(!ch.ledger.party(BOB).unwrap().unwrap().party.mining_active, "the termination is accepted");
    assert_eq!(
        attrs(event(&r, "validators_kept")),
        vec![
            ("reason", "no_mining_notice"),
            ("operators", "5"),
            ("kept", "1"),
            ("would_remain", "4"),
            ("min_validators", "5")
        ]
    );
    past_the_change(&mut ch);
    let h = ch.ledger.height().unwrap();
    let set = ch.ledger.validators_at(h + 1).unwrap();
    assert_eq!(set.len(), VALIDATORS + 1);
    assert!(set.index_of(&bobs[0].public()).is_some(), "Bob's validator stays");
    crate::replay::replay_all(&ch);
}

/// SPEC §9.4: `min_validators` defaults to 4 (n = 3f + 1, f = 1), only a
/// regulator changes it, and only within `1..=MAX_VALIDATORS`
/// (`PARAM_OUT_OF_RANGE` naming the field, the range and the value); a
/// genesis outside the range is refused.
#[test]
fn rule3_min_validators_parameter_is_validated() {
    assert_eq!(Params::default().min_validators, 4);
    let mut ch = Chain::new();
    let c = ch.c.clone();
    assert_eq!(ch.ledger.params().unwrap().min_validators, 4);
    let set = |n| Payload::SetParameter { change: ParameterChange::MinValidators(n) };
    ch.fails(&c.issuer, set(3), "NOT_REGULATOR");
    let m = ch.fails(&c.reg, set(0), "PARAM_OUT_OF_RANGE");
    assert_eq!(m, "field min_validators: expected 1..=256, got 0");
    let m = ch.fails(&c.reg, set(limits::MAX_VALIDATORS as u32 + 1), "PARAM_OUT_OF_RANGE");
    assert_eq!(m, "field min_validators: expected 1..=256, got 257");
    for n in [limits::MAX_VALIDATORS as u32, 1] {
        ch.ok(&c.reg, set(n));
        assert_eq!(ch.ledger.params().unwrap().min_validators, n);
    }
    for bad in [0, limits::MAX_VALIDATORS as u32 + 1] {
        let mut g = genesis();
        g.params.min_validators = bad;
        let err = tamga_state::Ledger::open_in_memory().unwrap().init_genesis(&g).unwrap_err();
        assert!(err.to_string().contains("params.min_validators"), "{err}");
    }
}

/// A genesis with `require_mining_notice` on, the miner's four validators
/// and four of Bob's, whose genesis transactions give the miner (not Bob)
/// an accepted notice.
fn genesis_with_notices(min_validators: u32) -> Genesis {
    let c = cast();
    let mut g = genesis();
    g.params.require_mining_notice = true;
    g.params.min_validators = min_validators;
    g.validators.extend((140..144).map(|s| GenesisValidator {
        key: key(s).public(),
        power: 10,
        operator: BOB,
        p2p_address: None,
        p2p_key: key(s).public(),
    }));
    g.transactions = vec![
        sign_tx(
            &c.miner,
            0,
            Payload::SubmitMiningNotification {
                kind: MiningNotificationKind::Start,
                previous: None,
                site: site(Region::Pavlodar, 500, 10),
            },
        ),
        sign_tx(
            &c.reg_mining,
            0,
            Payload::ReviewMiningNotification { notification: MiningNotificationId(1), accept: true, reason: None },
        ),
    ];
    g
}

/// SPEC §9.4 at genesis: the operators' notices are checked after the
/// genesis transactions (which carry them). Validators without one leave
/// at the first change height, `max(validator_change_delay, 1)`, as any
/// change committed at height 0; the genesis set certifies the blocks
/// before it. Below `min_validators` they stay. The check's events ride on
/// the last genesis transaction's receipt. A genesis with the rule on and
/// no transactions (so no notice at all) is refused.
#[test]
fn rule3_genesis_checks_notices_after_the_genesis_transactions() {
    let delay = Params::default().validator_change_delay;
    // The miner's notice comes from a genesis transaction: had the check run
    // before them, all eight would lack one and would stay.
    let ledger = tamga_state::Ledger::open_in_memory().unwrap();
    ledger.init_genesis(&genesis_with_notices(4)).unwrap();
    assert!(ledger.party(MINER).unwrap().unwrap().party.mining_active);
    let receipts = ledger.receipts(0).unwrap();
    assert_eq!(receipts.len(), 2);
    let last = &receipts[1];
    assert!(last.is_success());
    assert_eq!(
        attrs(event(last, "validators_left")),
        vec![
            ("reason", "no_mining_notice"),
            ("operators", "5"),
            ("validators", "4"),
            ("remaining", "4"),
            ("effective_height", delay.to_string().as_str())
        ]
    );
    assert_eq!(event_u64(last, "validators_updated", "effective_height"), delay);
    for h in 0..delay {
        assert_eq!(ledger.validators_at(h).unwrap().len(), 2 * VALIDATORS, "height {h}: the genesis set");
    }
    let after = ledger.validators_at(delay).unwrap();
    assert_eq!(after.len(), VALIDATORS);
    assert!(after.validators.iter().all(|v| v.operator == MINER));
    // The same genesis applied again gives the same state (deterministic).
    let again = tamga_state::Ledger::open_in_memory().unwrap();
    assert_eq!(again.init_genesis(&genesis_with_notices(4)).unwrap(), ledger.state_root().unwrap());
    assert_eq!(again.receipts(0).unwrap(), receipts);

    // With a minimum of five, Bob's four would leave four: they stay.
    let ledger = tamga_state::Ledger::open_in_memory().unwrap();
    ledger.init_genesis(&genesis_with_notices(5)).unwrap();
    let last = ledger.receipts(0).unwrap().pop().unwrap();
    assert_eq!(
        attrs(event(&last, "validators_kept")),
        vec![
            ("reason", "no_mining_notice"),
            ("operators", "5"),
            ("kept", "4"),
            ("would_remain", "4"),
            ("min_validators", "5")
        ]
    );
    assert!(last.events.iter().all(|e| e.kind != "validators_updated"));
    assert_eq!(ledger.validators_at(delay + 5).unwrap().len(), 2 * VALIDATORS);

    // The rule on, no genesis transactions: no operator can have a notice.
    let mut g = genesis();
    g.params.require_mining_notice = true;
    let err = tamga_state::Ledger::open_in_memory().unwrap().init_genesis(&g).unwrap_err();
    assert!(err.to_string().contains("require_mining_notice"), "{err}");
}
