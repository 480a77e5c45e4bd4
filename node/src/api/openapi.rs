//! `GET /openapi.json`: an OpenAPI 3.1 description of every route of
//! [`super::routes`]: its parameters with the patterns and bounds the
//! handlers enforce, its request body, and every answer it can give — each
//! status with its media types and JSON Schemas, each error status with the
//! codes it carries.
//!
//! Written by hand with `serde_json::json!` (no OpenAPI generator crate is
//! in the workspace). Conventions beyond OpenAPI 3.1 (docs/api.md, OpenAPI):
//!
//! * an error answer's schema is `Error` with `code` narrowed to the codes
//!   of that status on that route (also listed as `x-error-codes`);
//! * an event stream (`text/event-stream`) names the schema of one event,
//!   `{event, id?, data}` with `data` parsed as JSON, in `x-sse-event`;
//! * the issuer export (`application/x-ndjson`) names the schema of one
//!   line in `x-ndjson-line`;
//! * a CSV download's schema is the text with its header row as `pattern`.
//!
//! It cannot drift silently: a test builds the router from the same route
//! table and fails when a route has no operation here, or an operation no
//! route; another checks the document's structure; the contract test
//! (`api::tests::contract`) drives every operation of the live router with
//! inputs generated from the parameters' schemas and checks every answer
//! against the document.

use std::sync::OnceLock;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

use super::access::{route_access, Access};
use super::download::Row;
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

/// An unsigned integer the handlers parse as `u64` (digits only).
fn uint() -> Value {
    json!({ "type": "integer", "minimum": 0, "maximum": u64::MAX })
}

/// An unsigned integer in `min..=max`.
fn bounded(min: u64, max: u64) -> Value {
    json!({ "type": "integer", "minimum": min, "maximum": max })
}

/// A `YYYY-MM-DD` query date (a day the calendar has).
fn date_param() -> Value {
    json!({ "type": "string", "format": "date",
        "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$" })
}

/// A comma list of names from `allowed`.
fn comma_list(allowed: &[&str]) -> Value {
    let one = allowed.join("|");
    json!({ "type": "string", "pattern": format!("^({one})(,({one}))*$"), "x-allowed-items": allowed })
}

/// Error codes every route can answer, from the layers in front of the
/// handlers (`api::limits`, `api::auth`; `docs/api.md`, Errors).
const COMMON_ERRORS: &[(u16, &[&str])] = &[
    (400, &["BAD_BODY"]),
    (401, &["REQUEST_SIGNATURE_VERSION", "REQUEST_EXPIRED", "REQUEST_REPLAYED", "BAD_REQUEST_SIGNATURE"]),
    (408, &["BODY_TIMEOUT"]),
    (413, &["BODY_TOO_LARGE"]),
    (429, &["RATE_LIMITED"]),
    (500, &["INTERNAL"]),
    (503, &["OVERLOADED", "BODY_BUDGET_EXHAUSTED", "REPLAY_CACHE_FULL"]),
];

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

    fn param(mut self, place: &str, name: &str, required: bool, desc: &str, schema: Value) -> Op {
        self.params
            .push(json!({ "name": name, "in": place, "required": required, "description": desc, "schema": schema }));
        self
    }

    fn path_param(self, name: &str, desc: &str, schema: Value) -> Op {
        self.param("path", name, true, desc, schema)
    }

    fn query(self, name: &str, desc: &str, schema: Value) -> Op {
        self.param("query", name, false, desc, schema)
    }

    fn required_query(self, name: &str, desc: &str, schema: Value) -> Op {
        self.param("query", name, true, desc, schema)
    }

    fn header(self, name: &str, desc: &str, schema: Value) -> Op {
        self.param("header", name, false, desc, schema)
    }

    fn body(mut self, desc: &str, schema: Value) -> Op {
        self.v.insert(
            "requestBody".into(),
            json!({ "required": true, "description": desc, "content": { "application/json": { "schema": schema } } }),
        );
        self
    }

    fn ok(self, status: u16, desc: &str, schema: Value) -> Op {
        self.answer(status, desc, "application/json", json!({ "schema": schema }))
    }

    /// A success answer in `media` (several media types of one status add up).
    fn answer(mut self, status: u16, desc: &str, media: &str, content: Value) -> Op {
        let entry =
            self.responses.entry(status.to_string()).or_insert_with(|| json!({ "description": desc, "content": {} }));
        entry["content"][media] = content;
        self
    }

    /// An error status with its stable codes: `Error` with `code` narrowed
    /// to them (also as `x-error-codes`).
    fn err(mut self, status: u16, codes: &[&str]) -> Op {
        let entry = self.responses.entry(status.to_string()).or_insert_with(|| json!({ "x-error-codes": [] }));
        let mut all: Vec<String> = entry["x-error-codes"]
            .as_array()
            .map(|l| l.iter().filter_map(|c| c.as_str().map(str::to_owned)).collect())
            .unwrap_or_default();
        for c in codes {
            if !all.iter().any(|a| a == c) {
                all.push((*c).to_owned());
            }
        }
        entry["description"] = json!(format!("Error; `code` is one of: {}", all.join(", ")));
        entry["content"] = json!({ "application/json": { "schema": {
            "$ref": "#/components/schemas/Error",
            "properties": { "code": { "enum": all } },
        } } });
        if matches!(status, 429 | 503) {
            entry["headers"] = json!({ "Retry-After": {
                "description": "Seconds to wait before retrying (RATE_LIMITED, OVERLOADED, BODY_BUDGET_EXHAUSTED)",
                "schema": { "type": "integer", "minimum": 1 } } });
        }
        entry["x-error-codes"] = json!(all);
        self
    }

    /// The errors of a route with checked query parameters.
    fn reads(self) -> Op {
        self.err(400, &["UNKNOWN_PARAM", "BAD_PARAM", "BAD_QUERY"])
    }

    fn id_param(self, what: &str, not_found: &str) -> Op {
        self.path_param("id", &format!("{what} id"), uint()).err(400, &["BAD_ID"]).err(404, &[not_found])
    }

    fn key_param(self) -> Op {
        self.path_param("key", "Account public key (64 hex digits)", r("KeyParam"))
            .err(400, &["BAD_KEY"])
            .err(404, &["ACCOUNT_NOT_FOUND"])
    }

    /// Adds what every route answers (the layers' errors, the read policy's
    /// refusals for this path, 405) and the optional request signature.
    fn done(mut self) -> (&'static str, &'static str, Value) {
        for (status, codes) in COMMON_ERRORS {
            self = self.err(*status, codes);
        }
        match route_access(self.path) {
            Access::Open => {}
            Access::Signed => self = self.err(401, &["SIGNATURE_REQUIRED", "CLIENT_CERT_REQUIRED"]),
            Access::Regulator => {
                self = self.err(401, &["SIGNATURE_REQUIRED", "CLIENT_CERT_REQUIRED"]).err(403, &["REGULATOR_REQUIRED"])
            }
        }
        if !self.params.is_empty() {
            self.v.insert("parameters".into(), Value::Array(self.params));
        }
        self.v.insert(
            "security".into(),
            json!([{}, { "TamgaRequestSignature": [], "TamgaKey": [], "TamgaTime": [], "TamgaVersion": [] }]),
        );
        self.responses.insert("405".into(), json!({ "$ref": "#/components/responses/MethodNotAllowed" }));
        self.v.insert("responses".into(), Value::Object(self.responses));
        (self.method, self.path, Value::Object(self.v))
    }
}

