//! The console's catalogues and assets: every label exists in Kazakh and
//! Russian (SPEC §11: Kazakh no less complete than Russian), every key the
//! page uses exists, every enum value the API returns has a label, and the
//! page loads nothing from outside the node.

use std::collections::{BTreeMap, BTreeSet};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use tower::ServiceExt;

use super::{ASSETS, CSP, LANGUAGES};

fn asset(name: &str) -> &'static str {
    let a = ASSETS.iter().find(|a| a.name == name).unwrap_or_else(|| panic!("asset {name} is embedded"));
    std::str::from_utf8(a.body).unwrap_or_else(|e| panic!("{name} is UTF-8: {e}"))
}

fn catalogue(lang: &str) -> BTreeMap<String, String> {
    serde_json::from_str(asset(&format!("{lang}.json")))
        .unwrap_or_else(|e| panic!("{lang}.json is a flat JSON object of strings: {e}"))
}

fn placeholders(s: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = s;
    while let Some(i) = rest.find('{') {
        rest = &rest[i + 1..];
        if let Some(j) = rest.find('}') {
            out.insert(rest[..j].to_owned());
            rest = &rest[j + 1..];
        }
    }
    out
}

#[test]
fn kazakh_and_russian_have_every_english_key() {
    let en = catalogue("en");
    assert!(en.len() > 100, "the English catalogue has {} keys", en.len());
    for lang in LANGUAGES {
        let cat = catalogue(lang);
        let missing: Vec<&String> = en.keys().filter(|k| !cat.contains_key(*k)).collect();
        assert!(missing.is_empty(), "{lang}.json lacks {} keys: {missing:?}", missing.len());
        let empty: Vec<&String> = cat.iter().filter(|(_, v)| v.trim().is_empty()).map(|(k, _)| k).collect();
        assert!(empty.is_empty(), "{lang}.json has empty labels: {empty:?}");
        let stray: Vec<&String> = cat.keys().filter(|k| !en.contains_key(*k)).collect();
        assert!(stray.is_empty(), "{lang}.json has keys English lacks (typos?): {stray:?}");
        for (k, v) in &en {
            assert_eq!(placeholders(&cat[k]), placeholders(v), "{lang}.json {k}: placeholders differ from English");
        }
    }
}

/// The Kazakh and Russian labels are translations, not English copies:
/// only proper names and technical units may stay the same.
#[test]
fn kazakh_and_russian_are_translated() {
    let en = catalogue("en");
    for lang in ["kk", "ru"] {
        let cat = catalogue(lang);
        let cyrillic = cat.values().filter(|v| v.chars().any(|c| ('\u{0400}'..='\u{04ff}').contains(&c))).count();
        assert!(cyrillic * 10 >= cat.len() * 9, "{lang}: only {cyrillic} of {} labels are in Cyrillic", cat.len());
    }
    // Kazakh uses its own letters (official Cyrillic alphabet), not Russian spelling.
    let kk = catalogue("kk");
    let specific = kk.values().filter(|v| v.chars().any(|c| "әғқңөұүһіӘҒҚҢӨҰҮҺІ".contains(c))).count();
    assert!(specific * 2 >= kk.len(), "only {specific} of {} Kazakh labels use Kazakh letters", kk.len());
    let same_as_ru: Vec<&String> =
        kk.keys().filter(|k| kk[*k] == catalogue("ru")[*k] && kk[*k] != en[*k] && !k.starts_with("feed.")).collect();
    // Shared words (Астана, майнер, хеш, эмитент, облигация…) are fine; a
    // Russian catalogue copied under kk.json is not.
    assert!(same_as_ru.len() * 10 < kk.len(), "Kazakh labels copied from Russian: {same_as_ru:?}");
}

/// The contents of every '…' or "…" literal that closes on its line.
fn string_literals(src: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for line in src.lines() {
        let mut rest = line;
        while let Some(i) = rest.find(['\'', '"']) {
            let quote = &rest[i..i + 1];
            let after = &rest[i + 1..];
            match after.find(quote) {
                Some(j) => {
                    out.push(&after[..j]);
                    rest = &after[j + 1..];
                }
                None => break,
            }
        }
    }
    out
}

