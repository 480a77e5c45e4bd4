//! Handler tests against a REAL ledger (in-memory RocksDB) with a genesis and
//! committed, certified blocks, and a real mempool and gateway.
//!
//! Every block goes the way a node commits it: `execute` → header →
//! precommits by every validator → commit certificate → `commit`.

mod auth;
mod bounds;
mod chain;
mod contract;
mod download;
mod e2e;
mod events;
mod export;
mod feed;
mod i18n;
mod journal;
mod openapi;
mod registries;
mod security;
mod tls;
mod txs;

use std::collections::HashSet;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use tamga_state::{BlockContext, Ledger};
use tamga_types::views::NodeStatus;
use tamga_types::*;
use tokio::sync::{mpsc, watch};
use tower::ServiceExt;

use super::{router, ApiContext};
use crate::admission::{Admission, TxGateway};
use crate::mempool::{ChainView, Mempool, MempoolLimits};
use crate::metrics::Metrics;

pub const CHAIN: &str = "tamga-test";
pub const T0: u64 = 1_767_225_600_000;

pub fn key(seed: u8) -> SigningKey {
    SigningKey::from_seed([seed; 32])
}

/// A time to sign a request with: now, and later than any time this
/// returned before (the node refuses the same signed request twice).
pub fn fresh_ms() -> u64 {
    static LAST: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let now = crate::now_ms();
    let prev = LAST.fetch_max(now, std::sync::atomic::Ordering::SeqCst);
    if prev < now {
        now
    } else {
        LAST.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1
    }
}

/// Whom signed requests to the test node are addressed to: its chain and
/// its key (`node_key` of its status).
pub fn audience() -> tamga_types::request::Audience {
    tamga_types::request::Audience { chain_id: CHAIN.into(), node_key: key(100).public() }
}

/// The escrow terms of the scenario (SPEC §7), published under their SHA-256.
pub const TERMS: &str = "Delivery of 10 t of wheat by 1 March 2026.";

/// The cast: party n of the genesis has account key(n) (alice also key(14)).
pub struct Cast {
    pub reg: SigningKey,
    pub issuer: SigningKey,
    pub alice: SigningKey,
    pub bob: SigningKey,
    pub miner: SigningKey,
    pub validators: Vec<SigningKey>,
}

pub fn cast() -> Cast {
    let mut validators: Vec<SigningKey> = (0..4u8).map(|i| key(100 + i)).collect();
    validators.sort_by_key(|k| k.public());
    Cast { reg: key(1), issuer: key(3), alice: key(4), bob: key(5), miner: key(6), validators }
}

fn party(kind: PartyKind, n: u8, accounts: Vec<PublicKey>, scopes: Vec<Scope>, issuer: bool) -> GenesisParty {
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
            party(PartyKind::LegalEntity, 1, vec![c.reg.public()], vec![Scope::Assets, Scope::Mining], false),
            party(PartyKind::LegalEntity, 2, vec![key(2).public()], vec![Scope::Assets], false),
            party(PartyKind::LegalEntity, 3, vec![c.issuer.public()], vec![], true),
            party(PartyKind::Individual, 4, vec![c.alice.public(), key(14).public()], vec![], false),
            party(PartyKind::Individual, 5, vec![c.bob.public()], vec![], false),
            party(PartyKind::LegalEntity, 6, vec![c.miner.public()], vec![], false),
        ],
        validators: c
            .validators
            .iter()
            .map(|v| GenesisValidator {
                key: v.public(),
                power: 10,
                operator: PartyId(6),
                p2p_address: None,
                p2p_key: v.public(),
            })
            .collect(),
        transactions: vec![],
    }
}

pub fn sign(k: &SigningKey, nonce: u64, payload: Payload) -> SignedTransaction {
    Transaction { chain_id: ChainId::new(CHAIN).unwrap(), signer: k.public(), nonce, payload, memo: None }.sign(k)
}

pub fn text(s: &str) -> Text {
    Text::new(s).unwrap()
}

