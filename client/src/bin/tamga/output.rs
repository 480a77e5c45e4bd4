//! Printing: `text` for people, `json` for machines (one document on stdout).
//! Prompts, summaries, spinners and errors go to stderr, except that in JSON
//! mode an error is a JSON object on stdout so scripts read it where they read
//! results.
//!
//! The JSON shapes here are a stable contract that operators script against
//! (field names are tested in `tests/json.rs`): amounts are integers in base units,
//! keys and hashes hex strings, ids integers. Values holding a `u128` are
//! serialised from structs, never through `serde_json::Value`, which cannot
//! hold one above `u64::MAX`.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use serde_json::Value;
use tamga_client::amount::format_amount;
use tamga_client::AccountView;
use tamga_types::model::{ClassState, RecordState};
use tamga_types::views::{BalanceView, NodeStatus, RecordView, TxView};
use tamga_types::{
    BlockHeader, Certificate, CertifiedBlock, Event, Hash, Height, Payload, PublicKey, Receipt, SignedTransaction,
    TxOutcome,
};

use crate::args::Output;

/// Prints results in the chosen format.
pub struct Printer {
    format: Output,
}

impl Printer {
    /// A printer for `format`.
    pub fn new(format: Output) -> Self {
        Printer { format }
    }

    /// True in JSON mode.
    pub fn json(&self) -> bool {
        self.format == Output::Json
    }

    /// Any serialisable value: pretty JSON in text mode, compact JSON otherwise.
    pub fn value<T: Serialize>(&self, v: &T) -> anyhow::Result<()> {
        match self.format {
            Output::Json => println!("{}", serde_json::to_string(v)?),
            Output::Text => println!("{}", serde_json::to_string_pretty(v)?),
        }
        Ok(())
    }

    /// The node's status.
    pub fn status(&self, s: &NodeStatus) -> anyhow::Result<()> {
        if self.json() {
            return self.value(&status_json(s));
        }
        println!("chain        {}", s.chain_id);
        println!("height       {} ({})", s.height, s.last_block_hash);
        println!("state root   {}", s.state_root);
        println!("consensus    height {} round {}", s.consensus_height, s.consensus_round);
        println!("node key     {}{}", s.node_key, if s.validator { " (validator)" } else { "" });
        println!("peers        {}   mempool {} txs   syncing {}", s.peers, s.mempool_txs, s.syncing);
        println!("version      {}", s.version);
        Ok(())
    }

    /// An account with balances in display units.
    pub fn account(&self, a: &AccountView) -> anyhow::Result<()> {
        if self.json() {
            return self.value(a);
        }
        println!("account      {}", a.account.key);
        println!("party        {}", a.account.party);
        println!("status       {}", serde_json::to_value(&a.account.status)?["status"].as_str().unwrap_or("?"));
        println!("next nonce   {}", a.next_nonce);
        self.balances(&a.balances)
    }

    /// Balances: a JSON array of `{class, symbol, decimals, amount, frozen, free}` (base units).
    pub fn balances(&self, b: &[BalanceView]) -> anyhow::Result<()> {
        if self.json() {
            return self.value(&b);
        }
        if b.is_empty() {
            println!("no balances");
        }
        for b in b {
            let free = format_amount(b.free, b.decimals);
            let frozen = format_amount(b.frozen, b.decimals);
            println!(
                "  class {} {}: {} (free {free}, frozen {frozen}; {} base units)",
                b.class,
                b.symbol,
                format_amount(b.amount, b.decimals),
                b.amount
            );
        }
        Ok(())
    }

    /// Token classes: a JSON array of classes (`id`, `symbol`, `issuer`, `supply`, …).
    pub fn classes(&self, c: &[ClassState]) -> anyhow::Result<()> {
        if self.json() {
            return self.value(&c);
        }
        println!("{:>5}  {:<12} {:>6}  {:>24}  decimals  status", "id", "symbol", "issuer", "supply");
        for c in c {
            let status = crate::cmd::kebab(&c.status);
            println!(
                "{:>5}  {:<12} {:>6}  {:>24}  {:>8}  {status}",
                c.id.to_string(),
                c.symbol,
                c.issuer.to_string(),
                format_amount(c.supply, c.decimals),
                c.decimals
            );
        }
        Ok(())
    }

