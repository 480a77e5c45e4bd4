//! Pruning of old state-tree versions (`[storage] retain_state_versions`,
//! SPEC §10): proofs below the oldest kept version are refused with
//! `StatePruned`, kept versions prove against their certified roots, and the
//! receipt bundle of every committed transaction still verifies offline
//! (SPEC §1.8) from the account proofs kept at commit.

use jmt::{KeyHash, RootHash};
use tamga_contract::bundle::{
    verify_bundle, AccountProof, BlockCommitment, Commitment, ReceiptBundle, SignerParty, BUNDLE_VERSION,
};
use tamga_state::{keys, Ledger, StateError};
use tamga_types::*;

use crate::common::*;

/// The receipt bundle of the committed transaction `tx`, assembled as the
/// node's `GET /v1/txs/{hash}/bundle` does (no validator-set change here).
fn bundle(ledger: &Ledger, tx: &Hash) -> ReceiptBundle {
    let v = ledger.transaction(tx).unwrap().expect("committed");
    let h = v.receipt.height;
    let block = ledger.block(h).unwrap().unwrap();
    let cert = ledger.certificate(h).unwrap().unwrap();
    let (value, proof) = ledger.signer_account_proof(&v.tx.tx.signer, h).unwrap();
    let account = AccountProof {
        value: value.map(|v| BoundedVec::new(v).unwrap()),
        proof: BoundedVec::new(borsh::to_vec(&proof).unwrap()).unwrap(),
    };
    let receipts = ledger.receipts(h).unwrap();
    let c = BlockCommitment::new(&block, cert, &receipts, v.receipt.index as usize, vec![], account).unwrap();
    ReceiptBundle {
        version: BUNDLE_VERSION,
        genesis_hash: genesis().hash(),
        tx: v.tx,
        receipt: v.receipt,
        commitment: Commitment::Block(Box::new(c)),
    }
}

fn pruned_chain(dir: &std::path::Path, retain: u64, max_deletes: u64) -> Chain {
    let ledger = Ledger::open(dir).unwrap();
    ledger.set_pruning(retain, max_deletes).unwrap();
    Chain::with_ledger(ledger)
}

#[test]
fn pruned_heights_are_refused_kept_ones_verify() {
    let dir = tempfile::tempdir().unwrap();
    let mut ch = pruned_chain(dir.path(), 3, Ledger::DEFAULT_PRUNE_DELETES_PER_BLOCK);
    // The same blocks on a ledger that keeps every version.
    let c = ch.c.clone();
    let class = ch.class("WHT", None);
    ch.ok(&c.issuer, mint(class, &c.alice, 1_000));
    for _ in 0..8 {
        ch.ok(&c.alice, transfer(class, &c.bob, 1));
        ch.ok(&c.bob, transfer(class, &c.alice, 1));
    }
    let now = ch.ledger.height().unwrap();
    let oldest = ch.ledger.oldest_state_version().unwrap();
    assert_eq!(oldest, now + 1 - 3, "the window keeps the last 3 versions");
    assert!(ch.ledger.pruned_entries() > 0, "stale nodes and values were removed");
    let k = keys::holding(class.0, &c.alice.public());
    for h in 1..oldest {
        match ch.ledger.get_with_proof(&k, h) {
            Err(StateError::StatePruned { height, oldest: o }) => assert_eq!((height, o), (h, oldest)),
            other => panic!("height {h}: expected StatePruned, got {other:?}"),
        }
    }
    for h in oldest..=now {
        let root = RootHash(ch.blocks[h as usize - 1].0.header.state_root.0);
        let (v, proof) = ch.ledger.get_with_proof(&k, h).unwrap();
        proof.verify(root, KeyHash::with::<sha2::Sha256>(&k), v.as_ref()).unwrap();
        assert!(v.is_some());
    }
    let err = ch.ledger.get_with_proof(&k, 1).unwrap_err();
    assert!(!err.is_fault(), "a refusal, not a storage fault");
    assert!(err.to_string().contains(&format!("oldest height with state proofs is {oldest}")), "{err}");

    // Pruning changes no root: replaying the blocks on a ledger that keeps
    // every version gives the same roots, and the same state.
    let full = Chain::new();
    for (b, cert) in &ch.blocks {
        full.ledger.apply_block(b, cert).unwrap();
    }
    assert_eq!(full.ledger.state_root().unwrap(), ch.ledger.state_root().unwrap());
    assert_eq!(full.ledger.dump().unwrap(), ch.ledger.dump().unwrap());
    assert!(full.ledger.get_with_proof(&k, 1).is_ok());
}

