//! Golden encodings: the wire format is an API (STYLE.md principle 10).
//!
//! Each fixture under `tests/golden/` holds the hex encoding of a value built
//! deterministically here. A change to any encoding fails this test; if the
//! change is deliberate, regenerate with `TAMGA_BLESS=1 cargo test -p tamga-types --test golden`
//! and describe it in `docs/wire-format.md`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use tamga_types::*;

fn key(n: u8) -> SigningKey {
    SigningKey::from_seed([n; 32])
}

fn text<const N: usize>(s: &str) -> BoundedString<N> {
    BoundedString::new(s).unwrap()
}

fn tx(payload: Payload, nonce: u64) -> SignedTransaction {
    let k = key(1);
    Transaction { chain_id: text("tamga-golden"), signer: k.public(), nonce, payload, memo: Some(text("golden")) }
        .sign(&k)
}

fn check(name: &str, bytes: &[u8]) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(format!("{name}.hex"));
    let hex = hex::encode(bytes);
    if std::env::var_os("TAMGA_BLESS").is_some() {
        std::fs::write(&path, format!("{hex}\n")).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("missing fixture {}: {e}; run with TAMGA_BLESS=1", path.display()));
    assert_eq!(want.trim(), hex, "encoding of {name} changed: a wire-format change must be deliberate");
}

fn samples() -> Vec<(&'static str, SignedTransaction)> {
    vec![
        ("tx_transfer", tx(Payload::Transfer { class: ClassId(7), to: key(2).public(), amount: 1_000_000 }, 3)),
        (
            "tx_register_party",
            tx(
                Payload::RegisterParty {
                    kind: PartyKind::LegalEntity,
                    id_commitment: Hash::digest(b"x", b"y"),
                    display_name: Some(text("Qazaq Grain LLP")),
                    accounts: BoundedVec::new(vec![(
                        key(3).public(),
                        Some(CertificateRef { issuer: text("NCA RK"), serial: text("0a1b2c") }),
                    )])
                    .unwrap(),
                },
                0,
            ),
        ),
        (
            "tx_mining_notification",
            tx(
                Payload::SubmitMiningNotification {
                    kind: MiningNotificationKind::Start,
                    previous: None,
                    site: MiningSite {
                        region: Region::Pavlodar,
                        address: text("Ekibastuz, industrial zone 4"),
                        capacity_kw: 2500,
                        units: 800,
                        hashrate_ths: 88_000,
                        energy: EnergySource::Grid,
                        pool: None,
                        start_date: Date { year: 2026, month: 12, day: 1 },
                    },
                },
                9,
            ),
        ),
        // SPEC §4, §7: the variants appended for restrictions by name, closing
        // a class and escrow terms on the chain (indices 29, 30, 31).
        (
            "tx_lift_restriction",
            tx(
                Payload::LiftRestriction { restriction: RestrictionId(12), legal_basis: text("court order 5 quashed") },
                4,
            ),
        ),
        ("tx_close_class", tx(Payload::CloseClass { class: ClassId(7), legal_basis: text("all units redeemed") }, 5)),
        ("tx_publish_terms", tx(Payload::PublishTerms { text: text("Delivery of 60 t of wheat by 1 March 2026.") }, 6)),
        // SPEC §9.4: the parameter variant appended for the fewest validators (index 3).
        ("tx_set_min_validators", tx(Payload::SetParameter { change: ParameterChange::MinValidators(4) }, 8)),
        // SPEC §9: a validator update records the p2p identity peers admit
        // the validator under (`Some`), or keeps the recorded one (`None`).
        (
            "tx_update_validators",
            tx(
                Payload::UpdateValidators {
                    updates: BoundedVec::new(vec![
                        ValidatorUpdate {
                            key: key(10).public(),
                            power: 10,
                            operator: PartyId(1),
                            p2p_key: Some(key(30).public()),
                        },
                        ValidatorUpdate { key: key(11).public(), power: 0, operator: PartyId(1), p2p_key: None },
                    ])
                    .unwrap(),
                },
                10,
            ),
        ),
    ]
}

/// SPEC §9.4: the chain parameters as the genesis hashes them (wire-format
/// §11), `min_validators` last.
#[test]
fn genesis_params() {
    let p = Params { max_block_txs: 5000, validator_change_delay: 3, require_mining_notice: true, min_validators: 7 };
    check("genesis_params", &codec::encode(&p));
    check("genesis_params_default", &codec::encode(&Params::default()));
}

#[test]
fn transactions() {
    for (name, t) in samples() {
        let bytes = t.encode();
        check(name, &bytes);
        assert_eq!(SignedTransaction::decode(&bytes).unwrap(), t, "{name} roundtrip");
        t.verify("tamga-golden").unwrap();
    }
}

#[test]
fn transaction_hash_and_signing_message() {
    let t = &samples()[0].1;
    check("tx_transfer_signing_message", &t.tx.signing_message());
    check("tx_transfer_hash", t.hash().as_bytes());
}

