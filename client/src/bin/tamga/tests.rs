//! Command-line parsing and payload building, for every transaction command.

use clap::{CommandFactory, Parser};
use tamga_types::*;

use crate::args::{Cli, Command, Output};

fn k(n: u8) -> PublicKey {
    SigningKey::from_seed([n; 32]).public()
}

fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
    Cli::try_parse_from(std::iter::once("tamga").chain(args.iter().copied()))
}

/// Parses and builds the payload with `decimals` (None: --base-units).
fn payload(args: &[&str], decimals: Option<u8>) -> Result<Payload, String> {
    let cli = parse(args).map_err(|e| e.to_string())?;
    let op = cli.cmd.op().ok_or("not a transaction command")?;
    op.payload(decimals)
}

fn ok(args: &[&str], decimals: Option<u8>) -> Payload {
    payload(args, decimals).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

fn t<const N: usize>(s: &str) -> BoundedString<N> {
    BoundedString::new(s).unwrap()
}

#[test]
fn command_tree_is_consistent() {
    Cli::command().debug_assert();
}

#[test]
fn globals_and_defaults() {
    let cli = parse(&["status"]).unwrap();
    assert_eq!(cli.node, "http://127.0.0.1:8080");
    assert_eq!(cli.output, Output::Text);
    assert!(!cli.yes && !cli.no_wait && !cli.base_units);
    assert_eq!(cli.timeout, 60);
    let cli = parse(&["--node", "http://10.0.0.1:9000", "--output", "json", "-y", "account", &k(1).to_hex()]).unwrap();
    assert_eq!(cli.node, "http://10.0.0.1:9000");
    assert_eq!(cli.output, Output::Json);
    assert!(cli.yes);
    assert!(cli.cmd.op().is_none(), "a query is not a transaction");
    // Globals may follow the subcommand too.
    let cli = parse(&["block", "latest", "--output", "json", "--receipts"]).unwrap();
    assert!(matches!(
        cli.cmd,
        Command::Block(crate::cmd::queries::BlockArgs { at: Some(tamga_client::BlockAt::Latest), receipts: true, .. })
    ));
    assert!(parse(&["block", "tip"]).is_err());
    assert!(parse(&["tx", "nothex"]).is_err());
}

#[test]
fn show_or_operate_on_the_same_noun() {
    let cli = parse(&["party", "7"]).unwrap();
    assert!(matches!(&cli.cmd, Command::Party(a) if a.id == Some(PartyId(7)) && a.cmd.is_none()));
    assert!(cli.cmd.op().is_none());
    let cli = parse(&["record", "3"]).unwrap();
    assert!(matches!(&cli.cmd, Command::Record(a) if a.id == Some(RecordId(3))));
    assert!(parse(&["party", "x"]).is_err());
    // Neither an id nor a subcommand: help, as an error.
    assert!(parse(&["party"]).is_err());
    let cli = parse(&["params"]).unwrap();
    assert!(cli.cmd.op().is_none());
    let cli = parse(&["validators", "--height", "5"]).unwrap();
    assert!(cli.cmd.op().is_none());
}

/// One spelling per operation: the older top-level forms and hidden
/// aliases are usage errors, not silently different commands.
#[test]
fn only_the_current_spellings_parse() {
    let (a, b) = (k(1).to_hex(), k(2).to_hex());
    for line in [
        &["parties"][..],
        &["classes"],
        &["class", "1"],
        &["holders", "1"],
        &["mint", "1", &a, "5"],
        &["transfer", "1", &a, "5"],
        &["redeem", "1", "5"],
        &["freeze", "1", &a, "--legal-basis", "x"],
        &["unfreeze", "1", &a, "--legal-basis", "x"],
        &["forced-transfer", "1", &a, &b, "5", "--legal-basis", "x"],
        &["recover-account", &a, &b, "--legal-basis", "x"],
        &["escrows"],
        &["mining", "totals"],
        &["activity", "list"],
        &["keys", "generate", "--out", "a.key"],
        &["keys", "new", "--out", "a.key", "--insecure-plain"],
        &["regulator", "revoke-account", &a, "--reason", "death"],
        &["record", "issue", &a, "--kind", "goods", "--description", "x"],
        &["record", "issue", "--holder", &a, "--kind", "goods", "--description", "x"],
        &["record", "transfer", "5", &a],
        &["record", "release", "5", "2"],
        &["notify", "mining", "terminate", "--previous", "2", "--date", "2026-09-01"],
    ] {
        let e = parse(line).expect_err(&format!("{line:?} parses"));
        assert_eq!(e.exit_code(), 2, "{line:?}: {e}");
    }
}

#[test]
fn token_commands_scale_amounts_by_the_class_decimals() {
    let to = k(2).to_hex();
    assert_eq!(
        ok(&["token", "mint", "--class", "1", "--to", &to, "--amount", "12.5"], Some(2)),
        Payload::Mint { class: ClassId(1), to: k(2), amount: 1250 }
    );
    assert_eq!(
        ok(&["--base-units", "token", "transfer", "--class", "1", "--to", &to, "--amount", "1250"], None),
        Payload::Transfer { class: ClassId(1), to: k(2), amount: 1250 }
    );
    assert_eq!(
        ok(&["token", "redeem", "--class", "4", "--amount", "3", "--right", "1"], Some(0)),
        Payload::Redeem { class: ClassId(4), amount: 3, right: 1 }
    );
    // Edge cases reach the user as errors, never as a rounded amount.
    assert!(payload(&["token", "transfer", "--class", "1", "--to", &to, "--amount", "1.005"], Some(2))
        .unwrap_err()
        .contains("3 decimal places"));
    assert!(payload(&["token", "transfer", "--class", "1", "--to", &to, "--amount", "1.5"], None)
        .unwrap_err()
        .contains("only digits"));
    assert!(payload(&["token", "transfer", "--class", "1", "--to", &to, "--amount", "1e3"], Some(2))
        .unwrap_err()
        .contains("only digits"));
    assert!(payload(
        &["token", "transfer", "--class", "1", "--to", &to, "--amount", "340282366920938463463374607431768211456"],
        None
    )
    .unwrap_err()
    .contains("too large"));
    // A leading '-' is not an amount (clap sees an unknown flag).
    assert!(parse(&["token", "transfer", "--class", "1", "--to", &to, "--amount", "-5"]).is_err());
}

#[test]
fn amount_class_is_named_only_when_an_amount_is_given() {
    let h = k(3).to_hex();
    let cli = parse(&["token", "freeze", "--class", "9", "--holder", &h, "--legal-basis", "court"]).unwrap();
    assert_eq!(cli.cmd.op().unwrap().amount_class(), None);
    let cli =
        parse(&["token", "freeze", "--class", "9", "--holder", &h, "--amount", "1", "--legal-basis", "court"]).unwrap();
    assert_eq!(cli.cmd.op().unwrap().amount_class(), Some(ClassId(9)));
    let cli = parse(&["token", "mint", "--class", "5", "--to", &h, "--amount", "1"]).unwrap();
    assert_eq!(cli.cmd.op().unwrap().amount_class(), Some(ClassId(5)));
}

#[test]
fn freeze_unfreeze_forced_recover() {
    let (a, b) = (k(3).to_hex(), k(4).to_hex());
    assert_eq!(
        ok(&["token", "freeze", "--class", "9", "--holder", &a, "--legal-basis", "court order 1"], Some(0)),
        Payload::Freeze { class: ClassId(9), holder: k(3), amount: None, legal_basis: t("court order 1") }
    );
    assert_eq!(
        ok(
            &["token", "unfreeze", "--class", "9", "--holder", &a, "--amount", "0.5", "--legal-basis", "lifted"],
            Some(1)
        ),
        Payload::Unfreeze { class: ClassId(9), holder: k(3), amount: Some(5), legal_basis: t("lifted") }
    );
    assert_eq!(
        ok(
            &[
                "regulator",
                "forced-transfer",
                "--class",
                "2",
                "--from",
                &a,
                "--to",
                &b,
                "--amount",
                "7",
                "--legal-basis",
                "art. 105"
            ],
            Some(0)
        ),
        Payload::ForcedTransfer { class: ClassId(2), from: k(3), to: k(4), amount: 7, legal_basis: t("art. 105") }
    );
    assert_eq!(
        ok(&["regulator", "recover-account", "--from", &a, "--to", &b, "--legal-basis", "lost"], Some(0)),
        Payload::RecoverAccount { from: k(3), to: k(4), legal_basis: t("lost") }
    );
    assert!(
        parse(&["token", "freeze", "--class", "9", "--holder", &a]).is_err(),
        "legal basis is required (SPEC §1.10)"
    );
    let long = "x".repeat(1025);
    assert!(payload(&["token", "freeze", "--class", "9", "--holder", &a, "--legal-basis", &long], Some(0))
        .unwrap_err()
        .contains("at most 1024"));
}

#[test]
fn party_commands() {
    let (a, b) = (k(5).to_hex(), k(6).to_hex());
    let salt = "11".repeat(32);
    let p = ok(
        &[
            "party",
            "register",
            "--kind",
            "legal-entity",
            "--iin-bin",
            "123456789013",
            "--salt",
            &salt,
            "--name",
            "Qazaq LLP",
            "--account",
            &a,
            "--account",
            &format!("{b}:NCA RK:0042"),
        ],
        Some(0),
    );
    let expected_commitment = identifier_commitment(&[0x11; 32], "123456789013").unwrap();
    assert_eq!(
        p,
        Payload::RegisterParty {
            kind: PartyKind::LegalEntity,
            id_commitment: expected_commitment,
            display_name: Some(t("Qazaq LLP")),
            accounts: BoundedVec::new(vec![
                (k(5), None),
                (k(6), Some(CertificateRef { issuer: t("NCA RK"), serial: t("0042") }))
            ])
            .unwrap(),
        }
    );
    // The IIN/BIN check digit is verified before hashing (SPEC §3).
    let e = payload(
        &["party", "register", "--kind", "individual", "--iin-bin", "123456789011", "--salt", &salt, "--account", &a],
        Some(0),
    )
    .unwrap_err();
    assert!(e.contains("check digit"), "{e}");
    assert!(
        parse(&["party", "register", "--kind", "individual", "--iin-bin", "123456789013", "--account", &a]).is_err(),
        "--iin-bin requires --salt"
    );
    assert!(payload(&["party", "register", "--kind", "individual", "--account", &a], Some(0)).is_err());
    let e = parse(&["party", "register", "--kind", "company", "--id-commitment", &salt, "--account", &a]).unwrap_err();
    assert!(e.to_string().contains("legal-entity"), "the error lists the allowed values: {e}");
    assert_eq!(
        ok(&["party", "status", "4", "suspended", "--legal-basis", "order 7"], Some(0)),
        Payload::SetPartyStatus { party: PartyId(4), status: PartyStatus::Suspended, legal_basis: t("order 7") }
    );
    assert_eq!(
        ok(&["party", "add-account", "4", &a, "--cert", "NCA:1"], Some(0)),
        Payload::AddAccount {
            party: PartyId(4),
            key: k(5),
            certificate: Some(CertificateRef { issuer: t("NCA"), serial: t("1") })
        }
    );
    assert!(payload(&["party", "add-account", "4", &a, "--cert", "NCA"], Some(0)).is_err());
    assert_eq!(
        ok(&["party", "revoke-account", &a, "--reason", "court-decision"], Some(0)),
        Payload::RevokeAccount { key: k(5), reason: RevocationReason::CourtDecision }
    );
}

#[test]
fn class_commands() {
    let doc = "ab".repeat(32);
    let p = ok(
        &[
            "token",
            "create",
            "--symbol",
            "GOLD",
            "--name",
            "Gold gram",
            "--decimals",
            "3",
            "--cap",
            "1000.5",
            "--right",
            "goods:one gram of gold",
            "--right",
            "services:storage",
            "--document-hash",
            &doc,
            "--document-uri",
            "https://x/doc",
            "--redemption-terms",
            "at the vault",
        ],
        Some(0),
    );
    match p {
        Payload::CreateClass { decimals, supply_cap, rights, .. } => {
            assert_eq!(decimals, 3);
            assert_eq!(supply_cap, Some(1_000_500), "the cap is in the new class's decimals");
            assert_eq!(rights.len(), 2);
            assert_eq!(rights[1].kind, RightKind::Services);
        }
        other => panic!("{other:?}"),
    }
    let base = ok(
        &[
            "--base-units",
            "token",
            "create",
            "--symbol",
            "G",
            "--name",
            "G",
            "--decimals",
            "3",
            "--cap",
            "7",
            "--right",
            "goods:g",
            "--document-hash",
            &doc,
            "--document-uri",
            "u",
            "--redemption-terms",
            "r",
        ],
        None,
    );
    assert!(matches!(base, Payload::CreateClass { supply_cap: Some(7), .. }));
    let e = payload(
        &[
            "token",
            "create",
            "--symbol",
            "G",
            "--name",
            "G",
            "--decimals",
            "0",
            "--right",
            "shares of X",
            "--document-hash",
            &doc,
            "--document-uri",
            "u",
            "--redemption-terms",
            "r",
        ],
        Some(0),
    )
    .unwrap_err();
    assert!(e.contains("goods:DESCRIPTION"), "{e}");
    assert_eq!(
        ok(&["token", "pause", "3", "--legal-basis", "audit"], Some(0)),
        Payload::SetClassPaused { class: ClassId(3), paused: true, legal_basis: t("audit") }
    );
    assert!(matches!(
        ok(&["token", "unpause", "3", "--legal-basis", "ok"], Some(0)),
        Payload::SetClassPaused { paused: false, .. }
    ));
}

#[test]
fn record_commands() {
    let a = k(7).to_hex();
    let doc = "cd".repeat(32);
    assert_eq!(
        ok(
            &[
                "record",
                "issue",
                "--to",
                &a,
                "--kind",
                "raw-resource",
                "--description",
                "10 t copper",
                "--external-ref",
                "C-1",
                "--document-hash",
                &doc
            ],
            Some(0)
        ),
        Payload::IssueRecord {
            holder: k(7),
            object: RecordObject {
                kind: ObjectKind::RawResource,
                description: t("10 t copper"),
                external_ref: Some(t("C-1")),
                document_hash: Some(Hash::from_hex(&doc).unwrap()),
            }
        }
    );
    assert_eq!(
        ok(&["record", "transfer", "5", "--to", &a], Some(0)),
        Payload::TransferRecord { record: RecordId(5), to: k(7) }
    );
    assert_eq!(
        ok(&["record", "encumber", "5", "--kind", "pledge", "--beneficiary", &a, "--legal-basis", "loan 9"], Some(0)),
        Payload::Encumber {
            record: RecordId(5),
            kind: EncumbranceKind::Pledge,
            beneficiary: k(7),
            legal_basis: t("loan 9")
        }
    );
    assert_eq!(
        ok(&["record", "release", "5", "--encumbrance", "2"], Some(0)),
        Payload::Release { record: RecordId(5), encumbrance: EncumbranceId(2) }
    );
    assert_eq!(
        ok(&["record", "terminate", "5", "--reason", "object-lost"], Some(0)),
        Payload::TerminateRecord { record: RecordId(5), reason: TerminationReason::ObjectLost }
    );
}

#[test]
fn escrow_commands() {
    let (a, b) = (k(8).to_hex(), k(9).to_hex());
    let th = "ef".repeat(32);
    let cli = parse(&[
        "escrow",
        "create",
        "--payee",
        &a,
        "--arbiter",
        &b,
        "--class",
        "2",
        "--amount",
        "1.25",
        "--terms-hash",
        &th,
        "--deadline-height",
        "100",
    ])
    .unwrap();
    let op = cli.cmd.op().unwrap();
    assert_eq!(op.amount_class(), Some(ClassId(2)));
    assert_eq!(
        op.payload(Some(2)).unwrap(),
        Payload::CreateEscrow {
            payee: k(8),
            arbiter: k(9),
            asset: EscrowAsset::Tokens { class: ClassId(2), amount: 125 },
            terms_hash: Hash::from_hex(&th).unwrap(),
            deadline_height: 100,
        }
    );
    let p = ok(
        &[
            "escrow",
            "create",
            "--payee",
            &a,
            "--arbiter",
            &b,
            "--record",
            "4",
            "--terms-hash",
            &th,
            "--deadline-height",
            "9",
        ],
        Some(0),
    );
    assert!(matches!(p, Payload::CreateEscrow { asset: EscrowAsset::Record { record: RecordId(4) }, .. }));
    assert!(parse(&[
        "escrow",
        "create",
        "--payee",
        &a,
        "--arbiter",
        &b,
        "--class",
        "2",
        "--amount",
        "1",
        "--record",
        "4",
        "--terms-hash",
        &th,
        "--deadline-height",
        "9"
    ])
    .is_err());
    assert!(parse(&[
        "escrow",
        "create",
        "--payee",
        &a,
        "--arbiter",
        &b,
        "--terms-hash",
        &th,
        "--deadline-height",
        "9"
    ])
    .is_err());
    assert_eq!(ok(&["escrow", "release", "3"], Some(0)), Payload::ReleaseEscrow { escrow: EscrowId(3) });
    assert_eq!(ok(&["escrow", "refund", "3"], Some(0)), Payload::RefundEscrow { escrow: EscrowId(3) });
    assert_eq!(
        ok(&["escrow", "dispute", "3", "--reason", "late"], Some(0)),
        Payload::DisputeEscrow { escrow: EscrowId(3), reason: t("late") }
    );
    assert_eq!(
        ok(&["escrow", "resolve", "3", "--to", "payer", "--reason", "undelivered"], Some(0)),
        Payload::ResolveEscrow { escrow: EscrowId(3), to_payee: false, reason: t("undelivered") }
    );
    let cli = parse(&["escrow", "12"]).unwrap();
    assert!(cli.cmd.op().is_none());
}

#[test]
fn notification_commands() {
    let p = ok(
        &[
            "notify",
            "mining",
            "start",
            "--region",
            "almaty-city",
            "--address",
            "Abay 1",
            "--capacity-kw",
            "5000",
            "--units",
            "120",
            "--hashrate-ths",
            "9000",
            "--energy",
            "associated-gas",
            "--start-date",
            "2026-03-01",
        ],
        Some(0),
    );
    assert_eq!(
        p,
        Payload::SubmitMiningNotification {
            kind: MiningNotificationKind::Start,
            previous: None,
            site: MiningSite {
                region: Region::AlmatyCity,
                address: t("Abay 1"),
                capacity_kw: 5000,
                units: 120,
                hashrate_ths: 9000,
                energy: EnergySource::AssociatedGas,
                pool: None,
                start_date: Date { year: 2026, month: 3, day: 1 },
            }
        }
    );
    assert!(parse(&[
        "notify",
        "mining",
        "start",
        "--region",
        "mars",
        "--address",
        "a",
        "--capacity-kw",
        "1",
        "--units",
        "1",
        "--hashrate-ths",
        "1",
        "--energy",
        "grid",
        "--start-date",
        "2026-03-01"
    ])
    .is_err());
    assert!(parse(&[
        "notify",
        "mining",
        "start",
        "--region",
        "abai",
        "--address",
        "a",
        "--capacity-kw",
        "1",
        "--units",
        "1",
        "--hashrate-ths",
        "1",
        "--energy",
        "grid",
        "--start-date",
        "2026-02-30"
    ])
    .is_err());
    assert_eq!(
        ok(&["regulator", "accept-notification", "4"], Some(0)),
        Payload::ReviewMiningNotification { notification: MiningNotificationId(4), accept: true, reason: None }
    );
    assert!(parse(&["regulator", "reject-notification", "4"]).is_err(), "a rejection needs a reason");
    assert_eq!(
        ok(&["regulator", "reject-notification", "4", "--reason", "no permit"], Some(0)),
        Payload::ReviewMiningNotification {
            notification: MiningNotificationId(4),
            accept: false,
            reason: Some(t("no permit"))
        }
    );
    assert_eq!(
        ok(&["notify", "activity", "terminate", "--activity", "trading-organisation", "--date", "2026-12-31"], Some(0)),
        Payload::SubmitActivityNotification {
            activity: Activity::TradingOrganisation,
            phase: ActivityPhase::Termination,
            date: Date { year: 2026, month: 12, day: 31 }
        }
    );
    assert_eq!(
        ok(&["regulator", "reject-notification", "2", "--activity", "--reason", "incomplete"], Some(0)),
        Payload::ReviewActivityNotification {
            notification: ActivityNotificationId(2),
            accept: false,
            reason: Some(t("incomplete"))
        }
    );
    for q in [
        &["notify", "mining", "list", "--region", "pavlodar", "--status", "accepted"][..],
        &["notify", "mining", "totals"],
        &["notify", "activity", "list"],
    ] {
        let cli = parse(q).unwrap();
        assert!(cli.cmd.op().is_none(), "{q:?}");
    }
    assert!(parse(&["notify", "mining", "list", "--status", "approved"]).is_err());
}

#[test]
fn governance_commands() {
    let (a, b) = (k(10).to_hex(), k(11).to_hex());
    assert_eq!(
        ok(&["validators", "update", "--set", &format!("{a}:10:6"), "--set", &format!("{b}:0:6")], Some(0)),
        Payload::UpdateValidators {
            updates: BoundedVec::new(vec![
                ValidatorUpdate { key: k(10), power: 10, operator: PartyId(6) },
                ValidatorUpdate { key: k(11), power: 0, operator: PartyId(6) },
            ])
            .unwrap()
        }
    );
    assert!(payload(&["validators", "update", "--set", &format!("{a}:10")], Some(0)).is_err());
    assert!(payload(&["validators", "update", "--set", &format!("{a}:-1:6")], Some(0)).is_err());
    assert_eq!(
        ok(&["params", "set", "max-block-txs", "500"], Some(0)),
        Payload::SetParameter { change: ParameterChange::MaxBlockTxs(500) }
    );
    assert_eq!(
        ok(&["params", "set", "require-mining-notice", "true"], Some(0)),
        Payload::SetParameter { change: ParameterChange::RequireMiningNotice(true) }
    );
    assert_eq!(
        ok(&["params", "set", "validator-change-delay", "3"], Some(0)),
        Payload::SetParameter { change: ParameterChange::ValidatorChangeDelay(3) }
    );
    assert!(payload(&["params", "set", "max-block-txs", "5000000000"], Some(0)).unwrap_err().contains("u32"));
    assert!(payload(&["params", "set", "require-mining-notice", "yes"], Some(0)).is_err());
    assert!(parse(&["params", "set", "block-size", "1"]).is_err());
}

#[test]
fn summary_shows_what_is_signed() {
    let key = SigningKey::from_seed([1; 32]);
    let p = Payload::Transfer { class: ClassId(1), to: k(2), amount: 1250 };
    let tx = tamga_client::sign_payload(&key, "tamga-dev", 4, p, Some("invoice 17")).unwrap();
    let s = crate::output::summary(&tx, Some(2)).unwrap();
    for needle in [
        "\"operation\": \"transfer\"",
        "\"amount\": 1250",
        "\"nonce\": 4",
        "\"chain_id\": \"tamga-dev\"",
        "invoice 17",
        &key.public().to_hex(),
        &tx.hash().to_hex(),
    ] {
        assert!(s.contains(needle), "{needle} missing in {s}");
    }
}

#[test]
fn summary_keeps_u128_amounts_exact() {
    // serde_json::Value cannot hold this; the summary must not go through it.
    let key = SigningKey::from_seed([1; 32]);
    let p = Payload::Mint { class: ClassId(1), to: k(2), amount: u128::MAX };
    let tx = tamga_client::sign_payload(&key, "tamga-dev", 0, p, None).unwrap();
    let s = crate::output::summary(&tx, None).unwrap();
    assert!(s.contains(&format!("\"amount\": {}", u128::MAX)), "{s}");
}

// ---- the stable command contract (operators script against these lines) ----

const NODE: &str = "http://127.0.0.1:8080";

fn json_cli(args: &[&str]) -> Cli {
    parse(args).unwrap_or_else(|e| panic!("{args:?}: {e}")).normalised()
}

/// Parses, checks the global flags every contract line relies on, builds the payload.
fn contract_tx(args: &[&str], decimals: Option<u8>) -> Payload {
    let cli = json_cli(args);
    assert_eq!(cli.node, NODE, "{args:?}");
    assert!(cli.yes, "{args:?}");
    assert_eq!(cli.key.as_deref(), Some(std::path::Path::new("k.key")), "{args:?}");
    let op = cli.cmd.op().unwrap_or_else(|| panic!("{args:?} is not a transaction"));
    op.payload(decimals).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

#[test]
fn contract_keys_show() {
    let cli = json_cli(&["keys", "show", "--key", "k.key", "--json"]);
    assert_eq!(cli.output, Output::Json);
    assert_eq!(cli.key.as_deref(), Some(std::path::Path::new("k.key")));
    assert!(matches!(cli.cmd, Command::Keys(crate::cmd::keys::KeysCmd::Show { file: None, verify: false })));
    for line in [
        &["keys", "new", "alice", "--dir", "/tmp/k"][..],
        &["keys", "new", "--out", "a.key", "--plain"],
        &["keys", "list"],
        &["keys", "list", "--dir", "/tmp/k"],
        &["keys", "import", "bob", "--seed-file", "s.key"],
        &["keys", "show", "a.key", "--verify", "--passphrase-file", "p.txt"],
    ] {
        assert!(matches!(json_cli(line).cmd, Command::Keys(_)), "{line:?}");
    }
}

#[test]
fn contract_queries() {
    let cli = json_cli(&["--node", NODE, "status", "--json"]);
    assert!(matches!(cli.cmd, Command::Status) && cli.output == Output::Json && cli.node == NODE);
    // --json before the subcommand too.
    assert_eq!(json_cli(&["--json", "--node", NODE, "status"]).output, Output::Json);
    assert_eq!(json_cli(&["--output", "json", "status"]).output, Output::Json);
    let cli = json_cli(&["--node", NODE, "block", "show", "7", "--json"]);
    assert!(matches!(
        cli.cmd,
        Command::Block(crate::cmd::queries::BlockArgs {
            cmd: Some(crate::cmd::queries::BlockCmd::Show { at: tamga_client::BlockAt::Height(7), receipts: false }),
            ..
        })
    ));
    assert!(json_cli(&["block", "show", "latest"]).output == Output::Text);
    let cli = json_cli(&["--node", NODE, "token", "list", "--json"]);
    assert!(matches!(cli.cmd, Command::Token(crate::cmd::tokens::TokenCmd::List { issuer: None })));
    let a = k(1).to_hex();
    let cli = json_cli(&["--node", NODE, "balance", &a, "--json"]);
    assert!(matches!(cli.cmd, Command::Balance { account: Some(x) } if x == k(1)));
    let cli = json_cli(&["--node", NODE, "record", "show", "12", "--json"]);
    assert!(matches!(
        &cli.cmd,
        Command::Record(r) if matches!(r.cmd, Some(crate::cmd::records::RecordCmd::Show { id: RecordId(12) }))
    ));
    let cli = json_cli(&[
        "--node", NODE, "notify", "mining", "list", "--status", "accepted", "--region", "pavlodar", "--json",
    ]);
    match &cli.cmd {
        Command::Notify(crate::cmd::notify::NotifyCmd::Mining(crate::cmd::notify::NotifyMiningCmd::List(l))) => {
            assert_eq!(l.status.as_deref(), Some("accepted"));
            assert_eq!(l.region, Some(Region::Pavlodar));
        }
        other => panic!("{other:?}"),
    }
    assert!(json_cli(&["notify", "mining", "list"]).output == Output::Text);
    for line in [
        &["tx", "status", &"ab".repeat(32)][..],
        &["receipt", &"ab".repeat(32)],
        &["tx", &"ab".repeat(32)],
        &["party", "list"],
        &["party", "show", "3"],
        &["token", "show", "1"],
        &["token", "holders", "1"],
        &["record", "list", "--holder", &a],
        &["escrow", "list"],
        &["escrow", "show", "2"],
        &["notify", "mining", "show", "1"],
        &["notify", "mining", "totals"],
        &["notify", "activity", "list", "--party", "2"],
        &["validators"],
        &["params"],
        &["evidence"],
        &["chain"],
        &["account", &a],
    ] {
        let cli = json_cli(line);
        assert!(cli.cmd.op().is_none(), "{line:?} is a query");
    }
}

#[test]
fn contract_token_mint_and_transfer() {
    let to = k(2).to_hex();
    // The devnet's DEVGRAIN has 3 decimals: `--amount 100` is 100 whole tokens.
    assert_eq!(
        contract_tx(
            &[
                "--node", NODE, "--key", "k.key", "--yes", "token", "mint", "--class", "1", "--to", &to, "--amount",
                "100"
            ],
            Some(3)
        ),
        Payload::Mint { class: ClassId(1), to: k(2), amount: 100_000 }
    );
    assert_eq!(
        contract_tx(
            &[
                "--node", NODE, "--key", "k.key", "--yes", "token", "transfer", "--class", "1", "--to", &to,
                "--amount", "2.5"
            ],
            Some(3)
        ),
        Payload::Transfer { class: ClassId(1), to: k(2), amount: 2_500 }
    );
    // --base-units: the integer is the stored amount.
    assert_eq!(
        contract_tx(
            &[
                "--node",
                NODE,
                "--key",
                "k.key",
                "--yes",
                "--base-units",
                "token",
                "transfer",
                "--class",
                "1",
                "--to",
                &to,
                "--amount",
                "7"
            ],
            None
        ),
        Payload::Transfer { class: ClassId(1), to: k(2), amount: 7 }
    );
    let cli = json_cli(&["token", "mint", "--class", "4", "--to", &to, "--amount", "1"]);
    assert_eq!(cli.cmd.op().unwrap().amount_class(), Some(ClassId(4)), "the class's decimals are fetched");
    // Global flags after the subcommand.
    let cli = json_cli(&[
        "token", "transfer", "--class", "1", "--to", &to, "--amount", "1", "--node", NODE, "--key", "k.key", "--yes",
        "--json",
    ]);
    assert!(cli.yes && cli.node == NODE && cli.output == Output::Json && cli.key.is_some());
    // Bad arguments name what is wrong.
    let e = parse(&["token", "mint", "--class", "1", "--to", "nothex", "--amount", "1"]).unwrap_err().to_string();
    assert!(e.contains("--to"), "{e}");
    let e = parse(&["token", "mint", "--class", "1", "--to", &to]).unwrap_err().to_string();
    assert!(e.contains("--amount"), "{e}");
}

#[test]
fn contract_records() {
    let a = k(7).to_hex();
    fn line<'s>(rest: &[&'s str]) -> Vec<&'s str> {
        ["--node", NODE, "--key", "k.key", "--yes"].into_iter().chain(rest.iter().copied()).collect()
    }
    assert_eq!(
        contract_tx(
            &line(&["record", "issue", "--to", &a, "--kind", "goods", "--description", "10 t wheat", "--json"]),
            Some(0)
        ),
        Payload::IssueRecord {
            holder: k(7),
            object: RecordObject {
                kind: ObjectKind::Goods,
                description: t("10 t wheat"),
                external_ref: None,
                document_hash: None
            }
        }
    );
    assert_eq!(
        contract_tx(&line(&["record", "encumber", "5", "--kind", "pledge", "--beneficiary", &a]), Some(0)),
        Payload::Encumber {
            record: RecordId(5),
            kind: EncumbranceKind::Pledge,
            beneficiary: k(7),
            legal_basis: t("pledge granted by the holder")
        }
    );
    assert_eq!(
        contract_tx(&line(&["record", "release", "5", "--encumbrance", "2"]), Some(0)),
        Payload::Release { record: RecordId(5), encumbrance: EncumbranceId(2) }
    );
    assert_eq!(
        contract_tx(&line(&["record", "transfer", "5", "--to", &a]), Some(0)),
        Payload::TransferRecord { record: RecordId(5), to: k(7) }
    );
    // An arrest is the regulator's, with a legal basis.
    assert!(payload(&["record", "encumber", "5", "--kind", "arrest", "--beneficiary", &a], Some(0))
        .unwrap_err()
        .contains("legal-basis"));
    assert!(parse(&["record", "release", "5"]).is_err(), "the encumbrance is required");
    assert!(parse(&["record", "issue", "--kind", "goods", "--description", "x"]).is_err(), "the holder is required");
}

