//! Test harness: a tiny chain builder over a real [`Ledger`] with four
//! validators and a fixed cast of parties. Every block goes the way a node
//! takes it: `execute` → header → precommits by every validator → commit
//! certificate → `commit`. Committed blocks are kept for replay tests.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap, HashSet};

use tamga_state::model::AccountState;
use tamga_state::{keys, BlockContext, ExecutedBlock, Ledger};
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
pub const ALICE: PartyId = PartyId(4); // two accounts
pub const BOB: PartyId = PartyId(5);
pub const MINER: PartyId = PartyId(6); // operates the validators
pub const REG_MINING: PartyId = PartyId(7); // regulator, mining only

/// Number of validators (n = 3f + 1 with f = 1).
pub const VALIDATORS: usize = 4;

#[derive(Clone)]
pub struct Cast {
    pub reg: SigningKey,
    pub reg_assets: SigningKey,
    pub reg_mining: SigningKey,
    pub issuer: SigningKey,
    pub alice: SigningKey,
    pub alice2: SigningKey,
    pub bob: SigningKey,
    pub miner: SigningKey,
    /// Consensus keys, sorted as in the validator set.
    pub validators: Vec<SigningKey>,
}

pub fn cast() -> Cast {
    let mut validators: Vec<SigningKey> = (0..VALIDATORS as u8).map(|i| key(100 + i)).collect();
    validators.sort_by_key(|k| k.public());
    Cast {
        reg: key(1),
        reg_assets: key(2),
        reg_mining: key(7),
        issuer: key(3),
        alice: key(4),
        alice2: key(14),
        bob: key(5),
        miner: key(6),
        validators,
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
            gp(PartyKind::LegalEntity, 7, vec![c.reg_mining.public()], vec![Scope::Mining], false),
        ],
        validators: c
            .validators
            .iter()
            .map(|v| GenesisValidator {
                key: v.public(),
                power: 10,
                operator: MINER,
                p2p_address: None,
                p2p_key: v.public(),
            })
            .collect(),
        transactions: vec![],
    }
}

/// A ledger and the keys to drive it.
pub struct Chain {
    pub ledger: Ledger,
    pub c: Cast,
    pub time: u64,
    /// Every committed block with its certificate, from height 1.
    pub blocks: Vec<(Block, Certificate)>,
    pending: HashMap<PublicKey, u64>,
}

impl Chain {
    pub fn new() -> Chain {
        Self::with_ledger(Ledger::open_in_memory().expect("open"))
    }

    pub fn with_ledger(ledger: Ledger) -> Chain {
        ledger.init_genesis(&genesis()).expect("genesis");
        let time = ledger.last_time_ms().expect("time");
        Chain { ledger, c: cast(), time, blocks: Vec::new(), pending: HashMap::new() }
    }

    /// Signs a payload with the key's next nonce (counting txs not yet in a block).
    pub fn tx(&mut self, k: &SigningKey, payload: Payload) -> SignedTransaction {
        let pk = k.public();
        let n = self.pending.entry(pk).or_insert_with(|| self.ledger.nonce(&pk).expect("nonce"));
        let nonce = *n;
        *n += 1;
        sign_tx(k, nonce, payload)
    }

    /// The proposer of the next block (round robin over the set).
    pub fn proposer(&self) -> PublicKey {
        let h = self.ledger.height().expect("h") + 1;
        let set = self.ledger.validators_at(h).expect("set");
        set.validators[(h as usize) % set.len()].key
    }