/// The mempool's view of the chain, over the ledger.
struct LedgerView(Arc<Ledger>);

impl ChainView for LedgerView {
    fn standing(&self, key: &PublicKey) -> Result<tamga_state::Standing, tamga_state::StateError> {
        self.0.signer_standing(key)
    }
    fn is_committed(&self, tx: &Hash) -> Result<bool, tamga_state::StateError> {
        self.0.receipt(tx).map(|r| r.is_some())
    }
    fn is_validator_key(&self, key: &PublicKey) -> bool {
        let h = self.0.height().unwrap_or(0);
        self.0.validators_at(h + 1).map(|s| s.index_of(key).is_some()).unwrap_or(false)
    }
}

/// A ledger, a mempool behind a gateway, and the API context over them.
pub struct Node {
    pub ledger: Arc<Ledger>,
    pub mempool: Arc<Mempool>,
    pub gossip: mpsc::Receiver<Vec<u8>>,
    pub ctx: ApiContext,
    pub c: Cast,
    time: u64,
}

impl Node {
    /// Genesis applied, no block.
    pub fn new() -> Node {
        Self::with_limits(MempoolLimits::default())
    }

    pub fn with_limits(limits: MempoolLimits) -> Node {
        let ledger = Ledger::open_in_memory().unwrap();
        ledger.init_genesis(&genesis()).unwrap();
        Self::over(ledger, limits)
    }

    /// Over any ledger (one without genesis, for the failure paths).
    pub fn over(ledger: Ledger, limits: MempoolLimits) -> Node {
        let ledger = Arc::new(ledger);
        let mempool = Arc::new(Mempool::new(CHAIN, limits));
        let (tx, gossip) = mpsc::channel(1024);
        let pool = crate::admission::AdmissionPool::with_threads(1, 0).unwrap();
        let (_, status) = watch::channel(status_of(&ledger));
        let metrics = Arc::new(Metrics::new());
        let security = crate::security::SecurityLog::in_memory(key(99).public(), &metrics);
        let admission =
            Admission::new(mempool.clone(), Arc::new(LedgerView(ledger.clone())), security.clone(), metrics.clone());
        let gateway = TxGateway::new(admission, tx, pool);
        let ctx = ApiContext {
            ledger: ledger.clone(),
            gateway,
            status,
            metrics,
            events: super::EventHub::new(4),
            security,
            read_policy: super::access::ReadPolicy { public_read: true, redact_site_addresses: true },
            journal: None,
            guards: Arc::new(super::Guards::default()),
            console: Default::default(),
        };
        let time = ledger.last_time_ms().unwrap_or(T0);
        Node { ledger, mempool, gossip, ctx, c: cast(), time }
    }

    /// Executes, certifies and commits a block, and publishes it to the
    /// event stream as the driver does; returns its receipts.
    pub fn block(&mut self, txs: Vec<SignedTransaction>) -> Vec<Receipt> {
        self.commit_block(txs, true)
    }

    /// Commits a block without publishing it to the event stream (a commit
    /// that happened while nobody listened).
    pub fn block_unpublished(&mut self, txs: Vec<SignedTransaction>) -> Vec<Receipt> {
        self.commit_block(txs, false)
    }

    fn commit_block(&mut self, txs: Vec<SignedTransaction>, publish: bool) -> Vec<Receipt> {
        let height = self.ledger.height().unwrap() + 1;
        let set = self.ledger.validators_at(height).unwrap();
        let proposer = set.validators[height as usize % set.len()].key;
        let ctx = BlockContext { height, time_ms: self.time + 1000, proposer };
        let ex = self.ledger.execute(&ctx, &txs, &[], &HashSet::new()).unwrap();
        let receipts = ex.receipts.clone();
        let block = Block { header: ex.header(0), txs: BoundedVec::new(txs).unwrap(), evidence: BoundedVec::default() };
        let data = VoteData { kind: VoteKind::Precommit, height, round: 0, block_hash: block.hash() };
        let votes: Vec<Vote> = self.c.validators.iter().map(|v| Vote::sign(v, CHAIN, data.clone())).collect();
        let cert = Certificate::from_votes(data, &set, &votes);
        let hashes: Vec<Hash> = block.txs.iter().map(|t| t.hash()).collect();
        self.ledger.commit(&block, &cert, ex).unwrap();
        // What the driver's commit pushes to the mempool.
        self.mempool.prune(&hashes, &crate::proposal::signer_standings(&self.ledger, &block.txs));
        if publish {
            let _ = self.ctx.events.sender().send(Arc::new(super::CommittedBlock::new(&block, receipts.clone())));
        }
        self.time = ctx.time_ms;
        receipts
    }

