//! Consensus bytes never depend on wording (SPEC §8, `docs/wire-format.md`
//! Receipts and Events): a failed receipt carries a stable code and
//! structured arguments, events carry canonical values, and people read
//! messages rendered from them in kk/ru/en at the edges.

use std::collections::{BTreeSet, HashMap};

use tamga_contract::messages::{placeholders, render, template, Lang};
use tamga_state::ExecError;
use tamga_types::*;

use crate::common::*;

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// A receipt as an API answer shows it in `lang`: the JSON receipt with the
/// rendered `message` beside `code` and `args`, read back by a client.
fn shown_in(r: &Receipt, lang: Lang) -> (String, Receipt) {
    let mut v = serde_json::to_value(r).unwrap();
    let TxOutcome::Failed { code, args } = &r.outcome else { panic!("not failed") };
    let message = render(code, args, lang);
    v["outcome"]["message"] = serde_json::Value::String(message.clone());
    (message, serde_json::from_value(v).unwrap())
}

#[test]
fn rule6_receipts_carry_codes_and_arguments_not_sentences() {
    let mut ch = Chain::new();
    let c = ch.c.clone();
    let class = ch.class("WHT", None);
    ch.ok(&c.issuer, mint(class, &c.alice, 10));
    // Two refusals with arguments of every canonical form: ids and amounts
    // decimal, a party and a role name.
    let r1 = ch.run(&c.alice, transfer(class, &c.bob, 11));
    let r2 = ch.run(&c.bob, Payload::Mint { class, to: c.bob.public(), amount: 1 });
    assert_eq!(r1.outcome.code(), Some("INSUFFICIENT_BALANCE"));
    assert_eq!(r1.outcome.arg("needed"), Some("11"));
    assert_eq!(r1.outcome.arg("available"), Some("10"));
    assert_eq!(r2.outcome.code(), Some("NOT_ISSUER"), "{:?}", r2.outcome);
    for r in [&r1, &r2] {
        let TxOutcome::Failed { code, args } = &r.outcome else { panic!("{:?}", r.outcome) };
        let bytes = codec::encode(r);
        let mut hashes = BTreeSet::new();
        let mut messages = BTreeSet::new();
        for lang in Lang::ALL {
            let (message, back) = shown_in(r, lang);
            // The receipt's bytes hold no message in any language...
            assert!(!contains(&bytes, message.as_bytes()), "{code}: the receipt holds the {} message", lang.tag());
            assert!(!message.contains('{'), "{code} in {}: unfilled placeholder in {message}", lang.tag());
            messages.insert(message);
            // ...and two renderings of the same receipt hash the same.
            hashes.insert(back.hash());
        }
        assert_eq!(messages.len(), 3, "{code}: one message per language");
        assert_eq!(hashes.into_iter().collect::<Vec<_>>(), vec![r.hash()], "{code}: rendering changes no hash");
        // Arguments are values, not sentences.
        for (k, v) in args {
            assert!(!v.contains(' '), "{code}: argument {k} = {v:?} is a sentence");
        }
    }

    // Events: enum values are their snake_case names, never a Debug rendering.
    let r = ch.ok(&c.reg, Payload::SetParameter { change: ParameterChange::MaxBlockTxs(500) });
    let e = r.events.iter().find(|e| e.kind == "parameter_changed").expect("parameter_changed");
    assert_eq!(e.attributes, vec![("parameter".into(), "max_block_txs".into()), ("value".into(), "500".into())]);
    let r = ch.ok(
        &c.reg,
        Payload::SetPartyStatus { party: BOB, status: PartyStatus::Suspended, legal_basis: text("order 5") },
    );
    let statuses: Vec<&str> = r.events.iter().filter_map(|e| e.get("status")).collect();
    assert_eq!(statuses, vec!["suspended"]);
    let r = ch.ok(&c.alice, Payload::Redeem { class, amount: 1, right: 1 });
    let kinds: Vec<&str> = r.events.iter().filter_map(|e| e.get("right_kind")).collect();
    assert_eq!(kinds, vec!["services"]);
    let r = ch.ok(&c.alice, Payload::RevokeAccount { key: c.alice2.public(), reason: RevocationReason::HolderRequest });
    let reasons: Vec<&str> = r.events.iter().filter_map(|e| e.get("reason")).collect();
    assert_eq!(reasons, vec!["holder_request"]);
}

/// Every execution error code has a message in kk, ru and en; a message
/// names only the code's arguments (required ones always present, optional
/// ones among those the code can carry) and names every argument.
#[test]
fn rule6_every_exec_error_has_a_message_in_kk_ru_en_naming_its_arguments() {
    assert!(ExecError::examples_are_honest());
    let examples = ExecError::examples();
    let mut possible: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    for e in &examples {
        possible.entry(e.code()).or_default().extend(e.args().iter().map(|(k, _)| *k));
    }
    for e in &examples {
        let code = e.code();
        let args: Vec<(String, String)> = e.args().into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        let names: BTreeSet<&str> = args.iter().map(|(k, _)| k.as_str()).collect();
        for lang in Lang::ALL {
            let t = template(code, lang).unwrap_or_else(|| panic!("{code} has no {} message", lang.tag()));
            let ps = placeholders(t);
            for (p, optional) in &ps {
                if *optional {
                    assert!(possible[code].contains(p), "{code} in {}: {{{p}}} is no argument of the code", lang.tag());
                } else {
                    assert!(names.contains(p), "{code} in {}: {{{p}}} is not among {names:?}", lang.tag());
                }
            }
            let named: BTreeSet<&str> = ps.iter().map(|(p, _)| *p).collect();
            for n in &names {
                assert!(named.contains(n), "{code} in {}: argument {n} is not shown", lang.tag());
            }
            let shown = render(code, &args, lang);
            assert!(!shown.contains('{') && !shown.contains('['), "{code} in {}: {shown}", lang.tag());
        }
    }
}