/// A closed object: every property listed is required (serde writes every
/// field, `null` for an absent option) and no other property appears.
fn closed(props: Value) -> Value {
    closed_opt(props, &[])
}

/// A closed object whose properties in `optional` may be absent (serde's
/// `skip_serializing_if`).
fn closed_opt(props: Value, optional: &[&str]) -> Value {
    let required: Vec<&String> =
        props.as_object().map(|m| m.keys().filter(|k| !optional.contains(&k.as_str())).collect()).unwrap_or_default();
    json!({ "type": "object", "required": required, "properties": props, "additionalProperties": false })
}

/// `schema` or `null`.
fn nullable(schema: Value) -> Value {
    json!({ "anyOf": [schema, { "type": "null" }] })
}

fn string() -> Value {
    json!({ "type": "string" })
}

fn boolean() -> Value {
    json!({ "type": "boolean" })
}

fn one_of_names(names: &[&str]) -> Value {
    json!({ "type": "string", "enum": names })
}

/// An unsigned integer of at most `max` (the Rust type's range).
fn uint_max(max: u64) -> Value {
    json!({ "type": "integer", "minimum": 0, "maximum": max })
}

/// A serde enum tagged by `tag`: one closed object per variant.
fn tagged(tag: &str, variants: &[(&str, Value)]) -> Value {
    let alts: Vec<Value> = variants
        .iter()
        .map(|(name, fields)| {
            let mut props = fields.as_object().cloned().unwrap_or_default();
            props.insert(tag.to_owned(), json!({ "const": name }));
            closed(Value::Object(props))
        })
        .collect();
    json!({ "oneOf": alts })
}

/// Lower-case hex of `n` bytes, as the node writes it.
fn hex_out(n: u32, what: &str) -> Value {
    json!({ "type": "string", "pattern": format!("^[0-9a-f]{{{}}}$", 2 * n), "description": what })
}

/// Hex of `n` bytes as the node reads it: either case, optional `0x`.
fn hex_in(n: u32, what: &str) -> Value {
    json!({ "type": "string", "pattern": format!("^(0x)?[0-9a-fA-F]{{{}}}$", 2 * n), "description": what })
}

/// Lower-case hex of any number of bytes.
fn hex_bytes(what: &str) -> Value {
    json!({ "type": "string", "pattern": "^([0-9a-f]{2})*$", "description": what })
}

/// The snake_case names of the transaction payloads (`Payload`'s `type`).
pub const PAYLOAD_TYPES: &[&str] = &[
    "register_party",
    "set_party_status",
    "add_account",
    "revoke_account",
    "create_class",
    "mint",
    "transfer",
    "redeem",
    "freeze",
    "unfreeze",
    "set_class_paused",
    "forced_transfer",
    "recover_account",
    "issue_record",
    "transfer_record",
    "encumber",
    "release",
    "terminate_record",
    "create_escrow",
    "release_escrow",
    "refund_escrow",
    "dispute_escrow",
    "resolve_escrow",
    "submit_mining_notification",
    "review_mining_notification",
    "submit_activity_notification",
    "review_activity_notification",
    "update_validators",
    "set_parameter",
    "lift_restriction",
    "close_class",
    "publish_terms",
];

fn regions() -> Vec<&'static str> {
    tamga_types::Region::ALL.iter().map(|r| r.as_str()).collect()
}

/// The `region` query parameter: a code or a name people type
/// (`tamga_types::region_names`), so a string, with the codes and a few
/// names as examples.
fn region_param() -> Value {
    let mut examples: Vec<&str> = regions();
    examples.extend(["Павлодарская область", "Павлодар облысы", "Pavlodar Region", "город Астана", "Алматы қаласы"]);
    json!({ "type": "string", "minLength": 1, "examples": examples })
}