#[test]
fn block_header_vote_certificate() {
    let header = BlockHeader {
        chain_id: text("tamga-golden"),
        height: 42,
        round: 1,
        time_ms: 1_790_000_000_000,
        parent_hash: Hash::digest(b"p", b"parent"),
        proposer: key(5).public(),
        tx_root: merkle_root(&[Hash::digest(b"t", b"1"), Hash::digest(b"t", b"2")]),
        evidence_root: Hash::ZERO,
        state_root: Hash::digest(b"s", b"state"),
        receipts_root: Hash::digest(b"r", b"receipts"),
        validators_hash: Hash::digest(b"v", b"set"),
        next_validators_hash: Hash::digest(b"v", b"set"),
    };
    check("block_header", &codec::encode(&header));
    check("block_hash", header.hash().as_bytes());
    let data = VoteData { kind: VoteKind::Precommit, height: 42, round: 1, block_hash: header.hash() };
    check("vote_signing_message", &data.signing_message("tamga-golden"));
    let set = ValidatorSet::new(
        (10..14)
            .map(|n| Validator { key: key(n).public(), power: 10, operator: PartyId(1), p2p_key: key(n + 20).public() })
            .collect(),
    )
    .unwrap();
    let votes: Vec<Vote> = (10..13).map(|n| Vote::sign(&key(n), "tamga-golden", data.clone())).collect();
    let cert = Certificate::from_votes(data, &set, &votes);
    cert.verify_commit("tamga-golden", &set, &header).unwrap();
    check("commit_certificate", &codec::encode(&cert));
    check("validator_set_hash", set.hash().as_bytes());
}

#[test]
fn evidence() {
    let k = key(20);
    let vote = |b: &[u8]| {
        Vote::sign(
            &k,
            "tamga-golden",
            VoteData { kind: VoteKind::Prevote, height: 42, round: 3, block_hash: Hash::digest(b"b", b) },
        )
    };
    let proposal = |pol_round: Option<Round>, b: &[u8]| {
        let data = ProposalData { height: 42, round: 3, pol_round, value_id: Hash::digest(b"b", b) };
        let signature = k.sign(&data.signing_message("tamga-golden"));
        SignedProposalData { data, proposer: k.public(), signature }
    };
    let samples = [
        ("evidence_double_vote", Evidence::DoubleVote(DoubleVote { a: vote(b"x"), b: vote(b"y") })),
        (
            "evidence_double_proposal",
            Evidence::DoubleProposal(DoubleProposal { a: proposal(None, b"x"), b: proposal(Some(1), b"y") }),
        ),
    ];
    for (name, ev) in samples {
        ev.verify("tamga-golden").unwrap();
        let bytes = codec::encode(&ev);
        check(name, &bytes);
        check(&format!("{name}_id"), ev.id().as_bytes());
        assert_eq!(codec::decode::<Evidence>(name, &bytes, 1024).unwrap(), ev, "{name} roundtrip");
    }
}

/// Receipts (`docs/wire-format.md` §10): a failed one carries its code and
/// structured arguments only, no message; the fixture pins that no sentence
/// enters `receipts_root`.
#[test]
fn receipts() {
    let failed = Receipt {
        tx_hash: Hash::digest(b"t", b"failed"),
        height: 12,
        index: 1,
        block_time_ms: 1_767_225_600_000,
        outcome: TxOutcome::failed(
            "INSUFFICIENT_BALANCE",
            [("class", "7".to_owned()), ("needed", "11".to_owned()), ("available", "10".to_owned())],
        ),
        events: vec![],
    };
    let success = Receipt {
        tx_hash: Hash::digest(b"t", b"success"),
        height: 12,
        index: 0,
        block_time_ms: 1_767_225_600_000,
        outcome: TxOutcome::Success,
        events: vec![Event::new(
            "party_status_changed",
            [
                ("party", "5".to_owned()),
                ("status", PartyStatus::Suspended.as_str().to_owned()),
                ("legal_basis", "order 5".to_owned()),
            ],
        )],
    };
    for (name, r) in [("receipt_failed", &failed), ("receipt_success", &success)] {
        let bytes = codec::encode(r);
        check(name, &bytes);
        check(&format!("{name}_hash"), r.hash().as_bytes());
        assert_eq!(&codec::decode::<Receipt>(name, &bytes, 4096).unwrap(), r, "{name} roundtrip");
    }
    check("receipts_root", Receipt::compute_root(&[success, failed]).as_bytes());
}

/// `N` when `s` starts with the decimal digits of `N` followed by `suffix`.
trait NumberBefore {
    fn strip_suffix_at(&self, suffix: &str) -> Option<usize>;
}

impl NumberBefore for str {
    fn strip_suffix_at(&self, suffix: &str) -> Option<usize> {
        let digits = self.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || !self[digits..].starts_with(suffix) {
            return None;
        }
        self[..digits].parse().ok()
    }
}

/// `docs/wire-format.md` §`n`, up to §`n + 1`.
fn wire_format_section(n: u32) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/wire-format.md");
    let doc = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let start = doc.find(&format!("\n## {n} ")).unwrap_or_else(|| panic!("wire-format.md has a §{n}"));
    let end = start + doc[start..].find(&format!("\n## {} ", n + 1)).expect("wire-format.md has a next section");
    doc[start..end].to_owned()
}