/// Every literal key in app.js (`t('…')`, `i18n: '…'`, column lists) and
/// every `data-i18n` of index.html exists in en.json.
#[test]
fn every_key_the_page_uses_exists() {
    let en = catalogue("en");
    let mut used = BTreeSet::new();
    for src in [asset("app.js"), asset("index.html"), asset("session.js")] {
        for piece in string_literals(src) {
            {
                let mut parts = piece.split('.');
                let (Some(a), Some(b), None) = (parts.next(), parts.next(), parts.next()) else { continue };
                let ident = |s: &str| {
                    !s.is_empty()
                        && s.starts_with(|c: char| c.is_ascii_lowercase())
                        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                };
                if ident(a) && ident(b) && !["json", "js", "css", "svg"].contains(&b) {
                    used.insert(piece.to_owned());
                }
            }
        }
    }
    assert!(used.len() > 100, "found {} keys in the page; the scan is broken", used.len());
    let missing: Vec<&String> = used.iter().filter(|k| !en.contains_key(*k)).collect();
    assert!(missing.is_empty(), "keys used by the console but missing from en.json: {missing:?}");
    // The key panel's refusals are labelled `keyerr.<code>`, the codes
    // being those session.js and keyfile.js throw.
    let mut codes = BTreeSet::new();
    for piece in asset("session.js").split("new KeyRefused('").skip(1) {
        codes.insert(piece.split('\'').next().unwrap_or_default().to_owned());
    }
    for piece in asset("keyfile.js").split("new KeyFileError('").skip(1) {
        codes.insert(piece.split('\'').next().unwrap_or_default().to_lowercase());
    }
    codes.extend(["key_file_format".to_owned(), "wrong_passphrase".to_owned()]);
    assert!(codes.len() >= 7, "found the refusal codes {codes:?}; the scan is broken");
    for c in &codes {
        assert!(
            en.contains_key(&format!("keyerr.{c}")),
            "session.js can refuse with {c:?} but en.json lacks keyerr.{c}"
        );
    }
    let html = asset("index.html");
    for piece in html.split("data-i18n=\"").skip(1) {
        let key = piece.split('"').next().unwrap_or_default();
        assert!(en.contains_key(key), "index.html data-i18n={key:?} is not in en.json");
    }
}

/// Every value the API can return for a labelled enum has a label.
#[test]
fn every_enum_value_has_a_label() {
    use tamga_types::*;
    let en = catalogue("en");
    fn name<T: serde::Serialize>(v: T) -> String {
        serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
    }
    let mut want: Vec<String> = Region::ALL.iter().map(|r| format!("region.{}", r.as_str())).collect();
    want.extend(crate::api::RECEIPT_EVENT_KINDS.iter().map(|k| format!("event.{k}")));
    use EnergySource as E;
    for e in [E::Grid, E::OwnGeneration, E::Renewable, E::AssociatedGas, E::Other] {
        want.push(format!("energy.{}", name(e)));
    }
    for a in [Activity::Issuance, Activity::TradingOrganisation, Activity::Exchange] {
        want.push(format!("activity.{}", name(a)));
    }
    use MiningNotificationKind as M;
    for k in [M::Start, M::Change, M::Termination] {
        want.push(format!("kind.{}", name(k)));
    }
    for s in [Scope::Assets, Scope::Mining] {
        want.push(format!("scope.{}", name(s)));
    }
    for k in [EncumbranceKind::Pledge, EncumbranceKind::Lien, EncumbranceKind::Arrest, EncumbranceKind::Other] {
        want.push(format!("encumbrance.{}", name(k)));
    }
    use ObjectKind as O;
    for k in [O::Thing, O::Goods, O::RawResource, O::Claim, O::DigitalObject, O::Other] {
        want.push(format!("object.{}", name(k)));
    }
    use RightKind as R;
    for k in [R::Goods, R::Services, R::Share, R::Bond, R::Vote, R::Dividend] {
        want.push(format!("right.{}", name(k)));
    }
    for s in ["submitted", "accepted", "rejected"] {
        want.push(format!("status.{s}"));
    }
    for k in [PartyStatus::Active, PartyStatus::Suspended, PartyStatus::Revoked] {
        want.push(format!("party_status.{}", name(k)));
    }
    for k in [ClassStatus::Active, ClassStatus::Paused, ClassStatus::Closed] {
        want.push(format!("class_status.{}", name(k)));
    }
    let missing: Vec<&String> = want.iter().filter(|k| !en.contains_key(*k)).collect();
    assert!(missing.is_empty(), "enum values without a label: {missing:?}");
}

