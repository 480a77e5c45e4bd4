//! The journal against real files: tampering is found at exactly the entry
//! tampered with, rotation, restart and crash recovery keep one chain.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use super::*;

const T0: u64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

fn settings(dir: &Path) -> Settings {
    Settings { sync_interval: Duration::from_millis(5), ..Settings::in_dir(dir) }
}

fn access(i: u64) -> Access {
    Access {
        time_ms: T0 + i,
        who: if i % 3 == 0 { "anonymous@10.0.0.7:5123".into() } else { format!("account:{:064x}", i) },
        party: (i % 3 != 0).then_some(i % 7),
        regulator: i % 5 == 1,
        claimed_key: None,
        method: "GET".into(),
        route: Some("/v1/parties/{id}".into()),
        object: format!("/v1/parties/{i}?x=é"),
        status: 200,
        duration_us: 100 + i,
    }
}

/// Writes `n` entries starting at access index `from` and fsyncs.
fn write(s: &Settings, from: u64, n: u64) -> Metrics {
    let metrics = Arc::new(Metrics::new());
    let mut w = Writer::recover(s.clone(), metrics.clone()).unwrap();
    let accesses: Vec<Access> = (from..from + n).map(access).collect();
    let mut done = 0;
    w.append(&accesses, &mut done).unwrap();
    assert_eq!(done, accesses.len());
    w.sync().unwrap();
    drop(w);
    Arc::try_unwrap(metrics).ok().unwrap()
}

fn lines(p: &Path) -> Vec<String> {
    fs::read_to_string(p).unwrap().lines().map(String::from).collect()
}

fn put_lines(p: &Path, lines: &[String]) {
    let mut text = lines.join("\n");
    text.push('\n');
    fs::write(p, text).unwrap();
}

fn violation(dir: &Path) -> Violation {
    match verify(dir) {
        Err(VerifyError::Violation(v)) => *v,
        other => panic!("expected a violation, got {other:?}"),
    }
}

fn current(dir: &Path) -> PathBuf {
    dir.join(CURRENT)
}

#[test]
fn a_written_journal_verifies_with_its_counts() {
    let d = tempfile::tempdir().unwrap();
    let m = write(&settings(d.path()), 0, 50);
    let r = verify(d.path()).unwrap();
    assert_eq!((r.entries, r.segments), (50, 1));
    assert_eq!(r.head.as_ref().map(|h| (h.seq, h.hash)), Some((49, r.last_hash)));
    assert_eq!(r.torn_tail_bytes, None);
    assert_eq!(m.journal_entries.get(), 50);
    let first = Entry::decode(lines(&current(d.path()))[0].as_bytes()).unwrap();
    assert_eq!((first.seq, first.prev), (0, Hash::ZERO));
    assert_eq!(first.route.as_deref(), Some("/v1/parties/{id}"));
}

#[test]
fn one_changed_byte_fails_at_that_entry_as_altered() {
    let d = tempfile::tempdir().unwrap();
    write(&settings(d.path()), 0, 20);
    let path = current(d.path());
    let original = fs::read(&path).unwrap();
    // Offsets inside line 8 (entry 7): a digit of the status, a letter of the
    // route, a hex digit of `prev` made upper case (same value, not canonical).
    let start = original.split(|&b| b == b'\n').take(7).map(|l| l.len() + 1).sum::<usize>();
    let line = &original[start..start + lines(&path)[7].len()];
    let find = |pat: &str| start + line.windows(pat.len()).position(|w| w == pat.as_bytes()).unwrap();
    let status_digit = find("\"status\":200") + "\"status\":".len();
    let route_letter = find("parties/{id}");
    let prev_hex = find("\"prev\":\"") + "\"prev\":\"".len();
    for (at, byte) in [(status_digit, b'4'), (route_letter, b'q'), (prev_hex, b'X')] {
        let mut bytes = original.clone();
        bytes[at] = if byte == b'X' { bytes[at].to_ascii_uppercase() } else { byte };
        if bytes[at] == original[at] {
            // `prev`'s first hex digit is a number: change it to another digit.
            bytes[at] = if original[at] == b'0' { b'1' } else { b'0' };
        }
        fs::write(&path, &bytes).unwrap();
        let v = violation(d.path());
        assert_eq!((v.line, v.expected_seq), (8, 7), "{v}");
        assert!(matches!(v.kind, ViolationKind::Altered { .. }), "{v}");
        assert_eq!(v.segment, path);
    }
    // A byte that breaks the JSON is reported the same way.
    let mut bytes = original.clone();
    bytes[start] = b'[';
    fs::write(&path, &bytes).unwrap();
    let v = violation(d.path());
    assert_eq!(v.line, 8);
    assert!(matches!(&v.kind, ViolationKind::Altered { detail } if detail.contains("not a journal entry")), "{v}");
}

