//! Key files: an account's ed25519 secret seed on disk, in one of two formats.
//!
//! **Plain** (development only): the 32-byte seed as 64 lower-case hex
//! characters and a newline, mode 0600 — the format `tamga-genesis` writes
//! for a testnet (`keys/regulator.key`, `keys/user-0000.key`, …). Anyone who
//! can read the file can sign as the account.
//!
//! **Encrypted** (the default of `tamga keys new|import`): a JSON document,
//! mode 0600, whose seed is sealed with a key derived from a passphrase:
//!
//! ```json
//! {
//!   "format": "tamga-key",
//!   "version": 1,
//!   "address": "<public key, 64 hex>",
//!   "kdf": { "name": "argon2id", "version": 19, "m_cost_kib": 65536, "t_cost": 3, "p_cost": 1,
//!            "salt": "<16 bytes, hex>" },
//!   "cipher": { "name": "chacha20poly1305", "nonce": "<12 bytes, hex>" },
//!   "ciphertext": "<48 bytes, hex: the sealed 32-byte seed and its 16-byte tag>"
//! }
//! ```
//!
//! - `kek = Argon2id(passphrase, salt, m_cost_kib, t_cost, p_cost, version 0x13)`, 32 bytes;
//! - `ciphertext = ChaCha20-Poly1305(kek, nonce, seed, aad)` with
//!   `aad = "TAMGA/KEYFILE/v1" ‖ address` (32 bytes), so the address in the
//!   file cannot be swapped without the decryption failing;
//! - salt and nonce are fresh random bytes for every file;
//! - after decryption the seed's public key must equal `address`.
//!
//! `address` is in the clear so that `tamga keys list|show` name a file's
//! account without its passphrase. A wrong passphrase (or a tampered file)
//! fails the authentication tag: [`KeyFileError::WrongPassphrase`]. KDF
//! parameters read from a file are bounded ([`KdfParams::check`]) so a
//! hostile file cannot make the reader allocate without limit.
//!
//! A reader tells the formats apart by the first non-blank character: `{`
//! is the encrypted format, anything else must be the plain one.

use std::io::Write;
use std::path::Path;

use chacha20poly1305::aead::{Aead, KeyInit, Payload as AeadPayload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};
use tamga_types::{PublicKey, SigningKey};
use zeroize::Zeroizing;

/// `format` of an encrypted key file.
pub const FORMAT: &str = "tamga-key";
/// `version` of the encrypted format this module writes and reads.
pub const VERSION: u32 = 1;
/// The environment variable [`read_key_file`] takes the passphrase from.
pub const PASSPHRASE_ENV: &str = "TAMGA_PASSPHRASE";
const AAD_DOMAIN: &[u8] = b"TAMGA/KEYFILE/v1";
const SALT_LEN: usize = 16;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;

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
    /// The content is neither format.
    #[error("{path}: not a key file: {reason} (expected 64 hex characters of an ed25519 seed, or an encrypted tamga-key JSON document)")]
    Format {
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// The file is encrypted and no passphrase could be had.
    #[error("{path} is encrypted: {reason}")]
    NoPassphrase {
        /// The file.
        path: String,
        /// Why there is none (no terminal, unreadable passphrase file…).
        reason: String,
    },
    /// The passphrase does not open the file (or the file was altered).
    #[error("{path}: wrong passphrase (or the file was altered)")]
    WrongPassphrase {
        /// The file.
        path: String,
    },
    /// Sealing failed (unusable KDF parameters).
    #[error("cannot encrypt the key: {0}")]
    Seal(String),
}

impl KeyFileError {
    /// A stable machine-readable code, for `--json` error objects.
    pub fn code(&self) -> &'static str {
        match self {
            KeyFileError::Io { .. } => "KEY_FILE_IO",
            KeyFileError::Format { .. } => "KEY_FILE_FORMAT",
            KeyFileError::NoPassphrase { .. } => "PASSPHRASE_REQUIRED",
            KeyFileError::WrongPassphrase { .. } => "WRONG_PASSPHRASE",
            KeyFileError::Seal(_) => "KEY_FILE_SEAL",
        }
    }
}

