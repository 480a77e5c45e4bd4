//! Transfer throughput of `execute` + `commit` on a RocksDB in a temp dir,
//! four validators, `ACCOUNTS` holders, blocks of `BLOCK` transfers, every
//! signature verified (as in sync; the mempool fast path skips that).
//!
//! `cargo run -p tamga-state --example transfer_throughput --profile ci [BLOCK] [BLOCKS]`
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::HashSet;
use std::time::Instant;

use tamga_state::{BlockContext, Ledger};
use tamga_types::*;

const ACCOUNTS: usize = 1000;
const CHAIN: &str = "bench";

fn tx(k: &SigningKey, nonce: u64, payload: Payload) -> SignedTransaction {
    Transaction { chain_id: ChainId::new(CHAIN).unwrap(), signer: k.public(), nonce, payload, memo: None }.sign(k)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let per_block: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(2000);
    let blocks: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(10);
    let seed = |i: u32| {
        let mut s = [0u8; 32];
        s[..4].copy_from_slice(&i.to_be_bytes());
        s[31] = 7;
        SigningKey::from_seed(s)
    };
    let validators: Vec<SigningKey> = (0..4).map(|i| seed(1_000_000 + i)).collect();
    let holders: Vec<SigningKey> = (0..ACCOUNTS as u32).map(seed).collect();
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
    ledger.init_genesis(&genesis).unwrap();
    let mut nonces = vec![0u64; ACCOUNTS];
    let mut issuer_nonce = 0;
    let mut time = genesis.genesis_time_ms;
    let mut run = |txs: Vec<SignedTransaction>, verify: bool| -> (f64, f64) {
        let h = ledger.height().unwrap() + 1;
        time += 1000;
        let set = ledger.validators_at(h).unwrap();
        let ctx = BlockContext { height: h, time_ms: time, proposer: set.validators[0].key };
        let pre: HashSet<Hash> = if verify { HashSet::new() } else { txs.iter().map(|t| t.hash()).collect() };
        let t0 = Instant::now();
        let ex = ledger.execute(&ctx, &txs, &[], &pre).unwrap();
        assert!(ex.receipts.iter().all(|r| r.is_success()), "{:?}", ex.receipts.iter().find(|r| !r.is_success()));
        let t1 = Instant::now();
        let block = Block { header: ex.header(0), txs: BoundedVec::new(txs).unwrap(), evidence: Default::default() };
        let data = VoteData { kind: VoteKind::Precommit, height: h, round: 0, block_hash: block.hash() };
        let votes: Vec<Vote> = validators.iter().map(|v| Vote::sign(v, CHAIN, data.clone())).collect();
        let cert = Certificate::from_votes(data, &set, &votes);
        let t2 = Instant::now();
        ledger.commit(&block, &cert, ex).unwrap();
        ((t1 - t0).as_secs_f64(), t2.elapsed().as_secs_f64())
    };
    // Setup: one class, every holder funded.
    run(
        vec![tx(
            &issuer,
            0,
            Payload::CreateClass {
                symbol: ShortText::new("WHT").unwrap(),
                name: ShortText::new("Wheat").unwrap(),
                decimals: 0,
                supply_cap: None,
                rights: BoundedVec::new(vec![Right {
                    kind: RightKind::Goods,
                    description: Text::new("wheat").unwrap(),
                }])
                .unwrap(),
                document_hash: Hash::ZERO,
                document_uri: Text::new("https://example.kz").unwrap(),
                redemption_terms: Text::new("elevator").unwrap(),
            },
        )],
        false,
    );
    issuer_nonce += 1;
    let class = ClassId(1);
    let mints: Vec<_> = holders
        .iter()
        .map(|h| {
            issuer_nonce += 1;
            tx(&issuer, issuer_nonce - 1, Payload::Mint { class, to: h.public(), amount: 1_000_000 })
        })
        .collect();
    run(mints, false);
    for verify in [true, false] {
        let (mut ex_s, mut commit_s, mut n) = (0.0, 0.0, 0usize);
        for b in 0..blocks {
            let txs: Vec<_> = (0..per_block)
                .map(|i| {
                    let from = (b * per_block + i) % ACCOUNTS;
                    let to = (from + 1 + i % 7) % ACCOUNTS;
                    nonces[from] += 1;
                    tx(
                        &holders[from],
                        nonces[from] - 1,
                        Payload::Transfer { class, to: holders[to].public(), amount: 1 },
                    )
                })
                .collect();
            n += txs.len();
            let (e, c) = run(txs, verify);
            ex_s += e;
            commit_s += c;
        }
        println!(
            "{} signatures: {n} transfers in {blocks} blocks: execute {:.0} ms, commit {:.0} ms, {:.0} transfers/s",
            if verify { "verifying" } else { "pre-verified" },
            ex_s * 1e3,
            commit_s * 1e3,
            n as f64 / (ex_s + commit_s)
        );
    }
}
