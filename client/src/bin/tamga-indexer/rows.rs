//! From a verified block and its receipts to the rows the indexer writes: a
//! pure function, no database. Registers change only through what a
//! successful receipt's events say happened (SPEC §8, the event table of
//! `docs/wire-format.md`), completed by fields of the transaction's payload
//! that the events do not repeat (a class's name, a mining site); the
//! certificate covers both (`tx_root`, `receipts_root`, SPEC §10).

use serde::Serialize;
use tamga_types::{Block, Event, Genesis, Hash, Height, Payload, Receipt, SignedTransaction, TxOutcome};

/// One `blocks` row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockRow {
    pub height: Height,
    pub hash: Hash,
    pub parent_hash: Hash,
    pub time_ms: u64,
    pub round: u32,
    pub proposer: String,
    pub tx_count: usize,
    pub failed_count: usize,
    pub state_root: Hash,
    pub receipts_root: Hash,
    pub validators_hash: Hash,
    pub next_validators_hash: Hash,
    pub signatures: usize,
}

/// One `transactions` row (the transaction with its receipt).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxRow {
    pub hash: Hash,
    pub idx: u32,
    pub signer: String,
    pub nonce: u64,
    pub kind: &'static str,
    pub payload: String,
    pub memo: Option<String>,
    pub success: bool,
    pub failure_code: Option<String>,
    pub failure_args: Option<String>,
}

/// One `events` row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventRow {
    pub tx_idx: u32,
    pub idx: u32,
    pub tx_hash: Hash,
    pub kind: String,
    pub attributes: String,
}

/// A register change, applied in order (`db::write_block`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    Party {
        id: u64,
        kind: String,
        display_name: Option<String>,
        issuer: bool,
        scopes: Vec<String>,
        by: Option<String>,
    },
    PartyStatus {
        id: u64,
        status: String,
    },
    Account {
        key: String,
        party: u64,
    },
    AccountRevoked {
        key: String,
        reason: String,
    },
    Class {
        id: u64,
        symbol: String,
        name: String,
        issuer: u64,
        decimals: u8,
        supply_cap: Option<String>,
    },
    ClassStatus {
        id: u64,
        status: &'static str,
    },
    /// `delta` base units of `class` to (positive) or from (negative) `holder`.
    Holding {
        class: u64,
        holder: String,
        delta: i128,
    },
    /// Every holding and record of `from` moves to `to` (SPEC §3 recovery).
    Recover {
        from: String,
        to: String,
    },
    Restriction {
        id: u64,
        class: u64,
        holder: Option<String>,
        amount: Option<String>,
        kind: &'static str,
        legal_basis: String,
    },
    RestrictionLifted {
        id: u64,
    },
    Record {
        id: u64,
        certifier: String,
        holder: String,
        object: String,
    },
    RecordHolder {
        id: u64,
        holder: String,
    },
    RecordStatus {
        id: u64,
        status: &'static str,
    },
    RecordHistory {
        id: u64,
        tx_idx: u32,
        idx: u32,
        kind: String,
        attributes: String,
    },
    Encumbrance {
        record: u64,
        id: u64,
        kind: String,
        beneficiary: String,
        legal_basis: String,
    },
    EncumbranceReleased {
        record: u64,
        id: u64,
    },
    Escrow {
        id: u64,
        payer: String,
        payee: String,
        arbiter: String,
        asset: String,
        terms_hash: Hash,
        deadline: u64,
    },
    EscrowStatus {
        id: u64,
        status: String,
        to: Option<String>,
    },
    Mining(MiningRow),
    Activity {
        id: u64,
        party: u64,
        activity: String,
        phase: String,
        date: String,
        status: &'static str,
        by: Option<String>,
    },
    /// A review of notification `id` (`mining` or not: activity).
    Reviewed {
        mining: bool,
        id: u64,
        accepted: bool,
        by: String,
    },
}