    /// Restrictions (SPEC §4): JSON as the node serves them; text one row
    /// each: id, standing or lifted, authority, target, height, legal basis.
    pub fn restrictions(&self, rs: &[tamga_types::model::Restriction]) -> anyhow::Result<()> {
        use tamga_types::model::RestrictionTarget;
        if self.json() {
            return self.value(&rs);
        }
        println!("{:>5}  {:<8}  {:<9}  {:>7}  {:<40}  legal basis", "id", "state", "authority", "height", "target");
        for r in rs {
            let state = if r.lifted.is_some() { "lifted" } else { "standing" };
            let target = match &r.target {
                RestrictionTarget::Holding { holder, amount: Some(a), .. } => format!("freeze {a} of {holder}"),
                RestrictionTarget::Holding { holder, amount: None, .. } => format!("freeze all of {holder}"),
                RestrictionTarget::Class { class } => format!("pause of class {class}"),
            };
            println!(
                "{:>5}  {state:<8}  {:<9}  {:>7}  {target:<40}  {}",
                r.id.to_string(),
                crate::cmd::kebab(&r.authority),
                r.height,
                r.legal_basis
            );
        }
        Ok(())
    }

    /// A block: `{height, hash, state_root, tx_count, …}`.
    pub fn block(&self, b: &CertifiedBlock) -> anyhow::Result<()> {
        let out = BlockOut::of(b);
        if self.json() {
            return self.value(&out);
        }
        println!("block        {} ({})", out.height, out.hash);
        println!("time         {} ms   round {}   proposer {}", out.time_ms, out.round, out.proposer);
        println!("parent       {}", out.parent_hash);
        println!("state root   {}", out.state_root);
        println!("txs          {}   evidence {}", out.tx_count, out.evidence_count);
        for h in &out.txs {
            println!("  {h}");
        }
        println!("certificate  {} signatures", b.certificate.signatures.len());
        Ok(())
    }

    /// A record with its history: `{id, holder, status, encumbrances, history, …}`.
    pub fn record(&self, r: &RecordView) -> anyhow::Result<()> {
        let v = record_json(r)?;
        if self.json() {
            return self.value(&v);
        }
        let rec = &r.record;
        println!("record       {} ({}) {}", rec.id, crate::cmd::kebab(&rec.object.kind), rec.object.description);
        println!("holder       {} (party {})", rec.holder, rec.holder_party);
        println!("certifier    party {}", rec.certifier);
        println!("status       {}", v["status"].as_str().unwrap_or("?"));
        for e in &rec.encumbrances {
            println!(
                "  encumbrance {} {} for party {}: {}",
                e.id,
                crate::cmd::kebab(&e.kind),
                e.beneficiary,
                e.legal_basis
            );
        }
        for h in &r.history {
            let d: Vec<String> = h.details.iter().map(|(k, v)| format!("{k}={v}")).collect();
            println!("  h{} {} {} {}", h.height, h.event, h.tx_hash, d.join(" "));
        }
        Ok(())
    }

    /// Notifications (mining or activity) with `status` as a string; the
    /// review's details under `review`.
    pub fn notifications<T: Serialize>(&self, items: &[T]) -> anyhow::Result<()> {
        let v: Vec<Value> = items.iter().map(notification_json).collect::<Result<_, _>>()?;
        self.value(&v)
    }

    /// One notification, as in [`Printer::notifications`].
    pub fn notification<T: Serialize>(&self, item: &T) -> anyhow::Result<()> {
        self.value(&notification_json(item)?)
    }

