//! The contract test: every operation of `/openapi.json`, driven against the
//! live router over a ledger with data ([`Node::scenario`]), with requests
//! generated from the document itself (proptest strategies derived from each
//! parameter's schema: patterns, integer bounds, enums; and values outside
//! them), anonymous and signed (by a regulator, by a plain account, with
//! broken signature headers), under both read policies. Every answer must be
//! one the document gives for that operation: a documented status (never
//! 500), a documented media type, and a body that validates against that
//! answer's schema (for an error, `code` among the codes of that status; for
//! an event stream, every event; for the issuer export, every line; for a
//! CSV download, its header row).
//!
//! Reproducible: the proptest RNG is seeded (`TAMGA_CONTRACT_SEED`, printed),
//! and the number of cases per operation is `TAMGA_CONTRACT_CASES` (48 by
//! default).

use std::collections::BTreeMap;
use std::time::Duration;

use futures::StreamExt;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use serde_json::{json, Value};

use super::*;
use crate::api::openapi::document;

// ---------------------------------------------------------------------------
// A JSON Schema validator for the subset of draft 2020-12 the document uses.
// A keyword it does not know fails the test, so the document cannot use a
// keyword this test would silently ignore.

const ANNOTATIONS: &[&str] = &["description", "format", "examples", "title"];

fn resolve<'a>(doc: &'a Value, pointer: &str) -> &'a Value {
    let p = pointer.strip_prefix('#').unwrap_or_else(|| panic!("external $ref {pointer}"));
    doc.pointer(p).unwrap_or_else(|| panic!("$ref {pointer} does not resolve"))
}

fn type_matches(t: &str, v: &Value) -> bool {
    match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        "number" => v.is_number(),
        "integer" => v.is_u64() || v.is_i64() || v.as_f64().is_some_and(|f| f.fract() == 0.0),
        other => panic!("unknown JSON Schema type {other}"),
    }
}

/// `a <= b` for JSON numbers (exact for integers up to u64).
fn num_le(a: &Value, b: &Value) -> bool {
    match (a.as_u64(), b.as_u64()) {
        (Some(x), Some(y)) => x <= y,
        _ => match (a.as_i64(), b.as_i64()) {
            (Some(x), Some(y)) => x <= y,
            _ => a.as_f64().unwrap_or(f64::NAN) <= b.as_f64().unwrap_or(f64::NAN),
        },
    }
}