/// One `mining_notifications` row as submitted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MiningRow {
    pub id: u64,
    pub miner: u64,
    pub kind: String,
    pub previous: Option<u64>,
    pub region: String,
    pub capacity_kw: u64,
    pub units: u32,
    pub hashrate_ths: u64,
    pub energy: String,
    pub pool: Option<String>,
    pub start_date: String,
}

/// Everything one block writes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BlockRows {
    pub block: Option<BlockRow>,
    pub txs: Vec<TxRow>,
    pub events: Vec<EventRow>,
    pub ops: Vec<Op>,
}

impl BlockRows {
    /// Rows in all (the rows-per-second metric).
    pub fn row_count(&self) -> usize {
        usize::from(self.block.is_some()) + self.txs.len() + self.events.len() + self.ops.len()
    }
}

/// An event lacks an attribute or carries one that does not parse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("height {height}, transaction {tx}: event `{kind}` attribute `{attribute}`: expected {expected}, got {got:?}")]
pub struct EventError {
    pub height: Height,
    pub tx: Hash,
    pub kind: String,
    pub attribute: &'static str,
    pub expected: &'static str,
    pub got: Option<String>,
}

/// The snake_case name of an enum value (its JSON spelling), or the JSON
/// text of any other value.
fn name<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(e) => format!("unencodable: {e}"),
    }
}

fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|e| format!("{{\"unencodable\":{:?}}}", e.to_string()))
}

/// The rows of the genesis (height 0): its parties and accounts, the
/// accepted issuance notification every genesis issuer is given, and the
/// genesis transactions with `receipts` (SPEC §1.2; the node's receipts,
/// checked to be of these transactions in order by the caller).
pub fn genesis_rows(genesis: &Genesis, receipts: &[Receipt]) -> Result<BlockRows, EventError> {
    let mut rows = BlockRows::default();
    let mut activity = 0u64;
    for (i, p) in genesis.parties.iter().enumerate() {
        let id = i as u64 + 1;
        let scopes = p.regulator_scopes.iter().map(name).collect();
        rows.ops.push(Op::Party {
            id,
            kind: name(&p.kind),
            display_name: p.display_name.clone(),
            issuer: p.issuer,
            scopes,
            by: None,
        });
        for k in &p.accounts {
            rows.ops.push(Op::Account { key: k.to_hex(), party: id });
        }
        if p.issuer {
            activity += 1;
            rows.ops.push(Op::Activity {
                id: activity,
                party: id,
                activity: "issuance".into(),
                phase: "start".into(),
                date: genesis_date(genesis.genesis_time_ms),
                status: "accepted",
                by: Some("0".into()),
            });
        }
    }
    for (tx, r) in genesis.transactions.iter().zip(receipts) {
        tx_rows(0, tx, r, &mut rows)?;
    }
    Ok(rows)
}

/// `YYYY-MM-DD` of a time in ms since the epoch, UTC (the civil-from-days
/// algorithm of H. Hinnant, "chrono-Compatible Low-Level Date Algorithms").
pub fn genesis_date(ms: u64) -> String {
    let z = (ms / 86_400_000) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The rows of a verified block and its receipts (checked against the
/// header by the caller).
pub fn block_rows(block: &Block, hash: Hash, signatures: usize, receipts: &[Receipt]) -> Result<BlockRows, EventError> {
    let h = &block.header;
    let mut rows = BlockRows {
        block: Some(BlockRow {
            height: h.height,
            hash,
            parent_hash: h.parent_hash,
            time_ms: h.time_ms,
            round: h.round,
            proposer: h.proposer.to_hex(),
            tx_count: block.txs.len(),
            failed_count: receipts.iter().filter(|r| !r.is_success()).count(),
            state_root: h.state_root,
            receipts_root: h.receipts_root,
            validators_hash: h.validators_hash,
            next_validators_hash: h.next_validators_hash,
            signatures,
        }),
        ..BlockRows::default()
    };
    for (tx, r) in block.txs.iter().zip(receipts) {
        tx_rows(h.height, tx, r, &mut rows)?;
    }
    Ok(rows)
}

/// Reads the attributes of one event.
struct Attrs<'a> {
    height: Height,
    tx: Hash,
    event: &'a Event,
}

impl Attrs<'_> {
    fn err(&self, attribute: &'static str, expected: &'static str) -> EventError {
        EventError {
            height: self.height,
            tx: self.tx,
            kind: self.event.kind.clone(),
            attribute,
            expected,
            got: self.event.get(attribute).map(str::to_owned),
        }
    }
    fn s(&self, a: &'static str) -> Result<String, EventError> {
        self.event.get(a).map(str::to_owned).ok_or_else(|| self.err(a, "a value"))
    }
    fn id(&self, a: &'static str) -> Result<u64, EventError> {
        self.event.get(a).and_then(|v| v.parse().ok()).ok_or_else(|| self.err(a, "a decimal id"))
    }
    fn amount(&self, a: &'static str) -> Result<i128, EventError> {
        self.event.get(a).and_then(|v| v.parse().ok()).ok_or_else(|| self.err(a, "a decimal amount"))
    }
    fn flag(&self, a: &'static str) -> Result<bool, EventError> {
        self.event.get(a).and_then(|v| v.parse().ok()).ok_or_else(|| self.err(a, "true or false"))
    }
}

