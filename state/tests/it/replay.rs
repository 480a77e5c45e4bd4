//! SPEC §1.4 determinism: replaying the same certified blocks on a fresh
//! database gives the same state root at every height and the same state.

use tamga_state::Ledger;
use tamga_types::*;

use crate::common::*;

/// Replays every block of `ch` with [`Ledger::apply_block`] on a fresh ledger;
/// asserts the root at every height and the final state and receipts.
pub fn replay_all(ch: &Chain) -> Ledger {
    let fresh = Ledger::open_in_memory().unwrap();
    fresh.init_genesis(&genesis()).unwrap();
    for (block, cert) in &ch.blocks {
        let s = fresh.apply_block(block, cert).unwrap();
        assert_eq!(s.height, block.header.height);
        assert_eq!(s.state_root, block.header.state_root, "root differs at height {}", s.height);
        assert_eq!(fresh.state_root().unwrap(), block.header.state_root);
        assert_eq!(s.receipts, ch.ledger.receipts(s.height).unwrap());
    }
    assert_eq!(fresh.height().unwrap(), ch.ledger.height().unwrap());
    assert_eq!(fresh.last_block_hash().unwrap(), ch.ledger.last_block_hash().unwrap());
    assert_eq!(fresh.dump().unwrap(), ch.ledger.dump().unwrap());
    fresh
}

/// A history touching every module.
pub fn busy_chain(ch: &mut Chain) {
    let c = ch.c.clone();
    let class = ch.class("WHT", Some(1_000_000));
    let t = vec![
        ch.tx(&c.issuer, mint(class, &c.alice, 1000)),
        ch.tx(&c.issuer, mint(class, &c.bob, 500)),
        ch.tx(&c.alice, transfer(class, &c.bob, 100)),
        ch.tx(&c.bob, transfer(class, &c.alice2, 50)),
        ch.tx(&c.issuer, freeze(class, &c.bob, Some(100))),
        ch.tx(&c.bob, transfer(class, &c.alice, 1000)), // fails
        ch.tx(&c.bob, publish_terms(TERMS)),
    ];
    ch.block(t);
    let rec = ch.record(c.alice.public());
    let t = vec![
        ch.tx(&c.alice, Payload::TransferRecord { record: rec, to: c.bob.public() }),
        ch.tx(&c.bob, Payload::Redeem { class, amount: 10, right: 1 }),
        ch.tx(
            &c.miner,
            Payload::SubmitMiningNotification {
                kind: MiningNotificationKind::Start,
                previous: None,
                site: site(Region::Pavlodar, 500, 10),
            },
        ),
        ch.tx(
            &c.alice,
            Payload::CreateEscrow {
                payee: c.bob.public(),
                arbiter: c.reg.public(),
                asset: EscrowAsset::Tokens { class, amount: 30 },
                terms_hash: terms_hash(),
                deadline_height: 50,
            },
        ),
    ];
    ch.block(t);
    let t = vec![
        ch.tx(
            &c.reg_mining,
            Payload::ReviewMiningNotification { notification: MiningNotificationId(1), accept: true, reason: None },
        ),
        ch.tx(&c.alice, Payload::ReleaseEscrow { escrow: EscrowId(1) }),
        ch.tx(&c.reg, Payload::SetParameter { change: ParameterChange::MaxBlockTxs(5000) }),
    ];
    ch.block(t);
    let ev = equivocation(&c.validators[2], 1);
    ch.block_with_evidence(vec![], vec![ev]);
}

#[test]
fn replay_gives_the_same_root_at_every_height() {
    let mut ch = Chain::new();
    busy_chain(&mut ch);
    assert!(ch.ledger.height().unwrap() >= 5);
    replay_all(&ch);
}

#[test]
fn replay_on_disk_matches_in_memory() {
    let mut ch = Chain::new();
    busy_chain(&mut ch);
    let dir = tempfile::tempdir().unwrap();
    {
        let disk = Ledger::open(dir.path()).unwrap();
        disk.init_genesis(&genesis()).unwrap();
        for (b, c) in &ch.blocks {
            assert_eq!(disk.apply_block(b, c).unwrap().state_root, b.header.state_root);
        }
    }
    let reopened = Ledger::open(dir.path()).unwrap();
    assert_eq!(reopened.state_root().unwrap(), ch.ledger.state_root().unwrap());
    assert_eq!(reopened.dump().unwrap(), ch.ledger.dump().unwrap());
    // Genesis is idempotent for the same value, refused for another.
    reopened.init_genesis(&genesis()).unwrap();
    let mut other = genesis();
    other.chain_id = "other".into();
    assert!(matches!(reopened.init_genesis(&other), Err(tamga_state::StateError::GenesisMismatch { .. })));
}

#[test]
fn apply_block_rejects_a_wrong_state_root() {
    let mut ch = Chain::new();
    busy_chain(&mut ch);
    let fresh = Ledger::open_in_memory().unwrap();
    fresh.init_genesis(&genesis()).unwrap();
    let (mut block, _) = ch.blocks[0].clone();
    block.header.state_root = Hash::digest(b"x", b"y");
    let cert = certify(&fresh, &ch.c.validators, &block);
    let err = fresh.apply_block(&block, &cert).unwrap_err();
    assert!(matches!(err, tamga_state::StateError::CommitMismatch(_)), "{err}");
    assert_eq!(fresh.height().unwrap(), 0);
}

