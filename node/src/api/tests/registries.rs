//! Accounts and registries over the scenario chain.

use serde_json::json;
use tamga_types::model::{EscrowState, MiningNotification};
use tamga_types::views::{Page, PartyView, RecordView};
use tamga_types::*;

use super::*;

#[tokio::test]
async fn account_with_nonce_and_balances() {
    let n = Node::scenario();
    let alice = n.c.alice.public();
    let (s, v) = n.get(&format!("/v1/accounts/{alice}")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["account"]["party"], 4);
    assert_eq!(v["next_nonce"], 2);
    assert_eq!(v["balances"][0]["symbol"], "WHEAT");
    // 100.00 minted, 25.00 sent, 10.00 locked in escrow.
    assert_eq!(v["balances"][0]["amount"], 6_500);
    let (s, v) = n.get(&format!("/v1/accounts/{}/records", alice)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(v[0]["id"], 1);

    let stranger = key(77).public();
    for uri in [format!("/v1/accounts/{stranger}"), format!("/v1/accounts/{stranger}/records")] {
        let (s, v) = n.get(&uri).await;
        assert_eq!((s, code(&v)), (StatusCode::NOT_FOUND, "ACCOUNT_NOT_FOUND"), "{uri}");
    }
    let (s, v) = n.get("/v1/accounts/notakey").await;
    assert_eq!((s, code(&v)), (StatusCode::BAD_REQUEST, "BAD_KEY"));
    assert_eq!(v["field"], "key");
}

#[tokio::test]
async fn parties_and_classes() {
    let n = Node::scenario();
    let (s, v) = n.get("/v1/parties").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v.as_array().unwrap().len(), 6);
    let (s, v) = n.get("/v1/parties/3").await;
    assert_eq!(s, StatusCode::OK);
    let p: PartyView = serde_json::from_value(v).unwrap();
    assert!(p.roles.contains(&"issuer".to_owned()), "{:?}", p.roles);
    assert_eq!(p.accounts[0].key, n.c.issuer.public());
    let (s, v) = n.get("/v1/parties/99").await;
    assert_eq!((s, code(&v)), (StatusCode::NOT_FOUND, "PARTY_NOT_FOUND"));
    let (s, v) = n.get("/v1/parties/x1").await;
    assert_eq!((s, code(&v)), (StatusCode::BAD_REQUEST, "BAD_ID"));
    let (s, v) = n.get("/v1/parties?kind=individual").await;
    assert_eq!((s, code(&v)), (StatusCode::BAD_REQUEST, "UNKNOWN_PARAM"));

    let (s, v) = n.get("/v1/classes").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v[0]["symbol"], "WHEAT");
    assert_eq!(v[0]["supply"], 10_000);
    assert_eq!(n.get("/v1/classes?issuer=3").await.1.as_array().unwrap().len(), 1);
    assert_eq!(n.get("/v1/classes?issuer=4").await.1, json!([]));
    let (s, v) = n.get("/v1/classes?issuer=me").await;
    assert_eq!((s, code(&v)), (StatusCode::BAD_REQUEST, "BAD_PARAM"));
    assert_eq!(n.get("/v1/classes/1").await.1["decimals"], 2);
    let (s, v) = n.get("/v1/classes/2").await;
    assert_eq!((s, code(&v)), (StatusCode::NOT_FOUND, "CLASS_NOT_FOUND"));
    let (s, v) = n.get("/v1/classes/1/holders").await;
    assert_eq!(s, StatusCode::OK);
    let mut amounts: Vec<u64> = v.as_array().unwrap().iter().map(|h| h["amount"].as_u64().unwrap()).collect();
    amounts.sort();
    assert_eq!(amounts, vec![2_500, 6_500], "{v}");
    let (s, v) = n.get("/v1/classes/2/holders").await;
    assert_eq!((s, code(&v)), (StatusCode::NOT_FOUND, "CLASS_NOT_FOUND"));
}

