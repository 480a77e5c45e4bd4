//! SPEC §9 governance: validator-set changes at a later height, parameters.

use tamga_types::*;

use crate::common::*;

fn upd(key: &SigningKey, power: u64, operator: PartyId) -> Payload {
    Payload::UpdateValidators {
        updates: BoundedVec::new(vec![ValidatorUpdate { key: key.public(), power, operator }]).unwrap(),
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
            c.validators.iter().map(|v| ValidatorUpdate { key: v.public(), power: 0, operator: MINER }).collect(),
        )
        .unwrap(),
    };
    ch.fails(&c.reg, all_out, "INVALID_VALIDATOR_SET");
    ch.ok(&c.reg, Payload::SetPartyStatus { party: BOB, status: PartyStatus::Suspended, legal_basis: text("x") });
    ch.fails(&c.reg, upd(&key(111), 10, BOB), "PARTY_INACTIVE");
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