fn validate(doc: &Value, schema: &Value, v: &Value, at: &str) -> Result<(), String> {
    let s = match schema {
        Value::Bool(true) => return Ok(()),
        Value::Bool(false) => return Err(format!("{at}: nothing is allowed here")),
        Value::Object(s) => s,
        other => panic!("{at}: schema is not an object: {other}"),
    };
    for (k, kw) in s {
        let fail = |why: String| Err(format!("{at}: {why} (value {})", short(v)));
        match k.as_str() {
            "$ref" => validate(doc, resolve(doc, kw.as_str().expect("$ref string")), v, at)?,
            "type" => {
                let ok = match kw {
                    Value::String(t) => type_matches(t, v),
                    Value::Array(ts) => ts.iter().any(|t| type_matches(t.as_str().expect("type name"), v)),
                    _ => panic!("{at}: type {kw}"),
                };
                if !ok {
                    return fail(format!("not of type {kw}"));
                }
            }
            "enum" => {
                if !kw.as_array().expect("enum array").contains(v) {
                    return fail(format!("not one of {kw}"));
                }
            }
            "const" => {
                if kw != v {
                    return fail(format!("not {kw}"));
                }
            }
            "properties" => {
                if let Some(o) = v.as_object() {
                    for (name, sub) in kw.as_object().expect("properties object") {
                        if let Some(x) = o.get(name) {
                            validate(doc, sub, x, &format!("{at}/{name}"))?;
                        }
                    }
                }
            }
            "required" => {
                if let Some(o) = v.as_object() {
                    for name in kw.as_array().expect("required array") {
                        if !o.contains_key(name.as_str().expect("required name")) {
                            return fail(format!("lacks required {name}"));
                        }
                    }
                }
            }
            "additionalProperties" => {
                if let Some(o) = v.as_object() {
                    let known = s.get("properties").and_then(Value::as_object);
                    for (name, x) in o {
                        if !known.is_some_and(|p| p.contains_key(name)) {
                            validate(doc, kw, x, &format!("{at}/{name}"))
                                .map_err(|e| format!("{e} (property {name} not in the schema)"))?;
                        }
                    }
                }
            }
            "items" => {
                if let Some(a) = v.as_array() {
                    let skip = s.get("prefixItems").and_then(Value::as_array).map_or(0, Vec::len);
                    for (i, x) in a.iter().enumerate().skip(skip) {
                        validate(doc, kw, x, &format!("{at}/{i}"))?;
                    }
                }
            }
            "prefixItems" => {
                if let Some(a) = v.as_array() {
                    for (i, (sub, x)) in kw.as_array().expect("prefixItems array").iter().zip(a).enumerate() {
                        validate(doc, sub, x, &format!("{at}/{i}"))?;
                    }
                }
            }
            "minItems" | "maxItems" | "minProperties" | "maxProperties" => {
                let n = match v {
                    Value::Array(a) if k.ends_with("Items") => a.len(),
                    Value::Object(o) if k.ends_with("Properties") => o.len(),
                    _ => continue,
                } as u64;
                let bound = kw.as_u64().expect("count bound");
                if (k.starts_with("min") && n < bound) || (k.starts_with("max") && n > bound) {
                    return fail(format!("{k} {bound}, has {n}"));
                }
            }
            "minimum" => {
                if v.is_number() && !num_le(kw, v) {
                    return fail(format!("below minimum {kw}"));
                }
            }
            "maximum" => {
                if v.is_number() && !num_le(v, kw) {
                    return fail(format!("above maximum {kw}"));
                }
            }
            "pattern" => {
                if let Some(text) = v.as_str() {
                    let re = regex::Regex::new(kw.as_str().expect("pattern string")).expect("pattern compiles");
                    if !re.is_match(text) {
                        return fail(format!("does not match {kw}"));
                    }
                }
            }
            "oneOf" => {
                let alts = kw.as_array().expect("oneOf array");
                let errors: Vec<String> = alts.iter().filter_map(|a| validate(doc, a, v, at).err()).collect();
                let matched = alts.len() - errors.len();
                if matched != 1 {
                    return fail(format!("matches {matched} of the oneOf alternatives: {errors:?}"));
                }
            }
            "anyOf" => {
                let alts = kw.as_array().expect("anyOf array");
                let errors: Vec<String> = alts.iter().filter_map(|a| validate(doc, a, v, at).err()).collect();
                if errors.len() == alts.len() {
                    return fail(format!("matches none of anyOf: {errors:?}"));
                }
            }
            "allOf" => {
                for a in kw.as_array().expect("allOf array") {
                    validate(doc, a, v, at)?;
                }
            }
            k if ANNOTATIONS.contains(&k) || k.starts_with("x-") => {}
            other => panic!("{at}: the contract test does not know the JSON Schema keyword {other:?}"),
        }
    }
    Ok(())
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 300 {
        format!("{}…", &s[..s.char_indices().nth(300).map_or(s.len(), |(i, _)| i)])
    } else {
        s
    }
}

#[test]
fn the_validator_refuses_what_a_schema_refuses() {
    let doc = document();
    let hash = json!({ "$ref": "#/components/schemas/Hash" });
    assert!(validate(&doc, &hash, &json!("ab".repeat(32)), "").is_ok());
    assert!(validate(&doc, &hash, &json!("AB".repeat(32)), "").is_err(), "the node writes lower case");
    let error = json!({ "$ref": "#/components/schemas/Error", "properties": { "code": { "enum": ["A"] } } });
    assert!(validate(&doc, &error, &json!({ "code": "A", "message": "m" }), "").is_ok());
    assert!(validate(&doc, &error, &json!({ "code": "B", "message": "m" }), "").is_err(), "code not listed");
    assert!(validate(&doc, &error, &json!({ "code": "A", "message": "m", "extra": 1 }), "").is_err(), "closed");
    assert!(validate(&doc, &error, &json!({ "code": "A" }), "").is_err(), "required");
    let page = json!({ "$ref": "#/components/schemas/MiningPage" });
    assert!(validate(&doc, &page, &json!([]), "").is_err(), "an array is not a page");
    let total = json!({ "$ref": "#/components/schemas/RegionTotal" });
    let t = json!({ "region": "pavlodar", "sites": 1, "capacity_kw": 2, "units": 3 });
    assert!(validate(&doc, &total, &t, "").is_ok());
    let bad = json!({ "region": "mars", "sites": 1, "capacity_kw": 2, "units": 3 });
    assert!(validate(&doc, &total, &bad, "").is_err(), "enum");
    let neg = json!({ "region": null, "sites": -1, "capacity_kw": 2, "units": 3 });
    assert!(validate(&doc, &total, &neg, "").is_err(), "minimum");
}

