//! Languages (SPEC §11; issue 8 item 3) and read access (issue 8 item 4)
//! through the router.

use std::collections::{BTreeSet, HashMap};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{json, Value};
use tower::ServiceExt;

use super::super::access::ReadPolicy;
use super::super::i18n::{catalogue, placeholders, Lang};
use super::super::router;
use super::*;

/// A request with `Accept-Language: lang` (none when `None`); the status,
/// the `Content-Language` answer header and the JSON body.
async fn call_in(
    n: &Node,
    lang: Option<&str>,
    method: &str,
    uri: &str,
    body: Option<String>,
) -> (StatusCode, String, Value) {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(l) = lang {
        req = req.header("accept-language", l);
    }
    if body.is_some() {
        req = req.header("content-type", "application/json");
    }
    let resp = router(n.ctx.clone())
        .oneshot(req.body(body.map(Body::from).unwrap_or_else(Body::empty)).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let lang = resp.headers().get("content-language").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX).await.unwrap();
    let v = serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("{uri}: not JSON ({e}): {}", String::from_utf8_lossy(&bytes)));
    (status, lang, v)
}

fn cyrillic(s: &str) -> bool {
    s.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c))
}

/// Letters of the Kazakh Cyrillic alphabet absent from the Russian one.
fn kazakh(s: &str) -> bool {
    s.chars().any(|c| "әғқңөұүһіӘҒҚҢӨҰҮҺІ".contains(c))
}