#[test]
fn an_upper_cased_hash_is_not_canonical() {
    let d = tempfile::tempdir().unwrap();
    write(&settings(d.path()), 0, 3);
    let path = current(d.path());
    let mut l = lines(&path);
    let e = Entry::decode(l[1].as_bytes()).unwrap();
    let hex = e.hash.to_hex();
    let upper = hex.to_uppercase();
    assert_ne!(hex, upper, "the hash has a letter");
    l[1] = l[1].replace(&hex, &upper);
    put_lines(&path, &l);
    let v = violation(d.path());
    assert_eq!(v.line, 2);
    assert!(matches!(&v.kind, ViolationKind::Altered { detail } if detail.contains("canonical")), "{v}");
}

#[test]
fn one_removed_entry_fails_at_its_place_as_removed() {
    let d = tempfile::tempdir().unwrap();
    write(&settings(d.path()), 0, 20);
    let path = current(d.path());
    let mut l = lines(&path);
    l.remove(11);
    put_lines(&path, &l);
    let v = violation(d.path());
    assert_eq!((v.line, v.expected_seq), (12, 11), "{v}");
    assert_eq!(v.kind, ViolationKind::Removed { expected: 11, found: 12 });
}

#[test]
fn two_swapped_entries_fail_at_the_first_as_reordered() {
    let d = tempfile::tempdir().unwrap();
    write(&settings(d.path()), 0, 20);
    let path = current(d.path());
    let mut l = lines(&path);
    l.swap(4, 5);
    put_lines(&path, &l);
    let v = violation(d.path());
    assert_eq!((v.line, v.expected_seq), (5, 4), "{v}");
    assert_eq!(v.kind, ViolationKind::Reordered { expected: 4, found: 5 });
    // Distant swaps too.
    let mut l = lines(&path);
    l.swap(4, 5);
    l.swap(2, 17);
    put_lines(&path, &l);
    assert_eq!(violation(d.path()).kind, ViolationKind::Reordered { expected: 2, found: 17 });
}

#[test]
fn a_forged_entry_with_a_good_hash_breaks_the_link() {
    let d = tempfile::tempdir().unwrap();
    write(&settings(d.path()), 0, 10);
    let path = current(d.path());
    let mut l = lines(&path);
    let e = Entry::decode(l[6].as_bytes()).unwrap();
    let mut forged = access(6);
    forged.who = "anonymous@1.2.3.4:1".into();
    let forged = Entry::seal(forged, 6, e.prev);
    l[6] = String::from_utf8(forged.to_line()).unwrap().trim_end().to_string();
    put_lines(&path, &l);
    let v = violation(d.path());
    assert_eq!((v.line, v.expected_seq), (8, 7), "the entry after the forgery no longer links: {v}");
    assert!(matches!(v.kind, ViolationKind::BrokenLink { segment_start: false, .. }), "{v}");
}

#[test]
fn cutting_durable_entries_off_the_end_is_found_through_head_json() {
    let d = tempfile::tempdir().unwrap();
    write(&settings(d.path()), 0, 10);
    let path = current(d.path());
    let mut l = lines(&path);
    l.truncate(7);
    put_lines(&path, &l);
    let v = violation(d.path());
    assert_eq!(v.kind, ViolationKind::Truncated { head_seq: 9 });
    assert_eq!(v.expected_seq, 7);
    // And the node refuses to continue such a journal.
    let e = Writer::recover(settings(d.path()), Arc::new(Metrics::new())).err().unwrap();
    assert!(e.to_string().contains("durable entry 9 is missing"), "{e}");
}

#[test]
fn segments_rotate_by_size_and_link_across_files() {
    let d = tempfile::tempdir().unwrap();
    let s = Settings { max_segment_bytes: 4 * 1024, ..settings(d.path()) };
    let metrics = write(&s, 0, 100);
    let archived = archived_segments(d.path()).unwrap();
    assert!(archived.len() >= 3, "{archived:?}");
    // The archive's size is reported for the operator's alert.
    let bytes: u64 = archived.iter().map(|(_, p)| fs::metadata(p).unwrap().len()).sum();
    assert_eq!(metrics.journal_archive_segments.get(), archived.len() as i64);
    assert_eq!(metrics.journal_archive_bytes.get(), bytes as i64);
    for (first, path) in &archived {
        assert!(fs::metadata(path).unwrap().len() <= 4 * 1024);
        let e = Entry::decode(lines(path)[0].as_bytes()).unwrap();
        assert_eq!(e.seq, *first);
    }
    let r = verify(d.path()).unwrap();
    assert_eq!((r.entries, r.segments), (100, archived.len() + 1));
}

