//! Disk use per committed transfer: commits transfers through the ledger
//! into a fresh RocksDB (four validators, `ACCOUNTS` funded holders, blocks of
//! `BLOCK` transfers, each with its commit certificate), compacts every
//! column family, and prints the size of the data directory and of each
//! column family's table files, before the transfers (after genesis and the
//! funding block, compacted) and after them, with the difference per
//! transfer. With `RETAIN` > 0 old state-tree versions beyond that window are
//! pruned as a node with `[storage] retain_state_versions = RETAIN` prunes them.
//!
//! `cargo run -p tamga-state --example disk_use --profile ci [TRANSFERS] [BLOCK] [ACCOUNTS] [RETAIN]`
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use tamga_state::{BlockContext, Ledger};
use tamga_types::*;

const CHAIN: &str = "bench";

fn tx(k: &SigningKey, nonce: u64, payload: Payload) -> SignedTransaction {
    Transaction { chain_id: ChainId::new(CHAIN).unwrap(), signer: k.public(), nonce, payload, memo: None }.sign(k)
}

fn dir_bytes(p: &Path) -> u64 {
    std::fs::read_dir(p)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let m = e.metadata().unwrap();
            if m.is_dir() {
                dir_bytes(&e.path())
            } else {
                m.len()
            }
        })
        .sum()
}

fn sizes(ledger: &Ledger, dir: &Path) -> (u64, BTreeMap<&'static str, u64>) {
    ledger.compact_all().unwrap();
    let cfs = ledger.cf_sizes().unwrap().into_iter().map(|(n, sst, mem)| (n, sst + mem)).collect();
    (dir_bytes(dir), cfs)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut arg = |d: usize| args.next().and_then(|a| a.parse().ok()).unwrap_or(d);
    let transfers = arg(50_000);
    let per_block = arg(500);
    let accounts = arg(10_000);
    let retain = arg(0) as u64;
    let seed = |i: u32| {
        let mut s = [0u8; 32];
        s[..4].copy_from_slice(&i.to_be_bytes());
        s[31] = 7;
        SigningKey::from_seed(s)
    };
    let validators: Vec<SigningKey> = (0..4).map(|i| seed(1_000_000 + i)).collect();
    let holders: Vec<SigningKey> = (0..accounts as u32).map(seed).collect();
    let issuer = seed(2_000_000);
    let mut parties = vec![GenesisParty {
        kind: PartyKind::LegalEntity,
        id_commitment: Hash::digest(b"bench", b"issuer"),
        display_name: Some("Issuer".into()),
        accounts: vec![issuer.public()],
        regulator_scopes: vec![Scope::Assets],
        issuer: true,
    }];
    parties.extend(holders.iter().enumerate().map(|(i, k)| GenesisParty {
        kind: PartyKind::Individual,
        id_commitment: Hash::digest(b"bench", &(i as u64).to_be_bytes()),
        display_name: None,
        accounts: vec![k.public()],
        regulator_scopes: vec![],
        issuer: false,
    }));
    let genesis = Genesis {
        chain_id: CHAIN.into(),
        genesis_time_ms: 1_767_225_600_000,
        regulation_hash: Hash::ZERO,
        network_type: NetworkType::CentrallyDistributed,
        params: Params { max_block_txs: 20_000, ..Params::default() },
        parties,
        validators: validators
            .iter()
            .map(|v| GenesisValidator {
                key: v.public(),
                power: 1,
                operator: PartyId(1),
                p2p_address: None,
                p2p_key: v.public(),
            })
            .collect(),
        transactions: vec![],
    };
    let dir = tempfile::tempdir().unwrap();
    let ledger = Ledger::open(dir.path()).unwrap();
    ledger.set_pruning(retain, Ledger::DEFAULT_PRUNE_DELETES_PER_BLOCK).unwrap();
    ledger.init_genesis(&genesis).unwrap();
    let mut nonces = vec![0u64; accounts];
    let mut time = genesis.genesis_time_ms;
    let mut run = |txs: Vec<SignedTransaction>| {
        let h = ledger.height().unwrap() + 1;
        time += 1000;
        let set = ledger.validators_at(h).unwrap();
        let ctx = BlockContext { height: h, time_ms: time, proposer: set.validators[0].key };
        let pre: HashSet<Hash> = txs.iter().map(|t| t.hash()).collect();
        let ex = ledger.execute(&ctx, &txs, &[], &pre).unwrap();
        assert!(ex.receipts.iter().all(|r| r.is_success()), "{:?}", ex.receipts.iter().find(|r| !r.is_success()));
        let block = Block { header: ex.header(0), txs: BoundedVec::new(txs).unwrap(), evidence: Default::default() };
        let data = VoteData { kind: VoteKind::Precommit, height: h, round: 0, block_hash: block.hash() };
        let votes: Vec<Vote> = validators.iter().map(|v| Vote::sign(v, CHAIN, data.clone())).collect();
        let cert = Certificate::from_votes(data, &set, &votes);
        ledger.commit(&block, &cert, ex).unwrap();
    };
    let create = Payload::CreateClass {
        symbol: ShortText::new("WHT").unwrap(),
        name: ShortText::new("Wheat").unwrap(),
        decimals: 0,
        supply_cap: None,
        rights: BoundedVec::new(vec![Right { kind: RightKind::Goods, description: Text::new("wheat").unwrap() }])
            .unwrap(),
        document_hash: Hash::ZERO,
        document_uri: Text::new("https://example.kz").unwrap(),
        redemption_terms: Text::new("elevator").unwrap(),
    };
    run(vec![tx(&issuer, 0, create)]);
    let class = ClassId(1);
    for (c, chunk) in holders.chunks(per_block.max(1)).enumerate() {
        let base = 1 + c * per_block.max(1);
        let mints = chunk
            .iter()
            .enumerate()
            .map(|(i, h)| tx(&issuer, (base + i) as u64, Payload::Mint { class, to: h.public(), amount: 1_000_000 }))
            .collect();
        run(mints);
    }
    let (before, cf_before) = sizes(&ledger, dir.path());
    let mut done = 0usize;
    let mut b = 0usize;
    while done < transfers {
        let n = per_block.min(transfers - done);
        let txs: Vec<_> = (0..n)
            .map(|i| {
                let from = (b * per_block + i) % accounts;
                let to = (from + 1 + i % 7) % accounts;
                nonces[from] += 1;
                tx(&holders[from], nonces[from] - 1, Payload::Transfer { class, to: holders[to].public(), amount: 1 })
            })
            .collect();
        run(txs);
        done += n;
        b += 1;
    }
    let (after, cf_after) = sizes(&ledger, dir.path());
    println!(
        "{transfers} transfers in {b} blocks of {per_block}, {accounts} holders, retain_state_versions = {retain}, \
         height {}, oldest proof height {}",
        ledger.height().unwrap(),
        ledger.oldest_state_version().unwrap()
    );
    println!("{:<16} {:>14} {:>14} {:>12}", "column family", "before (B)", "after (B)", "B/transfer");
    for (name, a) in &cf_after {
        let bf = cf_before.get(name).copied().unwrap_or(0);
        println!("{name:<16} {bf:>14} {a:>14} {:>12.1}", (*a as f64 - bf as f64) / transfers as f64);
    }
    println!(
        "{:<16} {before:>14} {after:>14} {:>12.1}",
        "data/ (all files)",
        (after as f64 - before as f64) / transfers as f64
    );
}