/// Genesis is validated before anything is written (SPEC §1.9, §1.11, §9).
#[test]
fn invalid_genesis_is_refused_and_writes_nothing() {
    let c = cast();
    type Edit = Box<dyn Fn(&mut Genesis)>;
    let cases: Vec<(&str, Edit)> = vec![
        ("empty chain id", Box::new(|g| g.chain_id.clear())),
        ("no validators", Box::new(|g| g.validators.clear())),
        ("zero power", Box::new(|g| g.validators[0].power = 0)),
        ("operator out of range", Box::new(|g| g.validators[0].operator = PartyId(99))),
        ("validator key is an account", Box::new(move |g| g.parties[4].accounts.push(c.validators[1].public()))),
        ("key twice", Box::new(|g| g.parties[4].accounts = g.parties[3].accounts.clone())),
        ("weak key", Box::new(|g| g.parties[4].accounts = vec![PublicKey([0; 32])])),
        ("no accounts", Box::new(|g| g.parties[4].accounts.clear())),
        ("identifier twice", Box::new(|g| g.parties[4].id_commitment = g.parties[3].id_commitment)),
        ("display name of an individual", Box::new(|g| g.parties[4].display_name = Some("Bob".into()))),
        ("no block room", Box::new(|g| g.params.max_block_txs = 0)),
        ("block too big", Box::new(|g| g.params.max_block_txs = limits::MAX_BLOCK_TXS as u32 + 1)),
        ("zero delay", Box::new(|g| g.params.validator_change_delay = 0)),
        ("decentralized", Box::new(|g| g.network_type = NetworkType::Decentralized)),
    ];
    for (what, f) in cases {
        let mut g = genesis();
        f(&mut g);
        let l = Ledger::open_in_memory().unwrap();
        let err = l.init_genesis(&g).unwrap_err();
        assert!(matches!(err, tamga_state::StateError::InvalidGenesis(_)), "{what}: {err}");
        assert!(l.dump().unwrap().is_empty(), "{what}: nothing written");
        assert_eq!(l.chain_info().unwrap_err(), tamga_state::StateError::NoGenesis);
    }
}

/// The read side the API serves (SPEC §11): views agree with the state.
#[test]
fn queries_reflect_the_state() {
    let mut ch = Chain::new();
    busy_chain(&mut ch);
    let c = ch.c.clone();
    let l = &ch.ledger;
    let class = l.classes().unwrap()[0].clone();
    assert_eq!(l.classes_by_issuer(ISSUER).unwrap(), vec![class.clone()]);
    assert!(l.classes_by_issuer(BOB).unwrap().is_empty());
    // Balances and holders agree with holdings and the supply.
    let holders = l.holders(class.id).unwrap();
    assert_eq!(holders.iter().map(|h| h.amount).sum::<u128>(), class.supply);
    for h in &holders {
        let b = l.balances(&h.account).unwrap();
        assert_eq!(b.len(), 1);
        assert_eq!((b[0].class, b[0].symbol.as_str(), b[0].amount, b[0].frozen), (class.id, "WHT", h.amount, h.frozen));
        assert_eq!(b[0].free, h.amount - h.frozen);
        assert_eq!(h.party, Some(l.account(&h.account).unwrap().unwrap().party));
    }
    // Roles.
    let roles = |p| l.party(p).unwrap().unwrap().roles;
    assert_eq!(roles(REG), ["participant", "regulator"]);
    assert_eq!(roles(ISSUER), ["participant", "issuer"]);
    assert_eq!(roles(MINER), ["participant", "miner"]);
    assert!(l.party(PartyId(99)).unwrap().is_none());
    assert_eq!(l.parties().unwrap().len(), 7);
    // Escrows by each of their parties; records by holder; evidence; activity.
    let e = l.escrows().unwrap();
    assert_eq!(e.len(), 1);
    for p in [ALICE, BOB, REG] {
        assert_eq!(l.escrows_by_party(p).unwrap(), e);
    }
    assert!(l.escrows_by_party(MINER).unwrap().is_empty());
    assert_eq!(l.records_by_holder(&c.bob.public()).unwrap().len(), 1);
    assert_eq!(l.evidence().unwrap().len(), 1);
    assert_eq!(l.activity_notifications(None).unwrap().len(), 1, "the genesis issuer's accepted start");
    // Every committed transaction is findable with its block position.
    for (b, _) in &ch.blocks {
        let rs = l.receipts(b.header.height).unwrap();
        assert_eq!(rs.len(), b.txs.len());
        for (i, t) in b.txs.iter().enumerate() {
            let v = l.transaction(&t.hash()).unwrap().unwrap();
            assert_eq!((&v.tx, v.receipt.height, v.receipt.index as usize), (t, b.header.height, i));
        }
    }
    assert!(l.transaction(&Hash::digest(b"no", b"tx")).unwrap().is_none());
    let info = l.chain_info().unwrap();
    assert_eq!((info.chain_id.as_str(), info.genesis_hash), (CHAIN, genesis().hash()));
}
