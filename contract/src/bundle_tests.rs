//! Receipt bundles and light verification over a chain built in the test:
//! headers and commit certificates signed by generated validator keys, a
//! validator-set change at height 3 (effective from 4), a JMT holding the
//! signer's account for the state root (SPEC §10).

use jmt::mock::MockTreeStore;
use jmt::{KeyHash, Sha256Jmt};
use tamga_types::model::{AccountState, AccountStatus};
use tamga_types::{
    Block, BlockHeader, Certificate, CertificateError, ChainId, EscrowId, Event, Genesis, GenesisParty, Hash, Height,
    LightClient, LightError, NetworkType, PartyId, PartyKind, Payload, Receipt, SignedTransaction, SigningKey,
    TxOutcome, Validator, ValidatorSet, Vote, VoteData, VoteKind,
};

use super::*;

/// A transaction of `key`, signed.
fn sign_payload(
    key: &SigningKey,
    chain_id: &str,
    nonce: u64,
    payload: Payload,
    memo: Option<&str>,
) -> SignedTransaction {
    let chain_id = ChainId::new(chain_id).expect("test chain id");
    let memo = memo.map(|m| tamga_types::Memo::new(m).expect("test memo"));
    tamga_types::Transaction { chain_id, signer: key.public(), nonce, payload, memo }.sign(key)
}

const CHAIN: &str = "tamga-test";
const CHANGE_AT: Height = 3;
const TIP: Height = 6;
const TX_HEIGHT: Height = 5;

fn keys(seeds: std::ops::Range<u8>) -> Vec<SigningKey> {
    seeds.map(|s| SigningKey::from_seed([s; 32])).collect()
}

fn set_of(keys: &[SigningKey], operator: u64) -> ValidatorSet {
    ValidatorSet::new(
        keys.iter()
            .map(|k| Validator { key: k.public(), power: 10, operator: PartyId(operator), p2p_key: k.public() })
            .collect(),
    )
    .unwrap()
}

fn user() -> SigningKey {
    SigningKey::from_seed([100; 32])
}

fn genesis(transactions: Vec<SignedTransaction>) -> Genesis {
    let party = |accounts| GenesisParty {
        kind: PartyKind::LegalEntity,
        id_commitment: Hash::digest(b"test", b"party"),
        display_name: Some("Operator".into()),
        accounts,
        regulator_scopes: vec![],
        issuer: false,
    };
    Genesis {
        chain_id: CHAIN.into(),
        genesis_time_ms: 1_700_000_000_000,
        regulation_hash: Hash::digest(b"test", b"regulation"),
        network_type: NetworkType::CentrallyDistributed,
        params: Default::default(),
        parties: vec![party(vec![]), party(vec![user().public()])],
        validators: keys(1..5)
            .iter()
            .map(|k| tamga_types::GenesisValidator {
                key: k.public(),
                power: 10,
                operator: PartyId(1),
                p2p_address: None,
                p2p_key: k.public(),
            })
            .collect(),
        transactions,
    }
}

/// Signs a commit certificate on `header` by `signers` (indices into `set` by key).
fn certify(header: &BlockHeader, set: &ValidatorSet, signers: &[SigningKey]) -> Certificate {
    let data = VoteData { kind: VoteKind::Precommit, height: header.height, round: 0, block_hash: header.hash() };
    let votes: Vec<Vote> = signers.iter().map(|k| Vote::sign(k, CHAIN, data.clone())).collect();
    Certificate::from_votes(data, set, &votes)
}

struct Chain {
    genesis: Genesis,
    blocks: Vec<(Block, Certificate)>,
    /// Each block's receipts, in order (committed to by `receipts_root`).
    receipts: Vec<Vec<Receipt>>,
    sets: Vec<ValidatorSet>,
    tx: SignedTransaction,
    account: AccountProof,
}

impl Chain {
    fn keys_at(&self, h: Height) -> Vec<SigningKey> {
        if h <= CHANGE_AT {
            keys(1..5)
        } else {
            keys(3..7)
        }
    }

    fn set_at(&self, h: Height) -> &ValidatorSet {
        &self.sets[usize::from(h > CHANGE_AT)]
    }