/// Argon2id parameters of an encrypted key file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KdfParams {
    /// Always `argon2id`.
    pub name: String,
    /// Argon2 version: 19 (0x13).
    pub version: u32,
    /// Memory, KiB.
    pub m_cost_kib: u32,
    /// Passes.
    pub t_cost: u32,
    /// Lanes.
    pub p_cost: u32,
    /// Salt, hex.
    pub salt: String,
}

impl KdfParams {
    /// Largest memory cost accepted from a file: 2 GiB.
    pub const MAX_M_COST_KIB: u32 = 2 * 1024 * 1024;
    /// Largest pass count accepted from a file.
    pub const MAX_T_COST: u32 = 64;
    /// Largest lane count accepted from a file.
    pub const MAX_P_COST: u32 = 16;

    /// The parameters new files get (RFC 9106's second recommended option,
    /// one lane): 64 MiB, 3 passes, and a fresh random salt.
    pub fn recommended() -> KdfParams {
        KdfParams::with_costs(64 * 1024, 3, 1)
    }

    /// Given costs and a fresh random salt (tests use small costs).
    pub fn with_costs(m_cost_kib: u32, t_cost: u32, p_cost: u32) -> KdfParams {
        let mut salt = [0u8; SALT_LEN];
        OsRng.fill_bytes(&mut salt);
        KdfParams { name: "argon2id".into(), version: 0x13, m_cost_kib, t_cost, p_cost, salt: hex::encode(salt) }
    }

    /// Checks the parameters are ones this module uses, within bounds.
    pub fn check(&self) -> Result<(), String> {
        if self.name != "argon2id" {
            return Err(format!("kdf {:?} is not supported (argon2id is)", self.name));
        }
        if self.version != 0x13 {
            return Err(format!("argon2 version {} is not supported (19 is)", self.version));
        }
        if self.m_cost_kib > Self::MAX_M_COST_KIB || self.t_cost > Self::MAX_T_COST || self.p_cost > Self::MAX_P_COST {
            return Err(format!(
                "kdf costs m={} KiB t={} p={} exceed the limits {} KiB / {} / {}",
                self.m_cost_kib,
                self.t_cost,
                self.p_cost,
                Self::MAX_M_COST_KIB,
                Self::MAX_T_COST,
                Self::MAX_P_COST
            ));
        }
        let salt = hex::decode(&self.salt).map_err(|e| format!("kdf salt: {e}"))?;
        if salt.len() < argon2::MIN_SALT_LEN || salt.len() > 64 {
            return Err(format!("kdf salt is {} bytes (8–64 allowed)", salt.len()));
        }
        Ok(())
    }

    /// The 32-byte key encryption key for `passphrase`.
    fn derive(&self, passphrase: &[u8]) -> Result<Zeroizing<[u8; 32]>, String> {
        self.check()?;
        let salt = hex::decode(&self.salt).map_err(|e| format!("kdf salt: {e}"))?;
        let params = argon2::Params::new(self.m_cost_kib, self.t_cost, self.p_cost, Some(32))
            .map_err(|e| format!("kdf parameters: {e}"))?;
        let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        let mut kek = Zeroizing::new([0u8; 32]);
        argon.hash_password_into(passphrase, &salt, kek.as_mut()).map_err(|e| format!("kdf: {e}"))?;
        Ok(kek)
    }
}

/// The cipher section of an encrypted key file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CipherParams {
    /// Always `chacha20poly1305`.
    pub name: String,
    /// 12-byte nonce, hex.
    pub nonce: String,
}

/// An encrypted key file's content (see the module docs for the format).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EncryptedKey {
    /// Always [`FORMAT`].
    pub format: String,
    /// Always [`VERSION`].
    pub version: u32,
    /// The account's public key (in the clear; authenticated by the cipher).
    pub address: PublicKey,
    /// Key derivation.
    pub kdf: KdfParams,
    /// Encryption.
    pub cipher: CipherParams,
    /// Sealed seed and tag, hex.
    pub ciphertext: String,
}

fn aad(address: &PublicKey) -> Vec<u8> {
    let mut v = AAD_DOMAIN.to_vec();
    v.extend_from_slice(&address.0);
    v
}