/// Nothing is fetched from outside the node and nothing inline needs the
/// Content-Security-Policy relaxed.
#[test]
fn the_page_is_self_contained() {
    // The vendored modules' comments name their authors' sites; what they
    // import is checked in `vendored_modules_match_their_manifest`.
    for a in ASSETS.iter().filter(|a| {
        !a.name.starts_with("vendor/")
            && (a.name.ends_with(".html") || a.name.ends_with(".js") || a.name.ends_with(".css"))
    }) {
        let text = std::str::from_utf8(a.body).expect("text asset");
        for bad in ["http://", "https://", "//cdn", "@import", "url(http"] {
            assert!(!text.contains(bad), "{} refers to an external origin ({bad})", a.name);
        }
    }
    let html = asset("index.html");
    assert!(!html.contains(" style=") && !html.contains("<style"), "inline style in index.html");
    assert!(!html.contains(" onclick=") && !html.contains(" onload="), "inline handler in index.html");
    for tag in html.split("<script").skip(1) {
        assert!(tag.trim_start().starts_with("src="), "inline script in index.html");
    }
    let js = asset("app.js");
    assert!(!js.contains("innerHTML") && !js.contains("eval("), "app.js builds markup from strings");
}

async fn get(uri: &str) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let n = crate::api::tests::Node::new();
    let req = Request::builder().uri(uri).body(Body::empty()).expect("request");
    let resp = crate::api::router(n.ctx.clone()).oneshot(req).await.expect("answer");
    let (parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.expect("body");
    (parts.status, parts.headers, bytes.to_vec())
}

#[tokio::test]
async fn tamgad_serves_the_console_with_a_strict_policy() {
    for (uri, mime) in [
        ("/console", "text/html"),
        ("/console/index.html", "text/html"),
        ("/console/app.js", "text/javascript"),
        ("/console/style.css", "text/css"),
        ("/console/kk.json", "application/json"),
        ("/console/favicon.svg", "image/svg+xml"),
        ("/console/wire.js", "text/javascript"),
        ("/console/keyfile.js", "text/javascript"),
        ("/console/vendor/noble-ed25519/index.js", "text/javascript"),
        ("/console/vendor/noble-hashes/argon2.js", "text/javascript"),
        ("/console/vendor/noble-ciphers/chacha.js", "text/javascript"),
        ("/console/vendor/noble-ciphers/LICENSE", "text/plain"),
        ("/console/vendor.json", "application/json"),
        ("/console/settings.json", "application/json"),
    ] {
        let (status, headers, body) = get(uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        let ct = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert!(ct.starts_with(mime), "{uri}: content-type {ct}");
        assert_eq!(headers.get("content-security-policy").and_then(|v| v.to_str().ok()), Some(CSP), "{uri}");
        assert_eq!(headers.get("x-content-type-options").and_then(|v| v.to_str().ok()), Some("nosniff"));
        assert!(!body.is_empty(), "{uri}");
    }
    assert!(CSP.contains("default-src 'none'") && !CSP.contains("unsafe") && !CSP.contains("http"), "{CSP}");
    let (status, _, body) = get("/console/secret.txt").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let v: serde_json::Value = serde_json::from_slice(&body).expect("JSON error");
    assert_eq!(v["code"], "ASSET_NOT_FOUND");
    assert!(v["message"].as_str().unwrap_or_default().contains("app.js"), "{v}");
    let (status, _, _) = get("/console/..%2Fconfig.toml").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = get("/console/vendor/noble-hashes/scrypt.js").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "only the vendored files are served");
    let (status, _, _) = get("/console/vendor/..%2F..%2Fconfig.toml/x").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The test node's [console] is the default: no key loading.
    let (_, _, body) = get("/console/settings.json").await;
    let v: serde_json::Value = serde_json::from_slice(&body).expect("settings JSON");
    assert_eq!(v, serde_json::json!({ "allow_key_loading": false, "key_idle_timeout_s": 600 }));
}