fn tx_rows(height: Height, stx: &SignedTransaction, r: &Receipt, rows: &mut BlockRows) -> Result<(), EventError> {
    let tx = &stx.tx;
    let hash = r.tx_hash;
    let (success, failure_code, failure_args) = match &r.outcome {
        TxOutcome::Success => (true, None, None),
        TxOutcome::Failed { code, args } => (false, Some(code.clone()), Some(json(args))),
    };
    rows.txs.push(TxRow {
        hash,
        idx: r.index,
        signer: tx.signer.to_hex(),
        nonce: tx.nonce,
        kind: tx.payload.kind_name(),
        payload: json(&tx.payload),
        memo: tx.memo.as_ref().map(name),
        success,
        failure_code,
        failure_args,
    });
    for (i, e) in r.events.iter().enumerate() {
        let attrs: serde_json::Map<String, serde_json::Value> =
            e.attributes.iter().map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone()))).collect();
        let attributes = json(&attrs);
        rows.events.push(EventRow {
            tx_idx: r.index,
            idx: i as u32,
            tx_hash: hash,
            kind: e.kind.clone(),
            attributes: attributes.clone(),
        });
        let a = Attrs { height, tx: hash, event: e };
        if let Some(record) = e.kind.starts_with("record_").then(|| a.id("record")).transpose()? {
            rows.ops.push(Op::RecordHistory {
                id: record,
                tx_idx: r.index,
                idx: i as u32,
                kind: e.kind.clone(),
                attributes,
            });
        }
        event_ops(&a, &tx.payload, &mut rows.ops)?;
    }
    Ok(())
}