// ---------------------------------------------------------------------------
// Requests generated from the document.

/// Values of the live ledger a random pattern would never hit.
#[derive(Clone)]
struct Pool {
    /// Transaction hashes.
    hashes: Vec<String>,
    /// Hashes of published escrow terms (the hashes `/v1/terms/{hash}` knows).
    terms: Vec<String>,
    keys: Vec<String>,
    tx_hex: Vec<String>,
    bundle_hex: Vec<String>,
}

/// One generated request.
#[derive(Clone, Debug)]
struct Case {
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Option<String>,
    /// 0 anonymous, 1 signed by a regulator, 2 by a plain account, 3 broken signature headers.
    signer: u8,
    public_read: bool,
}

fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~,".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn schema_of<'a>(doc: &'a Value, s: &'a Value) -> &'a Value {
    match s["$ref"].as_str() {
        Some(p) => schema_of(doc, resolve(doc, p)),
        None => s,
    }
}

/// Values the schema accepts (or the handler's bound says it does).
fn valid_values(doc: &Value, schema: &Value, pool: &Pool) -> BoxedStrategy<String> {
    let name = schema["$ref"].as_str().unwrap_or_default().to_owned();
    let s = schema_of(doc, schema);
    if let Some(values) = s["enum"].as_array() {
        let names: Vec<String> =
            values.iter().map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned)).collect();
        return proptest::sample::select(names).boxed();
    }
    if s["type"] == "integer" {
        let min = s["minimum"].as_u64().unwrap_or(0);
        let max = s["maximum"].as_u64().unwrap_or(u64::MAX);
        return prop_oneof![
            // Ids and heights of the scenario are small.
            4 => (min..=min.saturating_add(3).min(max)).prop_map(|n| n.to_string()),
            2 => (min..=min.saturating_add(8).min(max)).prop_map(|n| n.to_string()),
            1 => (min..=max).prop_map(|n| n.to_string()),
            1 => Just(max.to_string()),
        ]
        .boxed();
    }
    if s["type"] == "boolean" {
        return proptest::sample::select(vec!["true".to_owned(), "false".to_owned()]).boxed();
    }
    let from_pool: Vec<String> = match name.as_str() {
        "#/components/schemas/HashParam" => pool.hashes.clone(),
        "#/components/schemas/KeyParam" => pool.keys.clone(),
        _ => Vec::new(),
    };
    let generated = match s["pattern"].as_str() {
        Some(p) => {
            let p = p.strip_prefix('^').unwrap_or(p);
            let p = p.strip_suffix('$').unwrap_or(p);
            proptest::string::string_regex(p).unwrap_or_else(|e| panic!("pattern {p}: {e}")).boxed()
        }
        None => match s["examples"].as_array() {
            Some(ex) => {
                proptest::sample::select(ex.iter().filter_map(|e| e.as_str().map(str::to_owned)).collect::<Vec<_>>())
                    .boxed()
            }
            None => "[a-z0-9._-]{0,12}".boxed(),
        },
    };
    if from_pool.is_empty() {
        generated
    } else {
        prop_oneof![2 => proptest::sample::select(from_pool), 1 => generated].boxed()
    }
}

/// Values outside the schema, or at its edges.
fn invalid_values() -> BoxedStrategy<String> {
    prop_oneof![
        Just(String::new()),
        Just("-1".to_owned()),
        Just("0".to_owned()),
        Just("18446744073709551616".to_owned()),
        Just("latest".to_owned()),
        Just("2026-02-30".to_owned()),
        "\\PC{0,16}",
    ]
    .boxed()
}