/// The vendored third-party modules are byte for byte the files the
/// manifest names (sha256 of each, pinned versions, a licence per package),
/// every vendored asset is in it, and they import only each other.
#[test]
fn vendored_modules_match_their_manifest() {
    use sha2::{Digest, Sha256};
    let manifest: serde_json::Value = serde_json::from_str(asset("vendor.json")).expect("manifest JSON");
    let mut listed = BTreeSet::new();
    let packages = manifest["packages"].as_array().expect("packages");
    assert_eq!(packages.len(), 3, "@noble/ed25519, @noble/hashes, @noble/ciphers");
    for p in packages {
        let (name, dir) = (p["name"].as_str().expect("name"), p["dir"].as_str().expect("dir"));
        let version = p["version"].as_str().expect("version");
        assert!(
            version.split('.').count() == 3 && version.split('.').all(|n| n.parse::<u32>().is_ok()),
            "{name} pins an exact version: {version}"
        );
        assert!(p["integrity"].as_str().is_some_and(|i| i.starts_with("sha512-")), "{name}: npm integrity");
        let files = p["files"].as_object().expect("files");
        assert!(files.contains_key("LICENSE"), "{name} ships its licence");
        for (file, want) in files {
            let path = format!("vendor/{dir}/{file}");
            let a = ASSETS.iter().find(|a| a.name == path).unwrap_or_else(|| panic!("{path} is embedded"));
            assert_eq!(
                hex::encode(Sha256::digest(a.body)),
                want.as_str().expect("sha256"),
                "{path} differs from {name}@{version}"
            );
            listed.insert(path);
        }
    }
    for a in ASSETS.iter().filter(|a| a.name.starts_with("vendor/")) {
        assert!(listed.contains(a.name), "{} is served but not in the manifest", a.name);
        if a.name.ends_with(".js") {
            let text = std::str::from_utf8(a.body).expect("UTF-8");
            // Outside block comments (whose examples import by package name).
            let mut in_comment = false;
            for line in text.lines() {
                if in_comment {
                    in_comment = !line.contains("*/");
                    continue;
                }
                if line.trim_start().starts_with("/*") {
                    in_comment = !line.contains("*/");
                    continue;
                }
                if !(line.starts_with("import ") || line.starts_with("export ")) {
                    continue;
                }
                if let Some(i) = line.find(" from ") {
                    let spec = line[i + 6..].trim().trim_matches(|c| c == '"' || c == '\'' || c == ';');
                    assert!(spec.starts_with("./"), "{} imports {spec:?}: only its package's own files", a.name);
                }
            }
            assert!(!text.contains("import("), "{} imports at run time", a.name);
        }
    }
    // The console's own modules import only what is vendored.
    for name in ["wire.js", "keyfile.js", "session.js"] {
        for line in asset(name).lines().filter(|l| l.starts_with("import ")) {
            let spec = line.rsplit(" from ").next().unwrap_or_default().trim().trim_matches(|c| c == '\'' || c == ';');
            let target = spec.trim_start_matches("./");
            assert!(ASSETS.iter().any(|a| a.name == target), "{name} imports {spec:?}, which is not embedded");
        }
    }
}

/// `[console]`: key loading only with TLS or on loopback; the idle timeout bounded.
#[test]
fn key_loading_needs_tls_or_loopback() {
    use super::ConsoleConfig;
    let on = ConsoleConfig { allow_key_loading: true, ..ConsoleConfig::default() };
    let public: std::net::SocketAddr = "10.1.2.3:8080".parse().expect("addr");
    let loopback: std::net::SocketAddr = "127.0.0.1:8080".parse().expect("addr");
    on.validate(false, loopback).expect("loopback");
    on.validate(true, public).expect("TLS");
    let e = on.validate(false, public).expect_err("plain HTTP outside loopback").to_string();
    assert!(e.contains("console.allow_key_loading") && e.contains("10.1.2.3:8080"), "{e}");
    ConsoleConfig::default().validate(false, public).expect("off is always fine");
    let short = ConsoleConfig { key_idle_timeout_s: 5, ..ConsoleConfig::default() };
    let e = short.validate(true, public).expect_err("too short").to_string();
    assert!(e.contains("console.key_idle_timeout_s") && e.contains('5'), "{e}");
}

