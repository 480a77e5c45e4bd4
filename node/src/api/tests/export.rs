//! `GET /v1/issuers/{id}/export` (SPEC §12): the export round-trips against
//! the node's own queries, verifies offline against the genesis alone, and
//! every kind of tampering fails with its own reason.

use std::collections::BTreeMap;

use tamga_contract::export::{verify_export, ExportLine, Proven};
use tamga_types::model::{ClassState, RecordState};
use tamga_types::views::HolderView;
use tamga_types::*;

use super::*;

/// The scenario plus: a second class minted and frozen, a validator-set
/// change, a pledge standing on record 1, record 2 transferred, encumbered
/// with a lien and released (history of every kind).
fn chain() -> Node {
    let mut n = Node::scenario();
    let (reg, issuer, alice, bob) = (n.c.reg.clone(), n.c.issuer.clone(), n.c.alice.clone(), n.c.bob.clone());
    let v0 = n.ledger.validators_at(1).unwrap().validators[0].clone();
    let update = ValidatorUpdate { key: v0.key, power: v0.power + 5, operator: v0.operator, p2p_key: None };
    assert_ok(&n.block(vec![
        sign(&issuer, 4, create_class("OATS")),
        sign(&reg, 1, Payload::UpdateValidators { updates: BoundedVec::new(vec![update]).unwrap() }),
        sign(&issuer, 5, Payload::IssueRecord { holder: bob.public(), object: object("Tractor 12") }),
    ]));
    assert_ok(&n.block(vec![
        sign(&issuer, 6, Payload::Mint { class: ClassId(2), to: bob.public(), amount: 700 }),
        sign(
            &alice,
            2,
            Payload::Encumber {
                record: RecordId(1),
                kind: EncumbranceKind::Pledge,
                beneficiary: bob.public(),
                legal_basis: text("loan agreement 17"),
            },
        ),
        sign(&bob, 2, Payload::TransferRecord { record: RecordId(2), to: alice.public() }),
    ]));
    n.block(vec![]);
    assert_ok(&n.block(vec![
        sign(
            &issuer,
            7,
            Payload::Freeze {
                class: ClassId(2),
                holder: bob.public(),
                amount: Some(200),
                legal_basis: text("court 5"),
            },
        ),
        sign(
            &alice,
            3,
            Payload::Encumber {
                record: RecordId(2),
                kind: EncumbranceKind::Lien,
                beneficiary: bob.public(),
                legal_basis: text("repair lien"),
            },
        ),
    ]));
    assert_ok(&n.block(vec![sign(&bob, 3, Payload::Release { record: RecordId(2), encumbrance: EncumbranceId(2) })]));
    n
}