fn schemas() -> Value {
    let u64_ = || uint_max(u64::MAX);
    let u32_ = || uint_max(u64::from(u32::MAX));
    let review = tagged(
        "status",
        &[
            ("submitted", json!({})),
            ("accepted", json!({ "by": u64_(), "height": u64_() })),
            ("rejected", json!({ "by": u64_(), "height": u64_(), "reason": string() })),
        ],
    );
    let account_status = tagged(
        "status",
        &[
            ("active", json!({})),
            (
                "revoked",
                json!({ "height": u64_(), "by": u64_(), "reason": one_of_names(&[
                    "holder_request", "false_information", "death", "change_of_name",
                    "reorganisation_or_liquidation", "court_decision"]) }),
            ),
        ],
    );
    let mut m = Map::new();
    let mut put = |name: &str, v: Value| {
        m.insert(name.to_owned(), v);
    };
    put(
        "Error",
        json!({
            "type": "object",
            "required": ["code", "message"],
            "additionalProperties": false,
            "properties": {
                "code": { "type": "string", "pattern": "^[A-Z][A-Z0-9_]*$",
                    "description": "Stable machine-readable code (docs/api.md, All error codes); each answer lists its codes" },
                "message": { "type": "string", "description": "Explanation naming the value at fault, in the negotiated language" },
                "field": { "type": "string", "description": "Body field, query parameter or header at fault" },
            },
        }),
    );
    put("Hash", hex_out(32, "SHA-256 hash, lower-case hex"));
    put("PublicKey", hex_out(32, "ed25519 public key, lower-case hex"));
    put("Signature", hex_out(64, "ed25519 signature, lower-case hex"));
    put("HashParam", hex_in(32, "SHA-256 hash: 64 hex digits, either case, optional 0x"));
    put("KeyParam", hex_in(32, "ed25519 public key: 64 hex digits, either case, optional 0x"));
    put(
        "Amount",
        json!({ "type": "integer", "minimum": 0, "format": "u128",
            "description": "Base units; may exceed 2^53 and 2^64: parse with a big-integer-aware JSON reader" }),
    );
    put(
        "Date",
        closed(json!({ "year": uint_max(u64::from(u16::MAX)),
            "month": { "type": "integer", "minimum": 1, "maximum": 12 },
            "day": { "type": "integer", "minimum": 1, "maximum": 31 } })),
    );
    put(
        "TxOutcome",
        // The receipt holds `code` and `args`; the API adds `message`, rendered
        // from them in the answer's language (docs/wire-format.md §10).
        tagged(
            "status",
            &[
                ("success", json!({})),
                (
                    "failed",
                    json!({
                        "code": string(),
                        "args": array(json!({ "type": "array", "prefixItems": [string(), string()], "minItems": 2, "maxItems": 2 })),
                        "message": string(),
                    }),
                ),
            ],
        ),
    );
    put(
        "ReceiptEvent",
        closed(json!({
            "kind": one_of_names(RECEIPT_EVENT_KINDS),
            "attributes": array(json!({ "type": "array", "prefixItems": [string(), string()], "minItems": 2, "maxItems": 2 })),
        })),
    );
    put(
        "Receipt",
        closed(json!({
            "tx_hash": r("Hash"), "height": u64_(), "index": u32_(), "block_time_ms": u64_(),
            "outcome": r("TxOutcome"), "events": array(r("ReceiptEvent")),
        })),
    );
    put("Health", closed(json!({ "status": { "const": "ok" }, "height": u64_() })));
    put(
        "NodeStatus",
        closed(json!({
            "chain_id": string(), "genesis_hash": r("Hash"), "node_key": r("PublicKey"),
            "peer_id": string(), "validator": boolean(), "height": u64_(),
            "last_block_hash": r("Hash"), "last_block_time_ms": u64_(), "state_root": r("Hash"),
            "consensus_height": u64_(), "consensus_round": u32_(), "syncing": boolean(),
            "peers": u64_(), "mempool_txs": u64_(), "version": string(),
        })),
    );
    put(
        "ChainInfo",
        closed(json!({
            "chain_id": string(), "genesis_time_ms": u64_(), "genesis_hash": r("Hash"),
            "regulation_hash": r("Hash"), "network_type": string(),
        })),
    );
    put(
        "Params",
        closed(json!({
            "max_block_txs": u32_(),
            "validator_change_delay": u64_(),
            "require_mining_notice": boolean(),
            "min_validators": u32_(),
        })),
    );
    put(
        "Validator",
        closed(json!({ "key": r("PublicKey"), "power": u64_(), "operator": u64_(), "p2p_key": r("PublicKey") })),
    );
    // A receipt names the validators that certified it by consensus key only.
    put("CertifyingValidator", closed(json!({ "key": r("PublicKey"), "power": u64_(), "operator": u64_() })));
    put(
        "Validators",
        closed(json!({
            "height": u64_(), "total_power": u64_(), "quorum": u64_(),
            "validators": closed(json!({ "validators": array(r("Validator")) })),
        })),
    );
    put(
        "Transaction",
        closed(json!({
            "chain_id": string(), "signer": r("PublicKey"), "nonce": u64_(),
            "payload": {
                "type": "object", "required": ["type"],
                "description": "The payload: `type` and the variant's fields (docs/wire-format.md §5)",
                "properties": { "type": one_of_names(PAYLOAD_TYPES) },
            },
            "memo": nullable(string()),
        })),
    );
    put("SignedTransaction", closed(json!({ "tx": r("Transaction"), "signature": r("Signature") })));
    put(
        "Evidence",
        json!({ "type": "object", "description": "Two conflicting votes of one validator (docs/wire-format.md §8)" }),
    );
    put(
        "BlockHeader",
        closed(json!({
            "chain_id": string(), "height": u64_(), "round": u32_(), "time_ms": u64_(),
            "parent_hash": r("Hash"), "proposer": r("PublicKey"), "tx_root": r("Hash"), "evidence_root": r("Hash"),
            "state_root": r("Hash"), "receipts_root": r("Hash"), "validators_hash": r("Hash"),
            "next_validators_hash": r("Hash"),
        })),
    );
    put(
        "Block",
        closed(
            json!({ "header": r("BlockHeader"), "txs": array(r("SignedTransaction")), "evidence": array(r("Evidence")) }),
        ),
    );
    put(
        "Certificate",
        closed(json!({
            "data": closed(json!({ "kind": { "const": "precommit" }, "height": u64_(), "round": u32_(), "block_hash": r("Hash") })),
            "signatures": array(json!({ "type": "array", "prefixItems": [uint_max(u64::from(u16::MAX)), r("Signature")],
                "minItems": 2, "maxItems": 2, "description": "[validator index in the set, signature]" })),
        })),
    );
    put(
        "BlockAnswer",
        json!({
            "oneOf": [
                closed(json!({ "height": u64_(), "hash": r("Hash"), "block": r("Block"), "certificate": r("Certificate") })),
                closed_opt(json!({ "height": u64_(), "hash": r("Hash"),
                    "raw": nullable(hex_bytes("Hex of the borsh CertifiedBlock (encoding=borsh); null when withheld")),
                    "raw_redacted": { "const": true } }), &["raw_redacted"]),
            ],
        }),
    );
    put("Receipts", closed(json!({ "height": u64_(), "receipts": array(r("Receipt")) })));
    put(
        "StateProof",
        closed(json!({
            "key": hex_bytes("The logical key asked for"), "height": u64_(), "root": r("Hash"),
            "value": nullable(hex_bytes("Hex of the borsh state entry")),
            "proof": hex_bytes("Hex of borsh jmt 0.12 SparseMerkleProof<Sha256> (docs/wire-format.md)"),
        })),
    );
    put(
        "BlockSummary",
        closed(json!({
            "height": u64_(), "hash": r("Hash"), "time_ms": u64_(), "proposer": r("PublicKey"), "tx_count": u64_(),
            "evidence_count": u64_(), "state_root": r("Hash"), "certificate_round": u32_(), "signatures": u64_(),
            "signed_power": u64_(), "total_power": u64_(),
        })),
    );
    put(
        "SubmitBody",
        json!({
            "type": "object",
            "description": "Exactly one of tx and txs; each a hex borsh SignedTransaction (optional 0x)",
            "properties": {
                "tx": { "type": "string", "pattern": "^(0x)?([0-9a-fA-F]{2})*$" },
                "txs": { "type": "array", "items": { "type": "string", "pattern": "^(0x)?([0-9a-fA-F]{2})*$" },
                    "minItems": 1, "maxItems": MAX_BATCH },
            },
            "minProperties": 1, "maxProperties": 1,
            "additionalProperties": false,
        }),
    );
    put("Submitted", closed(json!({ "hash": r("Hash") })));
    put(
        "SubmitResults",
        closed(json!({ "results": array(json!({ "oneOf": [
            closed(json!({ "hash": r("Hash") })),
            closed(json!({ "error": closed(json!({ "status": uint_max(599), "code": string(), "message": string() })) })),
        ] })) })),
    );
    put(
        "TxStatus",
        json!({
            "oneOf": [
                closed(json!({ "status": { "const": "pending" }, "hash": r("Hash") })),
                closed_opt(json!({
                    "status": { "const": "committed" }, "hash": r("Hash"), "tx": r("SignedTransaction"),
                    "receipt": r("Receipt"),
                    "raw": nullable(hex_bytes("Hex of the signed bytes; null when withheld (a restricted mining site)")),
                    "raw_redacted": { "const": true } }), &["raw_redacted"]),
            ],
        }),
    );
    put("AccountStatus", account_status);
    put(
        "AccountState",
        closed(json!({
            "key": r("PublicKey"), "party": u64_(), "status": r("AccountStatus"),
            "certificate": nullable(closed(json!({ "issuer": string(), "serial": string() }))),
            "nonce": u64_(), "created_height": u64_(),
        })),
    );
    put(
        "Account",
        closed(json!({
            "account": r("AccountState"), "next_nonce": u64_(),
            "balances": array(closed(json!({
                "class": u64_(), "symbol": string(), "decimals": uint_max(255),
                "amount": r("Amount"), "frozen": r("Amount"), "free": r("Amount") }))),
        })),
    );
    put(
        "PartyState",
        closed(json!({
            "id": u64_(), "kind": one_of_names(&["individual", "legal_entity"]), "id_commitment": r("Hash"),
            "display_name": nullable(string()), "status": one_of_names(&["active", "suspended", "revoked"]),
            "registered_height": u64_(), "registered_by": nullable(u64_()),
            "regulator_scopes": array(one_of_names(&["assets", "mining"])), "issuer": boolean(),
            "mining_active": boolean(), "accounts": array(r("PublicKey")),
        })),
    );
    put(
        "Party",
        closed(json!({ "party": r("PartyState"), "accounts": array(r("AccountState")), "roles": array(string()) })),
    );
    put(
        "ClassState",
        closed(json!({
            "id": u64_(), "issuer": u64_(), "symbol": string(), "name": string(), "decimals": uint_max(255),
            "supply_cap": nullable(r("Amount")), "supply": r("Amount"),
            "rights": array(closed(json!({ "kind": one_of_names(&["goods", "services", "share", "bond", "vote",
                "dividend", "financial_instrument"]), "description": string() }))),
            "document_hash": r("Hash"), "document_uri": string(), "redemption_terms": string(),
            "status": one_of_names(&["active", "paused", "closed"]), "created_height": u64_(),
        })),
    );
    put(
        "Holder",
        closed(
            json!({ "account": r("PublicKey"), "party": nullable(u64_()), "amount": r("Amount"), "frozen": r("Amount") }),
        ),
    );
    put(
        "RecordState",
        closed(json!({
            "id": u64_(), "certifier": u64_(), "holder_party": u64_(), "holder": r("PublicKey"),
            "object": closed(json!({
                "kind": one_of_names(&["thing", "goods", "raw_resource", "claim", "digital_object", "other"]),
                "description": string(), "external_ref": nullable(string()), "document_hash": nullable(r("Hash")) })),
            "status": tagged("status", &[
                ("active", json!({})),
                ("terminated", json!({ "height": u64_(), "reason": one_of_names(&[
                    "redeemed", "expired", "object_lost", "court_decision", "other"]) })),
            ]),
            "encumbrances": array(closed(json!({
                "id": u64_(), "kind": one_of_names(&["pledge", "lien", "arrest", "other"]), "beneficiary": u64_(),
                "legal_basis": string(), "created_height": u64_(), "imposed_by": u64_() }))),
            "escrow": nullable(u64_()), "created_height": u64_(), "history_len": u64_(),
        })),
    );
    put(
        "Record",
        closed(json!({
            "record": r("RecordState"),
            "history": array(closed(json!({
                "height": u64_(), "time_ms": u64_(), "tx_hash": r("Hash"), "signer": r("PublicKey"), "event": string(),
                "details": array(json!({ "type": "array", "prefixItems": [string(), string()], "minItems": 2, "maxItems": 2 })),
            }))),
        })),
    );
    put(
        "EscrowState",
        closed(json!({
            "id": u64_(), "payer": r("PublicKey"), "payer_party": u64_(), "payee": r("PublicKey"), "payee_party": u64_(),
            "arbiter_party": u64_(),
            "asset": { "oneOf": [
                closed(json!({ "tokens": closed(json!({ "class": u64_(), "amount": r("Amount") })) })),
                closed(json!({ "record": closed(json!({ "record": u64_() })) })),
            ] },
            "terms_hash": r("Hash"), "deadline_height": u64_(),
            "status": one_of_names(&["open", "disputed", "released", "refunded"]), "created_height": u64_(),
            "dispute_reason": nullable(string()), "resolution": nullable(string()), "closed_height": nullable(u64_()),
        })),
    );
    let authority = one_of_names(&["issuer", "regulator"]);
    put(
        "Restriction",
        closed(json!({
            "id": u64_(),
            "target": { "oneOf": [
                closed(json!({ "holding": closed(json!({
                    "class": u64_(), "holder": r("PublicKey"), "amount": nullable(r("Amount")) })) })),
                closed(json!({ "class": closed(json!({ "class": u64_() })) })),
            ] },
            "imposed_by": u64_(), "authority": authority.clone(), "legal_basis": string(), "height": u64_(),
            "tx": r("Hash"),
            "lifted": nullable(closed(json!({
                "by": u64_(), "authority": authority, "legal_basis": string(), "height": u64_(), "tx": r("Hash") }))),
        })),
    );
    put(
        "EscrowTerms",
        closed(json!({ "hash": r("Hash"), "text": string(), "published_by": u64_(), "height": u64_() })),
    );
    put("ReviewStatus", review);
    put(
        "MiningSite",
        closed_opt(
            json!({
                "region": one_of_names(&regions()),
                "address": { "type": ["string", "null"],
                    "description": "Street address (restricted, SPEC §6): null with address_redacted when withheld" },
                "address_redacted": { "const": true },
                "capacity_kw": u64_(), "units": u32_(), "hashrate_ths": u64_(),
                "energy": one_of_names(&["grid", "own_generation", "renewable", "associated_gas", "other"]),
                "pool": nullable(string()), "start_date": r("Date"),
            }),
            &["address_redacted"],
        ),
    );
    put(
        "MiningNotification",
        closed(json!({
            "id": u64_(), "miner": u64_(), "kind": one_of_names(&["start", "change", "termination"]),
            "previous": nullable(u64_()), "superseded_by": nullable(u64_()), "version": u32_(), "site": r("MiningSite"),
            "status": r("ReviewStatus"), "closed": boolean(), "submitted_height": u64_(), "submitted_time_ms": u64_(),
            "history_len": u64_(),
        })),
    );
    put("MiningPage", closed(json!({ "items": array(r("MiningNotification")), "next_after": nullable(u64_()) })));
    put(
        "RegionTotal",
        closed(
            json!({ "region": nullable(one_of_names(&regions())), "sites": u64_(), "capacity_kw": u64_(), "units": u64_() }),
        ),
    );
    put(
        "ActivityNotification",
        closed(json!({
            "id": u64_(), "party": u64_(), "activity": one_of_names(&["issuance", "trading_organisation", "exchange"]),
            "phase": one_of_names(&["start", "termination"]), "date": r("Date"), "status": r("ReviewStatus"),
            "submitted_height": u64_(), "history_len": u64_(),
        })),
    );
    put(
        "EvidenceRecord",
        closed(json!({
            "id": r("Hash"), "validator": r("PublicKey"), "vote_height": u64_(), "vote_round": u32_(),
            "recorded_height": u64_(), "evidence": r("Evidence"),
        })),
    );
    put(
        "Bundle",
        closed(json!({
            "hash": r("Hash"), "height": u64_(), "bytes": u64_(),
            "raw": hex_bytes("Hex of the borsh receipt bundle (docs/receipt-format.md)"),
        })),
    );
    put(
        "VerifyBody",
        json!({
            "type": "object",
            "description": "Exactly one of tx (hex borsh SignedTransaction) and bundle (hex receipt bundle); optional 0x",
            "properties": {
                "tx": { "type": "string", "pattern": "^(0x)?([0-9a-fA-F]{2})*$" },
                "bundle": { "type": "string", "pattern": "^(0x)?([0-9a-fA-F]{2})*$" },
            },
            "minProperties": 1, "maxProperties": 1,
            "additionalProperties": false,
        }),
    );
    let invalid = closed(json!({ "code": string(), "message": string() }));
    put(
        "VerifiedReceipt",
        closed(json!({
            "tx_hash": r("Hash"), "chain_id": string(), "signer": r("PublicKey"),
            "signer_party": tagged("source", &[
                (
                    "state_proof",
                    json!({
                        "party": u64_(), "status": r("AccountStatus"), "created_height": u64_(),
                        "certificate": nullable(closed(json!({ "issuer": string(), "serial": string() }))),
                    }),
                ),
                ("genesis", json!({ "party": u64_() })),
                ("no_account", json!({})),
                ("unknown", json!({})),
            ]),
            "nonce": u64_(), "operation": one_of_names(PAYLOAD_TYPES), "height": u64_(), "index": u32_(),
            "block_time_ms": u64_(), "block_hash": nullable(r("Hash")),
            "certified_by": array(r("CertifyingValidator")), "signed_power": u64_(), "total_power": u64_(),
            "validator_changes": u64_(), "outcome": r("TxOutcome"), "events": array(r("ReceiptEvent")),
            "events_certified": boolean(), "rendering": string(),
        })),
    );
    put(
        "Verdict",
        json!({ "oneOf": [
            closed_opt(json!({
                "kind": { "const": "transaction" }, "valid": boolean(), "error": invalid, "tx_hash": r("Hash"),
                "signature_valid": boolean(), "signer": r("PublicKey"),
                "account": nullable(closed(json!({ "party": u64_(), "status": r("AccountStatus") }))),
                "committed": nullable(closed(json!({ "height": u64_(), "index": u32_(), "block_time_ms": u64_(),
                    "block_hash": nullable(r("Hash")), "outcome": r("TxOutcome") }))),
                "operation": one_of_names(PAYLOAD_TYPES), "rendering": string(),
            }), &["error"]),
            closed_opt(json!({
                "kind": { "const": "bundle" }, "valid": boolean(), "error": invalid,
                "receipt": r("VerifiedReceipt"), "matches_this_node": boolean(),
            }), &["error", "receipt", "matches_this_node"]),
        ] }),
    );
    put(
        "BlockEvent",
        closed(json!({
            "height": u64_(), "hash": r("Hash"), "time_ms": u64_(), "tx_count": u64_(), "failed_count": u64_(),
            "evidence_count": u64_(), "state_root": r("Hash"), "proposer": r("PublicKey"),
        })),
    );
    put(
        "EvidenceEvent",
        closed(json!({ "height": u64_(), "id": r("Hash"), "validator": r("PublicKey"), "vote_height": u64_(),
            "vote_round": u32_() })),
    );
    let event_id = json!({ "type": "string", "pattern": "^[0-9]+$" });
    put(
        "ChainStreamEvent",
        json!({
            "description": "One event of GET /v1/events as {event, id?, data}: `data` parsed as JSON; `id` (the height) \
                            only on the last event of a block",
            "oneOf": [
                closed_opt(json!({ "event": { "const": "block" }, "id": event_id, "data": r("BlockEvent") }), &["id"]),
                closed_opt(json!({ "event": { "const": "tx" }, "id": event_id, "data": r("Receipt") }), &["id"]),
                closed_opt(json!({ "event": { "const": "evidence" }, "id": event_id, "data": r("EvidenceEvent") }), &["id"]),
                closed(json!({ "event": { "const": "error" }, "data": r("Error") })),
                closed_opt(json!({ "event": { "const": "account_event" }, "id": event_id, "data": r("AccountEvent") }), &["id"]),
                closed_opt(json!({ "event": { "const": "end" }, "id": event_id, "data": r("Error") }), &["id"]),
            ],
        }),
    );
    put(
        "AccountEvent",
        json!({
            "description": "One event of an account's feed (GET /v1/events?account=KEY): a receipt event that \
                            concerns the account, where it was committed, and how it concerns it (role; docs/api.md, \
                            Account feed)",
            "type": "object",
            "required": ["account", "height", "tx_hash", "index", "block_time_ms", "event", "role"],
            "properties": {
                "account": r("PublicKey"), "height": u64_(), "tx_hash": r("Hash"), "index": u32_(),
                "block_time_ms": u64_(), "event": r("ReceiptEvent"),
                "role": one_of_names(&[
                    "holder", "class_holder", "from", "to", "payer", "payee", "record_holder", "key", "party",
                    "operator",
                ]),
            },
            "additionalProperties": false,
        }),
    );
    put(
        "SecurityRecord",
        json!({
            "type": "object", "required": ["seq", "time_ms", "node", "kind"],
            "description": "One security event: seq, time_ms, node and kind, plus the kind's own fields (docs/api.md, \
                            Security events); the set of fields depends on kind",
            "properties": { "seq": u64_(), "time_ms": u64_(), "node": r("PublicKey"),
                "kind": one_of_names(crate::security::SecurityEvent::KINDS) },
            "additionalProperties": true,
        }),
    );
    put(
        "SecurityPage",
        closed(json!({
            "events": array(r("SecurityRecord")), "oldest": nullable(u64_()), "complete_from": nullable(u64_()),
            "last": u64_(), "next_after": u64_(), "truncated": boolean(),
        })),
    );
    put(
        "SecurityStreamEvent",
        json!({
            "description": "One event of GET /v1/security/events?stream=true as {event, id?, data}",
            "oneOf": [
                closed(json!({ "event": { "const": "security" }, "id": event_id, "data": r("SecurityRecord") })),
                closed(json!({ "event": { "const": "gap" },
                    "data": closed(json!({ "missed_from": u64_(), "missed_to": u64_() })) })),
            ],
        }),
    );
    let lines: Vec<Value> = [
        "header",
        "block",
        "party",
        "issuer_index",
        "account",
        "class",
        "holders",
        "holding",
        "record",
        "history",
        "end",
    ]
    .iter()
    .map(|k| {
        let mut line = Map::new();
        line.insert((*k).to_owned(), json!({ "type": "object" }));
        closed(Value::Object(line))
    })
    .collect();
    put(
        "ExportLine",
        json!({
            "description": "One line of an issuer export (docs/export-format.md): an object with one key naming the line",
            "oneOf": lines,
        }),
    );
    Value::Object(m)
}