#[test]
fn contract_notifications() {
    let pre = ["--node", NODE, "--key", "k.key", "--yes"];
    let start = [
        "notify",
        "mining",
        "start",
        "--region",
        "pavlodar",
        "--address",
        "Ekibastuz 1",
        "--capacity-kw",
        "5000",
        "--units",
        "120",
        "--hashrate-ths",
        "9000",
        "--energy",
        "grid",
        "--start-date",
        "2026-03-01",
        "--json",
    ];
    let args: Vec<&str> = pre.iter().chain(start.iter()).copied().collect();
    let site = MiningSite {
        region: Region::Pavlodar,
        address: t("Ekibastuz 1"),
        capacity_kw: 5000,
        units: 120,
        hashrate_ths: 9000,
        energy: EnergySource::Grid,
        pool: None,
        start_date: Date { year: 2026, month: 3, day: 1 },
    };
    assert_eq!(
        contract_tx(&args, Some(0)),
        Payload::SubmitMiningNotification { kind: MiningNotificationKind::Start, previous: None, site: site.clone() }
    );
    assert_eq!(
        contract_tx(&["--node", NODE, "--key", "k.key", "--yes", "regulator", "accept-notification", "3"], Some(0)),
        Payload::ReviewMiningNotification { notification: MiningNotificationId(3), accept: true, reason: None }
    );
    assert_eq!(
        ok(&["regulator", "accept-notification", "3", "--activity"], Some(0)),
        Payload::ReviewActivityNotification { notification: ActivityNotificationId(3), accept: true, reason: None }
    );
    assert_eq!(
        ok(&["regulator", "reject-notification", "4", "--reason", "no permit"], Some(0)),
        Payload::ReviewMiningNotification {
            notification: MiningNotificationId(4),
            accept: false,
            reason: Some(t("no permit"))
        }
    );
    assert!(parse(&["regulator", "reject-notification", "4"]).is_err(), "a rejection needs a reason");
    // A change keeps the previous notification's fields it does not name.
    let cli = json_cli(&["notify", "mining", "change", "--previous", "1", "--units", "150"]);
    let op = cli.cmd.op().unwrap();
    assert_eq!(op.previous_mining(), Some(MiningNotificationId(1)));
    let ctx = crate::cmd::Ctx { decimals: Some(0), signer: None, previous_site: Some(&site) };
    assert_eq!(
        op.payload_with(&ctx).unwrap(),
        Payload::SubmitMiningNotification {
            kind: MiningNotificationKind::Change,
            previous: Some(MiningNotificationId(1)),
            site: MiningSite { units: 150, ..site.clone() }
        }
    );
    assert!(op.payload(Some(0)).unwrap_err().contains("--region"), "without the previous site, fields are needed");
    let cli = json_cli(&["notify", "mining", "terminate", "--previous", "2", "--start-date", "2026-09-01"]);
    assert!(matches!(
        cli.cmd.op().unwrap().payload_with(&ctx).unwrap(),
        Payload::SubmitMiningNotification {
            kind: MiningNotificationKind::Termination,
            previous: Some(MiningNotificationId(2)),
            ..
        }
    ));
    assert_eq!(
        ok(&["notify", "activity", "start", "--activity", "issuance", "--date", "2026-01-02"], Some(0)),
        Payload::SubmitActivityNotification {
            activity: Activity::Issuance,
            phase: ActivityPhase::Start,
            date: Date { year: 2026, month: 1, day: 2 }
        }
    );
    assert!(matches!(
        ok(&["notify", "activity", "terminate", "--activity", "exchange", "--date", "2026-01-02"], Some(0)),
        Payload::SubmitActivityNotification { phase: ActivityPhase::Termination, .. }
    ));
}

