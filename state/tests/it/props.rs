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
    Unfreeze { holder: usize, amount: Option<u128> },
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
        1 => (who.clone(), proptest::option::of(amount())).prop_map(|(holder, amount)| Op::Unfreeze { holder, amount }),
        1 => (who.clone(), who, amount()).prop_map(|(from, to, amount)| Op::Forced { from, to, amount }),
    ]
}

/// The reference model: (amount, frozen) per account and the supply.
#[derive(Default)]
struct Model {
    h: [(u128, u128); 4],
    supply: u128,
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
                let avail = if forced { self.h[from].0 } else { self.h[from].0 - self.h[from].1 };
                if amount == 0 || from == to || avail < amount {
                    return false;
                }
                self.h[from].0 -= amount;
                self.h[from].1 = self.h[from].1.min(self.h[from].0);
                self.h[to].0 += amount;
            }
            Op::Redeem { from, amount } => {
                if amount == 0 || self.h[from].0 - self.h[from].1 < amount {
                    return false;
                }
                self.h[from].0 -= amount;
                self.supply -= amount;
            }
            Op::Freeze { holder, amount, .. } => match amount {
                Some(0) => return false,
                None => self.h[holder].1 = self.h[holder].0,
                Some(a) => match self.h[holder].1.checked_add(a) {
                    Some(f) if f <= self.h[holder].0 => self.h[holder].1 = f,
                    _ => return false,
                },
            },
            Op::Unfreeze { holder, amount } => match amount {
                Some(0) => return false,
                None => self.h[holder].1 = 0,
                Some(a) if a > self.h[holder].1 => return false,
                Some(a) => self.h[holder].1 -= a,
            },
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
        Op::Unfreeze { holder, amount } => ch.tx(&c.issuer, unfreeze(class, &accts[holder], amount)),
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
/// the class supply; frozen never exceeds the amount; the holder index agrees.
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
            assert!(h.frozen <= h.amount && (h.amount > 0 || h.frozen > 0), "holding {h:?}");
            assert_eq!(ch.ledger.holding(class.id, &h.account).unwrap().amount, h.amount);
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
                prop_assert_eq!((h.amount, h.frozen), model.h[i], "account {}", i);
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