impl EncryptedKey {
    /// Seals `key` under `passphrase` with `kdf` (its salt included) and a fresh nonce.
    pub fn seal(key: &SigningKey, passphrase: &[u8], kdf: KdfParams) -> Result<EncryptedKey, KeyFileError> {
        let kek = kdf.derive(passphrase).map_err(KeyFileError::Seal)?;
        let mut nonce = [0u8; NONCE_LEN];
        OsRng.fill_bytes(&mut nonce);
        let address = key.public();
        let seed = Zeroizing::new(key.to_seed());
        let cipher = ChaCha20Poly1305::new(Key::from_slice(kek.as_ref()));
        let ct = cipher
            .encrypt(Nonce::from_slice(&nonce), AeadPayload { msg: seed.as_ref(), aad: &aad(&address) })
            .map_err(|_| KeyFileError::Seal("encryption failed".into()))?;
        Ok(EncryptedKey {
            format: FORMAT.into(),
            version: VERSION,
            address,
            kdf,
            cipher: CipherParams { name: "chacha20poly1305".into(), nonce: hex::encode(nonce) },
            ciphertext: hex::encode(ct),
        })
    }

    /// Checks the document's shape (format, version, algorithms, lengths, bounds).
    pub fn check(&self) -> Result<(), String> {
        if self.format != FORMAT {
            return Err(format!("format {:?} is not {FORMAT:?}", self.format));
        }
        if self.version != VERSION {
            return Err(format!("version {} is not supported (this tamga reads version {VERSION})", self.version));
        }
        self.kdf.check()?;
        if self.cipher.name != "chacha20poly1305" {
            return Err(format!("cipher {:?} is not supported (chacha20poly1305 is)", self.cipher.name));
        }
        let nonce = hex::decode(&self.cipher.nonce).map_err(|e| format!("nonce: {e}"))?;
        if nonce.len() != NONCE_LEN {
            return Err(format!("nonce is {} bytes, not {NONCE_LEN}", nonce.len()));
        }
        let ct = hex::decode(&self.ciphertext).map_err(|e| format!("ciphertext: {e}"))?;
        if ct.len() != 32 + TAG_LEN {
            return Err(format!("ciphertext is {} bytes, not {}", ct.len(), 32 + TAG_LEN));
        }
        Ok(())
    }

    /// Opens the file with `passphrase`. `Ok(None)`: the passphrase is wrong
    /// (or the file was altered); `Err`: the document is malformed.
    pub fn open(&self, passphrase: &[u8]) -> Result<Option<SigningKey>, String> {
        self.check()?;
        let kek = self.kdf.derive(passphrase)?;
        let nonce = hex::decode(&self.cipher.nonce).map_err(|e| e.to_string())?;
        let ct = hex::decode(&self.ciphertext).map_err(|e| e.to_string())?;
        let cipher = ChaCha20Poly1305::new(Key::from_slice(kek.as_ref()));
        let Ok(seed) = cipher.decrypt(Nonce::from_slice(&nonce), AeadPayload { msg: &ct, aad: &aad(&self.address) })
        else {
            return Ok(None);
        };
        let seed = Zeroizing::new(seed);
        let seed: [u8; 32] = seed.as_slice().try_into().map_err(|_| format!("seed is {} bytes", seed.len()))?;
        let key = SigningKey::from_seed(seed);
        if key.public() != self.address {
            return Err("the decrypted seed does not belong to the file's address".into());
        }
        Ok(Some(key))
    }

    /// The file text: pretty JSON and a newline.
    pub fn to_text(&self) -> String {
        // A struct of strings and integers always serialises.
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }
}

/// A key file's content, before any passphrase is asked for.
#[derive(Debug)]
pub enum KeyFile {
    /// The plain hex format.
    Plain(Box<SigningKey>),
    /// The encrypted JSON format.
    Encrypted(Box<EncryptedKey>),
}

impl KeyFile {
    /// Parses either format (surrounding whitespace ignored).
    pub fn parse(text: &str) -> Result<KeyFile, String> {
        let t = text.trim();
        if t.starts_with('{') {
            let e: EncryptedKey = serde_json::from_str(t).map_err(|e| format!("encrypted key JSON: {e}"))?;
            e.check()?;
            return Ok(KeyFile::Encrypted(Box::new(e)));
        }
        parse_key(t).map(|k| KeyFile::Plain(Box::new(k)))
    }