#[test]
fn regulator_maps_every_regulator_payload() {
    let (a, b) = (k(3).to_hex(), k(4).to_hex());
    let salt = "11".repeat(32);
    let set = format!("{a}:10:2");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![
                "regulator",
                "register-party",
                "--kind",
                "individual",
                "--iin-bin",
                "123456789013",
                "--salt",
                &salt,
                "--account",
                &a,
            ],
            "register_party",
        ),
        (vec!["regulator", "set-party-status", "4", "suspended", "--legal-basis", "order 1"], "set_party_status"),
        (vec!["regulator", "add-account", "4", &a, "--cert", "NCA:7"], "add_account"),
        (vec!["regulator", "revoke-key", &a, "--reason", "court-decision"], "revoke_account"),
        (vec!["regulator", "freeze", "--class", "1", "--holder", &a, "--legal-basis", "court"], "freeze"),
        (
            vec!["regulator", "unfreeze", "--class", "1", "--holder", &a, "--amount", "2", "--legal-basis", "ok"],
            "unfreeze",
        ),
        (vec!["regulator", "pause-class", "1", "--legal-basis", "audit"], "set_class_paused"),
        (vec!["regulator", "unpause-class", "1", "--legal-basis", "done"], "set_class_paused"),
        (
            vec![
                "regulator",
                "forced-transfer",
                "--class",
                "1",
                "--from",
                &a,
                "--to",
                &b,
                "--amount",
                "3",
                "--legal-basis",
                "court",
            ],
            "forced_transfer",
        ),
        (vec!["regulator", "recover-account", "--from", &a, "--to", &b, "--legal-basis", "lost"], "recover_account"),
        (vec!["regulator", "arrest", "9", "--beneficiary", &a, "--legal-basis", "court 5"], "encumber"),
        (vec!["regulator", "release-arrest", "9", "--encumbrance", "1"], "release"),
        (vec!["regulator", "update-validators", "--set", &set], "update_validators"),
        (vec!["regulator", "add-validator", &a, "--power", "10", "--operator", "2"], "update_validators"),
        (vec!["regulator", "remove-validator", &a, "--operator", "2"], "update_validators"),
        (vec!["regulator", "set-param", "max-block-txs", "500"], "set_parameter"),
        (vec!["regulator", "accept-notification", "1"], "review_mining_notification"),
        (vec!["regulator", "reject-notification", "1", "--activity", "--reason", "r"], "review_activity_notification"),
    ];
    for (line, kind) in &cases {
        let p = ok(line, Some(0));
        assert_eq!(p.kind_name(), *kind, "{line:?}");
    }
    assert!(matches!(
        ok(&["regulator", "remove-validator", &a, "--operator", "2"], Some(0)),
        Payload::UpdateValidators { updates } if updates[0].power == 0
    ));
    assert!(parse(&["regulator", "add-validator", &a, "--power", "0", "--operator", "2"]).is_err());
    // An arrest names the regulator's own account unless told otherwise.
    let cli = json_cli(&["regulator", "arrest", "9", "--legal-basis", "court 5"]);
    let op = cli.cmd.op().unwrap();
    assert!(op.payload(Some(0)).is_err());
    let ctx = crate::cmd::Ctx { decimals: Some(0), signer: Some(k(9)), previous_site: None };
    assert!(matches!(
        op.payload_with(&ctx).unwrap(),
        Payload::Encumber { kind: EncumbranceKind::Arrest, beneficiary, .. } if beneficiary == k(9)
    ));
    // Every regulator payload kind is reachable from `regulator`.
    let kinds: std::collections::BTreeSet<&str> = cases.iter().map(|(_, k)| *k).collect();
    for k in [
        "register_party",
        "set_party_status",
        "add_account",
        "revoke_account",
        "freeze",
        "unfreeze",
        "set_class_paused",
        "forced_transfer",
        "recover_account",
        "encumber",
        "release",
        "review_mining_notification",
        "review_activity_notification",
        "update_validators",
        "set_parameter",
    ] {
        assert!(kinds.contains(k), "{k}");
    }
}