/// Every operation: (method, path, operation object).
fn operations() -> Vec<(&'static str, &'static str, Value)> {
    let height_param = |o: Op| {
        o.path_param(
            "height",
            "Block height 1..=last committed, or `latest`; past the last: 404",
            json!({ "type": "string", "pattern": "^([0-9]+|latest)$", "x-maximum": u64::MAX }),
        )
        .err(400, &["BAD_HEIGHT"])
        .err(404, &["BLOCK_NOT_FOUND"])
    };
    let party_q = "Party id";
    let status_q = || json!({ "type": "string", "enum": ["submitted", "accepted", "rejected"] });
    let stream_kinds: Vec<&str> = STREAM_EVENTS.iter().chain(RECEIPT_EVENT_KINDS).copied().collect();
    let sse = |item: &str| json!({ "schema": { "type": "string" }, "x-sse-event": r(item) });
    let console_media = ["text/html", "text/javascript", "text/css", "application/json", "image/svg+xml"];
    let mut console_asset = op("get", "/console/{path}", "console_asset", "console", "A console asset")
        .path_param(
            "path",
            "Asset name",
            json!({ "type": "string", "examples": crate::api::console::ASSETS.iter().map(|a| a.name).collect::<Vec<_>>() }),
        )
        .err(404, &["ASSET_NOT_FOUND"]);
    for media in console_media {
        // The JSON assets are the console's message catalogues.
        let schema =
            if media == "application/json" { json!({ "type": "object" }) } else { json!({ "type": "string" }) };
        console_asset =
            console_asset.answer(200, "The asset, with its content type", media, json!({ "schema": schema }));
    }
    vec![
        op("get", "/health", "health", "node", "Liveness: the ledger answers")
            .ok(200, "Healthy", r("Health"))
            .err(503, &["UNHEALTHY"])
            .done(),
        op("get", "/metrics", "metrics", "node", "Prometheus metrics (OpenMetrics text)")
            .answer(200, "OpenMetrics exposition, `tamga_*`", "application/openmetrics-text", json!({ "schema": { "type": "string" } }))
            .err(403, &["METRICS_FORBIDDEN"])
            .done(),
        op("get", "/openapi.json", "openapi", "node", "This document")
            .ok(200, "OpenAPI 3.1 document", json!({ "type": "object", "required": ["openapi", "info", "paths"] }))
            .done(),
        op("get", "/v1/status", "status", "node", "Node status: height, peers, syncing").ok(200, "Status", r("NodeStatus")).done(),
        op("get", "/v1/chain", "chain", "chain", "Chain facts (SPEC §1.11)").ok(200, "Chain", r("ChainInfo")).done(),
        op("get", "/v1/params", "params", "chain", "Chain parameters").ok(200, "Params", r("Params")).done(),
        op("get", "/v1/validators", "validators", "chain", "The validator set certifying a height")
            .query("height", "Height in 1..=last+1 (default: the next block); past last+1: BAD_PARAM", bounded(1, u64::MAX))
            .ok(200, "Validator set", r("Validators"))
            .reads()
            .done(),
        height_param(op("get", "/v1/blocks/{height}", "block", "chain", "A block with its commit certificate"))
            .describe(
                "encoding=json: the block as JSON; encoding=borsh: `raw`, the hex of the borsh CertifiedBlock. \
                 A block holding a mining notification whose site address the reader may not see has that address \
                 redacted (JSON) or `raw` withheld (borsh), docs/api.md Access policy.",
            )
            .query("encoding", "json (default) or borsh", json!({ "type": "string", "enum": ["json", "borsh"] }))
            .ok(200, "Block", r("BlockAnswer"))
            .reads()
            .done(),
        height_param(op("get", "/v1/blocks/{height}/receipts", "block_receipts", "chain", "Receipts of a block, in order"))
            .ok(200, "Receipts", r("Receipts"))
            .done(),
        op("get", "/v1/proofs/state", "state_proof", "chain", "Merkle proof of a state entry (SPEC §10)")
            .required_query(
                "key",
                "Hex of a logical state key (docs/wire-format.md, state keys), at least one byte",
                json!({ "type": "string", "pattern": "^([0-9a-fA-F]{2})+$" }),
            )
            .query("height", "Height of the root, 1..=last (default: last committed); otherwise BAD_PARAM", bounded(1, u64::MAX))
            .ok(200, "Proof", r("StateProof"))
            .err(400, &["MISSING_PARAM"])
            .reads()
            .err(403, &["RESTRICTED_FIELD"])
            .err(410, &["STATE_PRUNED"])
            .done(),
        op("get", "/v1/events", "events", "events", "Server-Sent Events of committed blocks and receipts")
            .describe(
                "Per committed block, in height order: one `block` event (BlockEvent), one `tx` event per receipt \
                 (Receipt, with its registry-change events) and one `evidence` event per recorded equivocation \
                 (EvidenceEvent). The last event of each block carries `id: <height>`. An `error` event (Error) ends \
                 the stream when the node cannot read its ledger. Keep-alive comments every 15 s. Replays from \
                 `from_height` or after `Last-Event-ID` from the ledger, then follows live. With `account`: only \
                 the receipt events that concern that account, one `account_event` (AccountEvent) each, the last of \
                 a block carrying `id: <height>`; when reads are closed only the account itself (a request it \
                 signed) or a regulator may open it (403 ACCOUNT_FEED_FORBIDDEN); a feed that falls behind gets an \
                 `end` event (SUBSCRIBER_TOO_SLOW, id: the height to resume after) and closes.",
            )
            .query(
                "kinds",
                "Comma list of event names (block, tx, evidence) or receipt event kinds; a tx event is sent when `tx` \
                 or one of its receipt's event kinds is listed. Default: everything",
                comma_list(&stream_kinds),
            )
            .query("from_height", "Replay committed blocks from this height before following live", bounded(1, u64::MAX))
            .query(
                "account",
                "Account public key (64 hex digits): only the events that concern it (Law on Informatization art. 36 \
                 p.6; docs/api.md, Account feed); `kinds` then names receipt event kinds",
                r("PublicKey"),
            )
            .header("Last-Event-ID", "Resume after this height (wins over from_height)", json!({ "type": "string", "pattern": "^[0-9]+$", "x-maximum": u64::MAX }))
            .answer(200, "An event stream; one event is x-sse-event", "text/event-stream", sse("ChainStreamEvent"))
            .reads()
            .err(401, &["SIGNATURE_REQUIRED"])
            .err(403, &["ACCOUNT_FEED_FORBIDDEN"])
            .err(404, &["ACCOUNT_NOT_FOUND"])
            .err(503, &["TOO_MANY_SUBSCRIBERS"])
            .done(),
        op("post", "/v1/txs", "submit", "transactions", "Submit one signed transaction or a batch")
            .body("One transaction or a batch of hex borsh SignedTransaction", r("SubmitBody"))
            .ok(200, "Batch: one result per transaction, in order", r("SubmitResults"))
            .ok(202, "Admitted (one transaction)", r("Submitted"))
            .err(400, &[
                "BAD_JSON", "BAD_REQUEST", "BAD_HEX", "EMPTY_BATCH", "BATCH_TOO_LARGE", "MALFORMED_TX",
                "TX_TOO_LARGE", "WRONG_CHAIN_ID", "BAD_SIGNATURE", "VALIDATOR_KEY_SIGNER",
            ])
            .err(403, &["UNKNOWN_SIGNER", "ACCOUNT_REVOKED", "PARTY_INACTIVE", "UNKNOWN_PARTY", "VALIDATOR_KEY_SIGNER"])
            .err(409, &["DUPLICATE_TX", "ALREADY_COMMITTED", "STALE_NONCE", "NONCE_TAKEN"])
            .err(429, &["NONCE_TOO_FAR", "ACCOUNT_QUEUE_FULL"])
            .err(503, &["MEMPOOL_FULL", "LEDGER_UNAVAILABLE"])
            .done(),
        op("get", "/v1/txs/{hash}", "tx", "transactions", "Transaction status: pending or committed with receipt")
            .path_param("hash", "Transaction id", r("HashParam"))
            .ok(200, "Pending or committed", r("TxStatus"))
            .err(400, &["BAD_HASH"])
            .err(404, &["TX_NOT_FOUND"])
            .done(),
        op("get", "/v1/accounts/{key}", "account", "registries", "An account with its nonce and balances")
            .key_param()
            .ok(200, "Account", r("Account"))
            .done(),
        op("get", "/v1/accounts/{key}/records", "account_records", "registries", "Records held by an account")
            .key_param()
            .ok(200, "Records", array(r("RecordState")))
            .done(),
        op("get", "/v1/parties", "parties", "registries", "All parties").ok(200, "Parties", array(r("PartyState"))).reads().done(),
        op("get", "/v1/parties/{id}", "party", "registries", "A party with its accounts and roles")
            .id_param("Party", "PARTY_NOT_FOUND")
            .ok(200, "Party", r("Party"))
            .done(),
        op("get", "/v1/classes", "classes", "registries", "Token classes, all or one issuer's")
            .query("issuer", party_q, uint())
            .ok(200, "Classes", array(r("ClassState")))
            .reads()
            .done(),
        op("get", "/v1/classes/{id}", "class", "registries", "A token class")
            .id_param("Class", "CLASS_NOT_FOUND")
            .ok(200, "Class", r("ClassState"))
            .done(),
        op("get", "/v1/classes/{id}/holders", "holders", "registries", "Holders of a class")
            .id_param("Class", "CLASS_NOT_FOUND")
            .ok(200, "Holders", array(r("Holder")))
            .reads()
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
            .done(),
        op("get", "/v1/escrows", "escrows", "registries", "Escrows, all or those of a party")
            .query("party", "Party id: payer, payee or arbiter", uint())
            .ok(200, "Escrows", array(r("EscrowState")))
            .reads()
            .done(),
        op("get", "/v1/escrows/{id}", "escrow", "registries", "An escrow")
            .id_param("Escrow", "ESCROW_NOT_FOUND")
            .ok(200, "Escrow", r("EscrowState"))
            .done(),
        op("get", "/v1/terms/{hash}", "terms", "registries", "Escrow terms published under their SHA-256 (SPEC §7)")
            .path_param("hash", "SHA-256 of the terms text", r("HashParam"))
            .ok(200, "Terms", r("EscrowTerms"))
            .err(400, &["BAD_HASH"])
            .err(404, &["TERMS_NOT_FOUND"])
            .err(500, &["INTERNAL"])
            .done(),
        op("get", "/v1/mining-notifications", "mining_notifications", "notifications", "Mining notifications, filtered and paged (SPEC §6)")
            .describe(
                "Without `format`: one page, a MiningPage. With `format=json`: a download (Content-Disposition: \
                 attachment), the JSON array of every matching notification — of one page when `after` or `limit` \
                 is given. With `format=csv`: the same rows as CSV. `from` ≤ `to` when both are given.",
            )
            .query("miner", party_q, uint())
            .query("status", "Review status", status_q())
            .query("region", "Region: its code, or its name in Kazakh, Russian or English, case-insensitive, with or without the word for region or city (`Павлодарская область`, `Павлодар облысы`, `Pavlodar Region`); answers always carry the code", region_param())
            .query("kind", "Notification kind", json!({ "type": "string", "enum": ["start", "change", "termination"] }))
            .query("from", "Site start date lower bound, YYYY-MM-DD", date_param())
            .query("to", "Site start date upper bound, YYYY-MM-DD (not before from)", date_param())
            .query("after", "Cursor: ids greater than this (the previous page's next_after)", uint())
            .query("limit", "Page size (default 100)", bounded(1, MAX_PAGE as u64))
            .ok(200, "A page (no format), or the array of format=json", json!({ "oneOf": [r("MiningPage"), array(r("MiningNotification"))] }))
            .reads()
            .done(),
        op("get", "/v1/mining-notifications/totals", "mining_totals", "notifications", "Accepted live sites per region")
            .ok(200, "Totals", array(r("RegionTotal")))
            .reads()
            .done(),
        op("get", "/v1/mining-notifications/{id}", "mining_notification", "notifications", "A mining notification")
            .id_param("Mining notification", "MINING_NOTIFICATION_NOT_FOUND")
            .ok(200, "Notification", r("MiningNotification"))
            .done(),
        op("get", "/v1/activity-notifications", "activity_notifications", "notifications", "Activity notifications, all or a party's")
            .query("party", party_q, uint())
            .query("status", "Review status", status_q())
            .query("activity", "Activity", json!({ "type": "string", "enum": ["issuance", "trading_organisation", "exchange"] }))
            .query("phase", "Start or termination", json!({ "type": "string", "enum": ["start", "termination"] }))
            .query("from", "Effective date lower bound, YYYY-MM-DD", date_param())
            .query("to", "Effective date upper bound, YYYY-MM-DD (not before from)", date_param())
            .ok(200, "Notifications", array(r("ActivityNotification")))
            .reads()
            .done(),
        op("get", "/v1/evidence", "evidence", "chain", "Recorded equivocations (SPEC §9)")
            .ok(200, "Evidence", array(r("EvidenceRecord")))
            .reads()
            .done(),
        op("get", "/v1/txs/{hash}/bundle", "receipt_bundle", "chain", "Receipt bundle of a committed transaction (SPEC §10)")
            .describe("`raw` is the hex of the borsh bundle of docs/receipt-format.md, verifiable offline against genesis.json.")
            .path_param("hash", "Transaction hash", r("HashParam"))
            .ok(200, "Bundle", r("Bundle"))
            .err(400, &["BAD_HASH"])
            .err(403, &["RESTRICTED_FIELD"])
            .err(404, &["TX_NOT_FOUND"])
            .done(),
        op("post", "/v1/verify", "verify", "chain", "Verify a signed transaction or a receipt bundle (SPEC §1.8)")
            .describe("A well-formed body is answered 200 with a verdict (`valid` true or false, and when false a stable `error.code`).")
            .body("A signed transaction or a bundle", r("VerifyBody"))
            .ok(200, "Verdict", r("Verdict"))
            .err(400, &["BAD_JSON", "BAD_HEX", "MALFORMED_TX", "BUNDLE_MALFORMED", "BUNDLE_VERSION_UNSUPPORTED", "BAD_REQUEST"])
            .done(),
        op("get", "/v1/issuers/{id}/export", "issuer_export", "registries", "Export of an issuer with proofs (SPEC §12)")
            .describe("JSON Lines (docs/export-format.md), streamed: header, certified blocks, the party and its accounts, \
                       every class with its holdings, every record with its history, end. Each state entry carries its \
                       Merkle proof against the state root of one certified height; `tamga export verify` checks it offline. \
                       For the issuer's own accounts and regulators (a signed request).")
            .id_param("Party", "PARTY_NOT_FOUND")
            .answer(200, "The export, one JSON object per line (x-ndjson-line)", "application/x-ndjson",
                json!({ "schema": { "type": "string" }, "x-ndjson-line": r("ExportLine") }))
            .err(400, &["UNKNOWN_PARAM", "BAD_QUERY"])
            .err(403, &["EXPORT_FORBIDDEN"])
            .err(409, &["NOT_AN_ISSUER", "NO_COMMITTED_BLOCK"])
            .err(503, &["EXPORT_BUSY"])
            .done(),
        op("get", "/v1/security/events", "security_events", "events", "Security events of this node (regulators only)")
            .describe(
                "Bad signatures, refused peers, equivocations, the configuration loaded, validator-set changes, key \
                 revocations, regulator-scope refusals and journal verification failures, from the node's ring of \
                 recent records (full history: HOME/security/events.jsonl). A JSON page of records with seq > after, \
                 oldest first; with stream=true, Server-Sent Events: one `security` event per record with id: <seq>, \
                 the ring's records after `after` (or Last-Event-ID) first, then live ones, and a `gap` event \
                 {missed_from, missed_to} for records no longer held. `limit` with stream=true: BAD_PARAM.",
            )
            .query("after", "Only records with a greater seq (default 0)", uint())
            .query("limit", &format!("Most records in the page (default {}; pages only)", super::security::DEFAULT_LIMIT),
                bounded(1, super::security::MAX_LIMIT as u64))
            .query("kinds", "Comma list of security event kinds (default: all)", comma_list(crate::security::SecurityEvent::KINDS))
            .query("stream", "true: Server-Sent Events instead of a page", json!({ "type": "string", "enum": ["true", "false"] }))
            .header("Last-Event-ID", "Stream only: resume after this seq (wins over after)", json!({ "type": "string", "pattern": "^[0-9]+$", "x-maximum": u64::MAX }))
            .ok(200, "A page, or with stream=true an event stream", r("SecurityPage"))
            .answer(200, "", "text/event-stream", sse("SecurityStreamEvent"))
            .reads()
            .err(403, &["REGULATOR_ONLY"])
            .err(503, &["TOO_MANY_SUBSCRIBERS"])
            .done(),
        op("get", "/v1/blocks", "blocks", "chain", "Latest committed blocks with their commit certificates, newest first")
            .query("before", "Only blocks below this height (page back)", uint())
            .query("limit", "How many (default 20)", bounded(1, super::chain::MAX_BLOCKS))
            .ok(200, "Blocks", array(r("BlockSummary")))
            .reads()
            .done(),
        op("get", "/console", "console", "console", "The regulator console (HTML, embedded in tamgad)")
            .answer(200, "The console page", "text/html", json!({ "schema": { "type": "string" } }))
            .done(),
        console_asset.done(),
        op(
            "get",
            "/console/vendor/{package}/{file}",
            "console_vendored",
            "console",
            "A third-party module of the console, vendored from npm (versions and hashes in /console/vendor.json)",
        )
        .path_param("package", "Vendored package", json!({ "type": "string", "examples": ["noble-ed25519", "noble-hashes", "noble-ciphers"] }))
        .path_param("file", "File of the package", json!({ "type": "string", "examples": ["index.js", "sha2.js"] }))
        .answer(200, "The module", "text/javascript", json!({ "schema": { "type": "string" } }))
        .answer(200, "The package's licence", "text/plain", json!({ "schema": { "type": "string" } }))
        .err(404, &["ASSET_NOT_FOUND"])
        .done(),
    ]
}