/// `docs/wire-format.md` §12, the section a third party decodes by hand.
fn worked_example_section() -> String {
    wire_format_section(12)
}

fn fixture_bytes(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(format!("{name}.hex"));
    hex::decode(std::fs::read_to_string(&path).unwrap().trim()).unwrap()
}

/// The text between backticks of a table cell, concatenated (a long value
/// may be split into several code spans).
fn code_spans(cell: &str) -> String {
    cell.split('`').skip(1).step_by(2).collect::<Vec<_>>().concat()
}

/// The tables of §12 that follow "Fixture `types/tests/golden/NAME.hex` (N bytes)":
/// every row's offset is where the previous row ended, its bytes are the
/// fixture's bytes there, the rows cover the whole fixture, and N is its size.
/// Returns, per fixture, the field names of its rows and their byte lengths.
fn check_tables(section: &str) -> Vec<(String, Vec<(String, usize)>)> {
    let marker = "Fixture `types/tests/golden/";
    let mut out = Vec::new();
    for part in section.split(marker).skip(1) {
        let name = &part[..part.find(".hex`").expect("a fixture name")];
        let size: usize = part[part.find("` (").unwrap() + 3..part.find(" bytes)").unwrap()].parse().unwrap();
        let bytes = fixture_bytes(name);
        assert_eq!(bytes.len(), size, "wire-format §12 says {name}.hex has {size} bytes");
        let rows: Vec<&str> = part
            .lines()
            .skip_while(|l| !l.starts_with('|'))
            .take_while(|l| l.starts_with('|'))
            .skip(2) // header and separator
            .collect();
        assert!(!rows.is_empty(), "a table follows the {name}.hex heading");
        let mut at = 0usize;
        let mut fields = Vec::new();
        for row in rows {
            let cells: Vec<&str> = row.trim_matches('|').split('|').map(str::trim).collect();
            assert_eq!(cells.len(), 4, "{name}: row {row:?} has offset, bytes, field, value");
            let offset: usize = cells[0].parse().unwrap_or_else(|e| panic!("{name}: offset {:?}: {e}", cells[0]));
            assert_eq!(offset, at, "{name}: the row {:?} starts at {offset}, the previous row ended at {at}", cells[2]);
            let want = hex::decode(code_spans(cells[1])).unwrap_or_else(|e| panic!("{name}: {:?}: {e}", cells[1]));
            assert_eq!(
                hex::encode(&bytes[at..(at + want.len()).min(bytes.len())]),
                hex::encode(&want),
                "{name}: bytes of {:?} at {at}",
                cells[2]
            );
            at += want.len();
            fields.push((cells[2].to_owned(), want.len()));
        }
        assert_eq!(at, bytes.len(), "{name}: the table covers {at} of its {} bytes", bytes.len());
        out.push((name.to_owned(), fields));
    }
    out
}

/// `docs/wire-format.md` §12 cannot drift from the fixtures: its tables are
/// checked byte by byte, every "`NAME.hex` (N bytes)" there is the fixture's
/// size, and the header's field counts in the prose are those of the table,
/// which are those of the fixture.
#[test]
fn the_worked_examples_match_the_fixtures() {
    let section = worked_example_section();
    let tables = check_tables(&section);
    let names: Vec<&str> = tables.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["tx_transfer", "block_header"], "§12 has a table per worked fixture");
    // §10 decodes a failed receipt: code and arguments, no message.
    let receipts = check_tables(&wire_format_section(10));
    assert_eq!(receipts.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(), ["receipt_failed"]);

    // Every "`NAME.hex` (N bytes)" in §12 is the fixture's size.
    let mut quoted = 0;
    for (i, _) in section.match_indices(".hex` (") {
        let name = section[..i].rsplit('`').next().unwrap().trim_start_matches("types/tests/golden/");
        let rest = &section[i + ".hex` (".len()..];
        let Some(n) = rest.strip_suffix_at(" bytes)") else { continue };
        assert_eq!(fixture_bytes(name).len(), n, "§12 says {name}.hex has {n} bytes");
        quoted += 1;
    }
    assert!(quoted >= 3, "§12 quotes the sizes of tx_transfer, block_header and commit_certificate");

    // The header: one row per field, except the chain id's length and bytes,
    // which are one field; the trailing 32-byte rows are the hashes and keys.
    let header = &tables[1].1;
    let field_count = header.len() - 1;
    let wide = header.iter().rev().take_while(|(_, len)| *len == 32).count();
    let words =
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"];
    let claim = format!("with {} fields, the last {} of them 32 bytes each", words[field_count], words[wide]);
    let prose = section.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(prose.contains(&claim), "§12 must say \"{claim}\" of block_header.hex");
    let decoded: BlockHeader = codec::decode("header", &fixture_bytes("block_header"), 1024).unwrap();
    assert_eq!(codec::encode(&decoded).len(), 4 + decoded.chain_id.as_str().len() + 8 + 4 + 8 + 32 * wide);
}