fn maybe(valid: BoxedStrategy<String>, required: bool) -> BoxedStrategy<Option<String>> {
    let absent = if required { 1 } else { 4 };
    prop_oneof![
        absent => Just(None),
        6 => valid.prop_map(Some),
        2 => invalid_values().prop_map(Some),
    ]
    .boxed()
}

fn body_values(doc: &Value, op: &Value, pool: &Pool) -> BoxedStrategy<Option<String>> {
    let Some(schema) = op["requestBody"]["content"]["application/json"].get("schema") else {
        return Just(None).boxed();
    };
    let s = schema_of(doc, schema);
    let mut alts: Vec<BoxedStrategy<String>> = vec![
        Just("{".to_owned()).boxed(),
        Just("{}".to_owned()).boxed(),
        Just("[]".to_owned()).boxed(),
        "\\PC{0,32}".boxed(),
    ];
    for (name, prop) in s["properties"].as_object().cloned().unwrap_or_default() {
        let real: Vec<String> = match name.as_str() {
            "tx" | "txs" => pool.tx_hex.clone(),
            "bundle" => pool.bundle_hex.clone(),
            _ => Vec::new(),
        };
        let item_schema = if prop["type"] == "array" { prop["items"].clone() } else { prop.clone() };
        let random = valid_values(doc, &item_schema, pool);
        let one = if real.is_empty() {
            random
        } else {
            prop_oneof![3 => proptest::sample::select(real), 1 => random].boxed()
        };
        let array = prop["type"] == "array";
        let n = name.clone();
        alts.push(if array {
            proptest::collection::vec(one, 0..4).prop_map(move |v| json!({ (n.clone()): v }).to_string()).boxed()
        } else {
            one.prop_map(move |v| json!({ (n.clone()): v }).to_string()).boxed()
        });
    }
    alts.push(Just(json!({ "tx": "00", "txs": ["00"], "bundle": "00" }).to_string()).boxed());
    proptest::strategy::Union::new(alts).prop_map(Some).boxed()
}

/// The requests of one operation.
fn cases(doc: &Value, path: &str, op: &Value, pool: &Pool) -> BoxedStrategy<Case> {
    // The hashes a route knows: escrow terms are published under their own.
    let terms_pool;
    let pool = if path.starts_with("/v1/terms/") {
        terms_pool = Pool { hashes: pool.terms.clone(), ..pool.clone() };
        &terms_pool
    } else {
        pool
    };
    let params: Vec<Value> = op["parameters"].as_array().cloned().unwrap_or_default();
    let mut strategies = Vec::new();
    for p in &params {
        let required = p["required"] == true;
        strategies.push(maybe(valid_values(doc, &p["schema"], pool), required));
    }
    let has_query = params.iter().any(|p| p["in"] == "query");
    let extra = if has_query {
        prop_oneof![9 => Just(None), 1 => Just(Some(("regoin".to_owned(), "abai".to_owned())))].boxed()
    } else {
        Just(None).boxed()
    };
    let path = path.to_owned();
    // Mostly signed by the regulator (who may read everything), so that
    // generated requests reach the handlers under both read policies.
    let signer = prop_oneof![4 => Just(1u8), 2 => Just(2u8), 2 => Just(0u8), 1 => Just(3u8)];
    let public_read = prop_oneof![1 => Just(true), 1 => Just(false)];
    (strategies, extra, body_values(doc, op, pool), signer, public_read)
        .prop_map(move |(values, extra, body, signer, public_read)| {
            let mut c = Case { path: path.clone(), query: Vec::new(), headers: Vec::new(), body, signer, public_read };
            for (p, v) in params.iter().zip(values) {
                let name = p["name"].as_str().unwrap_or_default();
                match (p["in"].as_str(), v) {
                    (Some("path"), v) => {
                        // An empty segment would be another route's path.
                        let v = v.filter(|v| !v.is_empty()).unwrap_or_else(|| "_".to_owned());
                        c.path = c.path.replace(&format!("{{{name}}}"), &encode(&v));
                    }
                    (Some("query"), Some(v)) => c.query.push((name.to_owned(), v)),
                    (Some("header"), Some(v)) => c.headers.push((name.to_owned(), v)),
                    _ => {}
                }
            }
            c.query.extend(extra);
            c
        })
        .boxed()
}