    /// The scenario most tests query: four blocks.
    ///
    /// 1. issuer creates class 1 (WHEAT, 2 decimals)
    /// 2. issuer mints 100.00 to alice, issues record 1 to alice; miner submits
    ///    mining notification 1 (Pavlodar); issuer notifies exchange activity 1
    /// 3. alice transfers 25.00 to bob; bob publishes the escrow terms
    ///    [`TERMS`]; alice escrows 10.00 for bob under them (escrow 1); the
    ///    mining regulator accepts notification 1
    /// 4. bob's over-balance transfer fails (a failed receipt)
    pub fn scenario() -> Node {
        let mut n = Node::new();
        let (reg, issuer, alice, bob, miner) =
            (n.c.reg.clone(), n.c.issuer.clone(), n.c.alice.clone(), n.c.bob.clone(), n.c.miner.clone());
        let r = n.block(vec![sign(&issuer, 0, create_class("WHEAT"))]);
        assert_ok(&r);
        let r = n.block(vec![
            sign(&issuer, 1, Payload::Mint { class: ClassId(1), to: alice.public(), amount: 10_000 }),
            sign(&issuer, 2, Payload::IssueRecord { holder: alice.public(), object: object("Grain lot 7") }),
            sign(
                &miner,
                0,
                Payload::SubmitMiningNotification {
                    kind: MiningNotificationKind::Start,
                    previous: None,
                    site: site(Region::Pavlodar),
                },
            ),
            sign(
                &issuer,
                3,
                Payload::SubmitActivityNotification {
                    activity: Activity::Exchange,
                    phase: ActivityPhase::Start,
                    date: Date { year: 2026, month: 2, day: 1 },
                },
            ),
        ]);
        assert_ok(&r);
        let r = n.block(vec![
            sign(&alice, 0, Payload::Transfer { class: ClassId(1), to: bob.public(), amount: 2_500 }),
            sign(&bob, 0, Payload::PublishTerms { text: TermsText::new(TERMS).unwrap() }),
            sign(
                &alice,
                1,
                Payload::CreateEscrow {
                    payee: bob.public(),
                    arbiter: reg.public(),
                    asset: EscrowAsset::Tokens { class: ClassId(1), amount: 1_000 },
                    terms_hash: Hash::sha256(TERMS.as_bytes()),
                    deadline_height: 100,
                },
            ),
            sign(
                &reg,
                0,
                Payload::ReviewMiningNotification { notification: MiningNotificationId(1), accept: true, reason: None },
            ),
        ]);
        assert_ok(&r);
        let failed = n.block(vec![sign(
            &bob,
            1,
            Payload::Transfer { class: ClassId(1), to: alice.public(), amount: 1u128 << 90 },
        )]);
        assert!(!failed[0].is_success(), "bob cannot send more than he holds");
        n
    }

    /// Sends a request through the router; returns the status and the JSON body.
    pub async fn call(&self, method: &str, uri: &str, body: Option<String>) -> (StatusCode, serde_json::Value) {
        let (status, bytes) = self.call_raw(method, uri, body).await;
        let v = serde_json::from_slice(&bytes)
            .unwrap_or_else(|e| panic!("{method} {uri}: body is not JSON ({e}): {}", String::from_utf8_lossy(&bytes)));
        (status, v)
    }