/// SPEC §4, DC art. 20 p.4: the holding view reads a holding's restrictions
/// from `GET /v1/classes/{id}/restrictions?holder=` and shows, per record,
/// its id, who imposed it and as what, the legal basis, the amount or the
/// whole holding, and the height it was lifted at; its history lists each
/// restriction and lifting. This checks that the page asks that route,
/// labels every value it shows, and that the answer carries every field the
/// page reads, for a freeze of an amount, a whole-holding freeze, a class
/// pause and a lifting.
#[tokio::test]
async fn rule2_console_shows_a_holdings_restrictions() {
    use crate::api::tests::{assert_ok, sign, text, Node};
    use tamga_types::{ClassId, Payload, RestrictionId};

    let js = asset("app.js");
    for needle in ["'/restrictions?holder='", "holding: () => viewHolding(", "'#/holding/'", "r.lifted.height"] {
        assert!(js.contains(needle), "app.js lacks {needle}");
    }
    let en = catalogue("en");
    for k in [
        "restriction.freeze",
        "restriction.pause",
        "authority.issuer",
        "authority.regulator",
        "event.frozen",
        "event.class_paused",
        "event.restriction_lifted",
        "holding.whole_holding",
        "holding.standing",
    ] {
        assert!(en.contains_key(k), "en.json lacks {k}");
    }

    let mut n = Node::scenario();
    let (reg, issuer, alice) = (n.c.reg.clone(), n.c.issuer.clone(), n.c.alice.clone());
    let freeze = |amount| Payload::Freeze {
        class: ClassId(1),
        holder: alice.public(),
        amount,
        legal_basis: text("court order"),
    };
    assert_ok(&n.block(vec![
        sign(&reg, 1, freeze(Some(500))),
        sign(&issuer, 4, freeze(None)),
        sign(&issuer, 5, Payload::SetClassPaused { class: ClassId(1), paused: true, legal_basis: text("audit") }),
    ]));
    assert_ok(&n.block(vec![sign(
        &reg,
        2,
        Payload::LiftRestriction { restriction: RestrictionId(1), legal_basis: text("lifted") },
    )]));
    let uri = format!("/v1/classes/1/restrictions?holder={}", alice.public().to_hex());
    let (status, v) = n.get(&uri).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let rs = v.as_array().expect("a list");
    assert_eq!(rs.len(), 3, "{v}");
    for r in rs {
        for f in ["id", "imposed_by", "authority", "legal_basis", "height", "tx", "lifted"] {
            assert!(r.get(f).is_some(), "{f} missing in {r}");
        }
        assert!(en.contains_key(&format!("authority.{}", r["authority"].as_str().unwrap())), "{r}");
    }
    // What the page shows in its "Amount" column and "Lifted at height".
    assert_eq!(rs[0]["target"]["holding"]["amount"], 500);
    assert_eq!((rs[0]["authority"].as_str(), rs[0]["lifted"]["height"].as_u64()), (Some("regulator"), Some(6)));
    assert!(rs[1]["target"]["holding"]["amount"].is_null(), "a whole-holding freeze: {}", rs[1]);
    assert_eq!((rs[1]["authority"].as_str(), rs[1]["lifted"].is_null()), (Some("issuer"), true));
    assert!(rs[2]["target"]["class"].is_object(), "a class pause: {}", rs[2]);
}

/// Digital Code art. 47 p.4, 49: where the console shows who signed (a
/// record's history) or what was signed (a block's receipts), it says that a
/// Tamga signature is a digital confirmation, not an electronic digital
/// signature — in each of its languages.
#[test]
fn rule9_console_states_the_signature_standing() {
    let js = asset("app.js");
    let uses = js.matches("i18n: 'signature.standing'").count();
    assert_eq!(uses, 2, "the record and block views each state it; app.js has it {uses} times");
    for fun in ["async function viewRecord(", "async function viewBlock("] {
        let start = js.find(fun).unwrap_or_else(|| panic!("app.js lacks {fun}"));
        let body = &js[start..];
        let end = body[1..].find("async function ").map_or(body.len(), |i| i + 1);
        assert!(body[..end].contains("'signature.standing'"), "{fun} does not state the signature's standing");
    }
    for (lang, eds) in [("en", "electronic digital signature"), ("ru", "ЭЦП"), ("kk", "ЭЦҚ")] {
        let text = catalogue(lang).get("signature.standing").cloned().unwrap_or_default();
        assert!(text.contains(eds) && text.contains("47"), "{lang}: {text:?}");
    }
}