#[test]
fn token_escrow_and_party_groups() {
    let (a, b) = (k(3).to_hex(), k(4).to_hex());
    assert!(matches!(
        ok(&["token", "redeem", "--class", "2", "--amount", "1.5", "--right", "0"], Some(1)),
        Payload::Redeem { class: ClassId(2), amount: 15, right: 0 }
    ));
    assert!(matches!(
        ok(&["token", "freeze", "--class", "2", "--holder", &a, "--legal-basis", "x"], Some(0)),
        Payload::Freeze { amount: None, .. }
    ));
    assert!(matches!(
        ok(&["token", "pause", "2", "--legal-basis", "x"], Some(0)),
        Payload::SetClassPaused { paused: true, .. }
    ));
    assert!(matches!(
        ok(
            &[
                "token",
                "create",
                "--symbol",
                "G",
                "--name",
                "G",
                "--decimals",
                "2",
                "--cap",
                "10",
                "--right",
                "goods:g",
                "--document-hash",
                &"ab".repeat(32),
                "--document-uri",
                "u",
                "--redemption-terms",
                "r"
            ],
            Some(0)
        ),
        Payload::CreateClass { supply_cap: Some(1000), .. }
    ));
    assert!(matches!(
        ok(
            &[
                "escrow",
                "create",
                "--payee",
                &a,
                "--arbiter",
                &b,
                "--record",
                "3",
                "--terms-hash",
                &"cd".repeat(32),
                "--deadline-height",
                "50"
            ],
            Some(0)
        ),
        Payload::CreateEscrow { .. }
    ));
    assert!(matches!(
        ok(&["party", "revoke-account", &a, "--reason", "death"], Some(0)),
        Payload::RevokeAccount { .. }
    ));
}

