//! The bootstrap transactions really execute: the generated genesis is applied
//! by `tamga-state` and every bootstrap transaction gets a Success receipt.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;

use tamga_genesis::testnet::{BOOTSTRAP_CLASS, ISSUER_PARTY, MINER_PARTY};
use tamga_genesis::{bootstrap_transactions, generate, TestnetOptions};
use tamga_state::keys;
use tamga_state::model::{ClassState, Holding, PartyState};
use tamga_state::{BlockContext, Ledger};

#[test]
fn default_devnet_bootstrap_succeeds_on_the_state_machine() {
    let t = generate(&TestnetOptions::default()).expect("valid testnet");
    let txs = bootstrap_transactions(&t).expect("bootstrap");
    assert_eq!(txs.len(), 1005);

    let ledger = Ledger::open_in_memory().expect("ledger");
    ledger.init_genesis(&t.genesis).expect("the state machine accepts the generated genesis");
    let ctx =
        BlockContext { height: 1, time_ms: t.genesis.genesis_time_ms + 1_000, proposer: t.validators[0].key.public() };
    let executed = ledger.execute(&ctx, &txs, &[], &HashSet::new()).expect("block executes");
    for r in &executed.receipts {
        assert!(r.is_success(), "tx {} failed: {:?}", r.index, r.outcome);
    }
    assert_eq!(executed.receipts.len(), txs.len());
    assert_eq!(executed.receipts[4].events[0].kind, "class_created");
    assert_eq!(executed.receipts[1004].events[0].kind, "minted");
}

/// The bootstrap block is committed with a commit certificate from the
/// generated validators; the resulting state has the roles, class and
/// balances a load test relies on, and a participant can transfer.
#[test]
fn bootstrap_state_is_what_load_tests_expect() {
    use tamga_types::{
        Block, BlockHeader, BoundedVec, Certificate, ChainId, Payload, Transaction, Vote, VoteData, VoteKind,
    };
    let t = generate(&TestnetOptions { participants: 3, ..TestnetOptions::default() }).expect("valid");
    let ledger = Ledger::open_in_memory().expect("ledger");
    ledger.init_genesis(&t.genesis).expect("genesis");
    let txs = bootstrap_transactions(&t).expect("bootstrap");
    let ctx =
        BlockContext { height: 1, time_ms: t.genesis.genesis_time_ms + 1_000, proposer: t.validators[0].key.public() };
    let executed = ledger.execute(&ctx, &txs, &[], &HashSet::new()).expect("executes");
    let header: BlockHeader = executed.header(0);
    let block =
        Block { header: header.clone(), txs: BoundedVec::new(txs).expect("fits"), evidence: BoundedVec::default() };
    let data = VoteData { kind: VoteKind::Precommit, height: 1, round: 0, block_hash: header.hash() };
    let votes: Vec<Vote> = t.validators.iter().map(|v| Vote::sign(&v.key, &t.genesis.chain_id, data.clone())).collect();
    let cert = Certificate::from_votes(data, &executed.validators, &votes);
    ledger.commit(&block, &cert, executed).expect("commit");

    let issuer: PartyState = ledger.state_entry(&keys::id(keys::state::PARTY, ISSUER_PARTY.0)).unwrap().unwrap();
    assert!(issuer.issuer, "accepted issuance notification grants the Issuer role");
    let miner: PartyState = ledger.state_entry(&keys::id(keys::state::PARTY, MINER_PARTY.0)).unwrap().unwrap();
    assert!(miner.mining_active, "accepted mining notification");
    let class: ClassState = ledger.state_entry(&keys::id(keys::state::CLASS, BOOTSTRAP_CLASS.0)).unwrap().unwrap();
    assert_eq!(class.supply, 3 * t.mint_amount);
    for p in &t.participants {
        let h: Holding = ledger.state_entry(&keys::holding(BOOTSTRAP_CLASS.0, &p.public())).unwrap().unwrap();
        assert_eq!(h.amount, t.mint_amount);
        assert_eq!(ledger.nonce(&p.public()).unwrap(), 0);
    }
    assert_eq!(ledger.nonce(&t.issuer.public()).unwrap(), 2 + 3);

    // A participant can now transfer (what the load generator does).
    let (a, b) = (&t.participants[0], &t.participants[1]);
    let transfer = Transaction {
        chain_id: ChainId::new(t.genesis.chain_id.clone()).unwrap(),
        signer: a.public(),
        nonce: 0,
        payload: Payload::Transfer { class: BOOTSTRAP_CLASS, to: b.public(), amount: 5 },
        memo: None,
    }
    .sign(a);
    let ctx = BlockContext { height: 2, time_ms: ctx.time_ms + 1_000, proposer: t.validators[1].key.public() };
    let executed = ledger.execute(&ctx, &[transfer], &[], &HashSet::new()).expect("executes");
    assert!(executed.receipts[0].is_success(), "{:?}", executed.receipts[0].outcome);
}