    pub fn ctx(&self) -> BlockContext {
        BlockContext {
            height: self.ledger.height().expect("h") + 1,
            time_ms: self.time + 1000,
            proposer: self.proposer(),
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
        let cert = certify(&self.ledger, &self.c.validators, &block);
        self.ledger.commit(&block, &cert, ex).expect("commit");
        assert_eq!(self.ledger.state_root().expect("root"), block.header.state_root);
        self.blocks.push((block, cert));
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

    /// Runs alone in a block and asserts a *payload* failure with `code`
    /// (SPEC §8): the receipt is failed, the signer's nonce is spent and no
    /// other state or index entry changed. Returns the message.
    pub fn fails(&mut self, k: &SigningKey, payload: Payload, code: &str) -> String {
        let before = self.ledger.dump().expect("dump");
        let nonce = self.ledger.nonce(&k.public()).expect("nonce");
        let r = self.run(k, payload.clone());
        let message = failed_code(&r, code, payload.kind_name());
        assert_eq!(self.ledger.nonce(&k.public()).expect("nonce"), nonce + 1, "failed tx must spend its nonce");
        assert_only_changes(&before, &self.ledger.dump().expect("dump"), Some(&k.public()));
        message
    }

    /// Asserts an *envelope* refusal with `code` at the start of a block
    /// (SPEC §8): a block carrying the transaction alone is invalid, so it is
    /// never committed and nothing at all changes, not even a nonce. The
    /// chain then advances by an empty block, as it would have with the
    /// transaction left out. Returns the message.
    pub fn refused(&mut self, k: &SigningKey, nonce: u64, payload: Payload, code: &str) -> String {
        let before = self.ledger.dump().expect("dump");
        let t = sign_tx(k, nonce, payload.clone());
        let err = self.ledger.execute(&self.ctx(), std::slice::from_ref(&t), &[], &HashSet::new()).expect_err(code);
        assert_eq!(err.code(), code, "{}: {err}", payload.kind_name());
        assert_eq!(err.tx_index(), Some(0), "{err}");
        let screened = self.ledger.screen(std::slice::from_ref(&t), &HashSet::new()).expect("screen");
        assert_eq!(screened, vec![err.clone()], "the proposer's screen finds the same refusal");
        assert_eq!(self.ledger.dump().expect("dump"), before, "execution writes nothing");
        self.block(vec![]);
        assert_only_changes(&before, &self.ledger.dump().expect("dump"), None);
        err.to_string()
    }

    /// Creates a class of the issuer with an optional cap; returns its id.
    pub fn class(&mut self, symbol: &str, cap: Option<u128>) -> ClassId {
        let issuer = self.c.issuer.clone();
        self.class_of(&issuer, symbol, cap)
    }

    pub fn class_of(&mut self, issuer: &SigningKey, symbol: &str, cap: Option<u128>) -> ClassId {
        let before = self.ledger.classes().expect("classes").len();
        self.ok(issuer, create_class(symbol, cap));
        let classes = self.ledger.classes().expect("classes");
        assert_eq!(classes.len(), before + 1);
        classes.last().expect("class").id
    }

    /// Issues a record by the issuer to `holder`; returns its id.
    pub fn record(&mut self, holder: PublicKey) -> RecordId {
        let issuer = self.c.issuer.clone();
        let r = self.ok(&issuer, Payload::IssueRecord { holder, object: object("Grain lot 7") });
        RecordId(event_u64(&r, "record_issued", "record"))
    }

    pub fn balance(&self, class: ClassId, k: &SigningKey) -> u128 {
        self.ledger.holding(class, &k.public()).expect("holding").amount
    }

    pub fn supply(&self, class: ClassId) -> u128 {
        self.ledger.class(class).expect("class").expect("exists").supply
    }
}

/// The value of attribute `attr` of the first event `kind` of a receipt.
pub fn event_u64(r: &Receipt, kind: &str, attr: &str) -> u64 {
    r.events
        .iter()
        .find(|e| e.kind == kind)
        .and_then(|e| e.get(attr))
        .unwrap_or_else(|| panic!("no {kind}.{attr} in {:?}", r.events))
        .parse()
        .expect("number")
}

/// Asserts a failed receipt with `code`; returns its English message,
/// rendered from the code and arguments as every edge renders it.
pub fn failed_code(r: &Receipt, code: &str, what: &str) -> String {
    match &r.outcome {
        TxOutcome::Failed { code: got, args } => {
            let message = tamga_contract::messages::render(got, args, tamga_contract::messages::Lang::En);
            assert_eq!(got, code, "{what}: {message}");
            assert!(r.events.is_empty(), "a failed tx emits no events");
            message
        }
        TxOutcome::Success => panic!("{what} unexpectedly succeeded, expected {code}"),
    }
}

type Dump = Vec<tamga_state::DumpEntry>;

/// Asserts that between two dumps only the chain height changed and, if
/// `nonce_of` is given, that account's nonce went up by exactly one.
pub fn assert_only_changes(before: &Dump, after: &Dump, nonce_of: Option<&PublicKey>) {
    let height_key = keys::meta(keys::meta::HEIGHT);
    let acc_key = nonce_of.map(keys::account);
    let b: BTreeMap<_, _> = before.iter().map(|(c, k, v)| ((*c, k.clone()), v.clone())).collect();
    let a: BTreeMap<_, _> = after.iter().map(|(c, k, v)| ((*c, k.clone()), v.clone())).collect();
    let keys: HashSet<_> = b.keys().chain(a.keys()).cloned().collect();
    for k in keys {
        let (vb, va) = (b.get(&k), a.get(&k));
        if vb == va || (k.0 == "state" && k.1 == height_key) {
            continue;
        }
        if k.0 == "state" && Some(&k.1) == acc_key.as_ref() {
            let vb: AccountState = borsh::from_slice(vb.expect("account before")).expect("decode");
            let va: AccountState = borsh::from_slice(va.expect("account after")).expect("decode");
            assert_eq!(va, AccountState { nonce: vb.nonce + 1, ..vb.clone() }, "only the nonce may change");
            continue;
        }
        let key: String = k.1.iter().map(|b| format!("{b:02x}")).collect();
        panic!("entry {}:{key} changed: {vb:?} -> {va:?}", k.0);
    }
}

pub fn sign_tx(k: &SigningKey, nonce: u64, payload: Payload) -> SignedTransaction {
    Transaction { chain_id: ChainId::new(CHAIN).expect("id"), signer: k.public(), nonce, payload, memo: None }.sign(k)
}

/// A commit certificate for `block` signed by every key in `signers` that is in the set.
pub fn certify(ledger: &Ledger, signers: &[SigningKey], block: &Block) -> Certificate {
    let set = ledger.validators_at(block.header.height).expect("set");
    let data = VoteData { kind: VoteKind::Precommit, height: block.header.height, round: 0, block_hash: block.hash() };
    let votes: Vec<Vote> = signers.iter().map(|v| Vote::sign(v, CHAIN, data.clone())).collect();
    Certificate::from_votes(data, &set, &votes)
}

/// Two conflicting precommits by `v` at `height` (SPEC §9 evidence).
pub fn equivocation(v: &SigningKey, height: Height) -> Evidence {
    let vote = |b: &[u8]| {
        let data = VoteData { kind: VoteKind::Precommit, height, round: 0, block_hash: Hash::digest(b"test-block", b) };
        Vote::sign(v, CHAIN, data)
    };
    Evidence::DoubleVote(DoubleVote { a: vote(b"a"), b: vote(b"b") })
}

/// Two different proposals signed by `v` for one height and round (SPEC §9 evidence).
pub fn double_proposal(v: &SigningKey, height: Height) -> DoubleProposal {
    double_proposal_at(v, height, 1)
}

/// [`double_proposal`] in `round`.
pub fn double_proposal_at(v: &SigningKey, height: Height, round: Round) -> DoubleProposal {
    let proposal = |b: &[u8]| {
        let data = ProposalData { height, round, pol_round: None, value_id: Hash::digest(b"test-block", b) };
        let signature = v.sign(&data.signing_message(CHAIN));
        SignedProposalData { data, proposer: v.public(), signature }
    };
    DoubleProposal { a: proposal(b"a"), b: proposal(b"b") }
}

pub fn text(s: &str) -> Text {
    Text::new(s).expect("text")
}

pub fn short(s: &str) -> ShortText {
    ShortText::new(s).expect("short")
}

pub fn rights(kinds: &[RightKind]) -> BoundedVec<Right, { limits::MAX_LIST }> {
    BoundedVec::new(kinds.iter().map(|k| Right { kind: *k, description: text("1 tonne of wheat") }).collect())
        .expect("rights")
}

pub fn create_class(symbol: &str, cap: Option<u128>) -> Payload {
    Payload::CreateClass {
        symbol: short(symbol),
        name: short("Wheat delivery"),
        decimals: 2,
        supply_cap: cap,
        rights: rights(&[RightKind::Goods, RightKind::Services]),
        document_hash: Hash::digest(b"doc", symbol.as_bytes()),
        document_uri: text("https://example.kz/doc"),
        redemption_terms: text("delivery at the elevator"),
    }
}

pub fn mint(class: ClassId, to: &SigningKey, amount: u128) -> Payload {
    Payload::Mint { class, to: to.public(), amount }
}

pub fn transfer(class: ClassId, to: &SigningKey, amount: u128) -> Payload {
    Payload::Transfer { class, to: to.public(), amount }
}

pub fn freeze(class: ClassId, holder: &SigningKey, amount: Option<u128>) -> Payload {
    Payload::Freeze { class, holder: holder.public(), amount, legal_basis: text("court order 1") }
}

/// The retired unfreeze by amount (refused: a freeze is lifted by name, SPEC §4).
pub fn unfreeze(class: ClassId, holder: &SigningKey, amount: Option<u128>) -> Payload {
    Payload::Unfreeze { class, holder: holder.public(), amount, legal_basis: text("court order 2") }
}

/// Lifts the freeze or pause `id` (SPEC §4).
pub fn lift(id: RestrictionId) -> Payload {
    Payload::LiftRestriction { restriction: id, legal_basis: text("court order 2") }
}

/// The restriction a `frozen` or `class_paused` event names.
pub fn restriction_id(r: &Receipt) -> RestrictionId {
    let kind = if r.events.iter().any(|e| e.kind == "frozen") { "frozen" } else { "class_paused" };
    RestrictionId(event_u64(r, kind, "restriction"))
}

/// The escrow terms text the escrow tests publish, and its SHA-256 (SPEC §7).
pub const TERMS: &str = "Delivery of 60 t of wheat to Pavlodar elevator No. 2 by 1 March 2026.";

pub fn terms_hash() -> Hash {
    Hash::sha256(TERMS.as_bytes())
}

pub fn publish_terms(s: &str) -> Payload {
    Payload::PublishTerms { text: TermsText::new(s.to_owned()).expect("bounded") }
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

pub fn date() -> Date {
    Date { year: 2026, month: 2, day: 1 }
}