#[test]
fn every_command_and_argument_has_help() {
    fn walk(cmd: &clap::Command, path: &str) {
        let globals: Vec<String> =
            Cli::command().get_arguments().filter(|a| a.is_global_set()).map(|a| a.get_id().to_string()).collect();
        for a in cmd.get_arguments() {
            let id = a.get_id().as_str();
            // A subcommand's own `key` would shadow the global --key (a runtime panic in clap).
            assert!(
                path == "tamga" || !globals.iter().any(|g| g == id),
                "{path}: argument {id} clashes with a global flag"
            );
            // One spelling per argument: no hidden arguments, no aliases.
            assert!(!a.is_hide_set() && a.get_all_aliases().is_none(), "{path}: {id} is hidden or aliased");
            if id == "help" || id == "version" {
                continue;
            }
            assert!(a.get_help().is_some(), "{path} {id} has no help");
        }
        for sub in cmd.get_subcommands() {
            let p = format!("{path} {}", sub.get_name());
            assert!(!sub.is_hide_set() && sub.get_all_aliases().next().is_none(), "{p} is hidden or aliased");
            assert!(sub.get_about().is_some(), "{p} has no help");
            walk(sub, &p);
        }
    }
    walk(&Cli::command(), "tamga");
    // The amount semantics are documented where they are used.
    let mut cmd = Cli::command();
    let help = cmd
        .find_subcommand_mut("token")
        .and_then(|t| t.find_subcommand_mut("mint"))
        .map(|m| m.render_long_help().to_string())
        .unwrap();
    assert!(help.contains("5000 base units") && help.contains("--base-units"), "{help}");
}