    /// A committed transaction's receipt: outcome, location, events, created ids.
    pub fn receipt(&self, v: &TxView) -> anyhow::Result<()> {
        let out = ReceiptOut::of(v);
        if self.json() {
            return self.value(&out);
        }
        let r = &v.receipt;
        match &r.outcome {
            TxOutcome::Success => println!("committed {} at height {} index {}: success", r.tx_hash, r.height, r.index),
            TxOutcome::Failed { code, args } => {
                let message = failure_message(code, args);
                println!("committed {} at height {} index {}: FAILED {code}: {message}", r.tx_hash, r.height, r.index)
            }
        }
        for (k, id) in &out.ids {
            println!("{k} {id}");
        }
        for e in &r.events {
            let attrs: Vec<String> = e.attributes.iter().map(|(k, v)| format!("{k}={v}")).collect();
            println!("  {} {}", e.kind, attrs.join(" "));
        }
        Ok(())
    }

    /// An error: `{"code", "message", …}` on stdout in JSON mode (so scripts see it), text on stderr.
    pub fn error(&self, code: &str, message: &str, extra: &[(&str, Value)]) {
        if self.json() {
            println!("{}", error_json(code, message, extra));
        } else {
            eprintln!("{}: {message}", crate::i18n::t("error.prefix", &[]));
        }
    }

    /// A spinner on stderr, hidden when stderr is not a terminal or in JSON mode.
    pub fn spinner(&self, msg: String) -> ProgressBar {
        if self.json() || !std::io::stderr().is_terminal() {
            return ProgressBar::hidden();
        }
        let pb = ProgressBar::new_spinner();
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
            pb.set_style(style);
        }
        pb.set_message(msg);
        pb.enable_steady_tick(Duration::from_millis(120));
        pb
    }
}

/// The message of a failed receipt, rendered from its code and arguments
/// (the receipt carries no message: SPEC §8, `docs/wire-format.md`).
pub fn failure_message(code: &str, args: &[(String, String)]) -> String {
    use tamga_contract::messages::Lang;
    let lang = match crate::i18n::lang() {
        crate::i18n::Lang::Kk => Lang::Kk,
        crate::i18n::Lang::Ru => Lang::Ru,
        crate::i18n::Lang::En => Lang::En,
    };
    tamga_contract::messages::render(code, args, lang)
}

/// The JSON error object: `{"code", "message"}` and any `extra` fields
/// (`http_status` and `field` for a node's refusal, `tx_hash` for a timeout).
pub fn error_json(code: &str, message: &str, extra: &[(&str, Value)]) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("code".into(), code.into());
    m.insert("message".into(), message.into());
    for (k, v) in extra {
        m.insert((*k).into(), v.clone());
    }
    Value::Object(m)
}

/// `status --json`: the node's status with `block_hash` (= `last_block_hash`).
#[derive(Serialize)]
pub struct StatusOut<'a> {
    #[serde(flatten)]
    status: &'a NodeStatus,
    block_hash: &'a Hash,
}

/// The JSON of `status`.
pub fn status_json(s: &NodeStatus) -> StatusOut<'_> {
    StatusOut { status: s, block_hash: &s.last_block_hash }
}

/// `block show --json`.
#[derive(Serialize)]
pub struct BlockOut<'a> {
    /// Height.
    pub height: Height,
    /// Block (header) hash.
    pub hash: Hash,
    /// State root after the block.
    pub state_root: Hash,
    /// Number of transactions.
    pub tx_count: usize,
    /// Proposer's time, ms.
    pub time_ms: u64,
    /// Round.
    pub round: u32,
    /// Parent hash.
    pub parent_hash: Hash,
    /// Proposer's key.
    pub proposer: PublicKey,
    /// Evidence items.
    pub evidence_count: usize,
    /// Transaction hashes, in order.
    pub txs: Vec<Hash>,
    /// The full header.
    pub header: &'a BlockHeader,
    /// The commit certificate.
    pub certificate: &'a Certificate,
}

