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