// ---- JSON shapes ----

fn has_all(v: &serde_json::Value, fields: &[&str]) {
    for f in fields {
        assert!(v.get(f).is_some(), "{f} missing in {v}");
    }
}

fn to_json<T: serde::Serialize>(v: &T) -> serde_json::Value {
    serde_json::from_str(&serde_json::to_string(v).unwrap()).unwrap()
}

#[test]
fn json_status_and_block() {
    let s = tamga_types::views::NodeStatus {
        chain_id: "tamga-devnet".into(),
        genesis_hash: Hash([1; 32]),
        node_key: k(1),
        peer_id: "p".into(),
        validator: true,
        height: 42,
        last_block_hash: Hash([2; 32]),
        last_block_time_ms: 5,
        state_root: Hash([3; 32]),
        consensus_height: 43,
        consensus_round: 0,
        syncing: false,
        peers: 3,
        mempool_txs: 0,
        version: "0.1.0".into(),
    };
    let v = to_json(&crate::output::status_json(&s));
    has_all(&v, &["chain_id", "height", "block_hash", "state_root"]);
    assert_eq!(v["block_hash"], Hash([2; 32]).to_hex());
    assert_eq!(v["height"], 42);

    let key = SigningKey::from_seed([1; 32]);
    let tx = tamga_client::sign_payload(&key, "c", 0, Payload::ReleaseEscrow { escrow: EscrowId(1) }, None).unwrap();
    let txs = vec![tx.clone()];
    let header = BlockHeader {
        chain_id: ChainId::new("c").unwrap(),
        height: 9,
        round: 1,
        time_ms: 1000,
        parent_hash: Hash([4; 32]),
        proposer: k(1),
        tx_root: Block::compute_tx_root(&txs),
        evidence_root: Hash::ZERO,
        state_root: Hash([5; 32]),
        receipts_root: Hash([6; 32]),
        validators_hash: Hash([6; 32]),
        next_validators_hash: Hash([6; 32]),
    };
    let block = Block { header, txs: BoundedVec::new(txs).unwrap(), evidence: BoundedVec::new(vec![]).unwrap() };
    let cb = CertifiedBlock {
        certificate: Certificate {
            data: VoteData { kind: VoteKind::Precommit, height: 9, round: 1, block_hash: block.hash() },
            signatures: BoundedVec::new(vec![]).unwrap(),
        },
        block,
    };
    let v = to_json(&crate::output::BlockOut::of(&cb));
    has_all(&v, &["height", "hash", "state_root", "tx_count"]);
    assert_eq!(v["height"], 9);
    assert_eq!(v["hash"], cb.block.hash().to_hex());
    assert_eq!(v["state_root"], Hash([5; 32]).to_hex());
    assert_eq!(v["tx_count"], 1);
    assert_eq!(v["txs"][0], tx.hash().to_hex());
}

