//! Property tests: supply conservation against a reference model (SPEC §1.2,
//! §4) and random garbage transactions that must never panic execution nor
//! break determinism or conservation.

use borsh::BorshDeserialize;
use proptest::prelude::*;
use tamga_types::*;

use crate::common::*;

const CAP: u128 = 10_000;

#[derive(Clone, Debug)]
enum Op {
    Mint { to: usize, amount: u128 },
    Transfer { from: usize, to: usize, amount: u128 },
    Redeem { from: usize, amount: u128 },
    Freeze { holder: usize, amount: Option<u128>, by_regulator: bool },
    Lift { nth: u64, by_regulator: bool },
    Forced { from: usize, to: usize, amount: u128 },
}

fn amount() -> impl Strategy<Value = u128> {
    prop_oneof![3 => 0u128..50, 1 => 0u128..3_000, 1 => Just(u128::MAX)]
}

fn op() -> impl Strategy<Value = Op> {
    let who = 0usize..4;
    prop_oneof![
        1 => (who.clone(), amount()).prop_map(|(to, amount)| Op::Mint { to, amount }),
        3 => (who.clone(), who.clone(), amount()).prop_map(|(from, to, amount)| Op::Transfer { from, to, amount }),
        1 => (who.clone(), amount()).prop_map(|(from, amount)| Op::Redeem { from, amount }),
        1 => (who.clone(), proptest::option::of(amount()), any::<bool>())
            .prop_map(|(holder, amount, by_regulator)| Op::Freeze { holder, amount, by_regulator }),
        1 => (0u64..6, any::<bool>()).prop_map(|(nth, by_regulator)| Op::Lift { nth, by_regulator }),
        1 => (who.clone(), who, amount()).prop_map(|(from, to, amount)| Op::Forced { from, to, amount }),
    ]
}

/// The reference model: (amount, frozen amounts, whole-holding freezes) per
/// account, the supply, and every freeze (holder, amount, by a regulator,
/// lifted) in id order.
#[derive(Default)]
struct Model {
    h: [(u128, u128, u32); 4],
    supply: u128,
    freezes: Vec<(usize, Option<u128>, bool, bool)>,
}

impl Model {
    fn free(&self, i: usize) -> u128 {
        let (amount, frozen, whole) = self.h[i];
        if whole > 0 {
            0
        } else {
            amount.saturating_sub(frozen)
        }
    }
}

impl Model {
    /// Applies `op`; returns whether it must succeed.
    fn apply(&mut self, op: &Op) -> bool {
        match *op {
            Op::Mint { to, amount } => {
                if amount == 0 || self.supply.checked_add(amount).is_none_or(|s| s > CAP) {
                    return false;
                }
                self.supply += amount;
                self.h[to].0 += amount;
            }
            Op::Transfer { from, to, amount } | Op::Forced { from, to, amount } => {
                let forced = matches!(op, Op::Forced { .. });
                let avail = if forced { self.h[from].0 } else { self.free(from) };
                if amount == 0 || from == to || avail < amount {
                    return false;
                }
                self.h[from].0 -= amount;
                self.h[to].0 += amount;
            }
            Op::Redeem { from, amount } => {
                if amount == 0 || self.free(from) < amount {
                    return false;
                }
                self.h[from].0 -= amount;
                self.supply -= amount;
            }
            Op::Freeze { holder, amount, by_regulator } => {
                match amount {
                    Some(0) => return false,
                    None => self.h[holder].2 += 1,
                    Some(a) if a > self.h[holder].0.saturating_sub(self.h[holder].1) => return false,
                    Some(a) => self.h[holder].1 += a,
                }
                self.freezes.push((holder, amount, by_regulator, false));
            }
            Op::Lift { nth, by_regulator } => {
                let Some(&(holder, amount, imposed_by_regulator, lifted)) = self.freezes.get(nth as usize) else {
                    return false;
                };
                if lifted || (imposed_by_regulator && !by_regulator) {
                    return false;
                }
                match amount {
                    None => self.h[holder].2 -= 1,
                    Some(a) => self.h[holder].1 -= a,
                }
                self.freezes[nth as usize].3 = true;
            }
        }
        true
    }
}

