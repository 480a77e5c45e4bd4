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
    ]
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
        (10..14).map(|n| Validator { key: key(n).public(), power: 10, operator: PartyId(1) }).collect(),
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
