//! Test harness: a one-validator chain with a fixed cast of parties.
#![allow(dead_code)]

use std::collections::{HashMap, HashSet};

use tamga_state::{BlockContext, ExecutedBlock, Ledger};
use tamga_types::*;

pub const CHAIN: &str = "tamga-test";
pub const T0: u64 = 1_767_225_600_000; // 2026-01-01

pub fn key(seed: u8) -> SigningKey {
    SigningKey::from_seed([seed; 32])
}

/// Party ids in the genesis below.
pub const REG: PartyId = PartyId(1); // regulator, scopes assets + mining
pub const REG_ASSETS: PartyId = PartyId(2); // regulator, assets only
pub const ISSUER: PartyId = PartyId(3); // issuer (legal entity)
pub const ALICE: PartyId = PartyId(4);
pub const BOB: PartyId = PartyId(5);
pub const MINER: PartyId = PartyId(6);

pub struct Cast {
    pub reg: SigningKey,
    pub reg_assets: SigningKey,
    pub issuer: SigningKey,
    pub alice: SigningKey,
    pub alice2: SigningKey,
    pub bob: SigningKey,
    pub miner: SigningKey,
    pub validator: SigningKey,
}

pub fn cast() -> Cast {
    Cast {
        reg: key(1),
        reg_assets: key(2),
        issuer: key(3),
        alice: key(4),
        alice2: key(14),
        bob: key(5),
        miner: key(6),
        validator: key(100),
    }
}

fn gp(kind: PartyKind, n: u8, accounts: Vec<PublicKey>, scopes: Vec<Scope>, issuer: bool) -> GenesisParty {
    GenesisParty {
        kind,
        id_commitment: Hash::digest(b"test", &[n]),
        display_name: (kind == PartyKind::LegalEntity).then(|| format!("Party {n}")),
        accounts,
        regulator_scopes: scopes,
        issuer,
    }
}

pub fn genesis() -> Genesis {
    let c = cast();
    Genesis {
        chain_id: CHAIN.into(),
        genesis_time_ms: T0,
        regulation_hash: Hash::digest(b"reg", b"v1"),
        network_type: NetworkType::CentrallyDistributed,
        params: Params::default(),
        parties: vec![
            gp(PartyKind::LegalEntity, 1, vec![c.reg.public()], vec![Scope::Assets, Scope::Mining], false),
            gp(PartyKind::LegalEntity, 2, vec![c.reg_assets.public()], vec![Scope::Assets], false),
            gp(PartyKind::LegalEntity, 3, vec![c.issuer.public()], vec![], true),
            gp(PartyKind::Individual, 4, vec![c.alice.public(), c.alice2.public()], vec![], false),
            gp(PartyKind::Individual, 5, vec![c.bob.public()], vec![], false),
            gp(PartyKind::LegalEntity, 6, vec![c.miner.public()], vec![], false),
        ],
        validators: vec![GenesisValidator { key: c.validator.public(), power: 10, operator: PartyId(6), p2p_address: None }],
    }
}

pub struct Chain {
    pub ledger: Ledger,
    pub c: Cast,
    pub time: u64,
    pending: HashMap<PublicKey, u64>,
}

impl Chain {
    pub fn new() -> Chain {
        Self::with_ledger(Ledger::open_in_memory().expect("open"))
    }

    pub fn with_ledger(ledger: Ledger) -> Chain {
        ledger.init_genesis(&genesis()).expect("genesis");
        let time = ledger.last_time_ms().expect("time");
        Chain { ledger, c: cast(), time, pending: HashMap::new() }
    }

    /// Signs a payload with the key's next nonce (counting txs not yet in a block).
    pub fn tx(&mut self, k: &SigningKey, payload: Payload) -> SignedTransaction {
        let pk = k.public();
        let n = self.pending.entry(pk).or_insert_with(|| self.ledger.nonce(&pk).expect("nonce"));
        let nonce = *n;
        *n += 1;
        sign_tx(k, nonce, payload)
    }

    pub fn ctx(&self) -> BlockContext {
        BlockContext {
            height: self.ledger.height().expect("h") + 1,
            time_ms: self.time + 1000,
            proposer: self.c.validator.public(),
        }
    }

    pub fn execute(&self, txs: &[SignedTransaction]) -> ExecutedBlock {
        self.ledger.execute(&self.ctx(), txs, &[], &HashSet::new()).expect("block valid")
    }

