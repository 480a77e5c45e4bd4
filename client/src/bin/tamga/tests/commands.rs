//! Parsing and payload building, for every transaction command.

use clap::CommandFactory;
use tamga_types::*;

use super::*;
use crate::args::{Cli, Command, Output};

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
        // SPEC §4: a freeze or pause is lifted by naming its restriction id;
        // the ledger refuses `Unfreeze` and `SetClassPaused { paused: false }`.
        &["token", "unfreeze", "--class", "9", "--holder", &a, "--legal-basis", "x"],
        &["token", "unpause", "3", "--legal-basis", "x"],
        &["regulator", "unfreeze", "--class", "9", "--holder", &a, "--legal-basis", "x"],
        &["regulator", "unpause-class", "3", "--legal-basis", "x"],
        &["regulator", "unpause", "3", "--legal-basis", "x"],
        &["token", "unpause-class", "3", "--legal-basis", "x"],
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
fn freeze_forced_recover() {
    let (a, b) = (k(3).to_hex(), k(4).to_hex());
    assert_eq!(
        ok(&["token", "freeze", "--class", "9", "--holder", &a, "--legal-basis", "court order 1"], Some(0)),
        Payload::Freeze { class: ClassId(9), holder: k(3), amount: None, legal_basis: t("court order 1") }
    );
    assert_eq!(
        ok(
            &["token", "freeze", "--class", "9", "--holder", &a, "--amount", "0.5", "--legal-basis", "court order 2"],
            Some(1)
        ),
        Payload::Freeze { class: ClassId(9), holder: k(3), amount: Some(5), legal_basis: t("court order 2") }
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

/// A valid IIN (born 1990-01-01, century and sex digit 3) and a valid BIN
/// (registered 2005-06, a resident legal entity: digit 5 is 4).
const IIN: &str = "900101300126";
const BIN: &str = "050640000007";

/// Digital Code art. 45: the ledger sees only the salted commitment, so the
/// CLI refuses, before signing, an IIN given for a legal entity and a BIN
/// given for an individual, naming the field, the expected and the actual.
#[test]
fn rule7_cli_refuses_an_iin_for_a_legal_entity() {
    let (a, salt) = (k(5).to_hex(), "11".repeat(32));
    let e = payload(
        &["party", "register", "--kind", "legal-entity", "--iin-bin", IIN, "--salt", &salt, "--account", &a],
        Some(0),
    )
    .unwrap_err();
    assert!(e.contains("--iin-bin") && e.contains(IIN), "names the field and the value: {e}");
    assert!(e.contains("an IIN") && e.contains("expected a BIN"), "names the actual and the expected: {e}");
    let e = payload(
        &["regulator", "register-party", "--kind", "individual", "--iin-bin", BIN, "--salt", &salt, "--account", &a],
        Some(0),
    )
    .unwrap_err();
    assert!(e.contains("a BIN") && e.contains("expected an IIN"), "{e}");
    // The right kinds pass.
    for (kind, id) in [("individual", IIN), ("legal-entity", BIN)] {
        ok(&["party", "register", "--kind", kind, "--iin-bin", id, "--salt", &salt, "--account", &a], Some(0));
    }
    // A fifth digit neither an IIN (0-3) nor a BIN (4-6) has.
    let seven = tamga_types::identity::with_check_digit("90017130012").expect("a check digit");
    let e = payload(
        &["party", "register", "--kind", "individual", "--iin-bin", &seven, "--salt", &salt, "--account", &a],
        Some(0),
    )
    .unwrap_err();
    assert!(e.contains("digits 5") && e.contains("4-6"), "{e}");
}

/// SPEC §3: the salt is 32 random bytes; a shorter one is refused by name.
#[test]
fn rule7_cli_refuses_a_short_salt() {
    let a = k(5).to_hex();
    for (salt, got) in [("11".repeat(16), 16), ("ab".repeat(31), 31), (String::new(), 0)] {
        let e = payload(
            &["party", "register", "--kind", "individual", "--iin-bin", IIN, "--salt", &salt, "--account", &a],
            Some(0),
        )
        .unwrap_err();
        assert!(e.contains("--salt"), "names the field: {e}");
        assert!(e.contains("expected 32 bytes") && e.contains(&format!("got {got} bytes")), "{e}");
    }
    let e = payload(
        &["party", "register", "--kind", "individual", "--iin-bin", IIN, "--salt", "zz", "--account", &a],
        Some(0),
    )
    .unwrap_err();
    assert!(e.contains("--salt") && e.contains("hex"), "{e}");
}

/// SPEC §3: without --salt the CLI draws 32 bytes from the operating
/// system's CSPRNG, builds the commitment with them and hands them to the
/// user (shown, and saved with --salt-out before anything is signed).
#[test]
fn rule7_cli_generates_a_32_byte_salt() {
    let a = k(5).to_hex();
    let dir = std::env::temp_dir().join(format!("tamga-salt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("salt.hex");
    let _ = std::fs::remove_file(&out);
    let out_s = out.display().to_string();
    let args = ["party", "register", "--kind", "individual", "--iin-bin", IIN, "--salt-out", &out_s, "--account", &a];
    let cli = parse(&args).unwrap();
    let op = cli.cmd.op().unwrap();
    let salt = op.generated_salt().expect("a salt is generated when none is given");
    assert_eq!(salt.bytes.len(), 32);
    assert_ne!(salt.bytes, [0u8; 32]);
    assert_eq!(salt.out.as_deref(), Some(out.as_path()));
    let Payload::RegisterParty { id_commitment, .. } = op.payload(Some(0)).unwrap() else {
        panic!("not a registration")
    };
    assert_eq!(id_commitment, identifier_commitment(&salt.bytes, IIN).unwrap(), "the commitment uses that salt");
    // Saved for custody: 64 hex characters, owner-only, never overwritten.
    crate::keep_salt(salt).unwrap();
    let saved = std::fs::read_to_string(&out).unwrap();
    assert_eq!(saved.trim(), hex::encode(salt.bytes));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o600);
    }
    assert!(crate::keep_salt(salt).is_err(), "an existing salt file is not overwritten");
    // Another registration draws another salt.
    let other = parse(&args).unwrap();
    let other = other.cmd.op().unwrap().generated_salt().unwrap().bytes;
    assert_ne!(other, salt.bytes);
    // A given salt, or a precomputed commitment, generates none.
    let salt_hex = "11".repeat(32);
    let given =
        parse(&["party", "register", "--kind", "individual", "--iin-bin", IIN, "--salt", &salt_hex, "--account", &a])
            .unwrap();
    assert!(given.cmd.op().unwrap().generated_salt().is_none());
    std::fs::remove_dir_all(&dir).unwrap();
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
            BIN,
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
    let expected_commitment = identifier_commitment(&[0x11; 32], BIN).unwrap();
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
        &["party", "register", "--kind", "individual", "--iin-bin", "900101300121", "--salt", &salt, "--account", &a],
        Some(0),
    )
    .unwrap_err();
    assert_eq!(e, "IIN/BIN 900101300121 has check digit 1, expected 6", "the message the walkthrough pins");
    assert!(
        parse(&["party", "register", "--kind", "individual", "--salt", &salt, "--account", &a]).is_err(),
        "--salt requires --iin-bin"
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
                ValidatorUpdate { key: k(10), power: 10, operator: PartyId(6), p2p_key: None },
                ValidatorUpdate { key: k(11), power: 0, operator: PartyId(6), p2p_key: None },
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
    assert_eq!(
        ok(&["params", "set", "min-validators", "4"], Some(0)),
        Payload::SetParameter { change: ParameterChange::MinValidators(4) }
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

/// SPEC §4, Digital Code art. 20 p.4: a restriction is lifted by naming it,
/// by the issuer (`token lift`) or a regulator (`regulator lift`); a class of
/// zero supply is closed by either.
#[test]
fn lift_and_close_build_exactly_their_payloads() {
    for group in ["token", "regulator"] {
        assert_eq!(
            ok(&[group, "lift", "12", "--legal-basis", "court order 7 lifted"], Some(0)),
            Payload::LiftRestriction { restriction: RestrictionId(12), legal_basis: t("court order 7 lifted") },
            "{group} lift"
        );
        let close = if group == "token" { "close" } else { "close-class" };
        assert_eq!(
            ok(&[group, close, "4", "--legal-basis", "wound up"], Some(0)),
            Payload::CloseClass { class: ClassId(4), legal_basis: t("wound up") },
            "{group} {close}"
        );
        // Neither fetches anything from the node.
        let cli = parse(&[group, "lift", "12", "--legal-basis", "x"]).unwrap();
        assert_eq!(cli.cmd.op().unwrap().amount_class(), None);
        // The legal basis is required, the id is a number.
        assert!(parse(&[group, "lift", "12"]).is_err(), "{group} lift without --legal-basis");
        assert!(parse(&[group, "lift", "x", "--legal-basis", "b"]).is_err());
        assert!(parse(&[group, close, "4"]).is_err(), "{group} {close} without --legal-basis");
    }
    let long = "x".repeat(1025);
    let e = payload(&["token", "lift", "1", "--legal-basis", &long], Some(0)).unwrap_err();
    assert!(e.contains("--legal-basis is 1025 bytes, at most 1024"), "{e}");
    // Restrictions are a query.
    let a = k(3).to_hex();
    let cli = parse(&["token", "restrictions", "2", "--holder", &a]).unwrap();
    assert!(cli.cmd.op().is_none());
    match cli.cmd {
        crate::args::Command::Token(crate::cmd::tokens::TokenCmd::Restrictions { class, holder }) => {
            assert_eq!((class, holder), (ClassId(2), Some(k(3))));
        }
        other => panic!("{other:?}"),
    }
    assert!(parse(&["token", "restrictions", "2"]).unwrap().cmd.op().is_none());
}

/// SPEC §7, Digital Code art. 67: terms are published from a file, named by
/// their SHA-256 in `escrow create --terms-file`, and refused over 8 KiB or
/// when not UTF-8, naming the file and the sizes.
#[test]
fn escrow_terms_from_a_file() {
    let dir = std::env::temp_dir().join(format!("tamga-cli-terms-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let terms = dir.join("terms.txt");
    let text = "Goods delivered within 10 days; the arbiter decides disputes.\n";
    std::fs::write(&terms, text).unwrap();
    let f = terms.to_str().unwrap();
    assert_eq!(
        ok(&["escrow", "publish-terms", "--file", f], Some(0)),
        Payload::PublishTerms { text: BoundedString::new(text).unwrap() }
    );
    let (a, b) = (k(8).to_hex(), k(9).to_hex());
    let create = |terms: &[&str]| {
        let mut line = vec!["escrow", "create", "--payee", &a, "--arbiter", &b, "--record", "5"];
        line.extend_from_slice(terms);
        line.extend_from_slice(&["--deadline-height", "100"]);
        payload(&line, Some(0))
    };
    let hash = Hash::sha256(text.as_bytes());
    let expected = Payload::CreateEscrow {
        payee: k(8),
        arbiter: k(9),
        asset: EscrowAsset::Record { record: RecordId(5) },
        terms_hash: hash,
        deadline_height: 100,
    };
    assert_eq!(create(&["--terms-file", f]).unwrap(), expected);
    assert_eq!(create(&["--terms-hash", &hash.to_hex()]).unwrap(), expected);
    // One of the two, not both, not neither.
    assert!(create(&["--terms-file", f, "--terms-hash", &hash.to_hex()]).is_err());
    assert!(create(&[]).is_err());

    // Over 8 KiB: the file, the limit and the size are named.
    let big = dir.join("big.txt");
    std::fs::write(&big, "a".repeat(8193)).unwrap();
    let e = payload(&["escrow", "publish-terms", "--file", big.to_str().unwrap()], Some(0)).unwrap_err();
    assert!(e.contains("big.txt") && e.contains("8193 bytes") && e.contains("at most 8192 bytes"), "{e}");
    let e = create(&["--terms-file", big.to_str().unwrap()]).unwrap_err();
    assert!(e.contains("big.txt") && e.contains("8193 bytes"), "{e}");
    // Exactly 8 KiB is accepted.
    std::fs::write(&big, "a".repeat(8192)).unwrap();
    assert!(matches!(
        ok(&["escrow", "publish-terms", "--file", big.to_str().unwrap()], Some(0)),
        Payload::PublishTerms { text } if text.len() == 8192
    ));
    // Not UTF-8.
    let bin = dir.join("terms.bin");
    std::fs::write(&bin, [b'o', b'k', 0xff, 0xfe]).unwrap();
    let e = payload(&["escrow", "publish-terms", "--file", bin.to_str().unwrap()], Some(0)).unwrap_err();
    assert!(e.contains("terms.bin") && e.contains("not UTF-8") && e.contains("offset 2"), "{e}");
    // Missing.
    let e = payload(&["escrow", "publish-terms", "--file", "/nonexistent/terms.txt"], Some(0)).unwrap_err();
    assert!(e.contains("/nonexistent/terms.txt"), "{e}");

    // `escrow terms HASH` is a query.
    let cli = parse(&["escrow", "terms", &hash.to_hex(), "--out", "t.txt"]).unwrap();
    assert!(cli.cmd.op().is_none());
    assert!(parse(&["escrow", "terms", "zz"]).is_err());
    let _ = std::fs::remove_dir_all(&dir);
}

/// SPEC §6: `--region` takes the names people type, in Kazakh, Russian and
/// English, as well as the code; an unknown one names the argument and
/// lists every code.
#[test]
fn rule10_cli_region_names_map_to_codes() {
    use crate::cmd::notify::{NotifyCmd, NotifyMiningCmd};
    for name in ["Павлодарская область", "Павлодар облысы", "Pavlodar Region", "pavlodar"]
    {
        let cli = parse(&["notify", "mining", "list", "--region", name]).unwrap_or_else(|e| panic!("{name}: {e}"));
        let Command::Notify(NotifyCmd::Mining(NotifyMiningCmd::List(a))) = cli.cmd else { panic!("not a list") };
        assert_eq!(a.region, Some(Region::Pavlodar), "{name}");
    }
    let e = parse(&["notify", "mining", "list", "--region", "Марс облысы"]).unwrap_err().to_string();
    assert!(e.contains("--region") && e.contains("Марс облысы"), "names the argument and the value: {e}");
    for code in Region::codes() {
        assert!(e.contains(code), "lists {code}: {e}");
    }
    let e = parse(&["notify", "mining", "list", "--region", "Алматы"]).unwrap_err().to_string();
    assert!(e.contains("almaty_city, almaty"), "{e}");
}

#[test]
fn bench_mix_alone_is_the_stated_mixed_workload() {
    use tamga_client::bench::Mix;
    let mix = |args: &[&str]| match parse(args).unwrap().cmd {
        crate::args::Command::Bench(b) => (b.mix, b.duration, b.connections),
        _ => panic!("not bench"),
    };
    assert_eq!(mix(&["bench", "--home", "d"]).0, Mix { transfers: 100, records: 0, notifications: 0 });
    assert_eq!(mix(&["bench", "--home", "d", "--mix"]).0, Mix::MIXED);
    // A bare --mix does not swallow the next option.
    assert_eq!(mix(&["bench", "--home", "d", "--mix", "--duration", "5"]), (Mix::MIXED, 5, None));
    let m = mix(&["bench", "--home", "d", "--mix", "records=1", "--connections", "6"]);
    assert_eq!(m, (Mix { transfers: 0, records: 1, notifications: 0 }, 60, Some(6)));
    assert!(parse(&["bench", "--home", "d", "--mix", "swaps=1"]).is_err());
}