#[test]
fn segments_rotate_when_the_utc_day_changes() {
    let d = tempfile::tempdir().unwrap();
    let s = settings(d.path());
    let mut w = Writer::recover(s.clone(), Arc::new(Metrics::new())).unwrap();
    let mut a: Vec<Access> = (0..6).map(access).collect();
    a[3].time_ms = T0 + DAY_MS + 5;
    a[4].time_ms = T0 + DAY_MS + 1; // a request that started earlier the same day
    a[5].time_ms = T0 + 2 * DAY_MS;
    let mut done = 0;
    w.append(&a, &mut done).unwrap();
    w.sync().unwrap();
    let names: Vec<u64> = archived_segments(d.path()).unwrap().into_iter().map(|(s, _)| s).collect();
    assert_eq!(names, vec![0, 3]);
    assert_eq!(lines(&current(d.path())).len(), 1);
    assert_eq!(verify(d.path()).unwrap().entries, 6);
    // Without daily rotation, one segment.
    let d = tempfile::tempdir().unwrap();
    let mut w =
        Writer::recover(Settings { rotate_daily: false, ..settings(d.path()) }, Arc::new(Metrics::new())).unwrap();
    let mut done = 0;
    w.append(&a, &mut done).unwrap();
    assert!(archived_segments(d.path()).unwrap().is_empty());
}

#[test]
fn a_removed_middle_segment_is_found_at_the_next_segment() {
    let d = tempfile::tempdir().unwrap();
    write(&Settings { max_segment_bytes: 4 * 1024, ..settings(d.path()) }, 0, 100);
    let archived = archived_segments(d.path()).unwrap();
    let (gone_first, gone) = archived[1].clone();
    let (next_first, next) = archived[2].clone();
    fs::remove_file(&gone).unwrap();
    let v = violation(d.path());
    assert_eq!(v.segment, next);
    assert_eq!((v.line, v.expected_seq), (1, gone_first));
    assert_eq!(v.kind, ViolationKind::Removed { expected: gone_first, found: next_first });
}

#[test]
fn a_forged_segment_breaks_the_link_between_segments() {
    let d = tempfile::tempdir().unwrap();
    write(&Settings { max_segment_bytes: 4 * 1024, ..settings(d.path()) }, 0, 100);
    let archived = archived_segments(d.path()).unwrap();
    let (first, path) = archived[1].clone();
    // Rewrite segment 1 as a self-consistent chain that starts from a wrong `prev`.
    let count = lines(&path).len() as u64;
    let mut prev = Hash::digest(b"forger", b"");
    let mut out = Vec::new();
    for i in 0..count {
        let e = Entry::seal(access(first + i), first + i, prev);
        prev = e.hash;
        out.extend_from_slice(&e.to_line());
    }
    fs::remove_file(&path).unwrap();
    fs::write(&path, out).unwrap();
    let v = violation(d.path());
    assert_eq!((v.segment.clone(), v.line, v.expected_seq), (path, 1, first));
    assert!(matches!(v.kind, ViolationKind::BrokenLink { segment_start: true, .. }), "{v}");
}

#[test]
fn a_renamed_segment_is_found() {
    let d = tempfile::tempdir().unwrap();
    write(&Settings { max_segment_bytes: 4 * 1024, ..settings(d.path()) }, 0, 60);
    let (first, path) = archived_segments(d.path()).unwrap()[1].clone();
    let renamed = d.path().join(segment_name(first + 1));
    fs::rename(&path, &renamed).unwrap();
    let v = violation(d.path());
    assert_eq!(v.kind, ViolationKind::SegmentName { named: first + 1, found: first });
}

#[test]
fn a_restart_continues_the_chain() {
    let d = tempfile::tempdir().unwrap();
    let s = Settings { max_segment_bytes: 4 * 1024, ..settings(d.path()) };
    write(&s, 0, 30);
    write(&s, 30, 30);
    // Also after a rotation left `current.jsonl` empty.
    let mut w = Writer::recover(s.clone(), Arc::new(Metrics::new())).unwrap();
    w.rotate().unwrap();
    w.sync().unwrap();
    drop(w);
    assert_eq!(fs::metadata(current(d.path())).unwrap().len(), 0);
    write(&s, 60, 5);
    let r = verify(d.path()).unwrap();
    assert_eq!(r.entries, 65);
    assert_eq!(r.head.unwrap().seq, 64);
}

