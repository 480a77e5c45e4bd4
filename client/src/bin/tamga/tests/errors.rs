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

/// Law on Informatization art. 44 p.2: the node's error body is asked for in
/// the CLI's language (`Accept-Language`) and shown as the node words it.
#[test]
fn rule11_node_errors_are_asked_in_the_chosen_language() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let server = tokio::spawn(async move {
            let (mut sock, _) = listener.accept().await.unwrap();
            let mut buf = vec![0u8; 8192];
            let n = sock.read(&mut buf).await.unwrap();
            let request = String::from_utf8_lossy(&buf[..n]).to_lowercase();
            let body = r#"{"code":"ACCOUNT_NOT_FOUND","message":"счёт не найден","field":"key"}"#;
            let resp = format!(
                "HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            sock.write_all(resp.as_bytes()).await.unwrap();
            request
        });
        let client = crate::node_client(&url, crate::i18n::Lang::Ru).unwrap();
        let e = anyhow::Error::from(client.account(&k(1)).await.unwrap_err());
        let request = server.await.unwrap();
        assert!(request.contains("\r\naccept-language: ru\r\n"), "{request}");
        let (code, exit, _) = crate::classify(&e);
        assert_eq!((code.as_str(), exit), ("ACCOUNT_NOT_FOUND", 4));
        assert!(format!("{e:#}").contains("счёт не найден"), "shown as the node worded it: {e:#}");
    });
}