#[test]
fn json_tokens_balances_records_notifications() {
    let class = tamga_types::model::ClassState {
        id: ClassId(1),
        issuer: PartyId(3),
        symbol: "DEVGRAIN".into(),
        name: "Dev grain".into(),
        decimals: 3,
        supply_cap: None,
        supply: u128::MAX,
        rights: vec![],
        document_hash: Hash([1; 32]),
        document_uri: "u".into(),
        redemption_terms: "r".into(),
        status: ClassStatus::Active,
        created_height: 1,
    };
    let s = serde_json::to_string(&vec![class]).unwrap();
    assert!(s.contains(&format!("\"supply\":{}", u128::MAX)), "u128 stays exact: {s}");
    let v = to_json(&vec![tamga_types::model::ClassState {
        supply: 5,
        ..serde_json::from_str::<Vec<_>>(&s).unwrap().remove(0)
    }]);
    has_all(&v[0], &["id", "symbol", "issuer", "supply", "decimals"]);
    assert_eq!((v[0]["id"].clone(), v[0]["issuer"].clone()), (serde_json::json!(1), serde_json::json!(3)));

    let b = tamga_types::views::BalanceView {
        class: ClassId(1),
        symbol: "DEVGRAIN".into(),
        decimals: 3,
        amount: 1_000_000,
        frozen: 0,
        free: 1_000_000,
    };
    let v = to_json(&vec![b]);
    assert!(v.is_array());
    has_all(&v[0], &["class", "amount", "frozen", "free", "symbol", "decimals"]);
    assert_eq!(v[0]["amount"], 1_000_000);

    let record = tamga_types::model::RecordState {
        id: RecordId(5),
        certifier: PartyId(3),
        holder_party: PartyId(6),
        holder: k(6),
        object: RecordObject {
            kind: ObjectKind::Goods,
            description: t("wheat"),
            external_ref: None,
            document_hash: None,
        },
        status: tamga_types::model::RecordStatus::Active,
        encumbrances: vec![tamga_types::model::Encumbrance {
            id: EncumbranceId(2),
            kind: EncumbranceKind::Pledge,
            beneficiary: PartyId(7),
            legal_basis: "loan".into(),
            created_height: 3,
            imposed_by: PartyId(6),
        }],
        escrow: None,
        created_height: 2,
        history_len: 1,
    };
    let view = tamga_types::views::RecordView {
        record: record.clone(),
        history: vec![tamga_types::model::HistoryEntry {
            height: 2,
            time_ms: 9,
            tx_hash: Hash([8; 32]),
            signer: k(3),
            event: "record_issued".into(),
            details: vec![("certifier".into(), "3".into()), ("holder".into(), k(6).to_hex())],
        }],
    };
    let v = crate::output::record_json(&view).unwrap();
    has_all(&v, &["id", "holder", "status", "encumbrances", "history"]);
    assert_eq!(v["id"], 5);
    assert_eq!(v["holder"], k(6).to_hex());
    assert_eq!(v["status"], "active");
    assert_eq!(v["encumbrances"][0]["id"], 2);
    assert_eq!(v["history"][0]["event"], "record_issued");
    assert_eq!(v["history"][0]["details"]["certifier"], "3");
    let terminated = tamga_types::views::RecordView {
        record: tamga_types::model::RecordState {
            status: tamga_types::model::RecordStatus::Terminated { reason: TerminationReason::Redeemed, height: 8 },
            ..record
        },
        history: vec![],
    };
    let v = crate::output::record_json(&terminated).unwrap();
    assert_eq!(v["status"], "terminated");
    assert_eq!(v["termination"]["reason"], "redeemed");

    let n = tamga_types::model::MiningNotification {
        id: MiningNotificationId(1),
        miner: PartyId(4),
        kind: MiningNotificationKind::Start,
        previous: None,
        superseded_by: None,
        version: 1,
        site: MiningSite {
            region: Region::Pavlodar,
            address: t("a"),
            capacity_kw: 1,
            units: 1,
            hashrate_ths: 1,
            energy: EnergySource::Grid,
            pool: None,
            start_date: Date { year: 2026, month: 1, day: 1 },
        },
        status: tamga_types::model::ReviewStatus::Accepted { by: PartyId(1), height: 3 },
        closed: false,
        submitted_height: 2,
        submitted_time_ms: 1,
    };
    let v = crate::output::notification_json(&n).unwrap();
    has_all(&v, &["id", "miner", "kind", "site", "status", "review"]);
    assert_eq!(v["status"], "accepted");
    assert_eq!(v["review"]["by"], 1);
}

fn receipt_view(outcome: TxOutcome, events: Vec<Event>) -> tamga_types::views::TxView {
    let key = SigningKey::from_seed([1; 32]);
    let p = Payload::IssueRecord {
        holder: k(2),
        object: RecordObject { kind: ObjectKind::Goods, description: t("x"), external_ref: None, document_hash: None },
    };
    let tx = tamga_client::sign_payload(&key, "tamga-devnet", 3, p, None).unwrap();
    let receipt = Receipt { tx_hash: tx.hash(), height: 11, index: 0, block_time_ms: 7, outcome, events };
    tamga_types::views::TxView { tx, receipt }
}