#[tokio::test]
async fn records_escrows_activity_evidence() {
    let n = Node::scenario();
    let (s, v) = n.get("/v1/records/1").await;
    assert_eq!(s, StatusCode::OK);
    let r: RecordView = serde_json::from_value(v).unwrap();
    assert_eq!(r.record.holder, n.c.alice.public());
    assert_eq!(r.history.len(), 1);
    assert_eq!(r.history[0].signer, n.c.issuer.public());
    let (s, v) = n.get("/v1/records/2").await;
    assert_eq!((s, code(&v)), (StatusCode::NOT_FOUND, "RECORD_NOT_FOUND"));

    let (s, v) = n.get("/v1/escrows").await;
    assert_eq!(s, StatusCode::OK);
    let e: Vec<EscrowState> = serde_json::from_value(v).unwrap();
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].asset, EscrowAsset::Tokens { class: ClassId(1), amount: 1_000 });
    assert_eq!(n.get("/v1/escrows?party=5").await.1.as_array().unwrap().len(), 1, "bob is the payee");
    assert_eq!(n.get("/v1/escrows?party=3").await.1, json!([]));
    assert_eq!(n.get("/v1/escrows/1").await.1["payee"], n.c.bob.public().to_hex());
    let (s, v) = n.get("/v1/escrows/7").await;
    assert_eq!((s, code(&v)), (StatusCode::NOT_FOUND, "ESCROW_NOT_FOUND"));

    let (s, v) = n.get("/v1/activity-notifications").await;
    assert_eq!(s, StatusCode::OK);
    // The genesis issuer's accepted issuance notice, then the exchange one of block 2.
    let acts: Vec<&str> = v.as_array().unwrap().iter().map(|a| a["activity"].as_str().unwrap()).collect();
    assert_eq!(acts, ["issuance", "exchange"]);
    assert_eq!(n.get("/v1/activity-notifications?party=3").await.1.as_array().unwrap().len(), 2);
    assert_eq!(n.get("/v1/activity-notifications?party=4").await.1, json!([]));
    assert_eq!(n.get("/v1/evidence").await, (StatusCode::OK, json!([])));
}

#[tokio::test]
async fn mining_filters_paging_totals() {
    let n = Node::scenario();
    let (s, v) = n.get("/v1/mining-notifications").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let page: Page<MiningNotification> = serde_json::from_value(v).unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.next_after, None);
    for (q, count) in [
        ("region=pavlodar", 1),
        ("region=abai", 0),
        ("status=accepted", 1),
        ("status=submitted", 0),
        ("kind=start&miner=6", 1),
        ("miner=5", 0),
        ("from=2026-01-15&to=2026-01-15", 1),
        ("from=2026-01-16", 0),
        ("after=1", 0),
        ("limit=1", 1),
    ] {
        let (s, v) = n.get(&format!("/v1/mining-notifications?{q}")).await;
        assert_eq!(s, StatusCode::OK, "{q}: {v}");
        assert_eq!(v["items"].as_array().unwrap().len(), count, "{q}");
    }
    for (q, field, hint) in [
        ("region=mars", "region", "pavlodar"),
        ("status=approved", "status", "submitted, accepted, rejected"),
        ("kind=stop", "kind", "start, change, termination"),
        ("from=2026-13-01", "from", "calendar day"),
        ("to=yesterday", "to", "YYYY-MM-DD"),
        ("limit=0", "limit", "1..=1000"),
        ("limit=1001", "limit", "1..=1000"),
        ("miner=-1", "miner", "unsigned integer"),
        ("after=x", "after", "unsigned integer"),
        ("from=2026-02-01&to=2026-01-01", "to", "after"),
    ] {
        let (s, v) = n.get(&format!("/v1/mining-notifications?{q}")).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{q}: {v}");
        assert_eq!(code(&v), "BAD_PARAM", "{q}");
        assert_eq!(v["field"], field, "{q}");
        assert!(v["message"].as_str().unwrap().contains(hint), "{q}: {v}");
    }
    let (s, v) = n.get("/v1/mining-notifications?regoin=abai").await;
    assert_eq!((s, code(&v)), (StatusCode::BAD_REQUEST, "UNKNOWN_PARAM"));
    assert!(v["message"].as_str().unwrap().contains("miner, status, region"), "{v}");

    let (s, v) = n.get("/v1/mining-notifications/1").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["status"]["status"], "accepted");
    let (s, v) = n.get("/v1/mining-notifications/2").await;
    assert_eq!((s, code(&v)), (StatusCode::NOT_FOUND, "MINING_NOTIFICATION_NOT_FOUND"));
    let (s, v) = n.get("/v1/mining-notifications/totals").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v, json!([{ "region": "pavlodar", "sites": 1, "capacity_kw": 5000, "units": 120 }]));
}

