//! The command line's unit tests: parsing and payload building for every
//! transaction command, the stable command contract operators script
//! against, the JSON shapes, exit codes and errors, key files and the
//! offline verifiers' inputs.

mod commands;
mod contract;
mod errors;
mod files;
mod json;
mod offline;

use clap::Parser;
use tamga_types::*;

use crate::args::Cli;

pub(super) fn k(n: u8) -> PublicKey {
    SigningKey::from_seed([n; 32]).public()
}

pub(super) fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
    Cli::try_parse_from(std::iter::once("tamga").chain(args.iter().copied()))
}

/// Parses and builds the payload with `decimals` (None: --base-units).
pub(super) fn payload(args: &[&str], decimals: Option<u8>) -> Result<Payload, String> {
    let cli = parse(args).map_err(|e| e.to_string())?;
    let op = cli.cmd.op().ok_or("not a transaction command")?;
    op.payload(decimals)
}

pub(super) fn ok(args: &[&str], decimals: Option<u8>) -> Payload {
    payload(args, decimals).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

pub(super) fn t<const N: usize>(s: &str) -> BoundedString<N> {
    BoundedString::new(s).unwrap()
}

pub(super) const NODE: &str = "http://127.0.0.1:8080";

pub(super) fn json_cli(args: &[&str]) -> Cli {
    parse(args).unwrap_or_else(|e| panic!("{args:?}: {e}")).normalised()
}

pub(super) fn has_all(v: &serde_json::Value, fields: &[&str]) {
    for f in fields {
        assert!(v.get(f).is_some(), "{f} missing in {v}");
    }
}

pub(super) fn to_json<T: serde::Serialize>(v: &T) -> serde_json::Value {
    serde_json::from_str(&serde_json::to_string(v).unwrap()).unwrap()
}

pub(super) fn receipt_view(outcome: TxOutcome, events: Vec<Event>) -> tamga_types::views::TxView {
    let key = SigningKey::from_seed([1; 32]);
    let p = Payload::IssueRecord {
        holder: k(2),
        object: RecordObject { kind: ObjectKind::Goods, description: t("x"), external_ref: None, document_hash: None },
    };
    let tx = tamga_client::sign_payload(&key, "tamga-devnet", 3, p, None).unwrap();
    let receipt = Receipt { tx_hash: tx.hash(), height: 11, index: 0, block_time_ms: 7, outcome, events };
    tamga_types::views::TxView { tx, receipt }
}