#[test]
fn bundles_of_pruned_heights_verify_offline_after_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let mut ch = pruned_chain(dir.path(), 2, Ledger::DEFAULT_PRUNE_DELETES_PER_BLOCK);
    let c = ch.c.clone();
    let class = ch.class("WHT", None);
    ch.ok(&c.issuer, mint(class, &c.alice, 1_000));
    // Two signers in one block, then a failed transaction (a bundle too).
    let t1 = ch.tx(&c.alice, transfer(class, &c.bob, 5));
    let t2 = ch.tx(&c.issuer, mint(class, &c.bob, 7));
    ch.block(vec![t1.clone(), t2.clone()]);
    let early = ch.ledger.height().unwrap();
    let before = ch.ledger.get_with_proof(&keys::account(&c.alice.public()), early).unwrap();
    let bad = ch.tx(&c.bob, transfer(class, &c.alice, 1_000_000));
    let r = ch.block(vec![bad.clone()]);
    assert!(!r[0].is_success());
    for _ in 0..5 {
        ch.ok(&c.alice, transfer(class, &c.bob, 1));
    }
    assert!(ch.ledger.oldest_state_version().unwrap() > early + 1, "both early heights are pruned");
    assert!(matches!(
        ch.ledger.get_with_proof(&keys::account(&c.alice.public()), early),
        Err(StateError::StatePruned { .. })
    ));
    // The kept proof is byte for byte the one the tree gave at commit.
    let kept = ch.ledger.signer_account_proof(&c.alice.public(), early).unwrap();
    assert_eq!(borsh::to_vec(&kept).unwrap(), borsh::to_vec(&before).unwrap());
    let check = |ledger: &Ledger| {
        for (tx, party) in [(&t1, PartyId(4)), (&t2, PartyId(3))] {
            let got = verify_bundle(&bundle(ledger, &tx.hash()), &genesis()).unwrap();
            assert_eq!(got.height, early);
            assert!(
                matches!(got.signer_party, SignerParty::StateProof { party: p, .. } if p == party),
                "{:?}",
                got.signer_party
            );
        }
        verify_bundle(&bundle(ledger, &bad.hash()), &genesis()).unwrap();
    };
    check(&ch.ledger);
    // A bundle whose account proof is tampered with does not verify.
    let mut b = bundle(&ch.ledger, &t1.hash());
    if let Commitment::Block(c) = &mut b.commitment {
        let mut p = c.signer_account.proof.to_vec();
        let last = p.len() - 1;
        p[last] ^= 1;
        c.signer_account.proof = BoundedVec::new(p).unwrap();
    }
    assert!(verify_bundle(&b, &genesis()).is_err());

    // Reopened, the ledger goes on pruning from where it stopped and the
    // bundles still verify.
    let blocks = std::mem::take(&mut ch.blocks);
    let time = ch.time;
    drop(ch);
    let ledger = Ledger::open(dir.path()).unwrap();
    ledger.set_pruning(2, Ledger::DEFAULT_PRUNE_DELETES_PER_BLOCK).unwrap();
    let mut ch = Chain::with_ledger(ledger);
    ch.blocks = blocks;
    ch.time = time;
    for _ in 0..3 {
        ch.ok(&c.bob, transfer(class, &c.alice, 1));
    }
    check(&ch.ledger);
    let now = ch.ledger.height().unwrap();
    assert_eq!(ch.ledger.oldest_state_version().unwrap(), now - 1);
}

/// Pruning turned on for a chain that kept every version: the account
/// proofs of the heights already committed are stored first, so their
/// bundles outlive the versions; deletions per commit stay under the bound.
#[test]
fn turning_pruning_on_later_keeps_earlier_bundles_and_bounds_each_commit() {
    let dir = tempfile::tempdir().unwrap();
    let mut ch = pruned_chain(dir.path(), 0, Ledger::DEFAULT_PRUNE_DELETES_PER_BLOCK);
    let c = ch.c.clone();
    let class = ch.class("WHT", None);
    let first = ch.tx(&c.issuer, mint(class, &c.alice, 1_000));
    ch.block(vec![first.clone()]);
    ch.ok(&c.alice, transfer(class, &c.bob, 1));
    assert_eq!(ch.ledger.oldest_state_version().unwrap(), 0);
    ch.ledger.set_pruning(2, 3).unwrap();
    let mut removed = ch.ledger.pruned_entries();
    for _ in 0..12 {
        ch.ok(&c.alice, transfer(class, &c.bob, 1));
        let now = ch.ledger.pruned_entries();
        assert!(now - removed <= 3, "at most 3 deletions per commit, got {}", now - removed);
        removed = now;
    }
    assert!(removed > 0);
    let h = ch.ledger.transaction(&first.hash()).unwrap().unwrap().receipt.height;
    assert!(h < ch.ledger.oldest_state_version().unwrap());
    verify_bundle(&bundle(&ch.ledger, &first.hash()), &genesis()).unwrap();
}