/// SPEC §6: the `region` filter takes the names people type, in Kazakh,
/// Russian and English, as well as the code; answers carry the code, and a
/// name that fits no region lists the valid codes in the language asked.
#[tokio::test]
async fn rule10_api_accepts_a_russian_region_name() {
    let n = Node::scenario();
    let pct = |s: &str| s.bytes().map(|b| format!("%{b:02X}")).collect::<String>();
    for name in ["Павлодарская область", "Павлодар облысы", "Pavlodar Region", "павлодарская"]
    {
        let (s, v) = n.get(&format!("/v1/mining-notifications?region={}", pct(name))).await;
        assert_eq!(s, StatusCode::OK, "{name}: {v}");
        let items = v["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{name}: {v}");
        assert_eq!(items[0]["site"]["region"], "pavlodar", "answers carry the code");
    }
    let (s, v) = n.get(&format!("/v1/mining-notifications?region={}", pct("Абай облысы"))).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["items"].as_array().unwrap().len(), 0, "the notification is in Pavlodar");

    let (s, v) = n.get(&format!("/v1/mining-notifications?region={}", pct("Марс облысы"))).await;
    assert_eq!((s, code(&v)), (StatusCode::BAD_REQUEST, "BAD_PARAM"), "{v}");
    assert_eq!(v["field"], "region");
    let m = v["message"].as_str().unwrap();
    for code in Region::codes() {
        assert!(m.contains(code), "lists {code}: {m}");
    }
    let (s, v) = n.get(&format!("/v1/mining-notifications?region={}", pct("Алматы"))).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert!(v["message"].as_str().unwrap().contains("almaty_city, almaty"), "the city or the region: {v}");
}

/// SPEC §4 (DC art. 20 p.4) and §7 (DC art. 67): every freeze and pause of a
/// holding, standing or lifted, with who imposed it as what and on what
/// basis, and the escrow terms under their SHA-256, are served.
#[tokio::test]
async fn restrictions_of_a_holding_and_escrow_terms_are_served() {
    let mut n = Node::scenario();
    let (reg, issuer, alice, bob) = (n.c.reg.clone(), n.c.issuer.clone(), n.c.alice.public(), n.c.bob.public());
    let whole = Payload::Freeze { class: ClassId(1), holder: alice, amount: None, legal_basis: text("court order 5") };
    let pause = Payload::SetClassPaused { class: ClassId(1), paused: true, legal_basis: text("recall") };
    assert_ok(&n.block(vec![sign(&reg, 1, whole), sign(&issuer, 4, pause)]));
    let lift = Payload::LiftRestriction { restriction: RestrictionId(1), legal_basis: text("order 5 quashed") };
    assert_ok(&n.block(vec![sign(&reg, 2, lift)]));

    let (s, v) = n.get(&format!("/v1/classes/1/restrictions?holder={alice}")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v.as_array().unwrap().len(), 2, "{v}");
    assert_eq!((v[0]["id"].clone(), v[0]["authority"].clone()), (json!(1), json!("regulator")));
    assert_eq!(v[0]["target"]["holding"]["amount"], json!(null), "a whole-holding freeze");
    assert_eq!((v[0]["legal_basis"].clone(), v[0]["imposed_by"].clone()), (json!("court order 5"), json!(1)));
    assert_eq!(v[0]["lifted"]["legal_basis"], "order 5 quashed");
    assert_eq!((v[1]["target"]["class"]["class"].clone(), v[1]["authority"].clone()), (json!(1), json!("issuer")));
    assert_eq!(v[1]["lifted"], json!(null), "the pause stands");
    let (_, v) = n.get(&format!("/v1/classes/1/restrictions?holder={bob}")).await;
    assert_eq!(v.as_array().unwrap().len(), 1, "bob's holding: the class's pause only");
    let (_, v) = n.get("/v1/classes/1/restrictions").await;
    assert_eq!(v.as_array().unwrap().len(), 2);
    for (uri, status, want) in [
        ("/v1/classes/9/restrictions", StatusCode::NOT_FOUND, "CLASS_NOT_FOUND"),
        ("/v1/classes/1/restrictions?holder=zz", StatusCode::BAD_REQUEST, "BAD_PARAM"),
        ("/v1/classes/1/restrictions?who=1", StatusCode::BAD_REQUEST, "UNKNOWN_PARAM"),
    ] {
        let (s, v) = n.get(uri).await;
        assert_eq!((s, code(&v)), (status, want), "{uri}: {v}");
    }

    // The terms the scenario's escrow names, checked against its hash.
    let escrow: EscrowState = serde_json::from_value(n.get("/v1/escrows/1").await.1).unwrap();
    let (s, v) = n.get(&format!("/v1/terms/{}", escrow.terms_hash.to_hex())).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let text = v["text"].as_str().unwrap();
    assert_eq!((text, v["published_by"].clone()), (TERMS, json!(5)));
    assert_eq!(Hash::sha256(text.as_bytes()), escrow.terms_hash);
    let (s, v) = n.get(&format!("/v1/terms/{}", Hash::ZERO.to_hex())).await;
    assert_eq!((s, code(&v)), (StatusCode::NOT_FOUND, "TERMS_NOT_FOUND"), "{v}");
    let (s, v) = n.get("/v1/terms/xyz").await;
    assert_eq!((s, code(&v)), (StatusCode::BAD_REQUEST, "BAD_HASH"), "{v}");
}