#[test]
fn a_torn_last_line_is_set_aside_and_the_chain_continues() {
    let d = tempfile::tempdir().unwrap();
    let s = settings(d.path());
    write(&s, 0, 10);
    let path = current(d.path());
    // A crash in the middle of writing entry 10 (never fsynced, so head.json says 9).
    let torn = Entry::seal(access(10), 10, verify(d.path()).unwrap().last_hash).to_line();
    let mut bytes = fs::read(&path).unwrap();
    bytes.extend_from_slice(&torn[..40]);
    fs::write(&path, &bytes).unwrap();
    let r = verify(d.path()).unwrap();
    assert_eq!((r.entries, r.torn_tail_bytes), (10, Some(40)));
    write(&s, 10, 5);
    let r = verify(d.path()).unwrap();
    assert_eq!((r.entries, r.torn_tail_bytes, r.torn_files.len()), (15, None, 1));
    assert_eq!(fs::read(&r.torn_files[0]).unwrap(), &torn[..40]);
}

#[test]
fn a_corrupt_last_entry_stops_the_node_from_continuing() {
    let d = tempfile::tempdir().unwrap();
    write(&settings(d.path()), 0, 5);
    let path = current(d.path());
    let mut l = lines(&path);
    l[4] = l[4].replace("GET", "PUT");
    put_lines(&path, &l);
    let e = Writer::recover(settings(d.path()), Arc::new(Metrics::new())).err().unwrap();
    assert!(e.to_string().contains("last entry") && e.to_string().contains("hash"), "{e}");
}

#[test]
fn an_empty_or_missing_journal() {
    let d = tempfile::tempdir().unwrap();
    assert!(matches!(verify(&d.path().join("nope")), Err(VerifyError::Read(_))));
    fs::create_dir_all(d.path().join("j")).unwrap();
    assert_eq!(verify(&d.path().join("j")).unwrap().entries, 0);
}

#[test]
fn long_fields_are_bounded() {
    let mut a = access(1);
    a.object = "é".repeat(10_000);
    a.method = "X".repeat(100);
    let e = Entry::seal(a, 0, Hash::ZERO);
    assert!(e.object.len() <= MAX_OBJECT && e.object.ends_with('…'));
    assert!(e.method.len() <= MAX_METHOD);
    assert!(e.to_line().len() < MAX_LINE);
    let line = e.to_line();
    assert_eq!(Entry::decode(&line[..line.len() - 1]).unwrap(), e);
}

#[test]
fn the_hash_encoding_is_stable() {
    // Golden value: a change of the hashed encoding must be deliberate (docs/journal.md).
    let e = Entry::seal(access(1), 1, Hash::digest(b"x", b"y"));
    assert_eq!(e.hash.to_hex(), "b864f3c1f7e62b5c6fd117b72fde2b54cbd66fcf9f9e50a41862aebb3470ceff");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_writer_thread_batches_flushes_and_counts() {
    let d = tempfile::tempdir().unwrap();
    let metrics = Arc::new(Metrics::new());
    let s = Settings { queue: 16, ..settings(d.path()) };
    let j = Journal::open(s, metrics.clone()).unwrap();
    let h = j.handle();
    let mut tasks = Vec::new();
    for t in 0..8u64 {
        let h = h.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..250 {
                h.reserve().await.unwrap().record(access(t * 1000 + i));
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let head = j.flush().await.unwrap().unwrap();
    assert_eq!(head.seq, 1999);
    assert_eq!(metrics.journal_entries.get(), 2000);
    drop(h);
    j.close().await.unwrap();
    let r = verify(d.path()).unwrap();
    assert_eq!((r.entries, r.head.map(|h| h.seq)), (2000, Some(1999)));
    assert!(metrics.encode().contains("tamga_journal_write_seconds_count"));
}

#[tokio::test]
async fn a_stopped_writer_refuses_and_counts() {
    let d = tempfile::tempdir().unwrap();
    let metrics = Arc::new(Metrics::new());
    let j = Journal::open(Settings { queue: 1, ..settings(d.path()) }, metrics.clone()).unwrap();
    let h = j.handle();
    // Hold the only place: the next request waits, then is refused after the timeout.
    let h2 = JournalHandle { enqueue_timeout: Duration::from_millis(20), ..h.clone() };
    let held = h.reserve().await.unwrap();
    assert_eq!(h2.reserve().await.err(), Some(Unavailable::Full(Duration::from_millis(20))));
    assert_eq!(metrics.journal_refused.get(), 1);
    held.record(access(0));
    assert!(h2.reserve().await.is_ok());
}