fn to_tx(ch: &mut Chain, class: ClassId, accts: &[SigningKey; 4], op: &Op) -> SignedTransaction {
    let c = ch.c.clone();
    match *op {
        Op::Mint { to, amount } => ch.tx(&c.issuer, mint(class, &accts[to], amount)),
        Op::Transfer { from, to, amount } => ch.tx(&accts[from], transfer(class, &accts[to], amount)),
        Op::Redeem { from, amount } => ch.tx(&accts[from], Payload::Redeem { class, amount, right: 0 }),
        Op::Freeze { holder, amount, by_regulator } => {
            let k = if by_regulator { &c.reg } else { &c.issuer };
            ch.tx(k, freeze(class, &accts[holder], amount))
        }
        Op::Lift { nth, by_regulator } => {
            let k = if by_regulator { &c.reg } else { &c.issuer };
            ch.tx(k, lift(RestrictionId(nth + 1)))
        }
        Op::Forced { from, to, amount } => ch.tx(
            &c.reg,
            Payload::ForcedTransfer {
                class,
                from: accts[from].public(),
                to: accts[to].public(),
                amount,
                legal_basis: text("court"),
            },
        ),
    }
}

/// Sum of every holding of every class plus tokens locked in open escrows equals
/// the class supply; a holding's frozen amount is the sum of its standing
/// freezes of an amount; the holder index agrees.
fn assert_conservation(ch: &Chain) {
    use tamga_state::model::EscrowStatus;
    for class in ch.ledger.classes().unwrap() {
        let holders = ch.ledger.holders(class.id).unwrap();
        let held: u128 = holders.iter().map(|h| h.amount).sum();
        let escrowed: u128 = ch
            .ledger
            .escrows()
            .unwrap()
            .iter()
            .filter(|e| matches!(e.status, EscrowStatus::Open | EscrowStatus::Disputed))
            .filter_map(|e| match e.asset {
                EscrowAsset::Tokens { class: k, amount } if k == class.id => Some(amount),
                _ => None,
            })
            .sum();
        assert_eq!(held + escrowed, class.supply, "class {} conservation", class.id);
        for h in holders {
            let stored = ch.ledger.holding(class.id, &h.account).unwrap();
            assert!(!stored.is_empty(), "holding {h:?}");
            assert_eq!(stored.amount, h.amount);
            let standing = ch.ledger.restrictions_of_holding(class.id, &h.account).unwrap();
            let frozen: u128 = standing
                .iter()
                .filter(|r| r.lifted.is_none())
                .filter_map(|r| match r.target {
                    tamga_state::model::RestrictionTarget::Holding { amount, .. } => amount,
                    _ => None,
                })
                .sum();
            assert_eq!(stored.frozen, frozen, "holding {h:?}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    /// SPEC §4: sum of holdings == class supply over random mint / transfer /
    /// redeem / freeze / forced-transfer sequences, and every outcome matches
    /// the reference model.
    #[test]
    fn supply_is_conserved(blocks in proptest::collection::vec(proptest::collection::vec(op(), 1..8), 1..8)) {
        let mut ch = Chain::new();
        let class = ch.class("WHT", Some(CAP));
        let c = ch.c.clone();
        let accts = [c.alice.clone(), c.alice2.clone(), c.bob.clone(), c.issuer.clone()];
        let mut model = Model::default();
        for ops in &blocks {
            let txs: Vec<_> = ops.iter().map(|o| to_tx(&mut ch, class, &accts, o)).collect();
            let receipts = ch.block(txs);
            for (o, r) in ops.iter().zip(&receipts) {
                prop_assert_eq!(r.is_success(), model.apply(o), "{:?}: {:?}", o, r.outcome);
            }
            prop_assert_eq!(ch.supply(class), model.supply);
            for (i, k) in accts.iter().enumerate() {
                let h = ch.ledger.holding(class, &k.public()).unwrap();
                prop_assert_eq!((h.amount, h.frozen, h.whole_freezes), model.h[i], "account {}", i);
            }
            assert_conservation(&ch);
        }
    }
}

/// Bytes biased to small values so that decoded ids and amounts often hit real objects.
fn biased_bytes() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(prop_oneof![6 => Just(0u8), 2 => 1u8..4, 2 => any::<u8>()], 0..160)
}

fn garbage_tx() -> impl Strategy<Value = (u8, Vec<u8>, usize, Option<u64>)> {
    (0u8..32, biased_bytes(), 0usize..9, proptest::option::weighted(0.1, 0u64..4))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, failure_persistence: None, ..ProptestConfig::default() })]

    /// Random payloads (any variant, garbage fields) signed by known, unknown
    /// and validator keys never panic execution, never make a valid block
    /// invalid, keep conservation, and replay to the same roots.
    #[test]
    fn garbage_never_panics(blocks in proptest::collection::vec(proptest::collection::vec(garbage_tx(), 1..12), 1..5)) {
        let mut ch = Chain::new();
        let c = ch.c.clone();
        // Some real objects for garbage to hit.
        let class = ch.class("WHT", None);
        ch.ok(&c.issuer, mint(class, &c.alice, 1000));
        ch.record(c.bob.public());
        let signers = [
            c.reg.clone(), c.reg_assets.clone(), c.issuer.clone(), c.alice.clone(), c.alice2.clone(),
            c.bob.clone(), c.miner.clone(), key(200), c.validators[0].clone(),
        ];
        for txs in &blocks {
            let mut stxs = Vec::new();
            for (tag, bytes, who, nonce) in txs {
                let mut raw = vec![*tag];
                raw.extend_from_slice(bytes);
                // Also: arbitrary bytes as a whole transaction must decode or fail cleanly.
                let _ = SignedTransaction::decode(&raw);
                let Ok(payload) = Payload::deserialize(&mut &raw[..]) else { continue };
                // A regulator's random validator-set or parameter change would legitimately
                // change who certifies blocks or how many txs fit: governance.rs covers those.
                if *who < 2 && matches!(payload, Payload::UpdateValidators { .. } | Payload::SetParameter { .. }) {
                    continue;
                }
                let k = &signers[*who];
                stxs.push(match nonce {
                    Some(n) => sign_tx(k, *n, payload),
                    None => ch.tx(k, payload),
                });
            }
            // Drop accidental duplicates (same signer, nonce and payload).
            let mut seen = std::collections::HashSet::new();
            stxs.retain(|t| seen.insert(t.hash()));
            // The proposer's one pass (SPEC §8): what the screen leaves is a valid block.
            let refused = ch.ledger.screen(&stxs, &Default::default()).unwrap();
            for e in &refused {
                prop_assert!(ENVELOPE.contains(&e.code()), "screened out with {}: {}", e.code(), e);
            }
            let out: std::collections::HashSet<usize> = refused.iter().filter_map(|e| e.tx_index()).collect();
            let stxs: Vec<_> =
                stxs.into_iter().enumerate().filter(|(i, _)| !out.contains(i)).map(|(_, t)| t).collect();
            let receipts = ch.block(stxs.clone());
            prop_assert_eq!(receipts.len(), stxs.len());
            for r in &receipts {
                if let TxOutcome::Failed { code, .. } = &r.outcome {
                    prop_assert!(code != "INTERNAL" && !code.is_empty());
                }
            }
            assert_conservation(&ch);
        }
        crate::replay::replay_all(&ch);
    }
}

