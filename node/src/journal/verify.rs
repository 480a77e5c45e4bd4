//! `tamgad journal verify`: walks every segment of a journal directory in
//! order and reports the first entry that was removed, reordered or altered
//! (SPEC §12), or OK with counts. Reads each line with a bound
//! ([`super::MAX_LINE`]) and never changes a file.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use tamga_types::Hash;

use super::{archived_segments, read_head, Entry, Head, JournalError, CURRENT, MAX_LINE};

/// What a sound journal holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyReport {
    /// The directory checked.
    pub dir: PathBuf,
    /// Segment files (archived ones and `current.jsonl`).
    pub segments: usize,
    /// Entries in the chain (their sequence numbers are `0..entries`).
    pub entries: u64,
    /// Hash of the last entry ([`Hash::ZERO`] when empty).
    pub last_hash: Hash,
    /// `head.json`, if present (absent only before the first fsync).
    pub head: Option<Head>,
    /// Bytes of an incomplete last line of `current.jsonl` (a crash during a
    /// write, set aside by the next start); never a durable entry.
    pub torn_tail_bytes: Option<u64>,
    /// `torn-*.partial` files: incomplete lines set aside after crashes.
    pub torn_files: Vec<PathBuf>,
}

/// The first fault found: where, and what.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}, line {line} (entry {expected_seq}): {kind}", segment.display())]
pub struct Violation {
    /// The segment file.
    pub segment: PathBuf,
    /// Line number in it, from 1.
    pub line: u64,
    /// The sequence number the entry at this place must have.
    pub expected_seq: u64,
    /// What is wrong.
    pub kind: ViolationKind,
}

/// Kinds of fault.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ViolationKind {
    /// The line is not the entry that was written (changed bytes, a bad
    /// hash, not canonical, not an entry at all).
    #[error("altered: {detail}")]
    Altered {
        /// What does not hold.
        detail: String,
    },
    /// Entries `expected..found` are missing here.
    #[error("removed: entries {expected}..{found} are missing (next present is {found})")]
    Removed {
        /// The first missing sequence number.
        expected: u64,
        /// The sequence number found instead.
        found: u64,
    },
    /// An entry is out of its place (the expected one appears later, or
    /// this one belongs earlier).
    #[error("reordered: entry {found} stands where entry {expected} belongs")]
    Reordered {
        /// The sequence number that belongs here.
        expected: u64,
        /// The one found.
        found: u64,
    },
    /// The entry's `prev` is not the hash of the entry before it (an entry
    /// replaced with a self-consistent forgery, or a segment swapped in).
    #[error("broken link{}: prev is {found_prev}, the previous entry's hash is {expected_prev}", if *segment_start { " between segments" } else { "" })]
    BrokenLink {
        /// Hash of the previous entry.
        expected_prev: Hash,
        /// The entry's `prev`.
        found_prev: Hash,
        /// Whether this is the first entry of a segment.
        segment_start: bool,
    },
    /// An archived segment's name does not match its first entry.
    #[error("segment named for entry {named} starts with entry {found}")]
    SegmentName {
        /// Sequence number in the file name.
        named: u64,
        /// First entry's sequence number.
        found: u64,
    },
    /// `head.json` names a durable entry past the end of the chain: entries were cut off the end.
    #[error("truncated: head.json names durable entry {head_seq}, the journal ends before it")]
    Truncated {
        /// `head.json`'s seq.
        head_seq: u64,
    },
    /// `head.json` and the entry it names disagree: the chain was rewritten after it.
    #[error("head.json names entry {seq} with hash {head_hash}, the journal's entry {seq} has {entry_hash}")]
    HeadMismatch {
        /// Sequence number.
        seq: u64,
        /// Hash in `head.json`.
        head_hash: Hash,
        /// Hash of the entry.
        entry_hash: Hash,
    },
}

/// Why verification did not finish OK.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The journal is not sound: the first fault.
    #[error("journal verification failed at {0}")]
    Violation(Box<Violation>),
    /// The journal could not be read (nothing is claimed about it).
    #[error(transparent)]
    Read(#[from] JournalError),
}

enum Line {
    Complete,
    /// End of file before a `\n`.
    Torn,
    TooLong,
    Eof,
}

fn read_line(r: &mut impl BufRead, buf: &mut Vec<u8>) -> std::io::Result<Line> {
    buf.clear();
    let n = r.by_ref().take(MAX_LINE as u64 + 1).read_until(b'\n', buf)?;
    Ok(if n == 0 {
        Line::Eof
    } else if buf.last() == Some(&b'\n') {
        buf.pop();
        Line::Complete
    } else if buf.len() > MAX_LINE {
        Line::TooLong
    } else {
        Line::Torn
    })
}