#[test]
fn json_receipt_names_created_ids() {
    let ev =
        |kind: &str, attrs: &[(&'static str, &str)]| Event::new(kind, attrs.iter().map(|(k, v)| (*k, v.to_string())));
    let view = receipt_view(
        TxOutcome::Success,
        vec![ev("record_issued", &[("record", "17"), ("certifier", "3"), ("holder", "h")])],
    );
    let v = to_json(&crate::output::ReceiptOut::of(&view));
    has_all(&v, &["tx_hash", "height", "status", "events", "record_id", "operation", "signer", "nonce"]);
    assert_eq!(v["status"], "success");
    assert_eq!(v["record_id"], 17);
    assert_eq!(v["height"], 11);
    assert_eq!(v["tx_hash"], view.receipt.tx_hash.to_hex());
    assert_eq!(v["events"][0]["kind"], "record_issued");
    assert_eq!(v["events"][0]["attributes"]["record"], "17");
    assert!(v.get("code").is_none());
    let ids = crate::output::created_ids(&[
        ev("mining_notification_submitted", &[("notification", "4"), ("miner", "2"), ("kind", "Start")]),
        ev("class_created", &[("class", "2"), ("symbol", "G"), ("issuer", "3")]),
        ev("escrow_created", &[("escrow", "6"), ("payer", "a"), ("payee", "b")]),
        ev("record_encumbered", &[("record", "1"), ("encumbrance", "9")]),
        ev("party_registered", &[("party", "8"), ("by", "1")]),
        ev("transfer", &[("class", "1")]),
    ]);
    let expected: Vec<(&str, u64)> =
        vec![("class_id", 2), ("encumbrance_id", 9), ("escrow_id", 6), ("notification_id", 4), ("party_id", 8)];
    assert_eq!(ids.into_iter().collect::<Vec<_>>(), expected);

    let failed =
        receipt_view(TxOutcome::Failed { code: "NOT_ISSUER".into(), message: "party 6 is not".into() }, vec![]);
    let v = to_json(&crate::output::ReceiptOut::of(&failed));
    assert_eq!(v["status"], "failed");
    assert_eq!(v["code"], "NOT_ISSUER");
    assert_eq!(v["message"], "party 6 is not");
}

// ---- exit codes and errors ----

#[test]
fn exit_codes_and_error_objects() {
    use std::process::ExitCode;
    let p = crate::output::Printer::new(Output::Json);
    let ok_view = receipt_view(TxOutcome::Success, vec![]);
    assert_eq!(crate::print_receipt(&p, &ok_view).unwrap(), ExitCode::SUCCESS);
    let failed = receipt_view(TxOutcome::Failed { code: "X".into(), message: "m".into() }, vec![]);
    assert_eq!(crate::print_receipt(&p, &failed).unwrap(), ExitCode::from(3));

    let api = tamga_client::ApiError {
        status: 409,
        code: "STALE_NONCE".into(),
        message: "nonce 3 is spent".into(),
        field: Some("nonce".into()),
    };
    let e: anyhow::Error = tamga_client::ClientError::Api(api).into();
    let e = e.context("the node refused the transaction");
    let (code, exit, extra) = crate::classify(&e);
    assert_eq!((code.as_str(), exit), ("STALE_NONCE", 4));
    let v = crate::output::error_json(&code, &format!("{e:#}"), &extra);
    assert_eq!(v["code"], "STALE_NONCE");
    assert!(v["message"].as_str().unwrap().contains("nonce 3 is spent"), "{v}");
    assert_eq!(v["http_status"], 409);
    assert_eq!(v["field"], "nonce");

    let t: anyhow::Error = tamga_client::ClientError::Timeout {
        hash: Hash::ZERO,
        waited: std::time::Duration::from_secs(1),
        last_seen: "pending",
    }
    .into();
    assert_eq!(crate::classify(&t).1, 5);
    let kf: anyhow::Error = tamga_client::keyfile::KeyFileError::WrongPassphrase { path: "a.key".into() }.into();
    assert_eq!(crate::classify(&kf), ("WRONG_PASSPHRASE".to_string(), 1, vec![]));
    assert_eq!(crate::classify(&anyhow::anyhow!("x")).1, 1);
    // Usage errors are clap's exit status 2.
    assert_eq!(parse(&["token", "mint"]).unwrap_err().exit_code(), 2);
}

// ---- key files through the CLI's paths ----

#[test]
fn key_files_plain_encrypted_listed() {
    use tamga_client::keyfile::*;
    let dir = std::env::temp_dir().join(format!("tamga-cli-keys-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let plain = SigningKey::from_seed([0x11; 32]);
    let sealed = SigningKey::from_seed([0x22; 32]);
    // The devnet's format: 64 hex characters and a newline.
    std::fs::write(dir.join("user-0000.key"), format!("{}\n", "11".repeat(32))).unwrap();
    write_encrypted_key_file(&dir.join("alice.key"), &sealed, b"pw", KdfParams::with_costs(64, 1, 1)).unwrap();
    std::fs::write(dir.join("junk.key"), "not a key").unwrap();
    std::fs::write(dir.join("notes.txt"), "ignored").unwrap();
    let listed = crate::keys::list(&dir).unwrap();
    let v = to_json(&listed);
    assert_eq!(v.as_array().unwrap().len(), 3, "{v}");
    assert_eq!(v[0]["address"], sealed.public().to_hex());
    assert_eq!(v[0]["format"], "encrypted");
    assert!(v[1]["error"].as_str().unwrap().contains("not a key file"));
    assert_eq!(v[2]["address"], plain.public().to_hex());
    assert_eq!(v[2]["format"], "plain");

    // Plain files read without a passphrase; encrypted ones with the right one only.
    let never = || -> Result<zeroize::Zeroizing<String>, String> { panic!("a plain file needs no passphrase") };
    assert_eq!(read_key_file_with(&dir.join("user-0000.key"), never).unwrap().public(), plain.public());
    let good = || Ok(zeroize::Zeroizing::new("pw".to_string()));
    assert_eq!(read_key_file_with(&dir.join("alice.key"), good).unwrap().public(), sealed.public());
    let bad = || Ok(zeroize::Zeroizing::new("PW".to_string()));
    let e = read_key_file_with(&dir.join("alice.key"), bad).unwrap_err();
    assert!(e.to_string().contains("wrong passphrase"), "{e}");
    // The passphrase file: its first line.
    std::fs::write(dir.join("pass.txt"), "pw\nignored\n").unwrap();
    assert_eq!(read_passphrase_file(&dir.join("pass.txt")).unwrap().as_str(), "pw");
    let cli = json_cli(&["--passphrase-file", dir.join("pass.txt").to_str().unwrap(), "status"]);
    assert_eq!(crate::keys::passphrase(&cli, "").unwrap().as_str(), "pw");

    // A saved transaction reads back to the same bytes and hash.
    let tx = tamga_client::sign_payload(&plain, "c", 1, Payload::RefundEscrow { escrow: EscrowId(2) }, None).unwrap();
    let out = dir.join("tx.json");
    crate::keys::save_tx(&out, &tx).unwrap();
    assert!(crate::keys::save_tx(&out, &tx).is_err(), "never overwrites");
    assert_eq!(crate::keys::read_saved_tx(&out).unwrap(), (tx.hash(), tx.encode()));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn export_commands() {
    use crate::cmd::queries::ExportCmd;
    let cli = json_cli(&["export", "issuer", "3", "--out", "wheat.jsonl", "--genesis", "g.json", "--json"]);
    assert_eq!(cli.out.as_deref(), Some(std::path::Path::new("wheat.jsonl")));
    match cli.cmd {
        Command::Export(ExportCmd::Issuer { id, genesis, download_timeout }) => {
            assert_eq!(
                (id, genesis.as_deref(), download_timeout),
                (PartyId(3), Some(std::path::Path::new("g.json")), 3600)
            );
        }
        other => panic!("{other:?}"),
    }
    let cli = json_cli(&["export", "verify", "wheat.jsonl", "--genesis", "g.json"]);
    assert!(matches!(cli.cmd, Command::Export(ExportCmd::Verify { .. })));
    assert!(parse(&["export", "verify", "wheat.jsonl"]).is_err(), "--genesis is required");
    assert!(parse(&["export", "issuer", "x"]).is_err(), "a party id is a number");
}

/// A small generated network written to `dir` exactly as `tamgad devnet` and
/// `tamgad testnet` write it (`Testnet::write`: DIR/genesis.json in the
/// genesis file format, RFC 3339 time, hex keys and transactions).
fn written_testnet(dir: &std::path::Path) -> tamga_genesis::Testnet {
    let options = tamga_genesis::TestnetOptions { participants: 2, ..Default::default() };
    let t = tamga_genesis::generate(&options).unwrap();
    t.write(dir).unwrap();
    t
}

/// Every `--genesis` reader (`receipt export|verify`, `export issuer|verify`,
/// `verify-chain`) reads the genesis file the node writes, and yields the
/// genesis the node starts from: the same hash. A serialized wire struct
/// (`genesis_time_ms` instead of the file's `genesis_time`) is refused with a
/// message that names the file and the field.
#[test]
fn genesis_reader_accepts_the_file_the_node_writes() {
    let dir = std::env::temp_dir().join(format!("tamga-genesis-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let t = written_testnet(&dir);
    let path = dir.join("genesis.json");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("\"genesis_time\": \"2026-01-01T00:00:00Z\""), "{text}");
    assert!(text.contains("\"transactions\""), "the devnet bootstrap is carried as genesis transactions: {text}");
    let g = crate::verify::read_genesis(&path).unwrap();
    assert_eq!(g.hash(), t.genesis.hash());
    assert_eq!(g, t.genesis);

    // The wire struct is not the file format.
    let wire = dir.join("wire.json");
    std::fs::write(&wire, serde_json::to_string(&t.genesis).unwrap()).unwrap();
    let e = crate::verify::read_genesis(&wire).unwrap_err();
    let (code, exit, _) = crate::classify(&e);
    assert_eq!((code.as_str(), exit), ("INVALID_GENESIS", 1));
    let msg = e.to_string();
    assert!(msg.starts_with(&wire.display().to_string()) && msg.contains("genesis_time_ms"), "{msg}");
    // A valid shape with an invalid value names the field path.
    let bad = dir.join("bad.json");
    std::fs::write(&bad, text.replacen("2026-01-01T00:00:00Z", "yesterday", 1)).unwrap();
    let msg = crate::verify::read_genesis(&bad).unwrap_err().to_string();
    assert!(msg.contains("genesis_time") && msg.contains("\"yesterday\""), "{msg}");
    // A missing file is named.
    let msg = crate::verify::read_genesis(&dir.join("none.json")).unwrap_err().to_string();
    assert!(msg.contains("none.json"), "{msg}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `export verify` on a file that is not an export fails with exit 6 and a
/// specific code, without any network, against a genesis.json as the node writes it.
#[test]
fn export_verify_refuses_a_bad_file() {
    let dir = std::env::temp_dir().join(format!("tamga-export-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    written_testnet(&dir);
    let g = dir.join("genesis.json");
    let f = dir.join("cut.jsonl");
    std::fs::write(&f, "").unwrap();
    let p = crate::output::Printer::new(crate::args::Output::Json);
    let e = crate::export::verify(&f, &g, &p).unwrap_err();
    let (code, exit, _) = crate::classify(&e);
    assert_eq!((code.as_str(), exit), ("EXPORT_INCOMPLETE", 6));
    let _ = std::fs::remove_dir_all(&dir);
}