/// Method, URI, body; expected status, code, field, and a detail the message names in every language.
type Case = (&'static str, &'static str, Option<String>, StatusCode, &'static str, Option<&'static str>, &'static str);

/// The same error in kk, ru and en: same status, code and field; the
/// message in the asked language, still naming the value at fault.
#[tokio::test]
async fn accept_language_localizes_the_message_and_keeps_code_and_field() {
    let n = Node::scenario();
    let cases: Vec<Case> = vec![
        ("GET", "/v1/parties/99", None, StatusCode::NOT_FOUND, "PARTY_NOT_FOUND", None, "99"),
        (
            "GET",
            "/v1/mining-notifications?limit=0",
            None,
            StatusCode::BAD_REQUEST,
            "BAD_PARAM",
            Some("limit"),
            "1..=1000",
        ),
        (
            "GET",
            "/v1/mining-notifications?region=mars",
            None,
            StatusCode::BAD_REQUEST,
            "BAD_PARAM",
            Some("region"),
            "pavlodar",
        ),
        ("GET", "/v1/parties?x=1", None, StatusCode::BAD_REQUEST, "UNKNOWN_PARAM", Some("x"), "\"x\""),
        ("GET", "/v1/blocks/77", None, StatusCode::NOT_FOUND, "BLOCK_NOT_FOUND", None, "77"),
        ("GET", "/v1/no-such-route", None, StatusCode::NOT_FOUND, "NOT_FOUND", None, "/v1/no-such-route"),
        ("DELETE", "/v1/parties", None, StatusCode::METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED", None, "DELETE"),
        ("POST", "/v1/txs", Some(r#"{"tx":"zz"}"#.into()), StatusCode::BAD_REQUEST, "BAD_HEX", Some("tx"), "'z'"),
        ("POST", "/v1/txs", Some(r#"{"txs":[]}"#.into()), StatusCode::BAD_REQUEST, "EMPTY_BATCH", Some("txs"), "txs"),
    ];
    for (method, uri, body, status, code, field, detail) in cases {
        let mut messages = HashMap::new();
        for (header, tag) in [("kk-KZ,kk;q=0.9,ru;q=0.8", "kk"), ("ru", "ru"), ("en-GB", "en"), ("", "en")] {
            let h = (!header.is_empty()).then_some(header);
            let (s, lang, v) = call_in(&n, h, method, uri, body.clone()).await;
            assert_eq!((s, v["code"].as_str()), (status, Some(code)), "{uri} [{header}]: {v}");
            assert_eq!(v["field"].as_str(), field, "{uri} [{header}]: {v}");
            assert_eq!(lang, tag, "{uri} [{header}]: Content-Language");
            let m = v["message"].as_str().unwrap().to_owned();
            assert!(m.contains(detail), "{uri} [{header}]: {m:?} lacks {detail:?}");
            messages.insert(tag, m);
        }
        let (kk, ru, en) = (&messages["kk"], &messages["ru"], &messages["en"]);
        assert!(kazakh(kk), "{uri}: not Kazakh: {kk}");
        assert!(cyrillic(ru) && !kazakh(ru), "{uri}: not Russian: {ru}");
        assert!(!cyrillic(en), "{uri}: not English: {en}");
    }
    // A mempool refusal: the same code in a batch item, localized too.
    let tx = sign(&n.c.alice.clone(), 0, Payload::Transfer { class: ClassId(1), to: n.c.bob.public(), amount: 1 });
    let body = serde_json::json!({ "txs": [hex::encode(tx.encode())] }).to_string();
    let (s, _, v) = call_in(&n, Some("ru"), "POST", "/v1/txs", Some(body)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let item = &v["results"][0]["error"];
    assert_eq!(item["code"], "STALE_NONCE", "{v}");
    let m = item["message"].as_str().unwrap();
    assert!(cyrillic(m) && m.contains("nonce") && m.contains(&n.c.alice.public().to_hex()), "{m}");
    let single = serde_json::json!({ "tx": hex::encode(tx.encode()) }).to_string();
    let (s, _, v) = call_in(&n, Some("kk"), "POST", "/v1/txs", Some(single)).await;
    assert_eq!((s, v["code"].as_str(), v["field"].as_str()), (StatusCode::CONFLICT, Some("STALE_NONCE"), Some("tx")));
    assert!(kazakh(v["message"].as_str().unwrap()), "{v}");
    // A verification verdict's reason.
    let mut bad = tx.clone();
    bad.signature.0[3] ^= 1;
    let body = serde_json::json!({ "tx": hex::encode(bad.encode()) }).to_string();
    let (s, _, v) = call_in(&n, Some("kk"), "POST", "/v1/verify", Some(body)).await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::OK, Some("BAD_SIGNATURE")), "{v}");
    assert!(kazakh(v["error"]["message"].as_str().unwrap()), "{v}");
    // A success answer names its language too.
    let (s, lang, _) = call_in(&n, Some("kk"), "GET", "/v1/parties", None).await;
    assert_eq!((s, lang.as_str()), (StatusCode::OK, "kk"));
}

/// Every message key the API source uses (a code literal, `CODE.variant`
/// or `why.*`) is in the English catalogue; Russian and Kazakh have every
/// English key with the same placeholders; the Kazakh catalogue is no less
/// complete than the Russian (SPEC §11).
#[test]
fn catalogues_cover_every_code_in_kazakh_and_russian() {
    let en: BTreeSet<&str> = catalogue(Lang::En).keys().map(String::as_str).collect();
    let ru: BTreeSet<&str> = catalogue(Lang::Ru).keys().map(String::as_str).collect();
    let kk: BTreeSet<&str> = catalogue(Lang::Kk).keys().map(String::as_str).collect();
    assert!(en.len() > 50, "the English catalogue did not load: {} keys", en.len());

    // Keys used by the source: string literals shaped like codes or keys,
    // outside tests and env!() names.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/api");
    let mut used = BTreeSet::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        for (i, piece) in code.split('"').enumerate() {
            if i % 2 == 1 && is_key(piece) && !code.contains(&format!("env!(\"{piece}\")")) {
                used.insert((piece.to_owned(), path.file_name().unwrap().to_string_lossy().into_owned()));
            }
        }
    }
    assert!(used.len() > 40, "the source scan found only {} keys", used.len());
    let mut missing = Vec::new();
    for (key, file) in &used {
        // A bare code must have an entry of its own or a `CODE.variant`.
        let found =
            en.contains(key.as_str()) || (!key.contains('.') && en.iter().any(|k| k.starts_with(&format!("{key}."))));
        if !found {
            missing.push(format!("{key} ({file})"));
        }
    }
    assert!(missing.is_empty(), "keys used by the API but missing from en.json: {missing:?}");

    for (name, other) in [("ru", &ru), ("kk", &kk)] {
        let absent: Vec<&&str> = en.difference(other).collect();
        assert!(absent.is_empty(), "{name}.json lacks {absent:?}");
        let extra: Vec<&&str> = other.difference(&en).collect();
        assert!(extra.is_empty(), "{name}.json has keys unknown to en.json: {extra:?}");
    }
    assert!(
        kk.len() >= ru.len(),
        "the Kazakh catalogue ({}) is less complete than the Russian ({})",
        kk.len(),
        ru.len()
    );
    for key in &en {
        let want: BTreeSet<&str> = placeholders(&catalogue(Lang::En)[*key]).into_iter().collect();
        for lang in [Lang::Ru, Lang::Kk] {
            let template = &catalogue(lang)[*key];
            let got: BTreeSet<&str> = placeholders(template).into_iter().collect();
            assert_eq!(got, want, "{key}: {} placeholders differ from English", lang.tag());
            assert!(template.trim() != catalogue(Lang::En)[*key].trim(), "{key}: {} is untranslated", lang.tag());
            assert!(cyrillic(template), "{key}: {} is not in Cyrillic: {template}", lang.tag());
        }
        assert_ne!(catalogue(Lang::Kk)[*key], catalogue(Lang::Ru)[*key], "{key}: kk is a copy of ru");
    }
    // Kazakh, not Russian in disguise: most templates use letters only Kazakh has.
    let with_kazakh_letters = kk.iter().filter(|k| kazakh(&catalogue(Lang::Kk)[**k])).count();
    assert!(with_kazakh_letters * 10 >= kk.len() * 9, "only {with_kazakh_letters} of {} kk templates", kk.len());
}

fn is_key(s: &str) -> bool {
    let (code, variant) = s.split_once('.').unwrap_or((s, ""));
    let code_ok = code.len() >= 4
        && code.bytes().next().is_some_and(|b| b.is_ascii_uppercase())
        && code.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    let variant_ok = variant.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    let why = s
        .strip_prefix("why.")
        .is_some_and(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase() || b == b'_' || b.is_ascii_digit()));
    (code_ok && variant_ok) || why
}

fn closed(n: &mut Node) {
    n.ctx.read_policy = ReadPolicy { public_read: false, redact_site_addresses: true };
}

/// Public read off: anonymous requests to the chain and registers are
/// refused (401 `SIGNATURE_REQUIRED`, localized); node facts, admission and
/// verification stay open. Public read on: everything answers.
#[tokio::test]
async fn anonymous_reads_follow_the_public_read_policy() {
    let mut n = Node::scenario();
    let reads = [
        "/v1/parties",
        "/v1/parties/1",
        "/v1/classes/1/holders",
        "/v1/records/1",
        "/v1/escrows",
        "/v1/blocks/1",
        "/v1/mining-notifications",
        "/v1/mining-notifications/1",
        "/v1/mining-notifications/totals",
        "/v1/activity-notifications",
        "/v1/evidence",
    ];
    for uri in reads {
        let (s, v) = n.get(uri).await;
        assert_eq!(s, StatusCode::OK, "{uri}: {v}");
    }
    closed(&mut n);
    for uri in reads {
        let (s, v) = n.get(uri).await;
        assert_eq!((s, v["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("SIGNATURE_REQUIRED")), "{uri}: {v}");
    }
    let (_, lang, v) = call_in(&n, Some("kk"), "GET", "/v1/parties", None).await;
    assert_eq!(lang, "kk");
    assert!(kazakh(v["message"].as_str().unwrap()) && v["message"].as_str().unwrap().contains("/v1/parties"), "{v}");
    for uri in ["/health", "/v1/status", "/v1/chain", "/v1/params", "/v1/validators", "/openapi.json"] {
        let (s, _) = n.call_raw("GET", uri, None).await;
        assert_eq!(s, StatusCode::OK, "{uri}");
    }
    let (s, v) = n.post("/v1/verify", serde_json::json!({ "tx": "zz" })).await;
    assert_eq!((s, v["code"].as_str()), (StatusCode::BAD_REQUEST, Some("BAD_HEX")), "{v}");
    // An unknown route is still a 404, not a refusal.
    let (s, v) = n.get("/v1/nothing-here").await;
    assert_eq!((s, v["code"].as_str()), (StatusCode::NOT_FOUND, Some("NOT_FOUND")));
}

/// The hash of the scenario's mining notification transaction (block 2).
fn notification_tx(n: &Node) -> SignedTransaction {
    let block = n.ledger.block(2).unwrap().unwrap();
    block.txs.iter().find(|t| matches!(t.tx.payload, Payload::SubmitMiningNotification { .. })).unwrap().clone()
}

/// Anonymous readers never see a mining site's address: not in the
/// notification list or detail, the transaction, the block (JSON or raw),
/// nor the bundle; everything else of the site stays.
#[tokio::test]
async fn site_addresses_are_redacted_for_anonymous_readers() {
    let n = Node::scenario();
    let (s, v) = n.get("/v1/mining-notifications").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let site = &v["items"][0]["site"];
    assert_eq!((site["address"].clone(), site["address_redacted"].clone()), (Value::Null, Value::Bool(true)), "{v}");
    assert_eq!(site["region"], "pavlodar");
    assert_eq!(site["capacity_kw"], 5000);
    let (_, v) = n.get("/v1/mining-notifications/1").await;
    assert_eq!(v["site"]["address"], Value::Null, "{v}");
    // The typed client still reads a redacted notification.
    let typed: tamga_types::model::MiningNotification = serde_json::from_value(v.clone()).unwrap();
    assert_eq!(typed.site.address.as_str(), "");

    let tx = notification_tx(&n);
    let (s, v) = n.get(&format!("/v1/txs/{}", tx.hash())).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["tx"]["tx"]["payload"]["site"]["address"], Value::Null, "{v}");
    assert_eq!((v["raw"].clone(), v["raw_redacted"].clone()), (Value::Null, Value::Bool(true)), "{v}");
    assert!(!v.to_string().contains("Industrial zone"), "{v}");

    let (_, v) = n.get("/v1/blocks/2").await;
    assert!(!v.to_string().contains("Industrial zone"), "{v}");
    assert_eq!(v["block"]["txs"].as_array().unwrap().len(), 4, "{v}");
    let (_, v) = n.get("/v1/blocks/2?encoding=borsh").await;
    assert_eq!((v["raw"].clone(), v["raw_redacted"].clone()), (Value::Null, Value::Bool(true)), "{v}");
    // A block without a notification is served whole.
    let (_, v) = n.get("/v1/blocks/1?encoding=borsh").await;
    assert!(v["raw"].is_string() && v.get("raw_redacted").is_none(), "{v}");

    let (s, v) = n.get(&format!("/v1/txs/{}/bundle", tx.hash())).await;
    assert_eq!((s, v["code"].as_str()), (StatusCode::FORBIDDEN, Some("RESTRICTED_FIELD")), "{v}");
    // Nor the state proof of the notification's entry (`N ‖ id`), which holds the address.
    let mut entry = vec![b'N'];
    entry.extend_from_slice(&1u64.to_be_bytes());
    let (s, v) = n.get(&format!("/v1/proofs/state?key={}", hex::encode(&entry))).await;
    assert_eq!((s, v["code"].as_str()), (StatusCode::FORBIDDEN, Some("RESTRICTED_FIELD")), "{v}");
    let (s, v) = get_signed(&n, &n.c.reg.clone(), &format!("/v1/proofs/state?key={}", hex::encode(&entry))).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(v["value"].is_string(), "{v}");
    // With redaction off, anyone sees it.
    let mut n = n;
    n.ctx.read_policy = ReadPolicy { public_read: true, redact_site_addresses: false };
    let (_, v) = n.get("/v1/mining-notifications/1").await;
    assert_eq!(v["site"]["address"], "Industrial zone 1", "{v}");
    let (s, _) = n.get(&format!("/v1/txs/{}/bundle", tx.hash())).await;
    assert_eq!(s, StatusCode::OK);
}

use crate::now_ms;

/// A GET signed by `key`; the status and JSON body.
async fn get_signed(n: &Node, key: &SigningKey, uri: &str) -> (StatusCode, Value) {
    let (s, bytes) = n.call_signed(key, now_ms(), "GET", uri, None).await;
    let v = serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("{uri}: not JSON ({e}): {}", String::from_utf8_lossy(&bytes)));
    (s, v)
}

/// Public read off: a registered account's signature opens the chain and
/// registers, a regulator's the regulatory registers.
#[tokio::test]
async fn signed_reads_pass_the_closed_policy_by_role() {
    let mut n = Node::scenario();
    closed(&mut n);
    let (alice, reg, assets) = (n.c.alice.clone(), n.c.reg.clone(), key(2));
    for uri in ["/v1/parties", "/v1/blocks/1", "/v1/records/1", "/v1/evidence"] {
        let (s, v) = get_signed(&n, &alice, uri).await;
        assert_eq!(s, StatusCode::OK, "{uri}: {v}");
    }
    let (s, v) = get_signed(&n, &alice, "/v1/mining-notifications").await;
    assert_eq!((s, v["code"].as_str()), (StatusCode::FORBIDDEN, Some("REGULATOR_REQUIRED")), "{v}");
    assert!(v["message"].as_str().unwrap().contains(&alice.public().to_hex()), "{v}");
    for k in [&reg, &assets] {
        for uri in ["/v1/mining-notifications", "/v1/mining-notifications/1", "/v1/activity-notifications"] {
            let (s, v) = get_signed(&n, k, uri).await;
            assert_eq!(s, StatusCode::OK, "{uri}: {v}");
        }
    }
}

/// The site address: withheld from a participant and from a regulator
/// without the mining scope; served to the mining regulator and to the
/// miner itself, in every answer that carries it.
#[tokio::test]
async fn site_addresses_only_for_the_mining_regulator_and_the_miner() {
    let n = Node::scenario();
    let tx = notification_tx(&n);
    let (alice, assets, reg, miner) = (n.c.alice.clone(), key(2), n.c.reg.clone(), n.c.miner.clone());
    for k in [&alice, &assets] {
        let (_, v) = get_signed(&n, k, "/v1/mining-notifications").await;
        assert_eq!(v["items"][0]["site"]["address"], Value::Null, "{v}");
        assert_eq!(v["items"][0]["site"]["address_redacted"], true, "{v}");
        let (_, v) = get_signed(&n, k, &format!("/v1/txs/{}", tx.hash())).await;
        assert_eq!(v["raw"], Value::Null, "{v}");
        assert!(!v.to_string().contains("Industrial zone"), "{v}");
        let (_, v) = get_signed(&n, k, "/v1/blocks/2").await;
        assert!(!v.to_string().contains("Industrial zone"), "{v}");
        let (s, v) = get_signed(&n, k, &format!("/v1/txs/{}/bundle", tx.hash())).await;
        assert_eq!((s, v["code"].as_str()), (StatusCode::FORBIDDEN, Some("RESTRICTED_FIELD")), "{v}");
    }
    for k in [&reg, &miner] {
        let (_, v) = get_signed(&n, k, "/v1/mining-notifications").await;
        assert_eq!(v["items"][0]["site"]["address"], "Industrial zone 1", "{v}");
        assert!(v["items"][0]["site"].get("address_redacted").is_none(), "{v}");
        let (_, v) = get_signed(&n, k, "/v1/mining-notifications/1").await;
        assert_eq!(v["site"]["address"], "Industrial zone 1", "{v}");
        let (_, v) = get_signed(&n, k, &format!("/v1/txs/{}", tx.hash())).await;
        assert_eq!(v["raw"].as_str(), Some(hex::encode(tx.encode()).as_str()), "{v}");
        let (_, v) = get_signed(&n, k, "/v1/blocks/2?encoding=borsh").await;
        assert!(v["raw"].is_string(), "{v}");
        let (s, v) = get_signed(&n, k, &format!("/v1/txs/{}/bundle", tx.hash())).await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }
}

/// A request whose signature does not verify is refused whatever the
/// policy, with a localized message, and never reaches a register.
#[tokio::test]
async fn a_bad_signature_is_refused_in_the_asked_language() {
    let n = Node::scenario();
    let reg = n.c.reg.clone();
    let uri = "/v1/mining-notifications/1";
    let mut req = Request::builder().method("GET").uri(uri).header("accept-language", "ru");
    for (name, value) in
        tamga_types::request::sign_headers(&reg, &super::audience(), "GET", "/v1/mining-notifications/2", now_ms(), b"")
    {
        req = req.header(name, value);
    }
    let resp = router(n.ctx.clone()).oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(resp.headers()["content-language"], "ru");
    let v: Value = serde_json::from_slice(&axum::body::to_bytes(resp.into_body(), usize::MAX).await.unwrap()).unwrap();
    assert_eq!(v["code"], "BAD_REQUEST_SIGNATURE", "{v}");
    assert!(cyrillic(v["message"].as_str().unwrap()), "{v}");
    assert!(!v.to_string().contains("Industrial zone"), "{v}");
    // An unknown key, in Kazakh.
    let stranger = key(77);
    let mut req = Request::builder().method("GET").uri(uri).header("accept-language", "kk");
    for (name, value) in tamga_types::request::sign_headers(&stranger, &super::audience(), "GET", uri, now_ms(), b"") {
        req = req.header(name, value);
    }
    let resp = router(n.ctx.clone()).oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let v: Value = serde_json::from_slice(&axum::body::to_bytes(resp.into_body(), usize::MAX).await.unwrap()).unwrap();
    assert_eq!((v["code"].as_str(), v["field"].as_str()), (Some("BAD_REQUEST_SIGNATURE"), Some("x-tamga-key")), "{v}");
    let m = v["message"].as_str().unwrap();
    assert!(kazakh(m) && m.contains(&stranger.public().to_hex()), "{m}");
}

/// Consensus bytes never depend on wording (`docs/wire-format.md` §10): a
/// failed receipt holds a code and arguments; the API renders its message in
/// the request's language, the same code and arguments in every language,
/// and the receipt read back from any of them hashes as the committed one.
#[tokio::test]
async fn rule6_a_failed_receipt_is_rendered_in_the_requests_language() {
    let n = Node::scenario();
    let tx = n.ledger.block(4).unwrap().unwrap().txs[0].clone();
    let committed = n.ledger.transaction(&tx.hash()).unwrap().unwrap().receipt;
    let needed = (1u128 << 90).to_string();
    let mut structured = Vec::new();
    for (lang, tag, words) in [
        (None, "en", "insufficient free balance of class 1"),
        (Some("ru-RU,ru;q=0.9"), "ru", "недостаточно свободного остатка класса 1"),
        (Some("kk"), "kk", "1 класының бос қалдығы жеткіліксіз"),
    ] {
        let (s, content_lang, v) = call_in(&n, lang, "GET", &format!("/v1/txs/{}", tx.hash()), None).await;
        assert_eq!((s, content_lang.as_str()), (StatusCode::OK, tag), "{v}");
        let o = &v["receipt"]["outcome"];
        assert_eq!(o["code"], "INSUFFICIENT_BALANCE", "{v}");
        let message = o["message"].as_str().unwrap();
        assert!(message.contains(words) && message.contains(&needed), "{tag}: {message}");
        assert_eq!(tag != "en", cyrillic(message), "{tag}: {message}");
        structured.push((o["code"].clone(), o["args"].clone()));
        let back: Receipt = serde_json::from_value(v["receipt"].clone()).unwrap();
        assert_eq!(back.hash(), committed.hash(), "{tag}: the rendered message is no part of the receipt");

        // The block's receipts, in the same language.
        let (_, _, v) = call_in(&n, lang, "GET", "/v1/blocks/4/receipts", None).await;
        assert_eq!(v["receipts"][0]["outcome"]["message"].as_str(), Some(message), "{v}");
    }
    assert!(structured.windows(2).all(|w| w[0] == w[1]), "code and args do not change with the language");
    assert_eq!(structured[0].1, json!([["class", "1"], ["needed", needed], ["available", "2500"]]));
}
