//! SPEC §10: state values come with a JMT proof against a certified state root.

use jmt::{KeyHash, RootHash};
use tamga_state::keys;
use tamga_state::model::Holding;
use tamga_types::*;

use crate::common::*;

#[test]
fn get_with_proof_verifies_against_the_root_at_every_height() {
    let mut ch = Chain::new();
    let c = ch.c.clone();
    let class = ch.class("WHT", None);
    ch.ok(&c.issuer, mint(class, &c.alice, 100));
    let h_mint = ch.ledger.height().unwrap();
    ch.ok(&c.alice, transfer(class, &c.bob, 100)); // alice's holding is deleted
    let h_now = ch.ledger.height().unwrap();
    let root_at = |h: Height| {
        let (b, _) = &ch.blocks[h as usize - 1];
        RootHash(b.header.state_root.0)
    };
    let k = keys::holding(class.0, &c.alice.public());
    let kh = KeyHash::with::<sha2::Sha256>(&k);

    // Existence at the mint height, with the value the ledger held then.
    let (v, proof) = ch.ledger.get_with_proof(&k, h_mint).unwrap();
    let v = v.expect("alice held tokens at the mint height");
    let held: Holding = borsh::from_slice(&v).unwrap();
    assert_eq!(held.amount, 100);
    proof.verify(root_at(h_mint), kh, Some(&v)).unwrap();
    // The proof binds the value and the root.
    let mut forged = v.clone();
    forged[0] ^= 1;
    assert!(proof.verify(root_at(h_mint), kh, Some(&forged)).is_err());
    assert!(proof.verify(root_at(h_now), kh, Some(&v)).is_err());
    assert!(proof.verify(root_at(h_mint), kh, None::<Vec<u8>>).is_err());

    // Non-existence now (the holding was emptied and deleted).
    let (v, proof) = ch.ledger.get_with_proof(&k, h_now).unwrap();
    assert!(v.is_none());
    proof.verify(root_at(h_now), kh, None::<Vec<u8>>).unwrap();
    assert!(ch.ledger.state_entry::<Holding>(&k).unwrap().is_none());

    // Bob's holding now; the latest root is the ledger's root.
    let kb = keys::holding(class.0, &c.bob.public());
    let (v, proof) = ch.ledger.get_with_proof(&kb, h_now).unwrap();
    let v = v.unwrap();
    assert_eq!(Some(v.clone()), ch.ledger.state_entry::<Holding>(&kb).unwrap().map(|h| borsh::to_vec(&h).unwrap()));
    proof.verify(RootHash(ch.ledger.state_root().unwrap().0), KeyHash::with::<sha2::Sha256>(&kb), Some(&v)).unwrap();

    // Genesis state (version 0) is provable against the genesis root.
    let ka = keys::account(&c.alice.public());
    let (v, proof) = ch.ledger.get_with_proof(&ka, 0).unwrap();
    let genesis_root = tamga_state::Ledger::open_in_memory().unwrap().init_genesis(&genesis()).unwrap();
    proof.verify(RootHash(genesis_root.0), KeyHash::with::<sha2::Sha256>(&ka), v.as_ref()).unwrap();
    assert!(v.is_some());
}

/// Rule 5 (SPEC §12): the state tree counts what each issuer issued
/// (`W ‖ party`: classes and records) and how many holdings each class has
/// (`O ‖ class`), through creation, minting, transfers that empty a holding,
/// and record issuance; a record's history entries are state entries too.
#[test]
fn rule5_issuer_index_and_holder_counts_follow_every_change() {
    use tamga_state::model::{HistoryEntry, IssuerIndex};

    let mut ch = Chain::new();
    let c = ch.c.clone();
    let index = |ch: &Chain| -> Option<IssuerIndex> {
        ch.ledger.state_entry(&keys::id(keys::state::ISSUER_INDEX, ISSUER.0)).unwrap()
    };
    let holders = |ch: &Chain, class: ClassId| -> Option<u64> {
        ch.ledger.state_entry(&keys::id(keys::state::CLASS_HOLDERS, class.0)).unwrap()
    };
    assert_eq!(index(&ch), None, "nothing issued yet");
    let a = ch.class("WHT", None);
    let b = ch.class("OAT", None);
    assert_eq!(index(&ch), Some(IssuerIndex { classes: 2, records: 0 }));
    assert_eq!((holders(&ch, a), holders(&ch, b)), (Some(0), Some(0)));
    ch.ok(&c.issuer, mint(a, &c.alice, 100));
    ch.ok(&c.issuer, mint(a, &c.bob, 5));
    assert_eq!(holders(&ch, a), Some(2));
    ch.ok(&c.alice, transfer(a, &c.bob, 40));
    assert_eq!(holders(&ch, a), Some(2));
    ch.ok(&c.alice, transfer(a, &c.bob, 60)); // alice's holding is emptied and deleted
    assert_eq!(holders(&ch, a), Some(1));
    assert_eq!(holders(&ch, a), Some(ch.ledger.holders(a).unwrap().len() as u64));
    let r = ch.record(c.alice.public());
    ch.ok(&c.alice, Payload::TransferRecord { record: r, to: c.bob.public() });
    assert_eq!(index(&ch), Some(IssuerIndex { classes: 2, records: 1 }));
    let view = ch.ledger.record(r).unwrap().unwrap();
    assert_eq!(view.record.history_len, 2);
    for (seq, e) in view.history.iter().enumerate() {
        let k = keys::history(keys::state::RECORD_HISTORY, r.0, seq as u64);
        assert_eq!(ch.ledger.state_entry::<HistoryEntry>(&k).unwrap().as_ref(), Some(e));
    }
}