    fn block(&self, h: Height) -> &(Block, Certificate) {
        &self.blocks[(h - 1) as usize]
    }

    fn receipts(&self, h: Height) -> &[Receipt] {
        &self.receipts[(h - 1) as usize]
    }
}

/// The account entry of `user()` in a JMT, its root and proof.
fn account_tree(value: &AccountState) -> (Hash, AccountProof) {
    let store = MockTreeStore::default();
    let tree = Sha256Jmt::new(&store);
    let key = KeyHash::with::<sha2::Sha256>(account_state_key(&value.key));
    let other = KeyHash::with::<sha2::Sha256>(b"Mheight");
    let (root, batch) =
        tree.put_value_set(vec![(key, Some(codec::encode(value))), (other, Some(vec![1, 2, 3]))], 0).unwrap();
    store.write_tree_update_batch(batch).unwrap();
    let (got, proof) = tree.get_with_proof(key, 0).unwrap();
    let account = AccountProof {
        value: Some(BoundedVec::new(got.unwrap()).unwrap()),
        proof: BoundedVec::new(borsh::to_vec(&proof).unwrap()).unwrap(),
    };
    (Hash(root.0), account)
}

fn account_state() -> AccountState {
    AccountState {
        key: user().public(),
        party: PartyId(2),
        status: AccountStatus::Active,
        certificate: None,
        nonce: 1,
        created_height: 0,
    }
}

fn build_chain() -> Chain {
    let genesis = genesis(vec![]);
    let sets = vec![set_of(&keys(1..5), 1), set_of(&keys(3..7), 1)];
    let tx = sign_payload(&user(), CHAIN, 0, Payload::ReleaseEscrow { escrow: EscrowId(4) }, Some("test"));
    let filler = |n: u64| {
        sign_payload(&SigningKey::from_seed([200; 32]), CHAIN, n, Payload::ReleaseEscrow { escrow: EscrowId(n) }, None)
    };
    let (state_root, account) = account_tree(&account_state());
    let mut chain = Chain { genesis, blocks: vec![], receipts: vec![], sets, tx: tx.clone(), account };
    let mut parent = Hash::ZERO;
    for h in 1..=TIP {
        let txs = if h == TX_HEIGHT { vec![filler(1), tx.clone(), filler(2)] } else { vec![filler(h + 10)] };
        let time_ms = 1_700_000_000_000 + h * 1000;
        let receipts: Vec<Receipt> = txs
            .iter()
            .enumerate()
            .map(|(i, t)| Receipt {
                tx_hash: t.hash(),
                height: h,
                index: i as u32,
                block_time_ms: time_ms,
                outcome: TxOutcome::Success,
                events: vec![Event::new(
                    "escrow_released",
                    [("escrow", if *t == tx { "4".to_owned() } else { i.to_string() })],
                )],
            })
            .collect();
        let header = BlockHeader {
            chain_id: ChainId::new(CHAIN).unwrap(),
            height: h,
            round: 0,
            time_ms,
            parent_hash: parent,
            proposer: chain.keys_at(h)[0].public(),
            tx_root: Block::compute_tx_root(&txs),
            evidence_root: Hash::ZERO,
            state_root: if h == TX_HEIGHT { state_root } else { Hash::digest(b"root", &h.to_le_bytes()) },
            receipts_root: Receipt::compute_root(&receipts),
            validators_hash: chain.set_at(h).hash(),
            next_validators_hash: chain.set_at(h + 1).hash(),
        };
        parent = header.hash();
        let cert = certify(&header, chain.set_at(h), &chain.keys_at(h));
        let block = Block { header, txs: BoundedVec::new(txs).unwrap(), evidence: BoundedVec::default() };
        chain.blocks.push((block, cert));
        chain.receipts.push(receipts);
    }
    chain
}

fn change(chain: &Chain) -> ValidatorChange {
    let (b, c) = chain.block(CHANGE_AT);
    ValidatorChange { header: b.header.clone(), certificate: c.clone(), next_validators: chain.sets[1].clone() }
}

