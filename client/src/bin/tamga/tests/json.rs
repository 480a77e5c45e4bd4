//! The JSON shapes the CLI prints (a stable contract, see `output.rs`).

use tamga_types::*;

use super::*;

#[test]
fn json_status_and_block() {
    let s = tamga_types::views::NodeStatus {
        chain_id: "tamga-devnet".into(),
        genesis_hash: Hash([1; 32]),
        node_key: k(1),
        peer_id: "p".into(),
        validator: true,
        height: 42,
        last_block_hash: Hash([2; 32]),
        last_block_time_ms: 5,
        state_root: Hash([3; 32]),
        consensus_height: 43,
        consensus_round: 0,
        syncing: false,
        peers: 3,
        mempool_txs: 0,
        version: "0.1.0".into(),
    };
    let v = to_json(&crate::output::status_json(&s));
    has_all(&v, &["chain_id", "height", "block_hash", "state_root"]);
    assert_eq!(v["block_hash"], Hash([2; 32]).to_hex());
    assert_eq!(v["height"], 42);

    let key = SigningKey::from_seed([1; 32]);
    let tx = tamga_client::sign_payload(&key, "c", 0, Payload::ReleaseEscrow { escrow: EscrowId(1) }, None).unwrap();
    let txs = vec![tx.clone()];
    let header = BlockHeader {
        chain_id: ChainId::new("c").unwrap(),
        height: 9,
        round: 1,
        time_ms: 1000,
        parent_hash: Hash([4; 32]),
        proposer: k(1),
        tx_root: Block::compute_tx_root(&txs),
        evidence_root: Hash::ZERO,
        state_root: Hash([5; 32]),
        receipts_root: Hash([6; 32]),
        validators_hash: Hash([6; 32]),
        next_validators_hash: Hash([6; 32]),
    };
    let block = Block { header, txs: BoundedVec::new(txs).unwrap(), evidence: BoundedVec::new(vec![]).unwrap() };
    let cb = CertifiedBlock {
        certificate: Certificate {
            data: VoteData { kind: VoteKind::Precommit, height: 9, round: 1, block_hash: block.hash() },
            signatures: BoundedVec::new(vec![]).unwrap(),
        },
        block,
    };
    let v = to_json(&crate::output::BlockOut::of(&cb));
    has_all(&v, &["height", "hash", "state_root", "tx_count"]);
    assert_eq!(v["height"], 9);
    assert_eq!(v["hash"], cb.block.hash().to_hex());
    assert_eq!(v["state_root"], Hash([5; 32]).to_hex());
    assert_eq!(v["tx_count"], 1);
    assert_eq!(v["txs"][0], tx.hash().to_hex());
}

#[test]
fn json_tokens_balances_records_notifications() {
    let class = tamga_types::model::ClassState {
        id: ClassId(1),
        issuer: PartyId(3),
        symbol: "DEVGRAIN".into(),
        name: "Dev grain".into(),
        decimals: 3,
        supply_cap: None,
        supply: u128::MAX,
        rights: vec![],
        document_hash: Hash([1; 32]),
        document_uri: "u".into(),
        redemption_terms: "r".into(),
        status: ClassStatus::Active,
        created_height: 1,
    };
    let s = serde_json::to_string(&vec![class]).unwrap();
    assert!(s.contains(&format!("\"supply\":{}", u128::MAX)), "u128 stays exact: {s}");
    let v = to_json(&vec![tamga_types::model::ClassState {
        supply: 5,
        ..serde_json::from_str::<Vec<_>>(&s).unwrap().remove(0)
    }]);
    has_all(&v[0], &["id", "symbol", "issuer", "supply", "decimals"]);
    assert_eq!((v[0]["id"].clone(), v[0]["issuer"].clone()), (serde_json::json!(1), serde_json::json!(3)));

    let b = tamga_types::views::BalanceView {
        class: ClassId(1),
        symbol: "DEVGRAIN".into(),
        decimals: 3,
        amount: 1_000_000,
        frozen: 0,
        free: 1_000_000,
    };
    let v = to_json(&vec![b]);
    assert!(v.is_array());
    has_all(&v[0], &["class", "amount", "frozen", "free", "symbol", "decimals"]);
    assert_eq!(v[0]["amount"], 1_000_000);

    let record = tamga_types::model::RecordState {
        id: RecordId(5),
        certifier: PartyId(3),
        holder_party: PartyId(6),
        holder: k(6),
        object: RecordObject {
            kind: ObjectKind::Goods,
            description: t("wheat"),
            external_ref: None,
            document_hash: None,
        },
        status: tamga_types::model::RecordStatus::Active,
        encumbrances: vec![tamga_types::model::Encumbrance {
            id: EncumbranceId(2),
            kind: EncumbranceKind::Pledge,
            beneficiary: PartyId(7),
            legal_basis: "loan".into(),
            created_height: 3,
            imposed_by: PartyId(6),
        }],
        escrow: None,
        created_height: 2,
        history_len: 1,
    };
    let view = tamga_types::views::RecordView {
        record: record.clone(),
        history: vec![tamga_types::model::HistoryEntry {
            height: 2,
            time_ms: 9,
            tx_hash: Hash([8; 32]),
            signer: k(3),
            event: "record_issued".into(),
            details: vec![("certifier".into(), "3".into()), ("holder".into(), k(6).to_hex())],
        }],
    };
    let v = crate::output::record_json(&view).unwrap();
    has_all(&v, &["id", "holder", "status", "encumbrances", "history"]);
    assert_eq!(v["id"], 5);
    assert_eq!(v["holder"], k(6).to_hex());
    assert_eq!(v["status"], "active");
    assert_eq!(v["encumbrances"][0]["id"], 2);
    assert_eq!(v["history"][0]["event"], "record_issued");
    assert_eq!(v["history"][0]["details"]["certifier"], "3");
    let terminated = tamga_types::views::RecordView {
        record: tamga_types::model::RecordState {
            status: tamga_types::model::RecordStatus::Terminated { reason: TerminationReason::Redeemed, height: 8 },
            ..record
        },
        history: vec![],
    };
    let v = crate::output::record_json(&terminated).unwrap();
    assert_eq!(v["status"], "terminated");
    assert_eq!(v["termination"]["reason"], "redeemed");

    let n = tamga_types::model::MiningNotification {
        id: MiningNotificationId(1),
        miner: PartyId(4),
        kind: MiningNotificationKind::Start,
        previous: None,
        superseded_by: None,
        version: 1,
        site: MiningSite {
            region: Region::Pavlodar,
            address: t("a"),
            capacity_kw: 1,
            units: 1,
            hashrate_ths: 1,
            energy: EnergySource::Grid,
            pool: None,
            start_date: Date { year: 2026, month: 1, day: 1 },
        },
        status: tamga_types::model::ReviewStatus::Accepted { by: PartyId(1), height: 3 },
        closed: false,
        submitted_height: 2,
        submitted_time_ms: 1,
        history_len: 2,
    };
    let v = crate::output::notification_json(&n).unwrap();
    has_all(&v, &["id", "miner", "kind", "site", "status", "review"]);
    assert_eq!(v["status"], "accepted");
    assert_eq!(v["review"]["by"], 1);
}

