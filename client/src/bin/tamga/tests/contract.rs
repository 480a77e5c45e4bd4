//! The stable command contract: operators script against these lines.

use clap::CommandFactory;
use tamga_types::*;

use super::*;
use crate::args::{Cli, Command, Output};

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
                "900101300126",
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
        (vec!["regulator", "pause-class", "1", "--legal-basis", "audit"], "set_class_paused"),
        (vec!["regulator", "lift", "3", "--legal-basis", "court order lifted"], "lift_restriction"),
        (vec!["regulator", "close-class", "1", "--legal-basis", "court"], "close_class"),
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
        "set_class_paused",
        "lift_restriction",
        "close_class",
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
