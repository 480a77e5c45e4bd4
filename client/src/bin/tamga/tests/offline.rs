//! Issuer exports and the genesis file read by every `--genesis` command.

use tamga_types::*;

use super::*;
use crate::args::Command;

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

/// Digital Code art. 47 p.4, 49: `receipt verify` says, in the language
/// asked, that a Tamga signature is a digital confirmation and not an
/// electronic digital signature, and shows the signing account's
/// certificate reference that the proven account state holds.
#[test]
fn rule9_receipt_verify_states_the_signature_standing() {
    use tamga_client::bundle::{SignerParty, VerifiedReceipt};
    use tamga_types::model::AccountStatus;
    use tamga_types::*;

    use crate::i18n::Lang;

    let cert =
        CertificateRef { issuer: BoundedString::new("NCA RK").unwrap(), serial: BoundedString::new("0042").unwrap() };
    let mut v = VerifiedReceipt {
        tx_hash: Hash([7; 32]),
        chain_id: "tamga-devnet".into(),
        signer: super::k(1),
        signer_party: SignerParty::StateProof {
            party: PartyId(2),
            status: AccountStatus::Active,
            created_height: 0,
            certificate: Some(cert),
        },
        nonce: 0,
        operation: "transfer",
        height: 5,
        index: 0,
        block_time_ms: 1,
        block_hash: Some(Hash([8; 32])),
        certified_by: vec![],
        signed_power: 3,
        total_power: 4,
        validator_changes: 0,
        outcome: TxOutcome::Success,
        events: vec![],
        events_certified: true,
        rendering: "transfer".into(),
    };
    let en = crate::verify::describe_in(&v, Lang::En);
    assert!(en.contains("digital confirmation") && en.contains("not an electronic digital signature"), "{en}");
    assert!(en.contains("issuer NCA RK, serial 0042"), "the certificate reference: {en}");
    let ru = crate::verify::describe_in(&v, Lang::Ru);
    assert!(ru.contains("цифровое подтверждение") && ru.contains("не является электронной цифровой подписью"), "{ru}");
    assert!(ru.contains("издатель NCA RK, серийный номер 0042"), "{ru}");
    assert!(ru.contains("ДЕЙСТВИТЕЛЬНЫЙ"), "the whole report is Russian: {ru}");
    let kk = crate::verify::describe_in(&v, Lang::Kk);
    assert!(kk.contains("цифрлық растауы") && kk.contains("электрондық цифрлық қолтаңба (ЭЦҚ) емес"), "{kk}");
    assert!(kk.contains("беруші NCA RK"), "{kk}");

    // No certificate registered, and not known (a genesis signer).
    v.signer_party = SignerParty::StateProof {
        party: PartyId(2),
        status: AccountStatus::Active,
        created_height: 0,
        certificate: None,
    };
    assert!(crate::verify::describe_in(&v, Lang::En).contains("certificate: none registered"));
    v.signer_party = SignerParty::Genesis { party: PartyId(1) };
    let g = crate::verify::describe_in(&v, Lang::En);
    assert!(g.contains("not known here") && g.contains("not an electronic digital signature"), "{g}");
    // The signing prompt states the same.
    let prompt = crate::signature_standing_in(Some(&None), Lang::Ru);
    assert!(prompt.contains("не является электронной цифровой подписью"), "{prompt}");
}
