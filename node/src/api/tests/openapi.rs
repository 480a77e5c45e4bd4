//! `/openapi.json` against the router: every route has its operation and
//! every operation a route; the document has the OpenAPI 3 structure; the
//! event kinds the stream accepts are the ones `docs/wire-format.md` lists.

use std::collections::BTreeSet;

use serde_json::Value;

use super::*;
use crate::api::openapi::document;
use crate::api::routes;

fn operations(doc: &Value) -> BTreeSet<(String, String)> {
    let mut ops = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths is an object") {
        for (method, _) in item.as_object().expect("a path item is an object") {
            ops.insert((method.to_uppercase(), path.clone()));
        }
    }
    ops
}

#[test]
fn every_route_is_documented_and_every_operation_routed() {
    let doc = document();
    let documented = operations(&doc);
    let routed: BTreeSet<(String, String)> = routes().iter().map(|(m, p, _)| (m.to_string(), p.to_string())).collect();
    assert_eq!(routed.len(), routes().len(), "a route appears twice in the table");
    let missing: Vec<_> = routed.difference(&documented).collect();
    assert!(missing.is_empty(), "routes missing from /openapi.json: {missing:?}");
    let extra: Vec<_> = documented.difference(&routed).collect();
    assert!(extra.is_empty(), "operations in /openapi.json without a route: {extra:?}");
}

/// A concrete request path for a templated one.
fn sample(path: &str) -> String {
    path.replace("{height}", "1")
        .replace("{hash}", &"00".repeat(32))
        .replace("{key}", &key(4).public().to_hex())
        .replace("{id}", "1")
}

/// The table's method is the one its handler answers: the router neither
/// falls back to "no route" nor to "method not allowed" for it.
#[tokio::test]
async fn every_route_answers_its_method() {
    let n = Node::scenario();
    for (method, path, _) in routes() {
        let uri = sample(path);
        let req = Request::builder().method(method.clone()).uri(&uri).body(Body::empty()).unwrap();
        let resp = router(n.ctx.clone()).oneshot(req).await.unwrap();
        let status = resp.status();
        assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {uri}");
        if status == StatusCode::NOT_FOUND {
            let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX).await.unwrap();
            let v: Value = serde_json::from_slice(&bytes).unwrap();
            assert_ne!(code(&v), "NOT_FOUND", "{method} {uri} is not routed");
        }
    }
}

#[test]
fn the_document_has_the_openapi_3_structure() {
    let doc = document();
    let version = doc["openapi"].as_str().expect("openapi is a string");
    assert!(version.starts_with("3."), "openapi {version}");
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string(), "info.title and info.version");
    let paths = doc["paths"].as_object().unwrap();
    assert!(!paths.is_empty());
    let methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
    let mut ids = BTreeSet::new();
    for (path, item) in paths {
        assert!(path.starts_with('/'), "{path}");
        let templated: BTreeSet<&str> =
            path.split('/').filter_map(|s| s.strip_prefix('{')?.strip_suffix('}')).collect();
        for (method, op) in item.as_object().unwrap() {
            let at = format!("{method} {path}");
            assert!(methods.contains(&method.as_str()), "{at}: not an HTTP method");
            let id = op["operationId"].as_str().unwrap_or_else(|| panic!("{at}: operationId"));
            assert!(ids.insert(id.to_owned()), "{at}: operationId {id} is not unique");
            let responses = op["responses"].as_object().unwrap_or_else(|| panic!("{at}: responses"));
            assert!(!responses.is_empty(), "{at}: no responses");
            assert!(responses.keys().any(|k| k.starts_with('2')), "{at}: no success response");
            for (status, resp) in responses {
                assert!(
                    status == "default"
                        || (status.len() == 3 && status.parse::<u16>().is_ok_and(|s| (100..600).contains(&s))),
                    "{at}: response key {status}"
                );
                assert!(resp["description"].is_string() || resp["$ref"].is_string(), "{at} {status}: description");
                if status.starts_with('4') || status.starts_with('5') {
                    let schema = resolve(&doc, resp)["content"]["application/json"]["schema"]["$ref"].clone();
                    assert_eq!(schema, "#/components/schemas/Error", "{at} {status}: errors have the Error shape");
                }
            }
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            let mut declared = BTreeSet::new();
            for p in &params {
                let name = p["name"].as_str().unwrap_or_else(|| panic!("{at}: parameter name"));
                let place = p["in"].as_str().unwrap_or_else(|| panic!("{at}: {name}: in"));
                assert!(["path", "query", "header", "cookie"].contains(&place), "{at}: {name} in {place}");
                assert!(p["schema"].is_object(), "{at}: {name}: schema");
                if place == "path" {
                    assert_eq!(p["required"], true, "{at}: path parameter {name} must be required");
                    declared.insert(name.to_owned());
                }
            }
            let templated: BTreeSet<String> = templated.iter().map(|s| s.to_string()).collect();
            assert_eq!(declared, templated, "{at}: path parameters");
            if let Some(body) = op.get("requestBody") {
                assert!(body["content"].as_object().is_some_and(|c| !c.is_empty()), "{at}: requestBody.content");
            }
        }
    }
    check_refs(&doc, &doc, "#");
}