fn bundle(chain: &Chain) -> ReceiptBundle {
    let (block, cert) = chain.block(TX_HEIGHT);
    let receipts = chain.receipts(TX_HEIGHT);
    let c = BlockCommitment::new(block, cert.clone(), receipts, 1, vec![change(chain)], chain.account.clone()).unwrap();
    assert_eq!(receipts[1].events, vec![Event::new("escrow_released", [("escrow", "4".to_owned())])]);
    ReceiptBundle {
        version: BUNDLE_VERSION,
        genesis_hash: chain.genesis.hash(),
        tx: chain.tx.clone(),
        receipt: receipts[1].clone(),
        commitment: Commitment::Block(Box::new(c)),
    }
}

fn block_part(b: &mut ReceiptBundle) -> &mut BlockCommitment {
    match &mut b.commitment {
        Commitment::Block(c) => c,
        Commitment::Genesis { .. } => unreachable!("a block bundle"),
    }
}

#[test]
fn a_bundle_verifies_offline_across_a_validator_set_change() {
    let chain = build_chain();
    let b = bundle(&chain);
    let bytes = b.encode();
    assert_eq!(ReceiptBundle::decode(&bytes).unwrap(), b);
    let v = verify_bundle_bytes(&bytes, &chain.genesis).unwrap();
    assert_eq!(v.tx_hash, chain.tx.hash());
    assert_eq!(v.signer, user().public());
    assert_eq!(
        v.signer_party,
        SignerParty::StateProof {
            party: PartyId(2),
            status: AccountStatus::Active,
            created_height: 0,
            certificate: None
        }
    );
    assert_eq!((v.height, v.index), (TX_HEIGHT, 1));
    assert_eq!(v.block_hash, Some(chain.block(TX_HEIGHT).0.hash()));
    assert_eq!(v.block_time_ms, chain.block(TX_HEIGHT).0.header.time_ms);
    assert_eq!(v.validator_changes, 1);
    // Certified by the NEW set (keys 3..7), not the genesis one.
    let new_keys: Vec<_> = keys(3..7).iter().map(|k| k.public()).collect();
    assert!(v.certified_by.iter().all(|s| new_keys.contains(&s.key)));
    assert_eq!((v.signed_power, v.total_power), (40, 40));
    assert_eq!(v.operation, "release_escrow");
    assert!(v.rendering.contains("release_escrow") && v.rendering.contains("\"escrow\": 4"), "{}", v.rendering);
}

#[test]
fn a_block_before_the_change_needs_no_change_entry() {
    let chain = build_chain();
    let (block, cert) = chain.block(2);
    let tx = block.txs[0].clone();
    let account = AccountProof { value: None, proof: BoundedVec::default() };
    let mut b = bundle(&chain);
    b.tx = tx.clone();
    b.receipt = chain.receipts(2)[0].clone();
    let receipts = chain.receipts(2);
    b.commitment =
        Commitment::Block(Box::new(BlockCommitment::new(block, cert.clone(), receipts, 0, vec![], account).unwrap()));
    // The account proof is empty: everything up to it verified.
    assert!(matches!(verify_bundle(&b, &chain.genesis), Err(BundleError::AccountProof { .. })));
}

#[test]
fn flipping_any_byte_of_the_certified_parts_fails_with_a_reason() {
    let chain = build_chain();
    let b = bundle(&chain);
    let bytes = b.encode();
    // Every byte, the receipt's outcome and events included: the header's
    // receipts_root certifies them.
    let mut codes = std::collections::BTreeMap::<&str, usize>::new();
    for i in 0..bytes.len() {
        for mask in [0x01u8, 0xff] {
            let mut m = bytes.clone();
            m[i] ^= mask;
            let r = verify_bundle_bytes(&m, &chain.genesis);
            match r {
                Ok(_) => panic!("flipping byte {i} with {mask:#04x} still verifies"),
                Err(e) => *codes.entry(e.code()).or_default() += 1,
            }
        }
    }
    eprintln!("{} bytes; failure codes: {codes:?}", bytes.len());
    for code in [
        "BUNDLE_VERSION_UNSUPPORTED",
        "GENESIS_MISMATCH",
        "BAD_TX_SIGNATURE",
        "RECEIPT_MISMATCH",
        "NOT_IN_BLOCK",
        "RECEIPT_NOT_CERTIFIED",
    ] {
        assert!(codes.contains_key(code), "no flip gave {code}: {codes:?}");
    }
    assert!(codes.contains_key("BAD_ACCOUNT_PROOF") && codes.contains_key("CERTIFICATE_MISMATCH"), "{codes:?}");
}