/// Envelope codes: a transaction refused at the start of a block has one of these.
const ENVELOPE: [&str; 5] =
    ["UNKNOWN_SIGNER", "VALIDATOR_KEY_CANNOT_SIGN", "ACCOUNT_REVOKED", "NONCE_OUT_OF_SEQUENCE", "PARTY_INACTIVE"];

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, failure_persistence: None, ..ProptestConfig::default() })]

    /// SPEC §8 over random garbage, one transaction per block: an envelope
    /// failure makes the block invalid and changes nothing at all; a failed
    /// transaction in a block changes nothing but its signer's nonce.
    #[test]
    fn failed_garbage_changes_nothing_but_the_nonce(txs in proptest::collection::vec(garbage_tx(), 1..16)) {
        let mut ch = Chain::new();
        let c = ch.c.clone();
        let class = ch.class("WHT", None);
        ch.ok(&c.issuer, mint(class, &c.alice, 1000));
        ch.record(c.bob.public());
        let signers = [
            c.reg.clone(), c.reg_assets.clone(), c.issuer.clone(), c.alice.clone(), c.alice2.clone(),
            c.bob.clone(), c.miner.clone(), key(200), c.validators[0].clone(),
        ];
        for (tag, bytes, who, nonce) in &txs {
            let mut raw = vec![*tag];
            raw.extend_from_slice(bytes);
            let Ok(payload) = Payload::deserialize(&mut &raw[..]) else { continue };
            if *who < 2 && matches!(payload, Payload::UpdateValidators { .. } | Payload::SetParameter { .. }) {
                continue;
            }
            let k = &signers[*who];
            let stx = match nonce {
                Some(n) => sign_tx(k, *n, payload),
                None => ch.tx(k, payload),
            };
            if ch.ledger.transaction(&stx.hash()).unwrap().is_some() {
                continue; // the same bytes again would be a DUPLICATE_TX block
            }
            let before = ch.ledger.dump().unwrap();
            let n0 = ch.ledger.nonce(&k.public()).unwrap();
            if let Err(e) = ch.ledger.execute(&ch.ctx(), std::slice::from_ref(&stx), &[], &Default::default()) {
                prop_assert!(ENVELOPE.contains(&e.code()), "block refused with {}: {}", e.code(), e);
                prop_assert!(ch.ledger.dump().unwrap() == before, "a refused block writes nothing");
                continue;
            }
            let r = ch.block(vec![stx]).remove(0);
            let n1 = ch.ledger.nonce(&k.public()).unwrap();
            if let TxOutcome::Failed { .. } = &r.outcome {
                prop_assert_eq!(n1, n0 + 1, "a failed transaction in a block spends its nonce");
                assert_only_changes(&before, &ch.ledger.dump().unwrap(), Some(&k.public()));
            } else {
                prop_assert_eq!(n1, n0 + 1, "a success spends exactly one nonce");
            }
        }
    }
}