    /// Executes, certifies and commits a block; returns its receipts.
    pub fn block(&mut self, txs: Vec<SignedTransaction>) -> Vec<Receipt> {
        self.block_with_evidence(txs, vec![])
    }

    pub fn block_with_evidence(&mut self, txs: Vec<SignedTransaction>, evidence: Vec<Evidence>) -> Vec<Receipt> {
        let ctx = self.ctx();
        let ex = self.ledger.execute(&ctx, &txs, &evidence, &HashSet::new()).expect("block valid");
        let receipts = ex.receipts.clone();
        let block = Block {
            header: ex.header(0),
            txs: BoundedVec::new(txs).expect("bounded"),
            evidence: BoundedVec::new(evidence).expect("bounded"),
        };
        let cert = certify(&self.ledger, &self.c.validator, &block);
        self.ledger.commit(&block, &cert, ex).expect("commit");
        self.time = ctx.time_ms;
        self.pending.clear();
        receipts
    }

    /// One transaction in its own block.
    pub fn run(&mut self, k: &SigningKey, payload: Payload) -> Receipt {
        let t = self.tx(k, payload);
        self.block(vec![t]).remove(0)
    }

    /// Runs and asserts success.
    pub fn ok(&mut self, k: &SigningKey, payload: Payload) -> Receipt {
        let r = self.run(k, payload.clone());
        assert!(r.is_success(), "{} failed: {:?}", payload.kind_name(), r.outcome);
        r
    }

    /// Runs and asserts failure with `code`.
    pub fn fails(&mut self, k: &SigningKey, payload: Payload, code: &str) -> String {
        let r = self.run(k, payload.clone());
        match r.outcome {
            TxOutcome::Failed { code: got, message } => {
                assert_eq!(got, code, "{}: {message}", payload.kind_name());
                message
            }
            TxOutcome::Success => panic!("{} unexpectedly succeeded, expected {code}", payload.kind_name()),
        }
    }

    /// Creates a class of the issuer with an optional cap; returns its id.
    pub fn class(&mut self, symbol: &str, cap: Option<u128>) -> ClassId {
        let before = self.ledger.classes().expect("classes").len();
        let issuer = self.c.issuer.clone();
        self.ok(&issuer, create_class(symbol, cap));
        let classes = self.ledger.classes().expect("classes");
        assert_eq!(classes.len(), before + 1);
        classes.last().expect("class").id
    }
}

pub fn sign_tx(k: &SigningKey, nonce: u64, payload: Payload) -> SignedTransaction {
    Transaction { chain_id: ChainId::new(CHAIN).expect("id"), signer: k.public(), nonce, payload, memo: None }.sign(k)
}

pub fn certify(ledger: &Ledger, v: &SigningKey, block: &Block) -> Certificate {
    let set = ledger.validators_at(block.header.height).expect("set");
    let data = VoteData { kind: VoteKind::Precommit, height: block.header.height, round: 0, block_hash: block.hash() };
    let vote = Vote::sign(v, CHAIN, data.clone());
    Certificate::from_votes(data, &set, [&vote])
}

pub fn text(s: &str) -> Text {
    Text::new(s).expect("text")
}

pub fn short(s: &str) -> ShortText {
    ShortText::new(s).expect("short")
}

pub fn create_class(symbol: &str, cap: Option<u128>) -> Payload {
    Payload::CreateClass {
        symbol: short(symbol),
        name: short("Wheat delivery"),
        decimals: 2,
        supply_cap: cap,
        rights: BoundedVec::new(vec![Right { kind: RightKind::Goods, description: text("1 tonne of wheat") }])
            .expect("rights"),
        document_hash: Hash::digest(b"doc", symbol.as_bytes()),
        document_uri: text("https://example.kz/doc"),
        redemption_terms: text("delivery at the elevator"),
    }
}

pub fn site(region: Region, capacity_kw: u64, units: u32) -> MiningSite {
    MiningSite {
        region,
        address: text("Industrial zone 1"),
        capacity_kw,
        units,
        hashrate_ths: 1000,
        energy: EnergySource::Grid,
        pool: None,
        start_date: Date { year: 2026, month: 1, day: 15 },
    }
}

pub fn object(desc: &str) -> RecordObject {
    RecordObject { kind: ObjectKind::Goods, description: text(desc), external_ref: None, document_hash: None }
}