    pub async fn call_raw(&self, method: &str, uri: &str, body: Option<String>) -> (StatusCode, Vec<u8>) {
        let mut req = Request::builder().method(method).uri(uri);
        if body.is_some() {
            req = req.header("content-type", "application/json");
        }
        let req = req.body(body.map(Body::from).unwrap_or_else(Body::empty)).unwrap();
        let resp = router(self.ctx.clone()).oneshot(req).await.unwrap();
        let status = resp.status();
        let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX).await.unwrap();
        (status, bytes.to_vec())
    }

    /// Like [`Node::call_raw`], signed by `key` at `time_ms` ([`tamga_types::request`]).
    pub async fn call_signed(
        &self,
        key: &SigningKey,
        time_ms: u64,
        method: &str,
        uri: &str,
        body: Option<String>,
    ) -> (StatusCode, Vec<u8>) {
        let bytes = body.clone().unwrap_or_default();
        let mut req = Request::builder().method(method).uri(uri);
        for (name, value) in
            tamga_types::request::sign_headers(key, &audience(), method, uri, time_ms, bytes.as_bytes())
        {
            req = req.header(name, value);
        }
        if body.is_some() {
            req = req.header("content-type", "application/json");
        }
        let resp = router(self.ctx.clone()).oneshot(req.body(Body::from(bytes)).unwrap()).await.unwrap();
        let status = resp.status();
        (status, axum::body::to_bytes(resp.into_body(), usize::MAX).await.unwrap().to_vec())
    }

    pub async fn get(&self, uri: &str) -> (StatusCode, serde_json::Value) {
        self.call("GET", uri, None).await
    }

    pub async fn post(&self, uri: &str, body: serde_json::Value) -> (StatusCode, serde_json::Value) {
        self.call("POST", uri, Some(body.to_string())).await
    }
}

fn status_of(ledger: &Ledger) -> NodeStatus {
    NodeStatus {
        chain_id: CHAIN.into(),
        genesis_hash: genesis().hash(),
        node_key: key(100).public(),
        peer_id: "12D3KooWtest".into(),
        validator: true,
        height: ledger.height().unwrap_or(0),
        last_block_hash: ledger.last_block_hash().unwrap_or(Hash::ZERO),
        last_block_time_ms: T0,
        state_root: ledger.state_root().unwrap_or(Hash::ZERO),
        consensus_height: 1,
        consensus_round: 0,
        syncing: false,
        peers: 3,
        mempool_txs: 0,
        version: "test".into(),
    }
}

pub fn assert_ok(receipts: &[Receipt]) {
    for r in receipts {
        assert!(r.is_success(), "tx {} failed: {:?}", r.index, r.outcome);
    }
}

pub fn create_class(symbol: &str) -> Payload {
    Payload::CreateClass {
        symbol: ShortText::new(symbol).unwrap(),
        name: ShortText::new("Wheat delivery").unwrap(),
        decimals: 2,
        supply_cap: None,
        rights: BoundedVec::new(vec![Right { kind: RightKind::Goods, description: text("1 tonne of wheat") }]).unwrap(),
        document_hash: Hash::digest(b"doc", symbol.as_bytes()),
        document_uri: text("https://example.kz/doc"),
        redemption_terms: text("delivery at the elevator"),
    }
}

pub fn object(desc: &str) -> RecordObject {
    RecordObject { kind: ObjectKind::Goods, description: text(desc), external_ref: None, document_hash: None }
}

pub fn site(region: Region) -> MiningSite {
    MiningSite {
        region,
        address: text("Industrial zone 1"),
        capacity_kw: 5_000,
        units: 120,
        hashrate_ths: 1000,
        energy: EnergySource::Grid,
        pool: None,
        start_date: Date { year: 2026, month: 1, day: 15 },
    }
}

/// The `code` of an error body.
pub fn code(v: &serde_json::Value) -> &str {
    v["code"].as_str().unwrap_or_else(|| panic!("no code in {v}"))
}