/// Structured random operations over a palette of real and bogus keys, ids,
/// amounts and texts, so that random sequences mix successes and failures of
/// every SPEC operation (governance aside, see above).
mod arb {
    use proptest::prelude::*;
    use tamga_types::*;

    use crate::common::*;

    pub fn keys() -> Vec<SigningKey> {
        let c = cast();
        vec![
            c.alice,
            c.alice2,
            c.bob,
            c.issuer,
            c.reg,
            c.reg_mining,
            c.miner,
            c.validators[0].clone(),
            key(210),
            key(211),
        ]
    }

    fn pk() -> impl Strategy<Value = PublicKey> {
        prop_oneof![9 => (0usize..10).prop_map(|i| keys()[i].public()), 1 => Just(PublicKey([0; 32]))]
    }
    fn id() -> impl Strategy<Value = u64> {
        prop_oneof![5 => Just(1u64), 3 => 2u64..4, 1 => Just(0u64), 1 => Just(u64::MAX)]
    }
    fn amount() -> impl Strategy<Value = u128> {
        prop_oneof![4 => 0u128..60, 1 => 0u128..5000, 1 => Just(u128::MAX)]
    }
    fn txt() -> impl Strategy<Value = Text> {
        prop_oneof![1 => Just(text("")), 1 => Just(text(" ")), 6 => Just(text("basis: order 1"))]
    }
    fn date() -> impl Strategy<Value = Date> {
        (2024u16..2028, 0u8..14, 0u8..32).prop_map(|(year, month, day)| Date { year, month, day })
    }

    fn identity() -> BoxedStrategy<Payload> {
        prop_oneof![
            (any::<bool>(), 0u8..4, proptest::collection::vec(pk(), 0..3), any::<bool>()).prop_map(
                |(legal, n, ks, named)| {
                    Payload::RegisterParty {
                        kind: if legal { PartyKind::LegalEntity } else { PartyKind::Individual },
                        id_commitment: Hash::digest(b"arb", &[n]),
                        display_name: named.then(|| short("Name")),
                        accounts: BoundedVec::new(ks.into_iter().map(|k| (k, None)).collect()).unwrap(),
                    }
                }
            ),
            (id(), 0u8..3, txt()).prop_map(|(p, s, legal_basis)| Payload::SetPartyStatus {
                party: PartyId(p),
                status: [PartyStatus::Active, PartyStatus::Suspended, PartyStatus::Revoked][s as usize],
                legal_basis,
            }),
            (id(), pk()).prop_map(|(p, key)| Payload::AddAccount { party: PartyId(p), key, certificate: None }),
            pk().prop_map(|key| Payload::RevokeAccount { key, reason: RevocationReason::HolderRequest }),
        ]
        .boxed()
    }