fn event_ops(a: &Attrs<'_>, payload: &Payload, ops: &mut Vec<Op>) -> Result<(), EventError> {
    match a.event.kind.as_str() {
        "party_registered" => {
            let (kind, display_name, keys) = match payload {
                Payload::RegisterParty { kind, display_name, accounts, .. } => {
                    (name(kind), display_name.as_ref().map(name), accounts.iter().map(|(k, _)| k.to_hex()).collect())
                }
                _ => (String::from("unknown"), None, Vec::new()),
            };
            let id = a.id("party")?;
            ops.push(Op::Party { id, kind, display_name, issuer: false, scopes: Vec::new(), by: Some(a.s("by")?) });
            for key in keys {
                ops.push(Op::Account { key, party: id });
            }
        }
        "party_status_changed" => ops.push(Op::PartyStatus { id: a.id("party")?, status: a.s("status")? }),
        "account_added" => ops.push(Op::Account { key: a.s("key")?, party: a.id("party")? }),
        "account_revoked" => ops.push(Op::AccountRevoked { key: a.s("key")?, reason: a.s("reason")? }),
        "class_created" => {
            let (name_, decimals, supply_cap) = match payload {
                Payload::CreateClass { name: n, decimals, supply_cap, .. } => {
                    (name(n), *decimals, supply_cap.map(|c| c.to_string()))
                }
                _ => (String::new(), 0, None),
            };
            ops.push(Op::Class {
                id: a.id("class")?,
                symbol: a.s("symbol")?,
                name: name_,
                issuer: a.id("issuer")?,
                decimals,
                supply_cap,
            });
        }
        "minted" => ops.push(Op::Holding { class: a.id("class")?, holder: a.s("to")?, delta: a.amount("amount")? }),
        "transfer" | "forced_transfer" => {
            let (class, amount) = (a.id("class")?, a.amount("amount")?);
            ops.push(Op::Holding { class, holder: a.s("from")?, delta: -amount });
            ops.push(Op::Holding { class, holder: a.s("to")?, delta: amount });
        }
        "redeemed" => {
            ops.push(Op::Holding { class: a.id("class")?, holder: a.s("holder")?, delta: -a.amount("amount")? })
        }
        "account_recovered" => ops.push(Op::Recover { from: a.s("from")?, to: a.s("to")? }),
        "frozen" => ops.push(Op::Restriction {
            id: a.id("restriction")?,
            class: a.id("class")?,
            holder: Some(a.s("holder")?),
            amount: Some(a.s("amount")?),
            kind: "freeze",
            legal_basis: a.s("legal_basis")?,
        }),
        "class_paused" => {
            let class = a.id("class")?;
            ops.push(Op::Restriction {
                id: a.id("restriction")?,
                class,
                holder: None,
                amount: None,
                kind: "pause",
                legal_basis: a.s("legal_basis")?,
            });
            ops.push(Op::ClassStatus { id: class, status: "paused" });
        }
        "restriction_lifted" => ops.push(Op::RestrictionLifted { id: a.id("restriction")? }),
        "class_closed" => ops.push(Op::ClassStatus { id: a.id("class")?, status: "closed" }),
        "record_issued" => {
            let object = match payload {
                Payload::IssueRecord { object, .. } => json(object),
                _ => "null".into(),
            };
            ops.push(Op::Record { id: a.id("record")?, certifier: a.s("certifier")?, holder: a.s("holder")?, object });
        }
        "record_transferred" => ops.push(Op::RecordHolder { id: a.id("record")?, holder: a.s("to")? }),
        "record_encumbered" => ops.push(Op::Encumbrance {
            record: a.id("record")?,
            id: a.id("encumbrance")?,
            kind: a.s("kind")?,
            beneficiary: a.s("beneficiary")?,
            legal_basis: a.s("legal_basis")?,
        }),
        "record_released" => ops.push(Op::EncumbranceReleased { record: a.id("record")?, id: a.id("encumbrance")? }),
        "record_terminated" => ops.push(Op::RecordStatus { id: a.id("record")?, status: "terminated" }),
        "record_escrowed" => ops.push(Op::RecordStatus { id: a.id("record")?, status: "escrowed" }),
        "record_escrow_settled" => {
            let id = a.id("record")?;
            ops.push(Op::RecordStatus { id, status: "active" });
            if let Some(to) = a.event.get("to") {
                ops.push(Op::RecordHolder { id, holder: to.to_owned() });
            }
        }
        "escrow_created" => {
            let (arbiter, asset, terms_hash, deadline) = match payload {
                Payload::CreateEscrow { arbiter, asset, terms_hash, deadline_height, .. } => {
                    (arbiter.to_hex(), json(asset), *terms_hash, *deadline_height)
                }
                _ => (String::new(), "null".into(), Hash::ZERO, 0),
            };
            ops.push(Op::Escrow {
                id: a.id("escrow")?,
                payer: a.s("payer")?,
                payee: a.s("payee")?,
                arbiter,
                asset,
                terms_hash,
                deadline,
            });
        }
        "escrow_settled" => ops.push(Op::EscrowStatus {
            id: a.id("escrow")?,
            status: a.s("status")?,
            to: a.event.get("to").map(str::to_owned),
        }),
        "escrow_disputed" => ops.push(Op::EscrowStatus { id: a.id("escrow")?, status: "disputed".into(), to: None }),
        "mining_notification_submitted" => {
            let Payload::SubmitMiningNotification { previous, site, .. } = payload else {
                return Err(a.err("notification", "a SubmitMiningNotification transaction"));
            };
            ops.push(Op::Mining(MiningRow {
                id: a.id("notification")?,
                miner: a.id("miner")?,
                kind: a.s("kind")?,
                previous: previous.map(|p| p.0),
                region: site.region.as_str().to_owned(),
                capacity_kw: site.capacity_kw,
                units: site.units,
                hashrate_ths: site.hashrate_ths,
                energy: name(&site.energy),
                pool: site.pool.as_ref().map(name),
                start_date: site.start_date.to_string(),
            }));
        }
        "activity_notification_submitted" => {
            let date = match payload {
                Payload::SubmitActivityNotification { date, .. } => date.to_string(),
                _ => return Err(a.err("notification", "a SubmitActivityNotification transaction")),
            };
            ops.push(Op::Activity {
                id: a.id("notification")?,
                party: a.id("party")?,
                activity: a.s("activity")?,
                phase: a.s("phase")?,
                date,
                status: "submitted",
                by: None,
            });
        }
        "mining_notification_reviewed" | "activity_notification_reviewed" => ops.push(Op::Reviewed {
            mining: a.event.kind.starts_with("mining"),
            id: a.id("notification")?,
            accepted: a.flag("accepted")?,
            by: a.s("by")?,
        }),
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tamga_types::{ClassId, SigningKey};

    fn transfer_receipt(tx: &SignedTransaction, from: &str, to: &str) -> Receipt {
        Receipt {
            tx_hash: tx.hash(),
            height: 5,
            index: 0,
            block_time_ms: 1,
            outcome: TxOutcome::Success,
            events: vec![Event::new(
                "transfer",
                [("class", "1".into()), ("from", from.into()), ("to", to.into()), ("amount", "25".into())],
            )],
        }
    }

    #[test]
    fn a_transfer_moves_the_amount_and_is_kept_with_its_event() {
        let k = SigningKey::from_seed([1; 32]);
        let to = SigningKey::from_seed([2; 32]).public();
        let tx = tamga_client::sign_payload(&k, "c", 0, Payload::Transfer { class: ClassId(1), to, amount: 25 }, None)
            .unwrap();
        let r = transfer_receipt(&tx, &k.public().to_hex(), &to.to_hex());
        let mut rows = BlockRows::default();
        tx_rows(5, &tx, &r, &mut rows).unwrap();
        assert_eq!(rows.txs.len(), 1);
        assert_eq!(rows.txs[0].kind, "transfer");
        assert!(rows.txs[0].success);
        assert_eq!(rows.events.len(), 1);
        assert_eq!(
            rows.ops,
            vec![
                Op::Holding { class: 1, holder: k.public().to_hex(), delta: -25 },
                Op::Holding { class: 1, holder: to.to_hex(), delta: 25 },
            ]
        );
    }

    #[test]
    fn a_malformed_event_names_the_attribute_and_value() {
        let k = SigningKey::from_seed([1; 32]);
        let to = SigningKey::from_seed([2; 32]).public();
        let tx = tamga_client::sign_payload(&k, "c", 0, Payload::Transfer { class: ClassId(1), to, amount: 25 }, None)
            .unwrap();
        let mut r = transfer_receipt(&tx, "a", "b");
        r.events[0].attributes[3].1 = "lots".into();
        let e = tx_rows(5, &tx, &r, &mut BlockRows::default()).unwrap_err();
        assert_eq!((e.attribute, e.got.as_deref()), ("amount", Some("lots")));
    }

    #[test]
    fn dates_from_epoch_ms() {
        assert_eq!(genesis_date(0), "1970-01-01");
        // 2026-01-01T00:00:00Z
        assert_eq!(genesis_date(1_767_225_600_000), "2026-01-01");
        assert_eq!(genesis_date(951_782_400_000), "2000-02-29");
    }
}
