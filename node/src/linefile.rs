//! An append-only file of lines, the writer shared by the node's logs: the
//! access journal (`journal.rs`, SPEC §12) and the security log's files
//! (`security/sink.rs`). Each keeps its own naming, rotation and retention
//! policy on top; this is the part they have in common.
//!
//! * A batch of lines is one `write` with `O_APPEND`, so lines of two
//!   processes never interleave; a write that fails is cut back off the file
//!   ([`LineFile::append`]), so the next try starts after the last whole batch.
//! * [`LineFile::len`] is the length of what was written whole.
//! * [`LineFile::sync`] makes the lines durable (`fdatasync`).
//! * [`LineFile::rotate_to`] makes the file durable, renames it away and
//!   starts a fresh one at the same path.
//! * A new file gets the mode given at open, set at creation.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// One append-only file of lines.
#[derive(Debug)]
pub struct LineFile {
    path: PathBuf,
    file: File,
    len: u64,
    mode: Option<u32>,
}

fn open(path: &Path, mode: Option<u32>) -> std::io::Result<File> {
    let mut o = OpenOptions::new();
    o.read(true).append(true).create(true);
    #[cfg(unix)]
    if let Some(m) = mode {
        std::os::unix::fs::OpenOptionsExt::mode(&mut o, m);
    }
    o.open(path)
}

impl LineFile {
    /// Opens (creates) `path` for appending; a new file gets `mode` (unix;
    /// `None`: the process default).
    pub fn open(path: &Path, mode: Option<u32>) -> std::io::Result<LineFile> {
        let file = open(path, mode)?;
        let len = file.metadata()?.len();
        Ok(LineFile { path: path.to_owned(), file, len, mode })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Bytes written whole.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether nothing is written.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The open file, for reading back what is there (recovery).
    pub fn file_mut(&mut self) -> &mut File {
        &mut self.file
    }

    /// Appends `buf` (whole lines) in one write. On an error what reached the
    /// file of it is cut off again, and the length is unchanged.
    pub fn append(&mut self, buf: &[u8]) -> std::io::Result<()> {
        if let Err(e) = self.file.write_all(buf) {
            let _ = self.file.set_len(self.len);
            return Err(e);
        }
        self.len += buf.len() as u64;
        Ok(())
    }

    /// Cuts the file to `len` bytes and makes that durable (a torn last line
    /// set aside at recovery).
    pub fn truncate_to(&mut self, len: u64) -> std::io::Result<()> {
        self.file.set_len(len)?;
        self.file.sync_all()?;
        self.len = len;
        Ok(())
    }

    /// Makes the written lines durable.
    pub fn sync(&self) -> std::io::Result<()> {
        self.file.sync_data()
    }

    /// Makes the file durable, renames it to `target` and starts an empty
    /// file at the path.
    pub fn rotate_to(&mut self, target: &Path) -> std::io::Result<()> {
        self.file.sync_all()?;
        fs::rename(&self.path, target)?;
        self.file = open(&self.path, self.mode)?;
        self.len = 0;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_whole_batches_and_rotates_to_a_fresh_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.jsonl");
        let mut f = LineFile::open(&path, Some(0o640)).unwrap();
        assert!(f.is_empty());
        f.append(b"a\nb\n").unwrap();
        f.sync().unwrap();
        assert_eq!((f.len(), fs::read(&path).unwrap()), (4, b"a\nb\n".to_vec()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o640);
        }
        let old = dir.path().join("x.jsonl.1");
        f.rotate_to(&old).unwrap();
        f.append(b"c\n").unwrap();
        assert_eq!(fs::read(&old).unwrap(), b"a\nb\n");
        assert_eq!((f.len(), fs::read(&path).unwrap()), (2, b"c\n".to_vec()));
        // Reopening continues at the end.
        drop(f);
        let mut f = LineFile::open(&path, None).unwrap();
        assert_eq!(f.len(), 2);
        f.truncate_to(0).unwrap();
        assert!(f.is_empty() && fs::read(&path).unwrap().is_empty());
    }
}
