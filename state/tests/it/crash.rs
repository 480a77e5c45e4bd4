//! Crash safety (SPEC §8: a block is applied atomically): a child process
//! commits blocks to an on-disk database and is SIGKILLed at random moments;
//! the reopened database holds exactly the state after the last block the
//! child reported, or after the one right after it — never a mix — and equals
//! a fresh replay of the same blocks.
//!
//! The test binary re-executes itself: the child runs this same test (exact
//! name filter) with [`CHILD_ENV`] naming the database and the block file.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime};

use tamga_state::Ledger;
use tamga_types::*;

use crate::common::*;

const CHILD_ENV: &str = "TAMGA_STATE_CRASH_CHILD";
const TEST_NAME: &str = "crash::killed_commit_leaves_old_or_new_root";
const BLOCKS: usize = 300;
const KILLS: usize = 10;

/// A deterministic chain of certified blocks with a dozen transactions each.
fn make_blocks() -> Chain {
    let mut ch = Chain::new();
    let c = ch.c.clone();
    let class = ch.class("WHT", None);
    let accts = [c.alice.clone(), c.bob.clone(), c.alice2.clone(), c.issuer.clone()];
    for i in 0..BLOCKS - 1 {
        let mut txs = vec![ch.tx(&c.issuer, mint(class, &accts[i % 3], 50))];
        for j in 0..11 {
            let (from, to) = (&accts[(i + j) % 4], &accts[(i + j + 1) % 4]);
            txs.push(ch.tx(from, transfer(class, to, (j as u128 % 7) + 1)));
        }
        if i % 25 == 0 {
            txs.push(ch.tx(&c.issuer, Payload::IssueRecord { holder: c.bob.public(), object: object("lot") }));
        }
        ch.block(txs);
    }
    ch
}

/// Child role: apply the blocks from the database's height on, printing each commit.
fn child(arg: &str) -> ! {
    let (db, file) = arg.split_once('|').expect("db|file");
    let blocks: Vec<(Block, Certificate)> = borsh::from_slice(&std::fs::read(file).expect("read")).expect("decode");
    let ledger = Ledger::open(Path::new(db)).expect("open");
    ledger.init_genesis(&genesis()).expect("genesis");
    let start = ledger.height().expect("height") as usize;
    // Straight to the file descriptor, flushed: libtest's capture only sees `print!`.
    let mut out = std::io::stdout().lock();
    for (b, cert) in &blocks[start..] {
        let s = ledger.apply_block(b, cert).expect("apply");
        writeln!(out, "committed {} {}", s.height, s.state_root).and_then(|()| out.flush()).expect("stdout");
    }
    writeln!(out, "done").and_then(|()| out.flush()).expect("stdout");
    std::process::exit(0);
}

/// A tiny xorshift generator (the seed is printed to reproduce a run).
struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[test]
fn killed_commit_leaves_old_or_new_root() {
    if let Ok(arg) = std::env::var(CHILD_ENV) {
        child(&arg);
    }
    let seed = std::env::var("TAMGA_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1);
    eprintln!("crash test seed {seed} (TAMGA_CRASH_SEED to reproduce)");
    let mut rng = Rng(seed);
    let source = make_blocks();
    let blocks = source.blocks.clone();
    let roots: Vec<Hash> =
        std::iter::once(genesis_root()).chain(blocks.iter().map(|(b, _)| b.header.state_root)).collect();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let file = dir.path().join("blocks.borsh");
    std::fs::write(&file, borsh::to_vec(&blocks).unwrap()).unwrap();
    // The mirror follows the reopened database by replaying the same blocks in memory.
    let mirror = Ledger::open_in_memory().unwrap();
    mirror.init_genesis(&genesis()).unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut killed_mid_run = 0;
    for round in 0..KILLS {
        let mut child = Command::new(&exe)
            .args([TEST_NAME, "--exact", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, format!("{}|{}", db.display(), file.display()))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            let mut last: Option<(u64, String)> = None;
            let mut done = false;
            let mut all = Vec::new();
            for line in BufReader::new(stdout).lines() {
                let line = line.unwrap();
                all.push(line.clone());
                // libtest's "test … ... " has no newline, so the first report may share its line.
                if let Some(rest) = line.find("committed ").map(|i| &line[i + "committed ".len()..]) {
                    let (h, root) = rest.split_once(' ').unwrap();
                    last = Some((h.parse().unwrap(), root.to_owned()));
                }
                done |= line.ends_with("done");
            }
            (last, done, all)
        });
        std::thread::sleep(Duration::from_millis(30 + rng.below(250)));
        child.kill().unwrap(); // SIGKILL on unix
        child.wait().unwrap();
        let (last, done, lines) = reader.join().unwrap();
        let before = mirror.height().unwrap();
        let reopened = Ledger::open(&db).unwrap();
        if reopened.chain_info().is_err() {
            // Killed before genesis was written: the database is empty, not half-initialised.
            assert!(reopened.dump().unwrap().is_empty() && last.is_none(), "round {round}: partial genesis");
            eprintln!("round {round}: killed before genesis");
            continue;
        }
        let h = reopened.height().unwrap();
        let root = reopened.state_root().unwrap();
        // Reported height r was durable; r + 1 may have been committed without being reported.
        let reported = last.as_ref().map(|(h, _)| *h).unwrap_or(before);
        assert!(
            h == reported || h == reported + 1,
            "round {round}: reopened at {h}, child reported {last:?} (before {before}); output {lines:?}"
        );
        if let Some((rh, rroot)) = &last {
            assert_eq!(rroot, &roots[*rh as usize].to_string(), "round {round}: reported root");
        }
        assert_eq!(root, roots[h as usize], "round {round}: root at reopened height {h}");
        assert!(h >= before, "committed blocks never disappear");
        if h > 0 {
            assert_eq!(reopened.block(h).unwrap().as_ref(), Some(&blocks[h as usize - 1].0));
            assert_eq!(reopened.last_block_hash().unwrap(), blocks[h as usize - 1].0.hash());
        }
        for (b, c) in &blocks[before as usize..h as usize] {
            mirror.apply_block(b, c).unwrap();
        }
        assert_eq!(
            reopened.dump().unwrap(),
            mirror.dump().unwrap(),
            "round {round}: state is exactly the replayed one"
        );
        eprintln!(
            "round {round}: killed at height {h} (reported {reported}){}",
            if done { ", child had finished" } else { "" }
        );
        killed_mid_run += usize::from(!done);
        if done {
            break;
        }
    }
    assert!(killed_mid_run > 0, "the child was never killed while committing");
    // The surviving database finishes the chain to the same final state.
    let reopened = Ledger::open(&db).unwrap();
    for (b, c) in &blocks[reopened.height().unwrap() as usize..] {
        reopened.apply_block(b, c).unwrap();
    }
    assert_eq!(reopened.state_root().unwrap(), source.ledger.state_root().unwrap());
    assert_eq!(reopened.dump().unwrap(), source.ledger.dump().unwrap());
}

fn genesis_root() -> Hash {
    Ledger::open_in_memory().unwrap().init_genesis(&genesis()).unwrap()
}
