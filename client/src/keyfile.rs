//! Key files: the 32-byte ed25519 secret seed as 64 lower-case hex
//! characters and a newline, mode 0600 — the format `tamga-genesis` writes
//! for a testnet (`keys/*.key`).

use std::io::Write;
use std::path::Path;

use tamga_types::SigningKey;

/// Why a key file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    /// I/O failure.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// The content is not 64 hex characters.
    #[error("{path}: not a key file: {reason} (expected 64 hex characters of an ed25519 seed)")]
    Format {
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
}

/// Parses the text of a key file (surrounding whitespace ignored).
pub fn parse_key(text: &str) -> Result<SigningKey, String> {
    let t = text.trim();
    let bytes = hex::decode(t).map_err(|e| e.to_string())?;
    let seed: [u8; 32] = bytes.try_into().map_err(|v: Vec<u8>| format!("{} bytes instead of 32", v.len()))?;
    Ok(SigningKey::from_seed(seed))
}

/// Reads a key file.
pub fn read_key_file(path: &Path) -> Result<SigningKey, KeyFileError> {
    let p = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| KeyFileError::Io { path: p.clone(), source })?;
    parse_key(&text).map_err(|reason| KeyFileError::Format { path: p, reason })
}

/// Writes `key` to a new file (never overwrites), mode 0600 on Unix.
pub fn write_key_file(path: &Path, key: &SigningKey) -> Result<(), KeyFileError> {
    let p = path.display().to_string();
    let io = |source| KeyFileError::Io { path: p.clone(), source };
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    let mut f = o.open(path).map_err(io)?;
    f.write_all(format!("{}\n", hex::encode(key.to_seed())).as_bytes()).map_err(io)?;
    f.sync_all().map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_refusals() {
        let dir = std::env::temp_dir().join(format!("tamga-keyfile-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("a.key");
        let _ = std::fs::remove_file(&path);
        let k = SigningKey::from_seed([5; 32]);
        write_key_file(&path, &k).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), format!("{}\n", "05".repeat(32)));
        assert_eq!(read_key_file(&path).unwrap().public(), k.public());
        assert!(matches!(write_key_file(&path, &k), Err(KeyFileError::Io { .. })), "must not overwrite");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        std::fs::remove_file(&path).unwrap();
        assert!(parse_key("abcd").unwrap_err().contains("2 bytes"));
        assert!(parse_key("zz").is_err());
        assert_eq!(parse_key(&format!("  {}\n\n", "05".repeat(32))).unwrap().public(), k.public());
    }
}