/// `GET uri` signed by `key`, as JSON.
async fn get_as(n: &Node, key: &SigningKey, uri: &str) -> (StatusCode, serde_json::Value) {
    let (s, bytes) = n.call_signed(key, crate::now_ms(), "GET", uri, None).await;
    (s, serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{uri}: not JSON ({e})")))
}

/// The export of issuer `id`, asked by the issuer's own account (party 3).
async fn export(n: &Node, id: u64) -> String {
    let (s, bytes) =
        n.call_signed(&n.c.issuer, crate::now_ms(), "GET", &format!("/v1/issuers/{id}/export"), None).await;
    assert_eq!(s, 200, "{}", String::from_utf8_lossy(&bytes));
    String::from_utf8(bytes).unwrap()
}

fn lines(text: &str) -> Vec<ExportLine> {
    text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn code_of(text: &str) -> &'static str {
    match verify_export(text.as_bytes(), &genesis(), |_| {}) {
        Ok(_) => "VALID",
        Err(e) => e.code(),
    }
}

/// Replaces line `i` (0-based) by `f(line)`.
fn edit(text: &str, i: usize, f: impl FnOnce(ExportLine) -> ExportLine) -> String {
    let mut ls: Vec<String> = text.lines().map(str::to_owned).collect();
    let line: ExportLine = serde_json::from_str(&ls[i]).unwrap();
    ls[i] = serde_json::to_string(&f(line)).unwrap();
    ls.join("\n") + "\n"
}

fn find(text: &str, pred: impl Fn(&ExportLine) -> bool) -> usize {
    lines(text).iter().position(pred).unwrap()
}

/// Every class, holding, record, encumbrance and history entry of the
/// export equals the node's own query answers, and the whole file verifies
/// offline from the genesis through a validator-set change.
#[tokio::test]
async fn export_of_an_issuer_round_trips_and_verifies() {
    let n = chain();
    let height = n.ledger.height().unwrap();
    let text = export(&n, 3).await;
    let v = verify_export(text.as_bytes(), &genesis(), |_| {}).unwrap();
    assert_eq!((v.issuer, v.height, v.validator_changes), (PartyId(3), height, 1));
    assert_eq!(v.state_root, n.ledger.block(height).unwrap().unwrap().header.state_root);

    let mut classes: Vec<ClassState> = Vec::new();
    let mut holders: BTreeMap<ClassId, Vec<HolderView>> = BTreeMap::new();
    let mut records: Vec<RecordState> = Vec::new();
    let mut history: BTreeMap<RecordId, Vec<model::HistoryEntry>> = BTreeMap::new();
    let mut blocks = Vec::new();
    for line in lines(&text) {
        match line {
            ExportLine::Header(h) => assert_eq!((h.issuer, h.height, h.chain_id.as_str()), (PartyId(3), height, CHAIN)),
            ExportLine::Block(b) => blocks.push(b.height),
            ExportLine::Party(p) => assert_eq!(p.state, n.ledger.party(PartyId(3)).unwrap().unwrap().party),
            ExportLine::Account(a) => assert_eq!(Some(a.state.clone()), n.ledger.account(&a.state.key).unwrap()),
            ExportLine::IssuerIndex(ix) => {
                assert_eq!((ix.state.classes, ix.state.records), (2, 2), "the issuer issued 2 classes and 2 records")
            }
            ExportLine::Class(c) => classes.push(c.state),
            ExportLine::Holders(h) => {
                assert_eq!(h.entry.state, n.ledger.holders(h.class).unwrap().len() as u64, "class {}", h.class)
            }
            ExportLine::Holding(h) => holders.entry(h.class).or_default().push(HolderView {
                account: h.account,
                party: h.party,
                amount: h.entry.state.amount,
                frozen: h.entry.state.frozen,
            }),
            ExportLine::Record(r) => records.push(r.state),
            ExportLine::History(h) => history.entry(h.record).or_default().push(h.entry),
            ExportLine::End(c) => assert_eq!(c, v.counts),
        }
    }
    // Classes with supply, and every holder of each, as the node answers them.
    assert_eq!(classes, n.ledger.classes_by_issuer(PartyId(3)).unwrap());
    assert_eq!(classes.len(), 2);
    for c in &classes {
        assert_eq!(holders.remove(&c.id).unwrap_or_default(), n.ledger.holders(c.id).unwrap(), "class {}", c.id);
    }
    assert!(holders.is_empty());
    let bob_oats = n.ledger.holding(ClassId(2), &n.c.bob.public()).unwrap();
    assert_eq!((bob_oats.amount, bob_oats.frozen), (700, 200));
    // WHEAT: 100.00 minted, 10.00 in escrow: the export proves the rest is held.
    assert_eq!((v.classes[0].supply, v.classes[0].held), (10_000, 9_000));
    // Every record the issuer certified, with encumbrances and full history.
    let mut all = Vec::new();
    for id in 1.. {
        match n.ledger.record(RecordId(id)).unwrap() {
            Some(r) if r.record.certifier == PartyId(3) => all.push(r),
            Some(_) => {}
            None => break,
        }
    }
    assert_eq!(records.len(), 2);
    for (rec, view) in records.iter().zip(&all) {
        assert_eq!(rec, &view.record);
        assert_eq!(history.get(&rec.id).cloned().unwrap_or_default(), view.history, "history of {}", rec.id);
    }
    assert_eq!(records[0].encumbrances.len(), 1, "the pledge stands");
    assert_eq!(records[0].encumbrances[0].kind, EncumbranceKind::Pledge);
    assert!(records[1].encumbrances.is_empty(), "the lien was released");
    let events: Vec<&str> = all[1].history.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(events.len(), 4, "{events:?}");
    // Headers: the change, every history height and the export height, ascending.
    let mut want: Vec<Height> = all.iter().flat_map(|r| r.history.iter().map(|e| e.height)).collect();
    want.push(height);
    let change = (1..height).find(|h| n.ledger.validators_at(h + 1).unwrap() != n.ledger.validators_at(*h).unwrap());
    want.push(change.expect("the chain changes its validator set"));
    want.sort();
    want.dedup();
    assert_eq!(blocks, want);
    // The response is JSON Lines.
    let (_, raw) = n.call_signed(&n.c.reg, crate::now_ms(), "GET", "/v1/issuers/3/export", None).await;
    assert_eq!(raw.last(), Some(&b'\n'));
}

/// A tampered export fails verification with the reason of what was changed.
#[tokio::test]
async fn a_tampered_export_fails_with_a_specific_reason() {
    let n = chain();
    let text = export(&n, 3).await;
    assert_eq!(code_of(&text), "VALID");

    // A holding's decoded amount no longer matches its proven bytes.
    let i = find(&text, |l| matches!(l, ExportLine::Holding(_)));
    let t = edit(&text, i, |l| match l {
        ExportLine::Holding(mut h) => {
            h.entry.state.amount += 1;
            ExportLine::Holding(h)
        }
        other => other,
    });
    assert_eq!(code_of(&t), "STATE_MISMATCH");

    // A record rewritten consistently (state and value) is no longer proven.
    let i = find(&text, |l| matches!(l, ExportLine::Record(_)));
    let t = edit(&text, i, |l| match l {
        ExportLine::Record(mut r) => {
            r.state.encumbrances.clear();
            r.value = hex::encode(codec::encode(&r.state));
            ExportLine::Record(r)
        }
        other => other,
    });
    assert_eq!(code_of(&t), "BAD_STATE_PROOF");

    // Another issuer's class passed off under this one's key.
    let i = find(&text, |l| matches!(l, ExportLine::Class(_)));
    let t = edit(&text, i, |l| match l {
        ExportLine::Class(Proven { key, value, proof, mut state }) => {
            state.issuer = PartyId(4);
            ExportLine::Class(Proven { key, value, proof, state })
        }
        other => other,
    });
    assert_eq!(code_of(&t), "STATE_MISMATCH");

    // A history entry naming another transaction than its proven value.
    let i = find(&text, |l| matches!(l, ExportLine::History(_)));
    let t = edit(&text, i, |l| match l {
        ExportLine::History(mut h) => {
            h.entry.tx_hash = Hash::digest(b"x", b"y");
            ExportLine::History(h)
        }
        other => other,
    });
    assert_eq!(code_of(&t), "STATE_MISMATCH");
    // A history entry carrying another transaction than the one it names.
    let other_tx = lines(&text)
        .into_iter()
        .filter_map(|l| match l {
            ExportLine::History(h) => Some(h.tx),
            _ => None,
        })
        .next_back()
        .unwrap();
    let t = edit(&text, i, |l| match l {
        ExportLine::History(mut h) => {
            h.tx = other_tx;
            ExportLine::History(h)
        }
        other => other,
    });
    assert_eq!(code_of(&t), "BAD_HISTORY_ENTRY");

    // A history entry dropped: the proven history_len catches it.
    let ls: Vec<&str> = text.lines().collect();
    let last_history = ls.iter().rposition(|l| l.starts_with("{\"history\"")).unwrap();
    let dropped: String =
        ls.iter().enumerate().filter(|(i, _)| *i != last_history).map(|(_, l)| format!("{l}\n")).collect();
    assert_eq!(code_of(&dropped), "HISTORY_INCOMPLETE");

    // The certificate of the export's own block broken.
    let last_block = ls.iter().rposition(|l| l.starts_with("{\"block\"")).unwrap();
    let t = edit(&text, last_block, |l| match l {
        ExportLine::Block(mut b) => {
            let mut cert = hex::decode(&b.certificate).unwrap();
            let at = cert.len() - 3;
            cert[at] ^= 1;
            b.certificate = hex::encode(cert);
            ExportLine::Block(b)
        }
        other => other,
    });
    assert!(
        ["BAD_CERTIFICATE_SIGNATURE", "EXPORT_MALFORMED", "CERTIFICATE_MISMATCH"].contains(&code_of(&t)),
        "{}",
        code_of(&t)
    );

    // A header dropped: the validator-set change is missing, the next header is refused.
    let change = find(&text, |l| matches!(l, ExportLine::Block(b) if b.next_validators.is_some()));
    let t: String = ls.iter().enumerate().filter(|(i, _)| *i != change).map(|(_, l)| format!("{l}\n")).collect();
    assert_eq!(code_of(&t), "UNKNOWN_VALIDATOR_SET");

    // Cut short: no end line.
    let cut: String = ls[..ls.len() - 1].iter().map(|l| format!("{l}\n")).collect();
    assert_eq!(code_of(&cut), "EXPORT_INCOMPLETE");

    // Another network's genesis.
    let other = Genesis { chain_id: "tamga-other".into(), ..genesis() };
    let e = verify_export(text.as_bytes(), &other, |_| {}).unwrap_err();
    assert_eq!((e.code(), e.line), ("GENESIS_MISMATCH", 1));
}

/// Drops the lines for which `drop` holds and rewrites the `end` line to
/// the counts of what is left, as a node leaving something out would.
fn without(text: &str, drop: impl Fn(usize, &ExportLine) -> bool) -> String {
    let mut kept: Vec<ExportLine> =
        lines(text).into_iter().enumerate().filter(|(i, l)| !drop(*i, l)).map(|(_, l)| l).collect();
    let mut counts = tamga_contract::export::ExportCounts::default();
    for l in &kept {
        match l {
            ExportLine::Block(_) => counts.blocks += 1,
            ExportLine::Account(_) => counts.accounts += 1,
            ExportLine::Class(_) => counts.classes += 1,
            ExportLine::Holding(_) => counts.holdings += 1,
            ExportLine::Record(_) => counts.records += 1,
            ExportLine::History(_) => counts.history += 1,
            _ => {}
        }
    }
    if let Some(ExportLine::End(c)) = kept.last_mut() {
        *c = counts;
    }
    kept.iter().map(|l| serde_json::to_string(l).unwrap() + "\n").collect()
}

fn fault_of(text: &str) -> (&'static str, String) {
    let e = verify_export(text.as_bytes(), &genesis(), |_| {}).unwrap_err();
    (e.code(), e.to_string())
}

/// Rule 5 (SPEC §12, `docs/export-format.md` §5): the export proves it is
/// complete. A node that leaves out a class, a holding, a record or a history
/// entry — even with a consistent `end` line — is caught by the proven
/// counts (issuer index, class holder count, `history_len`), with an error
/// naming what is missing; a forged count is not proven.
#[tokio::test]
async fn rule5_export_proves_completeness() {
    let n = chain();
    let text = export(&n, 3).await;
    assert_eq!(code_of(&text), "VALID");
    assert_eq!(code_of(&without(&text, |_, _| false)), "VALID", "rewriting the end line alone changes nothing");

    // One holding of class 2 (OATS) left out.
    let (code, msg) = fault_of(&without(&text, |_, l| matches!(l, ExportLine::Holding(h) if h.class == ClassId(2))));
    assert_eq!(code, "HOLDINGS_INCOMPLETE");
    assert!(msg.contains("class 2 has 1 holdings") && msg.contains("carries 0: 1 missing"), "{msg}");

    // A whole class (its line, holder count and holdings) left out.
    let one_class = |_: usize, l: &ExportLine| match l {
        ExportLine::Class(c) => c.state.id == ClassId(2),
        ExportLine::Holders(h) => h.class == ClassId(2),
        ExportLine::Holding(h) => h.class == ClassId(2),
        _ => false,
    };
    let (code, msg) = fault_of(&without(&text, one_class));
    assert_eq!(code, "CLASSES_INCOMPLETE");
    assert!(msg.contains("proves 2 classes of issuer 3, the export carries 1: 1 missing"), "{msg}");

    // A record and its history left out.
    let one_record = |_: usize, l: &ExportLine| match l {
        ExportLine::Record(r) => r.state.id == RecordId(2),
        ExportLine::History(h) => h.record == RecordId(2),
        _ => false,
    };
    let (code, msg) = fault_of(&without(&text, one_record));
    assert_eq!(code, "RECORDS_INCOMPLETE");
    assert!(msg.contains("proves 2 records of issuer 3, the export carries 1: 1 missing"), "{msg}");

    // The last history entry of record 2 left out.
    let last =
        lines(&text).iter().rposition(|l| matches!(l, ExportLine::History(h) if h.record == RecordId(2))).unwrap();
    let (code, msg) = fault_of(&without(&text, |i, _| i == last));
    assert_eq!(code, "HISTORY_INCOMPLETE");
    assert!(msg.contains("record 2 has history_len 4 but the export carries 3"), "{msg}");

    // Lowering the proven counts to match is not proven.
    let i = find(&text, |l| matches!(l, ExportLine::IssuerIndex(_)));
    let t = edit(&text, i, |l| match l {
        ExportLine::IssuerIndex(mut ix) => {
            ix.state.classes = 1;
            ix.value = Some(hex::encode(codec::encode(&ix.state)));
            ExportLine::IssuerIndex(ix)
        }
        other => other,
    });
    assert_eq!(code_of(&without(&t, one_class)), "BAD_STATE_PROOF");
    let i = find(&text, |l| matches!(l, ExportLine::Holders(h) if h.class == ClassId(2)));
    let t = edit(&text, i, |l| match l {
        ExportLine::Holders(mut h) => {
            h.entry.state = 0;
            h.entry.value = hex::encode(codec::encode(&0u64));
            ExportLine::Holders(h)
        }
        other => other,
    });
    assert_eq!(code_of(&t), "BAD_STATE_PROOF");
    // A history entry rewritten (its event) is not proven either.
    let i = find(&text, |l| matches!(l, ExportLine::History(_)));
    let t = edit(&text, i, |l| match l {
        ExportLine::History(mut h) => {
            h.entry.event = "record_terminated".into();
            h.value = hex::encode(codec::encode(&h.entry));
            ExportLine::History(h)
        }
        other => other,
    });
    assert_eq!(code_of(&t), "BAD_STATE_PROOF");
    // Without its issuer index line the file is out of order.
    let t = without(&text, |_, l| matches!(l, ExportLine::IssuerIndex(_)));
    assert_eq!(code_of(&t), "EXPORT_OUT_OF_ORDER");
    // A holding listed twice cannot pad a count.
    let h = find(&text, |l| matches!(l, ExportLine::Holding(_)));
    let ls: Vec<&str> = text.lines().collect();
    let twice: String = ls
        .iter()
        .enumerate()
        .flat_map(|(i, l)| if i == h { vec![*l, *l] } else { vec![*l] })
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(code_of(&twice), "NOT_ISSUERS_ENTRY");
}

/// Refusals name what is wrong and send no export.
#[tokio::test]
async fn export_refusals_are_specific() {
    let n = Node::scenario();
    let reg = n.c.reg.clone();
    let (s, v) = get_as(&n, &reg, "/v1/issuers/99/export").await;
    assert_eq!((s.as_u16(), code(&v)), (404, "PARTY_NOT_FOUND"));
    let (s, v) = get_as(&n, &reg, "/v1/issuers/4/export").await;
    assert_eq!((s.as_u16(), code(&v)), (409, "NOT_AN_ISSUER"));
    let (s, v) = get_as(&n, &reg, "/v1/issuers/x/export").await;
    assert_eq!((s.as_u16(), code(&v), v["field"].as_str()), (400, "BAD_ID", Some("id")));
    let (s, v) = get_as(&n, &reg, "/v1/issuers/3/export?height=1").await;
    assert_eq!((s.as_u16(), code(&v)), (400, "UNKNOWN_PARAM"));
    let empty = Node::new();
    let (s, v) = get_as(&empty, &reg, "/v1/issuers/3/export").await;
    assert_eq!((s.as_u16(), code(&v)), (409, "NO_COMMITTED_BLOCK"));
}

/// SPEC §12: the export is for the issuer's own accounts and for
/// regulators. Anyone else gets 403 `EXPORT_FORBIDDEN`, in the asked
/// language, before the ledger is asked whether the party even exists.
#[tokio::test]
async fn export_only_for_the_issuers_accounts_and_regulators() {
    let n = Node::scenario();
    // The issuer (party 3), the full regulator (party 1) and the assets-only one (party 2).
    for k in [n.c.issuer.clone(), n.c.reg.clone(), key(2)] {
        let (s, bytes) = n.call_signed(&k, crate::now_ms(), "GET", "/v1/issuers/3/export", None).await;
        assert_eq!(s, 200, "{}", String::from_utf8_lossy(&bytes));
        assert_eq!(code_of(&String::from_utf8(bytes).unwrap()), "VALID");
    }
    // Unsigned.
    let (s, v) = n.get("/v1/issuers/3/export").await;
    assert_eq!((s.as_u16(), code(&v)), (403, "EXPORT_FORBIDDEN"), "{v}");
    assert!(v["message"].as_str().unwrap().contains("sign the request"), "{v}");
    // Another party's account, also for an id that is no party at all.
    for id in [3, 99] {
        let (s, v) = get_as(&n, &n.c.alice.clone(), &format!("/v1/issuers/{id}/export")).await;
        assert_eq!((s.as_u16(), code(&v)), (403, "EXPORT_FORBIDDEN"), "{v}");
        let msg = v["message"].as_str().unwrap();
        assert!(msg.contains("party 4") && msg.contains(&n.c.alice.public().to_hex()), "{msg}");
    }
    // The miner is an issuer of nothing: the issuer's export is not its business either.
    let (s, v) = get_as(&n, &n.c.miner.clone(), "/v1/issuers/3/export").await;
    assert_eq!((s.as_u16(), code(&v)), (403, "EXPORT_FORBIDDEN"), "{v}");
    // Localized.
    let req = axum::http::Request::builder()
        .uri("/v1/issuers/3/export")
        .header("accept-language", "kk")
        .body(axum::body::Body::empty())
        .unwrap();
    let resp = tower::ServiceExt::oneshot(router(n.ctx.clone()), req).await.unwrap();
    assert_eq!(resp.status(), 403);
    let v: serde_json::Value =
        serde_json::from_slice(&axum::body::to_bytes(resp.into_body(), usize::MAX).await.unwrap()).unwrap();
    assert_eq!(code(&v), "EXPORT_FORBIDDEN");
    assert!(v["message"].as_str().unwrap().contains("эмитент"), "{v}");
}

/// Blocks committed while an export is being read change nothing in it:
/// the export is one snapshot (a holding emptied later is still there, a
/// history entry added later is not), and it verifies at its own height.
#[tokio::test]
async fn an_export_is_one_snapshot_while_blocks_commit() {
    use axum::http::Request;
    use tower::ServiceExt;

    let mut n = chain();
    let h0 = n.ledger.height().unwrap();
    let bob_wheat = n.ledger.holding(ClassId(1), &n.c.bob.public()).unwrap();
    assert_eq!(bob_wheat.amount, 2_500);
    let mut req = Request::builder().uri("/v1/issuers/3/export");
    for (name, value) in tamga_types::request::sign_headers(
        &n.c.issuer,
        &super::audience(),
        "GET",
        "/v1/issuers/3/export",
        crate::now_ms(),
        b"",
    ) {
        req = req.header(name, value);
    }
    let resp = router(n.ctx.clone()).oneshot(req.body(axum::body::Body::empty()).unwrap()).await.unwrap();
    assert_eq!(resp.status(), 200);
    // The headers are out; now bob empties his WHEAT holding and record 1 gets a new fact.
    let (bob, alice) = (n.c.bob.clone(), n.c.alice.clone());
    assert_ok(&n.block(vec![
        sign(&bob, 4, Payload::Transfer { class: ClassId(1), to: alice.public(), amount: 2_500 }),
        sign(&bob, 5, Payload::Release { record: RecordId(1), encumbrance: EncumbranceId(1) }),
    ]));
    assert_eq!(n.ledger.holding(ClassId(1), &bob.public()).unwrap().amount, 0);
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX).await.unwrap();
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    let v = verify_export(text.as_bytes(), &genesis(), |_| {}).unwrap();
    assert_eq!(v.height, h0);
    let ls = lines(&text);
    assert!(ls.iter().any(|l| matches!(l, ExportLine::Holding(h)
        if h.class == ClassId(1) && h.account == bob.public() && h.entry.state.amount == 2_500)));
    let rec1 = ls.iter().find_map(|l| match l {
        ExportLine::Record(r) if r.state.id == RecordId(1) => Some(r.state.clone()),
        _ => None,
    });
    assert_eq!(rec1.unwrap().encumbrances.len(), 1, "the pledge released after the snapshot still stands in it");
    // A fresh export sees the new height.
    let later = verify_export(export(&n, 3).await.as_bytes(), &genesis(), |_| {}).unwrap();
    assert_eq!(later.height, h0 + 1);
}