fn resolve<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    match v["$ref"].as_str() {
        Some(r) => doc.pointer(r.trim_start_matches('#')).unwrap_or_else(|| panic!("{r} does not resolve")),
        None => v,
    }
}

/// Every `$ref` points at something in the document.
fn check_refs(doc: &Value, v: &Value, at: &str) {
    match v {
        Value::Object(m) => {
            if let Some(r) = m.get("$ref") {
                let r = r.as_str().unwrap_or_else(|| panic!("{at}: $ref is not a string"));
                let pointer = r.strip_prefix('#').unwrap_or_else(|| panic!("{at}: external $ref {r}"));
                assert!(doc.pointer(pointer).is_some(), "{at}: $ref {r} does not resolve");
            }
            for (k, x) in m {
                check_refs(doc, x, &format!("{at}/{k}"));
            }
        }
        Value::Array(a) => a.iter().enumerate().for_each(|(i, x)| check_refs(doc, x, &format!("{at}/{i}"))),
        _ => {}
    }
}

#[tokio::test]
async fn served_at_openapi_json() {
    let n = Node::new();
    let (s, v) = n.get("/openapi.json").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v, document());
}

/// `?kinds=` accepts exactly the receipt event kinds of the wire-format
/// table (§10), so neither drifts from the other.
#[test]
fn event_kinds_match_the_wire_format_table() {
    let doc = include_str!("../../../../docs/wire-format.md");
    let section = doc.split("## 10 Receipts and events").nth(1).unwrap().split("\n## ").next().unwrap();
    let mut documented = BTreeSet::new();
    for line in section.lines().filter(|l| l.starts_with("| `")) {
        let first = line.split('|').nth(1).unwrap();
        for kind in first.split('`').skip(1).step_by(2) {
            documented.insert(kind.to_owned());
        }
    }
    let accepted: BTreeSet<String> = crate::api::events::RECEIPT_EVENT_KINDS.iter().map(|s| s.to_string()).collect();
    assert_eq!(accepted, documented);
}

/// Every parameter says what the handler accepts: an enum, a pattern, or an
/// integer range (a client generating input from the document then rarely
/// sends what the node refuses; the contract test sends both kinds).
#[test]
fn every_parameter_carries_its_pattern_or_bounds() {
    let doc = document();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for p in op["parameters"].as_array().cloned().unwrap_or_default() {
                let name = p["name"].as_str().unwrap();
                let schema = resolve(&doc, &p["schema"]);
                let constrained = schema["enum"].is_array()
                    || schema["pattern"].is_string()
                    || (schema["type"] == "integer" && schema["minimum"].is_number() && schema["maximum"].is_number())
                    || schema["examples"].is_array();
                assert!(constrained, "{method} {path}: parameter {name} has no enum, pattern or bounds: {schema}");
            }
        }
    }
}

/// Every operation answers the statuses of the layers in front of every
/// handler, and the read policy's refusals where the policy can ask for a
/// signature.
#[test]
fn every_operation_documents_the_layers_statuses() {
    let doc = document();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let codes = |status: &str| -> Vec<String> {
                op["responses"][status]["x-error-codes"]
                    .as_array()
                    .map(|l| l.iter().map(|c| c.as_str().unwrap().to_owned()).collect())
                    .unwrap_or_default()
            };
            for (status, code) in [
                ("400", "BAD_BODY"),
                ("401", "BAD_REQUEST_SIGNATURE"),
                ("408", "BODY_TIMEOUT"),
                ("413", "BODY_TOO_LARGE"),
                ("429", "RATE_LIMITED"),
                ("503", "OVERLOADED"),
                ("503", "BODY_BUDGET_EXHAUSTED"),
                ("503", "REPLAY_CACHE_FULL"),
            ] {
                assert!(codes(status).iter().any(|c| c == code), "{method} {path}: {status} {code}");
            }
            if crate::api::access::route_access(path) != crate::api::access::Access::Open {
                assert!(codes("401").iter().any(|c| c == "SIGNATURE_REQUIRED"), "{method} {path}");
            }
        }
    }
}
