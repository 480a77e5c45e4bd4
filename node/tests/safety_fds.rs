//! The safety state write needs no new file handle (`node/src/safety.rs`):
//! with the process's descriptor table full it still succeeds. Its own test
//! binary, so that filling the table disturbs no other test.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[cfg(target_os = "linux")]
#[test]
fn safety_write_succeeds_with_no_descriptor_left() {
    use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};
    use std::fs::File;
    use tamga_consensus::{SafetyState, Step};
    use tamga_node::safety::{read_file, FileSafetyStore, SafetyStore};

    // A small table, so that filling it is quick.
    let lim = getrlimit(Resource::Nofile);
    setrlimit(Resource::Nofile, Rlimit { current: Some(256), maximum: lim.maximum }).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("data").join("safety.bin");
    let mut store = FileSafetyStore::open(&p).unwrap();
    let mut state = SafetyState {
        height: 3,
        round: 0,
        step: Step::Propose,
        locked: None,
        valid: None,
        pol_votes: vec![],
        signed_votes: vec![],
        signed_proposals: vec![],
    };
    let mut hog = Vec::new();
    while let Ok(f) = File::open("/dev/null") {
        hog.push(f);
        assert!(hog.len() < 100_000, "the descriptor limit did not apply");
    }
    // Every write uses the temporary file opened ahead, and opens the next
    // one in the slot the previous write's handle just freed.
    for round in 1..=3 {
        state.round = round;
        let r = store.store(&state);
        if r.is_err() {
            drop(hog);
            panic!("write {round} with the descriptor table full: {r:?}");
        }
    }
    assert!(File::open("/dev/null").is_err(), "the table stayed full");
    drop(hog);
    assert_eq!(read_file(&p).unwrap().map(|s| s.round), Some(3));
    setrlimit(Resource::Nofile, lim).unwrap();
}