/// The register list routes that take `format=csv|json` (`api::download`):
/// each gets the parameter, the CSV answer, the attachment header and the
/// `EXPORT_TOO_LARGE` error, with the CSV header row of its rows.
fn export_paths() -> Vec<(&'static str, &'static [&'static str])> {
    use tamga_types::model::{
        ActivityNotification, ClassState, EscrowState, EvidenceRecord, MiningNotification, PartyState,
    };
    use tamga_types::views::{HolderView, RegionTotal};
    vec![
        ("/v1/parties", PartyState::HEADER),
        ("/v1/classes", ClassState::HEADER),
        ("/v1/classes/{id}/holders", HolderView::HEADER),
        ("/v1/escrows", EscrowState::HEADER),
        ("/v1/mining-notifications", MiningNotification::HEADER),
        ("/v1/mining-notifications/totals", RegionTotal::HEADER),
        ("/v1/activity-notifications", ActivityNotification::HEADER),
        ("/v1/evidence", EvidenceRecord::HEADER),
        ("/v1/blocks", super::chain::BlockSummary::HEADER),
    ]
}

/// [`operations`] with the export parameter and answers of [`export_paths`].
fn with_exports(ops: Vec<(&'static str, &'static str, Value)>) -> Vec<(&'static str, &'static str, Value)> {
    let exports = export_paths();
    ops.into_iter()
        .map(|(method, path, mut v)| {
            if let Some((_, header)) = exports.iter().find(|(p, _)| method == "get" && *p == path) {
                let param = json!({
                    "name": super::download::PARAM, "in": "query", "required": false,
                    "description": concat!(
                        "Download the filtered view as `csv` (header row, RFC 4180, exact integers) or `json` ",
                        "(an array of the route's items) with Content-Disposition: attachment",
                    ),
                    "schema": { "type": "string", "enum": ["csv", "json"] },
                });
                match v.get_mut("parameters").and_then(Value::as_array_mut) {
                    Some(list) => list.push(param),
                    None => v["parameters"] = json!([param]),
                }
                let escaped: Vec<String> = header.iter().map(|h| regex_escape(h)).collect();
                v["responses"]["200"]["content"]["text/csv"] = json!({ "schema": {
                    "type": "string",
                    "description": "RFC 4180 text with a header row (docs/api.md, Exports)",
                    "pattern": format!("^{}\r\n", escaped.join(",")),
                } });
                v["responses"]["200"]["headers"] = json!({ "Content-Disposition": {
                    "description": "With format: attachment; filename=\"<view>.csv|json\"",
                    "schema": { "type": "string", "pattern": "^attachment; filename=\"[a-z0-9-]+\\.(csv|json)\"$" },
                } });
                let list = v["responses"]["413"]["x-error-codes"].as_array().cloned().unwrap_or_default();
                let mut codes: Vec<String> = list.iter().filter_map(|c| c.as_str().map(str::to_owned)).collect();
                codes.push("EXPORT_TOO_LARGE".into());
                v["responses"]["413"] = json!({
                    "description": format!("Error; `code` is one of: {}", codes.join(", ")),
                    "content": { "application/json": { "schema": {
                        "$ref": "#/components/schemas/Error", "properties": { "code": { "enum": codes } } } } },
                    "x-error-codes": codes,
                });
            }
            (method, path, v)
        })
        .collect()
}

/// `s` with the characters a regular expression gives meaning escaped.
fn regex_escape(s: &str) -> String {
    s.chars().flat_map(|c| if r"\.+*?()|[]{}^$".contains(c) { vec!['\\', c] } else { vec![c] }).collect()
}

/// How a request is signed (`tamga_types::request`; docs/api.md, Signed requests).
const SIGNING: &str = "A request may be signed by an account of the chain with four headers, all or none: \
    x-tamga-request-version (`2`), x-tamga-key (the account's ed25519 public key, 64 hex digits), x-tamga-time \
    (the signer's clock, ms since the Unix epoch, decimal) and x-tamga-signature (128 hex digits): the ed25519 \
    signature of SHA-256(\"TAMGA/REQUEST/v2\" ‖ 0x00 ‖ borsh(chain_id: string, node_key: [u8; 32], method: string, \
    path_and_query: string, time_ms: u64, SHA-256(body): [u8; 32]))), where chain_id and node_key are those of \
    GET /v1/status, method is upper case and path_and_query exactly as on the request line. The node accepts a \
    time within request_window_ms (30 s by default) of its clock and each signed request once. Refusals are 401 \
    (REQUEST_SIGNATURE_VERSION, REQUEST_EXPIRED, REQUEST_REPLAYED, BAD_REQUEST_SIGNATURE) with `field` naming the \
    header. With public_read off, the /v1 registers need a signed request (401 SIGNATURE_REQUIRED) and the \
    notification registers a regulator's (403 REGULATOR_REQUIRED).";

fn security_schemes() -> Value {
    let header = |name: &str, what: &str| json!({ "type": "apiKey", "in": "header", "name": name, "description": format!("{what}. {SIGNING}") });
    json!({
        "TamgaVersion": header("x-tamga-request-version", "The signing scheme, `2`"),
        "TamgaKey": header("x-tamga-key", "The signing account's public key, 64 hex digits"),
        "TamgaTime": header("x-tamga-time", "The signer's time, ms since the Unix epoch"),
        "TamgaRequestSignature": header("x-tamga-signature", "The ed25519 signature, 128 hex digits"),
    })
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
            "description": format!("The JSON API of tamgad (SPEC §11). Reference: docs/api.md. Every error is the Error \
                            object with a stable code; 4xx: fix the request, 429/503: retry later (Retry-After). \
                            Messages follow Accept-Language (kk, ru, en); every answer carries Content-Language. {SIGNING}"),
        },
        "servers": [{ "url": "http://127.0.0.1:8080" }],
        "tags": [
            { "name": "node" }, { "name": "chain" }, { "name": "events" }, { "name": "transactions" },
            { "name": "registries" }, { "name": "notifications" }, { "name": "console" },
        ],
        "paths": paths,
        "components": {
            "schemas": schemas(),
            "securitySchemes": security_schemes(),
            "responses": {
                "MethodNotAllowed": {
                    "description": "Error; `code` is METHOD_NOT_ALLOWED",
                    "content": { "application/json": { "schema": {
                        "$ref": "#/components/schemas/Error", "properties": { "code": { "enum": ["METHOD_NOT_ALLOWED"] } } } } },
                    "x-error-codes": ["METHOD_NOT_ALLOWED"],
                },
            },
        },
    })
}
