//! `GET /openapi.json`: an OpenAPI 3.1 description of every route of
//! [`super::routes`], its parameters, request body, answers and error codes.
//!
//! Written by hand with `serde_json::json!` (no OpenAPI generator crate is
//! in the workspace). It cannot drift silently: a test builds the router
//! from the same route table and fails when a route has no operation here,
//! or an operation no route; another checks the document's structure
//! (every operation answers, every `{param}` of a path is declared, every
//! `$ref` resolves). Shapes of ledger objects (parties, classes, records,
//! …) are named objects pointing at `docs/api.md` and `docs/wire-format.md`
//! rather than restated field by field.

use std::sync::OnceLock;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

use super::events::{RECEIPT_EVENT_KINDS, STREAM_EVENTS};
use super::registries::MAX_PAGE;
use super::MAX_BATCH;

/// `GET /openapi.json`.
pub async fn serve() -> Response {
    static DOC: OnceLock<String> = OnceLock::new();
    let body = DOC.get_or_init(|| document().to_string()).clone();
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn r(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn array(items: Value) -> Value {
    json!({ "type": "array", "items": items })
}

fn uint() -> Value {
    json!({ "type": "integer", "minimum": 0 })
}

/// One operation under construction.
struct Op {
    method: &'static str,
    path: &'static str,
    v: Map<String, Value>,
    params: Vec<Value>,
    responses: Map<String, Value>,
}

fn op(method: &'static str, path: &'static str, id: &str, tag: &str, summary: &str) -> Op {
    let mut v = Map::new();
    v.insert("operationId".into(), json!(id));
    v.insert("tags".into(), json!([tag]));
    v.insert("summary".into(), json!(summary));
    Op { method, path, v, params: Vec::new(), responses: Map::new() }
}

impl Op {
    fn describe(mut self, text: &str) -> Op {
        self.v.insert("description".into(), json!(text));
        self
    }

    fn path_param(mut self, name: &str, desc: &str, schema: Value) -> Op {
        self.params
            .push(json!({ "name": name, "in": "path", "required": true, "description": desc, "schema": schema }));
        self
    }

    fn query(mut self, name: &str, desc: &str, schema: Value) -> Op {
        self.params
            .push(json!({ "name": name, "in": "query", "required": false, "description": desc, "schema": schema }));
        self
    }

    fn required_query(mut self, name: &str, desc: &str, schema: Value) -> Op {
        self.params
            .push(json!({ "name": name, "in": "query", "required": true, "description": desc, "schema": schema }));
        self
    }

    fn header(mut self, name: &str, desc: &str, schema: Value) -> Op {
        self.params
            .push(json!({ "name": name, "in": "header", "required": false, "description": desc, "schema": schema }));
        self
    }

    fn body(mut self, desc: &str, schema: Value) -> Op {
        self.v.insert(
            "requestBody".into(),
            json!({ "required": true, "description": desc, "content": { "application/json": { "schema": schema } } }),
        );
        self
    }

    fn ok(self, status: u16, desc: &str, schema: Value) -> Op {
        self.answer(status, desc, "application/json", schema)
    }

    fn answer(mut self, status: u16, desc: &str, media: &str, schema: Value) -> Op {
        self.responses
            .insert(status.to_string(), json!({ "description": desc, "content": { media: { "schema": schema } } }));
        self
    }

    /// An error status with its stable codes (also as `x-error-codes`).
    fn err(mut self, status: u16, codes: &[&str]) -> Op {
        let entry = self.responses.entry(status.to_string()).or_insert_with(|| {
            json!({
                "description": "",
                "content": { "application/json": { "schema": r("Error") } },
                "x-error-codes": [],
            })
        });
        if let Some(list) = entry["x-error-codes"].as_array_mut() {
            list.extend(codes.iter().map(|c| json!(c)));
        }
        let all: Vec<String> = entry["x-error-codes"]
            .as_array()
            .map(|l| l.iter().filter_map(|c| c.as_str().map(str::to_owned)).collect())
            .unwrap_or_default();
        entry["description"] = json!(format!("Error; `code` is one of: {}", all.join(", ")));
        self
    }

    /// The errors of a route reading the ledger with checked query parameters.
    fn reads(self) -> Op {
        self.err(400, &["UNKNOWN_PARAM", "BAD_PARAM", "BAD_QUERY"]).err(500, &["INTERNAL"])
    }

    fn id_param(self, what: &str, not_found: &str) -> Op {
        self.path_param("id", &format!("{what} id"), uint()).err(400, &["BAD_ID"]).err(404, &[not_found])
    }

    fn key_param(self) -> Op {
        self.path_param("key", "Account public key (64 hex characters)", r("PublicKey"))
            .err(400, &["BAD_KEY"])
            .err(404, &["ACCOUNT_NOT_FOUND"])
    }

    fn done(mut self) -> (&'static str, &'static str, Value) {
        if !self.params.is_empty() {
            self.v.insert("parameters".into(), Value::Array(self.params));
        }
        self.responses.insert("405".into(), json!({ "$ref": "#/components/responses/MethodNotAllowed" }));
        self.v.insert("responses".into(), Value::Object(self.responses));
        (self.method, self.path, Value::Object(self.v))
    }
}

/// A documented object whose fields `docs/api.md` lists.
fn named(desc: &str) -> Value {
    json!({ "type": "object", "description": desc, "additionalProperties": true })
}

fn schemas() -> Value {
    let hex = |n: u32, what: &str| json!({ "type": "string", "pattern": format!("^(0x)?[0-9a-fA-F]{{{n}}}$"), "description": what });
    let mut m = Map::new();
    m.insert("Error".into(), json!({
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": { "type": "string", "description": "Stable machine-readable code (docs/api.md, All error codes)" },
                "message": { "type": "string", "description": "Human explanation naming the value at fault" },
                "field": { "type": "string", "description": "Body field, query parameter or header at fault" },
            },
        }));
    m.insert("Hash".into(), json!(hex(64, "SHA-256 hash, lower-case hex")));
    m.insert("PublicKey".into(), json!(hex(64, "ed25519 public key, lower-case hex")));
    m.insert(
        "Amount".into(),
        json!({ "type": "integer", "minimum": 0, "format": "u128",
            "description": "Base units; may exceed 2^53 and 2^64: parse with a big-integer-aware JSON reader" }),
    );
    m.insert(
        "TxOutcome".into(),
        json!({
            "oneOf": [
                { "type": "object", "required": ["status"], "properties": { "status": { "const": "success" } } },
                { "type": "object", "required": ["status", "code", "message"], "properties": {
                    "status": { "const": "failed" }, "code": { "type": "string" }, "message": { "type": "string" } } },
            ],
        }),
    );
    m.insert("ReceiptEvent".into(), json!({
            "type": "object",
            "required": ["kind", "attributes"],
            "properties": {
                "kind": { "type": "string", "enum": RECEIPT_EVENT_KINDS },
                "attributes": array(json!({ "type": "array", "prefixItems": [{ "type": "string" }, { "type": "string" }], "minItems": 2, "maxItems": 2 })),
            },
        }));
    m.insert(
        "Receipt".into(),
        json!({
            "type": "object",
            "required": ["tx_hash", "height", "index", "block_time_ms", "outcome", "events"],
            "properties": {
                "tx_hash": r("Hash"), "height": uint(), "index": uint(), "block_time_ms": uint(),
                "outcome": r("TxOutcome"), "events": array(r("ReceiptEvent")),
            },
        }),
    );
    m.insert(
        "NodeStatus".into(),
        json!({
            "type": "object",
            "properties": {
                "chain_id": { "type": "string" }, "genesis_hash": r("Hash"), "node_key": r("PublicKey"),
                "peer_id": { "type": "string" }, "validator": { "type": "boolean" }, "height": uint(),
                "last_block_hash": r("Hash"), "last_block_time_ms": uint(), "state_root": r("Hash"),
                "consensus_height": uint(), "consensus_round": uint(), "syncing": { "type": "boolean" },
                "peers": uint(), "mempool_txs": uint(), "version": { "type": "string" },
            },
        }),
    );
    m.insert(
        "ChainInfo".into(),
        json!({
            "type": "object",
            "properties": {
                "chain_id": { "type": "string" }, "genesis_time_ms": uint(), "genesis_hash": r("Hash"),
                "regulation_hash": r("Hash"), "network_type": { "type": "string" },
            },
        }),
    );
    m.insert("Params".into(), json!({
            "type": "object",
            "properties": {
                "max_block_txs": uint(), "validator_change_delay": uint(), "require_mining_notice": { "type": "boolean" },
            },
        }));
    m.insert(
        "Validators".into(),
        json!({
            "type": "object",
            "required": ["height", "total_power", "quorum", "validators"],
            "properties": {
                "height": uint(), "total_power": uint(), "quorum": uint(),
                "validators": { "type": "object", "properties": { "validators": array(json!({
                    "type": "object",
                    "properties": { "key": r("PublicKey"), "power": uint(), "operator": uint() },
                })) } },
            },
        }),
    );
    m.insert(
        "BlockAnswer".into(),
        json!({
            "oneOf": [
                { "type": "object", "required": ["height", "hash", "block", "certificate"], "properties": {
                    "height": uint(), "hash": r("Hash"),
                    "block": named("Block: header, txs, evidence (docs/wire-format.md §9)"),
                    "certificate": named("Commit certificate: data, signatures [[index, sig]]") } },
                { "type": "object", "required": ["height", "hash", "raw"], "properties": {
                    "height": uint(), "hash": r("Hash"),
                    "raw": { "type": "string", "description": "Hex of the borsh CertifiedBlock (encoding=borsh)" } } },
            ],
        }),
    );
    m.insert(
        "Receipts".into(),
        json!({
            "type": "object", "required": ["height", "receipts"],
            "properties": { "height": uint(), "receipts": array(r("Receipt")) },
        }),
    );
    m.insert(
        "StateProof".into(),
        json!({
            "type": "object", "required": ["key", "height", "root", "value", "proof"],
            "properties": {
                "key": { "type": "string" }, "height": uint(), "root": r("Hash"),
                "value": { "type": ["string", "null"], "description": "Hex of the borsh state entry; null: absent" },
                "proof": { "type": "string", "description": "Hex of borsh jmt 0.12 SparseMerkleProof<Sha256>" },
            },
        }),
    );
    m.insert(
        "SubmitBody".into(),
        json!({
            "type": "object",
            "description": "Exactly one of tx and txs; each a hex borsh SignedTransaction",
            "properties": {
                "tx": { "type": "string" },
                "txs": { "type": "array", "items": { "type": "string" }, "minItems": 1, "maxItems": MAX_BATCH },
            },
            "additionalProperties": false,
        }),
    );
    m.insert(
        "SubmitResults".into(),
        json!({
            "type": "object", "required": ["results"],
            "properties": { "results": array(json!({ "type": "object", "properties": {
                "hash": r("Hash"),
                "error": { "type": "object", "properties": {
                    "status": uint(), "code": { "type": "string" }, "message": { "type": "string" } } },
            } })) },
        }),
    );
    m.insert(
        "TxStatus".into(),
        json!({
            "oneOf": [
                { "type": "object", "required": ["status", "hash"], "properties": {
                    "status": { "const": "pending" }, "hash": r("Hash") } },
                { "type": "object", "required": ["status", "hash", "tx", "receipt", "raw"], "properties": {
                    "status": { "const": "committed" }, "hash": r("Hash"),
                    "tx": named("SignedTransaction (docs/wire-format.md)"), "receipt": r("Receipt"),
                    "raw": { "type": "string", "description": "Hex of the signed bytes" } } },
            ],
        }),
    );
    m.insert(
        "Account".into(),
        json!({
            "type": "object", "required": ["account", "next_nonce", "balances"],
            "properties": {
                "account": named("AccountState"), "next_nonce": uint(),
                "balances": array(json!({ "type": "object", "properties": {
                    "class": uint(), "symbol": { "type": "string" }, "decimals": uint(),
                    "amount": r("Amount"), "frozen": r("Amount"), "free": r("Amount") } })),
            },
        }),
    );
    m.insert("Party".into(), json!(named("{party: PartyState, accounts: [AccountState], roles: [string]}")));
    m.insert("PartyState".into(), json!(named("PartyState (docs/api.md)")));
    m.insert("ClassState".into(), json!(named("ClassState with supply (docs/api.md)")));
    m.insert(
        "Holder".into(),
        json!({ "type": "object", "properties": {
            "account": r("PublicKey"), "party": uint(), "amount": r("Amount"), "frozen": r("Amount") } }),
    );
    m.insert(
        "Record".into(),
        json!(named("{record: RecordState, history: [{height, time_ms, tx_hash, signer, event, details}]} (SPEC §5)")),
    );
    m.insert("RecordState".into(), json!(named("RecordState with encumbrances")));
    m.insert("EscrowState".into(), json!(named("EscrowState")));
    m.insert(
        "Restriction".into(),
        json!(named("Restriction: id, target {holding: {class, holder, amount|null}} or {class: {class}}, imposed_by, authority (issuer|regulator), legal_basis, height, tx, lifted {by, authority, legal_basis, height, tx}|null")),
    );
    m.insert("EscrowTerms".into(), json!(named("EscrowTerms: hash, text, published_by, height")));
    m.insert(
        "MiningNotification".into(),
        json!(named("MiningNotification; status {status: submitted|accepted|rejected, …}")),
    );
    m.insert(
        "MiningPage".into(),
        json!({ "type": "object", "required": ["items", "next_after"], "properties": {
            "items": array(r("MiningNotification")), "next_after": { "type": ["integer", "null"], "minimum": 0 } } }),
    );
    m.insert(
        "RegionTotal".into(),
        json!({ "type": "object", "properties": {
            "region": { "type": "string" }, "sites": uint(), "capacity_kw": uint(), "units": uint() } }),
    );
    m.insert("ActivityNotification".into(), json!(named("ActivityNotification")));
    m.insert(
        "EvidenceRecord".into(),
        json!(named("EvidenceRecord: id, validator, vote_height, vote_round, recorded_height, evidence")),
    );
    m.insert("BlockEvent".into(), json!({
            "type": "object",
            "required": ["height", "hash", "time_ms", "tx_count", "failed_count", "evidence_count", "state_root", "proposer"],
            "properties": {
                "height": uint(), "hash": r("Hash"), "time_ms": uint(), "tx_count": uint(), "failed_count": uint(),
                "evidence_count": uint(), "state_root": r("Hash"), "proposer": r("PublicKey"),
            },
        }));
    m.insert(
        "EvidenceEvent".into(),
        json!({
            "type": "object", "required": ["height", "id", "validator", "vote_height", "vote_round"],
            "properties": { "height": uint(), "id": r("Hash"), "validator": r("PublicKey"),
                "vote_height": uint(), "vote_round": uint() },
        }),
    );
    m.insert(
        "SecurityRecord".into(),
        json!({
            "type": "object", "required": ["seq", "time_ms", "node", "kind"],
            "description": "One security event: seq, time_ms, node and kind, plus the kind's fields (docs/api.md)",
            "properties": { "seq": uint(), "time_ms": uint(), "node": r("PublicKey"),
                "kind": { "type": "string", "enum": crate::security::SecurityEvent::KINDS } },
            "additionalProperties": true,
        }),
    );
    m.insert(
        "SecurityPage".into(),
        json!({
            "type": "object", "required": ["events", "oldest", "complete_from", "last", "next_after", "truncated"],
            "properties": { "events": array(r("SecurityRecord")), "oldest": { "type": ["integer", "null"], "minimum": 0 },
                "complete_from": { "type": ["integer", "null"], "minimum": 0 },
                "last": uint(), "next_after": uint(), "truncated": { "type": "boolean" } },
        }),
    );
    Value::Object(m)
}

/// Every operation: (method, path, operation object).
fn operations() -> Vec<(&'static str, &'static str, Value)> {
    let height_param = |o: Op| {
        o.path_param(
            "height",
            "Block height (1, 2, …) or `latest`",
            json!({ "type": "string", "pattern": "^([0-9]+|latest)$" }),
        )
        .err(400, &["BAD_HEIGHT"])
        .err(404, &["BLOCK_NOT_FOUND"])
        .err(500, &["INTERNAL"])
    };
    let party_q = "Party id";
    let kinds: Vec<&str> = STREAM_EVENTS.iter().chain(RECEIPT_EVENT_KINDS).copied().collect();
    vec![
        op("get", "/health", "health", "node", "Liveness: the ledger answers")
            .ok(200, "Healthy", json!({ "type": "object", "properties": { "status": { "const": "ok" }, "height": uint() } }))
            .err(503, &["UNHEALTHY"])
            .done(),
        op("get", "/metrics", "metrics", "node", "Prometheus metrics (OpenMetrics text)")
            .answer(200, "OpenMetrics exposition, `tamga_*`", "application/openmetrics-text", json!({ "type": "string" }))
            .err(403, &["METRICS_FORBIDDEN"])
            .done(),
        op("get", "/openapi.json", "openapi", "node", "This document")
            .ok(200, "OpenAPI 3.1 document", json!({ "type": "object" }))
            .done(),
        op("get", "/v1/status", "status", "node", "Node status: height, peers, syncing")
            .ok(200, "Status", r("NodeStatus"))
            .done(),
        op("get", "/v1/chain", "chain", "chain", "Chain facts (SPEC §1.11)").ok(200, "Chain", r("ChainInfo")).err(500, &["INTERNAL"]).done(),
        op("get", "/v1/params", "params", "chain", "Chain parameters").ok(200, "Params", r("Params")).err(500, &["INTERNAL"]).done(),
        op("get", "/v1/validators", "validators", "chain", "The validator set certifying a height")
            .query("height", "Height in 1..=last+1 (default: the next block)", uint())
            .ok(200, "Validator set", r("Validators"))
            .reads()
            .done(),
        height_param(op("get", "/v1/blocks/{height}", "block", "chain", "A block with its commit certificate"))
            .query("encoding", "json (default) or borsh", json!({ "type": "string", "enum": ["json", "borsh"] }))
            .ok(200, "Block", r("BlockAnswer"))
            .err(400, &["UNKNOWN_PARAM", "BAD_PARAM", "BAD_QUERY"])
            .done(),
        height_param(op("get", "/v1/blocks/{height}/receipts", "block_receipts", "chain", "Receipts of a block, in order"))
            .ok(200, "Receipts", r("Receipts"))
            .done(),
        op("get", "/v1/proofs/state", "state_proof", "chain", "Merkle proof of a state entry (SPEC §10)")
            .required_query("key", "Hex of a logical state key (state/src/keys.rs)", json!({ "type": "string" }))
            .query("height", "Height of the root (default: last committed)", uint())
            .ok(200, "Proof", r("StateProof"))
            .err(400, &["MISSING_PARAM"])
            .reads()
            .done(),
        op("get", "/v1/events", "events", "events", "Server-Sent Events of committed blocks and receipts")
            .describe(
                "Per committed block, in height order: one `block` event (BlockEvent), one `tx` event per receipt \
                 (Receipt, with its registry-change events) and one `evidence` event per recorded equivocation \
                 (EvidenceEvent). The last event of each block carries `id: <height>`. Keep-alive comments every 15 s. \
                 Replays from `from_height` or after `Last-Event-ID` from the ledger, then follows live.",
            )
            .query(
                "kinds",
                "Comma list of event names (block, tx, evidence) or receipt event kinds; a tx event is sent when `tx` \
                 or one of its receipt's event kinds is listed. Default: everything",
                json!({ "type": "string", "x-allowed-items": kinds }),
            )
            .query("from_height", "Replay committed blocks from this height (≥ 1) before following live", uint())
            .header("Last-Event-ID", "Resume after this height (wins over from_height)", uint())
            .answer(200, "An event stream (text/event-stream)", "text/event-stream", json!({
                "type": "string",
                "x-events": { "block": r("BlockEvent"), "tx": r("Receipt"), "evidence": r("EvidenceEvent"), "error": r("Error") },
            }))
            .reads()
            .err(503, &["TOO_MANY_SUBSCRIBERS"])
            .done(),
        op("post", "/v1/txs", "submit", "transactions", "Submit one signed transaction or a batch")
            .body("One transaction or a batch of hex borsh SignedTransaction", r("SubmitBody"))
            .ok(200, "Batch: one result per transaction, in order", r("SubmitResults"))
            .ok(202, "Admitted (one transaction)", json!({ "type": "object", "required": ["hash"], "properties": { "hash": r("Hash") } }))
            .err(400, &[
                "BAD_JSON", "BAD_REQUEST", "BAD_HEX", "BAD_BODY", "EMPTY_BATCH", "BATCH_TOO_LARGE", "MALFORMED_TX",
                "TX_TOO_LARGE", "WRONG_CHAIN_ID", "BAD_SIGNATURE", "VALIDATOR_KEY_SIGNER",
            ])
            .err(403, &["UNKNOWN_SIGNER", "ACCOUNT_REVOKED", "PARTY_INACTIVE", "UNKNOWN_PARTY"])
            .err(409, &["DUPLICATE_TX", "ALREADY_COMMITTED", "STALE_NONCE", "NONCE_TAKEN"])
            .err(413, &["BODY_TOO_LARGE"])
            .err(429, &["NONCE_TOO_FAR", "ACCOUNT_QUEUE_FULL"])
            .err(503, &["MEMPOOL_FULL", "LEDGER_UNAVAILABLE"])
            .err(500, &["INTERNAL"])
            .done(),
        op("get", "/v1/txs/{hash}", "tx", "transactions", "Transaction status: pending or committed with receipt")
            .path_param("hash", "Transaction id", r("Hash"))
            .ok(200, "Pending or committed", r("TxStatus"))
            .err(400, &["BAD_HASH"])
            .err(404, &["TX_NOT_FOUND"])
            .err(500, &["INTERNAL"])
            .done(),
        op("get", "/v1/accounts/{key}", "account", "registries", "An account with its nonce and balances")
            .key_param()
            .ok(200, "Account", r("Account"))
            .err(500, &["INTERNAL"])
            .done(),
        op("get", "/v1/accounts/{key}/records", "account_records", "registries", "Records held by an account")
            .key_param()
            .ok(200, "Records", array(r("RecordState")))
            .err(500, &["INTERNAL"])
            .done(),
        op("get", "/v1/parties", "parties", "registries", "All parties").ok(200, "Parties", array(r("PartyState"))).reads().done(),
        op("get", "/v1/parties/{id}", "party", "registries", "A party with its accounts and roles")
            .id_param("Party", "PARTY_NOT_FOUND")
            .ok(200, "Party", r("Party"))
            .err(500, &["INTERNAL"])
            .done(),
        op("get", "/v1/classes", "classes", "registries", "Token classes, all or one issuer's")
            .query("issuer", party_q, uint())
            .ok(200, "Classes", array(r("ClassState")))
            .reads()
            .done(),
        op("get", "/v1/classes/{id}", "class", "registries", "A token class")
            .id_param("Class", "CLASS_NOT_FOUND")
            .ok(200, "Class", r("ClassState"))
            .err(500, &["INTERNAL"])
            .done(),
        op("get", "/v1/classes/{id}/holders", "holders", "registries", "Holders of a class")
            .id_param("Class", "CLASS_NOT_FOUND")
            .ok(200, "Holders", array(r("Holder")))
            .err(500, &["INTERNAL"])
            .done(),
        op("get", "/v1/classes/{id}/restrictions", "restrictions", "registries", "Freezes and pauses of a class or of one holding, standing or lifted (SPEC §4)")
            .id_param("Class", "CLASS_NOT_FOUND")
            .query("holder", "Account key: that holding's freezes and the class's pauses", r("PublicKey"))
            .ok(200, "Restrictions", array(r("Restriction")))
            .err(400, &["BAD_PARAM", "UNKNOWN_PARAM"])
            .err(500, &["INTERNAL"])
            .done(),
        op("get", "/v1/records/{id}", "record", "registries", "A record with its history (SPEC §5)")
            .id_param("Record", "RECORD_NOT_FOUND")
            .ok(200, "Record", r("Record"))
            .err(500, &["INTERNAL"])
            .done(),
        op("get", "/v1/escrows", "escrows", "registries", "Escrows, all or those of a party")
            .query("party", "Party id: payer, payee or arbiter", uint())
            .ok(200, "Escrows", array(r("EscrowState")))
            .reads()
            .done(),
        op("get", "/v1/escrows/{id}", "escrow", "registries", "An escrow")
            .id_param("Escrow", "ESCROW_NOT_FOUND")
            .ok(200, "Escrow", r("EscrowState"))
            .err(500, &["INTERNAL"])
            .done(),
        op("get", "/v1/terms/{hash}", "terms", "registries", "Escrow terms published under their SHA-256 (SPEC §7)")
            .path_param("hash", "SHA-256 of the terms text", r("Hash"))
            .ok(200, "Terms", r("EscrowTerms"))
            .err(400, &["BAD_HASH"])
            .err(404, &["TERMS_NOT_FOUND"])
            .err(500, &["INTERNAL"])
            .done(),
        op("get", "/v1/mining-notifications", "mining_notifications", "notifications", "Mining notifications, filtered and paged (SPEC §6)")
            .query("miner", party_q, uint())
            .query("status", "Review status", json!({ "type": "string", "enum": ["submitted", "accepted", "rejected"] }))
            .query("region", "Region (snake_case name, docs/api.md)", json!({ "type": "string" }))
            .query("kind", "Notification kind", json!({ "type": "string", "enum": ["start", "change", "termination"] }))
            .query("from", "Site start date lower bound, YYYY-MM-DD", json!({ "type": "string", "format": "date" }))
            .query("to", "Site start date upper bound, YYYY-MM-DD", json!({ "type": "string", "format": "date" }))
            .query("after", "Cursor: ids greater than this (the previous page's next_after)", uint())
            .query("limit", "Page size (default 100)", json!({ "type": "integer", "minimum": 1, "maximum": MAX_PAGE }))
            .ok(200, "A page", r("MiningPage"))
            .reads()
            .done(),
        op("get", "/v1/mining-notifications/totals", "mining_totals", "notifications", "Accepted live sites per region")
            .ok(200, "Totals", array(r("RegionTotal")))
            .reads()
            .done(),
        op("get", "/v1/mining-notifications/{id}", "mining_notification", "notifications", "A mining notification")
            .id_param("Mining notification", "MINING_NOTIFICATION_NOT_FOUND")
            .ok(200, "Notification", r("MiningNotification"))
            .err(500, &["INTERNAL"])
            .done(),
        op("get", "/v1/activity-notifications", "activity_notifications", "notifications", "Activity notifications, all or a party's")
            .query("party", party_q, uint())
            .query("status", "Review status", json!({ "type": "string", "enum": ["submitted", "accepted", "rejected"] }))
            .query("activity", "Activity", json!({ "type": "string", "enum": ["issuance", "trading_organisation", "exchange"] }))
            .query("phase", "Start or termination", json!({ "type": "string", "enum": ["start", "termination"] }))
            .query("from", "Effective date lower bound, YYYY-MM-DD", json!({ "type": "string", "format": "date" }))
            .query("to", "Effective date upper bound, YYYY-MM-DD", json!({ "type": "string", "format": "date" }))
            .ok(200, "Notifications", array(r("ActivityNotification")))
            .reads()
            .done(),
        op("get", "/v1/evidence", "evidence", "chain", "Recorded equivocations (SPEC §9)")
            .ok(200, "Evidence", array(r("EvidenceRecord")))
            .reads()
            .done(),
        op("get", "/v1/txs/{hash}/bundle", "receipt_bundle", "chain", "Receipt bundle of a committed transaction (SPEC §10)")
            .describe("`raw` is the hex of the borsh bundle of docs/receipt-format.md, verifiable offline against genesis.json.")
            .path_param("hash", "Transaction hash (64 hex)", json!({ "type": "string" }))
            .ok(200, "Bundle", json!({ "type": "object", "required": ["hash", "height", "bytes", "raw"] }))
            .err(400, &["BAD_HASH"])
            .err(404, &["TX_NOT_FOUND"])
            .err(500, &["INTERNAL"])
            .done(),
        op("post", "/v1/verify", "verify", "chain", "Verify a signed transaction or a receipt bundle (SPEC §1.8)")
            .describe("Body {\"tx\": hex} or {\"bundle\": hex}; answers a verdict with valid, signer, party, commitment and a rendering.")
            .body("A signed transaction or a bundle", json!({ "type": "object" }))
            .ok(200, "Verdict", json!({ "type": "object", "required": ["kind", "valid"] }))
            .err(400, &["BAD_JSON", "BAD_HEX", "MALFORMED_TX", "BUNDLE_MALFORMED", "BUNDLE_VERSION_UNSUPPORTED", "BAD_REQUEST", "BAD_BODY"])
            .err(413, &["BODY_TOO_LARGE"])
            .err(500, &["INTERNAL"])
            .done(),
        op("get", "/v1/issuers/{id}/export", "issuer_export", "registries", "Export of an issuer with proofs (SPEC §12)")
            .describe("JSON Lines (docs/export-format.md), streamed: header, certified blocks, the party and its accounts, \
                       every class with its holdings, every record with its history, end. Each state entry carries its \
                       Merkle proof against the state root of one certified height; `tamga export verify` checks it offline.")
            .id_param("Party", "PARTY_NOT_FOUND")
            .answer(200, "The export, one JSON object per line", "application/x-ndjson", json!({ "type": "string" }))
            .err(400, &["UNKNOWN_PARAM", "BAD_QUERY"])
            .err(403, &["EXPORT_FORBIDDEN"])
            .err(409, &["NOT_AN_ISSUER", "NO_COMMITTED_BLOCK"])
            .err(503, &["EXPORT_BUSY"])
            .err(500, &["INTERNAL"])
            .done(),
        op("get", "/v1/security/events", "security_events", "events", "Security events of this node (regulators only)")
            .describe(
                "Bad signatures, refused peers, equivocations, the configuration loaded, validator-set changes, key \
                 revocations, regulator-scope refusals and journal verification failures, from the node's ring of \
                 recent records (full history: HOME/security/events.jsonl). A JSON page of records with seq > after, \
                 oldest first; with stream=true, Server-Sent Events: one `security` event per record with id: <seq>, \
                 the ring's records after `after` (or Last-Event-ID) first, then live ones, and a `gap` event \
                 {missed_from, missed_to} for records no longer held.",
            )
            .query("after", "Only records with a greater seq (default 0)", uint())
            .query("limit", &format!("Most records in the page, 1..={} (default {}; pages only)",
                super::security::MAX_LIMIT, super::security::DEFAULT_LIMIT), uint())
            .query("kinds", "Comma list of security event kinds (default: all)",
                json!({ "type": "string", "x-allowed-items": crate::security::SecurityEvent::KINDS }))
            .query("stream", "true: Server-Sent Events instead of a page", json!({ "type": "boolean" }))
            .header("Last-Event-ID", "Stream only: resume after this seq (wins over after)", uint())
            .ok(200, "A page, or with stream=true an event stream (text/event-stream)", r("SecurityPage"))
            .err(400, &["UNKNOWN_PARAM", "BAD_PARAM", "BAD_QUERY"])
            .err(403, &["REGULATOR_ONLY"])
            .err(503, &["TOO_MANY_SUBSCRIBERS"])
            .done(),
        op("get", "/v1/blocks", "blocks", "chain", "Latest committed blocks with their commit certificates, newest first")
            .query("before", "Only blocks below this height (page back)", uint())
            .query("limit", "How many (default 20)", json!({ "type": "integer", "minimum": 1, "maximum": super::chain::MAX_BLOCKS }))
            .ok(200, "Blocks", array(named("BlockSummary: height, hash, time_ms, proposer, tx_count, evidence_count, state_root, certificate_round, signatures, signed_power, total_power")))
            .reads()
            .done(),
        op("get", "/console", "console", "console", "The regulator console (HTML, embedded in tamgad; issue 8)")
            .answer(200, "The console page", "text/html", json!({ "type": "string" }))
            .done(),
        op("get", "/console/{path}", "console_asset", "console", "A console asset (script, style sheet, catalogue, image)")
            .path_param("path", "Asset name, e.g. app.js or kk.json", json!({ "type": "string" }))
            .answer(200, "The asset, with its content type", "application/octet-stream", json!({ "type": "string" }))
            .err(404, &["ASSET_NOT_FOUND"])
            .done(),
    ]
}

/// The register list routes that take `format=csv|json` (issue 8; export.rs):
/// each gets the parameter, the CSV answer and the `EXPORT_TOO_LARGE` error.
pub const EXPORT_PATHS: [&str; 9] = [
    "/v1/parties",
    "/v1/classes",
    "/v1/classes/{id}/holders",
    "/v1/escrows",
    "/v1/mining-notifications",
    "/v1/mining-notifications/totals",
    "/v1/activity-notifications",
    "/v1/evidence",
    "/v1/blocks",
];

/// [`operations`] with the export parameter and answers of [`EXPORT_PATHS`].
fn with_exports(ops: Vec<(&'static str, &'static str, Value)>) -> Vec<(&'static str, &'static str, Value)> {
    ops.into_iter()
        .map(|(method, path, mut v)| {
            if method == "get" && EXPORT_PATHS.contains(&path) {
                let param = json!({
                    "name": super::download::PARAM, "in": "query", "required": false,
                    "description": concat!(
                        "Download the filtered view as `csv` (header row, RFC 4180, exact integers) or `json` ",
                        "(an array; every matching item, not one page) with Content-Disposition: attachment",
                    ),
                    "schema": { "type": "string", "enum": ["csv", "json"] },
                });
                match v.get_mut("parameters").and_then(Value::as_array_mut) {
                    Some(list) => list.push(param),
                    None => v["parameters"] = json!([param]),
                }
                v["responses"]["200"]["content"]["text/csv"] = json!({ "schema": { "type": "string" } });
                v["responses"]["413"] = json!({
                    "description": "Error; `code` is one of: EXPORT_TOO_LARGE",
                    "content": { "application/json": { "schema": r("Error") } },
                    "x-error-codes": ["EXPORT_TOO_LARGE"],
                });
            }
            (method, path, v)
        })
        .collect()
}

/// The whole document.
pub fn document() -> Value {
    let mut paths = Map::new();
    for (method, path, operation) in with_exports(operations()) {
        let item = paths.entry(path).or_insert_with(|| json!({}));
        item[method] = operation;
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Tamga node HTTP API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The JSON API of tamgad (SPEC §11). Reference: docs/api.md. Every error is the Error \
                            object with a stable code; 4xx: fix the request, 429/503: retry later.",
        },
        "servers": [{ "url": "http://127.0.0.1:8080" }],
        "tags": [
            { "name": "node" }, { "name": "chain" }, { "name": "events" }, { "name": "transactions" },
            { "name": "registries" }, { "name": "notifications" }, { "name": "console" },
        ],
        "paths": paths,
        "components": {
            "schemas": schemas(),
            "responses": {
                "MethodNotAllowed": {
                    "description": "Error; `code` is METHOD_NOT_ALLOWED",
                    "content": { "application/json": { "schema": r("Error") } },
                },
            },
        },
    })
}