#[test]
fn every_field_tampered_gives_its_own_error() {
    let chain = build_chain();
    let g = &chain.genesis;
    let check = |f: &dyn Fn(&mut ReceiptBundle), want: &str| {
        let mut b = bundle(&chain);
        f(&mut b);
        let e = verify_bundle(&b, g).unwrap_err();
        assert_eq!(e.code(), want, "{e}");
    };
    check(&|b| b.version = 1, "BUNDLE_VERSION_UNSUPPORTED");
    check(&|b| b.version = 2, "BUNDLE_VERSION_UNSUPPORTED"); // receipts with a message
    check(&|b| b.genesis_hash.0[0] ^= 1, "GENESIS_MISMATCH");
    check(&|b| b.tx.signature.0[0] ^= 1, "BAD_TX_SIGNATURE");
    check(&|b| b.tx.tx.nonce += 1, "BAD_TX_SIGNATURE");
    check(&|b| b.receipt.tx_hash.0[0] ^= 1, "RECEIPT_MISMATCH");
    check(&|b| b.receipt.height += 1, "RECEIPT_MISMATCH");
    check(&|b| b.receipt.index += 1, "RECEIPT_MISMATCH");
    check(&|b| b.receipt.block_time_ms += 1, "RECEIPT_MISMATCH");
    check(
        &|b| b.receipt.outcome = TxOutcome::failed("INSUFFICIENT_BALANCE", [("class", "1".to_owned())]),
        "RECEIPT_NOT_CERTIFIED",
    );
    check(&|b| b.receipt.events.clear(), "RECEIPT_NOT_CERTIFIED");
    check(&|b| b.receipt.events[0].attributes[0].1 = "5".into(), "RECEIPT_NOT_CERTIFIED");
    check(&|b| block_part(b).header.receipts_root.0[0] ^= 1, "CERTIFICATE_MISMATCH");
    check(&|b| block_part(b).receipt_inclusion.siblings = BoundedVec::default(), "RECEIPT_NOT_CERTIFIED");
    check(&|b| block_part(b).receipt_inclusion.index = 0, "RECEIPT_NOT_CERTIFIED");
    check(&|b| block_part(b).header.state_root.0[0] ^= 1, "CERTIFICATE_MISMATCH");
    check(&|b| block_part(b).header.tx_root.0[0] ^= 1, "CERTIFICATE_MISMATCH");
    check(&|b| block_part(b).header.time_ms += 1, "CERTIFICATE_MISMATCH");
    check(&|b| block_part(b).certificate.data.round += 1, "BAD_CERTIFICATE_SIGNATURE");
    check(
        &|b| {
            let c = &mut block_part(b).certificate;
            let mut s = c.signatures.to_vec();
            s.truncate(2);
            c.signatures = BoundedVec::new(s).unwrap();
        },
        "INSUFFICIENT_POWER",
    );
    check(&|b| block_part(b).inclusion.index = 0, "NOT_IN_BLOCK");
    check(&|b| block_part(b).inclusion.leaf_count = 40, "NOT_IN_BLOCK");
    check(&|b| block_part(b).validator_changes = BoundedVec::default(), "UNKNOWN_VALIDATOR_SET");
    check(
        &|b| {
            let mut ch = block_part(b).validator_changes.to_vec();
            ch[0].next_validators = set_of(&keys(3..7), 2);
            block_part(b).validator_changes = BoundedVec::new(ch).unwrap();
        },
        "VALIDATOR_CHAIN_BROKEN",
    );
    check(
        &|b| {
            let mut ch = block_part(b).validator_changes.to_vec();
            ch.push(ch[0].clone());
            block_part(b).validator_changes = BoundedVec::new(ch).unwrap();
        },
        "VALIDATOR_CHAIN_BROKEN",
    );
    check(&|b| block_part(b).signer_account.value = None, "BAD_ACCOUNT_PROOF");
}