    fn tokens() -> BoxedStrategy<Payload> {
        prop_oneof![
            (0usize..3, proptest::option::of(amount()))
                .prop_map(|(s, cap)| create_class(["WHT", "OIL", "bad"][s], cap)),
            (id(), pk(), amount()).prop_map(|(c, to, amount)| Payload::Mint { class: ClassId(c), to, amount }),
            (id(), pk(), amount()).prop_map(|(c, to, amount)| Payload::Transfer { class: ClassId(c), to, amount }),
            (id(), pk(), amount()).prop_map(|(c, to, amount)| Payload::Transfer { class: ClassId(c), to, amount }),
            (id(), amount(), 0u32..3).prop_map(|(c, amount, right)| Payload::Redeem {
                class: ClassId(c),
                amount,
                right
            }),
            (id(), pk(), proptest::option::of(amount()), txt()).prop_map(|(c, holder, amount, legal_basis)| {
                Payload::Freeze { class: ClassId(c), holder, amount, legal_basis }
            }),
            (id(), pk(), proptest::option::of(amount()), txt()).prop_map(|(c, holder, amount, legal_basis)| {
                Payload::Unfreeze { class: ClassId(c), holder, amount, legal_basis }
            }),
            (id(), any::<bool>(), txt()).prop_map(|(c, paused, legal_basis)| Payload::SetClassPaused {
                class: ClassId(c),
                paused,
                legal_basis
            }),
            (id(), txt())
                .prop_map(|(r, legal_basis)| Payload::LiftRestriction { restriction: RestrictionId(r), legal_basis }),
            (id(), txt()).prop_map(|(c, legal_basis)| Payload::CloseClass { class: ClassId(c), legal_basis }),
            (id(), pk(), pk(), amount(), txt()).prop_map(|(c, from, to, amount, legal_basis)| {
                Payload::ForcedTransfer { class: ClassId(c), from, to, amount, legal_basis }
            }),
            (pk(), pk(), txt()).prop_map(|(from, to, legal_basis)| Payload::RecoverAccount { from, to, legal_basis }),
        ]
        .boxed()
    }

    fn records() -> BoxedStrategy<Payload> {
        let kind = prop_oneof![
            Just(EncumbranceKind::Pledge),
            Just(EncumbranceKind::Lien),
            Just(EncumbranceKind::Arrest),
            Just(EncumbranceKind::Other)
        ];
        prop_oneof![
            (pk(), txt()).prop_map(|(holder, d)| Payload::IssueRecord {
                holder,
                object: RecordObject {
                    kind: ObjectKind::Thing,
                    description: d,
                    external_ref: None,
                    document_hash: None
                },
            }),
            (id(), pk()).prop_map(|(r, to)| Payload::TransferRecord { record: RecordId(r), to }),
            (id(), kind, pk(), txt()).prop_map(|(r, kind, beneficiary, legal_basis)| Payload::Encumber {
                record: RecordId(r),
                kind,
                beneficiary,
                legal_basis
            }),
            (id(), id()).prop_map(|(r, e)| Payload::Release { record: RecordId(r), encumbrance: EncumbranceId(e) }),
            id().prop_map(|r| Payload::TerminateRecord { record: RecordId(r), reason: TerminationReason::Other }),
        ]
        .boxed()
    }

    fn escrows() -> BoxedStrategy<Payload> {
        let asset = prop_oneof![
            (id(), amount()).prop_map(|(c, amount)| EscrowAsset::Tokens { class: ClassId(c), amount }),
            id().prop_map(|r| EscrowAsset::Record { record: RecordId(r) }),
        ];
        prop_oneof![
            (pk(), pk(), asset, 0u64..40, any::<bool>()).prop_map(|(payee, arbiter, asset, deadline_height, zero)| {
                Payload::CreateEscrow {
                    payee,
                    arbiter,
                    asset,
                    terms_hash: if zero { Hash::ZERO } else { terms_hash() },
                    deadline_height,
                }
            }),
            Just(publish_terms(TERMS)),
            id().prop_map(|e| Payload::ReleaseEscrow { escrow: EscrowId(e) }),
            id().prop_map(|e| Payload::RefundEscrow { escrow: EscrowId(e) }),
            (id(), txt()).prop_map(|(e, reason)| Payload::DisputeEscrow { escrow: EscrowId(e), reason }),
            (id(), any::<bool>(), txt()).prop_map(|(e, to_payee, reason)| Payload::ResolveEscrow {
                escrow: EscrowId(e),
                to_payee,
                reason
            }),
        ]
        .boxed()
    }