    /// The account's public key (for an encrypted file: the one it names).
    pub fn address(&self) -> PublicKey {
        match self {
            KeyFile::Plain(k) => k.public(),
            KeyFile::Encrypted(e) => e.address,
        }
    }

    /// True for the encrypted format.
    pub fn is_encrypted(&self) -> bool {
        matches!(self, KeyFile::Encrypted(_))
    }

    /// `plain` or `encrypted`.
    pub fn format_name(&self) -> &'static str {
        if self.is_encrypted() {
            "encrypted"
        } else {
            "plain"
        }
    }

    /// The signing key; `passphrase` is called only for an encrypted file.
    /// `path` names the file in errors.
    pub fn unlock(
        self,
        path: &Path,
        passphrase: impl FnOnce() -> Result<Zeroizing<String>, String>,
    ) -> Result<SigningKey, KeyFileError> {
        let p = path.display().to_string();
        match self {
            KeyFile::Plain(k) => Ok(*k),
            KeyFile::Encrypted(e) => {
                let pass = passphrase().map_err(|reason| KeyFileError::NoPassphrase { path: p.clone(), reason })?;
                match e.open(pass.as_bytes()) {
                    Ok(Some(k)) => Ok(k),
                    Ok(None) => Err(KeyFileError::WrongPassphrase { path: p }),
                    Err(reason) => Err(KeyFileError::Format { path: p, reason }),
                }
            }
        }
    }
}

/// Parses the text of a plain key file (surrounding whitespace ignored).
pub fn parse_key(text: &str) -> Result<SigningKey, String> {
    let t = text.trim();
    let bytes = Zeroizing::new(hex::decode(t).map_err(|e| e.to_string())?);
    let seed: [u8; 32] = bytes.as_slice().try_into().map_err(|_| format!("{} bytes instead of 32", bytes.len()))?;
    Ok(SigningKey::from_seed(seed))
}

/// Reads a key file without unlocking it.
pub fn load_key_file(path: &Path) -> Result<KeyFile, KeyFileError> {
    let p = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|source| KeyFileError::Io { path: p.clone(), source })?;
    // Both formats are well under 4 KiB; refuse to read anything large.
    if meta.len() > 64 * 1024 {
        return Err(KeyFileError::Format { path: p, reason: format!("{} bytes is too large", meta.len()) });
    }
    let text =
        Zeroizing::new(std::fs::read_to_string(path).map_err(|source| KeyFileError::Io { path: p.clone(), source })?);
    KeyFile::parse(&text).map_err(|reason| KeyFileError::Format { path: p, reason })
}

/// Reads a key file of either format; `passphrase` is called only for an encrypted one.
pub fn read_key_file_with(
    path: &Path,
    passphrase: impl FnOnce() -> Result<Zeroizing<String>, String>,
) -> Result<SigningKey, KeyFileError> {
    load_key_file(path)?.unlock(path, passphrase)
}

/// Reads a key file of either format, taking an encrypted file's passphrase
/// from the `TAMGA_PASSPHRASE` environment variable.
pub fn read_key_file(path: &Path) -> Result<SigningKey, KeyFileError> {
    read_key_file_with(path, passphrase_from_env)
}

/// The passphrase in `TAMGA_PASSPHRASE`, if set.
pub fn passphrase_from_env() -> Result<Zeroizing<String>, String> {
    std::env::var(PASSPHRASE_ENV)
        .map(Zeroizing::new)
        .map_err(|_| format!("set {PASSPHRASE_ENV} (or give --passphrase-file, or run on a terminal to be asked)"))
}

/// Reads a passphrase file: its first line, without the line end.
pub fn read_passphrase_file(path: &Path) -> Result<Zeroizing<String>, String> {
    let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?);
    let line = text.lines().next().unwrap_or("");
    Ok(Zeroizing::new(line.to_owned()))
}

fn create_new(path: &Path, content: &[u8]) -> Result<(), KeyFileError> {
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
    f.write_all(content).map_err(io)?;
    f.sync_all().map_err(io)
}