#[test]
fn a_set_that_never_existed_is_rejected() {
    let chain = build_chain();
    let fake_keys = keys(50..54);
    let fake = set_of(&fake_keys, 1);
    // 1. The block re-made and signed by a set of its own choosing.
    let mut b = bundle(&chain);
    let c = block_part(&mut b);
    c.header.validators_hash = fake.hash();
    c.certificate = certify(&c.header, &fake, &fake_keys);
    assert!(matches!(
        verify_bundle(&b, &chain.genesis),
        Err(BundleError::Header(LightError::UnknownValidatorSet { height: TX_HEIGHT, .. }))
    ));
    // 2. The same, introduced by a forged change entry signed by the fake set.
    let mut forged = change(&chain);
    forged.header.validators_hash = fake.hash();
    forged.certificate = certify(&forged.header, &fake, &fake_keys);
    let mut b = bundle(&chain);
    block_part(&mut b).validator_changes = BoundedVec::new(vec![forged]).unwrap();
    assert!(matches!(
        verify_bundle(&b, &chain.genesis),
        Err(BundleError::ValidatorChain { position: 0, source: LightError::UnknownValidatorSet { .. } })
    ));
    // 3. A header naming the real set, with signatures by strangers at its indices.
    let mut b = bundle(&chain);
    let c = block_part(&mut b);
    let data = c.certificate.data.clone();
    let sigs: Vec<(u16, tamga_types::Signature)> =
        fake_keys.iter().enumerate().map(|(i, k)| (i as u16, Vote::sign(k, CHAIN, data.clone()).signature)).collect();
    c.certificate = Certificate { data, signatures: BoundedVec::new(sigs).unwrap() };
    assert!(matches!(
        verify_bundle(&b, &chain.genesis),
        Err(BundleError::Header(LightError::Certificate { source: CertificateError::BadSignature(_), .. }))
    ));
    // 4. The new set signing a block before it took effect.
    let mut b = bundle(&chain);
    block_part(&mut b).validator_changes = BoundedVec::default();
    let e = verify_bundle(&b, &chain.genesis).unwrap_err();
    assert_eq!(e.code(), "UNKNOWN_VALIDATOR_SET");
}

#[test]
fn a_proof_for_a_wrong_value_fails() {
    let chain = build_chain();
    let root = chain.block(TX_HEIGHT).0.header.state_root;
    let key = account_state_key(&user().public());
    let good = chain.account.value.as_ref().unwrap().to_vec();
    assert_eq!(verify_state_proof(&key, Some(&good), &chain.account.proof, &root), Ok(()));
    // Another party for the same account.
    let wrong = codec::encode(&AccountState { party: PartyId(1), ..account_state() });
    assert!(verify_state_proof(&key, Some(&wrong), &chain.account.proof, &root).is_err());
    // Absence of a present value, another key, another root.
    assert!(verify_state_proof(&key, None, &chain.account.proof, &root).is_err());
    assert!(verify_state_proof(
        &account_state_key(&SigningKey::from_seed([9; 32]).public()),
        Some(&good),
        &chain.account.proof,
        &root
    )
    .is_err());
    assert!(verify_state_proof(&key, Some(&good), &chain.account.proof, &Hash::digest(b"x", b"y")).is_err());
    // Through the bundle: the wrong value is refused.
    let mut b = bundle(&chain);
    block_part(&mut b).signer_account.value = Some(BoundedVec::new(wrong).unwrap());
    assert!(matches!(verify_bundle(&b, &chain.genesis), Err(BundleError::AccountProof { .. })));
    // Inclusion: another transaction of the same block at the proven position.
    let mut b = bundle(&chain);
    let other = chain.block(TX_HEIGHT).0.txs[0].clone();
    b.receipt.tx_hash = other.hash();
    b.tx = other;
    assert!(matches!(verify_bundle(&b, &chain.genesis), Err(BundleError::NotInBlock { .. })));
}