#[test]
fn json_receipt_names_created_ids() {
    let ev =
        |kind: &str, attrs: &[(&'static str, &str)]| Event::new(kind, attrs.iter().map(|(k, v)| (*k, v.to_string())));
    let view = receipt_view(
        TxOutcome::Success,
        vec![ev("record_issued", &[("record", "17"), ("certifier", "3"), ("holder", "h")])],
    );
    let v = to_json(&crate::output::ReceiptOut::of(&view));
    has_all(&v, &["tx_hash", "height", "status", "events", "record_id", "operation", "signer", "nonce"]);
    assert_eq!(v["status"], "success");
    assert_eq!(v["record_id"], 17);
    assert_eq!(v["height"], 11);
    assert_eq!(v["tx_hash"], view.receipt.tx_hash.to_hex());
    assert_eq!(v["events"][0]["kind"], "record_issued");
    assert_eq!(v["events"][0]["attributes"]["record"], "17");
    assert!(v.get("code").is_none());
    let ids = crate::output::created_ids(&[
        ev("mining_notification_submitted", &[("notification", "4"), ("miner", "2"), ("kind", "start")]),
        ev("class_created", &[("class", "2"), ("symbol", "G"), ("issuer", "3")]),
        ev("escrow_created", &[("escrow", "6"), ("payer", "a"), ("payee", "b")]),
        ev("record_encumbered", &[("record", "1"), ("encumbrance", "9")]),
        ev("party_registered", &[("party", "8"), ("by", "1")]),
        ev("transfer", &[("class", "1")]),
    ]);
    let expected: Vec<(&str, u64)> =
        vec![("class_id", 2), ("encumbrance_id", 9), ("escrow_id", 6), ("notification_id", 4), ("party_id", 8)];
    assert_eq!(ids.into_iter().collect::<Vec<_>>(), expected);
    // SPEC §4: a freeze or pause prints the restriction id its lifting names.
    for kind in ["frozen", "class_paused"] {
        let ids = crate::output::created_ids(&[ev(kind, &[("restriction", "21"), ("class", "2")])]);
        assert_eq!(ids.into_iter().collect::<Vec<_>>(), vec![("restriction_id", 21)], "{kind}");
    }
    assert!(
        crate::output::created_ids(&[ev("restriction_lifted", &[("restriction", "21"), ("class", "2")])]).is_empty()
    );

    let failed =
        receipt_view(TxOutcome::failed("NOT_ISSUER", [("op", "mint".to_owned()), ("party", "6".to_owned())]), vec![]);
    let v = to_json(&crate::output::ReceiptOut::of(&failed));
    assert_eq!(v["status"], "failed");
    assert_eq!(v["code"], "NOT_ISSUER");
    assert_eq!(v["args"], serde_json::json!({"op": "mint", "party": "6"}));
    // Rendered from the code and arguments (the receipt carries no message).
    assert_eq!(v["message"], "operation mint requires the Issuer role; party 6 has none");
}
