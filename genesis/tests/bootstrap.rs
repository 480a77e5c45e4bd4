//! The bootstrap transactions really execute: the generated genesis, which
//! carries them as genesis transactions, is applied by `tamga-state` and every
//! one gets a Success receipt at height 0.
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
    assert_eq!(t.genesis.transactions, txs, "the bootstrap is the genesis's transactions");

    let ledger = Ledger::open_in_memory().expect("ledger");
    ledger.init_genesis(&t.genesis).expect("the state machine accepts the generated genesis");
    for (i, tx) in txs.iter().enumerate() {
        let view = ledger.transaction(&tx.hash()).expect("query").expect("genesis tx is findable");
        assert!(view.receipt.is_success(), "tx {i} failed: {:?}", view.receipt.outcome);
        assert_eq!((view.receipt.height, view.receipt.index as usize), (0, i));
        assert_eq!(&view.tx, tx);
    }
    let r = |i: usize| ledger.receipt(&txs[i].hash()).unwrap().unwrap();
    assert_eq!(r(4).events[0].kind, "class_created");
    assert_eq!(r(1004).events[0].kind, "minted");
    // Applying the same genesis again is a no-op; the genesis value is kept.
    ledger.init_genesis(&t.genesis).expect("idempotent");
    assert_eq!(ledger.genesis().unwrap().as_ref(), Some(&t.genesis));
}

/// A genesis transaction that fails (here: a mint before the issuer is
/// accepted) makes the whole genesis invalid, naming the transaction.
#[test]
fn failing_genesis_transaction_is_refused() {
    let mut t = generate(&TestnetOptions { participants: 2, ..TestnetOptions::default() }).expect("valid");
    t.genesis.transactions.swap(1, 6);
    let ledger = Ledger::open_in_memory().expect("ledger");
    let err = ledger.init_genesis(&t.genesis).expect_err("refused").to_string();
    assert!(err.contains("transactions[1]"), "{err}");
    assert_eq!(ledger.height().ok(), Some(0));
    assert!(ledger.genesis().unwrap().is_none(), "nothing written");
}

/// The genesis state has the roles, class and balances a load test relies
/// on, and a participant can transfer in block 1, committed with a commit
/// certificate of the generated validators.
#[test]
fn bootstrap_state_is_what_load_tests_expect() {
    use tamga_types::{
        Block, BlockHeader, BoundedVec, Certificate, ChainId, Payload, Transaction, Vote, VoteData, VoteKind,
    };
    let t = generate(&TestnetOptions { participants: 3, ..TestnetOptions::default() }).expect("valid");
    let ledger = Ledger::open_in_memory().expect("ledger");
    ledger.init_genesis(&t.genesis).expect("genesis");
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
    let ctx =
        BlockContext { height: 1, time_ms: t.genesis.genesis_time_ms + 1_000, proposer: t.validators[1].key.public() };
    let executed = ledger.execute(&ctx, std::slice::from_ref(&transfer), &[], &HashSet::new()).expect("executes");
    assert!(executed.receipts[0].is_success(), "{:?}", executed.receipts[0].outcome);
    let header: BlockHeader = executed.header(0);
    let block = Block {
        header: header.clone(),
        txs: BoundedVec::new(vec![transfer]).expect("fits"),
        evidence: BoundedVec::default(),
    };
    let data = VoteData { kind: VoteKind::Precommit, height: 1, round: 0, block_hash: header.hash() };
    let votes: Vec<Vote> = t.validators.iter().map(|v| Vote::sign(&v.key, &t.genesis.chain_id, data.clone())).collect();
    let cert = Certificate::from_votes(data, &executed.validators, &votes);
    ledger.commit(&block, &cert, executed).expect("commit");
    let h: Holding = ledger.state_entry(&keys::holding(BOOTSTRAP_CLASS.0, &b.public())).unwrap().unwrap();
    assert_eq!(h.amount, t.mint_amount + 5);
}
