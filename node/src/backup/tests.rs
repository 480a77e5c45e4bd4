//! Backups made, verified and restored on a real one-validator home.

use super::*;

use tamga_types::codec;

/// A one-validator home with its genesis applied; the ledger is returned open.
fn home_with_ledger(dir: &Path) -> (Home, Ledger) {
    let opts = tamga_genesis::TestnetOptions { validators: 1, participants: 2, ..Default::default() };
    crate::devnet::write_testnet(dir, &opts).unwrap();
    let home = crate::devnet::node_home(dir, 0);
    let ledger = Ledger::open(&home.ledger()).unwrap();
    ledger.init_genesis(&crate::home::load_genesis(&home.genesis()).unwrap()).unwrap();
    (home, ledger)
}

fn write_safety(home: &Home, height: Height, round: u32) {
    let s: SafetyState = SafetyState {
        height,
        round,
        step: Step::Prevote,
        locked: None,
        valid: None,
        pol_votes: Vec::new(),
        signed_votes: Vec::new(),
        signed_proposals: Vec::new(),
    };
    write_atomic(&home.safety(), &codec::encode(&s), 0o600).unwrap();
}

fn safety_height(home: &Home) -> Option<Height> {
    read_safety(&home.safety()).unwrap().map(|(m, _)| m.height)
}

#[test]
fn create_verify_and_the_refusals_of_restore() {
    let dir = tempfile::tempdir().unwrap();
    let (home, ledger) = home_with_ledger(dir.path());
    write_safety(&home, 3, 0);
    let out = dir.path().join("b1");
    let m = create(&ledger, &home, "k", &out).unwrap();
    assert_eq!((m.ledger.height, m.safety.map(|s| s.height)), (0, Some(3)));
    assert_eq!(verify(&out).unwrap(), m);
    assert!(matches!(create(&ledger, &home, "k", &out), Err(BackupError::Exists { .. })));

    // The node "runs": its database is locked.
    let e = restore(&out, &home, true).unwrap_err();
    assert!(matches!(&e, BackupError::Running { how, .. } if how.contains("locked")), "{e}");
    drop(ledger);
    // An existing ledger is replaced only with --force.
    let e = restore(&out, &home, false).unwrap_err();
    assert!(matches!(e, BackupError::NotEmpty { .. }), "{e}");
    // A newer safety state is kept...
    write_safety(&home, 7, 2);
    let r = restore(&out, &home, true).unwrap();
    assert_eq!((r.replaced, r.safety), (true, SafetyOutcome::KeptExisting));
    assert_eq!(safety_height(&home), Some(7));
    assert!(home.restored_marker().exists());
    assert_eq!(Ledger::open(&home.ledger()).unwrap().state_root().unwrap(), m.ledger.state_root);
    // ...an older one is replaced by the backup's, a missing one installed.
    write_safety(&home, 1, 0);
    assert_eq!(restore(&out, &home, true).unwrap().safety, SafetyOutcome::InstalledFromBackup);
    assert_eq!(safety_height(&home), Some(3));
    std::fs::remove_dir_all(home.root().join("data")).unwrap();
    let r = restore(&out, &home, false).unwrap();
    assert_eq!((r.replaced, r.safety), (false, SafetyOutcome::InstalledFromBackup));
    assert_eq!(safety_height(&home), Some(3));
    // An unreadable safety state stops the restore before anything changes.
    std::fs::write(home.safety(), b"garbage").unwrap();
    let e = restore(&out, &home, true).unwrap_err();
    assert!(matches!(e, BackupError::Safety { .. }), "{e}");
    assert_eq!(std::fs::read(home.safety()).unwrap(), b"garbage");
}

#[test]
fn verify_refuses_a_manifest_that_disagrees_or_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let (home, ledger) = home_with_ledger(dir.path());
    let out = dir.path().join("b");
    create(&ledger, &home, "k", &out).unwrap();
    let p = out.join(MANIFEST);
    let text = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, text.replace("\"height\": 0", "\"height\": 9")).unwrap();
    let e = verify(&out).unwrap_err();
    assert!(matches!(e, BackupError::ManifestMismatch { field: "height", .. }), "{e}");
    std::fs::remove_file(&p).unwrap();
    let e = verify(&out).unwrap_err().to_string();
    assert!(e.contains("did not finish"), "{e}");
    // A copy of another network is refused by restore.
    let other = tempfile::tempdir().unwrap();
    let opts =
        tamga_genesis::TestnetOptions { validators: 1, seed: 99, chain_id: "other-net".into(), ..Default::default() };
    crate::devnet::write_testnet(other.path(), &opts).unwrap();
    std::fs::write(&p, text).unwrap();
    let e = restore(&out, &crate::devnet::node_home(other.path(), 0), false).unwrap_err();
    assert!(matches!(e, BackupError::GenesisMismatch { .. }), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheduled_backups_keep_each_until_the_next_is_verified() {
    let dir = tempfile::tempdir().unwrap();
    let (home, ledger) = home_with_ledger(dir.path());
    let metrics = Arc::new(Metrics::new());
    let service = Arc::new(BackupService::new(Arc::new(ledger), home.clone(), "k".into(), metrics.clone()));
    let bdir = dir.path().join("backups");
    let list = || {
        let mut v: Vec<String> =
            fs::read_dir(&bdir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().to_string()).collect();
        v.sort();
        v
    };
    let first = scheduled_backup(&service, &bdir).await.unwrap();
    assert_eq!(list(), vec![first.file_name().unwrap().to_string_lossy().to_string()]);
    tokio::time::sleep(Duration::from_millis(5)).await;
    let second = scheduled_backup(&service, &bdir).await.unwrap();
    assert_eq!(list(), vec![second.file_name().unwrap().to_string_lossy().to_string()], "the older one is gone");
    verify(&second).unwrap();
    // A failing backup (unreadable safety state) leaves the last good one alone.
    fs::write(home.safety(), b"garbage").unwrap();
    tokio::time::sleep(Duration::from_millis(5)).await;
    assert!(scheduled_backup(&service, &bdir).await.is_err());
    assert_eq!(list(), vec![second.file_name().unwrap().to_string_lossy().to_string()]);
    let text = metrics.encode();
    assert!(text.contains("tamga_backup_failures_total 1"), "{text}");
    assert!(text.contains("tamga_backup_last_height 0"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_operator_socket_makes_a_backup_and_refuses_bad_requests() {
    let dir = tempfile::tempdir().unwrap();
    let (home, ledger) = home_with_ledger(dir.path());
    let service = Arc::new(BackupService::new(Arc::new(ledger), home.clone(), "k".into(), Arc::new(Metrics::new())));
    serve_admin(service).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&home.admin_socket()), 0o600);
        assert_eq!(mode(home.admin_socket().parent().unwrap()), 0o700);
    }
    let out = dir.path().join("online");
    let h = home.clone();
    let o = out.clone();
    let m = tokio::task::spawn_blocking(move || request_backup(&h, &o)).await.unwrap().unwrap().unwrap();
    assert_eq!(verify(&out).unwrap(), m);
    let h = home.clone();
    let e = tokio::task::spawn_blocking(move || request_backup(&h, Path::new("relative")))
        .await
        .unwrap()
        .unwrap_err()
        .to_string();
    assert!(e.contains("absolute"), "{e}");
    let h = home.clone();
    let e = tokio::task::spawn_blocking(move || request_backup(&h, &out)).await.unwrap().unwrap_err().to_string();
    assert!(e.contains("already exists"), "{e}");
    assert!(running(&home).is_some(), "the answering socket shows the node runs");
}