impl<'a> BlockOut<'a> {
    /// The summary of `b`.
    pub fn of(b: &'a CertifiedBlock) -> BlockOut<'a> {
        let h = &b.block.header;
        BlockOut {
            height: h.height,
            hash: b.block.hash(),
            state_root: h.state_root,
            tx_count: b.block.txs.len(),
            time_ms: h.time_ms,
            round: h.round,
            parent_hash: h.parent_hash,
            proposer: h.proposer,
            evidence_count: b.block.evidence.len(),
            txs: b.block.txs.iter().map(|t| t.hash()).collect(),
            header: h,
            certificate: &b.certificate,
        }
    }
}

/// `"status": {"status": "accepted", "by": 2}` → `"status": "accepted", "review": {…}`.
fn flatten_status(v: &mut Value) {
    let Some(obj) = v.as_object_mut() else { return };
    if let Some(Value::Object(review)) = obj.get("status").cloned() {
        let s = review.get("status").cloned().unwrap_or(Value::Null);
        obj.insert("status".into(), s);
        obj.insert("review".into(), Value::Object(review));
    }
}

/// A notification's JSON with a flat `status`.
pub fn notification_json<T: Serialize>(n: &T) -> serde_json::Result<Value> {
    let mut v = serde_json::to_value(n)?;
    flatten_status(&mut v);
    Ok(v)
}

fn pairs_to_map(pairs: &[(String, String)]) -> Value {
    Value::Object(pairs.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect())
}

/// `record show --json`: the record's fields at the top level (`id`,
/// `holder`, `holder_party`, `certifier`, `object`, `status` as a string,
/// `termination` when terminated, `encumbrances`, `escrow`,
/// `created_height`), and `history` with each entry's `details` as an object.
pub fn record_json(r: &RecordView) -> serde_json::Result<Value> {
    let RecordState { status, .. } = &r.record;
    let mut v = serde_json::to_value(&r.record)?;
    flatten_status(&mut v);
    if let Some(obj) = v.as_object_mut() {
        if let Some(review) = obj.remove("review") {
            if matches!(status, tamga_types::model::RecordStatus::Terminated { .. }) {
                obj.insert("termination".into(), review);
            }
        }
        let history: Vec<Value> = r
            .history
            .iter()
            .map(|h| {
                serde_json::json!({
                    "height": h.height,
                    "time_ms": h.time_ms,
                    "tx_hash": h.tx_hash,
                    "signer": h.signer,
                    "event": h.event,
                    "details": pairs_to_map(&h.details),
                })
            })
            .collect();
        obj.insert("history".into(), Value::Array(history));
    }
    Ok(v)
}

/// An event as `{"kind", "attributes": {key: value, …}}`, attributes in their order.
pub struct EventOut<'a>(&'a Event);

impl Serialize for EventOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Attrs<'a>(&'a [(String, String)]);
        impl Serialize for Attrs<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(Some(self.0.len()))?;
                for (k, v) in self.0 {
                    m.serialize_entry(k, v)?;
                }
                m.end()
            }
        }
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("kind", &self.0.kind)?;
        m.serialize_entry("attributes", &Attrs(&self.0.attributes))?;
        m.end()
    }
}

/// The ids a transaction created, from its events: `record_id`,
/// `encumbrance_id`, `class_id`, `escrow_id`, `notification_id`, `party_id`,
/// and `restriction_id` of a freeze or pause (SPEC §4: lifted by naming it).
pub fn created_ids(events: &[Event]) -> BTreeMap<&'static str, u64> {
    const CREATING: &[(&str, &str, &str)] = &[
        ("record_issued", "record", "record_id"),
        ("record_encumbered", "encumbrance", "encumbrance_id"),
        ("class_created", "class", "class_id"),
        ("escrow_created", "escrow", "escrow_id"),
        ("mining_notification_submitted", "notification", "notification_id"),
        ("activity_notification_submitted", "notification", "notification_id"),
        ("party_registered", "party", "party_id"),
        ("frozen", "restriction", "restriction_id"),
        ("class_paused", "restriction", "restriction_id"),
    ];
    let mut ids = BTreeMap::new();
    for e in events {
        for (kind, attr, name) in CREATING {
            if e.kind == *kind {
                if let Some(id) = e.get(attr).and_then(|v| v.parse().ok()) {
                    ids.insert(*name, id);
                }
            }
        }
    }
    ids
}

