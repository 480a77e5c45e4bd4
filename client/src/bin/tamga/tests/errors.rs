//! Exit codes and error objects.

use tamga_types::*;

use super::*;
use crate::args::Output;

#[test]
fn exit_codes_and_error_objects() {
    use std::process::ExitCode;
    let p = crate::output::Printer::new(Output::Json);
    let ok_view = receipt_view(TxOutcome::Success, vec![]);
    assert_eq!(crate::print_receipt(&p, &ok_view).unwrap(), ExitCode::SUCCESS);
    let failed = receipt_view(TxOutcome::failed("X", []), vec![]);
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