/// Writes `key` in the plain format to a new file (never overwrites), mode 0600 on Unix.
pub fn write_key_file(path: &Path, key: &SigningKey) -> Result<(), KeyFileError> {
    let text = Zeroizing::new(format!("{}\n", hex::encode(key.to_seed())));
    create_new(path, text.as_bytes())
}

/// Writes `key` in the encrypted format to a new file (never overwrites), mode 0600 on Unix.
pub fn write_encrypted_key_file(
    path: &Path,
    key: &SigningKey,
    passphrase: &[u8],
    kdf: KdfParams,
) -> Result<(), KeyFileError> {
    let e = EncryptedKey::seal(key, passphrase, kdf)?;
    create_new(path, e.to_text().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("tamga-keyfile-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn fast() -> KdfParams {
        KdfParams::with_costs(64, 1, 1)
    }

    #[test]
    fn round_trip_and_refusals() {
        let dir = dir("plain");
        let path = dir.join("a.key");
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
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(parse_key("abcd").unwrap_err().contains("2 bytes"));
        assert!(parse_key("zz").is_err());
        assert_eq!(parse_key(&format!("  {}\n\n", "05".repeat(32))).unwrap().public(), k.public());
    }

    #[test]
    fn encrypted_round_trip_wrong_passphrase_and_tampering() {
        let dir = dir("enc");
        let path = dir.join("b.key");
        let k = SigningKey::from_seed([9; 32]);
        write_encrypted_key_file(&path, &k, b"correct horse", fast()).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains(&hex::encode(k.to_seed())), "the seed must not be in the clear");
        let file = load_key_file(&path).unwrap();
        assert!(file.is_encrypted());
        assert_eq!(file.address(), k.public(), "the address reads without the passphrase");
        let opened = read_key_file_with(&path, || Ok(Zeroizing::new("correct horse".into()))).unwrap();
        assert_eq!(opened.to_seed(), k.to_seed());
        let e = read_key_file_with(&path, || Ok(Zeroizing::new("wrong".into()))).unwrap_err();
        assert!(matches!(e, KeyFileError::WrongPassphrase { .. }), "{e}");
        assert!(e.to_string().contains("wrong passphrase"), "{e}");
        let e = read_key_file_with(&path, || Err("no terminal".into())).unwrap_err();
        assert!(matches!(e, KeyFileError::NoPassphrase { .. }) && e.to_string().contains("no terminal"), "{e}");
        // Swapping the address for another key's is caught by the tag.
        let mut doc: EncryptedKey = serde_json::from_str(&text).unwrap();
        doc.address = SigningKey::from_seed([1; 32]).public();
        assert!(doc.open(b"correct horse").unwrap().is_none());
        // Unsupported or hostile parameters are format errors, before any work.
        let mut doc: EncryptedKey = serde_json::from_str(&text).unwrap();
        doc.kdf.m_cost_kib = u32::MAX;
        assert!(doc.open(b"x").unwrap_err().contains("exceed"));
        let mut doc: EncryptedKey = serde_json::from_str(&text).unwrap();
        doc.version = 2;
        assert!(KeyFile::parse(&doc.to_text()).unwrap_err().contains("version 2"));
        assert!(KeyFile::parse("{\"format\":1}").is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn formats_are_told_apart() {
        let k = SigningKey::from_seed([4; 32]);
        let plain = KeyFile::parse(&"04".repeat(32)).unwrap();
        assert!(!plain.is_encrypted());
        assert_eq!(plain.address(), k.public());
        let sealed = EncryptedKey::seal(&k, b"p", fast()).unwrap();
        let enc = KeyFile::parse(&sealed.to_text()).unwrap();
        assert_eq!(enc.format_name(), "encrypted");
        let v: serde_json::Value = serde_json::from_str(&sealed.to_text()).unwrap();
        for field in ["format", "version", "address", "kdf", "cipher", "ciphertext"] {
            assert!(v.get(field).is_some(), "{field} missing");
        }
        assert_eq!(v["kdf"]["name"], "argon2id");
        assert_eq!(v["cipher"]["name"], "chacha20poly1305");
        // A fresh salt and nonce each time: the same key and passphrase seal differently.
        let again = EncryptedKey::seal(&k, b"p", fast()).unwrap();
        assert_ne!(sealed.ciphertext, again.ciphertext);
    }
}