/// A committed transaction's receipt as JSON: `tx_hash`, `height`, `index`,
/// `block_time_ms`, `status` (`success` or `failed`), `code`, `args` (an
/// object, as events' attributes) and `message` (rendered from them) when failed, `operation`, `signer`, `nonce`, the created ids
/// ([`created_ids`]) at the top level, `events`, and the signed `tx`.
#[derive(Serialize)]
pub struct ReceiptOut<'a> {
    tx_hash: &'a Hash,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    args: Option<BTreeMap<&'a str, &'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    height: Height,
    index: u32,
    block_time_ms: u64,
    operation: &'static str,
    signer: &'a PublicKey,
    nonce: u64,
    #[serde(flatten)]
    ids: BTreeMap<&'static str, u64>,
    events: Vec<EventOut<'a>>,
    tx: &'a SignedTransaction,
}

impl<'a> ReceiptOut<'a> {
    /// The JSON form of `v`.
    pub fn of(v: &'a TxView) -> ReceiptOut<'a> {
        let r: &Receipt = &v.receipt;
        let (status, code, args, message) = match &r.outcome {
            TxOutcome::Success => ("success", None, None, None),
            TxOutcome::Failed { code, args } => (
                "failed",
                Some(code.as_str()),
                Some(args.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()),
                Some(failure_message(code, args)),
            ),
        };
        ReceiptOut {
            tx_hash: &r.tx_hash,
            status,
            code,
            args,
            message,
            height: r.height,
            index: r.index,
            block_time_ms: r.block_time_ms,
            operation: v.tx.tx.payload.kind_name(),
            signer: &v.tx.tx.signer,
            nonce: v.tx.tx.nonce,
            ids: created_ids(&r.events),
            events: r.events.iter().map(EventOut).collect(),
            tx: &v.tx,
        }
    }
}

/// A signed transaction saved by `--out` (and read by `tx submit`).
#[derive(Serialize)]
pub struct SavedTx<'a> {
    /// Transaction hash.
    pub hash: Hash,
    /// Hex of the canonical (borsh) bytes: what the node is sent.
    pub raw: String,
    /// The transaction, readable.
    pub tx: &'a SignedTransaction,
}

/// What the signer is shown (serialised directly: amounts are `u128`).
#[derive(Serialize)]
struct Summary<'a> {
    operation: &'static str,
    payload: &'a Payload,
    signer: &'a PublicKey,
    nonce: u64,
    chain_id: &'a str,
    memo: Option<&'a str>,
    /// Absent before a hardware token has signed: the id hashes the signature.
    #[serde(skip_serializing_if = "Option::is_none")]
    tx_hash: Option<Hash>,
}

/// What is about to be signed (SPEC §1.7): operation, payload, signer, nonce,
/// chain id and memo, with the amounts' units stated.
pub fn summary(tx: &SignedTransaction, decimals: Option<u8>) -> anyhow::Result<String> {
    summary_of(&tx.tx, Some(tx.hash()), decimals)
}

/// [`summary`] of a transaction not signed yet (a hardware token signs only
/// after the signer confirmed): everything but the id.
pub fn summary_unsigned(tx: &tamga_types::Transaction, decimals: Option<u8>) -> anyhow::Result<String> {
    summary_of(tx, None, decimals)
}

fn summary_of(t: &tamga_types::Transaction, tx_hash: Option<Hash>, decimals: Option<u8>) -> anyhow::Result<String> {
    let units = match decimals {
        None => "amounts below are base units",
        Some(_) => "amounts below are base units (converted from the class's display units)",
    };
    let v = Summary {
        operation: t.payload.kind_name(),
        payload: &t.payload,
        signer: &t.signer,
        nonce: t.nonce,
        chain_id: t.chain_id.as_str(),
        memo: t.memo.as_ref().map(|m| m.as_str()),
        tx_hash,
    };
    Ok(format!("About to sign ({units}):\n{}", serde_json::to_string_pretty(&v)?))
}
