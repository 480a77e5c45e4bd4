//! A JSON Lines file with a size bound: `NAME` is appended to and rotated to
//! `NAME.1` … `NAME.{keep}` when the next line would pass `max_bytes`, so a
//! file family never holds more than `(keep + 1) × max_bytes` bytes.
//!
//! Files are created with mode 0640 (owner writes, the operator's log
//! group may read), set at creation.

use std::fs::{self, File};
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::linefile::LineFile;

/// Mode of a new log file.
pub const FILE_MODE: u32 = 0o640;

/// One rotating file family (`events.jsonl` or `critical.jsonl`), written
/// through the node's shared line-file writer ([`LineFile`]).
pub struct RotatingFile {
    dir: PathBuf,
    name: &'static str,
    file: LineFile,
    max_bytes: u64,
    keep: u32,
}

impl RotatingFile {
    /// Opens (creates) `dir/name` for appending.
    pub fn open(dir: &Path, name: &'static str, max_bytes: u64, keep: u32) -> std::io::Result<RotatingFile> {
        let file = LineFile::open(&dir.join(name), Some(FILE_MODE))?;
        Ok(RotatingFile { dir: dir.to_owned(), name, file, max_bytes, keep })
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `dir/name.n`.
    pub fn rotated(dir: &Path, name: &str, n: u32) -> PathBuf {
        dir.join(format!("{name}.{n}"))
    }

    /// Appends one line (the `\n` is added), rotating first when it would
    /// pass the size bound. A line longer than the bound is cut to it, so a
    /// file never passes `max_bytes`.
    pub fn write_line(&mut self, line: &str) -> std::io::Result<()> {
        let mut line = line;
        if line.len() as u64 + 1 > self.max_bytes {
            let mut end = self.max_bytes.saturating_sub(1) as usize;
            while !line.is_char_boundary(end) {
                end -= 1;
            }
            line = &line[..end];
        }
        let bytes = line.len() as u64 + 1;
        if !self.file.is_empty() && self.file.len() + bytes > self.max_bytes {
            self.rotate()?;
        }
        let mut buf = Vec::with_capacity(line.len() + 1);
        buf.extend_from_slice(line.as_bytes());
        buf.push(b'\n');
        // One write per line with O_APPEND: lines of two processes never interleave.
        self.file.append(&buf)
    }

    /// `name.{k-1}` → `.{k}` for k = keep … 2, the current file → `.1`, and
    /// a fresh current file. With `keep == 0` the current file is truncated.
    fn rotate(&mut self) -> std::io::Result<()> {
        if self.keep == 0 {
            return self.file.truncate_to(0);
        }
        self.file.sync()?;
        let _ = fs::remove_file(Self::rotated(&self.dir, self.name, self.keep));
        for k in (1..self.keep).rev() {
            let from = Self::rotated(&self.dir, self.name, k);
            if from.exists() {
                fs::rename(&from, Self::rotated(&self.dir, self.name, k + 1))?;
            }
        }
        self.file.rotate_to(&Self::rotated(&self.dir, self.name, 1))
    }

    /// Makes the written lines durable.
    pub fn sync(&self) -> std::io::Result<()> {
        self.file.sync()
    }
}

/// The highest `seq` of the last complete lines of `dir/name` and, when that
/// is empty, of `dir/name.1` (reads at most the last 64 KiB of each).
pub fn last_seq_of(dir: &Path, name: &str) -> std::io::Result<u64> {
    let last = last_seq(&dir.join(name))?;
    if last > 0 {
        return Ok(last);
    }
    Ok(last_seq(&RotatingFile::rotated(dir, name, 1)).unwrap_or(0))
}

/// The `seq` of the last complete line of `path` (reads at most its last 64 KiB).
fn last_seq(path: &Path) -> std::io::Result<u64> {
    let mut f = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    let len = f.metadata()?.len();
    let from = len.saturating_sub(64 * 1024);
    f.seek(SeekFrom::Start(from))?;
    let mut tail = Vec::with_capacity((len - from) as usize);
    f.take(64 * 1024).read_to_end(&mut tail)?;
    #[derive(Deserialize)]
    struct Seq {
        seq: u64,
    }
    Ok(tail
        .split(|b| *b == b'\n')
        .rev()
        .filter_map(|line| serde_json::from_slice::<Seq>(line).ok())
        .map(|s| s.seq)
        .next()
        .unwrap_or(0))
}
