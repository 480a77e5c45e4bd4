//! Backups (SPEC §12): an online checkpoint of a ledger verifies and reopens
//! with the same root and state; a damaged copy fails verification with an
//! error that says what is wrong.

use std::path::{Path, PathBuf};

use tamga_state::store::{cf, Batch, Store};
use tamga_state::{verify_backup, BackupError, Ledger};

use crate::common::*;
use crate::replay::busy_chain;

/// A ledger on disk with a history touching every module, and a checkpoint of it.
fn backed_up() -> (tempfile::TempDir, Chain, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let mut ch = Chain::with_ledger(Ledger::open(&dir.path().join("ledger")).unwrap());
    busy_chain(&mut ch);
    let out = dir.path().join("backup");
    ch.ledger.checkpoint(&out).unwrap();
    (dir, ch, out)
}

/// The largest table file of a RocksDB directory.
fn largest_sst(dir: &Path) -> PathBuf {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sst"))
        .max_by_key(|p| std::fs::metadata(p).unwrap().len())
        .expect("the checkpoint has table files (the memtable is flushed)")
}

#[test]
fn a_checkpoint_verifies_and_reopens_with_the_same_root_and_state() {
    let (_dir, mut ch, out) = backed_up();
    let height = ch.ledger.height().unwrap();
    assert!(height >= 3, "the busy chain has several blocks");
    let r = verify_backup(&out).unwrap();
    assert_eq!(r.height, height);
    assert_eq!(r.state_root, ch.ledger.state_root().unwrap());
    assert_eq!(r.block_hash, ch.ledger.last_block_hash().unwrap());
    assert_eq!(r.chain_id, ch.ledger.chain_id().unwrap());
    assert_eq!(r.entries["blocks"], height);
    assert_eq!(r.entries["certificates"], height);
    assert!(r.entries["state"] > 10 && r.bytes > 0, "{r:?}");
    // The live ledger goes on; the copy stays at the checkpoint.
    let c = ch.c.clone();
    ch.run(&c.issuer, create_class("AFTER", None));
    assert_eq!(verify_backup(&out).unwrap().height, height);
    // Restored (opened read-write as a node would), it is the ledger as it was.
    let restored = Ledger::open(&out).unwrap();
    assert_eq!(restored.height().unwrap(), height);
    assert_eq!(restored.state_root().unwrap(), ch.blocks[height as usize - 1].0.header.state_root);
    // ...and it applies the block the live ledger committed after the checkpoint to the same root.
    let (block, cert) = ch.blocks.last().unwrap();
    let s = restored.apply_block(block, cert).unwrap();
    assert_eq!(s.state_root, ch.ledger.state_root().unwrap());
    assert_eq!(restored.dump().unwrap(), ch.ledger.dump().unwrap());
}

#[test]
fn a_genesis_only_checkpoint_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let ch = Chain::with_ledger(Ledger::open(&dir.path().join("ledger")).unwrap());
    let out = dir.path().join("b");
    ch.ledger.checkpoint(&out).unwrap();
    let r = verify_backup(&out).unwrap();
    assert_eq!((r.height, r.state_root), (0, ch.ledger.state_root().unwrap()));
}

#[test]
fn checkpoint_refuses_an_existing_target() {
    let (_dir, ch, out) = backed_up();
    let e = ch.ledger.checkpoint(&out).unwrap_err().to_string();
    assert!(e.contains("exist"), "{e}");
}

#[test]
fn not_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let e = verify_backup(&dir.path().join("nope")).unwrap_err();
    assert!(matches!(&e, BackupError::NotADatabase { why, .. } if why.contains("no such directory")), "{e}");
    let e = verify_backup(dir.path()).unwrap_err();
    assert!(matches!(&e, BackupError::NotADatabase { why, .. } if why.contains("CURRENT")), "{e}");
}

#[test]
fn a_truncated_table_file_fails_verification() {
    let (_dir, _ch, out) = backed_up();
    let sst = largest_sst(&out);
    let len = std::fs::metadata(&sst).unwrap().len();
    // A checkpoint may hard-link the live file: replace it, never write through the link.
    let bytes = std::fs::read(&sst).unwrap();
    std::fs::remove_file(&sst).unwrap();
    std::fs::write(&sst, &bytes[..(len / 2) as usize]).unwrap();
    let e = verify_backup(&out).unwrap_err();
    let name = sst.file_name().unwrap().to_string_lossy().to_string();
    // RocksDB checks every table's size against its manifest when it opens.
    assert!(matches!(&e, BackupError::Open { why, .. } if why.contains(&name) && why.contains("size mismatch")), "{e}");
}

#[test]
fn a_flipped_byte_in_a_table_file_fails_verification() {
    let (_dir, _ch, out) = backed_up();
    let sst = largest_sst(&out);
    let mut bytes = std::fs::read(&sst).unwrap();
    bytes[40] ^= 0xff; // inside the first data block
    std::fs::remove_file(&sst).unwrap();
    std::fs::write(&sst, &bytes).unwrap();
    let e = verify_backup(&out).unwrap_err();
    // The open succeeds (only the footer and index are read); reading the data block fails its checksum.
    assert!(matches!(&e, BackupError::Unreadable { why, .. } if why.contains("checksum mismatch")), "{e}");
}

#[test]
fn a_changed_state_entry_fails_against_the_header_root() {
    let (_dir, _ch, out) = backed_up();
    {
        let store = Store::open(&out).unwrap();
        let (k, mut v) = store.scan(cf::STATE, b"A", None).unwrap().into_iter().next().unwrap();
        v.push(0);
        let mut b = Batch::default();
        b.put(cf::STATE, k, v);
        store.write(b).unwrap();
    }
    let e = verify_backup(&out).unwrap_err();
    assert!(matches!(e, BackupError::StateRoot { .. }), "{e}");
    assert!(e.to_string().contains("hash to root"), "{e}");
}

#[test]
fn a_missing_certificate_fails_verification() {
    let (_dir, ch, out) = backed_up();
    let h = ch.ledger.height().unwrap();
    {
        let store = Store::open(&out).unwrap();
        let mut b = Batch::default();
        b.delete(cf::CERTIFICATES, h.to_be_bytes().to_vec());
        store.write(b).unwrap();
    }
    let e = verify_backup(&out).unwrap_err();
    assert_eq!(e, BackupError::Missing { what: "certificate", height: h, committed: h }, "{e}");
}

#[test]
fn a_missing_middle_block_fails_verification() {
    let (_dir, _ch, out) = backed_up();
    {
        let store = Store::open(&out).unwrap();
        let mut b = Batch::default();
        b.delete(cf::BLOCKS, 2u64.to_be_bytes().to_vec());
        store.write(b).unwrap();
    }
    let e = verify_backup(&out).unwrap_err();
    assert!(matches!(e, BackupError::Missing { what: "block", height: 2, .. }), "{e}");
}