    fn notices() -> BoxedStrategy<Payload> {
        let kind = prop_oneof![
            Just(MiningNotificationKind::Start),
            Just(MiningNotificationKind::Change),
            Just(MiningNotificationKind::Termination)
        ];
        prop_oneof![
            (kind, proptest::option::of(id()), date(), 0u64..1000).prop_map(|(kind, previous, d, kw)| {
                let mut s = site(Region::Pavlodar, kw, 1);
                s.start_date = d;
                Payload::SubmitMiningNotification { kind, previous: previous.map(MiningNotificationId), site: s }
            }),
            (id(), any::<bool>(), proptest::option::of(txt())).prop_map(|(n, accept, reason)| {
                Payload::ReviewMiningNotification { notification: MiningNotificationId(n), accept, reason }
            }),
            (0u8..3, any::<bool>(), date()).prop_map(|(a, start, date)| Payload::SubmitActivityNotification {
                activity: [Activity::Issuance, Activity::TradingOrganisation, Activity::Exchange][a as usize],
                phase: if start { ActivityPhase::Start } else { ActivityPhase::Termination },
                date
            }),
            (id(), any::<bool>(), proptest::option::of(txt())).prop_map(|(n, accept, reason)| {
                Payload::ReviewActivityNotification { notification: ActivityNotificationId(n), accept, reason }
            }),
        ]
        .boxed()
    }

    pub fn payload() -> BoxedStrategy<Payload> {
        prop_oneof![2 => identity(), 4 => tokens(), 2 => records(), 2 => escrows(), 2 => notices()].boxed()
    }

    /// (signer index into [`keys`], payload, explicit nonce if any).
    pub fn op() -> impl Strategy<Value = (usize, Payload, Option<u64>)> {
        let signer = prop_oneof![12 => 0usize..7, 1 => 7usize..10];
        (signer, payload(), proptest::option::weighted(0.05, 0u64..3))
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    /// Random operation sequences: no panic, conservation after every block,
    /// SPEC §8 for every failure in a one-transaction block, deterministic replay.
    #[test]
    fn random_operations_keep_every_invariant(
        blocks in proptest::collection::vec(proptest::collection::vec(arb::op(), 1..5), 1..14)
    ) {
        let mut ch = Chain::new();
        let c = ch.c.clone();
        let class = ch.class("WHT", Some(100_000));
        ch.ok(&c.issuer, mint(class, &c.alice, 1000));
        ch.ok(&c.issuer, mint(class, &c.bob, 1000));
        ch.record(c.alice.public());
        let keys = arb::keys();
        for ops in &blocks {
            let mut txs = Vec::new();
            for (who, payload, nonce) in ops {
                let k = &keys[*who];
                let stx = match nonce {
                    Some(n) => sign_tx(k, *n, payload.clone()),
                    None => ch.tx(k, payload.clone()),
                };
                if ch.ledger.transaction(&stx.hash()).unwrap().is_none() && !txs.contains(&stx) {
                    txs.push(stx);
                }
            }
            // The proposer's one pass (SPEC §8): what fails the envelope at
            // the start of the block is left out; the rest is a valid block.
            let before = ch.ledger.dump().unwrap();
            let refused = ch.ledger.screen(&txs, &Default::default()).unwrap();
            for e in &refused {
                prop_assert!(ENVELOPE.contains(&e.code()), "screened out with {}: {}", e.code(), e);
            }
            prop_assert!(ch.ledger.dump().unwrap() == before, "screening writes nothing");
            let out: std::collections::HashSet<usize> = refused.iter().filter_map(|e| e.tx_index()).collect();
            let txs: Vec<_> = txs.into_iter().enumerate().filter(|(i, _)| !out.contains(i)).map(|(_, t)| t).collect();
            let single = (txs.len() == 1).then(|| txs[0].tx.signer);
            let single_nonce = single.as_ref().map(|s| ch.ledger.nonce(s).unwrap());
            let receipts = ch.block(txs);
            if let (Some(signer), Some(n0)) = (single, single_nonce) {
                let n1 = ch.ledger.nonce(&signer).unwrap();
                if let TxOutcome::Failed { .. } = &receipts[0].outcome {
                    // Alone in its block, nothing before it could have refused its envelope.
                    prop_assert_eq!(n1, n0 + 1, "a failed transaction in a block spends its nonce");
                    assert_only_changes(&before, &ch.ledger.dump().unwrap(), Some(&signer));
                }
            }
            assert_conservation(&ch);
        }
        crate::replay::replay_all(&ch);
    }
}