// ---------------------------------------------------------------------------
// Answers checked against the document.

fn parse_sse(text: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for block in text.split("\n\n") {
        let mut event = serde_json::Map::new();
        let mut data = Vec::new();
        for line in block.lines() {
            if line.starts_with(':') || line.is_empty() {
                continue;
            }
            let (field, value) =
                line.split_once(':').map_or((line, ""), |(f, v)| (f, v.strip_prefix(' ').unwrap_or(v)));
            match field {
                "event" | "id" => {
                    event.insert(field.to_owned(), json!(value));
                }
                "data" => data.push(value.to_owned()),
                other => {
                    event.insert(other.to_owned(), json!(value));
                }
            }
        }
        if event.is_empty() && data.is_empty() {
            continue;
        }
        let data = data.join("\n");
        let parsed = serde_json::from_str(&data).unwrap_or(Value::String(data));
        event.insert("data".into(), parsed);
        out.push(Value::Object(event));
    }
    out
}

/// Reads a body, or the beginning of an endless stream.
async fn read_body(body: axum::body::Body, streaming: bool) -> Vec<u8> {
    if !streaming {
        return axum::body::to_bytes(body, 64 << 20).await.expect("body").to_vec();
    }
    let mut stream = body.into_data_stream();
    let mut out = Vec::new();
    while out.len() < 256 << 10 {
        match tokio::time::timeout(Duration::from_millis(60), stream.next()).await {
            Ok(Some(Ok(chunk))) => out.extend_from_slice(&chunk),
            _ => break,
        }
    }
    out
}

async fn run_case(n: &Node, doc: &Value, method: &str, op: &Value, c: &Case) -> Result<u16, String> {
    let mut uri = c.path.clone();
    if !c.query.is_empty() {
        let q: Vec<String> = c.query.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect();
        uri = format!("{uri}?{}", q.join("&"));
    }
    let body = c.body.clone().unwrap_or_default();
    let mut req = axum::http::Request::builder().method(method.to_uppercase().as_str()).uri(&uri);
    for (k, v) in &c.headers {
        req = req.header(k.as_str(), v.as_str());
    }
    if c.body.is_some() {
        req = req.header("content-type", "application/json");
    }
    match c.signer {
        1 | 2 => {
            let key = if c.signer == 1 { n.c.reg.clone() } else { n.c.alice.clone() };
            let signed = tamga_types::request::sign_headers(
                &key,
                &audience(),
                &method.to_uppercase(),
                &uri,
                fresh_ms(),
                body.as_bytes(),
            );
            for (k, v) in signed {
                req = req.header(k, v);
            }
        }
        3 => req = req.header("x-tamga-key", "00"),
        _ => {}
    }
    let mut ctx = n.ctx.clone();
    ctx.read_policy.public_read = c.public_read;
    let req = req.body(axum::body::Body::from(body)).map_err(|e| format!("request {uri}: {e}"))?;
    let resp = router(ctx).oneshot(req).await.map_err(|e| format!("{uri}: {e}"))?;
    let status = resp.status().as_u16();
    let at = format!("{} {uri} ({:?})", method.to_uppercase(), c);
    if status == 500 {
        let bytes = read_body(resp.into_body(), false).await;
        return Err(format!("{at}: 500 {}", String::from_utf8_lossy(&bytes)));
    }
    let mut answer = op["responses"]
        .get(status.to_string())
        .ok_or_else(|| format!("{at}: status {status} is not documented for this operation"))?;
    if let Some(p) = answer["$ref"].as_str() {
        answer = resolve(doc, p);
    }
    let ct = resp
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let media = ct.split(';').next().unwrap_or_default().trim().to_owned();
    let content = answer["content"]
        .get(&media)
        .ok_or_else(|| format!("{at}: {status} with content type {ct:?}, not documented"))?;
    if let Some(headers) = answer["headers"].as_object() {
        for (name, h) in headers {
            if let Some(v) = resp.headers().get(name.as_str()).and_then(|v| v.to_str().ok()) {
                validate(doc, &h["schema"], &json!(v), &format!("{at}: header {name}"))?;
            }
        }
    }
    let streaming = media == "text/event-stream";
    let bytes = read_body(resp.into_body(), streaming).await;
    let text = String::from_utf8(bytes).map_err(|e| format!("{at}: body is not UTF-8: {e}"))?;
    let schema = &content["schema"];
    match media.as_str() {
        "application/json" => {
            let v: Value = serde_json::from_str(&text).map_err(|e| format!("{at}: body is not JSON ({e}): {text}"))?;
            validate(doc, schema, &v, &format!("{at}: {status} body"))?;
        }
        "text/event-stream" => {
            for e in parse_sse(&text) {
                validate(doc, &content["x-sse-event"], &e, &format!("{at}: event"))?;
            }
        }
        "application/x-ndjson" => {
            for line in text.lines() {
                let v: Value =
                    serde_json::from_str(line).map_err(|e| format!("{at}: line is not JSON ({e}): {line}"))?;
                validate(doc, &content["x-ndjson-line"], &v, &format!("{at}: line"))?;
            }
        }
        _ => validate(doc, schema, &json!(text), &format!("{at}: {status} body"))?,
    }
    Ok(status)
}

