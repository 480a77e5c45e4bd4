//! Key files through the CLI's paths.

use tamga_types::*;

use super::*;

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