#[test]
fn genesis_transactions_verify_against_the_genesis_itself() {
    let tx = sign_payload(&user(), CHAIN, 0, Payload::ReleaseEscrow { escrow: EscrowId(1) }, None);
    let other = sign_payload(&user(), CHAIN, 1, Payload::ReleaseEscrow { escrow: EscrowId(2) }, None);
    let g = genesis(vec![other, tx.clone()]);
    let b = ReceiptBundle {
        version: BUNDLE_VERSION,
        genesis_hash: g.hash(),
        tx: tx.clone(),
        receipt: Receipt {
            tx_hash: tx.hash(),
            height: 0,
            index: 1,
            block_time_ms: g.genesis_time_ms,
            outcome: TxOutcome::Success,
            events: vec![],
        },
        commitment: Commitment::Genesis { index: 1 },
    };
    let v = verify_bundle_bytes(&b.encode(), &g).unwrap();
    assert_eq!((v.height, v.index, v.block_hash), (0, 1, None));
    assert_eq!(v.signer_party, SignerParty::Genesis { party: PartyId(2) });
    let wrong = ReceiptBundle { commitment: Commitment::Genesis { index: 0 }, ..b.clone() };
    assert!(matches!(verify_bundle(&wrong, &g), Err(BundleError::NotInGenesis { index: 0, count: 2 })));
    // Another genesis (here: without the transaction) is refused by hash.
    assert!(matches!(verify_bundle(&b, &genesis(vec![])), Err(BundleError::GenesisMismatch { .. })));
    // A genesis receipt that reports a failure contradicts the genesis rule.
    let failed = Receipt { outcome: TxOutcome::failed("X", []), ..b.receipt.clone() };
    let e = verify_bundle(&ReceiptBundle { receipt: failed, ..b.clone() }, &g).unwrap_err();
    assert_eq!(e.code(), "RECEIPT_NOT_CERTIFIED");
    assert!(!v.events_certified);
    for i in 0..b.encode().len() {
        let mut m = b.encode();
        m[i] ^= 0x01;
        assert!(verify_bundle_bytes(&m, &g).is_err(), "byte {i}");
    }
}

#[test]
fn light_client_follows_the_chain_and_refuses_breaks() {
    let chain = build_chain();
    let mut lc = LightClient::from_genesis(&chain.genesis).unwrap();
    for h in 1..=TIP {
        let (b, c) = chain.block(h);
        let next = (b.header.next_validators_hash != b.header.validators_hash).then(|| chain.set_at(h + 1));
        lc.verify_next(&b.header, c, next).unwrap();
    }
    assert_eq!(lc.height(), TIP);
    assert_eq!(lc.validators(), &chain.sets[1]);
    // Missing the announced set at the change.
    let mut lc = LightClient::from_genesis(&chain.genesis).unwrap();
    for h in 1..CHANGE_AT {
        let (b, c) = chain.block(h);
        lc.verify_next(&b.header, c, None).unwrap();
    }
    let (b, c) = chain.block(CHANGE_AT);
    assert!(matches!(lc.verify_next(&b.header, c, None), Err(LightError::MissingNextSet { .. })));
    assert!(matches!(lc.verify_next(&b.header, c, Some(&chain.sets[0])), Err(LightError::NextSetMismatch { .. })));
    // Skipping a height or a wrong parent.
    let (b4, c4) = chain.block(CHANGE_AT + 1);
    assert!(matches!(lc.verify_next(&b4.header, c4, None), Err(LightError::Height { .. })));
    let mut h = b.header.clone();
    h.parent_hash = Hash::ZERO;
    assert!(matches!(lc.verify_next(&h, c, Some(&chain.sets[1])), Err(LightError::Parent { .. })));
    // Another chain id.
    let mut g = chain.genesis.clone();
    g.chain_id = "other".into();
    let mut lc = LightClient::from_genesis(&g).unwrap();
    let (b1, c1) = chain.block(1);
    assert!(matches!(lc.verify_next(&b1.header, c1, None), Err(LightError::ChainId { .. })));
}