fn pool(n: &Node) -> Pool {
    let mut committed = Vec::new();
    let mut tx_hex = Vec::new();
    for h in 1..=n.ledger.height().expect("height") {
        for tx in n.ledger.block(h).expect("block").expect("committed").txs.iter() {
            committed.push(tx.hash());
            tx_hex.push(hex::encode(tx.encode()));
        }
    }
    let hashes = committed.iter().map(|h| h.to_hex()).collect();
    let terms = vec![Hash::sha256(super::TERMS.as_bytes()).to_hex()];
    let keys = [&n.c.reg, &n.c.issuer, &n.c.alice, &n.c.bob, &n.c.miner].iter().map(|k| k.public().to_hex()).collect();
    let bundle_hex = committed
        .iter()
        .filter_map(|h| crate::api::proofs::assemble(&n.ledger, h).ok())
        .map(|b| hex::encode(b.encode()))
        .collect();
    // A new transaction, admissible once.
    tx_hex.push(hex::encode(
        sign(&n.c.alice, 2, Payload::Transfer { class: ClassId(1), to: n.c.bob.public(), amount: 1 }).encode(),
    ));
    Pool { hashes, terms, keys, tx_hex, bundle_hex }
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[test]
fn every_answer_of_every_operation_is_the_documented_one() {
    let seed = env_u64("TAMGA_CONTRACT_SEED", 500_586);
    let cases_per_op = env_u64("TAMGA_CONTRACT_CASES", 48) as u32;
    println!("contract test: TAMGA_CONTRACT_SEED={seed} TAMGA_CONTRACT_CASES={cases_per_op}");
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let doc = document();
    let n = Node::scenario();
    let pool = pool(&n);
    let mut seen: BTreeMap<String, BTreeMap<u16, u32>> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            let streams = op["responses"]["200"]["content"].get("text/event-stream").is_some();
            let count = if streams { cases_per_op / 2 } else { cases_per_op };
            let config = Config { cases: count, failure_persistence: None, ..Config::default() };
            let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes);
            let mut runner = TestRunner::new_with_rng(config, rng);
            let counts = seen.entry(format!("{} {path}", method.to_uppercase())).or_default();
            let counts = std::sync::Mutex::new(counts);
            let result = runner.run(&cases(&doc, path, op, &pool), |c| {
                let status = rt.block_on(run_case(&n, &doc, method, op, &c)).map_err(TestCaseError::fail)?;
                *counts.lock().expect("counts").entry(status).or_default() += 1;
                Ok(())
            });
            if let Err(e) = result {
                failures.push(format!("{} {path}: {e}", method.to_uppercase()));
            }
        }
    }
    for (op, counts) in &seen {
        println!("{op}: {counts:?}");
        if !counts.keys().any(|s| (200..300).contains(s)) {
            failures.push(format!("{op}: no generated request succeeded: {counts:?}"));
        }
    }
    assert!(failures.is_empty(), "answers the document does not give:\n{}", failures.join("\n\n"));
}