/// Whether an entry numbered `seq` appears in `path` after byte `offset`.
fn appears_later(path: &Path, offset: u64, seq: u64) -> Result<bool, JournalError> {
    #[derive(Deserialize)]
    struct SeqOnly {
        seq: u64,
    }
    let mut f = File::open(path).map_err(super::io_err(path))?;
    f.seek(SeekFrom::Start(offset)).map_err(super::io_err(path))?;
    let mut r = BufReader::new(f);
    let mut buf = Vec::new();
    while let Line::Complete = read_line(&mut r, &mut buf).map_err(super::io_err(path))? {
        if serde_json::from_slice::<SeqOnly>(&buf).is_ok_and(|s| s.seq == seq) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Checks the journal in `dir`: every segment in order, every entry's hash
/// and canonical form, sequence numbers without gaps from 0, each `prev`
/// linking to the entry before (across segments), and `head.json` against
/// the chain. The typed result is the hook for security events.
pub fn verify(dir: &Path) -> Result<VerifyReport, VerifyError> {
    use super::io_err as io;
    if !dir.is_dir() {
        return Err(JournalError::Io {
            path: dir.display().to_string(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no journal directory"),
        }
        .into());
    }
    let mut files: Vec<(Option<u64>, PathBuf)> =
        archived_segments(dir).map_err(io(dir))?.into_iter().map(|(s, p)| (Some(s), p)).collect();
    let current = dir.join(CURRENT);
    if current.exists() {
        files.push((None, current));
    }
    let head = read_head(dir)?;
    let mut torn_files = Vec::new();
    for item in std::fs::read_dir(dir).map_err(io(dir))? {
        let item = item.map_err(io(dir))?;
        let name = item.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("torn-") && name.ends_with(".partial") {
            torn_files.push(item.path());
        }
    }
    torn_files.sort();

    let mut expected: u64 = 0;
    let mut prev = Hash::ZERO;
    let mut torn_tail_bytes = None;
    let mut last_place = (dir.join(CURRENT), 0u64);
    let mut buf = Vec::new();
    for (named, path) in &files {
        let fail = |line: u64, expected_seq: u64, kind: ViolationKind| {
            VerifyError::Violation(Box::new(Violation { segment: path.clone(), line, expected_seq, kind }))
        };
        let file = File::open(path).map_err(io(path))?;
        let mut r = BufReader::new(file);
        let (mut line, mut offset) = (0u64, 0u64);
        loop {
            let read = read_line(&mut r, &mut buf).map_err(io(path))?;
            match read {
                Line::Eof => break,
                Line::Torn if named.is_none() => {
                    torn_tail_bytes = Some(buf.len() as u64);
                    break;
                }
                Line::Torn => {
                    return Err(fail(
                        line + 1,
                        expected,
                        ViolationKind::Altered { detail: "an archived segment ends in an incomplete line".into() },
                    ))
                }
                Line::TooLong => {
                    return Err(fail(
                        line + 1,
                        expected,
                        ViolationKind::Altered { detail: format!("line longer than {MAX_LINE} bytes") },
                    ))
                }
                Line::Complete => {}
            }
            line += 1;
            offset += buf.len() as u64 + 1;
            let entry =
                Entry::decode(&buf).map_err(|detail| fail(line, expected, ViolationKind::Altered { detail }))?;
            if line == 1 {
                if let Some(named) = named {
                    if *named != entry.seq {
                        return Err(fail(
                            line,
                            expected,
                            ViolationKind::SegmentName { named: *named, found: entry.seq },
                        ));
                    }
                }
            }
            if entry.seq != expected {
                let kind = if entry.seq < expected || appears_later(path, offset, expected)? {
                    ViolationKind::Reordered { expected, found: entry.seq }
                } else {
                    ViolationKind::Removed { expected, found: entry.seq }
                };
                return Err(fail(line, expected, kind));
            }
            if entry.prev != prev {
                return Err(fail(
                    line,
                    expected,
                    ViolationKind::BrokenLink { expected_prev: prev, found_prev: entry.prev, segment_start: line == 1 },
                ));
            }
            if let Some(h) = &head {
                if h.seq == entry.seq && h.hash != entry.hash {
                    let kind = ViolationKind::HeadMismatch { seq: h.seq, head_hash: h.hash, entry_hash: entry.hash };
                    return Err(fail(line, expected, kind));
                }
            }
            prev = entry.hash;
            expected += 1;
        }
        if line == 0 && named.is_some() {
            return Err(fail(1, expected, ViolationKind::Altered { detail: "an archived segment is empty".into() }));
        }
        last_place = (path.clone(), line + 1);
    }
    if let Some(h) = &head {
        if h.seq >= expected {
            return Err(VerifyError::Violation(Box::new(Violation {
                segment: last_place.0,
                line: last_place.1,
                expected_seq: expected,
                kind: ViolationKind::Truncated { head_seq: h.seq },
            })));
        }
    }
    Ok(VerifyReport {
        dir: dir.to_path_buf(),
        segments: files.len(),
        entries: expected,
        last_hash: prev,
        head,
        torn_tail_bytes,
        torn_files,
    })
}
